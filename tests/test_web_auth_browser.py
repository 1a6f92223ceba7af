"""A team server in headless chromium: log in through the form, pages work under the Content-Security-Policy
(no inline script: a violation is a console error), the admin page, /docs from the package, log out."""

from __future__ import annotations

import datetime as _dt
import json
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import run  # noqa: E402
from test_audit_times import shown_as  # noqa: E402

from web_util import cut_placeholders, require_browser, serving, sign_in  # noqa: E402

pytestmark = pytest.mark.browser
PW = "a long enough password"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    require_browser()
    from web_util import VENDOR

    if not (VENDOR / "swagger-ui" / "swagger-ui-bundle.js").exists():
        pytest.skip("swagger-ui assets absent: run make setup-web")
    db = tmp_path_factory.mktemp("authweb") / "fx.duckdb"
    matrix_fixture.build(str(db))
    run("users", "add", "boss", "--role", "admin", "--password-stdin", db=db, input=PW + "\n")
    with serving(db, args=("--require-login",)) as url:
        yield url, db


@pytest.fixture(scope="module")
def base(served):
    return served[0]


def _login_status(base: str, name: str, password: str) -> int:
    import re

    import httpx

    with httpx.Client(base_url=base) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        return c.post("/login", data={"name": name, "password": password, "csrf_token": token}).status_code


_SIGNED_IN: dict = {}  # (server address, name) -> the browser state of a session signed in through the form


@contextmanager
def _signed_in(chromium, base: str, name: str = "boss", then: str | None = None):
    """A chromium page (on the module's browser: the ``chromium`` fixture) signed in as ``name``: through the login
    form the first time a test asks for ``name`` on the server, or when it asks for the page the form goes ``then``
    (``web_util.sign_in``); else in a context of its own that carries that session's cookie (the admin's checks need
    a session, not a new sign-in each)."""
    with chromium as b:
        if (base, name) in _SIGNED_IN and then is None:
            pg = b.new_page(storage_state=_SIGNED_IN[base, name])
        else:
            pg = b.new_page()
            sign_in(pg, base, name, PW, **({"then": then} if then else {}))
            _SIGNED_IN[base, name] = pg.context.storage_state()
        try:
            yield pg
        finally:
            b.close()


def test_login_pages_admin_docs_logout(base, chromium):
    with chromium as b:
        pg = b.new_page()
        errors = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(base + "/chain")
        assert "/login" in pg.url
        # the login page shows nothing of the site: no navigation, not even the API docs' link
        assert pg.locator(".side nav").count() == 0 and pg.locator("a[href='/docs']").count() == 0
        # and no shell command for a visitor to run: whom to ask
        assert "zhaoshang" not in pg.inner_text("main") and "系统管理员" in pg.inner_text("main")
        pg.fill("#login-name", "boss")
        pg.fill("#login-password", "wrong password")
        pg.click("#login-submit")
        assert "错误" in pg.inner_text("#login-error")
        errors.clear()  # the 401 of the failed login is reported on the console
        pg.fill("#login-name", "boss")
        pg.fill("#login-password", PW)
        pg.click("#login-submit")
        pg.wait_for_url("**/chain")
        assert pg.inner_text("#current-user") == "boss"
        assert pg.locator("#nav-docs").count() == 1  # signed in: the API docs' link is back
        for path, ready in (("/map", "#map canvas"), ("/chain", "#chain-form"),
                            ("/enterprises", "#filters"), ("/enterprises/1", "#people")):
            pg.goto(base + path)
            pg.wait_for_selector(ready, timeout=15000)
        pg.goto(base + "/admin")
        assert pg.locator('tr[data-user="boss"]').count() == 1
        assert pg.locator("#audit-table tbody tr").count() >= 2  # user.add and login
        for lang in ("zh", "en"):  # the new user's password field shows its placeholder whole
            pg.goto(base + f"/admin?lang={lang}")
            assert cut_placeholders(pg, "#add-user input[name=password]") == [], lang
        # the audit filter's days are read by the one date parser: a month until its last day, a day that does not
        # exist refused in one line (was compared as text: ?until=2026-12 left out December, 2026-13-01 found nothing)
        from zhaoshang.core.parse.dates import china_today

        month = china_today().strftime("%Y-%m")  # the days typed are China's
        pg.goto(base + f"/admin?until={month}&since={month}")
        assert pg.locator("#audit-table tbody tr").count() >= 2
        # refused through the page's session (its requests, not its console: the 400s stay off the check below)
        r = pg.request.get(base + "/admin?since=2026-02-30")
        assert r.status == 400 and "2026-02-30" in r.text()
        r = pg.request.get(base + "/api/admin/audit?until=" + (_dt.date.today() + _dt.timedelta(days=40)).isoformat())
        assert r.status == 400 and ("until date" in r.json()["error"] or "截止日期" in r.json()["error"]), r.json()
        pg.goto(base + "/docs")
        pg.wait_for_selector(".swagger-ui .opblock", timeout=20000)
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
        assert not errors, errors
        pg.goto(base + "/map")
        pg.click("#logout")
        pg.wait_for_url("**/login")
        pg.goto(base + "/map")
        assert "/login" in pg.url
        b.close()


