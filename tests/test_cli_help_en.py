"""The command line's help in English: every command, sub-command, argument and option has its English text in
the one catalogue (data/cli_help_en.yaml), shown under --lang en or ZHAOSHANG_LANG=en; Chinese stays the default."""

from __future__ import annotations

import re

import pytest
import typer

from cli_util import run
from zhaoshang.interfaces.cli import app, main
from zhaoshang.interfaces.cli.helptext import catalogue, help_texts, shows_help

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_help_text_has_its_english_and_every_entry_is_used():
    """A new command or option, or a changed Chinese help, fails here until its English is in the catalogue."""
    en = catalogue()
    texts = [(path, getattr(obj, attr)) for path, obj, attr in help_texts(typer.main.get_command(app))]
    assert len(texts) > 400 and len({t for _, t in texts}) > 300
    missing = sorted({f"{path}: {t}" for path, t in texts if t not in en})
    assert not missing, "help texts without English in src/zhaoshang/data/cli_help_en.yaml:\n" + "\n".join(missing)
    unused = sorted(set(en) - {t for _, t in texts})
    assert not unused, f"catalogue entries no command uses any more: {unused}"
    chinese = {k: v for k, v in en.items() if not v or HAN.search(v) or v == k and HAN.search(k)}
    assert not chinese, f"English entries that are empty or hold Chinese: {chinese}"
    # a chain's 环节 is a segment in English, as everywhere in the UI (the report's help said strong/fill/extend stages)
    stages = {k: v for k, v in en.items() if "环节" in k and re.search(r"\bstages?\b", v)}
    assert not stages, f"环节 called a stage: {stages}"
    # …and never a node (节点 is a node): the help said "Chain node code" for 产业链环节代码 while every page says Segment
    nodes = {k: v for k, v in en.items() if "环节" in k and ("segment" not in v.lower()
                                                            or "节点" not in k and re.search(r"(?i)\bnodes?\b", v))}
    assert not nodes, f"环节 not called a segment: {nodes}"


def test_english_help_under_lang_en(capsys, monkeypatch):
    """--lang en before the command (or ZHAOSHANG_LANG=en) gives English help; no Han character anywhere."""
    p = run("--lang", "en", "import", "--help")
    assert "Import data files into the database" in p.stdout and "Column mapping YAML file" in p.stdout
    # what the data date is, where it matters: the day the export shows, which dates what it imports
    assert "Data date: the day this export shows" in p.stdout and "give it for an" in p.stdout
    assert not HAN.search(p.stdout), p.stdout
    monkeypatch.setenv("ZHAOSHANG_LANG", "en")
    main(["alerts", "rules", "--help"])
    out = capsys.readouterr().out
    assert "Alert rules: list | add | remove | import | export" in out and "List the alert rules" in out
    assert "─ Commands ─" in out and "Show this message and exit." in out
    assert not HAN.search(out), out
    monkeypatch.delenv("ZHAOSHANG_LANG")
    with pytest.raises(SystemExit):  # a group without its sub-command shows its help
        main(["--lang", "en", "users", "token"])
    out = capsys.readouterr().out
    assert "API tokens (for scripts and other systems" in out and not HAN.search(out), out
    for argv, expected in ((["--lang=en", "--help"], "UI language zh|en"),
                           (["--db", "x.duckdb", "--lang", "en", "alerts", "rules", "add", "--help"], "Rule name (unique per user)"),
                           (["--lang", "en", "pipeline", "add", "--help"], "Initial status (default new)")):
        main(argv)
        out = capsys.readouterr().out
        assert expected in out and not HAN.search(out), out


def test_chinese_help_stays_the_default(capsys, monkeypatch):
    monkeypatch.delenv("ZHAOSHANG_LANG", raising=False)
    main(["import", "--help"])
    out = capsys.readouterr().out
    assert "导入数据文件到数据库" in out and "列映射 YAML 文件" in out and "Column mapping" not in out
    assert "数据日期：这份导出反映的那一天" in out
    # the help screen's own words too: panel titles, the help option, default marks
    assert "─ 选项 ─" in out and "─ 参数 ─" in out and "显示本帮助并退出" in out and "[默认: " in out
    assert not re.search(r"Options|Arguments|Show this message|\[default", out), out
    monkeypatch.setenv("COLUMNS", "80")  # a terminal's usual width: no line left with a 。 alone
    main(["placements", "--help"])
    out = capsys.readouterr().out
    assert "declare  把导入数据自带的标签映射为声明归类" in out and not re.search(r"│\s+。", out), out
    # no line of a help text starts with closing punctuation nor ends with an opening bracket (report region's read
    # …合作伙伴 / 、融资趋势 and its last line 。 at 100 columns, leads' ）：… at 80)
    for cols, argv in (("100", ["report", "region", "--help"]), ("80", ["leads", "--help"]),
                       ("90", ["alerts", "rules", "add", "--help"])):
        monkeypatch.setenv("COLUMNS", cols)
        main(argv)
        cells = [c.strip() for line in capsys.readouterr().out.splitlines() for c in re.split(r"│|\s{2,}", line)]
        assert not [c for c in cells if c and (c[0] in "，。、；：？！）》」』】" or c[-1] in "（《「『【")], (argv, cells)
    monkeypatch.setenv("ZHAOSHANG_LANG", "en")  # --lang on the command line wins over the environment
    main(["--lang", "zh", "alerts", "rules", "add", "--help"])
    out = capsys.readouterr().out
    assert "规则名称（同一用户内唯一）" in out and "Rule name" not in out


