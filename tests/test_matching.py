"""Scenario matching (场景匹配) on a tiny hand-built corpus where the right answers are known, through the real
CLI: imports (enterprises and demands), classification, both match directions, hard filters, reasons, the
index refreshed after an import."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest

from cli_util import run, run_json
from zhaoshang.core.errors import UserError
from zhaoshang.core.importers import import_files
from zhaoshang.core.parse.dates import china_today
from zhaoshang.core.store import Store
from zhaoshang.services.chain.classify import classify
from zhaoshang.services.matching import match as M

ENTERPRISES = [
    # name, region, status, scope, description, products
    ("北京声智语音科技有限公司", "北京市海淀区", "存续", "语音识别软件开发；人工智能应用软件开发",
     "专注中文语音识别、声纹识别与远场语音交互，为政务热线、智能客服提供语音识别引擎与实时转写。", "语音识别引擎、实时转写"),
    ("杭州语音文化传媒有限公司", "浙江省杭州市西湖区", "存续", "广告设计、代理、制作；文化艺术交流活动策划；会议及展览服务",
     "一家广告与活动策划公司，承办演出、展会与品牌推广。", "广告投放、活动策划"),
    ("深圳视芯微电子有限公司", "广东省深圳市南山区", "存续", "集成电路设计；芯片研发",
     "设计面向计算机视觉的 AI 芯片与神经网络处理器。", "视觉处理芯片"),
    ("广州声纹语音技术有限公司", "广东省广州市天河区", "注销", "语音识别技术开发",
     "语音识别与语音合成技术服务，热线录音转写。", "语音识别"),
    ("杭州云语智能科技有限公司", "浙江省杭州市滨江区", "存续", "人工智能基础软件开发；语音技术服务",
     "提供语音识别、语音合成与智能外呼，服务政务热线和金融客服的电话录音转写。", "语音识别、语音合成"),
    ("成都锐焊机器人有限公司", "四川省成都市武侯区", "存续", "工业机器人制造；焊接设备制造",
     "生产汽车白车身焊接机器人与工业机器人工作站。", "焊接机器人、工业机器人"),
]
DEMANDS = [
    ("DM1", "政务热线语音识别转写", "市民热线电话录音需要实时转写为文字，要求中文语音识别准确率高、支持方言。",
     "杭州市数据资源管理局", "浙江省杭州市", "征集中", "200"),
    ("DM2", "汽车焊装车间机器人改造", "汽车工厂白车身焊装线需要引入焊接机器人，提升自动化水平。",
     "成都市经济和信息化局", "四川省成都市", "对接中", "800"),
    ("DM3", "城市文旅宣传片拍摄", "为城市文旅推广拍摄宣传片并组织推广活动。", "杭州市文化广电旅游局", "浙江省杭州市", "已完成", "50"),
]


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("match")
    path = d / "m.duckdb"
    ents = d / "ents.csv"
    _write(ents, ["企业名称", "所在地", "登记状态", "经营范围", "公司简介", "主营产品"], ENTERPRISES[:-1])
    dem = d / "demands.csv"
    _write(dem, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算"], DEMANDS)
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test")
    res = run_json("import", "demands", dem, db=path)
    assert res["rows_imported"] == 3
    with Store(path) as store:
        classify(store)
    return {"path": path, "dir": d}


def _names(doc):
    return [r["name"] for r in doc["results"]]


def _svc(db, fn, *args, **kw):
    """A service call on the test database (read-only, closed after), as the CLI and the web make it."""
    with Store(db["path"], read_only=True) as store:
        return fn(store, *args, **kw)


def test_speech_demand_finds_the_speech_companies_not_the_name_lookalike(db):
    doc = run_json("match", "demand", "政务热线语音识别转写", "--top", "10", db=db["path"])  # by title
    names = _names(doc)
    assert names[:2] == ["杭州云语智能科技有限公司", "北京声智语音科技有限公司"] or \
        set(names[:2]) == {"杭州云语智能科技有限公司", "北京声智语音科技有限公司"}
    assert "杭州语音文化传媒有限公司" not in names[:2]
    # hard filter: the deregistered speech company is left out unless asked for
    assert "广州声纹语音技术有限公司" not in names
    more = _names(_svc(db, M.match_demand, "DM1", include_inactive=True))
    assert "广州声纹语音技术有限公司" in more[:3]
    # reasons: matched terms, nodes and every score part
    top = doc["results"][0]
    assert "语音识别" in top["matched_terms"]
    assert {p["signal"] for p in top["explain"]["parts"]} == {"bm25", "nodes"}
    assert top["explain"]["value"] == pytest.approx(sum(p["contribution"] for p in top["explain"]["parts"]), abs=1e-3)
    assert any(n["code"].startswith("M06") for n in top["matched_nodes"])  # 语音识别 segment, from the classifier
    assert any(n["code"].startswith("M06") for n in doc["demand_nodes"])


def test_region_filter_and_qualification(db):
    doc = _svc(db, M.match_demand, "1", region="浙江省")
    assert _names(doc)[0] == "杭州云语智能科技有限公司"
    assert all(r["region"]["code"].startswith("33") for r in doc["results"])
    assert _svc(db, M.match_demand, "1", require=["listed"])["results"] == []
    with pytest.raises(UserError):
        _svc(db, M.match_demand, "1", require=["gold"])


def test_robot_demand_and_the_reverse_direction(db):
    rev = run_json("match", "enterprise", "北京声智语音科技有限公司", db=db["path"])
    assert [r["title"] for r in rev["results"]][:1] == ["政务热线语音识别转写"]
    assert rev["results"][0]["matched_terms"] and rev["results"][0]["explain"]["parts"]
    titles = lambda doc: [r["title"] for r in doc["results"]]  # noqa: E731
    assert "政务热线语音识别转写" not in titles(_svc(db, M.match_enterprise, "北京声智语音科技有限公司", node="D01"))
    # a completed demand is only offered with all_status (--all-status)
    media = "杭州语音文化传媒有限公司"
    assert "城市文旅宣传片拍摄" not in titles(_svc(db, M.match_enterprise, media))
    assert "城市文旅宣传片拍摄" in titles(_svc(db, M.match_enterprise, media, all_status=True))


def test_table_csv_and_user_errors(db):
    out = run("match", "demand", "DM1", "--format", "csv", db=db["path"]).stdout.splitlines()
    assert out[0].startswith("rank,enterprise_id,name") and "matched_terms" in out[0] and len(out) >= 3
    p = run("--lang", "en", "match", "demand", "nope", db=db["path"], check=False)
    assert p.returncode == 2 and p.stderr.strip() == "error: demand not found: nope"
    for key, kw in (("无此企业", {}), ("1", {"top": 0})):
        with pytest.raises(UserError):
            _svc(db, M.match_enterprise, key, **kw)
    lst = _svc(db, M.list_demands, node="D01")
    assert [d["title"] for d in lst["items"]] == ["汽车焊装车间机器人改造"]
    # a stage keeps the demands on any of its segments; an unknown node is an error, not an empty list
    stage = {d["title"]: d["segments"] for d in _svc(db, M.list_demands, node="D")["items"]}
    assert set(stage) == {"汽车焊装车间机器人改造", "政务热线语音识别转写"}  # D01; D08 政务服务 (hotline)
    assert all(any(s.startswith("D") for s in segs) for segs in stage.values())
    p = run("--lang", "en", "match", "demands", "--node", "X99", db=db["path"], check=False)
    assert p.returncode == 2 and p.stderr.strip() == "error: chain node not found: X99"
    with pytest.raises(UserError):
        _svc(db, M.match_enterprise, "北京声智语音科技有限公司", node="X99")
    # a node without its zero names the node meant, as every node filter does (regions/nodes.node_not_found); in
    # another case it is that node
    p = run("match", "enterprise", "北京声智语音科技有限公司", "--node", "D8", db=db["path"], check=False)
    assert p.returncode == 2 and p.stderr.strip().startswith("错误: 未找到产业链环节: D8，您是不是要找：D08 "), p.stderr
    assert _svc(db, M.list_demands, node="d01")["items"] == lst["items"]
    p = run("--lang", "en", "match", "demands", "--node", "m6", db=db["path"], check=False)
    assert p.returncode == 2 and p.stderr.strip().startswith("error: chain node not found: m6; did you mean M06 ("), p.stderr
    # so is a status the demands do not hold (it gave 0 rows): the error lists the ones they do
    p = run("match", "demands", "--limit", "0", db=db["path"], check=False)  # it answered 需求 3 条 （无记录）
    assert p.returncode == 2 and p.stderr.strip() == "错误: --limit 须至少为 1", p.stderr
    held = run_json("match", "demands", db=db["path"])["statuses"]
    assert "征集中" in held
    p = run("match", "demands", "--status", "foo", db=db["path"], check=False)
    assert p.returncode == 2 and p.stderr.strip() == f"错误: 未知的需求状态: foo（可选 {'、'.join(held)}）", p.stderr
    p = run("--lang", "en", "match", "demands", "--status", "foo", db=db["path"], check=False)
    held_en = {"征集中": "open", "对接中": "in talks", "已对接": "matched", "已完成": "completed"}
    assert p.returncode == 2 and p.stderr.strip() == \
        f"error: unknown demand status: foo (one of {', '.join(held_en[x] for x in held)})", p.stderr


def test_index_is_cached_beside_the_db_and_refreshed_after_an_import(db):
    assert {r["kind"] for r in run_json("match", "index", db=db["path"])} == {"enterprises", "demands"}
    assert any(p.name.startswith("enterprises-") for p in (db["dir"] / "m.duckdb.match").iterdir())
    late = db["dir"] / "late.csv"
    _write(late, ["企业名称", "所在地", "登记状态", "经营范围", "公司简介", "主营产品"], ENTERPRISES[-1:])
    with Store(db["path"]) as store:
        import_files(store, "enterprises", [late], source="test")
        classify(store)
    assert _names(_svc(db, M.match_demand, "DM2", top=3))[0] == "成都锐焊机器人有限公司"
    assert len([p for p in (db["dir"] / "m.duckdb.match").iterdir() if p.name.startswith("enterprises-")]) == 1


def test_match_api_and_exports(db):
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.interfaces.web.context import WebContext

    c = local_client(create_app(str(db["path"])))
    doc = c.get("/api/match/demand/DM1", params={"top": 3}).json()
    cli = run_json("match", "demand", "DM1", "--top", "3", db=db["path"])
    assert [r["enterprise_id"] for r in doc["results"]] == [r["enterprise_id"] for r in cli["results"]]
    assert c.get("/api/match/demands", params={"status": "征集中"}).json()["total"] == 1
    assert c.get("/api/match/demands", params={"status": "foo"}).status_code == 404  # no demand holds it
    en = c.get("/match", params={"lang": "en"}).text  # statuses are labelled in the UI language
    assert ">open<" in en and ">征集中<" not in en and ">征集中<" in c.get("/match", params={"lang": "zh"}).text
    assert c.get("/api/match/demand/424242").status_code == 404
    assert c.get("/api/match/demand/²").status_code == 404  # a non-ASCII digit is a title, not an id
    assert c.get("/api/match/demand/1", params={"require": "gold"}).status_code == 400
    got = c.get("/api/match/demand/DM1/export", params={"format": "csv"})
    csv_body = got.content.decode("utf-8-sig")
    # headers in the UI language from the one label table (they were the result keys rank,enterprise_id,name)
    assert csv_body.splitlines()[0].startswith("排名,企业编号,名称,信用代码,状态,地区,综合得分") and "杭州云语智能科技有限公司" in csv_body
    # the file is named by the demand's own number (it was the internal id) and names the demand on every row
    assert re.search(r'filename="match-demand-DM1-\d{8}\.csv"', got.headers["content-disposition"]), got.headers
    lines = list(csv.DictReader(io.StringIO(csv_body)))
    assert lines and {(r["匹配需求编号"], r["匹配需求"]) for r in lines} == {("DM1", "政务热线语音识别转写")}, csv_body
    x = c.get("/api/match/enterprise/北京声智语音科技有限公司/export", params={"format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(x.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["排名", "需求编号", "标题"] and rows[1][2] == "政务热线语音识别转写"
    assert rows[1][0] == 1 and isinstance(rows[1][0], float), rows[1]  # a number (it was the text '1')
    # named by the enterprise's name and number (its credit code; this one has none: its id), not by the id alone,
    # and naming the enterprise on every row and on the 说明 sheet, as a demand's export names the demand
    eid = c.get("/api/match/enterprise/北京声智语音科技有限公司", params={"top": 1}).json()["enterprise"]["id"]
    assert unquote(x.headers["content-disposition"].partition("filename*=utf-8''")[2]) == \
        f"match-enterprise-北京声智语音科技有限公司-{eid}-{china_today():%Y%m%d}.xlsx", x.headers
    assert rows[0][-2:] == ["匹配企业", "匹配企业信用代码"] and {r[-2] for r in rows[1:]} == {"北京声智语音科技有限公司"}
    assert book.get_sheet_by_index(1).to_python() == [["北京声智语音科技有限公司 可承接的需求"]]
    name = WebContext.download_name(("match-enterprise", "某某（北京）科技有限公司", "91110108MA01ABCD3X"), "csv", "2025-06-30")
    assert name == "match-enterprise-某某_北京_科技有限公司-91110108MA01ABCD3X-20250630.csv", name
    c.app.state.web.export_limits.__init__()  # (three exports at once a user may start: a fresh allowance)
    book = CalamineWorkbook.from_filelike(io.BytesIO(c.get("/api/match/demand/DM1/export").content))
    ent = book.get_sheet_by_index(0).to_python()
    first = next(r for r in cli["results"] if r["rank"] == 1)
    assert ent[1][:2] == [1, first["enterprise_id"]] and all(isinstance(v, float) for v in ent[1][:2]), ent[1]
    assert book.get_sheet_by_index(1).to_python() == [["需求 DM1「政务热线语音识别转写」的匹配企业"]]
    # in English: segment chips of the reasons, statuses of exports and of the CLI (which also takes them in English)
    en_page = c.get("/match/demand/DM1", params={"lang": "en"}).text
    chips = re.findall(r'class="chip mt-node"[^>]*>([^<]*)<', en_page)
    assert chips and not any(re.search(r"[\u4e00-\u9fff]", x) for x in chips), chips
    # each score's formula in English, its tooltip too (the tooltip repeated the stored formula, in Chinese)
    foot = re.findall(r'<div class="xp-foot[^"]*" title="([^"]*)">(.*?)</div>', en_page, re.S)
    assert foot and all("node agreement" in x for _, x in foot), foot
    assert not any(re.search(r"[\u4e00-\u9fff、；]", t + x) for t, x in foot), foot
    en_csv = c.get("/api/match/enterprise/北京声智语音科技有限公司/export", params={"format": "csv", "lang": "en"})
    assert "征集中" not in en_csv.content.decode("utf-8-sig") and ",open," in en_csv.content.decode("utf-8-sig")
    head = en_csv.content.decode("utf-8-sig").splitlines()[0]
    assert head.startswith("Rank,Demand ID,Title,Organisation,Status,Deadline passed,Region")
    assert head.endswith(",Matched enterprise,Matched enterprise credit code"), head
    assert f"match-enterprise-北京声智语音科技有限公司-{eid}-" in unquote(en_csv.headers["content-disposition"])
    out = run("--lang", "en", "match", "demands", "--status", "open", "--format", "csv", db=db["path"]).stdout
    assert out.splitlines()[1:] and all(",open," in line for line in out.splitlines()[1:]), out
    # the table names a demand's segments (it read "Segments: D08, M06"), in the CLI's language
    table = run("--lang", "en", "match", "demands", "--node", "M06", db=db["path"], env={"COLUMNS": "200"}).stdout
    assert "M06 Speech and natural language processing" in table, table
    assert "M06 语音与自然语言处理" in run("match", "demands", "--node", "M06", db=db["path"], env={"COLUMNS": "200"}).stdout


@pytest.fixture(scope="module")
def served(db):
    """The module's database served once for its browser tests, which read it and change nothing."""
    from web_util import require_browser, serving

    require_browser()
    with serving(db["path"]) as base:
        yield base


