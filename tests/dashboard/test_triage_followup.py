"""The morning triage as staff do it across days and pages: follow-up handed to a colleague, bills that came back
since their review, and the position editor after a trip to another page."""

import datetime as dt

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tracker import positions, triage, users
from tracker.dates import us_today
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Assignment
from tracker.models.base import utcnow
from tracker.permissions import PermissionDenied
from tracker.records import ActionRecord

# Days still ahead whenever the suite runs: a due date already past is refused (tracker.triage.assign).
DUE, LATER = us_today() + dt.timedelta(days=4), us_today() + dt.timedelta(days=7)
TASK = "Draft the *comment* letter <b>before</b> the markup"


def test_the_assignee_sees_the_task_and_due_date_they_were_given(session: Session, seeded: Seeded) -> None:
    """The task typed when assigning was stored and shown nowhere, and no due date could be given: the colleague
    saw only their name on the bill, not what to do or by when."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    bill = seeded.ids["privacy"]
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key=f"sel_{bill}").check().run()
    at.selectbox(key="bulk_assignee").set_value(kim.id).run()
    at.text_input(key="bulk_task").input(TASK).run()
    at.date_input(key="bulk_due").set_value(DUE).run()
    at.button(key="bulk_assign").click().run()
    no_exception(at)
    session.expire_all()
    stored = session.execute(select(Assignment).where(Assignment.bill_id == bill, ~Assignment.done)).scalar_one()
    assert (stored.assignee_id, stored.task, stored.due_date) == (kim.id, TASK, DUE)

    inbox = signed_in(kim, "views/triage.py")
    inbox.checkbox(key="f_mine").check().run()
    shown = texts(inbox)
    assert md(TASK) in shown and md(f"due {DUE}") in shown and "by Staff Person" in shown
    assert "<b>before</b>" not in shown  # the task is people's text: shown as written, never as markup

    page = signed_in(kim, "views/bill.py", query={"id": str(bill)})
    no_exception(page)
    shown = texts(page)
    assert "Kim Staff" in shown and md(TASK) in shown and md(f"due {DUE}") in shown and "by Staff Person" in shown


def test_the_bill_page_assigns_with_a_task_and_due_date(session: Session, seeded: Seeded) -> None:
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    bill = seeded.ids["robotics"]
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    at.selectbox(key="bill_assignee").set_value(kim.id).run()
    at.text_input(key="bill_task").input("Call the sponsor's office").run()
    at.date_input(key="bill_due").set_value(LATER).run()
    at.button(key="bill_assign").click().run()
    no_exception(at)
    assert md("Call the sponsor's office") in texts(at) and md(f"due {LATER}") in texts(at)
    session.expire_all()
    stored = session.execute(select(Assignment).where(Assignment.bill_id == bill, ~Assignment.done)).scalar_one()
    assert (stored.assignee_id, stored.task, stored.due_date) == (kim.id, "Call the sponsor's office",
                                                                  LATER)


def test_the_position_editor_starts_from_the_version_it_shows_after_another_page(session: Session,
                                                                                seeded: Seeded) -> None:
    """The version a save is checked against was kept for the whole sign-in: after a bulk change on the triage
    page (or a colleague's change meanwhile), the bill page showed the new version and its form, yet refused the
    save as a conflict with a change the editor had already seen."""
    staff, bill = seeded.users["staff"], seeded.ids["privacy"]
    at = signed_in(staff, "views/bill.py", query={"id": str(bill)})  # no position yet
    at.switch_page("views/triage.py").run()
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Watch", expected_version=None)
    session.commit()
    at.switch_page("views/bill.py").run()
    no_exception(at)
    assert "**Watch**" in texts(at)
    at.selectbox(key=f"pos_stance_{bill}").select("Support")
    at.text_area(key=f"pos_rationale_{bill}").input("Members asked for it.")
    at.get("form_submit_button")[0].click().run()
    no_exception(at)
    assert "Not saved" not in texts(at)
    session.expire_all()
    saved = positions.get_position(session, bill_id=bill)
    assert (saved["stance"], saved["version"], saved["rationale"]) == ("Support", 2, "Members asked for it.")


def test_a_bill_back_in_the_inbox_says_it_changed_since_its_review(session: Session, seeded: Seeded) -> None:
    """A reviewed bill that changed comes back to the inbox; its row said only "reviewed", as if nothing were new."""
    staff = seeded.users["staff"]
    back, still = seeded.ids["privacy"], seeded.ids["robotics"]
    triage.mark_reviewed(session, actor=staff, bill_ids=[back, still])
    session.commit()
    Ingestor(session).ingest([IngestItem(record(
        2, title="Consumer Data Privacy Act", stage="passed_origin_chamber",
        actions=[ActionRecord(date=dt.date(2025, 3, 1), text="Introduced in House", actor="lower"),
                 ActionRecord(date=dt.date(2025, 6, 2), text="Hearing held.", actor="upper")]))])
    session.commit()
    at = signed_in(staff, "views/triage.py")
    no_exception(at)
    rows = [c.key for c in at.checkbox if c.key.startswith("sel_")]
    assert f"sel_{back}" in rows and f"sel_{still}" not in rows
    captions = [c.value for c in at.caption if "score" in c.value]
    [row] = [c for c in captions if "changed since" in c]
    assert md("changed since reviewed by Staff Person") in row
    assert not [c for c in captions if "\nreviewed" in c.replace("  \n", "\n")]  # no row passes for merely reviewed


def test_a_long_title_cut_in_the_inbox_says_it_goes_on(session: Session, seeded: Seeded) -> None:
    """Real 117th Congress resolutions run past the 400 characters a row shows; the cut text ended mid-sentence
    ("... and a free and open") with nothing saying the title went on."""
    long_title = "A resolution expressing the sense of the Senate " + "that digital trade matters, " * 20 + "finally."
    Ingestor(session).ingest([IngestItem(record(2, title=long_title, stage="passed_origin_chamber"))])
    session.commit()
    at = signed_in(seeded.users["staff"], "views/triage.py")
    no_exception(at)
    [shown] = [m.value for m in at.markdown if m.value.startswith(md("A resolution expressing"))]
    assert shown.endswith(" …"), shown[-40:]  # says the title goes on
    kept = shown.removesuffix(" …")
    assert md(long_title).startswith(kept + " ")  # and cuts it between words


def test_a_bulk_position_keeps_the_rationale_of_a_stance_it_leaves_as_it_was(session: Session,
                                                                            seeded: Seeded) -> None:
    """Raising the priority of bills from the inbox (same stance) erased each one's written rationale, which the
    bill page and every briefing packet print."""
    staff = seeded.users["staff"]
    kept, changed = seeded.ids["privacy"], seeded.ids["robotics"]
    for bill in (kept, changed):
        positions.set_position(session, actor=staff, bill_id=bill, stance="Oppose", rationale="Pre-emption too weak.",
                               expected_version=None)
    session.commit()
    at = signed_in(staff, "views/triage.py")
    at.selectbox(key="f_view").select("all").run()  # bills with a position are reviewed
    at.checkbox(key=f"sel_{kept}").check().run()
    at.selectbox(key="bulk_stance").select("Oppose").run()
    at.selectbox(key="bulk_priority").select("High")
    at.button(key="bulk_position").click().run()
    no_exception(at)
    at.checkbox(key=f"sel_{kept}").uncheck()
    at.checkbox(key=f"sel_{changed}").check().run()
    at.selectbox(key="bulk_stance").select("Support").run()
    at.button(key="bulk_position").click().run()
    no_exception(at)
    session.expire_all()
    same = positions.get_position(session, bill_id=kept)
    assert (same["stance"], same["priority"], same["rationale"], same["version"]) == (
        "Oppose", "High", "Pre-emption too weak.", 2)
    # A new stance does not inherit the reasons for the old one (they stay in the position's history).
    other = positions.get_position(session, bill_id=changed)
    assert (other["stance"], other["rationale"]) == ("Support", None)


def test_bills_assigned_to_me_include_those_no_topic_flags(session: Session, seeded: Seeded) -> None:
    """A bill found through search and assigned from its page is often not flagged; "Only bills assigned to me"
    listed flagged bills only, so its assignee never saw it anywhere."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    quiet, flagged = seeded.ids["quiet"], seeded.ids["privacy"]
    triage.assign(session, actor=seeded.users["staff"], bill_ids=[quiet, flagged], assignee_id=kim.id,
                  task="Check the naming rider", due_date=DUE)
    session.commit()
    at = signed_in(kim, "views/triage.py")
    at.checkbox(key="f_mine").check().run()
    no_exception(at)
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{flagged}", f"sel_{quiet}"]
    assert "**2** bills" in texts(at) and md("Check the naming rider") in texts(at)
    assert any(c.value.startswith("not flagged") for c in at.caption)
    at.selectbox(key="f_topic").select("ai").run()  # a topic still means bills flagged for it
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{flagged}"]


def test_my_assignments_show_whatever_their_triage_state(session: Session, seeded: Seeded) -> None:
    """An assignment is a to-do, open until it is reassigned: with "Only bills assigned to me" the assignee lost it
    from view as soon as anyone reviewed the bill (or set its position), unless they also switched the view."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    bill = seeded.ids["privacy"]
    triage.assign(session, actor=seeded.users["staff"], bill_ids=[bill], assignee_id=kim.id, task="Call the office")
    triage.mark_reviewed(session, actor=seeded.users["staff"], bill_ids=[bill])
    session.commit()
    at = signed_in(kim, "views/triage.py")
    at.checkbox(key="f_mine").check().run()
    no_exception(at)
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{bill}"]
    assert at.selectbox(key="f_view").disabled  # the view does not apply to one's assignments: say so


def test_a_bill_given_a_position_leaves_the_inbox_as_reviewed(session: Session, seeded: Seeded) -> None:
    """Taking a position is a review: the bill stayed in the inbox as "new" every morning after, until someone
    also marked it reviewed. It comes back, as any reviewed bill, when the feeds change it."""
    staff = seeded.users["staff"]
    positioned, dismissed = seeded.ids["privacy"], seeded.ids["robotics"]
    triage.mark_relevant(session, actor=staff, bill_ids=[positioned])
    triage.reopen(session, actor=staff, bill_ids=[positioned])
    triage.dismiss(session, actor=staff, bill_ids=[dismissed])
    session.commit()
    for bill in (positioned, dismissed):
        positions.set_position(session, actor=staff, bill_id=bill, stance="Support", expected_version=None)
    session.commit()
    inbox = [r["id"] for r in triage.inbox(session, triage.InboxFilter())[0]]
    assert positioned not in inbox
    assert triage.triage_state(session, bill_id=positioned)["status"] == "reviewed"
    assert triage.triage_state(session, bill_id=dismissed)["status"] == "dismissed"  # a dismissal is not undone


def test_assign_names_nobody_until_someone_is_chosen(session: Session, seeded: Seeded) -> None:
    """"Assign to" came preselected with the first account by email (an admin), so typing a task and pressing
    Assign handed the bill to them and closed its assignee's open assignment."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    bill = seeded.ids["privacy"]
    triage.assign(session, actor=seeded.users["staff"], bill_ids=[bill], assignee_id=kim.id, task="Call the office")
    session.commit()
    page = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    assert page.selectbox(key="bill_assignee").value == kim.id  # the bill page starts from who has it
    robotics = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(seeded.ids["robotics"])})
    assert robotics.selectbox(key="bill_assignee").value is None and robotics.button(key="bill_assign").disabled
    inbox = signed_in(seeded.users["staff"], "views/triage.py")
    inbox.checkbox(key=f"sel_{bill}").check().run()
    assert inbox.selectbox(key="bulk_assignee").value is None and inbox.button(key="bulk_assign").disabled


