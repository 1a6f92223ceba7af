"""The web app: server-rendered pages (Jinja2) and their JSON twins under /api (OpenAPI at /docs).

Pages and API routes call the same service functions as the CLI. ``create_app(db_path, geojson=None)``
builds the app; ``serve(...)`` runs it with uvicorn on 127.0.0.1 by default.
"""

from __future__ import annotations

import copy
import datetime as _dt
import decimal
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import urlencode

import duckdb
from fastapi import Depends, FastAPI, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from ...core.errors import NotFound, UserError
from ...core.store import Store
from ...services import enterprises as ent_svc
from ...services.regions import matrix
from .geo import Boundaries
from .i18n import STRINGS, translate

HERE = Path(__file__).parent
LEVEL_CHILD = {"nation": "province", "province": "city", "city": "district"}


# ------------------------------------------------------------------------------------------- plumbing
def _open(db_path: str) -> Store:
    """The served database: attached read-only to an in-memory connection, whose own writable catalog
    holds the prepared per-enterprise table of the region × chain matrix (``matrix.prepare_cache``)."""
    if db_path == ":memory:" or not Path(db_path).exists():
        return Store(db_path)
    Store(db_path, read_only=True).close()  # the same clear errors as everywhere (missing file, lock held)
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{db_path.replace(chr(39), chr(39) * 2)}' AS zsdb (READ_ONLY)")
    con.execute("USE zsdb")
    store = Store.__new__(Store)
    store.path, store.con, store.read_only = db_path, con, True
    try:
        matrix.prepare_cache(store, schema="memory.main")
    except duckdb.Error:  # an empty or foreign database: the direct queries still answer
        pass
    return store


def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q:
        return "en" if q.lower().startswith("en") else "zh"
    c = request.cookies.get("lang")
    return "en" if c == "en" else "zh"


def _default(v: Any) -> Any:
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (set, tuple)):
        return list(v)
    return str(v)


