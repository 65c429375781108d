"""Scrapy project: spiders discover and fetch; parsing lives in tracker.sources, storage in tracker.ingest."""
