"""English readers of what a source wrote in Chinese: an enterprise's tags (高新技术企业, 专精特新 …) and its funding
rounds, by their English labels in the profile page, the library and its export, and the CLI (core/tags.py,
core/event_titles.py) — on the synthetic demo built by the real ``zhaoshang demo``."""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_util import run, run_json  # noqa: E402

from zhaoshang.core.parse.rounds import ROUND_LABELS_EN  # noqa: E402
from zhaoshang.core.tags import TAG_LABELS_EN  # noqa: E402

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_copy):
    return demo_copy(tmp_path_factory.mktemp("labels") / "demo.duckdb")


@pytest.fixture(scope="module")
def served(demo):
    """One real server of the module's demo for its pages (they only read it): its base URL. A test asks for it
    once its command-line checks are done and the browser is known to be there."""
    from web_util import serving

    with serving(demo) as base:
        yield base


def _tagged_funded(db) -> int:
    """An enterprise of the demo with tags and an imported funding event."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT e.id FROM enterprises e JOIN events v ON v.enterprise_id = e.id AND v.type = 'funding' "
                           "AND v.title LIKE '融资: %轮%' WHERE len(e.tags) > 0 ORDER BY e.id LIMIT 1").fetchone()[0]
    finally:
        con.close()


def _chair_contact(db) -> tuple[int, str]:
    """An enterprise of the demo with a key contact titled 董事长, and the channel the contact was made through."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT enterprise_id, relation FROM contacts WHERE title = '董事长' AND relation IS NOT NULL "
                           "AND enterprise_id IS NOT NULL ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()


def test_every_kind_of_imported_event_is_titled_in_english(demo):
    """Each kind of title the importers write (core/importers/events.py), in English: its head translated; a funding,
    a capital or status change, a patent (by its number: a title is no name) without a Han character; the data that is
    a name (an enterprise's, a person's, an address, a news headline) as written."""
    from zhaoshang.core.event_titles import HEADS_EN

    kinds: dict[str, list] = {}
    for e in run_json("--lang", "en", "events", "--limit", "10000", db=demo)["items"]:
        if e["origin"] == "import":
            kinds.setdefault(e["type"], []).append(e)
    assert {"patent", "funding", "founded", "dissolved", "news", "branch", "subsidiary", "investment", "change_capital",
            "change_name", "change_address", "change_legal_rep"} <= set(kinds), set(kinds)
    for typ, evs in kinds.items():
        for e in evs:
            zh_head, _, zh_rest = e["title"].partition(": ")
            head, _, rest = e["title_en"].partition(": ")
            assert head == HEADS_EN[zh_head], e
            # a news item's event takes the type its label is read as (a funding news item is a funding event) and
            # keeps its headline as written
            if head != "news" and (typ in ("patent", "funding", "change_capital") or zh_head == "登记状态"):
                assert not HAN.search(e["title_en"]), e
            else:
                assert rest == zh_rest, e
    assert all(e["title_en"] == f"patent: {e['detail']['number']}" for e in kinds["patent"] if HAN.search(e["title"]))


def test_cli_profile_shows_tags_and_rounds_in_english(demo):
    eid = _tagged_funded(demo)
    out = run("--lang", "en", "show", eid, db=demo, env={"COLUMNS": "250"}).stdout
    tags_line = next(line for line in out.splitlines() if "│ Tags" in line)
    assert any(en in tags_line for en in TAG_LABELS_EN.values()) and not HAN.search(tags_line), tags_line
    timeline = out[out.index("Timeline"):]
    timeline = timeline[:timeline.index("└")]  # the timeline table alone (the sources table names fundings too)
    funding = [line for line in timeline.splitlines() if "│ funding " in line]
    assert funding and all(any(r in line for r in ROUND_LABELS_EN.values()) and "轮" not in line for line in funding), funding
    zh = run("show", eid, db=demo, env={"COLUMNS": "250"}).stdout
    assert any(t in zh for t in ("高新技术企业", "专精特新")) and "轮" in zh  # Chinese as the source wrote it


