"""Leads on a database that holds a registry only (the real A-share list, classified): the fact sources behind the
expansion, demand and risk signals are not loaded, so every lead's score leaves those signals out. The list says
so in plain words — which sources, which signals, the import that adds each — in the CLI (zh and en), in the JSON
(``missing_sources``; an absent signal's ``import``) and on the 招商线索 page; a source that is loaded is not named."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from conftest import shared_file  # noqa: E402
from test_leads import D, REGION, _build  # noqa: E402
from web_util import require_browser, serving  # noqa: E402

from zhaoshang.core.importers.pipeline import import_files  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.leads import mine_leads  # noqa: E402
from zhaoshang.services.leads.reasons import SIGNAL_LABELS  # noqa: E402

MERGED = "listed_companies/a_share_companies_merged.csv"
HEFEI = "340100"
NOT_LOADED = ["fundings", "branches", "patents", "news", "demands"]
COMMANDS = ["zhaoshang import fundings FILE", "zhaoshang import branches FILE", "zhaoshang import patents FILE",
            "zhaoshang import news FILE", "zhaoshang import demands FILE"]


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    """The real A-share list imported and classified: enterprises and placements, no other fact."""
    db = tmp_path_factory.mktemp("leads_sources") / "a.duckdb"
    s = Store(db)
    s.ensure_schema()
    import_files(s, "enterprises", shared_file(MERGED), preset="a_share_merged", data_date="2026-03-31")
    s.close()
    run("classify", "--full", db=db)
    return db


def test_the_list_names_the_sources_not_loaded(listed):
    with Store(str(listed), read_only=True) as s:
        zh = mine_leads(s, HEFEI, top=10)
        en = mine_leads(s, HEFEI, top=10, lang="en")
    assert zh["leads"], "合肥市 has candidates on the real A-share list"
    assert [m["source"] for m in zh["missing_sources"]] == NOT_LOADED
    assert [m["import"] for m in zh["missing_sources"]] == COMMANDS
    absent = [x for m in zh["missing_sources"] for x in m["signals"]]
    assert set(absent) == {"funding", "branches", "patents", "expansion_news", "negative_news", "demands"}
    # the plain sentence comes first, names every absent signal and every command, in either language
    assert zh["notes"][0] == zh["missing_note"] and zh["missing_note"].startswith("库中未导入融资")
    assert all(f"「{SIGNAL_LABELS[x][0]}」" in zh["missing_note"] for x in absent)
    assert all(c.replace(" FILE", " 文件") in zh["missing_note"] for c in COMMANDS)
    assert en["notes"][0] == en["missing_note"] and en["missing_note"].startswith("no funding")
    assert all(SIGNAL_LABELS[x][1] in en["missing_note"] for x in absent) and all(c in en["missing_note"] for c in COMMANDS)
    for lead in zh["leads"]:  # each absent signal carries its import; the measured ones none
        assert lead["signals"]["funding"]["absent"] and lead["signals"]["funding"]["import"] == COMMANDS[0]
        assert lead["signals"]["expansion_news"]["import"] == COMMANDS[3]
        assert "import" not in lead["signals"]["segment_fit"] and "import" not in lead["signals"]["local_ties"]
    # the region page's and report's section names the missing data and what the scores leave out, not the commands
    from zhaoshang.services.leads.mine import top_leads
    with Store(str(listed), read_only=True) as s:
        top = top_leads(s, HEFEI, limit=10)
    assert top["notes"][0] == zh["missing_note"][:zh["missing_note"].index("导入后即可计入")]
    assert top["notes_en"][0] == en["missing_note"][:en["missing_note"].index(" To add them:")]
    assert not [n for n in top["notes"] + top["notes_en"] if "zhaoshang" in n]


def test_the_cli_says_it_in_both_languages_and_json(listed):
    out = run("leads", "合肥市", "--top", "10", db=listed)
    text = " ".join((out.stdout + out.stderr).split())
    assert "库中未导入融资、分支机构/子公司、专利、新闻、需求清单数据" in text
    assert "zhaoshang import fundings 文件" in text.replace("\n", " ")
    en = run("--lang", "en", "leads", "合肥市", "--top", "10", db=listed)
    text = " ".join((en.stdout + en.stderr).split())
    assert "no funding, branch and subsidiary, patent, news or demand-list data is loaded" in text
    assert "zhaoshang import patents FILE" in text
    js = run("leads", "合肥市", "--top", "3", "--format", "json", db=listed)
    leads = __import__("json").loads(js.stdout)  # stdout stays the documented list of leads
    assert leads and leads[0]["signals"]["patents"]["import"] == COMMANDS[2]
    assert "zhaoshang import fundings 文件" in js.stderr


def test_a_loaded_source_is_not_named(tmp_path):
    """The hand-built lead database holds fundings, branches and patents, no news and no demands."""
    db = tmp_path / "l.duckdb"
    _build(db)
    doc = run_json("leads", REGION, "--as-of", D.isoformat(), db=db)
    assert doc and "import" not in doc[0]["signals"]["funding"] and "import" not in doc[0]["signals"]["patents"]
    assert doc[0]["signals"]["expansion_news"]["import"] == COMMANDS[3]
    with Store(str(db), read_only=True) as s:
        got = mine_leads(s, REGION, as_of=D)
    assert [m["source"] for m in got["missing_sources"]] == ["news", "demands"]
    assert got["missing_note"].startswith("库中未导入新闻、需求清单数据")
    # whether news are imported is the scorecard's rule (sources_present), for both news signals: a typed, strongly
    # negative item that names no enterprise is no news source (it was enough for expansion news, read as a known 0
    # for every lead); once it names a lead, both signals are measured and that lead pays the risk penalty
    from zhaoshang.services.evaluation.signals import sources_present
    with Store(str(db)) as s:
        s.con.execute("INSERT INTO news (id, title, published, sentiment, event_type) VALUES "
                      "(1, '某公司在成都设立子公司并遭处罚', TIMESTAMP '2020-03-01', -0.9, 'expansion')")
        unlinked, src = mine_leads(s, REGION, as_of=D), sources_present(s, D)
        assert not src["news"] and not src["news_events"]
        assert unlinked["leads"][0]["signals"]["expansion_news"]["absent"]
        assert "negative_news" not in unlinked["leads"][0]["signals"]
        assert [m["source"] for m in unlinked["missing_sources"]] == ["demands"]  # the table holds a row
        first = unlinked["leads"][0]
        s.con.execute("INSERT INTO news_mentions (news_id, enterprise_id, mention, method) VALUES (1, ?, 'x', 'name')",
                      [first["enterprise_id"]])
        linked, src = mine_leads(s, REGION, as_of=D), sources_present(s, D)
    assert src["news"] and src["news_events"]
    lead = next(r for r in linked["leads"] if r["enterprise_id"] == first["enterprise_id"])
    assert not lead["signals"]["expansion_news"]["absent"] and lead["signals"]["expansion_news"]["raw"] == 1
    assert lead["signals"]["negative_news"]["raw"] == 1 and lead["score"] < first["score"]


def test_an_unclassified_database_names_the_classify_command(tmp_path):
    """Enterprises imported into an empty database and not yet classified: no lead anywhere, and the note said only
    that the region had no enterprise placed on the chain. It names the command that places them, in both languages;
    once classified, the note is gone."""
    db = tmp_path / "e.duckdb"
    src = tmp_path / "e.csv"
    src.write_text("企业名称,统一社会信用代码,成立日期,登记状态,注册地址,经营范围\n"
                   "上海甲智能科技有限公司,91310115MA1HXXXX01,2018-01-01,存续,上海市浦东新区张江路1号,人工智能软件开发\n"
                   "北京乙智能科技有限公司,91110108MA00XXXX02,2019-01-01,存续,北京市海淀区中关村大街1号,计算机视觉技术开发、人工智能算法\n",
                   encoding="utf-8")
    run("import", "enterprises", src, db=db)
    for lang, want in (("zh", "请先运行 zhaoshang classify"), ("en", "run zhaoshang classify first")):
        out = run("--lang", lang, "leads", "上海", db=db)
        assert want in " ".join((out.stdout + out.stderr).split()), out.stderr
        bad = run("--lang", lang, "recommend", "上海", db=db, check=False)
        assert bad.returncode == 2 and want in bad.stderr
        # the map's and the chain's counts are all 0: said in the same words (a table of zeros, no hint)
        for args in (["map", "--level", "province"], ["chain", "--region", "上海"]):
            out = run("--lang", lang, *args, db=db)
            assert want in " ".join(out.stderr.split()), (args, out.stderr)
    # …and the pages that draw them: the map (from its JSON) and the chain
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    client = local_client(create_app(str(db)))
    doc = client.get("/api/map").json()
    assert "请先运行 zhaoshang classify" in doc["notes"][0] and "run zhaoshang classify first" in doc["notes_en"][0]
    assert "请先运行 zhaoshang classify" in client.get("/chain?region=上海").text
    assert "run zhaoshang classify first" in client.get("/api/chain").json()["notes_en"][0]
    client.close()
    run("classify", db=db)
    for args in (["leads", "上海"], ["map", "--level", "province"], ["chain", "--region", "上海"]):
        out = run(*args, db=db)
        assert "zhaoshang classify" not in out.stdout + out.stderr, args


def test_the_leads_page_shows_the_sources_not_loaded(listed, chromium):
    require_browser()
    with serving(listed) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + f"/leads?region={HEFEI}")
        pg.wait_for_selector("#leads-table")
        box = pg.locator("#ld-missing")
        assert box.is_visible() and box.inner_text().startswith("库中未导入融资")
        assert [x.get_attribute("data-source") for x in box.locator("li").all()] == NOT_LOADED
        assert box.locator("li code").first.inner_text() == "zhaoshang import fundings 文件"
        assert pg.locator(".notes li").filter(has_text="库中未导入").count() == 0  # said once
        pg.goto(base + f"/leads?region={HEFEI}&lang=en")
        pg.wait_for_selector("#leads-table")
        assert pg.locator("#ld-missing").inner_text().startswith("no funding")
        assert pg.locator("#ld-missing li code").nth(2).inner_text() == "zhaoshang import patents FILE"
