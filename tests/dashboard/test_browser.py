"""End to end in headless Debian Chromium: sign in, dismiss a bill, set a position, read it back; the inbox and
its bulk judgements (the account and sign-in journeys are in test_browser_accounts.py)."""

from pathlib import Path
from typing import Any

import pytest
from browser_helpers import dashboard_server, sign_in, why_no_browser
from dash_fixtures import PASSWORD, Seeded
from sqlmodel import Session

from tracker import positions
from tracker.models import TriageState

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")]


def test_sign_in_dismiss_set_position_and_read_it_back(page: Any, database_url: str, session: Session,
                                                       seeded: Seeded) -> None:
    dismissed, bill = seeded.ids["robotics"], seeded.ids["privacy"]
    with dashboard_server(database_url) as url:
        sign_in(page, url, "staff@example.org", PASSWORD)
        page.get_by_role("heading", name="Triage inbox").wait_for()
        page.get_by_text("Robotics Workforce Act").wait_for()
        # `tracker serve` showed staff Streamlit's "Deploy" button (to Community Cloud) and its developer menu.
        assert page.get_by_role("button", name="Deploy").count() == 0

        page.locator(f".st-key-sel_{dismissed} label").click()
        page.get_by_text("1 selected").wait_for()
        page.get_by_role("button", name="Dismiss as not relevant").click()
        page.get_by_text("Robotics Workforce Act").wait_for(state="detached")
        session.expire_all()
        state = session.get(TriageState, dismissed)
        assert (state.status, state.relevance) == ("dismissed", "not_relevant")

        page.get_by_role("link", name="H.R. 2 (119th Congress)").click()  # in-app navigation keeps the sign-in
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        page.locator(f".st-key-pos_stance_{bill}").click()
        page.get_by_role("option", name="Oppose unless amended").click()
        page.locator(f".st-key-pos_rationale_{bill} textarea").fill("Pre-emption <b>too weak</b>.")
        page.get_by_role("button", name="Save position").click()
        page.get_by_text("Saved: Oppose unless amended (version 1).").wait_for()

        # Read back in a new page load: a new Streamlit session, still signed in (the session cookie).
        page.goto(f"{url}/bill?id={bill}")
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        page.get_by_text("Pre-emption <b>too weak</b>.").first.wait_for()
        assert page.locator("b", has_text="too weak").count() == 0  # shown as text, not markup
        page.get_by_text("Oppose unless amended").first.wait_for()

        # A table's toolbar offers no raw CSV download (titles from feeds could start with "="): packets do.
        table = page.locator("[data-testid='stDataFrame']:visible").first  # not one in a closed tab or expander
        table.wait_for()
        table.hover()
        toolbar = page.locator("[data-testid='stElementToolbar']").first
        toolbar.wait_for()
        assert toolbar.get_by_role("button").count() > 0
        assert toolbar.get_by_role("button", name="Download as CSV").count() == 0
    saved = positions.get_position(session, bill_id=bill)
    assert (saved["stance"], saved["rationale"], saved["version"]) == (
        "Oppose unless amended", "Pre-emption <b>too weak</b>.", 1)


