"""Legislator scorecard: how each member voted on the key votes of bills the council supports or opposes
(tracker.scorecard). Every signed-in role reads it; those who may export download it (CSV, Excel); those who may
set positions choose the key votes, which the service checks again."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import md
from dashboard.components.widgets import safe_url, table
from tracker.exports.branding import load_branding
from tracker.exports.errors import ExportError
from tracker.exports.scorecard import FORMATS, scorecard_file, scorecard_filename
from tracker.permissions import Action, PermissionDenied, can
from tracker.references import bill_context
from tracker.scorecard import (
    KeyVoteConflict,
    ScorecardError,
    key_vote_history,
    mark_key_vote,
    roll_calls,
    scorecard,
    sessions_with_positions,
)

CHAMBERS = {"": "Both chambers", "lower": "Lower chamber (House, Assembly)", "upper": "Upper chamber (Senate)",
            "legislature": "Unicameral"}
DECISION_LABELS = {"include": "Key vote", "exclude": "Not a key vote", "default": "As the rule says"}

user = page_user()
st.title("Legislator scorecard")
st.caption("Each chamber's final floor vote on the bills the council supports or opposes: a yes is with us on "
           "Support (or Support if amended), a no on Oppose (or Oppose unless amended). The score is the share of "
           "votes cast that were with us; absences do not count.")

with data.session() as s:
    scopes = sessions_with_positions(s)
if not scopes:
    st.info("No scorecard yet: it needs a Support- or Oppose-like position on a bill with roll calls.")
    st.stop()
labels = {f"{j}|{i}": bill_context(j, i, session_name=n) for j, i, n in scopes}
cols = st.columns([3, 2, 1, 1])
picked = cols[0].selectbox("Session", list(labels), format_func=labels.get, key="sc_scope")
chamber = cols[1].selectbox("Chamber", list(CHAMBERS), format_func=CHAMBERS.get, key="sc_chamber")
start = cols[2].date_input("Votes from", value=None, key="sc_from", format="YYYY-MM-DD")
end = cols[3].date_input("to", value=None, key="sc_to", format="YYYY-MM-DD")
jurisdiction, identifier = picked.split("|", 1)
scope = dict(jurisdiction=jurisdiction, session_identifier=identifier, chamber=chamber or None, start=start, end=end)

try:
    with data.session() as s:
        card = scorecard(s, **scope)
        calls = roll_calls(s, **scope) if can(user, Action.mark_key_vote) else []
except ScorecardError as exc:  # the range the wrong way round
    st.error(md(exc))
    st.stop()

c = st.columns(3)
c[0].metric("Key votes", len(card.key_votes))
c[1].metric("Legislators", len(card.legislators))
scored = [m.score for m in card.legislators if m.score is not None]
c[2].metric("Average score", f"{sum(scored) / len(scored):.1f}%" if scored else "—")

st.subheader("Legislators")
if card.legislators:
    table(pd.DataFrame([{"legislator": m.name, "party": m.party, "chamber": m.chamber_name,
                         "district": m.district, "with us": m.with_us, "against us": m.against_us,
                         "absent": m.absent, "score %": m.score} for m in card.legislators]),
          hide_index=True, width="stretch")
    # Picked by what the box says, not by place in the list: the same member stays picked when the session,
    # chamber or dates change (a place would name whoever stands there now); two alike add the feed's id.
    labels = [f"{m.name} ({m.chamber_name or '?'})" for m in card.legislators]
    alike = {label for label in labels if labels.count(label) > 1}
    by_label = {(f"{label} · id {m.person_id or i}" if label in alike else label): m
                for i, (label, m) in enumerate(zip(labels, card.legislators, strict=True))}
    # Set on every run, not only dropped when stale: the browser shows a kept widget's old choice unless the
    # server sends one (it showed a Mississippi member above a California member's votes).
    if st.session_state.get("sc_member") not in by_label:
        st.session_state["sc_member"] = next(iter(by_label))  # that member is not on this scorecard: the first
    else:
        st.session_state["sc_member"] = st.session_state["sc_member"]
    who = st.selectbox("Votes of", list(by_label), key="sc_member")
    member = by_label[who]
    table(pd.DataFrame([{"bill": v.bill, "chamber": v.chamber_name, "date": v.date, "our position": v.stance,
                         "vote": v.option, "counted as": v.verdict} for v in member.votes]),
          hide_index=True, width="stretch")
else:
    st.info("No member votes are stored for these key votes.")

st.subheader("Key votes")
if card.key_votes:
    table(pd.DataFrame([{"bill": k.bill, "title": k.title, "position": k.stance, "with us": f"a {k.with_us}",
                         "chamber": k.chamber_name, "date": k.date, "motion": k.motion or k.body,
                         "result": k.result, "yes": k.yes, "no": k.no, "why": k.why,
                         "members' votes": "stored" if k.members else "tallies only",
                         "record": safe_url(k.url)} for k in card.key_votes]),
          column_config={"record": st.column_config.LinkColumn("record")}, hide_index=True, width="stretch")
else:
    st.info("No key votes in this scope.")

if can(user, Action.export) and card.key_votes:
    branding = None
    try:
        branding = load_branding()
    except ExportError as exc:
        st.error(md(exc))
    d = st.columns(2)
    d[0].download_button("Download CSV", scorecard_file(card, "csv", actor=user),
                         file_name=scorecard_filename(card, "csv"), mime=FORMATS["csv"][0], key="sc_csv",
                         on_click="ignore")
    if branding is not None:
        d[1].download_button("Download Excel", scorecard_file(card, "xlsx", actor=user, branding=branding),
                             file_name=scorecard_filename(card, "xlsx"), mime=FORMATS["xlsx"][0], key="sc_xlsx",
                             on_click="ignore")

if can(user, Action.mark_key_vote) and calls:
    st.subheader("Choose the key votes")
    by_id = {str(c["vote_event_id"]): c for c in calls}

    def _label(vid: str) -> str:
        c = by_id[vid]
        state = "key vote" if c["key"] else "not key"
        if c["mark"]:
            state += f", marked {c['mark']['decision']} by {c['mark']['author']}"
        elif c["default"]:
            state += ", final floor passage"
        tally = f"{c['yes']}-{c['no']}" if c["yes"] is not None else "no tally"
        return (f"{c['bill']} · {c['chamber_name'] or '?'} · {c['date'] or 'no date'} · "
                f"{c['motion'] or c['body'] or ''}"
                f" · {tally} · {state}")

    st.session_state["sc_roll_call"] = (st.session_state["sc_roll_call"] if st.session_state.get("sc_roll_call")
                                        in by_id else next(iter(by_id)))  # as "Votes of": the browser follows
    vid = st.selectbox("Roll call", list(by_id), format_func=_label, key="sc_roll_call")
    # The mark version this editor started from: taken when a roll call is picked (or the form drawn afresh), so
    # a save made after a colleague's mark on the same roll call is refused instead of silently overriding it.
    base = st.session_state.get("sc_base")
    if base is None or base[0] != vid or "sc_decision" not in st.session_state:
        st.session_state["sc_base"] = (vid, by_id[vid]["version"])
        st.session_state["sc_decision"] = by_id[vid]["mark"]["decision"] if by_id[vid]["mark"] else "default"
        st.session_state.pop("sc_conflict", None)
    with st.form("sc_mark"):
        decision = st.radio("Counts as", list(DECISION_LABELS), format_func=DECISION_LABELS.get, horizontal=True,
                            key="sc_decision")
        reason = st.text_input("Why (kept in its history)", key="sc_reason")
        if st.form_submit_button("Save"):
            try:
                with data.session() as s:
                    saved = mark_key_vote(s, actor=user, vote_event_id=int(vid), decision=decision, reason=reason,
                                          expected_version=st.session_state["sc_base"][1])
                st.session_state["sc_base"] = (vid, saved["version"])
                st.session_state.pop("sc_conflict", None)
                st.rerun()
            except KeyVoteConflict as exc:
                st.session_state["sc_conflict"] = str(exc)
            except (ScorecardError, PermissionDenied) as exc:
                st.error(md(exc))
    conflict = st.session_state.get("sc_conflict")
    if conflict:  # kept until resolved: the editor's own choice stays in the form meanwhile
        st.error(md(conflict))
        if st.button("Start again from their mark", key="sc_reload"):
            for key in ("sc_base", "sc_conflict", "sc_decision"):
                st.session_state.pop(key, None)
            st.rerun()
    with data.session() as s:
        history = key_vote_history(s, vote_event_id=int(vid))
    if history:
        table(pd.DataFrame([{"when": h["marked_at"], "who": h["author"], "counts as": h["decision"],
                             "why": h["reason"]} for h in history]), hide_index=True, width="stretch")
