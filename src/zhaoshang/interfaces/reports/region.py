"""The region report: ``services.region_profile.region_profile`` rendered as HTML, PDF or XLSX.

The tables of the HTML/PDF report and the sheets of the workbook are built from the same column lists
(``TABLES``), so every number in the report is the number of the JSON twin (/api/region-profile/{code}).
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ...core.errors import UserError, count_en
from ...core.parse.dates import format_date
from ...core.event_titles import money_en
from ...core.writers import publish
from ..templating import compiled_templates
from ..labels import (COLUMNS, PCI_AMONG, amount_parts, fixed, label, lq_text, measure_text, number_text, pct_text, report_column,
                      segments_beyond_text)
from . import charts

HERE = Path(__file__).parent
REPORT_SUFFIXES = (".pdf", ".xlsx", ".html")

# column: (key, zh, en, kind) — kind: text | int | num (at most two decimals) | pct | lq (an LQ, see labels.lq_text) | dec (2 decimals)
# | wan | yi | date | status | label. The headers are labels.py's (``report_column``): the region page, the report,
# the workbook and the CLI's tables of the same keys say the same words.
Col = tuple[str, str, str, str]


def report_cols(name: str, spec: list[tuple[str, str]]) -> list[Col]:
    """The columns of the report's table ``name`` from its (key, kind) pairs, headed by ``labels.report_column``."""
    return [(k, *report_column(name, k), kind) for k, kind in spec]


TABLES: dict[str, list[Col]] = {name: report_cols(name, spec) for name, spec in {
    "leads": [("rank", "int"), ("name", "text"), ("segment_name", "text"), ("score", "dec"), ("reasons_text", "text")],
    "chain": [("stage_name", "text"), ("name_zh", "text"), ("count", "int"), ("national_count", "int"), ("share", "pct"),
              ("region_mix", "pct"), ("national_mix", "pct"), ("lq", "lq"), ("status", "status"), ("label", "label")],
    "map": [("rank", "int"), ("name", "text"), ("count", "int"), ("share", "pct")],
    "partners": [("name", "text"), ("weight", "num"), ("share", "pct"), ("patent", "num"), ("investment_out", "num"),
                 ("investment_in", "num"), ("branch", "num"), ("people", "num")],
    "recommend": [("rank", "int"), ("name_zh", "text"), ("quadrant_zh", "text"), ("count", "int"), ("rca", "dec"),
                  ("density", "dec"), ("pci", "dec"), ("cog", "dec"), ("funding_cagr", "pct"), ("patent_cagr", "pct"),
                  ("feasibility_pct", "pct"), ("value_pct", "pct"), ("score", "dec")],
    "trend_nodes": [("name_zh", "text"), ("rounds", "int"), ("amount_wan", "wan"), ("enterprises", "int")],
    "investors": [("name", "text"), ("type", "text"), ("city_name", "text"), ("rounds", "int"), ("lead_rounds", "int"),
                  ("enterprises", "int"), ("amount_wan", "wan"), ("nodes", "text")],
    "quarters": [("period", "text"), ("rounds", "int"), ("disclosed", "int"), ("estimated", "int"), ("undisclosed", "int"),
                 ("amount_wan", "wan"), ("enterprises", "int")],
    "top": [("rank", "int"), ("name", "text"), ("district", "text"), ("nodes", "text"), ("capital_wan", "wan"),
            ("founded", "date"), ("fundings", "int"), ("funding_wan", "wan"), ("ranked_by", "basis")],
}.items()}


