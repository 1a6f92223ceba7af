"""The compact in-memory graph built from the store: CSR arrays for the path search, an igraph graph for
structure, the edge table for evidence.

Nodes are numbered 0…n−1; each node's ties are stored strongest first (``indptr``/``nbr``/``w``/``eid``), so a
search reads a node's best ties as one slice. Built from the edge view in one query, kept per database file
state (its identity and last import) and as-of date, so an import or a new generation rebuilds it on next use.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import igraph
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...core.asof import reference_date
from ...core.once import KeyedLocks
from . import identity
from .edges import ties_sql
from .ties import load_ties

TYPES = ("person", "enterprise", "investor", "contact", "inventor")
_PREFIX = {"p": "person", "e": "enterprise", "i": "investor", "c": "contact", "v": "inventor"}


@dataclass
class Graph:
    keys: list
    types: np.ndarray            # index into TYPES
    names: list
    indptr: np.ndarray
    nbr: np.ndarray
    w: np.ndarray
    eid: np.ndarray
    edges: pa.Table | None = None  # relation, strength, n, dates, percent, direction, evidence, ends a, b; row = eid
    model: dict = field(default_factory=dict)
    as_of: str | None = None
    build_seconds: float = 0.0
    ig: igraph.Graph | None = None
    _index: dict | None = None
    _persons: tuple | None = None
    memo: dict = field(default_factory=dict, repr=False)  # what is derived once per graph (a region's origins …)

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def m(self) -> int:
        return len(self.nbr) // 2

    def index(self, key: str) -> int | None:
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.keys)}
        return self._index.get(key)

    def persons(self) -> tuple[np.ndarray, dict]:
        """Person records linked as one person (``same_person`` ties between person records; the graph holds
        only links at or above the identity threshold, after the users' confirm/split decisions): each node's
        representative (itself unless linked; else the record with the lowest id) and representative → records.
        The same for every role: masking is applied to what is shown (services.privacy), never to the grouping."""
        if self._persons is None:
            rep = np.arange(self.n, dtype=np.int64)
            groups: dict = {}
            if self.edges is not None and self.n:
                t = self.edges
                mask = self.identity_edges()
                a, b = t.column("a").to_numpy()[mask], t.column("b").to_numpy()[mask]
                person = TYPES.index("person")
                both = (self.types[a] == person) & (self.types[b] == person)
                linked = identity.groups(zip(a[both].tolist(), b[both].tolist()))
                groups = {min(v, key=self._pid): sorted(v, key=self._pid) for v in linked}
                for r, members in groups.items():
                    rep[members] = r
            self._persons = (rep, groups)
        return self._persons

    def drawn(self) -> tuple[np.ndarray, dict]:
        """``persons`` as the 关系图谱 view draws them: besides the linked person records, a patent's inventor (no
        person record of its own) whose identity links lead to one person only is that person's node too — one
        node with the ties of both, its key the person's, the inventor last among its ``records``. An inventor
        linked to two persons kept apart stays a node of its own (which of them it is, no rule says)."""
        got = self.memo.get("drawn")
        if got is None:
            rep0, groups0 = self.persons()
            rep, groups = rep0.copy(), {r: list(v) for r, v in groups0.items()}
            if self.edges is not None and self.n:
                mask = self.identity_edges()
                a, b = self.edges.column("a").to_numpy()[mask], self.edges.column("b").to_numpy()[mask]
                person, inventor = TYPES.index("person"), TYPES.index("inventor")
                of: dict = {}
                for x, y in ((a, b), (b, a)):
                    pick = (self.types[x] == inventor) & (self.types[y] == person)
                    for v, q in zip(x[pick].tolist(), y[pick].tolist()):
                        of.setdefault(v, set()).add(int(rep0[q]))
                for v in sorted(of, key=lambda i: self.keys[i]):
                    if len(of[v]) == 1:
                        r = next(iter(of[v]))
                        groups.setdefault(r, [r]).append(v)
                        rep[v] = r
            got = self.memo["drawn"] = (rep, groups)
        return got

    def same_person(self) -> np.ndarray:
        """Each node's person for telling paths apart: the records of every kind joined by ``same_person`` ties —
        person records, and the bureau's contacts and patents' inventors linked to one — share one number (the
        lowest node of the group), any other node is its own. A path through another record of a person it has
        already passed is not another path (``search.k_paths``)."""
        got = self.memo.get("same_person")
        if got is None:
            got = np.arange(self.n, dtype=np.int64)
            if self.edges is not None and self.n:
                mask = self.identity_edges()
                a, b = self.edges.column("a").to_numpy()[mask], self.edges.column("b").to_numpy()[mask]
                for members in identity.groups(zip(a.tolist(), b.tolist())):
                    got[sorted(members)] = min(members)
            self.memo["same_person"] = got
        return got

    def holders(self) -> np.ndarray:
        """A flag per node: a person record that holds shares (one end of a ``shareholder`` tie) — a private
        individual's shareholding, masked for a role without the ``personal`` permission."""
        got = self.memo.get("holders")
        if got is None:
            got = np.zeros(self.n, dtype=bool)
            if self.edges is not None and self.n:
                t = self.edges
                share = pc.equal(t.column("relation"), "shareholder").to_numpy(zero_copy_only=False)
                person = TYPES.index("person")
                for end in (t.column("a").to_numpy()[share], t.column("b").to_numpy()[share]):
                    got[end[self.types[end] == person]] = True
            self.memo["holders"] = got
        return got

    def holder_keys(self, doc, *, persons: bool = False, also=None) -> list:
        """The person records named anywhere in ``doc`` (a node's ``key`` or ``records``, at any depth) that hold
        shares: what an answer says of private individuals' shareholdings (privacy.present_ties masks or audits it).
        ``persons``: the records named (person records, and the bureau's contacts and patents' inventors linked to
        one: ``same_person``) whose person holds shares through any of its records — an officer's record of a
        shareholder, his record as a contact —, masked with the holding; ``also(person ids)``: the ids of those
        records whose person holds shares by a rule beyond the graph's ties (``enterprises.holding_records``)."""
        named: set = set()

        def walk(x) -> None:
            if isinstance(x, list):
                for v in x:
                    walk(v)
            elif isinstance(x, dict):
                records = x.get("records") if isinstance(x.get("records"), list) else []  # (a hop's is a count)
                named.update(k for k in [x.get("key"), *records] if isinstance(k, str))
                for v in x.values():
                    walk(v)

        walk(doc)
        held = self.holders()
        if persons:
            same = self.same_person()
            if also is not None:  # the records of the persons named, by every rule that makes them one
                group = np.isin(same, [same[i] for k in named if (i := self.index(k)) is not None])
                ids = [self._pid(i) for i in np.flatnonzero(group & (self.types == TYPES.index("person")))]
                more = [i for x in also(ids) if (i := self.index(f"p:{x}")) is not None]
                held = held.copy()
                held[more] = True
            held = np.isin(same, same[held])
        kinds = ("p:", "c:", "v:") if persons else ("p:",)
        return sorted(k for k in named if k.startswith(kinds) and (i := self.index(k)) is not None and held[i])

    def identity_edges(self) -> np.ndarray | None:
        """A flag per edge id: true for an identity link (``same_person``), which joins records, not people."""
        if self.edges is None:
            return None
        return pc.equal(self.edges.column("relation"), "same_person").to_numpy(zero_copy_only=False)

    def _pid(self, i: int) -> int:
        k = self.keys[i]
        return int(k[2:]) if k[2:].isdigit() else 0

    def person_node(self, i: int) -> dict:
        """``node(i)`` for the person ``i`` is drawn as (``drawn``): the representative's key, and ``records`` when
        linked."""
        rep, groups = self.drawn()
        r = int(rep[i])
        if r not in groups:
            return self.node(i)
        return {**self.node(r), "records": [self.keys[x] for x in groups[r]]}

    def components(self) -> np.ndarray:
        """Each node's connected component (identity links included): no path joins two components."""
        c = self.memo.get("components")
        if c is None:
            if self.ig is not None:
                c = np.asarray(self.ig.connected_components().membership, np.int64)
            else:
                from scipy.sparse import csr_matrix
                from scipy.sparse.csgraph import connected_components

                adj = csr_matrix((np.ones(len(self.nbr), np.int8), self.nbr, self.indptr), shape=(self.n, self.n))
                c = connected_components(adj, directed=False)[1].astype(np.int64)
            self.memo["components"] = c
        return c

    def memory_bytes(self) -> int:
        arrays = sum(a.nbytes for a in (self.types, self.indptr, self.nbr, self.w, self.eid))
        return arrays + (self.edges.nbytes if self.edges is not None else 0)

    def edge(self, e: int) -> dict:
        return {c: self.edges.column(c)[e].as_py() for c in self.edges.column_names} if self.edges is not None else {}

    def direction(self, e: int, frm: int) -> str | None:
        """How a hop from node ``frm`` over edge ``e`` goes with the relation's own direction (edges.ties_sql):
        ``along`` (from where it starts: an investor to its investee, a holder to the held), ``against`` (the
        investee to its investor), ``both`` (records of each way), None for a relation without direction."""
        d = self.edges.column("direction")[e].as_py() if self.edges is not None else None
        if d is None:
            return None
        if d == 0:
            return "both"
        start = self.edges.column("a")[e].as_py() if d == 1 else self.edges.column("b")[e].as_py()
        return "along" if start == frm else "against"

    def node(self, i: int) -> dict:
        return {"key": self.keys[i], "type": TYPES[self.types[i]], "name": self.names[i]}

    def stats(self) -> dict:
        return {"nodes": self.n, "edges": self.m, "build_seconds": round(self.build_seconds, 3),
                "memory_mb": round(self.memory_bytes() / 2**20, 1), "as_of": self.as_of,
                "ties_version": self.model.get("version")}


