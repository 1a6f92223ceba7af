"""Data updates while the server keeps serving: a real ``zhaoshang serve`` on loopback, the real CLI importing
and classifying into its database, pages requested all along. New data shows once the update committed; a
failed or killed update leaves the served data as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
import matrix_fixture  # noqa: E402
from cli_util import BIN, run, run_json  # noqa: E402
from test_import_errors import good_rows, write_big_csv, write_csv  # noqa: E402
from web_util import cut_placeholders, serving, upload_in_browser  # noqa: E402

from zhaoshang.core.generations import NEXT_SUFFIX, file_identity  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.services.regions import matrix  # noqa: E402

PAGES = ["/map", "/api/map?level=city", "/enterprises", "/api/enterprises?size=5", "/chain", "/api/meta",
         "/api/chain?region=330000", "/enterprises/1"]


@pytest.fixture()
def db(tmp_path):
    path = tmp_path / "served.duckdb"
    matrix_fixture.build(str(path), n=300)
    return path


class Hammer:
    """Requests pages in a loop from a thread until stopped; records every status."""

    def __init__(self, base: str):
        self.base, self.statuses, self.stop = base, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        with httpx.Client(base_url=self.base, timeout=60) as c:
            i = 0
            while not self.stop.is_set():
                url = PAGES[i % len(PAGES)]
                try:
                    self.statuses.append((url, c.get(url).status_code))
                except httpx.HTTPError as exc:
                    self.statuses.append((url, repr(exc)))
                i += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(60)

    def round(self, timeout: float = 60) -> None:
        """Wait until every page has been asked once more from now: requests on both sides of an update, without
        a fixed sleep that keeps the server rendering pages for nothing."""
        want, deadline = len(self.statuses) + len(PAGES), time.monotonic() + timeout
        while len(self.statuses) < want and time.monotonic() < deadline:
            time.sleep(0.01)


@pytest.fixture(scope="module")
def reader_server(tmp_path_factory):
    """``(database, base URL)``: one server for the checks that read while serving or upload without counting the
    杭州测试 rows (an export held open, uploads capped at 2 MB, a classification): its uploads are capped at 2 MB
    (ZHAOSHANG_MAX_UPLOAD_MB, which the server reads from its environment when it starts)."""
    path = tmp_path_factory.mktemp("served") / "served.duckdb"
    matrix_fixture.build(str(path), n=300)
    with ExitStack() as stack:
        with pytest.MonkeyPatch.context() as mp:  # the server's environment alone, not the tests' commands
            mp.setenv("ZHAOSHANG_MAX_UPLOAD_MB", "2")
            base = stack.enter_context(serving(path))
        yield path, base


@pytest.fixture(scope="module")
def upload_server(tmp_path_factory):
    """``(database, base URL)``: one server on a small fixture for the 数据更新 page checks that each read the jobs
    they just ran (the newest rows of the jobs table) and link nothing to one another."""
    path = tmp_path_factory.mktemp("uploads") / "u.duckdb"
    matrix_fixture.build(str(path), n=50)
    with serving(path) as base:
        yield path, base


def finished_job(c, r) -> dict:
    """The update job a POST /updates answered with (its redirect to /updates?job=N), once done or failed."""
    job_id = int(r.headers["location"].rsplit("=", 1)[1])
    for _ in range(600):
        job = c.get(f"/api/updates/{job_id}").json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("the update did not finish")


def hangzhou_test_total(base: str) -> int:
    return httpx.get(base + "/api/enterprises", params={"q": "杭州测试"}, timeout=30).json()["total"]


def test_import_while_serving_shows_new_data_and_failures_change_nothing(db, tmp_path):
    with serving(db) as base:
        assert hangzhou_test_total(base) == 0
        assert "registry-update" not in {s["source"] for s in httpx.get(base + "/api/meta").json()["sources"]}
        with Hammer(base) as h:
            h.round()
            rep = run_json("import", "enterprises", write_csv(tmp_path / "new.csv", good_rows(7)),
                           "--source", "registry-update", db=db)
            assert rep["rows_imported"] == 7
            # the very next request sees the committed update, and the caches followed it
            assert hangzhou_test_total(base) == 7
            meta = httpx.get(base + "/api/meta").json()
            assert "registry-update" in {s["source"] for s in meta["sources"]}
            # the 数据更新 page lists the command line's import beside its own upload jobs (it listed uploads only)
            last = httpx.get(base + "/api/updates").json()["imports"][0]
            assert (last["id"], last["source"], last["files"], last["rows_imported"]) == (rep["import_id"], "registry-update", ["new.csv"], 7)
            row = httpx.get(base + "/updates").text.split(f'<tr data-import="{rep["import_id"]}">', 1)[1].split("</tr>", 1)[0]
            assert "registry-update" in row and "new.csv" in row and str(tmp_path) not in row, row
            assert "完成时间 (UTC+8)" in httpx.get(base + "/updates").text  # the clock said once, in the header
            h.round()
        assert len(h.statuses) > 5 and all(s == 200 for _, s in h.statuses), [x for x in h.statuses if x[1] != 200]

        # a failing import (a file with no recognisable column): clear error, served data unchanged
        ident = file_identity(str(db))
        bad = tmp_path / "bad.csv"
        bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
        proc = run("import", "enterprises", bad, db=db, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert file_identity(str(db)) == ident and not Path(str(db) + NEXT_SUFFIX).exists()
        assert hangzhou_test_total(base) == 7


def test_a_server_started_during_an_update_waits_for_it_then_serves(db):
    """An update with nobody reading the file runs in place and holds it open for writing: a server started meanwhile
    stopped with DuckDB's "Conflicting lock is held". It says it waits, and serves the updated file once the update
    ends (here an update held open by this test: the update lock taken and the file open for writing, as an in-place
    import or classification holds them)."""
    from zhaoshang.core.generations import updating

    with ExitStack() as server:
        with updating(str(db)) as store:  # in place: nobody reads the file
            store.con.execute("UPDATE enterprises SET name = name || '（更新后）' WHERE id = 1")
            base = server.enter_context(serving(db, tries=1))
            time.sleep(3)
            with pytest.raises(httpx.HTTPError):
                httpx.get(base + "/api/meta", timeout=1)  # not up while the update runs (it was: refused, exited)
        for _ in range(300):  # the update committed and released: the waiting server starts on the updated file
            try:
                if httpx.get(base + "/api/meta", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert httpx.get(base + "/api/enterprises/1", timeout=5).json()["enterprise"]["name"].endswith("（更新后）")


def test_killed_import_while_serving_leaves_served_data_unchanged(db, tmp_path):
    big = write_big_csv(tmp_path / "big.csv", 150_000, prefix="杭州测试")
    env = {k: v for k, v in os.environ.items() if k != "ZHAOSHANG_DB"}
    with serving(db) as base:
        ident = file_identity(str(db))
        with Hammer(base) as h:
            proc = subprocess.Popen([str(BIN), "--db", str(db), "import", "enterprises", str(big)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            nxt = Path(str(db) + NEXT_SUFFIX)
            for _ in range(600):  # the update writes a new generation beside the served file
                if nxt.exists() or proc.poll() is not None:
                    break
                time.sleep(0.01)
            assert nxt.exists(), "the import did not write a new generation"
            time.sleep(0.3)  # well inside the update: 150,000 rows take seconds to import
            assert proc.poll() is None, "the import finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            assert hangzhou_test_total(base) == 0
        assert all(s == 200 for _, s in h.statuses)
        assert file_identity(str(db)) == ident
        # the next update overwrites the leftover and publishes normally
        rep = run_json("import", "enterprises", write_csv(tmp_path / "few.csv", good_rows(3)), db=db)
        assert rep["rows_imported"] == 3 and hangzhou_test_total(base) == 3


def test_classify_while_serving(reader_server):
    db, base = reader_server
    before = httpx.get(base + "/api/chain").json()
    # a failing classification (an impossible date) publishes nothing
    ident = file_identity(str(db))
    proc = run("classify", "--as-of", "2020-13-45", db=db, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert file_identity(str(db)) == ident and httpx.get(base + "/api/chain").json() == before
    with Hammer(base) as h:
        summary = run_json("classify", db=db)
        after = httpx.get(base + "/api/chain").json()
    assert h.statuses and all(s == 200 for _, s in h.statuses)
    # the served chain tree is the classifier's, exactly as the service reads it from the file
    with Store(str(db), read_only=True) as direct:  # readers share the file with the server
        expected = json.loads(json.dumps(matrix.chain_tree(direct, None), default=str))
    assert summary["placed"] and after == expected and after != before
    # relinking writes too, and like any update it does so beside the running server
    assert set(run_json("relink", db=db)) == {"linked", "by_table", "enterprises", "pending"}


def test_upload_page_imports_while_serving(db, tmp_path):
    import re

    with serving(db) as base, httpx.Client(base_url=base, timeout=60) as c:
        page = c.get("/updates")
        assert page.status_code == 200 and 'id="upload-form"' in page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

        def upload(path: Path, name: str) -> dict:
            with open(path, "rb") as fh:
                r = c.post("/updates", data={"csrf_token": token, "action": "import", "kind": "enterprises"},
                           files={"file": (name, fh, "text/csv")}, follow_redirects=False)
            assert r.status_code == 303, r.text
            return finished_job(c, r)

        with Hammer(base) as h:
            job = upload(write_csv(tmp_path / "u.csv", good_rows(5)), "登记更新.csv")
            assert job["state"] == "done" and job["result"]["import"]["rows_imported"] == 5
            assert hangzhou_test_total(base) == 5
        assert h.statuses and all(s == 200 for _, s in h.statuses)
        ident = file_identity(str(db))
        bad = tmp_path / "bad.csv"
        bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
        job = upload(bad, "bad.csv")
        assert job["state"] == "failed" and job["error"] and "Traceback" not in job["error"]
        assert file_identity(str(db)) == ident and hangzhou_test_total(base) == 5
        listing = c.get("/updates").text
        assert "登记更新.csv" in listing and "bad.csv" in listing
        # the jobs in the page's language: 导入 企业 · 完成 / 失败 (import enterprises · done read in Chinese)
        assert "导入 企业" in listing and ">完成<" in listing and ">失败<" in listing and ">done<" not in listing
        assert '<option value="enterprises">企业</option>' in listing
        english = c.get("/updates?lang=en").text
        assert "import enterprises" in english and ">done<" in english and '<option value="enterprises">enterprises</option>' in english
        # an empty file and a header alone: refused, by the user's file name (the server's temporary path was shown)
        (tmp_path / "e.csv").write_bytes(b"")
        (tmp_path / "h.csv").write_text("企业名称,统一社会信用代码\n", encoding="utf-8")
        for path, name, error in ((tmp_path / "e.csv", "空.csv", "文件为空: 空.csv"),
                                  (tmp_path / "h.csv", "表头.csv", "文件没有数据行（只有表头）: 表头.csv")):
            job = upload(path, name)
            assert job["state"] == "failed" and job["error"] == error and "zhaoshang-upload" not in job["error_en"], job
        assert file_identity(str(db)) == ident


def test_an_open_export_download_does_not_hold_up_other_requests(reader_server):
    _db, base = reader_server
    with httpx.Client(base_url=base, timeout=60) as c:
        total = c.get("/api/enterprises").json()["total"]
        with c.stream("GET", "/api/enterprises/export", params={"format": "csv"}) as download:
            assert download.status_code == 200 and "content-length" not in download.headers
            chunks = download.iter_bytes()
            first = next(chunks)  # the download is open and paused on our side
            t0 = time.monotonic()
            statuses = [c.get(url).status_code for url in PAGES]
            assert statuses == [200] * len(PAGES) and time.monotonic() - t0 < 60
            body = first + b"".join(chunks)
        assert body.decode("utf-8-sig").count("\n") == total + 1


def test_uploads_stream_to_disk_under_a_size_limit(reader_server, tmp_path):
    """A real upload to a real server: the body is counted while it streams (413 over the limit, declared or
    chunked), the CSRF token is found even after a part larger than the in-memory spool, and the import runs."""
    import re
    import uuid

    _db, base = reader_server  # its server was started with ZHAOSHANG_MAX_UPLOAD_MB=2
    csv_bytes = write_csv(tmp_path / "u.csv", good_rows(3)).read_bytes()

    def body(token: str, pad: int, boundary: str):
        """multipart chunks: the file, a padding part of ``pad`` bytes, then the form fields (token last)."""
        def part(name: str, value: bytes, filename: str | None = None) -> bytes:
            disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
            return f"--{boundary}\r\nContent-Disposition: {disp}\r\n\r\n".encode() + value + b"\r\n"
        yield part("file", csv_bytes, "上传.csv")
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="pad"; filename="pad.bin"\r\n\r\n'.encode()
        for _ in range(pad // 65536):
            yield b"x" * 65536
        yield b"\r\n" + part("action", b"import") + part("kind", b"enterprises") + part("csrf_token", token.encode())
        yield f"--{boundary}--\r\n".encode()

    with httpx.Client(base_url=base, timeout=60) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/updates").text).group(1)
        b = uuid.uuid4().hex
        ctype = {"Content-Type": f"multipart/form-data; boundary={b}"}
        # over the limit: refused as soon as Content-Length says so, and when counted while streaming (chunked)
        big = tmp_path / "big.csv"
        big.write_bytes(csv_bytes + b"x" * (4 * 2**20))
        form = {"csrf_token": token, "action": "import", "kind": "enterprises"}
        for path in ("/updates", "/api/updates"):
            with open(big, "rb") as fh:
                r = c.post(path, data=form, files={"file": ("big.csv", fh, "text/csv")})
            assert r.status_code == 413, (path, r.text)
            if path.startswith("/api/"):  # to the API, every API error's JSON: the message in the request's language
                # beside both (it was one bilingual line, in no language the caller chose)
                assert r.json() == {"error": "上传内容超过 2 MB", "status": 413, "error_zh": "上传内容超过 2 MB",
                                    "error_en": "upload larger than 2 MB"}
            else:  # the page's form: the error page, as its other refusals (it was the raw JSON)
                assert r.headers["content-type"].startswith("text/html")
                assert '<p id="error-message">上传内容超过 2 MB</p>' in r.text and "error_zh" not in r.text, r.text
        # an English page's form (its language in the cookie the page's switch sets), counted while streaming
        c.cookies.set("lang", "en")
        r = c.post("/updates", content=body(token, 4 * 2**20, b), headers=ctype)
        c.cookies.delete("lang")
        assert r.status_code == 413 and '<p id="error-message">upload larger than 2 MB</p>' in r.text, r.text
        # under the limit, 1.5 MB through the spool on disk, the token after it: accepted, the import runs
        r = c.post("/updates", content=body(token, 3 * 2**19, b), headers=ctype, follow_redirects=False)
        assert r.status_code == 303, r.text
        job = finished_job(c, r)
        assert job["state"] == "done" and job["result"]["import"]["rows_imported"] == 3
        # the same body with a wrong token is refused (the token is read from the stream, not guessed)
        assert c.post("/updates", content=body("wrong" + token, 3 * 2**19, b), headers=ctype).status_code == 403
        # any other body is held in memory, so it is capped lower: 8 MB, counted while it streams
        r = c.post("/api/alerts/rules/yaml", content=(b"#" * 65536 for _ in range(129)),
                   headers={"Content-Type": "application/yaml", "Accept-Language": "en-US,en;q=0.9,zh;q=0.5"})
        assert r.status_code == 413 and (r.json()["error"], r.json()["error_zh"]) == (
            "request body larger than 8 MB", "请求内容超过 8 MB"), r.text


def _upload_in_browser(page, base: str, preset: str, file) -> dict:
    """Upload ``file`` (a path, or a Playwright file payload) on the 数据更新 page with ``preset``; the finished job."""
    return upload_in_browser(page, base, file, preset=preset)


def test_upload_page_reads_an_export_with_its_preset(tmp_path, chromium):
    """The 数据更新 page takes a preset as the CLI does: the IT桔子 company list and then its financing events,
    uploaded in a real browser with their presets, link by the list's company key (the fundings' source is
    the preset's, not the file's name) — without a preset the page could not read these exports at all."""
    import csv

    from conftest import shared_file
    from web_util import require_browser

    require_browser()
    comp_rows = list(csv.reader(open(shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv"), encoding="utf-8")))
    fin_rows = list(csv.reader(open(shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv"), encoding="utf-8")))
    seq_c, seq_f = comp_rows[0].index("company_seq"), fin_rows[0].index("company_seq")
    keep = {r[seq_c] for r in comp_rows[1:61]}
    comp, fin = tmp_path / "公司列表.csv", tmp_path / "融资事件.csv"
    csv.writer(open(comp, "w", encoding="utf-8", newline="")).writerows(comp_rows[:61])
    fin_keep = [r for r in fin_rows[1:] if r[seq_f] in keep]
    csv.writer(open(fin, "w", encoding="utf-8", newline="")).writerows([fin_rows[0]] + fin_keep)
    assert len(fin_keep) > 5
    db = tmp_path / "u.duckdb"
    matrix_fixture.build(str(db), n=50)

    with serving(db) as base, chromium as b:
        page = b.new_page()

        def upload(path: Path, preset: str) -> dict:
            return _upload_in_browser(page, base, preset, str(path))

        for lang in ("zh", "en"):  # the form's text fields show their placeholders whole (sheet and data date were cut)
            page.goto(f"{base}/updates?lang={lang}")
            assert cut_placeholders(page, "#upload-form input[placeholder]") == [], lang
        page.goto(f"{base}/updates?lang=zh")
        job = upload(comp, "itjuzi_companies")
        assert job["state"] == "done" and job["kind"] == "enterprises", job
        assert job["result"]["import"]["rows_imported"] == 60 and job["result"]["import"]["source"] == "itjuzi"
        job = upload(fin, "itjuzi_financing")
        b.close()
    assert job["state"] == "done" and job["kind"] == "fundings", job
    rep = job["result"]["import"]
    assert rep["rows_read"] == len(fin_keep) and rep["unlinked"] == 0 and rep["linked_by"].get("source_key")


def _financing_head(tmp_path, rounds: int) -> Path:
    """The header and first ``rounds`` rows of the real IT桔子 financing file."""
    import csv

    from conftest import shared_file

    rows = list(csv.reader(open(shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv"), encoding="utf-8")))
    fin = tmp_path / "融资事件.csv"
    csv.writer(open(fin, "w", encoding="utf-8", newline="")).writerows(rows[:rounds + 1])
    return fin


def test_upload_page_says_how_many_facts_found_no_enterprise(tmp_path, chromium, upload_server):
    """IT桔子 financing events uploaded before their companies are imported, and kept to be linked when they come: the
    job's line said 读取 … 新增 … 拒绝 0, as if the rounds were on their companies; the command line's
    未关联到企业 is on the page too, in both languages."""
    from web_util import require_browser

    require_browser()
    fin = _financing_head(tmp_path, 12)
    _db, base = upload_server
    with chromium as b:
        page = b.new_page()
        page.goto(f"{base}/updates?lang=zh")
        job = _upload_in_browser(page, base, "itjuzi_financing", str(fin))
        assert job["state"] == "done" and job["result"]["import"]["unlinked"] == 12, job
        _newest_job_says(page, base, {"zh": "未关联到企业 12（其企业导入后自动关联）",
                                      "en": "not linked to an enterprise 12 (linked when their enterprises are imported)"})
        b.close()


def _newest_job_says(page, base: str, said: dict[str, str], query: str = "") -> None:
    """The newest job's line on the 数据更新 page says ``said[lang]`` in each language."""
    for lang, text in said.items():
        page.goto(f"{base}/updates?{query}lang={lang}")
        cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
        assert text in cell, cell


