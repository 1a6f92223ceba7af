"""Named chain-placement cases on real rows imported through the CLI and its presets, and analyst
corrections and declared placements that survive re-classification and re-imports."""

from __future__ import annotations

import csv
import json
import re
import sqlite3

import duckdb
import pytest

from built_once import copy_to
from cli_util import run, run_json
from conftest import shared_file

REG_KEYS = {
    "91510500731634293G": "泸州北方化学工业有限公司",       # propellants (发射药)
    "913611007442990843": "中国移动通信集团江西有限公司上饶分公司",
    "91360300744268851K": "中国移动通信集团江西有限公司萍乡分公司",
    "913101107569979204": "上海欧博财经资讯有限公司",
    "91440703724397904A": "江门市盈东电脑资讯有限公司",
}


def _subset(src, dst, keep) -> int:
    with open(src, encoding="utf-8", newline="") as fi, open(dst, "w", encoding="utf-8", newline="") as fo:
        r = csv.DictReader(fi)
        w = csv.DictWriter(fo, fieldnames=r.fieldnames)
        w.writeheader()
        n = 0
        for row in r:
            if keep(row):
                w.writerow(row)
                n += 1
    return n


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """The SZSE list, Shenwan industries and main products (presets), registration rows and IT桔子 rows."""
    szse = shared_file("listed_companies/szse_a_share_list_2026-01.csv")
    sw = shared_file("industry_chain/company_sw2021_industry_2021-10.csv")
    prods = shared_file("industry_chain/company_main_products_2021-10.csv")
    reg = shared_file("enterprises/enterprise_registration_sample_2000_2004.csv")
    itj = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    d = tmp_path_factory.mktemp("cases")
    path = d / "z.duckdb"
    reg_rows = d / "registrations.csv"
    assert _subset(reg, reg_rows, lambda r: r["统一社会信用代码"] in REG_KEYS) == 5
    itj_rows = d / "itjuzi.csv"
    _subset(itj, itj_rows, lambda r: int(r["company_seq"]) <= 60)
    run("import", "enterprises", szse, "--preset", "szse_a_share", db=path)
    szse_only = copy_to(path, d / "szse_only.duckdb")  # the list alone, before the other files (exchange_list)
    run("import", "enterprises", sw, "--preset", "sw_industry", db=path)
    run("import", "enterprises", prods, "--preset", "main_products", db=path)
    run("import", "enterprises", reg_rows, db=path)
    run("import", "enterprises", itj_rows, "--preset", "itjuzi_companies", db=path)
    run("classify", db=path)
    return {"path": path, "szse": szse, "prods": prods, "itjuzi": itj_rows, "szse_only": szse_only}


def nodes(db, name: str) -> dict[str, str]:
    with duckdb.connect(str(db["path"]), read_only=True) as con:
        rows = con.execute("""SELECT p.node_code, p.method FROM placements p JOIN enterprises e ON e.id = p.enterprise_id
            WHERE e.name = ?""", [name]).fetchall()
    return dict(rows)


def test_servers_surveillance_and_ai_chips_are_placed(db):
    assert "U02" in nodes(db, "浪潮电子信息产业股份有限公司")       # main products: 服务器
    assert "D10" in nodes(db, "浙江大华技术股份有限公司")          # Shenwan 安防设备, products 远程图像监控
    assert "U01" in nodes(db, "中科寒武纪科技股份有限公司")        # Shenwan 数字芯片设计


def test_exchange_list_coverage_with_industry_and_products(db):
    with duckdb.connect(str(db["path"]), read_only=True) as con:
        n, placed = con.execute("""SELECT count(DISTINCT r.enterprise_id),
                   count(DISTINCT r.enterprise_id) FILTER (WHERE r.enterprise_id IN (SELECT enterprise_id FROM placements))
            FROM enterprise_records r WHERE r.source = 'szse_a_share'""").fetchone()
    assert n == 2882
    # the list alone carries no scope (49 placed before); Shenwan industries and main products joined by
    # stock code place far more (measured 454)
    assert placed >= 300


@pytest.fixture(scope="module")
def exchange_list(tmp_path_factory, db):
    """The SZSE list alone, as an analyst imports it first: name, English name and CSRC sector, no scope or products
    (a copy of the module's database as it was after that first import)."""
    path = copy_to(db["szse_only"], tmp_path_factory.mktemp("szse") / "z.duckdb")
    run("classify", db=path)
    return path


