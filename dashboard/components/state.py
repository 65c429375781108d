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


def forget(*keys: str) -> None:
    """Empty these widgets on the next run: what a form does once its entry is saved. Forms do not clear on submit
    (``clear_on_submit``) because that also threw away an entry the service refused, with the message saying what
    to mend in it."""
    for key in keys:
        st.session_state.pop(key, None)
