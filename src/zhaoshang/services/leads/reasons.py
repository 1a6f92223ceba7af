"""A lead's reasons as short sentences with the numbers (Chinese, or English), and its score as an explained
result: one part per signal with its raw value, normalised value, weight and contribution."""

from __future__ import annotations


from ...core.errors import count_en
from ...core.event_titles import amount_en, amount_zh, money_en
from ...core.explain import Explained, Part, Ref, enterprise_href, relations_href, row_href
from ...core.numbers import strength_text
from ...core.parse.rounds import ROUND_LABELS_EN, ROUND_LABELS_ZH

GROUPS = {"expansion": ("扩张意愿", "expansion propensity"), "fit": ("契合度", "fit"),
          "reachability": ("可触达性", "reachability"), "risk": ("风险", "risk")}
SIGNAL_LABELS = {
    "funding": ("近12个月融资", "funding, last 12 months"),
    "branches": ("近24个月异地新设分支/子公司", "branches in other cities, last 24 months"),
    "patents": ("专利申请增长", "patent growth"),
    "expansion_news": ("扩张类新闻", "expansion news"),
    "segment_fit": ("环节契合（补链/推荐）", "segment is a gap / recommended"),
    "demands": ("本地开放需求匹配", "open local demands in its segment"),
    "local_ties": ("与本地企业的关系", "ties with local enterprises"),
    "reachability": ("关系图谱可触达性", "reachability in the relationship graph"),
    "negative_news": ("强烈负面新闻", "strongly negative news"),
}
FORMULA = "score = max(0, 100 × Σ w·n / Σ w(measurable) − penalty × min(2, strongly negative news))"
TIE_KIND = {"investor": ("是其股东/投资方", "is its investor"), "investee": ("是其投资企业", "is its investee"),
            "co_applicant": ("与其联合申请专利", "co-applied for patents with it")}


def money(wan: float | None, lang: str) -> str:
    """万元 as the analyst reads it: 3亿元 / 5000万元; en as every English amount is said (``money_en``: CNY 300
    million, CNY 1.56 billion — the profile's funding table beside it)."""
    if wan is None:
        return ""
    if lang == "en":
        return money_en(wan * 1e4)
    if wan >= 10000:
        return f"{wan / 10000:.1f}".rstrip("0").rstrip(".") + "亿元"
    return f"{wan:,.0f}万元".replace(",", "")


def _cities(names: list[str], lang: str, limit: int = 3) -> str:
    """The first ``limit`` city names, and how many more when cut: 上海、南京、广州等4个城市 / "Shanghai, Nanjing,
    Guangzhou and 1 more"."""
    names = [n for n in (names or []) if n]
    shown, more = names[:limit], len(names) - limit
    if lang == "en":
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    return "、".join(shown) + (f"等{len(names)}个城市" if more > 0 else "")


def _funding(r: dict, lang: str) -> str:
    """The funding sentence. An amount the source gave as a range (数千万, 近亿: ``amount_estimated_12m``) is said as
    the source said it with the point estimate marked as one (docs/methods.md, "Value parsing"), never as disclosed;
    an amount in another currency (3万美元: ``amount_converted_12m``) likewise, with its CNY value marked as converted."""
    en = lang == "en"
    n, rnd, est = r["rounds_12m"], r.get("round_12m"), bool(r.get("amount_estimated_12m"))
    conv = bool(r.get("amount_converted_12m")) and not est
    label = (ROUND_LABELS_EN if en else ROUND_LABELS_ZH).get(rnd, rnd or "")
    amt = money(r.get("amount_12m"), lang)
    said = r.get("amount_text_12m") if (est or conv) and n == 1 else None  # one round: its own words
    if en:
        s = f"raised {count_en(n, 'round')} in the last 12 months" + (f" (latest {label})" if label else "")
        if not amt:
            return s + ", amount undisclosed"
        if said:
            return s + f", {amount_en(said)} ({'est.' if est else 'about'} {amt})"
        return s + (f", about {amt}" + (" in total, partly estimated" if n > 1 else ", estimated") if est
                    else f", about {amt} in total, partly converted from another currency" if conv
                    else f", {amt} disclosed")
    if n == 1:
        if not amt:
            return f"近12个月完成{label}融资（金额未披露）"
        return f"近12个月完成{label}融资" + (f"{amount_zh(said)}（{'估约' if est else '折合约'}{amt}）" if said
                                         else f"约{amt}（估算）" if est else amt)
    total = (f"共约{amt}（部分金额为估算）" if est else f"共约{amt}（部分金额由外币折算）" if conv
             else f"共{amt}") if amt else "（金额未披露）"
    return f"近12个月完成{n}轮融资{total}" + (f"（最近一轮{label}）" if label else "")


