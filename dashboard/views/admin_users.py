"""Admin: accounts and roles."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import md, stamp
from dashboard.components.state import forget, notice
from dashboard.components.widgets import table
from tracker import sessions, users
from tracker.models.enums import Role
from tracker.permissions import ROLE_ACTIONS, PermissionDenied

user = page_user()
st.title("Users and roles")
try:
    with data.session() as s:
        accounts = users.list_users(s, actor=user)
except PermissionDenied as exc:
    st.error(md(exc))
    st.stop()

# Times as the other pages word them ("2026-12-07 22:16 UTC"), not pandas' microseconds; nothing is "None".
table(pd.DataFrame([{"email": u.email, "name": u.name or "", "role": u.role, "active": u.active,
                     "last sign-in": stamp(u.last_login_at) if u.last_login_at else "never",
                     "created": stamp(u.created_at)} for u in accounts]),
      hide_index=True, width="stretch")
with st.expander("What each role may do"):
    table(pd.DataFrame([{"role": r, "may": ", ".join(sorted(a.value for a in acts))}
                        for r, acts in ROLE_ACTIONS.items()]), hide_index=True, width="stretch")

roles = list(Role.__members__)
left, right = st.columns(2)
with left, st.form("add_user"):
    st.markdown("**Add a user**")
    email = st.text_input("Email", key="au_email")
    name = st.text_input("Name", key="au_name")
    role = st.selectbox("Role", roles, index=roles.index("staff"), key="au_role")
    password = st.text_input("Initial password", type="password", key="au_password")
    if st.form_submit_button("Add user"):
        try:
            with data.session() as s:
                users.add_user(s, email=email, role=role, name=name or None, password=password, actor=user)
            notice(f"Added {md(email)} ({role}): they sign in with that password.")
            forget("au_email", "au_name", "au_password")  # the role chosen stays, for the next colleague
            st.rerun()
        except (users.UserError, PermissionDenied) as exc:
            st.error(md(exc))
with right, st.form("change_user"):
    st.markdown("**Change a user**")
    target = st.selectbox("User", [u.email for u in accounts], key="cu_email")
    new_role = st.selectbox("Role", roles, key="cu_role")
    # Each button as wide as its words, wrapping to a second line when the form is narrow: four equal columns of
    # half the page cut "Sign out everywhere" to "Sign o…" (and "Deactivate" to "Deacti…") at 1280 px.
    buttons = st.container(horizontal=True)
    with buttons:
        do_role = st.form_submit_button("Set role")
        do_off = st.form_submit_button("Deactivate")
        do_on = st.form_submit_button("Reactivate")
        # Setting a role or a password and deactivating end the account's sign-ins by themselves; this ends them
        # alone (a lost laptop, a shared computer left signed in).
        do_out = st.form_submit_button("Sign out everywhere")
    if do_out:
        try:
            with data.session() as s:
                account = users.get_user(s, target)
                assert account.id is not None
                ended = sessions.revoke_user_sessions(s, user_id=account.id, reason="signed out by an admin",
                                                      actor=user)
            st.success(f"{md(target)}: {ended} sign-in{'' if ended == 1 else 's'} ended.")
        except (users.UserError, PermissionDenied) as exc:
            st.error(md(exc))
    if do_role or do_off or do_on:
        try:
            with data.session() as s:
                if do_role:
                    users.set_role(s, email=target, role=new_role, actor=user)
                elif do_off:
                    users.deactivate(s, email=target, actor=user)
                else:
                    users.reactivate(s, email=target, actor=user)
            st.rerun()
        except (users.UserError, PermissionDenied) as exc:
            st.error(md(exc))

# A forgotten password, the first week's usual call: the admin gives a temporary one, which its owner replaces
# under "Change my password". Setting it ends the account's sign-ins (tracker.users.set_password).
with st.form("set_password"):
    st.markdown("**Set a password**")
    c = st.columns(2)
    pw_target = c[0].selectbox("User", [u.email for u in accounts], key="sp_email")
    pw_new = c[1].text_input(f"New password (at least {users.MIN_PASSWORD_LENGTH} characters)", type="password",
                             key="sp_password", autocomplete="new-password")
    if st.form_submit_button("Set password"):
        try:
            with data.session() as s:
                users.set_password(s, email=pw_target, password=pw_new, actor=user)
            # As "Add user": the message waits for the next run and that run draws the box empty. Emptied in this
            # run only, the typed password stayed in the browser's box until the next click.
            notice(f"Password set for {md(pw_target)}: their sign-ins ended. Tell them the new one; they can "
                   "replace it under Change my password.")
            forget("sp_password")  # the user chosen stays
            st.rerun()
        except (users.UserError, PermissionDenied) as exc:
            st.error(md(exc))
