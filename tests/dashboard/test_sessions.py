"""Sign-ins that survive a reload (tracker.sessions): tokens stored only as hashes, idle and absolute limits,
revocation by sign-out, "everywhere", and every account change that must lock a browser out."""

import datetime as dt

import pytest
from dash_fixtures import PASSWORD, Seeded
from sqlalchemy import select
from sqlmodel import Session

from tracker import sessions, users
from tracker.config import ConfigError
from tracker.models import UserSession
from tracker.models.base import utcnow
from tracker.permissions import PermissionDenied

CONFIG = sessions.SessionSettings(idle=dt.timedelta(minutes=30), absolute=dt.timedelta(hours=8))


def _row(session: Session, token: str) -> UserSession:
    return session.execute(select(UserSession)
                           .where(UserSession.token_hash == sessions.token_hash(token))).scalar_one()


def test_a_sign_in_is_a_random_token_stored_only_as_its_hash(session: Session, seeded: Seeded) -> None:
    user, token = sessions.sign_in(session, email="Staff@example.org", password=PASSWORD, config=CONFIG)
    session.commit()
    assert user.id == seeded.users["staff"].id and len(token) >= 43  # 32 random bytes
    stored = session.execute(select(UserSession)).scalars().all()
    assert len(stored) == 1 and stored[0].token_hash == sessions.token_hash(token)
    assert token not in repr(stored[0].model_dump())  # a copy of the database signs nobody in
    assert sessions.resume_session(session, token=token, config=CONFIG).id == user.id
    _, second = sessions.sign_in(session, email="staff@example.org", password=PASSWORD, config=CONFIG)
    assert second != token  # every sign-in its own token
    for forged in (None, "", sessions.token_hash(token), token[:-1], "x" * 5000):
        assert sessions.resume_session(session, token=forged, config=CONFIG) is None
    session.commit()
    with pytest.raises(users.AuthError, match="Wrong email or password"):
        sessions.sign_in(session, email="staff@example.org", password="not the password", config=CONFIG)


def test_a_sign_in_ends_after_the_idle_limit_unless_used(session: Session, seeded: Seeded) -> None:
    start = utcnow()
    token = sessions.start_session(session, user=seeded.users["staff"], config=CONFIG, now=start)
    # Used every 25 minutes, it lasts well past 30 minutes...
    for minutes in (25, 50, 75):
        assert sessions.resume_session(session, token=token, config=CONFIG,
                                       now=start + dt.timedelta(minutes=minutes)) is not None
    assert _row(session, token).last_seen_at == start + dt.timedelta(minutes=75)
    # ...and ends 30 minutes after its last use.
    assert sessions.resume_session(session, token=token, config=CONFIG,
                                   now=start + dt.timedelta(minutes=105)) is None


def test_last_use_is_written_at_most_once_a_minute(session: Session, seeded: Seeded) -> None:
    """Every Streamlit rerun checks the sign-in; writing each one would queue behind an import on SQLite."""
    start = utcnow()
    token = sessions.start_session(session, user=seeded.users["staff"], config=CONFIG, now=start)
    sessions.resume_session(session, token=token, config=CONFIG, now=start + dt.timedelta(seconds=30))
    assert _row(session, token).last_seen_at == start
    # When SQLite's one writer is busy (an import), the dashboard checks the sign-in without marking it.
    assert sessions.resume_session(session, token=token, config=CONFIG, now=start + dt.timedelta(seconds=61),
                                   touch=False) is not None
    assert _row(session, token).last_seen_at == start
    sessions.resume_session(session, token=token, config=CONFIG, now=start + dt.timedelta(seconds=61))
    assert _row(session, token).last_seen_at == start + dt.timedelta(seconds=61)


