"""Alert rules (预警规则) of each user: what to watch (enterprises, pipeline targets, regions, chain nodes or the
gaps of a region), which event types, which thresholds, and where to deliver.

A rule is data — the same dict whether it was made on the 预警规则 page, by ``zhaoshang alerts rules add`` or
read from YAML — validated here once and kept in the team state (``alert_rules``). References typed by a user
(regions, enterprises) are resolved when the rule is saved, so evaluation never guesses.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import yaml

from ...core.config import parse_yaml
from ...core.parse.amounts import parse_user_amount
from ...core.errors import NotFound, UserError
from ...core.event_titles import money_en
from ...core.geo.lookup import resolve_region
from ...core.geo.readings import kept
from ...core.teamstate.clock import now
from ...core.writers import list_joiner
from ..enterprises import resolve_enterprise
from ..monitoring.events import check_types, type_code
from ..regions.nodes import chain_node, default_chain, node_not_found
from ..team import accounts, audit, roles


CHANNELS = ("app", "email", "webhook")
TARGETS = ("pipeline",)
#: the keys of a rule, in the order they are shown and exported
KEYS = ("name", "name_en", "types", "enterprises", "targets", "regions", "nodes", "gaps_of", "min_amount_wan", "max_sentiment",
        "min_sentiment", "channels", "enabled")
LOCAL = "local"  # the single user of a local-only server


def as_list(v: Any) -> list:
    """A list from a list, one value, or text separated by commas or 、 (form fields, CLI options, YAML)."""
    if v is None or v == "":
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if isinstance(v, (list, tuple)):
        return [x for x in v if x is not None and str(x).strip() != ""]
    return [v]


#: the thresholds as the 预警规则 form and ``alerts rules add`` name them, for the messages that refuse one (the
#: minimum amount's: ``core.parse.amounts.AMOUNT_LABELS``)
LABELS = {"max_sentiment": ("情感上限", "the maximum sentiment"),
          "min_sentiment": ("情感下限", "the minimum sentiment")}


def _number(v: Any, key: str) -> float | None:
    if v is None or v == "":
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        zh, en = LABELS[key]
        raise UserError(f"{zh}应为数字: {v}", en=f"{en} must be a number: {v}") from None


def _plain(v: float) -> str:
    """A number as typed back in an error (never in e-notation: 99999999999, -5, 0.5)."""
    return format(int(v), "d") if v == v and abs(v) < 1e16 and v.is_integer() else repr(v).replace("e+", "e")


def check_owner(team, owner: Any) -> str:
    """The user a rule belongs to: a team user's name, or ``local`` (the single user of a local server)."""
    name = getattr(owner, "name", None) or (str(owner).strip() if owner else LOCAL)
    if name != LOCAL and not name.startswith("cli:"):
        accounts.get(team, name)
    return name


def check_rule_owner(team, owner: Any) -> str:
    """The user a rule is saved for (``check_owner``), refused when a team user whose role cannot change the team's
    records (a viewer: ``team_write``, docs/security.md) — the rule could never be changed or removed by its owner,
    as a viewer cannot own a lead of the pipeline."""
    return _check_writer(team, owner, "不能添加或删除预警规则，不能拥有规则",
                         "who cannot add or remove alert rules, so cannot own one")


def check_channels_owner(team, owner: Any) -> str:
    """The user whose delivery channels are set (``check_owner``), refused, as a rule's owner is
    (``check_rule_owner``), when a team user whose role cannot change the team's records (a viewer: ``team_write``)
    — the page and the API refuse a viewer's change before it gets here, the command line's ``--user`` here.
    Reading a viewer's channels stays open (``channels``)."""
    return _check_writer(team, owner, "不能设置推送渠道", "who cannot change delivery channels")


def _check_writer(team, owner: Any, zh: str, en: str) -> str:
    """The one role check of the alerts' owners: ``owner`` (``check_owner``) when the local user, the command line's
    operator or a team user whose role has ``team_write``; else refused in Chinese and English, ``zh`` / ``en``
    saying what a read-only user cannot do."""
    who = check_owner(team, owner)
    if who != LOCAL and not who.startswith("cli:"):
        acc = accounts.get(team, who)
        if not acc.writes():
            raise UserError(f"{acc.name} 是只读用户（{acc.role}），{zh}", f"{acc.name} is a read-only user ({acc.role}) {en}")
    return who