def test_upload_page_names_the_users_file_and_hands_out_its_rejects(tmp_path, chromium):
    """An upload's errors and rejects named the server's temporary copy (zhaoshang-upload-3nly_322.csv: 映射指定的列不存在…),
    the page showed only 新增 and 拒绝 (29 rows updated and a dropped credit code were not there), and the rejects file
    stayed on the server: now the user's file name, every count, and a link that downloads the rejects."""
    from web_util import require_browser

    require_browser()
    db = tmp_path / "u.duckdb"
    matrix_fixture.build(str(db), n=50)
    rows = good_rows(6, 700)
    rows[1][0] = ""                      # no name: rejected
    rows[2][1] = "91330100XXXXXXXX1"     # a credit code of 17 characters: the value is dropped
    rows.append(["杭州重复代码科技有限公司", rows[5][1]] + rows[5][2:])  # row 8 repeats row 7's code: row 7 kept as a record
    f = write_csv(tmp_path / "gbk.csv", rows, encoding="gbk")
    with serving(db) as base, chromium as b:
        page = b.new_page(accept_downloads=True)

        def upload(preset: str, name: str) -> dict:
            job = _upload_in_browser(page, base, preset, {"name": name, "mimeType": "text/csv", "buffer": f.read_bytes()})
            page.goto(base + "/updates")
            return job

        job = upload("a_share_merged", "登记库-12月.csv")  # the wrong preset
        assert job["state"] == "failed" and job["error"].startswith("登记库-12月.csv: 映射指定的列不存在: full_name、short_name"), job
        assert "zhaoshang-upload" not in page.inner_text("#jobs")
        job = upload("", "登记库-12月.csv")
        rep = job["result"]["import"]
        assert job["state"] == "done" and rep["rows_read"] == 7 and rep["rows_imported"] == 5 and rep["rows_rejected"] == 1
        assert rep["fields_dropped"] == 1 and rep["source"] == "登记库-12月" and rep["rows_repeated"] == 1
        # the job as the API shows it names the user's file, never where the server keeps files
        assert rep["files"] == ["登记库-12月.csv"] and rep["rejects_url"] == f"/api/updates/{job['id']}/rejects"
        assert "zhaoshang-upload" not in json.dumps(job) and "rejects_path" not in rep, job
        cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
        assert "读取 7" in cell and "新增 5" in cell and "拒绝 1" in cell and "忽略的字段值 1" in cell, cell
        assert "冲突（已保留为来源记录） 1（其中文件内代码重复 1 行，较早的行保留为来源记录，见问题清单）" in cell, cell
        with page.expect_download() as dl:
            page.click("#jobs tbody tr:first-child a.rejects-link")
        got = dl.value
        assert got.suggested_filename.startswith("登记库-12月.") and got.suggested_filename.endswith(".rejects.csv")
        text = Path(got.path()).read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        assert len(lines) == 4 and all(ln.startswith("登记库-12月.csv,") for ln in lines[1:]), text
        assert "required_missing" in text and "uscc_length" in text
        assert "key_repeated" in text and "统一社会信用代码在文件中重复：第 7 行与第 8 行" in text
        b.close()
    # both updates are in the audit log, with the user's file, the outcome and the counts
    rows = run_json("team", "audit", "--action", "data.", db=db)["rows"]
    assert [(r["action"], r["target"], r["actor"]) for r in rows] == [("data.import", "登记库-12月.csv", "local")] * 2
    done, failed = (json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"] for r in rows)
    assert failed["state"] == "failed" and failed["preset"] == "a_share_merged" and "ts_code" in failed["error"]
    assert done["state"] == "done" and done["rows_read"] == 7 and done["rows_rejected"] == 1 and done["kind"] == "enterprises"
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"zhaoshang-upload-*/{'登记库-12月.csv'}"))


