"""Enterprise search / filter / sort / paginate / export and the profile, checked against plain SQL and Python."""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402

from zhaoshang.core.errors import NotFound, UserError  # noqa: E402
from zhaoshang.core.explain import Explained  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services import enterprises as E  # noqa: E402
from zhaoshang.services.regions import matrix  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("ent") / "fx.duckdb")
    matrix_fixture.build(path)
    s = Store(path, read_only=True)
    yield s
    s.close()


def all_rows(store):
    today = dt.date.today()
    rows = store.query("SELECT * FROM enterprises")
    return [r for r in rows if (r["founded"] is None or r["founded"] <= today) and (r["dissolved"] is None or r["dissolved"] > today)]


def test_total_and_pagination(store):
    active = all_rows(store)
    res = E.search_enterprises(store, size=50, sort="id")
    assert res["total"] == len(active)
    seen = []
    for page in range(1, (res["total"] + 49) // 50 + 1):
        seen += [it["id"] for it in E.search_enterprises(store, size=50, page=page, sort="id")["items"]]
    assert seen == sorted(r["id"] for r in active)


def test_region_node_filters_match_the_map_cell(store):
    cell = {r["code"]: r for r in matrix.region_map(store, "city", node="M02")}["330100"]
    res = E.search_enterprises(store, region="330100", node="M02")
    assert res["total"] == cell["count"] > 0
    assert all(it["city_code"] == "330100" and "M02" in it["nodes"] for it in res["items"])
    # a level-1 node includes its descendants
    up = E.search_enterprises(store, node="U01", size=1000)
    assert all({"U01", "U01.1", "U01.2"} & set(it["nodes"]) for it in up["items"])
    assert up["total"] == len({r["enterprise_id"] for r in store.query(
        "SELECT p.enterprise_id FROM placements p JOIN enterprises e ON e.id = p.enterprise_id "
        "WHERE p.node_code IN ('U01', 'U01.1', 'U01.2') AND (e.dissolved IS NULL OR e.dissolved > current_date) "
        "AND (e.founded IS NULL OR e.founded <= current_date)")})


def test_founded_listed_tags_stage(store):
    active = all_rows(store)
    res = E.search_enterprises(store, founded_from=2010, founded_to=2012, size=1000)
    assert res["total"] == sum(1 for r in active if r["founded"] and 2010 <= r["founded"].year <= 2012)
    res = E.search_enterprises(store, listed=True, size=1000)
    assert res["total"] == sum(1 for r in active if r["listed_code"]) and all(it["listed_code"] for it in res["items"])
    res = E.search_enterprises(store, tags="专精特新", size=1000)
    assert res["total"] == sum(1 for r in active if r["tags"] and "专精特新" in r["tags"])
    # latest round as of today, computed independently
    latest = {}
    for f in store.query("SELECT enterprise_id, date, round FROM fundings ORDER BY date"):
        latest[f["enterprise_id"]] = f["round"]
    ids = {r["id"] for r in active}
    res = E.search_enterprises(store, stage="a", size=1000)
    assert {it["id"] for it in res["items"]} == {i for i, r in latest.items() if r == "a" and i in ids}
    assert all(it["latest_round"] == "a" for it in res["items"])
    # a stage that is no round code (A轮, the label) is refused, by the list and by its export, not an empty answer
    for run in (lambda: E.search_enterprises(store, stage="A轮"), lambda: E.export_sql(store, stage="a,A轮")):
        with pytest.raises(UserError, match="A轮"):
            run()


def test_query_by_name_and_credit_code(store):
    row = store.query("SELECT id, name, uscc FROM enterprises WHERE id = 5")[0]
    assert [it["id"] for it in E.search_enterprises(store, q=row["uscc"], include_dissolved=True)["items"]] == [5]
    assert 5 in [it["id"] for it in E.search_enterprises(store, q=row["name"], include_dissolved=True)["items"]]


def test_sorts(store):
    by_cap = E.search_enterprises(store, sort="-capital", size=30)["items"]
    caps = [it["capital_wan"] for it in by_cap]
    assert caps == sorted(caps, reverse=True)
    by_founded = [it["founded"] for it in E.search_enterprises(store, sort="founded", size=30)["items"]]
    assert by_founded == sorted(by_founded)
    with pytest.raises(UserError):
        E.search_enterprises(store, sort="bogus")


def test_as_of_time_travel(store):
    early = E.search_enterprises(store, as_of="2010-01-01")["total"]
    n = sum(1 for r in store.query("SELECT founded, dissolved FROM enterprises")
            if (r["founded"] is None or r["founded"] <= dt.date(2010, 1, 1)) and (r["dissolved"] is None or r["dissolved"] > dt.date(2010, 1, 1)))
    assert early == n


def test_a_later_dissolution_had_not_happened_on_the_date(store):
    """As of a date before its dissolution an enterprise is active in the list and its profile: no 注销, no date."""
    r = store.query("SELECT id, founded, dissolved FROM enterprises WHERE dissolved IS NOT NULL AND status = '注销' "
                    "AND founded < dissolved - INTERVAL 100 DAY ORDER BY id LIMIT 1")[0]
    d = (r["dissolved"] - dt.timedelta(days=30)).isoformat()
    listed = [i for i in E.search_enterprises(store, as_of=d, size=1000, sort="id")["items"] if i["id"] == r["id"]]
    assert [(i["status"], i["dissolved"]) for i in listed] == [("存续", None)]
    then = E.enterprise_profile(store, r["id"], as_of=d)["enterprise"]
    assert (then["status"], then["dissolved"]) == ("存续", None)
    now = E.enterprise_profile(store, r["id"])["enterprise"]
    assert (now["status"], now["dissolved"]) == ("注销", r["dissolved"])
    early = (r["founded"] - dt.timedelta(days=30)).isoformat()
    before = E.enterprise_profile(store, r["id"], as_of=early)
    assert before["enterprise"]["status"] == "尚未成立"
    # nobody represented it before it existed: no 法定代表人 (it named today's, beside a people card of that day)
    assert now["legal_rep"] and before["enterprise"]["legal_rep"] is None, before["enterprise"]


def test_export_xlsx_and_csv(store, tmp_path):
    res = E.search_enterprises(store, region="330000", node="M02", size=1000)
    x = tmp_path / "out.xlsx"
    assert E.export_enterprises(store, str(x), region="330000", node="M02") == res["total"]
    ws = openpyxl.load_workbook(x).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "企业名称")
    assert [r[0] for r in rows[1:]] == [it["id"] for it in res["items"]]
    # a synthetic store's label on every row, in the file's language alone (it was bilingual in both)
    assert store.synthetic and rows[0][-1] == "数据说明" and {r[-1] for r in rows[1:]} == {"合成演示数据"}
    c = tmp_path / "out.csv"
    assert E.export_enterprises(store, str(c), lang="en", region="330000", node="M02") == res["total"]
    assert c.read_text(encoding="utf-8-sig").splitlines()[0].startswith("ID,Name,Credit code,Registry status")
    with open(c, encoding="utf-8-sig", newline="") as fh:
        assert {r["Data label"] for r in csv.DictReader(fh)} == {"synthetic demo data"}


