"""A command-line import is in the team's audit log as a 数据更新 upload is (``data.import``), by the OS user:
done with its counts, or failed with the reason — read back through ``zhaoshang team audit``; one that could not
make its database says why, once, and nothing of an audit log that was never there."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import subprocess

import pytest
from cli_util import BIN, run, run_json

from zhaoshang.core.store import Store


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


def test_an_import_whose_database_cannot_be_made_says_why_once(tmp_path):
    """An import into a folder that does not exist warned that the audit log could not record it, telling the user
    to run the import they were running (in Chinese under --lang en too), then printed DuckDB's "IO Error: Cannot open
    file …: No such file or directory". Now one line says the folder is missing; a folder or file that cannot be
    written says so and what to check."""
    f = tmp_path / "名录.csv"
    f.write_text("企业名称,地区\n甲星智能科技有限公司,杭州\n", encoding="utf-8")
    db = tmp_path / "无此目录" / "a.duckdb"
    for lang, said in (("zh", f"错误: 无法建立数据库 {db}: 文件夹 {db.parent} 不存在（先建立该文件夹，或换一个已有文件夹中的路径）"),
                       ("en", f"error: cannot create the database {db}: the folder {db.parent} does not exist (create it "
                              f"first, or give a path in an existing folder)")):
        p = run("--lang", lang, "import", "enterprises", f, db=db, check=False)
        assert p.returncode == 2 and p.stderr.strip() == said, p.stderr
    # not writable: the folder of a new database, an existing file — by a user whom file modes stop
    locked, ro_file = tmp_path / "只读", tmp_path / "old.duckdb"
    locked.mkdir()
    Store(ro_file).close()
    ro_file.chmod(0o444)
    locked.chmod(0o555)
    try:
        p = _unprivileged("import", "enterprises", f, db=locked / "new.duckdb")
        assert p.returncode == 2 and p.stderr.strip() == (
            f"错误: 无法在文件夹 {locked} 中建立 new.duckdb（没有权限；请检查该文件夹的权限，或换一个可写的文件夹）"), p.stderr
        p = _unprivileged("--lang", "en", "import", "enterprises", f, db=ro_file)
        assert p.returncode == 2 and p.stderr.strip() == (
            f"error: the database file cannot be written: {ro_file} (permission denied; check the file's permissions, "
            "or whether it is on a read-only disk)"), p.stderr
    finally:
        locked.chmod(0o755)


def _unprivileged(*args, db) -> subprocess.CompletedProcess:
    """``zhaoshang ARGS`` as a user whom file modes stop: root without its power to override them (``setpriv``)."""
    prefix = []
    if os.getuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv (util-linux) is needed to run a command as root without its override of file modes")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    return subprocess.run([*prefix, str(BIN), "--db", str(db), *map(str, args)], capture_output=True, text=True,
                          timeout=120)
