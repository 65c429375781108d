"""Admin: configured sources and their schedules, freshness, and recent crawl runs with their errors."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import md, stamp
from dashboard.components.widgets import table
from tracker import health, overview
from tracker.config import crawl_settings, source_scope
from tracker.feed_names import feed_name
from tracker.permissions import Action, PermissionDenied, require

user = page_user()
st.title("Sources and crawls")
try:
    require(user, Action.manage_sources)
except PermissionDenied as exc:
    st.error(md(exc))
    st.stop()

try:
    crawl = crawl_settings()
    configured = [{"feed": feed_name(s.name), "config key": s.name, "enabled": s.enabled,
                   "schedule (cron, UTC)": s.schedule, "base URL": s.base_url,
                   "scope": source_scope(s.name, crawl)} for s in crawl.sources.values()]
except (SystemExit, ValueError, KeyError) as exc:
    st.error(md(f"The crawl configuration cannot be read: {exc}"))
    configured = []
st.subheader("Configured sources")
st.caption("Edit tracker.toml ([sources.NAME]) to change them; `tracker schedule` runs the schedules.")
if configured:
    table(pd.DataFrame(configured), hide_index=True, width="stretch")

st.subheader("Health")
st.caption("As `tracker status` reports it (a monitor can run that command and alarm on its exit code).")
if configured:
    report = health.check(data.engine(), crawl)
    if report.ok:
        st.success("The scheduler is running, every enabled source is crawled on its schedule, alert email goes out.")
    for problem in report.problems:
        st.warning(md(f"Attention: {problem}."))
    if report.digest_times:
        st.caption(md(f"Alert digests go out {report.digest_times}."))

with data.session() as s:
    fresh = overview.freshness(s)
    runs = overview.recent_runs(s, limit=50)
st.subheader("Freshness")
for f in fresh:
    if f.stale:
        st.warning(md(f"{feed_name(f.source)} ({f.source}) is stale: last success "
                      f"{stamp(f.last_success) if f.last_success else 'never'}."))
if fresh:
    table(pd.DataFrame([{"feed": feed_name(f.source), "stored as": f.source, "last success": f.last_success,
                         "last run": f.last_run_at,
                         "status": f.last_run_status, "errors": f.last_run_errors,
                         "stale": f.stale} for f in fresh]), hide_index=True, width="stretch")

st.subheader("Recent runs")
if not runs:
    st.caption("No runs yet.")
    st.stop()
table(pd.DataFrame(runs), hide_index=True, width="stretch")
failing = [r for r in runs if r["failed"]]
if failing:
    run_id = st.selectbox("Errors of run", [r["id"] for r in failing], key="src_run",
                          format_func=lambda i: next(f"#{r['id']} {r['source']} {r['started']} ({r['failed']} failed)"
                                                     for r in failing if r["id"] == i))
    with data.session() as s:
        errors = overview.run_errors(s, run_id=run_id)
    if errors:
        table(pd.DataFrame(errors), hide_index=True, width="stretch")
    else:  # the run keeps its count (tracker.run_history)
        st.caption("This run's errors are no longer kept: the errors of runs older than [crawl] keep_errors_days "
                   "(tracker.toml) are deleted. Its count stays in the table above.")
