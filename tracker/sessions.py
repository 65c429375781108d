"""Dashboard sign-ins that survive a reload and a new tab, for a bounded time.

A sign-in is a random 256-bit token. The browser keeps it in an HttpOnly, SameSite=Strict cookie set by the
dashboard's own sign-in route (dashboard/server.py); the database keeps only its SHA-256 (a token that random needs
no slow hash), so neither a database copy nor a backup signs anybody in. Every dashboard run looks the token up
again, so a sign-in ends at once when it is revoked: signed out (here or everywhere), the password set again, the
role changed, the account deactivated. It also ends after ``idle`` without use and ``absolute`` after it began,
however busy its owner (``[dashboard]`` in tracker.toml).
"""

import datetime as dt
import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from tracker.config import ConfigError, settings
from tracker.models import SignInFailure, User, UserSession
from tracker.models.base import utcnow
from tracker.permissions import Action, require
from tracker.users import AuthError, UserError, authenticate, normalize_email

log = logging.getLogger(__name__)

DEFAULT_IDLE_MINUTES = 120  # a meeting or lunch away keeps the sign-in; an afternoon away does not
DEFAULT_MAX_HOURS = 12  # one sign-in per working day, however busy
# Guessing passwords: after this many wrong ones in a row for an email, its sign-ins wait this long (OWASP's
# authentication cheat sheet: throttle per account, not lock it for good, which would hand anyone a way to lock
# colleagues out).
MAX_FAILURES = 5
PAUSE = dt.timedelta(minutes=15)
KEEP_ENDED_DAYS = 30  # ended sign-ins stay this long (who signed in when), then are deleted
TOKEN_BYTES = 32


@dataclass(frozen=True)
class SessionSettings:
    idle: dt.timedelta = dt.timedelta(minutes=DEFAULT_IDLE_MINUTES)
    absolute: dt.timedelta = dt.timedelta(hours=DEFAULT_MAX_HOURS)
    secure_cookie: bool | None = None  # None: Secure when the request came over https

    @property
    def touch_every(self) -> dt.timedelta:
        """How stale ``last_seen_at`` may get before a run writes it again: every Streamlit rerun writing a row
        would queue behind an import's batches on SQLite, and a minute is nothing against the idle limit."""
        return min(dt.timedelta(minutes=1), self.idle / 10)


def _positive(section: dict[str, Any], key: str, default: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"[dashboard] {key} = {value!r}: expected a number above 0")
    return float(value)


def session_settings(doc: dict[str, Any] | None = None) -> SessionSettings:
    section = (doc if doc is not None else settings().file).get("dashboard", {}) or {}
    idle = dt.timedelta(minutes=_positive(section, "session_idle_minutes", DEFAULT_IDLE_MINUTES))
    absolute = dt.timedelta(hours=_positive(section, "session_max_hours", DEFAULT_MAX_HOURS))
    secure = section.get("secure_cookie", "auto")
    if secure not in ("auto", True, False):
        raise ConfigError(f"[dashboard] secure_cookie = {secure!r}: expected \"auto\", true or false")
    return SessionSettings(idle=min(idle, absolute), absolute=absolute,
                           secure_cookie=None if secure == "auto" else secure)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def start_session(session: Session, *, user: User, config: SessionSettings | None = None,
                  now: dt.datetime | None = None) -> str:
    """A new sign-in for ``user``, who has proved who they are; returns the token for the browser (only its hash
    is stored, so it cannot be shown again)."""
    config = config or session_settings()
    now = now or utcnow()
    assert user.id is not None
    if not user.active:
        raise ValueError("a deactivated account cannot sign in")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(UserSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                            expires_at=now + config.absolute))
    # This person's sign-ins that ended long ago go: the table holds live sign-ins and a month of history.
    session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                              UserSession.expires_at < now - dt.timedelta(days=KEEP_ENDED_DAYS)))
    session.flush()
    return token


def sign_in(session: Session, *, email: str, password: str, config: SessionSettings | None = None,
            now: dt.datetime | None = None) -> tuple[User, str]:
    """Check the password (tracker.users.authenticate: same answer and work for an unknown email) and start a
    sign-in; raises users.AuthError. After ``MAX_FAILURES`` wrong passwords in a row for one email, its sign-ins
    are refused unchecked until ``PAUSE`` has passed since the last one, the same for an email no account has."""
    now = now or utcnow()
    key = failure_key(email)
    minutes = paused_minutes(session, key, now)
    if minutes:
        raise AuthError(f"Too many wrong passwords for this email: sign-in is paused for {minutes} more "
                        f"minute{'s' if minutes != 1 else ''}.")
    try:
        user = authenticate(session, email=email, password=password)
    except AuthError as exc:
        if "deactivated" not in str(exc):
            count_failure(session, key, now)
        raise
    clear_failures(session, key)
    return user, start_session(session, user=user, config=config, now=now)


