"""The enterprise profile lists its patents newest first by filing date (申请日), says so, and lists them all up to its
cut: the page showed 15 of 20 in no visible order, without a word, and the scorecard's evidence linked to patents that
had no line on the page. Every row the scorecard links to — patents, rounds, investors, roles, branches, news, events —
has its line on the profile the link opens (an investor: its first round there); on the demo, through the page as the
browser gets it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from web_util import local_client  # noqa: E402

LINK = re.compile(r'href="/enterprises/(\d+)\?as_of=[0-9-]+#([a-z]+)-(\d+)"')


@pytest.fixture(scope="module")
def client(demo_db):
    from zhaoshang.interfaces.web.app import create_app

    return local_client(create_app(str(demo_db)))


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([a-z]+-\d+)"', html))


def test_patents_newest_first_all_listed_and_every_scorecard_link_lands(demo_db, client):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        # the enterprises with the most patents (more than the 15 the page used to show), and some with investors,
        # people and negative events among the scorecard's evidence
        many = [r[0] for r in con.execute(
            "SELECT enterprise_id FROM patent_applicants GROUP BY 1 HAVING count(*) > 15 ORDER BY count(*) DESC, 1 "
            "LIMIT 3").fetchall()]
        others = [r[0] for r in con.execute(
            """SELECT f.enterprise_id FROM fundings f JOIN funding_investors fi ON fi.funding_id = f.id
               WHERE fi.investor_id IS NOT NULL AND f.enterprise_id IN (SELECT enterprise_id FROM roles)
               GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3""").fetchall()]
        filed = dict(con.execute("SELECT id, coalesce(applied, published, granted) FROM patents").fetchall())
        n_patents = dict(con.execute("SELECT enterprise_id, count(DISTINCT patent_id) FROM patent_applicants "
                                     "GROUP BY 1").fetchall())
    assert len(many) == 3 and others
    kinds = set()
    for eid in many + others:
        for lang in ("zh", "en"):
            html = client.get(f"/enterprises/{eid}?lang={lang}").text
            links = [(int(e), k, int(i)) for e, k, i in LINK.findall(html)]
            assert links and all(e == eid for e, _, _ in links)
            lines = _ids(html)
            missing = sorted({f"{k}-{i}" for _, k, i in links} - lines)
            assert not missing, (eid, lang, missing[:10])  # each link opens the page on its row
            kinds |= {k for _, k, _ in links}
            table = html[html.index('id="patents-table"'):]
            table = table[:table.index("</table>")]
            rows = [int(x) for x in re.findall(r'<tr id="patent-(\d+)"', table)]
            if eid in many:
                # every patent (fewer than the profile's cut of 200), newest filing first, and said so
                assert len(rows) == n_patents[eid] > 15, (eid, len(rows))
                dates = [filed[i] for i in rows]
                assert dates == sorted(dates, reverse=True), (eid, dates[:8])
                assert ("按申请日排序，最新在前" if lang == "zh" else "by filing date, newest first") in html
                assert 'id="patents-cut"' not in html  # nothing left out, nothing said
    assert {"patent", "funding", "investor", "role"} <= kinds, kinds