@pytest.mark.browser
def test_match_page_in_the_browser(db, served, chromium):
    with chromium as b:
        base = served
        pg = b.new_page()
        errors = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(base + "/enterprises/1")
        pg.click("#match-link a")
        pg.wait_for_selector("#mt-enterprise")
        pg.click("#nav-match")
        pg.wait_for_selector("#mt-demands")
        assert pg.locator("#mt-demands tbody tr").count() == 3
        # a deadline and a status stay on one line (at 1366 px the demo list read 2026-02- / 04 and 征集 / 中)
        pg.set_viewport_size({"width": 900, "height": 768})  # narrow: the fixture's titles are short
        lines = "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
        for cell in pg.locator("#mt-demands tbody tr td:nth-child(6), #mt-demands tbody tr td:nth-child(8)").all():
            assert not cell.inner_text().strip() or cell.evaluate(lines) == 1, cell.inner_text()
        pg.fill("#f-node", "M06")
        pg.click("#mt-apply")
        pg.wait_for_url("**node=M06**")
        assert pg.locator("#mt-demands tbody tr").count() == 1
        # a demand's segments by their names beside the code, as every other page shows them (it read M06 alone)
        with Store(db["path"], read_only=True) as store:
            m06 = store.query("SELECT name_zh, name_en FROM chain_nodes WHERE code = 'M06'")[0]
        assert f"M06 {m06['name_zh']}" in pg.locator("#mt-demands tbody tr .chip").all_inner_texts()
        pg.goto(pg.url + "&lang=en")
        chips = pg.locator("#mt-demands tbody tr .chip").all_inner_texts()
        assert f"M06 {m06['name_en']}" in chips and not any(re.search(r"[\u4e00-\u9fff]", x) for x in chips), chips
        pg.goto(pg.url.replace("&lang=en", "&lang=zh"))
        pg.click("#mt-demands a")
        pg.wait_for_selector("#mt-results")
        facts = pg.inner_text("#demand-facts")  # the demand's facts: no empty '· ·', the budget in 万元
        assert facts.startswith("杭州市数据资源管理局 · ") and "· ·" not in facts and " 万元" in facts, facts
        first = pg.locator("#mt-results tbody tr").first
        speech = ("杭州云语智能科技有限公司", "北京声智语音科技有限公司")
        assert any(n in first.inner_text() for n in speech) and "语音识别" in first.inner_text()
        first.locator("details summary").first.click()  # the explanation; its rows and method sit in a nested details
        assert first.locator(".xp").is_visible()
        with pg.expect_download() as dl:
            pg.click("#mt-export-csv")
        assert all(n in Path(dl.value.path()).read_text(encoding="utf-8-sig") for n in speech)
        first.locator("a", has_text="它可承接的需求").click()
        pg.wait_for_selector("#mt-enterprise")
        assert "政务热线语音识别转写" in pg.inner_text("#mt-results")
        pg.goto(pg.url + ("&" if "?" in pg.url else "?") + "lang=en")
        assert "Demands it can serve" in pg.inner_text("main")
        pg.goto(base + "/match/demand/DM1?include_inactive=true&lang=zh")  # a deregistered enterprise, asked for: marked
        row = pg.locator("#mt-results tbody tr", has_text="广州声纹语音技术有限公司")
        assert row.locator(".mt-inactive").inner_text() == "注销" and row.locator(".mt-inactive").is_visible()
        assert pg.locator("#mt-results .mt-inactive").count() == 1
        pg.goto(base + "/match/demand/DM1?lang=en")  # in English the budget as an amount (it read 'budget 200 10k CNY')
        facts = pg.inner_text("#demand-facts")
        assert "budget CNY " in facts and "10k CNY" not in facts and "· ·" not in facts, facts
        assert not errors, errors


