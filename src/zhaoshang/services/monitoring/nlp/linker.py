"""Mention linking: which enterprises of the store a news text names, by full name, alias and short name.

Precision comes before recall (docs/methods.md, "News text analysis"):

* the dictionary is every enterprise name and alias of the store (one query; a name read from a short-name column
  is a short name), plus each full name without its
  legal form ("金融街控股股份有限公司" → "金融街控股") when that leaves at least 4 characters, and each alias's forms
  in running text (``core.text.name_parts``: 寒武纪 of 寒武纪-U, 商汤科技 and SenseTime of 商汤科技SenseTime) of at least
  ``PART_MIN`` characters that are no place name;
* the text is matched leftmost-longest on its normalised form (full-width, traditional, case), offsets are those
  of the original text;
* a key that is also a common word (jieba's dictionary frequency ≥ ``COMMON_FREQ``, or a place name), and any
  key shorter than 3 characters, links only when the text confirms it (a stock code or a legal-form word right
  after it) for that enterprise: a stock code must be the enterprise's own listed code, 股份 / 集团 must be in its
  full name ("朗源股份(300175)" never confirms an unlisted 北京朗源建筑工程有限公司); otherwise it is dropped
  (method ``common_word``, or ``unconfirmed`` when the text's code or word contradicts every candidate);
* a 2-character key cut out of a longer word (a jieba word crossing the match's start or end) is dropped, and
  so is a Latin key with a letter or digit right before or after it;
* a key followed directly by an organisation word that makes the whole another organisation (a fund, a partnership,
  an asset or investment manager: ``core.text.OTHER_ORG_SUFFIXES`` — …新动力股权投资基金) is dropped (method
  ``other_org``), unless the enterprise's own full name goes on with that word;
* a key that is no full name, with a Han character right before it and a legal form ending a name right after it
  (``core.text.INNER_NAME_AFTER``: 永恒太阳能公司) is part of another organisation's name and dropped (method
  ``inner_name``) — not after a place name, and not for an enterprise whose own full name holds the character before,
  the key and the legal form; a key that is no common word only when the word before it is none of jieba's dictionary;
* a key that is no full name with a person name's middle dot (``core.text.NAME_DOTS``) right before or after it is a
  person (埃隆·马斯克), dropped with its later occurrences in the text (method ``person``);
* a key several enterprises share stays unlinked: it is returned in ``ambiguous`` with its candidates;
* a name the dictionary lacks (renamed, newly listed) of 2–4 characters (with its *ST/ST prefix, A/B suffix) that
  starts a clause and is followed by a stock code in brackets ("獐子岛(002069)") links by the code when exactly
  one enterprise has it (method ``code``); a longer run may carry other words and is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ....core.geo.lookup import place_names
from ....core.text import (COMMON_WORD_FREQ, INNER_NAME_AFTER, NAME_DOTS, OTHER_ORG_AFTER, PROVINCE_NAMES, name_parts,
                           normalize_name, word_frequency, word_spans)

__all__ = ["Mention", "LinkResult", "MentionLinker", "COMMON_FREQ"]

#: jieba dictionary frequency from which a short name counts as a common word
COMMON_FREQ = COMMON_WORD_FREQ
#: the shortest form of an alias other than the alias itself that is a key (core.text.name_parts: 寒武纪 of
#: 寒武纪-U, 商汤科技 of 商汤科技SenseTime); a 2-character one (宝鹰 of *ST宝鹰, 耐能 of 耐能Kneron) is not: it would be
#: a guess confirmed only by what follows it, and "宝鹰股份(002047)" links by its code as a whole
PART_MIN = 3
#: keys this short are dropped when cut out of a longer word (longer keys are distinctive enough)
CUT_CHECK_MAX = 2
#: confidence of a link by the kind of key that matched
CONFIDENCE = {"name": 0.98, "short": 0.9, "former": 0.85, "brand": 0.85, "other": 0.8, "english": 0.9,
              "base": 0.85, "confirmed": 0.75, "code": 0.8}
_LEGAL_TAILS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司", "(集团)")
_PLACES = frozenset(normalize_name(p) for p in PROVINCE_NAMES)
# what may follow a short key to confirm that the text means the company: a stock code or a legal-form word
# (with the word, the code after it too). A code confirms only the enterprise listed under it, 股份 and 集团 only an
# enterprise whose full name has them (``MentionLinker._confirms``)
_CODE_AFTER = r"(?:[(（]\s*(?:[a-z]{{2}}[.:：]?)?(?P<{}>\d{{6}})(?!\d)|(?P<{}>\d{{6}})(?!\d))"
_CONFIRM_RE = re.compile(r"^\s*(?:" + _CODE_AFTER.format("code", "bare") + r"|(?P<word>股份|集团|公司|控股)\s*(?:"
                         + _CODE_AFTER.format("code2", "bare2") + r")?)", re.I)
# a name the dictionary does not hold, right before its stock code, at the start of a clause: "獐子岛(002069)"
_CODE_RE = re.compile(r"(^|[\s，,。；;：:、！!？?“”\"‘’（(【】\[\]）)])(\*?(?:S?ST)?[\u4e00-\u9fff]{2,4}[AB]?)"
                      r"\s*[（(]\s*(?:[A-Za-z]{2}[.:：]?)?(\d{6})(?!\d)")


@dataclass
class Mention:
    """One linked (or ambiguous) mention: ``start``/``end`` are offsets into the original text; ``name`` is the
    full name of the enterprise it is linked to (the mention is what the text writes: 太阳能, 马斯克)."""

    mention: str
    start: int
    end: int
    enterprise_id: int | None
    method: str
    confidence: float
    candidates: list[int] = field(default_factory=list)
    name: str | None = None

    def to_json(self) -> dict:
        return {"enterprise_id": self.enterprise_id, "name": self.name, "mention": self.mention, "start": self.start,
                "end": self.end, "method": self.method, "confidence": self.confidence, "candidates": self.candidates}


@dataclass
class LinkResult:
    """``linked``: mentions tied to one enterprise; ``ambiguous``: mentions with several candidate enterprises;
    ``dropped``: keys found but not trusted (common words, cut words), with the reason as ``method``."""

    linked: list[Mention]
    ambiguous: list[Mention]
    dropped: list[Mention]

    def enterprise_ids(self) -> list[int]:
        seen: list[int] = []
        for m in self.linked:
            if m.enterprise_id not in seen:
                seen.append(m.enterprise_id)
        return seen

    def to_json(self) -> dict:
        return {"linked": [m.to_json() for m in self.linked], "ambiguous": [m.to_json() for m in self.ambiguous],
                "dropped": [m.to_json() for m in self.dropped]}


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    if ch.isspace():
        return ""
    return normalize_name(ch)


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """The matching form of ``text`` and, for each of its characters, the offset of the original character."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        n = _norm_char(ch)
        for c in n:
            out.append(c)
            where.append(i)
    return "".join(out), where


