"""Investment trends: every sum of the service equals an independent computation over the raw fundings
(grouped here in Python), on the synthetic demo database; filters, errors and the ``trends`` command."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.errors import UserError  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.trends import trends  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    db = demo_copy(tmp_path_factory.mktemp("trends") / "demo.duckdb")
    store = Store(db, read_only=True)
    yield db, store
    store.close()


def _raw(store) -> list[dict]:
    return store.query("""SELECT f.id, f.date, f.amount_wan, f.enterprise_id, f.lead_investor_id,
                                 coalesce(f.amount_low_wan < f.amount_high_wan, false) AS est,
                                 e.province_code, e.city_code, e.district_code
                          FROM fundings f LEFT JOIN enterprises e ON e.id = f.enterprise_id WHERE f.date IS NOT NULL
                            AND f.enterprise_id IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')""")


def _ancestors(store) -> dict[str, list[str]]:
    parent = {r["code"]: r["parent_code"] for r in store.query("SELECT code, parent_code FROM chain_nodes WHERE chain = 'ai'")}
    out = {}
    for c in parent:
        chain, a = [], c
        while a:
            chain.append(a)
            a = parent.get(a)
        out[c] = chain
    return out


def _segments_of(store) -> dict[int, set[str]]:
    """Enterprise → level-2 segments (each placement rolled up), computed in Python."""
    anc = _ancestors(store)
    level = {r["code"]: r["level"] for r in store.query("SELECT code, level FROM chain_nodes WHERE chain = 'ai'")}
    out: dict[int, set[str]] = defaultdict(set)
    for r in store.query("SELECT enterprise_id, node_code FROM placements WHERE chain = 'ai'"):
        for a in anc.get(r["node_code"], []):
            if level[a] == 2:
                out[r["enterprise_id"]].add(a)
    return out


def _quarter(d) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def test_totals_and_periods_equal_independent_sums(demo):
    _, store = demo
    doc = trends(store)
    raw = _raw(store)
    assert doc["totals"]["rounds"] == len(raw)
    assert doc["totals"]["amount_wan"] == pytest.approx(sum(r["amount_wan"] or 0 for r in raw))
    assert doc["totals"]["undisclosed"] == sum(1 for r in raw if r["amount_wan"] is None)
    assert doc["totals"]["undisclosed"] > 0  # the demo has rounds without an amount: kept apart, not zero
    # an amount given as a range (数千万) is an estimate, not a disclosed figure: counted and summed apart
    est = [r for r in raw if r["amount_wan"] is not None and r["est"]]
    assert doc["totals"]["estimated"] == len(est) > 0
    assert doc["totals"]["estimated_wan"] == pytest.approx(sum(r["amount_wan"] for r in est))
    assert doc["totals"]["disclosed"] == sum(1 for r in raw if r["amount_wan"] is not None and not r["est"])
    t = doc["totals"]
    assert t["disclosed"] + t["estimated"] + t["undisclosed"] == t["rounds"]
    assert sum(p["estimated"] for p in doc["by_period"]) == t["estimated"]
    by_q: dict[str, list] = defaultdict(list)
    for r in raw:
        by_q[_quarter(r["date"])].append(r)
    got = {p["period"]: p for p in doc["by_period"]}
    for q, rows in by_q.items():
        assert got[q]["rounds"] == len(rows)
        assert got[q]["amount_wan"] == pytest.approx(sum(r["amount_wan"] or 0 for r in rows))
        assert got[q]["undisclosed"] == sum(1 for r in rows if r["amount_wan"] is None)
    # the periods are contiguous (empty quarters are listed with zeros) and sum to the totals
    assert all(got[p]["rounds"] == 0 for p in got if p not in by_q)
    assert sum(p["rounds"] for p in doc["by_period"]) == len(raw)
    starts = [p["start"] for p in doc["by_period"]]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)


def test_only_chain_enterprises_count_as_in_concentration(demo):
    """The rounds counted are the chain's enterprises' — what the report calls 本地产业链企业…融资 — and the same
    region over the same window gives concentration's funding figure."""
    from zhaoshang.services.analytics.concentration import concentration

    _, store = demo
    # 广州: the scale-600 demo holds rounds of its enterprises on no chain node there since 2021
    doc = trends(store, region="广州", start="2021-01-01")
    conc = concentration(store, level="city", measure="funding")
    assert conc["window_start"] == "2020-12-31" and conc["as_of"] == doc["as_of"]
    gz = next(r for r in conc["rows"] if r["region"] == "440100")
    assert doc["totals"]["amount_wan"] == pytest.approx(gz["value"], abs=1e-6)
    off_chain = store.query("""SELECT count(*) AS n FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id
        WHERE e.city_code = '440100' AND f.date >= DATE '2021-01-01'
          AND f.enterprise_id NOT IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')""")[0]["n"]
    assert off_chain > 0  # the demo has such rounds: they are left out, not counted as the chain's
    assert "只计产业链企业（归入产业链任一环节的企业）的融资" in doc["notes"]