class FastJSON(Response):
    """JSON without FastAPI's generic (slow) encoder: our rows hold only plain values and dates."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _clean(v: Any) -> Any:
    return None if v in ("", None) else v


def create_app(db_path: str, geojson: Any = None) -> FastAPI:
    """The FastAPI app over the database at ``db_path`` (opened read-only when it exists)."""
    base = _open(str(db_path))
    bounds = Boundaries(geojson)
    app = FastAPI(title="招商图谱 Zhaoshang API",
                  description="产业地图、产业链图谱、企业库、企业画像的数据接口（每个网页都有对应的 JSON 接口）。",
                  version="0.1.0")
    app.state.store = base
    app.state.bounds = bounds
    app.state.cache = {}
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["pretty"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def _cursor_store() -> Store:
        s = copy.copy(base)
        s.con = base.con.cursor()  # one cursor per request: DuckDB connections are not shared across threads
        if base.path != ":memory:" and base.read_only:
            s.con.execute("USE zsdb")
        return s

    def get_store() -> Iterator[Store]:
        s = _cursor_store()
        try:
            yield s
        finally:
            s.con.close()

    def cached(key: tuple, fn):
        c = app.state.cache
        if key not in c:
            c[key] = fn()
        return c[key]

    def meta(store: Store) -> dict:
        def build():
            sources = store.query(
                """SELECT source, string_agg(DISTINCT kind, ',') AS kind, max(data_date) AS data_date,
                          max(finished_at) AS imported_at, sum(rows_imported) AS rows
                   FROM imports GROUP BY source ORDER BY source""")
            if not sources:
                sources = store.query("SELECT source, 'enterprises' AS kind, NULL AS data_date, NULL AS imported_at, "
                                      "count(*) AS rows FROM enterprises GROUP BY source ORDER BY source")
            return {"synthetic": store.synthetic, "sources": sources, "chain": matrix.default_chain(store),
                    "thresholds": {"strong_lq": matrix.STRONG_LQ, "weak_lq": matrix.WEAK_LQ, "min_strong": matrix.MIN_STRONG}}
        return cached(("meta",), build)

    def facets(store: Store) -> dict:
        return cached(("facets",), lambda: ent_svc.facets(store))

    def provinces(store: Store) -> list[dict]:
        return cached(("provinces",), lambda: store.query(
            "SELECT code, name, name_en FROM regions WHERE level = 'province' ORDER BY code"))

    def region_info(store: Store, code: str | None) -> dict | None:
        if not code:
            return None
        for m in matrix.load_macros(store):
            if code == m["code"]:
                return {"code": m["code"], "name": m["name"], "level": "macro"}
        rows = store.query("SELECT code, name, name_en, level, parent_code, province_code, city_code, lng, lat "
                           "FROM regions WHERE code = ?", [code])
        if not rows:
            raise NotFound(f"未找到地区: {code}")
        return rows[0]

    def breadcrumb(store: Store, code: str | None) -> list[dict]:
        out = []
        while code:
            r = store.query("SELECT code, name, level, parent_code FROM regions WHERE code = ?", [code])
            if not r:
                break
            r = r[0]
            if not (r["level"] == "city" and r["parent_code"] in ("110000", "120000", "310000", "500000")):
                out.append(r)
            code = r["parent_code"]
        return list(reversed(out))

    # -------------------------------------------------------------------------------- errors
    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "status": 404}, status_code=404)
        return page(request, "error.html", {"message": str(exc), "status": 404}, status_code=404)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc), "status": 400}, status_code=400)
        return page(request, "error.html", {"message": str(exc), "status": 400}, status_code=400)

    @app.middleware("http")
    async def _lang_cookie(request: Request, call_next):
        response = await call_next(request)
        q = request.query_params.get("lang")
        if q:
            response.set_cookie("lang", "en" if q.lower().startswith("en") else "zh", max_age=365 * 86400, samesite="lax")
        return response

    def page(request: Request, name: str, ctx: dict, status_code: int = 200):
        lang = lang_of(request)
        s = _cursor_store()
        try:
            m = meta(s)
        finally:
            s.con.close()

        def url_with(**kw):
            params = dict(request.query_params)
            for k, v in kw.items():
                if v is None:
                    params.pop(k, None)
                else:
                    params[k] = v
            return request.url.path + ("?" + urlencode(params) if params else "")

        full = {"request": request, "lang": lang, "t": lambda key: translate(key, lang),
                "tz": lambda zh, en: en if lang == "en" else zh, "meta": m, "synthetic": m["synthetic"],
                "today": _dt.date.today().isoformat(), "url_with": url_with, "strings": STRINGS, **ctx}
        return templates.TemplateResponse(request, name, full, status_code=status_code)

    # -------------------------------------------------------------------------------- API
    @app.get("/api/meta", tags=["meta"], summary="数据库概况：合成标记、数据来源、阈值")
    def api_meta(store: Store = Depends(get_store)):
        return FastJSON({**meta(store), "as_of": _dt.date.today().isoformat()})

    @app.get("/api/map", tags=["map"], summary="产业地图（JSON）：各地区的企业数、占比、区位商与标签")
    def api_map(store: Store = Depends(get_store),
                level: str = Query("province", description="province|city|district|macro"),
                parent: Optional[str] = Query(None, description="只列出该地区的下级"),
                node: Optional[str] = Query(None, description="产业链环节代码（空 = 全部）"),
                metric: str = Query("count", description="count|share|lq"),
                as_of: Optional[str] = Query(None, description="截至日期 YYYY-MM-DD"),
                top: int = Query(0, ge=0, le=20)):
        rows = matrix.region_map(store, level, parent=_clean(parent), node=_clean(node), as_of=_clean(as_of),
                                 metric=metric, top=top)
        return FastJSON({"level": level, "parent": _clean(parent), "node": _clean(node), "metric": metric,
                                 "as_of": matrix.as_of_date(_clean(as_of)).isoformat(), "synthetic": store.synthetic,
                                 "rows": rows})

    @app.get("/api/regions/{code}", tags=["map"], summary="地区侧栏：产业链分布与头部企业")
    def api_region(code: str, store: Store = Depends(get_store), node: Optional[str] = None,
                   as_of: Optional[str] = None, top: int = Query(8, ge=0, le=50)):
        info = region_info(store, code)
        tree = matrix.chain_tree(store, code, as_of=_clean(as_of), top=0)
        flat = [n for n in matrix.flatten_tree(tree["nodes"]) if n["depth"] <= 1]
        level = info["level"]
        tops = matrix.top_enterprises(store, [code], level, node=_clean(node), as_of=_clean(as_of), limit=top)
        child = "district" if (level == "province" and code in ("110000", "120000", "310000", "500000")) else LEVEL_CHILD.get(level)
        return FastJSON({"region": info, "as_of": tree["as_of"], "node": _clean(node),
                                 "region_total": tree["region_total"], "national_total": tree["national_total"],
                                 "nodes": flat, "top": tops.get(code, []), "child_level": child,
                                 "breadcrumb": breadcrumb(store, code)})

    @app.get("/api/chain", tags=["chain"], summary="产业链图谱（JSON）：环节树及地区/全国企业数、区位商、强链/补链/延链")
    def api_chain(store: Store = Depends(get_store), region: Optional[str] = None, as_of: Optional[str] = None,
                  top: int = Query(5, ge=0, le=50)):
        return FastJSON(matrix.chain_tree(store, _clean(region), as_of=_clean(as_of), top=top))

    @app.get("/api/chain/enterprises", tags=["chain"], summary="某环节在某地区的企业（按区县/城市分组）")
    def api_chain_enterprises(node: str, store: Store = Depends(get_store), region: Optional[str] = None,
                              as_of: Optional[str] = None, group_by: Optional[str] = None):
        return FastJSON(matrix.node_enterprises(store, node, _clean(region), as_of=_clean(as_of),
                                                        group_by=_clean(group_by)))

    def _filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of) -> dict:
        return {"q": _clean(q), "region": _clean(region), "node": _clean(node), "founded_from": _clean(founded_from),
                "founded_to": _clean(founded_to), "stage": _clean(stage), "listed": _clean(listed), "tags": _clean(tags),
                "sort": sort or "-capital", "as_of": _clean(as_of)}

    @app.get("/api/enterprises", tags=["enterprises"], summary="企业库（JSON）：检索、筛选、排序、分页")
    def api_enterprises(store: Store = Depends(get_store), q: Optional[str] = None, region: Optional[str] = None,
                        node: Optional[str] = None, founded_from: Optional[str] = None, founded_to: Optional[str] = None,
                        stage: Optional[str] = None, listed: Optional[str] = None, tags: Optional[str] = None,
                        sort: str = "-capital", page: int = Query(1, ge=1), size: int = Query(50, ge=1, le=1000),
                        as_of: Optional[str] = None):
        f = _filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of)
        res = ent_svc.search_enterprises(store, page=page, size=size, **f)
        return FastJSON({**res, "filters": f, "synthetic": store.synthetic})

    @app.get("/api/enterprises/export", tags=["enterprises"], summary="导出筛选结果（xlsx 或 csv）")
    def api_export(request: Request, store: Store = Depends(get_store), q: Optional[str] = None,
                   region: Optional[str] = None, node: Optional[str] = None, founded_from: Optional[str] = None,
                   founded_to: Optional[str] = None, stage: Optional[str] = None, listed: Optional[str] = None,
                   tags: Optional[str] = None, sort: str = "-capital", as_of: Optional[str] = None,
                   format: str = Query("xlsx", pattern="^(xlsx|csv)$")):
        f = _filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of)
        fd, tmp = tempfile.mkstemp(suffix="." + format, prefix="zhaoshang-export-")
        os.close(fd)
        ent_svc.export_enterprises(store, tmp, fmt=format, lang=lang_of(request), **f)
        stamp = _dt.date.today().strftime("%Y%m%d")
        media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if format == "xlsx"
                 else "text/csv; charset=utf-8")
        return FileResponse(tmp, media_type=media, filename=f"enterprises-{stamp}.{format}",
                            background=BackgroundTask(os.unlink, tmp))

    @app.get("/api/enterprises/{key}", tags=["enterprises"], summary="企业画像（JSON）：按编号、信用代码或名称")
    def api_enterprise(key: str, store: Store = Depends(get_store), as_of: Optional[str] = None):
        return FastJSON({**ent_svc.enterprise_profile(store, key, as_of=_clean(as_of)), "synthetic": store.synthetic})

    @app.get("/api/facets", tags=["enterprises"], summary="筛选项：产业链环节、融资轮次、标签")
    def api_facets(store: Store = Depends(get_store)):
        return FastJSON({**facets(store), "provinces": provinces(store)})

    @app.get("/api/geo/{code}", tags=["map"], summary="行政区划边界（GeoJSON；100000 = 全国）")
    def api_geo(code: str):
        doc = cached(("geo", code), lambda: bounds.view(code))
        if not doc["features"]:
            raise NotFound(f"没有该地区的边界: {code}")
        return JSONResponse(doc, headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/api/regions", tags=["map"], summary="地区列表（某地区的下级）")
    def api_regions(store: Store = Depends(get_store), parent: Optional[str] = None, level: Optional[str] = None):
        where, params = [], []
        if parent:
            where.append("parent_code = ?")
            params.append(parent)
        elif not level:
            where.append("level = 'province'")
        if level:
            where.append("level = ?")
            params.append(level)
        return FastJSON(store.query(
            f"SELECT code, name, name_en, level, parent_code, lng, lat FROM regions WHERE {' AND '.join(where)} ORDER BY code",
            params))

    # -------------------------------------------------------------------------------- pages
    @app.get("/", include_in_schema=False)
    def home():
        return RedirectResponse("/map", status_code=302)

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, store: Store = Depends(get_store)):
        return page(request, "map.html", {"nav": "map", "facets": facets(store), "json_twin": "/api/map",
                                          "boundaries": "user" if bounds.user_paths else "package",
                                          "vendor": Boundaries.vendor_available()})

    @app.get("/chain", response_class=HTMLResponse, include_in_schema=False)
    def chain_page(request: Request, store: Store = Depends(get_store), region: Optional[str] = None,
                   as_of: Optional[str] = None, node: Optional[str] = None):
        region, as_of = _clean(region), _clean(as_of)
        tree = matrix.chain_tree(store, region, as_of=as_of, top=3)
        info = region_info(store, region)
        prov = (info or {}).get("province_code") or (region if (info or {}).get("level") == "province" else None)
        cities = store.query("SELECT code, name, name_en FROM regions WHERE level = 'city' AND province_code = ? ORDER BY code",
                             [prov]) if prov else []
        districts = store.query("SELECT code, name, name_en FROM regions WHERE level = 'district' AND city_code = ? ORDER BY code",
                                [info["city_code"]]) if info and info.get("city_code") else []
        cell = matrix.node_enterprises(store, node, region, as_of=as_of) if node else None
        qs = urlencode({k: v for k, v in {"region": region, "as_of": as_of}.items() if v})
        return page(request, "chain.html", {"nav": "chain", "tree": tree, "tree_json": jsonable_encoder(tree["nodes"]), "region": info, "provinces": provinces(store),
                                            "cities": cities, "districts": districts, "as_of": as_of, "cell": cell,
                                            "node": node, "json_twin": "/api/chain" + ("?" + qs if qs else ""),
                                            "macros": matrix.load_macros(store)})

    @app.get("/chain/cell", response_class=HTMLResponse, include_in_schema=False)
    def chain_cell_fragment(request: Request, node: str, store: Store = Depends(get_store), region: Optional[str] = None,
                            as_of: Optional[str] = None):
        cell = matrix.node_enterprises(store, node, _clean(region), as_of=_clean(as_of), limit=50)
        names = {n["code"]: n for n in facets(store)["nodes"]}
        return page(request, "_cell.html", {"cell": cell, "node_info": names.get(node, {"code": node})})

    @app.get("/enterprises", response_class=HTMLResponse, include_in_schema=False)
    def enterprises_page(request: Request, store: Store = Depends(get_store), q: Optional[str] = None,
                         region: Optional[str] = None, node: Optional[str] = None, founded_from: Optional[str] = None,
                         founded_to: Optional[str] = None, stage: Optional[str] = None, listed: Optional[str] = None,
                         tags: Optional[str] = None, sort: str = "-capital", page_no: int = Query(1, alias="page", ge=1),
                         size: int = Query(50, ge=1, le=500), as_of: Optional[str] = None):
        f = _filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of)
        res = ent_svc.search_enterprises(store, page=page_no, size=size, **f)
        info = region_info(store, f["region"]) if f["region"] else None
        qs = urlencode({k: v for k, v in {**f, "page": page_no, "size": size}.items() if v not in (None, "")})
        export_qs = urlencode({k: v for k, v in f.items() if v not in (None, "")})
        pages = max(1, (res["total"] + size - 1) // size)
        return page(request, "enterprises.html", {"nav": "enterprises", "res": res, "f": f, "facets": facets(store),
                                                  "region": info, "provinces": provinces(store), "pages": pages,
                                                  "size": size, "json_twin": "/api/enterprises?" + qs,
                                                  "export_qs": export_qs})

    @app.get("/enterprises/{key}", response_class=HTMLResponse, include_in_schema=False)
    def enterprise_page(key: str, request: Request, store: Store = Depends(get_store), as_of: Optional[str] = None):
        prof = ent_svc.enterprise_profile(store, key, as_of=_clean(as_of))
        return page(request, "enterprise.html", {"nav": "enterprises", "p": prof, "e": prof["enterprise"],
                                                 "json_twin": f"/api/enterprises/{prof['enterprise']['id']}"})

    from .pages import WebContext, register_all

    register_all(app, WebContext(get_store=get_store, page=page, json=FastJSON, cached=cached, region_info=region_info,
                                 breadcrumb=breadcrumb, lang_of=lang_of, clean=_clean))
    return app


def serve(db_path: str | None, host: str = "127.0.0.1", port: int = 8800, geojson: Any = None) -> None:
    """Run the web app with uvicorn (blocking)."""
    import uvicorn

    from ...core.store import default_db_path

    app = create_app(db_path or default_db_path(), geojson=geojson)
    print(f"招商图谱 Zhaoshang: http://{host}:{port}/  (API: http://{host}:{port}/docs)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