def test_withdraw_a_position_in_the_browser(page: Any, database_url: str, session: Session, seeded: Seeded) -> None:
    """The two steps (button, then confirmation with a reason) in a real browser; the page then shows no position
    and the history the withdrawal."""
    from playwright.sync_api import expect

    bill = seeded.ids["privacy"]
    positions.set_position(session, actor=seeded.users["admin"], bill_id=bill, stance="Support", priority="High",
                           expected_version=None)
    session.commit()
    with dashboard_server(database_url) as url:
        page.goto(f"{url}/bill?id={bill}")
        sign_in(page, None, "staff@example.org", PASSWORD)
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        page.get_by_role("button", name="Withdraw position").click()
        page.get_by_text("Withdraw the council's position (Support, High priority)?").wait_for()
        page.locator(f".st-key-pos_withdraw_reason_{bill} textarea").fill("The board stays out of <b>this</b>.")
        page.get_by_role("button", name="Confirm withdrawal").click()
        page.get_by_text("Withdrawn: the council no longer takes a position on this bill (was Support; "
                         "version 2).").wait_for()
        page.get_by_text("No position", exact=True).wait_for()
        page.get_by_text("The board stays out of <b>this</b>.").first.wait_for()  # shown as text, not markup
        assert page.locator("b", has_text="this").count() == 0
        assert page.get_by_role("button", name="Withdraw position").count() == 0
        # The set-position form starts again from "no position": it kept showing the withdrawn High priority
        # (the browser keeps a widget's value unless the server sets it), so a save would have set it again.
        expect(page.locator(f".st-key-pos_priority_{bill} input[role=combobox]")).to_have_value("Medium")
    session.expire_all()
    assert positions.get_position(session, bill_id=bill) is None
    assert positions.withdrawal(session, bill_id=bill)["reason"] == "The board stays out of <b>this</b>."  # type: ignore[index]


def test_the_inbox_keeps_its_filter_after_a_bill_is_opened(page: Any, database_url: str, session: Session,
                                                           seeded: Seeded) -> None:
    """Opening a bill and coming back through the sidebar kept neither the filter nor the sort (Streamlit drops a
    page's widget state when another page is shown); the reader then started over on everything."""
    with dashboard_server(database_url) as url:
        sign_in(page, url, "staff@example.org", PASSWORD)
        page.get_by_role("heading", name="Triage inbox").wait_for()
        page.locator(".st-key-f_text input").fill("Privacy")
        page.locator(".st-key-f_text input").press("Enter")
        page.get_by_text("Robotics Workforce Act").wait_for(state="detached")
        page.get_by_role("link", name="H.R. 2 (119th Congress)").click()
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        page.get_by_role("link", name="Triage inbox").click()
        page.get_by_role("heading", name="Triage inbox").wait_for()
        page.get_by_role("link", name="H.R. 2 (119th Congress)").wait_for()
        # The filter box is drawn with the rows but may get its value a moment later on a loaded machine: wait for
        # it (a lost filter still fails, on the timeout) rather than read it once.
        page.wait_for_function("() => document.querySelector('.st-key-f_text input')?.value === 'Privacy'",
                               timeout=30_000)
        assert page.locator(".st-key-f_text input").input_value() == "Privacy"
        assert page.get_by_text("Robotics Workforce Act").count() == 0


def test_an_unexpected_error_shows_no_traceback_in_the_browser(page: Any, database_url: str, tmp_path: Path) -> None:
    """Streamlit shows an exception's message and traceback in the page by default: file paths, and the SQL with
    the data of a failed statement. The dashboard's options keep them in the server's log."""
    failing = tmp_path / "failing_page.py"
    failing.write_text('raise RuntimeError("SELECT secret_column FROM /srv/private/tracker.db")\n')
    with dashboard_server(database_url, script=failing) as url:
        page.goto(url)
        page.get_by_text("This app has encountered an error").wait_for()
        body = page.locator("body").inner_text()
        assert "secret_column" not in body and "/srv/private" not in body and "Traceback" not in body


def test_a_bulk_judgement_says_what_it_did(page: Any, database_url: str, session: Session, seeded: Seeded) -> None:
    """Staff marking a bill reviewed, assigning or setting a position from the inbox read no confirmation: the
    toast ("Mark reviewed: 1 bill") was written just before the rerun that shows the inbox without the bill, and
    the browser never showed it."""
    bill = seeded.ids["robotics"]
    with dashboard_server(database_url) as url:
        sign_in(page, url, "staff@example.org", PASSWORD)
        page.get_by_role("heading", name="Triage inbox").wait_for()
        page.locator(f".st-key-sel_{bill} label").click()
        page.get_by_text("1 selected").wait_for()
        page.get_by_role("button", name="Mark reviewed").click()
        page.get_by_text("Mark reviewed: 1 bill").wait_for()
    session.expire_all()
    assert session.get(TriageState, bill).status == "reviewed"