def test_help_names_the_value_types_in_words():
    """Beside each option a help screen says <文本>, <整数>, <数值>, <路径> (a list: <文本，可多个>), in English
    <text>, <integer>, <number>, <path>, <list>, never a programming type (<str>, <int>, <list[str]>); a flag takes no
    value and shows none; a choice stays its values."""
    types = r"<(str|int|float|bool|Path|开关)>|<list\[|\[path\]"
    for argv, want in ((["leads", "--help"], ["<文本>", "<整数>", "<数值>", "<文本，可多个>", "<table|json|csv|xlsx>"]),
                       (["import", "--help"], ["<路径，可多个>", "<路径>"]), (["--help"], ["<路径>", "<zh|en>"])):
        out = run(*argv, env={"ZHAOSHANG_LANG": "zh", "COLUMNS": "200"}).stdout
        assert all(w in out for w in want) and not re.search(types, out), out
        assert re.search(r"--help\s+-h\s+显示本帮助", out), out
    en = run("--lang", "en", "leads", "--help", env={"COLUMNS": "200"}).stdout
    for option, shown in (("--top", "<integer>"), ("--min-score", "<number>"), ("--has", "<list>"), ("--as-of", "<text>"),
                          ("--format", "<table|json|csv|xlsx>")):
        assert re.search(rf"{option}\s+(-\w\s+)?{re.escape(shown)}\s", en), (option, en)
    assert not re.search(types, en) and not HAN.search(en), en
    assert re.search(r"--help\s+-h\s+Show this message", en), en


def test_help_texts_wrap_whole_at_80_columns():
    """A Chinese help text has no space to wrap at: it was cut with "…" at 80 columns (users add's
    --password-stdin); it goes on the next line instead, whole, as an English one does."""
    for lang, text in (("zh", "从标准输入读取密码（第一行）；否则交互输入或自动生成"),
                       ("en", "Read the password from standard input (first line); else it is asked for or generated")):
        out = run("--lang", lang, "users", "add", "--help", env={"COLUMNS": "80"}).stdout
        assert "…" not in out, out
        help_column = [line.split("│")[1][34:].strip() for line in out.splitlines() if line.startswith("│")]
        start = next(i for i, c in enumerate(help_column) if text.startswith(c.split(" ")[0]) and c)
        assert re.sub(r"\s+", " " if lang == "en" else "", " ".join(help_column[start:start + 4])).startswith(text), out
        assert re.search(r"--password-stdin\s{2,}\S", out) and "<bool>" not in out and "<开关>" not in out, out
    assert "…" not in run("--help", env={"COLUMNS": "80", "ZHAOSHANG_LANG": "zh"}).stdout.replace("://…", "").replace("变更 …）", "")


@pytest.mark.parametrize("argv,usage", [
    (["--lang", "zh", "import", "--help"], "用法: zhaoshang import [选项] {kind} [files]..."),
    (["--help"], "用法: zhaoshang [选项] 命令 [参数]..."),
    (["alerts", "rules", "--help"], "用法: zhaoshang alerts rules [选项] 命令 [参数]..."),
])
def test_chinese_help_starts_with_a_chinese_usage_line(argv, usage):
    """The usage line at the top of a Chinese help screen is in Chinese, as a Chinese usage error's is
    (``usage.py``); English help keeps the framework's ``Usage: … [OPTIONS]``."""
    out = run(*argv, env={"ZHAOSHANG_LANG": "zh", "COLUMNS": "200"}).stdout
    first = next(line.strip() for line in out.splitlines() if line.strip())
    assert first == usage and not re.search(r"Usage|OPTIONS|COMMAND|ARGS", out), out
    en = run("--lang", "en", *[a for a in argv if a not in ("--lang", "zh")], env={"COLUMNS": "200"}).stdout
    assert next(line.strip() for line in en.splitlines() if line.strip()).startswith("Usage: zhaoshang"), en


def test_presets_are_described_in_english(capsys, monkeypatch):
    """Every built-in preset carries an English description, and `presets` shows it under --lang en."""
    from zhaoshang.core.importers import list_presets

    missing = [k for k, v in list_presets().items() if not v.get("description_en") or HAN.search(v["description_en"])]
    assert not missing, f"presets without an English description_en: {missing}"
    monkeypatch.setenv("COLUMNS", "200")
    main(["--lang", "en", "presets"])
    out = capsys.readouterr().out
    assert "Crunchbase 2013 companies table" in out and not HAN.search(out), out


def test_the_catalogue_is_read_only_when_help_is_shown():
    """English commands that print no help start without reading the catalogue."""
    tree = typer.main.get_command(app)
    assert shows_help(tree, ["--lang", "en", "import", "--help"]) and shows_help(tree, ["--db", "x.duckdb", "users", "token"])
    assert shows_help(tree, []) and shows_help(tree, ["status", "-h"])
    assert not shows_help(tree, ["--lang", "en", "pipeline", "list", "--status", "new"])
    assert not shows_help(tree, ["alerts", "rules", "add", "users"]) and not shows_help(tree, ["search", "alerts"])


def test_global_options_show_their_value_types():
    """--lang is a choice (zh|en), --db, --team-db and an export's -o are paths, in either language's help."""
    for lang, path in (("zh", "<路径>"), ("en", "<path>")):
        out = run("--lang", lang, "--help", env={"COLUMNS": "200"}).stdout
        for option, shown in (("--db", path), ("--team-db", path), ("--lang", "<zh|en>")):
            assert re.search(rf"{option}\s+{re.escape(shown)}\s", out), (lang, option, out)
        audit = run("--lang", lang, "team", "audit", "--help", env={"COLUMNS": "200"}).stdout
        assert re.search(rf"--output\s+-o\s+{re.escape(path)}\s", audit), audit
    assert "也用于帮助文本" in run("--help", env={"COLUMNS": "200"}).stdout
