"""What the understanding takes in a process of its own, read from /proc (VmRSS, VmHWM): the
benchmark's figures and the check that the board plans count no less."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, sys, time
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
from appliance.memory import limit_arenas
limit_arenas()  # as the daemon does
from appliance.dj import understand_linear
from appliance.dj.understand import Understanding
out = {"imports": status("VmRSS")}
if sys.argv[1] == "build":
    started = time.process_time()
    understanding = Understanding()
    understanding.warm()
    understanding._model().linear.get()
    for text in ("what's currently playing", "play some chill jazz", "how many titles of techno",
                 "the washing machine's finished", "could you go to the next song"):
        understanding.parse(text)
    out["cpu_s"] = time.process_time() - started
    out["fits"] = understand_linear.fits
    import resource  # a child that built the model: its own peak (0 when none ran)
    out["child_peak"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
out["rss"] = status("VmRSS")
out["peak"] = status("VmHWM")
print(json.dumps(out))
"""
"""``imports``: the understanding's code imported; ``build``: then built and used (the
neighbours' model, the classifier waited for, five parses), fitting the classifier when the data
folder keeps none, else reading it."""


def probe(what: str, data: Path) -> dict[str, float]:
    """One fresh process doing ``what`` with ``data`` as its data folder: MB resident after
    the imports (``imports``), at the end (``rss``) and at most (``peak``)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, what], capture_output=True, text=True, timeout=300,
        check=True, env={**os.environ, "APPLIANCE_DATA_DIR": str(data)},
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])