def test_upload_page_says_what_news_lacks(chromium, upload_server):
    """A news file uploaded on the 数据更新 page: the rows without a publication date or a title are counted on
    the page (as on the command line), in both languages, and listed in the rejects it hands out."""
    from test_import_kinds import NEWS_ROWS
    from web_util import require_browser

    require_browser()
    _db, base = upload_server
    payload = {"name": "快讯.csv", "mimeType": "text/csv", "buffer": NEWS_ROWS.encode()}
    with chromium as b:
        page = b.new_page(accept_downloads=True)
        job = upload_in_browser(page, base, payload, kind="news")
        assert job["state"] == "done" and job["result"]["import"]["kept_without"] == {"published_missing": 1,
                                                                                      "title_missing": 1}, job
        page.goto(base + "/updates")
        cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
        assert "已导入、无发布日期 1" in cell and "已导入、无标题 1" in cell and "拒绝 1" in cell, cell
        with page.expect_download() as dl:
            page.click("#jobs tbody tr:first-child a.rejects-link")
        text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
        assert "published_missing" in text and "title_missing" in text and "content_missing" in text
        page.goto(base + "/updates?lang=en")
        cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
        assert "imported without a publication date 1" in cell and "imported without a title 1" in cell, cell
        b.close()


def test_upload_page_lists_what_to_review_as_the_command_line_does(tmp_path, chromium):
    """The command line lists the rows probably the same as a known enterprise but not merged, the rows named from a
    fallback column, the rows whose region differs from their credit code and the names news could not link; the
    数据更新 page showed none of them. It says each, and lists the near-merges and unlinked names, in both languages."""
    from zhaoshang.core.parse.uscc import make_uscc
    from web_util import require_browser

    require_browser()
    db = tmp_path / "u.duckdb"
    known = write_csv(tmp_path / "known.csv", [["杭州星河智能科技有限公司", "", "2015-01-01", "", "浙江", "杭州", "", ""]])
    run_json("import", "enterprises", known, "--source", "registry", db=db)
    juzi = ("company_seq,brand_name,legal_name,founded,location_raw,website,address,status,sub_industry,description\n"
            "1,星河,杭州星河智能科技有限公司,2015-01-01,,,,,,\n2,星河云,,2016-01-01,浙江杭州,,,,,\n").encode()
    other = ("企业名称,统一社会信用代码,成立日期,所在地\n杭州月光智能科技有限公司," + make_uscc(5, "110108")
             + ",2017-01-01,浙江杭州\n").encode()
    news = "标题,正文,发布时间,相关企业\n某事,正文,2019-01-01,不存在的公司有限公司\n".encode()
    with serving(db) as base, chromium as b:
        page = b.new_page()
        for payload, opts in (({"name": "juzi.csv", "mimeType": "text/csv", "buffer": juzi}, {"preset": "itjuzi_companies"}),
                              ({"name": "other.csv", "mimeType": "text/csv", "buffer": other}, {"kind": "enterprises"}),
                              ({"name": "news.csv", "mimeType": "text/csv", "buffer": news}, {"kind": "news"})):
            job = upload_in_browser(page, base, payload, **opts)
            assert job["state"] == "done", job
        page.goto(base + "/updates?lang=zh")
        rows = page.locator("#jobs tbody tr")
        cells = {page.inner_text(f"#jobs tbody tr:nth-child({i + 1}) td:nth-child(3)"):
                 page.inner_text(f"#jobs tbody tr:nth-child({i + 1}) td:last-child") for i in range(rows.count())}
        assert "疑似同名未合并 1 条（请核对）" in cells["juzi.csv"], cells
        assert "杭州星河智能科技有限公司 — 已有企业 1 杭州星河智能科技有限公司（registry）：注册名称相同" in cells["juzi.csv"]
        assert "缺少全称、以备用列命名 1（brand_name）" in cells["juzi.csv"]
        assert "地区与信用代码不一致 1" in cells["other.csv"]
        assert "不存在的公司有限公司 1 条：库中无此企业" in cells["news.csv"]
        page.goto(base + "/updates?lang=en")
        text = page.inner_text("#jobs")
        assert "1 same-name row not merged (review)" in text and "named from a fallback column 1 (brand_name)" in text
        assert "region differs from credit code 1" in text and "— 1 row: no such enterprise" in text, text
        assert page.locator("details.job-near-merges a[href='/enterprises/1']").count() == 1
        b.close()


