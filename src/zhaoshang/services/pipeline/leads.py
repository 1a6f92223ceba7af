"""Leads of the pipeline (招商项目): one per enterprise and region, their status, owner, notes, next action and
the full history of every change.

Leads are team records: they live in the team state (SQLite beside the database or PostgreSQL), not in the
analytical DuckDB file, so re-imports, ``demo`` rebuilds and a kill -9 leave them as committed. An enterprise is
referenced by its stable id; its credit code and name are kept beside it for display (and for a lead whose
enterprise a later import no longer holds). Every change is one ``pipeline_history`` row (who, when, field,
from, to) written in the same transaction as the change, and one audit-log entry.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...core.errors import Conflict, NotFound, UserError, count_en
from ...core.geo.lookup import region_labels, resolve_region
from ...core.geo.readings import kept
from ...core.geo.regions import lies_in
from ...core.parse.dates import DATE_LABELS, china_time_text, china_today, parse_user_date, zoned
from ...core.parse.placeholders import is_open_ended
from ...core.teamstate.clock import now
from ..chain.primary import PRIMARY_RANK
from ..enterprises import resolve_enterprise
from ..regions.nodes import chain_node, default_chain
from ..team import accounts, audit
from ..team.roles import ROLES

# the page's field and the command's option both named: the one message serves the 招商项目 form and the CLI
NEEDS_REASON = ("放弃线索须说明理由（页面的“理由”，命令行 --reason）",
                "abandoning a lead needs a reason (the page's Reason field, --reason on the command line)")
# 已落地 only after 已签约: a move to it, and a lead added as it
NOT_SIGNED = ("线索尚未签约，不能标为已落地（先移到 已签约）", "a lead must be signed before it lands")
ADDED_LANDED = ("线索尚未签约，不能直接加为已落地（给出签约日期与落地日期：命令行 --signed-on、--landed-on，API 的 "
                "signed_on、landed_on，导入的行 签约日期、落地日期；或先加为 已签约，再移到 已落地）",
                "a lead must be signed before it lands (give its signing and landing dates: --signed-on and "
                "--landed-on on the command line, signed_on and landed_on in the API, an imported row's dates; or "
                "add it as signed, then move it to landed)")
# the day of a move (the page's field, the command's --on, the API's on) given with a move that sets no day
ON_ONLY = ("签约/落地日期只用于移到 已签约 或 已落地（页面的“签约/落地日期”，命令行 --on）；更正已签约、已落地线索的"
           "日期：移到它现在的状态并给出日期，如 pipeline move 3 已落地 --on 2025-03-01（已落地线索的签约日期："
           "--signed-on）",
           "a signing or landing date is for a move to signed or landed only (the page's Signing/landing date "
           "field, --on on the command line); to correct the date of a signed or landed lead, move it to the "
           "status it has with the date, e.g. pipeline move 3 landed --on 2025-03-01 (a landed lead's signing "
           "date: --signed-on)")
# the days of a signed or landed lead given as they are (the page's 签约日期/落地日期, --signed-on/--landed-on, the
# API's signed_on/landed_on): a landed lead's signing day is corrected without moving it back
DAY_FOR = {"signed_on": (("signed", "landed"), "签约日期只用于 已签约 或 已落地 的线索（此线索为 {}）",
                         "a signing date is for a signed or landed lead only (this one is {})"),
           "landed_on": (("landed",), "落地日期只用于 已落地 的线索（此线索为 {}）",
                         "a landing date is for a landed lead only (this one is {})")}
REASON_ONLY = ("放弃理由只用于 已放弃 的线索（其他说明请写在备注 --note）",
               "an abandon reason is for an abandoned lead only (anything else goes in the note, --note)")
STATUSES = ("new", "contacted", "visited", "negotiating", "signed", "landed", "abandoned")
STATUS_ZH = {"new": "新线索", "contacted": "已接触", "visited": "已拜访", "negotiating": "洽谈中", "signed": "已签约",
             "landed": "已落地", "abandoned": "已放弃"}
STATUS_EN = {"new": "new lead", "contacted": "contacted", "visited": "visited", "negotiating": "negotiating",
             "signed": "signed", "landed": "landed", "abandoned": "abandoned"}
OPEN = ("new", "contacted", "visited", "negotiating", "signed")
# the dates a stage sets, cleared (with the landing's evidence) when a lead moves back before that stage; 已放弃 clears
# the landing only
STAGE_DATES = (("signed", ("signed_on",)), ("landed", ("landed_on", "landing")))
# when a change needs a reason (``update``): a move to 已放弃, and a move back from a stage whose days it clears
# (``STAGE_DATES``: from 已签约 or 已落地); the lead page's 理由 field says so in these words
REASON_LABEL = ("理由（放弃，或从 " + "、".join(STATUS_ZH[s] for s, _ in STAGE_DATES) + " 退回时必填）",
                "Reason (required to abandon, or to move back from " + " or ".join(STATUS_EN[s] for s, _ in STAGE_DATES)
                + ")")
CLOSED = ("landed", "abandoned")  # a move here clears the next action (unless the same change gives one)
SOURCES = ("manual", "leads", "profile", "excel")
SOURCE_LABELS = {"manual": ("手工录入", "manual"), "leads": ("招商线索", "leads list"), "profile": ("企业画像", "profile"),
                 "excel": ("Excel 导入", "Excel import")}
FIELD_LABELS = {"status": ("状态", "status"), "owner": ("负责人", "owner"), "next_action": ("下一步", "next action"),
                "next_action_date": ("下一步日期", "due"), "abandon_reason": ("放弃理由", "reason"),
                "segment": ("产业链环节", "segment"), "note": ("备注", "note"),
                "signed_on": ("签约日期", "signing date"), "landed_on": ("落地日期", "landing date")}
# a history row's time in China's time (to the second, bare), its clock named in the header as every time column's
HISTORY_AT = (zoned("时间"), zoned("Time"))
TRACKED = ("status", "owner", "next_action", "next_action_date", "abandon_reason", "segment", "signed_on", "landed_on")
# a next action due with no deadline (``--due 长期``, 不限 …: the date parser's open-ended words) is stored as such
# (``next_action_open_ended``), not as no date: the list, the page and the export say 长期 / open-ended (the export's
# cell imports back as it), its history row's value is 长期, and it is never 督办
OPEN_DUE = ("长期", "open-ended")


COLUMNS = ["id", "enterprise_id", "enterprise_uscc", "enterprise_name", "region_code", "region_name", "status",
           "status_label", "owner", "source", "segment", "next_action", "next_action_date", "next_action_open_ended",
           "overdue", "abandon_reason", "signed_on", "landed_on", "created_by", "created_at", "updated_at", "version",
           "list_as_of", "list_score", "list_weights"]
FIELDS = [*COLUMNS, "landing"]  # a lead's fields as the list, the API and --format json/csv give them
# a history entry's fields as `show --format csv` writes them (the JSON's, with the lead's id)
HISTORY_FIELDS = ["lead_id", "at", "actor", "field", "from_value", "to_value"]


def _needs_back_reason(frm: str, to: str) -> tuple[str, str]:
    """Moving a signed or landed lead back to an earlier stage clears the dates it reached: it needs a reason."""
    return (f"线索从 {STATUS_ZH[frm]} 退回 {STATUS_ZH[to]} 须说明理由（页面的“理由”，命令行 --reason）；"
            "退回会清除之后阶段的签约、落地日期",
            f"moving a lead back from {STATUS_EN[frm]} to {STATUS_EN[to]} needs a reason (the page's Reason field, "
            "--reason on the command line); it clears the signing and landing dates of the stages left behind")


def check_status(value: str) -> str:
    """A status given as its key (``negotiating``) or its Chinese name (``洽谈中``)."""
    s = (value or "").strip()
    if s in STATUSES:
        return s
    for k, zh in STATUS_ZH.items():
        if s == zh or s.lower() == STATUS_EN[k]:
            return k
    raise UserError(f"未知的状态: {value}（{' → '.join(STATUS_ZH[k] for k in STATUSES[:-1])}，或 已放弃）",
                    en=f"unknown status: {value} ({' | '.join(STATUSES)})", text=s)


def owners(team) -> list[str]:
    """Who may own a lead: the enabled users whose role may change the team's records (a viewer cannot act on it)."""
    return [u["name"] for u in accounts.list_users(team)
            if not u["disabled"] and "team_write" in ROLES.get(u["role"], frozenset())]


