"""The chain taxonomy as data: the shipped AI chain, validation errors, another chain, chain_nodes."""

from __future__ import annotations

import re
import textwrap

import pytest

from cli_util import run
from zhaoshang.core.errors import UserError
from zhaoshang.core.store import Store
from zhaoshang.services.chain.taxonomy import (
    DATA_DIR, install_taxonomy, ipc_pattern_regex, keyword_regex, load_taxonomy,
)

LEVEL2 = {
    "U01": "AI芯片", "U02": "服务器与算力设备", "U03": "智算中心与算力租赁", "U04": "数据服务", "U05": "传感器",
    "U06": "先进封装与半导体制造", "U07": "光模块与光电子", "M01": "通用大模型", "M02": "行业大模型", "M03": "多模态",
    "M04": "框架与开发平台", "M05": "计算机视觉", "M06": "语音与自然语言处理", "M07": "知识图谱", "M08": "AI安全",
    "D01": "机器人", "D02": "自动驾驶与车联网", "D03": "低空经济与无人机", "D04": "AR/VR与智能终端",
    "D05": "医疗AI与生物计算", "D06": "金融AI", "D07": "智能制造与工业检测", "D08": "政务服务", "D09": "智慧教育",
    "D10": "安防与智慧城市", "D11": "物流与智慧港口", "D12": "能源与资源勘探", "D13": "AIGC/内容/游戏", "D14": "脑机接口",
}
LEVEL3 = {"U01.1": "U01", "U01.2": "U01", "U01.3": "U01", "U01.4": "U01", "D01.1": "D01", "D01.2": "D01", "D01.3": "D01"}


def test_default_ai_chain_has_the_required_nodes():
    tax = load_taxonomy()
    assert tax.chain == "ai"
    assert [(s.code, s.stage) for s in tax.stages()] == [("U", "upstream"), ("M", "midstream"), ("D", "downstream")]
    assert {n.code: n.name_zh for n in tax.level(2)} == LEVEL2
    assert {n.code: n.parent for n in tax.level(3)} == LEVEL3
    for n in tax.level(2):
        assert n.name_en and n.description, n.code
        assert n.keywords.get("strong"), n.code
        assert n.parent == n.code[0] and tax.stage_of(n.code) == {"U": "upstream", "M": "midstream", "D": "downstream"}[n.code[0]]
    assert tax.stage_of("D01.2") == "downstream"
    assert [c["code"] for c in tax.tree()[0]["children"]][:2] == ["U01", "U02"]
    # keywords are indexed in normalised form, shared words point at every node that uses them
    assert {e.node for e in tax.keyword_index["机械臂"]} == {"D01", "D01.2"}
    assert any(e.tier == "negative" for e in tax.keyword_index["视觉传达"])
    assert "6520" in tax.node("U01").industry_codes


def test_ipc_patterns_and_keyword_regex():
    assert ipc_pattern_regex("G06N 3/*") == "^G06N0*3/"
    assert ipc_pattern_regex("G06V") == "^G06V"
    assert ipc_pattern_regex("G06F 15/78") == "^G06F0*15/78"
    assert re.match(ipc_pattern_regex("H01L 21/*"), "H01L21/768")
    assert not re.match(ipc_pattern_regex("H01L 21/*"), "H01L23/00")
    assert not re.match(ipc_pattern_regex("G06F 15/78"), "G06F16/78")
    # ASCII keywords match whole words only; Chinese ones anywhere
    rx = re.compile(keyword_regex("ai"), re.ASCII)
    assert rx.search("ai芯片") and rx.search("提供ai服务") and not rx.search("mail")
    assert re.search(keyword_regex("芯片"), "ai芯片设计")


def _write(tmp_path, body: str):
    p = tmp_path / "t.yaml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


GOOD = """\
    chain: demo
    nodes:
      - {code: U, level: 1, stage: upstream, name_zh: 上游}
      - {code: U01, level: 2, parent: U, name_zh: 节点一, keywords: {strong: [甲乙]}, ipc: ["G06N 3/*"]}
    """


