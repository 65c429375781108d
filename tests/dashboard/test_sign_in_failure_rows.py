"""The table of wrong passwords holds the current runs of failures only: anyone may post the sign-in form with
made-up emails, and each made-up email was a row kept for good."""

import datetime as dt

import pytest
from dash_fixtures import Seeded
from sqlalchemy import func, select
from sqlmodel import Session

from tracker import sessions, users
from tracker.models import SignInFailure
from tracker.models.base import utcnow

CONFIG = sessions.SessionSettings(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=8))


def _wrong(session: Session, email: str, now: dt.datetime) -> None:
    with pytest.raises(users.AuthError):
        sessions.sign_in(session, email=email, password="not the password", config=CONFIG, now=now)
    session.rollback()


def test_failures_older_than_the_pause_are_deleted_when_a_new_email_is_counted(session: Session,
                                                                               seeded: Seeded) -> None:
    """Sign-ins with 12 made-up emails left 12 rows, and every later one another: nothing deleted a row whose
    run of failures was over (one older than the 15-minute pause counts for nothing). The first failure of an
    email now deletes those; a run still within the pause is kept, and still pauses its email."""
    start = utcnow()
    for n in range(12):
        _wrong(session, f"made-up-{n}@example.org", start)
    for _ in range(sessions.MAX_FAILURES):
        _wrong(session, "staff@example.org", start + sessions.PAUSE - dt.timedelta(minutes=1))
    assert session.execute(select(func.count()).select_from(SignInFailure)).scalar_one() == 13

    later = start + sessions.PAUSE + dt.timedelta(seconds=1)
    _wrong(session, "another-made-up@example.org", later)
    keys = set(session.execute(select(SignInFailure.email_key)).scalars())
    assert keys == {sessions.failure_key("staff@example.org"), sessions.failure_key("another-made-up@example.org")}
    with pytest.raises(users.AuthError, match="paused"):
        sessions.sign_in(session, email="staff@example.org", password="not the password", config=CONFIG, now=later)
