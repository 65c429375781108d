"""A legislator's name finds their bills wherever search is offered, on SQLite and PostgreSQL alike: accents and
case ignored, the bills they sponsored before those they cosponsored, and with other words only the bills that
have both (migration 0023: the names are in the search index)."""

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from tests.tracker.test_ingest import ingest, make_record
from tracker import db
from tracker.queries import BillFilter, list_bills
from tracker.records import SponsorshipRecord
from tracker.search import search

MENENDEZ = "Sen. Menendez, Robert [D-NJ]"
SANCHEZ = "Rep. Sánchez, Linda T. [D-CA-38]"
LUJAN = "Sen. Luján, Ben Ray [D-NM]"


def sponsors(primary: str, *cosponsors: str, withdrawn: tuple[str, ...] = ()) -> list[SponsorshipRecord]:
    import datetime as dt

    return [SponsorshipRecord(name=primary, kind="primary"),
            *(SponsorshipRecord(name=n, kind="cosponsor") for n in cosponsors),
            *(SponsorshipRecord(name=n, kind="cosponsor", withdrawn_date=dt.date(2021, 5, 1)) for n in withdrawn)]


def bills(session: Session) -> None:
    ingest(session,
           make_record(1, title="Online Privacy Act", sponsorships=sponsors(MENENDEZ, SANCHEZ)),
           make_record(2, title="Data Privacy Protection Act", sponsorships=sponsors(SANCHEZ, MENENDEZ, LUJAN)),
           make_record(3, title="Clean Water Act", sponsorships=sponsors(MENENDEZ)),
           make_record(4, title="Rural Broadband Act", sponsorships=sponsors(LUJAN, withdrawn=(MENENDEZ,))))


def found(session: Session, query: str) -> list[str]:
    return [r["identifier"] for r in search(session, query)[0]]


def listed(session: Session, query: str) -> list[str]:
    return [b["identifier"] for b in list_bills(session, BillFilter(text=query))]


def test_a_name_finds_the_bills_sponsored_first_then_cosponsored_accents_ignored(session: Session) -> None:
    bills(session)
    for query in ("Menendez", "menendez", "MENENDEZ", "Robert Menendez"):
        assert sorted(found(session, query)[:2]) == ["HR 1", "HR 3"] and found(session, query)[2:] == ["HR 2"]
        assert listed(session, query) == found(session, query), query  # bills list --text, export --text
    assert found(session, "Sanchez") == ["HR 2", "HR 1"] == found(session, "Sánchez") == found(session, "linda sanchez")
    assert found(session, "Lujan") == ["HR 4", "HR 2"] == found(session, "Luján")
    # With other words: only the bills that have them too, the sponsor's first.
    assert found(session, "Menendez privacy") == ["HR 1", "HR 2"] == listed(session, "privacy menendez")
    assert found(session, "Menendez water") == ["HR 3"]
    assert found(session, "Lujan broadband") == ["HR 4"]
    # A withdrawn cosponsor is no longer on the bill; titles and party-state labels are not names.
    assert "HR 4" not in found(session, "Menendez")
    for label in ("Sen", "Rep", "NJ", "D"):  # whole words (the Search page reads the last as a prefix too)
        assert listed(session, label) == [], label


def test_a_changed_list_of_cosponsors_is_searched_as_it_now_is(session: Session) -> None:
    bills(session)
    ingest(session, make_record(3, title="Clean Water Act", sponsorships=sponsors(MENENDEZ, LUJAN)))
    assert found(session, "Lujan")[0] == "HR 4" and sorted(found(session, "Lujan")[1:]) == ["HR 2", "HR 3"]
    ingest(session, make_record(3, title="Clean Water Act", sponsorships=sponsors(LUJAN)))
    assert sorted(found(session, "Lujan")[:2]) == ["HR 3", "HR 4"] and "HR 3" not in found(session, "Menendez")


def test_the_migration_indexes_the_names_of_bills_already_stored(engine: Engine, session: Session) -> None:
    bills(session)
    session.close()
    db.downgrade(engine, "0024")
    try:
        db.upgrade(engine)
        with Session(engine) as s:
            assert sorted(found(s, "Menendez")[:2]) == ["HR 1", "HR 3"] and found(s, "Menendez")[2:] == ["HR 2"]
            assert found(s, "Sanchez privacy") == ["HR 2", "HR 1"]
            if engine.dialect.name == "sqlite":  # the triggers were made again with the names: a single write
                s.execute(text("UPDATE bill SET cosponsor_names = 'wyden, ron' WHERE identifier = 'HR 3'"))
                assert found(s, "Wyden") == ["HR 3"]
    finally:
        db.upgrade(engine)


@pytest.mark.parametrize("query", ["Menendez", "Sanchez privacy"])
def test_the_same_bills_on_both_databases(session: Session, query: str) -> None:
    """Half of a parity check: the same assertions run on PostgreSQL with DATABASE_URL (tests/conftest.py)."""
    bills(session)
    assert len(found(session, query)) == {"Menendez": 3, "Sanchez privacy": 2}[query]


def test_a_word_being_typed_is_not_read_as_the_start_of_a_name(session: Session) -> None:
    """The Search page reads the last word as a prefix (results while typing): "data bro" is data brokers, not
    every data bill Rep. Brown sponsored; her name typed in full finds them."""
    ingest(session, make_record(1, title="Data Broker Registry Act", sponsorships=sponsors(LUJAN)),
           make_record(2, title="Data Security Act", sponsorships=sponsors("Rep. Brown, Shontel M. [D-OH-11]")))
    assert found(session, "data bro") == ["HR 1"]
    assert found(session, "data brown") == ["HR 2"]


def test_names_are_searched_without_title_or_label_whatever_the_feed() -> None:
    from tracker.names import search_names

    assert search_names(["Rep. Sánchez, Linda T. [D-CA-38]", "Del. Norton, Eleanor Holmes [D-DC-At Large]",
                         "Resident Commissioner González-Colón, Jenniffer [R-PR-At Large]"]) == (
        "sanchez, linda t.; norton, eleanor holmes; gonzalez-colon, jenniffer")
    # Open States and LegiScan name people as written: a name that starts like a title keeps its first word.
    assert search_names(["Del Toro, Ana", "Scott Wiener", "Senator Wiener"]) == "del toro, ana; scott wiener; wiener"
    assert search_names([]) is None


def test_folding_plain_ascii_takes_the_short_way_to_the_same_result() -> None:
    """``folded`` skips the Unicode decomposition for ASCII names (most legislators'); every ASCII character folds
    as the full path folds it, and a name with accents still loses them."""
    import unicodedata

    from tracker.names import folded

    ascii_text = "".join(map(chr, range(128)))
    full = "".join(c for c in unicodedata.normalize("NFKD", ascii_text) if not unicodedata.combining(c)).casefold()
    assert folded(ascii_text) == full
    assert folded("LIMÓN, Straße") == "limon, strasse"
