"""The services own the rules: each role's limits, optimistic versions, the append-only history."""

import datetime as dt
import threading
import time

import pytest
from dash_fixtures import PASSWORD, Seeded, record
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tracker import notes, positions, search, triage, users, watchlists
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Assignment, Bill, BillMatch, PositionHistory, TriageState
from tracker.permissions import PermissionDenied

# How a refusal names each role (tracker.permissions): the words, not the role's code.
SIGNED_IN_AS = {"staff": "policy staff", "council": "a council member", "lobbyist": "a lobbyist"}

WRITERS = ("admin", "staff")
READERS = ("council", "lobbyist")


# -- users --------------------------------------------------------------------------------------------------

def test_passwords_are_argon2_hashes_and_sign_in_works(session: Session, seeded: Seeded) -> None:
    staff = seeded.users["staff"]
    assert staff.password_hash.startswith("$argon2id$") and PASSWORD not in staff.password_hash
    assert users.authenticate(session, email="STAFF@example.org ", password=PASSWORD).id == staff.id
    with pytest.raises(users.AuthError, match="Wrong email or password"):
        users.authenticate(session, email="staff@example.org", password="wrong password!")
    with pytest.raises(users.AuthError, match="Wrong email or password"):
        users.authenticate(session, email="nobody@example.org", password=PASSWORD)


