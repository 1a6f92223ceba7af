"""The plumbing every feature router shares: the served store (one cursor per request), the page renderer
with the common layout, the JSON response class (the one encoder), a per-app cache and the user dependency.

``create_app`` builds one ``WebContext`` and hands it to each feature module's ``register(app, web)``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fastapi import Depends, Request
from fastapi.responses import FileResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from starlette.background import BackgroundTask

from ...core import jsonenc
from ...core.parse.dates import DATE_FORMS, DAY_FORMS, DEADLINE_FORMS, MAX_YEAR, MIN_YEAR, china_time_text, china_today, format_date, parse_date, zoned
from ...core.errors import noun_en
from ...core.geo.lookup import field_text, refused_head, split_regions
from ...core.event_titles import amount_en, money_en
from ...core.store import Store
from ...core.teamstate.clock import to_second
from ...core.numbers import quantity_text
from ...core.explain import enterprise_href, page_href, relations_href, row_href  # a row to the line of the profile that shows it (the scorecard's evidence, the leads' rows)
from ...services.team.roles import LOCAL_USER
from ...services import enterprises as ent_svc
from ...services import reference
from ...services.monitoring.news import enterprise_cell
from ...services.regions import matrix
from ...services.chain import reading as chain_reading
from ...services.evaluation import facts as evidence_facts
from .dates import shown_date
from .deps import current_user
from .geo import Boundaries
from ..labels import (AUDIT_COLUMNS, match_score_text, alert_type_text, SCORECARD_COLUMNS, SCORECARD_HINTS, not_covered_text, audit_detail_text, column, event_date_text, event_text, label, lq_text, news_date_text,
                      later_lines_text, list_text, measure_text, amount_parts, node_names, undated_lines_text, number_text, one_side, placements_dated_text, region_names, region_text, role_text, segment_fit_text, strength_text,
                      share_text, title_text)
from ..templating import compiled_templates
from .i18n import STRINGS, translate
from .limits import TokenBuckets, user_key
from .served import BoundedCache, ServedData



HERE = Path(__file__).parent
# the media type of each file a list page downloads
DOWNLOAD_MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "csv": "text/csv; charset=utf-8"}


class FastJSON(Response):
    """JSON twins: the shared encoder (``core.jsonenc``), without FastAPI's generic (slow) one."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        if isinstance(content, dict) and (said := region_notes()) and "region_notes" not in content:
            content = {**content, "region_notes": said}  # a name the level rule read (app.RegionNotes)
        return jsonenc.dumpb(content)


def region_notes() -> list[dict]:
    """The notes the region service left on this request (a name read by the level rule while other regions share
    it): ``[{text, note, note_en}]``, the command line's words."""
    from ...core.geo.readings import listed

    return listed()


def lang_of(request: Request, *, accept: bool = False) -> str:
    """The UI language of a request: ``?lang=`` first, then the cookie, Chinese by default. ``accept`` (an error of
    the JSON API, whose caller — a script, a tool — sets no cookie): before the default, the ``Accept-Language``
    header, English when the caller prefers it to Chinese (``en-US,en;q=0.9``), Chinese otherwise."""
    q = request.query_params.get("lang")
    if q:
        return "en" if q.lower().startswith("en") else "zh"
    c = request.cookies.get("lang")
    if c in ("en", "zh") or not accept:
        return "en" if c == "en" else "zh"
    return accepted_lang(request.headers.get("accept-language"))


def both_langs(exc: Any) -> dict:
    """An API error's message in both languages (``error_zh``, ``error_en``) beside the one chosen (``error``), when
    the refusal has both (``UserError`` with its English); {} when it has one."""
    en = getattr(exc, "en", None)
    return {"error_zh": str(exc), "error_en": en} if isinstance(exc, Exception) and en else {}


def accepted_lang(header: str | None) -> str:
    """``en`` when an ``Accept-Language`` header weighs English above Chinese (each language's best ``q``, 1 when
    not given; a language it does not name weighs 0), else ``zh``."""
    best = {"en": 0.0, "zh": 0.0}
    for item in (header or "").split(",")[:50]:
        tag, _, params = item.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        if base not in best:
            continue
        weight = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k.strip().lower() == "q":
                try:
                    weight = float(v)
                except ValueError:
                    weight = 0.0
        best[base] = max(best[base], weight)
    return "en" if best["en"] > best["zh"] else "zh"


