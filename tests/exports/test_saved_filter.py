"""Packets from filters saved on the dashboard's triage and search pages.

The expected bills come from the pages' own functions (tracker.triage.inbox, tracker.search.search) run on the
same saved params, and are also spelled out, so a packet can neither drift from the page nor both be wrong.
"""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from export_fixtures import Seeded
from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import search, triage, watchlists
from tracker.cli import EXIT_USAGE, app
from tracker.exports import Selection
from tracker.exports.build import prepare_packet
from tracker.exports.errors import SelectionError
from tracker.exports.selection import resolve_selection
from tracker.models import User

# Widget values exactly as dashboard/views/triage.py and search.py store them (FILTER_KEYS / KEYS).
TRIAGE_PARAMS = {"f_view": "inbox", "f_topic": "ai", "f_jurisdiction": "", "f_stages": [], "f_min_score": 2.5,
                 "f_since": "2021-03-02", "f_text": "", "f_sort": "score", "f_mine": False}
SEARCH_PARAMS = {"q": "privacy", "q_jurisdiction": "us", "q_stages": [], "q_topic": "", "q_position": ""}


@pytest.fixture
def owner(seeded: Seeded, session: Session) -> User:
    user = session.execute(select(User).where(User.email == "lobbyist@example.org")).scalar_one()
    watchlists.save_filter(session, actor=user, page="triage", name="Strong AI", params=TRIAGE_PARAMS)
    watchlists.save_filter(session, actor=user, page="search", name="Privacy search", params=SEARCH_PARAMS,
                           shared=True)
    session.commit()
    return user


def _page_shows_triage(session: Session) -> set[int]:
    flt = triage.InboxFilter(view="inbox", topic="ai", min_score=2.5, since=dt.date(2021, 3, 2), sort="score")
    rows, total = triage.inbox(session, flt, limit=1000)
    assert total == len(rows)
    return {r["id"] for r in rows}


def _page_shows_search(session: Session) -> set[int]:
    rows, total = search.search(session, "privacy", search.SearchFilter(jurisdiction="us"), limit=1000)
    assert total == len(rows)
    return {r["id"] for r in rows}


def test_triage_filter_packet_has_the_bills_the_inbox_shows(seeded: Seeded, owner: User, session: Session) -> None:
    packet = prepare_packet(session, Selection(saved_filter="Strong AI", user_id=owner.id), "json")
    ids = {b.id for b in packet.bills}
    # AI-flagged with a score of at least 2.5 (robotics scores 2.0; the plain bill is not flagged).
    assert ids == {seeded.ids["hostile"], seeded.ids["ca"]}
    assert ids == _page_shows_triage(session)
    assert len(packet.bills) == len(ids)
    assert packet.selection == "Saved filter: Strong AI (triage inbox)"
    assert packet.criteria["saved_filter"]["owner"] == "lobbyist@example.org"


def test_triage_view_follows_triage_state(seeded: Seeded, owner: User, session: Session) -> None:
    triage.dismiss(session, actor=_staff(session), bill_ids=[seeded.ids["ca"]])
    session.commit()
    resolved = resolve_selection(session, Selection(saved_filter="Strong AI", user_id=owner.id))
    assert resolved.bill_ids == [seeded.ids["hostile"]]
    assert set(resolved.bill_ids) == _page_shows_triage(session)


def _staff(session: Session) -> User:
    staff = User(email="staff@example.org", role="staff", name="Sam")
    session.add(staff)
    session.flush()
    return staff


def test_search_filter_packet_has_the_bills_the_search_shows(seeded: Seeded, owner: User, session: Session) -> None:
    packet = prepare_packet(session, Selection(saved_filter="privacy search"), "json")  # shared: no user needed
    ids = {b.id for b in packet.bills}
    assert ids == {seeded.ids["hostile"], seeded.ids["privacy"]}  # both titles say "privacy"; the CA one doesn't
    assert ids == _page_shows_search(session)
    assert len(packet.bills) == len(ids)
    # Combined with another criterion, both must hold.
    both = resolve_selection(session, Selection(saved_filter="search:Privacy search", positions=("support",)))
    assert both.bill_ids == [seeded.ids["hostile"]]


def test_unknown_or_private_names_list_the_known_ones(seeded: Seeded, owner: User, session: Session) -> None:
    with pytest.raises(SelectionError) as caught:
        resolve_selection(session, Selection(saved_filter="Nope", user_id=owner.id))
    assert "No saved filter 'Nope'" in str(caught.value)
    assert "search:Privacy search" in str(caught.value) and "triage:Strong AI" in str(caught.value)
    # Without a user only shared filters are visible: the private triage filter is not found.
    with pytest.raises(SelectionError, match="give --owner") as caught:
        resolve_selection(session, Selection(saved_filter="Strong AI"))
    assert "triage:Strong AI" not in str(caught.value)


runner = CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return work


