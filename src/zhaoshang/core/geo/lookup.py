"""The region a user means: the one service behind every region argument, region group and region URL.

``resolve_region`` accepts a code (330100), a full or short name (杭州市, 杭州), a path (浙江省杭州市,
北京市朝阳区) or a macro-region (长三角, M-YRD). A name shared by several regions (朝阳区: 北京 and 长春) raises
``AmbiguousRegion`` listing the candidates with their codes — never a silent pick; an unknown name raises
``RegionNotFound`` with the closest names (杭洲市 → 杭州市, by characters and by pinyin). A name shared across
levels is the largest (朝阳 → 辽宁省朝阳市, 吉林 → the province), said in a note naming the others (``readings``). Macro-region
membership has one definition, ``region_condition``: a row belongs to a macro-region when its province,
city or district is a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, NamedTuple

from ..errors import NotFound, UserError
from .macro import MacroRegion, load_macro_regions
from .readings import readings, said_now
from .regions import HONG_KONG, MACAO, MUNICIPALITIES, level_of

LEVELS = ("province", "city", "district")


class LevelName(NamedTuple):
    """How a region level is named, in every message and label that names one."""

    zh: str         # 省级 / 地市 / 区县: a label or a header cell
    en: str         # province: one region of it
    en_plural: str  # provinces: the regions of it
    zh_rank: str    # 省级 / 地市级 / 区县级: before 成员 and 层级


# the one vocabulary of the levels (interfaces.labels shows it, the services' messages say it)
LEVEL_NAMES: dict[str, LevelName] = {
    "province": LevelName("省级", "province", "provinces", "省级"),
    "city": LevelName("地市", "city", "cities", "地市级"),
    "district": LevelName("区县", "district", "districts", "区县级"),
    "macro": LevelName("区域", "macro-region", "macro-regions", "宏观区域"),
    "nation": LevelName("全国", "nation", "nation", "全国"),
}
# the units right under a province without cities (``regions._WITHOUT_CITIES``): Hong Kong's 18 districts and Macao's
# parishes, city-level units by their codes (each its own city), named as they are there
_SAR_UNITS: dict[str, LevelName] = {
    HONG_KONG: LevelName("区", "district", "districts", "区级"),
    MACAO: LevelName("堂区", "parish", "parishes", "堂区级"),
}


def level_name(level: str, parent: str | None = None) -> LevelName:
    """How the regions of ``level`` under ``parent`` are named (a table's header, a drill-down's caption, what it
    leaves out): ``LEVEL_NAMES``, except that a SAR's units, which stand where a province has its cities, are its
    districts (区) or parishes (堂区), not cities."""
    if level in ("city", "district") and str(parent or "") in _SAR_UNITS:
        return _SAR_UNITS[str(parent)]
    return LEVEL_NAMES[level]


_LEVEL_RANK = "CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END"
_COLS = "code, name, name_en, level, parent_code, province_code, city_code, lng, lat"


@dataclass(frozen=True)
class RegionRef:
    """One resolved region: a row of ``regions`` or a macro-region (``level == 'macro'``, with members)."""

    code: str
    name: str
    level: str
    name_en: str | None = None
    parent_code: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    lng: float | None = None
    lat: float | None = None
    members: tuple[str, ...] = ()  # macro-regions only: province- or city-level member codes

    @property
    def is_macro(self) -> bool:
        return self.level == "macro"

    def as_dict(self) -> dict:
        """The dict shape the services and the API return (``members`` None for a single region)."""
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "level": self.level,
                "parent_code": self.parent_code, "province_code": self.province_code, "city_code": self.city_code,
                "lng": self.lng, "lat": self.lat, "members": list(self.members) if self.is_macro else None}


def _listed_en(choices: list[dict]) -> str:
    """Regions offered in an English message by their English labels (Chaoyang, Beijing (110105)): English says no
    region's Chinese name (the Chinese label only for a region without an English one)."""
    return ", ".join(f"{c.get('label_en') or c['label']} ({c['code']})" for c in choices)