# ------------------------------------------------------------------------------------------- formats
def fmt_value(v: Any, kind: str, lang: str = "zh") -> str:
    """The text of a cell in the HTML/PDF report (the workbook keeps the raw value). A value that rounds to zero is
    shown as zero, never as "-0.00" (a PCI of -0.0014)."""
    text = _fmt_value(v, kind, lang)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def _fmt_value(v: Any, kind: str, lang: str) -> str:
    if v is None or v == "":
        return "—"
    if kind == "pct":
        return pct_text(v)
    if kind == "lq":
        return lq_text(v)
    # a number rounded as the pages and the charts round it (half away from zero: ``core.numbers.fixed``), which the
    # workbook's cell formats show alike (reports/xlsx.py, ``_shown_format``)
    if kind == "dec":
        return fixed(v, 2)
    if kind == "int":
        return f"{int(v):,}"
    if kind == "num":  # two decimals at most, a whole value whole (21, not 21.00), as the partners' chart labels it
        return number_text(v, 2)
    if kind == "wan":
        return number_text(v, 0)
    if kind == "yi":
        return f"{v:,.2f}"
    if kind == "date":
        return v.isoformat()[:10] if hasattr(v, "isoformat") else str(v)[:10]
    if kind == "status":
        return label("chain_status", v, lang)
    if kind == "label":
        return label("chain_label", v, lang)
    if kind == "basis":
        return label("top_basis", v, lang)
    if isinstance(v, float):
        return f"{v:,.4g}"
    if isinstance(v, (list, tuple)):
        return "、".join(_flat_text(x) for x in v)
    if isinstance(v, dict):
        return _flat_text(v)
    return str(v)


def _flat_text(x: Any) -> str:
    if isinstance(x, dict):
        for k in ("text", "name", "label", "title", "region_name", "name_zh"):
            if x.get(k):
                rest = [f"{kk} {vv:g}" if isinstance(vv, float) else f"{kk} {vv}" for kk, vv in x.items()
                        if kk != k and isinstance(vv, (int, float, str)) and kk not in ("code", "id", "region", "node")]
                return str(x[k]) + (f"（{'，'.join(rest[:3])}）" if rest else "")
        return "，".join(f"{k} {v}" for k, v in x.items() if isinstance(v, (int, float, str)))
    return "" if x is None else str(x)


def guess_kind(key: str, sample: Any) -> str:
    if key in ("share", "growth") or key.endswith("_share") or key.endswith("_growth") or key.endswith("_pct"):
        return "pct"
    if key == "lq":
        return "lq"
    if key in ("rca", "density", "pci", "cog", "eci", "coi", "score", "feasibility", "value_score"):
        return "dec"
    if key.endswith("_wan"):
        return "wan"
    if key.endswith("_yi"):
        return "yi"
    if isinstance(sample, bool):
        return "text"
    if isinstance(sample, int):
        return "int"
    if isinstance(sample, float):
        return "num"
    if isinstance(sample, (_dt.date, _dt.datetime)):
        return "date"
    return "text"


