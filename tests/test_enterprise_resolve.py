"""One enterprise resolver for every command, page and API route: a short name several enterprises share is refused
with them listed (name, id, region), never quietly read as the one with the lowest id; a full name, a credit code, an id and an alias one enterprise owns still resolve."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from cli_util import run, run_json


@pytest.fixture(scope="module")
def demo(demo_db):
    db = demo_db
    with duckdb.connect(str(db), read_only=True) as con:
        shared = con.execute(
            """SELECT alias, list(DISTINCT enterprise_id ORDER BY enterprise_id) FROM enterprise_aliases
               WHERE alias NOT IN (SELECT name FROM enterprises)
               GROUP BY alias HAVING count(DISTINCT enterprise_id) >= 2 ORDER BY alias LIMIT 1""").fetchone()
        own = con.execute(
            """SELECT alias, min(enterprise_id) FROM enterprise_aliases WHERE kind = 'short'
               AND alias NOT IN (SELECT name FROM enterprises)
               GROUP BY alias HAVING count(DISTINCT enterprise_id) = 1 ORDER BY alias LIMIT 1""").fetchone()
        names = dict(con.execute("SELECT id, name FROM enterprises WHERE id = ANY(?)", [shared[1]]).fetchall())
        first = con.execute("SELECT name, uscc FROM enterprises WHERE id = ?", [shared[1][0]]).fetchone()
    return {"db": db, "alias": shared[0], "ids": shared[1], "names": names, "own": own, "first": first}


def _listed(demo, text: str) -> bool:
    return all(f"{demo['names'][i]}" in text and str(i) in text for i in demo["ids"])


@pytest.mark.parametrize("cmd", [
    ["score", "{a}"],
    ["show", "{a}"],
    ["events", "--enterprise", "{a}"],
    ["alerts", "rules", "add", "歧义规则", "--enterprise", "{a}"],
    ["placements", "remove", "{a}", "D14", "--reason", "探测"],
    ["placements", "add", "{a}", "D14", "--reason", "探测"],
])
def test_a_shared_alias_is_refused_listing_every_owner(demo, cmd):
    args = [c.format(a=demo["alias"]) for c in cmd]
    p = run(*args, db=demo["db"], check=False)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert p.stderr.startswith(f"错误: 企业简称有歧义：{demo['alias']}") and _listed(demo, p.stderr), p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    en = run("--lang", "en", *args, db=demo["db"], check=False)
    assert en.returncode == 2 and f"ambiguous enterprise name: {demo['alias']}" in en.stderr and _listed(demo, en.stderr)
    # nothing was recorded on any of them
    assert not run_json("alerts", "rules", "list", db=demo["db"]) or all(
        r.get("name") != "歧义规则" for r in run_json("alerts", "rules", "list", db=demo["db"]))


def test_a_full_name_credit_code_id_or_own_alias_still_resolves(demo):
    eid = demo["ids"][0]
    name, uscc = demo["first"]
    for key in (name, uscc, str(eid)):
        assert run_json("show", key, db=demo["db"])["enterprise"]["id"] == eid, key
    alias, owner = demo["own"]
    assert run_json("show", alias, db=demo["db"])["enterprise"]["id"] == owner


def test_the_web_refuses_a_shared_alias_with_the_candidates(demo):
    from web_util import local_client
    from zhaoshang.interfaces.web.app import create_app

    c = local_client(create_app(str(demo["db"])))
    a = demo["alias"]
    r = c.get(f"/api/enterprises/{a}/score")
    assert r.status_code == 404 and a in r.json()["error"], r.text
    assert [x["id"] for x in r.json()["candidates"]] == demo["ids"]
    assert all(x["name"] == demo["names"][x["id"]] and "region" in x for x in r.json()["candidates"])
    r = c.get(f"/api/enterprises/{a}")
    assert r.status_code == 404 and [x["id"] for x in r.json()["candidates"]] == demo["ids"]
    for lang, head in (("zh", "这个简称对应多家企业"), ("en", "This short name belongs to several enterprises")):
        page = c.get(f"/enterprises/{a}?lang={lang}")
        assert page.status_code == 404 and head in page.text and 'id="enterprise-choices"' in page.text
        for i in demo["ids"]:
            assert f'href="/enterprises/{i}?lang={lang}"' in page.text and demo["names"][i] in page.text
    boot = re.search(r'<script type="application/json" id="zs-boot">(.*?)</script>', c.get("/enterprises").text).group(1)
    h = {"X-CSRF-Token": json.loads(boot)["csrf"]}
    r = c.post("/api/events", headers=h, json={"enterprise": a, "type": "personnel", "date": "2024-06-01", "title": "总经理变更"})
    assert r.status_code == 404 and [x["id"] for x in r.json()["candidates"]] == demo["ids"], r.text
    r = c.post("/api/events", headers=h, json={"enterprise": demo["first"][0], "type": "personnel", "date": "2024-06-01",
                                    "title": "总经理变更"})
    assert r.status_code == 200, r.text
