"""The leads sheet (``zhaoshang leads REGION -o``, CSV and XLSX) reads alone: each segment name stands beside its
own node's code, and every row says the region, the as-of date and, for the demo, the synthetic-data label that
the enterprise export carries, in the sheet's language alone (合成演示数据; synthetic demo data)."""

from __future__ import annotations

import csv

import duckdb
import openpyxl

from cli_util import run


def _names(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {c: (zh, en) for c, zh, en in con.execute("SELECT code, name_zh, name_en FROM chain_nodes").fetchall()}


def test_leads_csv_names_the_node_of_its_code_with_region_date_and_label(demo_db, tmp_path):
    out = tmp_path / "leads.csv"
    run("leads", "南京市", "--top", 1000, "-o", out, db=demo_db)
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    names = _names(demo_db)
    assert rows
    for r in rows:  # the name beside a code is that code's node's
        assert r["环节"] == names[r["产业链环节"]][0], r
        assert r["补链/推荐环节"] == names[r["补链/推荐环节代码"]][0], r
        assert (r["地区"], r["地区代码"], r["数据说明"]) == ("南京市", "320100", "合成演示数据")
        assert r["截至"] and r["截至"] == rows[0]["截至"]
    assert any(r["产业链环节"] != r["补链/推荐环节代码"] for r in rows)  # a finer node than its segment (D01.2 beside D01)


def test_leads_xlsx_in_english_says_the_same(demo_db, tmp_path):
    out = tmp_path / "leads.xlsx"
    run("--lang", "en", "leads", "南京市", "--top", 1000, "-o", out, db=demo_db)
    ws = openpyxl.load_workbook(out).active
    head, *rows = [dict(zip(ws[1] and [c.value for c in ws[1]], r)) for r in ws.iter_rows(values_only=True)]
    names = _names(demo_db)
    assert rows
    for r in rows:
        assert r["Segment"] == names[r["Segment code"]][1], r
        # the region's one English label: 南靖县 is Nanjing in English too, so the city is named with its province
        assert (r["Region"], r["Region code"], r["Data label"]) == ("Nanjing, Jiangsu", "320100", "synthetic demo data")
        assert r["As of"] is not None


def test_leads_xlsx_holds_the_notes_the_terminal_says(demo_db, tmp_path):
    """The workbook held the data sheet alone: the notes the page and the terminal give (enterprises of unknown location
    left out, ties ordered, reachability for the first N) were lost. They are its second sheet, 说明 / Notes, in the
    export's language, each as the terminal says it."""
    for lang, sheet in (("zh", "说明"), ("en", "Notes")):
        out = tmp_path / f"leads-{lang}.xlsx"
        run("--lang", lang, "leads", "南京市", "--top", 1000, "-o", out, db=demo_db)
        said = run("--lang", lang, "leads", "南京市", "--top", 1000, "-f", "json", db=demo_db).stderr.splitlines()
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == ["Data" if lang == "en" else "数据", sheet], wb.sheetnames
        notes = [r[0] for r in wb[sheet].iter_rows(values_only=True)]
        # every note of the list, as the terminal says it (which says the synthetic label first, the sheet's rows carry it)
        assert notes and notes == [x for x in said if x in notes] and len(notes) >= len(said) - 1, (notes, said)
