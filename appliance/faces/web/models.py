"""Models on the System page: the catalog's models, fetched in the background or removed.

The work is that of `appliance models fetch` and `remove` (:mod:`appliance.models.fetch` and
:mod:`appliance.models.store`): published checksums, resumed downloads, archives checked before
anything is unpacked, a model swapped in whole or not at all. A fetch runs on a thread of its
own, one at a time; the page polls its job. Its progress is read from the download itself as it
grows (bytes and percent of what the catalog publishes), then ``verifying`` (every file is in
and matched its checksum; the archive is being checked), ``installing`` (unpacked into a
temporary folder), and the end: ``installed``, or ``failed`` with one line saying why (no
network, a bad checksum, no space) and what to do. A model the running station uses is not
removed: it would vanish from under the engine that has it loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aiohttp import web

from appliance.errors import ApplianceError, ModelError
from appliance.faces.web.api import read_json
from appliance.faces.web.context import Context, context
from appliance.faces.web.security import Refused, fail
from appliance.models.catalog import Catalog, CatalogModel
from appliance.models.store import (
    DOWNLOADS,
    find_installed,
    installed_models,
    models_dir,
    read_manifest,
)

log = logging.getLogger("appliance.faces.web")
routes = web.RouteTableDef()
READ_S = 30.0  # a download's socket timeout once the server answered
REACH_S = 3.0  # how long to try to reach the server before saying there is no network


@dataclass
class FetchJob:
    """One model's fetch: where it stands, read by the page while it runs."""

    model: CatalogModel
    base: Path  # the models folder
    started: float = field(default_factory=time.time)
    phase: str = "network"  # network, download (then verifying, installing), installed, failed
    error: str = ""
    hint: str = ""
    ended: float | None = None

    @property
    def running(self) -> bool:
        return self.phase not in ("installed", "failed")

    def progress(self) -> dict[str, Any]:
        files = self.model.files
        total = sum(file.bytes for file in files) if all(file.bytes for file in files) else None
        folder = self.base / DOWNLOADS / self.model.name
        received = complete = 0
        for file in files:
            for path, whole in ((folder / file.name, True), (folder / f"{file.name}.part", False)):
                try:
                    received += path.stat().st_size
                except OSError:
                    continue
                complete += whole
                break
        phase = self.phase
        if phase == "download":
            staging = f".tmp-{self.model.name}-"
            try:
                unpacking = any(p.name.startswith(staging) for p in self.base.iterdir())
            except OSError:
                unpacking = False
            if unpacking:
                phase = "installing"
            elif complete == len(files):
                phase = "verifying"
        if phase == "installed" and total:
            received = total  # the downloads are deleted once installed
        return {
            "name": self.model.name,
            "phase": phase,
            "bytes": received,
            "total": total,
            "percent": round(100 * received / total, 1) if total else None,
            "error": self.error,
            "hint": self.hint,
            "seconds": round((self.ended or time.time()) - self.started, 1),
        }


class ModelJobs:
    """The page's model fetches: the last one of each model, one running at a time."""

    def __init__(self) -> None:
        self.jobs: dict[str, FetchJob] = {}
        self._lock = threading.Lock()

    def running(self) -> FetchJob | None:
        with self._lock:
            return next((job for job in self.jobs.values() if job.running), None)

    def start(self, model: CatalogModel, data_dir: Path) -> FetchJob:
        """Fetch ``model`` on a thread of its own; a Refused (raised) while another runs."""
        with self._lock:
            busy = next((job for job in self.jobs.values() if job.running), None)
            if busy is not None:
                raise Refused(409, f"{busy.model.name} is being fetched: wait for it to finish")
            job = FetchJob(model, models_dir(data_dir))
            self.jobs[model.name] = job
        threading.Thread(
            target=_fetch, args=(job, data_dir), name=f"fetch {model.name}", daemon=True
        ).start()
        return job


def _fetch(job: FetchJob, data_dir: Path) -> None:
    from appliance.models.fetch import fetch_model
    from appliance.models.planned import reachable

    model = job.model
    try:
        for file in model.files:
            why = reachable(file.url, REACH_S)
            if why is not None:
                host = urlparse(file.url).hostname or file.url
                raise ModelError(
                    f"no network: {host} cannot be reached ({why})",
                    hint="connect the speaker to the internet and fetch again",
                )
        job.phase = "download"
        fetch_model(model, data_dir, timeout=READ_S, quiet=True)
    except ApplianceError as error:
        job.error, job.hint = error.message, error.hint or ""
        job.phase = "failed"
        log.warning("models: %s was not fetched: %s", model.name, error.message)
    except Exception as error:  # a bug: said on the page and logged whole, never silent
        log.exception("models: fetching %s failed", model.name)
        job.error, job.phase = f"the fetch failed: {error}", "failed"
    else:
        job.phase = "installed"
        log.info("models: %s fetched and installed from the web page", model.name)
    finally:
        job.ended = time.time()


# -- reading the catalog and what is installed ---------------------------------------------------


def _catalog(ctx: Context) -> Catalog:
    from appliance.models.catalog import load_catalog

    try:
        return load_catalog(ctx.catalog)
    except ModelError as error:
        raise Refused(500, f"the model catalog cannot be read: {error.message}") from None


def _model(ctx: Context, request: web.Request) -> tuple[Catalog, CatalogModel]:
    catalog = _catalog(ctx)
    name = request.match_info["name"]
    model = catalog.get(name) if len(name) <= 100 else None
    if model is None:
        raise Refused(404, f"no model {name[:100]!r} in the catalog (the list shows them all)")
    return catalog, model


