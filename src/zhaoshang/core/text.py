"""Chinese name text: normalisation for matching, legal-form stripping for alias keys, list cells, tokens.

* ``normalize_name``: NFKC (full-width → half-width), lower case, brackets unified to ``()``, whitespace and
  the separators ``· • . , ， 、 ・`` removed, traditional → simplified characters (one character at a time,
  from the TSCharacters table of the OpenCC dictionaries shipped with opencc-python-reimplemented).
* ``strip_legal_form``: the normalised name without legal-form words (list in ``LEGAL_SUFFIXES``,
  ``LEGAL_PREFIXES`` and ``DESCRIPTOR_SUFFIXES``), only ever used to build alias keys.
* ``split_list`` / ``split_pairs``: list cells ("红杉中国,高瓴资本", "黄晓南:创始人及CEO,谢鹏:联合创始人")
  split on declared separators, never inside brackets.
* ``tokenize`` / ``search_tokens``: jieba tokens with a small AI-industry dictionary
  (``zhaoshang/data/jieba_domain.txt``), punctuation dropped.

All tables are built once; everything is pure and safe to call on each distinct value of a column.
"""

from __future__ import annotations

import importlib.resources
import logging
import re
import threading
import unicodedata
from functools import lru_cache

from .parse.placeholders import is_placeholder

__all__ = [
    "to_simplified", "normalize_name", "normalize_names", "strip_legal_form", "short_name_candidates",
    "strip_listing_marks", "listing_forms", "LISTING_PREFIXES", "LISTING_SUFFIXES", "name_parts", "COMMON_WORD_FREQ",
    "LATIN_GENERIC_WORDS",
    "split_list", "split_pairs", "tokenize", "search_tokens", "query_words", "word_frequency", "word_spans", "LEGAL_SUFFIXES", "LEGAL_PREFIXES",
    "DESCRIPTOR_SUFFIXES", "INNER_NAME_WORDS", "INNER_NAME_ENDS", "INNER_NAME_AFTER", "NAME_DOTS", "LATIN_LEGAL_SUFFIXES", "LATIN_DESCRIPTOR_SUFFIXES", "PROVINCE_NAMES",
]

# ------------------------------------------------------------------------------ traditional → simplified


def _load_ts_table() -> dict[int, str]:
    text = (
        importlib.resources.files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    )
    raw: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        src, dst = parts[0], parts[1].split(" ")[0]
        if len(src) != 1 or len(dst) != 1 or src == dst:
            continue
        # keep only targets that later steps leave alone, so the whole normalisation is idempotent
        if unicodedata.normalize("NFKC", dst) != dst or dst.lower() != dst:
            continue
        raw[src] = dst
    table: dict[int, str] = {}
    for src in raw:
        dst, seen = raw[src], {src}
        while dst in raw and dst not in seen:  # follow chains to a fixed point
            seen.add(dst)
            dst = raw[dst]
        if dst != src:
            table[ord(src)] = dst
    return table


_TS_TABLE = _load_ts_table()


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (no phrase conversion)."""
    return text.translate(_TS_TABLE)


# ------------------------------------------------------------------------------------------- names
_BRACKETS = {"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")",
             "{": "(", "}": ")", "［": "(", "］": ")", "｛": "(", "｝": ")", "〖": "(", "〗": ")"}
#: the middle dots of a transliterated person name (埃隆·马斯克): dropped from names; in news, a name next to one is
#: a person's
NAME_DOTS = "·•・‧･"
_DROP = NAME_DOTS + ".,，、"
_NAME_TABLE: dict[int, str | None] = dict(_TS_TABLE)
_NAME_TABLE.update({ord(k): v for k, v in _BRACKETS.items()})
_NAME_TABLE.update({ord(c): None for c in _DROP})


def normalize_name(name: str) -> str:
    """Matching form of an organisation name (see the module docstring). Idempotent."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", str(name)).lower()
    s = "".join(s.translate(_NAME_TABLE).split())
    if not s.isascii():
        # removing spaces and dots can bring a letter next to a combining mark: compose again
        s = unicodedata.normalize("NFKC", s).lower()
    return s