def from_arrays(a: np.ndarray, b: np.ndarray, w: np.ndarray, n: int, *, keys=None, types=None, names=None,
                edges: pa.Table | None = None, with_igraph: bool = True) -> Graph:
    """A graph from undirected edge arrays (node numbers, strengths): each tie stored in both directions,
    every node's ties sorted strongest first."""
    m = len(a)
    src = np.concatenate([a, b]).astype(np.int32)
    dst = np.concatenate([b, a]).astype(np.int32)
    ww = np.concatenate([w, w]).astype(np.float32)
    ee = np.concatenate([np.arange(m, dtype=np.int32)] * 2)
    order = np.lexsort((-ww, src))
    counts = np.bincount(src, minlength=n)
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    g = Graph(keys=keys if keys is not None else list(range(n)),
              types=types if types is not None else np.zeros(n, np.int8),
              names=names if names is not None else [None] * n,
              indptr=indptr, nbr=dst[order], w=ww[order], eid=ee[order], edges=edges)
    if with_igraph:
        g.ig = igraph.Graph(n=n, edges=np.column_stack([a, b]).astype(np.int64))
    return g


_NAMES = """
SELECT k.i, k.key,
       coalesce(p.name, e.name, iv.name, c.name, regexp_extract(k.key, '^v:(.*)@', 1)) AS name
FROM _graph_keys k
LEFT JOIN persons p ON k.key = 'p:' || p.id
LEFT JOIN enterprises e ON k.key = 'e:' || e.id
LEFT JOIN investors iv ON k.key = 'i:' || iv.id
LEFT JOIN contacts c ON k.key = 'c:' || c.id
ORDER BY k.i
"""


