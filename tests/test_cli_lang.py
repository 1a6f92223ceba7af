"""The command line in the user's language: under --lang en nothing it prints is left in Chinese (the data's own
names aside), on a terminal too."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess

from cli_util import BIN
from test_import_errors import write_big_csv

HAN = re.compile(r"[\u4e00-\u9fff]")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(*args, cwd=None) -> tuple[str, str, int]:
    """Run ``zhaoshang ARGS`` with stderr on a terminal (where the progress bar shows) and stdout piped: returns
    (stdout, the terminal's text without escape codes, exit code)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("ZHAOSHANG_DB", "ZHAOSHANG_LANG")}
    proc = subprocess.Popen([str(BIN), *map(str, args)], stdin=slave, stderr=slave, stdout=subprocess.PIPE,
                            env={**env, "COLUMNS": "200"}, cwd=cwd)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read().decode()
    proc.wait(600)
    os.close(master)
    return out, ANSI.sub("", seen.decode(errors="replace")), proc.returncode


def test_import_progress_in_the_ui_language(tmp_path):
    """The import's progress steps are named in the UI language, on stderr: stdout stays the one JSON document. (A
    file of a few thousand rows: the steps and their counts with a thousands separator, not the size, are checked.)"""
    f = write_big_csv(tmp_path / "big.csv", 2_000)
    out, term, rc = on_terminal("--lang", "en", "--db", tmp_path / "en.duckdb", "import", "enterprises", f,
                                "--format", "json")
    assert rc == 0 and json.loads(out)["rows_imported"] == 2_000 and out.startswith("{")
    assert "done (2,000 rows" in term and "rows/s)" in term, term
    assert not HAN.search(term), term
    out, term, rc = on_terminal("--db", tmp_path / "zh.duckdb", "import", "enterprises", f, "--format", "json")
    assert rc == 0 and out.startswith("{") and "完成（2,000 行" in term and "行/秒）" in term, term
    assert "rows/s" not in term


def test_demo_progress_in_english(tmp_path):
    """Generating and importing the demo are named in English under --lang en, and each phase counts from zero."""
    out, term, rc = on_terminal("--lang", "en", "demo", "--no-serve", "--scale", "60", "--db", tmp_path / "demo.duckdb")
    assert rc == 0 and out == ""
    assert "generating synthetic demo data" in term and "importing the synthetic demo data" in term, term
    assert "[synthetic demo data] built" in term and not HAN.search(term), term
    counts = [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \d+:\d\d:\d\d", term)]
    assert counts and all(a <= b for a, b in counts), counts


def test_trends_investors_in_english(tmp_path, demo_copy):
    """The most active investors' kinds and destinations by their English labels and names (as on the page)."""
    from cli_util import run
    from zhaoshang.interfaces.labels import INVESTOR_TYPES

    db = demo_copy(tmp_path / "demo.duckdb")
    for lang, kinds in (("en", {en for _, en in INVESTOR_TYPES.values()}), ("zh", {zh for zh, _ in INVESTOR_TYPES.values()})):
        out = run("--lang", lang, "trends", db=db, env={"COLUMNS": "300"}).stdout
        table = out[out.index("Most active investors" if lang == "en" else "最活跃的投资方"):]
        rows = [[c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines() if line.startswith("│")]
        assert len(rows) >= 5 and all(r[1] in kinds for r in rows), rows
        if lang == "en":
            assert all(r[6] and not HAN.search(r[6]) for r in rows), rows


def _headers(out: str) -> list[str]:
    return [h.strip() for line in out.splitlines() if "┃" in line for h in line.split("┃")[1:-1] if h.strip()]


def test_table_headers_are_words_of_the_ui_language(tmp_path, demo_copy):
    """Stored scores, alert channels and digests, the matching index, API tokens and the audit log: no table
    header is a result's field name (mean_total, webhook_url, last_used_at) in either language."""
    from cli_util import run

    db = demo_copy(tmp_path / "demo.duckdb")
    run("users", "add", "ana", "--role", "analyst", db=db)
    run("users", "token", "create", "ana", "--label", "script", db=db)
    commands = (["score", "all"], ["alerts", "channels"], ["alerts", "digest"], ["match", "index"],
                ["users", "token", "list", "ana"], ["team", "audit"])
    for lang in ("zh", "en"):
        for args in commands:
            headers = _headers(run("--lang", lang, *args, db=db, env={"COLUMNS": "300"}).stdout)
            assert headers, args
            raw = [h for h in headers if re.fullmatch(r"[a-z_]+", h) or "_" in h]
            assert raw == [], (lang, args, raw)
            if lang == "zh":
                assert all(HAN.search(h) or h.isupper() for h in headers), (args, headers)
