"""Reach (关键人触达): the best warm paths from the bureau's side to a target's key persons, and how two or
more enterprises are connected (企业间找关系). Every hop names the node type, name, relation, dates and the
records it rests on; the strength is the product of the tie strengths times the origin's factor.
"""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import numpy as np

from ...core.asof import reference_date
from ...core.errors import NotFound, UserError, count_en
from ...core.explain import Explained, Part, Ref
from ...core.geo.lookup import region_condition, resolve_region
from ...core.readers import HeaderRule, read_into
from ..enterprises import holding_records, resolve_enterprise
from .build import TYPES, Graph, graph_for
from .edges import evidence_of
from .people import key_persons, key_persons_of
from .search import Path as SearchPath, k_paths
from .ties import hop_label, relation_label, tie_title

METHOD, VERSION = "reach-paths", "1"
KEY_PERSONS = 5


def _origins_region(store, g: Graph, region: str) -> tuple[dict, dict]:
    """The region's side: the bureau's contacts there (or without a place), its investors and funds, the people
    in office at its enterprises, and the enterprises themselves — each with the model's origin factor."""
    ref = resolve_region(store, region)
    f = {k: float(v["factor"]) for k, v in g.model["origins"].items()}
    out: dict = {}
    cond_c, pc = region_condition(ref, "c")
    cond_i, pi = region_condition(ref, "i")
    cond_e, pe = region_condition(ref, "e")
    rows = store.con.execute(
        f"""SELECT 'c:' || c.id, 'contact' FROM contacts c WHERE {cond_c} OR (c.province_code IS NULL AND c.country IS NULL)
            UNION ALL SELECT 'i:' || i.id, 'local_investor' FROM investors i WHERE {cond_i}
            UNION ALL SELECT 'e:' || e.id, 'local_enterprise' FROM enterprises e WHERE {cond_e}
            UNION ALL SELECT 'p:' || r.person_id, 'local_person' FROM roles r JOIN enterprises e ON e.id = r.enterprise_id
                      WHERE {cond_e} AND r.end_date IS NULL AND r.person_id IS NOT NULL
            ORDER BY 1, 2""",  # (a node of two kinds of one factor is the first kind, in every process)
        pc + pi + pe + pe).fetchall()
    for key, kind in rows:
        i = g.index(key)
        if i is not None and f[kind] > out.get(i, (0.0, None))[0]:
            out[i] = (f[kind], kind)
    return {i: v[0] for i, v in out.items()}, {i: v[1] for i, v in out.items()}


_MEMO_REGIONS = 8


def _region_side(store, g: Graph, region: str) -> tuple[dict, dict]:
    """``_origins_region`` with the linked records (``_linked_origins``), once per graph (the graph is kept per
    database state and date, as are the rows the origins come from) for the last few regions asked."""
    key = ("origins", str(region))
    got = g.memo.get(key)
    if got is None:
        got = _linked_origins(g, *_origins_region(store, g, region))
        held = [k for k in g.memo if isinstance(k, tuple) and k[0] == "origins"]
        for k in held[:max(0, len(held) - _MEMO_REGIONS + 1)]:
            g.memo.pop(k, None)
            g.memo.pop(("parts", k[1]), None)
            g.memo.pop(("strengths", k[1]), None)
        g.memo[key] = got
    return got


def _reachable_parts(store, g: Graph, region: str) -> set:
    """The graph's components that hold both an origin of the region and a person: a key person outside them has
    no path from the region (every path stays in one component, and a target is a person)."""
    key = ("parts", str(region))
    got = g.memo.get(key)
    if got is None:
        origins, _ = _region_side(store, g, region)
        comp = g.components()
        persons = set(np.unique(comp[g.types == TYPES.index("person")]).tolist())
        got = {int(comp[i]) for i in origins} & persons
        g.memo[key] = got
    return got


def _origins_person(store, g: Graph, person: str) -> tuple[dict, dict]:
    s = str(person).strip()
    if s.removeprefix("p:").isdigit():
        i = g.index("p:" + s.removeprefix("p:"))
        if i is None:
            raise NotFound(f"人员不在关系图中: {s}", f"person not in the graph: {s}")
        return {i: 1.0}, {i: "given"}
    ids = [r[0] for r in store.con.execute("SELECT id FROM persons WHERE name = ? ORDER BY id", [s]).fetchall()]
    if not ids:
        try:  # a region given where a person is asked for: said so, with the option that starts from a region
            ref = resolve_region(store, s)
        except UserError:
            raise NotFound(f"未找到人员: {s}", f"person not found: {s}") from None
        raise NotFound(f"未找到人员: {s}；{ref.name}（{ref.code}）是地区，从地区出发请用 --from-region {s}",
                       f"person not found: {s}; it is a region ({ref.code}): use --from-region {ref.code} "
                       "to start from a region")
    rep, groups = g.persons()
    people: dict = {}  # one entry per person: records linked as one person together, any other record alone
    for pid in ids:
        i = g.index(f"p:{pid}")
        people.setdefault(int(rep[i]) if i is not None else f"p:{pid}", []).append(pid)
    if len(people) > 1:  # namesakes are never taken for one person
        shown = ["/".join(f"p:{x}" for x in v) for v in list(people.values())[:10]]
        raise UserError(f"同名的不同人员 {len(people)} 位，请以编号指定（p:编号）: " + "、".join(shown),
                        f"{len(people)} different persons named {s}; give one by id (p:ID): " + ", ".join(shown))
    nodes = [g.index(f"p:{x}") for x in ids]
    if None in nodes:
        raise NotFound(f"人员不在关系图中: {s}", f"person not in the graph: {s}")
    return {i: 1.0 for i in nodes}, {i: "given" for i in nodes}


