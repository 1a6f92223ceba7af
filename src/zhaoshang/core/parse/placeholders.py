"""The cell texts that mean "no value": the one list every column type reads them by.

Exports write an unknown value as a dash, a slash, ``N/A``, a spreadsheet's or pandas' missing marker, or in
words (未知, 不详). Such a cell holds nothing, whatever its column: a date, an amount, a number or a round is
empty, a text field (a business scope, a website, an address) is NULL rather than the text "-", a list item is
dropped, and a required field (a name, a key) is missing. The comparison is made after NFKC (full-width forms
are their half-width ones: ``－`` is ``-``), trimming and lower case, so ``N/A``, ``NULL`` and ``NaN`` are
placeholders too. docs/data-formats.md, "Cells that hold no value", lists them.
"""

from __future__ import annotations

import unicodedata

__all__ = ["OPEN_ENDED", "PLACEHOLDERS", "is_open_ended", "is_placeholder", "placeholder_sql"]

# lower case, as compared after NFKC and trimming; "" (an empty cell) is one
PLACEHOLDERS: frozenset[str] = frozenset({
    "",
    "-", "--", "—", "——", "–", "/",  # dashes (hyphen, em dash, two em dashes, en dash) and a slash
    "n/a", "#n/a", "na",  # not available (#N/A: a spreadsheet's failed lookup)
    "nan", "nat", "none", "null",  # missing markers of pandas, Python and SQL exports
    "未知", "不详",  # unknown
})
_LONGEST = max(map(len, PLACEHOLDERS))


def is_placeholder(text) -> bool:
    """Whether a cell holds no value: None, NaN, or a text that is only a placeholder (``PLACEHOLDERS``)."""
    if text is None:
        return True
    if isinstance(text, float):
        return text != text
    s = str(text).strip()
    # NFKC never shortens what a placeholder is written as (a full-width character is one character): a longer
    # text is none, and most cells are decided by their length alone
    return len(s) <= _LONGEST and unicodedata.normalize("NFKC", s).strip().lower() in PLACEHOLDERS


# what a deadline cell writes for "no deadline": open-ended (长期有效 — a 需求清单's scenario collected for as long as it
# takes). A deadline (``dates.DEADLINES``: a demand's 截止时间, a lead's next-action date) reads these as no date, not
# as an unreadable one; any other column keeps them as the text they are (a date column: unreadable). Compared as
# placeholders are (NFKC, trimmed, lower case). docs/data-formats.md, "Cells that hold no value", lists them.
OPEN_ENDED: frozenset[str] = frozenset({
    "长期有效", "长期", "长期征集", "常年", "常年有效", "不限", "不限期", "无期限", "永久", "永久有效", "无",
    "open-ended",  # as an English pipeline export writes a lead's open-ended next action (and imports it back)
})
_LONGEST_OPEN = max(map(len, OPEN_ENDED))


def is_open_ended(text) -> bool:
    """Whether a deadline's cell says it has none (``OPEN_ENDED``: 长期有效, 长期, 不限, 无 …)."""
    if not isinstance(text, str):
        return False
    s = text.strip()
    return len(s) <= _LONGEST_OPEN and unicodedata.normalize("NFKC", s).strip().lower() in OPEN_ENDED


def _full_width(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


# the SQL list: each placeholder as written and in full-width characters (NFKC in SQL would cost every cell)
_SQL_FORMS = sorted(PLACEHOLDERS | {_full_width(p) for p in PLACEHOLDERS})
_SQL_LIST = ", ".join("'" + p.replace("'", "''") + "'" for p in _SQL_FORMS)
# the longest placeholder's bytes with a few spaces around it
_SQL_PADDED = max(len(p.encode("utf-8")) for p in _SQL_FORMS) + 8


def placeholder_sql(col: str) -> str:
    """DuckDB expression: the text column trimmed, NULL where it is empty or a placeholder as ``is_placeholder``
    reads it (written in half-width or in full-width characters). A cell of more than ``_SQL_PADDED`` bytes is
    trimmed text, never a placeholder (a placeholder padded with that many spaces is not one): DuckDB's ``trim``
    reads the whole text, so a long cell, most of an import's bytes, is trimmed once."""
    t = f"trim({col})"
    return (f"CASE WHEN strlen({col}) > {_SQL_PADDED} THEN {t} WHEN lower({t}) IN ({_SQL_LIST}) THEN NULL "
            f"ELSE {t} END")
