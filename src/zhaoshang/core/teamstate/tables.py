"""The team state's tables, as numbered migrations: every feature's, declared in one place.

Opening the team state must know every table (a new database gets them all; a backup names the versions it
holds), and a command line imports only its own command module: declared here, the tables are known without
importing the features that use them (classification models, the relationship graph …). Versions in use:
1 users, sessions, tokens, audit log (services/team); 20 placement corrections (services/chain/corrections.py);
30 lead pipeline (services/pipeline); 40 person identity decisions (services/graph/identity.py); 50 alerts
(services/alerts); 60 monitoring (services/monitoring/events.py); 70 saved lead weights (services/leads/saved.py);
80 users' last activity (services/team); 90 news items' other event types; 100 leads' open-ended next
actions (services/pipeline); 110 live reports of imported rounds; 120 the leads list a lead was chosen from
(services/pipeline); 130 alerts' English titles (services/alerts).
A feature adds its tables here with its own new version (tests/test_team_state.py fails for a migration
registered anywhere else: a command line would not know it).
"""

from __future__ import annotations

from .migrations import register_migration

_APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION zs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"""

register_migration(1, "users, sessions, API tokens, login failures, audit log", [
    "CREATE TABLE team_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE users (
        id {id}, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, password_hash TEXT,
        disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), csrf TEXT NOT NULL,
        created_at TEXT NOT NULL, last_seen TEXT NOT NULL, ip TEXT, user_agent TEXT)""",
    """CREATE TABLE api_tokens (
        id {id}, user_id BIGINT NOT NULL REFERENCES users(id), label TEXT, prefix TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)""",
    "CREATE TABLE login_failures (id {id}, name TEXT NOT NULL, ip TEXT, at TEXT NOT NULL)",
    "CREATE INDEX login_failures_name ON login_failures (name, at)",
    """CREATE TABLE audit_log (
        id {id}, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT, action TEXT NOT NULL, target TEXT,
        detail TEXT, ip TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""",
    "CREATE INDEX audit_log_at ON audit_log (at)",
    {"sqlite": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
     "postgresql": _APPEND_ONLY_PG},
    {"sqlite": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
     "postgresql": "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION zs_append_only()"},
    {"postgresql": "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION zs_append_only()"},
])

register_migration(20, "chain placement corrections", [
    """CREATE TABLE placement_corrections (
        id {id}, enterprise_id BIGINT NOT NULL, enterprise_uscc TEXT, enterprise_name TEXT, chain TEXT NOT NULL,
        node_code TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, user_name TEXT NOT NULL,
        decided_at TEXT NOT NULL)""",
    "CREATE INDEX placement_corrections_pair ON placement_corrections (chain, enterprise_id, node_code)",
])

register_migration(30, "lead pipeline", [
    """CREATE TABLE pipeline_leads (
        id {id}, enterprise_id BIGINT NOT NULL, enterprise_uscc TEXT, enterprise_name TEXT NOT NULL,
        region_code TEXT NOT NULL, region_name TEXT NOT NULL, region_level TEXT NOT NULL,
        status TEXT NOT NULL, owner TEXT, source TEXT NOT NULL, segment TEXT,
        next_action TEXT, next_action_date TEXT, abandon_reason TEXT,
        signed_on TEXT, landed_on TEXT, landing TEXT,
        created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (enterprise_id, region_code))""",
    """CREATE TABLE pipeline_history (
        id {id}, lead_id BIGINT NOT NULL REFERENCES pipeline_leads(id), at TEXT NOT NULL, actor TEXT NOT NULL,
        field TEXT NOT NULL, from_value TEXT, to_value TEXT)""",
    "CREATE INDEX pipeline_history_lead ON pipeline_history (lead_id, id)",
])

register_migration(40, "person identity decisions", [
    """CREATE TABLE person_decisions (
        id {id}, a_source TEXT NOT NULL, a_key TEXT NOT NULL, b_source TEXT NOT NULL, b_key TEXT NOT NULL,
        a_name TEXT, decision TEXT NOT NULL, reason TEXT, user_name TEXT NOT NULL, decided_at TEXT NOT NULL)""",
    "CREATE INDEX person_decisions_pair ON person_decisions (a_source, a_key, b_source, b_key)",
])

