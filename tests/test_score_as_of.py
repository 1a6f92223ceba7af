"""A scorecard as of a date names the enterprise as it was named then (as `show --as-of` does), and an enterprise
without one says why: deregistered on its date (with an earlier date to try) or founded later."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from cli_util import run, run_json


@pytest.fixture(scope="module")
def demo(demo_db):
    db = demo_db
    with duckdb.connect(str(db), read_only=True) as con:
        renamed = con.execute(
            """SELECT e.id, h.old_value, e.name, h.changed_on FROM enterprise_history h JOIN enterprises e
               ON e.id = h.enterprise_id WHERE h.field = 'name' AND e.dissolved IS NULL AND h.old_value <> e.name
               AND e.founded < h.changed_on - INTERVAL 400 DAY
               AND NOT EXISTS (SELECT 1 FROM enterprise_history x WHERE x.enterprise_id = e.id AND x.field = 'name'
                               AND x.changed_on <> h.changed_on)
               ORDER BY e.id LIMIT 1""").fetchone()
        ended = con.execute(
            """SELECT id, name, dissolved FROM enterprises WHERE status = '注销' AND dissolved IS NOT NULL
               AND founded < dissolved - INTERVAL 30 DAY AND id NOT IN (SELECT enterprise_id FROM enterprise_history
               WHERE field = 'name') ORDER BY id LIMIT 1""").fetchone()
        young = con.execute("SELECT id, name, founded FROM enterprises WHERE founded > DATE '2015-01-01' AND id NOT IN "
                            "(SELECT enterprise_id FROM enterprise_history WHERE field = 'name') ORDER BY id LIMIT 1").fetchone()
    return {"db": db, "renamed": renamed, "ended": ended, "young": young}


def test_the_score_title_uses_the_name_of_the_date(demo):
    eid, old, new, changed = demo["renamed"]
    d = (changed - dt.timedelta(days=1)).isoformat()
    assert run_json("show", eid, "--as-of", d, db=demo["db"])["enterprise"]["name"] == old
    doc = run_json("score", eid, "--as-of", d, db=demo["db"])
    assert doc["name"] == old, doc["name"]
    assert run("score", eid, "--as-of", d, db=demo["db"]).stdout.lstrip().startswith(f"{old}：总分")
    assert run_json("score", eid, db=demo["db"])["name"] == new

    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(demo["db"])))
    assert c.get(f"/api/enterprises/{eid}/score?as_of={d}").json()["name"] == old
    # the profile as of the date: its JSON links (the page's twin, the scorecard's) answer for the same date
    page = c.get(f"/enterprises/{eid}?as_of={d}&lang=en").text
    assert f'id="sc-json" href="/api/enterprises/{eid}/score?as_of={d}"' in page, page
    assert f'href="/api/enterprises/{eid}?as_of={d}" id="json-twin"' in page
    # another page's twin too (the map's: the view's request, as of the date)
    assert f'href="/api/map?level=province&amp;metric=count&amp;as_of={d}" id="json-twin"' in c.get(f"/map?as_of={d}").text
    # the scorecard's method named in the page's language beside its version (an English word on the Chinese page)
    version = doc["version"]
    assert f'data-method="scorecard">scorecard {version}</span>' in page
    assert f'data-method="scorecard">评分卡 {version}</span>' in c.get(f"/enterprises/{eid}?as_of={d}&lang=zh").text


def test_a_deregistered_enterprise_says_so_with_an_earlier_date(demo):
    eid, name, ended = demo["ended"]
    before = ended - dt.timedelta(days=1)
    ref = run_json("score", demo["renamed"][0], db=demo["db"])["as_of"]  # the reference date
    p = run("score", eid, db=demo["db"], check=False)
    assert p.returncode == 2 and p.stderr.strip() == (
        f"错误: {name} 已于 {ended} 注销，在 {ref} 无法评估；"
        f"可评估更早的日期，如 --as-of {before}"), p.stderr
    en = run("--lang", "en", "score", eid, db=demo["db"], check=False)
    assert en.returncode == 2 and f"{name} was deregistered on {ended} (注销)" in en.stderr, en.stderr
    assert f"e.g. --as-of {before}" in en.stderr and "did not exist" not in en.stderr
    assert run_json("score", eid, "--as-of", before.isoformat(), db=demo["db"])["enterprise_id"] == eid

    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(demo["db"])))
    page = c.get(f"/enterprises/{eid}?lang=en").text  # the profile's scorecard box, in the page's language
    assert f"was deregistered on {ended} (注销)" in page and "无法评估" not in page
    # a page says the date to score it at, linked to the profile as of that date, not the command's option
    link = f'<a id="sc-earlier" href="/enterprises/{eid}?as_of={before}#scorecard">{before}</a>'
    assert f"score it as of an earlier date, e.g. as of {link}" in page and "--as-of" not in page, page
    zh = c.get(f"/enterprises/{eid}?lang=zh").text
    assert f"已于 {ended} 注销" in zh and f"可评估更早的日期，如截至 {link}" in zh and "--as-of" not in zh
    assert 'id="sc-total"' in c.get(f"/enterprises/{eid}?as_of={before}").text  # the link's page has the card


def test_an_enterprise_not_yet_founded_says_when_it_was(demo):
    eid, name, founded = demo["young"]
    p = run("--lang", "en", "score", eid, "--as-of", "2014-12-31", db=demo["db"], check=False)
    assert p.returncode == 2 and p.stderr.strip() == (
        f"error: {name} was founded on {founded}: it did not exist yet on 2014-12-31, no scorecard; "
        f"score it as of {founded} or later"), p.stderr
    zh = run("score", eid, "--as-of", "2014-12-31", db=demo["db"], check=False)
    assert f"{name} 于 {founded} 成立，在 2014-12-31 尚未成立" in zh.stderr