def test_a_wrong_region_on_the_demand_page_is_said_by_its_field(served, chromium):
    """A region the lookup cannot read keeps the demand page, the other values and the typed text, with the error
    and the regions meant beside the field (it replaced the page with a bare error page) — the one way of every
    filter form (forms.py): each region meant a link to the same page with it; a 前 out of range alike."""
    with chromium as b:
        base = served
        pg = b.new_page()
        pg.goto(base + "/match/demand/DM1")
        pg.fill("#f-region", "杭洲")
        pg.fill("input[name=top]", "7")
        pg.click("#mt-apply")
        pg.wait_for_selector("#error-region")
        assert pg.locator("#mt-demand h2").is_visible() and not pg.locator("#mt-results").is_visible()
        assert pg.input_value("#f-region") == "杭洲" and pg.input_value("input[name=top]") == "7"
        assert pg.inner_text("#error-region").startswith("未找到地区 杭洲 您是不是要找：杭州市")
        pg.locator("#error-region a", has_text="杭州市").first.click()  # the same page with that region
        pg.wait_for_selector("#mt-results")
        assert pg.input_value("#f-region") == "杭州市" and pg.input_value("input[name=top]") == "7"
        assert "top=7" in pg.url and pg.locator("#error-region").count() == 0
        got = pg.goto(base + "/match/demand/DM1?region=火星&lang=en")
        assert got.status == 400 and pg.inner_text("#error-region") == "region not found: 火星"
        assert pg.locator("#mt-demand").is_visible() and pg.input_value("#f-region") == "火星"
        got = pg.goto(base + "/match/demand/DM1?region=杭州&top=9999&lang=zh")
        assert got.status == 400 and pg.input_value("input[name=top]") == "9999" and pg.input_value("#f-region") == "杭州市"
        assert pg.inner_text("#error-top") == "条数应小于或等于 500，收到 '9999'"  # the box named, as 最低得分 is
        got = pg.goto(base + "/match/demand/DM1?region=杭州&top=0&lang=en")
        assert got.status == 400 and pg.input_value("input[name=top]") == "0"
        assert pg.inner_text("#error-top") == "number shown should be greater than or equal to 1, got '0'"
        # filters that match no demand of a loaded list say so (it told the user to import demands)
        pg.goto(base + "/match?q=火星基地&lang=zh")
        assert pg.inner_text("#mt-empty") == "没有需求符合这些筛选条件。 清除筛选"
        pg.goto(base + "/match?q=zzzz&lang=en")
        assert pg.inner_text("#mt-empty") == "No demand matches these filters. Clear the filters"
        pg.click("#mt-empty a")
        pg.wait_for_selector("#mt-demands")


