"""Typing the staged text: dates, amounts, numbers, credit codes, lists, regions and normalised names.

Each parser runs on distinct values (see ``staging.map_distinct``); the typed table ``_typed`` is built
with one SELECT that joins all lookups back. Problems go to ``_rej``: a value that cannot be read
rejects its row (the data would otherwise be wrong); an invalid credit code is dropped from the row and
reported (it is never used as a key), the rest of the row is kept.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable

import pyarrow as pa

from ..fields import header_unit
from ..geo.lookup import label_sql
from ..parse.amounts import parse_amount
from ..parse.dates import DEADLINES, china_today, parse_date_ex, parse_deadline
from ..parse.placeholders import is_open_ended, is_placeholder
from ..parse.problem import ParseError, reason_of
from ..parse.uscc import check_uscc
from ..text import normalize_name, normalize_name_sql, split_list
from .staging import (MAX_CELL_CHARS, Mapping, Staged, compact_sql, join_lookup, map_distinct, ql, qi, reject_where,
                      restore_sql)

# Fields holding enterprise/organisation names that get a normalised twin column ``<field>__norm``.
NAME_FIELDS = {
    "enterprises": ("name",),
    "fundings": ("enterprise", "lead_investor"),
    "roles": ("enterprise", "person"),
    "shareholdings": ("enterprise", "holder"),
    "branches": ("parent", "child"),
    "investors": ("name",),
    "contacts": ("enterprise", "organisation"),
    "persons": ("name",),
}

# Region inputs per kind: which fields feed the province/city/district/country resolution.
REGION_INPUTS = ("province", "city", "district", "address", "region", "country")

# a plain decimal, or one in scientific notation as exports write small shares (3.9e-05)
_NUM_RE = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A number cell (``35.5%``, ``1,234``, ``3.9e-05``); None when empty or a placeholder (``parse.placeholders``)."""
    if is_placeholder(text):
        return None
    t = str(text).strip().replace(",", "").replace("，", "").replace("%", "").replace("％", "")
    if not t:
        return None
    if not _NUM_RE.match(t):
        raise ParseError("number_unreadable", f"不是数字: {text}", f"not a number: {text}")
    return float(t)


_CHINA = {"中国", "中国大陆", "中华人民共和国", "cn", "chn", "china", "prc", "mainland china"}


def _region_resolver():
    from ..geo.parser import RegionParser

    parser = RegionParser.default()

    def resolve(province, city, district, address, region, country, division=None):
        if country and country.strip().lower() not in _CHINA:
            m = parser.parse(country)
            iso = m.country if (m.foreign and m.country) else country.strip()
            return (None, None, None, iso, country, False, False, None, None)
        m = parser.resolve(province=province, city=city, district=district, address=address, text=region,
                           division=division)
        # a district only the credit code gave: its short name, which an address naming it needs no parse to confirm
        by_code = parser.regions[m.district_code].short_name if m.district_from_division else None
        return (m.province_code, m.city_code, m.district_code, m.country, m.matched, m.named, m.division_conflict,
                by_code, m.text_conflict)

    return resolve


