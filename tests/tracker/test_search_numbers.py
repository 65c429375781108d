"""Bills looked up by number, as staff, council members and lobbyists type them, in search and the CLI.

Real bills (tests/numbered_bills.py): the same number in two Congresses (HR 22, HR 1314), California's AB 1 in a
regular and an extraordinary session, New York City Council file numbers.
"""

import json
from pathlib import Path

import pytest
from database_snapshots import Snapshots
from numbered_bills import extract_from_117, import_numbered_bills
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker.cli import EXIT_NOT_FOUND, EXIT_USAGE, app
from tracker.search import SearchFilter, read_query, search, search_bill_ids

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return extract_from_117(tmp_path_factory.mktemp("c117"))


@pytest.fixture
def numbered(engine: Engine, extracted: Path, session: Session, database_snapshots: Snapshots) -> Session:
    database_snapshots.restore_or_build("numbered bills", engine, lambda: import_numbered_bills(engine, extracted))
    return session


HR22 = [("us", "117", "HR 22"), ("us", "114", "HR 22")]  # the latest first
SPELLINGS = {
    ("HR 22", "H.R. 22", "hr22", "H. R. 22", "hr 22", "H.R.22", "HR 0022", '"HR 22"', "(H.R. 22)", "HR 22,"): HR22,
    ("HR 1314", "h.r. 1314"): [("us", "117", "HR 1314"), ("us", "114", "HR 1314")],
    ("S 22", "S.22", "s22", "S. 22"): [("us", "117", "S 22")],
    ("H.Res. 5", "HRes 5", "H Res 5", "hres5"): [("us", "117", "HRES 5")],
    ("HJRes 7", "H.J.Res. 7", "hjres 7"): [("us", "117", "HJRES 7")],
    ("HR 1343",): [("us", "119", "HR 1343")],
    ("AB 1", "A.B. 1", "ab1"): [("ca", "19992000s1", "AB 1"), ("ca", "19992000", "AB 1")],
    ("ABX1 1", "abx1-1", "AB X1-1"): [("ca", "19992000s1", "AB 1")],
    ("SB 2", "S.B. 2"): [("ca", "19992000s1", "SB 2")],
    ("Int 1299-2018", "int 1299-2018", "INT1299-2018", "Int. 1299-2018"): [("us-ny-new-york-city", "2018",
                                                                           "Int 1299-2018")],
    ("Res 0640-2018", "Res 640-2018", "res 640-2018"): [("us-ny-new-york-city", "2018", "Res 0640-2018")],
}


def found(rows: list[dict]) -> list[tuple[str, str, str]]:
    return [(r["jurisdiction"], r["session"], r["identifier"]) for r in rows]


def test_a_bill_number_in_any_common_spelling_finds_that_bill_in_every_session(numbered: Session) -> None:
    for spellings, expected in SPELLINGS.items():
        for typed in spellings:
            rows, total = search(numbered, typed)
            assert (found(rows), total) == (expected, len(expected)), typed
            assert {r["matched"] for r in rows} == {"number"}, typed
    # Each labelled with its jurisdiction and session, by name.
    rows, _ = search(numbered, "Int 1299-2018")
    assert (rows[0]["jurisdiction_name"], rows[0]["session_name"]) == ("New York City Council", "2018")
    rows, _ = search(numbered, "AB 1")
    assert [(r["jurisdiction_name"], r["session_name"]) for r in rows] == [
        ("California", "1999-2000 First Extraordinary Session"), ("California", "1999-2000 Regular Session")]
    assert search(numbered, "HR 22")[0][1]["session_name"] == "114th Congress"


def test_a_number_that_names_no_bill_is_searched_as_words(numbered: Session) -> None:
    assert search(numbered, "HR 99999") == ([], 0)  # no error, nothing found
    # "Section 230" reads like a number ("SECTION 230"): no bill has it, so its words are searched.
    rows, total = search(numbered, "section 230")
    assert total >= 1 and {r["matched"] for r in rows} == {"words"}
    assert read_query(numbered, "section 230").number is None
    # A bare number is a word (a year, an amount), never a bill id or a number.
    rows, total = search(numbered, "2015")
    assert total > 1 and {r["matched"] for r in rows} == {"words"}
    # A number outside the filters names nothing within them: its words are searched, as for any other query.
    assert read_query(numbered, "AB 1", where=[]).number_ids
    assert all(r["matched"] == "words" for r in search(numbered, "AB 1", SearchFilter(jurisdiction="us"))[0])
    assert search(numbered, "HR 22", SearchFilter(jurisdiction="ca")) == ([], 0)