# -- wrong passwords: the sign-in form's, and the current password of "Change my password" ---------------------

def failure_key(email: str) -> str:
    """Where wrong passwords for ``email`` are counted: its SHA-256, whether or not an account has it."""
    try:
        return token_hash(normalize_email(email))
    except UserError:  # no address at all (a form posted by hand): refused as a wrong email, and counted
        return token_hash(email.strip().lower())


def paused_minutes(session: Session, key: str, now: dt.datetime) -> int:
    """Minutes left of the pause after ``MAX_FAILURES`` wrong passwords in a row (0: not paused). While paused
    a password is refused unchecked, the right one included."""
    failed = session.get(SignInFailure, key)
    if failed is None or failed.failures < MAX_FAILURES or now >= failed.last_failed_at + PAUSE:
        return 0
    return max(1, math.ceil((failed.last_failed_at + PAUSE - now).total_seconds() / 60))


def clear_failures(session: Session, key: str) -> None:
    """The right password was given: the run of wrong ones is over."""
    failed = session.get(SignInFailure, key)
    if failed is not None:
        session.delete(failed)


def count_failure(session: Session, key: str, now: dt.datetime) -> None:
    """One more wrong password, committed on a connection of its own: the caller's transaction ends with the
    refusal, and a count that rolled back with it would never pause anything."""
    assert session.bind is not None
    with Session(session.bind) as own:
        row = own.get(SignInFailure, key)
        if row is None:
            row = SignInFailure(email_key=key, failures=0)
        elif now - row.last_failed_at >= PAUSE:
            row.failures = 0  # an old run of failures is forgotten
        row.failures += 1
        row.last_failed_at = now
        own.add(row)
        try:
            own.commit()
        except IntegrityError:  # the same email's first failure counted meanwhile by another request
            own.rollback()
        except OperationalError as exc:  # SQLite's writer busy past its timeout: the refusal stands uncounted
            own.rollback()
            log.warning("A wrong password could not be counted: %s", exc.orig)


def resume_session(session: Session, *, token: str | None, config: SessionSettings | None = None,
                   now: dt.datetime | None = None, touch: bool = True) -> User | None:
    """The user a browser's token signs in, or None: unknown token, revoked, idle too long, past its absolute
    limit, or an account deactivated since. Marks the sign-in used (at most once a minute; ``touch=False``: a
    read only, for when the database cannot take a write now)."""
    if not token or len(token) > 128:
        return None
    config = config or session_settings()
    now = now or utcnow()
    row = session.execute(select(UserSession).where(UserSession.token_hash == token_hash(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None or now >= row.expires_at or now >= row.last_seen_at + config.idle:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if touch and now - row.last_seen_at >= config.touch_every:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return user


def end_session(session: Session, *, token: str | None, now: dt.datetime | None = None) -> bool:
    """Sign out this browser: its token stops working at once, wherever a copy of it is. False when it was not a
    live sign-in."""
    if not token:
        return False
    result = session.execute(update(UserSession)
                             .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow(), revoked_reason="signed out"))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def revoke_user_sessions(session: Session, *, user_id: int, reason: str, actor: User | None,
                         now: dt.datetime | None = None) -> int:
    """End every live sign-in of one account ("sign out everywhere"); returns how many. Anyone may do it for
    themselves, an admin for anyone; ``actor=None`` is the system (the command line, or tracker.users when a
    password, role or active flag changes)."""
    if actor is not None and actor.id != user_id:
        require(actor, Action.manage_users)
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                             .values(revoked_at=now or utcnow(), revoked_reason=reason[:32]))
    return int(result.rowcount)  # type: ignore[attr-defined]


def live_sessions(session: Session, *, user_id: int, actor: User, config: SessionSettings | None = None,
                  now: dt.datetime | None = None) -> list[UserSession]:
    """An account's sign-ins still valid now, newest first (for "signed in on N browsers")."""
    if actor.id != user_id:
        require(actor, Action.manage_users)
    config = config or session_settings()
    now = now or utcnow()
    rows = session.execute(select(UserSession)
                           .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
                                  UserSession.expires_at > now, UserSession.last_seen_at > now - config.idle)
                           .order_by(UserSession.created_at.desc())).scalars()
    return list(rows)
