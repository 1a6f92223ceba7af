"""`zhaoshang report region`: the PDF rendered to PNG pages and read back as text, fonts embedded, the
workbook's sheets against the JSON twin, the HTML report, English, and one-line errors."""

from __future__ import annotations

import json
import re
from decimal import Decimal
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_util import run as cli_run

from zhaoshang.interfaces.labels import PARTNER_KINDS, lq_text
from zhaoshang.core.store import Store
from zhaoshang.services.leads.export import HEADERS as EXPORT_HEADERS
from zhaoshang.services.region_profile import region_profile

SECTIONS = ["总体概况与区域位置", "产业链结构（对比全国）", "强链 · 补链 · 延链", "推荐招商环节", "招商模式建议",
            "合作伙伴地区", "资本风向（融资趋势）", "头部企业", "数据来源与方法"]


def run(*args, check=True):
    return cli_run(*args, check=check, timeout=300)


def pdf_text(pdf, *flags: str) -> str:
    """``pdftotext FLAGS pdf -`` (about a second of CPU for a whole report): read once per file and flags, as several
    tests read the module's reports (each written once, by its fixture)."""
    key = (str(pdf), Path(pdf).stat().st_mtime_ns, flags)
    if key not in _PDF_TEXTS:
        _PDF_TEXTS[key] = subprocess.run(["pdftotext", *flags, str(pdf), "-"], capture_output=True, text=True,
                                         check=True).stdout
    return _PDF_TEXTS[key]


_PDF_TEXTS: dict = {}


@pytest.fixture(scope="module")
def env(tmp_path_factory, demo_copy):
    d = tmp_path_factory.mktemp("report")
    db = str(d / "demo.duckdb")
    demo_copy(db)
    s = Store(db, read_only=True)
    prof = region_profile(s, "440300")
    s.close()
    pdf, xlsx, html = d / "sz.pdf", d / "sz.xlsx", d / "sz.html"
    r = run("--db", db, "report", "region", "深圳市", "-o", str(pdf), "-o", str(xlsx), "-o", str(html))  # one profile, three files
    for f in (pdf, xlsx, html):
        assert f.exists() and str(f) in r.stdout
    assert len(r.stdout.splitlines()) == 3 and "合成演示数据" in r.stderr
    return {"db": db, "dir": d, "p": prof, "pdf": pdf, "xlsx": xlsx, "html": html}


@pytest.fixture(scope="module")
def sz_en(env):
    """深圳市's English report (`--lang en report region 440300`) as PDF, workbook and HTML."""
    out = {suffix: env["dir"] / f"sz_en.{suffix}" for suffix in ("pdf", "xlsx", "html")}
    r = run("--db", env["db"], "--lang", "en", "report", "region", "440300", *[a for f in out.values() for a in ("-o", str(f))])
    for f in out.values():
        assert f.exists() and str(f) in r.stdout
    out["profile"] = env["p"]  # the same region's profile
    return out


def test_pdf_pages_render_with_text_and_images(env):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    from PIL import Image

    out = env["dir"] / "png"
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(env["pdf"]), str(out / "pg")], check=True)
    pages = sorted(out.glob("pg-*.png"))
    assert len(pages) >= 8
    for p in pages:
        im = Image.open(p).convert("L")
        dark = sum(im.histogram()[:200])
        assert dark / (im.width * im.height) > 0.003, f"{p.name} looks blank"
    # figures: the map and chart pages hold coloured pixels (not only black text on white)
    import numpy as np

    px = np.asarray(Image.open(pages[1]).convert("RGB")).astype(int)
    coloured = int(((px.max(axis=2) - px.min(axis=2)) > 60).sum())
    assert coloured > 500

    text = pdf_text(env["pdf"], "-layout")
    p = env["p"]
    raw = pdf_text(env["pdf"])
    flat = "".join(raw.split())  # reading order; table cells wrap long names over lines
    assert "广东省深圳市" in text and p["as_of"] in text
    for title in SECTIONS:
        assert title.replace(" ", "") in flat, title
    assert p["top_enterprises"]["rows"][0]["name"] in flat
    assert p["recommend"]["segments"][0]["name_zh"] in flat
    for page in text.split("\f")[:-1]:  # the synthetic label on every page
        assert "合成演示数据" in page
    # the leads' table gives an enterprise's name the width of its name: each on one line of the page, not
    # 北京琛歆智 / 能装备股份 / 有限公司 over three lines beside the reasons
    leads = text.split("重点招商线索")[-1]
    names = [r["name"] for r in p["leads"]["rows"]]
    assert names and all(any(n in line for line in leads.splitlines()) for n in names), leads


