"""A stored moment — an import's time, a classification's — is one moment everywhere: a page or a table shows it in
China's time and dates it by China's day (an enterprise classified at 19:56 UTC on 2026-12-06 was said to be placed
"按 2026-12-06 的归类" beside an import shown at 2026-12-07 03:56); JSON, a CSV headed by field names and the raw exports
give it in UTC with its zone (they gave the server's clock bare, ``2026-12-06T19:56:21``), as team-state times are
given. A naive stored time is the server's clock (the process's zone, as DuckDB's and Python's ``now()`` stamp it)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core import jsonenc  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402

UTC_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
NAME = "甲星智能科技有限公司"
STAMPED = "2026-12-06 19:56:49"  # a classification's stored time, as a server's clock wrote it


def test_json_gives_a_moment_in_utc_with_its_zone_and_a_date_as_a_date():
    shanghai = dt.datetime(2026, 12, 7, 3, 56, 29, 142504, tzinfo=ZoneInfo("Asia/Shanghai"))
    bare = shanghai.astimezone().replace(tzinfo=None)  # the same moment as this process's clock writes it, no zone
    doc = {"aware": shanghai, "bare": bare, "founded": dt.date(2019, 12, 31)}
    want = '{"aware":"2026-12-06T19:56:29.142504Z","bare":"2026-12-06T19:56:29.142504Z","founded":"2019-12-31"}'
    assert jsonenc.dumps(doc) == want
    assert jsonenc.jsonable(doc) == {"aware": "2026-12-06T19:56:29.142504Z", "bare": "2026-12-06T19:56:29.142504Z",
                                     "founded": "2019-12-31"}


@pytest.fixture(scope="module")
def classified(tmp_path_factory) -> Path:
    """One enterprise imported with a data date, and one placement stamped at ``STAMPED`` by the server's clock."""
    folder = tmp_path_factory.mktemp("moments")
    db, sheet = folder / "m.duckdb", folder / "名录.csv"
    sheet.write_text(f"企业名称,成立日期,地区\n{NAME},2015-03-01,杭州市\n", encoding="utf-8")
    run("import", "enterprises", sheet, "--source", "名录", "--data-date", "2024-06-30", db=db)
    with Store(str(db)) as store:
        (eid,) = store.con.execute("SELECT id FROM enterprises").fetchone()
        store.con.execute("INSERT INTO placements VALUES (?, 'ai', 'A1', 0.9, NULL, 'rules', CAST(? AS TIMESTAMP))",
                          [eid, STAMPED])
    return db


@pytest.mark.parametrize("tz, day, utc", [("UTC", "2026-12-07", "2026-12-06T19:56:49.000000Z"),
                                          ("Asia/Shanghai", "2026-12-06", "2026-12-06T11:56:49.000000Z")])
def test_a_classification_is_dated_by_chinas_day_and_given_in_utc(classified, tz, day, utc):
    """Asked of 2019-12-31, the profile says the placements are the classification of a later day: China's day of the
    stored time, which a server on UTC stamped at 19:56 — 2026-12-07 there, not the UTC day 2026-12-06."""
    env = {"TZ": tz, "COLUMNS": "200"}
    doc = run_json("show", NAME, "--as-of", "2019-12-31", db=classified, env=env)
    assert doc["placements_classified_on"] == day, doc["placements_classified_on"]
    assert [p["classified_at"] for p in doc["placements"]] == [utc]
    assert all(UTC_TEXT.fullmatch(s["last_imported"]) for s in doc["sources"]), doc["sources"]
    assert f"产业链位置按 {day} 的归类" in run("show", NAME, "--as-of", "2019-12-31", db=classified, env=env).stdout


def test_field_named_files_give_a_stored_moment_in_utc(classified, tmp_path):
    """``export placements`` and ``export records`` (CSV, JSON Lines) and ``status --format csv`` headed by field names:
    the moment in UTC with its zone, as the JSON gives it — not the server's clock bare."""
    env = {"TZ": "UTC"}
    out = tmp_path / "placements.csv"
    run("export", "placements", "-o", out, db=classified, env=env)
    with open(out, encoding="utf-8-sig") as fh:
        assert [r["classified_at"] for r in csv.DictReader(fh)] == ["2026-12-06T19:56:49.000000Z"]
    lines = tmp_path / "records.jsonl"
    run("export", "records", "-o", lines, db=classified, env=env)
    import json

    stamps = [json.loads(line)["imported_at"] for line in lines.read_text(encoding="utf-8").splitlines()]
    assert stamps and all(UTC_TEXT.fullmatch(s) for s in stamps), stamps
    said = run("status", "--format", "csv", db=classified, env=env).stdout.splitlines()
    status = list(csv.DictReader(said[next(i for i, line in enumerate(said) if line.startswith("source,")):]))
    assert [r["source"] for r in status] == ["名录"] and UTC_TEXT.fullmatch(status[0]["last_import"]), status


def test_the_same_file_again_names_the_earlier_import_by_the_day_it_is_shown(tmp_path):
    """The same bytes under another file name are refused, naming the earlier import and its day: China's day of its
    time (an import finished at 19:00 UTC on 2024-07-01 ran on 2024-07-02 in China, and is shown so)."""
    db, first = tmp_path / "s.duckdb", tmp_path / "名录.csv"
    first.write_text(f"企业名称,成立日期,地区\n{NAME},2015-03-01,杭州市\n", encoding="utf-8")
    run("import", "enterprises", first, db=db)
    with Store(str(db)) as store:  # the import's time as a server's clock stamps it: 2024-07-01 19:00 UTC
        store.con.execute("UPDATE imports SET finished_at = CAST(TIMESTAMPTZ '2024-07-01 19:00:00+00' AS TIMESTAMP)")
    again = tmp_path / "名录副本.csv"
    again.write_bytes(first.read_bytes())
    refused = run("import", "enterprises", again, db=db, check=False)
    assert refused.returncode != 0 and "（来源 名录，2024-07-02）" in refused.stderr, refused.stderr


def test_a_rebuilt_demo_names_the_team_state_it_sets_aside_by_chinas_time(tmp_path, monkeypatch):
    """The earlier demo's team state is set aside under a stamp of China's time, as a rejects file is named: at 20:00
    UTC on 2026-12-06, ``d.team-20261207-040000.sqlite`` (the server's clock named it 20261206-200000)."""
    import sqlite3

    from zhaoshang.core.parse import dates
    from zhaoshang.interfaces.cli import demo

    monkeypatch.setattr(dates, "_utc_now", lambda: dt.datetime(2026, 12, 6, 20, 0, tzinfo=dt.timezone.utc))
    monkeypatch.delenv("ZHAOSHANG_TEAM_DB", raising=False)
    monkeypatch.setattr(demo.state, "team_db", None)
    con = sqlite3.connect(tmp_path / "d.team.sqlite")
    con.execute("CREATE TABLE kept (x)")
    con.close()
    assert demo._fresh_team_state(str(tmp_path / "d.duckdb"))
    assert [p.name for p in tmp_path.glob("d.team-*.sqlite")] == ["d.team-20261207-040000.sqlite"]