def generic_columns(rows: list[dict], prefer: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> list[Col]:
    """Columns for rows a service returned: preferred keys first, then the scalar keys of the first rows."""
    keys: list[str] = []
    for r in rows[:20]:
        for k, v in r.items():
            if k in keys or k in skip or k.startswith("_"):
                continue
            if isinstance(v, dict) and k not in ("evidence",):
                continue
            keys.append(k)
    ordered = [k for k in prefer if k in keys] + [k for k in keys if k not in prefer]
    cols = []
    for k in ordered[:10]:
        sample = next((r.get(k) for r in rows if r.get(k) is not None), None)
        zh, en = COLUMNS.get(k, (k, k))
        cols.append((k, zh, en, guess_kind(k, sample)))
    return cols


def _cell_of(r: dict, key: str, lang: str) -> Any:
    """A row's value for a column, in English where the row has an English twin of a Chinese name; a segment's
    stage by its label (interfaces/labels.py STAGES) in either language; a founding date known to a month or a year
    as such, in ISO form as the days beside it (the one date formatter's 2015-03; a day stays a date, which the
    workbook formats)."""
    if key == "stage_name" and r.get("stage"):
        return label("stage", r["stage"], lang)
    if key == "founded" and r.get("founded_precision") in ("month", "year"):  # no day the source did not give
        return format_date(r.get("founded"), r["founded_precision"], lang, iso=True)
    if lang == "en":
        twin = key[:-3] + "_en" if key.endswith("_zh") else key + "_en"
        if r.get(twin):
            return r[twin]
    return r.get(key)


def table(rows: list[dict], cols: list[Col], lang: str = "zh") -> dict:
    """A table for the template: headers and formatted cells (with the status for colouring)."""
    return {"headers": [c[2] if lang == "en" else c[1] for c in cols], "kinds": [c[3] for c in cols],
            "rows": [{"status": r.get("status"), "cells": [fmt_value(_cell_of(r, c[0], lang), c[3], lang) for c in cols]}
                     for r in rows]}


# ------------------------------------------------------------------------------------ service sections
def _rows_of(section: dict, *keys: str) -> list[dict]:
    for k in keys:
        v = section.get(k)
        if isinstance(v, list) and v and isinstance(v[0], dict):
            return v
    return []


def recommend_cols(profile: dict, cols: list[Col]) -> list[Col]:
    """The recommendation's columns with the PCI headed by the level whose matrix it was computed over (复杂度 PCI（区县间）
    on a district's page: not the city's PCI of the same segment), for the page, the report and the workbook alike."""
    head = PCI_AMONG.get((profile.get("recommend") or {}).get("level"))
    return [(k, *head, kind) if k == "pci" and head else (k, zh, en, kind) for k, zh, en, kind in cols]


def recommend_parts(profile: dict) -> tuple[list[dict], list[dict]]:
    rec = profile.get("recommend") or {}
    if not rec.get("available"):
        return [], []
    return _rows_of(rec, "segments", "recommended", "rows"), _rows_of(rec, "modes", "attraction_modes")


def trend_parts(profile: dict, lang: str = "zh") -> dict:
    """Quarter series (label, amount in 亿元, count), the node breakdown and the investors from the
    trends service's document, whatever its key names among the usual ones."""
    tr = profile.get("trends") or {}
    if not tr.get("available"):
        return {"quarters": [], "nodes": [], "investors": []}
    q = _rows_of(tr, "by_period", "by_quarter", "quarters", "series", "rows")
    series = []
    for r in q:
        period = r.get("quarter") or r.get("period") or r.get("label") or r.get("year")
        amt = next((r[k] for k in ("amount_wan", "funding_wan", "amount", "sum_wan") if r.get(k) is not None), 0)
        cnt = next((r[k] for k in ("rounds", "events", "count", "deals", "n", "fundings") if r.get(k) is not None), 0)
        series.append({"label": str(period), "amount_yi": float(amt or 0) / 10000, "count": int(cnt or 0), "row": r})
    seg = "name_en" if lang == "en" else "name_zh"
    investors = [{**r, "type": label("investor", r.get("type"), lang),
                  "nodes": ("; " if lang == "en" else "、").join(f"{n.get(seg) or n.get('node')}" for n in (r.get("nodes") or [])[:3])
                  if isinstance(r.get("nodes"), list) else r.get("nodes")}
                 for r in _rows_of(tr, "top_investors", "investors")]
    return {"quarters": series, "nodes": _rows_of(tr, "by_node", "nodes"), "investors": investors,
            "totals": tr.get("totals") or {}, "notes": tr.get("notes_en" if lang == "en" else "notes") or []}


def kinds_text(kinds: str | None, lang: str = "zh") -> str:
    """A source's kinds of data (the stored codes, comma-separated: ``branches,enterprises``) in words, by the shared
    ``data_kind`` labels as ``zhaoshang status`` shows them: 分支机构与对外投资、企业."""
    return (", " if lang == "en" else "、").join(label("data_kind", k, lang) for k in (kinds or "").split(",") if k)


def trend_window_text(profile: dict, lang: str = "zh") -> str:
    """The funding section's opening sentence, for the report and the page alike: the window (years, first and
    last quarter) and its totals; empty when the section has no data (its note says why)."""
    tr = profile.get("trends") or {}
    if not tr.get("available") or not tr.get("years"):
        return ""
    t = tr.get("totals") or {}
    rounds, ents = fmt_value(t.get("rounds"), "int"), fmt_value(t.get("enterprises"), "int")
    est = t.get("estimated_wan") or 0  # ranges the source gave (数千万), summed at their point estimates
    parts = amount_parts(t.get("amount_wan"), est)  # as /trends says them
    if lang == "en":
        wan = t.get("amount_wan") or 0
        # CNY 30.21 billion, as elsewhere
        money = (f"{money_en(wan * 1e4)} ({money_en(est * 1e4)} of it estimated from ranges)" if est
                 else f"{money_en(wan * 1e4)} disclosed" if wan else "no amount disclosed")
        return (f"In the last {tr['years']} years ({tr['first_period']} to {tr['last_period']}), local chain enterprises "
                f"raised {rounds} rounds, {money}, {ents} enterprises.")
    amount = (f"金额合计 {parts['total']} 亿元（含估算 {parts['estimated']} 亿元）" if est
              else f"披露金额合计 {parts['total']} 亿元")
    return (f"近 {tr['years']} 年（{tr['first_period']} 至 {tr['last_period']}），本地产业链企业共获融资 {rounds} 起，"
            f"{amount}，涉及企业 {ents} 家。")


def trends_link(profile: dict) -> str:
    """The /trends page for the region over the same window and as-of date as its funding section."""
    from urllib.parse import urlencode

    tr = profile.get("trends") or {}
    q = {"region": profile["region"]["code"], "start": tr.get("start"), "end": tr.get("end") or profile["as_of"],
         "as_of": profile["as_of"]}
    return "/trends?" + urlencode({k: v for k, v in q.items() if v})


TREND_NODES_SHOWN = 12  # the PDF's funding-by-segment rows (by amount); the workbook's sheet holds them all
RECOMMEND_SHOWN = ("rank", "name_zh", "quadrant_zh", "count", "rca", "density", "pci", "funding_cagr", "patent_cagr", "score")


def sources_note(profile: dict, lang: str = "zh") -> str:
    """The sentence under the report's sources (the PDF's appendix, the workbook's notes): which imports are listed
    (``reference.sources``: those the data rest on), and what the resources file's row is, when there is one."""
    res = any(s.get("kinds") == "resources" for s in profile.get("sources") or [])
    if lang == "en":
        return ("Listed are the imports this report's data rest on: an import that added and updated nothing (a file "
                "whose every row was rejected) is left out; zhaoshang status lists every import."
                + (" Region resources: the file the attraction modes read; its rows read are the regions it lists."
                   if res else ""))
    return ("列出的是本报告数据所依据的导入：未新增也未更新任何行的导入（如每一行都被拒绝的文件）不列入，全部导入记录见 zhaoshang status。"
            + ("地区资源为招商模式读取的地区资源文件，读取行数为其所列地区数。" if res else ""))


def resources_note(profile: dict, lang: str = "zh") -> str:
    """The sentences under the attraction modes about the resources file they read, for the page, the report and the
    workbook alike: why its criteria read no data when the file does not list the region (a file of cities, a
    district), and — marked † — that the file is dated after the as-of date when a criterion read a figure from it;
    empty otherwise."""
    res = (profile.get("recommend") or {}).get("resources") or {}
    said = lambda s: f"{s[:1].upper() + s[1:] if lang == 'en' else s}{'.' if lang == 'en' else '。'}"  # noqa: E731
    absent, note = res.get("absent_note_en" if lang == "en" else "absent_note"), res.get("note_en" if lang == "en" else "note")
    return (" " if lang == "en" else "").join(([said(absent)] if absent else []) + ([f"† {said(note)}"] if note else []))


def rec_beyond_text(profile: dict, lang: str = "zh") -> str:
    """The sentence under the recommended segments naming the candidates ranked below the shown ones (a 补链 one with
    its label), for the report and the page alike; empty when every candidate is shown."""
    rest = (profile.get("recommend") or {}).get("beyond_top") or []
    if not rest:
        return ""
    names = segments_beyond_text(rest, lang)
    if lang == "en":
        return f"{count_en(len(rest), 'more candidate segment')} not listed: {names}."
    return f"另有 {len(rest)} 个候选环节未列出：{names}。"


def mode_cards(modes: list[dict], lang: str = "zh") -> list[dict]:
    """Attraction modes as cards: name, the verdict (suggested, not suggested, or cannot be judged), the criteria
    with their values and thresholds (✓ met / ✗ not met / 数据不足 no data: a criterion without a value is unknown,
    not failed; † one read from a resources file dated after the as-of date, as ``zhaoshang recommend`` marks it),
    and the action."""
    en = lang == "en"
    out = []
    for m in modes:
        crit = []
        for c in m.get("criteria") or []:
            v = c.get("value")
            passed = c.get("passed")
            state = "unknown" if passed is None else "yes" if passed else "no"
            # the value and the threshold as the region page's explained criteria print them (labels.measure_text)
            num = lambda x: measure_text(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x)  # noqa: E731
            vt = label("mode_criterion", "unknown", lang) if v is None else num(v)
            th = "" if c.get("threshold") is None else num(c["threshold"])
            colon, lp, rp = (": ", " (", ")") if en else ("：", "（", "）")
            crit.append({"ok": passed is True, "state": state, "mark": {"yes": "✓", "no": "✗", "unknown": "?"}[state],
                         "text": f"{c.get('label_en' if en else 'label_zh') or c.get('metric')}{colon}"
                         f"{vt}{lp}{c.get('op', '')} {th}{rp}{' †' if c.get('after_as_of') else ''}",
                         "source": c.get("source"), "after_as_of": bool(c.get("after_as_of"))})
        ev = m.get("evidence") or m.get("reasons") or m.get("reason")
        if not crit and ev:
            crit = [{"ok": True, "state": "yes", "mark": "✓", "text": e if isinstance(e, str) else _flat_text(e),
                     "source": None} for e in ([ev] if isinstance(ev, str) else ev)]
        suggested = bool(m.get("suggested", m.get("recommended", True)))
        verdict = m.get("verdict") or ("yes" if suggested else "no")
        out.append({"code": m.get("code") or m.get("mode"),
                    "name": (m.get("name_en") if en else m.get("name_zh")) or m.get("name") or m.get("label") or m.get("code"),
                    "suggested": suggested, "verdict": verdict,
                    # the words the region page and `zhaoshang recommend` use (labels.MODE_SUGGESTED)
                    "suggested_text": label("mode_suggested", verdict, lang),
                    "require": m.get("require"), "criteria": crit,
                    # all / any in words (全部满足 / 任一满足), as the workbook's 招商模式 sheet writes it
                    "require_text": label("mode_require", m["require"], lang) if m.get("require") else None,
                    "action": m.get("action_en") if en else m.get("action_zh")})
    out.sort(key=lambda x: not x["suggested"])
    return out


# ------------------------------------------------------------------------------------------ the report
_HAN = re.compile("[\u4e00-\u9fff]")


@functools.lru_cache(maxsize=1)
def _env() -> Environment:
    """One environment per process (a command writing a PDF and an HTML compiles the template once), its compiled
    template kept between commands as the web pages' are."""
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, bytecode_cache=compiled_templates())
    # a cell in Chinese characters (an enterprise's registered name in the English report): kept whole as in Chinese
    env.tests["han"] = lambda v: bool(_HAN.search(str(v)))
    return env