register_migration(50, "alert rules, alerts, deliveries, channels", [
    """CREATE TABLE alert_rules (
        id {id}, owner TEXT NOT NULL, name TEXT NOT NULL, spec TEXT NOT NULL, enabled INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (owner, name))""",
    """CREATE TABLE alerts (
        id {id}, rule_id BIGINT NOT NULL, owner TEXT NOT NULL, rule_name TEXT NOT NULL, event_key TEXT NOT NULL,
        event_id BIGINT, enterprise_id BIGINT, enterprise_name TEXT, event_type TEXT, event_date TEXT,
        title TEXT, explain TEXT NOT NULL, created_at TEXT NOT NULL, read_at TEXT,
        UNIQUE (rule_id, event_key))""",
    "CREATE INDEX alerts_owner ON alerts (owner, id)",
    """CREATE TABLE alert_deliveries (
        id {id}, alert_id BIGINT, owner TEXT NOT NULL, channel TEXT NOT NULL, target TEXT NOT NULL,
        payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL,
        last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_at)",
    """CREATE TABLE alert_channels (
        owner TEXT PRIMARY KEY, email TEXT, webhook_url TEXT, webhook_secret TEXT, updated_at TEXT NOT NULL)""",
    "CREATE TABLE alert_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
])

register_migration(60, "monitoring: live events, news items, feed state", [
    """CREATE TABLE monitor_events (
        id {id}, origin TEXT NOT NULL, enterprise_id BIGINT NOT NULL, enterprise_name TEXT NOT NULL,
        enterprise_uscc TEXT, province_code TEXT, city_code TEXT, district_code TEXT, nodes TEXT,
        type TEXT NOT NULL, date TEXT NOT NULL, title TEXT NOT NULL, detail TEXT, sentiment REAL, url TEXT,
        source TEXT NOT NULL, source_key TEXT, news_id BIGINT, actor TEXT, received_at TEXT NOT NULL,
        dedup_key TEXT NOT NULL UNIQUE)""",
    "CREATE INDEX monitor_events_date ON monitor_events (date, id)",
    "CREATE INDEX monitor_events_enterprise ON monitor_events (enterprise_id, date)",
    """CREATE TABLE monitor_news (
        id {id}, title TEXT NOT NULL, body TEXT, url TEXT, published TEXT, fingerprint TEXT NOT NULL,
        sources TEXT NOT NULL, mentions TEXT, candidates TEXT, event_type TEXT, type_confidence REAL,
        sentiment REAL, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE INDEX monitor_news_seen ON monitor_news (first_seen)",
    """CREATE TABLE monitor_feeds (
        name TEXT PRIMARY KEY, url TEXT NOT NULL, etag TEXT, last_modified TEXT, last_run TEXT, last_ok TEXT,
        last_status TEXT, last_error TEXT, items_new BIGINT NOT NULL DEFAULT 0, items_total BIGINT NOT NULL DEFAULT 0,
        next_run TEXT)""",
])

register_migration(70, "saved lead weights", [
    """CREATE TABLE lead_weights (
        version TEXT PRIMARY KEY, body TEXT NOT NULL, saved_by TEXT NOT NULL, saved_at TEXT NOT NULL)""",
])

# the users' last activity, kept on the user: it was read from their sessions, which a password reset (or disabling
# the user) deletes, so 最近活动 went blank; filled from the sessions and the log's logins at the upgrade
register_migration(80, "users' last activity", ["ALTER TABLE users ADD COLUMN last_seen TEXT"], backfill=[
    "UPDATE users SET last_seen = (SELECT max(s.last_seen) FROM sessions s WHERE s.user_id = users.id)",
    "UPDATE users SET last_seen = (SELECT max(a.at) FROM audit_log a WHERE a.actor = users.name AND a.action = 'login') "
    "WHERE last_seen IS NULL",
])  # the fill runs again after restoring a backup made before it (whose users have no last_seen)

# the other event types a news item's text states beside its primary one (JSON list: type, confidence, keywords);
# items stored before it have none
register_migration(90, "news items' other event types", ["ALTER TABLE monitor_news ADD COLUMN other_types TEXT"])

# a lead's next action due with no deadline (长期, 不限 …: the date parser's open-ended words), told apart from one with
# no date given: shown as 长期 / open-ended, exported so and imported back, never 督办; leads stored before it have none
register_migration(100, "leads' open-ended next actions", [
    "ALTER TABLE pipeline_leads ADD COLUMN next_action_open_ended INTEGER NOT NULL DEFAULT 0"])

# a live report of a round already imported (the one rule of the same event, core/same_event.py): kept as the report
# it is (``report_of``: the round's key, ``f<id>``), not an event of its own — no alert, no second round; events
# stored before it have none
register_migration(110, "live reports of imported rounds", ["ALTER TABLE monitor_events ADD COLUMN report_of TEXT"])

# the 招商线索 list a lead was added from: its as-of day, weights version and the lead's score there (the lead's page
# shows it beside the score on the latest data); leads stored before it, and those added elsewhere, have none
register_migration(120, "the leads list a pipeline lead was chosen from", [
    "ALTER TABLE pipeline_leads ADD COLUMN list_as_of TEXT",
    "ALTER TABLE pipeline_leads ADD COLUMN list_score DOUBLE PRECISION",
    "ALTER TABLE pipeline_leads ADD COLUMN list_weights TEXT"])

# an alert's event title in English as the events' list says it (core/event_titles.py english_title), kept when the
# alert is raised: the event's detail it is made from (a patent's number) is not in the team state; alerts raised
# before it have none and are read from their title
register_migration(130, "alerts' English titles", ["ALTER TABLE alerts ADD COLUMN title_en TEXT"])
