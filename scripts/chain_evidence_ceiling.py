"""What the evidence can carry: keyword ceilings of chain placement on the gold development part.

    python scripts/chain_evidence_ceiling.py [--data ../shared/data] [--sample 30] [--false-pairs]
                                             [--oof-cache FILE] [--show N]

For every labelled (row, node) pair of the development rows: does the evidence the classifier reads for that row
(every field ``gold.load_evidence`` gives it: name, products, description, industry, scope, tags — normalised,
boilerplate and exclusion clauses removed as the classifier does, ``normalize_text``) hold ANY word of that node
(its own and its sub-nodes' strong, medium or weak keywords and industry names in the taxonomy, in any field,
ignoring weights, gates, masks and the jieba check)? Each word is matched alone with the classifier's own
``keyword_regex`` (ASCII words at ASCII word boundaries, as RE2 reads them), so no word masks another.

Oracles, scored by ``evaluate.score_gold`` as the classifier is:
  (a) places exactly the labelled pairs whose node has a taxonomy word in the evidence, nothing else;
  (b) the same with each node's word list opened to the guide's words for it (docs/gold-labelling.md, the node
      definitions, written in Chinese below: GUIDE_WORDS), and (b+) to the change log's words too (GUIDE_LOG_WORDS);
  (w) every (row, node) whose node has a taxonomy word in the evidence (what reading words alone proposes).
``--sample 30`` prints a hash-chosen sample of the labelled pairs with no taxonomy word of their node, with the
evidence, to be read by hand. ``--false-pairs`` (heavy: five model fits; run under the shared lock) recomputes the
shipped version's out-of-fold placements exactly as ``cv_chain_model.py --shipped-only --compare L1,L3,L5`` scores its
restricted model (each fold's model trained on its rounds 1–3 rows, the shipped setting) and splits its false pairs by
what placed them. Test rows are never read. Method and figures: docs/methods.md, "What the evidence can carry (dev)".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from zhaoshang.services.chain import gold as g
from zhaoshang.services.chain.evaluate import score_gold
from zhaoshang.services.chain.pairs import evidence_texts, node_words, word_regex
from zhaoshang.services.chain.taxonomy import load_taxonomy, normalize_keyword

# where a word stands in the classifier's reading: the main business, or a side line / market clause
MAIN_FIELDS = {"name", "products", "description", "industry", "scope", "tags"}
SIDE_FIELDS = {"products_rest", "products_side", "scope_rest", "applications"}

# The guide's node definitions (docs/gold-labelling.md, "Nodes", the "belongs" column), each phrase in the Chinese
# words an analyst writes it with. Translation only: no word is here for a row it would reach.
GUIDE_WORDS = {
    "U01": ["芯片", "集成电路", "集成电路设计", "芯片设计", "ic设计", "数字芯片", "模拟芯片", "射频芯片", "soc", "ai加速",
            "人工智能芯片", "ai芯片", "fabless", "无晶圆", "芯片分销"],
    "U02": ["服务器", "计算机", "存储", "存储设备", "数据中心设备", "网络设备", "交换机", "路由器"],
    "U03": ["数据中心", "idc", "云平台", "云计算", "算力租赁", "cdn", "内容分发", "机柜", "制冷", "电信运营商", "基础电信"],
    "U04": ["数据采集", "数据标注", "大数据", "数据分析", "商业智能", "bi", "数据库", "数据服务", "地理信息", "gis", "空间数据"],
    "U05": ["传感器", "激光雷达", "雷达", "mems", "图像传感器", "深度相机", "rfid", "读写器", "射频识别"],
    "U06": ["晶圆", "硅片", "半导体材料", "光刻胶", "抛光液", "cmp", "靶材", "电子气体", "特种气体", "半导体设备", "封装",
            "封测", "封装测试", "功率半导体", "功率器件", "分立器件", "混合集成电路"],
    "U07": ["光模块", "光通信", "光器件", "光纤", "光缆", "激光", "激光器", "激光设备", "led芯片", "led封装", "光学元件",
            "光学器件", "镜头", "透镜"],
    "M01": ["通用大模型", "基础模型", "基座模型", "通用人工智能", "人工智能研究", "机器学习"],
    "M02": ["行业大模型", "领域大模型", "垂直大模型"],
    "M03": ["多模态", "视觉语言", "图文", "文生图", "文生视频"],
    "M04": ["人工智能平台", "机器学习平台", "开发平台", "开发者平台", "开放平台", "sdk", "api", "中间件", "操作系统", "mlops"],
    "M05": ["图像识别", "人脸识别", "ocr", "文字识别", "视频分析", "机器视觉", "工业相机", "视觉检测", "三维视觉", "3d视觉",
            "slam", "计算机视觉"],
    "M06": ["语音识别", "语音合成", "自然语言处理", "nlp", "机器翻译", "聊天机器人", "智能客服", "文本分析"],
    "M07": ["知识图谱", "语义搜索", "推荐引擎", "推荐系统", "精准营销"],
    "M08": ["网络安全", "信息安全", "加密", "身份认证", "内容安全", "电子数据取证", "数字取证"],
    "D01": ["机器人", "工业机器人", "服务机器人", "特种机器人", "教育机器人", "减速器", "伺服", "控制器", "agv"],
    "D02": ["自动驾驶", "adas", "车联网", "车载终端", "智能座舱", "座舱", "智能交通", "交通管理", "etc", "列车控制"],
    "D03": ["无人机", "飞控", "飞行控制", "evtol", "无人机服务"],
    "D04": ["ar", "vr", "增强现实", "虚拟现实", "智能手机", "手机", "电视", "音箱", "耳机", "可穿戴", "智能家居", "消费电子"],
    "D05": ["医疗人工智能", "医学影像", "医疗机器人", "数字健康", "医疗信息化", "医疗信息", "药物发现", "健康设备"],
    "D06": ["金融科技", "风控", "风险控制", "量化交易", "智能投顾", "信用评分", "支付", "金融软件", "金融信息"],
    "D07": ["工业互联网", "工业软件", "mes", "智能装备", "视觉检测", "工业控制", "运动控制", "预测性维护"],
    "D08": ["电子政务", "智慧法院", "法律科技", "社保", "财政"],
    "D09": ["教育科技", "自适应学习", "智慧校园", "教育机器人", "智能辅导", "语言学习"],
    "D10": ["视频监控", "安防", "安防产品", "安防系统", "智慧城市", "智慧社区"],
    "D11": ["智慧物流", "智能物流", "仓储自动化", "仓储机器人", "物流软件", "无人配送"],
    "D12": ["智能电网", "能源管理", "能源物联网", "资源遥感", "遥感", "智能勘探"],
    "D13": ["aigc", "数字人", "游戏", "网络视频", "在线视频", "iptv", "数字内容"],
    "D14": ["脑机接口", "bci", "脑电", "eeg", "神经调控"],
}
# The guide's change log (docs/gold-labelling.md, "Change log"): the words its rules quote for a node.
GUIDE_LOG_WORDS = {
    "U01": ["集成电路块", "半导体分销", "mcu", "mmic"],
    "U02": ["计算机存储产品", "计算机网络设备", "网关"],
    "U03": ["云平台服务", "云基础设施服务", "dcim", "数据中心电源", "精密空调", "机房环境监控", "云网基础设施"],
    "U04": ["地理信息", "地理数据采集", "数字化制图", "gnss"],
    "U05": ["mems传感器"],
    "U06": ["集成电路制造", "封装基板", "测试机", "分选机", "掩膜版", "半导体材料", "电子陶瓷外壳", "晶圆级封装", "集成电路封测"],
    "U07": ["led芯片", "光模块"],
    "M04": ["物联网服务平台", "产品智能升级", "应用性能监控", "apm"],
    "M06": ["电话机器人", "智能客服"],
    "M08": ["计算机网络安全产品", "网络信息安全产品", "身份证阅读", "终端安全"],
    "D01": ["agv"],
    "D02": ["etc", "轨道交通信号", "列车控制"],
    "D04": ["数字电视机", "音箱", "耳机", "手机", "移动智能终端", "智能马桶盖", "智能牙刷", "智能床垫"],
    "D05": ["医疗信息"],
    "D06": ["证券交易软件", "资产管理软件", "银行核心", "信贷风险", "atm", "智慧网点", "pos机", "pos终端"],
    "D07": ["数控技术", "数控软件", "工业自动化系统", "自动化控制产品", "工业自动化软件", "自动化测试系统", "plc"],
    "D08": ["税务"],
    "D09": ["教育软件", "智能交互显示", "交互智能平板"],
    "D10": ["安全技术防范", "超市防窃", "防盗", "智能安防", "智慧城市"],
    "D11": ["航标遥测遥控", "船舶识别", "水上交通管制", "智能快件箱", "自助寄存柜", "智慧港口"],
    "D12": ["智能电表", "智能水表", "智能燃气表", "电能表", "电网自动化", "智能电力", "防窃电", "载波通信", "智慧能源",
            "能源互联网", "电力数字化"],
    "D13": ["cg", "新闻门户", "数字内容"],
    "D14": ["脑电波控制"],
}


_rx = word_regex


def extra_words(table: dict[str, list[str]], have: dict[str, dict[str, list]]) -> dict[str, list[tuple[str, re.Pattern]]]:
    """The words of ``table`` that a node's taxonomy lists do not hold already."""
    out = {}
    for code, ws in table.items():
        known = {w for tier in have[code].values() for w, _ in tier}
        out[code] = [(normalize_keyword(w), _rx(w)) for w in dict.fromkeys(ws) if normalize_keyword(w) not in known]
    return out


