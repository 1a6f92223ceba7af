"""Explained results: one shape for every computed score, rank, label or placement.

An ``Explained`` says what was computed (``value``), how (``method``, ``version``, ``params`` and their
hash), from what (``parts``: each signal's raw value, its normalised value, its weight and its contribution),
on which rows (``evidence``: table and row ids, or the filter that selects them; ``items`` names each row and where it
can be checked, ``row_href``), how sure (``confidence``)
and as of when (``as_of``). Chain placements, recommended segments and attraction modes carry one; the API
serialises it with the one JSON encoder (``to_json``) and the web shows it with one component
(templates/_explained.html). docs/methods.md, "Explained results", describes the fields.

A method may register a reader (``register_reader``): ``reading(x, lang)`` then says in one sentence, in
Chinese or English, what its parts add up to (a chain placement: which keyword placed it, what the model's
check judged and which rule kept it). The sentence is built from the stored parts alone, never stored.

Set-based steps build the same JSON in SQL: ``sql_object`` takes SQL expressions per field and returns the
object expression in the dialect of the store, in the field order of ``to_json``, so the two cannot drift.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import dialect, jsonenc

FIELDS = ("value", "method", "version", "params", "params_hash", "parts", "evidence", "confidence", "as_of",
          "formula")
PART_FIELDS = ("signal", "label", "raw", "normalised", "weight", "contribution", "detail")
REF_FIELDS = ("table", "ids", "where", "note")


def params_hash(params: Any) -> str:
    """A short, stable fingerprint of parameters (canonical JSON, sorted keys): equal hashes, equal settings."""
    return hashlib.sha256(jsonenc.canonical(params).encode("utf-8")).hexdigest()[:12]


# the tables whose rows have a line of their own on an enterprise's profile, and that line's element id
# (``ROW_ANCHORS[table]-<id>``): the one map of a row to its line, for the leads' rows and the scorecard's evidence alike
ROW_ANCHORS = {"fundings": "funding", "patents": "patent", "branches": "branch", "news": "news", "investors": "investor",
               "roles": "role", "events": "event"}


def row_href(table: str, ident: Any, *, enterprise_id: Any = None, as_of: Any = None) -> str | None:
    """The page where one row can be checked: an enterprise's profile (/enterprises/ID), a row of its profile
    (/enterprises/EID?as_of=D#funding-ID: its rounds, patents, branches, news), a demand's page (/match/demand/D154:
    its own number, or %23ID; ?as_of=D: judged open on that day); None for a row no page shows."""
    from urllib.parse import quote

    if ident is None:
        return None
    if table == "enterprises":
        return enterprise_href(ident, as_of)
    if table == "demands":
        return page_href(f"/match/demand/{quote(str(ident), safe='')}", as_of=as_of)
    if table in ROW_ANCHORS and enterprise_id is not None and isinstance(ident, int) and ident > 0:
        return enterprise_href(enterprise_id, as_of) + f"#{ROW_ANCHORS[table]}-{ident}"
    return None


def page_href(path: str, *, as_of: Any = None, **params: Any) -> str:
    """THE link to a page with its query: the parameters given a value, and the as-of date of the page or list that
    links it (a date as its day), so the page opened counts as of the same day as the one that linked it."""
    from urllib.parse import urlencode

    day = as_of.isoformat() if isinstance(as_of, _dt.date) else as_of
    query = urlencode([(k, v) for k, v in (*params.items(), ("as_of", day)) if v not in (None, "")])
    return path + (f"?{query}" if query else "")


def enterprise_href(ident: Any, as_of: Any = None, **params: Any) -> str:
    """THE link to an enterprise's profile, of every page, script (through the page's data) and message:
    /enterprises/ID, and /enterprises/ID?as_of=D when it is drawn under an as-of date D — the profile then shows the
    enterprise as of that day (its name, rounds and totals of then), as the page that links it counted it.
    ``params``: what else the profile is asked (a signed note back from a form, the page's ``lang``)."""
    from urllib.parse import quote

    return page_href(f"/enterprises/{quote(str(ident), safe='')}", as_of=as_of, **params)


def relations_href(key: Any, *, from_region: Any = None, as_of: Any = None) -> str:
    """THE link to a relationship view (/relations/KEY: an enterprise's id, name or credit code), with the region its
    paths start from and the as-of date of the page or list that links it (the graph of that day, as counted there)."""
    from urllib.parse import quote

    return page_href(f"/relations/{quote(str(key), safe=':')}", from_region=from_region, as_of=as_of)


@dataclass
class Ref:
    """Rows a result rests on: a table and its row ids, or (for large sets) the filter selecting them. ``items``
    names each row for a reader — ``{"id", "label", "href"}``: its number as the data know it (#2998, D154), what it
    is (a branch's city, a demand's title) and the page where it can be checked (``row_href``) — in the JSON only
    when given, so the references that name none keep their shape."""

    table: str
    ids: list | None = None
    where: dict | None = None
    note: str | None = None
    items: list[dict] | None = None

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in REF_FIELDS}
        if self.items is not None:
            out["items"] = [dict(i) for i in self.items]
        return out

    @classmethod
    def from_json(cls, r: Mapping) -> "Ref":
        items = r.get("items")
        return cls(**{k: r.get(k) for k in REF_FIELDS},
                   items=None if items is None else [dict(i) for i in items if isinstance(i, Mapping)])


