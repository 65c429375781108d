"""Words and phrases anywhere in a long bill text or summary are found on both databases (the suite runs on
PostgreSQL with DATABASE_URL): appropriations, the NDAA and omnibus bills run to hundreds of thousands of words, and
an omnibus's CRS summary to ten thousand (H.R. 1319 of the 117th Congress, the American Rescue Plan Act: 66,446
characters, "the" 440 times, "for" 377).

PostgreSQL indexed a version's text as one tsvector, which keeps no word's position past 16,383 and at most 255
positions of a word, and holds 1 MB (a text was indexed on its first 500,000 characters): it missed a phrase
past word 16,383 or after the 255th "the", and any word past character 500,000. SQLite's FTS5 has none of these
limits. Real texts (GovInfo): H.R. 1 of the 116th Congress as reported (487,306 characters, 77,356 words, "the"
5,675 times), H.R. 1865 of the 116th as amended by the Senate (2,000,087 characters).
"""

import tarfile
from functools import cache
from pathlib import Path

import pytest
from govinfo_texts import federal_bill, text_sample
from realdata_paths import require_realdata
from sqlalchemy import Engine, select, text, update
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillVersion
from tracker.queries import BillFilter, list_bills
from tracker.search import SearchFilter, search
from tracker.search_syntax import words_of

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


HR1319 = "data/117/bills/hr/hr1319/fdsys_billstatus.xml"


@cache
def _archived(member: str) -> bytes:
    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        for found in tar:
            if found.name == member:
                return tar.extractfile(found).read()  # type: ignore[union-attr]
    raise AssertionError(f"{member} not in the 117th archive")


def imported_billstatus(engine: Engine, tmp_path: Path, member: str) -> None:
    (tmp_path / "fdsys_billstatus.xml").write_bytes(_archived(member))
    assert import_path(engine, tmp_path / "fdsys_billstatus.xml", flag=False).errors == []


# Phrases of H.R. 1319's summary past the 255th "the" (word 6,316 of its 9,939) or the 255th "for": PostgreSQL's
# bill document (titles, summary, names: one tsvector) keeps no later position of those words.
LATE_IN_SUMMARY = ('"the patient protection"', '"enroll in the cobra"', '"and for tribal colleges or universities"',
                   '"extends the suspension on the accrual of interest"', '"revises the amortization rules"',
                   'rescue "the Patient Protection and Affordable Care Act" -tobacco',
                   '"the patient protection" OR zzzqqq')


def test_phrases_late_in_a_long_summary_are_found(engine: Engine, session: Session, tmp_path: Path) -> None:
    imported_billstatus(engine, tmp_path, HR1319)
    summary = session.execute(select(Bill.summary_text)).scalar_one()
    words = summary.lower().split()
    assert len(summary) == 66_446 and words.index("patient") > 8_000 and words[:8_000].count("the") > 255
    for query in LATE_IN_SUMMARY:
        assert found(session, query) == ["HR 1319"] == listed(session, query), query
    # Still phrases: the words in another order are not them.
    for query in ('"patient the protection"', '"universities or colleges tribal"',
                  '"the patient protection" -"revises the amortization rules"'):
        assert found(session, query) == [] == listed(session, query), query


def test_a_corrected_summary_is_searched_as_corrected(engine: Engine, session: Session, tmp_path: Path) -> None:
    """A summary written again (CRS revises its summaries; a correction) is what is found, long or short."""
    imported_billstatus(engine, tmp_path, HR1319)
    long_summary = session.execute(select(Bill.summary_text)).scalar_one()
    session.execute(update(Bill).values(summary_text="A short summary about hydropower."))
    session.commit()
    assert found(session, '"revises the amortization rules"') == [] == found(session, "amortization")
    assert found(session, '"about hydropower"') == ["HR 1319"]
    session.execute(update(Bill).values(summary_text=long_summary + " The bill ends with hydropower cyclones."))
    session.commit()
    assert found(session, '"revises the amortization rules"') == ["HR 1319"] == found(session, '"hydropower cyclones"')
    assert found(session, '"about hydropower"') == []


def test_a_long_summary_is_in_parts_under_postgresqls_limits(engine: Engine, session: Session,
                                                              tmp_path: Path) -> None:
    """PostgreSQL only: a bill whose words (titles and summary) pass a tsvector's limits has them in parts too,
    each under the limits; a bill within them has none (its document is whole); a bill deleted takes its parts."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the parts are PostgreSQL's")
    imported_billstatus(engine, tmp_path, HR1319)
    imported(engine, "H1_RH.XML")  # H.R. 1 of the 116th: a short summary (none), a long text
    parts = session.execute(text("SELECT b.identifier, p.part, "
                                 "(SELECT max(cardinality(u.positions)) FROM unnest(p.doc) u) "
                                 "FROM bill_fts_part p JOIN bill b ON b.id = p.bill_id ORDER BY p.part")).all()
    assert {b for b, _, _ in parts} == {"HR 1319"} and [p for _, p, _ in parts] == list(range(1, len(parts) + 1))
    assert len(parts) >= 2 and all(most < 255 for _, _, most in parts)
    session.execute(text("DELETE FROM bill WHERE identifier = 'HR 1319'"))
    assert session.execute(text("SELECT count(*) FROM bill_fts_part")).scalar_one() == 0


def test_a_pasted_passage_longer_than_the_parts_overlap_is_found_across_a_cut(engine: Engine, session: Session) -> None:
    """A quoted passage of 310 words (model language pasted to find the bills that carry it) that runs over the
    end of PostgreSQL's first part of H.R. 1's text (parts share 200 words): found on both databases, as SQLite
    finds it; the passage with one word changed in its middle is not."""
    imported(engine, "H1_RH.XML")
    words = words_of(session.execute(select(BillVersion.text)).scalar_one())
    start, stop = 3_491, 3_801
    if engine.dialect.name == "postgresql":  # the passage runs from before the second part into past the first
        first_end = session.execute(text("SELECT max(p) FROM billversion_fts_part, unnest(doc) u, "
                                         "unnest(u.positions) p WHERE part = 1")).scalar_one()
        assert start < first_end - 200 and stop > first_end
    passage = " ".join(words[start:stop])
    assert found(session, f'"{passage}"') == ["HR 1"] == listed(session, f'"{passage}"')
    changed = " ".join([*words[start:start + 150], "zzzqqq", *words[start + 151:stop]])
    assert found(session, f'"{changed}"') == [] == listed(session, f'"{changed}"')


def test_a_phrase_is_of_one_field_titles_summary_or_names_on_both_databases(engine: Engine, session: Session,
                                                                            tmp_path: Path) -> None:
    """SQLite indexes a bill's titles, summary, sponsor and cosponsors as columns of their own, and a phrase is
    within one; PostgreSQL's bill document held them one after the other, so H.R. 21's last title words and first
    summary words ("... FedRAMP Authorization Act" / "Federal Risk and ...") were a phrase there, and the summary's
    last words and its sponsor's name another."""
    imported_billstatus(engine, tmp_path, "data/117/bills/hr/hr21/fdsys_billstatus.xml")
    for query in ('"fedramp authorization act"', '"federal risk and authorization"', '"advisory committee"',
                  '"Connolly Gerald"', '"Comer James"'):
        assert found(session, query) == ["HR 21"] == listed(session, query), query
    for query in ('"authorization act federal risk"', '"Advisory Committee Connolly"', '"Connolly Gerald E Comer"'):
        assert found(session, query) == [] == listed(session, query), query
