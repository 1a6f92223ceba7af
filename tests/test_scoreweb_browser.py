"""The scorecard on the web, in headless chromium on one served fixture (ZHAOSHANG_SCREENSHOTS=DIR saves the
screenshots of the profile scorecard, the methods page and the pipeline board): the profile's scorecard (radar, every
signal's contribution, confidence, missing signals, as-of, method) and its JSON twin equal to ``zhaoshang score
--format json``; the enterprise library sorted and filtered by the stored score batch it names; the methods page
with a saved backtest (figures equal to ``backtest score --format json``, ROC curves whose area is the AUC)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlsplit

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from test_audit_times import shown_as  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.evaluation.scorecard import score_all  # noqa: E402
from zhaoshang.services.pipeline import leads as pipeline_leads  # noqa: E402
from zhaoshang.services.team import accounts  # noqa: E402

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ZHAOSHANG_SCREENSHOTS")  # a folder: save the README's screenshots there
PW = "a long enough password"
AS_OF = "2024-12-31"
BT_AS_OF = "2017-06-30"  # the fixture's rounds run 2015–2018: 16 eligible, 3 raise again within the year


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    d = tmp_path_factory.mktemp("scoreweb")
    db = d / "fx.duckdb"
    matrix_fixture.build(str(db), n=80)
    # the saved backtest is the command's own run: the methods page is compared with what it printed
    backtest = run_json("backtest", "score", "--as-of", BT_AS_OF, "--horizon", "365", "--label", "测试回测", "--save",
                        db=db)
    with Store(str(db)) as store:  # what score all does (the CLI's card is compared below)
        score_all(store, as_of=AS_OF)
        top = [r[0] for r in store.con.execute("SELECT enterprise_id FROM scores WHERE total IS NOT NULL "
                                               "ORDER BY total DESC, enterprise_id LIMIT 5").fetchall()]
        team = open_team_db(None, db_path=str(db))
        for name, role in (("boss", "admin"), ("ana", "analyst"), ("vera", "viewer")):
            accounts.add_user(team, name, role, PW, "cli:test")
        for eid, status in zip(top, ("new", "contacted", "visited", "negotiating", "signed")):  # the board's columns
            pipeline_leads.add(store, team, eid, "宁波市", user="ana", owner="ana", status=status, source="profile",
                               next_action="上门拜访", next_action_date="2099-03-01")
        team.close()
    with serving(db, args=("--require-login",)) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        errors: list[str] = []
        pages = {}
        for name in ("ana", "vera"):  # an analyst and a viewer, each in a browser context of their own
            pg = b.new_context(viewport={"width": 1300, "height": 900}).new_page()
            pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            pg.goto(base + "/login")
            pg.fill("#login-name", name)
            pg.fill("#login-password", PW)
            pg.click("#login-submit")
            pg.wait_for_selector("#current-user")
            pages[name] = pg
        pg = pages["ana"]

        def get(path, **params):  # the JSON API with the analyst's session
            return pg.request.get(base + path, params=params)
        yield {"db": db, "base": base, "page": pg, "viewer": pages["vera"], "errors": errors, "get": get,
               "backtest": backtest}
        b.close()


@pytest.fixture(scope="module")
def top_card(served):
    """The top-scored enterprise and ``zhaoshang score --format json`` of it, run once for the tests that read it."""
    db = served["db"]
    eid = _stored(db, "SELECT enterprise_id FROM scores WHERE total IS NOT NULL ORDER BY total DESC, enterprise_id LIMIT 1")[0][0]
    return eid, run_json("score", str(eid), "--as-of", AS_OF, db=db)


def _stored(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_profile_shows_the_scorecard_and_its_json_twin(served, top_card):
    base, pg, db = served["base"], served["page"], served["db"]
    eid, cli = top_card
    api = served["get"](f"/api/enterprises/{eid}/score", as_of=AS_OF).json()
    for k in ("total", "confidence", "as_of", "method", "version", "missing"):
        assert api[k] == cli[k], k
    assert api["dimensions"] == cli["dimensions"] and api["explained"] == cli["explained"]
    pg.goto(f"{base}/enterprises/{eid}?as_of={AS_OF}")
    pg.wait_for_selector('#sc-radar[data-ready="1"] canvas')
    assert pg.inner_text("#sc-total") == str(cli["total"])
    assert pg.inner_text("#sc-confidence") == str(cli["confidence"])
    assert AS_OF in pg.inner_text("#sc-asof") and cli["version"] in pg.inner_text("#sc-method")
    # the cohort in words, naming only what it was ranked within (node+age printed raw; a node cohort showed an age band)
    co, shown = cli["cohort"], pg.inner_text("#sc-cohort")
    assert shown == f"对照组：{co['label']}" and f"{co['n']} 家企业" in shown and "node" not in shown, shown
    assert ((co["node"] or "未定位环节") in shown) == ("node" in co["level"]) and ("成立" in shown) == ("age" in co["level"])
    # the weight column gives each dimension's share of the total: they add up to 1 (the file's weights add up to 1.05)
    shares = [float(x) for x in pg.locator("#sc-dims td.sc-share").all_inner_texts() if x != "—"]
    assert sum(shares) == pytest.approx(1.0, abs=0.005)
    assert shares == pytest.approx([d["share"] for d in cli["dimensions"].values() if d["share"] is not None], abs=0.0005)
    n_signals = sum(len(d["contributions"]) for d in cli["dimensions"].values())
    assert pg.locator("#sc-signals tr.sc-signal").count() == n_signals
    # the fixture has no investors or team roles dated by then: those signals are listed as missing
    shown_missing = {el.get_attribute("data-signal") for el in pg.locator("#sc-missing .sc-miss").all()}
    assert shown_missing == set(cli["missing"]) and "investor_quality" in shown_missing
    row = pg.locator('#sc-signals tr[data-signal="investor_quality"]')
    # no investor source in the fixture at all: not covered, not a missing value of a source that lists others
    assert "未覆盖" in row.inner_text() and "缺失" not in row.inner_text()
    first = next(c for d in cli["dimensions"].values() for c in d["contributions"] if not c["detail"]["missing"])
    cells = pg.locator(f'#sc-signals tr[data-signal="{first["signal"]}"] td').all_inner_texts()
    assert float(cells[3]) == pytest.approx(first["normalised"]) and float(cells[4]) == pytest.approx(first["weight"], abs=0.0005)
    assert float(cells[5]) == pytest.approx(first["contribution"])
    # the weight and contribution within the dimension, then what the signal adds to the total: each header says which
    # (the lead page showed the share of the total under the same 权重 / 贡献); the contributions to the total add up to it
    assert pg.locator("#sc-signals th").all_inner_texts()[3:] == ["百分位", "维度内权重", "对维度得分的贡献", "对总分的贡献",
                                                                 "依据数据"]
    assert float(cells[6]) == pytest.approx(first["detail"]["total_contribution"])
    assert 0 < first["detail"]["total_contribution"] < first["contribution"] or first["contribution"] == 0
    to_total = [float(x) for x in pg.locator("#sc-signals td.sc-total").all_inner_texts() if x != "—"]
    assert sum(to_total) == pytest.approx(cli["total"], abs=0.1) and to_total == pytest.approx(
        [c["contribution"] for c in cli["explained"]["parts"]], abs=0.005)
    # every number of the card reads as `zhaoshang score` prints it (one rounding per quantity, core.numbers.DIGITS):
    # the CLI printed 0.2727 and 10.09 where the page printed 0.273 and 10.085
    table = run("score", str(eid), "--as-of", AS_OF, db=db, env={"COLUMNS": "250"}).stdout
    printed = {c[3]: c[4:9] for c in ([x.strip() for x in line.split("│")[1:-1]] for line in table.splitlines()
                                      if line.startswith("│")) if len(c) == 9 and c[3]}
    compared = 0
    for d in cli["dimensions"].values():
        for c in d["contributions"]:
            if c["detail"]["missing"]:
                continue
            page = pg.locator(f'#sc-signals tr[data-signal="{c["signal"]}"] td').all_inner_texts()[2:7]
            page[0] = page[0].removesuffix("含估算").strip()
            assert printed[c["label"]][0].startswith(page[0]) and printed[c["label"]][1:] == page[1:], (c["signal"], page)
            compared += 1
    assert compared >= 5
    # the ordinal stage with the round it stands for on the scale (angel 1 … E 6 … IPO 8), not a bare 6 or 6.0
    stage = next(c for d in cli["dimensions"].values() for c in d["contributions"] if c["signal"] == "latest_stage")
    assert re.fullmatch(r"\d(\.5)?（[^）]+）", printed[stage["label"]][0]), printed[stage["label"]]
    assert served["get"]("/api/enterprises/999999/score").status == 404
    _shot(pg, "#scorecard", "scorecard")
    assert "新线索" in pg.inner_text("#pipeline") and pg.locator("#pipeline a.pl-lead, #pipeline .pl-lead a").count() == 1
    pg.goto(f"{base}/enterprises/{eid}?lang=en&as_of={AS_OF}")
    assert "Scorecard" in pg.inner_text("#scorecard")
    assert pg.locator("#sc-signals th").all_inner_texts()[3:] == ["Percentile", "Weight in dimension", "Contribution to dimension",
                                                                 "Contribution to total", "Rows"]
    assert pg.inner_text("#sc-dims th >> nth=2") == "Share of total"
    # the radar names a dimension without a score as missing, in English brackets (it read 'Innovation（missing）')
    pg.wait_for_selector('#sc-radar[data-ready="1"] canvas')
    names = pg.evaluate("echarts.getInstanceByDom(document.getElementById('sc-radar')).getOption().radar[0].indicator.map(i => i.name)")
    dims, scores = pg.evaluate("[JSON.parse(document.getElementById('sc-radar').dataset.dims), JSON.parse(document.getElementById('sc-radar').dataset.scores)]")
    assert None in scores, scores  # the fixture's card has a dimension without any signal
    assert names == [d + " (no data)" if s is None else d for d, s in zip(dims, scores)], names
    assert not served["errors"], served["errors"]


def test_each_signal_on_the_profile_names_the_rows_it_was_computed_from(served, top_card):
    """The scorecard's 依据数据 / Rows column: for every signal the tables and row ids of its explanation (the JSON's
    parts' ``evidence``), a round linked to its line in the profile's 融资 list; a signal no source covers names none."""
    base, pg, db = served["base"], served["page"], served["db"]
    eid, cli = top_card
    rounds = [r[0] for r in _stored(db, "SELECT id FROM fundings WHERE enterprise_id = ? AND date <= ? ORDER BY id",
                                    (eid, AS_OF))]
    assert rounds
    pg.goto(f"{base}/enterprises/{eid}?as_of={AS_OF}&lang=zh")
    for d in cli["dimensions"].values():
        for c in d["contributions"]:
            refs = pg.locator(f'#sc-signals tr[data-signal="{c["signal"]}"] td.sc-evidence .sc-ref')
            shown = [(r.get_attribute("data-table"), r.get_attribute("data-ids")) for r in refs.all()]
            assert shown == [(r["table"], ",".join(str(i) for i in r["ids"] or [])) for r in c["evidence"]], c["signal"]
            if c["detail"].get("not_covered"):
                assert shown == [], c["signal"]
    cell = pg.locator('#sc-signals tr[data-signal="rounds_total"] td.sc-evidence')
    assert cell.inner_text().startswith("融资记录") and [int(x) for x in cell.locator(".sc-ref").get_attribute(
        "data-ids").split(",")] == sorted(rounds)
    cell.locator("a").first.click()
    pg.wait_for_url(f"**/enterprises/{eid}?as_of={AS_OF}#funding-{sorted(rounds)[0]}")
    assert pg.locator(f"#fundings #funding-{sorted(rounds)[0]}").is_visible()
    pg.goto(f"{base}/enterprises/{eid}?as_of={AS_OF}&lang=en")
    assert pg.inner_text('#sc-signals tr[data-signal="rounds_total"] td.sc-evidence').startswith("funding round #")
    assert not served["errors"], served["errors"]


def test_a_dimension_without_data_says_no_data_on_the_profile_and_the_lead_page(served):
    """The fixture has news for one enterprise in four: one without news read 0 news, ranked among the others (ties at
    the middle), and its influence showed a score. It is 'no data' (缺数据), left out of the total, which says so — on
    the profile's scorecard and on the lead page, as in the JSON twin."""
    base, pg = served["base"], served["page"]
    items = served["get"]("/api/pipeline").json()["items"]
    cards = {it["id"]: served["get"](f"/api/enterprises/{it['enterprise_id']}/score", lang="zh").json() for it in items}
    lead_id, card = next((k, c) for k, c in cards.items() if c["dimensions"]["influence"]["absent"])
    assert "influence" in card["total_basis"]["no_data"] and card["dimensions"]["influence"]["score"] is None
    pg.goto(f"{base}/enterprises/{card['enterprise_id']}?lang=zh")
    pg.wait_for_selector('#sc-radar[data-ready="1"] canvas')
    assert pg.inner_text('#sc-dims tr[data-dim="influence"] td.num >> nth=0') == "缺数据"
    # the radar draws it as no value — its outline breaks there, its axis name greyed — not as a score of 0
    opt = pg.evaluate("(() => { const o = echarts.getInstanceByDom(document.getElementById('sc-radar')).getOption();"
                      " return {ind: o.radar[0].indicator, series: o.series.map(s => ({type: s.type, data: s.data}))}; })()")
    keys = list(card["dimensions"])
    i = keys.index("influence")
    assert opt["ind"][i]["name"].endswith("（缺数据）") and opt["ind"][i]["color"] == "#a3a9b5"
    assert all("color" not in x for j, x in enumerate(opt["ind"]) if card["dimensions"][keys[j]]["score"] is not None)
    values = [p[0] if isinstance(p, list) else p for p in opt["series"][0]["data"]]
    assert opt["series"][0]["type"] == "line" and values[i] == "-" and 0 not in values[:len(keys)], opt["series"]
    assert values[:len(keys)] == [("-" if d["score"] is None else d["score"]) for d in card["dimensions"].values()]
    _shot(pg, "#sc-radar", "radar-no-data")
    basis = pg.locator("#sc-total-basis")
    assert "影响力与舆情" in basis.inner_text() and "不计入总分" in basis.inner_text()
    assert basis.inner_text() == card["total_basis"]["note"]
    assert pg.inner_text("#sc-total") == str(card["total"])
    # the lead page shows the profile's tables: the same signal with the same weights and contributions on both
    profile_signals = pg.inner_text("#sc-signals")
    pg.goto(f"{base}/pipeline/{lead_id}?lang=zh")
    assert pg.inner_text("#lead-score-total") == str(card["total"])
    assert pg.inner_text('#lead-score tr[data-dim="influence"] td.num >> nth=0') == "缺数据"
    assert pg.inner_text("#lead-score-basis") == card["total_basis"]["note"]
    assert pg.inner_text("#lead-score #sc-signals") == profile_signals and "维度内权重" in profile_signals
    pg.goto(f"{base}/pipeline/{lead_id}?lang=en")
    assert "No data: " in pg.inner_text("#lead-score-basis") and "left out of the total" in pg.inner_text("#lead-score-basis")
    assert pg.inner_text('#lead-score tr[data-dim="influence"] td.num >> nth=0') == "no data"
    assert "Contribution to total" in pg.inner_text("#lead-score #sc-signals")
    # at 1000 px the signals' table stays within its card, on the lead page and the profile in English (its eight
    # columns were 755 px in a card of 734, the rows' column cut)
    pg.set_viewport_size({"width": 1000, "height": 900})
    try:
        for url in (f"{base}/pipeline/{lead_id}?lang=en", f"{base}/enterprises/{card['enterprise_id']}?lang=en"):
            pg.goto(url)
            inside = pg.evaluate("(() => { const t = document.querySelector('#sc-signals'), c = t.closest('.card'),"
                                 " s = getComputedStyle(c); return [t.getBoundingClientRect().right,"
                                 " c.getBoundingClientRect().right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth)]; })()")
            assert inside[0] <= inside[1] + 0.5, (url, inside)
    finally:
        pg.set_viewport_size({"width": 1300, "height": 900})
    pg.goto(f"{base}/enterprises/{card['enterprise_id']}?lang=zh")  # the next tests read the page in Chinese
    assert not served["errors"], served["errors"]


