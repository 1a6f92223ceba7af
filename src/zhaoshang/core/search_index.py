"""The search index: character trigrams of every enterprise's searchable text → enterprise ids.

``services.search`` has the one matching rule (codes, names, aliases, words of the text, chain nodes placed on);
on a large database the rule as a scan reads every enterprise's text for every query. This index lets the
same rule run on a few candidates instead: a query part (the normalised query, one query word) can only stand
in an enterprise's text if every trigram of it does — or, for a part of one or two characters, if a trigram
starting with it does (each text's trigrams run to its end, the last ones shorter). So the ids whose
trigrams hold the part are a superset of those the rule accepts, and the rule itself, run on those ids,
gives exactly the answers of the scan. The index never decides a match; it only narrows where the rule looks.

A trigram is one integer: its three code points packed 21 bits each (a shorter one at the end of a text has
zeros after it), so the trigrams starting with a one- or two-character part are one integer range. A
normalised name that stands inside the lower-cased name adds no trigram a part could need, so it is indexed
only where it does not (most names: half the text of a names-only registry).

Tables (kept beside the data): ``search_grams (g, id)`` built per chunk of ids, each chunk sorted by trigram
(computed with numpy, sorted by the database on both threads), so a lookup reads a row group or two per
chunk; ``search_gram_df (g, n)`` how many rows each trigram has (the rarest trigrams of a part are looked
up); ``search_docs (id, h)`` a hash of each enterprise's indexed text, so a refresh after an update
re-indexes only the enterprises whose text changed, and a reader can tell whether the index matches the
data (``fresh``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .asof import generation_memo
from .store import Store, file_identity

FORMAT = "int3"  # the trigram encoding (an index of another encoding is rebuilt, never read)
SEP = "chr(31)"  # between the fields of one enterprise (grams across it only add candidates, never lose one)
_FIELDS = ("name_norm", "name", "english_name", "scope", "description", "products", "industry")
_INDEXED = ("CASE WHEN contains(lower(e.name), lower(e.name_norm)) THEN NULL ELSE e.name_norm END",
            ) + tuple(f"e.{f}" for f in _FIELDS[1:])
# the enterprise's indexed text: every field the rule reads, and its aliases, lower-cased as the rule compares
_DOC = f"lower(concat_ws({SEP}, " + ", ".join(_INDEXED) + ", a.aliases)) AS t"
_ALIASES = ("LEFT JOIN (SELECT enterprise_id, string_agg(alias_norm, chr(31) ORDER BY alias_norm) AS aliases "
            "FROM enterprise_aliases GROUP BY 1) a ON a.enterprise_id = e.id")
# a chunk of the build: at most this many characters of text (its trigrams sorted at once: ~40 bytes each, so
# ~650 MB) and enterprises (a place in the chunk takes 20 bits of the packed key); fewer, larger chunks mean
# fewer row groups per lookup
CHUNK_CHARS, CHUNK = 16_000_000, 1 << 20
# more candidates than this share of the enterprises (and than FEW) narrow too little: the rule scans instead
MAX_SHARE, FEW = 0.05, 20_000
REBUILD_SHARE = 0.2  # more changed enterprises than this share: rebuild (keeps the table sorted) instead of patching
_FRESH: dict[tuple, bool] = {}  # read-only database file (identity) → whether its index matches its data
_B = 21  # bits per code point (Unicode ends at 0x10FFFF)


def _docs_sql(where: str = "") -> str:
    """The indexed text of the enterprises ``where`` says (on ``e.id``; the aliases read for those only, so
    the condition's parameters are given twice)."""
    aliases = _ALIASES.replace("GROUP BY 1", where.replace("e.id", "enterprise_id") + " GROUP BY 1")
    return f"SELECT e.id, {_DOC} FROM enterprises e {aliases} {where}"


def grams(ids: np.ndarray, texts: list[str], pack: bool = True) -> pa.Table:
    """Distinct ``(g, id)`` rows of the texts, sorted by trigram: every trigram of every text as a packed
    integer (the last two of a text shorter: zeros after them). A NUL in a text is read as the field
    separator (``part_ids`` never narrows a part holding one).

    Sorting pairs is the cost, so each pair is first made one sortable integer: the chunk's code points
    ranked (order kept), three ranks and the text's place in the chunk side by side; sorted, the pairs come
    back by table look-up — distinct and in trigram order."""
    import numpy as np  # here, not at the top: every command imports this module, few build an index
    import pyarrow as pa

    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    joined = "\0\0".join(t.replace("\0", "\x1f") for t in texts) + "\0\0"
    c = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lens + 2)
    keep = c != 0
    seen = np.zeros(0x110000, dtype=bool)
    seen[c] = True
    seen[0] = True
    cps = np.flatnonzero(seen)  # the code points present, in order, 0 first
    rb = max(1, int(len(cps) - 1).bit_length())  # bits of a rank
    db = max(1, int(len(texts)).bit_length())  # bits of a text's place
    if pack and 3 * rb + db <= 63:
        lut = np.zeros(0x110000, dtype=np.int64)
        lut[cps] = np.arange(len(cps), dtype=np.int64)
        r = lut[c]
        k = r << (2 * rb + db)
        k[:-1] |= r[1:] << (rb + db)
        k[:-2] |= r[2:] << db
        k = np.sort((k | doc)[keep])
        k = k[np.concatenate(([True], k[1:] != k[:-1]))]
        cp = cps.astype(np.int64)
        m = (1 << rb) - 1
        g = (cp[k >> (2 * rb + db)] << (2 * _B)) | (cp[(k >> (rb + db)) & m] << _B) | cp[(k >> db) & m]
        place = k & ((1 << db) - 1)
    else:  # too many distinct characters to pack: sort the pairs themselves
        c = c.astype(np.int64)
        g = c << (2 * _B)
        g[:-1] |= c[1:] << _B
        g[:-2] |= c[2:]
        g, place = g[keep], doc[keep]
        o = np.lexsort((place, g))
        g, place = g[o], place[o]
        first = np.concatenate(([True], (g[1:] != g[:-1]) | (place[1:] != place[:-1])))
        g, place = g[first], place[first]
    return pa.table({"g": g, "id": np.asarray(ids, dtype=np.int64)[place]})


