"""产业链图谱 (/chain, the cell fragment /chain/cell) and its JSON twins (/api/chain, /api/chain/enterprises):
all call ``services.regions.matrix`` like the ``chain`` command."""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from ....core.geo.lookup import region_labels
from ....services import reference
from ....services.regions import matrix
from ..schemas import AsOf, Node, Region


def register(app, web) -> None:
    @app.get("/api/chain", tags=["chain"], summary="产业链图谱（JSON）：环节树及地区/全国企业数、区位商、强链/补链/延链")
    def api_chain(store=Depends(web.get_store), region: Region = None, as_of: AsOf = None,
                  top: int = Query(5, ge=0, le=50)):
        return web.json(matrix.chain_tree(store, web.clean(region), as_of=web.clean(as_of), top=top))  # notes in it

    @app.get("/api/chain/enterprises", tags=["chain"], summary="某环节在某地区的企业（按区县/城市分组）")
    def api_chain_enterprises(node: Node, store=Depends(web.get_store),
                              region: Region = None, as_of: AsOf = None,
                              group_by: Optional[Literal["province", "city", "district"]] = None):
        return web.json(matrix.node_enterprises(store, node, web.clean(region), as_of=web.clean(as_of),
                                                group_by=web.clean(group_by)))

    # a value one of its boxes cannot take: beside it, the others kept (the region's selects: at their default)
    web.form_page("/chain", "region", "as_of")

    @app.get("/chain", response_class=HTMLResponse, include_in_schema=False)
    def chain_page(request: Request, store=Depends(web.get_store), region: Region = None,
                   as_of: Optional[str] = None, node: Optional[str] = None):
        region, as_of = web.clean(region), web.clean(as_of)
        tree = matrix.chain_tree(store, region, as_of=as_of, top=3)
        info = web.region_info(store, region)
        pick = reference.picker(store, info)
        cell = matrix.node_enterprises(store, node, region, as_of=as_of) if node else None
        qs = urlencode({k: v for k, v in {"region": region, "as_of": as_of}.items() if v})
        return web.page(request, "chain.html", {
            "nav": "chain", "tree": tree, "tree_json": tree["nodes"], "region": info,
            "provinces": web.provinces(store), "cities": pick["cities"], "districts": pick["districts"],
            "as_of": as_of, "shown_as_of": tree["as_of"], "cell": cell, "node": node, "json_twin": "/api/chain" + ("?" + qs if qs else ""),
            "unclassified": matrix.not_classified(store), "macros": matrix.load_macros(store), "region_names": web.region_names(store, web.lang_of(request)),
            # the region the page is about, by its one label (Chaoyang, Liaoning where the English name is shared)
            "region_label": region_labels(store, [info["code"]], web.lang_of(request))[info["code"]] if info else None})

    @app.get("/chain/cell", response_class=HTMLResponse, include_in_schema=False)
    def chain_cell_fragment(request: Request, node: str, store=Depends(web.get_store), region: Region = None,
                            as_of: Optional[str] = None):
        cell = matrix.node_enterprises(store, node, web.clean(region), as_of=web.clean(as_of), limit=50)
        names = {n["code"]: n for n in web.facets(store)["nodes"]}
        return web.page(request, "_cell.html", {"cell": cell, "node_info": names.get(node, {"code": node}),
                                                "region_names": web.region_names(store, web.lang_of(request))})