def refused_head(text: str, ambiguous: bool) -> UserError:
    """The refusal of a region without the regions it lists (未找到地区 杭洲 / 地区名称有歧义：鼓楼区): the sentence a
    page says once when it offers those regions beside it as choices (a form's way out), not listed twice."""
    if ambiguous:
        return UserError(f"地区名称有歧义：{text}", en=f"ambiguous region name: {text}")
    return RegionNotFound(text, [])


class AmbiguousRegion(UserError):
    """A name several regions share; ``candidates`` are ``{code, name, label, label_en}`` to choose from."""

    def __init__(self, text: str, candidates: list[dict]):
        self.text, self.candidates = text, candidates
        listed = "、".join(f"{c['label']} ({c['code']})" for c in candidates)
        listed_en = _listed_en(candidates)
        head = refused_head(text, True)
        super().__init__(f"{head.in_lang('zh')}，可能是 {listed}；请给出代码或上级地区",
                         en=f"{head.in_lang('en')} could be {listed_en}; give the code or the parent region")


class RegionNotFound(NotFound):
    """No region has this name; ``suggestions`` are the closest names ``{code, name, label, label_en}``."""

    def __init__(self, text: str, suggestions: list[dict]):
        self.text, self.suggestions = text, suggestions
        if suggestions:
            s = "、".join(f"{c['label']} ({c['code']})" for c in suggestions)
            s_en = _listed_en(suggestions)
            super().__init__(f"未找到地区 {text}，您是不是要找：{s}?", en=f"region not found: {text} — did you mean {s_en}?")
        else:
            super().__init__(f"未找到地区 {text}", en=f"region not found: {text}")


# ------------------------------------------------------------------------------------------ macro-regions
@lru_cache(maxsize=1)
def _macros() -> tuple[MacroRegion, ...]:
    return tuple(load_macro_regions())


def macro_regions() -> list[MacroRegion]:
    """Every macro-region of the package's definition file (read once per process)."""
    return list(_macros())


def macro_peers(code: str) -> list[MacroRegion]:
    """The macro-regions ``code`` is compared with: itself and every other that neither contains it nor lies
    within it (长三角 is not ranked against 三极, which holds it; 粤港澳大湾区 not against 珠三角, which it holds)."""
    me = next((m for m in _macros() if m.code == code), None)
    if me is None:
        return []
    return [m for m in _macros() if m.code == code or not (m.covers(me) or me.covers(m))]


def competition_rank(count: float | None, counts: Iterable[float | None]) -> int:
    """The place of ``count`` among ``counts`` (itself included) in competition ranking: one more than the number of
    larger counts, so equal counts share a place (1, 1, 3 …)."""
    mine = count or 0
    return 1 + sum(1 for c in counts if (c or 0) > mine)


def rank_rows(rows: list[dict], key: str = "count") -> list[dict]:
    """``rows`` with ``rank`` set on each by ``competition_rank`` on ``key`` (the rows keep their order). A row whose
    ``key`` is 0 or unknown has no place (``rank`` None): regions without a chain enterprise are not ranked, nor do
    they share the last place."""
    counts = [r.get(key) for r in rows]
    return [{**r, "rank": competition_rank(r.get(key), counts) if r.get(key) else None} for r in rows]


def region_names_en(store) -> dict[str, str]:
    """Region code → English name, for every region of the table and every macro-region that has one."""
    names = {m.code: m.name_en for m in _macros() if m.name_en}
    names.update({r[0]: r[1] for r in store.con.execute("SELECT code, name_en FROM regions WHERE name_en IS NOT NULL").fetchall()})
    return names


def _macro_ref(m: MacroRegion) -> RegionRef:
    return RegionRef(m.code, m.name, "macro", name_en=m.name_en, members=m.members)


