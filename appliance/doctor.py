"""`appliance doctor`: is everything the appliance needs in place? One line per check.

Each check says what it found and, when something is wrong, what to do about it. Checks run in
order of dependence (config first: the others read it) and never raise: a broken part is a
failed check, not a crash.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from appliance.config import Config, load_config
from appliance.diskspace import free_bytes
from appliance.errors import ApplianceError

OK, WARN, FAIL = "ok", "warn", "FAIL"
MIN_FREE_MB = 500  # room to fetch a model
MIN_RUN_MB = 30  # dj.db and library.db growing, their journals, logs


@dataclass(frozen=True)
class Check:
    """The result of one check."""

    name: str
    status: str  # ok, warn, FAIL
    message: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.status:<4} {self.name}: {self.message}"
        return f"{text} (fix: {self.fix})" if self.fix else text


def check_config(path: str | None) -> tuple[Check, Config | None]:
    try:
        config = load_config(path)
    except ApplianceError as error:
        return Check(
            "config", FAIL, error.message.replace("\n", " "), "`appliance config check`"
        ), None
    where = str(config.source) if config.source else "no config file: every default"
    return Check("config", OK, f"{where}, valid"), config


def check_data_dir(config: Config) -> Iterator[Check]:
    try:
        folder = config.data_dir()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        where = config.station.data_dir or "the data directory"
        yield Check(
            "data directory",
            FAIL,
            f"{where} is not writable ({error.strerror})",
            "set station.data_dir to a writable folder, or fix its owner",
        )
        return
    yield Check("data directory", OK, f"{folder} is writable")
    yield from check_disk_space(folder)


def check_disk_space(folder: Path) -> Iterator[Check]:
    """Room on the data directory's disk (and the models folder's, when it is another disk):
    below what the databases and the demo library need it fails; below room for a model, warn."""
    from appliance.library.demo import NEEDED_MB
    from appliance.models.store import models_dir

    folders = [folder]
    models = models_dir(folder)
    with contextlib.suppress(OSError):
        if models.stat().st_dev != folder.stat().st_dev:
            folders.append(models)
    for where in folders:
        free = free_bytes(where)
        if free is None:  # cannot be measured: the writable check above speaks for it
            continue
        free_mb = free / 2**20
        needed = MIN_RUN_MB + NEEDED_MB
        if where == models:  # a disk of its own holds only models: full, it blocks fetching
            state = WARN if free_mb < MIN_FREE_MB else OK
            yield Check(
                "disk space",
                state,
                f"{free_mb:.0f} MB free in {where}"
                + (": models cannot be fetched there" if state == WARN else ""),
                f"free at least {MIN_FREE_MB} MB there to fetch models" if state == WARN else "",
            )
        elif free_mb < needed:
            yield Check(
                "disk space",
                FAIL,
                f"{free_mb:.0f} MB free in {where}: listeners' history, the music index and "
                "the demo library cannot be saved",
                f"free at least {needed} MB there, {MIN_FREE_MB} MB to fetch models",
            )
        elif free_mb < MIN_FREE_MB:
            yield Check(
                "disk space",
                WARN,
                f"{free_mb:.0f} MB free in {where}",
                f"free at least {MIN_FREE_MB} MB (models and databases live there)",
            )
        else:
            yield Check("disk space", OK, f"{free_mb:.0f} MB free in {where}")


def _match_device(devices: list[dict], wanted: str | int | None, key: str) -> dict | None:
    usable = [device for device in devices if device.get(key, 0) > 0]
    if wanted is None:
        return usable[0] if usable else None
    if isinstance(wanted, int):
        return next((d for d in usable if d.get("index") == wanted), None)
    return next((d for d in usable if wanted.casefold() in str(d.get("name", "")).casefold()), None)


def check_audio(config: Config) -> Iterator[Check]:
    try:
        import sounddevice

        devices = [dict(device) for device in sounddevice.query_devices()]
    except Exception as error:  # PortAudio missing or broken: a failed check, not a crash
        yield Check(
            "microphone", FAIL, f"PortAudio unusable: {error}", "apt-get install libportaudio2"
        )
        return
    wanted = config.audio.input_device
    found = _match_device(devices, wanted, "max_input_channels")
    if found is None:
        what = (
            f"no input device matches {wanted!r}" if wanted is not None else "no microphone found"
        )
        yield Check(
            "microphone",
            FAIL,
            what,
            "plug in a USB microphone, or set audio.input_device (devices: "
            + (", ".join(str(d["name"]) for d in devices) or "none")
            + ")",
        )
    else:
        yield Check("microphone", OK, f"{found['name']}")
    yield from check_mpv_output(config)


def check_mpv_output(config: Config, timeout: float = 5.0) -> Iterator[Check]:
    """Play silence through mpv and see which audio output it really opens."""
    try:
        import mpv

        options = {"video": False, "audio_device": config.audio.output_device or "auto"}
        player = mpv.MPV(**options)
    except Exception as error:  # libmpv missing or broken: a failed check, not a crash
        yield Check("speaker", FAIL, f"mpv cannot start: {error}", "apt-get install libmpv2")
        return
    try:
        ended = threading.Event()
        player.event_callback("end-file")(lambda event: ended.set())
        player.play("av://lavfi:anullsrc=d=3")
        opened = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not ended.is_set():
            opened = player.current_ao
            if opened:
                break
            time.sleep(0.02)
        devices = [str(d.get("name", "")) for d in player.audio_device_list or []]
    finally:
        player.terminate()
    wanted = config.audio.output_device
    if not opened or opened == "null":
        where = f"the output {wanted!r}" if wanted else "any audio output"
        yield Check(
            "speaker",
            FAIL,
            f"mpv could not open {where}",
            "connect a speaker or sound card, or set audio.output_device to one of: "
            + (", ".join(name for name in devices if name != "auto") or "none"),
        )
    else:
        yield Check("speaker", OK, f"mpv plays through {opened} ({wanted or 'default device'})")


def check_models(config: Config) -> Iterator[Check]:
    from appliance.boards import detect_profile
    from appliance.models.catalog import load_catalog
    from appliance.models.plan import select_models
    from appliance.models.store import find_installed, verify_installed

    try:
        catalog = load_catalog()
        profile = detect_profile().profile
        choices = select_models(config, profile, catalog=catalog)
    except ApplianceError as error:
        yield Check("models", FAIL, error.message, error.hint or "")
        return
    for kind, choice in choices.items():
        if kind == "stt" and choice.why:  # which recogniser tier is in use, and why
            yield Check("recogniser", WARN if choice.note else OK, choice.why)
        if choice.address:
            yield check_wyoming(kind, choice.address, choice.name)
        model = catalog.get(choice.name)
        if model is None:  # phrase or none: no model of its own
            yield Check(f"{kind} model", OK, f"{choice.name} ({choice.note})")
            continue
        installed = find_installed(model, config.data_dir())
        if installed is None:
            yield Check(
                f"{kind} model",
                FAIL,
                f"{model.name} is not installed",
                f"appliance models fetch {model.name}",
            )
            continue
        problems = verify_installed(installed)
        if problems:
            yield Check(
                f"{kind} model",
                FAIL,
                f"{model.name}: {problems[0]}",
                f"appliance models fetch {model.name} (reinstalls it)",
            )
        elif choice.note:
            yield Check(f"{kind} model", WARN, f"{model.name}: {choice.note}")
        else:
            yield Check(f"{kind} model", OK, f"{model.name} ({installed.source}, intact)")


def check_wyoming(kind: str, setting: str, local: str) -> Check:
    """Does the Wyoming server named for ``kind`` answer `describe`, offering that service?"""
    from appliance.wyoming_link import Link

    name = "speech server" if kind == "stt" else "voice server"
    link = Link(setting, kind, retry_every=float("inf"))
    if link.usable():
        return Check(name, OK, f"{link.address} answers: {link.offered}")
    return Check(
        name,
        WARN,
        f"{link.where} does not answer ({link.last_problem}): {local}, the local "
        f"{'recogniser' if kind == 'stt' else 'voice'}, answers instead",
        "start the server, or check [models] " + kind + " (`appliance config check`)",
    )


def check_snapcast(config: Config) -> Iterator[Check]:
    """With [snapcast] enabled: the server and its stream, the rooms, the sound server."""
    from appliance.rooms.check import findings

    for found in findings(config.snapcast):
        yield Check("snapcast", {"ok": OK, "warn": WARN}.get(found.status, FAIL), found.message,
                    found.fix)  # fmt: skip


def check_faces(config: Config) -> Iterator[Check]:
    """Each network face the config turns on: can its port be opened here?"""
    import errno
    import socket

    from appliance.faces.host import FACES, configured_faces
    from appliance.faces.lan import listen_host

    host = listen_host(config.faces.bind) or ""
    for name in configured_faces(config):
        section = FACES[name][0]
        port = getattr(getattr(config, section), "port", None)
        if port is None:  # a part that only connects out (the rooms)
            continue
        label = name.replace("_", " ")
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                problem = f"port {port} is in use: by the running appliance, or another program"
                fix = f"if the appliance is not running, set another [{section}] port"
                yield Check(label, WARN, problem, fix)
            else:
                problem = f"port {port} cannot be opened: {error.strerror}"
                yield Check(label, FAIL, problem, f"choose a port above 1023 in [{section}] port")
            continue
        finally:
            probe.close()
        yield Check(label, OK, f"port {port} is free ({config.faces.bind})")


def check_service(
    run: Callable[[list[str]], subprocess.CompletedProcess[str]] | None = None,
) -> Check:
    from appliance.service import UNIT_DIR, UNIT_NAME, systemd_running

    if not systemd_running():
        return Check("service", OK, "systemd is not running here: not checked")
    if not (UNIT_DIR / UNIT_NAME).exists():
        return Check(
            "service", WARN, "not installed as a service", "sudo appliance install-service"
        )
    runner = run or (
        lambda command: subprocess.run(
            command, capture_output=True, text=True, timeout=10, check=False
        )
    )
    active = runner(["systemctl", "is-active", UNIT_NAME]).stdout.strip()
    enabled = runner(["systemctl", "is-enabled", UNIT_NAME]).stdout.strip()
    if active != "active":
        return Check(
            "service",
            FAIL,
            f"{UNIT_NAME} is {active or 'unknown'}",
            f"journalctl -u {UNIT_NAME} -e",
        )
    if enabled != "enabled":
        return Check(
            "service", WARN, f"{UNIT_NAME} is active but {enabled}", f"systemctl enable {UNIT_NAME}"
        )
    return Check("service", OK, f"{UNIT_NAME} is active and enabled")


def run_checks(config_path: str | None = None, *, audio: bool = True) -> list[Check]:
    """Every check, in order; the config check first (the others read it)."""
    first, config = check_config(config_path)
    checks = [first]
    if config is None:
        config = Config()
    checks += [Check("config", WARN, str(warning)) for warning in config.warnings]
    groups: list[tuple[str, Callable[[], Iterator[Check]]]] = [
        ("data directory", lambda: check_data_dir(config)),
        ("audio", lambda: check_audio(config) if audio else iter(())),
        ("models", lambda: check_models(config)),
        ("faces", lambda: check_faces(config)),
        ("snapcast", lambda: check_snapcast(config)),
        ("service", lambda: iter([check_service()])),
    ]
    for name, group in groups:
        try:
            checks += list(group())
        except (ApplianceError, OSError) as error:
            message = getattr(error, "message", None) or str(error)
            checks.append(Check(name, FAIL, message, getattr(error, "hint", "") or ""))
    return checks
