"""The morning routine done several batches at a time: what one bulk action leaves behind for the next."""

import datetime as dt

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlalchemy import select, update
from sqlmodel import Session

from dashboard.components.render import md
from tracker import positions, triage, users
from tracker.dates import us_today
from tracker.models import Assignment, TriageState


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


def _next_links(at) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.proto.label, p.proto.query_string) for p in at.get("page_link")
            if p.proto.label.startswith("Next in the inbox")]


def test_the_bill_page_opened_from_the_inbox_leads_to_the_next_bill(session: Session, seeded: Seeded) -> None:
    """A bill opened from the inbox had no way on: after judging it the staffer went back to the inbox, found
    their place and opened the next one, three clicks and two page loads a bill, every bill of the morning. The
    bill page now links to the next bill of the inbox as filtered and sorted, before and after judging this one."""
    staff, ids = seeded.users["staff"], seeded.ids
    at = signed_in(staff, "views/triage.py")  # strongest first: markup, privacy, robotics, then California's
    inbox_links = {p.proto.query_string for p in at.get("page_link") if p.proto.page == "bill"}
    assert f"id={ids['privacy']}&from=inbox" in inbox_links  # the inbox says where the bill was opened from
    at.query_params["id"], at.query_params["from"] = str(ids["privacy"]), "inbox"
    at.switch_page("views/bill.py").run()
    no_exception(at)
    expected = f"id={ids['robotics']}&from=inbox"
    assert [q for _, q in _next_links(at)] == [expected]
    assert md("Next in the inbox: H.R. 3 — Robotics Workforce Act") == _next_links(at)[0][0]
    at.text_input(key="bill_dismiss_reason").input("Not about tech").run()
    at.button(key="bill_dismiss").click().run()  # judged: out of the inbox, its place kept
    no_exception(at)
    assert [q for _, q in _next_links(at)] == [expected]

    at.query_params["id"] = str(ids["ca"])  # the last bill of the inbox
    at.run()
    assert not _next_links(at) and "the last bill of the inbox" in texts(at)

    # Opened from search or typed in, the page offers no "next": there is no list it came from.
    other = signed_in(staff, "views/bill.py", query={"id": str(ids["privacy"])})
    assert not _next_links(other)


def test_next_in_inbox_follows_the_filter_and_sort_and_keeps_a_judged_bills_place(session: Session,
                                                                                   seeded: Seeded) -> None:
    staff, ids = seeded.users["staff"], seeded.ids
    by_score = triage.InboxFilter()
    assert triage.next_in_inbox(session, by_score, after_id=ids["markup"]) == ids["privacy"]
    triage.dismiss(session, actor=staff, bill_ids=[ids["privacy"]])
    assert triage.next_in_inbox(session, by_score, after_id=ids["privacy"]) == ids["robotics"]
    assert triage.next_in_inbox(session, by_score, after_id=ids["markup"]) == ids["robotics"]  # judged: skipped
    assert triage.next_in_inbox(session, by_score, after_id=ids["ca"]) is None  # the last
    by_number = triage.InboxFilter(sort="identifier", descending=False, jurisdiction="us")
    assert triage.next_in_inbox(session, by_number, after_id=ids["markup"]) == ids["robotics"]
    assert triage.next_in_inbox(session, by_number, after_id=ids["ca"]) is None  # not in this list
    kept = {"f_view": "inbox", "f_since": dt.date(2025, 3, 4), "f_sort": "date"}  # as the inbox page keeps them
    kept_filter = triage.InboxFilter.from_saved(kept, assignee_id=None, new_from=triage.new_since())
    assert kept_filter.since == dt.date(2025, 3, 4)


