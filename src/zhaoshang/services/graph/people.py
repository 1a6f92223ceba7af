"""Key persons (关键人): a target's decision-makers ranked by decision power, each with evidence and dates.

Grounds: roles in office on the date (legal representative, chair, CEO/GM, founders, directors …),
shareholdings followed up to the ultimate controller with the cumulative share along each chain (股权穿透:
a holder's share of the target is the sum over ownership chains of the product of the percents), and the
people in office at the lead investors of the target's rounds. Several grounds combine as 1 − Π(1 − wᵢ);
weights in data/tie_strength.yaml (``key_persons``). docs/methods.md, "Key persons".
"""

from __future__ import annotations

from ...core.asof import reference_date
from ...core.explain import Explained, Part, Ref
from ..enterprises import holding_records, resolve_enterprise
from .ties import load_ties

METHOD, VERSION = "key-persons", "1"

# Both statements read several enterprises at once (``root``: the enterprise asked for), each one's rows in a fixed
# order — the chains by depth and shareholding records; its own roles before its lead investors' partners, by person
# record and each person's latest role record first (the order a lone enterprise's rows came in) —, so that an
# enterprise's grounds and a merged person's records (the first naming it) are listed, and its powers multiplied,
# alike whichever enterprises are read with it.
_CHAIN = """
WITH RECURSIVE sh AS (
    SELECT * FROM shareholdings WHERE (start_date IS NULL OR start_date <= ?) AND (end_date IS NULL OR end_date > ?)
),
up(root, enterprise_id, holder_type, holder_eid, holder_pid, holder_iid, holder_name, share, depth, path, ids, minlink) AS (
    SELECT enterprise_id, enterprise_id, holder_type, holder_enterprise_id, holder_person_id, holder_investor_id,
           holder_name, coalesce(percent, 0) / 100.0, 1, [enterprise_name, holder_name], [id], coalesce(percent, 0)
    FROM sh WHERE list_contains(?, enterprise_id)
    UNION ALL
    SELECT u.root, s.enterprise_id, s.holder_type, s.holder_enterprise_id, s.holder_person_id, s.holder_investor_id,
           s.holder_name, u.share * coalesce(s.percent, 0) / 100.0, u.depth + 1, list_append(u.path, s.holder_name),
           list_append(u.ids, s.id), least(u.minlink, coalesce(s.percent, 0))
    FROM up u JOIN sh s ON s.enterprise_id = u.holder_eid
    WHERE u.depth < ? AND NOT list_contains(u.ids, s.id)
)
SELECT root, holder_type, holder_eid, holder_pid, holder_iid, holder_name, share, depth, path, ids, minlink FROM up
ORDER BY root, depth, ids
"""

_ROLES = """
SELECT r.enterprise_id AS root, r.id, r.person_id, coalesce(p.name, r.person_name) AS name, r.role, r.title,
       r.start_date, r.end_date, r.source, r.source_key, 'target' AS ground, NULL AS investor
FROM roles r LEFT JOIN persons p ON p.id = r.person_id
WHERE list_contains(?, r.enterprise_id) AND (r.start_date IS NULL OR r.start_date <= ?) AND (r.end_date IS NULL OR r.end_date > ?)
UNION ALL
SELECT f.enterprise_id, r.id, r.person_id, coalesce(p.name, r.person_name), r.role, r.title, r.start_date, r.end_date,
       r.source, r.source_key, 'lead_investor', i.name
FROM fundings f JOIN funding_investors fi ON fi.funding_id = f.id AND fi.is_lead
JOIN investors i ON i.id = fi.investor_id JOIN roles r ON r.enterprise_id = i.enterprise_id
LEFT JOIN persons p ON p.id = r.person_id
WHERE list_contains(?, f.enterprise_id) AND (f.date IS NULL OR f.date <= ?)
  AND (r.start_date IS NULL OR r.start_date <= ?) AND (r.end_date IS NULL OR r.end_date > ?)
ORDER BY root, ground DESC, person_id NULLS LAST, id DESC, investor NULLS FIRST
"""


