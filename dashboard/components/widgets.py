"""Widgets several pages share: export download buttons and safe link tables."""

import streamlit as st

from dashboard.components import data
from dashboard.components.render import md
from tracker.exports import FORMATS, ExportError, Selection, build_packet, packet_filename
from tracker.models import User
from tracker.permissions import Action, PermissionDenied, require

FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}


def safe_url(url: str | None) -> str | None:
    """Only web links are clickable: a feed cannot smuggle a javascript: or data: URL into a page."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def export_buttons(user: User, selection: Selection, *, key: str, title: str | None = None,
                   narrow: bool = False) -> None:
    """Build a packet on request (building one is not free), then offer it for download.

    ``narrow``: the controls stand one under the other, for a side column where a row of three would cut the
    buttons' labels.
    """
    try:
        require(user, Action.export)
    except PermissionDenied:
        return
    cols = [st.container()] * 3 if narrow else st.columns([2, 1, 3], vertical_alignment="bottom")
    fmt = cols[0].selectbox("Format", list(FORMATS), format_func=FORMAT_LABELS.get, key=f"{key}_fmt")
    # A packet is offered only in the run that built it: any later rerun (another topic, title or format, a
    # position saved on the bill page, bills removed from the watchlist) may have changed what it should say,
    # and a download of the old file would put out-of-date bills or positions in a lobbyist's hands.
    # The download button does not rerun the page, so it stays until the person does something else.
    st.session_state.pop(f"{key}_file", None)
    if cols[1].button("Prepare packet", key=f"{key}_build"):
        try:
            with data.session() as s:
                payload = build_packet(s, selection, fmt, title=title, actor=user)
            st.session_state[f"{key}_file"] = (fmt, payload)
        except ExportError as exc:
            st.error(md(exc))
    ready = st.session_state.get(f"{key}_file")
    if ready:
        fmt_ready, payload = ready
        cols[2].download_button(f"Download {FORMAT_LABELS[fmt_ready]} ({len(payload) // 1024 + 1} KB)", payload,
                                file_name=packet_filename(fmt_ready, title=title), mime=FORMATS[fmt_ready].media_type,
                                key=f"{key}_download", on_click="ignore")
