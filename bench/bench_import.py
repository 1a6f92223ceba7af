"""Benchmark: importing an N-row enterprise registry export (CSV, Chinese headers) into a fresh database.

The full import — reading, column recognition, parsing dates/capital/credit codes, regions from the
province/city/district columns, name normalisation, linking, provenance records, events — runs in a
child process (so its peak memory is measured alone), side by side with two references, each in a process of
its own, the better of two runs: a bare DuckDB read of the same file into an in-memory table of text columns
with no memory limit (``reference_bare_duckdb_read_seconds``, ``ratio``), and the same read under the import's
own conditions — into a fresh database file, under the import's memory limit, checkpointed
(``reference_persisted_read_seconds``, ``ratio_to_persisted_read``). Prints one JSON document.

    .venv/bin/python bench/bench_import.py [N] [--delta]      (default 1,000,000)
    .venv/bin/python bench/bench_import.py --write FILE N [--month M]
    .venv/bin/python bench/bench_import.py --files FILE [NEXT_MONTH_FILE]   (exports written before)

``--delta`` also imports the same registry's export a month later (renamed, moved, deregistered, gone and
new enterprises, about 1 % each) and reports its time as a fraction of the first import. ``--write`` only
writes the export (``--month M``: M months later) and prints what changed.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from zhaoshang.core.parse.uscc import make_uscc
from zhaoshang.core.store import Store

HEADER = ["企业名称", "统一社会信用代码", "法定代表人", "成立日期", "注册资本", "企业类型", "登记状态",
          "所属省份", "所属城市", "所属区县", "注册地址", "经营范围"]
STEMS = "澜芯 曜石 深瞳 云杉 启元 星衍 智汇 极光 鸿蒙 墨瞻 霆矽 鲲谦 枢磐 熠弦 翊峰 湍廷 睿博 砺行 朗程 知微".split()
WORDS = ["智能科技", "信息技术", "数据科技", "电子", "软件", "机器人", "光电", "半导体", "网络科技", "贸易"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
SCOPES = ["人工智能应用软件开发；软件开发；信息系统集成服务", "集成电路设计；集成电路芯片及产品销售",
          "工业机器人制造；智能机器人销售", "餐饮服务；食品销售", "货物进出口；技术进出口；日用百货销售",
          "计算机视觉技术开发；数据处理服务", "建筑材料销售；五金产品批发"]
BOILER = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）"


def write_file(path: Path, n: int, seed: int = 7, month: int = 0) -> dict:
    """An N-row CSV like a registry export: real district names, valid credit codes, mixed text.

    ``month`` > 0 writes the same registry that many months later: the same rows, except that about one
    enterprise in a hundred each was renamed, moved to another district, deregistered (注销) or is gone, and
    N/100 per month are new. Returns those counts (by enterprise)."""
    store = Store(":memory:")
    districts = store.query("""SELECT d.code, p.name AS p, c.name AS c, d.name AS d FROM regions d
        JOIN regions c ON c.code = d.city_code JOIN regions p ON p.code = d.province_code WHERE d.level = 'district'""")
    store.close()
    rng = random.Random(seed)

    counts = dict.fromkeys(("renamed", "moved", "deregistered", "disappeared", "new"), 0)
    # streamed row by row: the writer's memory stays flat at any N
    fh = open(path, "w", encoding="utf-8", newline="")
    out = csv.writer(fh, lineterminator="\n")
    out.writerow(HEADER)
    for i in range(n + month * (n // 100)):
        d = districts[rng.randrange(len(districts))]
        # the credit code carries the division where the enterprise registered: its district, or (one in
        # fifty) another one it has since moved from
        div = d["code"] if i % 50 else districts[i % len(districts)]["code"]
        name = f"{d['c'].rstrip('市')}{rng.choice(STEMS)}{i}{rng.choice(WORDS)}{rng.choice(FORMS)}"
        scope = rng.choice(SCOPES) + "。" + BOILER
        status = "存续" if i % 11 else "注销"
        change = (i * 7919 + month * 104729) % 100 if month and i < n else None
        if change == 3:
            counts["disappeared"] += 1
            continue
        if change == 0:
            name = name.replace(str(i), f"{i}新", 1)
            counts["renamed"] += 1
        elif change == 1:
            d = districts[(districts.index(d) + 1 + i % 7) % len(districts)]
            counts["moved"] += 1
        elif change == 2 and status != "注销":
            status = "注销"
            counts["deregistered"] += 1
        counts["new"] += i >= n
        out.writerow([name, make_uscc(10_000_000 + i, div), "张" + "伟芳娜敏静丽强磊军洋"[i % 10],
                      f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{(i % 997 + 1) * 10}万元人民币",
                      "有限责任公司(自然人投资或控股)", status, d["p"], d["c"], d["d"],
                      f"{d['p']}{d['c']}{d['d']}科技路{i % 500}号", scope])
    fh.close()
    return counts


def bare_read(path: Path) -> float:
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{path}', all_varchar = true, header = true)")
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


def persisted_read(path: Path) -> float:
    """The same bare read under the import's own conditions: into a fresh database file (spilling beside it),
    DuckDB's memory limit the import's (its share of ``ZHAOSHANG_IMPORT_MEMORY``, by ``core.memory``), then
    ``CHECKPOINT`` so the table is in the file."""
    from zhaoshang.core.memory import IMPORT_DEFAULT, IMPORT_SHARE, IMPORT_VAR, duckdb_limit

    with tempfile.TemporaryDirectory(dir=os.environ.get("ZHAOSHANG_BENCH_TMP")) as tmp:
        con = duckdb.connect(str(Path(tmp) / "bare.duckdb"))
        con.execute(f"SET memory_limit = '{duckdb_limit(IMPORT_VAR, IMPORT_DEFAULT, IMPORT_SHARE)}'")
        t = time.perf_counter()
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{path}', all_varchar = true, header = true)")
        con.execute("CHECKPOINT")
        elapsed = time.perf_counter() - t
        con.close()
    return elapsed


CHILD = """
import json, resource, sys, time
from zhaoshang.core.store import Store
from zhaoshang.core.importers import import_files
marks = []
def progress(*a, description=None, **k):
    if description:
        marks.append((description.split("（")[0], time.perf_counter()))
