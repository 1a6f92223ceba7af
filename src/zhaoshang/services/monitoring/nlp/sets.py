"""The labelled sets the news text analysis is trained and measured on: their paths in the shared data folder,
a CSV reader that names a missing file in one line, and the hand-labelled event set shipped in data/nlp/."""

from __future__ import annotations

import csv
import importlib.resources
from pathlib import Path

from ....core.errors import UserError

LISTED = "listed_companies/a_share_companies_merged.csv"
NER_SENTENCES, NER_MENTIONS = "news/cfsc_ner_sentences.csv", "news/cfsc_ner_mentions.csv"
FINESE = "news/cfleb_finese_event_subject_ccks2019.csv"
ABSA = "sentiment/cfsc_absa_company_sentiment.csv"
FINNSP = "sentiment/cfleb_finnsp_negative_entity_news.csv"
FINFE = "sentiment/cfleb_finfe_social_media_sentiment.csv"
COMPANY_TYPES = ("Corporate", "Stock")


def _path(data: str | Path, rel: str) -> Path:
    p = Path(data) / rel
    if not p.exists():
        raise UserError(f"找不到评测数据 {p}（用 --data 指定公开数据目录）", f"evaluation data not found: {p} (set --data)")
    return p


def _rows(data, rel: str) -> list[dict]:
    with open(_path(data, rel), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))

MAX_CHARS = 400  # long FinESE texts are headline clusters: their start carries the event


def gold_rows(split: str | None = None) -> list[dict]:
    """The hand-labelled event set (item_id, split, label, source, stratum, text)."""
    res = importlib.resources.files("zhaoshang").joinpath("data", "nlp", "event_gold.csv")
    with importlib.resources.as_file(res) as p, open(p, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [r for r in rows if split is None or r["split"] == split]
