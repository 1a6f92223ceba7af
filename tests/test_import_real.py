"""Importing the real public files from ../shared/data through the CLI, as a data team would."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil

import duckdb
import pytest

from cli_util import run, run_json
from conftest import shared_file
from zhaoshang.core.importers import import_files
from zhaoshang.core.store import Store


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def csv_rows(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def test_szse_list_preset(tmp_path):
    src = shared_file("listed_companies/szse_a_share_list_2026-01.csv")
    db = tmp_path / "z.duckdb"
    rep = run_json("import", "enterprises", src, "--preset", "szse_a_share", db=db)
    rows = csv_rows(src)
    assert rep["rows_read"] == len(rows)
    assert rep["rows_imported"] + rep["rows_rejected"] + rep["rows_duplicate"] == len(rows)
    assert rep["rows_rejected"] == 0
    n, with_prov, with_city = q(db, "SELECT count(*), count(province_code), count(city_code) FROM enterprises")[0]
    assert n == len({r["A股代码"] for r in rows})
    assert with_prov / n > 0.99 and with_city / n > 0.97
    # leading zeros survive; the short name is an alias; Shenzhen HQ sits in 440300
    got = q(db, "SELECT e.name, e.city_code, e.listed_code FROM enterprises e JOIN enterprise_aliases a "
                "ON a.enterprise_id = e.id WHERE e.listed_code = '000001'")
    assert got and got[0][1] == "440300" and got[0][2] == "000001"
    assert got[0][0] == next(r["公司全称"] for r in rows if r["A股代码"] == "000001")
    # provenance: every enterprise has its source record
    assert q(db, "SELECT count(*) FROM enterprise_records WHERE source = 'szse_a_share'")[0][0] == n
    # a company's B share on its row (000012 南玻A beside 200012) is kept as its other stock code
    b = {r["B股代码"]: r["A股代码"] for r in rows if r["B股代码"].strip()}
    got = dict(q(db, "SELECT a.alias, e.listed_code FROM enterprise_aliases a JOIN enterprises e ON e.id = a.enterprise_id "
                     "WHERE a.kind = 'code'"))
    assert got == b and len(b) > 30


def _subset(src, dest, keep):
    """The rows of a real file that ``keep`` selects, in a file of the same layout."""
    with open(src, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if keep(r)]
        fields = reader.fieldnames
    with open(dest, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(rows)
    return rows


def test_executives_under_b_share_codes_link_to_their_company(tmp_path):
    """The 2018 executives file lists B-share companies under their B code (200012 南玻B, 900942 黄山B股): they
    link to the company the exchange lists give that code on the same row as its A share, never by a guess;
    a B code no list gives (900933, a B share since converted) stays unlinked and counted."""
    d = "listed_companies/"
    szse, merged = tmp_path / "szse.csv", tmp_path / "merged.csv"
    sse, ths = tmp_path / "sse.csv", tmp_path / "ths.csv"
    _subset(shared_file(d + "szse_a_share_list_2026-01.csv"), szse, lambda r: r["A股代码"] in ("000012", "000001"))
    _subset(shared_file(d + "a_share_companies_merged.csv"), merged, lambda r: r["code"] in ("600054", "600000"))
    _subset(shared_file(d + "sse_main_board_list_2026-01.csv"), sse, lambda r: r["A股代码"] in ("600054", "600000"))
    execs = _subset(shared_file(d + "ths_listed_company_executives_2018.csv"), ths,
                    lambda r: r["code"] in ("000012", "200012", "600054", "900942", "900933"))
    db = tmp_path / "b.duckdb"
    store = Store(db)
    import_files(store, "enterprises", szse, preset="szse_a_share")
    import_files(store, "enterprises", merged, preset="a_share_merged")
    rep = import_files(store, "enterprises", sse, preset="sse_main_board")
    store.close()
    assert rep.rows_updated == 2 and rep.rows_imported == 0  # linked by the A-share code, names kept
    out = run("--lang", "en", "import", "roles", ths, "--preset", "ths_executives", "--data-date", "2018-06-30",
              "--format", "csv", db=db).stdout
    rep = {r["item"]: r["value"] for r in csv.DictReader(out.splitlines())}
    rep |= {k: int(rep[v]) for k, v in (("rows_read", "rows read"), ("rows_imported", "imported"),
                                        ("rows_duplicate", "duplicates"), ("unlinked", "unlinked"))}
    n = {c: sum(r["code"] == c for r in execs) for c in ("000012", "200012", "600054", "900942", "900933")}
    assert all(n.values())
    assert rep["linked (by evidence)"] == (f"stock code {n['000012'] + n['600054']}; "
                                           f"other stock code (B share) {n['200012'] + n['900942']}")
    assert rep["unlinked"] == n["900933"]
    # the board listed under both codes is one board: each person once, with one role, at the company
    got_board = q(db, "SELECT coalesce(e.name, r.enterprise_name), count(*), count(DISTINCT r.person_id) FROM roles r "
                      "LEFT JOIN enterprises e ON e.id = r.enterprise_id WHERE r.source = 'ths_executives' GROUP BY 1 ORDER BY 1")
    assert got_board == sorted([("中国南玻集团股份有限公司", n["000012"], n["000012"]),
                          ("黄山旅游发展股份有限公司", n["600054"], n["600054"]), ("900933", n["900933"], n["900933"])])
    assert n["200012"] == n["000012"] and n["900942"] == n["600054"]
    assert rep["rows_duplicate"] == n["200012"] + n["900942"]
    assert rep["rows_imported"] + rep["rows_duplicate"] == rep["rows_read"] == len(execs)
    # the other order: executives first, named by code alone, link as the lists arrive (600054 with the
    # A-share table, 900942 with the 上交所 list, 000012 and 200012 with the 深交所 list); 900933 still waits
    store = Store(tmp_path / "late.duckdb")
    rep = import_files(store, "roles", ths, preset="ths_executives", data_date="2018-06-30")
    assert rep.unlinked == len(execs) and rep.linked_by == {}
    reps = [import_files(store, "enterprises", f, preset=p)
            for f, p in ((merged, "a_share_merged"), (sse, "sse_main_board"), (szse, "szse_a_share"))]
    # the facts linked late, each once: a B-share row that repeats its A-share row is merged away, not counted
    # (900942's board repeats 600054's, linked before it; 200012's repeats 000012's, linked with it) — and the
    # enterprises they belong to, one company per list here
    assert [r.linked_earlier for r in reps] == [n["600054"], 0, n["000012"]]
    assert [r.linked_earlier_enterprises for r in reps] == [1, 1, 1]
    assert store.con.execute("SELECT count(*) FROM roles WHERE enterprise_id IS NULL").fetchone()[0] == n["900933"]
    # linked late, the board listed under both codes is one board too: each person once, with one role
    board = ("SELECT coalesce(e.name, r.enterprise_name), count(*), count(DISTINCT r.person_id) FROM roles r "
             "LEFT JOIN enterprises e ON e.id = r.enterprise_id WHERE r.source = 'ths_executives' GROUP BY 1 ORDER BY 1")
    assert store.con.execute(board).fetchall() == got_board
    people = "SELECT count(*), count(DISTINCT source_key) FROM persons WHERE source = 'ths_executives'"
    assert store.con.execute(people).fetchone() == (n["000012"] + n["600054"] + n["900933"],) * 2
    # and the same file imported again adds nothing: every row is one already stored
    again = import_files(store, "roles", ths, preset="ths_executives", data_date="2018-06-30")
    assert again.rows_imported == 0 and again.rows_duplicate == len(execs)
    assert store.con.execute(board).fetchall() == got_board
    assert store.con.execute(people).fetchone() == (n["000012"] + n["600054"] + n["900933"],) * 2
    store.close()


def test_the_late_link_count_counts_a_board_once(tmp_path):
    """The CLI's report of the 深交所 list imported after the executives (listed under 000012 and its B share
    200012): the facts linked late counted once each — the B-share rows merged into the A-share ones are not
    counted again — and the enterprises they belong to."""
    szse, ths = tmp_path / "szse.csv", tmp_path / "ths.csv"
    d = "listed_companies/"
    _subset(shared_file(d + "szse_a_share_list_2026-01.csv"), szse, lambda r: r["A股代码"] == "000012")
    execs = _subset(shared_file(d + "ths_listed_company_executives_2018.csv"), ths,
                    lambda r: r["code"] in ("000012", "200012"))
    db = tmp_path / "late.duckdb"
    run("import", "roles", ths, "--preset", "ths_executives", "--data-date", "2018-06-30", db=db)
    rep = run_json("import", "enterprises", szse, "--preset", "szse_a_share", db=db)
    a_rows = sum(r["code"] == "000012" for r in execs)
    assert a_rows and len(execs) == 2 * a_rows  # the board, under both codes
    assert rep["linked_earlier"] == a_rows and rep["linked_earlier_enterprises"] == 1, rep  # was 2 × a_rows
    out = run("--lang", "en", "import", "enterprises", szse, "--preset", "szse_a_share", "--format", "csv",
              db=tmp_path / "other.duckdb").stdout
    assert "their enterprises" in out


@pytest.fixture(scope="module")
def registration(tmp_path_factory):
    """The registration sample imported once (UTF-8 CSV, columns found by their headers): read by the column test
    and compared with the GB18030 and XLSX copies of the same file."""
    src = shared_file("enterprises/enterprise_registration_sample_2000_2004.csv")
    d = tmp_path_factory.mktemp("registration")
    rep = run_json("import", "enterprises", src, "--source", "reg", "--rejects", d / "rej", db=d / "z.duckdb")
    return src, d / "z.duckdb", rep


@pytest.fixture(scope="module")
def itjuzi(itjuzi_db):
    """IT桔子 companies and their financing rounds imported once (conftest); tests that add to it work on a copy."""
    comp = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    fin = shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv")
    return (comp, fin, *itjuzi_db)


def test_registration_sample_auto_columns(registration):
    src, db, rep = registration
    rows = csv_rows(src)
    assert rep["rows_read"] == len(rows) == 11750
    assert rep["rows_imported"] + rep["rows_duplicate"] + rep["rows_rejected"] == len(rows)
    cols = rep["columns"]
    assert cols["name"] == "企业名称" and cols["uscc"] == "统一社会信用代码" and cols["scope"] == "经营范围"
    assert cols["founded"] == "注册日期" and cols["capital"] == "注册资金" and cols["district"] == "地区_区县"
    n, prov, dist, cap, fnd, cap_text = q(db, "SELECT count(*), count(province_code), count(district_code), "
                                              "count(capital_wan), count(founded), count(capital_text) FROM enterprises")[0]
    assert prov / n > 0.97, prov / n
    assert dist / n > 0.75, dist / n  # many rows name only a city (济南, 成都) and no district
    assert cap / cap_text > 0.99 and fnd / n > 0.99  # every written capital is read
    # the province column agrees with the code for every row that has both
    by_code = {r["统一社会信用代码"]: r for r in rows}
    sample = q(db, "SELECT e.uscc, r.name FROM enterprises e JOIN regions r ON r.code = e.province_code "
                   "WHERE e.uscc IS NOT NULL")
    stated = [(uscc, pname) for uscc, pname in sample if by_code[uscc]["所在省份"]]
    agree = sum(1 for uscc, pname in stated if by_code[uscc]["所在省份"][:2] == pname[:2])
    assert len(stated) > 500 and agree / len(stated) > 0.98
    # "30(万美元)" becomes CNY 万元 through the documented rate, and keeps its text
    usd = q(db, "SELECT capital_text, capital_wan FROM enterprises WHERE capital_text LIKE '%(万美元)' LIMIT 20")
    assert usd
    for text, wan in usd:
        assert 5 < wan / float(text.split("(")[0].replace(",", "")) < 8  # 万美元 → 万元 at the documented rate


def test_real_counts_from_a_thousand_up_are_grouped(tmp_path, itjuzi):
    """The counts of the real rounds in messages and summary cells: 1,549, never 1549 (docs/cli.md)."""
    comp, fin, shared_db, r1, r2 = itjuzi
    db = shutil.copy(shared_db, tmp_path / "z.duckdb")
    later = run_json("events", "--as-of", "2014-01-01", "--limit", 1, db=db)["later"]["count"]
    assert later >= 1000
    zh = run("events", "--as-of", "2014-01-01", "--limit", 1, db=db)
    assert f"另有 {later:,} 条事件日期晚于截至日期 2014-01-01" in zh.stderr, zh.stderr
    en = run("--lang", "en", "events", "--as-of", "2014-01-01", "--limit", 1, db=db)
    assert f"{later:,} more events dated after the as-of date 2014-01-01" in en.stderr, en.stderr
    # the same rounds under another source: every one a duplicate, those merged into one round said in the same cell
    again = run("--lang", "en", "import", "fundings", fin, "--preset", "itjuzi_financing", "--source", "itjuzi_again",
                db=db).stdout
    cell = re.search(r"duplicates\s*│\s*([\d,]+) \(of which ([\d,]+) rounds merged\)", again)
    assert cell, again
    dup = int(cell[1].replace(",", ""))
    assert dup >= 1000 and cell[1] == f"{dup:,}", again


def test_itjuzi_companies_financing_team_link(tmp_path, itjuzi):
    comp, fin, shared_db, r1, r2 = itjuzi
    db = shutil.copy(shared_db, tmp_path / "z.duckdb")
    rows = csv_rows(comp)
    names = {r["legal_name"] or r["brand_name"] for r in rows}
    # one legal entity behind two brands is one enterprise with two source records
    assert r1["rows_imported"] == len(names) < len(rows) and r1["rows_rejected"] == 0
    assert q(db, "SELECT count(*) FROM enterprise_records")[0][0] == len(rows)
    assert r2["rows_read"] == len(csv_rows(fin)) == 1439
    assert r2["columns_unread"] == []  # brand_name, the preset's fallback for the enterprise, is read
    # a row whose date, round, amount and investors are all "-" (a company without a known round) is no round:
    # rejected, counted and listed, never a round of type 其他 without a date
    placeholders = [r for r in csv_rows(fin) if all(r[c].strip() in ("", "-") for c in
                                                        ("date", "round", "amount_raw", "investors_raw"))]
    assert len(placeholders) == r2["rows_rejected"] == 286
    rejects = list(csv.DictReader(open(r2["rejects_path"], encoding="utf-8-sig")))
    assert {r["code"] for r in rejects} == {"content_missing"} and len(rejects) == 286
    assert rejects[0]["reason"] == "date、round、amount_raw、investors_raw都为空，不是一轮融资"
    linked, total = q(db, "SELECT count(enterprise_id), count(*) FROM fundings")[0]
    assert total == 1439 - 286 - 3 and linked == total  # company_seq links every round to its company
    # 深圳市人马互动科技有限公司's three rounds, listed under its brands 人马互动 and 齐悟, are three rounds, not six
    assert r2["rounds_merged"] == 3 and r2["rows_duplicate"] == 3
    assert q(db, """SELECT count(*) FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id
                    WHERE e.name = '深圳市人马互动科技有限公司'""") == [(3,)]
    assert q(db, "SELECT count(*) FROM fundings WHERE date IS NULL AND amount_wan IS NULL AND amount_text IS NULL "
                 "AND coalesce(investors_text, '') = '' AND coalesce(round_raw, '-') = '-'")[0][0] == 0
    # the brand name is an alias; amounts parsed where disclosed
    assert q(db, "SELECT count(*) FROM enterprise_aliases WHERE kind = 'brand'")[0][0] > 700
    disclosed = q(db, "SELECT count(*) FROM fundings WHERE amount_text NOT LIKE '未透露%' AND amount_wan IS NOT NULL")[0][0]
    assert disclosed > 500
    inv = q(db, "SELECT count(*), count(DISTINCT name_norm) FROM investors")[0]
    assert inv[0] == inv[1] and inv[0] > 500
    r3 = run_json("import", "roles", comp, "--preset", "itjuzi_team", db=db)
    assert r3["rows_imported"] > 800
    founders, titled = q(db, "SELECT count(*) FILTER (WHERE role = 'founder'), count(*) FILTER (WHERE title LIKE '%创始%') "
                             "FROM roles WHERE enterprise_id IS NOT NULL")[0]
    assert founders == titled > 250
    assert q(db, "SELECT count(*) FROM roles WHERE title = 'CEO' AND role <> 'ceo'")[0][0] == 0
    # events: one per linked funding
    assert q(db, "SELECT count(*) FROM events WHERE type = 'funding'")[0][0] == linked


def test_crunchbase_rounds_and_investments(tmp_path):
    rounds = shared_file("financing/crunchbase_2013/crunchbase_rounds_2013-10.csv")
    pairs = shared_file("financing/crunchbase_2013/crunchbase_investments_investor_company_pairs.csv")
    comps = shared_file("financing/crunchbase_2013/crunchbase_companies_2013-10.csv")
    db = tmp_path / "z.duckdb"
    c = run_json("import", "enterprises", comps, "--preset", "crunchbase_companies", db=db)
    n_rows = len(csv_rows(comps))
    # every row is kept as a source record; the few same-named companies (no province to tell them apart) merge
    assert q(db, "SELECT count(*) FROM enterprise_records")[0][0] == n_rows
    assert 0.99 * n_rows < c["rows_imported"] <= n_rows
    assert q(db, "SELECT count(*) FROM enterprises WHERE country = 'US' AND province_code IS NULL")[0][0] > 17000
    r = run_json("import", "fundings", rounds, "--preset", "crunchbase_rounds", db=db)
    assert r["rows_read"] == len(csv_rows(rounds))
    linked, total = q(db, "SELECT count(enterprise_id), count(*) FROM fundings")[0]
    assert linked / total > 0.99
    # raised_amount_usd (dollars) → CNY 万元 = usd * rate / 10,000
    usd, wan = q(db, "SELECT CAST(regexp_extract(amount_text, '[0-9]+') AS DOUBLE), amount_wan FROM fundings "
                     "WHERE amount_wan > 0 LIMIT 1")[0]
    assert 5 < wan / (usd / 10000) < 8
    p = run_json("import", "fundings", pairs, "--preset", "crunchbase_investments", db=db)
    assert p["rows_read"] == len(csv_rows(pairs))
    assert p["rows_read"] == (p["rows_imported"] + p["rows_updated"] + p["rows_duplicate"] + p["rows_conflict"]
                              + p["rows_rejected"])
    # the pairs of a round the rounds table holds add its investors, not a second round (18,715 were doubled)
    assert p["rows_updated"] > 18000 and p["rows_imported"] < 15000
    assert q(db, "SELECT count(*) FROM fundings f JOIN enterprises e ON e.id = f.enterprise_id "
                 "WHERE e.name = 'Facebook'") == [(11,)]
    # pairs of the same company and day are one round with several investors
    multi = q(db, "SELECT count(*) FROM (SELECT funding_id FROM funding_investors GROUP BY 1 HAVING count(*) > 1)")[0][0]
    assert multi > 1000


def _fingerprint(db) -> str:
    """Contents of the fact tables, without import times, file names or ids of imports: each row as JSON (strings
    quoted, NULL apart from 'NULL'), in sorted order, hashed by DuckDB — 11,750 rows read into Python, a repr
    each, took more time than the import it checks."""
    con = duckdb.connect(str(db), read_only=True)
    h = hashlib.sha256()
    for table, cols in (
        ("enterprises", "* EXCLUDE (source)"),
        ("enterprise_aliases", "* EXCLUDE (source)"),
        ("enterprise_records", "* EXCLUDE (imported_at, source, data)"),
        ("events", "* EXCLUDE (source)"),
    ):
        n, digest = con.execute(f"SELECT count(*), md5(coalesce(string_agg(j, chr(10) ORDER BY j), '')) FROM "
                                f"(SELECT CAST(to_json(t) AS VARCHAR) AS j FROM (SELECT {cols} FROM {table}) t)").fetchone()
        h.update(f"{table} {n} {digest}\n".encode())
    con.close()
    return h.hexdigest()


def test_gb18030_and_xlsx_give_identical_databases(tmp_path, registration):
    import xlsxwriter

    src, utf8_db, _ = registration
    text = src.read_text(encoding="utf-8")
    gb = tmp_path / "reg.csv"
    gb.write_bytes(text.encode("gb18030"))
    rows = list(csv.reader(text.splitlines()))
    xl = tmp_path / "reg.xlsx"
    # written as the product writes its own workbooks (XlsxWriter, every cell text): twice as fast as openpyxl
    wb = xlsxwriter.Workbook(str(xl), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet()
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    wb.close()
    dbs = [utf8_db]
    for i, f in enumerate((gb, xl), start=1):
        db = tmp_path / f"db{i}.duckdb"
        rep = run_json("import", "enterprises", f, "--source", "reg", "--rejects", tmp_path / f"rej{i}", db=db)
        assert rep["rows_read"] == 11750
        dbs.append(db)
    assert rep["encodings"] == ["xlsx"] or rep["encodings"][0] in ("xlsx",)
    fps = {_fingerprint(d) for d in dbs}
    assert len(fps) == 1


def test_reimport_adds_nothing(tmp_path, itjuzi):
    src, fin, shared_db, _, _ = itjuzi
    db = shutil.copy(shared_db, tmp_path / "z.duckdb")
    before = {t: q(db, f"SELECT count(*) FROM {t}")[0][0] for t in
              ("enterprises", "enterprise_records", "enterprise_aliases", "fundings", "funding_investors", "investors", "events")}
    r1 = run_json("import", "enterprises", src, "--preset", "itjuzi_companies", db=db)
    r2 = run_json("import", "fundings", fin, "--preset", "itjuzi_financing", db=db)
    assert r1["rows_imported"] == 0 and r1["rows_updated"] == 0 and r1["rows_duplicate"] == r1["rows_read"]
    assert r2["rows_imported"] == 0
    after = {t: q(db, f"SELECT count(*) FROM {t}")[0][0] for t in before}
    assert after == before


def test_limited_company_converted_to_joint_stock_is_a_near_merge(tmp_path):
    """云天励飞 and 成都纵横 in IT桔子 2018 as 有限公司, listed since as 股份有限公司: two enterprises, and the pair
    is listed among the near-merges for a decision (never merged); the other way round too (劲旅: the A-share
    table first, the registry sample's 有限公司 after); another province is no candidate."""
    d = tmp_path
    _subset(shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv"), d / "itjuzi.csv",
            lambda r: r["legal_name"] in ("深圳云天励飞技术有限公司", "成都纵横自动化技术有限公司"))
    _subset(shared_file("listed_companies/a_share_companies_merged.csv"), d / "merged.csv",
            lambda r: r["code"] in ("688343", "688070", "001230"))
    _subset(shared_file("enterprises/enterprise_registration_sample_2000_2004.csv"), d / "reg.csv",
            lambda r: r[next(iter(r))] == "劲旅环境科技有限公司")
    (d / "other.csv").write_text("企业名称,省份,城市\n深圳云天励飞技术有限公司,浙江省,杭州市\n", encoding="utf-8")
    store = Store(d / "n.duckdb")
    import_files(store, "enterprises", d / "itjuzi.csv", preset="itjuzi_companies")
    rep = import_files(store, "enterprises", d / "merged.csv", preset="a_share_merged")
    pairs = {(n["name"], n["existing_name"]) for n in rep.near_merges if n["reason_en"].startswith("the names differ")}
    assert pairs == {("深圳云天励飞技术股份有限公司", "深圳云天励飞技术有限公司"),
                     ("成都纵横自动化技术股份有限公司", "成都纵横自动化技术有限公司")}
    rep = import_files(store, "enterprises", d / "reg.csv")
    assert [(n["name"], n["existing_name"]) for n in rep.near_merges] == [("劲旅环境科技有限公司", "劲旅环境科技股份有限公司")]
    rep = import_files(store, "enterprises", d / "other.csv", source="other")
    assert rep.near_merges == []  # 杭州 is not 深圳
    assert store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0] == 2 + 3 + 1 + 1  # nothing merged
    store.close()


