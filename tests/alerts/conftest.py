"""Alert fixtures: a real SMTP server (aiosmtpd) on 127.0.0.1, topics, people, and bills stored through ingest.

The bills below are small records written for these tests (not upstream data).
"""

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from tracker.alerts.events import collect_events
from tracker.ingest import IngestItem, Ingestor
from tracker.matching import flag_bills
from tracker.matching.topics import load_topics
from tracker.models import User
from tracker.records import BillRecord
from tracker.users import add_user

TOPICS = """
topics:
  - slug: ai
    name: Artificial intelligence
    threshold: 2
    rules:
      - rule: '"artificial intelligence" OR "machine learning" OR "automated decision*"'
        weight: 2
      - rule: '"facial recognition" OR biometric*'
        weight: 2
  - slug: broadband
    name: Broadband
    threshold: 2
    rules:
      - rule: 'broadband OR spectrum'
        weight: 2
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received; ``fail_next`` answers that many DATA commands with a 4xx/5xx."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # each message as it came over the wire (headers as folded)
    recipients: list[list[str]] = field(default_factory=list)
    fail_next: int = 0
    fail_reply: str = "451 4.3.0 Mailbox temporarily unavailable, try again later"
    refused_rcpt: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:  # noqa: N802
        if address in self.refused_rcpt:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.fail_next:
            self.fail_next -= 1
            return self.fail_reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(envelope.content)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_SECURITY", "none")
    monkeypatch.setenv("SMTP_FROM", "Policy Tracker <alerts@chamber.example>")
    monkeypatch.setenv("TRACKER_DASHBOARD_URL", "https://tracker.chamber.example")
    monkeypatch.setenv("TRACKER_FEEDS_URL", "https://feeds.chamber.example")
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _keywords_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")  # no embedding model: keyword flagging is what these test


def digest_day(day: dt.date) -> str:
    """A hearing's day as a digest words it, "Thu 10 Dec" (with the year when it is not this year's)."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if day.year != dt.date.today().year else "")


def bill_record(number: int, title: str, *, stage: str = "introduced", actions: list[tuple[str, str]] = (),
                versions: list[tuple[str, str, str]] = (), summary: str | None = None,
                cosponsors: list[str] = ()) -> BillRecord:
    """A minimal federal bill. ``actions``: (date, text); ``versions``: (label, date, text); ``cosponsors``:
    names."""
    return BillRecord.model_validate({
        "jurisdiction": {"id": "us", "name": "United States", "level": "federal"},
        "session": {"identifier": "119", "name": "119th Congress"},
        "identifier": f"HR {number}", "bill_type": "HR", "number": str(number), "title": title,
        "summary_text": summary, "stage": stage, "introduced_date": dt.date(2026, 3, 1),
        "latest_action_date": dt.date.fromisoformat(actions[-1][0]) if actions else dt.date(2026, 3, 1),
        "source_name": "test", "source_key": f"119-hr-{number}",
        "actions": [{"date": d, "text": t} for d, t in actions],
        "versions": [{"label": label, "url": f"https://example.test/hr{number}/{i}.xml", "date": d, "text": text}
                     for i, (label, d, text) in enumerate(versions)],
        "sponsorships": [{"name": "Rep. Primary, Pat [D-NY-1]", "kind": "primary", "person_id": "P000001"}]
        + [{"name": name, "kind": "cosponsor", "person_id": f"C{i:06d}"} for i, name in enumerate(cosponsors)],
    })


@dataclass
class World:
    session: Session
    admin: User
    staff: User
    lobbyist: User

    def store(self, *records: BillRecord) -> list[int]:
        """Ingest (BillChange rows), then flag (BillMatch rows), as a crawl does."""
        result = Ingestor(self.session).ingest([IngestItem(r) for r in records])
        flag_bills(self.session, result.changed_bill_ids)
        self.session.commit()
        return result.changed_bill_ids


@pytest.fixture
def world(session: Session, tmp_path: Any) -> World:
    path = tmp_path / "topics.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=str(path))
    admin = add_user(session, email="admin@chamber.example", role="admin", name="Ada Admin")
    staff = add_user(session, email="sam@chamber.example", role="staff", name="Sam Staff")
    lobbyist = add_user(session, email="lee@chamber.example", role="lobbyist", name="Lee Lobbyist")
    collect_events(session)  # alerts were running before the bills below arrive (the flag baseline is empty)
    session.commit()
    return World(session=session, admin=admin, staff=staff, lobbyist=lobbyist)
