"""English where the product speaks: user errors (the shared error type carries both languages, and the commands
analysts use most answer a mistake with one English line under --lang en) and the English labels of the shipped
configuration."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cli_util import run
from graph_fixture import build

SRC = Path(__file__).resolve().parents[1] / "src/zhaoshang"
ERRORS = {"UserError", "NotFound", "ImportFailed"}


def test_every_user_error_carries_an_english_line():
    """A raised user error gives an English text beside the Chinese (or is built by the CLI's t(zh, en))."""
    missing = []
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).as_posix()
        src = p.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(src)):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in ERRORS):
                continue
            one = node.args[0] if len(node.args) == 1 else None
            bilingual = len(node.args) >= 2 or any(k.arg == "en" for k in node.keywords) or (
                isinstance(one, ast.Call) and getattr(one.func, "id", None) == "t") or isinstance(one, ast.Starred)
            if node.args and not bilingual:
                missing.append(f"{rel}:{node.lineno}")
    assert not missing, missing


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("en") / "g.duckdb")


@pytest.mark.parametrize("args,expected", [
    (("pipeline", "show", "abc"), "error: a lead id is a number: abc"),
    (("trends", "--by", "week"), "error: unknown period: week"),
    (("report", "region", "110000", "-o", "/nonexistent-dir/r.pdf"), "error: directory does not exist: /nonexistent-dir"),
])
def test_mistakes_of_the_main_commands_read_in_english(db, args, expected):
    p = run("--lang", "en", *args, db=db, check=False)
    line = p.stderr.strip()
    assert p.returncode == 2 and len(line.splitlines()) == 1 and line.startswith(expected), p.stderr
    assert not re.search(r"[\u4e00-\u9fff]", line), line


def test_english_labels_of_the_shipped_configuration_are_english():
    """Every en / name_en / label_en of the shipped YAML files is English (a Chinese unit once stood in one)."""
    from zhaoshang.core.config import read_yaml

    bad = []

    def walk(x, where):
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("en", "name_en", "label_en") and isinstance(v, str) and re.search(r"[\u4e00-\u9fff]", v):
                    bad.append((where, v))
                walk(v, f"{where}/{k}")
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, f"{where}[{i}]")

    files = sorted((SRC / "data").rglob("*.yaml"))
    for p in files:
        walk(read_yaml(p, "配置", "configuration"), p.relative_to(SRC).as_posix())
    assert len(files) > 5 and bad == []
