"""Running the real dashboard with streamlit.testing.v1.AppTest, signed in the way the app signs people in."""

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tracker.models import User
from tracker.users import issue_sign_in

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 30


def signed_in(user: User | None, page: str | None = None, *, query: dict[str, str] | None = None,
              expires_in: dt.timedelta = dt.timedelta(hours=1)) -> AppTest:
    """An AppTest of the app for ``user`` (what the sign-in form stores in session state), run once."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if user is not None:
        at.session_state["sign_in"] = issue_sign_in(user, ttl=expires_in)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


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
