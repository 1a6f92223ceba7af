"""Enterprise classification onto the chain (rules-v1): evidence, negation, patents, relations, CLI, real data."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from typer.testing import CliRunner

from zhaoshang.core.store import Store
from zhaoshang.services.chain.classify import classify, normalize_text
from zhaoshang.services.chain.evaluate import evaluate_itjuzi, evaluate_registration, load_label_map
from zhaoshang.services.chain.taxonomy import DATA_DIR, load_taxonomy

ENTERPRISES = [
    # id, name, scope, description, products, founded
    (1, "上海芯算微电子有限公司", "一般项目：集成电路设计；芯片的研发与销售。【依法须经批准的项目，经相关部门批准后方可开展经营活动】", None, None, "2015-01-01"),
    (2, "杭州味道餐饮管理有限公司", "餐饮服务；餐饮管理；服装、鞋帽的销售（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）", None, None, "2010-01-01"),
    (3, "深圳视界科技有限公司", "计算机视觉技术开发", "公司专注于人脸识别与深度学习算法", None, "2016-01-01"),
    (4, "北京某服装有限公司", "服装设计；视觉传达设计（不含集成电路设计、芯片）；不得从事人工智能芯片研发", None, None, "2012-01-01"),
    (5, "苏州优智机器人有限公司", "工业机器人、协作机器人的研发制造", None, None, "2019-06-01"),
    (6, "某城市商业银行股份有限公司", "吸收公众存款；发放短期、中期和长期贷款", None, None, "2001-01-01"),
    (7, "东莞某电子厂", "数据线、充电器的生产与销售", None, None, "2005-01-01"),
    (8, "南京某科技有限公司", "计算机软硬件销售", None, None, "2018-01-01"),
    (9, "深圳视界科技南京分公司", "技术服务", None, None, "2018-01-01"),
    (10, "合肥某智能风控有限公司", None, "基于机器学习的智能风控与信用评估", None, "2017-01-01"),
]


@pytest.fixture
def store():
    s = Store(":memory:")
    s.con.executemany("INSERT INTO enterprises (id, name, scope, description, products, founded) VALUES (?, ?, ?, ?, ?, ?)",
                      ENTERPRISES)
    # patents of enterprise 8: image recognition (G06V) ×2
    s.con.execute("""INSERT INTO patents (id, title, ipc, main_ipc, applied) VALUES
        (1, '一种图像识别方法', ['G06V 10/82', 'G06N 3/08'], 'G06V 10/82', DATE '2019-01-01'),
        (2, '一种目标检测装置', ['G06V 20/52'], 'G06V 20/52', DATE '2020-05-01')""")
    s.con.execute("INSERT INTO patent_applicants (patent_id, position, name, enterprise_id) VALUES (1, 1, 'x', 8), (2, 1, 'x', 8)")
    # enterprise 9 is a branch of enterprise 3
    s.con.execute("INSERT INTO branches (id, parent_id, child_id, kind) VALUES (1, 3, 9, 'branch')")
    yield s
    s.close()


def _view(doc: dict) -> dict:
    """The evidence of a placement (an Explained) by signal: keywords, patents, scores, related rows."""
    parts = {p["signal"]: p for p in doc["parts"]}
    part = lambda k: parts.get(k) or {}  # noqa: E731
    return {"keywords": (part("text").get("detail") or {}).get("keywords", []),
            "patents": {"count": part("ipc").get("raw") or 0, "classes": (part("ipc").get("detail") or {}).get("classes", [])},
            "related": (part("relation").get("detail") or {}).get("related", []),
            "score": {k: part(k).get("contribution") or 0 for k in ("text", "ipc", "industry_code", "relation")}}


def placements(store, chain="ai"):
    out: dict[int, dict[str, tuple[float, dict]]] = {}
    for r in store.query("SELECT enterprise_id, node_code, confidence, evidence FROM placements WHERE chain = ?", [chain]):
        out.setdefault(r["enterprise_id"], {})[r["node_code"]] = (r["confidence"], _view(json.loads(r["evidence"])))
    return out


def test_evidence_is_an_explained_result(store):
    """Each placement's evidence is one Explained: the node, the contributions that add up to the raw score
    behind the confidence, the rows it rests on, the method and its settings' fingerprint."""
    from zhaoshang.core.explain import Explained
    from zhaoshang.services.chain.classify import FORMULA
    from zhaoshang.services.chain.pairs import FORMULA as PAIRS

    classify(store)
    rows = store.query("SELECT enterprise_id, node_code, confidence, evidence FROM placements")
    assert rows
    hashes = set()
    for r in rows:
        doc = json.loads(r["evidence"])
        x = Explained.from_json(doc)
        pair = next((p for p in x.parts if p.signal == "pairs"), None)
        assert x.value == r["node_code"] and x.method == "rules" and x.formula == (FORMULA if pair is None else PAIRS)
        if pair is None:  # the rules' placement (a registration, or any row without a pair reader)
            assert x.confidence == pytest.approx(1 - math.exp(-max(0.0, x.total)), abs=2e-4)
        else:  # the pair reader's: its probability for the pair, at or above its bar
            assert x.confidence == pair.detail["p_pair"] >= pair.detail["bar"]
            # the part that decides: its probability is the confidence, not a contribution of 0 to the rules' sum
            assert pair.detail["decides"] is True and pair.contribution is None and pair.raw == x.confidence
        assert x.confidence == pytest.approx(r["confidence"], abs=1e-4)
        assert x.evidence[0].table == "enterprises" and x.evidence[0].ids == [r["enterprise_id"]]
        assert x.to_json() == doc  # one shape: what SQL wrote is what the type writes
        hashes.add(x.params_hash)
    assert len(hashes) == 1
    related = [json.loads(r["evidence"]) for r in rows if r["enterprise_id"] == 9]
    # the branch's parent is an evidence row too
    store.con.execute("UPDATE enterprises SET scope = '图像识别软件、人脸识别门禁的销售' WHERE id = 9")
    classify(store, use_model=False)  # the rules' explanation (a reseller's scope alone does not pass the model's gate)
    ev9 = Explained.from_json(store.query("SELECT evidence FROM placements WHERE enterprise_id = 9")[0]["evidence"])
    assert any(ref.note == "related" and ref.ids == [3] for ref in ev9.evidence) and not related