def test_a_score_reads_the_same_in_its_row_and_its_breakdown(demo_db, chromium):
    """One rounding for a score (half away from zero, as the breakdown rounds: 0.7875 is 0.788 in both places, the
    row read 0.787 on the demo), and the breakdown's formula in English on the English page."""
    from web_util import require_browser, serving

    require_browser()

    def half_up(v):
        return f"{Decimal(str(v)).quantize(Decimal('0.001'), ROUND_HALF_UP)}"

    with Store(demo_db, read_only=True) as store:  # a demand with a score that '%.3f' rounds the other way
        for d in M.list_demands(store, limit=500)["items"]:
            scores = [r["score"] for r in M.match_demand(store, d["id"], top=20)["results"]]
            if len(scores) == 20 and any(f"{v:.3f}" != half_up(v) for v in scores):
                key = d["id"]
                break
    with serving(demo_db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + f"/match/demand/{key}?top=20&lang=en")
        rows = pg.locator("#mt-results > tbody > tr").all()
        assert len(rows) == len(scores) == 20
        for row, score in zip(rows, scores):
            shown = row.locator(".mt-score").inner_text()
            assert shown == row.locator(".xp-value").first.text_content()
            assert float(shown) == float(half_up(score))
        formula = rows[0].locator(".xp-formula").first.text_content()
        assert formula == "w_bm25·BM25/max + w_nodes·node agreement + w_sem·semantic similarity"
        pg.goto(base + f"/match/demand/{key}?top=20&lang=zh")
        assert "节点一致度" in pg.locator("#mt-results .xp-formula").first.text_content()


def test_evaluation_on_a_slice_of_the_labelled_set(tmp_path):
    from conftest import shared_file

    itjuzi = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    doc = run_json("match", "evaluate", "--split", "dev", "--limit", "12", "--data", itjuzi.parents[1], db=tmp_path / "x.duckdb")
    assert doc["split"] == "dev" and doc["demands"] == 12 and doc["pairs_judged"] > 100
    m = doc["methods"]
    assert m["bm25"]["demands"] >= 8 and m["bm25"]["mrr"] > 0.3
    assert m["bm25_nodes"]["recall_at_10"] >= m["bm25"]["recall_at_10"]
    assert "bm25_nodes_semantic" not in m  # only with --semantic


def test_place_names_are_no_terms():
    """Where a demand or an enterprise is says nothing of what it can do: 珠海市 and 上海市 shared jieba's sub-word
    海市 (a 珠海 demand ranked Shanghai companies first on it); full names are cut out, short names dropped, and a
    word that only looks like a fragment (城市 of 晋城市) stays."""
    from zhaoshang.services.matching.profiles import tokens

    got = tokens("珠海政务热线大模型智能问答，需求单位珠海市应急管理局")
    assert "政务" in got and "热线" in got and not {"海市", "珠海", "珠海市"} & set(got)
    assert not {"海市", "上海", "上海市"} & set(tokens("上海市泓舟数字科技有限公司"))
    assert {"城市", "智慧城市"} <= set(tokens("智慧城市视频监控，四川省成都市公安局"))
    assert not {"四川", "成都", "川省", "都市"} & set(tokens("智慧城市视频监控，四川省成都市公安局"))
    # every demand's request words (面向……企业征集解决方案, 需求) are no capability: 解决 and 方案 matched alone
    assert tokens("面向具备人形机器人能力的企业征集解决方案，需求单位") == ["人形", "机器", "机器人", "人形机器人", "单位"]


