"""Money amounts from free text into CNY 万元, keeping the original currency and value.

Handles registry strings ("1,050(万元人民币)", "30(万美元)", "500(万港元)"), financing-list strings
("1.5亿人民币", "数千万美元", "近亿人民币", "亿元及以上美元", "未透露人民币"), English forms ("$1.2M",
"USD 3 million", "1.2B") and bare numbers with a declared ``unit``. Vague amounts get a low/high range and a
point value (the geometric mean of the range); every rule is listed in docs/methods.md.

Pure and fast: every regex and table is built once at import time, so the importer can call
``parse_amount`` on each distinct value of a column.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .placeholders import is_placeholder
from .problem import ParseError

__all__ = ["Amount", "parse_amount", "parse_user_amount", "amounts_in_text", "fx_rate", "FX_CNY", "FX_YEAR", "MAX_WAN",
           "AMOUNT_LABELS", "plausible_wan"]

#: The plausibility rule for every amount: above 10^10 万元 (100 万亿元, about a year of China's GDP)
#: no registered capital, round or budget is real — however the text wrote it (digits, 亿, e-notation).
MAX_WAN = 1e10

#: Reference year of the exchange-rate table.
FX_YEAR = 2023

#: CNY per one unit of the currency, annual average of 2023.
#: USD: 国家统计局《2023年国民经济和社会发展统计公报》, 全年人民币平均汇率 1 美元兑 7.0467 元.
#: Other currencies: cross rates = 7.0467 × (USD per unit of the currency, 2023 annual average of the
#: Federal Reserve H.10 series), rounded to 4 significant digits (good to about 0.5 %).
FX_CNY: dict[str, float] = {
    "CNY": 1.0,
    "USD": 7.0467,
    "EUR": 7.620,  # 1.0813 USD/EUR
    "GBP": 8.763,  # 1.2435 USD/GBP
    "JPY": 0.05016,  # 140.49 JPY/USD
    "HKD": 0.9001,  # 7.829 HKD/USD
    "SGD": 5.248,  # 1.3428 SGD/USD
    "TWD": 0.2262,  # 31.16 TWD/USD
    "KRW": 0.005393,  # 1306.7 KRW/USD
    "AUD": 4.682,  # 0.6644 USD/AUD
    "CAD": 5.222,  # 1.3495 CAD/USD
    "CHF": 7.845,  # 0.8983 CHF/USD
}


def fx_rate(currency: str) -> float:
    """CNY per one unit of ``currency`` (ISO code), from the fixed table of ``FX_YEAR`` annual averages."""
    try:
        return FX_CNY[currency.upper()]
    except (KeyError, AttributeError):
        raise ParseError("currency_unknown", f"未知币种: {currency}", f"unknown currency: {currency}") from None


@dataclass(frozen=True, slots=True)
class Amount:
    wan: float | None  # best value in CNY 万元
    low_wan: float | None
    high_wan: float | None
    currency: str  # ISO code of the original currency
    original: float | None  # best value in units of the original currency
    vague: bool = False
    undisclosed: bool = False
    text: str | None = None


# ---------------------------------------------------------------------------------------------- tables
# Currency words, longest first so that 香港元 wins over 港元 and 港元 over 元. Bare 元 is not a
# currency: it is the unit (CNY when nothing else is said).
_CURRENCY_WORDS: list[tuple[str, str]] = [
    ("新加坡元", "SGD"), ("新加坡币", "SGD"), ("新台币", "TWD"), ("台币", "TWD"),
    ("香港元", "HKD"), ("港元", "HKD"), ("港币", "HKD"),
    ("美元", "USD"), ("美金", "USD"), ("欧元", "EUR"), ("日元", "JPY"), ("日币", "JPY"),
    ("英镑", "GBP"), ("韩元", "KRW"), ("澳元", "AUD"), ("澳大利亚元", "AUD"), ("加元", "CAD"),
    ("加拿大元", "CAD"), ("瑞士法郎", "CHF"), ("人民币", "CNY"), ("rmb", "CNY"),
    ("us$", "USD"), ("hk$", "HKD"), ("s$", "SGD"), ("nt$", "TWD"), ("a$", "AUD"), ("c$", "CAD"),
    ("$", "USD"), ("¥", "CNY"), ("￥", "CNY"), ("€", "EUR"), ("£", "GBP"), ("円", "JPY"),
    ("dollars", "USD"), ("dollar", "USD"), ("euros", "EUR"), ("euro", "EUR"), ("yuan", "CNY"),
]
_CODES = ["cny", "usd", "hkd", "eur", "jpy", "gbp", "sgd", "twd", "krw", "aud", "cad", "chf"]
_CURRENCY_OF: dict[str, str] = {w: c for w, c in _CURRENCY_WORDS} | {c: c.upper() for c in _CODES}
_CURRENCY_RE = re.compile(
    "|".join(
        [re.escape(w) for w, _ in sorted(_CURRENCY_WORDS, key=lambda x: -len(x[0]))]
        + [rf"(?<![a-z]){c}(?![a-z])" for c in _CODES]
    )
)

_UNDISCLOSED_RE = re.compile(r"未透露|未公开|未披露|不公开|非公开|不详|保密|面议|待定|undisclosed|not disclosed|unknown")

_SCI_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d{1,4})(?![\d.])")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3})")
_NOISE_RE = re.compile(r"[\s()\[\]{}:：]+")

# qualifiers: prefix and suffix words, mapped to a kind
_APPROX, _NEAR, _FLOOR, _CEIL, _ORDER = "approx", "near", "floor", "ceil", "order"
_PREFIX = [
    ("大约", _APPROX), ("约合", _APPROX), ("约", _APPROX), ("approximately", _APPROX), ("approx.", _APPROX),
    ("approx", _APPROX), ("about", _APPROX), ("around", _APPROX), ("~", _APPROX), ("≈", _APPROX),
    ("将近", _NEAR), ("接近", _NEAR), ("近", _NEAR), ("nearly", _NEAR), ("almost", _NEAR),
    ("超过", _FLOOR), ("超", _FLOOR), ("逾", _FLOOR), ("过", _FLOOR), ("上", _FLOOR), ("达", None),
    ("morethan", _FLOOR), ("over", _FLOOR), ("above", _FLOOR), (">=", _FLOOR), (">", _FLOOR), ("≥", _FLOOR),
    ("不到", _CEIL), ("不足", _CEIL), ("低于", _CEIL), ("lessthan", _CEIL), ("under", _CEIL),
    ("upto", _CEIL), ("<=", _CEIL), ("<", _CEIL), ("≤", _CEIL),
]
_SUFFIX = [
    ("及以上", _FLOOR), ("以上", _FLOOR), ("或以上", _FLOOR), ("+", _FLOOR), ("plus", _FLOOR),
    ("以下", _CEIL), ("以内", _CEIL), ("左右", _APPROX), ("上下", _APPROX), ("级", _ORDER),
]
_PREFIX_RE = re.compile("^(?:" + "|".join(re.escape(w) for w, _ in _PREFIX) + ")")
_SUFFIX_RE = re.compile("(?:" + "|".join(re.escape(w) for w, _ in sorted(_SUFFIX, key=lambda x: -len(x[0]))) + ")$")
_PREFIX_KIND = dict(_PREFIX)
_SUFFIX_KIND = dict(_SUFFIX)
# 3000多万 / 100余万: 多 or 余 right after a digit or 十/百/千 means "somewhat more than"
_MORE_RE = re.compile(r"(?<=[\d十百千])[多余](?=[十百千万亿]|$)")
# 数千万 / 几百万 / 若干万: an unknown digit 1–9 before a power of ten
_SOME_RE = re.compile(r"^(?:数|几|若干)(?=[十百千万亿])")
# 十几万 / 十多万 / 几十万 / 数十万: 10–20 resp. 10–100 units
_TEENS_RE = re.compile(r"^十(?:几|多|余)(?=[万亿]|$)")

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_EN_MULT = {
    "k": 1e3, "thousand": 1e3, "thousands": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6,
    "million": 1e6, "millions": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9,
}
_TOKEN_RE = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]|[a-z]+|\S")
_CORE_OK_RE = re.compile(r"^(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿])+(?:[a-z]+)?$")


class _Garbage(Exception):
    pass


def _cn_value(tokens: list[str]) -> tuple[float, bool]:
    """Value of a token list such as ['1.5', '亿'] or ['两', '千', '五', '百', '万']; second: had a multiplier."""
    total = 0.0
    section = 0.0
    num: float | None = None
    scaled = False
    seen = False  # a digit or a 十/百/千 has been read: a bare 万/亿 then means 1万/1亿
    for t in tokens:
        if t in _CN_DIGIT:
            num = float(_CN_DIGIT[t])
            seen = True
        elif t in _CN_SMALL:
            section += (1.0 if num is None else num) * _CN_SMALL[t]
            num = None
            scaled = seen = True
        elif t == "万":
            section = section + (num or 0.0) if seen else 1.0
            total += section * 10_000
            section, num, scaled = 0.0, None, True
        elif t == "亿":
            base = total + section + (num or 0.0) if seen else 1.0
            total = base * 100_000_000
            section, num, scaled, seen = 0.0, None, True, True
        else:  # arabic number
            if num is not None:
                raise _Garbage
            num = float(t)
            seen = True
    return total + section + (num or 0.0), scaled


def _core_value(core: str) -> tuple[float, bool]:
    """Numeric value of the core of an amount ('1.5亿', '3million', '1.2b', '两千万'); second: text had a scale."""
    if not core or not _CORE_OK_RE.match(core):
        raise _Garbage
    tokens = _TOKEN_RE.findall(core)
    mult = 1.0
    if tokens and tokens[-1].isascii() and tokens[-1].isalpha():
        m = _EN_MULT.get(tokens[-1])
        if m is None:
            raise _Garbage
        mult = m
        tokens = tokens[:-1]
        if not tokens:
            raise _Garbage
        value, scaled = _cn_value(tokens)
        return value * mult, True
    return _cn_value(tokens)


@lru_cache(maxsize=256)
def _unit_spec(unit: str | None) -> tuple[str | None, float]:
    """(currency or None, multiplier) of a declared unit such as '万元', '元', 'USD', '万美元', '亿元'."""
    if unit is None or not str(unit).strip():
        return None, 1.0
    u = unicodedata.normalize("NFKC", str(unit)).strip().lower()
    cur = None
    m = _CURRENCY_RE.search(u)
    if m:
        cur = _CURRENCY_OF[m.group(0)]
        u = _CURRENCY_RE.sub("", u)
    u = _NOISE_RE.sub("", u).replace("元", "")
    if not u:
        return cur, 1.0
    try:
        tokens = _TOKEN_RE.findall(u)
        if all(t in _CN_SMALL or t in _CN_BIG for t in tokens):
            value, _ = _cn_value(tokens)
        elif len(tokens) == 1 and tokens[0] in _EN_MULT:
            value = _EN_MULT[tokens[0]]
        else:
            raise _Garbage
    except _Garbage:
        raise ParseError("amount_unit_unknown", f"无法识别的金额单位: {unit}", f"unknown amount unit: {unit}") from None
    return cur, value


def is_unit(text) -> bool:
    """Whether ``text`` is an amount unit ``parse_amount`` reads as ``unit`` (万元, 元, 亿元, 万美元, USD …)."""
    try:
        _unit_spec(text)
    except ParseError:
        return False
    return bool(text and str(text).strip())


def _expand_sci(m: re.Match) -> str:
    """'1.5e3' → '1500': scientific notation is a number like any other (then judged by ``MAX_WAN``)."""
    value = float(m.group(0))
    if not math.isfinite(value) or value > 1e30:
        return "∞"  # far beyond any bound: no need to spell out the digits
    return f"{value:f}".rstrip("0").rstrip(".")


def _clean_float(x: float) -> float:
    return float(f"{x:.12g}")


def parse_amount(text, currency: str | None = None, unit: str | None = None) -> Amount | None:
    """Parse an amount into CNY 万元 (see the module docstring). None for empty cells; ValueError for garbage.

    ``currency``: ISO code to use when the text names none. ``unit``: the unit of bare numbers
    ('万元', '元', 'USD', '万美元' …); a scale written in the text itself ('830万') always wins.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ParseError("amount_unreadable", f"无法识别的金额: {text}", f"not an amount: {text}")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and math.isnan(text):
            return None
        if math.isinf(text):
            raise ParseError("amount_unreadable", f"无法识别的金额: {text}", f"not an amount: {text}")
        raw = str(text)
        s = repr(float(text)) if isinstance(text, float) else raw
        if "e" in s:
            s = f"{float(text):f}"
    else:
        raw = str(text)
        s = raw
    s = unicodedata.normalize("NFKC", s).strip().lower()
    if is_placeholder(s):
        return None

    unit_cur, unit_mult = _unit_spec(unit)
    default_cur = (currency.upper() if currency else None) or unit_cur or "CNY"

    # currency named in the text
    cur = None
    for m in _CURRENCY_RE.finditer(s):
        c = _CURRENCY_OF[m.group(0)]
        if cur is None or (cur == "CNY" and c != "CNY"):
            cur = c
    if cur is not None:
        s = _CURRENCY_RE.sub(" ", s)
    cur = cur or default_cur
    if cur not in FX_CNY:
        raise ParseError("currency_unknown", f"未知币种: {cur}", f"unknown currency: {cur}")

    if _UNDISCLOSED_RE.search(s):
        return Amount(None, None, None, cur, None, vague=False, undisclosed=True, text=raw)

    s = _THOUSANDS_RE.sub("", s)
    s = _SCI_RE.sub(_expand_sci, s)
    if "∞" in s:
        raise ParseError("amount_out_of_range", f"金额超出合理范围: {raw}（上限 {MAX_WAN:.0e} 万元）",
                         f"amount out of range: {raw} (at most {MAX_WAN:.0e} 10k CNY)")
    s = _NOISE_RE.sub("", s)
    # 元 is the unit, not a number: 万元 = 万, 元 alone = 1. A text that says its unit (500元, 500美元) is read in it,
    # not in the column's declared unit: 500元 in a 万元 column is 0.05 万元, not 500
    says_unit = "元" in raw
    s = s.replace("元", "")
    if not s:
        raise ParseError("amount_unreadable", f"无法识别的金额: {raw}", f"not an amount: {raw}")

    kinds: list[str] = []
    changed = True
    while changed:
        changed = False
        m = _PREFIX_RE.match(s)
        if m:
            k = _PREFIX_KIND[m.group(0)]
            if k:
                kinds.append(k)
            s = s[m.end():]
            changed = True
        m = _SUFFIX_RE.search(s)
        if m and m.start() > 0:
            kinds.append(_SUFFIX_KIND[m.group(0)])
            s = s[: m.start()]
            changed = True
    if _MORE_RE.search(s):
        kinds.append(_FLOOR)
        s = _MORE_RE.sub("", s)

    low_f = high_f = 1.0  # factors applied to the value
    span = None  # (low, high) multipliers of the order of magnitude
    if _SOME_RE.match(s):
        s = _SOME_RE.sub("", s)
        span = (1.0, 10.0)
    elif _TEENS_RE.match(s):
        s = "十" + s[2:]
        span = (1.0, 2.0)

    try:
        value, scaled = _core_value(s)
    except (_Garbage, ValueError, OverflowError):
        raise ParseError("amount_unreadable", f"无法识别的金额: {raw}", f"not an amount: {raw}") from None
    if value < 0 or not math.isfinite(value):
        raise ParseError("amount_unreadable", f"无法识别的金额: {raw}", f"not an amount: {raw}")
    bare_scale = s and all(ch in _CN_BIG for ch in s)
    if bare_scale and not kinds and span is None:
        raise ParseError("amount_unreadable", f"无法识别的金额: {raw}（只有数量级，没有数字）",
                         f"not an amount: {raw} (an order of magnitude without a number)")
    if not scaled and not says_unit:
        value *= unit_mult

    if span is not None:
        low_f, high_f = span
    for k in kinds:
        if k == _APPROX:
            low_f, high_f = low_f / 1.1, high_f * 1.1
        elif k == _NEAR:
            low_f, high_f = low_f * 0.8, high_f * 1.0
        elif k == _FLOOR:
            low_f, high_f = low_f, high_f * 2.0
        elif k == _CEIL:
            low_f, high_f = low_f * 0.5, high_f
        elif k == _ORDER:
            low_f, high_f = low_f, high_f * 10.0
    vague = span is not None or bool(kinds)

    low = value * low_f
    high = value * high_f
    point = math.sqrt(low * high) if vague else value
    rate = FX_CNY[cur] / 10_000
    if not math.isfinite(high * rate) or high * rate > MAX_WAN:
        raise ParseError("amount_out_of_range", f"金额超出合理范围: {raw}（上限 {MAX_WAN:.0e} 万元）",
                         f"amount out of range: {raw} (at most {MAX_WAN:.0e} 10k CNY)")
    return Amount(
        wan=_clean_float(point * rate),
        low_wan=_clean_float(low * rate),
        high_wan=_clean_float(high * rate),
        currency=cur,
        original=_clean_float(point),
        vague=vague,
        undisclosed=False,
        text=raw,
    )


