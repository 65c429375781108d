"""The admin page of the position vocabulary: an admin sets which way a stance counts on the scorecard; the
Scorecard page follows (real California 1999 roll calls, positions from tests/scorecard_data.py)."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from scorecard_data import load_ca, person
from sqlalchemy import Engine
from sqlmodel import Session

from dashboard.components.render import md
from tracker.models import Stance


@pytest.mark.realdata
def test_an_admin_sets_how_a_stance_counts_and_the_scorecard_follows(engine: Engine, session: Session,
                                                                       vocabulary: None) -> None:
    load_ca(engine)  # SB 1 Support, SB 2 Oppose, AB 1 Oppose unless amended, SCR 2 Neutral
    admin = person(session, "admin")
    at = signed_in(admin, "views/admin_stances.py")
    no_exception(at)
    vocab = next(d.value for d in at.dataframe if "on the scorecard" in d.value.columns)
    assert dict(zip(vocab["stance"], vocab["on the scorecard"], strict=True))["Oppose unless amended"] == (
        "a no is with us")
    at.selectbox(key="st_stance").select("Support")
    at.radio(key="st_side").set_value("none")
    next(b for b in at.get("form_submit_button") if b.label == "Save").click().run()
    no_exception(at)
    assert md("Support: not scored") in texts(at)
    session.expire_all()
    assert session.get(Stance, "Support").scorecard_vote is None

    at.switch_page("views/scorecard.py").run()
    no_exception(at)
    keys = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert "SB 1" not in set(keys["bill"]) and {"SB 2", "AB 1"} <= set(keys["bill"])