def test_upload_page_says_the_region_text_conflicts_and_the_unread_columns(chromium, upload_server):
    """The command line counts the rows whose region column names another place than their address (地区列与地址不一致)
    and names the file's columns no field reads; the 数据更新 page said neither. It says both, from the import's
    report, in both languages, for the job just finished and for the earlier jobs below it. A file named with a date
    (整齐_2021-10.csv) uploaded with no data date is dated by the import day, as on the command line, and the page
    suggests the data date its name stands for (2021-10-31) as the command line does — never applying it."""
    from web_util import require_browser

    require_browser()
    _db, base = upload_server
    csv = ("企业名称,成立日期,所在地,注册地址,内部备注\n"
           "杭州甲地科技有限公司,2015-01-01,广东深圳,北京市朝阳区酒仙桥路10号,备注一\n"
           "杭州乙地科技有限公司,2016-01-01,浙江杭州,浙江省杭州市西湖区文三路1号,备注二\n").encode()
    plain = "企业名称,成立日期,所在地\n杭州丙地科技有限公司,2017-01-01,浙江杭州\n".encode()
    with chromium as b:
        page = b.new_page()
        job = upload_in_browser(page, base, {"name": "地址.csv", "mimeType": "text/csv", "buffer": csv}, kind="enterprises")
        rep = job["result"]["import"]
        assert job["state"] == "done" and rep["region_text_conflicts"] == 1 and rep["columns_unread"] == ["内部备注"], job
        page.goto(f"{base}/updates?job={job['id']}")  # the job just finished: its result
        cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
        assert "地区列与地址不一致 1（见问题清单）" in cell and "未读取的列（没有对应字段，未导入） 1：内部备注" in cell, cell
        later = upload_in_browser(page, base, {"name": "整齐_2021-10.csv", "mimeType": "text/csv", "buffer": plain},
                                  kind="enterprises")
        assert later["state"] == "done", later
        named = later["result"]["import"]
        assert named["data_date_in_name"] == {"name_part": "2021-10", "data_date": "2021-10-31"}, named
        assert not named["data_date_given"] and named["data_date"] != "2021-10-31", named  # suggested, not applied
        assert "data_date_in_name" not in rep  # 地址.csv names no date
        for lang, said, clean in (
                ("zh", ("地区列与地址不一致 1（见问题清单）", "未读取的列（没有对应字段，未导入） 1：内部备注"),
                 ("地区列与地址不一致", "未读取的列")),
                ("en", ("region column differs from address 1 (see the rejects)",
                        "columns not read (no field takes them; not imported) 1: 内部备注"),
                 ("region column differs", "columns not read"))):
            page.goto(f"{base}/updates?lang={lang}")  # the earlier job in the history, below the later one
            newer = page.inner_text("#jobs tbody tr:nth-child(1) td:last-child")
            older = page.inner_text("#jobs tbody tr:nth-child(2) td:last-child")
            assert all(s in older for s in said), older
            assert not any(s in newer for s in clean), newer  # a file without either says neither
            hint = {"zh": "；文件名含日期 2021-10，可在「数据日期」栏填 2021-10-31 指定",
                    "en": "; the file name carries the date 2021-10: enter 2021-10-31 as the data date to give it"}[lang]
            assert hint in newer and "2021-10" not in older, (newer, older)
            assert "预设的列" not in older + newer and "columns of the preset" not in older + newer  # no preset
        # a bureau's own 需求清单 through the scenario preset: the preset's columns it lacks are skipped and named, as
        # the command line names them
        own = ("序号,场景名称,场景描述,应用领域,需求单位,所在地区,发布时间,截止时间\n"
               "1,港口集装箱智能识别,岸桥视觉识别箱号,交通,宁波舟山港测试单位,浙江省宁波市,2026-03-01,长期有效\n"
               "2,港区无人集卡调度,集卡路径规划,交通,宁波舟山港测试单位,浙江省宁波市,2026-03-01,2026-02-01\n").encode()
        demands = upload_in_browser(page, base, {"name": "需求清单.csv", "mimeType": "text/csv", "buffer": own},
                                    preset="scenario_demands")
        absent = demands["result"]["import"]["columns_absent"]
        assert demands["state"] == "done" and absent, demands
        # and a demand whose deadline is before its publication date: imported, counted as the command line counts it
        assert demands["result"]["import"]["deadline_before_published"] == 1, demands
        for lang, words, early in (
                ("zh", f"预设的列在文件中不存在（已跳过） {len(absent)}：{'、'.join(absent)}",
                 "截止时间早于发布时间（已导入，请核对） 1（见问题清单）"),
                ("en", f"columns of the preset the file lacks (skipped) {len(absent)}: {', '.join(absent)}",
                 "deadline before the publication date (imported, to review) 1 (see the rejects)")):
            page.goto(f"{base}/updates?job={demands['id']}&lang={lang}")
            cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
            assert words in cell and early in cell, (lang, cell)
        # its counts grouped by thousands, as the import log below and every other page print them (读取 1002 ·
        # 拒绝 1002 was printed raw): a file of 1,002 rows, every one rejected (成立日期 2026/13/01)
        many = "企业名称,成立日期\n" + "".join(f"杭州坏日期{i:04d}科技有限公司,2026/13/01\n" for i in range(1002))
        bad = upload_in_browser(page, base, {"name": "坏日期.csv", "mimeType": "text/csv", "buffer": many.encode()},
                                kind="enterprises")
        assert bad["state"] == "done" and bad["result"]["import"]["rows_rejected"] == 1002, bad
        for lang, words in (("zh", ("读取 1,002 · 新增 0", "拒绝 1,002")),
                            ("en", ("read 1,002 · imported 0", "rejected 1,002"))):
            page.goto(f"{base}/updates?job={bad['id']}&lang={lang}")
            cell = page.inner_text("#jobs tbody tr:first-child td:last-child")
            assert all(w in cell for w in words), (lang, cell)
        b.close()


