"""Browser tests: serving a database with the real ``zhaoshang serve`` and driving Debian's chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest
from cli_util import spawn

# Debian's chromium built as its headless shell (package chromium-headless-shell): the same Blink, V8 and rendering as
# the browser, without the browser's window, profile and UI layers the tests never use. Playwright itself drives this
# build for headless runs; the browser test files ran 27 % faster on it than on the full chromium (docs/benchmarks.md,
# "Chromium's headless shell").
CHROMIUM = "/usr/bin/chromium-headless-shell"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
VENDOR = Path(__file__).resolve().parents[1] / "src/zhaoshang/interfaces/web/static/vendor"
EXE = shutil.which("zhaoshang", path=str(Path(sys.executable).parent)) or "zhaoshang"


def require_browser() -> None:
    """Skip cleanly when chromium, the front-end assets or playwright are absent."""
    from zhaoshang.interfaces.web.geo import Boundaries

    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium's headless shell not installed at {CHROMIUM} (make setup-system)")
    if not (VENDOR / "echarts.min.js").exists() or not Boundaries.vendor_available():
        pytest.skip("front-end assets absent: run make setup-web")
    pytest.importorskip("playwright.sync_api")


class BrowserPages:
    """A test's share of its module's chromium (the ``chromium`` fixture, tests/conftest.py), used as ``with chromium
    as b:``: ``b.new_page(...)`` opens a page in a browser context of its own (no cookies, storage or downloads
    shared with another test); ``b.close()`` and the end of the block close the pages it opened, not the browser."""

    def __init__(self, browser: Callable):
        self.browser, self.pages = browser, []  # browser(): the module's chromium, started at its first page

    def new_page(self, **kwargs):
        page = self.browser().new_page(**kwargs)
        self.pages.append(page)
        return page

    def close(self) -> None:
        while self.pages:
            self.pages.pop().close()  # a page made by Browser.new_page closes its context with it

    def __enter__(self) -> "BrowserPages":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@contextmanager
def serving(db: str | Path, tries: int = 300, args: tuple = (), warm: bool = False) -> Iterator[str]:
    """Run ``zhaoshang serve`` on a free loopback port until the block ends; yields the base URL.
    ``args``: more options (e.g. ``--require-login``, ``--team-db URL``), given before the command. A test's server
    asks a few pages: it starts with ``--no-warm-up`` (each page prepares what it needs, as without the warm-up),
    unless ``warm`` (the warm-up itself is tested in process: test_warmup.py)."""
    import httpx

    port = free_port()
    proc = spawn([EXE, "--db", str(db), *[a for a in args if a != "--require-login"], "serve", "--host", "127.0.0.1",
                  "--port", str(port), *[a for a in args if a == "--require-login"], *([] if warm else ["--no-warm-up"])])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(tries):
            try:
                if httpx.get(base + "/api/meta", timeout=1).status_code in (200, 401):
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail("server exited: " + proc.output())
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def team_tokens(team, users=(("ana", "analyst"), ("vera", "viewer")), password: str = "a-long-enough-password-1") -> dict:
    """Create team users and an API token for each; returns ``{role: Authorization header}``."""
    from zhaoshang.services.team import accounts

    tokens = {}
    for name, role in users:
        accounts.add_user(team, name, role, password, "cli:test")
        tokens[role] = {"Authorization": f"Bearer {accounts.create_token(team, name, 'test', 'cli:test')['token']}"}
    return tokens


def sign_in(page, base: str, name: str, password: str, then: str = "/api/me") -> None:
    """Sign ``page`` in as ``name`` on the login page of the server at ``base``, the form sent back to ``then``
    (``/login?next=``): by default the signed-in user's own record, which says the session is ``name``'s without
    drawing the map the home page would (a second or two of the browser's time at every sign-in)."""
    from urllib.parse import quote

    page.goto(base + "/login?next=" + quote(then, safe="/?=&"))
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("#login-submit")
    if then != "/":  # (the home page sends on to the map)
        page.wait_for_url(base + then)
    page.wait_for_load_state("networkidle")
    if then == "/api/me":
        me = json.loads(page.inner_text("body"))
        assert me.get("name") == name, me


def upload_in_browser(page, base: str, file, *, preset: str | None = None, kind: str | None = None,
                      fill: dict | None = None, check: tuple = (), select: dict | None = None) -> dict:
    """Upload ``file`` (a path, or a Playwright file payload) on the 数据更新 page — with ``preset`` or ``kind``,
    the form's text fields ``fill`` (name → value: source, sheet, data_date) and its checkboxes ``check`` (names:
    link_text, classify_after), its other lists ``select`` (name → value: scope) — and wait for the finished job."""
    import httpx

    page.goto(base + "/updates")
    if preset:
        page.select_option("#upload-preset", preset)
    if kind:
        page.select_option("#upload-kind", kind)
    for name, value in (fill or {}).items():
        page.fill(f"#upload-form input[name={name}]", value)
    for name in check:
        page.check(f"#upload-form input[name={name}]")
    for name, value in (select or {}).items():
        page.select_option(f"#upload-form select[name={name}]", value)
    page.set_input_files("#upload-form input[type=file]", files=[file])
    page.click("#upload-form button.primary")
    page.wait_for_url("**/updates?job=*")
    job_id = int(page.url.rsplit("=", 1)[1])
    for _ in range(600):
        job = httpx.get(f"{base}/api/updates/{job_id}", timeout=30).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("the update did not finish")


def cut_placeholders(page, selector: str) -> list[str]:
    """The name (else id) of each ``selector`` input whose placeholder is wider than its box, measured with the
    input's own font and padding (a cut placeholder: 'name o' for 'name or code')."""
    return page.evaluate("""sel => [...document.querySelectorAll(sel)].filter(el => el.placeholder).filter(el => {
        const cs = getComputedStyle(el), ctx = document.createElement('canvas').getContext('2d');
        ctx.font = cs.font;
        return ctx.measureText(el.placeholder).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight)
               > el.clientWidth; }).map(el => el.name || el.id)""", selector)


def download_rows(page, selector: str, folder: Path, prefix: str = "") -> tuple[str, list[dict]]:
    """Click ``selector`` on ``page``, save the file it downloads into ``folder`` (its name after ``prefix``) and open
    it as an analyst would — a CSV with the csv module, an XLSX with openpyxl —: ``(suggested file name, rows as
    {header: cell})``."""
    import csv

    import openpyxl

    with page.expect_download() as dl:
        page.click(selector)
    name = dl.value.suggested_filename
    path = Path(folder) / f"{prefix}{name}"
    dl.value.save_as(path)
    if name.endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as f:
            return name, list(csv.DictReader(f))
    head, *body = openpyxl.load_workbook(path).active.iter_rows(values_only=True)
    return name, [dict(zip(head, r)) for r in body]


def local_client(app, **kw):
    """A test client that calls the app as a browser on this machine does, naming it ``127.0.0.1`` in its ``Host``
    header: a local-only server treats only such a caller as its single user (web/auth.py, DNS rebinding)."""
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1", **kw)
