"""The morning routine done several batches at a time: what one bulk action leaves behind for the next."""

import datetime as dt

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tracker import positions, users
from tracker.models import TriageState


def test_bills_just_assigned_are_not_dismissed_with_the_next_batch(session: Session, seeded: Seeded) -> None:
    """After "Assign" the assigned bills stayed ticked (they stay in the inbox, unlike reviewed ones): the staffer
    then ticked the next noisy bill and clicked "Dismiss as not relevant", and the bills just handed to a colleague
    were dismissed with it."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    privacy, robotics, markup = seeded.ids["privacy"], seeded.ids["robotics"], seeded.ids["markup"]
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key=f"sel_{privacy}").check().run()
    at.checkbox(key=f"sel_{robotics}").check().run()
    at.selectbox(key="bulk_assignee").set_value(kim.id).run()
    at.date_input(key="bulk_due").set_value(dt.date(2026, 12, 11)).run()
    at.button(key="bulk_assign").click().run()
    no_exception(at)
    assert not at.checkbox(key=f"sel_{privacy}").value and not at.checkbox(key=f"sel_{robotics}").value
    assert "**0 selected**" in texts(at)

    at.checkbox(key=f"sel_{markup}").check().run()
    at.button(key="bulk_dismiss").click().run()
    no_exception(at)
    session.expire_all()
    dismissed = set(session.execute(select(TriageState.bill_id).where(TriageState.status == "dismissed")).scalars())
    assert dismissed == {markup}


def test_a_bulk_position_does_not_overwrite_a_colleagues_change_made_since_the_page_was_shown(
        session: Session, seeded: Seeded) -> None:
    """The bulk form checked each bill against the version read in the run its button started, not the one the
    staffer saw: a colleague's "Support" with its rationale, saved between the page showing "no position" and the
    click, was silently replaced by "Oppose". It is refused, naming the bill and who changed it."""
    staff, admin, privacy = seeded.users["staff"], seeded.users["admin"], seeded.ids["privacy"]
    at = signed_in(staff, "views/triage.py")
    at.selectbox(key="f_view").set_value("flagged").run()  # bills with a position stay listed here
    at.checkbox(key=f"sel_{privacy}").check().run()
    at.selectbox(key="bulk_stance").set_value("Oppose").run()
    positions.set_position(session, actor=admin, bill_id=privacy, stance="Support", rationale="Good for members",
                           expected_version=None)
    session.commit()
    at.button(key="bulk_position").click().run()
    no_exception(at)
    session.expire_all()
    assert positions.get_position(session, bill_id=privacy)["stance"] == "Support"
    warning = " ".join(w.value for w in at.warning)
    assert md("H.R. 2 (119th Congress)") in warning and "Admin Person" in warning, warning
