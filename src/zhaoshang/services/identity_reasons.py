"""Why two person records are linked or kept apart (services/graph/identity.py: its rules, the users' decisions,
the vetoes), in words of each language: the one table the identity list (labels.IDENTITY_REASONS, ``people
links``) and a path's evidence (an identity hop's note, services/graph/edges.py) read. A module of its own, outside
the graph package, so that the labels load no graph library."""

from __future__ import annotations

from ..core.numbers import strength_text

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


# the kinds of a relationship graph's node (services.graph.build.TYPES): the record a path's identity note names
NODE_KINDS: dict[str, tuple[str, str]] = {"person": ("人员", "person"), "enterprise": ("企业", "enterprise"),
                                          "investor": ("投资机构", "investor"), "contact": ("联系人", "contact"),
                                          "inventor": ("发明人", "inventor")}


def same_person_text(note: dict, lang: str = "zh") -> str:
    """A path's note of the other record of one person under one name (``services/graph/reach``: ``same_person``,
    no hop of the path) in words: the record's kind and name — as the answer gives it, masked for a role without
    ``personal`` —, what links the two (its evidence's notes; a rule's or decision's codes, ``reasons``, in the words
    of ``lang``) and the link's strength — ``同一人（另一条记录：联系人 李磊；联系人在其任职企业；强度 0.90）`` /
    ``same person (another record: contact 李磊; a contact at the enterprise of a role; strength 0.90)``. One text for
    every view of a path: the relations page, ``zhaoshang reach`` and a lead's reach path."""
    en = lang == "en"
    rec = note.get("record") or {}
    kind = NODE_KINDS.get(str(rec.get("type")), (rec.get("type") or "",) * 2)[en]
    name = rec.get("name") or ""
    why = list(dict.fromkeys(str(reasons_text(ev["reasons"], lang) if ev.get("reasons") else ev["note"])
                             for ev in note.get("evidence") or [] if ev.get("reasons") or ev.get("note")))
    said = [(", " if en else "、").join(why)] if why else []
    said.append(("strength " if en else "强度 ") + strength_text(note.get("strength")))
    if en:
        return f"same person (another record: {kind} {name}; {'; '.join(said)})"
    return f"同一人（另一条记录：{kind} {name}；{'；'.join(said)}）"


def noted(text: str, notes: list | None, lang: str = "zh") -> str:
    """``text`` (a path's node, or the hop that ends at it, in a line) followed by the notes of the other records of
    that person (``same_person_text``), each after `` · ``."""
    return " · ".join([text] + [same_person_text(n, lang) for n in notes or []])
