"""The triage inbox at a working size: paging past a judged last page, literal title words, the assignee list;
saved filters (triage and search) applied and deleted."""

import datetime as dt

import pytest
from apptest_helpers import APP, TIMEOUT, no_exception, sign_in_state, signed_in, texts
from dash_fixtures import Seeded, record
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard.components.render import md
from tests.sqlite_busy import writer_held
from tracker import triage, users, visits, watchlists
from tracker.dates import US_EASTERN
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillMatch, FirstFlag, InboxVisit, TriageState
from tracker.models.base import utcnow

# How a refusal names each role (tracker.permissions): the words, not the role's code.
SIGNED_IN_AS = {"staff": "policy staff", "council": "a council member", "lobbyist": "a lobbyist"}

PAGE_SIZE = 25  # dashboard/views/triage.py


def _flag_more(session: Session, seeded: Seeded, numbers: range, **overrides: object) -> list[int]:
    """More flagged bills beside the seeded four, so the inbox has more than one page."""
    Ingestor(session).ingest([IngestItem(record(n, **overrides)) for n in numbers])
    session.commit()
    ids = list(session.execute(select(Bill.id).where(Bill.identifier.in_([f"HR {n}" for n in numbers]))).scalars())
    for bill_id in ids:
        session.add(BillMatch(bill_id=bill_id, topic_id=seeded.topic.id, score=1.0, flagged=True, rule_version=1))
    session.commit()
    return ids


def test_judging_the_whole_last_page_shows_the_new_last_page(session: Session, seeded: Seeded) -> None:
    _flag_more(session, seeded, range(100, 100 + PAGE_SIZE + 1 - 4))  # 26 flagged: two pages, one bill on the second
    at = signed_in(seeded.users["staff"], "views/triage.py")
    assert f"**26** bills · 0 new {triage.new_since_words()} · page 1 of 2" in texts(at)
    at.number_input(key="f_page").set_value(2).run()
    last = [c for c in at.checkbox if c.key.startswith("sel_")]
    assert len(last) == 1
    last[0].check().run()
    at.button(key="bulk_dismiss").click().run()
    no_exception(at)
    shown = texts(at)
    assert f"**25** bills · 0 new {triage.new_since_words()} · page 1 of 1" in shown
    assert "Nothing to triage here" not in shown
    assert len([c for c in at.checkbox if c.key.startswith("sel_")]) == PAGE_SIZE


def test_title_words_are_matched_literally_not_as_wildcards(session: Session, seeded: Seeded) -> None:
    [percent] = _flag_more(session, seeded, range(200, 201), title="Broadband 100% Coverage Act")
    [money] = _flag_more(session, seeded, range(201, 202), title="Grants of $100,000 for data_centers")
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.text_input(key="f_text").set_value("100%").run()
    no_exception(at)
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{percent}"]
    at.text_input(key="f_text").set_value("_").run()
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{money}"]
    assert "**1** bill" in texts(at)


def test_assignee_list_drops_a_deactivated_or_demoted_account_at_once(session: Session, seeded: Seeded) -> None:
    sam = users.add_user(session, email="sam@example.org", role="staff", name="Sam Staff")
    kim = users.add_user(session, email="kim@example.org", role="staff", name="Kim Staff")
    session.commit()
    at = signed_in(seeded.users["staff"], "views/triage.py")
    assert {"Sam Staff", "Kim Staff"} <= set(at.selectbox(key="bulk_assignee").options)
    admin = seeded.users["admin"]
    users.deactivate(session, email=sam.email, actor=admin)
    users.set_role(session, email=kim.email, role="council", actor=admin)
    session.commit()
    at.run()
    no_exception(at)
    left = at.selectbox(key="bulk_assignee").options
    assert "Sam Staff" not in left and "Kim Staff" not in left and "Staff Person" in left


def test_bills_are_assigned_only_to_people_who_can_triage(session: Session, seeded: Seeded) -> None:
    for role in ("council", "lobbyist"):
        with pytest.raises(triage.TriageError, match=f"is {SIGNED_IN_AS[role]}: only administrators and "
                                                         "policy staff take assignments"):
            triage.assign(session, actor=seeded.users["staff"], bill_ids=[seeded.ids["ca"]],
                          assignee_id=seeded.users[role].id)
    assert triage.current_assignees(session, [seeded.ids["ca"]]) == {}


@pytest.mark.parametrize(("page", "key", "widget", "value"), [
    ("views/triage.py", "saved", "f_jurisdiction", "ca"), ("views/search.py", "q_saved", "q_jurisdiction", "ca")])