def reasons(r: dict, seg_name: tuple[str, str], lang: str = "zh") -> list[str]:
    """Sentences for the signals that speak for (or against) the lead, strongest evidence first."""
    en = lang == "en"
    out = []
    if r["rounds_12m"]:
        out.append(_funding(r, lang))
    if r["branches_24m"]:
        cities = _cities(r.get("branch_cities_en" if en else "branch_cities") or [], lang)
        what = count_en(r["branches_24m"], "branch or subsidiary", "branches or subsidiaries")
        out.append(f"opened {what} in {cities} in the last 24 months" if en else f"近24个月在{cities}新设{r['branches_24m']}家分支机构")
    grow = r["patents_24m"] - r["patents_prev_24m"]
    if r["patents_24m"] and grow > 0:
        out.append(f"{count_en(r['patents_24m'], 'patent application')} in the last 24 months, {grow} more than the 24 before" if en
                   else f"近24个月申请专利{r['patents_24m']}件，比前24个月多{grow}件")
    if r["expansion_news"]:
        out.append(f"{count_en(r['expansion_news'], 'expansion news item')} in the last 12 months" if en
                   else f"近12个月有{r['expansion_news']}条扩张类新闻")
    zh, enn = seg_name
    if r["is_gap"] or r["is_recommended"]:
        what = [w for w, ok in ((("a gap" if en else "补链环节"), r["is_gap"]),
                                (("recommended" if en else "推荐引进环节"), r["is_recommended"])) if ok]
        out.append(f"its segment {enn} is {' and '.join(what)} for the region" if en
                   else f"所属环节「{zh}」是本地{'、'.join(what)}")
    if r["demands"]:
        out.append(f"{count_en(r['demands'], 'open local demand')} in its segment" if en
                   else f"本地有{r['demands']}项开放需求与其环节匹配")
    if r["local_ties"]:
        kind = TIE_KIND.get(r.get("tie_kind") or "", ("有关联", "is related to it"))
        more = r["local_ties"] - 1
        if en:
            out.append(f"local enterprise {r['tie_example']} {kind[1]}" + (f" (and {more} more)" if more else ""))
        elif r.get("tie_kind") == "co_applicant":
            out.append(f"与本地企业{r['tie_example']}联合申请专利" + (f"（另有{more}家本地关联企业）" if more else ""))
        else:
            out.append(f"与本地企业{r['tie_example']}有投资关系" + (f"（另有{more}家本地关联企业）" if more else ""))
    if r.get("reach_path") is not None:  # the strength only: equally strong paths may start elsewhere
        shown = strength_text(r["reach_strength"])  # as the paths' page and ``zhaoshang reach`` print it
        out.append(f"reachable from the region through the relationship graph (path strength {shown})" if en
                   else f"可经本地关系网络触达（路径强度{shown}）")
    if r["negative_news"]:
        out.append(f"caution: {count_en(r['negative_news'], 'strongly negative news item')} in the last 12 months" if en
                   else f"注意：近12个月有{r['negative_news']}条强烈负面新闻（已扣分）")
    return out