def test_exchange_list_alone_places_by_what_it_says(exchange_list):
    with duckdb.connect(str(exchange_list), read_only=True) as con:
        xf = con.execute("""SELECT e.industry, e.scope, e.products, e.description, count(p.node_code)
            FROM enterprises e LEFT JOIN placements p ON p.enterprise_id = e.id
            WHERE e.name = '科大讯飞股份有限公司' GROUP BY ALL""").fetchone()
        fin, fin_d06 = con.execute("""SELECT count(DISTINCT e.id), count(DISTINCT p.enterprise_id)
            FROM enterprises e LEFT JOIN placements p ON p.enterprise_id = e.id AND p.node_code = 'D06'
            WHERE e.industry = 'J 金融业'""").fetchone()
        robots = con.execute("""SELECT count(*) FROM placements p JOIN enterprises e ON e.id = p.enterprise_id
            WHERE p.node_code = 'D01' AND e.name LIKE '%机器人%'""").fetchone()[0]
    # 科大讯飞's row carries only the CSRC sector I 信息技术, which holds IT outsourcing and integrators as well
    # (docs/gold-labelling.md, general rule 3): the list alone places it nowhere; its main products do (above)
    assert xf == ("I 信息技术", None, None, None, 0)
    # banks, brokers, trusts and futures firms (CSRC 金融业) are not fintech (guide, rule 4 and D06): the sector's
    # 金融 is no D06 evidence
    assert fin >= 30 and fin_d06 == 0
    # a name that says the business still places (沈阳新松机器人自动化, 迈赫机器人自动化)
    assert robots >= 2


def test_propellant_maker_telecom_branches_and_information_firms_stay_off(db):
    assert "D10" not in nodes(db, "泸州北方化学工业有限公司")
    for name in ("中国移动通信集团江西有限公司上饶分公司", "中国移动通信集团江西有限公司萍乡分公司"):
        assert "U03" not in nodes(db, name), name
    for name in ("上海欧博财经资讯有限公司", "江门市盈东电脑资讯有限公司"):
        assert "D13" not in nodes(db, name), name


def placement(path, eid: int, node: str):
    """One placement as the profile reads it: method, confidence, the signals of its parts, its reading."""
    from zhaoshang.core import explain
    from zhaoshang.services.chain import reading  # noqa: F401  (the readers)

    with duckdb.connect(str(path), read_only=True) as con:
        row = con.execute("SELECT method, confidence, evidence FROM placements WHERE enterprise_id = ? AND node_code = ?",
                          [eid, node]).fetchone()
    if row is None:
        return None
    parts = json.loads(row[2])["parts"]
    return row[0], row[1], [{k: q[k] for k in ("signal", "label", "contribution")} for q in parts], explain.readings(row[2])


