"""What every network face relies on: the LAN rule and the kept password and key."""

from __future__ import annotations

import base64
import errno
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from appliance.config import Config, FacesSettings
from appliance.faces import lan, secrets


def test_only_this_network_may_connect() -> None:
    for peer in ("127.0.0.1", "192.168.1.20", "10.1.2.3", "172.20.0.5", "169.254.9.9",
                 "::1", "fe80::1%eth0", "fd12::5", "::ffff:192.168.1.4"):  # fmt: skip
        assert lan.allowed(peer), peer
    for peer in ("8.8.8.8", "172.32.0.1", "100.64.0.1", "2001:db8::1", "::ffff:8.8.8.8",
                 "", None, "not an address", "224.0.0.251"):  # fmt: skip
        assert not lan.allowed(peer), peer
    assert lan.allowed("127.0.0.1", "localhost") and not lan.allowed("192.168.1.20", "localhost")


def test_the_password_and_key_are_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Config()
    password = secrets.password(settings, tmp_path)
    key = secrets.encryption_key(settings, tmp_path)
    assert len(password) >= 12 and len(base64.b64decode(key)) == 32
    assert secrets.password(settings, tmp_path) == password  # the next start: the same
    assert secrets.encryption_key(settings, tmp_path) == key
    for name in (secrets.PASSWORD_FILE, secrets.KEY_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    chosen = replace(settings, faces=FacesSettings(password="kitchen radio"))
    assert secrets.password(chosen, tmp_path) == "kitchen radio"
    assert secrets.same("kitchen radio", "kitchen radio")
    assert not secrets.same("kitchen radi", "kitchen radio")
    assert not secrets.same(b"\xff", "kitchen radio")


class _TakenPort:
    """A face whose port another program holds."""

    name = "web"

    def __init__(self, *parts: object) -> None:
        pass

    async def start(self) -> None:
        raise OSError(errno.EADDRINUSE, "Address already in use")

    async def stop(self) -> None:  # pragma: no cover - never started
        pass

    def addresses(self) -> list[str]:  # pragma: no cover - never started
        return []


def test_a_taken_port_is_named_with_the_setting_to_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import sys

    from appliance.config import WebSettings
    from appliance.faces import host

    monkeypatch.setitem(sys.modules, "qfzz_taken_port", sys.modules[__name__])
    monkeypatch.setitem(host.FACES, "web", ("web", "qfzz_taken_port:_TakenPort"))
    settings = replace(Config(), web=WebSettings(port=18123))
    faces = host.FaceHost(station=None, settings=settings, data_dir=tmp_path)  # type: ignore[arg-type]
    try:
        assert faces.start(["web"]) == []
    finally:
        faces.stop()
    (line,) = [r.getMessage() for r in caplog.records if "did not start" in r.getMessage()]
    assert "port 18123" in line and "[web] port" in line and "Errno" not in line