def test_profile(store):
    fid = store.query("SELECT enterprise_id FROM fundings GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")[0]["enterprise_id"]
    p = E.enterprise_profile(store, fid)
    assert p["enterprise"]["id"] == fid
    n_f = store.query("SELECT count(*) n FROM fundings WHERE enterprise_id = ?", [fid])[0]["n"]
    assert len(p["fundings"]) == n_f
    assert sum(1 for e in p["timeline"] if e["type"] == "funding") == n_f
    assert any(e["type"] == "founded" for e in p["timeline"])
    dates = [e["date"] for e in p["timeline"] if e["date"]]
    assert dates == sorted(dates, reverse=True)
    placed = store.query("SELECT node_code FROM placements WHERE enterprise_id = ?", [fid])
    assert sorted(x["node_code"] for x in p["placements"]) == sorted(x["node_code"] for x in placed)
    assert all(isinstance(x["evidence"], Explained) and x["evidence"].value == x["node_code"] for x in p["placements"])
    one = E.enterprise_profile(store, 1)
    assert [x["name"] for x in one["people"]] == ["张三", "李四"]
    assert one["shareholders"][0]["percent"] == 51.0
    assert one["branches"][0]["direction"] == "out"
    assert one["enterprise"]["map_lng"] is not None
    # by credit code and by name
    row = store.query("SELECT uscc, name FROM enterprises WHERE id = 1")[0]
    assert E.enterprise_profile(store, row["uscc"])["enterprise"]["id"] == 1
    assert E.enterprise_profile(store, row["name"])["enterprise"]["id"] == 1
    # time travel: nothing dated after as_of
    early = E.enterprise_profile(store, fid, as_of="2016-01-01")
    assert all(e["date"] is None or e["date"] <= dt.date(2016, 1, 1) for e in early["timeline"])
    with pytest.raises(NotFound):
        E.enterprise_profile(store, "不存在的企业")


