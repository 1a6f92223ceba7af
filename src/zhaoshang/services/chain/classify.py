"""Rule-based enterprise classification onto a chain taxonomy (method ``rules-v1``).

The pipeline is set-based SQL in DuckDB, in chunks of enterprise ids (for a progress bar and bounded
memory); only the jieba check of ``token_only`` keywords runs in Python, on a small window around each
candidate match. Steps (formula in docs/methods.md "Chain classification"):

1. normalise each text field (half-width, lower case), drop registry boilerplate and exclusion clauses
   (不含…, 除…外, 不得从事…);
2. extract keyword matches with one combined RE2 alternation (longest keyword first, so a negative phrase
   such as 视觉传达 masks the shorter 视觉), → ``(id, field, keyword)``;
3. keep ``token_only`` matches only when jieba segments them as whole words;
4. score each (enterprise, node): keywords (field weight × tier weight, best field per keyword, minus
   negative phrases), patents' IPC classes, the GB/T 4754 industry code; level-3 evidence rolls up to
   the level-2 parent; gated stages need chain-relevance evidence;
5. add support from parent / child enterprises (branches, shareholdings ≥ 50 %) placed on the same node;
6. confidence = 1 − exp(−raw); threshold, top-k and relative cut-off; write ``placements`` in one
   transaction, replacing this chain's previous rows.
"""

from __future__ import annotations

import datetime as _dt
import functools
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ...core import dialect, explain, jsonenc
from ...core.asof import lives_on
from ...core.memory import capped, id_ranges
from .taxonomy import _FULL, _HALF, Taxonomy, install_taxonomy, keyword_regex, load_taxonomy, normalize_text  # noqa: F401

METHOD = "rules-v1"
# what the classifier reads beyond the enterprise's own columns, and the form of the evidence it stores: a run that
# read less, or stored its evidence in an earlier form (the pair reader's features by their model names, its part
# with a contribution of 0), is continued by a full one
EVIDENCE = "industry of every source record; pair features named in words"
FIELDS = ("name", "products", "products_rest", "products_side", "description", "applications", "industry", "scope", "scope_rest", "tags")
CHUNK = 200_000
TOKEN_BATCH = 50_000  # token_only matches checked (and their refusals written) per batch


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def norm_sql(expr: str, weights: dict[str, Any]) -> str:
    """SQL expression normalising a text column the way keywords are normalised, minus boilerplate."""
    out = f"lower(translate(coalesce({expr}, ''), {_lit(_FULL)}, {_lit(_HALF)}))"
    for rx in list(weights.get("boilerplate") or []) + list(weights.get("exclusions") or []):
        out = f"regexp_replace({out}, {_lit(rx)}, ' ', 'g')"
    return out


# ---------------------------------------------------------------------------- jieba check
class TokenChecker:
    """Whether a keyword occurs in a text as whole jieba words (domain dictionary = all keywords)."""

    def __init__(self, words: Iterable[str], window: int = 8):
        from ...core.text import domain_tokenizer

        self.tk = domain_tokenizer(w for w in words if w and not w.isascii())
        self.window = window
        # a segment's word bounds depend on the segment alone: remembered, as the same phrases recur in many rows
        self._bounds = functools.lru_cache(maxsize=1 << 16)(self._cut_bounds)

    def _cut_bounds(self, seg: str) -> frozenset[int]:
        """The offsets in ``seg`` where a jieba word starts or ends."""
        bounds = {0}
        pos = 0
        for tok in self.tk.cut(seg, HMM=False):
            pos += len(tok)
            bounds.add(pos)
        return frozenset(bounds)

    def ok(self, text: str, kw: str) -> bool:
        start = text.find(kw)
        while start >= 0:
            end = start + len(kw)
            lo = max(0, start - self.window)
            bounds = self._bounds(text[lo:end + self.window])
            if (start - lo) in bounds and (end - lo) in bounds:
                return True
            start = text.find(kw, start + 1)
        return False


@functools.lru_cache(maxsize=2)
def _checker(words: frozenset[str], window: int) -> TokenChecker:
    """One checker per keyword set for the process: loading jieba's dictionary costs seconds, and a run that
    places only the few enterprises an update changed should not pay it again."""
    return TokenChecker(words, window)


# ---------------------------------------------------------------------------- lookup tables
def _load(con, name: str, columns: list[str], rows: list[tuple], append: bool = False) -> None:
    """Create or replace a temp table from Python rows (or ``append`` them to it) in one Arrow insert."""
    import pyarrow as pa

    tbl = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
    con.register("zs_load_view", tbl)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM zs_load_view" if append else
                    f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM zs_load_view")
    finally:
        con.unregister("zs_load_view")


