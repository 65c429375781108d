"""The sign-in route of dashboard/server.py, called as the ASGI server calls it: the cookie it sets, and what it
refuses (another site's form, a way back that leaves the dashboard)."""

import asyncio
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from dash_fixtures import PASSWORD, Seeded
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.applications import Starlette
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from dashboard import signin_route
from dashboard.components import auth
from tracker import sessions, users
from tracker.models import UserSession

HOST = "tracker.chamber.example"


def post(fields: dict[str, str], *, origin: str | None = f"http://{HOST}", scheme: str = "http",
         base: str = "", extra: dict[str, str] | None = None, body: bytes | None = None,
         client: str = "127.0.0.1", proxy_trusts: str | None = None) -> tuple[int, dict[str, list[str]]]:
    """POST the form to the route as a browser on HOST would; returns the status and the response headers.
    ``client`` is the address the connection comes from; ``proxy_trusts``: served as Streamlit serves it, behind
    uvicorn's proxy-headers middleware trusting those addresses (uvicorn's default: "127.0.0.1,::1")."""
    app = Starlette(routes=signin_route.routes(base))
    if proxy_trusts is not None:
        app = ProxyHeadersMiddleware(app, trusted_hosts=proxy_trusts)
    headers = {"host": HOST, "content-type": "application/x-www-form-urlencoded", **(extra or {})}
    if origin is not None:
        headers["origin"] = origin
    payload = urlencode(fields).encode() if body is None else body
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": scheme,
             "path": f"/{base}/auth/signin" if base else "/auth/signin", "raw_path": b"", "query_string": b"",
             "root_path": "", "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
             "client": (client, 5000), "server": (HOST, 80)}
    messages = [{"type": "http.request", "body": payload, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    answer: dict[str, list[str]] = {}
    for key, value in start["headers"]:
        answer.setdefault(key.decode().lower(), []).append(value.decode())
    return start["status"], answer


def _sign_ins(session: Session) -> int:
    session.expire_all()
    return session.execute(select(func.count()).select_from(UserSession)).scalar_one()


def test_a_right_password_answers_with_an_httponly_strict_cookie_and_the_page_asked_for(
        session: Session, seeded: Seeded) -> None:
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": "bill?id=5"})
    assert status == 303 and headers["location"] == ["/bill?id=5"]
    assert headers["cache-control"] == ["no-store"]
    [raw] = headers["set-cookie"]
    cookie = SimpleCookie(raw)[auth.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"].lower() == "strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http (a laptop, a test): a Secure cookie would never come back
    assert int(cookie["max-age"]) == 12 * 3600  # the absolute limit ([dashboard] session_max_hours)
    assert sessions.resume_session(session, token=cookie.value).id == seeded.users["staff"].id


def test_over_https_the_cookie_is_secure_and_host_only(session: Session, seeded: Seeded) -> None:
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": ""},
                           origin=f"https://{HOST}", scheme="https")
    assert status == 303 and headers["location"] == ["/"]
    cookie = SimpleCookie(headers["set-cookie"][0])[auth.SECURE_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"].lower() == "strict"
    assert sessions.resume_session(session, token=cookie.value).id == seeded.users["staff"].id


def test_a_refused_sign_in_sets_no_cookie_and_says_why_on_the_page(session: Session, seeded: Seeded) -> None:
    status, headers = post({"email": "staff@example.org", "password": "not the password", "next": "bill?id=5"})
    assert (status, headers["location"], "set-cookie" in headers) == (303, ["/bill?id=5&signin=failed"], False)
    status, headers = post({"email": "nobody@example.org", "password": PASSWORD, "next": ""})
    assert headers["location"] == ["/?signin=failed"]  # the same answer as a wrong password
    users.deactivate(session, email="council@example.org", actor=seeded.users["admin"])
    session.commit()
    status, headers = post({"email": "council@example.org", "password": PASSWORD, "next": "triage"})
    assert headers["location"] == ["/triage?signin=deactivated"] and "set-cookie" not in headers
    assert _sign_ins(session) == 0


def test_a_form_posted_without_a_usable_email_is_a_wrong_sign_in_not_a_server_error(
        session: Session, seeded: Seeded) -> None:
    # The route is reached without the page's type="email" check (curl, a script): an email that is no address
    # raised UserError out of the route, an HTTP 500 with its traceback in the server log, uncounted.
    for fields in ({"email": "not-an-email", "password": "x"}, {"password": "x"},
                   {"email": "a" * 300 + "@example.org", "password": "x"}):
        status, headers = post({**fields, "next": ""})
        assert (status, headers["location"], "set-cookie" in headers) == (303, ["/?signin=failed"], False)
    assert _sign_ins(session) == 0


def test_a_guessed_password_is_paused_and_the_page_says_so(session: Session, seeded: Seeded) -> None:
    wrong = {"email": "staff@example.org", "password": "not the password", "next": ""}
    for _ in range(sessions.MAX_FAILURES):
        assert post(wrong)[1]["location"] == ["/?signin=failed"]
    status, headers = post({**wrong, "password": PASSWORD})  # the right one waits too
    assert headers["location"] == ["/?signin=paused"] and "set-cookie" not in headers
    assert auth._MESSAGES["paused"].startswith("Too many wrong passwords")
    assert _sign_ins(session) == 0


@pytest.mark.parametrize("attack", [
    {"origin": None},                                        # no Origin: not a browser form of ours
    {"origin": "https://evil.example"},                      # another site's form (login CSRF)
    {"origin": "null"},                                      # a sandboxed frame or a data: URL
    {"extra": {"sec-fetch-site": "cross-site"}},             # the browser itself says it is cross-site
])
def test_a_sign_in_posted_from_another_site_is_refused(session: Session, seeded: Seeded,
                                                       attack: dict) -> None:
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": ""}, **attack)
    assert status == 403 and "set-cookie" not in headers
    assert _sign_ins(session) == 0


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil",
                                  "bill?id=5#x", "bill\r\nSet-Cookie: a=b", "javascript:alert(1)"])
def test_the_way_back_never_leaves_the_dashboard(seeded: Seeded, back: str) -> None:
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": back})
    assert status == 303 and headers["location"] == ["/"]


def test_under_a_base_url_path_the_route_and_the_way_back_keep_it(session: Session, seeded: Seeded) -> None:
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": "bill?id=5"},
                           base="tracker")
    assert status == 303 and headers["location"] == ["/tracker/bill?id=5"]


