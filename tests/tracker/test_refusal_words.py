"""A refused action says, in words, who may do it and as whom the person is signed in: council members and
lobbyists read these on the dashboard and from the CLI, where "(council) may not set position" named a code."""

import re

from tracker.models import User
from tracker.models.enums import Role
from tracker.permissions import ROLE_ACTIONS, Action, PermissionDenied, require

SIGNED_IN_AS = {"staff": "policy staff", "council": "a council member", "lobbyist": "a lobbyist"}


def test_every_refusal_reads_in_words() -> None:
    for role in Role:
        person = User(email=f"{role.value}@example.org", role=role.value, active=True)
        for action in Action:
            if action in ROLE_ACTIONS[role.value]:
                continue
            try:
                require(person, action)
            except PermissionDenied as exc:
                text = str(exc)
            else:
                raise AssertionError(f"{role} may {action}")
            assert re.fullmatch(r"[A-Z].* is for [a-z ,]+; you are signed in as (.+)\.", text), text
            assert text.endswith(f"; you are signed in as {SIGNED_IN_AS[role.value]}.") and "(" + role.value not in text


def test_the_wording_of_a_refused_position() -> None:
    council = User(email="carol@example.org", role="council", active=True)
    try:
        require(council, Action.set_position)
    except PermissionDenied as exc:
        assert str(exc) == ("Setting a position is for administrators and policy staff; you are signed in as a "
                            "council member.")
