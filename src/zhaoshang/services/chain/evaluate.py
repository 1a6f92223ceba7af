"""Measuring the chain classifier on real public data (method and figures: docs/methods.md).

- ``evaluate_itjuzi``: precision and recall against the IT桔子 AI-company list, whose ``sub_industry``
  is mapped to chain nodes by ``data/chain_label_map_itjuzi.yaml``. Input to the classifier: brand and
  legal name, description and the top-level ``industry`` (never ``sub_industry``, the label).
- ``evaluate_registration``: AI vs non-AI on the enterprise-registration sample — how many rows of the
  keyword stratum and of the random stratum are placed on any node, plus obvious cases.

Both build a throw-away in-memory store, so they never touch a user's database.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from ...core.errors import UserError
from ...core.store import Store
from .classify import classify
from .taxonomy import DATA_DIR, Taxonomy, load_taxonomy

LABEL_MAP = DATA_DIR.parent / "chain_label_map_itjuzi.yaml"


def load_label_map(path: str | Path | None = None) -> dict[str, Any]:
    p = Path(path or LABEL_MAP)
    with open(p, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
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
        raise UserError(f"标签映射属于产业链 {lm['chain']}，而分类体系是 {tax.chain}")
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


def evaluate_registration(csv_path: str | Path, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """AI placement rates per sampling stratum of the registration sample, and obvious-case checks."""
    tax = taxonomy or load_taxonomy()
    with Store(":memory:") as store:
        con = store.con
        con.execute("""INSERT INTO enterprises (id, name, uscc, scope, industry)
            SELECT row_number() OVER (), 企业名称, 统一社会信用代码, 经营范围, NULL
            FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)])
        con.execute("""CREATE TEMP TABLE strata AS SELECT row_number() OVER () AS id, sample_stratum AS stratum,
            经营范围 AS scope FROM read_csv(?, all_varchar = true, header = true)""", [str(csv_path)])
        classify(store, tax)
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
