"""The scorecard's 近24个月新设分支/子公司 counts the branches and subsidiaries the enterprise opened, as the leads
do (``live.PRESENCE_KINDS``): an outbound investment in the same window is not one."""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from cli_util import card_signals, run, run_json


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


def _independent_investor_records(con, ref) -> dict:
    """Investor → (enterprises funded by ``ref``, those with a round after its first one there), counted in Python from
    the rows: the record docs/methods.md gives investor quality from."""
    rounds = con.execute("SELECT f.id, f.enterprise_id, f.date, fi.investor_id FROM fundings f "
                         "LEFT JOIN funding_investors fi ON fi.funding_id = f.id "
                         "WHERE f.date <= ? AND f.enterprise_id IS NOT NULL", [ref]).fetchall()
    dates: dict = {}
    first: dict = {}
    for _, e, d, inv in rounds:
        dates.setdefault(e, set()).add(d)
        if inv is not None:
            first[(inv, e)] = min(d, first.get((inv, e), d))
    rec: dict = {}
    for (inv, e), d in first.items():
        funded, again = rec.setdefault(inv, (set(), set()))
        funded.add(e)
        if any(x > d for x in dates[e]):
            again.add(e)
    return rec


def test_every_signal_names_the_rows_it_was_computed_from(demo_db):
    """Each signal of the scorecard names its rows (the parts' ``evidence``: table and ids) — rounds, patents, branches,
    people, news — and investor quality names the investor whose record it is, with that record: the enterprises it
    funded by the date, those that raised again and the smoothed share. Checked against counts made here from the rows;
    the export's 依据数据 column and the profile's scorecard (zh / en) say the same."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        ref = con.execute("SELECT max(data_date) FROM imports").fetchone()[0]
        eid = con.execute(
            """SELECT f.enterprise_id FROM fundings f JOIN funding_investors fi ON fi.funding_id = f.id
               WHERE fi.investor_id IS NOT NULL AND f.date <= ?
                 AND f.enterprise_id IN (SELECT parent_id FROM branches WHERE kind IN ('branch', 'subsidiary')
                                         AND date <= ? AND date > ? - INTERVAL 730 DAY)
                 AND f.enterprise_id IN (SELECT a.enterprise_id FROM patent_applicants a)
                 AND f.enterprise_id IN (SELECT enterprise_id FROM roles)
               ORDER BY 1 LIMIT 1""", [ref, ref, ref]).fetchone()[0]
        rec = _independent_investor_records(con, ref)
        mine = {inv for inv, (funded, _) in rec.items() if eid in funded}
        n_pairs = sum(len(f) for f, _ in rec.values())
        prior = sum(len(a) for _, a in rec.values()) / n_pairs
        quality = {inv: (len(rec[inv][1]) + 5 * prior) / (len(rec[inv][0]) + 5) for inv in mine}
        best = min(mine, key=lambda i: (-round(quality[i], 9), i))
        best_name = con.execute("SELECT name FROM investors WHERE id = ?", [best]).fetchone()[0]
        best_rounds = {r[0] for r in con.execute(
            "SELECT DISTINCT f.id FROM fundings f JOIN funding_investors fi ON fi.funding_id = f.id "
            "WHERE f.enterprise_id = ? AND fi.investor_id = ? AND f.date <= ?", [eid, best, ref]).fetchall()}
        rows = {
            "branches_24m": {r[0] for r in con.execute(
                "SELECT id FROM branches WHERE parent_id = ? AND kind IN ('branch', 'subsidiary') AND date <= ? "
                "AND date > ? - INTERVAL 730 DAY", [eid, ref, ref]).fetchall()},
            "patents": {r[0] for r in con.execute(
                "SELECT DISTINCT p.id FROM patents p JOIN patent_applicants a ON a.patent_id = p.id "
                "WHERE a.enterprise_id = ? AND p.applied <= ?", [eid, ref]).fetchall()},
            "rounds_total": {r[0] for r in con.execute("SELECT id FROM fundings WHERE enterprise_id = ? AND date <= ?",
                                                       [eid, ref]).fetchall()},
            "investors_n": mine,
        }
    doc = run_json("score", eid, "--as-of", str(ref), db=demo_db)
    parts = card_signals(doc)
    for s, ids in rows.items():
        ev = parts[s]["evidence"]
        assert set(ev[0]["ids"]) == ids and len(ids) == parts[s]["raw"], (s, ev, ids)
    # people: the roles held by the date, the key people counted among them
    roles = parts["key_people"]["evidence"][0]
    assert roles["table"] == "roles" and len(roles["ids"]) >= parts["key_people"]["raw"] > 0
    # every signal with data names its rows; each row list is a table with ids or a filter
    for s, c in parts.items():
        if not c["detail"]["missing"]:
            assert c["evidence"] and all(r["table"] and (r["ids"] is not None or r["where"]) for r in c["evidence"]), s
    inv = parts["investor_quality"]
    d = inv["detail"]["investor"]
    assert d["id"] == best and d["name"] == best_name and inv["raw"] == pytest.approx(quality[best], abs=1e-4)
    assert set(d["funded_ids"]) == rec[best][0] and set(d["raised_again_ids"]) == rec[best][1]
    assert (d["funded"], d["raised_again"]) == (len(rec[best][0]), len(rec[best][1]))
    assert d["prior"] == pytest.approx(prior, abs=1e-4)
    assert [r["ids"] for r in inv["evidence"] if r["table"] == "investors"] == [[best]]
    assert set(next(r["ids"] for r in inv["evidence"] if r["table"] == "fundings")) == best_rounds
    said = inv["detail"]["investor_text"]
    assert best_name in said and f"截至该日投资 {len(rec[best][0])} 家企业，其中 {len(rec[best][1])} 家此后再获融资" in said
    tables = {r["table"] for r in doc["explained"]["evidence"]}
    assert {"fundings", "patents", "investors", "branches", "roles"} <= tables
    # the export: one column of rows per signal, the investor named in its row
    out = run("score", eid, "--as-of", str(ref), "--format", "csv", db=demo_db).stdout
    table = {r["signal"]: r for r in csv.DictReader(io.StringIO(out))}
    assert best_name in table["投资方质量（其投资企业再融资比例）"]["evidence"]
    assert all(f"#{i}" in table["近24个月新设分支/子公司"]["evidence"] for i in rows["branches_24m"])
    en = run("--lang", "en", "score", eid, "--as-of", str(ref), "--format", "csv", db=demo_db).stdout
    assert f"funded {len(rec[best][0])} enterprises by the date" in en and "branch record #" in en
    # the profile's scorecard, in both languages
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(demo_db)))
    for lang, words in (("zh", f"其中 {len(rec[best][1])} 家此后再获融资"), ("en", f"{len(rec[best][1])} of them raised again")):
        html = client.get(f"/enterprises/{eid}?as_of={ref}&lang={lang}").text
        row = html[html.index('data-signal="investor_quality"'):]
        row = row[:row.index("</tr>")]
        assert best_name in row and words in row and f'data-investor="{best}"' in row, row[:500]
        branch = html[html.index('data-signal="branches_24m"'):]
        branch = branch[:branch.index("</tr>")]
        assert all(f'href="/enterprises/{eid}?as_of={ref}#branch-{i}"' in branch for i in rows["branches_24m"])
        assert all(f'id="branch-{i}"' in html for i in rows["branches_24m"])  # the links land on the profile's rows


def _one_decimal(v: float) -> Decimal:
    return Decimal(str(v)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_the_score_table_prints_each_quantity_by_one_rule_and_the_stage_with_its_round(demo_db):
    """`zhaoshang score` printed a latest-round stage as a bare 6 (6.0 on the profile), total raised as a whole
    number of 万元 and every other number to four significant digits while the profile printed three decimals. Each
    kind of quantity has one rule (core.numbers.DIGITS), and the stage reads with the round it stands for on the
    scale angel 1 … C 4 … E 6 … IPO 8: the enterprise's latest round of a lettered stage is named."""
    from zhaoshang.core.parse.rounds import ROUND_LABELS_ZH

    with duckdb.connect(str(demo_db), read_only=True) as con:
        ref = con.execute("SELECT max(data_date) FROM imports").fetchone()[0]
        # an enterprise whose latest round (a lettered stage, C or later) has an amount with a fraction of a 万元
        eid, latest = con.execute(
            """SELECT enterprise_id, arg_max(round, date) FROM fundings WHERE date <= ? GROUP BY 1
               HAVING arg_max(round, date) IN ('c', 'd', 'e') AND sum(amount_wan) % 1 BETWEEN 0.06 AND 0.94
               ORDER BY 1 LIMIT 1""", [ref]).fetchone()
    parts = card_signals(run_json("score", eid, "--as-of", str(ref), db=demo_db))
    table = run("score", eid, "--as-of", str(ref), db=demo_db, env={"COLUMNS": "250"}).stdout
    printed = {c[3]: c[4:9] for c in ([x.strip() for x in line.split("│")[1:-1]] for line in table.splitlines()
                                      if line.startswith("│")) if len(c) == 9 and c[3]}
    stage = parts["latest_stage"]
    assert printed[stage["label"]][0] == f"{int(stage['raw'])}（{ROUND_LABELS_ZH[latest]}）"
    raised = parts["total_raised"]
    assert raised["raw"] % 1 and printed[raised["label"]][0].split("（")[0] == f"{_one_decimal(raised['raw']):,f}".rstrip("0").rstrip(".")
    months = parts["months_since_round"]
    assert printed[months["label"]][0] == f"{_one_decimal(months['raw']):f}".rstrip("0").rstrip(".")
    # a weight keeps its four decimals, a percentile and a contribution their two: as the JSON gives them
    for c in parts.values():
        if not c["detail"]["missing"]:
            cells = printed[c["label"]]
            assert [float(x) for x in (cells[1], cells[2], cells[3])] == [c["normalised"], c["weight"], c["contribution"]], c["signal"]
            assert re.fullmatch(r"\d\.\d{4}", cells[2]), cells  # a weight's four decimals kept, zeros too (0.3810)
