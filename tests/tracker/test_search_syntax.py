"""Search that staff can steer, as commercial trackers let them: ``OR``, exclusions (``-word``, ``NOT word``),
parentheses, with quoted phrases and bill numbers as before; the same bills on SQLite and PostgreSQL (the suite
runs on PostgreSQL with DATABASE_URL), and nothing typed is ever an error or reaches FTS5 or ``to_tsquery`` raw.

Real bills: nine BILLSTATUS samples of the 114th-119th Congresses (rural call quality, rural health workforce,
broadband, quantum encryption, women veterans' health, hearing protection...), and H.R. 1000 of the 116th with its
GovInfo text (words only its text holds).
"""

import itertools
from pathlib import Path

import pytest
from govinfo_texts import federal_bill, text_sample
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillVersion
from tracker.queries import BillFilter, list_bills
from tracker.search import SearchFilter, highlight_terms, names_not_searched, search, search_bill_ids
from tracker.search_syntax import MAX_DEPTH, MAX_WORDS, All, Any, Term, parse

pytestmark = pytest.mark.realdata

SAMPLES = ("usgpo_samples/legacy/BILLSTATUS-114hr2566.xml", "usgpo_samples/legacy/BILLSTATUS-114s469.xml",
           "usgpo_samples/legacy/BILLSTATUS-114s1300.xml", "usgpo_samples/actions-committees/BILLSTATUS-116s2902.xml",
           "usgpo_samples/actions-committees/BILLSTATUS-116hr5240.xml",
           "usgpo_samples/textVersions/DEV-BILLSTATUS-115hr302.xml",
           "usgpo_samples/textVersions/DEV-BILLSTATUS-115hr367.xml",
           "congress119/data/119/bills/hr/hr1343/fdsys_billstatus.xml",
           "congress119/data/119/bills/hr/hr4942/fdsys_billstatus.xml")


@pytest.fixture
def bills(engine: Engine, session: Session, tmp_path: Path) -> Session:
    for n, path in enumerate(SAMPLES):
        (tmp_path / f"{n}.xml").symlink_to(require_realdata("billstatus", path))
    assert import_path(engine, tmp_path, flag=False).errors == []
    return session


def found(session: Session, query: str, **filters: str) -> list[str]:
    """The Search page's bills, in its order."""
    return [r["identifier"] for r in search(session, query, SearchFilter(**filters), limit=100)[0]]


def listed(session: Session, query: str) -> list[str]:
    """``tracker bills list --text`` (and ``export --text``): whole words, no prefix."""
    return sorted(b["identifier"] for b in list_bills(session, BillFilter(text=query)))


# Query: the bills found, on both databases (the same assertions run on PostgreSQL with DATABASE_URL).
STEERED = {
    "rural": ["HR 2566", "S 2902"],
    "rural OR broadband": ["HR 1343", "HR 2566", "S 2902"],
    "rural -health": ["HR 2566"],  # S 2902 is the Rural Health Workforce Act
    "rural NOT health": ["HR 2566"],
    'rural -"rural health"': ["HR 2566"],
    '"rural health" OR encryption': ["HR 4942", "S 2902"],
    "broadband OR encryption -quantum": ["HR 1343"],
    "(rural OR broadband) -(health OR call)": ["HR 1343"],
    "health OR rural -(women OR workforce)": ["HR 2566", "HR 302"],
    "(rural -health) OR encryption": ["HR 2566", "HR 4942"],  # a group's own exclusion
    "health (rural -workforce)": [],
    "hearing OR -health": ["HR 367"],  # an alternative that only excludes offers nothing: dropped
    "rural AND health": ["S 2902"],
}


def test_or_exclusions_and_groups_find_the_same_bills_on_the_page_and_in_the_list(bills: Session) -> None:
    assert {q: sorted(found(bills, q)) for q in STEERED} == STEERED
    assert {q: listed(bills, q) for q in STEERED} == STEERED
    # An exclusion is of the whole word on the page too (the last word typed is otherwise also a prefix): "prot"
    # is not "protection".
    assert found(bills, "hearing -prot") == found(bills, "hearing") == ["HR 367"]