def test_by_year_and_by_node_and_by_region(demo):
    _, store = demo
    doc = trends(store, by="year")
    raw = _raw(store)
    years = defaultdict(float)
    for r in raw:
        years[str(r["date"].year)] += r["amount_wan"] or 0
    for p in doc["by_period"]:
        assert p["amount_wan"] == pytest.approx(years.get(p["period"], 0.0))
    segs = _segments_of(store)
    node_amt, node_rounds = defaultdict(float), defaultdict(int)
    for r in raw:
        for s in segs.get(r["enterprise_id"], ()):
            node_amt[s] += r["amount_wan"] or 0
            node_rounds[s] += 1
    assert {n["node"] for n in doc["by_node"]} == set(node_rounds)
    for n in doc["by_node"]:
        assert n["rounds"] == node_rounds[n["node"]]
        assert n["amount_wan"] == pytest.approx(node_amt[n["node"]])
    prov = defaultdict(float)
    for r in raw:
        if r["province_code"]:
            prov[r["province_code"]] += r["amount_wan"] or 0
    assert doc["child_level"] == "province"
    assert {x["region"]: pytest.approx(x["amount_wan"]) for x in doc["by_region"]} == prov


def test_region_node_and_date_filters(demo):
    _, store = demo
    segs = _segments_of(store)
    anc = _ancestors(store)
    doc = trends(store, region="浙江省", node="M", start="2020-01-01", end="2024-12-31")
    # placements below M (level 1), rolled up independently
    under_m = {e for e, ss in segs.items() if any("M" in anc[s] for s in ss)}
    raw = [r for r in _raw(store) if r["province_code"] == "330000" and r["enterprise_id"] in under_m
           and "2020-01-01" <= r["date"].isoformat() <= "2024-12-31"]
    assert doc["region"]["code"] == "330000" and doc["child_level"] == "city"
    assert doc["totals"]["rounds"] == len(raw) > 0
    assert doc["totals"]["amount_wan"] == pytest.approx(sum(r["amount_wan"] or 0 for r in raw))
    city = defaultdict(int)
    for r in raw:
        city[r["city_code"]] += 1
    assert {x["region"]: x["rounds"] for x in doc["by_region"]} == dict(city)
    # as_of cuts later rounds; a municipality breaks down by district
    cut = trends(store, as_of="2019-12-31")
    assert cut["totals"]["last_date"].isoformat() <= "2019-12-31" and cut["as_of"] == "2019-12-31"
    assert cut["end_cut"] is None
    # an end after the as-of is cut to it and said (the answer's end read 2020-06-30, its totals stopping at the as-of)
    late = trends(store, as_of="2019-12-31", end="2020-06-30")
    assert late["end"] == "2019-12-31" and late["totals"] == cut["totals"]
    assert late["end_cut"] == {"given": "2020-06-30", "note": "结束日期 2020-06-30 晚于截至日期 2019-12-31：按截至日期截止",
                               "note_en": "the end date 2020-06-30 is after the as-of date 2019-12-31: cut to the as-of date"}
    assert late["notes"][-1] == late["end_cut"]["note"] and late["notes_en"][-1] == late["end_cut"]["note_en"]
    assert trends(store, region="110000")["child_level"] == "district"


def test_investors_rounds_amounts_and_destinations(demo):
    _, store = demo
    doc = trends(store, top=5)
    rows = store.query("""SELECT DISTINCT x.funding_id, x.investor_id, coalesce(x.is_lead, FALSE) AS is_lead,
                                 f.lead_investor_id, f.amount_wan, f.enterprise_id, e.province_code
                          FROM funding_investors x JOIN fundings f ON f.id = x.funding_id
                          LEFT JOIN enterprises e ON e.id = f.enterprise_id
                          WHERE f.date IS NOT NULL AND x.investor_id IS NOT NULL
                            AND f.enterprise_id IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')""")
    per: dict[int, dict] = defaultdict(lambda: {"f": set(), "lead": set(), "amt": {}, "prov": defaultdict(int)})
    for r in rows:
        p = per[r["investor_id"]]
        if r["funding_id"] not in p["f"]:
            p["prov"][r["province_code"]] += 1
        p["f"].add(r["funding_id"])
        p["amt"][r["funding_id"]] = r["amount_wan"] or 0
        if r["is_lead"] or r["lead_investor_id"] == r["investor_id"]:
            p["lead"].add(r["funding_id"])
    ranked = sorted(per, key=lambda i: (-len(per[i]["f"]), -sum(per[i]["amt"].values())))
    assert len(doc["investors"]) == 5
    assert doc["investors"][0]["rounds"] == len(per[ranked[0]]["f"])
    for inv in doc["investors"]:
        p = per[inv["investor_id"]]
        assert inv["rounds"] == len(p["f"])
        assert inv["lead_rounds"] == len(p["lead"])
        assert inv["amount_wan"] == pytest.approx(sum(p["amt"].values()))
        for g in inv["regions"]:
            assert g["rounds"] == p["prov"][g["region"]]
        assert inv["nodes"] and all(n["rounds"] <= inv["rounds"] for n in inv["nodes"])
    rounds = [i["rounds"] for i in doc["investors"]]
    assert rounds == sorted(rounds, reverse=True)