def test_places_with_evidence_and_ignores_boilerplate_and_exclusions(store):
    summary = classify(store, use_model=False)  # the rules themselves (the model's check: test_chain_model.py)
    p = placements(store)
    assert summary["enterprises"] == 10 and summary["placed"] == len(p)
    # 集成电路设计 in the scope → AI chips, with the words and the field as evidence
    conf, ev = p[1]["U01"]
    assert 0.45 <= conf < 1
    assert {"field": "scope", "keyword": "集成电路设计", "tier": "strong"}.items() <= ev["keywords"][0].items()
    # catering / clothing: nothing; exclusions (不含…, 不得从事…) and 视觉传达 are no evidence
    assert 2 not in p and 4 not in p
    # vision company: computer vision, keywords from description and scope
    assert {k["field"] for k in p[3]["M05"][1]["keywords"]} == {"scope", "description"}
    # robots roll up: the level-3 node and its level-2 parent
    assert {"D01", "D01.2"} <= set(p[5])
    # a bank is not an AI enterprise (scenario nodes need chain relevance); a credit-scoring AI firm is
    assert 6 not in p and "D06" in p[10]
    # 数据线 (a cable) is not 数据 (data): jieba segments it as one word
    assert 7 not in p
    # every level-3 placement has its parent placed, every confidence is in (0, 1)
    for nodes in p.values():
        for code, (c, _) in nodes.items():
            assert 0 < c < 1
            if code.count(".") == 1:
                assert code.split(".")[0] in nodes


