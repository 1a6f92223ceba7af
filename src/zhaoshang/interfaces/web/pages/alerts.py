"""预警规则 (/alerts: the signed-in user's watchlists and rules, delivery channels and the live alert feed; an
alert's page with its evidence) and the JSON twins under /api/alerts — the same services as ``zhaoshang
alerts`` (``services.alerts``). Changes are POSTs (``team_write`` and CSRF by the access middleware, so viewers
read only) — but for marking one's own alerts read, the reader's own state (``read``, any role); the feed updates by server-sent events (``/api/alerts/stream``)."""

from __future__ import annotations

from typing import Annotated, Any, Optional, Union
from urllib.parse import urlencode

from fastapi import Body, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from pydantic import Field

from ....core.errors import NotFound, UserError
from ....core.geo.lookup import region_labels
from ....core.geo.readings import joined
from ....core.parse.dates import china_time_text
from ....services.alerts import delivery, feed
from ....services.alerts import rules as R
from ....services.monitoring.feeds import feed_words, hide_paths, notes_in_words
from ...labels import EVENT_TYPES, alert_type_text, delivery_error_text, event_text, label, news_link_text, number_text
from .. import sse
from ..access import personal_events
from ..auth import read_note, sign_note
from ..schemas import After, Note, StrictBody

EVENT_CHOICES = ("funding", "news", "branch", "subsidiary", "investment", "patent", "change_legal_rep", "change_status",
                 "change_region", "change_capital", "dissolved")
Id = Annotated[int, Path(ge=1, le=2 ** 62)]
YAML = "application/yaml"
S = Field(None, max_length=2000)


class RuleIn(StrictBody):
    name: str = Field(..., max_length=100)
    name_en: Optional[str] = Field(None, max_length=100)
    types: Optional[list[str]] = Field(None, max_length=50)
    enterprises: Optional[list[str]] = Field(None, max_length=200)
    targets: Optional[list[str]] = Field(None, max_length=5)
    regions: Optional[list[str]] = Field(None, max_length=100)
    nodes: Optional[list[str]] = Field(None, max_length=200)
    gaps_of: Optional[str] = Field(None, max_length=200)
    # a number (万元) or the amount as written (1亿, 5000万): read and bounded by the one reader of typed amounts
    min_amount_wan: Optional[Union[float, Annotated[str, Field(max_length=100)]]] = None
    max_sentiment: Optional[float] = None
    min_sentiment: Optional[float] = None
    channels: Optional[list[str]] = Field(None, max_length=3)
    enabled: bool = True
    replace: bool = False


class ChannelsIn(StrictBody):
    email: Optional[str] = Field(None, max_length=200)
    webhook_url: Optional[str] = Field(None, max_length=2000)
    webhook_secret: Optional[str] = Field(None, max_length=500)


class ReadIn(StrictBody):
    ids: Optional[list[int]] = Field(None, max_length=1000)


LISTED = 100  # the page lists the latest alerts (the rest: zhaoshang alerts list, /api/alerts)


def _owner(user) -> str:
    return getattr(user, "name", None) or R.LOCAL


def _blank(v: Optional[str]) -> Optional[str]:
    return v if v is not None and v.strip() else None


def shown_explain(alert: dict, lang: str, store, nodes: dict[str, str]) -> dict:
    """The alert's explained match as the page shows it: the values of its conditions by their names in ``lang``
    (event type 融资, not ``funding``; the region by its label, ``region_labels``; segments and enterprise by name,
    not by code or id). The JSON twin keeps the codes."""
    x = alert.get("explain")
    if not isinstance(x, dict) or not x.get("parts"):
        return x
    en = lang == "en"
    labels = region_labels(store, [p.get("raw") for p in x["parts"] if p.get("signal") == "region" and isinstance(p.get("raw"), str)], lang)
    params = x.get("params") or {}
    places = {r["code"]: r.get("name") for r in params.get("regions") or [] if isinstance(r, dict)}
    node = lambda c: nodes.get(c, str(c))  # noqa: E731

    def text(signal: str, raw: Any) -> Any:
        if signal == "type":
            return label("event", raw, lang)
        if signal == "region":
            return labels.get(raw) or places.get(raw) or raw
        if signal in ("enterprise", "target") and raw == alert.get("enterprise_id"):
            return alert.get("enterprise_name") or raw
        if signal == "node":
            return node(raw)
        if signal == "gap" and isinstance(raw, list):
            return ("、" if not en else ", ").join(node(c) for c in raw)
        return raw
    return {**x, "parts": [{**p, "raw": news_link_text({"linked": p.get("raw"), **(p.get("detail") or {})}, lang)
                            if p.get("signal") == "linked" else text(p.get("signal"), p.get("raw"))} for p in x["parts"]]}


