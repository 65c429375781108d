"""Every page of the dashboard for every role, through AppTest (the real app script, the real database)."""

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from apptest_helpers import APP, no_exception, sign_in_state, signed_in, texts
from dash_fixtures import MARKUP_TITLE, PASSWORD, ROLES, Seeded
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from dashboard.components import auth
from dashboard.components.auth import TOKEN_KEY
from dashboard.components.render import md
from tests.database_env import using_database
from tests.sqlite_busy import writer_held
from tests.tracker.test_ingest import ingest, make_record
from tracker import notes, overview, positions, sessions
from tracker.dates import utc_stamp
from tracker.matching.topics import try_rule
from tracker.models import Bill, CrawlError, CrawlRun, FullRescore, Note, TriageState
from tracker.models.base import utcnow
from tracker.queries import version_texts
from tracker.records import VersionRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

COMMON_PAGES = ("views/overview.py", "views/triage.py", "views/search.py", "views/watchlists.py")
ADMIN_PAGES = ("views/admin_users.py", "views/admin_topics.py", "views/admin_sources.py", "views/admin_stances.py")
ADMIN_TITLES = {"views/admin_users.py": "Users and roles", "views/admin_topics.py": "Topics and rules",
                "views/admin_sources.py": "Sources and crawls", "views/admin_stances.py": "Positions vocabulary"}


def test_signed_out_visitors_only_see_the_sign_in_form(seeded: Seeded) -> None:
    at = signed_in(None)
    no_exception(at)
    assert [t.label for t in at.text_input] == ["Email", "Password"]
    assert "Triage" not in texts(at) and not at.get("metric")


def test_an_unreachable_database_server_is_named_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    with using_database("postgresql://postgres@127.0.0.1:1/tracker", monkeypatch):  # nothing listens on port 1
        at = signed_in(None)
    no_exception(at)
    assert md("The database postgresql+psycopg://postgres@127.0.0.1:1/tracker cannot be used: ") in texts(at)
    assert md("Check DATABASE_URL and that the server is running.") in texts(at) and not at.text_input


def test_sign_in_with_the_form(session: Session, seeded: Seeded) -> None:
    at = signed_in(None)
    at.text_input(key="signin_email").input("staff@example.org")
    at.text_input(key="signin_password").input("not the password")
    at.button[0].click().run()
    assert "Wrong email or password" in texts(at) and TOKEN_KEY not in at.session_state
    at.text_input(key="signin_password").input(PASSWORD)
    at.button[0].click().run()
    no_exception(at)
    assert sessions.resume_session(session, token=at.session_state[TOKEN_KEY]).id == seeded.users["staff"].id
    assert "Triage inbox" in texts(at)  # staff land on their inbox


def test_expired_sign_in_returns_to_the_form(seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], expires_in=dt.timedelta(seconds=-1))
    no_exception(at)
    assert "sign-in has ended" in texts(at) and [t.label for t in at.text_input] == ["Email", "Password"]


@pytest.mark.parametrize("change", ["password", "role", "deactivate"])
def test_an_account_changed_elsewhere_sends_an_open_tab_to_the_sign_in_form(session: Session, seeded: Seeded,
                                                                            change: str) -> None:
    from tracker import users

    at = signed_in(seeded.users["staff"], "views/triage.py")
    assert [t.label for t in at.text_input if t.label == "Password"] == []
    if change == "password":
        users.set_password(session, email="staff@example.org", password="changed after a leak", actor=None)
    elif change == "role":  # staff -> council: the pages and buttons of staff must not stay open
        users.set_role(session, email="staff@example.org", role="council", actor=seeded.users["admin"])
    else:
        users.deactivate(session, email="staff@example.org", actor=seeded.users["admin"])
    session.commit()
    at.run()
    assert "sign-in has ended" in texts(at) and [t.label for t in at.text_input] == ["Email", "Password"]


def test_sign_out_ends_the_sign_in_and_sign_out_everywhere_ends_every_browser(session: Session,
                                                                           seeded: Seeded) -> None:
    staff = seeded.users["staff"]
    at = signed_in(staff)
    token = at.session_state[TOKEN_KEY]
    at.button(key="sign_out").click().run()
    no_exception(at)
    assert "Signed out." in texts(at) and [t.label for t in at.text_input] == ["Email", "Password"]
    assert sessions.resume_session(session, token=token) is None  # a copy of the token opens nothing either

    laptop, phone = signed_in(staff), signed_in(staff)
    other = signed_in(seeded.users["council"])
    laptop.button(key="sign_out_everywhere").click().run()
    assert "Signed out on every browser." in texts(laptop)
    phone.run()
    assert [t.label for t in phone.text_input] == ["Email", "Password"]
    other.run()
    assert "(council)" in texts(other)  # someone else's sign-in is untouched


