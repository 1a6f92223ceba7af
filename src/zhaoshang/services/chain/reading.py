"""A chain placement's explained result in one sentence (``core.explain.reading``), Chinese or English.

Built from the stored parts alone and saying what the classification did: which keywords placed the
enterprise on the node (field, tier, weight), the patents, industry code and related enterprises that added to
the rule score, the rule confidence, then the trained model's check (``model.Model.keep``): the enterprise's
probability of AI business against the gate, the node model's probability against its threshold, and which
rule kept the placement — the rules sure enough (confidence ≥ ``keep_confidence``), the node model agreeing,
no node model for the node, or none of these, when it stands as the enterprise's surest rule node (an
enterprise the gate accepts keeps at least one). A placement of the pair reader (pairs.py) says the words and fields
that placed the enterprise and how sure the model is, in words with the number (``core.explain.confidence_words``:
较高（70%）), against its bar; the features that weighed most are named in words for the profile's data and method
(``top_features``), never in the sentence. Analyst decisions and declared labels say who or which source placed it.
Registered for the methods ``rules``, ``analyst`` and ``declared``; docs/methods.md, "Chain classification", "In
words".
"""

from __future__ import annotations

import re
from typing import Any

from ...core import explain
from ...core.errors import count_en
from ...core.explain import Explained, Part
from ...core.parse.dates import china_time_text

# the one table of the fields a placement's keywords stand in: this sentence and the pages' signal tables
# (interfaces/web/i18n.py, ``field.*``) read it
FIELDS = {"name": ("名称", "name"), "products": ("产品", "products"), "products_rest": ("其他产品", "other products"),
          "products_side": ("副线产品（营收占比低）", "side product lines (small revenue share)"), "description": ("简介", "description"),
          "applications": ("简介的应用领域", "applications in the description"), "industry": ("行业", "industry"),
          "scope": ("经营范围", "registered scope"), "scope_rest": ("经营范围（其余）", "rest of the registered scope"),
          "tags": ("标签", "tags")}
TIERS = {"strong": ("强关键词", "strong keyword"), "medium": ("中等关键词", "medium keyword"),
         "weak": ("弱关键词", "weak keyword"), "industry": ("行业名称", "industry name")}
ACTIONS = {"add": ("新增", "added"), "confirm": ("确认", "confirmed"), "remove": ("移除", "removed")}
# an add of a node the rules place the enterprise on (after a removal) is applied as a confirmation, and read so
ADD_CONFIRMS = ("加回并确认", "added back and confirmed")
SHOWN_KEYWORDS = 3


def _n(v: Any) -> str:
    """A number as an analyst reads it: two decimals, small probabilities with two significant digits."""
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return str(v)
    v = float(v)
    return f"{v:.2f}" if abs(v) >= 0.1 or v == 0 else f"{v:.2g}"