def find_macro(text: str) -> RegionRef | None:
    """The macro-region named by its code (M-YRD), name (长三角) or English name; None otherwise."""
    t = str(text or "").strip()
    if not t:
        return None
    for m in _macros():
        if t in (m.code, m.name, m.name_en) or t.upper() == m.code or t in m.aliases:
            return _macro_ref(m)
    return None


# ------------------------------------------------------------------------------------------- resolution
def _ref(row: tuple) -> RegionRef:
    code, name, name_en, level, parent, prov, city, lng, lat = row
    return RegionRef(code, name, level, name_en, parent, prov, city, lng, lat)


def municipalities() -> list[str]:
    """The province-level codes whose single city is skipped when drilling down (北京、天津、上海、重庆): the
    map and the pickers go from these straight to districts."""
    return sorted(MUNICIPALITIES)


def region_ref(store, code: str) -> RegionRef | None:
    """The region with exactly this code (a region code or a macro-region code), else None."""
    m = find_macro(code) if str(code).startswith("M-") else None
    if m is not None:
        return m
    rows = store.con.execute(f"SELECT {_COLS} FROM regions WHERE code = ?", [str(code)]).fetchall()
    return _ref(rows[0]) if rows else None


def resolve_region(store, text: str, level: str | None = None, *, macro: bool = True) -> RegionRef:
    """The one region ``text`` names (code, name, short name, path or — with ``macro`` — macro-region), read the
    same for every caller: a path written with separators (浙江/杭州, 浙江，杭州, Xihu, Hangzhou) is that region, a
    region with a stray 、 or comma (杭州、, Hangzhou,) is that region, a list of several is refused (请只给出一个地区)
    once each of its entries is known (an unknown one is refused as such, with suggestions).

    ``level`` prefers that level when a name is shared across levels (吉林: the province or the city).
    Raises ``UserError`` for an empty text or a list, ``AmbiguousRegion`` and ``RegionNotFound``.
    """
    t = str(text or "").strip()
    items = split_regions(t)
    if not items:
        raise UserError("请指定地区（代码或名称）", "give a region (code or name)")
    try:
        return _resolve_one(store, t, level, macro)
    except (RegionNotFound, AmbiguousRegion):
        if items == [t]:
            raise
    if len(items) == 1:
        return _resolve_one(store, items[0], level, macro)
    for item in items:
        _resolve_one(store, item, level, macro)
    raise UserError(f"请只给出一个地区: {t}", f"give one region only: {t}")


def _resolve_one(store, t: str, level: str | None, macro: bool) -> RegionRef:
    """``resolve_region`` of one stripped, non-empty text, as written."""
    con = store.con
    m = find_macro(t)
    if m is not None:
        if not macro:  # refused with a clear message rather than "not found"
            raise UserError(f"{m.name} 是宏观区域，这里只接受省、市或区县（代码或名称）",
                            en=f"{m.name} ({m.name_en}) is a macro-region; a province, city or district is needed here")
        return m
    exact = con.execute(f"SELECT {_COLS} FROM regions WHERE code = ?", [t]).fetchall()
    if exact:
        return _ref(exact[0])
    rows = con.execute(f"SELECT {_COLS} FROM regions WHERE name = ? OR short_name = ? ORDER BY {_LEVEL_RANK}, code",
                       [t, t]).fetchall()
    if not rows:  # an English name, read as a Chinese one: Taizhou (泰州市, 台州市) and Gulou are ambiguous
        rows = con.execute(f"SELECT {_COLS} FROM regions WHERE lower(name_en) = lower(?) ORDER BY {_LEVEL_RANK}, code",
                           [t]).fetchall()
    if level in LEVELS:
        rows = [r for r in rows if r[3] == level] or rows
    if rows:
        best = [r for r in rows if r[3] == rows[0][3]]  # the largest level that matches: 北京 is the province
        if len(best) == 1 or best[0][3] == "province":
            _say_reading(store, t, best[0], rows)
            return _ref(best[0])
        raise AmbiguousRegion(t, [_candidate(store, r[0]) for r in best])
    # a path such as 浙江省杭州市 or 北京市朝阳区: the region parser reads it
    from .parser import _CJK, PREFIX, RegionParser, english_words

    pm = RegionParser.default().parse(t)
    code = pm.code
    # every character but separators must be read as a place: 珠海x or 珠海区 (no such district) is not 珠海市;
    # English: every word that names a place (Wan Chai District, Hong Kong: all but District), as the parser reads them
    got = len(pm.matched)
    if _CJK.search(t):
        need = len(RegionParser.normalise_zh(t)) if len(t) <= PREFIX else len(t)
    else:
        need, got = len("".join(english_words(t))), len(pm.matched.replace(",", "").replace(" ", ""))
    if code and not pm.foreign and got >= max(2, need):
        found = con.execute(f"SELECT {_COLS} FROM regions WHERE code = ?", [code]).fetchall()
        if found:
            return _ref(found[0])
    raise RegionNotFound(t, [_candidate(store, c) for c in suggest(t, macro=macro)])


