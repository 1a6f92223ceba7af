"""The edge view: one relation over every relationship table, each edge with its type, dates and evidence.

Node keys are typed text: ``p:<persons.id>``, ``e:<enterprises.id>``, ``i:<investors.id>``, ``c:<contacts.id>``
and, for an inventor named on a patent without a person record, ``v:<name>@<enterprise id>`` (a name is a
person only within one applicant: namesakes elsewhere stay apart). Every raw edge carries the row it comes from
(``ref_table``, ``ref_id``) and that row's provenance (``source``, ``source_key``, ``import_id``); repeated rows of
one tie are combined afterwards (``ties``). Set-based SQL only, so a larger engine can run it unchanged.

A raw edge's ``a`` is where its relation starts (the person in office, the holder, the investor, the parent, the
inventor, the contact) and ``b`` where it ends, except in the relations whose two ends play one part
(``UNDIRECTED``). A tie keeps that direction (``direction``), which the ends' key order alone loses.
"""

from __future__ import annotations

from ...core.parse.rounds import ROUND_LABELS_EN
from ..identity_reasons import reasons_text
from .ties import strength_sql

IDENTITY_SOURCE = "identity"  # the source of an identity link's evidence (identity.links_edge_sql)

# an investor that led the round, as an investment record's note says it (zh, en): ``A轮 领投`` / ``Series A, lead``
LEAD = ("领投", "lead")

# columns of a raw edge: a, a_type, b, b_type, relation, start_date, end_date, percent, overlap_days,
# ref_table, ref_id, source, source_key, import_id, note
_ROLE_REL = "CASE WHEN r.role IN ('legal_rep','chairman','ceo','founder','director','executive','supervisor') " \
            "THEN r.role ELSE 'other' END"
# relations whose two ends play one part (two investors of a round, two applicants, two inventors, two colleagues,
# two records of one person): no direction; every other relation goes from the raw edge's a to its b
UNDIRECTED = ("co_investment", "co_applicant", "co_inventor", "colleague", "same_person")


INVENTORS_SQL = """(
SELECT i.patent_id, coalesce('p:' || i.person_id, 'v:' || i.name || '@' || a.enterprise_id) AS node,
       CASE WHEN i.person_id IS NULL THEN 'inventor' ELSE 'person' END AS ntype, a.enterprise_id AS eid, i.name
FROM patent_inventors i
JOIN (SELECT patent_id, arg_min(enterprise_id, position) AS enterprise_id FROM patent_applicants
      WHERE enterprise_id IS NOT NULL GROUP BY 1) a USING (patent_id)
WHERE i.name IS NOT NULL)"""


