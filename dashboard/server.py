"""The dashboard as ``tracker serve`` runs it: ``streamlit run dashboard/server.py``.

st.App serves dashboard/app.py as usual and, in the same process, the sign-in route (dashboard/signin_route.py)
that sets the HttpOnly session cookie, so a reload or a new tab stays signed in.
"""

import streamlit as st

from dashboard import signin_route
from dashboard.components import auth

auth.use_cookie_route()
app = st.App("app.py", routes=signin_route.routes(str(st.get_option("server.baseUrlPath") or "")))