def test_a_saved_filter_applies_and_its_owner_deletes_it(session: Session, seeded: Seeded, page: str, key: str,
                                                         widget: str, value: str) -> None:
    # Saved filters could be made and applied but never deleted: a shared one made by mistake stayed on
    # everyone's list. The owner (or an admin) deletes it; anyone else is refused by the service.
    where = page.removeprefix("views/").removesuffix(".py")
    staff, council = seeded.users["staff"], seeded.users["council"]
    watchlists.save_filter(session, actor=staff, page=where, name="California", params={widget: value},
                           shared=True)
    session.commit()

    at = signed_in(council, page)
    at.selectbox(key=f"{key}_pick").select("California (shared by Staff Person)").run()
    at.button(key=f"{key}_apply").click().run()
    no_exception(at)
    assert at.selectbox(key=widget).value == value
    at.selectbox(key=f"{key}_pick").select("California (shared by Staff Person)").run()
    at.button(key=f"{key}_delete").click().run()
    assert md("council@example.org may only delete their own saved filters.") in texts(at)
    assert [f.name for f in watchlists.saved_filters(session, actor=council, page=where)] == ["California"]

    watchlists.save_filter(session, actor=staff, page=where, name="Federal", params={widget: "us"})
    session.commit()
    at = signed_in(staff, page)
    at.selectbox(key=f"{key}_pick").select("California").run()
    at.button(key=f"{key}_delete").click().run()
    no_exception(at)
    session.expire_all()
    assert [f.name for f in watchlists.saved_filters(session, actor=staff, page=where)] == ["Federal"]
    pick = at.selectbox(key=f"{key}_pick")  # the deleted one is no longer offered, nor still picked
    assert (pick.options, pick.value) == (["—", "Federal"], "—")
    assert at.button(key=f"{key}_delete").disabled  # nothing picked, nothing to delete


def test_filters_sort_and_page_survive_opening_a_bill_and_coming_back(session: Session, seeded: Seeded) -> None:
    """Widget state lives only while its page is shown: each bill opened from page 3 of a topic's inbox sent its
    reader back to page 1 of everything, sorted by score."""
    _flag_more(session, seeded, range(100, 100 + PAGE_SIZE + 6))
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.selectbox(key="f_jurisdiction").select("us").run()
    at.selectbox(key="f_sort").select("identifier").run()
    at.number_input(key="f_page").set_value(2).run()
    shown = [c.key for c in at.checkbox if c.key.startswith("sel_")]
    assert "page 2 of 2" in texts(at) and shown
    at.switch_page("views/bill.py").run()
    at.switch_page("views/triage.py").run()
    no_exception(at)
    assert (at.selectbox(key="f_jurisdiction").value, at.selectbox(key="f_sort").value) == ("us", "identifier")
    assert "page 2 of 2" in texts(at) and [c.key for c in at.checkbox if c.key.startswith("sel_")] == shown


def test_a_whole_page_is_selected_and_cleared_in_one_click(session: Session, seeded: Seeded) -> None:
    """Bulk actions took one click per bill, each a full rerun of the page (about 3 s on the 117th Congress):
    dismissing a page of 25 noisy resolutions took over a minute of clicking."""
    _flag_more(session, seeded, range(100, 100 + PAGE_SIZE))
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.button(key="select_page").click().run()
    no_exception(at)
    boxes = [c for c in at.checkbox if c.key.startswith("sel_")]
    assert len(boxes) == PAGE_SIZE and all(c.value for c in boxes)
    assert f"**{PAGE_SIZE} selected**" in texts(at)
    at.button(key="select_none").click().run()
    assert not any(c.value for c in at.checkbox if c.key.startswith("sel_"))
    council = signed_in(seeded.users["council"], "views/triage.py")
    assert not [b for b in council.button if b.key in ("select_page", "select_none")]


def test_a_ceremonial_resolution_says_why_it_is_listed_last(session: Session, seeded: Seeded) -> None:
    # Its score is the strongest, its place the last: the row says why, or staff read it as a sorting bug.
    match = session.execute(select(BillMatch).where(BillMatch.bill_id == seeded.ids["markup"])).scalar_one()
    match.ceremonial = "designates or observes a day, week or month"
    session.commit()
    at = signed_in(seeded.users["staff"], "views/triage.py")
    no_exception(at)
    rows = [c.value for c in at.caption if "score" in c.value]
    assert "ceremonial: designates or observes a day, week or month" in rows[-1]
    assert not any("ceremonial" in row for row in rows[:-1])