def test_exclusions_alone_narrow_the_filters_and_nothing_else(bills: Session) -> None:
    """"-health" without words excludes from the bills a filter chose; with no filter there is nothing to narrow
    (the Search page lists nothing without words or filters); a typed number is listed whatever is excluded."""
    assert found(bills, "-health") == found(bills, "NOT health") == []
    assert sorted(found(bills, "-health", jurisdiction="us")) == ["HR 1343", "HR 2566", "HR 367", "HR 4942",
                                                                  "HR 5240", "S 1300"]
    ids = bills.execute(search_bill_ids(bills, "-health", SearchFilter(jurisdiction="us"))).scalars().all()
    assert len(ids) == 6
    assert len(listed(bills, "-(health OR rural)")) == 5  # a filter among --flagged, --jurisdiction...
    assert found(bills, "HR 302 -health") == ["HR 302"]


def test_malformed_queries_are_words_never_errors(bills: Session) -> None:
    for typed in ("health OR", "OR health", "health -", "health NOT", "((health)", "health)", "health AND",
                  "health OR OR (", "health -(", 'health "-"', "health OR -", "((((((((((health))))))))))"):
        assert sorted(found(bills, typed)) == ["HR 302", "S 2902", "S 469"], typed
    assert found(bills, 'health "rural') == ["S 2902"]  # a quote left open is punctuation: its words are words
    # Operators alone are the words typed.
    assert sorted(found(bills, "NOT")) == ["HR 2566", "HR 302", "S 1300", "S 469"]
    assert found(bills, "OR -") == found(bills, "OR")
    for nothing in ("-", "()", "-()", '"-"', "(-)", '""'):
        assert found(bills, nothing) == [] and listed(bills, nothing) == [], nothing
    # Every short combination of the syntax: no error on either database; the page finds what the list finds,
    # and more only by the last word as a prefix.
    for combo in itertools.product(("OR", "NOT", "-", "(", ")", '"'), repeat=2):
        for query in ("rural " + " ".join(combo), "rural " + "".join(combo) + "health"):
            page, whole = set(found(bills, query)), set(listed(bills, query))
            assert page == whole or (page > whole and query.endswith("health")), query


def test_an_exclusion_is_of_the_bill_text_too_on_both_databases(engine: Engine, session: Session) -> None:
    """H.R. 1000's title is about jobs; "Humphrey-Hawkins" is only in its text. PostgreSQL reads a bill and each
    version as documents of their own, and "jobs -humphrey" as one tsquery found the bill through its title."""
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(federal_bill("H1000_IH.XML"))])
        s.commit()
    assert import_path(engine, text_sample("H1000_IH.XML"), flag=False).errors == []
    title = session.execute(select(Bill.title)).scalar_one()
    word = next(w for w in ("jobs", "employment", "act") if w in title.lower())
    assert found(session, word) == ["HR 1000"]
    assert found(session, "Humphrey-Hawkins") == ["HR 1000"]
    for query in (f"{word} -Humphrey", f"{word} NOT humphrey", f"{word} -(humphrey OR broadband)",
                  f"({word} -humphrey) OR broadband"):
        assert found(session, query) == [] and listed(session, query) == [], query
    assert found(session, f"{word} OR broadband") == ["HR 1000"]


