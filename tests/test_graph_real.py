"""The relationship graph on real public data: the 同花顺 and Tushare listed-company executives imported as roles
of the listed companies (presets ths_executives, tushare_managers), the identity rules' verdicts on them
(namesakes on two boards kept apart), key persons and connections of real listed companies."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from conftest import shared_file
from zhaoshang.core.importers import import_files
from zhaoshang.core.importers.relations import normalize_role
from zhaoshang.core.store import Store
from zhaoshang.services.graph.build import build_graph
from zhaoshang.services.graph.identity import person_links
from zhaoshang.services.graph.people import key_persons
from zhaoshang.services.graph.reach import between

THS = "listed_companies/ths_listed_company_executives_2018.csv"
TUSHARE = "listed_companies/tushare_stk_managers_sample_2024-05.csv"
MERGED = "listed_companies/a_share_companies_merged.csv"


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    merged, ths, tushare = shared_file(MERGED), shared_file(THS), shared_file(TUSHARE)
    db = tmp_path_factory.mktemp("graph_real") / "r.duckdb"
    s = Store(db)
    s.ensure_schema()
    import_files(s, "enterprises", merged, preset="a_share_merged")
    reports = {"ths": import_files(s, "roles", ths, preset="ths_executives", data_date="2018-06-30"),
               "tushare": import_files(s, "roles", tushare, preset="tushare_managers", data_date="2024-05-14")}
    s.close()
    s = Store(db, read_only=True)
    yield s, reports, {"merged": merged, "ths": ths, "tushare": tushare}
    s.close()


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_role_titles_of_deputies_and_supervisors():
    # regression: 副总经理 read as CEO, 监事会主席 and 副董事长 as chair, 董事会秘书 as director
    assert normalize_role("副总经理") == "executive" and normalize_role("副总裁") == "executive"
    assert normalize_role("监事会主席") == "supervisor" and normalize_role("职工监事") == "supervisor"
    assert normalize_role("副董事长/董事") == "director" and normalize_role("董事长/董事") == "chairman"
    assert normalize_role("董事会秘书") == "executive" and normalize_role("总经理") == "ceo"


def test_an_aide_is_not_the_office_they_assist():
    # regression: 总裁助理 and 助理总经理 read as CEO (决策权 0.9), 董事长助理 as chair
    for title in ("总裁助理", "高管 总裁助理", "助理总经理", "助理总裁", "CEO助理", "首席执行官助理", "总经理助理",
                  "董事长助理", "董事长秘书", "董事会秘书助理", "总经理办公室主任", "总裁办主任", "Assistant to the President"):
        assert normalize_role(title) == "executive", title
    assert normalize_role("董事、总裁助理") == "director"  # the office they hold themselves still counts
    assert normalize_role("董事长兼总经理") == "chairman" and normalize_role("高管 总裁") == "ceo"


def test_assistant_titles_in_the_real_managers_list_are_executives(real):
    store, _, files = real
    rows = [r for r in _rows(files["tushare"]) if "助理" in r["title"]]
    assert {r["title"] for r in rows} >= {"总裁助理", "助理总经理"}
    got = store.con.execute("SELECT DISTINCT role FROM roles WHERE source = 'tushare_managers' AND title LIKE '%助理%'"
                            ).fetchall()
    assert got == [("executive",)]
    assert store.con.execute("SELECT r.role FROM roles r JOIN persons p ON p.id = r.person_id WHERE p.name = '门继军' "
                             "AND r.title = '总裁助理'").fetchall() == [("executive",)]


def test_executives_import_as_roles_of_the_listed_companies(real):
    store, reports, files = real
    assert reports["ths"].rows_read == 24775 and reports["ths"].rows_imported == 24775
    listed = {r["code"] for r in _rows(files["merged"])}
    rows = _rows(files["ths"])
    known = sum(1 for r in rows if r["code"] in listed)
    linked = store.con.execute("SELECT count(enterprise_id) FROM roles WHERE source = 'ths_executives'").fetchone()[0]
    assert linked == known  # by stock code; companies delisted since 2018 stay unlinked, by code
    # one person record per name and company (never per name), gender and birth year from the file
    assert store.con.execute("SELECT count(*) FROM persons WHERE source = 'ths_executives'").fetchone()[0] == \
        len({(r["name"], r["code"]) for r in rows})
    assert store.con.execute("SELECT count(*) FROM persons WHERE birth_year > 2002").fetchall()[0][0] == 0  # age 0/−1 is unknown
    r0 = rows[0]
    got = store.con.execute("SELECT gender, birth_year FROM persons WHERE source = 'ths_executives' AND name = ? "
                            "AND source_key LIKE '%@%' ORDER BY id LIMIT 1", [r0["name"]]).fetchone()
    assert got == (r0["gender"], 2018 - int(r0["age"]))


def test_identity_rules_on_the_real_executives(real):
    store, _, files = real
    doc = person_links(store)
    s = doc["summary"]
    assert s["same_name_pairs"] == s["linked_pairs"] + s["possible_pairs"] + s["kept_apart_pairs"]
    assert s["kept_apart_by"]["gender_or_birth_year_differ"] > 1000 and s["linked_pairs"] > 100
    # a namesake kept apart: one name on two boards with another gender or an age more than a year apart
    people = defaultdict(set)
    for r in _rows(files["ths"]):
        people[r["name"]].add((r["gender"], int(r["age"]), r["code"]))
    name = next(n for n, v in sorted(people.items()) if len({(g, a) for g, a, _ in v}) == 2 and len(v) == 2
                and abs(min(a for _, a, _ in v) - max(a for _, a, _ in v)) > 1)
    mine = person_links(store, name=name)
    assert mine["links"] == [] and mine["apart"][0]["why"] == "gender_or_birth_year_differ"
    # every link rests on evidence beyond the name
    assert all(x["reasons"] for x in doc["links"])
    assert not [x for x in doc["links"] if x["reasons"] == []]


def test_key_persons_and_connections_of_listed_companies(real):
    store, _, _ = real
    eid, name = store.con.execute(
        "SELECT e.id, e.name FROM enterprises e JOIN roles r ON r.enterprise_id = e.id AND r.role = 'chairman' "
        "AND r.source = 'ths_executives' AND r.title = '董事长/董事' ORDER BY e.id LIMIT 1").fetchone()
    doc = key_persons(store, eid, as_of="2018-06-30")
    assert doc["persons"][0]["grounds"][0]["ground"] == "chairman"
    g = build_graph(store, "2018-06-30")
    assert g.m > 100000 and g.build_seconds > 0
    # two companies that share a director linked by the rules are connected through that person
    pair = next(x for x in person_links(store)["links"] if "shared_codirector" in x["reasons"])
    a, b = store.con.execute("SELECT (SELECT enterprise_id FROM roles WHERE person_id = ? LIMIT 1), "
                             "(SELECT enterprise_id FROM roles WHERE person_id = ? LIMIT 1)", [pair["a"], pair["b"]]).fetchone()
    res = between(store, [a, b], k=2, max_hops=3, as_of="2018-06-30")
    assert res["pairs"][0]["paths"]