NAME_HEADERS = ("姓名", "name")
ENTERPRISE_HEADERS = ("所在企业", "单位", "enterprise", "organisation")


def read_contacts(path: str) -> list[dict]:
    """The rows of a contacts file (姓名/name, 所在企业/单位/enterprise, and ``_row``: the row's number in the file), read
    as the importers read a file — the header found below title lines as ``import`` finds it
    (``core.readers``: CSV in UTF-8, GBK or GB18030 — Excel's CSV on Chinese Windows —, XLSX …). A file without a
    name or an enterprise column is refused, naming the columns it lacks and those it has."""
    import duckdb

    p = Path(path)
    if not p.is_file():
        raise UserError(f"联系人文件不存在: {path}", f"contacts file not found: {path}")
    con = duckdb.connect()
    try:
        info = read_into(con, p, "zs_contacts", header=HeaderRule.naming(NAME_HEADERS + ENTERPRISE_HEADERS))
        headers = [h.strip() for h in info.headers]
        data = con.execute(f"SELECT _row, {', '.join(info.columns)} FROM zs_contacts ORDER BY _row").fetchall() \
            if info.columns else []
    finally:
        con.close()
    missing = [want for want in (NAME_HEADERS, ENTERPRISE_HEADERS) if not any(h in want for h in headers)]
    if missing:
        shown = "、".join(headers) or "无"
        raise UserError(f"联系人文件缺少列: {'、'.join(m[0] for m in missing)}（可写作 {'、'.join(x for m in missing for x in m)}；"
                        f"文件的列: {shown}）: {path}",
                        f"the contacts file lacks the column{'s' if len(missing) > 1 else ''} "
                        f"{', '.join({NAME_HEADERS: 'name'}.get(m, 'enterprise') for m in missing)} (or {', '.join(x for m in missing for x in m)}; "
                        f"its columns: {', '.join(headers) or 'none'}): {path}")
    # each row with its number in the file (``_row``: the header's row + 1 for the first, blank lines counted), by which a contact not found is named
    return [{"_row": row[0], **{h: (None if v is None else str(v)) for h, v in zip(headers, row[1:])}} for row in data]


UNMATCHED = {"no_enterprise": ("没有所在企业", "no enterprise given"),
             "not_found": ("库中没有这家企业", "no such enterprise in the database"),
             "ambiguous": ("企业简称对应多家企业", "the short name belongs to several enterprises")}


def _unmatched_lines(unmatched: list[dict]) -> tuple[list[str], list[str]]:
    """Each contact that starts no path in words (Chinese, English): 第 3 行 李四（某某公司）：库中没有这家企业 /
    row 3 李四 (某某公司): no such enterprise in the database."""
    return ([f"第 {u['row']} 行 {u['name'] or '（无姓名）'}（{u['enterprise'] or '—'}）：{UNMATCHED[u['reason']][0]}"
             for u in unmatched],
            [f"row {u['row']} {u['name'] or '(no name)'} ({u['enterprise'] or '-'}): {UNMATCHED[u['reason']][1]}"
             for u in unmatched])


def _unmatched_head(n: int) -> tuple[str, str]:
    return f"未能匹配的联系人 {n} 个，未作为起点", f"{count_en(n, 'contact')} not matched, not used as a start"


def unmatched_words(unmatched: list[dict]) -> tuple[str, str] | None:
    """The contacts that start no path, named by row, in one line (Chinese, English): 未能匹配的联系人 1 个，未作为起点：
    第 3 行 李四（某某公司）：库中没有这家企业; None when every contact was found."""
    if not unmatched:
        return None
    (zh, en), (head_zh, head_en) = _unmatched_lines(unmatched), _unmatched_head(len(unmatched))
    return f"{head_zh}：{'；'.join(zh)}", f"{head_en}: {'; '.join(en)}"


def unmatched_text(unmatched: list[dict], lang: str = "zh") -> dict | None:
    """The same words for a page that lists them (the relations page's 引荐): ``head`` (how many, not used as a
    start) and one line per contact, in ``lang``; None when every contact was found."""
    if not unmatched:
        return None
    i = 1 if lang == "en" else 0
    return {"count": len(unmatched), "head": _unmatched_head(len(unmatched))[i], "lines": _unmatched_lines(unmatched)[i]}


