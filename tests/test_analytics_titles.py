"""The analytics commands name their date, their node and which location quotient they print."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

WIDE = {"COLUMNS": "250"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    return demo_copy(tmp_path_factory.mktemp("titles") / "demo.duckdb")


def _title(*args, db) -> str:
    return run(*args, db=db, env=WIDE).stdout.splitlines()[0].strip()


def test_the_two_location_quotients_have_two_names(demo):
    """concentration's LQ is against all enterprises, map's and chain's against the chain's: two headers."""
    conc = run("concentration", "--level", "city", "--chain", "M06", db=demo, env=WIDE).stdout
    mapped = run("map", "--level", "city", "--parent", "330000", "--chain", "M06", db=demo, env=WIDE).stdout
    chain = run("chain", "--region", "杭州市", db=demo, env=WIDE).stdout
    assert "区位商（对全部企业）" in conc and "区位商（对产业链企业）" not in conc
    assert "区位商（对产业链企业）" in mapped and "区位商（对全部企业）" not in mapped
    assert "区位商（对产业链企业）" in chain
    en = run("--lang", "en", "concentration", "--level", "city", "--chain", "M06", db=demo, env=WIDE).stdout
    assert "LQ (vs all enterprises)" in en
    en_map = run("--lang", "en", "map", "--level", "city", "--parent", "330000", "--chain", "M06", db=demo, env=WIDE).stdout
    assert "LQ (vs chain enterprises)" in en_map


def test_map_complexity_network_and_chain_titles_say_the_date(demo):
    d = "2022-12-31"
    assert _title("map", "--level", "city", "--parent", "330000", "--chain", "M06", "--as-of", d, db=demo) \
        == f"产业地图 · 截至 {d} · M06 语音与自然语言处理"
    assert f"截至 {d}" in _title("complexity", "--as-of", d, db=demo)
    assert "（省级 × " in _title("complexity", "--level", "province", "--as-of", d, db=demo)  # the level in words
    assert "（地市 × " in _title("complexity", "--level", "city", "--as-of", d, db=demo)
    assert f"截至 {d}" in _title("network", "--kind", "patent", "--as-of", d, db=demo)
    assert _title("chain", "--region", "杭州市", "--as-of", d, db=demo) == f"产业链图谱 · 杭州市 · 截至 {d}"
    # in English by the region's one label: Beijing's 朝阳区 is not Liaoning's 朝阳市 (both titled plain Chaoyang)
    assert _title("--lang", "en", "chain", "--region", "Chaoyang District, Beijing", "--as-of", d, db=demo) \
        == f"Chain map · Chaoyang, Beijing · as of {d}"
    assert _title("--lang", "en", "map", "--level", "province", "--as-of", d, db=demo).startswith(f"Industry map · as of {d}")
    # a node typed in lower case or by its name: named as resolved, its code and its name in the output's language
    assert _title("--lang", "en", "map", "--level", "province", "--node", "m06", "--as-of", d, db=demo) \
        == f"Industry map · as of {d} · M06 Speech and natural language processing"
    assert _title("trends", "--node", "speech and natural language processing", "--as-of", d, db=demo) \
        .startswith("全国 · M06 语音与自然语言处理：")


def test_map_and_complexity_json_rows_carry_the_date(demo):
    d = "2022-12-31"
    rows = run_json("map", "--level", "city", "--parent", "330000", "--as-of", d, db=demo)
    assert isinstance(rows, list) and rows and all(r["as_of"] == d for r in rows)  # still the documented list
    rows = run_json("complexity", "--as-of", d, db=demo)
    assert isinstance(rows, list) and rows and all(r["as_of"] == d for r in rows)
    assert run_json("network", "--kind", "patent", "--as-of", d, db=demo)["as_of"] == d


def test_network_betweenness_on_one_scale_and_whole_strengths_as_whole_numbers(demo):
    """The command and the page print the normalised betweenness under one label; a whole strength reads 1,726."""
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    doc = run_json("network", "--kind", "all", "--group", "长三角", db=demo)
    csv = run("network", "--kind", "all", "--group", "长三角", "--format", "csv", db=demo).stdout.splitlines()
    assert csv[0].split(",")[-1] == "betweenness_norm"
    top = doc["nodes"][0]
    assert float(csv[1].split(",")[-1]) == pytest.approx(top["betweenness_norm"])
    assert "介数（归一）" in run("network", "--kind", "all", "--group", "长三角", db=demo, env=WIDE).stdout
    html = local_client(create_app(demo)).get("/network", params={"group": "长三角", "kind": "all"}).text
    table = html[html.index('id="nodes-table"'):]
    # the strength column: the third cell from the end of each row
    shown = re.findall(r'<td class="num">([^<]*)</td><td class="num">[^<]*</td><td class="num">[^<]*</td></tr>', table)
    assert shown[0] == f'{int(top["strength"]):,}' and top["strength"] == int(top["strength"]) and len(shown) >= 10
    assert not any(x.endswith(".00") for x in shown), shown


@pytest.mark.parametrize("value,text", [(1726.0, "1,726"), (12.0, "12"), (6000.0, "6,000"), (12.25, "12.25"),
                                        (0.5, "0.5"), (-0.0001, "0"), (-0.0, "0"), (None, "—")])
def test_number_text(value, text):
    from zhaoshang.interfaces.labels import number_text

    assert number_text(value) == text


def _cells(table: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in table.splitlines() if line.startswith("│")]


def test_tables_print_whole_numbers_whole_and_group_thousands(demo):
    """A rule's whole values read 12 and 6,000 (not 12.0, 6000.0); amounts of 1,000 and more group their
    thousands below 10,000 too; no cell reads -0; an IPC matrix names its columns IPC subclasses."""
    modes = run("recommend", "杭州市", "--top", "1", db=demo, env=WIDE).stdout
    assert "开设 AI 专业的高校数 = " in modes and not re.search(r"= -?\d+\.0 ", modes), modes
    assert re.search(r"算力规模（PFLOPS） = [\d,]+ >= 2,000", modes), modes
    trends = _cells(run("trends", "--region", "杭州市", "--by", "year", db=demo, env=WIDE).stdout)
    amounts = [r[4] for r in trends if len(r) > 4]
    assert amounts and any("," in a for a in amounts)
    assert not [a for a in amounts if re.fullmatch(r"\d{4,}", a)], amounts
    cx = run("complexity", "--level", "city", db=demo, env=WIDE).stdout
    assert not [c for row in _cells(cx) for c in row if c == "-0"]
    ipc = run("complexity", "--by", "ipc", db=demo, env=WIDE).stdout
    assert "IPC 小类" in ipc and "环节代码" not in ipc
