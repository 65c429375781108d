"""City file numbers as city-hall staff type them: "Int 1299", "Res 640", "1299", not only the clerk's whole
"Int 1299-2018" or "Res 0640-2018".

The 300 real matters of the Chicago, New York City and LA Metro Legislation grids (tests/legistar_grids.py), stored
as a crawl stores them: New York writes "Int 1299-2018" (number padded to four digits, then the year), Chicago
"O2018-9628" (year, then number), LA Metro "2018-0609" (no type).
"""

import pytest
from database_snapshots import Snapshots
from legistar_grids import ingest_grids
from sqlalchemy import Engine
from sqlmodel import Session

from tracker.models import Bill
from tracker.queries import find_numbered
from tracker.search import read_query, search

pytestmark = pytest.mark.realdata


@pytest.fixture
def cities(engine: Engine, session: Session, database_snapshots: Snapshots) -> Session:
    assert database_snapshots.restore_or_build("city grids", engine, lambda: ingest_grids(engine)) == 300
    return session


def numbered(s: Session, query: str) -> list[str]:
    """The bills listed first as the number typed (every jurisdiction and session), latest first."""
    rows, _ = search(s, query)
    return [r["identifier"] for r in rows if r["matched"] == "number"]


TYPED = {
    # type and number, without the year: every session's matter of that number (New York pads to four digits)
    ("Int 1299", "int 1299", "Int. 1299", "Intro 1299", "Int. No. 1299", "INT1299", "Int 01299"): ["Int 1299-2018"],
    ("Res 640", "Res 0640", "res. 640", "Reso 640", "Res. No. 640"): ["Res 0640-2018"],
    ("Int 1173",): ["Int 1173-2018", "Int 1173-2016"],  # two councils' Int 1173
    ("Res 104",): ["Res 0104-2018"],  # not LA Metro's 2018-0104, which has no type
    ("O 9628", "O9628"): ["O2018-9628"],  # not SO2018-...: a substitute ordinance is another file
    # the number alone, zeros or not: every city's file of that number
    ("1299", "01299"): ["Int 1299-2018"],
    ("640",): ["Res 0640-2018"],
    ("9628",): ["O2018-9628"],
    ("609", "0609"): ["2018-0609"],
    ("104",): ["2018-0104", "Res 0104-2018"],
    # the whole file number, as before; Chicago's number unpadded or padded
    ("Int 1299-2018", "Res 640-2018", "R2018-872", "R2018-0872"): None,
}


def test_a_city_file_number_is_found_by_its_type_and_number_or_its_number_alone(cities: Session) -> None:
    for spellings, expected in TYPED.items():
        for typed in spellings:
            want = expected or [{"Res 640-2018": "Res 0640-2018", "R2018-0872": "R2018-872"}.get(typed, typed)]
            assert sorted(numbered(cities, typed)) == sorted(want), typed


def test_a_bare_number_is_also_searched_as_a_word_and_names_no_bill_alone_among_words(cities: Session) -> None:
    # Typed alone, a number names the files of that number first, then the bills that have it as a word.
    read = read_query(cities, "1299")
    assert (read.number, read.words) == ("1299", "1299")
    # A number that names no file, or a bare number among words (a year: "budget 2019"), stays a word.
    assert read_query(cities, "9999").number is None
    assert read_query(cities, "vans 1299").number is None
    # With the type, a number among words is a number as federal ones are: its bills first.
    read = read_query(cities, "Int 1299 commuter vans")
    assert (read.number, read.words) == ("Int 1299", "commuter vans")
    assert numbered(cities, "commuter vans Int 1299") == ["Int 1299-2018"]


def test_bills_show_and_export_find_a_city_file_by_type_and_number(cities: Session) -> None:
    found = find_numbered(cities, ["Int 1299", "Res 640", "HR 1299", "Int 1299-2019"])
    assert {ref: [cities.get(Bill, i).identifier for i in ids] for ref, ids in found.items()} == {
        "Int 1299": ["Int 1299-2018"], "Res 640": ["Res 0640-2018"], "HR 1299": [], "Int 1299-2019": []}