# ``normalize_name`` in SQL for names made only of characters that NFKC, lower case and the traditional →
# simplified table leave alone, or that the name table maps one to one (printable ASCII, CJK unified
# ideographs, the brackets and separators above): there it is a short character translation, run by the
# database on every row; any other name (a traditional character, full-width letters, spaces) goes through Python.
_FULLWIDTH = {"（": "(", "）": ")", "［": "(", "］": ")", "｛": "(", "｝": ")", "，": None, "･": None}
_SQL_MAP = _BRACKETS | _FULLWIDTH | dict.fromkeys(_DROP)


@lru_cache(maxsize=1)
def _sql_safe_class() -> str:
    """The characters of a name ``normalize_name_sql`` covers — printable ASCII, CJK unified ideographs and the
    mapped ones, but no traditional character — as one regular-expression class (one match per name, not two)."""
    allowed = sorted((set(range(0x21, 0x7F)) | set(range(0x4E00, 0xA000)) | {ord(c) for c in _SQL_MAP})
                     - set(_TS_TABLE))
    ranges: list[list[int]] = []
    for c in allowed:
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in ranges) + "]*"


def normalize_name_sql(expr: str) -> tuple[str, str]:
    """(condition, value): where ``condition`` holds, ``value`` equals ``normalize_name`` of ``expr``."""
    mapped = [(c, v) for c, v in _SQL_MAP.items() if v is not None]
    src = "".join(c for c, _ in mapped) + "".join(c for c, v in _SQL_MAP.items() if v is None)
    dst = "".join(v for _, v in mapped)
    lit = lambda t: "'" + t.replace("'", "''") + "'"  # noqa: E731
    cond = f"regexp_full_match({expr}, {lit(_sql_safe_class())})"
    # most names hold no capital letter and none of the mapped characters: they are their own normal form, and
    # one character-class match is a fifth of the cost of the translation (which the rest still get)
    touched = "[A-Z" + "".join(re.escape(c) for c in _SQL_MAP) + "]"
    return cond, (f"CASE WHEN regexp_matches({expr}, {lit(touched)}) THEN translate(lower({expr}), {lit(src)}, "
                  f"{lit(dst)}) ELSE {expr} END")


def normalize_names(names: list[str]) -> list[str]:
    """``normalize_name`` over a list (the same result, element by element)."""
    return [normalize_name(n) for n in names]


#: legal forms removed from the end of a normalised Chinese name, repeatedly, longest first
LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司", "有限责任公司", "有限公司", "股份公司", "责任公司", "总公司", "公司",
    "(有限合伙)", "(普通合伙)", "(特殊普通合伙)", "有限合伙", "合伙企业", "(集团)", "集团", "控股", "股份",
    "(中国)", "株式会社",
)
#: Latin legal forms removed as whole words from the end of a name (before spaces are removed)
LATIN_LEGAL_SUFFIXES: tuple[str, ...] = (
    "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "gmbh",
    "ag", "sa", "group", "holdings", "holding",
)
#: descriptors removed from the end after the legal forms, when at least 2 characters (1 Latin word) remain
DESCRIPTOR_SUFFIXES: tuple[str, ...] = ("科技", "技术")
LATIN_DESCRIPTOR_SUFFIXES: tuple[str, ...] = ("technology", "technologies", "tech")
#: legal forms removed from the start
LEGAL_PREFIXES: tuple[str, ...] = ("株式会社",)


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SUFFIX_RE = re.compile(f"(?:{_alt(LEGAL_SUFFIXES)})$")
_DESC_RE = re.compile(f"(?:{_alt(DESCRIPTOR_SUFFIXES)})$")
_PREFIX_RE = re.compile(f"^(?:{_alt(LEGAL_PREFIXES)})")
_LATIN_SUFFIX_RE = re.compile(rf"(?<=[a-z0-9)])(?:[\s,.]+(?:{_alt(LATIN_LEGAL_SUFFIXES)})\b\.?)+[\s,.]*$")
_LATIN_DESC_RE = re.compile(rf"(?<=[a-z0-9)])[\s,.]+(?:{_alt(LATIN_DESCRIPTOR_SUFFIXES)})[\s,.]*$")


def _strip_loop(s: str, pattern: re.Pattern) -> str:
    while True:
        m = pattern.search(s)
        if not m or m.start() < 2:
            return s
        s = s[: m.start()]


