"""One meaning of "as of" and one date parser.

An enterprise that moved from 浙江 to 广东 in 2022 is counted in 浙江 as of 2020 and in 广东 as of 2023 by
every view (service, CLI and API); every view without a date answers for the same reference date; a bad or
future date is one clear line (exit 2 / HTTP 400) everywhere.
"""

from __future__ import annotations

import html
import re
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import moved_fixture as mf  # noqa: E402
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.parse.dates import china_today  # noqa: E402
from zhaoshang.core.asof import reference_date  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services import enterprises as E  # noqa: E402
from zhaoshang.services.analytics.complexity import region_node_matrix  # noqa: E402
from zhaoshang.services.analytics.concentration import concentration  # noqa: E402
from zhaoshang.services.analytics.network import network  # noqa: E402
from zhaoshang.services.recommend import recommend  # noqa: E402
from zhaoshang.services.region_profile import region_profile  # noqa: E402
from zhaoshang.services.regions import matrix  # noqa: E402
from zhaoshang.services.search import search  # noqa: E402
from zhaoshang.services.trends import trends  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
from web_util import local_client  # noqa: E402

from zhaoshang.interfaces.web.app import create_app  # noqa: E402

BOTH = (mf.BEFORE, mf.AFTER)


class Ctx:
    def __init__(self, db: Path, work: Path, eid: int):
        self.db, self.work, self.id = db, work, eid
        self.store = Store(db, read_only=True)
        self.client = local_client(create_app(str(db)))

    def api(self, url: str, **params):
        r = self.client.get(url, params={k: v for k, v in params.items() if v is not None})
        assert r.status_code == 200, r.text
        return r.json()

    def cli(self, *args):
        return run_json(*args, db=self.db, timeout=120)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    work = tmp_path_factory.mktemp("asof")
    db = work / "moved.duckdb"
    info = mf.build(str(db), work)
    c = Ctx(db, work, info["id"])
    yield c
    c.store.close()


def provinces_of_map(rows) -> set[str]:
    return {r["code"] for r in rows if r["count"]}


def tree_count(doc) -> int:
    return next(n for n in matrix.flatten_tree(doc["nodes"]) if n["code"] == mf.NODE)["count"]


def tree_count_of(doc, node: str) -> int:
    return next(n for n in matrix.flatten_tree(doc["nodes"]) if n["code"] == node)["count"]


def segment_count(doc) -> int:
    return sum(x["count"] for x in doc["segments"] + doc["strengths"] if x["node"] == mf.NODE)


def top_names(doc) -> list[str]:
    return [r["name"] for r in doc["top_enterprises"]["rows"]]


def edge_regions(doc) -> set[str]:
    return {x for e in doc["edges"] for x in (e["src"], e["dst"])} - {mf.PARTNER}


