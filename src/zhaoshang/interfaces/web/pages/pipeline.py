"""招商项目 (/pipeline: list and board views, a lead's page with its history and changes) and its JSON twins
under /api/pipeline — the same service as ``zhaoshang pipeline`` (``services.pipeline``), the export
(/api/pipeline/export) the sheet of ``zhaoshang pipeline export``. Changes are POSTs:
``team_write`` and CSRF by the access middleware; the pages post plain forms, so they need no script."""

from __future__ import annotations

from typing import Annotated, Literal, Optional
from urllib.parse import urlencode

from fastapi import Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import Field

from ....core.asof import reference_date
from ....core.errors import Conflict, UserError
from ....core.explain import enterprise_href
from ....core.parse.dates import china_today
from ....core.geo.lookup import field_text, region_labels, resolve_region
from ....core.geo.readings import joined
from ....services.enterprises import resolve_enterprise
from ....services.graph.identity import decisions_state
from ....services.leads.saved import weights_state
from ....services.pipeline import excel, landing
from ....services.pipeline import leads as L
from ....services.privacy import LEAD_SIGNAL_TEXT, LEAD_TEXT, MASKED_CHANGE
from ...labels import label
from ..access import personal_text
from ..auth import read_note, sign_note
from ..context import link_as_of, page_query
from ..schemas import REGION_MAX, NodeCode, Note, Region, StrictBody, Text
from .scorecard import profile_card


class NewLead(StrictBody):
    enterprise: str = Field(..., max_length=200)
    region: str = Field(..., max_length=REGION_MAX)
    status: str = Field("new", max_length=20)
    owner: Optional[str] = Field(None, max_length=2000)
    source: str = Field("manual", max_length=20)
    segment: Optional[str] = Field(None, max_length=2000)
    next_action: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["next_action"])
    next_action_date: Optional[str] = Field(None, max_length=2000)
    note: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["note"])
    reason: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["reason"])
    signed_on: Optional[str] = Field(None, max_length=40, description="签约日期（已签约、已落地 或签约后 已放弃 时；已签约 默认今天）")
    landed_on: Optional[str] = Field(None, max_length=40, description="落地日期（已落地 时必填，不早于签约日期）")
    list_as_of: Optional[str] = Field(None, max_length=40, description="选自的招商线索列表的截至日期：记下线索在该列表中的得分，线索页与最新数据下的得分并列")
    list_weights: Optional[str] = Field(None, max_length=120, description="该列表所用的已保存线索权重版本（不给则为内置权重）")


class Change(StrictBody):
    status: Optional[str] = Field(None, max_length=2000)
    reason: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["reason"])
    owner: Optional[str] = Field(None, max_length=2000)
    next_action: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["next_action"])
    next_action_date: Optional[str] = Field(None, max_length=2000)
    segment: Optional[str] = Field(None, max_length=2000)
    note: Optional[str] = Field(None, max_length=L.TEXT_LIMITS["note"])
    on: Optional[str] = Field(None, max_length=40, description="签约或落地的日期（移到 已签约、已落地 时；默认今天；status 为线索现在的状态即更正其日期）")
    signed_on: Optional[str] = Field(None, max_length=40, description="签约日期（已签约、已落地 的线索；更正已落地线索的签约日期不必退回）")
    landed_on: Optional[str] = Field(None, max_length=40, description="落地日期（已落地 的线索，不早于签约日期）")
    version: Optional[int] = Field(None, ge=0, le=2 ** 62, description="读取时线索的版本（GET 的 version）：之后他人已改动则拒绝（409，说明谁何时改了什么），不写入任何字段；不给则不检查。只写入所给的字段")


StatusParam = Optional[Literal[L.STATUSES + tuple(L.STATUS_ZH.values())]]
SourceParam = Optional[Literal[L.SOURCES]]
# the page's select sends "" for any source; another word is refused naming the ones it takes (schemas: 未知的取值)
SourceBox = Query(None, pattern=rf"^$|^({'|'.join(L.SOURCES)})$", description="来源：" + "、".join(L.SOURCES))
LeadId = Annotated[int, Path(ge=1, le=2 ** 62, description="线索编号")]


