"""A command-line import is in the team's audit log as a 数据更新 upload is (``data.import``), by the OS user:
done with its counts, or failed with the reason — read back through ``zhaoshang team audit``."""

from __future__ import annotations

import json
import pwd
import os
import re

from cli_util import run, run_json


def test_cli_import_is_audited_by_the_os_user(tmp_path):
    db = tmp_path / "a.duckdb"
    f = tmp_path / "登记库-12月.csv"
    f.write_text("企业名称,成立日期,所属省份,所属城市\n甲星智能科技有限公司,2015-03-01,浙江,杭州\n", encoding="utf-8")
    run("import", "enterprises", f, "--source", "登记库", db=db)
    bad = tmp_path / "空.csv"
    bad.write_bytes(b"")
    assert run("import", "enterprises", bad, db=db, check=False).returncode == 2
    rows = [r for r in run_json("team", "audit", db=db)["rows"] if r["action"] == "data.import"]
    who = "cli:" + pwd.getpwuid(os.getuid()).pw_name
    assert sorted((r["actor"], r["target"]) for r in rows) == sorted([(who, "空.csv"), (who, "登记库-12月.csv")])
    by_target = {r["target"]: (json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"]) for r in rows}
    done, failed = by_target["登记库-12月.csv"], by_target["空.csv"]
    assert done["state"] == "done" and done["via"] == "cli" and done["kind"] == "enterprises"
    assert done["source"] == "登记库" and done["rows_imported"] == 1
    assert failed["state"] == "failed" and "文件为空" in failed["error"]
    # the table's 详情 says every field of the import in words, none by its code
    table = run("team", "audit", db=db, env={"COLUMNS": "400"}).stdout
    assert "其中新企业" in table and not re.search(r"[a-z]+_[a-z_]+ \d", table), table
