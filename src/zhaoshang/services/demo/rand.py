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
    arr = pa.array(days.astype("int32"), pa.date32(), mask=~ok)
    return pc.cast(arr, pa.string())


def day(y: int, m: int = 1, d: int = 1) -> int:
    return int((np.datetime64(f"{y:04d}-{m:02d}-{d:02d}") - np.datetime64("1970-01-01")).astype(np.int64))


def years_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


# -- string pools and templates -----------------------------------------------------------------------------

class Pool:
    """Interned strings: every distinct string gets an integer id, so equal texts compare as equal ids."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.values: list[str] = []
        self._arr: pa.Array | None = None

    def id(self, s: str) -> int:
        k = self.ids.get(s)
        if k is None:
            k = self.ids[s] = len(self.values)
            self.values.append(s)
            self._arr = None
        return k

    @property
    def arr(self) -> pa.Array:
        if self._arr is None:
            self._arr = pa.array(self.values, pa.string())
        return self._arr

    def text(self, ids: np.ndarray) -> pa.Array:
        return self.arr.take(pa.array(np.asarray(ids, dtype=np.int64)))


class Lists:
    """A list of string lists (one per row kind) flattened into one id table with offsets and lengths."""

    def __init__(self, pool: Pool, lists: list[list[str]]):
        self.pool = pool
        flat, off, ln = [], [], []
        for lst in lists:
            off.append(len(flat))
            ln.append(len(lst))
            flat.extend(pool.id(str(x)) for x in lst)
        self.flat = np.array(flat, dtype=np.int64)
        self.off = np.array(off, dtype=np.int64)
        self.len = np.array(ln, dtype=np.int64)

    def pick(self, row: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Position (0 ≤ k < len) of a uniform choice in each row's list."""
        n = self.len[row]
        return np.minimum(np.floor(u * n).astype(np.int64), np.maximum(n - 1, 0))

    def ids(self, row: np.ndarray, k: np.ndarray) -> np.ndarray:
        """String ids of item ``k`` (taken modulo the list length) of each row's list."""
        return self.flat[self.off[row] + np.asarray(k, dtype=np.int64) % np.maximum(self.len[row], 1)]

    def text(self, row: np.ndarray, k: np.ndarray) -> pa.Array:
        return self.pool.text(self.ids(row, k))


def _parse(template: str) -> list[tuple[str, str | None]]:
    import string

    return [(lit, name) for lit, name, _spec, _conv in string.Formatter().parse(template)]


def render(templates: list[str], tid: np.ndarray, fields: dict[str, pa.Array]) -> pa.Array:
    """``templates[tid[i]].format(**row i of fields)`` for every row, built column-wise (one join per template)."""
    tid = np.asarray(tid, dtype=np.int64)
    n = len(tid)
    if n == 0:
        return pa.array([], pa.string())
    order = np.argsort(tid, kind="stable")
    counts = np.bincount(tid, minlength=len(templates))
    chunks, pos = [], 0
    for t, tpl in enumerate(templates):
        c = int(counts[t])
        if not c:
            continue
        rows = pa.array(order[pos:pos + c])
        pos += c
        pieces: list = []
        for lit, name in _parse(tpl):
            if lit:
                pieces.append(lit)
            if name is not None:
                pieces.append(fields[name].take(rows))
        if not any(isinstance(p, pa.Array) for p in pieces):
            chunks.append(pa.array(["".join(pieces)] * c, pa.string()))
        else:
            chunks.append(join(*pieces))
    out = pa.concat_arrays(chunks)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.arange(n)
    return out.take(pa.array(inv))


def text(x) -> pa.Array:
    """A string Arrow array from a numpy array (numbers or strings) or an Arrow array."""
    if isinstance(x, pa.ChunkedArray):
        x = x.combine_chunks()
    if isinstance(x, pa.Array):
        return x if x.type == pa.string() else pc.cast(x, pa.string())
    x = np.asarray(x)
    if x.dtype.kind in "iu":
        return ints_text(x)
    if x.dtype.kind == "U":
        return pa.array(x, pa.string())
    return pa.array(x, pa.string(), from_pandas=True)


def join_list(values: pa.Array, ids: np.ndarray, sep: str) -> pa.Array:
    """Join, per row, the values at the non-negative ids of a row of the matrix ``ids`` (order kept)."""
    ids = np.asarray(ids, dtype=np.int64)
    mask = ids >= 0
    flat = ids[mask]
    offsets = np.concatenate([[0], np.cumsum(mask.sum(axis=1))]).astype(np.int32)
    lst = pa.ListArray.from_arrays(pa.array(offsets), values.take(pa.array(flat)))
    return pc.binary_join(lst, sep)


def tenths_text(x: np.ndarray) -> pa.Array:
    """Numbers with one decimal (``f"{x:.1f}"`` for non-negative x)."""
    t = np.round(np.asarray(x, dtype=np.float64) * 10).astype(np.int64)
    return join(ints_text(t // 10), ".", ints_text(t % 10))
