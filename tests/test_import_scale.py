"""Registry-scale imports: reading a file larger than the memory cap, monthly exports as deltas, names in SQL."""

from __future__ import annotations

import csv
import hashlib
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


def test_staging_numbers_rows_by_their_place_in_the_file_when_read_in_parallel(tmp_path):
    # the CSV lands in the staging shape in one parallel scan, without a row-numbering window: the row numbers
    # come from the order rows are stored in, and a fully empty line keeps its number without being staged
    from zhaoshang.core.importers.staging import Mapping, stage_files

    csv = tmp_path / "big.csv"
    row = "企业{0},91110000{0:010d},北京市海淀区中关村大街{0}号," + "经营范围" * 20 + "\n"
    with csv.open("w", encoding="utf-8") as fh:
        fh.write("企业名称,统一社会信用代码,注册地址,经营范围\n")
        fh.writelines(row.format(i) if i != 30_000 else ",,,\n" for i in range(40_000))
    con = duckdb.connect(str(tmp_path / "z.duckdb"))
    con.execute("SET memory_limit = '16MB'")  # pieces of 2 MB: several, read by both threads
    con.execute("SET threads = 2")
    staged = stage_files(con, "enterprises", [csv], Mapping(kind="enterprises"))
    assert staged.rows_read == 39_999
    wrong = con.execute("SELECT count(*) FROM _stg WHERE name <> '企业' || (_row - 2)").fetchone()[0]
    assert wrong == 0
    assert con.execute("SELECT min(_row), max(_row), count(*) FROM _stg").fetchone() == (2, 40_001, 39_999)
    assert not con.execute("SELECT 1 FROM _stg WHERE _row = 30_002").fetchall()  # the empty line
    # a field no column maps is not stored (at ten million rows its NULLs cost hundreds of MB), nor the
    # normalised credit code once checked: the view gives them as NULL
    stored = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = '_stg0'"
                                        ).fetchall()}
    assert {"name", "uscc", "uscc__ok", "address", "scope"} <= stored
    assert not {"website", "legal_rep", "uscc__n", "_extra"} & stored
    assert con.execute("SELECT count(name), count(website), count(uscc__n) FROM _stg").fetchone() == (39_999, 0, 0)


