"""A hand-built relationship store for the graph tests: a target enterprise, a local one, namesakes of several
kinds (another gender and age; a name only; one enterprise, two sources; co-directors), an ownership chain,
a local fund, a bureau contact and a person with a hostile name."""

from __future__ import annotations

import built_once
from zhaoshang.core.store import Store

ENTERPRISES = [  # id, name, uscc, province, city, district
    (1, "目标科技有限公司", "91110108MA0000001X", "110000", "110100", "110108"),
    (2, "本地甲科技有限公司", "91330106MA0000002X", "330000", "330100", "330106"),
    (3, "上海乙科技有限公司", None, "310000", "310100", "310104"),
    (4, "控股丙有限公司", None, "110000", "110100", "110108"),
]
PERSONS = [  # id, name, gender, birth_year, source, key
    (1, "张伟", "男", 1970, "s1", "k1"), (2, "李娜", "女", 1980, "s1", "k2"),
    (3, "张伟", "女", 1990, "s1", "k3"),            # a namesake of 1: another gender and age
    (4, "王芳", None, None, "s1", "k4"), (5, "王芳", None, None, "s1", "k5"),   # name only
    (6, "赵强", None, None, "s1", "k6"), (7, "赵强", None, None, "s2", "k7"),   # same enterprise, overlapping tenure
    (8, "陈明", None, None, "s1", "k8"), (9, "陈明", None, None, "s1", "k9"),   # co-directors of 刘洋
    (10, "刘洋", None, None, "s1", "k10"), (11, "刘洋", None, None, "s1", "k11"),
    (12, "周杰", None, None, "s1", "k12"), (13, "<script>alert(1)</script>", None, None, "s1", "k13"),
]
ROLES = [  # id, person, enterprise, role, title, start, end
    (1, 1, 1, "chairman", "董事长", "2018-01-01", None), (2, 2, 1, "ceo", "总经理", "2019-01-01", None),
    (3, 3, 2, "director", "董事", "2017-01-01", None), (4, 4, 2, "director", "董事", "2017-01-01", None),
    (5, 5, 4, "executive", "副总经理", "2017-01-01", None),
    (6, 6, 1, "director", "董事", "2015-01-01", "2021-06-30"), (7, 7, 1, "director", "董事", "2019-01-01", None),
    (8, 8, 2, "director", "董事", "2016-01-01", None), (9, 9, 3, "director", "董事", "2016-01-01", None),
    (10, 10, 2, "director", "董事", "2016-01-01", None), (11, 11, 3, "director", "董事", "2016-01-01", None),
    (12, 13, 2, "executive", "总监", "2016-01-01", None), (13, 13, 1, "director", "董事", "2020-01-01", None),
]


def build(path):
    """The hand-built relationship store at ``path``: built once per test run and copied (tests/built_once.py)."""
    built_once.build_or_copy(path, "graph", lambda p: _build(p) and None)
    return path


def _build(path):
    s = Store(path)
    s.ensure_schema()
    c = s.con
    c.execute("INSERT INTO imports (id, kind, source, data_date) VALUES (1, 'roles', 's1', DATE '2024-12-31')")
    for e in ENTERPRISES:
        c.execute("INSERT INTO enterprises (id, name, uscc, province_code, city_code, district_code, founded) "
                  "VALUES (?, ?, ?, ?, ?, ?, DATE '2010-01-01')", list(e))
    for p in PERSONS:
        c.execute("INSERT INTO persons (id, name, name_norm, gender, birth_year, source, source_key, import_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, 1)", [p[0], p[1], p[1], *p[2:]])
    names = {e[0]: e[1] for e in ENTERPRISES}
    pnames = {p[0]: p[1] for p in PERSONS}
    for r in ROLES:
        c.execute("INSERT INTO roles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 's1', ?, 1)",
                  [r[0], r[1], pnames[r[1]], r[2], names[r[2]], r[3], r[4], r[5], r[6], f"r{r[0]}"])
    # 控股丙 holds 60 % of the target; 周杰 holds 80 % of 控股丙: 48 % through the chain, the ultimate controller
    c.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
              "holder_enterprise_id, percent, start_date, source, source_key, import_id) VALUES "
              "(1, 1, '目标科技有限公司', '控股丙有限公司', 'enterprise', 4, 60, DATE '2018-01-01', 's1', 'h1', 1)")
    c.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
              "holder_person_id, percent, start_date, source, source_key, import_id) VALUES "
              "(2, 4, '控股丙有限公司', '周杰', 'person', 12, 80, DATE '2018-01-01', 's1', 'h2', 1)")
    c.execute("INSERT INTO investors (id, name, name_norm, type, province_code, city_code, source, source_key, import_id) "
              "VALUES (1, '杭州引导基金', '杭州引导基金', 'government_fund', '330000', '330100', 's1', 'i1', 1)")
    c.execute("INSERT INTO fundings (id, enterprise_id, enterprise_name, date, round, round_raw, source, source_key, "
              "import_id) VALUES (1, 1, '目标科技有限公司', DATE '2022-05-01', 'a', 'A轮', 's1', 'f1', 1)")
    c.execute("INSERT INTO fundings (id, enterprise_id, enterprise_name, date, round, round_raw, source, source_key, "
              "import_id) VALUES (2, 2, '本地甲科技有限公司', DATE '2021-03-01', 'angel', '天使轮', 's1', 'f2', 1)")
    c.execute("INSERT INTO funding_investors VALUES (1, 1, '杭州引导基金', 1, true), (2, 1, '杭州引导基金', 1, true)")
    c.execute("INSERT INTO contacts (id, name, organisation, enterprise_id, province_code, city_code, source, "
              "source_key, import_id) VALUES (1, '孙丽', '本地甲科技有限公司', 2, '330000', '330100', 's1', 'c1', 1)")
    # a patent of the target: inventor 张伟 is the target's chair (same enterprise), not the namesake at 本地甲
    c.execute("INSERT INTO patents (id, number, title, applied, source, source_key, import_id) "
              "VALUES (1, 'CN1', '一种方法', DATE '2021-01-01', 's1', 'pt1', 1)")
    c.execute("INSERT INTO patent_applicants (patent_id, position, name, enterprise_id) VALUES (1, 1, '目标科技有限公司', 1)")
    c.execute("INSERT INTO patent_inventors (patent_id, position, name) VALUES (1, 1, '张伟'), (1, 2, '王五')")
    s.close()
    return path




