"""The region report as a workbook: one sheet per section with the raw numbers of the JSON twin (shares as
fractions formatted as %, amounts in 万元), and a 说明 sheet with the sources, as-of date, formulas and the
synthetic label. Text that a spreadsheet could run as a formula is stored as plain text."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import count_en
from ...core.parse.dates import excel_date_format
from ...core.writers import DANGEROUS_PREFIXES, _xlsx_value, sheet_name
from ..labels import label
from .region import (TABLES, Col, _atomic, _cell_of, fmt_value, kinds_text, mode_cards, rec_beyond_text, recommend_cols,
                     recommend_parts, report_cols, resources_note, sources_note, trend_parts)

def _chain_text(profile: dict, en: bool) -> str:
    """The chain by name with its code, as the PDF names it: 人工智能产业链（ai） / AI industry chain (ai)."""
    if en:
        return f"{'AI industry chain' if profile['chain'] == 'ai' else 'industry chain'} ({profile['chain']})"
    return f"{profile['chain_name']}（{profile['chain']}）"


# an id ("id") is no quantity: no thousands separator (企业编号 2609, not 2,609); an amount in 万元 ("wan") shown
# whole, as the PDF prints it (68,002), the cell keeping the value (68002.27766); a share, an LQ and a measured
# number ("num": a partner's link strength) with the PDF's decimals, which depend on the value (``_shown_format``;
# these are the common ones)
NUMBER_FORMATS = {"id": "0", "pct": "0.0%", "lq": "0.00", "dec": "0.00", "int": "#,##0", "num": "#,##0.00", "wan": "#,##0",
                  "yi": "#,##0.00", "date": "yyyy-mm-dd"}
SHEETS = {"overview": ("概览", "Overview"), "chain": ("产业链分布", "Chain"), "map": ("地区对比", "Regions"),
          "recommend": ("推荐环节", "Recommended"), "modes": ("招商模式", "Modes"), "partners": ("合作伙伴", "Partners"),
          "trends": ("融资趋势", "Funding"), "trend_nodes": ("融资按环节", "Funding by segment"),
          "investors": ("活跃投资方", "Investors"), "top": ("头部企业", "Top enterprises"),
          "leads": ("重点线索", "Leads"), "notes": ("说明", "Notes")}


def _sheet_rows(profile: dict, lang: str) -> list[tuple[str, list[dict], list[Col]]]:
    """(sheet key, rows, columns) for every section; the same rows as the JSON twin."""
    en = lang == "en"
    segs = profile["chain_rows"]
    chain_cols = report_cols("chain", [("code", "text")]) + TABLES["chain"]
    m = profile["map"]
    here = set(m.get("highlight") or []) | {profile["region"]["code"]}
    map_rows = [{**r, "highlight": r["code"] in here} for r in (m.get("ranked_rows") or m.get("rows", []))]
    map_cols = (report_cols("map", [("code", "text")]) + TABLES["map"]
                + report_cols("map", [("region_total", "int"), ("highlight", "text")]))
    rec_segments, rec_modes = recommend_parts(profile)
    modes = [{"code": c["code"], "name": c["name"], "suggested": c["suggested_text"], "require": c["require_text"],
              "criteria": ("; " if en else "；").join(f"{x['mark']} {x['text']}" for x in c["criteria"]),
              "action": c["action"]}
             for c in mode_cards(rec_modes, lang)]
    mode_cols = report_cols("modes", [("code", "text"), ("name", "text"), ("suggested", "text"), ("require", "text"),
                                      ("criteria", "text"), ("action", "text")])
    tr = trend_parts(profile, lang)
    quarters = [s["row"] for s in tr["quarters"]]
    q_cols = TABLES["quarters"]
    rec_cols = recommend_cols(profile, report_cols("recommend", [("node", "text")]) + TABLES["recommend"])
    leads = profile.get("leads") or {}
    lead_rows = next((leads[k] for k in ("rows", "leads") if isinstance(leads.get(k), list)), []) if leads.get("available") else []
    out = [
        ("chain", segs, chain_cols),
        ("map", map_rows, map_cols),
        ("recommend", rec_segments, rec_cols),
        ("modes", modes, mode_cols),
        ("partners", profile["partners"].get("rows", []), report_cols("partners", [("region", "text")]) + TABLES["partners"]),
        ("trends", quarters, q_cols),
        ("trend_nodes", tr["nodes"], report_cols("trend_nodes", [("node", "text")]) + TABLES["trend_nodes"][:2]
         + report_cols("trend_nodes", [("disclosed", "int"), ("estimated", "int"), ("undisclosed", "int")])
         + TABLES["trend_nodes"][2:]),
        ("investors", tr["investors"], TABLES["investors"]),
        ("top", profile["top_enterprises"].get("rows", []), TABLES["top"] + report_cols("top", [("id", "id"),
                                                                                           ("last_funding", "date")])),
    ]
    if lead_rows:
        # the rank first, then the id: the order of the leads export (services/leads/export.py), for one way to read them
        out.append(("leads", lead_rows, TABLES["leads"][:1] + report_cols("leads", [("enterprise_id", "id")])
                    + TABLES["leads"][1:]))
    return out


def _text(x) -> str:
    if isinstance(x, dict):
        return "，".join(f"{k} {v}" for k, v in x.items() if isinstance(v, (str, int, float)))
    return str(x)


def _put(ws, row: int, col: int, value, kind: str = "text", lang: str = "zh"):
    v = _xlsx_value(value)
    if isinstance(v, bool):
        v = ("yes" if lang == "en" else "是") if v else ""
    c = ws.cell(row=row, column=col, value=v)
    if isinstance(v, str) and v.startswith(DANGEROUS_PREFIXES):
        c.data_type = "s"  # never a formula
    if kind in NUMBER_FORMATS and isinstance(v, (int, float)) or (kind == "date" and v is not None):
        c.number_format = _shown_format(v, kind) if kind in ("pct", "lq", "num") else NUMBER_FORMATS[kind]
    return c


def _shown_format(v: float, kind: str) -> str:
    """A share's, an LQ's or a measured number's cell shown with the decimals the PDF prints it with (``fmt_value``:
    23.1%, 0.04%; an LQ with two, more near a label threshold; a link strength of 21 whole, 3.5 with one), the cell
    keeping the value."""
    text = fmt_value(v, kind)
    digits = len(text.rstrip("%").partition(".")[2])
    return (("#,##0" if kind == "num" else "0") + ("." + "0" * digits if digits else "")
            + ("%" if kind == "pct" else ""))


def write_xlsx(profile: dict, path: str | Path, lang: str = "zh") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    en = lang == "en"
    name = lambda key: sheet_name(key, lang, SHEETS)  # noqa: E731
    head_font, head_fill = Font(bold=True, color="0F2A4A"), PatternFill("solid", fgColor="EEF3F9")
    synth = profile["synthetic"]
    # the data's label in the workbook's language alone, as its pages' headers and the PDF say it (datastore.data_note:
    # the demo's, or the demo mixed with imported data)
    synth_zh, synth_en = f"【{profile['data_label']['zh']}】", f"[{profile['data_label']['en']}] "
    wb = Workbook()
    ws = wb.active
    ws.title = name("overview")
    reg, s = profile["region"], profile["summary"]
    title = f"{reg['full_name']}{profile['chain_name']}招商分析报告" if not en else f"{reg.get('full_name_en') or reg['full_name']}: investment-attraction report"
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14, color="0F2A4A")
    r = 2
    if synth:
        ws.cell(row=r, column=1, value=(synth_en if en else synth_zh).strip()).font = Font(bold=True, color="B4321B")
        r += 1
    overview = [("地区代码", "Region code", reg["code"], "text"), ("地区", "Region", reg.get("full_name_en") if en else reg["full_name"], "text"),
                ("层级", "Level", label("level", reg["level"], "en" if en else "zh"), "text"),
                ("数据截至", "As of", profile["as_of"], "text"), ("产业链", "Chain", _chain_text(profile, en), "text"),
                ("本地产业链企业数", "Local chain enterprises", s["region_total"], "int"),
                ("全国产业链企业数", "National chain enterprises", s["national_total"], "int"),
                ("占全国比重", "Share of nation", s["national_share"], "pct"),
                ("环节数", "Segments", s["segments"], "int"), ("优势环节", "Strong", s["n_strong"], "int"),
                ("一般环节", "Average", s["n_average"], "int"), ("薄弱环节", "Weak", s["n_weak"], "int"),
                ("缺失环节", "Missing", s["n_missing"], "int"),
                ("地区排名", "Rank among peers", profile["map"].get("rank"), "int"),
                ("对比地区数", "Peers", profile["map"].get("peers"), "int"),
                ("排名范围", "Ranked among", profile["map"].get("rank_scope_en" if en else "rank_scope"), "text")]
    if not s["region_total"]:  # no chain enterprise: no place among the peers, and no segment judged weak or missing
        unranked = profile["map"].get("unranked_note_en" if en else "unranked_note")
        overview = [(zh, e, unranked, "text") if zh == "地区排名" else (zh, e, None, kind) if zh in ("薄弱环节", "缺失环节")
                    else (zh, e, v, kind) for zh, e, v, kind in overview]
    if profile["map"].get("rank_among") is not None:  # a macro-region: the macro-regions it is ranked against
        overview.append(("对比宏观区域", "Compared with",
                         ("、" if not en else ", ").join(x["name_en" if en else "name"] for x in profile["map"]["rank_among"]), "text"))
    r += 1
    for zh, e, v, kind in overview:
        ws.cell(row=r, column=1, value=e if en else zh).font = Font(bold=True)
        _put(ws, r, 2, v, kind)
        r += 1
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 40

    for key, rows, cols in _sheet_rows(profile, lang):
        sh = wb.create_sheet(name(key))
        start = 1
        if synth:
            sh.cell(row=1, column=1, value=(synth_en if en else synth_zh).strip()).font = Font(bold=True, color="B4321B")
            start = 2
        if not rows:
            sh.cell(row=start, column=1, value="暂无数据" if not en else "No data")
            section = profile.get({"modes": "recommend", "recommend": "recommend", "trends": "trends",
                                   "trend_nodes": "trends", "investors": "trends", "partners": "partners", "leads": "leads"}.get(key, "")) or {}
            note = (en and section.get("note_en")) or section.get("note")
            if note:
                sh.cell(row=start + 1, column=1, value=note)
            continue
        for j, c in enumerate(cols, 1):
            cell = sh.cell(row=start, column=j, value=c[2] if en else c[1])
            cell.font, cell.fill = head_font, head_fill
            sh.column_dimensions[cell.column_letter].width = max(10, min(40, len(c[1]) * 2 + 4))
        for i, row in enumerate(rows, start + 1):
            for j, c in enumerate(cols, 1):
                v = _cell_of(row, c[0], lang)
                if c[3] in ("status", "label", "basis"):
                    v = fmt_value(v, c[3], lang)
                if isinstance(v, (list, dict)) and c[3] != "text":
                    v = _text(v)
                if c[3] == "date" and row.get(c[0] + "_precision"):  # a month or a year: a date cell all the same,
                    # formatted to what the source gave (2014-07), so that the column sorts and filters as dates
                    _put(sh, i, j, row[c[0]], "date", lang).number_format = excel_date_format(row[c[0] + "_precision"])
                    continue
                _put(sh, i, j, v, c[3], lang)
        if key == "recommend" and rec_beyond_text(profile, lang):  # the candidates below the listed ones, named
            sh.cell(row=start + len(rows) + 2, column=1, value=rec_beyond_text(profile, lang))
        if key == "modes" and resources_note(profile, lang):  # the resources file: a region it lacks, a date after the as-of (†)
            sh.cell(row=start + len(rows) + 2, column=1, value=resources_note(profile, lang))
        sh.freeze_panes = sh.cell(row=start + 1, column=1)

    notes = wb.create_sheet(name("notes"))
    lines = []  # (label zh, label en, text zh, text en)
    if synth:
        lines.append(("合成标记", "Synthetic", synth_zh + profile["data_note"]["zh"], synth_en + profile["data_note"]["en"]))
    lines += [("地区", "Region", f"{reg['full_name']}（{reg['code']}）", f"{reg.get('full_name_en') or reg['full_name']} ({reg['code']})"),
              ("数据截至", "As of", profile["as_of"], profile["as_of"]),
              ("生成日期", "Generated", profile["generated"], profile["generated"]),
              ("产业链", "Chain", _chain_text(profile, False), _chain_text(profile, True))]  # as the PDF
    # the leads' notes on the as-of date: live events after it, not counted, and those counted after the data's end
    ld = profile.get("leads") or {}
    lines += [("重点线索", "Leads", zh["note"], en["note"])
              for zh, en in zip(ld.get("date_notes") or [], ld.get("date_notes_en") or [])]
    for src in (k for s in profile["sources"] for k in s.get("by_kind") or [s]):  # one line per kind: its own date
        read, new, upd = (src.get(k) or 0 for k in ("rows_read", "rows", "rows_updated"))
        zh_date, en_date = f"数据日期 {src.get('data_date') or '未注明'}", f"data date {src.get('data_date') or 'not given'}"
        if src.get("data_date") and str(src["data_date"]) > profile["as_of"]:  # as the PDF's appendix says it
            zh_date, en_date = zh_date + "（晚于本报告截至日期）", en_date + " (after the date of this report)"
        if src.get("kinds") == "resources":  # the region resources file: the regions it lists, nothing imported
            counts = (f"列出 {read:,} 个地区", count_en(read, "region", sep=True) + " listed")
        else:
            counts = (f"读取 {read:,} 行，新增 {new:,}，更新 {upd:,}",
                      f"{count_en(read, 'row', sep=True)} read, {new:,} new, {upd:,} updated")
        lines.append(("数据来源", "Source", f"{src['source']}：{kinds_text(src.get('kinds'))}；{zh_date}；{counts[0]}",
                      f"{src['source']}: {kinds_text(src.get('kinds'), 'en')}; {en_date}; {counts[1]}"))
    lines.append(("数据来源", "Source", sources_note(profile), sources_note(profile, "en")))
    th = profile["thresholds"]
    lines += [
        ("口径", "As of", "统计截至日期：成立日期不晚于该日、未在该日前注销、位于中国境内的企业；企业计入所在环节及全部上级环节（不重复）。",
         "Counted as of the date: enterprises founded on or before it, not deregistered before it, located in China; "
         "an enterprise counts on its segments and all their parents (once each)."),
        ("公式", "Share", "占全国比重 share = 本地该环节企业数 ÷ 全国该环节企业数",
         "share = local enterprises on the segment ÷ national enterprises on the segment"),
        ("公式", "Mix", "结构占比 mix = 该环节企业数 ÷ 产业链企业总数（本地 region_mix；全国 national_mix）",
         "mix = enterprises on the segment ÷ all chain enterprises (local region_mix; national national_mix)"),
        ("公式", "LQ", "区位商 LQ = region_mix ÷ national_mix", "location quotient LQ = region_mix ÷ national_mix"),
        ("公式", "Labels", f"强链（优势）：LQ ≥ {th['strong_lq']} 且企业数 ≥ {th['min_strong']}；补链：LQ < {th['weak_lq']}（薄弱）或无企业（缺失）；延链：其余（一般）中关联密度不低于本地中位数者（与已有环节相邻；其余一般环节维持）",
         f"strong: LQ ≥ {th['strong_lq']} and at least {th['min_strong']} enterprises; fill: LQ < {th['weak_lq']} (weak) "
         "or no enterprise (missing); extend: the others (average) at or above the region's median relatedness density "
         "(next to the links held; the other average ones hold)"),
        ("公式", "Partners", "合作伙伴联系强度 weight = 联合专利（1/(k−1) 分数计数）+ 投资（双向）+ 分支机构 + 共同任职 的边权之和；share = weight ÷ 全部伙伴 weight 之和",
         "partner weight = joint patents (fractional 1/(k−1)) + investments (both ways) + branches and outbound "
         "investments + shared officers; share = weight ÷ the sum over all partners"),
        ("公式", "Rank", "地区排名：同级地区（全国各省，或本省各市/本市各区；宏观区域在不包含它、也不为它所包含的各宏观区域中）按产业链企业数降序，企业数相同者名次相同",
         "rank: peers of the same level (the provinces, or the province's cities / the city's districts; a macro-region "
         "among the macro-regions that neither contain it nor lie within it) by chain enterprises, descending; equal "
         "counts share a place"),
        ("公式", "Recommend", "推荐环节：RCA、关联密度、PCI、COG 等见推荐服务的输出列（Hidalgo & Hausmann 2009；Balland et al. 2018）",
         "recommended segments: RCA, relatedness density, PCI, COG … in the recommendation's columns "
         "(Hidalgo & Hausmann 2009; Balland et al. 2018)"),
        ("文档", "Docs", "完整定义与参考文献：docs/methods.md（Region × chain matrix；Cooperation network between regions；Region report）",
         "definitions and references: docs/methods.md (Region × chain matrix; Cooperation network between regions; Region report)"),
    ]
    order = (profile.get("leads") or {}).get("order")
    if order:  # the leads' tie-break, as under the PDF's and the page's table
        en_order = profile["leads"].get("order_en") or order
        lines.append(("线索排序", "Leads order", order, en_order[:1].upper() + en_order[1:]))
    top = profile.get("top_enterprises") or {}
    if top.get("order_note"):  # by registered capital, or by funding when capital is mostly unknown
        lines.append(("头部企业排序", "Top enterprises order", top["order_note"],
                      top["order_note_en"][:1].upper() + top["order_note_en"][1:]))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 120
    for i, (zh, e, text_zh, text_en) in enumerate(lines, 1):
        notes.cell(row=i, column=1, value=e if en else zh).font = Font(bold=True)
        c = _put(notes, i, 2, text_en if en else text_zh)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    return _atomic(path, lambda tmp: wb.save(str(tmp)))
