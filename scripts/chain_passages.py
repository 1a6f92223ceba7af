"""The passage of a chain candidate pair: the window of its node's strongest word, with the field's label — what the
ninth candidate embeds (``cv_chain_e5.py``) and the twenty-fourth compares (``cv_chain_pairs.py --knn-clauses``), one
definition for both (docs/methods.md, "Ninth candidate"); and a row's whole text in the same form, what the
twenty-fifth compares (``--knn-rows``)."""

from __future__ import annotations

import re

from zhaoshang.services.chain import pairs as pr

HALF = 20
STOP = re.compile(r"[。；;！？!?\n]")
FIELD_ORDER = ("name", "products", "description", "industry", "scope", "tags")
FIELD_LABEL = {"name": "企业名称", "products": "主营产品", "description": "公司简介", "industry": "所属行业",
               "scope": "经营范围", "tags": "标签"}


def pair_text(texts: dict[str, str], occ: list) -> str:
    """The passage of a pair: its strongest, then first, occurrence's window, with the field's label."""
    f, _tier, _w, s, e = min(occ, key=lambda o: (pr.TIERS.index(o[1]), FIELD_ORDER.index(o[0]), o[3]))
    tx = texts[f]
    a = max(0, s - HALF)
    stops = [mt.end() for mt in STOP.finditer(tx, a, s)]
    a = stops[-1] if stops else a
    b = min(len(tx), e + HALF)
    st = STOP.search(tx, e, b)
    b = st.start() if st else b
    return f"{FIELD_LABEL[f]}：{tx[a:b].strip()}"


def row_text(texts: dict[str, str]) -> str:
    """A row's text: every non-empty field as the classifier reads it (``pairs.evidence_texts``), its label in front,
    one field a line."""
    return "\n".join(f"{FIELD_LABEL[f]}：{texts[f].strip()}" for f in FIELD_ORDER if texts.get(f, "").strip())
