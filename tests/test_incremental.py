"""Updates without a full rebuild: classification of only what a delta import changed, equal to a full run."""

from __future__ import annotations

import csv
import json
import importlib.util
import shutil
from pathlib import Path

import pytest

from cli_util import run, run_json
from zhaoshang.core.importers import import_files
from zhaoshang.core.store import Store
from zhaoshang.services.chain.classify import classify

ROOT = Path(__file__).resolve().parents[1]
AI_SCOPE = "计算机视觉技术开发；人工智能应用软件开发"
PLAIN_SCOPE = "餐饮服务；食品销售"


def _bench_import():
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "bench_import.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _placements(db: Path) -> list[tuple]:
    s = Store(db, read_only=True)
    try:
        return s.con.execute("""SELECT enterprise_id, node_code, confidence, CAST(evidence AS VARCHAR), method
            FROM placements WHERE chain = 'ai' ORDER BY 1, 2""").fetchall()
    finally:
        s.close()


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """A 400-enterprise registry imported and classified; its export a month later (renamed, moved,
    deregistered, gone, new, and 12 enterprises whose business changed) imported as a delta."""
    tmp = tmp_path_factory.mktemp("incr")
    db = tmp / "z.duckdb"
    first, second = tmp / "m0.csv", tmp / "m1.csv"
    bench = _bench_import()
    bench.write_file(first, 400)
    counts = bench.write_file(second, 400, month=1)
    flipped = 0
    for path in (first, second):  # a deregistration date column: empty a month ago, some dates now
        rows = list(csv.reader(path.open(encoding="utf-8")))
        rows[0].append("注销日期")
        for k, r in enumerate(rows[1:]):
            r.append("2026-10-20" if path == second and r[6] == "注销" and k % 3 == 0 else "")
            if path == second and flipped < 12 and k % 29 == 0:  # business changed: AI given up, or taken up
                r[-2] = PLAIN_SCOPE if "人工智能" in r[-2] or "集成电路" in r[-2] else AI_SCOPE
                flipped += 1
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    store = Store(db)
    import_files(store, "enterprises", first, source="registry", data_date="2026-10-01")
    first_run = classify(store)
    store.close()
    delta = run_json("import", "enterprises", second, "--source", "registry", "--data-date", "2026-11-01", db=db)
    return db, counts, flipped, first_run, delta


def test_classify_after_a_delta_places_only_what_changed_and_equals_a_full_run(months, tmp_path):
    db, counts, flipped, first_run, delta = months
    assert first_run["mode"] == "full" and first_run["reclassified"] == 400
    changed = delta["changes"]["new"] + delta["changes"]["changed"]
    assert flipped == 12 and changed >= 12 + counts["new"]
    full_db = tmp_path / "full.duckdb"
    shutil.copy(db, full_db)
    inc = run_json("classify", db=db)
    assert inc["mode"] == "incremental"
    assert inc["reclassified"] == changed  # registry rows carry no relations: exactly the new and changed
    full = run_json("classify", "--full", db=full_db)
    assert full["mode"] == "full" and full["reclassified"] == 400 + counts["new"]
    assert {k: inc[k] for k in ("enterprises", "placed", "placements", "by_stage", "by_node")} == \
        {k: full[k] for k in ("enterprises", "placed", "placements", "by_stage", "by_node")}
    assert _placements(db) == _placements(full_db)
    assert inc["matrix"]["mode"] == "incremental" and inc["matrix"]["affected"] == changed
    assert full["matrix"]["mode"] == "full"
    store = Store(db)
    again = classify(store, incremental=True)  # nothing imported since: nothing to place again
    store.close()
    assert again["mode"] == "incremental" and again["reclassified"] == 0 and again["placed"] == full["placed"]
    # placements stored in an earlier evidence form: the next run is a full one, and says why
    store = Store(db)
    state = json.loads(store.get_meta("classified:ai"))
    store.set_meta("classified:ai", json.dumps({**state, "evidence": "an earlier form"}))
    store.close()
    said = run("classify", db=db).stdout.replace("\n", "")  # the title wraps at the terminal's width
    assert "全部重新归类：归类依据的读取或存储格式已更新" in said and "增量" not in said
    store = Store(db)
    store.set_meta("classified:ai", json.dumps({**state, "evidence": "an earlier form"}))
    store.close()
    upgraded = run_json("classify", db=db)
    assert upgraded["mode"] == "full" and upgraded["full_because"] == "evidence" and upgraded["placed"] == full["placed"]
    said = run("classify", db=db).stdout.replace("\n", "")
    assert "增量：重新归类 0 家" in said and "全部重新归类" not in said  # recorded again: incremental from here


