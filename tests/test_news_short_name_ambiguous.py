"""A declared news subject that is a bare short name two enterprises share is ambiguous: an enterprise stored under
that bare short name (made from a main-products file that gives only 简称) does not win over the listed company
whose short name it is as an alias. Real rows: the merged A-share table (002755 北京奥赛康药业), the main-products
rows of 002755 and 300361 (both 奥赛康) and FinESE train-06222 (subject 奥赛康, derived code 002755)."""

from __future__ import annotations

import csv

from cli_util import q, run_json
from test_import_kinds import write_csv


def _rows(path, keep):
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh)
        head = next(r)
        return head, [row for row in r if keep(row)]


def test_a_short_name_two_enterprises_share_is_ambiguous(tmp_path):
    from conftest import shared_file

    merged = shared_file("listed_companies/a_share_companies_merged.csv")
    products = shared_file("industry_chain/company_main_products_2021-10.csv")
    finese = shared_file("news/cfleb_finese_event_subject_ccks2019.csv")
    db = tmp_path / "z.duckdb"
    head, rows = _rows(merged, lambda r: r[1] == "002755")
    run_json("import", "enterprises", write_csv(tmp_path / "m.csv", head, rows), "--preset", "a_share_merged",
             "--data-date", "2026-03-04", db=db)
    head, rows = _rows(products, lambda r: r[0] in ("002755", "300361"))
    run_json("import", "enterprises", write_csv(tmp_path / "p.csv", head, rows), "--preset", "main_products",
             "--data-date", "2021-10-26", db=db)
    assert q(db, "SELECT listed_code, name FROM enterprises ORDER BY 1") == [
        ("002755", "北京奥赛康药业股份有限公司"), ("300361", "奥赛康")]
    head, rows = _rows(finese, lambda r: r[0] == "train-06222")
    assert len(rows) == 1 and rows[0][5] == "奥赛康" and rows[0][7] == "002755"
    rep = run_json("import", "news", write_csv(tmp_path / "n.csv", head, rows), "--preset", "finese",
                   "--data-date", "2019-12-31", db=db)
    assert rep["ambiguous"] == 1 and not rep["linked_by"], rep
    assert q(db, "SELECT count(*) FROM news_mentions WHERE enterprise_id IS NOT NULL") == [(0,)]