def _say_reading(store, text: str, pick: tuple, rows: list[tuple]) -> None:
    """Keep the note of ``text`` read as ``pick`` when other regions of ``rows`` share the name (a municipality's city,
    its province's twin, is the same place): 朝阳 读作 辽宁省朝阳市 (211300)（同名：北京市朝阳区 (110105)、…）."""
    said = said_now()
    if said is None or text in said:
        return
    twin = lambda r: r[1] == pick[1] and pick[0] in (r[4], r[0]) or r[1] == pick[1] and r[0] == pick[4]  # noqa: E731
    others = [r[0] for r in rows if not twin(r)]
    if not others:
        return
    named = store.con.execute(
        "SELECT coalesce(nullif(p.name, r.name), '') || coalesce(nullif(c.name, p.name), '') || r.name FROM regions r "
        "LEFT JOIN regions p ON p.code = r.province_code AND p.code <> r.code "
        "LEFT JOIN regions c ON c.code = r.city_code AND r.level = 'district' AND c.code <> r.code WHERE r.code = ?",
        [pick[0]]).fetchone()[0]
    listed = [_candidate(store, c) for c in others]
    zh = "、".join(f"{c['label']} ({c['code']})" for c in listed)
    # in English by the label every English list shows it by (``region_labels``: Chaoyang, Liaoning), the text typed
    # quoted as it was
    said[text] = (f"{text} 读作 {named} ({pick[0]})（同名：{zh}；请写全称或代码）",
                  f"{text} read as {region_labels(store, [pick[0]], 'en')[pick[0]]} ({pick[0]}) (same name: "
                  f"{_listed_en(listed)}; give the code or the parent region)")


def region_info(store, text: str | None, level: str | None = None, required: bool = False) -> dict | None:
    """``resolve_region(...).as_dict()``, or None when no region is given (the whole country) — refused in words
    instead when one is ``required`` (a region in a URL's path: 请指定地区)."""
    if not required and not split_regions(None if text is None else str(text)):  # blank, or separators alone ("、")
        return None
    return resolve_region(store, "" if text is None else str(text), level).as_dict()


def field_text(store, code: str, lang: str = "zh") -> str:
    """The text a region field shows for the region ``code`` so that sending it again names the same region: the
    name that tells it apart (``region_labels``: 成都市, 杭州市西湖区) when the field reads it back as that region, else
    the code itself (a name another region shares in English: Jilin the city)."""
    text = region_labels(store, [code], lang).get(code, code)
    try:
        with readings(collect=False):
            if text != code and region_info(store, text)["code"] == code:  # as a field reads it
                return text
    except UserError:
        pass
    return code


def find_region(store, text: str, level: str | None = None) -> str:
    """The 6-digit code of the one (non-macro) region ``text`` names."""
    return resolve_region(store, text, level, macro=False).code


