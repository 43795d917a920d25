"""Fetching the models a board's plan names but does not have yet (what `make run` does).

The models that ship in wheels always work; the plan may name better ones to download (Whisper
tiny.en, a Vosk model, a better voice). On a board with a network they are fetched, verified,
with progress; where the model hubs cannot be reached (no network, a firewall) one line says so
and the appliance goes on with what it has within a few seconds, never waiting on the network.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from appliance.config import Config
from appliance.errors import ApplianceError, ModelError

if TYPE_CHECKING:
    from appliance.boards import HardwareProfile
    from appliance.models.catalog import Catalog, CatalogModel

REACH_S = 3.0
"""How long to try to reach a model hub (name lookup and connection) before going on."""
READ_S = 30.0
"""A download's socket timeout once the hub answered."""


def reachable(url: str, deadline_s: float = REACH_S) -> str | None:
    """None when ``url``'s host answers a TCP connection within ``deadline_s``; else why not.

    The name lookup has no timeout of its own, so the attempt runs in a thread that is left
    behind (it ends by itself) when the deadline passes."""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return None
    try:
        host, port = parsed.hostname or "", parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as error:  # a port out of range or not a number
        return f"not a usable address ({error})"
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=deadline_s):
                outcome.append(None)
        except OSError as error:
            outcome.append(str(getattr(error, "strerror", None) or error))

    thread = threading.Thread(target=attempt, name="reach-hub", daemon=True)
    thread.start()
    thread.join(deadline_s)
    if not outcome:
        return f"no answer within {deadline_s:g} s"
    return outcome[0]


def fetch_planned(
    config: Config,
    *,
    say: Callable[[str], None] = print,
    data_dir: Path | None = None,
    deadline_s: float = REACH_S,
    catalog: Catalog | None = None,
    profile: HardwareProfile | None = None,
) -> list[str]:
    """Fetch every verifiable model of this board's plan that is not installed; the names
    fetched. Never raises an ApplianceError or OSError: what cannot be fetched is said in one
    line, and the appliance runs on the installed models. Every host a model's files come from
    is tried (once) before its download starts."""
    from appliance.boards import detect_profile
    from appliance.models.catalog import load_catalog
    from appliance.models.fetch import fetch_model
    from appliance.models.plan import plan_models

    try:
        catalog = catalog or load_catalog()
        data_dir = data_dir or config.data_dir()
        profile = profile or detect_profile().profile
        plan = plan_models(profile, config, catalog=catalog, data_dir=data_dir)
    except (ApplianceError, OSError) as error:
        why = error.message if isinstance(error, ApplianceError) else str(error)
        say(f"models: cannot plan them ({why}); going on with the installed ones")
        return []
    wanted = [
        model
        for planned in plan.models
        if not planned.installed
        and (model := catalog.get(planned.name)) is not None
        and model.downloadable
        and model.verifiable
    ]
    if not wanted:
        return []
    fetched: list[str] = []
    hosts: dict[str, str | None] = {}  # host -> why it cannot be reached (None: it answered)
    for model in wanted:
        problem = _unreachable(model, hosts, deadline_s)
        if problem is not None:
            host, why = problem
            later = ", ".join(m.name for m in wanted if m.name not in fetched)
            say(
                f"models: {host} cannot be reached ({why}); going on with the installed "
                f"models (later: appliance models fetch {later})"
            )
            break
        say(f"models: fetching {model.name}, planned for this board")
        try:
            fetch_model(model, data_dir, timeout=READ_S)
        except (ModelError, OSError) as error:
            # str() of a ModelError carries its hint: what to do, where a download was kept
            say(f"models: {model.name} was not installed: {error}")
            continue
        fetched.append(model.name)
    return fetched


def _unreachable(
    model: CatalogModel, hosts: dict[str, str | None], deadline_s: float
) -> tuple[str, str] | None:
    """(host, why) for the first host of ``model``'s files that does not answer; each host is
    tried once and remembered in ``hosts``."""
    for file in model.files:
        host = urlparse(file.url).hostname or file.url
        if host not in hosts:
            hosts[host] = reachable(file.url, deadline_s)
        if hosts[host] is not None:
            return host, str(hosts[host])
    return None
