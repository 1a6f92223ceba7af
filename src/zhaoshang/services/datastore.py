"""What is in the database: status summary and exports of every kind (shared by CLI and API)."""

from __future__ import annotations

from pathlib import Path

from ..core.asof import CREDITED_IMPORTS, UNDATED_IMPORTS
from ..core.errors import UserError
from ..core.parse.dates import day_sql, utc_text_sql
from ..core.schema import FACT_TABLES
from ..core.store import Store

# the label of a synthetic demo store's data, in each language as the pages say it: a file in one language (a
# list's export, the region report) carries it in that language alone; SYNTHETIC_LABEL, both, is for what has no
# language (the JSON answers, the raw data files of ``zhaoshang export``)
SYNTHETIC_LABELS = {"zh": "合成演示数据", "en": "synthetic demo data"}
SYNTHETIC_LABEL = f"{SYNTHETIC_LABELS['zh']} ({SYNTHETIC_LABELS['en']})"


def synthetic_label(lang: str = "zh") -> str:
    """The synthetic-data label in ``lang`` (zh / en): 合成演示数据, synthetic demo data."""
    return SYNTHETIC_LABELS["en" if lang == "en" else "zh"]


# the imports a demo database holds that the demo did not make (``imports.synthetic`` false): real data beside it;
# only those its data rest on (``CREDITED_IMPORTS``, as the sources credited): a list whose every row was rejected
# holds nothing to name
_IMPORTED = f"SELECT DISTINCT source FROM imports WHERE NOT coalesce(synthetic, FALSE) AND id IN ({CREDITED_IMPORTS})"


def imported_sources(store: Store) -> list[str]:
    """The sources imported into a demo database beside the demo's own (its data is then not all fictional);
    none for a database that is no demo."""
    if not store.synthetic:
        return []
    return [r[0] for r in store.con.execute(f"{_IMPORTED} ORDER BY source").fetchall()]


def demo_row_sql(source: str = "e.source") -> str:
    """SQL true on a row of a demo database that is the demo's — its ``source`` is none of the imported ones: the
    one rule of ``enterprise_synthetic``, for the exports that label each row."""
    return f"coalesce({source}, '') NOT IN ({_IMPORTED})"


def enterprise_synthetic(store: Store, enterprise_id: int) -> bool:
    """True when the enterprise of a demo database is one of the demo's — its source is none of the imported ones
    (``imported_sources``): the synthetic label belongs to it, not to a real company imported into the database."""
    return enterprise_id in synthetic_enterprises(store, [enterprise_id])


def synthetic_enterprises(store: Store, ids) -> set[int]:
    """The enterprises among ``ids`` that are the demo's (``enterprise_synthetic`` of a list at once); none for a
    database that is no demo."""
    ids = sorted({int(i) for i in ids if i is not None})
    if not store.synthetic or not ids:
        return set()
    rows = store.con.execute(f"SELECT e.id FROM enterprises e WHERE e.id IN (SELECT unnest(?::BIGINT[])) "
                             f"AND {demo_row_sql()}", [ids]).fetchall()
    return {r[0] for r in rows}


def data_label_sql(store: Store, source: str = "e.source", lang: str | None = "zh") -> str | None:
    """The 数据说明 cell of an export's row whose source is ``source``: the synthetic label (``lang``; None: both, as
    ``SYNTHETIC_LABEL``) on the demo's rows, empty on data imported beside them; None (no such column) for a
    database that is no demo."""
    if not store.synthetic:
        return None
    text = SYNTHETIC_LABEL if lang is None else synthetic_label(lang)
    return f"CASE WHEN {demo_row_sql(source)} THEN '{text}' END"