def strip_legal_form(name: str) -> str:
    """Normalised name without legal-form words (alias keys only); never strips a Chinese name to fewer than
    2 characters nor a Latin name to nothing. The word lists are ``LEGAL_PREFIXES``, ``LEGAL_SUFFIXES``,
    ``DESCRIPTOR_SUFFIXES`` and their Latin counterparts."""
    if not name:
        return ""
    s = unicodedata.normalize("NFKC", str(name)).lower().strip()
    if s.isascii():
        s = _LATIN_SUFFIX_RE.sub("", s)
        s = _LATIN_DESC_RE.sub("", s)
        return normalize_name(s)
    s = normalize_name(s)
    s = _PREFIX_RE.sub("", s) or s
    s = _strip_loop(s, _SUFFIX_RE)
    s = _strip_loop(s, _DESC_RE)
    s = _strip_loop(s, _SUFFIX_RE)
    return s


#: province-level names, with their full forms first
PROVINCE_NAMES: tuple[str, ...] = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "中国",
)
_PAREN_RE = re.compile(r"\([^()]*\)")


def short_name_candidates(full_name: str, province_names=PROVINCE_NAMES, city_names=()) -> list[str]:
    """Plausible short keys of a full legal name, most specific first: without legal forms, without a
    bracketed part, without a leading province or city name. All keys are normalised; each has ≥ 2 chars."""
    base = strip_legal_form(full_name)
    places = sorted({normalize_name(p) for p in (*province_names, *city_names) if p}, key=len, reverse=True)
    out: list[str] = []

    def add(k: str) -> None:
        if len(k) >= 2 and k not in out:
            out.append(k)

    add(base)
    no_paren = _PAREN_RE.sub("", base)
    add(no_paren)
    for k in (base, no_paren):
        for p in places:
            if k.startswith(p) and len(k) - len(p) >= 2:
                rest = k[len(p):]
                add(rest)
                add(_strip_loop(rest, _DESC_RE))
                break
    return out


# ------------------------------------------------------------------------------------------ stock codes
# a stock code as exchanges, vendors and analysts write it: 002230, 002230.SZ, SZ002230, 688454.SH, 830799.BJ,
# 000001.XSHE
_STOCK_CODE_RE = re.compile(r"(?i)\s*(?:s[hz]|bj)?([0-9]{6})(?:\.[a-z]{2,4})?\s*")
_STOCK_CODE_SQL = r"^\s*(?:[Ss][HhZz]|[Bb][Jj])?([0-9]{6})(?:\.[A-Za-z]{2,4})?\s*$"


def stock_code(text) -> str | None:
    """A stock code's six digits (000001.SZ, SZ000001, 000001 → 000001): the form an enterprise's listed code is
    stored and looked up in; None for a text that is no such code."""
    m = _STOCK_CODE_RE.fullmatch(str(text or ""))
    return m.group(1) if m else None


def stock_code_sql(expr: str) -> str:
    """SQL of ``stock_code``: the six digits of the code ``expr``, NULL when it is no such code."""
    return f"nullif(regexp_extract({expr}, '{_STOCK_CODE_SQL}', 1), '')"


# ------------------------------------------------------------------------------- listing-status marks
#: marks an exchange puts on a stock's short name for its listing status, not part of the name (normalised, lower
#: case): before it *ST / ST (risk warning), S*ST / SST / S (share reform not done), N (first day), C (first days
#: on the STAR Market and ChiNext), XD / XR / DR (ex-dividend, ex-rights); after it the STAR Market's and ChiNext's
#: -U (not yet profitable), -W (weighted voting rights), -V (VIE structure) and their combinations (-UW …)
LISTING_PREFIXES: tuple[str, ...] = ("s*st", "*st", "sst", "st", "xd", "xr", "dr", "s", "n", "c")
LISTING_SUFFIXES: tuple[str, ...] = ("-u", "-w", "-v", "-uw", "-uv", "-wv", "-uwv")
_LISTING_PREFIX_RE = re.compile(rf"^(?:{_alt(LISTING_PREFIXES)})(?=[\u4e00-\u9fff])")
_LISTING_SUFFIX_RE = re.compile(rf"(?<=[\u4e00-\u9fffa-z0-9])(?:{_alt(LISTING_SUFFIXES)})$")


