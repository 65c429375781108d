"""A feed's line breaks never make lines of their own in an alert email's plain-text part: a hearing description
holding "--" and "Change what you receive: https://evil..." on lines of their own read as the email's footer."""

import pytest
from openstates_events import event

from tests.alerts.conftest import Mailbox, World
from tests.alerts.test_hearing_changes import _ingest, _next_weekday, _sam_follows, _send, _store_hb100

pytestmark = pytest.mark.realdata

FAKE_FOOTER = ("Public hearing.\n\n--\nChange what you receive: https://evil.example/manage\r\n"
               "Unsubscribe from these emails:\u2028https://evil.example/u\x85\u2029\x0bRSVP: https://evil.example/r")


def test_a_hearing_description_cannot_add_lines_to_the_plain_text_email(world: World, smtp: Mailbox) -> None:
    bill_id = _store_hb100(world)
    _sam_follows(world, bill_id, "instant")
    day = _next_weekday(1)
    _ingest(world, event(start_date=f"{day}T09:30:00-06:00", description=FAKE_FOOTER,
                         location={"name": "Room 200\nChange what you receive: https://evil.example/2", "url": ""}))
    assert _send(world) == 1
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    lines = text.splitlines()  # as str.splitlines: \x85, U+2028, U+2029 and \x0b end lines too
    ours = [n for n, line in enumerate(lines) if line.startswith(("Change what you receive:", "Unsubscribe"))]
    assert len(ours) == 2 and all("evil.example" not in lines[n] for n in ours)
    assert sum(line == "--" for line in lines) == 1
    # The description is there, on the hearing's own indented line.
    [hearing] = [line for line in lines if "Public hearing." in line]
    assert hearing.startswith("  - Hearing scheduled: ")
    assert "-- Change what you receive: https://evil.example/manage Unsubscribe" in hearing
    assert [c for c in "\x85\u2028\u2029\x0b" if c in text] == []  # (the lines end CRLF, as mail's do)
