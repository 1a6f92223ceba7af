"""What the API accepts and answers, stated once: parameter types whose schema is exactly what the routes
accept (dates, levels, metrics, codes, bounded numbers), the error reply, and the response schemas of the
OpenAPI document (``document(app)``). A request the schema forbids gets a 400 with a message, like every
other user error."""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from typing import Annotated, Any, Literal, Optional

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

from ...core.errors import UserError, check_reason
from ...core.geo.lookup import split_regions
from ...core.parse.dates import DATE_FORMS, MAX_YEAR, MIN_YEAR, china_today, parse_user_date
from ...core.parse.rounds import ROUNDS
from .dates import out_of_range



class StrictBody(BaseModel):
    """A JSON request body: a field it does not declare is refused (400, naming the field), never silently ignored —
    a misspelt ``webhook`` for ``webhook_url`` answered 200 and changed nothing."""

    model_config = ConfigDict(extra="forbid")

def _alt(items) -> str:
    return "(" + "|".join(items) + ")"


def _digits_class(chars: list[str]) -> str:
    """Characters as one regular-expression item: ``0``, ``[48]``, ``[0-5]``, ``\\d``."""
    if len(chars) == 1:
        return re.escape(chars[0])
    if "".join(chars) == "0123456789":
        return r"\d"
    runs, i = [], 0
    while i < len(chars):  # runs of consecutive characters as a range
        j = i
        while j + 1 < len(chars) and ord(chars[j + 1]) == ord(chars[j]) + 1:
            j += 1
        runs.append(chars[i] if j == i else chars[i] + chars[j] if j == i + 1 else f"{chars[i]}-{chars[j]}")
        i = j + 1
    return "[" + "".join(runs) + "]"


def _branches(words) -> list[str]:
    """The alternatives of a short regular expression matching exactly ``words`` (strings of one length): a prefix
    tree whose branches with the same rest share a character class — the years 1800–2025 as ``1[89]\\d\\d`` and
    ``20([01]\\d|2[0-5])``, not 226 alternatives. A long alternation made the document's date pattern several
    kilobytes, which every client and fuzzer compiles."""
    rests: dict[str, list[str]] = {}
    for w in sorted(set(words)):
        rests.setdefault(w[0], []).append(w[1:])
    by_rest: dict[str, list[str]] = {}
    for ch, tails in rests.items():
        sub = _branches(tails) if tails[0] else [""]
        rest = sub[0] if len(sub) == 1 else _alt(sub)
        by_rest.setdefault(rest, []).append(ch)
    return [_digits_class(sorted(chars)) + rest for rest, chars in by_rest.items()]


def _one_of(words) -> str:
    """A group matching exactly ``words`` (strings of one length)."""
    return _alt(_branches(words))


def _years(lo: int, hi: int) -> str:
    """The years lo to hi as a regular expression."""
    return _one_of(str(y) for y in range(lo, hi + 1))


# an as-of / start / end date: YYYY, YYYY-MM or a real calendar date YYYY-MM-DD in the one date parser's years
# (core/parse/dates.py: 1800–2100); empty = not given. The document narrows it to the periods begun by today
# (``dates_up_to``), as the one date parser does.
_Y = _years(MIN_YEAR, MAX_YEAR)
_LEAP = _one_of(str(y) for y in range(MIN_YEAR, MAX_YEAR + 1) if calendar.isleap(y))
DATE_PATTERN = (rf"^$|^{_Y}(-(0[1-9]|1[0-2]))?$|^{_Y}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])$"
                rf"|^{_Y}-(0[13-9]|1[0-2])-(29|30)$|^{_Y}-(0[13578]|1[02])-31$|^{_LEAP}-02-29$")
CODE_PATTERN = r"^[0-9A-Za-z_.:-]{1,40}$"       # region codes (GB/T 2260, macro-regions), chain node codes
TEXT_MAX = 200                                   # free text (search, names, lists of codes)
PAGE_MAX = 10_000                                # pages of a listing (size ≤ 1000: at most 10 million rows deep)

# (the document states the usual forms as the pattern, ``dates_up_to``; the other forms the one date parser reads are
# taken too: the app-wide ``dates.check_dates`` reads every date parameter, as the CLI reads its options)
def DATE_DOC(schema: dict) -> None:
    for alt in schema.get("anyOf", [schema]):
        if alt.get("type") == "string":
            alt["pattern"] = DATE_PATTERN