#: the marks of one trading day an exchange's list puts before a short name, as written there: N / C (the first days
#: of trading), XD / XR / DR (ex-dividend, ex-rights on the day). No part of a company's name: an import reading a
#: short name drops them (XD物产中大 → 物产中大). *ST, ST and S are statuses, not the day's, and stay.
TRADING_DAY_MARKS: tuple[str, ...] = ("XD", "XR", "DR", "N", "C")


def strip_trading_day_marks_sql(expr: str) -> str:
    """SQL: the short name ``expr`` without a trading day's mark (``TRADING_DAY_MARKS``) before its first Chinese
    character (C振石股份 → 振石股份; CSSC科技, 中信证券 as they are)."""
    return (f"regexp_replace({expr}, '^\\s*(?:{'|'.join(TRADING_DAY_MARKS)})\\s*([\\x{{4e00}}-\\x{{9fff}}])', "
            "'\\1')")


def strip_listing_marks(name: str) -> str:
    """A stock short name without its listing-status marks (``LISTING_PREFIXES``, ``LISTING_SUFFIXES``),
    normalised: 寒武纪-U → 寒武纪, *ST 海润 → 海润, N 寒武 → 寒武. A prefix is a mark only before a Chinese
    character, and nothing is stripped that would leave fewer than 2 characters."""
    s = normalize_name(name)
    bare = _LISTING_SUFFIX_RE.sub("", _LISTING_PREFIX_RE.sub("", s))
    return bare if len(bare) >= 2 else s


def listing_forms(name: str) -> list[str]:
    """The normalised forms a short name may be stored in with listing-status marks — the bare name first,
    then each prefix, each suffix and each prefix with each suffix (a name search and ``show`` find 寒武纪-U for
    寒武纪 and 寒武纪 for 寒武纪-U). Empty when the name holds no Chinese character (no stock short name)."""
    bare = strip_listing_marks(name)
    if not re.search("[\u4e00-\u9fff]", bare) or len(bare) < 2:
        return []
    return [bare, *(bare + x for x in LISTING_SUFFIXES),
            *(p + bare + x for p in LISTING_PREFIXES for x in ("", *LISTING_SUFFIXES))]


# ------------------------------------------------------------------------------------- name parts
#: jieba dictionary frequency from which a word counts as an ordinary word (the news linker's common-word guard)
COMMON_WORD_FREQ = 300
#: Latin words that describe rather than name (联智Cloud's Cloud): never a name part on their own
LATIN_GENERIC_WORDS: tuple[str, ...] = ("cloud", "clouds", "robot", "robots", "robotics", "data", "tech", "technology",
                                        "technologies", "smart", "vision", "info", "online", "china")
_HAN_LATIN_RE = re.compile(r"([\u4e00-\u9fff]{2,})([a-z][a-z0-9+&'-]*)")
_LATIN_HAN_RE = re.compile(r"([a-z][a-z0-9+&'-]*)([\u4e00-\u9fff]{2,})")


def name_parts(name: str) -> list[str]:
    """The normalised forms a stored short name or brand stands for in running text: the name as stored
    (normalised) first, then without its listing-status marks (``strip_listing_marks``: 寒武纪-U → 寒武纪), then, for a
    brand that glues a Han name to a Latin name (IT桔子: 商汤科技SenseTime, 旷视科技Face++, Slamtec思岚科技), each part.
    A brand is glued to a Latin *name* only when the Latin part has at least 4 characters and is no generic word
    (``LATIN_GENERIC_WORDS``): 华侨城A (a share class), 冰立方VR, 亚马逊AWS are not split. The Han part is a name
    on its own

    * before the Latin name unless it is made of ordinary dictionary words only (人工智能学家Aitists);
    * after it only when it holds a word jieba's dictionary does not know (思岚科技 yes; UArm机器人, roobo智能管家,
      iKair家庭环境管家 no: there the Latin is the brand and the Han what it makes).

    Forms under 2 characters are never given. The news linker's alias keys are these forms (its length,
    common-word and ambiguity guards still apply to each)."""
    s = normalize_name(name or "")
    if len(s) < 2:
        return []
    out = [s]
    if re.search("[\u4e00-\u9fff]", s):
        bare = strip_listing_marks(s)
        out.append(bare)
        m, han_first = _HAN_LATIN_RE.fullmatch(bare), True
        if not m:
            m, han_first = _LATIN_HAN_RE.fullmatch(bare), False
        if m:
            han, latin = m.groups() if han_first else m.groups()[::-1]
            if len(latin) >= 4 and latin.strip("+&'-") not in LATIN_GENERIC_WORDS:
                out.append(latin)
                words = list(_jieba().cut(han))
                if (not all(word_frequency(w) >= COMMON_WORD_FREQ for w in words) if han_first
                        else any(word_frequency(w) == 0 for w in words)):
                    out.append(han)
    return [x for x in dict.fromkeys(out) if len(x) >= 2]


