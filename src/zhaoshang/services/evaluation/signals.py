"""The scorecard's signals as of a date: one set-based SQL query over the facts dated on or before it.

Live events (``live_events``, registered from the team state by ``live.register_live``) are unioned with the
imported fundings, branches, risk events and news, so they count in the same signals (``live.SIGNALS_OF``).

Every signal reads only facts dated on or before ``as_of`` (fundings, patents, branches, roles, news, events,
status changes). An undated fact (a team member listed without a start date, a status without a change
record) is known from its import's data date: it counts only when that date is on or before ``as_of``.
A signal whose source holds no facts at all as of the date is *absent* (NULL for everyone), which lowers the
confidence, never the score (docs/methods.md, "Scorecard").
"""

from __future__ import annotations

import datetime as _dt

from ...core import dialect
from ...core.asof import enterprises_as_of, news_day, role_day
from ..chain.primary import PRIMARY_RANK
from ..regions.matrix import default_chain
from .live import EXPANSION_TYPES, FUNDING_TYPES, NEGATIVE_TYPES, OPENING_TYPES, PRESENCE_KINDS, live_source, sql_in, rounds_sql

# Ordinal stage of a normalised round (``core.parse`` rounds); rounds not listed have no stage.
STAGE = {"seed": 1, "angel": 1, "crowdfunding": 1, "pre_a": 1.5, "a": 2, "venture": 2, "a_plus": 2.5, "pre_b": 2.5,
         "b": 3, "strategic": 3, "b_plus": 3.5, "c": 4, "neeq": 4, "c_plus": 4.5, "d": 5, "pe": 5, "d_plus": 5.5,
         "e": 6, "private_placement": 6, "f": 7, "f_plus": 7, "pre_ipo": 7, "ipo": 8, "post_ipo": 8, "ma": 8}
# What each value of that scale means, as a round (``core.parse.rounds`` labels): angel 1 … C 4 … E 6 … IPO 8 — a
# latest-round stage of 6 reads "6（E轮）" on the card, in the CLI and on the profile alike.
STAGE_SCALE = {1: "angel", 1.5: "pre_a", 2: "a", 2.5: "a_plus", 3: "b", 3.5: "b_plus", 4: "c", 4.5: "c_plus", 5: "d",
               6: "e", 7: "f_plus", 8: "ipo"}
# Statuses that say an enterprise is gone or abnormal (core.status's vocabulary: deregistered, revoked, cancelled,
# closed, suspended, in liquidation; a delisting): abnormal_status reads 1, and no lead is proposed of it.
ABNORMAL = (r"注销|吊销|撤销|异常|关闭|停业|清算|破产|退市|终止上市"
            r"|closed|dissolved|revoked|cancelled|deregistered|bankrupt|delisted")
NEGATIVE_EVENTS = ("penalty", "litigation", "abnormal", "dissolved", "change_status")
# Enterprises that can no longer raise a venture round: listed or acquired before the date.
EXITED_ROUNDS = ("ipo", "post_ipo", "ma")


# The source each signal is measured from (``sources_present``); signals not listed are always measurable.
SOURCE_OF = {"patents": "patents", "invention_share": "patents", "patents_recent": "patents", "ipc_breadth": "patents",
             "patents_growth": "patents", "total_raised": "amounts", "latest_stage": "fundings",
             "months_since_round": "fundings", "rounds_24m": "fundings", "rounds_total": "fundings",
             "investor_quality": "investors", "branches_24m": "branches", "capital_changes_24m": "capital_changes",
             "investors_n": "investors", "pace": "fundings", "gap_vs_stage": "fundings", "months_from_12": "fundings",
             "news_12m": "news", "news_tone": "news", "key_people": "roles", "serial_founders": "roles",
             "board_ties": "roles", "negative_events": "risk"}


