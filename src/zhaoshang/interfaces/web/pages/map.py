"""产业地图 (/map) and its JSON twins: the region numbers (/api/map) and one region's side panel
(/api/regions/{code}); both call ``services.regions.matrix`` like the ``map`` command."""

from __future__ import annotations

from typing import Optional

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ....core.asof import reference_date
from ....core.geo.lookup import municipalities
from ....services import reference
from ....services.regions import matrix
from ..geo import Boundaries
from ..schemas import AsOf, Level, Metric, NodeCode, Region, RegionPath


def resolved_node(store, node: str | None) -> str | None:
    """The node a request names as the one node lookup reads it (m05, computer vision → M05), so that the answer
    says the code, not the text typed; the chain's own code (the whole chain) and no node are kept as given."""
    return (matrix.chain_node(store, matrix.default_chain(store), node) or node) if node else node


def register(app, web) -> None:
    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/map", status_code=302)

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, store=Depends(web.get_store), as_of: AsOf = None):
        return web.page(request, "map.html", {"nav": "map", "facets": web.facets(store), "json_twin": "/api/map",
                                              "as_of": reference_date(store, web.clean(as_of)).isoformat(),
                                              "boundaries": "user" if web.bounds.user_paths else "package",
                                              "municipalities": municipalities(),
                                              "vendor": Boundaries.vendor_available()})

    @app.get("/api/map", tags=["map"], summary="产业地图（JSON）：各地区的企业数、占比、区位商与标签")
    def api_map(store=Depends(web.get_store),
                level: Level = "province", parent: Region = None, node: NodeCode = None, metric: Metric = "count",
                as_of: AsOf = None,
                top: int = Query(0, ge=0, le=20)):
        parent, node, as_of = web.clean(parent), resolved_node(store, web.clean(node)), web.clean(as_of)
        rows = matrix.region_map(store, level, parent=parent, node=node, as_of=as_of, metric=metric, top=top)
        # the placed enterprises no row of this level holds: a province's without a city in a drill-down, the
        # nation's with no region in China at the top (None for macro-regions, which overlap)
        unplaced = matrix.unplaced(store, parent, level, node=node, as_of=as_of, rows=rows)
        return web.json({"level": level, "parent": parent, "node": node, "metric": metric,
                         "as_of": reference_date(store, as_of).isoformat(), "synthetic": store.synthetic, "rows": rows,
                         "unplaced": unplaced})

    @app.get("/api/regions/{code}", tags=["map"], summary="地区侧栏：产业链分布与头部企业")
    def api_region(code: RegionPath, store=Depends(web.get_store), node: NodeCode = None,
                   as_of: AsOf = None, top: int = Query(8, ge=0, le=50)):
        node, as_of = resolved_node(store, web.clean(node)), web.clean(as_of)
        info = web.region_info(store, code, required=True)  # as every route reads a region; a blank path refused
        code = info["code"]  # a name or path given: its code
        tree = matrix.chain_tree(store, code, as_of=as_of, top=0)
        flat = [n for n in matrix.flatten_tree(tree["nodes"]) if n["depth"] <= 1]
        tops = matrix.top_enterprises(store, [code], info["level"], node=node, as_of=as_of, limit=top)
        child = reference.child_level(info)
        return web.json({"region": info, "as_of": tree["as_of"], "node": node,
                         "region_total": tree["region_total"], "national_total": tree["national_total"],
                         "nodes": flat, "top": tops.get(code, []), "child_level": child,
                         # its enterprises (all placed ones) that no region of the child level holds
                         "unplaced": matrix.unplaced(store, code, child, as_of=as_of) if child else None,
                         "breadcrumb": web.breadcrumb(store, code)})