# registry phrasings of a chain business as the first listed item (placed) and the same trades as one side
# line among building works or a guard company's services (left alone); docs/gold-labelling.md
REGISTRY_CASES = [
    ("浦东某微电子有限公司", "芯片和微电子产品的设计、开发；集成电路的开发、设计；计算机软件的开发", "U01"),
    ("深圳某视讯科技有限公司", "开发、生产经营光端机、闭路电视系统产品、出入口控制系统产品、数据通信设备", "D10"),
    ("合肥某电子有限公司", "电视监控系统及安全防范工程的设计、施工、维修、技术培训和服务；电子产品批发和零售", "D10"),
    ("天水某混合电路有限公司", "混合集成电路开发、生产、销售，电子、模具设计制造", "U06"),
    ("南京某数控技术有限公司", "数控技术开发、研制、转让；软件开发、维修、技术咨询、服务", "D07"),
    ("杭州某建筑装饰工程有限公司", "室内外装饰装修工程、园林绿化工程、水电安装工程、钢结构工程的设计与施工；安防工程；建筑材料销售", None),
    ("某市保安服务有限公司", "门卫、巡逻、随身护卫、安全检查、区域秩序维护", None),
    # D10's line: security products made first → D10; a guard firm, or security works among building trades → not
    ("某安防科技有限公司", "安全技术防范产品的研发、生产、销售；计算机软件开发", "D10"),
    ("某县保安服务公司", "武装守护押运、门卫、巡逻、安全技术防范、安全风险评估；物业管理", None),
    ("某楼宇工程有限公司", "计算机网络工程、综合布线、建筑智能化工程、消防工程、弱电工程、装饰装修工程的设计与施工；"
     "建筑材料、五金交电、办公设备、电线电缆的销售；安全技术防范工程；防盗报警系统安装；闭路电视监控工程", None),
    # phrasings of a first listed business (automation, meters, IC blocks, storage, supermarket anti-theft)
    ("某自动化技术有限公司", "工业自动化控制系统的研发、生产、销售；计算机软件开发", "D07"),
    ("某化工有限公司", "化工产品、塑料制品、包装材料、五金交电、建筑材料、日用百货的生产与销售；机械设备维修；"
     "工业自动化控制系统的安装", None),
    ("某仪表有限公司", "智能电表、智能水表的研发、生产、销售", "D12"),
    ("某电子贸易有限公司", "集成电路块、电子元器件的销售", "U01"),
    ("某存储技术有限公司", "计算机存储产品的研发、生产；网络设备的研发、制造", "U02"),
    ("某防窃设备有限公司", "生产、销售：超市防窃装置、电子产品", "D10"),
]


def test_registry_phrasings_of_a_first_listed_business():
    with Store(":memory:") as s:
        s.con.executemany("INSERT INTO enterprises (id, name, scope) VALUES (?, ?, ?)",
                          [(i, name, scope) for i, (name, scope, _) in enumerate(REGISTRY_CASES)])
        classify(s, use_model=False)
        got: dict[int, set] = {}
        for r in s.query("SELECT enterprise_id, node_code FROM placements"):
            got.setdefault(r["enterprise_id"], set()).add(r["node_code"].split(".")[0])
    for i, (name, _, node) in enumerate(REGISTRY_CASES):
        assert (node in got.get(i, set())) if node else i not in got, (name, got.get(i))


def test_normalize_text_drops_boilerplate_and_exclusions():
    w = load_taxonomy().weights
    s = normalize_text("一般项目：软件开发（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）；不含芯片设计、集成电路。", w)
    assert "软件开发" in s and "芯片" not in s and "集成电路" not in s and "依法" not in s and "一般项目" not in s


def test_patent_classes_and_related_enterprises_are_evidence(store):
    classify(store)
    p = placements(store)
    conf, ev = p[8]["M05"]  # placed by its G06V patents alone
    assert ev["patents"]["count"] == 2 and "G06V10/82" in ev["patents"]["classes"] and ev["keywords"] == []
    assert ev["score"]["ipc"] > 0 and ev["score"]["text"] == 0
    # the branch has no text evidence; its parent is listed as support, but relation alone never places
    assert 9 not in p
    # a branch registers its parent's licensed scope, so one scope keyword (half weight) plus the parent's
    # support stays below the threshold; two keywords of its own place it, with the parent as support
    store.con.execute("UPDATE enterprises SET scope = '图像识别软件销售' WHERE id = 9")
    classify(store)
    assert 9 not in placements(store)
    store.con.execute("UPDATE enterprises SET scope = '图像识别软件、人脸识别门禁的销售' WHERE id = 9")
    classify(store, use_model=False)  # the rules' explanation (a reseller's scope alone does not pass the model's gate)
    p2 = placements(store)
    rel = p2[9]["M05"][1]["related"]
    assert rel and rel[0]["id"] == 3 and rel[0]["role"] == "parent"
    assert p2[9]["M05"][0] > load_taxonomy().weights["min_confidence"]


