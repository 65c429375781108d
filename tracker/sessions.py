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
import ipaddress
import logging
import math
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Update, case, delete, insert, or_, select, update
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
# Password spraying (one password tried on many emails) is counted per client address, across emails: after this
# many wrong passwords within ``PAUSE`` from one address, its sign-ins wait too. Well above what an office behind
# one address mistypes in a quarter of an hour (each right password gives its place back), far below the
# thousands an hour argon2id alone would let through.
MAX_CLIENT_FAILURES = 30
CLIENT_PAUSED = "Too many wrong passwords from your network address"
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
            now: dt.datetime | None = None, client: str | None = None) -> tuple[User, str]:
    """Check the password (tracker.users.authenticate: same answer and work for an unknown email) and start a
    sign-in; raises users.AuthError. After ``MAX_FAILURES`` wrong passwords in a row for one email, its sign-ins
    are refused unchecked until ``PAUSE`` has passed since the last one, the same for an email no account has.
    Each attempt is counted before its password is checked (``take_attempt``), so guesses sent at once are
    checked no more often than guesses sent one by one.

    ``client`` (the sign-in route's client address) is counted the same way across emails, up to
    ``MAX_CLIENT_FAILURES``: first, so that a paused client's tries count nothing against the emails it names.
    A right password gives back its own place in the client's count only: a sprayer signing in to an account of
    their own between guesses must not clear the count."""
    now = now or utcnow()
    client_key = client_failure_key(client) if client else None
    if client_key and (minutes := take_attempt(session, client_key, now, limit=MAX_CLIENT_FAILURES)):
        raise AuthError(f"{CLIENT_PAUSED}: sign-in is paused for {minutes} more minute{'s' if minutes != 1 else ''}.")
    key = failure_key(email)
    minutes = take_attempt(session, key, now)
    if minutes:
        if client_key:  # refused unchecked: no guess
            give_back_attempt(session, client_key)
        raise AuthError(f"Too many wrong passwords for this email: sign-in is paused for {minutes} more "
                        f"minute{'s' if minutes != 1 else ''}.")
    try:
        user = authenticate(session, email=email, password=password)
    except AuthError as exc:
        if "deactivated" in str(exc):  # the right password, for an account that cannot sign in: no guess
            give_back_attempt(session, key)
            if client_key:
                give_back_attempt(session, client_key)
        raise
    clear_failures(session, key)
    if client_key:  # in this transaction: authenticate has written the sign-in time, holding SQLite's writer
        session.execute(_given_back(client_key))
    return user, start_session(session, user=user, config=config, now=now)


# -- wrong passwords: the sign-in form's, and the current password of "Change my password" ---------------------

def failure_key(email: str) -> str:
    """Where wrong passwords for ``email`` are counted: its SHA-256, whether or not an account has it."""
    try:
        return token_hash(normalize_email(email))
    except UserError:  # no address at all (a form posted by hand): refused as a wrong email, and counted
        return token_hash(email.strip().lower())


def client_failure_key(address: str) -> str:
    """Where wrong passwords from one client address are counted, in the same table as the emails' (no
    migration; the count is the same atomic one, shared by every dashboard process and kept over a restart, which
    an in-process count would not be). "ip:" and a SHA-256 (61 hex digits, 64 characters in all, the column's
    size): apart from every email's key, which is hex only, and no address is stored. An IPv6 client is counted
    by its /64, the block one host or household is usually given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address (a test client, a unix socket): counted as given
        return "ip:" + token_hash(address)[:61]
    if isinstance(ip, ipaddress.IPv6Address):
        ip = ip.ipv4_mapped or ipaddress.ip_network(f"{ip}/64", strict=False).network_address
    return "ip:" + token_hash(str(ip))[:61]


def clear_failures(session: Session, key: str) -> None:
    """The right password was given: the run of wrong ones is over."""
    failed = session.get(SignInFailure, key)
    if failed is not None:
        session.delete(failed)


def take_attempt(session: Session, key: str, now: dt.datetime, *, limit: int = MAX_FAILURES) -> int:
    """Count one more password attempt for ``key`` as a wrong one before it is checked, and return 0; or, when
    ``limit`` are counted already within ``PAUSE``, count nothing and return the minutes of pause left.

    The count is one atomic UPDATE (or the first INSERT), committed on a connection of its own: the caller's
    transaction ends with the refusal, and a count that rolled back with it would never pause anything. Reading
    the count, checking the password and writing the count plus one let every guess of a burst through (each read
    the count before any had written it) and lost most of their counts (each wrote what it had read, plus one).
    A right password gives its place back (``clear_failures``, ``give_back_attempt``)."""
    assert session.bind is not None
    table = SignInFailure.__table__
    fresh = now - PAUSE  # an older last failure: the run of failures is over and forgotten
    with Session(session.bind) as own:
        try:
            for _ in range(3):  # another attempt's first count can come between the UPDATE and the INSERT
                counted = own.execute(
                    update(table)
                    .where(table.c.email_key == key,
                           or_(table.c.failures < limit, table.c.last_failed_at <= fresh))
                    .values(failures=case((table.c.last_failed_at <= fresh, 1), else_=table.c.failures + 1),
                            last_failed_at=now))
                if counted.rowcount:  # type: ignore[attr-defined]
                    own.commit()
                    return 0
                row = own.execute(select(table.c.failures, table.c.last_failed_at)
                                  .where(table.c.email_key == key)).first()
                if row is not None:
                    own.rollback()
                    if row.failures >= limit and now < row.last_failed_at + PAUSE:
                        return max(1, math.ceil((row.last_failed_at + PAUSE - now).total_seconds() / 60))
                    continue
                try:  # PostgreSQL refuses the duplicate at once, SQLite at the commit
                    # A new email's first count: runs of failures that are over go (they count for nothing, and
                    # anyone may post made-up emails, each a row kept for good), so the table holds only the
                    # last ``PAUSE`` of them.
                    own.execute(delete(table).where(table.c.last_failed_at <= fresh))
                    own.execute(insert(table).values(email_key=key, failures=1, last_failed_at=now))
                    own.commit()
                    return 0
                except IntegrityError:
                    own.rollback()
        except OperationalError as exc:  # SQLite's writer busy past its timeout: checked, uncounted, as before
            own.rollback()
            log.warning("A password attempt could not be counted: %s", exc.orig)
    return 0


def give_back_attempt(session: Session, key: str) -> None:
    """The attempt ``take_attempt`` counted was no wrong password (the right one, for a deactivated account or
    a change refused for another reason): one less, committed at once as the count was."""
    assert session.bind is not None
    with Session(session.bind) as own:
        try:
            own.execute(_given_back(key))
            own.commit()
        except OperationalError as exc:
            own.rollback()
            log.warning("A password attempt could not be given back: %s", exc.orig)


def _given_back(key: str) -> Update:
    table = SignInFailure.__table__
    return (update(table).where(table.c.email_key == key, table.c.failures > 0)
            .values(failures=table.c.failures - 1))


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