def _no_such_owner(team, exc: NotFound, **kw) -> NotFound:
    """An owner who is no user: the refusal names those who may own a lead, so the next try need not guess."""
    names = owners(team)
    if names:
        return NotFound(f"{exc}（可作负责人的用户：{'、'.join(names)}）",
                        f"{exc.en} (users who can own a lead: {', '.join(names)})", **kw)
    return NotFound(f"{exc}（尚无可作负责人的用户：用 zhaoshang users add 添加分析员）",
                    f"{exc.en} (no user can own a lead yet: add an analyst with zhaoshang users add)", **kw)


def _owner(team, name: str | None) -> str | None:
    if name is None or not str(name).strip():
        return None
    try:
        acc = accounts.get(team, str(name).strip())
    except NotFound as exc:
        raise _no_such_owner(team, exc) from None
    if acc.disabled:
        raise UserError(f"用户已停用，不能作为负责人: {acc.name}", f"the user is disabled and cannot own a lead: {acc.name}")
    if not acc.writes():
        raise UserError(f"{acc.name} 是只读用户（{acc.role}），不能更新线索，不能作为负责人",
                        f"{acc.name} is a read-only user ({acc.role}) who cannot update a lead, so cannot own one")
    return acc.name


def _stage_date(value: Any, what: str) -> str | None:
    """The day a lead reached a stage (``signed_on``, ``landed_on``): the one date parser, not after today; a bare
    year or month is its last day (or today, in the period holding it), as every date typed that is not a start."""
    d = parse_user_date(value, what)
    return d.isoformat() if d else None


def _landed_after(signed: str | None, landed: str | None) -> None:
    if signed and landed and landed < signed:
        raise UserError(f"落地日期 {landed} 早于签约日期 {signed}", f"the landing date {landed} is before the signing date {signed}")


def check_founding(store, enterprise_id: int, signed: str | None, landed: str | None) -> None:
    """A lead's signing or landing day given by a user (a command, the API, the page, an imported row) is not before
    its enterprise was founded, when that is known: 1850 typed for 2025 would count a century of days to land."""
    row = store.con.execute("SELECT founded FROM enterprises WHERE id = ?", [enterprise_id]).fetchone()
    founded = row[0].isoformat() if row and row[0] else None
    for what, day in (("signed_on", signed), ("landed_on", landed)):
        if founded and day and day < founded:
            zh, en = DATE_LABELS[what]
            raise UserError(f"{zh} {day} 早于企业成立日期 {founded}，请检查日期",
                            f"the {en} {day} is before the enterprise was founded ({founded}); check the date")


# the most characters a lead's free text keeps (the next action is one line of the list; a note or a reason a
# paragraph): a longer one is refused, not cut, on the page, the JSON API and the command line alike
TEXT_LIMITS = {"next_action": 200, "note": 1000, "reason": 1000}
_TEXT_LABELS = {"next_action": ("下一步", "next action"), "note": ("备注", "note"), "reason": ("理由", "reason")}


