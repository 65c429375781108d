"""What council members and lobbyists read on the dashboard is said in words, not in stored keys or enum values."""

from apptest_helpers import no_exception, signed_in
from dash_fixtures import Seeded


def test_a_topic_score_on_the_bill_page_says_what_each_number_is(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(seeded.ids["privacy"])})
    no_exception(at)
    (line,) = [h.proto.body for h in at.get("html") if "<b>Artificial intelligence</b>" in h.proto.body]
    assert "keyword score 0 (keywords alone flag at 1)" in line and " of 1" not in line
