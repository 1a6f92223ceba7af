"""Train the chain model on the gold set's development part and write the shipped file.

    python scripts/train_chain_model.py [--data ../shared/data] [--out src/zhaoshang/data/chains/ai_model.npz]
                                        [--labellers L1,L3,L5] [--pairs [--cache FILE] [--pair-labellers all]]

``--labellers`` trains on those labellers' development rows only (the shipped file: rounds 1–3, docs/methods.md).
``--pairs`` adds the pair reader (``services/chain/pairs.py``) to the file, trained as docs/methods.md writes it
("Confirmation on round 5"): on the development pairs of rounds 1–3, each pair's check features the check's
out-of-fold probabilities over the development rows of rounds 1–4 (five fits, kept in ``--cache``). ``classify`` then
reads every enterprise that is not registration-like with it. ``--pair-labellers`` trains the pair reader on those
labellers' development rows instead (``all``: every development row, every round's first labeller — the ninth version
candidate, docs/methods.md): the check's out-of-fold probabilities over them, each fold's check and the pair fit on
all of them. Without ``--labellers`` the check is trained on every development row.

The shipped file (the seventeenth version) was trained on rounds 1–6's development rows; with round 7 in the gold file,
``--labellers L1,L3,L5,L7,L9,L11,L12 --pairs --pair-labellers L1,L3,L5,L7,L9,L11,L12`` trains it on those rows again.

Deterministic on one machine: the same gold file and evidence give the same file (docs/methods.md, "Trained model").
Across machines the check's vocabulary may keep other grams of the count at its 20,000-gram cut (scikit-learn breaks
that tie with numpy's non-stable sort; docs/methods.md, "Ninth version candidate", "The shipped file, trained again").
"""

from __future__ import annotations

import argparse
import os

from zhaoshang.services.chain.model import model_path, save
from zhaoshang.services.chain.training import train_from_gold, train_pairs
from zhaoshang.services.chain.taxonomy import load_taxonomy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--out", default=None)
    ap.add_argument("--labellers", default="", help="only these labellers' rows, e.g. L1,L3,L5")
    ap.add_argument("--pairs", action="store_true", help="add the pair reader (trained on rounds 1–3, as written)")
    ap.add_argument("--cache", default="", help="pickle of the check's out-of-fold probabilities (with --pairs)")
    ap.add_argument("--pair-labellers", default="",
                    help="with --pairs: train the pair reader on these labellers' development rows (all: every one)")
    a = ap.parse_args()
    labellers = {x.strip() for x in a.labellers.split(",") if x.strip()} or None
    tax = load_taxonomy()
    out = a.out or str(model_path(tax.chain))
    arrays = train_from_gold(a.data, tax, labellers=labellers)
    if a.pairs:
        pl = {"*"} if a.pair_labellers.strip() == "all" else {x.strip() for x in a.pair_labellers.split(",") if x.strip()}
        arrays.update(train_pairs(a.data, tax, a.cache or None, labellers=pl or None)["arrays"])
    save(arrays, out)
    print(out)


if __name__ == "__main__":
    main()