def test_pdf_fonts_are_embedded_cjk(env):
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts not installed")
    out = subprocess.run(["pdffonts", str(env["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows and any("CJK" in r for r in rows)
    for r in rows:
        assert " yes " in r.split("Identity-H")[-1] or r.split()[-5] == "yes", r  # emb column


def test_xlsx_holds_the_json_numbers(env):
    from openpyxl import load_workbook

    wb = load_workbook(env["xlsx"])
    p = env["p"]
    assert wb.sheetnames == ["概览", "产业链分布", "地区对比", "推荐环节", "招商模式", "合作伙伴", "融资趋势", "融资按环节",
                             "活跃投资方", "头部企业", "重点线索", "说明"]

    def table(name):
        ws = wb[name]
        rows = list(ws.iter_rows(values_only=True))
        assert "合成演示数据" in str(rows[0][0])
        head, body = rows[1], []
        for r in rows[2:]:  # the table ends at its first empty row (a sheet may add a line of text below it)
            if all(v is None for v in r):
                break
            body.append(dict(zip(head, r)))
        return body

    chain = {r["环节代码"]: r for r in table("产业链分布")}
    for row in p["chain_rows"]:
        x = chain[row["code"]]
        assert x["本地企业数"] == row["count"] and x["全国企业数"] == row["national_count"]
        lq = x["区位商（对产业链企业）"]  # as `chain` and `map` head the chain's LQ (concentration's is against all)
        assert lq == pytest.approx(row["lq"]) if row["lq"] is not None else lq is None
        assert x["占全国比重"] == pytest.approx(row["share"])
    top = table("头部企业")
    assert [r["企业名称"] for r in top] == [r["name"] for r in p["top_enterprises"]["rows"]]
    assert [r["注册资本（万元）"] for r in top] == [r["capital_wan"] for r in p["top_enterprises"]["rows"]]
    partners = table("合作伙伴")
    heads = list(wb["合作伙伴"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert "分支机构" in heads and len(heads) == len(set(heads)), heads  # not two columns called 对外投资
    assert [(r["地区代码"], pytest.approx(r["联系强度"])) for r in partners] == \
        [(r["region"], r["weight"]) for r in p["partners"]["rows"]]
    rec = table("推荐环节")
    assert [r["推荐环节"] for r in rec] == [s["name_zh"] for s in p["recommend"]["segments"]]
    assert [r["RCA"] for r in rec] == pytest.approx([s["rca"] for s in p["recommend"]["segments"]])
    # the PCI named by the level whose matrix it was computed over (a district's page gives the same segment another)
    assert [r["复杂度 PCI（地级市间）"] for r in rec] == pytest.approx([s["pci"] for s in p["recommend"]["segments"]])
    quarters = table("融资趋势")
    assert [r["季度"] for r in quarters] == [q["period"] for q in p["trends"]["by_period"]]
    assert sum(r["融资事件"] for r in quarters) == p["trends"]["totals"]["rounds"]
    leads = table("重点线索")  # the real top leads with their reasons
    assert [(r["企业编号"], r["企业"], r["理由"]) for r in leads] == \
        [(r["enterprise_id"], r["name"], r["reasons_text"]) for r in p["leads"]["rows"]] and leads
    # its columns in the order of the leads export: the rank, then the enterprise's id, then its name
    heads = [c.value for c in wb["重点线索"][2]]
    assert heads[:2] == [x[0] for x in (EXPORT_HEADERS["rank"], EXPORT_HEADERS["enterprise_id"])], heads
    modes = table("招商模式")
    assert len(modes) == len(p["recommend"]["modes"])
    # how a mode combines its criteria in words (not all / any); an id is written without thousands separators
    said_require = {"all": "全部满足", "any": "任一满足"}
    assert sorted(r["条件要求"] for r in modes) == sorted(said_require[m["require"]] for m in p["recommend"]["modes"])
    ids = [c for name in ("头部企业", "重点线索") for c in wb[name][3] if wb[name][2][c.column - 1].value == "企业编号"]
    assert len(ids) == 2 and {c.number_format for c in ids} == {"0"}, [(c.value, c.number_format) for c in ids]
    # each mode says whether it is suggested in the words of the region page and `zhaoshang recommend`
    said = {True: "建议采用", False: "暂不具备条件"}
    assert sorted(r["建议"] for r in modes) == sorted(said[m["suggested"]] for m in p["recommend"]["modes"])
    assert [r["建议"] for r in modes] == sorted((r["建议"] for r in modes), key=lambda v: v != "建议采用")
    ov = {r[0]: r[1] for r in wb["概览"].iter_rows(values_only=True) if r[0]}
    assert ov["本地产业链企业数"] == p["summary"]["region_total"] and ov["数据截至"] == p["as_of"]
    assert ov["层级"] in ("省级", "地市", "区县") and ov["产业链"] == f"{p['chain_name']}（{p['chain']}）"  # not city, ai
    notes = " ".join(str(c) for r in wb["说明"].iter_rows(values_only=True) for c in r if c)
    for needle in ("合成演示数据", p["as_of"], "synthetic-demo", "区位商 LQ", "docs/methods.md"):
        assert needle in notes


@pytest.fixture(scope="module")
def hz(env):
    """杭州市's report as of 2023-06-30 as PDF and workbook, and in English as PDF: rounds without an amount, more
    funded segments than the PDF lists, and an English title long enough to need the cover's smaller size. Its
    files serve the tests of the funding sheets and of the English cover, each read from the command's own run."""
    s = Store(env["db"], read_only=True)
    prof = region_profile(s, "330100", as_of="2023-06-30")
    s.close()
    pdf, xlsx, en_pdf = env["dir"] / "hz.pdf", env["dir"] / "hz.xlsx", env["dir"] / "hz_en.pdf"
    run("--db", env["db"], "report", "region", "330100", "-o", str(pdf), "-o", str(xlsx), "--as-of", "2023-06-30")
    run("--db", env["db"], "report", "region", "330100", "-o", str(en_pdf), "--lang", "en", "--as-of", "2023-06-30")
    return {"p": prof, "pdf": pdf, "xlsx": xlsx, "en_pdf": en_pdf}


def _sheet(path, name):
    from openpyxl import load_workbook

    rows = list(load_workbook(path)[name].iter_rows(values_only=True))
    assert "合成演示数据" in str(rows[0][0])
    return [dict(zip(rows[1], r)) for r in rows[2:]]


def test_the_funding_sheets_rounds_add_up(hz):
    """The sheet 融资趋势 counted rounds with an amount and with an estimated one, not those without: 4 + 1 of 6. The
    third kind is there, headed as in `zhaoshang trends`, and each quarter's kinds add up to its rounds."""
    quarters = _sheet(hz["xlsx"], "融资趋势")
    assert [r["季度"] for r in quarters] == [q["period"] for q in hz["p"]["trends"]["by_period"]]
    assert sum(r["未披露金额的轮次"] for r in quarters) == hz["p"]["trends"]["totals"]["undisclosed"] > 0
    for r in quarters:
        assert r["披露金额的轮次"] + r["估算金额的轮次"] + r["未披露金额的轮次"] == r["融资事件"], r


def test_funding_by_segment_says_what_the_pdf_leaves_out_and_the_workbook_holds_it_all(hz):
    """The PDF listed 12 of 杭州's 25 funded segments without a word, and the workbook had no such sheet: the PDF says
    how many more there are, and the sheet 融资按环节 holds every segment of the JSON twin with its rounds."""
    nodes = hz["p"]["trends"]["by_node"]
    assert len(nodes) > 12
    flat = "".join(pdf_text(hz["pdf"]).split())
    assert f"其余{len(nodes) - 12}个环节（金额较小）未列出" in flat
    assert nodes[11]["name_zh"] in flat
    sheet = _sheet(hz["xlsx"], "融资按环节")
    assert [(r["环节代码"], r["产业链环节"], r["融资事件"], r["企业数"]) for r in sheet] == \
        [(n["node"], n["name_zh"], n["rounds"], n["enterprises"]) for n in nodes]
    assert [r["金额（万元，含估算）"] for r in sheet] == pytest.approx([n["amount_wan"] for n in nodes])
    for r in sheet:
        assert r["披露金额的轮次"] + r["估算金额的轮次"] + r["未披露金额的轮次"] == r["融资事件"], r
    # the English PDF of the same region and date (`--lang en report region 330100 --as-of 2023-06-30`)
    en = " ".join(pdf_text(hz["en_pdf"]).split())
    assert f"{len(nodes) - 12} more segments (smaller amounts) are not listed" in en


def test_html_report_has_the_same_numbers(env):
    html = env["html"].read_text(encoding="utf-8")
    p = env["p"]
    assert "合成演示数据" in html and p["as_of"] in html and "<svg" in html
    for r in p["top_enterprises"]["rows"]:
        assert r["name"] in html
    for r in p["chain_rows"]:
        if r["lq"] is not None:
            assert lq_text(r['lq']) in html
    assert f"{p['summary']['region_total']:,}" in html
    # amounts the sources gave as ranges are not called disclosed: the funding sentence says the estimate it holds
    t = p["trends"]["totals"]
    assert t["estimated"] > 0 and t["estimated_wan"] > 0  # the demo has such rounds in 深圳's window
    assert (f"金额合计 {t['amount_wan'] / 10000:,.2f} 亿元（含估算 {t['estimated_wan'] / 10000:,.2f} 亿元）") in html
    assert "披露金额合计" not in html
    # nor do the segments' amounts, which hold the same estimates (the table's column said 披露金额（万元）)
    assert "金额（万元，含估算）" in html and "披露金额（万元）" not in html


def test_english_report_and_as_of(env):
    out, xlsx = env["dir"] / "en.html", env["dir"] / "en.xlsx"
    run("--db", env["db"], "report", "region", "440300", "-o", str(out), "-o", str(xlsx), "--lang", "en", "--as-of", "2020-06-30")
    html = out.read_text(encoding="utf-8")
    assert "Chain breakdown against the nation" in html and "2020-06-30" in html and "synthetic demo data" in html
    assert "amounts are sums of disclosed and estimated amounts" in html and "金额为披露金额" not in html  # notes in English
    from openpyxl import load_workbook
    import re

    wb = load_workbook(xlsx)
    notes = [str(c) for r in wb["Notes"].iter_rows(values_only=True) for c in r if c]
    assert not [n for n in notes if re.search(r"[\u4e00-\u9fff]", n)]  # the notes sheet in English, its label too
    # the sources' counts thousands separated, rows read as the others ('23500 rows read, 11,730 new')
    read = [m for n in notes for m in re.findall(r"([\d,]+) rows? read", n)]
    assert read and any(int(r.replace(",", "")) >= 1000 for r in read), notes
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", r) for r in read), read
    # the partners' kinds of link in labels.py's words, as the region page's chart and table say them
    partner_heads = list(wb["Partners"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert [h for h in partner_heads if h in ("Co-patents", "Branches", "Shared people")] == \
        [PARTNER_KINDS[k][1] for k in ("patent", "branch", "people")] == ["Co-patents", "Branches", "Shared people"]
    regions = list(wb["Regions"].iter_rows(values_only=True))
    mine = [r for r in regions[2:] if r[0] == "440300"][0]
    assert mine[regions[1].index("This region")] == "yes"
    ov = {r[0]: r[1] for r in wb["Overview"].iter_rows(values_only=True) if r[0]}
    assert ov["Level"] == "city" and ov["Chain"] == "AI industry chain (ai)"
    # the modes' criteria joined in English punctuation ('…: 0 (>= 5)；✗ demand LQ …' had a Chinese semicolon)
    modes = [list(r) for r in wb["Modes"].iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(modes) if "Criteria" in r)
    col = modes[head].index("Criteria")
    crit = [r[col] for r in modes[head + 1:] if r[col]]
    assert crit and not [c for c in crit if "；" in c], crit
    said = [r[modes[head].index("Suggested")] for r in modes[head + 1:] if r[col]]
    assert set(said) <= {"suggested", "not suggested"} and said, said
    assert html.count("<small>suggested</small>") == said.count("suggested")  # the report's mode cards, same words
    assert html.count("<small>not suggested</small>") == said.count("not suggested")


@pytest.mark.parametrize("args, needle", [
    (["report", "region", "火星", "-o", "x.pdf"], "未找到地区"),
    (["report", "region", "440300", "-o", "x.docx"], "不支持的报告格式"),
    (["report", "region", "440300", "-o", "x.pdf", "-o", "x.docx"], "不支持的报告格式"),  # no file, not the PDF alone
    (["report", "region", "440300", "-o", "/no/such/dir/x.pdf"], "目录不存在"),
    (["report", "region", "440300", "-o", "x"], "报告文件名没有扩展名: x"),  # a name is not called a format
    (["--lang", "en", "report", "region", "440300", "-o", "x"], "the report file name has no suffix: x"),
    (["report", "region", "440300", "-o", "x.pdf", "-o", "./x.pdf"], "同一文件给了两次: ./x.pdf"),
    # 0 or a negative number of top enterprises would empty 头部企业 as if the region had none
    (["report", "region", "440300", "-o", "x.pdf", "--top", "0"], "--top 应大于或等于 1（收到 0）"),
    (["report", "region", "440300", "-o", "x.pdf", "--top", "-5"], "--top 应大于或等于 1（收到 -5）"),
    (["--lang", "en", "report", "region", "440300", "-o", "x.pdf", "--top", "0"], "--top must be at least 1 (got 0)"),
])
def test_cli_errors_are_one_line(env, args, needle, tmp_path):
    r = cli_run("--db", env["db"], *args, check=False, cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr
    assert not list(tmp_path.glob("x.*"))


def test_report_json_twin_shape(env):
    # the profile document serialises as the API returns it
    doc = json.loads(json.dumps(env["p"], default=str, ensure_ascii=False))
    assert set(doc["available"]) >= {"chain", "map", "recommend", "partners", "trends", "top_enterprises"}


def test_lead_scores_show_two_decimals_every_row():
    """40.4 next to 41.83 in one column reads as a different precision: every lead score has two decimals."""
    from zhaoshang.interfaces.reports.region import TABLES, table

    rows = [{"rank": 1, "name": "甲", "segment_name": "通用大模型", "score": 41.83, "reasons_text": "x"},
            {"rank": 2, "name": "乙", "segment_name": "通用大模型", "score": 40.4, "reasons_text": "y"}]
    assert [r["cells"][3] for r in table(rows, TABLES["leads"])["rows"]] == ["41.83", "40.40"]


def test_the_workbook_shows_lead_scores_to_two_decimals_as_the_pdf(env):
    """The sheet 重点线索 showed 39.770 and 37.000 (format 0.000) where the PDF and the page say 39.77 and 37.00: the
    workbook keeps the value and shows it with the PDF's two decimals, as the other two-decimal columns."""
    from openpyxl import load_workbook

    from zhaoshang.core.numbers import fixed

    from zhaoshang.interfaces.reports.region import fmt_value

    wb = load_workbook(env["xlsx"])
    for name, header in (("重点线索", "线索得分"), ("推荐环节", "RCA")):
        rows = list(wb[name].iter_rows(min_row=2))
        col = [c.value for c in rows[0]].index(header)
        cells = [r[col] for r in rows[1:] if r[col].value is not None]
        assert cells and {c.number_format for c in cells} == {"0.00"}, (name, {c.number_format for c in cells})
    # an amount in 万元 shown whole as the PDF prints it (68,002), the cell keeping its value (68002.27766)
    html = env["html"].read_text(encoding="utf-8")
    for name, header in (("融资趋势", "金额（万元，含估算）"), ("融资按环节", "金额（万元，含估算）")):
        rows = list(wb[name].iter_rows(min_row=2))
        col = [c.value for c in rows[0]].index(header)
        cells = [r[col] for r in rows[1:] if r[col].value is not None]
        assert cells and {c.number_format for c in cells} == {"#,##0"}, (name, {c.number_format for c in cells})
        assert any(c.value != round(c.value) for c in cells), [c.value for c in cells]  # not rounded in the cell
    assert f'<td class="k-wan">{fmt_value(cells[0].value, "wan")}</td>' in html  # the top segment's, as the report says it
    scores = [r["score"] for r in env["p"]["leads"]["rows"]]
    assert all(f">{fmt_value(v, 'dec')}<" in html for v in scores)  # the report's own text: two decimals
    # shares and LQs showed 0.00% and 0.000 where the PDF says 23.1% and 0.88: each cell is shown with the PDF's
    # decimals (a share one, two where one would print zero; an LQ two, more near a threshold), keeping its value
    rows = list(wb["产业链分布"].iter_rows(min_row=2))
    heads, kept = [c.value for c in rows[0]], []
    for header, kind in (("占全国比重", "pct"), ("本地结构占比", "pct"), ("区位商（对产业链企业）", "lq")):
        cells = [r[heads.index(header)] for r in rows[1:] if isinstance(r[heads.index(header)].value, float)]
        decimals = [len(c.number_format.rstrip("%").partition(".")[2]) for c in cells]
        shown = [fixed(c.value, d, 2 if kind == "pct" else 0) + ("%" if kind == "pct" else "") for c, d in zip(cells, decimals)]
        assert cells and shown == [fmt_value(c.value, kind) for c in cells], (header, shown)
        assert f'<td class="k-{kind}">{shown[0]}</td>' in html
        kept += [c.value != float(fixed(c.value, 4)) for c in cells]
    assert any(kept)  # the cells keep their values, not the numbers shown
    # a partner's link strength and its counts by kind: the sheet showed 21.00 where the PDF printed 21 — each cell
    # shown with the decimals the PDF prints it with, read from both files
    rows = list(wb["合作伙伴"].iter_rows(min_row=2))
    heads = [c.value for c in rows[0]]
    nums = ("联系强度", "联合专利", "对外投资", "吸引投资", "分支机构", "共同任职")
    printed = {line.split()[0]: line.split()[1:] for line in pdf_text(env["pdf"], "-layout").split("六   合作伙伴地区")[-1].splitlines()
               if line.split() and line.split()[0] in {r[heads.index("合作地区")].value for r in rows[1:]}}
    for r in rows[1:]:
        name = r[heads.index("合作地区")].value
        if name not in printed:  # the PDF lists the strongest partners, the sheet all
            continue
        shown = []
        for header in nums:
            c = r[heads.index(header)]
            digits = len(c.number_format.partition(".")[2])
            assert c.number_format.startswith("#,##0"), c.number_format
            shown.append(f"{Decimal(fixed(c.value, digits)):,f}")
        assert shown == [printed[name][0], *printed[name][2:]], (name, shown, printed[name])
    assert printed and len(printed) >= 5, printed


def test_english_report_charts_fit_and_speak_english(sz_en, chromium):
    """The English report's charts: every label inside its figure (the long English segment names were cut at
    the left edge, the LQ of the longest bar at the right), legends in English, and the running title with a
    space between the region and the report's name."""
    pg = chromium.new_page()
    pg.goto(sz_en["html"].as_uri())
    out = pg.evaluate("""() => [...document.querySelectorAll('svg.chart')].map(svg => {
        const box = svg.viewBox.baseVal;
        return {cls: svg.getAttribute('class'), w: box.width,
                texts: [...svg.querySelectorAll('text')].map(t => { const r = t.getBBox();
                    return {s: t.textContent, x0: r.x, x1: r.x + r.width}; })};
    })""")
    bars = [c for c in out if "bars" in c["cls"]]
    assert bars and out
    # a segment name wider than the label column is not cut mid-word ("…semiconductor manufacturi…"): it takes a
    # second line, broken between words, and reads whole
    names = {r["name_en"] for r in sz_en["profile"]["chain_rows"]}
    shown = pg.evaluate("""() => [...document.querySelectorAll('svg.chart.bars text')].filter(t => t.querySelector('tspan'))
        .map(t => [...t.querySelectorAll('tspan')].map(s => s.textContent))""")
    assert {" ".join(lines) for lines in shown} == names, shown
    assert any(len(lines) == 2 for lines in shown), shown
    for chart in out:
        for t in chart["texts"]:
            assert not re.search(r"[\u4e00-\u9fff]", t["s"]), (chart["cls"], t["s"])
    for chart in bars:
        for t in chart["texts"]:
            assert t["x0"] >= -0.5 and t["x1"] <= chart["w"] + 0.5, (chart["cls"], t)
    if shutil.which("pdftotext"):
        text = pdf_text(sz_en["pdf"])
        assert "Shenzhen, Guangdong AI industry chain" in text
        # no page holds only a table's note (the investors' note was left alone at the top of a page of the default
        # demo's Hangzhou report, the table's investor names four characters a line beside the wide English headers)
        pages = [[ln for ln in pg.splitlines() if ln.strip()] for pg in text.split("\f") if pg.strip()]
        thin = [(i + 1, body) for i, body in enumerate(pages[:-1]) if len(body) < 6]
        assert not thin, thin


def test_values_that_round_to_zero_show_no_minus_sign():
    """A PCI of -0.0014 read "-0.00" in the recommended segments (region page and report): zero has no sign."""
    from zhaoshang.interfaces.reports.region import TABLES, fmt_value, table

    assert fmt_value(-0.0014, "dec") == "0.00" and fmt_value(-0.004, "pct") == "-0.4%" and fmt_value(-0.0000001, "pct") == "0.00%"
    assert fmt_value(-0.0004, "wan") == "0" and fmt_value(-0.02, "dec") == "-0.02" and fmt_value(-1.5, "num") == "-1.5"
    rows = [{"rank": 3, "name_zh": "智慧教育", "quadrant_zh": "优先突破", "count": 1, "rca": 0.29, "density": 0.4,
             "pci": -0.00136970795058168, "funding_cagr": 0.851, "patent_cagr": 0.086, "score": 0.76}]
    cells = table(rows, TABLES["recommend"])["rows"][0]["cells"]
    assert "0.00" in cells and "-0.00" not in cells


def test_the_map_of_tibet_marks_a_city_without_a_boundary():
    """The report of a Tibet city ended in an IndexError: the packaged 山南市 has an empty polygon. Its map draws the
    other cities and 山南 as a bubble at its seat, outlined as this region; a polygon without rings is skipped."""
    from zhaoshang.interfaces.reports.charts import choropleth
    from zhaoshang.interfaces.web.geo import Boundaries, unshaped

    packaged = Boundaries().view("540000")

    class Hollow:  # the packaged Tibet without the shape it holds for 山南市 beside its empty polygon
        def view(self, code, lang="zh"):
            feats = [f for f in packaged["features"] if f["id"] != "540500"]
            return {**packaged, "features": feats, "unshaped": unshaped("540000", "province", feats)}

    svg = choropleth("540000", {"540100": 3, "540500": 2}, ["540500"], labels={"540500": "山南市"},
                     points={"540100": (91.11, 29.66), "540500": (91.77, 29.24)}, boundaries=Hollow())
    assert svg.count("<path") >= 6 and svg.count("<circle") == 1
    assert re.search(r'<circle [^>]*stroke="#d4542b"[^>]*><title>山南市 2</title>', svg), svg[-2000:]
    # the packaged file's 那曲地区 (542400) is 那曲市 (540600), named by the region table in the report's language
    for lang, naqu in (("zh", "那曲市"), ("en", "Naqu")):
        drawn = choropleth("540000", {"540100": 3, "540600": 4}, ["540600"], lang=lang)
        assert f"<path " in drawn and f"<title>{naqu} 4</title>" in drawn and "<circle" not in drawn, lang
        assert "那曲地区" not in drawn and (lang == "zh" or not re.search(r"[\u4e00-\u9fff]", drawn.split("<text")[0])), lang
    hollow = {"type": "FeatureCollection", "features": [
        {"id": "540100", "properties": {"label": "拉萨市"}, "geometry": {"type": "MultiPolygon", "coordinates": [
            [], [[[91.0, 29.5], [91.5, 29.5], [91.5, 30.0], [91.0, 29.5]]]]}},
        {"id": "540500", "properties": {"label": "山南市"}, "geometry": {"type": "Polygon", "coordinates": []}}]}

    class Given:  # a user's file may hold what the packaged one did
        def view(self, code, lang="zh"):
            return hollow

    assert "<title>拉萨市 3</title>" in choropleth("540000", {"540100": 3}, boundaries=Given())
    # every count 0: the legend says there are none, not a scale from 0 to 0 家
    assert re.search(r">3 家</text>", svg)
    for none, unit in (("无", "家"), ("none", "")):
        empty = choropleth("540000", {"540100": 0, "540500": 0}, boundaries=Given(), unit=unit, none=none)
        legend = re.findall(r"<text [^>]*>([^<]*)</text>", empty)
        assert legend[-2:] == [none, "本地区"] and f"0 {unit}" not in legend, legend


def _top_only(profile: dict) -> dict:
    """A deep copy of ``profile`` whose sections other than the top enterprises are unavailable: its PDF keeps the
    cover, the contents and the top enterprises' table — which starts a page of its own, laid out as in the whole
    report — in 10 pages rather than 13, at a third of the layout's CPU."""
    import copy

    prof = copy.deepcopy(profile)
    for key in prof["available"]:
        if key != "top_enterprises":
            prof["available"][key] = False
            if isinstance(prof.get(key), dict) and "available" in prof[key]:
                prof[key]["available"] = False
    return prof


def test_top_enterprises_segments_keep_their_width_beside_long_districts(env, tmp_path):
    """A development zone as the district (合肥高新技术产业开发区, on the real imports) beside a long name took the
    row's width, both kept on one line, and squeezed 产业链环节 to one character a line in the PDF."""
    from zhaoshang.interfaces.reports.region import write_pdf

    prof = _top_only(env["p"])
    rows = prof["top_enterprises"]["rows"]
    assert rows
    for r in rows:
        r.update(name="合肥合锻智能制造股份有限公司", district="合肥高新技术产业开发区", nodes="智能制造与工业检测")
    pdf = write_pdf(prof, tmp_path / "top.pdf")
    text = pdf_text(pdf)
    top = text[text.index("按注册资本排序"):]
    assert "产业链环节" in top and "所在区县" in top
    assert top.count("智能制造") >= len(rows), top[:600]
    # …and in English, long names beside long segments, the table stays on the page (a width kept for the segments
    # pushed Funding (10k CNY) past the page's edge: 3,16 / 9,00)
    for r in rows:
        r.update(name="杭州海康威视数字技术股份有限公司", district="Binjiang", district_en="Binjiang",
                 nodes_en="Autonomous driving and connected vehicles; Computer vision", funding_wan=31000)
    pdf = write_pdf(prof, tmp_path / "top_en.pdf", "en")
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', box).group(1))
    beyond = [w for x, w in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', box) if float(x) > width - 2]
    assert beyond == [], beyond
    # …and the segments take the room they need: two segments on at most two lines (they ran over five)
    page = next(p for p in box.split("<page ")[1:] if ">Founded<" in p)  # the top enterprises' page
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)
    line = min(float(b) - float(a) for a, b, _ in words)  # a word's height: one line
    first = [float(y) for y, _, w in words if w == "Autonomous"]
    last = [float(y) for y, _, w in words if w == "vision"]
    assert first and len(first) == len(last)
    spans = [round((b - a) / line) + 1 for a, b in zip(first, last)]
    assert max(spans) <= 3, spans


def test_a_province_report_names_each_district_with_its_city(env, tmp_path):
    """A province's top enterprises stood in bare districts under 所在区县 (西湖区 alone is 杭州's or 南昌's): the report
    names each with its city, in the region service's words, in the workbook and the PDF alike, in both languages."""
    from openpyxl import load_workbook

    from zhaoshang.core.geo.lookup import region_labels
    from zhaoshang.interfaces.reports.region import write_pdf
    from zhaoshang.interfaces.reports.xlsx import write_xlsx

    with Store(env["db"], read_only=True) as s:
        prof = region_profile(s, "440000")
        ids = [r["id"] for r in prof["top_enterprises"]["rows"]]
        code = dict(s.con.execute("SELECT id, district_code FROM enterprises WHERE list_contains(?, id)", [ids]).fetchall())
        want = {lang: region_labels(s, [c for c in code.values() if c], lang, with_city=True) for lang in ("zh", "en")}
    zh = [want["zh"].get(code[i]) for i in ids]
    assert all(z and z.startswith(("深圳市", "广州市", "佛山市", "东莞市", "珠海市")) for z in zh if z) and any(zh), zh
    for lang in ("zh", "en"):
        wb = load_workbook(write_xlsx(prof, tmp_path / f"gd_{lang}.xlsx", lang))
        rows = list(wb.worksheets[wb.sheetnames.index("头部企业") if lang == "zh" else 9].iter_rows(values_only=True))
        col = rows[1].index("所在区县" if lang == "zh" else "District")
        shown = [r[col] for r in rows[2:2 + len(ids)]]
        assert shown == [want[lang].get(code[i]) for i in ids], (rows[1], shown)
    # the PDF's narrow column breaks 深圳市福田区 after 深圳市福田: the city and the district's head on its row
    text = pdf_text(write_pdf(_top_only(prof), tmp_path / "gd.pdf"), "-layout")
    rows = {m[0]: m[1] for m in re.findall(r"(?m)^\s*(\d+)\s+\S+\s+(\S+)", text[text.index("所在区县"):])}
    assert [rows.get(str(k)) for k in range(1, len(zh) + 1)] == [(z or "—")[:5] for z in zh], (rows, zh)


def test_overview_counts_every_segment(env):
    """'29 个产业链环节中，优势 3、一般 6、薄弱 0、缺失 18' (合肥 on the real imports) left out the 2 segments no enterprise
    of the nation is on yet: the overview names them, and its counts add up to the segments."""
    import copy

    from zhaoshang.interfaces.reports.region import render_region_html

    s = env["p"]["summary"]
    assert s["n_strong"] + s["n_average"] + s["n_weak"] + s["n_missing"] + s["n_unoccupied"] == s["segments"]
    prof = copy.deepcopy(env["p"])
    prof["summary"].update(n_unoccupied=2, n_missing=prof["summary"]["n_missing"] - 2 if prof["summary"]["n_missing"] >= 2 else 0)
    zh = re.sub(r"\s+", " ", render_region_html(prof))
    assert "另有 2 个环节全国尚无企业。" in zh
    en = re.sub(r"\s+", " ", render_region_html(prof, "en"))
    assert "; 2 have no enterprise anywhere in the nation yet." in en
    plain = re.sub(r"\s+", " ", render_region_html(env["p"]))
    assert ("全国尚无企业" in plain) == bool(s["n_unoccupied"])


def test_english_cover_lists_the_sources_in_english_punctuation(env):
    """The English report's cover listed its sources as 'a_share（no data date）；itjuzi（…）' — Chinese brackets and
    semicolons in an English sentence."""
    from zhaoshang.interfaces.reports.region import render_region_html

    en = render_region_html(env["p"], "en")
    cover = en[en.index("<th>Sources</th>"):]
    cover = cover[:cover.index("</tr>")]
    assert "（" not in cover and "；" not in cover and "）" not in cover, cover
    assert " (data date " in cover or " (no data date)" in cover, cover
    zh = render_region_html(env["p"])
    assert "（数据日期 " in zh or "（未注明数据日期）" in zh


@pytest.fixture(scope="module")
def imported(tmp_path_factory, demo_copy):
    """深圳市's report (HTML and workbook, as of 2019-01-31) on a copy of the demo with five more imports: a list whose
    rows all match known enterprises (交易所名单), IT桔子's fundings (data date 2018-12-25) then its company list
    re-imported as of 2019-06-30; then two files whose only row is rejected, both given the data date 2026-11-30: a
    list (坏名单: nothing added) and fundings of 桔子 (a source that did add rows). ``as_of``: the reference date
    (`concentration`'s as-of) before and after those two."""
    import csv

    from cli_util import run_json

    d = tmp_path_factory.mktemp("imported")
    db = str(demo_copy(d / "demo.duckdb"))
    with Store(db, read_only=True) as s:
        known = s.con.execute("SELECT name, uscc FROM enterprises WHERE uscc IS NOT NULL ORDER BY id LIMIT 3").fetchall()
    listed, ents, fund = d / "listed.csv", d / "list.csv", d / "fund.csv"
    with open(listed, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业名称", "统一社会信用代码"], *known])
    with open(ents, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["企业名称", "统一社会信用代码"], *known[:2]])
    with open(fund, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["融资企业", "融资时间", "融资轮次", "融资金额"], [known[0][0], "2018-05-01", "A轮", "1000万元"]])
    run("--db", db, "import", "enterprises", str(listed), "--source", "交易所名单")
    run("--db", db, "import", "fundings", str(fund), "--source", "桔子", "--data-date", "2018-12-25")
    run("--db", db, "import", "enterprises", str(ents), "--source", "桔子", "--data-date", "2019-06-30")
    as_of_before = run_json("concentration", db=db)["as_of"]
    bad, bad_fund = d / "bad.csv", d / "bad_fund.csv"
    bad.write_text("企业名称,成立日期\n某某坏数据科技有限公司,2026/13/01\n", encoding="utf-8")
    bad_fund.write_text(f"融资企业,融资时间,融资轮次,融资金额\n{known[0][0]},2026/13/01,B轮,2000万元\n", encoding="utf-8")
    run("--db", db, "import", "enterprises", str(bad), "--source", "坏名单", "--data-date", "2026-11-30")
    run("--db", db, "import", "fundings", str(bad_fund), "--source", "桔子", "--data-date", "2026-11-30")
    as_of_after = run_json("concentration", db=db)["as_of"]
    html, xlsx = d / "r.html", d / "r.xlsx"
    run("--db", db, "report", "region", "深圳市", "-o", str(html), "-o", str(xlsx), "--as-of", "2019-01-31")
    return {"db": db, "html": html, "xlsx": xlsx, "as_of": (as_of_before, as_of_after)}


def test_an_import_that_added_nothing_dates_nothing(imported):
    """Two files whose only row was rejected, given --data-date 2026-11-30, moved the reference date of every view
    from the demo's 2025-12-31 to 2026-11-30 while no report credited them: the reference date rests on the imports
    the sources name (``CREDITED_IMPORTS``), and 桔子's fundings keep their own date (the appendix's test)."""
    before, after = imported["as_of"]
    assert before == "2025-12-31" and after == before, imported["as_of"]


def test_an_import_that_added_nothing_is_not_credited_as_a_source(imported):
    """A list whose only row was rejected (0 added) was credited on the cover, "…；bad（未注明数据日期）；…", and listed in
    the appendix as "bad 企业 未注明 1 0 0": a report credits the sources its data rest on; `zhaoshang status` still
    lists every import."""
    import openpyxl

    from cli_util import run_json

    text = imported["html"].read_text(encoding="utf-8")
    cover = text[text.index("<th>数据来源</th>"):]
    cover = cover[:cover.index("</tr>")]
    assert "交易所名单" in cover and "桔子" in cover and "坏名单" not in cover, cover
    appendix = text[text.index('id="sec-methods"'):]
    assert "<tr><td>交易所名单</td>" in appendix and "坏名单" not in appendix
    assert "未新增也未更新任何行的导入" in appendix  # said why, and where every import is listed
    notes = [c.value for r in openpyxl.load_workbook(imported["xlsx"])["说明"].iter_rows() for c in r
             if isinstance(c.value, str)]
    assert any(v.startswith("交易所名单：") for v in notes) and not any("坏名单" in v for v in notes), notes
    with Store(imported["db"], read_only=True) as s:
        from zhaoshang.services.reference import database_meta

        assert "坏名单" not in [r["source"] for r in database_meta(s)["sources"]]  # the pages' footer alike
    status = run_json("status", db=imported["db"])
    assert [(r["rows_read"], r["rows_imported"]) for r in status["sources"] if r["source"] == "坏名单"] == [(1, 0)]
    assert [r["imports"] for r in status["sources"] if (r["source"], r["kind"]) == ("桔子", "fundings")] == [2]


def test_sources_say_rows_read_and_updated_not_only_new(imported):
    """A list whose rows all matched known enterprises (sse_main_board on the real imports: 1,702 rows, all updates)
    read 导入行数 0 in the report's sources, as if nothing were imported: the appendix and the workbook give rows
    read, new and updated."""
    import openpyxl

    html, xlsx = imported["html"], imported["xlsx"]
    text = html.read_text(encoding="utf-8")
    assert "读取行数" in text and "更新" in text
    row = re.search(r"<tr><td>交易所名单</td>(.*?)</tr>", text).group(1)
    assert re.findall(r'class="k-int">([^<]*)<', row) == ["3", "0", "3"], row
    notes = [c.value for r in openpyxl.load_workbook(xlsx)["说明"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any("交易所名单" in v and "读取 3 行，新增 0，更新 3" in v for v in notes), notes


def test_the_appendix_gives_each_kind_of_a_source_its_own_data_date(imported):
    """IT桔子 on the real imports: its fundings imported with the data date 2018-12-25, its company list re-imported
    as of 2019-06-30, and the appendix read "itjuzi  enterprises,fundings  2019-06-30", dating the fundings by the
    list. One line per kind now, each with its own data date; one after the report's date says so."""
    import openpyxl

    html, xlsx = imported["html"], imported["xlsx"]
    text = html.read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>桔子</td><td>([^<]*)</td><td>([^<]*)(<span[^>]*>[^<]*</span>)?</td>", text)
    assert [(k, d) for k, d, _ in rows] == [("企业", "2019-06-30"), ("融资事件", "2018-12-25")], rows
    assert "晚于本报告截至日期" in rows[0][2] and not rows[1][2]
    notes = [c.value for r in openpyxl.load_workbook(xlsx)["说明"].iter_rows() for c in r if isinstance(c.value, str)]
    assert any(v.startswith("桔子：融资事件；数据日期 2018-12-25") for v in notes), notes
    assert any(v.startswith("桔子：企业；数据日期 2019-06-30") for v in notes), notes


def test_the_sources_name_their_kinds_of_data_in_words(env, sz_en):
    """The appendix and the 说明 sheet printed the stored kinds (synthetic-demo  branches, contacts, enterprises …) in
    the Chinese report: each kind is named as `zhaoshang status` names it, in the report's language."""
    from openpyxl import load_workbook

    from zhaoshang.interfaces.labels import DATA_KINDS

    text = pdf_text(env["pdf"], "-layout")
    appendix = text[text.rindex("数据来源与方法"):]
    rows = [line.split() for line in appendix.splitlines() if line.strip().startswith("synthetic-demo")]
    assert len(rows) >= 5 and {r[1] for r in rows} >= {"企业", "融资事件", "分支机构与对外投资"}, rows
    assert not [r for r in rows if r[1] in DATA_KINDS], rows  # no stored code left
    notes = [c for r in load_workbook(env["xlsx"])["说明"].iter_rows(values_only=True) for c in r if c]
    assert any(str(v).startswith("synthetic-demo：分支机构与对外投资；") for v in notes), notes
    assert not [v for v in notes if re.match(r"synthetic-demo：[a-z]", str(v))], notes
    en, en_pdf = sz_en["xlsx"], sz_en["pdf"]
    notes = [c for r in load_workbook(en)["Notes"].iter_rows(values_only=True) for c in r if c]
    assert any(str(v).startswith("synthetic-demo: branches and investments; data date") for v in notes), notes
    text = pdf_text(en_pdf, "-layout")
    rows = [line.split() for line in text[text.rindex("Sources and methods"):].splitlines()
            if line.strip().startswith("synthetic-demo")]
    assert any(r[1:4] == ["branches", "and", "investments"] for r in rows), rows


def test_the_synthetic_label_is_in_the_reports_language(env, sz_en):
    """The English report said 'synthetic demo data / 合成演示数据' in every page header and
    'synthetic demo data / 合成演示数据：the database …' in its appendix, its workbook 【合成演示数据】synthetic demo data
    on every sheet: each file says the label in its own language, as the pages do."""
    from openpyxl import load_workbook

    for pdf, label, other in ((sz_en["pdf"], "synthetic demo data", "合成演示数据"), (env["pdf"], "合成演示数据", "synthetic demo data")):
        pages = pdf_text(pdf, "-layout").split("\f")[:-1]
        assert len(pages) >= 8 and all(label in page and other not in page for page in pages), pdf
    flat = " ".join(pdf_text(sz_en["pdf"]).split())
    # the database's sentence (datastore.data_note) after the label, as the pages' footer says it
    assert "synthetic demo data: This database holds synthetic, fictional data for demonstration only." in flat  # not ：
    zh = "".join(pdf_text(env["pdf"]).split())
    assert "合成演示数据：本库为合成的虚构数据，企业与人物均为虚构，仅供演示。" in zh
    for xlsx, banner in ((sz_en["xlsx"], "[synthetic demo data]"), (env["xlsx"], "【合成演示数据】")):
        overview, *sheets, notes = load_workbook(xlsx).worksheets
        assert overview.cell(row=2, column=1).value == banner and len(sheets) > 5, xlsx  # below the title
        assert [ws.cell(row=1, column=1).value for ws in sheets] == [banner] * len(sheets), xlsx
        assert [c for r in notes.iter_rows(values_only=True) for c in r if str(c).startswith(banner)], xlsx


def test_the_trend_charts_quarter_labels_do_not_touch(env):
    """The funding chart named every other quarter and the last one too: with an even count the last two printed as
    "2025Q32025Q4". The labels are spaced from the last one, each clear of the next."""
    import re

    from zhaoshang.interfaces.reports.charts import _text_w
    from zhaoshang.interfaces.reports.region import trend_parts

    html = env["html"].read_text(encoding="utf-8")
    svg = re.search(r'<svg[^>]*class="chart trend".*?</svg>', html, re.S).group(0)
    labels = [(float(x), t) for x, t in re.findall(r'<text x="([\d.]+)" y="\d+" font-size="8.5" fill="#4b5563" '
                                                  r'text-anchor="middle"[^>]*>(\d{4}Q\d)</text>', svg)]
    periods = [r["label"] for r in trend_parts(env["p"])["quarters"]]
    assert len(labels) > 2 and len(periods) % 2 == 0 and labels[-1][1] == periods[-1], labels
    for (x0, a), (x1, b) in zip(labels, labels[1:]):
        assert x1 - x0 >= (_text_w(a, 8.5) + _text_w(b, 8.5)) / 2 + 2, (a, b, x1 - x0)


def test_recommendations_say_why_rca_differs_from_lq(env):
    """The chain structure gave a segment's LQ 0.61 and the recommendations two sections later its RCA 0.71 with no
    word on why two "local share ÷ national share" differ: the report says it under the recommendations, as the region
    page does."""
    from zhaoshang.interfaces.reports.region import render_region_html

    zh = re.sub(r"\s+", " ", render_region_html(env["p"]))
    assert "RCA 以地区 × 环节矩阵之和为分母" in zh and "RCA ÷ LQ = 全国企业平均所在环节数 ÷ 本地企业平均所在环节数" in zh
    en = re.sub(r"\s+", " ", render_region_html(env["p"], "en"))
    assert "RCA divides by the sums of the region × segment matrix" in en and "above it where on fewer" in en


@pytest.mark.parametrize("region, args", [("330100", ["--as-of", "2023-06-30"]), ("M-3P", [])])
def test_english_cover_holds_the_whole_contents_list(env, tmp_path, region, args, request):
    """The English title took three lines at the Chinese size and pushed contents 5–9 and the appendix onto a page
    of their own (杭州: 14 pages against 13 in Chinese); a long title is set smaller, so the cover is one page.
    杭州's two reports are the module's (``hz``: the same command, region and date)."""
    if region == "330100":
        hz = request.getfixturevalue("hz")
        pdf, zh = hz["en_pdf"], hz["pdf"]
    else:
        pdf = tmp_path / f"{region}_en.pdf"
        run("--db", env["db"], "report", "region", region, "-o", str(pdf), "--lang", "en", *args)
    first, second = pdf_text(pdf, "-f", "1", "-l", "2").split("\f")[:2]  # the cover and the page after it
    items = ["Overview and position", "Chain breakdown against the nation", "Strong, weak and missing links",
             "Recommended segments", "Attraction modes", "Cooperation partners", "Funding trends", "Top enterprises",
             "Appendix: sources and methods"]
    assert [i for i in items if i not in first] == [], first
    # each figure's label on one line, as the region page words them: 'weak / missing segments' took two, which left
    # an empty line under the labels of the three boxes beside it
    lines = first.splitlines()
    labels = ["local chain enterprises", "share of the nation", "strong segments", "weak / missing"]
    assert all(x in lines and lines[lines.index(x) + 1] == "" for x in labels), first
    assert "Appendix: sources and methods" not in second and "Overview and position" in second, second[:400]
    if region == "330100":  # no more pages than the Chinese report (its chain table in two-line rows may take fewer)
        pages = [re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(f)], capture_output=True, text=True).stdout).group(1)
                 for f in (pdf, zh)]
        assert int(pages[0]) <= int(pages[1]), pages



def test_a_table_split_over_pages_leaves_no_row_alone_and_repeats_its_header(env, tmp_path):
    """`report region 杭州市` on the real imports left the last of the top enterprises alone at the head of a page: a
    table that crosses a page keeps two rows or more on each page, under its header repeated. The top enterprises'
    section starts a page; a page holds 32 rows of one line, so 33 rows left the 33rd alone. Read back from the PDF."""
    from zhaoshang.interfaces.reports.region import write_pdf

    prof = _top_only(env["p"])
    first = prof["top_enterprises"]["rows"][0]
    prof["top_enterprises"]["rows"] = [{**first, "rank": k, "name": f"深圳测试{k:03d}科技有限公司", "district": "南山区",
                                        "nodes": "计算机视觉"} for k in range(1, 34)]
    pdf = write_pdf(prof, tmp_path / "top.pdf")
    pages = pdf_text(pdf, "-layout").split("\f")
    on = {i: re.findall(r"(?m)^\s*(\d+)\s+深圳测试(\d{3})", pg) for i, pg in enumerate(pages)}
    on = {i: rows for i, rows in on.items() if rows}
    assert [int(k) for rows in on.values() for k, _ in rows] == list(range(1, 34)), on
    assert len(on) == 2, on  # the table crosses a page
    assert all(len(rows) >= 2 for rows in on.values()), {i: len(rows) for i, rows in on.items()}
    assert all("注册资本（万元）" in pages[i] and "所在区县" in pages[i] for i in on)  # the header on each page


def test_chart_numbers_read_as_the_tables_say_them(env):
    """The partners' bar labels read 239.0 beside the table's 239, and the funding chart's right axis (rounds, a
    count) had ticks of 2.5 and 7.5: the labels are the table's numbers, a count's ticks whole."""
    import re

    from zhaoshang.interfaces.labels import number_text

    html = env["html"].read_text(encoding="utf-8")
    partners = html[html.index('class="chart hbars"'):]
    partners = partners[:partners.index("</svg>")]
    shown = re.findall(r'font-size="9" fill="#4b5563"[^>]*>([^<]*)</text>', partners)
    want = [number_text(r["weight"], 2) for r in env["p"]["partners"]["rows"][:10]]
    assert shown == want and not [x for x in shown if x.endswith(".0")], (shown, want)
    trend = html[html.index('class="chart trend"'):]
    trend = trend[:trend.index("</svg>")]
    ticks = re.findall(r'font-size="8.5" fill="#d4542b"[^>]*>([^<]*)</text>', trend)
    assert len(ticks) == 5 and all(re.fullmatch(r"\d+", x) for x in ticks), ticks


def _cli_heads(db, *args, lang="zh") -> list[list[str]]:
    """The header rows of the tables a command prints (a wide terminal: one line a row)."""
    out = cli_run("--db", db, "--lang", lang, *args, timeout=300, env={"COLUMNS": "400"}).stdout
    return [[c.strip() for c in line.strip("┃").split("┃")] for line in out.splitlines() if line.startswith("┃")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_and_cli_head_the_same_keys_alike(env, sz_en, lang):
    """A key the workbook's sheet and the CLI's table of the same rows both show is headed in the same words (the
    chain's 本地企业数 was 企业数 in `chain`, a recommendation's 复杂度 PCI was PCI in `recommend`, a quarter's
    融资事件 was 融资轮次 in `trends`)."""
    from openpyxl import load_workbook

    en = lang == "en"
    wb = load_workbook(sz_en["xlsx"] if en else env["xlsx"])  # 深圳市 = 440300
    sheet = lambda zh, e: [h for h in next(wb[e if en else zh].iter_rows(min_row=2, max_row=2, values_only=True)) if h]  # noqa: E731
    (chain,) = _cli_heads(env["db"], "chain", "--region", "440300", lang=lang)
    (regions,) = _cli_heads(env["db"], "map", "--level", "city", "--parent", "440000", lang=lang)
    rec = _cli_heads(env["db"], "recommend", "440300", lang=lang)[0]
    quarters, _, investors = _cli_heads(env["db"], "trends", "--region", "440300", lang=lang)
    pairs = [
        (sheet("产业链分布", "Chain"), chain, ["code", "name_zh", "count", "national_count", "share", "lq", "label"]),
        (sheet("地区对比", "Regions"), regions, ["code", "name", "count", "share", "region_total"]),
        (sheet("推荐环节", "Recommended"), rec, ["node", "name_zh", "count", "rca", "density", "pci", "cog",
                                                 "funding_cagr", "patent_cagr", "score", "quadrant_zh"]),
        (sheet("融资趋势", "Funding"), quarters, ["period", "rounds", "disclosed", "estimated", "amount_wan", "enterprises"]),
        (sheet("活跃投资方", "Investors"), investors, ["name", "type", "rounds", "lead_rounds", "amount_wan", "nodes"]),
    ]
    from zhaoshang.interfaces.labels import PCI_AMONG, report_column

    table_of = ["chain", "map", "recommend", "quarters", "investors"]
    for (book, cli, keys), table in zip(pairs, table_of):
        for key in keys:  # a city's PCI is headed by its level in both (复杂度 PCI（地级市间）)
            want = PCI_AMONG["city"][en] if (table, key) == ("recommend", "pci") else report_column(table, key)[en]
            assert want in book and want in cli, (table, key, want, book, cli)


def test_every_page_keeps_its_words_within_the_text_width(env, sz_en):
    """The English recommended segments ran past the right margin, its Score column outside the page's text (the
    numbers' one-line headers Funding CAGR / Patent CAGR beside the names and quadrants): on every page of the Chinese
    and the English report, every word lies within the 15 mm side margins."""
    for pdf in (env["pdf"], sz_en["pdf"]):
        box = pdf_text(pdf, "-bbox")
        width = float(re.search(r'<page width="([\d.]+)"', box).group(1))
        lo, hi = 15 / 25.4 * 72 - 1, width - 15 / 25.4 * 72 + 1
        out = {n: [w for x0, x1, w in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page)
                   if float(x0) < lo or float(x1) > hi]
               for n, page in enumerate(box.split("<page ")[1:], 1)}
        assert {n: words for n, words in out.items() if words} == {}, pdf
        assert re.search(r">(Recommended|推荐招商环节)<", box)  # the table read is there


def test_english_report_keeps_a_chinese_name_on_one_line(env, sz_en):
    """The English report's top enterprises and top leads broke a registered Chinese name mid-word
    (北京艾森博航空科技股份有限 / 公司) where the Chinese report keeps it whole: in the Enterprise column of both tables
    each line holds a whole name."""
    names = {r["name"] for r in env["p"]["top_enterprises"]["rows"] + env["p"]["leads"]["rows"]}
    assert names and all(re.search("[\u4e00-\u9fff]", n) for n in names)
    cells = []
    for page in pdf_text(sz_en["pdf"], "-bbox").split("<page ")[1:]:
        words = [(float(x), w) for x, w in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="[\d.]+">([^<]*)<', page)]
        cells += [w for hx in (x for x, w in words if w == "Enterprise") for x, w in words
                  if abs(x - hx) < 2 and re.search("[\u4e00-\u9fff]", w)]
    assert set(cells) == names, sorted(set(cells) ^ names)


def test_english_chain_table_keeps_each_segment_name_whole_and_readable(env, sz_en):
    """The English PDF's chain table squeezed the segment column beside the numbers' one-line headers: Advanced
    packaging and semiconductor manufacturing ran over four lines. Each segment's name is in the table whole, in the
    row of its stage, on two lines at most."""
    rows = env["p"]["chain_rows"]
    box = pdf_text(sz_en["pdf"], "-bbox")
    stages = {"Upstream", "Midstream", "Downstream"}
    names, lines, right = [], [], []
    for page in box.split("<page ")[1:]:
        words = [(float(x0), float(y0), float(x1), w) for x0, y0, x1, w in
                 re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page)]
        head = [(x0, y0) for x0, y0, _, w in words if w == "Segment"]
        stage_col = [(x0, y0) for x0, y0, _, w in words if w == "Stage"]
        if not head or not stage_col:
            continue
        (sx, top), (stage_x, _) = head[0], stage_col[0]
        local = min(x0 for x0, y0, _, w in words if w == "Local" and abs(y0 - top) < 20 and x0 > sx)
        right += [x1 for x0, y0, x1, w in words if y0 > top - 20 and x0 > sx]
        starts = sorted(y0 for x0, y0, _, w in words if w in stages and abs(x0 - stage_x) < 2 and y0 > top)
        for i, y in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else float("inf")
            cell = sorted((y0, x0, w) for x0, y0, x1, w in words if sx - 1 <= x0 and x1 < local and y - 1 <= y0 < end - 1)
            text = " ".join(w for _, _, w in cell)
            names.append(re.sub(r"- (?=\w)", "-", text))  # a name broken after its hyphen (opto- electronics)
            lines.append(len({round(y0) for y0, _, _ in cell}))
    assert names == [r["name_en"] for r in rows], names
    assert max(lines) <= 2, list(zip(names, lines))
    width = float(re.search(r'<page width="([\d.]+)"', box).group(1))
    assert max(right) <= width - 15 / 25.4 * 72 + 1, max(right)  # within the page's 15 mm margin


def test_no_page_holds_only_the_spill_of_a_section(env, sz_en):
    """深圳市's English report left page 11 of 15 with the last two lines of the trends notes alone ("(shares are rarely
    disclosed)"), the top enterprises' section beginning the next page: a page (neither the cover nor the last) whose
    text fills less than a sixth of the body is a spill, and the section after it follows on it instead. Read back
    from the PDF's word boxes in both languages; the English notes read as a sentence (capital, full stop)."""
    top, bottom = 20 / 25.4 * 72, 17 / 25.4 * 72  # report.css's @page margins, in points
    for pdf in (env["pdf"], sz_en["pdf"]):
        box = pdf_text(pdf, "-bbox")
        height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', box).group(1))
        body = height - top - bottom
        pages = box.split("<page ")[1:]
        filled = {}
        for n, page in enumerate(pages[1:-1], 2):
            ends = [float(y) for y in re.findall(r'yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)"', page)
                    if top - 1 < float(y) < height - bottom]
            filled[n] = round((max(ends, default=top) - top) / body, 2)
        assert {n: f for n, f in filled.items() if f < 1 / 6} == {}, (pdf, filled)
    text = pdf_text(sz_en["pdf"])
    flat = re.sub(r"\s+", " ", text)
    assert re.search(r"Only the fundings of chain enterprises \(placed on any segment of the chain\) count; ", flat)
    assert "(shares are rarely disclosed)." in flat


def test_a_section_after_a_spill_page_follows_on_it(tmp_path):
    """The layout's rule on its own: two sections that each begin a page, the first a page and a line long — laid out
    again with the second following the first's last line, and a report with no spill laid out once."""
    from zhaoshang.interfaces.reports.region import _after_spill, laid_out_pdf

    line = "<p>" + "段落文字" * 30 + "</p>"
    html = ("<html><head><style>@page { size: A4; margin: 20mm } #sec-a, #sec-b { page-break-before: always }"
            "</style></head><body><section id='sec-cover'>封面</section><section id='sec-a'>{a}</section>"
            "<section id='sec-b'><h2>下一节</h2>{b}</section><section id='sec-c'>尾页</section></body></html>")
    from weasyprint import HTML

    for n in range(20, 40):  # a first section one line longer than a page, whatever the font's metrics
        spill = html.replace("{a}", line * n).replace("{b}", line * 3)
        if _after_spill(HTML(string=spill).render()) == "sec-b":
            break
    else:
        pytest.fail("no length of the first section spilled one line")
    doc = laid_out_pdf(spill)
    assert _after_spill(doc) is None
    texts = [p._page_box for p in doc.pages]
    assert len(texts) == len(HTML(string=spill).render().pages) - 1  # the spill page is gone: 下一节 follows on it
    fits = html.replace("{a}", line * 3).replace("{b}", line * 3)
    assert _after_spill(HTML(string=fits).render()) is None and len(laid_out_pdf(fits).pages) == 3
