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


# the patterns are matched on the text with full-width characters read as their ASCII twins (１３８… as 138…,
# （0571）as (0571)): one character for one, so a match's place in the text is its place in the original
PHONE = re.compile(r"(?<![\d*.])(?:(?:\+|00)?86[- .]?)?(1[3-9]\d)[- .]?(\d{4})[- .]?(\d{4})(?![\d*]|\.\d)")
LANDLINE = re.compile(r"(?<![\dA-Za-z*.])\(?(0\d{2,3})\)?[- ]?(\d{3,4})[- .]?(\d{4})(?![\d*]|\.\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# resident ID numbers: region, date of birth, sequence; the date a real one, so an amount or a credit code of 18
# digits (91330100…: its region part starts with 9) is left alone. The 15-digit number of before 1999 has YYMMDD.
_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])([1-8]\d{5})((?:18|19|20)\d{2}" + _DAY + r")(\d{3}[\dXx])(?![\dA-Za-z])")
OLD_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])([1-8]\d{2})(\d{5}" + _DAY + r"\d)(\d{2})(?![\dA-Za-z])")
PASSPORT = re.compile(r"(?:护照|passport)(?:号码|号)?(?:\s*(?:no\.?|number))?[\s:#]*([A-Za-z]{1,2})(\d{7,8})(?![\dA-Za-z])",
                      re.IGNORECASE)
# the one list, in order of precedence (an e-mail holding a mobile number is masked as an e-mail)
PATTERNS = (
    (EMAIL, lambda m, text: m.group(1) + "***@" + m.group(2)),
    (ID_NUMBER, lambda m, text: m.group(1)[:3] + "*" * 11 + m.group(3)[-4:]),
    (OLD_ID_NUMBER, lambda m, text: m.group(1) + "*" * 8 + m.group(2)[-2:] + m.group(3)),
    (PASSPORT, lambda m, text: text[m.start():m.start(1)] + m.group(1) + "****" + m.group(2)[-4:]),  # 护照 kept
    (PHONE, lambda m, text: m.group(1) + "****" + m.group(3)),
    (LANDLINE, lambda m, text: m.group(1) + "-****" + m.group(3)),
)
# a value already in one of the masked forms above (a source that stored 168****7966): shown as it is
ALREADY_MASKED = re.compile(r"1[3-9]\d\*{4}\d{4}|0\d{2,3}-\*{4}\d{4}|[A-Za-z0-9._%+-]\*{3}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
                            r"|[1-8]\d{2}\*{11}\d{3}[\dXx]")
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

CONTACT_FIELDS = ("phone", "email", "id_number", "mobile", "wechat")
CONTACT_TEXT = ("notes", "relation", "title", "organisation")  # a contact's free text: its patterns masked
LEAD_TEXT = ("next_action", "abandon_reason", "from_value", "to_value")  # a lead's free text and its history's values
# a demand's free text and its contact (联系人, as the list writes it: 王主任 13912345678): their patterns masked, as a
# contact's notes are
DEMAND_TEXT = ("title", "description", "organisation", "contact")
NEWS_TEXT = ("title", "title_en", "body")  # a news item's or an event's headline and a news body (feeds, imports)
# a lead signal's example (the 本地需求 signal's open demand: its title, DEMAND_TEXT) and the rows a signal names
# (``explain.Ref`` items: a demand's title among them)
LEAD_SIGNAL_TEXT = ("example", "label", "label_en")
# the free text of a record a graph tie rests on (a contact's or a role's title), in its evidence, and an office's
# title as a hop says it (its relation's label and arrow)
TIE_TEXT = ("note", "title", "relation_label", "relation_arrow")


def _found(text: str) -> list[tuple[int, int, str]]:
    """(start, end, masked form) of every phone number, e-mail address, ID or passport number in ``text``."""
    plain = text.translate(_HALF_WIDTH)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in PATTERNS:
        for m in pattern.finditer(plain):
            if not any(m.start() < e and s < m.end() for s, e, _ in spans):
                spans.append((m.start(), m.end(), mask(m, text)))
    return sorted(spans)


