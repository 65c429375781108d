"""Accounts, passwords (argon2id) and the password check of a sign-in (tracker.sessions keeps sign-ins).

The first administrator is created from the command line (``tracker users add EMAIL --role admin``), which
runs without a signed-in actor; every later change names the admin making it.
"""

import datetime as dt
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.enums import Role
from tracker.permissions import Action, require

MIN_PASSWORD_LENGTH = 10
EMAIL_MAX = 254  # User.email holds 255
_hasher = PasswordHasher()


class UserError(ValueError):
    """Bad input for an account: unknown role, duplicate email, short password..."""


class AuthError(ValueError):
    """Sign-in refused. The message never says whether the email or the password was wrong."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        if not password_hash:
            # An account made without a password: the same work as a real check, so timing cannot tell it apart.
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise UserError(f"Not an email address: {email!r}")
    if len(email) > EMAIL_MAX:  # RFC 5321's limit; PostgreSQL refuses one longer than the column (SQLite stores it)
        raise UserError(f"An email address is at most {EMAIL_MAX} characters; this one has {len(email)}.")
    return email


def _role(role: str) -> str:
    if role not in Role.__members__:
        raise UserError(f"Unknown role {role!r}; one of: {', '.join(Role.__members__)}")
    return role


def _admins(session: Session) -> int:
    return session.execute(select(func.count()).select_from(User)
                           .where(User.role == Role.admin.value, User.active)).scalar_one()


def _authorize_admin(session: Session, actor: User | None) -> None:
    """User management needs an admin. ``actor=None`` is the command line: whoever runs it already holds the
    database, so it acts as the system (that is how the first admin is created)."""
    if actor is not None:
        require(actor, Action.manage_users)


def get_user(session: Session, email: str) -> User:
    user = session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()
    if user is None:
        raise UserError(f"No user {email!r}.")
    return user


def check_new_user(session: Session, *, email: str, role: str) -> tuple[str, str]:
    """The normalized email and role of an account ``add_user`` would make, or the UserError it would raise
    before the password: `tracker users add` asks for the password only then."""
    email, role = normalize_email(email), _role(role)
    if role != Role.admin.value and _admins(session) == 0:
        raise UserError("There is no admin yet: the first account must be one (--role admin).")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise UserError(f"A user {email} already exists.")
    return email, role


def add_user(session: Session, *, email: str, role: str, password: str | None = None, name: str | None = None,
             actor: User | None = None) -> User:
    _authorize_admin(session, actor)
    email, role = check_new_user(session, email=email, role=role)
    # None: an account for code that signs no one in (tests). An empty password, from a form or a blank line, is
    # refused as short: it made an account nobody could sign in to.
    user = User(email=email, role=role, name=name,
                password_hash=hash_password(password) if password is not None else None)
    try:
        # Another admin adding the same email at the same moment passes the check above too; the unique index
        # then refuses this insert, and the savepoint keeps the caller's transaction usable.
        with session.begin_nested():
            session.add(user)
    except IntegrityError:
        raise UserError(f"A user {email} already exists.") from None
    return user


def list_users(session: Session, *, actor: User) -> list[User]:
    require(actor, Action.manage_users)
    return list(session.execute(select(User).order_by(User.email)).scalars())


def set_role(session: Session, *, email: str, role: str, actor: User | None) -> User:
    _authorize_admin(session, actor)
    user, role = get_user(session, email), _role(role)
    if user.role == Role.admin.value and role != Role.admin.value and _admins(session) <= 1 and user.active:
        raise UserError("That is the last active admin; make another admin first.")
    if role != user.role:
        _end_sign_ins(session, user, "role changed")
    user.role = role
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, *, email: str, password: str, actor: User | None) -> User:
    """An administrator's (or the command line's) new password for an account. Nobody else sets one this way, their
    own included: a person changes their own with ``change_own_password``, which asks for the current one (so a
    browser left signed in cannot be used to lock its owner out)."""
    _authorize_admin(session, actor)
    return _store_password(session, get_user(session, email), password)


def _store_password(session: Session, user: User, password: str) -> User:
    user.password_hash = hash_password(password)
    _end_sign_ins(session, user, "password set")
    # Wrong passwords counted before were guesses at one that no longer exists: a person paused after forgetting
    # theirs signs in with the one an admin just set, not 15 minutes later.
    from tracker.sessions import clear_failures, failure_key  # tracker.sessions signs in through this module

    clear_failures(session, failure_key(user.email))
    session.add(user)
    session.flush()
    return user


def change_own_password(session: Session, *, actor: User, current: str, new: str,
                        repeat: str | None = None, now: dt.datetime | None = None) -> User:
    """A person's own new password, given the one they have: accounts start with a password an administrator
    typed, and this is how it becomes one only its owner knows. The current password is asked so that a browser
    left signed in cannot be used to lock its owner out; ``repeat`` (the form's second field) must match. Like
    an admin's set_password, it ends every sign-in of the account, this one too.

    A wrong current password counts as a wrong sign-in of the account (tracker.sessions: the same count, so
    guesses split between the two forms add up): after ``MAX_FAILURES`` in a row, changes and sign-ins wait
    ``PAUSE``, the current password unchecked. Otherwise someone at a browser left signed in could guess it
    without end."""
    from tracker.sessions import failure_key, give_back_attempt, take_attempt  # sessions signs in through here

    require(actor, Action.read)  # any active account
    user = get_user(session, actor.email)
    now, key = now or utcnow(), failure_key(user.email)
    # Counted before the check, as a sign-in is (tracker.sessions.take_attempt): guesses sent at once included.
    minutes = take_attempt(session, key, now)
    if minutes:
        raise UserError(f"Too many wrong passwords for this account: password changes and sign-ins are paused for "
                        f"{minutes} more minute{'s' if minutes != 1 else ''}; nothing changed.")
    if not verify_password(user.password_hash, current):
        raise UserError("The current password is wrong; nothing changed.")
    give_back_attempt(session, key)  # the right one: no guess (set_password below clears the count as well)
    if repeat is not None and repeat != new:
        raise UserError("The two new passwords do not match; nothing changed.")
    return _store_password(session, user, new)


def deactivate(session: Session, *, email: str, actor: User | None) -> User:
    _authorize_admin(session, actor)
    user = get_user(session, email)
    if user.role == Role.admin.value and user.active and _admins(session) <= 1:
        raise UserError("That is the last active admin; make another admin first.")
    user.active = False
    _end_sign_ins(session, user, "deactivated")
    session.add(user)
    session.flush()
    return user


def reactivate(session: Session, *, email: str, actor: User | None) -> User:
    _authorize_admin(session, actor)
    user = get_user(session, email)
    user.active = True
    session.add(user)
    session.flush()
    return user


# -- sign-in --------------------------------------------------------------------------------------------------

def authenticate(session: Session, *, email: str, password: str) -> User:
    """The active user with this email and password, or AuthError. A sign-in that lasts is then started by
    tracker.sessions.start_session."""
    try:
        user = get_user(session, email)
    except UserError:
        user = None
    if user is None:
        verify_password(_dummy_hash(), password)  # same work either way: timing does not reveal who has an account
        raise AuthError("Wrong email or password.")
    if not verify_password(user.password_hash, password):
        raise AuthError("Wrong email or password.")
    if not user.active:
        raise AuthError("This account is deactivated; ask an administrator.")
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    session.add(user)
    session.flush()
    return user


def _end_sign_ins(session: Session, user: User, reason: str) -> None:
    """Every live dashboard sign-in of ``user`` ends now (a leaked password, a role taken away, a person who
    left: none of it may wait for the sign-in's own expiry)."""
    from tracker.sessions import revoke_user_sessions  # tracker.sessions signs in through this module

    assert user.id is not None
    revoke_user_sessions(session, user_id=user.id, reason=reason, actor=None)
