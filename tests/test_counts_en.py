"""English messages say a count as it reads — 1 row, 2 rows (core/errors.py count_en / noun_en) — in the CLI's
import report and other count lines, and on the pages that show a count beside its noun."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

from zhaoshang.core.errors import count_en  # noqa: E402

ROWS = "企业名称,统一社会信用代码,成立日期\n测试科技有限公司,91330100MA27XXXX1X,2020-01-01\n,,2020-13-45\n另一科技有限公司,,2019-05-06\n"


def test_count_en():
    assert [count_en(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert count_en(1, "entry", "entries") == "1 entry" and count_en(3, "entry", "entries") == "3 entries"
    assert count_en(12345, "row", sep=True) == "12,345 rows"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("counts")
    (root / "ents.csv").write_text(ROWS, encoding="utf-8")
    p = run("--lang", "en", "import", "enterprises", root / "ents.csv", db=root / "c.duckdb")
    return root / "c.duckdb", p


def test_import_and_search_counts_in_english(db, tmp_path):
    path, p = db
    assert "1 row rejected, 1 value dropped: see " in p.stderr, p.stderr  # was "1 rows rejected, 1 values dropped"
    out = run("--lang", "en", "search", "测试", db=path, env={"COLUMNS": "200"}).stdout
    assert "Search '测试': 1 hit" in out and "1 hits" not in out, out
    err = run("--lang", "en", "export", "enterprises", "-o", tmp_path / "e.csv", db=path).stderr
    assert err.startswith("exported 2 rows to "), err
    zh = run("import", "enterprises", path.with_name("ents.csv"), db=tmp_path / "zh.duckdb").stderr
    assert "有 1 行被拒绝、1 个字段值被忽略" in zh, zh


def test_library_page_says_1_result(db):
    from web_util import ARGS, CHROMIUM, require_browser, serving

    require_browser()
    from playwright.sync_api import sync_playwright

    with serving(db[0]) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = b.new_page()
        page.goto(f"{base}/enterprises?q=测试科技&lang=en")
        assert page.inner_text("#result-total").strip() == "1"
        assert page.inner_text("#result-total >> xpath=..").strip().startswith("1 result") and \
            "1 results" not in page.inner_text("#result-total >> xpath=..")
        page.goto(f"{base}/enterprises?q=科技&lang=en")
        assert page.inner_text("#result-total >> xpath=..").strip().startswith("2 results")
        page.goto(f"{base}/enterprises?q=测试科技&lang=zh")
        assert "1 条结果" in page.inner_text("#result-total >> xpath=..")
        b.close()


def test_lead_reasons_say_their_counts_in_english():
    from zhaoshang.services.leads.reasons import reasons

    r = {"rounds_12m": 1, "round_12m": "a", "amount_12m": 2000.0, "branches_24m": 1, "branch_cities_en": ["Chengdu"],
         "patents_24m": 1, "patents_prev_24m": 0, "expansion_news": 1, "is_gap": False, "is_recommended": False,
         "demands": 1, "local_ties": 0, "negative_news": 1}
    one = " | ".join(reasons(r, ("芯片", "Chips"), "en"))
    for s in ("raised 1 round in", "opened 1 branch or subsidiary in Chengdu", "1 patent application in",
              "1 expansion news item in", "1 open local demand in", "1 strongly negative news item in"):
        assert s in one, one
    two = " | ".join(reasons({**r, **{k: 2 for k in ("rounds_12m", "branches_24m", "patents_24m", "expansion_news",
                                                         "demands", "negative_news")}}, ("芯片", "Chips"), "en"))
    assert "(s)" not in one + two and "2 branches or subsidiaries" in two and "2 open local demands" in two, two