def test_enterprise_library_sorts_and_filters_by_the_stored_score(served):
    base, pg, db = served["base"], served["page"], served["db"]
    pg.goto(f"{base}/enterprises?as_of={AS_OF}&size=500&lang=zh")  # the page may hold an earlier test's English
    assert AS_OF in pg.inner_text("#score-asof")
    assert f"截至 {AS_OF} 的存储批次" in pg.inner_text("#score-asof")  # a space between the date and the Chinese after it
    assert "缺数据的维度不计入" in pg.inner_text("#score-asof")  # how the totals treat a dimension without data
    pg.click("#ent-table thead a.sort[href*=\"sort=-score\"]")  # first click: highest first
    pg.wait_for_url("**sort=-score**")
    shown = [float(x) for x in pg.locator("#ent-table td.ent-score").all_inner_texts() if x.strip()]
    expected = [round(r[0], 1) for r in _stored(db, "SELECT total FROM scores WHERE as_of = ? AND total IS NOT NULL "
                                                    "ORDER BY total DESC", [AS_OF])]
    assert shown == expected[:len(shown)] and len(shown) == len(expected)
    pg.fill("#f-score-min", "60")
    pg.click("#f-apply")
    pg.wait_for_url("**score_min=60**")
    n = _stored(db, "SELECT count(*) FROM scores WHERE as_of = ? AND total >= 60", [AS_OF])[0][0]
    assert 0 < n < len(expected) and int(pg.inner_text("#result-total")) == n
    assert all(float(x) >= 60 for x in pg.locator("#ent-table td.ent-score").all_inner_texts())
    api = served["get"]("/api/enterprises", as_of=AS_OF, score_min=60, sort="-score").json()
    assert api["total"] == n and api["score_as_of"] == AS_OF
    # a list as of a date before any stored batch has no scores: it says so, sorts by id, a bound keeps nobody
    r = served["get"]("/api/enterprises", as_of="2019-01-01", sort="-score", size=5).json()
    assert r["score_as_of"] is None and [i["score"] for i in r["items"]] == [None] * 5
    assert [i["id"] for i in r["items"]] == sorted(i["id"] for i in r["items"])
    assert served["get"]("/api/enterprises", as_of="2019-01-01", score_min=0).json()["total"] == 0
    pg.goto(f"{base}/enterprises?as_of=2019-01-01&sort=-score")
    # it names the date and the command that scores it (it said 尚无存储评分, though batches of later dates exist)
    # …and in which order the list then is (its 评分 header offered no sort, the rows stood in an unexplained order)
    assert pg.inner_text("#score-asof") == ("截至 2019-01-01 没有存储的评分批次（运行 zhaoshang score all --as-of 2019-01-01）\n"
                                            "截至 2019-01-01 没有可用的评分，未按评分排序：列表按编号排列")
    assert r["sort_note"]["en"] == "no scores to sort by as of 2019-01-01: the list is in ID order"
    assert served["get"]("/api/enterprises", as_of=AS_OF, sort="-score", size=1).json()["sort_note"] is None
    # the map's region panel leads to that region's enterprises by score
    pg.goto(f"{base}/map?region=330100&lang=zh")
    pg.click("#panel a.by-score")
    pg.wait_for_url("**sort=-score**")
    shown = [float(x) for x in pg.locator("#ent-table td.ent-score").all_inner_texts() if x.strip()]
    assert "region=330100" in pg.url and shown and shown == sorted(shown, reverse=True)
    assert served["get"]("/api/enterprises", score_min=101).status == 400
    assert not served["errors"], served["errors"]


