"""Reference answers behind every page: database overview (/api/meta), filter choices (/api/facets), region
lists (/api/regions) and boundaries (/api/geo/{code})."""

from __future__ import annotations

from typing import Optional

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from ....core.errors import NotFound
from ....services import reference
from ..schemas import Code, Level


def register(app, web) -> None:
    @app.get("/api/meta", tags=["meta"], summary="数据库概况：合成标记、数据来源、阈值、当前用户")
    def api_meta(store=Depends(web.get_store), user=Depends(web.current_user)):
        return web.json({**web.meta(store),
                         "user": {"id": user.id, "name": user.name, "role": user.role, "is_anonymous": user.is_anonymous}})

    @app.get("/api/facets", tags=["enterprises"], summary="筛选项：产业链环节、融资轮次、标签")
    def api_facets(store=Depends(web.get_store)):
        return web.json({**web.facets(store), "provinces": web.provinces(store)})

    @app.get("/api/geo/{code}", tags=["map"], summary="行政区划边界（GeoJSON；100000 = 全国）")
    def api_geo(code: str, request: Request):
        lang = web.lang_of(request)  # the regions named in the page's language

        def build():
            view = web.bounds.view(code, lang)
            if not view["features"]:
                raise NotFound(f"没有该地区的边界: {code}", f"no boundary for this region: {code}")
            return view

        doc = web.cache.get_or_build(("geo", code, lang), build)  # boundaries do not change with the data
        return JSONResponse(doc, headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/api/regions", tags=["map"], summary="地区列表（某地区的下级）")
    def api_regions(store=Depends(web.get_store), parent: Code = None, level: Optional[Level] = None):
        return web.json(reference.region_children(store, parent, level))