def raw_edges_sql(as_of: str, colleague_cap: int = 60) -> str:
    """SQL of every raw edge in force (started, or undated) on ``as_of``: one row per relationship record."""
    d = f"DATE '{as_of}'"
    started = lambda col: f"({col} IS NULL OR {col} <= {d})"  # noqa: E731
    return f"""
    SELECT 'p:' || r.person_id AS a, 'person' AS a_type, 'e:' || r.enterprise_id AS b, 'enterprise' AS b_type,
           {_ROLE_REL} AS relation, r.start_date, r.end_date, NULL::DOUBLE AS percent, NULL::DOUBLE AS overlap_days,
           'roles' AS ref_table, r.id AS ref_id, r.source, r.source_key, r.import_id, r.title AS note
    FROM roles r WHERE r.person_id IS NOT NULL AND r.enterprise_id IS NOT NULL AND {started('r.start_date')}
    UNION ALL
    SELECT CASE s.holder_type WHEN 'person' THEN 'p:' || s.holder_person_id WHEN 'investor' THEN 'i:' || s.holder_investor_id
                ELSE 'e:' || s.holder_enterprise_id END,
           CASE s.holder_type WHEN 'person' THEN 'person' WHEN 'investor' THEN 'investor' ELSE 'enterprise' END,
           'e:' || s.enterprise_id, 'enterprise', 'shareholder', s.start_date, s.end_date, s.percent, NULL,
           'shareholdings', s.id, s.source, s.source_key, s.import_id, CAST(s.percent AS VARCHAR) || '%'
    FROM shareholdings s
    WHERE s.enterprise_id IS NOT NULL AND {started('s.start_date')}
      AND (CASE s.holder_type WHEN 'person' THEN s.holder_person_id WHEN 'investor' THEN s.holder_investor_id
           ELSE s.holder_enterprise_id END) IS NOT NULL
    UNION ALL
    SELECT 'i:' || fi.investor_id, 'investor', 'e:' || f.enterprise_id, 'enterprise', 'investment', f.date, NULL, NULL,
           NULL, 'fundings', f.id, f.source, f.source_key, f.import_id,
           concat_ws(' ', f.round_raw, CASE WHEN fi.is_lead THEN '{LEAD[0]}' END)
    FROM funding_investors fi JOIN fundings f ON f.id = fi.funding_id
    WHERE fi.investor_id IS NOT NULL AND f.enterprise_id IS NOT NULL AND {started('f.date')}
    UNION ALL
    SELECT 'i:' || x.investor_id, 'investor', 'i:' || y.investor_id, 'investor', 'co_investment', f.date, NULL, NULL,
           NULL, 'fundings', f.id, f.source, f.source_key, f.import_id, concat_ws(' ', f.enterprise_name, f.round_raw)
    FROM funding_investors x JOIN funding_investors y ON x.funding_id = y.funding_id AND x.investor_id < y.investor_id
    JOIN fundings f ON f.id = x.funding_id WHERE {started('f.date')}
    UNION ALL
    SELECT 'e:' || b.parent_id, 'enterprise', 'e:' || b.child_id, 'enterprise',
           CASE b.kind WHEN 'branch' THEN 'branch' WHEN 'subsidiary' THEN 'subsidiary' ELSE 'outbound' END,
           b.date, NULL, b.percent, NULL, 'branches', b.id, b.source, b.source_key, b.import_id, b.kind
    FROM branches b WHERE b.parent_id IS NOT NULL AND b.child_id IS NOT NULL AND {started('b.date')}
    UNION ALL
    SELECT 'e:' || x.enterprise_id, 'enterprise', 'e:' || y.enterprise_id, 'enterprise', 'co_applicant',
           p.applied, NULL, NULL, NULL, 'patents', p.id, p.source, p.source_key, p.import_id, p.number
    FROM patent_applicants x JOIN patent_applicants y ON x.patent_id = y.patent_id AND x.enterprise_id < y.enterprise_id
    JOIN patents p ON p.id = x.patent_id WHERE {started('p.applied')}
    UNION ALL
    SELECT v.node, v.ntype, 'e:' || v.eid, 'enterprise', 'inventor', p.applied, NULL, NULL, NULL, 'patents', p.id,
           p.source, p.source_key, p.import_id, p.number
    FROM {INVENTORS_SQL} v JOIN patents p ON p.id = v.patent_id WHERE {started('p.applied')}
    UNION ALL
    SELECT x.node, x.ntype, y.node, y.ntype, 'co_inventor', p.applied, NULL, NULL, NULL, 'patents', p.id,
           p.source, p.source_key, p.import_id, p.number
    FROM {INVENTORS_SQL} x JOIN {INVENTORS_SQL} y ON x.patent_id = y.patent_id AND x.node < y.node
    JOIN patents p ON p.id = x.patent_id WHERE {started('p.applied')}
    UNION ALL
    SELECT 'c:' || c.id, 'contact', 'e:' || c.enterprise_id, 'enterprise', 'contact_at', NULL, NULL, NULL, NULL,
           'contacts', c.id, c.source, c.source_key, c.import_id, c.title
    FROM contacts c WHERE c.enterprise_id IS NOT NULL
    UNION ALL
    SELECT 'p:' || x.person_id, 'person', 'p:' || y.person_id, 'person', 'colleague',
           greatest(x.start_date, y.start_date), least(x.end_date, y.end_date), NULL,
           date_diff('day', greatest(coalesce(x.start_date, y.start_date), coalesce(y.start_date, x.start_date)),
                     least(coalesce(x.end_date, y.end_date, {d}), coalesce(y.end_date, x.end_date, {d}), {d})),
           'roles', x.id, x.source, x.source_key, x.import_id, x.enterprise_name
    FROM (SELECT * FROM roles WHERE person_id IS NOT NULL AND enterprise_id IS NOT NULL AND {started('start_date')}
          AND enterprise_id IN (SELECT enterprise_id FROM roles GROUP BY 1 HAVING count(*) <= {int(colleague_cap)})) x
    JOIN roles y ON y.enterprise_id = x.enterprise_id AND x.person_id < y.person_id AND {started('y.start_date')}
    WHERE (x.end_date IS NULL OR y.start_date IS NULL OR x.end_date >= y.start_date)
      AND (y.end_date IS NULL OR x.start_date IS NULL OR y.end_date >= x.start_date)
    """





