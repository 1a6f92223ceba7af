"""The warm start of the command in tests (tests/cli_warm.py) answers as the console script does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cli_util import run


def both(*args, **kw):
    warm, cold = run(*args, check=False, **kw), run(*args, check=False, fresh=True, **kw)
    return warm, cold


def test_output_exit_code_and_errors_are_the_console_scripts(tmp_path):
    db = tmp_path / "z.duckdb"
    f = tmp_path / "企业.csv"
    f.write_text("企业名称,统一社会信用代码,注册地址,经营范围\n杭州甲科技有限公司,91330100MA2XXXXX0A,浙江省杭州市西湖区,"
                 "人工智能软件开发\n", encoding="utf-8")
    assert run("import", "enterprises", f, db=db).returncode == 0
    colds = {}  # the console script's answers, each run once: the module's run below is held to the same ones
    for args in [("search", "甲科技"), ("--lang", "en", "search", "甲科技"), ("show", "没有这家"), ("--lang", "fr", "status"),
                 ("search",), ("--format", "json", "status")]:
        warm, colds[args] = both(*args, db=db, env={"COLUMNS": "200"})
        cold = colds[args]
        assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr), args
    assert {run("show", "没有这家", db=db, check=False).returncode, run("search", db=db, check=False).returncode} == {2}
    # python -m zhaoshang is the same command ("No module named zhaoshang.__main__" before)
    env = {k: v for k, v in os.environ.items() if k not in ("ZHAOSHANG_DB", "ZHAOSHANG_TEAM_DB")} | {"COLUMNS": "200"}
    for args in [("search", "甲科技"), ("show", "没有这家"), ("--lang", "en", "--help")]:
        mod = subprocess.run([sys.executable, "-m", "zhaoshang", "--db", str(db), *args], capture_output=True, text=True,
                             env=env, timeout=300)
        cold = colds.get(args) or run(*args, check=False, fresh=True, db=db, env={"COLUMNS": "200"})
        assert (mod.returncode, mod.stdout, mod.stderr) == (cold.returncode, cold.stdout, cold.stderr), args


def test_environment_directory_and_input_are_the_runs_own(tmp_path):
    """The server started before this run: the language, the database named by the environment, the working
    directory and the standard input are still this run's."""
    run("--help")  # the server is up
    warm, cold = both("--help", env={"ZHAOSHANG_LANG": "en"})
    assert warm.stdout == cold.stdout and "Usage" in warm.stdout
    (tmp_path / "sub").mkdir()
    warm, cold = both("users", "add", "ann", "--password-stdin", db="sub/rel.duckdb", cwd=tmp_path,
                      input="a long enough password\n")
    assert warm.returncode == 0 and (tmp_path / "sub" / "rel.team.sqlite").exists()
    assert cold.returncode == 2 and "ann" in cold.stderr  # the warm run added her: the same file, seen by the second


def test_a_run_past_its_timeout_is_stopped(tmp_path):
    with pytest.raises(subprocess.TimeoutExpired):
        run("users", "add", "bo", "--password-stdin", db=tmp_path / "t.duckdb", timeout=0.01, input="x" * 20 + "\n")
    assert run("--help").returncode == 0  # the server goes on
