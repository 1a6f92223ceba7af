"""Watchlists, alert rules and alerts (预警规则): one rule evaluator for rules made in the UI and in YAML, alerts
stored in the team state (deduplicated per rule and event), and their delivery (live feed, daily digest by
e-mail, signed webhooks with retries and a dead-letter record)."""
