"""GB/T 2260 regions: the reference table of provinces, cities and districts, current as of 2023.

Base data: the division table shipped inside the ``cpca`` package (an older vintage), brought up to
date by the override table ``data/region_overrides.yaml`` (our own, reviewable list of later changes:
recoded, added, abolished and renamed codes, plus the statistical codes of development zones).

Conventions (see docs/methods.md, "Regions from free text"):

- the four municipalities get a city-level row 110100/120100/310100/500100 named 北京市 etc., so that
  every district has a city (Chongqing's counties, code 5002xx, belong to 500100 as well);
- province-administered county-level units (codes xx90yy: 济源, 仙桃, 海南's 五指山, 兵团 cities …)
  are district-level rows whose parent is the province and whose ``city_code`` is their own code;
- 香港 810000, 澳门 820000 and 台湾 710000 are province-level rows without cities; Hong Kong's districts and
  Macao's parishes (8100xx, 8200xx: the codes of the Ministry of Civil Affairs, by which the boundary files draw them)
  are district-level rows like the province-administered units: parent the SAR, ``city_code`` their own code.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from dataclasses import astuple, dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import duckdb

from zhaoshang.core.config import read_yaml
from zhaoshang.core.errors import UserError

MUNICIPALITIES = {"110000": "北京市", "120000": "天津市", "310000": "上海市", "500000": "重庆市"}
CAPITAL = "110000"  # 北京市
HONG_KONG, MACAO = "810000", "820000"  # the SARs: their districts (区) and parishes (堂区) sit right under them
_WITHOUT_CITIES = frozenset({HONG_KONG, MACAO})
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
OVERRIDES_PATH = DATA_DIR / "region_overrides.yaml"
NAMES_EN_PATH = DATA_DIR / "region_names_en.yaml"

# Province short names that are not simply the name minus 省/市.
_PROVINCE_SHORT = {
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

# Ethnic groups as they appear in the names of autonomous prefectures, counties and banners.
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 "
    "纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 "
    "鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各"
).split()
_ETHNIC_RE = re.compile("(?:" + "|".join(sorted((e + "族" for e in _ETHNIC), key=len, reverse=True))
                        + "|蒙古|哈萨克|柯尔克孜)$")
_ZONE_WORDS = ("开发区", "园区", "管理区", "示范区", "新区", "新城", "实验区", "聚集区", "委员会", "管委会", "风景名胜区")


def level_of(code: str) -> str:
    """A GB/T 2260 code's level from its form: 330000 province, 330100 city, 330106 district."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


def province_of(code: str) -> str:
    """The province-level code a GB/T 2260 code lies in (330106 → 330000; a province is its own)."""
    return code[:2] + "0000"


def _hierarchy(code: str) -> tuple[str, str | None, str | None]:
    """(level, parent_code, city_code) of a code under the conventions above."""
    lvl = level_of(code)
    prov = province_of(code)
    if lvl == "province":
        return lvl, None, None
    if lvl == "city":
        return lvl, prov, code
    if code[2:4] == "90" or prov in _WITHOUT_CITIES:  # province-administered county-level unit, a SAR's district
        return lvl, prov, code
    city = prov[:2] + "0100" if prov in MUNICIPALITIES else code[:4] + "00"
    return lvl, city, city


def city_of(code: str) -> str | None:
    """The city-level code a GB/T 2260 code lies in (330106 → 330100; a municipality's district → its 0100 code; a
    province-administered county is its own); None for a province."""
    return _hierarchy(code)[2]


def is_city_unit(code: str) -> bool:
    """Whether a region is a city-level unit: a city, or a province-administered county-level unit (仙桃, 石河子),
    which no city holds and so stands for itself beside its province's cities (the map, the report's peers)."""
    return city_of(str(code)) == str(code)


