"""Widgets several pages share: export download buttons, safe link tables, the saved-filter picker."""

from typing import Any

import pandas as pd
import streamlit as st

from dashboard.components import data, state
from dashboard.components.render import md, shown
from tracker import watchlists
from tracker.bill_text import web_url
from tracker.exports import FORMATS, ExportError, Selection, build_packet, packet_filename
from tracker.models import SavedFilter, User
from tracker.permissions import Action, PermissionDenied, require

FORMAT_LABELS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel", "csv": "CSV", "json": "JSON"}


def pair_columns_on_phone(*, filters: str, pager: str) -> None:
    """A list page's filter columns (in the container keyed ``filters``) two to a row on a phone, and its pager's
    columns after the first (the page number, "Save this ...", in ``pager``) on one row. Streamlit stacks every
    column in a row of its own below 640 px: the filters and the pager pushed a list's first result below the
    first screen. A wide screen keeps the rows as they are."""
    st.html("<style>@media (max-width: 640px) {"
            f".st-key-{filters} [data-testid='stColumn'], .st-key-{pager} [data-testid='stColumn']:not(:first-child)"
            " {min-width: calc(50% - 0.5rem)}}</style>")


def table(frame: pd.DataFrame, **kwargs: Any) -> Any:
    """st.dataframe for tables of upstream text: their cells lose bidi controls (render.shown), so a feed's
    right-to-left override cannot turn a row around."""
    return st.dataframe(shown(frame), **kwargs)


def safe_url(url: str | None) -> str | None:
    """Only web links are clickable: a feed cannot smuggle a javascript: or data: URL, a control character or
    an endless URL into a page (the same check as exported files: tracker.bill_text.web_url)."""
    return web_url(url)


def export_buttons(user: User, selection: Selection, *, key: str, title: str | None = None,
                   narrow: bool = False, include_notes: bool = False) -> None:
    """Build a packet on request (building one is not free), then offer it for download.

    ``narrow``: the controls stand one under the other, for a side column where a row of three would cut the
    buttons' labels. ``include_notes``: each bill's staff notes too (internal).
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
                payload = build_packet(s, selection, fmt, title=title, actor=user, include_notes=include_notes)
            st.session_state[f"{key}_file"] = (fmt, payload)
        except ExportError as exc:
            st.error(md(exc))
    ready = st.session_state.get(f"{key}_file")
    if ready:
        fmt_ready, payload = ready
        cols[2].download_button(f"Download {FORMAT_LABELS[fmt_ready]} ({len(payload) // 1024 + 1} KB)", payload,
                                file_name=packet_filename(fmt_ready, title=title), mime=FORMATS[fmt_ready].media_type,
                                key=f"{key}_download", on_click="ignore")


def saved_filter_picker(user: User, saved: list[SavedFilter], shared_by: dict[int, str], *, label: str,
                        key: str) -> SavedFilter | None:
    """The page's saved filters (the user's, and the shared ones with who shared them: ``shared_by``, from
    watchlists.shared_by): the one to apply when "Apply" was clicked, else None. "Delete" removes the picked one;
    the service decides who may (its owner, or an admin). Call it before the widgets a filter sets are drawn."""
    if not saved:
        return None
    names = {f"{f.name} (shared by {shared_by[f.id]})" if f.id in shared_by else f.name: f for f in saved}
    if st.session_state.get(f"{key}_pick") not in (None, "—", *names):  # just deleted: the option is gone
        st.session_state[f"{key}_pick"] = "—"
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox(label, ["—", *names], key=f"{key}_pick")
    chosen = names.get(pick)
    if cols[2].button("Delete", key=f"{key}_delete", disabled=chosen is None) and chosen is not None:
        try:
            with data.session() as s:
                watchlists.delete_filter(s, actor=user, filter_id=chosen.id)
            state.notice(f"Deleted {md(chosen.name)}")
            st.rerun()
        except (watchlists.WatchlistError, PermissionDenied) as exc:
            st.error(md(exc))
    return chosen if cols[1].button("Apply", key=f"{key}_apply") and chosen is not None else None


def save_filter_form(user: User, *, page: str, params: dict[str, Any], key: str, noun: str) -> None:
    """The "Save this filter" form of a page (``page``: watchlists.FILTER_PAGES): a name, "Share with everyone",
    and ``key`` to save ``params``. A name already used is not replaced unasked: the service refuses, and the form
    names the filter and asks "Replace it" or "Cancel" (a slip of the name silently lost the filter saved before).
    What is replaced is what was asked to be saved, whatever the widgets were set to since."""
    name = st.text_input("Name", key=f"{key}_name", max_chars=watchlists.FILTER_NAME_MAX)
    shared = st.checkbox("Share with everyone", key=f"{key}_shared")
    pending_key, done_key = f"{key}_pending", f"{key}_done"
    pending = st.session_state.get(pending_key)
    if pending is not None and pending["name"] != name.strip():  # another name typed: nothing left to confirm
        st.session_state.pop(pending_key, None)
        pending = None

    def save(to_save: dict[str, Any], *, replace: bool) -> None:
        with data.session() as s:
            watchlists.save_filter(s, actor=user, page=page, name=to_save["name"], params=to_save["params"],
                                   shared=to_save["shared"], replace=replace)

    if st.button(f"Save {noun}", key=key):
        asked = {"name": name.strip(), "params": params, "shared": shared}
        try:
            save(asked, replace=False)
            st.session_state.pop(pending_key, None)
            pending = None
            st.success(f"Saved {noun} {md(asked['name'])}.")
        except watchlists.FilterExists as exc:
            pending = st.session_state[pending_key] = {**asked, "message": str(exc)}
        except (watchlists.WatchlistError, PermissionDenied) as exc:
            st.error(md(exc))
    if pending is not None:
        st.warning(md(pending["message"]))
        cols = st.columns(2)
        if cols[0].button("Replace it", key=f"{key}_replace"):
            try:
                save(pending, replace=True)
                st.session_state[done_key] = f"Replaced saved {noun} {pending['name']}."
            except (watchlists.WatchlistError, PermissionDenied) as exc:  # deleted meanwhile, or the role changed
                st.session_state[done_key] = exc
            st.session_state.pop(pending_key, None)
            st.rerun()
        if cols[1].button("Cancel", key=f"{key}_cancel"):
            st.session_state.pop(pending_key, None)
            st.rerun()
    done = st.session_state.pop(done_key, None)
    if isinstance(done, Exception):
        st.error(md(done))
    elif done:
        st.success(md(done))
