"""Access on a team server, for every route the app has (enumerated from its router, not a hand-kept list):
anonymous callers are refused, under-privileged callers are refused, a viewer never receives an unmasked phone
number or e-mail address; unmasked reads and exports are audited; sessions, CSRF, throttling, tokens and
security headers behave."""

from __future__ import annotations

import json
import re
import sys
import warnings
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.routing import APIRoute  # noqa: E402
from conftest import light_password_hashes  # noqa: E402
from web_util import local_client  # noqa: E402
from starlette.routing import Mount  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from zhaoshang.core.errors import UserError  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.interfaces.web.app import create_app  # noqa: E402
from zhaoshang.interfaces.web.auth import required_permission  # noqa: E402
from zhaoshang.services.team import accounts, audit  # noqa: E402

PW = "a long enough password"
PHONE_RE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])")  # a mobile number, not the digits of a decimal
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z.]+")


@pytest.fixture(scope="module", autouse=True)
def _light_password_hashes():
    """Argon2 at its lowest cost for the module: it adds users, signs them in and refuses guesses some forty times
    (conftest.light_password_hashes)."""
    with light_password_hashes():
        yield


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    """The synthetic demo (scale 600) with full phone numbers on its contacts (the demo ships them masked)."""
    d = tmp_path_factory.mktemp("access")
    db = d / "demo.duckdb"
    demo_copy(db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE contacts SET phone = '1380013' || lpad(CAST(id AS VARCHAR), 4, '0')")
    contacts = con.execute("SELECT enterprise_id, phone, email FROM contacts WHERE enterprise_id IS NOT NULL "
                           "ORDER BY id").fetchall()
    person_holder = con.execute("SELECT enterprise_id, holder_name FROM shareholdings WHERE holder_type = 'person' "
                                "ORDER BY id LIMIT 1").fetchone()
    node = con.execute("SELECT code FROM chain_nodes ORDER BY position NULLS LAST LIMIT 1").fetchone()[0]
    con.close()
    assert contacts and all(EMAIL_RE.fullmatch(e) for _, _, e in contacts)
    return {"db": db, "dir": d, "contacts": contacts, "person_holder": person_holder, "node": node,
            "phones": {p for _, p, _ in contacts}, "emails": {e for _, _, e in contacts}}


@pytest.fixture(scope="module")
def server(demo):
    """The app as a team server (not local-only), with an admin, an analyst and a viewer holding API tokens."""
    team = open_team_db(str(demo["dir"] / "team.sqlite"))
    tokens = {}
    for name, role in (("admin1", "admin"), ("ana", "analyst"), ("vera", "viewer")):
        accounts.add_user(team, name, role, PW, "cli:test")
        tokens[role] = accounts.create_token(team, name, "test", "cli:test")["token"]
    app = create_app(str(demo["db"]), team=team, local_only=False)
    return {"app": app, "team": team, "tokens": tokens, "client": local_client(app, follow_redirects=False)}


def _sample(name: str, demo: dict) -> str:
    return {"key": str(demo["contacts"][0][0]), "code": "330100", "name": "vera", "token_id": "1",
            "node": demo["node"], "format": "csv"}.get(name, "1")


def routes(app, demo) -> list[tuple[str, str, str]]:
    """(method, concrete URL, path template) for every route of the app."""
    out = []
    for r in app.routes:
        if isinstance(r, Mount):
            out.append(("GET", r.path + "/app.css", r.path))
            continue
        path = r.path
        url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: _sample(m.group(1), demo), path)
        query = []
        if isinstance(r, APIRoute):
            for p in r.dependant.query_params:
                if p.field_info.is_required() or p.name == "format":
                    query.append(f"{p.alias}={_sample(p.name, demo)}")
        for m in sorted(r.methods or {"GET"}):
            if m != "HEAD":
                out.append((m, url + ("?" + "&".join(query) if query else ""), path))
    return out


def _bearer(server, role):
    return {"Authorization": f"Bearer {server['tokens'][role]}"}


SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def test_every_route_refuses_anonymous_callers(server, demo):
    c = server["client"]
    all_routes = routes(server["app"], demo)
    assert len(all_routes) >= 25 and any(p == "/api/enterprises/{key}" for _, _, p in all_routes)
    for method, url, path in all_routes:
        r = c.request(method, url)
        for h in SECURITY_HEADERS:
            assert h in r.headers, (url, h)
        assert "'unsafe-inline'" not in r.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        if path in ("/login", "/static"):  # open to anyone; a login post still needs its CSRF token
            assert r.status_code == (403 if method == "POST" else 200), (method, url)
            continue
        assert r.status_code in (401, 303), (method, url, r.status_code)
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login?next="), url
        else:
            assert r.json()["status"] == 401
        assert not PHONE_RE.search(r.text) and not EMAIL_RE.search(r.text)