def lies_in(code: str, region: str) -> bool:
    """Whether the region ``code`` is ``region`` or lies in it: 330106 in 330100 and 330000, a municipality's
    district in its province (110105 in 110000)."""
    code, region = str(code), str(region)
    if code == region:
        return True
    lvl = level_of(region)
    return (lvl == "province" and province_of(code) == region) or (lvl == "city" and city_of(code) == region)


# the one county-level unit named a forestry district (林区); elsewhere 林 ends a place's own name (万柏林区, 碑林区)
_FORESTRY_DISTRICTS = frozenset({"神农架林区"})


def short_name(name: str, level: str, zone: bool = False) -> str:
    """Common short form: 浙江省 → 浙江, 杭州市 → 杭州, 海淀区 → 海淀, 延边朝鲜族自治州 → 延边."""
    if level == "province":
        if name in _PROVINCE_SHORT:
            return _PROVINCE_SHORT[name]
        return re.sub("(省|市)$", "", name)
    if zone:
        if name.endswith("区") and len(name) <= 5 and not any(w in name for w in _ZONE_WORDS):
            return name[:-1]
        return name
    s = name
    for suf in ("自治州", "自治县", "自治旗", "特区", "林区", "地区", "新区", "矿区", "市", "县", "区", "盟", "旗"):
        if suf == "林区" and name not in _FORESTRY_DISTRICTS:  # 万柏林区 is 万柏林's 区, 神农架林区 a forestry district
            continue
        if s.endswith(suf) and len(s) - len(suf) >= 2:
            s = s[: -len(suf)]
            break
    while True:  # strip trailing ethnic names of autonomous units: 海西蒙古族藏族 → 海西
        m = _ETHNIC_RE.search(s)
        if not m or m.start() < 2:
            break
        s = s[: m.start()]
    return s


# Readings of heteronyms as used in place names (阿勒泰 Aletai, 什邡 Shifang, 佛冈 Fogang, 马尾 Mawei: pypinyin read
# lei, shen, fu, yi); a place read otherwise than the character elsewhere (乐清 Yueqing, 长子 Zhangzi, 闵行 Minhang …)
# is in region_names_en.yaml.
_PLACE_READINGS = {"长": "chang", "朝": "chao", "乐": "le", "蚌": "beng", "漯": "luo", "都": "du", "单": "shan",
                   "勒": "le", "什": "shi", "佛": "fo", "卡": "ka", "尾": "wei", "柏": "bai"}


