"""News feeds: the feeds file (YAML), fetching (conditional GET, timeouts), parsing (RSS/Atom by feedparser, JSON
Feed), and the schedule the server runs. What happens to the items (near-duplicate merge, linking, event type,
sentiment, events) is ``news.py``.

A bad feed — unreachable, timing out, an HTTP error, unparseable — is reported with its error and recorded in its
state; the other feeds run on. Per-feed state (``monitor_feeds`` in the team state: ETag, Last-Modified, last
run and result, next run) makes a restarted server resume the schedule where it stopped.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any, Callable, ContextManager

from ...core.config import ConfigFile
from ...core.errors import UserError
from ...core.parse.dates import china_day_ex
from ...core.teamstate.clock import now

log = logging.getLogger("zhaoshang.monitor")

DEFAULT_INTERVAL = 900       # seconds between runs in the server
DEFAULT_TIMEOUT = 10.0       # seconds per request
MAX_BYTES = 5 * 1024 * 1024  # a feed larger than this is refused
USER_AGENT = "zhaoshang-monitor/1 (+feeds)"


@dataclass
class Feed:
    name: str
    url: str                 # http(s) URL or a local file path
    timeout: float = DEFAULT_TIMEOUT

    @property
    def is_local(self) -> bool:
        return not self.url.lower().startswith(("http://", "https://"))


@dataclass
class FeedsConfig:
    feeds: list[Feed]
    interval: float = DEFAULT_INTERVAL
    timeout: float = DEFAULT_TIMEOUT
    path: str | None = None


@dataclass
class Fetched:
    """One feed's answer: the items (empty on 304), the HTTP status, new validators, or the error."""

    feed: Feed
    items: list[dict] = field(default_factory=list)
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        return "error" if self.error else "not_modified" if self.http_status == 304 else "ok"


def load_feeds(path: str | Path) -> FeedsConfig:
    """Read a feeds file: ``interval`` (seconds), ``timeout`` (seconds), ``feeds`` (list of ``{name, url}``; a
    ``url`` without a scheme is a file, relative to the YAML's folder)."""
    f = ConfigFile.read(path, "新闻源配置文件", "feeds file")
    interval = f.number("interval", lo=10, hi=7 * 86400, default=DEFAULT_INTERVAL)
    timeout = f.number("timeout", lo=0.1, hi=300, default=DEFAULT_TIMEOUT)
    feeds, names = [], set()
    for i, item in enumerate(f.items("feeds", nonempty=True)):
        where = f"feeds[{i}]"
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, dict) or not str(item.get("url") or "").strip():
            raise f.error(f"{where}.url", "缺失", "is missing")
        url = str(item["url"]).strip()
        if not url.lower().startswith(("http://", "https://")) and not Path(url).is_absolute():
            url = str((f.path.parent / url).resolve())
        name = str(item.get("name") or url).strip()
        if name in names:
            raise f.error(f"{where}.name", f"重复: {name}", f"is a duplicate: {name}")
        names.add(name)
        feeds.append(Feed(name, url, f.number(f"{where}.timeout", item.get("timeout", timeout), lo=0.1, hi=300)))
    return FeedsConfig(feeds, interval, timeout, str(f.path))


def one_feed(url_or_file: str, timeout: float = DEFAULT_TIMEOUT) -> FeedsConfig:
    """``--feed URL_OR_FILE``: one feed named by itself."""
    s = str(url_or_file).strip()
    if not s.lower().startswith(("http://", "https://")):
        if not Path(s).is_file():
            raise UserError(f"找不到新闻源文件: {s}", en=f"feed file not found: {s}")
        s = str(Path(s).resolve())
    return FeedsConfig([Feed(s, s, timeout)], DEFAULT_INTERVAL, timeout)


# ------------------------------------------------------------------------------------------- fetch and parse
def fetch(feed: Feed, state: dict | None = None, client=None) -> Fetched:
    """Fetch and parse one feed; never raises for the feed's own faults (they are the ``error``)."""
    state = state or {}
    out = Fetched(feed)
    try:
        if feed.is_local:
            data, ctype = Path(feed.url).read_bytes()[:MAX_BYTES + 1], ""
        else:
            import httpx

            headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, "
                       "application/feed+json, application/json, application/xml;q=0.9, */*;q=0.5"}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
            own = client is None
            client = client or httpx.Client(follow_redirects=True, max_redirects=5)
            try:
                r = client.get(feed.url, headers=headers, timeout=feed.timeout)
            finally:
                if own:
                    client.close()
            out.http_status = r.status_code
            out.etag = r.headers.get("etag") or state.get("etag")
            out.last_modified = r.headers.get("last-modified") or state.get("last_modified")
            if r.status_code == 304:
                return out
            if r.status_code >= 400:
                out.error = f"HTTP {r.status_code}"
                return out
            data, ctype = r.content[:MAX_BYTES + 1], r.headers.get("content-type", "")
        if len(data) > MAX_BYTES:
            out.error = f"过大（超过 {MAX_BYTES // 1024 // 1024} MB）"
            return out
        out.items = parse_feed(data, ctype)
    except Exception as exc:  # timeouts, refused connections, unreadable files, unparseable documents
        out.error = _reason(exc)
    return out


