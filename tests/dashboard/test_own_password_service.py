"""Only an administrator sets a password without giving the current one (tracker.users.set_password): the rule
that a browser left signed in cannot be used to lock its owner out is the service's, not the page's."""

import pytest
from dash_fixtures import PASSWORD, Seeded
from sqlmodel import Session

from tracker import users
from tracker.permissions import PermissionDenied


@pytest.mark.parametrize("role", ["staff", "council", "lobbyist"])
def test_a_non_admin_cannot_set_their_own_password_without_the_current_one(session: Session, seeded: Seeded,
                                                                           role: str) -> None:
    """set_password let any signed-in person replace their own password unasked (a page calling it with the
    person's own email, or any code holding their account), ending their sign-ins: what "Change my password" asks
    the current password to prevent. Now it is an administrator's (or the command line's) only; a person's own
    change goes through change_own_password, which still works."""
    person = seeded.users[role]
    before = person.password_hash
    with pytest.raises(PermissionDenied, match="Managing users is for administrators"):
        users.set_password(session, email=person.email, password="taken over by a passer-by", actor=person)
    session.rollback()
    assert session.get(users.User, person.id).password_hash == before

    users.change_own_password(session, actor=person, current=PASSWORD, new="my own new passphrase",
                              repeat="my own new passphrase")
    session.commit()
    assert users.authenticate(session, email=person.email, password="my own new passphrase").id == person.id


def test_an_admin_still_sets_anyones_password_their_own_included(session: Session, seeded: Seeded) -> None:
    admin = seeded.users["admin"]
    for email in (seeded.users["staff"].email, admin.email):
        users.set_password(session, email=email, password="a temporary passphrase", actor=admin)
    session.commit()
    assert users.authenticate(session, email=admin.email, password="a temporary passphrase").id == admin.id
