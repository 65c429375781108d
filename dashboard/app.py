"""Dashboard script: ``tracker serve`` runs it through dashboard/server.py, which adds the sign-in route
(``streamlit run dashboard/app.py`` works too, signed in per tab).

Signs the user in, then routes with st.navigation to the pages their role may see. Pages still go through the
services, which enforce each role's limits themselves: hiding a page is a convenience, not the guard.
"""

from typing import Any

import streamlit as st
from sqlalchemy.exc import OperationalError

from dashboard.components import auth, state
from dashboard.components.render import md
from tracker import db
from tracker.cli_common import database_problem
from tracker.models import User
from tracker.permissions import Action, can, who_may

st.set_page_config(page_title="Policy Tracker", layout="wide")

try:
    db.check_schema(db.get_engine())
except db.SchemaNotReady as exc:
    st.error(md(exc))
    st.stop()
except Exception as exc:
    # A server that is down or refuses us: one line naming it, as the command line says it, not a traceback.
    if (problem := database_problem(exc)) is None:
        raise
    st.error(md(problem))
    st.stop()

user = auth.current_user()


# Pages only some roles have, with the action that opens them (tracker.permissions says which roles may): the
# role's navigation lists those it may see, and every other one's address answers with whose page it is.
RESTRICTED_PAGES = (
    ("Bills", "views/exports.py", "Export packets", "exports", Action.export),
    ("Admin", "views/admin_users.py", "Users and roles", "admin-users", Action.manage_users),
    ("Admin", "views/admin_topics.py", "Topics and rules", "admin-topics", Action.manage_topics),
    ("Admin", "views/admin_sources.py", "Sources and crawls", "admin-sources", Action.manage_sources),
    ("Admin", "views/admin_stances.py", "Positions vocabulary", "admin-stances", Action.manage_stances),
)
REFUSED_KEY = "_refused_page"  # session_state: the refusal to show above the start page, once


def _pages_for(user: User) -> dict[str, list[Any]]:
    bills = [
        st.Page("views/overview.py", title="Overview", url_path="overview"),
        st.Page("views/triage.py", title="Triage inbox" if can(user, Action.triage) else "Flagged bills",
                url_path="triage"),
        st.Page("views/bill.py", title="Bill", url_path="bill"),
        st.Page("views/search.py", title="Search", url_path="search"),
        st.Page("views/watchlists.py", title="Watchlists", url_path="watchlists"),
        st.Page("views/alerts.py", title="Alerts", url_path="alerts"),
        st.Page("views/scorecard.py", title="Scorecard", url_path="scorecard"),
    ]
    # The role's start page is not Streamlit's default page: that one is served at "/" only, and its own address
    # (/overview, shared, bookmarked, or where signing in from it returns) answered "Page not found". The default
    # is a hidden page that opens the start page under its address.
    start = bills[0] if user.role in ("council", "lobbyist") else bills[1]

    def open_start_page() -> None:
        st.switch_page(start, query_params=st.query_params.to_dict())  # a switch drops them otherwise

    def refusal(title: str, action: Action) -> Any:
        # A link to a page of another role (an admin page, the packets) opened the start page without a word,
        # and people thought the link was broken or the page gone.
        def refuse() -> None:
            st.session_state[REFUSED_KEY] = (f"“{title}” is for {who_may(action)}, so it does not open for you: "
                                             f"here is your {start.title.lower()} instead.")
            st.switch_page(start)
        return refuse

    pages: dict[str, list[Any]] = {"Bills": bills}
    hidden = [st.Page(open_start_page, title=start.title, url_path="start", default=True, visibility="hidden")]
    for section, script, title, path, action in RESTRICTED_PAGES:
        if can(user, action):
            pages.setdefault(section, []).append(st.Page(script, title=title, url_path=path))
        else:
            hidden.append(st.Page(refusal(title, action), title=title, url_path=path, visibility="hidden"))
    bills.extend(hidden)
    return pages


# Every page's address answers a signed-out visitor with the sign-in form, so a bookmarked or shared deep link
# (/bill?id=5) opens after signing in instead of ending on "page not found". Every page's address is listed
# (tests/dashboard/test_app_pages.py checks it): a shared Scorecard link once opened on "Page not found".
DEEP_LINKS = ("overview", "triage", "bill", "search", "watchlists", "alerts", "scorecard", "exports", "admin-users",
              "admin-topics", "admin-sources", "admin-stances", "start")

if user is None:
    page = st.navigation([st.Page("views/signin.py", title="Sign in", url_path="signin", default=True)]
                         + [st.Page(auth.sign_in_form, title="Sign in", url_path=path) for path in DEEP_LINKS],
                         position="hidden")
    st.session_state["_signin_page"] = page.url_path  # the sign-in route sends the browser back here
    page.run()
else:
    with st.sidebar:
        st.caption(f"Signed in as {md(user.name or user.email)} ({user.role})")
        if st.button("Sign out", key="sign_out"):
            auth.sign_out()
            st.rerun()
        if st.button("Sign out everywhere", key="sign_out_everywhere",
                     help="Ends this account's sign-ins on every browser and computer (a lost laptop, say)."):
            auth.sign_out(everywhere=True)
            st.rerun()
        auth.change_password_form(user)
    if refused := st.session_state.pop(REFUSED_KEY, None):
        st.info(refused)
    state.clear_forgotten()  # the form saved in the run before starts empty in the browser too
    state.show_notice()  # what that save did
    try:
        st.navigation(_pages_for(user)).run()
    except OperationalError as exc:
        # SQLite has one writer: a save waits out the busy timeout (30 s) behind an import's or a crawl's batch
        # and then fails. Its session rolled back, so nothing of it was written: say so, not a traceback.
        if "database is locked" not in str(exc.orig):
            raise
        st.error("Not saved: the database was busy (an import or a crawl was writing). Try again in a moment.")
