"""Benchmark: events per second through the whole monitoring path — feed item → near-duplicate check → link →
event type → sentiment → news item and events stored in the team state → published on the bus → alert rules
evaluated by a bus listener (the alerts' one rule evaluator) — on real news texts (FinESE eval and CFSC-NER test
sentences from the shared data folder, each text once) with the A-share list imported as the dictionary.
Reference, side by side: the text analysis alone (``analyze_item``) of the same texts; ``ratio`` = pipeline time /
analysis time (what storing, deduplicating, publishing and rule evaluation add).

    .venv/bin/python bench/bench_events.py [N]     # N texts (default 1000)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")

from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.teamstate import open_team_db  # noqa: E402
from zhaoshang.services.alerts import evaluate as alert_eval  # noqa: E402
from zhaoshang.services.alerts import rules as alert_rules  # noqa: E402
from zhaoshang.services.monitoring import bus as B  # noqa: E402
from zhaoshang.services.monitoring import feeds as F  # noqa: E402
from zhaoshang.services.monitoring import news as N  # noqa: E402
from zhaoshang.services.monitoring.nlp import MentionLinker, analyze_item  # noqa: E402
from zhaoshang.services.monitoring.nlp.evaluate import load_linker  # noqa: E402
from zhaoshang.services.monitoring.nlp.sets import FINESE, NER_SENTENCES, _rows  # noqa: E402

SHARED = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
RULES = [{"name": "融资", "types": ["funding"]},
         {"name": "负面", "types": ["news", "legal", "distress", "layoff"], "max_sentiment": -0.3},
         {"name": "人事", "types": ["personnel"]}]


def main(n: int) -> dict:
    texts = list(dict.fromkeys([r["text"] for r in _rows(SHARED, FINESE) if r["split"] == "eval"]
                               + [r["text"] for r in _rows(SHARED, NER_SENTENCES) if r["split"] == "test"]))[:n]
    store = Store(":memory:")  # never the default database file of the working directory
    load_linker(SHARED, store)
    linker = MentionLinker.from_store(store)
    analyze_item(linker, "预热：" + texts[0])  # jieba, the models and the lexicon loaded outside the timings
    rules = [dict(alert_rules.normalise(store, r), id=i, owner="bench", channels=["app"]) for i, r in enumerate(RULES, 1)]
    alerts: list = []
    bus = B.EventBus()
    bus.add_listener(lambda ev: alerts.extend(alert_eval.evaluate(rules, alert_eval.enrich(store, [ev]))))
    items = [{"guid": f"b-{i}", "title": x[:120], "body": x, "url": f"http://bench.test/{i}", "published": None}
             for i, x in enumerate(texts)]
    with tempfile.TemporaryDirectory() as d:
        team = open_team_db(str(Path(d) / "team.sqlite"))
        held = N.Held(team)
        t0 = time.perf_counter()
        counts = N.process_items(store, team, F.Feed("bench", "bench.xml"), items, held, linker, bus=bus)
        t_all = time.perf_counter() - t0
        team.close()
    t0 = time.perf_counter()
    for it in items:
        analyze_item(linker, it["title"], it["body"])
    t_nlp = time.perf_counter() - t0
    return {"benchmark": "events", "texts": len(items), "items_new": counts["items_new"], "merged": counts["merged"],
            "events": counts["events_new"], "alerts": len(alerts), "seconds": round(t_all, 2),
            "items_per_s": round(len(items) / t_all, 1), "events_per_s": round(counts["events_new"] / t_all, 1),
            "analysis_only_items_per_s": round(len(items) / t_nlp, 1), "ratio": round(t_all / t_nlp, 2)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), ensure_ascii=False))