def in_use(ctx: Context) -> set[str]:
    """The models the running station has loaded."""
    loaded = getattr(ctx.station, "models", None)
    names: set[str] = set()
    if isinstance(loaded, dict):
        for value in loaded.values():
            names.update(part.strip() for part in str(value).split(","))
    return names


_TOLD: set[str] = set()  # why no plan could be made, each reason logged once


def planned(ctx: Context, catalog: Catalog) -> set[str]:
    """The models this board's plan wants (empty when no plan can be made)."""
    from appliance.boards import detect_profile
    from appliance.models.plan import plan_models

    try:
        plan = plan_models(
            detect_profile().profile, ctx.settings, catalog=catalog, data_dir=ctx.data_dir
        )
    except (ApplianceError, OSError) as error:  # the plan only marks rows: the list stands
        why = str(error)
        if why in _TOLD:  # the page lists twice a second during a fetch: once is enough
            log.debug("models: still no hardware plan (%s)", why)
        else:
            _TOLD.add(why)
            log.warning("models: no hardware plan to mark the models the board wants (%s)", why)
        return set()
    return {model.name for model in plan.models}


def listing(ctx: Context) -> dict[str, Any]:
    catalog = _catalog(ctx)
    installed = installed_models(catalog, ctx.data_dir)
    wanted, using = planned(ctx, catalog), in_use(ctx)
    rows = []
    for model in catalog:
        found = installed.get(model.name)
        size_mb = None
        if found is not None and found.source == "download":
            files = (read_manifest(found.folder) or {}).get("files", {})
            size_mb = round(sum(entry.get("bytes", 0) for entry in files.values()) / 2**20, 1)
        rows.append(
            {
                "name": model.name,
                "kind": model.kind,
                "engine": model.engine,
                "description": model.description,
                "licence": model.licence,
                "disk_mb": model.disk_mb,
                "ram_mb": model.ram_mb,
                "installed": found is not None,
                "source": found.source if found else None,
                "verified": found.verified if found else None,
                "size_mb": size_mb,
                "planned": model.name in wanted,
                "in_use": model.name in using,
                "fetchable": model.downloadable and model.verifiable,
            }
        )
    return {"ok": True, "folder": str(models_dir(ctx.data_dir)), "models": rows}


# -- the endpoints -------------------------------------------------------------------------------


@routes.get("/api/models")
async def models(request: web.Request) -> web.Response:
    ctx = context(request)
    found = await ctx.run(listing, ctx)
    jobs = list(ctx.model_jobs.jobs.values())
    found["jobs"] = await ctx.run(lambda: [job.progress() for job in jobs])  # stat, iterdir
    return web.json_response(found)


@routes.post("/api/models/{name}/fetch")
async def fetch(request: web.Request) -> web.Response:
    ctx = context(request)
    _, model = await ctx.run(_model, ctx, request)
    if not model.downloadable:
        return fail(409, f"{model.name} ships in the {model.package} package: nothing to fetch")
    if not model.verifiable:
        return fail(
            409,
            f"{model.name} has no published checksum, so the page does not install it "
            f"(`appliance models fetch {model.name} --allow-unverified` on the device does)",
        )
    found = await ctx.run(find_installed, model, ctx.data_dir)
    if found is not None and found.source == "package":
        return fail(
            409, f"{model.name} is installed already: it ships in the {model.package} package"
        )
    if found is not None:
        return fail(409, f"{model.name} is installed already (remove it first to fetch it again)")
    job = ctx.model_jobs.start(model, ctx.data_dir)
    return web.json_response({"ok": True, "job": job.progress()}, status=202)


@routes.get("/api/models/{name}/fetch")
async def fetch_progress(request: web.Request) -> web.Response:
    ctx = context(request)
    _, model = await ctx.run(_model, ctx, request)
    job = ctx.model_jobs.jobs.get(model.name)
    if job is None:
        return fail(404, f"{model.name} has not been fetched from this page since the start")
    return web.json_response({"ok": True, "job": await ctx.run(job.progress)})


@routes.delete("/api/models/{name}")
async def remove(request: web.Request) -> web.Response:
    ctx = context(request)
    catalog, model = await ctx.run(_model, ctx, request)
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("confirm") != model.name:
        return fail(400, f'confirm: send {{"confirm": "{model.name}"}} to remove it', key="confirm")
    running = ctx.model_jobs.jobs.get(model.name)
    if running is not None and running.running:
        return fail(409, f"{model.name} is being fetched: wait for it to finish")
    if model.name in in_use(ctx):
        return fail(
            409,
            f"the station is using {model.name} now, so it cannot be removed while it runs: "
            "choose another model in the [models] settings and restart the appliance first",
        )
    found = await ctx.run(find_installed, model, ctx.data_dir)
    if found is None:
        return fail(404, f"{model.name} is not installed")
    from appliance.models.store import remove_model

    try:
        folder = await ctx.run(remove_model, model, ctx.data_dir)
    except ModelError as error:
        return fail(409, f"{error.message} ({error.hint})" if error.hint else error.message)
    log.info("models: %s removed from the web page (%s)", model.name, folder)
    note = f"{model.name} is removed"
    if model.name in await ctx.run(planned, ctx, catalog):
        note += "; this board's plan wants it, so the next start uses another and fetches it again"
    return web.json_response({"ok": True, "note": note})