def test_a_sign_in_ends_at_its_absolute_limit_however_busy(session: Session, seeded: Seeded) -> None:
    start = utcnow()
    token = sessions.start_session(session, user=seeded.users["staff"], config=CONFIG, now=start)
    moment = start
    while moment < start + dt.timedelta(hours=8) - dt.timedelta(minutes=20):
        moment += dt.timedelta(minutes=20)
        assert sessions.resume_session(session, token=token, config=CONFIG, now=moment) is not None, moment
    assert sessions.resume_session(session, token=token, config=CONFIG, now=start + dt.timedelta(hours=8)) is None
    assert _row(session, token).expires_at == start + dt.timedelta(hours=8)


def test_sign_out_ends_one_browser_and_everywhere_ends_them_all(session: Session, seeded: Seeded) -> None:
    staff, council = seeded.users["staff"], seeded.users["council"]
    laptop, phone = (sessions.start_session(session, user=staff, config=CONFIG) for _ in range(2))
    colleague = sessions.start_session(session, user=council, config=CONFIG)
    assert sessions.end_session(session, token=laptop) is True
    assert sessions.end_session(session, token=laptop) is False  # already ended
    assert sessions.resume_session(session, token=laptop, config=CONFIG) is None
    assert sessions.resume_session(session, token=phone, config=CONFIG).id == staff.id
    assert _row(session, laptop).revoked_reason == "signed out"

    with pytest.raises(PermissionDenied):  # nobody but an admin ends someone else's sign-ins
        sessions.revoke_user_sessions(session, user_id=council.id, reason="x", actor=staff)
    assert [s.id for s in sessions.live_sessions(session, user_id=staff.id, actor=staff, config=CONFIG)] == [
        _row(session, phone).id]
    assert sessions.revoke_user_sessions(session, user_id=staff.id, reason="signed out everywhere",
                                         actor=staff) == 1
    assert sessions.resume_session(session, token=phone, config=CONFIG) is None
    assert sessions.resume_session(session, token=colleague, config=CONFIG).id == council.id
    assert sessions.revoke_user_sessions(session, user_id=council.id, reason="lost laptop",
                                         actor=seeded.users["admin"]) == 1
    assert sessions.resume_session(session, token=colleague, config=CONFIG) is None


@pytest.mark.parametrize("change", ["deactivate", "password", "role"])
def test_an_admins_change_to_an_account_ends_its_sign_ins(session: Session, seeded: Seeded, change: str) -> None:
    """A person who left, a leaked password, a role taken away: none may wait out the sign-in's own expiry."""
    admin = seeded.users["admin"]
    token = sessions.start_session(session, user=seeded.users["lobbyist"], config=CONFIG)
    colleague = sessions.start_session(session, user=seeded.users["council"], config=CONFIG)
    if change == "deactivate":
        users.deactivate(session, email="lobbyist@example.org", actor=admin)
    elif change == "password":
        users.set_password(session, email="lobbyist@example.org", password="a brand new password", actor=admin)
    else:
        users.set_role(session, email="lobbyist@example.org", role="council", actor=admin)
    session.commit()
    assert sessions.resume_session(session, token=token, config=CONFIG) is None
    assert _row(session, token).revoked_reason == {"deactivate": "deactivated", "password": "password set",
                                                   "role": "role changed"}[change]
    assert sessions.resume_session(session, token=colleague, config=CONFIG).id == seeded.users["council"].id
    if change == "deactivate":  # reactivating does not bring the old sign-ins back
        users.reactivate(session, email="lobbyist@example.org", actor=admin)
        assert sessions.resume_session(session, token=token, config=CONFIG) is None
        users.deactivate(session, email="lobbyist@example.org", actor=admin)
        with pytest.raises(ValueError, match="deactivated"):
            sessions.start_session(session, user=seeded.users["lobbyist"], config=CONFIG)
    else:  # the new password, or the new role, signs in again
        password = "a brand new password" if change == "password" else PASSWORD
        user, fresh = sessions.sign_in(session, email="lobbyist@example.org", password=password, config=CONFIG)
        assert sessions.resume_session(session, token=fresh, config=CONFIG).role == user.role


def test_setting_the_same_role_again_keeps_the_sign_in(session: Session, seeded: Seeded) -> None:
    token = sessions.start_session(session, user=seeded.users["staff"], config=CONFIG)
    users.set_role(session, email="staff@example.org", role="staff", actor=seeded.users["admin"])
    assert sessions.resume_session(session, token=token, config=CONFIG) is not None


