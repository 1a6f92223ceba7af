"""The scorecard on the web, in headless chromium on one served fixture: the profile's scorecard (radar, every
signal's contribution, confidence, missing signals, as-of, method) and its JSON twin equal to ``zhaoshang score
--format json``; the enterprise library sorted and filtered by the stored score batch it names; the methods page
with a saved backtest (figures equal to ``backtest score --format json``, ROC curves whose area is the AUC)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

pytestmark = pytest.mark.browser
AS_OF = "2024-12-31"
BT_AS_OF = "2017-06-30"  # the fixture's rounds run 2015–2018: 16 eligible, 3 raise again within the year


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    d = tmp_path_factory.mktemp("scoreweb")
    db = d / "fx.duckdb"
    matrix_fixture.build(str(db), n=80)
    run("score", "all", "--as-of", AS_OF, db=db)
    run("backtest", "score", "--as-of", BT_AS_OF, "--horizon", "365", "--save", "--label", "测试回测", db=db)
    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page(viewport={"width": 1300, "height": 900})
        errors: list[str] = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield {"db": db, "base": base, "page": pg, "errors": errors}
        b.close()


def _stored(db, sql, params=()):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_profile_shows_the_scorecard_and_its_json_twin(served):
    base, pg, db = served["base"], served["page"], served["db"]
    eid = _stored(db, "SELECT enterprise_id FROM scores WHERE total IS NOT NULL ORDER BY total DESC, enterprise_id LIMIT 1")[0][0]
    cli = run_json("score", str(eid), "--as-of", AS_OF, db=db)
    api = httpx.get(f"{base}/api/enterprises/{eid}/score", params={"as_of": AS_OF}).json()
    for k in ("total", "confidence", "as_of", "method", "version", "missing"):
        assert api[k] == cli[k], k
    assert api["dimensions"] == cli["dimensions"] and api["explained"] == cli["explained"]
    pg.goto(f"{base}/enterprises/{eid}?as_of={AS_OF}")
    pg.wait_for_selector('#sc-radar[data-ready="1"] canvas')
    assert pg.inner_text("#sc-total") == str(cli["total"])
    assert pg.inner_text("#sc-confidence") == str(cli["confidence"])
    assert AS_OF in pg.inner_text("#sc-asof") and cli["version"] in pg.inner_text("#sc-method")
    n_signals = sum(len(d["contributions"]) for d in cli["dimensions"].values())
    assert pg.locator("#sc-signals tr.sc-signal").count() == n_signals
    # the fixture has no investors or team roles dated by then: those signals are listed as missing
    shown_missing = {el.get_attribute("data-signal") for el in pg.locator("#sc-missing .sc-miss").all()}
    assert shown_missing == set(cli["missing"]) and "investor_quality" in shown_missing
    row = pg.locator('#sc-signals tr[data-signal="investor_quality"]')
    assert "缺失" in row.inner_text()
    first = next(c for d in cli["dimensions"].values() for c in d["contributions"] if not c["detail"]["missing"])
    cells = pg.locator(f'#sc-signals tr[data-signal="{first["signal"]}"] td').all_inner_texts()
    assert float(cells[-1]) == pytest.approx(first["contribution"]) and float(cells[3]) == pytest.approx(first["normalised"])
    assert httpx.get(f"{base}/api/enterprises/999999/score").status_code == 404
    pg.goto(f"{base}/enterprises/{eid}?lang=en&as_of={AS_OF}")
    assert "Scorecard" in pg.inner_text("#scorecard")
    assert not served["errors"], served["errors"]


def test_enterprise_library_sorts_and_filters_by_the_stored_score(served):
    base, pg, db = served["base"], served["page"], served["db"]
    pg.goto(f"{base}/enterprises?as_of={AS_OF}&size=500")
    assert AS_OF in pg.inner_text("#score-asof")
    pg.goto(f"{base}/enterprises?as_of={AS_OF}&size=500&lang=zh")
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
    api = httpx.get(f"{base}/api/enterprises", params={"as_of": AS_OF, "score_min": 60, "sort": "-score"}).json()
    assert api["total"] == n and api["score_as_of"] == AS_OF
    # a list as of a date before any stored batch cannot sort by score: one line, 400
    r = httpx.get(f"{base}/api/enterprises", params={"as_of": "2019-01-01", "sort": "-score"})
    assert r.status_code == 400 and "score all" in r.json()["error"]
    assert httpx.get(f"{base}/api/enterprises", params={"score_min": 101}).status_code == 400
    assert not served["errors"], served["errors"]


def _area(points) -> float:
    return sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(points, points[1:]))


def test_methods_page_shows_the_saved_backtest_beside_the_baselines(served):
    base, pg, db = served["base"], served["page"], served["db"]
    cli = run_json("backtest", "score", "--as-of", BT_AS_OF, "--horizon", "365", db=db)
    api = httpx.get(f"{base}/api/methods").json()
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
    assert run_el.locator(".bt-eligible").inner_text() == str(cli["population"]["eligible"])
    assert run_el.locator(".bt-positives").inner_text() == str(cli["population"]["positives"])
    rows = run_el.locator(".bt-auc tbody tr")
    assert rows.count() == len(cli["models"]) + len(cli["baselines"]) == 6
    hand = run_el.locator('.bt-auc tr[data-model="score_hand"] .bt-auc-v').inner_text()
    assert float(hand) == pytest.approx(cli["models"]["score_hand"]["auc"], abs=1e-3)
    pg.wait_for_selector('.bt-run[data-kind="saved"] .bt-roc[data-ready="1"] canvas')
    pg.wait_for_selector('.bt-run[data-kind="saved"] .bt-pk[data-ready="1"] canvas')
    assert run_el.locator(".bt-cal tbody tr").count() == 4
    assert pg.locator('.bt-run[data-kind="published"]').count() == len(api["published"])
    pg.click("#nav-methods")
    assert "方法与回测" in pg.inner_text("h1")
    assert not served["errors"], served["errors"]
