"""Times on the bill page read as times: day, hour and minute, and the zone they are in."""

import re

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from dashboard.components.render import md, stamp
from tracker import notes, positions, triage


def test_stamp_reads_iso_strings_and_datetimes_alike() -> None:
    assert stamp("2026-12-07T03:42:44.952897+00:00") == "2026-12-07 03:42 UTC"
    assert stamp("2026-12-07T03:35:07+00:00") == "2026-12-07 03:35 UTC"
    assert stamp(None) == "unknown"
    assert stamp("not a time") == "not a time"  # shown as given rather than lost


def test_the_bill_page_shows_no_raw_iso_timestamps(session: Session, seeded: Seeded) -> None:
    # "by Test Staff at 2026-12-07T03:35:07+00:00", "Last fetched 2026-12-07T03:42:44.952897+00:00": the T,
    # the seconds' fractions and "+00:00" on every line of the side column.
    staff, bill = seeded.users["staff"], seeded.ids["privacy"]
    positions.set_position(session, actor=staff, bill_id=bill, stance="Watch", expected_version=None)
    notes.add_note(session, actor=staff, bill_id=bill, body="Call Dana first.")
    triage.dismiss(session, actor=staff, bill_ids=[bill])
    session.commit()
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    shown = "\n".join(c.value for c in at.caption).replace("\\", "")  # md()'s escapes aside
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", shown), shown
    assert re.search(r"by Staff Person at \d{4}-\d\d-\d\d \d\d:\d\d UTC", shown), shown
    assert re.search(r"dismissed · not relevant by Staff Person at \d{4}-\d\d-\d\d \d\d:\d\d UTC", shown), shown
    assert re.search(r"Last fetched \d{4}-\d\d-\d\d \d\d:\d\d UTC", shown), shown
    assert md("Call Dana first.") in texts(at)
    [history] = [d.value for d in at.dataframe if "rationale or reason" in d.value.columns]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", history["when"].iloc[0])
