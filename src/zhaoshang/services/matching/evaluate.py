"""Measuring scenario matching on the labelled set (docs/methods.md, "Scenario matching": how it was built).

The corpus is the IT桔子 AI-company list (read from the shared data, imported with the ``itjuzi_companies``
preset into a throw-away in-memory store and classified); the demands are ``data/matching/eval_demands.csv``
(imported with the ``scenario_demands`` preset); the judgements ``data/matching/eval_judgements.csv`` say, for
pooled (demand, company) pairs, whether the company can serve the demand (1) or not (0). The split of each
demand (dev/test) is fixed by a hash of its key (``chain.gold.split_of``), never by its content.

Figures: MRR (reciprocal rank of the first relevant company in the top 100) and recall@10 (share of a demand's
relevant companies in its top 10), averaged over the demands of the split that have at least one relevant company.
"""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path
from typing import Any, Iterable

from ...core.importers import import_files
from ...core.store import Store
from ..chain.classify import classify
from ..chain.gold import split_of
from . import semantic as sem
from .match import rank_enterprises
from .profiles import demand_nodes, demand_rows, request_text

ITJUZI = "ai_companies/itjuzi_china_ai_companies_2018-12.csv"
METHODS = {"bm25": {"nodes": 0.0}, "bm25_nodes": {}, "bm25_nodes_semantic": {}}
DEPTH = 100


def shared_itjuzi(data: str | Path | None = None) -> Path:
    """The IT桔子 file in the public data directory (``data``, else $ZHAOSHANG_SHARED_DATA, else ../shared/data)."""
    import os

    from ...core.errors import UserError

    p = Path(data or os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data") / ITJUZI
    if not p.exists():
        raise UserError(f"找不到公开数据文件: {p}（用 --data 或 ZHAOSHANG_SHARED_DATA 指定目录）",
                        f"public data file not found: {p} (give the directory with --data or ZHAOSHANG_SHARED_DATA)")
    return p


def data_file(name: str) -> Path:
    return Path(str(importlib.resources.files("zhaoshang").joinpath("data", "matching", name)))


def read_judgements(path: str | Path | None = None) -> dict[str, dict[str, int]]:
    """demand key → company key (IT桔子 company_seq) → 1 (can serve) / 0 (cannot)."""
    out: dict[str, dict[str, int]] = {}
    with open(path or data_file("eval_judgements.csv"), encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            out.setdefault(r["demand"], {})[r["company_seq"]] = int(r["relevant"])
    return out


def corpus_store(itjuzi_csv: str | Path, demands_csv: str | Path | None = None) -> Store:
    """An in-memory store holding the companies (classified) and the labelled demands."""
    store = Store(":memory:")
    import_files(store, "enterprises", [str(itjuzi_csv)], preset="itjuzi_companies")
    import_files(store, "demands", [str(demands_csv or data_file("eval_demands.csv"))], preset="scenario_demands")
    classify(store)
    return store


def rankings(store: Store, method: str, demand_keys: Iterable[str] | None = None, depth: int = DEPTH) -> dict[str, list[str]]:
    """demand key → company keys, best first, by one method (``METHODS``)."""
    from ..chain.taxonomy import load_taxonomy

    tax = load_taxonomy()
    keys = {r[0]: r[1] for r in store.con.execute(
        "SELECT enterprise_id, source_key FROM enterprise_records WHERE source = 'itjuzi'").fetchall()}
    dem = {r[1]: r[0] for r in store.con.execute("SELECT id, source_key FROM demands").fetchall()}
    wanted = list(demand_keys) if demand_keys is not None else sorted(dem)
    rows = {d["id"]: d for d in demand_rows(store, [dem[k] for k in wanted if k in dem])}
    use_sem = method.endswith("semantic")
    out = {}
    for k in wanted:
        d = rows[dem[k]]
        res = rank_enterprises(store, request_text(d["text"], d["organisation"]), demand_nodes(d["text"], d["node"], tax, organisation=d["organisation"]), top=depth,
                               include_inactive=True, semantic=use_sem, weights_override=METHODS[method], tax=tax)
        out[k] = [keys.get(r["enterprise_id"]) for r in res]
    return out


def metrics(ranked: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> dict[str, Any]:
    rr, rec, n = 0.0, 0.0, 0
    for k, ranking in ranked.items():
        rel = {c for c, v in judged.get(k, {}).items() if v}
        if not rel:
            continue
        n += 1
        first = next((i for i, c in enumerate(ranking, 1) if c in rel), None)
        rr += 1.0 / first if first else 0.0
        rec += len(rel & set(ranking[:10])) / len(rel)
    return {"demands": n, "mrr": round(rr / n, 4) if n else None, "recall_at_10": round(rec / n, 4) if n else None}


def evaluate(itjuzi_csv: str | Path, split: str = "test", methods: Iterable[str] | None = None,
             judgements: str | Path | None = None, limit: int | None = None) -> dict[str, Any]:
    """MRR and recall@10 of each method on one split (``dev`` or ``test``); ``limit`` keeps the first demands."""
    judged = read_judgements(judgements)
    keys = sorted(k for k in judged if split in ("all", split_of("matching", k)))[:limit]
    methods = [m for m in (methods or METHODS) if m in METHODS and (not m.endswith("semantic") or sem.available())]
    with corpus_store(itjuzi_csv) as store:
        res = {m: metrics(rankings(store, m, keys), judged) for m in methods}
    pairs = sum(len(judged[k]) for k in keys)
    return {"split": split, "demands": len(keys), "pairs_judged": pairs,
            "relevant_pairs": sum(v for k in keys for v in judged[k].values()),
            "semantic_available": sem.available(), "methods": res}
