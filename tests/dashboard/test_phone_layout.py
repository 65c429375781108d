"""The dashboard on a phone (390 px wide, headless Debian Chromium): a lobbyist in a hallway looks a bill up and
must read the council's position without scrolling past the whole action history, or sideways."""

import datetime as dt
from typing import Any

import pytest
from browser_helpers import dashboard_server, sign_in, why_no_browser
from dash_fixtures import PASSWORD, Seeded, record
from sqlalchemy import select
from sqlmodel import Session

from tracker import positions
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import ActionRecord, CalendarEntryRecord, VersionRecord

pytestmark = [pytest.mark.slow, pytest.mark.skipif(why_no_browser() is not None, reason=why_no_browser() or "")]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                       "Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _page(browser: Any, device: dict) -> Any:
    page = browser.new_context(**device).new_page()
    page.set_default_timeout(20_000)
    return page


def _settled(page: Any) -> None:
    """Wait until the page's script run has ended: a box measured while a run was still drawing (on a loaded
    machine) could stand where an element not yet redrawn pushed it."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")


def _box(page: Any, heading: str) -> dict:
    return page.get_by_role("heading", name=heading, exact=True).bounding_box()


def _no_sideways_scrolling(page: Any) -> None:
    # The document, and Streamlit's own scrolling main area, are no wider than the screen (a table scrolls inside
    # its own frame, which is fine).
    widths = page.evaluate("() => [document.documentElement.scrollWidth, "
                           "document.querySelector('[data-testid=stMain]').scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths


def test_the_position_comes_before_the_bills_history_on_a_phone(browser: Any, database_url: str, session: Session,
                                                                 seeded: Seeded) -> None:
    """The side column (the council's position, the briefing packet) came after everything in the main one: on a
    real bill the position stood some 21,000 px down, below the summary, every action and every sponsor."""
    bill = seeded.ids["privacy"]
    positions.set_position(session, actor=seeded.users["staff"], bill_id=bill, stance="Oppose unless amended",
                           priority="High", rationale="Pre-emption too weak.", expected_version=None)
    session.commit()
    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/bill?id={bill}", "lobbyist@example.org", PASSWORD)
        phone.get_by_role("heading", name="Consumer Data Privacy Act").wait_for()
        phone.get_by_text("Pre-emption too weak.").wait_for()
        _settled(phone)
        position, actions = _box(phone, "The council's position"), _box(phone, "Actions")
        assert position["y"] < actions["y"]
        assert phone.get_by_text("Pre-emption too weak.").bounding_box()["y"] < actions["y"]
        _no_sideways_scrolling(phone)

        desktop = _page(browser, DESKTOP)  # unchanged on a wide screen: the position to the right of the history
        desktop.context.add_cookies(phone.context.cookies())  # the same sign-in, without the form again
        desktop.goto(f"{url}/bill?id={bill}")
        desktop.get_by_text("Pre-emption too weak.").wait_for()
        _settled(desktop)
        position, actions = _box(desktop, "The council's position"), _box(desktop, "Actions")
        assert position["x"] > actions["x"] + actions["width"]


def test_the_current_text_and_next_hearing_are_near_the_top_on_a_phone(browser: Any, database_url: str,
                                                                        session: Session, seeded: Seeded) -> None:
    """The current text's buttons stood under Versions and the hearings under the roll calls, at the end of the
    main column: on a phone, after every action. A lobbyist opening a bill in a hallway wants both at once."""
    day = dt.date.today() + dt.timedelta(days=3)
    calendar = [CalendarEntryRecord(source_key="h-1", date=day - dt.timedelta(days=10), time="09:00",
                                    body="Earlier Committee", kind="Hearing"),
                CalendarEntryRecord(source_key="h-2", date=day, time="13:30", body="Privacy Committee",
                                    location="Room 4202", kind="Hearing")]
    actions = [ActionRecord(date=dt.date(2025, 3, 1) + dt.timedelta(days=i), text=f"Step {i} of a long history",
                            actor="lower") for i in range(40)]
    versions = [VersionRecord(label="Amended in Assembly", date=dt.date(2025, 4, 2), url="https://bills.example.test/ab77-amd.htm",
                              links=[{"format": "pdf", "url": "https://bills.example.test/ab77-amd.pdf"}])]
    Ingestor(session).ingest([IngestItem(record=record(77, jurisdiction="ca", calendar=calendar, actions=actions,
                                                       versions=versions, source_name="ca_pubinfo",
                                                       source_key="hearing-77"))])
    session.commit()
    bill = session.execute(select(Bill.id).where(Bill.identifier == "AB 77")).scalar_one()
    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/bill?id={bill}", "lobbyist@example.org", PASSWORD)
        phone.get_by_role("heading", name="Test Act 77").wait_for()
        _settled(phone)
        position = _box(phone, "The council's position")
        pdf = phone.get_by_role("link", name="PDF", exact=True).first.bounding_box()
        hearing = phone.get_by_text(f"{day.isoformat()} 1:30 PM").first.bounding_box()
        assert pdf["y"] < position["y"] and hearing["y"] < position["y"]
        assert phone.get_by_text("Privacy Committee").first.bounding_box()["y"] < position["y"]
        assert pdf["x"] + pdf["width"] <= 390
        _no_sideways_scrolling(phone)


def test_a_bill_number_search_shows_its_result_on_the_first_screen_of_a_phone(browser: Any, database_url: str,
                                                                              seeded: Seeded) -> None:
    """The four filters, each a full-width row on a phone, and the pager pushed the bill a lobbyist typed the
    number of below the first screen (H.R. 3684 at y=922 on an 844 px screen): the filters now pair up there."""
    import re

    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/search", "lobbyist@example.org", PASSWORD)
        query = phone.get_by_role("textbox", name=re.compile("Bill number"))
        query.fill("H.R. 2")
        query.press("Enter")
        result = phone.get_by_role("link", name=re.compile(r"H\.R\. 2 \(119th Congress\)"))
        result.wait_for()
        _settled(phone)
        box = result.bounding_box()
        assert box["y"] + box["height"] <= PHONE["viewport"]["height"], box
        for label in ("Jurisdiction", "Stage", "Flagged for topic", "Position"):  # each filter whole on the screen
            field = phone.locator("[data-testid=stWidgetLabel]", has_text=label).first.bounding_box()
            assert field["x"] >= 0 and field["x"] + field["width"] <= 390, (label, field)
        _no_sideways_scrolling(phone)


def test_the_flagged_bills_list_starts_on_the_first_screen_of_a_phone(browser: Any, database_url: str,
                                                                     seeded: Seeded) -> None:
    """Ten filters, each a full-width row on a phone, and the pager took some 1,270 px before the first flagged
    bill: a lobbyist opening "Flagged bills" saw no bill without scrolling past all of them."""
    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/triage", "lobbyist@example.org", PASSWORD)
        phone.get_by_role("heading", name="Flagged bills").wait_for()
        first = phone.locator("[data-testid=stMain] [data-testid=stPageLink]").first
        first.wait_for()
        _settled(phone)
        assert first.bounding_box()["y"] < PHONE["viewport"]["height"], first.bounding_box()
        for label in ("Show", "Topic", "Jurisdiction", "Sort by", "Stage", "Minimum score"):
            field = phone.locator("[data-testid=stWidgetLabel]", has_text=label).first.bounding_box()
            assert field["x"] >= 0 and field["x"] + field["width"] <= 390, (label, field)
        # The ticks two to a row as well, their labels whole (they were cut to "Only bills assigned t…").
        cut = phone.evaluate("() => [...document.querySelectorAll('[data-testid=stCheckbox] p')]"
                             ".filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.innerText)")
        assert cut == []
        _no_sideways_scrolling(phone)


def test_a_bill_number_typed_on_the_empty_bill_page_of_a_phone(browser: Any, database_url: str,
                                                               seeded: Seeded) -> None:
    """The Bill page opened without a bill said "type its number in the sidebar": on a phone the sidebar is folded
    behind a button, and the bill typed there opened under the sidebar, which stayed open over it."""
    import re

    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/bill", "lobbyist@example.org", PASSWORD)
        phone.get_by_role("heading", name="Bill", exact=True).wait_for()
        box = phone.get_by_role("textbox", name=re.compile("Open bill"))
        where = box.bounding_box()
        assert where["x"] >= 0 and where["x"] + where["width"] <= 390 and where["y"] < 844, where  # on the screen
        box.fill("H.R. 2")
        box.press("Enter")
        heading = phone.get_by_role("heading", name="Consumer Data Privacy Act")
        heading.wait_for()
        middle = heading.bounding_box()
        on_top = phone.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest('h1,h2,h3')?.innerText || ''",
                                [middle["x"] + middle["width"] / 2, middle["y"] + middle["height"] / 2])
        assert "Consumer Data Privacy Act" in on_top  # nothing covers it


def test_the_overview_opens_on_what_moved_and_what_is_coming_up_on_a_phone(browser: Any, database_url: str,
                                                                           session: Session, seeded: Seeded) -> None:
    """Four figures and four charts, each a full-width row on a phone, came before the lists a council member opens
    the Overview for: on the 117th Congress "Moved in the last 7 days" stood at y=1,850 and the hearings coming up
    below it. Now the figures pair up and the charts follow the lists there; a wide screen keeps the charts first."""
    from tracker.models import BillChange, Hearing, HearingItem
    from tracker.models.base import utcnow

    hearing = Hearing(jurisdiction_id="us", source_name="test", source_key="h-phone",
                      date=utcnow().date() + dt.timedelta(days=2), time="10:00", body="Committee on Science")
    session.add(hearing)
    session.flush()
    session.add(HearingItem(hearing_id=hearing.id, bill_id=seeded.ids["privacy"], sequence=1))
    session.add(BillChange(bill_id=seeded.ids["robotics"], kind="new_action", detected_at=utcnow(),
                           after={"date": utcnow().date().isoformat(), "text": "Ordered reported."}))
    session.commit()
    with dashboard_server(database_url) as url:
        phone = _page(browser, PHONE)
        sign_in(phone, f"{url}/overview", "council@example.org", PASSWORD)
        phone.get_by_role("heading", name="Upcoming hearings").wait_for()
        _settled(phone)
        moved, hearings = _box(phone, "Moved in the last 7 days"), _box(phone, "Upcoming hearings")
        charts = phone.get_by_text("By position", exact=True).bounding_box()
        assert moved["y"] < hearings["y"] < _box(phone, "On the executive's desk")["y"] < charts["y"]
        assert hearings["y"] + hearings["height"] < PHONE["viewport"]["height"], hearings  # on the first screen
        _no_sideways_scrolling(phone)

        desktop = _page(browser, DESKTOP)
        desktop.context.add_cookies(phone.context.cookies())
        desktop.goto(f"{url}/overview")
        desktop.get_by_role("heading", name="Upcoming hearings").wait_for()
        _settled(desktop)
        assert desktop.get_by_text("By position", exact=True).bounding_box()["y"] < _box(
            desktop, "Moved in the last 7 days")["y"]