def test_the_login_page_shows_nothing_of_the_data(base, tmp_path, chromium):
    """Before a login the page a team server shows everyone named every imported source with its data date and the
    database's reference date in its footer: now the footer shows neither until the user is signed in."""

    with chromium as b:
        pg = b.new_page()
        for lang in ("zh", "en"):
            pg.goto(base + f"/enterprises?lang={lang}")
            assert "/login" in pg.url
            foot = pg.inner_text("footer.foot")
            assert pg.locator("#as-of").count() == 0, foot
            assert not any(w in foot for w in ("截至", "数据来源", "As of", "Sources")), foot  # the synthetic label stays
            assert pg.inner_text("header.top h1") == {"zh": "登录", "en": "Log in"}[lang]  # the asked page's language
            assert pg.locator("aside nav a").count() == 0  # no page to go to before signing in
            # a wrong password is told in the page's language alone (was "用户名或密码错误 (wrong name or password)")
            pg.fill("#login-name", "boss")
            pg.fill("#login-password", "not the password")
            pg.click("#login-submit")
            told = pg.inner_text("#login-error")
            assert told == {"zh": "用户名或密码错误", "en": "wrong name or password"}[lang], told
        pg.screenshot(path=str(tmp_path / "login.png"))
        pg.fill("#login-name", "boss")
        pg.fill("#login-password", PW)
        pg.click("#login-submit")
        pg.wait_for_url("**/enterprises*")
        assert pg.locator("#as-of").count() == 1 and pg.inner_text("#as-of").strip()
        assert "Sources" in pg.inner_text("footer.foot")
        b.close()


def test_admin_page_says_what_was_done_in_its_language(base, chromium):
    """The admin page's banner says what was done in words (已添加用户 lin — it read user.add lin) and a refusal in the
    page's language (an English page got 用户已存在: lin)."""

    with chromium as b:
        pg = b.new_page()
        pg.goto(base + "/login")
        pg.fill("#login-name", "boss")
        pg.fill("#login-password", PW)
        pg.click("#login-submit")
        pg.wait_for_load_state("networkidle")
        for lang, name, done, refused in (("zh", "lin", "已添加用户 lin", "用户已存在: lin"),
                                          ("en", "lei", "user lei added", "the user already exists: lei")):
            pg.goto(base + f"/admin?lang={lang}")
            for expect in (done, refused):  # the second time the name is taken
                pg.fill("#add-user input[name=name]", name)
                pg.fill("#add-user input[name=password]", PW)
                pg.click("#add-user button")
                pg.wait_for_load_state("networkidle")
                box = "#admin-done" if expect == done else "#admin-error"
                assert expect in pg.inner_text(box), (lang, pg.inner_text("main")[:300])
                assert "user.add" not in pg.inner_text(box)
            row = pg.locator(f'tr[data-user="{name}"]')
            row.locator("form[action$='/disable'] button").click()
            pg.wait_for_load_state("networkidle")
            assert pg.inner_text("#admin-done").endswith("已停用 lin" if lang == "zh" else "lei disabled")
        b.close()


