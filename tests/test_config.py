"""The one reader of user-replaceable YAML files (core/config.py): every service that reads such a file says what
is wrong in the same one line, in Chinese and English, naming the file, the key and what was expected."""

from __future__ import annotations

import pytest
import yaml

from zhaoshang.core.config import ConfigFile, read_yaml
from zhaoshang.core.errors import UserError
from zhaoshang.services import recommend as rec
from zhaoshang.services.evaluation.scorecard import DEFAULT_WEIGHTS, load_weights
from zhaoshang.services.graph.ties import DEFAULT_TIES, load_ties
from zhaoshang.services.leads.mine import CONFIG as LEADS_CONFIG
from zhaoshang.services.leads.mine import load_config as load_leads
from zhaoshang.services.monitoring.feeds import load_feeds


def _raises(fn, path, zh: str, en: str):
    with pytest.raises(UserError) as exc:
        fn(path)
    assert str(exc.value) == zh.format(p=path)
    assert exc.value.in_lang("en") == en.format(p=path)
    assert "\n" not in str(exc.value)


def test_missing_unreadable_and_malformed_files(tmp_path):
    _raises(lambda p: read_yaml(p, "权重文件", "weights file"), tmp_path / "none.yaml",
            "权重文件不存在: {p}", "weights file not found: {p}")
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\nc: 3\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        read_yaml(bad, "权重文件", "weights file")
    assert str(exc.value).startswith(f"权重文件不是有效的 YAML: {bad}（第 3 行: ")
    assert exc.value.in_lang("en").startswith(f"the weights file is not valid YAML: {bad} (line 3: ")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: 名".encode("gb18030"))
    _raises(lambda p: read_yaml(p, "权重文件", "weights file"), latin,
            "无法读取权重文件: {p}（不是 UTF-8 文本）", "cannot read the weights file: {p} (not UTF-8 text)")
    top = tmp_path / "list.yaml"
    top.write_text("- 1\n", encoding="utf-8")
    _raises(lambda p: ConfigFile.read(p, "权重文件", "weights file"), top,
            "权重文件 {p}: 顶层应为键: 值 的映射", "weights file {p}: the top level should be a mapping of key: value")


def test_checks_name_the_key_and_what_was_expected(tmp_path):
    f = ConfigFile(tmp_path / "c.yaml", {"a": {"b": "x"}, "n": 0, "l": []}, "配置文件", "configuration file")
    cases = [
        (lambda: f.number("a.b", lo=0), "a.b 应为非负数字（实际为 'x'）", "a.b should be a non-negative number (got 'x')"),
        (lambda: f.number("n", lo=0, above=True, integer=True), "n 应为正整数（实际为 0）", "n should be a positive integer (got 0)"),
        (lambda: f.number("n", lo=1, hi=5), "n 应为 [1, 5] 内的数字（实际为 0）", "n should be a number in [1, 5] (got 0)"),
        (lambda: f.number("missing"), "missing 应为数字", "missing should be a number"),
        (lambda: f.items("l", nonempty=True), "l 应为非空列表", "l should be a non-empty list"),
        (lambda: f.mapping("n"), "n 应为映射（键: 值）", "n should be a mapping (key: value)"),
        (lambda: f.choice("a.b", "x", ("y", "z")), "a.b 应为以下之一: y, z（实际为 'x'）", "a.b should be one of: y, z (got 'x')"),
        (lambda: f.known("a", f.get("a"), ("c",)), "a.b 未知（可选: c）", "a.b is unknown (choose from c)"),
        (lambda: f.require(("a.c",)), "a.c 缺失", "a.c is missing"),
    ]
    for call, zh, en in cases:
        with pytest.raises(UserError) as exc:
            call()
        assert str(exc.value) == f"配置文件 {f.path}: {zh}"
        assert exc.value.in_lang("en") == f"configuration file {f.path}: {en}"
    assert f.number("n", lo=0) == 0 and f.number("absent", default=3) == 3 and f.get("a.b") == "x"
    g = ConfigFile(tmp_path / "g.yaml", {"feeds": [{"url": "a", "timeout": 5}]}, "配置文件", "configuration file")
    assert g.get("feeds[0].timeout") == 5 and g.get("feeds[1].timeout", 7) == 7 and g.get("feeds.timeout") is None