def test_served_with_the_cookie_route_the_form_posts_to_it_and_keeps_the_deep_link(
        seeded: Seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """With dashboard/server.py the password goes to the server's sign-in route (which sets the HttpOnly cookie),
    not through the websocket; the route sends the browser back to the page asked for."""
    monkeypatch.setattr(auth, "_cookie_route", True)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params["id"] = str(seeded.ids["privacy"])
    at.query_params["signin"] = "failed"  # what the route answers to a wrong password
    at.switch_page("views/bill.py").run()
    no_exception(at)
    assert not at.text_input  # no Streamlit widget ever holds the password
    form = texts(at)
    assert '<form method="post" action="/auth/signin"' in form
    assert f'name="next" value="bill?id={seeded.ids["privacy"]}"' in form
    assert "Wrong email or password." in form
    assert "signin" not in at.query_params  # said once; a reload does not repeat it


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", COMMON_PAGES)
def test_every_page_renders_for_every_role(seeded: Seeded, role: str, page: str) -> None:
    at = signed_in(seeded.users[role], page)
    no_exception(at)
    assert f"({role})" in texts(at)


@pytest.mark.parametrize("role", ROLES)
def test_bill_page_for_every_role(seeded: Seeded, role: str) -> None:
    at = signed_in(seeded.users[role], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(at)
    shown = texts(at)
    for expected in (md("H.R. 2"), "Consumer Data Privacy Act", "Energy and Commerce Committee", "Sources",
                     "Passed first chamber", "minors", "Artificial intelligence"):
        assert expected in shown, expected
    assert "<del" not in shown  # the redline is drawn when asked for (test_versions_and_the_redline_run_...)
    editable = role in ("admin", "staff")
    assert any(b.label == "Save position" for b in at.get("form_submit_button")) == editable
    assert any(b.label == "Post note" for b in at.get("form_submit_button")) == (role != "lobbyist")
    assert any(b.label == "Prepare packet" for b in at.button) == (role != "council")


@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_are_routed_to_admins_only(seeded: Seeded, role: str) -> None:
    at = signed_in(seeded.users[role])
    for page in ADMIN_PAGES:
        if role == "admin":  # the page itself, not a refusal (running without an exception proved neither)
            at.switch_page(page).run()
            no_exception(at)
            assert [t.value for t in at.title] == [ADMIN_TITLES[page]] and not at.error, page
        else:  # not in this role's navigation at all
            with pytest.raises(Exception, match="not found|Could not find"):
                at.switch_page(page).run()


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize(("role", "words"), [("staff", "policy staff"), ("council", "a council member"),
                                             ("lobbyist", "a lobbyist")])
def test_admin_pages_refuse_other_roles_even_when_run_directly(seeded: Seeded, page: str, role: str,
                                                               words: str) -> None:
    # The refusal said "(council) may not manage users": a role's code, not words its holder reads.
    at = AppTest.from_file(str(APP.parent / page), default_timeout=30)
    sign_in_state(at, seeded.users[role])
    at.run()
    no_exception(at)
    assert md(f"is for administrators; you are signed in as {words}.") in texts(at)
    assert f"({role})" not in texts(at)


def test_the_sources_page_says_whether_the_scheduler_runs(engine: "Engine", seeded: Seeded) -> None:
    # Nothing on the dashboard said whether `tracker schedule` was running: a dead scheduler showed only as
    # sources going stale a day later.
    from tracker.scheduler import scheduler_lock

    at = signed_in(seeded.users["admin"], "views/admin_sources.py")
    no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    assert md("Attention: the scheduler is not running: no `tracker schedule` holds") in warnings
    assert md("Attention: govinfo_billstatus: enabled, and no crawl of it has succeeded yet") in warnings
    # And on which clock digests go out ([alerts] timezone, UTC unless set: easy to miss).
    assert md("Alert digests go out daily at 07:00, weekly on Monday at 07:00, UTC (set [alerts] timezone") in \
        " ".join(c.value for c in at.caption)
    with scheduler_lock(engine):
        at.run()
    assert md("the scheduler is not running") not in " ".join(w.value for w in at.warning)


def test_topic_admin_refuses_a_negative_weight_through_the_service(session: Session, seeded: Seeded) -> None:
    from tracker.models import TopicRule

    at = signed_in(seeded.users["admin"], "views/admin_topics.py")
    at.text_input(key="tp_expr").input("chatbot*")
    at.number_input(key="tp_weight").set_value(-50.0).run()
    at.button(key="tp_add").click().run()
    no_exception(at)
    assert "weight must be above 0" in texts(at)  # the topic service's message, as the CLI shows it
    assert session.execute(select(TopicRule).where(TopicRule.expression == "chatbot*")).first() is None


def test_an_admin_previews_a_rule_on_the_stored_bills(session: Session, seeded: Seeded) -> None:
    # No test pressed "Preview hits": the page reached the service through an alias kept only for it.
    at = signed_in(seeded.users["admin"], "views/admin_topics.py")
    at.text_input(key="tp_expr").input("privacy").run()
    at.button(key="tp_preview").click().run()
    no_exception(at)
    expected = try_rule(session, expression="privacy")
    assert expected["hits"] >= 1
    assert f"**{expected['hits']:,}** of {expected['bills']:,} stored bills would match" in texts(at)


def test_an_admin_sees_when_flags_lag_the_judgements_and_can_re_score_now(session: Session, seeded: Seeded) -> None:
    session.merge(TriageState(bill_id=seeded.ids["robotics"], status="dismissed", relevance="not_relevant",
                              user_id=seeded.users["staff"].id))
    session.commit()
    at = signed_in(seeded.users["admin"], "views/admin_topics.py")
    no_exception(at)
    assert "**0** bills marked relevant and **1** dismissed as not relevant" in " ".join(texts(at).split())
    assert md("1 judgement, and the stored bills were never re-scored from it") in texts(at)
    at.button(key="tp_learn").click().run()
    no_exception(at)
    assert "Every stored bill was scored from the current judgements (last full re-score" in texts(at)
    session.expire_all()
    assert session.get(FullRescore, 1).judgements == 1


def test_staff_dismiss_a_bill_in_bulk_from_the_inbox(session: Session, seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], "views/triage.py")
    assert "4" in texts(at) and at.checkbox(key=f"sel_{seeded.ids['robotics']}")
    at.checkbox(key=f"sel_{seeded.ids['robotics']}").check().run()
    at.button(key="bulk_dismiss").click().run()
    no_exception(at)
    state = session.get(TriageState, seeded.ids["robotics"])
    assert (state.status, state.relevance, state.user_id) == ("dismissed", "not_relevant", seeded.users["staff"].id)
    assert not at.get("checkbox") or f"sel_{seeded.ids['robotics']}" not in [c.key for c in at.checkbox]


def test_staff_set_a_position_in_bulk(session: Session, seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.checkbox(key=f"sel_{seeded.ids['ca']}").check()
    at.checkbox(key=f"sel_{seeded.ids['markup']}").check().run()
    at.selectbox(key="bulk_stance").select("Oppose").run()  # choosing one enables "Set position", as in a browser
    at.button(key="bulk_position").click().run()
    no_exception(at)
    assert positions.get_position(session, bill_id=seeded.ids["ca"])["stance"] == "Oppose"
    assert positions.get_position(session, bill_id=seeded.ids["markup"])["stance"] == "Oppose"


def test_inbox_filters(seeded: Seeded) -> None:
    at = signed_in(seeded.users["staff"], "views/triage.py")
    at.selectbox(key="f_jurisdiction").select("ca").run()
    no_exception(at)
    assert [c.key for c in at.checkbox if c.key.startswith("sel_")] == [f"sel_{seeded.ids['ca']}"]


@pytest.mark.parametrize("role", ("council", "lobbyist"))
def test_readers_see_flagged_bills_without_triage_actions(seeded: Seeded, role: str) -> None:
    at = signed_in(seeded.users[role], "views/triage.py")
    no_exception(at)
    assert "Flagged bills" in texts(at)
    assert not [c for c in at.checkbox if c.key.startswith("sel_")]
    assert not [b for b in at.button if (b.key or "").startswith("bulk_")]


@pytest.mark.parametrize("role", ("council", "lobbyist"))
def test_readers_list_every_bill_flagged_for_the_council_positions_included(session: Session, seeded: Seeded,
                                                                            role: str) -> None:
    """A reader's "Flagged bills" opened on staff's work queue, "Flagged since last review": a bill staff had
    reviewed, and every bill given a position (a position counts as a review), was missing, so the bills the
    council supports or opposes were the ones a council member could not find there, and the page's count
    (1,699 on the 117th Congress) disagreed with the Overview's "Flagged for the council" (1,706). Readers open
    on "Flagged, not dismissed", the Overview's figure; and no "Assigned to me" tick: only triage roles take
    assignments."""
    positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["privacy"], stance="Support",
                           priority="High", expected_version=None)
    session.commit()
    at = signed_in(seeded.users[role], "views/triage.py")
    no_exception(at)
    assert at.selectbox(key="f_view").value == "flagged"
    listed = texts(at)
    assert "Consumer Data Privacy Act" in listed
    assert f"**{overview.counts(session)['flagged']:,}** bills" in listed
    assert "f_mine" not in [c.key for c in at.checkbox]
    staff = signed_in(seeded.users["staff"], "views/triage.py")  # staff's inbox is their queue, as before
    assert staff.selectbox(key="f_view").value == "inbox" and "f_mine" in [c.key for c in staff.checkbox]
    assert "Consumer Data Privacy Act" not in texts(staff)


def test_position_saved_and_read_back_with_history(session: Session, seeded: Seeded) -> None:
    bill = str(seeded.ids["privacy"])
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": bill})
    at.selectbox(key=f"pos_stance_{bill}").select("Support if amended")
    at.selectbox(key=f"pos_priority_{bill}").select("High")
    at.text_area(key=f"pos_rationale_{bill}").input("Needs a <b>safe harbor</b>.")
    at.get("form_submit_button")[0].click().run()
    no_exception(at)
    assert md("Saved: Support if amended (version 1).") in texts(at)
    assert md("Needs a <b>safe harbor</b>.") in texts(at)
    again = signed_in(seeded.users["council"], "views/bill.py", query={"id": bill})
    assert "Support if amended" in texts(again) and "History (1 version)" in [e.label for e in again.expander]


def test_second_save_is_refused_showing_the_other_persons_change(session: Session, seeded: Seeded) -> None:
    bill = seeded.ids["privacy"]
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Watch", expected_version=None)
    session.commit()
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})  # staff opens version 1
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Oppose", priority="High",
                           rationale="Board decided.", expected_version=1)
    session.commit()
    at.selectbox(key=f"pos_stance_{bill}").select("Support")
    at.get("form_submit_button")[0].click().run()
    no_exception(at)
    shown = texts(at)
    assert "Not saved" in shown and "Admin Person" in shown and "Oppose" in shown and "Board decided" in shown
    session.expire_all()
    assert positions.get_position(session, bill_id=bill)["stance"] == "Oppose"
    at.run()  # the refusal stays on screen until the editor resolves it
    assert "Not saved" in texts(at)
    at.button(key="pos_reload").click().run()
    assert "Not saved" not in texts(at) and at.selectbox(key=f"pos_stance_{bill}").value == "Oppose"
    at.selectbox(key=f"pos_stance_{bill}").select("Support")
    at.get("form_submit_button")[0].click().run()
    session.expire_all()
    assert positions.get_position(session, bill_id=bill)["version"] == 3  # a deliberate save over their version