def build_with_officer_holder(path):
    """The store with one more record of 周杰 (the ultimate controller through 控股丙): a director of the target
    under another source, so the key persons merge the two records and list 周杰 by the director's record, p:14."""
    build(path)
    s = Store(path)
    s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) "
                  "VALUES (14, '周杰', '周杰', 's2', 'k14', 1)")
    s.con.execute("INSERT INTO roles VALUES (14, 14, '周杰', 1, '目标科技有限公司', 'director', '董事', "
                  "DATE '2018-01-01', NULL, 's2', 'r14', 1)")
    s.close()
    return path


def build_with_linked_holder(path):
    """The store with 李磊 as on the demo's 杭州墨鸣: founder and legal representative of 本地甲 (p:21),
    and under unkeyed holder records of their own its controlling shareholder (p:20, ``李磊@2``: 70 %) and a
    holder of the target (p:22, ``李磊@1``: 10 %). The identity rules link the officer to the holder at the same
    enterprise (overlapping tenure), so the graph pools p:20 with p:21; a bureau contact 李磊 at 本地甲 is linked
    to the officer too."""
    build(path)
    s = Store(path)
    c = s.con
    for pid, key in ((20, "李磊@2"), (21, "k21"), (22, "李磊@1")):
        c.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) VALUES (?, '李磊', '李磊', 's1', ?, 1)",
                  [pid, key])
    c.execute("INSERT INTO roles VALUES (20, 21, '李磊', 2, '本地甲科技有限公司', 'legal_rep', '法定代表人', "
              "DATE '2018-01-01', NULL, 's1', 'r20', 1)")
    c.execute("INSERT INTO roles VALUES (21, 21, '李磊', 2, '本地甲科技有限公司', 'founder', '创始人', "
              "DATE '2018-01-01', NULL, 's1', 'r21', 1)")
    c.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
              "holder_person_id, percent, start_date, source, source_key, import_id) VALUES "
              "(20, 2, '本地甲科技有限公司', '李磊', 'person', 20, 70, DATE '2018-01-01', 's1', 'h20', 1), "
              "(22, 1, '目标科技有限公司', '李磊', 'person', 22, 10, DATE '2019-01-01', 's1', 'h22', 1)")
    c.execute("INSERT INTO contacts (id, name, organisation, enterprise_id, province_code, city_code, source, "
              "source_key, import_id) VALUES (2, '李磊', '本地甲科技有限公司', 2, '330000', '330100', 's1', 'c2', 1)")
    s.close()
    return path


def build_with_contact_in_office(path, role: str = "director"):
    """The store with a person record of the bureau's contact 孙丽 (c:1): p:30, in office at 本地甲 (``role``), so
    the identity rules link the contact to the person (contact_same_enterprise)."""
    build(path)
    s = Store(path)
    s.con.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) "
                  "VALUES (30, '孙丽', '孙丽', 's1', 'k30', 1)")
    s.con.execute("INSERT INTO roles VALUES (30, 30, '孙丽', 2, '本地甲科技有限公司', ?, ?, DATE '2016-01-01', NULL, "
                  "'s1', 'r30', 1)", [role, {"legal_rep": "法定代表人"}.get(role, "董事")])
    s.close()
    return path


def build_with_one_record_officer_holder(path):
    """The store with 钱进 in one person record (p:40, one source) as the legal representative of 本地甲 and the
    holder of 65 % of it: the office and the holding on the same record, and the enterprise's 法定代表人 the same
    name."""
    build(path)
    s = Store(path)
    c = s.con
    c.execute("INSERT INTO persons (id, name, name_norm, source, source_key, import_id) "
              "VALUES (40, '钱进', '钱进', 's1', 'k40', 1)")
    c.execute("INSERT INTO roles VALUES (40, 40, '钱进', 2, '本地甲科技有限公司', 'legal_rep', '法定代表人', "
              "DATE '2016-01-01', NULL, 's1', 'r40', 1)")
    c.execute("INSERT INTO shareholdings (id, enterprise_id, enterprise_name, holder_name, holder_type, "
              "holder_person_id, percent, start_date, source, source_key, import_id) VALUES "
              "(40, 2, '本地甲科技有限公司', '钱进', 'person', 40, 65, DATE '2016-01-01', 's1', 'h40', 1)")
    c.execute("UPDATE enterprises SET legal_rep = '钱进' WHERE id = 2")
    s.close()
    return path
