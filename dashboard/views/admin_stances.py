"""Admin: the position vocabulary, and which way each stance counts on the legislator scorecard (tracker.stances,
which checks the admin role again)."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import md
from dashboard.components.widgets import table
from tracker.permissions import Action, PermissionDenied, require
from tracker.stances import SIDE_LABELS, SIDES, StanceError, list_stances, set_scorecard_vote

user = page_user()
st.title("Positions vocabulary")
try:
    require(user, Action.manage_stances)
except PermissionDenied as exc:
    st.error(md(exc))
    st.stop()

st.caption("Which member vote is with the council on the bills holding each stance. Every scorecard, of every "
           "session, follows a change at once; a stance not scored leaves its bills out.")
if (done := st.session_state.pop("st_done", None)) is not None:
    st.success(md(done))
with data.session() as s:
    rows = list_stances(s)
table(pd.DataFrame([{"stance": r["name"], "active": r["active"], "on the scorecard": r["counts as"]}
                    for r in rows]), hide_index=True, width="stretch")

by_name = {r["name"]: r for r in rows}
with st.form("st_side_form"):
    name = st.selectbox("Stance", list(by_name), key="st_stance")
    side = st.radio("On the scorecard", list(SIDES), horizontal=True, key="st_side",
                    format_func=lambda v: SIDE_LABELS[None if v == "none" else v])
    if st.form_submit_button("Save"):
        try:
            with data.session() as s:
                row = set_scorecard_vote(s, actor=user, name=name, vote=side)
            st.session_state["st_done"] = f"{row['name']}: {row['counts as']}"
            st.rerun()
        except (StanceError, PermissionDenied) as exc:
            st.error(md(exc))