def test_a_save_that_waited_out_a_busy_database_says_so_instead_of_a_traceback(
        session: Session, seeded: Seeded, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite has one writer: a save waits up to 30 s (the busy timeout) behind an import's or a crawl's batch,
    # then fails with "database is locked", which reached the staff member as a traceback.
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer and its busy timeout; PostgreSQL waits for the rows a save touches")
    bill = seeded.ids["privacy"]
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    with writer_held(database_url, monkeypatch):  # another process's batch, holding the lock past the wait
        at.selectbox(key=f"pos_stance_{bill}").select("Support")
        at.get("form_submit_button")[0].click().run()
    no_exception(at)
    assert "Not saved: the database was busy" in texts(at)
    assert positions.get_position(session, bill_id=bill) is None
    at.get("form_submit_button")[0].click().run()  # once the writer is done, the same save goes through
    no_exception(at)
    assert positions.get_position(session, bill_id=bill)["stance"] == "Support"  # type: ignore[index]


def test_markup_in_a_title_is_shown_as_text(seeded: Seeded) -> None:
    for page, query in (("views/triage.py", None), ("views/bill.py", {"id": str(seeded.ids["markup"])})):
        at = signed_in(seeded.users["staff"], page, query=query)
        no_exception(at)
        markdown = [m.value for m in at.markdown] + [s.value for s in at.subheader]
        assert any(md(MARKUP_TITLE)[:60] in v for v in markdown), page
        for v in markdown:  # no raw tag or live link reaches Markdown
            assert "<script>" not in v and "](javascript" not in v
        for h in at.get("html"):
            assert "<script" not in h.proto.body and "<i>" not in h.proto.body
        assert any("&lt;i&gt;<mark>artificial intelligence</mark>" in h.proto.body for h in at.get("html")), page


def test_labels_and_tooltips_escape_what_feeds_and_people_wrote(session: Session, seeded: Seeded) -> None:
    """Widget labels and help tooltips are Markdown too: a feed's bill number and a watchlist's name (anyone may
    create one) reached them raw, so an image from any server loaded in every reader's page."""
    from dash_fixtures import record

    from tracker import watchlists
    from tracker.ingest import IngestItem, Ingestor
    from tracker.models import BillMatch

    image = "![x](https://evil.example/t.png)"
    Ingestor(session).ingest([IngestItem(record(7, identifier=f"HR {image}", title="Privacy of trackers"))])
    session.commit()
    bill = session.execute(select(Bill.id).where(Bill.identifier == f"HR {image}")).scalar_one()
    session.add(BillMatch(bill_id=bill, topic_id=seeded.topic.id, score=5.0, flagged=True, rule_version=1))
    watchlists.create_watchlist(session, actor=seeded.users["lobbyist"], name=f"Q3 {image}", shared=True)
    session.commit()
    inbox = signed_in(seeded.users["staff"], "views/triage.py")
    search_page = signed_in(seeded.users["staff"], "views/search.py")
    search_page.text_input(key="q").input("trackers").run()
    links = [p.proto.label for at in (inbox, search_page) for p in at.get("page_link")]
    assert any(md(f"HR {image} (119th Congress)") == label for label in links), links
    assert not any("](" in label for label in links)
    alerts = signed_in(seeded.users["council"], "views/alerts.py")
    no_exception(alerts)
    help_text = alerts.text_input(key="alerts_target").help
    assert md(f"Q3 {image}") in help_text and "](" not in help_text


def test_council_comments_on_a_bill(session: Session, seeded: Seeded) -> None:
    bill = seeded.ids["ca"]
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    at.text_area(key="note_body").input("Ask the sponsor about **audits**")
    next(b for b in at.get("form_submit_button") if b.label == "Post note").click().run()
    no_exception(at)
    assert md("Ask the sponsor about **audits**") in texts(at)
    assert at.text_area(key="note_body").value == ""  # posted: the box is ready for the next note
    author = session.execute(select(Note.author_id).where(Note.bill_id == bill)).scalar_one()
    assert author == seeded.users["council"].id


def test_an_admin_can_delete_anyone_s_note_from_the_bill_page(session: Session, seeded: Seeded) -> None:
    # notes.delete_note lets the author or an admin delete a note; the page offered Delete to the author only,
    # so an admin had no way to take down someone else's note.
    bill = seeded.ids["ca"]
    note_id = notes.add_note(session, actor=seeded.users["council"], bill_id=bill, body="Call the sponsor").id
    session.commit()
    key = f"note_del_{note_id}"
    staff = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    assert not [b for b in staff.button if b.key == key]  # someone else's note
    admin = signed_in(seeded.users["admin"], "views/bill.py", query={"id": str(bill)})
    admin.button(key=key).click().run()
    no_exception(admin)
    session.expire_all()
    assert session.get(Note, note_id) is None
    assert "Call the sponsor" not in texts(admin)


def test_search_page_finds_text_and_highlights_safely(seeded: Seeded) -> None:
    at = signed_in(seeded.users["lobbyist"], "views/search.py")
    at.text_input(key="q").input("privacy").run()
    no_exception(at)
    assert "**1** bill matches" in texts(at)
    assert any("Consumer Data <mark>Privacy</mark> Act" in h.proto.body for h in at.get("html"))


def test_council_lists_the_bills_behind_a_position_count(session: Session, seeded: Seeded) -> None:
    # The overview says "Support: 2"; nowhere could a council member see which two (search wanted words first,
    # the flagged-bills page has no position filter, and council members export no packets).
    staff = seeded.users["staff"]
    for key, stance in (("privacy", "Support"), ("ca", "Support"), ("robotics", "Oppose")):
        positions.set_position(session, actor=staff, bill_id=seeded.ids[key], stance=stance, expected_version=None)
    session.commit()
    at = signed_in(seeded.users["council"], "views/search.py")
    no_exception(at)
    assert not any("bills match" in t for t in texts(at).splitlines())  # nothing chosen: nothing listed
    at.selectbox(key="q_position").select("Support").run()
    no_exception(at)
    shown = texts(at)
    assert "**2** bills match" in shown
    assert "Consumer Data Privacy Act" in shown and "Automated decision systems: accountability" in shown
    assert "Robotics Workforce Act" not in shown
    at.text_input(key="q").input("privacy").run()  # words narrow it as before
    assert "**1** bill matches" in texts(at)
    # Saved, the position alone gives a lobbyist's packet the same bills.
    from tracker import watchlists
    from tracker.exports import Selection, prepare_packet

    lobbyist = seeded.users["lobbyist"]
    watchlists.save_filter(session, actor=lobbyist, page="search", name="We support",
                           params={"q": "", "q_jurisdiction": "", "q_stages": [], "q_topic": "",
                                   "q_position": "Support"})
    session.commit()
    packet = prepare_packet(session, Selection(saved_filter="We support", user_id=lobbyist.id), "json")
    assert {b.id for b in packet.bills} == {seeded.ids["privacy"], seeded.ids["ca"]}


def test_a_long_title_cut_in_search_results_says_it_goes_on(session: Session, seeded: Seeded) -> None:
    long_title = "A resolution on broadband maps " + "and digital equity plans, " * 25 + "finally."
    ingest(session, make_record(number=8801, title=long_title))
    at = signed_in(seeded.users["staff"], "views/search.py")
    at.text_input(key="q").input("broadband maps").run()
    no_exception(at)
    [body] = [h.proto.body for h in at.get("html") if "maps" in h.proto.body]
    assert body.endswith(" …</div>") and "plans, and digital" in body and "finally" not in body


def test_the_search_page_says_how_to_search_and_which_words_are_also_names(session: Session, seeded: Seeded) -> None:
    """OR, exclusions and names written with a capital are explained on the page; a word searched as a word only
    that is also a legislator's name says how to include their bills."""
    from tracker.records import SponsorshipRecord

    ingest(session, make_record(number=8802, title="Rural Call Quality Act",
                                sponsorships=[SponsorshipRecord(name="Rep. Long, Billy [R-MO-7]", kind="primary")]),
           make_record(number=8803, title="Long Term Care Act"))
    at = signed_in(seeded.users["staff"], "views/search.py")
    assert [e.label for e in at.main.expander] == ["How to search"]
    assert "`privacy OR biometric`: either word, OR in capitals" in texts(at)

    def found() -> list[str]:
        return [p.proto.label for p in at.get("page_link") if p.proto.page == "bill"]

    at.text_input(key="q").input("long").run()
    no_exception(at)
    assert found() == [md("H.R. 8803 (117th Congress)")]
    assert md("“long” searched as a word; written with a capital (“Long”), also the bills of legislators of that "
              "name.") in texts(at)
    at.text_input(key="q").input("Long").run()
    assert sorted(found()) == [md("H.R. 8802 (117th Congress)"), md("H.R. 8803 (117th Congress)")]
    assert "searched as a word" not in texts(at)
    at.text_input(key="q").input("Long -care").run()
    assert found() == [md("H.R. 8802 (117th Congress)")]
    at.text_input(key="q").input("(quality OR care) NOT rural").run()
    assert found() == [md("H.R. 8803 (117th Congress)")]


def test_search_words_and_filters_survive_opening_a_result_and_coming_back(seeded: Seeded) -> None:
    """Streamlit drops widget state of a page not shown: each result opened sent its reader back to an empty search."""
    at = signed_in(seeded.users["staff"], "views/search.py")
    at.text_input(key="q").input("act").run()
    at.selectbox(key="q_jurisdiction").select("us").run()
    found = [p.proto.label for p in at.get("page_link")]
    assert found
    at.switch_page("views/bill.py").run()
    at.switch_page("views/search.py").run()
    no_exception(at)
    assert (at.text_input(key="q").value, at.selectbox(key="q_jurisdiction").value) == ("act", "us")
    assert [p.proto.label for p in at.get("page_link")] == found


def test_overview_counts_movement_and_stale_warning(session: Session, seeded: Seeded) -> None:
    old = utcnow() - dt.timedelta(days=3)
    run = CrawlRun(source="govinfo_billstatus", status="partial", started_at=old, finished_at=old, failed=1)
    session.add(run)
    session.flush()
    session.add(CrawlError(run_id=run.id, locator="https://example.test/x.xml", reason="bad <xml>"))
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    shown = texts(at)
    assert md("Data from GovInfo bill status (Congress) may be out of date") in shown
    # Bills we follow (the four flagged; the fifth, never flagged, is stored but not followed), flagged.
    assert [m.value for m in at.metric][:2] == ["4", "4"]
    assert len(at.get("vega_lite_chart")) >= 3


def _csv_packet(at: AppTest) -> bytes:
    """Build the Exports page's packet as CSV with the fields already set; its bytes."""
    at.selectbox(key="x_packet_fmt").select("csv").run()
    at.button(key="x_packet_build").click().run()
    no_exception(at)
    fmt, payload = at.session_state["x_packet_file"]
    assert fmt == "csv"
    return payload


def test_lobbyist_downloads_a_packet(seeded: Seeded) -> None:
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.multiselect(key="x_topics").select("ai").run()
    payload = _csv_packet(at)
    assert b"Consumer Data Privacy Act" in payload


def test_lobbyist_prepares_a_packet_for_a_meeting_with_one_legislator(seeded: Seeded) -> None:
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.text_input(key="x_sponsor").input("li ming").run()
    payload = _csv_packet(at)
    assert b"Automated decision systems" in payload and b"Robotics" not in payload
    # A name that fits several legislators says so, naming them, instead of mixing their bills.
    at.text_input(key="x_sponsor").input("Rep. Sponsor").run()
    at.button(key="x_packet_build").click().run()
    assert "fits 4 legislators" in " ".join(e.value for e in at.error)


def test_lobbyist_prepares_a_packet_for_a_meeting_with_a_committees_staff(seeded: Seeded) -> None:
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.text_input(key="x_committee").input("House Energy and Commerce").run()
    payload = _csv_packet(at)
    assert b"Consumer Data Privacy Act" in payload
    at.text_input(key="x_committee").input("Commerce").run()
    at.button(key="x_packet_build").click().run()
    assert "fits 2 committees" in " ".join(e.value for e in at.error)  # the House's and California's


def test_lobbyist_prepares_a_packet_for_a_hearing_day(seeded: Seeded, session: Session) -> None:
    # A hearing written from our own record schema (no public agenda names these test bills): HR 2 on March 4.
    from tracker.ingest import Ingestor
    from tracker.records import HearingRecord

    Ingestor(session).ingest_hearings([HearingRecord.model_validate({
        "jurisdiction": {"id": "us", "name": "United States", "level": "federal"}, "source_name": "test",
        "source_key": "h1", "date": dt.date(2031, 3, 4), "body": "House Energy and Commerce",
        "items": [{"bill_identifier": "HR 2", "session_identifier": "119"}]})])
    session.commit()
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.date_input(key="x_hearing_on").set_value(dt.date(2031, 3, 4)).run()
    payload = _csv_packet(at)
    assert b"Consumer Data Privacy Act" in payload and b"Test Act 4" not in payload


def test_lobbyist_adds_staff_notes_to_a_packet_only_when_asked(seeded: Seeded, session: Session) -> None:
    notes.add_note(session, actor=seeded.users["staff"], bill_id=seeded.ids["privacy"], body="Call Dana first.")
    session.commit()
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.multiselect(key="x_jurisdictions").select("us").run()
    payload = _csv_packet(at)
    assert b"Consumer Data Privacy Act" in payload and b"Call Dana first." not in payload
    at.checkbox(key="x_notes").check().run()
    at.button(key="x_packet_build").click().run()
    no_exception(at)
    assert b"Call Dana first." in at.session_state["x_packet_file"][1]


def test_bill_page_drops_a_prepared_packet_once_the_position_changes(seeded: Seeded) -> None:
    """A packet prepared before the position was saved stayed on offer after it, with the old position in it
    while the page showed Oppose."""
    bill = seeded.ids["privacy"]
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    at.selectbox(key=f"bill_export_{bill}_fmt").select("csv").run()
    at.button(key=f"bill_export_{bill}_build").click().run()
    assert [b.key for b in at.get("download_button")] == [f"bill_export_{bill}_download"]
    at.selectbox(key=f"pos_stance_{bill}").select("Oppose")
    next(b for b in at.get("form_submit_button") if b.label == "Save position").click().run()
    no_exception(at)
    assert not at.get("download_button")
    at.button(key=f"bill_export_{bill}_build").click().run()
    assert b",Oppose," in at.session_state[f"bill_export_{bill}_file"][1]


def test_admin_adds_a_user(session: Session, seeded: Seeded) -> None:
    at = signed_in(seeded.users["admin"], "views/admin_users.py")
    at.text_input(key="au_email").input("new.person@example.org")
    at.text_input(key="au_password").input("a long enough password")
    at.selectbox(key="au_role").select("council")
    next(b for b in at.get("form_submit_button") if b.label == "Add user").click().run()
    no_exception(at)
    assert "new.person@example.org" in at.dataframe[0].value["email"].tolist()


def test_the_users_table_reads_as_staff_read_times(session: Session, seeded: Seeded) -> None:
    # It showed "2026-12-07 22:16:42.123456+00:00" for a sign-in, and "None" for an account with no name or no
    # sign-in yet.
    admin = seeded.users["admin"]
    admin.last_login_at = dt.datetime(2026, 12, 7, 22, 16, 42, 123456, tzinfo=dt.UTC)
    session.commit()
    at = signed_in(admin, "views/admin_users.py")
    no_exception(at)
    shown = at.dataframe[0].value.set_index("email")
    assert shown.loc[admin.email, "last sign-in"] == "2026-12-07 22:16 UTC"
    never = next(u for u in seeded.users.values() if u.last_login_at is None)
    assert shown.loc[never.email, "last sign-in"] == "never"
    assert shown.loc[never.email, "created"] == utc_stamp(never.created_at)
    assert "None" not in shown.astype(str).to_numpy().ravel().tolist()


def test_watchlist_created_and_followed(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/watchlists.py")
    at.text_input(key="wl_name").input("Hearings to attend")
    at.get("form_submit_button")[0].click().run()
    no_exception(at)
    bill = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(seeded.ids["quiet"])})
    bill.button(key="bill_follow").click().run()
    no_exception(bill)
    again = signed_in(seeded.users["council"], "views/watchlists.py")
    assert "Post Office Naming Act" in again.dataframe[0].value["title"].tolist()


