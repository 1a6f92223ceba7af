"""Benchmark: events per second through the alert rules (evaluate, deduplicate, store).

Builds (or takes, ``--db PATH``) a synthetic database with ``bench_api.build`` (N enterprises in real
districts, chain placements, fundings; labelled synthetic), adds E event records set-based in DuckDB —
fundings with amounts, news with sentiment and news event types, branches, legal-representative changes, for
random enterprises — puts 1 % of the enterprises in the lead pipeline and saves the four example rules of
docs/data-formats.md ("Alert rules"): a funding ≥ 1亿 in 杭州市's gap segments, strongly negative news about a
杭州 enterprise, a pipeline target's branch, a target's key-person change. It then times ``feed.run`` over all
events (read in batches, enriched with regions and placements, evaluated, every match stored once in the
team state) against a reference: one bare DuckDB query counting the events each rule would match, nothing
stored. ``ratio`` = ours / bare.

    .venv/bin/python bench/bench_alerts.py [EVENTS] [--enterprises 200000] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.pipeline import leads as _leads  # noqa: E402,F401  (registers the pipeline tables)

RULES = """
rules:
  - {name: 缺失环节大额融资, types: [funding], gaps_of: "330100", min_amount_wan: 10000}
  - {name: 本地企业负面新闻, types: [news], regions: ["330100"], max_sentiment: -0.5}
  - {name: 目标设立分支, types: [branch, investment], targets: [pipeline]}
  - {name: 目标关键人变动, types: [change_legal_rep, personnel], targets: [pipeline]}
"""


def add_events(store, n: int) -> None:
    con = store.con
    con.execute("SELECT setseed(0.42)")
    con.execute(f"""
        INSERT INTO events
        WITH e AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM enterprises),
        c AS (SELECT count(*) AS n FROM enterprises),
        r AS (SELECT i, floor(random() * (SELECT n FROM c))::BIGINT AS k, random() AS u, random() AS v
              FROM range({n}) t(i))
        SELECT 1000000000 + r.i, e.id, DATE '2024-01-01' + (r.i % 365)::INTEGER,
               CASE WHEN r.u < 0.4 THEN 'funding' WHEN r.u < 0.8 THEN 'news' WHEN r.u < 0.9 THEN 'branch'
                    ELSE 'change_legal_rep' END AS type,
               'bench event ' || r.i,
               CASE WHEN r.u < 0.4 THEN to_json(struct_pack(amount_wan := round(r.v * 40000)))
                    WHEN r.u < 0.8 THEN to_json(struct_pack(sentiment := round(r.v * 2 - 1, 3),
                                                           event_type := CASE WHEN r.v < 0.1 THEN 'personnel' ELSE 'other' END))
                    ELSE NULL END,
               'bench', r.i, 'bench', 'k' || r.i, NULL
        FROM r JOIN e USING (k)""")


def bare(store, pipeline: list[int], gaps: set[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    ids = ", ".join(str(i) for i in pipeline) or "NULL"
    gl = ", ".join(f"'{g}'" for g in gaps) or "NULL"
    n = store.con.execute(f"""
        SELECT count(*) FILTER (WHERE v.type = 'funding' AND TRY_CAST(json_extract(v.detail, '$.amount_wan') AS DOUBLE) >= 10000
                                  AND EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = v.enterprise_id AND p.node_code IN ({gl})))
             + count(*) FILTER (WHERE v.type = 'news' AND TRY_CAST(json_extract(v.detail, '$.sentiment') AS DOUBLE) <= -0.5
                                  AND '330100' IN (x.province_code, x.city_code, x.district_code))
             + count(*) FILTER (WHERE v.type IN ('branch', 'investment') AND v.enterprise_id IN ({ids}))
             + count(*) FILTER (WHERE (v.type = 'change_legal_rep' OR json_extract_string(v.detail, '$.event_type') = 'personnel')
                                  AND v.enterprise_id IN ({ids}))
        FROM events v JOIN enterprises x ON x.id = v.enterprise_id""").fetchone()[0]
    return time.perf_counter() - t0, int(n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("events", nargs="?", type=int, default=100_000)
    ap.add_argument("--enterprises", type=int, default=200_000)
    ap.add_argument("--db")
    a = ap.parse_args()
    from bench_api import build

    from zhaoshang.services.alerts import evaluate as E
    from zhaoshang.services.alerts import feed
    from zhaoshang.services.alerts import rules as R

    tmp = tempfile.mkdtemp()
    path = a.db or str(Path(tmp) / "bench.duckdb")
    t0 = time.perf_counter()
    if not a.db:
        build(path, a.enterprises)
    with Store(path) as store:
        with store.transaction():
            store.con.execute("DELETE FROM events WHERE source = 'bench'")
            add_events(store, a.events)
    built = time.perf_counter() - t0
    team = open_team_db(str(Path(tmp) / "team.sqlite"))
    with Store(path, read_only=True) as store:
        pipeline = [r[0] for r in store.con.execute("SELECT id FROM enterprises USING SAMPLE 1 PERCENT (reservoir, 7)").fetchall()]
        with team.tx() as tx:  # open leads of the pipeline, written directly (the benchmark times the rules)
            for eid in pipeline:
                tx.execute("INSERT INTO pipeline_leads (enterprise_id, enterprise_name, region_code, region_name, region_level, "
                           "status, source, created_by, created_at, updated_at) VALUES (?, '', '330100', '杭州市', 'city', "
                           "'contacted', 'manual', 'bench', '', '')", [eid])
        R.import_yaml(store, team, RULES, owner="local")
        ctx = E.context(store, team, R.list_rules(team))
        t1 = time.perf_counter()
        res = feed.run(store, team, since="1900-01-01")  # every event (a first run reads only the last 90 days)
        ours = time.perf_counter() - t1
        ref, expected = bare(store, pipeline, ctx.gaps["330100"])
    out = {"benchmark": "alerts", "enterprises": a.enterprises if not a.db else None, "events": res["events"],
           "rules": res["rules"], "alerts": len(res["alerts"]), "bare_matches": expected,
           "seconds": round(ours, 3), "events_per_second": round(res["events"] / ours), "bare_seconds": round(ref, 3),
           "ratio": round(ours / ref, 1), "build_seconds": round(built, 1)}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
