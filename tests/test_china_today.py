"""One "today" for every date check: China's date (Asia/Shanghai), whatever the server's clock or time zone.

The clock is frozen at 2020-06-30 20:00 UTC — already 2020-07-01 in China — so an as-of, a signing date and an
event dated 2020-07-01 are today, and 2020-07-02 is the future, on the command line, the API and in the services.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from zhaoshang.core.asof import reference_date
from zhaoshang.core.errors import UserError
from zhaoshang.core.parse import dates
from zhaoshang.core.store import Store
from zhaoshang.core.teamstate import clock

warnings.filterwarnings("ignore", category=DeprecationWarning)
sys.path.insert(0, str(Path(__file__).parent))
from web_util import local_client  # noqa: E402

from zhaoshang.interfaces.web.app import create_app  # noqa: E402

MOMENT = dt.datetime(2020, 6, 30, 20, 0, tzinfo=dt.timezone.utc)
TODAY, TOMORROW = "2020-07-01", "2020-07-02"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(dates, "_utc_now", lambda: MOMENT)


def test_today_is_chinas_date(frozen):
    assert dates.china_today() == clock.china_today() == dt.date(2020, 7, 1)
    assert dates.parse_user_date(TODAY) == dt.date(2020, 7, 1)
    assert dates.parse_user_date("2020-07", "as_of") == dt.date(2020, 7, 1)  # the month holding today ends today
    with pytest.raises(UserError, match=r"晚于今天（2020-07-01）"):
        dates.parse_user_date(TOMORROW)
    with pytest.raises(UserError, match=r"晚于今天（2020-07-01）"):
        dates.parse_user_date(TOMORROW, "signed_on", end_of_period=False)
    empty = Store(":memory:")
    try:
        assert reference_date(empty) == dt.date(2020, 7, 1)  # an empty database answers for today in China
    finally:
        empty.close()


def test_api_as_of_today_in_china(frozen, tmp_path):
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    client = local_client(create_app(str(db)))
    ok = client.get("/api/events", params={"as_of": TODAY})
    assert ok.status_code == 200, ok.text
    bad = client.get("/api/events", params={"as_of": TOMORROW})
    assert bad.status_code == 400 and "晚于今天（2020-07-01）" in bad.json()["error"], bad.text


# The real command line in a process whose local time zone is the test's (TZ is read when an interpreter starts, so
# the shared warm server of cli_util, started in another zone, cannot serve these): the interpreter imports the
# command once, then forks a child per run, which calls the console script's ``main()`` with the run's arguments
# and leaves as cli_warm's children do. The clock is frozen (``frozen``) before the command is imported. Runs are
# made one after another; the results are their exit codes, the outputs are files read back.
ZONE_CLI = f"""
import datetime as dt, json, os, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
runs, out, frozen = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
if frozen:
    from zhaoshang.core.parse import dates
    dates._utc_now = lambda: dt.datetime({MOMENT.year}, {MOMENT.month}, {MOMENT.day}, {MOMENT.hour}, tzinfo=dt.timezone.utc)
from cli_warm import _exit
from zhaoshang.interfaces.cli import main
codes = []
for i, args in enumerate(runs):
    pid = os.fork()
    if pid == 0:
        for target, name in ((0, os.devnull), (1, f"{{out}}/{{i}}.out"), (2, f"{{out}}/{{i}}.err")):
            fd = os.open(name, os.O_RDONLY if target == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, target)
            os.close(fd)
        sys.argv = ["zhaoshang", *args]
        try:
            code = main()
        except SystemExit as exc:
            code = exc.code
        _exit(code)
    codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