def _tables(con, tax: Taxonomy) -> dict[str, Any]:
    w = tax.weights
    tiers, fields = w["tiers"], w["fields"]
    roll = float(w.get("rollup", 1.0))
    kw_rows, tok_words = [], set(tax.gate_token_only)
    for kw, entries in tax.keyword_index.items():
        for e in entries:
            node = tax.nodes[e.node]
            weight = (float(w["negative"]) if e.tier == "negative" else float(w["industry_name_weight"])
                      if e.tier == "industry" else float(tiers.get(e.tier, 0)))
            sign = -1.0 if e.tier == "negative" else 1.0
            if e.token_only:
                tok_words.add(kw)
            targets = [(node.code, weight, node.code)]
            if node.level == 3 and e.tier != "negative":
                targets.append((node.parent, weight * roll, node.code))
            for code, wt, via in targets:
                kw_rows.append((kw, code, e.tier, wt, sign, e.token_only, via, tax.is_gated(code)))
    gate_rows = []
    all_kws = set(tax.keyword_index) | set(tax.gate_keywords)
    for kw in all_kws:
        if tax.gate_opening(kw) or kw in tax.gate_keywords:
            gate_rows.append((kw, kw in tax.gate_token_only))
    ipc_rows, icode_rows = [], []
    for n in tax.nodes.values():
        targets = [n.code] + ([n.parent] if n.level == 3 else [])
        for rx in n.ipc_regex:
            prefix = rx[1:5] if len(rx) >= 5 and rx.startswith("^") and rx[1:5].isalnum() else None
            for code in targets:
                ipc_rows.append((code, rx, prefix, n.code, tax.is_gated(code)))
        for c in n.industry_codes:
            for code in targets:
                icode_rows.append((code, c, n.code, tax.is_gated(code)))

    _load(con, "zs_kw", ["kw", "node", "tier", "weight", "sign", "token_only", "via", "gated"],
          kw_rows or [("", "", "", 0.0, 0.0, False, "", False)])
    _load(con, "zs_gatekw", ["kw", "needs_tok"], gate_rows or [("", False)])
    _load(con, "zs_ipc", ["node", "rx", "prefix", "via", "gated"], ipc_rows or [("", "^$", "", "", False)])
    _load(con, "zs_icode", ["node", "code", "via", "gated"], icode_rows or [("", "-", "", False)])
    _load(con, "zs_fw", ["field", "w"], [(f, float(fields.get(f, 0.0))) for f in FIELDS])
    # a node's own field weights (``node_fields``) replace the common ones for its keywords and its sub-nodes'
    nf = w.get("node_fields") or {}
    nf_rows = [(n.code, f, float(v)) for n in tax.nodes.values() if n.level >= 2
               for f, v in (nf.get(tax.ancestor_at(n.code, 2).code) or {}).items()]
    _load(con, "zs_nfw", ["node", "field", "w"], nf_rows or [("", "", 0.0)])
    _load(con, "zs_levels", ["node", "level", "parent"], [(n.code, n.level, n.parent or "") for n in tax.nodes.values()])
    # node keywords and gate keywords are matched by two alternations, so that a gate word (人工智能) never
    # shadows an overlapping node keyword (人工智能客服 → 智能客服)
    def alternation(ws):
        ws = sorted(ws, key=lambda k: (-len(k), k))
        return "(?:" + "|".join(keyword_regex(k) for k in ws) + ")" if ws else None
    patterns = [p for p in (alternation(tax.keyword_index), alternation(set(tax.gate_keywords) - set(tax.keyword_index))) if p]
    # ``overlapping_matches``: a keyword match masks only the keywords it contains, not one it runs into —
    # 云计算服务器 is read as 云计算服务 and 服务器 (the leftmost-longest alternation alone reads 云计算服务 + 器).
    # Pairs (a, a + the rest of b, b) of Chinese node keywords where an end of a is a start of b, neither holding
    # the other: where the text holds the joined string beside a match of a, b is matched too.
    overlap = []
    if w.get("overlapping_matches"):
        cjk = sorted(k for k in tax.keyword_index if k and not any(c.isascii() and c.isalnum() for c in k))
        by_start: dict[str, list[str]] = {}
        for b in cjk:
            by_start.setdefault(b[0], []).append(b)
        for a in cjk:
            for o in range(1, len(a)):
                for b in by_start.get(a[-o], ()):
                    if len(b) > o and b.startswith(a[-o:]) and a not in b and b not in a:
                        overlap.append((a, a + b[o:], b))
    _load(con, "zs_overlap", ["kw_a", "joined", "kw_b"], overlap or [("", "", "")])
    return {"patterns": patterns, "tok_words": tok_words, "all_kws": all_kws, "overlap": bool(overlap)}


NORM_COLS = ("name", "products", "products_side", "description", "industry", "scope", "tags")
# the enterprise's text joined to its product lines split by share (``_product_lines``) and to its industry
# evidence (``_industry_evidence``): FROM clause of every step that reads the fields
ENTERPRISE_TEXT = "enterprises e LEFT JOIN zs_plines pl ON pl.id = e.id LEFT JOIN zs_ind ind ON ind.id = e.id"
# the industry the classifier and the model's check read: ``e`` joined to ``zs_ind ind`` as in ENTERPRISE_TEXT
INDUSTRY = "coalesce(ind.industry, e.industry)"


