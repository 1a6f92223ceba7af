"""The demo bureau's example alert rules (data/demo/alert_rules.yaml): a watchlist of the region's first leads — the
top of its 招商线索 as the leads page and ``zhaoshang leads`` rank them (``ranked_leads``: reachability counted) — and
two rules, saved for the local user so the 预警规则 page of ``make demo`` opens with rules and their alerts."""

from __future__ import annotations

from pathlib import Path

from ...core.config import ConfigFile
from ..alerts import feed
from ..alerts import rules as R
from ..leads.mine import ranked_leads

DEMO_RULES = Path(__file__).resolve().parents[2] / "data" / "demo" / "alert_rules.yaml"


def seed_alert_rules(store, team, *, owner: str = R.LOCAL, path: str | Path = DEMO_RULES) -> dict:
    """Save (or replace) the example rules of ``owner`` and evaluate the database's events against them;
    returns the rules and how many alerts they raised."""
    f = ConfigFile.read(path, "演示预警规则文件", "demo alert rules file")
    region = str(f.get("region") or "")
    watch = dict(f.mapping("watchlist"))
    top = int(f.number("watchlist.top", lo=1, hi=50, integer=True))
    del watch["top"]
    leads = ranked_leads(store, region, top=top, team=team)["rows"]
    specs = ([{**watch, "enterprises": [r["enterprise_id"] for r in leads]}] if leads else []) + f.items("rules")
    saved = [R.add(store, team, spec, owner=owner, replace=True) for spec in specs]
    raised = feed.run(store, team, since="1900-01-01")["alerts"]
    return {"rules": saved, "alerts": len(raised)}
