"""Where the appliance keeps its state and looks for its configuration.

The data directory holds every database (profiles, history, library index), the demo library
and downloaded models. ``APPLIANCE_DATA_DIR`` overrides it; otherwise it follows the XDG base
directory rules, which under systemd's ``StateDirectory=`` is pointed at /var/lib/appliance.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG = Path("/etc/appliance/config.toml")


def data_dir(create: bool = True) -> Path:
    """The data directory: $APPLIANCE_DATA_DIR, else $XDG_DATA_HOME/appliance."""
    explicit = os.environ.get("APPLIANCE_DATA_DIR")
    if explicit:
        path = Path(explicit).expanduser()
    else:
        xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(xdg) / "appliance"
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file: --config, else $APPLIANCE_CONFIG, else /etc/appliance/config.toml."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("APPLIANCE_CONFIG")
    if env:
        return Path(env).expanduser()
    return DEFAULT_CONFIG


def dj_db_path(base: Path | None = None) -> Path:
    """The SQLite file with listener profiles, history, trust and listening events."""
    return (base or data_dir()) / "dj.db"


def library_db_path(base: Path | None = None) -> Path:
    """The SQLite file with the music library index."""
    return (base or data_dir()) / "library.db"