def test_an_outsider_failing_elsewhere_does_not_keep_the_user_off_the_login_page(served, chromium):
    """Anyone who knew a name could fail 20 times from anywhere and keep its user out for 15 minutes. The user, at the
    address she signed in from before, still signs in on the login page; from a new address the name stays throttled."""
    from zhaoshang.core.teamstate import open_team_db
    from zhaoshang.services.team import accounts

    base, db = served
    run("users", "add", "olga", "--role", "viewer", "--password-stdin", db=db, input=PW + "\n")
    assert _login_status(base, "olga", PW) == 303  # she signs in from here (127.0.0.1) as usual
    team = open_team_db(None, db_path=str(db))
    try:
        for i in range(accounts.ACCOUNT_LIMIT):  # someone else guesses from many addresses
            with pytest.raises(accounts.UserError):
                accounts.authenticate(team, "olga", f"guess number {i}", f"192.0.2.{i}")
        with pytest.raises(accounts.Throttled):  # the name is throttled from a new address
            accounts.authenticate(team, "olga", PW, "192.0.2.99")
    finally:
        team.close()
    with _signed_in(chromium, base, "olga", then="/") as pg:  # in the browser, from her own address, to the home page
        assert "olga" in pg.inner_text("#current-user")


def test_one_persons_failed_logins_do_not_lock_out_colleagues_and_an_admin_clears_them(served, chromium):
    """Behind one address (an office's NAT; here every request comes from 127.0.0.1) five wrong passwords by one
    person locked every colleague out for 15 minutes with nothing to clear it: the throttle is now per name and
    address (and per name from any address), and the admin page lists it and clears it (audited)."""
    base, db = served
    for name in ("mia", "noah"):
        run("users", "add", name, "--role", "viewer", "--password-stdin", db=db, input=PW + "\n")
    assert [_login_status(base, "mia", "not mia's password") for _ in range(5)] == [401] * 5
    assert _login_status(base, "mia", PW) == 429
    assert _login_status(base, "noah", PW) == 303  # the colleague logs in
    with _signed_in(chromium, base) as pg:
        for lang, clear, done in (("en", "Clear", "login throttle of mia cleared"), ("zh", "解除", "已解除 mia 的登录限制")):
            pg.goto(base + f"/admin?lang={lang}")
            row = pg.locator('#throttle-table tr[data-throttle="mia"]')
            assert row.count() == 1 and "127.0.0.1" in row.inner_text() and row.locator("td").nth(2).inner_text() == "5"
            if lang == "zh":
                row.locator("button").click()
                pg.wait_for_load_state("networkidle")
                assert done in pg.inner_text("#admin-done")
                assert pg.locator('#throttle-table tr[data-throttle="mia"]').count() == 0
            else:
                assert row.locator("button").inner_text() == clear
                assert "last 15 minutes; a name is paused after 5 failures from one address, or 20 from any" in (
                    pg.inner_text("#throttles h2"))
    assert _login_status(base, "mia", PW) == 303
    log = json.loads(run("team", "audit", "--action", "login.throttle_clear", "--format", "json", db=db).stdout)["rows"]
    assert [(r["actor"], r["target"], json.loads(r["detail"])) for r in log] == [
        ("boss", "mia", {"address": "127.0.0.1", "failures": 5})]


def test_last_seen_stays_after_a_password_reset(served, chromium):
    """最近活动 (last seen) was read from the user's sessions, which a password reset deletes: the admin page's
    column went blank for the user whose password was just reset. It is kept on the user now."""

    base, db = served
    run("users", "add", "pia", "--role", "viewer", "--password-stdin", db=db, input=PW + "\n")
    assert _login_status(base, "pia", PW) == 303
    with _signed_in(chromium, base) as pg:
        pg.goto(base + "/admin")
        cell = 'tr[data-user="pia"] td:nth-child(4)'
        seen = pg.inner_text(cell)
        assert seen.startswith("20"), seen
        row = pg.locator('tr[data-user="pia"]')
        row.locator("form[action$='/password'] input[name=password]").fill("a new long password")
        row.locator("form[action$='/password'] button").click()
        pg.wait_for_load_state("networkidle")
        assert "已重置 pia 的密码" in pg.inner_text("#admin-done")
        assert pg.inner_text(cell) == seen
    listed = {u["name"]: u for u in json.loads(run("users", "list", "--format", "json", db=db).stdout)}
    assert listed["pia"]["last_seen"] and shown_as(listed["pia"]["last_seen"]) == seen  # China's time on the page


