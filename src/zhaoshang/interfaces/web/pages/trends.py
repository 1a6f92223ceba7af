"""资本风向 (/trends) and its JSON twin (/api/trends): both call ``services.trends.trends``."""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from ....core.errors import NotFound
from ....services import reference
from ....services.regions import matrix
from ....services.trends import trends
from ...labels import region_names
from ....core.geo.lookup import region_labels
from ..i18n import level_words
from ..schemas import AsOf, DateFrom, DateTo, NodeCode, Region


def _region_choices(store, web, region: str | None) -> dict:
    try:
        info = web.region_info(store, region)
    except NotFound:
        info = None
    pick = reference.picker(store, info)
    return {"provinces": web.provinces(store), "cities": pick["cities"], "sel_province": pick["sel_province"],
            "sel_city": region if info and info["level"] == "city" else None}


def register(app, web) -> None:
    def run(store, region, node, by, start, end, as_of, top):
        args = dict(region=web.clean(region), node=web.clean(node), by=by or "quarter", start=web.clean(start),
                    end=web.clean(end), as_of=web.clean(as_of), top=top)
        return web.cached(store, ("trends",) + tuple(args.values()), lambda: trends(store, **args))

    @app.get("/api/trends", tags=["trends"],
             summary="资本风向（JSON）：按季度/年度、产业链环节、地区的融资金额与轮次，最活跃的投资方及其投向")
    def api_trends(store=Depends(web.get_store),
                   region: Region = None,
                   node: NodeCode = None, by: Literal["quarter", "year"] = "quarter",
                   start: DateFrom = None, end: DateTo = None, as_of: AsOf = None,
                   top: int = Query(10, ge=0, le=100)):
        return web.json(run(store, region, node, by, start, end, as_of, top))

    # a value one of its boxes cannot take (a start after the end: both kept), beside it (forms.py)
    web.form_page("/trends", "region", "node", "by", "start", "end", "as_of")

    @app.get("/trends", response_class=HTMLResponse, include_in_schema=False)
    def trends_page(request: Request, store=Depends(web.get_store), region: Region = None,
                    node: Optional[str] = None, by: str = Query("quarter", pattern="^(quarter|year)$"),
                    start: Optional[str] = None, end: Optional[str] = None, as_of: Optional[str] = None,
                    top: int = Query(10, ge=0, le=100)):
        doc = run(store, region, node, by, start, end, as_of, top)
        region_code = doc["region"]["code"] if doc["region"] else None
        nodes = web.cached(store, ("trend-nodes", doc["chain"]),
                           lambda: [n for n in matrix.chain_nodes(store, doc["chain"]) if n["level"] is not None and n["level"] <= 2])
        params = {k: v for k, v in {"region": region_code, "node": web.clean(node), "by": by if by != "quarter" else None,
                                    "start": web.clean(start), "end": web.clean(end), "as_of": web.clean(as_of)}.items() if v}
        return web.page(request, "trends.html", {
            "nav": "trends", "doc": doc, "doc_json": doc, "nodes": nodes,
            "f": {"region": region_code, "node": web.clean(node), "by": by, "start": web.clean(start) or "",
                  "end": web.clean(end) or "", "as_of": web.clean(as_of) or ""},
            "as_of": doc["as_of"], "json_twin": "/api/trends" + ("?" + urlencode(params) if params else ""),
            "names_en": region_names(store, web.lang_of(request)),
            # the region the page is about, by its one label (Chaoyang, Beijing where the English name is shared)
            "region_label": region_labels(store, [region_code], web.lang_of(request))[region_code] if region_code else None,
            "child_level_name": level_words(doc["child_level"], region_code),  # Hong Kong's districts, not cities
            **_region_choices(store, web, region_code)})