def mask_text(text: Any) -> Any:
    """Every phone number (mobile or landline), e-mail address, resident ID number (18 or 15 digits) and passport
    number inside ``text`` masked; full-width digits are read as digits. Amounts, dates, years, percentages and
    credit codes are left as they are."""
    if not isinstance(text, str) or not text:
        return text
    out, pos = [], 0
    for start, end, masked in _found(text):
        out += [text[pos:start], masked]
        pos = end
    return "".join(out) + text[pos:]


def mask_value(value: Any) -> Any:
    """A whole contact field masked: its patterns, and anything else reduced to its first and last characters."""
    if not isinstance(value, str) or not value:
        return value
    masked = mask_text(value)
    if masked != value or ALREADY_MASKED.fullmatch(value.strip()):
        return masked
    return value[:1] + "***" + (value[-2:] if len(value) > 6 else "")


def mask_name(name: Any) -> Any:
    """A private individual's name: the surname and one star whatever the name's length (张三 → 张*, 王小明 → 王*,
    Alice Wang → A***): stars as many as the given name's characters would tell a three-character holder from the
    two-character officers beside it."""
    if not isinstance(name, str) or not name:
        return name
    return name[0] + ("*" if re.match(r"[\u4e00-\u9fff]", name) else "***")


def masked_over(stored: Any, text: Any) -> list[str]:
    """The masked forms of the personal details of ``stored`` (``mask_text``'s: ``138****5678``, ``z***@corp.cn``)
    that ``text`` holds where ``stored`` holds the detail itself: ``text`` is (or was edited from) ``stored`` as a role
    without the personal permission read it, so it would write the masks over the real numbers. Empty when ``text``
    holds none of them (or holds the details themselves)."""
    if not isinstance(stored, str) or not isinstance(text, str) or not stored:
        return []
    return list(dict.fromkeys(m for s, e, m in _found(stored)
                              if m != stored[s:e] and m in text and stored[s:e] not in text))


def has_unmasked(text: str) -> list[str]:
    """The phone numbers, e-mail addresses, ID and passport numbers in ``text`` that are not masked (for checks
    and tests)."""
    return [text[start:end] for start, end, _ in _found(text)]


def _person_holder(row: dict) -> bool:
    return (row.get("holder_type") == "person") or (row.get("holder_person_id") is not None
                                                     and not row.get("holder_enterprise_id")
                                                     and not row.get("holder_investor_id"))


