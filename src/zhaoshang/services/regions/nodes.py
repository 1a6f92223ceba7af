"""The chain's nodes as the region services name them: the chain used when none is named, the node a filter names
(checked: the one node vocabulary), and the error for a node the chain does not have. Apart from the matrix (regions/matrix.py) so that the services the matrix builds on
(trends, concentration, recommend) name them without importing it."""

from __future__ import annotations

import re
from typing import Any

from ...core.asof import generation_memo
from ...core.errors import NotFound, UserError


def default_chain(store) -> str:
    """The chain to use when none is named: the one with the most placements (else with nodes)."""
    if getattr(store, "chain_default", None):
        return store.chain_default
    row = store.con.execute(
        "SELECT chain FROM placements GROUP BY chain ORDER BY count(*) DESC, chain LIMIT 1").fetchone()
    if row:
        return row[0]
    row = store.con.execute("SELECT chain FROM chain_nodes GROUP BY chain ORDER BY count(*) DESC LIMIT 1").fetchone()
    return row[0] if row else "ai"


def node_not_found(store, chain: str, node: str) -> NotFound:
    """The error for a chain node the chain does not have, naming the nodes the user may have meant: the code in
    another case or without its zero (m05, M5 → M05) or a node whose name holds the text (视觉 → M05 计算机视觉;
    an English word of three letters or more, so that ``ai`` is never read as a piece of 医疗AI)."""
    s = str(node).strip()
    m = re.fullmatch(r"([A-Za-z])0*(\d{1,2})", s)
    padded = f"{m.group(1).upper()}{int(m.group(2)):02d}" if m else None
    english = s if len(s) >= 3 else None
    rows = store.con.execute(
        "SELECT code, name_zh, coalesce(name_en, name_zh) FROM chain_nodes WHERE chain = ? AND (upper(code) = upper(?) "
        "OR code = ? OR (contains(name_zh, ?) AND NOT regexp_full_match(?, '[A-Za-z]{1,2}')) "
        "OR contains(lower(coalesce(name_en, '')), lower(?))) ORDER BY level, code "
        "LIMIT 3", [chain, s, padded, s, s, english]).fetchall() if s else []
    if not rows:
        return NotFound(f"未找到产业链环节: {s}", f"chain node not found: {s}", text=s)
    return NotFound(f"未找到产业链环节: {s}，您是不是要找：{'、'.join(f'{c} {zh}' for c, zh, _ in rows)}?",
                    f"chain node not found: {s}; did you mean {', '.join(f'{c} ({en})' for c, _, en in rows)}?", text=s)


def chain_node(store, chain: str, node: Any) -> str | None:
    """The node a filter names, checked — the one node vocabulary of every command and route that takes one (map,
    library, backtest, leads, placements): None for no node or the chain's own code (``ai``: placed anywhere on the
    chain, the map's count without a node), the node's code otherwise, read in any case (m05 is M05); an unknown
    one is refused with the nodes the user may have meant (``node_not_found``)."""
    s = str(node).strip() if node is not None else ""
    if not s or s.lower() == chain.lower():
        return None
    return check_node(store, chain, s)


def check_node(store, chain: str, node: str) -> str:
    """The chain's code for ``node`` (as written, the one code it names in another case: m05 → M05, or the node
    of that exact Chinese or English name, the English in any case: 计算机视觉, computer vision → M05); an unknown
    node is an error (404 / exit 2), never an empty answer (a served generation asks once); a name several nodes
    bear is refused naming them."""
    def known() -> str | list | None:
        if store.con.execute(
                "SELECT 1 FROM chain_nodes WHERE chain = ? AND code = ? UNION ALL "
                "SELECT 1 FROM placements WHERE chain = ? AND node_code = ? LIMIT 1",
                [chain, node, chain, node]).fetchone() is not None:
            return node
        rows = store.con.execute("SELECT DISTINCT code FROM chain_nodes WHERE chain = ? AND upper(code) = upper(?)",
                                 [chain, node]).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        named = store.con.execute(
            "SELECT code, name_zh, coalesce(name_en, name_zh) FROM chain_nodes WHERE chain = ? AND (name_zh = ? "
            "OR lower(name_en) = lower(?)) ORDER BY level, code", [chain, node.strip(), node.strip()]).fetchall()
        return named[0][0] if len(named) == 1 else [tuple(r) for r in named] or None

    code = generation_memo(store, ("node_code", chain, node), known)
    if code is None:
        raise node_not_found(store, chain, node)
    if isinstance(code, list):
        raise UserError(f"产业链环节名称有歧义：{node}，可能是 {'、'.join(f'{c} {zh}' for c, zh, _ in code)}；请给出代码",
                        f"ambiguous chain node name: {node} could be {', '.join(f'{c} ({en})' for c, _, en in code)}; "
                        "give the code")
    return code


# a database whose enterprises were imported and never placed on the chain: every count by node is 0, and the answers
# that rest on placements say why and what to run (``map``, ``chain``, the map's and the chain's pages, ``recommend``)
NOT_CLASSIFIED = ("库中企业尚未归入产业链{what}：请先运行 zhaoshang classify",
                  "no enterprise in the database is placed on the chain yet{what}: run zhaoshang classify first")


def not_classified(store, chain: str | None = None, what: tuple[str, str] = ("", "")) -> tuple[str, str] | None:
    """The note (Chinese, English) of a database with no enterprise placed on ``chain`` (the default chain), with
    ``what`` that leaves undone (``，无法计算关联度``); None once one is placed."""
    chain = chain or default_chain(store)
    if store.con.execute("SELECT count(*) FROM (SELECT 1 FROM placements WHERE chain = ? LIMIT 1)", [chain]).fetchone()[0]:
        return None
    return NOT_CLASSIFIED[0].format(what=what[0]), NOT_CLASSIFIED[1].format(what=what[1])
