"""CLI tables as an analyst reads them, through the real ``zhaoshang`` command: never in e-notation, readable
at 80 columns (no cut-off cells), headers in the UI language, LQ values printed on the same side of the
thresholds as their 强链/延链/补链 label, and ``recommend`` saying which missing segments ``--top`` cut."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import duckdb
import pytest
from rich.cells import cell_len

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run, run_json  # noqa: E402

from zhaoshang.interfaces.labels import lq_text  # noqa: E402
from zhaoshang.services.regions.matrix import LQ_NEEDS_NODE, STRONG_LQ, WEAK_LQ  # noqa: E402

E_NOTATION = re.compile(r"\d[eE][+-]?\d")
NARROW = {"COLUMNS": "80"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cliout") / "fx.duckdb"
    matrix_fixture.build(str(path))
    return path


_SHOWN: dict = {}


def printed(*args, db, env=NARROW):
    """What a reading command prints on the module's fixture: run once for every test that reads the same table
    (the fixture is only read, so a second run would print the same)."""
    key = (str(db), args, tuple(sorted(env.items())))
    if key not in _SHOWN:
        _SHOWN[key] = run(*args, db=db, env=env)
    return _SHOWN[key]


COMMANDS = [["trends"], ["concentration", "--measure", "funding"], ["complexity"], ["network", "--kind", "all"],
            ["recommend", "330100"], ["map", "--level", "city"], ["chain", "--region", "330100"], ["show", "1"]]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_tables_fit_80_columns_without_e_notation(db, args):
    out = printed(*args, db=db).stdout
    assert out.strip()
    assert not E_NOTATION.search(out), out
    assert "…" not in out, out  # no cell cut off
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_headers_follow_the_ui_language(db):
    zh = printed("recommend", "330100", db=db).stdout
    assert "排名" in zh and "关联密度" in zh and "象限" in zh
    assert not re.search(r"\b(rank|density|quadrant_label|funding_cagr)\b", zh)
    en = printed("--lang", "en", "recommend", "330100", db=db).stdout
    assert "Rank" in en and "Density" in en and "Quadrant" in en
    assert "排名" not in en and "关联密度" not in en
    wide = printed("map", "--level", "city", db=db, env={"COLUMNS": "160"}).stdout
    assert "企业数" in wide and "区位商" in wide and "┃" in wide  # a real table where it fits
    # an LQ asked for without a segment: the counts, and a note that says so (it fell back to them in silence)
    en_map = printed("--lang", "en", "map", "--level", "city", "--metric", "lq", db=db, env={"COLUMNS": "160"})
    assert LQ_NEEDS_NODE[1] in " ".join(en_map.stderr.split()), en_map.stderr
    en_map = en_map.stdout
    assert "Hangzhou" in en_map and "杭州" not in en_map and "强链" not in en_map and "地市" not in en_map


@pytest.mark.parametrize("args, english, chinese", [
    (["concentration"], ["Beijing"], ["北京市"]),
    (["network", "--kind", "all", "-g", "M-YRD"], ["Yangtze River Delta"], ["长三角"]),
    (["show", "1"], ["deregistered", "specialised and innovative (SRDI), unicorn"], ["注销", "成立", "专精特新、独角兽"]),
    # 成立: the timeline's founding, titled in Chinese; a list (the tags, in English: core/tags.py) joined as the
    # language does
    (["trends"], ["General large models", "(10k CNY) disclosed"], ["通用大模型", "万元"]),
])
def test_english_tables_name_regions_and_codes_in_english(db, args, english, chinese, capsys, monkeypatch):
    """Under --lang en the analytics tables give regions and segments their English names, amounts an English
    unit and a profile its labels; the Chinese tables stay as they were."""
    from zhaoshang.interfaces.cli import main

    monkeypatch.setenv("COLUMNS", "200")
    main(["--db", str(db), "--lang", "en", *args])
    out = capsys.readouterr().out
    assert all(e in out for e in english) and not any(c in out for c in chinese), out
    main(["--db", str(db), *args])
    out = capsys.readouterr().out
    assert all(c in out for c in chinese) and not any(e in out for e in english), out


def test_recommend_says_which_missing_segments_top_cut(db):
    for region in ("440100", "510000", "330200", "510100"):
        full = run_json("recommend", region, "--top", "0", db=db)
        assert full["missing_beyond_top"] == []
        missing = [s for s in full["segments"] if s["count"] == 0 and s["rank"] > 1]
        if missing:
            break
    assert missing, "the fixture has a region with a missing segment below the first rank"
    seg, top = missing[0], str(missing[0]["rank"] - 1)
    proc = run("recommend", region, "--top", top, db=db, env=NARROW)
    assert f"--top {top}" in proc.stderr and seg["node"] in proc.stderr and "--top 0" in proc.stderr
    assert seg["node"] not in proc.stdout
    cut = run_json("recommend", region, "--top", top, db=db)["missing_beyond_top"]
    assert [c["node"] for c in cut] == [s["node"] for s in missing]
    en = run("--lang", "en", "recommend", region, "--top", top, db=db, env=NARROW)
    assert f"{seg['name_en']} ({seg['node']}, #{seg['rank']}, fill: missing)" in en.stderr
    assert not any(c in en.stderr for c in "（），、；"), en.stderr  # English punctuation in the English note
    assert "note:" not in run("recommend", region, "--top", "0", db=db, env=NARROW).stderr


def test_lq_text_keeps_values_on_their_side_of_the_threshold():
    assert lq_text(1.197) == "1.197" and lq_text(1.202) == "1.20" and lq_text(1.25) == "1.25"
    assert lq_text(0.4996) == "0.4996" and lq_text(0.5) == "0.50" and lq_text(None) == "—"
    for v in (1.1949, 1.1951, 1.1999, 1.2, 1.2001, 0.4951, 0.4999, 0.501):
        shown = float(lq_text(v))
        assert (shown >= STRONG_LQ) == (v >= STRONG_LQ) and (shown >= WEAK_LQ) == (v >= WEAK_LQ), v


def test_shares_and_lqs_round_half_away_from_zero_on_their_decimal_value():
    """A share of 0.0025 printed 0.2% (the float 0.25 under half-to-even) where the map page printed 0.3%: both
    round the decimal value half away from zero (``labels.fixed``, the pages' ``ZS.fixed``)."""
    from zhaoshang.interfaces.labels import fixed, pct_text

    assert [pct_text(v) for v in (0.0025, 0.2525, -0.0025, 0.00045, 0.0145, -0.00001)] == \
        ["0.3%", "25.3%", "-0.3%", "0.05%", "1.5%", "0.00%"]
    assert lq_text(1.125) == "1.13" and lq_text(0.845) == "0.85" and lq_text(2.675) == "2.68"
    assert fixed(2.5, 0) == "3" and fixed(-2.5, 0) == "-3" and fixed(0.125, 2) == "0.13"
    # a path's strength: 0.315, 0.253125 and 0.23625 were printed as they came beside a lead's "path strength 0.32";
    # now two decimals everywhere, more only where two would print a weak path (the search keeps ≥ 0.0005) as 0.00
    from zhaoshang.interfaces.labels import strength_text

    assert [strength_text(v) for v in (0.315, 0.253125, 0.23625, 0.125, 0.6, 1.0, 0.004, 0.0005, 0.0)] == \
        ["0.32", "0.25", "0.24", "0.13", "0.60", "1.00", "0.004", "0.001", "0.00"]
    assert strength_text(None) == "—"


def test_printed_lq_agrees_with_its_label(db):
    for level, node in (("city", "U01"), ("district", "D02")):
            out = run("map", "--level", level, "--node", node, "--format", "csv", db=db).stdout
            rows = [r for r in csv.DictReader(io.StringIO(out)) if r["lq"]]
            assert {r["label"] for r in rows} >= {"强链", "延链"}
            for r in rows:
                lq = float(r["lq"])
                if r["label"] == "强链":
                    assert lq >= STRONG_LQ, r
                elif r["label"] == "延链":
                    assert WEAK_LQ <= lq < STRONG_LQ, r


@pytest.mark.parametrize("args", [["show", "不存在的公司"], ["export", "foo", "-o", "x.csv"], ["export", "enterprises", "-o", "x.txt"],
                                  ["export", "enterprises", "-o", "/no/such/dir/x.csv"], ["recommend", "330100", "--top", "-1"],
                                  ["map", "--as-of", "2024-02-30"], ["recommend", "火星"], ["map", "--level", "town"],
                                  ["users", "add", "bob", "--role", "boss"]], ids=lambda a: " ".join(a))
def test_error_bodies_follow_the_ui_language(db, tmp_path, args):
    en = run("--lang", "en", *args, db=db, check=False, cwd=tmp_path)
    assert en.returncode == 2 and en.stderr.startswith("error: ") and len(en.stderr.strip().splitlines()) == 1
    assert not re.search(r"[\u4e00-\u9fff]", en.stderr.replace(args[1], "")), en.stderr
    zh = run(*args, db=db, check=False, cwd=tmp_path)
    assert zh.returncode == 2 and zh.stderr.startswith("错误: ")


SNAKE_HEADER = re.compile(r"^[┃│ ]*(dimension|signal|percentile|contribution|rows_imported|last_import|imports|created_at|"
                          r"disabled|last_seen|tokens|preset|description)\b", re.M)


@pytest.mark.parametrize("args", [["status"], ["score", "2"], ["presets"], ["users", "list"]], ids=lambda a: " ".join(a))
def test_table_headers_are_words_at_80_columns(db, args):
    out = printed(*args, db=db).stdout
    assert out.strip() and not SNAKE_HEADER.search(out), out
    if args == ["users", "list"]:
        assert "角色" in run(*args, db=db, env={"COLUMNS": "160"}).stdout  # a user's role, not a person's 职务


@pytest.mark.parametrize("args,zh,en", [
    # the landing rate is over signed leads: an empty pipeline says there is none yet, not only （无记录）
    (["pipeline", "stats"], "还没有已签约的线索", "no signed leads yet"),
    (["placements", "counts"], "无记录", "nothing to show"),
    (["placements", "list", "--latest"], "无记录", "nothing to show")], ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_an_empty_result_says_so(db, args, zh, en):
    assert zh in run(*args, db=db, env=NARROW).stdout
    assert en in run("--lang", "en", *args, db=db, env=NARROW).stdout
    doc = run_json(*args, db=db)
    assert doc in ([], {}) or doc  # JSON stays a document


def test_status_prints_import_times_to_the_second(tmp_path):
    from zhaoshang.core.parse.dates import china_time_text

    f = tmp_path / "x.csv"
    f.write_text("企业名称,成立日期\n甲公司,2020-01-01\n", encoding="utf-8")
    db = tmp_path / "n.duckdb"
    run("import", "enterprises", f, db=db)
    last = run_json("status", db=db)["sources"][0]["last_import"]
    assert last and "." in last  # stored with microseconds
    out = run("status", db=db, env={"COLUMNS": "200"}).stdout
    # to the second, in China's time with its zone (the rejects file's clock), as core.parse.dates says a moment
    assert china_time_text(last) in out and not re.search(r"\d\d:\d\d:\d\d\.\d", out), out
    # a second export of the source: one row new, one known and updated. The sources table counts both (and the rows
    # read), as the import's summary does: only the new rows looked as if an import of known rows had failed
    f.write_text("企业名称,成立日期,注册资本\n甲公司,2020-01-01,100万\n乙公司,2021-01-01,\n", encoding="utf-8")
    run("import", "enterprises", f, db=db)
    src = run_json("status", db=db)["sources"][0]
    assert (src["kind"], src["imports"], src["rows_read"], src["rows_imported"], src["rows_updated"]) == ("enterprises", 2, 3, 2, 1)
    for lang, words in (((), ("企业", "读取行数", "新增行数", "更新行数")), (("--lang", "en"), ("Rows read", "Rows new", "Rows updated"))):
        table = run(*lang, "status", db=db, env={"COLUMNS": "200"}).stdout.split("数据来源" if not lang else "sources")[1]
        row = next(line for line in table.splitlines() if line.startswith("│ x "))
        assert [c.strip() for c in row.split("│")[2:8]] == [words[0] if not lang else "enterprises", "2", "0", "3", "2", "1"], row
        assert all(w in table for w in words) and "导入行数" not in table, table
    zh = run("status", db=db, env={"COLUMNS": "200"}).stdout.split("数据来源")[1].split("最近一次导入")[0]
    assert "enterprises" not in zh, zh  # the kind by its label, as the last-import table says it
    assert run("status", "--format", "csv", db=db).stdout.splitlines()[-1].startswith("x,enterprises,2,0,3,2,1,")


def _summary_lines(out: str) -> dict[str, list[str]]:
    """A two-column table's value lines by label, a wrapped label's or value's lines joined."""
    got: dict[str, list[str]] = {}
    key = None
    for line in out.splitlines():
        if line.startswith("│"):
            k, v = (c.strip() for c in line.split("│")[1:3])
            if k and (key is None or v):
                key = k
                got[key] = [v]
            elif k:  # a label's wrapped line beside an empty value line
                got[key + k] = got.pop(key)
                key += k
            else:
                got[key].append(v)
    return got


def test_a_two_column_table_wraps_long_cells_at_80_columns(tmp_path, shared):
    """The import summary (项目 │ 值) cut two cells with "…" at 80 columns: the data date's change and the longest
    label. A two-column table is not turned into blocks; its cells wrap instead, every word of them kept. Its labels'
    column is as wide as its labels need (the one label longer than 45 % of the width wraps), not half the
    table: the values keep the rest, and wrap less."""
    f = tmp_path / "x.csv"
    f.write_text("企业名称,成立日期\n甲公司,2020-01-01\n", encoding="utf-8")
    out = run("import", "enterprises", f, "--data-date", "2026-01-31", db=tmp_path / "n.duckdb", env=NARROW).stdout
    assert "…" not in out, out
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    got = _summary_lines(out)
    assert "较晚导出已设定、仅保留为来源记录的字段值" in got, out
    assert "".join(got["数据截至日期"]).endswith("按新日期计算）") and "2026-01-31" in "".join(got["数据截至日期"]), out
    # a real file: IT桔子's companies, their summary at 80 columns
    companies = shared("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    out = run("import", "enterprises", companies, "--preset", "itjuzi_companies", db=tmp_path / "it.duckdb",
              env=NARROW).stdout
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    label_width = max(cell_len(line.split("│")[1]) for line in out.splitlines() if line.startswith("│"))
    assert label_width <= 80 * 9 // 20 + 2, out  # the widest label that fits 45 % of the width, and its padding
    got = _summary_lines(out)
    assert got["其中新企业"] == ["820（合为 817 家：3 行与本文件另一行是同一企业）"], out  # on one line
    assert len(got["数据日期"]) <= 4 and "--data-date 2018-12-31" in " ".join(got["数据日期"]), out
    assert "较晚导出已设定、仅保留为来源记录的字段值" in got and got["读取行数"] == ["820"], out


def test_a_command_line_imports_its_own_command_and_libraries_only(db):
    # every command used to import every command module, and numpy, pyarrow and igraph with them; a command
    # line now imports its own module (the rest when the team state is read, or for help)
    import subprocess

    from cli_util import BIN

    def loaded(*args: str) -> set[str]:
        proc = subprocess.run([sys.executable, "-X", "importtime", str(BIN), "--db", str(db), *args],
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return {ln.split("|")[2].strip() for ln in proc.stderr.splitlines() if ln.startswith("import time:")}

    heavy = {"numpy", "pyarrow", "igraph", "sklearn"}
    status = loaded("status")
    assert not heavy & status and "zhaoshang.services.datastore" in status  # status's own service
    assert "zhaoshang.interfaces.cli.graph" not in status
    assert not heavy & loaded("score", "--help")
    # a command that opens the team state (a scorecard reads its live events): its own command module still
    with duckdb.connect(str(db), read_only=True) as con:
        eid = con.execute("SELECT min(id) FROM enterprises WHERE dissolved IS NULL").fetchone()[0]
    card = loaded("score", str(eid), "--format", "json")
    assert {"zhaoshang.services.evaluation.scorecard", "zhaoshang.core.teamstate.tables"} <= card
    assert not {"zhaoshang.services.graph.identity", "zhaoshang.services.alerts.rules", "igraph"} & card
    # (help listing every command: test_docs.py; a group another module adds to, `backtest leads`: test_leads.py;
    # the team state's tables, known without importing the features: test_team_state.py)


HEAVY_LIBRARIES = ("numpy", "pandas", "pyarrow", "scipy", "sklearn", "igraph", "jieba", "openpyxl", "reportlab",
                   "weasyprint", "fastapi", "uvicorn")


def test_help_imports_none_of_the_heavy_libraries():
    # help imports every command module (to list them): each command imports its services when it runs, so the
    # libraries only some commands use are not loaded to print the help, in either language
    import json
    import subprocess

    code = ("import json, sys\nfrom zhaoshang.interfaces.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\nsys.stderr.write('\\n' + json.dumps(sorted(sys.modules)) + '\\n')")
    for args in (["--help"], ["--lang", "en", "--help"]):
        proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
        assert proc.returncode == 0 and "serve" in proc.stdout, proc.stderr[-2000:]
        loaded = set(json.loads(proc.stderr.strip().splitlines()[-1]))
        assert "zhaoshang.interfaces.cli.graph" in loaded and "zhaoshang.interfaces.cli.analytics" in loaded
        assert not {m.split(".")[0] for m in loaded} & set(HEAVY_LIBRARIES), sorted(
            m for m in loaded if m.split(".")[0] in HEAVY_LIBRARIES)[:20]


def test_a_command_building_arrow_tables_leaves_pandas_out(tmp_path):
    # pandas is installed (cpca depends on it) and pyarrow imported it at a command's first array (≈ 0.3 s of CPU);
    # a command's process marks it absent (interfaces/cli/__init__.py), and the import still works without it
    import json
    import subprocess

    from cli_util import q

    f = tmp_path / "x.csv"
    f.write_text("企业名称,成立日期\n甲公司,2020-01-01\n", encoding="utf-8")
    db = tmp_path / "n.duckdb"
    code = ("import json, sys\nfrom zhaoshang.interfaces.cli import main\nsys.argv[0] = 'zhaoshang'\ntry:\n    main()\n"
            "finally:\n    sys.stderr.write('\\n' + json.dumps([m for m in ('pyarrow', 'pandas') if sys.modules.get(m)]) + '\\n')")
    proc = subprocess.run([sys.executable, "-c", code, "--db", str(db), "import", "enterprises", str(f)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == ["pyarrow"]
    assert q(db, "SELECT name FROM enterprises") == [("甲公司",)] and q(db, "SELECT count(*) FROM regions")[0][0] > 3000


def test_a_scorecard_at_80_columns_has_no_label_without_its_value(db):
    """A table too wide for the terminal is printed as one block of "header  value" lines per row; the scorecard's
    signal rows leave the dimension's columns empty, so most of its blocks' lines were labels with nothing beside
    them. An empty cell is left out of its block."""
    out = printed("score", "2", db=db).stdout
    lines = [ln.strip() for ln in out.splitlines()[1:] if ln.strip()]
    assert len(lines) > 10 and max(cell_len(line) for line in out.splitlines()) <= 80
    labels = {"维度", "得分", "占总分权重", "信号", "原始值", "百分位", "维度内权重", "对维度得分的贡献", "对总分的贡献"}
    assert not [ln for ln in lines if ln in labels], out  # every label stands beside its value


def test_recommend_says_which_modes_are_not_suggested(db):
    """A mode the region does not meet the criteria of had a blank 建议 cell, read as missing data: every mode now
    says 建议采用 or 暂不具备条件 (suggested / not suggested), as the region page does, and JSON keeps the boolean."""
    doc = run_json("recommend", "330100", db=db)
    said = {True: ("建议采用", "suggested"), False: ("暂不具备条件", "not suggested")}
    assert {m["suggested"] for m in doc["modes"]} == {True, False}  # the fixture has both
    for lang, i in (("zh", 0), ("en", 1)):
        out = printed(*(["--lang", "en"] if lang == "en" else []), "recommend", "330100", db=db).stdout
        modes = out[out.index("招商模式" if lang == "zh" else "Attraction modes"):]
        head = "建议" if lang == "zh" else "Suggested"
        cells = re.findall(rf"^ {head}\s+(\S.*?)\s*$", modes, re.M)
        assert cells == [said[m["suggested"]][i] for m in doc["modes"]], modes


def test_map_table_prints_shares_as_percent_and_json_keeps_numbers(db):
    """``map`` printed shares as fractions (0.2306) where the web prints 23.1%: the table prints them as percent,
    JSON and CSV keep the number."""
    doc = run_json("map", "--level", "city", db=db)
    shown = [r for r in doc if r["count"]]
    assert shown and all(isinstance(r["share"], float) and 0 < r["share"] < 1 for r in shown)
    out = printed("map", "--level", "city", db=db, env={"COLUMNS": "160"}).stdout
    cells = {c[0]: c[4] for c in ([x.strip() for x in line.split("│")[1:-1]] for line in out.splitlines()
                                  if line.startswith("│"))}
    # (the enterprises with no city known are a row with no code, last: the table's cell and the CSV's are blank)
    assert cells == {r["code"] or "": f"{r['share'] * 100:.1f}%" for r in shown}, out
    rows = list(csv.DictReader(io.StringIO(run("map", "--level", "city", "--format", "csv", db=db).stdout)))
    assert {r["code"]: float(r["share"]) for r in rows if r["count"] != "0"} == {r["code"] or "": r["share"] for r in shown}


def test_concentration_table_prints_shares_growth_and_lq_as_map_does(db):
    """``concentration`` printed 全国占比 and growth as fractions (0.2575, 0.1421) and LQs with four digits (0.9749):
    the table prints them as ``map`` does (25.8%, two-decimal LQ by its rule); JSON and CSV keep the numbers."""
    from zhaoshang.interfaces.labels import pct_text

    doc = run_json("concentration", db=db)
    rows = doc["rows"]
    assert rows and any(r["cagr_enterprises"] is not None for r in rows)
    out = run("concentration", db=db, env={"COLUMNS": "250"}).stdout
    cells = {c[1]: c[4:] for c in ([x.strip() for x in line.split("│")[1:-1]] for line in out.splitlines()
                                   if line.startswith("│"))}
    show = lambda v, f: "" if v is None else f(v)  # noqa: E731
    assert cells == {r["region"]: [show(r["share"], pct_text), show(r["lq"], lq_text),
                                   *(show(r[k], pct_text) for k in ("cagr_enterprises", "cagr_funding", "cagr_patents"))]
                     for r in rows}, out
    assert any("%" in c[0] for c in cells.values())
    assert f"CR3 {pct_text(doc['cr3'])}" in out
    got = list(csv.DictReader(io.StringIO(run("concentration", "--format", "csv", db=db).stdout)))
    assert [float(r["share"]) for r in got] == [r["share"] for r in rows]
    assert [float(r["lq"]) if r["lq"] else None for r in got] == [r["lq"] for r in rows]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_copy):
    path = tmp_path_factory.mktemp("cliout_demo") / "demo.duckdb"
    demo_copy(path)
    return path


def test_csv_keeps_raw_numbers_where_the_table_formats_them(demo_db):
    """CSV carried the table's display formatting: ``trends`` amount_wan as "86,240", ``score`` a raw value as
    "29,960", ``recommend`` funding_cagr as 60.9%. Every CSV cell now reads back as the number JSON gives (as
    ``map`` already did); the table still groups thousands and prints growth in per cent."""
    con = duckdb.connect(str(demo_db), read_only=True)
    top, = con.execute("SELECT enterprise_id FROM fundings GROUP BY 1 ORDER BY sum(amount_wan) DESC NULLS LAST, 1 "
                       "LIMIT 1").fetchone()
    con.close()

    def csv_rows(*args):
        return list(csv.DictReader(io.StringIO(run(*args, "--format", "csv", db=demo_db).stdout)))

    trends = run_json("trends", db=demo_db)["by_period"]
    got = csv_rows("trends")
    assert [float(r["amount_wan"]) for r in got] == [p["amount_wan"] for p in trends]
    assert max(p["amount_wan"] for p in trends) >= 10_000  # a value the table groups: "86,240"
    assert re.search(r"\d,\d{3}", run("trends", db=demo_db, env={"COLUMNS": "200"}).stdout)

    score = run_json("score", str(top), db=demo_db)
    raws = {c["label"]: c["raw"] for d in score["dimensions"].values() for c in d["contributions"]
            if isinstance(c["raw"], (int, float)) and not c["detail"].get("missing")}
    big = {k: v for k, v in raws.items() if abs(v) >= 10_000}
    assert big, raws
    got = {r["signal"]: r["raw"] for r in csv_rows("score", str(top)) if r["signal"] in big}
    assert {k: float(v) for k, v in got.items()} == big
    # each signal's row names its dimension (创新, 资本, …) as the scorecard places it, in either language
    for lang in ("zh", "en"):
        card = run_json("--lang", lang, "score", str(top), db=demo_db)["dimensions"]
        placed = {c["label"]: d["label"] for d in card.values() for c in d["contributions"]}
        got = {r["signal"]: r["dimension"] for r in csv_rows("--lang", lang, "score", str(top)) if r["signal"]}
        assert got == placed and len(set(got.values())) == len(card), (lang, got)

    segs = run_json("recommend", "杭州", db=demo_db)["segments"]
    got = csv_rows("recommend", "杭州")
    assert any(s["funding_cagr"] is not None for s in segs)
    for key in ("funding_cagr", "patent_cagr", "feasibility_pct", "value_pct", "rca", "score"):
        assert [float(r[key]) if r[key] else None for r in got] == [s[key] for s in segs], key
    assert "%" in run("recommend", "杭州", db=demo_db, env={"COLUMNS": "250"}).stdout
