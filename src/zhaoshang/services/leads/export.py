"""Leads to a file (CSV or XLSX) through the one writer (``core.writers``): one row per lead, reasons joined, with
the region and segment codes that ``pipeline import`` reads."""

from __future__ import annotations

import duckdb

from ...core.writers import export_query

HEADERS = {"rank": ("排名", "Rank"), "enterprise_id": ("企业编号", "Enterprise ID"), "name": ("企业名称", "Name"),
           "uscc": ("统一社会信用代码", "Credit code"), "segment_name": ("环节", "Segment"), "score": ("线索得分", "Score"),
           "confidence": ("置信度", "Confidence"), "reasons": ("理由", "Reasons"),
           # the pipeline's import reads these two: a leads sheet, trimmed by hand, imports as pipeline leads
           "region_code": ("地区代码", "Region code"), "node": ("产业链环节", "Segment code")}


def write_leads(doc: dict, path: str, lang: str = "zh") -> int:
    """Write ``mine_leads``' leads to ``path`` (format from the suffix); returns the number of rows."""
    import pyarrow as pa

    en = lang == "en"
    sep = "; " if en else "；"
    cols = {}
    for key, (zh, e) in HEADERS.items():
        vals = [sep.join(r["reasons"]) if key == "reasons" else doc["region"]["code"] if key == "region_code" else r.get(key)
                for r in doc["leads"]]
        cols[e if en else zh] = pa.array([None if v is None else str(v) for v in vals], pa.string()) \
            if key in ("name", "uscc", "segment_name", "reasons", "region_code", "node") else pa.array(vals)
    con = duckdb.connect()
    try:
        con.register("zs_leads", pa.table(cols))
        return export_query(con, "SELECT * FROM zs_leads", path, lang=lang)
    finally:
        con.close()
