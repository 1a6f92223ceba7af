"""The demo dataset's output: the columns of each import kind, the Parquet sink that writes them in chunks,
shared constants (sources, rounds, investor and news kinds) and small array helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import rand as R
from .population import AI_ALIVE, CATS, NON_AI, Population, uscc_batch

DEFAULT_SEED = 20241
SOURCE = "synthetic-demo"
SOURCE_B = "synthetic-demo-b"
GENERATOR_VERSION = "1"
CHUNK = 100_000
ROUNDS = ["天使轮", "Pre-A轮", "A轮", "A+轮", "B轮", "B+轮", "C轮", "D轮", "E轮"]
ROUND_MEDIAN_WAN = [400, 1200, 4000, 7000, 12000, 18000, 35000, 70000, 120000]
INV_TYPES = ["VC", "PE", "CVC", "government_fund", "angel"]
INV_TYPE_W = [0.45, 0.20, 0.10, 0.10, 0.15]
NEWS_TYPES = ["product", "award", "partnership", "expansion", "risk", "funding"]
NEWS_W = [0.35, 0.2, 0.2, 0.12, 0.13]  # the kinds of news that are not about a funding round
NEWS_SENT = np.array([(0.3, 0.8), (0.5, 0.9), (0.3, 0.7), (0.3, 0.7), (-0.85, -0.3), (0.5, 0.9)])
CATEGORY_NAMES = list(CATS)

COLUMNS = {
    "enterprises": ["key", "name", "uscc", "short_name", "brand", "english_name", "former_names", "legal_form",
                    "status", "founded", "dissolved", "capital", "province", "city", "district", "address",
                    "industry", "scope", "description", "products", "website", "listed_code", "legal_rep", "tags"],
    "persons": ["key", "name", "gender", "birth_year", "description"],
    "roles": ["person", "person_key", "enterprise", "enterprise_uscc", "role", "title", "start", "end"],
    "investors": ["key", "name", "type", "uscc", "region", "country", "description"],
    "shareholdings": ["enterprise", "enterprise_uscc", "holder", "holder_type", "holder_uscc", "percent", "amount", "start", "end"],
    "branches": ["parent", "parent_uscc", "child", "child_uscc", "kind", "date", "percent", "region", "address"],
    "fundings": ["key", "enterprise", "enterprise_uscc", "date", "round", "amount", "investors", "lead_investor", "region"],
    "patents": ["number", "application_number", "title", "abstract", "type", "applied", "published", "granted",
                "status", "ipc", "applicants", "applicant_regions", "inventors", "cited"],
    "news": ["key", "title", "body", "url", "published", "outlet", "enterprises", "sentiment", "event_type"],
    "demands": ["key", "title", "description", "category", "node", "organisation", "demander_type", "region",
                "budget", "published", "deadline", "status", "contact"],
    "contacts": ["key", "name", "organisation", "title", "phone", "email", "relation", "notes", "enterprise", "region"],
    # not an import kind: the node each enterprise was generated for (the answer key of classification checks)
    "labels": ["key", "uscc", "node", "category"],
}
NUMERIC = {"percent": pa.float64(), "sentiment": pa.float64(), "birth_year": pa.int64()}


def schema(kind: str) -> pa.Schema:
    return pa.schema([(c, NUMERIC.get(c, pa.string())) for c in COLUMNS[kind]])


class Sink:
    """One Parquet file written chunk by chunk."""

    def __init__(self, path: Path, kind: str):
        self.path, self.kind, self.rows = path, kind, 0
        self.schema = schema(kind)
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd", write_statistics=False)

    def write(self, cols: dict) -> None:
        n = None
        arrays = []
        for f in self.schema:
            v = cols.get(f.name)
            if v is None:
                arrays.append(None)
                continue
            if isinstance(v, pa.ChunkedArray):
                v = v.combine_chunks()
            if isinstance(v, np.ndarray):
                v = pa.array(v, f.type) if v.dtype.kind == "U" else pa.array(v, f.type, from_pandas=True)
            elif isinstance(v, list):
                v = pa.array(v, f.type)
            elif v.type != f.type:
                v = v.cast(f.type)
            n = len(v)
            arrays.append(v)
        if not n:
            return
        arrays = [a if a is not None else pa.nulls(n, f.type) for a, f in zip(arrays, self.schema)]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema), row_group_size=CHUNK)
        self.rows += n

    def close(self) -> None:
        self.writer.close()


def _sub(a: dict, e: np.ndarray) -> dict:
    """The attributes of a subset (rows ``e``) of a chunk."""
    n = len(a["idx"])
    out = {k: v[e] for k, v in a.items() if isinstance(v, np.ndarray) and len(v) == n}
    out["changes"] = {k: v[e] for k, v in a["changes"].items()}
    return out


def _tag(tags: np.ndarray, mask: np.ndarray, tag: str) -> np.ndarray:
    return np.where(mask, np.where(tags == "", tag, tags + "、" + tag), tags)


def _erfinv(y: np.ndarray) -> np.ndarray:
    from scipy.special import erfinv

    return erfinv(np.clip(y, -0.999999, 0.999999))


def _app_check(app12: np.ndarray) -> np.ndarray:
    """Check digit of 12-digit Chinese patent application numbers (weights 2-9 repeating, mod 11, 10 → X)."""
    x = np.asarray(app12, dtype=np.int64)
    w = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
    digits = (x[:, None] // (10 ** np.arange(11, -1, -1, dtype=np.int64))[None, :]) % 10
    c = (digits * w).sum(axis=1) % 11
    return np.where(c == 10, "X", c.astype(str))