def owner_user(team, owner: str) -> Any:
    """Whom ``owner``'s deliveries (the digest, webhooks) are made for, by the role the team state gives the owner:
    a team user's account (no permission at all when it is disabled or gone); the local user and the command line's
    operator (``cli:…``) with every right, as they have on a local server and the command line."""
    if owner == LOCAL or str(owner).startswith("cli:"):
        return roles.LOCAL_USER
    try:
        acc = accounts.get(team, owner)
    except NotFound:
        acc = None
    if acc is None or acc.disabled:
        return roles.User(None, str(owner), "", via="delivery", permissions=frozenset())
    return acc.user(via="delivery")


def _record(team, owner: Any, action: str, target: str, detail: dict) -> None:
    """An act on a rule or a channel in the audit log (``audit.acting``): the user of a page or the API (a user
    object) for itself; an owner named as text (the command line's --user, ``local`` without it) is acted for by the
    command line's operator, on the owner's behalf (``on_behalf_of``), as every command's entry says."""
    by, behalf = audit.acting(owner)
    audit.record(team, by, action, target, detail | behalf)


def normalise(store, spec: dict) -> dict:
    """A rule as stored: known keys only, references resolved (regions → codes, enterprises → ids and names),
    thresholds as numbers. A rule must narrow something: an empty rule would alert on every event."""
    if not isinstance(spec, dict):
        raise UserError("规则应为键值对（name、types、regions …）", en="a rule is a mapping (name, types, regions …)")
    unknown = sorted(set(spec) - set(KEYS) - {"id", "owner"})
    if unknown:
        raise UserError(f"规则中有未知的键: {', '.join(unknown)}（可用: {', '.join(KEYS)}）",
                        en=f"unknown rule keys: {', '.join(unknown)} (known: {', '.join(KEYS)})")
    # every field checked on its own: a form given several values it cannot take says each at once (``refused``)
    refused: dict[str, UserError] = {}
    out: dict[str, Any] = {}

    def check(key: str, read: Callable[[], Any], default: Any = None) -> Any:
        try:
            return read()
        except UserError as exc:
            refused.setdefault(key, exc)
            return default

    out["name"] = name = check("name", lambda: _name(spec))
    out["name_en"] = check("name_en", lambda: _name_en(spec))
    # stored as codes (人事变动 → personnel, 融资 → funding), so a page labels them in its language; a misspelt type is
    # refused rather than stored as a rule that never fires
    out["types"] = check("types", lambda: check_types(as_list(spec.get("types"))), [])
    out["enterprises"] = check("enterprises", lambda: _enterprises(store, spec), [])
    out["targets"] = check("targets", lambda: _targets(spec), [])
    out["regions"] = check("regions", lambda: _regions(store, spec), [])
    out["nodes"] = check("nodes", lambda: _nodes(store, spec), [])
    out["gaps_of"] = check("gaps_of", lambda: _gaps_of(store, spec))
    # read by the one reader of typed amounts: 1亿 = 10000; below 0 or beyond 100 万亿元 refused as typed (1e30, 5000万亿)
    out["min_amount_wan"] = check("min_amount_wan", lambda: parse_user_amount(spec.get("min_amount_wan"), "min_amount_wan"))
    for k in ("max_sentiment", "min_sentiment"):
        out[k] = check(k, lambda k=k: _sentiment(spec, k))
    lo, hi = out["min_sentiment"], out["max_sentiment"]
    if lo is not None and hi is not None and lo > hi:  # no event could ever match: refused, not stored
        refused.setdefault("min_sentiment", UserError(
            f"情感下限（{_plain(lo)}）高于情感上限（{_plain(hi)}）：这条规则永远不会触发",
            en=f"the minimum sentiment ({_plain(lo)}) is above the maximum sentiment ({_plain(hi)}): "
               "the rule could never fire"))
    out["channels"] = check("channels", lambda: _channels(spec), ["app"])
    if refused:  # the first, as one line; the page says the others beside their boxes
        first = next(iter(refused.values()))
        first.refused = refused
        raise first
    enabled = spec.get("enabled", True)
    out["enabled"] = enabled if isinstance(enabled, bool) else str(enabled).strip().lower() not in ("0", "false", "no", "否")
    if not any(out[k] for k in ("types", "enterprises", "targets", "regions", "nodes", "gaps_of")):
        # in the words of the form, with the YAML keys beside (the same check serves the page, the CLI and a file)
        raise UserError(f"规则“{name}”没有任何条件：事件类型、关注企业、招商项目目标、地区、产业链环节、补链地区至少填一项"
                        "（YAML: types、enterprises、targets、regions、nodes、gaps_of）",
                        en=f"rule {name!r} has no condition: give at least one of event types, enterprises, pipeline "
                           "targets, regions, chain nodes or a region's gaps (YAML: types, enterprises, targets, regions, "
                           "nodes, gaps_of)")
    return out


