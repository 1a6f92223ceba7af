"""Reference data the pages and their JSON twins show around an answer: what the database holds (sources,
synthetic label, thresholds) and the region lists behind pickers and breadcrumbs."""

from __future__ import annotations

from ..core.asof import CREDITED_IMPORTS, UNDATED_IMPORTS, reference_date
from ..core.errors import NotFound
from ..core.geo.regions import CAPITAL, MUNICIPALITIES
from .datastore import data_notes
from .regions import matrix

# municipalities: their one city level is skipped in breadcrumbs and drill-downs
LEVEL_CHILD = {"nation": "province", "province": "city", "city": "district"}
REGION_COLUMNS = "code, name, name_en"


def sources(store) -> list[dict]:
    """The imports behind the data: source, kinds, latest data date, rows new (``rows``), read and updated (from
    the ``imports`` log: a list whose rows all matched known enterprises is read and updated, not 0). The data
    date is the latest one given (``--data-date``): an import given none speaks of no date (``UNDATED_IMPORTS``,
    as for the reference date), so a source imported only so reads None, not its import day. ``by_kind``: the same
    for each kind of the source, with its own data date (a company list re-imported later than the source's
    fundings does not date the fundings). ``rows_read`` counts each file once: the same file imported again (by
    its content hash) is read again, but holds no more rows (a 53,779-row file imported twice read 107,558).

    Only the imports the data rest on count (``CREDITED_IMPORTS``, the imports whose data dates the reference date
    reads): a source (or a kind of it) whose imports added and updated nothing — a file whose every row was
    rejected — holds none of the data and is left out, as is such an import of a source that did add rows (it dates
    nothing): a page's footer and a report credit the sources the data rest on; every import, empty ones too, is in
    ``zhaoshang status``. Its later imports that changed nothing (an export re-imported unchanged with a newer
    ``--data-date``) still date a source that did add rows."""
    def query(group: str) -> list[dict]:
        return store.query(
            f"""WITH undated AS ({UNDATED_IMPORTS}),
               i AS (SELECT imports.*, row_number() OVER (PARTITION BY imports.source, imports.kind,
                                                          coalesce(file_sha256, CAST(id AS VARCHAR))
                                                          ORDER BY id) = 1 AS first_of_file
                     FROM imports WHERE id IN ({CREDITED_IMPORTS}))
               SELECT source, string_agg(DISTINCT kind, ',' ORDER BY kind) AS kinds,
                      max(data_date) FILTER (WHERE id NOT IN (SELECT id FROM undated)) AS data_date,
                      max(finished_at) AS imported_at, sum(rows_imported) AS rows,
                      coalesce(sum(rows_read) FILTER (WHERE first_of_file), 0) AS rows_read,
                      sum(rows_updated) AS rows_updated
               FROM i GROUP BY {group} ORDER BY {group}""")

    rows = query("source")
    if not rows and not store.query("SELECT 1 AS x FROM imports LIMIT 1"):  # no import log: the rows' own sources
        rows = store.query("SELECT source, 'enterprises' AS kinds, NULL AS data_date, NULL AS imported_at, "
                           "count(*) AS rows, count(*) AS rows_read, 0 AS rows_updated FROM enterprises "
                           "GROUP BY source ORDER BY source")
    by_kind: dict[str, list[dict]] = {}
    for r in query("source, kind") if rows and rows[0]["imported_at"] is not None else []:
        by_kind.setdefault(r["source"], []).append(_counted(r))
    return [{**_counted(r), "by_kind": by_kind.get(r["source"]) or [_counted(r)]} for r in rows]


def _counted(r: dict) -> dict:
    return {**r, "rows": int(r["rows"] or 0), "rows_read": int(r["rows_read"] or 0),
            "rows_updated": int(r["rows_updated"] or 0)}