def check_texts(**texts: str | None) -> None:
    """Refuse a lead's free text (``next_action``, ``note``, ``reason``: ``TEXT_LIMITS``) longer than its limit."""
    for field, text in texts.items():
        n = TEXT_LIMITS[field]
        if text is not None and len(text.strip()) > n:
            zh, en = _TEXT_LABELS[field]
            raise UserError(f"{zh}过长：最多 {n} 个字符", f"the {en} is too long: at most {n} characters")


def check_start(status: str, reason: str | None, signed_on: Any = None, landed_on: Any = None) -> tuple:
    """What a new lead (``add``, an imported row) may start as: 已落地 only with the days it was signed and landed
    (a lead lands only after it was signed, as ``update`` holds), a reason only when 已放弃 (it would be its 放弃理由
    beside 新线索), a stage's day only with that stage. Returns (signed_on, landed_on) as stored."""
    signed, landed = _stage_date(signed_on, "signed_on"), _stage_date(landed_on, "landed_on")
    if status == "landed" and not (signed and landed):
        raise UserError(*ADDED_LANDED)
    if (reason or "").strip() and status != "abandoned":
        raise UserError(*REASON_ONLY)
    if signed and status not in ("signed", "landed", "abandoned"):  # abandoned after it was signed: it keeps the day
        raise UserError(f"签约日期只用于 已签约、已落地 或签约后放弃的线索（此行为 {STATUS_ZH[status]}）",
                        f"a signing date is for a signed, landed or signed-then-abandoned lead only (this one is {STATUS_EN[status]})")
    if landed and status != "landed":
        raise UserError(f"落地日期只用于 已落地 的线索（此行为 {STATUS_ZH[status]}）",
                        f"a landing date is for a landed lead only (this one is {STATUS_EN[status]})")
    _landed_after(signed, landed)
    return signed, landed


def check_segment(store, segment: str | None) -> str | None:
    """A lead's segment (or a list's): a node of the chain, checked as every node a user names is (an unknown one
    is refused naming the nodes meant); None for none, or for the chain's own code."""
    if segment is None or not str(segment).strip():
        return None
    return chain_node(store, default_chain(store), str(segment).strip())


def segment_nodes(store, segment: str | None) -> list[str] | None:
    """The nodes a list's segment filter takes (``check_segment``): the node and every node below it, as a stage
    code means its whole stage on /leads and /monitor (``regions.matrix.descendants``); None for none."""
    from ..regions.matrix import descendants

    node = check_segment(store, segment)
    return descendants(store, default_chain(store), node) if node else None


def _due(value: Any) -> tuple[str | None, bool]:
    """A next action's date as given (``_date``) and whether it is open-ended (长期, 不限 …: no deadline, told apart
    from no date given)."""
    return _date(value), is_open_ended(str(value)) if value is not None else False


def date_read(value: Any, what: str = "next_action") -> tuple[str, str] | None:
    """How a date typed in a box of the lead page was read, where it is not the day (or 长期) as written: the
    next action's 日期 (``what`` ``next_action``, as ``--due``: ``2026年3月`` → ``下一步日期「2026年3月」读作
    2026-03-31``), the 签约/落地日期 and 签约日期 (``signed_on``, ``landed_on``, as ``--on`` and ``--signed-on``:
    the stage's day, a bare year or month its last day or today in the period holding it — ``2026年3月`` →
    ``签约日期「2026年3月」读作 2026-03-31``) (zh, en); None when it says what was stored (2026-03-31, 长期), is
    empty, or cannot be read (``update`` refuses it)."""
    text = str(value or "").strip()
    if not text:
        return None
    zh, en = DATE_LABELS[what]
    day, open_ended = _due(text) if what == "next_action" else (_stage_date(text, what), False)
    if day and day != text:
        return f"{zh}「{text}」读作 {day}", f"{en} '{text}' read as {day}"
    if open_ended and text not in OPEN_DUE:
        return (f"{zh}「{text}」读作 长期（无期限，不督办）",
                f"{en} '{text}' read as open-ended (no deadline, never overdue)")
    return None


def due_text(lead: dict, lang: str = "zh") -> str | None:
    """A lead's next-action date as the list, the page and the export show it: the day, 长期 / open-ended, or none."""
    return lead.get("next_action_date") or (OPEN_DUE[lang == "en"] if lead.get("next_action_open_ended") else None)


def _date(value: Any) -> str | None:
    """A next action's date (``--due``, the API's and the page's next_action_date, a 台账's 下一步日期): a deadline to
    the one date parser — a bare year or month is its last day (2026年3月 → 2026-03-31), future dates allowed, an
    open-ended word (长期, 不限, 无) is none."""
    d = parse_user_date(value, "next_action")
    return d.isoformat() if d else None


def _actor(user: Any) -> str:
    return getattr(user, "name", None) or (str(user) if user else audit.cli_actor())


def is_overdue(lead: dict, today: _dt.date | None = None) -> bool:
    """督办, the one definition (the list, --overdue, the API, the page, the board and the export read it): the lead's
    next action is due before today and the lead is still to be followed up — an open status (not 已落地 or 已放弃),
    and on a signed lead only an action due after its signing day (the landing to follow up); an action due on or
    before the signing was overtaken by it."""
    due, status = lead.get("next_action_date"), lead["status"]
    if not due or status not in OPEN or due >= (today or china_today()).isoformat():
        return False
    return not (status == "signed" and lead.get("signed_on") and due <= lead["signed_on"])


def _present(row: dict, today: _dt.date | None = None) -> dict:
    today = today or china_today()
    r = dict(row)
    r["status_label"] = STATUS_ZH[r["status"]]
    r["overdue"] = is_overdue(r, today)
    r["next_action_open_ended"] = bool(r.get("next_action_open_ended"))
    if r["status"] != "landed":  # a landing is read on a landed lead only: an older version left it on an abandoned
        r["landed_on"] = r["landing"] = None  # one (the list, export, page and 落地率 would call it landed)
    return {c: r.get(c) for c in FIELDS}


