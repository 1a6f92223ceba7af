"""Value parsers used by the importers on the distinct values of a column: amounts, dates, credit codes,
financing rounds, and the placeholders that mean "no value" in any of them. Each is pure and raises ``ParseError``
(a ``ValueError``: the Chinese reason, a stable code, the English reason) for a value it cannot read."""

from zhaoshang.core.parse.amounts import FX_CNY, FX_YEAR, Amount, fx_rate, parse_amount
from zhaoshang.core.parse.dates import parse_date, parse_date_ex
from zhaoshang.core.parse.placeholders import PLACEHOLDERS, is_placeholder, placeholder_sql
from zhaoshang.core.parse.problem import ParseError
from zhaoshang.core.parse.rounds import ROUND_LABELS_ZH, ROUND_ORDER, ROUNDS, is_later_round, normalize_round
from zhaoshang.core.parse.uscc import (
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    uscc_check_char,
    uscc_normalize_sql,
    uscc_valid_sql,
    validate_uscc,
)

__all__ = [
    "Amount", "ParseError", "FX_CNY", "FX_YEAR", "fx_rate", "parse_amount", "parse_date", "parse_date_ex", "ROUNDS",
    "ROUND_ORDER", "ROUND_LABELS_ZH", "normalize_round", "is_later_round", "uscc_check_char", "validate_uscc",
    "is_valid_uscc", "make_uscc", "normalize_uscc", "uscc_valid_sql", "uscc_normalize_sql", "PLACEHOLDERS",
    "is_placeholder", "placeholder_sql",
]