def database_meta(store) -> dict:
    """Sources with their kinds, data dates and row counts; the synthetic flag; the default chain; thresholds;
    the reference date every view answers for without a date (``as_of``)."""
    return {"synthetic": store.synthetic, **data_notes(store),
            "sources": sources(store), "chain": matrix.default_chain(store),
            "as_of": reference_date(store).isoformat(),
            "thresholds": {"strong_lq": matrix.STRONG_LQ, "weak_lq": matrix.WEAK_LQ, "min_strong": matrix.MIN_STRONG}}


def regions_at(store, level: str, *, province: str | None = None, city: str | None = None) -> list[dict]:
    """Regions of one level (code, name, name_en), optionally within a province or a city, by code."""
    where, params = ["level = ?"], [level]
    if province:
        where.append("province_code = ?")
        params.append(province)
    if city:
        where.append("city_code = ?")
        params.append(city)
    return store.query(f"SELECT {REGION_COLUMNS} FROM regions WHERE {' AND '.join(where)} ORDER BY code", params)


def region_children(store, parent: str | None = None, level: str | None = None) -> list[dict]:
    """The regions under ``parent`` (or of ``level``; provinces when neither is given), with coordinates."""
    where, params = [], []
    if parent:
        where.append("parent_code = ?")
        params.append(parent)
    elif not level:
        where.append("level = 'province'")
    if level:
        where.append("level = ?")
        params.append(level)
    return store.query(f"SELECT code, name, name_en, level, parent_code, lng, lat FROM regions "
                       f"WHERE {' AND '.join(where)} ORDER BY code", params)


def region_info(store, code: str | None, required: bool = False) -> dict | None:
    """One region or macro-region by code, name, path or macro name (the region service, ``core.geo.lookup``):
    ``AmbiguousRegion`` with candidates, ``RegionNotFound`` with suggestions; None when not given, unless one is
    ``required`` (a URL path's region: refused in words)."""
    from ..core.geo.lookup import region_info as resolve

    return resolve(store, code, required=required)


def breadcrumb(store, code: str | None) -> list[dict]:
    """The path from the province down to ``code`` (a municipality's city level left out)."""
    out = []
    while code:
        r = store.query("SELECT code, name, name_en, level, parent_code FROM regions WHERE code = ?", [code])
        if not r:
            break
        r = r[0]
        if not (r["level"] == "city" and r["parent_code"] in MUNICIPALITIES):
            out.append(r)
        code = r["parent_code"]
    return list(reversed(out))


def child_level(info: dict) -> str | None:
    """The level a map drills into below ``info`` (a municipality goes straight to its districts)."""
    if info["level"] == "province" and info["code"] in MUNICIPALITIES:
        return "district"
    return LEVEL_CHILD.get(info["level"])


def picker(store, info: dict | None) -> dict:
    """The province / city / district choices around a selected region (for the region pickers)."""
    info = info or {}
    prov = info.get("province_code") or (info.get("code") if info.get("level") == "province" else None)
    city = info.get("city_code") or (info.get("code") if info.get("level") == "city" else None)
    return {"cities": regions_at(store, "city", province=prov) if prov else [],
            "districts": regions_at(store, "district", city=city) if city else [],
            "sel_province": prov, "sel_city": city}


def busiest_province(store) -> str | None:
    """The province with the most enterprises (the region page's default)."""
    row = store.query("SELECT province_code AS code FROM enterprises WHERE province_code IS NOT NULL "
                      "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
    return row[0]["code"] if row else None


def default_region(store) -> str:
    """The region a page opens on when none is asked for: the busiest province, else the capital (an empty library)."""
    return busiest_province(store) or CAPITAL


def region_coords(store, codes: list[str]) -> list[dict]:
    """English names and coordinates of the given regions (for charts placing them on a map)."""
    if not codes:
        return []
    return store.query(f"SELECT code, name_en, lng, lat FROM regions WHERE {store.dialect.list_contains('?', 'code')}",
                       [codes])
