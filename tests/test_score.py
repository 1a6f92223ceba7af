"""The scorecard and its backtest on a small hand-built database, checked against an independent computation."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pytest

from cli_util import run, run_json
from zhaoshang.core.store import Store
from zhaoshang.services.evaluation.backtest import at_k, auc

D = dt.date(2020, 6, 30)
# enterprise id → founded, [(date, round, amount 万元 or None)]
FIXTURE = {
    1: ("2015-03-01", [("2016-01-10", "angel", 500), ("2019-12-01", "a", 3000)]),
    2: ("2016-05-01", [("2018-02-01", "angel", None)]),
    3: ("2014-01-01", [("2017-06-01", "a", 2000), ("2019-03-01", "b", 10000), ("2020-09-01", "c", 30000)]),
    4: ("2017-09-01", [("2020-05-01", "pre_a", 800), ("2021-02-01", "a", 4000)]),
    5: ("2013-01-01", [("2015-06-01", "b", 6000)]),
    6: ("2018-01-01", []),
    7: ("2012-01-01", [("2016-01-01", "a", 1000), ("2018-01-01", "ipo", 90000)]),
    8: ("2016-01-01", [("2019-08-01", "a", 1500), ("2019-11-01", "a_plus", 2500)]),
}
STAGE = {"angel": 1, "pre_a": 1.5, "a": 2, "a_plus": 2.5, "b": 3, "c": 4, "ipo": 8}
WEIGHTS = """version: test-1
min_cohort: 100
age_bands: [3, 8]
dimensions:
  capital: {weight: 0.6}
  growth: {weight: 0.4}
signals:
  total_raised: {dimension: capital, weight: 0.5, direction: 1}
  months_since_round: {dimension: capital, weight: 0.3, direction: -1}
  latest_stage: {dimension: capital, weight: 0.2, direction: 1}
  rounds_24m: {dimension: growth, weight: 1.0, direction: 1}
