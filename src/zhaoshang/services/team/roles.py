"""The one table of roles and what each may do (docs/security.md shows the same table).

Permissions: ``read`` pages and API; ``export`` files; ``personal`` see personal contact fields and private
individuals' shareholdings unmasked (each such read is audited); ``team_write`` the team's own records;
``data_update`` imports and classification through the server (the data officer's work); ``admin`` users,
tokens of every user, the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.errors import UserError

PERMISSIONS = ("read", "export", "personal", "team_write", "data_update", "admin")

ROLES: dict[str, frozenset] = {
    "admin": frozenset({"read", "export", "personal", "team_write", "data_update", "admin"}),
    "analyst": frozenset({"read", "export", "personal", "team_write"}),
    "viewer": frozenset({"read", "export"}),
}


def check_role(role: str) -> str:
    r = (role or "").strip().lower()
    if r not in ROLES:
        raise UserError(f"未知的角色: {role}（可选 {'|'.join(ROLES)}）", f"unknown role: {role} (one of {'|'.join(ROLES)})")
    return r


@dataclass(frozen=True)
class User:
    """Who makes a request. ``is_anonymous``: the single local user of a server on 127.0.0.1 (all rights)."""

    id: int | None
    name: str
    role: str
    is_anonymous: bool = False
    via: str = "session"          # session | token | local | cli | delivery
    permissions: frozenset = field(default=frozenset())

    def can(self, permission: str) -> bool:
        return permission in (self.permissions or ROLES.get(self.role, frozenset()))


LOCAL_USER = User(None, "local", "admin", is_anonymous=True, via="local", permissions=ROLES["admin"])
NOBODY = User(None, "anonymous", "", is_anonymous=True, via="none", permissions=frozenset())