def test_a_number_with_words_puts_the_numbers_bills_first_those_with_the_words_before_the_others(
        numbered: Session) -> None:
    words = [r["id"] for r in search(numbered, "health care", limit=500)[0]]
    for typed in ("HR 22 health care", "health care HR 22", "H.R. 22 health care", "health HR 22 care",
                  "health H. R. 22 care"):
        rows, total = search(numbered, typed, limit=500)
        # The FAST Act (114th, whose summary is of the Hire More Heroes Act: health care) before the newer HR 22,
        # which lacks the words; then every other bill that has them, in the words' order.
        assert found(rows[:2]) == [("us", "114", "HR 22"), ("us", "117", "HR 22")], typed
        assert [r["matched"] for r in rows[:2]] == ["number", "number"]
        assert [r["id"] for r in rows[2:]] == [i for i in words if i not in {rows[0]["id"], rows[1]["id"]}]
        assert {r["matched"] for r in rows[2:]} == {"words"} and total == len(rows)
    # Pages run on from the number's bills into the word matches.
    every, total = search(numbered, "HR 22 health care", limit=500)
    pages = [r for offset in range(0, total, 2)
             for r in search(numbered, "HR 22 health care", limit=2, offset=offset)[0]]
    assert [r["id"] for r in pages] == [r["id"] for r in every]
    # A saved search's packet holds what the page lists, on every page.
    ids = set(numbered.execute(search_bill_ids(numbered, "HR 22 health care")).scalars())
    assert ids == {r["id"] for r in every}
    assert set(numbered.execute(search_bill_ids(numbered, "hr22")).scalars()) == {
        r["id"] for r in search(numbered, "hr22")[0]}
    # A number in the middle of the words is read as at either end ("privacy HR 1234 act"), the rest as words.
    middle = read_query(numbered, "health H.R. 22 care")
    assert (middle.number, middle.words, len(middle.number_ids)) == ("H.R. 22", "health care", 2)
    assert set(numbered.execute(search_bill_ids(numbered, "health HR 22 care")).scalars()) == {r["id"] for r in every}
    # Two numbers typed together list both numbers' bills ("HR 22 S 22": comparing companion bills).
    rows, total = search(numbered, "HR 22 and S 22 health care", limit=500)
    assert sorted(found(rows[:3])) == sorted([*HR22, ("us", "117", "S 22")]) and rows[3]["matched"] == "words"
    assert read_query(numbered, "HR 22 and S 22 health care").words == "and health care"
    assert read_query(numbered, "HR 22, S 22").number == "HR 22, S 22"  # a list, as people write one


