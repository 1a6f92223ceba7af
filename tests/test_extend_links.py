"""延链 (extend along the chain from the links a region holds) on a hand-built chain of four segments in five cities:
an average segment is 延链 only when its relatedness density to the region's held segments is at or above the
region's median (docs/methods.md, "Region × chain matrix"), the same in the chain tree, the map and the region page;
the expected densities are computed here from the published formulas on the hand counts, not by the service."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_util import require_browser, serving  # noqa: E402

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.regions import matrix as m  # noqa: E402

CITIES = {"cd": ("510000", "510100", "510104"), "bj": ("110000", "110100", "110108"), "sh": ("310000", "310100", "310104"),
          "wh": ("420000", "420100", "420102"), "xa": ("610000", "610100", "610104")}
SEGS = ["S1", "S2", "S3", "S4"]
# enterprises per city and segment (each placed once). 成都 holds S1 strongly (LQ 1.34, 6 firms); S2, S3 and S4 are
# average there (LQ 1.06, 1.00, 0.53). Cities strong in S1 are strong in S2 too; S3 and S4 go together elsewhere.
COUNTS = {"cd": [6, 4, 4, 2], "bj": [6, 5, 1, 2], "sh": [1, 1, 6, 6], "wh": [1, 1, 5, 5], "xa": [5, 5, 1, 1]}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("extend") / "e.duckdb"
    s = Store(str(path))
    x = s.con.execute
    x("INSERT INTO imports (id, kind, source, data_date) VALUES (1, 'enterprises', 'test', DATE '2022-12-31')")
    x("INSERT INTO chain_nodes VALUES ('ai', 'R', NULL, 1, 'midstream', '根', 'Root', NULL, 0)")
    for i, code in enumerate(SEGS, 1):
        x("INSERT INTO chain_nodes VALUES ('ai', ?, 'R', 2, 'midstream', ?, ?, NULL, ?)",
          [code, f"环节{code}", f"Segment {code}", i])
    eid = 0
    for city, counts in COUNTS.items():
        p, c, d = CITIES[city]
        for seg, n in zip(SEGS, counts):
            for _ in range(n):
                eid += 1
                x("INSERT INTO enterprises (id, name, founded, status, country, province_code, city_code, district_code, "
                  "last_import_id) VALUES (?, ?, DATE '2010-01-01', '存续', 'CN', ?, ?, ?, 1)",
                  [eid, f"{city}{seg}企业{eid}科技有限公司", p, c, d])
                x("INSERT INTO placements (enterprise_id, chain, node_code, confidence) VALUES (?, 'ai', ?, 0.9)", [eid, seg])
    s.close()
    return path


def expected_related(city: str) -> set[str]:
    """Mcp (RCA ≥ 1), proximity φ = co-occurrence / max ubiquity, density ω = Σ M φ / Σ φ, and the median split,
    straight from the formulas."""
    X = np.array([COUNTS[c] for c in CITIES], float)
    rca = (X / X.sum(1, keepdims=True)) / (X.sum(0) / X.sum())
    M = (rca >= 1).astype(float)
    u = M.sum(0)
    phi = (M.T @ M) / np.maximum(u[:, None], u[None, :])
    w = (M @ phi) / phi.sum(1)
    row = w[list(CITIES).index(city)]
    return {s for s, v in zip(SEGS, row) if v >= np.median(row)}


def test_extend_only_next_to_the_links_held(db):
    assert expected_related("cd") == {"S1", "S2"}  # the hand computation: S2 sits with S1; S3, S4 elsewhere
    with Store(str(db), read_only=True) as s:
        tree = {n["code"]: n for n in m.flatten_tree(m.chain_tree(s, "510100")["nodes"])}
        assert {c: (tree[c]["status"], tree[c]["label"]) for c in SEGS} == {
            "S1": ("strong", "强链"), "S2": ("average", "延链"), "S3": ("average", None), "S4": ("average", None)}
        # every city: 延链 exactly on its average segments of the expected related set
        for city, (_, code, _) in CITIES.items():
            t = {n["code"]: n for n in m.flatten_tree(m.chain_tree(s, code)["nodes"])}
            rel = expected_related(city)
            for seg in SEGS:
                if t[seg]["status"] == "average":
                    assert (t[seg]["label"] == "延链") == (seg in rel), (city, seg)
            # the map gives each cell the label the tree gives it
            for seg in SEGS + ["R"]:
                row = next(r for r in m.region_map(s, "city", node=seg) if r["code"] == code)
                assert (row["status"], row["label"]) == (t[seg]["status"], t[seg]["label"]), (city, seg)


def test_the_region_page_lists_extend_and_hold(db, chromium):
    require_browser()
    with serving(db) as base, chromium as b:
        pg = b.new_page()
        pg.goto(base + "/region/510100")
        links = pg.locator("#sec-links")
        links.wait_for()
        extend = links.locator(".col.average")
        assert "环节S2" in extend.inner_text() and "环节S3" not in extend.inner_text()
        assert extend.locator("h4").inner_text().strip().endswith("1")
        hold = pg.locator("#links-hold").inner_text()
        assert "2" in hold and "环节S3" in hold and "环节S4" in hold and "环节S2" not in hold
        pg.goto(base + "/region/510100?lang=en")
        assert "Segment S3" in pg.locator("#links-hold").inner_text()