_FORMS = f"{DATE_FORMS[0]}，{MIN_YEAR} 年至今天"
AsOf = Annotated[Optional[str], Query(max_length=40, description=f"截至日期 {_FORMS}（空 = 今天）",
                                      json_schema_extra=DATE_DOC)]
DateFrom = Annotated[Optional[str], Query(max_length=40, description=f"起始日期（含）{_FORMS}",
                                          json_schema_extra=DATE_DOC)]
DateTo = Annotated[Optional[str], Query(max_length=40, description=f"结束日期（含）{_FORMS}",
                                        json_schema_extra=DATE_DOC)]
Code = Annotated[Optional[str], Query(pattern=r"^$|" + CODE_PATTERN, description="地区或产业链环节代码（空 = 不限）")]
# one region, as every page's region field takes it: a code, a name or path (杭州市, 浙江省杭州市, 浙江/杭州, Hangzhou)
# or a macro-region (长三角), quotes and a trailing 、 or comma as a field may send them. The one region service reads
# it (core/geo/lookup.py), on every route alike: an unknown or misspelt one is refused there, with suggestions
# (未找到地区 … 您是不是要找), a list with 请只给出一个地区. Only its length is held here, refused in words (_region_reason).
REGION_MAX = 100
REGION_PARAMS = ("region", "parent", "code", "from_region")  # the parameters of type Region / RegionPath
_REGION_DOC = f"地区：代码、名称、路径或宏观区域，一个（至多 {REGION_MAX} 个字符）"
# a filter left blank, or given separators alone (a field's "、"), is not given: the whole country or the route's default
Region = Annotated[Optional[str], Query(max_length=REGION_MAX, description=_REGION_DOC + "（空 = 全国）"),
                   AfterValidator(lambda v: v if v is not None and split_regions(v) else None)]
RegionPath = Annotated[str, Path(max_length=REGION_MAX, description=_REGION_DOC)]  # one region in a URL path
# a chain node as the CLI's --node takes it: a code in any case or a node's Chinese or English name (m05, 计算机视觉,
# computer vision → M05). The one node lookup reads it (services/regions/nodes.py) and refuses an unknown one in the
# CLI's words (未找到产业链环节 …，您是不是要找); only its length is held here.
_NODE_DOC = "产业链环节：代码或中英文名称"
Node = Annotated[str, Query(max_length=TEXT_MAX, description=_NODE_DOC)]  # one node, required
NodeCode = Annotated[Optional[str], Query(max_length=TEXT_MAX, description=_NODE_DOC + "（空 = 全部）")]


def query_list(description: str, *, max_length: int = TEXT_MAX, pattern: str | None = None, doc_pattern: str | None = None):
    """A query parameter that takes several values: a comma list, the key repeated, or both — ``has=funding&has=demands``
    is ``has=funding,demands``, as the CLI's repeatable options take them (a repeated key was read as its last value
    alone). The route gets them as one comma list (None when none is given); each value is held to ``max_length`` and
    ``pattern`` (``doc_pattern``: stated in the document only, the service refusing other values itself)."""
    item = Annotated[str, Field(max_length=max_length, pattern=pattern,
                                json_schema_extra={"pattern": doc_pattern} if doc_pattern else None)]
    return Annotated[Optional[list[item]], Query(description=description + "（可重复）"),
                     AfterValidator(lambda v: ",".join(x for x in v if x) if v else None)]


NodeCodes = query_list(_NODE_DOC + "，逗号分隔（含下级；空 = 全部）")
Text = Annotated[Optional[str], Query(max_length=TEXT_MAX)]
# a page note the server signed after a form (auth.sign_note): shown only when its signature holds
Note = Annotated[Optional[str], Query(max_length=4000, include_in_schema=False)]
# funding stages: a comma list of the stored round codes (core/parse/rounds.py) or ``none`` (never funded). The
# document states the codes; the service refuses any other value itself, naming the code a label stands for (A轮 → a)
_STAGE = "(none|" + "|".join(ROUNDS) + ")"
Tags = query_list("企业标签（高新技术企业、专精特新…），逗号分隔（任一）")
Stages = query_list("融资轮次代码，逗号分隔（none = 未融资）", doc_pattern=rf"^$|^{_STAGE}(,{_STAGE})*$")
Level = Literal["province", "city", "district", "macro"]
Metric = Literal["count", "share", "lq"]
Score = Annotated[Optional[float], Query(ge=0, le=100, description="存储评分（score all）的下限或上限 0–100")]
Page = Annotated[int, Query(ge=1, le=PAGE_MAX, description="页码")]
After = Annotated[int, Query(ge=0, le=2**53, description="只要编号大于此值的条目（0 = 从头）")]

