"""场景匹配 (/match: the demand list; /match/demand/{id}: a demand's enterprises; /match/enterprise/{key}: an
enterprise's demands) with JSON twins and CSV/XLSX exports under /api/match — the same service as
``zhaoshang match`` (``services.matching``)."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ....core.geo.lookup import field_text
from ....services.matching import match as M
from ....services.privacy import DEMAND_TEXT
from ...labels import column, labelled
from ..access import personal_text
from ..schemas import TEXT_MAX, AsOf, NodeCode, Region, Text, count_field

Key = Annotated[str, Path(max_length=TEXT_MAX, description="需求：编号、源编号或标题")]
EntKey = Annotated[str, Path(max_length=TEXT_MAX, description="企业：编号、信用代码、全称或简称")]
Top = Annotated[int, count_field("top", "条数", "number shown", lo=1, hi=500, description="返回前几条")]
Require = Annotated[list[Literal["patents", "listed", "funding"]] | None, Query(description="资质硬条件（可重复）")]
Fmt = Literal["xlsx", "csv"]
RESULT_COLUMNS = ["rank", "enterprise_id", "name", "uscc", "status", "region", "score", "bm25", "node_agreement", "similarity",
                  "matched_terms", "matched_nodes"]
REVERSE_COLUMNS = ["rank", "demand_id", "title", "organisation", "status", "expired", "region", "score", "bm25",
                   "node_agreement", "similarity", "matched_terms", "matched_nodes"]
# a demand's export names the demand on every row (a CSV holds the rows alone), as the leads export names its region;
# an enterprise's export the enterprise, by its name and credit code
DEMAND_COLUMNS = ["demand_ref", "demand_title"]
ENTERPRISE_COLUMNS = ["matched_enterprise", "matched_uscc"]
LIST_COLUMNS = ["ref", "title", "organisation", "region", "segments", "status", "expired", "budget_wan", "published",
                "deadline", "description", "contact"]


def register(app, web) -> None:
    def demands(request, store, region, node, status, q, open_only=False, as_of=None):  # as the user may see them
        masked = not request.state.user.can("personal")
        return personal_text(request, M.list_demands(store, region=web.clean(region), node=web.clean(node),
                                                     status=web.clean(status), q=web.clean(q), masked=masked,
                                                     open_only=open_only, as_of=web.clean(as_of)),
                             DEMAND_TEXT, "demands")

    def demand(request, store, key, as_of=None, **kw):  # a demand's enterprises, as the user may see its description
        doc = M.match_demand(store, key, lang=web.lang_of(request), as_of=web.clean(as_of), **kw)
        return personal_text(request, doc, DEMAND_TEXT, f"demand:{doc['demand']['id']}")

    def reverse(request, store, key, as_of=None, **kw):  # an enterprise's demands, as the user may see their free text
        doc = M.match_enterprise(store, key, lang=web.lang_of(request), as_of=web.clean(as_of), **kw)
        return personal_text(request, doc, DEMAND_TEXT, "demands")

    def _rows(flat, doc: dict, request: Request) -> list[dict]:
        """A result's flat rows in the UI language (statuses by their label)."""
        return labelled(flat(doc, web.lang_of(request)), "status", "demand_status", web.lang_of(request))

    def download(store, rows, columns, fmt: str, name: str | tuple, lang: str = "zh", notes: list[str] | None = None):
        # headers in the page's language, from the one label table (labels.COLUMNS), not the result keys
        return web.download(lambda tmp: M.export_rows(store, rows, tmp, fmt, columns,
                                                      headers={c: column(c, lang) for c in columns}, lang=lang,
                                                      notes=notes), fmt, name)

    @app.get("/api/match/demands", tags=["match"], summary="需求清单（JSON）：按地区、产业链环节、状态、文字筛选")
    def api_demands(request: Request, store=Depends(web.get_store), region: Region = None, node: NodeCode = None,
                    status: Text = None, q: Text = None, open: bool = False, as_of: AsOf = None):
        return web.json({**demands(request, store, region, node, status, q, open, as_of), "synthetic": store.synthetic})

    @app.get("/api/match/demands/export", tags=["match"], summary="导出需求清单（xlsx 或 csv）")
    def api_demands_export(request: Request, store=Depends(web.get_store), region: Region = None, node: NodeCode = None,
                           status: Text = None, q: Text = None, open: bool = False, as_of: AsOf = None,
                           format: Fmt = "xlsx", _limit=Depends(web.expensive)):
        doc = demands(request, store, region, node, status, q, open, as_of)
        _limit()
        later = M.published_later_text(doc, web.lang_of(request))  # as of a date: the demands not yet published
        return download(store, _rows(M.demand_list_rows, doc, request), LIST_COLUMNS, format, "demands",
                        web.lang_of(request), notes=[later] if later else None)

    @app.get("/api/match/demand/{key}", tags=["match"], summary="一条需求的匹配企业（JSON），每条附理由与各项得分")
    def api_demand(key: Key, request: Request, store=Depends(web.get_store), top: Top = 10, region: Region = None,
                   require: Require = None, include_inactive: bool = False, semantic: bool = False,
                   as_of: AsOf = None):
        return web.json({**demand(request, store, key, as_of, top=top, region=web.clean(region), require=require or (),
                                  include_inactive=include_inactive, semantic=semantic), "synthetic": store.synthetic})

    @app.get("/api/match/demand/{key}/export", tags=["match"], summary="导出一条需求的匹配企业（xlsx 或 csv）")
    def api_demand_export(key: Key, request: Request, store=Depends(web.get_store), top: Top = 10, region: Region = None,
                          require: Require = None, include_inactive: bool = False, as_of: AsOf = None,
                          format: Fmt = "xlsx", _limit=Depends(web.expensive)):
        doc = M.match_demand(store, key, top=top, region=web.clean(region), require=require or (),
                             include_inactive=include_inactive, lang=web.lang_of(request), as_of=web.clean(as_of))
        _limit()
        d, lang = doc["demand"], web.lang_of(request)
        rows = [{**r, "demand_ref": d["ref"], "demand_title": d["title"]} for r in _rows(M.result_rows, doc, request)]
        # named by the demand's own number (D154, as the lists show it), not the internal id
        return download(store, rows, RESULT_COLUMNS + DEMAND_COLUMNS, format,
                        ("match-demand", d["ref"] if re.search(r"\w", d["ref"]) else d["id"]), lang,
                        notes=[M.heading(doc, lang)])

    @app.get("/api/match/enterprise/{key}", tags=["match"], summary="一家企业可承接的需求（JSON），每条附理由")
    def api_enterprise(key: EntKey, request: Request, store=Depends(web.get_store), top: Top = 10, region: Region = None,
                       node: NodeCode = None, all_status: bool = False, semantic: bool = False, as_of: AsOf = None):
        return web.json({**reverse(request, store, key, as_of, top=top, region=web.clean(region), node=web.clean(node),
                                   all_status=all_status, semantic=semantic), "synthetic": store.synthetic})

    @app.get("/api/match/enterprise/{key}/export", tags=["match"], summary="导出一家企业可承接的需求（xlsx 或 csv）")
    def api_enterprise_export(key: EntKey, request: Request, store=Depends(web.get_store), top: Top = 10,
                              region: Region = None, node: NodeCode = None, all_status: bool = False,
                              as_of: AsOf = None, format: Fmt = "xlsx", _limit=Depends(web.expensive)):
        doc = reverse(request, store, key, as_of, top=top, region=web.clean(region), node=web.clean(node),
                      all_status=all_status)
        _limit()
        e, lang = doc["enterprise"], web.lang_of(request)
        rows = [{**r, "matched_enterprise": e["name"], "matched_uscc": e["uscc"]}
                for r in _rows(M.result_rows, doc, request)]
        # named by the enterprise's name and credit code (its id where it has none), as a demand's by its number, and
        # naming it as `zhaoshang match enterprise` titles its table
        return download(store, rows, REVERSE_COLUMNS + ENTERPRISE_COLUMNS, format,
                        ("match-enterprise", e["name"], e["uscc"] or e["id"]), lang,
                        notes=[M.heading(doc, lang)])

    # ---------------------------------------------------------------------------------------------- pages
    web.form_page("/match", "region", "node", "status", "q", "as_of")  # a value one of them cannot take: beside its box

    def dated(doc: dict) -> dict:
        """The page's date in its header (the day openness and deadlines are judged on: 状态为今天 when not asked for
        another) and the as-of field's value, as the other dated pages show theirs."""
        return {"shown_as_of": doc["judged_on"], "as_of_is_today": not doc["as_of"], "as_of_field": doc["as_of"]}

    @app.get("/match", response_class=HTMLResponse, include_in_schema=False)
    def match_page(request: Request, store=Depends(web.get_store), region: Region = None, node: Text = None,
                   status: Text = None, q: Text = None, open: bool = False, as_of: AsOf = None):
        doc = demands(request, store, region, node, status, q, open, as_of)
        f = {"region": web.clean(region), "node": web.clean(node), "status": web.clean(status), "q": web.clean(q),
             "open": "true" if open else None}
        qs = urlencode({k: v for k, v in {**f, "as_of": doc["as_of"]}.items() if v})
        return web.page(request, "match.html", {"nav": "match", "view": "list", "doc": doc, "f": f, "qs": qs,
                                                "later_note": M.published_later_text(doc, web.lang_of(request)),
                                                "node_names": web.node_names(store, web.lang_of(request)), **dated(doc),
                                                "json_twin": "/api/match/demands" + ("?" + qs if qs else "")})

    web.form_page("/match/demand/{key}", "region", "top", "as_of")  # a value one of them cannot take: beside its box

    @app.get("/match/demand/{key}", response_class=HTMLResponse, include_in_schema=False)
    def demand_page(key: Key, request: Request, store=Depends(web.get_store), top: Top = 10, region: Region = None,
                    include_inactive: bool = False, as_of: AsOf = None):
        doc = demand(request, store, key, as_of, top=top, region=web.clean(region), include_inactive=include_inactive)
        qs = urlencode({k: v for k, v in {"top": top, "region": web.clean(region),
                                          "include_inactive": "true" if include_inactive else None,
                                          "as_of": doc["as_of"]}.items() if v})
        # the field names the region as it reads back (a region chosen by its code shows its name)
        shown = field_text(store, web.region_info(store, region)["code"], web.lang_of(request)) if region else ""
        return web.page(request, "match.html", {"nav": "match", "view": "demand", "doc": doc, "qs": qs, **dated(doc),
                                                "f": {"region": shown, "top": top, "include_inactive": include_inactive},
                                                "json_twin": f"/api/match/demand/%23{doc['demand']['id']}?{qs}"})

    web.form_page("/match/enterprise/{key}", "as_of")  # a date it cannot take: beside its box

    @app.get("/match/enterprise/{key}", response_class=HTMLResponse, include_in_schema=False)
    def enterprise_page(key: EntKey, request: Request, store=Depends(web.get_store), top: Top = 10,
                        all_status: bool = False, as_of: AsOf = None):
        doc = reverse(request, store, key, as_of, top=top, all_status=all_status)
        qs = urlencode({k: v for k, v in {"top": top, "all_status": "true" if all_status else None,
                                          "as_of": doc["as_of"]}.items() if v})
        return web.page(request, "match.html", {"nav": "match", "view": "enterprise", "doc": doc, "qs": qs,
                                                "f": {"all_status": all_status, "top": top}, **dated(doc),
                                                "json_twin": f"/api/match/enterprise/{doc['enterprise']['id']}?{qs}"})
