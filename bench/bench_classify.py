"""Benchmark: classify N synthetic enterprises onto the AI chain (rules-v1 checked by the trained model;
the same run without the model is timed too).

Text is generated here from a small seeded vocabulary (fictional names; scope phrases with AI and
non-AI business, registry boilerplate and exclusion clauses). Reference, side by side: jieba word
segmentation alone of the same texts (the least any jieba-based classifier must spend), measured on a
sample and expressed as enterprises per second. Prints one JSON document.

    .venv/bin/python bench/bench_classify.py [N]      (default 200000)
"""

from __future__ import annotations

import json
import random
import sys
import time

import pyarrow as pa

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


def make(n: int, seed: int = 7) -> pa.Table:
    rnd = random.Random(seed)
    ids, names, scopes = [], [], []
    for i in range(1, n + 1):
        ai = rnd.random() < 0.3
        parts = rnd.sample(PLAIN, 3) + (rnd.sample(AI, rnd.randint(1, 2)) if ai else [])
        rnd.shuffle(parts)
        scope = rnd.choice(BOILER[2:]) + "；".join(parts) + rnd.choice(EXCL) + rnd.choice(BOILER[:2])
        ids.append(i)
        names.append(f"{rnd.choice(CITY)}{rnd.choice(WORD)}{rnd.choice(WORD)}{'科技' if ai else '商贸'}有限公司")
        scopes.append(scope)
    return pa.table({"id": ids, "name": names, "scope": scopes})


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    data = make(n)
    store = Store(":memory:")
    store.con.register("bench_src", data)
    store.con.execute("INSERT INTO enterprises (id, name, scope) SELECT id, name, scope FROM bench_src")
    store.con.unregister("bench_src")
    t0 = time.perf_counter()
    summary = classify(store)
    secs = time.perf_counter() - t0
    t0 = time.perf_counter()
    rules = classify(store, use_model=False)  # the same run without the trained model's check
    secs_rules = time.perf_counter() - t0

    import jieba

    jieba.initialize()
    sample = min(n, 20_000)
    texts = [a + " " + b for a, b in zip(data.column("name").to_pylist()[:sample], data.column("scope").to_pylist()[:sample])]
    t1 = time.perf_counter()
    for s in texts:
        jieba.lcut(s, HMM=False)
    ref_rate = sample / (time.perf_counter() - t1)
    rate = n / secs
    print(json.dumps({
        "benchmark": "classify", "enterprises": n, "seconds": round(secs, 2), "enterprises_per_s": round(rate),
        "placed": summary["placed"], "placements": summary["placements"],
        "seconds_rules_only": round(secs_rules, 2), "placed_rules_only": rules["placed"],
        "reference": "jieba segmentation alone (HMM off), same texts", "reference_enterprises_per_s": round(ref_rate),
        "ratio_vs_reference": round(rate / ref_rate, 2),
        "minutes_per_million": round(1_000_000 / rate / 60, 2),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
