"""Triage inbox: bills flagged since their last review, with evidence, filters and bulk judgements."""

import datetime as dt
from dataclasses import replace
from typing import Any

import streamlit as st
from sqlmodel import Session

from dashboard.components import data, state
from dashboard.components.auth import page_user
from dashboard.components.render import assignment_line, counted, highlight, md, shorten
from dashboard.components.widgets import pair_columns_on_phone, save_filter_form, saved_filter_picker
from tracker import positions, triage, visits, watchlists
from tracker.bidi import without_bidi_controls
from tracker.exports.packet import stage_label
from tracker.models.enums import STAGE_OUTCOMES, STAGE_PROGRESS, Priority
from tracker.permissions import Action, PermissionDenied, can, who_may
from tracker.references import bill_reference

PAGE_SIZE = 25
FILTER_KEYS = ("f_view", "f_topic", "f_jurisdiction", "f_stages", "f_min_score", "f_since", "f_text", "f_sort",
               "f_mine", "f_new", "f_dead")
STAGES = [s.value for s in (*STAGE_PROGRESS, *STAGE_OUTCOMES)]



@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _count(db_url: str, version: tuple, flt: triage.InboxFilter) -> int:
    """Keyed on the data version: any triage, crawl or rule change gives a new count at once; a new sort or
    page reuses it."""
    with Session(data.engine()) as s:
        return triage.count_inbox(s, flt)


@st.cache_data(ttl=600, show_spinner=False, max_entries=64)
def _dead_left_out(db_url: str, version: tuple, flt: triage.InboxFilter) -> int:
    with Session(data.engine()) as s:
        return triage.count_dead_left_out(s, flt)


user = page_user()
may_triage = can(user, Action.triage)
state.restore("triage")  # filters, sort and page as they were before a bill was opened
st.title("Triage inbox" if may_triage else "Flagged bills")
if not may_triage:  # a link to "the triage inbox" opens this page: say why it has no judging buttons
    st.caption(f"Triage (reviewing, dismissing, assigning) is for {who_may(Action.triage)}; here you read the bills "
               "the topics flagged.")

# Every run is a look at the inbox (a reload, a tick, a judgement): recorded, and the reader's cut-off for "new",
# which holds while they work (tracker.visits).
cut_off = data.inbox_cut_off(user)
with data.session() as s:
    choices = data.choices(s)
    saved = watchlists.saved_filters(s, actor=user, page="triage")
    shared_by = watchlists.shared_by(s, actor=user, filters=saved)

# -- saved filters: applying one sets the widgets' state before they are drawn ------------------------------
chosen = saved_filter_picker(user, saved, shared_by, label="Saved filters", key="saved")
if chosen is not None:
    params = chosen.params
    for key in FILTER_KEYS:
        if key in params:
            value = params[key]
            st.session_state[key] = dt.date.fromisoformat(value) if key == "f_since" and value else value
    st.session_state["f_page"] = 1
    st.rerun()