def _industry_evidence(con) -> None:
    """``zs_ind`` (id, industry, values): the industry evidence of the enterprises in scope whose source records
    describe an industry their current one is not. A second classification scheme (Shenwan level 3 beside the
    exchange list's sector) is not an older value of the first: the current industry is read first, then every
    other distinct value a linked source record gives (``record_value_sql``, first record first), joined by a
    space; ``values`` lists each value with the source that first gave it, for the explained evidence. One pass
    over enterprise_records; an enterprise without another value reads its own industry alone."""
    from ...core.importers.enterprises import record_value_sql

    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_ind AS
        WITH r AS (
            SELECT r.enterprise_id AS id, trim({record_value_sql('industry')}) AS v, r.source, r.record_id
            FROM enterprise_records r JOIN enterprises e ON e.id = r.enterprise_id
            WHERE r.enterprise_id IN (SELECT id FROM zs_scope)),
        v AS (SELECT id, v, arg_min(source, record_id) AS source, min(record_id) AS k FROM r
              WHERE v IS NOT NULL AND v <> '' GROUP BY id, v)
        SELECT e.id,
               concat_ws(' ', nullif(trim(e.industry), ''),
                         string_agg(v.v, ' ' ORDER BY v.k) FILTER (WHERE v.v IS DISTINCT FROM trim(e.industry))) AS industry,
               list(struct_pack(value := v.v, source := v.source) ORDER BY v.v IS DISTINCT FROM trim(e.industry), v.k) AS "values"
        FROM v JOIN enterprises e ON e.id = v.id
        GROUP BY e.id, e.industry
        HAVING count(*) FILTER (WHERE v.v IS DISTINCT FROM trim(e.industry)) > 0""")


def _product_lines(con, tax: Taxonomy) -> None:
    """``zs_plines`` (id, major, minor): the product lines of enterprises whose stored lines (``product_lines``)
    carry shares, split by ``products_share_min``. A line whose share is below it is a side line (``minor``,
    matched as ``products_side``), except the enterprise's first line; the other lines, and lines without a share,
    keep their order as ``major``, which replaces the products text. Empty when the weight is unset: the products
    text is read by position alone."""
    t = tax.weights.get("products_share_min")
    con.execute("CREATE OR REPLACE TEMP TABLE zs_plines (id BIGINT, major VARCHAR, minor VARCHAR)")
    if t is None:
        return
    con.execute(f"""INSERT INTO zs_plines
        WITH l AS (SELECT enterprise_id AS id, product, share, row_number() OVER (
                       PARTITION BY enterprise_id ORDER BY source, line_no) AS k FROM product_lines),
             s AS (SELECT id, product, k, (share IS NOT NULL AND share < {float(t)} AND k > 1) AS side FROM l)
        SELECT id, string_agg(product, '、' ORDER BY k) FILTER (WHERE NOT side),
               string_agg(product, '、' ORDER BY k) FILTER (WHERE side)
        FROM s GROUP BY id HAVING bool_or(side)""")


def _norm_exprs(tax: Taxonomy) -> dict[str, str]:
    """Each text column of ``enterprises e`` normalised once (half-width, lower case, boilerplate removed)."""
    w = tax.weights
    cols = {c: f"e.{c}" for c in NORM_COLS}
    cols["industry"] = INDUSTRY
    cols["products"] = "CASE WHEN pl.id IS NULL THEN e.products ELSE pl.major END"
    cols["products_side"] = "pl.minor"
    cols["tags"] = "array_to_string(e.tags, ' ')"
    return {c: (f"ltrim({norm_sql(x, w)})" if c == "scope" else norm_sql(x, w)) for c, x in cols.items()}


def _field_exprs(tax: Taxonomy, cols: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(field, SQL text) pairs over normalised columns (``cols``: column → SQL; default: normalised here).

    经营范围 is split: its first ``scope_head_chars`` characters (extended to the end of the item) name the
    main business; the rest is a registry list of side lines and weighs less (``scope_rest``). Main products
    come ordered by revenue share, so the first ``products_head_chars`` weigh more than the rest. Clauses of
    a description that name markets served (应用于…, 面向…, …等领域) are ``applications``."""
    w = tax.weights
    c = cols or _norm_exprs(tax)
    shead = f"regexp_extract({c['scope']}, '^.{{0,{int(w['scope_head_chars'])}}}[^;,。、]*')"
    phead = f"regexp_extract({c['products']}, '^.{{0,{int(w['products_head_chars'])}}}[^;,。、]*')"
    app = _lit(w.get("application_clause") or "^$")
    # sector names that hold a node's industry name but name other firms (CSRC 金融业: banks, brokers, insurers)
    # are no evidence: removed from the industry field before matching (``industry_exclusions``)
    industry = c["industry"]
    for rx in w.get("industry_exclusions") or []:
        industry = f"regexp_replace({industry}, {_lit(rx)}, ' ', 'g')"
    return [
        ("name", c["name"]),
        ("products", phead),
        ("products_rest", f"substr({c['products']}, length({phead}) + 1)"),
        ("products_side", c["products_side"]),
        ("description", f"regexp_replace({c['description']}, {app}, ' ', 'g')"),
        ("applications", f"array_to_string(regexp_extract_all({c['description']}, {app}), ' ')"),
        ("industry", industry),
        ("scope", shead),
        ("scope_rest", f"substr({c['scope']}, length({shead}) + 1)"),
        ("tags", c["tags"]),
    ]


# ---------------------------------------------------------------------------- main entry
def classify(store, taxonomy: Taxonomy | None = None, as_of: _dt.date | str | None = None,
             enterprise_ids: Iterable[int] | None = None,
             on_progress: Callable[..., None] | None = None, team=None, use_model: bool = True,
             incremental: bool = False) -> dict[str, Any]:
    """Place enterprises on the chain's nodes; replace this chain's placements; return a summary.

    ``use_model`` lets the chain's trained model (model.py) check the rule placements; False = rules only.
    ``incremental`` re-places only the enterprises whose evidence changed since the last run with the same
    settings (incremental.py), when there was one; the summary's ``mode`` says which run it was.

    ``team`` (the team state) holds analysts' decisions, re-applied after the rules (``corrections.apply``).

    The run holds at most the batch memory cap (``ZHAOSHANG_BATCH_MEMORY``, default 2GB, core/memory.py);
    DuckDB spills beyond it, and the steps that would hold every enterprise at once run by id ranges."""
    with capped(store.con):
        try:
            return _classify(store, taxonomy, as_of, enterprise_ids, on_progress, team, use_model, incremental)
        finally:  # a run stopped half-way leaves no working tables holding memory either
            for tname in ("zs_hits", "zs_chunk", "zs_direct", "zs_kwscore", "zs_rel", "zs_scope", "zs_final",
                          "zs_branch", "zs_norm", "zs_txt", "zs_ipcscore", "zs_gate", "zs_tokhits", "zs_bad", "zs_plines", "zs_overlap", "zs_ind", "zs_indsrc", "zs_relevant",
                          "zs_rules"):
                store.con.execute(f"DROP TABLE IF EXISTS {tname}")