def test_cli_saved_filter(seeded: Seeded, owner: User, session: Session, workdir: Path) -> None:
    result = runner.invoke(app, ["export", "--saved-filter", "Strong AI", "--owner", "Lobbyist@example.org",
                                 "--format", "json", "-o", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc = json.load(io.BytesIO(result.stdout_bytes))
    assert {b["identifier"] for b in doc["bills"]} == {"HR 1", "AB 5"}

    result = runner.invoke(app, ["export", "--saved-filter", "Strong AI", "-o", "x.csv"], catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE
    assert "No saved filter 'Strong AI'" in result.stderr and "search:Privacy search" in result.stderr
    assert not (workdir / "x.csv").exists()

    result = runner.invoke(app, ["export", "--saved-filter", "Strong AI", "--owner", "nobody@example.org"],
                           catch_exceptions=False)
    assert result.exit_code == EXIT_USAGE
    assert "No user with email 'nobody@example.org'" in result.stderr


def test_exports_page_offers_the_users_saved_filters(seeded: Seeded, owner: User, session: Session) -> None:
    from tests.dashboard.apptest_helpers import signed_in

    at = signed_in(owner, "views/exports.py")
    picker = at.selectbox(key="x_saved_filter")
    assert picker.options == ["None", "Strong AI (triage)", "Privacy search (search)"]  # shared, but their own
    (strong,) = watchlists.saved_filters(session, actor=owner, page="triage")
    picker.select(f"#{strong.id}").run()
    at.selectbox(key="x_packet_fmt").select("json").run()
    at.button(key="x_packet_build").click().run()
    assert not at.exception
    fmt, payload = at.session_state["x_packet_file"]
    assert fmt == "json"
    assert {b["identifier"] for b in json.loads(payload)["bills"]} == {"HR 1", "AB 5"}


def test_exports_page_never_offers_a_packet_of_an_earlier_selection(seeded: Seeded, owner: User) -> None:
    """The download button stayed after the selection changed, and even under the error of a selection that
    matched nothing: one click gave the previous selection's bills, named after the new title."""
    from tests.dashboard.apptest_helpers import signed_in

    at = signed_in(owner, "views/exports.py")
    at.multiselect(key="x_topics").select("ai").run()
    at.selectbox(key="x_packet_fmt").select("csv").run()
    at.button(key="x_packet_build").click().run()
    assert [b.label.split(" (")[0] for b in at.get("download_button")] == ["Download CSV"]

    at.text_input(key="x_title").input("Privacy bills").run()  # same bills, new name: build again
    assert not at.get("download_button")
    at.text_input(key="x_title").input("Legislative briefing packet").run()
    at.multiselect(key="x_topics").unselect("ai").select("privacy").run()
    assert not at.get("download_button")
    at.multiselect(key="x_positions").select("Oppose").run()  # no privacy bill is opposed
    at.button(key="x_packet_build").click().run()
    assert not at.exception
    assert "No bills match" in at.error[0].value
    assert not at.get("download_button")

    at.multiselect(key="x_positions").unselect("Oppose").run()
    at.button(key="x_packet_build").click().run()
    [button] = at.get("download_button")
    assert b"American Data Privacy and Protection Act" in at.session_state["x_packet_file"][1]
    at.selectbox(key="x_packet_fmt").select("json").run()  # another format: the CSV is not offered as JSON
    assert not at.get("download_button")

    at.multiselect(key="x_topics").unselect("privacy").select("ai").run()  # two bills, at most one of them
    at.number_input(key="x_limit").set_value(1).run()
    at.button(key="x_packet_build").click().run()
    assert [b["identifier"] for b in json.loads(at.session_state["x_packet_file"][1])["bills"]] == ["HR 1"]


def test_exports_page_tells_apart_shared_filters_of_the_same_name(seeded: Seeded, owner: User,
                                                                   session: Session) -> None:
    # Two colleagues each share a triage filter called "AI". The page keyed its choices by page and name: it
    # listed one of them, and exporting it failed with "2 saved filters are called 'triage:AI' ... give --owner",
    # which the page has no way to do.
    from tests.dashboard.apptest_helpers import signed_in

    colleagues = [User(email=f"{who}@example.org", role="staff") for who in ("ana", "ben")]  # as the fixtures do
    session.add_all(colleagues)
    session.flush()
    strong = watchlists.save_filter(session, actor=colleagues[0], page="triage", name="AI", params=TRIAGE_PARAMS,
                                    shared=True)
    weak = watchlists.save_filter(session, actor=colleagues[1], page="triage", name="AI",
                                  params={**TRIAGE_PARAMS, "f_min_score": 0.0}, shared=True)
    session.commit()
    at = signed_in(owner, "views/exports.py")
    picker = at.selectbox(key="x_saved_filter")
    assert sorted(o for o in picker.options if o.startswith("AI ")) == [
        "AI (triage, shared by ana@example.org)", "AI (triage, shared by ben@example.org)"]
    shown = {}
    for saved in (strong, weak):
        at.selectbox(key="x_saved_filter").set_value(f"#{saved.id}").run()
        at.selectbox(key="x_packet_fmt").select("json").run()
        at.button(key="x_packet_build").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        shown[saved.id] = {b["identifier"] for b in json.loads(at.session_state["x_packet_file"][1])["bills"]}
    assert shown[strong.id] == {"HR 1", "AB 5"}  # at least 2.5, as in the owner's own "Strong AI"
    assert shown[weak.id] > shown[strong.id]  # every AI-flagged bill in the inbox
    private = watchlists.save_filter(session, actor=colleagues[0], page="search", name="Mine", params=SEARCH_PARAMS)
    session.commit()
    for ref in (f"#{private.id}", "#999999"):  # someone else's private filter is not reachable by its id either
        with pytest.raises(SelectionError, match=f"No saved filter '{ref}' visible to you"):
            resolve_selection(session, Selection(saved_filter=ref, user_id=owner.id))