pair_columns_on_phone(filters="f_filters", pager="f_head")  # on a phone, the first bill on the first screen
with st.container(border=True, key="f_filters"):
    c = st.columns(4)
    # Staff open on their work queue, the bills flagged since their last review. A reader (council member,
    # lobbyist) reviews nothing: that queue hid every bill staff had reviewed, those given a position included,
    # so the bills the council supports or opposes were missing, and the count disagreed with the Overview's
    # "Flagged for the council", which is "Flagged, not dismissed".
    view = c[0].selectbox("Show", list(triage.VIEWS), format_func=triage.VIEWS.get, key="f_view",
                          index=0 if may_triage else list(triage.VIEWS).index("flagged"),
                          disabled=may_triage and bool(st.session_state.get("f_mine")),
                          help="Your assignments show whatever their triage state while \"Assigned to me\" is "
                               "ticked." if may_triage else None)
    topic = c[1].selectbox("Topic", ["", *choices.topics], format_func=lambda k: choices.topics.get(k, "Any topic"),
                           key="f_topic")
    jurisdiction = c[2].selectbox("Jurisdiction", ["", *choices.jurisdictions],
                                  format_func=lambda k: without_bidi_controls(f"{k} — {choices.jurisdictions[k]}")
                                  if k else "Any",
                                  key="f_jurisdiction")
    sort = c[3].selectbox("Sort by", list(triage.SORTS), format_func=triage.SORTS.get, key="f_sort")
    c = st.columns(4)
    stages = c[0].multiselect("Stage", STAGES, format_func=stage_label, key="f_stages")
    min_score = c[1].number_input("Minimum score", min_value=0.0, value=None, step=0.5, key="f_min_score")
    since = c[2].date_input("Latest action since", value=None, key="f_since")
    text = c[3].text_input("Title contains, or bill number", key="f_text", placeholder="privacy, or HR 3684")
    c = st.columns(4)
    # Short labels: two to a row on a phone, "Only bills assigned to me" was cut to "Only bills assigned t…".
    # Only triage roles take assignments (tracker.triage.assign): a reader's tick could only ever list nothing.
    mine = c[0].checkbox("Assigned to me", key="f_mine") if may_triage else False
    since_words = cut_off.words  # "since your last visit"; with none recorded "since yesterday", "since Friday"
    new_from = cut_off.at
    if cut_off.last_visit:
        new_help = (f"Bills a topic first flagged since {cut_off.when}, Washington time: the last time you looked "
                    "at the inbox before this working session (a session ends after "
                    f"{visits.VISIT_GAP.seconds // 3600} hours without a look, so reloads and ticks keep the marks).")
    else:
        new_help = (f"Bills a topic first flagged since {cut_off.when}, Washington time: midnight at the start of "
                    "the previous working day (on a Monday, Friday's: the weekend's crawls included). No earlier "
                    "visit of yours to the inbox is recorded; from your next working session, new counts from "
                    "your last visit.")
    # "New since your last visit" would be cut at half a phone's width: the rule is in its help.
    new_only = c[1 if may_triage else 0].checkbox("New to me" if cut_off.last_visit else f"New {since_words}",
                                                  key="f_new", help=new_help)
    # "Dead bills too", drawn below once the count says whether the inbox left any out: a row of its own on a
    # phone, it would push the first bill below the first screen of every inbox that leaves none out.
    dead_slot = c[2 if may_triage else 1].empty()
    with_dead = view == "inbox" and not mine and bool(st.session_state.get("f_dead"))

flt = triage.InboxFilter(view=view, topic=topic or None, jurisdiction=jurisdiction or None, stages=tuple(stages),
                         min_score=min_score, since=since, text=text or None, sort=sort,
                         assignee_id=user.id if mine else None, flagged_after=new_from if new_only else None,
                         with_dead=with_dead)
signature = repr(flt)
if st.session_state.get("f_signature") != signature:  # a new filter starts at its first page
    st.session_state["f_signature"] = signature
    st.session_state["f_page"] = 1

