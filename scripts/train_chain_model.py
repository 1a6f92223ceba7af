"""Train the chain model on the gold set's development part and write the shipped file.

    python scripts/train_chain_model.py [--data ../shared/data] [--out src/zhaoshang/data/chains/ai_model.npz]
                                        [--labellers L1,L3,L5]

``--labellers`` trains on those labellers' development rows only (the shipped file: rounds 1–3, docs/methods.md).

Deterministic: the same gold file and evidence give the same file (docs/methods.md, "Trained model").
"""

from __future__ import annotations

import argparse
import os

from zhaoshang.services.chain.model import model_path, save
from zhaoshang.services.chain.training import train_from_gold
from zhaoshang.services.chain.taxonomy import load_taxonomy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("ZHAOSHANG_SHARED_DATA") or "../shared/data")
    ap.add_argument("--out", default=None)
    ap.add_argument("--labellers", default="", help="only these labellers' rows, e.g. L1,L3,L5")
    a = ap.parse_args()
    labellers = {x.strip() for x in a.labellers.split(",") if x.strip()} or None
    tax = load_taxonomy()
    out = a.out or str(model_path(tax.chain))
    save(train_from_gold(a.data, tax, labellers=labellers), out)
    print(out)


if __name__ == "__main__":
    main()