def _classify(store, taxonomy, as_of, enterprise_ids, on_progress, team, use_model, incremental) -> dict[str, Any]:
    t0 = time.perf_counter()
    tax = taxonomy or load_taxonomy()
    w = tax.weights
    as_of = _as_date(as_of)
    con = store.con
    install_taxonomy(store, tax)
    meta = _tables(con, tax)

    from . import incremental as inc

    mode, changed, full_because = "full", None, None
    if incremental and as_of is None and enterprise_ids is None:
        full_because = inc.full_because(store, tax, use_model, _settings(tax))
        changed = inc.changed_since(store, tax) if full_because is None else None
        if changed is not None:
            mode, enterprise_ids = "incremental", changed
    # the enterprises in scope: as of a date, those living then (core.asof: founded, and not ended by a dissolution or
    # by a status saying it ended, recorded by then)
    cond = ["TRUE"]
    params: list[Any] = []
    if as_of is not None:
        cond.append(lives_on(as_of))
    con.execute("CREATE OR REPLACE TEMP TABLE zs_scope (id BIGINT)")
    subset = None
    if enterprise_ids is not None:
        subset = sorted({int(i) for i in enterprise_ids})
        import pyarrow as pa

        con.register("zs_req_view", pa.table({"id": pa.array(subset, pa.int64())}))
        con.execute("CREATE OR REPLACE TEMP TABLE zs_req AS SELECT id FROM zs_req_view")
        con.unregister("zs_req_view")
    _relations(con, w, as_of)
    if changed is not None:  # their parents and children read their direct scores: placed again too
        con.execute("INSERT INTO zs_req SELECT DISTINCT b FROM zs_rel WHERE a IN (SELECT id FROM zs_req) "
                    "AND b NOT IN (SELECT id FROM zs_req)")
        subset = [r[0] for r in con.execute("SELECT id FROM zs_req ORDER BY id").fetchall()]
    if subset is not None:
        # the requested enterprises and their related ones (for relation evidence)
        con.execute(f"""INSERT INTO zs_scope SELECT e.id FROM enterprises e WHERE {' AND '.join(cond)} AND e.id IN (
            SELECT id FROM zs_req UNION SELECT b FROM zs_rel WHERE a IN (SELECT id FROM zs_req))""", params)
    else:
        con.execute(f"INSERT INTO zs_scope SELECT e.id FROM enterprises e WHERE {' AND '.join(cond)}", params)
    total = con.execute("SELECT count(*) FROM zs_scope").fetchone()[0]
    if on_progress:
        on_progress(0, total=total)

    # every step that reads all enterprises runs range by range of ids (bounded memory at any scale)
    ranges = id_ranges(con, "zs_scope", CHUNK)
    # 2. keyword matches, chunk by chunk (product lines split by share first, every source's industry)
    _product_lines(con, tax)
    _industry_evidence(con)
    con.execute("CREATE OR REPLACE TEMP TABLE zs_hits (id BIGINT, field VARCHAR, kw VARCHAR, tok_ok BOOLEAN)")
    if meta["patterns"] and total:
        # per chunk: normalise each column once, cut the fields once, then run every alternation over them
        norm = ", ".join(f"{x} AS {c}" for c, x in _norm_exprs(tax).items())
        fields = " UNION ALL ".join(f"SELECT id, '{f}' AS field, {x} AS txt FROM zs_norm"
                                    for f, x in _field_exprs(tax, {c: c for c in NORM_COLS}))
        sel = " UNION ALL ".join(f"SELECT id, field, unnest(regexp_extract_all(txt, {_lit(pat)})) AS kw FROM zs_txt"
                                 for pat in meta["patterns"])
        for start, end in ranges:
            con.execute("CREATE OR REPLACE TEMP TABLE zs_chunk AS SELECT id FROM zs_scope WHERE id BETWEEN ? AND ?",
                        [start, end])
            n = con.execute("SELECT count(*) FROM zs_chunk").fetchone()[0]
            if n:
                con.execute(f"CREATE OR REPLACE TEMP TABLE zs_norm AS SELECT e.id, {norm} FROM {ENTERPRISE_TEXT} "
                            "JOIN zs_chunk c ON c.id = e.id")
                con.execute(f"CREATE OR REPLACE TEMP TABLE zs_txt AS SELECT * FROM ({fields}) WHERE txt <> ''")
                con.execute(f"INSERT INTO zs_hits SELECT DISTINCT id, field, kw, TRUE FROM ({sel})")
                if meta["overlap"]:  # keywords a match ran into (``overlapping_matches``)
                    con.execute("""INSERT INTO zs_hits SELECT DISTINCT t.id, t.field, o.kw_b, TRUE FROM zs_txt t
                        JOIN (SELECT DISTINCT id, field, kw FROM zs_hits WHERE id BETWEEN ? AND ?) h
                          ON h.id = t.id AND h.field = t.field
                        JOIN zs_overlap o ON o.kw_a = h.kw
                        WHERE contains(t.txt, o.joined) AND NOT EXISTS (SELECT 1 FROM zs_hits x
                          WHERE x.id = t.id AND x.field = t.field AND x.kw = o.kw_b)""", [start, end])
            if on_progress:
                on_progress(n)

    # 3. jieba check of token_only matches
    _check_tokens(con, tax, meta["tok_words"])

    # 4. direct scores
    _score(con, tax, as_of, ranges)

    # 5-6. relations, final placements
    info: dict[str, Any] = {}
    n_written = _place(store, tax, subset, team, as_of, use_model, ranges, info)
    if as_of is not None:
        inc.forget(store, tax)  # placements as of a past date: the next incremental run is a full one
    elif subset is None or mode == "incremental":
        inc.record(store, tax, use_model, _settings(tax))
    from ..regions.stored import refresh as refresh_matrix

    # the stored region matrix: only the re-placed enterprises' regions and nodes, or rebuilt after a full run
    summary_matrix = refresh_matrix(store, tax.chain, ids=subset or (), full=subset is None)
    from .summary import summarize

    summary = summarize(store, tax, as_of=as_of, enterprise_ids=None if mode == "incremental" else subset, method=METHOD)
    summary["mode"] = mode
    if mode == "full" and full_because not in (None, "first"):
        summary["full_because"] = full_because  # a full run where an incremental one was asked: why
    # the placements' explanation names the trained model that checked them; the summary says so too (the model
    # ``_place`` loaded: the file is read once per run)
    summary["checked_by_model"] = info.get("checked_by_model")
    summary["pair_reader"] = info.get("pair_reader")  # None: the model holds no pair reader (or none was used)
    summary["reclassified"] = len(subset) if subset is not None else int(total)
    summary["placements_written"] = n_written
    summary["matrix"] = summary_matrix[0] if summary_matrix else None
    summary["seconds"] = round(time.perf_counter() - t0, 3)
    return summary


