"""The typer application, global options and the output helpers every command uses.

Commands live in sibling modules (one per concern) and attach themselves to ``app``; ``__init__`` imports
them all. Commands stay thin: they parse options, call one service function and print its result.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import math
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable, Iterator, Optional

import typer

from ...core import jsonenc
from ...core.errors import UserError, count_en, noun_en
from ...core.parse.dates import DATE_FORMS, china_time_text, utc_text
from ...core.store import Store, default_db_path, no_database
from ...core.writers import number_text

app = typer.Typer(
    name="zhaoshang",
    help="招商图谱 Zhaoshang — 产业招商大数据：产业链、区域、线索、报告。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class State:
    db: str | None = None
    lang: str = "zh"
    team_db: str | None = None


state = State()


@app.callback()
def _global(
    # the value types the help shows: paths and a choice (the values stay text: a team state may be a URL)
    db: Optional[str] = typer.Option(None, "--db", metavar="<path>",
                                     help="数据库文件（默认 $ZHAOSHANG_DB，否则 ./zhaoshang.duckdb）"),
    lang: Optional[str] = typer.Option(None, "--lang", metavar="<zh|en>",
                                       help="界面语言 zh|en，也用于帮助文本（默认 $ZHAOSHANG_LANG，否则 zh）"),
    team_db: Optional[str] = typer.Option(None, "--team-db", metavar="<path>",
                                          help="团队数据（用户、会话、令牌、审计日志）：SQLite 文件或 "
                                          "postgresql://… （默认 $ZHAOSHANG_TEAM_DB，否则数据库旁的 *.team.sqlite）"),
) -> None:
    state.db = db or default_db_path()
    state.team_db = team_db
    lang = lang or os.environ.get("ZHAOSHANG_LANG", "zh")  # read when the command runs, not when this module loads
    state.lang = "en" if lang.lower().startswith("en") else "zh"
    if not lang.lower().startswith(("zh", "en")):  # --lang fr answered in Chinese without a word
        raise UserError(f"界面语言无效: {lang}（可选 zh|en）", en=f"invalid interface language: {lang} (zh or en)")


def t(zh: str, en: str) -> str:
    """Pick the message in the user's language."""
    return en if state.lang == "en" else zh


def open_store(read_only: bool = False) -> Store:
    return Store(state.db or default_db_path(), read_only=read_only)


def region_labels_beside_team(codes) -> dict[str, str]:
    """Region code → its name in the CLI's language, with its city where another region shares the name
    (杭州市西湖区, 南昌市西湖区: the region service's ``region_labels``); none without a database beside the team
    state (the names as stored)."""
    from ...core.geo.lookup import region_labels

    try:
        with open_store(read_only=True) as store:
            return region_labels(store, codes, t("zh", "en"))
    except UserError:
        return {}


def open_team(create: bool = False):
    """The team state (users, sessions, tokens, audit log) for --db / --team-db. The team state kept beside a database
    file that does not exist is refused as the database is (数据库不存在, naming the path), not made empty: a command
    reading news, alerts or leads from it answers an empty table for a mistyped --db otherwise. ``create``: the
    commands that set the team state up before any data (users, team, serve) make it there."""
    from ...core.teamstate import open_team_db
    from ...core.teamstate.db import ENV

    db = state.db or default_db_path()
    if not create and not state.team_db and not os.environ.get(ENV) and db != ":memory:" and not os.path.exists(db):
        raise no_database(db)
    return open_team_db(state.team_db, db_path=db)


def audit_unrecorded(what_zh: str, what_en: str, exc: Exception) -> None:
    """An update that stands without its entry in the team's audit log (the team state could not be opened or
    written): said on stderr, the reason in the UI language too."""
    why = exc.in_lang(state.lang) if isinstance(exc, UserError) else str(exc)
    sys.stderr.write(t(f"警告: 审计日志未能记录这次{what_zh}: {why}\n", f"warning: the audit log could not record this {what_en}: {why}\n"))


def update_store():
    """A writable store for one import or classification, published only when it succeeds: in place, or as a
    new generation of the file while a server reads it (``core.generations``)."""
    from ...core.generations import updating

    return updating(state.db or default_db_path())


