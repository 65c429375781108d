"""A bill without a position offers no stance ready-made: saving one is always a choice."""

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from tracker import positions


def test_the_bill_page_form_starts_without_a_stance_and_refuses_to_save_none(session: Session,
                                                                             seeded: Seeded) -> None:
    # The form showed "Position: Support" under "No position yet.", and saving a rationale or a priority alone
    # recorded the council as supporting the bill.
    bill = seeded.ids["privacy"]
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    assert at.selectbox(key=f"pos_stance_{bill}").value is None
    at.selectbox(key=f"pos_priority_{bill}").select("High")
    at.text_area(key=f"pos_rationale_{bill}").input("Still reading the manager's amendment.")
    next(b for b in at.get("form_submit_button") if b.label == "Save position").click().run()
    no_exception(at)
    assert "Choose a position to save." in texts(at)
    assert positions.get_position(session, bill_id=bill) is None
    assert at.text_area(key=f"pos_rationale_{bill}").value == "Still reading the manager's amendment."  # kept
    at.selectbox(key=f"pos_stance_{bill}").select("Watch")
    next(b for b in at.get("form_submit_button") if b.label == "Save position").click().run()
    saved = positions.get_position(session, bill_id=bill)
    assert (saved["stance"], saved["priority"]) == ("Watch", "High")  # type: ignore[index]


def test_the_bulk_form_sets_no_position_until_one_is_chosen(session: Session, seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key=f"sel_{seeded.ids['ca']}").check().run()
    assert at.selectbox(key="bulk_stance").value is None
    assert at.button(key="bulk_position").disabled
    at.selectbox(key="bulk_stance").select("Oppose").run()
    assert not at.button(key="bulk_position").disabled
