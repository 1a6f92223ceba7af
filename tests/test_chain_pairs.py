"""The pair reader (services/chain/pairs.py): candidates found with the classifier's words, the model applied without
scikit-learn as it was trained, and ``classify`` reading every enterprise that is not registration-like with it —
registration-like ones keep the seventh version's placements, pair for pair — each placement explained."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import SHARED, shared_file
from zhaoshang.core import explain
from zhaoshang.core.store import Store
from zhaoshang.services.chain import gold as g
from zhaoshang.services.chain import model as m
from zhaoshang.services.chain import pairs as pr
from zhaoshang.services.chain import reading  # noqa: F401 — registers the placements' readers
from zhaoshang.services.chain import training
from zhaoshang.services.chain.classify import classify
from zhaoshang.services.chain.evaluate import gold_store
from zhaoshang.services.chain.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def fitted(tax, tmp_path_factory):
    """A small pair model on real gold rows (a fixed slice of the development rows: listings, IT桔子, the large-model
    list and registrations), its check features the shipped check's — enough to exercise the wiring, not a measure."""
    shared_file(g.REGISTRATION)
    evidence = g.load_evidence(SHARED)
    dev = [r for r in g.read_gold() if r["split"] == "dev" and r["labeller"] == "L1"]
    rows = [r for r in dev if r["source"] != g.REGISTRATION][:160] + [r for r in dev if r["source"] == g.REGISTRATION][:60]
    records = [evidence.get((r["source"], r["key"]), {"name": r["name"]}) for r in rows]
    confs = training.rule_confidences(rows, evidence, tax)
    nodes = [n.code for n in tax.level(2)]
    check = m.load(tax)
    table = pr.check_table(check.predict(records, confs), len(rows), nodes)
    pairs, base, _ = pr.build_pairs(records, confs, tax)
    feats = pr.with_check(base, pairs, table, nodes)
    labels = [{tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes} for r in rows]
    y = np.array([1 if n in labels[i] else 0 for i, n in pairs])
    arrays = pr.train(feats, y)
    with np.load(m.model_path(tax.chain), allow_pickle=False) as z:
        check_only = {k: z[k] for k in z.files if not k.startswith("pair_")}
    d = tmp_path_factory.mktemp("pairs")
    m.save({**check_only, **arrays}, d / "ai_model.npz")
    m.save(check_only, d / "check_only.npz")  # the seventh version: the shipped check without a pair reader
    return {"rows": rows, "records": records, "evidence": evidence, "pairs": pairs, "feats": feats, "y": y,
            "arrays": arrays, "path": d / "ai_model.npz", "check_only": d / "check_only.npz"}


def _classified(rows, evidence, tax, monkeypatch, path, pairs=True):
    monkeypatch.setattr(m, "model_path", lambda chain: Path(path))
    try:
        with Store(":memory:") as store:
            gold_store(store, rows, evidence)
            summary = classify(store, tax, use_model=True)
            # the summary says how many enterprises the pair reader read: none of the registration-like ones
            assert (summary["pair_reader"] or {}).get("read") == (
                sum(1 for r in rows if r["source"] != g.REGISTRATION) if pairs else None)
            return store.con.execute("SELECT enterprise_id, node_code, confidence, evidence FROM placements "
                                     "WHERE chain = ? ORDER BY 1, 2", [tax.chain]).fetchall()
    finally:
        monkeypatch.undo()


def test_candidates_are_the_classifiers_words(tax):
    texts = pr.evidence_texts({"name": "某某科技", "products": "人工智能芯片、服务器", "scope": "软件开发"}, tax)
    found = dict(pr.candidates(texts, tax))
    assert {"U01", "U02"} <= set(found)
    assert any(w == "人工智能芯片" and f == "products" for f, _, w, _, _ in found["U01"])
    # a word matched alone at the classifier's ASCII word boundaries: "ar" is not read inside "radar"
    assert "D04" not in dict(pr.candidates(pr.evidence_texts({"description": "radar"}, tax), tax))