def _write_history(tx, lead_id: int, at: str, actor: str, changes: list[tuple[str, Any, Any]]) -> None:
    for field, old, new in changes:
        tx.execute("INSERT INTO pipeline_history (lead_id, at, actor, field, from_value, to_value) VALUES (?, ?, ?, ?, ?, ?)",
                   [lead_id, at, actor, field, None if old is None else str(old), None if new is None else str(new)])


def add(store, team, enterprise: Any, region: str, *, user: Any = None, owner: str | None = None,
        status: str = "new", source: str = "manual", segment: str | None = None, next_action: str | None = None,
        next_action_date: Any = None, note: str | None = None, abandon_reason: str | None = None,
        signed_on: Any = None, landed_on: Any = None, list_as_of: Any = None, list_weights: str | None = None,
        lang: str = "zh") -> dict:
    """Add one lead (enterprise × region); refused if that pair is already in the pipeline, and as ``check_start``
    refuses it (已落地 without its days …). A signed lead is signed on ``signed_on``, today without it.
    ``list_as_of`` (and ``list_weights``): the 招商线索 list it was chosen from, kept with its score there (``listed``).
    The answer carries what the add says without refusing it, in ``lang`` (``said_on_add``), and how the region's
    name was read where other regions share it (``region_notes``, the region service's notes)."""
    check_texts(next_action=next_action, note=note, reason=abandon_reason)
    if list_weights and not list_as_of:  # a weights version names a list only with its day
        raise UserError("线索权重版本须与招商线索列表的截至日期一起给出（命令行 --as-of，API 的 list_as_of）",
                        "a weights version names a leads list only with its as-of date (--as-of on the command line, "
                        "list_as_of in the API)")
    eid = resolve_enterprise(store, enterprise)
    uscc, name = store.con.execute("SELECT uscc, name FROM enterprises WHERE id = ?", [eid]).fetchone()
    with kept() as read:  # a name other regions share, read by the level rule: said when the lead is saved
        ref = resolve_region(store, region, macro=False)
    st = check_status(status)
    if source not in SOURCES:
        raise UserError(f"未知的来源: {source}（{' | '.join(SOURCES)}）", f"unknown source: {source} ({' | '.join(SOURCES)})")
    if st == "abandoned" and not (abandon_reason or "").strip():
        raise UserError(*NEEDS_REASON)
    signed_on, landed_on = check_start(st, abandon_reason, signed_on, landed_on)
    check_founding(store, eid, signed_on, landed_on)
    segment = check_segment(store, segment)
    if not segment:  # default: the enterprise's primary segment (chain.primary.PRIMARY_RANK)
        top = store.con.execute(f"SELECT node_code FROM placements WHERE enterprise_id = ? "
                                f"ORDER BY {PRIMARY_RANK} DESC NULLS LAST, node_code LIMIT 1", [eid]).fetchone()
        segment = top[0] if top else None
    chosen = listed(store, team, eid, ref.code, segment, list_as_of, list_weights) if list_as_of else {}
    actor = _actor(user)
    if owner is None:  # added by a signed-in user who may own it (from 招商线索, a profile, the API): theirs
        owner = _adder(team, user)
    at = now()
    row = {"enterprise_id": eid, "enterprise_uscc": uscc, "enterprise_name": name, "region_code": ref.code,
           "region_name": ref.name, "region_level": ref.level, "status": st, "owner": _owner(team, owner),
           "source": source, "segment": (segment or "").strip() or None, "next_action": (next_action or "").strip() or None,
           "next_action_date": _date(next_action_date), "next_action_open_ended": int(_due(next_action_date)[1]),
           "abandon_reason": (abandon_reason or "").strip() or None,
           "signed_on": signed_on or (china_today().isoformat() if st == "signed" else None), "landed_on": landed_on,
           "created_by": actor, "created_at": at, "updated_at": at, **chosen}
    with team.tx(exclusive=True) as tx:
        dup = tx.one("SELECT id, status FROM pipeline_leads WHERE enterprise_id = ? AND region_code = ?", [eid, ref.code])
        if dup:
            raise UserError(f"{name} 在 {ref.name} 已有线索 #{dup['id']}（{STATUS_ZH[dup['status']]}），每家企业每个地区一条",
                            en=f"{name} already has lead #{dup['id']} in {region_labels(store, [ref.code], 'en')[ref.code]} "
                               "(one per enterprise and region)")
        lid = int(tx.scalar(f"INSERT INTO pipeline_leads ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
                            "RETURNING id", list(row.values())))
        said = {**row, "next_action_date": due_text(row)}  # an open-ended next action's history value: 长期
        changes = [("status", None, st)] + [(f, None, said[f]) for f in TRACKED[1:] if said.get(f)]
        if note and note.strip():
            changes.append(("note", None, note.strip()))
        _write_history(tx, lid, at, actor, changes)
    # the region's name beside its code, as "中文 / English" (the audit's detail is read without the database)
    zh, en = (region_labels(store, [ref.code], lg)[ref.code] for lg in ("zh", "en"))
    by, behalf = audit.acting(user)  # a --user of the command line: acted for by its operator, on the user's behalf
    audit.record(team, by, "pipeline.add", f"lead:{lid}",
                 {"enterprise": name, "region": ref.code, "region_name": zh if en == zh else f"{zh} / {en}",
                  "status": st, "source": source}
                 | {f: row[f] for f in ("signed_on", "landed_on") if row[f]} | behalf)
    lead = get(team, lid) | {"local": local_presence(store, eid, ref.as_dict()), "region_notes": read}
    return lead | said_on_add(store, team, lead, lang)


