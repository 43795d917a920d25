"""The edge API: a device's limits (EdgeDeviceConfig) and advice that fits within them.

EdgeOptimizer answers the questions the product guide asks of a device: does this model fit, and
if not, which concrete steps would make it fit (a smaller model from the catalog, a lower voice
quality, a leaner runtime mode, a quantised export, loading it only while in use); which bitrate
and buffer suit a stream; and a small least-recently-used cache. Board profiles
(:mod:`appliance.boards`) build an EdgeDeviceConfig; the model planner
(:mod:`appliance.models.plan`) asks EdgeOptimizer whether each model fits.

Everything here runs offline: nothing in this module opens a network connection.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from appliance.models.catalog import Catalog, CatalogModel, load_catalog

log = logging.getLogger(__name__)

DEVICE_TYPES = ("embedded", "smart_speaker", "smartphone", "mini_pc", "desktop")
CACHE_SHARE = 0.8  # the cache may use this share of the available storage
BANDWIDTH_SHARE = 0.7  # a stream may use this share of the configured bandwidth
QUANTIZED_SHARE = 0.25  # INT8 weights take a quarter of the FP32 size
REALTIME_LIMIT = {"stt": 0.8, "tts": 0.7, "wake": 0.25, "vad": 0.25}
"""The slowest real-time factor each kind of model may have on a device to keep up."""


@dataclass
class EdgeDeviceConfig:
    """What one device can give the appliance.

    ``enable_6g`` is accepted and reported, as the product guide's examples pass it; it changes
    nothing on the boards the appliance runs on, which play local files and have no 6G modem.
    ``network_bandwidth_mbps`` is the bandwidth to where the music is read from (a local disk, or
    a share on the local network); the appliance itself never streams from the internet.
    Fields may be changed after the optimizer is made; it reads them live.
    """

    device_id: str
    device_type: str
    max_memory_mb: float = 512.0
    max_model_size_mb: float = 100.0
    enable_6g: bool = False
    network_bandwidth_mbps: float = 100.0
    storage_available_gb: float = 1.0
    cpu_speed_factor: float = 1.0
    cpu_cores: int = 4
    profile: str = ""

    def __post_init__(self) -> None:
        problems = []
        if not self.device_id:
            problems.append("device_id must not be empty")
        if self.device_type not in DEVICE_TYPES:
            problems.append(f"device_type {self.device_type!r} is not one of {DEVICE_TYPES}")
        for name in (
            "max_memory_mb",
            "max_model_size_mb",
            "network_bandwidth_mbps",
            "storage_available_gb",
            "cpu_speed_factor",
        ):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be above 0, not {getattr(self, name)!r}")
        if problems:
            raise ValueError("; ".join(problems))


class EdgeOptimizer:
    """Advice for one device: model fit, streaming parameters, and a small LRU cache.

    The cache lives in this process's memory: it holds the objects it is given and counts the
    sizes the caller declares, up to 80% of ``storage_available_gb``; it writes nothing to disk.
    """

    def __init__(self, config: EdgeDeviceConfig, catalog: Catalog | None = None) -> None:
        self.config = config
        self.compression_enabled = True
        self._catalog = catalog
        self._cache: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        log.debug(
            "edge optimizer for %s %s (6G flag: %s, no effect on this hardware)",
            config.device_type,
            config.device_id,
            config.enable_6g,
        )

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    # --- models -----------------------------------------------------------------------------------

    def fits(self, size_mb: float, ram_mb: float | None = None) -> bool:
        """True when a model of this size on disk (and resident memory) fits the device."""
        return size_mb <= self.config.max_model_size_mb and (
            ram_mb is None or ram_mb <= self.config.max_memory_mb
        )

    def optimize_model(
        self,
        size_mb: float,
        kind: str | None = None,
        ram_mb: float | None = None,
        model: str | None = None,
    ) -> dict[str, Any]:
        """Whether a model fits and, when it does not, the concrete steps that would make it fit.

        ``size_mb`` is the model's size; ``kind`` (stt, tts, wake, vad), ``ram_mb`` and
        ``model`` (a catalog name, whose figures are then used) make the advice specific.
        ``optimizations`` lists the step names in the order to try them (empty when the model
        already fits); ``steps`` says for each what to do and what it would cost.
        """
        entry = self.catalog.get(model) if model else None
        if entry is not None:
            kind = kind or entry.kind
            ram_mb = entry.ram_mb if ram_mb is None else ram_mb
        limit = self.config.max_model_size_mb
        fits = self.fits(size_mb, ram_mb)
        steps = [] if fits else self._steps(size_mb, kind, ram_mb, entry)
        result = {
            "original_size_mb": float(size_mb),
            "target_size_mb": float(min(size_mb, limit)),
            "optimizations": [step["optimization"] for step in steps],
            "steps": steps,
            "fits": fits,
            "model": model,
            "kind": kind,
            "ram_mb": ram_mb,
            "memory_limit_mb": float(self.config.max_memory_mb),
            "max_model_size_mb": float(limit),
            "estimated_size_mb": float(steps[0]["size_mb"]) if steps else float(size_mb),
            "enable_6g": self.config.enable_6g,
        }
        log.debug("optimize_model(%s MB): %s", size_mb, result["optimizations"])
        return result

    def _steps(
        self, size_mb: float, kind: str | None, ram_mb: float | None, entry: CatalogModel | None
    ) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = []
        if kind is not None:
            best = self._smaller(kind, size_mb, ram_mb, entry)
            if best is not None:
                name = "lower_voice_quality" if kind == "tts" else "smaller_model"
                what = f"{best.quality} quality voice" if best.quality else "smaller model"
                ram = self._ram_that_fits(best)
                lean = " in its lean mode" if ram != best.ram_mb else ""
                steps.append(
                    {
                        "optimization": name,
                        "detail": f"use the {what} {best.name}{lean} "
                        f"({best.disk_mb:g} MB on disk, {ram:g} MB in memory)",
                        "model": best.name,
                        "size_mb": best.disk_mb,
                        "ram_mb": ram,
                    }
                )
        if (
            entry is not None
            and entry.ram_lean_mb is not None
            and entry.ram_lean_mb < (ram_mb or entry.ram_mb)
        ):
            lean = {
                "pocketsphinx": "a commands grammar without the open-vocabulary language model",
            }.get(entry.engine, "the engine's lean mode")
            steps.append(
                {
                    "optimization": "lean_runtime",
                    "detail": f"run {entry.name} with {lean} ({entry.ram_lean_mb:g} MB)",
                    "model": entry.name,
                    "size_mb": entry.disk_mb,
                    "ram_mb": entry.ram_lean_mb,
                }
            )
        if entry is None or entry.engine == "piper":
            steps.append(
                {
                    "optimization": "quantization",
                    "detail": "an INT8-quantised export of the model, about a quarter of the "
                    "size; none is published for the catalog's models, so it means converting "
                    "the model yourself",
                    "model": None,
                    "size_mb": round(size_mb * QUANTIZED_SHARE, 1),
                    "ram_mb": None if ram_mb is None else round(ram_mb * QUANTIZED_SHARE, 1),
                }
            )
        if entry is None and ram_mb is not None and ram_mb > self.config.max_memory_mb:
            steps.append(
                {
                    "optimization": "memory_mapping",
                    "detail": "load the model memory-mapped, so the kernel can drop its pages "
                    "under pressure (the engine must support it; pocketsphinx does by default)",
                    "model": None,
                    "size_mb": size_mb,
                    "ram_mb": ram_mb,
                }
            )
        steps.append(
            {
                "optimization": "offload",
                "detail": "keep it on disk and load it only while it is needed, unloading it "
                "after (nothing leaves the device)",
                "model": entry.name if entry else None,
                "size_mb": size_mb,
                "ram_mb": 0.0,
            }
        )
        return steps

    def _ram_that_fits(self, model: CatalogModel) -> float:
        """The model's memory in the first runtime mode that fits (default, else lean)."""
        if model.ram_mb > self.config.max_memory_mb and model.ram_lean_mb is not None:
            return model.ram_lean_mb
        return model.ram_mb

    def _smaller(
        self, kind: str, size_mb: float, ram_mb: float | None, entry: CatalogModel | None
    ) -> CatalogModel | None:
        """The best catalog model of ``kind`` below ``entry`` that fits; else the fastest."""
        fitting = [
            candidate
            for candidate in self.catalog.of_kind(kind)
            if (candidate.language.startswith("en") or candidate.language == "any")
            and (entry is None or candidate.tier < entry.tier)
            and self.fits(candidate.disk_mb, self._ram_that_fits(candidate))
            and (
                candidate.disk_mb < size_mb
                or self._ram_that_fits(candidate) < (ram_mb or float("inf"))
            )
        ]
        if not fitting:
            return None
        speed = self.config.cpu_speed_factor
        quick = [c for c in fitting if c.rtf / speed <= REALTIME_LIMIT.get(kind, 1.0)]
        if quick:
            return quick[0]  # of_kind lists the best tier first
        return min(fitting, key=lambda candidate: candidate.rtf)

    # --- streaming --------------------------------------------------------------------------------

    def optimize_streaming(self, bitrate_kbps: float = 320) -> dict[str, Any]:
        """Bitrate and buffer for reading a stream at ``bitrate_kbps`` over the configured link.

        At most 70% of ``network_bandwidth_mbps`` is used; a link with less than twice the
        requested rate gets a longer buffer and adaptive quality. Local files never need this;
        it matters when the music folder is a share on the local network.
        """
        usable_kbps = self.config.network_bandwidth_mbps * 1000 * BANDWIDTH_SHARE
        recommended = min(float(bitrate_kbps), usable_kbps)
        adaptive = usable_kbps < 2 * bitrate_kbps
        return {
            "recommended_bitrate_kbps": recommended,
            "buffer_ms": 1000 if adaptive else 200,
            "enable_compression": self.compression_enabled,
            "adaptive_quality": adaptive,
            "max_bitrate_kbps": usable_kbps,
            "enable_6g": self.config.enable_6g,
        }

    # --- cache ------------------------------------------------------------------------------------

    @property
    def cache_limit_mb(self) -> float:
        """The most the cache may hold: 80% of the available storage."""
        return self.config.storage_available_gb * 1024 * CACHE_SHARE

    @property
    def cache_size_mb(self) -> float:
        return sum(size for _, size in self._cache.values())

    def can_cache_locally(
        self, size_mb: float | None = None, *, model_size_mb: float | None = None
    ) -> bool:
        """True when an item of this size can be cached (older items are evicted to make room)."""
        size = size_mb if size_mb is not None else model_size_mb
        if size is None:
            raise TypeError("can_cache_locally() needs size_mb (or model_size_mb)")
        return 0 <= size <= self.cache_limit_mb

    def add_to_cache(self, key: str, data: Any, size_mb: float) -> bool:
        """Cache ``data`` under ``key``, evicting the least recently used items to make room."""
        if not self.can_cache_locally(size_mb):
            log.debug("not caching %s: %.1f MB exceeds the cache", key, size_mb)
            return False
        self._cache.pop(key, None)
        while self._cache and self.cache_size_mb + size_mb > self.cache_limit_mb:
            evicted, _ = self._cache.popitem(last=False)
            log.debug("evicted %s from the cache", evicted)
        self._cache[key] = (data, float(size_mb))
        log.debug("cached %s (%.1f MB); cache %.1f MB", key, size_mb, self.cache_size_mb)
        return True

    def get_from_cache(self, key: str) -> Any | None:
        """The cached data for ``key`` (now the most recently used), or None."""
        if key not in self._cache:
            return None
        self._cache.move_to_end(key)
        return self._cache[key][0]

    def clear_cache(self) -> None:
        self._cache.clear()

    # --- status -----------------------------------------------------------------------------------

    def get_device_status(self) -> dict[str, Any]:
        """The device's limits and the cache's use, as the product guide reads them."""
        config = self.config
        return {
            "device_id": config.device_id,
            "device_type": config.device_type,
            "profile": config.profile,
            "memory_limit_mb": config.max_memory_mb,
            "max_model_size_mb": config.max_model_size_mb,
            "storage_available_gb": config.storage_available_gb,
            "network_bandwidth_mbps": config.network_bandwidth_mbps,
            "cache_size_mb": self.cache_size_mb,
            "cache_items": len(self._cache),
            "cache_limit_mb": self.cache_limit_mb,
            "6g_enabled": config.enable_6g,
            "offline": True,
        }