class FeedError(ValueError):
    """A feed's document that cannot be read, said in the product's words (no exception class shown)."""


def _reason(exc: Exception) -> str:
    name = type(exc).__name__
    if isinstance(exc, FeedError):
        return str(exc)[:300]
    if "Timeout" in name:
        return f"超时 (timeout: {name})"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{name}: {text}"[:300] if text else name


def parse_feed(data: bytes, content_type: str = "") -> list[dict]:
    """Items of an RSS/Atom document (feedparser) or a JSON Feed: ``{guid, title, body, url, published}``."""
    head = data.lstrip()[:1]
    if "json" in content_type.lower() or head in (b"{", b"["):
        return _json_feed(data)
    import feedparser

    parsed = feedparser.parse(data)
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"无法解析的新闻源 (unparseable feed: {type(parsed.bozo_exception).__name__})")
    if not parsed.get("version") and not parsed.entries:  # a well-formed HTML page (a portal, a login page) or other XML
        what = "HTML 页面" if "html" in content_type.lower() or b"<html" in data[:2048].lower() else "其他文档"
        raise FeedError(f"不是新闻源：收到{what}，不是 RSS、Atom 或 JSON Feed (not a feed: "
                        f"{'an HTML page' if what.startswith('HTML') else 'another document'}, not RSS, Atom or JSON Feed)")
    items = []
    for e in parsed.entries:
        body = ""
        if e.get("content"):
            body = " ".join(c.get("value", "") for c in e["content"])
        body = body or e.get("summary", "") or e.get("description", "")
        # the raw text feedparser keeps (RSS pubDate, Atom published/updated, dc:date), read by the one date parser
        items.append(_item(e.get("id") or e.get("link"), e.get("title"), body, e.get("link"),
                           item_day(e.get("published") or e.get("updated"))))
    return [i for i in items if i["title"]]


def _json_feed(data: bytes) -> list[dict]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"无法解析的 JSON 新闻源 (unparseable JSON feed: {exc})") from exc
    entries = doc.get("items") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise FeedError("JSON 新闻源缺少 items 列表 (JSON feed without items)")
    items = []
    for e in entries:
        if not isinstance(e, dict):
            continue
        body = e.get("content_text") or e.get("content_html") or e.get("summary") or ""
        items.append(_item(e.get("id") or e.get("url"), e.get("title"), body, e.get("url") or e.get("external_url"),
                           item_day(e.get("date_published") or e.get("date_modified"))))
    return [i for i in items if i["title"]]


def item_day(value) -> _dt.date | None:
    """An item's publication day in China (``core.parse.dates.china_day_ex``: a time with its zone converted, one
    without a zone China's time), for RSS, Atom and JSON Feed alike. A date that cannot be read, or that names no day
    (a month, a year), leaves the item undated — never a guessed day; one bad item never rejects the feed."""
    if not value or not isinstance(value, str):
        return None
    try:
        day, precision = china_day_ex(value)
    except ValueError:
        return None
    return day if precision == "day" else None


def _item(guid, title, body, url, published) -> dict:
    import html
    import re

    def clean(s: Any) -> str:
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(s or "")))).strip()

    return {"guid": str(guid or url or title or "")[:500], "title": clean(title)[:500], "body": clean(body)[:20_000],
            "url": str(url)[:2000] if url and re.match(r"https?://\S+$", str(url), re.I) else None,
            "published": published}


# ------------------------------------------------------------------------------------------- feed state
def get_state(team, name: str) -> dict:
    with team.tx() as tx:
        return tx.one("SELECT * FROM monitor_feeds WHERE name = ?", [name]) or {}


def feed_states(team, user: Any = None) -> list[dict]:
    """Each feed's state, as ``user`` may see it (``hide_paths``)."""
    with team.tx() as tx:
        return hide_paths(tx.query("SELECT * FROM monitor_feeds ORDER BY name"), user)


PATH_KEYS = frozenset({"url", "name", "feed", "source"})  # where a feed read from a file names it
NOTE_KEYS = frozenset({"note"})  # an evidence note: its source, record key and URL joined by " · "


def hide_paths(doc: Any, user: Any) -> Any:
    """``doc`` (feed states, news items, events) as ``user`` may see it: for a role without ``data_update`` (a
    viewer) a feed read from a file on the server shows as its file name — in its address, its name (``monitor run
    --feed FILE`` names it by its path), a news item's sources, an event's source and an alert's evidence note
    (``source · key · URL``) — never the server's path; http(s) addresses are shown whole."""
    if user is None or user.can("data_update"):
        return doc
    if isinstance(doc, list):
        return [hide_paths(v, user) for v in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: shown_url(v) if k in PATH_KEYS else _shown_note(v) if k in NOTE_KEYS else hide_paths(v, user)
            for k, v in doc.items()}


