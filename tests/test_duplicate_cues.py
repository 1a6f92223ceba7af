"""Suspected duplicates by a shared website host, and stock short names found with or without their listing-status
marks — on the real A-share table and the IT桔子 AI companies (shared data)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402
from conftest import shared_file  # noqa: E402

from zhaoshang.core.text import normalize_name, strip_listing_marks  # noqa: E402

A_SHARE = "listed_companies/a_share_companies_merged.csv"
ITJUZI = "ai_companies/itjuzi_china_ai_companies_2018-12.csv"


def _host(url: str) -> str | None:
    """The website's host as a reader would compare it (independently of the importer's SQL)."""
    url = (url or "").strip().lower()
    if not url:
        return None
    host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    host = host.removeprefix("www.")
    return host if "." in host else None


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    a_share, itjuzi = shared_file(A_SHARE), shared_file(ITJUZI)
    db = tmp_path_factory.mktemp("dup") / "z.duckdb"
    run("import", "enterprises", a_share, "--preset", "a_share_merged", "--data-date", "2026-03-31", db=db)
    rep = run_json("import", "enterprises", itjuzi, "--preset", "itjuzi_companies", "--data-date", "2018-12-31", db=db)
    return {"db": db, "report": rep, "a_share": a_share, "itjuzi": itjuzi}


def test_a_shared_website_host_is_suggested_and_explained(real):
    near = real["report"]["near_merges"]
    by_domain = [n for n in near if n["reason"].startswith("网站域名相同")]
    cam = [n for n in by_domain if n["name"] == "北京中科寒武纪科技有限公司"]
    assert len(cam) == 1 and cam[0]["existing_name"] == "中科寒武纪科技股份有限公司", near
    assert "cambricon.com" in cam[0]["reason"] and "成立于同月（2016-03）" in cam[0]["reason"] and "同在北京市" in cam[0]["reason"]
    assert cam[0]["reason_en"].startswith("the same website domain (cambricon.com), founded in the same month (2016-03)")
    # every domain suggestion is a pair whose files give the same host, read here from the files themselves
    with open(real["a_share"], encoding="utf-8") as f:  # a company is named by its full name, else its short names
        a_hosts = {n: _host(r["website"]) for r in csv.DictReader(f)
                   for n in (r["full_name"], r["extended_short_name"], r["short_name"]) if n}
    with open(real["itjuzi"], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    i_hosts = {r["legal_name"]: _host(r["website"]) for r in rows}
    for n in by_domain:
        host = i_hosts[n["name"]]
        assert host and host == a_hosts.get(n["existing_name"]) and f"（{host}）" in n["reason"], n
    # no flood: the IT桔子 companies whose host an A-share company gives, at most — and few of the file's rows
    shared = {h for h in i_hosts.values() if h} & {h for h in a_hosts.values() if h}
    assert len(by_domain) <= len(shared) and len(by_domain) < 0.01 * len(rows), by_domain
    # a pair the legal-form rule already suggests is listed once
    keys = [(n["source_key"], n["existing_id"]) for n in near]
    assert len(keys) == len(set(keys))


def test_a_host_many_firms_give_is_no_cue(tmp_path):
    """A portal's host (three firms' pages on one site) suggests nothing; two firms on one host of their own do."""
    head = "企业名称,成立日期,所属省份,官网\n"
    (tmp_path / "a.csv").write_text(head + "甲辰星图智能科技有限公司,2018-03-01,浙江,https://weibo.com/jiachen\n"
                                    "乙巳云帆数据科技有限公司,2017-05-01,浙江,weibo.com/yisi\n"
                                    "丙午星河信息技术有限公司,2016-08-01,浙江,http://www.bingwu-xinghe.cn/about\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(head + "杭州甲辰智能科技有限公司,2018-03-01,浙江,http://www.weibo.com/u/99\n"
                                    "杭州丙午星河科技有限公司,2016-08-01,浙江,bingwu-xinghe.cn\n", encoding="utf-8")
    db = tmp_path / "z.duckdb"
    run("import", "enterprises", tmp_path / "a.csv", "--source", "甲源", db=db)
    near = run_json("import", "enterprises", tmp_path / "b.csv", "--source", "乙源", db=db)["near_merges"]
    assert [(n["name"], n["existing_name"]) for n in near] == [("杭州丙午星河科技有限公司", "丙午星河信息技术有限公司")], near
    assert near[0]["reason"].startswith("网站域名相同（bingwu-xinghe.cn），成立于同月（2016-08），同在浙江省")


def test_listing_marks_are_alias_forms(real):
    """寒武纪-U (the A-share table's short name) is found as 寒武纪, and as written; both by show and search."""
    from zhaoshang.core.store import Store
    from zhaoshang.services.search import find_one, search

    doc = run_json("show", "寒武纪", db=real["db"])  # the command an analyst types
    assert doc["enterprise"]["name"] == "中科寒武纪科技股份有限公司" and "寒武纪-U" in [a["alias"] for a in doc["aliases"]]
    want = doc["enterprise"]["id"]
    with Store(str(real["db"]), read_only=True) as store:  # the one search every command and page uses
        for q in ("寒武纪", "寒武纪-U", "寒武纪-u", "*ST寒武纪"):
            assert find_one(store, q) == want, q
        hits = search(store, "寒武纪")["items"]
        assert hits[0]["id"] == want and hits[0]["matched"] == "alias_exact", hits[:3]
        assert find_one(store, "寒武") is None  # a part of the name stays a part: no exact match
    # every short name of the real table with a mark loses only the mark: never another company's short name
    with open(real["a_share"], encoding="utf-8") as f:
        names = [r["short_name"] for r in csv.DictReader(f)]
    plain = {normalize_name(n) for n in names}
    marked = [n for n in names if strip_listing_marks(n) != normalize_name(n)]
    assert marked and all(len(strip_listing_marks(n)) >= 2 and strip_listing_marks(n) not in plain for n in marked)
    assert strip_listing_marks("*ST 海润") == "海润" and strip_listing_marks("STAR科技") == "star科技"


def test_news_links_the_brands_and_the_marked_short_names(real, tmp_path):
    """News names 商汤科技 and 旷视科技 (IT桔子 brands stored glued to their Latin names, 商汤科技SenseTime, 旷视科技Face++)
    and 寒武纪 (the A-share short name 寒武纪-U): analyze-news and import news --link-text link them, by the forms
    ``core.text.name_parts`` gives; a description, a place or a share class taken out of a stored name links
    nothing."""
    import shutil

    from cli_util import q

    def eid(name):
        return q(real["db"], "SELECT id FROM enterprises WHERE name = ?", [name])[0][0]

    cases = {"商汤科技宣布完成6亿美元C+轮融资，阿里巴巴领投": "北京市商汤科技开发有限公司",
             "旷视科技在港交所递交招股书": "北京旷视科技有限公司",
             "寒武纪发布新一代云端AI芯片思元370": "中科寒武纪科技股份有限公司",
             "SenseTime发布新品，Face++跟进": None}
    for text, name in cases.items():
        doc = run_json("analyze-news", text, db=real["db"])
        got = [m["enterprise_id"] for m in doc["mentions"]]
        if name:
            assert got == [eid(name)], (text, doc["mentions"])
        else:  # the Latin parts of the two brands
            assert got == [eid("北京市商汤科技开发有限公司"), eid("北京旷视科技有限公司")], doc["mentions"]
    # roobo智能管家 (a Latin brand and what it makes), Ohh智能家居 (no Latin name to split off), ST张家界 (the city), 华侨城A (a share class),
    # 亚马逊AWS (AWS: no Latin name to split off)
    for text in ("智能家居与智能管家产品热销", "张家界旅游旺季客流创新高", "华侨城北方集团签约", "亚马逊发布新款电子书阅读器"):
        assert run_json("analyze-news", text, db=real["db"])["mentions"] == [], text
    # the import's text linking, on a copy of the database
    db = tmp_path / "z.duckdb"
    shutil.copy(real["db"], db)
    news = tmp_path / "n.csv"
    news.write_text("row_id,text,event_type,subject\n" + "".join(
        f"{i},{t},其他,\n" for i, t in enumerate([t for t, n in cases.items() if n], 1)), encoding="utf-8")
    run_json("import", "news", news, "--preset", "finese", "--link-text", "--rejects", tmp_path, db=db)
    linked = q(db, "SELECT DISTINCT enterprise_id FROM news_mentions WHERE method LIKE 'text_%'")
    assert sorted(r[0] for r in linked) == sorted(eid(n) for n in cases.values() if n)


def test_a_company_named_by_its_short_name_only_is_linked_as_a_short_name(real):
    """The A-share table gives 中国海油 (600938) and 中国移动 (600941) no full name: each is named by its short name. The
    news linker read such a name as a full legal name, trusted as it is; it is a short name (docs/methods.md, "Mention
    linking"): found by a text naming it, with a short name's guards — 中国移动, a common word, links when its stock
    code confirms it."""
    from cli_util import q

    ids = dict(q(real["db"], "SELECT listed_code, id FROM enterprises WHERE listed_code IN ('600938', '600941') AND name_short"))
    assert len(ids) == 2

    def found(text):
        return [(m["enterprise_id"], m["method"], m["name"]) for m in run_json("analyze-news", text, db=real["db"])["mentions"]]

    assert found("中国移动推出新套餐，中国海油发布2025年年度报告") == [(ids["600938"], "short", "中国海油")]
    assert found("中国移动(600941)发布公告") == [(ids["600941"], "confirmed", "中国移动")]
