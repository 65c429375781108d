"""Fixtures for flagging tests: keyword-only unless a test asks for the embedding model."""

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from tracker.ingest import IngestItem, Ingestor
from tracker.records import BillRecord


@pytest.fixture(autouse=True)
def _keywords_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Loading the model takes seconds; tests/matching/test_semantic.py switches it on where it is the subject.
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")
    yield


def bill_record(number: int, title: str, summary: str | None = None, *, short_title: str | None = None,
                subjects: list[str] | None = None, version_text: str | None = None) -> BillRecord:
    """A minimal federal bill written for these tests (not upstream data)."""
    versions = []
    if version_text is not None:
        versions = [{"label": "Introduced in House", "url": f"https://example.test/hr{number}ih.xml", "code": "ih",
                     "date": dt.date(2021, 3, 1), "format": "xml", "text": version_text}]
    return BillRecord.model_validate({
        "jurisdiction": {"id": "us", "name": "United States", "level": "federal"},
        "session": {"identifier": "117", "name": "117th Congress"},
        "identifier": f"HR {number}", "bill_type": "HR", "number": str(number), "title": title,
        "short_title": short_title, "summary_text": summary, "stage": "introduced",
        "introduced_date": dt.date(2021, 3, 1), "latest_action_date": dt.date(2021, 3, 1) + dt.timedelta(days=number),
        "source_name": "test", "source_key": f"117-hr-{number}", "subjects": subjects or [], "versions": versions,
    })


# Two topics and the kinds of bill the learning tests judge (written for these tests, not upstream data):
# "internet" in veterans' benefits bills is noise the broadband rules flag; spectrum bills are relevant ones
# no rule catches.
BROADBAND_TOPIC = """
topics:
  - slug: broadband
    name: Broadband
    threshold: 3
    rules:
      - rule: 'broadband OR wireless OR internet'
        weight: 2
"""
TWO_TOPICS = BROADBAND_TOPIC + """  - slug: privacy
    name: Privacy
    threshold: 3
    rules:
      - rule: '"personal data" OR "data broker*"'
        weight: 2
"""


def internet_noise(numbers: range) -> list[BillRecord]:
    return [bill_record(i, f"Veterans Benefits Act {i}",
                        f"Publishes veterans benefits forms on the internet; claims backlog {i}.") for i in numbers]


def data_brokers(numbers: range) -> list[BillRecord]:
    return [bill_record(i, f"Data Broker Accountability Act {i}",
                        f"Limits what data brokers do with personal data {i}.") for i in numbers]


def spectrum_bills(numbers: range, extra: str = "") -> list[BillRecord]:
    return [bill_record(i, f"Spectrum Auction Act {i}",
                        f"Spectrum auctions and licenses for rural carriers {i}{extra}.") for i in numbers]


@pytest.fixture
def store_bills(session: Session) -> Callable[..., list[int]]:
    """Store records through the real ingest writer; returns the bill ids, in order."""

    def store(*records: BillRecord) -> list[int]:
        result = Ingestor(session).ingest([IngestItem(r) for r in records])
        session.commit()
        return result.changed_bill_ids

    return store