# the cover title's sizes (pt), largest first: the largest whose lines fit the cover's width keeps the cover on one page
# (the English title's second line, "AI industry chain: investment-attraction report", took three lines at 26 pt
# and pushed the contents onto a page of their own)
COVER_TITLE_SIZES = ("26", "22", "19", "17")
COVER_TITLE_WIDTH_PT = 480  # 170 mm of the page's 180 mm text width


def cover_title_size(lines: tuple[str, ...]) -> str:
    """The cover title's font size: the largest of ``COVER_TITLE_SIZES`` at which every line fits, else the smallest."""
    for size in COVER_TITLE_SIZES:
        if all(charts._text_w(line, float(size)) <= COVER_TITLE_WIDTH_PT for line in lines):
            return size
    return COVER_TITLE_SIZES[-1]

def report_context(profile: dict, lang: str = "zh") -> dict:
    """Everything the template needs: the profile, formatted tables and the SVG charts."""
    en = lang == "en"
    tr: Callable[[str, str], str] = (lambda zh, e: e) if en else (lambda zh, e: zh)
    reg = profile["region"]
    segs = profile["chain_rows"]
    bars = [{**r, "label_text": (r.get("name_en") if en else r.get("name_zh")) or r["code"]} for r in segs]
    m = profile["map"]
    map_svg = ""
    if m.get("available"):
        map_svg = charts.choropleth(m["view"], {r["code"]: r["count"] for r in m["rows"]}, m["highlight"],
                                    title=tr("人工智能企业数", "AI enterprises"), unit=tr("家", ""),
                                    labels={r["code"]: (r.get("name_en") if en else None) or r["name"] for r in m["rows"]},
                                    here=tr("本地区", "this region"), none=tr("无", "none"),
                                    points={r["code"]: (r.get("lng"), r.get("lat")) for r in m["rows"]},
                                    lang="en" if en else "zh")
    # the regions the rank is taken among, with their shared places (a macro-region's: the macro-regions)
    map_rows = list(m.get("ranked_rows") or m.get("rows", []))
    hl = set(m.get("highlight") or []) | {reg["code"]}
    near = [r for r in map_rows[:10]] + [r for r in map_rows[10:] if r["code"] in hl]
    rec_segments, rec_modes = recommend_parts(profile)
    trends = trend_parts(profile, lang)
    # amounts in 亿元 in Chinese, in CNY million in English (a "hundred million" is no English unit)
    trend_svg = charts.bar_line([s["label"] for s in trends["quarters"]],
                                [s["amount_yi"] * (100 if en else 1) for s in trends["quarters"]],
                                [s["count"] for s in trends["quarters"]], bar_name=tr("融资额（亿元）", "Amount (CNY million)"),
                                line_name=tr("融资事件（起）", "Rounds")) if trends["quarters"] else ""
    partners = profile["partners"]
    partner_svg = charts.hbars([((r.get("name_en") if en else None) or r["name"], r["weight"])
                               for r in partners.get("rows", [])[:10]], digits=2) \
        if partners.get("available") else ""
    links = {s: [r for r in segs if r["status"] == s] for s in ("strong", "average", "weak", "missing")}
    links["extend"] = [r for r in links["average"] if r.get("label") == "延链"]  # next to the links it holds
    links["hold"] = [r for r in links["average"] if r.get("label") != "延链"]
    leads = profile.get("leads") or {}
    cover_lines = (tr(reg["full_name"], reg.get("full_name_en") or reg["full_name"]),
                   tr(f"{profile['chain_name']}招商分析报告", "AI industry chain: investment-attraction report"))
    ctx = {
        "p": profile, "r": reg, "lang": lang, "tr": tr, "en": en, "cover_lines": cover_lines,
        "level_text": label("level", reg["level"], lang),
        "cover_title_size": cover_title_size(cover_lines),
        "title": tr(f"{reg['full_name']}{profile['chain_name']}招商分析报告",
                    f"{reg.get('full_name_en') or reg.get('name_en') or reg['name']}: AI-industry investment-attraction report"),
        # what the data is, as every interface says it (datastore.data_note): a demo mixed with imported data is
        # not called fictional throughout
        "synthetic": profile["synthetic"], "synth_label": profile["data_label"][lang], "synth_note": profile["data_note"][lang],
        "map_svg": Markup(map_svg), "chain_svg": Markup(charts.paired_bars(bars, a_name=tr("本地结构占比", "Local mix"),
                                                                               b_name=tr("全国结构占比", "National mix"),
                                                                               colour_note=tr("（颜色 = 判断）", " (colour = status)"))),
        "trend_svg": Markup(trend_svg), "partner_svg": Markup(partner_svg),
        "chain_table": table(segs, TABLES["chain"], lang),
        "map_table": table(near, TABLES["map"], lang), "map_hl": hl, "map_rows": near,
        "links": links,
        "partners_table": table(partners.get("rows", []), TABLES["partners"], lang),
        "top_table": table(profile["top_enterprises"].get("rows", []), TABLES["top"], lang),
        "rec_segments_table": table(rec_segments, recommend_cols(profile, [c for c in TABLES["recommend"] if c[0] in RECOMMEND_SHOWN]), lang),
        "rec_modes": mode_cards(rec_modes, lang),
        "rec_beyond": rec_beyond_text(profile, lang), "resources_note": resources_note(profile, lang),
        "sources_note": sources_note(profile, lang),
        "trends": trends, "trend_window": trend_window_text(profile, lang), "trends_link": trends_link(profile),
        "trend_nodes_table": table(trends["nodes"][:TREND_NODES_SHOWN], TABLES["trend_nodes"], lang),
        "trend_nodes_more": max(0, len(trends["nodes"]) - TREND_NODES_SHOWN),
        "investors_table": table(trends["investors"][:10], TABLES["investors"], lang),
        "leads_rows": _rows_of(leads, "rows", "leads") if leads.get("available") else [],
        "fmt": fmt_value, "kinds_text": lambda k: kinds_text(k, lang), "status_name": lambda s: label("chain_status", s, lang) or "—",
    }
    if ctx["leads_rows"]:
        ctx["leads_table"] = table(ctx["leads_rows"][:15], TABLES["leads"], lang)
    return ctx