def test_profile_library_and_export_in_english_label_tags_and_funding_rounds(demo, request, chromium):
    import httpx

    from web_util import require_browser

    from zhaoshang.interfaces.labels import CONTACT_CHANNELS

    require_browser()
    eid, base = _tagged_funded(demo), request.getfixturevalue("served")
    with chromium as b:
        page = b.new_page()
        page.goto(f"{base}/enterprises/{eid}?lang=en")
        chips = page.eval_on_selector_all(".chip-tag", "els => els.map(e => e.innerText.trim())")
        assert chips and all(c in TAG_LABELS_EN.values() for c in chips), chips
        funding = page.eval_on_selector_all("#timeline li.ev-funding", "els => els.map(e => e.innerText)")
        assert funding and all(any(r in f for r in ROUND_LABELS_EN.values()) and not HAN.search(f.split("·")[0])
                               for f in funding), funding
        rounds = page.eval_on_selector_all("#fundings tr td:nth-child(2), #fundings tr td:nth-child(3)",
                                           "tds => tds.map(t => t.innerText.trim())")
        assert rounds and not [x for x in rounds if HAN.search(x)], rounds  # 2,420万 was shown in English too
        page.goto(f"{base}/enterprises?lang=en&tags=高新技术企业")  # the filter keeps the stored tag, shows its label
        assert page.inner_text("#f-tags option:checked").strip() == TAG_LABELS_EN["高新技术企业"]
        cells = page.eval_on_selector_all("#ent-table tbody tr", "trs => trs.map(t => t.innerText)")
        assert cells and all("high-tech enterprise" in c for c in cells)
        page.goto(f"{base}/enterprises/{eid}?lang=zh")
        assert any(t in page.inner_text("#main, body") for t in ("高新技术企业", "专精特新"))
        # the key contacts' titles and channels: in English the office as the people card says it (chairman)
        # and a known channel by its English words; in Chinese as the contact list wrote them
        cid, channel_zh = _chair_contact(demo)
        channel_en = CONTACT_CHANNELS[channel_zh][1]  # 产业联盟活动: industry alliance event
        for lang, title, channel in (("en", "chairman", channel_en), ("zh", "董事长", channel_zh)):
            page.goto(f"{base}/enterprises/{cid}?lang={lang}")
            rows = page.eval_on_selector_all("#contacts tbody tr", "trs => trs.map(tr => [tr.querySelector('.contact-title')"
                                             ".innerText.trim(), tr.querySelector('.contact-channel').innerText.trim()])")
            assert [title, channel] in rows, (lang, rows)
            assert lang == "zh" or not [r for r in rows if HAN.search(r[1])], rows  # the demo's channels are all known
        b.close()
    got = httpx.get(f"{base}/api/enterprises/export?format=csv&tags=专精特新", cookies={"lang": "en"}, timeout=60)
    assert got.status_code == 200, got.text
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows and all("specialised and innovative (SRDI)" in r["Tags"] and not HAN.search(r["Tags"]) for r in rows)