def _origins_contacts(store, g: Graph, rows: list[dict]) -> tuple[dict, dict, list]:
    """The user's own contacts: a contact is the person of that name in office at that enterprise (a name alone
    is never enough), else the enterprise itself (as a contact working there). The third part: the contacts whose
    enterprise is not found (``{row, name, enterprise, reason}``, ``reason`` a key of ``UNMATCHED``; ``row`` the
    file's row, or the contact's place in a list from 1)."""
    from ..enterprises import AmbiguousEnterprise

    f = {k: float(v["factor"]) for k, v in g.model["origins"].items()}
    out, kinds, unmatched = {}, {}, []
    for n, r in enumerate(rows, 1):
        name = next((str(r[h]).strip() for h in NAME_HEADERS if r.get(h)), "")
        ent = next((str(r[h]).strip() for h in ENTERPRISE_HEADERS if r.get(h)), "")
        miss = {"row": r.get("_row", n), "name": name or None, "enterprise": ent or None}
        if not ent:
            unmatched.append({**miss, "reason": "no_enterprise"})
            continue
        try:
            eid = resolve_enterprise(store, ent, suggest=False)
        except AmbiguousEnterprise:
            unmatched.append({**miss, "reason": "ambiguous"})
            continue
        except NotFound:
            unmatched.append({**miss, "reason": "not_found"})
            continue
        pids = [x[0] for x in store.con.execute(
            "SELECT DISTINCT r.person_id FROM roles r JOIN persons p ON p.id = r.person_id "
            "WHERE r.enterprise_id = ? AND p.name = ?", [eid, name]).fetchall()] if name else []
        for key, kind in ([(f"p:{x}", "own_contact") for x in pids] or [(f"e:{eid}", "own_contact_at")]):
            i = g.index(key)
            if i is not None:  # (a ties file of its own without these kinds: the bureau's contact's factors)
                fac = f.get("own_contact", f["contact"]) if kind == "own_contact" else \
                    f.get("own_contact_at", f["contact"] * float(g.model["relations"]["contact_at"]["base"]))
                if fac > out.get(i, 0):
                    out[i], kinds[i] = fac, kind
    if not out:
        words = unmatched_words(unmatched)
        raise UserError("联系人中没有能在关系图中找到的（按姓名与所在企业查找：企业须在库中）"
                        + (f"：{words[0]}" if words else ""),
                        "none of the contacts is in the graph (looked up by name and enterprise: the enterprise must "
                        "be in the database)" + (f": {words[1]}" if words else ""))
    return out, kinds, unmatched


def _linked_origins(g: Graph, origins: dict, kinds: dict) -> tuple[dict, dict]:
    """Records linked as one person start paths alike: each record of a person who is an origin is one, with the
    best factor among them (a contact who is also the key person is a path of no hop, not one via the link)."""
    rep, groups = g.persons()
    best: dict = {}
    for i, f in origins.items():
        r = int(rep[i])
        if r in groups and f > best.get(r, (0.0, None))[0]:
            best[r] = (f, kinds.get(i))
    out, kout = dict(origins), dict(kinds)
    for r, (f, kind) in best.items():
        for i in groups[r]:
            if f > out.get(i, 0.0):
                out[i], kout[i] = f, kind
    return out, kout


def _hop(g: Graph, a: int, b: int, e: int, lang: str, ed: dict | None = None, ev: list | None = None,
         label=relation_label) -> dict:
    """One hop from ``a`` to ``b`` over the tie ``e``; ``direction`` says whether the hop goes the relation's way
    (``along``: the investor to its investee), against it (``against``: the investee to its investor), both ways
    (``both``) or the relation has none (None) — a path walks a tie either way, the relation keeps its own.
    ``ed``: the tie (``g.edge(e)``) when already read; ``ev``: its evidence (``edges.evidence``), None when not read;
    ``label``: how the relation is named (a path's hops: ``hop_label``, an identity hop said plainly), an office by
    the title its records give (``title``: 联合创始人, not 创始人); ``relation_arrow``: the label in its arrow
    (``arrow``), as every view of a path writes the hop (``zhaoshang reach``, the relations page)."""
    ed = ed if ed is not None else g.edge(e)
    title = tie_title(ed)
    direction = g.direction(e, a)
    name = label(g.model, ed.get("relation"), lang, title)
    return {"from": g.node(a), "to": g.node(b), "relation": ed.get("relation"), "direction": direction,
            "title": title, "relation_label": name, "relation_arrow": arrow(direction, name),
            "strength": round(float(ed["strength"]), 4),
            "start": ed.get("start_date"), "end": ed.get("end_date"), "percent": ed.get("percent"), "records": ed.get("n"),
            "evidence": ev}


def arrow(direction: str | None, label: str = "") -> str:
    """A hop's arrow pointing the relation's way, whichever way the path walks it: ``—投资→`` along it (and for a
    relation without direction), ``←投资—`` against it, ``←投资→`` both ways; without a label ``→``, ``←``, ``↔``."""
    left = "←" if direction in ("against", "both") else "—"
    right = "—" if direction == "against" else "→"
    if not label:
        return {"—→": "→", "←—": "←", "←→": "↔"}[left + right]
    return f"{left}{label}{right}"


def _path_doc(g: Graph, p, kinds: dict, lang: str, store, first: int | None = None, evs: list | None = None) -> dict:
    """A path as the answer says it; ``first``: of each hop's evidence, only that many records are read; ``evs``:
    those records already read (``evidence_of`` of the path's ties, with several paths' in one call)."""
    ties = [g.edge(e) for e in p.edges]
    if evs is None:
        evs = evidence_of(store, ties, lang, first)  # the records of every hop in one query per table
    hops = [_hop(g, p.nodes[i], p.nodes[i + 1], p.edges[i], lang, ties[i], evs[i], hop_label) for i in range(len(p.edges))]
    origin = g.node(p.nodes[0])
    kind = kinds.get(p.nodes[0], "given")
    target = g.node(p.nodes[-1])
    return {"strength": round(p.strength, 6), "ties": round(p.ties, 6), "origin_factor": p.origin_factor,
            "origin": {**origin, "kind": kind, "kind_label": (g.model["origins"].get(kind) or {}).get(lang, kind)},
            "target": target, **_one_person(hops, target)}


