"""招商线索 (/leads) and its JSON twin (/api/leads): both call the service of ``zhaoshang leads``
(``services.leads.mine_leads`` in its two steps: the ranking, kept once for both languages, and its wording).
"加入招商项目" posts the lead to the pipeline form (/pipeline/add, source "leads"), which the access rules reserve
to roles that may write. The export (/api/leads/export) writes the page's list — its filters, as-of date and order —
through the sheet writer of ``zhaoshang leads -o`` (``services.leads.export``)."""

from __future__ import annotations

from typing import Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from ....core.geo.lookup import field_text
from ....core.parse.dates import parse_user_date
from ....services import reference
from ....services.graph.identity import decisions_state
from ....services.leads import leads_document, ranked_leads, resolve_weights, saved_weights, scored_leads
from ....services.leads.export import write_leads
from ....services.leads.mine import FILTERS, MAX_TOP
from ....services.monitoring import bus
from ....services.pipeline.leads import in_pipeline as pipeline_leads
from ....services.privacy import LEAD_SIGNAL_TEXT
from ....services.regions import matrix
from ..access import personal_text
from ..schemas import AsOf, NodeCode, Region, count_field, number_field, query_list

TopN = count_field("top", "条数", "number shown", 20, lo=1, hi=MAX_TOP,
                   description=f"列出前 N 条线索（1–{MAX_TOP}，与 zhaoshang leads --top 相同）")
MinScore = Query(None, ge=0, le=100, description="只列得分不低于此值的线索")
# the page's box: "" when left empty, anything but a number 0–100 refused in words (schemas.number_field)
MinScoreBox = number_field("min_score", "最低得分", "min score", description="只列得分不低于此值的线索（0–100；空 = 不限）")
Weights = Query(None, max_length=120, description="线索权重：已保存的版本名（zhaoshang leads-fit --save）；不给则用内置权重")
_ONE = "(" + "|".join(FILTERS) + ")"
Has = query_list("只列这些信号非零的线索，逗号分隔：" + "、".join(FILTERS),  # refused naming the words it takes (schemas)
                 pattern=rf"^$|^{_ONE}(,{_ONE})*$")