def _pinyin_name(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    sylls = lazy_pinyin(text, style=Style.NORMAL, errors="ignore")
    if len(sylls) == len(text):  # readings of heteronyms in place names (朝阳 Chaoyang, 长治 Changzhi)
        sylls = [_PLACE_READINGS.get(ch, sy) for ch, sy in zip(text, sylls)]
    out = ""
    for i, s in enumerate(sylls):
        if i and s[:1] in ("a", "o", "e"):
            out += "'"
        out += s
    return out[:1].upper() + out[1:]


# Development zones in English: the kind of zone (the end of its name, longest first) in words, the places and
# words before it each in turn — 合肥高新技术产业开发区 → Hefei High-tech Industrial Development Zone, never the
# whole name as one pinyin word.
_ZONE_KINDS_EN = (
    ("高新技术产业开发区", "High-tech Industrial Development Zone"),
    ("高技术产业开发区", "High-tech Industrial Development Zone"),
    ("高新技术产业园区", "High-tech Industrial Park"),
    ("高新技术开发区", "High-tech Development Zone"),
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("经济综合实验区", "Economy Comprehensive Experimental Zone"),
    ("经济开发区", "Economic Development Zone"),
    ("综合改革示范区", "Comprehensive Reform Demonstration Zone"),
    ("城乡一体化示范区", "Urban-Rural Integration Demonstration Zone"),
    ("综合物流产业聚集区", "Comprehensive Logistics Industry Cluster"),
    ("现代产业园区", "Modern Industrial Park"),
    ("文化旅游创意园区", "Cultural Tourism and Creative Park"),
    ("工业园区", "Industrial Park"),
    ("化工园区", "Chemical Park"),
    ("风景名胜区", "Scenic Area"),
    ("管理区管委会", "Administrative Zone"),
    ("行政委员会", "Administrative Committee"),
    ("管理区", "Administrative Zone"),
    ("示范区", "Demonstration Zone"),
    ("开发区", "Development Zone"),
    ("食品区", "Food Zone"),
    ("新区", "New Area"),
    ("新城", "New Town"),
    ("园区", "Park"),
)
# words of zone names that are not places
_ZONE_WORDS_EN = {"中国新加坡": "China-Singapore", "中新": "China-Singapore", "火炬": "Torch", "汽车": "Automotive",
                  "稀土": "Rare Earth", "航空港": "Airport", "循环": "Circular", "转型": "Transformation"}


def _zone_name_en(name: str, place_en: dict[str, str]) -> str:
    """English of a development zone's name; ``place_en`` gives the English of region names and short names."""
    head, kind = name, ""
    for zh, en in (*_ZONE_KINDS_EN, ("区", "District")):
        if name.endswith(zh) and len(name) > len(zh):
            head, kind = name[: -len(zh)], en
            break
    words = {**place_en, **_ZONE_WORDS_EN}
    longest = max(map(len, words))
    out: list[str] = []
    run = ""  # characters that are no known place or word: one pinyin word
    i = 0
    while i < len(head):
        # places only lead the name (河北唐山芦台), each leaving a name of two characters or more behind it
        # (五台山 stays Wutaishan, 回龙圩 Huilongwei)
        hit = next((head[i:j] for j in range(min(len(head), i + longest), i + 1, -1) if head[i:j] in words
                    and (head[i:j] in _ZONE_WORDS_EN or (not run and len(head) - j != 1))), None)
        if hit is None:
            run += head[i]
            i += 1
            continue
        if run:
            out.append(_pinyin_name(run))
            run = ""
        if words[hit] not in out[-1:]:  # 吉林 the province then 吉林 the city: once
            out.append(words[hit])
        i += len(hit)
    if run:
        out.append(_pinyin_name(run))
    return " ".join(out + [kind]).strip() or _pinyin_name(name)


@lru_cache(maxsize=4)
def _names_en(path: str) -> tuple[dict[str, str], dict[str, str]]:
    data = read_yaml(path, "英文地名表", "English region names file") or {}
    return ({str(k): str(v) for k, v in (data.get("names") or {}).items()},
            {str(k): str(v) for k, v in (data.get("aliases") or {}).items()})


def english_names() -> dict[str, str]:
    """Customary English names (code → name) that replace pinyin."""
    return _names_en(str(NAMES_EN_PATH))[0]


def english_aliases() -> dict[str, str]:
    """Further English spellings accepted by the parser (name → code)."""
    return _names_en(str(NAMES_EN_PATH))[1]


def base_rows() -> list[dict]:
    """Rows of the cpca division table, one per 6-digit code (placeholders such as 市辖区 dropped)."""
    text = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    rows: dict[str, dict] = {}
    for rec in csv.DictReader(io.StringIO(text)):
        code = rec["adcode"][:6]
        name = rec["name"].strip()
        if name in PLACEHOLDER_NAMES or code in rows:
            continue
        rows[code] = {
            "code": code,
            "name": name,
            "lng": float(rec["longitude"]) if rec["longitude"] else None,
            "lat": float(rec["latitude"]) if rec["latitude"] else None,
        }
    return list(rows.values())


@dataclass(frozen=True)
class Change:
    """One entry of the override table."""

    change: str  # recoded | added | zone | abolished | renamed | coordinates | place
    code: str
    name: str
    old: str | None = None
    old_name: str | None = None
    successor: str | None = None
    parent: str | None = None
    source: str | None = None  # code whose coordinates a new code inherits
    lng: float | None = None
    lat: float | None = None
    year: int | None = None


_CHANGE_KINDS = {"recoded", "added", "zone", "abolished", "renamed", "coordinates", "place"}
_CODE_RE = re.compile(r"^\d{6}$")


def load_overrides(path: str | Path | None = None) -> list[Change]:
    """Read and validate the override table (default: the one shipped in the package)."""
    p = Path(path) if path else OVERRIDES_PATH
    data = read_yaml(p, "区划变更表", "region change table")
    if not isinstance(data, dict) or not isinstance(data.get("changes"), list):
        raise UserError(f"区划变更表 {p} 缺少 changes 列表", f"region change table {p} has no changes list")
    out: list[Change] = []
    for i, e in enumerate(data["changes"], 1):
        if not isinstance(e, dict) or e.get("change") not in _CHANGE_KINDS:
            raise UserError(f"区划变更表 {p} 第 {i} 条：change 必须是 {sorted(_CHANGE_KINDS)} 之一：{e}", f"region change table {p}, entry {i}: change must be one of {sorted(_CHANGE_KINDS)}: {e}")
        codes = [str(e[k]) for k in ("code", "old", "successor", "parent", "from") if e.get(k) is not None]
        if "code" not in e or "name" not in e or not all(_CODE_RE.match(c) for c in codes):
            raise UserError(f"区划变更表 {p} 第 {i} 条：需要 6 位代码 code 和名称 name：{e}", f"region change table {p}, entry {i}: a 6-digit code and a name are needed: {e}")
        out.append(Change(
            change=e["change"], code=str(e["code"]), name=str(e["name"]),
            old=str(e["old"]) if e.get("old") else None, old_name=e.get("old_name"),
            successor=str(e["successor"]) if e.get("successor") else None,
            parent=str(e["parent"]) if e.get("parent") else None,
            source=str(e["from"]) if e.get("from") else None,
            lng=e.get("lng"), lat=e.get("lat"), year=e.get("year"),
        ))
    return out


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    name_en: str
    level: str
    parent_code: str | None
    province_code: str
    city_code: str | None
    lng: float | None
    lat: float | None
    zone: bool = False  # a statistical functional-area code (development zone), not a GB/T 2260 division

    def as_row(self) -> list:
        return [self.code, self.name, self.short_name, self.name_en, self.level, self.parent_code,
                self.province_code, self.city_code, self.lng, self.lat]


@dataclass(frozen=True)
class FormerName:
    """A name that is no longer current, and the current code it maps to."""

    name: str
    old_code: str
    successor: str
    year: int | None


@lru_cache(maxsize=1)
def _build() -> tuple[tuple[Region, ...], tuple[FormerName, ...]]:
    """The table, read from the user's cache when its inputs are unchanged: building it reads the division
    table and spells 3,300 names in pinyin, about a second of every command's start-up."""
    try:
        path = _cache_path()
    except Exception:  # no home folder, package metadata missing: build it in memory
        return _compute()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Region(*r) for r in doc["regions"]), tuple(FormerName(*f) for f in doc["former"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    regions, former = _compute()
    try:  # written under a unique name and renamed: concurrent commands never read half a file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"regions": [astuple(r) for r in regions], "former": [astuple(f) for f in former]},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:  # a read-only home: the table is simply built each time
        pass
    return regions, former


@lru_cache(maxsize=1)
def table_key() -> str:
    """A hash of everything the table is built from — this module, the override and English-name files, the cpca
    and pypinyin versions: it names the user's cache file and stamps the copy a database holds (``Store``)."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for f in (Path(__file__), OVERRIDES_PATH, NAMES_EN_PATH):
        h.update(f.read_bytes())
    h.update(f"{version('cpca')} {version('pypinyin')}".encode())
    return h.hexdigest()[:20]


def _cache_path() -> Path:
    """``$XDG_CACHE_HOME/zhaoshang/regions-<key>.json`` (default ``~/.cache``)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "zhaoshang" / f"regions-{table_key()}.json"


def _compute() -> tuple[tuple[Region, ...], tuple[FormerName, ...]]:
    base = {r["code"]: r for r in base_rows()}
    coords = {c: (r["lng"], r["lat"]) for c, r in base.items()}
    cur: dict[str, dict] = {c: {"name": r["name"], "zone": False} for c, r in base.items()}
    former: list[FormerName] = []
    changes = load_overrides()
    pending_coords: list[Change] = []
    for ch in changes:
        if ch.change == "place":  # a named place is no division: the parser reads it (``named_places``)
            continue
        if ch.change == "renamed":
            cur[ch.code]["name"] = ch.name
            former.append(FormerName(ch.old_name or "", ch.code, ch.code, ch.year))
        elif ch.change == "abolished":
            cur.pop(ch.code, None)
            former.append(FormerName(ch.name, ch.code, ch.successor or "", ch.year))
        elif ch.change == "coordinates":
            coords[ch.code] = (float(ch.lng), float(ch.lat))
        elif ch.change == "recoded":
            cur.pop(ch.old, None)
            cur[ch.code] = {"name": ch.name, "zone": False, "parent": ch.parent}
            if ch.lng is not None and ch.lat is not None:
                coords[ch.code] = (float(ch.lng), float(ch.lat))
            else:  # the old code's, or — recoded before the base table, which has only the new code — its own
                coords[ch.code] = coords.get(ch.old) or coords.get(ch.code, (None, None))
            former.append(FormerName(ch.old_name or ch.name, ch.old or "", ch.code, ch.year))
        else:  # added | zone
            cur[ch.code] = {"name": ch.name, "zone": ch.change == "zone", "parent": ch.parent}
            pending_coords.append(ch)
    for ch in pending_coords:
        if ch.lng is not None and ch.lat is not None:
            coords[ch.code] = (float(ch.lng), float(ch.lat))
        elif ch.source and ch.source in coords:
            coords[ch.code] = coords[ch.source]
        else:
            coords[ch.code] = coords.get(_hierarchy(ch.code)[1] or "", (None, None))
    for prov, name in MUNICIPALITIES.items():
        city = prov[:2] + "0100"
        cur[city] = {"name": name, "zone": False}
        coords[city] = coords.get(prov, (None, None))

    en = english_names()
    regions: list[Region] = []
    for code in sorted(cur):
        info = cur[code]
        lvl, parent, city = _hierarchy(code)
        if info.get("parent"):
            parent = info["parent"]
        short = short_name(info["name"], lvl, info["zone"])
        if code in en:
            name_en = en[code]
        elif lvl == "city" and province_of(code) in MUNICIPALITIES:
            name_en = en.get(province_of(code)) or _pinyin_name(short)
        else:
            name_en = "" if info["zone"] else _pinyin_name(short)
        lng, lat = coords.get(code, (None, None))
        regions.append(Region(code, info["name"], short, name_en, lvl, parent, province_of(code), city,
                              lng, lat, info["zone"]))
    # the zones last: their names are made of the divisions' names (the province's and city's first)
    place_en: dict[str, str] = {}
    for r in sorted((r for r in regions if not r.zone), key=lambda r: ("province", "city", "district").index(r.level)):
        for key in (r.name, r.short_name):
            if len(key) >= 2:
                place_en.setdefault(key, r.name_en)
    regions = [replace(r, name_en=_zone_name_en(r.name, place_en)) if r.zone and not r.name_en else r
               for r in regions]
    return tuple(regions), tuple(former)


@lru_cache(maxsize=1)
def named_places() -> tuple[tuple[str, str], ...]:
    """(name, code): places that are no division but that addresses name — development zones and new areas without a
    statistical code, forestry bureaus, a bay — each read as the smallest region holding it (洋浦经济开发区 in 儋州市,
    沣东新城 in 陕西, 苇河林业局 in 尚志市), so that no division's name inside it is read instead (沣东新城's 新城)."""
    return tuple((ch.name, ch.code) for ch in load_overrides() if ch.change == "place")


def build_regions() -> list[Region]:
    """The current reference table (cached)."""
    return list(_build()[0])


def former_names() -> list[FormerName]:
    """Names of abolished, recoded or renamed units, each with the current code it maps to."""
    return list(_build()[1])


@lru_cache(maxsize=1)
def table_regions() -> MappingProxyType[str, Region]:
    """Code → region of the current table (cached): whether a code is one of its regions, and its names, where no
    database is at hand (a boundary file's features, the macro-region file's members)."""
    return MappingProxyType({r.code: r for r in build_regions()})


@lru_cache(maxsize=1)
def recoded_codes() -> MappingProxyType[str, str]:
    """Former code → the current code of a region whose code changed one for one (the change table's ``recoded``:
    那曲地区 542400 → 那曲市 540600), followed to the code of the table now; an abolished code, merged into another
    region, is none."""
    moves = {ch.old: ch.code for ch in load_overrides() if ch.change == "recoded" and ch.old and ch.old != ch.code}
    out = {}
    for old, code in moves.items():
        seen = {old}
        while code in moves and code not in seen:
            seen.add(code)
            code = moves[code]
        if code in table_regions() and old not in table_regions():
            out[old] = code
    return MappingProxyType(out)


@lru_cache(maxsize=1)
def merged_codes() -> MappingProxyType[str, str]:
    """Former code → the current region of the same level that holds what it became, for a region abolished into
    another (the change table's ``abolished``: 莱芜市 371200, whose successor 莱芜区 lies in 济南市 → 370100): a boundary
    file's shape under the former code is part of that region's today."""
    out = {}
    for ch in load_overrides():
        if ch.change != "abolished" or not ch.successor or ch.code in table_regions():
            continue
        code = recoded_codes().get(ch.successor, ch.successor)
        owner = {"province": province_of(code), "city": city_of(code)}.get(level_of(ch.code), code)
        if owner in table_regions() and level_of(owner) == level_of(ch.code):
            out[ch.code] = owner
    return MappingProxyType(out)


def code_named(name: str, within: str) -> str | None:
    """The code of the one region of the table inside ``within`` whose full name is ``name`` (a boundary file's
    feature that has its name but no code: the packaged 上海's 崇明区), None when no region or several have it."""
    found = [r.code for r in table_regions().values() if r.name == name and not r.zone and r.code != within and lies_in(r.code, within)]
    return found[0] if len(found) == 1 else None


def load_regions_into(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the ``regions`` table, or bring a database's copy to this table (names, English names, coordinates, codes
    added); a code the table no longer has stays, as enterprises of the database may still be placed on it. Returns
    the number of rows."""
    import pyarrow as pa

    rows = build_regions()
    cols = ["code", "name", "short_name", "name_en", "level", "parent_code", "province_code", "city_code", "lng", "lat"]
    values = list(zip(*(r.as_row() for r in rows)))
    table = pa.table({c: pa.array(v, type=pa.float64() if c in ("lng", "lat") else pa.string())
                      for c, v in zip(cols, values)})
    regions_load = table  # noqa: F841 — read by DuckDB's replacement scan below
    # an UPDATE of the rows there and an INSERT of the new codes, not an upsert: with INSERT … ON CONFLICT DO UPDATE
    # here, in the transaction that makes a new database, the next process's delta import found none of its source's
    # earlier keys in about half the runs (tests/test_import_scale.py; DuckDB 2.0.1, cause not found), never so with these
    con.execute(f"UPDATE regions r SET {', '.join(f'{c} = l.{c}' for c in cols[1:])} FROM regions_load l "
                "WHERE l.code = r.code")
    con.execute(f"INSERT INTO regions ({', '.join(cols)}) SELECT {', '.join(cols)} FROM regions_load l "
                "WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = l.code)")
    return len(rows)