def region_choices(request: Request, exc: Exception) -> list[dict] | None:
    """The regions an ambiguous or unknown region reference may mean (``candidates`` or ``suggestions`` of the
    region service), each with the URL of this request with the reference replaced by its code."""
    choices = getattr(exc, "candidates", None)
    if choices is None:
        choices = getattr(exc, "suggestions", None)
    text = getattr(exc, "text", None)
    if choices is None or not text:
        return None

    def swap(value: str, code: str) -> str:
        parts = value.split(",")
        if any(x.strip() == text for x in parts):
            return ",".join(code if x.strip() == text else x for x in parts)
        return code if split_regions(value) == [text] else value  # the region with a stray 、 (杭洲、 → 杭洲)

    out = []
    for c in choices:
        path = "/".join(quote(swap(seg, c["code"])) for seg in request.scope["path"].split("/"))
        query = urlencode([(k, swap(v, c["code"])) for k, v in request.query_params.multi_items()])
        out.append({**c, "url": path + ("?" + query if query else "")})
    return out


def region_refusal(store: Store, lang: str, refused: Any) -> dict | None:
    """A form's refused region, as its page offers the way out: ``{"text", "ambiguous", "message", "choices"}``
    (``message``: the refusal said once, its regions being the choices beside it), each choice
    ``{code, label, label_en, fill}`` with ``fill`` the text the field takes to name that region
    (``geo.lookup.field_text``). ``refused``: the region service's ``AmbiguousRegion`` / ``RegionNotFound``, or
    what a signed page note carries of one (``auth.sign_note``); None for any other refusal."""
    if isinstance(refused, dict):
        text, choices, ambiguous = refused.get("text"), refused.get("choices"), bool(refused.get("ambiguous"))
    else:
        ambiguous = getattr(refused, "candidates", None) is not None
        text = getattr(refused, "text", None)
        choices = getattr(refused, "candidates", None) if ambiguous else getattr(refused, "suggestions", None)
    if not text or not choices:
        return None
    return {"text": text, "ambiguous": ambiguous, "message": refused_head(text, ambiguous).in_lang(lang),
            "choices": [{"code": c["code"], "label": c.get("label") or c["code"], "label_en": c.get("label_en"),
                         "fill": field_text(store, c["code"], lang)} for c in choices]}


def clean(v: Any) -> Any:
    """An empty form field means "not given"."""
    return None if v in ("", None) else v


def xnum(v: Any) -> str:
    """A number as an analyst reads it (``labels.measure_text``: no e-notation, thousands separated, at most three
    decimals); — for none."""
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "✗"
    return measure_text(v) if isinstance(v, (int, float)) else str(v)