def data_note(store: Store, lang: str = "zh", *, short: bool = False) -> str | None:
    """What a demo database's data is, the one sentence of every interface (the CLI's note, the pages' label and
    footer): synthetic and fictional; or, once real data is imported into it, synthetic demo data mixed with data
    imported from its sources. ``short``: the label's words. None for a database that is no demo."""
    if not store.synthetic:
        return None
    en = lang == "en"
    imported = imported_sources(store)
    if not imported:
        if short:
            return synthetic_label(lang)
        return "This database holds synthetic, fictional data for demonstration only." if en \
            else "本库为合成的虚构数据，企业与人物均为虚构，仅供演示。"
    names = (", " if en else "、").join(imported)
    if short:
        return f"synthetic demo data mixed with imported data from {names}" if en else f"合成演示数据与导入数据（{names}）混合"
    return (f"This database mixes synthetic demo data (fictional enterprises and people, for demonstration only) with "
            f"data imported from {names}, which is not fictional." if en
            else f"本库混合了合成演示数据（虚构的企业与人物，仅供演示）与导入的数据（来源：{names}），后者并非虚构。")


def data_notes(store: Store) -> dict:
    """The database's label and sentence in each language (``data_note``: the demo, or the demo mixed with imported
    data) with the imported sources: what the pages' meta and the region report carry."""
    return {"imported_sources": imported_sources(store),
            "data_label": {lang: data_note(store, lang, short=True) for lang in ("zh", "en")},
            "data_note": {lang: data_note(store, lang) for lang in ("zh", "en")}}


# kind → SELECT producing the export columns
EXPORTS: dict[str, str] = {
    "enterprises": """
        SELECT e.id, e.name, e.uscc,
               (SELECT string_agg(a.alias, '、' ORDER BY a.alias) FROM enterprise_aliases a WHERE a.enterprise_id = e.id) AS aliases,
               e.province_code, e.city_code, e.district_code,
               (SELECT name FROM regions r WHERE r.code = coalesce(e.district_code, e.city_code, e.province_code)) AS region_name,
               e.country, e.address, e.founded, e.founded_precision, e.dissolved, e.status, e.capital_wan, e.legal_form, e.industry,
               e.legal_rep, e.listed_code, e.website, array_to_string(e.tags, '、') AS tags, e.scope, e.description,
               e.source
        FROM enterprises e ORDER BY e.id""",
    "persons": "SELECT * FROM persons ORDER BY id",
    "roles": "SELECT * FROM roles ORDER BY id",
    "shareholdings": "SELECT * FROM shareholdings ORDER BY id",
    "branches": "SELECT * FROM branches ORDER BY id",
    "investors": "SELECT * FROM investors ORDER BY id",
    "fundings": "SELECT * FROM fundings ORDER BY id",
    "patents": """SELECT id, number, application_number, title, abstract, type, applied, published, granted, status,
                  array_to_string(ipc, ';') AS ipc, main_ipc, applicants_text, inventors_text, source FROM patents ORDER BY id""",
    # a news item's publication is a day (``dates.day_sql``), written as the day, not as a timestamp at midnight
    "news": f"SELECT * REPLACE ({day_sql('published')} AS published) FROM news ORDER BY id",
    "events": "SELECT * FROM events ORDER BY id",
    "demands": "SELECT * FROM demands ORDER BY id",
    "contacts": "SELECT * FROM contacts ORDER BY id",
    # the stored columns, with the enterprise's name and credit code and the node's Chinese and English names beside
    # the codes (a reviewer reads them without joining by hand), and the placement's reading in both languages (the
    # sentence the profile and `show` give: ``zs_reading``, registered by ``export_kind``)
    # a stored moment (classified_at, a record's imported_at) under its field's name: UTC with its zone, as the JSON
    # gives it (``dates.utc_text_sql``), not the server's clock bare
    "placements": f"""
        SELECT p.enterprise_id, e.name AS enterprise_name, e.uscc AS enterprise_uscc, p.chain, p.node_code,
               n.name_zh AS node_name_zh, n.name_en AS node_name_en, p.confidence,
               zs_reading(CAST(p.evidence AS VARCHAR), 'zh') AS reading_zh, zs_reading(CAST(p.evidence AS VARCHAR), 'en') AS reading_en,
               p.evidence, p.method, {utc_text_sql("p.classified_at")} AS classified_at
        FROM placements p LEFT JOIN enterprises e ON e.id = p.enterprise_id
        LEFT JOIN chain_nodes n ON n.chain = p.chain AND n.code = p.node_code
        ORDER BY p.enterprise_id, p.node_code""",
    "aliases": "SELECT * FROM enterprise_aliases ORDER BY enterprise_id, alias",
    "product_lines": "SELECT * FROM product_lines ORDER BY enterprise_id, source, line_no",
    "history": "SELECT * FROM enterprise_history ORDER BY enterprise_id, changed_on",
    "records": f"SELECT * REPLACE ({utc_text_sql('imported_at')} AS imported_at) FROM enterprise_records ORDER BY record_id",
}