def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
def run(path, date):
    marks.clear()
    t, c = time.perf_counter(), cpu()
    store = Store(sys.argv[1])
    rep = import_files(store, "enterprises", [path], source="registry", rejects_dir=sys.argv[3], data_date=date,
                       progress=progress)
    store.close()
    end = time.perf_counter()
    steps = {}
    for (a, b), (_, b2) in zip(marks, marks[1:] + [("", end)]):  # a step reported more than once (its parts) sums
        steps[a] = round(steps.get(a, 0) + b2 - b, 2)
    return {"seconds": end - t, "cpu_seconds": round(cpu() - c, 1), "steps": steps, "imported": rep.rows_imported, "rejected": rep.rows_rejected,
            "changes": rep.changes}
out = {"first": run(sys.argv[2], "2026-10-01")}
if len(sys.argv) > 4:
    out["delta"] = run(sys.argv[4], "2026-11-01")
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out, ensure_ascii=False))
"""


def main(n: int, delta: bool = False, files: list[str] | None = None) -> dict:
    with tempfile.TemporaryDirectory(dir=os.environ.get("ZHAOSHANG_BENCH_TMP")) as tmp:
        tmp = Path(tmp)
        csv = tmp / "registry.csv"
        t = time.perf_counter()
        extra = []
        if files:  # exports written before (--write): a 10 M-row file is written once
            csv, extra = Path(files[0]), files[1:2]
            delta = bool(extra)
            with open(csv, "rb") as fh:
                n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1
        else:
            # generated in its own process: a large parent would be inherited by the import child's peak RSS
            subprocess.run([sys.executable, __file__, "--write", str(csv), str(n)], check=True, capture_output=True)
        gen = time.perf_counter() - t
        if delta and not files:  # the same registry's export a month later
            extra = [str(tmp / "registry-next-month.csv")]
            subprocess.run([sys.executable, __file__, "--write", extra[0], str(n), "--month", "1"], check=True,
                           capture_output=True)
        load_before = os.getloadavg()
        # the bare read in a process of its own too: a child forked from a large parent reports the parent's
        # size as its own peak (Linux keeps the high-water mark across exec)
        bare, persisted = (min(float(subprocess.run([sys.executable, __file__, flag, str(csv)], check=True,
                                                    capture_output=True, text=True).stdout) for _ in range(2))
                           for flag in ("--bare", "--persisted"))
        out = subprocess.run([sys.executable, "-c", CHILD, str(tmp / "z.duckdb"), str(csv), str(tmp)] + extra,
                             capture_output=True, text=True, check=True)
        child = json.loads(out.stdout.strip().splitlines()[-1])
        first = child["first"]
        doc = {
            "benchmark": "import_enterprises_csv",
            "rows": n,
            "file_mb": round(csv.stat().st_size / 1e6, 1),
            "generate_seconds": None if files else round(gen, 1),
            "reference_bare_duckdb_read_seconds": round(bare, 2),
            # the same read into a database file under the import's cap, checkpointed: the like-for-like reference
            "reference_persisted_read_seconds": round(persisted, 2),
            "import_seconds": round(first["seconds"], 2),
            "import_cpu_seconds": first["cpu_seconds"],  # both cores' user + system time: less disturbed by load
            "ratio": round(first["seconds"] / bare, 2),
            "ratio_to_persisted_read": round(first["seconds"] / persisted, 2),
            "rows_per_second": round(n / first["seconds"]),
            "steps_seconds": first["steps"],
            "peak_rss_mb": round(child["peak_rss_mb"]),
            "imported": first["imported"],
            "rejected": first["rejected"],
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
                        "memory_cap": os.environ.get("ZHAOSHANG_IMPORT_MEMORY", "1GB"),
                        "load_average_before": [round(x, 2) for x in load_before],
                        "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        }
        if delta:
            d = child["delta"]
            doc["delta"] = {"seconds": round(d["seconds"], 2), "cpu_seconds": d["cpu_seconds"],
                            "fraction_of_first": round(d["seconds"] / first["seconds"], 3),
                            "ratio_to_bare_read": round(d["seconds"] / bare, 2),
                            "ratio_to_persisted_read": round(d["seconds"] / persisted, 2), "changes": d["changes"],
                            "steps_seconds": d["steps"]}
        return doc


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:  # --write FILE N [--month M]: the export M months later
        month = int(sys.argv[5]) if sys.argv[4:5] == ["--month"] else 0
        print(json.dumps(write_file(Path(sys.argv[2]), int(sys.argv[3]), month=month)))
    elif sys.argv[1:2] == ["--bare"]:
        print(bare_read(Path(sys.argv[2])))
    elif sys.argv[1:2] == ["--persisted"]:
        print(persisted_read(Path(sys.argv[2])))
    elif sys.argv[1:2] == ["--files"]:
        print(json.dumps(main(0, files=sys.argv[2:4]), ensure_ascii=False))
    else:
        args = [a for a in sys.argv[1:] if a != "--delta"]
        print(json.dumps(main(int(args[0]) if args else 1_000_000, delta="--delta" in sys.argv), ensure_ascii=False))
