"""The text analysis's enterprise linking over imported news items: the enterprises their title and body name.

The mentions found in the text are stored in ``news_mentions`` with a method ``text_<how>`` (``text_short``,
``text_name``, ``text_code`` …: the linker's method), apart from the companies the file declared (methods of the
import's linking: ``name``, ``alias``, ``ambiguous``, ``declared`` when unlinked). Linking an item again replaces
its text mentions, never its declared ones: run after new enterprises are imported, the links follow the store.
Each text mention of an enterprise the file did not declare is a news event of that enterprise
(``core.importers.events.text_news_events``: one per item and enterprise, ``linked`` text with its method), so
monitoring, alert rules and digests see it as they see a declared one.
A name several enterprises share is not stored; it is counted (``ambiguous``) and its first cases are listed.
"""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from ....core.importers.events import TEXT_METHOD_PREFIX, text_news_events
from .linker import MentionLinker

__all__ = ["TEXT_METHOD_PREFIX", "link_imported_news", "link_import_text"]

_SHOWN = 20  # ambiguous mentions listed in the result (all are counted)


def link_imported_news(store, *, news_ids: list[int] | None = None, source: str | None = None,
                       linker: MentionLinker | None = None) -> dict:
    """Link the text of imported news items (``news_ids``, else those of ``source``, else every item) to the
    store's enterprises with the text analysis's linker; replace their text mentions in one transaction.

    Returns ``{"items", "items_linked", "mentions", "enterprises", "by_method", "ambiguous", "ambiguous_examples",
    "items_declared_linked", "items_linked_any"}``: the items read, those with a text link, the text mentions
    stored, the distinct enterprises, their count by method, the ambiguous mentions (not stored) with their first
    cases, the items with a linked declared company and those with either."""
    where, params = "TRUE", []
    if news_ids is not None:
        where, params = "id IN (SELECT unnest(?))", [list(news_ids)]
    elif source is not None:
        where, params = "source = ?", [source]
    items = store.con.execute(f"SELECT id, coalesce(title, ''), coalesce(body, '') FROM news WHERE {where} ORDER BY id",
                              params).fetchall()
    linker = linker or MentionLinker.from_store(store)
    ids, eids, mentions, methods = [], [], [], []
    ambiguous, examples = 0, []
    for nid, title, body in items:
        seen: set[int] = set()
        for text in (title, body):
            res = linker.link(text)
            for m in res.linked:
                if m.enterprise_id in seen:
                    continue
                seen.add(m.enterprise_id)
                ids.append(nid)
                eids.append(m.enterprise_id)
                mentions.append(m.mention)
                methods.append(TEXT_METHOD_PREFIX + m.method)
            for m in res.ambiguous:
                ambiguous += 1
                if len(examples) < _SHOWN:
                    examples.append({"news_id": nid, "mention": m.mention, "candidates": m.candidates})
    tbl = pa.table({"news_id": pa.array(ids, pa.int64()), "enterprise_id": pa.array(eids, pa.int64()),
                    "mention": pa.array(mentions, pa.string()), "method": pa.array(methods, pa.string())})
    with store.transaction() as con:
        con.register("_text_mentions", tbl)
        con.execute(f"DELETE FROM news_mentions WHERE starts_with(coalesce(method, ''), '{TEXT_METHOD_PREFIX}') "
                    f"AND news_id IN (SELECT id FROM news WHERE {where})", params)
        con.execute("INSERT INTO news_mentions SELECT news_id, enterprise_id, mention, method FROM _text_mentions")
        con.unregister("_text_mentions")
        events = text_news_events(con, f"n.id IN (SELECT id FROM news WHERE {where})", params)
        declared, either = con.execute(
            f"""SELECT count(DISTINCT news_id) FILTER (WHERE NOT starts_with(coalesce(method, ''), '{TEXT_METHOD_PREFIX}')),
                       count(DISTINCT news_id)
                FROM news_mentions WHERE enterprise_id IS NOT NULL AND news_id IN (SELECT id FROM news WHERE {where})""",
            params).fetchone()
    return {"items": len(items), "items_linked": len(set(ids)), "mentions": len(ids), "enterprises": len(set(eids)),
            "by_method": dict(Counter(methods).most_common()), "ambiguous": ambiguous,
            "ambiguous_examples": examples, "items_declared_linked": declared, "items_linked_any": either,
            "events": events}


def link_import_text(store, kind: str, import_id: int) -> dict:
    """The text linking of one import's news items (the CLI's ``import news --link-text``, the 数据更新 page's
    option): ``link_imported_news`` over the items that import wrote. Refused for another kind."""
    from ....core.errors import UserError

    if kind != "news":
        raise UserError("正文关联企业（--link-text）只用于新闻导入", en="--link-text (linking the text) is for news imports only")
    ids = [r[0] for r in store.con.execute("SELECT id FROM news WHERE import_id = ?", [import_id]).fetchall()]
    return link_imported_news(store, news_ids=ids)
