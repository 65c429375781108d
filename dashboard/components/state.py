"""Filters that outlive a trip to another page.

Streamlit drops a widget's state when its page is not shown, so opening a bill from a list and coming back reset
the list's words, filters, sort and page number. A page keeps a copy under a key of its own, which Streamlit
leaves alone, and puts it back before its widgets are drawn again.
"""

from collections.abc import Iterable

import streamlit as st


def restore(name: str) -> None:
    """Put back the widget values ``remember(name, ...)`` kept, for widgets not on the page since."""
    for key, value in st.session_state.get(f"kept_{name}", {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


def remember(name: str, keys: Iterable[str]) -> None:
    """Keep the current values of these widgets for ``restore(name)``."""
    st.session_state[f"kept_{name}"] = {k: st.session_state[k] for k in keys if k in st.session_state}


FORGOTTEN = "_forgotten"  # session_state: the widgets forget() empties before the next run draws them


def forget(*keys: str) -> None:
    """Empty these text boxes and multiselects on the next run: what a form does once its entry is saved. Forms do
    not clear on submit (``clear_on_submit``) because that also threw away an entry the service refused, with the
    message saying what to mend in it.

    Dropping a widget's key empties it on the server only: the browser kept showing what was typed and sent it back
    with the next click (the Users page's added email and password stayed in the form, "Add user" again said the
    user exists). A value set before the widget is drawn is one the browser shows, so the keys are also set empty
    at the start of the next run (``clear_forgotten``, in app.py): this run drew them already and may not set them.
    Only widgets whose default is empty: a selectbox or checkbox keeps the person's choice."""
    pending = st.session_state.setdefault(FORGOTTEN, {})
    for key in keys:
        value = st.session_state.pop(key, None)
        pending[key] = [] if isinstance(value, list) else ""


def clear_forgotten() -> None:
    """Set empty, before any widget is drawn, the widgets ``forget`` emptied in the run before."""
    for key, empty in st.session_state.pop(FORGOTTEN, {}).items():
        st.session_state[key] = empty


NOTICE = "_notice"  # session_state: what the run before did, to say on this one


def notice(message: str) -> None:
    """Say ``message`` (a toast) on the next run: a page that saves, then reruns to show the result, lost a toast
    or message written before ``st.rerun()`` (the inbox's "Mark reviewed: 1 bill" never showed in the browser)."""
    st.session_state[NOTICE] = message


def show_notice() -> None:
    """The toast ``notice`` left for this run (app.py calls it before the page)."""
    if message := st.session_state.pop(NOTICE, None):
        st.toast(message)
