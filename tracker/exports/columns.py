"""One row per bill: the columns the spreadsheet and CSV exports share, in order."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.exports.packet import PacketBill, text_kind_links, text_label


@dataclass(frozen=True)
class Column:
    header: str
    kind: str  # text | date | int | url
    get: Callable[[PacketBill], Any]
    max_width: int = 40  # characters: wider text wraps in the spreadsheet instead of widening the column


def key_evidence(bill: PacketBill) -> str:
    return " | ".join(f"{t.name}: {t.evidence[0].snippet}" for t in bill.topics if t.evidence)


def notes_text(bill: PacketBill) -> str:
    return "\n\n".join(f"{n.author} ({n.written_at.date().isoformat()}): {n.body}" for n in bill.notes or ())


def text_version(bill: PacketBill) -> str:
    return f"{text_label(bill.current_text, ' (', 'undated')})" if bill.current_text else ""


def hearing_text(bill: PacketBill) -> str:
    h = bill.next_hearing
    return " · ".join(p for p in (h.clock, h.body, h.location, h.description) if p) if h else ""


COLUMNS: tuple[Column, ...] = (
    Column("Jurisdiction", "text", lambda b: b.jurisdiction.upper(), 14),
    Column("Session", "text", lambda b: b.session, 10),
    Column("Bill", "text", lambda b: b.identifier, 14),
    # The three above are the key a spreadsheet or script joins on; this is how a person reads it.
    Column("Reference", "text", lambda b: b.reference, 36),
    Column("Title", "text", lambda b: b.display_title, 60),
    Column("Official title", "text", lambda b: b.title, 60),
    Column("Stage", "text", lambda b: b.stage_label, 22),
    Column("Latest action date", "date", lambda b: b.latest_action_date, 12),
    Column("Latest action", "text", lambda b: b.latest_action_text, 50),
    Column("Introduced", "date", lambda b: b.introduced_date, 12),
    Column("Position", "text", lambda b: b.position, 22),
    Column("Priority", "text", lambda b: b.priority, 10),
    Column("Rationale", "text", lambda b: b.rationale, 60),
    Column("Staff notes", "text", lambda b: notes_text(b), 60),  # empty unless the packet asked for notes
    Column("Sponsor", "text", lambda b: b.sponsor_names, 36),
    Column("Cosponsors", "int", lambda b: b.cosponsor_count, 10),
    Column("Legislator’s role", "text", lambda b: b.role_label, 36),  # a --sponsor packet: why the bill is in it
    Column("Committees", "text", lambda b: "; ".join(b.committee_lines), 40),  # with what each last did
    Column("Next hearing", "date", lambda b: b.next_hearing.date if b.next_hearing else None, 12),
    Column("Hearing details", "text", hearing_text, 30),
    Column("Topics", "text", lambda b: b.topic_label, 30),
    Column("Key evidence", "text", key_evidence, 60),
    Column("Policy area", "text", lambda b: b.policy_area, 30),
    Column("Summary", "text", lambda b: b.summary, 80),
    Column("Link", "url", lambda b: b.primary_link, 50),
    # The current text (tracker.bill_text): which version, and its PDF and its HTML or formatted text.
    Column("Text version", "text", text_version, 30),
    Column("Text PDF", "url", lambda b: text_kind_links(b.current_text)[0], 50),
    Column("Text HTML/TXT", "url", lambda b: text_kind_links(b.current_text)[1], 50),
    Column("Tracker id", "int", lambda b: b.id, 10),
)
