"""A small, seeded fixture database written through the schema: regions (from the Store), a three-level
chain, enterprises in a handful of provinces / cities / districts with founding and dissolution dates,
placements, and the facts an enterprise profile shows (fundings, patents, news, events, people,
shareholders, branches). Fictional names only."""

from __future__ import annotations

import datetime as dt
import math
import random

import built_once
from zhaoshang.core import jsonenc
from zhaoshang.core.explain import Explained, Part, Ref
from zhaoshang.core.store import Store

CHAIN = "ai"
NODES = [
    # code, parent, level, stage, zh, en
    ("U", None, 1, "upstream", "上游·基础层", "Upstream: foundation"),
    ("U01", "U", 2, "upstream", "AI芯片", "AI chips"),
    ("U01.1", "U01", 3, "upstream", "GPU", "GPU"),
    ("U01.2", "U01", 3, "upstream", "ASIC/NPU", "ASIC/NPU"),
    ("U02", "U", 2, "upstream", "智算中心", "Computing centres"),
    ("U03", "U", 2, "upstream", "数据服务", "Data services"),
    ("M", None, 1, "midstream", "中游·技术层", "Midstream: technology"),
    ("M01", "M", 2, "midstream", "通用大模型", "General large models"),
    ("M02", "M", 2, "midstream", "计算机视觉", "Computer vision"),
    ("D", None, 1, "downstream", "下游·应用层", "Downstream: applications"),
    ("D01", "D", 2, "downstream", "人形机器人", "Humanoid robots"),
    ("D02", "D", 2, "downstream", "自动驾驶", "Autonomous driving"),
    ("D03", "D", 2, "downstream", "脑机接口", "Brain-computer interfaces"),  # nobody placed here
]
LEAVES = ["U01.1", "U01.2", "U02", "U03", "M01", "M02", "D01", "D02"]
DISTRICTS = {  # district: (city, province, weight, favourite leaves)
    "110108": ("110100", "110000", 30, ["M01", "M02"]),
    "110105": ("110100", "110000", 12, ["M01", "D02"]),
    "330106": ("330100", "330000", 20, ["M02", "U03"]),
    "330108": ("330100", "330000", 10, ["D01"]),
    "330203": ("330200", "330000", 6, ["U01.2"]),
    "440305": ("440300", "440000", 25, ["U01.1", "D01", "D02"]),
    "440106": ("440100", "440000", 8, ["D02"]),
    "510107": ("510100", "510000", 9, ["U02"]),
}
ROUNDS = ["angel", "pre_a", "a", "b", "c", "ipo"]
TAGS = ["专精特新", "高新技术企业", "独角兽", "瞪羚企业"]



def _evidence(eid: int, node: str, conf: float) -> str:
    """A placement's evidence as the classifier writes it: an explained result (one keyword in the scope)."""
    raw = round(-math.log(max(1e-6, 1 - conf)), 4)
    return jsonenc.dumps(Explained(
        value=node, method="keywords", version="1", params={"fixture": True}, confidence=conf,
        parts=[Part("text", raw=raw, weight=1.0, contribution=raw,
                    detail={"keywords": [{"field": "scope", "keyword": node, "tier": "strong", "weight": raw}]})],
        evidence=[Ref("enterprises", ids=[eid])]))

def build(path: str, n: int = 400, seed: int = 7, synthetic: bool = True) -> dict:
    """Write the fixture into ``path``; returns a summary (ids of notable enterprises). Built once per test run for
    each ``(n, seed, synthetic)`` and copied to ``path`` (tests/built_once.py)."""
    return built_once.build_or_copy(path, f"matrix-{n}-{seed}-{int(synthetic)}",
                                    lambda p: _build(str(p), n, seed, synthetic))