def _listed(*args: str) -> list[tuple[str, str, str]]:
    result = invoke("bills", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return [(b["jurisdiction"], b["session"], b["identifier"]) for b in json.loads(result.stdout)]


def test_bills_list_text_reads_a_bill_number_as_search_does(numbered: Session) -> None:
    for spellings, expected in SPELLINGS.items():
        for typed in spellings[:2]:
            assert _listed("--text", typed) == expected, typed
    assert _listed("--text", "HR 22", "--session", "114") == [("us", "114", "HR 22")]
    # With words: the number's bills first, then the bills that have the words (whole words, as --text reads them).
    listed = _listed("--text", "HR 22 health care")
    assert sorted(listed[:2]) == sorted(HR22) and len(listed) > 2 and "HR 22" not in [b[2] for b in listed[2:]]
    assert listed[2:] == [b for b in _listed("--text", "health care") if b[2] != "HR 22"]
    assert _listed("--text", "health H.R. 22 care") == listed
    assert _listed("--text", "HR 99999") == []
    table = invoke("bills", "list", "--text", "H.R. 22")
    # (An 80-column table wraps the reference after its session's ordinal.)
    assert table.exit_code == 0 and "H.R. 22 (117th" in table.stdout and "H.R. 22 (114th" in table.stdout


def test_bills_show_takes_a_typed_number_and_names_the_candidates(numbered: Session) -> None:
    for typed, session in (("H. R. 22", "114"), ("hr22", "117"), ("H.Res. 5", None), ("Res 640-2018", None),
                           ("ABX1 1", None), ("A.B. 1", "19992000")):
        result = invoke("bills", "show", typed, "--json", *(["--session", session] if session else []))
        assert result.exit_code == 0, (typed, result.output)
    several = invoke("bills", "show", "H.R. 22")
    said = " ".join(several.output.split())
    assert several.exit_code == EXIT_USAGE and "--jurisdiction us --session 117" in said
    assert "--jurisdiction us --session 114" in said and "FAST Act" in said
    assert invoke("bills", "show", "HR 99999").exit_code == EXIT_NOT_FOUND


def test_alerts_follow_a_typed_bill_number_and_pick_its_session_like_bills_show(numbered: Session) -> None:
    for email, role in (("ada@chamber.example", "admin"), ("sam@chamber.example", "staff")):
        added = runner.invoke(app, ["users", "add", email, "--role", role, "--password-stdin"],
                              input="correct horse 9\n")
        assert added.exit_code == 0, added.output
    several = invoke("alerts", "subscribe", "sam@chamber.example", "--bill", "H.R. 22")
    said = " ".join(several.output.split())
    # Which bills fit, and how to pick one: the session, as `bills show` says it, or the id.
    assert several.exit_code == EXIT_USAGE and "'H.R. 22' matches 2 bills" in said, said
    assert "--session 117" in said and "--session 114" in said and "FAST Act" in said
    picked = invoke("alerts", "subscribe", "sam@chamber.example", "--bill", "H.R. 22", "--session", "114")
    assert picked.exit_code == 0, picked.output
    listed = json.loads(invoke("alerts", "list", "sam@chamber.example", "--json").stdout)["subscriptions"]
    assert [(s["kind"], s["target"]) for s in listed] == [("bill", str(numbered_id(numbered, "114", "HR 22")))]
    assert invoke("alerts", "subscribe", "sam@chamber.example", "--bill", "Res 640-2018").exit_code == 0
    assert invoke("alerts", "subscribe", "sam@chamber.example", "--bill", "HR 99999").exit_code == EXIT_NOT_FOUND
    assert invoke("alerts", "unsubscribe", "sam@chamber.example", "--bill", "hr22", "--session", "114"
                  ).exit_code == 0
    # --session picks a bill's session: alone it says so rather than being ignored.
    alone = invoke("alerts", "subscribe", "sam@chamber.example", "--topic", "ai", "--session", "114")
    assert alone.exit_code == EXIT_USAGE and "--session" in alone.output


def numbered_id(session: Session, congress: str, identifier: str) -> int:
    rows, _ = search(session, identifier)
    return next(r["id"] for r in rows if r["session"] == congress)


def test_a_number_is_looked_up_through_the_index_not_by_reading_every_bill(numbered: Session) -> None:
    """Migration 0017's index serves the look-up only when the query has its very expression (a third of a second
    a look-up at 100,000 bills without it, run as each query is typed)."""
    from sqlalchemy import select, text

    from tracker.models import Bill
    from tracker.queries import compact_identifier

    query = select(Bill.id).where(compact_identifier(Bill.identifier).in_(["HR22", "HR1314"]))
    sql = str(query.compile(numbered.get_bind(), compile_kwargs={"literal_binds": True}))
    if numbered.get_bind().dialect.name == "postgresql":
        numbered.execute(text("SET LOCAL enable_seqscan = off"))  # a few dozen rows: a scan is cheaper there
        plan = " ".join(numbered.execute(text(f"EXPLAIN {sql}")).scalars())
    else:
        plan = " ".join(str(row[-1]) for row in numbered.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    assert "ix_bill_number_key" in plan, plan
    numbered.rollback()
