"""The ninth candidate scored on round 5's development rows, as "Confirmation on round 5" scores the eighth.

    python scripts/confirm_chain_e5.py [--data ../shared/data] [--cache check_oof.pkl] [--emb-cache emb.pkl] [--show N]

The chosen setting of docs/methods.md, "Ninth candidate: e5 reads the clause of each candidate word" (C 0.1, bar 0.35,
(a) and (b), without (c)), nothing changed: one fit on the candidate pairs of the development rows of rounds 1–3, each
pair's check features the check's out-of-fold probabilities (``training.train_pairs``'s input), (a) and (b)
standardised with the mean and spread of the rounds 1–4 development pairs (the cross-validation's); applied to the
development rows of round 5 (L9's labels) with the shipped check's probabilities. Registration-like rows keep the
seventh's placements (none of round 5's are). The seventh and the eighth are scored on the same rows by
``confirm_chain_pairs.py``'s own functions. The test rows are never read. Heavy: run it under the shared lock.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import confirm_chain_pairs as cf  # noqa: E402
import cv_chain_e5 as e5  # noqa: E402

from zhaoshang.services.chain import gold as g  # noqa: E402
from zhaoshang.services.chain import model as m  # noqa: E402
from zhaoshang.services.chain import pairs as pr  # noqa: E402
from zhaoshang.services.chain import training  # noqa: E402
from zhaoshang.services.chain.taxonomy import load_taxonomy  # noqa: E402

C, BAR = 0.1, 0.35


def passages(records: list[dict], pairs: list, occs: list, tax) -> list[str]:
    texts = {}
    out = []
    for (i, _nd), occ in zip(pairs, occs):
        if i not in texts:
            texts[i] = pr.evidence_texts(records[i], tax)
        out.append(e5.pair_text(texts[i], occ))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--cache", default="", help="pickle of the check's out-of-fold probabilities (cv_chain_pairs.py's)")
    ap.add_argument("--emb-cache", default="", help="pickle of embeddings by text hash (outside the repository)")
    ap.add_argument("--show", type=int, default=30)
    a = ap.parse_args()
    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    tax = load_taxonomy()
    check = m.load(tax)
    if check is None or check.pairs is not None:
        sys.exit("the comparison is with the seventh and the eighth: the shipped model file must be the check alone")
    nodes = [n.code for n in tax.level(2)]
    cache: dict = {}
    if a.emb_cache and Path(a.emb_cache).is_file():
        with open(a.emb_cache, "rb") as fh:
            cache = pickle.load(fh)
    code_order = sorted(e5.NODE_QUERIES)
    Q, _, _ = e5.embed_cached([e5.NODE_QUERIES[c] for c in code_order], True, cache)
    R, _, _ = e5.embed_cached(list(e5.ROLE_QUERIES.values()), True, cache)

    # 1. the eighth's pair model as written, and the training input it was fitted on (rounds 1–4, the check's oof)
    got = training.train_pairs(a.data, tax, a.cache or None)
    t = got["t"]
    pairs, base, occs = pr.build_pairs(t["records"], t["confs"], tax)
    P, _, _ = e5.embed_cached(passages(t["records"], pairs, occs, tax), False, cache)
    rawA, rawB = e5.cosines(P, Q, R, [nd for _, nd in pairs], code_order)
    raw = np.hstack([rawA, rawB])
    mu, sd = raw.mean(axis=0), raw.std(axis=0)
    fe = pr.with_check(base, pairs, t["oof"], nodes)
    tr = [k for k, (i, _) in enumerate(pairs) if t["rows"][i].get("labeller") in training.ROUNDS_1_3]
    y = np.array([1 if pairs[k][1] in t["labels"][pairs[k][0]] else 0 for k in tr])
    vec = DictVectorizer()
    Xtr = sparse.hstack([vec.fit_transform([fe[k] for k in tr]), (raw[tr] - mu) / sd])
    lr = LogisticRegression(C=C, solver="liblinear", random_state=m.SEED, max_iter=1000).fit(pr.int32(Xtr), y)

    # 2. round 5's development rows, L9's labels
    evidence = g.load_evidence(a.data)
    rows = [r for r in g.read_gold() if r["labeller"] in cf.CONFIRM_LABELLERS and r["split"] == "dev"]
    records = [evidence.get((r["source"], r["key"]), {"name": r["name"]}) for r in rows]
    confs = training.rule_confidences(rows, evidence, tax)
    reg = [m.scope_only(e) for e in records]
    table = pr.check_table(check.predict(records, confs), len(records), nodes)
    p5, b5, o5 = pr.build_pairs(records, confs, tax, rows=[i for i in range(len(records)) if not reg[i]])
    P5, n_new, cpu = e5.embed_cached(passages(records, p5, o5, tax), False, cache)
    if a.emb_cache:
        with open(a.emb_cache, "wb") as fh:
            pickle.dump(cache, fh)
    r5 = np.hstack(e5.cosines(P5, Q, R, [nd for _, nd in p5], code_order))
    X5 = sparse.hstack([vec.transform(pr.with_check(b5, p5, table, nodes)), (r5 - mu) / sd])
    prob = lr.predict_proba(pr.int32(X5))[:, 1]

    s7 = cf.classified(rows, evidence, tax)
    s9 = [p5[k] for k in np.where(prob >= BAR)[0]] + [x for x in s7 if reg[x[0]]]
    s8, info = cf.eighth(rows, evidence, tax, check, pr.PairModel(got["arrays"]), s7)
    f7, f8, f9 = (cf.figures(rows, s, tax) for s in (s7, s8, s9))
    a7, a8, a9 = (cf.level2(s, tax) for s in (s7, s8, s9))
    out = {"rows": len(rows), "registration_like_rows": int(sum(reg)), "candidate_pairs": len(p5),
           "embedded_now": n_new, "embed_cpu_s": round(cpu, 1), "training_pairs": len(tr),
           "labelled_pairs": sum(len({tax.ancestor_at(c, 2).code for c in r["labels"] if c in tax.nodes}) for r in rows),
           "eighth_candidate_pairs": info["candidate_pairs"], "seventh": f7, "eighth": f8, "ninth": f9,
           "gain_over_eighth": f9["node_f1"] >= f8["node_f1"] + cf.NODE_MARGIN,
           "node_diff_over_eighth": round(f9["node_f1"] - f8["node_f1"], 4),
           "node_diff_over_seventh": round(f9["node_f1"] - f7["node_f1"], 4),
           "moved_vs_eighth": cf.moved(rows, a8, a9, tax, a.show),
           "after_bootstrap_ninth_vs_eighth": cf.bootstrap(rows, a8, a9, tax),
           "after_bootstrap_ninth_vs_seventh": cf.bootstrap(rows, a7, a9, tax)}
    print(json.dumps(out, ensure_ascii=False, indent=1, default=float))


if __name__ == "__main__":
    main()