with data.session() as s:
    version = data.data_version(s)
    total = _count(data.url(), version, replace(flt, sort="score", descending=True))
    new = _count(data.url(), version, replace(flt, sort="score", descending=True, flagged_after=new_from))
    dead = _dead_left_out(data.url(), version, replace(flt, sort="score", descending=True, with_dead=False))
    pages = max(1, -(-total // PAGE_SIZE))
    # Judging the last page's bills shrinks the inbox under the page number: show the new last page, not an
    # empty "page 80 of 79" that says nothing matches.
    page_no = min(int(st.session_state.get("f_page", 1)), pages)
    st.session_state["f_page"] = page_no
    rows, _ = triage.inbox(s, flt, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE, count=False)

head = st.container(key="f_head").columns([3, 1, 2])
# The last visit's time in the count line itself; the working-day rule's midnight is in the tick's help (a caption
# of its own pushed the first bill below a phone's first screen).
stamp = f" ({cut_off.when})" if cut_off.last_visit else ""
if view == "inbox" and not mine and (dead or with_dead):
    # Short label for a phone's half width; what it means is in its help.
    dead_slot.checkbox("Dead bills too", key="f_dead",
                       help="Bills that failed or were withdrawn before anyone reviewed them (a city's resolutions "
                            "filed at the end of an old session, brought by its first crawl) need no decision and "
                            "are left out of this view. One that dies after its review stays, as changed since "
                            "reviewed. Choosing the stage Failed or Withdrawn, or another view, lists them too.")
left_out = f"{dead:,} dead not listed · " if dead and not with_dead else ""  # "Dead bills too" lists them
head[0].markdown(f"**{total:,}** {'bill' if total == 1 else 'bills'} · {new:,} new {since_words}{stamp} · "
                 f"{left_out}page {page_no} of {pages}")
head[1].number_input("Page", min_value=1, max_value=pages, step=1, key="f_page", label_visibility="collapsed")
state.remember("triage", (*FILTER_KEYS, "f_page"))
with head[2].popover("Save this filter"):
    params = {k: st.session_state.get(k) for k in FILTER_KEYS}
    params["f_since"] = params["f_since"].isoformat() if params.get("f_since") else None
    save_filter_form(user, page="triage", params=params, key="save_filter", noun="filter")

if not rows:
    st.info("Nothing to triage here: no flagged bill matches these filters." if view == "inbox"
            else "No bills match these filters.")
elif may_triage:
    # One click for the page: ticking 25 boxes one by one reran the whole page 25 times. Set before the boxes
    # are drawn, in this same run.
    pick_cols = st.columns([1, 1, 4])
    for col, key, label, value in ((pick_cols[0], "select_page", "Select this page", True),
                                   (pick_cols[1], "select_none", "Clear selection", False)):
        if col.button(label, key=key):
            for row in rows:
                st.session_state[f"sel_{row['id']}"] = value

def _done_with(bill_ids: list[int]) -> None:
    """Untick the bills a bulk action just handled: ticks left standing (on bills assigned, or given a position
    in a view that keeps them) went along with the next batch's action, a dismissal included."""
    for bid in bill_ids:
        st.session_state.pop(f"sel_{bid}", None)


selected: list[int] = []
# The position versions, judgements and names of the bills as last shown: a bulk action is checked against what
# the staffer saw, not what this run (started by the button) reads, or a colleague's change saved meanwhile was
# overwritten.
Shown = tuple[int | None, Any, str]  # position version, judgement's stamp (triage ``seen``), name
shown_before: dict[int, Shown] = st.session_state.get("triage_shown", {})
shown_now: dict[int, Shown] = {}
for row in rows:
    shown_now[row["id"]] = (row["position_version"], row["judged_stamp"], bill_reference(
        row["jurisdiction"], row["session"], row["identifier"], session_name=row.get("session_name"), compact=True))
    with st.container(border=True):
        top = st.columns([0.4, 6, 2]) if may_triage else st.columns([0.01, 6, 2])
        if may_triage and top[0].checkbox("select", key=f"sel_{row['id']}", label_visibility="collapsed"):
            selected.append(row["id"])
        top[1].page_link("views/bill.py",
                         label=md(bill_reference(row["jurisdiction"], row["session"], row["identifier"],
                                                  session_name=row.get("session_name"))),
                         query_params={"id": str(row["id"]), "from": "inbox"})  # the bill page's "next"
        top[1].markdown(md(shorten(row["title"], 400)))
        status = (f"changed since reviewed by {row['judged_by'] or 'unknown'} on {row['judged_at']}: "
                  + (", ".join(row["changes_since_review"])
                     or "details only (no new action, stage, text, title or sponsor)")
                  + (f" · {triage.RELEVANCE_WORDS.get(row['relevance'], row['relevance'])}" if row["relevance"] else "")
                  if row["changed_since_review"] else triage.judgement_words(row["status"], row["relevance"]))
        if row["judged_at"] and not row["changed_since_review"]:  # who to ask about a dismissal, and since when
            status += f" · by {row['judged_by'] or 'unknown'} on {row['judged_at']}"
        if row["reason"] and row["status"] == "dismissed":
            status += f"  \nwhy: {shorten(row['reason'], 200)}"
        score = f"score {row['score']:.2f}" if row["score"] is not None else "not flagged"  # an assignment
        if row["first_flagged_at"] is not None and row["first_flagged_at"] >= new_from:
            score = f"new {since_words} · {score}"
        if row["ceremonial"]:  # why a high score sits below the substantive bills (tracker.matching.ceremonial)
            score += f" · ceremonial: {row['ceremonial']}"
        # A city's matter says what it is and where its clerk says it stands: "Contract · official status: Agenda
        # Ready" (its file number, "2018-0609", says neither); a federal bill's number says its kind.
        what = " · ".join(x for x in (row["kind"] and md(row["kind"]), row["official_status"] and
                                      f"official status: {md(row['official_status'])}") if x)
        top[2].caption(f"{score} · {md(stage_label(row['stage'], row['jurisdiction']))}  \n"
                       + (f"{what}  \n" if what else "")
                       + f"latest action {row['latest_action_date'] or '—'}  \n{md(status)}"
                       + (f"  \nposition: {md(row['position'])}" if row["position"] else "")
                       + (f"  \nassigned: {assignment_line(row['assignment'])}" if row["assignment"] else ""))
        for t in row["topics"][:3]:
            snippets = "".join(f"<li><small>{highlight(e.get('field', ''))}:</small> {highlight(e.get('snippet'))}</li>"
                               for e in t["evidence"][:3])
            st.html(f"<div><b>{highlight(t['name'])}</b> <small>({t['score']:.2f})</small>"
                    f"<ul style='margin:0'>{snippets}</ul></div>")

st.session_state["triage_shown"] = shown_now

if may_triage and rows:
    st.divider()
    st.markdown(f"**{len(selected)} selected**")
    if st.session_state.pop("bulk_reason_used", False):
        # Set, not dropped: a dropped key leaves the browser showing (and sending back) the last reason.
        st.session_state["bulk_reason"] = ""
    reason = st.text_input("Why not relevant (optional, kept with a dismissal)", key="bulk_reason",
                           max_chars=triage.MAX_REASON_CHARS,
                           placeholder="Commemorative resolution; radio, not broadband")
    cols = st.columns(4)
    actions = {"Mark reviewed": triage.mark_reviewed, "Mark relevant": triage.mark_relevant,
               "Dismiss as not relevant": triage.dismiss, "Back to inbox": triage.reopen}
    for col, (label, fn) in zip(cols, actions.items(), strict=True):
        if col.button(label, key=f"bulk_{fn.__name__}", disabled=not selected):
            # One bill at a time, as positions below: a bill a colleague judged since it was shown is kept and
            # named, the others are judged.
            done: list[int] = []
            refused = []
            try:
                for bid in selected:
                    _, judged, name = shown_before.get(bid) or shown_now[bid]
                    extra = {"reason": reason} if fn is triage.dismiss else {}
                    try:
                        with data.session() as s:
                            fn(s, actor=user, bill_ids=[bid], seen={bid: judged}, **extra)
                        done.append(bid)
                    except triage.TriageConflict as exc:
                        refused.append(f"{name}: {exc}")
            except (triage.TriageError, PermissionDenied) as exc:
                _done_with(done)  # judged already: ticked again, they would be refused as changed since seen
                st.error(md(exc))
            else:
                _done_with(selected)
                if fn is triage.dismiss:  # this batch's reason is not the next one's
                    st.session_state["bulk_reason_used"] = True
                if refused:
                    st.session_state["bulk_refused"] = refused
                state.notice(f"{label}: {counted(len(done), 'bill')}")
                st.rerun()
    cols = st.columns(2)
    with cols[0].container(border=True):
        who = st.selectbox("Assign to", list(choices.assignees), format_func=choices.assignees.get, key="bulk_assignee",
                           index=None, placeholder="Choose a colleague")
        task = st.text_input("Task", key="bulk_task")
        due = st.date_input("Due", value=None, key="bulk_due")
        if st.button("Assign", key="bulk_assign", disabled=not selected or who is None):
            try:
                with data.session() as s:
                    n = triage.assign(s, actor=user, bill_ids=selected, assignee_id=who, task=task, due_date=due)
                _done_with(selected)
                state.notice(f"Assigned {counted(n, 'bill')}")
                st.rerun()
            except (triage.TriageError, PermissionDenied) as exc:
                st.error(md(exc))
    if can(user, Action.set_position):
        with cols[1].container(border=True):
            # None ready-made: one click on "Set position" set Support on every selected bill.
            stance = st.selectbox("Position", choices.stances, key="bulk_stance", index=None,
                                  placeholder="Choose a position")
            priority = st.selectbox("Priority", [p.value for p in Priority], index=1, key="bulk_priority")
            if st.session_state.pop("bulk_rationale_used", False):
                st.session_state["bulk_rationale"] = ""  # set, not dropped: the browser would send it back
            why = st.text_area("Rationale (optional, for every selected bill)", key="bulk_rationale", height=68,
                               placeholder="Only with the small-business exemption")
            if st.button("Set position", key="bulk_position", disabled=not selected or stance is None):
                done, refused = 0, []
                for bid in selected:
                    seen_version, _, label = shown_before.get(bid) or shown_now[bid]
                    try:
                        with data.session() as s:
                            # Left blank, a bill keeping its stance keeps its written reasons (packets print
                            # them); a new stance starts without the old one's (kept in history).
                            current = positions.get_position(s, bill_id=bid)
                            keep = why.strip() or (current["rationale"] if current and current["stance"] == stance
                                                   else None)
                            positions.set_position(s, actor=user, bill_id=bid, stance=stance, priority=priority,
                                                   rationale=keep, expected_version=seen_version)
                        done += 1
                    except (positions.PositionConflict, positions.PositionError) as exc:
                        refused.append(f"{label}: {exc}")  # which of the selected bills
                _done_with(selected)  # a refused one is named below, to be judged on its own
                st.session_state["bulk_rationale_used"] = True  # this batch's reasons are not the next one's
                if refused:
                    st.session_state["bulk_refused"] = refused
                state.notice(f"Position set on {counted(done, 'bill')}")
                st.rerun()
refused = st.session_state.pop("bulk_refused", None)
if refused:
    st.warning("Some of the selected bills were left as they were:  \n" + "  \n".join(md(r) for r in refused))
