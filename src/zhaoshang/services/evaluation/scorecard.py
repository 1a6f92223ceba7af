"""The scorecard (企业评估): six dimensions, each 0–100 as percentiles within the enterprise's cohort.

A signal's percentile is taken among the enterprises of its cohort that have the signal: the chain node of its
primary segment (chain.primary.PRIMARY_RANK) × its age band; a cohort smaller than ``min_cohort`` falls back to the node alone,
then to the age band alone, then to every enterprise (the level used is shown). Ties share the mid-rank:
``p = 100 × (#below + ½ #equal) / n``. A dimension is the weighted mean of its present signals, the total the
weighted mean of the present dimensions; missing signals only lower ``confidence`` (the share of the weights
present). The whole population is scored in one SQL pass (``scored_sql``); ``score_all`` stores it.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path
from typing import Any

from ...core.asof import enterprises_as_of, reference_date, roles_after
from ...core.config import ConfigFile
from ...core.errors import UserError, count_en
from ...core.memory import capped, id_ranges
from ...core.explain import Explained, Part, Ref
from ...core.numbers import decimal_text, quantity_text
from ...core.parse.rounds import ROUND_LABELS_EN, ROUND_LABELS_ZH
from ..enterprises import resolve_enterprise
from ..regions.matrix import default_chain
from .live import evidence as live_evidence
from .live import counted_live_rounds, noted_dates, register_live
from .population import GROUPS, RANGE, TEMP, range_rows
from . import cohorts
from .cohorts import stored_ranks_sql, stored_sizes_sql, stored_typical_sql
from .facts import TABLE as FACT_TABLE
from .facts import amount_text, investor_text, signal_facts
from .facts import refs as facts_refs
from .signals import (FUNDING_SOURCES, PATENT_SOURCES, SOURCE_OF, STAGE_SCALE, shared_sql, signals_sql, sources_present,
                      typical_sql)

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "data" / "score_weights.yaml"
DIMENSIONS = ("innovation", "capital", "growth", "influence", "team", "risk")
SIGNALS = ("patents", "invention_share", "patents_recent", "ipc_breadth", "total_raised", "latest_stage",
           "months_since_round", "investor_quality", "investors_n", "months_from_12", "gap_vs_stage", "pace", "rounds_24m", "rounds_total", "patents_growth", "branches_24m",
           "capital_changes_24m", "age_years", "news_12m", "news_tone", "key_people", "serial_founders", "board_ties",
           "negative_events", "abnormal_status")
# The kind of quantity each signal's raw value is (``core.numbers.DIGITS``: the decimals it is shown with), so that
# `zhaoshang score` and the card on the pages print it alike (``raw_text``); latest_stage reads with its round.
QUANTITY = {"patents": "count", "invention_share": "ratio", "patents_recent": "count", "ipc_breadth": "count",
            "total_raised": "amount_wan", "latest_stage": "stage", "months_since_round": "months",
            "investor_quality": "ratio", "investors_n": "count", "months_from_12": "months", "gap_vs_stage": "rate",
            "pace": "rate", "rounds_24m": "count", "rounds_total": "count", "patents_growth": "count",
            "branches_24m": "count", "capital_changes_24m": "count", "age_years": "years", "news_12m": "count",
            "news_tone": "ratio", "key_people": "count", "serial_founders": "count", "board_ties": "count",
            "negative_events": "count", "abnormal_status": "count"}
# The least evidence a total needs (docs/methods.md, "Scorecard", insufficient data): data in at least two
# dimensions, signals carrying at least 10 % of the weights (``confidence``) and data in at least one evidence
# dimension (``EVIDENCE``: innovation, capital, influence, team) — growth and risk alone are what a registry row
# gives (age, status), not a comparable rating. Below it the scorecard has no total (数据不足 / insufficient data):
# its dimensions and signals are still shown, and lists sort it last.
EVIDENCE = ("innovation", "capital", "influence", "team")
MIN_EVIDENCE = {"dimensions": 2, "confidence": 0.10, "evidence": 1}
TIERS = ((0.6, "很可能", "very likely"), (0.4, "可能", "likely"), (0.2, "不确定", "uncertain"), (0.0, "不太可能", "unlikely"))


def load_weights(path: str | Path | None = None) -> dict:
    """The weights file (default: the shipped one), checked: every signal known, on a known dimension."""
    f = ConfigFile.read(path or DEFAULT_WEIGHTS, "权重文件", "weights file")
    w = f.doc
    dims = f.known("dimensions", f.mapping("dimensions"), DIMENSIONS)
    for name, s in f.known("signals", f.mapping("signals"), SIGNALS).items():
        f.mapping(f"signals.{name}", s)
        f.choice(f"signals.{name}.dimension", s.get("dimension"), dims)
        s["weight"] = float(f.number(f"signals.{name}.weight", default=0))
        s["direction"] = -1 if f.number(f"signals.{name}.direction", default=1) < 0 else 1
        f.choice(f"signals.{name}.cohort", s.get("cohort"), (None, "node"))
    for k, d in dims.items():
        f.mapping(f"dimensions.{k}", d)
        d["weight"] = float(f.number(f"dimensions.{k}.weight", default=0))
    w.setdefault("version", f.path.stem)
    w["min_cohort"] = int(f.number("min_cohort", lo=1, integer=True, default=30))
    bands = f.items("age_bands") if "age_bands" in w else [3, 8]
    w["age_bands"] = [float(f.number(f"age_bands[{i}]", x)) for i, x in enumerate(bands)]
    return w


def weight_params(w: dict) -> dict:
    """The settings a score depends on (their fingerprint is the explained result's ``params_hash``)."""
    return {"min_cohort": w["min_cohort"], "age_bands": w["age_bands"],
            "dimensions": {k: v["weight"] for k, v in w["dimensions"].items()},
            "signals": {k: {"dimension": v["dimension"], "weight": v["weight"], "direction": v["direction"],
                            **({"cohort": v["cohort"]} if v.get("cohort") else {})}
                        for k, v in w["signals"].items()}}


def _by_dim(w: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {d: [] for d in DIMENSIONS if d in w["dimensions"]}
    for s, spec in w["signals"].items():
        out[spec["dimension"]].append(s)
    return out


def _ranked(w: dict, present: dict) -> list[tuple[int, str, dict]]:
    """The signals ranked within cohorts (index, name, spec); those absent for everyone are not ranked."""
    return [(i, s, spec) for i, (s, spec) in enumerate(w["signals"].items())
            if not (s in SOURCE_OF and not present.get(SOURCE_OF[s]))]


# Dimensions whose tied values take the top of their rank, not its middle: risk ("higher is safer") is an absence
# of bad facts, so a firm with no negative event and a normal status — tied with most of its cohort — reads 100,
# not ~54 ("average risk"); elsewhere ties share the middle rank.
TOP_TIES = ("risk",)


def rank_sql(i: int, s: str, spec: dict, pairs: str | None = None) -> str:
    """CTE ``r<i>``: the percentile of each (cohort, value) pair of signal ``s`` over the rows of ``k``.

    Ranked on the distinct (cohort, value) pairs, not on the rows: #below = the running count before the
    value, #equal = its count; joined back to the rows by (cohort, value) — no sort of the population.
    Ties count half (#below + ½·#equal), or wholly in a dimension of ``TOP_TIES``.
    ``pairs``: SQL giving those (key, v, c) counts already (``_population_rows`` sums them range by range)."""
    key = "node_key" if spec.get("cohort") == "node" else "cohort_key"
    tie = 1.0 if spec.get("dimension") in TOP_TIES else 0.5
    pairs = pairs or f"""SELECT {key} AS key, {spec['direction']} * {s} AS v, count(*) AS c FROM k
                       WHERE {s} IS NOT NULL GROUP BY ALL"""
    return f"""r{i} AS (SELECT key, v, 100.0 * ((sum(c) OVER (PARTITION BY key ORDER BY v) - c) + {tie} * c)
                        / sum(c) OVER (PARTITION BY key) AS p
                 FROM ({pairs}))"""


# cohort sizes from the (node, age band) group sizes ``nb``: of the node, the band and everyone
SIZES = """nc AS (SELECT *, CAST(sum(n_nb) OVER (PARTITION BY nb_node) AS BIGINT) AS n_n,
              CAST(sum(n_nb) OVER (PARTITION BY nb_band) AS BIGINT) AS n_b, CAST(sum(n_nb) OVER () AS BIGINT) AS n_all FROM nb),"""


def band_sql(store, d: _dt.date, w: dict, *, chain: str | None = None, present: dict | None = None,
             only: int | None = None, ids: tuple[int, int] | None = None, typical: str | None = None,
             shared: str | None = None) -> str:
    """CTEs ``sig`` and ``b``: each enterprise's signals and age band (``only``, ``ids``, ``typical``,
    ``shared``: signals.signals_sql)."""
    b0, b1 = w["age_bands"][:2]
    sig = signals_sql(store, d, chain=chain, present=present, only=only, ids=ids, typical=typical, shared=shared)
    return f"""sig AS ({sig}),
b AS MATERIALIZED (SELECT *, CASE WHEN age_years IS NULL THEN 'unknown' WHEN age_years < {b0} THEN '<{b0:g}'
                     WHEN age_years < {b1} THEN '{b0:g}-{b1:g}' ELSE '>={b1:g}' END AS age_band FROM sig)"""


def levels_sql(w: dict) -> str:
    """CTEs ``c`` and ``k`` over ``n`` (rows with ``node``, ``age_band`` and their cohort sizes): the cohort
    level, the cohort key, the node key and the cohort's size."""
    m = w["min_cohort"]
    return f"""c AS (SELECT *, CASE WHEN n_nb >= {m} THEN 'node+age' WHEN n_n >= {m} THEN 'node' WHEN n_b >= {m} THEN 'age'
                     ELSE 'all' END AS cohort_level FROM n),
k AS MATERIALIZED (SELECT *, CASE cohort_level WHEN 'node+age' THEN coalesce(node, '-') || '|' || age_band
                     WHEN 'node' THEN coalesce(node, '-') WHEN 'age' THEN '|' || age_band ELSE '*' END AS cohort_key,
             CASE WHEN n_n >= {m} THEN coalesce(node, '-') ELSE '*' END AS node_key,
             CASE cohort_level WHEN 'node+age' THEN n_nb WHEN 'node' THEN n_n WHEN 'age' THEN n_b ELSE n_all END AS cohort_n
      FROM c)"""


def cohort_sql(store, d: _dt.date, w: dict, *, chain: str | None = None, present: dict | None = None,
               only: int | None = None, stored: bool = False, tables: dict = cohorts.STORED) -> str:
    """CTEs ``sig`` … ``k``: each enterprise's signals, age band, cohort level, cohort key and size. ``only``:
    one enterprise's row; ``stored``: the cohort sizes of the batch stored for ``d`` (cohorts.py; ``tables``:
    where it is kept — a card ranked over the population also keeps its ``shared`` signals there), not counted."""
    present = present if present is not None else sources_present(store, d)
    shared = f"SELECT * FROM {tables['shared']}" if stored and "shared" in tables else None
    bands = band_sql(store, d, w, chain=chain, present=present, only=only,
                     typical=stored_typical_sql(d, tables) if stored else None, shared=shared)
    if stored:
        counts = f"nc AS ({stored_sizes_sql(d, tables)}),"
    else:
        counts = f"""-- cohort sizes counted on the (node, age band) groups and joined back
nb AS (SELECT coalesce(node, '-') AS nb_node, age_band AS nb_band, count(*) AS n_nb FROM b GROUP BY ALL),
{SIZES}"""
    return f"""{bands},
{counts}
n AS (SELECT b.*, nc.n_nb, nc.n_n, nc.n_b, nc.n_all FROM b JOIN nc ON nc.nb_node = coalesce(b.node, '-') AND nc.nb_band = b.age_band),
{levels_sql(w)}"""


def scored_sql(store, d: _dt.date, w: dict, *, chain: str | None = None, present: dict | None = None,
               only: int | None = None, stored: bool = False, base: str | None = None,
               tables: dict = cohorts.STORED) -> str:
    """SQL: every enterprise existing at ``d`` with its signals, percentiles (``p_<signal>``), dimension
    scores (``d_<dimension>``, ``cov_<dimension>``), ``total``, ``confidence`` and cohort.

    ``only``: one enterprise's row. ``stored``: cohort sizes and percentiles read from the batch ``score all``
    stored for ``d`` (cohorts.py) — one scorecard then reads its own facts only, with the same numbers.
    ``base``: a table already holding the cohort rows (``k``) of the population; ``tables``: where the batch
    read with ``stored`` is kept (``_population_rows`` keeps one card's in temporary tables)."""
    present = present if present is not None else sources_present(store, d)
    ctes = f"k AS (SELECT * FROM {base})" if base else cohort_sql(store, d, w, chain=chain, present=present,
                                                                 only=only, stored=stored, tables=tables)
    pcts, ranks, joins = [], [], []
    ranked = {i for i, _, _ in _ranked(w, present)}
    for i, (s, spec) in enumerate(w["signals"].items()):
        if i not in ranked:  # absent for everyone: nothing to rank
            pcts.append(f"NULL::DOUBLE AS p_{s}")
            continue
        key = "node_key" if spec.get("cohort") == "node" else "cohort_key"
        ranks.append(f"r{i} AS ({stored_ranks_sql(d, s, tables)})" if stored else rank_sql(i, s, spec))
        joins.append(f"LEFT JOIN r{i} ON r{i}.key = k.{key} AND r{i}.v = {spec['direction']} * k.{s}")
        pcts.append(f"r{i}.p AS p_{s}")
    dims, covs, tot_num, tot_den, conf, n_dims, n_ev = [], [], [], [], [], [], []
    for dim, names in _by_dim(w).items():
        ws = {s: w["signals"][s]["weight"] for s in names}
        full = sum(ws.values())
        if not names or full <= 0:
            dims.append(f"NULL::DOUBLE AS d_{dim}")
            covs.append(f"0.0 AS cov_{dim}")
            continue
        num = " + ".join(f"{ws[s]} * coalesce(p_{s}, 0)" for s in names)
        den = " + ".join(f"{ws[s]} * (p_{s} IS NOT NULL)::INT" for s in names)
        dims.append(f"({num}) / nullif({den}, 0) AS d_{dim}")
        covs.append(f"({den}) / {full} AS cov_{dim}")
        W = w["dimensions"][dim]["weight"]
        if W > 0:
            tot_num.append(f"{W} * coalesce(d_{dim}, 0)")
            tot_den.append(f"{W} * (d_{dim} IS NOT NULL)::INT")
            n_dims.append(f"(d_{dim} IS NOT NULL)::INT")
            if dim in EVIDENCE:
                n_ev.append(f"(d_{dim} IS NOT NULL)::INT")
            conf.append(f"{W} * cov_{dim}")
    wsum = sum(v["weight"] for k, v in w["dimensions"].items() if _by_dim(w).get(k)) or 1.0
    # weights that weigh no evidence dimension at all ask for none (every total would otherwise be refused)
    need_ev = MIN_EVIDENCE["evidence"] if n_ev else 0
    return f"""
WITH {ctes},
{''.join(r + ',' + chr(10) for r in ranks)}p AS (SELECT k.*, {', '.join(pcts)} FROM k {' '.join(joins)}),
dd AS (SELECT *, {', '.join(dims)}, {', '.join(covs)} FROM p)
-- a total only on the least evidence (MIN_EVIDENCE): otherwise insufficient data, no total
SELECT * REPLACE (CASE WHEN n_dims >= {MIN_EVIDENCE['dimensions']} AND confidence >= {MIN_EVIDENCE['confidence']}
                            AND n_evidence >= {need_ev} THEN total END AS total)
FROM (SELECT *, ({' + '.join(tot_num) or '0'}) / nullif({' + '.join(tot_den) or '0'}, 0) AS total,
             ({' + '.join(conf) or '0'}) / {wsum} AS confidence, {' + '.join(n_dims) or '0'} AS n_dims,
             {' + '.join(n_ev) or '0'} AS n_evidence
      FROM dd)"""


def tier(prob: float | None) -> dict | None:
    """The tier of a calibrated probability (很可能 ≥ 0.6 > 可能 ≥ 0.4 > 不确定 ≥ 0.2 > 不太可能)."""
    if prob is None:
        return None
    for lo, zh, en in TIERS:
        if prob >= lo:
            return {"zh": zh, "en": en}
    return None


def calibrated(total: float | None, calibration: dict | None) -> float | None:
    """A score's probability through the weights file's calibration (a logistic curve fitted on past data)."""
    if total is None or not calibration:
        return None
    z = calibration["a"] + calibration["b"] * total
    return 1.0 / (1.0 + math.exp(-z))


def raw_text(signal: str, raw: Any, lang: str = "zh") -> str | None:
    """A signal's raw value as a person reads it, one rule for the CLI's table and the card on the pages: its kind's
    decimals (``QUANTITY``, ``core.numbers.DIGITS``: total raised 202,261.1 万元, months 10.1, investor quality 0.689);
    a latest-round stage with the round it stands for on the scale (6（E轮） / 6 (Series E)); None when missing."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    kind = QUANTITY.get(signal, "ratio")
    if kind != "stage":
        return quantity_text(raw, kind)
    key = STAGE_SCALE.get(float(raw))
    if key is None:
        return decimal_text(raw, 1)
    return (f"{decimal_text(raw, 1)} ({ROUND_LABELS_EN[key]})" if lang == "en"
            else f"{decimal_text(raw, 1)}（{ROUND_LABELS_ZH[key]}）")


def _doc(row: dict, w: dict, d: _dt.date, name: str | None, lang: str = "zh", live: dict | None = None,
         present: dict | None = None, facts: dict | None = None) -> dict:
    """The scorecard of one scored row: total and dimensions, each an explained list of contributions; ``live``
    names the live events behind each signal (signal → event keys); ``present``: which kinds of source hold data by
    the date (signals.sources_present) — a signal of a kind none does is not covered; ``facts``: the rows each signal
    read (facts.signal_facts), named in each part's evidence — investor quality with its investor's record, total
    raised with its disclosed and estimated amounts apart."""
    live = live or {}
    lab = "en" if lang == "en" else "zh"
    present_dims = {k: v["weight"] for k, v in w["dimensions"].items()
                    if v["weight"] > 0 and row.get(f"d_{k}") is not None}
    wsum = sum(present_dims.values())
    total_parts, dims, missing, not_covered = [], {}, [], []
    # no funding source covers this enterprise: its funding signals are unknown, not a known "none found"
    uncovered = row.get("funding_covered") is False
    # likewise patents: no patent source covers it
    uncovered_p = row.get("patent_covered") is False
    for dim, names in _by_dim(w).items():
        ws = {s: w["signals"][s]["weight"] for s in names}
        den = sum(ws[s] for s in names if row.get(f"p_{s}") is not None)
        parts = []
        for s in names:
            spec = w["signals"][s]
            pct = row.get(f"p_{s}")
            # no source of its kind imported at all by the date (the store's news, risk, funding … sources): not
            # covered either, whichever the enterprise — never a known 0 (negative events without a news or risk source)
            none_imported = present is not None and s in SOURCE_OF and not present.get(SOURCE_OF[s])
            nc = none_imported or (uncovered and SOURCE_OF.get(s) in FUNDING_SOURCES) or (
                uncovered_p and SOURCE_OF.get(s) in PATENT_SOURCES)
            if pct is None:
                missing.append(s)
                if nc:
                    not_covered.append(s)
            share = ws[s] / den if pct is not None and den else 0.0
            raw = row.get(s)
            # the rows it read; none for a signal no source of its kind covers (nothing was read)
            ev = None if facts is None else [] if pct is None and nc else facts_refs(facts, s, lab, live.get(s))
            parts.append(Part(signal=s, label=spec.get(lab) or s, raw=round(raw, 4) if isinstance(raw, float) else raw,
                              normalised=None if pct is None else round(pct, 2), weight=round(share, 4),
                              contribution=None if pct is None else round(share * pct, 2),
                              detail={"missing": pct is None, "direction": spec["direction"], "nominal_weight": ws[s],
                                      # the raw value as the CLI's table and the card print it (raw_text)
                                      "raw_text": raw_text(s, raw, lab),
                                      # which kind of source covers it not: patents or fundings
                                      **({"not_covered": True, "not_covered_by": SOURCE_OF[s] if none_imported
                                          else "patents" if SOURCE_OF.get(s) in PATENT_SOURCES else "fundings",
                                          **({"none_imported": True} if none_imported else {})}
                                         if pct is None and nc else {}),
                                      **({"live_events": live[s]} if live.get(s) else {}),
                                      **_fact_detail(facts, s, raw, lab)},
                              evidence=ev))
            if pct is not None and dim in present_dims:
                eff = present_dims[dim] / wsum * share
                # the signal's weight in the total and what it adds to it (the dimension's share × its own): the
                # profile and the lead page show both beside its weight and contribution within the dimension
                parts[-1].detail.update(total_weight=round(eff, 4), total_contribution=round(eff * pct, 2))
                total_parts.append(Part(signal=f"{dim}.{s}", label=spec.get(lab) or s, raw=parts[-1].raw,
                                        normalised=round(pct, 2), weight=round(eff, 4), contribution=round(eff * pct, 2),
                                        detail={k: v for k, v in parts[-1].detail.items()
                                                if k in ("investor", "investor_text", "amounts", "amount_note")} or None,
                                        evidence=ev))
        score = row.get(f"d_{dim}")
        dims[dim] = {"label": w["dimensions"][dim].get(lab) or dim, "weight": w["dimensions"][dim]["weight"],
                     # its share of the total: the weight over the present dimensions' (the shares add up to 1)
                     "share": round(present_dims[dim] / wsum, 4) if dim in present_dims and wsum else None,
                     "score": None if score is None else round(score, 1), "absent": score is None,
                     "coverage": round(row.get(f"cov_{dim}") or 0.0, 3),
                     "contributions": [p.to_json() for p in parts]}
    no_data = [k for k, v in dims.items() if v["absent"] and v["weight"] > 0]
    total = row.get("total")
    prob = calibrated(total, w.get("calibration"))
    params = {**weight_params(w), "as_of": d.isoformat()}
    ex = Explained(value=None if total is None else round(total, 1), method="scorecard", version=str(w["version"]),
                   params=params, parts=total_parts, confidence=round(row.get("confidence") or 0.0, 3), as_of=d,
                   evidence=[Ref("fundings", ids=_union(facts, "fundings"),
                                 where={"enterprise_id": row["enterprise_id"], "date_lte": d.isoformat()},
                                 note=_funding_note(row, lang)),
                             Ref("patent_applicants", where={"enterprise_id": row["enterprise_id"]},
                                 note=_patent_note(row, lang))]
                   + _other_refs(facts, row["enterprise_id"], d)
                   + ([Ref("monitor_events", ids=sorted({k for v in live.values() for k in v}))] if live else []),
                   formula="total = Σ_dim W_dim·score_dim / Σ_present W_dim; score_dim = Σ w_s·percentile_s / Σ_present w_s")
    insufficient = total is None
    cohort = {"level": row["cohort_level"], "node": row.get("node"), "age_band": row["age_band"], "n": row["cohort_n"]}
    return {"enterprise_id": row["enterprise_id"], "name": name, "as_of": d, "total": ex.value,
            "confidence": ex.confidence, "method": ex.method, "version": ex.version,
            # no total: below the least evidence (MIN_EVIDENCE), 数据不足 / insufficient data
            "insufficient": insufficient,
            "cohort": {**cohort, "label": cohort_label(cohort, lang)},
            "dimensions": dims, "missing": missing, "not_covered": not_covered,
            # how the total treats the dimensions without data: left out of its weighted mean (never read as 50 or 0)
            "total_basis": {"rule": "present_dimensions", "dimensions": [k for k in dims if k in present_dims],
                            "no_data": no_data, "min_evidence": {**MIN_EVIDENCE, "evidence_dimensions": list(EVIDENCE)},
                            "note": (insufficient_note(
                                         len(present_dims), ex.confidence, lang,
                                         present=[dims[k]["label"] for k in present_dims],
                                         evidence=_no_evidence(dims, present_dims))
                                     if insufficient else total_note([dims[k]["label"] for k in no_data], lang))},
            "funding_coverage": _coverage(row.get("funding_covered")),
            "patent_coverage": _coverage(row.get("patent_covered")),
            "probability": None if prob is None else round(prob, 3),
            "tier": tier(prob), "explained": ex}


def _fact_detail(facts: dict | None, s: str, raw, lang: str) -> dict:
    """What a signal's facts add to its detail: investor quality's investor and its record (``investor``, in words
    ``investor_text``); total raised's disclosed and estimated amounts apart (``amounts``; ``amount_note`` 含估算 …
    when it holds range estimates)."""
    if not facts:
        return {}
    if s == "investor_quality" and raw is not None and facts.get("investor"):
        return {"investor": facts["investor"], "investor_text": investor_text(facts["investor"], lang)}
    if s == "total_raised" and raw is not None and facts.get("amounts"):
        note = amount_text(facts["amounts"], lang)
        return {"amounts": facts["amounts"], **({"amount_note": note} if note else {})}
    return {}


def _union(facts: dict | None, table: str) -> list | None:
    """The ids of ``table`` every signal's facts name together (None without facts)."""
    if facts is None:
        return None
    ids = {i for kind, t in FACT_TABLE.items() if t == table for i in facts.get(kind) or [] if not isinstance(i, str)}
    return sorted(ids)


def _other_refs(facts: dict | None, eid: int, d: _dt.date) -> list[Ref]:
    """The card's evidence beyond fundings and patent applicants: every other table its signals read, with ids."""
    if facts is None:
        return []
    out = [Ref("patents", ids=_union(facts, "patents"), where={"enterprise_id": eid, "applied_lte": d.isoformat()})]
    for table in ("investors", "branches", "news", "roles", "events", "enterprises"):
        ids = _union(facts, table)
        if ids:
            out.append(Ref(table, ids=ids))
    changes = {k: facts.get(k) for k in ("capital_changes_24m", "status_changes") if facts.get(k)}
    if changes:
        out.append(Ref("enterprise_history", where={"enterprise_id": eid, **{
            ("capital_wan" if k == "capital_changes_24m" else "status"): v for k, v in changes.items()}}))
    return out


def _no_evidence(dims: dict, present_dims: dict) -> list[str]:
    """The labels of the weighted evidence dimensions (``EVIDENCE``) when none of them has data, else []."""
    ev = [k for k in EVIDENCE if k in dims and dims[k]["weight"] > 0
          and sum(c["detail"]["nominal_weight"] for c in dims[k]["contributions"]) > 0]  # as scored_sql counts them
    return [] if any(k in present_dims for k in ev) else [dims[k]["label"] for k in ev]


def insufficient_note(n_dims: int, confidence: float, lang: str = "zh", *, present: list[str] | None = None,
                      evidence: list[str] | None = None) -> str:
    """Why a scorecard has no total: below the least evidence (MIN_EVIDENCE), each unmet condition in words.
    ``present``: the labels of the dimensions with data; ``evidence``: those of the evidence dimensions (``EVIDENCE``)
    without data — when every one of them lacks data, the card rests on registry basics (age, status) only."""
    need, conf = MIN_EVIDENCE["dimensions"], MIN_EVIDENCE["confidence"]
    en = lang == "en"
    present, evidence = present or [], evidence or []
    # no evidence dimension has data (``evidence`` names them all): only what a registry row gives
    why = []
    if evidence and present:
        why.append(f"only {', '.join(present)} {'has' if len(present) == 1 else 'have'} data, none of "
                   f"{', '.join(evidence)} (a total needs data in at least one of them: basics such as the founding "
                   "date and the registry status do not make a comparable score)" if en else
                   f"只有{'、'.join(present)}有数据，{'、'.join(evidence)}均无数据（总分至少需要其中一个维度有数据："
                   "成立年限、登记状态等基本信息不足以比较）")
    if n_dims < need:
        why.append(f"data in {n_dims} of the dimensions (a total needs at least {need})" if en else
                   f"有数据的维度 {n_dims} 个（至少需要 {need} 个）")
    if confidence < conf or not why:  # (the last: a confidence at the bound, rounded)
        why.append(f"confidence {confidence:g} (a total needs at least {conf:g})" if en else
                   f"置信度 {confidence:g}（至少需要 {conf:g}）")
    if en:
        return f"Insufficient data: no total — {'; '.join(why)}; not comparable, sorted after the scored enterprises"
    return f"数据不足：不给总分——{'；'.join(why)}；不可比较，排序时排在已评分企业之后"


def cohort_label(cohort: dict, lang: str = "zh") -> str:
    """The comparison group in plain words: which enterprises the percentiles were taken among, and how many."""
    level, node, band, n = cohort.get("level") or "all", cohort.get("node"), cohort.get("age_band"), cohort.get("n")
    en = lang == "en"
    seg = (f"on segment {node}" if en else f"环节 {node}") if node else ("with no segment" if en else "未定位环节")
    if band == "unknown" or not band:
        age = "of unknown founding date" if en else "成立日期未知"
    else:
        b = band.replace(">=", "≥").replace("-", "–")
        age = f"founded {b} years ago" if en else f"成立 {b} 年"
    parts = {"node+age": [seg, age], "node": [seg], "age": [age]}.get(level)
    if not parts:
        return f"all {n:,} enterprises existing at the date" if en else f"截至该日存续的全部 {n:,} 家企业"
    if en:
        return f"the {n:,} enterprises {' '.join(parts)}"
    head = "、".join(parts)
    # a space between a code and the Chinese after it, as before a number (环节 M05 的 124 家企业, 成立 3–5 年的 …)
    return f"{head}{' ' if head[-1:].isascii() else ''}的 {n:,} 家企业"


def total_note(no_data_labels: list[str], lang: str = "zh") -> str | None:
    """What the total says of the dimensions with no data (None when every dimension has data)."""
    if not no_data_labels:
        return None
    if lang == "en":
        return (f"No data: {', '.join(no_data_labels)} — left out of the total, which weighs only the dimensions "
                "with data (not counted as 50 or 0); they lower the confidence only")
    return f"缺数据：{'、'.join(no_data_labels)}——不计入总分（总分只按有数据的维度加权，不按 50 分或 0 分计），只降低置信度"


def _funding_note(row: dict, lang: str) -> str | None:
    """What the fundings evidence says: no funding source covers the enterprise (its funding signals unknown),
    or a source covers it and holds no round by the date (a known none) — never the one read as the other."""
    if row.get("funding_covered") is False:
        return ("no imported funding source lists this enterprise: funding unknown (not covered), not 0"
                if lang == "en" else "导入的融资来源均未覆盖该企业：融资情况未知（未覆盖），不按 0 计")
    if row.get("funding_covered") and not row.get("rounds_before"):
        return ("covered by an imported funding source: no round found by the date"
                if lang == "en" else "导入的融资来源覆盖该企业：截至该日未见融资")
    return None


def _coverage(covered: bool | None) -> str | None:
    """A kind of source's coverage of the enterprise: covered, not_covered, or None (no such source holds data)."""
    return None if covered is None else "covered" if covered else "not_covered"


def _patent_note(row: dict, lang: str) -> str | None:
    """What the patents evidence says when no patent source covers the enterprise (its patent signals unknown)."""
    if row.get("patent_covered") is False:
        return ("no imported patent source lists this enterprise: patents unknown (not covered), not 0"
                if lang == "en" else "导入的专利来源均未覆盖该企业：专利情况未知（未覆盖），不按 0 计")
    return None


def _rows(store, sql: str, params: list | None = None) -> list[dict]:
    cur = store.con.execute(sql, params or [])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _population_rows(store, d: _dt.date, w: dict, *, chain: str, present: dict, eid: int,
              per: int | None = None) -> list[dict]:
    """The scored row of enterprise ``eid`` (as ``scorecard.scored_sql`` gives it), its cohorts ranked over
    every enterprise existing at ``d``, ``per`` enterprises at a time (default: ``population.range_rows()``).
    What every range reads from everyone's facts (typical gaps, investors' records, people's other
    enterprises) is computed once first, narrow: one row per round type or per enterprise having any."""
    con = store.con
    D = f"DATE '{d.isoformat()}'"
    ranked = _ranked(w, present)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {TEMP['typical']} AS "
                    f"SELECT {D} AS as_of, round, typ_gap FROM ({typical_sql(store, d)})")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {TEMP['shared']} AS {shared_sql(store, d)}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {GROUPS} (nb_node VARCHAR, nb_band VARCHAR, signal VARCHAR, "
                    "v DOUBLE, c BIGINT)")
        own = None  # the enterprise's (node, age band)
        counts = " UNION ALL ".join(
            [f"SELECT node, age_band, '' AS signal, NULL::DOUBLE AS v FROM {RANGE}"]
            + [f"SELECT node, age_band, '{s}', ({spec['direction']} * {s})::DOUBLE FROM {RANGE} WHERE {s} IS NOT NULL"
               for _, s, spec in ranked])
        cols = "".join(f", {s}" for _, s, _ in ranked)  # what the counts read: no column is computed for nothing
        for lo, hi in id_ranges(con, "enterprises", per or range_rows()):
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {RANGE} AS WITH {band_sql(
                store, d, w, chain=chain, present=present, ids=(lo, hi),
                typical=f"SELECT round, typ_gap FROM {TEMP['typical']}", shared=f"SELECT * FROM {TEMP['shared']}")}
                SELECT enterprise_id, coalesce(node, '-') AS node, age_band{cols} FROM b""")
            con.execute(f"INSERT INTO {GROUPS} SELECT node, age_band, signal, v, count(*) FROM ({counts}) GROUP BY ALL")
            if lo <= eid <= hi:
                own = con.execute(f"SELECT node, age_band FROM {RANGE} WHERE enterprise_id = ?", [eid]).fetchone()
            con.execute(f"DROP TABLE {RANGE}")
        if own is None:  # not existing at the date
            return []
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {TEMP['cohorts']} AS
            WITH nb AS (SELECT nb_node, nb_band, CAST(sum(c) AS BIGINT) AS n_nb FROM {GROUPS} WHERE signal = ''
                        GROUP BY ALL),
            {SIZES.rstrip(',')}
            SELECT {D} AS as_of, nb_node, nb_band, n_nb, n_n, n_b, n_all FROM nc""")
        # the cohort levels and keys of the (node, age band) groups; the counts of the groups in the enterprise's
        # own cohort (and node cohort) — read once from the per-value counts — summed per value, then ranked
        ranks = [rank_sql(i, s, spec, pairs=f"""SELECT {key} AS key, v, CAST(sum(c) AS BIGINT) AS c FROM mine
                          WHERE signal = '{s}' AND {key} = (SELECT {key} FROM own) GROUP BY ALL""")
                 for i, s, spec in ranked
                 for key in ["node_key" if spec.get("cohort") == "node" else "cohort_key"]]
        union = " UNION ALL ".join(f"SELECT {D} AS as_of, '{s}' AS signal, key, v, p FROM r{i}" for i, s, _ in ranked)
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {TEMP['ranks']} AS
            WITH n AS (SELECT nb_node AS node, nb_band AS age_band, n_nb, n_n, n_b, n_all FROM {TEMP['cohorts']}),
            {levels_sql(w)},
            own AS (SELECT cohort_key, node_key FROM k WHERE node = ? AND age_band = ?),
            mine AS MATERIALIZED (SELECT g.signal, g.v, g.c, k.cohort_key, k.node_key FROM {GROUPS} g
                    JOIN k ON k.node = g.nb_node AND k.age_band = g.nb_band
                    WHERE k.cohort_key = (SELECT cohort_key FROM own) OR k.node_key = (SELECT node_key FROM own))
            {''.join(',' + chr(10) + r for r in ranks)}
            {union or f"SELECT {D} AS as_of, '' AS signal, '' AS key, 0.0 AS v, 0.0 AS p WHERE FALSE"}""",
                    list(own))
        return _rows(store, scored_sql(store, d, w, chain=chain, present=present, only=eid, stored=True,
                                       tables=TEMP))
    finally:
        for t in (RANGE, GROUPS, *TEMP.values()):
            con.execute(f"DROP TABLE IF EXISTS {t}")


def score_enterprise(store, key: Any, *, as_of: Any = None, weights: str | Path | None = None,
                     chain: str | None = None, lang: str = "zh", team=None) -> dict:
    """One enterprise's scorecard as of a date (its cohort is scored with it, in the same pass). With ``team``
    the live events of the team state count too, each named in the evidence of the signals it fed."""
    eid = resolve_enterprise(store, key)
    d = reference_date(store, as_of)
    w = load_weights(weights)
    registered = register_live(store, team) if team is not None else []
    live = live_evidence(registered, eid, d, counted_live_rounds(store, eid, d)) if team is not None else None
    present = sources_present(store, d)
    chain = chain or default_chain(store)
    rows, ranked = [], "population"
    # a batch stored by `score all` for this date, weights and data: its cohorts and percentiles, read not ranked
    if not registered and cohorts.usable(store, d, weight_params(w), chain):
        rows = _rows(store, scored_sql(store, d, w, chain=chain, present=present, only=eid, stored=True))
        if rows and all(rows[0][f"p_{s}"] is not None or rows[0][s] is None for _, s, _ in _ranked(w, present)):
            ranked = "stored"
        else:  # its (cohort, value) pair is not among the stored ones: rank the population after all
            rows = []
    if not rows:  # the population ranked range by range, under the batch memory cap (sizes: population.py)
        rows = _population_rows(store, d, w, chain=chain, present=present, eid=eid)
    name = name_on(store, eid, d)
    if not rows:
        raise _not_scored(store, eid, name, d)
    doc = _doc(rows[0], w, d, name, lang, live, present, signal_facts(store, d, eid, present))
    doc["cohort"]["ranked"] = ranked
    doc["date_notes"] = date_notes(store, d, lang, w, [r for r in registered if r["enterprise_id"] == eid])
    _team_after(store, doc, eid, d, lang)
    return doc


def _team_after(store, doc: dict, eid: int, d: _dt.date, lang: str) -> None:
    """Team signals missing on ``d`` while the enterprise has roles that count only later (``asof.roles_after``; a
    people list imported without a data date counts from the import day): not "no data" — each such signal carries
    ``after_as_of`` ({count, first}), the total's note names the dimension so, and a date note gives the date that
    counts them, as the live events after the as-of date are said."""
    missing = [c for dim in doc["dimensions"].values() for c in dim["contributions"]
               if c["detail"]["missing"] and SOURCE_OF.get(c["signal"]) == "roles"]
    later = roles_after(store, eid, d) if missing else None
    if not later:
        return
    for c in missing:  # not "not covered" either: the source is imported, its rows dated later
        for k in ("not_covered", "not_covered_by", "none_imported"):
            c["detail"].pop(k, None)
        c["detail"]["after_as_of"] = later
    doc["not_covered"] = [x for x in doc["not_covered"] if SOURCE_OF.get(x) != "roles"]
    n, first = later["count"], later["first"]
    doc["date_notes"].append({"kind": "roles_after", **later, "as_of": first, "note": (
        f"{count_en(n, 'role')} of its people {'is' if n == 1 else 'are'} dated after the as-of date {d} (from {first}) "
        f"and not counted in the team signals; as of {first} {'it is' if n == 1 else 'they are'} counted" if lang == "en"
        else f"{n} 条任职晚于截至日期 {d}（{first} 起），未计入团队信号；截至 {first} 可计入")})
    basis = doc["total_basis"]
    if not doc["insufficient"] and basis.get("no_data"):
        after = {k for k, v in doc["dimensions"].items() if v["absent"]
                 and any(c["detail"].get("after_as_of") for c in v["contributions"])}
        basis["note"] = total_note([doc["dimensions"][k]["label"] + (
            (" (roles dated after the as-of date only)" if lang == "en" else "（任职均晚于截至日期）") if k in after else "")
            for k in basis["no_data"]], lang)


def name_on(store, eid: int, d: _dt.date) -> str:
    """The enterprise's name on ``d`` (the as-of service: a later rename is not yet its name), as ``show`` gives it."""
    return store.con.execute(f"SELECT e.name FROM {enterprises_as_of(d, store, fields=['name'], existing=False)} e "
                             "WHERE e.id = ?", [eid]).fetchone()[0]