# view → interface → f(ctx, as_of) → the provinces where the moved enterprise is counted
VIEWS = {
    "map": {
        "service": lambda c, d: provinces_of_map(matrix.region_map(c.store, "province", node=mf.NODE, as_of=d)),
        "cli": lambda c, d: provinces_of_map(c.cli("map", "--level", "province", "--node", mf.NODE, "--as-of", d)),
        "api": lambda c, d: provinces_of_map(c.api("/api/map", node=mf.NODE, as_of=d)["rows"]),
    },
    "list": {
        "service": lambda c, d: {r for r in BOTH if c.id in [i["id"] for i in E.search_enterprises(
            c.store, region=r, node=mf.NODE, as_of=d)["items"]]},
        "api": lambda c, d: {r for r in BOTH if c.id in [i["id"] for i in c.api(
            "/api/enterprises", region=r, node=mf.NODE, as_of=d)["items"]]},
    },
    "search": {
        "service": lambda c, d: {r for r in BOTH if search(c.store, mf.NAME, region=r, as_of=d)["total"]},
        "cli": lambda c, d: {r for r in BOTH if c.cli("search", mf.NAME, "--region", r, "--as-of", d)["total"]},
        "api": lambda c, d: {r for r in BOTH if c.api("/api/search", q=mf.NAME, region=r, as_of=d)["total"]},
    },
    "chain": {
        "service": lambda c, d: {r for r in BOTH if tree_count(matrix.chain_tree(c.store, r, as_of=d))},
        "cli": lambda c, d: {r for r in BOTH if tree_count(c.cli("chain", "--region", r, "--as-of", d))},
        "api": lambda c, d: {r for r in BOTH if tree_count(c.api("/api/chain", region=r, as_of=d))},
    },
    "chain_cell": {
        "service": lambda c, d: {r for r in BOTH if matrix.node_enterprises(c.store, mf.NODE, r, as_of=d)["total"]},
        "api": lambda c, d: {r for r in BOTH if c.api("/api/chain/enterprises", node=mf.NODE, region=r, as_of=d)["total"]},
    },
    "recommend": {
        "service": lambda c, d: {r for r in BOTH if segment_count(recommend(c.store, r, as_of=d))},
        "cli": lambda c, d: {r for r in BOTH if segment_count(c.cli("recommend", r, "--as-of", d, "--top", "0"))},
    },
    "profile": {
        "service": lambda c, d: {E.enterprise_profile(c.store, c.id, as_of=d)["enterprise"]["province_code"]},
        "cli": lambda c, d: {c.cli("show", str(c.id), "--as-of", d)["enterprise"]["province_code"]},
        "api": lambda c, d: {c.api(f"/api/enterprises/{c.id}", as_of=d)["enterprise"]["province_code"]},
    },
    "region_profile": {
        "service": lambda c, d: {r for r in BOTH if mf.NAME in top_names(region_profile(c.store, r, as_of=d))},
        "api": lambda c, d: {r for r in BOTH if mf.NAME in top_names(c.api(f"/api/region-profile/{r}", as_of=d))},
    },
    "report": {
        "cli": lambda c, d: {r for r in BOTH if mf.NAME in _report_top(c, r, d)},
    },
    "network": {
        "service": lambda c, d: edge_regions(network(c.store, "patent", "province", as_of=d)),
        "cli": lambda c, d: edge_regions(c.cli("network", "--kind", "patent", "--as-of", d)),
        "api": lambda c, d: edge_regions(c.api("/api/network", kind="patent", level="province", group="", as_of=d)),
    },
    "trends": {
        "service": lambda c, d: {r["region"] for r in trends(c.store, node=mf.NODE, as_of=d)["by_region"]},
        "cli": lambda c, d: {r["region"] for r in c.cli("trends", "--node", mf.NODE, "--as-of", d)["by_region"]},
        "api": lambda c, d: {r["region"] for r in c.api("/api/trends", node=mf.NODE, as_of=d)["by_region"]},
    },
    "complexity": {
        "service": lambda c, d: {r["region"] for r in region_node_matrix(c.store, "province", "chain", d)
                                 if r["node"] == mf.NODE and r["value"]},
        "cli": lambda c, d: {r["region"] for r in c.cli("complexity", "--as-of", d) if r["node"] == mf.NODE and r["value"]},
    },
    "concentration": {
        "service": lambda c, d: {r["region"] for r in concentration(c.store, "province", mf.NODE, d)["rows"]
                                 if r["enterprises"]},
        "cli": lambda c, d: {r["region"] for r in c.cli("concentration", "--chain", mf.NODE, "--as-of", d)["rows"]
                             if r["enterprises"]},
    },
}


def _report_top(c: Ctx, region: str, d: str) -> str:
    """The report's top-enterprises section (its leads section rightly names enterprises from elsewhere)."""
    out = c.work / f"report-{region}-{d}.html"
    run("report", "region", region, "-o", out, "--as-of", d, db=c.db, timeout=120)
    html = out.read_text(encoding="utf-8")
    return html.split('id="sec-top"', 1)[1].split("</section>", 1)[0]