# A number a page's form sends as text (an empty box is "", not given), held to a pattern of the numbers it takes and
# refused in words (最低得分应为 0–100 的数字), never by the pattern: parameter name → (pattern, Chinese, English).
_NUMBERS: dict[str, tuple[str, str, str]] = {}
UP_TO_100 = r"^$|^(100(\.0+)?|\d{1,2}(\.\d+)?)$"  # 0–100


def number_field(name: str, zh: str, en: str, *, lo: int = 0, hi: int = 100, pattern: str = UP_TO_100,
                 description: str | None = None) -> Any:
    """The query parameter ``name`` of a page form's number box: text matching ``pattern`` (the numbers lo–hi),
    a value outside it refused as "<zh>应为 lo–hi 的数字" / "<en> must be a number from lo to hi"."""
    _NUMBERS[name] = (pattern, f"{zh}应为 {lo}–{hi} 的数字", f"{en} must be a number from {lo} to {hi}")
    return Query(None, pattern=pattern, max_length=40, description=description or f"{zh}（{lo}–{hi}；空 = 不限）")


# A count a page's form sends (前 N 条): its box's words, which begin why a value is refused beside the box (条数应大于或等于
# 1，收到 '0' / number shown should be …), as a number box's do; parameter name → (Chinese, English).
_COUNTS: dict[str, tuple[str, str]] = {}


def count_field(name: str, zh: str, en: str, default: Any = PydanticUndefined, *, lo: int, hi: int,
                description: str) -> Any:
    """The query parameter ``name`` of a page form's count box: a whole number lo–hi, a value outside it refused
    beside the box naming it (``field_reasons``); the JSON twin's refusal is as before (``top: …``)."""
    assert _COUNTS.setdefault(name, (zh, en)) == (zh, en), name  # one parameter name, one box name
    return Query(default, ge=lo, le=hi, description=description)


ERROR = {"type": "object", "required": ["error", "status"],
         "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                        "error_zh": {"type": "string"}, "error_en": {"type": "string"}}}
ERRORS = {"400": "请求参数无效", "401": "需要登录", "403": "无权访问", "404": "未找到"}
ANY_OBJECT = {"type": "object"}
LIST_OF_OBJECTS = {"type": "array", "items": {"type": "object"}}
FILES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
         "text/csv": {"schema": {"type": "string"}},
         "application/pdf": {"schema": {"type": "string", "format": "binary"}},
         "text/html": {"schema": {"type": "string"}},
         "application/yaml": {"schema": {"type": "object", "required": ["rules"]}}}


def dates_up_to(today: _dt.date) -> str:
    """The pattern of the dates the routes accept on ``today``: YYYY, YYYY-MM or YYYY-MM-DD from the parser's first year on,
    of a period that has begun (the one date parser refuses the future); empty = not given."""
    y, m, d = today.year, today.month, today.day
    before = _years(MIN_YEAR, y - 1)
    leap = _one_of(str(x) for x in range(MIN_YEAR, y) if calendar.isleap(x))
    forms = [_alt([before, str(y)]), f"{before}-(0[1-9]|1[0-2])", f"{y}-" + _one_of(f"{k:02d}" for k in range(1, m + 1)),
             f"{before}-(0[1-9]|1[0-2])-(0[1-9]|1\\d|2[0-8])", f"{before}-(0[13-9]|1[0-2])-(29|30)",
             f"{before}-(0[13578]|1[02])-31", f"{leap}-02-29"]
    forms += [f"{y}-{k:02d}-" + _one_of(f"{j:02d}" for j in range(1, calendar.monthrange(y, k)[1] + 1)) for k in range(1, m)]
    forms.append(f"{y}-{m:02d}-" + _one_of(f"{j:02d}" for j in range(1, d + 1)))
    return "^$|^" + _alt(forms) + "$"


