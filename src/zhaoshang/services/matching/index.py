"""BM25 indexes (bm25s, over jieba tokens) of enterprise profiles and of demands, cached and refreshed.

An index is keyed by a fingerprint of what it was built from (imports, enterprise/patent/placement/demand
counts, the newest classification, the settings' version): an import or a classification changes it, and the
next match rebuilds. Built indexes are kept in the process (a few) and, for a database file, in a directory
beside it (``<db>.match/<kind>-<fingerprint>/``), so a second command or a restarted server loads instead of
tokenising again. Only the newest index of each kind is kept on disk. A database whose folder cannot be written
(a read-only share served read-only) has its index kept in the user's cache instead
(``$XDG_CACHE_HOME/zhaoshang/match/<path hash>-<db>.match/``), which the log says; when neither can be written the
index is built once per process and the log says the next start builds it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ...core import jsonenc
from ...core.asof import as_of_date, enterprises_as_of, generation_memo, reference_date
from ...core.once import KeyedLocks
from .profiles import config, demand_rows, profile_sql, tokens

log = logging.getLogger("zhaoshang.matching")

KINDS = ("enterprises", "demands")
_MEMO: "OrderedDict[tuple, Index]" = OrderedDict()
_LOCK = threading.Lock()
_LOADS = KeyedLocks()  # one load or build of an index at a time: who asks meanwhile takes that one
_PIECE = 200  # profiles tokenised between two chances to give way (≈ 0.35 s of a core)


@dataclass
class Index:
    kind: str
    fingerprint: str
    ids: np.ndarray                       # document position → enterprise/demand id
    retriever: Any                        # bm25s.BM25, or None for an empty corpus
    active: np.ndarray | None = None      # document position → an existing enterprise (None: every document)
    build_seconds: float = 0.0
    loaded_from: str | None = None
    saved_to: str | None = None           # where a build was kept (None: in this process only)
    pos: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pos = {int(i): p for p, i in enumerate(self.ids.tolist())}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 of the query against every document (zeros when nothing matches)."""
        if self.retriever is None or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        vocab = self.retriever.vocab_dict
        q = [t for t in query_tokens if t in vocab]
        if not q:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.retriever.get_scores(q), dtype=np.float32)

    def best(self, scores: np.ndarray, active: np.ndarray | None = None) -> float:
        """The highest score among the existing enterprises (``active``: those existing on a date asked for,
        ``active_on``; default the reference date's): what a pair's BM25 is normalised by, the same whether the
        dissolved ones (indexed too, for ``--include-inactive``) are asked for or not."""
        active = self.active if active is None else active
        s = scores if active is None else scores[active]
        return float(s.max()) if s.size else 0.0

    def active_on(self, store, as_of) -> np.ndarray | None:
        """Document position → the enterprise exists on ``as_of`` (``core.asof.enterprises_as_of``, the one meaning
        of "as of"); None without a date (the reference date's ``active``). Kept per served generation and date."""
        d = as_of_date(as_of)
        if d is None:
            return None

        def compute() -> np.ndarray:
            live = {r[0] for r in store.con.execute(f"SELECT e.id FROM {enterprises_as_of(d, store)} e").fetchall()}
            return np.fromiter((int(i) in live for i in self.ids.tolist()), dtype=bool, count=len(self.ids))

        return generation_memo(store, ("match_active", self.fingerprint, d), compute)

    def idf(self, term: str) -> float:
        """The term's weight in this corpus (for ordering matched terms)."""
        vocab = self.retriever.vocab_dict if self.retriever is not None else {}
        if term not in vocab:
            return 0.0
        return float(self.retriever.get_scores([term]).max())


_FINGERPRINT_SQL = {
    "enterprises": """SELECT (SELECT max(id) FROM imports WHERE kind <> 'demands'), (SELECT count(*) FROM enterprises),
        (SELECT count(*) FROM patents), (SELECT count(*) FROM placements), (SELECT max(classified_at) FROM placements)""",
    "demands": """SELECT (SELECT max(id) FROM imports WHERE kind = 'demands'), (SELECT count(*) FROM demands),
        (SELECT max(id) FROM demands)""",
}


def fingerprint(store, kind: str) -> str:
    """What the index of ``kind`` was built from: an import of that data or a classification changes it."""
    row = store.con.execute(_FINGERPRINT_SQL[kind]).fetchone()
    doc = {"kind": kind, "data": [str(x) for x in row], "config": config().get("version"),
           "stop": sorted(config().get("stopwords") or []), "tokens": "no-places-1", "docs": "with-ended-1"}
    return hashlib.sha256(jsonenc.canonical(doc).encode("utf-8")).hexdigest()[:16]


def _texts(store, kind: str) -> tuple[list[int], list[str], list[bool] | None]:
    """Each document's id and text; for enterprises also whether it exists on the reference date (the dissolved
    ones are indexed too, so ``--include-inactive`` reads their text)."""
    if kind == "enterprises":
        sql, params = profile_sql(store, ended=True)
        live = enterprises_as_of(reference_date(store), store)
        rows = store.con.execute(f"SELECT p.id, p.text, p.id IN (SELECT e.id FROM {live} e) FROM ({sql}) p",
                                 params).fetchall()
        return [r[0] for r in rows], [r[1] or "" for r in rows], [bool(r[2]) for r in rows]
    rows = [(r["id"], r["text"]) for r in demand_rows(store)]
    return [r[0] for r in rows], [r[1] or "" for r in rows], None


