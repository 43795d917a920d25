"""Board profiles: reading and checking hardware/*.toml, and recognising the board this runs on.

Each board is one TOML file in hardware/ (its RAM, CPU, audio hints, push-to-talk pin, memory
reserved for the OS and mpv, and how to recognise it). :func:`detect_profile` matches the running
system (device-tree model, /proc/cpuinfo, memory) against them; which models a board runs is
:mod:`appliance.models.plan`'s business.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from appliance.edge import EdgeDeviceConfig
from appliance.errors import HardwareError
from appliance.models.catalog import shipped
from appliance.toml_check import KIND_NAMES, Checker, NotToml, load, type_name


@dataclass(frozen=True)
class HardwareProfile:
    """One board: what it has, what to reserve, how to recognise it."""

    name: str
    title: str
    device_type: str
    ram_mb: float
    reserved_mb: float
    storage_gb: float
    arch: str
    cores: int
    cpu_class: str
    cpu_mhz: int
    speed_factor: float
    input_hints: tuple[str, ...] = ()
    output_hints: tuple[str, ...] = ()
    push_to_talk_gpio: int | None = None
    match_model: tuple[str, ...] = ()
    match_compatible: tuple[str, ...] = ()
    match_cpuinfo: tuple[str, ...] = ()
    match_arch: tuple[str, ...] = ()
    ram_min_mb: float | None = None
    ram_max_mb: float | None = None
    ram_from_system: bool = False
    source: Path | None = None

    @property
    def memory_budget_mb(self) -> float:
        """Memory the daemon may use: the board's RAM less what the OS and mpv need."""
        return self.ram_mb - self.reserved_mb

    def edge_config(self, device_id: str | None = None) -> EdgeDeviceConfig:
        """This board's limits as the edge API describes a device."""
        return EdgeDeviceConfig(
            device_id=device_id or platform.node() or self.name,
            device_type=self.device_type,
            max_memory_mb=self.memory_budget_mb,
            max_model_size_mb=self.storage_gb * 1024,
            storage_available_gb=self.storage_gb,
            cpu_speed_factor=self.speed_factor,
            cpu_cores=self.cores,
            profile=self.name,
        )


# --- reading profiles -----------------------------------------------------------------------------

_SCHEMA: dict[tuple[str, ...], tuple[type, bool]] = {
    ("name",): (str, True),
    ("title",): (str, True),
    ("device_type",): (str, True),
    ("ram_mb",): (float, True),
    ("reserved_mb",): (float, True),
    ("storage_gb",): (float, True),
    ("ram_from_system",): (bool, False),
    ("cpu", "arch"): (str, True),
    ("cpu", "cores"): (int, True),
    ("cpu", "class"): (str, True),
    ("cpu", "mhz"): (int, True),
    ("cpu", "speed_factor"): (float, True),
    ("cpu", "speed_source"): (str, False),
    ("audio", "inputs"): (list, False),
    ("audio", "outputs"): (list, False),
    ("gpio", "push_to_talk"): (int, False),
    ("detect", "model"): (list, False),
    ("detect", "compatible"): (list, False),
    ("detect", "cpuinfo"): (list, False),
    ("detect", "arch"): (list, False),
    ("detect", "ram_min_mb"): (float, False),
    ("detect", "ram_max_mb"): (float, False),
}


def parse_profile(text: str, source: Path) -> HardwareProfile:
    """Build a profile from TOML text; HardwareError lists every problem with its line."""
    valid = "the format of the other files in hardware/"
    try:
        data = load(text, str(source), valid)
    except NotToml as error:
        raise HardwareError(f"invalid board profile: {error.problem}") from error.__cause__
    check = Checker(text, str(source))
    values: dict[tuple[str, ...], Any] = {}
    tables = sorted({path[0] for path in _SCHEMA if len(path) > 1})

    def walk(table: dict[str, Any], prefix: tuple[str, ...]) -> None:
        for key, value in table.items():
            path = (*prefix, key)
            if not prefix and key in tables:
                if isinstance(value, dict):
                    walk(value, path)
                else:
                    check.report(path, f"wrong type: {type_name(value)}", f"a table, [{key}]")
            elif path not in _SCHEMA:
                names = [p[-1] for p in _SCHEMA if p[:-1] == prefix] + ([] if prefix else tables)
                check.unknown(path, names, "field")
            elif check.check_type(path, value, _SCHEMA[path][0]):
                values[path] = value

    walk(data, ())
    reported = {problem.key for problem in check.problems}
    for path, (kind, required) in _SCHEMA.items():
        if required and path not in values and ".".join(path) not in reported:
            check.report(path, "missing", KIND_NAMES[kind])
    if not check.problems and values[("name",)] != source.stem:
        check.report(("name",), "must match the file name", repr(source.stem))
    if not check.problems and values[("reserved_mb",)] >= values[("ram_mb",)]:
        check.report(("reserved_mb",), "must be below ram_mb", f"below {values[('ram_mb',)]:g}")
    problems = [str(problem) for problem in check.sorted()]
    if problems:
        raise HardwareError(
            "invalid board profile:\n  " + "\n  ".join(problems),
            hint="fix the profile file; see the other files in hardware/ for the format",
        )
    get = values.get
    return HardwareProfile(
        name=values[("name",)],
        title=values[("title",)],
        device_type=values[("device_type",)],
        ram_mb=float(values[("ram_mb",)]),
        reserved_mb=float(values[("reserved_mb",)]),
        storage_gb=float(values[("storage_gb",)]),
        arch=values[("cpu", "arch")],
        cores=values[("cpu", "cores")],
        cpu_class=values[("cpu", "class")],
        cpu_mhz=values[("cpu", "mhz")],
        speed_factor=float(values[("cpu", "speed_factor")]),
        input_hints=tuple(get(("audio", "inputs"), ())),
        output_hints=tuple(get(("audio", "outputs"), ())),
        push_to_talk_gpio=get(("gpio", "push_to_talk")),
        match_model=tuple(get(("detect", "model"), ())),
        match_compatible=tuple(get(("detect", "compatible"), ())),
        match_cpuinfo=tuple(get(("detect", "cpuinfo"), ())),
        match_arch=tuple(get(("detect", "arch"), ())),
        ram_min_mb=get(("detect", "ram_min_mb")),
        ram_max_mb=get(("detect", "ram_max_mb")),
        ram_from_system=bool(get(("ram_from_system",), False)),
        source=source,
    )