# The sources funding signals are read from. An enterprise is *not covered* by them when no round of it is known by
# the date (imported or live) and the sources that list it (its enterprise records) include none that imported
# fundings — a registry-only enterprise beside IT桔子's funding events: its funding signals are missing, never a
# known 0. Listed by a source that imported fundings (IT桔子's company list beside its events), it is covered and
# no round reads as 0 (docs/methods.md, "Scorecard"). An enterprise without any source record keeps the 0.
FUNDING_SOURCES = ("fundings", "amounts", "investors")
# Patent signals likewise: an enterprise no patent of which is known by the date, whose enterprise records come from
# no source that imported patents (a listed company beside a USPTO sample), has its patent signals missing (not
# covered), never a known 0 ranked at the bottom.
PATENT_SOURCES = ("patents",)
# How the signals are read; part of a stored batch's fingerprint, so a batch ranked by an earlier reading (funding of
# an uncovered enterprise read as 0) is not used for the cards once the reading changed.
SIGNALS_VERSION = "no-data-7"  # 7: 撤销 (cancelled) and a delisting read as abnormal; 6: tied risk values take the top rank (scorecard.TOP_TIES); 5: negative events unknown (not 0) on a store holding no news, risk or legal event;
# 4: patent coverage as funding coverage; 2: an enterprise without people (or news) data has no team (influence) signals, not 0;
# 3: an unknown registry status is a missing abnormal_status, not 0 ("normal"); a total needs the least evidence
# (scorecard.MIN_EVIDENCE)
UNCOV = """{name} AS (SELECT r.enterprise_id FROM enterprise_records r WHERE {where} GROUP BY r.enterprise_id
          HAVING NOT bool_or(coalesce(r.source IN (SELECT source FROM imports WHERE kind = '{kind}'), FALSE))),"""


def date_lit(d: _dt.date) -> str:
    """A date as a SQL literal (the scorecard's and the leads' queries are written with their as-of day in them)."""
    return f"DATE '{d.isoformat()}'"


def sources_present(store, d: _dt.date) -> dict[str, bool]:
    """Which fact sources hold anything dated on or before ``d`` (absent sources make absent signals): the one rule
    for "is a source of this kind imported", read by the scorecard (``SOURCE_OF``) and by the leads
    (``leads.signals.SOURCE_OF``) alike."""
    q = {
        "fundings": "SELECT count(*) FROM fundings WHERE date <= ?",
        "investors": "SELECT count(*) FROM funding_investors fi JOIN fundings f ON f.id = fi.funding_id "
                     "WHERE f.date <= ? AND fi.investor_id IS NOT NULL",
        "amounts": "SELECT count(amount_wan) FROM fundings WHERE date <= ?",
        "patents": "SELECT count(*) FROM patents WHERE applied <= ?",
        "branches": "SELECT count(*) FROM branches WHERE date <= ?",
        "news": f"SELECT count(*) FROM news n JOIN news_mentions m ON m.news_id = n.id WHERE {news_day()} <= ?",
        # news read for their event type (the leads' expansion news): items of an enterprise with a type
        "news_events": f"SELECT count(n.event_type) FROM news n JOIN news_mentions m ON m.news_id = n.id "
                       f"WHERE {news_day()} <= ?",
        "roles": "SELECT count(*) FROM roles r LEFT JOIN imports i ON i.id = r.import_id "
                 f"WHERE {role_day()} <= ?",
        "capital_changes": "SELECT count(*) FROM enterprise_history WHERE field = 'capital_wan' AND changed_on <= ?",
    }
    out = {k: bool(store.con.execute(sql, [d]).fetchone()[0]) for k, sql in q.items()}
    lv = store.con.execute(f"""SELECT count(*) FILTER (WHERE type IN {sql_in(FUNDING_TYPES)}),
        count(amount_wan) FILTER (WHERE type IN {sql_in(FUNDING_TYPES)}),
        count(*) FILTER (WHERE type IN {sql_in(EXPANSION_TYPES)}), count(sentiment),
        count(*) FILTER (WHERE type IN {sql_in(NEGATIVE_TYPES)})
        FROM ({live_source(store)}) WHERE date <= ?""", [d]).fetchone()
    for k, n in zip(("fundings", "amounts", "branches", "news", "risk"), lv):  # live events make a source present too
        out[k] = out.get(k, False) or bool(n)
    out["news_events"] = out["news_events"] or bool(lv[2])  # a live expansion is news of the expansion type
    # negative events are read from news (negative items), risk and legal events and status changes: with none of
    # them imported by the date, a firm's 0 says "no source", not "no negative event" — missing, never a known 0
    out["risk"] = out["risk"] or out["news"] or bool(store.con.execute(
        f"SELECT count(*) FROM events WHERE type IN {sql_in(NEGATIVE_EVENTS)} AND date <= ?", [d]).fetchone()[0])
    return out