def _one_person(hops: list[dict], target: dict) -> dict:
    """A path's hops as read (``hops``, ``length``): a hop between two records of one person under one name (the
    bureau's contact 欧阳航 and the founder 欧阳航) is nothing a reader can follow, so it is left out — the walk goes
    on from the same name — and kept as a note on the record the path goes on from (its next hop's ``from``, or the
    target when it is the last): ``same_person``, the other record (``record``), the link's label, strength and
    evidence. The path's strength keeps the link's. Two records under different names (欧阳航, 歐陽航) stay a hop.
    Every view of a path (``zhaoshang reach``, /api/graph/reach, the relations page, a lead's reachability) reads
    these hops."""
    shown: list[dict] = []
    notes: list[dict] = []  # the links left out just before the next hop shown
    for h in hops:
        if h["relation"] == "same_person" and h["from"].get("name") == h["to"].get("name"):
            notes.append({"record": h["from"], "relation_label": h["relation_label"], "strength": h["strength"],
                          "evidence": h["evidence"]})
            continue
        if notes:
            h = {**h, "from": {**h["from"], "same_person": notes}}
            notes = []
        shown.append(h)
    if notes:
        target["same_person"] = notes
    return {"length": len(shown), "hops": shown}


def _targets(g: Graph, kp: dict) -> tuple[list, list]:
    """The key persons a path may end at (``kp``: ``key_persons``' document): the first ``KEY_PERSONS`` persons with
    a record in the graph, and those records' nodes."""
    chosen = [p for p in kp["persons"] if p["type"] == "person" and any(g.index(r) is not None for r in p["records"])]
    chosen = chosen[:KEY_PERSONS]
    return chosen, [g.index(r) for p in chosen for r in p["records"] if g.index(r) is not None]


def _search(g: Graph, eid: int, targets: list, origins: dict, k: int, max_hops: int, same, person_of) -> tuple[list, dict]:
    """The k best paths from the origins to the targets (the enterprise's own node shared by all of them)."""
    if not (targets and origins):
        return [], {}
    return k_paths(g, targets, origins, k=k, max_hops=max_hops, common={g.index(f"e:{eid}")}, same=same,
                   person_of=person_of)


def reach(store, enterprise, *, from_region: str | None = None, contacts: str | list | None = None,
          person: str | None = None, k: int = 5, max_hops: int = 4, as_of=None, ties: str | None = None,
          team=None, lang: str = "zh") -> dict:
    """The k best loop-free, diverse paths from the region's side (or contacts: a CSV file or rows of name and
    enterprise; or one person) to the key persons of ``enterprise``."""
    if sum(x is not None for x in (from_region, contacts, person)) != 1:
        raise UserError("请给出起点之一：--from-region、--contacts 或 --from",
                        "give one start: --from-region, --contacts or --from")
    if not 1 <= k <= 50 or not 1 <= max_hops <= 6:
        raise UserError("k 须在 1–50，max-hops 须在 1–6", "k must be 1–50 and max-hops 1–6")
    eid = resolve_enterprise(store, enterprise)
    g = graph_for(store, as_of, ties, team)
    kp = key_persons(store, eid, as_of=g.as_of, ties=ties, lang=lang)
    chosen, targets = _targets(g, kp)
    unmatched: list[dict] = []
    in_region = None
    if from_region is not None:
        origins, kinds = _region_side(store, g, from_region)
        if _in_region(store, [eid], from_region):  # the enterprise is itself in the region: its own people are no way in
            origins, kinds = _not_own(store, g, eid, targets, origins, kinds)
            where = _start_words(store, from_region)
            in_region = {"region": where[0], "text": f"{kp['enterprise']['name']} 本身就在{where[0]}：其自身的人员不作为起点",
                         "text_en": f"{kp['enterprise']['name']} is itself in {where[1]}: its own people are not "
                                    "taken as starts"}
    else:
        if contacts is not None:
            origins, kinds, unmatched = _origins_contacts(store, g, read_contacts(contacts) if isinstance(contacts, str)
                                                          else contacts)
        else:
            origins, kinds = _origins_person(store, g, person)
        origins, kinds = _linked_origins(g, origins, kinds)
    paths, stats = _search(g, eid, targets, origins, k, max_hops, g.identity_edges(), g.same_person())
    start = None if paths else (_start_words(store, from_region) if from_region is not None else
                                ("联系人", "the contacts") if contacts is not None else (str(person), str(person)))
    doc = {"no_path": None if paths else _no_path(start, len(origins), len(chosen), max_hops, stats),
           "enterprise": kp["enterprise"], "as_of": g.as_of, "key_persons": [
                {**{k_: p[k_] for k_ in ("key", "name", "power", "records")},
                 "grounds": [g_["ground"] for g_ in p["grounds"]], "weights": [g_["weight"] for g_ in p["grounds"]]}
                for p in chosen],
           "from": {"region": from_region, "contacts": contacts if isinstance(contacts, str) else
                    (len(contacts) if contacts is not None else None), "person": person, "origins": len(origins),
                    "unmatched": unmatched, "unmatched_text": unmatched_text(unmatched, lang)},
           "in_region": in_region,
           "k": k, "max_hops": max_hops, "paths": [_path_doc(g, p, kinds, lang, store) for p in paths],
           "search": stats, "graph": g.stats(), "method": METHOD, "version": VERSION,
           "formula": "strength = origin factor × Π tie strengths"}
    return {**doc, **_private(store, g, [doc["key_persons"], doc["paths"]])}


