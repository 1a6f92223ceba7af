"""The search index narrows where the one search rule looks; it never changes an answer.

On a small synthetic demo database (names, English names, aliases, scopes, descriptions, placements) every
query of a varied set — codes, full and partial names, aliases, region names, chain node names, English
words, one- and two-character parts, several words — gives exactly the same hits (id and reason) through
the index as through the plain scan, and the index really is used for them. After an update the index is
patched (only the changed enterprise) and still agrees; a stale index is never used.
"""

from __future__ import annotations

import random

import pytest

from zhaoshang.core import search_index
from zhaoshang.core.generations import updating
from zhaoshang.core.store import Store
from zhaoshang.services import search as search_service
from zhaoshang.core.importers import import_files
from zhaoshang.services.chain.taxonomy import load_taxonomy
from zhaoshang.services.demo.generate import generate
from zhaoshang.services.enterprises import search_enterprises


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The demo's synthetic enterprises (names, English names, aliases, scopes, …) through the importer, and
    placements on the shipped chain's leaves."""
    work = tmp_path_factory.mktemp("sidx")
    path = str(work / "s.duckdb")
    manifest = generate(work, scale=300)
    f = next(f for f in manifest["files"] if f["file"] == "enterprises.parquet")
    with updating(path) as store:
        import_files(store, "enterprises", [work / f["file"]], source=f["source"], data_date=f["data_date"], synthetic=True)
        con = store.con
        con.executemany("INSERT INTO chain_nodes VALUES ('ai', ?, ?, ?, ?, ?, ?, NULL, ?)",
                        [[n.code, n.parent, n.level, n.stage, n.name_zh, n.name_en, i]
                         for i, n in enumerate(load_taxonomy().nodes.values())])
        con.execute("""INSERT INTO placements SELECT e.id, 'ai', l.code, 0.8, '{}', 'fixture', now() FROM enterprises e
                       JOIN (SELECT code, row_number() OVER (ORDER BY code) AS k FROM chain_nodes c WHERE NOT EXISTS
                             (SELECT 1 FROM chain_nodes x WHERE x.parent_code = c.code)) l ON l.k = 1 + e.id % 17""")
    return path


def _hits(store, q, index):
    sql, params, _ = search_service.hits_sql(store, q, index=index)
    return sorted(store.con.execute(sql, params).fetchall())


def _queries(store) -> list[str]:
    """Queries drawn from the data itself: every kind the rule knows, and parts of words."""
    rnd = random.Random(7)
    con = store.con
    names = [r[0] for r in con.execute("SELECT name FROM enterprises ORDER BY id").fetchall()]
    qs = [con.execute("SELECT uscc FROM enterprises WHERE uscc IS NOT NULL ORDER BY id LIMIT 1").fetchone()[0]]
    qs += rnd.sample(names, 6)                                  # full names
    qs += [n[i:i + k] for n in rnd.sample(names, 12) for i, k in [(rnd.randrange(0, 4), rnd.choice([1, 2, 3, 4]))]]
    qs += [r[0] for r in con.execute("SELECT alias FROM enterprise_aliases ORDER BY enterprise_id, alias LIMIT 4").fetchall()]
    qs += [r[0] for r in con.execute("SELECT name_zh FROM chain_nodes ORDER BY chain, code LIMIT 5").fetchall()]
    eng = [r[0] for r in con.execute("SELECT english_name FROM enterprises WHERE english_name IS NOT NULL ORDER BY id LIMIT 20").fetchall()]
    qs += [w for e in rnd.sample(eng, min(4, len(eng))) for w in e.split()[:1]] + ["tech", "Robot"]
    qs += ["杭州", "上海 机器人", "杭州 大模型 医疗", "医疗大模型", "智能", "算力", "芯片设计", "有限公司", "自动驾驶", "不存在的词语"]
    return [q for q in qs if q and q.strip()]


