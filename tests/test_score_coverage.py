"""Funding coverage in the scorecard, by running the CLI on imported files: an enterprise that no imported funding
source lists has its funding signals unknown ("not covered"), never a known 0; one listed by the source that
imported the fundings and holding no round reads as "covered, none found" (0)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import card_signals, import_texts, run, run_json  # noqa: E402
from web_util import require_browser, serving  # noqa: E402

REGISTRY = """企业名称,统一社会信用代码,成立日期,登记状态,地区
甲星智能科技有限公司,,2015-03-01,存续,杭州市
乙辰数据科技有限公司,,2016-05-01,存续,杭州市
丙午银行股份有限公司,,2010-01-01,存续,杭州市
"""
FUNDING_LIST = """企业名称,成立日期,地区
甲星智能科技有限公司,2015-03-01,杭州市
乙辰数据科技有限公司,2016-05-01,杭州市
"""
FUNDINGS = """企业名称,融资时间,融资轮次,融资金额
甲星智能科技有限公司,2018-06-01,A轮,3000万人民币
"""
FUNDING_SIGNALS = {"total_raised", "rounds_total", "rounds_24m", "investors_n"}


@contextmanager
def browser_page(chromium, db):
    """A page of the module's chromium (the ``chromium`` fixture) on the app serving ``db``: ``(page, base url)``."""
    with serving(db) as base, chromium as b:
        yield b.new_page(), base


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("coverage")
    return import_texts(d / "cov.duckdb", d, [("enterprises", "登记库.csv", "登记库", REGISTRY),
                                              ("enterprises", "融资库企业.csv", "融资库", FUNDING_LIST),
                                              ("fundings", "融资库事件.csv", "融资库", FUNDINGS)])


