"""Leads to a file (CSV or XLSX) through the one writer (``core.writers``): one row per lead, reasons joined, with
the region and segment codes that ``pipeline import`` reads. Each row also says the region's name, the as-of date
and, for a synthetic store, the same 数据说明 label as the enterprise export (in the file's language) on the demo's
enterprises (not on a real company imported beside them), so the file reads alone;
an XLSX file also holds the list's notes on a second sheet, 说明 / Notes."""

from __future__ import annotations

import duckdb

from ...core.writers import export_query
from ..datastore import synthetic_label

# "环节" names the node whose code is "产业链环节" (the lead's own node, as the page shows it first); the gap or
# recommended segment it belongs to follows as its own code and name pair
HEADERS = {"rank": ("排名", "Rank"), "enterprise_id": ("企业编号", "Enterprise ID"), "name": ("企业名称", "Name"),
           "uscc": ("统一社会信用代码", "Credit code"), "node_name": ("环节", "Segment"), "score": ("线索得分", "Score"),
           "confidence": ("置信度", "Confidence"), "reasons": ("理由", "Reasons"),
           "segment": ("补链/推荐环节代码", "Gap/recommended segment code"),
           "segment_name": ("补链/推荐环节", "Gap/recommended segment"),
           "region_name": ("地区", "Region"), "as_of": ("截至", "As of"),
           # the pipeline's import reads these two: a leads sheet, trimmed by hand, imports as pipeline leads
           "region_code": ("地区代码", "Region code"), "node": ("产业链环节", "Segment code"),
           "data_label": ("数据说明", "Data label")}
TEXT = ("name", "uscc", "node_name", "reasons", "segment", "segment_name", "region_name", "region_code", "node",
        "data_label")


def write_leads(doc: dict, path: str, lang: str = "zh") -> int:
    """Write ``mine_leads``' leads to ``path`` (format from the suffix); returns the number of rows."""
    import pyarrow as pa

    en = lang == "en"
    sep = "; " if en else "；"
    region = doc["region"]
    same = {"region_code": region["code"], "region_name": region.get("label_en" if en else "label") or region["code"],
            "as_of": doc.get("as_of")}
    cols = {}
    for key, (zh, e) in HEADERS.items():
        if key == "data_label" and not doc.get("synthetic"):
            continue
        vals = [sep.join(r.get("location_notes", []) + r["reasons"]) if key == "reasons" else same[key] if key in same
                else (synthetic_label(lang) if r.get("synthetic") else None) if key == "data_label" else r.get(key)
                for r in doc["leads"]]
        cols[e if en else zh] = pa.array([None if v is None else str(v) for v in vals], pa.string()) \
            if key in TEXT else pa.array(vals)
    con = duckdb.connect()
    try:
        con.register("zs_leads", pa.table(cols))
        # the list's notes (enterprises of unknown location left out, ties ordered, reachability for the first N …),
        # as the page and the terminal say them: an XLSX's 说明 / Notes sheet, in the doc's language
        return export_query(con, "SELECT * FROM zs_leads", path, lang=lang, notes=list(doc.get("notes") or []))
    finally:
        con.close()