def profiles_dir() -> Path:
    """Where the board profiles are: the checkout's hardware/, else the installed copy."""
    return shipped("hardware")


@cache
def _load_profiles(folder: Path) -> dict[str, HardwareProfile]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise HardwareError(
            f"{folder}: no board profiles found", hint="reinstall the appliance (hardware/*.toml)"
        )
    found = {}
    for path in files:
        found[path.stem] = parse_profile(path.read_text(encoding="utf-8"), path)
    if "generic" not in found:
        raise HardwareError(f"{folder}: the generic profile (generic.toml) is missing")
    return found


def load_profiles(folder: Path | None = None) -> dict[str, HardwareProfile]:
    """Every board profile, by name."""
    return _load_profiles(folder or profiles_dir())


def get_profile(name: str, folder: Path | None = None) -> HardwareProfile:
    """The profile called ``name``; HardwareError names the ones that exist."""
    profiles = load_profiles(folder)
    if name not in profiles:
        raise HardwareError(
            f"no board profile called {name!r}",
            hint="`appliance hardware list` shows them: " + ", ".join(profiles),
        )
    return profiles[name]


# --- recognising the board ------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemFacts:
    """What the running system says about itself."""

    model: str = ""
    compatible: tuple[str, ...] = ()
    cpuinfo: str = ""
    arch: str = ""
    mem_mb: float = 0.0
    cores: int = 0


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def read_system_facts(root: Path = Path("/")) -> SystemFacts:
    """Read the device-tree model, /proc/cpuinfo and /proc/meminfo (under ``root``)."""
    model = ""
    for candidate in ("proc/device-tree/model", "sys/firmware/devicetree/base/model"):
        model = _read(root / candidate).strip("\0 \n")
        if model:
            break
    compatible = ""
    for candidate in ("proc/device-tree/compatible", "sys/firmware/devicetree/base/compatible"):
        compatible = _read(root / candidate)
        if compatible:
            break
    cpuinfo = _read(root / "proc/cpuinfo")
    mem_mb = 0.0
    for line in _read(root / "proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            mem_mb = int(line.split()[1]) / 1024
    cores = sum(1 for line in cpuinfo.splitlines() if line.startswith("processor"))
    if root == Path("/"):
        cores = cores or os.cpu_count() or 0
        arch = platform.machine()
    else:
        arch = _read(root / "arch").strip()
    return SystemFacts(
        model=model,
        compatible=tuple(item for item in compatible.split("\0") if item),
        cpuinfo=cpuinfo,
        arch=arch,
        mem_mb=round(mem_mb, 1),
        cores=cores,
    )


@dataclass(frozen=True)
class Detection:
    """The profile that matched, why, and the facts it was matched on."""

    profile: HardwareProfile
    reason: str
    facts: SystemFacts


def _score(profile: HardwareProfile, facts: SystemFacts) -> tuple[int, str]:
    """How well a profile matches (0: not at all) and why."""
    model = facts.model.casefold()
    if any(text.casefold() in model for text in profile.match_model):
        score, why = 100, f"device-tree model {facts.model!r}"
    elif set(profile.match_compatible) & set(facts.compatible):
        score, why = (
            80,
            "device-tree compatible "
            + ", ".join(sorted(set(profile.match_compatible) & set(facts.compatible))),
        )
    elif any(text in facts.cpuinfo for text in profile.match_cpuinfo):
        score, why = 60, "/proc/cpuinfo"
    elif facts.arch in profile.match_arch and not (
        profile.match_model or profile.match_compatible or profile.match_cpuinfo
    ):
        score, why = 10, f"architecture {facts.arch}"
    else:
        return 0, ""
    if profile.ram_min_mb is not None and profile.ram_max_mb is not None and facts.mem_mb:
        if profile.ram_min_mb <= facts.mem_mb <= profile.ram_max_mb:
            score += 5
            why += f" and {facts.mem_mb:.0f} MB of memory"
        else:
            distance = min(
                abs(facts.mem_mb - profile.ram_min_mb), abs(facts.mem_mb - profile.ram_max_mb)
            )
            score -= 1 + int(distance // 1024)
    return max(score, 1), why


def detect_profile(
    facts: SystemFacts | None = None, profiles: dict[str, HardwareProfile] | None = None
) -> Detection:
    """Recognise the board; unknown boards get the generic profile with the detected memory."""
    facts = facts or read_system_facts()
    profiles = profiles or load_profiles()
    best, why, best_score = profiles["generic"], "nothing more specific matched", 0
    for profile in profiles.values():
        score, reason = _score(profile, facts)
        if score > best_score:
            best, why, best_score = profile, reason, score
    if best.ram_from_system and facts.mem_mb:
        best = replace(best, ram_mb=round(facts.mem_mb), cores=facts.cores or best.cores)
    return Detection(best, why, facts)
