"""Financing rounds: Chinese list labels (天使轮, Pre-A轮, 战略投资, 新三板定增 …) and Crunchbase types
(angel, series-a, series-c+, private-equity, debt_financing, post-ipo …) into one vocabulary.

``ROUND_ORDER`` gives the stage rank of the stage-like rounds, for "later stage than" comparisons; rounds
that are a kind rather than a stage (strategic, ma, debt, grant, venture, pe, private_placement, …) have no
rank. ``ROUND_LABELS_ZH`` / ``ROUND_LABELS_EN`` are the display labels. The mapping table is in docs/methods.md.
"""

from __future__ import annotations

import re
import unicodedata

from .placeholders import is_placeholder

__all__ = ["ROUNDS", "ROUND_ORDER", "ROUND_LABELS_ZH", "ROUND_LABELS_EN", "normalize_round", "round_rank", "is_later_round",
           "rounds_in_text"]

ROUND_LABELS_ZH: dict[str, str] = {
    "seed": "种子轮",
    "angel": "天使轮",
    "pre_a": "Pre-A轮",
    "a": "A轮",
    "a_plus": "A+轮",
    "pre_b": "Pre-B轮",
    "b": "B轮",
    "b_plus": "B+轮",
    "c": "C轮",
    "c_plus": "C+轮",
    "d": "D轮",
    "e": "E轮",
    "f_plus": "F轮及以后",
    "pre_ipo": "Pre-IPO",
    "ipo": "IPO上市",
    "post_ipo": "上市后",
    "strategic": "战略投资",
    "ma": "并购",
    "neeq": "新三板",
    "private_placement": "定向增发",
    "debt": "债权融资",
    "grant": "资助/补贴",
    "crowdfunding": "众筹",
    "venture": "风险投资（轮次未明）",
    "pe": "私募股权",
    "other": "其他",
}
ROUND_LABELS_EN: dict[str, str] = {
    "seed": "Seed", "angel": "Angel", "pre_a": "Pre-A", "a": "Series A", "a_plus": "Series A+", "pre_b": "Pre-B",
    "b": "Series B", "b_plus": "Series B+", "c": "Series C", "c_plus": "Series C+", "d": "Series D", "e": "Series E",
    "f_plus": "Series F and later", "pre_ipo": "Pre-IPO", "ipo": "IPO", "post_ipo": "Post-IPO", "strategic": "Strategic",
    "ma": "M&A", "neeq": "NEEQ listing", "private_placement": "Private placement", "debt": "Debt financing",
    "grant": "Grant", "crowdfunding": "Crowdfunding", "venture": "Venture (round unknown)", "pe": "Private equity",
    "other": "Other",
}
ROUNDS: tuple[str, ...] = tuple(ROUND_LABELS_ZH)

_STAGES = ["seed", "angel", "pre_a", "a", "a_plus", "pre_b", "b", "b_plus", "c", "c_plus", "d", "e", "f_plus",
           "pre_ipo", "ipo", "post_ipo"]
#: stage rank (0 = earliest); rounds absent from this dict are kinds of deal, not stages
ROUND_ORDER: dict[str, int] = {r: i for i, r in enumerate(_STAGES)}

# exact keys after normalisation (NFKC, lower case, without spaces, '轮', '融资', '-', '_', '/')
_EXACT: dict[str, str] = {
    "种子": "seed", "种子天使": "seed", "seed": "seed", "preseed": "seed",
    "天使": "angel", "angel": "angel", "pre天使": "angel", "天使+": "angel", "天使++": "angel",
    "prea": "pre_a", "prea+": "pre_a", "a": "a", "seriesa": "a", "a+": "a_plus", "a++": "a_plus",
    "a+++": "a_plus", "seriesa+": "a_plus",
    "preb": "pre_b", "preb+": "pre_b", "b": "b", "seriesb": "b", "b+": "b_plus", "b++": "b_plus",
    "seriesb+": "b_plus",
    "prec": "b_plus", "c": "c", "seriesc": "c", "seriesc+": "c", "c+": "c_plus", "c++": "c_plus",
    "pred": "c_plus", "d": "d", "seriesd": "d", "d+": "d", "d++": "d", "pree": "d",
    "e": "e", "seriese": "e", "e+": "e", "e++": "e",
    "f上市前": "f_plus", "preipo": "pre_ipo", "上市前": "pre_ipo", "ipo前": "pre_ipo",
    "ipo": "ipo", "ipo上市": "ipo", "上市": "ipo", "首次公开发行": "ipo", "首发": "ipo",
    "ipo上市后": "post_ipo", "上市后": "post_ipo", "postipo": "post_ipo", "postipoequity": "post_ipo",
    "postipodebt": "post_ipo", "postiposecondary": "post_ipo", "上市后定增": "private_placement",
    "定增": "private_placement", "定向增发": "private_placement", "新三板定增": "private_placement",
    "非公开发行": "private_placement", "privateplacement": "private_placement",
    "战略投资": "strategic", "战略": "strategic", "战略融资": "strategic", "strategic": "strategic",
    "corporateround": "strategic", "corporate": "strategic",
    "并购": "ma", "收购": "ma", "被收购": "ma", "并购重组": "ma", "ma": "ma", "m&a": "ma", "acquisition": "ma",
    "acquired": "ma", "merger": "ma",
    "新三板": "neeq", "新三板挂牌": "neeq", "neeq": "neeq",
    "债权": "debt", "债权融资": "debt", "债务融资": "debt", "debt": "debt", "debtfinancing": "debt",
    "convertiblenote": "debt", "可转债": "debt", "贷款": "debt",
    "grant": "grant", "资助": "grant", "补贴": "grant", "政府资助": "grant", "政府补助": "grant",
    "crowdfunding": "crowdfunding", "equitycrowdfunding": "crowdfunding", "productcrowdfunding": "crowdfunding",
    "众筹": "crowdfunding", "股权众筹": "crowdfunding",
    "venture": "venture", "venturecapital": "venture", "vc": "venture", "风险投资": "venture",
    "privateequity": "pe", "pe": "pe", "私募股权": "pe", "股权融资": "venture",
    "other": "other", "其他": "other", "未知": "other", "undisclosed": "other", "secondarymarket": "other",
    "nonequityassistance": "grant", "initialcoinoffering": "other",
}
_LETTER_RE = re.compile(r"^(?:series)?([a-z])(\+*)$")
_STRIP_RE = re.compile(r"[\s轮_\-/·.]|融资$|round$|系列")


