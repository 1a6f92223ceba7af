"""Lead weights kept by the team: learned weights (``leads-fit --save``) stored in the team state, so that every
analyst's CLI and the 招商线索 page can rank by them without passing files around.

A weights choice is either a file path (the CLI) or the version name of saved weights (CLI, page, API); the web
takes version names only — it never opens a path a visitor typed. Saving is an audit-log entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ...core.errors import NotFound, UserError
from ...core.teamstate.clock import now
from ..team import audit


def save_weights(team, w: dict, actor: Any = None) -> dict:
    """Store (or replace) weights under their version; returns the listing row."""
    from .mine import load_config

    load_config(w)  # refuse what the lead score could not read
    version = str(w.get("version") or "").strip()
    if not version:
        raise UserError("权重缺少 version，无法保存", "the weights have no version: cannot save them")
    who = actor or audit.cli_actor()
    body, at = json.dumps(w, ensure_ascii=False, default=str), now()
    with team.tx() as tx:
        tx.execute("DELETE FROM lead_weights WHERE version = ?", [version])
        tx.execute("INSERT INTO lead_weights (version, body, saved_by, saved_at) VALUES (?, ?, ?, ?)",
                   [version, body, who, at])
    audit.record(team, who, "lead_weights.save", version, {"fitted": (w.get("fitted") or {}).get("as_of")})
    return _row({"version": version, "body": body, "saved_by": who, "saved_at": at})


def _row(r: dict) -> dict:
    w = json.loads(r["body"])
    f = w.get("fitted") or {}
    return {"version": r["version"], "saved_by": r["saved_by"], "saved_at": r["saved_at"],
            "fitted_as_of": f.get("as_of"), "horizon_days": f.get("horizon_days"), "regions": f.get("regions"),
            "weights": {k: v.get("weight") for k, v in (w.get("signals") or {}).items()}}


def saved_weights(team) -> list[dict]:
    """Saved weights, newest first (without their bodies)."""
    if team is None:
        return []
    with team.tx() as tx:
        rows = tx.query("SELECT version, body, saved_by, saved_at FROM lead_weights ORDER BY saved_at DESC, version")
    return [_row(r) for r in rows]


def get_weights(team, version: str) -> dict:
    """The saved weights of that version (the dict a weights file holds)."""
    row = None
    if team is not None:
        with team.tx() as tx:
            row = tx.one("SELECT body FROM lead_weights WHERE version = ?", [str(version).strip()])
    if not row:
        raise NotFound(f"没有已保存的线索权重版本: {version}（zhaoshang leads-fit --save 保存）",
                       f"no saved lead weights version: {version} (save some with zhaoshang leads-fit --save)",
                       text=str(version).strip())
    return json.loads(row["body"])


def weights_state(team, version: str | None) -> str | None:
    """What a saved version is now, for caches: a fingerprint of its body, which a re-save with other weights or its
    removal (a restored backup without it) changes; None for no version or one not saved."""
    version = (version or "").strip()
    if team is None or not version:
        return None
    with team.tx() as tx:
        row = tx.one("SELECT body FROM lead_weights WHERE version = ?", [version])
    return hashlib.sha256(row["body"].encode()).hexdigest()[:16] if row else None


def resolve_weights(weights: str | Path | dict | None, team=None, *, files: bool = True) -> str | Path | dict | None:
    """A weights choice as the lead score reads it: None (shipped), a file path (only when ``files``) or the
    saved weights of a version name."""
    if weights is None or isinstance(weights, dict) or not str(weights).strip():
        return weights or None
    if files and Path(weights).exists():
        return weights
    if files and team is None:
        return weights  # load_config says the file is missing
    try:
        return get_weights(team, str(weights))
    except NotFound:
        if files:
            raise NotFound(f"权重文件或已保存的线索权重版本不存在: {weights}",
                           f"no such weights file or saved lead weights version: {weights}") from None
        raise