def test_errors(demo):
    _, store = demo
    with pytest.raises(UserError, match="时间粒度"):
        trends(store, by="month")
    with pytest.raises(UserError, match="未找到产业链环节: X99"):
        trends(store, node="X99")
    with pytest.raises(UserError, match="晚于"):
        trends(store, start="2024-01-01", end="2020-01-01")
    with pytest.raises(UserError, match="未找到地区"):
        trends(store, region="火星")
    empty = trends(store, region="新疆")
    assert empty["totals"]["rounds"] == 0 and empty["by_period"] == [] and empty["investors"] == []
    assert empty["any_imported"] is True  # none for these filters, rounds imported


def test_a_database_without_rounds_says_none_is_imported_yet(tmp_path):
    """/trends on a database with no funding round at all (and /match with no demand) says none is imported yet and
    how to import them, not that the filters left none."""
    from fastapi.testclient import TestClient

    from zhaoshang.core.store import Store
    from zhaoshang.interfaces.web.app import create_app

    path = str(tmp_path / "empty.duckdb")
    Store(path).close()
    with Store(path, read_only=True) as store:
        assert trends(store)["any_imported"] is False and trends(store)["totals"]["rounds"] == 0
    c = TestClient(create_app(path, warm=False), base_url="http://127.0.0.1")
    zh, en = c.get("/trends").text, c.get("/trends", params={"lang": "en"}).text
    assert "还没有导入融资记录。用 zhaoshang import fundings 文件 导入融资事件。" in zh and "所选条件下没有融资记录" not in zh
    assert "No funding rounds imported yet" in en and "for these filters" not in en
    assert c.get("/api/trends").json()["any_imported"] is False
    for url, lang in (("/match?lang=zh", "zh"), ("/match?q=芯片&lang=zh", "zh"), ("/match?region=浙江&node=D01", "zh"),
                      ("/match?q=chip&open=true&lang=en", "en")):
        page = c.get(url).text
        assert ("还没有需求。用 zhaoshang import demands 文件 导入需求清单。" if lang == "zh"
                else "No demands yet. Import a demand list with zhaoshang import demands FILE.") in page, url
        assert "没有需求符合这些筛选条件" not in page and "No demand matches these filters" not in page
    assert c.get("/api/match/demands").json()["any_imported"] is False


def test_cli_trends(demo):
    db, store = demo
    doc = run_json("trends", "--region", "杭州", "--by", "year", db=db)
    assert doc["region"]["code"] == "330100" and doc["by"] == "year"
    assert doc["totals"]["rounds"] == trends(store, region="330100")["totals"]["rounds"]
    csv = run("trends", "--format", "csv", db=db)
    assert csv.stdout.splitlines()[0] == ",".join(doc["by_period"][0])  # the JSON's fields of a period
    table = run("trends", "--node", "U", "--top", "3", db=db)
    assert "最活跃的投资方" in table.stdout
    # disclosed/undisclosed count rounds: the headers said 披露金额 / 未披露金额 (Disclosed / Undisclosed), read as amounts
    wide = {"COLUMNS": "250"}
    # quarters headed as the region report heads them (季度 / Quarter), years by the shared word (期间 / Period)
    head = [ln for ln in run("trends", db=db, env=wide).stdout.splitlines() if "季度" in ln][0]
    assert "披露金额的轮次" in head and "未披露金额的轮次" in head, head
    assert [ln for ln in run("trends", "--by", "year", db=db, env=wide).stdout.splitlines() if "┃ 期间" in ln]
    head = [ln for ln in run("--lang", "en", "trends", db=db, env=wide).stdout.splitlines() if "Quarter" in ln][0]
    assert "Rounds with amount" in head and "Rounds without amount" in head and "Undisclosed" not in head, head
    bad = run("trends", "--by", "week", db=db, check=False)
    assert bad.returncode == 2 and "时间粒度" in bad.stderr


