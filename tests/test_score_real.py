"""The score's backtest on the real IT桔子 AI companies and financing events: the published figures hold."""

from __future__ import annotations

import pytest

from conftest import shared_file
from zhaoshang.core.importers import import_files
from zhaoshang.core.store import Store
from zhaoshang.services.chain.classify import classify
from zhaoshang.services.evaluation.backtest import backtest_score
from zhaoshang.services.evaluation.runs import published_backtests


@pytest.fixture(scope="module")
def itjuzi(tmp_path_factory):
    comp = shared_file("ai_companies/itjuzi_china_ai_companies_2018-12.csv")
    fin = shared_file("financing/itjuzi_china_ai_financing_events_2018-12.csv")
    d = tmp_path_factory.mktemp("itjuzi_score")
    store = Store(str(d / "itj.duckdb"))
    import_files(store, "enterprises", [comp], preset="itjuzi_companies", data_date="2018-12-31", rejects_dir=d)
    import_files(store, "fundings", [fin], preset="itjuzi_financing", data_date="2018-12-31", rejects_dir=d)
    import_files(store, "roles", [comp], preset="itjuzi_team", data_date="2018-12-31", rejects_dir=d)
    classify(store)
    yield store
    store.close()


def test_itjuzi_backtest_as_of_2017_beats_the_baselines(itjuzi):
    doc = backtest_score(itjuzi, as_of="2017-06-30", horizon=365)
    pop = doc["population"]
    # counted from the files: a round by 2017-06-30, no IPO/M&A; raised again by 2018-06-30
    assert (pop["eligible"], pop["positives"]) == (437, 147)
    hand, learned = doc["models"]["score_hand"]["auc"], doc["models"]["score_learned"]["auc"]
    best = max(b["auc"] for b in doc["baselines"].values())
    # docs/methods.md: learned-4 (the shipped method) 0.676, hand-3 0.654, best baseline 0.622 (total raised)
    assert doc["method"] == {"model": "score_learned", "name": "learned-4"}
    assert learned >= 0.65 and hand >= 0.65
    assert learned > best and hand > best and learned > hand
    cal = doc["models"]["score_learned"]["calibration"]
    assert sum(r["n"] for r in cal) == pop["eligible"]
    # the run published with the package (shown on /methods) is this very computation
    published = [r for r in published_backtests() if r["as_of"] == "2017-06-30" and "IT桔子" in (r.get("label") or "")]
    assert len(published) == 1
    pub = published[0]
    assert pub["population"] == {**pop} and pub["models"]["score_hand"]["version"] == doc["models"]["score_hand"]["version"]
    for k, m in {**doc["models"], **doc["baselines"]}.items():
        got = {**pub["models"], **pub["baselines"]}[k]
        assert (got["auc"], got["at_k"], got["roc"]) == (m["auc"], m["at_k"], m["roc"]), k