def build_graph(store, as_of=None, ties: str | None = None, team=None) -> Graph:
    """The relationship graph as of a date (default: the reference date), with identity links (and the user's
    confirm/split decisions when the team state is given)."""
    t0 = time.perf_counter()
    model = load_ties(ties)
    d = reference_date(store, as_of).isoformat()
    extra, tables = identity.links_edge_sql(store, team)
    con = store.con
    with identity.registered(con, tables):
        tbl = con.sql(ties_sql(model, d, extra)).to_arrow_table()
    a_key, b_key = tbl.column("u").combine_chunks(), tbl.column("w").combine_chunks()
    # nodes numbered in key order and ties ordered by their ends and relation (a tie's identity), not in the order
    # DuckDB hands the rows over (which follows the rows' order in the file and the threads): paths of equal
    # strength are then met, and chosen, alike in every process
    keys = pc.unique(pa.concat_arrays([a_key, b_key]))
    keys = keys.take(pc.sort_indices(keys))
    ai = pc.index_in(a_key, keys).to_numpy()
    bi = pc.index_in(b_key, keys).to_numpy()
    rel = tbl.column("relation").combine_chunks()
    rels = pc.unique(rel)
    order = np.lexsort((pc.index_in(rel, rels.take(pc.sort_indices(rels))).to_numpy(zero_copy_only=False), bi, ai))
    if len(order) and (np.diff(order) != 1).any():
        tbl, ai, bi = tbl.take(order), ai[order], bi[order]
    key_list = keys.to_pylist()
    types = np.array([TYPES.index(_PREFIX[k[0]]) for k in key_list], np.int8)
    con.register("_graph_keys", pa.table({"i": pa.array(np.arange(len(key_list))), "key": keys}))
    try:
        names = [r[2] for r in con.execute(_NAMES).fetchall()]
    finally:
        con.unregister("_graph_keys")
    edges = tbl.drop(["u", "w"]).append_column("a", pa.array(ai)).append_column("b", pa.array(bi))
    g = from_arrays(ai, bi, tbl.column("strength").to_numpy(), len(key_list), keys=key_list, types=types,
                    names=names, edges=edges)
    g.model, g.as_of = model, d
    g.build_seconds = time.perf_counter() - t0
    return g


_CACHE: dict = {}
_BUILDS = KeyedLocks()  # one build of a graph at a time: who asks meanwhile waits and takes it from the cache
_LOCK = threading.Lock()


def _state(store) -> tuple:
    from ...core.generations import file_identity

    path = str(getattr(store, "path", ":memory:"))
    ident = file_identity(path) if path != ":memory:" else id(store)
    last = store.con.execute("SELECT max(id), count(*) FROM imports").fetchall()[0]
    return path, ident, tuple(last)


def graph_for(store, as_of=None, ties: str | None = None, team=None) -> Graph:
    """The graph of this database state and date, built once and reused until the file or its imports change; a
    caller asking while it is being built waits for that build instead of making a second one."""
    key = (_state(store), reference_date(store, as_of).isoformat(), ties, identity.decisions_state(team))
    with _LOCK:
        g = _CACHE.get(key)
    if g is not None:
        return g
    with _BUILDS.hold(key):  # another request (or the server's warm-up) building this very graph: take it when done
        with _LOCK:
            g = _CACHE.get(key)
        if g is None:
            g = build_graph(store, as_of, ties, team)
            with _LOCK:
                if len(_CACHE) >= 4:
                    _CACHE.pop(next(iter(_CACHE)))
                _CACHE[key] = g
    return g