def funding_ctes(store, d: _dt.date, inline: bool = False) -> str:
    """CTEs ``lv`` (live events by ``d``) and ``f`` (rounds by ``d``, imported and live, a likely duplicate counted
    once: ``live.rounds_sql``, with their stage);
    ``inline``: ``f`` is read where used (one enterprise's rounds then come from a filtered scan), not stored."""
    D = date_lit(d)
    stage_case = "CASE f.round " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in STAGE.items()) + " END"
    return f"""lv AS (SELECT * FROM ({live_source(store)}) WHERE date <= {D}),
f AS {'NOT MATERIALIZED ' if inline else ''}(SELECT f.enterprise_id, f.id, f.date, f.amount_wan, f.round, {stage_case} AS stage
      FROM ({rounds_sql(store, D)}) f)"""


TYPICAL_CTES = """-- the typical gap after a round of each type: median months to the same enterprise's next round, both by D
gaps AS (SELECT round, date_diff('day', date, lead(date) OVER (PARTITION BY enterprise_id ORDER BY date, id)) / 30.44 AS gap
         FROM f),
typ AS (SELECT round, median(gap) AS typ_gap FROM gaps WHERE gap IS NOT NULL GROUP BY round),"""


def typical_sql(store, d: _dt.date) -> str:
    """SQL: the typical gap (months) after a round of each type by ``d`` — (round, typ_gap), read from everyone."""
    return f"WITH {funding_ctes(store, d)},\n{TYPICAL_CTES.rstrip(',')}\nSELECT round, typ_gap FROM typ"


# the pseudo-enterprises investor quality is smoothed with (INVESTOR_CTES)
INVESTOR_PSEUDO = 5
INVESTOR_CTES = f"""-- investor quality: of the enterprises an investor funded, the share that raised again later (all by D),
-- smoothed towards the overall share with 5 pseudo-enterprises
inv_deals AS (SELECT DISTINCT fi.investor_id, f.enterprise_id, f.date FROM funding_investors fi
              JOIN f ON f.id = fi.funding_id WHERE fi.investor_id IS NOT NULL),
inv_port AS (SELECT i.investor_id, i.enterprise_id,
                    max(CASE WHEN f2.date > i.date THEN 1 ELSE 0 END) AS again
             FROM (SELECT investor_id, enterprise_id, min(date) AS date FROM inv_deals GROUP BY ALL) i
             LEFT JOIN f f2 ON f2.enterprise_id = i.enterprise_id AND f2.date > i.date
             GROUP BY ALL),
prior AS (SELECT coalesce(avg(again), 0.5) AS p FROM inv_port),
ninv AS (SELECT enterprise_id, count(DISTINCT investor_id) AS investors_n FROM inv_deals GROUP BY enterprise_id),
inv_q AS (SELECT investor_id, (sum(again) + {INVESTOR_PSEUDO} * (SELECT p FROM prior)) / (count(*) + {INVESTOR_PSEUDO}) AS q
          FROM inv_port GROUP BY investor_id),"""


