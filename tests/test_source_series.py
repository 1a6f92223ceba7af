"""A monthly registry export named with its date (名录_2026-11.csv, then 名录_2026-12.csv): named after its file,
the second month would be a new source compared with nothing. The summary says so and names the --source."""

from __future__ import annotations

from cli_util import run, run_json
from test_import_errors import good_rows, write_csv


def _months(tmp_path):
    rows = good_rows(200)
    nov = write_csv(tmp_path / "名录_2026-11.csv", rows)
    dec = write_csv(tmp_path / "名录_2026-12.csv", rows[:190])  # ten deregistered
    return nov, dec


def test_a_dated_export_of_a_known_source_is_named_with_its_source(tmp_path):
    nov, dec = _months(tmp_path)
    db = tmp_path / "z.duckdb"
    first = run_json("import", "enterprises", nov, "--data-date", "2026-11-30", db=db)
    assert first["source_hint"] is None  # nothing to be a month of
    p = run("import", "enterprises", dec, "--data-date", "2026-12-01", db=db)
    note = "来源名 名录_2026-12 取自文件名，与已有来源 名录_2026-11 只差日期或编号，本文件 190 个键中 190 个已在 名录_2026-11 中"
    assert "来源提示" in p.stdout  # in the summary table too
    assert "注意：" + note in p.stderr and "请用 --source 名录_2026-11 导入" in p.stderr
    # English, and the JSON report
    db2 = tmp_path / "e.duckdb"
    run_json("import", "enterprises", nov, "--data-date", "2026-11-30", db=db2)
    en = run("--lang", "en", "import", "enterprises", dec, "--data-date", "2026-12-01", db=db2)
    assert ("note: the source name 名录_2026-12 comes from the file name and differs from the existing source "
            "名录_2026-11 only by a date or number; 190 of this file's 190 keys are already in 名录_2026-11") in en.stderr
    assert "import it with --source 名录_2026-11" in en.stderr
    # with the --source it names, the month is compared: ten gone
    db3 = tmp_path / "s.duckdb"
    run_json("import", "enterprises", nov, "--data-date", "2026-11-30", db=db3)
    rep = run_json("import", "enterprises", dec, "--data-date", "2026-12-01", "--source", "名录_2026-11", db=db3)
    assert rep["source_hint"] is None and rep["changes"]["disappeared"] == 10


def test_files_of_other_keys_or_a_source_given_are_not_flagged(tmp_path):
    db = tmp_path / "z.duckdb"
    a = write_csv(tmp_path / "名录_1.csv", good_rows(50))
    b = write_csv(tmp_path / "名录_2.csv", good_rows(50, 50))  # another part: no key in common
    run_json("import", "enterprises", a, db=db)
    assert run_json("import", "enterprises", b, db=db)["source_hint"] is None
    c = write_csv(tmp_path / "名录_3.csv", good_rows(49))
    assert run_json("import", "enterprises", c, db=db)["source_hint"]["source"] == "名录_1"
    d = write_csv(tmp_path / "名录_4.csv", good_rows(48))
    assert run_json("import", "enterprises", d, "--source", "第三份", db=db)["source_hint"] is None


def test_the_same_file_again_under_a_name_of_its_own_is_refused(tmp_path):
    """A file whose bytes were imported before, named after a file of its own (no --source): the same rows again as a
    second source would double every record and hide every row gone. Refused, naming the earlier import, nothing
    written; with --source it is the user's choice."""
    db = tmp_path / "z.duckdb"
    rows = good_rows(60)
    first = write_csv(tmp_path / "名录.csv", rows)
    run_json("import", "enterprises", first, "--source", "登记库", "--data-date", "2026-11-30", db=db)
    copy = write_csv(tmp_path / "登记库-12月.csv", rows)
    p = run("import", "enterprises", copy, db=db, check=False)
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1].startswith(
        "错误: 此文件与导入 #1（来源 登记库，"), p.stderr
    assert "请加 --source 登记库" in p.stderr
    en = run("--lang", "en", "import", "enterprises", copy, db=db, check=False)
    assert en.returncode == 2 and "same content as import #1 (source 登记库" in en.stderr, en.stderr
    assert [s["source"] for s in run_json("status", db=db)["sources"]] == ["登记库"]
    # named on purpose, it stands
    assert run_json("import", "enterprises", copy, "--source", "另一份", db=db)["rows_read"] == 60


def test_the_updates_page_says_it_too(tmp_path):
    """Uploaded on the 数据更新 page, the second month's job says the same, in the page's language, naming the
    source to type in the form's Source field."""
    import re
    import time

    from web_util import local_client

    from zhaoshang.interfaces.web.app import create_app

    nov, dec = _months(tmp_path)
    db = tmp_path / "w.duckdb"
    run_json("import", "enterprises", nov, "--data-date", "2026-11-30", db=db)
    c = local_client(create_app(str(db)), follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/updates").text).group(1)
    sent = c.post("/updates", data={"csrf_token": token, "action": "import", "kind": "enterprises",
                                    "data_date": "2026-12-01"},
                  files={"file": (dec.name, dec.read_bytes(), "text/csv")})
    assert sent.status_code == 303, sent.text[:300]
    job = int(sent.headers["location"].split("job=")[1])
    for _ in range(300):
        if c.get(f"/api/updates/{job}").json()["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    done = c.get(f"/api/updates/{job}").json()
    assert done["result"]["import"]["source_hint"]["source"] == "名录_2026-11", done
    zh = c.get("/updates", params={"lang": "zh"}).text
    assert 'class="job-source-hint" data-source="名录_2026-11"' in zh and "请在「来源」栏填 名录_2026-11 再导入" in zh
    en = c.get("/updates", params={"lang": "en"}).text
    assert "import it with 名录_2026-11 in the Source field" in en