def split_regions(text: str | Iterable[str] | None) -> list[str]:
    """A comma list (``,`` ``，`` ``、``) or an iterable of region references, blanks dropped."""
    if text is None:
        return []
    if isinstance(text, str):
        text = text.replace("，", ",").replace("、", ",").split(",")
    return [x.strip() for x in text if x and x.strip()]


def resolve_regions(store, text: str | Iterable[str] | None, level: str | None = None) -> list[RegionRef]:
    """Every region of a comma list (北京市,上海, 长三角); the first unknown or ambiguous entry raises."""
    return [resolve_region(store, it, level) for it in split_regions(text)]


# a region's label: the city named before a district (北京市朝阳区); in English the region above it after its name —
# a district's city, a city's (or a SAR district's) province (Chaoyang, Beijing; Chaoyang, Liaoning; Jilin, Jilin the
# city), not where the two are one place (北京市 the city of 北京市, a district that is its whole city)
_LABELS = ("SELECT r.code, r.name, coalesce(c.name, '') || r.name, "
           "nullif(r.name_en, '') || CASE WHEN coalesce(c.name, p.name) = r.name THEN '' "
           "ELSE coalesce(', ' || nullif(coalesce(c.name_en, p.name_en), ''), '') END{more} FROM regions r "
           "LEFT JOIN regions c ON c.code = r.city_code AND r.level = 'district' AND c.code <> r.code "
           "LEFT JOIN regions p ON p.code = r.province_code AND p.code <> r.code WHERE {where}")


def label_sql(code_sql: str, alias: str) -> tuple[str, str, str]:
    """``(joins, zh, en)``: the joins and the SQL expressions naming the region of ``code_sql`` as
    ``region_labels(..., with_city=True)`` names it — a district with its city (深圳市南山区; Nanshan, Shenzhen) — for
    set-based statements (an import's report lines); ``en`` falls back to the Chinese label. NULL without a region."""
    c = f"{alias}_city"
    joins = (f"LEFT JOIN regions {alias} ON {alias}.code = {code_sql} LEFT JOIN regions {c} ON {c}.code = "
             f"{alias}.city_code AND {alias}.level = 'district' AND {c}.code <> {alias}.code")
    zh = f"(coalesce({c}.name, '') || {alias}.name)"
    en = f"coalesce(nullif({alias}.name_en, '') || coalesce(', ' || nullif({c}.name_en, ''), ''), {zh})"
    return joins, zh, en


def _candidate(store, code: str) -> dict:
    """``{code, name, label, label_en}``: the label names the city before a district (北京市朝阳区) or is the macro
    name; ``label_en`` is the English (``region_labels`` with the city: Chaoyang, Beijing; Taizhou, Jiangsu), None
    where the region has none."""
    m = find_macro(code) if code.startswith("M-") else None
    if m is not None:
        return {"code": m.code, "name": m.name, "label": m.name, "label_en": m.name_en or None}
    row = store.con.execute(_LABELS.format(more="", where="r.code = ?"), [code]).fetchall()
    if not row:
        return {"code": code, "name": code, "label": code, "label_en": None}
    label_en = region_labels(store, [code], "en", with_city=True)[code] if row[0][3] else None
    return {"code": row[0][0], "name": row[0][1], "label": row[0][2], "label_en": label_en}