def _shown_note(note: Any) -> Any:
    """An evidence note (``source · key · URL``) with a local file path among its parts as its file name."""
    if not isinstance(note, str):
        return note
    return " · ".join(shown_url(part) for part in note.split(" · "))


def feed_words(team) -> dict[str, str]:
    """Each registered feed's name and address → the words a reader is told its items came from: the feed's name;
    for a feed named by its own address (``monitor run --feed``) that address's host, or the file's name — never a
    path on the server."""
    out: dict[str, str] = {}
    for f in feed_states(team):
        name = str(f.get("name") or "")
        words = (urlsplit(name).hostname or name) if name.lower().startswith(("http://", "https://")) else shown_url(name)
        out.update({k: words for k in (name, f.get("url")) if k})
    return out


def notes_in_words(doc: Any, words: dict[str, str]) -> Any:
    """``doc`` (alerts, their explanations) with each evidence note (``source · key · URL``) telling its source in
    words (``feed_words``): a part naming a registered feed by its name or address as the feed's words, any other
    local path as its file name, the rest (an import's source and key, an article's http address) as it is."""
    if isinstance(doc, list):
        return [notes_in_words(v, words) for v in doc]
    if not isinstance(doc, dict):
        return doc

    def said(note: str) -> str:
        parts: list[str] = []
        for p in note.split(" · "):
            w = words.get(p) or shown_url(p)
            if w not in parts:
                parts.append(w)
        return " · ".join(parts)
    return {k: said(v) if k in NOTE_KEYS and isinstance(v, str) else notes_in_words(v, words) for k, v in doc.items()}


def shown_url(url: Any) -> Any:
    """A local file path (absolute, or a ``file:`` URL) as its file name; anything else as it is."""
    if not isinstance(url, str) or not (url.startswith(("/", "\\", "file:")) or re.match(r"[A-Za-z]:[\\/]", url)):
        return url
    return url.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def save_state(team, f: Fetched, items_new: int, next_run: str | None) -> None:
    at = now()
    with team.tx(exclusive=True) as tx:
        old = tx.one("SELECT * FROM monitor_feeds WHERE name = ?", [f.feed.name])
        row = {"name": f.feed.name, "url": f.feed.url,
               "etag": f.etag if not f.error else (old or {}).get("etag"),
               "last_modified": f.last_modified if not f.error else (old or {}).get("last_modified"),
               "last_run": at, "last_ok": at if not f.error else (old or {}).get("last_ok"),
               "last_status": f.status, "last_error": f.error, "items_new": items_new,
               "items_total": int((old or {}).get("items_total") or 0) + items_new, "next_run": next_run}
        tx.execute("DELETE FROM monitor_feeds WHERE name = ?", [f.feed.name])
        tx.execute(f"INSERT INTO monitor_feeds ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))


# ------------------------------------------------------------------------------------------- schedule
class FeedSchedule:
    """The server's background monitor: runs every feed of the file every ``interval`` seconds. On start it waits
    until the earliest ``next_run`` recorded by the previous server (a restart resumes the schedule; an overdue run
    starts at once)."""

    def __init__(self, config: FeedsConfig, store_scope: Callable[[], ContextManager], team,
                 run: Callable[..., Any]):
        self.config, self.store_scope, self.team, self.run = config, store_scope, team, run
        self._stop = threading.Event()
        self._worker = None
        self.runs = 0

    def start(self) -> None:
        from ...core import background

        self._worker = background.start_on(self.store_scope, "zhaoshang-feeds", self._loop, stopping=self._stop)

    def stop(self) -> None:
        self._stop.set()
        if self._worker:
            self._worker.stop()

    def due_in(self) -> float:
        """Seconds until the next run recorded in the team state (0: run now)."""
        from ...core.teamstate.clock import parse

        nexts = [s.get("next_run") for s in feed_states(self.team) if s["name"] in {f.name for f in self.config.feeds}]
        if len(nexts) < len(self.config.feeds) or not all(nexts):
            return 0.0
        return max(0.0, (parse(min(nexts)) - _dt.datetime.now(_dt.timezone.utc)).total_seconds())

    def _loop(self) -> None:
        wait = self.due_in()
        while not self._stop.wait(wait):
            started = time.monotonic()
            try:
                with self.store_scope() as store:
                    self.run(store, self.team, self.config, scheduled=True)
                self.runs += 1
            except Exception as exc:  # keep the schedule alive
                if self._stop.is_set():  # interrupted by the shutdown
                    break
                log.warning("feed schedule: %s", _reason(exc))
            wait = max(0.0, self.config.interval - (time.monotonic() - started))
