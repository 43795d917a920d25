"""The station's password (web page, MPD) and Home Assistant key, made once and kept.

Set in the config they are used as they are. Unset, each is made up at the first start from
the system's random source and kept in the data folder (mode 0600, written atomically), so a
phone that logged in yesterday still can, and `appliance run` can show them.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from pathlib import Path

from appliance.atomic import write_atomically
from appliance.config import Config

PASSWORD_FILE = "faces-password"
KEY_FILE = "home-assistant-key"


def _kept(path: Path, make: str) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
        if text:
            return text
    except (OSError, UnicodeDecodeError):
        pass
    write_atomically(path, (make + "\n").encode("ascii"), mode=0o600)
    return make


def password(settings: Config, data_dir: Path) -> str:
    """The password the web page and MPD clients must give."""
    if settings.faces.password:
        return settings.faces.password
    words = secrets.token_urlsafe(9)  # 12 characters a person can type on a phone
    return _kept(data_dir / PASSWORD_FILE, words)


def encryption_key(settings: Config, data_dir: Path) -> str:
    """Home Assistant's Noise key: 32 random bytes, base64, as ESPHome writes them."""
    if settings.home_assistant.encryption_key:
        return settings.home_assistant.encryption_key
    return _kept(data_dir / KEY_FILE, base64.b64encode(os.urandom(32)).decode("ascii"))


def same(given: str | bytes, expected: str) -> bool:
    """Compares a password in constant time."""
    if isinstance(given, str):
        given = given.encode("utf-8", "surrogateescape")
    return hmac.compare_digest(given, expected.encode("utf-8"))