def key_persons(store, enterprise, *, as_of=None, ties: str | None = None, lang: str = "zh") -> dict:
    """The decision-makers of ``enterprise`` as of a date, ranked by decision power."""
    eid = resolve_enterprise(store, enterprise)
    return key_persons_of(store, [eid], as_of=as_of, ties=ties, lang=lang)[eid]


def key_persons_of(store, enterprise_ids: list, *, as_of=None, ties: str | None = None, lang: str = "zh") -> dict:
    """``key_persons`` of several enterprises (ids) at once: {id: its document} for the ids that are enterprises,
    each the same as alone; the roles, the ownership chains and the persons' facts are read in one query each for
    all of them (the rows of each enterprise in a fixed order, so that equal powers rank alike either way)."""
    ids = sorted({int(x) for x in enterprise_ids})
    if not ids:
        return {}
    d = reference_date(store, as_of)
    kp = load_ties(ties).get("key_persons") or {}
    names = dict(store.con.execute("SELECT id, name FROM enterprises WHERE list_contains(?, id)", [ids]).fetchall())
    roles: dict = {}
    for r in store.query(_ROLES, [ids, d, d, ids, d, d, d]):
        roles.setdefault(r["root"], []).append(r)
    chains: dict = {}
    for c in store.query(_CHAIN, [d, d, ids, int(kp.get("max_depth", 6))]):
        chains.setdefault(c["root"], []).append(c)
    pids = sorted({r["person_id"] for rows in roles.values() for r in rows if r["person_id"] is not None}
                  | {c["holder_pid"] for rows in chains.values() for c in rows if c["holder_pid"] is not None})
    facts = {f"p:{r['id']}": r for r in store.query(
        "SELECT id, gender, birth_year FROM persons WHERE list_contains(?, id)", [pids])} if pids else {}
    docs = {eid: _key_persons_doc(eid, names[eid], d, kp, roles.get(eid, []), chains.get(eid, []), facts)
            for eid in ids if eid in names}
    # the records listed whose person holds shares (``holding_records``): masked with the person for a role without
    # ``personal`` (services.privacy.present_key_persons), as the profile masks the same person among its officers
    listed = {r for doc in docs.values() for p in doc["persons"] if p["type"] == "person" for r in p["records"]}
    held = {f"p:{x}" for x in holding_records(store, [int(r[2:]) for r in listed if r[2:].isdigit()], d)}
    for doc in docs.values():
        doc["private_holders"] = sorted(held & {r for p in doc["persons"] for r in p["records"]})
    return docs