def population_ctes(D: str, where: str) -> str:
    """CTEs ``ninv`` and ``ent_q`` (an enterprise's investors and their records: ``INVESTOR_CTES``) and ``team`` (its
    people and their other enterprises): read from everyone's facts by ``D``; ``team`` kept for the rows ``where`` selects."""
    return f"""{INVESTOR_CTES}
ent_q AS (SELECT d.enterprise_id, max(q.q) AS investor_quality FROM inv_deals d JOIN inv_q q USING (investor_id)
          GROUP BY d.enterprise_id),
rl AS (SELECT r.enterprise_id, coalesce(r.person_id::VARCHAR, r.person_name) AS who FROM roles r
       LEFT JOIN imports i ON i.id = r.import_id
       WHERE {role_day()} <= {D} AND (r.end_date IS NULL OR r.end_date > {D})
         AND r.enterprise_id IS NOT NULL),
people AS (SELECT who, count(DISTINCT enterprise_id) AS n FROM rl WHERE who IS NOT NULL GROUP BY who),
-- the other enterprises its people hold roles in, each counted once: not per role (one person's two roles here)
-- nor per person (two of its people in the same other enterprise)
serial AS (SELECT DISTINCT rl.enterprise_id, rl.who FROM rl JOIN people p USING (who) WHERE p.n > 1),
ties AS (SELECT rl.enterprise_id, count(DISTINCT b.enterprise_id) AS board_ties
         FROM serial rl JOIN serial b ON b.who = rl.who AND b.enterprise_id <> rl.enterprise_id
         WHERE {where} GROUP BY rl.enterprise_id),
team AS (SELECT rl.enterprise_id, count(DISTINCT rl.who) AS key_people,
                count(DISTINCT rl.who) FILTER (WHERE p.n > 1) AS serial_founders,
                coalesce(any_value(t.board_ties), 0) AS board_ties
         FROM rl JOIN people p USING (who) LEFT JOIN ties t USING (enterprise_id) WHERE {where}
         GROUP BY rl.enterprise_id)"""


def shared_sql(store, d: _dt.date) -> str:
    """SQL: an enterprise's signals read from everyone's facts — ``investors_n``, ``investor_quality`` (its
    investors' records across the population), ``key_people``, ``serial_founders``, ``board_ties`` (its people's
    other enterprises) — one row per enterprise having any. Computed once, they serve every range of a card
    ranked over the population (``signals_sql(shared=…)``) with the figures of the one-pass query."""
    return f"""WITH {funding_ctes(store, d)},
{population_ctes(date_lit(d), 'TRUE')}
SELECT enterprise_id, ninv.investors_n, ent_q.investor_quality, team.key_people, team.serial_founders,
       team.board_ties
FROM ninv LEFT JOIN ent_q USING (enterprise_id) FULL JOIN team USING (enterprise_id)"""