CASES = [pytest.param(view, iface, id=f"{view}-{iface}") for view, fns in VIEWS.items() for iface in fns]


@pytest.mark.parametrize("as_of,where", [("2020-12-31", mf.BEFORE), ("2023-12-31", mf.AFTER)])
@pytest.mark.parametrize("view,iface", CASES)
def test_moved_enterprise_is_counted_where_it_was(ctx, view, iface, as_of, where):
    assert VIEWS[view][iface](ctx, as_of) == {where}


def test_history_replay_keeps_an_empty_past_value(tmp_path):
    """A field that was empty before its first recorded change was empty then (not a later old value)."""
    from zhaoshang.core.asof import enterprises_as_of

    with Store(tmp_path / "h.duckdb") as s:
        s.con.execute("INSERT INTO enterprises (id, name, district_code) VALUES (1, '甲', '330108')")
        s.con.execute("INSERT INTO enterprise_history (enterprise_id, field, old_value, new_value, changed_on) VALUES "
                      "(1, 'district_code', NULL, '330106', DATE '2021-01-01'), "
                      "(1, 'district_code', '330106', '330108', DATE '2023-01-01')")
        at = {d: s.con.execute(f"SELECT district_code FROM {enterprises_as_of(d, s)} e").fetchone()[0]
              for d in ("2020-06-30", "2022-06-30", "2024-06-30")}
    assert at == {"2020-06-30": None, "2022-06-30": "330106", "2024-06-30": "330108"}


REG_HEAD = "企业名称,统一社会信用代码,登记状态,成立日期,吊销日期,省份,城市\n"
REG_ROWS = {  # a registry's two exports: in business at the end of 2024, revoked on 2025-03-12 in the one of 2025
    "2024-12-31": "杭州测吊科技有限公司,913301007859792709,在业,2019-05-06,,浙江省,杭州市\n"
                  "杭州常在科技有限公司,913301007864619833,在业,2018-01-02,,浙江省,杭州市\n",
    "2025-12-31": "杭州测吊科技有限公司,913301007859792709,吊销,2019-05-06,2025-03-12,浙江省,杭州市\n"
                  "杭州常在科技有限公司,913301007864619833,在业,2018-01-02,,浙江省,杭州市\n",
}


def test_a_revocation_reads_the_same_in_every_view_as_of_a_date(tmp_path):
    """An end the registry dated (吊销日期 2025-03-12) seen first in the export of 2025-12-31: as of 2025-06-30 the
    profile (page and JSON), ``show``, ``search --include-dissolved`` (and ``/api/search``) and the scorecard all say it was revoked
    on 2025-03-12 (not 在业 beside a scorecard saying 吊销); as of 2025-01-31 it was in business. One event dates it, on
    the registry's date, saying the export it was seen in."""
    db = tmp_path / "reg.duckdb"
    for d, rows in REG_ROWS.items():
        (tmp_path / f"reg-{d}.csv").write_text(REG_HEAD + rows, encoding="utf-8")
        run("import", "enterprises", tmp_path / f"reg-{d}.csv", "--source", "registry", "--data-date", d, db=db)
    name = "杭州测吊科技有限公司"
    client = local_client(create_app(str(db)))
    for d, status, dissolved in (("2025-01-31", "在业", None), ("2025-06-30", "吊销", "2025-03-12"),
                                 ("2025-12-31", "吊销", "2025-03-12")):
        shown = run_json("show", name, "--as-of", d, db=db)
        assert (shown["enterprise"]["status"], shown["enterprise"]["dissolved"]) == (status, dissolved), d
        api = client.get(f"/api/enterprises/{shown['enterprise']['id']}", params={"as_of": d}).json()
        assert (api["enterprise"]["status"], api["enterprise"]["dissolved"]) == (status, dissolved), d
        page = client.get(f"/enterprises/{shown['enterprise']['id']}", params={"as_of": d}).text
        assert f"{status}（2025-03-12）" in page if dissolved else "在业（" not in page, d
        found = run_json("search", "测吊", "--as-of", d, "--include-dissolved", db=db)["items"]
        assert [i["status"] for i in found] == [status], (d, found)
        assert run_json("search", "测吊", "--as-of", d, db=db)["total"] == (0 if dissolved else 1), d
        listed = client.get("/api/search", params={"as_of": d, "include_dissolved": "true", "q": "测吊"}).json()
        assert [i["status"] for i in listed["items"]] == [status], (d, listed)
        score = run("score", name, "--as-of", d, db=db, check=False)
        assert (score.returncode != 0 and "已于 2025-03-12 吊销" in score.stderr) == bool(dissolved), (d, score.stderr)
        # one event for the revocation, on its date, saying where it was seen (no second one on 2025-12-31)
        ends = [(t["date"], t["type"], t["title"], t["seen"]) for t in shown["timeline"] if t["type"] != "founded"]
        assert ends == ([("2025-03-12", "dissolved", "登记状态: 在业 → 吊销", "2025-12-31")] if dissolved else []), d
    out = run("show", name, "--as-of", "2025-06-30", db=db, env={"COLUMNS": "1000"}).stdout
    assert "在业 → 吊销 · 见于 2025-12-31 的导出" in out, out
    out = run("--lang", "en", "events", "--enterprise", name, db=db, env={"COLUMNS": "1000"}).stdout
    assert "in business → licence revoked · seen in the export of 2025-12-31" in out and "│ 2025-12-31 │" not in out, out
    # the other enterprise, in business in both exports, is untouched
    assert run_json("show", "杭州常在科技有限公司", "--as-of", "2025-06-30", db=db)["enterprise"]["status"] == "在业"


