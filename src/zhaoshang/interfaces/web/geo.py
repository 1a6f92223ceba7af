"""Boundary files for the map: the packaged ones (from the npm registry, copied into static/vendor/maps by
scripts/vendor_assets.sh) or user-supplied GeoJSON files (``serve --geojson FILE``), which take precedence.

Every feature served has ``properties.name`` = its 6-digit adcode (the key the map data uses) and
``properties.label`` = its name in the region table in the page's language (the file's own name for a code the table
does not have). A feature under a former code of a region whose code changed one for one (the packaged Tibet's
那曲地区 542400) is the current region's (那曲市 540600), and a packaged feature without a code is the region its name
names in the file's province (the packaged 上海's 崇明区) — unless the file has that region's own. The packaged files
use ECharts' compressed geometry encoding (``UTF8Encoding``), which the ECharts runtime decodes; user files are plain
GeoJSON.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ...core.geo.regions import (MUNICIPALITIES, city_of, code_named, is_city_unit, level_of, merged_codes, province_of,
                                  recoded_codes, table_regions)

VENDOR_MAPS = Path(__file__).parent / "static" / "vendor" / "maps"
NATIONAL = "100000"


def _feature_code(f: dict) -> str | None:
    p = f.get("properties") or {}
    for v in (p.get("adcode"), f.get("id"), p.get("id"), p.get("code")):
        if v is None:
            continue
        s = str(v)
        if len(s) == 6 and s.isdigit():
            return s
    return None


def _shape(geometry: dict | None) -> dict | None:
    """``geometry`` without its empty polygons (a polygon whose outer ring has no points: the packaged Tibet's coded
    山南市 is a ``Polygon`` with no coordinates), None when nothing is left to draw: a feature without a shape is no
    region of the map — the chart would have nothing to fill, and the report's chart nothing to project."""
    if not geometry:
        return None
    t, coords, offs = geometry.get("type"), geometry.get("coordinates") or [], geometry.get("encodeOffsets")
    if t == "Polygon":
        polys, offs = [coords], [offs] if offs else None
    elif t == "MultiPolygon":
        polys = coords
    else:
        return geometry
    keep = [i for i, poly in enumerate(polys) if poly and len(poly[0]) > 0]
    if not keep:
        return None
    if len(keep) == len(polys):
        return geometry
    out = {**geometry, "coordinates": [polys[i] for i in keep]}
    if offs:
        out["encodeOffsets"] = [offs[i] for i in keep]
    return out


def _norm(f: dict, code: str) -> dict | None:
    geometry = _shape(f.get("geometry"))
    if geometry is None:
        return None
    p = f.get("properties") or {}
    label = p.get("name") or p.get("label") or code
    props = {"name": code, "label": label, "adcode": code}
    cp = p.get("cp") or p.get("center") or p.get("centroid")
    if cp:
        props["cp"] = cp
    return {"type": "Feature", "id": code, "properties": props, "geometry": geometry}


def _joined(feat: dict, part: dict) -> dict:
    """``feat`` with ``part``'s polygons added to its own (a MultiPolygon; the encoded offsets alongside)."""
    def polys(g: dict) -> tuple[list, list | None]:
        if g["type"] == "Polygon":
            return [g["coordinates"]], [g["encodeOffsets"]] if g.get("encodeOffsets") else None
        return list(g["coordinates"]), g.get("encodeOffsets")

    (mine, my_offs), (theirs, their_offs) = polys(feat["geometry"]), polys(part["geometry"])
    geometry = {"type": "MultiPolygon", "coordinates": mine + theirs}
    if my_offs is not None and their_offs is not None:
        geometry["encodeOffsets"] = list(my_offs) + list(their_offs)
    return {**feat, "geometry": geometry}