def _holders_and_branches(db) -> int:
    """An enterprise of the demo with shareholders of two types and branch records of two kinds or more."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("""SELECT b.parent_id FROM branches b JOIN shareholdings s ON s.enterprise_id = b.parent_id
                              GROUP BY 1 HAVING count(DISTINCT s.holder_type) >= 2
                              ORDER BY count(DISTINCT b.kind) DESC, 1 LIMIT 1""").fetchone()[0]
    finally:
        con.close()


def _column(out: str, title: str, col: int) -> list[str]:
    """The cells of column ``col`` of the table titled ``title`` in a CLI table output."""
    part = out[out.index(title):]
    part = part[:part.index("└")]
    return [line.split("│")[col].strip() for line in part.splitlines() if line.startswith("│")]


def test_shareholder_types_and_branch_kinds_read_as_words(demo, request, chromium):
    """The profile's 股东 and 分支机构 sections name a holder's type and a record's kind by their labels in both
    languages, in the CLI and on the page — in English as words, not as the stored codes (person, investor, branch …)."""
    from zhaoshang.interfaces.labels import BRANCH_KINDS, HOLDER_TYPES

    eid = _holders_and_branches(demo)
    holder_en, branch_en = {v[1] for v in HOLDER_TYPES.values()}, {v[1] for v in BRANCH_KINDS.values()}
    codes = set(HOLDER_TYPES) | set(BRANCH_KINDS)
    out = run("--lang", "en", "show", eid, db=demo, env={"COLUMNS": "250"}).stdout
    types, kinds = _column(out, "Shareholders (", 2), _column(out, "Branches and investments (", 2)
    assert len(set(types)) >= 2 and set(types) <= holder_en and not set(types) & codes, types
    assert len(set(kinds)) >= 2 and set(kinds) <= branch_en and not set(kinds) & codes, kinds
    zh = run("show", eid, db=demo, env={"COLUMNS": "250"}).stdout
    assert set(_column(zh, "股东（", 2)) <= {v[0] for v in HOLDER_TYPES.values()}
    assert set(_column(zh, "分支机构与对外投资（", 2)) <= {v[0] for v in BRANCH_KINDS.values()}

    from web_util import require_browser

    require_browser()
    base = request.getfixturevalue("served")
    with chromium as b:
        page = b.new_page()
        for lang, holders, branches in (("en", holder_en, branch_en),
                                        ("zh", {v[0] for v in HOLDER_TYPES.values()}, {v[0] for v in BRANCH_KINDS.values()})):
            page.goto(f"{base}/enterprises/{eid}?lang={lang}")
            types = page.eval_on_selector_all("#shareholders tr td:nth-child(2)", "tds => tds.map(t => t.innerText.trim())")
            kinds = page.eval_on_selector_all("#branches tr td:nth-child(2)", "tds => tds.map(t => t.innerText.trim())")
            assert len(set(types)) >= 2 and set(types) <= holders and not set(types) & codes, (lang, types)
            assert len(set(kinds)) >= 2 and set(kinds) <= branches and not set(kinds) & codes, (lang, kinds)
        b.close()


def test_a_record_where_the_enterprise_is_the_branch_or_investee_names_its_parent(demo, request, chromium):
    """Seen from the subsidiary, a subsidiary record names the parent company (母公司 / parent company), not the
    enterprise itself as an outbound investment, with the parent's region — in the CLI and on the page."""
    import duckdb

    con = duckdb.connect(str(demo), read_only=True)
    try:
        child, parent, parent_city = con.execute(
            """SELECT b.child_id, b.parent_name, p.city_code FROM branches b JOIN enterprises p ON p.id = b.parent_id
               JOIN enterprises c ON c.id = b.child_id
               WHERE b.kind = 'subsidiary' AND p.city_code <> c.city_code
                 AND b.child_id NOT IN (SELECT parent_id FROM branches) ORDER BY 1 LIMIT 1""").fetchone()
        own = con.execute("SELECT name FROM enterprises WHERE id = ?", [child]).fetchone()[0]
        # the parent's region in English: its most precise region's English name in the region table
        where_en = con.execute("SELECT r.name_en FROM branches b JOIN enterprises p ON p.id = b.parent_id JOIN regions r "
                               "ON r.code = coalesce(p.district_code, p.city_code, p.province_code) "
                               "WHERE b.child_id = ? AND b.kind = 'subsidiary'", [child]).fetchone()[0]
    finally:
        con.close()
    for lang, kind in (("en", "parent company"), ("zh", "母公司")):
        out = run("--lang", lang, "show", child, db=demo, env={"COLUMNS": "250"}).stdout
        title = "Branches and investments (" if lang == "en" else "分支机构与对外投资（"
        assert _column(out, title, 2) == [kind] and _column(out, title, 3) == [parent], out
        assert own not in _column(out, title, 3)
        if lang == "en":
            assert _column(out, title, 4) == [where_en], out
    row = run_json("show", child, db=demo)["branches"][0]
    assert row["direction"] == "in" and row["city_code"] == parent_city, row  # where the parent is

    from web_util import require_browser

    require_browser()
    base = request.getfixturevalue("served")
    with chromium as b:
        page = b.new_page()
        page.goto(f"{base}/enterprises/{child}?lang=en")
        cells = page.eval_on_selector_all("#branches tr td", "tds => tds.map(t => t.innerText.trim())")
        # the region in English as the command's table names it (it showed the stored Chinese name)
        assert cells[1] == "parent company" and cells[2] == f"← {parent}" and cells[3] == where_en, cells
        b.close()


