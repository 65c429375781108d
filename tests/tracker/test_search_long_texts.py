"""Words and phrases anywhere in a long bill text are found on both databases (the suite runs on PostgreSQL with
DATABASE_URL): appropriations, the NDAA and omnibus bills run to hundreds of thousands of words.

PostgreSQL indexed a version's text as one tsvector, which keeps no word's position past 16,383 and at most 255
positions of a word, and holds 1 MB (a text was indexed on its first 500,000 characters): it missed a phrase
past word 16,383 or after the 255th "the", and any word past character 500,000. SQLite's FTS5 has none of these
limits. Real texts (GovInfo): H.R. 1 of the 116th Congress as reported (487,306 characters, 77,356 words, "the"
5,675 times), H.R. 1865 of the 116th as amended by the Senate (2,000,087 characters).
"""

import pytest
from govinfo_texts import federal_bill, text_sample
from sqlalchemy import Engine, select, text, update
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import BillVersion
from tracker.queries import BillFilter, list_bills
from tracker.search import SearchFilter, search

pytestmark = pytest.mark.realdata


def found(session: Session, query: str) -> list[str]:
    return [r["identifier"] for r in search(session, query, SearchFilter(), limit=100)[0]]


def listed(session: Session, query: str) -> list[str]:
    return sorted(b["identifier"] for b in list_bills(session, BillFilter(text=query)))


def imported(engine: Engine, name: str) -> None:
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(federal_bill(name))])
        s.commit()
    assert import_path(engine, text_sample(name), flag=False).errors == []


def test_phrases_late_in_a_long_text_and_after_a_common_words_255th_use_are_found(
        engine: Engine, session: Session) -> None:
    imported(engine, "H1_RH.XML")
    body = session.execute(select(BillVersion.text)).scalar_one()
    words = body.lower().split()
    assert len(body) > 480_000 and words.index("patient") > 8_000 and words[:8_000].count("the") > 255
    for query in ('"the patient"',  # word ~8,600, after "the" 300 times
                  '"shorter deadlines"',  # word ~23,500: past position 16,383
                  '"securities exchange"', '"initiating investigations"',  # words ~40,000 and ~70,000
                  '"the patient" "initiating investigations"', '"vigilantly protected"',
                  'election "initiating investigations" -tobacco', '"initiating investigations" OR zzzqqq'):
        assert found(session, query) == ["HR 1"], query
        assert listed(session, query) == ["HR 1"], query
    # Still a phrase: the words apart are not it.
    for query in ('"patient the"', '"exchange securities"', '"initiating investigations" -"the patient"'):
        assert found(session, query) == [] and listed(session, query) == [], query


def test_words_past_the_first_500000_characters_are_found(engine: Engine, session: Session) -> None:
    imported(engine, "BILLS-116hr1865eah.xml")
    body = session.execute(select(BillVersion.text)).scalar_one()
    assert body.lower().find("artificial intelligence") > 1_400_000 and len(body) == 2_000_087
    for query in ("artificial intelligence", '"artificial intelligence"', "intelligence -zzzqqq"):
        assert found(session, query) == ["HR 1865"] == listed(session, query), query
    # The text's last words (its attestation) too.
    last = " ".join(body.split()[-3:])
    assert found(session, f'"{last}"') == ["HR 1865"], last


def test_a_corrected_text_is_searched_as_corrected(engine: Engine, session: Session) -> None:
    """A version's text written again (a correction) is what is found: PostgreSQL's parts of it are written anew."""
    imported(engine, "H1_RH.XML")
    session.execute(update(BillVersion).values(text=BillVersion.text + " Hydropower cyclone rebuilding."))
    session.commit()
    assert found(session, '"hydropower cyclone"') == ["HR 1"] == found(session, '"initiating investigations"')
    session.execute(update(BillVersion).values(text="A short text about hydropower."))
    session.commit()
    assert found(session, "hydropower") == ["HR 1"]
    assert found(session, '"initiating investigations"') == [] == found(session, "cyclone")


def test_each_part_of_a_long_text_is_under_postgresqls_limits(engine: Engine, session: Session) -> None:
    """PostgreSQL only (SQLite's FTS5 indexes a text whole): no part keeps a word at 255 positions (it may have
    lost some) or a position at 16,383, and two parts in a row share words, so a phrase across a cut is whole."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the parts are PostgreSQL's (migration 0033)")
    imported(engine, "H1_RH.XML")
    parts = session.execute(text("SELECT part, (SELECT max(cardinality(u.positions)) FROM unnest(doc) u), "
                                 "(SELECT max(p) FROM unnest(doc) u, unnest(u.positions) p) "
                                 "FROM billversion_fts_part ORDER BY part")).all()
    assert len(parts) > 20 and [p for p, _, _ in parts] == list(range(1, len(parts) + 1))
    assert all(most < 255 and last < 16_383 for _, most, last in parts)
    session.execute(text("DELETE FROM billversion"))
    assert session.execute(text("SELECT count(*) FROM billversion_fts_part")).scalar_one() == 0