def test_corrections_and_declared_placements_survive_classify_and_reimport(db):
    """Analyst corrections are audited, counted and kept; placements declared by a source's own labels are kept
    apart from inferred ones; both survive re-classification and re-imports."""
    p = db["path"]
    # the exchange files say nothing of speech (products: 教育领域、开放平台 …): the rules cannot place
    # 科大讯飞 on 语音; an analyst does, with a reason. (The pair reader's two readers together place it on none of
    # the nodes its words name — 教育领域、开放平台、智慧医疗 —, each under the bar.)
    xunfei = "科大讯飞股份有限公司"
    assert nodes(db, xunfei) == {}
    # a false placement, removed: 老板电器's product 蒸烤一体机 (a steam oven) carries U02's word 一体机
    firm, wrong = "杭州老板电器股份有限公司", "U02"
    assert nodes(db, firm) == {wrong: "rules-v1"}
    run("placements", "add", "科大讯飞", "M06", "--reason", "语音识别与合成为主营业务（年报）", "--user", "分析员甲", db=p)
    run("placements", "remove", firm, wrong, "--reason", "蒸烤一体机是厨房电器，不是算力设备", "--user", "分析员甲", db=p)
    run("placements", "confirm", "浙江大华技术股份有限公司", "D10", "--reason", "视频监控设备", "--user", "分析员乙", db=p)
    assert nodes(db, xunfei) == {"M06": "analyst"} and wrong not in nodes(db, firm)
    # the IT桔子 rows' own labels, declared
    res = run_json("placements", "declare", "--source", "itjuzi", db=p)
    assert res["declared"] > 20 and res["records"] == 60
    with duckdb.connect(str(p), read_only=True) as con:
        declared = con.execute("""SELECT p.method, json_extract_string(p.evidence, '$.parts[0].detail.source'),
                   json_extract_string(p.evidence, '$.parts[0].label') FROM placements p WHERE p.method = 'declared'""").fetchall()
    assert declared and all(r[1] == "itjuzi" and r[2] for r in declared)
    # re-imports and the re-classification after them keep the decisions and the declared placements (a
    # classification alone is checked below, by the full one that follows an older add)
    run("import", "enterprises", db["szse"], "--preset", "szse_a_share", db=p)
    run("import", "enterprises", db["prods"], "--preset", "main_products", db=p)
    run("classify", db=p)
    assert nodes(db, xunfei) == {"M06": "analyst"} and wrong not in nodes(db, firm)
    assert nodes(db, "浙江大华技术股份有限公司")["D10"] == "rules-v1+confirmed"
    with duckdb.connect(str(p), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM placements WHERE method = 'declared'").fetchone()[0] == len(declared)
    # audit: who, when, why; counts per node; CSV export
    audit = run_json("placements", "list", db=p)
    assert [a["action"] for a in audit] == ["confirm", "remove", "add"]
    assert audit[2]["user_name"] == "分析员甲" and audit[2]["reason"].startswith("语音识别") and audit[2]["decided_at"]
    counts = {c["node"]: c for c in run_json("placements", "counts", db=p)}
    assert counts["M06"]["added"] == 1 and counts[wrong]["removed"] == 1 and counts["D10"]["confirmed"] == 1
    exported = run("placements", "list", "--format", "csv", db=p).stdout
    assert "科大讯飞股份有限公司" in exported and "分析员乙" in exported
    assert ",add," in exported and re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}Z", exported)  # CSV: stored code and time
    # the table: headers, actions and times in the UI language, times to the second
    wide = {"COLUMNS": "220"}
    table = run("placements", "list", db=p, env=wide).stdout
    assert all(w in table for w in ("操作人", "时间", "产业链", "新增", "移除", "确认")), table
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} ", table) and not re.search(r"T\d{2}:\d{2}:\d{2}\.\d+Z", table)
    assert "user_name" not in table and "decided_at" not in table
    table = run("--lang", "en", "placements", "counts", db=p, env=wide).stdout
    assert all(w in table for w in ("Confirmed", "Removed", "Added", "Corrected")), table
    # the decisions are team records, beside users and the audit log, not in the analytical database
    with sqlite3.connect(p.with_name(p.stem + ".team.sqlite")) as team:
        entries = team.execute("SELECT actor, action, target, detail FROM audit_log WHERE action LIKE 'placement.%' "
                               "ORDER BY id").fetchall()
    assert [e[1] for e in entries] == ["placement.add", "placement.remove", "placement.confirm"]
    # run from the command line for a user: the operator acts, on the user's behalf (docs/security.md)
    assert entries[0][0].startswith("cli:") and entries[0][2].startswith("ai:M06:")
    assert json.loads(entries[0][3])["on_behalf_of"] == "分析员甲"
    # user errors: one line, exit code 2
    bad = run("placements", "add", "科大讯飞", "X99", "--reason", "x", db=p, check=False)
    assert bad.returncode == 2 and "X99" in bad.stderr and "Traceback" not in bad.stderr
    bad = run("placements", "remove", "科大讯飞", "D14", "--reason", "x", db=p, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "add" not in bad.stderr  # no command-line advice
    # one decision per enterprise and node: a decision that changes nothing is refused, saying what stands (an add
    # of a confirmed node replaced the confirmation, which the next classification then dropped)
    dahua = "浙江大华技术股份有限公司"
    bad = run("placements", "add", dahua, "D10", "--reason", "again", db=p, check=False)
    assert bad.returncode == 2 and "已在节点 D10 上（已确认，#3）" in bad.stderr, bad.stderr
    bad = run("placements", "confirm", dahua, "d10", "--reason", "again", db=p, check=False)  # any case: D10
    assert bad.returncode == 2 and "已确认（#3）" in bad.stderr, bad.stderr
    bad = run("--lang", "en", "placements", "add", "科大讯飞", "m06", "--reason", "again", db=p, check=False)
    assert bad.returncode == 2 and "already on node M06 (added by an analyst, #1)" in bad.stderr, bad.stderr
    with duckdb.connect(str(p), read_only=True) as con:
        other, inferred = con.execute("SELECT enterprise_id, node_code FROM placements WHERE method = 'rules-v1' "
                                      "ORDER BY 1, 2 LIMIT 1").fetchone()
    bad = run("placements", "add", str(other), inferred, "--reason", "again", db=p, check=False)
    assert bad.returncode == 2 and f"已在节点 {inferred} 上（推断），无需新增；要认可这条归类，请确认它" in bad.stderr, bad.stderr
    bad = run("placements", "remove", firm, wrong, "--reason", "again", db=p, check=False)
    assert bad.returncode == 2 and f"已移除（#2）" in bad.stderr, bad.stderr
    assert len(run_json("placements", "list", db=p)) == 3  # refused: nothing recorded
    # nodes read as every command reads them: any case, an unknown one refused with the nodes meant
    assert [a["node_code"] for a in run_json("placements", "list", "--node", "m06", db=p)] == ["M06"]
    bad = run("placements", "list", "--node", "M6", db=p, check=False)
    assert bad.returncode == 2 and "您是不是要找：M06" in bad.stderr, bad.stderr
    bad = run("placements", "add", dahua, "m6", "--reason", "x", db=p, check=False)
    assert bad.returncode == 2 and "您是不是要找：M06" in bad.stderr, bad.stderr
    bad = run("placements", "add", dahua, "U", "--reason", "x", db=p, check=False)
    assert bad.returncode == 2 and "是第 1 层" in bad.stderr, bad.stderr
    # the reason is bounded as the page's box is (500 characters), on every interface
    bad = run("placements", "add", dahua, "M06", "--reason", "长" * 501, db=p, check=False)
    assert bad.returncode == 2 and "理由最长 500 字（现为 501 字）" in bad.stderr, bad.stderr
    # remove a node the rules place, then add it back: the add confirms the rules' placement at once — its method,
    # confidence, evidence, reading and count are those the next full classification gives (checked below)
    with duckdb.connect(str(p), read_only=True) as con:
        # a node with a finer node placed under it (D01 and D01.3): off the node is off its finer nodes too
        back_id, back, finer = con.execute(
            "SELECT p.enterprise_id, p.node_code, min(q.node_code) FROM placements p JOIN placements q "
            "ON q.enterprise_id = p.enterprise_id AND q.node_code LIKE p.node_code || '.%' AND q.method = 'rules-v1' "
            "WHERE p.method = 'rules-v1' AND p.node_code NOT IN ('U02', 'D10', 'M06') GROUP BY ALL ORDER BY 1, 2 LIMIT 1").fetchone()
    ruled, ruled_finer = placement(p, back_id, back), placement(p, back_id, finer)
    run("placements", "remove", str(back_id), back, "--reason", "试移除", db=p)
    assert placement(p, back_id, back) is None and placement(p, back_id, finer) is None
    run("placements", "add", str(back_id), back, "--reason", "恢复：主营产品", db=p)
    added_back = placement(p, back_id, back)
    assert placement(p, back_id, finer) == ruled_finer  # the finer node back as the rules placed it
    assert added_back[:2] == ("rules-v1+confirmed", ruled[1]) and added_back[2][:-1] == ruled[2]
    assert added_back[2][-1]["signal"] == "add" and "不经规则与模型" not in added_back[3]["zh"]
    assert "加回并确认，理由：恢复：主营产品" in added_back[3]["zh"] and "新增" not in added_back[3]["zh"]
    assert "added back and confirmed by the analyst" in added_back[3]["en"], added_back[3]
    counted = {c["node"]: c for c in run_json("placements", "counts", db=p)}[back]
    assert {k: counted[k] for k in ("confirmed", "removed", "added")} == {"confirmed": 1, "removed": 0, "added": 0}
    # an add recorded before such adds were refused (after the confirmation) still shows as a confirmation after
    # classify: the latest decision stands, whatever classify rewrote
    with sqlite3.connect(p.with_name(p.stem + ".team.sqlite")) as team:
        team.execute("""INSERT INTO placement_corrections (enterprise_id, enterprise_uscc, enterprise_name, chain,
            node_code, action, reason, user_name, decided_at) SELECT enterprise_id, enterprise_uscc, enterprise_name,
            chain, node_code, 'add', 'again', user_name, decided_at FROM placement_corrections WHERE id = 3""")
    run("classify", "--full", db=p)
    assert nodes(db, dahua)["D10"] == "rules-v1+confirmed"
    # and it counts as what it is now, a confirmation (it counted as an add); 科大讯飞's M06, which only the
    # analyst's add holds, still as an add
    counts = {c["node"]: c for c in run_json("placements", "counts", db=p)}
    assert {k: counts["D10"][k] for k in ("confirmed", "added", "corrected")} == {"confirmed": 1, "added": 0, "corrected": 1}
    assert counts["M06"]["added"] == 1 and counts["M06"]["confirmed"] == 0 and counts[wrong]["removed"] == 1
    assert placement(p, back_id, back) == added_back and counts[back] == counted  # the add back, as it read at once
    assert placement(p, back_id, finer) == ruled_finer
    # the export names the enterprise and the node beside their codes (the stored columns kept)
    out = p.with_name("placements.csv")
    run("export", "placements", "-o", out, db=p)
    with open(out, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {"enterprise_id", "chain", "node_code", "confidence", "evidence", "method", "classified_at",
            "enterprise_name", "enterprise_uscc", "node_name_zh", "node_name_en"} <= set(rows[0])
    row = next(r for r in rows if r["enterprise_name"] == dahua and r["node_code"] == "D10")
    assert row["method"] == "rules-v1+confirmed" and row["node_name_zh"] and row["node_name_en"] and row["node_name_en"] != row["node_name_zh"]
    assert all(r["enterprise_name"] and r["node_name_zh"] for r in rows)
    # and each placement's reading, the sentence the profile gives, in both languages
    from zhaoshang.core import explain
    assert all(r["reading_zh"] == explain.reading(r["evidence"], "zh") and r["reading_en"] == explain.reading(r["evidence"], "en")
               and r["reading_zh"] for r in rows)
    assert "分析师" in row["reading_zh"] and "analyst" in row["reading_en"]  # the confirmation is read out
    # a finer node removed on its own stays removed when its node is removed and added back; nothing is doubled
    run("placements", "remove", str(back_id), finer, "--reason", "细分环节不符", db=p)
    run("placements", "remove", str(back_id), back, "--reason", "再试移除", db=p)
    assert placement(p, back_id, back) is None and placement(p, back_id, finer) is None
    run("placements", "add", str(back_id), back, "--reason", "恢复：主营产品", db=p)
    assert placement(p, back_id, back)[0] == "rules-v1+confirmed" and placement(p, back_id, finer) is None
    with duckdb.connect(str(p), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM (SELECT enterprise_id, chain, node_code FROM placements "
                           "GROUP BY ALL HAVING count(*) > 1)").fetchone()[0] == 0


def test_shenwan_rows_without_a_full_name_still_reach_their_listed_company(db):
    """About a hundred Shenwan rows carry a stock code and a short name but no full name; they are named by the
    short name and linked by the stock code, so the listed company gets its industry instead of a rejected row."""
    with open(shared_file("industry_chain/company_sw2021_industry_2021-10.csv"), encoding="utf-8") as f:
        # stock codes are stored on their six digits (000876.SZ as 000876)
        blank = {r["ts_code"][:6]: r["sw_l3_name"] for r in csv.DictReader(f) if not r["full_name"].strip()}
    assert len(blank) > 50
    with duckdb.connect(str(db["path"]), read_only=True) as con:
        got = dict(con.execute("SELECT listed_code, industry FROM enterprises WHERE listed_code IN "
                               "(SELECT unnest(?))", [list(blank)]).fetchall())
        full = con.execute("SELECT name FROM enterprises WHERE listed_code = '000876'").fetchone()
    assert set(got) == set(blank)
    assert got["000876"] == blank["000876"] == "生猪养殖"
    assert full == ("新希望六和股份有限公司",)       # the SZSE list's full name is kept, not the short name
