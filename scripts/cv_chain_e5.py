"""The ninth candidate, measured out of fold: the pair reader with e5 reading the clause of each candidate word.

    python scripts/cv_chain_e5.py [--data ../shared/data] [--cache FILE] [--emb-cache FILE] [--show N] [--ablate]

The eighth candidate's pair reader (``cv_chain_pairs.py``: its pairs, features, check probabilities, folds, training
rows and model, imported, not copied) with features from multilingual-e5-small (``services.matching.semantic``) over
one text per (row, node) pair: the window of the node's strongest word (tier strong > industry name > medium > weak,
then the field order name, products, description, industry, scope, tags, then the first occurrence) — 20 characters
either side of the word in the field's normalised text, not crossing 。；;！？ or a line break —, embedded as a passage
with the field's Chinese label in front ("主营产品：…"). Features: (a) the cosine of that passage with the node's query
(``NODE_QUERIES``, the guide's definition of the node in Chinese) and its margin over the best other node's query; (b)
its cosines with four role queries (``ROLE_QUERIES``: the firm's own business, a market served, a technique used, a side
line) and the own-business margin; (c) the 384-d passage embedding itself, each dimension standardised, times a scale
of the grid (0: without). (a) and (b) are standardised over all candidate pairs (no label read). Embeddings are cached
by text hash in ``--emb-cache`` (never in the repository). Candidate, grid, order and rule: docs/methods.md, "Ninth
candidate: e5 reads the clause of each candidate word". Test rows are never read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cv_chain_model as cv  # noqa: E402
import cv_chain_pairs as cp  # noqa: E402
from chain_passages import FIELD_LABEL, FIELD_ORDER, HALF, STOP, pair_text  # noqa: E402,F401

from zhaoshang.services.chain import model as m  # noqa: E402
from zhaoshang.services.chain import pairs as pr  # noqa: E402
from zhaoshang.services.chain import training  # noqa: E402
from zhaoshang.services.chain.taxonomy import load_taxonomy  # noqa: E402
from zhaoshang.services.matching import semantic  # noqa: E402

GRID = {"c": [0.1, 0.3], "bar": [0.30, 0.35, 0.40], "scale": [0.0, 0.25, 0.5, 1.0]}
PAIR_READER = {"c": 0.1, "bar": 0.35}  # the eighth candidate's chosen setting (gate off)
REF_ALONE, REF_COMBINED, MARGIN = 0.7448, 0.7432, 0.005

# The guide's node definitions (docs/gold-labelling.md, "Nodes", the "belongs" column) in Chinese, after the node's
# name in ai.yaml: what the firm makes or sells on that node. Written before any figure of this candidate was read.
NODE_QUERIES = {
    "U01": "AI芯片：企业设计和销售芯片，集成电路设计、数字芯片、模拟芯片、射频芯片、SoC、人工智能加速芯片、芯片分销",
    "U02": "服务器与算力设备：企业生产和销售服务器、计算机、存储设备、数据中心和企业网络设备（交换机、路由器）",
    "U03": "智算中心与算力租赁：企业运营数据中心（IDC）、云计算平台、算力租赁、内容分发网络（CDN）和数据中心基础设施（制冷、机柜），电信运营商集团",
    "U04": "数据服务：企业提供数据采集、数据标注、大数据平台和数据分析、商业智能、数据库、数据信息服务、地理信息（GIS）空间数据平台",
    "U05": "传感器：企业生产和销售传感器、激光雷达、雷达、MEMS、图像传感器、深度相机、RFID读写器",
    "U06": "先进封装与半导体制造：企业生产晶圆、半导体材料和化学品（光刻胶、抛光液、靶材、电子气体）、半导体设备，从事封装测试，生产功率半导体和分立器件、混合集成电路",
    "U07": "光模块与光电子：企业生产光模块、光通信器件、光纤光缆、激光器和激光设备、LED芯片和封装、光学元件和镜头",
    "M01": "通用大模型：机构研发通用基础大模型，核心业务是通用人工智能和机器学习研究",
    "M02": "行业大模型：机构研发金融、医疗、法律、工业等领域的行业大模型",
    "M03": "多模态：企业研发多模态模型，视觉语言模型、文生图、文生视频",
    "M04": "框架与开发平台：企业提供人工智能和机器学习平台、开发者平台、SDK和API、中间件、设备操作系统、MLOps",
    "M05": "计算机视觉：企业提供图像识别、人脸识别、OCR文字识别、视频分析、机器视觉（工业相机、视觉检测）、三维视觉和SLAM",
    "M06": "语音与自然语言处理：企业提供语音识别和语音合成、自然语言处理、机器翻译、聊天机器人和智能客服、文本分析",
    "M07": "知识图谱：企业提供知识图谱、语义搜索、推荐引擎、人工智能驱动的精准营销",
    "M08": "AI安全：企业提供网络安全、信息安全、加密、身份认证、内容安全、电子数据取证",
    "D01": "机器人：企业生产和销售工业机器人、服务机器人、特种机器人、教育机器人和机器人零部件（减速器、伺服、控制器）、AGV",
    "D02": "自动驾驶与车联网：企业研发自动驾驶、ADAS、车联网、车载终端和智能座舱、智能交通系统（交通管理、ETC、列车控制）",
    "D03": "低空经济与无人机：企业生产无人机、飞控系统、eVTOL，提供无人机服务和零部件",
    "D04": "AR/VR与智能终端：企业生产和销售AR/VR设备和内容、智能手机、电视、音箱、耳机、可穿戴设备、智能家居设备、品牌消费电子",
    "D05": "医疗AI与生物计算：企业提供医疗人工智能、医学影像AI、医疗机器人、数字健康和医疗信息化、AI药物发现、健康数据设备",
    "D06": "金融AI：企业提供金融科技，智能风控、量化交易、智能投顾、信用评分、支付技术、金融软件和金融信息平台",
    "D07": "智能制造与工业检测：企业提供工业互联网、工业软件（MES、制造业ERP）、智能装备、机器视觉检测、工业控制和运动控制、预测性维护",
    "D08": "政务服务：企业提供电子政务、智慧法院和法律科技、面向政府的社保和财政信息化",
    "D09": "智慧教育：企业提供教育科技，自适应学习、智慧校园、教育机器人、AI辅导、语言学习应用",
    "D10": "安防与智慧城市：企业生产和销售视频监控、安防产品和系统，提供智慧城市和智慧社区平台",
    "D11": "物流与智慧港口：企业提供智慧物流、仓储自动化和物流机器人、物流软件、无人配送",
    "D12": "能源与资源勘探：企业提供智能电网、能源管理和能源物联网、资源遥感、智能勘探",
    "D13": "AIGC/内容/游戏：企业提供AIGC、数字人、游戏、网络视频和IPTV、数字内容平台、AI媒体工具",
    "D14": "脑机接口：企业研发脑机接口、脑电设备、神经调控",
}
# The roles of the hand count of false pairs ("What the evidence can carry", 3.): what the firm makes or sells, against
# a market served, a technique used, a side line. Written before any figure of this candidate was read.
ROLE_QUERIES = {
    "own": "企业自己研发、生产和销售的主营产品或服务",
    "market": "产品所服务的客户、市场和应用领域",
    "technique": "企业所利用、借助或基于的技术手段",
    "side": "经营范围中列出的众多附带经营项目之一",
}


def embed_cached(texts: list[str], query: bool, cache: dict) -> tuple[np.ndarray, int, float]:
    """Unit vectors of ``texts`` with a disk cache by text hash; returns the vectors, the number embedded, seconds."""
    kind = "q" if query else "p"
    keys = [kind + hashlib.sha1(x.encode("utf-8")).hexdigest() for x in texts]
    todo = sorted({k: x for k, x in zip(keys, texts) if k not in cache}.items())
    t0 = time.process_time()
    for j in range(0, len(todo), 64):
        part = todo[j:j + 64]
        vecs = semantic.embed([x for _, x in part], query=query)
        for (k, _), v in zip(part, vecs):
            cache[k] = v
        if j % 1024 == 0:
            print(f"embedded {j + len(part)} / {len(todo)}", file=sys.stderr, flush=True)
    cpu = time.process_time() - t0
    return np.stack([cache[k] for k in keys]), len(todo), cpu


def cosines(P: np.ndarray, Q: np.ndarray, R: np.ndarray, nodes: list[str], code_order: list[str]):
    """(a) each passage's cosine with its node's query and the margin over the best other node's; (b) its cosines with
    the role queries and the own-business margin over the best other role."""
    col = {c: j for j, c in enumerate(code_order)}
    S = P @ Q.T
    own = np.array([S[k, col[nd]] for k, nd in enumerate(nodes)])
    other = np.array([np.max(np.delete(S[k], col[nd])) for k, nd in enumerate(nodes)])
    SR = P @ R.T
    return np.column_stack([own, own - other]), np.column_stack([SR, SR[:, 0] - SR[:, 1:].max(axis=1)])


def z(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def bootstrap(t: dict, before: list, after: list, draws: int, seed: int = 5) -> dict:
    """Paired bootstrap over the development rows (drawn with replacement, 1,981 a draw) of node micro-F1, after −
    before; per-row counts of right, placed and labelled level-2 pairs (checked against ``evaluate.score_gold``)."""
    n = len(t["rows"])
    counts = []
    for pl in (before, after):
        tp, pr = np.zeros(n), np.zeros(n)
        for i, nd in set(pl):
            pr[i] += 1
            tp[i] += nd in t["labels"][i]
        counts.append((tp, pr))
    gold = np.array([len(x) for x in t["labels"]], dtype=float)

    def f1(tp, pr, gd):
        return 2 * tp.sum() / (pr.sum() + gd.sum()) if pr.sum() + gd.sum() else 0.0

    full = [f1(tp, pr, gold) for tp, pr in counts]
    rng = np.random.default_rng(seed)
    d = []
    for _ in range(draws):
        ix = rng.integers(0, n, n)
        d.append(f1(counts[1][0][ix], counts[1][1][ix], gold[ix]) - f1(counts[0][0][ix], counts[0][1][ix], gold[ix]))
    d = np.array(d)
    return {"node_f1_before": round(full[0], 4), "node_f1_after": round(full[1], 4), "draws": draws,
            "mean": round(float(d.mean()), 4), "sd": round(float(d.std()), 4),
            "p5": round(float(np.percentile(d, 5)), 4), "p95": round(float(np.percentile(d, 95)), 4),
            "share_above_0": round(float((d > 0).mean()), 3), "share_at_margin": round(float((d >= MARGIN).mean()), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--cache", default="", help="pickle of the check's out-of-fold probabilities (cv_chain_pairs.py's)")
    ap.add_argument("--emb-cache", default="", help="pickle of embeddings by text hash (outside the repository)")
    ap.add_argument("--show", type=int, default=0, help="moved pairs to list")
    ap.add_argument("--ablate", action="store_true", help="after the choice: the chosen setting without (a), (b), (c)")
    ap.add_argument("--embed-only", action="store_true", help="embed the passages and stop")
    ap.add_argument("--bootstrap", type=int, default=0,
                    help="after the choice: a paired bootstrap over the rows of the chosen setting against the pair reader")
    ap.add_argument("--save", default="", help="an .npz of the pairs' out-of-fold probabilities (pair reader, grid)")
    a = ap.parse_args()
    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    tax = load_taxonomy()
    t = training.gold_training_set(a.data, tax, labellers=set(training.ROUNDS_1_4))  # the rows it was measured on
    rows, nodes, n = t["rows"], t["nodes"], len(t["rows"])
    pairs, base, occs = cp.build_pairs(t, tax)
    y = np.array([1 if nd in t["labels"][i] else 0 for i, nd in pairs])
    pi = np.array([i for i, _ in pairs])
    texts_of = {}
    passages = []
    for (i, _nd), occ in zip(pairs, occs):
        if i not in texts_of:
            texts_of[i] = pr.evidence_texts(t["records"][i], tax)
        passages.append(pair_text(texts_of[i], occ))

    cache: dict = {}
    if a.emb_cache and Path(a.emb_cache).is_file():
        with open(a.emb_cache, "rb") as fh:
            cache = pickle.load(fh)
    wall = time.time()
    P, n_new, cpu = embed_cached(passages, False, cache)
    wall = time.time() - wall
    code_order = sorted(NODE_QUERIES)
    Q, _, _ = embed_cached([NODE_QUERIES[c] for c in code_order], True, cache)
    R, _, _ = embed_cached(list(ROLE_QUERIES.values()), True, cache)
    if a.emb_cache:
        with open(a.emb_cache, "wb") as fh:
            pickle.dump(cache, fh)
    cost = {"pairs": len(pairs), "rows": n, "distinct_passages": len(set(passages)), "embedded_now": n_new,
            "cpu_s": round(cpu, 1), "wall_s": round(wall, 1),
            "passages_per_cpu_s": round(n_new / cpu, 1) if cpu and n_new else None,
            "mean_passage_chars": round(float(np.mean([len(x) for x in passages])), 1)}
    print(json.dumps({"cost": cost}, ensure_ascii=False), file=sys.stderr, flush=True)
    if a.embed_only:
        return

    rawA, rawB = cosines(P, Q, R, [nd for _, nd in pairs], code_order)
    A, B, Cz = z(rawA), z(rawB), z(P)
    dense = {"a": A, "b": B, "c": Cz}

    folds = np.array([cv._hash(r) % cp.FOLDS for r in rows])
    keep = np.array([r.get("labeller") in cp.TRAIN_LABELLERS for r in rows])
    outer = cp.check_probs(t, folds, a.cache)
    oof = np.full((n, 1 + len(nodes)), np.nan)
    for f in range(cp.FOLDS):
        sel = folds == f
        oof[sel] = cp.prob_table(outer[f], n, nodes)[sel]
    probs7 = {"*": oof[:, 0], **{nd: oof[:, 1 + j] for j, nd in enumerate(nodes)}}
    seventh = cv.decide(t, probs7, {k: m.DEFAULTS.get(k, 2.0) for k in cv.GRID})
    fe = pr.with_check(base, pairs, oof, nodes)
    reg_like = np.array([m.scope_only(e) for e in t["records"]])

    def fit(parts: dict[str, float], c: float, drop: tuple = ()) -> np.ndarray:
        """Out-of-fold probabilities of the pair reader with the dense blocks ``parts`` (block → scale)."""
        X = [{k: v for k, v in d.items() if not k.startswith(drop)} for d in fe] if drop else fe
        p = np.zeros(len(pairs))
        for f in range(cp.FOLDS):
            tr = np.where((folds[pi] != f) & keep[pi])[0]
            te = np.where(folds[pi] == f)[0]
            vec = DictVectorizer()
            Xtr, Xte = vec.fit_transform([X[k] for k in tr]), vec.transform([X[k] for k in te])
            blocks = [dense[b] * s for b, s in parts.items() if s]
            if blocks:
                D = np.hstack(blocks)
                Xtr, Xte = sparse.hstack([Xtr, D[tr]]), sparse.hstack([Xte, D[te]])
            lr = LogisticRegression(C=c, solver="liblinear", random_state=m.SEED, max_iter=1000)
            lr.fit(pr.int32(Xtr), y[tr])
            p[te] = lr.predict_proba(pr.int32(Xte))[:, 1]
        return p

    def placed(p, bar):
        return [pairs[k] for k in np.where(p >= bar)[0]]

    def combined(p, bar):
        return [x for x in placed(p, bar) if not reg_like[x[0]]] + [x for x in seventh if reg_like[x[0]]]

    step = lambda r: next((k for k, b in enumerate(cv.REG_PRECISION_STEPS) if (r["reg_ai_p"] or 0) >= b), None)  # noqa: E731

    def order(res):
        return sorted((r for r in res if step(r) is not None and (r["reg_ai_r"] or 0) >= cv.MIN_REG_RECALL),
                      key=lambda r: (step(r), -r["node_f1"], -r["stage_f1"], r["c"], -r["bar"], r["scale"]))

    p_base = fit({}, PAIR_READER["c"])
    base_alone = cv.figures(t, placed(p_base, PAIR_READER["bar"]), tax, by_source=True)
    base_comb = cv.figures(t, combined(p_base, PAIR_READER["bar"]), tax, by_source=True)
    print("baseline pair reader fitted", file=sys.stderr, flush=True)
    probs, res, res_c = {}, [], []
    for c in GRID["c"]:
        for s in GRID["scale"]:
            probs[(c, s)] = p = fit({"a": 1.0, "b": 1.0, "c": s}, c)
            for bar in GRID["bar"]:
                res.append({"c": c, "bar": bar, "scale": s, **cv.figures(t, placed(p, bar), tax)})
                res_c.append({"c": c, "bar": bar, "scale": s, **cv.figures(t, combined(p, bar), tax)})
            print(f"fitted C {c} scale {s}", file=sys.stderr, flush=True)
    ch, ch_c = (order(res) or [None])[0], (order(res_c) or [None])[0]
    if a.save:
        np.savez_compressed(a.save, rows=pi, nodes=np.array([nd for _, nd in pairs]), y=y, base=p_base,
                            **{f"c{c:g}_s{s:g}": v for (c, s), v in probs.items()})
    out = {"cost": cost, "seventh": cv.figures(t, seventh, tax, by_source=True),
           "pair_reader": base_alone, "pair_reader_combined": base_comb,
           "chosen_alone": ch, "chosen_combined": ch_c,
           "gain_alone": bool(ch and ch["node_f1"] >= REF_ALONE + MARGIN),
           "gain_combined": bool(ch_c and ch_c["node_f1"] >= REF_COMBINED + MARGIN),
           "grid_alone": res, "grid_combined": res_c}
    if ch:
        p = probs[(ch["c"], ch["scale"])]
        mine = placed(p, ch["bar"])
        out["chosen_alone_by_source"] = cv.figures(t, mine, tax, by_source=True)["by_source"]
        out["moved_vs_pair_reader"] = cp.moved(t, placed(p_base, PAIR_READER["bar"]), mine, pairs, occs, args_show=a.show)
        if a.show:
            lab = t["labels"]
            ex = {}
            for name, sa, sb, right in (("false removed", placed(p_base, PAIR_READER["bar"]), mine, False),
                                        ("right won", mine, placed(p_base, PAIR_READER["bar"]), True),
                                        ("false added", mine, placed(p_base, PAIR_READER["bar"]), False),
                                        ("right lost", placed(p_base, PAIR_READER["bar"]), mine, True)):
                ks = [k for k, pr in enumerate(pairs) if pr in set(sa) - set(sb) and (pr[1] in lab[pr[0]]) == right]
                ex[name] = [f"{rows[pairs[k][0]]['name']} {pairs[k][1]} ({'|'.join(sorted(lab[pairs[k][0]])) or '-'}): "
                            f"{passages[k]}" for k in ks[:a.show]]
            out["moved_passages"] = ex
    if ch_c:
        p = probs[(ch_c["c"], ch_c["scale"])]
        out["chosen_combined_by_source"] = cv.figures(t, combined(p, ch_c["bar"]), tax, by_source=True)["by_source"]
    if a.bootstrap and ch and ch_c:
        b0 = placed(p_base, PAIR_READER["bar"])
        out["after_bootstrap"] = {
            "alone": bootstrap(t, b0, placed(probs[(ch["c"], ch["scale"])], ch["bar"]), a.bootstrap),
            "combined": bootstrap(t, combined(p_base, PAIR_READER["bar"]),
                                  combined(probs[(ch_c["c"], ch_c["scale"])], ch_c["bar"]), a.bootstrap)}
    if a.ablate and ch:
        ab = {}
        full = {"a": 1.0, "b": 1.0, "c": ch["scale"]}
        for name, parts in (("without (a)", {**full, "a": 0.0}), ("without (b)", {**full, "b": 0.0}),
                            ("without (c)", {**full, "c": 0.0}), ("(a) only", {"a": 1.0}),
                            ("(c) only at scale 0.5", {"c": 0.5})):
            p = fit(parts, ch["c"])
            ab[name] = {"alone": cv.figures(t, placed(p, ch["bar"]), tax),
                        "combined": cv.figures(t, combined(p, ch["bar"]), tax)}
        out["after_ablations"] = ab
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
