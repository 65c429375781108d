"""Web addresses in upstream text are shown as text: Streamlit's Markdown turns a bare https://..., www.... or
name@host into a link (GFM autolink literals, found in the text after escapes are read, so a backslash does not
stop them), and a feed could put a link to any site into a title, an action or a sponsor's name."""

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded, record
from google.protobuf.message import Message
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard.components.render import md
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillMatch
from tracker.records import ActionRecord, CommitteeRecord, SponsorshipRecord, VersionRecord

# What mdast-util-gfm-autolink-literal links, in the text Markdown leaves after reading escapes and entities.
AUTOLINK = re.compile(r"(?:https?|ftp|mailto|xmpp)://|\bwww\.|[\w.+-]@[\w-]+\.\w", re.IGNORECASE)
EVIL = "see https://evil.example/a?b=1 or www.evil.example/c or write to bob@evil.example"
# Elements whose strings are not Markdown: raw HTML we escape ourselves (html_text), plain text, code, tables.
NOT_MARKDOWN = {"html", "text", "code", "arrow_data_frame", "data_frame", "json", "vega_lite_chart",
                "arrow_vega_lite_chart", "empty", "selectbox", "multiselect"}
SKIPPED_FIELDS = {"id", "form_id", "default", "value", "placeholder", "raw_value", "data", "spec", "url",
                  "page_script_hash", "page_name", "icon"}


def _unescaped(source: str) -> str:
    return re.sub(r"\\(.)", r"\1", source)


def _strings(message: Message, path: str) -> Iterator[tuple[str, str]]:
    for field, value in message.ListFields():
        if field.name in SKIPPED_FIELDS:
            continue
        values = value if field.is_repeated else [value]
        for v in values:
            if isinstance(v, Message):
                yield from _strings(v, f"{path}.{field.name}")
            elif isinstance(v, str):
                yield f"{path}.{field.name}", v


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(where, source) of every string the page hands to Markdown: bodies, captions, alerts, labels, help."""
    found = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if not isinstance(proto, Message) or kind in NOT_MARKDOWN:
            continue
        found.extend(_strings(proto, kind))
    return found


def linked(at: AppTest) -> list[tuple[str, str]]:
    return [(where, s) for where, s in markdown_strings(at) if AUTOLINK.search(_unescaped(s))]


def test_md_keeps_web_addresses_from_being_linked_and_shows_the_same_text() -> None:
    for text in (EVIL, "HTTPS://EVIL.EXAMPLE", "ftp://files.example/x", "WWW.Example.org", "a.b+c@d-e.example",
                 "mailto:x@y.example", "xmpp:x@y.example", "<https://evil.example/z>"):
        shown = _unescaped(md(text))
        assert not AUTOLINK.search(shown), shown
        assert shown.replace("\u2060", "") == text  # an invisible word joiner, nothing else, is added
    assert md("Artificial Intelligence Act of 2025") == "Artificial Intelligence Act of 2025"


@pytest.fixture
def evil_bill(session: Session, seeded: Seeded) -> int:
    rec = record(91, title=f"Privacy Act: {EVIL}", summary_text=f"Summary {EVIL}",
                 latest_action_text=f"Referred; {EVIL}",
                 actions=[ActionRecord(date=dt.date(2025, 3, 2), text=f"Hearing held; {EVIL}", actor="lower")],
                 sponsorships=[SponsorshipRecord(name="Rep. www.evil.example", kind="primary", party="D",
                                                 state="WA"),
                               SponsorshipRecord(name="Rep. bob@evil.example", kind="cosponsor")],
                 committees=[CommitteeRecord(name=f"Committee {EVIL}", chamber="lower")],
                 versions=[VersionRecord(label=f"Introduced {EVIL}", date=dt.date(2025, 3, 1),
                                         url="https://bills.example.test/us/91-ih.xml", text=f"SEC. 1. {EVIL}")])
    Ingestor(session).ingest([IngestItem(rec)])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 91")).scalar_one()
    session.add(BillMatch(bill_id=bill_id, topic_id=seeded.topic.id, score=5.0, flagged=True, rule_version=1,
                          matched_terms=["privacy"], evidence=[{"field": "title", "snippet": f"[[Privacy]] {EVIL}"}]))
    session.commit()
    return bill_id


@pytest.mark.parametrize("page,query", [
    ("views/bill.py", "bill"), ("views/triage.py", None), ("views/search.py", "q"), ("views/overview.py", None),
    ("views/watchlists.py", None), ("views/exports.py", None)])
def test_no_page_links_a_web_address_from_a_feed(seeded: Seeded, evil_bill: int, page: str,
                                                 query: str | None) -> None:
    params = {"bill": {"id": str(evil_bill)}, "q": {"q": "privacy"}}.get(query or "", {})
    at = signed_in(seeded.users["staff"], page, query=params)
    no_exception(at)
    assert any("evil" in _unescaped(s) for _, s in markdown_strings(at)) or page != "views/bill.py"
    assert linked(at) == []