def params_text(v: Any, lang: str = "zh") -> str:
    """Parameters as ``key=value`` pairs (nested ones — a list's records too — in parentheses), for a tooltip; a
    list's items joined as the page's language joins them (、 / ", ")."""
    def one(x: Any) -> str:
        return f"({params_text(x, lang)})" if isinstance(x, dict) else params_text(x, lang)

    if isinstance(v, dict):
        return ", ".join(f"{k}={one(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return (", " if lang == "en" else "、").join(one(x) for x in v)
    return xnum(v) if isinstance(v, (int, float)) or v is None else str(v)


class WebContext:
    """Shared by every feature router (see ``pages/``)."""

    json = FastJSON
    lang_of = staticmethod(lang_of)
    clean = staticmethod(clean)
    region_refusal = staticmethod(region_refusal)  # (store, lang, exc or note) -> the refused region's choices
    current_user: Callable[..., Any] = staticmethod(current_user)  # FastAPI dependency → services.team.roles.User

    def __init__(self, served: ServedData, bounds: Boundaries):
        self.served = served
        self.bounds = bounds
        self.forms: dict[str, tuple[str, ...]] = {}  # a page's path → the parameters its filter form has a box for
        buckets = self.export_limits = TokenBuckets()

        def expensive(request: Request, user=Depends(current_user)) -> Callable[[], None]:
            """Dependency of expensive routes (exports, reports): the user's rate limit (``limits.py``), checked
            before the route's work (a user past it is refused at once, nothing computed).

            Returns the spending call, made by the route body once the request has passed validation and its
            subject was found, so that refused or mistyped requests never use up a user's allowance."""
            if getattr(user, "via", None) == "local":  # a local-only server's single user: no other user's pages
                return lambda: None                     # to keep answering (docs/security.md)
            key = user_key(request, user)
            buckets.check(key)
            return lambda: buckets.take(key)

        self.expensive = expensive
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.bytecode_cache = compiled_templates()
        self.templates.env.filters["pretty"] = jsonenc.dumps
        self.templates.env.filters["xnum"] = xnum
        # every time shown is China's to the second (dates.china_time_text): in a column under a header that names
        # the clock (zoned: 时间 (UTC+8)) bare, a stored team-state time by to_second; in running text with its zone
        self.templates.env.filters["to_second"] = to_second
        self.templates.env.filters["china_time"] = china_time_text
        self.templates.env.filters["zoned"] = zoned
        self.templates.env.filters["params_text"] = params_text
        self.templates.env.filters["one_side"] = one_side
        self.templates.env.filters["amount_parts"] = amount_parts  # a funding sum and its parts that add up (labels.py)
        self.templates.env.filters["number_text"] = number_text  # a measured quantity: 1,726 not 1726.00 (labels.py)
        # a kind of quantity with its decimals, as the CLI's tables print it (core.numbers.DIGITS: weight 0.2727)
        self.templates.env.filters["qty"] = quantity_text
        self.templates.env.filters["match_score"] = match_score_text  # 0.600 / 0.580 / 0.549, as the CLI's table
        self.templates.env.filters["event_text"] = event_text
        self.templates.env.filters["region_text"] = region_text  # a record's region in the UI language (labels.py)
        # an undated feed item's event and news item dated by the day it was read, labelled 抓取日 (labels.py)
        self.templates.env.filters["event_date"] = event_date_text
        self.templates.env.filters["news_date"] = news_date_text
        self.templates.env.filters["alert_type_text"] = alert_type_text  # the type a rule matched (labels.py)
        # a news item's linked enterprise as `monitor news` names it: its full name, the mention beside it (news.py)
        self.templates.env.filters["news_enterprise"] = enterprise_cell
        self.templates.env.filters["amount_en"] = lambda v: amount_en(v) if v else v  # a funding's amount as written
        self.templates.env.filters["money_en"] = money_en  # an amount in CNY: CNY 24.2 million
        self.templates.env.filters["label"] = lambda value, vocab, lang="zh": label(vocab, value, lang)  # labels.py
        self.templates.env.filters["list_text"] = lambda items, lang="zh": list_text(items, lang)  # 、 / ", " (labels.py)
        # a date known to a month or a year shown as such (2015年3月), never as the day the source did not give
        self.templates.env.filters["date_known"] = lambda d, precision=None, lang="zh": format_date(d, precision, lang)
        self.templates.env.filters["placements_dated"] = lambda day, lang="zh": placements_dated_text(day, lang)
        self.templates.env.filters["later_lines"] = lambda later, as_of, lang="zh": later_lines_text(later, as_of, lang)
        self.templates.env.filters["undated_lines"] = lambda undated, lang="zh": undated_lines_text(undated, lang)
        self.templates.env.filters["role_text"] = role_text  # a person's office: the title as written, never cut
        self.templates.env.filters["share_text"] = share_text  # a holding's share (36.85%), as the person panel says it
        self.templates.env.filters["title_text"] = title_text  # a title with no role code beside it (a contact's)
        # the pair model's weightiest features in words (services/chain/reading.py), under a placement's data and method
        self.templates.env.filters["top_features"] = lambda detail, lang="zh": chain_reading.top_features(detail, lang)
        self.templates.env.filters["strength_text"] = strength_text  # a path's strength, as the CLI and the reasons say it
        self.templates.env.filters["segment_fit"] = lambda raw, lang="zh": segment_fit_text(raw, lang)  # gap → 补链
        self.templates.env.filters["audit_detail"] = audit_detail_text  # the 详情 column in words (the export keeps JSON)
        self.templates.env.filters["audit_column"] = lambda key, lang="zh": column(key, lang, AUDIT_COLUMNS)  # and the export
        # the scorecard's headers and their tooltips, as the score command's table heads them (labels.py)
        self.templates.env.filters["not_covered_text"] = lambda detail, lang="zh": not_covered_text(detail, lang)
        self.templates.env.filters["scorecard_column"] = lambda key, lang="zh": SCORECARD_COLUMNS[key][lang == "en"]
        self.templates.env.filters["scorecard_hint"] = lambda key, lang="zh": SCORECARD_HINTS[key][lang == "en"]
        self.templates.env.filters["as_explained"] = lambda v: v.to_json() if hasattr(v, "to_json") else v
        # the years a date field and a year field take: the one date parser's (core/parse/dates.py)
        self.templates.env.globals.update(min_year=MIN_YEAR, max_year=MAX_YEAR, day_forms=DAY_FORMS,  # a date box's hint
                                          deadline_forms=DEADLINE_FORMS,  # a deadline's box (read by the server)
                                          date_forms=DATE_FORMS)  # a lead's stage day's box (read by the server)
        # a scorecard's evidence: how many rows of a list it links one by one, and the profile line each table's rows
        # have (services/evaluation/facts.py; the profile lists every row so linked)
        self.templates.env.globals.update(evidence_linked=evidence_facts.LINKED, row_href=row_href)
        # every enterprise link of a page: the profile as of the page's as-of (core/explain.py enterprise_href)
        self.templates.env.globals.update(enterprise_href=_page_enterprise_href, relations_href=_page_relations_href,
                                          page_href=_page_href, page_query=page_query, nav_href=_nav_href, nav_keeps=NAV_KEEPS,
                                          link_as_of=link_as_of)  # and #zs-boot for scripts
        # what a date field shows: the day the server read in its value, as YYYY-MM-DD (dates.shown_date)
        self.templates.env.filters["shown_date"] = shown_date
        self.templates.env.policies["json.dumps_function"] = lambda v, **kw: jsonenc.dumps(v)

    # -- store ---------------------------------------------------------------------------------------
    @property
    def base(self) -> Store:
        """The current generation of the served database (``served.py``)."""
        return self.served.base

    def get_store(self) -> Iterator[Store]:
        """FastAPI dependency yielding a Store on the current data generation (one cursor per request)."""
        yield from self.served.store_scope()

    # -- cached answers ------------------------------------------------------------------------------
    @property
    def cache(self) -> BoundedCache:
        return self.served.cache

    def cached(self, store: Store, key: tuple, fn: Callable[[], Any]) -> Any:
        """``fn()`` once per data generation (the one ``store`` reads), kept in the app's bounded cache."""
        return self.served.cached(store, key, fn)

    def meta(self, store: Store) -> dict:
        return self.cached(store, ("meta",), lambda: reference.database_meta(store))

    def facets(self, store: Store) -> dict:
        return self.cached(store, ("facets",), lambda: ent_svc.facets(store))

    def provinces(self, store: Store) -> list[dict]:
        return self.cached(store, ("provinces",), lambda: reference.regions_at(store, "province"))

    def region_names(self, store: Store, lang: str) -> dict[str, str]:
        """Region code → its name in ``lang`` where that is not the stored Chinese one (``labels.region_names``)."""
        return self.cached(store, ("region-names", lang), lambda: region_names(store, lang))

    def node_names(self, store: Store, lang: str, *, code: bool = True) -> dict[str, str]:
        """Chain node code → "code name" (without ``code``: the name alone) in ``lang`` (a segment shown by name,
        not by its code alone; ``labels.node_names``, which the CLI reads too)."""
        return self.cached(store, ("node-names", lang, code), lambda: node_names(store, lang, code=code))

    # -- downloads -----------------------------------------------------------------------------------
    @staticmethod
    def download(write: Callable[[str], Any], fmt: str, name: str | tuple, day=None) -> FileResponse:
        """A list page's export as a file for the browser: ``write(path)`` writes it (through the one writer,
        ``core.writers``) to a temporary file, removed once sent or when writing fails (a refused filter leaves
        nothing behind); the file is named ``NAME-YYYYMMDD.FMT`` (``download_name``)."""
        fd, tmp = tempfile.mkstemp(suffix="." + fmt, prefix="zhaoshang-export-")
        os.close(fd)
        try:
            write(tmp)
        except BaseException:
            os.unlink(tmp)
            raise
        return FileResponse(tmp, media_type=DOWNLOAD_MEDIA[fmt], filename=WebContext.download_name(name, fmt, day),
                            background=BackgroundTask(os.unlink, tmp))

    @staticmethod
    def download_name(name: str | tuple, fmt: str, day=None) -> str:
        """An export's file name: ``NAME-YYYYMMDD.FMT``, dated by ``day`` (a date or YYYY-MM-DD: the as-of date of
        what the file holds, as the leads list and the region report are dated) or else by the day in China (the
        pipeline: its state that day). ``name`` as parts — the list, then what it is of, by name and number
        (``("match-demand", "D154")``, ``("match-enterprise", "某某科技有限公司", "9133…")``) — each as a file name
        holds it: a run of other characters than letters, digits, ``.`` and ``-`` becomes ``_``, an empty part is left
        out."""
        if not isinstance(name, str):
            name = "-".join(p for p in (re.sub(r"[^\w.-]+", "_", str(x or "")).strip("_.") for x in name) if p)
        return f"{name}-{(parse_date(day) if day else china_today()).strftime('%Y%m%d')}.{fmt}"

    region_info = staticmethod(reference.region_info)   # (store, code, required=False) -> dict | None; 404 when unknown
    breadcrumb = staticmethod(reference.breadcrumb)     # (store, code) -> regions, top first

    # -- pages ---------------------------------------------------------------------------------------
    def form_page(self, path: str, *boxes: str) -> None:
        """Declare the boxes of the filter form of the page at ``path`` (its route's path): a value of one of them
        the page cannot take draws the page again, the value as typed in its box and why beside it (``forms.py``)."""
        self.forms[path] = boxes

    def page(self, request: Request, name: str, ctx: dict, status_code: int = 200):
        """Render ``name`` in the common layout (language, synthetic label, sources, user, JSON twin link).
        ``ctx["page_path"]``: the GET page a form's answer belongs to (a refused form drawn again by its POST), which
        the links back to the page (the language switch) point to: a POST's own address answers no GET (405);
        ``ctx["refused_query"]``: what those links carry to draw the refused form again (a signed note: the refusal and
        the values typed), so switching the language keeps them — a GET, which never sends the form again."""
        lang = lang_of(request)
        scope = self.served.store_scope()
        try:
            m = self.meta(next(scope))
        finally:
            scope.close()
        user = getattr(request.state, "user", LOCAL_USER)
        if not user.can("read"):  # the login page of a team server: nothing of the data before a login
            m = {**m, "as_of": None, "sources": []}

        def url_with(**kw):
            params = dict(request.query_params) | ({} if request.method in ("GET", "HEAD") else ctx.get("refused_query") or {})
            for k, v in kw.items():
                if v is None:
                    params.pop(k, None)
                else:
                    params[k] = v
            return page_path(request, ctx) + ("?" + urlencode(params) if params else "")

        errors = getattr(request.state, "form_errors", None) or {}
        # the data's label (services.datastore.data_note): the database's — the demo, or the demo mixed with imported
        # data —, on a page about one enterprise (``synthetic_subject``) the label of the demo's enterprises or none
        key = "en" if lang == "en" else "zh"
        subject = ctx.get("synthetic_subject")
        badge = (m.get("data_label") or {}).get(key) if subject is None else translate("synthetic", lang) if subject else None
        full = {"synth_badge": badge, "synth_note": (m.get("data_note") or {}).get(key),
                "request": request, "lang": lang, "t": lambda key: translate(key, lang),
                "tz": lambda zh, en: en if lang == "en" else zh,
                # a count's noun: Chinese as given, English singular or plural by the count (core/errors.noun_en)
                "noun": lambda n, zh, en, plural=None: noun_en(n, en, plural) if lang == "en" else zh, "meta": m, "synthetic": m["synthetic"],
                "today": china_today().isoformat(), "url_with": url_with, "strings": STRINGS, "lq_text": lq_text,
                "user": user, "region_notes": region_notes(),
                # a box the page could not take the value of (forms.py): why, and the value as typed
                "form_errors": errors,
                "typed": lambda name, value=None: errors[name]["value"] if name in errors else value, **ctx}
        if full.get("json_twin"):
            full["json_twin"] = twin_href(full["json_twin"], request)
        return self.templates.TemplateResponse(request, name, full, status_code=status_code)


def page_path(request: Request, ctx: dict) -> str:
    """The path of the page drawn: the request's for a GET; for a page a POST answers, the GET page it belongs to
    (``ctx["page_path"]``), else the same site's page the form was sent from (its Referer), else the home page."""
    if request.method in ("GET", "HEAD"):
        return request.url.path
    if ctx.get("page_path"):
        return ctx["page_path"]
    came = urlsplit(request.headers.get("referer") or "")
    return came.path if came.path and came.netloc == request.url.netloc else "/"


def link_as_of(request: Request | None) -> str:
    """The as-of date an enterprise link drawn on this request's page carries: the day its ``as_of`` parameter reads
    as (2022/6/30 → 2022-06-30), none when the page was asked for no date (the profile's default is the page's)."""
    value = request.query_params.get("as_of") if request is not None else None
    return shown_date(value) if value and value.strip() else ""


def twin_href(href: str, request: Request | None) -> str:
    """A page's JSON twin as of the page's as-of (``link_as_of``) when its link names no date of its own: the JSON
    answers for the day the page shows, not the latest."""
    day = link_as_of(request)
    path, _, query = href.partition("?")
    if not day or any(k == "as_of" for k, _ in parse_qsl(query)):
        return href
    return page_href(path, as_of=day) + (f"&{query}" if query else "")


def page_query(request: Request | None) -> dict:
    """What a form posted from this request's page, and the redirect back to it, keep of the page's query: its as-of
    date (``link_as_of``) and the language its URL asked for (``?lang=``; without it the cookie says it)."""
    asked = request is not None and request.query_params.get("lang")
    return {"as_of": link_as_of(request), "lang": lang_of(request) if asked else ""}


@pass_context
def _page_href(ctx, path: str, **params) -> str:
    """``page_href(path, k=v …)`` in a template: the page's link as of this page's as-of (``link_as_of``) unless the
    call names another ``as_of``."""
    params.setdefault("as_of", link_as_of(ctx.get("request")))
    return page_href(path, **params)


# the sidebar's pages and what of the page a link leaves each one reads: its region (?region=, or the region page's
# own), the map its segment (?node=), its as-of date; the language goes along wherever the page's URL asked for one (``page_query``)
NAV_KEEPS = {"/map": ("region", "node", "as_of"), "/chain": ("region", "as_of"), "/enterprises": ("region", "as_of"),
             "/region": ("region", "as_of"), "/trends": ("region", "as_of"), "/network": ("as_of",),
             "/leads": ("region", "as_of"), "/pipeline": ("region",), "/methods": (), "/alerts": (),
             "/monitor": ("region", "as_of"), "/match": ("region", "as_of")}


@pass_context
def _nav_href(ctx, path: str) -> str:
    """``nav_href(path)`` in the sidebar: the page with this page's region, as-of and language where it reads them
    (``NAV_KEEPS``): an analyst on 杭州 as of a date lands on 杭州 as of that date, not on the default region today."""
    request = ctx.get("request")
    here = {"region": ctx.get("page_region") or (request.query_params.get("region") if request is not None else None),
            "node": request.query_params.get("node") if request is not None else None, "as_of": link_as_of(request)}
    return page_href(path, **{k: here[k] for k in NAV_KEEPS.get(path, ())}, lang=page_query(request)["lang"])


@pass_context
def _page_enterprise_href(ctx, ident) -> str:
    """``enterprise_href(id)`` in a template: the profile's link as of the page's as-of (``link_as_of``)."""
    return enterprise_href(ident, link_as_of(ctx.get("request")))


@pass_context
def _page_relations_href(ctx, key) -> str:
    """``relations_href(key)`` in a template: the relationship view as of the page's as-of (``link_as_of``)."""
    return relations_href(key, as_of=link_as_of(ctx.get("request")))
