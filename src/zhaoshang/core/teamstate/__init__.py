"""Team state: users, sessions, API tokens, the audit log and the team's own records.

It lives apart from the analytical DuckDB file, so rebuilding or replacing the imported data never touches
it. The embedded default is a SQLite file beside the database (WAL, synchronous=FULL: a kill -9 loses nothing
committed); a URL ``postgresql://…`` (``--team-db`` / ``$ZHAOSHANG_TEAM_DB``) puts it on a database server.
"""

from __future__ import annotations

from .db import TeamDB, default_team_url, open_team_db
from .migrations import MIGRATIONS, Migration, register_migration

__all__ = ["TeamDB", "open_team_db", "default_team_url", "MIGRATIONS", "Migration", "register_migration"]
