"""The product guide's edge examples (docs/guides/edge-deployment.md, docs/api/edge.md), run
against appliance.edge, plus what the advice is based on: the catalog and live device limits."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from appliance.edge import EdgeDeviceConfig, EdgeOptimizer
from appliance.models.catalog import Catalog, load_catalog
from tests.support.music import make_track


@pytest.fixture(scope="module")
def track_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real MP3, standing in for the guide's load_track("track_123.mp3")."""
    path = make_track(tmp_path_factory.mktemp("tracks") / "track_123.mp3", 2.0, bpm=120)
    return path.read_bytes()


def test_guide_device_types() -> None:
    phone = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="user_smartphone_001",
            device_type="smartphone",
            max_memory_mb=2048,
            max_model_size_mb=150,
            enable_6g=True,
            network_bandwidth_mbps=200,
            storage_available_gb=8.0,
        )
    )
    speaker = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="home_speaker_001",
            device_type="smart_speaker",
            max_memory_mb=512,
            max_model_size_mb=80,
            enable_6g=False,
            network_bandwidth_mbps=100,
            storage_available_gb=2.0,
        )
    )
    embedded = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="embedded_rpi_001",
            device_type="embedded",
            max_memory_mb=256,
            max_model_size_mb=50,
            enable_6g=False,
            network_bandwidth_mbps=50,
            storage_available_gb=1.0,
        )
    )
    assert phone.get_device_status()["memory_limit_mb"] == 2048
    assert speaker.get_device_status()["6g_enabled"] is False
    assert embedded.get_device_status()["cache_limit_mb"] == pytest.approx(1024 * 0.8)
    with pytest.raises(ValueError, match="device_type 'toaster'"):
        EdgeDeviceConfig(device_id="x", device_type="toaster")
    with pytest.raises(ValueError, match="max_memory_mb must be above 0"):
        EdgeDeviceConfig(device_id="x", device_type="embedded", max_memory_mb=0)


def test_guide_quantization_example() -> None:
    config = EdgeDeviceConfig(device_id="edge_001", device_type="embedded", max_model_size_mb=50)
    optimizer = EdgeOptimizer(config)
    recommendations = optimizer.optimize_model(200.0)
    assert recommendations["original_size_mb"] == 200.0
    assert recommendations["target_size_mb"] == 50.0
    assert "quantization" in recommendations["optimizations"]
    quantized = recommendations["steps"][recommendations["optimizations"].index("quantization")]
    assert quantized["size_mb"] == 50.0  # INT8: a quarter of the size
    # the guide's pruning snippet reads the same list
    if recommendations["optimizations"] and "pruning" in recommendations["optimizations"]:
        pytest.fail("pruning needs retraining; the appliance never recommends it")
    assert optimizer.optimize_model(40.0)["optimizations"] == []


def test_catalog_models_get_concrete_steps() -> None:
    pi4 = EdgeDeviceConfig(
        device_id="pi4", device_type="embedded", max_memory_mb=1500, max_model_size_mb=4000
    )
    advice = EdgeOptimizer(pi4).optimize_model(2700, kind="stt", model="vosk-model-en-us-0.22")
    assert not advice["fits"] and advice["ram_mb"] == 16384
    first = advice["steps"][0]
    assert first["optimization"] == "smaller_model"
    assert first["model"] == "vosk-model-small-en-us-0.15"  # lgraph is too slow on a Pi 4
    assert advice["optimizations"][-1] == "offload"
    tiny = EdgeDeviceConfig(
        device_id="z", device_type="embedded", max_memory_mb=150, cpu_speed_factor=0.4
    )
    voice = EdgeOptimizer(tiny).optimize_model(109, model="en_US-lessac-high")
    assert voice["optimizations"] == ["lower_voice_quality", "quantization", "offload"]
    assert voice["steps"][0]["model"] == "en_US-lessac-low" and voice["steps"][0]["ram_mb"] == 140
    assert "140 MB in memory" in voice["steps"][0]["detail"]
    smaller = EdgeDeviceConfig(device_id="s", device_type="embedded", max_memory_mb=50)
    # the daemon decodes pocketsphinx one way (the DJ's language model): no lean mode is offered
    one_way = EdgeOptimizer(smaller).optimize_model(135, model="pocketsphinx-en-us")
    assert one_way["optimizations"] == ["offload"]
    catalog = load_catalog()  # a model with a lean mode is offered it
    lean = replace(catalog.require("pocketsphinx-en-us"), ram_lean_mb=31.0)
    leaner = Catalog([lean, *catalog.of_kind("tts")], catalog.reference, catalog.source)
    grammar_only = EdgeOptimizer(smaller, leaner).optimize_model(135, model=lean.name)
    assert grammar_only["optimizations"] == ["lean_runtime", "offload"]
    assert grammar_only["steps"][0]["ram_mb"] == 31
    assert "commands grammar" in grammar_only["steps"][0]["detail"]
    fits = EdgeOptimizer(pi4).optimize_model(68, model="vosk-model-small-en-us-0.15")
    assert fits["fits"] and fits["optimizations"] == [] and fits["kind"] == "stt"