"""


def _build(path, extra=()):
    s = Store(str(path))
    s.con.execute("INSERT INTO imports (id, kind, source, data_date) VALUES (1, 'fundings', 'test', DATE '2021-12-31')")
    fid = 0
    for eid, (founded, rounds) in FIXTURE.items():
        s.con.execute("INSERT INTO enterprises (id, name, founded, status) VALUES (?, ?, ?, '存续')",
                      [eid, f"测试企业{eid}号有限公司", founded])
        for date, rnd, amt in list(rounds) + [r for e, r in extra if e == eid]:
            fid += 1
            s.con.execute("INSERT INTO fundings (id, enterprise_id, date, round, amount_wan) VALUES (?, ?, ?, ?, ?)",
                          [fid, eid, date, rnd, amt])
    s.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("score")
    _build(d / "s.duckdb")
    (d / "w.yaml").write_text(WEIGHTS, encoding="utf-8")
    return d


def _pct(values: dict, direction: int) -> dict:
    """Mid-rank percentile among the present values: 100 × (#below + ½ #equal) / n."""
    present = {k: direction * v for k, v in values.items() if v is not None}
    n = len(present)
    return {k: 100 * (sum(x < v for x in present.values()) + 0.5 * sum(x == v for x in present.values())) / n
            for k, v in present.items()}


def _independent(as_of: dt.date) -> dict:
    raw = {"total_raised": {}, "months_since_round": {}, "latest_stage": {}, "rounds_24m": {}}
    for eid, (founded, rounds) in FIXTURE.items():
        if dt.date.fromisoformat(founded) > as_of:
            continue
        past = [(dt.date.fromisoformat(d), r, a) for d, r, a in rounds if dt.date.fromisoformat(d) <= as_of]
        amounts = [a for _, _, a in past if a is not None]
        raw["total_raised"][eid] = 0 if not past else (sum(amounts) if amounts else None)
        last = max(past)[0] if past else None
        raw["months_since_round"][eid] = (as_of - last).days / 30.44 if last else None
        raw["latest_stage"][eid] = STAGE[max(past)[1]] if past else None
        raw["rounds_24m"][eid] = sum(1 for d, _, _ in past if d > as_of - dt.timedelta(days=730))
    p = {"total_raised": _pct(raw["total_raised"], 1), "months_since_round": _pct(raw["months_since_round"], -1),
         "latest_stage": _pct(raw["latest_stage"], 1), "rounds_24m": _pct(raw["rounds_24m"], 1)}
    w = {"total_raised": 0.5, "months_since_round": 0.3, "latest_stage": 0.2}
    out = {}
    for eid in raw["rounds_24m"]:
        present = {s: p[s][eid] for s in w if eid in p[s]}
        cap = sum(w[s] * v for s, v in present.items()) / sum(w[s] for s in present) if present else None
        growth = p["rounds_24m"][eid]
        total = (0.6 * cap + 0.4 * growth) / 1.0 if cap is not None else growth
        conf = (0.6 * sum(w[s] for s in present) + 0.4) / 1.0
        out[eid] = {"capital": cap, "growth": growth, "total": total, "confidence": conf,
                    "raw": {s: raw[s][eid] for s in raw}}
    return out


@pytest.mark.parametrize("eid", [1, 2, 3, 6, 8])
def test_scores_match_an_independent_computation(db, eid):
    doc = run_json("score", str(eid), "--as-of", D.isoformat(), "--weights", db / "w.yaml", db=db / "s.duckdb")
    want = _independent(D)[eid]
    assert doc["as_of"] == D.isoformat() and doc["version"] == "test-1"
    assert doc["cohort"]["level"] == "all" and doc["cohort"]["n"] == len(_independent(D))
    assert doc["total"] == pytest.approx(want["total"], abs=0.051)
    assert doc["confidence"] == pytest.approx(want["confidence"], abs=0.001)
    if want["capital"] is None:
        assert doc["dimensions"]["capital"]["score"] is None and doc["dimensions"]["capital"]["absent"]
    else:
        assert doc["dimensions"]["capital"]["score"] == pytest.approx(want["capital"], abs=0.051)
    assert doc["dimensions"]["growth"]["score"] == pytest.approx(want["growth"], abs=0.051)
    contrib = {c["signal"]: c for c in doc["dimensions"]["capital"]["contributions"]}
    for s in ("total_raised", "latest_stage", "rounds_24m"):
        if s in contrib and want["raw"][s] is not None:
            assert contrib[s]["raw"] == pytest.approx(want["raw"][s])
    # contributions add up to the dimension score; the explained total's parts to the total
    if doc["dimensions"]["capital"]["score"] is not None:
        assert sum(c["contribution"] or 0 for c in doc["dimensions"]["capital"]["contributions"]) == \
            pytest.approx(doc["dimensions"]["capital"]["score"], abs=0.1)
    assert sum(p["contribution"] for p in doc["explained"]["parts"]) == pytest.approx(doc["total"], abs=0.1)
    assert doc["explained"]["method"] == "scorecard" and doc["explained"]["as_of"] == D.isoformat()


def test_missing_data_lowers_confidence_not_score_and_is_shown(db):
    # enterprise 2's only round is undisclosed: total raised is missing, not zero
    doc = run_json("score", "2", "--as-of", D.isoformat(), "--weights", db / "w.yaml", db=db / "s.duckdb")
    tr = next(c for c in doc["dimensions"]["capital"]["contributions"] if c["signal"] == "total_raised")
    assert tr["detail"]["missing"] and tr["normalised"] is None and "total_raised" in doc["missing"]
    assert doc["confidence"] < 1
    # default weights: no patents, news or branches in the database → those dimensions absent, shown as absent
    full = run_json("score", "1", "--as-of", D.isoformat(), db=db / "s.duckdb")
    assert full["dimensions"]["innovation"]["absent"] and full["dimensions"]["innovation"]["score"] is None
    assert full["dimensions"]["influence"]["absent"]
    assert {"total", "dimensions", "confidence", "as_of"} <= set(full)
    assert all({"score", "contributions"} <= set(v) for v in full["dimensions"].values())


def test_no_people_or_news_data_is_no_data_not_a_middle_score(db, tmp_path):
    """With people and news imported for some enterprises, one without any read 0 key people and 0 news: ranked among
    the others (a lone or tied value is the middle, 50) it got a team and an influence score, read as a fact. Its
    team and influence are now 'no data', left out of the total, which says so (API, CLI table)."""
    path = tmp_path / "s.duckdb"
    shutil.copyfile(db / "s.duckdb", path)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO persons (id, name, source) VALUES (1, '张三', 'test')")
    con.execute("INSERT INTO roles (id, person_id, person_name, enterprise_id, role, title, start_date, source) "
                "VALUES (1, 1, '张三', 1, 'ceo', '总经理', DATE '2018-01-01', 'test')")
    con.execute("INSERT INTO news (id, title, published, sentiment, source) VALUES (1, '测试企业1号发布新品', "
                "TIMESTAMP '2020-03-01 09:00:00', 0.5, 'test')")
    con.execute("INSERT INTO news_mentions VALUES (1, 1, '测试企业1号有限公司', 'declared')")
    con.close()
    one = run_json("score", "1", "--as-of", D.isoformat(), db=path)
    assert not one["dimensions"]["team"]["absent"] and not one["dimensions"]["influence"]["absent"]
    assert one["total_basis"]["no_data"] == [k for k, v in one["dimensions"].items() if v["absent"]]
    doc = run_json("score", "3", "--as-of", D.isoformat(), db=path)
    # a news source imported: no negative item for enterprise 3 is a known 0, ranked as data (not "not covered")
    neg = next(c for c in doc["dimensions"]["risk"]["contributions"] if c["signal"] == "negative_events")
    assert neg["raw"] == 0 and neg["normalised"] is not None and not neg["detail"].get("not_covered")
    # "higher is safer": no negative event and a normal status — the best values, tied with the firms like it —
    # read 100 (tied values of the risk signals take the top of their rank), not the middle of the tie (~50)
    status = next(c for c in doc["dimensions"]["risk"]["contributions"] if c["signal"] == "abnormal_status")
    assert (neg["normalised"], status["raw"], status["normalised"], doc["dimensions"]["risk"]["score"]) == (100, 0, 100, 100)
    assert "negative_events" not in doc["not_covered"]
    for dim in ("team", "influence"):
        d = doc["dimensions"][dim]
        assert d["absent"] and d["score"] is None and d["share"] is None, (dim, d)
        assert all(c["detail"]["missing"] for c in d["contributions"])
    present = {k: v for k, v in doc["dimensions"].items() if not v["absent"]}
    weights = {k: v["weight"] for k, v in present.items()}
    assert doc["total"] == pytest.approx(sum(weights[k] * v["score"] for k, v in present.items()) / sum(weights.values()),
                                         abs=0.06)  # the weighted mean of the dimensions with data
    assert {"team", "influence"} <= set(doc["total_basis"]["no_data"]) and doc["total_basis"]["rule"] == "present_dimensions"
    assert "团队" in doc["total_basis"]["note"] and "不计入总分" in doc["total_basis"]["note"]
    table = run("score", "3", "--as-of", D.isoformat(), db=path)
    assert "缺数据、不计入：" in table.stdout
    assert "\n得分 缺数据\n" in "\n".join(" ".join(ln.split()) for ln in table.stdout.splitlines()) and "不计入总分" in table.stderr, (table.stdout, table.stderr)
    en = run("--lang", "en", "score", "3", "--as-of", D.isoformat(), db=path)
    assert "no data, left out:" in en.stdout and "left out of the total" in en.stderr, (en.stdout, en.stderr)
    assert "confidence 0." in " ".join(en.stdout.split()) and "{" not in en.stdout


def test_facts_after_the_date_change_nothing(db, tmp_path):
    before = run_json("score", "3", "--as-of", D.isoformat(), db=db / "s.duckdb")
    _build(tmp_path / "later.duckdb", extra=[(3, ("2020-07-01", "d", 99999)), (6, ("2020-08-01", "a", 5000)),
                                             (5, ("2021-01-01", "c", 1))])
    after = run_json("score", "3", "--as-of", D.isoformat(), db=tmp_path / "later.duckdb")
    assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)


