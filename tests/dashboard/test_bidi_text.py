"""Bidi controls from feeds on dashboard pages: the override and isolate controls go, right-to-left letters and
marks stay (tracker.bidi, as in exported files and on the command line)."""

import datetime as dt

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import html_text, md
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import SponsorshipRecord, VersionRecord

CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ARABIC = "\u0645\u062d\u0645\u062f \u0639\u0644\u064a"
HEBREW = "\u05e9\u05dc\u05d5\u05dd\u200f"


def test_markdown_and_html_text_lose_bidi_controls_only() -> None:
    assert md(f"Invoice \u202efdp.exe\u202c {ARABIC}") == f"Invoice fdp\\.exe {ARABIC}"
    assert html_text(f"\u2067{HEBREW}\u2069 & co") == f"{HEBREW} &amp; co"


def test_bill_page_shows_no_bidi_controls_from_a_feed(session: Session, seeded: Seeded) -> None:
    Ingestor(session).ingest([IngestItem(record=record(
        88, title="Invoice \u202efdp.exe\u202c Act", sponsorships=[
            SponsorshipRecord(name=f"\u2067{ARABIC}\u2069", kind="primary"),
            SponsorshipRecord(name=f"Rep. \u202b{HEBREW}\u202c", kind="cosponsor")],
        versions=[VersionRecord(label="Introduced \u202eevah\u202c", url="https://example.test/88.xml",
                                date=dt.date(2025, 3, 1),
                                text=f"SECTION 1. \u2067{ARABIC}\u2069 shall \u202epay\u202c.")]))])
    session.commit()
    bill_id = session.execute(select(Bill.id).where(Bill.identifier == "HR 88")).scalar_one()
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(bill_id)})
    no_exception(at)
    shown = texts(at)
    assert not CONTROLS & set(shown)
    assert "Invoice fdp\\.exe Act" in shown or "Invoice fdp.exe Act" in shown
    assert ARABIC in shown and f"Rep. {HEBREW}" in shown
    assert f"SECTION 1. {ARABIC} shall pay." in [t.value for t in at.get("text")]  # the stored text, plain