def test_a_title_two_demands_share_is_refused_listing_them(db, tmp_path):
    """The same 需求清单 imported under two sources (or a demand published again): `match demand TITLE` took the
    older one without a word — a 合肥 list's first import, without region or description. Refused in one line
    naming the demands by id and source; the id, or a key only one demand has, still answers."""
    path = tmp_path / "twice.duckdb"
    path.write_bytes(Path(db["path"]).read_bytes())
    again = tmp_path / "需求清单v2.csv"
    _write(again, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算"],
           [("V2-" + DEMANDS[0][0],) + tuple(DEMANDS[0][1:])])
    # (named on purpose: under the file's own name a list most of whose demands another source holds is refused)
    assert run_json("import", "demands", again, "--source", "需求清单v2", db=path)["rows_imported"] == 1
    title = DEMANDS[0][1]
    p = run("match", "demand", title, db=path, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "有多条需求" in p.stderr and "需求清单v2" in p.stderr and "请用需求编号" in p.stderr
    p = run("--lang", "en", "match", "demand", title, db=path, check=False)
    assert p.returncode == 2 and "several demands" in p.stderr and "give the demand's id" in p.stderr
    ids = [int(i) for i in re.findall(r"#(\d+) \(source", p.stderr)]
    assert len(ids) == 2
    assert run_json("match", "demand", str(ids[1]), db=path)["demand"]["id"] == ids[1]
    assert run_json("match", "demand", "V2-" + DEMANDS[0][0], db=path)["demand"]["id"] == ids[1]


def test_a_hospital_is_a_buyer_not_a_supplier_of_a_hospital_demand(tmp_path):
    """A medical-imaging demand ranked registration-sample hospitals (宁夏海基雅医院(有限公司) …) as suppliers on BM25 of
    医院 and 医学影像 alone, above imaging-AI companies: an enterprise whose name marks an institution that places
    demands (a hospital, a school) is no candidate unless it is placed on the chain."""
    path = tmp_path / "h.duckdb"
    ents, dem = tmp_path / "ents.csv", tmp_path / "demands.csv"
    _write(ents, ["企业名称", "所在地", "登记状态", "经营范围", "公司简介", "主营产品"], [
        ("宁夏海基雅医院(有限公司)", "宁夏回族自治区银川市", "存续", "医院服务；医学影像诊断；内科；外科", "综合医院，设医学影像科。", ""),
        ("重庆玛丽医院有限公司", "重庆市渝中区", "存续", "医疗服务；医学影像检查", "妇产专科医院。", ""),
        ("北京影智医疗科技有限公司", "北京市海淀区", "存续", "人工智能医学影像软件开发",
         "为医院提供医学影像辅助诊断：CT、核磁影像的病灶检测与分割。", "医学影像辅助诊断系统")])
    _write(dem, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算"], [
        ("H1", "市立医院医学影像辅助诊断", "医院需要医学影像辅助诊断系统，对 CT 与核磁影像做病灶检测。", "市立医院", "安徽省合肥市", "对接中", "800")])
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test")
    run_json("import", "demands", dem, db=path)
    with Store(path) as store:
        classify(store)
        placed = {r[0] for r in store.con.execute("SELECT e.name FROM placements p JOIN enterprises e ON e.id = p.enterprise_id").fetchall()}
    assert not placed & {"宁夏海基雅医院(有限公司)", "重庆玛丽医院有限公司"}
    names = _names(run_json("match", "demand", "H1", "--top", "10", db=path))
    assert names == ["北京影智医疗科技有限公司"], names


def test_a_pair_has_one_score_in_both_directions(db):
    """An enterprise's demands and a demand's enterprises give the same pair the same score (the demand's BM25 of
    the enterprise normalised by that demand's best enterprise, plus the node agreement): an analyst following
    the links both ways reads one number — the enterprise direction normalised by its own query's best, so the
    same pair read 0.74 on one page and was missing or lower on the other."""
    with Store(db["path"], read_only=True) as store:
        for ent in ("北京声智语音科技有限公司", "杭州云语智能科技有限公司", "杭州语音文化传媒有限公司"):
            rev = M.match_enterprise(store, ent, all_status=True, top=50)
            assert rev["results"], ent
            for r in rev["results"]:
                fwd = M.match_demand(store, str(r["demand_id"]), top=500, include_inactive=True)["results"]
                pair = [x for x in fwd if x["enterprise_id"] == rev["enterprise"]["id"]]
                assert pair and (pair[0]["score"], pair[0]["bm25"], pair[0]["node_agreement"]) == \
                    (r["score"], r["bm25"], r["node_agreement"]), (ent, r["title"], pair[:1], r["score"])


def test_an_empty_reverse_match_says_why(db, tmp_path):
    """`match enterprise` and `match demands` printed only (nothing to show) on a database without demands: they say
    no demand list is imported and how to import one; with demands that none fits, it says that instead."""
    import shutil

    import duckdb

    path = tmp_path / "m.duckdb"
    shutil.copy(db["path"], path)
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM demands")
    en = run("--lang", "en", "match", "enterprise", "北京声智语音科技有限公司", db=path)
    assert "no demand list is imported: import one with zhaoshang import demands FILE" in en.stderr, en.stderr
    zh = run("match", "enterprise", "北京声智语音科技有限公司", "--format", "json", db=path)
    assert "库中还没有需求清单：用 zhaoshang import demands 文件 导入" in json.loads(zh.stdout)["note"]
    # the demand list says the same (it printed 需求 0 条 and nothing to show, without why)
    listed = run("match", "demands", db=path)
    assert "需求 0 条" in listed.stdout and "库中还没有需求清单：用 zhaoshang import demands 文件 导入" in listed.stderr
    unfit = run("--lang", "en", "match", "enterprise", "北京声智语音科技有限公司", "--node", "U01", db=db["path"])
    assert "demands considered fits this enterprise" in unfit.stderr, unfit.stderr


def test_an_enterprise_without_a_region_gives_the_documented_region_object(db, tmp_path):
    """docs/cli.md documents ``region: {code, name, name_en}``; an enterprise without a region gave ``null``."""
    import shutil

    path = tmp_path / "m.duckdb"
    shutil.copy(db["path"], path)
    ents = tmp_path / "more.csv"
    _write(ents, ["企业名称", "所在地", "登记状态", "经营范围", "公司简介", "主营产品"],
           [("无址语音识别科技有限公司", "", "存续", "语音识别软件开发", "政务热线电话录音的中文语音识别转写。", "语音识别")])
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test-noregion")
    doc = run_json("match", "demand", "DM1", "--top", "10", db=path)
    got = [r for r in doc["results"] if r["name"] == "无址语音识别科技有限公司"]
    assert got and got[0]["region"] == {"code": None, "name": None, "name_en": None, "label": None, "label_en": None}, got
    assert all(set(r["region"]) == {"code", "name", "name_en", "label", "label_en"} for r in doc["results"])


def _hotline_store(tmp_path, founded: str, dates: list[tuple[str, str]]):
    """One speech company founded on ``founded`` (the data's date) and two hotline demands 征集中 with their
    (published, deadline); returns the database and the company's name."""
    ents, dem, path = tmp_path / "ents.csv", tmp_path / "demands.csv", tmp_path / "m.duckdb"
    _write(ents, ["企业名称", "所在地", "登记状态", "成立日期", "经营范围", "公司简介"],
           [ENTERPRISES[4][:3] + (founded,) + ENTERPRISES[4][3:5]])
    _write(dem, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "发布日期", "截止日期"],
           [(k, title, DEMANDS[0][2], DEMANDS[0][3], DEMANDS[0][4], "征集中", *d)
            for k, title, d in zip(("DA", "DB"), ("政务热线语音识别转写", "热线电话录音语音识别"), dates)])
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test")
    run_json("import", "demands", dem, db=path)
    with Store(path) as store:
        classify(store)
    return path, ENTERPRISES[4][0]