def _texts(store: Store, where: str, params: list) -> pa.Table:
    """``(id, t, h)`` of the enterprises ``where`` says: the indexed text and its hash."""
    return store.con.sql(f"SELECT id, t, hash(id, t) AS h FROM ({_docs_sql(where)})", params=params * 2).to_arrow_table()


def _bounds(store: Store) -> list[int]:
    """Ids starting the chunks of the build: a new chunk every ``CHUNK_CHARS`` characters of the fields (as
    stored: a bound, not the exact indexed text) or every ``CHUNK`` enterprises, whichever comes first."""
    chars = " + ".join(f"coalesce(length({f}), 0)" for f in _FIELDS)
    return [r[0] for r in store.con.execute(f"""
        SELECT min(id) FROM (SELECT id, sum({chars}) OVER w AS c, row_number() OVER w AS k FROM enterprises
                             WINDOW w AS (ORDER BY id))
        GROUP BY floor(c / {CHUNK_CHARS}), floor((k - 1) / {CHUNK}) ORDER BY 1""").fetchall()]


def _insert_chunks(store: Store, table: str, chunks: list[tuple[str, list]], docs: str | None = None) -> None:
    """Trigram rows of each chunk of enterprises, in trigram order, appended to ``table`` (and the texts'
    hashes to ``docs``); the next chunk's trigrams are computed (numpy, without the interpreter lock for the
    sort) while the database writes this one. Insertion order is kept: it is the chunk's trigram order."""
    con = store.con
    keep = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = true")
    try:
        with ThreadPoolExecutor(1) as pool:
            pending = None
            for chunk in chunks + [None]:
                nxt = None
                if chunk is not None:
                    tb = _texts(store, *chunk)
                    if docs:
                        con.register("zs_docs", tb)
                        con.execute(f"INSERT INTO {docs} SELECT id, h FROM zs_docs")
                        con.unregister("zs_docs")
                    nxt = pool.submit(grams, tb.column(0).to_numpy(), tb.column(1).to_pylist())
                if pending is not None:
                    con.register("zs_grams", pending.result())
                    con.execute(f"INSERT INTO {table} SELECT g, id FROM zs_grams")
                    con.unregister("zs_grams")
                pending = nxt
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if str(keep).lower() == 'true' else 'false'}")


