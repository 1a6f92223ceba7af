"""Why two person records are linked or kept apart (services/graph/identity.py: its rules, the users' decisions,
the vetoes), in words of each language: the one table the identity list (labels.IDENTITY_REASONS, ``people
links``) and a path's evidence (an identity hop's note, services/graph/edges.py) read. A module of its own, outside
the graph package, so that the labels load no graph library."""

from __future__ import annotations

REASON_LABELS: dict[str, tuple[str, str]] = {  # (zh, en)
    "same_enterprise_tenure": ("同一企业任职且任期重叠", "overlapping tenures at one enterprise"),
    "same_enterprise": ("同一企业任职", "roles at one enterprise"),
    "shared_codirector": ("有共同的董监高同事", "a shared co-director"),
    "gender_birth_year": ("性别与出生年份相同", "same gender and birth year"),
    "contact_same_enterprise": ("联系人在其任职企业", "a contact at the enterprise of a role"),
    "inventor_same_enterprise": ("任职企业专利的发明人", "an inventor of a patent of the enterprise of a role"),
    "confirmed": ("人工确认为同一人", "confirmed as one person"),
    "gender_or_birth_year_differ": ("性别或出生年份不同", "gender or birth year differ"),
    "name_only": ("仅姓名相同", "the name only"), "split": ("人工确认为不同人", "split as two persons")}


def reasons_text(reasons: str | None, lang: str = "zh") -> str:
    """A link's reasons (``same_enterprise_tenure,gender_birth_year``) in words of the language."""
    codes = [c for c in str(reasons or "").split(",") if c]
    return ("; " if lang == "en" else "；").join(REASON_LABELS.get(c, (c, c))[1 if lang == "en" else 0] for c in codes)

