"""地区画像: one region's profile page (/region/{code}), its JSON twin (/api/region-profile/{code}) and the
report download (/api/region-profile/{code}/report?format=pdf|xlsx|html). All three call
``services.region_profile.region_profile``; the report is built by ``interfaces.reports``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal, Optional
from urllib.parse import quote, urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ....core.errors import UserError
from ....core.geo.lookup import resolve_region
from ....core.geo.readings import readings, said_now
from ....core.parse.dates import china_today
from ....services import reference
from ....services.graph.identity import decisions_state
from ....services.monitoring import bus
from ....services.region_profile import region_profile
from ....services.regions import matrix
from ...reports.region import report_context
from ..schemas import REGION_MAX, AsOf, Region, RegionPath

MEDIA = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}


def register(app, web) -> None:
    # its leads count the team's live events (as the leads page does): a live event forgets the cached profiles
    # and what is made from them (the page's tables and charts, the report files)
    app.state.region_listener = bus.add_listener(lambda ev: web.served.cache.drop(
        lambda k: len(k) > 1 and k[1] in ("region-profile", "region-context", "region-report")))

    def people_state(request: Request):
        """The team's person decisions as a key part: the partners' shared people follow them (as the network page's
        do), so a confirm or split shows at once in the profile and what is made from it."""
        return decisions_state(request.app.state.team)

    def profile_of(store, code: str, as_of: Optional[str], request: Request) -> dict:
        as_of = web.clean(as_of)
        team = request.app.state.team
        return web.cached(store, ("region-profile", code, as_of, people_state(request)),
                          lambda: region_profile(store, code, as_of=as_of, team=team))

    @app.get("/api/region-profile/{code}", tags=["region"],
             summary="地区画像（JSON）：产业链对比全国、强弱环节、推荐环节与模式、合作伙伴、融资趋势、头部企业")
    def api_region_profile(code: RegionPath, request: Request, store=Depends(web.get_store), as_of: AsOf = None):
        code = resolve_region(store, code).code  # read outside the cache: a name's level-rule note every time
        return web.json(profile_of(store, code, as_of, request))

    @app.get("/api/region-profile/{code}/report", tags=["region"], summary="下载地区画像报告（pdf、xlsx 或 html）")
    def api_region_report(code: RegionPath, request: Request, store=Depends(web.get_store), as_of: AsOf = None,
                          format: Literal["pdf", "xlsx", "html"] = "pdf", lang: Optional[Literal["zh", "en"]] = None,
                          _limit=Depends(web.expensive)):
        from ...reports import write_region_report

        prof = profile_of(store, code, as_of, request)
        lang = web.lang_of(request)

        def build() -> bytes:
            """The report file's bytes; built once per data generation, region, date, language and format (a PDF
            takes seconds to lay out, and the data it shows only changes with a new generation). Only a build spends
            the user's allowance of expensive requests: a cached file is served free."""
            _limit()
            fd, tmp = tempfile.mkstemp(suffix="." + format, prefix="zhaoshang-report-")
            os.close(fd)
            try:
                write_region_report(prof, tmp, lang)
                return Path(tmp).read_bytes()
            finally:
                os.unlink(tmp)

        body = web.cached(store, ("region-report", prof["region"]["code"], web.clean(as_of), lang, format,
                                  people_state(request)), build)
        name = web.download_name(f"region-{prof['region']['code']}", format, prof["as_of"])
        return Response(body, media_type=MEDIA[format],
                        headers={"Content-Disposition": f"attachment; filename=\"{name}\""})

    @app.get("/region", include_in_schema=False)
    def region_home(request: Request, store=Depends(web.get_store), code: Region = None,
                    region: Region = None):
        # ?region= as on every other page (/leads?region=…), ?code= as before; the rest of the query (as_of, lang)
        # goes along to the region's page
        text = web.clean(code) or web.clean(region) or reference.default_region(store)
        target = resolve_region(store, text).code  # read here: a path with a slash (浙江/杭州) is no URL segment
        rest = [(k, v) for k, v in request.query_params.multi_items() if k not in ("code", "region", "named")]
        return RedirectResponse(f"/region/{quote(str(target))}" + _query(rest + _named(text)), status_code=302)

    def _named(text: str) -> list[tuple[str, str]]:
        """``named=TEXT`` for the page a name redirects to, when the level rule read it (朝阳 → 211300 while
        北京市朝阳区 shares it): the landing page says so, in the region service's words."""
        return [("named", text)] if text in (said_now() or {}) else []

    def _query(items: list[tuple[str, str]]) -> str:
        return f"?{urlencode(items)}" if items else ""

    def say_named(store, text: str | None, code: str) -> None:
        """The level rule's note on ``text`` (a redirect's ``named``) kept for this page when it names ``code``."""
        if not text:
            return
        with readings() as said:
            try:
                same = resolve_region(store, text).code == code
            except UserError:
                same = False
        outer = said_now()
        if same and outer is not None:
            outer.update(said)

    # a 截至 the page cannot take (2024-13-01): the page's form again, the date as typed and why beside it (forms.py)
    web.form_page("/region/{code}", "as_of")

    @app.get("/region/{code}", response_class=HTMLResponse, include_in_schema=False)
    def region_page(code: RegionPath, request: Request, store=Depends(web.get_store), as_of: Optional[str] = None,
                    named: Optional[str] = Query(None, max_length=REGION_MAX)):
        as_of = web.clean(as_of)
        info = resolve_region(store, code).as_dict()  # a name: its page; ambiguous: the candidates; unknown: 404 + suggestions
        # one URL per region: 杭州市 → /region/330100 (a form drawn again for a refused 截至 answers here: a redirect
        # would lose why); a name the level rule read goes along as ``named``, said on the page
        if info["code"] != code and not getattr(request.state, "form_errors", None):
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "named"]
            return RedirectResponse(f"/region/{info['code']}" + _query(rest + _named(code)), status_code=302)
        say_named(store, web.clean(named), info["code"])
        prof = profile_of(store, info["code"], as_of, request)
        lang = web.lang_of(request)
        # the page's tables and SVG charts (the choropleth drawn in Python) once per generation, region, date and
        # language, as the profile is: a warm page drew the map again on every request
        ctx = web.cached(store, ("region-context", info["code"], as_of, lang, people_state(request)),
                         lambda: report_context(prof, lang))
        pick = reference.picker(store, prof["region"])
        qs = f"?as_of={as_of}" if as_of else ""
        return web.page(request, "region.html", {
            "nav": "region", "page_region": info["code"],  # the sidebar's links keep it
            "p": prof, "x": ctx, "as_of": prof["as_of"], "as_of_param": as_of or "",
            "profile_json": prof, "json_twin": f"/api/region-profile/{info['code']}{qs}",
            "provinces": web.provinces(store), "cities": pick["cities"], "districts": pick["districts"],
            "macros": matrix.load_macros(store),
            "report_url": f"/api/region-profile/{info['code']}/report", "breadcrumb": web.breadcrumb(store, info["code"])
            if prof["region"]["level"] != "macro" else [],
            "generated": china_today().isoformat()})
