"""English messages say a count as it reads — 1 row, 2 rows (core/errors.py count_en / noun_en) — in the CLI's
import report and other count lines, and on the pages that show a count beside its noun; and the CLI's counts from
1,000 up with their thousands grouped, in either language (docs/cli.md)."""

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
    assert count_en(12345, "row", sep=True) == count_en(12345, "row") == "12,345 rows"  # a count is grouped


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
    err = run("--lang", "en", "export", "enterprises", "-o", tmp_path / "e.xlsx", db=path).stderr
    assert err.startswith("exported 2 rows to "), err
    import openpyxl  # the sheet named in the output's language, as the region report's English workbook (it read 数据)

    assert openpyxl.load_workbook(tmp_path / "e.xlsx", read_only=True).sheetnames == ["Data"]
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


def test_cli_counts_from_a_thousand_are_grouped_and_one_is_singular():
    """The CLI's notes and titles group a count's thousands (docs/cli.md: from 1,000 up, counts too) in both
    languages and say one in the singular: the import's notes, its text-mention lines, ``score all``'s title and
    ``recommend``'s note on thin segments (they read 2882 个字段值, 14250 (2659), 10521 / 0 / 0, scored 18347
    enterprises, 1 segments have)."""
    from zhaoshang.core.importers.context import ImportReport
    from zhaoshang.interfaces.cli.app import state
    from zhaoshang.interfaces.cli.data import _import_notes, _text_link_rows
    from zhaoshang.interfaces.cli.score import scored_title
    from zhaoshang.services.recommend import thin_note

    report = ImportReport(import_id=7, kind="enterprises", source="登记库", files=["e.csv"], rows_rejected=1204,
                          fields_dropped=1, values_kept_older=2882,
                          values_kept_older_by_field={"capital_wan": 1700, "address": 1182}, rejects_path="r.csv")
    links = {"items": 20000, "items_linked": 9000, "mentions": 14250, "enterprises": 2659, "ambiguous": 1300,
             "ambiguous_examples": [{"mention": "科达"}], "items_linked_any": 9500,
             "events": {"added": 10521, "removed": 0, "kept": 0}}
    said = {}
    for lang in ("zh", "en"):
        state.lang = lang
        try:
            said[lang] = ("\n".join(_import_notes(report, 1)), dict(_text_link_rows(links)),
                          scored_title({"scored": 18347, "insufficient": 14491, "as_of": "2025-12-31"}),
                          scored_title({"scored": 2, "insufficient": 1, "as_of": "2025-12-31"}))
        finally:
            state.lang = "zh"
    notes, rows, title, small = said["zh"]
    assert "注意：2,882 个字段值已由数据日期较晚的导出设定（注册资本 1,700、地址 1,182）" in notes, notes
    assert "有 1,204 行被拒绝、1 个字段值被忽略" in notes and "注意：1 家企业尚未" in notes, notes
    assert rows["正文提及：关联数（企业数）"] == "14,250 (2,659)" and rows["正文提及：有歧义未关联"].startswith("1,300（")
    assert rows["正文提及的企业新闻事件：新增 / 移除 / 保留"] == "10,521 / 0 / 0", rows
    assert title.startswith("已评分 18,347 家企业") and "其中 14,491 家数据不足" in title, title
    notes, rows, title, small = said["en"]
    assert "note: 2,882 values already set by an export with a later data date (capital 1,700, address 1,182)" in notes
    assert "1,204 rows rejected, 1 value dropped" in notes and "note: 1 enterprise is not yet placed" in notes, notes
    assert rows["text mentions: links (enterprises)"] == "14,250 (2,659)"
    assert rows["news events of text mentions: added / removed / kept"] == "10,521 / 0 / 0", rows
    assert title.startswith("scored 18,347 enterprises") and "; 14,491 with insufficient data have no total" in title
    assert small.startswith("scored 2 enterprises") and "; 1 with insufficient data has no total" in small, small
    assert thin_note(1, 5)[1].startswith("1 segment has fewer than 5 enterprises nationally: its density")
    assert thin_note(1234, 1000) == ("1,234 个环节全国企业数少于 1,000 家，其关联密度与复杂度依据过少，排在其余环节之后",
                                     "1,234 segments have fewer than 1,000 enterprises nationally: their density and "
                                     "complexity rest on too few enterprises, so they rank after the others")