def test_a_long_watchlist_says_it_shows_only_part(session: Session, seeded: Seeded,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # The picker said "(612 bills" and the table stopped at 500 without a word.
    from tracker import watchlists

    council = seeded.users["council"]
    followed = watchlists.create_watchlist(session, actor=council, name="Everything AI")
    watchlists.add_bills(session, actor=council, watchlist_id=followed.id,
                         bill_ids=[seeded.ids[k] for k in ("markup", "privacy", "robotics")])
    session.commit()
    at = signed_in(council, "views/watchlists.py")
    no_exception(at)
    assert len(at.dataframe[0].value) == 3 and not any("shown" in c.value for c in at.caption)
    monkeypatch.setattr(watchlists, "WATCHLIST_SHOWN", 2)
    at.run()
    no_exception(at)
    assert len(at.dataframe[0].value) == 2
    assert any("The 2 with the latest action of its 3 bills are shown" in c.value for c in at.caption)


def test_cached_figures_show_an_edit_at_once(session: Session, seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/overview.py")
    assert at.metric[2].value == "0"
    inbox = signed_in(seeded.users["staff"], "views/triage.py")
    assert "**4** bills" in texts(inbox)
    positions.set_position(session, actor=seeded.users["staff"], bill_id=seeded.ids["ca"], stance="Support",
                           expected_version=None)
    session.commit()
    at.run()
    assert at.metric[2].value == "1"
    from tracker import triage

    triage.dismiss(session, actor=seeded.users["staff"], bill_ids=[seeded.ids["ca"]])
    session.commit()
    inbox.run()
    assert "**3** bills" in texts(inbox)


def test_overview_lists_upcoming_hearings_of_followed_bills(session: Session, seeded: Seeded) -> None:
    from tracker.models.hearings import Hearing, HearingItem

    soon = utcnow().date() + dt.timedelta(days=3)
    hearing = Hearing(jurisdiction_id="us", source_name="test", source_key="h1", date=soon, time="10:00",
                      body="Energy and Commerce <Subcommittee>", url="javascript:alert(1)")
    session.add(hearing)
    session.flush()
    session.add_all([HearingItem(hearing_id=hearing.id, bill_id=seeded.ids["privacy"]),
                     HearingItem(hearing_id=hearing.id, bill_id=seeded.ids["quiet"])])  # not followed
    session.commit()
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    table = next(d.value for d in at.dataframe if "agenda" in d.value.columns)
    assert table["title"].tolist() == ["Consumer Data Privacy Act"]
    assert table["agenda"].tolist() == [None]  # only web links are clickable


def test_versions_and_the_redline_run_oldest_to_latest_with_the_undated_last(session: Session,
                                                                              seeded: Seeded) -> None:
    # Hand-built (our record schema, with extracted text, which federal files do not carry): an enrolled bill
    # published without a date, as GovInfo does. The same order on SQLite and PostgreSQL (NULL dates last).
    versions = [
        VersionRecord(label="Enrolled Bill", url="https://example.test/hr8801enr.xml", text="final words"),
        VersionRecord(label="Engrossed in House", url="https://example.test/hr8801eh.xml",
                      date=dt.date(2021, 5, 2), text="passed words"),
        VersionRecord(label="Introduced in House", url="https://example.test/hr8801ih.xml",
                      date=dt.date(2021, 3, 1), text="first words"),
    ]
    ingest(session, make_record(8801, versions=versions))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8801")).scalar_one()
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    table = next(df.value for df in at.dataframe if "version" in df.value.columns)
    assert list(table["version"]) == ["Introduced in House", "Engrossed in House", "Enrolled Bill"]
    # The redline compares the two latest by default: the engrossed text to the enrolled one.
    assert at.selectbox(key="redline_from").format_func(at.selectbox(key="redline_from").value).startswith(
        "Engrossed in House")
    assert at.selectbox(key="redline_to").format_func(at.selectbox(key="redline_to").value) == \
        "Enrolled Bill (undated)"
    # Computed only when asked for (tests/dashboard/test_bill_text_page.py: what it costs).
    assert not [h for h in at.get("html") if "<del" in h.proto.body]
    at.toggle(key="redline_show").set_value(True).run()
    assert [h for h in at.get("html") if "<del" in h.proto.body and "<ins" in h.proto.body]


def test_the_redline_offers_only_versions_with_text_latest_last(session: Session) -> None:
    versions = [
        VersionRecord(label="Public Law", url="https://example.test/pl.xml", date=dt.date(2021, 6, 1), text="law"),
        VersionRecord(label="Enrolled Bill", url="https://example.test/enr.xml", text="final words"),
        VersionRecord(label="Reported in House", url="https://example.test/rh.pdf", date=dt.date(2021, 4, 1)),
        VersionRecord(label="Introduced in House", url="https://example.test/ih.xml",
                      date=dt.date(2021, 3, 1), text="first words"),
    ]
    ingest(session, make_record(8802, versions=versions))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8802")).scalar_one()
    texts = version_texts(session, bill_id=bill)
    assert [(label, day, text) for label, day, text in texts.values()] == [
        ("Introduced in House", dt.date(2021, 3, 1), "first words"), ("Enrolled Bill", None, "final words"),
        ("Public Law", dt.date(2021, 6, 1), "law")]


def test_bill_page_lists_what_the_feeds_changed_latest_first(session: Session, seeded: Seeded) -> None:
    from tracker.records import ActionRecord, SponsorshipRecord

    ingest(session, make_record(8802))
    ingest(session, make_record(
        8802, stage="in_committee",
        actions=[ActionRecord(date=dt.date(2021, 3, 1), text="Introduced in House"),
                 ActionRecord(date=dt.date(2021, 3, 4), text="Referred to the <Committee> on Energy and Commerce.")],
        sponsorships=[SponsorshipRecord(name="Rep. A", kind="primary", person_id="A000001"),
                      SponsorshipRecord(name="Rep. [B](javascript:x)", kind="cosponsor", person_id="B000002")]))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8802")).scalar_one()
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    table = next(df.value for df in at.dataframe if "detail" in df.value.columns)
    rows = dict(zip(table["what"], table["detail"], strict=True))
    assert list(table["what"])[-1] == "New bill"  # the first thing seen comes last
    assert rows["Stage change"] == "introduced → in committee"
    assert rows["New action"] == "2021-03-04 Referred to the <Committee> on Energy and Commerce."
    assert rows["Sponsors"] == "1 added: Rep. [B](javascript:x) (1 → 2 sponsors and cosponsors)"


@pytest.mark.realdata
def test_a_number_shared_by_two_sessions_lists_both_to_pick_from(engine: object, seeded: Seeded) -> None:
    """pubinfo's 1999-2000 archive holds AB 1 of the regular session and AB 1 of the First Extraordinary
    Session: typing "AB 1" must not open one of them at random (the one stored first)."""
    from realdata_paths import require_realdata

    from tracker.importer import import_path

    report = import_path(engine, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive",
                                                  "1999"), flag=False)  # type: ignore[arg-type]
    assert report.errors == []
    at = signed_in(seeded.users["council"], "views/bill.py")
    at.main.text_input(key="bill_ref").input("ab1").run()  # no bill open yet: the box is on the page
    no_exception(at)
    links = [link.proto.label for link in at.main.get("page_link")]
    assert links == [md("California AB 1 (1999-2000 First Extraordinary Session)"),
                     md("California AB 1 (1999-2000 Regular Session)")]
    shown = texts(at)
    assert "2 bills match" in shown and "School finance" not in shown and "Peer Assistance" not in shown
    # The one picked (its link sets the id) opens, and the list stays beside it (the sidebar) to pick the other.
    with Session(engine) as s:  # type: ignore[arg-type]
        picked = s.execute(select(Bill.id).where(Bill.identifier == "AB 1", Bill.title.contains("Peer"))).scalar_one()
    at.query_params["id"] = str(picked)
    at.run()
    no_exception(at)
    assert "Peer Assistance" in texts(at) and len(at.sidebar.get("page_link")) == 2


def test_an_admin_signs_a_user_out_everywhere_from_the_users_page(session: Session, seeded: Seeded) -> None:
    lost_laptop = signed_in(seeded.users["council"])
    at = signed_in(seeded.users["admin"], "views/admin_users.py")
    at.selectbox(key="cu_email").select("council@example.org")
    next(b for b in at.get("form_submit_button") if b.label == "Sign out everywhere").click().run()
    no_exception(at)
    assert md("council@example.org") + ": 1 sign-in ended." in texts(at)
    lost_laptop.run()
    assert [t.label for t in lost_laptop.text_input] == ["Email", "Password"]


def test_an_admin_sets_a_forgotten_password_and_adds_no_account_without_one(session: Session,
                                                                          seeded: Seeded) -> None:
    # The Users page had no way to give someone a new password (a forgotten one, the first week's usual call):
    # only `tracker users set-password` on the server. And "Add user" with the Initial password left empty made
    # an account with none, which nobody could sign in to and the page could not mend.
    from tracker import users

    at = signed_in(seeded.users["admin"], "views/admin_users.py")
    at.text_input(key="au_email").input("nopass@example.org")
    next(b for b in at.get("form_submit_button") if b.label == "Add user").click().run()
    no_exception(at)
    assert md("Passwords need at least 10 characters.") in [e.value for e in at.error]
    assert "nopass@example.org" not in at.dataframe[0].value["email"].tolist()

    forgetful = signed_in(seeded.users["staff"])
    at.selectbox(key="sp_email").select("staff@example.org")
    at.text_input(key="sp_password").input("a temporary passphrase")
    next(b for b in at.get("form_submit_button") if b.label == "Set password").click().run()
    no_exception(at)
    assert f"Password set for {md('staff@example.org')}: their sign-ins ended." in at.toast[0].value
    assert at.text_input(key="sp_password").value == ""
    session.expire_all()
    assert users.authenticate(session, email="staff@example.org", password="a temporary passphrase")
    with pytest.raises(users.AuthError):
        users.authenticate(session, email="staff@example.org", password=PASSWORD)
    session.commit()
    forgetful.run()
    assert [t.label for t in forgetful.text_input] == ["Email", "Password"]  # signed out, as set-password does


def test_a_page_opens_while_an_import_holds_the_writer_past_the_sign_in_mark(
        session: Session, seeded: Seeded, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run marks the sign-in used (once a minute), a write: behind an import's batch on SQLite it waited out
    the busy timeout and failed the whole page. The sign-in is then checked without the mark."""
    from tracker.models import UserSession

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer and its busy timeout; PostgreSQL waits for the rows a save touches")
    at = signed_in(seeded.users["staff"], "views/overview.py")
    token_hash = sessions.token_hash(at.session_state[TOKEN_KEY])
    two_minutes_ago = utcnow() - dt.timedelta(minutes=2)
    session.execute(UserSession.__table__.update().where(UserSession.token_hash == token_hash)
                    .values(last_seen_at=two_minutes_ago))
    session.commit()
    with writer_held(database_url, monkeypatch):  # another process's batch, holding the lock past the wait
        at.run()
    no_exception(at)
    assert "Signed in as Staff Person (staff)" in texts(at)

    def last_seen() -> dt.datetime:
        session.expire_all()
        return session.execute(select(UserSession.last_seen_at)
                               .where(UserSession.token_hash == token_hash)).scalar_one()

    assert last_seen() == two_minutes_ago
    at.run()  # the writer is done: the mark is written
    assert last_seen() > two_minutes_ago


def test_lobbyist_prepares_a_committee_packet_of_the_bills_still_before_it(seeded: Seeded) -> None:
    # Every seeded federal bill went to Energy and Commerce; the privacy bill has passed the House since. A packet
    # for a hearing of the committee holds the bills still in committee, as `tracker export --stage` does.
    at = signed_in(seeded.users["lobbyist"], "views/exports.py")
    at.text_input(key="x_committee").input("House Energy and Commerce").run()
    at.multiselect(key="x_stages").select("in_committee").run()
    payload = _csv_packet(at)
    assert b"Post Office Naming Act" in payload and b"Consumer Data Privacy Act" not in payload
    assert "In committee" in at.multiselect(key="x_stages").format_func("in_committee")


@pytest.mark.parametrize("origin,opens", [("https://tracker.chamber.example", False),
                                          ("http://127.0.0.1:8501", True)])
def test_a_plain_named_cookie_opens_no_page_over_https(seeded: Seeded, monkeypatch: pytest.MonkeyPatch,
                                                        origin: str, opens: bool) -> None:
    """A cookie named tracker_session, not __Host-tracker_session, is what a sibling subdomain or an http
    request's network path can plant; over https the page refuses it, over plain http it is the cookie."""
    token = sessions.start_session(Session.object_session(seeded.users["staff"]), user=seeded.users["staff"])
    Session.object_session(seeded.users["staff"]).commit()
    monkeypatch.setattr(auth, "_browser_request", lambda: ({auth.COOKIE_NAME: token}, origin, None))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    no_exception(at)
    assert ("(staff)" in texts(at)) is opens
    assert bool([t for t in at.text_input if t.label == "Password"]) is not opens


@pytest.mark.parametrize("page", ["scorecard", "alerts"])
def test_a_page_link_opened_signed_out_asks_to_sign_in_and_comes_back(
        seeded: Seeded, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    """A council member opening a shared Scorecard link signed out got "Page not found" and, once signed in, the
    overview: its address was missing from the sign-in form's list of pages (AppTest finds a page by its file
    name, so the admin-* addresses are checked by the test below)."""
    monkeypatch.setattr(auth, "_cookie_route", True)
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.switch_page(f"views/{page}.py").run()
    no_exception(at)
    assert f'name="next" value="{page}"' in texts(at)


def test_every_page_address_is_a_deep_link() -> None:
    import re

    source = APP.read_text()
    addresses = set(re.findall(r'url_path="([\w-]+)"', source)) - {"signin"}
    addresses |= set(re.findall(r'"([\w-]+)", Action\.', source))  # RESTRICTED_PAGES
    assert addresses >= {"scorecard", "admin-stances", "bill"}
    listed = re.search(r"DEEP_LINKS = \(([^)]*)\)", source)
    assert listed is not None
    assert addresses <= set(re.findall(r'"([\w-]+)"', listed.group(1)))


def test_the_sources_page_shows_each_state_and_city_feeds_own_scope(seeded: Seeded, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A chamber that set [crawl] states = ["CA"] and Legistar's clients = ["chicago"] read "current Congress" as
    # the scope of california, legistar, openstates and legiscan: the page judged every source by its Congresses.
    from tracker import config

    path = tmp_path / "tracker.toml"
    path.write_text('[crawl]\nstates = ["CA"]\n[sources.legistar]\nenabled = true\nclients = ["chicago"]\n'
                    '[sources.openstates]\nsession = "20252026"\n'
                    '[sources.govinfo_billstatus]\ncongresses = [118, 119]\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    config.settings.cache_clear()
    try:
        at = signed_in(seeded.users["admin"], "views/admin_sources.py")
    finally:
        config.settings.cache_clear()
    no_exception(at)
    frame = at.dataframe[0].value
    scope = dict(zip(frame["config key"], frame["scope"], strict=True))
    assert scope["legistar"] == "clients chicago"
    assert scope["california"] == "California pubinfo"
    assert scope["openstates"] == "states CA, session 20252026"
    assert scope["legiscan"] == "states CA"
    assert scope["govinfo_billstatus"].startswith("Congress 118,119")


def test_a_person_replaces_the_initial_password_an_admin_gave_them(session: Session, seeded: Seeded) -> None:
    # An admin adds accounts with an "Initial password" the admin types (Users page, `tracker users add`), and
    # nothing let the person change it: every password stayed one the admin knew. The sidebar now asks for the
    # current password and a new one; a wrong current password changes nothing (a browser left signed in cannot
    # lock its owner out), and a change ends every sign-in of the account, this one too.
    from tracker import users

    council = seeded.users["council"]
    at = signed_in(council, "views/overview.py")
    at.sidebar.text_input(key="pw_current").input("not the password")
    at.sidebar.text_input(key="pw_new").input("a brand new passphrase")
    at.sidebar.text_input(key="pw_repeat").input("a brand new passphrase")
    at.sidebar.button(key="pw_change").click().run()
    no_exception(at)
    assert md("The current password is wrong; nothing changed.") in texts(at)
    session.expire_all()
    assert users.authenticate(session, email=council.email, password=PASSWORD)
    session.commit()  # authenticate wrote the last sign-in time: the page's write must not wait for our lock

    at.sidebar.text_input(key="pw_current").input(PASSWORD)
    at.sidebar.text_input(key="pw_new").input("a brand new passphrase")
    at.sidebar.text_input(key="pw_repeat").input("a brand new passphrase")
    at.sidebar.button(key="pw_change").click().run()
    no_exception(at)
    assert "Password changed: sign in with the new one." in texts(at)  # on the sign-in page: signed out
    session.expire_all()
    assert users.authenticate(session, email=council.email, password="a brand new passphrase")
    with pytest.raises(users.AuthError):
        users.authenticate(session, email=council.email, password=PASSWORD)
    session.commit()


def test_the_change_password_form_pauses_after_five_wrong_current_passwords(session: Session,
                                                                           seeded: Seeded) -> None:
    # The form checked the current password however often it was asked: someone at a browser left signed in could
    # guess it without end. After five wrong passwords in a row (this form's and the sign-in form's) it says the
    # change is paused, and the right password then changes nothing either until the pause is over.
    from tracker import users

    council = seeded.users["council"]
    at = signed_in(council, "views/alerts.py")

    def attempt(current: str) -> list[str]:
        at.sidebar.text_input(key="pw_current").input(current)
        at.sidebar.text_input(key="pw_new").input("a brand new passphrase")
        at.sidebar.text_input(key="pw_repeat").input("a brand new passphrase")
        at.sidebar.button(key="pw_change").click().run()
        no_exception(at)
        return texts(at)

    for n in range(sessions.MAX_FAILURES - 1):  # the first four through the sign-in form: one count for both
        with pytest.raises(users.AuthError):
            sessions.sign_in(session, email=council.email, password=f"guess number {n}")
        session.rollback()
    assert md("The current password is wrong; nothing changed.") in attempt("guess number 4")
    assert md("Too many wrong passwords for this account: password changes and sign-ins are paused for 15 more "
              "minutes; nothing changed.") in attempt(PASSWORD)
    session.expire_all()
    assert users.verify_password(users.get_user(session, council.email).password_hash, PASSWORD)
    session.commit()


def test_changing_ones_own_password_needs_the_current_one(session: Session, seeded: Seeded) -> None:
    from tracker import users

    staff = seeded.users["staff"]
    with pytest.raises(users.UserError, match="current password is wrong"):
        users.change_own_password(session, actor=staff, current="guess guess guess", new="another passphrase")
    with pytest.raises(users.UserError, match="do not match"):
        users.change_own_password(session, actor=staff, current=PASSWORD, new="another passphrase",
                                  repeat="another passphrasE")
    users.change_own_password(session, actor=staff, current=PASSWORD, new="another passphrase")
    assert users.authenticate(session, email=staff.email, password="another passphrase")
    session.commit()
