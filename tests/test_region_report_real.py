"""The region report, page and `recommend` on a real import (IT桔子 companies and rounds, two listed companies of
杭州 with their products, classified): no patents, demands or region resources, and registered capital for the
listed companies only. What the data do not say is said as unknown — an attraction
mode's criterion without data reads 数据不足, a mode hanging on one cannot be judged — never as a finding."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from web_util import require_browser, serving  # noqa: E402


# 杭州's two largest listed firms on the chain (海康威视, 大华), with their real rows of the A-share list, the main
# products file and the industry file: a registered capital beside IT桔子's start-ups, which have none
LISTED = ("002415", "002236")


def _rows_of(path: Path, out: Path, code_col: str) -> Path:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.DictReader(fh)
        rows = [x for x in r if x[code_col][:6] in LISTED]
        fields = r.fieldnames
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return out


@pytest.fixture(scope="module")
def real(itjuzi_db, tmp_path_factory):
    from conftest import shared_file

    d = tmp_path_factory.mktemp("real-report")
    db = d / "z.duckdb"
    shutil.copy(itjuzi_db[0], db)
    listed = _rows_of(shared_file("listed_companies/a_share_companies_merged.csv"), d / "a_share.csv", "code")
    products = _rows_of(shared_file("industry_chain/company_main_products_2021-10.csv"), d / "products.csv", "code")
    run("import", "enterprises", listed, "--preset", "a_share_merged", db=db)
    run("import", "enterprises", listed, "--preset", "a_share_merged", db=db)  # the same file again: read once
    # the files of 2021-10 by their own date: the data's as-of date moves to it, years after IT桔子's last round
    run("import", "enterprises", products, "--preset", "main_products", "--data-date", "2021-10-31", db=db)
    industry = _rows_of(shared_file("industry_chain/company_sw2021_industry_2021-10.csv"), d / "sw.csv", "ts_code")
    run("import", "enterprises", industry, "--preset", "sw_industry", "--data-date", "2021-10-31", db=db)
    run("classify", db=db)
    return {"db": db, "dir": d}


@pytest.fixture(scope="module")
def hz_pdf(real):
    """杭州市's report on the import as PDF, in Chinese and in English: {lang: its text (pdftotext -layout)}."""
    texts = {}
    for lang, flags in (("zh", []), ("en", ["--lang", "en"])):
        pdf = real["dir"] / f"hz_{lang}.pdf"
        run(*flags, "report", "region", "杭州市", "-o", pdf, db=real["db"])
        texts[lang] = pdf_text(pdf)
    return texts


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def section(text: str, head: str, nxt: str) -> str:
    return text[text.index(head):text.index(nxt, text.index(head))]


def test_modes_without_data_are_unknown_not_failed(real, hz_pdf):
    doc = run_json("recommend", "杭州市", db=real["db"])
    modes = {m["code"]: m for m in doc["modes"]}
    tech = modes["technology"]  # patents and universities: neither in the import
    assert [c["passed"] for c in tech["criteria"]] == [None, None]
    assert tech["verdict"] == "unknown" and tech["suggested"] is False
    chain = modes["chain"]  # one criterion failed (one compute enterprise of three asked), the other unknown: a finding
    assert [c["passed"] for c in chain["criteria"]] == [False, None] and chain["verdict"] == "no"

    text = re.sub(r"\s+", " ", section(hz_pdf["zh"], "招商模式建议\n", "合作伙伴地区\n"))
    assert "技术招商 数据不足，无法判断" in text and "技术招商 暂不具备条件" not in text
    assert "链式招商 暂不具备条件" in text
    assert "? 开设 AI 专业的高校数：数据不足（>= 8）" in text
    assert "✗ 开设 AI" not in text and "✗ 算力规模" not in text and "✗ 专利区位商" not in text
    # a real failure keeps its ✗: one compute enterprise in 杭州 (九州云, an OpenStack cloud provider, U03), three asked
    assert "✗ 算力基础设施企业数：1（>= 3）" in text

    text = re.sub(r"\s+", " ", section(hz_pdf["en"], "Attraction modes\n", "Cooperation partners\n"))
    assert "cannot be judged: no data" in text and "? universities with AI programmes: no data (>= 8)" in text

    # the leads: with no round in the 12 months before the as-of date (IT桔子's end in 2018-12) and no branches,
    # patents, news or demands imported, the scores tie; the report gives the order and says why, under the table
    text = re.sub(r"\s+", " ", section(hz_pdf["zh"], "重点招商线索\n\n", "数据来源与方法"))
    assert "同分按所属环节的归类置信度" in text
    assert re.search(r"列表中的企业近 12 个月（截至 2021-10-31）均无融资记录；库中截至该日最新的融资日期为 2018-12-\d\d", text)
    assert "库中未导入分支机构/子公司、专利、新闻、需求清单数据" in text
    text = re.sub(r"\s+", " ", section(hz_pdf["en"], "Top leads\n\n", "Sources and methods"))
    assert "no listed lead has a funding round in the 12 months to 2021-10-31" in text, text[-800:]

    out = run("recommend", "杭州市", db=real["db"]).stdout
    block = re.sub(r"\s+", " ", out[out.index("技术招商"):out.index("链式招商")])
    assert "数据不足，无法判断" in block and "开设 AI 专业的高校数 = 数据不足 >= 8 ?" in block


