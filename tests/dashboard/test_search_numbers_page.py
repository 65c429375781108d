"""The Search page finds bills by number, as people type them (real bills: tests/numbered_bills.py)."""

from pathlib import Path

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from database_snapshots import Snapshots
from numbered_bills import extract_from_117, import_numbered_bills
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard.components.render import md


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_from_117(tmp_path_factory.mktemp("c117"))


@pytest.fixture
def numbered(engine: Engine, extracted: Path, seeded: Seeded, session: Session,
             database_snapshots: Snapshots) -> Seeded:
    database_snapshots.restore_or_build("numbered bills", engine, lambda: import_numbered_bills(engine, extracted))
    session.expire_all()  # the seeded rows are back as the snapshot has them
    return seeded


def links(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.proto.label for p in at.get("page_link") if p.proto.page == "bill"]


def test_a_typed_bill_number_lists_that_bill_in_every_session_first_labelled(numbered: Seeded) -> None:
    at = signed_in(numbered.users["lobbyist"], "views/search.py")
    at.text_input(key="q").input("H.R. 22").run()
    no_exception(at)
    assert links(at) == [md("H.R. 22 (117th Congress)"), md("H.R. 22 (114th Congress)")]
    shown = texts(at)
    assert md("Bill number H.R. 22: 2 bills with this number, in every jurisdiction and session that has one.") in shown
    assert "**2** bills match" in shown and "bill number · " in shown
    at.text_input(key="q").input("res 640-2018").run()
    assert links(at) == [md("New York City Council Res 0640-2018 (2018)")]
    at.text_input(key="q").input("ABX1 1").run()
    assert links(at) == [md("California AB 1 (1999-2000 First Extraordinary Session)")]


def test_a_number_with_words_comes_before_the_word_matches(numbered: Seeded) -> None:
    at = signed_in(numbered.users["staff"], "views/search.py")
    at.text_input(key="q").input("HR 22 health care").run()
    no_exception(at)
    found = links(at)
    # The HR 22 whose text has the words first, then the other; then the bills with the words, as words label them.
    assert found[:2] == [md("H.R. 22 (114th Congress)"), md("H.R. 22 (117th Congress)")]
    assert len(found) > 2 and all(label.endswith("Congress\\)") and md("H.R. 22 ") not in label for label in found[2:])
    assert md("then the bills with the words “health care”") in texts(at)
    marked = " ".join(h.proto.body for h in at.get("html"))
    assert "<mark>Health</mark>" in marked or "<mark>health</mark>" in marked  # the words are marked
    assert not any("<mark>22</mark>" in h.proto.body for h in at.get("html"))  # the number's digits are no words
    # In the middle of the words, the same; two numbers, both numbers' bills.
    at.text_input(key="q").input("health H.R. 22 care").run()
    assert links(at) == found and md("then the bills with the words “health care”") in texts(at)
    at.text_input(key="q").input("HR 22 S 22").run()
    assert len(links(at)) == 3 and md("Bill numbers HR 22, S 22: 3 bills with these numbers, in every jurisdiction "
                                      "and session that has one.") in texts(at)


def test_a_number_that_names_no_bill_searches_words_without_an_error(numbered: Seeded) -> None:
    at = signed_in(numbered.users["council"], "views/search.py")
    at.text_input(key="q").input("HR 99999").run()
    no_exception(at)
    assert "**0** bills match" in texts(at) and not links(at) and "Bill number" not in texts(at)
    at.text_input(key="q").input("section 230").run()  # reads like a number, names none: its words are searched
    no_exception(at)
    assert links(at) and all(label.endswith("Congress\\)") for label in links(at))
    # Within the filters: HR 22 is no California bill.
    at.text_input(key="q").input("HR 22").run()
    at.selectbox(key="q_jurisdiction").select("ca").run()
    assert not links(at)
