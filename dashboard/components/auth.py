"""Sign-in state of one browser tab. The SignIn (user id + expiry) lives in st.session_state; every run
resolves it again from the database, so a deactivated account or an expired sign-in stops at once."""

import streamlit as st

from dashboard.components.data import session
from tracker import users
from tracker.models import User

SIGN_IN_KEY = "sign_in"


def current_user() -> User | None:
    sign_in = st.session_state.get(SIGN_IN_KEY)
    if sign_in is None:
        return None
    with session() as s:
        user = users.resume(s, sign_in)
    if user is None:
        del st.session_state[SIGN_IN_KEY]
        st.session_state["sign_in_message"] = "Your session expired or the account changed; please sign in again."
    return user


def sign_in(email: str, password: str) -> User:
    with session() as s:
        result = users.authenticate(s, email=email, password=password)
        user = users.resume(s, result)
    st.session_state[SIGN_IN_KEY] = result
    return user  # type: ignore[return-value]


def sign_out() -> None:
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def page_user() -> User:
    """The signed-in user for a page (app.py routes only signed-in users to pages; this guards direct runs)."""
    user = current_user()
    if user is None:
        st.warning("Please sign in.")
        st.stop()
    return user  # type: ignore[return-value]


def sign_in_form() -> None:
    """The sign-in form; on success the same URL reruns signed in, so a deep link (/bill?id=5) survives."""
    from tracker.users import AuthError

    st.title("Policy Tracker")
    message = st.session_state.pop("sign_in_message", None)
    if message:
        st.info(message)
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
