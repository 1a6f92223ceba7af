"""Monitoring (动态监测): event timelines, live events from other systems and news feeds, the in-process event bus
every ingestion path publishes on (``bus``), and what the platform tells analysts about them. Text analysis of news
items lives in ``nlp``."""
