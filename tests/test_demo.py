"""The synthetic demo dataset: determinism, calibration (measured on the built database), integrity, no real names."""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from pathlib import Path

import duckdb
import pytest

from zhaoshang.core.parse.uscc import is_valid_uscc
from zhaoshang.core.store import Store
from zhaoshang.services.demo import build_demo, fingerprint, generate
from zhaoshang.services.demo.population import calibration, vocabulary

SMALL = 600
REF = "2024-12-31"
# core AI enterprise at the reference date: the documented proxy (see docs/demo-data.md)
CORE = f"""scope LIKE '%人工智能%' AND founded <= DATE '{REF}' AND (dissolved IS NULL OR dissolved > DATE '{REF}')"""


def _hashes(d: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(d.glob("*.parquet"))}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo_small")
    summary = build_demo(d / "demo.duckdb", scale=SMALL, work_dir=d / "files", on_error="skip")
    store = Store(d / "demo.duckdb")
    yield store, summary, d
    store.close()


@pytest.fixture(scope="module")
def default(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo_default")
    summary = build_demo(d / "demo.duckdb", work_dir=d / "files", on_error="skip")
    assert summary["errors"] == []
    store = Store(d / "demo.duckdb")
    # the generator's answer key (not imported): the node each enterprise was generated for
    store.con.execute(f"CREATE OR REPLACE TEMP TABLE demo_labels AS SELECT * FROM read_parquet('{d / 'files' / 'labels.parquet'}')")
    yield store
    store.close()


def one(store, sql, params=None):
    return store.con.execute(sql, params or []).fetchone()[0]


# -- determinism -------------------------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files(tmp_path):
    a = generate(tmp_path / "a", scale=300, seed=7)
    b = generate(tmp_path / "b", scale=300, seed=7)
    assert a == b
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")
    generate(tmp_path / "c", scale=300, seed=8)
    assert _hashes(tmp_path / "a") != _hashes(tmp_path / "c")


def test_same_seed_gives_same_database_fingerprint(tmp_path, small):
    store, summary, _ = small
    again = build_demo(tmp_path / "again.duckdb", scale=SMALL, on_error="skip")
    assert again["counts"] == summary["counts"]
    assert fingerprint(tmp_path / "again.duckdb") == fingerprint(store)  # placements and their evidence too
    build_demo(tmp_path / "other.duckdb", scale=SMALL, seed=99, on_error="skip", classify=False)
    assert fingerprint(tmp_path / "other.duckdb") != fingerprint(store)


def test_database_is_labelled_synthetic(small):
    store, summary, _ = small
    assert store.synthetic
    assert one(store, "SELECT bool_and(synthetic) FROM imports")
    assert summary["synthetic"] is True


def test_every_file_imports_without_error(small):
    store, summary, _ = small
    assert summary["errors"] == []
    assert all(r["rows_rejected"] == 0 for r in summary["imports"]), summary["imports"]
    for kind in ("roles", "branches"):
        assert one(store, f"SELECT count(*) FROM {kind}") > 0, kind


def test_generate_only_cli(tmp_path):
    from zhaoshang.interfaces.cli import main

    main(["demo", "--generate-only", "--scale", "100", "--out", str(tmp_path / "g")])
    assert (tmp_path / "g" / "manifest.json").exists()
    assert (tmp_path / "g" / "enterprises.parquet").exists()


def test_demo_cli_rebuilds_a_demo_database_but_never_real_data(tmp_path):
    from zhaoshang.core.errors import UserError
    from zhaoshang.interfaces.cli import main

    db = tmp_path / "demo.duckdb"
    main(["demo", "--no-serve", "--scale", "100", "--db", str(db)])
    main(["--db", str(db), "demo", "--no-serve", "--scale", "120"])  # an earlier demo is rebuilt
    with Store(db) as store:
        assert store.synthetic
        assert store.get_meta("demo_scale") == "120"
    real = tmp_path / "real.duckdb"
    with Store(real) as store:
        store.con.execute("INSERT INTO enterprises (id, name) VALUES (1, '示例')")
    with pytest.raises((UserError, SystemExit)):
        main(["demo", "--no-serve", "--scale", "100", "--db", str(real)])
    with Store(real) as store:
        assert one(store, "SELECT count(*) FROM enterprises") == 1


# -- integrity ------------------------------------------------------------------------------------------

def test_credit_codes_are_valid_and_unique(small):
    store, _, d = small
    codes = [r[0] for r in store.con.execute("SELECT uscc FROM enterprises WHERE uscc IS NOT NULL").fetchall()]
    assert len(codes) == one(store, "SELECT count(*) FROM enterprises")
    assert all(is_valid_uscc(c) for c in codes)
    assert len(set(codes)) == len(codes)
    files = duckdb.sql(f"SELECT uscc FROM '{d / 'files' / 'branches.parquet'}' UNION ALL "
                       f"SELECT child_uscc FROM '{d / 'files' / 'branches.parquet'}' UNION ALL "
                       f"SELECT uscc FROM '{d / 'files' / 'investors.parquet'}'".replace("SELECT uscc FROM", "SELECT parent_uscc FROM", 1)).fetchall()
    assert all(is_valid_uscc(r[0]) for r in files)


def test_referential_integrity(small):
    store, _, _ = small
    for table, col in [("fundings", "enterprise_id"), ("roles", "enterprise_id"), ("patent_applicants", "enterprise_id"),
                       ("branches", "parent_id"), ("branches", "child_id"), ("shareholdings", "enterprise_id"),
                       ("news_mentions", "enterprise_id"), ("events", "enterprise_id"), ("contacts", "enterprise_id")]:
        missing = one(store, f"SELECT count(*) FROM {table} t WHERE t.{col} IS NOT NULL "
                             f"AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.id = t.{col})")
        assert missing == 0, (table, col)
    for table in ("enterprises", "patent_applicants", "demands", "contacts", "investors"):
        for col in ("province_code", "city_code", "district_code"):
            bad = one(store, f"SELECT count(*) FROM {table} t WHERE t.{col} IS NOT NULL "
                             f"AND NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = t.{col})")
            assert bad == 0, (table, col)
    # every enterprise got a province; fundings and patents found their enterprise
    assert one(store, "SELECT count(*) FROM enterprises WHERE province_code IS NULL") == 0
    assert one(store, "SELECT count(*) FROM fundings WHERE enterprise_id IS NULL") == 0
    # roles point at persons that exist; branches link both ends
    assert one(store, "SELECT count(*) FROM roles r WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = r.person_id)") == 0
    assert one(store, "SELECT count(*) FROM branches WHERE parent_id IS NULL OR child_id IS NULL") == 0


def _rate(store, table, col, where="TRUE"):
    n, linked = store.con.execute(f"SELECT count(*), count({col}) FROM {table} WHERE {where}").fetchone()
    assert n > 0, table
    return linked / n


def test_names_in_every_file_link_to_enterprises(small):
    """Every file names enterprises by their registered name on the day (or the current one for registers)."""
    store, _, _ = small
    # every generated patent applicant is an enterprise of the population
    assert _rate(store, "patent_applicants", "enterprise_id") >= 0.98
    assert _rate(store, "patent_applicants", "enterprise_id", "position > 1") >= 0.98
    for table, col in [("fundings", "enterprise_id"), ("roles", "enterprise_id"), ("shareholdings", "enterprise_id"),
                       ("branches", "parent_id"), ("branches", "child_id")]:
        assert _rate(store, table, col) >= 0.99, (table, col)
    # contacts that name an enterprise; news mentions by full name (short names shared by two enterprises stay
    # unlinked on purpose: the importer never guesses)
    assert _rate(store, "contacts", "enterprise_id", "organisation NOT IN (SELECT name FROM investors)") >= 0.98
    assert _rate(store, "news_mentions", "enterprise_id", "mention LIKE '%公司'") >= 0.98
    assert _rate(store, "news_mentions", "enterprise_id") >= 0.75
    # a branch's child is a new enterprise, an investment's child an existing one: never an unlinked name
    assert one(store, "SELECT count(*) FROM branches b JOIN enterprises e ON e.id = b.child_id "
                      "WHERE b.kind = 'investment' AND e.source <> 'synthetic-demo'") == 0
    # enterprise demanders link by name through the product's search
    assert one(store, "SELECT count(*) FROM demands d WHERE demander_type = 'enterprise' AND organisation LIKE '%公司' "
                      "AND NOT EXISTS (SELECT 1 FROM enterprises e WHERE e.name = d.organisation)") == 0


def test_renamed_enterprises_file_under_their_former_name(default):
    s = default
    # patents applied for before a rename carry the former name, and link through the alias
    n = one(s, """SELECT count(*) FROM patent_applicants a JOIN enterprises e ON e.id = a.enterprise_id
                  JOIN enterprise_aliases al ON al.enterprise_id = e.id AND al.alias = a.name
                  WHERE a.name <> e.name""")
    assert n > 0
    assert one(s, "SELECT count(*) FROM patent_applicants WHERE enterprise_id IS NULL") == 0
    assert _rate(s, "fundings", "enterprise_id") == 1.0


def test_duplicates_merge_and_history_exists(small):
    store, _, _ = small
    # the population, plus the branches and subsidiaries the branch file registers
    registered = one(store, "SELECT count(DISTINCT enterprise_id) FROM enterprise_records WHERE source_key NOT LIKE 'branch:%'")
    assert registered == SMALL
    new = one(store, "SELECT count(DISTINCT child_id) FROM branches WHERE kind IN ('branch', 'subsidiary')")
    assert one(store, "SELECT count(*) FROM enterprises") == SMALL + new
    assert one(store, "SELECT count(DISTINCT enterprise_id) FROM enterprise_records WHERE source = 'synthetic-demo-b'") > 0
    fields = {r[0] for r in store.con.execute("SELECT DISTINCT field FROM enterprise_history").fetchall()}
    assert {"name", "address", "capital_wan", "legal_rep"} <= fields
    assert one(store, "SELECT count(*) FROM enterprises WHERE status IN ('注销', '吊销') AND dissolved IS NOT NULL") > 0


def test_every_kind_has_rows(small):
    store, _, _ = small
    for t in ("persons", "investors", "shareholdings", "fundings", "funding_investors", "patents", "patent_applicants",
              "patent_inventors", "news", "news_mentions", "demands", "contacts", "enterprise_aliases", "events"):
        assert one(store, f"SELECT count(*) FROM {t}") > 0, t
    assert one(store, "SELECT count(*) FROM investors WHERE type = 'government_fund' AND city_code = '340100'") >= 1
    assert one(store, "SELECT count(*) FROM demands WHERE city_code = '330100'") > 0


# -- calibration (default scale, measured on the database) ----------------------------------------------------

def _tol(name):
    return calibration()["targets"][name]


def test_calibration_enterprise_counts_and_shares(default):
    s = default
    n = one(s, f"SELECT count(*) FROM enterprises WHERE {CORE}")
    t = _tol("core_ai_enterprises")
    assert abs(n - t["value"]) <= t["value"] * t["tolerance"]

    def share(where):
        return one(s, f"SELECT count(*) FILTER (WHERE {where})::DOUBLE / count(*) FROM enterprises WHERE {CORE}")

    yrd = "province_code IN ('310000', '330000', '320000', '340000')"
    poles = f"(province_code IN ('110000', '120000', '130000', '440000') OR {yrd})"
    for name, where in [("three_poles_share", poles), ("yrd_share", yrd), ("guangdong_share", "province_code = '440000'")]:
        t = _tol(name)
        assert abs(share(where) - t["value"]) <= t["tolerance"], name
    n_yrd = one(s, f"SELECT count(*) FROM enterprises WHERE {CORE} AND {yrd}")
    t = _tol("yrd_enterprises")
    assert abs(n_yrd - t["value"]) <= t["value"] * t["tolerance"]
    t = _tol("yrd_province_split")
    for prov, val in t["value"].items():
        got = one(s, f"SELECT count(*) FILTER (WHERE province_code = '{prov}')::DOUBLE / count(*) FROM enterprises WHERE {CORE} AND {yrd}")
        assert abs(got - val) <= t["tolerance"], prov


def test_calibration_growth_of_multi_centre_cities(default):
    s = default
    poles = "('110000', '120000', '130000', '440000', '310000', '330000', '320000', '340000')"

    def stock(y):
        return one(s, f"""SELECT count(*) FROM enterprises WHERE scope LIKE '%人工智能%' AND province_code NOT IN {poles}
                          AND founded <= DATE '{y}-12-31' AND (dissolved IS NULL OR dissolved > DATE '{y}-12-31')""")

    cagr = (stock(2024) / stock(2021)) ** (1 / 3) - 1
    t = _tol("central_western_growth")
    assert abs(cagr - t["value"]) <= t["tolerance"]


def test_calibration_hangzhou_benchmarks(default):
    s = default
    t = _tol("hangzhou_benchmarks")
    assert one(s, "SELECT count(*) FROM enterprises WHERE list_contains(tags, '标杆') AND city_code = '330100'") == t["value"]
    assert one(s, "SELECT count(*) FROM enterprises WHERE list_contains(tags, '标杆')") == t["value"]
    for dname, n in t["districts"].items():
        got = one(s, "SELECT count(*) FROM enterprises e JOIN regions r ON r.code = e.district_code "
                     "WHERE list_contains(e.tags, '标杆') AND r.name = ?", [dname])
        assert got == n, dname


def test_calibration_beijing_models_and_unicorns(default):
    s = default
    got = one(s, f"SELECT count(*) FILTER (WHERE city_code = '110100' OR province_code = '110000')::DOUBLE / count(*) "
                 f"FROM enterprises WHERE {CORE} AND products LIKE '%通用大模型%'")
    t = _tol("beijing_general_model_share")
    assert abs(got - t["value"]) <= t["tolerance"]
    got = one(s, "SELECT count(*) FILTER (WHERE province_code = '110000')::DOUBLE / count(*) FROM enterprises "
                 "WHERE list_contains(tags, '独角兽')")
    t = _tol("beijing_unicorn_share")
    assert abs(got - t["value"]) <= t["tolerance"]


def test_calibration_cooperation_between_provinces(default):
    """Measured with the product's own definitions (services.analytics.network, docs/methods.md): the
    co-applied-patent network between provinces, group 北京 + 广东 + 上海."""
    from zhaoshang.services.analytics.network import network

    got = network(default, kind="patent", level="province", group=["110000", "440000", "310000"])
    t = _tol("cooperation_internal_share")
    assert abs(got["internal_share"] - t["value"]) <= t["tolerance"], got["internal_share"]
    t = _tol("cooperation_output_share")
    assert abs(got["external_output_share"] - t["value"]) <= t["tolerance"], got["external_output_share"]
    # the three poles are the most central regions of the network
    top3 = {n["region"] for n in sorted(got["nodes"], key=lambda n: -n["strength"])[:3]}
    assert top3 == {"110000", "440000", "310000"}


# -- classification of the demo population (the classifier ran inside build_demo) ------------------------------

PLACED = """
    WITH l2 AS (SELECT code, CASE WHEN level = 3 THEN parent_code ELSE code END AS l2 FROM chain_nodes WHERE chain = 'ai'),
    lab AS (SELECT e.id, l.node, n.l2 AS want FROM demo_labels l JOIN enterprises e ON e.uscc = l.uscc
            JOIN l2 n ON n.code = l.node),
    pl AS (SELECT p.enterprise_id AS id, p.node_code, n.l2,
                  row_number() OVER (PARTITION BY p.enterprise_id ORDER BY p.confidence DESC, p.node_code) AS rk
           FROM placements p JOIN l2 n ON n.code = p.node_code WHERE p.chain = 'ai')
    SELECT count(*),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pl WHERE pl.id = lab.id)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pl WHERE pl.id = lab.id AND pl.l2 = lab.want)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pl WHERE pl.id = lab.id AND pl.l2 = lab.want AND pl.rk = 1)),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pl WHERE pl.id = lab.id AND pl.node_code = lab.node))
    FROM lab"""


def test_classifier_places_ai_enterprises_on_their_intended_node(default):
    s = default
    n, placed, l2, top, leaf = s.con.execute(PLACED).fetchone()
    assert n == one(s, "SELECT count(*) FROM demo_labels WHERE node IS NOT NULL") > 4000
    # the rules alone place ≥ 99 % (98.4 % on the intended level-2 node, 94.6 % first); the trained model,
    # fitted on real registry text, refuses part of the generated scopes (AI phrases among trading lines; its
    # second version holds registry-only scopes to a stricter gate and prunes nodes its node models doubt)
    assert placed / n >= 0.82   # measured 84.1 % at seed 20241
    assert l2 / n >= 0.75       # a placement on the intended level-2 node (measured 77.5 %)
    assert top / n >= 0.75      # the most confident placement is there (measured 77.5 %)
    assert leaf / n >= 0.74     # on the intended leaf itself (measured 76.5 %)
    # ordinary enterprises are not placed on the AI chain
    non_ai = one(s, """SELECT count(*) FROM demo_labels l JOIN enterprises e ON e.uscc = l.uscc
                       WHERE l.node IS NULL AND EXISTS (SELECT 1 FROM placements p WHERE p.enterprise_id = e.id)""")
    assert non_ai <= 0.01 * one(s, "SELECT count(*) FROM demo_labels WHERE node IS NULL")


def test_non_ai_enterprises_give_negatives(default):
    s = default
    n = one(s, "SELECT count(*) FROM enterprises WHERE scope NOT LIKE '%人工智能%'")
    assert n >= 0.15 * one(s, "SELECT count(*) FROM enterprises")


# -- no real names ----------------------------------------------------------------------------------------------

def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKC", name or "").strip().lower()
    return re.sub(r"[\s()（）·\-]", "", s)


def _real_names(shared) -> set[str]:
    names: set[str] = set()
    specs = [("listed_companies/szse_a_share_list_2026-01.csv", ("公司全称", "A股简称")),
             ("listed_companies/a_share_companies_merged.csv", ("full_name", "short_name")),
             ("ai_companies/itjuzi_china_ai_companies_2018-12.csv", ("legal_name", "brand_name")),
             ("ai_companies/awesome_llms_in_china_2024-11.csv", ("organization",))]
    for rel, cols in specs:
        with open(shared(rel), encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                for c in cols:
                    v = _norm(row.get(c) or "")
                    if len(v) >= 2:
                        names.add(v)
    return names


def test_no_real_company_names(shared, small):
    real = _real_names(shared)
    store, _, _ = small
    ours = {_norm(r[0]) for r in store.con.execute(
        "SELECT name FROM enterprises UNION SELECT alias FROM enterprise_aliases UNION SELECT name FROM investors").fetchall()}
    clash = sorted(ours & real)
    assert clash == []


def test_blocklisted_brands_never_appear(small):
    store, _, _ = small
    block = vocabulary()["blocklist"]
    names = [r[0] for r in store.con.execute("SELECT name FROM enterprises UNION ALL SELECT name FROM investors "
                                             "UNION ALL SELECT alias FROM enterprise_aliases UNION ALL SELECT name FROM persons").fetchall()]
    hits = [(n, b) for n in names for b in block if b in n]
    assert hits == []


def test_demo_ships_example_alert_rules_that_raise_alerts(small, tmp_path):
    """The demo bureau's watchlist (the first leads of 杭州市) and two rules, saved for the local user; each rule
    raises alerts on the demo's events; building the demo again replaces them instead of adding copies."""
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.alerts import feed
    from zhaoshang.services.alerts import rules as R
    from zhaoshang.services.demo.alerts import seed_alert_rules
    from zhaoshang.services.leads.mine import candidate_rows

    store, _, _ = small
    team = open_team_db(str(tmp_path / "team.sqlite"))
    done = seed_alert_rules(store, team)
    rules = done["rules"]
    assert [r["name"] for r in rules] == ["重点关注：杭州市前 8 条招商线索（演示）", "杭州市补链环节的大额融资（演示）",
                                          "杭州市本地企业负面新闻（演示）"]
    first = [r["enterprise_id"] for r in candidate_rows(store, "330100", limit=8)["rows"]]
    assert [e["id"] for e in rules[0]["enterprises"]] == first and len(first) == 8
    assert rules[1]["gaps_of"]["code"] == rules[2]["regions"][0]["code"] == "330100"
    alerts = feed.list_alerts(team, R.LOCAL, limit=1000)
    assert done["alerts"] == len(alerts) > 0 and {a["rule_name"] for a in alerts} == {r["name"] for r in rules}
    again = seed_alert_rules(store, team)
    assert len(R.list_rules(team, R.LOCAL)) == 3 and again["alerts"] == 0  # one alert per rule and event
