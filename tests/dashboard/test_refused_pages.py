"""A page someone's role may not see, opened by its address (a shared link, a bookmark from an earlier role): the
person is told whose page it is, then sees their own start page, rather than landing there without a word."""

import pytest
from apptest_helpers import no_exception, open_address, signed_in, texts
from dash_fixtures import Seeded


@pytest.mark.parametrize(("role", "address", "said"), [
    ("council", "admin-users", "“Users and roles” is for administrators"),
    ("lobbyist", "admin-sources", "“Sources and crawls” is for administrators"),
    ("council", "exports", "“Export packets” is for administrators, policy staff and lobbyists"),
    ("staff", "admin-topics", "“Topics and rules” is for administrators"),
])
def test_a_refused_page_says_whose_it_is_then_opens_the_start_page(seeded: Seeded, role: str, address: str,
                                                                    said: str) -> None:
    at = signed_in(seeded.users[role])
    open_address(at, address).run()
    no_exception(at)
    assert [i.value for i in at.info if said in i.value], texts(at)
    council_side = role in ("council", "lobbyist")
    assert [t.value for t in at.title] == ["Overview" if council_side else "Triage inbox"]
    at.switch_page("views/overview.py" if council_side else "views/triage.py").run()  # where the browser now is
    no_exception(at)  # and said once: the next run of the page does not repeat it
    assert not [i.value for i in at.info if said in i.value]


def test_a_page_the_role_may_see_opens_without_a_refusal(seeded: Seeded) -> None:
    at = signed_in(seeded.users["lobbyist"])
    open_address(at, "exports").run()
    no_exception(at)
    assert [t.value for t in at.title] == ["Export briefing packets"] and " is for " not in texts(at)


def test_council_members_are_told_why_the_flagged_bills_have_no_triage_buttons(seeded: Seeded) -> None:
    at = signed_in(seeded.users["council"], "views/triage.py")
    no_exception(at)
    assert "Triage (reviewing, dismissing, assigning) is for administrators and policy staff" in texts(at)