#: What an amount typed by a person or sent by another system is, in the words of the field that took it
#: (``parse_user_amount``'s ``what``): Chinese, English.
AMOUNT_LABELS = {
    "min_amount_wan": ("融资金额下限", "the minimum amount"),
    "event_amount_wan": ("事件的融资金额（detail.amount_wan）", "the event's funding amount (detail.amount_wan)"),
    "event_amount": ("事件的融资金额（detail.amount）", "the event's funding amount (detail.amount)"),
}


def plausible_wan(wan) -> bool:
    """Whether ``wan`` (万元) is a number the plausibility rule allows: 0 to ``MAX_WAN``, finite."""
    return isinstance(wan, (int, float)) and not isinstance(wan, bool) and 0 <= wan <= MAX_WAN


def _as_typed(value) -> tuple[str, bool]:
    """``value`` as the person typed it, for a message (never a float's 31 digits: 1e30 stays 1e30), and whether it
    is a bare number (its unit, 万元, then said beside it)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
            return format(int(value), "d"), True
        return (repr(value) if isinstance(value, float) else str(value)).replace("e+", "e"), True
    text = str(value).strip()
    try:
        float(text)
    except ValueError:
        return text, False
    return text, True


def _reads(text: str) -> bool:
    try:
        return parse_amount(text, unit="万元") is not None
    except ParseError:
        return False


def parse_user_amount(value, what: str = "amount", *, undisclosed: bool = False) -> float | None:
    """The one reader of an amount a person types or another system sends (a form field, a CLI option, a rule file,
    an API body), in 万元: a bare number is 万元, a text is read by ``parse_amount`` with its scale and currency
    (1亿 = 10000, 5000万, 3亿美元, 1e30). Empty → None; an undisclosed amount (未披露) → None when ``undisclosed``.

    Refused with ``UserError`` in words, naming the field (``AMOUNT_LABELS[what]``) and echoing the value as it was
    given: what is no amount, and an amount below 0 or above ``MAX_WAN`` (100 万亿元, the one plausibility rule of
    every amount), however it was written (99999999999, 1e30, 5000万亿)."""
    from ..errors import UserError

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    zh, en = AMOUNT_LABELS.get(what, (what, what))
    shown, bare = _as_typed(value)
    a = None
    out_of_range = False
    try:
        a = parse_amount(value, unit="万元")
    except ParseError as exc:
        out_of_range = exc.code == "amount_out_of_range"
        if not out_of_range and not isinstance(value, bool):  # -5, -1亿: an amount, below the range
            try:
                out_of_range = math.isfinite(float(value))
            except (TypeError, ValueError):
                negated = shown.lstrip("-−")
                out_of_range = shown != negated and _reads(negated)
    if out_of_range or (a is not None and a.wan is not None and not plausible_wan(a.wan)):
        raise UserError(f"{zh}应为 0 到 {MAX_WAN:,.0f} 万元（100 万亿元）之间的金额: {shown}{' 万元' if bare else ''}",
                        en=f"{en} must lie between 0 and {MAX_WAN:,.0f} ×10k CNY (CNY 100 trillion): "
                           f"{shown}{' ×10k CNY' if bare else ''}")
    if a is not None and a.undisclosed and undisclosed:
        return None
    if a is None or a.wan is None:
        raise UserError(f"{zh}应为金额（万元，或写明单位如 1亿）: {shown}",
                        en=f"{en} must be an amount (×10k CNY, or with its unit such as 1亿): {shown}")
    return a.wan


# A money amount written inside a sentence ("完成3亿元A轮融资", "罚款500万元", "近亿美元", "数千万元人民币"): a number
# (digits, or 数/几 before a scale, or Chinese numerals before 万/亿), a scale, and a currency word — the currency
# is required, so "30%", "2026年" or "1万人" are not amounts. Each span is then read by ``parse_amount``.
_IN_TEXT_RE = re.compile(
    r"(?:大约|约合|约|将近|接近|近|超过|逾|超|达)?"
    r"(?:\d[\d,]*(?:\.\d+)?[十百千万亿]*|(?:数|几)[十百千]?[万亿]|[一二两三四五六七八九十百千]+[万亿]+|[万亿])"
    r"(?:多|余)?(?:万|亿)?"
    r"(?:元人民币|元|美元|港元|港币|欧元|日元|英镑|人民币)")


def amounts_in_text(text: str | None) -> list[tuple[int, Amount]]:
    """Every amount written in a free text, in order: (offset, ``parse_amount`` of the span). Only spans that name
    a currency (元, 美元, 人民币 …) count; a span the parser refuses is skipped."""
    out: list[tuple[int, Amount]] = []
    s = unicodedata.normalize("NFKC", str(text or ""))
    for m in _IN_TEXT_RE.finditer(s):
        span = m.group(0)
        if span[0] in "万亿" and not (m.start() and s[m.start() - 1] in "近超逾过"):
            continue  # a bare 万元/亿元 without a number: "亿元" in "百亿元级" is no amount
        try:
            a = parse_amount(span)
        except ValueError:
            continue
        if a is not None and a.wan is not None:
            out.append((m.start(), a))
    return out