def _key_persons_doc(eid: int, name: str, d, kp: dict, roles: list[dict], chains: list[dict], facts: dict) -> dict:
    people: dict = {}

    def entry(key, kind, nm, node_id):
        return people.setdefault(key, {"key": key, "type": kind, "name": nm, "node": node_id, "grounds": []})

    for r in roles:
        key = f"p:{r['person_id']}" if r["person_id"] is not None else f"n:{r['name']}"
        ground = r["role"] if r["ground"] == "target" else "lead_investor_partner"
        weight = float(kp.get(ground, kp.get("other", 0.1)))
        entry(key, "person", r["name"], key)["grounds"].append({
            "ground": ground, "weight": weight, "title": r["title"], "start": r["start_date"], "end": r["end_date"],
            "investor": r["investor"], "record": key,  # the record in office (a merged person has several)
            "evidence": {"table": "roles", "id": r["id"], "source": r["source"],
                                                    "source_key": r["source_key"]}})
    totals: dict = {}
    for c in chains:
        kind, key = _holder(c)
        t = totals.setdefault(key, {"type": kind, "name": c["holder_name"], "share": 0.0, "chains": [],
                                    "is_enterprise": c["holder_type"] == "enterprise"})
        t["share"] += c["share"]
        t["chains"].append({"path": c["path"], "share": round(c["share"] * 100, 4), "depth": c["depth"],
                            "shareholding_ids": c["ids"]})
    controlling, major = float(kp.get("controlling_share", 50)), float(kp.get("major_share", 5))
    controller = _ultimate_controller(chains, controlling)
    for key, t in totals.items():
        pct = t["share"] * 100
        if pct < major:
            continue
        # an enterprise holder counts as itself only at the top of a chain; through it the share reaches its holders
        ground = "controlling_shareholder" if pct >= controlling else "major_shareholder"
        weight = float(kp.get(ground, 0.6)) * (1 if pct >= controlling else min(1.0, pct / controlling))
        entry(key, t["type"], t["name"], key if not key.startswith("n:") else None)["grounds"].append({
            "ground": ground, "weight": round(weight, 4), "share": round(pct, 4), "chains": t["chains"][:5],
            "holder": key,  # the record that holds the shares (a merged person's other records may hold offices)
            "evidence": {"table": "shareholdings", "ids": sorted({i for ch in t["chains"] for i in ch["shareholding_ids"]})}})
    out = []
    merged = _merge_namesakes(list(people.values()), facts)
    # the controller is a holder's record; the list names a person by its first record, so say it in the list's key
    controller = next((p["key"] for p in merged if controller in p["records"]), controller)
    for p in merged:
        p["power"] = power_of(g_["weight"] for g_ in p["grounds"])
        p["ultimate_controller"] = controller is not None and controller == p["key"]
        p["explain"] = Explained(
            value=p["power"], method=METHOD, version=VERSION, params=kp,
            parts=[Part(signal=g_["ground"], label=g_.get("title"), raw=g_.get("share"), weight=g_["weight"])
                   for g_ in p["grounds"]],
            evidence=[Ref(table=g_["evidence"]["table"], ids=[g_["evidence"]["id"]] if "id" in g_["evidence"]
                          else g_["evidence"]["ids"]) for g_ in p["grounds"]],
            as_of=d, formula="power = 1 − Π(1 − wᵢ) over the grounds")
        out.append(p)
    out.sort(key=lambda p: (-p["power"], p["type"] != "person", str(p["name"])))
    return {"enterprise": {"id": eid, "name": name}, "as_of": d, "ultimate_controller": controller,
            "persons": out, "method": METHOD, "version": VERSION}


def power_of(weights) -> float:
    """Decision power of grounds of these weights: 1 − Π(1 − wᵢ) (each weight capped at 0.999)."""
    rest = 1.0
    for w in weights:
        rest *= 1 - min(0.999, w)
    return round(1 - rest, 4)


def _merge_namesakes(entries: list[dict], facts: dict) -> list[dict]:
    """Records of one name that hold roles or shares at this same enterprise are one person (the identity rule
    ``same_enterprise``), unless their gender or birth year (±1) differ (``facts``: ``p:id`` → the record's gender
    and birth year); ``records`` lists the merged ones."""
    out: list[dict] = []
    for e in entries:
        e.setdefault("records", [e["key"]])
        f = facts.get(e["key"], {})
        twin = next((o for o in out if e["type"] == o["type"] == "person" and o["name"] == e["name"]
                     and not _differ(f, facts.get(o["key"], {}))), None)
        if twin is None:
            out.append(e)
        else:
            twin["grounds"] += e["grounds"]
            twin["records"].append(e["key"])
    return out


def _differ(x: dict, y: dict) -> bool:
    if x.get("gender") and y.get("gender") and x["gender"] != y["gender"]:
        return True
    return bool(x.get("birth_year") and y.get("birth_year") and abs(x["birth_year"] - y["birth_year"]) > 1)


def _holder(c: dict) -> tuple[str, str]:
    if c["holder_pid"] is not None:
        return "person", f"p:{c['holder_pid']}"
    if c["holder_iid"] is not None:
        return "investor", f"i:{c['holder_iid']}"
    if c["holder_eid"] is not None:
        return "enterprise", f"e:{c['holder_eid']}"
    return "other", f"n:{c['holder_name']}"


def _ultimate_controller(chains: list[dict], controlling: float) -> str | None:
    """Follow holders of at least ``controlling`` % (every link of the chain) from the target upwards; the last
    one reached."""
    best = None
    for c in sorted(chains, key=lambda c: c["depth"]):
        if c["minlink"] >= controlling and (best is None or c["depth"] > best["depth"]):
            best = c
    return _holder(best)[1] if best else None