# exports that hold personal data (names with roles or holdings, contact fields): each one is audited
PERSONAL_KINDS = frozenset({"persons", "roles", "shareholdings", "contacts", "demands"})


# an import told its file lists only part of its source (``import --partial``): it marked no key absent
PARTIAL = "coalesce(json_extract_string(options, '$.scope'), '') = 'partial'"


def status_summary(store: Store) -> dict:
    con = store.con
    tables = [{"table": t, "rows": con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]} for t in FACT_TABLES]
    sources = store.query("""
        SELECT source, kind, count(*) AS imports, count(*) FILTER (WHERE {PARTIAL}) AS partial_imports,
               sum(rows_read) AS rows_read, sum(rows_imported) AS rows_imported, sum(rows_updated) AS rows_updated,
               max(finished_at) AS last_import
        FROM imports GROUP BY ALL ORDER BY last_import DESC""".replace("{PARTIAL}", PARTIAL))
    # data_date_given: the import was given its data date (--data-date); else data_date is only the import day
    last = store.query(f"SELECT * EXCLUDE (options), {PARTIAL} AS partial, id NOT IN ({UNDATED_IMPORTS}) AS data_date_given "
                       "FROM imports ORDER BY id DESC LIMIT 1")
    return {
        "db": store.path,
        "synthetic": store.synthetic,
        "label": SYNTHETIC_LABEL if store.synthetic else None,
        "imported_sources": imported_sources(store),  # real data beside the demo's
        "tables": tables,
        "sources": sources,
        "last_import": last[0] if last else None,
    }


def recent_imports(store: Store, limit: int = 20) -> list[dict]:
    """The latest imports, however made (the command line, an upload, the demo): what the 数据更新 page lists beside
    its own upload jobs. Files by their names only (never a path on the server); ``data_date_given`` as in
    ``status_summary``; ``partial`` an enterprise list told to list only part of its source."""
    rows = store.query(f"""SELECT id, kind, source, files, data_date, id NOT IN ({UNDATED_IMPORTS}) AS data_date_given,
                                  finished_at, rows_read, rows_imported, rows_updated, rows_duplicate, rows_rejected,
                                  {PARTIAL} AS partial
                           FROM imports ORDER BY id DESC LIMIT ?""", [int(limit)])
    return [{**r, "files": [Path(f).name for f in (r["files"] or [])]} for r in rows]


def export_kind(store: Store, kind: str, output: str | Path, lang: str = "zh") -> int:
    """Write one table to ``output`` (format by its suffix); ``lang``: the language of the file's own words (an
    XLSX's sheet name)."""
    from ..core.writers import export_query

    if kind not in EXPORTS:
        raise UserError(f"未知的导出类型: {kind}（可选: {', '.join(EXPORTS)}）",
                        f"unknown export kind: {kind} (choose {', '.join(EXPORTS)})")
    sql = EXPORTS[kind]
    if kind == "placements":
        _register_reading(store.con)
    # each row labelled by its own source, a placement by its enterprise's: real data imported beside the demo's is
    # no synthetic data
    label = data_label_sql(store, "(SELECT s.source FROM enterprises s WHERE s.id = x.enterprise_id)"
                           if kind == "placements" else "x.source", None)
    if label:
        sql = f"SELECT x.*, {label} AS data_label FROM ({sql}) x"
    return export_query(store.con, sql, output, lang=lang)


def _register_reading(con) -> None:
    """``zs_reading(evidence, lang)``: an explained result's one reading (``core.explain.reading``) inside SQL."""
    from ..core import explain
    from .chain import reading as _readers  # noqa: F401  (registers the chain methods' readers)

    try:
        con.remove_function("zs_reading")
    except Exception:  # not registered yet on this connection
        pass
    con.create_function("zs_reading", lambda ev, lang: explain.reading(ev, lang) if ev else None,
                        ["VARCHAR", "VARCHAR"], "VARCHAR", null_handling="special")