CLOSED_HEAD = "企业名称,状态,省份,城市\n"
CLOSED_ROWS = {  # IT桔子-style exports: 已关闭 with no date of its own, and a registry's 注销 without 注销日期
    "2018-06-30": "杭州甲活科技有限公司,运营中,浙江,杭州\n杭州乙后关科技有限公司,运营中,浙江,杭州\n"
                  "杭州丙先关科技有限公司,已关闭,浙江,杭州\n杭州戊停业科技有限公司,停业,浙江,杭州\n",
    "2018-12-31": "杭州甲活科技有限公司,运营中,浙江,杭州\n杭州乙后关科技有限公司,已关闭,浙江,杭州\n"
                  "杭州丙先关科技有限公司,已关闭,浙江,杭州\n杭州戊停业科技有限公司,停业,浙江,杭州\n",
    None: "杭州丁注销科技有限公司,注销,浙江,杭州\n",  # an undated export: it speaks of no date, ended as of every date
}


def test_a_closed_company_counts_in_no_view_from_the_export_that_says_it(tmp_path):
    """A status saying the company ended (已关闭, 注销) with no registry date ends it from the data date of the export
    that first said so (an undated export's: as of every date): the map, the chain, the concentration, the region
    report and the list count it no more — as the leads leave it out. 停业 (suspended) ends nothing."""
    db = tmp_path / "closed.duckdb"
    for d, rows in CLOSED_ROWS.items():
        f = tmp_path / f"closed-{d}.csv"
        f.write_text(CLOSED_HEAD + rows, encoding="utf-8")
        run("import", "enterprises", f, "--source", "itjuzi", *(("--data-date", d) if d else ()), db=db)
    for name in ("杭州甲活科技有限公司", "杭州乙后关科技有限公司", "杭州丙先关科技有限公司", "杭州丁注销科技有限公司",
                 "杭州戊停业科技有限公司"):
        run("placements", "add", name, "M02", "--reason", "主营机器视觉", db=db)
    live = {"2018-03-31": 4, "2018-09-30": 3, "2018-12-31": 2}  # 甲 and 戊 throughout; 乙 until 12-31; 丙 until 06-30
    with Store(db, read_only=True) as s:
        assert reference_date(s).isoformat() == "2018-12-31"
        for d, n in live.items():
            hz = {r["code"]: r["count"] for r in matrix.region_map(s, "city", parent="330000", as_of=d)}
            assert hz["330100"] == n, d
            assert tree_count_of(matrix.chain_tree(s, "330100", as_of=d), "M02") == n, d
            conc = {r["region"]: r["enterprises"] for r in concentration(s, "city", "M02", as_of=d)["rows"]}
            assert conc["330100"] == n, (d, conc)
            assert E.search_enterprises(s, region="330100", as_of=d)["total"] == n, d
        names = [r["name"] for r in region_profile(s, "330100")["top_enterprises"]["rows"]]
        assert sorted(names) == ["杭州戊停业科技有限公司", "杭州甲活科技有限公司"], names
    api = local_client(create_app(str(db))).get("/api/map", params={"level": "city", "parent": "330000"}).json()
    assert {r["code"]: r["count"] for r in api["rows"]}["330100"] == 2


