"""Password spraying: one password tried on many emails from one client. The pause after five wrong passwords is
per email, so a client trying one password on each of many accounts was slowed only by argon2id; the sign-in route
now also counts wrong passwords per client address, across emails (tracker.sessions.MAX_CLIENT_FAILURES)."""

import pytest
from dash_fixtures import PASSWORD, Seeded
from sqlalchemy import func, select
from sqlmodel import Session
from test_signin_route import post

from dashboard.components import auth
from tracker import sessions
from tracker.models import SignInFailure, UserSession

SPRAYER = "203.0.113.7"


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each try runs argon2id (some 0.1 s, more on a busy machine): a limit of 30 would take a test past 10 s."""
    monkeypatch.setattr(sessions, "MAX_CLIENT_FAILURES", 4)


def _spray(n: int, client: str, **kw: object) -> list[str]:
    """One password on ``n`` different emails from ``client``: the page each answer sends back to."""
    return [post({"email": f"person{k}@example.org", "password": "Summer2026!", "next": ""}, client=client,
                 **kw)[1]["location"][0] for k in range(n)]


def test_one_password_across_many_emails_from_one_client_is_paused(session: Session, seeded: Seeded) -> None:
    limit = sessions.MAX_CLIENT_FAILURES
    answers = _spray(limit + 5, SPRAYER)
    assert answers.count("/?signin=failed") == limit  # checked, each a different email: no email was paused
    assert answers[limit:] == ["/?signin=paused_client"] * 5  # refused unchecked
    assert auth._MESSAGES["paused_client"].startswith("Too many wrong passwords from your network")
    # The right password from that client waits too; nothing was counted against the email for it.
    right = {"email": "staff@example.org", "password": PASSWORD, "next": ""}
    assert post(right, client=SPRAYER)[1]["location"] == ["/?signin=paused_client"]
    # Another client is not paused, and the emails the sprayer tried are not either.
    status, headers = post(right, client="198.51.100.20")
    assert headers["location"] == ["/"] and "set-cookie" in headers
    assert post({"email": "person0@example.org", "password": "x", "next": ""},
                client="198.51.100.20")[1]["location"] == ["/?signin=failed"]
    session.expire_all()
    assert session.execute(select(func.count()).select_from(UserSession)).scalar_one() == 1
    # The table holds no address: keys are hashes, kept apart from the emails' (plain hex) by their prefix.
    keys = session.execute(select(SignInFailure.email_key)).scalars().all()
    assert all(SPRAYER not in key and len(key) <= 64 for key in keys)
    assert sum(key.startswith("ip:") for key in keys) == 2  # the sprayer and the other client


def test_a_right_password_does_not_clear_the_clients_count(session: Session, seeded: Seeded) -> None:
    """A sprayer holding one real account must not reset the count by signing in to it between guesses: a right
    password gives back only its own attempt."""
    limit = sessions.MAX_CLIENT_FAILURES
    answers = _spray(limit - 1, SPRAYER)
    right = {"email": "staff@example.org", "password": PASSWORD, "next": ""}
    assert post(right, client=SPRAYER)[1]["location"] == ["/"]
    answers += _spray(2, SPRAYER)
    assert answers[-2:] == ["/?signin=failed", "/?signin=paused_client"]


def test_behind_a_proxy_on_the_same_host_each_browser_is_counted_apart(session: Session, seeded: Seeded) -> None:
    """Streamlit serves the route through uvicorn, whose proxy-headers middleware takes the client from
    X-Forwarded-For only when the connection comes from a trusted proxy (FORWARDED_ALLOW_IPS; by default
    127.0.0.1 and ::1). A sprayer talking to the dashboard directly cannot pick its address with the header."""
    limit = sessions.MAX_CLIENT_FAILURES
    via_proxy = {"proxy_trusts": "127.0.0.1,::1", "extra": {"x-forwarded-for": SPRAYER}}
    assert _spray(limit + 1, "127.0.0.1", **via_proxy)[-1] == "/?signin=paused_client"
    # Another browser behind the same proxy signs in.
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": ""}, client="127.0.0.1",
                           proxy_trusts="127.0.0.1,::1", extra={"x-forwarded-for": "198.51.100.20"})
    assert headers["location"] == ["/"]
    # Straight from the sprayer, a made-up header changes nothing: still paused.
    faked = post({"email": "staff@example.org", "password": PASSWORD, "next": ""}, client=SPRAYER,
                 proxy_trusts="127.0.0.1,::1", extra={"x-forwarded-for": "192.0.2.99"})
    assert faked[1]["location"] == ["/?signin=paused_client"]


def test_ipv6_clients_are_counted_by_their_64_bit_network() -> None:
    """One IPv6 host usually holds a whole /64: counting each address apart would give a sprayer 2^64 counts."""
    assert sessions.client_failure_key("2001:db8:1:2::1") == sessions.client_failure_key("2001:db8:1:2:ffff::9")
    assert sessions.client_failure_key("2001:db8:1:3::1") != sessions.client_failure_key("2001:db8:1:2::1")
    assert sessions.client_failure_key("203.0.113.7") != sessions.client_failure_key("203.0.113.8")