def test_learned_weights_file_scores_with_calibrated_tiers(itjuzi, tmp_path):
    from zhaoshang.services.evaluation.fit import effective_weights, fit_weights, write_weights
    from zhaoshang.services.evaluation.scorecard import load_weights, score_all, score_enterprise

    w = fit_weights(itjuzi, as_of="2017-06-30", horizon=365)
    assert w["fitted"]["as_of"] == "2017-06-30" and w["calibration"]["b"] > 0
    # the file holds the fitted coefficients shrunk half way to hand-3: each signal's signed share of the total
    # (dimension weight × signal weight, negative where the direction was flipped) is recomputed from them
    f, hand = w["fitted"], load_weights(None)
    coef = f["coefficients"]
    norm = sum(abs(c) for c in coef.values())
    eff = effective_weights(hand, list(coef))
    for s, c in coef.items():
        spec = w["signals"][s]
        signed = w["dimensions"][spec["dimension"]]["weight"] * spec["weight"] * spec["direction"] * hand["signals"][s]["direction"]
        assert signed == pytest.approx((1 - f["shrink"]) * c / norm + f["shrink"] * eff[s], abs=1e-5), s
    assert f["windows"] == 8 and f["shrink_to"] == "hand-3" and f["method"] == "learned-4"
    path = write_weights(w, tmp_path / "learned.yaml")
    assert load_weights(path)["version"] == w["version"]
    doc = score_enterprise(itjuzi, "北京品友互动信息技术有限公司", as_of="2017-06-30", weights=path)
    assert doc["version"] == w["version"] and 0 < doc["probability"] < 1
    assert doc["tier"]["zh"] in {"很可能", "可能", "不确定", "不太可能"}
    # the team list is dated by its import (2018-12-31): not known in 2017, so the team dimension is absent
    assert doc["dimensions"]["team"]["absent"]
    later = score_enterprise(itjuzi, "北京品友互动信息技术有限公司", as_of="2018-12-31")
    assert not later["dimensions"]["team"]["absent"]
    # the stored batch reads the learned file too: its version and the probabilities of its calibration
    batch = score_all(itjuzi, as_of="2017-06-30", weights=path)
    assert batch["version"] == w["version"]
    total, prob, version = itjuzi.con.execute(
        "SELECT total, probability, weights_version FROM scores WHERE as_of = DATE '2017-06-30' AND enterprise_id = ?",
        [doc["enterprise_id"]]).fetchone()
    assert version == w["version"] and total == pytest.approx(doc["total"], abs=0.05)
    assert prob == pytest.approx(doc["probability"], abs=0.001)


def test_total_raised_says_the_range_estimates_it_holds_apart(itjuzi):
    """累计融资额 sums the rounds' amounts as trends and the region report do: an amount the source gave as a range
    (数千万美元) at its point estimate. The card says so, the estimated part apart (含估算), and its two parts are the
    profile's rounds: the exact amounts and those it marks 估约 (依图科技 as of 2018-06-30: 178,934 + 24,828.2)."""
    from zhaoshang.services.enterprises import enterprise_profile
    from zhaoshang.services.evaluation.scorecard import score_enterprise

    for lang, words in (("zh", "含估算：披露 178,934.0 万元 + 按区间估算 24,828.2 万元（3 轮）"),
                        ("en", "estimates included (10k CNY): disclosed 178,934.0 + estimated from ranges 24,828.2 (3 rounds)")):
        doc = score_enterprise(itjuzi, "依图科技", as_of="2018-06-30", lang=lang)
        tr = next(c for c in doc["dimensions"]["capital"]["contributions"] if c["signal"] == "total_raised")
        assert tr["detail"]["amount_note"] == words
    rounds = enterprise_profile(itjuzi, doc["enterprise_id"], as_of="2018-06-30")["fundings"]
    exact = [f for f in rounds if f["amount_wan"] is not None and not f["amount_estimated"]]
    ranged = [f for f in rounds if f["amount_wan"] is not None and f["amount_estimated"]]
    a = tr["detail"]["amounts"]
    assert ranged and a["disclosed_wan"] == pytest.approx(sum(f["amount_wan"] for f in exact)) == 178934
    assert a["estimated_wan"] == pytest.approx(sum(f["amount_wan"] for f in ranged))
    assert (a["disclosed"], a["estimated"]) == (len(exact), len(ranged))
    assert set(a["estimated_ids"]) == {f["id"] for f in ranged}
    assert tr["raw"] == pytest.approx(a["disclosed_wan"] + a["estimated_wan"], abs=0.01)
    assert set(tr["evidence"][0]["ids"]) == {f["id"] for f in exact + ranged}
    # an enterprise whose rounds are all exact says nothing of estimates
    plain = next(e for e in itjuzi.con.execute(
        "SELECT enterprise_id FROM fundings WHERE date <= DATE '2018-06-30' AND enterprise_id IS NOT NULL "
        "GROUP BY 1 HAVING count(amount_wan) > 0 AND NOT bool_or(coalesce(amount_low_wan < amount_high_wan, FALSE)) "
        "ORDER BY 1 LIMIT 1").fetchone())
    tr = next(c for c in score_enterprise(itjuzi, plain, as_of="2018-06-30")["dimensions"]["capital"]["contributions"]
              if c["signal"] == "total_raised")
    assert "amount_note" not in tr["detail"] and tr["detail"]["amounts"]["estimated"] == 0
