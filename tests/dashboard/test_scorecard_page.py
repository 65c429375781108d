"""The Scorecard page through AppTest on California's real 1999 pubinfo roll calls with positions set in
tests/scorecard_data.py: every role reads it, those who may export download it, staff choose key votes (the
service refuses the others), and a member name carrying markup shows as text. One test: each run of the app costs
a second or more, and the roles share the imported data."""

import pytest
from apptest_helpers import no_exception, sign_in_state, signed_in, texts
from scorecard_data import load_ca, person, set_positions
from sqlalchemy import Engine, update
from sqlmodel import Session

from dashboard.components.render import md
from tracker.models import PersonVote
from tracker.permissions import PermissionDenied
from tracker.scorecard import mark_key_vote

MARKUP = '<script>alert("x")</script> **Thompson**'


def _table(at, column: str):  # noqa: ANN001, ANN202
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.realdata
def test_every_role_reads_the_scorecard_exporters_download_and_staff_mark(engine: Engine, session: Session) -> None:
    load_ca(engine)
    session.execute(update(PersonVote).where(PersonVote.name == "Thompson").values(name=MARKUP))
    session.commit()
    lobbyist, council = person(session, "lobbyist"), person(session, "council")

    at = signed_in(lobbyist, "views/scorecard.py")
    no_exception(at)
    members = _table(at, "score %")
    row = members[members["legislator"] == MARKUP].iloc[0]  # the name as received, in a table cell
    assert (row["chamber"], row["with us"], row["against us"], row["absent"], row["score %"]) == (
        "Assembly", 1, 2, 0, 33.3)
    assert len(_table(at, "why")) == 6
    # A member's votes say what the council asked for, so "yes ... against us" reads plainly.
    at.selectbox(key="sc_member").set_value(f"{MARKUP} (Assembly)").run()
    votes = _table(at, "counted as")
    assert sorted(zip(votes["bill"], votes["chamber"], votes["our position"], votes["vote"], votes["counted as"],
                      strict=True)) == [
        ("AB 1", "Assembly", "Oppose unless amended", "yes", "against us"),
        ("SB 1", "Assembly", "Support", "yes", "with us"), ("SB 2", "Assembly", "Oppose", "yes", "against us")]
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Excel"]
    assert "Choose the key votes" not in texts(at)
    for m in [m.value for m in at.markdown] + [c.value for c in at.caption]:
        assert "<script>" not in m
    with pytest.raises(PermissionDenied):  # the service, not only the hidden form
        mark_key_vote(session, actor=lobbyist, vote_event_id=1, decision="exclude", expected_version=0)

    sign_in_state(at, council)  # the same app, another person: the page stays (a first run shows the overview)
    at.run()
    no_exception(at)
    assert len(_table(at, "score %")) == 119 and not at.get("download_button")
    assert "Choose the key votes" not in texts(at)

    # Staff take SB 1's Assembly passage out of the scorecard; its history says who and why.
    sign_in_state(at, person(session, "staff"))
    at.run()
    no_exception(at)
    pick = at.selectbox(key="sc_roll_call")
    sb1 = next(o for o in pick.options if o.startswith("SB 1 · Assembly · 1999-03-22") and "59-16" in o)
    assert "key vote, final floor passage" in sb1
    pick.select(sb1).run()
    at.radio(key="sc_decision").set_value("exclude")
    at.text_input(key="sc_reason").input("a procedural passage")
    next(b for b in at.button if b.label == "Save").click().run()
    no_exception(at)
    assert len(_table(at, "why")) == 5
    history = _table(at, "counts as")
    assert list(history["who"]) == ["Sam Staff"] and list(history["why"]) == ["a procedural passage"]


@pytest.mark.realdata
def test_a_second_staff_member_saving_the_same_roll_call_is_told_whose_mark_is_there(
        engine: Engine, session: Session) -> None:
    load_ca(engine)
    sam, ada = person(session, "staff"), person(session, "admin")
    pages = {}
    for who in (sam, ada):  # both open the page on SB 1's Assembly passage, unmarked
        at = signed_in(who, "views/scorecard.py")
        pick = at.selectbox(key="sc_roll_call")
        sb1 = next(o for o in pick.options if o.startswith("SB 1 · Assembly · 1999-03-22") and "59-16" in o)
        pick.select(sb1).run()
        pages[who.email] = at
    first = pages[ada.email]
    first.radio(key="sc_decision").set_value("exclude")
    first.text_input(key="sc_reason").input("a procedural passage")
    next(b for b in first.button if b.label == "Save").click().run()
    no_exception(first)
    assert not first.error

    late = pages[sam.email]  # saves from the page as it was drawn, before Ada's mark
    late.radio(key="sc_decision").set_value("include")
    next(b for b in late.button if b.label == "Save").click().run()
    no_exception(late)
    [error] = [e.value for e in late.error]
    assert error.startswith(md("Not saved: Ada Admin marked this roll call (SB 1, Assembly, 1999-03-22)"))
    assert md("a procedural passage") in error
    history = _table(late, "counts as")
    assert list(history["who"]) == ["Ada Admin"]  # Sam's mark was not written
    next(b for b in late.button if b.label == "Start again from their mark").click().run()
    assert not late.error
    next(b for b in late.button if b.label == "Save").click().run()  # from Ada's version, with the mark shown
    no_exception(late)
    assert not late.error and list(_table(late, "counts as")["who"]) == ["Sam Staff", "Ada Admin"]


@pytest.mark.realdata
def test_the_member_picked_stays_picked_when_the_session_changes(engine: Engine, session: Session) -> None:
    """"Votes of" picked a member by their place in the list: after choosing another session the box went on
    naming the first session's member (a Mississippi legislator above a California member's votes in the
    browser), or silently showed whoever now stood at that place."""
    load_ca(engine)
    set_positions(session, person(session), "ca", {"AB 1": "Support"}, "19992000")  # a second session to choose
    at = signed_in(person(session, "council"), "views/scorecard.py")
    at.selectbox(key="sc_scope").set_value("ca|19992000s1").run()
    members = _table(at, "score %")
    pick = at.selectbox(key="sc_member")
    pick.set_value("Thompson (Assembly)").run()
    assert list(_table(at, "counted as")["bill"]) == ["AB 1", "SB 1", "SB 2"] and len(members) == 119
    at.selectbox(key="sc_scope").set_value("ca|19992000").run()
    no_exception(at)
    picked = at.selectbox(key="sc_member")
    assert picked.value == "Thompson (Assembly)"  # the same member, in the session now shown
    votes = _table(at, "counted as")
    assert list(zip(votes["bill"], votes["chamber"], strict=True)) == [("AB 1", "Assembly")]