def test_a_rows_pairs_are_held_to_its_best():
    placed = {(1, "D01"): 0.9, (1, "D05"): 0.46, (1, "M02"): 0.44, (2, "U03"): 0.4, (2, "U04"): 0.36}
    # each pair kept → its row's best (what a placement's explanation names)
    assert pr.held_to_best(placed, 0.5) == {(1, "D01"): 0.9, (1, "D05"): 0.9, (2, "U03"): 0.4, (2, "U04"): 0.4}
    assert pr.held_to_best(placed, 0.95) == {(1, "D01"): 0.9, (2, "U03"): 0.4}
    assert pr.held_to_best({}, 0.5) == {}


def test_pair_model_applies_as_scikit_learn_fitted_it(fitted):
    feats = fitted["feats"]
    vec, lr = pr.fit(feats, fitted["y"])
    p_lr = lr.predict_proba(pr.int32(vec.transform(feats)))[:, 1]
    names, h = pr.fit_trees(feats, fitted["y"])
    p_trees = h.predict_proba(np.array([[f.get(n, 0.0) for n in names] for f in feats]))[:, 1]
    assert len(names) > 20 and len(h._predictors) == pr.TREES["max_iter"]
    pm = pr.PairModel(fitted["arrays"])
    assert pm.trees and pm.t_names == names
    # numpy walks the stored trees as scikit-learn does: the mean of the two readers, in blocks and in one
    np.testing.assert_allclose(pm.predict(feats), (p_lr + p_trees) / 2, rtol=0, atol=1e-12)
    assert not np.allclose(p_lr, p_trees, atol=0.01)  # two readers, not one twice
    assert pm.bar == pr.BAR and float(fitted["arrays"]["pair_c"][0]) == pr.C
    top = pm.top(feats[0])
    assert 0 < len(top) <= pr.TOP_FEATURES and all(name in feats[0] for name, _ in top)
    # a feature's weight: the mean of the regression's and the trees' (each tree's path, value change per split)
    j = int(np.argmax([len(f) for f in feats]))
    x = pm._dense([feats[j]])[0]
    by_hand, leaves = {}, 0.0  # each tree walked node by node
    for node in pm.t_roots:
        while not pm.t_leaf[node]:
            nxt = pm.t_left[node] if x[pm.t_feature[node]] <= pm.t_threshold[node] else pm.t_right[node]
            name = pm.t_names[pm.t_feature[node]]
            by_hand[name] = by_hand.get(name, 0.0) + pm.t_value[nxt] - pm.t_value[node]
            node = nxt
        leaves += pm.t_value[node]
    raw, W = pm._walk(pm._dense([feats[j]]), weights=True)
    assert raw[0] == pytest.approx(pm.t_baseline + leaves, abs=1e-9) == pm.tree_raw([feats[j]])[0]
    assert {n: W[0, pm.t_index[n]] for n in by_hand} == pytest.approx(by_hand, abs=1e-9)
    assert W.sum() == pytest.approx(leaves - pm.t_value[pm.t_roots].sum(), abs=1e-9)
    tw = {n: W[0, pm.t_index[n]] for n, v in feats[j].items() if v and n in pm.t_index}  # the features the pair holds
    assert tw and all(feats[j].get(n) for n, _ in pm.top(feats[j]))  # only what the pair holds is named
    assert pm.tops(feats) == [pm.top(f) for f in feats]  # ranked a block at a time: no pair's weights reach another's
    weights = {n: ((pm.coef[pm.index[n]] * v if n in pm.index else 0.0) + tw.get(n, 0.0)) / 2 for n, v in feats[j].items() if v}
    ranked = sorted((n for n, w in weights.items() if w), key=lambda n: (-abs(weights[n]), n))[:pr.TOP_FEATURES]
    assert [name for name, _ in pm.top(feats[j])] == ranked  # the weightiest first, ties by name
    for name, w in pm.top(feats[j]):
        assert w == pytest.approx(weights[name], abs=1e-3)


