"""The sizes and scratch tables of one scorecard ranked with no stored batch to read it from (the data changed
since ``score all``, other weights, live events from the team state): ``scorecard._population_rows`` ranks its
cohort over the whole population range by range of ids.

What every enterprise's signals read from everyone's facts — the typical gaps between rounds, the investors'
records, the people's other enterprises — is computed once per card into narrow tables (a row per round type,
per enterprise having investors or people; ``signals.shared_sql``). Then each range of enterprises (sized from
the batch memory cap, ``ZHAOSHANG_BATCH_MEMORY``) is reduced to counts per (node, age band, signal, value); the
cohort sizes, and the percentiles within the enterprise's own cohorts, are ranked from those counts as the
batch ranks them (``scorecard.rank_sql``) and kept in the connection's temporary tables in the stored batch's
layout; the card is then read from them as from a stored batch — the same figures as ranking everyone at once,
which held the whole population's signals at once (6 GB at 10 M).

DuckDB's ``memory_limit`` is left alone: it is a setting of the whole database instance, and a served database
shares its instance between every request (each on its own cursor); lowering it for one card would lower it
for all of them. Memory is bounded by the size of a range instead, and the temporary tables are the cursor's
own.
"""

from __future__ import annotations

from ...core.memory import BATCH_VAR, DUCKDB_SHARE, batch_default, cap_bytes

# what one enterprise's row costs while its range is ranked: its ~45 signal columns in the range's table, the
# range's share of the fact joins and of the per-value counts (about 1.3 GB per million rows measured at 1 M)
ROW_BYTES = 1536
MIN_RANGE = 100
TEMP = {"cohorts": "zs_card_cohorts", "ranks": "zs_card_ranks", "typical": "zs_card_typical",
        "shared": "zs_card_shared"}
GROUPS, RANGE = "zs_card_groups", "zs_card_b"


def range_rows() -> int:
    """Enterprises per range: DuckDB's share of the batch cap over what one row costs."""
    return max(MIN_RANGE, int(cap_bytes(BATCH_VAR, batch_default()) * DUCKDB_SHARE) // ROW_BYTES)