def explain(r: dict, cfg: dict, present: dict, as_of, params: dict) -> Explained:
    """The lead score with one part per signal; absent signals are listed with no weight (confidence)."""
    w = {k: float(v["weight"]) for k, v in cfg["signals"].items()}
    W = sum(v for k, v in w.items() if present.get(k)) or 1.0
    fit = [w for w, ok in (("gap", r["is_gap"]), ("recommended", r["is_recommended"])) if ok]
    # raw: the number the signal is measured by; detail: what else it rests on
    raw = {"funding": (r["rounds_12m"], {"amount_wan": r.get("amount_12m"), "round": r.get("round_12m"),
                                         "amount_estimated": bool(r.get("amount_estimated_12m"))}),
           "branches": (r["branches_24m"], {"cities": r.get("branch_cities")}),
           "patents": (r["patents_24m"] - r["patents_prev_24m"],
                       {"recent_24m": r["patents_24m"], "previous_24m": r["patents_prev_24m"]}),
           "expansion_news": (r["expansion_news"], {}), "segment_fit": ("+".join(fit) or None, {"segment": r["segment"],
                                                                    "placement_confidence": r.get("node_confidence")}),
           "demands": (r["demands"], {"example": r.get("demand_example")}),
           "local_ties": (r["local_ties"], {"example": r.get("tie_example"), "example_id": r.get("tie_example_id"),
                                            "kind": r.get("tie_kind")}),
           "reachability": (r.get("reach_strength"), {"path": _path(r.get("reach_path"), "zh"),
                                                      "path_en": _path(r.get("reach_path"), "en"),
                                                      **_private_names(r.get("reach_path"))})}
    rows = signal_rows(r, as_of, params.get("region"))
    parts = []
    for k, wk in w.items():
        nv = r.get(f"n_{k}")
        ok = present.get(k) and nv is not None  # measurable but not measured for this lead: counted 0 (W), absent
        value, more = raw.get(k, (None, {}))
        if present.get(k) and nv is None:
            more = {**more, "not_measured": True}
        parts.append(Part(signal=k, label=SIGNAL_LABELS[k][0], raw=value,
                          normalised=None if not ok else round(float(nv), 4),
                          weight=round(wk / W, 4) if ok else None,
                          contribution=round(100.0 * wk * float(nv) / W, 2) if ok else None,
                          detail={"group": cfg["signals"][k]["group"], "absent": not ok, "label_en": SIGNAL_LABELS[k][1],
                                  **more}, evidence=rows.get(k) if present.get(k) else None))
    if present.get("negative_news"):
        parts.append(Part(signal="negative_news", label=SIGNAL_LABELS["negative_news"][0], raw=r["negative_news"],
                          normalised=float(min(2, r["negative_news"])), weight=-float(cfg["risk"]["penalty"]),
                          contribution=-round(float(r["risk_penalty"]), 2),
                          detail={"group": "risk", "absent": False, "label_en": SIGNAL_LABELS["negative_news"][1]},
                          evidence=rows.get("negative_news")))
    conf = sum(v for k, v in w.items() if present.get(k) and r.get(f"n_{k}") is not None) / (sum(w.values()) or 1.0)
    eid = r["enterprise_id"]
    value = max(0.0, sum(p.contribution for p in parts if p.contribution is not None))
    return Explained(value=round(value, 2), method="lead-signals", version=cfg.get("version", "leads-1"),
                     params=params, parts=parts, confidence=round(conf, 4), as_of=as_of, formula=FORMULA,
                     evidence=[Ref("enterprises", [eid], items=[{"id": eid, "label": r.get("name"),  # as of the list's day
                                                                 "href": enterprise_href(eid, as_of)}])]
                     + [x for p in parts for x in (p.evidence or []) if x.ids])


def _private_names(x: Explained | None) -> dict:
    """The names on a reach path of persons who hold shares (``private_names``, each hop's ``private``): masked in the
    path for a role without ``personal`` (services.privacy.present_text), as everywhere else they are shown."""
    names = sorted({n for p in (x.parts if x is not None else []) for n in (p.detail or {}).get("private", [])})
    return {"private_names": names} if names else {}


def _path(x: Explained | None, lang: str) -> list[str]:
    """A reach path as read: its start, then each hop with its relation (``ties.hop_label``), as the reach service
    gives them (a hop between two records of one person under one name is not among them: ``graph.reach``; it is
    said after the name the path goes on from, as the relations page and ``zhaoshang reach`` say it: ``noted``)."""
    if x is None:
        return []
    from ..graph.ties import hop_label, load_ties
    from ..identity_reasons import noted

    model = load_ties()  # the model of the leads' graph (services.graph.reach.reach_strength: the default)
    return [noted(str(p.raw) if p.signal == "origin" else
                  f"{p.raw}（{hop_label(model, p.signal, lang, (p.detail or {}).get('title'))}）" if lang != "en" else
                  f"{p.raw} ({hop_label(model, p.signal, lang, (p.detail or {}).get('title'))})",
                  (p.detail or {}).get("same_person"), lang)
            for p in x.parts]


def _item(table: str, ident, label: str | None, eid, as_of, label_en: str | None = None, key=None) -> dict:
    """One counted row for a reader: its number (``key``: a demand's own number, else the row id), what it is, and
    the page where it can be checked (``core.explain.row_href``)."""
    out = {"id": key if key is not None else ident, "label": label,
           "href": row_href(table, key if key is not None else ident, enterprise_id=eid, as_of=as_of)}
    if label_en is not None and label_en != label:
        out["label_en"] = label_en
    return out


