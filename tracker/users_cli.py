"""``tracker users``: accounts from the command line (the first admin is created here)."""

import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from tracker import db, users
from tracker.cli_common import fail as _fail
from tracker.cli_common import migrated_engine as _engine
from tracker.models import User
from tracker.models.enums import Role
from tracker.terminal import SafeConsole, whole_column

users_app = typer.Typer(help="Dashboard accounts and roles.", no_args_is_help=True)
out = SafeConsole()
err = SafeConsole(stderr=True)
ROLES = ", ".join(Role.__members__)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users_app.command("add")
def add_cmd(
    email: Annotated[str, typer.Argument(help="Sign-in email.")],
    role: Annotated[str, typer.Option(help=f"One of: {ROLES}.")] = "staff",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line "
                                                                          "of stdin (for scripts).")] = False,
) -> None:
    """Create an account (the first one must be an admin)."""
    engine = _engine()
    try:
        # A mistyped role or email, or an account that exists, is said before the password is typed twice.
        with db.session_scope(engine) as s:
            users.check_new_user(s, email=email, role=role)
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    password = _read_password(password_stdin)
    try:
        with db.session_scope(engine) as s:
            user = users.add_user(s, email=email, role=role, password=password, name=name)
            out.print(f"Added {user.email} ({user.role}).", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@users_app.command("list")
def list_cmd() -> None:
    """Every account with its role and last sign-in."""
    with db.session_scope(_engine()) as s:
        rows = list(s.execute(select(User).order_by(User.email)).scalars())
    table = Table(whole_column("email", [u.email for u in rows]), "name", "role", "active", "last sign-in")
    for u in rows:
        table.add_row(Text(u.email), Text(u.name or ""), u.role, "yes" if u.active else "no",
                      u.last_login_at.isoformat(timespec="minutes") if u.last_login_at else "never")
    out.print(table)


@users_app.command("set-role")
def set_role_cmd(email: Annotated[str, typer.Argument()],
                 role: Annotated[str, typer.Argument(help=f"One of: {ROLES}.")]) -> None:
    """Change an account's role."""
    try:
        with db.session_scope(_engine()) as s:
            user = users.set_role(s, email=email, role=role, actor=None)
            out.print(f"{user.email} is now {user.role}.", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@users_app.command("set-password")
def set_password_cmd(email: Annotated[str, typer.Argument()],
                     password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False) -> None:
    """Set a new password for an account."""
    password = _read_password(password_stdin)
    try:
        with db.session_scope(_engine()) as s:
            users.set_password(s, email=email, password=password, actor=None)
            out.print(f"Password changed for {email}.", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@users_app.command("deactivate")
def deactivate_cmd(email: Annotated[str, typer.Argument()]) -> None:
    """Stop an account from signing in (its notes and positions stay, attributed)."""
    try:
        with db.session_scope(_engine()) as s:
            users.deactivate(s, email=email, actor=None)
            out.print(f"{email} is deactivated.", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@users_app.command("reactivate")
def reactivate_cmd(email: Annotated[str, typer.Argument()]) -> None:
    """Let a deactivated account sign in again, with its role and password as they were."""
    try:
        with db.session_scope(_engine()) as s:
            users.reactivate(s, email=email, actor=None)
            out.print(f"{email} can sign in again.", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@users_app.command("sign-out")
def sign_out_cmd(email: Annotated[str, typer.Argument()]) -> None:
    """End every dashboard sign-in of an account, on every browser (a lost laptop, a shared computer)."""
    from tracker.sessions import revoke_user_sessions

    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            assert user.id is not None
            ended = revoke_user_sessions(s, user_id=user.id, reason="signed out by an admin", actor=None)
            out.print(f"{user.email}: {ended} sign-in{'' if ended == 1 else 's'} ended.", markup=False, highlight=False)
    except users.UserError as exc:
        raise _fail(str(exc)) from None