def test_the_inbox_says_how_many_bills_are_new_since_yesterday_and_shows_only_those(session: Session,
                                                                                      seeded: Seeded) -> None:
    """Staff open the inbox every morning and could not tell what had come in since the day before: the count
    leads the list, a tick lists only those bills, and a bill opened from it leads to the next new one."""
    ids = seeded.ids
    cut_off = triage.new_since()
    session.add_all([FirstFlag(bill_id=ids["markup"], first_flagged_at=cut_off - dt.timedelta(days=3)),
                     FirstFlag(bill_id=ids["robotics"], first_flagged_at=cut_off - dt.timedelta(minutes=1)),
                     FirstFlag(bill_id=ids["privacy"], first_flagged_at=cut_off + dt.timedelta(hours=2)),
                     FirstFlag(bill_id=ids["ca"], first_flagged_at=utcnow())])
    session.commit()
    at = signed_in(seeded.users["council"], "views/triage.py")  # readers see it too
    no_exception(at)
    assert f"**4** bills · 2 new {triage.new_since_words()} · page 1 of 1" in texts(at)

    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key="f_new").check().run()
    no_exception(at)
    assert {c.key for c in at.checkbox if c.key.startswith("sel_")} == {f"sel_{ids['privacy']}", f"sel_{ids['ca']}"}
    assert f"**2** bills · 2 new {triage.new_since_words()} · page 1 of 1" in texts(at)
    at.checkbox(key=f"sel_{ids['privacy']}").check().run()
    at.button(key="bulk_mark_reviewed").click().run()  # reviewed: out of the inbox, and no longer counted
    no_exception(at)
    assert f"**1** bill · 1 new {triage.new_since_words()} · page 1 of 1" in texts(at)
    at.query_params["id"], at.query_params["from"] = str(ids["privacy"]), "inbox"
    at.switch_page("views/bill.py").run()  # "next" follows the tick: the other new bill, not the strongest
    no_exception(at)
    assert [p.proto.query_string for p in at.get("page_link") if p.proto.label.startswith("Next in the inbox")] \
        == [f"id={ids['ca']}&from=inbox"]


@pytest.mark.parametrize(("page", "key", "widget", "value"), [
    ("views/triage.py", "save_filter", "f_jurisdiction", "ca"), ("views/search.py", "q_save", "q_jurisdiction", "ca")])
def test_saving_under_a_name_already_used_asks_before_replacing(session: Session, seeded: Seeded, page: str,
                                                                key: str, widget: str, value: str) -> None:
    """Saving a filter under a name already used silently replaced the one saved: a staffer's careful "AI weekly"
    was gone after a slip of the name. The page now asks, naming the filter, and replaces it only
    when told to; cancelling keeps the one saved."""
    where = page.removeprefix("views/").removesuffix(".py")
    staff = seeded.users["staff"]
    watchlists.save_filter(session, actor=staff, page=where, name="AI weekly", params={widget: "us"})
    session.commit()

    def stored() -> dict:
        session.expire_all()
        [saved] = watchlists.saved_filters(session, actor=staff, page=where)
        return saved.params

    at = signed_in(staff, page)
    at.selectbox(key=widget).select(value).run()
    at.text_input(key=f"{key}_name").input("AI weekly").run()
    at.button(key=key).click().run()
    no_exception(at)
    assert md("You already have a saved filter named 'AI weekly'") in " ".join(w.value for w in at.warning)
    assert stored()[widget] == "us"  # nothing replaced yet
    at.button(key=f"{key}_cancel").click().run()
    no_exception(at)
    assert not at.warning and stored()[widget] == "us"
    assert not [b for b in at.button if b.key == f"{key}_replace"]

    at.button(key=key).click().run()
    at.button(key=f"{key}_replace").click().run()
    no_exception(at)
    assert stored()[widget] == value
    assert "Replaced saved" in " ".join(s.value for s in at.success)
    assert not at.warning


def test_a_bulk_judgement_leaves_a_bill_a_colleague_judged_meanwhile_and_says_which(session: Session,
                                                                                  seeded: Seeded) -> None:
    """Two staff on the flagged bills (dismissed ones aside, so a bill judged relevant stays listed): a colleague
    marked a bill relevant while it stood ticked here, and a bulk "Dismiss as not relevant" replaced their
    judgement unseen. The others are dismissed; that one is kept and named, with who judged it."""
    privacy, robotics, admin = seeded.ids["privacy"], seeded.ids["robotics"], seeded.users["admin"]
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.selectbox(key="f_view").select("flagged").run()
    at.checkbox(key=f"sel_{privacy}").check().run()
    at.checkbox(key=f"sel_{robotics}").check().run()
    triage.mark_relevant(session, actor=admin, bill_ids=[privacy])
    session.commit()
    at.button(key="bulk_dismiss").click().run()
    no_exception(at)
    warning = " ".join(w.value for w in at.warning)
    assert md("H.R. 2 (119th Congress): Not saved: Admin Person judged this bill reviewed · relevant") in warning
    session.expire_all()
    assert session.get(TriageState, robotics).status == "dismissed"
    assert (session.get(TriageState, privacy).relevance, session.get(TriageState, privacy).user_id) == (
        "relevant", admin.id)