def test_audit_table_names_roles_and_actions_in_the_pages_language(served, chromium):
    """The audit table showed the codes (admin, login, user.add) on the Chinese page: each is shown by its name in
    the page's language, the code kept in the cell's data and in the export."""

    base, _db = served
    with _signed_in(chromium, base, then="/admin") as pg:  # signed in now: the latest of boss's entries is a login
        for lang, role, action in (("zh", "管理员", "登录"), ("en", "administrator", "signed in")):
            pg.goto(base + f"/admin?lang={lang}&action=login&actor=boss")
            first = pg.locator("#audit-table tbody tr").first
            assert first.locator("td.audit-role").inner_text() == role
            assert first.locator("td.audit-action").inner_text() == action
            assert first.locator("td.audit-action").get_attribute("data-code") == "login"
            heads = [h.strip() for h in pg.locator("#audit-table thead th").all_inner_texts()][1:]
            export = pg.request.get(base + f"/api/admin/audit/export?action=login&actor=boss&lang={lang}").text()
            assert heads == export.lstrip("\ufeff").splitlines()[0].split(",")[1:], (heads, export[:80])  # one table
            # each on one line when the table is squeezed (at 1366 px a long detail on the real imports made them
            # 管理 / 员 and 线索 / 状态 / 变更; here a narrow window squeezes the short fixture rows as much)
            pg.set_viewport_size({"width": 420, "height": 768})
            lines = "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
            for c in ("td.audit-at", "td.audit-role", "td.audit-action"):
                assert first.locator(c).evaluate(lines) == 1, (c, first.locator(c).inner_text())
            pg.set_viewport_size({"width": 1280, "height": 720})
            assert pg.locator("#add-user select[name=role] option[value=viewer]").inner_text() == (
                "浏览者" if lang == "zh" else "viewer")
        csv_text = pg.request.get(base + "/api/admin/audit/export?action=login&actor=boss").text()
        assert ",admin,login," in csv_text and "登录" not in csv_text and "管理员" not in csv_text


def test_audit_details_read_in_the_pages_words(served, chromium):
    """详情 showed the stored JSON with its codes ({"changes": {"status": ["signed", "landed"]}}): it reads in the
    page's words — field names from the label tables, codes by their labels, a change as old → new — zh and en, and
    in the command's table; the stored JSON stays in the cell's title and in the export."""
    base, db = served
    run("pipeline", "add", "1", "330100", db=db)
    lid = str(json.loads(run("pipeline", "list", "--format", "json", db=db).stdout)[0]["id"])
    run("pipeline", "move", lid, "signed", db=db)
    run("pipeline", "move", lid, "landed", db=db)
    with _signed_in(chromium, base) as pg:
        for lang, words in (("zh", "状态 已签约 → 已落地"), ("en", "status signed → landed")):
            pg.goto(base + f"/admin?lang={lang}&action=pipeline.move")
            cell = pg.locator("#audit-table tbody tr").first.locator("td.audit-detail")
            text = cell.inner_text()
            assert words in text and "landed\"" not in text and "{" not in text, text
            assert json.loads(cell.get_attribute("title"))["changes"]["status"] == ["signed", "landed"]
        csv_text = pg.request.get(base + "/api/admin/audit/export?action=pipeline.move").text()
        assert '""status"": [""signed"", ""landed""]' in csv_text  # the export keeps the JSON
    table = run("team", "audit", "--action", "pipeline.move", db=db, env={"COLUMNS": "250"}).stdout
    assert "已签约 → 已落地" in table and "signed" not in table, table