def test_english_pages_say_a_branchs_region_an_office_and_an_alert_amount_in_english(demo, served):
    """On English pages a branch's city read 北京市 (the stored name), a person's roles on the relationship view's
    panel their titles as written (法定代表人), and an alert rule's threshold "amount ≥ 10,000 ×10k CNY": the region
    service's English name, the office as the people card says it, the amount as English pages say one."""
    import duckdb
    import httpx

    from zhaoshang.core.geo.lookup import region_labels
    from zhaoshang.interfaces.labels import role_text
    from zhaoshang.core.store import Store

    con = duckdb.connect(str(demo), read_only=True)
    try:  # an enterprise with branches in other cities, and a person with offices of a code and a title
        eid, code = con.execute("""SELECT parent_id, coalesce(district_code, city_code, province_code) FROM branches
                                   WHERE parent_id IS NOT NULL AND city_code IS NOT NULL ORDER BY 1 LIMIT 1""").fetchone()
        pid = con.execute("""SELECT person_id FROM roles WHERE person_id IS NOT NULL AND role <> 'other'
                             AND title IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchone()[0]
    finally:
        con.close()
    with Store(str(demo), read_only=True) as store:
        name_en = region_labels(store, [code], "en")[code]
    html = httpx.get(f"{served}/enterprises/{eid}?lang=en", timeout=60).text
    sec = html[html.index('id="branches"'):]
    cells = re.findall(r'<td class="muted">([^<]*)</td></tr>', sec[:sec.index("</section>")])
    assert name_en in cells and not [c for c in cells if HAN.search(c)], cells
    roles = httpx.get(f"{served}/api/graph/person/p:{pid}?lang=en", timeout=60).json()["roles"]
    assert roles and all(r["role_text"] == role_text(r["role"], r["title"], "en")
                         and not HAN.search(r["role_text"].split(" (")[0]) for r in roles), roles
    zh = httpx.get(f"{served}/api/graph/person/p:{pid}", timeout=60).json()["roles"]
    assert [r["role_text"] for r in zh] == [r["title"] for r in zh]  # in Chinese the title as written
    # a round's investors joined as English joins a list (A, B), not with 、 (the Chinese page keeps 、)
    con = duckdb.connect(str(demo), read_only=True)
    try:
        fid, fe, names = con.execute("""SELECT f.id, f.enterprise_id, list(fi.investor_name ORDER BY fi.position)
                                        FROM fundings f JOIN funding_investors fi ON fi.funding_id = f.id
                                        GROUP BY 1, 2 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1""").fetchone()
    finally:
        con.close()
    for lang, joined in (("en", ", ".join(names)), ("zh", "、".join(names))):
        row = httpx.get(f"{served}/enterprises/{fe}?lang={lang}", timeout=60).text
        row = row[row.index(f'<tr id="funding-{fid}"'):]
        assert row[:row.index("</tr>")].endswith(f"</span>{joined}</td>"), (lang, row[:800])
    rules = httpx.get(f"{served}/alerts?lang=en", timeout=60).text
    rules = rules[rules.index('id="al-rules"'):]
    assert "×10k" not in rules and re.search(r"amount ≥ CNY [\d,.]+ (million|billion|thousand)", rules), rules[:2000]


# full-width punctuation (U+3001–U+303F: 、。「」…; U+FF01–U+FF60: （）：，；！？): Chinese typography, not English (the
# ideographic space U+3000 that indents a select's options is a space, not punctuation)
FULL_WIDTH = re.compile(r"[\u3001-\u303f\uff01-\uff60]+")


def _full_width_in_english(text: str) -> list[str]:
    """Full-width punctuation between English words: a run of it with no Han character on either side (a name the
    data gives in Chinese, 杭州某某合伙企业（有限合伙）, keeps its own)."""
    out = []
    for m in FULL_WIDTH.finditer(text):
        left, right = text[:m.start()].rstrip(" \x00")[-1:], text[m.end():].lstrip(" \x00")[:1]
        if not HAN.match(left or "x") and not HAN.match(right or "x"):
            out.append(text[max(0, m.start() - 30):m.end() + 30].replace("\x00", "|"))
    return out


def test_english_labels_and_pages_use_english_punctuation(demo, request):
    """English text is written with ASCII punctuation: the label vocabulary of the pages, the CLI and the reports,
    and the English pages as served (合作网络 read "Secondary nodes（2）：")."""
    import html

    import httpx

    from zhaoshang.interfaces import labels
    from zhaoshang.interfaces.web.i18n import STRINGS

    pairs = {f"{name}.{k}": v for name in dir(labels) if isinstance(getattr(labels, name), dict)
             for k, v in getattr(labels, name).items() if isinstance(v, tuple) and len(v) == 2}
    pairs.update(STRINGS)
    assert len(pairs) > 500
    assert {k: en for k, (zh, en) in pairs.items() if isinstance(en, str) and FULL_WIDTH.search(en)} == {}
    base, eid = request.getfixturevalue("served"), _tagged_funded(demo)
    for path in ("/network", "/network?level=city", "/trends", "/chain", "/map", "/region/330100", f"/enterprises/{eid}"):
        page = httpx.get(base + path, cookies={"lang": "en"}, timeout=120).text
        page = re.sub(r"(?s)<(script|style|textarea)\b.*?</\1>|<!--.*?-->", " ", page)
        text = html.unescape(re.sub(r"<[^>]+>", "\x00", page))  # a tag's place kept: words either side stay apart
        assert "Secondary nodes" in text or not path.startswith("/network")
        assert _full_width_in_english(text) == [], (path, _full_width_in_english(text))