def signals_sql(store, d: _dt.date, *, chain: str | None = None, present: dict | None = None,
                only: int | None = None, typical: str | None = None, ids: tuple[int, int] | None = None,
                shared: str | None = None) -> str:
    """SQL: one row per enterprise existing at ``d`` with ``enterprise_id``, ``node`` (its primary segment
    on ``chain``: chain.primary.PRIMARY_RANK), ``age_years``, ``exited`` and one column per signal (NULL = missing).

    ``only``: that enterprise's row alone — its own facts are read, the population-wide ones (typical gaps
    between rounds, investors' records, people's other enterprises) still from everyone; ``ids``: likewise
    the rows of the enterprises whose ids lie in that range (inclusive); ``typical``: SQL giving the typical
    gaps (``typical_sql``, e.g. as a batch stored them) instead of computing them; ``shared``: SQL giving the
    signals read from everyone's facts (``shared_sql``, computed once for many ranges) instead of computing them."""
    chain = chain or default_chain(store)
    present = present if present is not None else sources_present(store, d)
    D = date_lit(d)
    exited = ", ".join(f"'{r}'" for r in EXITED_ROUNDS)
    neg = ", ".join(f"'{t}'" for t in NEGATIVE_EVENTS)

    funding = present.get("fundings") or present.get("amounts") or present.get("investors")
    covered = "(fa.enterprise_id IS NOT NULL OR uncov.enterprise_id IS NULL)"
    patents = present.get("patents")
    pcovered = "(pat.enterprise_id IS NOT NULL OR puncov.enterprise_id IS NULL)"

    def opt(flag: str, expr: str) -> str:
        if not present.get(flag):
            return "NULL"
        # funding and patent signals: unknown (NULL) for an enterprise no such source covers, not a known 0
        if flag in FUNDING_SOURCES:
            return f"CASE WHEN {covered} THEN {expr} END"
        return f"CASE WHEN {pcovered} THEN {expr} END" if flag in PATENT_SOURCES else expr

    chain_q = chain.replace("'", "''")

    def one(col: str) -> str:  # the condition keeping one enterprise's (or a range's) own facts (TRUE: everyone's)
        if only is not None:
            return f"{col} = {int(only)}"
        return "TRUE" if ids is None else f"{col} BETWEEN {int(ids[0])} AND {int(ids[1])}"
    typ = f"typ AS ({typical})," if typical else TYPICAL_CTES
    if shared is None:
        population = population_ctes(D, one("rl.enterprise_id")) + ","
    else:  # one row per enterprise: the same joins as the CTEs computed here
        population = f"""sh AS (SELECT * FROM ({shared}) WHERE {one('enterprise_id')}),
ninv AS (SELECT enterprise_id, investors_n FROM sh),
ent_q AS (SELECT enterprise_id, investor_quality FROM sh),
team AS (SELECT enterprise_id, key_people, serial_founders, board_ties FROM sh),"""
    return f"""
WITH {funding_ctes(store, d, inline=only is not None)},
e AS (SELECT id, founded, dissolved, status, last_import_id FROM {enterprises_as_of(d, store, ('status',))}
      WHERE {one('id')}),
node AS (SELECT enterprise_id, arg_max(node_code, {PRIMARY_RANK}) AS node FROM placements
         WHERE chain = '{chain_q}' AND {one('enterprise_id')} GROUP BY enterprise_id),
fa AS (SELECT enterprise_id, count(*) AS rounds_total,
              count(*) FILTER (WHERE date > {D} - INTERVAL 730 DAY) AS rounds_24m,
              {dialect.current().exact_sum("amount_wan", none=None)} AS raised, count(amount_wan) AS disclosed, max(date) AS last_date,
              arg_max(stage, date) FILTER (WHERE stage IS NOT NULL) AS latest_stage,
              arg_max(round, date) AS latest_round,
              bool_or(round IN ({exited})) AS exited
       FROM f WHERE {one('enterprise_id')} GROUP BY enterprise_id),
{typ}
{population}
{UNCOV.format(name='uncov', kind='fundings', where=one('r.enterprise_id')) if funding else 'uncov AS (SELECT NULL::BIGINT AS enterprise_id WHERE FALSE),'}
{UNCOV.format(name='puncov', kind='patents', where=one('r.enterprise_id')) if patents else 'puncov AS (SELECT NULL::BIGINT AS enterprise_id WHERE FALSE),'}
pat AS (SELECT a.enterprise_id, count(DISTINCT p.id) AS patents,
               count(DISTINCT p.id) FILTER (WHERE p.type = 'invention') AS inventions,
               count(DISTINCT p.id) FILTER (WHERE p.applied > {D} - INTERVAL 730 DAY) AS recent,
               count(DISTINCT p.id) FILTER (WHERE p.applied > {D} - INTERVAL 1460 DAY
                                            AND p.applied <= {D} - INTERVAL 730 DAY) AS before_recent,
               count(DISTINCT left(p.main_ipc, 4)) AS ipc_breadth
        FROM patent_applicants a JOIN patents p ON p.id = a.patent_id
        WHERE p.applied <= {D} AND a.enterprise_id IS NOT NULL AND {one('a.enterprise_id')} GROUP BY a.enterprise_id),
br AS (SELECT parent_id AS enterprise_id, count(*) AS branches_24m
       FROM (SELECT parent_id, date FROM branches WHERE kind IN {sql_in(PRESENCE_KINDS)}
             UNION ALL SELECT enterprise_id, date FROM lv WHERE type IN {sql_in(OPENING_TYPES)})
       WHERE date <= {D} AND date > {D} - INTERVAL 730 DAY AND parent_id IS NOT NULL AND {one('parent_id')}
       GROUP BY parent_id),
cap AS (SELECT enterprise_id, count(*) AS capital_changes_24m FROM enterprise_history
        WHERE field = 'capital_wan' AND changed_on <= {D} AND changed_on > {D} - INTERVAL 730 DAY
          AND TRY_CAST(new_value AS DOUBLE) > TRY_CAST(old_value AS DOUBLE) AND {one('enterprise_id')}
        GROUP BY enterprise_id),
-- people data: any role of the enterprise known by D (current or ended); without one its team signals are unknown
ppl AS (SELECT DISTINCT r.enterprise_id FROM roles r LEFT JOIN imports i ON i.id = r.import_id
        WHERE {role_day()} <= {D} AND r.enterprise_id IS NOT NULL AND {one('r.enterprise_id')}),
nw AS (SELECT enterprise_id, count(DISTINCT id) FILTER (WHERE day > {D} - INTERVAL 365 DAY) AS news_12m,
              avg(sentiment) FILTER (WHERE day > {D} - INTERVAL 365 DAY) AS news_tone,
              count(DISTINCT id) FILTER (WHERE sentiment < -0.3) AS negative_news
       FROM (SELECT m.enterprise_id, n.id, {news_day()} AS day, n.sentiment
             FROM news_mentions m JOIN news n ON n.id = m.news_id
             UNION ALL SELECT enterprise_id, -id, date, sentiment FROM lv WHERE sentiment IS NOT NULL)
       WHERE day <= {D} AND enterprise_id IS NOT NULL AND {one('enterprise_id')} GROUP BY enterprise_id),
ev AS (SELECT enterprise_id, count(*) AS events
       FROM (SELECT enterprise_id, date FROM events WHERE type IN ({neg})
             UNION ALL SELECT enterprise_id, date FROM lv WHERE type IN {sql_in(NEGATIVE_TYPES)})
       WHERE date <= {D} AND {one('enterprise_id')} GROUP BY enterprise_id),
st AS (SELECT e.id AS enterprise_id,
              (regexp_matches(coalesce(e.status, ''), '{ABNORMAL}')
               AND (e.last_import_id IS NULL OR (SELECT data_date FROM imports WHERE id = e.last_import_id) <= {D}
                    OR EXISTS (SELECT 1 FROM enterprise_history h WHERE h.enterprise_id = e.id
                               AND h.field = 'status' AND h.changed_on <= {D}))) AS abnormal
       FROM e)
SELECT e.id AS enterprise_id, node.node, e.founded,
       CASE WHEN e.founded IS NULL THEN NULL ELSE date_diff('day', e.founded, {D}) / 365.25 END AS age_years,
       coalesce(fa.exited, FALSE) AS exited, coalesce(fa.rounds_total, 0) AS rounds_before,
       fa.last_date AS last_round_date,
       {covered if funding else 'NULL::BOOLEAN'} AS funding_covered,
       {pcovered if patents else 'NULL::BOOLEAN'} AS patent_covered,
       {opt('patents', 'coalesce(pat.patents, 0)')} AS patents,
       {opt('patents', 'CASE WHEN pat.patents > 0 THEN pat.inventions / pat.patents END')} AS invention_share,
       {opt('patents', 'coalesce(pat.recent, 0)')} AS patents_recent,
       {opt('patents', 'coalesce(pat.ipc_breadth, 0)')} AS ipc_breadth,
       {opt('amounts', 'CASE WHEN fa.rounds_total IS NULL THEN 0 WHEN fa.disclosed > 0 THEN fa.raised END')} AS total_raised,
       {opt('fundings', 'fa.latest_stage')} AS latest_stage,
       {opt('fundings', "CASE WHEN fa.last_date IS NOT NULL THEN date_diff('day', fa.last_date, " + D + ") / 30.44 END")} AS months_since_round,
       {opt('investors', 'ent_q.investor_quality')} AS investor_quality,
       {opt('investors', 'coalesce(ninv.investors_n, 0)')} AS investors_n,
       {opt('fundings', "CASE WHEN fa.last_date IS NOT NULL THEN abs(date_diff('day', fa.last_date, " + D + ") / 30.44 - 12) END")} AS months_from_12,
       {opt('fundings', "CASE WHEN typ.typ_gap > 0 THEN abs(ln(greatest(date_diff('day', fa.last_date, " + D + ") / 30.44 / typ.typ_gap, 0.05))) END")} AS gap_vs_stage,
       {opt('fundings', 'CASE WHEN fa.rounds_total > 0 AND e.founded IS NOT NULL THEN fa.rounds_total / greatest(date_diff(' + "'day'" + ', e.founded, ' + D + ') / 365.25, 0.5) END')} AS pace,
       {opt('fundings', 'coalesce(fa.rounds_24m, 0)')} AS rounds_24m,
       {opt('fundings', 'coalesce(fa.rounds_total, 0)')} AS rounds_total,
       {opt('patents', 'coalesce(pat.recent, 0) - coalesce(pat.before_recent, 0)')} AS patents_growth,
       {opt('branches', 'coalesce(br.branches_24m, 0)')} AS branches_24m,
       {opt('capital_changes', 'coalesce(cap.capital_changes_24m, 0)')} AS capital_changes_24m,
       {opt('news', 'CASE WHEN nw.enterprise_id IS NOT NULL THEN coalesce(nw.news_12m, 0) END')} AS news_12m,
       {opt('news', 'nw.news_tone')} AS news_tone,
       {opt('roles', 'CASE WHEN ppl.enterprise_id IS NOT NULL THEN coalesce(team.key_people, 0) END')} AS key_people,
       {opt('roles', 'CASE WHEN ppl.enterprise_id IS NOT NULL THEN coalesce(team.serial_founders, 0) END')} AS serial_founders,
       {opt('roles', 'CASE WHEN ppl.enterprise_id IS NOT NULL THEN coalesce(team.board_ties, 0) END')} AS board_ties,
       {opt('risk', "coalesce(ev.events, 0) + coalesce(" + opt('news', 'nw.negative_news') + ", 0)")} AS negative_events,
       -- an unknown status (none recorded) is missing, never read as "normal"
       CASE WHEN st.abnormal THEN 1 WHEN nullif(trim(e.status), '') IS NULL THEN NULL ELSE 0 END AS abnormal_status
FROM e
LEFT JOIN node ON node.enterprise_id = e.id
LEFT JOIN fa ON fa.enterprise_id = e.id
LEFT JOIN uncov ON uncov.enterprise_id = e.id
LEFT JOIN puncov ON puncov.enterprise_id = e.id
LEFT JOIN ent_q ON ent_q.enterprise_id = e.id
LEFT JOIN ninv ON ninv.enterprise_id = e.id
LEFT JOIN typ ON typ.round = fa.latest_round
LEFT JOIN pat ON pat.enterprise_id = e.id
LEFT JOIN br ON br.enterprise_id = e.id
LEFT JOIN cap ON cap.enterprise_id = e.id
LEFT JOIN nw ON nw.enterprise_id = e.id
LEFT JOIN ppl ON ppl.enterprise_id = e.id
LEFT JOIN team ON team.enterprise_id = e.id
LEFT JOIN ev ON ev.enterprise_id = e.id
LEFT JOIN st ON st.enterprise_id = e.id
"""
