"""``show`` lists at most 30 rows a section: a section cut short says how many rows it leaves out and how to see
them (``--all``), in the UI language, and ``--all`` lists every row — on the demo, with a people list of 40 more
persons imported for one enterprise through the real command."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

WIDE = {"COLUMNS": "200"}


def test_show_says_how_many_people_it_leaves_out(tmp_path, demo_copy):
    db = tmp_path / "demo.duckdb"
    demo_copy(db)
    ent = run_json("search", "科技", db=db)["items"][0]
    staff = [f"员工{i:02d}" for i in range(1, 41)]
    people = tmp_path / "people.csv"
    people.write_text("企业名称,姓名,职务\n" + "".join(f"{ent['name']},{p},项目经理\n" for p in staff), encoding="utf-8")
    run("import", "roles", people, "--source", "员工名单", db=db)
    listed = [p["name"] for p in run_json("show", str(ent["id"]), db=db)["people"]]
    assert set(staff) <= set(listed) and len(listed) > 30
    more = len(listed) - 30

    cut = run("show", str(ent["id"]), db=db, env=WIDE)
    assert f"人员：另有 {more} 条未显示（共 {len(listed)} 条）；加 --all 显示全部" in cut.stderr, cut.stderr
    assert f"人员（{len(listed)}）" in cut.stdout
    left_out = [p for p in listed[30:] if p not in listed[:30]]
    assert left_out and all(p in cut.stdout for p in listed[:30]) and not any(p in cut.stdout for p in left_out)
    whole = run("show", str(ent["id"]), "--all", db=db, env=WIDE)
    assert all(p in whole.stdout for p in listed) and "未显示" not in whole.stderr
    en = run("--lang", "en", "show", str(ent["id"]), db=db, env=WIDE)
    assert f"People: {more} more not shown (of {len(listed)}); add --all to show them all" in en.stderr, en.stderr
    assert "--all" in run("--lang", "en", "show", "--help", db=db, env=WIDE).stdout
