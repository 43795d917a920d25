"""Where the appliance keeps its state and looks for its configuration.

The data directory holds every database (profiles, history, library index), the demo library
and downloaded models. ``APPLIANCE_DATA_DIR`` overrides it; otherwise it follows the XDG base
directory rules, which under systemd's ``StateDirectory=`` is pointed at /var/lib/appliance.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_CONFIG = Path("/etc/appliance/config.toml")

_caches_home: Path | None = None
"""The data folder of the running station, once it has one (its config may name another than
:func:`data_dir`); the caches of worked-out models follow it."""


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


def keep_caches_in(folder: Path | None) -> None:
    """Keep the caches of worked-out models in ``folder``: the station's data folder, which its
    config's ``station.data_dir`` may set apart from the environment (None: the station stopped,
    back to :func:`data_dir`)."""
    global _caches_home
    _caches_home = folder


def caches_home() -> Path:
    """The data folder the caches live in: the station's, else :func:`data_dir` (not created)."""
    return _caches_home if _caches_home is not None else data_dir(create=False)


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