def base_name(full_name: str) -> str:
    """A full legal name without its legal-form tail, in matching form ("" when too short to be safe)."""
    s = normalize_name(full_name)
    for tail in _LEGAL_TAILS:
        if s.endswith(tail):
            s = s[: -len(tail)]
            break
    else:
        return ""
    return s if len(s) >= 4 else ""


class MentionLinker:
    """A dictionary of enterprise names: ``key → {enterprise_id: kind}``; build once, call ``link`` per text."""

    def __init__(self, rows: list[tuple[int, str, str]] | None = None):
        self.keys: dict[str, dict[int, str]] = {}
        self.surface: dict[int, str] = {}
        self.codes: dict[str, set[int]] = {}
        for eid, name, kind in rows or []:
            if kind == "code":
                self.codes.setdefault(name, set()).add(eid)
            elif kind == "short_name":  # an enterprise named by its short name only: an alias, and what it is called
                self.add(eid, name, "short")
                self.surface.setdefault(eid, name)
            else:
                self.add(eid, name, kind)

    _RANK = ("name", "short", "english", "former", "brand", "other", "base")

    def add(self, enterprise_id: int, name: str, kind: str) -> None:
        key = normalize_name(name or "")
        if len(key) < 2:
            return
        # a full name is its own key; an alias also stands for its forms in running text (core.text.name_parts:
        # without listing-status marks, and each name part of a brand glued to a Latin name) of ``PART_MIN``
        # characters or more that is no place name (张家界 of ST张家界 is first the city)
        forms = [key] if kind == "name" else [k for k in name_parts(name)
                                              if k == key or len(k) >= PART_MIN and k not in place_names()]
        for k in forms:
            slot = self.keys.setdefault(k, {})
            old = slot.get(enterprise_id)
            if old is None or self._RANK.index(kind if kind in self._RANK else "other") < self._RANK.index(old if old in self._RANK else "other"):
                slot[enterprise_id] = kind
        if kind == "name":
            self.surface[enterprise_id] = name
            b = base_name(name)
            if b and b not in self.keys.get(b, {}):
                self.keys.setdefault(b, {}).setdefault(enterprise_id, "base")
        self._lengths = None

    def _owning(self, slot: dict[int, str], whole: str) -> dict[int, str]:
        """The enterprises of ``slot`` whose full name holds ``whole`` (normalised)."""
        return {eid: k for eid, k in slot.items() if whole in normalize_name(self.surface.get(eid, ""))}

    def _confirms(self, eid: int, conf: re.Match) -> bool:
        """Whether the stock code or legal-form word after a short key (``_CONFIRM_RE``) fits enterprise ``eid``:
        a code must be its listed code; 股份 and 集团 must be in its full name; 公司 and 控股 fit any."""
        code = next((c for c in conf.group("code", "bare", "code2", "bare2") if c), None)
        if code and eid not in self.codes.get(code, ()):
            return False
        word = conf.group("word")
        return word not in ("股份", "集团") or word in normalize_name(self.surface.get(eid, ""))

    @classmethod
    def from_store(cls, store, kinds: tuple[str, ...] = ("short", "brand", "former", "other", "english")) -> "MentionLinker":
        """All names, aliases and stock codes of the enterprises in ``store``, read in one query. A name read from a
        short-name column (``enterprises.name_short``: an SSE-listed company no file gave a full name) is a short name
        with a short name's guards, not a full name trusted as it is."""
        marks = ", ".join("?" for _ in kinds)
        rows = store.con.execute(
            f"SELECT id, name, CASE WHEN coalesce(name_short, false) THEN 'short_name' ELSE 'name' END FROM enterprises "
            f"WHERE name IS NOT NULL "
            f"UNION ALL SELECT enterprise_id, alias, kind FROM enterprise_aliases WHERE kind IN ({marks}) "
            f"UNION ALL SELECT id, listed_code, 'code' FROM enterprises WHERE listed_code IS NOT NULL",
            list(kinds)).fetchall()
        return cls(rows)

    @property
    def lengths(self) -> dict[str, list[int]]:
        """Per first character, the lengths of the keys starting with it, longest first."""
        if getattr(self, "_lengths", None) is None:
            by: dict[str, set] = {}
            for k in self.keys:
                by.setdefault(k[0], set()).add(len(k))
            self._lengths = {c: sorted(ls, reverse=True) for c, ls in by.items()}
        return self._lengths

    def _candidates(self, norm: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest, non-overlapping dictionary keys in the normalised text: (start, end, key)."""
        found, i, n = [], 0, len(norm)
        lengths = self.lengths
        while i < n:
            hit = None
            for L in lengths.get(norm[i], ()):
                if i + L <= n and norm[i:i + L] in self.keys:
                    hit = norm[i:i + L]
                    break
            if hit:
                found.append((i, i + len(hit), hit))
                i += len(hit)
            else:
                i += 1
        return found

    def link(self, text: str) -> LinkResult:
        """Linked, ambiguous and dropped mentions of ``text`` (see the module docstring for the rules)."""
        linked: list[Mention] = []
        ambiguous: list[Mention] = []
        dropped: list[Mention] = []
        if not text:
            return LinkResult(linked, ambiguous, dropped)
        norm, where = normalise_with_offsets(text)
        hits = self._candidates(norm)
        bounds = None
        persons: set[str] = set()
        for s, e, key in hits:
            start, end = where[s], where[e - 1] + 1
            slot = self.keys[key]
            kinds = set(slot.values())
            strong = "name" in kinds  # a full legal name is trusted as it is
            m = Mention(text[start:end], start, end, None, "", 0.0)
            if key.isascii() and (norm[s - 1:s].isalnum() and norm[s - 1:s].isascii()
                                  or norm[e:e + 1].isalnum() and norm[e:e + 1].isascii()):
                m.method = "cut_word"  # a Latin name inside a longer Latin word ("TCL" in "TCLX")
                m.candidates = sorted(slot)
                dropped.append(m)
                continue
            if not strong:
                if key in persons or _beside_dot(text, start, end):  # 埃隆·马斯克: a person's name, here and after
                    persons.add(key)
                    m.method = "person"
                    m.candidates = sorted(slot)
                    dropped.append(m)
                    continue
                inner = INNER_NAME_AFTER.match(norm, e) if _han(norm[s - 1:s]) and not _place_before(norm, s) else None
                if inner and not _common(key):  # a distinctive name: only glued to a word no dictionary knows
                    if bounds is None:
                        bounds = _word_bounds(norm)
                    inner = inner if _word_before(norm, bounds, s) is None else None
                org = OTHER_ORG_AFTER.match(norm, e)
                # 永恒太阳能公司: the key inside another organisation's name; …新动力股权投资基金: a fund of the name —
                # unless the enterprise's own full name goes on so
                gone = None
                for method, whole in (("inner_name", inner and norm[s - 1:e] + inner.group(0)),
                                      ("other_org", org and key + org.group(0))):
                    kept = self._owning(slot, whole) if whole else slot
                    if not kept:
                        gone = method
                        break
                    slot = kept
                if gone:
                    m.method = gone
                    m.candidates = sorted(slot)
                    dropped.append(m)
                    continue
                if len(key) <= CUT_CHECK_MAX and bounds is None:
                    bounds = _word_bounds(norm)
                if len(key) <= CUT_CHECK_MAX and _cuts_word(bounds, s, e):
                    m.method = "cut_word"
                    m.candidates = sorted(slot)
                    dropped.append(m)
                    continue
                if _common(key):
                    conf = _CONFIRM_RE.match(norm[e:e + 12])
                    kept = {eid: k for eid, k in slot.items() if conf and self._confirms(eid, conf)}
                    if not kept:
                        m.method = "unconfirmed" if conf else "common_word"
                        m.candidates = sorted(slot)
                        dropped.append(m)
                        continue
                    slot = kept
            best = {eid: k for eid, k in slot.items() if k != "base"} or slot
            if len(best) > 1:
                m.method = "ambiguous"
                m.candidates = sorted(best)
                ambiguous.append(m)
                continue
            eid, kind = next(iter(best.items()))
            m.enterprise_id, m.name = eid, self.surface.get(eid)
            m.method = kind if kind in CONFIDENCE else "other"
            m.confidence = CONFIDENCE[m.method]
            if not strong and _common(key):
                m.method, m.confidence = "confirmed", CONFIDENCE["confirmed"]
            linked.append(m)
        if self.codes:
            linked += self._by_code(text, linked + ambiguous)
            linked.sort(key=lambda x: x.start)
        return LinkResult(linked, ambiguous, dropped)

    def _by_code(self, text: str, taken: list[Mention]) -> list[Mention]:
        """Names the dictionary lacks (renamed, new) linked by the stock code that follows them, when the code is
        one enterprise's and no found mention overlaps the name."""
        out = []
        for mt in _CODE_RE.finditer(text):
            start, end = mt.start(2), mt.end(2)
            ids = self.codes.get(mt.group(3), set())
            if len(ids) != 1 or any(m.start < end and m.end > start for m in taken):
                continue
            eid = next(iter(ids))
            out.append(Mention(text[start:end], start, end, eid, "code", CONFIDENCE["code"], name=self.surface.get(eid)))
        return out


def _beside_dot(text: str, start: int, end: int) -> bool:
    """Whether the mention at ``start:end`` of the original text has a person name's middle dot (``NAME_DOTS``)
    right before or after it (spaces aside): 埃隆·马斯克, 马斯克·埃隆."""
    return text[:start].rstrip()[-1:] in tuple(NAME_DOTS) or text[end:].lstrip()[:1] in tuple(NAME_DOTS)


def _word_before(norm: str, bounds: tuple[set[int], set[int]], s: int) -> str | None:
    """The dictionary word (jieba) that ends right before offset ``s``; None when the text there is no word of the
    dictionary (a name: 鑫达 in 鑫达红太阳公司) or a word runs across ``s``."""
    starts, ends = bounds
    if s not in ends:
        return None
    a = max((x for x in starts if x < s), default=0)
    w = norm[a:s]
    return w if word_frequency(w) > 0 else None


def _han(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


#: the longest place name looked for right before a key
_PLACE_MAX = 8


def _place_before(norm: str, s: int) -> bool:
    """Whether a place name (province, city, district: ``place_names``) ends right before offset ``s``: 北京太阳能公司
    writes where the company is, not another organisation's name."""
    names = place_names()
    return any(norm[s - n:s] in names for n in range(2, min(_PLACE_MAX, s) + 1))


@lru_cache(maxsize=100_000)
def _common(key: str) -> bool:
    """A key a reader would take for an ordinary word or a place before a company: never linked on its own."""
    return len(key) < 3 or key in _PLACES or word_frequency(key) >= COMMON_FREQ


def _word_bounds(norm: str) -> tuple[set[int], set[int]]:
    """Start and end offsets of the jieba words of the normalised text."""
    starts, ends = set(), set()
    for _w, a, b in word_spans(norm):
        starts.add(a)
        ends.add(b)
    return starts, ends


def _cuts_word(bounds: tuple[set[int], set[int]], s: int, e: int) -> bool:
    starts, ends = bounds
    return s not in starts or e not in ends
