"""Query commands: search, show."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from ...services.datastore import SYNTHETIC_LABEL
from ...services.enterprises import enterprise_profile
from ...core.errors import UserError, count_en
from ...core.event_titles import amount_en
from ...core.parse.dates import DATE_FORMS, china_time_text, format_date
from ...services.search import search as search_service
from ..labels import (event_text, label, later_lines_text, list_text, placements_dated_text, region_names, region_text,
                      undated_lines_text)
from .app import FORMAT_OPTION, Fmt, app, date_option, emit, open_store, synthetic_note, t

SECTION_ROWS = 30  # the rows of a section ``show`` prints unless --all (a cut section says how many it leaves out)

# a section's column labels where the shared ones (interfaces.labels.COLUMNS) would mislead: a product line's share
# is its share of the company's revenue, not the 全国占比 (share of the nation) of the map tables; as on the profile page
SECTION_HEADERS = {"product_lines": {"line_no": ("#", "#"), "product": ("产品线", "Product line"),
                                     "share": ("营收占比", "Revenue share")},
                   "people": {"not_in_later": ("较新名单未列入", "Not in the newer list")},
                   "aliases": {"alias": ("名称", "Name"), "kind": ("类别", "Kind")}}

@app.command()
def search(
    words: List[str] = typer.Argument(..., help="名称、简称/品牌/英文名、统一社会信用代码或经营范围关键词（可多个）"),
    limit: int = typer.Option(20, "--limit", "-n", help="最多显示多少条"),
    region: Optional[str] = typer.Option(None, "--region", help="限定地区：代码、名称、路径或宏观区域（如 浙江省、杭州、长三角）"),
    as_of: Optional[str] = date_option(help=f"截至日期 {DATE_FORMS[0]}：当时存续的企业及其当时的地区（默认：库中最新数据日期）"),
    include_dissolved: bool = typer.Option(False, "--include-dissolved", help="也列出截至日期已注销或尚未成立的企业"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """搜索企业（中文分词；按匹配方式排序，并说明匹配到哪个字段）。与企业库页面、/api/search 同一规则、同一计数。"""
    text = " ".join(words)
    store = open_store(read_only=True)
    doc = search_service(store, text, limit=limit, region=region, as_of=as_of, include_dissolved=include_dissolved)
    if store.synthetic:
        doc["label"] = SYNTHETIC_LABEL
    en = region_names(store, t("zh", "en"))  # the English names of the regions, in English
    place = lambda r: next((en[c] for c in (r["district_code"], r["city_code"], r["province_code"]) if c in en),  # noqa: E731
                           r["region"] or "")
    rows = [{"id": r["id"], t("名称", "Name"): r["name"], t("信用代码", "Credit code"): r["uscc"] or "",
             t("地区", "Region"): place(r), t("成立", "Founded"): format_date(r["founded"], r.get("founded_precision"), t("zh", "en")),
             t("匹配", "Matched"): label("matched", r["matched"], t("zh", "en"))}
            for r in doc["items"]]
    apart_zh = "；整词无匹配，按拆开的词查找" if doc.get("apart") else ""
    apart_en = f" (no enterprise holds the words whole; searched as {' + '.join(doc['words'])})" if doc.get("apart") else ""
    if not rows and fmt != Fmt.json:
        sys.stderr.write(t(f"没有找到与“{text}”匹配的企业（分词: {' / '.join(doc['words'])}{apart_zh}）\n",
                           f"no enterprise matches '{text}'{apart_en}\n"))
        return
    emit(doc, fmt, rows=rows, fields=doc["items"], title=t(f"搜索 “{text}”：共 {doc['total']:,} 家（分词: {' / '.join(doc['words'])}{apart_zh}）",
                                      f"Search '{text}': {count_en(doc['total'], 'hit', sep=True)}{apart_en}"), note=synthetic_note(store))


@app.command()
def show(
    enterprise: str = typer.Argument(..., help="企业编号、统一社会信用代码、全称或别名"),
    as_of: Optional[str] = date_option(help=f"截至日期 {DATE_FORMS[0]}：当时的名称、地区、状态，只显示此前发生的事"),
    show_all: bool = typer.Option(False, "--all", help=f"每部分列出全部行（默认每部分最多 {SECTION_ROWS} 行，并说明还有多少未显示）"),
    fmt: Fmt = FORMAT_OPTION,
) -> None:
    """显示一家企业的全部关联信息：产业链位置及依据、时间线、人员、股东、专利、融资、分支机构、来源。"""
    store = open_store(read_only=True)
    doc = enterprise_profile(store, enterprise, as_of=as_of, **({"limit": None} if show_all else {}))
    if store.synthetic:
        doc["label"] = SYNTHETIC_LABEL
    if fmt == Fmt.json:
        emit(doc, fmt)
        return
    e = doc["enterprise"] if "enterprise" in doc else doc
    if fmt == Fmt.csv:  # one CSV document: the enterprise's record with the JSON's fields; its sections are the JSON's
        emit(doc, fmt, rows=[], fields=[{**e, "as_of": doc.get("as_of")}], note=synthetic_note(store))
        return
    lang = t("zh", "en")
    place = [e.get(k + ("_en" if lang == "en" else "")) or e.get(k) for k in ("province", "city", "district")]
    basics = [(t("名称", "Name"), e.get("name")), (t("英文名称", "English name"), e.get("english_name")),
              (t("信用代码", "Credit code"), e.get("uscc")), (t("股票代码", "Stock code"), e.get("listed_code")),
              (t("状态", "Status"), label("ent_status", e.get("status"), lang)), (t("成立", "Founded"), format_date(e.get("founded"), e.get("founded_precision"), lang)),
              (t("注册资本(万元)", "Capital (10k CNY)"), e.get("capital_wan")),
              (t("地区", "Region"), " ".join(dict.fromkeys(x for x in place if x))),
              (t("地址", "Address"), e.get("address")), (t("法定代表人", "Legal representative"), e.get("legal_rep")),
              (t("企业类型", "Legal form"), e.get("legal_form")), (t("行业", "Industry"), e.get("industry")),
              (t("网站", "Website"), e.get("website")),
              (t("标签", "Tags"), list_text((label("tag", tg, lang) for tg in e.get("tags") or []), lang))]
    for a in doc.get("absent_from_latest") or []:  # gone from its source's last export: before anything else
        basics.append((t("最新导出未列入", "Missing from the latest export"),
                       t(f"{a['source']}（{a['export_date']} 的导出；来源键 {a['source_key']}）",
                         f"{a['source']} (export of {a['export_date']}; source key {a['source_key']})")))
    emit([{t("项目", "Item"): k, t("值", "Value"): v} for k, v in basics if v not in (None, "")], fmt,
         title=t("企业画像", "Profile"))
    sections = (("aliases", t("别名", "Other names"), ["alias", "kind"]),
                ("placements", t("产业链位置", "Chain placements"), ["node_code", "name_zh", "confidence", "reading"]),
                ("product_lines", t("主营产品与营收占比", "Main products and revenue shares"), ["line_no", "product", "share", "period"]),
                ("fundings", t("融资", "Fundings"), ["date", "round_zh", "amount_text", "investors_text"]),
                ("timeline", t("时间线", "Timeline"), ["date", "type", "title"]),
                ("people", t("人员", "People"), ["name", "role", "title", "source", "data_date", "not_in_later"]),
                ("shareholders", t("股东", "Shareholders"), ["holder_name", "holder_type", "percent"]),
                ("patents", t("专利", "Patents"), ["number", "title", "applied", "main_ipc"]),
                ("branches", t("分支机构与对外投资", "Branches and investments"), ["date", "kind", "child_name", "region_name"]),
                ("sources", t("数据来源", "Sources"), ["source", "kind", "records", "data_date", "last_imported"]))
    names = region_names(store, lang)
    shown = {  # stored codes by their labels, names in the UI language
        "placements": lambda r: {**r, "name_zh": r["name_en"] if lang == "en" and r.get("name_en") else r["name_zh"],
                                "reading": (r.get("reading") or {}).get(lang)},
        "fundings": lambda r: {**r, "round_zh": label("round", r["round"], lang) if r.get("round") else r["round_zh"],
                               "amount_text": amount_en(r["amount_text"]) if lang == "en" and r.get("amount_text")
                               else r.get("amount_text"),
                               "investors_text": list_text(r["investors"], lang) if r.get("investors")
                               else r.get("investors_text")},
        "timeline": lambda r: {**r, "type": label("event", r["type"], lang), "title": event_text(r, lang),
                               "date": f"{r['date']}{t('（数据日期）', ' (data date)')}" if r.get("date_stand_in")
                               else format_date(r["date"], r.get("date_precision"), lang)},
        "aliases": lambda r: {**r, "kind": label("alias_kind", r.get("kind"), lang)},
        "product_lines": lambda r: {**r, "period": r.get("period") or t("未注明", "undated")},
        "people": lambda r: {**r, "role": label("role", r.get("role"), lang)},
        # the last import's time in China's time under 最近导入 (UTC+8), as the rejects file's name (the stored value
        # in JSON)
        "sources": lambda r: {**r, "kind": label("data_kind", r.get("kind"), lang),
                              "last_imported": china_time_text(r.get("last_imported"), zone=False)},
        "shareholders": lambda r: {**r, "holder_type": label("holder", r.get("holder_type"), lang)},
        # a record where this enterprise is the branch or investee names the other end: its parent, by its kind
        "branches": lambda r: {**r, "kind": label("branch", ("parent_" if r.get("direction") == "in" else "") + r["kind"], lang),
                               "child_name": r["parent_name"] if r.get("direction") == "in" else r["child_name"],
                               "region_name": region_text(r, names)},
    }
    for key, title, cols in sections:
        rows = doc.get(key) or []
        if key == "placements" and not rows and fmt == Fmt.table:  # say so rather than leave the section out
            print(t("产业链位置：未归入任何环节", "Chain placements: none"))
        if rows:
            cut = rows if show_all else rows[:SECTION_ROWS]
            total = doc["counts"].get(key, len(rows))  # all there are, not the profile's latest 200
            more = total - len(cut)  # a section cut short says how many rows it leaves out and how to see them
            emit(cut, fmt, rows=[shown.get(key, dict)(r) for r in cut], columns=cols,
                 title=title + t(f"（{total:,}）", f" ({total:,})"), headers=SECTION_HEADERS.get(key),
                 note=t(f"{title}：另有 {more:,} 条未显示（共 {total:,} 条）；加 --all 显示全部",
                        f"{title}: {more:,} more not shown (of {total:,}); add --all to show them all") if more else None)
            if key == "placements" and doc.get("placements_classified_on") and fmt == Fmt.table:  # an earlier date
                print(placements_dated_text(doc["placements_classified_on"], lang))
        if key == "product_lines" and doc.get("product_lines_later") and fmt == Fmt.table:  # dated after the as-of
            print(later_lines_text(doc["product_lines_later"], doc["as_of"], lang))
        if key == "product_lines" and doc.get("product_lines_undated") and fmt == Fmt.table:  # no date of their own
            print(undated_lines_text(doc["product_lines_undated"], lang))
    note = synthetic_note(store)
    if note:
        sys.stderr.write(note + "\n")
