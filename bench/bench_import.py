"""Benchmark: importing an N-row enterprise registry export (CSV, Chinese headers) into a fresh database.

The full import — reading, column recognition, parsing dates/capital/credit codes, regions from the
province/city/district columns, name normalisation, linking, provenance records, events — runs in a
child process (so its peak memory is measured alone), side by side with the reference: a bare DuckDB
read of the same file into a table of text columns. The figure is the ratio. Prints one JSON document.

    .venv/bin/python bench/bench_import.py [N]        (default 1,000,000)
"""

from __future__ import annotations

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


def write_file(path: Path, n: int, seed: int = 7) -> None:
    """An N-row CSV like a registry export: real district names, valid credit codes, mixed text."""
    store = Store(":memory:")
    districts = store.query("""SELECT d.code, p.name AS p, c.name AS c, d.name AS d FROM regions d
        JOIN regions c ON c.code = d.city_code JOIN regions p ON p.code = d.province_code WHERE d.level = 'district'""")
    store.close()
    rng = random.Random(seed)
    codes = [make_uscc(10_000_000 + i, districts[i % len(districts)]["code"]) for i in range(n)]
    con = duckdb.connect()
    import pyarrow as pa

    cols = {h: [] for h in HEADER}
    for i in range(n):
        d = districts[rng.randrange(len(districts))]
        cols["企业名称"].append(f"{d['c'].rstrip('市')}{rng.choice(STEMS)}{i}{rng.choice(WORDS)}{rng.choice(FORMS)}")
        cols["统一社会信用代码"].append(codes[i])
        cols["法定代表人"].append("张" + "伟芳娜敏静丽强磊军洋"[i % 10])
        cols["成立日期"].append(f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}")
        cols["注册资本"].append(f"{(i % 997 + 1) * 10}万元人民币")
        cols["企业类型"].append("有限责任公司(自然人投资或控股)")
        cols["登记状态"].append("存续" if i % 11 else "注销")
        cols["所属省份"].append(d["p"])
        cols["所属城市"].append(d["c"])
        cols["所属区县"].append(d["d"])
        cols["注册地址"].append(f"{d['p']}{d['c']}{d['d']}科技路{i % 500}号")
        cols["经营范围"].append(rng.choice(SCOPES) + "。" + BOILER)
    con.register("t", pa.table(cols))
    con.execute(f"COPY t TO '{path}' (HEADER)")
    con.close()


def bare_read(path: Path) -> float:
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv('{path}', all_varchar = true, header = true)")
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed


CHILD = """
import json, resource, sys, time
from zhaoshang.core.store import Store
from zhaoshang.core.importers import import_files
t = time.perf_counter()
store = Store(sys.argv[1])
rep = import_files(store, "enterprises", [sys.argv[2]], rejects_dir=sys.argv[3])
store.close()
print(json.dumps({"seconds": time.perf_counter() - t, "imported": rep.rows_imported, "rejected": rep.rows_rejected,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv = tmp / "registry.csv"
        t = time.perf_counter()
        # generated in its own process: a large parent would be inherited by the import child's peak-RSS figure
        subprocess.run([sys.executable, __file__, "--write", str(csv), str(n)], check=True)
        gen = time.perf_counter() - t
        bare = min(bare_read(csv) for _ in range(2))
        out = subprocess.run([sys.executable, "-c", CHILD, str(tmp / "z.duckdb"), str(csv), str(tmp)],
                             capture_output=True, text=True, check=True)
        child = json.loads(out.stdout.strip().splitlines()[-1])
        return {
            "benchmark": "import_enterprises_csv",
            "rows": n,
            "file_mb": round(csv.stat().st_size / 1e6, 1),
            "generate_seconds": round(gen, 1),
            "reference_bare_duckdb_read_seconds": round(bare, 2),
            "import_seconds": round(child["seconds"], 2),
            "ratio": round(child["seconds"] / bare, 2),
            "rows_per_second": round(n / child["seconds"]),
            "peak_rss_mb": round(child["peak_rss_mb"]),
            "imported": child["imported"],
            "rejected": child["rejected"],
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
                        "load_average": [round(x, 2) for x in os.getloadavg()]},
        }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_file(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), ensure_ascii=False))
