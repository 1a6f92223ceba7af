"""``--format csv`` writes the JSON's rows with the JSON's field names, whatever ``--lang``: a script reads the same
columns in either language and joins them to the JSON. The table keeps its headers and labels in the UI language."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run  # noqa: E402

COMMANDS = {  # the command → where its JSON keeps the rows the CSV writes
    "search": (["search", "科技", "--limit", "3"], lambda d: d["items"]),
    "recommend": (["recommend", "杭州市", "--top", "3"], lambda d: d["segments"]),
    "map": (["map", "--level", "city", "--parent", "330000"], lambda d: d),
    "chain": (["chain", "--region", "杭州市", "--top", "1"], None),
    "events": (["events", "--limit", "3"], lambda d: d["items"]),
}


def _flat(nodes):
    for n in nodes:
        yield {k: v for k, v in n.items() if k != "children"}
        yield from _flat(n.get("children") or [])


@pytest.mark.parametrize("name", list(COMMANDS))
def test_csv_keeps_the_json_field_names_in_every_language(demo_db, name):
    args, rows_of = COMMANDS[name]
    doc = json.loads(run(*args, "--format", "json", db=demo_db).stdout)
    rows = list(_flat(doc["nodes"])) if rows_of is None else rows_of(doc)
    assert rows
    zh = run(*args, "--format", "csv", db=demo_db).stdout
    en = run("--lang", "en", *args, "--format", "csv", db=demo_db).stdout
    header = next(csv.reader(io.StringIO(zh)))
    assert header == list(dict.fromkeys(k for r in rows for k in r)), header
    assert next(csv.reader(io.StringIO(en))) == header
    read = list(csv.DictReader(io.StringIO(zh)))
    assert len(read) == len(rows)
    key = "code" if "code" in header else "node" if "node" in header else "id"
    assert [r[key] for r in read] == [str(r[key]) for r in rows]


def test_the_table_keeps_the_ui_language(demo_db):
    zh = run("search", "科技", "--limit", "1", db=demo_db, env={"COLUMNS": "200"}).stdout
    en = run("--lang", "en", "search", "科技", "--limit", "1", db=demo_db, env={"COLUMNS": "200"}).stdout
    assert "信用代码" in zh and "Credit code" in en


def _same(cell: str, v) -> bool:
    """A CSV cell holds the JSON's value: a number as itself, a yes/no as true/false, records as their JSON."""
    if v is None:
        return cell == ""
    if isinstance(v, bool):
        return cell == ("true" if v else "false")
    if isinstance(v, (int, float)):
        return float(cell) == v
    if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)):
        return json.loads(cell) == v
    if isinstance(v, list):
        return cell == "、".join(v)
    return cell == v


RECORDS = {  # the command → the JSON's records its CSV writes (a profile: the enterprise's record and its date)
    "show": (["show", "100"], lambda d: [{**d["enterprise"], "as_of": d["as_of"]}]),
    "alerts list": (["alerts", "list", "--limit", "5"], lambda d: d),
    "pipeline list": (["pipeline", "list"], lambda d: d),
    "trends": (["trends", "--by", "year"], lambda d: d["by_period"]),
}


@pytest.mark.parametrize("name", list(RECORDS))
def test_csv_writes_the_json_records_not_the_table(demo_db, name):
    """show, alerts list, pipeline list and trends wrote the table as CSV: Chinese headers (项目,值), labels in the
    UI language (新线索 / new lead, 是 / yes), cells merged for reading (地区 浙江省 杭州市 余杭区), fields left out
    (a period's start and estimated_wan). Their CSV now holds the JSON's fields and values, the same in either
    language."""
    if name == "pipeline list" and not json.loads(run("pipeline", "list", "--format", "json", db=demo_db).stdout):
        run("pipeline", "add", "100", "杭州市", "--next", "拜访", "--due", "2020-01-01", db=demo_db)
    args, records_of = RECORDS[name]
    records = records_of(json.loads(run(*args, "--format", "json", db=demo_db).stdout))
    assert records
    zh = run(*args, "--format", "csv", db=demo_db).stdout
    assert run("--lang", "en", *args, "--format", "csv", db=demo_db).stdout == zh
    header, *body = list(csv.reader(io.StringIO(zh)))
    assert header == list(dict.fromkeys(k for r in records for k in r)), header
    assert len(body) == len(records)
    for row, rec in zip(body, records):
        wrong = {k: (cell, rec.get(k)) for k, cell in zip(header, row) if not _same(cell, rec.get(k))}
        assert not wrong, wrong


@pytest.mark.parametrize("name", ["alerts list", "pipeline list"])
def test_an_empty_list_writes_the_header_row(demo_db, tmp_path, name):
    """An empty alerts or pipeline list wrote a blank line as its CSV (the header was taken from the rows): it writes
    the header row the same command writes when it has rows, in either language."""
    if name == "pipeline list" and not json.loads(run("pipeline", "list", "--format", "json", db=demo_db).stdout):
        run("pipeline", "add", "100", "杭州市", db=demo_db)
    args = RECORDS[name][0]
    full = list(csv.reader(io.StringIO(run(*args, "--format", "csv", db=demo_db).stdout)))
    assert len(full) > 1
    empty = tmp_path / "empty.duckdb"
    from zhaoshang.core.store import Store

    Store(empty).close()  # a database with nothing in it (a read command refuses one that does not exist)
    for lang in ("zh", "en"):
        out = run("--lang", lang, *args, "--format", "csv", db=empty).stdout
        assert list(csv.reader(io.StringIO(out))) == [full[0]], out


def test_an_empty_event_timeline_writes_the_header_row(demo_db, tmp_path):
    """An empty event timeline (a filter nothing matches; a database without events) wrote a blank line as its CSV:
    it writes the header row the timeline writes when it has events, in either language."""
    from zhaoshang.core.store import Store

    full = list(csv.reader(io.StringIO(run("events", "--limit", "50", "--format", "csv", db=demo_db).stdout)))
    assert len(full) > 1 and "ref_table" in full[0]
    empty = tmp_path / "empty.duckdb"
    Store(str(empty)).close()
    # a filter nothing matches: risk events (a news item's risk label counts) after the demo's data
    for args, db in ((["events", "--type", "risk", "--since", "2026-06-01"], demo_db), (["events"], empty)):
        assert json.loads(run(*args, "--format", "json", db=db).stdout)["items"] == []  # the same in either language
        for lang in ("zh", "en"):
            out = run("--lang", lang, *args, "--format", "csv", db=db).stdout
            assert list(csv.reader(io.StringIO(out))) == [full[0]], out