#: words that, right after a company's name in running text, make the whole another organisation — a fund, a
#: partnership, an asset or investment manager of that name (…新动力股权投资基金, …新动力创业投资合伙企业, 奥赛康投资管理
#: 有限公司 beside the listed 奥赛康): the name there is no mention of the company (the news linker, unless the company's
#: own full name goes on so). 基金 is one unless a business line follows it (光大证券基金投顾业务 is 光大证券's own)
OTHER_ORG_SUFFIXES: tuple[str, ...] = ("股权投资", "创业投资", "产业投资", "投资基金", "投资合伙", "投资中心", "合伙企业",
                                      "有限合伙", "(有限合伙)", "资产管理", "投资管理", "基金管理", "基金会", "基金")
#: what after 基金 makes it a business line of the company named before it, not a fund of that name
FUND_BUSINESS_WORDS: tuple[str, ...] = ("投顾", "投资顾问", "销售", "代销", "托管", "业务", "牌照")
#: one of ``OTHER_ORG_SUFFIXES`` at the start of (normalised) text — ``OTHER_ORG_AFTER.match(text, end_of_name)``
OTHER_ORG_AFTER = re.compile(f"{_alt(w for w in OTHER_ORG_SUFFIXES if w != '基金')}|基金(?!{_alt(FUND_BUSINESS_WORDS)})")

#: words that, right after a name part and with Han characters right before it, make the run the name of another
#: organisation that holds the part inside its own name (永恒太阳能公司 is no mention of the company short-named
#: 太阳能): a legal form that ends a name (``INNER_NAME_ENDS``), after at most three of the legal-form and descriptor
#: words that may come before it (``INNER_NAME_WORDS``: 永恒太阳能科技股份有限公司). Those alone are no such end: 控股
#: is also 控股股东, 股份 the shares held (减持青岛啤酒股份), 集团 the company's own group (奇安信集团) — the news linker
INNER_NAME_ENDS: tuple[str, ...] = ("公司", "有限", "株式会社")
INNER_NAME_WORDS: tuple[str, ...] = (*DESCRIPTOR_SUFFIXES, "集团", "(集团)", "控股", "股份", "(中国)")
#: ``INNER_NAME_WORDS`` then one of ``INNER_NAME_ENDS`` at the start of (normalised) text —
#: ``INNER_NAME_AFTER.match(text, end_of_name)``
INNER_NAME_AFTER = re.compile(f"(?:{_alt(INNER_NAME_WORDS)}){{0,3}}(?:{_alt(INNER_NAME_ENDS)})")


# ----------------------------------------------------------------------------------------- list cells
_OPEN = "(（[【{［｛〔"
_CLOSE = ")）]】}］｝〕"
_ANY_BRACKET = frozenset(_OPEN + _CLOSE)


@lru_cache(maxsize=64)
def _pattern(regex: str) -> re.Pattern:
    return re.compile(regex)


@lru_cache(maxsize=64)
def _sep_re(seps: str) -> re.Pattern:
    return re.compile("[" + re.escape(seps) + "]")


