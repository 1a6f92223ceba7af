"""Two exports of one funding history (Crunchbase's rounds table and its investor–company pairs): the rows of
the second that describe a round the first holds merge into it (its investors added), in either order, and the
import's counts still add up."""

from __future__ import annotations

import csv

import pytest

from cli_util import q, run, run_json
from conftest import shared_file

COMPANIES = """permalink,name,category_code,funding_total_usd,status,country_code,state_code,region,city,funding_rounds,founded_at,founded_month,founded_quarter,founded_year,first_funding_at,last_funding_at,last_milestone_at
/company/acme,Acme,software,3500000,operating,USA,CA,SF Bay,San Francisco,2,2010-01-01,2010-01,2010-Q1,2010,2011-03-01,2012-05-10,
/company/bolt,Bolt,web,500000,operating,USA,NY,New York,New York,1,2011-01-01,2011-01,2011-Q1,2011,2012-02-02,2012-02-02,
"""
ROUNDS = """company_permalink,company_name,company_category_code,company_country_code,company_state_code,company_region,company_city,funding_round_type,funded_at,funded_month,funded_quarter,funded_year,raised_amount_usd
/company/acme,Acme,software,USA,CA,SF Bay,San Francisco,angel,2011-03-01,2011-03,2011-Q1,2011,500000
/company/acme,Acme,software,USA,CA,SF Bay,San Francisco,series-a,2012-05-10,2012-05,2012-Q2,2012,3000000
/company/bolt,Bolt,web,USA,NY,New York,New York,seed,2012-02-02,2012-02,2012-Q1,2012,500000
"""
# Acme's two rounds (three investors), and a round of Acme's that the rounds table does not have
PAIRS = """company_name,investor_name,funded_when,amount_usd
Acme,Jane Angel,2011-03-01,500000
Acme,Sequoia Capital,2012-05-10,3000000
Acme,Accel Partners,2012-05-10,3000000
Acme,Founders Fund,2013-01-15,8000000
"""