# ------------------------------------------------------------------------------------- reference date
def test_one_default_reference_date_everywhere(ctx):
    """Without a date every view answers for the latest data date (never after today), and says so."""
    ref = reference_date(ctx.store)
    assert ref == min(china_today(), ctx.store.con.execute("""SELECT greatest(
        (SELECT max(data_date) FROM imports), (SELECT max(founded) FROM enterprises), (SELECT max(dissolved) FROM enterprises),
        (SELECT max(changed_on) FROM enterprise_history), (SELECT max(date) FROM fundings),
        (SELECT max(applied) FROM patents))""").fetchone()[0])
    iso = ref.isoformat()
    shown = {
        "meta": ctx.api("/api/meta")["as_of"], "map": ctx.api("/api/map")["as_of"],
        "chain": ctx.api("/api/chain")["as_of"], "enterprises": ctx.api("/api/enterprises")["as_of"],
        "profile": ctx.api(f"/api/enterprises/{ctx.id}")["as_of"],
        "region": ctx.api(f"/api/region-profile/{mf.BEFORE}")["as_of"], "trends": ctx.api("/api/trends")["as_of"],
        "network": ctx.api("/api/network", group="")["as_of"],
        "recommend": recommend(ctx.store, mf.AFTER)["as_of"], "network_cli": ctx.cli("network")["as_of"],
        "trends_cli": ctx.cli("trends")["as_of"],
    }
    assert set(shown.values()) == {iso}, shown
    pages = ("/map", "/chain", "/enterprises", f"/enterprises/{ctx.id}", f"/region/{mf.BEFORE}", "/trends", "/network")
    for url in pages:
        html = ctx.client.get(url).text
        assert re.search(r'id="as-of">([^<]*)<', html).group(1) == iso, url
    for url in pages[1:]:  # a date given is the date shown (the map page shows it from its JSON twin)
        html = ctx.client.get(url, params={"as_of": "2020"}).text
        assert re.search(r'id="as-of">([^<]*)<', html).group(1) == "2020-12-31", url


def test_enterprise_links_under_an_as_of_open_the_profile_as_of_it(ctx):
    """A page drawn as of a date links its enterprises to their profiles as of that date (the day the server read:
    2020 → 2020-12-31), so the profile shows what the page counted (the moved enterprise still in 浙江); a page
    without a date links the plain profile. Scripts take the same date from the page's boot data."""
    me = f"/enterprises/{ctx.id}"
    pages = ("/region/{r}", "/chain?region={r}", f"/chain/cell?node={mf.NODE}&region={{r}}",
             f"/enterprises?node={mf.NODE}&region={{r}}")
    for url in pages:
        for given in ("2020-12-31", "2020"):
            html = ctx.client.get(url.format(r=mf.BEFORE) + ("&" if "?" in url else "?") + f"as_of={given}").text
            assert f'href="{me}?as_of=2020-12-31"' in html and f'href="{me}"' not in html, (url, given)
        html = ctx.client.get(url.format(r=mf.AFTER)).text  # today it is counted where it moved to
        assert f'href="{me}"' in html and f"{me}?as_of" not in html, url
    boot = re.search(r'id="zs-boot">([^<]*)<', ctx.client.get("/map?as_of=2020").text).group(1)
    assert '"link_as_of":"2020-12-31"' in boot.replace(" ", ""), boot