def _washington(moment: dt.datetime) -> str:
    """"Fri 4 Dec, 4:20 PM EST" (the year too when it is not this year's): a moment as the inbox states it."""
    t = moment.astimezone(US_EASTERN)
    year = f" {t.year}" if t.year != utcnow().astimezone(US_EASTERN).year else ""
    return f"{t:%a} {t.day} {t:%b}{year}, {t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'} {t:%Z}"


def test_the_inbox_counts_new_since_the_readers_last_visit_and_keeps_the_marks_while_they_work(
        session: Session, seeded: Seeded) -> None:
    """Staff away three days, or who looked at 4 PM yesterday, saw "new since yesterday": the weekend's bills, or
    the ones they had already seen. Each reader's inbox counts from their own last visit, states its time on
    Washington's clock, and keeps its marks through reloads and ticks; a reader with no visit recorded gets the
    working-day rule, and a council member's visit moves nothing of a staffer's."""
    ids, staff, council = seeded.ids, seeded.users["staff"], seeded.users["council"]
    last = utcnow() - dt.timedelta(hours=20)
    visits.record_visit(session, reader=staff, now=last)
    session.add_all([FirstFlag(bill_id=ids["markup"], first_flagged_at=last - dt.timedelta(days=10)),
                     FirstFlag(bill_id=ids["robotics"], first_flagged_at=last - dt.timedelta(minutes=1)),
                     FirstFlag(bill_id=ids["privacy"], first_flagged_at=last + dt.timedelta(hours=1)),
                     FirstFlag(bill_id=ids["ca"], first_flagged_at=utcnow())])
    session.commit()
    since = f"since your last visit ({_washington(last)})"

    at = signed_in(staff, "views/triage.py")
    no_exception(at)
    assert f"**4** bills · 2 new {since} · page 1 of 1" in texts(at)
    assert at.checkbox(key="f_new").label == "New to me"
    assert f"first flagged since {_washington(last)}, Washington time" in at.checkbox(key="f_new").help
    marked = [c.value for c in at.caption if c.value.startswith("new since your last visit")]
    assert len(marked) == 2
    at.run()  # a reload a moment later: the marks stay
    at.checkbox(key="f_new").check().run()
    no_exception(at)
    assert {c.key for c in at.checkbox if c.key.startswith("sel_")} == {f"sel_{ids['privacy']}", f"sel_{ids['ca']}"}
    assert f"**2** bills · 2 new {since} · page 1 of 1" in texts(at)
    at.query_params["id"], at.query_params["from"] = str(ids["privacy"]), "inbox"
    at.switch_page("views/bill.py").run()  # a bill opened from the inbox, "next" among the new ones, and back
    no_exception(at)
    assert [p.proto.query_string for p in at.get("page_link") if p.proto.label.startswith("Next in the inbox")] \
        == [f"id={ids['ca']}&from=inbox"]
    at.switch_page("views/triage.py").run()
    assert f"**2** bills · 2 new {since} · page 1 of 1" in texts(at)

    reader = signed_in(council, "views/triage.py")  # no visit of theirs recorded: the working-day rule
    no_exception(reader)
    assert f"**4** bills · 3 new {triage.new_since_words()} · page 1 of 1" in texts(reader)
    start = triage.new_since()
    assert f"first flagged since {_washington(start)}, Washington time" in reader.checkbox(key="f_new").help
    assert "No earlier visit of yours to the inbox is recorded" in reader.checkbox(key="f_new").help
    at.run()
    assert f"**2** bills · 2 new {since} · page 1 of 1" in texts(at)


def test_the_inbox_opens_while_an_import_holds_sqlites_one_writer(session: Session, seeded: Seeded, database_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Each look at the inbox is written down; behind an import's batch holding SQLite's write lock that write
    failed with "database is locked", and the inbox with it. The look goes unrecorded (the next one is) and the
    inbox shows the cut-off it has."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer and its busy timeout; PostgreSQL waits only for the row a look touches")
    staff = seeded.users["staff"]
    last = utcnow() - dt.timedelta(hours=20)
    visits.record_visit(session, reader=staff, now=last)
    session.commit()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    sign_in_state(at, staff)
    with writer_held(database_url, monkeypatch):  # another process's batch, holding the lock past the wait
        at.run()
        at.switch_page("views/triage.py").run()
    no_exception(at)
    assert f"new since your last visit ({_washington(last)})" in texts(at)
    session.expire_all()
    assert session.get(InboxVisit, staff.id).last_seen_at == last  # unrecorded: the next look is