def _private(store, g: Graph, named) -> dict:
    """What an answer naming ``named`` says of private individuals' holdings (services.privacy.present_ties masks or
    audits it): ``private_holders``, the records named that hold shares; ``private_persons``, the records named
    whose person holds shares — by the graph's identity links, or as the profile and the key persons hold them to
    be one person (``enterprises.holding_records``)."""
    d = datetime.date.fromisoformat(g.as_of) if isinstance(g.as_of, str) else g.as_of
    return {"private_holders": g.holder_keys(named),
            "private_persons": g.holder_keys(named, persons=True, also=lambda ids: holding_records(store, ids, d))}


def _in_region(store, ids: list[int], region: str) -> set:
    """Which of the enterprises ``ids`` lie in ``region`` (one query)."""
    cond, params = region_condition(resolve_region(store, region), "e")
    return {r[0] for r in store.con.execute(f"SELECT e.id FROM enterprises e WHERE list_contains(?, e.id) AND {cond}",
                                            [list(ids), *params]).fetchall()}


def _not_own(store, g: Graph, eid: int, targets: list, origins: dict, kinds: dict) -> tuple[dict, dict]:
    """The region's starts without those of the enterprise ``eid`` that lies in the region: its own node, its people
    in office (the region's side counts them as local people) and its key persons ``targets``, each with the records
    linked as one person — a path from them to its key persons is no way in (a key person reached from himself in no
    hop)."""
    keys = [f"e:{eid}"] + [f"p:{r[0]}" for r in store.con.execute(
        "SELECT DISTINCT person_id FROM roles WHERE enterprise_id = ? AND end_date IS NULL AND person_id IS NOT NULL",
        [eid]).fetchall()]
    own = {i for i in (g.index(k) for k in keys) if i is not None} | set(targets)
    rep, groups = g.persons()
    own |= {j for i in own if int(rep[i]) in groups for j in groups[int(rep[i])]}
    return ({i: v for i, v in origins.items() if i not in own}, {i: v for i, v in kinds.items() if i not in own})


def _start_words(store, region: str) -> tuple[str, str]:
    ref = resolve_region(store, region)
    return ref.name, ref.name_en or ref.name


def _no_path(start: tuple[str, str], origins: int, persons: int, max_hops: int, stats: dict) -> dict:
    """Why no path was found, in both languages (``case``: ``no_key_person``, ``no_start`` or ``hops``): no key
    person of the enterprise in the graph, no start on the bureau's side in it, or none within the hops from the
    starts there (and whether the search stopped at its bound). The command line and the relations page say it."""
    if not persons:
        return {"case": "no_key_person", "reason": "该企业在此日期没有已知的关键人",
                "reason_en": "no key person of the enterprise is known on the date"}
    if not origins:
        return {"case": "no_start", "reason": "出发方没有可用的起点（联系人、本地企业人员或投资机构）",
                "reason_en": "the starting side has no start (contact, person at a local enterprise or investor)"}
    cut = stats.get("truncated") or stats.get("capped")
    return {"case": "hops",
            "reason": f"从{start[0]}的 {origins:,} 个起点到 {persons} 位关键人，{max_hops} 跳内没有路径"
                      + ("（搜索达到上限，未穷尽）" if cut else ""),
            "reason_en": f"no path within {count_en(max_hops, 'hop')} from the {count_en(origins, 'start', sep=True)} of "
                         f"{start[1]} to the {count_en(persons, 'key person')}" + (" (the search reached its bound)" if cut else "")}


def reach_strengths(store, enterprise_ids: list, region_code, as_of=None, team=None) -> dict:
    """``reach_strength`` of several enterprises for one region: {enterprise id: the result or None}, each the same
    as alone. What the leads share is found once: the graph, the region's side (``_region_side``, kept with the
    graph), the identity links, and the key persons of all of them (``key_persons_of``: one query each for roles,
    ownership chains and persons); then one search per lead, and of its best path only the first record of each
    hop's evidence is read (all ``reach_strength`` keeps). An enterprise none of whose possible key persons is in a
    component with an origin of the region has no path and is answered without a search: its key persons are
    people with a role at it, holders up its ownership chains (both joined to it by ties) and people with a role at
    the enterprise of a lead investor of its rounds (joined to that enterprise), so the components of these
    enterprises' nodes hold them all. ``team``: its person decisions (confirmed, split) hold, as on the relations
    page. Each lead's answer is kept with the graph for the region (``_region_side``'s regions): a list asked again
    with other filters or another length searches only the leads it has not seen."""
    ids = [int(x) for x in enterprise_ids]
    if not ids:
        return {}
    g = graph_for(store, as_of, team=team)
    _region_side(store, g, str(region_code))  # the region held in the memo before its answers are
    known = g.memo.setdefault(("strengths", str(region_code)), {})
    new = [eid for eid in dict.fromkeys(ids) if eid not in known]
    if new:
        known.update(_strengths(store, g, new, str(region_code)))
    return {eid: known[eid] for eid in ids}