def test_an_exchange_list_after_the_a_share_list_says_its_enterprises_were_known(tmp_path):
    """The SSE main-board list imported after the A-share list: every row links to a company the database already
    holds (by credit code or stock code). The summary said 企业：新出现 1702 — new to the source, read as new
    enterprises; now it says how many were new enterprises and how many already known (linked)."""
    a_share = shared_file("listed_companies/a_share_companies_merged.csv")
    sse = shared_file("listed_companies/sse_main_board_list_2026-01.csv")
    db = tmp_path / "x.duckdb"
    first = run_json("import", "enterprises", a_share, "--preset", "a_share_merged", "--data-date", "2026-03-31", db=db)
    assert first["changes"]["new_enterprises"] == first["changes"]["new"] and first["changes"]["new_linked"] == 0
    n = q(db, "SELECT count(*) FROM enterprises")[0][0]
    rep = run_json("import", "enterprises", sse, "--preset", "sse_main_board", "--data-date", "2026-01-31", db=db)
    created = q(db, "SELECT count(*) FROM enterprises")[0][0] - n
    ch = rep["changes"]
    assert ch["new"] == len({r["A股代码"] for r in csv_rows(sse)})
    assert ch["new_enterprises"] == created and ch["new_linked"] == ch["new"] - created
    assert ch["new_linked"] > 0.95 * ch["new"], ch
    table = run("import", "enterprises", sse, "--preset", "sse_main_board", "--data-date", "2026-02-28",
                "--source", "sse_again", db=db).stdout
    assert "企业：本来源新出现" in table and "其中库中已有（已关联）" in table and "其中新企业" in table


