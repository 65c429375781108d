"""Running the real dashboard with streamlit.testing.v1.AppTest, signed in the way the app signs people in."""

import datetime as dt
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from dashboard.components.auth import TOKEN_KEY
from tracker import sessions
from tracker.models import User, UserSession
from tracker.models.base import utcnow

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 30


def signed_in(user: User | None, page: str | None = None, *, query: dict[str, str] | None = None,
              expires_in: dt.timedelta = dt.timedelta(hours=1)) -> AppTest:
    """An AppTest of the app for ``user`` (a sign-in stored as the sign-in form stores it: AppTest cannot send
    the cookie a browser would), run once: on ``page`` (``views/exports.py``) when given, opened at its address as
    a browser following a link to it opens it.

    Running the role's start page first and then switching to ``page`` (AppTest's switch_page needs a run to
    know the pages) drew a whole inbox or overview no test looked at: a second run for each page test, the
    costlier one (on PostgreSQL with the 117th Congress stored, the start page took 1.3 s for a lobbyist and
    2.7 s for staff, the Exports page 0.1 s)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user is not None:
        sign_in_state(at, user, expires_in=expires_in)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        open_address(at, page_address(page))
    at.run()
    if page:
        _check_opened(at, page)
    return at


def page_address(page: str) -> str:
    """The address dashboard/app.py gives a page's file (st.Page url_path): views/admin_users.py, admin-users."""
    return Path(page).stem.replace("_", "-")


def _check_opened(at: AppTest, page: str) -> None:
    """What switch_page checked: ``page`` is one of the pages the signed-in role was given, under that address
    (else the app answered with its refusal or its start page, and the test would read another page)."""
    target = (APP.parent / page).resolve()
    given = {Path(str(info["script_path"])).resolve(): page_hash for page_hash, info in at._registered_pages.items()
             if info.get("script_path")}
    if given.get(target) != calc_hash(page_address(page)):
        raise ValueError(f"{page} is not a page of this role under /{page_address(page)}: pages {sorted(given)}")


def sign_in_state(at: AppTest, user: User, *, expires_in: dt.timedelta = dt.timedelta(hours=1)) -> str:
    """Start a real sign-in (a usersession row) for ``user``, ending ``expires_in`` from now, and hand its token
    to ``at`` as the form does; returns the token. Committed through the session ``user`` belongs to."""
    s = Session.object_session(user)
    assert s is not None, "the user must belong to the test's session"
    token = sessions.start_session(s, user=user)
    s.execute(update(UserSession).where(UserSession.token_hash == sessions.token_hash(token))
              .values(expires_at=utcnow() + expires_in))
    s.commit()
    at.session_state[TOKEN_KEY] = token
    return token


def texts(at: AppTest) -> str:
    """Everything the page shows as text, for assertions."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "error", "warning", "info",
                 "success", "metric"):
        for el in at.get(kind):
            parts.append(str(getattr(el, "value", "") or getattr(el, "label", "")))
            if kind == "metric":
                parts.append(str(el.label))
    for el in at.get("html"):
        parts.append(el.proto.body)
    for el in at.dataframe:
        parts.append(el.value.to_csv(index=False))
    return "\n".join(parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def open_address(at: AppTest, address: str) -> AppTest:
    """Ask for the page at ``address`` (``admin-users``) as a browser following a link to it does, whether or not
    the signed-in role has such a page: AppTest's switch_page only finds the pages a role was given. A page's
    script hash is the hash of its address (st.Page), which is what the browser's request resolves to."""
    at._page_hash = calc_hash(address)
    return at