def test_rounds_without_a_sub_region_are_said_apart(tmp_path, demo_copy):
    """苏州 on the real imports: 26 rounds, the 按地区 bars 13 + 2 — the enterprises of 11 rounds have no district, and
    the page did not say so. The service counts them (``by_region_unplaced``) and the page says it, in both languages."""
    import duckdb

    from web_util import ARGS, CHROMIUM, require_browser, serving

    db = demo_copy(tmp_path / "demo.duckdb")
    with Store(db, read_only=True) as s:
        city = s.query("""SELECT e.city_code AS c, count(*) AS n FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id
                          WHERE e.city_code IS NOT NULL AND e.district_code IS NOT NULL AND f.date IS NOT NULL
                          GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""")[0]["c"]
        before = trends(s, region=city)
    assert before["by_region_unplaced"] == {"rounds": 0, "amount_wan": 0.0}
    with duckdb.connect(str(db)) as con:  # the district of the city's first funded enterprise is not known
        eid = con.execute("""SELECT min(e.id) FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id
                             WHERE e.city_code = ? AND f.date IS NOT NULL""", [city]).fetchone()[0]
        con.execute("UPDATE enterprises SET district_code = NULL WHERE id = ?", [eid])
        n, amt = con.execute("SELECT count(*), coalesce(sum(amount_wan), 0) FROM fundings WHERE enterprise_id = ? "
                             "AND date IS NOT NULL", [eid]).fetchone()
    with Store(db, read_only=True) as s:
        doc = trends(s, region=city)
    assert doc["by_region_unplaced"]["rounds"] == n and doc["by_region_unplaced"]["amount_wan"] == pytest.approx(amt, abs=1e-3)
    assert sum(r["rounds"] for r in doc["by_region"]) + n == doc["totals"]["rounds"]
    require_browser()
    from playwright.sync_api import sync_playwright

    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(f"{base}/trends?region={city}&lang=zh")
        assert pg.inner_text("#region-unplaced").startswith(f"另有 {n} 轮融资"), pg.inner_text("#region-unplaced")
        pg.goto(f"{base}/trends?region={city}&lang=en")
        assert f"{n} more round" in pg.inner_text("#region-unplaced") and "not shown" in pg.inner_text("#region-unplaced")
        b.close()


def test_amount_sums_do_not_depend_on_the_order_rows_are_added():
    """`trends` gave 42483.06074652701 on one run and 42483.060746527 on the next: DuckDB adds doubles in the order
    its threads finish. Summed as exact decimals (``dialect.exact_sum``), every order gives the same number."""
    import itertools

    import duckdb

    from zhaoshang.core import dialect

    values = [0.1, 0.2, 0.3, 1e10, -1e10, 5706.867624977, 17031.422945317]
    con = duckdb.connect()
    plain, exact = set(), set()
    for order in itertools.permutations(values, len(values)):
        rows = ", ".join(f"({i}, {v!r}::DOUBLE)" for i, v in enumerate(order))
        src = f"(SELECT * FROM (VALUES {rows}) t(i, amount_wan) ORDER BY i)"
        plain.add(con.execute(f"SELECT sum(amount_wan ORDER BY i) FROM {src}").fetchone()[0])
        exact.add(con.execute(f"SELECT {dialect.current().exact_sum('amount_wan')} FROM {src}").fetchone()[0])
        if len(plain) > 1 and len(exact) == 1 and len(plain) > 3:
            break
    assert len(plain) > 1  # the values do add differently in another order
    assert len(exact) == 1 and exact == {round(sum(sorted(values, key=abs)), 6)}
    assert con.execute(f"SELECT {dialect.current().exact_sum('x')} FROM (SELECT NULL::DOUBLE AS x)").fetchone()[0] == 0
    # the leads' and scorecards' forms: only the rows a FILTER holds for, and NULL kept where no row has an amount
    one = "(SELECT * FROM (VALUES (1, 0.1::DOUBLE), (2, 0.2::DOUBLE), (3, NULL::DOUBLE)) t(i, x))"
    assert con.execute(f"SELECT {dialect.current().exact_sum('x', where='i >= 2')} FROM {one}").fetchone()[0] == 0.2
    assert con.execute(f"SELECT {dialect.current().exact_sum('x', where='i = 3', none=None)} FROM {one}").fetchone()[0] is None
    assert con.execute(f"SELECT {dialect.current().exact_sum('x', where='i = 3')} FROM {one}").fetchone()[0] == 0
    assert con.execute(f"SELECT {dialect.current().exact_sum('x', none=None)} FROM {one}").fetchone()[0] == 0.3