def said_on_add(store, team, lead: dict, lang: str = "zh") -> dict:
    """What adding ``lead`` (``add``'s answer, with its ``local``) says without refusing it, in ``lang``: its
    enterprise's leads of an enclosing or enclosed region (``overlaps``) and the ``warning`` (``add_warning``) — the
    one text the command line, the API, the web form and an imported sheet's rows give."""
    overlaps = [o for o in other_leads(store, team, lead["id"], lang) if o["overlaps"]]
    return {"overlaps": overlaps, "warning": add_warning(store, lead["local"], overlaps, lead["region_code"], lang)}


def local_presence(store, enterprise_id: int, region: dict) -> dict[str, int]:
    """How the enterprise is already present in the region on the reference date, by the rule that makes an
    enterprise no lead of a region (``leads.signals.presence_of``: registered there, a branch or subsidiary there,
    the majority holder of a local enterprise); {} when it is not."""
    from ...core.asof import reference_date
    from ..leads.signals import presence_of

    return presence_of(store, enterprise_id, region, reference_date(store))


def presence_text(store, local: dict[str, int], region_code: str, lang: str = "zh") -> str | None:
    """The warning of an add whose enterprise is already present in the region (a lead is an enterprise to attract
    from elsewhere): added all the same, since a bureau may track a local expansion; None when it is not present."""
    if not local:
        return None
    place = region_labels(store, [region_code], lang)[region_code]
    opened = local.get("branch", 0) + local.get("subsidiary", 0)
    if lang == "en":
        how = [w for w in ("registered there" if local.get("registered") else None,
                           f"{count_en(opened, 'branch or subsidiary', 'branches or subsidiaries')} there" if opened else None,
                           f"majority holder of {count_en(local['holder'], 'local enterprise')}" if local.get("holder") else None)
               if w]
        return (f"the enterprise is already present in {place} ({'; '.join(how)}): a lead is an enterprise to attract "
                "from elsewhere — added all the same (a local expansion may be tracked)")
    how = [w for w in ("注册地在此" if local.get("registered") else None,
                       f"在此有分支机构或子公司 {opened} 家" if opened else None,
                       f"控股本地企业 {local['holder']} 家" if local.get("holder") else None) if w]
    return f"该企业已在 {place} 落地（{'；'.join(how)}）：招商线索指从外地引进的企业——仍已加入（可跟进其本地扩张）"


def add_warning(store, local: dict[str, int], overlaps: list[dict], region_code: str, lang: str = "zh") -> str | None:
    """What an add says without refusing it: the enterprise already present in the region (``presence_text``), and
    its leads of an enclosing or enclosed region (``overlap_text``); None when neither."""
    said = [x for x in (presence_text(store, local, region_code, lang), overlap_text(overlaps, lang)) if x]
    return ("; " if lang == "en" else "；").join(said) or None


def listed(store, team, enterprise_id: int, region: str, segment: str | None, as_of: Any,
           weights: str | None = None) -> dict:
    """What the 招商线索 list a lead is chosen from said of it: the list's day, its weights (a saved version; None: the
    shipped ones) and the lead's score there (None if it is no candidate then). The lead's page scores it again on the
    latest data; kept beside that, the score the team chose it by is not lost when the windows move on."""
    from ..leads import lead_of, resolve_weights  # the lead score's service: loaded only when a list is named

    day = parse_user_date(as_of, "as_of")
    version = (weights or "").strip() or None
    one = lead_of(store, region, enterprise_id, node=segment, team=team, as_of=day,
                  weights=resolve_weights(version, team, files=False))
    return {"list_as_of": str(one["as_of"] if one else day), "list_weights": version,
            "list_score": one["score"] if one else None}


def latest(store, team, lead: dict, lang: str = "zh") -> dict | None:
    """Why the lead is one on the latest data (``lead_of``), scored under the weights of the list it was chosen from
    while they are saved — the two scores its page shows side by side then differ by the data alone — else under the
    shipped ones. ``weights``: the saved version used (None: shipped); ``weights_gone``: the list's version no longer
    saved. None when it is no candidate there."""
    from ..leads import lead_of, resolve_weights  # the lead score's service, as ``listed`` reads it

    version = (lead.get("list_weights") or "").strip() or None
    try:
        weights, gone = resolve_weights(version, team, files=False), None
    except NotFound:
        weights, gone = None, version
    try:
        one = lead_of(store, lead["region_code"], lead["enterprise_id"], node=lead.get("segment"), lang=lang,
                      team=team, weights=weights)
    except UserError:
        return None
    return one and {**one, "weights": version if weights else None, "weights_gone": gone}


def _adder(team, user: Any) -> str | None:
    """The signed-in user adding a lead, as its owner when they may own one (an account that may change the team's
    records); None for the command line's or a local server's user, who is no account."""
    name = getattr(user, "name", None)
    if not name:
        return None
    try:
        return _owner(team, name)
    except UserError:
        return None


def other_leads(store, team, lead_id: Any, lang: str = "zh") -> list[dict]:
    """The other leads of a lead's enterprise (other regions), each ``{id, region_code, region, status,
    status_label, owner, overlaps}``: ``region`` names a district with its city; ``overlaps`` when one region lies
    in the other (the province, the city and a district of one bureau working the same firm) — said on add and on
    each lead's page, not refused: two teams may both work it. Overlapping first, then by id."""
    with team.tx() as tx:
        me = _load(tx, lead_id)
        rows = tx.query("SELECT id, region_code, status, owner FROM pipeline_leads WHERE enterprise_id = ? AND id <> ? "
                        "ORDER BY id", [me["enterprise_id"], me["id"]])
    names = region_labels(store, {r["region_code"] for r in rows}, lang, with_city=True)
    out = [{"id": r["id"], "region_code": r["region_code"], "region": names.get(r["region_code"], r["region_code"]),
            "status": r["status"], "status_label": (STATUS_EN if lang == "en" else STATUS_ZH)[r["status"]],
            "owner": r["owner"], "overlaps": lies_in(r["region_code"], me["region_code"])
            or lies_in(me["region_code"], r["region_code"])} for r in rows]
    return sorted(out, key=lambda o: (not o["overlaps"], o["id"]))


