"""Backtest runs the methods page (方法与回测) shows: those saved in the database by ``backtest score --save``
(e.g. the demo's) and those published with the package (``data/backtests/*.json``: the real-data runs of
docs/methods.md, each the JSON a ``backtest score --label … --format json`` printed)."""

from __future__ import annotations

import json
from pathlib import Path

from ...core import jsonenc
from .scorecard import load_weights

PUBLISHED = Path(__file__).resolve().parents[2] / "data" / "backtests"
DDL = """CREATE TABLE IF NOT EXISTS backtests (
    label VARCHAR, as_of DATE NOT NULL, horizon_days INTEGER NOT NULL, node VARCHAR, doc VARCHAR NOT NULL,
    saved_at TIMESTAMP)"""


def save_backtest(store, doc: dict, label: str | None = None) -> dict:
    """Store a backtest's document (replacing the earlier run of the same label, date, horizon and node)."""
    doc = {**doc, "label": label or doc.get("label")}
    with store.transaction() as con:
        con.execute(DDL)
        con.execute("DELETE FROM backtests WHERE coalesce(label, '') = coalesce(?, '') AND as_of = ? AND horizon_days = ? "
                    "AND coalesce(node, '') = coalesce(?, '')", [doc["label"], doc["as_of"], doc["horizon_days"], doc.get("node")])
        con.execute("INSERT INTO backtests VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [doc["label"], doc["as_of"], doc["horizon_days"], doc.get("node"), jsonenc.dumps(doc)])
    return doc


def saved_backtests(store) -> list[dict]:
    """The runs saved in this database, latest date first."""
    has = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'backtests'").fetchone()[0]
    if not has:
        return []
    rows = store.con.execute("SELECT doc, saved_at FROM backtests ORDER BY as_of DESC, label").fetchall()
    return [{**json.loads(doc), "saved_at": saved} for doc, saved in rows]


def published_backtests(folder: Path = PUBLISHED) -> list[dict]:
    """The real-data runs published with the package (docs/methods.md, "Backtest of the score")."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def scorecard_weights() -> dict:
    """The weights the scorecard scores with — every profile's 企业评估, the library's stored batch and
    ``zhaoshang score`` without ``--weights``: the hand weights of the shipped file (its version), which a backtest
    runs as ``score_hand``. The weights learned before a date (``score_learned``) are the backtest's method only."""
    return {"model": "score_hand", "version": load_weights()["version"]}


def methods_doc(store) -> dict:
    """What the methods page shows: the published real-data runs and the runs saved in this database, which of a
    run's scores is the scorecard's (``scorecard``), and how right the chain placements every view stands on are on
    the gold set's test part (``chain_quality``)."""
    from ..chain.evaluate import published_quality
    from ..chain.taxonomy import load_taxonomy
    from ..regions.matrix import default_chain

    tax = load_taxonomy()  # the package's chain: its figures say nothing of a chain a team installed itself
    quality = published_quality(tax) if default_chain(store) == tax.chain else None
    return {"published": published_backtests(), "saved": saved_backtests(store), "synthetic": store.synthetic,
            "scorecard": scorecard_weights(), "chain_quality": quality}