def ties_sql(model: dict, as_of: str, extra: str | None = None) -> str:
    """SQL of the ties: the raw edges (plus ``extra``, e.g. identity links) with their strength, repeated records
    of one tie (same two ends and relation) combined as 1 − Π(1 − sᵢ) (to 12 decimals: a sum of logarithms in
    another order may differ in its last bits, and ties of equal strength must stay equal); the ends in key order
    (``u`` < ``w``), up to five records' table, id, source and note kept as evidence (``evidence`` reads their
    provenance, in table and id order). ``direction``: 1 when the relation goes from ``u`` to ``w`` (its records'
    ``a`` is ``u``), −1 from ``w`` to ``u``, 0 both ways (records of each direction: a cross-holding), NULL for a
    relation without direction (``UNDIRECTED``)."""
    raw = raw_edges_sql(as_of) + (f" UNION ALL {extra}" if extra else "")
    s = strength_sql(model, as_of)
    undirected = ", ".join(f"'{r}'" for r in UNDIRECTED)
    return f"""
    WITH raw AS (SELECT *, least(CASE WHEN relation = 'same_person' THEN percent ELSE {s} END, 0.999) AS s FROM ({raw})
                 WHERE a IS NOT NULL AND b IS NOT NULL AND a <> b)
    SELECT CASE WHEN a < b THEN a ELSE b END AS u, CASE WHEN a < b THEN b ELSE a END AS w, relation,
           round(1 - exp(sum(ln(1 - s))), 12) AS strength, count(*) AS n, min(start_date) AS start_date,
           CASE WHEN count(*) = count(end_date) THEN max(end_date) END AS end_date,
           max(percent) FILTER (WHERE relation <> 'same_person') AS percent,
           CAST(CASE WHEN relation IN ({undirected}) THEN NULL WHEN bool_and(a < b) THEN 1 WHEN bool_and(a > b) THEN -1
                     ELSE 0 END AS TINYINT) AS direction,
           list(ref_table)[1:5] AS ref_tables, list(ref_id)[1:5] AS ref_ids, list(source)[1:5] AS sources,
           list(note)[1:5] AS notes
    FROM raw GROUP BY 1, 2, 3
    """


# the tables a tie rests on, as the statements above read them (the warm-up counts them to size a build)
RECORD_TABLES = ("roles", "shareholdings", "funding_investors", "branches", "patent_applicants", "patent_inventors",
                 "contacts")

_TABLES = {"roles": "start_date, end_date", "shareholdings": "start_date, end_date", "fundings": "date, NULL",
           "branches": "date, NULL", "patents": "applied, NULL", "contacts": "NULL, NULL"}
# what a record's note is read with (a funding's round: its code and the words the source wrote; a role record's
# title: the role's code)
_NOTE_COLUMNS = {"fundings": "round, round_raw", "roles": "role, NULL"}


# what each table a tie rests on holds, as a path's evidence line says it (zh, en)
RECORD_KINDS = {"roles": ("任职记录", "role record"), "shareholdings": ("持股记录", "shareholding record"),
                "fundings": ("融资记录", "funding record"), "branches": ("分支机构与对外投资记录", "branch or investment record"),
                "patents": ("专利记录", "patent record"), "contacts": ("联系人记录", "contact record"),
                "persons": ("身份关联", "identity link")}