def test_every_refused_sign_in_costs_one_password_check(session: Session, seeded: Seeded,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Timing must not tell which emails have an account, nor which accounts were made without a password (the
    Users page allows that): each refusal runs the argon2 check once, as a wrong password does."""
    users.add_user(session, email="nopass@example.org", role="council", password=None,
                   actor=seeded.users["admin"])
    session.commit()
    checks = []

    class CountingHasher(type(users._hasher)):  # argon2's own hasher, counting its checks
        def verify(self, *args: object) -> bool:
            checks.append(1)
            return super().verify(*args)

    monkeypatch.setattr(users, "_hasher", CountingHasher())
    for email in ("staff@example.org", "nobody@example.org", "nopass@example.org"):
        checks.clear()
        with pytest.raises(users.AuthError, match="Wrong email or password"):
            users.authenticate(session, email=email, password="wrong password!")
        assert len(checks) == 1, email


def test_first_account_must_be_admin(session: Session) -> None:
    with pytest.raises(users.UserError, match="first account must be one"):
        users.add_user(session, email="a@example.org", role="staff", password=PASSWORD)
    admin = users.add_user(session, email="a@example.org", role="admin", password=PASSWORD)
    assert admin.role == "admin"
    with pytest.raises(users.UserError, match="already exists"):
        users.add_user(session, email="A@example.org", role="staff", password=PASSWORD)
    with pytest.raises(users.UserError, match="Unknown role"):
        users.add_user(session, email="b@example.org", role="boss", password=PASSWORD)
    with pytest.raises(users.UserError, match="at least"):
        users.add_user(session, email="b@example.org", role="staff", password="short")
    with pytest.raises(users.UserError, match="last active admin"):
        users.set_role(session, email="a@example.org", role="staff", actor=admin)


def test_two_admins_adding_the_same_email_at_once_get_a_plain_refusal(engine: Engine, seeded: Seeded) -> None:
    """Both checks for an existing account run before either insert commits; the second insert then meets the
    unique index. That ended in an IntegrityError traceback on the Users page and in `tracker users add`; it is
    the same refusal as a sequential duplicate, and the first account stands."""
    admin = seeded.users["admin"]
    first = Session(engine, expire_on_commit=False)
    users.add_user(first, email="twice@example.org", role="staff", password=PASSWORD, actor=admin)  # not committed
    outcome: list[object] = []

    def second_admin() -> None:
        with Session(engine) as second:
            try:
                users.add_user(second, email="twice@example.org", role="council", password=PASSWORD, actor=admin)
                second.commit()
                outcome.append("added")
            except Exception as exc:  # noqa: BLE001 - the test reports what escaped
                outcome.append(exc)

    worker = threading.Thread(target=second_admin)
    worker.start()
    time.sleep(1.0)  # the second admin has checked and is waiting at its insert for the first to commit
    first.commit()
    first.close()
    worker.join(timeout=60)
    assert len(outcome) == 1 and isinstance(outcome[0], users.UserError), outcome
    assert "already exists" in str(outcome[0])
    with Session(engine) as check:
        assert users.get_user(check, "twice@example.org").role == "staff"


@pytest.mark.parametrize("role", ["staff", "council", "lobbyist"])
def test_only_admins_manage_users(session: Session, seeded: Seeded, role: str) -> None:
    actor = seeded.users[role]
    with pytest.raises(PermissionDenied, match=f"^Managing users is for administrators"
                                               f"; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
        users.add_user(session, email="new@example.org", role="staff", password=PASSWORD, actor=actor)
    with pytest.raises(PermissionDenied):
        users.set_role(session, email="lobbyist@example.org", role="admin", actor=actor)
    with pytest.raises(PermissionDenied):
        users.list_users(session, actor=actor)


def test_admin_manages_users(session: Session, seeded: Seeded) -> None:
    admin = seeded.users["admin"]
    users.add_user(session, email="new@example.org", role="council", password=PASSWORD, actor=admin)
    assert users.set_role(session, email="new@example.org", role="staff", actor=admin).role == "staff"
    assert [u.email for u in users.list_users(session, actor=admin)][0] == "admin@example.org"


# -- positions ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", WRITERS)
def test_staff_and_admin_set_positions_with_history(session: Session, seeded: Seeded, role: str) -> None:
    actor, bill = seeded.users[role], seeded.ids["privacy"]
    first = positions.set_position(session, actor=actor, bill_id=bill, stance="Watch", expected_version=None)
    second = positions.set_position(session, actor=actor, bill_id=bill, stance="Oppose unless amended",
                                    priority="High", rationale="Pre-emption too weak.", expected_version=1)
    assert (first["version"], second["version"]) == (1, 2)
    hist = positions.history(session, bill_id=bill)
    assert [(h["version"], h["previous_stance"], h["stance"]) for h in hist] == [
        (2, "Watch", "Oppose unless amended"), (1, None, "Watch")]
    assert hist[0]["author"] == actor.name and hist[0]["changed_at"]


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_set_positions(session: Session, seeded: Seeded, role: str) -> None:
    with pytest.raises(PermissionDenied, match=f"^Setting a position is for administrators and policy staff"
                                               f"; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
        positions.set_position(session, actor=seeded.users[role], bill_id=seeded.ids["privacy"], stance="Support",
                               expected_version=None)
    assert positions.get_position(session, bill_id=seeded.ids["privacy"]) is None


def test_stale_version_is_refused_with_the_other_persons_change(session: Session, seeded: Seeded) -> None:
    staff, admin, bill = seeded.users["staff"], seeded.users["admin"], seeded.ids["robotics"]
    positions.set_position(session, actor=staff, bill_id=bill, stance="Watch", expected_version=None)
    # Both open version 1; the admin saves first.
    positions.set_position(session, actor=admin, bill_id=bill, stance="Support", priority="High",
                           rationale="Members asked for it.", expected_version=1)
    with pytest.raises(positions.PositionConflict) as caught:
        positions.set_position(session, actor=staff, bill_id=bill, stance="Oppose", expected_version=1)
    conflict = caught.value
    assert conflict.current["stance"] == "Support" and conflict.current["version"] == 2
    assert "Admin Person" in str(conflict) and "Support" in str(conflict) and "Members asked for it." in str(conflict)
    assert positions.get_position(session, bill_id=bill)["stance"] == "Support"  # not overwritten
    assert session.execute(select(func.count()).select_from(PositionHistory)).scalar_one() == 2
    # Someone who believes there is no position yet is refused too.
    with pytest.raises(positions.PositionConflict):
        positions.set_position(session, actor=staff, bill_id=bill, stance="Oppose", expected_version=None)


def test_a_conflict_says_when_in_words_people_read(session: Session, seeded: Seeded) -> None:
    """The refusal read "Admin Person changed this position at 2026-12-07T13:50:53+00:00 (..., rationale:
    'Don\'t')": a machine's timestamp and Python's quoting, on the bill page and under the triage inbox's bulk form."""
    staff, admin, bill = seeded.users["staff"], seeded.users["admin"], seeded.ids["robotics"]
    positions.set_position(session, actor=staff, bill_id=bill, stance="Watch", expected_version=None)
    saved = positions.set_position(session, actor=admin, bill_id=bill, stance="Support", rationale="Don't wait.",
                                   expected_version=1)
    when = dt.datetime.fromisoformat(saved["updated_at"]).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    with pytest.raises(positions.PositionConflict) as caught:
        positions.set_position(session, actor=staff, bill_id=bill, stance="Oppose", expected_version=1)
    assert f"Admin Person changed this position at {when} (version 2: Support, Medium priority, rationale: " \
           "“Don't wait.”)" in str(caught.value)
    positions.withdraw_position(session, actor=admin, bill_id=bill, expected_version=2, reason="Council's call")
    with pytest.raises(positions.PositionConflict) as caught:
        positions.set_position(session, actor=staff, bill_id=bill, stance="Oppose", expected_version=2)
    assert "withdrew this position at " in str(caught.value) and "+00:00" not in str(caught.value)
    assert "reason: “Council's call”" in str(caught.value)


