"""Feeds are named as people know them, one name per feed whichever of its keys a screen holds."""

import importlib

from tracker.config import SOURCE_DEFAULTS
from tracker.crawling import run_source, spider_names
from tracker.feed_names import FEED_NAMES, feed_name

PARSERS = ("ca_pubinfo", "congress_api", "govinfo_billstatus", "legiscan", "legistar", "openstates")


def test_every_configured_source_spider_and_stored_key_has_a_name() -> None:
    stored = {importlib.import_module(f"tracker.sources.{m}").SOURCE_NAME for m in PARSERS}
    keys = set(SOURCE_DEFAULTS) | set(spider_names()) | {run_source(s) for s in spider_names()} | stored | {"import"}
    assert {k for k in keys if feed_name(k) == k} == set()


def test_the_california_feed_has_one_name_under_its_config_key_and_its_stored_key() -> None:
    # The spider and [sources.california] say "california"; its runs and bills are stored as "ca_pubinfo".
    assert run_source("california") == "ca_pubinfo"
    assert feed_name("california") == feed_name("ca_pubinfo") == "California Legislative Information (pubinfo)"
    assert feed_name("govinfo_billstatus") == "GovInfo bill status (Congress)"
    assert "california" not in FEED_NAMES  # one entry per stored key: the alias comes from tracker.crawling


def test_an_unknown_key_is_shown_as_it_is_stored() -> None:
    assert feed_name("test") == "test" and feed_name(None) == "unknown"
