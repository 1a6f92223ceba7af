"""search, show, status and usage errors through the CLI, on the real IT桔子 lists."""

from __future__ import annotations

import csv
import json

import pytest

from cli_util import run, run_json
from conftest import shared_file


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    comp = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    fin = shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv")
    d = tmp_path_factory.mktemp("q") / "z.duckdb"
    run_json("import", "enterprises", comp, "--preset", "itjuzi_companies", db=d)
    run_json("import", "fundings", fin, "--preset", "itjuzi_financing", db=d)
    run_json("import", "roles", comp, "--preset", "itjuzi_team", db=d)
    with open(shared_file("listed_companies/szse_a_share_list_2026-01.csv"), encoding="utf-8") as fh:
        head = [next(fh) for _ in range(21)]  # the header and 20 listed companies
    szse = d.parent / "szse20.csv"
    szse.write_text("".join(head), encoding="utf-8")
    run_json("import", "enterprises", szse, "--preset", "szse_a_share", db=d)
    return d


def companies():
    return list(csv.DictReader(open(shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv"), encoding="utf-8")))


def test_search_by_brand_name_and_words(db):
    row = next(r for r in companies() if r["legal_name"] and r["brand_name"] and r["brand_name"] != r["legal_name"])
    doc = run_json("search", row["brand_name"], db=db)
    assert doc["items"][0]["name"] == row["legal_name"] and doc["items"][0]["matched"] == "alias_exact"
    words = run_json("search", "语音", "识别", db=db)
    assert words["words"] == ["语音", "识别"] and words["total"] > 5
    # every hit holds both words somewhere in its text (name, scope, description…) or matches by name
    texts = {r["legal_name"] or r["brand_name"]: (r["brand_name"] + r["legal_name"] + r["description"] + r["sub_industry"])
             for r in companies()}
    for hit in words["items"]:
        assert "语音" in texts[hit["name"]] and "识别" in texts[hit["name"]]


def test_an_unknown_name_in_the_query_stays_one_word(db):
    """jieba leaves 个推 as two single characters: the query 个推科技 needs 个推, not only 科技 (every tech firm)."""
    doc = run_json("search", "个推科技", db=db)
    assert doc["words"] == ["个推", "科技"]
    holding = [r for r in companies() if "个推" in r["brand_name"] + r["legal_name"] + r["description"]]
    assert 1 <= doc["total"] <= len(holding)
    assert doc["items"][0]["name"] in {r["legal_name"] or r["brand_name"] for r in holding}


def test_search_and_show_by_stock_code(db):
    from zhaoshang.core.store import Store
    from zhaoshang.interfaces.labels import label
    from zhaoshang.services.enterprises import resolve_enterprise

    row = list(csv.DictReader(open(shared_file("listed_companies/szse_a_share_list_2026-01.csv"), encoding="utf-8")))[1]
    code = row["A股代码"]
    assert code.startswith("0")
    top = run_json("search", "sz" + code, db=db)["items"][0]
    assert top["name"] == row["公司全称"] and top["matched"] == "listed_code"
    assert label("matched", "listed_code", "en") == "stock code"
    with Store(db, read_only=True) as store:  # an id never starts with 0: 000002 is the stock code
        assert resolve_enterprise(store, code) == resolve_enterprise(store, code + ".SZ") == top["id"]


def test_show_by_brand_name_has_fundings_and_people(db):
    rows = companies()
    seq = next(r["company_seq"] for r in rows if r["brand_name"] and r["team"])
    row = next(r for r in rows if r["company_seq"] == seq)
    doc = run_json("show", row["brand_name"], db=db)
    assert doc["enterprise"]["name"] == (row["legal_name"] or row["brand_name"])
    fin = [f for f in csv.DictReader(open(shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv"),
                                          encoding="utf-8")) if f["company_seq"] == seq]
    assert len(doc["fundings"]) == len([f for f in fin if f["date"] != "-" or f["round"] != "-"])
    assert {p["name"] for p in doc["people"]} == {t.split(":")[0].strip() for t in row["team"].split(",") if ":" in t}
    table = run("show", row["brand_name"], db=db).stdout
    assert doc["enterprise"]["name"] in table
    # the team imported without a data date counts from the import day, after the as-of date: the scorecard says
    # its roles are dated after it (and from when they count), not that there is no team data
    eid, n = doc["enterprise"]["id"], len(doc["people"])
    card = run_json("--lang", "en", "score", eid, db=db)
    team = card["dimensions"]["team"]
    assert team["absent"] and all(c["detail"]["after_as_of"]["count"] == n for c in team["contributions"]), team
    first = team["contributions"][0]["detail"]["after_as_of"]["first"]
    assert first > str(card["as_of"]) and "Team (roles dated after the as-of date only)" in card["total_basis"]["note"]
    said = [x["note"] for x in card["date_notes"] if x["kind"] == "roles_after"]
    assert said == [f"{n} role{'s' * (n > 1)} of its people {'are' if n > 1 else 'is'} dated after the as-of date "
                    f"{card['as_of']} (from {first}) and not counted in the team signals; as of {first} "
                    f"{'they are' if n > 1 else 'it is'} counted"], said  # a whole sentence (it ended in "they are")
    assert run_json("score", eid, "--as-of", first, db=db)["dimensions"]["team"]["score"] is not None  # counted then
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(db)))
    page = c.get(f"/enterprises/{eid}?lang=en").text
    assert said[0] in page and f'href="/enterprises/{eid}?lang=en&amp;as_of={first}">view as of that date</a>' in page, page
    assert page.count('class="sc-after"') == 2 * len(team["contributions"]) and "Team (roles dated after" in page
    zh = c.get(f"/enterprises/{eid}?lang=zh").text
    assert f"条任职晚于截至日期 {card['as_of']}（{first} 起），未计入团队信号" in zh and "任职均晚于截至日期" in zh


def test_status_json_is_one_document(db):
    out = run("status", "--format", "json", db=db).stdout
    doc = json.loads(out)
    tables = {t["table"]: t["rows"] for t in doc["tables"]}
    # (286 rows are "-" placeholders; 3 are 深圳市人马互动科技有限公司's rounds again under its second brand)
    assert tables["fundings"] == 1439 - 286 - 3 and doc["synthetic"] is False
    assert {s["source"] for s in doc["sources"]} == {"itjuzi", "szse_a_share"}


def test_usage_errors_are_clear_and_never_a_traceback(db):
    for args in (["map", "--bogus"], ["show"], ["search", "x", "--limit", "many"]):
        p = run(*args, db=db, check=False)
        assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.strip()
    p = run("show", "没有这家公司", db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == "错误: 未找到企业: 没有这家公司"


def test_show_table_gives_the_record_the_profile_page_gives(db):
    """The table of `show` names the stock code, English name, industry and website as the profile page does,
    and says when the enterprise sits on no chain node instead of leaving the section out."""
    row = list(csv.DictReader(open(shared_file("listed_companies/szse_a_share_list_2026-01.csv"), encoding="utf-8")))[1]
    code = row["A股代码"]
    doc = run_json("show", code, db=db)
    e = doc["enterprise"]
    assert e["listed_code"] == code and e["website"] and e["english_name"] and e["industry"]
    zh = run("show", code, db=db).stdout
    for label_zh, value in (("股票代码", code), ("英文名称", e["english_name"]), ("行业", e["industry"]),
                            ("网站", e["website"])):
        assert label_zh in zh and value.split()[0] in zh, (label_zh, value)
    en = run("--lang", "en", "show", code, db=db).stdout
    assert "Stock code" in en and code in en and "Website" in en
    if not doc["placements"]:  # this database was never classified
        assert "产业链位置：未归入任何环节" in zh
        assert "Chain placements: none" in en


def test_english_show_says_funding_amounts_in_english(db):
    """`--lang en show` printed a funding's amount as the source wrote it (未透露, 4.2亿人民币, 7万美元): the English
    table says it as the timelines and pages do (``core/event_titles.amount_en``: undisclosed, CNY 420 million)."""
    from zhaoshang.core.event_titles import amount_en

    with open(shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv"), encoding="utf-8") as fh:
        names = {}
        for r in csv.DictReader(fh):
            names.setdefault(r["legal_name"], set()).add(r["amount_raw"])
    name = next(n for n, a in names.items() if n and any("未透露" in x for x in a)  # undisclosed and a written sum
                and any(x[:1].isdigit() and "美元" in x for x in a))
    doc = run_json("show", name, db=db)
    said = [f["amount_text"] for f in doc["fundings"][:30]]
    assert any("未透露" in a for a in said) and any("美元" in a for a in said), said
    out = run("--lang", "en", "show", name, db=db, env={"COLUMNS": "250"}).stdout
    table = out[out.index("Fundings ("):]
    table = table[:table.index("└")]
    cells = [[c.strip() for c in line.split("│")[1:-1]][2] for line in table.splitlines() if line.startswith("│")]
    assert cells == [amount_en(a) for a in said], out
    assert "undisclosed" in cells and any(c.startswith("USD ") for c in cells), cells
    assert not any(ch >= "\u4e00" for c in cells for ch in c), cells  # no Chinese left
    zh = run("show", name, db=db, env={"COLUMNS": "250"}).stdout
    assert "未透露" in zh  # the Chinese table keeps the amount as written


def test_a_chain_node_is_given_by_either_option(demo_copy, tmp_path):
    """--chain and --node name the chain node alike on every command that takes one (docs/cli.md): `leads 北京
    --node M05` was 没有这个选项: --node, while map and events took both spellings. On the demo, whose enterprises
    are placed on the chain (M05 has leads, rounds and events in 北京市)."""
    d = demo_copy(tmp_path / "demo.duckdb")
    for cmd in (["leads", "北京市", "--top", "5"], ["concentration"], ["trends", "--region", "北京市"],
                ["map", "--level", "province"], ["events", "--limit", "5"]):
        a, b = (run_json(*cmd, opt, "M05", db=d) for opt in ("--chain", "--node"))
        assert a == b, cmd
    # the one node lookup reads a code in any case (m05 is M05) and refuses an unknown one with the nodes meant
    assert run_json("leads", "北京市", "--top", "5", "--node", "m05", db=d) == run_json("leads", "北京市", "--top", "5", "--node", "M05", db=d)
    p = run("leads", "北京市", "--node", "M5", db=d, check=False)
    assert p.returncode == 2 and "您是不是要找：M05" in p.stderr, p.stderr


def test_a_name_that_is_no_enterprise_says_the_names_search_finds(db):
    """An analyst types the name the press uses; the database holds the registered one: a part of a name or alias
    that only one enterprise has names it (旷视 is 北京旷视科技有限公司); a part several have is refused with the
    names search finds (as the search command would list them), in the command's language."""
    row = next(r for r in companies() if r["legal_name"].endswith("科技有限公司") and len(r["legal_name"]) > 10
               and len([h for h in run_json("search", r["legal_name"][2:-len("有限公司")], db=db)["items"] if h["rank"] <= 4]) == 1)
    part = row["legal_name"][2:-len("有限公司")]
    assert run_json("show", part, db=db)["enterprise"]["name"] == row["legal_name"]
    part = "科技有限"
    # show finds an ended enterprise too (IT桔子's 已关闭 among them): its hint counts as search with them
    found = run_json("search", part, "--include-dissolved", db=db)
    assert found["total"] > 3 and all(h["name"] != part for h in found["items"])
    p = run("show", part, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip().startswith(f"错误: 未找到企业: {part}（名称相近的有 ") and found["items"][0]["name"] in p.stderr
    assert f"等 {found['total']} 家" in p.stderr, p.stderr
    en = run("--lang", "en", "show", part, db=db, check=False)
    assert f"enterprise not found: {part} (similar names: " in en.stderr and found["items"][0]["name"] in en.stderr


def test_an_unknown_interface_language_is_refused(db):
    """--lang fr answered in Chinese without a word; zh and en (and forms like EN, zh_CN) still choose."""
    p = run("--lang", "fr", "status", db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == "错误: 界面语言无效: fr（可选 zh|en）" and not p.stdout
    assert run("--lang", "EN", "status", db=db).stdout.lstrip().startswith("database")
    assert run("status", db=db, env={"ZHAOSHANG_LANG": "zh_CN.UTF-8"}).stdout.lstrip().startswith("数据库")


def test_show_as_of_an_earlier_date_says_the_placements_are_the_latest_classification(tmp_path):
    """Placements are not dated: `show ID --as-of` of a date before the classification listed them as if they
    were the date's. The fixture's enterprises were classified on 2024-01-01: asked of 2022-06-30, `show` says the
    placements are that classification's, of the text held now; at the data's own date it says nothing more."""
    import matrix_fixture

    db = tmp_path / "m.duckdb"
    matrix_fixture.build(str(db))
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        eid = str(con.execute("SELECT min(enterprise_id) FROM placements").fetchone()[0])
    line = "产业链位置按 2024-01-01 的归类（文本为现有数据）"
    assert run_json("show", eid, "--as-of", "2022-06-30", db=db)["placements_classified_on"] == "2024-01-01"
    before = run("show", eid, "--as-of", "2022-06-30", db=db).stdout
    assert line in before and before.index("产业链位置（") < before.index(line)
    assert "Chain placements as classified on 2024-01-01 (from the current text)" in run(
        "--lang", "en", "show", eid, "--as-of", "2022-06-30", db=db).stdout
    now = run_json("show", eid, db=db)
    assert now["placements"] and now["placements_classified_on"] is None
    assert "文本为现有数据" not in run("show", eid, db=db).stdout
