"""The built-in synthetic demo dataset (合成演示数据) and the scale generator.

``generate`` writes one Parquet file per import kind; ``build_demo`` imports them through the ordinary
importers into a store and labels it synthetic. Everything is fictional and seeded.
"""

from __future__ import annotations

from .columns import DEFAULT_SEED
from .generate import generate

__all__ = ["DEFAULT_SEED", "generate", "build_demo", "fingerprint"]


def __getattr__(name):
    if name in ("build_demo", "fingerprint"):
        from . import build

        return getattr(build, name)
    raise AttributeError(name)