def test_the_assignee_marks_the_follow_up_done(session: Session, seeded: Seeded) -> None:
    """An assignment closed only when the bill went to someone else: "Only bills assigned to me" only grew."""
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    bill = seeded.ids["privacy"]
    triage.assign(session, actor=seeded.users["staff"], bill_ids=[bill], assignee_id=kim.id, task="Call the office")
    session.commit()
    page = signed_in(kim, "views/bill.py", query={"id": str(bill)})
    page.button(key="bill_assignment_done").click().run()
    no_exception(page)
    assert "Nobody yet." in texts(page)
    session.expire_all()
    done = session.execute(select(Assignment).where(Assignment.bill_id == bill)).scalar_one()
    assert done.done and done.done_at is not None
    inbox = signed_in(kim, "views/triage.py")
    inbox.checkbox(key="f_mine").check().run()
    assert "Consumer Data Privacy Act" not in texts(inbox)
    # Nothing open any more; a council member may not close someone's follow-up, nor see the button.
    assert triage.complete_assignment(session, actor=kim, bill_id=bill) is False
    triage.assign(session, actor=seeded.users["staff"], bill_ids=[bill], assignee_id=kim.id)
    session.commit()
    with pytest.raises(PermissionDenied):
        triage.complete_assignment(session, actor=seeded.users["council"], bill_id=bill)
    council = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    assert not [b for b in council.button if b.key == "bill_assignment_done"]


