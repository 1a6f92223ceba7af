"""Benchmark: news items per second through the text analysis (link → event type → sentiment towards each
linked enterprise), on real news texts (FinESE eval and CFSC-NER test sentences from the shared data folder)
with the A-share list imported as the dictionary. Reference, side by side: jieba segmentation alone of the same
texts (what any word-based analysis spends at least); ``ratio`` = analysis time / jieba time.

    .venv/bin/python bench/bench_news_nlp.py [N]     # N texts (default 2000)
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.text import word_spans  # noqa: E402
from zhaoshang.services.monitoring.nlp import MentionLinker, analyze_item, classify_event  # noqa: E402
from zhaoshang.services.monitoring.nlp.evaluate import load_linker  # noqa: E402
from zhaoshang.services.monitoring.nlp.sets import FINESE, NER_SENTENCES, _rows  # noqa: E402

SHARED = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def main(n: int) -> dict:
    texts = [r["text"] for r in _rows(SHARED, FINESE) if r["split"] == "eval"]
    texts += [r["text"] for r in _rows(SHARED, NER_SENTENCES) if r["split"] == "test"]
    texts = (texts * (n // len(texts) + 1))[:n]
    store = Store(":memory:")  # never the default database file of the working directory
    t0 = time.perf_counter()
    load_linker(SHARED, store)
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    linker = MentionLinker.from_store(store)
    t_build = time.perf_counter() - t0
    classify_event("预热")  # load the model and jieba's dictionary once, outside the timings
    word_spans("预热")
    t0 = time.perf_counter()
    links = sum(len(linker.link(x).linked) for x in texts)
    t_link = time.perf_counter() - t0
    t0 = time.perf_counter()
    for x in texts:
        classify_event(x)
    t_type = time.perf_counter() - t0
    t0 = time.perf_counter()
    for x in texts:
        analyze_item(linker, x)
    t_all = time.perf_counter() - t0
    t0 = time.perf_counter()
    for x in texts:
        word_spans(x)
    t_jieba = time.perf_counter() - t0
    return {"benchmark": "news_nlp", "texts": n, "mean_chars": round(sum(map(len, texts)) / n, 1),
            "dictionary_keys": len(linker.keys), "import_s": round(t_import, 2), "build_linker_s": round(t_build, 3),
            "linked_mentions": links, "link_per_s": round(n / t_link), "type_per_s": round(n / t_type),
            "analyze_per_s": round(n / t_all), "jieba_per_s": round(n / t_jieba),
            "ratio": round(t_all / t_jieba, 2)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000), ensure_ascii=False))
