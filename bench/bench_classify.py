"""Benchmark: classify N synthetic enterprises onto the AI chain (rules-v1 checked by the trained model;
the same run without the model is timed too).

Text is generated set-based in SQL from a small seeded vocabulary (fictional names; scope phrases with AI
and non-AI business, registry boilerplate and exclusion clauses), so 10 M rows build in a minute with flat
memory. Reference, side by side: jieba word segmentation alone of the same texts (the least any
jieba-based classifier must spend), measured on a sample and expressed as enterprises per second. Prints
one JSON document with the peak memory and the load average.

    .venv/bin/python bench/bench_classify.py [N] [--db FILE] [--model-only]   (default N 200000)

``--db FILE`` keeps the enterprises in a database file (built once, reused by the next run of the same N);
``--model-only`` skips the rules-only run (for 10 M). Classification runs under the batch memory cap
(``ZHAOSHANG_BATCH_MEMORY``, default 2GB; ``memory_cap`` in the JSON): give 10 M rows a ``--db`` file, so that
DuckDB spills next to it.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from zhaoshang.core.store import Store
from zhaoshang.services.chain.classify import classify

AI = ["集成电路设计", "芯片研发", "人工智能应用软件开发", "计算机视觉技术开发", "语音识别系统", "工业机器人制造",
      "服务机器人销售", "自动驾驶技术服务", "无人机研发", "大数据服务", "云计算服务", "智能安防系统集成",
      "医学影像软件", "智能风控系统", "数据标注服务", "光模块研发", "激光雷达生产", "智慧教育平台", "虚拟现实设备"]
PLAIN = ["餐饮服务", "服装销售", "日用百货批发", "建筑材料销售", "物业管理", "货物进出口", "食品销售", "汽车维修",
         "房地产经纪", "五金交电零售", "农产品收购", "会议服务", "文化艺术交流", "家具制造", "广告设计制作"]
BOILER = ["【依法须经批准的项目，经相关部门批准后方可开展经营活动】", "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
          "一般项目：", "许可项目：", ""]
EXCL = ["（不含集成电路设计）", "不得从事人工智能芯片研发", "（除危险品）", ""]
CITY = ["杭州", "苏州", "合肥", "成都", "武汉", "西安", "深圳", "青岛"]
WORD = ["云", "智", "星", "衡", "禾", "创", "启", "远", "博", "宇"]


def _arr(xs: list[str]) -> str:
    return "[" + ", ".join("'" + x + "'" for x in xs) + "]"


def fill(store: Store, n: int, seed: int = 7) -> None:
    """Insert N enterprises (id, name, scope) in one set-based statement: every choice from hashes of the id."""
    store.con.execute(f"""
        INSERT INTO enterprises (id, name, scope)
        WITH g AS (SELECT i, (hash(i * 31 + {seed}) >> 2)::BIGINT AS h, (hash(i * 31 + {seed} + 1) >> 2)::BIGINT AS h2 FROM range(1, {n} + 1) t(i)),
        c AS (SELECT i, h, h2, (h // 800) % 10 < 3 AS ai,
                     [{_arr(PLAIN)}[1 + (h // 8000) % {len(PLAIN)}], {_arr(PLAIN)}[1 + (h // 120000) % {len(PLAIN)}],
                      {_arr(PLAIN)}[1 + (h // 1800000) % {len(PLAIN)}]] AS plain,
                     [{_arr(AI)}[1 + h2 % {len(AI)}], {_arr(AI)}[1 + (h2 // {len(AI)}) % {len(AI)}]] AS ai2
              FROM g),
        p AS (SELECT *, CASE WHEN ai THEN list_concat(plain, ai2[1:1 + ((h2 // 400) % 2)::INTEGER]) ELSE plain END AS parts
              FROM c),
        r AS (SELECT *, ((h2 // 800) % len(parts))::INTEGER AS k FROM p)
        SELECT i,
               {_arr(CITY)}[1 + h % {len(CITY)}] || {_arr(WORD)}[1 + (h // 8) % {len(WORD)}]
                 || {_arr(WORD)}[1 + (h // 80) % {len(WORD)}] || CASE WHEN ai THEN '科技' ELSE '商贸' END || '有限公司',
               {_arr(BOILER[2:])}[1 + (h2 // 2400) % 3]
                 || array_to_string(list_concat(parts[k + 1:], parts[1:k]), '；')
                 || {_arr(EXCL)}[1 + (h2 // 7200) % {len(EXCL)}] || {_arr(BOILER[:2])}[1 + (h2 // 28800) % 2]
        FROM r""")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200_000
    db = sys.argv[sys.argv.index("--db") + 1] if "--db" in sys.argv else ":memory:"
    if db in args:
        args.remove(db)
    store = Store(db)
    t0 = time.perf_counter()
    if store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0] != n:
        store.con.execute("DELETE FROM enterprises")
        fill(store, n)
        store.con.execute("CHECKPOINT")
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = classify(store)
    secs = time.perf_counter() - t0
    rss_model = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    rules = None
    if "--model-only" not in sys.argv:
        t0 = time.perf_counter()
        rules = classify(store, use_model=False)  # the same run without the trained model's check
        secs_rules = time.perf_counter() - t0

    import jieba

    jieba.initialize()
    sample = store.con.execute("SELECT name || ' ' || scope FROM enterprises ORDER BY id LIMIT 20000").fetchall()
    t1 = time.perf_counter()
    for (s,) in sample:
        jieba.lcut(s, HMM=False)
    ref_rate = len(sample) / (time.perf_counter() - t1)
    rate = n / secs
    print(json.dumps({
        "benchmark": "classify", "enterprises": n, "build_seconds": round(build, 1), "seconds": round(secs, 2),
        "enterprises_per_s": round(rate), "placed": summary["placed"], "placements": summary["placements"],
        **({"seconds_rules_only": round(secs_rules, 2), "placed_rules_only": rules["placed"]} if rules else {}),
        "reference": "jieba segmentation alone (HMM off), same texts", "reference_enterprises_per_s": round(ref_rate),
        "ratio_vs_reference": round(rate / ref_rate, 2),
        "minutes_per_million": round(1_000_000 / rate / 60, 2),
        "memory_cap": os.environ.get("ZHAOSHANG_BATCH_MEMORY") or os.environ.get("ZHAOSHANG_IMPORT_MEMORY") or "2GB",
        "peak_rss_mb_model_run": rss_model, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }, ensure_ascii=False))
    store.close()


if __name__ == "__main__":
    main()