def test_conflict_between_two_sessions(engine, seeded: Seeded) -> None:  # type: ignore[no-untyped-def]
    bill = seeded.ids["ca"]
    with Session(engine) as a, Session(engine) as b:
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Watch", expected_version=None)
        a.commit()
        seen = positions.get_position(b, bill_id=bill)["version"]
        positions.set_position(a, actor=seeded.users["staff"], bill_id=bill, stance="Support", expected_version=seen)
        a.commit()
        with pytest.raises(positions.PositionConflict, match="Support"):
            positions.set_position(b, actor=seeded.users["admin"], bill_id=bill, stance="Oppose",
                                   expected_version=seen)


def test_stance_must_be_in_the_vocabulary(session: Session, seeded: Seeded) -> None:
    with pytest.raises(positions.PositionError, match="Unknown position 'Love it'; one of: Support"):
        positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["privacy"], stance="Love it",
                               expected_version=None)
    with pytest.raises(positions.PositionError, match="Unknown priority"):
        positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["privacy"],
                               stance="Support", priority="Urgent", expected_version=None)


# -- triage -------------------------------------------------------------------------------------------------

def test_inbox_lists_flagged_bills_and_bulk_actions_record_who_and_when(session: Session, seeded: Seeded) -> None:
    staff = seeded.users["staff"]
    rows, total = triage.inbox(session)
    assert total == 4 and [r["id"] for r in rows][:2] == [seeded.ids["markup"], seeded.ids["privacy"]]
    assert rows[0]["topics"][0]["evidence"][0]["snippet"].startswith("on <i>[[artificial")
    assert triage.dismiss(session, actor=staff, bill_ids=[seeded.ids["markup"], seeded.ids["robotics"]]) == 2
    triage.mark_relevant(session, actor=staff, bill_ids=[seeded.ids["privacy"]])
    rows, total = triage.inbox(session)
    assert [r["id"] for r in rows] == [seeded.ids["ca"]] and total == 1
    state = session.get(TriageState, seeded.ids["markup"])
    assert (state.status, state.relevance, state.user_id) == ("dismissed", "not_relevant", staff.id)
    assert state.changed_at is not None
    from tracker.matching.training import judgements

    assert judgements(session) == sorted([(seeded.ids["markup"], 0), (seeded.ids["robotics"], 0),
                                          (seeded.ids["privacy"], 1)])
    assert {r["id"] for r in triage.inbox(session, triage.InboxFilter(view="dismissed"))[0]} == {
        seeded.ids["markup"], seeded.ids["robotics"]}
    triage.mark_reviewed(session, actor=staff, bill_ids=[seeded.ids["privacy"]])
    assert session.get(TriageState, seeded.ids["privacy"]).relevance == "relevant"  # review keeps the label


def test_inbox_filters_and_sorts_in_sql(session: Session, seeded: Seeded) -> None:
    def ids(**kw):  # type: ignore[no-untyped-def]
        return [r["id"] for r in triage.inbox(session, triage.InboxFilter(**kw))[0]]

    assert ids(jurisdiction="ca") == [seeded.ids["ca"]]
    assert ids(stages=("introduced",)) == [seeded.ids["robotics"]]
    assert ids(min_score=3.0) == [seeded.ids["markup"], seeded.ids["privacy"]]
    assert ids(sort="date")[0] == seeded.ids["ca"]
    assert ids(sort="score", descending=False)[0] == seeded.ids["ca"]
    assert ids(since=dt.date(2025, 3, 5)) == [seeded.ids["ca"]]
    assert ids(text="privacy") == [seeded.ids["privacy"]]
    assert ids(topic="nope") == []
    rows, total = triage.inbox(session, limit=2, offset=2)
    assert total == 4 and len(rows) == 2