def _as_date(v) -> _dt.date | None:
    """A given as-of date through the one parser; None classifies everything."""
    from ...core.asof import as_of_date

    return as_of_date(v)


def _relations(con, w: dict[str, Any], as_of) -> None:
    """Parent/child pairs (both directions): branches, and shareholdings ≥ relation_min_percent."""
    pct = float(w["relation_min_percent"])
    d_b = "AND (date IS NULL OR date <= ?)" if as_of else ""
    d_s = "AND (start_date IS NULL OR start_date <= ?) AND (end_date IS NULL OR end_date > ?)" if as_of else ""
    params = ([as_of] if as_of else []) + [pct] + ([as_of, as_of] if as_of else [])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_rel AS
        WITH r AS (
            SELECT parent_id AS a, child_id AS b, coalesce(kind, 'branch') AS kind FROM branches
            WHERE parent_id IS NOT NULL AND child_id IS NOT NULL {d_b}
            UNION ALL
            SELECT holder_enterprise_id, enterprise_id, 'shareholding' FROM shareholdings
            WHERE holder_enterprise_id IS NOT NULL AND enterprise_id IS NOT NULL AND percent >= ? {d_s})
        SELECT DISTINCT a, b, 'child' AS role, kind FROM r WHERE a <> b
        UNION SELECT DISTINCT b, a, 'parent', kind FROM r WHERE a <> b""", params)


def _check_tokens(con, tax: Taxonomy, tok_words: set[str]) -> None:
    if not tok_words:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE zs_tokw (kw VARCHAR)")
    con.executemany("INSERT INTO zs_tokw VALUES (?)", [(k,) for k in sorted(tok_words)])
    n = con.execute("SELECT count(*) FROM zs_hits WHERE kw IN (SELECT kw FROM zs_tokw)").fetchone()[0]
    if not n:
        return
    cases = " ".join(f"WHEN '{f}' THEN {expr}" for f, expr in _field_exprs(tax))
    checker = _checker(frozenset(set(tax.keyword_index) | set(tax.gate_keywords)), int(tax.weights.get("token_window", 8)))
    # the matches are read in id ranges of about TOKEN_BATCH matches and the refused ones written range by
    # range: Python holds one range at a time, whatever the number of enterprises
    con.execute("""CREATE OR REPLACE TEMP TABLE zs_tokhits AS SELECT DISTINCT id, field, kw FROM zs_hits
                   WHERE kw IN (SELECT kw FROM zs_tokw)""")
    con.execute("CREATE OR REPLACE TEMP TABLE zs_bad (id BIGINT, field VARCHAR, kw VARCHAR)")
    for start, end in id_ranges(con, "zs_tokhits", TOKEN_BATCH):
        rows = con.execute(f"""SELECT h.id, h.field, h.kw, CASE h.field {cases} END AS txt
            FROM zs_tokhits h JOIN {ENTERPRISE_TEXT} ON e.id = h.id WHERE h.id BETWEEN ? AND ?""",
                           [start, end]).fetchall()
        bad = [(eid, field, kw) for eid, field, kw, txt in rows if not checker.ok(txt or "", kw)]
        if bad:
            _load(con, "zs_bad", ["id", "field", "kw"], bad, append=True)
    con.execute("UPDATE zs_hits SET tok_ok = FALSE FROM zs_bad b "
                "WHERE zs_hits.id = b.id AND zs_hits.field = b.field AND zs_hits.kw = b.kw")
    con.execute("DROP TABLE IF EXISTS zs_bad")
    con.execute("DROP TABLE IF EXISTS zs_tokhits")


def _score(con, tax: Taxonomy, as_of, ranges: list[tuple[int, int]]) -> None:
    """Direct scores per (enterprise, node) into ``zs_direct``, one id range at a time: an enterprise's score
    reads its own evidence only, and the ordered evidence lists DuckDB cannot spill stay one range's worth."""
    for i, (lo, hi) in enumerate(ranges or [(0, -1)]):
        _score_range(con, tax, as_of, lo, hi, first=i == 0)


