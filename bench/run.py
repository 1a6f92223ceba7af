"""Run the benchmarks in bench/ (all, or those named) and print one JSON document per benchmark.

    .venv/bin/python bench/run.py                 # every bench_*.py with its default size
    .venv/bin/python bench/run.py import classify # bench_import.py and bench_classify.py
    .venv/bin/python bench/run.py import=200000   # with an argument

Each benchmark prints its figures and a ratio against a reference run side by side; docs/benchmarks.md
records them with the machine they ran on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(args: list[str]) -> int:
    wanted = args or sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    rc = 0
    for item in wanted:
        name, _, arg = item.partition("=")
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            sys.stderr.write(f"没有这个基准: {name}\n")
            rc = 2
            continue
        sys.stderr.write(f"== {name}\n")
        proc = subprocess.run([sys.executable, str(script)] + ([arg] if arg else []))
        rc = rc or proc.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
