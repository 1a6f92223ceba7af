"""The audit log's text and action filters answer the same on SQLite and PostgreSQL: regardless of case (a name in
Latin letters, a path, a format typed in capitals), with ``%`` and ``_`` read as the characters typed — through
``zhaoshang team audit`` as an admin moving the team state between the backends runs it."""

from __future__ import annotations

from cli_util import run_json

from zhaoshang.core.teamstate import open_team_db
from zhaoshang.services.team import audit


def test_audit_text_search_ignores_case_and_reads_wildcards_as_typed_on_both_backends(tmp_path, team_url):
    team = open_team_db(team_url)
    audit.record(team, "boss", "export", "/api/region-profile/330100/report", {"query": "format=html&lang=en"})
    audit.record(team, "boss", "team.backup", "/tmp/PG.BAK", {"rows": 3})
    audit.record(team, "boss", "export", "/api/enterprises", {"query": "q=50%_off"})
    audit.record(team, "boss", "export", "/api/enterprises", {"query": "q=500off"})

    def total(**filters):
        return audit.search(team, **filters)["total"]

    assert total(q="format=HTML") == total(q="format=html") == 1
    assert total(q="pg.bak") == total(q="PG.BAK") == 1
    assert total(q="50%_off") == 1  # not also q=500off
    assert total(q="%") == 1 and total(q="_") == 1
    assert total(action="EXPORT") == 3 and total(action="team.") == 1 and total(action="team_") == 0
    for q, n in (("format=HTML", 1), ("Pg.Bak", 1), ("50%_", 1)):
        assert run_json("--team-db", team_url, "team", "audit", "--q", q)["total"] == n, q