def test_top_enterprises_rank_capital_and_funding_together(real, hz_pdf):
    """IT桔子 gives no registered capital, the A-share list no rounds: 头部企业 ranks the enterprises with a capital by
    it and the others after them by funding, and says on each row which — 海康威视 and 大华 (capital 933,060 and
    329,447 万元) are not left out because most of the region's start-ups have no capital on record (the whole list
    was then ranked by funding), and the start-ups keep their order by funding."""
    from zhaoshang.core.store import Store
    from zhaoshang.services.region_profile import region_profile

    from zhaoshang.services.analytics.concentration import concentration
    from zhaoshang.services.regions import matrix

    with Store(str(real["db"]), read_only=True) as s:
        top = region_profile(s, "330100")["top_enterprises"]
        # IT桔子's 已关闭, in an export given no data date, ended as of every date: the closed ones out
        n = s.query("SELECT count(*) FILTER (WHERE status IS DISTINCT FROM '已关闭') AS n, count(capital_wan) AS k, "
                    "count(*) FILTER (WHERE status = '已关闭') AS closed FROM enterprises WHERE city_code = '330100' "
                    "AND id IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')")[0]
        # the same live enterprises on the map, the chain view and the concentration as in the report
        views = ({r["code"]: r["count"] for r in matrix.region_map(s, "city", parent="330000")}["330100"],
                 matrix.chain_tree(s, "330100")["region_total"],
                 {r["region"]: r["enterprises"] for r in concentration(s, "city")["rows"]}["330100"])
    assert 2 * n["k"] < n["n"] and top["capital_known"] == n["k"] >= 2 and top["enterprises"] == n["n"] > 10
    assert n["closed"] == 1 and views == (n["n"],) * 3, (n, views)
    rows = top["rows"]
    assert [r["name"] for r in rows[:2]] == ["杭州海康威视数字技术股份有限公司", "浙江大华技术股份有限公司"]
    assert [r["ranked_by"] for r in rows[:2]] == ["capital", "capital"] and top["ranked_by"] == "mixed"
    keys = [(r["capital_wan"] is None, -(r["capital_wan"] or 0), -(r["funding_wan"] or 0), -r["fundings"], r["name"])
            for r in rows]
    assert keys == sorted(keys) and all(r["ranked_by"] == "funding" for r in rows[2:])
    assert top["order_note"].startswith(f"有注册资本的企业按注册资本排序（{n['n']} 家中 {n['k']} 家有数据），其余企业")

    text = re.sub(r"\s+", " ", section(hz_pdf["zh"], "头部企业\n\n", "数据来源与方法"))
    assert "有注册资本的企业按注册资本排序" in text and "排序依据" in text and "故按截至" not in text
    assert "融资总额含按区间估算的金额（如“数亿元”）" in text  # the column's sums hold range estimates: said beside it
    assert text.index("杭州海康威视") < text.index("浙江大华") < text.index(rows[2]["name"])
    assert re.search(r"933,060 \S+ 0 — 注册资本", text), text[:600]
    assert "累计融资" in text  # the start-ups' rows name their basis
    text = re.sub(r"\s+", " ", hz_pdf["en"])
    assert "Enterprises with a registered capital ranked by it" in text


def test_the_report_reads_as_one_text(real, hz_pdf):
    """The contents numbered as the sections are (一 … 九, not 1. … 9.); a count of one in the singular; a file
    imported twice counted once in the appendix's rows read (it read 4 for the 2 rows of the A-share file)."""
    zh = hz_pdf["zh"]
    contents = re.sub(r"\s+", " ", zh[:zh.index("总体概况与区域位置\n\n")])
    assert "一 总体概况与区域位置" in contents and "八 头部企业" in contents and "九 重点招商线索" in contents
    assert not re.search(r"\b[1-9]\. ", contents), contents
    en = re.sub(r"\s+", " ", hz_pdf["en"])
    assert not re.search(r"\b1 are\b|\b1 have\b", en)
    assert re.search(r"Of \d+ segments, \d+ (is|are) strong", en)
    appendix = re.sub(r"\s+", " ", zh[zh.rindex("数据来源与方法\n"):])
    assert re.search(r"a_share 企业 未注明 2 1 1 ", appendix), appendix[:400]  # one of the two already an IT桔子 company


def test_the_page_says_what_the_data_do_not(real, chromium):
    """The page on the same import: a mode hanging on criteria without data cannot be judged, each such criterion
    reads 数据不足; 头部企业 says it is ordered by funding, and why."""
    require_browser()
    with serving(real["db"]) as base, chromium as b:
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/region/330100")
        card = page.locator('#sec-modes [data-mode="technology"]')
        assert card.locator(".mode-verdict").inner_text() == "数据不足，无法判断"
        assert "暂不具备条件" not in card.inner_text()
        assert "数据不足" in card.locator('.xp-part[data-signal="universities"]').inner_text()
        assert page.locator('#sec-modes [data-mode="chain"] .mode-verdict').inner_text() == "暂不具备条件"
        head = page.inner_text("#sec-top h2")
        assert "按注册资本或融资额" in head
        assert "有注册资本的企业按注册资本排序" in page.inner_text("#top-order")
        assert "排序依据" in page.inner_text("#sec-top") and "累计融资" in page.inner_text("#sec-top")
        page.goto(base + "/region/330100?lang=en")
        card = page.locator('#sec-modes [data-mode="technology"]')
        assert card.locator(".mode-verdict").inner_text() == "cannot be judged: no data"
        assert "no data" in card.locator('.xp-part[data-signal="universities"]').inner_text()
        assert "by registered capital or funding" in page.inner_text("#sec-top h2")
        assert page.inner_text("#top-order").startswith("Enterprises with a registered capital ranked by it")