def region_labels(store, codes: Iterable[str], lang: str = "zh", *, with_city: bool = False) -> dict[str, str]:
    """Region code → the name that tells it apart, in ``lang``, the one label of a region wherever one is shown: its
    name when no other region of its level shares that name, else the label that names its city (杭州市西湖区 and
    南昌市西湖区). In English, where the levels' words fall away (朝阳市, 朝阳区 and 朝阳县 are all Chaoyang), its English
    name when no other region of any level has it, else with the region above it (Chaoyang, Liaoning; Xihu, Hangzhou
    and Xihu, Nanchang), as a note on how a name was read says it. ``with_city``: a district always with its city
    (杭州市余杭区), where a reader needs to see how two regions nest. Macro-regions by their names; an unknown code as
    itself."""
    codes = sorted({str(c) for c in codes if c})
    out = {c: c for c in codes}
    for c in codes:
        m = find_macro(c) if c.startswith("M-") else None
        if m is not None:
            out[c] = (m.name_en or m.name) if lang == "en" else m.name
    # whether another region shares the name (its level's, in Chinese; any, in English): read only where it decides
    # the label (a fourfold longer query)
    shared = ("EXISTS (SELECT 1 FROM regions x WHERE x.level = r.level AND x.name = r.name AND x.code <> r.code)"
              if lang != "en" else
              "EXISTS (SELECT 1 FROM regions x WHERE lower(x.name_en) = lower(r.name_en) AND x.code <> r.code)")
    with_city_en = "nullif(r.name_en, '') || coalesce(', ' || nullif(c.name_en, ''), '')"
    more = f", {'false' if with_city and lang != 'en' else shared}, r.name_en, {with_city_en}"
    for code, name, label, label_en, n, name_en, city_en in store.con.execute(
            _LABELS.format(more=more, where="list_contains(?, r.code)"), [codes]).fetchall():
        if lang == "en" and name_en:
            out[code] = label_en if n else city_en if with_city else name_en
        else:
            out[code] = label if n or with_city else name
    return out


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """The full and short names of every province, city and district (normalised: 张家界市, 张家界): what a text
    may mean as the place, not a company (the news linker takes no derived name form that is one)."""
    from ..text import normalize_name
    from .regions import build_regions

    return frozenset(normalize_name(n) for r in build_regions() for n in (r.name, r.short_name) if n and len(n) >= 2)


# ------------------------------------------------------------------------------------------ suggestions
@lru_cache(maxsize=1)
def _suggest_index() -> tuple[list[str], list[str], list[str]]:
    """(names, their pinyin, their codes): full, short and English names of every region, and macro-region names
    (an English name is its own "pinyin", lower case: Hangzou is close to Hangzhou)."""
    from pypinyin import lazy_pinyin

    from .regions import build_regions

    names, codes = [], []
    for r in build_regions():
        for n in {r.name, r.short_name, r.name_en}:
            if n and len(n) >= 2:
                names.append(n)
                codes.append(r.code)
    for m in _macros():
        for n in (m.name, *m.aliases, *([m.name_en] if m.name_en else [])):
            names.append(n)
            codes.append(m.code)
    return names, ["".join(lazy_pinyin(n)).lower() for n in names], codes


def suggest(text: str, limit: int = 3, *, macro: bool = True) -> list[str]:
    """Codes of the regions whose names are closest to ``text``: the mean of a character similarity and a
    pinyin similarity (杭洲市 and 杭州市 sound alike), best first; nothing when no name is close."""
    from pypinyin import lazy_pinyin
    from rapidfuzz import fuzz, process

    names, pinyins, codes = _suggest_index()
    t = str(text).strip()
    py = "".join(lazy_pinyin(t)).lower()
    chars = process.extract(t, names, scorer=fuzz.ratio, limit=None, score_cutoff=40)
    sounds = dict((i, s) for _, s, i in process.extract(py, pinyins, scorer=fuzz.ratio, limit=None, score_cutoff=60))
    scored: dict[str, float] = {}
    for _, cs, i in chars:
        s = (cs + sounds.get(i, 0.0)) / 2
        if (macro or not codes[i].startswith("M-")) and s > scored.get(codes[i], 0.0):
            scored[codes[i]] = s
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked or ranked[0][1] < 70:
        return []
    top = ranked[0][1]
    return [c for c, s in ranked if s >= top - 5][:limit]