def _name(spec: dict) -> str:
    name = str(spec.get("name") or "").strip()
    if not name or len(name) > 100:
        raise UserError("规则须有名称（name，不超过 100 字）", en="a rule needs a name (up to 100 characters)")
    return name


def _name_en(spec: dict) -> str | None:
    name_en = str(spec.get("name_en") or "").strip() or None  # the name an English page shows (optional)
    if name_en is not None and len(name_en) > 100:
        raise UserError("英文名称（name_en）不超过 100 字", en="an English name (name_en) has up to 100 characters")
    return name_en


def _enterprises(store, spec: dict) -> list[dict]:
    ents = []
    for e in as_list(spec.get("enterprises")):
        key = e.get("id") if isinstance(e, dict) else e
        eid = resolve_enterprise(store, key)
        ents.append({"id": eid, "name": store.con.execute("SELECT name FROM enterprises WHERE id = ?", [eid]).fetchone()[0]})
    return ents


def _targets(spec: dict) -> list[str]:
    targets = [str(t).strip() for t in as_list(spec.get("targets"))]
    bad = [t for t in targets if t not in TARGETS]
    if bad:
        raise UserError(f"未知的目标集合: {', '.join(bad)}（可用: pipeline = 招商项目中的在办线索）",
                        en=f"unknown target set: {', '.join(bad)} (known: pipeline)")
    return targets


def _regions(store, spec: dict) -> list[dict]:
    regions = []
    for r in as_list(spec.get("regions")):
        ref = resolve_region(store, str(r.get("code") if isinstance(r, dict) else r), macro=False)
        regions.append({"code": ref.code, "name": ref.name})
    return regions


def _nodes(store, spec: dict) -> list[str]:
    nodes, bad = [], []
    for n in [str(n).strip() for n in as_list(spec.get("nodes"))]:
        # read by the one node lookup (m05, 计算机视觉, computer vision → M05); a name several nodes bear is refused
        try:
            code = chain_node(store, default_chain(store), n)
        except NotFound:
            code = None
        (nodes if code else bad).append(code or n)
    if len(bad) == 1:
        raise node_not_found(store, default_chain(store), bad[0])
    if bad:
        raise UserError(f"未知的产业链节点: {', '.join(bad)}", en=f"unknown chain nodes: {', '.join(bad)}")
    return list(dict.fromkeys(nodes))


def _gaps_of(store, spec: dict) -> dict | None:
    gaps = spec.get("gaps_of")
    if isinstance(gaps, dict):
        gaps = gaps.get("code")
    if gaps in (None, ""):
        return None
    ref = resolve_region(store, str(gaps), macro=False)
    return {"code": ref.code, "name": ref.name}


def _sentiment(spec: dict, k: str) -> float | None:
    v = _number(spec.get(k), k)
    if v is not None and not -1 <= v <= 1:
        zh, en = LABELS[k]
        raise UserError(f"{zh}应在 -1 到 1 之间: {_plain(v)}", en=f"{en} must lie between -1 and 1: {_plain(v)}")
    return v


def _channels(spec: dict) -> list[str]:
    channels = [str(c).strip() for c in as_list(spec.get("channels"))] or ["app"]
    bad = [c for c in channels if c not in CHANNELS]
    if bad:
        raise UserError(f"未知的推送渠道: {', '.join(bad)}（可用: {', '.join(CHANNELS)}）",
                        en=f"unknown channels: {', '.join(bad)} (known: {', '.join(CHANNELS)})")
    return channels