def _flag(session: Session, seeded: Seeded, *records) -> list[int]:  # type: ignore[no-untyped-def]
    """Store bills and flag them for the seeded topic."""
    Ingestor(session).ingest([IngestItem(r) for r in records])
    ids = [session.execute(select(Bill.id).where(Bill.identifier == r.identifier, Bill.jurisdiction_id == "us"))
           .scalar_one() for r in records]
    session.add_all(BillMatch(bill_id=i, topic_id=seeded.topic.id, score=1.0, flagged=True, rule_version=1)
                    for i in ids)
    session.commit()
    return ids


def test_inbox_title_filter_ignores_case_beyond_ascii_on_every_database(session: Session, seeded: Seeded) -> None:
    # HR 4568 of the 117th Congress is the "ENTRÉE Act". SQLite's own lower() left the "É" as it was, so "entrée"
    # found it on PostgreSQL only.
    [entree] = _flag(session, seeded, record(4568, title="ENTRÉE Act"))
    for text in ("entrée", "ENTRÉE", "Entrée act"):
        assert [r["id"] for r in triage.inbox(session, triage.InboxFilter(text=text))[0]] == [entree]


def test_inbox_text_finds_a_legislators_bills_by_name_alone_or_with_title_words(session: Session,
                                                                                 seeded: Seeded) -> None:
    from tracker.records import SponsorshipRecord

    def by(primary: str, *cosponsors: str) -> list[SponsorshipRecord]:
        return [SponsorshipRecord(name=primary, kind="primary"),
                *(SponsorshipRecord(name=n, kind="cosponsor") for n in cosponsors)]

    privacy, water, broadband = _flag(
        session, seeded, record(7101, title="Online Privacy Act", sponsorships=by("Sen. Menendez, Robert [D-NJ]")),
        record(7102, title="Clean Water Act", sponsorships=by("Rep. Sánchez, Linda T. [D-CA-38]",
                                                              "Sen. Menendez, Robert [D-NJ]")),
        record(7103, title="Rural Broadband Privacy Act", sponsorships=by("Rep. Sánchez, Linda T. [D-CA-38]")))

    def found(text: str) -> list[int]:
        return sorted(r["id"] for r in triage.inbox(session, triage.InboxFilter(text=text))[0])

    assert found("Menendez") == sorted([privacy, water])
    assert found("Sanchez") == found("sánchez") == sorted([water, broadband])
    assert found("Menendez privacy") == [privacy] and found("privacy sanchez") == [broadband]
    assert found("water") == [water] and found("online privacy") == [privacy]  # titles as before
    assert found("NJ") == [] and found("Sen") == []


def test_inbox_sorts_bill_numbers_as_numbers(session: Session, seeded: Seeded) -> None:
    _flag(session, seeded, record(10), record(9))

    def identifiers(descending: bool) -> list[str]:
        rows = triage.inbox(session, triage.InboxFilter(sort="identifier", descending=descending))[0]
        return [r["identifier"] for r in rows]

    assert identifiers(False) == ["AB 5", "HR 1", "HR 2", "HR 3", "HR 9", "HR 10"]  # not "HR 10" before "HR 2"
    assert identifiers(True) == ["HR 10", "HR 9", "HR 3", "HR 2", "HR 1", "AB 5"]


def test_names_wider_than_their_column_are_refused_alike_on_every_database(session: Session, seeded: Seeded) -> None:
    # PostgreSQL refused them with a database error (StringDataRightTruncation, a traceback on the dashboard's
    # save button) where SQLite stored them.
    admin = seeded.users["admin"]
    with pytest.raises(watchlists.WatchlistError, match="at most 128 characters; this one has 129"):
        watchlists.save_filter(session, actor=admin, page="triage", name="f" * 129, params={})
    assert watchlists.save_filter(session, actor=admin, page="triage", name="f" * 128, params={}).id
    with pytest.raises(users.UserError, match="at most 254 characters"):
        users.add_user(session, email="a" * 243 + "@example.org", role="staff", actor=admin)
    assert users.add_user(session, email="a" * 242 + "@example.org", role="staff", actor=admin).id
    session.commit()


