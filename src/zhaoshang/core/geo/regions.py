"""GB/T 2260 regions: the reference table of provinces, cities and districts.

Base data: the division table shipped inside the ``cpca`` package (pre-2021 vintage), brought up to
date by the override table ``data/region_overrides.yaml`` (our own list of later changes).
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import duckdb

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


def base_rows() -> list[dict]:
    """Rows of the cpca division table, one per 6-digit code (placeholders such as 市辖区 dropped)."""
    text = resources.files("cpca.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    rows: dict[str, dict] = {}
    for rec in csv.DictReader(io.StringIO(text)):
        code = rec["adcode"][:6]
        name = rec["name"].strip()
        if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") or code in rows:
            continue
        lvl = _level(code)
        prov = code[:2] + "0000"
        city = code[:4] + "00" if lvl == "district" else (code if lvl == "city" else None)
        parent = None if lvl == "province" else (prov if lvl == "city" else city)
        rows[code] = {
            "code": code,
            "name": name,
            "level": lvl,
            "parent_code": parent,
            "province_code": prov,
            "city_code": city,
            "lng": float(rec["longitude"]) if rec["longitude"] else None,
            "lat": float(rec["latitude"]) if rec["latitude"] else None,
        }
    return list(rows.values())


def load_regions_into(con: duckdb.DuckDBPyConnection) -> int:
    """Fill the ``regions`` table; returns the number of rows."""
    rows = base_rows()
    con.executemany(
        "INSERT INTO regions (code, name, level, parent_code, province_code, city_code, lng, lat) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[r["code"], r["name"], r["level"], r["parent_code"], r["province_code"], r["city_code"], r["lng"], r["lat"]] for r in rows],
    )
    return len(rows)