def _strengths(store, g: Graph, ids: list[int], region_code: str) -> dict:
    """``reach_strengths`` of ``ids`` on the graph ``g``, searched."""
    parts = _reachable_parts(store, g, str(region_code))
    comp = g.components()
    side: dict = {}
    if parts:
        for eid, iid in store.con.execute(
                "SELECT DISTINCT f.enterprise_id, i.enterprise_id FROM fundings f "
                "JOIN funding_investors fi ON fi.funding_id = f.id AND fi.is_lead JOIN investors i ON i.id = fi.investor_id "
                "WHERE list_contains(?, f.enterprise_id) AND i.enterprise_id IS NOT NULL AND (f.date IS NULL OR f.date <= ?)",
                [ids, datetime.date.fromisoformat(g.as_of)]).fetchall():
            side.setdefault(int(eid), []).append(int(iid))
    out: dict = {eid: None for eid in ids}
    wanted = [eid for eid in ids if any(i is not None and int(comp[i]) in parts
                                        for i in (g.index(f"e:{x}") for x in [eid, *side.get(eid, [])]))]
    if not wanted:
        return out
    origins, kinds = _region_side(store, g, str(region_code))
    kps = key_persons_of(store, wanted, as_of=g.as_of)  # an id that is no enterprise has none: no path
    same, person_of = g.identity_edges(), g.same_person()
    local = _in_region(store, wanted, region_code)  # an enterprise of the region: its own people are no starts
    best: dict = {}
    for eid in wanted:
        if eid not in kps:
            continue
        targets = _targets(g, kps[eid])[1]
        starts = _not_own(store, g, eid, targets, origins, kinds)[0] if eid in local else origins
        paths, _ = _search(g, eid, targets, starts, 1, REACH_HOPS, same, person_of)
        if paths:
            best[eid] = paths[0]
    # the first record of every hop of every lead's path, read in one query per table (each hop's as alone)
    evs = iter(evidence_of(store, [g.edge(e) for p in best.values() for e in p.edges], "zh", 1))
    found = {eid: _path_doc(g, p, kinds, "zh", store, first=1, evs=[next(evs) for _ in p.edges])
             for eid, p in best.items()}
    # the persons every path names who hold shares, read in one query (``holding_records`` judges each record on its
    # own, so its answer for all the paths' records, cut to one path's, is that path's answer): a query per lead cost
    # a quarter of a lead list's time
    asked: set = set()
    for path in found.values():
        g.holder_keys([path], persons=True, also=lambda ids: asked.update(ids) or [])
    d = datetime.date.fromisoformat(g.as_of) if isinstance(g.as_of, str) else g.as_of
    held = set(holding_records(store, asked, d))
    for eid, path in found.items():
        out[eid] = _strength(path, str(region_code), g.model.get("version"), g.as_of,
                             g.holder_keys([path], persons=True, also=lambda ids: [x for x in ids if x in held]))
    return out


REACH_HOPS = 4  # the hops of a lead's reachability path


def reach_strength(store, enterprise_id, region_code, as_of=None) -> Explained | None:
    """Best path strength from the region's side to the enterprise's key persons, with the path as evidence
    (None when no path within the bounds). For lead mining's reachability signal (``reach_strengths``)."""
    doc = reach(store, enterprise_id, from_region=str(region_code), k=1, max_hops=REACH_HOPS, as_of=as_of)
    if not doc["paths"]:
        return None
    return _strength(doc["paths"][0], str(region_code), doc["graph"]["ties_version"], doc["as_of"],
                     doc["private_persons"])


def _strength(p: dict, region: str, ties_version, as_of, private=()) -> Explained:
    """A path (``_path_doc``; of each hop's evidence the first record is used) as the reachability result. Each
    part names (``private``) the names it holds of records whose person holds shares (``_private``): a role without
    ``personal`` reads them masked (services.privacy.present_text)."""
    mine = lambda *nodes: {"private": [n["name"] for n in nodes if n.get("key") in private]}  # noqa: E731
    origin = {**mine(p["origin"]), **_notes_at(p, 0)}
    return Explained(
        value=p["strength"], method=METHOD, version=VERSION,
        params={"region": region, "k": 1, "max_hops": REACH_HOPS, "ties": ties_version},
        parts=[Part(signal="origin", label=p["origin"]["kind_label"], raw=p["origin"]["name"], weight=p["origin_factor"],
                    detail={k: v for k, v in origin.items() if v} or None)]
        + [Part(signal=h["relation"], label=h["relation_label"], raw=f"{h['from']['name']} {arrow(h['direction'])} {h['to']['name']}",
                weight=h["strength"], detail={"start": h["start"], "end": h["end"], "direction": h["direction"],
                                              **({"title": h["title"]} if h.get("title") else {}),
                                              **(mine(h["from"], h["to"]) if mine(h["from"], h["to"])["private"] else {}),
                                              **_notes_at(p, i + 1)})
           for i, h in enumerate(p["hops"])],
        evidence=[_node_ref(p["origin"])] + [Ref(table=ev["table"], ids=[ev["id"]], note=ev.get("source")) for h in p["hops"]
                  for ev in (h["evidence"] or [])[:1] if ev.get("id") is not None],
        confidence=None, as_of=as_of, formula="strength = origin factor × Π tie strengths")