def exists(store: Store) -> bool:
    return bool(store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('search_grams', 'search_gram_df', 'search_docs') "
        "AND NOT temporary").fetchone()[0] == 3) and store.get_meta("search_index_format") == FORMAT


def size(store: Store) -> int:
    """How many enterprises the index covers (once per served generation)."""
    return generation_memo(store, ("search_docs",),
                           lambda: int(store.con.execute("SELECT count(*) FROM search_docs").fetchone()[0]))


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
    con.execute("CREATE OR REPLACE TABLE search_docs (id BIGINT, h UBIGINT)")
    con.execute("CREATE OR REPLACE TABLE search_grams (g BIGINT, id BIGINT)")
    b = _bounds(store)
    chunks = [("WHERE e.id >= ?" + (" AND e.id < ?" if i + 1 < len(b) else ""), b[i:i + 2]) for i in range(len(b))]
    _insert_chunks(store, "search_grams", chunks, docs="search_docs")
    con.execute("CREATE OR REPLACE TABLE search_gram_df AS SELECT g, count(*) AS n FROM search_grams GROUP BY g ORDER BY g")
    store.set_meta("search_index_format", FORMAT)


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
        con.execute("CREATE OR REPLACE TEMP TABLE zs_snew (g BIGINT, id BIGINT)")
        _insert_chunks(store, "zs_snew", [("WHERE e.id IN (SELECT id FROM zs_schanged)", [])])
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

    First time (or ``rebuild``, or when many enterprises changed, or an index of another encoding): built per
    chunk; otherwise only the enterprises whose indexed text changed are re-indexed (a monthly delta touches few)."""
    changed = None if rebuild or not exists(store) else _patch(store)
    mode = "patched"
    if changed is None:
        _build(store)
        mode = "built"
        changed = store.con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    store.set_meta("search_index_state", _state(store))
    return {"mode": mode, "changed": int(changed)}


# ---------------------------------------------------------------- lookups


def _pack(part: str) -> int:
    """The packed trigram of up to three characters (a shorter one: zeros after it)."""
    cs = [ord(ch) for ch in part] + [0, 0]
    return (cs[0] << (2 * _B)) | (cs[1] << _B) | cs[2]


def _prefix(part: str) -> tuple[int, int]:
    """The range ``[lo, hi)`` of the trigrams starting with a part of one or two characters."""
    lo = _pack(part)
    return lo, lo + (1 << (_B * (3 - len(part))))


def part_ids(store: Store, part: str, max_grams: int = 3) -> tuple[str, list, int] | None:
    """SQL of a superset of the ids whose indexed text holds ``part`` (lower-cased), its parameters and an
    estimate of its size; None for an empty part or one the index cannot answer (a NUL in it)."""
    p = part.lower()
    if not p or "\0" in p:
        return None
    if len(p) <= 2:  # every occurrence starts some trigram: the trigrams starting with the part
        lo, hi = _prefix(p)
        n = store.con.execute("SELECT coalesce(sum(n), 0) FROM search_gram_df WHERE g >= ? AND g < ?", [lo, hi]).fetchone()[0]
        return "SELECT DISTINCT id FROM search_grams WHERE g >= ? AND g < ?", [lo, hi], int(n)
    grams_ = sorted({_pack(p[i:i + 3]) for i in range(len(p) - 2)})
    df = dict(store.con.execute("SELECT g, n FROM search_gram_df WHERE g IN (SELECT unnest(?::BIGINT[]))", [grams_]).fetchall())
    if len(df) < len(grams_):  # a trigram no enterprise holds: nothing can match
        return "SELECT NULL::BIGINT AS id WHERE false", [], 0
    rare = sorted(grams_, key=lambda g: df[g])[:max_grams]
    sql = " INTERSECT ".join("SELECT id FROM search_grams WHERE g = ?" for _ in rare)
    return f"({sql})", rare, int(df[rare[0]])
