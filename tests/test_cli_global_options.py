"""The global options (--db, --lang, --team-db) are accepted before and after the command, by every command."""

from __future__ import annotations

import re
import subprocess
import time

import httpx
import typer

from cli_util import BIN, run, run_json
from test_import_errors import good_rows, write_csv
from web_util import free_port
from zhaoshang.interfaces.cli import app, main

HAN = re.compile(r"[\u4e00-\u9fff]")


def _paths(command, path=()):
    """The program, every group and every command, as the words naming them."""
    yield path
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _paths(sub, (*path, name))


def test_every_command_takes_the_global_options_after_its_name(tmp_path, capsys, monkeypatch):
    """Each command line (the program's, a group's, a command's) parses with the global options after the
    command and its help follows the --lang given there (the options are parsed before --help is honoured, so an option a command refuses fails here).
    ``main`` builds the command tree from the loaded commands at each call (the same tree every time here: all are
    loaded); it is built once per language and kept for that language's help screens, which put their words in it."""
    build = typer.main.get_command
    paths = list(_paths(build(app)))
    assert len(paths) > 70 and {(), ("serve",), ("demo",), ("users", "token"), ("report", "region")} <= set(paths)
    for lang, mark in (("en", "Show this message and exit."), ("zh", "显示本帮助并退出。")):
        tree = build(app)
        monkeypatch.setattr(typer.main, "get_command", lambda a, _tree=tree: _tree if a is app else build(a))
        for path in paths:
            main([*path, "--db", str(tmp_path / "x.duckdb"), f"--lang={lang}", "--team-db", str(tmp_path / "t.sqlite"),
                  "--help"])
            out = capsys.readouterr().out
            assert mark in out, (path, out)
            assert bool(HAN.search(out)) == (lang == "zh"), (path, out)


def test_global_options_before_or_after_the_command_run_the_same(tmp_path):
    db, other = tmp_path / "z.duckdb", tmp_path / "other.duckdb"
    f = write_csv(tmp_path / "e.csv", good_rows(3))
    # the database named after the command is the one written: nothing goes to ./zhaoshang.duckdb
    rep = run_json("import", "enterprises", f, "--source", "登记库", "--db", str(db), cwd=tmp_path)
    assert rep["rows_imported"] == 3 and db.exists() and not (tmp_path / "zhaoshang.duckdb").exists()
    before = run("--db", db, "--lang", "en", "status", cwd=tmp_path).stdout
    after = run("status", "--lang", "en", "--db", db, cwd=tmp_path).stdout
    assert before == after and "enterprises" in after.lower() and not HAN.search(after.replace("登记库", ""))
    assert run("status", f"--db={db}", "--format", "json").stdout == run("--db", db, "status", "--format", "json").stdout
    # a later one wins, wherever it stands
    doc = run_json("status", "--db", db, db=other)
    assert doc["db"] == str(db) and {"table": "enterprises", "rows": 3} in doc["tables"] and not other.exists()
    # Chinese stays the default; --lang zh after the command overrides ZHAOSHANG_LANG
    assert "行数" in run("status", "--lang", "zh", db=db, env={"ZHAOSHANG_LANG": "en"}).stdout
    # words after -- are arguments, not options
    p = run("search", "--db", db, "--lang", "en", "--", "--db", check=False)
    assert p.returncode == 0 and "Traceback" not in p.stderr
    # an option the command does not have is still refused, in the language given after the command
    p = run("status", "--lang", "en", "--bogus", db=db, check=False)
    assert p.returncode == 2 and "No such option: --bogus" in p.stderr


def test_serve_takes_the_database_after_the_command(tmp_path):
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", write_csv(tmp_path / "e.csv", good_rows(2)), "--source", "serve_after", db=db)
    port = free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--db", str(db), "--lang", "en", "--host", "127.0.0.1", "--port",
                             str(port), "--team-db", str(tmp_path / "team.sqlite")], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        meta = None
        for _ in range(300):
            try:
                meta = httpx.get(f"http://127.0.0.1:{port}/api/meta", timeout=1).json()
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stdout.read().decode()
                time.sleep(0.1)
        assert meta is not None and "serve_after" in str(meta["sources"])
        assert (tmp_path / "team.sqlite").exists() and not (tmp_path / "zhaoshang.duckdb").exists()
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_read_command_on_a_database_that_does_not_exist_is_refused_and_makes_no_file(tmp_path):
    """Every read command — those reading the team state kept beside the database (news, feeds, alerts, pipeline,
    saved weights) as well as those reading the database — names the missing file and the commands that make one,
    exits 2 and leaves nothing behind; the team's own commands (users) still set it up before any data."""
    db = tmp_path / "none.duckdb"
    for cmd in (("monitor", "news"), ("monitor", "feeds"), ("events",), ("alerts", "list"), ("alerts", "digest"),
                ("pipeline", "list"), ("leads-weights",), ("score", "x"), ("leads", "330100"), ("status",)):
        for lang, said in (("zh", f"数据库不存在: {db}（先运行 zhaoshang import 或 zhaoshang demo）"),
                           ("en", f"no database at {db} (run zhaoshang import or zhaoshang demo first)")):
            p = run(*cmd, "--lang", lang, db=db, check=False)
            assert p.returncode == 2 and said in p.stderr and p.stdout == "", (cmd, p.stdout, p.stderr)
        assert list(tmp_path.iterdir()) == [], cmd
    run("users", "add", "alice", "--password-stdin", db=db, input="a long enough password\n")
    assert (tmp_path / "none.team.sqlite").exists() and not db.exists()
