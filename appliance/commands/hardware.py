"""`appliance hardware detect | list | plan`: the board, and the models that fit it."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "hardware",
        help="recognise the board; list profiles; plan the models that fit",
        description="Board profiles (hardware/*.toml) and the model plan for a board.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    detect = actions.add_parser("detect", help="recognise this board and print its profile")
    detect.add_argument("--json", action="store_true", help="print JSON")
    detect.set_defaults(func=run_detect)
    listing = actions.add_parser("list", help="list the board profiles")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    plan = actions.add_parser("plan", help="the models a board runs, their costs and headroom")
    plan.add_argument("--profile", help="a profile name (default: this board)")
    plan.add_argument("--config", help="the config file (default: the one the daemon reads)")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.set_defaults(func=run_plan)


def run_detect(args: argparse.Namespace) -> int:
    from appliance.boards import detect_profile

    found = detect_profile()
    profile, facts = found.profile, found.facts
    if args.json:
        print(
            json.dumps(
                {
                    "profile": profile.name,
                    "title": profile.title,
                    "reason": found.reason,
                    "ram_mb": profile.ram_mb,
                    "cores": profile.cores,
                    "model": facts.model,
                    "arch": facts.arch,
                    "mem_mb": facts.mem_mb,
                },
                indent=2,
            )
        )
        return 0
    print(f"{profile.name}: {profile.title}")
    print(f"  matched on   {found.reason}")
    print(f"  device tree  {facts.model or '(none)'}")
    print(f"  cpu          {facts.arch}, {facts.cores} cores")
    print(f"  memory       {facts.mem_mb:.0f} MB; profile {profile.ram_mb:g} MB, ", end="")
    print(f"reserved {profile.reserved_mb:g} MB, budget {profile.memory_budget_mb:g} MB")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from appliance.boards import load_profiles

    profiles = load_profiles()
    if args.json:
        rows = [
            {
                "name": p.name,
                "title": p.title,
                "ram_mb": p.ram_mb,
                "memory_budget_mb": p.memory_budget_mb,
                "cpu": p.cpu_class,
                "cores": p.cores,
                "speed_factor": p.speed_factor,
            }
            for p in profiles.values()
        ]
        print(json.dumps(rows, indent=2))
        return 0
    for p in profiles.values():
        print(
            f"{p.name:<16} {p.title:<34} {p.ram_mb:>6g} MB  {p.cores} x {p.cpu_class:<24} "
            f"speed {p.speed_factor:g}"
        )
    return 0


def run_plan(args: argparse.Namespace) -> int:
    from appliance.boards import detect_profile, get_profile
    from appliance.config import load_config
    from appliance.models.plan import plan_models

    config = load_config(args.config)
    if args.profile is not None:
        from appliance.errors import HardwareError, UsageError

        try:
            profile = get_profile(args.profile)
        except HardwareError as error:  # a name typed on the command line: a usage error, exit 2
            raise UsageError(f"--profile: {error.message}", hint=error.hint) from None
    else:
        profile = detect_profile().profile
    plan = plan_models(profile, config)
    if args.json:
        print(json.dumps(plan.to_dict(), indent=2))
        return 0 if plan.fits else 1
    print(f"{profile.title} ({profile.name}): {profile.cores} x {profile.cpu_class}, ", end="")
    print(f"speed {profile.speed_factor:g} x a Pi 4")
    print(
        f"memory: {profile.ram_mb:g} MB, {profile.reserved_mb:g} MB for the OS and mpv, "
        f"budget {plan.memory_budget_mb:g} MB"
    )
    print(f"  {'kind':<5} {'model':<30} {'mode':<8} {'RAM MB':>7} {'disk MB':>8} {'RTF':>6}")
    print(
        f"  {'-':<5} {'daemon (Python, libraries, mpv)':<30} {'':<8} {plan.daemon_baseline_mb:>7g}"
    )
    print(f"  {'-':<5} {'understanding (what is said)':<30} {'':<8} {plan.understanding_mb:>7g}")
    for model in plan.models:
        flag = "" if model.installed else "  (not installed)"
        print(
            f"  {model.kind:<5} {model.name:<30} {model.mode:<8} {model.ram_mb:>7g} "
            f"{model.disk_mb:>8g} {model.rtf:>6g}{flag}"
        )
    print(
        f"total {plan.total_ram_mb:g} MB (peak {plan.peak_ram_mb:g} MB), "
        f"headroom {plan.headroom_mb:g} MB, disk {plan.disk_mb:g} MB"
    )
    for note in plan.notes:
        print(f"note: {note}")
    for kind, steps in plan.optimizations.items():
        for step in steps:
            print(f"optimize {kind}: {step['detail']}")
    return 0 if plan.fits else 1