def test_upload_page_says_which_preset_to_choose(tmp_path, chromium, upload_server):
    """IT桔子's financing events uploaded as 企业: the refusal told the page's user to run zhaoshang import fundings …
    --preset itjuzi_financing or name the columns with --mapping — neither of which the page has. On the page it
    says to choose the preset (in both languages); the command line keeps its words."""
    from web_util import require_browser

    require_browser()
    fin = _financing_head(tmp_path, 20)
    db, base = upload_server
    with chromium as b:
        page = b.new_page()
        job = upload_in_browser(page, base, str(fin), kind="enterprises")
        assert job["state"] == "failed", job
        for text, words in ((job["error"], "请在「预设」中选 itjuzi_financing（按 fundings 导入）后重新上传"),
                            (job["error_en"], "Choose the preset itjuzi_financing (it imports fundings) and upload again")):
            assert words in text and "zhaoshang import" not in text and "--mapping" not in text, text
        page.goto(base + "/updates?lang=zh")
        assert "请在「预设」中选 itjuzi_financing（按 fundings 导入）后重新上传" in page.inner_text("#jobs")
        b.close()
    cli = run("import", "enterprises", fin, db=db, check=False)
    assert cli.returncode == 2 and "请用 zhaoshang import fundings … --preset itjuzi_financing" in cli.stderr, cli.stderr