def _shot(pg, selector, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        if selector:  # the part in view, below the page's sticky header
            pg.evaluate(f"document.querySelector('{selector}').scrollIntoView(); window.scrollBy(0, -80)")
        pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=not selector)


def _area(points) -> float:
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:]))


def test_methods_page_shows_the_saved_backtest_beside_the_baselines(served, top_card):
    base, pg, db = served["base"], served["page"], served["db"]
    cli = served["backtest"]  # `backtest score --save --format json` as the command printed it
    assert cli["label"] == "测试回测"
    api = served["get"]("/api/methods").json()
    saved = [r for r in api["saved"] if r["label"] == "测试回测"]
    assert len(saved) == 1 and saved[0]["population"] == cli["population"]
    for k, m in {**cli["models"], **cli["baselines"]}.items():
        got = {**saved[0]["models"], **saved[0]["baselines"]}[k]
        assert got["auc"] == m["auc"] and got["at_k"] == m["at_k"], k
        if m["auc"] is not None:  # the curve is the ranking's: its area is the AUC (ties as diagonal steps)
            assert got["roc"][0] == [0.0, 0.0] and got["roc"][-1] == [1.0, 1.0]
            assert _area(got["roc"]) == pytest.approx(m["auc"], abs=2e-3), k
    pg.goto(f"{base}/methods?lang=zh")
    run_el = pg.locator('.bt-run[data-kind="saved"]').first
    assert "测试回测" in run_el.locator("h2").inner_text() and BT_AS_OF in run_el.locator("h2").inner_text()
    assert run_el.locator(".bt-eligible").inner_text() == f"{cli['population']['eligible']:,}"
    assert run_el.locator(".bt-positives").inner_text() == f"{cli['population']['positives']:,}"
    rows = run_el.locator(".bt-auc tbody tr")
    assert rows.count() == len(cli["models"]) + len(cli["baselines"]) == 6
    hand = run_el.locator('.bt-auc tr[data-model="score_hand"] .bt-auc-v').inner_text()
    assert float(hand) == pytest.approx(cli["models"]["score_hand"]["auc"], abs=1e-3)
    pg.wait_for_selector('.bt-run[data-kind="saved"] .bt-roc[data-ready="1"] canvas')
    pg.wait_for_selector('.bt-run[data-kind="saved"] .bt-pk[data-ready="1"] canvas')
    assert run_el.locator(".bt-cal tbody tr").count() == 4
    assert pg.locator('.bt-run[data-kind="published"]').count() == len(api["published"])
    # how right the placements every view stands on are: the published gold-test figures, those of the shipped model
    q = api["chain_quality"]
    assert q["split"] == "test" and q["current"] is True and q["model"] == pg.locator("#cq-model").inner_text()
    assert pg.locator("#cq-rows").inner_text() == f"{q['rows']:,}" and pg.locator("#cq-stale").count() == 0
    f1 = pg.locator('#cq-overall tr[data-level="nodes"] .cq-f1').inner_text()
    assert float(f1) == pytest.approx(q["nodes"]["micro"]["f1"], abs=1e-3)
    assert pg.locator("#cq-nodes tbody tr").count() == len(q["nodes"]["per_unit"]) > 20
    assert "语音" in pg.locator('#cq-nodes tr[data-node="M06"]').text_content(), "a node named as the chain names it"
    _shot(pg, None, "methods")
    pg.goto(f"{base}/methods?lang=en")  # the published real-data runs read wholly in English
    for card in pg.locator('.bt-run[data-kind="published"]').all() + [pg.locator("#cq")]:
        pg.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = card.inner_text()
        assert ("real data" in text or "gold set" in text) and not re.search(r"[\u4e00-\u9fff]", text), text[:300]
    # the page called the learned weights "the default method" while every scorecard scores with the hand weights:
    # it names the weights `zhaoshang score` scores with, and marks in every run the hand row of that version alone
    version = top_card[1]["version"]  # the weights' version: the same on every enterprise's card
    assert api["scorecard"] == {"model": "score_hand", "version": version}
    assert pg.locator("#bt-scorecard .bt-scorecard-version").inner_text() == version
    assert "the default method" not in pg.inner_text("main")
    for card, r in zip(pg.locator(".bt-run").all(), api["published"] + api["saved"]):
        marked = [row.get_attribute("data-model") for row in card.locator(".bt-auc tbody tr").all()
                  if row.locator(".bt-is-scorecard").count()]
        assert marked == [k for k, m in r["models"].items() if k == "score_hand" and m["version"] == version] == ["score_hand"]
        assert "not the scorecard's" in card.locator('.bt-auc tr[data-model="score_learned"] td').first.inner_text()
    pg.goto(f"{base}/methods?lang=zh")
    pg.goto(f"{base}/pipeline?view=board")
    pg.wait_for_selector("#pl-board")
    assert pg.locator("#pl-board .pl-card").count() == 5
    _shot(pg, None, "pipeline-board")
    # at 1000 px every column in view (已落地 and 已放弃 stood off-screen, reached by a scroll nothing showed), each
    # card's words within the card
    pg.set_viewport_size({"width": 1000, "height": 900})
    try:
        pg.goto(f"{base}/pipeline?view=board&lang=en")
        right = pg.evaluate("Math.max(...[...document.querySelectorAll('#pl-board .pl-col')].map(c => c.getBoundingClientRect().right))")
        assert right <= 1000 and pg.evaluate("(() => { const b = document.querySelector('#pl-board'); return b.scrollWidth <= b.clientWidth; })()")
        assert pg.evaluate("[...document.querySelectorAll('#pl-board .pl-card')].every(c => c.scrollWidth <= c.clientWidth)")
    finally:
        pg.set_viewport_size({"width": 1300, "height": 900})
        pg.goto(f"{base}/pipeline?view=board&lang=zh")
    pg.click("#nav-methods")
    assert "方法与回测" in pg.inner_text("h1")
    assert not served["errors"], served["errors"]