def test_guide_memory_status_and_cache_eviction(track_bytes: bytes) -> None:
    config = EdgeDeviceConfig(
        device_id="device_001", device_type="smartphone", storage_available_gb=0.05
    )
    optimizer = EdgeOptimizer(config)
    status = optimizer.get_device_status()
    assert status["memory_limit_mb"] == 512 and status["cache_size_mb"] == 0
    limit = 0.05 * 1024 * 0.8  # 40.96 MB
    assert optimizer.can_cache_locally(size_mb=10.0)
    for index in range(4):
        assert optimizer.add_to_cache(f"track_{index}", track_bytes, 10.0)
    assert optimizer.get_from_cache("track_0") == track_bytes  # now the most recently used
    assert optimizer.add_to_cache("track_4", track_bytes, 10.0)  # evicts track_1, the oldest
    assert optimizer.get_from_cache("track_1") is None
    assert optimizer.get_from_cache("track_0") == track_bytes
    assert optimizer.get_device_status()["cache_size_mb"] == 40.0 <= limit
    assert not optimizer.can_cache_locally(model_size_mb=50)
    assert not optimizer.add_to_cache("huge", b"", 50)
    optimizer.clear_cache()
    assert optimizer.get_device_status()["cache_items"] == 0


def test_guide_6g_and_streaming() -> None:
    six_g = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="6g_smartphone_001",
            device_type="smartphone",
            max_memory_mb=2048,
            max_model_size_mb=150,
            enable_6g=True,
            network_bandwidth_mbps=1000,
            storage_available_gb=8.0,
        )
    )
    streaming_config = six_g.optimize_streaming(bitrate_kbps=320)
    assert streaming_config["recommended_bitrate_kbps"] == 320
    assert set(streaming_config) >= {
        "recommended_bitrate_kbps", "buffer_ms", "enable_compression", "adaptive_quality"
    }  # fmt: skip
    # 6G changes nothing on these boards: the same link without it gets the same advice
    same_link = EdgeOptimizer(
        EdgeDeviceConfig(device_id="wifi", device_type="smartphone", network_bandwidth_mbps=1000)
    ).optimize_streaming(320)
    assert {k: v for k, v in streaming_config.items() if k != "enable_6g"} == {
        k: v for k, v in same_link.items() if k != "enable_6g"
    }
    # bandwidth detection: 70% of 100 Mbps
    config = EdgeDeviceConfig(
        device_id="device_001",
        device_type="smartphone",
        network_bandwidth_mbps=100,
        enable_6g=False,
    )
    assert EdgeOptimizer(config).optimize_streaming(320)["max_bitrate_kbps"] == 70_000
    slow = EdgeOptimizer(
        EdgeDeviceConfig(device_id="s", device_type="embedded", network_bandwidth_mbps=0.3)
    )
    poor = slow.optimize_streaming(bitrate_kbps=320)
    assert poor["recommended_bitrate_kbps"] == pytest.approx(210)
    assert poor["adaptive_quality"] is True and poor["buffer_ms"] == 1000
    slow.compression_enabled = False
    assert slow.optimize_streaming(bitrate_kbps=128)["enable_compression"] is False


def test_guide_cache_management_and_limits(track_bytes: bytes) -> None:
    config = EdgeDeviceConfig(
        device_id="device_001", device_type="smartphone", storage_available_gb=8.0
    )
    optimizer = EdgeOptimizer(config)
    track_size_mb = 5.0
    if optimizer.can_cache_locally(track_size_mb):
        optimizer.add_to_cache("track_123", track_bytes, track_size_mb)
    assert optimizer.get_from_cache("track_123") == track_bytes
    assert optimizer.cache_limit_mb == pytest.approx(6553.6)
    status = optimizer.get_device_status()
    max_cache_mb = config.storage_available_gb * 1024 * 0.8
    utilization = (status["cache_size_mb"] / max_cache_mb) * 100
    assert status["cache_items"] == 1 and utilization == pytest.approx(5 / 6553.6 * 100)
    config.storage_available_gb = 2.0  # "reduce storage allocation": read live
    assert optimizer.get_device_status()["cache_limit_mb"] == pytest.approx(1638.4)