def _keyed(features: Iterable[dict], within: str | None = None) -> list[dict]:
    """The features of a file that have a shape, each under the code of the region table it is drawn for: its own code,
    the current code of a former one (``recoded_codes``), or — without a code, in a province's file ``within`` — the
    code of the region its name names there; a region's own feature wins over one under its former code. The shape of
    a region abolished into another (莱芜市, in 济南市 since 2019: ``merged_codes``) is drawn as part of that one's."""
    recoded, merged, keyed, parts = recoded_codes(), merged_codes(), [], []
    for f in features:
        code = _feature_code(f)
        if code is None and within:
            code = code_named(str((f.get("properties") or {}).get("name") or ""), within)
        feat = _norm(f, recoded.get(code, code)) if code else None
        if feat is not None and feat["id"] in merged:
            parts.append(feat)
        elif feat is not None:
            keyed.append((code == feat["id"], feat))
    own = {feat["id"] for is_own, feat in keyed if is_own}
    out = [feat for is_own, feat in keyed if is_own or feat["id"] not in own]
    for part in parts:
        at = next((i for i, feat in enumerate(out) if feat["id"] == merged[part["id"]]), None)
        if at is not None:
            out[at] = _joined(out[at], part)
    return out


def _named(feats: list[dict], lang: str) -> list[dict]:
    """``feats`` labelled by the region table in ``lang`` (the English name where it has one)."""
    regions, out = table_regions(), []
    for f in feats:
        r = regions.get(f["id"])
        label = ((r.name_en or r.name) if lang == "en" else r.name) if r else f["properties"]["label"]
        out.append({**f, "properties": {**f["properties"], "label": label}})
    return out


def unshaped(view: str, level: str, feats: list[dict]) -> list[dict]:
    """The regions of a view drawn region by region that have no shape of their own among ``feats`` (a user's file
    that leaves a region out, or holds it as an empty polygon) — the one notion of "a region without a shape": the map
    lists them with their count beside it, the report's chart draws them as bubbles at their seat. Each with its
    code, names and seat (lng, lat) from the region table."""
    drawn = {f["id"] for f in feats}
    levels = {level_of(c) for c in drawn}
    if view == NATIONAL:
        inside = lambda r: r.level == "province"  # noqa: E731
    elif level == "province" and "city" in levels:  # its city-level units (石河子 and 济源 beside the cities)
        inside = lambda r: is_city_unit(r.code) and r.province_code == view  # noqa: E731
    elif level == "province":  # a municipality's districts
        inside = lambda r: r.level in levels and r.province_code == view  # noqa: E731
    else:
        inside = lambda r: r.level == "district" and r.city_code == view  # noqa: E731
    return [{"code": r.code, "name": r.name, "name_en": r.name_en, "lng": r.lng, "lat": r.lat}
            for r in table_regions().values() if not r.zone and inside(r) and r.code not in drawn]