def split_list(cell, seps: str = ",，、;；|") -> list[str]:
    """Items of a list cell split on any character of ``seps``, never inside brackets; trimmed, without empty
    items and placeholders ("-", "N/A", 未知: ``parse.placeholders``). ``seps`` written between slashes is a regular expression that separates the items (a mapping's
    ``separators: {applicants: "/,(?=\\S)/"}``: a comma with no space after it)."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    s = str(cell)
    if not seps:
        items = [s]
    elif len(seps) > 2 and seps[0] == seps[-1] == "/":
        items = _pattern(seps[1:-1]).split(s)
    elif not any(c in _ANY_BRACKET for c in s):
        items = _sep_re(seps).split(s)
    else:
        items, buf, depth = [], [], 0
        for ch in s:
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE and depth > 0:
                depth -= 1
            if depth == 0 and ch in seps:
                items.append("".join(buf))
                buf = []
            else:
                buf.append(ch)
        items.append("".join(buf))
    return [t for t in (i.strip() for i in items) if not is_placeholder(t)]


def split_pairs(cell, seps: str = ",，、;；|", pair_sep: str = ":：") -> list[tuple[str, str]]:
    """(left, right) pairs of a cell such as "黄晓南:创始人及CEO,谢鹏:联合创始人"; an item without a pair
    separator gives (item, "")."""
    out = []
    for item in split_list(cell, seps):
        cut = next((i for i, ch in enumerate(item) if ch in pair_sep), -1)
        if cut < 0:
            out.append((item, ""))
        else:
            left, right = item[:cut].strip(), item[cut + 1:].strip()
            if left or right:
                out.append((left, right))
    return out


# ---------------------------------------------------------------------------------------------- jieba
_tokenizer = None
_lock = threading.Lock()


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                domain = importlib.resources.files("zhaoshang").joinpath("data", "jieba_domain.txt")
                with importlib.resources.as_file(domain) as p:
                    tk.load_userdict(str(p))
                _tokenizer = tk
    return _tokenizer


def domain_tokenizer(extra_words=(), freq: int = 20000):
    """A jieba tokenizer of its own with the domain dictionary and ``extra_words`` (each at ``freq``), built on a
    copy of the shared tokenizer's dictionary: what a new tokenizer that loads jieba's dictionary, then the domain
    words, then adds ``extra_words`` holds, in a few hundredths of a second instead of most of one."""
    import jieba

    base = _jieba()
    tk = jieba.Tokenizer()
    with base.lock:
        tk.FREQ, tk.total = dict(base.FREQ), base.total
        tk.user_word_tag_tab = dict(base.user_word_tag_tab)
    tk.initialized = True
    for w in extra_words:
        tk.add_word(w, freq=freq)
    return tk


def _keep(tok: str) -> bool:
    return any(unicodedata.category(c)[0] in "LN" for c in tok)


def _prep(text) -> str:
    if text is None:
        return ""
    return to_simplified(unicodedata.normalize("NFKC", str(text)).lower())


def tokenize(text) -> list[str]:
    """jieba tokens (accurate mode) of a text: NFKC, lower case, simplified; punctuation and spaces dropped."""
    s = _prep(text)
    if not s.strip():
        return []
    return [t for t in _jieba().lcut(s) if _keep(t)]


def search_tokens(text) -> list[str]:
    """jieba search-mode tokens (words and their sub-words, for a full-text index), same cleaning."""
    s = _prep(text)
    if not s.strip():
        return []
    return [t for t in _jieba().lcut_for_search(s) if _keep(t)]


def query_words(text) -> list[str]:
    """The words of a search query: jieba's words (accurate mode, same cleaning), with each run of adjacent
    single characters joined — a name jieba does not know (讯飞 → 讯 + 飞, 云从科技 → 云 + 从 + 科技) stays one
    word instead of falling apart into characters that match anywhere."""
    s = _prep(text)
    out: list[str] = []
    run, end = "", -1
    for tok, start, stop in _jieba().tokenize(s):
        single = len(tok) == 1 and _keep(tok)
        if single and start == end and run:
            run += tok
        else:
            if run:
                out.append(run)
            run = tok if single else ""
            if not single and _keep(tok):
                out.append(tok)
        end = stop
    if run:
        out.append(run)
    return out


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen ``word`` (0 when it is no dictionary word): a common word scores high."""
    return int(_jieba().FREQ.get(word, 0) or 0)


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """jieba words of ``text`` as it is (no cleaning) with their character offsets, so callers can test
    whether a span starts or ends inside a word."""
    if not text:
        return []
    return list(_jieba().tokenize(text))