def hits(texts: dict[str, str], words: list[tuple[str, re.Pattern]]) -> list[tuple[str, str]]:
    """(field, word) of every word found in any field."""
    return [(f, w) for w, rx in words for f, t in texts.items() if t and rx.search(t)]


def _h(*parts: str) -> int:
    return int(hashlib.sha1(":".join(parts).encode("utf-8")).hexdigest()[:12], 16)


def figures(rows, placed, tax) -> dict:
    o = score_gold(rows, placed, tax)
    reg = o["by_source"][g.REGISTRATION]["ai"]
    return {"stage": o["stages"]["micro"], "node": o["nodes"]["micro"],
            "registration_ai": {"precision": reg["precision"], "recall": reg["recall"], "predicted": reg["predicted"],
                                "gold": reg["gold"]},
            "by_source_node": {s.split("/")[-1]: v["nodes"] for s, v in o["by_source"].items()}}


def ceiling(rows, evidence, tax, sample: int) -> dict:
    words = node_words(tax)
    guide = extra_words(GUIDE_WORDS, words)
    log = extra_words(GUIDE_LOG_WORDS, {c: {**words[c], "guide": guide.get(c, [])} for c in words})
    texts = [evidence_texts(evidence.get((r["source"], r["key"]), {"name": r["name"]}), tax) for r in rows]
    labels = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    kinds = ("strong", "industry", "medium", "weak")  # industry names place by themselves (1.2 × 0.6)
    classes: dict[str, Counter] = defaultdict(Counter)  # source → class of the labelled pairs
    per_node: dict[str, Counter] = defaultdict(Counter)
    oracle_a, oracle_b, oracle_b2, proposed = [], [], [], []
    no_word = []
    for i, (r, tx) in enumerate(zip(rows, texts)):
        src = r["source"].split("/")[-1]
        for code in words:
            found = {k: hits(tx, words[code].get(k, [])) for k in kinds}
            has_tax = any(found.values())
            if has_tax:
                proposed.append((i, code))
            if code not in labels[i]:
                continue
            gfound = hits(tx, guide.get(code, []))
            lfound = hits(tx, log.get(code, []))
            cls = next((k for k in kinds if found[k]), None) or ("guide definitions" if gfound else
                                                                 "guide change log" if lfound else "none")
            classes[src][cls] += 1
            classes["all"][cls] += 1
            per_node[code][cls] += 1
            if has_tax:
                oracle_a.append((i, code))
            if has_tax or gfound:
                oracle_b.append((i, code))
            if has_tax or gfound or lfound:
                oracle_b2.append((i, code))
            if not has_tax:
                no_word.append((i, code, [w for _, w in gfound + lfound]))
    out = {"rows": len(rows), "labelled_pairs": sum(len(x) for x in labels),
           "guide_words_added": sum(len(v) for v in guide.values()), "log_words_added": sum(len(v) for v in log.values()),
           "classes": {k: dict(v) for k, v in classes.items()}, "per_node": {k: dict(per_node[k]) for k in sorted(per_node)},
           "oracle_a": figures(rows, oracle_a, tax), "oracle_b": figures(rows, oracle_b, tax),
           "oracle_b_with_change_log": figures(rows, oracle_b2, tax), "every_word_places": figures(rows, proposed, tax)}
    # the sample to read by hand: labelled pairs with no taxonomy word of their node, lowest hash first
    pick = sorted(no_word, key=lambda x: _h("ceiling", rows[x[0]]["source"], rows[x[0]]["key"], x[1]))[:sample]
    out["sample"] = [{"source": rows[i]["source"].split("/")[-1], "key": rows[i]["key"], "name": rows[i]["name"],
                      "labels": "|".join(sorted(labels[i])), "node": code, "guide_words_found": gw,
                      "evidence": {f: t[:300] for f, t in texts[i].items() if t}} for i, code, gw in pick]
    return out


