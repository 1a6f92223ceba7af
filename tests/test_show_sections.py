"""``show`` lists at most 30 rows a section: a section cut short says how many rows it leaves out and how to see
them (``--all``), in the UI language, and ``--all`` lists every row — on the demo, with a people list of 40 more
persons imported for one enterprise through the real command."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

WIDE = {"COLUMNS": "200"}


def test_show_says_how_many_people_it_leaves_out(tmp_path, demo_copy):
    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    ent = run_json("search", "科技", db=db)["items"][0]
    staff = [f"员工{i:02d}" for i in range(1, 41)]
    people = tmp_path / "people.csv"
    people.write_text("企业名称,姓名,职务\n" + "".join(f"{ent['name']},{p},项目经理\n" for p in staff), encoding="utf-8")
    run("import", "roles", people, "--source", "员工名单", db=db)
    listed = [p["name"] for p in run_json("show", str(ent["id"]), db=db)["people"]]
    assert set(staff) <= set(listed) and len(listed) > 30
    more = len(listed) - 30

    cut = run("show", str(ent["id"]), db=db, env=WIDE)
    assert f"人员：另有 {more} 条未显示（共 {len(listed)} 条）；加 --all 显示全部" in cut.stderr, cut.stderr
    assert f"人员（{len(listed)}）" in cut.stdout
    left_out = [p for p in listed[30:] if p not in listed[:30]]
    assert left_out and all(p in cut.stdout for p in listed[:30]) and not any(p in cut.stdout for p in left_out)
    whole = run("show", str(ent["id"]), "--all", db=db, env=WIDE)
    assert all(p in whole.stdout for p in listed) and "未显示" not in whole.stderr
    en = run("--lang", "en", "show", str(ent["id"]), db=db, env=WIDE)
    assert f"People: {more} more not shown (of {len(listed)}); add --all to show them all" in en.stderr, en.stderr
    assert "--all" in run("--lang", "en", "show", "--help", db=db, env=WIDE).stdout


def test_a_profile_of_more_than_200_patents_counts_them_all(tmp_path, demo_copy):
    """The profile lists an enterprise's latest 200 patents (and timeline events); it gave 200 as their number —
    ``counts``, the section's title, ``show``'s "共 200 条" — beside the scorecard's and the sources table's 210,
    and ``show --all`` listed 200. With 230 patents imported through the real command, every count is 230 (a COUNT
    of the same query), ``--all`` lists them all, and the page says 最近 200 条（共 N 条） of its timeline."""
    import httpx
    from playwright.sync_api import sync_playwright

    from web_util import ARGS, CHROMIUM, require_browser, serving

    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    ent = run_json("search", "科技", db=db)["items"][0]
    before = run_json("show", str(ent["id"]), db=db)["counts"]["patents"]
    sheet = tmp_path / "patents.csv"
    sheet.write_text("公开号,名称,申请日,申请人\n" + "".join(
        f"CN9{i:06d}A,一种装置{i},2020-01-{i % 28 + 1:02d},{ent['name']}\n" for i in range(230)), encoding="utf-8")
    run("import", "patents", sheet, "--source", "专利库", "--data-date", "2024-12-31", db=db)
    total = before + 230
    doc = run_json("show", str(ent["id"]), db=db)
    assert len(doc["patents"]) == 200 and doc["counts"]["patents"] == total, doc["counts"]
    assert doc["counts"]["timeline"] > len(doc["timeline"]) == 200
    cut = run("show", str(ent["id"]), db=db, env=WIDE)
    assert f"专利：另有 {total - 30} 条未显示（共 {total} 条）；加 --all 显示全部" in cut.stderr, cut.stderr
    timeline = doc["counts"]["timeline"]
    assert f"时间线：另有 {timeline - 30} 条未显示（共 {timeline} 条）" in cut.stderr, cut.stderr
    whole = run("show", str(ent["id"]), "--all", db=db, env=WIDE)
    assert f"专利（{total}）" in whole.stdout and "未显示" not in whole.stderr
    assert all(f"CN9{i:06d}A" in whole.stdout for i in range(230))
    # the page and its JSON twin: the same number as the scorecard's patent count and the sources table's; asked of the
    # server the browser reads below (an app of its own in this process built the same profile and page again)
    with serving(db) as base, httpx.Client(base_url=base, timeout=120) as c:
        assert c.get(f"/api/enterprises/{ent['id']}").json()["counts"]["patents"] == total
        page = c.get(f"/enterprises/{ent['id']}").text
        assert f'专利 <small class="muted">{total}</small>' in page
        assert f"最近 200 条（共 {timeline} 条）" in page
        # the page's patents: the latest 200 said so, and after them the earlier ones the scorecard links to (it names
        # the first filed), so that each of its links lands on a line
        cut_at = re.search(r'id="patents-cut" data-shown="200" data-total="(\d+)" data-cited="(\d+)"', page)
        cited = int(cut_at[2])
        assert f"最近 200 件（共 {total} 件）；其后另列评分引用的较早 {cited} 件" in page and cited > 0
        assert page.count('<tr id="patent-') == 200 + cited
        linked = set(re.findall(r'#(patent-\d+)"', page))
        assert len(linked) >= cited and linked <= set(re.findall(r'<tr id="(patent-\d+)"', page))
        sources = sum(s["records"] for s in doc["sources"] if s["kind"] == "patents")
        assert sources == total
        score = c.get(f"/api/enterprises/{ent['id']}/score").json()
        # in the browser, in both languages: the counts and the note of the timeline's cut
        require_browser()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pg = browser.new_page()
            for lang, note in (("zh", f"最近 200 条（共 {timeline} 条）"),
                               ("en", f"the latest 200 of {timeline}")):
                pg.goto(f"{base}/enterprises/{ent['id']}?lang={lang}")
                assert pg.inner_text("#patents h2 small") == str(total)
                assert pg.inner_text("#timeline h2 small") == str(timeline)
                assert pg.inner_text("#timeline-cut") == note
                assert pg.locator("#timeline ol.timeline li").count() == 200
            browser.close()
    scored = [x["raw"] for d in score["dimensions"].values() for x in d["contributions"] if x["signal"] == "patents"]
    assert scored == [total], scored