def _build(path: str, n: int, seed: int, synthetic: bool) -> dict:
    rng = random.Random(seed)
    store = Store(path)
    con = store.con
    with store.transaction():
        for i, (code, parent, level, stage, zh, en) in enumerate(NODES):
            con.execute("INSERT INTO chain_nodes VALUES (?,?,?,?,?,?,?,?,?)",
                        [CHAIN, code, parent, level, stage, zh, en, f"{zh}环节", i])
        dists = list(DISTRICTS)
        weights = [DISTRICTS[d][2] for d in dists]
        ents, pls = [], []
        for eid in range(1, n + 1):
            dist = rng.choices(dists, weights)[0]
            city, prov, _, fav = DISTRICTS[dist]
            founded = dt.date(2005 + rng.randrange(19), rng.randrange(1, 13), rng.randrange(1, 28))
            dissolved = None
            if rng.random() < 0.08:
                dissolved = founded + dt.timedelta(days=rng.randrange(200, 3000))
            listed = f"{600000 + eid}" if rng.random() < 0.06 else None
            tags = rng.sample(TAGS, rng.randrange(0, 3)) or None
            name = f"{'星河云智数栖澜'[eid % 7]}{'算衡辰' [eid % 3]}科技{eid}号有限公司"
            ents.append([eid, name, name, f"91330000MA{eid:08d}", None, "有限责任公司",
                         "注销" if dissolved else "存续", founded, dissolved, float(rng.randrange(100, 50000)),
                         None, "CN", prov, city, dist, None, f"测试路{eid}号", None, None, None, "软件和信息技术服务业",
                         "人工智能技术开发", "虚构企业，仅用于测试", None, None, listed, f"法人{eid}", tags, "fixture", 1, 1])
            if rng.random() < 0.1:
                continue  # not placed on the chain
            k = 1 + (rng.random() < 0.3)
            nodes = set()
            for _ in range(k):
                nodes.add(rng.choice(fav) if rng.random() < 0.7 else rng.choice(LEAVES))
            for node in nodes:
                conf = round(rng.uniform(0.5, 1), 3)
                pls.append([eid, CHAIN, node, conf, _evidence(eid, node, conf), "keywords", dt.datetime(2024, 1, 1)])
        # a foreign enterprise (no province): never counted
        ents.append([n + 1, "Foreign AI Ltd", "foreign ai ltd", None, "Foreign AI", None, "active",
                     dt.date(2010, 1, 1), None, None, None, "US", None, None, None, None, None, None, None, None,
                     None, None, None, None, None, None, None, None, "fixture", 1, 1])
        pls.append([n + 1, CHAIN, "M01", 0.9, _evidence(n + 1, "M01", 0.9), "keywords", dt.datetime(2024, 1, 1)])
        cols = [r[0] for r in con.execute("DESCRIBE enterprises").fetchall()][:31]  # (the precision left empty: days)
        con.executemany(f"INSERT INTO enterprises ({', '.join(cols)}) VALUES (" + ",".join("?" * 31) + ")", ents)
        con.executemany("INSERT INTO placements VALUES (?,?,?,?,?,?,?)", pls)

        # facts for the profile of a few enterprises
        fid = pid = nid = evid = 1
        for eid in range(1, 41):
            for j in range(rng.randrange(0, 3)):
                d = dt.date(2015 + j * 2 + rng.randrange(2), rng.randrange(1, 13), 1)
                rnd = ROUNDS[min(j + rng.randrange(2), len(ROUNDS) - 1)]
                con.execute("INSERT INTO fundings (id, enterprise_id, enterprise_name, date, round, round_raw, amount_wan,"
                            " investors_text, source) VALUES (?,?,?,?,?,?,?,?, 'fixture')",
                            [fid, eid, ents[eid - 1][1], d, rnd, rnd.upper() + "轮", 1000.0 * (j + 1), "虚构资本"])
                con.execute("INSERT INTO events (id, enterprise_id, date, type, title, ref_table, ref_id, source) "
                            "VALUES (?,?,?,?,?,?,?, 'fixture')", [evid, eid, d, "funding", f"完成{rnd}轮融资", "fundings", fid])
                fid += 1
                evid += 1
            if eid % 3 == 0:
                con.execute("INSERT INTO patents (id, number, title, type, applied, granted, main_ipc, applicants_text, source)"
                            " VALUES (?,?,?,?,?,?,?,?, 'fixture')",
                            [pid, f"CN{100000 + pid}A", f"一种图像识别方法{pid}", "invention", dt.date(2019, 3, 1),
                             dt.date(2021, 5, 1), "G06N3/08", ents[eid - 1][1]])
                con.execute("INSERT INTO patent_applicants VALUES (?,?,?,?,?,?,?,?)",
                            [pid, 1, ents[eid - 1][1], eid, "CN", None, None, None])
                con.execute("INSERT INTO events (id, enterprise_id, date, type, title, ref_table, ref_id, source) "
                            "VALUES (?,?,?,?,?,?,?, 'fixture')", [evid, eid, dt.date(2021, 5, 1), "patent", f"专利授权 CN{100000 + pid}A", "patents", pid])
                pid += 1
                evid += 1
            if eid % 4 == 0:
                con.execute("INSERT INTO news (id, title, url, published, outlet, sentiment, source) VALUES (?,?,?,?,?,?, 'fixture')",
                            [nid, f"{ents[eid - 1][1]}发布新产品", f"https://example.org/{nid}", dt.datetime(2023, 6, 1, 9), "虚构日报", 0.4])
                con.execute("INSERT INTO news_mentions VALUES (?,?,?,?)", [nid, eid, ents[eid - 1][1], "declared"])
                nid += 1
        con.execute("INSERT INTO events (id, enterprise_id, date, type, title, source) "
                    "VALUES (?, 1, DATE '2022-01-10', 'change_name', '名称变更', 'fixture')", [evid])
        evid += 1
        con.execute("INSERT INTO persons (id, name, source) VALUES (1, '张三', 'fixture'), (2, '李四', 'fixture')")
        con.execute("INSERT INTO roles (id, person_id, person_name, enterprise_id, enterprise_name, role, title, source) VALUES "
                    "(1, 1, '张三', 1, ?, 'legal_rep', '董事长', 'fixture'), (2, 2, '李四', 1, ?, 'ceo', '总经理', 'fixture')",
                    [ents[0][1], ents[0][1]])
        con.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, percent, source) VALUES "
                    "(1, 1, ?, '张三', 'person', 51.0, 'fixture'), (2, 1, ?, '虚构资本合伙企业', 'investor', 20.0, 'fixture')",
                    [ents[0][1], ents[0][1]])
        con.execute("INSERT INTO branches (id, parent_id, parent_name, child_id, child_name, kind, date, province_code, city_code, source)"
                    " VALUES (1, 1, ?, 2, ?, 'subsidiary', DATE '2020-02-02', '330000', '330100', 'fixture')",
                    [ents[0][1], ents[1][1]])
        if synthetic:
            store.set_meta("synthetic", "true")
    store.close()
    return {"n": n, "first_name": ents[0][1]}
