"""Files the product writes for the user (exports, reports) get the permissions of the user's umask, like
any new file; only their temporary files are private. Run through the real CLI."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("modes") / "fx.duckdb"
    matrix_fixture.build(str(path))
    return path


@pytest.fixture(params=[0o027, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet", ".jsonl"])
def test_exports_follow_the_umask(db, tmp_path, umask, suffix):
    out = tmp_path / f"enterprises{suffix}"
    run("export", "enterprises", "-o", out, db=db)
    assert mode(out) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


@pytest.mark.parametrize("suffix", [".xlsx", ".html"])
def test_reports_follow_the_umask(db, tmp_path, umask, suffix):
    out = tmp_path / f"report{suffix}"
    run("report", "region", "330100", "-o", out, db=db)
    assert mode(out) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