def _not_scored(store, eid: int, name: str, d: _dt.date) -> UserError:
    """Why an enterprise has no scorecard on ``d``: founded later (from when it may be scored) or ended before
    (its date and status, and the day before as a date that may be scored)."""
    founded, ended, status = store.con.execute("SELECT founded, dissolved, status FROM enterprises WHERE id = ?",
                                               [eid]).fetchone()
    if founded is not None and founded > d:
        return UserError(f"{name} 于 {founded} 成立，在 {d} 尚未成立，无法评估；可评估 {founded} 及以后的日期",
                         f"{name} was founded on {founded}: it did not exist yet on {d}, no scorecard; "
                         f"score it as of {founded} or later")
    if ended is not None and ended <= d:
        how = status if status in ("注销", "吊销", "撤销") else "注销"
        how_en = {"吊销": "revoked", "撤销": "cancelled"}.get(how, "deregistered")
        before = ended - _dt.timedelta(days=1)
        zh, en = (f"{name} 已于 {ended} {how}，在 {d} 无法评估；可评估更早的日期，如",
                  f"{name} was {how_en} on {ended} ({how}): no scorecard on {d}; score it as of an earlier date, e.g.")
        # a page says the date, not the command's option (and links it): the sentence up to it, and the date
        return UserError(f"{zh} --as-of {before}", f"{en} --as-of {before}",
                         earlier={"date": before, "zh": f"{zh}截至 ", "en": f"{en} as of "})
    return UserError(f"{name} 在 {d} 不在可评估的企业之中，无法评估", f"{name} is not among the enterprises scored on {d}")


