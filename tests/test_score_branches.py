"""The scorecard's 近24个月新设分支/子公司 counts the branches and subsidiaries the enterprise opened, as the leads
do (``live.PRESENCE_KINDS``): an outbound investment in the same window is not one."""

from __future__ import annotations

import duckdb

from cli_util import run_json


def test_branches_signal_leaves_out_outbound_investments(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        ref = con.execute("SELECT max(data_date) FROM imports").fetchone()[0]
        eid, kinds, invest = con.execute(
            """SELECT parent_id, count(*) FILTER (WHERE kind IN ('branch', 'subsidiary')),
                      count(*) FILTER (WHERE kind = 'investment')
               FROM branches WHERE date <= ? AND date > ? - INTERVAL 730 DAY AND parent_id IS NOT NULL
               GROUP BY 1 HAVING count(*) FILTER (WHERE kind = 'investment') > 0
                             AND count(*) FILTER (WHERE kind IN ('branch', 'subsidiary')) > 0
               ORDER BY 1 LIMIT 1""", [ref, ref]).fetchone()
    doc = run_json("score", eid, "--as-of", str(ref), db=demo_db)
    found: list = []

    def walk(o):
        if isinstance(o, dict):
            if o.get("signal") == "branches_24m":
                found.append(o["raw"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(doc)
    assert invest > 0 and found and set(found) == {kinds}, (eid, kinds, invest, found)
