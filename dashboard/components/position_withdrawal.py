"""The bill page's "Withdraw position" control: a button, then a confirmation with an optional reason.

Two steps because a withdrawal takes the bill out of every count, filter and packet at once; the history keeps
the position and the withdrawal either way (tracker.positions.withdraw_position, which also checks the role).
"""

from typing import Any

import streamlit as st

from dashboard.components import data
from dashboard.components.render import md
from tracker import positions
from tracker.models import User
from tracker.permissions import PermissionDenied


def withdraw_position_control(user: User, bill_id: int, position: dict[str, Any], base_key: str) -> None:
    """``base_key``: the session-state key holding the version the editor started from (the save form's), so a
    withdrawal is checked against the version shown, as a save is."""
    asking = f"pos_withdrawing_{bill_id}"
    if not st.session_state.get(asking):
        if st.button("Withdraw position", key=f"pos_withdraw_{bill_id}",
                     help="The council takes no position on this bill any more; the history keeps this one."):
            st.session_state[asking] = True
            st.rerun()
        return
    st.warning(md(f"Withdraw the council's position ({position['stance']}, {position['priority']} priority)? "
                  "The bill will have no position in the overview, search, packets and alerts; its history keeps "
                  "every version and this withdrawal."))
    reason = st.text_area("Reason (optional)", key=f"pos_withdraw_reason_{bill_id}",
                          placeholder="Taken by mistake; the council stays out of this bill...")
    confirm, cancel = st.columns(2)
    if cancel.button("Cancel", key=f"pos_withdraw_cancel_{bill_id}"):
        _forget(bill_id)
        st.rerun()
    if confirm.button("Confirm withdrawal", key=f"pos_withdraw_confirm_{bill_id}", type="primary"):
        try:
            with data.session() as s:
                gone = positions.withdraw_position(s, actor=user, bill_id=bill_id, reason=reason,
                                                   expected_version=st.session_state[base_key])
        except positions.PositionConflict as exc:
            _forget(bill_id)
            st.session_state[f"pos_conflict_{bill_id}"] = str(exc)  # shown with "Start again from their version"
            st.rerun()
        except (positions.PositionError, PermissionDenied) as exc:
            st.error(md(exc))
            return
        _forget(bill_id)
        # The save form starts afresh from "no position": its widgets and base version are dropped.
        for key in (base_key, f"pos_stance_{bill_id}", f"pos_priority_{bill_id}", f"pos_rationale_{bill_id}"):
            st.session_state.pop(key, None)
        st.session_state["pos_saved"] = (f"Withdrawn: the council no longer takes a position on this bill (was "
                                         f"{gone['previous_stance']}; version {gone['version']}).")
        st.rerun()


def _forget(bill_id: int) -> None:
    for key in (f"pos_withdrawing_{bill_id}", f"pos_withdraw_reason_{bill_id}"):
        st.session_state.pop(key, None)