class Boundaries:
    """Look up the features to draw for a view: the nation (provinces), a province (its cities, or the
    districts of a municipality) or a city (its districts; else its own outline with ``fallback=scatter``)."""

    def __init__(self, geojson: str | Iterable[str] | None = None):
        if isinstance(geojson, (str, Path)):
            paths = [p for p in str(geojson).split(",") if p]
        else:
            paths = list(geojson or [])
        self.user_paths = [Path(p) for p in paths]
        for p in self.user_paths:
            if not p.exists():
                from ...core.errors import UserError

                raise UserError(f"GeoJSON 文件不存在: {p}", f"GeoJSON file not found: {p}")
        self._user: dict[str, dict] | None = None

    # -- sources --------------------------------------------------------------------------------
    @property
    def user(self) -> dict[str, dict]:
        if self._user is None:
            feats: dict[str, dict] = {}
            for p in self.user_paths:
                doc = json.loads(p.read_text(encoding="utf-8"))
                for feat in _keyed(doc.get("features", [])):
                    feats[feat["id"]] = feat
            self._user = feats
        return self._user

    @staticmethod
    def vendor_available() -> bool:
        return (VENDOR_MAPS / "china.json").exists()

    @staticmethod
    @lru_cache(maxsize=64)
    def _vendor_file(name: str) -> dict | None:
        p = VENDOR_MAPS / name
        if not p.exists():
            return None
        return json.loads(p.read_text(encoding="utf-8"))

    @staticmethod
    @lru_cache(maxsize=1)
    def _province_files() -> dict[str, str]:
        """Province code → packaged file (found by the codes inside, not by the file name)."""
        out = {}
        d = VENDOR_MAPS / "province"
        if not d.exists():
            return out
        for p in sorted(d.glob("*.json")):
            doc = json.loads(p.read_text(encoding="utf-8"))
            codes = [c for c in (_feature_code(f) for f in doc.get("features", [])) if c]
            if codes:
                out[province_of(codes[0])] = "province/" + p.name
        return out

    def _vendor(self, view: str) -> tuple[list[dict], bool]:
        if view == NATIONAL:
            doc = self._vendor_file("china.json")
        else:
            name = self._province_files().get(province_of(view))
            doc = self._vendor_file(name) if name else None
        if not doc:
            return [], False
        feats = _keyed(doc.get("features", []), None if view == NATIONAL else province_of(view))
        return feats, bool(doc.get("UTF8Encoding"))

    # -- views ----------------------------------------------------------------------------------
    def view(self, code: str, lang: str = "zh") -> dict:
        """The FeatureCollection for ``code`` (``100000`` = the nation), its features named in ``lang``."""
        code = str(code)
        if code in ("china", "cn", "0", ""):
            code = NATIONAL
        lvl = "nation" if code == NATIONAL else level_of(code)
        if lvl == "city" and province_of(code) in MUNICIPALITIES:
            code, lvl = province_of(code), "province"

        def pick(feats: dict[str, dict]) -> list[dict]:
            if lvl == "nation":
                return [f for c, f in feats.items() if level_of(c) == "province"]
            if lvl == "province":
                cities = [f for c, f in feats.items() if province_of(c) == code and is_city_unit(c)]
                return cities or [f for c, f in feats.items() if province_of(c) == code and level_of(c) == "district"]
            if lvl == "city":
                return [f for c, f in feats.items() if level_of(c) == "district" and city_of(c) == code]
            return [f for c, f in feats.items() if c == code]

        source, encoded, fallback = "user", False, None
        feats = pick(self.user) if self.user_paths else []
        if not feats:
            source = "package"
            if lvl == "nation":
                feats, encoded = self._vendor(NATIONAL)
            elif lvl in ("province", "city", "district"):
                vf, encoded = self._vendor(code)
                feats = pick({f["id"]: f for f in vf})
                if lvl == "province" and not feats:
                    feats = vf
        if not feats and lvl in ("city", "district"):
            # no district boundaries: the city's (or district's) own outline; districts are drawn as bubbles
            outline_code = city_of(code)
            for src in ([self.user] if self.user_paths else []) + [None]:
                if src is None:
                    vf, encoded = self._vendor(outline_code)
                    src = {f["id"]: f for f in vf}
                    source = "package"
                else:
                    source, encoded = "user", False
                if outline_code in src:
                    feats = [src[outline_code]]
                    break
            if not feats and code in table_regions():
                # nor the city's own outline (no file holds it): its province's cities around it — for a city of the
                # region table only (an unknown code has no view: 404)
                around = self.view(province_of(code), lang)
                feats, source, encoded = around["features"], around["source"], bool(around.get("UTF8Encoding"))
            fallback = "scatter"
        doc = {"type": "FeatureCollection", "features": _named(feats, lang), "view": code, "level": lvl, "source": source,
               "fallback": fallback, "unshaped": [] if fallback else unshaped(code, lvl, feats)}
        if encoded:
            doc["UTF8Encoding"] = True
        return doc
