"""合作网络 (/network) and its JSON twin (/api/network): both call ``services.analytics.network.network``."""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from ....services import reference
from ....services.analytics.network import KINDS, SECONDARY_K, network
from ....services.graph.identity import decisions_state
from ..schemas import AsOf, Level, query_list

Group = query_list("地区组：代码、名称或宏观区域（长三角、京津冀…），逗号分隔")
DEFAULT_GROUP = "北京市,上海市,广东省"  # the group the source article quotes (a starting point; editable)


def register(app, web) -> None:
    def run(store, request: Request, kind: str, level: str, group: str | None, as_of: str | None, edges: int,
            secondary: int = SECONDARY_K) -> dict:
        group, as_of = web.clean(group), web.clean(as_of)
        team = request.app.state.team  # shared people are one person by the identity rules and the team's decisions

        def build():
            doc = network(store, kind, level, group, as_of, top_edges=edges, secondary_k=secondary, team=team)
            codes = sorted({r["region"] for r in doc["nodes"]} | set(doc["group"]))
            rows = reference.region_coords(store, codes)
            doc["coords"] = {r["code"]: [r["lng"], r["lat"]] for r in rows if r["lng"] is not None}
            doc["names_en"] = {r["code"]: r["name_en"] for r in rows if r["name_en"]}
            for g in doc.get("group_given") or []:  # a macro-region given as the group has an English name too
                if g["code"] not in doc["names_en"]:
                    doc["names_en"][g["code"]] = (reference.region_info(store, g["code"]) or {}).get("name_en") or g["name"]
            doc["synthetic"] = bool(store.synthetic)
            return doc

        return web.cached(store, ("network", kind, level, group, as_of, edges, secondary,
                                  decisions_state(team) if kind in ("people", "all") else None), build)

    @app.get("/api/network", tags=["network"],
             summary="地区间合作网络（JSON）：组内合作占比、输出占比、密度、各地区中心性、次级节点、趋势与地图坐标")
    def api_network(request: Request, store=Depends(web.get_store),
                    kind: Literal[KINDS] = "patent",
                    level: Optional[Level] = Query(None, description="区域层级；默认为地区组中最细的层级（无组时为 province）"),
                    group: Group = None,
                    as_of: AsOf = None,
                    edges: int = Query(60, ge=0, le=2000, description="返回的最强连线条数"),
                    secondary: int = Query(SECONDARY_K, ge=0, le=2000, description="次级节点个数上限")):
        return web.json(run(store, request, kind, level, group, as_of, edges, secondary))

    # a value one of its boxes cannot take (a region of the group it cannot read): beside it (forms.py)
    web.form_page("/network", "kind", "level", "group", "as_of")

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    def network_page(request: Request, store=Depends(web.get_store), kind: str = "patent",
                     level: Optional[str] = Query(None, pattern="^(province|city)?$"), group: Group = None,
                     as_of: Optional[str] = None, edges: int = Query(60, ge=0, le=500)):
        level = web.clean(level)  # not given (or 按地区组): the group's finest level — 苏州市,杭州市 is a city network
        shown = group
        if group is None:  # first visit: the article's group at province level
            group = DEFAULT_GROUP if level in (None, "province") else ""
        doc = run(store, request, kind, level, group, as_of, edges)
        if shown is None and group and web.lang_of(request) == "en":  # the default group by its English names
            shown = ",".join(doc["names_en"].get(c, n) for c, n in zip(doc["group"], doc["group_names"]))
        params = {k: v for k, v in {"kind": kind, "level": level or doc["level"], "group": web.clean(group),
                                    "as_of": web.clean(as_of), "edges": edges}.items() if v not in (None, "")}
        return web.page(request, "network.html", {
            "nav": "network", "doc": doc, "doc_json": doc, "kinds": KINDS,
            "f": {"kind": kind, "level": level, "group": shown or group or "", "as_of": web.clean(as_of) or ""},
            "as_of": doc["as_of"], "json_twin": "/api/network?" + urlencode(params)})