def build(store, kind: str, fp: str | None = None) -> Index:
    """Tokenise every profile (or demand) and index it with bm25s."""
    import bm25s

    t0 = time.perf_counter()
    fp = fp or fingerprint(store, kind)
    ids, texts, active = _texts(store, kind)
    quiet = getattr(store, "quiet", None)  # the server's warm-up gives way to requests between pieces
    corpus = []
    for at in range(0, len(texts), _PIECE):
        if quiet is not None:
            quiet(lambda: _LOADS.waiting((store.path, kind, fp)) > 0)  # not while a match waits for this build
        corpus += [tokens(t) for t in texts[at:at + _PIECE]]
    retriever = None
    if ids:
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
    return Index(kind, fp, np.asarray(ids, dtype=np.int64), retriever,
                 active=None if active is None else np.asarray(active, dtype=bool),
                 build_seconds=round(time.perf_counter() - t0, 3))


def _cache_root(store) -> Path | None:
    path = getattr(store, "path", None)
    if not path or path == ":memory:":
        return None
    return Path(str(path) + ".match")


def _user_root(root: Path) -> Path:
    """Where the index of a database whose folder cannot be written is kept instead: the user's cache
    (``$XDG_CACHE_HOME/zhaoshang/match/``, default ``~/.cache``), one folder per database path."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    full = os.path.abspath(str(root))
    return base / "zhaoshang" / "match" / f"{hashlib.sha256(full.encode('utf-8')).hexdigest()[:16]}-{Path(full).name}"


def _save(idx: Index, root: Path) -> str | None:
    """Keep the index beside the database, else in the user's cache (saying so); None when neither can be
    written: the index then lives in this process only (built once here, again at the next start)."""
    for at in (root, _user_root(root)):
        try:
            _save_in(idx, at)
        except OSError as exc:
            log.warning("场景匹配索引无法写入 %s（%s） / the match index cannot be written to %s (%s)", at, exc, at, exc)
            continue
        if at != root:
            log.warning("场景匹配索引保存在 %s（数据库所在目录不可写） / the match index is kept in %s "
                        "(the database's folder cannot be written)", at, at)
        return str(at)
    log.warning("场景匹配索引只保存在内存中，下次启动将重新建立 / the match index is kept in memory only: "
                "the next start builds it again")
    return None


def _save_in(idx: Index, root: Path) -> None:
    d = root / f"{idx.kind}-{idx.fingerprint}"
    tmp = root / f".{idx.kind}-{idx.fingerprint}.{os.getpid()}"
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        np.save(tmp / "ids.npy", idx.ids)
        if idx.active is not None:
            np.save(tmp / "active.npy", idx.active)
        if idx.retriever is not None:
            idx.retriever.save(str(tmp), show_progress=False)
        (tmp / "build.json").write_text(json.dumps({"build_seconds": idx.build_seconds}), encoding="utf-8")
        if d.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, d)
        for old in root.glob(f"{idx.kind}-*"):
            if old != d:
                shutil.rmtree(old, ignore_errors=True)
    except OSError:  # a read-only folder: the caller tries the next place
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _load(kind: str, fp: str, root: Path) -> Index | None:
    d = root / f"{kind}-{fp}"
    if not (d / "ids.npy").exists():
        return None
    import bm25s

    try:
        ids = np.load(d / "ids.npy")
        active = np.load(d / "active.npy") if (d / "active.npy").exists() else None
        retriever = bm25s.BM25.load(str(d), show_progress=False) if (d / "params.index.json").exists() else None
        meta = json.loads((d / "build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Index(kind, fp, ids, retriever, active=active, build_seconds=meta.get("build_seconds", 0.0),
                 loaded_from=str(d))


def get_index(store, kind: str, *, rebuild: bool = False, build_missing: bool = True) -> Index | None:
    """The current index of ``kind`` for this store: from memory, from disk, or built (and saved); with
    ``build_missing=False`` None rather than a build."""
    fp = fingerprint(store, kind)
    root = _cache_root(store)
    if root is None and not build_missing:
        return None
    if root is None:  # an in-memory store keeps its own indexes
        own = store.__dict__.setdefault("_match_indexes", {})
        if rebuild or own.get(kind) is None or own[kind].fingerprint != fp:
            own[kind] = build(store, kind, fp)
        return own[kind]
    key = (store.path, kind, fp)
    with _LOCK:
        if not rebuild and key in _MEMO:
            _MEMO.move_to_end(key)
            return _MEMO[key]
    with _LOADS.hold(key):  # the server's warm-up may be loading or building this very index
        with _LOCK:
            if not rebuild and key in _MEMO:
                return _MEMO[key]
        idx = None if rebuild else (_load(kind, fp, root) or _load(kind, fp, _user_root(root)))
        if idx is None and not build_missing:
            return None
        if idx is None:
            idx = build(store, kind, fp)
            idx.saved_to = _save(idx, root)
        with _LOCK:
            _MEMO[key] = idx
            while len(_MEMO) > 6:
                _MEMO.popitem(last=False)
    return idx
