"""End to end in headless Debian Chromium, accounts: a sign-in that survives reloads and new tabs until signed
out, pages opened at their own addresses, the Users page's forms. A file of its own so that xdist's workers share
the browser tests (``browser`` and ``page``: tests/dashboard/conftest.py)."""

from typing import Any

import pytest
from browser_helpers import chromium_page, dashboard_server, sign_in, why_no_browser
from dash_fixtures import PASSWORD, Seeded
from sqlmodel import Session

from tracker import users

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")]


def test_a_sign_in_survives_a_reload_and_a_new_tab_until_signed_out(page: Any, database_url: str, session: Session,
                                                                   seeded: Seeded) -> None:
    """Every reload and every new tab asked for the password again (the sign-in lived in one tab's memory). Now
    the server's sign-in route sets an HttpOnly cookie; signing out ends it for every tab, and a reload then
    shows the sign-in form again. A deep link opened signed out comes back after signing in."""
    bill = seeded.ids["privacy"]
    with dashboard_server(database_url) as url:
        page.goto(f"{url}/bill?id={bill}")
        sign_in(page, None, "staff@example.org", PASSWORD)
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()  # the deep link survived
        cookie = next(c for c in page.context.cookies() if c["name"] == "tracker_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie").find("tracker_session") == -1  # no script in the page reads it

        page.reload()
        page.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        page.get_by_text("Signed in as Staff Person (staff)").wait_for()
        tab = page.context.new_page()
        tab.goto(url)
        tab.get_by_role("heading", name="Triage inbox").wait_for()

        # A link from another site (an alert email in a webmail): the page request carries no Strict cookie, but
        # the websocket the page then opens is same-site and does, so the reader lands signed in.
        tab.goto(f"data:text/html,<a href='{url}/bill?id={bill}'>the bill</a>")
        tab.get_by_role("link", name="the bill").click()
        tab.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()

        page.get_by_role("button", name="Sign out", exact=True).click()
        page.get_by_role("button", name="Sign in").wait_for()
        page.reload()
        page.get_by_role("button", name="Sign in").wait_for()
        assert page.get_by_text("Signed in as").count() == 0
        tab.reload()  # the other tab shared the sign-in: it ended there too
        tab.get_by_role("button", name="Sign in").wait_for()
        assert tab.get_by_text("Signed in as").count() == 0


def test_each_roles_start_page_opens_at_its_own_address(page: Any, database_url: str, seeded: Seeded) -> None:
    # A council member's start page, the Overview, was served at "/" only: its own address (the link a colleague
    # shares, a bookmark, where signing in from /overview returns) answered "Page not found" over the page.
    with dashboard_server(database_url) as url:
        sign_in(page, f"{url}/overview", "council@example.org", PASSWORD)
        page.get_by_role("heading", name="Overview").wait_for()
        page.get_by_text("Moved in the last 7 days").wait_for()
        assert page.get_by_text("Page not found").count() == 0
        assert page.url.endswith("/overview")
        page.goto(url)  # the root still opens the role's start page, under its address
        page.get_by_role("heading", name="Overview").wait_for()
        page.wait_for_url(f"{url}/overview")
        assert page.get_by_text("Page not found").count() == 0


def test_a_signed_out_link_to_the_scorecard_opens_it_after_signing_in(page: Any, database_url: str,
                                                                      seeded: Seeded) -> None:
    # Every page's address answers a signed-out visitor with the sign-in form; the Scorecard's, added later, was
    # missing from that list, so a shared scorecard link said "Page not found" and signing in opened another page.
    with dashboard_server(database_url) as url:
        sign_in(page, f"{url}/scorecard", "council@example.org", PASSWORD)
        page.get_by_role("heading", name="Legislator scorecard").wait_for()
        assert page.get_by_text("Page not found").count() == 0
        assert page.url.endswith("/scorecard")