def test_an_open_status_past_its_deadline_is_not_offered_as_open(tmp_path):
    """match enterprise's open demands are the one definition on the data's date: a demand still marked 征集中
    whose deadline passed before the latest data date is closed, one whose deadline is ahead is offered."""
    path, key = _hotline_store(tmp_path, "2024-06-30", [("2023-01-05", "2023-03-31"), ("2024-05-01", "2099-12-31")])
    doc = run_json("match", "enterprise", key, db=path)
    assert [r["title"] for r in doc["results"]] == ["热线电话录音语音识别"]
    every = [r["title"] for r in run_json("match", "enterprise", key, "--all-status", db=path)["results"]]
    assert sorted(every) == ["政务热线语音识别转写", "热线电话录音语音识别"]
    # the demand list says so: the past one marked expired, and "open only" keeps what match enterprise offers
    items = {d["title"]: d for d in run_json("match", "demands", db=path)["items"]}
    assert (items["政务热线语音识别转写"]["expired"], items["政务热线语音识别转写"]["open"]) == (True, False)
    assert (items["热线电话录音语音识别"]["expired"], items["热线电话录音语音识别"]["open"]) == (False, True)
    assert [d["title"] for d in run_json("match", "demands", "--open", db=path)["items"]] == ["热线电话录音语音识别"]
    table = run("match", "demands", db=path, env={"COLUMNS": "200"}).stdout
    assert "征集中（已过截止）" in table and table.count("已过截止") == 1, table
    assert "open (past deadline)" in run("--lang", "en", "match", "demands", db=path, env={"COLUMNS": "200"}).stdout
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(path)))
    assert [d["title"] for d in c.get("/api/match/demands", params={"open": "true"}).json()["items"]] == ["热线电话录音语音识别"]
    page = c.get("/match").text
    assert page.count('class="chip mt-expired"') == 1 and "已过截止" in page
    only = c.get("/match", params={"open": "true"}).text
    assert "政务热线语音识别转写" not in only and 'id="f-open" value="true" checked' in only
    assert "past deadline" in c.get("/match", params={"lang": "en"}).text
    csv_body = c.get("/api/match/demands/export", params={"open": "true", "format": "csv"}).content.decode("utf-8-sig")
    assert "热线电话录音语音识别" in csv_body and "政务热线语音识别转写" not in csv_body


def test_english_statuses_on_the_api_and_the_page_and_a_status_a_source_wrote_in_english(tmp_path):
    """``open`` is 征集中 on the command line, the API and the page alike; a demand a source wrote as ``open`` is
    found by either and listed as 征集中."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, dem = tmp_path / "m.duckdb", tmp_path / "demands.csv"
    _write(dem, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算"],
           DEMANDS + [("DM4", "港口集装箱识别", "码头集装箱箱号识别。", "宁波市港口管理局", "浙江省宁波市", "Open", "90")])
    run("import", "demands", dem, db=path)
    for status in ("open", "OPEN", "征集中"):
        doc = run_json("match", "demands", "--status", status, db=path)
        assert sorted(d["title"] for d in doc["items"]) == ["政务热线语音识别转写", "港口集装箱识别"], status
        assert {d["status"] for d in doc["items"]} == {"征集中"} and "Open" not in doc["statuses"]
    c = local_client(create_app(str(path)))
    for params in ({"status": "open"}, {"status": "in talks"}, {"status": "open", "lang": "en"}):
        r = c.get("/api/match/demands", params=params)
        assert r.status_code == 200 and r.json()["total"] == (1 if params["status"] == "in talks" else 2), (params, r.text)
    page = c.get("/match", params={"status": "open", "lang": "en"})
    assert page.status_code == 200 and "港口集装箱识别" in page.text and "汽车焊装车间机器人改造" not in page.text
    r = c.get("/api/match/demands", params={"status": "foo", "lang": "en"})
    assert r.status_code == 404 and r.json()["error"] == "unknown demand status: foo (one of in talks, completed, open)"


def test_a_demand_files_deadline_column_is_read_and_an_unread_column_named(tmp_path):
    """截止时间 (the twin of 发布时间) is the deadline: a demand past it is not offered as open. A column no field
    reads is named on import (stderr and ``columns_unread``), not dropped in silence."""
    path, dem = tmp_path / "m.duckdb", tmp_path / "demands.csv"
    _write(dem, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "发布时间", "截止时间", "状态", "内部备注"],
           [("Q1", "政务热线语音识别转写", "热线录音转写。", "杭州市数据资源管理局", "浙江省杭州市", "2020-01-01",
             "2020-06-30", "征集中", "x")])
    p = run("import", "demands", dem, "--format", "json", db=path)
    doc = json.loads(p.stdout)
    assert doc["columns"]["deadline"] == "截止时间" and doc["columns_unread"] == ["内部备注"]
    assert "未读取的列（没有对应字段，未导入）: 内部备注" in p.stderr, p.stderr
    assert [d["deadline"] for d in run_json("match", "demands", db=path)["items"]] == ["2020-06-30"]
    p = run("--lang", "en", "import", "demands", dem, "--source", "again", db=path)
    assert "note: columns not read (no field takes them; not imported): 内部备注" in p.stderr, p.stderr


def test_a_match_on_words_alone_is_marked_and_digits_are_no_terms(db):
    """A result with no chain segment in common with the other side says so — in the JSON (``text_only``), the
    table and exports (匹配环节: 无（仅文字相符）) and on the page —; a number (10 of 10个站点) is no matched term."""
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app
    from zhaoshang.services.matching.profiles import tokens

    assert "10" not in tokens("地铁站人脸识别闸机改造，覆盖10个站点，2024年完成") and "闸机" in tokens("人脸识别闸机")
    doc = run_json("match", "enterprise", "杭州语音文化传媒有限公司", "--all-status", db=db["path"])
    plain = [r for r in doc["results"] if not r["matched_nodes"]]
    assert plain and all(r["text_only"] for r in plain) and not any(r["text_only"] for r in doc["results"] if r["matched_nodes"])
    rows = list(csv.DictReader(io.StringIO(run("match", "enterprise", "杭州语音文化传媒有限公司", "--all-status", "--format", "csv",
                                                 db=db["path"]).stdout)))
    assert {r["matched_nodes"] for r in rows if r["title"] in {p["title"] for p in plain}} == {"无（仅文字相符）"}
    page = local_client(create_app(str(db["path"]))).get("/match/enterprise/杭州语音文化传媒有限公司",
                                                        params={"all_status": "true"}).text
    assert page.count('class="chip mt-text-only"') == len(plain), page.count('class="chip mt-text-only"')


def test_the_demand_list_groups_a_budgets_thousands(demo_db):
    """The /match list printed a budget of 2000 (万元) bare, where ``match demands`` and every other number of the
    pages say 2,000."""
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    db = demo_db  # the module's copy, read only: its match index is built once
    with Store(str(db), read_only=True) as store:
        big = store.query("SELECT budget_wan FROM demands WHERE budget_wan >= 1000 ORDER BY budget_wan LIMIT 1")[0]["budget_wan"]
    c = local_client(create_app(str(db)))
    html = c.get("/match", params={"lang": "en", "limit": 500}).text
    cells = re.findall(r'<td class="num">([^<]*)</td><td class="date">', html)
    assert f"{round(big):,}" in cells and f"{round(big)}" not in cells, cells[:10]
    # the export writes the budget as the amount it is (2000), not as a float (2000.0); blank when none
    rows = list(csv.DictReader(io.StringIO(c.get("/api/match/demands/export", params={"format": "csv", "lang": "en"})
                                          .content.decode("utf-8-sig"))))
    budgets = [r["Budget (10k CNY)"] for r in rows]
    assert f"{round(big)}" in budgets and not [b for b in budgets if b.endswith(".0")] and "" in budgets, budgets[:10]


def test_a_demands_nodes_are_not_read_from_its_publisher_and_its_region_names_its_city(demo_db):
    """A demand's segments came from its publisher's name too (杭州市余杭区教育局拟开展“政务通用大模型私有化部署”
    read 教育 and named D09 智慧教育); the 地区 column said a district alone (朝阳区, 鼓楼区: several cities have one)."""
    from zhaoshang.services.chain.taxonomy import load_taxonomy, normalize_keyword
    from zhaoshang.services.matching.profiles import _keyword_nodes, demand_rows

    db = demo_db  # the module's copy, read only: its match index is built once
    tax = load_taxonomy()
    pat, kw_nodes = _keyword_nodes(tax.path)
    with Store(str(db), read_only=True) as store:
        # the demands whose publisher's name holds a chain keyword and whose text repeats that name
        named = [d for d in demand_rows(store) if d["organisation"] and d["organisation"] in d["text"]
                 and any(kw_nodes[m.group(0)] for m in pat.finditer(normalize_keyword(d["organisation"])))]
        assert named
        for d in named[:8]:
            doc = M.match_demand(store, f"#{d['id']}", top=5)
            rest = normalize_keyword(d["text"].replace(d["organisation"], " "))
            found = [k for n in doc["demand_nodes"] for k in n["found_by"] if k != "declared"]
            assert all(k in rest for k in found), (d["organisation"], doc["demand_nodes"])
            for r in doc["results"]:
                reg = r["region"]
                if reg["code"] and len(reg["code"]) == 6 and not reg["code"].endswith("00"):
                    city = store.query("SELECT name FROM regions WHERE code = ?", [reg["code"][:4] + "00"])
                    if city:
                        assert reg["label"] == city[0]["name"] + reg["name"], reg
            rows = M.result_rows(doc)
            assert [x["region"] for x in rows] == [r["region"]["label"] or r["region"]["code"] for r in doc["results"]]
        # nor its words: a word of the publisher's name alone is no request term (D17 of 杭州市西湖区数据资源管理局
        # ranked companies 3rd to 10th on 资源 and 管理 from the name)
        from zhaoshang.services.matching.profiles import tokens

        own = [d for d in demand_rows(store) if d["organisation"] and d["organisation"] in d["text"]]
        for d in [x for x in own if x["organisation"] == "杭州市西湖区数据资源管理局"] + own[:3]:
            name_only = set(tokens(d["organisation"])) - set(tokens(d["text"].replace(d["organisation"], " ")))
            doc = M.match_demand(store, f"#{d['id']}", top=10)
            assert doc["results"] and not name_only & {t for r in doc["results"] for t in r["matched_terms"]}, d
    # the demand list's table says a district with its city too (余杭区 / Yuhang alone), as the page and export do
    listed = run_json("match", "demands", "--region", "杭州市", db=db)["items"]
    for lang, key in (("zh", "label"), ("en", "label_en")):
        table = list(csv.DictReader(io.StringIO(run("--lang", lang, "match", "demands", "--region", "杭州市", "--format",
                                                    "csv", db=db).stdout)))
        want = {d["ref"]: d["region"][key] for d in listed}
        assert {r["ref"]: r["region"] for r in table} == want, table
        assert any(v.startswith("杭州市") and v != "杭州市" or v.endswith(", Hangzhou") for v in want.values()), want


def test_a_region_filter_ranks_within_the_region_not_within_a_national_cut(demo_db):
    """The demand's enterprises filtered by a region were the region's share of the nationwide first-stage cut (the
    300 best by BM25): a district's enterprise that an enterprise's page pairs with a demand was missing from that
    demand's page filtered on its district (demo: 114 北京璞谦 and demand 132, district 110105). Every pair an
    enterprise's page lists is on the demand's page filtered on the enterprise's district, with the same score."""
    db = demo_db  # the module's copy, read only: its match index is built once
    missing, checked = [], 0
    with Store(str(db), read_only=True) as store:
        ents = store.query("""SELECT e.id, e.district_code FROM enterprises e WHERE e.district_code IS NOT NULL
            AND e.dissolved IS NULL AND EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = e.id)
            ORDER BY e.id LIMIT 6""")
        for e in ents:
            for r in M.match_enterprise(store, e["id"], all_status=True, top=500)["results"]:
                fwd = M.match_demand(store, str(r["demand_id"]), region=e["district_code"], top=500)["results"]
                pair = [(x["score"], x["bm25"]) for x in fwd if x["enterprise_id"] == e["id"]]
                checked += 1
                if pair != [(r["score"], r["bm25"])]:
                    missing.append((e["id"], r["demand_id"], r["score"], pair))
    assert checked > 20 and not missing, missing[:5]