def notes_after(p: dict, i: int) -> list:
    """The notes of the other records of one person (``same_person``, ``_one_person``) of the node a path's line has
    reached after its start (``i`` 0) or its ``i``-th hop: the next hop's ``from``, or the target after the last."""
    hops = p.get("hops") or []
    return (hops[i]["from"] if i < len(hops) else p.get("target") or {}).get("same_person") or []


def _notes_at(p: dict, i: int) -> dict:
    """``notes_after`` kept in a lead's reach part (``same_person``) in no language: the record's kind and name, the
    link's strength and its codes, for ``identity_reasons.same_person_text`` to say in either."""
    notes = [{"record": {"type": n["record"].get("type"), "name": n["record"].get("name")}, "strength": n["strength"],
              "evidence": [{"reasons": ev["reasons"]} if ev.get("reasons") else {"note": ev.get("note")}
                           for ev in n.get("evidence") or []]} for n in notes_after(p, i)]
    return {"same_person": notes} if notes else {}


_NODE_TABLES = {"p": "persons", "e": "enterprises", "i": "investors", "c": "contacts"}


def _node_ref(node: dict) -> Ref:
    """The start of a path as evidence: its row, and why it counts as the region's side."""
    prefix, _, ident = node["key"].partition(":")
    table = _NODE_TABLES.get(prefix, "patent_inventors")
    return Ref(table=table, ids=[int(ident)] if ident.isdigit() else None, where=None if ident.isdigit() else {"key": node["key"]},
               note=node.get("kind_label"))


def between(store, enterprises: list, *, k: int = 3, max_hops: int = 4, as_of=None, ties: str | None = None,
            team=None, lang: str = "zh") -> dict:
    """How two or more enterprises are connected: the k best paths between every pair."""
    if len(enterprises) < 2:
        raise UserError("--between 需要至少两家企业", "--between needs at least two enterprises")
    ids = [resolve_enterprise(store, e) for e in enterprises]
    twice = sorted({x for x in ids if ids.count(x) > 1})
    if twice:  # an enterprise with itself is no connection (it answered one "path" of strength 1)
        raise UserError(f"--between 的企业须各不相同：{'、'.join(map(str, twice))} 给出了不止一次",
                        f"--between needs different enterprises: {', '.join(map(str, twice))} given more than once")
    g = graph_for(store, as_of, ties, team)
    pairs = []
    same, person_of = g.identity_edges(), g.same_person()  # two records of one person: one path, as in reach
    for a, b in itertools.combinations(ids, 2):
        ia, ib = g.index(f"e:{a}"), g.index(f"e:{b}")
        paths, stats = [], {}
        if ia is not None and ib is not None:
            # searched from the end with fewer ties (then the lower id), whichever order the two were given in, and
            # each path read from a to b
            t, o = sorted((ia, ib), key=lambda i: (int(g.indptr[i + 1] - g.indptr[i]), i))
            found, stats = k_paths(g, [t], {o: 1.0}, k=k, max_hops=max_hops, same=same, person_of=person_of)
            found = [p if p.nodes[0] == ia else SearchPath(p.nodes[::-1], p.edges[::-1], p.strength, p.ties, p.origin_factor)
                     for p in found]
            paths = [_path_doc(g, p, {ia: "given"}, lang, store) for p in found]
        na, nb = _name(g, ia, store, a), _name(g, ib, store, b)
        pairs.append({"a": {"id": a, "name": na}, "b": {"id": b, "name": nb}, "paths": paths, "search": stats,
                      "no_path": None if paths else _no_path_between(na, nb, ia, ib, max_hops, stats)})
    return {"enterprises": ids, "as_of": g.as_of, "k": k, "max_hops": max_hops, "pairs": pairs,
            "graph": g.stats(), "method": METHOD, "version": VERSION}


def _no_path_between(a: str, b: str, ia, ib, max_hops: int, stats: dict) -> dict:
    """Why two enterprises have no path, in both languages (``case``: ``no_ties`` — one of them has no relation in
    the graph on the date — or ``hops``, as ``_no_path`` says it for a reach)."""
    if ia is None or ib is None:
        alone = a if ia is None else b
        return {"case": "no_ties", "reason": f"{alone} 在此日期没有任何已知关系（股东、投资、任职、专利等）",
                "reason_en": f"{alone} has no known relation on the date (holders, investments, roles, patents …)"}
    cut = stats.get("truncated") or stats.get("capped")
    return {"case": "hops", "reason": f"{a} 与 {b} 之间 {max_hops} 跳内没有路径" + ("（搜索达到上限，未穷尽）" if cut else ""),
            "reason_en": f"no path between {a} and {b} within {count_en(max_hops, 'hop')}"
                         + (" (the search reached its bound)" if cut else "")}


def _name(g: Graph, i, store, eid) -> str:
    if i is not None:
        return g.names[i]
    return store.con.execute("SELECT name FROM enterprises WHERE id = ?", [eid]).fetchall()[0][0]


