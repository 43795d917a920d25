"""`appliance models list | fetch | verify | remove`: the speech models on this device."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.errors import ModelError, UsageError

if TYPE_CHECKING:
    from appliance.models.catalog import Catalog


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "models",
        help="list, fetch, verify or remove speech models",
        description="Speech models from the catalog (models/catalog.toml), kept in "
        "<data dir>/models; models shipped in Python packages are found there.",
    )
    parser.add_argument("--catalog", help="a different catalog file")
    parser.add_argument("--config", help="the config file (for the data directory)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every model, its costs and whether it is here")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument("--kind", choices=("stt", "tts", "wake", "vad"))
    listing.set_defaults(func=run_list)
    fetch = actions.add_parser("fetch", help="download, check and install models")
    fetch.add_argument("names", nargs="+", metavar="NAME")
    fetch.add_argument(
        "--allow-unverified",
        action="store_true",
        help="install a model that has no published checksum (it cannot be verified)",
    )
    fetch.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        help="network timeout in seconds (above 0, at most 3600; default 30)",
    )
    fetch.set_defaults(func=run_fetch)
    verify = actions.add_parser("verify", help="check installed models against their manifests")
    verify.add_argument("names", nargs="*", metavar="NAME", help="default: every installed model")
    verify.set_defaults(func=run_verify)
    remove = actions.add_parser("remove", help="delete downloaded models")
    remove.add_argument("names", nargs="+", metavar="NAME")
    remove.set_defaults(func=run_remove)


def _context(args: argparse.Namespace) -> tuple[Catalog, Path]:
    """The catalog and the data directory; what interrupted installs left there is removed."""
    from appliance.config import load_config
    from appliance.models.catalog import load_catalog
    from appliance.models.store import clean_leftovers

    config = load_config(args.config)
    catalog, data_dir = load_catalog(args.catalog), config.data_dir()
    for path in clean_leftovers(data_dir):
        print(f"removed what an interrupted install left: {path}", file=sys.stderr)
    return catalog, data_dir


MAX_TIMEOUT = 3600.0


def _check_timeout(value: float) -> float:
    """A network timeout in seconds: a number above 0, at most an hour."""
    if not (0 < value <= MAX_TIMEOUT):  # also false for nan
        raise UsageError(
            f"--timeout {value:g}: not a usable network timeout",
            hint=f"give the seconds to wait for the network, above 0 and at most "
            f"{MAX_TIMEOUT:g} (default 30)",
        )
    return value


def run_list(args: argparse.Namespace) -> int:
    from appliance.models.store import installed_models

    catalog, data_dir = _context(args)
    installed = installed_models(catalog, data_dir)
    rows = []
    for model in catalog:
        if args.kind and model.kind != args.kind:
            continue
        found = installed.get(model.name)
        if found is None:
            state = "not installed"
        elif found.source == "package":
            state = f"in package {model.package}"
        else:
            state = "installed" if found.verified else "installed, unverified"
        rows.append(
            {
                "name": model.name,
                "kind": model.kind,
                "engine": model.engine,
                "language": model.language,
                "quality": model.quality,
                "tier": model.tier,
                "disk_mb": model.disk_mb,
                "ram_mb": model.ram_mb,
                "rtf_pi4": model.rtf,
                "licence": model.licence,
                "checksum": "published"
                if model.downloadable and model.verifiable
                else ("none published" if model.downloadable else "-"),
                "state": state,
                "path": str(found.load_path) if found else None,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'name':<30} {'kind':<5} {'engine':<13} {'disk MB':>8} {'RAM MB':>7} {'RTF':>5}  state")
    for row in rows:
        extra = "" if row["checksum"] != "none published" else " (no published checksum)"
        print(
            f"{row['name']:<30} {row['kind']:<5} {row['engine']:<13} {row['disk_mb']:>8g} "
            f"{row['ram_mb']:>7g} {row['rtf_pi4']:>5g}  {row['state']}{extra}"
        )
    print(f"\nmodels folder: {data_dir / 'models'}; RTF on a Raspberry Pi 4")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from appliance.models.fetch import fetch_model

    timeout = _check_timeout(args.timeout)
    catalog, data_dir = _context(args)
    models = [catalog.require(name) for name in args.names]
    failed = 0
    for model in models:
        try:
            installed = fetch_model(
                model, data_dir, allow_unverified=args.allow_unverified, timeout=timeout
            )
        except ModelError as error:
            print(f"{model.name}: {error}", file=sys.stderr)
            failed += 1
            continue
        note = "" if installed.verified else " (unverified: no published checksum)"
        print(f"{model.name}: installed in {installed.folder}{note}")
    return 1 if failed else 0


def run_verify(args: argparse.Namespace) -> int:
    from appliance.models.store import find_installed, installed_models, verify_installed

    catalog, data_dir = _context(args)
    if args.names:
        targets = {}
        for name in args.names:
            model = catalog.require(name)
            found = find_installed(model, data_dir)
            if found is None:
                raise ModelError(f"{name} is not installed", hint=f"appliance models fetch {name}")
            targets[name] = found
    else:
        targets = installed_models(catalog, data_dir)
    bad = 0
    for name, installed in targets.items():
        problems = verify_installed(installed)
        if problems:
            bad += 1
            for problem in problems:
                print(f"{name}: {problem}", file=sys.stderr)
            print(f"{name}: DAMAGED (reinstall: appliance models fetch {name})")
        else:
            trust = "" if installed.verified else ", installed unverified"
            print(f"{name}: intact ({installed.source}{trust})")
    return 1 if bad else 0


def run_remove(args: argparse.Namespace) -> int:
    from appliance.models.store import remove_model

    catalog, data_dir = _context(args)
    for name in args.names:
        folder = remove_model(catalog.require(name), data_dir)
        print(f"{name}: removed {folder}")
    return 0
