"""Equal reach paths are chosen alike in every process: the graph numbers its nodes by their keys and orders its
ties by their ends and relation, not by the order DuckDB hands the rows over (which follows the rows' order in
the file and the threads' schedule)."""

from __future__ import annotations

from cli_util import run_json
from zhaoshang.core.store import Store

# a target whose chair also sits on the boards of two other companies, each with a director who is also a director
# of a Hangzhou enterprise: two paths of one strength from the region, one through each company
ENTERPRISES = [(1, "目标科技有限公司", "110000", "110100"), (2, "杭州本地科技有限公司", "330000", "330100"),
               (3, "北京甲科技有限公司", "110000", "110100"), (4, "北京乙科技有限公司", "110000", "110100")]
PERSONS = [(1, "张伟"), (2, "李娜"), (3, "王芳")]
ROLES = [  # id, person, enterprise, role, title
    (1, 1, 1, "chairman", "董事长"), (2, 1, 3, "director", "董事"), (3, 1, 4, "director", "董事"),
    (4, 2, 3, "director", "董事"), (5, 2, 2, "director", "董事"),
    (6, 3, 4, "director", "董事"), (7, 3, 2, "director", "董事"),
]


def build(path, reverse: bool) -> None:
    """The same facts, written in id order or in reverse (another physical order of the rows)."""
    s = Store(str(path))
    s.ensure_schema()
    c = s.con
    c.execute("INSERT INTO imports (id, kind, source, data_date) VALUES (1, 'roles', 's1', DATE '2024-12-31')")
    order = (lambda xs: list(reversed(xs))) if reverse else list
    for e in order(ENTERPRISES):
        c.execute("INSERT INTO enterprises (id, name, province_code, city_code, founded) "
                  "VALUES (?, ?, ?, ?, DATE '2010-01-01')", list(e))
    for p in order(PERSONS):
        c.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (?, ?, ?, 's1', ?, 1)",
                  [p[0], p[1], p[1], f"k{p[0]}"])
    names, pnames = dict((e[0], e[1]) for e in ENTERPRISES), dict(PERSONS)
    for r in order(ROLES):
        c.execute("INSERT INTO roles VALUES (?, ?, ?, ?, ?, ?, ?, DATE '2018-01-01', NULL, 's1', ?, 1)",
                  [r[0], r[1], pnames[r[1]], r[2], names[r[2]], r[3], r[4], f"r{r[0]}"])
    s.close()


def test_equal_paths_are_chosen_alike_in_two_processes(tmp_path):
    paths = []
    for reverse in (False, True):
        db = tmp_path / f"g{int(reverse)}.duckdb"
        build(db, reverse)
        env = {"ZHAOSHANG_TEAM_DB": str(tmp_path / f"team{int(reverse)}.sqlite")}
        for k in ("1", "5"):  # each run its own process
            doc = run_json("reach", "目标科技有限公司", "--from-region", "杭州市", "--k", k, db=db, env=env)
            paths.append([(p["origin"]["name"], p["strength"], [(h["to"]["name"], h["relation"]) for h in p["hops"]])
                          for p in doc["paths"]])
    one = paths[0]
    assert len(paths[1]) >= 2 and paths[1][0][1] == paths[1][1][1], paths[1]  # two paths of one strength
    assert paths[1][0] == one[0]  # k = 1 is the first of k = 5
    assert paths[2] == one and paths[3] == paths[1], paths  # the same facts in another order: the same choice
