"""What `tracker` prints cannot be steered by a feed: escape sequences and bidi controls in upstream text."""

import datetime as dt

from sqlmodel import Session
from typer.testing import CliRunner

from tracker import db
from tracker.cli import app
from tracker.ingest import IngestItem, Ingestor
from tracker.records import (
    ActionRecord,
    BillRecord,
    CommitteeRecord,
    JurisdictionRecord,
    SessionRecord,
    SponsorshipRecord,
    VersionRecord,
)

# What a JSON feed (LegiScan, Open States, Legistar) can carry in any string: "\u001b" is valid JSON.
ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m\x9b31m"  # retitle the window, clear the screen, colour (7- and 8-bit)
BIDI = "\u202eevil\u202c\u2066x\u2069"  # right-to-left override: the name reads backwards in the terminal
HOSTILE = ESCAPES + BIDI
CONTROLS = {c for c in ESCAPES + BIDI if not c.isalnum() and c not in "[];"}


def test_escape_sequences_and_bidi_controls_from_a_feed_never_reach_the_terminal(database_url: str) -> None:
    record = BillRecord(
        jurisdiction=JurisdictionRecord(id="us", name="United States", level="federal"),
        session=SessionRecord(identifier="119", name="119th Congress"), identifier="HR 9", bill_type="HR",
        number="9", title=f"Safe Act {HOSTILE}", stage="introduced", summary_text=f"Summary {HOSTILE}",
        latest_action_date=dt.date(2025, 3, 2), latest_action_text=f"Referred {HOSTILE}", source_name="test",
        source_key="us-9", actions=[ActionRecord(date=dt.date(2025, 3, 2), text=f"Referred {HOSTILE}")],
        sponsorships=[SponsorshipRecord(name=f"Rep. {HOSTILE}", kind="primary")],
        committees=[CommitteeRecord(name=f"Committee {HOSTILE}", chamber="lower")],
        versions=[VersionRecord(label=f"Introduced {HOSTILE}", url="https://bills.example.test/9.xml")])
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(record)])
        s.commit()
    # Disposed, not left to the garbage collector: a PostgreSQL connection collected while open raises a
    # ResourceWarning (an error here) in whichever test happens to be running then.
    engine.dispose()
    runner = CliRunner()
    for args in (["bills", "list"], ["bills", "show", "HR 9"]):
        result = runner.invoke(app, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        shown = result.output
        assert "Safe Act" in shown and "evil" in shown  # the text is shown, its controls are not
        if args[1] == "show":
            assert all(f"{what} " in shown for what in ("Summary", "Referred", "Rep.", "Committee", "Introduced"))
        bad = sorted({f"U+{ord(c):04X}" for c in shown if c in CONTROLS})
        assert not bad, bad
