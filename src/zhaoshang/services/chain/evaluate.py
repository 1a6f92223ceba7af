"""Measuring the chain classifier on real public data (method and figures: docs/methods.md).

- ``evaluate_itjuzi``: precision and recall against the IT桔子 AI-company list, whose ``sub_industry``
  is mapped to chain nodes by ``data/chain_label_map_itjuzi.yaml``. Input to the classifier: brand and
  legal name, description and the top-level ``industry`` (never ``sub_industry``, the label).
- ``evaluate_registration``: AI vs non-AI on the enterprise-registration sample — how many rows of the
  keyword stratum and of the random stratum are placed on any node, plus obvious cases.

Both build a throw-away in-memory store, so they never touch a user's database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ...core.config import ConfigFile
from ...core.errors import UserError
from ...core.store import Store
from .classify import classify
from .model import load as load_model
from .taxonomy import DATA_DIR, Taxonomy, load_taxonomy

LABEL_MAP = DATA_DIR.parent / "chain_label_map_itjuzi.yaml"


def load_label_map(path: str | Path | None = None) -> dict[str, Any]:
    doc = ConfigFile.read(path or LABEL_MAP, "标签映射文件", "label map file").doc
    labels = {str(k): [str(c) for c in v] for k, v in (doc.get("labels") or {}).items()}
    return {"chain": doc.get("chain"), "labels": labels, "excluded": [str(x) for x in doc.get("excluded") or []]}


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    f = 2 * p * r / (p + r) if p and r else 0.0 if p is not None and r is not None else None
    return {"precision": _r(p), "recall": _r(r), "f1": _r(f), "predicted": n_pred, "gold": n_gold, "tp": tp}


def _r(x):
    return None if x is None else round(x, 4)


def _metrics(gold: dict[Any, set], pred: dict[Any, set], units: list[str]) -> dict[str, Any]:
    """Micro and macro precision/recall; ``gold`` sets list acceptable units (any one is a hit)."""
    ids = list(gold)
    pairs = sum(len(pred.get(i, ())) for i in ids)
    correct = sum(len(pred.get(i, set()) & gold[i]) for i in ids)
    recalled = sum(1 for i in ids if pred.get(i, set()) & gold[i])
    per = {}
    for u in units:
        n_pred = sum(1 for i in ids if u in pred.get(i, ()))
        tp_p = sum(1 for i in ids if u in pred.get(i, ()) and u in gold[i])
        g = [i for i in ids if u in gold[i]]
        tp_r = sum(1 for i in g if pred.get(i, set()) & gold[i])
        if not n_pred and not g:
            continue
        per[u] = {"precision": _r(tp_p / n_pred) if n_pred else None, "recall": _r(tp_r / len(g)) if g else None,
                  "predicted": n_pred, "gold": len(g)}
    ps = [v["precision"] for v in per.values() if v["precision"] is not None and v["gold"]]
    rs = [v["recall"] for v in per.values() if v["recall"] is not None]
    return {
        "micro": {"precision": _r(correct / pairs) if pairs else None, "recall": _r(recalled / len(ids)) if ids else None,
                  "pairs_predicted": pairs, "pairs_correct": correct, "companies": len(ids), "recalled": recalled},
        "macro": {"precision": _r(sum(ps) / len(ps)) if ps else None, "recall": _r(sum(rs) / len(rs)) if rs else None},
        "per_unit": per,
    }


def evaluate_itjuzi(csv_path: str | Path, taxonomy: Taxonomy | None = None,
                    label_map: str | Path | None = None) -> dict[str, Any]:
    """Precision/recall per node and per stage against the IT桔子 sub_industry labels."""
    tax = taxonomy or load_taxonomy()
    lm = load_label_map(label_map)
    if lm["chain"] and lm["chain"] != tax.chain:
        raise UserError(f"标签映射属于产业链 {lm['chain']}，而分类体系是 {tax.chain}", f"the label map is for chain {lm['chain']}, the taxonomy is {tax.chain}")
    with Store(":memory:") as store:
        store.con.execute("""INSERT INTO enterprises (id, name, description, industry)
            SELECT CAST(company_seq AS BIGINT),
                   concat_ws(' ', brand_name, CASE WHEN legal_name <> brand_name THEN legal_name END),
                   description, industry
            FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)])
        labels = dict(store.con.execute(f"""SELECT CAST(company_seq AS BIGINT), sub_industry
            FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)]).fetchall())
        classify(store, tax)
        rows = store.con.execute("SELECT enterprise_id, node_code, confidence FROM placements WHERE chain = ?",
                                 [tax.chain]).fetchall()
    pred_nodes: dict[int, set] = defaultdict(set)
    top: dict[int, tuple[float, str]] = {}
    for eid, code, conf in rows:
        n = tax.nodes[code]
        if n.level == 2:
            pred_nodes[eid].add(code)
            if eid not in top or conf > top[eid][0]:
                top[eid] = (conf, code)
    gold_nodes: dict[int, set] = {}
    unmapped: dict[str, int] = defaultdict(int)
    excluded = 0
    for eid, sub in labels.items():
        if sub in lm["labels"]:
            gold_nodes[eid] = {tax.ancestor_at(c, 2).code for c in lm["labels"][sub]}
        elif sub in lm["excluded"]:
            excluded += 1
        else:
            unmapped[sub or ""] += 1
    l2 = [n.code for n in tax.level(2)]
    node_m = _metrics(gold_nodes, pred_nodes, l2)
    stage = lambda codes: {tax.nodes[c].stage_code for c in codes}  # noqa: E731
    stage_m = _metrics({i: stage(g) for i, g in gold_nodes.items()}, {i: stage(p) for i, p in pred_nodes.items()},
                       [s.code for s in tax.stages()])
    top1 = sum(1 for i, g in gold_nodes.items() if i in top and top[i][1] in g)
    return {
        "dataset": Path(csv_path).name, "companies": len(labels), "labelled": len(gold_nodes), "excluded": excluded,
        "unmapped": dict(unmapped), "placed_any": len(pred_nodes), "placed_any_share": _r(len(pred_nodes) / len(labels)),
        "top1_accuracy": _r(top1 / len(gold_nodes)) if gold_nodes else None,
        "nodes": node_m, "stages": stage_m,
    }


def evaluate_registration(csv_path: str | Path, taxonomy: Taxonomy | None = None, use_model: bool = True) -> dict[str, Any]:
    """AI placement rates per sampling stratum of the registration sample, and obvious-case checks
    (``use_model`` False: the rules alone)."""
    tax = taxonomy or load_taxonomy()
    with Store(":memory:") as store:
        con = store.con
        con.execute("""INSERT INTO enterprises (id, name, uscc, scope, industry)
            SELECT row_number() OVER (), 企业名称, 统一社会信用代码, 经营范围, NULL
            FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)])
        con.execute("""CREATE TEMP TABLE strata AS SELECT row_number() OVER () AS id, sample_stratum AS stratum,
            经营范围 AS scope FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)])
        classify(store, tax, use_model=use_model)
        by = con.execute("""SELECT s.stratum, count(*) AS n,
                   count(*) FILTER (WHERE s.id IN (SELECT enterprise_id FROM placements)) AS placed
            FROM strata s GROUP BY s.stratum ORDER BY s.stratum""").fetchall()
        nodes = con.execute("""SELECT s.stratum, p.node_code, count(DISTINCT p.enterprise_id)
            FROM placements p JOIN strata s ON s.id = p.enterprise_id GROUP BY ALL ORDER BY 1, 3 DESC""").fetchall()
        ic = con.execute("""SELECT count(*),
                   count(*) FILTER (WHERE id IN (SELECT enterprise_id FROM placements WHERE node_code IN ('U01', 'U06')))
            FROM strata WHERE scope LIKE '%集成电路设计%'""").fetchone()
        plain = con.execute("""SELECT count(*),
                   count(*) FILTER (WHERE id IN (SELECT enterprise_id FROM placements))
            FROM strata WHERE regexp_matches(scope, '餐饮|服装') AND NOT regexp_matches(scope,
                '智能|软件|电子|计算机|信息|网络|数据|芯片|集成电路|机器人|通信|自动化|科技|技术开发')""").fetchone()
    strata = {s: {"rows": n, "placed": p, "share": _r(p / n)} for s, n, p in by}
    per_node: dict[str, dict[str, int]] = defaultdict(dict)
    for s, code, n in nodes:
        per_node[s][code] = n
    return {
        "dataset": Path(csv_path).name, "strata": strata, "per_node": dict(per_node),
        "ic_design_rows": ic[0], "ic_design_on_U01_or_U06": ic[1],
        "catering_or_clothing_rows": plain[0], "catering_or_clothing_placed": plain[1],
    }


# ---------------------------------------------------------------------------- gold set
def _prf1(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    f = 2 * p * r / (p + r) if p and r else 0.0
    return {"precision": _r(p), "recall": _r(r), "f1": _r(f), "tp": tp, "predicted": n_pred, "gold": n_gold}


def _pair_metrics(gold: dict[Any, set], pred: dict[Any, set], units: list[str]) -> dict[str, Any]:
    """Micro P/R/F1 over (enterprise, unit) pairs and per unit; enterprises without labels count too."""
    ids = list(gold)
    tp = sum(len(gold[i] & pred.get(i, set())) for i in ids)
    n_pred = sum(len(pred.get(i, set())) for i in ids)
    n_gold = sum(len(gold[i]) for i in ids)
    per = {}
    for u in units:
        g = sum(1 for i in ids if u in gold[i])
        p = sum(1 for i in ids if u in pred.get(i, set()))
        if g or p:
            per[u] = _prf1(sum(1 for i in ids if u in gold[i] and u in pred.get(i, set())), p, g)
    return {"micro": _prf1(tp, n_pred, n_gold), "per_unit": per}


def gold_store(store: Store, rows: list[dict[str, Any]], evidence: dict) -> None:
    """Insert the gold rows with their evidence as enterprises (id = position in ``rows``)."""
    import pyarrow as pa

    recs = [(i, evidence.get((r["source"], r["key"]), {})) for i, r in enumerate(rows)]
    tbl = pa.table({
        "id": [i for i, _ in recs],
        "name": [e.get("name") or rows[i]["name"] for i, e in recs],
        "products": [e.get("products") for _, e in recs],
        "description": [e.get("description") for _, e in recs],
        "industry": [e.get("industry") for _, e in recs],
        "scope": [e.get("scope") for _, e in recs],
        "tags": [e.get("tags") for _, e in recs],
    })
    # the product lines with their shares, as the main_products preset stores them
    pl = [(i, k, p, sh) for i, e in recs for k, (p, sh) in enumerate(e.get("product_lines") or [], 1)]
    lines = pa.table({"enterprise_id": pa.array([x[0] for x in pl], pa.int64()),
                      "line_no": pa.array([x[1] for x in pl], pa.int32()),
                      "product": pa.array([x[2] for x in pl], pa.string()),
                      "share": pa.array([x[3] for x in pl], pa.float64())})
    store.con.register("zs_gold_view", tbl)
    store.con.register("zs_gold_lines", lines)
    try:
        store.con.execute("""INSERT INTO enterprises (id, name, products, description, industry, scope, tags)
            SELECT id, name, products, description, industry, scope, tags FROM zs_gold_view""")
        store.con.execute("""INSERT INTO product_lines (enterprise_id, line_no, product, share, source)
            SELECT enterprise_id, line_no, product, share, 'main_products' FROM zs_gold_lines""")
    finally:
        store.con.unregister("zs_gold_view")
        store.con.unregister("zs_gold_lines")


def evaluate_gold(shared: str | Path, split: str = "dev", taxonomy: Taxonomy | None = None,
                  gold_path: str | Path | None = None, use_model: bool = True,
                  labellers: set[str] | frozenset[str] | None = None) -> dict[str, Any]:
    """Stage- and node-level micro P/R/F1, per-node figures and AI-vs-not-AI on registrations, on a split.

    ``split`` is ``dev``, ``test`` or ``all``; ``labellers`` keeps only the rows those labellers labelled (a labelling
    round's rows: figures published before a round was added are read again on the rows they were measured on). The gold file keeps only keys and labels; the evidence is
    read from the source files under ``shared`` (docs/gold-labelling.md). Each row becomes an enterprise of
    a throw-away in-memory store and is classified with the rules, exactly as an import would be.
    """
    from . import gold as g

    if split not in ("dev", "test", "all"):
        raise UserError(f"未知的划分: {split}（dev | test | all）", f"unknown split: {split} (dev | test | all)")
    tax = taxonomy or load_taxonomy()
    rows = [r for r in g.read_gold(gold_path) if split == "all" or r["split"] == split]
    if labellers:
        unknown = sorted(set(labellers) - {r["labeller"] for r in rows})
        if unknown:
            known = "、".join(sorted({r["labeller"] for r in rows}, key=lambda x: (len(x), x)))
            raise UserError(f"金标准中没有标注者 {'、'.join(unknown)}（有：{known}）",
                            f"no labeller {', '.join(unknown)} in the gold file (there are: {known.replace('、', ', ')})")
        rows = [r for r in rows if r["labeller"] in labellers]
    hint = ("用 --data 或环境变量 ZHAOSHANG_SHARED_DATA 指定公开数据目录",
            "give the public data folder with --data or $ZHAOSHANG_SHARED_DATA")
    if not Path(shared).is_dir():
        raise UserError(f"数据目录不存在: {shared}（{hint[0]}）", f"no such data folder: {shared} ({hint[1]})")
    evidence = g.load_evidence(shared)
    missing = [r for r in rows if (r["source"], r["key"]) not in evidence]
    if missing:
        raise UserError(f"金标准中 {len(missing)} 行在数据目录 {shared} 中找不到（例如 {missing[0]['source']} "
                        f"{missing[0]['key']}；{hint[0]}）",
                        f"{len(missing)} gold rows are not in the data folder {shared} (e.g. {missing[0]['source']} "
                        f"{missing[0]['key']}; {hint[1]})")
    with Store(":memory:") as store:
        gold_store(store, rows, evidence)
        classify(store, tax, use_model=use_model)
        placed = store.con.execute("SELECT enterprise_id, node_code FROM placements WHERE chain = ?", [tax.chain]).fetchall()
    out = score_gold(rows, placed, tax, evidence)
    model = load_model(tax) if use_model else None
    out["method"] = "rules+model" if model is not None else "rules"
    out.update(chain=tax.chain, split=split, labellers=sorted(labellers) if labellers else None,
               model=model.digest if model is not None else None)
    return out


def quality_path(chain: str) -> Path:
    return DATA_DIR / f"{chain}_quality.json"


def published_quality(tax: Taxonomy) -> dict[str, Any] | None:
    """The chain's placements measured on the gold set's test part, published with the package
    (``data/chains/<chain>_quality.json``: the JSON ``evaluate-chain --split test -f json`` printed, with the day it
    was measured): overall, per stage, per node (with the node's names) and per source; ``current`` says whether
    it measured the model this package classifies with. None when the chain has no published figures."""
    p = quality_path(tax.chain)
    if not p.is_file():
        return None
    doc = json.loads(p.read_text(encoding="utf-8"))
    shipped = load_model(tax)
    names = {c: {"name_zh": n.name_zh, "name_en": n.name_en, "stage": n.stage} for c, n in tax.nodes.items()}
    for level in ("nodes", "stages"):
        doc[level]["per_unit"] = {c: {**m, **names.get(c, {})} for c, m in doc[level]["per_unit"].items()}
    from .gold import SOURCE_LABELS

    doc["by_source"] = {src: {**m, "label_zh": SOURCE_LABELS.get(src, (src, src))[0],
                              "label_en": SOURCE_LABELS.get(src, (src, src))[1]} for src, m in doc["by_source"].items()}
    doc["current"] = doc.get("model") == (shipped.digest if shipped is not None else None)
    return doc


def score_gold(rows: list[dict[str, Any]], placed: list[tuple[int, str]], tax: Taxonomy,
               evidence: dict | None = None) -> dict[str, Any]:
    """Figures of placements (enterprise id = row position) against the rows' labels."""
    from . import gold as g

    pred: dict[int, set] = defaultdict(set)
    for eid, code in placed:
        if code in tax.nodes and tax.nodes[code].level >= 2:
            pred[int(eid)].add(tax.ancestor_at(code, 2).code)
    gold_nodes = {i: {tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for i, r in enumerate(rows)}
    unknown = sorted({c for r in rows for c in r["labels"] if c not in tax.nodes})
    stage = lambda codes: {tax.nodes[c].stage_code for c in codes}  # noqa: E731
    l2 = [n.code for n in tax.level(2)]
    out: dict[str, Any] = {
        "rows": len(rows), "labelled_ai": sum(1 for s in gold_nodes.values() if s), "unknown_labels": unknown,
        "nodes": _pair_metrics(gold_nodes, pred, l2),
        "stages": _pair_metrics({i: stage(s) for i, s in gold_nodes.items()}, {i: stage(s) for i, s in pred.items()},
                                [s.code for s in tax.stages()]),
    }
    # AI vs not AI, per source (registration rows are the measure of false alarms)
    by_source: dict[str, dict[str, Any]] = {}
    for src in sorted({r["source"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["source"] == src]
        tp = sum(1 for i in idx if gold_nodes[i] and pred.get(i))
        n_pred = sum(1 for i in idx if pred.get(i))
        n_gold = sum(1 for i in idx if gold_nodes[i])
        node = _pair_metrics({i: gold_nodes[i] for i in idx}, {i: pred.get(i, set()) for i in idx}, l2)["micro"]
        by_source[src] = {"rows": len(idx), "ai": _prf1(tp, n_pred, n_gold), "nodes": node}
    out["by_source"] = by_source
    reg = by_source.get(g.REGISTRATION)
    out["registration_ai_precision"] = reg["ai"]["precision"] if reg else None
    return out
