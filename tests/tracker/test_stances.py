"""Which way each stance counts on the scorecard (``stance.scorecard_vote``), set by admins: the service's role
check, ``tracker stances`` on the command line, and the scorecard following the change on real roll calls
(California's 1999 pubinfo extract, positions from tests/scorecard_data.py)."""


import pytest
from scorecard_data import CA_SESSION, load_ca, person
from sqlalchemy import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import stances
from tracker.cli import app
from tracker.models import Stance
from tracker.permissions import PermissionDenied
from tracker.scorecard import scorecard

# How a refusal names each role (tracker.permissions): the words, not the role's code.
SIGNED_IN_AS = {"staff": "policy staff", "council": "a council member", "lobbyist": "a lobbyist"}

runner = CliRunner()


def test_only_admins_set_how_a_stance_counts(session: Session, vocabulary: None) -> None:
    listed = {row["name"]: row["scorecard_vote"] for row in stances.list_stances(session)}
    assert listed == {"Support": "yes", "Oppose": "no", "Watch": None, "Neutral": None, "Support if amended": "yes",
                      "Oppose unless amended": "no", "Needs decision": None}
    for role in ("staff", "council", "lobbyist"):
        with pytest.raises(PermissionDenied, match=f"^Managing the position vocabulary is for administrators"
                                                   f"; you are signed in as {SIGNED_IN_AS[role]}\\.$"):
            stances.set_scorecard_vote(session, actor=person(session, role), name="Watch", vote="yes")
    admin = person(session, "admin")
    assert stances.set_scorecard_vote(session, actor=admin, name="Watch", vote="no")["scorecard_vote"] == "no"
    assert stances.set_scorecard_vote(session, actor=admin, name="Support", vote="none")["scorecard_vote"] is None
    with pytest.raises(stances.StanceError, match="Unknown position 'Maybe'; one of: Support, Oppose"):
        stances.set_scorecard_vote(session, actor=admin, name="Maybe", vote="yes")
    with pytest.raises(stances.StanceError, match="'abstain' is not a scorecard side; one of: yes, no, none"):
        stances.set_scorecard_vote(session, actor=admin, name="Watch", vote="abstain")
    session.commit()
    assert session.get(Stance, "Watch").scorecard_vote == "no"
    assert session.get(Stance, "Support").scorecard_vote is None


@pytest.mark.realdata
def test_the_command_line_sets_it_and_the_scorecard_follows(engine: Engine, database_url: str,
                                                            vocabulary: None) -> None:
    load_ca(engine)  # SB 1 Support, SB 2 Oppose, AB 1 Oppose unless amended, SCR 2 Neutral
    listing = runner.invoke(app, ["stances", "list"], catch_exceptions=False)
    assert listing.exit_code == 0, listing.output
    assert "Oppose unless amended" in listing.output and "a no is with us" in listing.output
    with Session(engine) as s:
        before = {(k.bill, k.chamber) for k in scorecard(s, jurisdiction="ca", session_identifier=CA_SESSION)
                  .key_votes}
    assert ("SCR 2", "upper") not in before and ("SB 1", "lower") in before

    done = runner.invoke(app, ["stances", "set-scorecard", "Support", "none"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Support: not scored" in done.output
    assert runner.invoke(app, ["stances", "set-scorecard", "Neutral", "yes"]).exit_code == 0
    refused = runner.invoke(app, ["stances", "set-scorecard", "Support", "sometimes"])
    assert refused.exit_code == 2 and "one of: yes, no, none" in refused.output
    assert runner.invoke(app, ["stances", "set-scorecard", "Nope", "yes"]).exit_code == 2
    with Session(engine) as s:
        card = scorecard(s, jurisdiction="ca", session_identifier=CA_SESSION)
        after = {(k.bill, k.chamber) for k in card.key_votes}
        assert not {b for b, _ in after} & {"SB 1"}  # Support no longer scored: SB 1's votes are out
        assert "SCR 2" in {b for b, _ in after} and {k.with_us for k in card.key_votes if k.bill == "SCR 2"} == {"yes"}
    as_json = runner.invoke(app, ["stances", "list", "--json"], catch_exceptions=False)
    assert '"name": "Neutral"' in as_json.output and '"scorecard_vote": "yes"' in as_json.output