def test_a_bill_back_in_the_inbox_says_what_changed_since_its_review(session: Session, seeded: Seeded) -> None:
    """Real 117th Congress bills reviewed in the morning came back as "changed since reviewed" after the next
    import, and neither the row nor the bill page said what had changed: for HR 1 only a related bill had been
    added upstream, which no change record names. The row now says what the feeds changed, or that only details
    did."""
    from tracker.records import RelatedBillRecord

    staff = seeded.users["staff"]
    moved, detail = seeded.ids["privacy"], seeded.ids["robotics"]
    triage.mark_reviewed(session, actor=staff, bill_ids=[moved, detail])
    session.commit()
    Ingestor(session).ingest([
        IngestItem(record(2, title="Consumer Data Privacy Act", stage="enacted", actions=[
            ActionRecord(date=dt.date(2025, 3, 1), text="Introduced in House", actor="lower"),
            ActionRecord(date=dt.date(2025, 6, 2), text="Hearing held.", actor="upper"),
            ActionRecord(date=dt.date(2025, 7, 2), text="Became Public Law No: 119-12.", actor="executive")])),
        IngestItem(record(3, title="Robotics Workforce Act", stage="introduced", related_bills=[
            RelatedBillRecord(jurisdiction_id="us", session_identifier="119", identifier="S 4822",
                              relationship="Related bill", title="Robotics Workforce Act of 2025")])),
    ])
    session.commit()
    rows = {row["id"]: row for row in triage.inbox(session, triage.InboxFilter())[0]}
    assert rows[moved]["changes_since_review"] == ["2 new actions", "stage change"]
    assert rows[detail]["changed_since_review"] and rows[detail]["changes_since_review"] == []
    at = signed_in(staff, "views/triage.py")
    no_exception(at)
    captions = [c.value for c in at.caption if "changed since" in c.value]
    assert any(md("changed since reviewed by Staff Person") in c and md("2 new actions, stage change") in c
               for c in captions), captions
    assert any(md("details only (no new action, stage, text, title or sponsor)") in c for c in captions), captions


def test_the_dismissed_and_reviewed_views_say_who_judged_each_bill_and_when(session: Session, seeded: Seeded) -> None:
    """The Dismissed view listed "dismissed · not relevant" with no name or day: whoever checks yesterday's
    dismissals could not tell who to ask about one."""
    staff = seeded.users["staff"]
    triage.dismiss(session, actor=staff, bill_ids=[seeded.ids["robotics"]])
    session.commit()
    at = signed_in(seeded.users["admin"], "views/triage.py")
    at.selectbox(key="f_view").select("dismissed").run()
    no_exception(at)
    [row] = [c.value for c in at.caption if "score" in c.value]
    assert md(f"dismissed · not relevant · by Staff Person on {utcnow().date().isoformat()}") in row
