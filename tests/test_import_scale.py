"""Registry-scale imports: reading a file larger than the memory cap, monthly exports as deltas, names in SQL."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import duckdb
import pytest

from cli_util import run_json
from zhaoshang.core.importers import import_files
from zhaoshang.core.importers.enterprises import record_value_sql
from zhaoshang.core.readers import read_into
from zhaoshang.core.store import Store
from zhaoshang.core.text import _TS_TABLE, normalize_name, normalize_name_sql

ROOT = Path(__file__).resolve().parents[1]


def _write_registry(path: Path, n: int, month: int = 0) -> dict:
    """The benchmark's registry export writer (``month``: the same registry months later)."""
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "bench_import.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.write_file(path, n, month=month)


def test_reader_streams_a_file_larger_than_the_memory_cap(tmp_path):
    # 16 MB cap, 30 MB file: reading once allocated a buffer the size of the whole file and ran out of memory
    csv = tmp_path / "big.csv"
    row = "企业{0},91110000{0:010d},北京市海淀区中关村大街{0}号," + "经营范围" * 60 + "\n"
    with csv.open("w", encoding="utf-8") as fh:
        fh.write("企业名称,统一社会信用代码,注册地址,经营范围\n")
        fh.writelines(row.format(i) for i in range(60_000))
    assert csv.stat().st_size > 28_000_000
    con = duckdb.connect(str(tmp_path / "z.duckdb"))
    con.execute("SET memory_limit = '16MB'")
    con.execute("SET threads = 1")
    info = read_into(con, csv, "_raw")
    assert info.rows == 60_000  # every row, in pieces of a few MB
    assert con.execute("SELECT min(_row), max(_row) FROM _raw").fetchone() == (2, 60_001)  # the header is row 1
    assert con.execute("SELECT c0 FROM _raw WHERE _row = 60_001").fetchone()[0] == "企业59999"


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """A 300-enterprise registry imported, then its export a month later imported by the CLI (JSON report)."""
    tmp = tmp_path_factory.mktemp("delta")
    db = tmp / "z.duckdb"
    first, second = tmp / "m0.csv", tmp / "m1.csv"
    _write_registry(first, 300)
    counts = _write_registry(second, 300, month=1)
    store = Store(db)
    r0 = import_files(store, "enterprises", first, source="registry", data_date="2026-10-01").as_dict()
    store.close()
    r1 = run_json("import", "enterprises", second, "--source", "registry", "--data-date", "2026-11-01", db=db)
    return db, counts, r0, r1


def test_monthly_export_imports_as_a_delta(months):
    db, counts, r0, r1 = months
    assert r0["changes"] == {"new": 300, "changed": 0, "unchanged": 0, "disappeared": 0}
    changed = counts["renamed"] + counts["moved"] + counts["deregistered"]
    assert min(counts.values()) > 0
    assert r1["changes"] == {"new": counts["new"], "changed": changed, "disappeared": counts["disappeared"],
                             "unchanged": 300 - counts["disappeared"] - changed}
    assert r1["rows_imported"] == counts["new"] and r1["rows_updated"] == changed
    con = duckdb.connect(str(db), read_only=True)
    history = dict(con.execute("SELECT field, count(*) FROM enterprise_history GROUP BY 1").fetchall())
    con.close()
    # history only for what changed: one name per renamed, one status per deregistered, a district per move
    assert history["name"] == counts["renamed"]
    assert history["status"] == counts["deregistered"]
    assert history["district_code"] == counts["moved"]


def test_source_records_keep_their_values_only_where_the_database_lacks_them(months):
    db, counts, _, _ = months
    files = {i: list(csv.reader((db.parent / f"m{i - 1}.csv").open(encoding="utf-8")))[1:] for i in (1, 2)}
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(f"""SELECT r.import_id, r.row_no, r.link_method, r.data IS NULL, e.last_import_id,
                                  {record_value_sql('name')}, {record_value_sql('address')}
                           FROM enterprise_records r JOIN enterprises e ON e.id = r.enterprise_id""").fetchall()
    con.close()
    # a row that created its enterprise keeps no copy until a later import changes the enterprise; one that
    # updated an enterprise keeps its values as read
    assert {(i, m, empty) for i, _, m, empty, *_ in rows} == {(1, "new", True), (1, "new", False), (2, "new", True),
                                                               (2, "source_key", False)}
    changed = counts["renamed"] + counts["moved"] + counts["deregistered"]
    assert sum(1 for i, _, m, *_ in rows if i == 2 and m != "new") == changed
    assert sum(1 for i, _, _, empty, *_ in rows if i == 1 and not empty) == changed
    assert all(empty == (last == 1) for i, _, _, empty, last, *_ in rows if i == 1)
    # every record reads back as its own file has it, also after a later import renamed or moved the enterprise
    for i, row_no, _, _, last, name, address in rows:
        assert (name, address) == (files[i][row_no - 2][0], files[i][row_no - 2][10])


def test_the_same_export_again_changes_nothing(months):
    db, counts, _, _ = months
    store = Store(db)
    r2 = import_files(store, "enterprises", db.parent / "m1.csv", source="registry", data_date="2026-11-02")
    store.close()
    assert r2.changes == {"new": 0, "changed": 0, "unchanged": 300 - counts["disappeared"] + counts["new"],
                          "disappeared": counts["disappeared"]}
    assert r2.rows_imported == 0 and r2.rows_updated == 0


def test_names_normalised_in_sql_equal_the_python_normalisation():
    names = ["华为技术有限公司", "阿里巴巴（中国）有限公司", "小米·科技", "【测试】公司", "北京，上海、深圳", "A.B.C", "x[1]{2}",
             "Tencent-AI", "ABC Co., Ltd.", "Ｈｕａｗｅｉ", "公司\u3000名", "﹙公司﹚", "Ⅷ公司", "ＡＢＣ（中国）"]
    names += [chr(k) + "科技（集团）有限公司" for k in _TS_TABLE]  # every traditional character the table maps
    cond, value = normalize_name_sql("n")
    rows = duckdb.connect().execute(f"SELECT n, {cond}, {value} FROM unnest(?) t(n)", [names]).fetchall()
    # the SQL path covers the common names; traditional characters, full-width letters and spaces go to Python
    assert [n for n, ok, _ in rows if ok] == names[:8]
    assert [n for n, ok, _ in rows[:len(names) - len(_TS_TABLE)] if not ok] == names[8:14]
    assert [(n, v) for n, ok, v in rows if ok and v != normalize_name(n)] == []