def _dated(node: Any, pattern: str) -> Any:
    """The document with every date parameter's pattern narrowed to the dates accepted today."""
    if isinstance(node, dict):
        return {k: (pattern if k == "pattern" and v == DATE_PATTERN else _dated(v, pattern)) for k, v in node.items()}
    if isinstance(node, list):
        return [_dated(v, pattern) for v in node]
    return node


def _obj(*required: str) -> dict:
    return {"type": "object", "required": list(required), "properties": {k: {} for k in required}}


# the 200 reply of each JSON route: the keys every answer carries (more may follow)
OK = {
    "/api/meta": _obj("synthetic", "sources", "as_of"),
    "/api/facets": _obj("nodes", "provinces"),
    "/api/map": _obj("level", "metric", "as_of", "synthetic", "rows"),
    "/api/regions": LIST_OF_OBJECTS,
    "/api/regions/{code}": _obj("region", "as_of", "nodes", "top", "breadcrumb"),
    "/api/geo/{code}": _obj("type", "features"),
    "/api/chain": _obj("as_of", "nodes"),
    "/api/chain/enterprises": _obj("node", "as_of", "total"),
    "/api/enterprises": _obj("total", "items", "filters", "synthetic"),
    "/api/enterprises/{key}": _obj("enterprise", "synthetic"),
    "/api/enterprises/{key}/score": _obj("total", "dimensions", "confidence", "as_of", "method", "version"),
    "/api/methods": _obj("published", "saved", "synthetic"),
    "/api/region-profile/{code}": ANY_OBJECT,
    "/api/network": ANY_OBJECT,
    "/api/trends": ANY_OBJECT,
}
DOWNLOADS = {"/api/enterprises/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/match/demands/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/match/demand/{key}/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/match/enterprise/{key}/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/leads/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/pipeline/export": ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "text/csv"],
             "/api/admin/audit/export": ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
             "/api/region-profile/{code}/report": ["application/pdf",
                                                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                   "text/html"],
             "/api/alerts/rules/yaml": ["application/yaml"]}


def _openapi_doc(app: FastAPI) -> dict:
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for path, ops in doc.get("paths", {}).items():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)  # a request the schema forbids is a 400 here
            ok = responses.setdefault("200", {"description": "OK"})
            if path in DOWNLOADS:
                ok["content"] = {m: FILES[m] for m in DOWNLOADS[path]}
            else:
                ok["content"] = {"application/json": {"schema": OK.get(path, ANY_OBJECT)}}
            if path in {"/api/enterprises/export", "/api/region-profile/{code}/report", "/api/events"} or (
                    path.startswith("/api/match/") and path.endswith("/export")):
                responses["429"] = {"description": "请求过于频繁，请稍后再试",
                                    "content": {"application/json": {"schema": ERROR}}}
            for status, text in ERRORS.items():
                responses[status] = {"description": text, "content": {"application/json": {"schema": ERROR}}}
    doc.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
    doc.get("components", {}).get("schemas", {}).pop("ValidationError", None)
    return _dated(doc, dates_up_to(china_today()))


def _date_reason(err: dict, lang: str) -> str | None:
    """A date field held to YYYY-MM-DD (a form's, an event's) not written so: said so, with the date the one date
    parser reads in it as the example (2025-1-5 → 2025-01-05) — or, for a date it reads as written but outside
    the parser's years to today, the range — instead of the pattern's regular expression."""
    if err.get("type") != "string_pattern_mismatch" or (err.get("ctx") or {}).get("pattern") != DATE_PATTERN:
        return None
    value = str(err.get("input", ""))
    try:
        example = parse_user_date(value, "date", allow_future=True).isoformat()
    except UserError:  # not a date at all: the general example
        example = "2025-12-31"
    if example == value.strip() or not MIN_YEAR <= int(example[:4]) <= china_today().year:
        return out_of_range(value).in_lang(lang)
    if lang == "en":
        return f"expected {DATE_FORMS[1]} (e.g. {example}), got '{value}'"
    return f"应写作 {DATE_FORMS[0]}（如 {example}），收到 '{value}'"