def _decide(pg, action: str, node: str, reason: str, then: str) -> None:
    """Fill and send the profile's placement form, wait for the page it leads to."""
    pg.select_option("#pl-action", action)
    pg.select_option("#pl-node", node)
    pg.fill("#pl-reason", reason)
    pg.click("#pl-submit")
    pg.wait_for_selector(then)


def _settled(pg, check, tries: int = 20) -> None:
    """The decision is applied on a new data generation, which the server opens at a request after it is
    published: reload until the page shows it (at most ~5 s)."""
    import time

    for _ in range(tries):
        if check():
            return
        time.sleep(0.25)
        pg.reload()
    assert check()


def test_analyst_corrects_placements_on_the_profile_viewer_sees_no_form(served):
    base, pg, db = served["base"], served["page"], served["db"]
    eid, node = _stored(db, "SELECT enterprise_id, node_code FROM placements ORDER BY enterprise_id, node_code LIMIT 1")[0]
    other = _stored(db, "SELECT code FROM chain_nodes WHERE code NOT IN (SELECT node_code FROM placements "
                        "WHERE enterprise_id = ?) AND level = 2 ORDER BY code LIMIT 1", [eid])[0][0]
    viewer = served["viewer"]
    viewer.goto(f"{base}/enterprises/{eid}")
    assert viewer.locator("#placements").count() == 1 and viewer.locator("#pl-form").count() == 0
    pg.goto(f"{base}/enterprises/{eid}?lang=zh")
    assert pg.locator(f'#pl-inferred tr[data-node="{node}"]').count() == 1
    # remove the inferred placement, with a reason
    _decide(pg, "remove", node, "主营业务不属于该环节", "#pl-done")
    _settled(pg, lambda: pg.locator(f'#pl-inferred tr[data-node="{node}"]').count() == 0)
    row = pg.locator('#pl-decisions tr[data-action="remove"]')
    assert "主营业务不属于该环节" in row.inner_text() and "移除" in row.inner_text()
    # its time to the second, as the admin page shows team-state times (the stored time in the tooltip)
    shown = row.locator("td").first
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", shown.inner_text().strip()), shown.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z", shown.get_attribute("title"))
    assert shown.inner_text().strip() == shown_as(shown.get_attribute("title"))  # China's time, as its header says
    assert pg.inner_text("#pl-decisions thead th:first-child") == "时间 (UTC+8)"
    # add another node: shown as corrected, apart from the inferred ones
    _decide(pg, "add", other, "官网产品为该环节", "#pl-done")
    _settled(pg, lambda: pg.locator(f'#pl-corrected tr[data-node="{other}"]').count() == 1)
    assert pg.locator(f'#pl-inferred tr[data-node="{other}"]').count() == 0
    # in the page's words: the decision's action and the placement's method, not their stored codes (add, analyst)
    added = pg.locator(f'#pl-corrected tr[data-node="{other}"]')
    assert added.locator(".xp-part td").nth(1).inner_text().strip() == "新增"
    assert added.locator(".pl-method").inner_text().strip() == "分析师新增"
    assert added.locator(".pl-method").get_attribute("title") == "analyst"
    pg.goto(f"{base}/enterprises/{eid}?lang=en")
    added = pg.locator(f'#pl-corrected tr[data-node="{other}"]')
    assert added.locator(".xp-part td").nth(1).inner_text().strip() == "add"
    assert added.locator(".pl-method").inner_text().strip() == "added by an analyst"
    pg.goto(f"{base}/enterprises/{eid}?lang=zh")
    # confirming a node it is not on is refused beside the node box, the form as typed, nothing recorded
    _decide(pg, "confirm", node, "年报口径 张经理", "#error-pl-node")
    assert node in pg.inner_text("#error-pl-node") and pg.locator("#pl-decisions tbody tr").count() == 2
    assert (pg.input_value("#pl-action"), pg.input_value("#pl-node"), pg.input_value("#pl-reason")) == ("confirm", node, "年报口径 张经理")
    # the reason typed is kept on the server, not in the link (history, access logs, Referer)
    from itsdangerous import URLSafeTimedSerializer

    query = parse_qs(urlsplit(pg.url).query)
    assert "pl_reason" not in query and "年报口径" not in unquote_plus(pg.url), pg.url
    assert "年报口径" not in str(URLSafeTimedSerializer("-", salt="zs-page-note").loads_unsafe(query["pl_note"][0]))
    # the decisions are the service's: in the team state, the audit log and the JSON twin, with the analyst's name
    got = served["get"]("/api/placements/corrections").json()["items"]
    mine = [(c["action"], c["node_code"], c["user_name"]) for c in got if int(c["enterprise_id"]) == eid]
    assert mine == [("add", other, "ana"), ("remove", node, "ana")]
    with duckdb.connect(str(db), read_only=True) as con:
        now = {r[0]: r[1] for r in con.execute("SELECT node_code, method FROM placements WHERE enterprise_id = ?",
                                               [eid]).fetchall()}
    assert node not in now and now[other] == "analyst"
    # a viewer cannot post a decision even without the form
    r = viewer.request.post(f"{base}/enterprises/{eid}/placements", form={"action": "add", "node": node, "reason": "x"})
    assert r.status == 403 and "无权" in r.text()
    assert not served["errors"], served["errors"]
