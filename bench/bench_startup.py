"""Command start-up: how long a few ``zhaoshang`` command lines take from exec to exit, and which heavy
libraries they import, beside the floor every command pays (a Python that imports duckdb and typer).

    .venv/bin/python bench/bench_startup.py [--db FILE] [--runs N] [--src DIR] [--show NAME]

Each command line runs ``--runs`` times (default 5) in a fresh process; wall clock (best, median) and the CPU
time of the best run are reported, then once under ``python -X importtime`` for the import time and which of the
heavy libraries (numpy, pandas, pyarrow, scipy, scikit-learn, igraph, jieba, fastapi) the process held at its end;
also the import of what the chain model's check needs
(scikit-learn's vectoriser before, scipy.sparse now). ``--src`` runs another checkout's source (e.g. an earlier
commit's ``src``) for a before/after comparison. ``--db`` a database for the commands that read one (default:
a new empty one), ``--show NAME`` the enterprise ``show`` asks for (default 合成); ``import enterprises`` imports
two rows into a new database of its own at each run. Prints one JSON document; the ratio is a command's best wall clock over the floor's.
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
            ["pipeline", "list"], ["classify"],
            # an enterprise's profile (--show NAME: one the database holds), a region map
            ["show", "{show}"], ["map", "--level", "city", "--parent", "340000"],
            # two rows imported into a new database each run (its own, never --db): the schema, the region
            # table and the import's Arrow tables
            ["import", "enterprises", "{csv}"])
HEAVY = ("numpy", "pandas", "pyarrow", "scipy", "sklearn", "igraph", "jieba", "fastapi")
# the command as its console script runs it; at exit, the heavy libraries it holds (sys.modules: an import that
# failed, as pandas's in a command, is not counted, where -X importtime lists its attempt)
RUN = ("import json, sys; from zhaoshang.interfaces.cli import main; sys.argv = ['zhaoshang'] + sys.argv[1:]\n"
       "try:\n    main()\nfinally:\n    sys.stderr.write('\\nLOADED ' + json.dumps([m for m in " + repr(HEAVY)
       + " if sys.modules.get(m)]) + '\\n')")
FLOOR = "import duckdb, typer"


def _time(args: list[str], env: dict, runs: int, before=lambda: None) -> dict:
    walls, cpus = [], []
    for _ in range(runs):
        before()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, capture_output=True, cwd=tempfile.gettempdir())
        walls.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    best = min(range(runs), key=walls.__getitem__)
    out = {"best_seconds": round(walls[best], 3), "median_seconds": round(sorted(walls)[runs // 2], 3),
           "cpu_seconds_best_run": round(cpus[best], 3)}
    before()
    p = subprocess.run([sys.executable, "-X", "importtime", *args], env=env, capture_output=True, text=True,
                       cwd=tempfile.gettempdir())
    lines = [ln.split("|") for ln in p.stderr.splitlines() if ln.startswith("import time:") and "|" in ln]
    timed = [ln for ln in lines if ln[0].split(":")[1].strip().isdigit()]
    names = {ln[2].strip() for ln in timed}
    out["import_seconds"] = round(sum(int(ln[0].split(":")[1]) for ln in timed) / 1e6, 3)
    held = [ln for ln in p.stderr.splitlines() if ln.startswith("LOADED ")]
    out["imports"] = json.loads(held[-1][7:]) if held else [m for m in HEAVY if m in names]
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
    show = argv[argv.index("--show") + 1] if "--show" in argv else "合成"
    csv_file = tmp / "two.csv"
    csv_file.write_text("企业名称,成立日期\n甲公司,2020-01-01\n乙公司,2021-06-30\n", encoding="utf-8")
    cmds = {}
    for c in COMMANDS:
        if c[0] == "import":  # a new database for each run: what every first import and every test's import pays
            args = [str(csv_file) if a == "{csv}" else a for a in c]
            new = tmp / "new.duckdb"
            r = _time(["-c", RUN, "--db", str(new), *args], env, runs,
                      before=lambda: [f.unlink() for f in tmp.glob("new.*") if f.is_file()])
        else:
            args = [show if a == "{show}" else a for a in c]
            r = _time(["-c", RUN, "--db", db, *args], env, runs)
        r["ratio"] = round(r["best_seconds"] / floor["best_seconds"], 2) if floor["best_seconds"] else None
        cmds[" ".join(args if c[0] != "import" else c)] = r
    print(json.dumps({"benchmark": "startup", "src": src, "runs": runs, "floor": floor, "commands": cmds,
                      "model_check_imports": model_check,
                      "load_average": [round(x, 2) for x in os.getloadavg()],
                      "machine": {"nproc": os.cpu_count(), "python": platform.python_version()}},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