def _related_store(incremental: bool) -> tuple[Store, dict]:
    s = Store(":memory:")
    s.con.executemany("INSERT INTO enterprises (id, name, scope, description, first_import_id, last_import_id) "
                      "VALUES (?, ?, ?, ?, 1, 1)", [
                          (1, "深圳视界科技有限公司", "计算机视觉技术开发", "公司专注于人脸识别与深度学习算法"),
                          (2, "深圳视界科技南京分公司", "图像识别软件、人脸识别门禁的销售", None),
                          (3, "杭州味道餐饮管理有限公司", "餐饮服务", None)])
    s.con.execute("INSERT INTO branches (id, parent_id, child_id, kind, import_id) VALUES (1, 1, 2, 'branch', 1)")
    s.con.execute("INSERT INTO imports (id, kind, source) VALUES (1, 'enterprises', 't')")
    classify(s, use_model=False)
    assert s.con.execute("SELECT count(*) FROM placements WHERE enterprise_id = 2").fetchall()[0][0] > 0
    s.con.execute("INSERT INTO imports (id, kind, source) VALUES (2, 'enterprises', 't')")
    s.con.execute("UPDATE enterprises SET scope = '服装销售', description = NULL, name = '深圳某服装有限公司', "
                  "last_import_id = 2 WHERE id = 1")
    return s, classify(s, use_model=False, incremental=incremental)


def _rows(s: Store) -> list[tuple]:
    return s.con.execute("SELECT enterprise_id, node_code, confidence, CAST(evidence AS VARCHAR) FROM placements "
                         "ORDER BY 1, 2").fetchall()


def test_a_changed_parent_places_its_branch_again():
    """Relation support reads the related enterprise's score: the branch of a changed parent is placed again."""
    inc, out = _related_store(True)
    full, out_full = _related_store(False)
    assert out["mode"] == "incremental" and out["reclassified"] == 2  # the parent and its branch, not 3
    assert out_full["mode"] == "full"
    assert _rows(inc) == _rows(full)
    assert all('"relation"' not in r[3] or '"related": []' in r[3] for r in _rows(inc))
    inc.close()
    full.close()


def _table(db: Path, sql: str) -> list[tuple]:
    s = Store(db, read_only=True)
    try:
        return s.con.execute(sql).fetchall()
    finally:
        s.close()


def _without_stored_matrix(db: Path, tmp_path: Path) -> Path:
    """A copy of ``db`` without its stored matrix: its maps count from the base tables."""
    base = tmp_path / "base.duckdb"
    shutil.copy(db, base)
    s = Store(base)
    s.con.execute("DELETE FROM meta WHERE key = 'matrix:ai'")
    s.close()
    return base


def test_the_region_matrix_updated_by_the_delta_equals_a_full_rebuild(months, tmp_path):
    """After the delta import (moves, new, deregistered) and the incremental classification (reclassified),
    the stored matrix, updated only for the enterprises they touched, equals one rebuilt from scratch, and the
    map read from it equals the map computed from the base tables."""
    from zhaoshang.services.regions import stored
    from zhaoshang.services.regions.matrix import region_map

    db = months[0]
    assert _table(db, "SELECT count(*) FROM placements")[0][0] > 0
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, copy)
    s = Store(copy)
    assert stored.valid(s, "ai")  # the delta kept it up to date
    assert stored.rebuild(s, "ai")["mode"] == "full"
    s.close()
    for sql in ("SELECT * FROM zs_matrix_ent_ai ORDER BY id", "SELECT * FROM zs_matrix_counts_ai ORDER BY ALL"):
        assert _table(db, sql) == _table(copy, sql)
    assert len(_table(db, "SELECT * FROM zs_matrix_counts_ai WHERE level = 'macro'")) > 0
    a, b = Store(db, read_only=True), Store(_without_stored_matrix(db, tmp_path), read_only=True)
    try:
        assert stored.cache_entry(a, "ai") and not stored.cache_entry(b, "ai")
        for level, node in (("province", None), ("province", "M"), ("city", "M01"), ("district", None), ("macro", "U")):
            assert region_map(a, level, node=node) == region_map(b, level, node=node), (level, node)
    finally:
        a.close()
        b.close()


