"""The legislator scorecard on real roll calls (LegiScan's Mississippi 2014 XML archive, California's 1999 pubinfo
extract) with positions set here: the key votes the rule picks, staff's marks and who may make them, one source per
bill and chamber, members matched by id or name, and the numbers checked by hand against the raw files
(tests/scorecard_data.py lists them). Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

import datetime as dt
import json
from pathlib import Path

import pytest
from scorecard_data import CA_SESSION, MS_POSITIONS, load_ca, load_ms, ms_folder, ms_people, person, set_positions
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker import positions
from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, LegislativeSession, PersonVote, VoteEvent
from tracker.permissions import PermissionDenied
from tracker.scorecard import (
    ScorecardError,
    is_final_passage_candidate,
    key_vote_history,
    mark_key_vote,
    roll_calls,
    scorecard,
)
from tracker.sources import legiscan


def _member(card, **match):  # noqa: ANN001, ANN202
    return next(m for m in card.legislators if all(getattr(m, k) == v for k, v in match.items()))


def test_the_final_passage_rule() -> None:
    assert is_final_passage_candidate(body=None, motion="House Passed As Amended", chamber="lower")
    assert is_final_passage_candidate(body=None, motion="House Concurred in Amend From Senate", chamber="lower")
    assert is_final_passage_candidate(body="Assembly Floor", motion=None, chamber="lower")  # pubinfo: no wording
    assert not is_final_passage_candidate(body="CX03", motion=None, chamber="lower")  # a committee's code
    assert not is_final_passage_candidate(body=None, motion="S Introduced and Referred to S05", chamber="upper")
    assert not is_final_passage_candidate(body=None, motion="Motion to Reconsider Passage", chamber="lower")
    assert not is_final_passage_candidate(body=None, motion="Amendment No. 1 Adopted", chamber="upper")
    assert not is_final_passage_candidate(body=None, motion="House Passed", chamber=None)


@pytest.mark.realdata
def test_mississippi_scorecard_marks_and_roles(engine: Engine, tmp_path: Path) -> None:
    load_ms(engine, tmp_path)
    with Session(engine, expire_on_commit=False) as s:
        card = scorecard(s, jurisdiction="ms", session_identifier="2014")
        # Each chamber's last floor passage vote of the five bills with a Support- or Oppose-like position (HB 71's
        # Watch leaves it out); HB 548's and HB 49's Senate votes have no roll-call file in the sample: tallies only.
        assert [(k.bill, k.chamber, k.source_key, k.members) for k in card.key_votes] == [
            ("HB 48", "lower", "307127", True), ("HB 49", "lower", "309059", True), ("HB 350", "lower", "311164", True),
            ("HB 48", "upper", "311195", True), ("HB 115", "lower", "312144", True),
            ("HB 548", "upper", "335805", False), ("HB 548", "lower", "336962", False),
            ("HB 49", "upper", "340948", False)]
        assert {k.bill: k.with_us for k in card.key_votes} == {"HB 48": "yes", "HB 49": "yes", "HB 350": "no",
                                                               "HB 115": "no", "HB 548": "no"}
        holland = _member(card, person_id="6504")  # by hand: 307127 Yea, 309059 Nay, 311164 NV, 312144 NV
        assert (holland.name, holland.party, holland.chamber, holland.with_us, holland.against_us, holland.absent,
                holland.score) == ("Stephen Holland", "D", "lower", 1, 1, 2, 50.0)  # party: people/6504.xml
        assert [(v.bill, v.option, v.verdict) for v in holland.votes] == [
            ("HB 48", "yes", "with us"), ("HB 49", "no", "against us"), ("HB 350", "not voting", "absent/not voting"),
            ("HB 115", "not voting", "absent/not voting")]
        assert len(card.legislators) == 174 and len({m.person_id for m in card.legislators}) == 174
        # A date range keeps the session's final votes that fall in it: HB 115's earlier House passage (310976,
        # Jan 23) is not its final vote because the final one (Jan 27) lies outside the range.
        january = scorecard(s, jurisdiction="ms", session_identifier="2014", end=dt.date(2014, 1, 26))
        assert [k.source_key for k in january.key_votes] == ["307127", "309059", "311164", "311195"]

        # Staff take HB 115's first House passage (310976) in place of its passage as amended (312144).
        calls = {c["source_key"]: c for c in roll_calls(s, jurisdiction="ms", session_identifier="2014")}
        assert calls["310976"]["key"] is False and calls["312144"]["default"] is True
        staff, lobbyist, council = person(s, "staff"), person(s, "lobbyist"), person(s, "council")
        for role in (lobbyist, council):
            with pytest.raises(PermissionDenied):
                mark_key_vote(s, actor=role, vote_event_id=calls["310976"]["vote_event_id"], decision="include",
                              expected_version=0)
        with pytest.raises(ScorecardError, match="Unknown decision"):
            mark_key_vote(s, actor=staff, vote_event_id=calls["310976"]["vote_event_id"], decision="maybe",
                          expected_version=0)
        mark_key_vote(s, actor=staff, vote_event_id=calls["310976"]["vote_event_id"], decision="include",
                      reason="the vote that mattered", expected_version=0)
        mark_key_vote(s, actor=staff, vote_event_id=calls["312144"]["vote_event_id"], decision="exclude",
                      expected_version=0)
        s.commit()
        card = scorecard(s, jurisdiction="ms", session_identifier="2014")
        assert ("HB 115", "310976") in {(k.bill, k.source_key) for k in card.key_votes}
        assert "312144" not in {k.source_key for k in card.key_votes}
        included = next(k for k in card.key_votes if k.source_key == "310976")
        assert included.why.startswith("included by Sam Staff on ")
        holland = _member(card, person_id="6504")  # 310976: Nay on a bill opposed unless amended, with us
        assert (holland.with_us, holland.against_us, holland.absent, holland.score) == (2, 1, 1, 66.7)
        history = key_vote_history(s, vote_event_id=calls["310976"]["vote_event_id"])
        assert [(h["decision"], h["author"], h["reason"]) for h in history] == [
            ("include", "Sam Staff", "the vote that mattered")]

        # Back to the rule; a withdrawn position takes its bill's votes out.
        mark_key_vote(s, actor=staff, vote_event_id=calls["312144"]["vote_event_id"], decision="default",
                      expected_version=1)
        positions.withdraw_position(s, actor=staff, bill_id=calls["311164"]["bill_id"], expected_version=1)
        s.commit()
        keys = {k.source_key for k in scorecard(s, jurisdiction="ms", session_identifier="2014").key_votes}
        assert "312144" in keys and "311164" not in keys
        senate = scorecard(s, jurisdiction="ms", session_identifier="2014", chamber="upper")
        assert {k.chamber for k in senate.key_votes} == {"upper"}
        assert {m.chamber for m in senate.legislators} == {"upper"}


@pytest.mark.realdata
def test_california_scorecard_by_name_dates_and_one_source_per_chamber(engine: Engine) -> None:
    ids = load_ca(engine)
    with Session(engine, expire_on_commit=False) as s:
        card = scorecard(s, jurisdiction="ca", session_identifier=CA_SESSION)
        # The last floor roll call of each chamber: SB 1's Assembly passage is seq 1011 (59-16), after eight
        # amendment votes the same day; SCR 2 (Neutral) is left out.
        assert sorted((k.bill, k.chamber, k.yes, k.no) for k in card.key_votes) == [
            ("AB 1", "lower", 55, 17), ("AB 1", "upper", 23, 8), ("SB 1", "lower", 59, 16), ("SB 1", "upper", 31, 5),
            ("SB 2", "lower", 75, 0), ("SB 2", "upper", 27, 3)]
        # By hand from BILL_DETAIL_VOTE_TBL (tests/scorecard_data.py): pubinfo names members, no ids.
        for name, counts in {"Thompson": (1, 2, 0, 33.3), "Battin": (0, 2, 1, 0.0), "Frusetta": (0, 1, 2, 0.0)}.items():
            m = _member(card, name=name)
            assert (m.chamber, m.person_id, m.with_us, m.against_us, m.absent, m.score) == ("lower", None, *counts)
        assert _member(card, name="Burton").chamber == "upper"
        assert len(card.legislators) == 119  # 79 Assembly + 40 Senate members, each once
        march_23 = scorecard(s, jurisdiction="ca", session_identifier=CA_SESSION, start=dt.date(1999, 3, 23))
        assert sorted((k.bill, k.chamber) for k in march_23.key_votes) == [("SB 1", "upper"), ("SB 2", "upper")]
        with pytest.raises(ScorecardError, match="No session '1999'"):
            scorecard(s, jurisdiction="ca", session_identifier="1999")

        # LegiScan's view of the regular session's AB 1 (its real Arkansas HB 1044 payload re-addressed): the same
        # two floor votes twice. One roll call per bill and chamber: pubinfo's (members' votes, first in precedence).
        Ingestor(s).ingest([IngestItem(record=legiscan.parse_bill(_hb1044_as_ab1(), "test"))])
        s.commit()
        regular = s.execute(select(Bill.id).join(LegislativeSession, LegislativeSession.id == Bill.session_id).where(
            Bill.identifier == "AB 1", LegislativeSession.identifier == "19992000")).scalar_one()
        assert {v.source_name for v in s.execute(select(VoteEvent).where(VoteEvent.bill_id == regular))
                .scalars()} == {"ca_pubinfo", "legiscan"}
        positions.set_position(s, actor=person(s), bill_id=regular, stance="Support", expected_version=None)
        s.commit()
        both = scorecard(s, jurisdiction="ca", session_identifier="19992000")
        assert [(k.chamber, k.source, k.date) for k in both.key_votes] == [
            ("lower", "ca_pubinfo", "1999-06-03"), ("upper", "ca_pubinfo", "1999-07-15")]
        assert ids["AB 1"] != regular


def _hb1044_as_ab1() -> bytes:
    from realdata_paths import require_realdata

    payload = json.loads(require_realdata("legiscan", "dataset_json", "bill", "HB1044.json").read_bytes())
    payload["bill"].update(state="CA", bill_number="AB1", body="A")
    payload["bill"]["session"].update(year_start=1999, year_end=2000, special=0)
    return json.dumps(payload).encode()


@pytest.mark.realdata
def test_a_roll_call_naming_members_by_surname_joins_the_members_the_other_votes_name(
        engine: Engine, tmp_path: Path) -> None:
    """HB 350's House passage (311164) as a feed that names members by surname only would deliver it (pubinfo's
    way): the real votes, each member's id dropped and their name cut to LegiScan's last_name. Members whose
    surname is theirs alone in the House join their own row; the House's two Browns, Colemans, Huddlestons, Rogers
    and Smiths and three Evanses cannot be told apart and stay apart, under the surname."""
    load_ms(engine, tmp_path)
    people = {p["id"]: p for p in ms_people()}
    with Session(engine, expire_on_commit=False) as s:
        before = scorecard(s, jurisdiction="ms", session_identifier="2014", chamber="lower")
        event = s.execute(select(VoteEvent.id).where(VoteEvent.source_key == "311164")).scalar_one()
        truth = {}
        for v in s.execute(select(PersonVote).where(PersonVote.vote_event_id == event)).scalars():
            truth[v.person_id] = v.option
            if v.person_id in people:  # 6492 has no people file: no name to cut, left as it is
                v.name, v.person_id, v.party, v.district = people[v.person_id]["last"], None, None, None
        s.commit()
        after = scorecard(s, jurisdiction="ms", session_identifier="2014", chamber="lower")
    shared = {"Brown", "Coleman", "Evans", "Huddleston", "Rogers", "Smith"}
    apart = [m for m in after.legislators if m.person_id is None]
    assert sorted(m.name for m in apart) == sorted(shared)
    assert len(after.legislators) == len(before.legislators) + len(shared)
    merged = 0
    for m in after.legislators:
        if m.person_id is None:
            continue
        on_311164 = [v.option for v in m.votes if v.vote_event_id == event]
        if m.person_id in people and people[m.person_id]["last"] in shared:
            assert on_311164 == [], m
        else:  # each merged vote is that member's own, checked against the roll-call file's ids
            assert on_311164 == [truth[m.person_id]], m
            merged += m.person_id != "6492"
    assert merged == 122 - 1 - 13  # the House, less 6492 (no name) and the 13 sharing a surname
    holland = _member(after, person_id="6504")
    assert (holland.with_us, holland.against_us, holland.absent, holland.score) == (1, 1, 2, 50.0)
    assert sum(len(m.votes) for m in after.legislators) == sum(len(m.votes) for m in before.legislators)


@pytest.mark.realdata
def test_a_member_without_a_people_file_is_named_by_the_feeds_or_labelled(engine: Engine, tmp_path: Path) -> None:
    """LegiScan's roll calls give members by people_id only, named by their people files. Mississippi's 2014
    archive has no file for 6492, who showed as "person 6492"; without Sam Mims's file (6530) he showed as
    "person 6530" too, though the real HB 48 and HB 49 name him as their sponsor under that id."""
    folder = ms_folder(tmp_path)
    (mims,) = [p for p in (folder / "people").iterdir() if "<people_id>6530</people_id>" in p.read_text()]
    mims.unlink()
    assert import_path(engine, folder, flag=False).errors == []
    with Session(engine, expire_on_commit=False) as s:
        set_positions(s, person(s), "ms", MS_POSITIONS)
        card = scorecard(s, jurisdiction="ms", session_identifier="2014", chamber="lower")
    assert _member(card, person_id="6530").name == "Sam Mims"
    assert _member(card, person_id="6492").name == "Unnamed member (LegiScan people_id 6492)"
    assert not [m.name for m in card.legislators if m.name.startswith("person ")]