@dataclass
class Typing:
    """How the staged rows are typed: ``select(rows)`` is the SQL of the typed rows of ``rows`` (the staged table,
    or a part of it); ``rejected`` the condition, over a staged row ``s``, that it was rejected."""

    select: Callable[[str], str]
    rejected: str
    # the rows whose region disagrees with their credit code (``_region_conflict``): their count when the region
    # lookup's row counts give it, else the condition over a staged row ``s`` and the joins of the region lookups
    # it reads; 0 when no lookup holds a disagreement
    conflicts: int | tuple[str, str] = 0
    # the rows that disagree, over a staged row ``s``: (condition, the joins it reads, the code of the region the row
    # is imported with); None when none does
    conflict_rows: tuple[str, str, str] | None = None
    # the rows whose address and region text name different places (``RegionMatch.text_conflict``): (the one not
    # followed — 'text' or 'address' —, the joins it reads, the code of the region the row is imported with); None
    # when no row's do
    text_conflict_rows: tuple[str, str, str] | None = None

    def rows(self, con, source: str) -> None:
        """Type the staged rows of ``source`` into ``_typed_rows`` (which the view ``_typed`` reads)."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE _typed_rows AS {self.select(source)}")


def type_stage(con, staged: Staged, mapping: Mapping, extra: str | None = None, deferred: bool = False) -> Typing:
    """Build ``_typed`` from ``_stg``. Rejected rows are flagged ``_rejected``. The rows are stored in
    ``_typed_rows`` without the columns no file maps; the view ``_typed`` adds them as NULL.

    ``extra``: more columns computed over the typed ones (an enterprise's key), in the view: the writers read
    this one table and never copy the rows again, and a key that repeats a credit code is never stored.

    ``deferred``: the values are parsed, checked and every problem recorded, but no row is typed yet
    (``_typed_rows`` is empty): the caller types the staged rows part by part with ``Typing.rows``.

    A date of something that happened (not a term's end or a deadline) after today rejects its row, as an
    unreadable one does: no event is dated in the future and no typo moves the database's reference date
    (``core.asof``)."""
    kind_fields = staged.fields
    selects = ["s.*"]
    # what is noted once every row's rejection is known (a value read with care, a region not found): each note is
    # called with the condition, over a staged row ``s``, that the row is rejected
    notes: list[Callable[[str], None]] = []
    joins: list[str] = []
    n = 0

    def alias() -> str:
        nonlocal n
        n += 1
        return f"m{n}"

    for f in kind_fields.values():
        if f.name not in staged.present:
            continue
        if f.type == "date":
            # a deadline (a demand's 截止时间): a month or year is its last day, 长期有效 no deadline (dates.DEADLINES)
            lk = map_distinct(con, staged, f.name, [f.name], _deadline_fn if f.name in DEADLINES else _date_fn,
                              [("v", pa.date32()), ("p", pa.string()), *_REASON_OUT])
            a = alias()
            joins.append(join_lookup(lk, a, [f.name]))
            # the date, and what it is known to where that is less than the day (2015-03: 'month'; 2015: 'year')
            selects += [f"{a}.v AS {qi(f.name + '__d')}", f"{a}.p AS {qi(f.name + '__p')}"]
            if _has_errors(con, lk):
                con.execute(f"INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[f.name])}, s.{qi(f.name)}, "
                            f"'日期无法识别: ' || {a}.err, 'rejected', {a}.code, 'unreadable date: ' || {a}.err_en "
                            f"FROM {staged.table} s {join_lookup(lk, a, [f.name])} "
                            f"WHERE {a}.err IS NOT NULL")
            if f.name not in MAY_BE_LATER:
                _reject_later(con, staged, f.name, lk, a, china_today())
        elif f.type == "amount":  # the unit of bare numbers: the mapping's, else the one the header states
            unit = mapping.units.get(f.name) or header_unit(staged.header_of.get(f.name))[1]
            lk = map_distinct(
                con, staged, f.name, [f.name, _currency_col(staged)] if _currency_col(staged) else [f.name],
                _amount_fn(unit),
                [("wan", pa.float64()), ("low", pa.float64()), ("high", pa.float64()), ("cur", pa.string()),
                 ("undisclosed", pa.bool_()), *_REASON_OUT, ("bare", pa.float64())],
            )
            keys = [f.name, _currency_col(staged)] if _currency_col(staged) else [f.name]
            a = alias()
            joins.append(join_lookup(lk, a, keys))
            selects += [f"{a}.wan AS {qi(f.name + '__wan')}", f"{a}.low AS {qi(f.name + '__low')}",
                        f"{a}.high AS {qi(f.name + '__high')}", f"{a}.cur AS {qi(f.name + '__cur')}"]
            if _has_errors(con, lk):
                con.execute(f"INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[f.name])}, s.{qi(f.name)}, "
                            f"'金额无法识别: ' || {a}.err, 'rejected', {a}.code, 'unreadable amount: ' || {a}.err_en "
                            f"FROM {staged.table} s {join_lookup(lk, a, keys)} "
                            f"WHERE {a}.err IS NOT NULL")
            if unit is None and con.execute(f"SELECT 1 FROM {lk} WHERE bare IS NOT NULL LIMIT 1").fetchall():
                notes.append(lambda rejected, name=f.name, lk=lk, keys=keys: _note_bare_amounts(
                    con, staged, name, lk, keys, rejected))
        elif f.type == "number":
            unit = mapping.units.get(f.name)
            fn = _usd_fn if (f.name == "amount_usd" or (unit or "").upper() == "USD") else _number_fn
            out = [("v", pa.float64()), *_REASON_OUT]
            lk = map_distinct(con, staged, f.name, [f.name], fn, out)
            a = alias()
            joins.append(join_lookup(lk, a, [f.name]))
            selects.append(f"{a}.v AS {qi(f.name + '__n')}")
            if _has_errors(con, lk):
                con.execute(f"INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[f.name])}, s.{qi(f.name)}, "
                            f"{a}.err, 'rejected', {a}.code, {a}.err_en FROM {staged.table} s {join_lookup(lk, a, [f.name])} "
                            f"WHERE {a}.err IS NOT NULL")
        # credit codes: checked in SQL when staged (``__ok``); the invalid ones go to Python afterwards, for the
        # reason (``_uscc_reasons``)
        elif f.type == "list":
            sep = mapping.separators.get(f.name) or f.sep or ","
            lk = map_distinct(con, staged, f.name, [f.name], _list_fn(sep), [("v", pa.list_(pa.string()))])
            a = alias()
            joins.append(join_lookup(lk, a, [f.name]))
            selects.append(f"{a}.v AS {qi(f.name + '__list')}")

    # Names → normalised names: in SQL where the name allows it, in Python (on distinct names) elsewhere. Most
    # names are their own normal form: the typed rows then hold NULL (the view gives the name back), not a
    # second copy of every name
    same_norm: list[str] = []
    for name_field in NAME_FIELDS.get(staged.kind, ()):
        if name_field in staged.present:
            fast, fast_value = normalize_name_sql(f"s.{qi(name_field)}")
            lk = map_distinct(con, staged, name_field + "_norm", [name_field], lambda v: (normalize_name(v),),
                              [("v", pa.string())], source=f"(SELECT * FROM {staged.table} s WHERE NOT {fast})")
            a = alias()
            joins.append(join_lookup(lk, a, [name_field]))
            # the lookup holds exactly the names SQL cannot normalise: a name it lacks is normalised in SQL
            selects.append(f"nullif(CASE WHEN {a}.k0 IS NOT NULL THEN {a}.v ELSE {fast_value} END, s.{qi(name_field)}) "
                           f"AS {qi(name_field + '__norm')}")
            same_norm.append(name_field)

    # Regions: structured columns first (few distinct combinations); the address is parsed only for rows
    # that still lack a district, on the distinct combinations of those rows.
    inputs = [c for c in REGION_INPUTS if c in kind_fields]
    region_out = [("province_code", pa.string()), ("city_code", pa.string()), ("district_code", pa.string()),
                  ("country", pa.string()), ("matched", pa.string()), ("named", pa.bool_()),
                  ("conflict", pa.bool_()), ("by_code", pa.string()), ("text_conflict", pa.string())]
    division = ["uscc__div"] if "uscc" in staged.present else []  # the credit code's division code
    region_joins: list[tuple[str, str]] = []  # (lookup, its join) of the region lookups the typed rows read
    conflict_sql, lk1, region_sql = "false", None, "NULL"
    if any(c in staged.present for c in inputs) or division:
        resolve = _region_resolver()

        def region_fn(cols):
            def fn(*vals):
                args = dict.fromkeys(REGION_INPUTS + ("uscc__div",))
                args.update(zip(cols, vals))
                return resolve(args["province"], args["city"], args["district"], args["address"], args["region"],
                               args["country"], args["uscc__div"])
            return fn

        first = [c for c in inputs if c != "address" and c in staged.present]
        if first or "address" not in staged.present:
            first += division
            lk1 = map_distinct(con, staged, "region", first, region_fn(first), region_out, counted=True)
            a1 = alias()
            joins.append(join_lookup(lk1, a1, first))
            region_joins.append((lk1, joins[-1]))
        if "address" in staged.present:
            # the address is read where the columns gave no district — or only the credit code did, and the address
            # does not name that district —, or only a bare district name that an address naming its province or
            # city outranks (北京市朝阳区… over a district column 朝阳)
            need = (f"(SELECT s.* FROM {staged.table} s {join_lookup(lk1, 'r1', first)} WHERE (r1.district_code IS NULL "
                    f"OR NOT coalesce(r1.named, false) OR NOT contains(coalesce(s.address, ''), r1.by_code)) "
                    f"AND (r1.country IS NULL OR r1.country = 'CN'))") if first else staged.table
            if first and not con.execute(
                    f"SELECT 1 FROM {lk1} WHERE (district_code IS NULL OR NOT coalesce(named, false) OR by_code IS NOT "
                    "NULL) AND (country IS NULL OR country = 'CN') LIMIT 1").fetchall():
                # no combination of the columns leaves the address anything to do (a registry with every district
                # named): only rows holding none of them are read by address — no join of every row
                need = f"(SELECT * FROM {staged.table} WHERE {' AND '.join(f'{qi(c)} IS NULL' for c in first)})"
            cols2 = (first or division) + ["address"]
            lk2 = map_distinct(con, staged, "region_addr", cols2, region_fn(cols2), region_out, source=need)
            a2 = alias()
            if first and not con.execute(f"SELECT 1 FROM {lk2} LIMIT 1").fetchall():
                a2 = None  # no row needed its address: no join on it (every row's address is a key of it)
            else:
                joins.append(join_lookup(lk2, a2, cols2))
                region_joins.append((lk2, joins[-1]))
            def pick(c, a1=(a1 if first else None), a2=a2):
                if a2 is None:
                    return f"{a1}.{c}"
                if a1 is None:
                    return f"{a2}.{c}"
                return f"CASE WHEN {a2}.province_code IS NOT NULL OR {a2}.country IS NOT NULL THEN {a2}.{c} ELSE {a1}.{c} END"
        else:
            def pick(c, a1=a1):
                return f"{a1}.{c}"
        conflict_sql = f"coalesce({pick('conflict')}, false)"
        region_sql = f"coalesce({pick('district_code')}, {pick('city_code')}, {pick('province_code')})"
        named = [c for c in ("region", "city", "province", "district") if c in staged.present]
        # (only when a lookup holds a place not found: a registry whose every place is found needs no pass over its rows)
        if named and any(con.execute(f"SELECT 1 FROM {lk} WHERE province_code IS NULL AND country IS NULL LIMIT 1")
                         .fetchall() for lk, _ in region_joins):
            notes.append(lambda rejected, named=named, found=f"({pick('province_code')} IS NOT NULL OR "
                         f"{pick('country')} IS NOT NULL)", joins=" ".join(j for _, j in region_joins):
                         _note_unknown_regions(con, staged, named, found, joins, rejected))
        selects += [f"{pick('province_code')} AS _province_code", f"{pick('city_code')} AS _city_code",
                    f"{pick('district_code')} AS _district_code", f"{pick('country')} AS _country",
                    f"{conflict_sql} AS _region_conflict"]
    else:
        selects += ["NULL::VARCHAR AS _province_code", "NULL::VARCHAR AS _city_code",
                    "NULL::VARCHAR AS _district_code", "NULL::VARCHAR AS _country", "false AS _region_conflict"]

    _cell_checks(con, staged)

    # most imports reject nothing: then no row needs looking up among the rejects
    rejected = ("EXISTS (SELECT 1 FROM _rej r WHERE r._file = s._file AND r._row = s._row AND r.action = 'rejected')"
                if con.execute("SELECT 1 FROM _rej WHERE action = 'rejected' LIMIT 1").fetchall() else "false")
    for note in notes:
        note(rejected)
    if staged.absent:  # the columns no file maps stay out of the stored rows (the view gives them as NULL)
        selects[0] = f"s.* EXCLUDE ({', '.join(qi(c) for c in staged.absent)})"
    selects[0] += compact_sql(staged.compact, "s")  # and a credit code that is its checked form is stored once
    conflicts: int | tuple[str, str] = 0
    if len(region_joins) == 1 and region_joins[0][0] == lk1 and rejected == "false":
        # only the columns' lookup decides, and no row is rejected: counted with the distinct combinations
        conflicts = con.execute(f"SELECT coalesce(sum(_rows), 0) FROM {lk1} WHERE conflict").fetchone()[0]
    elif any(con.execute(f"SELECT 1 FROM {lk} WHERE conflict LIMIT 1").fetchall() for lk, _ in region_joins):
        conflicts = (conflict_sql, " ".join(j for _, j in region_joins))
    conflict_rows = ((conflict_sql, " ".join(j for _, j in region_joins), region_sql) if conflicts else None)
    text_conflict_rows = None
    if any(con.execute(f"SELECT 1 FROM {lk} WHERE text_conflict IS NOT NULL LIMIT 1").fetchall() for lk, _ in region_joins):
        text_conflict_rows = (pick("text_conflict"), " ".join(j for _, j in region_joins), region_sql)
    typing = Typing(lambda rows: f"SELECT {', '.join(selects)}, {rejected} AS _rejected FROM {rows} s {' '.join(joins)}",
                    rejected, conflicts, conflict_rows, text_conflict_rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _typed_rows AS {typing.select(staged.table)}"
                + (" LIMIT 0" if deferred else ""))
    restored = restore_sql(staged.compact, {f + "__norm": f for f in same_norm})
    # (the extra columns read the restored ones: computed over the inner view)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _typed AS SELECT *{f', {extra}' if extra else ''} FROM (SELECT *{restored}"
                + "".join(f", NULL::{t} AS {qi(c)}" for c, t in staged.absent.items()) + " FROM _typed_rows)")
    for f in kind_fields.values():
        if f.type == "uscc" and f.name in staged.present:
            _uscc_reasons(con, staged, f.name)
    return typing


# date fields that may lie ahead: a term's planned end, a demand's deadline
MAY_BE_LATER = {"end", "deadline"}


def _reject_later(con, staged: Staged, name: str, lookup: str, a: str, day: _dt.date) -> None:
    """Rows dated after today (a typo, or an announced date): rejected, one line each."""
    d = day.isoformat()
    if not con.execute(f"SELECT 1 FROM {lookup} WHERE v > DATE '{d}' LIMIT 1").fetchall():
        return
    con.execute(f"INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[name])}, s.{qi(name)}, "
                f"'日期晚于今天（{d}）: ' || strftime({a}.v, '%Y-%m-%d'), 'rejected', 'date_in_future', "
                f"'date after today ({d}): ' || strftime({a}.v, '%Y-%m-%d') "
                f"FROM {staged.table} s {join_lookup(lookup, a, [name])} WHERE {a}.v > DATE '{d}'")


def flag_region_conflicts(con, staged: Staged, typing: Typing) -> None:
    """The rows imported whose region differs from their credit code's division code: a line each in the rejects
    file (``region_conflict``, action ``flagged``), naming both regions, for the data team to check. The rows whose
    address and region text name different places: a line each too (``region_text_conflict``), naming the text not
    followed and the region imported."""
    if typing.text_conflict_rows is not None:
        which, joins, region = typing.text_conflict_rows
        g_join, g_zh, g_en = label_sql(region, "g")  # 深圳市南山区, not 南山区 (several cities have one)
        con.execute(f"""INSERT INTO _rej SELECT s._file, s._row,
                CASE {which} WHEN 'text' THEN {ql(staged.header_of.get('region', 'region'))}
                     ELSE {ql(staged.header_of.get('address', 'address'))} END,
                CASE {which} WHEN 'text' THEN s.region ELSE s.address END,
                CASE {which} WHEN 'text' THEN '地区列与地址不一致：地区列 ' || s.region || ' 与地址所在地不同，按地址导入为 '
                     ELSE '地址与地区列不一致：地址的省份与地区列及地址中的城市都不同，按地区列导入为 ' END
                  || coalesce({g_zh}, '-') || '，请核对', 'flagged', 'region_text_conflict',
                CASE {which} WHEN 'text' THEN 'region column differs from the address: ' || s.region
                       || ' is not where the address is; imported by the address as '
                     ELSE 'address differs from the region column: its province is neither the region column''s nor '
                       || 'that of the city it names; imported by the region column as ' END
                  || coalesce({g_en}, '-') || '; to review'
            FROM {staged.table} s {joins} {g_join}
            WHERE {which} IS NOT NULL AND NOT {typing.rejected}""")
    if typing.conflict_rows is None:
        return
    cond, joins, region = typing.conflict_rows
    g_join, g_zh, g_en = label_sql(region, "g")
    d_join, d_zh, d_en = label_sql("s.uscc__div", "d")
    con.execute(f"""INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of['uscc'])}, s.uscc,
            '地区与信用代码不一致：信用代码的行政区划码 ' || s.uscc__div || coalesce('（' || {d_zh} || '）', ' ')
              || '与导入的地区 ' || coalesce({g_zh}, '-') || ' 不符，请核对', 'flagged', 'region_conflict',
            'region differs from the credit code: its division code ' || s.uscc__div
              || coalesce(' (' || {d_en} || ')', '') || ' is not the region imported, '
              || coalesce({g_en}, '-') || '; to review'
        FROM {staged.table} s {joins} {g_join} {d_join}
        WHERE {cond} AND NOT {typing.rejected}""")


def _has_errors(con, lookup: str) -> bool:
    """A lookup with no unreadable value needs no pass over the rows to name them."""
    return bool(con.execute(f"SELECT 1 FROM {lookup} WHERE err IS NOT NULL LIMIT 1").fetchall())


def _cell_checks(con, staged: Staged) -> None:
    """Over-long cells and empty required fields, in one pass over the rows: the byte length (known without
    reading the text) bounds the character count, so only the rare candidate rows are looked at closely."""
    fields = staged.fields.values()
    long = [f.name for f in fields if f.name in staged.present and f.type in ("text", "region", "list")]
    required = [f.name for f in fields if f.required and f.name in staged.present]
    # a row that needs one of several fields (a news item: a title or a body) and has none of them — a
    # placeholder (an export's "-" for an unknown value) is none: staging read it as NULL
    one_of = [f for f in ONE_OF.get(staged.kind, ()) if f in staged.present]
    empty = " AND ".join(f"{qi(c)} IS NULL" for c in one_of)
    cond = [f"strlen({qi(c)}) > {MAX_CELL_CHARS}" for c in long] + [f"{qi(c)} IS NULL" for c in required] + \
        ([empty] if one_of else [])
    if not cond:
        return
    cols = ", ".join(qi(c) for c in dict.fromkeys(long + required + one_of))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _chk AS SELECT _file, _row, {cols} FROM {staged.table} "
                f"WHERE {' OR '.join(cond)}")
    if not con.execute("SELECT 1 FROM _chk LIMIT 1").fetchall():
        return
    for c in long:
        reject_where(con, staged, f"length({qi(c)}) > {MAX_CELL_CHARS}", c,
                     ("cell_too_long", f"字段过长（超过 {MAX_CELL_CHARS:,} 个字符）",
                      f"value too long (over {MAX_CELL_CHARS:,} characters)"), value_sql="left(" + qi(c) + ", 50) || '…'",
                     table="_chk")
    for c in required:
        reject_where(con, staged, f"{qi(c)} IS NULL", c, ("required_missing", f"必填字段为空: {c}",
                                                         f"required field is empty: {c}"), table="_chk")
    if one_of:
        names, names_en = "、".join(staged.header_of.get(c, c) for c in one_of), " or ".join(one_of)
        what, what_en = ONE_OF_MEANING.get(staged.kind, ("", "nothing to keep"))
        reject_where(con, staged, empty, one_of[0], ("content_missing", f"{names}都为空{what}",
                                                     f"no {names_en}: {what_en}"), table="_chk")


# kinds whose row needs at least one of these fields (when a file maps them): else it is rejected. A funding row
# with no date, round, amount or investor (IT桔子's "-,-,-,-" for a company without a known round) is no round.
ONE_OF = {"news": ("title", "body"),
          "fundings": ("date", "round", "amount", "amount_usd", "investors", "lead_investor")}
# what such a row is not, said after the fields (Chinese, English)
ONE_OF_MEANING = {"fundings": ("，不是一轮融资", "not a funding round")}


# what an import that goes on does with a row whose credit code is invalid (a strict one writes nothing: its refusal
# names the problem without it, ``pipeline._refuse_strict``)
USCC_DROPPED = ("（该代码未被使用，其余字段已导入）", " (the code is not used; the other fields were imported)")


def _uscc_reasons(con, staged: Staged, name: str) -> None:
    """An invalid credit code is dropped from its row (the rest is kept): the reason, per distinct code."""
    # (read from the staged rows: the typed ones carry the same code and check, and may not be typed yet)
    source = (f"(SELECT _file, _row, {qi(name)} FROM {staged.table} WHERE {qi(name)} IS NOT NULL "
              f"AND {qi(name + '__ok')} IS NULL)")
    lk = map_distinct(con, staged, name, [name], _uscc_fn, [("v", pa.string()), *_REASON_OUT], source=source)
    # the other fields were imported only where the row was not rejected for another value
    kept = ("NOT EXISTS (SELECT 1 FROM _rej r WHERE r._file = s._file AND r._row = s._row AND r.action = 'rejected')")
    con.execute(f"INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[name])}, s.{qi(name)}, "
                f"'统一社会信用代码无效: ' || a.err || CASE WHEN {kept} THEN {ql(USCC_DROPPED[0])} ELSE '' END, "
                f"'field_dropped', a.code, "
                f"'invalid credit code: ' || a.err_en || CASE WHEN {kept} THEN {ql(USCC_DROPPED[1])} ELSE '' END "
                f"FROM {source} s {join_lookup(lk, 'a', [name])} WHERE a.err IS NOT NULL")


def _currency_col(staged: Staged) -> str | None:
    return "currency" if "currency" in staged.present else None


# the reason columns of a parser's lookup: Chinese reason, its code, English reason (``parse.problem``)
_REASON_OUT = [("err", pa.string()), ("code", pa.string()), ("err_en", pa.string())]
_NO_REASON = (None, None, None)


def _or_reason(parse, code: str, en: str):
    """A parser returning (value, None, None, None), or (None, reason, code, English reason) where it raises
    ValueError."""
    def fn(v):
        try:
            return parse(v), *_NO_REASON
        except ValueError as exc:
            return None, *reason_of(exc, code, en)
    return fn


def _date_fn(v):
    """(date, precision — NULL for a day, most values —, reason columns) of a date cell."""
    try:
        d, precision = parse_date_ex(v)
    except ValueError as exc:
        return None, None, *reason_of(exc, "date_unreadable", "not a date")
    return d, (precision if precision != "day" else None), *_NO_REASON


def _deadline_fn(v):
    """(date, precision, reason columns) of a deadline cell (``parse_deadline``): the day it is due by — a month
    or year's last day — with a NULL precision; no date and the precision ``open`` for an open-ended one (长期有效:
    ``is_open_ended``), kept apart from an empty cell."""
    if is_open_ended(v):
        return None, "open", *_NO_REASON
    try:
        d = parse_deadline(v)
    except ValueError as exc:
        return None, None, *reason_of(exc, "date_unreadable", "not a date")
    return d, None, *_NO_REASON
_number_fn = _or_reason(parse_number, "number_unreadable", "not a number")


# a bare number (no unit, no currency) in an amount column whose header and mapping give no unit is read in 元 (the
# amount rule, docs/methods.md); one under this many 元 (预算 80: 0.008 万元) is implausible for a capital, a round or
# a budget — kept as read, and flagged for the data team to check its unit (``amount_no_unit``)
BARE_AMOUNT_BELOW = 1000
_BARE_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
# what the note says of a row imported (Chinese, English); a rejected row's note says the problem alone
KEPT_FLAGGED = ("：已导入，请核对", ": imported; to review")
KEPT_NO_REGION = ("：已导入，不含地区", ": imported without a region")


def _number_sql(col: str) -> str:
    """A number read as the rejects file writes it (80, 80.5: no trailing .0)."""
    return f"regexp_replace(CAST({col} AS VARCHAR), '\\.0$', '')"


def _note_bare_amounts(con, staged: Staged, name: str, lookup: str, keys: list[str], rejected: str) -> None:
    """Every row whose amount is a bare number under ``BARE_AMOUNT_BELOW`` in a column without a unit: a line each in
    the rejects file (``amount_no_unit``) saying it was read in 元 — action ``flagged`` on a row imported, the row's
    ``rejected`` on one rejected for another value (so the file lists every problem of the row)."""
    n = _number_sql("a.bare")
    con.execute(f"""INSERT INTO _rej SELECT s._file, s._row, {ql(staged.header_of[name])}, s.{qi(name)},
            '金额无单位，按元读取：' || {n} || ' 元' || CASE WHEN {rejected} THEN '' ELSE {ql(KEPT_FLAGGED[0])} END,
            CASE WHEN {rejected} THEN 'rejected' ELSE 'flagged' END, 'amount_no_unit',
            'no unit: read as CNY ' || {n} || CASE WHEN {rejected} THEN '' ELSE {ql(KEPT_FLAGGED[1])} END
        FROM {staged.table} s {join_lookup(lookup, 'a', keys)} WHERE a.bare IS NOT NULL""")


def _note_unknown_regions(con, staged: Staged, named: list[str], found: str, joins: str, rejected: str) -> None:
    """Every row whose region columns (所在地, 省份, 城市, 区县) hold a place no region of the reference is found for
    (火星市): a line each in the rejects file (``region_unknown``, the first such column and its value) — action
    ``kept_without`` on a row imported without a region (counted in the report's ``kept_without``), the row's
    ``rejected`` on one rejected for another value. A place outside China (美国) is a country, found."""
    col = "CASE " + " ".join(f"WHEN s.{qi(c)} IS NOT NULL THEN {ql(staged.header_of.get(c, c))}" for c in named) + " END"
    value = f"left(coalesce({', '.join(f's.{qi(c)}' for c in named)}), 200)"
    con.execute(f"""INSERT INTO _rej SELECT s._file, s._row, {col}, {value},
            '未找到地区 ' || {value} || CASE WHEN {rejected} THEN '' ELSE {ql(KEPT_NO_REGION[0])} END,
            CASE WHEN {rejected} THEN 'rejected' ELSE 'kept_without' END, 'region_unknown',
            'region not found: ' || {value} || CASE WHEN {rejected} THEN '' ELSE {ql(KEPT_NO_REGION[1])} END
        FROM {staged.table} s {joins}
        WHERE coalesce({', '.join(f's.{qi(c)}' for c in named)}) IS NOT NULL AND NOT {found}""")


def _amount_fn(unit):
    def fn(text, currency=None):
        try:
            a = parse_amount(text, currency=currency, unit=unit)
        except ValueError as exc:
            return None, None, None, None, None, *reason_of(exc, "amount_unreadable", "not an amount"), None
        if a is None:
            return None, None, None, None, None, *_NO_REASON, None
        # a bare number under 1,000 in a column that gives no unit: read in 元 (the amount rule), to check
        bare = (a.original if unit is None and currency is None and a.currency == "CNY" and a.original is not None
                and 0 < a.original < BARE_AMOUNT_BELOW and _BARE_RE.match(str(text).strip()) else None)
        return a.wan, a.low_wan, a.high_wan, a.currency, a.undisclosed, *_NO_REASON, bare

    return fn


def _usd_fn(v):
    """A plain number of US dollars (e.g. Crunchbase raised_amount_usd) → CNY 万元."""
    try:
        num = parse_number(v)
    except ValueError as exc:
        return None, *reason_of(exc, "number_unreadable", "not a number")
    if num is None:
        return None, *_NO_REASON
    a = parse_amount(str(num), unit="USD")
    return (a.wan if a else None), *_NO_REASON


def _uscc_fn(v):
    code, problem = check_uscc(v)
    return (code, *_NO_REASON) if problem is None else (None, str(problem), problem.code, problem.en)


def _list_fn(sep: str):
    def fn(v):
        return (split_list(v, sep),)

    return fn