def test_a_list_in_an_audit_detail_is_no_change(served, chromium):
    """A personal-data read of a lead ({"fields": ["next_action", "to_value"], "texts": 2}) read as a change,
    "fields: next_action → to_value", its keys as codes: the fields are named in the page's words and listed, and
    only a field's pair inside ``changes`` reads old → new — on the admin page and in ``team audit``."""
    base, db = served
    run("pipeline", "add", "2", "330100", "--next", "致电 13912345678", db=db)
    lid = next(r["id"] for r in json.loads(run("pipeline", "list", "--format", "json", db=db).stdout)
               if r["enterprise_id"] == 2)
    with _signed_in(chromium, base) as pg:
        assert pg.request.get(base + f"/api/pipeline/leads/{lid}").ok
        for lang, words in (("zh", "字段：下一步、历史新值；"), ("en", "fields: next action, history new value; ")):
            pg.goto(base + f"/admin?lang={lang}&action=person.read")
            text = pg.locator("#audit-table tbody tr").first.locator("td.audit-detail").inner_text()
            assert words in text and "→" not in text and "to_value" not in text and ("texts:" if lang == "en" else "texts") not in text, text
    table = run("--lang", "en", "team", "audit", "--action", "person.read", db=db, env={"COLUMNS": "250"}).stdout
    assert "fields: next action, history new value" in table and "→" not in table, table


def test_an_empty_pipeline_tells_a_viewer_nothing_they_cannot_do(served, chromium):
    """The empty 招商项目 list told a viewer to 「加入招商项目」 on a profile or import an Excel sheet — neither of which
    a viewer may do; an admin (who may) is still told how."""
    base, db = served
    run("users", "add", "vic", "--role", "viewer", "--password-stdin", db=db, input=PW + "\n")
    for name, told in (("vic", False), ("boss", True)):
        with _signed_in(chromium, base, name) as pg:
            pg.goto(base + "/pipeline?region=650000&lang=zh")  # no lead in 新疆 (an unknown owner is refused, 404)
            empty = pg.inner_text("#pl-empty")
            assert empty.startswith("没有符合条件的线索。") and ("加入招商项目" in empty) == told, (name, empty)


def test_admin_rows_read_on_one_line(served, chromium):
    """The users table: a user's name, state and last activity sat at the top of rows made tall by the role and
    password forms, below the line of the controls beside them; they are centred on it now."""
    base, _ = served
    with _signed_in(chromium, base) as pg:
        pg.set_viewport_size({"width": 1366, "height": 768})
        pg.goto(base + "/admin?lang=zh")
        row = pg.locator("#users tbody tr").first
        name = row.locator("td").first.evaluate(
            "td => { const r = document.createRange(); r.selectNodeContents(td); const b = r.getBoundingClientRect();"
            " return b.top + b.height / 2; }")
        sel = row.locator("select[name=role]").bounding_box()
        assert abs(name - (sel["y"] + sel["height"] / 2)) <= 4, (name, sel)


def test_admin_add_user_and_token_fields_look_like_the_rest(served, chromium):
    """The add-user and create-token fields below the tables were the browser's bare inputs (grey 1 px box, no
    padding, 21 px tall) beside styled selects; every field of the page now has the selects' border, radius,
    padding and height, in both languages, and the rows start at the left."""
    base, _ = served
    with _signed_in(chromium, base) as pg:
        pg.set_viewport_size({"width": 1366, "height": 768})
        for lang in ("zh", "en"):
            pg.goto(base + f"/admin?lang={lang}")
            look = pg.evaluate("""sels => sels.map(s => { const e = document.querySelector(s), c = getComputedStyle(e);
                return [s, c.borderTopColor, c.borderTopLeftRadius, c.paddingTop, c.fontSize,
                        Math.round(e.getBoundingClientRect().height)]; })""",
                               ["#add-user select", "#add-user input[name=name]", "#add-user input[name=password]",
                                "#create-token select", "#create-token input[name=label]",
                                "#users input[name=password]", "#audit-filter input[name=actor]"])
            ref = look[0][1:4]
            for sel, *style, height in look:
                assert style[:3] == ref and style[3] == look[0][4] and abs(height - look[0][5]) <= 2, (lang, sel, style, height)
            for form in ("#add-user", "#create-token"):  # the fields side by side from the left, not spread apart
                boxes = [pg.locator(f"{form} {t}").first.bounding_box() for t in ("select", "button")]
                assert boxes[1]["x"] - boxes[0]["x"] < 700, (lang, form, boxes)
