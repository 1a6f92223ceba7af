"""The search index: character trigrams of every enterprise's searchable text → enterprise ids.

``services.search`` has the one matching rule (codes, names, aliases, words of the text, chain nodes placed on);
on a large database the rule as a scan reads every enterprise's text for every query. This index lets the
same rule run on a few candidates instead: a query part (the normalised query, one query word) can only stand
in an enterprise's text if every trigram of it does — or, for a part of one or two characters, if a trigram
starting with it does (each text's trigrams run to its end, the last ones shorter). So the ids whose
trigrams hold the part are a superset of those the rule accepts, and the rule itself, run on those ids,
gives exactly the answers of the scan. The index never decides a match; it only narrows where the rule looks.

Tables (built set-based in DuckDB, kept beside the data): ``search_grams (g, id)`` sorted by trigram, so a
lookup reads a few row groups; ``search_gram_df (g, n)`` how many enterprises hold each trigram (the rarest
trigrams of a part are looked up); ``search_docs (id, h)`` a hash of each enterprise's indexed text, so a
refresh after an update re-indexes only the enterprises whose text changed, and a reader can tell whether
the index matches the data (``fresh``).
"""

from __future__ import annotations

from .store import Store, file_identity

SEP = "chr(31)"  # between the fields of one enterprise (grams across it only add candidates, never lose one)
_FIELDS = ("name_norm", "name", "english_name", "scope", "description", "products", "industry")
# the enterprise's indexed text: every field the rule reads, and its aliases, lower-cased as the rule compares
_DOC = (f"lower(concat_ws({SEP}, " + ", ".join(f"e.{f}" for f in _FIELDS) +
        ", a.aliases)) AS t")
_ALIASES = ("LEFT JOIN (SELECT enterprise_id, string_agg(alias_norm, chr(31) ORDER BY alias_norm) AS aliases "
            "FROM enterprise_aliases GROUP BY 1) a ON a.enterprise_id = e.id")
# the distinct trigrams of t (its characters as a list: linear in the text's length), the last two shorter
_GRAMS = ("unnest(list_distinct(list_transform(range(1, len(s) + 1), "
          "lambda i: s[i] || coalesce(s[i + 1], '') || coalesce(s[i + 2], ''))))")
# more candidates than this share of the enterprises (and than FEW) narrow too little: the rule scans instead
MAX_SHARE, FEW = 0.05, 20_000
REBUILD_SHARE = 0.2  # more changed enterprises than this share: rebuild (keeps the table sorted) instead of patching
_FRESH: dict[tuple, bool] = {}  # read-only database file (identity) → whether its index matches its data


def _docs_sql(where: str = "") -> str:
    return f"SELECT e.id, {_DOC} FROM enterprises e {_ALIASES} {where}"


def _grams_sql(where: str = "") -> str:
    return f"SELECT id, {_GRAMS} AS g FROM (SELECT id, string_split(t, '') AS s FROM ({_docs_sql(where)}))"


def exists(store: Store) -> bool:
    return bool(store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('search_grams', 'search_gram_df', 'search_docs') "
        "AND NOT temporary").fetchone()[0] == 3)


def size(store: Store) -> int:
    """How many enterprises the index covers."""
    return int(store.con.execute("SELECT count(*) FROM search_docs").fetchone()[0])


def narrow_limit(store: Store) -> float:
    """The most candidates worth looking up rather than scanning."""
    return max(FEW, MAX_SHARE * size(store))


def _state(store: Store) -> str:
    """What the indexed text amounts to — the number of enterprises and aliases and a sum of per-row hashes of
    the fields as stored (no text is built, so a reader can afford it once per generation)."""
    cols = ", ".join(_FIELDS)
    row = store.con.execute(f"""SELECT (SELECT count(*) FROM enterprises), (SELECT coalesce(sum(hash(id, {cols})), 0) FROM enterprises),
                                       (SELECT count(*) FROM enterprise_aliases),
                                       (SELECT coalesce(sum(hash(enterprise_id, alias_norm)), 0) FROM enterprise_aliases)""").fetchone()
    return ":".join(str(x) for x in row)


def fresh(store: Store) -> bool:
    """Whether the index exists and was built from exactly today's text (remembered per file when read-only)."""
    key = None
    if getattr(store, "read_only", False) and str(getattr(store, "path", ":memory:")) != ":memory:":
        key = (str(store.path), file_identity(str(store.path)))
        if key in _FRESH:
            return _FRESH[key]
    ok = exists(store) and store.get_meta("search_index_state") == _state(store)
    if key is not None:
        if len(_FRESH) > 64:
            _FRESH.clear()
        _FRESH[key] = ok
    return ok