def test_a_saved_form_starts_empty_in_the_browser(page: Any, database_url: str, session: Session,
                                                  seeded: Seeded) -> None:
    """An admin adding colleagues on the Users page: the added user's email and password stayed in the form, no
    "Added" was shown, and "Add user" again said the user already exists. The page dropped the widgets' values on
    the server only (AppTest, which keeps no browser state, saw them empty); a note posted on a bill page stayed in
    its box the same way."""
    with dashboard_server(database_url) as url:
        sign_in(page, f"{url}/admin-users", "admin@example.org", PASSWORD)
        page.get_by_role("heading", name="Users and roles").wait_for()
        email = page.get_by_role("textbox", name="Email")
        email.fill("nora@example.org")
        page.get_by_role("textbox", name="Initial password").fill("a long enough password")
        page.get_by_role("button", name="Add user").click()
        page.get_by_text("Added nora").wait_for()  # md() keeps the address from becoming a link
        _emptied(page, ".st-key-au_email input")
        # Waited for as the email box is: the two are drawn again one after the other, and under load the
        # password was read while still the box of the run before (failed once in a whole PostgreSQL run).
        _emptied(page, ".st-key-au_password input")
        assert page.get_by_role("textbox", name="Initial password").input_value() == ""
        assert users.get_user(session, "nora@example.org").role == "staff"

        bill = seeded.ids["privacy"]
        page.goto(f"{url}/bill?id={bill}")
        box = page.get_by_role("textbox", name="Add a note")
        box.fill("Ask the sponsor about pre-emption.")
        page.get_by_role("button", name="Post note").click()
        page.get_by_text("Ask the sponsor about pre-emption.").first.wait_for()
        _emptied(page, ".st-key-note_body textarea")


def test_a_set_password_leaves_its_box_empty_in_the_browser(page: Any, database_url: str, session: Session,
                                                            seeded: Seeded) -> None:
    """The new password an admin set stayed in its box after "Password set for ..." until the next click, for
    anyone passing the screen to see (its eye button shows it) and to send again with the next Set password."""
    from playwright.sync_api import expect

    with dashboard_server(database_url) as url:
        sign_in(page, f"{url}/admin-users", "admin@example.org", PASSWORD)
        page.get_by_role("heading", name="Users and roles").wait_for()
        picker = page.locator(".st-key-sp_email input[role=combobox]")
        picker.scroll_into_view_if_needed()  # at the page's foot, its list had no room to open
        picker.click()
        page.get_by_role("option", name="staff@example.org").click()
        page.locator(".st-key-sp_password input").fill("a temporary passphrase")
        page.get_by_role("button", name="Set password").click()
        page.get_by_text("Password set for staff").wait_for()
        _emptied(page, ".st-key-sp_password input")
        expect(picker).to_have_value("staff@example.org")  # the user chosen stays
    session.expire_all()
    assert users.authenticate(session, email="staff@example.org", password="a temporary passphrase")
    session.commit()  # the sign-in wrote a last sign-in time


def test_the_users_page_buttons_read_whole_at_desktop_width(browser: object, database_url: str,
                                                            seeded: Seeded) -> None:
    """At 1280 px the Change a user form's four buttons shared four equal columns of half the page: "Sign out
    everywhere" read "Sign o…", "Deactivate" "Deacti…"."""
    with dashboard_server(database_url) as url, chromium_page(1280, 900, browser=browser) as page:
        sign_in(page, f"{url}/admin-users", "admin@example.org", PASSWORD)
        form = page.get_by_test_id("stMainBlockContainer")
        for name in ("Set role", "Deactivate", "Reactivate", "Sign out everywhere"):
            form.get_by_role("button", name=name).wait_for()
        cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMainBlockContainer"] button')]
            .filter(b => [b, ...b.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
            .map(b => b.innerText)""")
        assert cut == []


def _emptied(page: Any, selector: str) -> None:
    """Wait for the box to be drawn again, empty (a rerun takes it off the page for a moment)."""
    page.wait_for_function("s => { const box = document.querySelector(s); return box !== null && box.value === ''; }",
                           arg=selector)