print(json.dumps(codes))
"""


def zone_cli(tmp_path, *runs, tz: str, frozen: bool = True, env: dict | None = None) -> list[subprocess.CompletedProcess]:
    """Each of ``runs`` (an argument list) by the real command line, in order, in a process whose local time zone is
    ``tz``; with the frozen clock unless ``frozen`` is false."""
    import json
    import tempfile

    full = dict(os.environ, TZ=tz, **(env or {}))
    full.pop("ZHAOSHANG_DB", None)
    full.pop("ZHAOSHANG_TEAM_DB", None)
    out = tempfile.mkdtemp(dir=tmp_path)
    proc = subprocess.run([sys.executable, "-c", ZONE_CLI, json.dumps([[str(a) for a in r] for r in runs]), out,
                           "1" if frozen else "0"], capture_output=True, text=True, env=full, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return [subprocess.CompletedProcess(r, code, Path(out, f"{i}.out").read_text(encoding="utf-8"),
                                        Path(out, f"{i}.err").read_text(encoding="utf-8"))
            for i, (r, code) in enumerate(zip(runs, json.loads(proc.stdout)))]


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
def test_cli_dates_today_in_china(tmp_path, tz, demo_copy):
    db = demo_copy(tmp_path / "demo.duckdb")
    team = ["--db", db, "--team-db", tmp_path / "team.sqlite"]
    ok, bad, added, signed = zone_cli(tmp_path, ["--db", db, "search", "科技", "--as-of", TODAY, "--limit", "1", "--format", "json"],
                                      ["--db", db, "search", "科技", "--as-of", TOMORROW],
                                      [*team, "pipeline", "add", "1", "杭州市", "--format", "json"],
                                      [*team, "pipeline", "move", "1", "已签约", "--on", TOMORROW], tz=tz)
    assert ok.returncode == 0, ok.stderr
    assert bad.returncode == 2 and "晚于今天（2020-07-01）" in bad.stderr, bad.stderr
    assert added.returncode == 0, added.stderr
    assert signed.returncode == 2 and "晚于今天（2020-07-01）" in signed.stderr, signed.stderr


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
def test_an_undated_import_is_dated_by_chinas_day(tmp_path, tz):
    """An import given no data date records its changes on the import day: China's (2020-07-01 at 20:00 UTC on
    06-30), not the machine's — it said 变更记为导入日 2020-06-30 between 00:00 and 08:00 in China."""
    db = tmp_path / "fresh.duckdb"
    sheet = tmp_path / "ents.csv"
    sheet.write_text("企业名称,统一社会信用代码,成立日期,地区\n杭州甲科技有限公司,91330100MA27XXXX1X,2015-03-01,杭州市\n",
                     encoding="utf-8")
    (out,) = zone_cli(tmp_path, ["--db", db, "import", "enterprises", sheet, "--source", "名录", "--format", "json"], tz=tz)
    assert out.returncode == 0, out.stderr
    assert __import__("json").loads(out.stdout)["data_date"] == TODAY, out.stdout
    with Store(db, read_only=True) as store:
        assert [str(d) for (d,) in store.con.execute("SELECT data_date FROM imports").fetchall()] == [TODAY]


@pytest.mark.parametrize("tz", ["UTC", "America/Los_Angeles"])
def test_an_import_time_is_shown_in_chinas_time_as_its_rejects_file_is_named(tmp_path, tz):
    """The rejects file's name has China's time (x.20261206-194944.rejects.csv) while `status` and `show` printed the
    stored time of the server's clock without a zone (2026-12-06 11:49:44): the same import 8 hours apart. Both now
    say China's time with its zone, within the seconds the import took, whatever the server's zone."""
    import json
    import re

    db, sheet = tmp_path / "z.duckdb", tmp_path / "ents.csv"
    sheet.write_text("企业名称,成立日期,地区\n杭州甲科技有限公司,2015-03-01,杭州市\n杭州乙科技有限公司,2015-02-30,杭州市\n",
                     encoding="utf-8")
    # the real clock, the command's own runs in the zone (one process, as its warm server forks them)
    runs = zone_cli(tmp_path, ["--db", db, "import", "enterprises", sheet, "--rejects", tmp_path, "--format", "json"],
                    ["--db", db, "status"], ["--db", db, "--lang", "en", "status"], ["--db", db, "show", "杭州甲科技有限公司"],
                    tz=tz, frozen=False, env={"COLUMNS": "200"})
    assert [r.returncode for r in runs] == [0] * 4, [r.stderr for r in runs]
    rep = json.loads(runs[0].stdout)
    stamp = dt.datetime.strptime(re.search(r"\.(\d{8}-\d{6})\.rejects\.csv$", rep["rejects_path"])[1], "%Y%m%d-%H%M%S")
    shown = [re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \(UTC\+8\)", r.stdout) for r in runs[1:3]]
    # the profile's sources table: the time bare under a header that names the clock (最近导入 (UTC+8))
    profile = runs[3].stdout
    assert "最近导入 (UTC+8)" in profile, profile
    shown.append(re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", profile[profile.index("最近导入 (UTC+8)"):]))
    assert all(shown), shown
    for m in shown:
        assert abs((dt.datetime.fromisoformat(m[1]) - stamp).total_seconds()) < 60, (m[1], stamp)