def test_a_due_date_already_past_is_refused_and_a_missed_one_says_overdue(session: Session, seeded: Seeded) -> None:
    """A due date in the past was taken as given (a slip of the year in the date box: "2025-12-11"), and a follow-up
    whose day had gone by read "due 2026-12-01" like any other, in the assignee's list and on the bill page: nobody
    saw what was late."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    staff, privacy = seeded.users["staff"], seeded.ids["privacy"]
    today = us_today()
    with pytest.raises(triage.TriageError, match=r"is already past"):
        triage.assign(session, actor=staff, bill_ids=[privacy], assignee_id=kim.id, due_date=today - dt.timedelta(1))
    triage.assign(session, actor=staff, bill_ids=[privacy], assignee_id=kim.id, task="Call the sponsor",
                  due_date=today)
    assert not triage.open_assignments(session, [privacy])[privacy]["overdue"]
    session.execute(update(Assignment).values(due_date=today - dt.timedelta(days=3)))  # three days go by
    session.commit()
    assert triage.open_assignments(session, [privacy])[privacy]["overdue"]

    inbox = signed_in(kim, "views/triage.py")
    inbox.checkbox(key="f_mine").check().run()
    no_exception(inbox)
    late = md(f"overdue: due {today - dt.timedelta(days=3)}")
    assert late in texts(inbox)


def test_the_bill_page_says_overdue_and_the_form_says_why_a_past_date_is_refused(session: Session,
                                                                                 seeded: Seeded) -> None:
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    staff, privacy, today = seeded.users["staff"], seeded.ids["privacy"], us_today()
    triage.assign(session, actor=staff, bill_ids=[privacy], assignee_id=kim.id, due_date=today)
    session.execute(update(Assignment).values(due_date=today - dt.timedelta(days=3)))  # three days go by
    session.commit()
    page = signed_in(kim, "views/bill.py", query={"id": str(privacy)})
    assert md(f"overdue: due {today - dt.timedelta(days=3)}") in texts(page)

    at = signed_in(staff, "views/triage.py")  # the form says why, with the date as typed
    at.checkbox(key=f"sel_{seeded.ids['robotics']}").check().run()
    at.selectbox(key="bulk_assignee").set_value(kim.id).run()
    at.date_input(key="bulk_due").set_value(today - dt.timedelta(days=365)).run()
    at.button(key="bulk_assign").click().run()
    no_exception(at)
    assert "is already past" in " ".join(e.value for e in at.error)


def test_search_results_say_where_the_council_stands_on_each_bill(session: Session, seeded: Seeded) -> None:
    """A search result said its stage and latest action only: to learn whether the council already supports a
    bill, or a colleague dismissed it as noise, the staffer opened every result."""
    staff, ids = seeded.users["staff"], seeded.ids
    positions.set_position(session, actor=staff, bill_id=ids["privacy"], stance="Support if amended",
                           expected_version=None)
    triage.dismiss(session, actor=staff, bill_ids=[ids["robotics"]], reason="Not our members")
    session.commit()
    at = signed_in(staff, "views/search.py")
    at.text_input(key="q").input("Act").run()
    no_exception(at)
    captions = [c.value for c in at.caption]
    privacy = next(c for c in captions if md("Support if amended") in c)
    assert "position" in privacy and "reviewed" in privacy
    assert any(md("dismissed · not relevant") in c for c in captions)
    assert any("not reviewed yet" in c for c in captions)  # the markup bill: flagged, nobody has looked


def test_a_bulk_position_takes_a_rationale(session: Session, seeded: Seeded) -> None:
    """The bulk form had no rationale: "Support if amended" set on five bills said nowhere which amendments, and
    packets printed the stance bare until someone opened each bill to write the same words five times."""
    staff, privacy, robotics = seeded.users["staff"], seeded.ids["privacy"], seeded.ids["robotics"]
    at = signed_in(staff, "views/triage.py")
    at.checkbox(key=f"sel_{privacy}").check().run()
    at.checkbox(key=f"sel_{robotics}").check().run()
    at.selectbox(key="bulk_stance").set_value("Support if amended").run()
    at.text_area(key="bulk_rationale").input("Only with the small-business exemption").run()
    at.button(key="bulk_position").click().run()
    no_exception(at)
    session.expire_all()
    for bill in (privacy, robotics):
        got = positions.get_position(session, bill_id=bill)
        assert (got["stance"], got["rationale"]) == ("Support if amended", "Only with the small-business exemption")
    assert not at.text_area(key="bulk_rationale").value  # this batch's reasons are not the next one's