def overlap_text(overlaps: list[dict], lang: str = "zh") -> str | None:
    """The warning of an add whose enterprise is already a lead of an enclosing or enclosed region:
    ``该企业已是 杭州市 的线索 #1（已接触，li）``; None when there is none."""
    if not overlaps:
        return None
    if lang == "en":
        return "the enterprise is already a lead of " + "; ".join(
            f"{o['region']}: #{o['id']} ({o['status_label']}, {o['owner'] or 'no owner'})" for o in overlaps) + \
            f" — check with {'its owner' if len(overlaps) == 1 else 'their owners'} before approaching it"
    return "该企业已是 " + "；".join(f"{o['region']} 的线索 #{o['id']}（{o['status_label']}，{o['owner'] or '无负责人'}）"
                                   for o in overlaps) + "，接触前请与其负责人协调"


def _load(tx, lead_id: Any) -> dict:
    try:
        lid = int(str(lead_id).lstrip("#"))
    except ValueError:
        raise UserError(f"线索编号应为数字: {lead_id}", f"a lead id is a number: {lead_id}") from None
    row = tx.one("SELECT * FROM pipeline_leads WHERE id = ?", [lid])
    if row is None:
        raise NotFound(f"没有这条线索: #{lid}", en=f"no such lead: #{lid}")
    return row


def _version(tx, lead_id: int) -> int:
    """A lead's version: the id of its latest history row (every add and change writes at least one, in the same
    transaction), so a form or a script that read version N is out of date once another change was saved."""
    return int(tx.scalar("SELECT coalesce(max(id), 0) FROM pipeline_history WHERE lead_id = ?", [lead_id]) or 0)


def _said(field: str, value: Any, lang: str) -> str:
    if value in (None, ""):
        return "—"
    if field == "next_action_date" and value == OPEN_DUE[0]:
        return OPEN_DUE[lang == "en"]
    return (STATUS_EN if lang == "en" else STATUS_ZH).get(value, value) if field == "status" else str(value)


def stale_text(changes: list[dict], lang: str = "zh") -> str:
    """What was changed on a lead since a version (its history rows), by whom and when (China's time, its zone
    said — ``dates.china_time_text``): ``wang 于 2026-12-06 12:30:12 (UTC+8) 改了 状态 已接触 → 已拜访、下一步 致电王总 →
    准备洽谈材料``."""
    en = lang == "en"
    parts, group = [], None
    for h in changes:
        key = (h["actor"], china_time_text(h["at"]))
        label = FIELD_LABELS.get(h["field"], (h["field"],) * 2)[en]
        what = (f"{label} {_said(h['field'], h['to_value'], lang)}" if h["field"] == "note"
                else f"{label} {_said(h['field'], h['from_value'], lang)} → {_said(h['field'], h['to_value'], lang)}")
        if key != group:
            group = key
            parts.append([key, []])
        parts[-1][1].append(what)
    if en:
        return "; ".join(f"{a} changed at {t}: {', '.join(w)}" for (a, t), w in parts)
    return "；".join(f"{a} 于 {t} 改了 {'、'.join(w)}" for (a, t), w in parts)


def _check_version(tx, cur: dict, version: Any) -> None:
    """Refuse a change based on an older version of the lead (``Conflict``), naming who changed it since, when and
    what: a form loaded before a colleague saved would otherwise write back every value it still held."""
    try:
        seen = int(str(version).strip())
    except ValueError:
        raise UserError(f"线索版本应为数字: {version}", f"a lead's version is a number: {version}", text=str(version)) from None
    now_at = _version(tx, cur["id"])
    if seen == now_at:
        return
    rows = tx.query("SELECT at, actor, field, from_value, to_value FROM pipeline_history WHERE lead_id = ? AND id > ? "
                    "ORDER BY id", [cur["id"], seen])
    raise Conflict(f"未保存：线索 #{cur['id']} 在你读取（版本 {seen}）之后已被更新（现为版本 {now_at}）："
                   f"{stale_text(rows, 'zh') or '历史已变'}。请按最新内容核对后再保存",
                   f"not saved: lead #{cur['id']} was changed after you read it (version {seen}; it is now version "
                   f"{now_at}): {stale_text(rows, 'en') or 'its history changed'}. Check the latest values, then save again",
                   version=now_at, changes=rows)


