"""Password guesses sent at once (tracker.sessions): the pause after five wrong passwords must hold for guesses
that arrive together, as the sign-in route's thread pool takes them (some 40 at a time), not only one by one."""

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from dash_fixtures import PASSWORD, Seeded
from sqlalchemy import Engine
from sqlmodel import Session

from tracker import sessions, users
from tracker.models import SignInFailure
from tracker.models.base import utcnow

CONFIG = sessions.SessionSettings(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=8))
BURST = 12


def _burst(engine: Engine, email: str, attempt: Callable[[Session, int], object]) -> list[str]:
    """``BURST`` attempts started together, each in a database session of its own (as the route's threads are);
    what each was answered."""
    gate = threading.Barrier(BURST)
    answers: list[str] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        with Session(engine) as own:
            gate.wait()
            try:
                attempt(own, n)
                answer = "signed in"
            except (users.AuthError, users.UserError) as exc:
                answer = str(exc)
            own.rollback()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def test_guesses_sent_at_once_are_checked_at_most_five_times(engine: Engine, session: Session,
                                                             seeded: Seeded) -> None:
    """Each sign-in read the count of wrong passwords, checked the password (argon2: tens of milliseconds), then
    added one to the count it had read: twelve guesses posted together were all checked (the count read 0 by each)
    and the count then said 1 to 3 of them (each wrote what it had read plus one), so a guesser sending bursts was
    never paused. Each attempt now takes its place in the count before its password is checked: the sixth and
    later of a burst are refused unchecked, and the pause follows."""
    email = seeded.users["staff"].email
    start = utcnow()
    answers = _burst(engine, email, lambda own, n: sessions.sign_in(
        own, email=email, password=f"guess number {n}", config=CONFIG, now=start))
    checked = answers.count("Wrong email or password.")
    assert len(answers) == BURST
    assert checked <= sessions.MAX_FAILURES, answers
    assert all("paused" in a for a in answers if a != "Wrong email or password."), answers
    # The right password waits out the pause too, and the count says five.
    with pytest.raises(users.AuthError, match="paused"):
        sessions.sign_in(session, email=email, password=PASSWORD, config=CONFIG,
                         now=start + dt.timedelta(minutes=1))
    session.rollback()
    session.expire_all()
    assert session.get(SignInFailure, sessions.failure_key(email)).failures == sessions.MAX_FAILURES


def test_counting_before_the_check_never_counts_the_right_password(session: Session, seeded: Seeded) -> None:
    """An attempt takes its place in the count before its password is checked; a right one gives it back. After
    four wrong passwords the owner's right one signs in and ends the run; a deactivated account's right password
    and a change refused only because the two new passwords differ count nothing either."""
    staff, council = seeded.users["staff"], seeded.users["council"]
    start = utcnow()
    for _ in range(sessions.MAX_FAILURES - 1):
        with pytest.raises(users.AuthError):
            sessions.sign_in(session, email=staff.email, password="not the password", config=CONFIG, now=start)
        session.rollback()
    assert sessions.sign_in(session, email=staff.email, password=PASSWORD, config=CONFIG, now=start)[0].id == staff.id
    session.commit()
    assert session.get(SignInFailure, sessions.failure_key(staff.email)) is None

    with pytest.raises(users.AuthError):
        sessions.sign_in(session, email=council.email, password="not the password", config=CONFIG, now=start)
    session.rollback()
    with pytest.raises(users.UserError, match="do not match"):
        users.change_own_password(session, actor=council, current=PASSWORD, new="a brand new passphrase",
                                  repeat="another passphrase", now=start)
    session.rollback()
    users.deactivate(session, email=council.email, actor=seeded.users["admin"])
    session.commit()
    for _ in range(sessions.MAX_FAILURES + 1):
        with pytest.raises(users.AuthError, match="deactivated"):
            sessions.sign_in(session, email=council.email, password=PASSWORD, config=CONFIG, now=start)
        session.rollback()
    session.expire_all()
    assert session.get(SignInFailure, sessions.failure_key(council.email)).failures == 1


def test_current_passwords_guessed_at_once_are_checked_at_most_five_times(engine: Engine, session: Session,
                                                                          seeded: Seeded) -> None:
    """"Change my password" on a browser left signed in: the same race, the same count."""
    staff = seeded.users["staff"]
    start = utcnow()
    answers = _burst(engine, staff.email, lambda own, n: users.change_own_password(
        own, actor=staff, current=f"guess number {n}", new="a brand new passphrase",
        repeat="a brand new passphrase", now=start))
    checked = answers.count("The current password is wrong; nothing changed.")
    assert checked <= sessions.MAX_FAILURES, answers
    with pytest.raises(users.AuthError, match="paused"):
        sessions.sign_in(session, email=staff.email, password=PASSWORD, config=CONFIG,
                         now=start + dt.timedelta(minutes=1))
