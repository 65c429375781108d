"""Packet test data: bills written through the real Ingestor, plus the organisation's own rows.

The bill records here are hand-built from our own record schema (tracker.records), not from any feed's
format: they exist to carry hostile and non-Latin text that real bills do not. Tests on real 117th
Congress bills parse the GovInfo files in place (see test_realdata.py).
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from tracker.exports.fonts import FontNotFound, find_dejavu
from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillMatch, Position, Topic, User, Watchlist, WatchlistItem
from tracker.records import (
    ActionRecord,
    BillRecord,
    CommitteeRecord,
    JurisdictionRecord,
    SessionRecord,
    SponsorshipRecord,
    VersionRecord,
)


def why_no_pdf_font() -> str | None:
    """None when PDF packets can be built here; otherwise why not. DejaVu Sans comes from a Debian package
    (fonts-dejavu-core), not from pip: on a machine with only Python and make, `make test` skips the PDF tests
    with this reason, as it skips the browser test without Chromium, instead of failing them."""
    try:
        find_dejavu()
    except FontNotFound:
        return "PDF packets need the DejaVu Sans font: apt-get install fonts-dejavu-core (or set TRACKER_FONT_DIR)"
    return None


needs_pdf_font = pytest.mark.skipif(why_no_pdf_font() is not None, reason=why_no_pdf_font() or "")

# A title built to break naive exporters: a spreadsheet formula, markup, XML-illegal control characters
# (not NUL: no feed format carries it and PostgreSQL text refuses it),
# curly quotes, an em dash, accents and non-Latin scripts, padded past 5,000 characters with a run of text
# that has no spaces at all (so nothing can wrap it at a word boundary).
HOSTILE_HEAD = '=HYPERLINK("http://evil.example/x?a=1&b=2","Click me") <script>alert("x")</script> <b>bold?</b> &amp;'
HOSTILE_TITLE = (
    HOSTILE_HEAD
    + " “Curly” — Zoë Łódź Ñandú, Σωκράτης, Анна Петрова\x0b\x1f "
    + "A" * 1200
    + " "
    + " ".join(["Consumer data privacy and algorithmic accountability"] * 70)
)
assert len(HOSTILE_TITLE) > 5000
LONG_SUMMARY = "\n\n".join(
    f"Section {i}. The Secretary shall — within 180 days — publish “guidance” on automated decision systems "
    "used by covered entities, including impact assessments, audits and notice to affected consumers. " * 6
    for i in range(1, 40)
)
# Cells that start like a formula: the hostile bill's rationale, the plain bill's title, the privacy bill's
# and the robotics bill's rationales; "\r" is tested on its own (feeds' text is whitespace-stripped).
FORMULA_NAMES = ("+SUM(A1:A2)", "-2+3", "@cmd", "\tTabbed", "\rReturn")


def _record(number: int, *, jurisdiction: str = "us", **overrides: object) -> BillRecord:
    juris = {
        "us": JurisdictionRecord(id="us", name="United States", level="federal"),
        "ca": JurisdictionRecord(id="ca", name="California", level="state"),
    }[jurisdiction]
    sess = {
        "us": SessionRecord(identifier="117", name="117th Congress"),
        "ca": SessionRecord(identifier="20212022", name="2021–2022 Regular Session"),
    }[jurisdiction]
    prefix = "HR" if jurisdiction == "us" else "AB"
    base: dict[str, object] = dict(
        jurisdiction=juris,
        session=sess,
        identifier=f"{prefix} {number}",
        bill_type=prefix,
        number=str(number),
        origin_chamber="lower",
        title=f"Test Act {number}",
        stage="in_committee",
        introduced_date=dt.date(2021, 3, 1),
        latest_action_date=dt.date(2021, 3, 1) + dt.timedelta(days=number),
        latest_action_text="Referred to the Committee on Energy and Commerce.",
        source_name="test",
        source_key=f"{jurisdiction}-{number}",
        source_urls=[f"https://bills.example.test/{jurisdiction}/{number}"],
        actions=[ActionRecord(date=dt.date(2021, 3, 1), text="Introduced", actor="lower")],
        sponsorships=[SponsorshipRecord(name=f"Rep. Sponsor {number}", kind="primary", party="D", state="WA")],
        committees=[CommitteeRecord(name="Energy and Commerce Committee", chamber="lower")],
        versions=[
            VersionRecord(
                label="Introduced in House",
                date=dt.date(2021, 3, 1),
                url=f"https://bills.example.test/{jurisdiction}/{number}.xml",
                links=[{"format": "pdf", "url": f"https://bills.example.test/{number}.pdf"}],
            )
        ],
    )
    base.update(overrides)
    return BillRecord.model_validate(base)


@dataclass
class Seeded:
    ids: dict[str, int]  # "hostile", "privacy", "robotics", "ca", "plain"
    topic_ai: Topic
    watchlist: Watchlist


def seed(session: Session) -> Seeded:
    records = {
        "hostile": _record(
            1,
            title=HOSTILE_TITLE,
            short_title=None,
            summary_text=LONG_SUMMARY,
            latest_action_text="=cmd|' /C calc'!A0",
            sponsorships=[
                SponsorshipRecord(name="Rep. Łukasiewicz-Ólafsdóttir, Zoë [D-NY-7]", kind="primary"),
                SponsorshipRecord(name="Анна Петрова", kind="cosponsor"),
                SponsorshipRecord(name="李明", kind="cosponsor"),
            ],
        ),
        "privacy": _record(
            2,
            title="American Data Privacy and Protection Act",
            short_title="American Data Privacy and Protection Act",
            summary_text="This bill establishes requirements for how companies handle personal data.",
            stage="passed_origin_chamber",
        ),
        "robotics": _record(3, title="Robotics Workforce Act", stage="introduced"),
        "plain": _record(4, title="-2+3 Post Office Naming Act"),
        "ca": _record(
            5,
            jurisdiction="ca",
            title="Automated decision systems: California’s accountability act",
            stage="in_committee",
            sponsorships=[SponsorshipRecord(name="Asm. 李明 (Li Ming)", kind="primary")],
        ),
    }
    Ingestor(session).ingest([IngestItem(r) for r in records.values()])
    session.commit()
    from sqlalchemy import select

    from tracker.models import Bill

    ids = {}
    for key, rec in records.items():
        ids[key] = session.execute(
            select(Bill.id).where(Bill.identifier == rec.identifier, Bill.jurisdiction_id == rec.jurisdiction.id)
        ).scalar_one()

    user = User(email="lobbyist@example.org", role="lobbyist", name="Lee")
    ai = Topic(slug="ai", name="Artificial intelligence", description="AI and automated decisions")
    privacy = Topic(slug="privacy", name="Data privacy")
    session.add_all([user, ai, privacy])
    session.flush()
    for key, score in (("hostile", 4.5), ("robotics", 2.0), ("ca", 3.0)):
        session.add(
            BillMatch(
                bill_id=ids[key],
                topic_id=ai.id,
                score=score,
                flagged=True,
                matched_terms=["automated decision", "algorithm"],
                rule_version=1,
                evidence=[
                    {"field": "title", "snippet": "… [[algorithmic]] accountability <i>"},
                    {"field": "summary", "snippet": "[[automated decision]] systems"},
                ],
            )
        )
    session.add(
        BillMatch(
            bill_id=ids["plain"],
            topic_id=ai.id,
            score=0.2,
            flagged=False,
            matched_terms=[],
            evidence=[],
            rule_version=1,
        )
    )
    session.add(
        BillMatch(
            bill_id=ids["privacy"],
            topic_id=privacy.id,
            score=5.0,
            flagged=True,
            matched_terms=["personal data"],
            rule_version=1,
            evidence=[{"field": "summary", "snippet": "handle [[personal data]]"}],
        )
    )
    session.add_all(
        [
            Position(
                bill_id=ids["hostile"],
                stance="Support",
                priority="High",
                rationale=FORMULA_NAMES[0] + " Members need clear rules — not a patchwork.\n\n" + "Why: " * 400,
            ),
            Position(bill_id=ids["robotics"], stance="Support", priority="Low", rationale="\tWorkforce training."),
            Position(
                bill_id=ids["privacy"],
                stance="Oppose unless amended",
                priority="High",
                rationale="@cmd Pre-emption clause is too weak.",
            ),
            Position(bill_id=ids["ca"], stance="Support", priority="Medium", rationale=None),
        ]
    )
    watchlist = Watchlist(name="Q3 meetings", owner_id=user.id)
    session.add(watchlist)
    session.flush()
    for key in ("privacy", "plain"):
        session.add(WatchlistItem(watchlist_id=watchlist.id, bill_id=ids[key]))
    session.commit()
    return Seeded(ids=ids, topic_ai=ai, watchlist=watchlist)
