"""A page's form given a value it cannot take: the page again, its form as the user filled it, the refusal beside
the box that holds the value — one way for every page with a filter form, never an error page that loses the form.

A page declares its form's boxes (``WebContext.form_page(path, fields)``). When a GET of it is refused for values
of those boxes alone — the parameter check (``schemas.field_reasons``: 前 = 99999999, 最低得分 = abc), the one
date parser (``dates.check_dates``: 截至 = 2025-13-45), the region service (杭洲: its suggestions, as links to
the same page with the region's code), any other refusal that names the value it refused (``UserError.text``: a
chain node XX99, a weights version, a funding stage, placed beside the box that holds that value; a select box
falls back to its default choice), a range whose two ends contradict each other (``UserError.pair``: 起 after 止,
both boxes marked and kept, the reason beside the second) — the app's error reply marks the request (``refuse``) instead of writing an
error page, and ``FormAgain`` (an outer layer of the app) asks the page again without those values: the page
is drawn with ``form_errors`` (box → message, suggestions, the value as typed), which the layout hands every
template (``typed`` and the ``_field_error.html`` macro), under 400 (300 for a region that names several:
a value of a form the page cannot take, never a 404, which is for a path that names nothing).
A JSON twin (/api/…) is refused as before; so is a value of a parameter the form has no box for.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from ...core.geo.lookup import AmbiguousRegion, RegionNotFound, split_regions

# what the error reply leaves on the refused request's state for FormAgain, and what the page's next pass reads
REFUSED = "form_refused"
ERRORS = "form_errors"


def refused_fields(request: Any, exc: Any, fields: dict[str, str] | None, boxes: tuple) -> dict[str, dict] | None:
    """The boxes of the page's form (``boxes``) that hold what the request was refused for, each
    ``{"message", "choices"}``; None when the refusal is not about those boxes alone. ``fields``: the parameter
    check's reasons (parameter → words); ``exc``: the exception (a date's ``param``, a region's ``text``)."""
    from .context import lang_of, region_choices

    lang = lang_of(request)
    if any(request.query_params.get(k) is None for k in fields or ()):
        return None  # a parameter missing, not a value to take away
    if fields:
        return {k: {"message": v, "choices": None} for k, v in fields.items()} if set(fields) <= set(boxes) else None
    pair = getattr(exc, "pair", None)
    if pair and set(pair) <= set(boxes) and hasattr(exc, "in_lang"):  # both ends kept, the reason beside the second
        return {pair[0]: {"message": "", "choices": None},
                pair[1]: {"message": exc.in_lang(lang).splitlines()[0], "choices": None}}
    param = getattr(exc, "param", None)
    if param is None and getattr(exc, "text", None):  # a refusal naming the value (a region, a chain node, a
        param = _box_holding(request, exc.text, boxes)  # weights version, a stage): the box that holds it
    if param is None or param not in boxes or not hasattr(exc, "in_lang"):
        return None
    choices = region_choices(request, exc)
    if choices and not isinstance(exc, (RegionNotFound, AmbiguousRegion)):
        return None  # a short name several enterprises share: the error page lists them to choose from
    ambiguous = getattr(exc, "candidates", None) is not None
    message = exc.in_lang(lang).splitlines()[0]
    if choices:  # the regions it may mean are the links beside it, not also a list in the sentence
        message = "" if ambiguous else RegionNotFound(exc.text, []).in_lang(lang)
    return {param: {"message": message, "choices": choices, "ambiguous": ambiguous}}


def _box_holding(request: Any, text: str, boxes: tuple) -> str | None:
    """The first of ``boxes`` whose value is ``text``: as typed, with a stray 、 (杭洲、), or one of a comma list
    (a node or stage box's M05,XX99)."""
    for k in boxes:
        v = request.query_params.get(k)
        if v is not None and (v.strip() == text or split_regions(v) == [text]
                              or text in (x.strip() for x in re.split(r"[,，;；、|]", v))):
            return k
    return None


def refuse(request: Any, refused: dict[str, dict], status: int) -> None:
    """Mark the request for ``FormAgain``: the page is asked again without the ``refused`` boxes' values."""
    request.state.form_refused = {"fields": refused, "status": status}


def typed_errors(state: dict) -> dict[str, dict]:
    return state.get(ERRORS) or {}


class FormAgain:
    """The ASGI layer that draws a form page again when its request was refused for its boxes' values (``refuse``):
    the refused answer is never sent; the request goes through again (every check included) without those values,
    the refusals with their values as typed on its state, and its page goes out under the refusal's status."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(("/api/", "/static/")):
            await self.app(scope, receive, send)
            return
        errors: dict[str, dict] = {}
        query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        status = None
        for _ in range(len(query.multi_items()) + 1):  # each pass takes away at least one refused value
            state = {**scope.get("state", {}), ERRORS: errors} if errors else dict(scope.get("state", {}))
            this = {**scope, "state": state, "query_string": urlencode(query.multi_items()).encode("latin-1")}
            held: list[dict] = []

            async def hold(message, state=state, held=held):
                if state.get(REFUSED) is not None:
                    held.append(message)  # the refused answer: not sent
                    return
                if message["type"] == "http.response.start" and status is not None and message["status"] == 200:
                    message = {**message, "status": status}
                await send(message)

            await self.app(this, receive, hold)
            refused = state.get(REFUSED)
            if refused is None:
                return
            status = status or refused["status"]
            for name, why in refused["fields"].items():
                # a repeated key (has=funding&has=x): all its values, as one list
                errors[name] = {**why, "value": ",".join(query.getlist(name)) if name in query else None}
            query = QueryParams([(k, v) for k, v in query.multi_items() if k not in refused["fields"]])
        raise RuntimeError("a form page refused its values more often than its query holds values")  # (each pass takes one)
