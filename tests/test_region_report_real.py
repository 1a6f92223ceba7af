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


def pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def section(text: str, head: str, nxt: str) -> str:
    return text[text.index(head):text.index(nxt, text.index(head))]


def test_modes_without_data_are_unknown_not_failed(real):
    doc = run_json("recommend", "杭州市", db=real["db"])
    modes = {m["code"]: m for m in doc["modes"]}
    tech = modes["technology"]  # patents and universities: neither in the import
    assert [c["passed"] for c in tech["criteria"]] == [None, None]
    assert tech["verdict"] == "unknown" and tech["suggested"] is False
    chain = modes["chain"]  # one criterion failed (no compute enterprise), the other unknown: a finding
    assert [c["passed"] for c in chain["criteria"]] == [False, None] and chain["verdict"] == "no"

    pdf = real["dir"] / "hz.pdf"
    run("report", "region", "杭州市", "-o", pdf, db=real["db"])
    text = re.sub(r"\s+", " ", section(pdf_text(pdf), "招商模式建议\n", "合作伙伴地区\n"))
    assert "技术招商 数据不足，无法判断" in text and "技术招商 暂不具备条件" not in text
    assert "链式招商 暂不具备条件" in text
    assert "? 开设 AI 专业的高校数：数据不足（>= 8）" in text
    assert "✗ 开设 AI" not in text and "✗ 算力规模" not in text and "✗ 专利区位商" not in text
    assert "✗ 算力基础设施企业数：0（>= 3）" in text  # a real failure keeps its ✗

    en = real["dir"] / "hz_en.pdf"
    run("--lang", "en", "report", "region", "杭州市", "-o", en, db=real["db"])
    text = re.sub(r"\s+", " ", section(pdf_text(en), "Attraction modes\n", "Cooperation partners\n"))
    assert "cannot be judged: no data" in text and "? universities with AI programmes: no data (>= 8)" in text

    out = run("recommend", "杭州市", db=real["db"]).stdout
    block = re.sub(r"\s+", " ", out[out.index("技术招商"):out.index("链式招商")])
    assert "数据不足，无法判断" in block and "开设 AI 专业的高校数 = 数据不足 >= 8 ?" in block


def test_the_page_says_what_the_data_do_not(real, chromium):
    """The page on the same import: a mode hanging on criteria without data cannot be judged, each such criterion
    reads 数据不足."""
    require_browser()
    with serving(real["db"]) as base, chromium as b:
        page = b.new_page(viewport={"width": 1440, "height": 900})
        page.goto(base + "/region/330100")
        card = page.locator('#sec-modes [data-mode="technology"]')
        assert card.locator(".mode-verdict").inner_text() == "数据不足，无法判断"
        assert "暂不具备条件" not in card.inner_text()
        assert "数据不足" in card.locator('.xp-part[data-signal="universities"]').inner_text()
        assert page.locator('#sec-modes [data-mode="chain"] .mode-verdict').inner_text() == "暂不具备条件"
        page.goto(base + "/region/330100?lang=en")
        card = page.locator('#sec-modes [data-mode="technology"]')
        assert card.locator(".mode-verdict").inner_text() == "cannot be judged: no data"
        assert "no data" in card.locator('.xp-part[data-signal="universities"]').inner_text()
