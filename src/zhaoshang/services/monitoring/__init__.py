"""Monitoring: events, news and feeds about enterprises, and what the platform tells analysts about them."""
