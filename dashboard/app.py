"""Dashboard entry point: ``streamlit run dashboard/app.py`` or ``tracker serve``. Pages route via st.navigation."""

import streamlit as st

st.set_page_config(page_title="Policy Tracker", layout="wide")

pages = [st.Page("views/overview.py", title="Overview", default=True)]
st.navigation(pages).run()
