"""The thin web layer's seams: one JSON encoding for API and CLI, a current user on every route, routes
without SQL, the app split by feature."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import sys
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi import HTTPException  # noqa: E402
from fastapi.routing import APIRoute  # noqa: E402
from web_util import local_client  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run  # noqa: E402

from zhaoshang.core import jsonenc  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.interfaces.web.deps import current_user  # noqa: E402
from zhaoshang.services.team.roles import ROLES, User  # noqa: E402

PAGES = Path(__file__).resolve().parents[1] / "src/zhaoshang/interfaces/web/pages"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("seams") / "fx.duckdb")
    matrix_fixture.build(path)
    return path


@pytest.fixture()
def app(db):
    return create_app(db)


def strict_loads(text: str):
    def refuse(c):
        raise ValueError(f"not JSON: {c}")
    return json.loads(text, parse_constant=refuse)


def test_encoder_values():
    doc = {"d": dt.date(2024, 2, 29), "t": dt.datetime(2024, 1, 2, 11, 4, 5, tzinfo=ZoneInfo("Asia/Shanghai")), "n": decimal.Decimal("1.50"),
           "nan": math.nan, "inf": [math.inf], "s": {"b", "a"}, "tuple": (1, "二"), 3: "int key", "u": User(7, "张三", "viewer")}
    text = jsonenc.dumps(doc)
    back = strict_loads(text)  # NaN / Infinity are not JSON: they become null
    # a moment in UTC with its zone (test_stored_moments.py), a date as the date
    assert back == {"d": "2024-02-29", "t": "2024-01-02T03:04:05.000000Z", "n": 1.5, "nan": None, "inf": [None],
                    "s": ["a", "b"], "tuple": [1, "二"], "3": "int key",
                    "u": {"id": 7, "name": "张三", "role": "viewer", "is_anonymous": False, "via": "session",
                          "permissions": []}}
    assert "二" in text and "\\u" not in text  # Chinese stays readable
    assert jsonenc.dumpb({"x": 1}) == b'{"x":1}'


def test_cli_and_api_give_the_same_json(db, app):
    """The chain command and its JSON twin call one service and one encoder: byte-identical documents."""
    cli = run("chain", "--region", "330100", "--top", "2", "--format", "json", db=db).stdout.strip()
    api = local_client(app).get("/api/chain?region=330100&top=2")
    assert api.status_code == 200
    assert api.text == cli


def test_local_user_by_default(app):
    c = local_client(app)
    assert c.get("/api/meta").json()["user"] == {"id": None, "name": "local", "role": "admin", "is_anonymous": True}
    assert 'id="current-user"' not in c.get("/map").text  # nobody to name on one's own machine


def test_current_user_reaches_pages_and_twins(app):
    app.dependency_overrides[current_user] = lambda: User(7, "王分析", "analyst", permissions=ROLES["analyst"])
    c = local_client(app)
    assert c.get("/api/meta").json()["user"] == {"id": 7, "name": "王分析", "role": "analyst", "is_anonymous": False}
    page = c.get("/enterprises/1")
    assert page.status_code == 200 and re.search(r'id="current-user"[^>]*>[^<]*王分析', page.text)


def _sample(path: str) -> str:
    values = {"code": "330100", "key": "1"}
    return re.sub(r"\{(\w+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "1"), path)


def test_every_route_runs_the_user_dependency(app):
    """Replacing ``current_user`` with one that refuses everybody refuses every route: the one place logins
    will plug in."""
    def nobody():
        raise HTTPException(status_code=401, detail="login required")

    app.dependency_overrides[current_user] = nobody
    c = local_client(app)
    routes = [r for r in app.routes if isinstance(r, APIRoute) and "GET" in r.methods]
    assert len(routes) >= 20
    for r in routes:
        url = _sample(r.path)
        assert c.get(url, follow_redirects=False).status_code == 401, url


def test_app_split_by_feature():
    """One router module per feature; no module builds SQL (routes call services)."""
    mods = {p.stem for p in PAGES.glob("*.py")} - {"__init__"}
    assert {"map", "chain", "enterprises", "meta", "region", "trends", "network"} <= mods
    for p in PAGES.glob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\b", text), f"SQL in route module {p.name}"
        assert ".query(" not in text and ".execute(" not in text, f"store access in route module {p.name}"
    app_py = (PAGES.parent / "app.py").read_text(encoding="utf-8")
    assert "@app.get" not in app_py and "SELECT" not in app_py


@pytest.mark.parametrize("cli,url,part", [
    (["recommend", "330100", "--top", "3"], "/api/recommend/330100?top=3", None),
    (["concentration", "--level", "city"], "/api/concentration?level=city", None),
    (["complexity", "--level", "province"], "/api/complexity?level=province", "rows"),
    (["search", "科技", "--limit", "5"], "/api/search?q=科技&limit=5", None),
])
def test_analytics_twins_answer_like_the_commands(db, app, cli, url, part):
    """recommend, concentration, complexity and search: the route and ``--format json`` of the command call
    one service and one encoder (complexity prints its rows)."""
    out = strict_loads(run(*cli, "--format", "json", db=db).stdout)
    r = local_client(app).get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = strict_loads(r.text)
    assert (doc[part] if part else doc) == out
    assert doc != [] and doc != {}


def test_analytics_twins_refuse_cleanly(app):
    c = local_client(app)
    assert c.get("/api/recommend/不存在的地方").status_code in (400, 404)
    assert c.get("/api/complexity?by=nonsense").status_code == 400
    assert c.get("/api/concentration?as_of=2024-02-30").status_code == 400
    for url in ("/api/concentration?as_of=null", "/api/enterprises?as_of=nan", "/api/trends?start=-"):  # were 500s
        r = c.get(url)
        assert r.status_code == 400 and "YYYY" in r.json()["error"], (url, r.text)
    assert c.get("/api/search").status_code == 400


def test_every_date_field_is_the_shared_one():
    """No page has a date input of its own (the browser would write it in its locale: 12/31/2025 on a Chinese
    page): every one is the macro of templates/_date.html, and every page loads its script."""
    tpl = Path(__file__).resolve().parents[1] / "src/zhaoshang/interfaces/web/templates"
    own = [p.name for p in tpl.glob("*.html") if p.name != "_date.html" and re.search(r"type=.?date\b", p.read_text("utf-8"))]
    users = [p.name for p in tpl.glob("*.html") if "date_input(" in p.read_text("utf-8") and p.name != "_date.html"]
    assert own == [] and len(users) >= 10, (own, users)
    assert '<script src="/static/dates.js"></script>' in (tpl / "base.html").read_text("utf-8")
