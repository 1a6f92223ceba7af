"""Every API route against its own OpenAPI document: property-based requests (schemathesis, in-process ASGI)
with bounded examples. No input gives a server error; every reply matches the declared status codes and
schemas; what the schema allows the route accepts, and what it forbids is refused with a 4xx.

Run by tests/test_openapi_fuzz.py in a pytest of its own (``pytest tests/openapi_contract.py`` runs it alone)."""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.interfaces.web.app import create_app  # noqa: E402

EXAMPLES = 12  # per route and phase: keeps the whole run around a minute


def _app():
    """The app over a small fixture database (built at collection: the routes are parametrised from it)."""
    folder = tempfile.mkdtemp(prefix="zhaoshang-fuzz-")
    atexit.register(shutil.rmtree, folder, True)  # built at collection, outside pytest's temporary folders
    path = str(Path(folder) / "fx.duckdb")
    matrix_fixture.build(path, n=120)
    return create_app(path)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app(), headers={"Host": "127.0.0.1"})  # as the local user (web/auth.py)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_route_keeps_its_contract(case):
    case.call_and_validate(base_url="http://127.0.0.1")  # as the local user: the server's own name (web/auth.py)