@pytest.mark.parametrize("bad, message, english", [
    (GOOD + "  - {code: U01, level: 2, parent: U, name_zh: 重复}\n", "U01: 节点编码重复", "node U01: duplicate node code"),
    (GOOD + "  - {code: U02, level: 2, parent: X, name_zh: 无上级}\n", "U02: 上级节点 X 不存在", "node U02: parent node X does not exist"),
    (GOOD + "  - {code: U02, level: 5, parent: U, name_zh: 层级}\n", "U02: level 应为 1、2 或 3", "node U02: level should be 1, 2 or 3"),
    (GOOD + "  - {code: U02, level: 3, parent: U, name_zh: 跳级}\n", "U02: 第 3 层节点的上级 U 应在第 2 层",
     "node U02: the parent U of a level-3 node should be on level 2"),
    (GOOD + "  - {code: U02, level: 2, parent: U}\n", "U02: 缺少中文名称", "node U02: missing the Chinese name name_zh"),
    (GOOD + "  - {code: U02, level: 2, parent: U, name_zh: 坏, ipc: ['12 abc']}\n", "U02: 无效的 IPC 分类模式",
     "node U02: invalid IPC class pattern"),
    (GOOD + "  - {code: U02, level: 2, parent: U, name_zh: 坏, ipc: ['re:G06[']}\n", "U02: 无效的 IPC 分类模式",
     "node U02: invalid IPC class pattern"),
    (GOOD + "  - {code: U02, level: 2, parent: U, name_zh: 坏, keywords: {great: [x]}}\n", "U02: 未知的关键词层级",
     "node U02: unknown keyword tier ['great']"),
    (GOOD + "  - {code: U02, level: 2, parent: U, name_zh: 坏, keywords: {strong: [x, '']}}\n", "U02: keywords.strong 中有空项",
     "node U02: keywords.strong has an empty item"),
    (GOOD + "  - [U02]\n", "第 3 个节点: 应为映射", "node #3: should be a mapping"),
    (GOOD + "gate: {applies_to: [U]}\n", "gate: 设置了 applies_to 但没有 keywords", "gate: applies_to is set but keywords are missing"),
    (GOOD + "weights: {min_confidence: 2}\n", "weights.min_confidence 应在 0 与 1 之间",
     "weights.min_confidence should be between 0 and 1"),
    (GOOD.replace("chain: demo", "chain: ''"), "缺少或无效的 chain", "missing or invalid chain identifier"),
    ("chain: demo\nnodes: [\n", "不是有效的 YAML", "not valid YAML"),
])
def test_validation_errors_name_file_and_node(tmp_path, bad, message, english):
    """Each check names the file and the node, in Chinese and in English."""
    p = _write(tmp_path, bad)
    load_taxonomy(_write(tmp_path, GOOD))  # the base document is valid
    p = _write(tmp_path, bad)
    with pytest.raises(UserError) as exc:
        load_taxonomy(p)
    assert message in str(exc.value) and str(p) in str(exc.value)
    en = exc.value.in_lang("en")
    assert english in en and str(p) in en and not re.search(r"[\u4e00-\u9fff]", en.replace(str(p), "")), en


def test_a_bad_taxonomy_file_is_one_english_line_under_lang_en(tmp_path):
    bad = _write(tmp_path, GOOD + "  - {code: U02, level: 2, parent: X, name_zh: 无上级}\n")
    proc = run("--lang", "en", "classify", "--taxonomy", bad, db=tmp_path / "z.duckdb", check=False)
    assert proc.returncode == 2 and proc.stderr == f"error: {bad} node U02: parent node X does not exist\n", proc.stderr


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="不存在"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_environment_setting_selects_another_chain(monkeypatch):
    monkeypatch.setenv("ZHAOSHANG_TAXONOMY", str(DATA_DIR / "nev.yaml"))
    tax = load_taxonomy()
    assert tax.chain == "nev" and tax.node("U02").name_zh == "动力电池"
    # weights come from the shared defaults file when a chain sets none
    assert tax.weights["min_confidence"] == load_taxonomy(DATA_DIR / "ai.yaml").weights["min_confidence"]


def test_install_taxonomy_writes_chain_nodes():
    store = Store(":memory:")
    tax = load_taxonomy()
    assert install_taxonomy(store, tax) == len(tax.nodes)
    assert install_taxonomy(store, tax) == len(tax.nodes)  # replaces, never duplicates
    rows = store.query("SELECT code, parent_code, level, stage, name_zh FROM chain_nodes WHERE chain = 'ai' ORDER BY position")
    assert len(rows) == len(tax.nodes)
    assert rows[0] == {"code": "U", "parent_code": None, "level": 1, "stage": "upstream", "name_zh": "上游·基础层"}
    assert {"code": "D01.1", "parent_code": "D01", "level": 3, "stage": "downstream", "name_zh": "人形机器人"} in rows
    install_taxonomy(store, load_taxonomy(DATA_DIR / "nev.yaml"))
    assert store.query("SELECT count(DISTINCT chain) AS n FROM chain_nodes")[0]["n"] == 2