def test_guide_complete_minimal_and_hybrid_setups(track_bytes: bytes) -> None:
    edge_config = EdgeDeviceConfig(
        device_id="my_smartphone_001",
        device_type="smartphone",
        max_memory_mb=2048,
        max_model_size_mb=150,
        enable_6g=True,
        network_bandwidth_mbps=500,
        storage_available_gb=10.0,
    )
    optimizer = EdgeOptimizer(edge_config)
    optimization = optimizer.optimize_model(200.0)
    assert optimization["optimizations"] and optimization["target_size_mb"] == 150
    assert optimizer.optimize_streaming(bitrate_kbps=320)["buffer_ms"] == 200
    assert optimizer.can_cache_locally(4.5)
    optimizer.add_to_cache("energetic_track_001", track_bytes, 4.5)
    status = optimizer.get_device_status()
    assert status["device_type"] == "smartphone" and status["6g_enabled"] is True
    assert f"{status['cache_size_mb']:.1f} MB ({status['cache_items']} items)" == "4.5 MB (1 items)"

    zero = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="rpi_zero_001",
            device_type="embedded",
            max_memory_mb=256,
            max_model_size_mb=30,
            enable_6g=False,
            network_bandwidth_mbps=25,
            storage_available_gb=0.5,
        )
    )
    assert zero.optimize_streaming(bitrate_kbps=128)["recommended_bitrate_kbps"] == 128
    response_templates = {"greeting": "Hey {name}, welcome back."}
    if zero.can_cache_locally(1.0):
        zero.add_to_cache("dj_responses", response_templates, 1.0)
    assert zero.get_from_cache("dj_responses") == response_templates

    hybrid = EdgeOptimizer(
        EdgeDeviceConfig(
            device_id="hybrid_phone_001",
            device_type="smartphone",
            max_memory_mb=1024,
            max_model_size_mb=100,
            enable_6g=True,
            network_bandwidth_mbps=500,
            storage_available_gb=5.0,
        )
    )
    mode = "full_local" if hybrid.can_cache_locally(model_size_mb=100) else "hybrid"
    assert mode == "full_local"


def test_guide_performance_tips(track_bytes: bytes) -> None:
    config = EdgeDeviceConfig(
        device_id="d", device_type="smartphone", storage_available_gb=0.02
    )  # 16.4 MB of cache
    optimizer = EdgeOptimizer(config)
    for track_id in ["welcome_track", "default_playlist"]:  # pre-warm
        if optimizer.can_cache_locally(5.0):
            optimizer.add_to_cache(track_id, track_bytes, 5.0)
    tracks_to_cache = [("track_1", b"1", 5.0), ("track_2", b"2", 4.5), ("track_3", b"3", 6.0)]
    total_size = sum(size for _, _, size in tracks_to_cache)
    assert optimizer.can_cache_locally(total_size)
    for track_id, data, size in tracks_to_cache:
        optimizer.add_to_cache(track_id, data, size)
    assert optimizer.get_from_cache("welcome_track") is None  # evicted by the batch
    assert [optimizer.get_from_cache(t) for t, _, _ in tracks_to_cache] == [b"1", b"2", b"3"]
    status = optimizer.get_device_status()
    cache_limit = config.storage_available_gb * 1024 * 0.8
    assert status["cache_size_mb"] > cache_limit * 0.9  # the guide's "nearly full" warning
    optimizer.compression_enabled = True
    assert optimizer.optimize_streaming(bitrate_kbps=320)["enable_compression"] is True


def test_guide_troubleshooting() -> None:
    config = EdgeDeviceConfig(device_id="t", device_type="smart_speaker", max_model_size_mb=80)
    optimizer = EdgeOptimizer(config)
    recommendations = optimizer.optimize_model(200.0)
    assert recommendations["target_size_mb"] == 80 and recommendations["optimizations"]
    config.max_memory_mb = 256  # "reduce memory allocation": read live
    config.max_model_size_mb = 50
    recommendations = optimizer.optimize_model(100.0)
    assert recommendations["memory_limit_mb"] == 256 and recommendations["target_size_mb"] == 50
    config.enable_6g = True
    config.network_bandwidth_mbps = 1000
    assert optimizer.get_device_status()["6g_enabled"] is True
    assert optimizer.optimize_streaming(bitrate_kbps=320)["buffer_ms"] == 200
    assert "quantization" in optimizer.optimize_model(100.0)["optimizations"]


def test_guide_debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="appliance.edge")
    optimizer = EdgeOptimizer(EdgeDeviceConfig(device_id="d", device_type="smartphone"))
    optimizer.add_to_cache("track_123", b"x", 5.0)
    text = caplog.text
    assert "edge optimizer for smartphone d" in text and "cached track_123 (5.0 MB)" in text


def test_api_reference_example() -> None:
    config = EdgeDeviceConfig(
        device_id="edge_001",
        device_type="smartphone",
        max_memory_mb=512,
        max_model_size_mb=100,
        enable_6g=True,
        network_bandwidth_mbps=1000,
    )
    optimizer = EdgeOptimizer(config, load_catalog())
    assert optimizer.optimize_model(250.0)["target_size_mb"] == 100
    assert optimizer.optimize_streaming(320)["recommended_bitrate_kbps"] == 320
    optimizer.add_to_cache("track_001", {"title": "Test"}, 5.0)
    assert optimizer.get_from_cache("track_001") == {"title": "Test"}


def test_profiles_build_edge_configs(tmp_path: Path) -> None:
    from appliance.boards import get_profile

    profile = get_profile("rpi-zero-2w")
    optimizer = EdgeOptimizer(profile.edge_config("zero"))
    status = optimizer.get_device_status()
    assert status["profile"] == "rpi-zero-2w" and status["memory_limit_mb"] == 300
    assert optimizer.config.cpu_speed_factor == 0.4 and status["offline"] is True
