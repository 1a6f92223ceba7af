"""``show`` prints an enterprise's other names — 曾用名, 简称, 品牌 — as a section of their own, in the UI language,
so the analyst sees why a former name opened this company."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402


def test_show_lists_former_short_and_brand_names(tmp_path):
    f = tmp_path / "名录.csv"
    f.write_text("企业名称,曾用名,企业简称,品牌,所属省份,所属城市\n"
                 "杭州新名科技有限公司,杭州旧名科技有限公司、杭州老名科技有限公司,新名科技,新名智能,浙江省,杭州市\n",
                 encoding="utf-8")
    db = tmp_path / "a.duckdb"
    run("import", "enterprises", f, db=db)
    assert {(a["alias"], a["kind"]) for a in run_json("show", "杭州旧名科技有限公司", db=db)["aliases"]} >= {
        ("杭州旧名科技有限公司", "former"), ("新名科技", "short"), ("新名智能", "brand")}
    zh = run("show", "杭州旧名科技有限公司", db=db, env={"COLUMNS": "120"}).stdout
    assert "别名（" in zh
    for name, kind in (("杭州旧名科技有限公司", "曾用名"), ("杭州老名科技有限公司", "曾用名"), ("新名科技", "简称"),
                       ("新名智能", "品牌")):
        assert any(name in line and kind in line for line in zh.splitlines()), (name, zh)
    en = run("--lang", "en", "show", "新名科技", db=db, env={"COLUMNS": "120"}).stdout
    assert "Other names (" in en
    assert any("杭州旧名科技有限公司" in line and "former name" in line for line in en.splitlines()), en
    assert any("新名智能" in line and "brand" in line for line in en.splitlines()), en


def test_profile_page_lists_the_other_names_as_show_does(tmp_path, chromium):
    """The profile page left out the enterprise's other names that ``show`` prints: it lists them — each with its kind
    and the source that gave it — from the same profile, in both languages."""
    from web_util import require_browser, serving

    require_browser()
    f = tmp_path / "名录.csv"
    f.write_text("企业名称,曾用名,企业简称,所属省份,所属城市\n"
                 "杭州新名科技有限公司,杭州旧名科技有限公司,新名科技,浙江省,杭州市\n", encoding="utf-8")
    db = tmp_path / "a.duckdb"
    run("import", "enterprises", f, db=db)
    doc = run_json("show", "杭州旧名科技有限公司", db=db)
    shown = {(a["alias"], a["kind"], a["source"]) for a in doc["aliases"]}
    assert shown == {("杭州旧名科技有限公司", "former", "名录"), ("新名科技", "short", "名录")}, shown
    eid = doc["enterprise"]["id"]
    with serving(db) as base, chromium as b:
        page = b.new_page()
        got = {}
        for lang in ("zh", "en"):
            page.goto(f"{base}/enterprises/{eid}?lang={lang}")
            got[lang] = {tuple(page.inner_text(f"#aliases tbody tr:nth-child({i + 1}) td:nth-child({c})")
                               for c in (1, 2, 3)) for i in range(page.locator("#aliases tbody tr").count())}
        b.close()
    assert got["zh"] == {("杭州旧名科技有限公司", "曾用名", "名录"), ("新名科技", "简称", "名录")}, got
    assert got["en"] == {("杭州旧名科技有限公司", "former name", "名录"), ("新名科技", "short name", "名录")}, got