def test_classify_reads_listings_with_the_pair_model_and_leaves_registrations_as_they_were(fitted, tax, monkeypatch):
    rows, records = fitted["rows"], fitted["records"]
    seventh = _classified(rows, fitted["evidence"], tax, monkeypatch, fitted["check_only"], pairs=False)
    eighth = _classified(rows, fitted["evidence"], tax, monkeypatch, fitted["path"])
    reg = {i for i, e in enumerate(records) if m.scope_only(e)}
    assert len(reg) == 60
    # registration-like enterprises never reach the pair reader: the seventh's placements, pair for pair
    assert [x[:3] for x in seventh if x[0] in reg] == [x[:3] for x in eighth if x[0] in reg]
    assert any(x[0] in reg for x in seventh)
    # the others: exactly the pairs the service places at its bar, each at half its row's best or more
    pm = pr.PairModel(fitted["arrays"])
    p = pm.predict(fitted["feats"])
    at_bar = {fitted["pairs"][k]: float(p[k]) for k in np.where(p >= pm.bar)[0] if fitted["pairs"][k][0] not in reg}
    want = set(pr.held_to_best(at_bar))
    got = {(i, n) for i, n, _, _ in eighth if i not in reg and tax.nodes[n].level == 2}
    assert got == want and want
    below = set(at_bar) - want  # pairs over the bar left out, each under half its row's best
    assert below and all(at_bar[x] < pr.HELD_TO_BEST * max(v for y, v in at_bar.items() if y[0] == x[0]) for x in below)
    for i, n, conf, ev in eighth:
        if i in reg or tax.nodes[n].level != 2:
            continue
        doc = json.loads(ev)
        part = next(x for x in doc["parts"] if x["signal"] == "pairs")
        assert part["detail"]["p_pair"] == pytest.approx(conf, abs=1e-4) and conf >= pm.bar
        assert part["detail"]["top"] and not any(x["signal"] == "model" for x in doc["parts"])
        # the pair model's probability is the confidence: the part that decides, never a contribution of 0
        assert part["detail"]["decides"] is True and part["contribution"] is None and part["raw"] == part["detail"]["p_pair"]
        assert all(set(t) == {"zh", "en", "weight"} and "□" not in t["zh"] + t["en"] for t in part["detail"]["top"])
        zh, en = explain.reading(ev, "zh"), explain.reading(ev, "en")
        assert f"模型判断该环节的把握：{explain.confidence_words(conf, 'zh')}" in zh and f"；模型把握达到 {pm.bar * 100:.0f}% 即归入" in zh
        assert f"the model's confidence in this node: {explain.confidence_words(conf, 'en')}" in en
        assert part["detail"]["row_best"] >= conf >= pr.HELD_TO_BEST * part["detail"]["row_best"] - 1e-4
        best = conf >= part["detail"]["row_best"]  # the best pair is called so, the others name the best one's
        assert ("为本企业把握最高的环节" in zh) == best and ("its surest node for this enterprise" in en)
        assert ("本企业把握最高的环节为" in zh) == (not best)


def test_the_pair_reader_switched_off_is_the_seventh(fitted, tax, monkeypatch):
    off = copy.copy(tax)
    off.weights = {**tax.weights, "model": {**(tax.weights.get("model") or {}), "pairs": False}}
    seventh = _classified(fitted["rows"], fitted["evidence"], tax, monkeypatch, fitted["check_only"], pairs=False)
    monkeypatch.setattr(m, "model_path", lambda chain: Path(fitted["path"]))
    try:
        with Store(":memory:") as store:
            gold_store(store, fitted["rows"], fitted["evidence"])
            classify(store, off, use_model=True)
            got = store.con.execute("SELECT enterprise_id, node_code, confidence FROM placements WHERE chain = ? "
                                    "ORDER BY 1, 2", [tax.chain]).fetchall()
    finally:
        monkeypatch.undo()
    assert got == [x[:3] for x in seventh]



def test_the_shipped_model_holds_the_pair_reader_as_written(tax):
    """The shipped file: the seventh's check and the pair reader at its written setting (docs/methods.md, "Confirmation
    on round 5": trained by ``scripts/train_chain_model.py --labellers L1,L3,L5 --pairs``)."""
    model = m.load(tax)
    assert model is not None and model.pairs is not None
    assert model.pairs.bar == pr.BAR == 0.30 and pr.C == 0.1 and model.pairs.trees
    off = copy.copy(tax)
    off.weights = {**tax.weights, "model": {**(tax.weights.get("model") or {}), "pairs": False}}
    assert m.load(off).pairs is None
