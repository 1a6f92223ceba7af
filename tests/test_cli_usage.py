"""The CLI framework's own usage errors speak the user's language: Chinese by default (the usage line and one
line naming the mistake and the help command), the framework's English message in the same two lines under --lang en;
exit code 2 either way, never a traceback."""

from __future__ import annotations

import re

import pytest

from cli_util import run
from zhaoshang.interfaces.cli import main

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"No such|Missing|Invalid value|Got unexpected|Did you mean|requires an|Usage:|Error:|Try '")


def test_a_usage_error_in_chinese():
    p = run("search", "--bogus", "芯片", check=False)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 2 and "Traceback" not in p.stderr, p.stderr
    assert lines[0].startswith("用法: zhaoshang search [选项]")
    assert lines[1] == "错误: 没有这个选项: --bogus。帮助: zhaoshang search -h"


@pytest.mark.parametrize("argv,expected", [
    (["search"], "缺少参数 'words'"),
    (["leads", "--top", "abc"], "'--top' 的值无效: 应为整数，收到 'abc'"),
    (["search", "-f", "xml", "x"], "'--format' / '-f' 的值无效: 'xml' 不是可选值之一（可选: 'table', 'json', 'csv'）"),
    (["status", "extra"], "多余的参数: extra"),
    (["serch", "x"], "没有这个命令: serch（是否要输入: 'search'"),
    (["search", "--forma", "x"], "没有这个选项: --forma（可能是: --format）"),
    (["search", "x", "-f"], "选项 '-f' 需要一个值"),
])
def test_usage_errors_read_in_chinese(argv, expected, capsys, monkeypatch):
    monkeypatch.delenv("ZHAOSHANG_LANG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and f"错误: {expected}" in err, err
    zh = err.strip().splitlines()
    assert not ENGLISH.search(err) and len(zh) <= 2, err
    with pytest.raises(SystemExit) as exc:  # English: the framework's message, in the same lines
        main(["--lang", "en", *argv])
    err = capsys.readouterr().err
    en = err.strip().splitlines()
    assert exc.value.code == 2 and not HAN.search(err) and len(en) == len(zh) and "Try '" not in err, err
    assert en[-1].startswith("Error: ") and (len(en) == 1 or en[0].startswith("Usage: zhaoshang")), err
    assert ("帮助: " in zh[-1]) == bool(re.search(r"[.?!] Help: zhaoshang( \w+)? -h$", en[-1])), err