def test_rerun_replaces_rows_and_subset_keeps_others(store):
    classify(store)
    n = store.query("SELECT count(*) AS n FROM placements")[0]["n"]
    classify(store)
    assert store.query("SELECT count(*) AS n FROM placements")[0]["n"] == n
    others = {k: v for k, v in placements(store).items() if k != 1}
    assert others
    store.con.execute("UPDATE enterprises SET scope = '餐饮服务' WHERE id = 1")
    s = classify(store, enterprise_ids=[1])
    assert s["enterprises"] == 1 and s["placed"] == 0
    p = placements(store)
    assert 1 not in p and p == others  # other enterprises untouched


def test_as_of_leaves_out_later_enterprises_and_patents(store):
    # statuses saying the enterprise ended, without a registry date (core.asof.status_ends): 已关闭 recorded by a change
    # of 2019-06-30 (ended from then), 注销 brought by no dated import (ended as of every date)
    store.con.execute("UPDATE enterprises SET status = '已关闭' WHERE id = 3")
    store.con.execute("INSERT INTO enterprise_history (enterprise_id, field, old_value, new_value, changed_on) "
                      "VALUES (3, 'status', '存续', '已关闭', DATE '2019-06-30')")
    store.con.execute("UPDATE enterprises SET status = '注销' WHERE id = 10")
    s = classify(store, as_of="2018-12-31")
    p = placements(store)
    assert 5 not in p  # founded 2019
    assert 8 not in p  # its patents were applied for in 2019 and 2020
    assert 3 in p and 10 not in p
    assert s["as_of"] == "2018-12-31" and s["enterprises"] == 8
    classify(store, as_of=dt.date(2019, 12, 31))
    assert 8 not in placements(store)  # one patent: ipc score 1/3, below the threshold
    assert 3 not in placements(store)  # closed since 2019-06-30
    classify(store, as_of=dt.date(2020, 12, 31))
    assert placements(store)[8]["M05"][1]["patents"]["count"] == 2


def test_another_chain_classifies_through_the_same_code(store):
    store.con.execute("INSERT INTO enterprises (id, name, scope) VALUES (20, '某新能源汽车有限公司', '纯电动汽车整车制造；动力电池、电池管理系统研发')")
    classify(store, load_taxonomy(DATA_DIR / "nev.yaml"))
    p = placements(store, "nev")
    assert {"M01", "U02"} <= set(p[20])
    assert not store.query("SELECT 1 FROM placements WHERE chain = 'ai'")  # other chains untouched


