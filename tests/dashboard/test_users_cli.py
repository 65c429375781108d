"""`tracker users`: the first admin, then accounts and roles, from the command line."""

import pytest
from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import users
from tracker.cli import app
from tracker.models import User

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin, catch_exceptions=False)


def test_first_admin_then_staff_then_role_changes(database_url: str, session: Session) -> None:
    refused = invoke("users", "add", "sam@chamber.example", "--password-stdin", stdin="a long password\n")
    assert refused.exit_code == 2 and "first account must be one" in refused.output
    ok = invoke("users", "add", "Ada@Chamber.example", "--role", "admin", "--password-stdin",
                stdin="a long password\n")
    assert ok.exit_code == 0, ok.output
    assert invoke("users", "add", "sam@chamber.example", "--name", "Sam Lee", "--password-stdin",
                  stdin="another long one\n").exit_code == 0
    assert invoke("users", "add", "x@chamber.example", "--role", "boss", "--password-stdin",
                  stdin="another long one\n").exit_code == 2
    assert invoke("users", "set-role", "sam@chamber.example", "council").exit_code == 0
    assert invoke("users", "deactivate", "sam@chamber.example").exit_code == 0
    assert invoke("users", "deactivate", "ada@chamber.example").exit_code == 2  # the last admin
    listing = invoke("users", "list").output
    assert "ada@chamber.example" in listing and "council" in listing
    rows = {u.email: u for u in session.execute(select(User)).scalars()}
    assert rows["ada@chamber.example"].role == "admin" and rows["ada@chamber.example"].active
    assert (rows["sam@chamber.example"].role, rows["sam@chamber.example"].active) == ("council", False)
    assert users.authenticate(session, email="ada@chamber.example", password="a long password")
    with pytest.raises(users.AuthError, match="deactivated"):
        users.authenticate(session, email="sam@chamber.example", password="another long one")
    session.commit()  # the sign-in wrote ada's last sign-in time: the command waits for no lock of ours
    assert invoke("users", "reactivate", "sam@chamber.example").exit_code == 0
    session.expire_all()
    assert users.authenticate(session, email="sam@chamber.example", password="another long one")
    assert invoke("users", "reactivate", "nobody@chamber.example").exit_code == 2


def test_prompted_password_is_confirmed(database_url: str, session: Session) -> None:
    result = invoke("users", "add", "ada@chamber.example", "--role", "admin",
                    stdin="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert users.authenticate(session, email="ada@chamber.example", password="a long password")


def test_listing_shows_names_and_subscriptions_as_written(database_url: str, session: Session) -> None:
    """A watchlist anyone may create is named in `tracker alerts list`: "[/]" in it crashed the table (Rich
    markup), and "[draft]" vanished from names."""
    from tracker import watchlists
    from tracker.alerts import subscriptions

    admin = users.add_user(session, email="ada@chamber.example", role="admin", password="a long password")
    lee = users.add_user(session, email="lee@chamber.example", role="lobbyist", name="Lee [draft]", actor=admin)
    wl = watchlists.create_watchlist(session, actor=lee, name="[/] Q3", shared=True)
    subscriptions.subscribe(session, user=lee, kind="watchlist", target=str(wl.id), actor=lee)
    session.commit()
    listing = invoke("users", "list")
    assert listing.exit_code == 0 and "Lee [draft]" in listing.output
    alerts = invoke("alerts", "list")
    # The "follows" cells of the subscriptions table (6 columns), read across the lines a narrow terminal wraps
    follows = " ".join(line.split("│")[3].strip() for line in alerts.output.splitlines() if line.count("│") == 7)
    assert alerts.exit_code == 0 and "[/] Q3" in follows, alerts.output


def test_sign_out_ends_every_sign_in_of_one_account(database_url: str, session: Session) -> None:
    from tracker import sessions

    ada = users.add_user(session, email="ada@chamber.example", role="admin", password="a long password")
    sam = users.add_user(session, email="sam@chamber.example", role="staff", password="another long one")
    laptop, phone = (sessions.start_session(session, user=sam) for _ in range(2))
    colleague = sessions.start_session(session, user=ada)
    session.commit()
    result = invoke("users", "sign-out", "SAM@chamber.example")
    assert result.exit_code == 0 and "sam@chamber.example: 2 sign-ins ended." in result.output, result.output
    session.expire_all()
    assert [sessions.resume_session(session, token=t) for t in (laptop, phone)] == [None, None]
    assert sessions.resume_session(session, token=colleague).id == ada.id
    assert invoke("users", "sign-out", "nobody@chamber.example").exit_code == 2


def test_users_and_alerts_lists_print_emails_whole_at_80_columns(database_url: str, session: Session) -> None:
    # `tracker alerts list` showed "cora@metrocham…": the email every users and alerts command takes was cut.
    email = "communications.director@metrochamber.example"
    assert invoke("users", "add", email, "--role", "admin", "--name", "Ada Lovelace-Byron",
                  "--password-stdin", stdin="a long password\n").exit_code == 0
    assert invoke("alerts", "subscribe", email, "--position", "Support").exit_code == 0
    for listing in (invoke("users", "list").output, invoke("alerts", "list").output):
        assert email in {cell.strip() for line in listing.splitlines() for cell in line.split("│")}, listing


def test_an_empty_password_is_refused_not_an_account_nobody_can_sign_in_to(database_url: str,
                                                                          session: Session) -> None:
    # An empty first line (or an empty "Initial password" on the Users page) made an account without a password.
    assert invoke("users", "add", "ada@chamber.example", "--role", "admin", "--password-stdin",
                  stdin="a long password\n").exit_code == 0
    refused = invoke("users", "add", "sam@chamber.example", "--password-stdin", stdin="\n")
    assert refused.exit_code == 2 and "Passwords need at least 10 characters" in refused.output
    assert session.execute(select(User).where(User.email == "sam@chamber.example")).first() is None


def test_a_refused_account_is_refused_before_the_password_is_asked(database_url: str, session: Session) -> None:
    """A new admin mistyping the role, the email, or adding someone twice typed a password twice, then read
    why the account could not be made (and `make run`'s first-admin question asked the password before saying
    the email was no email address)."""
    users.add_user(session, email="ada@chamber.example", role="admin", password="a long password")
    session.commit()
    for args, why in ((("sam@chamber.example", "--role", "staf"), "Unknown role 'staf'"),
                      (("sam.chamber.example", "--role", "staff"), "Not an email address"),
                      (("Ada@chamber.example", "--role", "staff"), "already exists")):
        result = invoke("users", "add", *args, stdin="")  # nothing typed: a prompt would abort with exit 1
        assert result.exit_code == 2 and why in result.output, result.output
        assert "Password" not in result.output
    assert invoke("users", "add", "sam@chamber.example", stdin="a long password\na long password\n").exit_code == 0
