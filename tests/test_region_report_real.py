"""The region report, page and `recommend` on a real import (IT桔子 companies and rounds, classified): no patents,
demands or region resources, and no registered capital. What the data do not say is said as unknown — an attraction
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


@pytest.fixture(scope="module")
def real(itjuzi_db, tmp_path_factory):
    d = tmp_path_factory.mktemp("real-report")
    db = d / "z.duckdb"
    shutil.copy(itjuzi_db[0], db)
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

    out = run("recommend", "杭州市", db=real["db"]).stdout
    block = re.sub(r"\s+", " ", out[out.index("技术招商"):out.index("链式招商")])
    assert "数据不足，无法判断" in block and "开设 AI 专业的高校数 = 数据不足 >= 8 ?" in block


def test_top_enterprises_without_registered_capital_are_ranked_by_funding(real, hz_pdf):
    """IT桔子 gives no registered capital: 头部企业 is ordered by the funding raised (then rounds, then name), and
    says so — not 按注册资本排序 over a column of dashes, which had put 宁波… first by the code points of its name."""
    from zhaoshang.core.store import Store
    from zhaoshang.services.region_profile import region_profile

    with Store(str(real["db"]), read_only=True) as s:
        top = region_profile(s, "330100")["top_enterprises"]
        n = s.query("SELECT count(*) AS n, count(capital_wan) AS k FROM enterprises WHERE city_code = '330100' "
                    "AND id IN (SELECT enterprise_id FROM placements)")[0]
    assert n["k"] == 0 and top["ranked_by"] == "funding" and top["enterprises"] == n["n"] > 10
    rows = top["rows"]
    keys = [(-(r["funding_wan"] or 0), -r["fundings"], r["name"]) for r in rows]
    assert keys == sorted(keys) and rows[0]["funding_wan"] > 0
    assert top["order_note"].startswith(f"{n['n']} 家企业均无注册资本数据，故按截至 ")

    text = re.sub(r"\s+", " ", section(hz_pdf["zh"], "头部企业\n\n", "数据来源与方法"))
    assert "按注册资本排序" not in text and "均无注册资本数据，故按截至" in text and "累计融资额排序" in text
    assert text.index(rows[0]["name"]) < text.index(rows[1]["name"])
    text = re.sub(r"\s+", " ", hz_pdf["en"])
    assert f"Registered capital is unknown for all {n['n']}, so ranked by funding raised to" in text
    assert "By registered capital" not in text


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
        assert "按融资额" in head and "按注册资本" not in head
        assert "均无注册资本数据，故按截至" in page.inner_text("#top-order")
        page.goto(base + "/region/330100?lang=en")
        card = page.locator('#sec-modes [data-mode="technology"]')
        assert card.locator(".mode-verdict").inner_text() == "cannot be judged: no data"
        assert "no data" in card.locator('.xp-part[data-signal="universities"]').inner_text()
        assert "by funding" in page.inner_text("#sec-top h2")
        assert page.inner_text("#top-order").startswith("Registered capital is unknown for all")