def test_cli_classify_on_an_imported_database(tmp_path):
    from cli_util import run, run_json
    from zhaoshang.interfaces.cli import app

    csv = tmp_path / "e.csv"
    csv.write_text("企业名称,经营范围\n"
                   "上海芯算微电子有限公司,集成电路设计；芯片研发\n"
                   "杭州味道餐饮管理有限公司,餐饮服务\n"
                   "苏州优智机器人有限公司,服务机器人研发\n", encoding="utf-8")
    db = tmp_path / "z.duckdb"
    # the import says that its enterprises reach the map, the region pages, the leads and the scores after classify
    got = run("import", "enterprises", csv, "--source", "test", db=db)
    assert "3 家企业尚未按最新数据归入产业链" in got.stderr and "zhaoshang classify" in got.stderr
    r = CliRunner().invoke(app, ["--db", str(db), "classify", "--format", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["enterprises"] == 3 and doc["placed"] == 2 and doc["unplaced"] == 1
    more = tmp_path / "more.csv"  # after a classification only what an import changed waits for the next one
    more.write_text("企业名称,经营范围\n深圳视界智能科技有限公司,计算机视觉软件开发\n", encoding="utf-8")
    assert run_json("import", "enterprises", more, "--source", "test2", "--format", "json", db=db)["unclassified"] == 1
    assert run_json("classify", "--format", "json", db=db)["enterprises"] == 4
    assert doc["method"] == "rules-v1" and len(doc["checked_by_model"]["digest"]) == 12  # the shipped model checked them
    nodes = {n["code"]: n["enterprises"] for n in doc["by_node"]}
    assert nodes["U01"] == 1 and nodes["D01"] == 1 and nodes["D01.3"] == 1
    assert {s["stage"]: s["enterprises"] for s in doc["by_stage"]} == {"U": 1, "M": 0, "D": 1}
    r = CliRunner().invoke(app, ["--db", str(db), "classify", "--taxonomy", str(tmp_path / "none.yaml")])
    assert r.exit_code != 0


# ---------------------------------------------------------------------------- real data
def test_itjuzi_precision_and_recall_stay_above_measured_floors(shared):
    r = evaluate_itjuzi(shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv"))
    lm = load_label_map()
    assert r["labelled"] + r["excluded"] == r["companies"] and not r["unmapped"]
    assert set(lm["labels"]).isdisjoint(lm["excluded"])
    # measured with the gold-tuned rules (docs/methods.md): node micro P 0.49 / R 0.69, stage P 0.69 / R 0.79;
    # the hand-labelled gold set is the measure now, this coarse label map only guards against regressions
    assert r["nodes"]["micro"]["precision"] >= 0.46
    assert r["nodes"]["micro"]["recall"] >= 0.66
    assert r["stages"]["micro"]["precision"] >= 0.66
    assert r["stages"]["micro"]["recall"] >= 0.76
    assert r["top1_accuracy"] >= 0.55
    assert r["placed_any_share"] >= 0.83  # all 820 are AI companies
    per = r["nodes"]["per_unit"]
    for code in ("D01", "D02", "D03", "D05"):
        assert per[code]["precision"] >= 0.65 and per[code]["recall"] >= 0.74, code


def test_registration_sample_ai_vs_non_ai(shared):
    r = evaluate_registration(shared("enterprises/enterprise_registration_sample_2000_2004.csv"), use_model=False)
    kw, rnd = r["strata"]["tech_keyword_in_scope"], r["strata"]["random_by_province"]
    # measured: keyword stratum 8.9 % placed, random stratum 0.9 % (the keyword stratum is not a label: most
    # of it are software and trading firms whose registry list names 集成电路设计 or 智能 among side lines;
    # the hand-labelled gold set measures precision, docs/methods.md)
    assert kw["share"] >= 0.07 and rnd["share"] <= 0.015 and kw["share"] > 8 * rnd["share"]
    # 集成电路设计 as the main business places; as a side line of a software firm's list it does not
    assert r["ic_design_rows"] > 20 and 10 <= r["ic_design_on_U01_or_U06"] < r["ic_design_rows"]
    assert r["catering_or_clothing_rows"] > 100 and r["catering_or_clothing_placed"] == 0


@pytest.fixture(scope="module")
def synthetic():
    """3,000 synthetic enterprises from the classification benchmark's generator (AI and plain business,
    boilerplate, exclusion clauses), with their placements under the default cap."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "bench_classify.py"
    spec = importlib.util.spec_from_file_location("bench_classify", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    s = Store(":memory:")
    s.con.execute("SET threads = 1")  # one worker's buffers: at a cap this small they would otherwise dominate
    bench.fill(s, 3000)
    classify(s, use_model=False)
    yield s, s.query("SELECT enterprise_id, node_code, confidence, evidence FROM placements ORDER BY 1, 2")
    s.close()


def test_finishes_range_by_range_under_a_cap_too_small_for_one_pass(synthetic, monkeypatch):
    import duckdb

    from zhaoshang.services.chain import classify as cl

    store, rows = synthetic
    assert len(rows) > 500
    default = store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    monkeypatch.setenv("ZHAOSHANG_BATCH_MEMORY", "24MB")
    monkeypatch.setattr(cl, "CHUNK", 100_000)  # every enterprise in one range: the evidence lists overflow
    with pytest.raises(duckdb.OutOfMemoryException) as exc:
        classify(store, use_model=False)
    assert "zs_direct" in exc.value.statement or "zs_kwscore" in exc.value.statement
    monkeypatch.setattr(cl, "CHUNK", 300)
    seen: list[str] = []
    got = classify(store, use_model=False, on_progress=lambda *a, **k: seen.append(
        store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    assert len(seen) == 11 and set(seen) == {"17.1 MiB"}  # three quarters of the cap for DuckDB, ten ranges
    assert store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == default
    assert got["placements"] == len(rows)
    assert store.query("SELECT enterprise_id, node_code, confidence, evidence FROM placements ORDER BY 1, 2") == rows


def test_without_a_named_cap_classification_holds_the_default_cap(store, monkeypatch):
    import duckdb

    from zhaoshang.core.memory import duckdb_limit

    monkeypatch.delenv("ZHAOSHANG_BATCH_MEMORY", raising=False)
    monkeypatch.delenv("ZHAOSHANG_IMPORT_MEMORY", raising=False)
    default = store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    seen: list[str] = []
    classify(store, on_progress=lambda *a, **k: seen.append(
        store.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))
    other = duckdb.connect()
    other.execute(f"SET memory_limit = '{duckdb_limit('ZHAOSHANG_BATCH_MEMORY', '2GB')}'")
    assert set(seen) == {other.execute("SELECT current_setting('memory_limit')").fetchone()[0]} != {default}
    other.close()


def test_cli_refuses_a_malformed_memory_cap_in_one_line(tmp_path):
    from tests.cli_util import run

    db = tmp_path / "z.duckdb"
    Store(db).close()
    proc = run("classify", db=db, check=False, env={"ZHAOSHANG_BATCH_MEMORY": "lots"})
    assert proc.returncode == 2 and "ZHAOSHANG_BATCH_MEMORY" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def _ai_with(tmp_path, extra: str):
    """The AI taxonomy with weights added to its ``weights:`` block (a candidate setting, as measured)."""
    text = (DATA_DIR / "ai.yaml").read_text(encoding="utf-8")
    p = tmp_path / "ai.yaml"
    p.write_text(text.replace("weights:\n", "weights:\n" + extra, 1), encoding="utf-8")
    return load_taxonomy(p)


def test_a_product_line_below_the_share_threshold_supports_never_places(tmp_path):
    tax = _ai_with(tmp_path, "  products_share_min: 0.10\n")
    lines = [(1, 1, "纺织品", 0.70), (1, 2, "服装", 0.25), (1, 3, "工业机器人", 0.05),  # robots a side line
             (2, 1, "工业机器人", 0.05), (2, 2, "服装", 0.04),  # the first line is never a side line
             (3, 1, "纺织品", 0.70), (3, 2, "未披露产品", None), (3, 3, "工业机器人", None)]  # no share: read as before
    with Store(":memory:") as s:
        s.con.executemany("INSERT INTO enterprises (id, name, products) VALUES (?, ?, ?)",
                          [(i, f"示例{i}股份有限公司", "、".join(p for e, _, p, _ in lines if e == i)) for i in (1, 2, 3)])
        s.con.executemany("INSERT INTO product_lines (enterprise_id, line_no, product, share, source) VALUES (?, ?, ?, ?, 'm')",
                          lines)
        classify(s, tax, use_model=False)
        got = placements(s)
        assert 1 not in got and "D01" in got[2] and "D01" in got[3]
        # without the setting the products text is read by position: the robot line places
        classify(s, load_taxonomy(), use_model=False)
        assert "D01" in placements(s)[1]
        # the side line still counts as support, under its own field
        s.con.execute("UPDATE enterprises SET description = '机器人' WHERE id = 1")
        classify(s, tax, use_model=False)
        kws = placements(s)[1]["D01"][1]["keywords"]
        assert any(k["field"] == "products_side" and k["keyword"] == "工业机器人" for k in kws)


def test_overlapping_matches_read_a_keyword_the_match_runs_into(tmp_path):
    with Store(":memory:") as s:
        s.con.execute("INSERT INTO enterprises (id, name, products) VALUES (1, '示例股份有限公司', '云计算服务器')")
        classify(s, use_model=False)  # leftmost-longest alone: 云计算服务 + 器, U02's 服务器 unseen
        assert 1 not in placements(s)
        classify(s, _ai_with(tmp_path, "  overlapping_matches: true\n"), use_model=False)
        kws = placements(s)[1]["U02"][1]["keywords"]
        assert any(k["keyword"] == "服务器" for k in kws)


# ---------------------------------------------------------------------------- every source's industry
# made-up minimal rows under the real columns of the presets a_share_merged and sw_industry (a fictitious firm)
A_SHARE_CSV = ("ts_code,code,exchange,board,short_name,extended_short_name,full_name,full_name_source,english_name,uscc,"
               "province,province_code,city,city_code,district,district_code,registered_address,tushare_area,"
               "tushare_industry,csrc_sector,list_date,setup_date,reg_capital,employees,website\n"
               "688990.SH,688990,SSE,科创板,示例科技,,示例科技股份有限公司,,,,北京市,11,北京市,1101,海淀区,110108,,"
               "北京,半导体,C 制造业,20200720,20160315,40000,1000,\n")
SW_CSV = ("ts_code,short_name,full_name,sw_l1_code,sw_l1_name,sw_l2_code,sw_l2_name,sw_l3_code,sw_l3_name\n"
          "688990.SH,示例科技,示例科技股份有限公司,270000,电子,270100,半导体,270108,数字芯片设计\n")


@pytest.mark.parametrize("order", ["newer_first", "older_first"])
def test_an_older_exports_detailed_industry_still_places_the_enterprise(tmp_path, order):
    """The newer A-share list gives the coarse sector (半导体), the older Shenwan file the level-3 industry
    (数字芯片设计): the displayed industry stays the newer one, and the classifier reads both."""
    from zhaoshang.core.importers import import_files
    from zhaoshang.core.explain import Explained
    from zhaoshang.services.chain.reading import read_rules

    a, sw = tmp_path / "a.csv", tmp_path / "sw.csv"
    a.write_text(A_SHARE_CSV, encoding="utf-8")
    sw.write_text(SW_CSV, encoding="utf-8")
    steps = [(a, "a_share_merged", "2026-03-31"), (sw, "sw_industry", "2021-10-31")]
    with Store(tmp_path / "z.duckdb") as s:
        for path, preset, date in steps if order == "newer_first" else steps[::-1]:
            import_files(s, "enterprises", [path], preset=preset, data_date=date)
        assert s.con.execute("SELECT industry FROM enterprises").fetchall() == [("半导体",)]
        classify(s)
        got = placements(s)
        assert set(got.get(1, {})) == {"U01"}
        kws = {(k["field"], k["keyword"]) for k in got[1]["U01"][1]["keywords"]}
        assert ("industry", "数字芯片设计") in kws
        ev = json.loads(s.con.execute("SELECT evidence FROM placements WHERE node_code = 'U01'").fetchone()[0])
        text = next(p for p in ev["parts"] if p["signal"] == "text")
        assert {"value": "数字芯片设计", "source": "sw2021_industry"} in text["detail"]["industries"]
        assert "『数字芯片设计』（来源 sw2021_industry）" in read_rules(Explained.from_json(ev), "zh")
        assert "数字芯片设计 (source sw2021_industry)" in read_rules(Explained.from_json(ev), "en")


def test_a_record_linked_later_re_places_the_enterprise_incrementally(tmp_path):
    """The Shenwan file imported after a classification changes no column of the enterprise (its date is older):
    its record is still new evidence, so the next incremental run places the enterprise."""
    from zhaoshang.core.importers import import_files

    a, sw = tmp_path / "a.csv", tmp_path / "sw.csv"
    a.write_text(A_SHARE_CSV, encoding="utf-8")
    sw.write_text(SW_CSV, encoding="utf-8")
    with Store(tmp_path / "z.duckdb") as s:
        import_files(s, "enterprises", [a], preset="a_share_merged", data_date="2026-03-31")
        assert classify(s)["placed"] == 0
        import_files(s, "enterprises", [sw], preset="sw_industry", data_date="2021-10-31")
        summary = classify(s, incremental=True)
        assert summary["mode"] == "incremental" and summary["placed"] == 1
        assert set(placements(s).get(1, {})) == {"U01"}