def test_table_output_and_user_errors(db):
    out = run("score", "测试企业3号有限公司", "--as-of", D.isoformat(), db=db / "s.duckdb").stdout
    assert "测试企业3号有限公司" in out and "资本" in out
    # one 权重 column held a dimension's share of the total and a signal's weight within its dimension: each kind is a
    # column of its own, headed as the web scorecard heads it, beside the value of that kind (blocks at 80 columns)
    card = run_json("score", "测试企业3号有限公司", "--as-of", D.isoformat(), db=db / "s.duckdb")
    dims = [d for d in card["dimensions"].values() if d["share"] is not None]
    signals = [c for d in card["dimensions"].values() for c in d["contributions"]]
    assert len(dims) > 1 and {c["weight"] for c in signals} - {d["share"] for d in dims}
    # docs/cli.md: the total is Σ share × score (the shares add up to 1); `weight` is the file's own (hand-3's six add
    # up to 1.05), so Σ weight × score is not the total (here, with dimensions absent, 52.0 against 57.7)
    assert sum(d["share"] for d in dims) == pytest.approx(1, abs=0.001)
    assert sum(d["share"] * d["score"] for d in dims) == pytest.approx(card["total"], abs=0.1)
    assert sum(d["weight"] for d in card["dimensions"].values()) == pytest.approx(1.05)
    assert abs(sum(d["weight"] * d["score"] for d in dims) - card["total"]) > 1
    for lang, words in (("zh", ("占总分权重", "维度内权重", "对维度得分的贡献", "对总分的贡献")),
                        ("en", ("Share of total", "Weight in dimension", "Contribution to dimension", "Contribution to total"))):
        table = run("--lang", lang, "score", "测试企业3号有限公司", "--as-of", D.isoformat(), db=db / "s.duckdb",
                    env={"COLUMNS": "80"}).stdout
        lines = [" ".join(ln.split()) for ln in table.splitlines()]
        beside = {w: [float(ln[len(w):].replace(",", "")) for ln in lines if ln.startswith(w + " ")] for w in words}
        assert beside[words[0]] == [d["share"] for d in dims], (lang, table)
        assert beside[words[1]] == [c["weight"] for c in signals], (lang, table)
        assert beside[words[2]] == [c["contribution"] for c in signals if c["contribution"] is not None], (lang, table)
        assert beside[words[3]] == [c["detail"]["total_contribution"] for c in signals
                                    if c["detail"].get("total_contribution") is not None], (lang, table)
        assert not [ln for ln in table.splitlines() if ln.strip().split("  ")[0] in ("权重", "贡献", "Weight", "Contribution")]
    bad = run("score", "不存在的企业", db=db / "s.duckdb", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    bad = run("score", "1", "--weights", db / "nope.yaml", db=db / "s.duckdb", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_shipped_weights_name_every_signal_apart_in_both_languages(db):
    """The shipped weights' labels as the scorecard prints them: one name per signal in Chinese and in English (an
    unquoted comma in a YAML flow mapping cut 'months since the latest round, distance from 12' to the label of
    months_since_round)."""
    for lang in ("zh", "en"):
        card = run_json("--lang", lang, "score", "测试企业3号有限公司", "--as-of", D.isoformat(), db=db / "s.duckdb")
        labels = {c["signal"]: c["label"] for d in card["dimensions"].values() for c in d["contributions"]}
        assert len(labels) > 20 and len(set(labels.values())) == len(labels), labels
    assert labels["months_from_12"] == "months since the latest round, distance from 12"
    assert labels["months_since_round"] == "months since the latest round"


def test_batch_stores_every_enterprise_with_its_date(db, tmp_path):
    path = tmp_path / "b.duckdb"
    shutil.copy(db / "s.duckdb", path)
    doc = run_json("score", "all", "--as-of", D.isoformat(), "--weights", db / "w.yaml", db=path)
    want = _independent(D)
    assert doc["scored"] == len(want)
    run_json("score", "all", "--as-of", D.isoformat(), "--weights", db / "w.yaml", db=path)  # replaces, not adds
    con = duckdb.connect(str(path), read_only=True)
    rows = dict(con.execute("SELECT enterprise_id, total FROM scores WHERE as_of = ?", [D]).fetchall())
    con.close()
    assert set(rows) == set(want)
    for eid, r in want.items():
        assert rows[eid] == pytest.approx(r["total"], abs=1e-6)
    # one scorecard reads the batch's stored cohorts and percentiles: the same document as ranking everyone
    from zhaoshang.services.evaluation.scorecard import score_enterprise

    before, s = Store(str(db / "s.duckdb")), Store(str(path))
    for eid in want:
        card, ranked = score_enterprise(s, eid, as_of=D, weights=db / "w.yaml"), \
            score_enterprise(before, eid, as_of=D, weights=db / "w.yaml")
        assert (card["cohort"].pop("ranked"), ranked["cohort"].pop("ranked")) == ("stored", "population")
        assert json.dumps(card, sort_keys=True, default=str) == json.dumps(ranked, sort_keys=True, default=str)
    assert score_enterprise(s, 3, as_of=D)["cohort"]["ranked"] == "population"  # other weights
    s.con.execute("INSERT INTO fundings (id, enterprise_id, date, round, amount_wan) VALUES (99, 6, '2020-01-01', 'a', 9)")
    assert score_enterprise(s, 3, as_of=D, weights=db / "w.yaml")["cohort"]["ranked"] == "population"  # data changed
    before.close()
    s.close()


def test_auc_and_at_k_against_hand_counts():
    # positives 0.9, 0.5(tie with a negative), negatives 0.7, 0.5, 0.1: pairs won 2 + 1 + 0.5 + 1 + 1 = 4.5 of 6
    assert auc([0.9, 0.5, 0.7, 0.5, 0.1], [True, True, False, False, False]) == pytest.approx(4.5 / 6)
    r = at_k([0.9, 0.5, 0.7, 0.5, 0.1], [True, True, False, False, False], [1, 2, 3, 4, 5], 3)
    assert r == {"k": 3, "hits": 2, "precision": round(2 / 3, 4), "recall": 1.0}


def test_backtest_population_and_outcomes_are_hand_counted(db):
    doc = run_json("backtest", "score", "--as-of", D.isoformat(), "--horizon", "365", "--weights", db / "w.yaml",
                   db=db / "s.duckdb")
    # eligible: ≥1 round by 2020-06-30 and no IPO/M&A: 1, 2, 3, 4, 5, 8 (6 has none, 7 listed)
    # raised within (2020-06-30, 2021-06-30]: 3 (2020-09-01) and 4 (2021-02-01)
    assert doc["population"]["eligible"] == 6 and doc["population"]["positives"] == 2
    # months since the latest round, shorter first: 4 (2 m), 8 (8 m), 1 (7 m) … positives 3 (15 m) and 4
    months = {1: "2019-12-01", 2: "2018-02-01", 3: "2019-03-01", 4: "2020-05-01", 5: "2015-06-01", 8: "2019-11-01"}
    rec = {k: -(D - dt.date.fromisoformat(v)).days for k, v in months.items()}
    pos, neg = [3, 4], [1, 2, 5, 8]
    wins = sum((rec[p] > rec[n]) + 0.5 * (rec[p] == rec[n]) for p in pos for n in neg)
    assert doc["baselines"]["months_since_round"]["auc"] == pytest.approx(wins / 8, abs=1e-4)
    assert 0 <= doc["models"]["score_hand"]["auc"] <= 1
    assert {"score_hand", "score_learned"} <= set(doc["models"])
    assert set(doc["baselines"]) == {"total_raised", "months_since_round", "founding_year", "random"}
    bad = run("backtest", "score", "--as-of", "2021-06-30", "--horizon", "365", db=db / "s.duckdb", check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_pace_and_recency_signals_match_an_independent_computation(db):
    """pace, months_from_12 and gap_vs_stage (docs/methods.md, "Revision learned-4") counted by hand."""
    import math
    import statistics

    from zhaoshang.services.evaluation.scorecard import _rows
    from zhaoshang.services.evaluation.signals import signals_sql

    store = Store(str(db / "s.duckdb"), read_only=True)
    try:
        got = {r["enterprise_id"]: r for r in _rows(store, signals_sql(store, D))}
    finally:
        store.close()
    past = {e: sorted((dt.date.fromisoformat(d), r) for d, r, _ in rounds if dt.date.fromisoformat(d) <= D)
            for e, (_, rounds) in FIXTURE.items()}
    gaps: dict[str, list[float]] = {}
    for rounds in past.values():
        for (d0, r0), (d1, _) in zip(rounds, rounds[1:]):
            gaps.setdefault(r0, []).append((d1 - d0).days / 30.44)
    typical = {r: statistics.median(g) for r, g in gaps.items()}
    assert typical == pytest.approx({"angel": (dt.date(2019, 12, 1) - dt.date(2016, 1, 10)).days / 30.44,
                                     "a": 638 / 30.44}, abs=0.01)  # medians of 638, 731, 92 days
    for eid, (founded, _) in FIXTURE.items():
        row = got[eid]
        if not past[eid]:
            assert row["pace"] is None and row["months_from_12"] is None and row["gap_vs_stage"] is None
            continue
        months = (D - past[eid][-1][0]).days / 30.44
        age = (D - dt.date.fromisoformat(founded)).days / 365.25
        assert row["pace"] == pytest.approx(len(past[eid]) / max(age, 0.5))
        assert row["months_from_12"] == pytest.approx(abs(months - 12))
        typ = typical.get(past[eid][-1][1])
        if typ is None:
            assert row["gap_vs_stage"] is None, eid
        else:
            assert row["gap_vs_stage"] == pytest.approx(abs(math.log(max(months / typ, 0.05)))), eid
    # no investors imported: the investor count is absent for everyone, never 0
    assert all(r["investors_n"] is None for r in got.values())


def test_percentiles_within_cohorts_and_node_cohorts_match_an_independent_count(tmp_path):
    # ranking on (cohort, value) pairs joined back must give every row the mid-rank within its own cohort,
    # for the node+age cohorts, the node fallback, and signals ranked within the node alone
    from zhaoshang.services.evaluation.scorecard import load_weights, scored_sql

    s = Store(str(tmp_path / "c.duckdb"))
    s.con.execute("INSERT INTO imports (id, kind, source, data_date) VALUES (1, 'fundings', 'test', DATE '2021-12-31')")
    for eid in range(1, 19):
        founded = "2019-01-01" if eid % 3 else "2010-01-01"  # two age bands
        s.con.execute("INSERT INTO enterprises (id, name, founded, status) VALUES (?, ?, ?, '存续')",
                      [eid, f"测试企业{eid}号有限公司", founded])
        s.con.execute("INSERT INTO placements (enterprise_id, chain, node_code, confidence) VALUES (?, 'ai', ?, 0.5)",
                      [eid, "U01" if eid <= 12 else "M01"])
        for k in range(eid % 4):
            s.con.execute("INSERT INTO fundings (id, enterprise_id, date, round, amount_wan) VALUES (?, ?, ?, ?, ?)",
                          [eid * 10 + k, eid, f"20{17 + k}-0{1 + eid % 9}-01", ["angel", "a", "b"][k], 100 * (eid % 5)])
        for k, person in enumerate((eid % 5, 100 + eid)):  # a person of several enterprises, and one's own
            s.con.execute("INSERT INTO roles (id, person_id, person_name, enterprise_id, role, start_date) "
                          "VALUES (?, ?, ?, ?, 'director', DATE '2015-01-01')", [eid * 10 + k, person, f"测试人{person}", eid])
    # a person with two roles at one enterprise (法定代表人 and 创始人), and two of its people in one other enterprise:
    # each other enterprise counts once for 成员关联的其他企业数
    s.con.execute("INSERT INTO roles (id, person_id, person_name, enterprise_id, role, start_date) VALUES "
                  "(1000, 1, '测试人1', 1, 'founder', DATE '2015-01-01'), (1001, 101, '测试人101', 6, 'director', DATE '2015-01-01')")
    # investors of rounds of several enterprises: their records, like the people's, are read from everyone
    s.con.execute("INSERT INTO funding_investors (funding_id, investor_id) SELECT id, 1 + id % 3 FROM fundings")
    (tmp_path / "w.yaml").write_text(WEIGHTS.replace("min_cohort: 100", "min_cohort: 4").replace(
        "latest_stage: {dimension: capital, weight: 0.2, direction: 1}",
        "latest_stage: {dimension: capital, weight: 0.2, direction: 1, cohort: node}").replace(
        "  growth: {weight: 0.4}\n", "  growth: {weight: 0.4}\n  team: {weight: 0.3}\n") + """\
  investor_quality: {dimension: capital, weight: 0.2, direction: 1}
  investors_n: {dimension: capital, weight: 0.1, direction: 1}
  key_people: {dimension: team, weight: 0.3, direction: 1}
  serial_founders: {dimension: team, weight: 0.4, direction: 1}
  board_ties: {dimension: team, weight: 0.3, direction: 1}
""", encoding="utf-8")
    w = load_weights(tmp_path / "w.yaml")
    rows = s.query(f"SELECT * FROM ({scored_sql(s, D, w, chain='ai')}) ORDER BY enterprise_id")
    people: dict = {}
    for e, who in s.con.execute("SELECT enterprise_id, person_id FROM roles").fetchall():
        people.setdefault(who, set()).add(e)
    ties = {e: set().union(*(es for es in people.values() if e in es)) - {e} for e in range(1, 19)}
    assert {r["enterprise_id"]: r["board_ties"] for r in rows} == {e: len(t) for e, t in ties.items()}
    assert rows[0]["board_ties"] == 3 and rows[0]["serial_founders"] == 2  # 6, 11, 16: not 6 + 3 role rows
    assert {r["investors_n"] for r in rows} > {0} and {r["serial_founders"] for r in rows} == {1, 2}
    assert len({r["investor_quality"] for r in rows}) > 1 and all(r["p_board_ties"] is not None for r in rows)
    # the batch stores these cohorts and percentiles; one enterprise's row read from them is the same, column by column
    from zhaoshang.services.evaluation.scorecard import score_all

    # one card with no batch to read ranks the population range by range: the same row, column by column,
    # whatever the ranges (one enterprise each, a few); one enterprise of each cohort level and node
    from zhaoshang.services.evaluation.scorecard import _population_rows as card_rows
    from zhaoshang.services.evaluation.signals import sources_present

    present = sources_present(s, D)
    some = {(r["cohort_level"], r["node"]): r for r in rows}
    assert len(some) >= 3
    for per, sample in ((1, list(some.values())[:1]), (4, some.values())):
        for r in sample:
            assert card_rows(s, D, w, chain="ai", present=present, eid=r["enterprise_id"], per=per) == [r]
    assert card_rows(s, dt.date(2000, 1, 1), w, chain="ai", present=present, eid=1) == []  # not founded yet
    assert not s.query("SELECT * FROM duckdb_tables() WHERE temporary")  # its working tables are gone
    score_all(s, as_of=D, weights=tmp_path / "w.yaml", chain="ai")
    for r in rows:
        assert s.query(scored_sql(s, D, w, chain="ai", only=r["enterprise_id"], stored=True)) == [r]
    s.close()
    levels = {r["cohort_level"] for r in rows}
    assert {"node+age", "node"} <= levels  # both the cohort and its fallback occur
    for sig, spec in w["signals"].items():
        key = "node_key" if spec.get("cohort") == "node" else "cohort_key"
        for k in {r[key] for r in rows}:
            group = [r for r in rows if r[key] == k]
            want = _pct({r["enterprise_id"]: r[sig] for r in group}, spec["direction"])
            got = {r["enterprise_id"]: r[f"p_{sig}"] for r in group if r[f"p_{sig}"] is not None}
            assert got == pytest.approx(want), (sig, k)
    for r in rows:  # cohort sizes counted independently
        same = [x for x in rows if x["node"] == r["node"] and x["age_band"] == r["age_band"]]
        assert r["n_nb"] == len(same) and r["n_n"] == sum(x["node"] == r["node"] for x in rows)


def test_population_ranked_card_holds_the_batch_memory_cap_and_leaves_other_requests_limits(tmp_path, monkeypatch):
    # 10,000 enterprises of the scoring benchmark's generator (labelled synthetic); under a 64MB cap ranking
    # the whole population in one query ran out of memory, range by range it finishes
    import importlib.util
    from pathlib import Path

    from zhaoshang.core.memory import capped
    from zhaoshang.services.evaluation.scorecard import score_enterprise

    spec = importlib.util.spec_from_file_location("bench_score", Path(__file__).resolve().parents[1] / "bench" / "bench_score.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.build(tmp_path / "b.duckdb", 10_000)
    monkeypatch.setenv("ZHAOSHANG_BATCH_MEMORY", "64MB")
    s = Store(str(tmp_path / "b.duckdb"), read_only=True)
    with capped(s.con):  # as `score ENTERPRISE` runs it
        card = score_enterprise(s, 123, as_of="2024-06-30")
    s.close()
    assert card["cohort"]["ranked"] == "population" and card["total"] is not None
    # served: each request on its own cursor of one database instance, whose memory_limit is global — the card
    # neither changes it for the others nor leaves its working tables to them
    from zhaoshang.interfaces.web.served import ServedData

    served = ServedData(str(tmp_path / "b.duckdb"))
    gen = served.acquire()
    req, other = served.cursor_store(gen), served.cursor_store(gen)
    limit = other.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert score_enterprise(req, 123, as_of="2024-06-30") == card
    assert other.con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == limit
    assert not other.con.execute("SELECT * FROM duckdb_tables() WHERE temporary").fetchall()
    served.release(gen)
    gen.store.close()
