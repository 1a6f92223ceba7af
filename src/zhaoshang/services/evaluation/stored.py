"""Stored scores (the ``scores`` table written by ``score all``) as lists read them: which batch a list as of a
date shows — the latest stored on or before that date, unless an older scoring rule made it — and the join that
sorts and filters by it."""

from __future__ import annotations

import datetime as _dt

from ...core.asof import generation_memo
from ...core.errors import UserError
from ...core.parse.dates import china_time_text, utc_text


def stored_as_of(store, d: _dt.date) -> _dt.date | None:
    """The as-of date of the latest stored batch on or before ``d`` (None when nothing is stored)."""
    def look() -> _dt.date | None:
        has = store.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'scores'").fetchone()[0]
        if not has:
            return None
        return store.con.execute("SELECT max(as_of) FROM scores WHERE as_of <= ?", [d]).fetchone()[0]

    return generation_memo(store, ("scores_as_of", d), look)  # once per served generation


def shown_as_of(store, d: _dt.date) -> _dt.date | None:
    """The as-of date of the batch a list as of ``d`` shows: the latest stored on or before ``d`` when this version's
    scoring rule made it (``cohorts.batch_rule``); None when nothing is stored, or the latest batch was made by another
    rule — its totals are then not shown as current anywhere (list, sort, score filter, export), and the list says
    why (``batch_info``)."""
    from .cohorts import batch_rule

    sd = stored_as_of(store, d)
    return sd if sd is not None and batch_rule(store, sd)["current"] else None


def score_join(store, d: _dt.date, *, needed: bool, score_min=None, score_max=None) -> tuple[str, list, list, list, _dt.date | None]:
    """(LEFT JOIN sql, its params, WHERE conditions, their params, the batch's as-of) for a list as of ``d``
    sorted or filtered by the stored total (``sc.total``). With no batch shown by then (none stored, or one of an
    older scoring rule: ``shown_as_of``) every score is missing: the sort falls back to the id and a score bound keeps
    nobody (the list says no batch is stored, or why the stored one is not shown)."""
    sd = shown_as_of(store, d)
    bounds = {k: v for k, v in (("score_min", score_min), ("score_max", score_max)) if v not in (None, "")}
    if not needed and not bounds:
        return "", [], [], [], sd
    where, params = [], []
    for k, v in bounds.items():
        try:
            x = float(v)
        except (TypeError, ValueError):
            raise UserError(f"{k} 必须是 0–100 的数字: {v}", f"{k} must be a number from 0 to 100: {v}")
        if not 0 <= x <= 100:
            raise UserError(f"{k} 必须是 0–100 的数字: {v}", f"{k} must be a number from 0 to 100: {v}")
        where.append("sc.total >= ?" if k == "score_min" else "sc.total <= ?")
        params.append(x)
    if len(params) == 2 and params[0] > params[1]:  # two ends the user gave contradict each other: no silent empty list
        raise UserError(f"评分下限 {params[0]:g} 高于上限 {params[1]:g}",
                        f"lowest score {params[0]:g} is above highest score {params[1]:g}",
                        pair=("score_min", "score_max"))
    if sd is None:
        return ("LEFT JOIN (SELECT NULL::BIGINT AS enterprise_id, NULL::DOUBLE AS total, NULL::DOUBLE AS confidence "
                "WHERE FALSE) sc ON sc.enterprise_id = e.id", [], where, params, None)
    return ("LEFT JOIN (SELECT enterprise_id, total, confidence FROM scores WHERE as_of = ?) sc ON sc.enterprise_id = e.id",
            [sd], where, params, sd)


def stored_totals(store, ids: list[int], sd: _dt.date | None) -> dict[int, tuple]:
    """{enterprise id: (total, confidence)} of the batch ``sd`` for these enterprises."""
    if sd is None or not ids:
        return {}
    return {r[0]: (r[1], r[2]) for r in store.con.execute(
        "SELECT enterprise_id, total, confidence FROM scores WHERE as_of = ? AND enterprise_id IN (SELECT unnest(?::BIGINT[]))",
        [sd, ids]).fetchall()}


def batch_info(store, sd: _dt.date | None) -> dict | None:
    """The latest stored batch of a list (``stored_as_of``): its date, when it was made, the scoring rule that made
    it (``rule``: cohorts.batch_rule; ``shown``: False for another rule than this version's — its scores are not
    shown) and whether the data changed after it (cohorts.batch_state) — then the list's scores are from before the
    latest change; either is said (``note``: zh, en)."""
    if sd is None:
        return None
    from .cohorts import batch_rule, batch_state

    def look() -> dict:
        made = store.con.execute("SELECT max(scored_at) FROM scores WHERE as_of = ?", [sd]).fetchone()[0]
        rule = batch_rule(store, sd)
        return {"as_of": sd.isoformat(), "scored_at": utc_text(made),
                "rule": rule, "shown": rule["current"], **batch_state(store, sd)}

    info = dict(generation_memo(store, ("score_batch", sd), look))
    info["note"] = {lang: stale_note(info, lang) for lang in ("zh", "en")}
    return info


WHAT = {"import": ("导入", "an import"), "placements": ("产业链归类或人工归类决定", "a classification or placement decision"),
        "data": ("数据更新", "a data update")}


def stale_note(info: dict, lang: str = "zh") -> str | None:
    """What a list says of a batch made by an older scoring rule (not shown), or before the latest change of the data
    (None while the batch is current)."""
    rule = info.get("rule") or {}
    info = {**info, "scored_at": china_time_text(info.get("scored_at"))}  # as people read a time: China's, zone said
    if rule and not rule["current"]:
        made = rule["stored"] or ("version not recorded" if lang == "en" else "未记录版本")
        return (f"The stored scores as of {info['as_of']} (made {info['scored_at']}) were made by an older scoring rule "
                f"({made}; this version's rule: {rule['version']}): they are not shown. Run zhaoshang score all --as-of "
                f"{info['as_of']} again to score by the current rule." if lang == "en" else
                f"{info['as_of']} 的存储评分（{info['scored_at']} 生成）由旧版评分规则（{made}；当前规则：{rule['version']}）"
                f"计算，不再显示。请重新运行 zhaoshang score all --as-of {info['as_of']}，按当前规则评分。")
    if info.get("stale") is None:
        return ("this batch was stored without its data state: whether the data changed since is unknown (run score "
                f"all --as-of {info['as_of']} again)" if lang == "en" else
                f"该批次未记录数据状态，无法判断此后数据是否变化（请重新运行 zhaoshang score all --as-of {info['as_of']}）")
    if not info["stale"]:
        return None
    i = 1 if lang == "en" else 0
    what = ("、" if not i else ", ").join(WHAT[c][i] for c in info["changes"])
    imp = info.get("last_import")
    if imp:
        what += (f" (latest: #{imp['id']} {imp['kind']} from {imp['source']})" if i else
                 f"（最近一次：#{imp['id']} {imp['kind']}，来源 {imp['source']}）")
    if i:
        return (f"Scores are from the batch of {info['as_of']} made {info['scored_at']}, before the latest change "
                f"({what}): the profile ranks on the current data and may differ. Run zhaoshang score all --as-of "
                f"{info['as_of']} to refresh them.")
    return (f"评分来自 {info['scored_at']} 生成的 {info['as_of']} 存储批次，早于最近的数据变化（{what}）："
            f"企业画像按当前数据计算，可能不同。请重新运行 zhaoshang score all --as-of {info['as_of']}。")
