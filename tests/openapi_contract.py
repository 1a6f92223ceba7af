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


# two ends of a range the API refuses when they contradict each other (a founding window from after its end, a lowest
# score above the highest, a window's start after its end: ``UserError(pair=…)``, said beside both boxes) — a rule
# between two parameters that no OpenAPI document can state; the routes' own tests check those refusals
RANGES = (("founded_from", "founded_to"), ("score_min", "score_max"), ("start", "end"), ("since", "until"))


def _ordered(a, b) -> bool:
    try:
        return float(a) <= float(b)
    except (TypeError, ValueError):
        return str(a) <= str(b)


def filter_query(ctx, query):
    """A generated query whose ranges' ends are in order (``RANGES``): the schema cannot say the two are ordered."""
    return not isinstance(query, dict) or all(
        query.get(lo) is None or query.get(hi) is None or _ordered(query[lo], query[hi]) for lo, hi in RANGES)


@schema.hooks.apply(filter_query)
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_route_keeps_its_contract(case):
    case.call_and_validate(base_url="http://127.0.0.1")  # as the local user: the server's own name (web/auth.py)
