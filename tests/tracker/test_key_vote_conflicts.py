"""Two staff marking the same roll call: the second save, started from the mark before the first one's, is refused
with who marked it, how and why, and nothing is written (optimistic versions, as for positions). In the service,
on the command line (``tracker key-votes``) and checked on California's real 1999 pubinfo roll calls with positions
from tests/scorecard_data.py."""

import json
import threading
import time

import pytest
from schema_drift import schema_drift
from scorecard_data import CA_SESSION, load_ca, person
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import db
from tracker.cli import app
from tracker.scorecard import KeyVoteConflict, key_vote_history, mark_key_vote, roll_calls

runner = CliRunner()


def _sb1_assembly_passage(s: Session) -> dict:  # type: ignore[type-arg]
    return next(c for c in roll_calls(s, jurisdiction="ca", session_identifier=CA_SESSION)
                if c["bill"] == "SB 1" and c["chamber"] == "lower" and c["default"])


@pytest.mark.realdata
def test_a_mark_started_from_an_older_version_is_refused(engine: Engine) -> None:
    load_ca(engine)
    with Session(engine, expire_on_commit=False) as s:
        sam, ada = person(s, "staff"), person(s, "admin")
        seen = _sb1_assembly_passage(s)
        assert (seen["mark"], seen["version"]) == (None, 0)
        # Both opened the page on the unmarked roll call; Ada saves first.
        first = mark_key_vote(s, actor=ada, vote_event_id=seen["vote_event_id"], decision="exclude",
                              reason="a procedural passage", expected_version=0)
        assert first["version"] == 1
        s.commit()
        with pytest.raises(KeyVoteConflict) as refused:
            mark_key_vote(s, actor=sam, vote_event_id=seen["vote_event_id"], decision="include",
                          expected_version=0)
        message = str(refused.value)
        assert message.startswith("Not saved: Ada Admin marked this roll call (SB 1, Assembly, 1999-03-22) "
                                  "\"not a key vote\" at ")
        assert "(version 1, reason: 'a procedural passage'). Review their mark, then save again." in message
        assert refused.value.current["decision"] == "exclude"
        s.rollback()
        assert [h["author"] for h in key_vote_history(s, vote_event_id=seen["vote_event_id"])] == ["Ada Admin"]
        # From Ada's version, Sam's save goes through.
        assert mark_key_vote(s, actor=sam, vote_event_id=seen["vote_event_id"], decision="default",
                             expected_version=1)["version"] == 2
        s.commit()
        assert _sb1_assembly_passage(s)["version"] == 2
        assert [(h["version"], h["author"]) for h in key_vote_history(s, vote_event_id=seen["vote_event_id"])] == [
            (2, "Sam Staff"), (1, "Ada Admin")]


@pytest.mark.realdata
def test_the_command_line_lists_marks_and_refuses_a_stale_one(engine: Engine, database_url: str) -> None:
    load_ca(engine)
    with Session(engine, expire_on_commit=False) as s:
        person(s, "staff"), person(s, "council")
        s.commit()
        vid = str(_sb1_assembly_passage(s)["vote_event_id"])
    listed = runner.invoke(app, ["key-votes", "list", "--jurisdiction", "ca", "--session", CA_SESSION, "--json"],
                           catch_exceptions=False)
    assert listed.exit_code == 0, listed.output
    row = next(r for r in json.loads(listed.output) if str(r["vote_event_id"]) == vid)
    assert (row["bill"], row["key"], row["version"]) == ("SB 1", True, 0)

    marked = runner.invoke(app, ["key-votes", "mark", vid, "exclude", "--by", "admin@example.org", "--version", "0",
                                 "--reason", "a procedural passage"], catch_exceptions=False)
    assert marked.exit_code == 0, marked.output
    assert "not a key vote (version 1)" in marked.output
    stale = runner.invoke(app, ["key-votes", "mark", vid, "include", "--by", "staff@example.org", "--version", "0"])
    assert stale.exit_code == 1
    assert "Not saved: Ada Admin marked this roll call" in stale.output and "version 1" in stale.output
    refused = runner.invoke(app, ["key-votes", "mark", vid, "include", "--by", "council@example.org",
                                  "--version", "1"])
    assert refused.exit_code == 2 and ("Marking key votes is for administrators and policy staff; you are signed in "
                                       "as a council member.") in " ".join(refused.output.split())
    history = runner.invoke(app, ["key-votes", "history", vid, "--json"], catch_exceptions=False)
    assert [(h["version"], h["author"], h["decision"], h["reason"]) for h in json.loads(history.output)] == [
        (1, "Ada Admin", "exclude", "a procedural passage")]
    assert runner.invoke(app, ["key-votes", "history", "999999"]).exit_code == 4


