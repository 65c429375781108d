"""The triage inbox's text box finds a flagged bill by its number too, spelled as people type it."""

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from dashboard.components.render import md
from tracker import triage


def test_the_inbox_text_filter_takes_a_bill_number(session: Session, seeded: Seeded) -> None:
    def found(text: str) -> list[int]:
        return [r["id"] for r in triage.inbox(session, triage.InboxFilter(text=text))[0]]

    for typed in ("H.R. 2", "hr2", "HR 2", "h. r. 2", "HR 0002"):
        assert found(typed) == [seeded.ids["privacy"]], typed
    assert found("AB 5") == [seeded.ids["ca"]]
    assert found("privacy") == [seeded.ids["privacy"]]  # words of the title, as before
    assert found("HR 99") == []
    # A number among words: its bills, and the bills whose title has the other words.
    assert sorted(found("robotics H.R. 2 workforce")) == sorted([seeded.ids["privacy"], seeded.ids["robotics"]])
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.text_input(key="f_text").input("h.r. 3").run()
    no_exception(at)
    shown = texts(at)
    assert md("Robotics Workforce Act") in shown and md("Consumer Data Privacy Act") not in shown