def region_codes(rules: list[dict]) -> set[str]:
    """The codes of the regions rules name (their regions, the region whose gaps they watch): those ``describe``
    labels."""
    return {x["code"] for r in rules for x in [*(r.get("regions") or []), *([r["gaps_of"]] if r.get("gaps_of") else [])]}


def describe(r: dict, lang: str = "zh", labels: dict | None = None, *, num: Callable[[float], str]) -> str:
    """A rule's conditions in one line of the user's language (CLI table, 预警规则 page); ``labels``: region code →
    its label in that language (the region service's ``region_labels`` of ``region_codes``: Chaoyang, Liaoning, not
    a bare Chaoyang), else its stored name; ``num``: the interfaces' one number formatting
    (``interfaces.labels.number_text``: never e-notation)."""
    en = lang == "en"
    place = lambda x: (labels or {}).get(x["code"], x["name"])  # noqa: E731
    # a list in the line's language (``list_joiner``: English never 、; "; " between labels with commas of their own)
    joined = lambda xs: list_joiner(lang, xs).join(xs)  # noqa: E731
    bits = []
    if r.get("enterprises"):
        bits.append(("enterprises " if en else "企业 ") + joined([e["name"] for e in r["enterprises"]]))
    if r.get("targets"):
        bits.append("pipeline targets" if en else "招商项目目标")
    if r.get("regions"):
        bits.append(("regions " if en else "地区 ") + joined([place(x) for x in r["regions"]]))
    if r.get("nodes"):
        bits.append(("nodes " if en else "环节 ") + joined(list(r["nodes"])))
    if r.get("gaps_of"):
        bits.append(f"gaps of {place(r['gaps_of'])}" if en else f"{place(r['gaps_of'])}的补链环节")
    if r.get("min_amount_wan") is not None:
        # in English as every English page says an amount (CNY 100 million), not in units of 万元
        bits.append(f"amount ≥ {money_en(r['min_amount_wan'] * 1e4)}" if en else f"金额 ≥ {num(r['min_amount_wan'])} 万元")
    if r.get("max_sentiment") is not None:
        bits.append(f"{'sentiment' if en else '情感'} ≤ {num(r['max_sentiment'])}")
    if r.get("min_sentiment") is not None:
        bits.append(f"{'sentiment' if en else '情感'} ≥ {num(r['min_sentiment'])}")
    if not bits:  # event types alone: every enterprise, anywhere (the cell was empty)
        bits.append("any enterprise, anywhere" if en else "全部企业、全部地区")
    return ("; " if en else "；").join(bits)


def shown_name(rule: dict, lang: str = "zh") -> str:
    """A rule's name in the UI language: its ``name_en`` on an English page where it has one."""
    return (rule.get("name_en") or rule["name"]) if lang == "en" else rule["name"]


def with_shown_names(alerts: list[dict], rules: list[dict], lang: str, field: str = "rule_shown") -> list[dict]:
    """Each alert with its rule's name in the UI language (``field``, by ``shown_name``); a removed rule's alert
    keeps the name it was raised under."""
    by_id = {r["id"]: shown_name(r, lang) for r in rules}
    return [{**a, field: by_id.get(a["rule_id"], a["rule_name"])} for a in alerts]


def _row(r: dict) -> dict:
    spec = json.loads(r["spec"])
    # a rule saved before types were stored as codes names them as typed (融资, 人事变动): read as codes
    spec["types"] = list(dict.fromkeys(type_code(t) or t for t in spec.get("types") or []))
    return {"id": r["id"], "owner": r["owner"], **spec, "enabled": bool(r["enabled"]),
            "created_at": r["created_at"], "updated_at": r["updated_at"]}


