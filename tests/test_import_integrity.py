"""The importer refuses what makes no sense and loses nothing: wrong kind, strict mode, stale temporary copies,
facts imported before their enterprises, conflicts, names shared across sources, counts that add up."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time

import duckdb
import pytest

from cli_util import BIN, run, run_json
from test_import_errors import HEAD, good_rows, write_csv
from test_import_kinds import q


def test_wrong_kind_is_refused(tmp_path, shared):
    db = tmp_path / "z.duckdb"
    companies = shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    p = run("import", "fundings", companies, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "不像 fundings 数据" in p.stderr and "日期" in p.stderr and "轮次" in p.stderr and "金额" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    assert not db.exists() or q(db, "SELECT count(*) FROM fundings") == [(0,)]
    # the right file of the kind is accepted
    rep = run_json("import", "fundings", shared("financing/itjuzi_china_ai_financing_events_2018-12.csv"),
                   "--preset", "itjuzi_financing", db=db)
    assert rep["rows_imported"] > 1000


def test_strict_refuses_a_dropped_value_naming_file_row_column_reason(tmp_path):
    db = tmp_path / "z.duckdb"
    rows = good_rows(3, 50)
    rows[1][1] = "91330100MA2B0000X0"  # invalid check character: the value would be dropped, the row kept
    f = write_csv(tmp_path / "codes.csv", rows)
    p = run("import", "enterprises", f, "--strict", "--rejects", tmp_path, db=db, check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "codes.csv" in p.stderr and "第 3 行" in p.stderr and "统一社会信用代码" in p.stderr and "校验" in p.stderr
    assert not db.exists() or q(db, "SELECT count(*) FROM enterprises") == [(0,)]
    rep = run_json("import", "enterprises", f, "--rejects", tmp_path, db=db)  # without --strict: kept, reported
    assert rep["rows_imported"] == 3 and rep["fields_dropped"] == 1


def test_stale_temp_copy_of_a_killed_import_is_removed_on_the_next_run(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    big = tmp_path / "big_gbk.csv"
    line = "浙江省杭州市余杭区文一西路{}号智能科技有限公司,{}万元,浙江,杭州\n"
    with open(big, "w", encoding="gbk") as fh:
        fh.write("企业名称,注册资本,所属省份,所属城市\n")
        for i in range(0, 600_000, 1000):
            fh.write("".join(line.format(j, j % 900 + 1) for j in range(i, i + 1000)))
    env = dict(os.environ, TMPDIR=str(tmp))
    env.pop("ZHAOSHANG_DB", None)
    proc = subprocess.Popen([str(BIN), "--db", str(tmp_path / "a.duckdb"), "import", "enterprises", str(big)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp.glob("zhaoshang-*")):
        time.sleep(0.01)
    copies = list(tmp.glob("zhaoshang-*"))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert copies, "the GBK file was never converted"
    assert all(c.exists() for c in copies)  # kill -9 left the converted copy behind
    assert str(proc.pid) in copies[0].name  # named after its owner, so a later run can tell it is stale
    mine = tmp / f"zhaoshang-{os.getpid()}-live.utf8.tmp"  # a live process's copy is left alone
    mine.write_text("x")
    run("import", "enterprises", write_csv(tmp_path / "small.csv", good_rows(2)), db=tmp_path / "b.duckdb", env=env)
    assert not any(c.exists() for c in copies)
    assert mine.exists()