def _norm_key(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw).strip().lower()
    s = s.replace("（", "(").replace("）", ")")
    s = re.sub(r"\(.*?\)", "", s)
    return _STRIP_RE.sub("", s)


def normalize_round(raw, code: str | None = None) -> str:
    """Normalised round of a label; ``code`` is a separate series letter (Crunchbase's funding_round_code)
    that refines an unspecific type such as "venture". Empty cells, placeholders (``parse.placeholders``) and
    unknown labels give "other"."""
    key = "" if is_placeholder(raw) else _norm_key(str(raw))
    if code is not None and not (isinstance(code, float) and code != code) and str(code).strip():
        if key in ("", "venture", "venturecapital", "vc", "风险投资", "股权融资", "other"):
            sub = normalize_round(str(code))
            if sub in ROUND_ORDER:
                return sub
    if not key:
        return "other"
    hit = _EXACT.get(key)
    if hit:
        return hit
    m = _LETTER_RE.match(key)
    if m:
        letter, plus = m.group(1), m.group(2)
        if letter in "abcde":
            base = {"a": "a", "b": "b", "c": "c", "d": "d", "e": "e"}[letter]
            if plus and letter in "abc":
                return base + "_plus"
            return base
        if "f" <= letter <= "z":
            return "f_plus"
    m = re.match(r"^pre([a-z])\+*$", key)
    if m:
        letter = m.group(1)
        return {"a": "pre_a", "b": "pre_b", "c": "b_plus", "d": "c_plus", "e": "d"}.get(letter, "f_plus")
    if "上市后" in key or "postipo" in key:
        return "post_ipo"
    if "定增" in key:
        return "private_placement"
    if "并购" in key or "收购" in key:
        return "ma"
    if "战略" in key:
        return "strategic"
    if "ipo" in key or "上市" in key:
        return "ipo"
    if "天使" in key:
        return "angel"
    if "种子" in key:
        return "seed"
    if "新三板" in key:
        return "neeq"
    return "other"


def round_rank(round_: str) -> int | None:
    """Stage rank of a normalised round (None for kinds of deal that are not stages)."""
    return ROUND_ORDER.get(round_)


def is_later_round(a: str, b: str) -> bool | None:
    """True when normalised round ``a`` is a later stage than ``b``; None when either has no rank."""
    ra, rb = ROUND_ORDER.get(a), ROUND_ORDER.get(b)
    if ra is None or rb is None:
        return None
    return ra > rb


# A round named in a sentence ("完成2亿元B轮融资", "Pre-A轮", "A+轮", "天使轮", "战略融资", "Pre-IPO轮"), read by
# ``normalize_round``.
_IN_TEXT_RE = re.compile(r"(?<![A-Za-z])((?:pre-?)?[A-Fa-f]\+{0,3}|天使\+{0,2}|种子|pre-?ipo)轮|(战略融资|战略投资|并购)", re.I)


def rounds_in_text(text: str | None) -> list[tuple[int, str]]:
    """Every financing round named in a free text, in order: (offset, normalised round)."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    out = []
    for m in _IN_TEXT_RE.finditer(s):
        r = normalize_round(m.group(1) or m.group(2))
        if r != "other":
            out.append((m.start(), r))
    return out