def test_a_deactivated_account_is_refused_even_if_its_row_was_not_revoked(session: Session,
                                                                          seeded: Seeded) -> None:
    """Defence in depth: an account switched off by hand in the database (not through users.deactivate)."""
    council = seeded.users["council"]
    token = sessions.start_session(session, user=council, config=CONFIG)
    council.active = False
    session.add(council)
    session.flush()
    assert sessions.resume_session(session, token=token, config=CONFIG) is None


def test_sign_ins_ended_a_month_ago_are_deleted_at_the_next_sign_in(session: Session, seeded: Seeded) -> None:
    staff = seeded.users["staff"]
    old = sessions.start_session(session, user=staff, config=CONFIG, now=utcnow() - dt.timedelta(days=40))
    recent = sessions.start_session(session, user=staff, config=CONFIG, now=utcnow() - dt.timedelta(days=2))
    sessions.start_session(session, user=staff, config=CONFIG)
    hashes = set(session.execute(select(UserSession.token_hash)).scalars())
    assert sessions.token_hash(old) not in hashes and sessions.token_hash(recent) in hashes


def test_limits_come_from_the_dashboard_table_of_tracker_toml() -> None:
    default = sessions.session_settings({})
    assert (default.idle, default.absolute, default.secure_cookie) == (
        dt.timedelta(minutes=120), dt.timedelta(hours=12), None)
    custom = sessions.session_settings({"dashboard": {"session_idle_minutes": 45, "session_max_hours": 9.5,
                                                      "secure_cookie": True}})
    assert (custom.idle, custom.absolute, custom.secure_cookie) == (
        dt.timedelta(minutes=45), dt.timedelta(hours=9.5), True)
    # an idle limit longer than the absolute one is the absolute one
    assert sessions.session_settings({"dashboard": {"session_idle_minutes": 900,
                                                    "session_max_hours": 2}}).idle == dt.timedelta(hours=2)
    for bad in ({"session_idle_minutes": 0}, {"session_max_hours": "12"}, {"session_max_hours": True},
                {"secure_cookie": "yes"}):
        with pytest.raises(ConfigError, match=r"\[dashboard\]"):
            sessions.session_settings({"dashboard": bad})


def _wrong(session: Session, email: str, now: dt.datetime) -> str:
    with pytest.raises(users.AuthError) as refused:
        sessions.sign_in(session, email=email, password="not the password", config=CONFIG, now=now)
    session.rollback()  # as the dashboard's session scope does with a refused sign-in
    return str(refused.value)


def test_guessing_a_password_is_paused_after_five_wrong_ones(session: Session, seeded: Seeded) -> None:
    """Nothing limited how fast passwords could be tried through the sign-in form. Five wrong ones in a row for
    an email now pause its sign-ins for 15 minutes, the right password included; the count outlives the refused
    sign-in's own transaction, and an email with no account is paused the same way, so the pause tells nobody
    which emails have one."""
    start = utcnow()
    for email in ("staff@example.org", "nobody@example.org"):
        for n in range(sessions.MAX_FAILURES):
            assert _wrong(session, email, start + dt.timedelta(seconds=n)) == "Wrong email or password."
        assert "sign-in is paused for 15 more minutes" in _wrong(session, email, start + dt.timedelta(seconds=10))
    with pytest.raises(users.AuthError, match="paused for 14 more minutes"):
        sessions.sign_in(session, email="STAFF@example.org", password=PASSWORD, config=CONFIG,
                         now=start + dt.timedelta(minutes=1, seconds=30))
    # Colleagues sign in as ever; after the pause the right password works and the count starts again.
    assert sessions.sign_in(session, email="council@example.org", password=PASSWORD, config=CONFIG,
                            now=start)[0].id == seeded.users["council"].id
    later = start + sessions.PAUSE + dt.timedelta(seconds=5)
    assert sessions.sign_in(session, email="staff@example.org", password=PASSWORD, config=CONFIG,
                            now=later)[0].id == seeded.users["staff"].id
    session.commit()
    assert _wrong(session, "staff@example.org", later) == "Wrong email or password."