def test_funding_unknown_when_no_funding_source_lists_the_enterprise(db):

    bank = run_json("score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db)  # registry only
    sig = card_signals(bank)
    for s in FUNDING_SIGNALS:  # unknown, not a known 0 ranked at the bottom
        assert sig[s]["raw"] is None and sig[s]["detail"]["missing"] and sig[s]["detail"]["not_covered"], s
        assert s in bank["missing"] and s in bank["not_covered"]
    assert bank["funding_coverage"] == "not_covered"
    note = next(r["note"] for r in bank["explained"]["evidence"] if r["table"] == "fundings")
    assert "未覆盖" in note
    table = run("score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db).stdout
    assert "未覆盖" in table
    en = run("--lang", "en", "score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db).stdout
    assert "not covered" in en

    listed = run_json("score", "乙辰数据科技有限公司", "--as-of", "2019-12-31", db=db)  # covered, no round
    sig = card_signals(listed)
    assert sig["rounds_total"]["raw"] == 0 and sig["total_raised"]["raw"] == 0
    assert not sig["rounds_total"]["detail"].get("not_covered") and listed["funding_coverage"] == "covered"
    # what it still lacks is of a kind no source imported at all (patents, news, risk events …), said as such
    assert {"rounds_total", "total_raised", "rounds_24m"}.isdisjoint(listed["not_covered"])
    assert "negative_events" in listed["not_covered"] and sig["investors_n"]["detail"]["not_covered_by"] == "investors"
    assert all(sig[s]["detail"]["none_imported"] for s in listed["not_covered"])
    # the unknown lowers the confidence, never the score's dimensions by a made-up 0
    assert bank["confidence"] < listed["confidence"]

    funded = run_json("score", "甲星智能科技有限公司", "--as-of", "2019-12-31", db=db)
    assert card_signals(funded)["rounds_total"]["raw"] == 1 and funded["funding_coverage"] == "covered"


@pytest.mark.browser
def test_profile_scorecard_tells_not_covered_from_none_found(db, chromium):
    require_browser()
    bank = run_json("score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db)["enterprise_id"]
    listed = run_json("score", "乙辰数据科技有限公司", "--as-of", "2019-12-31", db=db)["enterprise_id"]
    with browser_page(chromium, db) as (pg, base):
        pg.goto(f"{base}/enterprises/{bank}?as_of=2019-12-31")
        assert pg.get_attribute("#sc-funding-coverage", "data-coverage") == "not_covered"
        assert "未覆盖" in pg.inner_text('#sc-signals tr[data-signal="rounds_total"]')
        assert "未覆盖" in pg.inner_text('#sc-missing .sc-miss[data-signal="total_raised"]')
        # the missing signals are a list one can read and copy: their names apart, not run together
        chips = pg.locator("#sc-missing .sc-miss").all_inner_texts()
        text = pg.inner_text("#sc-missing")
        assert len(chips) > 2 and text.endswith("、".join(chips)), text
        pg.goto(f"{base}/enterprises/{bank}?as_of=2019-12-31&lang=en")
        assert "not covered" in pg.inner_text('#sc-signals tr[data-signal="rounds_total"]')
        pg.goto(f"{base}/enterprises/{listed}?as_of=2019-12-31")
        assert pg.get_attribute("#sc-funding-coverage", "data-coverage") == "covered"
        cells = pg.locator('#sc-signals tr[data-signal="rounds_total"] td').all_inner_texts()
        assert cells[2] == "0" and pg.locator('#sc-missing .sc-miss[data-signal="rounds_total"]').count() == 0


def test_a_batch_stored_by_an_earlier_reading_of_the_signals_is_not_used(db, tmp_path, monkeypatch):
    """A batch ranked before funding coverage (an uncovered enterprise's funding read as 0) must not serve the
    cards: how the signals are read is part of the stored batch's fingerprint."""
    import datetime as dt
    import shutil

    from zhaoshang.core.store import Store
    from zhaoshang.services.evaluation import cohorts, signals
    from zhaoshang.services.evaluation.scorecard import load_weights, score_all

    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    d = dt.date(2019, 12, 31)
    with Store(str(copy)) as store:
        score_all(store, as_of=d)
        w = load_weights(None)
        from zhaoshang.services.evaluation.scorecard import weight_params
        from zhaoshang.services.regions.matrix import default_chain

        args = (store, d, weight_params(w), default_chain(store))
        assert cohorts.usable(*args)
        monkeypatch.setattr(signals, "SIGNALS_VERSION", "an-earlier-reading")
        assert not cohorts.usable(*args)


PATENT_LIST = """企业名称,成立日期,地区
甲星智能科技有限公司,2015-03-01,杭州市
乙辰数据科技有限公司,2016-05-01,杭州市
"""
PATENTS = """公开号,标题,申请人,申请日,专利类型
CN110000001A,一种图像识别方法,甲星智能科技有限公司,2018-03-01,发明
"""
PATENT_SIGNALS = {"patents", "invention_share", "patents_recent", "ipc_breadth", "patents_growth"}


def test_patents_unknown_when_no_patent_source_lists_the_enterprise(tmp_path, chromium):
    """As for fundings: an enterprise no imported patent source lists (a registry's, beside a patent office's file
    of other applicants) has its patent signals unknown (未覆盖), not 0 patents ranked at the bottom; one the patent
    source lists without a patent has a known 0."""
    db = import_texts(tmp_path / "pat.duckdb", tmp_path, [("enterprises", "登记库.csv", "登记库", REGISTRY),
                                                          ("enterprises", "专利库企业.csv", "专利库", PATENT_LIST),
                                                          ("patents", "专利库专利.csv", "专利库", PATENTS)])
    bank = run_json("score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db)
    sig = card_signals(bank)
    for s in PATENT_SIGNALS:
        assert sig[s]["raw"] is None and sig[s]["detail"]["not_covered"] and sig[s]["detail"]["not_covered_by"] == "patents", s
        assert s in bank["not_covered"]
    assert bank["patent_coverage"] == "not_covered"
    assert "未覆盖" in next(r["note"] for r in bank["explained"]["evidence"] if r["table"] == "patent_applicants")
    p = run("score", "丙午银行股份有限公司", "--as-of", "2019-12-31", db=db)
    table = "".join((p.stdout + p.stderr).split())  # (the table wraps its cells)
    assert "未覆盖（专利来源未列入）" in table and "导入的专利来源均未覆盖该企业" in table
    listed = run_json("score", "乙辰数据科技有限公司", "--as-of", "2019-12-31", db=db)
    assert card_signals(listed)["patents"]["raw"] == 0 and listed["patent_coverage"] == "covered"
    assert card_signals(run_json("score", "甲星智能科技有限公司", "--as-of", "2019-12-31", db=db))["patents"]["raw"] == 1

    require_browser()
    with browser_page(chromium, db) as (pg, base):
        pg.goto(f"{base}/enterprises/{bank['enterprise_id']}?as_of=2019-12-31")
        assert pg.get_attribute("#sc-patent-coverage", "data-coverage") == "not_covered"
        assert "未覆盖" in pg.inner_text('#sc-signals tr[data-signal="patents"]')
        assert pg.get_attribute('#sc-signals tr[data-signal="patents"] td:nth-child(3) span', "title") == "没有导入的专利来源列入该企业"


def test_a_patent_sample_of_other_applicants_covers_no_listed_company(tmp_path):
    """The USPTO sample (no applicant among the SZSE-listed companies) beside the SZSE list: a listed company's
    patent signals are unknown (未覆盖), not "0 patents, percentile 50"."""
    from conftest import shared_file

    szse, uspto = shared_file("listed_companies/szse_a_share_list_2026-01.csv"), \
        shared_file("patents/uspto_ai_related_pgpub_sample_2024-10.csv")
    db = tmp_path / "r.duckdb"
    run_json("import", "enterprises", szse, "--preset", "szse_a_share", "--data-date", "2026-01-30", db=db)
    rep = run_json("import", "patents", uspto, "--preset", "uspto_pgpub", "--data-date", "2024-10-10", db=db)
    assert rep["rows_imported"] > 400
    doc = run_json("score", "000001", db=db)
    assert doc["patent_coverage"] == "not_covered"
    assert all(card_signals(doc)[s]["raw"] is None for s in PATENT_SIGNALS)