def test_upload_data_date_is_the_shared_date_field_and_no_jobs_yet_is_said(tmp_path, chromium):
    """The form's data date is the one date field of every page: a day that does not exist is refused on the form,
    the upload not sent (it was sent and answered by the bare error page 参数无效 …, the file and fields lost), and a
    typed 2024年11月30日 is sent as 2024-11-30.

    Before the first upload, the recent jobs showed a header row alone; it says there is none, as every other empty
    table of the app does."""
    from web_util import require_browser

    require_browser()
    db = tmp_path / "u.duckdb"
    matrix_fixture.build(str(db), n=50)
    f = write_csv(tmp_path / "登记库.csv", good_rows(3, 800))
    with serving(db) as base, chromium as b:
        page = b.new_page()
        for lang, words in (("en", "No upload jobs on this page yet (command-line imports: the import log below)"),
                            ("zh", "本页还没有上传任务（命令行导入见下方导入记录）")):  # nothing uploaded yet
            page.goto(f"{base}/updates?lang={lang}")
            assert page.inner_text("#jobs tbody") == words, lang
        page.goto(base + "/updates")
        page.set_input_files("#upload-form input[type=file]", str(f))
        page.fill("#upload-form input[name=data_date]", "2024-02-30")
        page.click("#upload-form button.primary")
        page.wait_for_timeout(500)
        assert page.url.endswith("/updates") and page.locator("#update-job").count() == 0, page.url
        assert page.evaluate("document.querySelector('#upload-form input[name=data_date]').validationMessage")
        job = upload_in_browser(page, base, str(f), fill={"data_date": "2024年11月30日", "source": "登记库"})
        page.goto(base + "/updates")  # the upload in the import log too, by its file's own name and its data date
        logged = page.inner_text(f"#imports-log tr[data-import='{job['result']['import']['import_id']}']")
        assert "登记库.csv" in logged and "2024-11-30" in logged and "登记库" in logged, logged
        b.close()
    assert job["state"] == "done" and job["result"]["import"]["data_date"] == "2024-11-30", job


