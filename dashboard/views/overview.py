"""Overview: what is stored, by stage. The full council dashboard comes with its own issue."""

import streamlit as st
from sqlalchemy import func, select
from sqlmodel import Session

from tracker import db
from tracker.models import Bill, CrawlRun

st.title("Policy Tracker")

engine = db.get_engine()
try:
    db.check_schema(engine)
except db.SchemaNotReady as exc:
    st.error(str(exc))
    st.stop()

with Session(engine) as session:
    total = session.execute(select(func.count()).select_from(Bill)).scalar_one()
    by_stage = session.execute(select(Bill.stage, func.count()).group_by(Bill.stage).order_by(Bill.stage)).all()
    last_run = session.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).scalar_one_or_none()

st.metric("Bills stored", f"{total:,}")
if by_stage:
    st.subheader("Bills by stage")
    st.dataframe({"stage": [s for s, _ in by_stage], "bills": [n for _, n in by_stage]}, hide_index=True)
if last_run:
    st.caption(f"Last {last_run.kind} ({last_run.source}): {last_run.status}, finished {last_run.finished_at}, "
               f"{last_run.new} new, {last_run.updated} updated, {last_run.failed} failed.")
else:
    st.info("No bills yet: run `tracker import PATH` or `make run`.")