def present_profile(profile: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """The enterprise profile as ``user`` may see it. With the ``personal`` permission it is returned whole and
    ``record(action, target, detail)`` is called when it holds personal data; otherwise masked. An officer whose
    person holds shares (``private_holders``: the record itself, or the same person's holder record,
    ``enterprises.holding_records``) is masked wholly, as the key persons and the graph show that person
    (``present_key_persons``, ``present_ties``): surname and star, no person id, and the enterprise's 法定代表人
    with it when that is the office; an officer whose person holds nothing stays named (the office alone is a
    public registry fact)."""
    contacts = profile.get("contacts") or []
    holders = [s for s in profile.get("shareholders") or [] if _person_holder(s)]
    held = set(profile.get("private_holders") or [])
    found: list[str] = []  # the timeline's headlines (a news item's title, else the head of its body) are free text
    timeline = _mask_fields(profile.get("timeline") or [], frozenset(("title",)), found)
    if user.can("personal"):
        if (contacts or holders or held or found) and record is not None:
            record("person.read", f"enterprise:{profile['enterprise']['id']}",
                   {"enterprise": profile["enterprise"].get("name"), "contacts": len(contacts),
                    "person_shareholders": len(holders), **({"officers_holding": len(held)} if held else {}),
                    **({"texts": len(found)} if found else {})})
        return {**profile, "masked": False}
    out = copy.copy(profile)
    out.pop("private_holders", None)
    out.pop("private_reps", None)
    out["timeline"] = timeline
    holding = [r for r in profile.get("people") or [] if f"p:{r.get('person_id')}" in held]
    out["people"] = [{**r, "name": mask_name(r["name"]), "person_id": None} if r in holding else r
                     for r in profile.get("people") or []]
    ent = profile["enterprise"]
    if any(r.get("role") == "legal_rep" and r["name"] == ent.get("legal_rep") for r in holding):
        out["enterprise"] = {**ent, "legal_rep": mask_name(ent["legal_rep"])}
    # a change of legal representative names the old and the new one in its title (法定代表人: 王五 → 钱进): a person
    # masked as 法定代表人 is masked there too, and so is any other who holds or held shares (``private_reps``: a
    # predecessor no longer in office, ``enterprises.legal_reps_holding``)
    names = {r["name"] for r in holding if r.get("role") == "legal_rep" and r.get("name")} | set(
        profile.get("private_reps") or [])
    if names:
        out["timeline"] = [_rep_masked(ev, names) if ev.get("type") == "change_legal_rep" else ev for ev in out["timeline"]]
    # a contact of the enterprise under the name of a person masked here is that person to the identity rules
    # (contact_same_enterprise): masked with them, as the graph masks the contact's record
    masked_names = {r["name"] for r in holding if r.get("name")} | {s["holder_name"] for s in holders if s.get("holder_name")}
    out["contacts"] = [{**c, **{k: mask_value(c[k]) for k in CONTACT_FIELDS if k in c},
                        **{k: mask_text(c[k]) for k in CONTACT_TEXT if k in c},
                        **({"name": mask_name(c["name"])} if c.get("name") in masked_names else {})} for c in contacts]
    out["shareholders"] = [{**s, "holder_name": mask_name(s["holder_name"]), "holder_person_id": None}
                           if _person_holder(s) else s for s in profile.get("shareholders") or []]
    out["masked"] = True
    return out


def _rep_masked(ev: dict, names: set) -> dict:
    """A legal representative change with each of ``names`` masked in its titles wherever it stands (a sender's
    title is free text: 法定代表人变更为周雨欣) and in its detail (``old``, ``new``); the longest name first, so a
    name inside another is not left half shown."""
    def mask(text: Any) -> Any:
        if not isinstance(text, str):
            return text
        for n in sorted(names, key=len, reverse=True):
            text = text.replace(n, mask_name(n))
        return text
    out = {**ev, **{k: mask(ev[k]) for k in ("title", "title_en") if k in ev}}
    detail = ev.get("detail")
    if isinstance(detail, dict) and any(detail.get(k) in names for k in ("old", "new")):
        out["detail"] = {**detail, **{k: mask_name(detail[k]) for k in ("old", "new") if detail.get(k) in names}}
    return out


def present_events(doc: Any, user: Any, record: Callable[[str, str, dict], Any] | None = None,
                   reps_of: Callable[[set], dict] | None = None, target: str = "events") -> Any:
    """Events (a timeline, one event of the live stream, alerts) as ``user`` may see them: their headlines' free text
    (``NEWS_TEXT``) masked as ``present_text`` masks it, and in a change of legal representative's titles and detail
    (``old``, ``new``) the names ``reps_of(enterprise ids)`` gives for its enterprise (``{enterprise id: names}``:
    persons who hold or held shares, ``services.enterprises.legal_reps_holding``) masked as the profile masks them
    (``present_profile``).
    With the ``personal`` permission ``doc`` is returned whole and, when it holds either, ``record`` writes the read
    to the audit log (``person.read``: ``target``, how many texts and which fields, ``officers_holding``)."""
    found: list[str] = []
    named: set = set()
    ids: set = set()
    _rep_changes(doc, ids)
    reps = reps_of(ids) if ids and reps_of is not None else {}
    masked = _reps_masked(_mask_fields(doc, frozenset(NEWS_TEXT), found), reps, named)
    if user.can("personal"):
        if (found or named) and record is not None:
            record("person.read", target, {**({"texts": len(found), "fields": sorted(set(found))} if found else {}),
                                           **({"officers_holding": len(named)} if named else {})})
        return doc
    return masked


def _is_rep_change(x: dict) -> bool:
    return "change_legal_rep" in (x.get("type"), x.get("event_type"))


def _rep_changes(x: Any, ids: set) -> None:
    """The enterprises of the changes of legal representative in ``x``, added to ``ids``."""
    if isinstance(x, list):
        for v in x:
            _rep_changes(v, ids)
    elif isinstance(x, dict):
        if _is_rep_change(x) and x.get("enterprise_id") is not None:
            ids.add(x["enterprise_id"])
        for v in x.values():
            _rep_changes(v, ids)


def _reps_masked(x: Any, reps: dict, named: set) -> Any:
    """Every change of legal representative in ``x`` (an event's ``type``, an alert's ``event_type``) with the names
    ``reps`` holds for its enterprise masked (``_rep_masked``); the masked names are added to ``named``."""
    if isinstance(x, list):
        return [_reps_masked(v, reps, named) for v in x]
    if not isinstance(x, dict):
        return x
    names = reps.get(x.get("enterprise_id")) if _is_rep_change(x) else None
    if names:
        named.update(n for n in names if _rep_masked(x, {n}) != x)
        return _rep_masked(x, set(names))
    return {k: _reps_masked(v, reps, named) for k, v in x.items()}


def present_text(doc: Any, fields: tuple, user: Any, record: Callable[[str, str, dict], Any] | None = None,
                 target: str = "") -> Any:
    """An answer holding free text people wrote (a lead's next action and the values of its history, a demand's
    description: ``LEAD_TEXT``, ``DEMAND_TEXT``) as ``user`` may see it: without the personal permission every
    phone number, e-mail address, ID and passport number inside the ``fields``, wherever they are in ``doc``, is
    masked as in a contact's notes, and a lead's reach path names a person who holds shares masked (``_names_masked``);
    with it ``doc`` is returned whole and, when those fields hold any, ``record`` writes the read to the audit log
    (``person.read``: ``target``, how many texts, which fields), and so does each enterprise whose reach path names
    such a person unmasked, as the paths' own answer is written (``present_ties``: target ``enterprise:ID``, the
    enterprise's name, how many persons' holdings — here with their names, the path's records not being in it).
    Masked, a change whose from and to read the same is marked ``masked_change`` (``_masked_changes``)."""
    found: list[str] = []
    masked = _mask_fields(doc, frozenset(fields), found)
    if user.can("personal"):
        if record is not None:
            if found:
                record("person.read", target, {"texts": len(found), "fields": sorted(set(found))})
            for (eid, name), names in _named_privately(doc, (None, None), {}).items():
                record("person.read", f"enterprise:{eid}" if eid is not None else target,
                       {"enterprise": name, "person_shareholders": len(names), "names": sorted(names)[:20]})
        return doc
    return _names_masked(_masked_changes(doc, masked))


# said where a change's from and to read the same once masked (``masked_change``): the pages' words for it
MASKED_CHANGE = ("（已遮蔽的联系方式有改动）", "(masked contact details changed)")


def _masked_changes(doc: Any, masked: Any) -> Any:
    """``masked`` (``doc`` with its free text masked) with every change (a history row: ``from_value``,
    ``to_value``) whose two values differ but read the same once masked (联系周总 138 1234 5678 → 联系周总 138 9999
    5678: both 联系周总 138****5678) marked ``masked_change``: shown as it is it would seem to change nothing."""
    if hasattr(doc, "to_json"):
        doc = doc.to_json()
    if isinstance(doc, list) and isinstance(masked, list):
        return [_masked_changes(d, m) for d, m in zip(doc, masked)]
    if not isinstance(doc, dict) or not isinstance(masked, dict):
        return masked
    out = {k: _masked_changes(doc.get(k), v) for k, v in masked.items()}
    if ("from_value" in doc and "to_value" in doc and doc["from_value"] != doc["to_value"]
            and masked.get("from_value") == masked.get("to_value")):
        out["masked_change"] = True
    return out


def _named_privately(x: Any, ent: tuple, out: dict) -> dict:
    """{(enterprise id, name): the names of persons who hold shares} of every reach path in ``x`` that names one
    (``private_names``, as ``_names_masked`` masks them), under the enterprise (``enterprise_id``, ``name``) the path
    is of: the nearest one around it."""
    if hasattr(x, "to_json"):
        x = x.to_json()
    if isinstance(x, list):
        for v in x:
            _named_privately(v, ent, out)
    elif isinstance(x, dict):
        if x.get("enterprise_id") is not None:
            ent = (x["enterprise_id"], x.get("name"))
        if x.get("private_names"):
            out.setdefault(ent, set()).update(x["private_names"])
        for k, v in x.items():
            if k != "private_names":
                _named_privately(v, ent, out)
    return out


def _names_masked(x: Any) -> Any:
    """Every reach path in ``x`` (a lead's reachability signal: ``path``, ``path_en``) with the names of persons who
    hold shares (its ``private_names``) masked where they stand as a node of the path, the field dropped."""
    if isinstance(x, list):
        return [_names_masked(v) for v in x]
    if not isinstance(x, dict):
        return x
    names = x.get("private_names") or []
    out = {k: _names_masked(v) for k, v in x.items() if k != "private_names"}
    for n in names:
        # a node of the path, or the record of one person a note names after it (联系人 李磊；…)
        node = re.compile(rf"(?<![^\s→←—]){re.escape(n)}(?=[（(\s；;]|$)")
        for k in ("path", "path_en"):
            if isinstance(out.get(k), list):
                out[k] = [node.sub(mask_name(n), v) if isinstance(v, str) else v for v in out[k]]
    return out


def _mask_fields(x: Any, fields: frozenset, found: list) -> Any:
    if hasattr(x, "to_json"):  # an explained result (core.explain): its JSON form, whose parts' details hold text
        x = x.to_json()
    if isinstance(x, list):
        return [_mask_fields(v, fields, found) for v in x]
    if not isinstance(x, dict):
        return x
    out = {}
    for k, v in x.items():
        out[k] = mask_text(v) if k in fields else _mask_fields(v, fields, found)
        if k in fields and out[k] != v:
            found.append(k)
    return out


def present_person(details: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """A person's details (``services.graph.reach.person_details``) as ``user`` may see them. Every read is written
    to the audit log (``person.read``, masked or not); without the ``personal`` permission gender, birth year and
    description are withheld, and a person record that holds shares or no office, or whose person holds shares
    through a record linked to it (``private_person``: an officer's record of a shareholder), shows as surname and
    star, without the source keys that spell the name (an unkeyed holder's key is ``name@enterprise``) and without its identity
    links (the other records of the person, which name it). Of any other record, the identity links and namesakes
    kept apart that name a record holding shares (``private_holders``) or of a person who does (``private_others``:
    each link names its other record, ``other``) are withheld: beside the named record they
    would say which named person holds the shares. They are not counted either: a count above nought beside an
    officer's name would say it as plainly."""
    person = details["person"]
    masked = not user.can("personal")
    if record is not None:
        record("person.read", person["key"], {"name": person["name"], "masked": masked})
    if not masked:
        return {**details, "masked": False}
    out = copy.deepcopy(details)
    out.pop("private_holders", None)
    out.pop("private_person", None)
    out["person"].update(gender=None, birth_year=None, description=None)
    if details.get("shareholdings") or not details.get("roles") or details.get("private_person"):
        out["person"].update(name=mask_name(person["name"]), source_key=None)
        # the identity links name the other records of the person (an officer's record under the full name): listed
        # beside the masked holding they would name the holder, so they are withheld
        out["links"], out["apart"] = [], []
    else:
        # a record that holds shares, or whose person holds shares through another record (``private_others``)
        held = set(details.get("private_holders") or []) | set(details.get("private_others") or [])
        names_holder = lambda x: bool({f"p:{x.get('a')}", f"p:{x.get('b')}"} & held)  # noqa: E731
        out.update({k: [x for x in out.get(k, []) if not names_holder(x)] for k in ("links", "apart")})
    out.pop("private_others", None)
    out["masked"] = True
    return out


def _holds_shares(p: dict) -> bool:
    return p.get("type", "person") == "person" and _share_ground([g["ground"] if isinstance(g, dict) else g for g in p["grounds"]])


def _share_ground(grounds: list) -> bool:
    return any(g.endswith("shareholder") for g in grounds)


def _masked_person(p: dict) -> dict:
    """A key person who holds shares, as a role without ``personal`` sees them: the same entry, grounds, power and
    place in the list as for an analyst, the person masked wholly — surname and star, no key, node or records, the
    holder masked at the end of every chain —, offices included (docs/security.md: a person is masked everywhere
    or nowhere, never named on one line and masked on the next)."""
    name = mask_name(p["name"])
    out = {**p, "key": None, "name": name, "records": [],
           "grounds": [_masked_ground(g, name) for g in p["grounds"]]}
    if "node" in p:
        out["node"] = None
    return out


def _masked_ground(g: Any, name: str) -> Any:
    """A ground of a masked holder: the holder's record left out, the name masked at the end of every chain."""
    if not isinstance(g, dict):
        return g
    g = {k: v for k, v in g.items() if k not in ("holder", "record")}
    if g.get("chains"):
        g["chains"] = [{**c, "path": c["path"][:-1] + [name]} for c in g["chains"]]
    return g


def present_key_persons(doc: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """Key persons as ``user`` may see them. The list is the analyst's — the same entries (a person's records
    merged), grounds, powers and order —; without the personal permission a private individual who holds shares is
    masked wholly in it (``_masked_person``: surname and star, no key, record or link, also at the end of every
    ownership chain), offices and all — an entry that holds shares, or one whose records' person holds shares
    elsewhere (``private_holders``, ``enterprises.holding_records``) —, as the profile masks the same person among
    its officers and shareholders.
    A list that holds such a shareholding is a read of those persons, masked or not, as a person's details are
    (``present_person``): ``record`` writes it to the audit log (``person.read``: how many persons' holdings, the
    holders' records, and ``masked``), for every role."""
    held = set(doc.get("private_holders") or [])
    holders = [p for p in doc["persons"] if _holds_shares(p)]
    masked = not user.can("personal")
    if holders and record is not None:
        ent = doc.get("enterprise") or {}
        record("person.read", f"enterprise:{ent.get('id')}",
               {"enterprise": ent.get("name"), "person_shareholders": len(holders),
                "records": _held_records(holders), "masked": masked})
    if not masked:
        return {**doc, "masked": False}
    out = copy.copy(doc)
    out.pop("private_holders", None)
    hidden = [p for p in doc["persons"] if _holds_shares(p) or held.intersection(p.get("records") or [])]
    out["persons"] = [_masked_person(p) if p in hidden else p for p in doc["persons"]]
    if any(p["key"] == doc["ultimate_controller"] for p in hidden):
        out["ultimate_controller"] = None  # the list's key of the controller, withheld with the person's
    out["masked"] = True
    return out


def _held_records(persons: list[dict]) -> list[str]:
    """The records that hold the shares of these key persons (their shareholding grounds' ``holder``; a person of
    one record, its key)."""
    out = {g.get("holder") or p["key"] for p in persons for g in p["grounds"]
           if _share_ground([g["ground"] if isinstance(g, dict) else g])}
    return sorted(x for x in out if x)[:20]


def present_ties(doc: dict, user: Any, record: Callable[[str, str, dict], Any] | None = None) -> dict:
    """Graph answers (a node's neighbours, paths to key persons) as ``user`` may see them. The graph groups the
    records of a person for every role alike; the service names the records in the answer that hold shares
    (``private_holders``) and every record named whose person holds shares through any of its records
    (``private_persons``: person records, and contacts and inventors linked to one). Without the personal
    permission each of the latter, and every person tied to an enterprise by a shareholding, shows as surname and
    star without key or records wherever the answer names it (the hop, the node, a path's start or target, a key
    person: ``_masked_person``), offices and identity ties included; a path of "introduce me" that starts at such
    a person (a contact the user named, who knows the name behind the star) is withheld and counted
    (``paths_withheld``). With it the answer is returned whole and, when it serves a
    shareholding of such a person (a shareholding tie, a key person's holding) or its evidence holds personal data,
    ``record`` writes the read to the audit log (``person.read``: the subject, how many persons' holdings, the
    holders' records, ``texts``). The free text of the records a tie rests on (``TIE_TEXT``: a contact's or a role's
    title, in a hop's evidence) is masked as all free text (``present_text``)."""
    hops = doc.get("neighbours", []) + [h for p in doc.get("paths", []) for h in p["hops"]]
    # the holdings the answer serves: the person end of each shareholding tie, each key person's holding records
    tied = {h[end]["key"] for h in hops if h.get("relation") == "shareholder"
            for end in ("from", "to") if h[end].get("type") == "person"}
    own = set(doc.get("private_holders") or [])
    holding = [p for p in doc.get("key_persons", []) if _holds_shares(p)]
    served = tied | {r for p in holding for r in (p.get("records") or [p["key"]]) if r in own}
    held = tied | own | set(doc.get("private_persons") or [])
    subject = doc.get("node") or doc.get("enterprise") or {}
    # an enterprise is named as every other read of it is (target enterprise:ID, detail key enterprise), not by its
    # graph node's key (e:ID): the audit log's target filter finds all reads of one enterprise
    key = subject.get("key")
    ent = subject.get("type") == "enterprise" or not key
    target = f"enterprise:{subject.get('id') or str(key).removeprefix('e:')}" if ent else key
    texts: list = []  # the evidence's free text (a contact's title may hold a phone number): masked as present_text does
    masked_texts = present_text(doc, TIE_TEXT, user, lambda *a: texts.append(a[2]["texts"]) if "texts" in a[2] else None)
    if user.can("personal"):
        if (served or texts) and record is not None:
            # a person by its node (the records of one person are one node), a key person by its entry
            nodes = [doc.get("node") or {}] + [h.get("node") or {} for h in hops]
            person = {r: n["key"] for n in nodes if n.get("type") == "person" for r in n.get("records") or [n["key"]]}
            persons = {person.get(k, k) for k in tied} | {p["key"] for p in holding}
            record("person.read", target, {"enterprise" if ent else "name": subject.get("name"),
                                           **({"person_shareholders": len(persons), "records": sorted(served)[:20]}
                                              if served else {}),
                                           **({"texts": texts[0]} if texts else {})})
        return {**doc, "masked": False}
    out = copy.deepcopy(masked_texts)
    out.pop("private_holders", None)
    out.pop("private_persons", None)
    if "paths" in out:
        start = doc.get("from") or {}
        named = bool(start.get("contacts") or start.get("person"))  # the user named the starts: their own contacts
        kept = [p for p in out["paths"] if not (named and p["origin"].get("key") in held)]
        out["paths_withheld"] = len(out["paths"]) - len(kept)
        out["paths"] = kept
    if "key_persons" in out:
        out["key_persons"] = [_masked_person(p) if held.intersection(p.get("records") or [p["key"]]) or _holds_shares(p)
                              else p for p in out["key_persons"]]
    out = _mask_keys(out, held)
    out["masked"] = True
    return out


def _mask_keys(x: Any, held: set) -> Any:
    if isinstance(x, list):
        return [_mask_keys(v, held) for v in x]
    if not isinstance(x, dict):
        return x
    records = x.get("records") if isinstance(x.get("records"), list) else None
    if "name" in x and (x.get("key") in held or held.intersection(records or [])):
        # a holder's record, or (should one reach here) a person merging one: masked whole, no key nor records
        x["name"] = mask_name(x["name"])
        x["key"] = None
        if records is not None:
            x["records"] = []
        if isinstance(x.get("node"), str):
            x["node"] = None
    return {k: _mask_keys(v, held) for k, v in x.items()}