def test_the_sidebar_keeps_the_pages_region_as_of_and_language(ctx):
    """The sidebar linked every page bare: from 杭州 as of a date, 产业链 / 招商线索 / 动态监测 opened the default region
    today. Each link keeps the page's region (?region=, or the region page's own), as-of (the day read) and language
    (asked in the URL) where the page it opens reads them; a page asked for none links them bare."""
    def sidebar(url: str) -> list[str]:
        nav = re.search(r"<nav>(.*?)</nav>", ctx.client.get(url).text, re.S).group(1)
        return [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', nav)]

    r, d = mf.BEFORE, "2020-12-31"
    kept = [f"/map?region={r}&lang=en&as_of={d}", f"/chain?region={r}&lang=en&as_of={d}",
            f"/enterprises?region={r}&lang=en&as_of={d}", f"/region?region={r}&lang=en&as_of={d}",
            f"/trends?region={r}&lang=en&as_of={d}", f"/network?lang=en&as_of={d}", f"/leads?region={r}&lang=en&as_of={d}",
            f"/pipeline?region={r}&lang=en", "/methods?lang=en", "/alerts?lang=en",
            f"/monitor?region={r}&lang=en&as_of={d}", f"/match?region={r}&lang=en&as_of={d}"]
    assert sidebar(f"/map?region={r}&as_of=2020&lang=en") == kept
    assert sidebar(f"/region/{r}?as_of=2020&lang=en") == kept  # the region of the page's path
    assert sidebar("/map") == ["/map", "/chain", "/enterprises", "/region", "/trends", "/network", "/leads", "/pipeline",
                               "/methods", "/alerts", "/monitor", "/match"]
    # a link followed lands where it says: the region page of the region, as of the day
    landed = ctx.client.get(f"/region?region={r}&lang=en&as_of={d}", follow_redirects=False)
    assert landed.headers["location"] == f"/region/{r}?lang=en&as_of={d}"


def test_fixture_dates_never_pass_today(tmp_path):
    """A dissolution dated in the future does not move the reference date past today."""
    db = tmp_path / "f.duckdb"
    with Store(db) as s:
        s.con.execute("INSERT INTO enterprises (id, name, founded, dissolved) "
                      "VALUES (1, '甲', DATE '2020-01-01', DATE '2099-01-01')")
        assert reference_date(s) == china_today()


# ------------------------------------------------------------------------------------------ bad dates
BAD_CLI = [
    ("network", "--as-of", "2024-02-30"), ("complexity", "--as-of", "2024-02-30"),
    ("concentration", "--as-of", "2024-02-30"), ("map", "--as-of", "2024-13-01"), ("chain", "--as-of", "2024-02-30"),
    ("recommend", "330000", "--as-of", "2024-02-30"), ("trends", "--start", "2024-02-30"), ("trends", "--end", "soon"),
    ("show", "1", "--as-of", "2024-02-30"), ("classify", "--as-of", "2024-02-30"),
    ("report", "region", "330000", "-o", "r.html", "--as-of", "2024-02-30"),
    ("network", "--as-of", "2099-01-01"), ("map", "--as-of", "2099"),
]


@pytest.mark.parametrize("args", BAD_CLI, ids=lambda a: " ".join(a))
def test_bad_dates_on_the_cli_are_one_line(ctx, args):
    p = run(*args, db=ctx.db, check=False, timeout=120, cwd=ctx.work)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr, p.stderr
    assert ("晚于今天" if "2099" in " ".join(args) else "无效的") in lines[0]


def test_bad_data_date_refuses_the_import(ctx, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("企业名称,成立日期\n甲公司,2020-01-01\n", encoding="utf-8")
    for bad, word in (("2024-02-30", "日期不存在"), ("2099-01-01", "晚于今天")):
        p = run("import", "enterprises", f, "--data-date", bad, db=tmp_path / "n.duckdb", check=False)
        assert p.returncode == 2 and word in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    # an import is not a query: a data date in the future is not refused as "不能查询未来"
    assert "不能查询未来" not in p.stderr and "导出与事件都不会来自未来" in p.stderr
    p = run("--lang", "en", "network", "--as-of", "2024-02-30", db=ctx.db, check=False)
    assert p.returncode == 2 and p.stderr.strip() == "error: invalid as-of date: 2024-02-30 (no such day; expected YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05)"


BAD_URLS = [
    "/api/network?as_of=2024-02-30", "/api/map?as_of=2024-02-30", "/api/chain?as_of=2099-01-01",
    "/api/chain/enterprises?node=D03&as_of=2024-02-30", "/api/enterprises?as_of=2024-02-30",
    "/api/enterprises?founded_from=2024-02-30", "/api/enterprises/1?as_of=2024-02-30",
    "/api/region-profile/330000?as_of=2024-02-30", "/api/trends?start=2024-02-30", "/api/trends?end=x",
    "/api/regions/330000?as_of=2024-02-30", "/network?as_of=2024-02-30", "/chain?as_of=2024-02-30",
    "/enterprises?as_of=2099-01-01", "/region/330000?as_of=2024-02-30", "/trends?as_of=2024-02-30",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_dates_in_urls_are_400(ctx, url):
    r = ctx.client.get(url, cookies={"lang": "zh"})
    assert r.status_code == 400, r.text[:300]
    if url.startswith("/api/"):
        msg = r.json()["error"]
        assert "\n" not in msg and ("无效的" in msg or "晚于今天" in msg)
    en = ctx.client.get(url + "&lang=en" if "?" in url else url, cookies={"lang": "en"})
    assert en.status_code == 400 and ("invalid" in en.text or "after today" in en.text)


def test_a_bad_date_on_the_matching_page_is_refused_beside_its_date_box(ctx):
    """场景匹配 has a date box (the day a demand's deadline is judged by): a date it cannot read is said beside that
    box, the page's other values kept, and nothing is listed."""
    for lang, words in (("zh", "无效的截至日期: 2024-13-01"), ("en", "invalid as-of date: 2024-13-01")):
        r = ctx.client.get(f"/match?as_of=2024-13-01&region=330100&lang={lang}", cookies={"lang": lang})
        assert r.status_code == 400
        assert r.text.count('class="field-error"') == 1 and words in r.text, r.text[-1500:]
        assert 'value="2024-13-01"' in r.text and 'value="330100"' in r.text


@pytest.mark.parametrize("path", ["/enterprises/1", "/map"])
def test_a_bad_date_on_a_page_without_a_date_box_links_back_to_that_page(ctx, path):
    """A page that takes as_of in its URL but has no box for it (an enterprise's profile, the map) answers
    the error page with the one date parser's words and a link to the same page without the date (the rest of the
    query kept), not only the way home."""
    for lang, words, link in (("zh", "无效的截至日期: 2024-13-01（日期不存在；应为 YYYY-MM-DD、YYYY-MM、YYYY、2026/03/05 或 2026年3月5日）", "不带该日期重新打开本页"),
                              ("en", "invalid as-of date: 2024-13-01 (no such day; expected YYYY-MM-DD, YYYY-MM, YYYY or 2026/03/05)",
                               "Open this page again without that date")):
        r = ctx.client.get(f"{path}?as_of=2024-13-01&lang={lang}", cookies={"lang": lang})
        assert r.status_code == 400
        assert f'<p id="error-message">{words}</p>' in r.text
        assert f'<a href="{path}?lang={lang}" id="error-retry">{link}</a>' in r.text, r.text[-1500:]
