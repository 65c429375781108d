"""Matching a roll call's name-only members (pubinfo's "Thompson") to the member a fuller name or a feed id
names, on real names: LegiScan's Mississippi 2014 people files (174 members with ids, several surnames shared
within a chamber) and California's 1999 pubinfo floor votes (two Pachecos, Thompson and Thomson, Johnson and
Johnston, a Wright in each house). Every merge is checked against the people files' own ids."""

from collections import Counter

import pytest
from realdata_paths import require_realdata
from scorecard_data import ms_people

from tracker.member_names import Seen, merges, name_tokens


def test_name_tokens() -> None:
    assert name_tokens("Thompson") == ("thompson",)
    assert name_tokens("Holland, Stephen") == ("stephen", "holland")
    assert name_tokens("Dennis DeBar, Jr.") == ("dennis", "debar")
    assert name_tokens("Strom-Martin") == ("strom-martin",)
    assert name_tokens("C. Brown") == ("c", "brown")


@pytest.mark.realdata
def test_mississippi_surnames_join_the_one_member_of_that_name_in_their_chamber() -> None:
    people = ms_people()
    assert len(people) == 174
    ids = [Seen(key=("id", p["id"]), name=p["name"], chamber=p["chamber"], session="2014") for p in people]
    # As a feed naming members by surname only (pubinfo's way) would print them.
    surnames = {(p["chamber"], p["last"]) for p in people}
    by_surname = [Seen(key=("name", chamber, last), name=last, chamber=chamber, session="2014")
                  for chamber, last in surnames]
    joined = merges(ids + by_surname)
    shared = Counter((p["chamber"], p["last"]) for p in people)
    # By hand from the people files: House Brown (Chris, Cecil), Coleman, Evans (three), Huddleston, Rogers, Smith
    # (Ferr, Jeffrey); Senate Butler, Jackson (three), Simmons. Those stay apart; every other surname joins.
    assert sorted(last for (chamber, last), n in shared.items() if n > 1) == [
        "Brown", "Butler", "Coleman", "Evans", "Huddleston", "Jackson", "Rogers", "Simmons", "Smith"]
    assert len(joined) == len(surnames) - 9 == 154
    truth = {(p["chamber"], p["last"]): p["id"] for p in people if shared[(p["chamber"], p["last"])] == 1}
    assert {key: target for key, target in joined.items()} == {
        ("name", chamber, last): ("id", pid) for (chamber, last), pid in truth.items()}
    # Jackson: three in the Senate, one (Lataisha) in the House; Brown: two in the House, Terry in the Senate.
    assert joined[("name", "lower", "Jackson")] == ("id", "16044")
    assert joined[("name", "upper", "Brown")] == ("id", "6627")
    assert ("name", "upper", "Jackson") not in joined and ("name", "lower", "Brown") not in joined
    # A compound surname: "Adams Collins" is Nancy Adams Collins.
    assert joined[("name", "upper", "Adams Collins")] == ("id", "11160")


@pytest.mark.realdata
def test_mississippi_initials_tell_shared_surnames_apart_except_two_c_browns() -> None:
    people = ms_people()
    ids = [Seen(key=("id", p["id"]), name=p["name"], chamber=p["chamber"], session="2014") for p in people]
    initials = {(p["chamber"], f"{p['name'][0]}. {p['last']}") for p in people}
    joined = merges(ids + [Seen(key=("name", c, n), name=n, chamber=c, session="2014") for c, n in initials])
    assert ("name", "lower", "C. Brown") not in joined  # Chris and Cecil Brown
    assert len(joined) == len(initials) - 1 == 172
    for p in people:
        key = ("name", p["chamber"], f"{p['name'][0]}. {p['last']}")
        assert joined.get(key, ("id", p["id"])) == ("id", p["id"]), p  # never another member
    # In another session the same surname is nobody's: no merge across sessions.
    later = [Seen(key=("name", "lower", "Holland"), name="Holland", chamber="lower", session="2015")]
    assert merges(ids + later) == {}


@pytest.mark.realdata
def test_california_pubinfo_names_are_never_merged_with_each_other() -> None:
    table = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999",
                             "BILL_DETAIL_VOTE_TBL.dat")
    floor = {"AFLOOR": "lower", "SFLOOR": "upper"}
    names = set()
    for line in table.read_text().splitlines():
        cells = [c.strip("`") for c in line.split("\t")]
        if cells[1] in floor:
            names.add((floor[cells[1]], cells[2]))
    assert {("lower", "Robert Pacheco"), ("lower", "Rod Pacheco"), ("lower", "Thompson"), ("lower", "Thomson"),
            ("upper", "Johnson"), ("upper", "Johnston"), ("lower", "Wright"), ("upper", "Wright")} <= names
    seen = [Seen(key=("name", c, n), name=n, chamber=c, session="19992000s1") for c, n in names]
    assert merges(seen) == {}  # each name its own member
    # A bare "Pacheco" in that Assembly could be either of the two: it stays apart.
    assert merges([*seen, Seen(key=("name", "lower", "Pacheco"), name="Pacheco", chamber="lower",
                               session="19992000s1")]) == {}
