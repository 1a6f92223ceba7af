"""The stable keys of people and corporate ties (``source_key``), as SQL expressions over their parts.

Written once here and used twice: when the facts are written (``relations``) and when a fact imported before
its enterprise links to it (``relink``), which gives it the key it would have had if the enterprise had been
known — so importing the same file again finds every row already stored. Each part is a SQL expression; the
enterprise part is the enterprise's id as text once linked, else its name (or stock code) as the file gives it."""

from __future__ import annotations


def person_key(name: str, enterprise: str) -> str:
    """A person without a declared key: one person per (name, enterprise) — common names are not merged."""
    return f"{name} || '@' || {enterprise}"


def role_key(person: str, enterprise: str, role: str, title: str, start: str) -> str:
    return f"md5(concat_ws('|', {person}, {enterprise}, {role}, coalesce({title}, ''), CAST({start} AS VARCHAR)))"


def shareholding_key(enterprise: str, holder: str, start: str) -> str:
    return f"md5(concat_ws('|', {enterprise}, {holder}, CAST({start} AS VARCHAR)))"


def branch_key(parent: str, child: str) -> str:
    return f"md5(concat_ws('|', {parent}, {child}))"