def neighbours(store, node: str, *, as_of=None, offset: int = 0, limit: int = 50, ties: str | None = None,
               team=None, lang: str = "zh") -> dict:
    """A node's neighbours, strongest tie first, capped and paged (a hub has thousands). Person records linked as
    one person, and an inventor linked to one of them only, are one node (``records``; ``Graph.drawn``): their
    ties are pooled, and a neighbour reached by several ties is listed once, by its strongest (``ties`` counts them). ``private_holders``: the records named that hold shares;
    ``private_persons``: the records named whose person holds shares (services.privacy masks them)."""
    g = graph_for(store, as_of, ties, team)
    i = g.index(node)
    if i is None:
        raise NotFound(f"节点不在关系图中: {node}", f"node not in the graph: {node}")
    limit, offset = max(1, min(int(limit), 200)), max(0, int(offset))
    rep, groups = g.drawn()
    own = groups.get(int(rep[i]), [i])
    js = np.concatenate([np.arange(g.indptr[r], g.indptr[r + 1]) for r in own])
    src = np.repeat(np.asarray(own), [int(g.indptr[r + 1] - g.indptr[r]) for r in own])
    keep = rep[g.nbr[js]] != rep[i]  # ties between the records of this one person are not neighbours
    js, src = js[keep], src[keep]
    order = np.argsort(-g.w[js], kind="stable")
    js, src = js[order], src[order]
    reps = rep[g.nbr[js]]
    _, first, counts = np.unique(reps, return_index=True, return_counts=True)
    n_ties = dict(zip(reps[first].tolist(), counts.tolist()))
    first = np.sort(first)
    items = [{**_hop(g, int(src[x]), int(g.nbr[js[x]]), int(g.eid[js[x]]), lang),
              "node": g.person_node(int(g.nbr[js[x]])), "ties": n_ties[int(reps[x])]}
             for x in first[offset:offset + limit].tolist()]
    doc = {"node": g.person_node(i), "total": len(first), "offset": offset, "limit": limit,
           "neighbours": items, "types": list(TYPES), "as_of": g.as_of}
    return {**doc, **_private(store, g, [doc["node"], items])}


def person_details(store, person: str, *, as_of=None, team=None) -> dict:
    """One person record as of a date (``reference_date``): name, gender, birth year, the roles and shareholdings
    held by then with dates and sources — one started later left out, one ended later shown as held then (no end),
    as the graph and the key persons of that date count them —, and its identity links (the records the rules hold
    to be the same person, and namesakes kept apart), each naming the other record (``other``: key and name)."""
    from .identity import LINK_MIN, person_links

    s = str(person).strip().removeprefix("p:")
    if not s.isdigit():
        raise UserError(f"人员须以编号给出（p:编号）: {person}", f"give a person by id (p:ID): {person}")
    rows = store.query("SELECT id, name, gender, birth_year, description, source, source_key FROM persons WHERE id = ?",
                       [int(s)])
    if not rows:
        raise NotFound(f"未找到人员: {person}", f"person not found: {person}")
    p, d = rows[0], reference_date(store, as_of)
    roles = store.query(
        "SELECT r.id, r.enterprise_id, coalesce(e.name, r.enterprise_name) AS enterprise, r.role, r.title, "
        "r.start_date, CASE WHEN r.end_date <= ? THEN r.end_date END AS end_date, r.source, r.source_key "
        "FROM roles r LEFT JOIN enterprises e ON e.id = r.enterprise_id "
        "WHERE r.person_id = ? AND (r.start_date IS NULL OR r.start_date <= ?) ORDER BY r.start_date NULLS LAST, r.id",
        [d, p["id"], d])
    holdings = store.query(
        "SELECT s.id, s.enterprise_id, s.enterprise_name AS enterprise, s.percent, s.start_date, "
        "CASE WHEN s.end_date <= ? THEN s.end_date END AS end_date, s.source FROM shareholdings s "
        "WHERE s.holder_person_id = ? AND (s.start_date IS NULL OR s.start_date <= ?) ORDER BY s.id", [d, p["id"], d])
    links = person_links(store, team, name=p["name"])
    mine = lambda xs: [{**x, "other": {"key": f"p:{x['b'] if x['a'] == p['id'] else x['a']}", "name": x["name"]}}  # noqa: E731
                       for x in xs if p["id"] in (x.get("a"), x.get("b"))]
    doc = {"person": {**p, "key": f"p:{p['id']}"}, "as_of": d, "roles": roles, "shareholdings": holdings,
           "links": mine(links["links"]), "apart": mine(links["apart"])}
    # the records named by the links that hold shares (privacy.present_person withholds such links from a viewer)
    named = sorted({x[e] for x in doc["links"] + doc["apart"] for e in ("a", "b") if isinstance(x.get(e), int)})
    held = [r[0] for r in store.con.execute(
        "SELECT DISTINCT holder_person_id FROM shareholdings WHERE list_contains(?, holder_person_id) ORDER BY 1",
        [named]).fetchall()] if named else []
    # whether the person (the records linked to this one as the same person) holds shares through another record:
    # the record is then masked with the holding (privacy.present_person), as the person is on every other view
    linked = {x[e] for x in doc["links"] if x["confidence"] >= LINK_MIN for e in ("a", "b")} - {p["id"]}
    private = bool(linked & set(held)) or bool(holding_records(store, [p["id"]], d))
    # the other records named whose person holds shares (masked by name for a viewer, as on every view)
    others = holding_records(store, [int(x["other"]["key"][2:]) for x in doc["links"] + doc["apart"]], d)
    return {**doc, "private_holders": [f"p:{x}" for x in held], "private_person": private,
            "private_others": [f"p:{x}" for x in others]}
