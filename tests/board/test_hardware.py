"""Board profiles, recognising boards from /proc and the device tree, and the model plan."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from appliance.boards import (
    detect_profile,
    get_profile,
    load_profiles,
    parse_profile,
    read_system_facts,
)
from appliance.cli import main
from appliance.config import Config, parse_config
from appliance.errors import HardwareError
from appliance.models.catalog import load_catalog
from appliance.models.plan import plan_models, select_models
from appliance.models.store import models_dir, write_manifest

PROFILES = sorted(load_profiles())
REQUIRED = {
    "rpi-zero-2w", "rpi-3b-plus", "rpi-4-1gb", "rpi-4-2gb", "rpi-4-4gb", "rpi-4-8gb",
    "rpi-5-4gb", "rpi-5-8gb", "orange-pi-5", "rock-5b", "x86-64-mini-pc", "generic",
}  # fmt: skip


def test_every_board_has_a_profile() -> None:
    profiles = load_profiles()
    assert set(profiles) == REQUIRED
    for profile in profiles.values():
        assert 0 < profile.reserved_mb < profile.ram_mb and profile.speed_factor > 0
        assert profile.cores > 0 and profile.storage_gb > 0
        assert profile.source is not None and profile.source.stem == profile.name
    assert profiles["rpi-4-4gb"].speed_factor == 1.0  # the catalog's reference board
    assert profiles["rpi-zero-2w"].push_to_talk_gpio == 17
    assert "USB PnP Sound Device" in profiles["rpi-5-8gb"].input_hints
    edge = profiles["rpi-4-2gb"].edge_config("kitchen")
    assert edge.device_type == "embedded" and edge.max_memory_mb == 2048 - 300
    assert edge.profile == "rpi-4-2gb" and edge.device_id == "kitchen"


def fake_root(
    tmp_path: Path, *, model: str = "", compatible: str = "", cpuinfo: str = "",
    mem_kb: int, arch: str = "aarch64", cores: int = 4,
) -> Path:  # fmt: skip
    root = tmp_path / "root"
    (root / "proc").mkdir(parents=True)
    if model or compatible:
        (root / "proc" / "device-tree").mkdir()
        (root / "proc" / "device-tree" / "model").write_bytes(model.encode() + b"\0")
        (root / "proc" / "device-tree" / "compatible").write_bytes(
            b"".join(item.encode() + b"\0" for item in compatible.split())
        )
    processors = "".join(f"processor\t: {i}\nBogoMIPS\t: 108.00\n\n" for i in range(cores))
    (root / "proc" / "cpuinfo").write_text(processors + cpuinfo)
    (root / "proc" / "meminfo").write_text(f"MemTotal:       {mem_kb} kB\nMemFree: 1 kB\n")
    (root / "arch").write_text(arch)
    return root


BOARDS = [
    # (expected profile, device-tree model, compatible, cpuinfo, MemTotal kB, arch)
    ("rpi-zero-2w", "Raspberry Pi Zero 2 W Rev 1.0", "raspberrypi,model-zero-2-w brcm,bcm2837",
     "", 437_000, "aarch64"),
    ("rpi-3b-plus", "Raspberry Pi 3 Model B Plus Rev 1.3", "", "", 929_000, "armv7l"),
    ("rpi-4-1gb", "Raspberry Pi 4 Model B Rev 1.1", "", "", 929_000, "aarch64"),
    ("rpi-4-2gb", "Raspberry Pi 4 Model B Rev 1.2", "", "", 1_893_000, "aarch64"),
    ("rpi-4-4gb", "Raspberry Pi 4 Model B Rev 1.4", "", "", 3_885_000, "aarch64"),
    ("rpi-4-8gb", "Raspberry Pi 4 Model B Rev 1.4", "", "", 7_997_000, "aarch64"),
    ("rpi-4-4gb", "", "", "Hardware\t: BCM2711\nModel\t: Raspberry Pi 4\n", 3_885_000, "armv7l"),
    ("rpi-5-4gb", "Raspberry Pi 5 Model B Rev 1.0", "", "", 4_142_000, "aarch64"),
    ("rpi-5-8gb", "Raspberry Pi 5 Model B Rev 1.0", "", "", 8_245_000, "aarch64"),
    ("orange-pi-5", "Orange Pi 5", "rockchip,rk3588s-orangepi-5 rockchip,rk3588s", "",
     16_157_000, "aarch64"),
    ("rock-5b", "Radxa ROCK 5B", "radxa,rock-5b rockchip,rk3588", "", 7_928_000, "aarch64"),
    ("rock-5b", "Radxa ROCK 5 Model B", "", "", 32_000_000, "aarch64"),
    ("x86-64-mini-pc", "", "", "model name\t: Intel(R) N100\n", 16_109_000, "x86_64"),
    ("generic", "Pine64 RockPro64 v2.1", "pine64,rockpro64 rockchip,rk3399", "", 3_900_000,
     "aarch64"),
]  # fmt: skip


@pytest.mark.parametrize(("expected", "model", "compatible", "cpuinfo", "mem_kb", "arch"), BOARDS)
def test_boards_are_recognised(
    tmp_path: Path, expected: str, model: str, compatible: str, cpuinfo: str, mem_kb: int, arch: str
) -> None:
    root = fake_root(
        tmp_path, model=model, compatible=compatible, cpuinfo=cpuinfo, mem_kb=mem_kb, arch=arch
    )
    facts = read_system_facts(root)
    assert facts.model == model and facts.cores == 4 and facts.arch == arch
    found = detect_profile(facts)
    assert found.profile.name == expected, found.reason
    if found.profile.ram_from_system:
        assert found.profile.ram_mb == round(mem_kb / 1024)
    else:
        assert found.profile.ram_mb == load_profiles()[expected].ram_mb


def test_this_machine_is_an_x86_mini_pc_or_generic(capsys: pytest.CaptureFixture[str]) -> None:
    found = detect_profile()
    assert found.profile.name in ("x86-64-mini-pc", "generic")
    assert found.facts.mem_mb > 0 and found.profile.ram_mb == round(found.facts.mem_mb)
    assert main(["hardware", "detect", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"] == found.profile.name
    assert main(["hardware", "list"]) == 0
    assert "rpi-zero-2w" in capsys.readouterr().out


ZERO_UNMET = pytest.mark.xfail(
    strict=True,
    reason="the daemon needs 363 MB of the Pi Zero 2 W's 300 MB budget (212 MB reserved, with "
    "the default 64 MB GPU split): its pocketsphinx decoding with the DJ's language model holds "
    "91 MB, measured, where the catalog counted 31 MB for a commands grammar it does not run",
)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=ZERO_UNMET) if n == "rpi-zero-2w" else n for n in PROFILES]
)
def test_every_plan_fits_its_budget(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hardware", "plan", "--profile", name, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["profile"] == name and plan["fits"] is True
    assert {model["kind"] for model in plan["models"]} == {"stt", "tts", "wake", "vad"}
    for model in plan["models"]:
        assert {"name", "kind", "ram_mb", "disk_mb"} <= set(model)
    models = sum(model["ram_mb"] for model in plan["models"])
    total = plan["daemon_baseline_mb"] + plan["understanding_mb"] + models
    assert plan["total_ram_mb"] == pytest.approx(total)
    assert plan["total_ram_mb"] <= plan["memory_budget_mb"]
    assert plan["headroom_mb"] == pytest.approx(plan["memory_budget_mb"] - plan["total_ram_mb"])
    reference = load_catalog().reference
    assert plan["daemon_baseline_mb"] == reference.daemon_baseline_mb > 50
    assert plan["understanding_mb"] == reference.understanding_mb > 20


@ZERO_UNMET
def test_the_pi_zero_2_w_daemon_stays_under_300_mb() -> None:
    plan = plan_models(get_profile("rpi-zero-2w"))
    assert plan.total_ram_mb < 300
    chosen = plan.by_kind()
    assert chosen["stt"].name == "pocketsphinx-en-us"
    assert chosen["tts"].engine == "piper"
    assert any("rises to" in note for note in plan.notes)  # the synthesis peak is reported


def test_faster_boards_get_better_models() -> None:
    zero = plan_models(get_profile("rpi-zero-2w")).by_kind()
    pi4 = plan_models(get_profile("rpi-4-4gb")).by_kind()
    pi5 = plan_models(get_profile("rpi-5-8gb")).by_kind()
    catalog = load_catalog()
    tier = {name: catalog.require(name).tier for name in catalog.models}
    assert tier[zero["stt"].name] <= tier[pi4["stt"].name] < tier[pi5["stt"].name]
    assert tier[zero["tts"].name] < tier[pi4["tts"].name] < tier[pi5["tts"].name]
    for plan in (zero, pi4, pi5):
        assert plan["stt"].rtf <= 0.8


def test_a_configured_model_that_cannot_fit_gets_concrete_advice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = parse_config('[models]\ntts = "en_US-lessac-high"\n')
    # a 512 MB board with 400 MB for the daemon: the high voice does not fit, the low one would
    board = replace(get_profile("rpi-zero-2w"), reserved_mb=112)
    plan = plan_models(board, config)
    assert not plan.fits and plan.by_kind()["tts"].name == "en_US-lessac-high"
    steps = plan.optimizations["tts"]
    assert steps[0]["optimization"] == "lower_voice_quality"
    assert steps[0]["model"] == "en_US-lessac-low"
    path = tmp_path / "c.toml"
    path.write_text('[models]\ntts = "en_US-lessac-high"\n')
    assert main(["hardware", "plan", "--profile", "rpi-zero-2w", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "nothing fits the 300 MB budget" in out and "optimize tts: an INT8-quantised" in out


def test_the_daemon_baseline_counts() -> None:
    roomy = plan_models(get_profile("rpi-4-1gb"))
    squeezed = plan_models(get_profile("rpi-4-1gb"), baseline_mb=400)
    assert squeezed.fits and squeezed.total_ram_mb <= squeezed.memory_budget_mb
    assert squeezed.total_ram_mb - 400 < roomy.total_ram_mb - roomy.daemon_baseline_mb
    assert squeezed.by_kind()["stt"].name != roomy.by_kind()["stt"].name
    hopeless = plan_models(get_profile("rpi-4-1gb"), baseline_mb=700)
    assert not hopeless.fits and "nothing fits" in hopeless.notes[0]


def test_wake_phrase_and_push_to_talk_need_no_wake_model(data_dir: Path) -> None:
    phrase = parse_config('[voice]\nwake_word = "phrase"\nwake_phrase = "hey radio"\n')
    choices = select_models(phrase, get_profile("rpi-4-4gb"), data_dir=data_dir)
    assert choices["wake"].name == "phrase" and choices["wake"].engine == choices["stt"].engine
    assert "hey radio" in choices["wake"].note
    silent = parse_config('[voice]\nwake_word = "none"\npush_to_talk = true\n')
    choices = select_models(silent, get_profile("rpi-4-4gb"), data_dir=data_dir)
    assert choices["wake"].name == "none" and choices["wake"].engine == "none"
    okay = parse_config('[voice]\nwake_word = "okay_nabu"\n')
    assert select_models(okay, get_profile("rpi-4-4gb"), data_dir=data_dir)["wake"].name == (
        "okay_nabu"
    )


def test_select_models_falls_back_to_what_is_installed(data_dir: Path) -> None:
    choices = select_models(Config(), get_profile("rpi-4-4gb"), data_dir=data_dir)
    assert set(choices) == {"stt", "tts", "wake", "vad"}
    stt = choices["stt"]
    # the wheel's Whisper is installed too, but a Pi 4 would take 1.3 s per command with it
    assert stt.name == "pocketsphinx-en-us" and stt.engine == "pocketsphinx" and stt.path is None
    assert "`appliance models fetch vosk-model-small-en-us-0.15`" in stt.note
    assert stt.location is not None and stt.location.is_dir()
    tts = choices["tts"]
    assert tts.name == "en_US-joe-medium" and tts.note == "" and tts.path is None
    assert choices["wake"].engine == "microwakeword" and choices["vad"].engine == "microvad"


def test_select_models_uses_a_downloaded_model(data_dir: Path) -> None:
    catalog = load_catalog()
    model = catalog.require("vosk-model-small-en-us-0.15")
    folder = models_dir(data_dir) / model.name
    (folder / "conf").mkdir(parents=True)
    (folder / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    write_manifest(folder, model, True, ["test"])
    choices = select_models(Config(), get_profile("rpi-4-4gb"), data_dir=data_dir)
    assert choices["stt"].name == model.name and choices["stt"].path == folder
    assert choices["stt"].note == ""


def test_a_broken_profile_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "myboard.toml"
    text = 'name = "myboard"\ntitle = "X"\ndevice_type = "embedded"\nram_mb = "lots"\n'
    with pytest.raises(HardwareError) as caught:
        parse_profile(text + "reserved_mb = 10\nstorage_gb = 1\n[cpu]\ncolour = 1\n", path)
    message = str(caught.value)
    assert f"{path}:4: ram_mb: wrong type" in message
    assert f"{path}:8: cpu.colour: unknown field" in message
    assert "cpu.cores: missing" in message
    with pytest.raises(HardwareError, match="no board profile called 'pi6'"):
        get_profile("pi6")


def test_the_plan_picks_the_recogniser_tier_that_fits_and_says_why(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    here = plan_models(get_profile("x86-64-mini-pc"), data_dir=data_dir).by_kind()["stt"]
    assert (here.name, here.engine, here.installed) == ("whisper-tiny-en", "whisper", True)
    assert 0 < here.latency_s <= 1.0 and "the best tier" in here.note
    zero = plan_models(get_profile("rpi-zero-2w"), data_dir=data_dir).by_kind()["stt"]
    assert zero.engine == "pocketsphinx"
    assert "whisper-tiny-en (3.2 s per command here (limit 1 s))" in zero.note
    pi4 = plan_models(get_profile("rpi-4-4gb"), data_dir=data_dir).by_kind()["stt"]
    assert pi4.engine == "vosk" and "whisper-tiny-en (1.3 s per command" in pi4.note
    pi5 = plan_models(get_profile("rpi-5-8gb"), data_dir=data_dir).by_kind()["stt"]
    assert pi5.engine == "whisper"
    choice = select_models(Config(), get_profile("x86-64-mini-pc"), data_dir=data_dir)["stt"]
    assert choice.engine == "whisper" and choice.note == "" and choice.why == here.note
    assert choice.location is not None and (choice.location / "model.bin").is_file()
    assert main(["hardware", "plan", "--profile", "rpi-3b-plus"]) == 0
    out = capsys.readouterr().out
    assert "note: speech recognition: pocketsphinx-en-us (pocketsphinx), streams" in out


def test_a_recogniser_named_in_the_config_is_said_to_be_the_configs(data_dir: Path) -> None:
    config = parse_config('[models]\nstt = "pocketsphinx-en-us"\n')
    plan = plan_models(get_profile("x86-64-mini-pc"), config, data_dir=data_dir)
    assert plan.by_kind()["stt"].note == (
        "speech recognition: pocketsphinx-en-us (pocketsphinx), as the config's models.stt asks"
    )


def test_a_recogniser_passed_over_for_disk_is_said_to_need_disk(data_dir: Path) -> None:
    """Not memory: the mini PC has plenty; its card here holds 60 MB."""
    small_card = replace(get_profile("x86-64-mini-pc"), storage_gb=60 / 1024)
    stt = plan_models(small_card, data_dir=data_dir).by_kind()["stt"]
    assert stt.engine == "pocketsphinx"
    assert "whisper-tiny-en (needs 75 MB of disk, the board has 60 MB)" in stt.note
    assert "whisper-tiny-en (needs 130 MB" not in stt.note