def test_a_damaged_stored_matrix_never_blocks_an_update():
    """The classification stands when the stored matrix cannot follow it: its record is dropped (maps then
    count from the base tables) and the next full run rebuilds it."""
    s, _ = _related_store(True)
    assert s.get_meta("matrix:ai")
    s.con.execute("DROP TABLE zs_matrix_counts_ai")
    s.con.execute("INSERT INTO imports (id, kind, source) VALUES (3, 'enterprises', 't')")
    s.con.execute("UPDATE enterprises SET scope = '人脸识别算法研发', last_import_id = 3 WHERE id = 3")
    out = classify(s, use_model=False, incremental=True)
    assert out["mode"] == "incremental" and out["matrix"]["mode"] == "dropped"
    assert s.get_meta("matrix:ai") is None and 3 in {r[0] for r in _rows(s)}
    assert classify(s, use_model=False)["matrix"]["mode"] == "full" and s.get_meta("matrix:ai")
    s.close()


def test_an_analysts_decision_stays_on_the_map_after_the_next_import(months, tmp_path):
    """An added and a removed placement (科大讯飞 on the real imports: M06 added, M04 removed on its profile)
    stay on the map and in the map cell's list after the next import: that import refreshes the stored matrix
    for what it wrote and stamps it as current, so the decided enterprise's row must already be up to date."""
    from zhaoshang.services.regions import stored
    from zhaoshang.services.regions.matrix import region_map

    db = tmp_path / "decided.duckdb"
    shutil.copy(months[0], db)
    (eid, city, on), = _table(db, """SELECT p.enterprise_id, e.city_code, min(p.node_code) FROM placements p
        JOIN enterprises e ON e.id = p.enterprise_id WHERE e.city_code IS NOT NULL AND e.dissolved IS NULL
        GROUP BY 1, 2 ORDER BY 1 LIMIT 1""")
    (absent,), = _table(db, f"""SELECT code FROM chain_nodes WHERE chain = 'ai' AND level = 2 AND code NOT IN
        (SELECT node_code FROM placements WHERE enterprise_id = {eid}) ORDER BY code LIMIT 1""")
    run_json("placements", "add", eid, absent, "--reason", "年报主营", db=db)
    run_json("placements", "remove", eid, on, "--reason", "误判", db=db)
    again = run_json("import", "enterprises", months[0].parent / "m1.csv",
                     "--source", "registry", "--data-date", "2026-11-01", db=db)
    assert again["changes"]["changed"] == 0 and again["changes"]["new"] == 0
    s = Store(db, read_only=True)
    try:
        assert stored.valid(s, "ai")  # read by every map: it must hold the decisions
        nodes = s.con.execute("SELECT nodes FROM zs_matrix_ent_ai WHERE id = ?", [eid]).fetchone()
        assert nodes is None or (absent in nodes[0] and on not in nodes[0])
    finally:
        s.close()
    a, b = Store(db, read_only=True), Store(_without_stored_matrix(db, tmp_path), read_only=True)
    try:
        for node in (absent, on, None):
            got, want = region_map(a, "city", node=node), region_map(b, "city", node=node)
            assert got == want, node
        want = [r["count"] for r in region_map(b, "city", node=absent) if r["code"] == city]
    finally:
        a.close()
        b.close()
    assert want[0] >= 1
    cli = run_json("map", "--level", "city", "--chain", absent, db=db)  # what the analyst reads
    assert [r["count"] for r in cli if r["code"] == city] == want