def _score_range(con, tax: Taxonomy, as_of, lo: int, hi: int, first: bool) -> None:
    w = tax.weights
    # branches (分公司, 营业部 …) register their parent's licensed scope: it is weaker evidence of what they do
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_branch AS SELECT e.id FROM enterprises e
        WHERE e.id BETWEEN {lo} AND {hi} AND e.id IN (SELECT id FROM zs_scope) AND regexp_matches(e.name, {_lit(w.get("branch_name") or "^$")})""")
    bf = float(w["branch_scope_factor"])
    # keywords: best field per (enterprise, node, keyword); industry names count only in the industry field
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_kwscore AS
        WITH m AS (
            SELECT h.id, k.node, h.kw, h.field, k.tier, k.sign, k.gated,
                   k.weight * coalesce(nf.w, fw.w) * CASE WHEN h.field IN ('scope', 'scope_rest') AND b.id IS NOT NULL
                                          THEN {bf} ELSE 1 END AS w
            FROM zs_hits h JOIN zs_kw k ON k.kw = h.kw JOIN zs_fw fw ON fw.field = h.field
            LEFT JOIN zs_nfw nf ON nf.node = k.node AND nf.field = h.field
            LEFT JOIN zs_branch b ON b.id = h.id
            WHERE h.id BETWEEN {lo} AND {hi} AND (h.tok_ok OR NOT k.token_only) AND coalesce(nf.w, fw.w) > 0 AND (k.tier <> 'industry' OR h.field = 'industry'))
        SELECT id, node, kw,
               arg_max(tier, struct_pack(w := w, f := field, t := tier)) AS tier,
               arg_max(field, struct_pack(w := w, f := field, t := tier)) AS field,
               max(w) AS w, any_value(sign) AS sign, any_value(gated) AS gated
        FROM m GROUP BY id, node, kw""")
    # patents
    sat = float(w["ipc_saturation"])
    pdate = "AND (coalesce(p.applied, p.published, p.granted) IS NULL OR coalesce(p.applied, p.published, p.granted) <= ?)" if as_of else ""
    # each distinct class is tried against the patterns once (a pattern read from a column is compiled for every
    # row it is tried on), then joined back to the patents that carry it: the same rows as trying every patent's
    # class, in a small fraction of the time (a few hundred classes against hundreds of thousands of pairs)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_ipcscore AS
        WITH pc AS (
            SELECT DISTINCT pa.enterprise_id AS id, p.id AS pid, upper(replace(c, ' ', '')) AS cls
            FROM patent_applicants pa JOIN patents p ON p.id = pa.patent_id,
                 unnest(CASE WHEN p.ipc IS NULL OR len(p.ipc) = 0 THEN [p.main_ipc] ELSE p.ipc END) AS u(c)
            WHERE pa.enterprise_id BETWEEN {lo} AND {hi} AND pa.enterprise_id IN (SELECT id FROM zs_scope)
                  AND c IS NOT NULL {pdate}),
        hit AS (SELECT c.cls, i.node, i.gated FROM (SELECT DISTINCT cls FROM pc) c
                JOIN zs_ipc i ON (i.prefix IS NULL OR left(c.cls, 4) = i.prefix) AND regexp_matches(c.cls, i.rx))
        SELECT pc.id, hit.node, count(DISTINCT pc.pid) AS n, list(DISTINCT pc.cls ORDER BY pc.cls)[1:5] AS classes,
               any_value(hit.gated) AS gated
        FROM pc JOIN hit ON hit.cls = pc.cls
        GROUP BY pc.id, hit.node""", [as_of] if as_of else [])
    # gate: chain relevance per enterprise
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_gate AS
        SELECT DISTINCT h.id FROM zs_hits h JOIN zs_gatekw g ON g.kw = h.kw
        WHERE h.id BETWEEN {lo} AND {hi} AND (h.tok_ok OR NOT g.needs_tok)
        UNION SELECT DISTINCT id FROM zs_ipcscore WHERE NOT gated""")
    # every range's relevant enterprises, kept for the pair reader (it reads a gated node under the same gate)
    con.execute(("CREATE OR REPLACE TEMP TABLE zs_relevant AS" if first else "INSERT INTO zs_relevant") + " SELECT id FROM zs_gate")
    # which industry value (and the source that gave it) holds each industry-field keyword: the explained
    # evidence names it; an enterprise with one industry value reads its own field (no source named)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE zs_indsrc AS
        WITH k AS (SELECT DISTINCT id, node, kw FROM zs_kwscore WHERE field = 'industry'),
        u AS (SELECT id, unnest("values") AS v, generate_subscripts("values", 1) AS pos FROM zs_ind
              WHERE id IN (SELECT id FROM k)),
        v AS (SELECT id, v.value AS value, v.source AS source, pos FROM u
              UNION ALL SELECT e.id, e.industry, NULL, 1 FROM enterprises e
              WHERE e.id IN (SELECT id FROM k) AND e.id NOT IN (SELECT id FROM zs_ind) AND e.industry IS NOT NULL),
        m AS (SELECT DISTINCT k.id, k.node, v.value, v.source, v.pos FROM k JOIN v ON v.id = k.id
              AND contains({norm_sql("v.value", w)}, k.kw))
        SELECT id, node, list(struct_pack(value := value, source := source) ORDER BY pos) AS industries
        FROM m GROUP BY id, node""")
    icw = float(w["industry_code_weight"])
    ipcw = float(w["ipc_weight"])
    into = "CREATE OR REPLACE TEMP TABLE zs_direct AS" if first else "INSERT INTO zs_direct"
    con.execute(f"""{into}
        WITH kw AS (
            -- rounded: a parallel sum adds a group's weights in any order, and the last bits of the total with it;
            -- two nodes whose words weigh the same must tie the same way every run (max_nodes, the relative cut-off)
            SELECT id, node, any_value(gated) AS gated,
                   round(coalesce(sum(w) FILTER (WHERE sign > 0 AND tier IN ('strong', 'industry')), 0)
                     + least({float(w["support_cap"])}, coalesce(sum(w) FILTER (WHERE sign > 0 AND tier NOT IN ('strong', 'industry')), 0))
                     - coalesce(sum(w) FILTER (WHERE sign < 0), 0), 9) AS text_score,
                   list(struct_pack(field := field, keyword := kw, tier := tier, weight := round(w, 3))
                        ORDER BY w DESC, kw) FILTER (WHERE sign > 0) AS keywords,
                   list(struct_pack(field := field, keyword := kw) ORDER BY field, kw) FILTER (WHERE sign < 0) AS negatives
            FROM zs_kwscore GROUP BY id, node),
        ic AS (
            SELECT e.id, i.node, any_value(i.gated) AS gated, max(regexp_replace(e.industry_code, '[^0-9]', '', 'g')) AS code
            FROM enterprises e JOIN zs_icode i
              ON starts_with(regexp_replace(e.industry_code, '[^0-9]', '', 'g'), i.code)
            WHERE e.industry_code IS NOT NULL AND e.id BETWEEN {lo} AND {hi} AND e.id IN (SELECT id FROM zs_scope)
            GROUP BY e.id, i.node),
        allk AS (SELECT id, node, gated FROM kw UNION SELECT id, node, gated FROM zs_ipcscore
                 UNION SELECT id, node, gated FROM ic)
        SELECT *, greatest(0, text_score + ipc_score + icode_score) AS raw FROM (
        SELECT a.id, a.node,
               coalesce(kw.text_score, 0) AS text_score,
               CASE WHEN ip.n IS NULL THEN 0 ELSE {ipcw} * least(1.0, ip.n / {sat}) END AS ipc_score,
               CASE WHEN ic.code IS NOT NULL THEN {icw} ELSE 0 END AS icode_score,
               kw.keywords, kw.negatives, ip.n AS patents, ip.classes AS ipc_classes, ic.code AS industry_code,
               ind.industries
        FROM allk a
        LEFT JOIN kw ON kw.id = a.id AND kw.node = a.node
        LEFT JOIN zs_indsrc ind ON ind.id = a.id AND ind.node = a.node
        LEFT JOIN zs_ipcscore ip ON ip.id = a.id AND ip.node = a.node
        LEFT JOIN ic ON ic.id = a.id AND ic.node = a.node
        WHERE NOT a.gated OR a.id IN (SELECT id FROM zs_gate))""")


FORMULA = "confidence = 1 − exp(−max(0, Σ contribution))"


def _settings(tax: Taxonomy) -> dict[str, str]:
    """The method, parameter hash and evidence an incremental run must share with the run it continues."""
    return {"method": METHOD, "params": explain_params(tax)[1], "evidence": EVIDENCE}


def explain_params(tax: Taxonomy) -> tuple[dict, str]:
    """The settings a placement shows, and the fingerprint of everything that decides it (taxonomy file and
    weights)."""
    w = tax.weights
    params = {"chain": tax.chain, "taxonomy": Path(tax.path).name if tax.path else None,
              **{k: w.get(k) for k in ("min_confidence", "ipc_weight", "ipc_saturation", "industry_code_weight",
                                        "relation_weight", "max_nodes", "relative_cutoff")}}
    text = Path(tax.path).read_text(encoding="utf-8") if tax.path and Path(tax.path).is_file() else tax.chain
    return params, explain.params_hash({"taxonomy": text, "weights": w})


def _evidence_sql(tax: Taxonomy, as_of=None) -> str:
    """A placement's evidence as an ``Explained`` (core/explain.py), built in SQL: value = the node, parts =
    text keywords, patents' IPC classes, the industry code and related enterprises, each with its raw value,
    weight and contribution to the raw score; evidence = the enterprise's row, its patents, the related rows."""
    d = dialect.current()
    w = tax.weights
    ipcw, icw, relw = float(w["ipc_weight"]), float(w["industry_code_weight"]), float(w["relation_weight"])
    params, phash = explain_params(tax)
    lit = dialect.literal
    parts = d.list_of([
        explain.sql_part(signal="'text'", raw=d.json_value("round(text_score, 4)"), weight="1.0",
                         contribution="round(text_score, 4)",
                         detail=d.json_value(d.struct({"keywords": "coalesce(keywords, [])",
                                                      "negatives": "coalesce(negatives, [])",
                                                      "industries": "coalesce(industries, [])"}))),
        explain.sql_part(signal="'ipc'", label="array_to_string(ipc_classes, ' ')",
                         raw=d.json_value("coalesce(patents, 0)"), normalised=f"round(ipc_score / {ipcw}, 4)" if ipcw else "NULL",
                         weight=repr(ipcw), contribution="round(ipc_score, 4)",
                         detail=d.json_value(d.struct({"classes": "coalesce(ipc_classes, [])"}))),
        explain.sql_part(signal="'industry_code'", label="industry_code", raw=d.json_value("industry_code"),
                         normalised="CASE WHEN industry_code IS NULL THEN 0.0 ELSE 1.0 END", weight=repr(icw),
                         contribution="round(icode_score, 4)"),
        explain.sql_part(signal="'relation'", raw=d.json_value(f"round(rel_score / {relw}, 4)" if relw else "0"),
                         normalised=f"round(rel_score / {relw}, 4)" if relw else "NULL", weight=repr(relw),
                         contribution="round(rel_score, 4)",
                         detail=d.json_value(d.struct({"related": "coalesce(related, [])"}))),
    ])
    refs = d.list_of([
        explain.sql_ref(table="'enterprises'", ids="[id]"),
        f"CASE WHEN coalesce(patents, 0) > 0 THEN "
        + explain.sql_ref(table="'patents'", where=d.json_value(d.struct({"applicant": "id", "ipc": "ipc_classes"})),
                          note="CAST(patents AS VARCHAR) || ' patents'") + " END",
        f"CASE WHEN len(coalesce(related, [])) > 0 THEN "
        + explain.sql_ref(table="'enterprises'", ids=d.list_map("related", "r", "r.id"), note="'related'") + " END",
    ])
    method, version = METHOD.rsplit("-v", 1)
    return explain.sql_object(
        value="node", method=lit(method), version=lit(version), params=d.json_literal(jsonenc.dumps(params)),
        params_hash=lit(phash),
        parts=d.list_filter(parts, "p", "p.signal = 'text' OR p.contribution <> 0"),
        evidence=d.list_filter_nonnull(refs), confidence="round(conf, 4)",
        as_of=lit(as_of.isoformat()) if as_of else "NULL", formula=lit(FORMULA))