def test_files_that_map_different_fields_import_and_compare_together(tmp_path):
    # a field one file maps and another does not (credit code, website): each file stores only its own columns,
    # the hash counts the other's as empty — the two once failed with "Referenced column not found"
    _write_registry(tmp_path / "all.csv", 40)
    rows = list(csv.reader((tmp_path / "all.csv").open(encoding="utf-8")))
    head, body = rows[0], rows[1:]
    code, status = head.index("统一社会信用代码"), head.index("登记状态")

    def write(month: int) -> list[Path]:
        out = [tmp_path / f"a{month}.csv", tmp_path / f"b{month}.csv"]
        changed = [[*r[:status], "吊销" if month and i in (3, 23) else r[status], *r[status + 1:]] for i, r in enumerate(body)]
        with out[0].open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([head] + changed[:20])
        with out[1].open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([[h for i, h in enumerate(head) if i != code] + ["网址"]]
                                     + [[v for i, v in enumerate(r) if i != code] + [f"www.e{n}.cn"]
                                        for n, r in enumerate(changed[20:])])
        return out

    store = Store(tmp_path / "z.duckdb")
    first = import_files(store, "enterprises", write(0), source="registry", data_date="2026-10-01")
    later = import_files(store, "enterprises", write(1), source="registry", data_date="2026-11-01")
    websites = store.con.execute("SELECT count(website), count(uscc) FROM enterprises").fetchone()
    store.close()
    assert first.changes == {"new": 40, "changed": 0, "unchanged": 0, "disappeared": 0, "new_enterprises": 40, "new_linked": 0, "new_enterprises_merged": 0}
    assert later.changes == {"new": 0, "changed": 2, "unchanged": 38, "disappeared": 0, "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}
    assert websites == (20, 20)


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
    assert r0["changes"] == {"new": 300, "changed": 0, "unchanged": 0, "disappeared": 0, "new_enterprises": 300, "new_linked": 0, "new_enterprises_merged": 0}
    changed = counts["renamed"] + counts["moved"] + counts["deregistered"]
    assert min(counts.values()) > 0
    assert r1["changes"] == {"new": counts["new"], "changed": changed, "disappeared": counts["disappeared"],
                             "unchanged": 300 - counts["disappeared"] - changed,
                             "new_enterprises": counts["new"], "new_linked": 0, "new_enterprises_merged": 0}
    assert r1["rows_imported"] == counts["new"] and r1["rows_updated"] == changed
    con = duckdb.connect(str(db), read_only=True)
    history = dict(con.execute("SELECT field, count(*) FROM enterprise_history GROUP BY 1").fetchall())
    con.close()
    # history only for what changed: one name per renamed, one status per deregistered, a district per move
    assert history["name"] == counts["renamed"]
    assert history["status"] == counts["deregistered"]
    assert history["district_code"] == counts["moved"]
    # ids in file order, without gaps: from the rows' numbers in the first export (every row new), from a
    # numbering of the new rows in the next
    con = duckdb.connect(str(db), read_only=True)
    ids = con.execute("SELECT import_id, list(enterprise_id ORDER BY row_no) FROM enterprise_records "
                      "WHERE link_method = 'new' GROUP BY 1 ORDER BY 1").fetchall()
    con.close()
    assert ids == [(1, list(range(1, 301))), (2, list(range(301, 301 + counts["new"])))]


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
                          "disappeared": counts["disappeared"], "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}
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


def _names(db) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    names = dict(con.execute("SELECT uscc, name FROM enterprises").fetchall())
    con.close()
    return names


def test_a_change_undone_next_month_is_a_change(months, tmp_path):
    # the first month's export again after the second month's: renamed, moved and deregistered enterprises get
    # their first values back. Comparing with every hash the source ever delivered called them unchanged and
    # kept the second month's names
    db, counts, _, _ = months
    copy = tmp_path / "z.duckdb"
    copy.write_bytes(db.read_bytes())
    store = Store(copy)
    r = import_files(store, "enterprises", db.parent / "m0.csv", source="registry", data_date="2026-12-01")
    store.close()
    changed = counts["renamed"] + counts["moved"] + counts["deregistered"]
    assert r.changes == {"new": 0, "changed": changed, "unchanged": 300 - changed, "disappeared": counts["new"],
                         "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}
    first = {row[1]: row[0] for row in list(csv.reader((db.parent / "m0.csv").open(encoding="utf-8")))[1:]}
    names = _names(copy)
    assert {u: names[u] for u in first} == first


def test_hashes_recorded_as_md5_text_keep_working(months, tmp_path):
    # a database that recorded content hashes as 32 hex characters (md5 of the mapped values joined by U+001F):
    # its first import converts them to numbers, and the month's export again changes nothing
    db, counts, _, _ = months
    old = tmp_path / "old.duckdb"
    old.write_bytes(db.read_bytes())
    con = duckdb.connect(str(old))
    h = "lower(lpad(hex(row_hash), 32, '0'))"
    rev = " || ".join(f"substr({h}, {31 - 2 * i}, 2)" for i in range(16))
    con.execute(f"ALTER TABLE enterprise_records ALTER row_hash TYPE VARCHAR USING {rev}")
    # the text is what md5 gave for the row's values: the first row of the first file
    row = next(r for r in csv.DictReader((db.parent / "m0.csv").open(encoding="utf-8")))
    values = [row[h] for h in ("企业名称", "统一社会信用代码", "企业类型", "登记状态", "成立日期", "注册资本", "所属省份",
                               "所属城市", "所属区县", "注册地址", "经营范围", "法定代表人")]
    text = con.execute("SELECT row_hash FROM enterprise_records WHERE import_id = 1 AND row_no = 2").fetchone()[0]
    con.close()
    assert text == hashlib.md5("\x1f".join(values).encode()).hexdigest()
    store = Store(old)
    r = import_files(store, "enterprises", db.parent / "m1.csv", source="registry", data_date="2026-11-03")
    kind = store.con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'enterprise_records' "
                             "AND column_name = 'row_hash'").fetchone()[0]
    store.close()
    assert kind == "UHUGEINT"
    assert r.changes == {"new": 0, "changed": 0, "unchanged": 300 - counts["disappeared"] + counts["new"],
                         "disappeared": counts["disappeared"], "new_enterprises": 0, "new_linked": 0, "new_enterprises_merged": 0}


def test_spaces_at_the_edges_of_cells_are_no_change(tmp_path):
    # rows are compared as read first (no trimming); a row whose cells only gained spaces (also U+3000) at
    # their edges is hashed again as staged and is unchanged; a row with spaces and a real change is a change;
    # a "-" (no value) in a field that is not free text is hashed as empty, so its row is found the second way
    from zhaoshang.core.parse.uscc import make_uscc

    head = "企业名称,统一社会信用代码,注册地址,登记状态,注册资本\n"
    a, b, c, d = (make_uscc(i, "330106") for i in range(4))
    (tmp_path / "m0.csv").write_text(head + f"甲科技有限公司,{a},杭州市西湖区一路1号,存续,100万\n"
                                     f"乙科技有限公司,{b},杭州市西湖区二路2号,存续,100万\n丙科技有限公司,{c},杭州市西湖区三路3号,存续,-\n",
                                     encoding="utf-8")
    (tmp_path / "m1.csv").write_text(head + f" 甲科技有限公司\u3000,{a}, 杭州市西湖区一路1号 ,存续,100万\n"
                                     f"乙科技有限公司 ,{b},杭州市西湖区二路2号,注销,100万\n丙科技有限公司,{c},杭州市西湖区三路3号,存续,-\n"
                                     f"丁科技有限公司,{d},杭州市西湖区四路4号,存续,100万\n", encoding="utf-8")
    store = Store(tmp_path / "z.duckdb")
    import_files(store, "enterprises", tmp_path / "m0.csv", source="reg", data_date="2026-10-01")
    r = import_files(store, "enterprises", tmp_path / "m1.csv", source="reg", data_date="2026-11-01")
    history = store.con.execute("SELECT e.name, h.field FROM enterprise_history h JOIN enterprises e "
                                "ON e.id = h.enterprise_id").fetchall()
    store.close()
    assert {k: v for k, v in r.changes.items() if not k.startswith("new_")} == {"new": 1, "changed": 1, "unchanged": 2, "disappeared": 0}
    assert r.rows_duplicate == 2 and history == [("乙科技有限公司", "status")]


def test_a_months_export_read_with_its_unchanged_rows_left_out_names_the_rows_of_its_problems(tmp_path):
    # the month's file is read keeping the values of its new and changed rows only: their row numbers (for the
    # problem list and the source records) still count every line of the file
    from zhaoshang.core.parse.uscc import make_uscc

    head = "企业名称,统一社会信用代码,注册地址,成立日期\n"
    codes = [make_uscc(i, "330106") for i in range(300)]
    rows = [f"企业{i}科技有限公司,{codes[i]},杭州市西湖区{i}号,2020-01-01\n" for i in range(300)]
    (tmp_path / "m0.csv").write_text(head + "".join(rows), encoding="utf-8")
    rows[150] = f"企业150科技有限公司,{codes[150]},杭州市西湖区150号,2020-13-45\n"  # changed: a bad date
    rows[299] = f"企业299新名称有限公司,{codes[299]},杭州市西湖区299号,2020-01-01\n"  # renamed
    (tmp_path / "m1.csv").write_text(head + "".join(rows), encoding="utf-8")
    store = Store(tmp_path / "z.duckdb")
    import_files(store, "enterprises", tmp_path / "m0.csv", source="reg", data_date="2026-10-01")
    r = import_files(store, "enterprises", tmp_path / "m1.csv", source="reg", data_date="2026-11-01",
                     rejects_dir=tmp_path)
    recorded = store.con.execute("SELECT row_no FROM enterprise_records WHERE import_id = 2 ORDER BY 1").fetchall()
    store.close()
    assert (r.changes["changed"], r.changes["unchanged"], r.rows_rejected) == (1, 298, 1)
    problems = list(csv.DictReader(open(r.rejects_path, encoding="utf-8-sig")))
    assert [(p["row"], p["value"]) for p in problems] == [("152", "2020-13-45")]
    assert recorded == [(301,)]


def test_a_key_with_an_unchanged_and_a_changed_row_in_the_month_is_changed_not_unchanged(tmp_path):
    # the unchanged rows are counted as the file is read; a key whose last content came again but which a
    # second, different row of the file wrote all the same counts once, as changed
    from zhaoshang.core.parse.uscc import make_uscc

    head = "企业名称,统一社会信用代码,注册地址,登记状态\n"
    a, b, c = (make_uscc(i, "330106") for i in range(3))
    rows = [f"甲科技有限公司,{a},杭州市西湖区一路1号,存续\n", f"乙科技有限公司,{b},杭州市西湖区二路2号,存续\n",
            f"丙科技有限公司,{c},杭州市西湖区三路3号,存续\n"]
    (tmp_path / "m0.csv").write_text(head + "".join(rows), encoding="utf-8")
    (tmp_path / "m1.csv").write_text(head + "".join(rows) + f"乙科技有限公司,{b},杭州市西湖区二路2号,注销\n",
                                     encoding="utf-8")
    store = Store(tmp_path / "z.duckdb")
    import_files(store, "enterprises", tmp_path / "m0.csv", source="reg", data_date="2026-10-01")
    r = import_files(store, "enterprises", tmp_path / "m1.csv", source="reg", data_date="2026-11-01")
    status = store.con.execute("SELECT status FROM enterprises WHERE uscc = ?", [b]).fetchone()[0]
    store.close()
    assert {k: v for k, v in r.changes.items() if not k.startswith("new_")} == {"new": 0, "changed": 1, "unchanged": 2, "disappeared": 0}
    assert status == "注销"


def test_the_hash_lookup_counts_against_the_memory_cap(months, tmp_path, monkeypatch, capfd):
    # the latest hashes of the source are held in this process while the month's file is read: DuckDB's limit
    # is lowered by their size (the statement, traced), and comes back when the lookup is closed
    import re

    from zhaoshang.core.importers.delta import LatestHashes
    from zhaoshang.core.readers.limits import _bytes

    db, counts, _, _ = months
    copy = tmp_path / "z.duckdb"
    copy.write_bytes(db.read_bytes())
    store = Store(copy)
    store.con.execute("SET memory_limit = '1GB'")
    before = store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    monkeypatch.setenv("ZHAOSHANG_TRACE_SQL", "1")
    capfd.readouterr()
    latest = LatestHashes(store.con, "registry")
    held = sum(a.nbytes for a in (latest.lo, latest.hi, latest.starts, latest.seen))
    lowered = re.findall(r"SET memory_limit = '(\d+)KiB'", capfd.readouterr().err)
    latest.close()
    after = store.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    store.close()
    assert latest.n == 300 + counts["new"] and held >= 17 * latest.n
    assert [int(k) for k in lowered] == [(_bytes(before) - held) // 1024]
    assert abs(_bytes(after) - _bytes(before)) < 1 << 17  # as DuckDB shows it: to a tenth of a MiB


def test_the_hash_lookup_finds_exactly_the_recorded_hashes_in_crowded_buckets():
    # hashes sharing their low half (one bucket holding many), hashes differing only in their high half, a
    # hash recorded for two keys, and hashes never recorded: the lookup says exactly which are recorded, and
    # marks each recorded hash found (the first of equal ones) once, however often the file repeats it
    import random

    from zhaoshang.core.importers.delta import LatestHashes

    rng = random.Random(5)
    crowd = rng.getrandbits(64)
    recorded = [rng.getrandbits(128) for _ in range(3000)]
    recorded += [(rng.getrandbits(64) << 64) | crowd for _ in range(40)]  # one low half, forty high halves
    recorded += [(h ^ (1 << 100)) for h in recorded[:50]]  # the same low half as another, a different high one
    keys = [f"k{i}" for i in range(len(recorded))] + ["twin"]
    recorded.append(recorded[7])  # the content of key k7 also recorded for another key
    store = Store(":memory:")
    con = store.con
    con.execute("CREATE TEMP TABLE rec (k VARCHAR, h UHUGEINT)")
    con.executemany("INSERT INTO temp.rec VALUES (?, ?::UHUGEINT)", [[k, str(h)] for k, h in zip(keys, recorded)])
    con.execute("INSERT INTO enterprise_records SELECT row_number() OVER (), 1, 'new', 1, h, now()::TIMESTAMP, NULL, "
                "'reg', k, 1 FROM temp.rec")
    never = [rng.getrandbits(128) for _ in range(500)] + [(rng.getrandbits(64) << 64) | crowd for _ in range(30)]
    asked = recorded[::3] + never + recorded[::3] + recorded[-41:-1] + [recorded[7]]
    rng.shuffle(asked)
    con.execute("CREATE TEMP TABLE q (n INTEGER, h UHUGEINT)")
    con.executemany("INSERT INTO temp.q VALUES (?, ?::UHUGEINT)", [[i, str(h)] for i, h in enumerate(asked)])
    latest = LatestHashes(con, "reg")
    found = [r[0] for r in con.execute(f"SELECT {latest.sql('h')} FROM temp.q ORDER BY n").fetchall()]
    seen = int(latest.seen.sum())
    latest.close()
    store.close()
    assert found == [h in set(recorded) for h in asked]
    assert seen == len({h for h in asked if h in set(recorded)})


def test_records_keep_their_values_when_the_month_updates_enterprises_another_source_created(tmp_path):
    # the registry's month updates an enterprise it created and one a list of another source created (linked
    # by the credit code): the records that created each keep what their own file said, and the enterprises
    # and the other rows stay as they were
    from zhaoshang.core.parse.uscc import make_uscc

    a, b, c = (make_uscc(20_000_000 + i, "110105") for i in range(3))
    head = "企业名称,统一社会信用代码,注册地址,登记状态\n"
    (tmp_path / "list.csv").write_text(head + f"甲科技有限公司,{a},北京市朝阳区甲路1号,存续\n", encoding="utf-8")
    (tmp_path / "m0.csv").write_text(head + f"乙科技有限公司,{b},北京市朝阳区乙路2号,存续\n"
                                     f"丙科技有限公司,{c},北京市朝阳区丙路3号,存续\n", encoding="utf-8")
    (tmp_path / "m1.csv").write_text(head + f"甲科技有限公司,{a},北京市朝阳区甲路9号,存续\n"
                                     f"乙科技有限公司,{b},北京市朝阳区乙路8号,注销\n"
                                     f"丙科技有限公司,{c},北京市朝阳区丙路3号,存续\n", encoding="utf-8")
    store = Store(tmp_path / "z.duckdb")
    import_files(store, "enterprises", tmp_path / "list.csv", source="list", data_date="2026-09-01")
    import_files(store, "enterprises", tmp_path / "m0.csv", source="registry", data_date="2026-10-01")
    r = import_files(store, "enterprises", tmp_path / "m1.csv", source="registry", data_date="2026-11-01")
    rows = store.con.execute(f"""SELECT r.source, r.import_id, r.link_method, r.data IS NULL, e.uscc,
                                        {record_value_sql('address')}, {record_value_sql('status')}
                                 FROM enterprise_records r JOIN enterprises e ON e.id = r.enterprise_id
                                 ORDER BY r.record_id""").fetchall()
    ents = store.con.execute("SELECT uscc, address, status, last_import_id FROM enterprises ORDER BY id").fetchall()
    store.close()
    assert {k: v for k, v in r.changes.items() if not k.startswith("new_")} == {"new": 1, "changed": 1, "unchanged": 1, "disappeared": 0}
    assert rows == [("list", 1, "new", False, a, "北京市朝阳区甲路1号", "存续"),
                    ("registry", 2, "new", False, b, "北京市朝阳区乙路2号", "存续"),
                    ("registry", 2, "new", True, c, "北京市朝阳区丙路3号", "存续"),
                    ("registry", 3, "uscc", False, a, "北京市朝阳区甲路9号", "存续"),
                    ("registry", 3, "source_key", False, b, "北京市朝阳区乙路8号", "注销")]
    assert ents == [(a, "北京市朝阳区甲路9号", "存续", 3), (b, "北京市朝阳区乙路8号", "注销", 3),
                    (c, "北京市朝阳区丙路3号", "存续", 2)]


def _contents(db: Path) -> dict[str, list]:
    """Every row of the tables an enterprise import writes, sorted (the time of import left out)."""
    con = duckdb.connect(str(db), read_only=True)
    out = {}
    for table in ("enterprises", "enterprise_records", "enterprise_history", "enterprise_aliases", "events"):
        cols = [c for (c,) in con.execute(f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{table}' "
                                          "AND column_name <> 'imported_at' ORDER BY column_index").fetchall()]
        out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    out["imports"] = con.execute("SELECT rows_read, rows_imported, rows_updated, rows_duplicate, rows_rejected "
                                 "FROM imports ORDER BY id").fetchall()
    con.close()
    return out


def test_a_first_export_written_in_parts_gives_the_same_tables(tmp_path, monkeypatch):
    # a registry's first export larger than one part is typed and written part by part (each part's rows typed as
    # its enterprises are inserted, never stored); its tables, and those of the next month's delta over them, are the ones
    # of the import that types every row first — also with a row rejected before the first kept one
    from zhaoshang.core.importers import enterprises, pipeline

    _write_registry(tmp_path / "m0.csv", 1_000)
    _write_registry(tmp_path / "m1.csv", 1_000, month=1)
    rows = list(csv.reader((tmp_path / "m0.csv").open(encoding="utf-8")))
    rows[1][rows[0].index("成立日期")] = "不是日期"
    with (tmp_path / "m0.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    monkeypatch.setattr(enterprises, "part_rows", lambda con: 200)
    reports = {}
    for parts in (False, True):
        monkeypatch.setattr(pipeline, "PARTS", parts)
        seen: list[str] = []
        store = Store(tmp_path / f"{parts}.duckdb")
        first = import_files(store, "enterprises", tmp_path / "m0.csv", source="registry", data_date="2026-10-01",
                             rejects_dir=tmp_path, progress=lambda *a, description=None, **k: seen.append(description))
        later = import_files(store, "enterprises", tmp_path / "m1.csv", source="registry", data_date="2026-11-01",
                             rejects_dir=tmp_path)
        store.close()
        written = [d for d in seen if d and d.startswith("关联与写入（") and " / " in d]
        assert len(written) == (5 if parts else 0)  # 999 rows kept: five parts of at most 200
        assert all(d.startswith("关联与写入（999 / 999 行") for d in written[-1:])
        reports[parts] = ({k: v for k, v in first.as_dict().items() if k not in ("import_id", "rejects_path")},
                          later.changes, _contents(tmp_path / f"{parts}.duckdb"))
    assert reports[True][0]["rows_rejected"] == 1 and reports[True][0]["rows_imported"] == 999
    assert reports[True] == reports[False]