def test_upload_data_date_takes_every_form_the_command_line_takes(tmp_path):
    """POST /updates reads its 数据日期 with the one date parser, as ``import --data-date`` does: 2025年11月30日,
    2025/11/30, 2025.11.30 and 20251130 are the day 2025-11-30 (they were refused 参数无效: data_date: 应写作 …,
    a form sent without the page's script); a day that does not exist or lies after today is refused with the
    parser's line, and no job is started."""
    import re

    from web_util import local_client
    from zhaoshang.core.parse.dates import china_today
    from zhaoshang.interfaces.web.app import create_app

    db = tmp_path / "u.duckdb"
    matrix_fixture.build(str(db), n=50)
    c = local_client(create_app(str(db)), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/updates").text).group(1)
    f = write_csv(tmp_path / "登记库.csv", good_rows(2, 900))

    def post(day: str):
        with open(f, "rb") as fh:
            return c.post("/updates", files={"file": ("登记库.csv", fh, "text/csv")},
                          data={"csrf_token": token, "action": "import", "kind": "enterprises", "data_date": day})

    for day in ("2025年11月30日", "2025/11/30", "2025.11.30", "20251130"):
        r = post(day)
        assert r.status_code == 303, (day, r.status_code)
        job = finished_job(c, r)
        assert job["state"] == "done" and job["result"]["import"]["data_date"] == "2025-11-30", (day, job)
        assert job["result"]["import"]["data_date_given"], day
        # its times as every moment in JSON: UTC with its zone (they were the server's clock bare)
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", job[k]) for k in ("submitted", "finished")), job
    jobs = len(c.get("/api/updates").json()["jobs"])
    later = china_today().replace(year=china_today().year + 1).isoformat()
    for day, words in ((later, f"数据日期 {later} 晚于今天（{china_today().isoformat()}）"),
                       ("2025/02/30", "无效的数据日期: 2025/02/30（日期不存在")):
        r = post(day)
        assert r.status_code == 400 and words in r.text, (day, r.status_code)
    assert len(c.get("/api/updates").json()["jobs"]) == jobs  # nothing started


def test_upload_page_says_product_lines_were_merged_not_duplicates(chromium, upload_server):
    """A main-products file (one line per product) uploaded for the first time read 重复（已存在） for every further line
    of a company. The page says those lines were merged into their company, and no duplicate, in both languages."""
    from web_util import require_browser

    require_browser()
    _db, base = upload_server
    lines = "code,short_name,product,weight\n600999,甲乙产品,产品一,0.6\n600999,甲乙产品,产品二,0.3\n600999,甲乙产品,产品三,0.1\n"
    with chromium as b:
        page = b.new_page()
        job = upload_in_browser(page, base, {"name": "产品.csv", "mimeType": "text/csv", "buffer": lines.encode()},
                                preset="main_products")
        rep = job["result"]["import"]
        assert job["state"] == "done" and (rep["rows_duplicate"], rep["rows_combined"]) == (0, 2), job
        _newest_job_says(page, base, {"zh": "重复（已存在） 0 · 同一企业的其他行（已合并，如产品线） 2",
                                      "en": "duplicates 0 · further rows of the same enterprise (merged, e.g. product lines) 2"},
                         query=f"job={job['id']}&")
        b.close()