@pytest.mark.realdata
def test_0028_numbers_existing_marks_in_the_order_they_were_made(engine: Engine) -> None:
    load_ca(engine)
    with Session(engine, expire_on_commit=False) as s:
        sam = person(s, "staff")
        calls = [c for c in roll_calls(s, jurisdiction="ca", session_identifier=CA_SESSION) if c["default"]][:2]
        for n, decision in enumerate(("exclude", "include", "default")):
            mark_key_vote(s, actor=sam, vote_event_id=calls[0]["vote_event_id"], decision=decision,
                          reason=f"step {n}", expected_version=n)
        mark_key_vote(s, actor=sam, vote_event_id=calls[1]["vote_event_id"], decision="exclude", expected_version=0)
        s.commit()
    db.downgrade(engine, "0027")
    with engine.connect() as conn:
        assert "version" not in {c["name"] for c in inspect(conn).get_columns("keyvotemark")}
        assert conn.execute(text("SELECT count(*) FROM keyvotemark")).scalar_one() == 4
    db.upgrade(engine)
    with Session(engine) as s:
        assert [(h["version"], h["reason"]) for h in key_vote_history(s, vote_event_id=calls[0]["vote_event_id"])] == [
            (3, "step 2"), (2, "step 1"), (1, "step 0")]
        assert [c["version"] for c in roll_calls(s, jurisdiction="ca", session_identifier=CA_SESSION)
                if c["vote_event_id"] == calls[1]["vote_event_id"]] == [1]
    assert schema_drift(engine) == []


@pytest.mark.realdata
def test_two_saves_at_once_on_one_version_cannot_both_be_written(engine: Engine) -> None:
    """Both pass the version check before either commits: the unique (roll call, version) index refuses the
    second, which is told whose mark won; the first is kept."""
    load_ca(engine)
    with Session(engine, expire_on_commit=False) as s:
        vid = _sb1_assembly_passage(s)["vote_event_id"]
        person(s, "staff"), person(s, "admin")
        s.commit()
    first, second = Session(engine), Session(engine)
    try:
        mark_key_vote(first, actor=person(first, "admin"), vote_event_id=vid, decision="exclude",
                      reason="race A", expected_version=0)  # written, not yet committed
        outcome: dict[str, object] = {}

        def save_second() -> None:
            try:
                outcome["saved"] = mark_key_vote(second, actor=person(second, "staff"), vote_event_id=vid,
                                                 decision="include", expected_version=0)
                second.commit()
            except KeyVoteConflict as exc:
                outcome["refused"] = str(exc)
                second.rollback()

        racer = threading.Thread(target=save_second)
        racer.start()
        time.sleep(0.5)  # the second save waits on the first's uncommitted row (or the SQLite write lock)
        first.commit()
        racer.join(30)
        assert "saved" not in outcome, outcome
        assert str(outcome["refused"]).startswith("Not saved: Ada Admin marked this roll call")
    finally:
        first.close()
        second.close()
    with Session(engine) as s:
        assert [(h["version"], h["author"]) for h in key_vote_history(s, vote_event_id=vid)] == [(1, "Ada Admin")]
