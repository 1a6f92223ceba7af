"""产业地图 (/map) and its JSON twins: the region numbers (/api/map) and one region's side panel
(/api/regions/{code}); both call ``services.regions.matrix`` like the ``map`` command."""

from __future__ import annotations

from typing import Optional

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ....core.asof import reference_date
from ....core.errors import UserError
from ....core.explain import page_href
from ....core.geo.lookup import municipalities
from ....services import reference
from ....services.regions import matrix
from ..context import link_as_of
from ..geo import Boundaries
from ..i18n import level_words
from ..schemas import AsOf, Level, Metric, NodeCode, Region, RegionPath


def resolved_node(store, node: str | None) -> str | None:
    """The node a request names as the one node lookup reads it (m05, computer vision → M05), so that the answer
    says the code, not the text typed; the chain's own code (the whole chain) and no node are kept as given."""
    return (matrix.chain_node(store, matrix.default_chain(store), node) or node) if node else node


def map_view(store, region: str | None) -> tuple[str, str | None]:
    """The level and the parent the map draws for its ``?region=``, as map.js restores a drilled view from the
    region's breadcrumb: a province's cities (a municipality's districts), a city's districts, a district among its
    city's; the provinces for none (or a region not known: the page says so when it draws)."""
    try:
        info = reference.region_info(store, region)
    except UserError:
        info = None
    level, parent = "province", None
    for b in reference.breadcrumb(store, info["code"]) if info else []:
        if b["level"] == "province":
            level, parent = ("district" if b["code"] in municipalities() else "city"), b["code"]
        elif b["level"] == "city":
            level, parent = "district", b["code"]
    return level, parent


def map_twin(store, request: Request) -> str:
    """The JSON twin of the view a map URL shows (its drill-down, node, metric and as-of): the /api/map request
    map.js makes to draw it, parameters in the same order (map.js keeps the link in step as the view changes)."""
    q = request.query_params
    level, parent = map_view(store, q.get("region"))
    metric = q.get("metric") if q.get("metric") in matrix.METRICS else "count"
    return page_href("/api/map", level=level, parent=parent, node=q.get("node"), metric=metric, as_of=link_as_of(request))


def register(app, web) -> None:
    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/map", status_code=302)

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, store=Depends(web.get_store), as_of: AsOf = None):
        lang = web.lang_of(request)
        return web.page(request, "map.html", {"nav": "map", "facets": web.facets(store), "json_twin": map_twin(store, request),
                                              "node_names": web.node_names(store, lang),
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
        # why the numbers are not there: no segment for an LQ, no enterprise placed yet (the ``map`` command's notes)
        notes = [x for x in (matrix.not_classified(store), matrix.metric_note(store, metric, node)) if x]
        return web.json({"level": level, "parent": parent, "node": node, "metric": metric,
                         "as_of": reference_date(store, as_of).isoformat(), "synthetic": store.synthetic, "rows": rows,
                         "unplaced": unplaced, "notes": [zh for zh, _ in notes], "notes_en": [en for _, en in notes],
                         "level_name": level_words(level, web.region_info(store, parent)["code"] if parent else None)})

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
                         "child_level_name": level_words(child, code),
                         # its enterprises (all placed ones) that no region of the child level holds
                         "unplaced": matrix.unplaced(store, code, child, as_of=as_of) if child else None,
                         "breadcrumb": web.breadcrumb(store, code)})
