"""Overview for council members: where the tracked bills stand, what moved this week, how fresh the data is."""

from typing import Any

import pandas as pd
import streamlit as st
from sqlmodel import Session

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import counted, md, stamp
from dashboard.components.widgets import safe_url, table
from tracker import executive_desk, overview, triage
from tracker.exports.packet import stage_label
from tracker.feed_names import feed_name
from tracker.overview import run_outcome
from tracker.permissions import Action, can


@st.cache_data(ttl=600, show_spinner=False, max_entries=4)
def _counts(db_url: str, version: tuple[Any, ...]) -> dict[str, Any]:
    with Session(data.engine()) as s:
        return overview.counts(s)


@st.cache_data(ttl=300, show_spinner=False, max_entries=8)
def _moved(db_url: str, version: tuple[Any, ...], tracked_only: bool) -> list[dict[str, Any]]:
    with Session(data.engine()) as s:
        return overview.moved(s, tracked_only=tracked_only, limit=overview.MOVED_SHOWN)


def _bar(rows: list[dict[str, Any]], label: str, title: str) -> None:
    st.markdown(f"**{title}**")
    if not rows:
        st.caption("Nothing yet.")
        return
    # Each row gets its own band (a fixed pixel height left one or two rows a hairline, overlapping labels), the
    # count is written at the bar's end (small bars beside a big one were unreadable), and the axis counts whole
    # bills (two positions drew 0.0 to 1.0). Written as Vega-Lite itself: Altair built the same four charts by
    # validating each against the whole Vega-Lite schema, most of the page's time.
    encoding = {
        "x": {"field": "bills", "type": "quantitative", "title": "bills", "axis": {"format": "d", "tickMinStep": 1}},
        "y": {"field": label, "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 200}},
        "tooltip": [{"field": label, "type": "nominal"}, {"field": "bills", "type": "quantitative"}],
    }
    st.vega_lite_chart(pd.DataFrame(rows), {
        "height": {"step": 24},
        "encoding": encoding,
        "layer": [{"mark": {"type": "bar"}},
                  {"mark": {"type": "text", "align": "left", "dx": 3},
                   "encoding": {"text": {"field": "bills", "type": "quantitative"}}}],
    }, width="stretch")


FOLLOWED_HELP = ("Flagged for the council and not dismissed, with a position or on a watchlist: the bills the "
                 "charts by stage and jurisdiction and the lists below count.")


def _stand(row: dict[str, Any]) -> str:
    """"Oppose (High)", or a dash for a bill the council has taken no position on."""
    return f"{row['position']} ({row['priority']})" if row["position"] else "—"


user = page_user()
st.title("Overview")

with data.session() as s:
    version = data.data_version(s)
    figures = _counts(data.url(), version)
    fresh = overview.freshness(s)

# Freshness first: a council member must see at once when the figures below rest on old data.
stale = [f for f in fresh if f.stale]
for f in stale:
    when = f"last updated {stamp(f.last_success)}" if f.last_success else "never updated"
    errors = f" ({counted(f.last_run_errors, 'error')})" if f.last_run_errors else ""
    st.warning(md(f"Data from {feed_name(f.source)} may be out of date: {when}; "
                  f"its last run {run_outcome(f.last_run_status)}{errors}."))

# On a phone (Streamlit stacks columns below 640 px) the four figures and four charts came first, one under the
# other: what moved this week stood some 1,850 px down, the hearings coming up below it, on the 117th Congress.
# There the figures go two to a row and the charts after the lists a council member opens the page for; a wide
# screen keeps this order. Each keyed container's wrapper is a flex item of the page's column: CSS order moves it.
st.html("<style>@media (max-width: 640px) {"
        ".st-key-ov_figures [data-testid='stColumn'] {min-width: calc(50% - 0.5rem)}"
        " [data-testid='stLayoutWrapper']:has(> .st-key-ov_charts) {order: 1}"
        " [data-testid='stLayoutWrapper']:has(> .st-key-ov_freshness) {order: 2}}</style>")
# A council member's figures: the bills we follow, not what the feeds hold ("Bills stored" and "Sources" are with
# the data freshness below, for admins).
c = st.container(key="ov_figures").columns(4)
c[0].metric("Bills we follow", f"{figures['followed']:,}", help=FOLLOWED_HELP)
dismissed = figures["flagged_dismissed"]
c[1].metric("Flagged for the council", f"{figures['flagged']:,}",
            help=f"Bills a topic flags, less those staff dismissed in triage as noise: the triage inbox's "
                 f"“{triage.VIEWS['flagged']}”.")
c[2].metric("Positions taken", f"{figures['positions']:,}")
c[3].metric("Moved in the last 7 days", f"{figures['moved']:,}",
            help="Bills we follow whose stage changed or that gained an action or a text this week (listed below).")
if dismissed:  # the inbox's "All flagged, dismissed included" counts these too: say why the two differ
    c[1].caption(f"Not counting {dismissed:,} dismissed in triage ({figures['flagged'] + dismissed:,} flagged "
                 "in all).")

left, right = st.container(key="ov_charts").columns(2)
with left:
    _bar(figures["by_position"], "position", "By position")
    _bar(figures["by_topic"], "topic", "Flagged by topic")
with right:
    _bar([{**row, "stage": stage_label(row["stage"])} for row in figures["by_stage"]], "stage",
         "By stage: bills we follow")
    _bar(figures["by_jurisdiction"], "jurisdiction", "By jurisdiction: bills we follow")

st.subheader("Moved in the last 7 days")
tracked_only = st.toggle("Only bills we follow (flagged and not dismissed, with a position or on a watchlist)",
                         value=True, key="moved_tracked")
rows = _moved(data.url(), version, tracked_only)
if rows:
    # Our position and what changed lead the row: a stage change on a bill we support or oppose is what a council
    # member scans for (those rows come first), then the rest, latest first.
    table(pd.DataFrame([{"bill": r["bill"], "our position": _stand(r), "what changed": r["what"],
                         "stage": r["stage_label"], "title": r["title"],
                         "latest action": r["latest_action"], "on": r["latest_action_date"],
                         "open": f"/bill?id={r['id']}"} for r in rows]),
          column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
          hide_index=True, width="stretch")
    if len(rows) == overview.MOVED_SHOWN:  # nothing is left out without a word
        st.caption(f"The {overview.MOVED_SHOWN} that moved most recently; the triage inbox and search list all.")
else:
    st.caption("No movement detected in the last 7 days.")

st.subheader("Upcoming hearings")
with data.session() as s:
    hearings = overview.upcoming_hearings(s, tracked_only=tracked_only, limit=overview.HEARINGS_SHOWN)
if hearings:
    # Which bill and where we stand lead, as in the other tables here: on a phone the first two columns or so are
    # what shows, and date, time and status first left the bill and our position a sideways swipe away.
    table(pd.DataFrame([{"bill": h["bill"], "our position": _stand(h),
                         "date": h["date"], "time": h["clock"], "status": h["status"] or "",
                         "title": h["title"],
                         "body": h["body"], "where": h["location"], "agenda": safe_url(h["url"]),
                         "open": f"/bill?id={h['id']}"} for h in hearings]),
          column_config={"agenda": st.column_config.LinkColumn("agenda"),
                         "open": st.column_config.LinkColumn("open", display_text="open")},
          hide_index=True, width="stretch")
    if len(hearings) == overview.HEARINGS_SHOWN:  # one row per bill and hearing: a long agenda fills it
        st.caption(f"The first {overview.HEARINGS_SHOWN} hearing rows by day and time; each bill's page lists all "
                   "its hearings.")
else:
    st.caption("No hearings in the next 30 days for these bills (only sources that publish agendas give them).")

st.subheader("On the executive's desk")
with data.session() as s:
    desk = executive_desk.on_desk(s, tracked_only=tracked_only)
if desk:
    # The last day to ask for a signature or a veto: nearest first, by the constitution's count (the rule column).
    table(pd.DataFrame([{"bill": r["bill"], "our position": _stand(r),
                         "last day to act": executive_desk.deadline_words(r), "presented": r["presented"],
                         "title": r["title"], "rule": r["rule"] or "no rule for this jurisdiction yet",
                         "open": f"/bill?id={r['id']}"} for r in desk]),
          column_config={"open": st.column_config.LinkColumn("open", display_text="open")},
          hide_index=True, width="stretch")
else:
    st.caption("No bill awaits a signature or a veto.")

with st.container(key="ov_freshness"):
    st.subheader("Data freshness")
    if can(user, Action.manage_sources):  # what the feeds hold: the admin's figure, not a member's
        st.caption(f"{figures['bills']:,} bills stored in all (every jurisdiction and session, followed or not)."
                   + (f" {counted(len(fresh), 'source')}, {len(stale)} out of date." if fresh else ""))
    if fresh:
        table(pd.DataFrame([{"feed": feed_name(f.source), "last updated": stamp(f.last_success) if f.last_success
                             else "never", "last run": stamp(f.last_run_at),
                             "last run's outcome": run_outcome(f.last_run_status),
                             "errors in last run": f.last_run_errors,
                             "up to date": "no: out of date" if f.stale else "yes"} for f in fresh]),
              hide_index=True, width="stretch")
    else:
        st.info("No feed has been read yet, so these figures are empty until an administrator loads the bills."
                + (" Run `tracker import PATH` or `tracker crawl SOURCE`." if can(user, Action.manage_sources) else ""))
