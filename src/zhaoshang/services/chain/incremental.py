"""Classification after an update: only the enterprises whose evidence changed are placed again.

A full classification records in ``meta`` (key ``classified:<chain>``) the last import it saw and the
fingerprint of everything that decides a placement (taxonomy and weights, what evidence the classifier reads,
the trained model's file, whether the model checks). The next incremental run, with the same fingerprint, re-places

- the enterprises an import wrote or linked a source record to since (``first_import_id`` / ``last_import_id``
  after the recorded one; a record's industry is evidence even when the enterprise's own value stays),
  the applicants of patents and both ends of branches and shareholdings imported since (their evidence), and
- their parents and children (relation support reads a related enterprise's direct score),

which is exactly the set whose placements can differ: every other enterprise's inputs are unchanged. Any
other case (no record, another taxonomy, weights or model, a classification as of a date) is a full run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .taxonomy import Taxonomy


def _key(tax: Taxonomy) -> str:
    return f"classified:{tax.chain}"


def fingerprint(tax: Taxonomy, use_model: bool, settings: dict[str, str]) -> dict[str, Any]:
    """What decides a placement besides the enterprise's own data: the classifier's ``settings`` (its method
    and the hash of its parameters, given by the classifier) and the model file's digest."""
    from .model import model_path

    p = model_path(tax.chain)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:16] if use_model and p.is_file() else None
    return {"method": settings["method"], "params": settings["params"], "evidence": settings.get("evidence"),
            "model": digest, "use_model": bool(use_model)}


def last_import(store) -> int:
    return int(store.con.execute("SELECT coalesce(max(id), 0) FROM imports").fetchone()[0])


def record(store, tax: Taxonomy, use_model: bool, settings: dict[str, str]) -> None:
    """Remember that the placements now reflect every import so far (after a full or incremental run)."""
    store.set_meta(_key(tax), json.dumps({"import_id": last_import(store), **fingerprint(tax, use_model, settings)}))


def forget(store, tax: Taxonomy) -> None:
    """The placements no longer reflect the current data (e.g. classified as of a past date)."""
    store.con.execute("DELETE FROM meta WHERE key = ?", [_key(tax)])


def full_because(store, tax: Taxonomy, use_model: bool, settings: dict[str, str]) -> str | None:
    """Why an incremental run cannot continue the recorded one: ``first`` (nothing recorded), ``evidence`` (the
    evidence read or its stored form changed), ``settings`` (method, taxonomy or weights), ``model``; None when it can."""
    raw = store.get_meta(_key(tax))
    if not raw:
        return "first"
    state = json.loads(raw)
    now = fingerprint(tax, use_model, settings)
    for why, keys in (("evidence", ("evidence",)), ("settings", ("method", "params")), ("model", ("model", "use_model"))):
        if any(state.get(k) != now.get(k) for k in keys):
            return why
    return None


def changed_since(store, tax: Taxonomy) -> list[int]:
    """Ids of the enterprises whose own evidence changed since the recorded run (one ``full_because`` found
    continuable)."""
    state = json.loads(store.get_meta(_key(tax)))
    k = int(state.get("import_id") or 0)
    rows = store.con.execute("""
        SELECT id FROM enterprises WHERE coalesce(last_import_id, 0) > $k OR coalesce(first_import_id, 0) > $k
        UNION SELECT enterprise_id FROM enterprise_records WHERE import_id > $k
        UNION SELECT pa.enterprise_id FROM patent_applicants pa JOIN patents p ON p.id = pa.patent_id
              WHERE p.import_id > $k AND pa.enterprise_id IS NOT NULL
        UNION SELECT parent_id FROM branches WHERE import_id > $k AND parent_id IS NOT NULL
        UNION SELECT child_id FROM branches WHERE import_id > $k AND child_id IS NOT NULL
        UNION SELECT enterprise_id FROM shareholdings WHERE import_id > $k AND enterprise_id IS NOT NULL
        UNION SELECT holder_enterprise_id FROM shareholdings WHERE import_id > $k AND holder_enterprise_id IS NOT NULL
        """, {"k": k}).fetchall()
    return sorted(r[0] for r in rows)


def pending(store, tax: Taxonomy) -> int:
    """How many enterprises the placements do not yet reflect: those whose evidence changed since the recorded
    classification (``changed_since``), or every enterprise when none is recorded. An import says it, since the map,
    the region pages, the leads and the scores read the placements (``classify`` brings them up to date)."""
    if store.get_meta(_key(tax)):
        return len(changed_since(store, tax))
    return int(store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0])