def render_region_html(profile: dict, lang: str = "zh", *, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML page (charts inline as SVG, print CSS for A4)."""
    ctx = report_context(profile, lang)
    css = (HERE / "templates" / "report.css").read_text(encoding="utf-8")
    return _env().get_template("region_report.html").render(**ctx, css=Markup(css), for_pdf=for_pdf)


# a page whose content fills less than this share of its height, followed by a section that begins a page of its own,
# holds only the spill of a section's last lines (the English trends notes' tail, alone on page 11 of 深圳's report)
SPILL_SHARE = 0.15


def write_pdf(profile: dict, path: str | Path, lang: str = "zh") -> Path:
    html = render_region_html(profile, lang, for_pdf=True)
    return _atomic(path, lambda tmp: laid_out_pdf(html).write_pdf(str(tmp)))


def laid_out_pdf(html: str):
    """The report laid out by WeasyPrint, with no page that holds only a section's spill: a section that would begin a
    page after such a page follows on it instead (its forced page break released), and the layout is made again —
    at most once per section, only for a report that needs it."""
    from weasyprint import CSS, HTML

    source = HTML(string=html, base_url=str(HERE))
    released: list[str] = []
    doc = source.render()
    while True:
        section = _after_spill(doc)
        if section is None or section in released:
            break
        released.append(section)
        doc = source.render(stylesheets=[CSS(string="".join(f"#{s} {{ page-break-before: auto !important; }}" for s in released))])
    return doc


def _after_spill(doc) -> str | None:
    """The section that begins the page after a spill page of ``doc`` (one report.css starts on a page of its own), if
    any."""
    pages = [page._page_box for page in doc.pages]
    for i in range(1, len(pages) - 1):
        body = [box for box in pages[i].children if type(box).__name__ != "MarginBox"]
        used = max((_content_bottom(box) for box in body), default=0) - pages[i].margin_top
        if used >= SPILL_SHARE * pages[i].height:
            continue
        section = _first_section(pages[i + 1])
        if section:
            return section
    return None


def _content_bottom(box) -> float:
    bottom = 0.0
    for d in box.descendants():
        if type(d).__name__ in ("LineBox", "TableRowBox", "InlineReplacedBox", "BlockReplacedBox"):
            bottom = max(bottom, d.position_y + d.margin_height())
    return bottom


def _first_section(page_box) -> str | None:
    for d in page_box.descendants():
        element = getattr(d, "element", None)
        ident = element.get("id") if element is not None else None
        if ident and ident.startswith("sec-"):
            return ident
    return None


def write_html(profile: dict, path: str | Path, lang: str = "zh") -> Path:
    html = render_region_html(profile, lang)
    return _atomic(path, lambda tmp: Path(tmp).write_text(html, encoding="utf-8"))


def _atomic(path: str | Path, write: Callable[[Path], Any]) -> Path:
    """Write through a temporary file in the target directory, then rename: complete or absent, with the
    permissions of the user's umask."""
    target = Path(path)
    if not target.parent.exists():
        raise UserError(f"目录不存在: {target.parent}", f"directory does not exist: {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=".zs-report-", suffix=target.suffix, dir=str(target.parent))
    os.close(fd)
    try:
        write(Path(tmp))
        publish(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
