"""Who is signed in, for every run of the dashboard.

A sign-in is a row of tracker.sessions, found by a token. Served as ``tracker serve`` does (dashboard/server.py),
the token is an HttpOnly, SameSite=Strict cookie that only the server's sign-in route sets: it comes with the
websocket of every page load (st.context.cookies), so a reload or a new tab stays signed in, and page scripts
never see it. Run without that route (``streamlit run dashboard/app.py``, AppTest), the form below signs in one
tab, keeping the token in this tab's server-side session state. Either way every run looks the token up again, so
a sign-in ends at once when it is revoked or expires.
"""

import html
from collections.abc import Mapping
from contextlib import AbstractContextManager
from urllib.parse import urlencode, urlsplit

import streamlit as st
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from dashboard.components.render import md
from tracker import sessions, users
from tracker.models import User

COOKIE_NAME = "tracker_session"
SECURE_COOKIE_NAME = "__Host-tracker_session"  # over https: no subdomain can set or shadow it
TOKEN_KEY = "session_token"  # session_state: a sign-in made in this tab by the form (no cookie route)
SIGN_IN_PATH = "auth/signin"  # below the dashboard's base URL (dashboard/signin_route.py)
FAILED_PARAM = "signin"  # the route's answer on a refused sign-in: ?signin=failed|deactivated|paused|paused_client
_MESSAGES = {"failed": "Wrong email or password.", "deactivated": "This account is deactivated; ask an administrator.",
             "paused": "Too many wrong passwords for this email: sign-in is paused for a few minutes.",
             "paused_client": "Too many wrong passwords from your network address: sign-in is paused for a few "
                               "minutes."}

_cookie_route = False


def session() -> "AbstractContextManager[Session]":
    """dashboard.components.data's session, imported when first used: dashboard/server.py imports this module
    before Streamlit's runtime is up, and data's cached functions, decorated then, made Streamlit log "No runtime
    found, using MemoryCacheStorageManager" at every start of the dashboard."""
    from dashboard.components.data import session as data_session

    return data_session()


def use_cookie_route() -> None:
    """Called by dashboard/server.py, which serves the sign-in route in this process: sign-ins become cookies."""
    global _cookie_route
    _cookie_route = True


def cookie_route() -> bool:
    return _cookie_route


def secure_cookie(setting: bool | None, *, origin: str | None, url: str | None) -> bool:
    """Whether this browser's sign-in cookie is the Secure ``__Host-`` one: ``[dashboard] secure_cookie`` when it
    is true or false; on "auto" (None), whether the browser is on https. That is what the browser says, not what
    the request looks like here: behind a TLS proxy the request arrives as plain http (often without
    X-Forwarded-Proto), while the browser is on https and keeps only a Secure cookie. The browser sends Origin
    with the sign-in form's post and with every page's websocket (page scripts cannot change it); without one,
    the page's URL as the browser reported it. The sign-in route and every page decide by this one rule, so the
    route never sets a cookie that the pages then refuse (a sign-in loop)."""
    if setting is not None:
        return setting
    seen = origin if isinstance(origin, str) and origin not in ("", "null") else url
    return isinstance(seen, str) and urlsplit(seen).scheme.lower() == "https"


def cookie_token(cookies: Mapping[str, object], *, https: bool) -> str | None:
    """The sign-in token among the browser's cookies. Over https only the ``__Host-`` cookie counts: a cookie of
    the plain name can be planted by a sibling subdomain, or on the network path of any http request to the
    host, and would sign the browser in to the planter's account (whose notes and positions the person then
    writes, believing them their own). Over http the plain one is all a browser keeps."""
    token = cookies.get(SECURE_COOKIE_NAME) or (None if https else cookies.get(COOKIE_NAME))
    return token if isinstance(token, str) else None  # AppTest's client answers with a mock, not a cookie


def _browser_request() -> tuple[Mapping[str, object], str | None, str | None]:
    """This browser's cookies, the Origin of its websocket and the page URL it reported."""
    origin = st.context.headers.get("Origin")
    url = st.context.url
    return (st.context.cookies, origin if isinstance(origin, str) else None,
            url if isinstance(url, str) else None)


def browser_token() -> str | None:
    if token := st.session_state.get(TOKEN_KEY):
        return str(token)
    cookies, origin, url = _browser_request()
    https = secure_cookie(sessions.session_settings().secure_cookie, origin=origin, url=url)
    return cookie_token(cookies, https=https)