def _place_range(con, tax: Taxonomy, as_of, lo: int, hi: int, first: bool) -> None:
    """Final placements of the enterprises ``lo``..``hi`` into ``zs_final``: relation support, thresholds, top-k,
    explained evidence."""
    w = tax.weights
    minc = float(w["min_confidence"])
    relw = float(w["relation_weight"])
    into = "CREATE OR REPLACE TEMP TABLE zs_final AS" if first else "INSERT INTO zs_final"
    con.execute(f"""{into}
        WITH d AS (SELECT *, 1 - exp(-raw) AS conf FROM zs_direct WHERE id BETWEEN {lo} AND {hi}),
        rel AS (
            SELECT r.a AS id, d.node, max(d.conf) AS best,
                   list(struct_pack(id := r.b, role := r.role, kind := r.kind, confidence := round(d.conf, 3))
                        ORDER BY d.conf DESC, r.b)[1:5] AS related
            FROM zs_rel r JOIN (SELECT id, node, 1 - exp(-raw) AS conf FROM zs_direct) d
              ON d.id = r.b AND d.conf >= {minc}
            WHERE r.a BETWEEN {lo} AND {hi} AND r.a IN (SELECT id FROM zs_scope)
            GROUP BY r.a, d.node),
        s AS (
            SELECT coalesce(d.id, rel.id) AS id, coalesce(d.node, rel.node) AS node,
                   coalesce(d.text_score, 0) AS text_score, coalesce(d.ipc_score, 0) AS ipc_score,
                   coalesce(d.icode_score, 0) AS icode_score, coalesce({relw} * rel.best, 0) AS rel_score,
                   d.keywords, d.negatives, d.patents, d.ipc_classes, d.industry_code, d.industries, rel.related
            FROM d FULL OUTER JOIN rel ON rel.id = d.id AND rel.node = d.node),
        t AS (
            SELECT s.*, greatest(0, text_score + ipc_score + icode_score + rel_score) AS raw, l.level, l.parent
            FROM s JOIN zs_levels l ON l.node = s.node),
        c AS (SELECT *, 1 - exp(-raw) AS conf FROM t),
        l2 AS (
            SELECT *, row_number() OVER (PARTITION BY id ORDER BY raw DESC, node) AS rk,
                   max(raw) OVER (PARTITION BY id) AS best
            FROM c WHERE level = 2 AND conf >= {minc}),
        keep2 AS (SELECT * FROM l2 WHERE rk <= {int(w['max_nodes'])} AND raw >= {float(w['relative_cutoff'])} * best),
        keep3 AS (SELECT c.* FROM c JOIN keep2 p ON p.id = c.id AND p.node = c.parent
                  WHERE c.level = 3 AND c.conf >= {minc})
        SELECT id, node, conf, {_evidence_sql(tax, as_of)} AS evidence
        FROM (SELECT id, node, conf, keywords, negatives, patents, ipc_classes, industry_code, industries, related,
                     text_score, ipc_score, icode_score, rel_score, raw FROM keep2
              UNION ALL
              SELECT id, node, conf, keywords, negatives, patents, ipc_classes, industry_code, industries, related,
                     text_score, ipc_score, icode_score, rel_score, raw FROM keep3)""")