def signal_rows(r: dict, as_of, region) -> dict[str, list[Ref]]:
    """The rows each signal counted, named and linked (docs/methods.md, "Leads", "The rows behind a lead"): the
    rounds, branches (with their cities), patent applications and news items on the enterprise's profile, the open
    demands by their own number on their pages, the local enterprises of its ties on theirs (and, for a district's
    list, its branches in the district's city whose district is unknown: said, not counted), the reach path's hops
    by the rows they rest on. Only the first row of a hop's evidence is kept (``graph.reach``)."""
    eid, d = r["enterprise_id"], as_of
    day = lambda v: v.isoformat() if hasattr(v, "isoformat") else (v or "")  # noqa: E731
    out: dict[str, list[Ref]] = {}
    rounds = r.get("round_rows") or []
    if rounds:
        out["funding"] = [Ref("fundings", [x["id"] for x in rounds], items=[
            _item("fundings", x["id"], f"{ROUND_LABELS_ZH.get(x['round'], x['round'] or '')} {day(x['date'])}".strip(), eid, d,
                  f"{ROUND_LABELS_EN.get(x['round'], x['round'] or '')} {day(x['date'])}".strip()) for x in rounds])]
    branches = r.get("branch_rows") or []
    if branches:
        out["branches"] = [Ref("branches", [x["id"] for x in branches], items=[
            _item("branches", x["id"], f"{x['city']} · {x['name']} {day(x['date'])}", eid, d,
                  f"{x['city_en']} · {x['name']} {day(x['date'])}") for x in branches])]
    pats = sorted(r.get("patent_rows") or [], key=lambda x: (str(x["applied"]), x["id"]), reverse=True)
    if pats:
        out["patents"] = [Ref("patents", [x["id"] for x in pats], note="近24个月申请 / applied in the last 24 months",
                              items=[_item("patents", x["id"], f"{x['number'] or '#' + str(x['id'])} {day(x['applied'])}",
                                           eid, d) for x in pats])]
    for sig, col in (("expansion_news", "expansion_news_rows"), ("negative_news", "negative_news_rows")):
        news = sorted(r.get(col) or [], key=lambda x: (str(x["day"]), x["id"]), reverse=True)
        if news:
            out[sig] = [Ref("news", [x["id"] for x in news],
                            items=[_item("news", x["id"], day(x["day"]), eid, d) for x in news])]
    dem = r.get("demand_refs") or []
    if dem:
        out["demands"] = [Ref("demands", [x["id"] for x in dem],
                              items=[_item("demands", x["id"], x["title"], eid, d, key=x["ref"]) for x in dem])]
    ties = sorted(r.get("tie_rows") or [], key=lambda x: (x["kind"], x["id"]))
    near = r.get("near_rows") or []
    if ties or near:
        out["local_ties"] = ([Ref("enterprises", sorted({x["id"] for x in ties}), items=[
            _item("enterprises", x["id"], f"{x['name']}（{TIE_KIND.get(x['kind'], ('', ''))[0]}）", eid, d,
                  f"{x['name']} ({TIE_KIND.get(x['kind'], ('', ''))[1]})") for x in ties])] if ties else []) + (
            [Ref("branches", [x["id"] for x in near], note="区县未知，未计入 / district unknown, not counted",
                 items=[_item("branches", x["id"], f"{x['name']}（区县未知）", eid, d, f"{x['name']} (district unknown)")
                        for x in near])] if near else [])
    path = r.get("reach_path")
    if path is not None:  # each hop by its relation and the row it rests on: the names stay in the path (masked there)
        from ..graph.ties import hop_label, load_ties

        model = load_ties()
        hops = [p for p in path.parts if p.signal != "origin"]
        refs = [x for x in path.evidence[1:] if x.ids]
        items = [{"id": None, "label": "关键人触达路径", "label_en": "reach paths",
                  "href": relations_href(eid, from_region=region, as_of=d)}]
        paired = zip(hops, refs) if len(hops) == len(refs) else ((None, x) for x in refs)
        items += [{"id": x.ids[0], "table": x.table,
                   "label": (f"{hop_label(model, h.signal, 'zh', (h.detail or {}).get('title'))}（{x.table}）" if h else x.table),
                   "label_en": (f"{hop_label(model, h.signal, 'en', (h.detail or {}).get('title'))} ({x.table})" if h else x.table),
                   "href": row_href(x.table, x.ids[0], as_of=d)} for h, x in paired]
        out["reachability"] = [Ref("reach_path", [i["id"] for i in items[1:]],
                                   note="各跳所依据的记录 / the row each hop rests on", items=items)]
    return out
