"""Counter-based randomness and vectorised text helpers for the demo generator.

Every per-enterprise attribute is a pure function of (seed, enterprise index, attribute salt), computed with
the splitmix64 finaliser on numpy ``uint64`` arrays. Any chunk can therefore look up any other enterprise
(a co-applicant, an investee, a serial founder's first company) without holding the population in memory,
and the same seed always gives the same values.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_GOLD = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (wrapping uint64 arithmetic)."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def salt_of(seed: int, name: str) -> np.uint64:
    h = 1469598103934665603
    for ch in f"{seed}:{name}".encode():
        h = ((h ^ ch) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return np.uint64(h)


def hash64(seed: int, idx: np.ndarray, name: str) -> np.ndarray:
    idx = np.asarray(idx, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return mix(idx * _GOLD + salt_of(seed, name))


def uniform(seed: int, idx: np.ndarray, name: str) -> np.ndarray:
    """Uniform floats in [0, 1)."""
    return (hash64(seed, idx, name) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def randint(seed: int, idx: np.ndarray, name: str, n) -> np.ndarray:
    """Integers in [0, n) (n scalar or array)."""
    return np.floor(uniform(seed, idx, name) * np.asarray(n)).astype(np.int64)


def choice_cdf(u: np.ndarray, cdf: np.ndarray) -> np.ndarray:
    """Categorical draw from a cumulative distribution (1-D) for uniforms ``u``."""
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)


def choice_rows(u: np.ndarray, cdf_rows: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Categorical draw where each element uses its own row of a cumulative matrix."""
    c = cdf_rows[row]
    return np.minimum((c <= u[:, None]).sum(axis=1), cdf_rows.shape[1] - 1)


def largest_remainder(total: int, weights) -> np.ndarray:
    """Integer quotas summing to ``total`` in proportion to ``weights`` (Hamilton's method, ties by order)."""
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = w / w.sum() * total
    base = np.floor(exact).astype(np.int64)
    rest = total - int(base.sum())
    if rest > 0:
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:rest]] += 1
    return base


def coprime_multiplier(n: int, seed: int, frac: float = 0.6180339887) -> int:
    """A multiplier coprime to ``n`` near ``frac * n`` (an affine bijection of range(n))."""
    from math import gcd

    if n <= 2:
        return 1
    a = max(1, int(n * frac) + (seed % 97))
    while gcd(a, n) != 1:
        a += 1
    return a % n or 1


# -- text ---------------------------------------------------------------------------------------------------

def take(values: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    return arr.take(pa.array(np.asarray(idx, dtype=np.int64)))


def join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and constants (a null part makes the result null)."""
    arrs = []
    n = None
    for p in parts:
        if isinstance(p, (pa.Array, pa.ChunkedArray)):
            n = len(p)
    for p in parts:
        if isinstance(p, str):
            arrs.append(pa.scalar(p, pa.string()))
        elif isinstance(p, np.ndarray):
            arrs.append(pa.array(p.astype(str) if p.dtype.kind != "U" else p, pa.string()))
        else:
            arrs.append(p)
    if n is None:
        raise ValueError("join needs at least one array")
    return pc.binary_join_element_wise(*arrs, sep)


def ints_text(x: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(x, dtype=np.int64)), pa.string())


def where(mask: np.ndarray, a, b) -> pa.Array:
    """Element-wise choice between two string arrays/constants; None gives null."""
    def _arr(v):
        if v is None or isinstance(v, str):
            return pa.scalar(v, pa.string())
        return v
    a2 = _arr(a)
    b2 = _arr(b)
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a2, b2)


def dates_text(days: np.ndarray) -> pa.Array:
    """ISO dates from day numbers since 1970-01-01; negative (the NA marker) gives null."""
    days = np.asarray(days, dtype=np.int64)
    ok = days >= 0
    arr = pa.array(np.where(ok, days, 0).astype("int32"), pa.date32())
    txt = pc.strftime(pc.cast(arr, pa.timestamp("s")), format="%Y-%m-%d")
    return pc.if_else(pa.array(ok), txt, pa.nulls(len(days), pa.string()))


def day(y: int, m: int = 1, d: int = 1) -> int:
    return int((np.datetime64(f"{y:04d}-{m:02d}-{d:02d}") - np.datetime64("1970-01-01")).astype(np.int64))


def years_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
