"""关系图谱 (/relations/{key}): an enterprise's relationship view, its key persons, paths from the region's side
and "introduce me" from the user's own contacts, with JSON twins under /api/graph/…. Every route calls the same
service functions as ``zhaoshang people`` and ``zhaoshang reach``; person data passes the masking of
``services.privacy`` and every read of a person's details is audited."""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import Field

from ....core.errors import UserError
from ....core.geo.lookup import field_text, region_info
from ....services import privacy
from ....services.graph import neighbours, reach
from ....services.graph.people import key_persons
from ....services.graph.reach import person_details
from ...labels import paths_in_words, person_links_in_words
from ..access import PageReads, audit_recorder
from ..schemas import REGION_MAX, TEXT_MAX, AsOf, Region, StrictBody

Key = Annotated[str, Path(max_length=TEXT_MAX, description="企业：编号、统一社会信用代码、名称或简称")]


class Contact(StrictBody):
    # a line of the page's box as typed: either part may be missing (a name alone), as a row of `reach --contacts`'s
    # file may; the service lists such a contact among those not matched (没有所在企业) and starts from the others
    name: Optional[str] = Field(None, max_length=TEXT_MAX)
    enterprise: Optional[str] = Field(None, max_length=TEXT_MAX)
    # the contact's line as the user typed it (the page's box, blank lines counted): a contact not matched is named by
    # it; without it, by its place in the list from 1
    row: Optional[int] = Field(None, ge=1, le=100_000)


class Introduce(StrictBody):
    contacts: list[Contact] = Field(..., min_length=1, max_length=500)
    k: int = Field(5, ge=1, le=20)
    max_hops: int = Field(4, ge=1, le=6)
    as_of: Optional[str] = Field(None, max_length=10)


def register(app, web) -> None:
    def team(request: Request):
        return request.app.state.team

    def people(request, store, key, as_of, record=None):
        doc = key_persons(store, key, as_of=web.clean(as_of), lang=web.lang_of(request))
        return privacy.present_key_persons(doc, request.state.user, record or audit_recorder(request))

    @app.get("/api/graph/people/{key}", tags=["graph"],
             summary="关键人（JSON）：决策者按决策权排序，附依据、股权穿透链与日期（同 zhaoshang people --format json）")
    def api_people(key: Key, request: Request, store=Depends(web.get_store), as_of: AsOf = None):
        return web.json({**people(request, store, key, as_of), "synthetic": store.synthetic})

    @app.get("/api/graph/reach/{key}", tags=["graph"],
             summary="关键人触达（JSON）：从本地区出发到目标企业关键人的 k 条最强路径，每一跳附证据（同 zhaoshang reach）")
    def api_reach(key: Key, request: Request, store=Depends(web.get_store),
                  from_region: str = Query(..., max_length=REGION_MAX, description="出发地区：代码或名称"),
                  k: int = Query(5, ge=1, le=20), max_hops: int = Query(4, ge=1, le=6), as_of: AsOf = None):
        lang = web.lang_of(request)
        return web.json(paths_in_words(privacy.present_ties(
            reach(store, key, from_region=from_region, k=k, max_hops=max_hops, as_of=web.clean(as_of), team=team(request),
                  lang=lang), request.state.user, audit_recorder(request)), lang))

    @app.post("/api/graph/introduce/{key}", tags=["graph"],
              summary="引荐：从我自己的联系人（姓名 + 所在企业）出发到目标企业关键人的路径")
    def api_introduce(key: Key, body: Introduce, request: Request, store=Depends(web.get_store)):
        rows = [{"name": c.name, "enterprise": c.enterprise, **({"_row": c.row} if c.row else {})} for c in body.contacts]
        lang = web.lang_of(request)
        return web.json(paths_in_words(privacy.present_ties(
            reach(store, key, contacts=rows, k=body.k, max_hops=body.max_hops, as_of=web.clean(body.as_of),
                  team=team(request), lang=lang), request.state.user, audit_recorder(request)), lang))

    @app.get("/api/graph/neighbours", tags=["graph"],
             summary="关系图节点的邻居（JSON）：按关系强度排序、分页（node = p:/e:/i:/c: 编号）")
    def api_neighbours(request: Request, store=Depends(web.get_store),
                       node: str = Query(..., max_length=TEXT_MAX, pattern=r"^[peicv]:.+$"),
                       offset: int = Query(0, ge=0, le=1_000_000), limit: int = Query(30, ge=1, le=200),
                       as_of: AsOf = None):
        user = request.state.user
        return web.json(privacy.present_ties(neighbours(store, node, as_of=web.clean(as_of), offset=offset, limit=limit,
                                                        team=team(request), lang=web.lang_of(request)),
                                             user, audit_recorder(request)))

    @app.get("/api/graph/person/{pid}", tags=["graph"],
             summary="人员详情（JSON）：截至日期的任职、持股与身份关联；按角色遮蔽，每次读取记入审计日志")
    def api_person(pid: Annotated[str, Path(max_length=24, pattern=r"^(p:)?\d+$")], request: Request,
                   store=Depends(web.get_store), as_of: AsOf = None):
        return web.json(person_links_in_words(privacy.present_person(
            person_details(store, pid, as_of=web.clean(as_of), team=team(request)), request.state.user,
            audit_recorder(request)), web.lang_of(request)))

    @app.get("/relations/{key}", response_class=HTMLResponse, include_in_schema=False)
    def relations_page(key: Key, request: Request, store=Depends(web.get_store), as_of: Optional[str] = None,
                       from_region: Optional[str] = Query(None, max_length=REGION_MAX),
                       from_: Optional[str] = Query(None, alias="from", max_length=REGION_MAX),
                       region: Region = None):
        # the region to start from, as a user types it in the address: from_region (the form's own name), from, or
        # region (the name every other page gives it); the form is filled and the paths found at once
        from_region = web.clean(from_region) or web.clean(from_) or web.clean(region)
        reads = PageReads(request)  # its key persons and its ties: one view, one audit entry
        doc = people(request, store, key, as_of, reads.record)
        eid = doc["enterprise"]["id"]
        first = privacy.present_ties(neighbours(store, f"e:{eid}", as_of=doc["as_of"], limit=30, team=team(request),
                                                lang=web.lang_of(request)),
                                     request.state.user, reads.record) \
            if _in_graph(store, eid, doc["as_of"], request) else None
        reads.write()
        data = {"enterprise": doc["enterprise"], "as_of": doc["as_of"], "persons": doc["persons"],
                "neighbours": first, "from_region": _region_field(store, from_region, web.lang_of(request))}
        return web.page(request, "relations.html", {
            "nav": "enterprises", "doc": doc, "graph": data, "as_of": doc["as_of"],
            "json_twin": f"/api/graph/people/{eid}"})

    def _region_field(store, text: str | None, lang: str) -> str:
        """The reach form's region as every region field shows it (杭州市, not 330100: ``field_text``); a text that
        names no region stays as given, for the search to refuse in words."""
        if not text:
            return ""
        try:
            ref = region_info(store, text)
        except UserError:
            return text
        return field_text(store, ref["code"], lang) if ref else text

    def _in_graph(store, eid, as_of, request) -> bool:
        from ....services.graph.build import graph_for

        return graph_for(store, as_of, None, team(request)).index(f"e:{eid}") is not None
