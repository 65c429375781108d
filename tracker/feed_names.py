"""Feeds as people know them, for every screen and message a person reads.

A feed has keys, not names: the key its bills and runs are stored under (``Bill.source_name``,
``BillSource.source_name``, ``CrawlRun.source``) and, for California, another key for its spider and its
``[sources.california]`` settings (the stored key is ``ca_pubinfo``, shared with ``tracker import``:
``tracker.crawling.run_source``). Stored keys stay as they are (renaming one would orphan every stored bill's
source row and every run's history); screens show the names below instead, so the two California keys read as
one feed.
"""

from tracker.crawling import run_source

# Stored key -> name. Legistar is one feed for every city or county client (the client is in the bill's
# jurisdiction), so it is named as the kind of body it covers.
FEED_NAMES: dict[str, str] = {
    "govinfo_billstatus": "GovInfo bill status (Congress)",
    "govinfo_text": "GovInfo bill texts (Congress)",
    "congress_api": "Congress.gov API (Congress)",
    "ca_pubinfo": "California Legislative Information (pubinfo)",
    "openstates": "Open States (state legislatures)",
    "legiscan": "LegiScan (state legislatures)",
    "legistar": "City and county councils (Legistar)",
    "import": "Files imported by hand",  # tracker import, make run's archive: every format's runs share it
}


def feed_name(key: str | None) -> str:
    """The name of the feed stored, configured or crawled as ``key``; an unknown key as it is stored."""
    if key is None:
        return "unknown"
    return FEED_NAMES.get(run_source(key), key)
