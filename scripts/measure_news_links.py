"""How the FinESE event subjects link to enterprises when imported as news (docs/methods.md, "Linking imported news").

Usage: python scripts/measure_news_links.py DB SPLIT [--sample N] [--out CSV]

DB is a database holding the enterprises (the real build: the CLI imports of docs/cli.md); it is copied, never
changed. The rows of SPLIT (train for development, eval for the figure) of
../shared/data/news/cfleb_finese_event_subject_ccks2019.csv are imported with the preset ``finese`` into the
copy, then every row with a subject is looked up: is its declared subject linked (method, enterprise), ambiguous
or unlinked; the baseline links a subject only when it equals one enterprise's normalised full name. The
``derived_a_share_code`` column is an exact-name join of the subject to the A-share table, not gold: it is
reported as a reference for the listed subjects only. ``--sample N`` writes the first N linked rows ordered by the
SHA-1 of their row_id (the hand-read sample) to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from zhaoshang.core.importers import import_files  # noqa: E402
from zhaoshang.core.store import Store  # noqa: E402
from zhaoshang.core.text import normalize_name  # noqa: E402

DATA = Path(os.environ.get("ZHAOSHANG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FILE = DATA / "news" / "cfleb_finese_event_subject_ccks2019.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("split", choices=("train", "eval"))
    ap.add_argument("--sample", type=int, default=0)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rows = [r for r in csv.DictReader(open(FILE, encoding="utf-8")) if r["split"] == a.split]
    tmp = Path(tempfile.mkdtemp())
    part = tmp / f"finese_{a.split}.csv"
    with open(part, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    db = tmp / "m.duckdb"
    shutil.copy(a.db, db)
    store = Store(str(db))
    rep = import_files(store, "news", [part], preset="finese", data_date="2019-12-31", rejects_dir=tmp)
    from zhaoshang.services.monitoring.nlp.stored import link_imported_news

    text_res = link_imported_news(store, news_ids=[r[0] for r in store.con.execute(
        "SELECT id FROM news WHERE import_id = ?", [rep.import_id]).fetchall()])
    text_of = {}
    for body, eid in store.con.execute(
            "SELECT n.body, m.enterprise_id FROM news n JOIN news_mentions m ON m.news_id = n.id "
            "WHERE n.import_id = ? AND starts_with(m.method, 'text_')", [rep.import_id]).fetchall():
        text_of.setdefault(body, set()).add(eid)
    links = {}
    for body, mention, eid, method in store.con.execute(
            "SELECT n.body, m.mention, m.enterprise_id, m.method FROM news n JOIN news_mentions m ON m.news_id = n.id "
            "WHERE n.import_id = ? AND NOT starts_with(m.method, 'text_')", [rep.import_id]).fetchall():
        links[(body, mention)] = (eid, method)
    ents = {eid: (name, code) for eid, name, code in store.con.execute(
        "SELECT id, name, listed_code FROM enterprises").fetchall()}
    full = {}
    for eid, norm in store.con.execute("SELECT id, name_norm FROM enterprises").fetchall():
        full.setdefault(norm, set()).add(eid)
    subj = [r for r in rows if r["subject"].strip()]
    out = {"rows_with_subject": len(subj), "linked": 0, "ambiguous": 0, "unlinked": 0, "baseline_linked": 0,
           "by_method": {}, "ref_rows": 0, "ref_linked": 0, "ref_agree": 0, "baseline_ref_linked": 0}
    linked_rows = []
    for r in subj:
        s = r["subject"].strip()
        eid, method = links.get((r["text"], s), (None, "missing"))
        if eid is not None:
            out["linked"] += 1
            out["by_method"][method] = out["by_method"].get(method, 0) + 1
            linked_rows.append((hashlib.sha1(r["row_id"].encode()).hexdigest(), r, eid, method))
            out["text_finds_declared"] = out.get("text_finds_declared", 0) + (eid in text_of.get(r["text"], ()))
        elif method == "ambiguous":
            out["ambiguous"] += 1
        else:
            out["unlinked"] += 1
        b = full.get(normalize_name(s), set())
        if len(b) == 1:
            out["baseline_linked"] += 1
        if r["derived_a_share_code"]:
            out["ref_rows"] += 1
            out["baseline_ref_linked"] += len(b) == 1
            if eid is not None:
                out["ref_linked"] += 1
                code = (ents[eid][1] or "")[:6]
                out["ref_agree"] += code == r["derived_a_share_code"][:6]
    out["distinct_subjects"] = len({r["subject"].strip() for r in subj})
    out["distinct_linked"] = len({r["subject"].strip() for _h, r, _e, _m in linked_rows})
    out["text_links"] = {k: v for k, v in text_res.items() if k != "ambiguous_examples"}
    for k, v in out.items():
        print(f"{k}: {v}")
    if a.sample and a.out:
        linked_rows.sort(key=lambda x: x[0])
        with open(a.out, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["row_id", "sha1", "subject", "method", "enterprise_id", "enterprise", "listed_code", "text"])
            for h, r, eid, method in linked_rows[:a.sample]:
                w.writerow([r["row_id"], h[:10], r["subject"], method, eid, ents[eid][0], ents[eid][1], r["text"][:300]])
    store.close()
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
