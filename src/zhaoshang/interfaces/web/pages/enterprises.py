"""企业库 (/enterprises) and 企业画像 (/enterprises/{key}) with their JSON twins and the export download: all
call ``services.enterprises`` like the ``search`` / ``show`` / ``export`` commands."""

from __future__ import annotations

from typing import Annotated, Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from ....core.geo.lookup import region_labels
from ....services import enterprises as ent_svc
from ....services.chain import corrections
from ....services.evaluation.facts import linked_rows
from ....services.pipeline import leads as pipeline_leads
from ....services.datastore import enterprise_synthetic
from ..access import personal_view
from ..auth import read_note
from ..dates import shown_date
from .scorecard import profile_card
from ..schemas import (PAGE_MAX, TEXT_MAX, AsOf, DateFrom, DateTo, NodeCodes, Note, Page, Region, Score, Stages, Tags, Text,
                       number_field)

Sort = Literal[tuple(ent_svc.SORTS)]
# the page's score boxes: "" when left empty, anything but a number 0–100 refused in words (schemas.number_field)
ScoreMinBox = number_field("score_min", "评分下限", "lowest score")
ScoreMaxBox = number_field("score_max", "评分上限", "highest score")


def register(app, web) -> None:
    def filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of, score_min=None,
                score_max=None) -> dict:
        c = web.clean
        return {"q": c(q), "region": c(region), "node": c(node), "founded_from": c(founded_from),
                "founded_to": c(founded_to), "stage": c(stage), "listed": c(listed), "tags": c(tags),
                # a query lists the best match first (as /api/search) unless a sort is asked for
                "sort": c(sort) or ("match" if c(q) else "-capital"), "as_of": c(as_of), "score_min": score_min, "score_max": score_max}

    @app.get("/api/enterprises", tags=["enterprises"], summary="企业库（JSON）：检索、筛选、排序、分页")
    def api_enterprises(store=Depends(web.get_store), q: Text = None, region: Region = None, node: NodeCodes = None,
                        founded_from: DateFrom = None, founded_to: DateTo = None, stage: Stages = None,
                        listed: Text = None, tags: Tags = None, sort: Optional[Sort] = None, page: Page = 1,
                        size: int = Query(50, ge=1, le=1000), as_of: AsOf = None, score_min: Score = None,
                        score_max: Score = None):
        f = filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of, score_min, score_max)
        res = ent_svc.search_enterprises(store, page=page, size=size, **f)
        return web.json({**res, "filters": f, "synthetic": store.synthetic})

    def _csv_stream(lang: str, f: dict):
        """CSV chunks on their own cursor, on the data generation the download started with; bad filters
        raise here, before the response starts."""
        scope = web.served.store_scope()
        try:
            chunks = ent_svc.stream_enterprises_csv(next(scope), lang=lang, **f)
        except BaseException:
            scope.close()
            raise

        def body():
            try:
                yield from chunks
            finally:
                scope.close()
        return body()

    @app.get("/api/enterprises/export", tags=["enterprises"], summary="导出筛选结果（xlsx 或 csv）")
    def api_export(request: Request, store=Depends(web.get_store), q: Text = None, region: Region = None,
                   node: NodeCodes = None, founded_from: DateFrom = None, founded_to: DateTo = None, stage: Stages = None,
                   listed: Text = None, tags: Tags = None, sort: Optional[Sort] = None, as_of: AsOf = None,
                   format: Literal["xlsx", "csv"] = "xlsx", _limit=Depends(web.expensive), score_min: Score = None,
                   score_max: Score = None):
        f = filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of, score_min, score_max)
        _limit()
        day = shown_date(f["as_of"]) or None  # a list as of a date is named by it, as the leads list is; else today
        if format == "csv":  # streamed from the store in chunks: any size, constant memory
            return StreamingResponse(_csv_stream(web.lang_of(request), f), media_type="text/csv; charset=utf-8",
                                     headers={"Content-Disposition": f'attachment; filename="{web.download_name("enterprises", "csv", day)}"'})
        # an unknown region or node is refused while writing: the empty file goes too
        return web.download(lambda tmp: ent_svc.export_enterprises(store, tmp, fmt=format, lang=web.lang_of(request), **f),
                            format, "enterprises", day)

    @app.get("/api/enterprises/{key}", tags=["enterprises"], summary="企业画像（JSON）：按编号、信用代码或名称")
    def api_enterprise(key: Annotated[str, Path(max_length=TEXT_MAX)], request: Request, store=Depends(web.get_store),
                       as_of: AsOf = None):
        prof = personal_view(request, ent_svc.enterprise_profile(store, key, as_of=web.clean(as_of)))
        return web.json({**prof, "synthetic": enterprise_synthetic(store, prof["enterprise"]["id"])})

    # a value one of its boxes cannot take: beside it, the others kept (a select's: the select at its default choice)
    web.form_page("/enterprises", "q", "region", "node", "founded_from", "founded_to", "stage", "listed", "tags",
                  "score_min", "score_max", "as_of", "sort")

    @app.get("/enterprises", response_class=HTMLResponse, include_in_schema=False)
    def enterprises_page(request: Request, store=Depends(web.get_store), q: Optional[str] = None,
                         region: Region = None, node: NodeCodes = None, founded_from: Optional[str] = None,
                         founded_to: Optional[str] = None, stage: Stages = None, listed: Optional[str] = None,
                         tags: Tags = None, sort: Optional[str] = None, page_no: int = Query(1, alias="page", ge=1, le=PAGE_MAX),
                         size: int = Query(50, ge=1, le=500), as_of: Optional[str] = None,
                         score_min: Optional[str] = ScoreMinBox, score_max: Optional[str] = ScoreMaxBox):
        # the form sends empty fields: "" = not given
        f = filters(q, region, node, founded_from, founded_to, stage, listed, tags, sort, as_of, web.clean(score_min),
                    web.clean(score_max))
        res = ent_svc.search_enterprises(store, page=page_no, size=size, **f)
        info = web.region_info(store, f["region"]) if f["region"] else None
        qs = urlencode({k: v for k, v in {**f, "page": page_no, "size": size}.items() if v not in (None, "")})
        export_qs = urlencode({k: v for k, v in f.items() if v not in (None, "")})
        pages = max(1, (res["total"] + size - 1) // size)
        if page_no > pages:  # past the end (an old link, a typed number, fewer matches now): the last page, not an empty one
            return RedirectResponse(request.url.path + "?" + urlencode({**request.query_params, "page": pages}), status_code=303)
        return web.page(request, "enterprises.html", {
            "nav": "enterprises", "res": res, "f": f, "shown_as_of": res["as_of"], "facets": web.facets(store), "region": info,
            "provinces": web.provinces(store), "pages": pages, "size": size, "sort_asked": web.clean(sort),
            "json_twin": "/api/enterprises?" + qs, "export_qs": export_qs})

    @app.get("/enterprises/{key}", response_class=HTMLResponse, include_in_schema=False)
    def enterprise_page(key: str, request: Request, store=Depends(web.get_store), as_of: Optional[str] = None,
                        pl_note: Note = None, pa_note: Note = None, pa_region: Text = None):
        # the scorecard first: the rows it links to are listed on the profile even past a list's cut
        card, card_why = profile_card(web, store, ent_svc.resolve_enterprise(store, key), web.clean(as_of),
                                      web.lang_of(request))
        prof = personal_view(request, ent_svc.enterprise_profile(store, key, as_of=web.clean(as_of),
                                                                 cited=linked_rows(card)))
        leads = pipeline_leads.list_leads(request.app.state.team, enterprise_id=prof["enterprise"]["id"])
        decisions = corrections.list_corrections(request.app.state.team, enterprise_id=prof["enterprise"]["id"])
        pa = read_note(request.app.state.auth, pa_note, web.lang_of(request))
        # the placement form's outcome: only what this server signed (what was recorded, or why not and beside which
        # box), the form's values as typed when it was refused (kept on the server: a reason is not for the link)
        pl = read_note(request.app.state.auth, pl_note, web.lang_of(request))
        if pl["error"]:
            pl.update({k: pl["typed"].get(k, "") for k in ("action", "node", "reason")})
        return web.page(request, "enterprise.html", {"nav": "enterprises", "p": prof, "e": prof["enterprise"],
                                                     "leads": leads, "card": card, "card_why": card_why,
                                                     "region_names": web.region_names(store, web.lang_of(request)),
                                                     "lead_regions": region_labels(store, {r["region_code"] for r in leads},
                                                                                   web.lang_of(request)),
                                                     "decisions": decisions, "pl": pl, "reason_max": corrections.REASON_MAX,
                                                     # a refused 加入招商项目: why (a note the server signed), the region as typed
                                                     "pa_error": pa["error"], "pa_refusal": web.region_refusal(store, web.lang_of(request), pa["region"]),
                                                     "pa_region": pa_region or "",
                                                     "facets": web.facets(store),
                                                     "status_zh": pipeline_leads.STATUS_ZH,
                                                     "status_en": pipeline_leads.STATUS_EN,
                                                     "shown_as_of": prof["as_of"],
                                                     "synthetic_subject": enterprise_synthetic(store, prof["enterprise"]["id"]),
                                                     "json_twin": f"/api/enterprises/{prof['enterprise']['id']}"})
