"""The profile's 数据来源 names the sources of the facts it shows — people, news, fundings, patents — beside the
enterprise lists, each with its data date; a person's role says the source and data date it comes from (a 2018
board is not presented as the board of the list's date)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import q, run, run_json  # noqa: E402
from web_util import ARGS, CHROMIUM, require_browser, serving  # noqa: E402

from zhaoshang.core.parse.dates import china_time_text  # noqa: E402

ENTS = "企业名称,成立日期,地区\n甲星智能科技有限公司,2015-03-01,杭州市\n"
ROLES = "企业名称,姓名,职务\n甲星智能科技有限公司,张三,董事长\n"
FUNDS = "企业名称,融资时间,融资轮次,融资金额\n甲星智能科技有限公司,2018-06-01,A轮,3000万人民币\n"


def test_profile_sources_include_the_facts_and_their_data_dates(tmp_path):
    db = tmp_path / "p.duckdb"
    for kind, name, source, text, date in (("enterprises", "名录.csv", "名录", ENTS, "2026-03-04"),
                                           ("roles", "高管.csv", "高管2018", ROLES, "2018-06-30"),
                                           ("fundings", "融资.csv", "融资库", FUNDS, "2019-12-31")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        run("import", kind, tmp_path / name, "--source", source, "--data-date", date, db=db)
    doc = run_json("show", "甲星智能科技有限公司", db=db)
    got = {(s["source"], s["kind"], s["records"], str(s["data_date"])) for s in doc["sources"]}
    assert got == {("名录", "enterprises", 1, "2026-03-04"), ("高管2018", "roles", 1, "2018-06-30"),
                   ("融资库", "fundings", 1, "2019-12-31")}
    assert [(p["name"], p["source"], str(p["data_date"])) for p in doc["people"]] == [("张三", "高管2018", "2018-06-30")]
    table = "".join(run("show", "甲星智能科技有限公司", db=db).stdout.split())
    assert "高管2018" in table and "2018-06-30" in table and "任职" in table
    # when each source's latest import ran, for every kind (roles and fundings too, not only the enterprise lists)
    started = dict(q(db, "SELECT source, max(started_at) FROM imports GROUP BY source"))
    assert {s["source"]: china_time_text(s["last_imported"]) for s in doc["sources"]} == \
        {k: china_time_text(v) for k, v in started.items()}, doc["sources"]
    for s in doc["sources"]:
        assert "".join(china_time_text(s["last_imported"], zone=False).split()) in table, (s, table)

    require_browser()
    from playwright.sync_api import sync_playwright

    with serving(db) as base, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = b.new_page()
        pg.goto(f"{base}/enterprises/{doc['enterprise']['id']}")
        kinds = pg.locator("#source-list tbody tr").evaluate_all("rs => rs.map(r => r.dataset.kind)")
        assert sorted(kinds) == ["enterprises", "fundings", "roles"]
        assert "2018-06-30" in pg.inner_text('#source-list tr[data-kind="roles"]')
        # the last import in China's time (as the rejects file's name) under a header that says so, not the server's
        # clock bare
        shown = pg.inner_text('#source-list tr[data-kind="enterprises"] td:last-child')
        assert shown + " (UTC+8)" == china_time_text(doc["sources"][0]["last_imported"]), shown
        assert pg.inner_text("#source-list thead th:last-child") == "最近导入 (UTC+8)"
        assert pg.inner_text("#people .ent-role-source") == "高管2018（数据日期 2018-06-30）"
        b.close()


def test_a_role_a_newer_list_of_the_enterprise_leaves_out_is_not_current(tmp_path):
    """The 2018 executives list names 刘铮 for 600803; the 2024 managers list of the company does not: the profile
    keeps the role with its date but says the newer list leaves it out, after the current ones."""
    from conftest import shared_file

    db = tmp_path / "r.duckdb"
    run_json("import", "enterprises", shared_file("listed_companies/a_share_companies_merged.csv"), "--preset",
             "a_share_merged", "--data-date", "2026-03-04", db=db)
    run_json("import", "roles", shared_file("listed_companies/ths_listed_company_executives_2018.csv"), "--preset",
             "ths_executives", "--data-date", "2018-06-30", db=db)
    run_json("import", "roles", shared_file("listed_companies/tushare_stk_managers_sample_2024-05.csv"), "--preset",
             "tushare_managers", "--data-date", "2024-05-14", db=db)
    people = run_json("show", "600803", db=db)["people"]
    gone = {p["name"] for p in people if p["not_in_later"]}
    assert gone == {"刘铮", "马元彤", "赵令欢", "张维", "徐孟洲", "李鑫钢"}
    assert all(p["not_in_later"] == "tushare_managers 2024-05-14" and p["source"] == "ths_executives"
               for p in people if p["not_in_later"])
    assert not people[0]["not_in_later"] and people[-1]["not_in_later"]  # the current ones first