def _files(tmp_path):
    for name, text in (("companies.csv", COMPANIES), ("rounds.csv", ROUNDS), ("pairs.csv", PAIRS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / "companies.csv", tmp_path / "rounds.csv", tmp_path / "pairs.csv"


def _adds_up(rep):
    assert rep["rows_read"] == (rep["rows_imported"] + rep["rows_updated"] + rep["rows_duplicate"]
                                + rep["rows_conflict"] + rep["rows_rejected"]), rep


@pytest.mark.parametrize("pairs_first", [False, True])
def test_pairs_merge_into_the_rounds(tmp_path, pairs_first):
    companies, rounds, pairs = _files(tmp_path)
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", companies, "--preset", "crunchbase_companies", db=db)
    order = [(pairs, "crunchbase_investments"), (rounds, "crunchbase_rounds")]
    reps = [run_json("import", "fundings", f, "--preset", p, db=db) for f, p in (order if pairs_first else order[::-1])]
    for rep in reps:
        _adds_up(rep)
    got = q(db, """SELECT f.date::VARCHAR, f.round, f.amount_text, f.investors_text FROM fundings f
                   JOIN enterprises e ON e.id = f.enterprise_id WHERE e.name = 'Acme' ORDER BY f.date""")
    assert [g[0] for g in got] == ["2011-03-01", "2012-05-10", "2013-01-15"]  # three rounds, not five
    assert got[0][1] == "angel" and got[1][1] == "a" and got[2][1] is None  # the type of the rounds table is kept
    assert got[0][3] == "Jane Angel"
    assert sorted(got[1][3].split("、")) == ["Accel Partners", "Sequoia Capital"]
    assert q(db, "SELECT count(*) FROM funding_investors fi JOIN investors i ON i.id = fi.investor_id "
                 "WHERE i.name = 'Sequoia Capital'") == [(1,)]
    assert q(db, "SELECT count(*) FROM events WHERE type = 'funding'") == [(4,)]
    second = reps[1]
    if pairs_first:  # the rounds table: Acme's two rounds give their type, Bolt's round is new
        assert (second["rows_imported"], second["rows_updated"], second["rows_duplicate"]) == (1, 2, 0)
    else:  # the pairs: two rounds gain investors (one row is another investor of a round), one round is new
        assert (second["rows_imported"], second["rows_updated"], second["rows_duplicate"]) == (1, 2, 1)
    # the pairs again (another copy of the file, so that it is read): nothing changes
    copy = tmp_path / "pairs-again.csv"
    copy.write_text(PAIRS.replace("\n", "\r\n"), encoding="utf-8")
    again = run_json("import", "fundings", copy, "--preset", "crunchbase_investments", db=db)
    _adds_up(again)
    assert again["rows_imported"] == 0 and again["rows_updated"] == 0
    assert q(db, "SELECT count(*) FROM fundings") == [(4,)]
    # a round on the day of Acme's series A with another amount (a loan, say) is another round
    loan = tmp_path / "loan.csv"
    loan.write_text("company_name,investor_name,funded_when,amount_usd\nAcme,Big Bank,2012-05-10,20000000\n",
                    encoding="utf-8")
    rep = run_json("import", "fundings", loan, "--preset", "crunchbase_investments", "--source", "bank", db=db)
    _adds_up(rep)
    assert (rep["rows_imported"], rep["rows_updated"]) == (1, 0)
    assert q(db, "SELECT count(*) FROM fundings WHERE date = DATE '2012-05-10'") == [(2,)]


def test_real_crunchbase_both_files_one_company(tmp_path):
    base = "financing/crunchbase_2013/"
    comp = shared_file(base + "crunchbase_companies_2013-10.csv")
    rounds_all = shared_file(base + "crunchbase_rounds_2013-10.csv")
    pairs_all = shared_file(base + "crunchbase_investments_investor_company_pairs.csv")

    def only_facebook(src, column, out):
        with open(src, encoding="utf-8", newline="") as fh, open(out, "w", encoding="utf-8", newline="") as oh:
            r = csv.DictReader(fh)
            w = csv.DictWriter(oh, r.fieldnames)
            w.writeheader()
            n = 0
            for row in r:
                if row[column] == "Facebook":
                    w.writerow(row)
                    n += 1
        return out, n

    comp_f, _ = only_facebook(comp, "name", tmp_path / "companies.csv")
    rounds_f, n_rounds = only_facebook(rounds_all, "company_name", tmp_path / "rounds.csv")
    pairs_f, n_pairs = only_facebook(pairs_all, "company_name", tmp_path / "pairs.csv")
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", comp_f, "--preset", "crunchbase_companies", db=db)
    r1 = run_json("import", "fundings", rounds_f, "--preset", "crunchbase_rounds", db=db)
    r2 = run_json("import", "fundings", pairs_f, "--preset", "crunchbase_investments", db=db)
    _adds_up(r1)
    _adds_up(r2)
    assert r2["rows_read"] == n_pairs and r2["rows_imported"] == 0
    assert q(db, "SELECT count(*) FROM fundings") == [(n_rounds,)]  # 11, not 22
    assert q(db, "SELECT investors_text FROM fundings WHERE date = DATE '2011-01-21'") == [
        ("Digital Sky Technologies、Goldman Sachs",)]


# IT桔子 lists one company under two brands, each row with its own copy of the rounds (as 深圳市人马互动科技有限公司 under
# 人马互动 and 齐悟 in the real list); 云雀 is placed by its address in 北京 while its rows say 四川-成都
ITJUZI_COMPANIES = """company_seq,brand_name,legal_name,website,founded,location_raw,location_l1,location_l2,status,industry,sub_industry,total_funding,valuation,team,description,address
1,星桥互动,深圳市星桥互动科技有限公司,http://xq.example/,2016-10,广东-深圳,广东,深圳,运营中,硬件,其他,5300万,未透露,,语音交互,
2,桥语,深圳市星桥互动科技有限公司,http://qy.example/,2016-10,广东-深圳,广东,深圳,运营中,企业服务,其他,5300万,未透露,,语音交互品牌,
3,云雀,成都云雀网络科技有限公司,http://yq.example/,2014-05,四川-成都,四川,成都,运营中,企业服务,客户服务,3550万,未透露,,客服软件,北京市朝阳区望京街道某大厦23层
"""
ITJUZI_FINANCING = """company_seq,brand_name,legal_name,location_raw,date,round,amount_raw,investors_raw
1,星桥互动,深圳市星桥互动科技有限公司,广东-深圳,2019-03-01,B轮,1亿人民币,"甲资本,乙创投"
1,星桥互动,深圳市星桥互动科技有限公司,广东-深圳,2018-06-06,A轮,5000万人民币,戊资本
1,星桥互动,深圳市星桥互动科技有限公司,广东-深圳,2018-04-03,天使轮,数百万人民币,丙基金
2,桥语,深圳市星桥互动科技有限公司,广东-深圳,2019-03-01,B轮,1亿人民币,"乙创投,丁资本"
2,桥语,深圳市星桥互动科技有限公司,广东-深圳,2018-06-06,A轮,9000万人民币,戊资本
2,桥语,深圳市星桥互动科技有限公司,广东-深圳,2018-04-03,天使轮,数百万人民币,丙基金
3,云雀,成都云雀网络科技有限公司,四川-成都,2015-10-10,A轮,500万美元,己资本
"""


def test_one_company_under_two_brands_has_each_round_once(tmp_path):
    """Rows of one import that resolve to the same enterprise and are the same round (date, type, amount not
    differing) are one round, counted as merged; the same file under another source name adds no round."""
    companies, financing = tmp_path / "companies.csv", tmp_path / "financing.csv"
    companies.write_text(ITJUZI_COMPANIES, encoding="utf-8")
    financing.write_text(ITJUZI_FINANCING, encoding="utf-8")
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", companies, "--preset", "itjuzi_companies", db=db)
    rep = run_json("import", "fundings", financing, "--preset", "itjuzi_financing", db=db)
    _adds_up(rep)
    got = q(db, """SELECT f.date::VARCHAR, f.amount_text, f.investors_text FROM fundings f JOIN enterprises e
                   ON e.id = f.enterprise_id WHERE e.name = '深圳市星桥互动科技有限公司' ORDER BY f.date, f.amount_wan""")
    # the angel round once, the B round once with the investors of both rows; the A rounds of the two brands
    # differ in amount: two rounds
    assert [g[:2] for g in got] == [("2018-04-03", "数百万人民币"), ("2018-06-06", "5000万人民币"),
                                    ("2018-06-06", "9000万人民币"), ("2019-03-01", "1亿人民币")]
    assert sorted(got[3][2].split("、")) == ["丁资本", "乙创投", "甲资本"]
    assert q(db, "SELECT count(*) FROM events WHERE type = 'funding'") == [(5,)]
    assert (rep["rows_imported"], rep["rows_duplicate"], rep.get("rounds_merged")) == (5, 2, 2)
    # the same file again: nothing new (a merged row's round is held under the key it was merged into)
    same = run_json("import", "fundings", financing, "--preset", "itjuzi_financing", db=db)
    _adds_up(same)
    assert same["rows_imported"] == 0 and same["rows_duplicate"] == 7
    # the same file under another source name: every row is a round held already (云雀's too, though its name
    # alone does not link it: its rows say 四川, its enterprise is placed in 北京 by its address)
    again = run_json("import", "fundings", financing, "--preset", "itjuzi_financing", "--source", "itjuzi_copy", db=db)
    _adds_up(again)
    assert again["rows_imported"] == 0
    assert q(db, "SELECT count(*) FROM fundings") == [(5,)]
    # the summary says so, in either language
    en = run("--lang", "en", "import", "fundings", financing, "--preset", "itjuzi_financing", "--source", "third",
             db=db).stdout
    assert "7 (of which 2 rounds merged)" in en, en
    zh = run("import", "fundings", financing, "--preset", "itjuzi_financing", "--source", "fourth", db=db).stdout
    assert "7（其中同一企业同一轮次合并 2）" in zh, zh


def test_a_round_without_a_date_is_kept_said_and_left_out_of_trends(tmp_path):
    """A round whose date cell is 不详 is imported undated: a kept_without line in the rejects file and the summary,
    and `trends` says how many rounds it leaves out for want of a date; on a chain not classified yet its notes say
    every enterprise's rounds count (not also that only the chain's do)."""
    companies, financing = tmp_path / "companies.csv", tmp_path / "financing.csv"
    companies.write_text(ITJUZI_COMPANIES, encoding="utf-8")
    financing.write_text(ITJUZI_FINANCING + "3,云雀,成都云雀网络科技有限公司,四川-成都,不详,B轮,2000万美元,庚资本\n",
                         encoding="utf-8")
    db = tmp_path / "z.duckdb"
    run_json("import", "enterprises", companies, "--preset", "itjuzi_companies", db=db)
    rep = run_json("import", "fundings", financing, "--preset", "itjuzi_financing", db=db)
    assert rep["kept_without"] == {"date_missing": 1} and rep["rows_rejected"] == 0, rep
    rejects = list(csv.DictReader(open(rep["rejects_path"], encoding="utf-8-sig")))
    assert [(r["row"], r["action"], r["code"]) for r in rejects] == [("9", "已导入（缺此项）", "date_missing")], rejects
    assert q(db, "SELECT count(*) FROM fundings WHERE date IS NULL") == [(1,)]
    doc = run_json("trends", db=db)
    assert doc["undated"] == 1 and doc["totals"]["rounds"] == q(db, "SELECT count(*) FROM fundings")[0][0] - 1
    assert doc["notes"][:2] == ["产业链尚未归类：按全部企业的融资计算", "另有 1 轮融资没有日期，未计入"], doc["notes"]
    assert not any("only the fundings of chain enterprises" in n for n in doc["notes_en"]), doc["notes_en"]
    assert "注意：另有 1 轮融资没有日期，未计入" in run("trends", db=db).stderr
    assert "note: 1 more round without a date not counted" in run("--lang", "en", "trends", db=db).stderr
