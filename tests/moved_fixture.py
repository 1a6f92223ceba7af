"""The matrix fixture plus one enterprise that moved province in 2022, imported through the real importer.

灵犀脑机科技有限公司 (fictional) is registered in 杭州市西湖区 (浙江) by the 2019 registry snapshot and in
深圳市南山区 (广东) by the 2022 one, so its history holds the move dated 2022-06-30. It is the only enterprise
on the chain node D03 (脑机接口), has the largest registered capital, a funding round in 2020 and a patent
applied in 2019 together with an enterprise in 四川, so every view — map, list, chain, matrix, recommend,
profiles, network, trends, complexity, concentration, report — can say in which region it is counted.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import matrix_fixture

from zhaoshang.core.importers import import_files
from zhaoshang.core.parse.uscc import make_uscc
from zhaoshang.core.store import Store

NAME = "灵犀脑机科技有限公司"
NODE = "D03"
BEFORE, AFTER = "330000", "440000"  # its province before and after the move
PARTNER = "510000"                   # its patent co-applicant's province
MOVED_ON = dt.date(2022, 6, 30)
USCC = make_uscc(424242, "330106")
HEAD = ["企业名称", "统一社会信用代码", "成立日期", "注册资本", "所属省份", "所属城市", "注册地址", "经营范围"]


def _snapshot(path: Path, province: str, city: str, address: str) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        w.writerow([NAME, USCC, "2016-03-01", "900000万元人民币", province, city, address,
                    "脑机接口技术开发；服务机器人研发"])
    return path


def build(path: str, work: Path) -> dict:
    """Write the fixture into ``path`` (``work`` holds the two snapshot files); returns the moved id."""
    matrix_fixture.build(path, n=120)
    with Store(path) as store:
        import_files(store, "enterprises", [_snapshot(work / "registry_2019.csv", "浙江", "杭州", "浙江省杭州市西湖区文三路1号")],
                     source="registry", data_date="2019-01-01")
        import_files(store, "enterprises", [_snapshot(work / "registry_2022.csv", "广东", "深圳", "广东省深圳市南山区科技园1号")],
                     source="registry", data_date=MOVED_ON)
        con = store.con
        eid = con.execute("SELECT id FROM enterprises WHERE name = ?", [NAME]).fetchone()[0]
        partner = con.execute("SELECT min(id) FROM enterprises WHERE province_code = ? AND dissolved IS NULL",
                              [PARTNER]).fetchone()[0]
        con.execute("INSERT INTO placements VALUES (?, 'ai', ?, 0.9, '{}', 'keywords', TIMESTAMP '2024-01-01')", [eid, NODE])
        fid = store.next_id("fundings")
        con.execute("INSERT INTO fundings (id, enterprise_id, enterprise_name, date, round, round_raw, amount_wan, "
                    "investors_text, source) VALUES (?, ?, ?, DATE '2020-05-01', 'a', 'A轮', 8000, '虚构资本', 'fixture')",
                    [fid, eid, NAME])
        pid = store.next_id("patents")
        con.execute("INSERT INTO patents (id, number, title, type, applied, main_ipc, applicants_text, source) "
                    "VALUES (?, 'CN990001A', '一种脑电信号解码方法', 'invention', DATE '2019-06-01', 'A61B5/37', ?, 'fixture')",
                    [pid, NAME])
        con.executemany("INSERT INTO patent_applicants VALUES (?,?,?,?,?,?,?,?)",
                        [[pid, 1, NAME, eid, "CN", None, None, None], [pid, 2, "合作方", partner, "CN", None, None, None]])
        moved = con.execute("SELECT field, old_value, new_value FROM enterprise_history WHERE enterprise_id = ? "
                            "AND field = 'province_code'", [eid]).fetchall()
    assert moved == [("province_code", BEFORE, AFTER)], moved  # the importer recorded the move
    return {"id": eid, "name": NAME}
