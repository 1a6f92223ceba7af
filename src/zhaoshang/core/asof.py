"""Asking the database as of a date: the one meaning of "as of" and the one default reference date.

Enterprises exist at date D when founded ≤ D (or unknown) and not ended by D (``end_day``: dissolved, or a status
saying the enterprise ended — 注销, 吊销, 撤销, 已关闭 — from the export that said so). Their tracked fields
(name, address, capital, status, legal representative, region codes) take the value they held at D:
the ``old_value`` of the earliest change after D, else the current value; a change to a status saying the enterprise
ended is dated by the registry's date of the end, not by the export that showed it (``change_day``), a change of legal
representative by the day its event carries (the roles' dates: ``importers.events.date_rep_changes``). A dissolution dated after D had not
happened: no dissolution date then, and a status that says dissolved (注销, 吊销, 撤销) reads 存续. Facts with their own dates
(fundings, patents, branches, roles, shareholdings, events) are filtered on those dates by the callers; a news
item without a publication date counts from its import's data date (``news_day``).

Without a date given, every view answers as of ``reference_date``: the latest date the data speaks of
(the newest import's data date, founding, funding, patent application or recorded change), never after
today (docs/methods.md, "As of"). The imports read are those the data rest on, the ones a report credits as its
sources (``CREDITED_IMPORTS``): an import whose every row was rejected dates nothing. An import without a data
date (``--data-date`` not given, a web upload with the field empty) speaks of no date: its import day, and the
changes it recorded dated by that day, do not move the reference date (``UNDATED_IMPORTS``) — the dates of its
rows' own facts (founding, funding…) do.

A fact whose only date would be its import's data date (a product line's period: the date its revenue shares
describe) is **undated** when that import was given no data date: stored without a date (NULL), known only as
imported on the import day (``imported_on``), and shown as of every date, saying so — never hidden as if it were
from the future. A later import of the same rows with a data date dates it.
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable

from .errors import count_en
from .dialect import Dialect
from .dialect import current as current_dialect
from .parse.dates import china_today, day_sql, parse_user_date
from .schema import CREDITED_IMPORTS, TRACKED_FIELDS, UNDATED_IMPORTS, undated_imports  # noqa: F401  (imports given no data date)

_CASTS = {"capital_wan": "DOUBLE"}
REGION_FIELDS = ("province_code", "city_code", "district_code")
# The statuses that say an enterprise has ended (a registry's 注销/吊销/撤销, "吊销，未注销"; IT桔子's 已关闭): one that
# holds one counts as live in no view from the day it ended (``status_ends``, ``lives_on``). 停业/歇业 (suspended), 清算 (winding up), 破产
# and 退市 (delisted) end nothing: the company still exists — the leads leave those out too, as abnormal
# (services/evaluation/signals.py ABNORMAL), which is no count's concern.
ENDED_STATUS_WORDS = ("注销", "吊销", "撤销", "关闭")


def ended_status(expr: str, dialect: Dialect | None = None) -> str:
    """SQL: the status ``expr`` says the enterprise has ended (it holds one of ``ENDED_STATUS_WORDS``; a substring test,
    a twentieth of a regular expression's time over a million rows). In ``dialect`` (the engine in use by default)."""
    d = dialect or current_dialect()
    return "coalesce(" + " OR ".join(d.contains(expr, f"'{w}'") for w in ENDED_STATUS_WORDS) + ", false)"


def status_ends(dialect: Dialect | None = None) -> str:
    """SQL: (id, day) of the enterprises whose status says they ended, without a registry date (``dissolved``): the
    day that status was recorded — the change that set it (dated by the export that first showed it), else the data
    date of the import that brought the enterprise with it; an import without a data date speaks of no date, so a
    company it says is closed has ended as of every date (docs/methods.md, "As of a date"). Portable SQL over
    ``enterprises``, ``enterprise_history`` and ``imports`` but for what ``dialect`` spells (the region matrix on
    another engine reads the same rule: services/analytics/distributed.py)."""
    # The dated imports are a table of their own, joined on the id alone: a NOT IN inside the join's condition made
    # DuckDB 2.0's optimizer fail (RemoveUnusedColumns, "index 7 within vector of size 7") once the existence test
    # below was itself an anti-join under a projection (the leads' node counts as of a past date).
    return (f"SELECT x.id, coalesce(zh.day, zi.data_date, DATE '0001-01-01') AS day FROM enterprises x "
            f"LEFT JOIN (SELECT enterprise_id, new_value, max(changed_on) AS day FROM enterprise_history "
            f"WHERE field = 'status' AND {ended_status('new_value', dialect)} GROUP BY enterprise_id, new_value) zh "
            f"ON zh.enterprise_id = x.id AND zh.new_value = x.status "
            f"LEFT JOIN (SELECT id, data_date FROM imports WHERE id NOT IN ({undated_imports(dialect)})) zi "
            f"ON zi.id = x.first_import_id "
            f"WHERE x.dissolved IS NULL AND {ended_status('x.status', dialect)}")


def end_day(e: str = "e", ends: str = "zend") -> tuple[str, str]:
    """(join, expression): the day enterprise ``e`` ended, NULL while it lives — the registry's date (``dissolved``:
    注销日期, 吊销日期), else the day its status said it ended (``status_ends``). For the tables that keep it."""
    return (f"LEFT JOIN ({status_ends()}) {ends} ON {ends}.id = {e}.id", f"coalesce({e}.dissolved, {ends}.day)")


def lives_on(d: _dt.date | str, e: str = "e", dialect: Dialect | None = None) -> str:
    """SQL: enterprise ``e`` exists on ``d`` — founded by then (or undated) and not ended by then (``dissolved``, or a
    status saying it ended: ``status_ends``). The ended ones as an uncorrelated ``NOT IN``: DuckDB plans it as one
    anti-join, where a correlated ``NOT EXISTS`` took about ten times as long (docs/benchmarks.md). ``dialect``: the
    engine the text is for (the one in use by default)."""
    lit = f"DATE '{as_of_date(d).isoformat()}'"
    return (f"({e}.founded IS NULL OR {e}.founded <= {lit}) AND ({e}.dissolved IS NULL OR {e}.dissolved > {lit}) "
            f"AND {e}.id NOT IN (SELECT id FROM ({status_ends(dialect)}) WHERE day <= {lit})")


def as_of_date(value, what: str = "as_of") -> _dt.date | None:
    """A user-given as-of date through the one date parser (None stays None: "the reference date")."""
    return parse_user_date(value, what)


# The imports given no data date (recorded in their options; imports recorded before that was kept count as dated).
_LATEST: dict[tuple, _dt.date | None] = {}  # read-only database file (identity) → its latest data date


def news_day(alias: str = "n") -> str:
    """SQL: the day a news item counts from as of a date — its publication date, else the data date of the import
    that brought it (an undated item, e.g. a corpus without dates, is known from its export's date, never earlier)."""
    return (f"coalesce({day_sql(f'{alias}.published')}, "
            f"(SELECT i.data_date FROM imports i WHERE i.id = {alias}.import_id))")


def role_day(r: str = "r", i: str = "i") -> str:
    """SQL: the day a role counts from as of a date — its start, else the data date of the import that brought it
    (``i``: that import's row; an import given no data date is dated by its day), never earlier: the scorecard's
    team signals and its note on the roles dated after the as-of date (``roles_after``) read this one day."""
    return f"coalesce({r}.start_date, {i}.data_date)"


def roles_after(store, enterprise_id: int, d: _dt.date) -> dict | None:
    """The enterprise's roles that count only after ``d`` (``role_day``, still held then): ``{"count", "first"}``
    — how many and the earliest of their days —, None when there is none."""
    n, first = store.con.execute(
        f"""SELECT count(*), min({role_day()}) FROM roles r LEFT JOIN imports i ON i.id = r.import_id
            WHERE r.enterprise_id = ? AND {role_day()} > ? AND (r.end_date IS NULL OR r.end_date > {role_day()})""",
        [enterprise_id, d]).fetchone()
    return {"count": n, "first": first.isoformat()} if n else None


def imported_on(alias: str) -> str:
    """SQL: the day the import that brought row ``alias`` ran (its ``import_id``; for an import given no data date
    its data date is that day) — what is known of an undated fact's date."""
    return f"(SELECT i.data_date FROM imports i WHERE i.id = {alias}.import_id)"


def latest_data_date(store) -> _dt.date | None:
    """The latest date the database speaks of (None for an empty database), never after today. Remembered
    for a database opened read-only (the served one) until its file changes."""
    key = None
    if getattr(store, "read_only", False) and str(getattr(store, "path", ":memory:")) != ":memory:":
        from .store import file_identity

        key = (str(store.path), file_identity(str(store.path)), china_today())
        if key in _LATEST:
            return _LATEST[key]
    row = store.con.execute(
        f"""WITH undated AS ({UNDATED_IMPORTS})
        SELECT greatest((SELECT max(data_date) FROM imports WHERE id NOT IN (SELECT id FROM undated)
                                                              AND id IN ({CREDITED_IMPORTS})),
                           (SELECT max(founded) FROM enterprises), (SELECT max(dissolved) FROM enterprises),
                           (SELECT max(changed_on) FROM enterprise_history
                            WHERE import_id IS NULL OR import_id NOT IN (SELECT id FROM undated)),
                           (SELECT max(date) FROM fundings), (SELECT max(applied) FROM patents))""").fetchall()
    d = row[0][0] if row else None  # fetched to the end: the connection is free for the caller's next statement
    if isinstance(d, _dt.datetime):
        d = d.date()
    d = min(d, china_today()) if d else None
    if key is not None:
        if len(_LATEST) > 64:
            _LATEST.clear()
        _LATEST[key] = d
    return d


def after_data_note(store, d: _dt.date, lang: str = "zh", live_dates: Iterable[_dt.date] = ()) -> dict | None:
    """What a date after the data's latest date means for any answer with signals of recency (scorecard, leads):
    ``{"kind": "after_data", "data_ends", "note"}``, None when ``d`` is within the data. The imported facts end at that
    date — later fundings, news and events are not imported — so windows counted back from ``d`` (rounds and news of
    the last 12 months, months since the round) change with the calendar alone, not with the enterprises. The live
    events of a view that counts them (``live_dates``: their dates) do reach past it: those dated after the data's end
    and by ``d`` are counted, and the note says so (``live_counted``) instead of "not imported"."""
    last = latest_data_date(store)
    if last is None or d <= last:
        return None
    n = sum(1 for x in live_dates if last < x <= d)
    if n:
        return {"kind": "after_data", "data_ends": last.isoformat(), "live_counted": n, "note": (
            f"The as-of date {d} is after the data's latest date {last}: after it only {n} live event(s) count "
            "(no import holds later fundings, news or events), so the other signals of recency change with the "
            "calendar alone" if lang == "en" else
            f"截至日期 {d} 晚于数据的最新日期 {last}：此后计入的只有 {n} 条实时事件（导入的数据不含此后的融资、新闻与事件），"
            "其余时效信号只随日历变化")}
    return {"kind": "after_data", "data_ends": last.isoformat(), "note": (
        f"The as-of date {d} is after the data's latest date {last}: later fundings, news and events are not "
        "imported, so signals of recency (rounds and news in the last 12 months, months since the round) change "
        "with the calendar alone, not with the enterprises" if lang == "en" else
        f"截至日期 {d} 晚于数据的最新日期 {last}：此后的融资、新闻与事件均未导入，近12个月融资与新闻、距上轮月数等时效信号只随日历变化，"
        "并非企业本身的变化")}


def live_after_note(d: _dt.date, live_dates: Iterable[_dt.date], lang: str = "zh") -> dict | None:
    """The live events a view counting them leaves out because they are dated after its as-of date ``d`` (the default
    date is the data's latest date, so anything that happens today is after it): ``{"kind": "live_after", "count",
    "as_of", "note"}`` — ``as_of`` the latest of their dates (never after today), the date that counts them all — or
    None when there is none. The one rule of every such view (scorecard, leads, lead page, region page and report):
    the default date stays the data's, and the view says above its list what it leaves out, linking to ``as_of``."""
    today = china_today()
    later = [x for x in live_dates if d < x <= today]
    if not later:
        return None
    to = max(later)
    n = len(later)
    return {"kind": "live_after", "count": n, "as_of": to.isoformat(), "note": (
        f"{count_en(n, 'live event')} {'is' if n == 1 else 'are'} dated after the as-of date {d} and not counted; "
        f"as of {to} {'it is' if n == 1 else 'they are'} counted" if lang == "en"
        else f"{n} 条实时事件晚于截至日期 {d}，未计入；截至 {to} 可计入")}


def date_notes(store, d: _dt.date, lang: str = "zh", live_dates: Iterable[_dt.date] = ()) -> list[dict]:
    """The notes on the as-of date of a view that counts live events: ``after_data_note`` and ``live_after_note``."""
    live_dates = list(live_dates)
    return [n for n in (after_data_note(store, d, lang, live_dates), live_after_note(d, live_dates, lang)) if n]


def reference_date(store, as_of=None) -> _dt.date:
    """The date a view answers for: the one given (checked by the one parser), else the latest data date
    (today for an empty database). Every service and page shows this same date."""
    d = as_of_date(as_of)
    if d is not None:
        return d
    return latest_data_date(store) or china_today()


def generation_memo(store, key: tuple, compute):
    """``compute()`` once per served generation (a database that does not change while it is read: its
    ``store.prepared`` is shared by the generation's requests); every time elsewhere."""
    prepared = getattr(store, "prepared", None)
    if prepared is None:
        return compute()
    memo = prepared.setdefault(("memo",), {})
    if key not in memo:
        if len(memo) >= 1024:  # dates asked for are the user's: kept bounded
            memo.clear()
        memo[key] = compute()
    return memo[key]


def _changed_after(store, d: _dt.date, fields: Iterable[str]) -> bool:
    fields = list(fields)

    def look() -> bool:
        return store.con.execute(
            f"SELECT 1 FROM enterprise_history WHERE changed_on > ? AND field IN ({','.join('?' * len(fields))}) LIMIT 1",
            [d, *fields]).fetchone() is not None

    return generation_memo(store, ("changed_after", d, tuple(fields)), look)


def change_day(h: str = "h", e: str = "e") -> str:
    """SQL: the day a recorded change of enterprise ``e`` (``enterprise_history`` row ``h``) took effect. A change is
    recorded on the data date of the export that first showed it; a change of the status to one saying the
    enterprise ended (注销, 吊销, 撤销) whose registry date (the enterprise's ``dissolved``: 注销日期, 吊销日期) is on or before
    that took effect on the registry date — the export of 2025-12-31 that shows a revocation of 2025-03-12 tells when
    it was seen, not when it happened (docs/methods.md, "As of a date")."""
    return f"CASE WHEN {registry_dated_end(h, e)} THEN {e}.dissolved ELSE {h}.changed_on END"


def change_seen(h: str = "h", e: str = "e") -> str:
    """SQL: the data date of the export that showed a recorded change (``enterprise_history`` row ``h``), for the
    changes whose event is dated otherwise or may be (the ``seen`` of its detail, said beside it: 见于 2025-12-31 的导出):
    an end the registry dated (``change_day``) and a change of legal representative, dated by the roles' dates
    where they give it (``importers.events.date_rep_changes``); NULL for another change, dated by that export."""
    return f"CASE WHEN {registry_dated_end(h, e)} OR {h}.field = 'legal_rep' THEN {h}.changed_on END"


def registry_dated_end(h: str = "h", e: str = "e") -> str:
    """SQL: history row ``h`` changes the status of enterprise ``e`` to one saying it ended, and the registry dated
    that end (``e.dissolved``) on or before the export that showed it — one event, the end, dated by the registry."""
    return (f"({h}.field = 'status' AND {ended_status(h + '.new_value')} "
            f"AND coalesce({e}.dissolved <= {h}.changed_on, false))")


def _later(d: _dt.date, alias: str) -> str:
    return f"coalesce({alias}.dissolved > DATE '{d.isoformat()}', false)"


def _status_then(d: _dt.date, alias: str, status: str) -> str:
    return f"CASE WHEN {_later(d, alias)} AND {ended_status(status)} THEN '存续' ELSE {status} END AS status"


def _dissolved_then(d: _dt.date, alias: str) -> str:
    return f"CASE WHEN {_later(d, alias)} THEN NULL ELSE {alias}.dissolved END AS dissolved"


def not_ended_yet(d: _dt.date, alias: str = "e") -> str:
    """``REPLACE`` items of an enterprise row read on ``d``: a dissolution dated later had not happened — no
    dissolution date, and a status saying it ended (注销, 吊销, 撤销) reads 存续."""
    return f"{_status_then(d, alias, alias + '.status')}, {_dissolved_then(d, alias)}"


def enterprises_as_of(as_of: _dt.date | str | None, store=None, fields: Iterable[str] = TRACKED_FIELDS, *,
                      existing: bool = True) -> str:
    """SQL (a parenthesised subquery) with the columns of ``enterprises`` as they were at ``as_of``: only the
    enterprises existing then, with ``fields`` (default every tracked field) replayed from history.

    ``existing=False`` keeps every enterprise (a profile of one founded later). With ``as_of`` None it is
    simply the table. Given a ``store``, history is only replayed when it holds a
    change after the date (the common case, the reference date, is a plain filter). Use as
    ``FROM {enterprises_as_of(d, store)} e``.
    """
    d = as_of_date(as_of)
    if d is None:
        return "enterprises"
    lit = f"DATE '{d.isoformat()}'"
    exists = lives_on(d) if existing else "TRUE"
    fields = [f for f in fields if f in TRACKED_FIELDS]
    if store is not None and (not fields or not _changed_after(store, d, fields)):
        return f"(SELECT e.* REPLACE ({not_ended_yet(d)}) FROM enterprises e WHERE {exists})"
    replaced = []
    joins = []
    for i, f in enumerate(fields):
        a = f"h{i}"
        cast = _CASTS.get(f, "VARCHAR")
        # arg_min_null: a change whose old value was empty means the field was empty then
        if f == "status":  # a status change dated by the registry's own date of the end (``change_day``)
            day = change_day("h", "x")
            joins.append(
                f"LEFT JOIN (SELECT h.enterprise_id, arg_min_null(h.old_value, {day}) AS v FROM enterprise_history h "
                f"JOIN enterprises x ON x.id = h.enterprise_id WHERE h.field = 'status' AND {day} > {lit} "
                f"GROUP BY h.enterprise_id) {a} ON {a}.enterprise_id = e.id")
        elif f == "legal_rep":
            # a change of legal representative dated by the day it took effect, the day its event carries
            # (``importers.events.date_rep_changes``: the new one took office by the roles, else the old one left, else
            # the export that showed it) — the day the profile's people say 法定代表人 from — not by that export
            joins.append(
                f"LEFT JOIN (SELECT enterprise_id, arg_min_null(json_extract_string(detail, '$.old'), (date, id)) AS v "
                f"FROM events WHERE type = 'change_legal_rep' AND ref_table = 'enterprise_history' AND date > {lit} "
                f"GROUP BY enterprise_id) {a} ON {a}.enterprise_id = e.id")
        else:
            joins.append(
                f"LEFT JOIN (SELECT enterprise_id, arg_min_null(old_value, changed_on) AS v FROM enterprise_history "
                f"WHERE field = '{f}' AND changed_on > {lit} GROUP BY enterprise_id) {a} ON {a}.enterprise_id = e.id"
            )
        value = f"CASE WHEN {a}.enterprise_id IS NOT NULL THEN CAST({a}.v AS {cast}) ELSE e.{f} END"
        replaced.append(_status_then(d, "e", value) if f == "status" else f"{value} AS {f}")
    if "status" not in fields:
        replaced.append(_status_then(d, "e", "e.status"))
    replaced.append(_dissolved_then(d, "e"))
    # the existing enterprises first, then their past values joined (the filter's anti-join on the table alone)
    return (f"(SELECT e.* REPLACE ({', '.join(replaced)}) FROM (SELECT * FROM enterprises e WHERE {exists}) e "
            f"{' '.join(joins)})")
