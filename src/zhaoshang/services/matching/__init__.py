"""Scenario matching (场景匹配, 需求清单 × 能力图谱): capability profiles, BM25 indexes, hybrid ranking both ways
(``match.py``), the optional semantic model and the evaluation on the labelled set (``evaluate.py``)."""