def test_wrong_passwords_far_apart_never_pause_a_sign_in(session: Session, seeded: Seeded) -> None:
    start = utcnow()
    for n in range(sessions.MAX_FAILURES + 2):  # one a day: someone who keeps mistyping, not a guesser
        assert _wrong(session, "staff@example.org", start + dt.timedelta(days=n)) == "Wrong email or password."
    assert sessions.sign_in(session, email="staff@example.org", password=PASSWORD, config=CONFIG,
                            now=start + dt.timedelta(days=7))[0].id == seeded.users["staff"].id


def _wrong_current(session: Session, user: users.User, now: dt.datetime) -> str:
    with pytest.raises(users.UserError) as refused:
        users.change_own_password(session, actor=user, current="not the password", new="a brand new passphrase",
                                  repeat="a brand new passphrase", now=now)
    session.rollback()  # as the dashboard's session scope does with a refused change
    return str(refused.value)


def test_guessing_the_current_password_on_the_change_form_is_paused_as_sign_in_is(
        session: Session, seeded: Seeded) -> None:
    """"Change my password" checked the current password as often as it was asked: someone at a browser left
    signed in could guess it without end, while the sign-in form pauses after five wrong ones. A wrong current
    password now counts as a wrong sign-in of that account (one count for both forms, so switching form gains
    nothing): after five in a row the change, and signing in, wait 15 minutes, the right password included."""
    staff = seeded.users["staff"]
    start = utcnow()
    _wrong(session, staff.email, start)  # one wrong sign-in first: the same count
    for n in range(1, sessions.MAX_FAILURES):
        assert _wrong_current(session, staff, start + dt.timedelta(seconds=n)) == \
            "The current password is wrong; nothing changed."
    assert "paused for 15 more minutes" in _wrong_current(session, staff, start + dt.timedelta(seconds=10))
    with pytest.raises(users.UserError, match="paused for 14 more minutes"):
        users.change_own_password(session, actor=staff, current=PASSWORD, new="a brand new passphrase",
                                  now=start + dt.timedelta(minutes=1, seconds=30))
    session.rollback()
    with pytest.raises(users.AuthError, match="sign-in is paused"):
        sessions.sign_in(session, email=staff.email, password=PASSWORD, config=CONFIG,
                         now=start + dt.timedelta(minutes=2))
    session.rollback()
    # A colleague's own change is not held up; after the pause the right password changes it, and the count is
    # cleared as a sign-in that succeeds clears it.
    users.change_own_password(session, actor=seeded.users["council"], current=PASSWORD,
                              new="council passphrase", now=start + dt.timedelta(minutes=2))
    later = start + sessions.PAUSE + dt.timedelta(seconds=15)
    users.change_own_password(session, actor=staff, current=PASSWORD, new="a brand new passphrase", now=later)
    session.commit()
    assert _wrong(session, staff.email, later) == "Wrong email or password."
    assert sessions.sign_in(session, email=staff.email, password="a brand new passphrase", config=CONFIG,
                            now=later)[0].id == staff.id


def test_a_password_an_admin_sets_ends_the_pause_of_the_wrong_ones_before(session: Session, seeded: Seeded) -> None:
    """Someone who forgot their password tries five, is paused and calls an admin, who sets a temporary one: it was
    refused for the rest of the 15 minutes, the pause kept for guesses at a password that no longer exists."""
    staff = seeded.users["staff"]
    start = utcnow()
    for n in range(sessions.MAX_FAILURES):
        _wrong(session, staff.email, start + dt.timedelta(seconds=n))
    users.set_password(session, email=staff.email, password="a temporary passphrase", actor=seeded.users["admin"])
    session.commit()
    assert sessions.sign_in(session, email=staff.email, password="a temporary passphrase", config=CONFIG,
                            now=start + dt.timedelta(minutes=1))[0].id == staff.id