def test_an_oversized_form_is_refused(session: Session, seeded: Seeded) -> None:
    status, headers = post({}, body=b"email=" + b"a" * 20_000)
    assert status == 413 and "set-cookie" not in headers and _sign_ins(session) == 0


def test_behind_a_tls_proxy_with_secure_cookie_auto_the_cookie_is_secure_and_host_only(
        session: Session, seeded: Seeded) -> None:
    """A TLS proxy (nginx, a load balancer) forwards plain http, often without X-Forwarded-Proto: the route saw
    "http" and set a plain cookie on an https site. The browser's Origin says where the form was: https."""
    status, headers = post({"email": "staff@example.org", "password": PASSWORD, "next": ""},
                           origin=f"https://{HOST}", scheme="http")
    assert status == 303
    cookie = SimpleCookie(headers["set-cookie"][0])
    assert list(cookie) == [auth.SECURE_COOKIE_NAME] and cookie[auth.SECURE_COOKIE_NAME]["secure"]


def test_which_cookie_a_page_accepts_follows_the_scheme_the_browser_is_on() -> None:
    """Over https only the __Host- cookie opens a page: a plain-named one can be set by a sibling subdomain or by
    anyone on the network path of an http request, signing the browser in to an account of theirs (whose notes
    and positions the victim then writes). Over http (a laptop) the plain one is all there is."""
    planted = {auth.COOKIE_NAME: "planted"}
    assert auth.cookie_token(planted, https=True) is None
    assert auth.cookie_token(planted, https=False) == "planted"
    both = {auth.COOKIE_NAME: "planted", auth.SECURE_COOKIE_NAME: "mine"}
    assert auth.cookie_token(both, https=True) == auth.cookie_token(both, https=False) == "mine"
    # The route and the page decide alike, from what the browser says (Origin, else the page's URL), so a
    # sign-in can never set the one cookie the page then refuses (a sign-in loop).
    for setting, origin, url, secure in ((None, "https://t.example", None, True),
                                         (None, "http://127.0.0.1:8501", None, False),
                                         (None, None, "https://t.example/bill", True),
                                         (None, None, None, False),
                                         (True, "http://127.0.0.1:8501", None, True),
                                         (False, "https://t.example", None, False)):
        assert auth.secure_cookie(setting, origin=origin, url=url) is secure, (setting, origin, url)


def test_the_server_module_starts_without_a_streamlit_warning() -> None:
    """`make run` and `tracker serve` printed "No runtime found, using MemoryCacheStorageManager" under the
    dashboard's address at every start: dashboard/server.py imports the sign-in route before Streamlit's runtime
    is up, and the route's imports decorated a cached function then. A new admin read it as something wrong."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", "import dashboard.signin_route"], cwd=root, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "No runtime found" not in done.stderr + done.stdout