def interactive() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator:
    """A rich progress bar on a terminal (on stderr: stdout stays the answer); silent when piped. Yields an
    ``advance(n, total=…, description=…, description_en=…)`` callable: a service names a step in Chinese and
    in English, and the language is chosen here, as for every message."""
    if not interactive():
        yield lambda n=1, **kw: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}", markup=False), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), transient=True, console=Console(stderr=True)) as p:
        task = p.add_task(description, total=total)

        def advance(n: int = 1, **kw: Any) -> None:
            if "total" in kw:  # a new total starts a new phase (the demo: generating, then importing)
                p.update(task, total=kw["total"], completed=0)
            if "description" in kw:
                p.update(task, description=t(kw["description"], kw.get("description_en") or kw["description"]))
            p.advance(task, n)

        yield advance


def dumps(doc: Any) -> str:
    """``--format json``: the one JSON encoding (``core.jsonenc``), the same as the API's."""
    return jsonenc.dumps(doc)


def emit(doc: Any, fmt: Fmt, *, rows: Iterable[dict] | None = None, columns: list[str] | None = None,
         title: str | None = None, note: str | None = None, headers: dict[str, tuple[str, str]] | None = None,
         fields: Iterable[dict] | None = None, field_names: Iterable[str] | None = None) -> None:
    """Print a result: ``doc`` as JSON for --format json; ``rows`` (default: doc) as a table or CSV.

    Table headers are the columns' labels in the UI language (``interfaces.labels``); CSV keeps the keys.
    A table wider than the terminal is printed as one block of "header  value" lines per row (its empty cells
    left out) instead of being squeezed into unreadable slivers. ``note`` (e.g. the synthetic-data label) goes to stderr for
    table/csv so stdout stays clean. ``headers`` overrides a column's (zh, en) label where the shared one would
    mislead (a user's role is not a person's 职务). An empty result says so in words, never a blank line.
    ``fields``: the JSON's rows behind a table whose ``rows`` are made for reading (labels, names in the UI
    language, columns left out): a CSV writes these, with their field names, in any language; ``field_names``: the
    fields a row of ``fields`` has, the CSV's header row when there is none (an empty list is a header, not a blank line).
    """
    if fmt == Fmt.json:
        sys.stdout.write(dumps(doc) + "\n")
        return
    rows = list(rows if rows is not None else (doc if isinstance(doc, list) else [doc]))
    if columns is None:
        columns = list(rows[0].keys()) if rows else []
    if fmt == Fmt.csv and fields is not None:
        rows = list(fields)
        columns = list(dict.fromkeys(k for r in rows for k in r)) or list(field_names or ())
    if fmt == Fmt.csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c), raw=True) for c in columns])
        sys.stdout.write(buf.getvalue())
        if note:
            sys.stderr.write(note + "\n")
        return
    from rich.console import Console
    from rich.cells import cell_len
    from rich.table import Table

    from ..labels import column

    console = Console()
    if not rows and not columns:
        if title:
            console.print(title, style="italic", markup=False)
        console.print(t("（无记录）", "(nothing to show)"), markup=False)
        if note:
            # one line a note: a terminal wraps it, a log or a pipe keeps it whole (it broke at 80 columns mid-sentence)
            Console(stderr=True).print(note, style="yellow", markup=False, soft_wrap=True)
        return
    headers = [(headers or {}).get(str(c), (None, None))[state.lang == "en"] or column(str(c), state.lang) for c in columns]
    cells = [[_cell(r.get(c), t("、", ", "), plain=_names_a_thing(str(c))) for c in columns] for r in rows]
    natural = sum(max([cell_len(x) for c in [h, *col] for x in c.splitlines() or [""]]) + 3
                  for h, col in zip(headers, zip(*cells) if cells else [()] * len(headers))) + 1
    if title and cell_len(title) > min(natural, console.width):
        # a title wider than its table (a team state's location, a long path) on lines of its own, wrapped only at
        # the terminal's width: as the table's caption it was wrapped to the table's width mid-word
        # (postgresql://zs@127.0.0.1:8872/p / ostgres)
        console.print(title, style="italic", markup=False)
        title = None
    tbl = Table(title=title, show_lines=False)
    for h in headers:
        tbl.add_column(h, overflow="fold")  # a cell too long for its column wraps; none is cut with "…"
    if len(columns) == 2 and natural > console.width:
        # a two-column table (the import summary's 项目 │ 值) too wide for the terminal: the labels' column as wide as
        # its labels need, those up to 45 % of the width (a longer one wraps; an English label such as "imported
        # without a publication date" stays whole at 80 columns), the values the rest — an even split gave the labels
        # 38 of 80 columns for one label of 40 and wrapped the values in a 38-column sliver
        widths = [cell_len(x) for c in [headers[0], *(line[0] for line in cells)] for x in c.splitlines() or [""]]
        cap = console.width * 9 // 20
        tbl.columns[0].max_width = max([w for w in widths if w <= cap] or [cap])
        tbl.columns[0].no_wrap = max(widths) <= tbl.columns[0].max_width
    for line in cells:
        tbl.add_row(*line)
    if len(columns) > 2 and natural > console.width:
        if title:
            console.print(title, style="italic", markup=False)
        tbl = Table(show_header=False, box=None, padding=(0, 1))
        # the headers keep one line unless one would take half the width: then it wraps too (never cut)
        tbl.add_column(style="bold", no_wrap=max(map(cell_len, headers)) < console.width // 2, overflow="fold")
        tbl.add_column(overflow="fold")
        for i, line in enumerate(cells):
            # an empty cell is left out of its block (a scorecard's signal rows leave the dimension's columns
            # blank: its blocks were mostly labels without values)
            filled = [(h, v) for h, v in zip(headers, line) if v.strip()] or [(headers[0], line[0])]
            for j, (h, v) in enumerate(filled):
                tbl.add_row(h, v, end_section=j == len(filled) - 1)
            if i < len(cells) - 1:
                tbl.add_row("", "")
    console.print(tbl)
    if not rows:
        console.print(t("（无记录）", "(nothing to show)"), markup=False)
    if note:
        Console(stderr=True).print(note, style="yellow", markup=False, soft_wrap=True)  # one line a note, as above


#: Columns whose whole numbers name a thing rather than count it — ids, years, codes, versions, numbers: printed as
#: they are in a table (enterprise 12345, year 2024, code 330100), never grouped as a count is (12,345).
_NAMING = frozenset({"id", "year", "code", "key", "number", "version", "period", "import", "seed", "port", "line_no"})


def _names_a_thing(column: str) -> bool:
    c = column.lower()
    return c in _NAMING or c.endswith(("_id", "_ids", "_year", "_code", "_key", "_number", "_no", "_version")) \
        or c.startswith("year")


def _cell(v: Any, joiner: str = "、", *, raw: bool = False, plain: bool = False) -> str:
    """The text of a table/CSV cell: a table's numbers in positional notation (never 1.2e+04), lists joined with 、
    (an English table's with ", "), times to the second in China's time with its zone (``dates.china_time_text``).
    A table groups thousands (86,240; 1,880) and keeps four
    significant digits; a CSV cell (``raw``) is the number itself, as a spreadsheet computes with it, written as the
    exports' CSV writes it (``core.writers.number_text``: 86240, 0.123456, a float beyond 1e16 as 1e+30, never its
    31 noisy digits), and a yes/no the JSON's ``true``/``false``;
    a whole number that names a thing (``plain``: an id, a year, a code) is printed as it is."""
    if v is None:
        return ""
    if isinstance(v, datetime.datetime):  # a table's moment in China's time, its zone said; a CSV's as the JSON's (UTC, Z)
        return utc_text(v) if raw else china_time_text(v)
    if isinstance(v, bool):
        if raw:  # as the JSON writes it, in either language
            return "true" if v else "false"
        return t("是", "yes") if v else t("否", "no")
    if raw and isinstance(v, (float, decimal.Decimal)):  # as the exports' CSV writes a number (core/writers.py)
        return number_text(v) if v == v and abs(v) != math.inf else ""
    if isinstance(v, decimal.Decimal):
        v = float(v)
    if isinstance(v, float):
        if v != v:
            return ""
        if v == 0:  # -0.0 (a rounded negative COG) prints as 0, not "-0"
            return "0"
        if abs(v) >= 1_000:  # four significant digits leave no decimal here: thousands grouped (1,880), as 30,879
            return f"{v:,.0f}"
        s = f"{v:.4g}"
        if "e" in s:  # below 0.0001: enough decimals for three significant digits
            s = f"{v:.{min(12, 2 - math.floor(math.log10(abs(v))))}f}".rstrip("0").rstrip(".")
        return s
    if isinstance(v, (list, tuple)):
        if raw and any(isinstance(x, (dict, list, tuple)) for x in v):
            return dumps(v)  # a CSV cell of records: their JSON
        return joiner.join(str(x) for x in v)
    if isinstance(v, dict):
        return dumps(v)
    if isinstance(v, int) and not (raw or plain) and abs(v) >= 1_000:
        return f"{v:,}"  # a count: thousands grouped, as a float's
    return str(v)


def listed_heading(count: int, total: int, zh: str, en: str, plural: str | None = None, after: tuple[str, str] = ("", "")) -> str:
    """A list's heading: how many rows are listed and, when a limit cut the list, of how many (事件：显示前 200 条，共
    972 条 / events: the first 200 of 972) — a limit never reads as the number there are. ``zh``, ``en``: what is
    listed (事件, event; ``plural`` an irregular English plural); ``after``: what follows, in each language."""
    if total > count:
        return t(f"{zh}：显示前 {count:,} 条，共 {total:,} 条{after[0]}",
                 f"{noun_en(total, en, plural)}: the first {count:,} of {total:,}{after[1]}")
    return t(f"{zh} {count:,} 条{after[0]}", f"{count_en(count, en, plural, sep=True)}{after[1]}")


def node_heading(store: Store, code: str | None) -> str:
    """A chain node as a heading names it, the code with its name in the output's language (``M02 Industry large
    models``): the code as the one node lookup resolved it (m02, computer vision → M05), never as typed; "" for none."""
    from ..labels import node_names

    return node_names(store, state.lang).get(code, code) if code else ""


def synthetic_note(store: Store) -> str | None:
    """The note a demo database's answers carry (stderr): the demo alone, or mixed with imported data from its
    sources (``datastore.data_note``)."""
    from ...services.datastore import data_note, imported_sources

    if not store.synthetic:
        return None
    if not imported_sources(store):
        return t("【合成演示数据】本库为合成的虚构数据，仅供演示。", "[synthetic demo data] fictional, for demonstration only.")
    return t(f"【{data_note(store, 'zh', short=True)}】{data_note(store, 'zh')}",
             f"[{data_note(store, 'en', short=True)}] {data_note(store, 'en')}")


FORMAT_OPTION = typer.Option(Fmt.table, "--format", "-f", help="输出格式 table|json|csv")

AS_OF_HELP = f"截至日期 {DATE_FORMS[0]}（默认：库中最新数据日期，不晚于今天）"


def date_option(flag: str = "--as-of", help: str = AS_OF_HELP, *, what: str = "as_of", end_of_period: bool = True):
    """A date option read by the one date parser (``core.parse.dates.parse_user_date``) before the command
    runs: a bad or future date is one line and exit code 2. The command receives ``YYYY-MM-DD`` or None."""
    from ...core.parse.dates import parse_user_date

    def check(value: Optional[str]) -> Optional[str]:
        d = parse_user_date(value, what, end_of_period=end_of_period)
        return d.isoformat() if d else None

    return typer.Option(None, flag, help=help, callback=check)


REGION_HELP = "地区（代码、名称或区域），写在命令后或用 --region"
REGION_OPTION = typer.Option(None, "--region", help="地区（同写在命令后的地区）")


def one_region(arg: Optional[str], opt: Optional[str], usage: str) -> str:
    """The region of a command that takes it as its first argument, given there or by ``--region`` (as trends, chain
    and alerts take it): one of the two, or both alike; ``usage``: the command line that names it, for the error."""
    if arg and opt and arg.strip() != opt.strip():
        raise UserError(t(f"地区给了两次且不同：{arg} 与 --region {opt}（只给一个）",
                          f"the region is given twice, differently: {arg} and --region {opt} (give one)"))
    region = arg or opt
    if not region or not region.strip():
        raise UserError(t(f"缺少地区：{usage} 地区（或 --region 地区）", f"no region given: {usage} REGION (or --region REGION)"))
    return region