def _blank(v: Optional[str]) -> Optional[str]:
    return v if v is not None and v.strip() else None


def register(app, web) -> None:
    def team(request: Request):
        return request.app.state.team

    def region_code(store, region):  # the region filter's code (杭州, 330100 …), none when not set
        return resolve_region(store, region, macro=False).code if web.clean(region) else None

    def filtered(request, store, status, owner, region, segment, source, overdue):
        # a stage's code takes its child segments too, as on /leads and /monitor
        return L.list_leads(team(request), status=web.clean(status), owner=web.clean(owner), region=region_code(store, region),
                            segment=L.segment_nodes(store, web.clean(segment)), source=web.clean(source), overdue=overdue)

    def segment_or_node(store, segment, node):
        """The segment filter, also taken as ``node`` (its name on /api/leads, /api/monitor …); both must agree."""
        segment, node = web.clean(segment), web.clean(node)
        if segment and node and L.check_segment(store, segment) != L.check_segment(store, node):
            raise UserError(f"segment（{segment}）与 node（{node}）是同一筛选，请只给一个",
                            f"segment ({segment}) and node ({node}) are the same filter: give one")
        return segment or node

    def lead_shown(request, lead_id):  # a lead with its history, as the user may see its free text
        return personal_text(request, L.get(team(request), lead_id, history=True), LEAD_TEXT, f"lead:{lead_id}")

    def in_lang(request, store, leads: list[dict]) -> list[dict]:
        """Leads answered in the request's language: in English the status label and the region's name (stored in
        Chinese) by the shared labels, as the 招商项目 page and ``pipeline list --lang en`` say them."""
        if web.lang_of(request) != "en" or not leads:
            return leads
        names = region_labels(store, {r["region_code"] for r in leads}, "en")
        return [dict(r, region_name=names.get(r["region_code"], r["region_name"]),
                     status_label=label("lead_status", r["status"], "en")) for r in leads]

    @app.get("/api/pipeline", tags=["pipeline"], summary="招商项目列表（JSON）：按状态、负责人、地区、环节（segment 或 node，含下级节点）、来源筛选；overdue=督办")
    def api_list(request: Request, store=Depends(web.get_store), status: StatusParam = None,
                 owner: Text = None, region: Region = None, segment: Text = None, source: SourceParam = None,
                 overdue: bool = False, node: NodeCode = None):
        segment = segment_or_node(store, segment, node)
        items = in_lang(request, store, filtered(request, store, status, owner, region, segment, source, overdue))
        return web.json({"items": personal_text(request, items, LEAD_TEXT, "pipeline"),
                         "statuses": [{"key": k, "zh": L.STATUS_ZH[k], "en": L.STATUS_EN[k]} for k in L.STATUSES]})

    @app.get("/api/pipeline/export", tags=["pipeline"],
             summary="导出招商项目（xlsx 或 csv）：与页面相同的筛选与顺序，表头为页面语言；可再用 pipeline import 导入")
    def api_export(request: Request, store=Depends(web.get_store), status: StatusParam = None, owner: Text = None,
                   region: Region = None, segment: Text = None, source: SourceParam = None, overdue: bool = False,
                   format: Literal["xlsx", "csv"] = "xlsx", node: NodeCode = None):
        segment = segment_or_node(store, segment, node)
        # the rows of the page, their free text as the user may see it (masked, or whole and audited)
        items = personal_text(request, filtered(request, store, status, owner, region, segment, source, overdue),
                              LEAD_TEXT, "pipeline")
        lang = web.lang_of(request)
        names = region_labels(store, {r["region_code"] for r in items}, lang)
        segments = web.node_names(store, lang, code=False)
        # the pipeline as it stands today (the page's 截至), named by that day and by the region filtered on
        code = region_code(store, region)
        return web.download(lambda tmp: excel.write_leads(items, tmp, lang=lang, region_names=names, fmt=format,
                                                          store=store, segment_names=segments),
                            format, f"pipeline-{code}" if code else "pipeline")

    @app.get("/api/pipeline/stats", tags=["pipeline"], summary="落地率与落地用时：按负责人、产业链环节或来源")
    def api_stats(request: Request, by: Literal["owner", "segment", "source"] = "owner"):
        return web.json({"by": by, "items": landing.stats(team(request), by)})

    @app.get("/api/pipeline/leads/{lead_id}", tags=["pipeline"], summary="一条线索及其完整历史（谁、何时、从、到）")
    def api_lead(lead_id: LeadId, request: Request, store=Depends(web.get_store)):
        return web.json(in_lang(request, store, [lead_shown(request, lead_id)])[0]
                        | {"other_leads": L.other_leads(store, team(request), lead_id, web.lang_of(request))})

    @app.post("/api/pipeline/add", tags=["pipeline"], summary="加入招商项目（每家企业每个地区一条；已放弃须有理由）；该企业已在本地区（local）或已是上级或下级地区的线索（overlaps）时，warning 说明（不拒绝）")
    def api_add(lead: NewLead, request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        added = L.add(store, team(request), lead.enterprise, lead.region, user=user, owner=lead.owner, status=lead.status,
                      source=lead.source, segment=lead.segment, next_action=lead.next_action,
                      next_action_date=lead.next_action_date, note=lead.note, abandon_reason=lead.reason,
                      signed_on=lead.signed_on, landed_on=lead.landed_on, list_as_of=lead.list_as_of,
                      list_weights=lead.list_weights, lang=web.lang_of(request))
        return web.json(in_lang(request, store, [added])[0])

    @app.post("/api/pipeline/track", tags=["pipeline"], summary="落地跟踪：已签约线索在之后的数据中出现本地主体即标为已落地")
    def api_track(request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        return web.json({"items": landing.track(store, team(request), user)})

    @app.post("/api/pipeline/leads/{lead_id}/change", tags=["pipeline"], summary="改变线索：状态、负责人、下一步及日期、环节、备注（记入历史）")
    def api_change(lead_id: LeadId, change: Change, request: Request, store=Depends(web.get_store),
                   user=Depends(web.current_user)):
        return web.json(in_lang(request, store, [L.update(team(request), lead_id, user=user, store=store,
                                                          **change.model_dump())])[0])

    # ---------------------------------------------------------------------------------------------- pages
    def refusal(exc: UserError) -> str:
        """Why a form's change was refused, as a note the server signs (auth.sign_note)."""
        return sign_note(app.state.auth, error=exc)

    # a value one of its boxes cannot take (a status, an owner, a region, a segment, a source, 督办, the view): beside
    # it, every such value at once, the others kept and no list drawn (forms.py)
    web.form_page("/pipeline", "view", "status", "owner", "region", "segment", "source", "overdue")

    @app.get("/pipeline", response_class=HTMLResponse, include_in_schema=False)
    def pipeline_page(request: Request, store=Depends(web.get_store), view: str = Query("list", pattern="^(list|board)$"),
                      status: Text = None, owner: Text = None, region: Region = None, segment: Text = None,
                      source: Optional[str] = SourceBox, overdue: bool = False, note: Note = None, node: NodeCode = None):
        error = read_note(app.state.auth, note, web.lang_of(request))["error"]
        segment = segment_or_node(store, segment, node)  # ``node``: the segment's name on /api/pipeline
        items = filtered(request, store, status, owner, region, segment, source, overdue)
        changes = L.history(team(request), limit=20, leads=items)  # the latest changes of the leads listed
        shown = personal_text(request, {"items": items, "history": changes}, LEAD_TEXT, "pipeline")
        # the region the list resolved: its code in the links and exports (浙江/杭州 → 330100, as /leads sends it), and
        # in the field a text that names it again
        code = region_code(store, region)
        f = {"status": web.clean(status), "owner": web.clean(owner), "region": code,
             "segment": web.clean(segment), "source": web.clean(source), "overdue": overdue}
        params = {k: v for k, v in f.items() if v}
        f["region"] = field_text(store, code, web.lang_of(request)) if code else None
        return web.page(request, "pipeline.html", {
            "nav": "pipeline", "items": shown["items"], "view": view, "f": f, "error": error,
            "statuses": L.STATUSES, "status_zh": L.STATUS_ZH, "status_en": L.STATUS_EN, "sources": L.SOURCE_LABELS,
            "fields": L.FIELD_LABELS, "at_label": L.HISTORY_AT, "text_limits": L.TEXT_LIMITS,
            "owners": L.owners(team(request)), "masked_change": MASKED_CHANGE,
            "stats": landing.stats(team(request), "owner"), "history": shown["history"],
            "qs": urlencode(params), "json_twin": "/api/pipeline" + ("?" + urlencode(params) if params else ""),
            "lead_regions": region_labels(store, {r["region_code"] for r in items}, web.lang_of(request)),
            "node_names": web.node_names(store, web.lang_of(request)),
            # the list is the pipeline as it stands today (its export is named by that day), not as of the data
            # (the footer says so: 状态为今天, beside the data sources' own dates)
            "shown_as_of": china_today().isoformat(), "as_of_is_today": True})

    @app.get("/pipeline/{lead_id}", response_class=HTMLResponse, include_in_schema=False)
    def lead_page(lead_id: LeadId, request: Request, store=Depends(web.get_store), note: Note = None):
        said = read_note(app.state.auth, note, web.lang_of(request))
        # a refused change drawn again in another language (the switch of the page its POST drew): the form as typed
        return lead_view(request, store, lead_id, said["error"], said["typed"] or None, done=said["done"], warn=said["warn"])

    def lead_view(request, store, lead_id, error, typed: dict | None = None, done: str | None = None,
                  warn: str | None = None, refused: UserError | None = None):
        """A lead's page; ``typed``: the change form as the user filled it, shown again beside why it was refused
        (with ``version``: the version it is now based on); ``done``: what a change saved said (how a date was read);
        ``warn``: what its add said without refusing it (the enterprise already local, another region's lead);
        ``refused``: the refusal of the POST that draws it, which with ``typed`` the page's language switch carries in
        a signed note (a GET: the form is never sent again)."""
        note = sign_note(app.state.auth, error=refused, typed=typed) if refused is not None else None
        lead = lead_shown(request, lead_id)
        lang = web.lang_of(request)
        due_shown = L.due_text(lead, lang)  # the form's 日期: the day, or 长期 / open-ended
        if typed and typed.pop("_rebased", False):  # refused as out of date: the lead now, what the user changed over it
            typed = {f: lead.get(f) for f in ("status", "owner", "next_action")} | {"next_action_date": due_shown} | typed
        # the scorecard of the lead's enterprise (absent when the current data no longer holds it): the profile's
        # cached card, forgotten when a live event about the enterprise arrives
        card = profile_card(web, store, lead["enterprise_id"], None, lang)[0]

        def why_lead():  # why it is a lead: its reasons and signals for the region today, as on the 招商线索 page
            return L.latest(store, team(request), lead, lang)
        # cached with the lead lists ("leads" keys), which every live event forgets, under what the list's weights
        # version holds now: re-saved with other weights or no longer saved, the lead is scored again (under the
        # shipped weights, saying so), never shown under weights the team no longer has
        why = web.cached(store, ("leads", "lead-of", lead["region_code"], lead["enterprise_id"], lead.get("segment"),
                                 lead.get("list_weights"), str(weights_state(team(request), lead.get("list_weights"))),
                                 lang, str(decisions_state(team(request)))), why_lead)
        why = personal_text(request, why, LEAD_SIGNAL_TEXT, f"lead:{lead_id}")  # its 本地需求 example: a demand's title
        return web.page(request, "pipeline_lead.html", {
            "nav": "pipeline", "page_path": f"/pipeline/{lead_id}",  # also drawn by the change form's POST
            "refused_query": {"note": note} if note else None,
            "lead": lead, "error": error, "done": done, "warn": warn, "typed": typed, "card": card,
            "why": why,
            "due_shown": due_shown, "reason_label": L.REASON_LABEL,
            "fields": L.FIELD_LABELS, "at_label": L.HISTORY_AT, "text_limits": L.TEXT_LIMITS,
            "masked_change": MASKED_CHANGE, "sources": L.SOURCE_LABELS, "statuses": L.STATUSES, "status_zh": L.STATUS_ZH,
            "status_en": L.STATUS_EN, "owners": L.owners(team(request)),
            "others": L.other_leads(store, team(request), lead_id, lang),  # its enterprise's other leads
            "json_twin": f"/api/pipeline/leads/{lead_id}", "lead_regions": region_labels(store, [lead["region_code"]], lang),
            "node_names": web.node_names(store, web.lang_of(request))})

    @app.post("/pipeline/add", include_in_schema=False)
    def form_add(request: Request, store=Depends(web.get_store), user=Depends(web.current_user),
                 enterprise: str = Form(...), region: str = Form(...), source: str = Form("profile"),
                 owner: str = Form(""), next_action: str = Form(""), next_action_date: str = Form(""),
                 segment: str = Form(""), list_as_of: str = Form(""), list_weights: str = Form("")):
        if source == "profile" and not _blank(list_as_of):
            # from a profile: the day it was seen at (its form's URL carries it; none, the latest data), so the lead
            # keeps its score on that day's 招商线索 list, as one added from the list does
            list_as_of = link_as_of(request) or reference_date(store).isoformat()
        try:  # from 招商线索: the list's day and weights, so the lead keeps the score it was chosen by
            lead = L.add(store, team(request), enterprise, region, user=user, owner=_blank(owner), source=source,
                         segment=_blank(segment), next_action=_blank(next_action),
                         next_action_date=_blank(next_action_date), list_as_of=_blank(list_as_of),
                         list_weights=_blank(list_weights))
        except UserError as exc:
            try:  # an enterprise there is (the profile's form sends its id)
                known = str(enterprise).isdigit() and resolve_enterprise(store, int(enterprise), suggest=False) == int(enterprise)
            except UserError:
                known = False
            if source == "profile" and known:  # back on the enterprise's page, the region as typed and why beside it
                # as the profile was asked for (its as-of date and language: the form's URL carries them)
                return RedirectResponse(enterprise_href(enterprise, **page_query(request), pa_note=refusal(exc),
                                                        pa_region=region) + "#pipeline-add", status_code=303)
            return RedirectResponse("/pipeline?" + urlencode({"note": refusal(exc)}), status_code=303)
        # added, and said on its page: how the region's name was read (朝阳 读作 …), already local, another region's lead
        en = L.said_on_add(store, team(request), lead, "en")["warning"] if lead["warning"] else None
        warn = joined(lead["region_notes"], (lead["warning"], en))
        if warn:
            return RedirectResponse(f"/pipeline/{lead['id']}?" + urlencode(
                {"note": sign_note(app.state.auth, warn=warn)}), status_code=303)
        return RedirectResponse(f"/pipeline/{lead['id']}", status_code=303)

    FORM_FIELDS = ("status", "owner", "next_action", "next_action_date")
    FORM_LABELS = {f: L.FIELD_LABELS[f] for f in (*FORM_FIELDS, "note", "signed_on")} | {
        "reason": ("理由", "reason"), "on": ("签约/落地日期", "signing/landing date")}

    def rebased(cur: dict, typed: dict, changes: list[dict]) -> dict:
        """What the user changed in a form refused as out of date: the values the form was loaded with are the lead's
        now, save the fields changed since (their value before the first such change); a field the user changed
        from it, and every free text typed (note, reason, a day), is kept."""
        loaded = {f: cur.get(f) for f in FORM_FIELDS} | {"next_action_date": L.due_text(cur)}
        for h in reversed(changes):
            if h["field"] in loaded:
                loaded[h["field"]] = h["from_value"]
        kept = {f: typed[f] for f in FORM_FIELDS if (typed.get(f) or "") != (loaded[f] or "")}
        return kept | {f: typed[f] for f in ("note", "reason", "on", "signed_on") if (typed.get(f) or "").strip()}

    @app.post("/pipeline/{lead_id}/change", include_in_schema=False)
    def form_change(lead_id: LeadId, request: Request, store=Depends(web.get_store), user=Depends(web.current_user),
                    status: str = Form(""), reason: str = Form(""), owner: str = Form(""), next_action: str = Form(""),
                    next_action_date: str = Form(""), note: str = Form(""), on: str = Form(""),
                    signed_on: str = Form(""), version: str = Form("")):
        """The lead's form: the fields that differ from the lead as it is are sent, and the form's version (the lead's
        as the page showed it) is checked, so a form loaded before a colleague's change never writes back its old
        values: it is refused naming who changed what, the form again on the lead as it is now with what the user
        changed still typed in it."""
        cur = L.get(team(request), lead_id)
        due = L.due_text(cur, web.lang_of(request)) or ""  # as the form showed it: the day, or 长期 / open-ended
        typed = {"status": status, "reason": reason, "owner": owner, "next_action": next_action,
                 "next_action_date": next_action_date, "note": note, "on": on, "signed_on": signed_on}
        try:
            row = L.update(team(request), lead_id, user=user, store=store, version=_blank(version),
                     reason=_blank(reason), note=_blank(note), on=_blank(on),
                     signed_on=_blank(signed_on),  # a landed lead's signing day, corrected where it stands
                     # the status the lead has, with a day: that stage's day corrected
                     status=status if status and (status != cur["status"] or (_blank(on) and status in ("signed", "landed")))
                     else None,
                     owner=owner if owner != (cur["owner"] or "") else None,
                     next_action=next_action if next_action != (cur["next_action"] or "") else None,
                     next_action_date=next_action_date if next_action_date.strip() != due else None)
        except Conflict as exc:  # the lead as it is now, what the user changed kept typed over it
            kept = rebased(cur, typed, exc.changes)
            zh, en = [FORM_LABELS[f][0] for f in kept], [FORM_LABELS[f][1] for f in kept]
            said = UserError(exc.in_lang("zh") + (" 表单已换成最新内容，你填写的" + "、".join(zh) + "仍在表单中" if kept else
                                                  " 表单已换成最新内容"),
                             exc.in_lang("en") + (" The form now holds the latest values, with what you typed kept: "
                                                  + ", ".join(en) if kept else " The form now holds the latest values"))
            return lead_view(request, store, lead_id, said.in_lang(web.lang_of(request)),
                             kept | {"version": exc.version, "_rebased": True}, refused=said)
        except UserError as exc:  # the form again as it was filled in, beside why (nothing typed is lost)
            typed["version"] = version
            return lead_view(request, store, lead_id, exc.in_lang(web.lang_of(request)).splitlines()[0], typed, refused=exc)
        # how each date typed was read, as the command line reads it (2026年3月 → 2026-03-31): the next action's 日期,
        # the 签约/落地日期 as the day of the stage the lead moved to (or is at), the 签约日期
        stage = {"signed": "signed_on", "landed": "landed_on"}.get(row["to_status"])
        reads = [r for r in (L.date_read(next_action_date) if next_action_date.strip() != due else None,
                             L.date_read(on, stage) if stage else None, L.date_read(signed_on, "signed_on")) if r]
        read = ("；".join(r[0] for r in reads), "; ".join(r[1] for r in reads)) if reads else None
        return RedirectResponse(f"/pipeline/{lead_id}" + ("?" + urlencode({"note": sign_note(app.state.auth, done=read)})
                                                          if read else ""), status_code=303)