def _place(store, tax: Taxonomy, subset: list[int] | None, team=None, as_of=None, use_model: bool = True,
           ranges: list[tuple[int, int]] = (), info: dict | None = None) -> int:
    """Final placements: rules, the model's check, the pair reader when the model has one (``info["pair_reader"]``:
    how many enterprises it read — registration-like ones never reach it), analysts' decisions. ``info["checked_by_model"]``:
    the digest of the model that checked them (None: rules only)."""
    con = store.con
    info = {} if info is None else info
    # range by range of ids: an enterprise's placements read its own direct scores and its related ones'
    for i, (lo, hi) in enumerate(ranges or [(0, -1)]):
        _place_range(con, tax, as_of, lo, hi, first=i == 0)
    if subset is not None:
        con.execute("DELETE FROM zs_final WHERE id NOT IN (SELECT id FROM zs_req)")
    from .model import check_placements, load

    model = load(tax) if use_model else None
    if model is not None and model.pairs is not None:  # the rules' own placements, read by the pair reader
        con.execute("CREATE OR REPLACE TEMP TABLE zs_rules AS SELECT id, node, conf, evidence FROM zs_final")
    if model is not None:
        check_placements(con, tax, model)
    if model is not None and model.pairs is not None:
        from .pairs import read_placements

        info["pair_reader"] = {"read": read_placements(con, tax, model, subset is not None,
                                                     explain=(METHOD, explain_params(tax))), "model": model.digest}
        con.execute("DROP TABLE IF EXISTS zs_rules")
    if model is not None:
        model.forget()  # the texts' counts the check kept for the pair reader
    info["checked_by_model"] = {"digest": model.digest} if model is not None else None
    n = con.execute("SELECT count(*) FROM zs_final").fetchone()[0]
    from .corrections import apply, forget_removed

    with store.transaction() as tx:
        forget_removed(store, tx, tax.chain, subset is not None)
        if subset is not None:
            tx.execute("DELETE FROM placements WHERE chain = ? AND enterprise_id IN (SELECT id FROM zs_req)", [tax.chain])
        else:
            tx.execute("DELETE FROM placements WHERE chain = ?", [tax.chain])
        tx.execute("""INSERT INTO placements (enterprise_id, chain, node_code, confidence, evidence, method, classified_at)
            SELECT id, ?, node, round(conf, 4), evidence, ?, now()::TIMESTAMP FROM zs_final""", [tax.chain, METHOD])
    # declared placements and analyst decisions are kept apart and re-applied on every run
    apply(store, tax, subset, team)
    return int(n)
