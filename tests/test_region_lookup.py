"""The one region lookup behind every REGION argument: codes, names, short names, paths, ambiguity."""

from __future__ import annotations

import pytest

from cli_util import run
from zhaoshang.core.errors import NotFound, UserError
from zhaoshang.core.geo.lookup import find_region
from zhaoshang.core.store import Store


@pytest.fixture(scope="module")
def store():
    s = Store(":memory:")
    yield s
    s.close()


@pytest.mark.parametrize("text, code", [
    ("330100", "330100"), ("杭州", "330100"), ("杭州市", "330100"), ("浙江省杭州市", "330100"), ("浙江", "330000"),
    ("北京", "110000"), ("北京市", "110000"), ("北京市朝阳区", "110105"), ("南京鼓楼区", "320106"), ("海淀", "110108"),
])
def test_names_and_paths(store, text, code):
    assert find_region(store, text) == code


def test_ambiguous_names_list_their_candidates(store):
    with pytest.raises(UserError) as e:
        find_region(store, "朝阳区")
    assert "110105" in str(e.value) and "220104" in str(e.value)
    with pytest.raises(UserError) as e:
        find_region(store, "鼓楼区")
    assert all(c in str(e.value) for c in ("320106", "320302", "350102", "410204"))
    with pytest.raises(NotFound):
        find_region(store, "火星市")


def test_every_command_reads_regions_the_same_way(tmp_path):
    db = tmp_path / "z.duckdb"
    Store(db).close()
    for args in (["chain", "--region", "朝阳区"], ["recommend", "朝阳区"], ["trends", "--region", "朝阳区"]):
        p = run(*args, db=db, check=False)
        assert p.returncode == 2 and "地区名称有歧义" in p.stderr, (args, p.stderr)
