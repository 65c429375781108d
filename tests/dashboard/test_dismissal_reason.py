"""Dismissing with a reason: why a flagged bill is not the council's business, kept with the dismissal."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from dashboard.components.render import md
from tracker import triage
from tracker.models import TriageState


def test_a_dismissal_keeps_its_reason_until_the_bill_is_judged_again(session: Session, seeded: Seeded) -> None:
    staff, bill = seeded.users["staff"], seeded.ids["robotics"]
    triage.dismiss(session, actor=staff, bill_ids=[bill], reason="  Commemorative resolution: no policy. ")
    state = session.get(TriageState, bill)
    assert (state.status, state.relevance, state.reason) == ("dismissed", "not_relevant",
                                                             "Commemorative resolution: no policy.")
    assert triage.triage_state(session, bill_id=bill)["reason"] == "Commemorative resolution: no policy."
    [row] = triage.inbox(session, triage.InboxFilter(view="dismissed"))[0]
    assert row["reason"] == "Commemorative resolution: no policy."
    triage.reopen(session, actor=staff, bill_ids=[bill])  # the reason was the dismissal's: it goes with it
    assert session.get(TriageState, bill).reason is None
    triage.dismiss(session, actor=staff, bill_ids=[bill], reason="   ")
    assert session.get(TriageState, bill).reason is None
    with pytest.raises(triage.TriageError, match="500 characters"):
        triage.dismiss(session, actor=staff, bill_ids=[bill], reason="x" * 501)


def test_staff_dismiss_from_the_inbox_with_a_reason_and_read_it_back(session: Session, seeded: Seeded) -> None:
    # Dismissed bills said "not relevant" and nothing else: a colleague checking the Dismissed view, or the
    # person tuning a topic's rules, could not tell "ceremonial" from "state-only" from a mistake.
    bill = seeded.ids["robotics"]
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key=f"sel_{bill}").check().run()
    at.text_input(key="bulk_reason").input("Radio, not <b>broadband</b>")
    at.button(key="bulk_dismiss").click().run()
    no_exception(at)
    assert session.get(TriageState, bill).reason == "Radio, not <b>broadband</b>"
    assert at.text_input(key="bulk_reason").value == ""  # not carried over to the next dismissal
    at.selectbox(key="f_view").select("dismissed").run()
    [row] = [c.value for c in at.caption if "score" in c.value]
    assert md("why: Radio, not <b>broadband</b>") in row
    page = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    assert md("Radio, not <b>broadband</b>") in texts(page)
