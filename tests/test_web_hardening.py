"""The web app under hostile input: bounded caches, bounded parameters, no 500 for any input."""

from __future__ import annotations

import copy
import sys
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.interfaces.web.served import BoundedCache, deep_size  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("hard") / "fx.duckdb")
    matrix_fixture.build(path)
    return path


@pytest.fixture(scope="module")
def app(db):
    return create_app(db)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app, raise_server_exceptions=False)


def test_distinct_as_of_values_keep_the_cache_within_its_bounds(app, client):
    served = app.state.served
    served.cache = BoundedCache(max_bytes=256 * 1024 * 1024, max_entries=6)
    dates = [f"2020-{m:02d}-{d:02d}" for m in (1, 2) for d in range(1, 11)]
    for d in dates:
        assert client.get("/api/region-profile/330100", params={"as_of": d}).status_code == 200
    assert len(served.cache) <= 6  # bounded in entries: the oldest answers were evicted
    doc = client.get("/api/region-profile/330100", params={"as_of": dates[-1]}).json()
    size = deep_size(doc)
    assert size > 10_000
    # bounded in bytes: 300 distinct as_of answers of this size into a budget of ten of them
    cache = BoundedCache(max_bytes=10 * size + size // 2, max_entries=1000)
    for i in range(300):
        cache.get_or_build(("region-profile", "330100", f"as-of-{i}"), lambda: copy.deepcopy(doc))
    assert 0 < len(cache) <= 10 and cache.bytes <= cache.max_bytes
    assert cache.get_or_build(("region-profile", "330100", "as-of-299"), lambda: None) is not None  # the newest stays


def test_the_default_cache_is_bounded(app):
    cache = BoundedCache()
    assert cache.max_entries <= 1024 and cache.max_bytes <= 128 * 1024 * 1024
    for i in range(cache.max_entries + 50):
        cache.get_or_build(i, lambda: [i])
    assert len(cache) <= cache.max_entries


def test_not_found_replies_are_not_cached(app, client):
    served = app.state.served
    served.cache = BoundedCache()
    for code in ("999999", "999998", "123456"):
        assert client.get(f"/api/geo/{code}").status_code == 404
        assert client.get(f"/api/region-profile/{code}").status_code == 404
        assert client.get(f"/region/{code}").status_code == 404
    cached_codes = {x for k in served.cache.keys() for x in (k if isinstance(k, tuple) else (k,))}
    assert not cached_codes & {"999999", "999998", "123456"}