def test_profile_people_and_shareholders_on_the_date(store, tmp_path):
    """The profile lists who holds office and shares on the date, as key persons do: a chairman who left in 2022
    is not a second chairman today, and one who started in 2022 is not there as of 2020."""
    import shutil

    path = tmp_path / "dated.duckdb"
    shutil.copy(store.path, path)
    with Store(path) as s:
        s.con.execute("INSERT INTO roles (id, person_name, enterprise_id, role, title, start_date, end_date, source) VALUES "
                      "(91, '王五', 1, 'chairman', '董事长', DATE '2015-03-01', DATE '2022-07-15', 'fixture'), "
                      "(92, '赵六', 1, 'chairman', '董事长', DATE '2022-07-19', NULL, 'fixture')")
        s.con.execute("INSERT INTO shareholdings (id, enterprise_id, holder_name, holder_type, percent, start_date, source) "
                      "VALUES (93, 1, '后来资本', 'investor', 5.0, DATE '2023-01-01', 'fixture')")
    with Store(path, read_only=True) as s:
        now, before = E.enterprise_profile(s, 1), E.enterprise_profile(s, 1, as_of="2020-06-30")
    assert {"赵六"} <= {x["name"] for x in now["people"]} and "王五" not in {x["name"] for x in now["people"]}
    assert {"王五"} <= {x["name"] for x in before["people"]} and "赵六" not in {x["name"] for x in before["people"]}
    assert "后来资本" in {x["holder_name"] for x in now["shareholders"]}
    assert "后来资本" not in {x["holder_name"] for x in before["shareholders"]}


def test_a_news_item_without_a_headline_is_named_by_its_text(store, tmp_path):
    """A news corpus may hold text and no headline (FinESE on the real imports): the profile's news card and
    timeline name such an item by the head of its text, as its event does — not by an empty title (None)."""
    import shutil

    path = tmp_path / "news.duckdb"
    shutil.copy(store.path, path)
    text = "雅虎拟抛售1.4亿阿里巴巴股份 一半收益返还股东科大讯飞(002230)监事张岚短线交易 两次操作均未违规"
    with Store(path) as s:
        s.con.execute("INSERT INTO news (id, title, body, source) VALUES (9101, NULL, ?, 'fixture'), "
                      "(9102, NULL, '短讯', 'fixture')", [text])
        s.con.execute("INSERT INTO news_mentions (news_id, enterprise_id, mention, method) VALUES "
                      "(9101, 1, '科大讯飞', 'declared'), (9102, 1, '科大讯飞', 'declared')")
    with Store(path, read_only=True) as s:
        p = E.enterprise_profile(s, 1)
    card = {n["id"]: n["title"] for n in p["news"]}
    assert card[9101] == text[:40] + "…" and card[9102] == "短讯"
    told = [e["title"] for e in p["timeline"] if e["type"] == "news"]
    assert text[:40] + "…" in told and "短讯" in told and None not in told


def test_facets(store):
    f = E.facets(store)
    assert [n["code"] for n in f["nodes"]][:2] == ["U", "U01"]
    assert "专精特新" in f["tags"]
    assert f["rounds"][0]["code"] == "angel"


def test_the_english_export_writes_statuses_and_regions_in_english(store, tmp_path):
    """The English file says active / deregistered and Zhejiang, not 存续 / 注销 and 浙江省 (the statuses'
    vocabulary is core/status.py, the one the pages' labels read); the Chinese file keeps them as stored."""
    import csv

    rows = {}
    for lang in ("zh", "en"):
        p = tmp_path / f"all_{lang}.csv"
        E.export_enterprises(store, str(p), lang=lang, region="330000", include_dissolved=True)
        rows[lang] = list(csv.DictReader(p.open(encoding="utf-8-sig")))
    zh = {r["登记状态"] for r in rows["zh"]}
    en = {r["Registry status"] for r in rows["en"]}
    assert zh == {"存续", "注销"} and en == {"active", "deregistered"}
    assert {r["省份"] for r in rows["zh"]} == {"浙江省"} and {r["Province"] for r in rows["en"]} == {"Zhejiang"}
    assert not any(re.search(r"[\u4e00-\u9fff]", r["City"] + r["District"]) for r in rows["en"])