def _edited(tmp_path, src, edit) -> str:
    doc = yaml.safe_load(src.read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / src.name
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(p)


def test_every_service_reports_its_file_key_and_expectation(tmp_path):
    """The shipped files load; one bad value in each gives the shared one-line message."""
    assert load_leads()["signals"] and load_weights()["signals"] and load_ties()["relations"] and rec.load_config()
    cases = [
        (load_leads, LEADS_CONFIG, lambda d: d["signals"]["funding"].update(weight=-1),
         "权重文件 {p}: signals.funding.weight 应为非负数字（实际为 -1）"),
        (load_leads, LEADS_CONFIG, lambda d: d.pop("risk"), "权重文件 {p}: risk 应为映射（键: 值）"),
        (load_leads, LEADS_CONFIG, lambda d: d["funding"].update(full_amount_wan=1e30),  # the bound of every amount
         "权重文件 {p}: funding.full_amount_wan 应为 (0, 10000000000.0] 内的数字（实际为 1e+30）"),
        (load_weights, DEFAULT_WEIGHTS, lambda d: d["signals"]["patents"].update(dimension="luck"),
         "权重文件 {p}: signals.patents.dimension 应为以下之一: innovation, capital, growth, influence, team, risk（实际为 'luck'）"),
        (load_weights, DEFAULT_WEIGHTS, lambda d: d["signals"].update(horoscope={"dimension": "team"}),
         "权重文件 {p}: signals.horoscope 未知（可选: patents, "),
        (load_weights, DEFAULT_WEIGHTS, lambda d: d.update(min_cohort="many"), "权重文件 {p}: min_cohort 应为不小于 1 的整数（实际为 'many'）"),
        (lambda p: load_ties(p), DEFAULT_TIES, lambda d: d["relations"]["other"].update(base=2),
         "关系强度文件 {p}: relations.other.base 应为 (0, 1] 内的数字（实际为 2）"),
        (lambda p: load_ties(p), DEFAULT_TIES, lambda d: d.pop("tenure"), "关系强度文件 {p}: tenure 缺失"),
        (rec.load_config, rec.CONFIG_PATH, lambda d: d.update(window_years=2.5), "配置文件 {p}: window_years 应为正整数（实际为 2.5）"),
    ]
    for load, src, edit, message in cases:
        p = _edited(tmp_path, src, edit)
        with pytest.raises(UserError) as exc:
            load(p)
        assert str(exc.value).startswith(message.format(p=p)), str(exc.value)
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("timeout: 0\nfeeds: [a.xml]\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_feeds(feeds)
    assert exc.value.in_lang("en") == f"feeds file {feeds}: timeout should be a number in [0.1, 300] (got 0)"
    feeds.write_text("feeds:\n  - {url: a.xml, timeout: 2.5}\n  - {url: b.xml, timeout: 500}\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"feeds\[1\]\.timeout 应为 \[0\.1, 300\] 内的数字（实际为 500）"):
        load_feeds(feeds)  # a feed's own timeout is read and checked
    feeds.write_text("feeds:\n  - {url: a.xml, timeout: 2.5}\n  - b.xml\n", encoding="utf-8")
    assert [x.timeout for x in load_feeds(feeds).feeds] == [2.5, 10.0]


def test_yaml_is_parsed_in_one_place():
    """Every YAML file (user-replaceable or packaged) is parsed by core/config.py, so every error reads alike."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "src" / "zhaoshang"
    parsing = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                     if "yaml.safe_load(" in p.read_text(encoding="utf-8") or "yaml.load(" in p.read_text(encoding="utf-8"))
    assert parsing == ["core/config.py"]


def test_every_shipped_file_reads_as_the_python_parser_reads_it():
    """The files are read by libyaml where the wheel has it: the same data as the Python parser's, file by file,
    and a malformed file's complaint is still the Python parser's (the message above names its line)."""
    from pathlib import Path

    import zhaoshang
    from zhaoshang.core.config import parse_yaml

    files = sorted(Path(zhaoshang.__file__).parent.joinpath("data").rglob("*.y*ml"))
    assert len(files) > 20
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert parse_yaml(text, "文件", "file", f) == yaml.safe_load(text), f
    with pytest.raises(UserError) as exc:
        parse_yaml("a: b: c\n", "文件", "file")
    assert "mapping values are not allowed here" in exc.value.in_lang("en")