def test_under_privileged_callers_are_refused(server, demo):
    c = server["client"]
    admin_routes = [(m, u) for m, u, p in routes(server["app"], demo) if p.startswith(("/admin", "/api/admin"))]
    assert len(admin_routes) >= 8
    for role in ("viewer", "analyst"):
        for method, url in admin_routes:
            r = c.request(method, url, headers=_bearer(server, role))
            assert r.status_code == 403, (role, method, url, r.status_code)
    for method, url in admin_routes:
        if method == "GET":
            got = c.get(url, headers=_bearer(server, "admin"))
            assert got.status_code == 200, url
            # HEAD (a probe, a link checker) is the GET through the same checks: its status and length, no body
            head = c.head(url, headers=_bearer(server, "admin"))
            assert (head.status_code, head.content) == (200, b""), url
            if "/audit" not in url:  # the audit log has grown by the GET's own entry since
                assert head.headers.get("content-length") == got.headers.get("content-length"), url
            assert c.head(url, headers=_bearer(server, "viewer")).status_code == 403, url
            assert c.head(url).status_code in (401, 303), url
    assert c.get("/api/admin/users", headers={"Authorization": "Bearer zs_forged"}).status_code == 401


def test_no_response_to_a_viewer_holds_an_unmasked_phone_or_email(server, demo):
    c = server["client"]
    seen_profile = False
    for method, url, path in routes(server["app"], demo):
        if method != "GET" or required_permission(path) in ("admin", "data_update"):
            continue  # (refused to a viewer: see test_under_privileged_callers_are_refused)
        if path.endswith("/stream"):  # a live stream never ends: its status and first message are enough
            with c.stream("GET", url, headers=_bearer(server, "viewer")) as r:
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), url
                first = next(r.iter_text())
                assert "ready" in first and not PHONE_RE.search(first) and not EMAIL_RE.search(first), url
            continue
        r = c.get(url, headers=_bearer(server, "viewer"))
        assert r.status_code not in (401, 403, 500), (url, r.status_code)
        text = r.content.decode("utf-8", "replace")
        assert not PHONE_RE.search(text), (url, PHONE_RE.search(text).group(0))
        assert not [p for p in demo["phones"] if p in text], url
        leaked = [e for e in EMAIL_RE.findall(text) if e in demo["emails"]]
        assert not leaked, (url, leaked)
        if path == "/api/enterprises/{key}":
            seen_profile = True
            doc = r.json()
            assert doc["masked"] and doc["contacts"] and all("****" in x["phone"] for x in doc["contacts"])
    assert seen_profile


def test_analyst_sees_personal_data_and_each_read_is_audited(server, demo):
    c = server["client"]
    eid, phone, email = demo["contacts"][0]
    r = c.get(f"/api/enterprises/{eid}", headers=_bearer(server, "analyst"))
    doc = r.json()
    assert not doc["masked"] and phone in r.text and email in r.text
    page = c.get(f"/enterprises/{eid}", headers=_bearer(server, "analyst"))
    assert phone in page.text
    viewer_page = c.get(f"/enterprises/{eid}", headers=_bearer(server, "viewer")).text
    assert phone not in viewer_page and "contacts-masked" in viewer_page
    entries = audit.search(server["team"], actor="ana", action="person.read")["rows"]
    assert len(entries) >= 2 and entries[0]["target"] == f"enterprise:{eid}" and entries[0]["ip"]
    assert entries[0]["role"] == "analyst" and '"contacts"' in entries[0]["detail"]
    # private individuals' shareholdings: masked for the viewer, whole for the analyst
    heid, holder = demo["person_holder"]
    vdoc = c.get(f"/api/enterprises/{heid}", headers=_bearer(server, "viewer")).json()
    adoc = c.get(f"/api/enterprises/{heid}", headers=_bearer(server, "analyst")).json()
    assert holder in [s["holder_name"] for s in adoc["shareholders"]]
    assert holder not in [s["holder_name"] for s in vdoc["shareholders"]]
    assert all(s["holder_person_id"] is None for s in vdoc["shareholders"] if s["holder_type"] == "person")