def date_notes(store, d: _dt.date, lang: str = "zh", w: dict | None = None, live: list[dict] | None = None) -> list[dict]:
    """What the as-of date means for this scorecard: a date after the data's latest date (``after_data``) reads facts
    that end there — later fundings, news and events are not imported, so recency signals decay by the calendar
    alone, not by anything the enterprise did; learned weights (``w``) fitted as of a later date (``look_ahead``)
    were learned on outcomes after ``d`` — the backtest never does that, one card says it does. ``live``: the live
    events the card counts (``register_live``'s rows): those after ``d`` are said, with the date that counts them."""
    from ...core import asof

    out = asof.date_notes(store, d, lang, noted_dates(store, live or []))
    fitted = str(((w or {}).get("fitted") or {}).get("as_of") or "")
    if fitted and d.isoformat() < fitted:
        out.append({"kind": "look_ahead", "trained_as_of": fitted, "note": (
            f"Look-ahead: these weights ({w['version']}) were learned on outcomes up to {fitted}, after the as-of date "
            f"{d}; the score and its probability use what happened later (for a fair view of {d}, fit weights as of "
            f"{d}: zhaoshang score fit --as-of {d})" if lang == "en" else
            f"前视偏差：该权重（{w['version']}）是用截至 {fitted} 的结果学习的，晚于截至日期 {d}；评分与再融资可能性用到了此后才发生的事"
            f"（要公平地看 {d}，请用截至该日学习的权重：zhaoshang score fit --as-of {d}）")})
    return out


