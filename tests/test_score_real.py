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
