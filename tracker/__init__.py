"""Policy Tracker: legislative advocacy and policy tracking for a technology council."""

__version__ = "0.1.0"
