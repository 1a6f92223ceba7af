"""The one rounding of the numbers shown to a person (``fixed``: the shares, LQs and strengths the pages, the CLI
tables and the reports print; the pages' ``ZS.fixed`` rounds alike), a measured value's text (``decimal_text``), the
decimals each kind of quantity is shown with (``DIGITS``, ``quantity_text``: a scorecard's amounts, months, shares,
weights and points, a match's score — the CLI's tables and the pages print each alike) and the one way a
relationship path's strength is printed (``strength_text``). Here, below the services, so that a sentence a service writes (a lead's reasons)
prints a number as a table beside it does; ``interfaces/labels.py`` gives the same functions to the interfaces."""

from __future__ import annotations

import decimal
import math

# an amount in 万元 as a person reads it: one decimal (a thousand yuan), as the 含估算 notes print their parts; the
# enterprise library's export writes its funding totals so (``rounded_sql``)
WAN_DIGITS = 1


def fixed(v: float, digits: int, scale: int = 0) -> str:
    """``v`` × 10**``scale`` with ``digits`` decimals, rounded half away from zero on its decimal value: a share of
    0.0025 is 0.3 %, as the pages' ``ZS.fixed`` prints it (the float 0.25 would print as 0.2 under Python's
    half-to-even and 0.3 under JavaScript's ``toFixed``). The one rounding of the shares and LQs shown."""
    if not math.isfinite(v):
        return f"{v * 10 ** scale:.{digits}f}"
    d = decimal.Decimal(repr(float(v))).scaleb(scale).quantize(decimal.Decimal(1).scaleb(-digits), decimal.ROUND_HALF_UP)
    return f"{d.copy_abs() if d.is_zero() else d:f}"


def decimal_text(v: float | None, digits: int = 2) -> str:
    """A measured value as a person reads it: a whole value as a whole number with thousands grouped (1,726; 12;
    6,000 — not 1726.00, 12.0), else ``digits`` decimals rounded as ``fixed`` rounds, thousands grouped, trailing
    zeros dropped (0.5, 12.25, 202,261.1); never "-0"; ``—`` for none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    v = float(v)
    if v.is_integer():
        return f"{int(v):,}"
    d = decimal.Decimal(fixed(v, digits))
    if d.is_zero():
        return "0"
    return f"{d:,f}".rstrip("0").rstrip(".") if "." in f"{d:f}" else f"{d:,f}"


# The decimals each kind of quantity is shown with, wherever a person reads it (the CLI's tables, the pages); the
# JSON answers keep the service's value. One kind, one rule: a scorecard's total raised reads 202,261.1 in
# `zhaoshang score` and on the profile alike, not 202,261 in one and 202,261.057 in the other.
DIGITS: dict[str, int] = {
    "amount_wan": WAN_DIGITS,  # an amount in 万元 (total raised): a thousand yuan
    "months": 1,               # a time in months (since the latest round; its distance from 12)
    "years": 1,                # a time in years (years since founding)
    "ratio": 3,                # a share or a mean tone between −1 and 1 (investor quality, invention share, news tone)
    "rate": 2,                 # a count per year (pace: rounds per year of age) or a log distance (gap_vs_stage)
    "count": 0,                # a count (patents, rounds, news, people)
    "percentile": 2,           # a percentile within the cohort, 0–100
    "points": 2,               # a contribution to a 0–100 score, in points
    "score": 1,                # a 0–100 dimension score or total
    "lead_score": 2,           # a lead's 0–100 score (招商线索, a pipeline lead, the region page and report's leads):
                               # zeros kept down its column (52.00 above 48.40), its signals' box alike
    "weight": 4,               # a weight, or a share of a total (the shares add up to 1: 0.2727, 0.0476)
    "confidence": 3,           # a confidence or a probability, 0–1
    "measure": 3,              # a measured value in an explanation and a rule's threshold (an attraction mode's
                               # patent LQ 3.045 against >= 1, compute 6,000 against >= 2,000): the pages' explained
                               # results, the report's and the workbook's mode cards alike
    "match_score": 3,          # a scenario match's score and semantic similarity (0.016; zeros kept in a column:
                               # interfaces/labels.py match_score_text), as its breakdown shows it
}


# the quantities read down a column, compared digit by digit: their decimals are kept when they are zeros (weights
# 0.3810 and 0.4286, match scores 0.600 and 0.549 — not 0.381 beside 0.4286)
ZEROS_KEPT = frozenset({"weight", "match_score", "lead_score"})


def quantity_text(v: float | None, quantity: str) -> str:
    """``v`` as a person reads a ``quantity`` (a key of ``DIGITS``): ``decimal_text`` with that quantity's decimals,
    or, for a quantity of ``ZEROS_KEPT``, ``fixed`` with all of them; ``—`` for none."""
    if quantity in ZEROS_KEPT:
        return "—" if v is None or (isinstance(v, float) and not math.isfinite(v)) else fixed(float(v), DIGITS[quantity])
    return decimal_text(v, DIGITS[quantity])


def rounded_sql(expr: str, digits: int) -> str:
    """SQL of ``expr`` (a number) rounded to ``digits`` decimals as ``fixed`` rounds — half away from zero on its
    decimal value, not on its binary one — a DOUBLE again: what an export writes where a page shows the number
    rounded (a sum of converted amounts is 12345.7, not 12345.678900000001)."""
    return f"CAST(round(CAST({expr} AS DECIMAL(38, 6)), {int(digits)}) AS DOUBLE PRECISION)"


def strength_text(v: float | None) -> str:
    """A path's (or a hop's) strength as a person reads it, the same on the pages (``ZS.strength``), in the CLI's
    tables and in a lead's reasons: two decimals (0.253125 → 0.25), rounded as ``fixed`` rounds; a strength two
    decimals would print as 0.00 with as many more as its first significant digit takes (0.004; the search drops
    paths below 0.0005); ``—`` for none. The JSON answers keep the full value."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    for digits in range(2, 7):
        shown = fixed(float(v), digits)
        if v == 0 or not decimal.Decimal(shown).is_zero():
            return shown
    return fixed(float(v), 6)