def update(team, lead_id: Any, *, user: Any = None, status: str | None = None, reason: str | None = None,
           owner: str | None = None, next_action: str | None = None, next_action_date: Any = None,
           segment: str | None = None, note: str | None = None, landing: dict | None = None,
           on: str | None = None, signed_on: Any = None, landed_on: Any = None, store: Any = None,
           version: Any = None, check: bool = False) -> dict:
    """Change a lead (status, owner, next action and its date, segment) and/or add a note; each changed field is
    one history row. 已放弃 needs a reason; 已落地 needs the lead to have been signed; a move back before 已签约 or
    已落地 needs a reason (kept as a note) and clears the dates of the stages left behind (and the landing's evidence),
    and 已放弃 clears the landing (the signing day stays: 落地率 counts an abandoned deal), so the list, the export and
    落地率 agree with the status (``store``: the analytical database, to check a segment and that a day given is not
    before the enterprise's founding). ``on``: the day of a
    move to 已签约 or 已落地 (not after today; a landing not before the signing), today without it — a lead resumed
    from 已放弃 keeps the signing day it kept —; given with the stage the lead is at (or, moving back from 已落地, 已签约)
    it corrects that stage's day. ``signed_on``, ``landed_on``: the days of a lead that is (or moves to) signed or
    landed, as they are: a landed lead's signing day is corrected without moving it back. Every day given is
    checked as one typed is (not after China's today, a landing not before the signing, neither before the
    enterprise's founding). A changed day is a history row and in the audit entry, as every field is. ``version``:
    the lead's version the change is based on (``get``'s ``version``); a lead changed since is refused (``Conflict``,
    naming who changed what and when) and nothing is written. Only the fields given (not None) are ever written.
    ``check``: every check made, nothing written; returns ``{"changes": [(field, from, to) …], "version": …}`` (the
    changes it would write, none when nothing would change) — an import checks all its rows before it writes one."""
    check_texts(next_action=next_action, note=note, reason=reason)
    actor = _actor(user)
    at = now()
    new: dict[str, Any] = {}
    if status is not None:
        new["status"] = check_status(status)
    if owner is not None:
        new["owner"] = _owner(team, owner)
    if next_action is not None:
        new["next_action"] = next_action.strip() or None
    if next_action_date is not None:
        new["next_action_date"], open_ended = _due(next_action_date) if str(next_action_date).strip() else (None, False)
        new["next_action_open_ended"] = int(open_ended)
    if segment is not None:  # checked against the chain's nodes (``store``: the analytical database)
        if segment.strip() and store is None:
            raise ValueError("a lead's segment is checked against the database: pass store")
        new["segment"] = check_segment(store, segment) if segment.strip() else None
    with team.tx(exclusive=True) as tx:
        cur = _load(tx, lead_id)
        if version is not None and str(version).strip():
            _check_version(tx, cur, version)
        st = new.get("status", cur["status"])
        back_reason = None  # why a lead moved back (or a reason no move needed): one note row of its own
        if new.get("status") == "abandoned":
            if not (reason or "").strip():
                raise UserError(*NEEDS_REASON)
            new["abandon_reason"] = reason.strip()
        elif "status" in new and cur["status"] == "abandoned":
            new["abandon_reason"] = None
        if "status" in new and st != cur["status"]:  # back before 已签约/已落地, or 已放弃: the dates left behind go
            # an abandoned lead keeps its signing day: it was signed and did not land, so 落地率 (landed over the leads
            # ever signed) counts it against the landings; its landing, if any, goes
            left = [c for stage, cols in STAGE_DATES
                    if (st == "abandoned" and stage == "landed") or STATUSES.index(st) < STATUSES.index(stage)
                    for c in cols if cur[c]]
            if left and st != "abandoned":  # a move back says why (已放弃 has its reason already)
                if not (reason or "").strip():
                    raise UserError(*_needs_back_reason(cur["status"], st))
                back_reason = reason.strip()
            new.update((c, None) for c in left)
        if new.get("status") == "landed" and not cur["signed_on"]:
            raise UserError(*NOT_SIGNED)
        # the day a move to 已签约/已落地 sets; a move to the stage the lead has reached (or back from 已落地 to
        # 已签约, which keeps the signing) sets it only when given: a correction
        sets = {"signed": "signed_on", "landed": "landed_on"}.get(new.get("status"))
        reached = sets and (cur["status"] == new["status"] or (cur["status"], new["status"]) == ("landed", "signed"))
        if on is not None and str(on).strip() and not sets:
            raise UserError(*ON_ONLY)
        day = _stage_date(on, sets) if sets and on is not None else None
        if sets == "signed_on" and (day or not reached):  # resumed from 已放弃: the signing day it kept
            new["signed_on"] = day or cur["signed_on"] or china_today().isoformat()
        if st in CLOSED and cur["status"] not in CLOSED:  # nothing left to do: the next action is cleared
            new.setdefault("next_action", None)          # (its history row keeps what it was)
            new.setdefault("next_action_date", None)
            new.setdefault("next_action_open_ended", 0)
        if sets == "landed_on" and (day or not reached):
            new["landed_on"] = day or china_today().isoformat()
            if landing is not None:
                from ...core import jsonenc

                new["landing"] = jsonenc.dumps(landing)
        given = {}
        for f, value in (("signed_on", signed_on), ("landed_on", landed_on)):
            if value is None or not str(value).strip():
                continue
            stages, zh, en = DAY_FOR[f]
            if st not in stages:
                raise UserError(zh.format(STATUS_ZH[st]), en.format(STATUS_EN[st]))
            given[f] = _stage_date(value, f)
            if day and sets == f and day != given[f]:
                raise UserError(f"{DATE_LABELS[f][0]}给了两个：{day} 与 {given[f]}",
                                f"two {DATE_LABELS[f][1]}s given: {day} and {given[f]}")
        new.update(given)
        if day or given or "landed_on" in new and new["landed_on"]:  # a landing not before the signing
            _landed_after(new.get("signed_on", cur["signed_on"]), new.get("landed_on", cur["landed_on"]))
        if (day or given) and store is not None:
            check_founding(store, cur["enterprise_id"], new.get("signed_on"), new.get("landed_on"))
        elif given:
            raise ValueError("a lead's day is checked against the enterprise's founding: pass store")
        if (reason or "").strip() and new.get("status") != "abandoned" and not back_reason:
            back_reason = reason.strip()  # a reason no move needed is kept, as a note, rather than lost
        # a next action's date as its history says it: the day, 长期 when open-ended, none
        changes = [(f, due_text(cur), due_text({**cur, **new})) if f == "next_action_date" else (f, cur[f], v)
                   for f, v in new.items() if f in TRACKED]
        changes = [c for c in changes if c[1] != c[2]]
        if back_reason:
            changes.append(("note", None, back_reason))
        if note and note.strip():
            changes.append(("note", None, note.strip()))
        if check:
            return {"changes": changes, "version": _version(tx, cur["id"])}
        if not changes:
            raise UserError("没有要改的内容（状态、负责人、下一步或备注）", en="nothing to change")
        new = {f: v for f, v in new.items() if cur[f] != v}
        new["updated_at"] = at
        tx.execute(f"UPDATE pipeline_leads SET {', '.join(f'{f} = ?' for f in new)} WHERE id = ?",
                   [*new.values(), cur["id"]])
        _write_history(tx, cur["id"], at, actor, changes)
    by, behalf = audit.acting(user)
    audit.record(team, by, "pipeline.move" if "status" in new else "pipeline.update", f"lead:{cur['id']}",
                 {"enterprise": cur["enterprise_name"], "changes": {f: [o, n] for f, o, n in changes}} | behalf)
    return get(team, cur["id"]) | {"from_status": cur["status"], "to_status": st}


