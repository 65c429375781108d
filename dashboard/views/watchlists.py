"""Watchlists: bills followed without being flagged, private or shared."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import md
from dashboard.components.state import forget
from dashboard.components.widgets import export_buttons, table
from tracker import watchlists
from tracker.exports import Selection
from tracker.exports.packet import stage_label
from tracker.permissions import Action, PermissionDenied, can
from tracker.references import bill_reference

user = page_user()
st.title("Watchlists")

with data.session() as s:
    lists = watchlists.visible_watchlists(s, actor=user)

with st.expander("New watchlist", expanded=not lists):
    with st.form("new_watchlist"):
        name = st.text_input("Name", key="wl_name")
        shared = st.checkbox("Shared with the team", value=True, key="wl_shared")
        if st.form_submit_button("Create"):
            try:
                with data.session() as s:
                    watchlists.create_watchlist(s, actor=user, name=name, shared=shared)
                forget("wl_name")
                st.rerun()
            except (watchlists.WatchlistError, PermissionDenied) as exc:
                st.error(md(exc))

if not lists:
    st.info("No watchlists yet. Follow bills from their page once you have one.")
    st.stop()

by_id = {w["id"]: w for w in lists}
chosen = st.selectbox("Watchlist", list(by_id), key="wl_pick",
                      format_func=lambda i: f"{by_id[i]['name']} ({by_id[i]['bills']} bills"
                                            f"{', shared' if by_id[i]['shared'] else ', private'}"
                                            f"{'' if by_id[i]['mine'] else ', by ' + (by_id[i]['owner'] or '?')})")
with data.session() as s:
    rows = watchlists.watchlist_bills(s, actor=user, watchlist_id=chosen, limit=watchlists.WATCHLIST_SHOWN)
if rows:
    if len(rows) < by_id[chosen]["bills"]:  # nothing is left out without a word
        st.caption(f"The {len(rows)} with the latest action of its {by_id[chosen]['bills']:,} bills are shown"
                   + ("; an export packet of the watchlist lists them all." if can(user, Action.export) else "."))
    editable = by_id[chosen]["editable"]
    # Rows are picked for removal only by whoever may remove them (its owner, staff, admins).
    picking = {"on_select": "rerun", "selection_mode": "multi-row", "key": "wl_table"} if editable else {}
    event = table(
        pd.DataFrame([{"bill": bill_reference(r["jurisdiction"], r["session"], r["identifier"],
                                               session_name=r.get("session_name"), compact=True), "title": r["title"],
                       "stage": stage_label(r["stage"], r["jurisdiction"]), "latest action": r["latest_action_date"],
                       "open": f"/bill?id={r['id']}"} for r in rows]),
        column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
        hide_index=True, width="stretch", **picking)
    if editable:
        picked = [rows[i]["id"] for i in (event.selection.rows if event else [])]
        if st.button(f"Remove {len(picked)} selected", key="wl_remove", disabled=not picked):
            try:
                with data.session() as s:
                    watchlists.remove_bills(s, actor=user, watchlist_id=chosen, bill_ids=picked)
                st.rerun()
            except (watchlists.WatchlistError, PermissionDenied) as exc:
                st.error(md(exc))
    export_buttons(user, Selection(watchlists=(str(chosen),)), key=f"wl_export_{chosen}",
                   title=by_id[chosen]["name"])
else:
    st.caption("This watchlist is empty.")
if not by_id[chosen]["editable"]:
    st.caption(f"Shared by {md(by_id[chosen]['owner'] or 'someone')}. Only its owner, staff and admins change it.")
    st.stop()
# Deleting drops the list and every bill on it for everyone it is shared with, with no way back: asked first.
confirm_key = f"wl_delete_asked_{chosen}"
if st.button("Delete this watchlist", key="wl_delete"):
    st.session_state[confirm_key] = True
if st.session_state.get(confirm_key):
    n = by_id[chosen]["bills"]
    who = " for everyone" if by_id[chosen]["shared"] else ""
    st.warning(f"Delete {md(by_id[chosen]['name'])} and its {n:,} {'bill' if n == 1 else 'bills'}{who}? "
               "This cannot be undone.")
    c = st.columns([1, 1, 4])
    if c[0].button("Delete it", key="wl_delete_confirm", type="primary"):
        st.session_state.pop(confirm_key, None)
        try:
            with data.session() as s:
                watchlists.delete_watchlist(s, actor=user, watchlist_id=chosen)
            st.rerun()
        except (watchlists.WatchlistError, PermissionDenied) as exc:
            st.error(md(exc))
    if c[1].button("Keep it", key="wl_delete_cancel"):
        st.session_state.pop(confirm_key, None)
        st.rerun()
