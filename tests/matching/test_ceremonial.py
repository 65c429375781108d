"""Ceremonial and commemorative resolutions: told by their titles (tracker.matching.ceremonial), still flagged,
listed in the triage inbox after the substantive bills."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker import triage
from tracker.matching import flag_bills
from tracker.matching.ceremonial import ceremonial_form
from tracker.matching.topics import load_topics
from tracker.records import BillRecord

# Titles of the feeds as they come (117th Congress BILLSTATUS, Alabama 2025 Open States, Mississippi 2014 LegiScan).
CEREMONIAL = [
    ('Expressing the support of the House of Representatives for the designation of "Public Radio Music Day" and its '
     "deep appreciation for the role of public radio music stations", "day"),
    ('A resolution designating June 2022 as "National Cybersecurity Education Month".', "day"),
    ('Supporting the designation of "Telehealth Awareness Week".', "day"),
    ("A resolution supporting the goals and ideals of National Public Safety Telecommunicators Week.", "day"),
    ("Declaring April 22, 2025, as Alabama Links Day at the Capitol", "day"),
    ("Scouting America Day, recognized", "day"),
    ("Honoring the life and legacy of Rush Limbaugh and commending Rush Limbaugh for inspiring millions of radio "
     "listeners", "honours"),
    ("Robotics team The Super Novas from Peter F. Alba Middle School, commended", "honours"),
    ("William Jelks \u201cBill\u201d Cabaniss, Jr., death mourned", "honours"),
    ("Commend Jackson State University for its robotics program", "honours"),
    ("Recognizing the 25th anniversary of Radio Free Asia and its mission to provide an independent source of news",
     "recognizes"),
    ("A resolution recognizing the contributions made by the 305-meter radio telescope at the Arecibo Observatory.",
     "recognizes"),
]
SUBSTANTIVE = [
    "Supporting the Local Radio Freedom Act.",
    "Recognizing the importance of broadband in rural areas throughout the United States and the critical need to "
    "invest in broadband expansion",
    "Condemning, in the strongest terms, cyberattacks carried out by the Government of Iran.",
    "Of inquiry requesting the President to provide certain documents relating to online censorship of political "
    "speech.",
    "Alabama Quantum Evaluation Task Force, created",
]


@pytest.mark.parametrize(("title", "form"), CEREMONIAL)
def test_ceremonial_resolutions_are_told_by_their_titles(title: str, form: str) -> None:
    assert form in (ceremonial_form([title], "resolution") or "")
    assert ceremonial_form([title], "bill") is None  # "Honoring our PACT Act" is a law all the same


@pytest.mark.parametrize("title", SUBSTANTIVE)
def test_resolutions_that_take_a_position_are_not_ceremonial(title: str) -> None:
    assert ceremonial_form([title], "resolution") is None
    assert ceremonial_form([title], "concurrent resolution") is None


TOPICS = """
topics:
  - slug: broadband
    name: Broadband and telecom
    threshold: 3
    rules:
      - rule: 'broadband OR radio OR telehealth'
        weight: 2
"""


def resolution(number: int, title: str, summary: str | None = None, text: str | None = None) -> BillRecord:
    record = bill_record(number, title, summary, version_text=text)
    return record.model_copy(update={"identifier": f"HRES {number}", "bill_type": "HRES",
                                     "classification": "resolution", "source_key": f"117-hres-{number}"})


def test_ceremonial_resolutions_are_listed_after_substantive_bills(session: Session, store_bills: Callable,
                                                                   tmp_path) -> None:
    # Users saw "Public Radio Music Day" and "Telehealth Awareness Week" at the top of the inbox: a title's word
    # weighs three times a summary's, so a resolution naming "radio" outranked a bill whose summary is about
    # broadband. They stay flagged (staff may still want them), after every substantive bill.
    path = tmp_path / "topics.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=str(path))
    session.commit()
    radio_day, bill, telehealth = store_bills(
        resolution(759, 'Expressing support for the designation of "Public Radio Music Day".'),
        bill_record(1, "Rural Connectivity Act", "Grants for broadband deployment in rural areas."),
        # A ceremonial title, but a text about the topic: that flag is the substantive kind.
        resolution(660, 'Supporting the designation of "Telehealth Awareness Week".',
                   text="Resolved, That the House supports telehealth coverage. " + "Telehealth services. " * 4),
    )
    flag_bills(session, [radio_day, bill, telehealth])
    session.commit()
    rows, total = triage.inbox(session)
    assert total == 3
    order = [row["id"] for row in rows]
    assert order.index(bill) < order.index(radio_day) and order.index(telehealth) < order.index(radio_day)
    by_id = {row["id"]: row for row in rows}
    assert by_id[radio_day]["score"] > by_id[bill]["score"]  # the score itself is the flag's, unchanged
    assert by_id[radio_day]["ceremonial"] == "designates or observes a day, week or month"
    assert by_id[bill]["ceremonial"] is None and by_id[telehealth]["ceremonial"] is None
    # Weakest first is the same order reversed.
    rows, _ = triage.inbox(session, triage.InboxFilter(descending=False))
    assert [row["id"] for row in rows] == order[::-1]