@dataclass
class Part:
    """One signal's share of a result: ``contribution`` is what it adds (for weighted sums,
    ``weight × normalised``); ``raw`` is the value before normalisation; ``detail`` anything specific
    (the text field a keyword was found in, a threshold and its operator); ``evidence`` the rows this signal
    was computed from (a scorecard's signal: its rounds, patents, news …), where a result names them per signal —
    in the JSON only when given, so the parts of results that name none keep their shape."""

    signal: str
    label: str | None = None
    raw: Any = None
    normalised: float | None = None
    weight: float | None = None
    contribution: float | None = None
    detail: dict | None = None
    evidence: list[Ref] | None = None

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in PART_FIELDS}
        if self.evidence is not None:
            out["evidence"] = [r.to_json() for r in self.evidence]
        return out

    @classmethod
    def from_json(cls, p: Mapping) -> "Part":
        ev = p.get("evidence")
        return cls(**{k: p.get(k) for k in PART_FIELDS},
                   evidence=None if ev is None else [Ref.from_json(r) for r in ev if isinstance(r, Mapping)])


@dataclass
class Explained:
    value: Any
    method: str
    version: str
    params: dict = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    evidence: list[Ref] = field(default_factory=list)
    confidence: float | None = None
    as_of: _dt.date | str | None = None
    formula: str | None = None
    params_hash: str | None = None  # computed from ``params`` unless given (when params are summarised)

    def __post_init__(self) -> None:
        if self.params_hash is None:
            self.params_hash = params_hash(self.params)

    @property
    def total(self) -> float:
        """Σ contributions of the numeric parts."""
        return sum(p.contribution for p in self.parts if isinstance(p.contribution, (int, float))
                   and not isinstance(p.contribution, bool))

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in FIELDS}
        out["parts"] = [p.to_json() for p in self.parts]
        out["evidence"] = [r.to_json() for r in self.evidence]
        if isinstance(self.as_of, _dt.date):
            out["as_of"] = self.as_of.isoformat()
        return out

    @classmethod
    def from_json(cls, doc: Mapping | str | None) -> "Explained | None":
        """Back from its JSON (a stored placement's evidence); None for anything that is not one."""
        if isinstance(doc, str):
            import json

            try:
                doc = json.loads(doc)
            except ValueError:
                return None
        if not isinstance(doc, Mapping) or not {"value", "method", "parts"} <= set(doc):
            return None
        return cls(value=doc.get("value"), method=doc.get("method"), version=doc.get("version"),
                   params=doc.get("params") or {},
                   parts=[Part.from_json(p) for p in doc.get("parts") or []],
                   evidence=[Ref.from_json(r) for r in doc.get("evidence") or []],
                   confidence=doc.get("confidence"), as_of=doc.get("as_of"), formula=doc.get("formula"),
                   params_hash=doc.get("params_hash"))


# -- how sure, in words ---------------------------------------------------------------------------------
# a confidence (0–1) in words beside its percentage, for every reading that says how sure a result is: the lowest
# bound of each band, surest first (written once here; the readers and the pages take it from here)
CONFIDENCE_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.85, "很高", "very high"), (0.65, "较高", "fairly high"), (0.45, "中等", "moderate"),
    (0.25, "较低", "fairly low"), (0.0, "很低", "very low"))


def confidence_words(p: Any, lang: str = "zh") -> str | None:
    """A confidence in words with its percentage: 较高（70%） / fairly high (70%); None when it is no number."""
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        return None
    shown = round(min(1.0, max(0.0, float(p))) * 100)  # the band of the percentage as printed: 0.8496 → 很高（85%）
    zh, en = next((z, e) for lo, z, e in CONFIDENCE_BANDS if shown >= round(lo * 100))
    pct = f"{shown}%"
    return f"{en} ({pct})" if lang == "en" else f"{zh}（{pct}）"


# -- one reading in words per method ------------------------------------------------------------------
READERS: dict[str, Callable[["Explained", str], str | None]] = {}


def register_reader(method: str, reader: Callable[["Explained", str], str | None]) -> None:
    """The reader of one method's results: ``reader(x, lang)`` → a sentence in ``lang`` ('zh' or 'en')."""
    READERS[method] = reader


def reading(x: "Explained | Mapping | str | None", lang: str = "zh") -> str | None:
    """One sentence saying what an explained result rests on, in ``lang``; None when its method has no reader
    (or ``x`` is not an explained result)."""
    if not isinstance(x, Explained):
        x = Explained.from_json(x)
    if x is None or x.method not in READERS:
        return None
    return READERS[x.method](x, "en" if lang == "en" else "zh")


def readings(x: "Explained | Mapping | str | None") -> dict[str, str] | None:
    """The reading in both languages ({'zh': …, 'en': …}), as the API serves it; None without a reader."""
    zh = reading(x, "zh")
    return None if zh is None else {"zh": zh, "en": reading(x, "en")}


# -- the same shape built in SQL -----------------------------------------------------------------------
def _obj(names: tuple[str, ...], exprs: Mapping[str, str], what: str) -> str:
    unknown = set(exprs) - set(names)
    if unknown:
        raise ValueError(f"not {what} fields: {sorted(unknown)}")
    return dialect.current().struct({k: exprs.get(k, "NULL") for k in names})


def sql_part(**exprs: str) -> str:
    """SQL for one part (missing fields NULL)."""
    return _obj(PART_FIELDS, exprs, "part")


def sql_ref(**exprs: str) -> str:
    """SQL for one evidence reference (missing fields NULL)."""
    return _obj(REF_FIELDS, exprs, "evidence")


def sql_object(**exprs: str) -> str:
    """SQL for a whole ``Explained`` as JSON text, fields in ``to_json`` order."""
    d = dialect.current()
    return d.to_json_text(_obj(FIELDS, exprs, "Explained"))
