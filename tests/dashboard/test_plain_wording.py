"""What council members and lobbyists read on the dashboard is said in words, not in stored keys or enum values."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from sqlmodel import Session

from tracker.models import TriageState


def test_a_topic_score_on_the_bill_page_says_what_each_number_is(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(at)
    (line,) = [h.proto.body for h in at.get("html") if "<b>Artificial intelligence</b>" in h.proto.body]
    assert "keyword score 0 (keywords alone flag at 1)" in line and " of 1" not in line


RAW_STAGES = ("passed origin chamber", "passed_origin_chamber", "in committee", "in_committee")


@pytest.mark.parametrize("role", ["council", "lobbyist"])
def test_stages_and_triage_states_read_as_words_on_the_flagged_bills(seeded: Seeded, role: str) -> None:
    at = signed_in(seeded.users[role], "views/triage.py")
    no_exception(at)
    assert at.multiselect(key="f_stages").options[:3] == ["Introduced", "In committee", "Passed first chamber"]
    captions = [c.value for c in at.caption if "latest action" in c.value]
    assert captions and all("not reviewed yet" in c for c in captions), captions
    assert {"In committee", "Passed first chamber"} <= {c.split(" · ")[1].split("  ")[0] for c in captions}
    assert not [c for c in captions if any(raw in c for raw in RAW_STAGES) or c.endswith("new")]


@pytest.mark.parametrize("role", ["council", "lobbyist"])
def test_search_filters_name_stages_and_jurisdictions(seeded: Seeded, role: str) -> None:
    at = signed_in(seeded.users[role], "views/search.py")
    no_exception(at)
    assert "Passed first chamber" in at.multiselect(key="q_stages").options
    assert at.selectbox(key="q_jurisdiction").options == ["Any", "ca — California", "us — United States"]
    at.text_input(key="q").input("Act").run()
    no_exception(at)
    captions = [c.value for c in at.caption if "latest action" in c.value]
    assert any("Passed first chamber" in c for c in captions), captions
    assert not [c for c in captions if any(raw in c for raw in RAW_STAGES)]


def test_alert_change_kinds_are_named(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/alerts.py")
    no_exception(at)
    options = at.multiselect(key="alerts_events").options
    assert "Stage change" in options and "New bill" in options
    assert not [o for o in options if "_" in o]


def test_the_bill_page_progress_and_triage_read_as_words(session: Session, seeded: Seeded) -> None:
    session.merge(TriageState(bill_id=seeded.ids["privacy"], status="dismissed", relevance="not_relevant",
                              user_id=seeded.users["staff"].id))
    session.commit()
    at = signed_in(seeded.users["lobbyist"], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(at)
    shown = texts(at)
    assert "Passed first chamber" in shown and not [raw for raw in RAW_STAGES if raw in shown]
    versions = next(d.value for d in at.dataframe if "text stored" in d.value.columns)
    assert set(versions["text stored"]) == {"yes"}
    assert "not relevant" in shown and "not\\_relevant" not in shown


def test_an_overview_without_data_tells_council_members_no_command(seeded: Seeded) -> None:
    # "run `tracker import PATH` or `tracker crawl SOURCE`" told a council member to type commands they have
    # no access to; administrators, who run them, still see which.
    at = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(at)
    assert "No feed has been read yet" in texts(at) and "tracker import" not in texts(at)
    at = signed_in(seeded.users["admin"], "views/overview.py")
    assert "tracker import" in texts(at)
