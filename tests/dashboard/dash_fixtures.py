"""Dashboard test data: bills written through the real Ingestor, flags, and one user per role.

The bill records are hand-built from our own record schema (tracker.records), not from a feed's format; one
title carries markup so tests can check it shows as text. Passwords here are test-only.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select
from sqlmodel import Session

from tracker import users
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillMatch, Topic, User
from tracker.records import (
    ActionRecord,
    BillRecord,
    CommitteeRecord,
    JurisdictionRecord,
    SessionRecord,
    SponsorshipRecord,
    VersionRecord,
)

PASSWORD = "correct horse battery"
MARKUP_TITLE = '<script>alert("x")</script> <b>Bold</b> [click](javascript:alert(1)) **AI** Act'
ROLES = ("admin", "staff", "council", "lobbyist")


def record(number: int, *, jurisdiction: str = "us", **overrides: object) -> BillRecord:
    juris = {"us": JurisdictionRecord(id="us", name="United States", level="federal"),
             "ca": JurisdictionRecord(id="ca", name="California", level="state")}[jurisdiction]
    sess = {"us": SessionRecord(identifier="119", name="119th Congress"),
            "ca": SessionRecord(identifier="20252026", name="2025–2026 Regular Session")}[jurisdiction]
    prefix = "HR" if jurisdiction == "us" else "AB"
    base: dict[str, object] = dict(
        jurisdiction=juris, session=sess, identifier=f"{prefix} {number}", bill_type=prefix, number=str(number),
        origin_chamber="lower", title=f"Test Act {number}", stage="in_committee",
        introduced_date=dt.date(2025, 3, 1), latest_action_date=dt.date(2025, 3, 1) + dt.timedelta(days=number),
        latest_action_text="Referred to the Committee on Energy and Commerce.", source_name="test",
        source_key=f"{jurisdiction}-{number}", source_urls=[f"https://bills.example.test/{jurisdiction}/{number}"],
        actions=[ActionRecord(date=dt.date(2025, 3, 1), text="Introduced in House", actor="lower")],
        sponsorships=[SponsorshipRecord(name=f"Rep. Sponsor {number}", kind="primary", party="D", state="WA")],
        committees=[CommitteeRecord(name="Energy and Commerce Committee", chamber="lower")],
        versions=[VersionRecord(label="Introduced in House", date=dt.date(2025, 3, 1),
                                url=f"https://bills.example.test/{jurisdiction}/{number}-ih.xml")],
    )
    base.update(overrides)
    return BillRecord.model_validate(base)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return users.hash_password(PASSWORD)


@dataclass
class Seeded:
    ids: dict[str, int]
    users: dict[str, User]
    topic: Topic


def seed(session: Session) -> Seeded:
    records = {
        "markup": record(1, title=MARKUP_TITLE, summary_text="A bill on <i>artificial intelligence</i> audits."),
        "privacy": record(2, title="Consumer Data Privacy Act", stage="passed_origin_chamber",
                          summary_text="Establishes rules for how companies handle personal data.",
                          versions=[
                              VersionRecord(label="Introduced in House", date=dt.date(2025, 3, 1),
                                            url="https://bills.example.test/us/2-ih.xml",
                                            text="Companies shall protect personal data of consumers."),
                              VersionRecord(label="Engrossed in House", date=dt.date(2025, 5, 1),
                                            url="https://bills.example.test/us/2-eh.xml",
                                            text="Covered companies shall protect sensitive personal data of "
                                                 "consumers and minors."),
                          ]),
        "robotics": record(3, title="Robotics Workforce Act", stage="introduced"),
        "quiet": record(4, title="Post Office Naming Act"),
        "ca": record(5, jurisdiction="ca", title="Automated decision systems: accountability",
                     sponsorships=[SponsorshipRecord(name="Asm. Li Ming", kind="primary", party="R")]),
    }
    Ingestor(session).ingest([IngestItem(r) for r in records.values()])
    session.commit()
    ids = {key: session.execute(select(Bill.id).where(Bill.identifier == r.identifier,
                                                      Bill.jurisdiction_id == r.jurisdiction.id)).scalar_one()
           for key, r in records.items()}
    people = {}
    for role in ROLES:  # the admin first: the first account must be one
        people[role] = users.add_user(session, email=f"{role}@example.org", role=role, name=f"{role.title()} Person")
        people[role].password_hash = password_hash()  # argon2 is slow on purpose: hash once per test run
    topic = Topic(slug="ai", name="Artificial intelligence")
    session.add(topic)
    session.flush()
    for key, score in (("markup", 4.0), ("privacy", 3.0), ("robotics", 2.0), ("ca", 1.5)):
        session.add(BillMatch(bill_id=ids[key], topic_id=topic.id, score=score, flagged=True, rule_version=1,
                              matched_terms=["artificial intelligence"],
                              evidence=[{"field": "summary", "snippet": "on <i>[[artificial intelligence]]</i> "
                                                                        "audits"}]))
    session.add(BillMatch(bill_id=ids["quiet"], topic_id=topic.id, score=0.1, flagged=False, rule_version=1))
    session.commit()
    return Seeded(ids=ids, users=people, topic=topic)
