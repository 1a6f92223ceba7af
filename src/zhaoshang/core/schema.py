"""The data model as DDL: one DuckDB file holds everything.

Conventions that every layer relies on:
- region codes are 6-digit GB/T 2260 strings (province ``330000``, city ``330100``, district ``330110``);
  foreign locations keep ``country`` (ISO-like name/code) and leave the codes NULL;
- money is CNY 万元 (``*_wan``) with the original text kept next to it;
- every imported row carries provenance: ``source`` (the source name), ``source_key`` (the record's key
  in that source) and ``import_id`` (→ ``imports.id``, which holds the file, hash and time);
- ids of the fact tables are assigned by the importers, unique by construction (tested); the large tables
  carry no PRIMARY KEY index, which would cost memory and time on every bulk insert;
- canonical enterprises (``enterprises``) are built from source records (``enterprise_records``), so a
  wrong merge can be undone by re-linking records; changed facts are kept in ``enterprise_history``.
See docs/data-model.md for the prose version of this file.
"""

from __future__ import annotations

SCHEMA_VERSION = 1

# Fields whose changes are tracked in enterprise_history (and become events).
TRACKED_FIELDS = (
    "name",
    "address",
    "capital_wan",
    "status",
    "legal_rep",
    "province_code",
    "city_code",
    "district_code",
)

PROVENANCE = "source VARCHAR, source_key VARCHAR, import_id INTEGER"

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    kind VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    files VARCHAR[],
    file_sha256 VARCHAR,
    data_date DATE,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    rows_read BIGINT,
    rows_imported BIGINT,
    rows_updated BIGINT,
    rows_duplicate BIGINT,
    rows_rejected BIGINT,
    rejects_path VARCHAR,
    options JSON,
    synthetic BOOLEAN DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS regions (
    code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    short_name VARCHAR,
    name_en VARCHAR,
    level VARCHAR NOT NULL,          -- province | city | district
    parent_code VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    lng DOUBLE,
    lat DOUBLE
);

CREATE TABLE IF NOT EXISTS enterprises (
    id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    name_norm VARCHAR,
    uscc VARCHAR,
    english_name VARCHAR,
    legal_form VARCHAR,
    status VARCHAR,
    founded DATE,
    dissolved DATE,
    capital_wan DOUBLE,
    capital_text VARCHAR,
    country VARCHAR DEFAULT 'CN',
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR,
    region_text VARCHAR,
    address VARCHAR,
    lat DOUBLE,
    lng DOUBLE,
    industry_code VARCHAR,
    industry VARCHAR,
    scope VARCHAR,
    description VARCHAR,
    products VARCHAR,
    website VARCHAR,
    listed_code VARCHAR,
    legal_rep VARCHAR,
    tags VARCHAR[],
    source VARCHAR,
    first_import_id INTEGER,
    last_import_id INTEGER,
    founded_precision VARCHAR,       -- day | month | year: what ``founded`` is known to (NULL: the day)
    name_short BOOLEAN               -- the name was read from a short-name column: a full legal name replaces it
);