def _z(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


def _pair(table: dict, key: Any, lang: str) -> str:
    zh_en = table.get(key)
    return (zh_en[1] if lang == "en" else zh_en[0]) if zh_en else str(key)


def _part(x: Explained, signal: str) -> Part | None:
    return next((p for p in x.parts if p.signal == signal), None)


def _contrib(p: Part | None) -> float:
    c = p.contribution if p is not None else None
    return float(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else 0.0


def _industries(d: dict, kws: list[dict], lang: str) -> str | None:
    """An enterprise whose sources give more than one industry: the value that matched and the source that gave it
    (the rules' reading and the pair reader's alike)."""
    inds = [i for i in d.get("industries") or [] if isinstance(i, dict) and i.get("source")]
    if not inds or not any(k.get("field") == "industry" for k in kws):
        return None
    return _z(lang, "行业取值" + "、".join(f"『{i.get('value')}』（来源 {i.get('source')}）" for i in inds),
              ("the industry values " if len(inds) > 1 else "the industry value ")
              + ", ".join(f"{i.get('value')} (source {i.get('source')})" for i in inds))


def _text(p: Part | None, node: str, lang: str, alone: bool) -> str | None:
    d = (p.detail if p is not None else None) or {}
    kws = [k for k in d.get("keywords") or [] if isinstance(k, dict)]
    negs = [k for k in d.get("negatives") or [] if isinstance(k, dict)]
    if not kws and not negs:
        return None
    out = []
    if len(kws) == 1:
        k = kws[0]
        f, tier = _pair(FIELDS, k.get("field"), lang), _pair(TIERS, k.get("tier"), lang)
        out.append(_z(lang, f"{f}『{k.get('keyword')}』命中 {node} 的{tier}（权重 {_n(k.get('weight'))}）",
                      f"the {tier} {k.get('keyword')} in its {f} matches {node} (weight {_n(k.get('weight'))})"))
    elif kws:
        items = [_z(lang, f"{_pair(FIELDS, k.get('field'), lang)}『{k.get('keyword')}』（{_pair(TIERS, k.get('tier'), lang)}，"
                          f"权重 {_n(k.get('weight'))}）",
                    f"{k.get('keyword')} in its {_pair(FIELDS, k.get('field'), lang)} ({_pair(TIERS, k.get('tier'), lang)}, "
                    f"weight {_n(k.get('weight'))})") for k in kws[:SHOWN_KEYWORDS]]
        more = len(kws) - SHOWN_KEYWORDS
        rest = _z(lang, f"等 {len(kws)} 个", f" and {more} more") if more > 0 else ""
        out.append(_z(lang, f"命中 {node} 的关键词：{'、'.join(items)}{rest}",
                      f"keywords matching {node}: {', '.join(items)}{rest}"))
    inds = _industries(d, kws, lang)
    if inds:
        out.append(inds)
    firm = sum(float(k.get("weight") or 0) for k in kws if k.get("tier") in ("strong", "industry"))
    if kws and not negs and sum(float(k.get("weight") or 0) for k in kws) > _contrib(p) + 0.005:
        # medium and weak keywords only support: their sum is capped (support_cap)
        out.append(_z(lang, f"中、弱关键词合计只计 {_n(_contrib(p) - firm)}",
                      f"medium and weak keywords count {_n(_contrib(p) - firm)} together at most"))
    if negs:
        words = _z(lang, "、", ", ").join(f"『{k.get('keyword')}』" if lang != "en" else str(k.get("keyword")) for k in negs)
        out.append(_z(lang, f"否定词 {words} 扣分", f"the negative phrase {words} subtracts"))
    if not alone:  # beside patents, codes or relations: the text's own share
        out.append(_z(lang, f"文本得分 {_n(_contrib(p))}", f"text score {_n(_contrib(p))}"))
    return _z(lang, "，", ", ").join(out)


def _others(x: Explained, lang: str) -> list[str]:
    out = []
    ipc = _part(x, "ipc")
    if _contrib(ipc):
        classes = " ".join(str(c) for c in ((ipc.detail or {}).get("classes") or [])[:5])
        out.append(_z(lang, f"专利 {ipc.raw} 件（IPC {classes}）加 {_n(_contrib(ipc))}",
                      f"{ipc.raw} patents (IPC {classes}) add {_n(_contrib(ipc))}"))
    ic = _part(x, "industry_code")
    if _contrib(ic):
        out.append(_z(lang, f"行业代码 {ic.raw} 属本环节，加 {_n(_contrib(ic))}",
                      f"its industry code {ic.raw} belongs to the node, adding {_n(_contrib(ic))}"))
    rel = _part(x, "relation")
    if _contrib(rel):
        related = [r for r in (rel.detail or {}).get("related") or [] if isinstance(r, dict)]
        who = _z(lang, "、", ", ").join(f"#{r.get('id')}（{r.get('role')}，{_n(r.get('confidence'))}）" if lang != "en"
                                       else f"#{r.get('id')} ({r.get('role')}, {_n(r.get('confidence'))})" for r in related[:3])
        out.append(_z(lang, f"关联企业 {who} 在本环节，加 {_n(_contrib(rel))}",
                      f"related enterprises on the node {who} add {_n(_contrib(rel))}"))
    return out


def _model(p: Part, node: str, confidence: Any, lang: str) -> str:
    """What ``model.Model.keep`` and the surest-node rule decided, from the numbers the check stored."""
    d = p.detail or {}
    p_chain, p_node = d.get("p_chain", p.raw), d.get("p_node", p.normalised)
    gate, thr, keep = d.get("gate"), d.get("node_threshold"), d.get("keep_confidence")
    checked = p.label or node
    where = _z(lang, f"（复核的是上级环节 {checked}）", f" (its parent {checked} is what the model checks)") if checked != node else ""
    sure = explain.confidence_words(p_chain, lang) or _n(p_chain)
    head = _z(lang, f"模型复核{where}：判断属 AI 的把握{sure}，达到 AI 门槛 {_pct(gate)}，通过",
              f"the model's check{where}: its confidence that the business is AI is {sure}, at or above its gate {_pct(gate)}")
    conf = float(confidence) if isinstance(confidence, (int, float)) else None
    if conf is not None and isinstance(keep, (int, float)) and conf >= keep:
        return head + _z(lang, f"；规则置信度 {_n(conf)} 达到直接保留线 {_n(keep)}，不看环节模型，予以保留",
                         f"; the rule confidence {_n(conf)} reaches the keep line {_n(keep)}, so it is kept whatever the node model says")
    if p_node is None:
        return head + _z(lang, f"；{checked} 没有环节模型，予以保留", f"; there is no node model for {checked}, so it is kept")
    node_sure = explain.confidence_words(p_node, lang) or _n(p_node)
    if isinstance(thr, (int, float)) and p_node >= thr:
        return head + _z(lang, f"；{checked} 的环节模型也判断属于该环节（把握{node_sure}，达到 {_pct(thr)}），予以保留",
                         f"; the node model agrees ({checked} {node_sure}, at or above {_pct(thr)}), so it is kept")
    # a keep line no confidence reaches (confidence < 1) is not worth a clause
    below = _z(lang, f"，规则置信度 {_n(conf)} 也低于直接保留线 {_n(keep)}", f", and the rule confidence {_n(conf)} is below the keep line {_n(keep)} too") \
        if conf is not None and isinstance(keep, (int, float)) and keep <= 1 else ""
    return head + _z(lang, f"；{checked} 的环节模型判断不属于该环节（把握{node_sure}，低于 {_pct(thr)}）{below}；"
                           f"保留是因为它是该企业规则得分最高的环节（通过 AI 门槛的企业至少保留一个环节）",
                     f"; the node model disagrees ({checked} {node_sure}, below {_pct(thr)}){below}; "
                     f"it is kept only as the enterprise's surest rule node (an enterprise that passes the gate keeps at least one)")


# the pair reader's features (pairs.py, ``pair_features``, ``build_pairs``, ``with_check``) in words: a placement stores
# them so named (``named_features``), never by the model's internal feature names
FEATURES = {
    "n_cands": ("候选环节数", "number of candidate nodes"), "n_occ": ("命中次数", "occurrences of its words"),
    "n_words": ("命中词数", "number of its words found"), "n_fields": ("命中字段数", "number of fields holding its words"),
    "main_strong": ("主要字段中的强关键词", "a strong keyword in a main field"),
    "rule_conf": ("规则置信度", "the rules' confidence"), "rule_placed": ("规则已归入", "placed by the rules"),
    "rule_rank_inv": ("规则排名", "the rules' rank of the node"),
    "rule_share": ("相对规则最高环节的置信度", "confidence against the rules' surest node"),
    "scope_only": ("仅有经营范围", "a registered scope alone"),
    "chk_node": ("复核模型的环节概率", "the check's probability for the node"),
    "chk_node_missing": ("该环节无复核模型", "no node model for the node"),
    "chk_gate": ("复核模型属 AI 概率", "the check's P(AI)"),
}
PLACES = {"app": ("应用领域句", "an applications clause"), "head": ("开头", "the head"), "rest": ("其余部分", "the rest")}
ITEMS = {"0": ("第 1 项", "item 1"), "1-2": ("第 2–3 项", "items 2–3"), "3+": ("第 4 项以后", "item 4 or later")}
# the characters around a word: L/R any run in the few characters before or after it, L1/R1 the one next to it,
# L2/R2 the two next to it
SIDES = {"L": ("词前文字含", "shortly before the word"), "R": ("词后文字含", "shortly after the word"),
         "L1": ("词前一字", "the character before the word:"), "R1": ("词后一字", "the character after the word:"),
         "L2": ("词前两字", "the two characters before the word:"), "R2": ("词后两字", "the two characters after the word:")}


def feature_text(name: str, lang: str) -> str:
    """One feature of the pair reader as an analyst reads it: 候选环节数, 词前一字「、」, 产品中的强关键词 … — never the
    model's own token (``L:、``, ``C:□``)."""
    if name in FEATURES:
        return _pair(FEATURES, name, lang)
    m = re.fullmatch(r"([A-Za-z]+\d?)([=:])(.*)", name, re.S)
    if not m:
        return name
    kind, _, val = m.groups()
    parts = val.split("|")
    if kind in SIDES:
        zh, en = SIDES[kind]
        return _z(lang, f"{zh}「{val}」", f"“{val}” {en}" if kind in ("L", "R") else f"{en} “{val}”")
    if kind == "C":  # the clause the word stands in, □ for the word itself (every occurrence has "□": the baseline)
        if val == "□":
            return _z(lang, "基准项（每个命中的词都有）", "the baseline (every word found has it)")
        if val.endswith("□"):
            return _z(lang, f"同一分句中紧接词前「{val[:-1]}」", f"“{val[:-1]}” right before the word in its clause")
        if val.startswith("□"):
            return _z(lang, f"同一分句中紧接词后「{val[1:]}」", f"“{val[1:]}” right after the word in its clause")
        return _z(lang, f"所在分句含「{val}」", f"its clause holds “{val}”")
    if kind == "w":
        return _z(lang, f"词「{val}」", f"the word {val}")
    if kind == "n":
        return _z(lang, f"环节 {val}", f"the node {val}")
    if kind in ("f", "kind"):
        return _z(lang, f"有{_pair(FIELDS, val, lang)}证据", f"evidence in its {_pair(FIELDS, val, lang)}")
    if kind == "t":
        return _z(lang, f"{_pair(TIERS, val, lang)}", f"{_pair(TIERS, val, lang)}")
    if len(parts) == 2:
        a, b = parts
        if kind == "ft":
            return _z(lang, f"{_pair(FIELDS, a, lang)}中的{_pair(TIERS, b, lang)}", f"{_pair(TIERS, b, lang)} in its {_pair(FIELDS, a, lang)}")
        if kind == "nt":
            return _z(lang, f"{a} 的{_pair(TIERS, b, lang)}", f"{_pair(TIERS, b, lang)} of {a}")
        if kind == "nf":
            return _z(lang, f"{a} 的词在{_pair(FIELDS, b, lang)}", f"words of {a} in its {_pair(FIELDS, b, lang)}")
        if kind == "pos":
            return _z(lang, f"词在{_pair(FIELDS, a, lang)}的{_pair(PLACES, b, lang)}",
                      f"a word in {_pair(PLACES, b, lang)} of its {_pair(FIELDS, a, lang)}")
        if kind == "ptier":
            return _z(lang, f"{_pair(TIERS, a, lang)}在{_pair(PLACES, b, lang)}", f"{_pair(TIERS, a, lang)} in {_pair(PLACES, b, lang)}")
        if kind == "item":
            return _z(lang, f"词在{_pair(FIELDS, a, lang)}的{_pair(ITEMS, b, lang)}",
                      f"a word in {_pair(ITEMS, b, lang)} of its {_pair(FIELDS, a, lang)}")
        if kind == "itier":
            return _z(lang, f"{_pair(TIERS, a, lang)}在{_pair(ITEMS, b, lang)}", f"{_pair(TIERS, a, lang)} in {_pair(ITEMS, b, lang)}")
    return name


def named_features(top: list[tuple[str, float]]) -> list[dict]:
    """The pair model's weightiest features as a placement stores them (``detail.top``): each named in both
    languages with its weight, so the stored evidence (and its export) holds no internal feature token."""
    return [{"zh": feature_text(str(f), "zh"), "en": feature_text(str(f), "en"), "weight": v} for f, v in top]


def top_features(detail: dict | None, lang: str) -> list[tuple[str, float]]:
    """(name in words, weight) of the features stored in ``detail.top``: the named form, or an earlier run's
    [feature, weight] pairs named here."""
    out = []
    for t in (detail or {}).get("top") or []:
        if isinstance(t, dict) and isinstance(t.get("weight"), (int, float)):
            out.append((str(t.get("en" if lang == "en" else "zh") or t.get("zh")), float(t["weight"])))
        elif isinstance(t, (list, tuple)) and len(t) == 2 and isinstance(t[1], (int, float)):
            out.append((feature_text(str(t[0]), lang), float(t[1])))
    return out


def _words(p: Part | None, lang: str) -> str | None:
    """The words that placed it, where they stand: 经营范围中的「语音识别」 / 语音识别 in its registered scope."""
    kws = [k for k in ((p.detail if p is not None else None) or {}).get("keywords") or [] if isinstance(k, dict)]
    if not kws:
        return None
    items = [_z(lang, f"{_pair(FIELDS, k.get('field'), lang)}中的「{k.get('keyword')}」",
                f"{k.get('keyword')} in its {_pair(FIELDS, k.get('field'), lang)}") for k in kws[:SHOWN_KEYWORDS]]
    more = len(kws) - SHOWN_KEYWORDS
    rest = _z(lang, f"等 {len(kws)} 个词", f" and {count_en(more, 'more word')}") if more > 0 else ""
    return _z(lang, "、".join(items) + rest, ", ".join(items) + rest)


def _plain_others(x: Explained, lang: str) -> list[str]:
    """Patents, industry code and related enterprises beside the words, without the rule score's numbers."""
    out = []
    ipc = _part(x, "ipc")
    if _contrib(ipc):
        classes = " ".join(str(c) for c in ((ipc.detail or {}).get("classes") or [])[:5])
        out.append(_z(lang, f"专利 {ipc.raw} 件（IPC {classes}）", f"{ipc.raw} patents (IPC {classes})"))
    ic = _part(x, "industry_code")
    if _contrib(ic):
        out.append(_z(lang, f"行业代码 {ic.raw}", f"its industry code {ic.raw}"))
    rel = _part(x, "relation")
    if _contrib(rel):
        related = [r for r in (rel.detail or {}).get("related") or [] if isinstance(r, dict)]
        who = _z(lang, "、", ", ").join(f"#{r.get('id')}" for r in related[:3])
        out.append(_z(lang, f"本环节的关联企业 {who}", f"related enterprises on the node ({who})"))
    return out


def _pct(v: Any) -> str:
    return f"{float(v) * 100:.0f}%" if isinstance(v, (int, float)) and not isinstance(v, bool) else "—"


def _pairs(x: Explained, p: Part, node: str, lang: str) -> str:
    """What the pair reader (pairs.py) decided, as an analyst acts on it: the words and fields that placed the
    enterprise, what else backs the node, and how sure the model is in words with its percentage (the placement's
    confidence; ``core.explain.confidence_words``) against its bar. The features that weighed most are not in the
    sentence: the profile lists them under its data and method (``top_features``). A sub-node the rules placed under
    a node the pair reader placed carries that node's part (``label``): the sentence says the model judged the parent."""
    d = p.detail or {}
    read = str(p.label or node)
    text = _part(x, "text")
    words = _words(text, lang)
    others = _plain_others(x, lang)
    found = _z(lang, "，另有".join(filter(None, [words, "、".join(others)])),
               ", with ".join(filter(None, [words, ", ".join(others)]))) or _z(lang, "没有记录的文字证据", "no recorded words")
    td = (text.detail if text is not None else None) or {}
    inds = _industries(td, [k for k in td.get("keywords") or [] if isinstance(k, dict)], lang)
    if inds:
        found += _z(lang, f"，{inds}", f"; {inds}")
    negs = [k for k in td.get("negatives") or [] if isinstance(k, dict)]
    if negs:
        found += _z(lang, "（否定词 " + "、".join(f"「{k.get('keyword')}」" for k in negs) + " 扣分）",
                    " (less for the negative phrase " + ", ".join(str(k.get("keyword")) for k in negs) + ")")
    rc = d.get("rule_confidence")
    if rc is None and read == node:
        found += _z(lang, "（规则单独不足以归入）", " (the rules alone fell short)")
    sure = explain.confidence_words(d.get("p_pair", p.raw), lang)
    held = d.get("held_to_best")
    best = ""
    if held and d.get("row_best") is not None and d.get("p_pair") is not None and d["p_pair"] >= d["row_best"]:
        best = _z(lang, "，为本企业把握最高的环节", ", its surest node for this enterprise")
    elif held and d.get("row_best") is not None:
        best = _z(lang, f"（本企业把握最高的环节为 {_pct(d.get('row_best'))}）",
                  f" (its surest node for this enterprise: {_pct(d.get('row_best'))})")
    bar = _z(lang, f"；模型把握达到 {_pct(d.get('bar'))} 即归入", f"; a node is placed at {_pct(d.get('bar'))} or more") \
        if d.get("bar") is not None else ""
    if read != node:
        own = explain.confidence_words(x.confidence, lang)
        return _z(lang, f"归入 {node} 的依据：{found}；{node} 是 {read} 之下的细分环节，随 {read} 归入；"
                        f"模型判断上级环节 {read} 的把握：{sure}{best}{bar}；规则判断 {node} 的把握：{own}",
                  f"Placed on {node} by {found}; {node} is a sub-node of {read} and stands with it; "
                  f"the model's confidence in its parent {read}: {sure}{best}{bar}; the rules' confidence in {node}: {own}")
    return _z(lang, f"归入 {node} 的依据：{found}；模型判断该环节的把握：{sure}{best}{bar}",
              f"Placed on {node} by {found}; the model's confidence in this node: {sure}{best}{bar}")


def decided_text(at: Any) -> str:
    """A decision's time, stored by the team state's clock (UTC) and carried in a placement as text without its
    zone, read as UTC and said as every time shown: China's, its zone said (2026-12-03 15:11:00 (UTC+8))."""
    at = str(at or "")
    return (china_time_text(at if at.endswith("Z") or "+" in at[10:] else f"{at}+00:00") or "") if at else ""


def decision_note(user: Any, at: Any) -> str:
    """The note of the decision row a placement rests on: who decided and when (``decided_text``)."""
    return " ".join(x for x in (str(user or ""), decided_text(at)) if x)


def with_decision_notes(x: Explained) -> Explained:
    """A placement as shown: each decision row's note said from its decision (``decision_note``), whatever the
    stored note says — one written before the note gave China's time kept the UTC time, unlabelled, with
    microseconds, until the enterprise was classified again. Decisions and their rows are appended in pairs."""
    refs = [r for r in x.evidence if r.table == "placement_corrections"]
    parts = [p for p in x.parts if p.signal in ACTIONS and isinstance(p.detail, dict) and "at" in p.detail]
    for r, p in zip(refs, parts):
        r.note = decision_note(p.detail.get("user"), p.detail.get("at"))
    return x


def _decision(p: Part, lang: str, confirms: bool = False) -> str:
    """One analyst decision; ``confirms``: on a placement the rules (or an import) make, where an add confirms it."""
    d = p.detail or {}
    act = _z(lang, *ADD_CONFIRMS) if confirms and p.signal == "add" else _pair(ACTIONS, p.signal, lang)
    at = decided_text(d.get("at"))
    reason = d.get("reason") or p.label
    why = _z(lang, f"，理由：{reason}", f", reason: {reason}") if reason else ""
    return _z(lang, f"分析师 {d.get('user') or '—'} 于 {at} {act}{why}", f"{act} by the analyst {d.get('user') or '—'} on {at}{why}")


def read_rules(x: Explained, lang: str) -> str:
    node = str(x.value)
    sep = _z(lang, "；", "; ")
    pairs = _part(x, "pairs")
    if pairs is not None:  # placed by the pair reader: its probability is the confidence
        out = [_pairs(x, pairs, node, lang)]
        out += [_decision(p, lang, True) for p in x.parts if p.signal in ACTIONS]
        return sep.join(out) + _z(lang, "。", ".")
    others = _others(x, lang)
    found = [s for s in (_text(_part(x, "text"), node, lang, not others), *others) if s]
    rule = sep.join(found) if found else _z(lang, "没有记录的规则证据", "no rule evidence recorded")
    conf = x.confidence
    sure = explain.confidence_words(conf, lang)
    said = _z(lang, f"；规则判断该环节的把握：{sure}" if sure else "", f"; the rules' confidence in this node: {sure}" if sure else "")
    out = [_z(lang, f"{rule}（规则得分 {_n(x.total)}，置信度 {_n(conf)}）{said}",
              f"Placed by the rules: {rule} (rule score {_n(x.total)}, confidence {_n(conf)}){said}")]
    model = _part(x, "model")
    if model is not None:
        out.append(_model(model, node, conf, lang))
    out += [_decision(p, lang, True) for p in x.parts if p.signal in ACTIONS]
    return sep.join(out) + _z(lang, "。", ".")


def read_analyst(x: Explained, lang: str) -> str:
    ds = [_decision(p, lang) for p in x.parts if p.signal in ACTIONS]
    sep = _z(lang, "；", "; ")
    head = _z(lang, f"人工归入 {x.value}，不经规则与模型", f"Placed on {x.value} by an analyst, not by the rules or the model")
    return sep.join([head, *ds]) + _z(lang, "。", ".")


def read_declared(x: Explained, lang: str) -> str:
    p = _part(x, "declared")
    d = (p.detail if p is not None else None) or {}
    label = p.label if p is not None else None
    return _z(lang, f"导入来源 {d.get('source') or '—'} 自带的标签『{label}』声明为 {x.value}（来源键 {d.get('source_key') or '—'}），不经规则与模型。",
              f"Declared {x.value} by the label {label} that the import {d.get('source') or '—'} carried "
              f"(source key {d.get('source_key') or '—'}), not by the rules or the model.")


explain.register_reader("rules", read_rules)
explain.register_reader("analyst", read_analyst)
explain.register_reader("declared", read_declared)