def record_text(ev: dict, lang: str = "zh") -> str:
    """A record a tie rests on in words: its source's name, its kind and its date — ``itjuzi 任职记录 2016-03-01 起``,
    ``itjuzi role record from 2016-03-01`` —; the table, id and source record key stay in the evidence's other
    fields (a page shows them on hover)."""
    en = lang == "en"
    kind = RECORD_KINDS.get(ev.get("table"), (ev.get("table"), ev.get("table")))[1 if en else 0]
    if ev.get("source") == IDENTITY_SOURCE:  # the rules' link of two records: no source file, no date of its own
        return kind
    start, end = (str(ev[k])[:10] if ev.get(k) is not None else None for k in ("start", "end"))
    if start and end:
        when = f"{start} – {end}"
    elif start:
        when = (f"from {start}" if ev.get("table") in ("roles", "shareholdings") else start) if en else (
            f"{start} 起" if ev.get("table") in ("roles", "shareholdings") else start)
    else:
        when = f"until {end}" if end and en else (f"至 {end}" if end else ("undated" if en else "无日期"))
    return " ".join(x for x in (ev.get("source"), kind, when) if x)


def funding_note(note: str | None, round_code: str | None, round_raw: str | None, lang: str = "zh") -> str | None:
    """A funding record's note (``A轮 领投``, a co-investment's ``〈enterprise〉 A轮``) in the UI language: in English
    the round the source wrote by its English label where the round parser read it (``Series A``), and the lead
    mark in words (``Series A, lead``); an enterprise's name, and a round not read, as written."""
    if lang != "en" or not note:
        return note
    body, lead = note, note == LEAD[0] or note.endswith(" " + LEAD[0])
    if lead:
        body = body[:-len(LEAD[0])].rstrip()
    if round_raw and body.endswith(round_raw) and round_code in ROUND_LABELS_EN and round_code != "other":
        body = (body[:-len(round_raw)] + ROUND_LABELS_EN[round_code]).strip()
    return ", ".join(x for x in (body, LEAD[1] if lead else None) if x)


def evidence(store, tie: dict, lang: str = "zh", first: int | None = None) -> list[dict]:
    """The records a tie rests on, with their provenance (source, source record key, import) and ``text``, the
    record in words (``record_text``); a role record's ``note`` (the title as written) with ``role``, its code, for
    a reader to say the office in its language (``interfaces/labels.evidence_note``); an identity link's ``note`` (its
    rules or the team's decision in words) with ``reasons``, their codes; ``first``: only that many of them, in the
    same order."""
    return evidence_of(store, [tie], lang, first)[0]


def evidence_of(store, ties: list[dict], lang: str = "zh", first: int | None = None) -> list[list[dict]]:
    """``evidence`` of several ties (a path's hops), each as alone: the records are read in one query per table."""
    refs = []
    for tie in ties:
        got = sorted(zip(tie.get("ref_tables") or [], tie.get("ref_ids") or [], tie.get("sources") or [],
                         tie.get("notes") or []), key=lambda r: (str(r[0]), r[1] is None, str(r[1]).zfill(20), str(r[2]), str(r[3])))
        refs.append(got if first is None else got[:first])
    wanted: dict = {}
    for table, rid, _, _ in (r for got in refs for r in got):
        if table in _TABLES and rid is not None:
            wanted.setdefault(table, set()).add(rid)
    rows = {(table, r[0]): r[1:] for table, rids in wanted.items() for r in store.con.execute(
        f"SELECT id, source, source_key, import_id, {_TABLES[table]}, {_NOTE_COLUMNS.get(table, 'NULL, NULL')} "
        f"FROM {table} WHERE list_contains(?, id)",
        [sorted(rids)]).fetchall()}
    out = []
    for tie, got in zip(ties, refs):
        docs = []
        for table, rid, source, note in got:
            row = rows.get((table, rid)) if rid is not None else None
            codes = note if source == IDENTITY_SOURCE else None
            if source == IDENTITY_SOURCE:  # an identity link: its rules' codes in words
                note = reasons_text(note, lang)
            elif table == "fundings" and row:
                note = funding_note(note, row[5], row[6], lang)
            docs.append({"table": table, "id": rid, "source": row[0] if row else source,
                         "source_key": row[1] if row else None, "import_id": row[2] if row else None, "note": note,
                         "start": row[3] if row else None, "end": row[4] if row else None})
            if table == "roles" and row and tie.get("relation") != "colleague":  # a colleague's note is the enterprise
                docs[-1]["role"] = row[5]
            if codes:  # and the codes, for a reader of another language (a lead's path, said in both)
                docs[-1]["reasons"] = codes
            docs[-1]["text"] = record_text(docs[-1], lang)
        out.append(docs)
    return out
