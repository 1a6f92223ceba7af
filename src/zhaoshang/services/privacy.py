"""Personal data (个人信息保护法): masking by role, and the audit of every unmasked read.

Personal contact fields (phone, e-mail, ID numbers) and private individuals' shareholdings are shown only to
roles with the ``personal`` permission (docs/security.md); everyone else sees them masked (``138****5678``,
``c***@example.com``, ``张*``). Every answer that hands out such fields unmasked is written to the audit
log (``person.read``) with who, what, when and from where.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable

PHONE = re.compile(r"(?<![\d*.])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![\d*])")
LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})[- ]?(\d{3,4})(\d{4})(?![\d*])")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")

CONTACT_FIELDS = ("phone", "email", "id_number", "mobile", "wechat")


def mask_text(text: Any) -> Any:
    """Every phone number, e-mail address and resident ID number inside ``text`` masked."""
    if not isinstance(text, str) or not text:
        return text
    text = ID_NUMBER.sub(lambda m: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:], text)
    text = PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    text = LANDLINE.sub(lambda m: m.group(1) + "-****" + m.group(3), text)
    return EMAIL.sub(lambda m: m.group(1) + "***@" + m.group(2), text)


def mask_value(value: Any) -> Any:
    """A whole contact field masked: its patterns, and anything else reduced to its first and last characters."""
    if not isinstance(value, str) or not value:
        return value
    masked = mask_text(value)
    if masked != value:
        return masked
    return value[:1] + "***" + (value[-2:] if len(value) > 6 else "")


def mask_name(name: Any) -> Any:
    """A private individual's name: the surname and stars (张三 → 张*, Alice Wang → A***)."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + ("*" * max(1, min(len(name) - 1, 2)) if re.match(r"[\u4e00-\u9fff]", name) else "***")


def has_unmasked(text: str) -> list[str]:
    """The phone numbers and e-mail addresses in ``text`` that are not masked (for checks and tests)."""
    return [m.group(0) for m in PHONE.finditer(text)] + [m.group(0) for m in EMAIL.finditer(text)
                                                        if not m.group(0).split("@")[0].endswith("***")]


def _person_holder(row: dict) -> bool:
    return (row.get("holder_type") == "person") or (row.get("holder_person_id") is not None
                                                     and not row.get("holder_enterprise_id")
                                                     and not row.get("holder_investor_id"))


