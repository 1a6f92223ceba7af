"""Region analytics: the region × chain matrix and what builds on it."""