# a rule's key → the box of the new-rule form that holds it
BOXES = {"types": "more_types", "targets": "pipeline"}


def register(app, web) -> None:
    def team(request: Request):
        return request.app.state.team

    def shown(request: Request, store, alerts: Any, target: str) -> Any:
        """Alerts as the signed-in user may see them: a feed read from a file on the server by its file name for a
        role without ``data_update`` (in the event's source, as on 动态监测), each evidence note naming its source in
        words (a news feed by its name, as the e-mail digest says it: never a path on the server), personal data
        in their texts masked for a role without ``personal``; each with the export its event's change was seen in
        (``feed.with_seen``)."""
        alerts = notes_in_words(hide_paths(feed.with_seen(store, alerts), request.state.user), feed_words(team(request)))
        return personal_events(request, store, alerts, target)

    def own_alert(request: Request, alert_id: int, user) -> dict:
        a = feed.get(team(request), alert_id)
        if a["owner"] != _owner(user) and not user.can("admin"):
            raise NotFound(f"没有这条预警: #{alert_id}", en=f"no such alert: #{alert_id}")
        return a

    def overview(request: Request, store, user, lang: str) -> dict:
        who = _owner(user)
        listed = R.list_rules(team(request), who)
        names = region_labels(store, R.region_codes(listed), lang)
        rules = [dict(r, conditions=R.describe(r, lang, names, num=number_text), shown_name=R.shown_name(r, lang),
                      type_names=[label("event", x, lang) for x in r["types"]])
                 for r in listed]
        return {"owner": who, "rules": rules,
                # one row per event, naming every rule it matched (as the e-mail digest lists them)
                "alerts": feed.one_per_event(
                    R.with_shown_names(shown(request, store, feed.list_alerts(team(request), who, limit=LISTED), "alerts"),
                                       rules, lang),
                    "rule_shown", ", " if lang == "en" else "、"),
                "listed": LISTED, "counts": feed.counts(team(request), who), "local": who == R.LOCAL,
                "channels": R.channels(team(request), who),
                # deliveries that failed every attempt (a receiver down, an address refused): said, with their error,
                # and sent again from the page
                "dead_letters": delivery.list_deliveries(team(request), status="dead", owner=who, limit=50)}

    @app.get("/api/alerts", tags=["alerts"], summary="我的预警规则、推送渠道与最近的预警（JSON，预警规则页的数据）")
    def api_overview(request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        return web.json(overview(request, store, user, web.lang_of(request)))

    @app.get("/api/alerts/items", tags=["alerts"], summary="我的预警（最新在前；after=编号：只要更新的；unread：只要未读）")
    def api_items(request: Request, store=Depends(web.get_store), user=Depends(web.current_user), after: After = 0,
                  unread: bool = False, limit: Annotated[int, Query(ge=1, le=1000)] = 200):
        items = feed.list_alerts(team(request), _owner(user), after=after, unread=unread, limit=limit)
        return web.json({"items": shown(request, store, items, "alerts")})

    @app.get("/api/alerts/items/{alert_id}", tags=["alerts"], summary="一条预警：规则、事件、解释与依据（事件及其来源）")
    def api_item(alert_id: Id, request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        return web.json(shown(request, store, own_alert(request, alert_id, user), f"alert:{alert_id}"))

    @app.post("/api/alerts/read", tags=["alerts"], summary="把预警标为已读（ids 省略则全部）")
    def api_read(request: Request, body: ReadIn = Body(ReadIn()), user=Depends(web.current_user)):
        return web.json({"marked": feed.mark_read(team(request), _owner(user), body.ids, by=user)})

    @app.get("/api/alerts/rules", tags=["alerts"], summary="我的预警规则")
    def api_rules(request: Request, user=Depends(web.current_user)):
        return web.json({"items": R.list_rules(team(request), _owner(user))})

    @app.post("/api/alerts/rules", tags=["alerts"], summary="新建（或 replace=true 时替换同名的）预警规则")
    def api_add_rule(rule: RuleIn, request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        spec = rule.model_dump(exclude={"replace"})
        return web.json(R.add(store, team(request), spec, owner=user, replace=rule.replace))

    @app.post("/api/alerts/rules/{rule_id}/remove", tags=["alerts"], summary="删除一条自己的规则（已产生的预警保留）")
    def api_remove_rule(rule_id: Id, request: Request, user=Depends(web.current_user)):
        return web.json(R.remove(team(request), rule_id, owner=user, admin=user.can("admin") and not user.is_anonymous))

    @app.get("/api/alerts/rules/yaml", tags=["alerts"], summary="我的规则导出为 YAML", response_class=PlainTextResponse)
    def api_rules_yaml(request: Request, user=Depends(web.current_user)):
        return PlainTextResponse(R.export_yaml(team(request), _owner(user)), media_type=YAML + "; charset=utf-8")

    @app.post("/api/alerts/rules/yaml", tags=["alerts"], summary="从 YAML 读入规则（rules: 列表；同名替换；一条有误则整份拒绝）")
    def api_rules_from_yaml(request: Request, text: str = Body(..., media_type="application/yaml", max_length=200_000),
                            store=Depends(web.get_store), user=Depends(web.current_user)):
        return web.json({"items": R.import_yaml(store, team(request), text, owner=user)})

    @app.get("/api/alerts/channels", tags=["alerts"], summary="我的推送渠道（邮箱、Webhook；密钥只显示是否已设置）")
    def api_channels(request: Request, user=Depends(web.current_user)):
        return web.json(R.channels(team(request), _owner(user)))

    @app.post("/api/alerts/channels", tags=["alerts"], summary="设置推送渠道（\"\" 清除一项）")
    def api_set_channels(body: ChannelsIn, request: Request, user=Depends(web.current_user)):
        return web.json(R.set_channels(team(request), user, **body.model_dump(),
                                       policy=request.app.state.webhook_policy, lang=web.lang_of(request)))

    @app.get("/api/alerts/stream", include_in_schema=False)
    def api_stream(request: Request, store=Depends(web.get_store), user=Depends(web.current_user), after: After = 0):
        who, db, lang = _owner(user), team(request), web.lang_of(request)

        def fetch(last: int) -> list[dict]:  # each title and type as the feed shows them (labels.event_text, alert_type_text)
            rows = reversed(shown(request, store, feed.list_alerts(db, who, after=last, limit=100), "alerts"))
            return [{**a, "shown_title": event_text(a, lang), "shown_type": alert_type_text(a, lang)}
                    for a in R.with_shown_names(list(rows), R.list_rules(db, who), lang)]

        return sse.polled(request, fetch, after, event="alert")

    # ---------------------------------------------------------------------------------------------- pages
    def back(error: UserError | None = None, warn: tuple[str, str] | None = None) -> RedirectResponse:
        """Back to the page, with why a change was refused, or what a saved one says (how a region's name was read;
        signed: a link's own text never fills the box)."""
        if error is None and warn is None:
            return RedirectResponse("/alerts", status_code=303)
        note = sign_note(app.state.auth, error=error, warn=warn)
        return RedirectResponse("/alerts?" + urlencode({"note": note}), status_code=303)

    @app.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
    def alerts_page(request: Request, store=Depends(web.get_store), user=Depends(web.current_user),
                    note: Note = None):
        said = read_note(app.state.auth, note, web.lang_of(request))
        if said["typed"]:  # a refused new rule drawn again in another language (the switch of the page its POST drew)
            request.state.form_errors = {k: {"message": m, "choices": None} for k, m in said["fields"].items()}
        return alerts_view(request, store, user, said["error"], said["typed"] or None, said["region"], warn=said["warn"])

    def alerts_view(request: Request, store, user, error: str | None, typed: dict | None = None, refused=None,
                    warn: str | None = None, note: str | None = None):
        """The page; ``typed``: the new-rule form as the user filled it, shown again with why it was refused
        beside it (nothing typed is lost); ``refused``: the refusal, a region's with the regions to put instead;
        ``warn``: what a saved rule said (how a region's name was read); ``note``: the same refusal signed, which
        the language switch of the page a POST drew carries (a GET: the form is never sent again)."""
        doc = overview(request, store, user, web.lang_of(request))
        doc["dead_letters"] = [dict(d, when=china_time_text(d["updated_at"]),
                                    error_text=delivery_error_text(d["last_error"], web.lang_of(request)))
                               for d in doc["dead_letters"]]
        return web.page(request, "alerts.html", {
            "nav": "alerts", "page_path": "/alerts", "refused_query": {"note": note} if note else None, **doc, "error": (error or "")[:300] or None, "warn": warn, "typed": typed, "event_choices": EVENT_CHOICES,
            "refused_region": web.region_refusal(store, web.lang_of(request), refused) if refused else None,
            "can_write": user.can("team_write"),
            "type_labels": {k: v[web.lang_of(request) == "en"] for k, v in EVENT_TYPES.items()}, "latest": max((i for a in doc["alerts"] for i in a["alert_ids"]), default=0),
            "json_twin": "/api/alerts"})

    @app.get("/alerts/{alert_id}", response_class=HTMLResponse, include_in_schema=False)
    def alert_page(alert_id: Id, request: Request, store=Depends(web.get_store), user=Depends(web.current_user)):
        a, lang = shown(request, store, own_alert(request, alert_id, user), f"alert:{alert_id}"), web.lang_of(request)
        # its rule by the name the list shows (``rules.shown_name``: the English name on an English page)
        a = R.with_shown_names([a], R.list_rules(team(request), a["owner"]), lang)[0]
        return web.page(request, "alert.html", {"nav": "alerts", "alert": a, "json_twin": f"/api/alerts/items/{alert_id}",
                                                "why": shown_explain(a, lang, store,
                                                                     web.node_names(store, lang))})

    @app.post("/alerts/rules/add", include_in_schema=False)
    def form_add(request: Request, store=Depends(web.get_store), user=Depends(web.current_user),
                 name: str = Form(""), types: list[str] = Form([]), more_types: str = Form(""),
                 enterprises: str = Form(""), pipeline: str = Form(""), regions: str = Form(""), nodes: str = Form(""),
                 gaps_of: str = Form(""), min_amount_wan: str = Form(""), max_sentiment: str = Form(""),
                 min_sentiment: str = Form(""), channels: list[str] = Form([])):
        spec = {"name": name, "types": list(types) + R.as_list(more_types), "enterprises": enterprises,
                "targets": ["pipeline"] if pipeline else [], "regions": regions, "nodes": nodes,
                "gaps_of": _blank(gaps_of), "min_amount_wan": _blank(min_amount_wan),
                "max_sentiment": _blank(max_sentiment), "min_sentiment": _blank(min_sentiment), "channels": list(channels)}
        try:
            saved = R.add(store, team(request), spec, owner=user)
        except UserError as exc:  # the form again as it was filled in, beside why
            typed = {"name": name, "types": list(types), "more_types": more_types, "enterprises": enterprises,
                     "pipeline": "1" if pipeline else "", "regions": regions, "nodes": nodes, "gaps_of": gaps_of,
                     "min_amount_wan": min_amount_wan, "max_sentiment": max_sentiment, "min_sentiment": min_sentiment,
                     "channels": list(channels)}
            # every field refused at once, as a filter form says them (form_errors, _field_error.html): the first above
            # the form (a region's with the regions to put instead), each other beside its box
            lang = web.lang_of(request)
            others = {BOXES.get(k, k): e for k, e in list((getattr(exc, "refused", None) or {}).items())[1:]}
            request.state.form_errors = {k: {"message": e.in_lang(lang).splitlines()[0], "choices": None}
                                         for k, e in others.items()}
            note = sign_note(app.state.auth, error=exc, typed=typed, fields=others)
            return alerts_view(request, store, user, exc.in_lang(lang).splitlines()[0], typed, exc, note=note)
        return back(warn=joined(saved["region_notes"]))  # a region's name other regions share: how it was read

    @app.post("/alerts/rules/{rule_id}/remove", include_in_schema=False)
    def form_remove(rule_id: Id, request: Request, user=Depends(web.current_user)):
        try:
            R.remove(team(request), rule_id, owner=user)
        except UserError as exc:
            return back(exc)
        return back()

    @app.post("/alerts/rules/yaml", include_in_schema=False)
    def form_yaml(request: Request, store=Depends(web.get_store), user=Depends(web.current_user),
                  text: str = Form("", max_length=200_000)):
        try:
            R.import_yaml(store, team(request), text, owner=user)
        except UserError as exc:
            return back(exc)
        return back()

    @app.post("/alerts/channels", include_in_schema=False)
    def form_channels(request: Request, user=Depends(web.current_user), email: str = Form(""),
                      webhook_url: str = Form(""), webhook_secret: str = Form("")):
        try:
            R.set_channels(team(request), user, email=email, webhook_url=webhook_url,
                           webhook_secret=webhook_secret or None,  # an empty secret field keeps the stored one
                           policy=request.app.state.webhook_policy, lang=web.lang_of(request))
        except UserError as exc:
            return back(exc)
        return back()

    @app.post("/alerts/deliveries/retry", include_in_schema=False)
    def form_retry(request: Request, user=Depends(web.current_user)):
        """The user's dead letters back in the queue: the server's delivery schedule sends them at once."""
        delivery.retry(team(request), owner=_owner(user))
        return back()

    @app.post("/alerts/read", include_in_schema=False)
    def form_read(request: Request, user=Depends(web.current_user)):
        feed.mark_read(team(request), _owner(user), by=user)
        return back()
