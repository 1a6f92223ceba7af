"""`search --limit`: a limit below 1 is refused as the API refuses it (one line, exit 2), never read as "no match"
or a database error; the total never depends on the limit."""

from __future__ import annotations

import pytest

from cli_util import run, run_json


@pytest.fixture(scope="module")
def db(demo_db):
    return demo_db


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_a_limit_below_one_is_refused_in_one_line(db, limit):
    for fmt in ("table", "json"):
        p = run("search", "有限公司", "--limit", limit, "--format", fmt, db=db, check=False)
        assert p.returncode == 2 and p.stdout == "", p
        assert p.stderr == f"错误: --limit 应大于或等于 1（收到 {limit}）\n", p.stderr
    totals = {n: run_json("search", "有限公司", "--limit", n, db=db)["total"] for n in (1, 5, 20)}
    assert len(set(totals.values())) == 1 and totals[1] > 20, totals
    en = run("--lang", "en", "search", "有限公司", "--limit", limit, db=db, check=False)
    assert en.returncode == 2 and en.stderr == f"error: --limit must be at least 1 (got {limit})\n", en.stderr
