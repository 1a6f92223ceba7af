"""The team: users and roles, sessions, API tokens and the audit log, kept in the team state (core.teamstate)."""