# ------------------------------------------------------------------------------------------- membership
def region_condition(ref: RegionRef | dict | None, alias: str) -> tuple[str, list]:
    """SQL condition that rows of ``alias`` (with province/city/district codes) lie in the region
    (a ``RegionRef`` or its ``as_dict()``).

    The one definition of macro-region membership: the row's province, city or district is a member."""
    if ref is None:
        return "TRUE", []
    if isinstance(ref, dict):
        ref = RegionRef(ref["code"], ref.get("name") or ref["code"], ref["level"], members=tuple(ref.get("members") or ()))
    if ref.is_macro:
        m = list(ref.members) or ["-"]
        return (f"(list_contains(?, {alias}.province_code) OR list_contains(?, {alias}.city_code) "
                f"OR list_contains(?, {alias}.district_code))", [m, m, m])
    return f"{alias}.{ref.level}_code = ?", [ref.code]


def macro_join(alias: str, tag: str = "mr") -> tuple[str, list]:
    """A join giving rows of ``alias`` one row per macro-region they belong to (``{tag}.macro``), under the
    same membership rule as ``region_condition``."""
    pairs = [(m.code, c) for m in _macros() for c in m.members]
    if not pairs:
        raise UserError("宏观区域配置为空", "the macro-region configuration is empty")
    values = ", ".join("(?, ?)" for _ in pairs)
    return (f" JOIN (VALUES {values}) AS {tag}(macro, code) ON {tag}.code IN ({alias}.province_code, {alias}.city_code, {alias}.district_code)",
            [x for p in pairs for x in p])


def units_sql(level: str, alias: str) -> str:
    """SQL condition that rows of the regions table ``alias`` are the units of ``level``: at the city level the
    cities and the province-administered county-level units, each its own city-level unit (``regions.is_city_unit``:
    its ``city_code`` is its code), as the enterprises' ``city_code`` holds them."""
    if level == "city":
        return f"{alias}.city_code = {alias}.code"
    if level not in ("province", "district"):
        raise ValueError(level)
    return f"{alias}.level = '{level}'"


def members_at(store, ref: RegionRef, level: str) -> list[str]:
    """The codes at ``level`` that make up ``ref`` (a macro-region's provinces, a province's cities …), for
    group analytics over nodes of that level. A region finer than the level cannot be a node of it: refused."""
    if level == "macro":
        if not ref.is_macro:
            raise UserError(f"{ref.name} 不是宏观区域，无法用于区域层级 macro", f"{ref.name} is not a macro-region and cannot be used with level macro")
        return [ref.code]
    if level not in LEVELS:
        raise UserError(f"未知的区域层级: {level}（可选: {', '.join(LEVELS + ('macro',))}）", f"unknown region level: {level} (one of: {', '.join(LEVELS + ('macro',))})")
    rank = {"province": 0, "city": 1, "district": 2}
    members = list(ref.members) if ref.is_macro else [ref.code]
    levels = {c: (ref.level if c == ref.code else level_of(c)) for c in members}
    finer = [c for c in members if rank[levels[c]] > rank[level]]
    if finer:
        names = "、".join(_candidate(store, c)["name"] for c in finer[:5])
        fine = levels[finer[0]]
        raise UserError(f"{ref.name} 含{LEVEL_NAMES[fine].zh_rank}成员（{names}），无法在{LEVEL_NAMES[level].zh_rank}层级上作为一组；"
                        f"请改用{LEVEL_NAMES[fine].zh_rank}层级（--level {fine}）或更细的层级",
                        en=f"{ref.name} has {fine}-level members ({names}) and cannot be a group at {level} level; "
                           f"use --level {fine} or finer")
    exact = [c for c in members if levels[c] == level]
    coarse = [c for c in members if levels[c] != level]
    if coarse:
        col = {"province": "province_code", "city": "city_code"}
        conds = " OR ".join(f"{col[levels[c]]} = ?" for c in coarse)
        rows = store.con.execute(f"SELECT code FROM regions r WHERE {units_sql(level, 'r')} AND ({conds}) ORDER BY code",
                                 coarse).fetchall()
        exact += [r[0] for r in rows]
    return list(dict.fromkeys(exact))

