"""Shared pieces of the dashboard: sign-in state, database access with version-keyed caches, safe rendering."""