def register(app, web) -> None:
    # a live event can move any region's ranking: the cached lead lists are forgotten on each one
    app.state.leads_listener = bus.add_listener(lambda ev: web.served.cache.drop(lambda k: len(k) > 1 and k[1] == "leads"))

    def run(request, store, region, node, as_of, top, min_score, has, weights=None):
        lang = web.lang_of(request)
        team = request.app.state.team
        given = set((web.clean(has) or "").split(","))
        having = [h for h in FILTERS if h in given] or None  # in one order: has=a,b and has=b,a are one list
        version = web.clean(weights)
        # the list is kept under what it is of, not under how it was asked for: the region by its code (杭州, 杭州市
        # and 330100 are one list), the as-of date as the day the one date parser reads (2025/06/30 = 2025-06-30)
        region = web.region_info(store, region)["code"]
        day = parse_user_date(web.clean(as_of), "as_of")
        args = dict(node=web.clean(node), as_of=day.isoformat() if day else None, top=top, having=having)
        # saved weights are read on every request (a re-save under the same version must show at once)
        chosen = resolve_weights(version, team, files=False)  # a version name only: the web opens no path
        # and under the team's person decisions, which the reach paths follow
        of = (version, str(hash(str(chosen))), str(decisions_state(team)))
        key = ("leads", region) + tuple(str(v) for v in args.values()) + of
        # every candidate scored once per region, node, as-of and weights: a 须有 signal or another length cuts its
        # list from them (and the reach searches made are kept with the graph), nothing scored again
        scored = lambda: web.cached(store, ("leads", region, str(args["node"]), str(args["as_of"]), "scored") + of,  # noqa: E731
                                    lambda: scored_leads(store, region, team=team, weights=chosen, node=args["node"],
                                                         as_of=args["as_of"]))
        # the ranking once for both languages; the wording (and the min-score cut of what is shown) per request
        c = web.cached(store, key, lambda: ranked_leads(store, region, team=team, weights=chosen, scored=scored(), **args))
        doc = web.cached(store, key + (str(min_score), lang),
                         lambda: leads_document(store, c, node=args["node"], lang=lang, min_score=min_score))
        # a 本地需求 signal's example is an open demand's title: masked as scenario matching masks it
        return personal_text(request, doc, LEAD_SIGNAL_TEXT, "leads")

    def default_region(store, region):
        return web.clean(region) or reference.default_region(store)

    @app.get("/api/leads", tags=["leads"],
             summary="招商线索（JSON）：本地应引进环节中、本地尚无机构的企业，按扩张意愿、契合度、可触达性与风险排序，附理由与信号")
    def api_leads(request: Request, store=Depends(web.get_store), region: Region = None, node: NodeCode = None,
                  as_of: AsOf = None, top: int = TopN, min_score: Optional[float] = MinScore, has: Has = None,
                  weights: Optional[str] = Weights):
        return web.json(run(request, store, default_region(store, region), node, as_of, top, min_score, has, weights))

    @app.get("/api/leads/export", tags=["leads"],
             summary="导出招商线索（xlsx 或 csv）：与页面相同的地区、筛选、截至日与排序，表头为页面语言")
    def api_leads_export(request: Request, store=Depends(web.get_store), region: Region = None, node: NodeCode = None,
                         as_of: AsOf = None, top: int = TopN, min_score: Optional[float] = MinScore,
                         has: Has = None, weights: Optional[str] = Weights,
                         format: Literal["xlsx", "csv"] = "xlsx"):
        # the ranking the page and its twin made (cached): a file of at most --top rows, not rate-limited as the twin
        doc = run(request, store, default_region(store, region), node, as_of, top, min_score, has, weights)
        # named by the list's as-of date (the default one when none is given), as the region report is
        return web.download(lambda tmp: write_leads(doc, tmp, lang=web.lang_of(request)), format,
                            f"leads-{doc['region']['code']}", doc["as_of"])

    # a value one of its boxes cannot take: beside it (a select's: the select at its default choice)
    web.form_page("/leads", "region", "node", "as_of", "top", "min_score", "weights", "has")

    @app.get("/leads", response_class=HTMLResponse, include_in_schema=False)
    def leads_page(request: Request, store=Depends(web.get_store), region: Region = None,
                   node: Optional[str] = None, as_of: Optional[str] = None, top: int = TopN,
                   min_score: Optional[str] = MinScoreBox, has: Has = None,
                   weights: Optional[str] = Weights):
        # the page's form sends an empty box as "": not given
        min_score_box, min_score = min_score, float(min_score) if web.clean(min_score) else None
        info = web.region_info(store, default_region(store, region))
        code = info["code"]
        doc = run(request, store, code, node, as_of, top, min_score, has, weights)
        nodes = web.cached(store, ("lead-nodes", doc["chain"]),
                           lambda: [n for n in matrix.chain_nodes(store, doc["chain"]) if n["level"] is not None and n["level"] <= 2])
        pick = reference.picker(store, web.region_info(store, code) if len(code) == 6 else None)
        # the minimum score as typed (40, not 40.0 once a chip's link had carried the number read from it)
        f = {"region": code, "node": web.clean(node), "as_of": web.clean(as_of), "top": top if top != 20 else None,
             "min_score": web.clean(min_score_box).strip() if min_score is not None else None, "has": web.clean(has),
             "weights": web.clean(weights)}
        params = {k: v for k, v in f.items() if v not in (None, "")}
        chosen = [h for h in (web.clean(has) or "").split(",") if h]
        toggles = {}
        for k in FILTERS:  # the link that switches one signal filter on or off, the others kept
            on = [h for h in chosen if h != k] if k in chosen else chosen + [k]
            toggles[k] = "/leads?" + urlencode({**{x: y for x, y in params.items() if x != "has"},
                                                **({"has": ",".join(on)} if on else {})})
        # leads of the list the region's pipeline holds already: linked to, not offered again (the button led off
        # the list to an error: 每家企业每个地区一条); the region's own leads, not those of its districts
        team = request.app.state.team
        in_pipeline = pipeline_leads(team, code, web.lang_of(request)) if team is not None else {}
        return web.page(request, "leads.html", {
            "nav": "leads", "doc": doc, "in_pipeline": in_pipeline, "f": f, "nodes": nodes, "filters": FILTERS, "toggles": toggles,
            "has": chosen, "as_of": doc["as_of"],
            # the field keeps a text that names this region again (西湖区 alone asks which one on every re-filter)
            "region_field": field_text(store, code, web.lang_of(request)),
            # the pipeline takes a province, city or district: a macro-region's list offers no button that must fail
            "can_add": info.get("level") != "macro", "max_top": MAX_TOP, "saved_weights": saved_weights(request.app.state.team),
            "provinces": web.provinces(store), "cities": pick["cities"],
            "json_twin": "/api/leads?" + urlencode(params), "export_qs": urlencode(params)})
