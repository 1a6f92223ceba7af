"""What a served region page's first request no longer pays for (docs/benchmarks.md, "First request without the
warm-up"): scipy is not loaded for the region × segment complexity (a dense matrix, numpy alone, the same numbers),
the nation's segment matrix is computed once per generation and level for every region page and lead list, the
page's charts once per region and language, and compiled templates are kept between server starts. No timing here:
the figures are in bench/bench_first_view.py."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from test_extend_links import COUNTS, db  # noqa: E402,F401  (the hand-built five-city database)

from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.services import recommend as rec  # noqa: E402
from zhaoshang.services.analytics import complexity  # noqa: E402

PROBE = """
import json, sys, warnings
warnings.filterwarnings("ignore")
from fastapi.testclient import TestClient
from zhaoshang.interfaces.web.app import create_app
c = TestClient(create_app(sys.argv[1], warm=False), base_url="http://127.0.0.1")
before = "scipy" in sys.modules
r = c.get("/region/510100")
print(json.dumps({"status": r.status_code, "before": before, "after": "scipy" in sys.modules,
                  "pandas": "pandas" in sys.modules}))
"""


def test_the_first_region_page_does_not_load_scipy(db):
    out = subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["status"] == 200 and not got["before"] and not got["after"]


def test_the_dense_path_gives_the_sparse_paths_numbers():
    """The region × segment matrix without scipy equals the computation with it (scipy's eigensolver and graph
    components), on the hand counts and on random matrices."""
    rng = np.random.default_rng(7)
    mats = [np.array(list(COUNTS.values()), float)] + \
        [rng.integers(0, 30, (int(rng.integers(4, 80)), int(rng.integers(4, 30)))).astype(float) for _ in range(40)]
    for X in mats:
        dense = complexity.complexity_matrix(X)
        import scipy.sparse as sp

        ref = complexity.complexity_matrix(sp.csr_matrix(X))  # a sparse input takes scipy's path
        assert dense.components == ref.components and dense.notes == ref.notes
        for f in ("rca", "mcp", "proximity", "density", "eci", "pci", "coi", "cog"):
            np.testing.assert_allclose(getattr(dense, f), getattr(ref, f), rtol=1e-9, atol=1e-9, equal_nan=True)


def test_the_segment_matrix_once_per_generation(db, monkeypatch):
    calls = []
    real = rec.segment_matrix
    monkeypatch.setattr(rec, "segment_matrix", lambda *a: calls.append(a[2]) or real(*a))
    drawn = []
    from zhaoshang.interfaces.web.pages import region as region_page

    real_ctx = region_page.report_context
    monkeypatch.setattr(region_page, "report_context", lambda *a, **k: drawn.append(a[1:]) or real_ctx(*a, **k))
    c = local_client(create_app(str(db), warm=False))
    for path in ("/region/510100", "/region/110100", "/leads?region=510100", "/region/510100", "/region/510100?lang=en"):
        assert c.get(path).status_code == 200, path
    # one city-level matrix for two region pages (profile, leads' targets and labels) and a lead list
    assert calls == ["city"]
    # the charts drawn once per region and language: the second view of 510100 drew nothing
    assert drawn == [("zh",), ("zh",), ("en",)]


def test_the_segment_matrix_once_per_report_command(db, monkeypatch, tmp_path):
    """A report command reads a file opened read-only, which does not change while it is read: the matrix its profile
    asks for three times (the recommendations, the leads' targets, the 延链 labels) is computed once."""
    from zhaoshang.interfaces.cli import main

    calls = []
    real = rec.segment_matrix
    monkeypatch.setattr(rec, "segment_matrix", lambda *a: calls.append(a[2]) or real(*a))
    main(["--db", str(db), "report", "region", "510100", "-o", str(tmp_path / "r.xlsx")])
    assert (tmp_path / "r.xlsx").stat().st_size > 0 and calls == ["city"]


def test_compiled_templates_are_kept(db):
    c = local_client(create_app(str(db), warm=False))
    assert c.get("/region/510100").status_code == 200
    from zhaoshang.interfaces.web.context import compiled_templates

    cache = compiled_templates()
    assert cache is not None
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(create_app.__code__.co_filename).parent / "templates")))
    source, filename, _ = env.loader.get_source(env, "region.html")
    bucket = cache.get_bucket(env, "region.html", filename, source)
    assert bucket.code is not None  # written by the first page, read back by the next server
    # the report's template too (one environment per process, its compiled template kept between commands)
    from zhaoshang.interfaces.reports import region as report

    assert report._env() is report._env() and isinstance(report._env().bytecode_cache, type(cache))
    report._env().get_template("region_report.html")
    env = report._env()
    source, filename, _ = env.loader.get_source(env, "region_report.html")
    assert cache.get_bucket(env, "region_report.html", filename, source).code is not None
