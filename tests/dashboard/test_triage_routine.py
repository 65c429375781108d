"""The morning routine done several batches at a time: what one bulk action leaves behind for the next."""

import datetime as dt

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlalchemy import select
from sqlmodel import Session

from tracker import users
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