def test_words_of_the_summary_and_of_the_text_together_find_the_bill_on_both_databases(
        engine: Engine, session: Session) -> None:
    """Staff type a word of the summary and one they remember from the text ("guarantee humphrey"). SQLite indexes
    a bill in one row, its text with its summary, and found H.R. 1000; PostgreSQL indexes the bill and each version
    as documents of their own and needed every word in one of them: it found nothing."""
    # H.R. 1000's real text (GovInfo); no summary of it is in realdata, so this one is written for the test, in
    # a word its text never says.
    bill = federal_bill("H1000_IH.XML").model_copy(update={"summary_text": "Establishes a federal jobs guarantee."})
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(bill)])
        s.commit()
    assert import_path(engine, text_sample("H1000_IH.XML"), flag=False).errors == []
    text = session.execute(select(BillVersion.text)).scalar_one()
    word = "guarantee"
    assert word not in text.lower() and "humphrey" in text.lower()
    for query in (f"{word} humphrey", f"humphrey {word}", f"{word} Humphrey-Hawkins", f'{word} "Humphrey-Hawkins"',
                  f"{word} AND (humphrey OR broadband)", f"{word} humphrey -broadband", f"{word} humphr"):
        assert found(session, query) == ["HR 1000"], query
        if not query.endswith("humphr"):  # the list reads whole words only, no prefix
            assert listed(session, query) == ["HR 1000"], query
    for query in (f"{word} humphrey broadband", f"{word} humphrey -hawkins", f"broadband -{word} humphrey"):
        assert found(session, query) == [] and listed(session, query) == [], query


def test_a_word_finds_legislators_names_when_written_as_a_name(bills: Session) -> None:
    """Rep. Billy Long cosponsored the Hearing Protection Act: "long" is the word (HR 2566, S 469 say it),
    "Long" is also his name. A word no bill has can only be a name: "welch" finds Rep. Welch's bills."""
    assert sorted(found(bills, "long")) == ["HR 2566", "S 469"] == listed(bills, "long")
    assert found(bills, "Long")[-1] == "HR 367" and sorted(found(bills, "Long")) == ["HR 2566", "HR 367", "S 469"]
    assert listed(bills, "LONG") == ["HR 2566", "HR 367", "S 469"]
    assert found(bills, "welch") == found(bills, "Welch") == ["HR 2566"]
    assert found(bills, "rural -Long") == found(bills, "rural -long") == ["S 2902"]  # HR 2566 says "long"
    assert found(bills, "hearing -Long") == [] and found(bills, "hearing -long") == ["HR 367"]
    # The Search page says which words are also names, to be written with a capital.
    assert names_not_searched(bills, "rural long") == ["long"] and names_not_searched(bills, "Long welch") == []


def test_shown_words_are_those_looked_for() -> None:
    assert highlight_terms('privacy OR "facial recognition" -tobacco NOT health') == ["privacy", "facial",
                                                                                     "recognition"]


def test_the_syntax_is_read_without_a_database() -> None:
    word = lambda w, **kw: Term("word", (w,), **kw)  # noqa: E731
    assert parse("facial recognition OR biometric") == All((word("facial"), Any((word("recognition"),
                                                                                  word("biometric")))))
    assert parse("privacy -tobacco NOT vaping") == All((word("privacy"),), (word("tobacco"), word("vaping")))
    assert parse("privacy (data -health)") == All((word("privacy"), word("data")), (word("health"),))
    assert parse("cyber-security e-mail") == All((Term("hyphenated", ("cyber", "security")),
                                                  Term("hyphenated", ("e", "mail"))))
    assert parse("privacy bio", prefix=True) == All((word("privacy"), word("bio", prefix=True)))
    assert parse("privacy -bio", prefix=True) == All((word("privacy"),), (word("bio"),))  # whole words excluded
    assert parse("privacy or not") == All((word("privacy"), word("or"), word("not")))  # lower case: words
    deep = "(" * (MAX_DEPTH + 5) + "privacy" + ")" * (MAX_DEPTH + 5)
    assert parse(deep) == All((word("privacy"),))
    repeated = parse("privacy " + "data " * 5000 + "act")  # a pasted page: its first different words
    assert repeated == All((word("privacy"), word("data"), word("act")))
    many = parse(" OR ".join(f"w{i}" for i in range(500)))
    assert len(many.required[0].alternatives) == MAX_WORDS  # type: ignore[union-attr]
