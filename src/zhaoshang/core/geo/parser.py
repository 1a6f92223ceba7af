"""Chinese regions from free text: "浙江杭州", "北京-海淀区", full addresses, English names, foreign places.

``RegionParser.parse(text)`` scans a short prefix of the normalised text left to right with a dictionary
of region names (full names, short names, former names of abolished or recoded units, English names),
keeps only matches consistent with what was already found (province → city → district), and stops at the
first district. Ambiguous names (鼓楼区, 朝阳区 …) are resolved only by context; without context only what
all candidates share (province or city) is kept. See docs/methods.md, "Regions from free text".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from zhaoshang.core.geo import foreign
from zhaoshang.core.geo.regions import (
    MUNICIPALITIES,
    Region,
    build_regions,
    english_aliases,
    former_names,
    named_places,
    short_name,
)

PREFIX = 24  # characters of the normalised text that are scanned
_CACHE_MAX = 400_000
_COLUMNS_MAX = 100_000

# Kinds of a name, best first.
FULL, SHORT, ALIAS, FORMER, RELATIVE = 0, 1, 2, 3, 4  # RELATIVE: only used after its city (高新区)
INSIDE = 5  # only used where its province is named too: an English name without its word (Eastern, Hong Kong)
_RANK = {"province": 0, "city": 1, "district": 2}

_STREET1 = set("路街巷弄道")
_STREET2 = {"东路", "西路", "南路", "北路", "中路", "大道", "大街", "大路", "一路", "二路", "三路", "胡同"}
# a name followed by one of these is the start of a longer place's name (东风林场 is no 东风区, 兴隆林业局 no 兴隆县)
_PLACE_AFTER = ("林业局", "林场", "农场", "牧场")
# names that are also common words of places' names (曲江新城, 城关镇, a park's 南区): a region only as a whole token,
# at the text's start or where the previous name ended (西安市新城, 香港北区 …), never ending a longer name (沣东新城,
# 池北区, 东江湾路444号南区)
_COMMON_SHORT = frozenset({"新城", "城关", "东区", "南区", "北区"})

# Full-width ASCII → half-width; separators and spaces removed (Chinese path only).
_FW = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_DROP = " \t\r\n\u3000-_－—–~～,，、/|·•.。()（）[]【】{}<>《》:：;；\"'“”‘’#"
_ZH_TABLE = {**_FW, **{ord(c): None for c in _DROP}}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CHINA_PREFIXES = ("中华人民共和国", "中国大陆", "中國", "中国")
# Further Chinese names: Tushare's "内蒙", 雄安新区 (its three counties belong to 保定), and cities of
# 台湾 (which has no city rows).
_ZH_ALIASES = {"内蒙": "150000", "雄安新区": "130600", "雄安": "130600", "台北": "710000", "台中": "710000",
               "台南": "710000", "高雄": "710000", "新竹": "710000"}
_EN_STOP = {"district", "city", "province", "prefecture", "county", "shi", "sheng", "qu", "municipality",
            "autonomous", "region", "special", "administrative", "sar", "the", "of", "new", "area", "zone", "parish"}


@dataclass(frozen=True)
class RegionMatch:
    """Result of parsing one location. Codes are 6-digit GB/T 2260 strings or None."""

    province_code: str | None = None
    city_code: str | None = None
    district_code: str | None = None
    country: str | None = None  # "CN", an ISO 3166-1 alpha-2 code, or None when unknown
    foreign: bool = False
    matched: str = ""
    confidence: float = 0.0
    named: bool = False  # a province or city was named explicitly (not inferred from a bare district name)
    division_conflict: bool = False  # the credit code's division code points elsewhere (see ``resolve``)
    district_from_division: bool = False  # the district is the division code's: the text named none
    # the address and the region text name different places: which of the two was not followed ("text" or
    # "address"), None when they agree (see ``resolve``)
    text_conflict: str | None = None

    @property
    def code(self) -> str | None:
        """The most specific code found."""
        return self.district_code or self.city_code or self.province_code


NO_MATCH = RegionMatch()

# A candidate: (code, rank, province_code, city_code, kind)
Cand = tuple


_ZONE_ABBR = (("高新技术产业开发区", "高新区"), ("高新技术产业开发区", "高新开发区"), ("高新技术产业开发区", "高新技术开发区"),
              ("高新技术开发区", "高新区"), ("高新技术产业园区", "高新区"),
              ("火炬高技术产业开发区", "高新区"), ("经济技术开发区", "经济开发区"), ("经济技术开发区", "经开区"),
              ("经济开发区", "开发区"))


def _variants(r: Region, regions: dict) -> list[tuple[str, int]]:
    """Other names in common use: 延边州, 昌江县, and development zones named relative to their city
    (合肥市高新区, 高新区 — the latter is ambiguous on its own and resolved by the city before it)."""
    out: list[str] = []
    for suf, short_suf in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if r.name.endswith(suf) and r.short_name != r.name:
            out.append((r.short_name + short_suf, ALIAS))
    if r.zone and r.city_code in regions:
        city = regions[r.city_code]
        prov = regions[r.province_code]
        rest = r.name
        for p in (prov.name, prov.short_name):
            if rest.startswith(p) and len(rest) > len(p) + 2:
                rest = rest[len(p):]
                break
        for c in (city.name, city.short_name):
            if rest.startswith(c) and len(rest) > len(c) + 2:
                rest = rest[len(c):]
                break
        forms = {rest}
        for long, abbr in _ZONE_ABBR:
            for f in list(forms):
                if f.endswith(long):
                    forms.add(f[: -len(long)] + abbr)
        for f in forms:
            if f != r.name and len(f) >= 3:
                out.extend(((f, RELATIVE), (city.short_name + f, ALIAS), (city.name + f, ALIAS)))
    return out


def _norm_en(s: str) -> str:
    return re.sub(r"[^a-z]", "", s.lower())


def english_words(text: str) -> list[str]:
    """The words of an English text that name a place, as the parser reads them (lower case, apostrophes and dots
    dropped, without the words of a division's kind: district, city, parish …)."""
    words = [w.replace("'", "").strip(".") for w in re.findall(r"[a-z][a-z'.]*", text.lower().replace("’", "'"))]
    return [w for w in words if w and w not in _EN_STOP]


class _State:
    __slots__ = ("prov", "city", "dist", "pending", "start", "end", "conf", "used_former", "context", "named",
                 "min_rank", "may_name", "last_end", "disagree", "left")

    def __init__(self, prov=None, city=None, dist=None):
        self.prov, self.city, self.dist = prov, city, dist
        self.pending: list | None = None
        self.start = -1
        self.end = -1
        self.conf = 1.0
        self.used_former = False
        self.context = prov is not None or city is not None
        self.named = False      # a province or city matched by its own name
        self.min_rank = 0       # 1 for a district column: 河北 there is 天津's 河北区, not 河北省
        self.may_name = True    # False while reading a district column: its names never count as named
        self.last_end = -1      # where the last used match ended in the current text (relative zone names)
        self.disagree = None    # the address and the region text disagree: the one not followed
        self.left = None        # the candidates an ambiguous name left (河东区: 天津 or 临沂), for the credit code

    def copy(self) -> "_State":
        new = _State()
        for k in self.__slots__:
            setattr(new, k, getattr(self, k))
        new.pending = list(self.pending) if self.pending else self.pending
        return new

    def set_prov(self, code: str) -> None:
        self.prov = code
        if code in MUNICIPALITIES and self.city is None:
            self.city = code[:2] + "0100"

    def feed(self, cands: tuple) -> str:
        """Apply one dictionary match; returns 'none' (nothing consistent), 'redundant' or 'used'."""
        prov, city = self.prov, self.city
        best = None
        redundant = False
        if self.min_rank:
            cands = tuple(c for c in cands if c[1] >= self.min_rank) or cands
        for c in cands:
            code, rank, cprov, ccity, kind = c
            if prov is not None and cprov != prov:
                continue
            if kind == RELATIVE and city is None or kind == INSIDE and prov is None:
                continue
            if rank == 0:
                if prov is not None:
                    redundant = True
                    continue
            elif rank == 1:
                if city is not None:
                    if code == city:
                        redundant = True
                    continue
            elif city is not None and ccity != city:
                continue
            if best is None:
                best = [c]
            elif (rank, kind) == best[0][1::3]:
                best.append(c)
            elif (rank, kind) < best[0][1::3]:
                best = [c]
        if best is None:
            return "redundant" if redundant else "none"
        if len(best) == 1:
            code, rank, cprov, ccity, kind = best[0]
            if kind == FORMER:
                self.used_former = True
            if rank < 2 and self.may_name:
                self.named = True
            if rank == 0:
                self.set_prov(code)
            elif rank == 1:
                self.set_prov(cprov)
                self.city = code
            else:
                self.set_prov(cprov)
                self.city, self.dist = ccity, code
                if not self.context and kind != FULL and len(cands) == 1 and cands[0][1] == 2:
                    self.conf *= 0.9  # a bare short district name
            self.context = True
            return "used"
        # ambiguous: keep only what all candidates share
        provs = {c[2] for c in best}
        if len(provs) == 1 and self.prov is None:
            self.set_prov(provs.pop())
        if best[0][1] == 2:
            cities = {c[3] for c in best}
            if len(cities) == 1 and self.city is None:
                self.city = cities.pop()
        self.pending = best
        self.conf *= 0.7
        return "used"

    def finish(self) -> None:
        if self.dist is None and self.pending:
            left = [c for c in self.pending
                    if (self.prov is None or c[2] == self.prov) and (self.city is None or c[3] == self.city)]
            if len(left) == 1:
                code, rank, cprov, ccity, _ = left[0]
                if rank == 2:
                    self.dist = code
                self.city = ccity
                self.set_prov(cprov)
                self.conf /= 0.7
            elif left:
                self.left = tuple(left)
            self.pending = None


class RegionParser:
    """Parses locations into GB/T 2260 codes. Build once (``RegionParser.default()``), call many times."""

    def __init__(self, regions: Iterable[Region], former: Iterable = (), places: Iterable[tuple[str, str]] = ()):
        """``former``: FormerName objects; ``places``: (name, code) of named places (``regions.named_places``)."""
        regions = list(regions)
        self.regions = {r.code: r for r in regions}
        cands: dict[str, dict[str, Cand]] = {}
        en: dict[str, dict[str, Cand]] = {}

        def add(table, key, r: Region, kind: int) -> None:
            if len(key) < 2:
                return
            slot = table.setdefault(key, {})
            old = slot.get(r.code)
            if old is None or kind < old[4]:
                slot[r.code] = (r.code, _RANK[r.level], r.province_code, r.city_code, kind)

        for r in regions:
            add(cands, r.name, r, FULL)
            if r.short_name != r.name:
                add(cands, r.short_name, r, SHORT)
            if r.name_en:
                add(en, _norm_en(r.name_en), r, FULL)
                # a name with its kind's word (Wan Chai District, St. Lazarus Parish: the SARs' units) read as a text
                # writes it, the word dropped — inside its SAR only, where Eastern or North names no other place
                bare = "".join(english_words(r.name_en))
                if bare and bare != _norm_en(r.name_en):
                    add(en, bare, r, INSIDE)
        for r in regions:
            for key, kind in _variants(r, self.regions):
                add(cands, key, r, kind)
        for alias, code in _ZH_ALIASES.items():
            add(cands, alias, self.regions[code], ALIAS)
        for name, code in places:  # a named place (洋浦经济开发区, 沣东新城) is read as the region holding it
            if code in self.regions:
                add(cands, name, self.regions[code], ALIAS)
        for name, code in english_aliases().items():
            if code in self.regions:
                add(en, _norm_en(name), self.regions[code], ALIAS)
        former = list(former)
        self.former_codes: dict[str, str] = {}
        for f in former:
            succ = self.regions.get(f.successor)
            if succ is None:
                continue
            self.former_codes[f.old_code] = f.successor
            add(cands, f.name, succ, FORMER)
            lvl = "city" if f.old_code.endswith("00") else "district"
            s = short_name(f.name, lvl)
            if s != f.name:
                add(cands, s, succ, FORMER)

        def freeze(table):
            return {k: tuple(sorted(v.values(), key=lambda c: (c[1], c[4], c[0]))) for k, v in table.items()}

        self._names = freeze(cands)
        self._city_names = {r.code: {r.name, r.short_name} for r in regions if r.level == "city"}
        self._whole_city = {r.code for r in regions if r.level == "district" and r.city_code in self.regions
                            and r.name == self.regions[r.city_code].name}
        self._en = freeze(en)
        first2: dict[str, set[int]] = {}
        for k in self._names:
            first2.setdefault(k[:2], set()).add(len(k))
        self._first2 = {k: tuple(sorted(v, reverse=True)) for k, v in first2.items()}
        self._foreign = foreign.zh_table()
        self._foreign_first = {}
        for k in self._foreign:
            self._foreign_first.setdefault(k[0], set()).add(len(k))
        self._foreign_first = {k: tuple(sorted(v, reverse=True)) for k, v in self._foreign_first.items()}
        self._cache: dict[str, RegionMatch] = {}
        self._columns: dict[tuple, tuple] = {}  # ``resolve``'s reading of the columns alone
        self._name_places: list | None = None  # ``legal_name_places``, made once

    # ------------------------------------------------------------------ construction
    @staticmethod
    @lru_cache(maxsize=1)
    def default() -> "RegionParser":
        """The parser over the package's reference table (built once per process)."""
        return RegionParser(build_regions(), former_names(), named_places())

    # ------------------------------------------------------------------ public API
    def parse(self, text: str | None) -> RegionMatch:
        """Parse one location string (name, "省-市", address, English name, foreign place)."""
        if not text:
            return NO_MATCH
        key = text[:160] if text.isascii() else text[:40]  # English needs the whole (short) string
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        res = self._parse(key)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[key] = res
        return res

    def legal_name_places(self) -> list[tuple[str, str | None, str | None, bool]]:
        """The place names an enterprise's legal name may state where it is registered, at its start (湖南科云达…,
        深圳前海…) or in brackets after its trade name (爱闪拍（上海）…): ``(name, province code, city code, sure)``.
        ``sure`` (read at a name's start too): a province-level name (the province, even where a city shares it:
        吉林, 海南) or a city name no district or other city shares (深圳, 南京; not 朝阳 or 中山, which districts
        share — as a name's first words they are as often its trade name's). In brackets any place name counts: a
        city by its best reading (（西安）, （中山）), a district's name with no region to compare (None)."""
        got = self._name_places
        if got is None:
            got = []
            for key, cands in self._names.items():
                provs = {c[0] for c in cands if c[1] == _RANK["province"]}
                if provs:
                    got.append((key, next(iter(provs)), None, True) if len(provs) == 1 else (key, None, None, False))
                elif cands[0][1] == _RANK["city"]:
                    got.append((key, cands[0][2], cands[0][0], len({c[0] for c in cands}) == 1))
                else:
                    got.append((key, None, None, False))
            self._name_places = got = sorted(got)
        return got

    def clear_cache(self) -> None:
        self._cache.clear()
        self._columns.clear()

    def parse_many(self, texts: Iterable[str | None]) -> list[RegionMatch]:
        parse = self.parse
        return [parse(t) for t in texts]

    def resolve(self, province: str | None = None, city: str | None = None, district: str | None = None,
                address: str | None = None, text: str | None = None, division: str | None = None) -> RegionMatch:
        """Combine structured columns (names, short names or codes) with an address or free text, and the
        division code of a credit code (统一社会信用代码 characters 3–8) as further evidence.

        Order of evidence (docs/methods.md, "Regions from free text"): the province and city columns; then the
        address and text when they name a province or city themselves (北京市朝阳区… outranks a district column
        holding 朝阳); then the district column, read as a district or city (河北 there is 天津's 河北区, 海南 is
        青海's 海南州); then the rest of the address. A value that contradicts what is already known is not used.
        ``division`` fills what the text leaves open or ambiguous; when it disagrees with the text, the text is
        kept and ``division_conflict`` set, except that a bare district name of another province (no province
        or city named) gives way to the division code (also flagged).
        """
        # the columns alone (no address or text) repeat across rows with different division codes: their reading
        # is kept and only the division is brought in per call
        key = None if address or text else (province, city, district)
        hit = self._columns.get(key) if key is not None else None
        if hit is None:
            hit = self._read_columns(province, city, district, address, text)
            if key is not None:
                if len(self._columns) >= _COLUMNS_MAX:
                    self._columns.clear()
                self._columns[key] = hit
        st, matched, foreign_hit = hit  # (``_reconcile`` changes a copy of it, never the reading kept)
        conflict, had_district = False, st.dist is not None
        if division:
            st, conflict = self._reconcile(st, division)
        if st.prov is None:
            return foreign_hit or NO_MATCH
        return RegionMatch(st.prov, st.city, st.dist, "CN", False, "|".join(matched), round(st.conf, 3), st.named,
                           conflict, st.dist is not None and not had_district, st.disagree)

    def _read_columns(self, province, city, district, address, text) -> tuple["_State", list[str], RegionMatch | None]:
        """``resolve`` without the division code: the state its texts give, what matched, a foreign match."""
        st = _State()
        matched: list[str] = []
        foreign_hit: RegionMatch | None = None

        def read(value: str, st: _State) -> _State:
            nonlocal foreign_hit
            before = (st.prov, st.city, st.dist)
            if value.isdigit():
                self._feed_code(st, value)
            elif _CJK.search(value):
                t = self._norm_zh(value)
                f = self._foreign_prefix(t)
                if f is not None:
                    foreign_hit = foreign_hit or f
                    return st
                self._scan(t, st)
            else:
                r = self._parse_en(value, st)
                if r is not None and r.foreign:
                    foreign_hit = foreign_hit or r
                    return st
            if (st.prov, st.city, st.dist) != before:
                matched.append(value if len(value) <= 12 else value[:12])
            return st

        vals = {k: (str(v).strip() if v is not None else "") for k, v in
                (("province", province), ("city", city), ("district", district), ("address", address), ("text", text))}
        for key in ("province", "city"):
            if vals[key] and st.dist is None:
                read(vals[key], st)
        free = [vals[k] for k in ("address", "text") if vals[k]]
        if len(free) == 2 and st.dist is None:
            free, st.disagree = self._address_or_text(st, vals["address"], vals["text"])
        if free and st.dist is None:  # an address that names its province or city comes before the district column
            trial, kept = st.copy(), len(matched)
            trial.named = False
            for v in free:
                if trial.dist is None:
                    read(v, trial)
            if trial.named and trial.prov is not None:
                st, free = trial, []
            else:
                del matched[kept:]
        if vals["district"] and st.dist is None:
            st.min_rank, st.may_name = 1, False
            read(vals["district"], st)
            st.min_rank, st.may_name = 0, True
        for v in free:
            if st.dist is None:
                read(v, st)
        st.finish()
        return st, matched, foreign_hit

    def _address_or_text(self, st: _State, address: str, text: str) -> tuple[list[str], str | None]:
        """The order in which ``resolve`` reads an address and a region text (湖北-武汉), and which of them is not
        followed when they name different provinces or cities. The address comes first (北京市朝阳区… over 广东-深圳,
        the text flagged), unless its province contradicts both the text and the city it names itself (湖南省武汉市…
        beside 湖北-武汉: a slip in the address, which is flagged)."""
        def reading(value: str) -> tuple[_State, str] | None:
            if not _CJK.search(value):
                return None
            t = self._norm_zh(value)
            if self._foreign_prefix(t) is not None:
                return None
            out = st.copy()
            self._scan(t, out)
            out.finish()
            return (out, t) if out.prov is not None else None

        a, x = reading(address), reading(text)
        if a is None or x is None:
            return [address, text], None
        (a, a_text), (x, _) = a, x
        if a.prov == x.prov and (a.city is None or x.city is None or a.city == x.city):
            return [address, text], None
        if a.prov != x.prov and a.city is None and x.city is not None and any(
                n in a_text for n in self._city_names.get(x.city, ())):
            return [text, address], "address"
        return [address, text], "text"

    def _reconcile(self, st: _State, division: str) -> tuple[_State, bool]:
        """Bring the credit code's division code into ``st``: returns the state to use and whether they disagree."""
        code = self.former_codes.get(division[:6], division[:6])
        r = self.regions.get(code) if len(code) == 6 and code.isdigit() else None
        if r is None or r.zone:
            return st, False
        k_prov = r.province_code
        k_city = r.city_code if r.level != "province" else (code[:2] + "0100" if code in MUNICIPALITIES else None)
        k_dist = r.code if r.level == "district" else None
        near = [c for c in st.left or () if c[1] == 2 and c[3] == k_city] if st.dist is None else []
        if len(near) == 1:  # the text's own district in the code's city (河东区… with a 天津 code): the text's
            st = st.copy()
            code_, _rank, cprov, ccity, _kind = near[0]
            st.set_prov(cprov)
            st.city, st.dist, st.left = ccity, code_, None
        if st.prov is None:
            out = _State(k_prov, k_city, k_dist)
            out.conf = 0.8
            return out, False
        agree = k_prov == st.prov and (k_city is None or st.city is None or k_city == st.city) and (
            k_dist is None or st.dist is None or k_dist == st.dist)
        if agree:
            if (st.city is None and k_city is not None) or (st.dist is None and k_dist is not None):
                st = st.copy()  # the columns' reading is kept for other calls: filled in on a copy
            if st.city is None and k_city is not None:
                st.city = k_city
            if st.dist is None and k_dist is not None and st.city == k_city:
                st.dist = k_dist
            return st, False
        if st.named or k_prov == st.prov:  # the text named its place, or only the finer levels differ: kept, flagged
            return st, True
        out = _State(k_prov, k_city, k_dist)  # a bare district name of another province: the code wins
        out.conf, out.disagree = 0.8, st.disagree
        return out, True

    # ------------------------------------------------------------------ internals
    @staticmethod
    def normalise_zh(text: str) -> str:
        """The text as the parser reads it (separators dropped, full-width folded, a leading 中国 removed):
        a whole-text match covers all of it."""
        return RegionParser._norm_zh(text)

    @staticmethod
    def _norm_zh(text: str) -> str:
        t = text[:48].translate(_ZH_TABLE)
        for p in _CHINA_PREFIXES:
            if t.startswith(p):
                t = t[len(p):]
                break
        return t[:PREFIX]

    def _foreign_prefix(self, t: str) -> RegionMatch | None:
        pos, iso, found = 0, None, False
        ff, table = self._foreign_first, self._foreign
        while pos < len(t):
            lens = ff.get(t[pos])
            hit = None
            if lens:
                for L in lens:
                    if t[pos:pos + L] in table:
                        hit = L
                        break
            if hit is None:
                break
            iso = table[t[pos:pos + hit]] or iso
            pos += hit
            found = True
        if not found:
            return None
        if t[pos:pos + 2] == "中国":  # "亚洲-中国-北京"
            return None
        return RegionMatch(None, None, None, iso, True, t[:pos], 0.9 if iso else 0.7)

    def _feed_code(self, st: _State, value: str) -> None:
        code = value[:6].ljust(6, "0") if len(value) in (2, 4, 6) else None
        if code is None:
            return
        code = self.former_codes.get(code, code)
        r = self.regions.get(code)
        if r is None:
            return
        st.feed(((r.code, _RANK[r.level], r.province_code, r.city_code, FULL),))

    def _parse(self, text: str) -> RegionMatch:
        s = text.strip()
        if not s:
            return NO_MATCH
        if s.isdigit():
            st = _State()
            self._feed_code(st, s)
            if st.prov is None:
                return NO_MATCH
            return RegionMatch(st.prov, st.city, st.dist, "CN", False, s, 1.0)
        if not _CJK.search(s):
            return self._parse_en(s, _State()) or NO_MATCH
        t = self._norm_zh(s)
        f = self._foreign_prefix(t)
        if f is not None:
            return f
        st = _State()
        self._scan(t, st)
        st.finish()
        if st.prov is None:
            china = s.lstrip().startswith(("中国", "中華", "中华", "中國"))
            return RegionMatch(country="CN", matched="中国", confidence=0.3) if china else NO_MATCH
        return RegionMatch(st.prov, st.city, st.dist, "CN", False, t[st.start:st.end], round(st.conf, 3), st.named)

    def _scan(self, t: str, st: _State) -> None:
        names, first2 = self._names, self._first2
        n = len(t)
        i = 0
        st.last_end = 0
        while i < n - 1 and st.dist is None:
            lens = first2.get(t[i:i + 2])
            if lens is None:
                i += 1
                continue
            step = 1
            for L in lens:
                j = i + L
                if j > n:
                    continue
                cands = names.get(t[i:j])
                if cands is None:
                    continue
                nxt = t[j:j + 2]
                # a street (中山路), unless the name ends in 区/县/旗 and is a division's own (东区弄弄坪: 东区, 攀枝花)
                if nxt and (nxt[0] in _STREET1 or nxt in _STREET2) and not (
                        t[j - 1] in "区县旗" and any(c[4] == FULL for c in cands)):
                    continue
                if t.startswith(_PLACE_AFTER, j) and all(c[4] != FULL for c in cands):
                    continue  # part of a longer place's name: 东风林场
                if t[i:j] in _COMMON_SHORT and i != st.last_end:
                    continue  # inside a longer name: 沣东新城, 曲江新城
                if st.city is not None and t[i:j] in self._city_names.get(st.city, ()):
                    # the city's name repeated after it (芜湖市…芜湖片区, 长治市长治高新区) names no district, not
                    # even the county of that name (芜湖县, 长治县); a district that is the whole city (嘉峪关市) does
                    cands = tuple(c for c in cands if c[1] != 2 or c[0] in self._whole_city)
                    if not cands:
                        continue
                if i != st.last_end:  # a zone named relative to its city must follow it: 合肥市高新开发区 ≠ 开发区
                    cands = tuple(c for c in cands if c[4] != RELATIVE)
                    if not cands:
                        continue
                status = st.feed(cands)
                if status == "none":
                    continue
                if status == "used":
                    if st.start < 0:
                        st.start = i
                        if i > 0:
                            st.conf *= 0.9
                    st.end = j
                st.last_end = j
                step = L
                break
            i += step

    def _parse_en(self, text: str, st: _State) -> RegionMatch | None:
        words = english_words(text)
        en = self._en
        china = False
        iso = None
        spans: list[tuple[int, str, tuple]] = []
        i = 0
        while i < len(words):
            step = 1
            for L in (4, 3, 2, 1):
                if i + L > len(words):
                    continue
                key = "".join(words[i:i + L])
                if key in foreign.CHINA_EN:
                    china = True
                    step = L
                    break
                cands = en.get(key)
                if cands is not None:
                    spans.append((min(c[1] for c in cands), " ".join(words[i:i + L]), cands))
                    step = L
                    break
                if key in foreign.COUNTRIES_EN and iso is None:
                    iso = foreign.COUNTRIES_EN[key]
                    step = L
                    break
            i += step
        # English writes small → large ("Chaoyang District, Beijing"): feed the larger units first,
        # and among equals the later one.
        matched: list[str] = []
        order = sorted(range(len(spans)), key=lambda k: (spans[k][0], -k))
        for _, words_, cands in (spans[k] for k in order):
            if st.feed(cands) != "none":
                matched.append(words_)
        st.finish()
        if st.prov is not None:
            return RegionMatch(st.prov, st.city, st.dist, "CN", False, ", ".join(matched), round(st.conf * 0.95, 3))
        if iso:
            return RegionMatch(None, None, None, iso, True, text.strip(), 0.9)
        if china:
            return RegionMatch(country="CN", matched=text.strip(), confidence=0.3)
        return None


def parse_region(text: str | None) -> RegionMatch:
    """Parse with the default parser."""
    return RegionParser.default().parse(text)


def resolve_region(**kwargs) -> RegionMatch:
    """``RegionParser.default().resolve(**kwargs)``."""
    return RegionParser.default().resolve(**kwargs)