def test_a_number_that_is_one_demands_id_and_anothers_key_is_refused_listing_both(db, tmp_path):
    """A bureau's list numbers its demands 1, 2, 3 …: imported after another list, its demand 1 (key "1") took an id
    of its own and ``match demand 1`` answered the demand with id 1 without a word. Refused listing both, on the
    CLI and the API; ``#N`` names the id alone, and the pages link to demands so."""
    import shutil
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "numbered.duckdb"
    shutil.copy(db["path"], path)
    f = tmp_path / "合肥需求清单.csv"
    _write(f, ["需求编号", "需求名称", "需求描述", "需求单位", "所在地", "状态", "预算"],
           [("1", "合肥智能语音客服外包", "政务热线智能语音客服外包。", "合肥市数据资源局", "安徽省合肥市", "征集中", "100")])
    assert run_json("import", "demands", f, db=path)["rows_imported"] == 1
    with Store(path, read_only=True) as store:
        new = store.query("SELECT id FROM demands WHERE source_key = '1'")[0]["id"]
    assert new != 1
    p = run("match", "demand", "1", db=path, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert sorted(int(i) for i in re.findall(r"#(\d+)（", p.stderr)) == [1, new], p.stderr
    assert "合肥需求清单" in p.stderr and "#1" in p.stderr
    p = run("--lang", "en", "match", "demand", "1", db=path, check=False)
    assert p.returncode == 2 and "several demands are '1'" in p.stderr, p.stderr
    assert run_json("match", "demand", "#1", db=path)["demand"]["title"] == DEMANDS[0][1]
    assert run_json("match", "demand", f"#{new}", db=path)["demand"]["title"] == "合肥智能语音客服外包"
    assert run_json("match", "demand", str(new), db=path)["demand"]["id"] == new  # no demand's key: the id
    assert run("match", "demand", "#424242", db=path, check=False).returncode == 2
    c = local_client(create_app(str(path)))
    r = c.get("/api/match/demand/1")
    assert r.status_code == 400 and f"#{new}" in r.text and "#1" in r.text, r.text
    assert c.get("/api/match/demand/%231").json()["demand"]["id"] == 1
    html = c.get("/match").text  # the list's links name the id alone, and answer
    links = re.findall(r'href="(/match/demand/[^"]+)"', html)
    assert "/match/demand/%231" in links and f"/match/demand/%23{new}" in links, links
    page = c.get("/match/demand/%231")
    assert page.status_code == 200 and DEMANDS[0][1] in page.text
    assert f'action="/match/demand/%23{new}"' in c.get(f"/match/demand/%23{new}").text


def test_a_dissolved_enterprise_asked_for_has_its_details_status_and_text_score(db, tmp_path):
    """--include-inactive listed an enterprise dissolved before the data's date without name, credit code, region or
    status ("None" on the page), and with BM25 0 whatever its text: the index held the existing enterprises only.
    It is indexed too (and never sets the best a pair is normalised by), and shown with its details and status."""
    import shutil
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path = tmp_path / "ended.duckdb"
    shutil.copy(db["path"], path)
    before = run_json("match", "demand", "DM1", "--top", "10", db=path)["results"]
    ents = tmp_path / "ended.csv"
    _write(ents, ["企业名称", "统一社会信用代码", "所在地", "登记状态", "成立日期", "注销日期", "经营范围", "公司简介"],
           [("杭州已销语音科技有限公司", "91330106MA2AXXXX0X", "浙江省杭州市西湖区", "吊销", "2012-03-01", "2019-06-30",
             "语音识别软件开发", "政务热线电话录音的中文语音识别实时转写。")])
    with Store(path) as store:
        import_files(store, "enterprises", [ents], source="test-ended")
        eid, uscc = store.query("SELECT id, uscc FROM enterprises WHERE name = '杭州已销语音科技有限公司'")[0].values()
    live = run_json("match", "demand", "DM1", "--top", "10", db=path)["results"]
    assert eid not in [r["enterprise_id"] for r in live]
    # the existing enterprises' pair scores do not move with the dissolved one asked for or not
    asked = run_json("match", "demand", "DM1", "--top", "10", "--include-inactive", db=path)["results"]
    got = [r for r in asked if r["enterprise_id"] == eid]
    assert got, asked
    g = got[0]
    assert (g["name"], g["uscc"], g["status"], g["inactive"]) == ("杭州已销语音科技有限公司", uscc, "吊销", True), g
    assert g["region"] == {"code": "330106", "name": "西湖区", "name_en": "Xihu", "label": "杭州市西湖区",
                           "label_en": "Xihu, Hangzhou"}, g["region"]
    assert g["bm25"] > 0 and "语音识别" in g["matched_terms"], g
    by_id = {r["enterprise_id"]: r["score"] for r in live}
    assert all(by_id[r["enterprise_id"]] == r["score"] for r in asked if r["enterprise_id"] in by_id)
    assert [r["name"] for r in before] == [r["name"] for r in live]
    assert not any(r["inactive"] for r in live)
    table = run("match", "demand", "DM1", "--include-inactive", db=path, env={"COLUMNS": "200"}).stdout
    assert "杭州已销语音科技有限公司" in table and "吊销" in table and "状态" in table
    en = run("--lang", "en", "match", "demand", "DM1", "--include-inactive", "--format", "csv", db=path).stdout
    assert any("杭州已销语音科技有限公司" in line and "licence revoked" in line for line in en.splitlines()), en
    c = local_client(create_app(str(path)))
    page = c.get("/match/demand/DM1", params={"include_inactive": "true"}).text
    assert "杭州已销语音科技有限公司" in page and ">None<" not in page
    assert re.search(r'class="chip mt-inactive"[^>]*>吊销<', page), page[:200]
    body = c.get("/api/match/demand/DM1/export", params={"include_inactive": "true", "format": "csv"}).content.decode("utf-8-sig")
    assert any("杭州已销语音科技有限公司" in line and ",吊销," in line for line in body.splitlines()), body


def test_demands_published_after_the_data_date_are_offered(tmp_path):
    """A demand list published after the enterprises' data date (IT桔子 2018-11 with the 2019-01 list): match enterprise
    judged openness on the enterprises' date, offered none and said the list was "published after the data's date".
    A demand's openness is judged today (``judged_on``; an import refuses a publication date after today), so the
    list's open demands are offered on the CLI, the API and the page, with no note."""
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    path, key = _hotline_store(tmp_path, "2018-06-30", [("2019-01-15", ""), ("2019-01-15", "2019-03-31")])
    doc = run_json("match", "enterprise", key, db=path)
    assert [r["title"] for r in doc["results"]] == ["政务热线语音识别转写"] and doc["note"] is None, doc
    assert len(run_json("match", "enterprise", key, "--all-status", db=path)["results"]) == 2
    c = local_client(create_app(str(path)))
    got = c.get(f"/api/match/enterprise/{key}", params={"lang": "en"}).json()
    assert [r["title"] for r in got["results"]] == ["政务热线语音识别转写"] and got["note"] is None
    page = c.get(f"/match/enterprise/{key}", params={"lang": "zh"}).text
    rows = re.findall(r'<tr data-id="\d+"><td>\d+</td><td[^>]*><a [^>]*>([^<]+)</a>', page)
    assert rows == ["政务热线语音识别转写"] and 'class="hint"' not in page, rows


def test_a_demands_budget_and_its_scores_read_as_the_lists_print_them(demo_db):
    """A demand's page said 预算 1000 万元 where the demand list says 1,000, and its scores came with as many decimals
    as they happened to need (0.6 / 0.58 / 0.549): the budget now reads as the list's, every score (in its row, in its
    breakdown and in ``match demand``'s table) with three decimals."""
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    from web_util import local_client

    from zhaoshang.interfaces.labels import match_score_text
    from zhaoshang.interfaces.web.app import create_app

    db = demo_db  # the module's copy, read only: its match index is built once
    with Store(str(db), read_only=True) as store:
        big = store.query("SELECT id, budget_wan FROM demands WHERE budget_wan >= 1000 ORDER BY id LIMIT 1")[0]
        # a demand with a score whose third decimal is a zero (0.580): it read 0.58 beside 0.549
        for d in M.list_demands(store, limit=500)["items"]:
            scores = [r["score"] for r in M.match_demand(store, d["id"], top=20)["results"]]
            if any(match_score_text(v).endswith("0") for v in scores):
                key = d["id"]
                break
    c = local_client(create_app(str(db)))
    facts = re.search(r'id="demand-facts">([^<]*)<', c.get(f"/match/demand/{big['id']}").text).group(1)
    assert f"预算 {round(big['budget_wan']):,} 万元" in facts, facts
    html = c.get(f"/match/demand/{key}", params={"top": 20}).text
    shown = re.findall(r'<td class="num mt-score">([^<]*)</td>', html)
    assert shown == [match_score_text(v) for v in scores] and all(re.fullmatch(r"\d\.\d{3}", s) for s in shown), shown
    assert re.findall(r'<span class="xp-value">([^<]*)</span>', html) == shown
    table = run("match", "demand", str(key), "--top", "20", db=db).stdout
    assert all(re.search(rf"(?<![\d.]){re.escape(s)}(?![\d])", table) for s in shown if s.endswith("0")), table