def rule_evidence(rows, evidence, tax) -> dict[tuple[int, str], list[dict]]:
    """The rules' keyword evidence of each level-2 placement of the rows (rules alone), from the placements' explained
    results."""
    from zhaoshang.core.store import Store
    from zhaoshang.services.chain.classify import classify
    from zhaoshang.services.chain.evaluate import gold_store

    out = {}
    with Store(":memory:") as store:
        gold_store(store, rows, evidence)
        classify(store, tax, use_model=False)
        for eid, node, ev in store.con.execute(
                "SELECT enterprise_id, node_code, evidence FROM placements WHERE chain = ?", [tax.chain]).fetchall():
            if tax.nodes[node].level != 2:
                continue
            ev = json.loads(ev) if isinstance(ev, str) else ev
            kws = [k for p in ev.get("parts", []) if p.get("signal") == "text"
                   for k in ((p.get("detail") or {}).get("keywords") or [])]
            out[(int(eid), node)] = kws
    return out


def out_of_fold_placements(data: str, tax) -> tuple[dict, list[tuple[int, str]]]:
    """The shipped version's out-of-fold placements on the development rows, as ``cv_chain_model.py --shipped-only
    --compare L1,L3,L5`` scores them (each fold's model trained on its rounds 1–3 rows, the shipped setting)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import cv_chain_model as cv
    from zhaoshang.services.chain import model as m
    from zhaoshang.services.chain import training

    t = training.gold_training_set(data, tax)
    probs = cv.out_of_fold(t, m.C, train_labellers={"L1", "L3", "L5"})
    at = {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID}
    return t, cv.decide(t, probs, at)


def misses(rows, evidence, tax, confs, placed) -> dict:
    """The labelled pairs by the strongest taxonomy word of their node in the evidence (strong, medium, weak,
    industry name, none) and by what became of them: placed out of fold, proposed by the rules and dropped by the
    check, never proposed by the rules."""
    words = node_words(tax)
    kinds = ("strong", "industry", "medium", "weak")  # industry names place by themselves (1.2 × 0.6)
    got = set(placed)
    out: dict[str, Counter] = defaultdict(Counter)
    for i, r in enumerate(rows):
        tx = evidence_texts(evidence.get((r["source"], r["key"]), {"name": r["name"]}), tax)
        for code in {tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes}:
            cls = next((k for k in kinds if hits(tx, words[code].get(k, []))), "none")
            fate = "placed" if (i, code) in got else "dropped by the check" if code in confs[i] else "never proposed"
            out[cls][fate] += 1
    return {k: dict(v) for k, v in out.items()}


def false_pairs(rows, evidence, tax, placed, show: int) -> dict:
    labels = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    ev = rule_evidence(rows, evidence, tax)
    right = [(i, n) for i, n in placed if n in labels[i]]
    false = [(i, n) for i, n in placed if n not in labels[i]]
    kinds: Counter = Counter()
    by_source: dict[str, Counter] = defaultdict(Counter)
    listing = []
    for i, n in false:
        kws = ev.get((i, n), [])
        main_strong = [k for k in kws if k.get("field") in MAIN_FIELDS and k.get("tier") == "strong"]
        main_any = [k for k in kws if k.get("field") in MAIN_FIELDS and k.get("tier") in ("strong", "industry")]
        side = [k for k in kws if k.get("field") in SIDE_FIELDS]
        row = "not AI" if not labels[i] else "AI, other node"
        what = ("a strong word of the node in the main business" if main_strong else
                "an industry name of the node" if main_any else
                "side lines (later product lines, scope side items, market clauses)" if side and not
                [k for k in kws if k.get("field") in MAIN_FIELDS] else "medium / weak words only")
        kinds[(row, what)] += 1
        by_source[rows[i]["source"].split("/")[-1]][(row, what)] += 1
        listing.append({"source": rows[i]["source"].split("/")[-1], "key": rows[i]["key"], "name": rows[i]["name"],
                        "labels": "|".join(sorted(labels[i])) or "-", "node": n, "row": row, "what": what,
                        "words": [(k.get("field"), k.get("keyword"), k.get("tier")) for k in kws]})
    non_ai = sum(1 for i, n in false if not labels[i])
    n_gold = sum(len(x) for x in labels)
    tp = len(right)
    gate_p = tp / (len(placed) - non_ai)
    r = tp / n_gold
    listing.sort(key=lambda x: _h("false", x["source"], x["key"], x["node"]))
    return {"predicted": len(placed), "right": tp, "false": len(false), "labelled": n_gold,
            "node_f1": round(2 * tp / (len(placed) + n_gold), 4),
            "kinds": [{"row": a, "what": b, "pairs": c} for (a, b), c in kinds.most_common()],
            "by_source": {s: [{"row": a, "what": b, "pairs": c} for (a, b), c in v.most_common()] for s, v in by_source.items()},
            "false_on_not_ai_rows": non_ai,
            "perfect_gate": {"precision": round(gate_p, 4), "recall": round(r, 4),
                             "node_f1": round(2 * gate_p * r / (gate_p + r), 4)},
            "sample": listing[:show]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--sample", type=int, default=30, help="labelled pairs with no word of their node to print")
    ap.add_argument("--false-pairs", action="store_true", help="the shipped version's out-of-fold false pairs (heavy)")
    ap.add_argument("--show", type=int, default=40, help="false pairs to print (hash-chosen)")
    a = ap.parse_args()
    tax = load_taxonomy()
    rows = [r for r in g.read_gold() if r["split"] == "dev"]
    evidence = g.load_evidence(a.data)
    out = {"ceiling": ceiling(rows, evidence, tax, a.sample)}
    if a.false_pairs:
        t, placed = out_of_fold_placements(a.data, tax)
        assert [(r["source"], r["key"]) for r in t["rows"]] == [(r["source"], r["key"]) for r in rows]
        out["out_of_fold"] = {**false_pairs(rows, evidence, tax, placed, a.show),
                              "labelled_pairs": misses(rows, evidence, tax, t["confs"], placed),
                              "figures": {k: v for k, v in figures(rows, placed, tax).items() if k != "by_source_node"}}
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
