"""The bill page's topics once the organisation-wide model learned from triage is in use, on real bills (the
small BILLSTATUS sets judged as in tests/matching/judged_smallsets.py): a score reads like the flag, and a topic
is listed only when something speaks for it in particular."""

import re

import pytest
from apptest_helpers import no_exception, signed_in, texts
from sqlalchemy import Engine
from sqlmodel import Session

from tests.database_snapshots import Snapshots
from tests.matching.judged_smallsets import judged_small_sets
from tracker.matching.display import below_line
from tracker.matching.queries import topics_for

pytestmark = [pytest.mark.realdata, pytest.mark.semantic]

TOPIC_LINE = re.compile(r"<b>(?P<name>[^<]+)</b> <small>score (?P<score>\d\.\d+) · (?P<flag>flagged|not flagged)")


def topic_lines(at) -> list[tuple[str, float, bool]]:  # noqa: ANN001 - an AppTest
    found = [TOPIC_LINE.search(h.proto.body) for h in at.get("html")]
    return [(m["name"], float(m["score"]), m["flag"] == "flagged") for m in found if m]


def test_topics_on_the_bill_page_read_like_their_flags(engine: Engine, session: Session,
                                                       database_snapshots: Snapshots,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "on")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    judged = judged_small_sets(engine, session, database_snapshots)

    # H.R. 10 (117th), "Reserved for the Speaker.": it showed twelve topics at 0.87-0.90 "below threshold".
    at = signed_in(judged.admin, "views/bill.py", query={"id": str(judged.ids[("117", "HR 10")])})
    no_exception(at)
    assert topic_lines(at) == [] and "No topic matched this bill." in texts(at)

    # H.R. 4942 (119th), Quantum Encryption Readiness and Resilience Act: nine unrelated topics showed 0.98-0.99.
    at = signed_in(judged.admin, "views/bill.py", query={"id": str(judged.ids[("119", "HR 4942")])})
    no_exception(at)
    lines = topic_lines(at)
    assert [name for name, _, flagged in lines if flagged] == ["Cybersecurity"]
    assert all((score >= 0.5) == flagged for _, score, flagged in lines)
    (cyber,) = [h.proto.body for h in at.get("html") if "<b>Cybersecurity</b>" in h.proto.body]
    assert "keyword score 6 (keywords alone flag at 3)" in cyber
    assert "organisation-wide model, same for every topic" in cyber
    assert "A topic flags at a score of 0.50 or more." in texts(at)

    # Every bill: no score at or over the line without the flag, and never all twelve topics. Read as the page
    # reads and prints them (topics_for, below_line) rather than by drawing some hundred pages.
    every = topics_for(session, list(judged.ids.values()), flagged_only=False)
    for bill_id in judged.ids.values():
        lines = [(float(below_line(t["score"], 0.5, ".2f")), t["flagged"]) for t in every.get(bill_id, [])]
        assert all((score >= 0.5) == flagged for score, flagged in lines), (bill_id, lines)
        assert len(lines) < 12, bill_id
