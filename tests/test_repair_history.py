"""Exports imported out of date order: every field keeps the later export's value (real files), and
``zhaoshang repair history`` puts right a database imported out of order by a version that did not (synthetic pair
and real files): the values of a database imported in order, no false history, no false change events."""

from __future__ import annotations

import csv
import sqlite3

import duckdb
import pytest
from cli_util import run, run_json
from conftest import shared_file
from test_import_errors import write_csv
from test_import_kinds import q

from zhaoshang.core.importers import enterprises, import_files
from zhaoshang.core.parse.uscc import make_uscc
from zhaoshang.core.store import Store

COLUMNS = ["name", "uscc", "english_name", "legal_form", "status", "founded", "dissolved", "capital_wan", "capital_text",
           "country", "province_code", "city_code", "district_code", "region_text", "address", "lat", "lng",
           "industry_code", "industry", "scope", "description", "products", "website", "listed_code", "legal_rep", "tags"]


def _values(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(f"SELECT coalesce(uscc, name_norm), {', '.join(COLUMNS)} FROM enterprises").fetchall()
    con.close()
    return {r[0]: r[1:] for r in rows}


def _import_as_before(monkeypatch, db, file, **kw):
    """An import by a version that replaced every value whatever the export's date (no setters kept)."""
    with monkeypatch.context() as m:
        m.setattr(enterprises, "_keep_later_values", lambda ctx, canon: None)
        m.setattr(enterprises, "_record_setters", lambda ctx, canon: None)
        store = Store(db)
        try:
            return import_files(store, "enterprises", [file], **kw)
        finally:
            store.close()


HEAD = ["企业名称", "统一社会信用代码", "成立日期", "注册资本", "所属省份", "所属城市", "注册地址", "经营范围", "所属行业"]
CODE = make_uscc(7303, "330200")


def _row(capital, address, scope, industry):
    return ["宁波测试电器科技股份有限公司", CODE, "2000-08-04", capital, "浙江", "宁波", address, scope, industry]


@pytest.fixture
def exports(tmp_path):
    listed = write_csv(tmp_path / "listed.csv", [_row("43008万元", "北仑区甬江南路26号", "热交换器；逆变器", "电气机械")], header=HEAD)
    registry = write_csv(tmp_path / "registry.csv", [_row("12793万元", "北仑区大碶镇1号", "小家电", "制造业")], header=HEAD)
    annual = write_csv(tmp_path / "annual.csv", [_row("43008万元", "北仑区新碶街道8号", "", "")], header=HEAD)
    return [(listed, "上市公司", "2026-03-31"), (registry, "登记库", "2004-12-31"), (annual, "年报", "2026-06-30")]


def test_repair_of_a_synthetic_pair_imported_out_of_order(tmp_path, monkeypatch, exports):
    bad = tmp_path / "bad.duckdb"
    for f, src, day in exports:
        _import_as_before(monkeypatch, bad, f, source=src, data_date=day)
    # as that version left it: the 2004 registry's values over the listing's, with history and events of 2004
    assert q(bad, "SELECT capital_wan, address, scope, industry FROM enterprises") == [
        (43008.0, "北仑区新碶街道8号", "小家电", "制造业")]
    assert q(bad, "SELECT count(*) FROM enterprise_history WHERE changed_on = '2004-12-31'") == [(2,)]
    before = q(bad, "SELECT * FROM enterprises")
    # a dry run says what it would do and changes nothing
    doc = run_json("repair", "history", db=bad)
    assert doc["applied"] is False and doc["enterprises"] == 1
    assert (doc["history_false"], doc["history_superseded"], doc["history_corrected"]) == (2, 1, 1)
    assert doc["values_restored_by_field"] == {"industry": 1, "scope": 1}  # capital and address: the 2026 exports'
    assert doc["events_removed"] == 3
    assert q(bad, "SELECT * FROM enterprises") == before
    proc = run("repair", "history", db=bad)
    assert "预览" in proc.stdout and "虚假的变更历史" in proc.stdout
    doc = run_json("repair", "history", "--apply", db=bad)
    assert doc["applied"] is True and doc["events_removed"] == 3 and doc["events_corrected"] == 1
    # the values of the same exports imported in date order
    good = tmp_path / "good.duckdb"
    for f, src, day in sorted(exports, key=lambda e: e[2]):
        run_json("import", "enterprises", f, "--source", src, "--data-date", day, db=good)
    assert _values(bad) == _values(good)
    assert q(bad, "SELECT capital_wan, address, scope, industry FROM enterprises") == [
        (43008.0, "北仑区新碶街道8号", "热交换器；逆变器", "电气机械")]
    # no false history: the one true change left, its old value the one it replaced, its event retitled
    assert q(bad, "SELECT field, old_value, new_value, CAST(changed_on AS VARCHAR) FROM enterprise_history") == [
        ("address", "北仑区甬江南路26号", "北仑区新碶街道8号", "2026-06-30")]
    assert q(bad, "SELECT type, title, CAST(date AS VARCHAR) FROM events WHERE ref_table = 'enterprise_history'") == [
        ("change_address", "地址: 北仑区甬江南路26号 → 北仑区新碶街道8号", "2026-06-30")]
    # nothing lost: the registry's record keeps what it said
    assert "12793" in q(bad, "SELECT data FROM enterprise_records WHERE source = '登记库'")[0][0]
    # audited
    team = sqlite3.connect(tmp_path / "bad.team.sqlite")
    entries = team.execute("SELECT action, detail FROM audit_log WHERE action = 'data.repair_history'").fetchall()
    assert len(entries) == 1 and '"history_false": 2' in entries[0][1]
    # once repaired, nothing is left to do; a later import of an older export keeps the values
    assert run_json("repair", "history", db=bad)["fields_out_of_order"] == 0
    rep = run_json("import", "enterprises", exports[1][0], "--source", "登记库二", "--data-date", "2005-12-31", db=bad)
    assert rep["values_kept_older"] == 4 and _values(bad) == _values(good)


def _real_pair(tmp_path):
    listed = tmp_path / "listed.csv"
    registry = tmp_path / "registry.csv"
    with open(shared_file("enterprises/enterprise_registration_sample_2000_2004.csv"), encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        head = next(reader)
        rows = [r for r in reader if r[0] in ("宁波德业科技股份有限公司", "中工国际工程股份有限公司")]
    with open(registry, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([head, *rows])
    with open(shared_file("listed_companies/a_share_companies_merged.csv"), encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        kept = [r for r in reader if r["code"] in ("605117", "002051", "600000")]
        fields = reader.fieldnames
    with open(listed, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(kept)
    return (listed, {"preset": "a_share_merged", "source": "上市公司", "data_date": "2026-03-31"}), \
        (registry, {"source": "登记库", "data_date": "2004-12-31"})


def _deye(db):
    return q(db, "SELECT capital_wan, capital_text, address FROM enterprises WHERE uscc = '91330206724060412X'")[0]


def test_real_exports_out_of_order_give_the_values_of_the_in_order_import(tmp_path):
    """The A-share list (2026-03-31) then the 2000–2004 registration sample: every value, the capital as written too,
    is the one the two give in date order."""
    (listed, lkw), (registry, rkw) = _real_pair(tmp_path)
    wrong, good = tmp_path / "wrong.duckdb", tmp_path / "good.duckdb"
    for f, kw in ((listed, lkw), (registry, rkw)):
        s = Store(wrong)
        rep = import_files(s, "enterprises", [f], **kw)
        s.close()
    assert rep.values_kept_older_by_field == {"capital_wan": 2}  # (and the capital as written with it)
    for f, kw in ((registry, rkw), (listed, lkw)):
        s = Store(good)
        import_files(s, "enterprises", [f], **kw)
        s.close()
    assert _values(wrong) == _values(good)
    assert _deye(wrong)[0] == pytest.approx(43008.0841) and "12,793" not in _deye(wrong)[1]
    assert q(wrong, "SELECT count(*) FROM enterprise_history") == [(0,)]


def test_repair_of_real_exports_imported_out_of_order(tmp_path, monkeypatch):
    """宁波德业: 43,008 万元 in the A-share list of 2026-03-31, shown as 12,793 万元 since 2004 after the registration
    sample was imported second by a version without the date rule; the repair gives the in-order values back."""
    (listed, lkw), (registry, rkw) = _real_pair(tmp_path)
    bad, good = tmp_path / "bad.duckdb", tmp_path / "good.duckdb"
    _import_as_before(monkeypatch, bad, listed, **lkw)
    _import_as_before(monkeypatch, bad, registry, **rkw)
    assert _deye(bad)[0] == pytest.approx(12793.133)
    assert q(bad, "SELECT CAST(changed_on AS VARCHAR), count(*) FROM enterprise_history GROUP BY 1") == [("2004-12-31", 2)]
    doc = run_json("repair", "history", "--apply", db=bad)
    assert (doc["enterprises"], doc["history_false"], doc["events_removed"]) == (2, 2, 2)
    assert doc["values_restored_by_field"] == {"capital_text": 2, "capital_wan": 2}
    for f, kw in ((registry, rkw), (listed, lkw)):
        s = Store(good)
        import_files(s, "enterprises", [f], **kw)
        s.close()
    assert _values(bad) == _values(good)
    assert _deye(bad)[0] == pytest.approx(43008.0841)
    assert q(bad, "SELECT count(*) FROM enterprise_history") == [(0,)]
    assert q(bad, "SELECT count(*) FROM events WHERE ref_table = 'enterprise_history'") == [(0,)]