def test_index_gives_the_scan_answers(db):
    with Store(db, read_only=True) as store:
        assert search_index.fresh(store)
        qs = _queries(store)
        used = 0
        for q in qs:
            assert _hits(store, q, True) == _hits(store, q, False), q
            words = search_service._words(q)
            used += search_service._candidates(store, None, search_service.normalize_name(q), words,
                                               {w: search_service._nodes(store, w) for w in words}) is not None
        assert len(qs) >= 40
        assert used >= len(qs) * 0.6, (used, len(qs))  # the index really narrows most of them
        # the list with q (index) and the search command count alike
        for q in ("杭州 大模型", "机器人"):
            assert search_enterprises(store, q, include_dissolved=True, size=1)["total"] == \
                search_service.search(store, q, include_dissolved=True, limit=1)["total"]


def test_update_patches_the_index(db):
    with Store(db, read_only=True) as store:
        eid, old = store.con.execute("SELECT id, name FROM enterprises ORDER BY id LIMIT 1").fetchone()
    with updating(db) as store:
        store.con.execute("UPDATE enterprises SET name = '霁川量子测控合成有限公司', name_norm = '霁川量子测控合成' WHERE id = ?", [eid])
    with Store(db) as store:
        assert search_index.fresh(store)
        assert search_index.refresh(store) == {"mode": "patched", "changed": 0}
        assert [i for i, _ in _hits(store, "量子测控合成", True)] == [eid]
        assert _hits(store, old, True) == _hits(store, old, False)
        # a write that bypasses the update path leaves the index stale: it is not used, the scan answers
        store.con.execute("UPDATE enterprises SET scope = scope || '；星舰测绘' WHERE id = ?", [eid])
        assert not search_index.fresh(store)
        assert [i for i, _ in _hits(store, "星舰测绘", True)] == [eid]
        assert search_index.refresh(store) == {"mode": "patched", "changed": 1}
        assert search_index.fresh(store)
        assert [i for i, _ in _hits(store, "星舰测绘", True)] == [eid]


def test_chunked_build_and_both_packings_agree(db, monkeypatch, tmp_path):
    """Built in many small chunks (each sorted on its own) the index still gives the scan's answers; the
    trigram rows of the packed sort equal those of the plain pair sort (the fallback for texts with more
    distinct characters than a packed key holds); a normalised name that is not inside the name (full-width
    letters, brackets) is indexed and found."""
    import shutil

    import numpy as np

    path = str(tmp_path / "c.duckdb")
    shutil.copyfile(db, path)
    with updating(path) as store:
        nid = store.con.execute("SELECT max(id) + 1 FROM enterprises").fetchone()[0]
        name = "星河（北京）ＡＢ测绘科技有限公司"
        store.con.execute("INSERT INTO enterprises (id, name, name_norm, status, country) VALUES (?, ?, ?, '存续', 'CN')",
                          [nid, name, search_service.normalize_name(name)])
    monkeypatch.setattr(search_index, "CHUNK", 37)
    monkeypatch.setattr(search_index, "CHUNK_CHARS", 5000)
    with Store(path) as store:
        assert search_index.refresh(store, rebuild=True)["mode"] == "built"
        assert store.con.execute("SELECT count(*) FROM search_docs").fetchone()[0] == \
            store.con.execute("SELECT count(*) FROM enterprises").fetchone()[0]
        for q in _queries(store) + ["(北京)ab测绘", "ab测绘"]:
            assert _hits(store, q, True) == _hits(store, q, False), q
        assert nid in [i for i, _ in _hits(store, "(北京)ab测绘", True)]
        tb = search_index._texts(store, "", [])
        ids, texts = tb.column(0).to_numpy(), tb.column(1).to_pylist()
        packed, plain = search_index.grams(ids, texts), search_index.grams(ids, texts, pack=False)
        assert packed.num_rows > 10 * len(texts)
        assert packed.equals(plain)
        g = packed.column(0).to_numpy()
        assert bool(np.all(g[1:] >= g[:-1]))  # in trigram order
