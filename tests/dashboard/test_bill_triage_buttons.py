"""The bill page's triage buttons ("Reviewed", "Relevant", "Not relevant"): a refusal of the service is shown as
the position form shows its own, not as a Streamlit exception."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from dashboard.components.render import md
from tracker import triage
from tracker.models import TriageState


def _errors(at) -> str:  # type: ignore[no-untyped-def]
    return " ".join(e.value for e in at.error)


def test_a_judgement_a_colleague_made_since_the_page_was_opened_is_not_overwritten(session: Session,
                                                                                   seeded: Seeded) -> None:
    """Two staff on the same morning inbox: a colleague dismissed the bill, with a reason, while it stood open here;
    "Relevant" silently replaced their judgement. It is refused, saying who judged it and how, and the page shows
    their judgement; judged again once seen, it is saved."""
    bill, staff, admin = seeded.ids["privacy"], seeded.users["staff"], seeded.users["admin"]
    at = signed_in(staff, "views/bill.py", query={"id": str(bill)})
    assert "Not triaged yet." in texts(at)
    triage.dismiss(session, actor=admin, bill_ids=[bill], reason="State-only <b>rules</b>")
    session.commit()
    at.button(key="bill_mark_relevant").click().run()
    no_exception(at)
    assert md("Not saved: Admin Person judged this bill dismissed · not relevant") in _errors(at)
    assert md("State-only <b>rules</b>") in texts(at)  # their judgement and why, as the page now shows it
    session.expire_all()
    assert (session.get(TriageState, bill).status, session.get(TriageState, bill).user_id) == ("dismissed", admin.id)

    at.button(key="bill_mark_relevant").click().run()  # seen now: a deliberate judgement over theirs
    no_exception(at)
    assert not at.error
    session.expire_all()
    assert (session.get(TriageState, bill).relevance, session.get(TriageState, bill).user_id) == ("relevant",
                                                                                                   staff.id)


@pytest.mark.parametrize("button", ["bill_mark_reviewed", "bill_dismiss"])
def test_each_button_shows_the_refusal_and_keeps_the_reason_typed(session: Session, seeded: Seeded,
                                                                  button: str) -> None:
    bill = seeded.ids["robotics"]
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    at.text_input(key="bill_dismiss_reason").input("Workforce, not robotics policy")
    triage.mark_reviewed(session, actor=seeded.users["admin"], bill_ids=[bill])
    session.commit()
    at.button(key=button).click().run()
    no_exception(at)
    assert md("Not saved: Admin Person judged this bill reviewed") in _errors(at)
    assert at.text_input(key="bill_dismiss_reason").value == "Workforce, not robotics policy"  # not thrown away


def test_the_service_refuses_a_judgement_on_a_state_the_actor_did_not_see(session: Session, seeded: Seeded) -> None:
    bill, staff, admin = seeded.ids["ca"], seeded.users["staff"], seeded.users["admin"]
    triage.mark_reviewed(session, actor=staff, bill_ids=[bill], seen={bill: None})  # nobody had judged it
    seen = session.get(TriageState, bill).changed_at
    triage.dismiss(session, actor=admin, bill_ids=[bill], seen={bill: seen})
    with pytest.raises(triage.TriageConflict, match="Admin Person judged this bill dismissed"):
        triage.reopen(session, actor=staff, bill_ids=[bill], seen={bill: seen})
    with pytest.raises(triage.TriageConflict):
        triage.mark_relevant(session, actor=staff, bill_ids=[bill], seen={bill: None})
    markup = seeded.ids["markup"]
    triage.mark_reviewed(session, actor=admin, bill_ids=[markup])
    with pytest.raises(triage.TriageConflict, match=rf"2 bills were judged .* \(bill {bill}, {markup}\)"):
        triage.reopen(session, actor=staff, bill_ids=[bill, markup], seen={bill: None, markup: None})
    assert session.get(TriageState, bill).status == "dismissed"
    for role in ("council", "lobbyist"):  # refused by the service, whatever a page offers
        with pytest.raises(triage.PermissionDenied):
            triage.mark_relevant(session, actor=seeded.users[role], bill_ids=[bill])
