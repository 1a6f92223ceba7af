"""Every API route against its own OpenAPI document (tests/openapi_contract.py, schemathesis), run by pytest in a
process of its own. schemathesis builds each route's cases while it collects, and under xdist every worker collects
every file: collected here, the cases are built once, by the worker that runs this test, not by all three
(docs/benchmarks.md, "The OpenAPI contract collected once")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

HERE = Path(__file__).resolve().parent


def test_every_route_keeps_its_contract(tmp_path):
    pytest.importorskip("schemathesis")
    import matrix_fixture
    from zhaoshang.interfaces.web.app import create_app

    matrix_fixture.build(str(tmp_path / "fx.duckdb"), n=50)
    doc = create_app(str(tmp_path / "fx.duckdb")).openapi()
    routes = sum(1 for methods in doc["paths"].values() for m in methods if m in ("get", "post", "put", "patch", "delete"))
    report = tmp_path / "contract.xml"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-rfE",
                           "--basetemp", str(tmp_path / "pt"), "--junitxml", str(report), str(HERE / "openapi_contract.py")],
                          cwd=HERE.parent, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-20000:] + proc.stderr[-5000:]
    cases = ElementTree.parse(report).getroot().iter("testcase")
    outcomes = [[child.tag for child in case] for case in cases]
    assert len(outcomes) == routes and not any(outcomes), outcomes  # every route of the document, each passed