def _number_reason(err: dict, lang: str) -> str | None:
    """A form's number box (``number_field``) given what is not a number it takes: the words of its range and the
    value given, not the pattern."""
    loc = err.get("loc") or ()
    known = _NUMBERS.get(str(loc[-1])) if loc and err.get("type") == "string_pattern_mismatch" else None
    if known is None or (err.get("ctx") or {}).get("pattern") != known[0]:
        return None
    value = err.get("input", "")
    return f"{known[2]}, got '{value}'" if lang == "en" else f"{known[1]}，收到 '{value}'"


def _region_reason(err: dict, lang: str) -> str | None:
    """A region (``Region``, ``RegionPath``) longer than any region's name: said in words, with no parameter name."""
    loc = err.get("loc") or ()
    if not (loc and str(loc[-1]) in REGION_PARAMS and err.get("type") == "string_too_long"
            and (err.get("ctx") or {}).get("max_length") == REGION_MAX):
        return None
    n = len(str(err.get("input", "")))
    if lang == "en":
        return f"a region is named in at most {REGION_MAX} characters (got {n})"
    return f"地区名称至多 {REGION_MAX} 个字符（收到 {n} 个）"


_CHOICES = re.compile(r"^(?:\^\$\|)?\^\(([\w|.-]+)\)(?:\(,\(\1\)\)\*|\?)?\$$")  # ^$|^(a|b)(,(a|b))*$, ^(a|b)?$


def _choice_reason(err: dict, lang: str) -> str | None:
    """A parameter held to a list of words (``has``: funding,branches …; ``by``: quarter|year) given another: the
    words not known and the ones it takes, as the command says it (未知的取值 … 可选), not the regular expression."""
    m = _CHOICES.match(str((err.get("ctx") or {}).get("pattern") or "")) if err.get("type") == "string_pattern_mismatch" else None
    if m is None:
        return None
    choices = m.group(1).split("|")
    bad = [x for x in str(err.get("input", "")).split(",") if x not in choices] or [str(err.get("input", ""))]
    if lang == "en":
        return f"unknown value: {', '.join(bad)} (one of: {', '.join(choices)})"
    return f"未知的取值: {', '.join(bad)}（可选: {', '.join(choices)}）"


def _message(exc: RequestValidationError, lang: str = "zh") -> str:
    parts = []
    errors = exc.errors()
    # a body that may be one object or a list of them (POST /api/events): only the errors of the branch the body
    # took — an object with a bad field is not also "not a valid list", nor a list of 101 "not an object"
    listed = lambda e: str((e.get("loc") or ("", ""))[1:2] and e["loc"][1]).startswith("list[")  # noqa: E731
    if any(listed(e) for e in errors) and not all(listed(e) for e in errors):
        not_object = any(not listed(e) and len(e.get("loc", ())) == 2 and e.get("type") in
                         ("model_type", "model_attributes_type", "dict_type") for e in errors)
        errors = [e for e in errors if listed(e) == not_object]
    for err in errors:
        item, where = _where(err.get("loc", ()), lang)
        if item is None and not where and err.get("type") in ("too_long", "too_short") and _listed_model(err):
            # the whole list: as the service says it (一次最多 100 个事件)
            n = (err.get("ctx") or {}).get("max_length" if err["type"] == "too_long" else "min_length")
            zh, en = _ITEMS.get(_listed_model(err), ("项", "item"))
            parts.append((f"at most {n} {en}s at once" if err["type"] == "too_long" else f"at least {n} {en}")
                         if lang == "en" else f"一次{'最多' if err['type'] == 'too_long' else '至少'} {n} {zh}")
            continue
        region = _region_reason(err, lang)
        if region is not None:  # the whole part: 地区 says which value it is
            parts.append(region)
            continue
        head = ": ".join(x for x in (item, where) if x) or ("request" if lang == "en" else "请求")
        parts.append(f"{head}: {_why(err, lang)}")
    return ("invalid parameter: " if lang == "en" else "参数无效: ") + "; ".join(parts)


# the checks whose words say the limit or the kind of value but not the value given (应小于或等于 1000): the value is
# added, as typed (前 = 99999999: 应小于或等于 1000，收到 '99999999')
_ECHOED = {"greater_than_equal", "greater_than", "less_than_equal", "less_than", "multiple_of", "literal_error", "enum",
           "int_parsing", "int_from_float", "int_type", "float_parsing", "float_type", "bool_parsing", "finite_number"}


