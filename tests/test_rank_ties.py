"""Enterprises of the same registered capital stand in one order wherever enterprises are ranked by it — the
enterprise library (注册资本 sort), the map's region panel and the region page's top enterprises: by id
(services/ranking.py). The region page put a listed one first and the panel went by name, while the library went by
id; on the demo, through each view's JSON twin."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from web_util import local_client  # noqa: E402


def test_equal_capitals_rank_by_id_in_the_library_the_map_panel_and_the_region_page(demo_db):
    from zhaoshang.interfaces.web.app import create_app

    with duckdb.connect(str(demo_db), read_only=True) as con:
        # a city whose top 8 placed enterprises hold two of the same capital that a rule by listing or by name
        # would put the other way round
        ties = con.execute(
            """WITH p AS (SELECT * FROM enterprises WHERE id IN (SELECT enterprise_id FROM placements WHERE chain = 'ai')
                            AND dissolved IS NULL AND city_code IS NOT NULL),
                    r AS (SELECT city_code, id, name, capital_wan, listed_code IS NOT NULL AS listed,
                                 row_number() OVER (PARTITION BY city_code ORDER BY capital_wan DESC NULLS LAST, id) AS rk
                          FROM p)
               SELECT a.city_code, a.id, b.id FROM r a JOIN r b ON a.city_code = b.city_code
                 AND a.capital_wan = b.capital_wan AND a.id < b.id
               WHERE b.rk <= 8 AND (b.listed AND NOT a.listed OR b.name < a.name)
               ORDER BY a.city_code, a.id""").fetchall()
        # one the listing would turn round (the region page's rule), one the name would (the panel's)
        listed = [t for t in ties if con.execute("SELECT listed_code IS NOT NULL FROM enterprises WHERE id = ?",
                                                 [t[2]]).fetchone()[0]][:1]
        named = [t for t in ties if con.execute("SELECT (SELECT name FROM enterprises WHERE id = ?) < "
                                                "(SELECT name FROM enterprises WHERE id = ?)", [t[2], t[1]]).fetchone()[0]][:1]
    assert listed and named, ("the demo has no such ties", ties)
    c = local_client(create_app(str(demo_db)))
    for city, first, second in listed + named:
        views = {
            "library": [r["id"] for r in c.get(f"/api/enterprises?region={city}&size=500").json()["items"]],
            "map panel": [r["id"] for r in c.get(f"/api/regions/{city}?top=50").json()["top"]],
            "region page": [r["id"] for r in c.get(f"/api/region-profile/{city}").json()["top_enterprises"]["rows"]],
        }
        for view, ids in views.items():
            assert first in ids and second in ids, (view, city, first, second, ids)
            assert ids.index(first) < ids.index(second), (view, city, first, second, ids)