def current_user() -> User | None:
    token = browser_token()
    if token is None:
        return None
    try:
        with session() as s:
            user = sessions.resume_session(s, token=token)
    except OperationalError as exc:
        # SQLite has one writer: when an import's batch kept it past the busy timeout, marking the sign-in used
        # (once a minute) failed. Check it without writing rather than fail the page; the next run marks it.
        if "database is locked" not in str(exc.orig):
            raise
        with session() as s:
            user = sessions.resume_session(s, token=token, touch=False)
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.setdefault("sign_in_message",
                                    "Your sign-in has ended (signed out, expired, or the account changed); "
                                    "please sign in again.")
    return user


def sign_in(email: str, password: str) -> User:
    """The form's sign-in, for this tab only (without the cookie route); raises users.AuthError."""
    with session() as s:
        user, token = sessions.sign_in(s, email=email, password=password)
    st.session_state[TOKEN_KEY] = token
    return user


def change_password_form(user: User) -> None:
    """The signed-in person's own password (tracker.users.change_own_password): accounts start with the one an
    admin typed. A change ends every sign-in of the account, so the form then leaves for the sign-in page."""
    with st.expander("Change my password"), st.form("change_password", border=False):
        current = st.text_input("Current password", type="password", key="pw_current",
                                autocomplete="current-password")
        new = st.text_input(f"New password (at least {users.MIN_PASSWORD_LENGTH} characters)", type="password",
                            key="pw_new", autocomplete="new-password")
        repeat = st.text_input("New password again", type="password", key="pw_repeat", autocomplete="new-password")
        if not st.form_submit_button("Change password", key="pw_change"):
            return
    try:
        with session() as s:
            users.change_own_password(s, actor=user, current=current, new=new, repeat=repeat)
    except users.UserError as exc:
        st.error(md(str(exc)))
        return
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["sign_in_message"] = "Password changed: sign in with the new one."
    st.rerun()


def sign_out(*, everywhere: bool = False) -> None:
    """End this browser's sign-in (the cookie left behind names a revoked sign-in: it opens nothing), or every
    sign-in of this account, on every browser."""
    token = browser_token()
    with session() as s:
        user = sessions.resume_session(s, token=token)
        if everywhere and user is not None:
            assert user.id is not None
            sessions.revoke_user_sessions(s, user_id=user.id, reason="signed out everywhere", actor=user)
        else:
            sessions.end_session(s, token=token)
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state["sign_in_message"] = ("Signed out on every browser." if everywhere else "Signed out.")


def page_user() -> User:
    """The signed-in user for a page (app.py routes only signed-in users to pages; this guards direct runs)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user  # type: ignore[return-value]


def _return_to() -> str:
    """Where the sign-in route sends the browser back to: this page and its query (a deep link such as
    bill?id=5 survives signing in), relative to the dashboard's base URL."""
    page = st.session_state.get("_signin_page", "")
    query = {k: v for k, v in st.query_params.to_dict().items() if k != FAILED_PARAM}
    return page + (f"?{urlencode(query)}" if query else "")


def _base_path() -> str:
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def sign_in_form() -> None:
    """The sign-in form; on success the same URL opens signed in, so a deep link (/bill?id=5) survives."""
    from tracker.users import AuthError

    st.title("Policy Tracker")
    message = st.session_state.pop("sign_in_message", None)
    refused = _MESSAGES.get(st.query_params.pop(FAILED_PARAM, "") if FAILED_PARAM in st.query_params else "")
    if refused:
        st.error(refused)
    elif message:
        st.info(message)
    if cookie_route():
        # A plain HTML form posted to the server's route, which checks the password and answers with the cookie:
        # the password and the token never pass through the websocket or any script.
        st.html(
            f'<form method="post" action="{html.escape(_base_path() + SIGN_IN_PATH)}" style="max-width:28rem">'
            '<p><label>Email<br><input name="email" type="email" autocomplete="username" required '
            'style="width:100%;padding:.4rem"></label></p>'
            '<p><label>Password<br><input name="password" type="password" autocomplete="current-password" '
            'required style="width:100%;padding:.4rem"></label></p>'
            f'<input type="hidden" name="next" value="{html.escape(_return_to(), quote=True)}">'
            '<button type="submit" style="padding:.4rem 1.2rem">Sign in</button></form>')
    else:
        with st.form("sign_in_form"):
            email = st.text_input("Email", key="signin_email")
            password = st.text_input("Password", type="password", key="signin_password")
            submitted = st.form_submit_button("Sign in")
        if submitted:
            try:
                sign_in(email, password)
            except AuthError as exc:
                st.error(str(exc))
            else:
                st.rerun()
    st.caption("No account yet? An administrator creates it with `tracker users add EMAIL --role staff`.")