def present_profile(profile: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """The enterprise profile as ``user`` may see it. With the ``personal`` permission it is returned whole and
    ``record(action, target, detail)`` is called when it holds personal data; otherwise masked."""
    contacts = profile.get("contacts") or []
    holders = [s for s in profile.get("shareholders") or [] if _person_holder(s)]
    if user.can("personal"):
        if (contacts or holders) and record is not None:
            record("person.read", f"enterprise:{profile['enterprise']['id']}",
                   {"enterprise": profile["enterprise"].get("name"), "contacts": len(contacts),
                    "person_shareholders": len(holders)})
        return {**profile, "masked": False}
    out = copy.copy(profile)
    out["contacts"] = [{**c, **{k: mask_value(c[k]) for k in CONTACT_FIELDS if k in c},
                        "notes": mask_text(c.get("notes"))} for c in contacts]
    out["shareholders"] = [{**s, "holder_name": mask_name(s["holder_name"]), "holder_person_id": None}
                           if _person_holder(s) else s for s in profile.get("shareholders") or []]
    out["masked"] = True
    return out


def present_person(details: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """A person's details (``services.graph.reach.person_details``) as ``user`` may see them. Every read is written
    to the audit log (``person.read``, masked or not); without the ``personal`` permission gender, birth year and
    description are withheld, and a person record that holds shares or no office shows as surname and stars, without
    the source keys that spell the name (an unkeyed holder's key is ``name@enterprise``) and without its identity
    links (the other records of the person, which name it)."""
    person = details["person"]
    masked = not user.can("personal")
    if record is not None:
        record("person.read", person["key"], {"name": person["name"], "masked": masked})
    if not masked:
        return {**details, "masked": False}
    out = copy.deepcopy(details)
    out["person"].update(gender=None, birth_year=None, description=None)
    if details.get("shareholdings") or not details.get("roles"):
        out["person"].update(name=mask_name(person["name"]), source_key=None)
        # the identity links name the other records of the person (an officer's record under the full name): listed
        # beside the masked holding they would name the holder, so they are withheld and counted
        out["links_withheld"] = len(out.get("links", [])) + len(out.get("apart", []))
        out["links"], out["apart"] = [], []
    out["masked"] = True
    return out


def _holds_shares(p: dict) -> bool:
    return p["type"] == "person" and _share_ground([g["ground"] for g in p["grounds"]])


def _share_ground(grounds: list) -> bool:
    return any(g.endswith("shareholder") for g in grounds)


def present_key_persons(doc: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """Key persons as ``user`` may see them. Without the personal permission a private individual holding shares
    shows as surname and stars, without a person key, record or link, in the list and at the end of every ownership
    chain — as the profile shows the holder — even when the same person also holds an office there (the office
    alone is a public registry fact; the holding beside the name is not). With it the list is returned whole and,
    when it names such a holder, ``record`` writes the read to the audit log (``person.read``), as the profile does."""
    if user.can("personal"):
        holders = [p for p in doc["persons"] if _holds_shares(p)]
        if holders and record is not None:
            ent = doc.get("enterprise") or {}
            record("person.read", f"enterprise:{ent.get('id')}",
                   {"enterprise": ent.get("name"), "person_shareholders": len(holders)})
        return {**doc, "masked": False}
    out = copy.copy(doc)
    out["persons"] = [_masked_holder(p) if _holds_shares(p) else p for p in doc["persons"]]
    if any(p["key"] == doc["ultimate_controller"] and _holds_shares(p) for p in doc["persons"]):
        out["ultimate_controller"] = None  # the list's key of the controller, withheld with the person's
    out["masked"] = True
    return out


def _masked_holder(p: dict) -> dict:
    name = mask_name(p["name"])
    grounds = [{**g, "chains": [{**c, "path": c["path"][:-1] + [name]} for c in g["chains"]]} if g.get("chains") else g
               for g in p["grounds"]]
    return {**p, "key": None, "node": None, "name": name, "records": [], "grounds": grounds}


def present_ties(doc: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """Graph answers (a node's neighbours, paths to key persons) as ``user`` may see them: without the personal
    permission every person tied to an enterprise by a shareholding (a hop's, or a key person's ground) shows as
    surname and stars wherever the answer names that person (the hop, the node, a path's start or target, the key
    persons reached). With it the answer is returned whole and, when it names such a person, ``record`` writes the
    read to the audit log (``person.read``: the subject, the records named)."""
    hops = doc.get("neighbours", []) + [h for p in doc.get("paths", []) for h in p["hops"]]
    keys = {h[end]["key"] for h in hops if h.get("relation") == "shareholder"
            for end in ("from", "to") if h[end].get("type") == "person"}
    keys.update(r for p in doc.get("key_persons", []) if _share_ground(p["grounds"]) for r in p["records"])
    if user.can("personal"):
        if keys and record is not None:
            subject = doc.get("node") or doc.get("enterprise") or {}
            target = subject.get("key") or f"enterprise:{subject.get('id')}"
            record("person.read", target, {"name": subject.get("name"), "person_shareholders": len(keys),
                                           "records": sorted(keys)[:20]})
        return {**doc, "masked": False}
    out = _mask_keys(copy.deepcopy(doc), keys)
    out["masked"] = True
    return out


def _mask_keys(x: Any, keys: set) -> Any:
    if isinstance(x, list):
        return [_mask_keys(v, keys) for v in x]
    if not isinstance(x, dict):
        return x
    if "name" in x and (x.get("key") in keys or keys.intersection(x.get("records") or [])):
        x["name"] = mask_name(x["name"])
    return {k: _mask_keys(v, keys) for k, v in x.items()}
