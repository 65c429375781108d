"""Writing a note on a bill page: a long note cannot be typed past what saving accepts, then lost."""

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from dashboard.components.render import md
from tracker import notes


def test_the_note_box_stops_at_the_length_a_note_may_have(session: Session, seeded: Seeded) -> None:
    # A note past 20,000 characters (a pasted memo) was refused after "Post note", and the form, cleared on
    # submit, had already thrown the text away.
    bill = seeded.ids["privacy"]
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    box = at.text_area(key="note_body")
    assert box.proto.max_chars == notes.MAX_NOTE_CHARS
    box.input("Chair wants a one-pager by Friday.")
    next(b for b in at.get("form_submit_button") if b.label == "Post note").click().run()
    no_exception(at)
    assert md("Chair wants a one-pager by Friday.") in texts(at)