-- One row per source record that describes an enterprise: the provenance link.
CREATE TABLE IF NOT EXISTS enterprise_records (
    record_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    link_method VARCHAR,             -- uscc | name+province | new | manual
    row_no BIGINT,
    row_hash UHUGEINT,               -- content hash: md5 of the mapped values as a 128-bit number
    imported_at TIMESTAMP,
    data JSON,                       -- the mapped source values, as read
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS enterprise_aliases (
    enterprise_id BIGINT NOT NULL,
    alias VARCHAR NOT NULL,
    alias_norm VARCHAR NOT NULL,
    kind VARCHAR,                    -- short | brand | english | former | other
    {PROVENANCE}
);

-- Main product lines of an enterprise with their share of revenue (a listed company's 主营产品 by line): one
-- row per line, in the order the source gives them (largest share first); `share` as read (0–1, NULL when the
-- source gives none), `period` the date the shares describe (the import's data date). Replaced per enterprise
-- and source by each import that maps products with a share.
CREATE TABLE IF NOT EXISTS product_lines (
    enterprise_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL,        -- 1 = first line in the source's order
    product VARCHAR NOT NULL,
    share DOUBLE,
    period DATE,
    {PROVENANCE}
);

-- Old values of tracked fields: value `old_value` held until `changed_on`.
CREATE TABLE IF NOT EXISTS enterprise_history (
    enterprise_id BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    changed_on DATE,
    {PROVENANCE}
);

-- The import that last set a field of an enterprise (gave it a value: changed, filled from empty or confirmed),
-- when it is not the import that created the enterprise (`enterprises.first_import_id`): one row per enterprise
-- and field at most, replaced by the next import that sets the field. An export dated earlier than the setter's
-- data date does not replace the value (importers.enterprises); `zhaoshang repair history` reads it too.
CREATE TABLE IF NOT EXISTS enterprise_field_imports (
    enterprise_id BIGINT NOT NULL,
    field VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS persons (
    id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    name_norm VARCHAR,
    gender VARCHAR,
    birth_year INTEGER,
    description VARCHAR,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS roles (
    id BIGINT NOT NULL,
    person_id BIGINT,
    person_name VARCHAR,
    enterprise_id BIGINT,
    enterprise_name VARCHAR,
    role VARCHAR,                    -- legal_rep | chairman | director | ceo | executive | founder | supervisor | other
    title VARCHAR,
    start_date DATE,
    end_date DATE,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS investors (
    id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    name_norm VARCHAR,
    type VARCHAR,                    -- VC | PE | CVC | government_fund | angel | strategic | other
    enterprise_id BIGINT,
    country VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR,
    description VARCHAR,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS shareholdings (
    id BIGINT NOT NULL,
    enterprise_id BIGINT,
    enterprise_name VARCHAR,
    holder_name VARCHAR,
    holder_type VARCHAR,             -- enterprise | person | investor | other
    holder_enterprise_id BIGINT,
    holder_person_id BIGINT,
    holder_investor_id BIGINT,
    percent DOUBLE,
    amount_wan DOUBLE,
    start_date DATE,
    end_date DATE,
    {PROVENANCE}
);

-- Branches and outbound investments: the expansion signal (parent opens something in another place).
CREATE TABLE IF NOT EXISTS branches (
    id BIGINT NOT NULL,
    parent_id BIGINT,
    parent_name VARCHAR,
    child_id BIGINT,
    child_name VARCHAR,
    kind VARCHAR,                    -- branch | subsidiary | investment
    date DATE,
    percent DOUBLE,
    country VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS fundings (
    id BIGINT NOT NULL,
    enterprise_id BIGINT,
    enterprise_name VARCHAR,
    date DATE,
    round VARCHAR,                   -- normalised: angel | seed | pre_a | a | a_plus | b | ... | strategic | ipo | ma | other
    round_raw VARCHAR,
    amount_wan DOUBLE,
    amount_low_wan DOUBLE,
    amount_high_wan DOUBLE,
    amount_text VARCHAR,
    currency VARCHAR,
    investors_text VARCHAR,
    lead_investor_id BIGINT,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS funding_investors (
    funding_id BIGINT NOT NULL,
    investor_id BIGINT,
    investor_name VARCHAR,
    position INTEGER,
    is_lead BOOLEAN
);

CREATE TABLE IF NOT EXISTS patents (
    id BIGINT NOT NULL,
    number VARCHAR,                  -- publication (grant) number
    application_number VARCHAR,
    title VARCHAR,
    abstract VARCHAR,
    type VARCHAR,                    -- invention | utility | design | other
    applied DATE,
    published DATE,
    granted DATE,
    status VARCHAR,
    ipc VARCHAR[],
    main_ipc VARCHAR,
    applicants_text VARCHAR,
    inventors_text VARCHAR,
    cited VARCHAR[],
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS patent_applicants (
    patent_id BIGINT NOT NULL,
    position INTEGER,
    name VARCHAR,
    enterprise_id BIGINT,
    country VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR
);

CREATE TABLE IF NOT EXISTS patent_inventors (
    patent_id BIGINT NOT NULL,
    position INTEGER,
    name VARCHAR,
    person_id BIGINT
);

CREATE TABLE IF NOT EXISTS news (
    id BIGINT NOT NULL,
    title VARCHAR,
    body VARCHAR,
    url VARCHAR,
    published TIMESTAMP,
    outlet VARCHAR,
    sentiment DOUBLE,                -- -1 … 1
    event_type VARCHAR,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS news_mentions (
    news_id BIGINT NOT NULL,
    enterprise_id BIGINT,
    mention VARCHAR,
    method VARCHAR                   -- declared (unlinked) | name | alias | listed_code | ambiguous | text_…
);

-- One row per dated thing that happened to an enterprise.
CREATE TABLE IF NOT EXISTS events (
    id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    date DATE,
    type VARCHAR NOT NULL,           -- founded | dissolved | funding | patent | news | branch | investment | change_name | change_capital | change_address | change_legal_rep | change_status | change_region
    title VARCHAR,
    detail JSON,
    ref_table VARCHAR,
    ref_id BIGINT,
    {PROVENANCE}
);

CREATE TABLE IF NOT EXISTS demands (
    id BIGINT NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    category VARCHAR,
    node VARCHAR,
    organisation VARCHAR,
    demander_type VARCHAR,           -- government | enterprise | other
    country VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR,
    budget_wan DOUBLE,
    published DATE,
    deadline DATE,
    status VARCHAR,
    contact VARCHAR,
    {PROVENANCE},
    own_key VARCHAR,                 -- the demand's own number as its list writes it (场景编号, 需求编号); NULL: none given
    deadline_open BOOLEAN            -- TRUE: the list says it has no deadline (截止时间 长期有效, 不限 …)
);

CREATE TABLE IF NOT EXISTS contacts (
    id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    organisation VARCHAR,
    title VARCHAR,
    phone VARCHAR,
    email VARCHAR,
    relation VARCHAR,
    notes VARCHAR,
    person_id BIGINT,
    enterprise_id BIGINT,
    country VARCHAR,
    province_code VARCHAR,
    city_code VARCHAR,
    district_code VARCHAR,
    {PROVENANCE}
);

-- A source record whose credit code (or key) names a known enterprise with other values: kept, shown as a conflict.
-- A source's keys an enterprise export of it no longer listed (the delta's "disappeared"), one row per export.
CREATE TABLE IF NOT EXISTS enterprise_absences (
    enterprise_id BIGINT,
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);

-- keys an earlier export left out (enterprise_absences) that a later export lists again unchanged (no new record)
CREATE TABLE IF NOT EXISTS enterprise_relisted (
    source VARCHAR NOT NULL,
    source_key VARCHAR NOT NULL,
    import_id INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS enterprise_conflicts (
    enterprise_id BIGINT NOT NULL,
    field VARCHAR NOT NULL,          -- name | province_code | founded | capital_wan
    value VARCHAR,                   -- the enterprise's value when the record arrived
    record_value VARCHAR,            -- the record's value
    record_id BIGINT,
    {PROVENANCE}
);

-- Facts whose enterprise was not known when they were imported: the evidence to link them later (when the
-- enterprise arrives, at the end of every import, or by `zhaoshang relink`). A row is deleted once linked.
CREATE TABLE IF NOT EXISTS pending_links (
    ref_table VARCHAR NOT NULL,      -- fundings | roles | shareholdings | branches | contacts | patent_applicants | news_mentions
    ref_column VARCHAR NOT NULL,     -- the column to fill: enterprise_id | parent_id
    ref_id BIGINT NOT NULL,          -- the fact's id (patent_applicants, news_mentions: patent_id / news_id)
    ref_pos INTEGER,                 -- patent_applicants.position
    name VARCHAR,                    -- the enterprise as the fact names it
    name_norm VARCHAR,
    uscc VARCHAR,
    enterprise_key VARCHAR,          -- the enterprise's key in the fact's source
    province_code VARCHAR,
    {PROVENANCE}
);

-- Persons re-keyed when a late link told their enterprise (importers/relink.py: name@enterprise-as-written →
-- name@enterprise-id, records of one person merged): the key each record had before, so that a decision a user
-- recorded on the old key (team state, services/graph/identity.py) carries over to the new one.
CREATE TABLE IF NOT EXISTS person_key_changes (
    source VARCHAR NOT NULL,
    old_key VARCHAR NOT NULL,
    new_key VARCHAR NOT NULL,
    import_id INTEGER,               -- the import whose late link re-keyed it (NULL: zhaoshang relink)
    changed_at TIMESTAMP
);

-- Filled by the chain service: the taxonomy in force and the placements of enterprises on it.
CREATE TABLE IF NOT EXISTS chain_nodes (
    chain VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    parent_code VARCHAR,
    level INTEGER,
    stage VARCHAR,                   -- upstream | midstream | downstream
    name_zh VARCHAR,
    name_en VARCHAR,
    description VARCHAR,
    position INTEGER
);

CREATE TABLE IF NOT EXISTS placements (
    enterprise_id BIGINT NOT NULL,
    chain VARCHAR NOT NULL,
    node_code VARCHAR NOT NULL,
    confidence DOUBLE,
    evidence JSON,
    method VARCHAR,
    classified_at TIMESTAMP
);
"""

# Tables that hold imported facts, in the order `status` reports them.
FACT_TABLES = (
    "enterprises",
    "enterprise_records",
    "enterprise_aliases",
    "enterprise_history",
    "enterprise_field_imports",
    "product_lines",
    "persons",
    "roles",
    "investors",
    "shareholdings",
    "branches",
    "fundings",
    "funding_investors",
    "patents",
    "patent_applicants",
    "patent_inventors",
    "news",
    "news_mentions",
    "events",
    "demands",
    "contacts",
    "regions",
    "chain_nodes",
    "placements",
)


def undated_imports(dialect=None) -> str:
    """SQL: the imports given no data date (``--data-date``): they speak of no date of their own (core.asof). In
    ``dialect`` (the engine in use by default; the portable region matrix asks for another engine's)."""
    from .dialect import current

    json = (dialect or current()).json_field("options", "'$.data_date_given'")
    return f"SELECT id FROM imports WHERE NOT coalesce(TRY_CAST({json} AS BOOLEAN), TRUE)"


UNDATED_IMPORTS = undated_imports()  # in DuckDB's spelling

# SQL: the imports the data rest on — those a page's footer and a report credit as sources (services.reference) and
# whose data dates the reference date reads (core.asof): the imports of a source's kind that added or updated rows
# in some import, each keeping a row it read. An import whose every row was rejected holds none of the data and
# dates nothing, whatever ``--data-date`` it was given; a later import of a credited kind that changed nothing (an
# export re-imported unchanged with a newer data date) still dates it. ``zhaoshang status`` lists every import. An
# import logged without its counts (a log written by hand or by an older version) is taken as holding data.
CREDITED_IMPORTS = ("SELECT i.id FROM imports i WHERE EXISTS (SELECT 1 FROM imports a WHERE a.source = i.source "
                    "AND a.kind = i.kind AND (a.rows_imported IS NULL AND a.rows_updated IS NULL "
                    "OR coalesce(a.rows_imported, 0) + coalesce(a.rows_updated, 0) > 0)) "
                    "AND (coalesce(i.rows_imported, 0) + coalesce(i.rows_updated, 0) > 0 "
                    "OR coalesce(i.rows_read, 1) > coalesce(i.rows_rejected, 0))")
