"""Command start-up: how long a few ``zhaoshang`` command lines take from exec to exit, and which heavy
libraries they import, beside the floor every command pays (a Python that imports duckdb and typer).

    .venv/bin/python bench/bench_startup.py [--db FILE] [--runs N] [--src DIR]

Each command line runs ``--runs`` times (default 5) in a fresh process; wall clock (best, median) and the CPU
time of the best run are reported, then once under ``python -X importtime`` for the import time and whether
numpy, pyarrow, scikit-learn and igraph were loaded; also the import of what the chain model's check needs
(scikit-learn's vectoriser before, scipy.sparse now). ``--src`` runs another checkout's source (e.g. an earlier
commit's ``src``) for a before/after comparison. ``--db`` a database for the commands that read one (default:
a new empty one). Prints one JSON document; the ratio is a command's best wall clock over the floor's.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (["--help"], ["status"], ["score", "--help"], ["classify", "--help"], ["search", "合成"],
            # commands that open the team state: the lead pipeline's list, and a classification (from the second
            # run on an incremental one with nothing to do: mostly start-up)
            ["pipeline", "list"], ["classify"])
HEAVY = ("numpy", "pyarrow", "sklearn", "igraph")
RUN = "import sys; from zhaoshang.interfaces.cli import main; sys.argv = ['zhaoshang'] + sys.argv[1:]; main()"
FLOOR = "import duckdb, typer"


def _time(args: list[str], env: dict, runs: int) -> dict:
    walls, cpus = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, capture_output=True, cwd=tempfile.gettempdir())
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    best = min(range(runs), key=walls.__getitem__)
    out = {"best_seconds": round(walls[best], 3), "median_seconds": round(sorted(walls)[runs // 2], 3),
           "cpu_seconds_best_run": round(cpus[best], 3)}
    p = subprocess.run([sys.executable, "-X", "importtime", *args], env=env, capture_output=True, text=True,
                       cwd=tempfile.gettempdir())
    lines = [ln.split("|") for ln in p.stderr.splitlines() if ln.startswith("import time:") and "|" in ln]
    timed = [ln for ln in lines if ln[0].split(":")[1].strip().isdigit()]
    names = {ln[2].strip() for ln in timed}
    out["import_seconds"] = round(sum(int(ln[0].split(":")[1]) for ln in timed) / 1e6, 3)
    out["imports"] = [m for m in HEAVY if m in names]
    return out


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 5
    src = argv[argv.index("--src") + 1] if "--src" in argv else str(ROOT / "src")
    tmp = Path(tempfile.mkdtemp(prefix="bench_startup_"))
    db = argv[argv.index("--db") + 1] if "--db" in argv else str(tmp / "empty.duckdb")
    env = {**os.environ, "PYTHONPATH": src, "ZHAOSHANG_TEAM_DB": str(tmp / "team.sqlite")}
    env.pop("ZHAOSHANG_DB", None)
    floor = _time(["-c", FLOOR], env, runs)
    # what the chain model's check imports: scikit-learn's vectoriser before, scipy.sparse now (chain/model.py)
    model_check = {"sklearn_vectoriser": _time(["-c", "import sklearn.feature_extraction.text"], env, runs),
                   "scipy_sparse": _time(["-c", "import scipy.sparse"], env, runs)}
    cmds = {}
    for c in COMMANDS:
        r = _time(["-c", RUN, "--db", db, *c], env, runs)
        r["ratio"] = round(r["best_seconds"] / floor["best_seconds"], 2) if floor["best_seconds"] else None
        cmds[" ".join(c)] = r
    print(json.dumps({"benchmark": "startup", "src": src, "runs": runs, "floor": floor, "commands": cmds,
                      "model_check_imports": model_check,
                      "load_average": [round(x, 2) for x in os.getloadavg()],
                      "machine": {"nproc": os.cpu_count(), "python": platform.python_version()}},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
