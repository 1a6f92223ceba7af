"""How a placement was made (``method``: the rules', an analyst's, a declared one) and which of an enterprise's
placements is its primary segment. Apart from the analyst decisions (corrections.py) so that the scorecard, the
leads and the pipeline rank placements without importing the decisions' service and what it builds on."""

from __future__ import annotations

ANALYST = "analyst"
DECLARED = "declared"


# An enterprise's primary segment (its scoring cohort, a lead's segment): the placement ranked first by this key —
# a confirmed one (an inferred placement an analyst confirmed, or a confirmation the rules no longer make) above every
# other, an analyst's added one below every other (an extra segment recorded, not a new comparison group), the
# rest by their confidence as before (declared 1.0, inferred by the rules' or the model's). Only as the sole
# placement does an added one become primary. docs/methods.md, "Scorecard", the primary segment.
PRIMARY_RANK = (f"CASE WHEN method LIKE '%+confirmed' OR (method = '{ANALYST}' AND "
                "json_extract_string(evidence, '$.params.action') = 'confirm') THEN 2 + coalesce(confidence, 0) "
                f"WHEN method = '{ANALYST}' THEN coalesce(confidence, 0) - 2 ELSE confidence END")