def test_watchlists_and_saved_filters_are_listed_alike_on_every_database(session: Session, seeded: Seeded) -> None:
    # ORDER BY name followed each database's collation: SQLite's put "Zebra" before "apple" and "Äpfel" last,
    # and a PostgreSQL database created with a locale (en_US.UTF-8, ICU) ordered them as people read.
    staff = seeded.users["staff"]
    names = ["Zebra", "apple", "Äpfel", "AI", "broadband"]
    for name in names:
        watchlists.create_watchlist(session, actor=staff, name=name)
        watchlists.save_filter(session, actor=staff, page="search", name=name, params={})
    expected = ["AI", "Äpfel", "apple", "broadband", "Zebra"]
    assert [w["name"] for w in watchlists.visible_watchlists(session, actor=staff)] == expected
    assert [f.name for f in watchlists.saved_filters(session, actor=staff, page="search")] == expected


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_triage_or_assign(session: Session, seeded: Seeded, role: str) -> None:
    actor = seeded.users[role]
    for fn in (triage.mark_reviewed, triage.dismiss, triage.mark_relevant):
        with pytest.raises(PermissionDenied, match="^Triage \\(reviewing and dismissing bills\\) is for administrators "
                                                   f"and policy staff; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
            fn(session, actor=actor, bill_ids=[seeded.ids["markup"]])
    with pytest.raises(PermissionDenied, match=f"^Assigning bills is for administrators and policy staff"
                                               f"; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
        triage.assign(session, actor=actor, bill_ids=[seeded.ids["markup"]], assignee_id=actor.id)


def test_assign_replaces_the_open_assignment(session: Session, seeded: Seeded) -> None:
    staff, admin = seeded.users["staff"], seeded.users["admin"]
    triage.assign(session, actor=admin, bill_ids=[seeded.ids["markup"], seeded.ids["ca"]], assignee_id=staff.id,
                  task="Draft a memo")
    triage.assign(session, actor=staff, bill_ids=[seeded.ids["ca"]], assignee_id=admin.id)
    assert triage.current_assignees(session, [seeded.ids["markup"], seeded.ids["ca"]]) == {
        seeded.ids["markup"]: "Staff Person", seeded.ids["ca"]: "Admin Person"}
    assert session.execute(select(func.count()).select_from(Assignment).where(Assignment.done)).scalar_one() == 1
    assert [r["id"] for r in triage.inbox(session, triage.InboxFilter(assignee_id=staff.id))[0]] == [
        seeded.ids["markup"]]
    with pytest.raises(triage.TriageError, match="No active user"):
        triage.assign(session, actor=admin, bill_ids=[seeded.ids["ca"]], assignee_id=99999)


def test_the_assignees_offered_are_the_ones_assign_accepts(session: Session, seeded: Seeded) -> None:
    admin = seeded.users["admin"]
    users.deactivate(session, email="staff@example.org", actor=admin)
    users.add_user(session, email="analyst@example.org", role="staff", actor=admin)  # no name: shown by email
    offered = triage.assignable_users(session)
    assert list(offered.values()) == ["Admin Person", "analyst@example.org"]
    for assignee_id in offered:
        assert triage.assign(session, actor=admin, bill_ids=[seeded.ids["ca"]], assignee_id=assignee_id) == 1
    for role in ("staff", *READERS):  # deactivated, or a role that cannot act on the bill
        with pytest.raises(triage.TriageError):
            triage.assign(session, actor=admin, bill_ids=[seeded.ids["ca"]], assignee_id=seeded.users[role].id)


def test_bulk_refuses_unknown_bills(session: Session, seeded: Seeded) -> None:
    with pytest.raises(triage.TriageError, match="No bill with id 424242"):
        triage.dismiss(session, actor=seeded.users["staff"], bill_ids=[seeded.ids["ca"], 424242])
    with pytest.raises(triage.TriageError, match="No bills selected"):
        triage.dismiss(session, actor=seeded.users["staff"], bill_ids=[])


# -- notes, watchlists, saved filters ----------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "staff", "council"])
def test_commenters_add_notes(session: Session, seeded: Seeded, role: str) -> None:
    notes.add_note(session, actor=seeded.users[role], bill_id=seeded.ids["ca"], body="  <b>Call</b> the sponsor  ")
    thread = notes.list_notes(session, bill_id=seeded.ids["ca"])
    assert [(n["body"], n["role"]) for n in thread] == [("<b>Call</b> the sponsor", role)]


def test_lobbyists_cannot_comment_and_authors_own_their_notes(session: Session, seeded: Seeded) -> None:
    with pytest.raises(PermissionDenied, match="^Writing notes on bills is for administrators, "
                                               "policy staff and council members; you are signed in as a lobbyist\\.$"):
        notes.add_note(session, actor=seeded.users["lobbyist"], bill_id=seeded.ids["ca"], body="hi")
    note = notes.add_note(session, actor=seeded.users["council"], bill_id=seeded.ids["ca"], body="Mine")
    with pytest.raises(PermissionDenied, match="own notes"):
        notes.delete_note(session, actor=seeded.users["staff"], note_id=note.id)
    with pytest.raises(notes.NoteError, match="needs some text"):
        notes.add_note(session, actor=seeded.users["staff"], bill_id=seeded.ids["ca"], body="   ")
    notes.delete_note(session, actor=seeded.users["council"], note_id=note.id)
    assert notes.list_notes(session, bill_id=seeded.ids["ca"]) == []


def test_watchlists_and_saved_filters(session: Session, seeded: Seeded) -> None:
    council, lobbyist = seeded.users["council"], seeded.users["lobbyist"]
    wl = watchlists.create_watchlist(session, actor=council, name="Follow-ups", shared=False)
    assert watchlists.add_bills(session, actor=council, watchlist_id=wl.id, bill_ids=[seeded.ids["quiet"]] * 2) == 1
    assert [b["id"] for b in watchlists.watchlist_bills(session, actor=council, watchlist_id=wl.id)] == [
        seeded.ids["quiet"]]
    assert watchlists.visible_watchlists(session, actor=lobbyist) == []  # private
    with pytest.raises(watchlists.WatchlistError, match="No watchlist"):
        watchlists.add_bills(session, actor=lobbyist, watchlist_id=wl.id, bill_ids=[seeded.ids["ca"]])
    shared = watchlists.create_watchlist(session, actor=council, name="Team", shared=True)
    with pytest.raises(PermissionDenied, match="belongs to someone else"):
        watchlists.add_bills(session, actor=lobbyist, watchlist_id=shared.id, bill_ids=[seeded.ids["ca"]])
    watchlists.add_bills(session, actor=seeded.users["staff"], watchlist_id=shared.id, bill_ids=[seeded.ids["ca"]])
    saved = watchlists.save_filter(session, actor=lobbyist, page="triage", name="CA", params={"f_jurisdiction": "ca"})
    # The same name again is refused, naming the filter, unless told to replace it: it silently overwrote it.
    with pytest.raises(watchlists.FilterExists, match="You already have a saved filter named 'CA'") as refused:
        watchlists.save_filter(session, actor=lobbyist, page="triage", name=" CA ", params={"f_jurisdiction": "us"})
    assert refused.value.name == "CA"
    session.refresh(saved)
    assert saved.params == {"f_jurisdiction": "ca"}
    assert watchlists.save_filter(session, actor=lobbyist, page="search", name="CA", params={}).id != saved.id
    again = watchlists.save_filter(session, actor=lobbyist, page="triage", name="CA", params={"f_jurisdiction": "us"},
                                   replace=True)
    assert saved.id == again.id and again.params == {"f_jurisdiction": "us"}
    assert watchlists.saved_filters(session, actor=council, page="triage") == []
    with pytest.raises(watchlists.WatchlistError, match="Unknown page"):
        watchlists.save_filter(session, actor=lobbyist, page="nowhere", name="x", params={})


# -- search -------------------------------------------------------------------------------------------------

def test_full_text_search_over_titles_summaries_and_text(session: Session, seeded: Seeded) -> None:
    def ids(q: str, **kw) -> list[int]:  # type: ignore[no-untyped-def]
        return [r["id"] for r in search.search(session, q, search.SearchFilter(**kw))[0]]

    assert ids("privacy") == [seeded.ids["privacy"]]
    assert ids("personal data") == [seeded.ids["privacy"]]  # summary
    assert ids("minors") == [seeded.ids["privacy"]]  # only in a version's text
    assert ids("robot") == [seeded.ids["robotics"]]  # the last word is a prefix
    assert ids("automated", jurisdiction="us") == []
    assert ids('" OR * NEAR(') == []  # operators typed by a user are plain words
    assert search.search(session, "act", limit=2)[1] == 4  # "accountability" is not "act"
    assert ids("act", topic="ai", stages=("introduced",)) == [seeded.ids["robotics"]]


def test_a_pasted_paragraph_searches_like_a_few_words(session: Session, seeded: Seeded) -> None:
    """Hundreds of words (a paragraph pasted into the search box) on PostgreSQL nested one "&&" per word, and
    compiling the query overflowed Python's stack from about 150 words: the page showed a RecursionError."""
    paragraph = " ".join(["personal data privacy"] * 200)
    rows, total = search.search(session, paragraph)
    assert ([r["id"] for r in rows], total) == ([seeded.ids["privacy"]], 1)
    many = " ".join(f"word{i}" for i in range(600))  # all different: every one is required, none is found
    assert search.search(session, many) == ([], 0)
