"""The council's Streamlit dashboard (``tracker serve``)."""