def _why(err: dict, lang: str) -> str:
    """Why one value was refused, in words (its range, its forms, the words it takes) and the value as given,
    without its name."""
    why = (_region_reason(err, lang) or _date_reason(err, lang) or _choice_reason(err, lang) or _number_reason(err, lang)
           or check_reason(err, lang) or err.get("msg", "invalid"))
    value = err.get("input")
    if err.get("type") in _ECHOED and isinstance(value, (str, int, float)) and f"'{value}'" not in why:
        value = str(value) if len(str(value)) <= 60 else str(value)[:60] + "…"  # (a URL's value may be long)
        why += f", got '{value}'" if lang == "en" else f"，收到 '{value}'"
    return why


def field_reasons(exc: RequestValidationError, lang: str = "zh") -> dict[str, str] | None:
    """The refused query parameters, each with why in words and without its name (a page's form shows it beside
    the box: ``forms.py``); None when anything else was refused (a body, a path)."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = err.get("loc") or ()  # a value of a repeated parameter (``query_list``): the parameter's, by its place
        if not (len(loc) == 2 or len(loc) == 3 and isinstance(loc[2], int)) or loc[0] != "query":
            return None
        out.setdefault(str(loc[1]), _box_why(str(loc[1]), err, lang))
    return out or None


def _box_why(name: str, err: dict, lang: str) -> str:
    """``_why`` beside a box, begun with the box's name where the words say no more than the check (a count's
    应大于或等于 1: 条数应大于或等于 1 / number shown should be greater than or equal to 1)."""
    why, box = _why(err, lang), _COUNTS.get(name)
    if box is None or err.get("type") not in _ECHOED:
        return why
    if lang == "en":
        return f"{box[1]} {why[len('Input '):] if why.startswith('Input ') else why[:1].lower() + why[1:]}"
    return box[0] + why


# the items of a list body by their model (the place of a bad one: 第 2 个事件 / event 2)
_ITEMS = {"EventIn": ("个事件", "event")}
_LIST_OF = re.compile(r"^list\[(\w+)\]$")


def _listed_model(err: dict) -> str | None:
    loc = err.get("loc", ())
    m = _LIST_OF.match(str(loc[1])) if len(loc) == 2 else None
    return m.group(1) if m else None


def _where(loc, lang: str) -> tuple[str | None, str]:
    """The place of a bad value in words: the item of a list body, 1-based (第 1 个事件 / event 1), and the field's
    path; the names of the body's models (EventIn, list[EventIn]) are no place a caller knows."""
    parts, item, i = list(loc[1:]), None, 0
    fields = []
    while i < len(parts):
        p = parts[i]
        m = _LIST_OF.match(str(p))
        if m and i + 1 < len(parts) and isinstance(parts[i + 1], int):
            zh, en = _ITEMS.get(m.group(1), ("项", "item"))
            item = f"{en} {parts[i + 1] + 1}" if lang == "en" else f"第 {parts[i + 1] + 1} {zh}"
            i += 2
            continue
        if not (m or re.match(r"^[A-Z]\w*$", str(p)) or loc[0] == "query" and isinstance(p, int)):  # has=a&has=b: has
            fields.append(str(p))
        i += 1
    return item, ".".join(fields)


def document(app: FastAPI, error_reply: Any) -> None:
    """Install the OpenAPI document with every reply declared, and the 400 for schema-invalid requests
    (``error_reply(request, message, status, fields)`` renders it as JSON or as the error page, or marks a page's
    form for drawing again: ``fields``, the refused parameters with why, ``field_reasons``)."""

    built: dict = {}

    def openapi() -> dict:  # rebuilt each day: the latest date it allows is today
        today = china_today()
        if built.get("day") != today:
            built.update(day=today, doc=_openapi_doc(app))
            app.openapi_schema = built["doc"]
        return built["doc"]

    app.openapi = openapi

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        from .context import lang_of

        # the message in both languages (an API's error carries both); a page's boxes in the page's
        return error_reply(request, UserError(_message(exc, "zh"), _message(exc, "en")), 400,
                           field_reasons(exc, lang_of(request)))