def test_exports_are_audited_and_the_log_is_read_only(server, demo):
    c = server["client"]
    server["app"].state.web.export_limits._buckets.clear()  # the route walk above spent the viewer's export allowance
    r = c.get("/api/enterprises/export?format=csv&region=330000&q=%E6%99%BA%E8%83%BD+%E7%A7%91%E6%8A%80",
              headers=_bearer(server, "viewer"))
    assert r.status_code == 200
    e = audit.search(server["team"], actor="vera", action="export")["rows"]
    assert e and "region=330000" in e[0]["detail"]
    assert json.loads(e[0]["detail"])["query"] == "format=csv&region=330000&q=智能 科技"  # readable, not %E6%99%BA…
    log = c.get("/api/admin/audit?action=export", headers=_bearer(server, "admin")).json()
    assert log["total"] >= 1 and log["chain"]["ok"]
    backwards = c.get("/api/admin/audit?since=2024-03-05&until=2024-03-01", headers=_bearer(server, "admin"))
    assert backwards.status_code == 400 and "2024-03-05" in backwards.json()["error"], backwards.text
    csv = c.get("/api/admin/audit/export?actor=vera", headers=_bearer(server, "admin"))
    assert csv.status_code == 200 and "export" in csv.content.decode("utf-8-sig")
    # the export's headers in the page's language, the audit log's own words (角色 not 职务, 对象 not 投递地址)
    head = csv.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert head == ["编号", "时间 (UTC+8)", "用户", "角色", "动作", "对象", "详情", "来源地址"], head
    en = c.get("/api/admin/audit/export?actor=vera&lang=en", headers=_bearer(server, "admin"))
    assert en.content.decode("utf-8-sig").splitlines()[0].split(",") == [
        "ID", "Time (UTC+8)", "User", "Role", "Action", "Target", "Detail", "From"]
    # no route edits or deletes audit entries
    for r in server["app"].routes:
        if "audit" in getattr(r, "path", ""):
            assert set(getattr(r, "methods", {"GET"})) <= {"GET", "HEAD"}, r.path


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_session_cookie_csrf_logout_and_idle_timeout(server):
    c = local_client(server["app"], follow_redirects=False)
    page = c.get("/login?next=/enterprises")
    token = _csrf(page.text)
    no_token = c.post("/login", data={"name": "vera", "password": PW})
    assert no_token.status_code == 403  # no CSRF token: told on a page that, as the login page, leads nowhere inside
    assert "CSRF" in no_token.text and "<nav>" not in no_token.text and 'id="nav-docs"' not in no_token.text
    bad = c.post("/login", data={"name": "vera", "password": "wrong password", "csrf_token": token})
    assert bad.status_code == 401 and "错误" in bad.text
    r = c.post("/login", data={"name": "vera", "password": PW, "csrf_token": token, "next": "https://evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"  # never sent off-site
    cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("zs_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    home = c.get("/enterprises")
    assert home.status_code == 200 and 'id="current-user" title="viewer">vera' in home.text
    assert c.get("/admin").status_code == 403
    assert c.post("/logout").status_code == 403  # the session's CSRF token is required
    with server["team"].tx() as tx:  # idle beyond the timeout: the session has ended
        tx.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00.000000Z' WHERE user_id = "
                   "(SELECT id FROM users WHERE name = 'vera')")
    assert c.get("/enterprises").status_code == 303
    r = c.post("/login", data={"name": "vera", "password": PW, "csrf_token": _csrf(c.get("/login").text)})
    assert r.status_code == 303
    out = c.post("/logout", data={"csrf_token": _csrf(c.get("/map").text)})
    assert out.status_code == 303 and c.get("/map").status_code == 303


def test_malformed_credentials_and_bodies_are_refused_not_errors(server):
    c = local_client(server["app"], follow_redirects=False, raise_server_exceptions=False)
    c.cookies.set("zs_session", "not.a.signed.value")
    assert c.get("/api/me").status_code == 401
    c.cookies.clear()
    assert c.get("/api/me", headers={"Authorization": "Bearer zs_\u00e9\u00e9".encode("utf-8")}).status_code == 401
    for ctype in ("multipart/form-data", "multipart/form-data; boundary=x"):  # no boundary; a part without a name
        bad = c.post("/login", content=b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--",
                     headers={"Content-Type": ctype})
        assert bad.status_code == 403, ctype


def test_admin_page_manages_users_and_tokens(server):
    c = local_client(server["app"], follow_redirects=False)
    c.post("/login", data={"name": "admin1", "password": PW, "csrf_token": _csrf(c.get("/login").text)})
    page = c.get("/admin")
    assert page.status_code == 200 and 'data-user="vera"' in page.text and "audit-table" in page.text
    t = _csrf(page.text)
    assert c.post("/admin/users", data={"name": "newbie", "role": "analyst", "password": PW, "csrf_token": t}).status_code == 303
    made = c.post("/admin/tokens", data={"user": "newbie", "label": "etl", "csrf_token": t})
    raw = re.search(r'id="new-token-value">(zs_[^<]+)<', made.text).group(1)
    assert local_client(server["app"]).get("/api/me", headers={"Authorization": f"Bearer {raw}"}).json()["role"] == "analyst"
    assert raw not in c.get("/admin").text  # shown once
    tid = accounts.list_tokens(server["team"], "newbie")[0]["id"]
    c.post(f"/admin/tokens/{tid}/revoke", data={"csrf_token": t})
    assert local_client(server["app"]).get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    c.post("/admin/users/newbie/disable", data={"csrf_token": t})
    assert accounts.get(server["team"], "newbie").disabled
    actions = {r["action"] for r in audit.search(server["team"], actor="admin1")["rows"]}
    assert {"login", "user.add", "token.create", "token.revoke", "user.disable"} <= actions


def test_login_throttled_over_http(server):
    c = local_client(server["app"], follow_redirects=False)
    accounts.add_user(server["team"], "target", "viewer", PW, "cli:test")
    t = _csrf(c.get("/login").text)
    codes = [c.post("/login", data={"name": "target", "password": "nope nope nope", "csrf_token": t}).status_code
             for _ in range(accounts.MAX_FAILURES)]
    r = c.post("/login", data={"name": "target", "password": PW, "csrf_token": t})
    assert codes == [401] * accounts.MAX_FAILURES and r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_an_outsider_guessing_elsewhere_does_not_keep_a_user_out_over_http(server):
    """After ACCOUNT_LIMIT failures for a name from other addresses, its user still signs in on the login page from
    the address she signed in from before; a new address is refused (429)."""
    c = local_client(server["app"], follow_redirects=False)
    accounts.add_user(server["team"], "known", "viewer", PW, "cli:test")
    t = _csrf(c.get("/login").text)
    assert c.post("/login", data={"name": "known", "password": PW, "csrf_token": t}).status_code == 303
    for i in range(accounts.ACCOUNT_LIMIT):
        with pytest.raises(UserError):
            accounts.authenticate(server["team"], "known", "a guess %d" % i, f"192.0.2.{i}")
    with pytest.raises(accounts.Throttled):
        accounts.authenticate(server["team"], "known", PW, "192.0.2.250")
    c = local_client(server["app"], follow_redirects=False)
    t = _csrf(c.get("/login").text)
    r = c.post("/login", data={"name": "known", "password": PW, "csrf_token": t})
    assert r.status_code == 303, r.text[:300]


def test_local_only_server_needs_no_login_but_not_through_a_proxy(demo, server):
    local = local_client(create_app(str(demo["db"]), team=server["team"], local_only=True), follow_redirects=False)
    assert local.get("/map").status_code == 200
    assert local.get("/api/me").json()["is_anonymous"] is True
    assert local.get("/map", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 303
    # a script's POST (no session, no page's token, a JSON body) is told it needs an API token, in both languages —
    # it cannot reload a page; a page's request with a stale token is still told to reload (the CSRF check unchanged)
    r = local.post("/api/events", json={"enterprise": "x", "type": "funding", "date": "2026-12-06", "title": "t"})
    doc = r.json()
    assert r.status_code == 403 and "zhaoshang users token create" in doc["error_zh"] and "API 令牌" in doc["error_zh"], doc
    assert "Authorization: Bearer <token>" in doc["error_en"] and "Events from other systems" in doc["error_en"], doc
    assert "刷新页面" not in doc["error_zh"] and not re.search(r"[\u4e00-\u9fff]", doc["error_en"]), doc
    stale = local.post("/api/events", json={}, headers={"X-CSRF-Token": "stale"}).json()
    assert stale["error_en"] == "missing or invalid CSRF token: reload the page and try again", stale
    docs = local.get("/docs")
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text and "<script>" not in docs.text
    assert "cdn" not in docs.text.lower()


def test_permission_rules_cover_routes_yet_to_come():
    """A route added later is protected by the one rule set: uploads need data_update, other writes team_write."""
    from zhaoshang.interfaces.web.auth import required_permission
    from zhaoshang.services.team.roles import ROLES

    assert required_permission("/api/updates/upload", "POST") == "data_update"
    assert required_permission("/api/watchlists", "POST") == "team_write"
    assert required_permission("/api/watchlists", "GET") == "read"
    # marking one's own alerts read is the reader's own state, not the team's records: any reader may
    assert required_permission("/api/alerts/read", "POST") == required_permission("/alerts/read", "POST") == "read"
    assert required_permission("/api/alerts/rules", "POST") == "team_write"
    assert required_permission("/static/app.css") is None and required_permission("/login", "POST") is None
    assert not ROLES["viewer"] & {"team_write", "data_update", "personal", "admin"}
    assert "data_update" not in ROLES["analyst"] and "data_update" in ROLES["admin"]


def test_the_role_table_in_the_docs_is_the_one_in_the_code():
    """docs/security.md's role table (what a viewer may export among the rest) states what roles.py grants."""
    from zhaoshang.services.team.roles import PERMISSIONS, ROLES

    text = (Path(__file__).resolve().parents[1] / "docs/security.md").read_text(encoding="utf-8")
    rows = {m.group(1): [c.strip().startswith("✓") for c in m.group(2).split("|")[-4:-1]]
            for m in re.finditer(r"^\| `(\w+)` \|(.*)$", text, re.M)}
    assert set(rows) == set(PERMISSIONS)
    for perm, granted in rows.items():
        assert granted == [perm in ROLES[r] for r in ("admin", "analyst", "viewer")], perm
    assert "export" in ROLES["viewer"] and "Why viewers may export" in text


def test_two_server_processes_share_one_team_state_on_postgresql(demo, postgres_url):
    """Two app instances (as two server processes would) on one PostgreSQL team state: a session made by one
    is valid on the other; logout on one ends it on both; their audit entries form one chain."""
    from pg_util import fresh_schema

    url = fresh_schema(postgres_url)
    team_a, team_b = open_team_db(url), open_team_db(url)
    accounts.add_user(team_a, "pgboss", "admin", PW, "cli:test")
    a = local_client(create_app(str(demo["db"]), team=team_a, local_only=False), follow_redirects=False)
    b = local_client(create_app(str(demo["db"]), team=team_b, local_only=False), follow_redirects=False)
    r = a.post("/login", data={"name": "pgboss", "password": PW, "csrf_token": _csrf(a.get("/login").text)})
    assert r.status_code == 303
    b.cookies.set("zs_session", a.cookies.get("zs_session"))
    assert b.get("/api/me").json()["name"] == "pgboss"
    eid = demo["contacts"][0][0]
    assert b.get(f"/api/enterprises/{eid}").json()["masked"] is False
    a.post("/logout", data={"csrf_token": _csrf(a.get("/map").text)})
    assert b.get("/api/me").status_code == 401
    chain = audit.verify(team_b)
    assert chain["ok"] and chain["entries"] >= 4  # user.add, login, person.read, logout


def test_a_local_only_server_is_not_the_local_user_for_a_page_that_rebinds_its_name(demo, server):
    """DNS rebinding: a web page points its own domain at 127.0.0.1 and calls the local-only server from the user's
    browser. The call comes from 127.0.0.1 without proxy headers, but names the page's domain as its host: it gets
    nothing (no data, no CSRF token); callers naming the machine (127.0.0.1, localhost, [::1]) are the local user."""
    from fastapi.testclient import TestClient

    app = create_app(str(demo["db"]), team=server["team"], local_only=True)
    evil = TestClient(app, base_url="http://evil.example:8800", follow_redirects=False)
    assert evil.get("/api/enterprises", params={"limit": 1}).status_code == 401
    page = evil.get("/map")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    for host in ("127.0.0.1:8800", "localhost:8800", "[::1]:8800", "LOCALHOST"):
        local = TestClient(app, base_url="http://" + host, follow_redirects=False)
        assert local.get("/api/me").json()["is_anonymous"] is True, host
        assert local.get("/map").status_code == 200, host


def test_the_admin_page_shows_only_what_the_server_said_in_the_language_it_is_read_in(server):
    """A change's outcome comes back signed by the server: a link with its own text (?error=请到 http://… 重新登录)
    puts nothing in the admin page's boxes, a forged note neither; the server's own note reads in the page's language,
    whichever language the change was made in; revoking a revoked token says so."""
    c = local_client(server["app"], follow_redirects=False)
    c.post("/login", data={"name": "admin1", "password": PW, "csrf_token": _csrf(c.get("/login").text)})
    phish = "会话已过期，请到 http://zhaoshang-login.example.cn 重新登录"
    for q in ({"error": phish}, {"done": phish}, {"note": phish}):
        page = c.get("/admin", params=q)
        assert page.status_code == 200  # (the address may be kept in the language links; no box shows it)
        assert 'id="admin-error"' not in page.text and 'id="admin-done"' not in page.text
    t = _csrf(c.get("/admin").text)
    tok = accounts.create_token(server["team"], "vera", "note-test", "cli:test")
    tid = next(r["id"] for r in accounts.list_tokens(server["team"], "vera") if r["label"] == "note-test")
    back = c.post(f"/admin/tokens/{tid}/revoke?lang=zh", data={"csrf_token": t}).headers["location"]
    assert "revoked" not in back and "吊销" not in unquote(back)  # the words are not in the address
    assert f"已吊销令牌 #{tid}" in c.get(back + "&lang=zh").text
    assert f"token #{tid} revoked" in c.get(back + "&lang=en").text
    again = c.post(f"/admin/tokens/{tid}/revoke", data={"csrf_token": t}).headers["location"]
    page = c.get(again + "&lang=en").text
    assert 'id="admin-error"' in page and f"token #{tid} (vera) was already revoked at" in page
    assert tok["token"].startswith("zs_")


def test_an_api_error_speaks_the_language_the_caller_accepts(server):
    """An API error ({"error": "需要登录"}) was Chinese unless the URL said ?lang=en; a script's Accept-Language was
    ignored. The one language choice of the pages (?lang, then the cookie) reads the caller's Accept-Language for an
    API error when neither is given — English when English is preferred to Chinese — and the error carries both
    languages (error_zh, error_en) where the refusal has both: a refused login, a refused role, a bad parameter, a
    missing record. Pages keep their language (Chinese by default)."""
    c = local_client(server["app"], follow_redirects=False)  # a caller of its own: no language cookie yet
    en = {"Accept-Language": "en-US,en;q=0.9"}
    zh = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
    got = c.get("/api/leads", headers=en)
    # a script not signed in is told how it gets in: a login on the page, or an API token and where to make one
    zh_said = "需要登录：在网页上登录，或在请求头带上 API 令牌 Authorization: Bearer <令牌>（用 zhaoshang users token create 创建）"
    en_said = ("login required: sign in on the web page, or send an API token as Authorization: Bearer <token> (create "
               "one with zhaoshang users token create)")
    assert got.status_code == 401 and got.json() == {"error": en_said, "status": 401,
                                                      "error_zh": zh_said, "error_en": en_said}, got.json()
    assert c.get("/api/leads", headers=zh).json()["error"] == zh_said
    assert c.get("/api/leads").json()["error"] == zh_said  # no preference: Chinese, as before
    assert c.get("/api/leads?lang=zh", headers=en).json()["error"] == zh_said  # ?lang first
    viewer = _bearer(server, "viewer")
    refused = c.post("/api/pipeline", json={"enterprise": "1", "region": "330100"}, headers={**viewer, **en})
    assert refused.status_code == 403 and refused.json()["error"] == refused.json()["error_en"] != refused.json()["error_zh"]
    bad = c.get("/api/leads?top=0", headers={**_bearer(server, "analyst"), **en})
    assert bad.status_code == 400 and not re.search(r"[\u4e00-\u9fff]", bad.json()["error"]), bad.json()
    assert bad.json()["error_en"] == bad.json()["error"] and re.search(r"[\u4e00-\u9fff]", bad.json()["error_zh"])
    missing = c.get("/api/enterprises/999999999", headers={**_bearer(server, "analyst"), **en})
    assert missing.status_code == 404 and missing.json()["error"] == missing.json()["error_en"], missing.json()
    assert re.search(r"[\u4e00-\u9fff]", missing.json()["error_zh"]), missing.json()
    page = c.get("/leads", headers={**_bearer(server, "analyst"), **en})  # a page: its own language choice
    assert page.status_code == 200 and '<html lang="zh' in page.text