def add(store, team, spec: dict, *, owner: Any = None, replace: bool = False) -> dict:
    """Save one rule of ``owner`` (``check_rule_owner``: never a viewer's); a second rule of the same name is refused
    unless ``replace``. The answer carries how a region's name was read where other regions share it
    (``region_notes``, the region service's notes)."""
    who = check_rule_owner(team, owner)
    with kept() as read:
        rule = normalise(store, spec)
    body = json.dumps({k: rule[k] for k in KEYS if k != "enabled"}, ensure_ascii=False)
    at = now()
    with team.tx(exclusive=True) as tx:
        cur = tx.one("SELECT id FROM alert_rules WHERE owner = ? AND name = ?", [who, rule["name"]])
        if cur and not replace:
            raise UserError(f"已有同名规则: {rule['name']} (#{cur['id']})", en=f"a rule named {rule['name']!r} exists (#{cur['id']})")
        if cur:
            tx.execute("UPDATE alert_rules SET spec = ?, enabled = ?, updated_at = ? WHERE id = ?",
                       [body, int(rule["enabled"]), at, cur["id"]])
            rid = cur["id"]
        else:
            rid = int(tx.scalar("INSERT INTO alert_rules (owner, name, spec, enabled, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [who, rule["name"], body, int(rule["enabled"]), at, at]))
    _record(team, owner, "alerts.rule_add", f"alert_rule:{rid}", {"name": rule["name"], "owner": who})
    return get(team, rid) | {"region_notes": read}


def row_by_id(team, table: str, key: Any, what: tuple[str, str]) -> dict:
    """One row of ``table`` by its id as typed (``12`` or ``#12``); ``what``: its name in Chinese and English."""
    try:
        rid = int(str(key).lstrip("#"))
    except ValueError:
        raise UserError(f"{what[0]}编号应为数字: {key}", en=f"a {what[1]} id is a number: {key}") from None
    with team.tx() as tx:
        r = tx.one(f"SELECT * FROM {table} WHERE id = ?", [rid])
    if r is None:
        raise NotFound(f"没有这条{what[0]}: #{rid}", en=f"no such {what[1]}: #{rid}")
    return r


def get(team, rule_id: Any) -> dict:
    return _row(row_by_id(team, "alert_rules", rule_id, ("规则", "rule")))


def list_rules(team, owner: str | None = None, *, enabled_only: bool = False) -> list[dict]:
    where, params = [], []
    if owner:
        where.append("owner = ?")
        params.append(owner)
    if enabled_only:
        where.append("enabled = 1")
    with team.tx() as tx:
        rows = tx.query("SELECT * FROM alert_rules" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id",
                        params)
    return [_row(r) for r in rows]


def remove(team, rule_id: Any, *, owner: Any = None, admin: bool = False) -> dict:
    """Delete a rule (its alerts stay, with the rule's name, as the record of what was sent)."""
    rule = get(team, rule_id)
    who = getattr(owner, "name", None) or owner
    if who and not admin and rule["owner"] != who:
        raise UserError(f"规则 #{rule['id']} 属于 {rule['owner']}，不能删除", en=f"rule #{rule['id']} belongs to {rule['owner']}")
    with team.tx(exclusive=True) as tx:
        tx.execute("DELETE FROM alert_rules WHERE id = ?", [rule["id"]])
    _record(team, owner, "alerts.rule_remove", f"alert_rule:{rule['id']}",
                 {"name": rule["name"], "owner": rule["owner"]})
    return rule


def export_yaml(team, owner: str | None = None) -> str:
    """The rules as YAML (``rules:`` list, the format ``import_yaml`` reads back)."""
    out = []
    for r in list_rules(team, owner):
        d: dict[str, Any] = {}
        for k in KEYS:
            v = r.get(k)
            if k == "enterprises":
                v = [e["name"] for e in v]
            elif k == "regions":
                v = [x["code"] for x in v]
            elif k == "gaps_of":
                v = v["code"] if v else None
            if v not in (None, [], "") or k == "enabled":
                d[k] = v
        out.append(d)
    return yaml.safe_dump({"rules": out}, allow_unicode=True, sort_keys=False)


def import_yaml(store, team, text: str, *, owner: Any = None, replace: bool = True) -> list[dict]:
    """Read ``rules:`` from YAML; every rule is checked before any is saved (a bad one, or a name given twice,
    refuses the file, as does an owner who cannot own one: ``check_rule_owner``)."""
    check_rule_owner(team, owner)
    doc = parse_yaml(text, "预警规则文件", "alert rules file")
    items = doc.get("rules") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise UserError("YAML 中没有规则（应为 rules: 列表）", en="no rules in the YAML (expected a rules: list)")
    errors, first = [], {}
    for i, spec in enumerate(items, 1):
        try:
            name = normalise(store, spec)["name"]
        except UserError as exc:  # the rule named by its name where it has one, as a reader finds it in the file
            given = str(spec.get("name") or "").strip() if isinstance(spec, dict) else ""
            zh, en = (f"（{given}）", f" ({given!r})") if given else ("", "")
            errors.append((f"第 {i} 条{zh}: {exc}", f"rule {i}{en}: {exc.in_lang('en')}"))
            continue
        if name in first:  # the second would replace the first: said, never reported as two rules imported
            errors.append((f"第 {i} 条: 规则名称“{name}”与第 {first[name]} 条重复（一个文件中每条规则的名称须不同）",
                           f"rule {i}: the name {name!r} repeats rule {first[name]} (each rule of a file needs its own name)"))
        first.setdefault(name, i)
    if errors:
        raise UserError("；".join(z for z, _ in errors), "; ".join(e for _, e in errors))
    return [add(store, team, spec, owner=owner, replace=replace) for spec in items]


def set_channels(team, owner: Any, *, email: str | None = None, webhook_url: str | None = None,
                 webhook_secret: str | None = None, policy=None, lang: str | None = None) -> dict:
    """Where ``owner``'s e-mail digest and webhook go (a value of "" clears it). The secret is stored for
    signing and never shown again. ``policy`` (``targets.WebhookPolicy``): which webhook hosts this server may call.
    ``lang`` (zh | en), given with ``email``: the language the daily digest is written in — that of the page or
    command the address was set on. A read-only user's channels are refused (``check_channels_owner``)."""
    who = check_channels_owner(team, owner)
    cur = channels(team, who, secret=True)
    new = {"email": cur["email"] if email is None else (email.strip() or None),
           "webhook_url": cur["webhook_url"] if webhook_url is None else (webhook_url.strip() or None),
           "webhook_secret": cur["webhook_secret"] if webhook_secret is None else (webhook_secret or None)}
    if new["email"] and ("@" not in new["email"] or len(new["email"]) > 200):
        raise UserError(f"邮箱地址无效: {new['email']}", en=f"invalid e-mail address: {new['email']}")
    if new["webhook_url"] and not new["webhook_url"].startswith(("http://", "https://")):
        raise UserError(f"Webhook 地址应以 http:// 或 https:// 开头: {new['webhook_url']}",
                        en=f"a webhook URL starts with http:// or https://: {new['webhook_url']}")
    if new["webhook_url"] and policy is not None:
        policy.check(new["webhook_url"])
    with team.tx(exclusive=True) as tx:
        tx.execute("DELETE FROM alert_channels WHERE owner = ?", [who])
        tx.execute("INSERT INTO alert_channels (owner, email, webhook_url, webhook_secret, updated_at) VALUES (?, ?, ?, ?, ?)",
                   [who, new["email"], new["webhook_url"], new["webhook_secret"], now()])
        if email is not None and lang is not None:  # kept beside the digest's cursor (alert_state)
            state_set(tx, _lang_key(who), "en" if lang == "en" else "zh")
    _record(team, owner, "alerts.channels", f"user:{who}",
                 {"email": bool(new["email"]), "webhook": bool(new["webhook_url"]), "secret": bool(new["webhook_secret"])})
    return channels(team, who)


def state_get(tx, key: str, default: str | None = None) -> str | None:
    """A value of the alerts' own state (alert_state: the feed's and each digest's cursor, a digest's language)."""
    v = tx.scalar("SELECT value FROM alert_state WHERE key = ?", [key])
    return default if v is None else v


def state_set(tx, key: str, value: Any) -> None:
    tx.execute("DELETE FROM alert_state WHERE key = ?", [key])
    tx.execute("INSERT INTO alert_state (key, value) VALUES (?, ?)", [key, str(value)])


def _lang_key(owner: str) -> str:
    return f"digest_lang:{owner}"


def channels(team, owner: str, *, secret: bool = False) -> dict:
    """``owner``'s delivery addresses and the language of their digest (``lang``, zh when never set); the webhook
    secret only as whether one is set, unless ``secret``."""
    with team.tx() as tx:
        r = tx.one("SELECT email, webhook_url, webhook_secret FROM alert_channels WHERE owner = ?", [owner]) or {}
        lang = state_get(tx, _lang_key(owner))
    out = {"owner": owner, "email": r.get("email"), "webhook_url": r.get("webhook_url"),
           "webhook_secret_set": bool(r.get("webhook_secret")), "lang": lang or "zh"}
    if secret:
        out["webhook_secret"] = r.get("webhook_secret")
    return out