def _build(store: Store) -> None:
    con = store.con
    con.execute("CREATE OR REPLACE TABLE search_docs AS SELECT id, hash(id, t) AS h FROM (" + _docs_sql() + ")")
    con.execute(f"CREATE OR REPLACE TABLE search_grams AS SELECT g, id FROM ({_grams_sql()}) ORDER BY g, id")
    con.execute("CREATE OR REPLACE TABLE search_gram_df AS SELECT g, count(*) AS n FROM search_grams GROUP BY g ORDER BY g")


def _patch(store: Store) -> int | None:
    """Re-index only the enterprises whose text changed (None: too many changed, rebuild instead)."""
    con = store.con
    con.execute("CREATE OR REPLACE TEMP TABLE zs_sdoc AS SELECT id, hash(id, t) AS h FROM (" + _docs_sql() + ")")
    con.execute("""CREATE OR REPLACE TEMP TABLE zs_schanged AS
                   SELECT id FROM (SELECT id, h FROM zs_sdoc EXCEPT SELECT id, h FROM search_docs)
                   UNION SELECT id FROM (SELECT id FROM search_docs EXCEPT SELECT id FROM zs_sdoc)""")
    changed = con.execute("SELECT count(*) FROM zs_schanged").fetchone()[0]
    total = con.execute("SELECT count(*) FROM zs_sdoc").fetchone()[0]
    if changed > REBUILD_SHARE * max(total, 1):
        return None
    if changed:
        con.execute("CREATE OR REPLACE TEMP TABLE zs_snew AS SELECT g, id FROM ("
                    + _grams_sql("WHERE e.id IN (SELECT id FROM zs_schanged)") + ")")
        con.execute("""CREATE OR REPLACE TEMP TABLE zs_sdelta AS SELECT g, sum(d) AS d FROM (
                         SELECT g, -1 AS d FROM search_grams WHERE id IN (SELECT id FROM zs_schanged)
                         UNION ALL SELECT g, 1 FROM zs_snew) GROUP BY g""")
        con.execute("DELETE FROM search_grams WHERE id IN (SELECT id FROM zs_schanged)")
        con.execute("INSERT INTO search_grams SELECT g, id FROM zs_snew")
        con.execute("UPDATE search_gram_df f SET n = f.n + d.d FROM zs_sdelta d WHERE d.g = f.g")
        con.execute("INSERT INTO search_gram_df SELECT g, d FROM zs_sdelta WHERE g NOT IN (SELECT g FROM search_gram_df)")
        con.execute("DELETE FROM search_gram_df WHERE n <= 0")
        con.execute("DELETE FROM search_docs WHERE id IN (SELECT id FROM zs_schanged)")
        con.execute("INSERT INTO search_docs SELECT id, h FROM zs_sdoc WHERE id IN (SELECT id FROM zs_schanged)")
    for t in ("zs_sdoc", "zs_schanged", "zs_snew", "zs_sdelta"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return changed


def refresh(store: Store, *, rebuild: bool = False) -> dict:
    """Bring the index up to date with the enterprises and aliases: ``{"mode", "changed"}``.

    First time (or ``rebuild``, or when many enterprises changed): built set-based; otherwise only the
    enterprises whose indexed text changed are re-indexed (an import of a monthly delta touches few)."""
    changed = None if rebuild or not exists(store) else _patch(store)
    mode = "patched"
    if changed is None:
        _build(store)
        mode = "built"
        changed = store.con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    store.set_meta("search_index_state", _state(store))
    return {"mode": mode, "changed": int(changed)}


# ---------------------------------------------------------------- lookups


def _next(s: str) -> str:
    """The smallest string after every string starting with ``s`` (its last character bumped)."""
    return s[:-1] + chr(ord(s[-1]) + 1)


def part_ids(store: Store, part: str, max_grams: int = 3) -> tuple[str, list, int] | None:
    """SQL of a superset of the ids whose indexed text holds ``part`` (lower-cased), its parameters and an
    estimate of its size; None for an empty part."""
    p = part.lower()
    if not p:
        return None
    if len(p) <= 2:  # every occurrence starts some trigram: the trigrams starting with the part
        n = store.con.execute("SELECT coalesce(sum(n), 0) FROM search_gram_df WHERE g >= ? AND g < ?",
                              [p, _next(p)]).fetchone()[0]
        return "SELECT DISTINCT id FROM search_grams WHERE g >= ? AND g < ?", [p, _next(p)], int(n)
    grams = sorted({p[i:i + 3] for i in range(len(p) - 2)})
    df = dict(store.con.execute("SELECT g, n FROM search_gram_df WHERE list_contains(?, g)", [grams]).fetchall())
    if len(df) < len(grams):  # a trigram no enterprise holds: nothing can match
        return "SELECT NULL::BIGINT AS id WHERE false", [], 0
    rare = sorted(grams, key=lambda g: df[g])[:max_grams]
    sql = " INTERSECT ".join("SELECT id FROM search_grams WHERE g = ?" for _ in rare)
    return f"({sql})", rare, int(df[rare[0]])
