"""The one rounding of the numbers shown to a person (``fixed``: the shares, LQs and strengths the pages, the CLI
tables and the reports print; the pages' ``ZS.fixed`` rounds alike) and the one way a relationship path's strength
is printed (``strength_text``). Here, below the services, so that a sentence a service writes (a lead's reasons)
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