SCORES_DDL = """CREATE TABLE IF NOT EXISTS scores (
    enterprise_id BIGINT NOT NULL, as_of DATE NOT NULL, total DOUBLE, confidence DOUBLE,
    innovation DOUBLE, capital DOUBLE, growth DOUBLE, influence DOUBLE, team DOUBLE, risk DOUBLE,
    probability DOUBLE, node VARCHAR, cohort_level VARCHAR, cohort_n BIGINT,
    weights_version VARCHAR, params_hash VARCHAR, scored_at TIMESTAMP)"""


def score_all(store, *, as_of: Any = None, weights: str | Path | None = None, chain: str | None = None,
              lang: str = "zh") -> dict:
    """Score every enterprise existing at the date in one set-based pass and store the result in ``scores``
    (replacing that date's earlier batch), so lists can sort and filter by score. The pass holds at most the
    batch memory cap (``ZHAOSHANG_BATCH_MEMORY``, core/memory.py). ``date_notes``: what the date means for the
    batch, as for one scorecard (a date after the data's end, weights learned later)."""
    with capped(store.con):
        return _score_all(store, as_of, weights, chain, lang)


def _score_all(store, as_of, weights, chain, lang) -> dict:
    d = reference_date(store, as_of)
    w = load_weights(weights)
    ex = Explained(value=None, method="scorecard", version=str(w["version"]), params=weight_params(w))
    cal = w.get("calibration")
    prob = f"1 / (1 + exp(-({cal['a']} + {cal['b']} * total)))" if cal else "NULL"
    dims = ", ".join(f"d_{k}" if k in w["dimensions"] else "NULL" for k in DIMENSIONS)
    present = sources_present(store, d)
    chain = chain or default_chain(store)
    with store.transaction() as con:
        con.execute(SCORES_DDL)
        con.execute("DELETE FROM scores WHERE as_of = ?", [d])
        # the population's cohorts and percentiles are stored first (one scorecard reads them later), then
        # every enterprise is scored from them
        cohorts.store_batch(store, d, cohort_sql(store, d, w, chain=chain, present=present),
                            [(s, rank_sql(i, s, spec)) for i, s, spec in _ranked(w, present)], weight_params(w), chain,
                            typical_sql(store, d))
        con.execute(f"""INSERT INTO scores SELECT enterprise_id, DATE '{d.isoformat()}', total, confidence, {dims},
                        {prob}, node, cohort_level, cohort_n, ?, ?, now()::TIMESTAMP
                        FROM ({scored_sql(store, d, w, present=present, stored=True, base=cohorts.WORK)})""",
                    [str(w["version"]), ex.params_hash])
        cohorts.drop_work(store)
        n, totals, avg, conf = con.execute("SELECT count(*), count(total), avg(total), avg(confidence) FROM scores "
                                           "WHERE as_of = ?", [d]).fetchone()
    # "insufficient": scorecards without a total (below MIN_EVIDENCE); the mean total is over the others
    return {"as_of": d, "scored": n, "insufficient": n - totals, "mean_total": None if avg is None else round(avg, 2),
            "mean_confidence": None if conf is None else round(conf, 3), "version": str(w["version"]),
            "params_hash": ex.params_hash, "sources": sources_present(store, d), "date_notes": date_notes(store, d, lang, w)}