def test_brand_rows_of_one_legal_name_are_counted_as_one_new_enterprise(tmp_path, itjuzi):
    """The IT桔子 list names some enterprises twice (two brands of one legal name). The summary said 其中新企业 820
    beside 新增 817 / 更新 3 with nothing to reconcile them: it now says the 820 new keys made 817 enterprises."""
    itjuzi, _, db, rep, _ = itjuzi  # the list imported into an empty database (its financing rounds after it)
    ch = rep["changes"]
    made = q(db, "SELECT count(*) FROM enterprises")[0][0]
    assert ch["new_enterprises"] == ch["new"] == len(csv_rows(itjuzi))
    assert ch["new_enterprises"] - ch["new_enterprises_merged"] == made == rep["rows_imported"]
    assert ch["new_enterprises_merged"] == rep["rows_updated"] > 0
    table = run("import", "enterprises", itjuzi, "--preset", "itjuzi_companies", "--source", "itjuzi_again",
                db=tmp_path / "y.duckdb").stdout
    flat = "".join(c for c in table if c not in " │\n")  # a table cell wraps on a narrow terminal
    assert f"{ch['new']}（合为{made}家：{ch['new_enterprises_merged']}行与本文件另一行是同一企业）" in flat, table


def test_an_exchange_lists_short_names_give_way_to_full_names_and_codes_are_six_digits(tmp_path):
    """Listed companies linked on the real exports. The SSE list names a company by its (extended) short name — the
    trading day's XD before 物产中大 included —, and the A-share table linking it by stock code left it so for good:
    `show 600030` said 中信证券, alias 中信证券股份有限公司. A full legal name now replaces a name read from a short-name
    column (the short name kept as an alias; no renaming recorded: the company was always so named), a short name never replaces a full one (the SSE list again, later dated,
    keeps them: its preset's 不改其名称), and a trading day's mark is no part of a name. The Wind roster's 000001.SZ
    overwrote the listed code 000001 and `show 000001` found nothing: codes are stored on their six digits. Tushare's
    stock_basic has its preset: symbol is the code, D is 退市, L no status, and what is imported later links to it."""
    from zhaoshang.services.enterprises import resolve_enterprise  # (search reads a code as it does: stock_code_forms)

    d = "listed_companies/"
    codes = ("600030", "600704", "601099", "600179", "000001")  # 中信证券, XD物产中大, 太平洋 (证券), 安通控股, 平安银行
    sse, merged, wind, ts = (tmp_path / f"{x}.csv" for x in ("sse", "merged", "wind", "ts"))
    sse_rows = _subset(shared_file(d + "sse_main_board_list_2026-01.csv"), sse, lambda r: r["A股代码"] in codes)
    full = {r["code"]: r["full_name"] for r in _subset(shared_file(d + "a_share_companies_merged.csv"), merged,
                                                       lambda r: r["code"] in codes)}
    wind_rows = _subset(shared_file(d + "shenzhen_jurisdiction_listed_companies_uscc_2026-03.csv"), wind,
                        lambda r: r["证券代码"][:6] in codes)
    ts_rows = _subset(shared_file(d + "tushare_stock_basic_2026-03.csv"), ts, lambda r: r["symbol"] in codes + ("000003",))
    assert {r["证券代码"] for r in wind_rows} == {"000001.SZ", "600030.SH"}
    assert {r["status"] for r in ts_rows} == {"L", "D"}
    store = Store(tmp_path / "l.duckdb")
    con = store.con
    names = "SELECT listed_code, name FROM enterprises ORDER BY 1"
    import_files(store, "enterprises", sse, preset="sse_main_board", data_date="2026-01-31")
    short = {r["A股代码"]: r["扩位证券简称"] for r in sse_rows}
    assert short["600704"] == "XD物产中大"
    assert dict(con.execute(names).fetchall()) == short | {"600704": "物产中大"}
    assert con.execute("SELECT alias FROM enterprise_aliases WHERE kind = 'short' AND alias LIKE '物产%'").fetchall() == [("物产中",)]
    rep = import_files(store, "enterprises", merged, preset="a_share_merged", data_date="2026-03-04")
    assert rep.rows_updated == 4 and rep.rows_imported == 1 and rep.linked_by == {"listed_code": 4}
    assert dict(con.execute(names).fetchall()) == full
    # a full name completing a short one is no renaming: no history row, no 名称变更 event; the short name an alias
    assert con.execute("SELECT count(*) FROM enterprise_history WHERE field = 'name'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM events WHERE type = 'change_name'").fetchone()[0] == 0
    kept = con.execute("SELECT e.listed_code, a.alias FROM enterprise_aliases a JOIN enterprises e ON e.id = a.enterprise_id "
                       "WHERE a.kind = 'short' AND a.source = 'a_share' ORDER BY 1").fetchall()
    assert [k for k in kept if k[0] != "000001"] == [(c, short[c].removeprefix("XD")) for c in ("600030", "600179", "600704", "601099")]
    import_files(store, "enterprises", sse, preset="sse_main_board", data_date="2026-03-31")
    assert dict(con.execute(names).fetchall()) == full
    # the Wind roster links by credit code; its 000001.SZ and 600030.SH are stored as 000001 and 600030
    rep = import_files(store, "enterprises", wind, data_date="2026-03-31")
    assert rep.rows_imported == 0 and rep.rows_updated == 2
    assert [c for c, _ in con.execute(names).fetchall()] == sorted(codes)
    ping_an = resolve_enterprise(store, "000001")
    assert con.execute("SELECT name FROM enterprises WHERE id = ?", [ping_an]).fetchone()[0] == full["000001"]
    assert resolve_enterprise(store, "000001.SZ") == resolve_enterprise(store, "SZ000001") == ping_an
    # a database whose codes were stored as written has them on their six digits when it is next opened
    con.execute("UPDATE enterprises SET listed_code = '000001.SZ' WHERE id = ?", [ping_an])
    con.execute("DELETE FROM meta WHERE key = 'stock_codes'")
    store.close()
    store = Store(tmp_path / "l.duckdb")
    assert store.con.execute("SELECT listed_code FROM enterprises WHERE id = ?", [ping_an]).fetchone()[0] == "000001"
    region = "SELECT province_code, city_code FROM enterprises WHERE listed_code = '600179'"
    assert store.con.execute(region).fetchone() == ("230000", "230100")  # the A-share table's 黑龙江 哈尔滨
    places = "SELECT listed_code, province_code, city_code, district_code FROM enterprises ORDER BY 1"
    before = store.con.execute(places).fetchall()
    rep = import_files(store, "enterprises", ts, preset="tushare_stock_basic", data_date="2026-03-31")
    assert rep.rows_updated == 5 and rep.rows_imported == 1 and rep.linked_by == {"listed_code": 5}
    # Tushare's area is a province (深圳 a city): coarser than the A-share table's cities, it moves no company — 云南
    # for 太平洋's 昆明 is the same place, 福建 for 安通控股's 哈尔滨 another, not followed and said as a conflict
    assert [p for p in store.con.execute(places).fetchall() if p[0] != "000003"] == before  # (000003: new, delisted)
    assert rep.region_coarser_conflicts == 1
    assert store.con.execute("SELECT e.listed_code, c.value, c.record_value FROM enterprise_conflicts c JOIN enterprises e "
                             "ON e.id = c.enterprise_id WHERE c.field = 'region_coarser'").fetchall() == [
        ("600179", "哈尔滨市", "福建省")]
    assert store.con.execute("SELECT count(*) FROM enterprise_history WHERE field LIKE '%_code'").fetchone()[0] == 0
    assert dict(store.con.execute(names).fetchall()) == full | {"000003": "PT金田A(退)"}
    assert store.con.execute("SELECT listed_code, status FROM enterprises WHERE status IS NOT NULL").fetchall() == [
        ("000003", "退市")]
    store.close()
    # Tushare's list first: the A-share table imported after it links by the code and gives the full names — an
    # earlier-dated export too: a full name is no older value of a short name
    store = Store(tmp_path / "t.duckdb")
    import_files(store, "enterprises", ts, preset="tushare_stock_basic", data_date="2026-03-31")
    rep = import_files(store, "enterprises", merged, preset="a_share_merged", data_date="2026-03-04")
    assert rep.rows_updated == 5 and rep.rows_imported == 0
    assert dict(store.con.execute(names).fetchall()) == full | {"000003": "PT金田A(退)"}
    # the finer place wins whatever the dates, its levels together (not Tushare's 福建 over 哈尔滨)
    assert store.con.execute(region).fetchone() == ("230000", "230100")
    store.close()
