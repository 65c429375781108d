"""Which version of each feed's parser reads documents now.

Each parser module declares ``READING_VERSION``, bumped by a change that reads the same bytes into a different
bill (a field read at last, a stage rule fixed). Ingest records the version on every document it reads
(``SourceDocument.read_by``), so what an older parser read stays known after an upgrade: ``tracker.readings``
counts it for `tracker db upgrade` and `tracker status`, an import reads such documents again instead of skipping
their unchanged bytes, and `tracker crawl SOURCE --refresh` fetches them again.

Pure, as the parsers are: the modules are imported when a version is asked for, and read at that moment.
"""

import importlib

# Feed (SourceDocument.source_name) -> the module of its parser.
PARSERS = {
    "govinfo_billstatus": "tracker.sources.govinfo_billstatus",
    "congress_api": "tracker.sources.congress_api",
    "ca_pubinfo": "tracker.sources.ca_pubinfo",
    "openstates": "tracker.sources.openstates",
    "legiscan": "tracker.sources.legiscan",
    "legistar": "tracker.sources.legistar",
}


def reading_version(source_name: str) -> int | None:
    """The version of ``source_name``'s parser now; None for documents no parser reads (archive stamps)."""
    module = PARSERS.get(source_name)
    return int(importlib.import_module(module).READING_VERSION) if module else None


def reading_versions() -> dict[str, int]:
    return {name: version for name in PARSERS if (version := reading_version(name)) is not None}
