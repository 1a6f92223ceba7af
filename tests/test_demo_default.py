"""The synthetic demo at its default scale: calibration against the published targets, measured on the built
database, the classifier on the generated population, renamed enterprises. (A module of its own so that the
large build runs beside the small one in tests/test_demo.py.)"""

from __future__ import annotations

import pytest

from zhaoshang.core.geo.lookup import region_condition, resolve_region
from zhaoshang.core.store import Store
from zhaoshang.services.demo import build_demo
from zhaoshang.services.demo.population import calibration

from test_demo import CORE, _rate, one


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


def test_renamed_enterprises_file_under_their_former_name(default):
    s = default
    # patents applied for before a rename carry the former name, and link through the alias
    n = one(s, """SELECT count(*) FROM patent_applicants a JOIN enterprises e ON e.id = a.enterprise_id
                  JOIN enterprise_aliases al ON al.enterprise_id = e.id AND al.alias = a.name
                  WHERE a.name <> e.name""")
    assert n > 0
    assert one(s, "SELECT count(*) FROM patent_applicants WHERE enterprise_id IS NULL") == 0
    assert _rate(s, "fundings", "enterprise_id") == 1.0

# -- calibration (default scale, measured on the database) ----------------------------------------------------

def _tol(name):
    return calibration()["targets"][name]


def _within(s, *names) -> tuple[str, list]:
    """SQL condition on enterprises ``e`` lying in any of the named regions, as the region service defines them
    (macro-regions by their members, municipalities by their province code)."""
    parts, params = [], []
    for name in names:
        cond, p = region_condition(resolve_region(s, name), "e")
        parts.append(cond)
        params += p
    return "(" + " OR ".join(parts) + ")", params


def test_calibration_enterprise_counts_and_shares(default):
    s = default
    n = one(s, f"SELECT count(*) FROM enterprises WHERE {CORE}")
    t = _tol("core_ai_enterprises")
    assert abs(n - t["value"]) <= t["value"] * t["tolerance"]

    def share(where):
        return one(s, f"SELECT count(*) FILTER (WHERE {where[0]})::DOUBLE / count(*) FROM enterprises e WHERE {CORE}", where[1])

    yrd = _within(s, "长三角")
    for name, where in [("three_poles_share", _within(s, "京津冀", "长三角", "广东")), ("yrd_share", yrd),
                        ("guangdong_share", _within(s, "广东"))]:
        t = _tol(name)
        assert abs(share(where) - t["value"]) <= t["tolerance"], name
    n_yrd = one(s, f"SELECT count(*) FROM enterprises e WHERE {CORE} AND {yrd[0]}", yrd[1])
    t = _tol("yrd_enterprises")
    assert abs(n_yrd - t["value"]) <= t["value"] * t["tolerance"]
    t = _tol("yrd_province_split")
    for prov, val in t["value"].items():
        got = one(s, f"SELECT count(*) FILTER (WHERE e.province_code = ?)::DOUBLE / count(*) FROM enterprises e "
                     f"WHERE {CORE} AND {yrd[0]}", [str(prov)] + yrd[1])
        assert abs(got - val) <= t["tolerance"], prov


def test_calibration_growth_of_multi_centre_cities(default):
    s = default
    poles, params = _within(s, "京津冀", "长三角", "广东")

    def stock(y):
        return one(s, f"""SELECT count(*) FROM enterprises e WHERE scope LIKE '%人工智能%' AND NOT {poles}
                          AND founded <= DATE '{y}-12-31' AND (dissolved IS NULL OR dissolved > DATE '{y}-12-31')""", params)

    cagr = (stock(2024) / stock(2021)) ** (1 / 3) - 1
    t = _tol("central_western_growth")
    assert abs(cagr - t["value"]) <= t["tolerance"]


def test_calibration_hangzhou_benchmarks(default):
    s = default
    t = _tol("hangzhou_benchmarks")
    hz, params = _within(s, "杭州")
    assert one(s, f"SELECT count(*) FROM enterprises e WHERE list_contains(tags, '标杆') AND {hz}", params) == t["value"]
    assert one(s, "SELECT count(*) FROM enterprises WHERE list_contains(tags, '标杆')") == t["value"]
    for dname, n in t["districts"].items():
        got = one(s, "SELECT count(*) FROM enterprises e JOIN regions r ON r.code = e.district_code "
                     "WHERE list_contains(e.tags, '标杆') AND r.name = ?", [dname])
        assert got == n, dname


def test_calibration_beijing_models_and_unicorns(default):
    s = default
    bj, params = _within(s, "北京")
    got = one(s, f"SELECT count(*) FILTER (WHERE {bj})::DOUBLE / count(*) "
                 f"FROM enterprises e WHERE {CORE} AND products LIKE '%通用大模型%'", params)
    t = _tol("beijing_general_model_share")
    assert abs(got - t["value"]) <= t["tolerance"]
    got = one(s, f"SELECT count(*) FILTER (WHERE {bj})::DOUBLE / count(*) FROM enterprises e "
                 "WHERE list_contains(tags, '独角兽')", params)
    t = _tol("beijing_unicorn_share")
    assert abs(got - t["value"]) <= t["tolerance"]


def test_calibration_cooperation_between_provinces(default):
    """Measured with the product's own definitions (services.analytics.network, docs/methods.md): the
    co-applied-patent network between provinces, group 北京 + 广东 + 上海."""
    from zhaoshang.services.analytics.network import network

    poles = {resolve_region(default, name).code for name in ("北京", "广东", "上海")}
    got = network(default, kind="patent", level="province", group=sorted(poles))
    t = _tol("cooperation_internal_share")
    assert abs(got["internal_share"] - t["value"]) <= t["tolerance"], got["internal_share"]
    t = _tol("cooperation_output_share")
    assert abs(got["external_output_share"] - t["value"]) <= t["tolerance"], got["external_output_share"]
    # the three poles are the most central regions of the network
    top3 = {n["region"] for n in sorted(got["nodes"], key=lambda n: -n["strength"])[:3]}
    assert top3 == poles


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