def get(team, lead_id: Any, *, history: bool = False) -> dict:
    with team.tx() as tx:
        row = _load(tx, lead_id)
        hist = tx.query("SELECT at, actor, field, from_value, to_value FROM pipeline_history WHERE lead_id = ? "
                        "ORDER BY id", [row["id"]]) if history else None
        version = _version(tx, row["id"])
    out = _present(row) | {"version": version}  # what a change based on this read sends back (``update``)
    if history:
        out["history"] = hist
    return out


def list_leads(team, *, status: str | None = None, owner: str | None = None, region: str | None = None,
               segment: str | list[str] | None = None, source: str | None = None, overdue: bool = False,
               enterprise_id: int | None = None, today: _dt.date | None = None) -> list[dict]:
    """Leads (newest change first) filtered by status, owner, region code (its own leads and those of the regions
    in it: a city's districts), segment (a node; a list: any of them — ``segment_nodes``, a stage and its
    children), source; ``overdue``: the
    leads ``is_overdue`` (督办) on ``today``. An owner who is no user and owns no lead is refused."""
    where, params = [], []
    if owner:
        try:
            accounts.get(team, owner)  # no such user: said as `add --owner` says it, unless a lead still has that owner
        except NotFound as exc:
            with team.tx() as tx:
                if not tx.one("SELECT id FROM pipeline_leads WHERE owner = ? LIMIT 1", [owner]):
                    # naming the owner refused: a list's form shows it beside its owner box (web/forms.py)
                    raise _no_such_owner(team, exc, text=owner) from None
    if status:
        where.append("status = ?")
        params.append(check_status(status))
    if isinstance(segment, (list, tuple)):
        where.append(f"segment IN ({', '.join('?' for _ in segment)})")
        params.extend(segment)
        segment = None
    for col, v in (("owner", owner), ("segment", segment), ("source", source), ("enterprise_id", enterprise_id)):
        if v is not None and v != "":
            where.append(f"{col} = ?")
            params.append(v)
    with team.tx() as tx:
        # each with its version (``_version``: the export carries it, and its import refuses a row changed since)
        rows = tx.query("SELECT l.*, (SELECT coalesce(max(h.id), 0) FROM pipeline_history h WHERE h.lead_id = l.id) "
                        "AS version FROM pipeline_leads l" + (" WHERE " + " AND ".join(where) if where else "")
                        + " ORDER BY updated_at DESC, id DESC", params)
    out = [_present(r, today) for r in rows if not region or lies_in(r["region_code"], region)]
    return [r for r in out if r["overdue"]] if overdue else out


def in_pipeline(team, region: str, lang: str = "zh") -> dict[int, dict]:
    """The region's own pipeline leads (not those of its districts) by enterprise: ``{id, status}``, the status in
    words — what a leads list marks as 已在招商项目 #1（已签约） (the page, ``zhaoshang leads``)."""
    names = STATUS_EN if lang == "en" else STATUS_ZH
    return {r["enterprise_id"]: {"id": r["id"], "status": names.get(r["status"], r["status"])}
            for r in list_leads(team, region=region) if r["region_code"] == region}


def history(team, lead_id: Any = None, limit: int = 500, leads: list[dict] | None = None) -> list[dict]:
    """The changes of one lead (oldest first), or the team's latest changes, each with its lead's enterprise and
    region (two leads of one enterprise, for two regions, told apart); ``leads``: the latest changes of those leads
    alone (a filtered list's, ``list_leads``), so a list and its changes are narrowed by one filter."""
    latest = ("SELECT h.id, h.lead_id, l.enterprise_name, l.region_code, l.region_name, h.at, h.actor, h.field, h.from_value, h.to_value "
              "FROM pipeline_history h JOIN pipeline_leads l ON l.id = h.lead_id")
    with team.tx() as tx:
        if lead_id is not None:
            lid = _load(tx, lead_id)["id"]
            return tx.query("SELECT h.lead_id, h.at, h.actor, h.field, h.from_value, h.to_value FROM pipeline_history h "
                            "WHERE lead_id = ? ORDER BY id", [lid])
        if leads is None:
            rows = tx.query(latest + " ORDER BY h.id DESC LIMIT ?", [int(limit)])
        else:  # the latest of each slice of the leads (a bounded number of parameters), the latest of them all kept
            ids = sorted({r["id"] for r in leads})
            rows = []
            for at in range(0, len(ids), 500):
                part = ids[at:at + 500]
                rows += tx.query(latest + f" WHERE h.lead_id IN ({', '.join('?' for _ in part)}) ORDER BY h.id DESC LIMIT ?",
                                 [*part, int(limit)])
            rows = sorted(rows, key=lambda h: h["id"], reverse=True)[:int(limit)]
    return [{k: v for k, v in h.items() if k != "id"} for h in rows]
