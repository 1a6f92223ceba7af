"""Train the chain model on the gold set's development part and write the shipped file.

    python scripts/train_chain_model.py [--data ../shared/data] [--out src/zhaoshang/data/chains/ai_model.npz]

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
    a = ap.parse_args()
    tax = load_taxonomy()
    out = a.out or str(model_path(tax.chain))
    save(train_from_gold(a.data, tax), out)
    print(out)


if __name__ == "__main__":
    main()
