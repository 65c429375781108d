"""One bill: where it stands, what it says, who moves it, and the council's position, notes and assignee."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.position_withdrawal import withdraw_position_control
from dashboard.components.render import (
    REDLINE_WORDS,
    assignment_line,
    change_ratio,
    counted,
    highlight,
    html_text,
    md,
    md_link,
    opening,
    progress_line,
    redline,
    shorten,
    stamp,
)
from dashboard.components.state import forget
from dashboard.components.widgets import export_buttons, safe_url, table
from tracker import executive_desk, notes, overview, positions, triage, watchlists
from tracker.bidi import without_bidi_controls
from tracker.bill_text import current_text, text_links
from tracker.dates import us_today
from tracker.exports import Selection
from tracker.exports.packet import describe_committees, official_status, sponsorship_label
from tracker.feed_names import feed_name
from tracker.matching.display import below_line, signals
from tracker.matching.queries import topics_for
from tracker.matching.training import scoring_scopes
from tracker.models.enums import STAGE_OUTCOMES, STAGE_PROGRESS, Priority
from tracker.permissions import Action, PermissionDenied, can
from tracker.queries import bill_choices, bill_detail, find_bills, version_texts
from tracker.references import bill_context, bill_number, bill_reference
from tracker.shown_actions import shown_actions
from tracker.sources.states import chamber_name
from tracker.votes import roll_call_title, tally_label

user = page_user()
SUMMARY_WHOLE = 3_000  # characters of a summary shown whole and open; a longer one opens with its first paragraphs
SUMMARY_OPENING = 1_500  # ... that fit in this many characters
STORED_TEXT_SHOWN = 100_000  # characters of a stored text the page shows; a budget bill runs to megabytes
READING_NAMES = {"Text": "HTML", "Link": "Open"}  # the formatted text (.htm) is an HTML page to whoever opens it


# -- which bill ---------------------------------------------------------------------------------------------
ref = st.query_params.get("id", "")
if not ref.isdigit() and not st.session_state.get("bill_ref"):
    st.title("Bill")  # nothing asked for yet (a bill typed below has its own heading)
# With a bill in the address the box to open another is in the sidebar; without one it is on the page itself: on a
# phone the sidebar is folded behind a button, so "type its number in the sidebar" sent people looking for it, and
# the bill typed there opened under the sidebar, still open over it.
where = st.sidebar if ref.isdigit() else st.container()
typed = where.text_input("Open bill (id or number, e.g. HR 3684)", key="bill_ref")
if typed:
    with data.session() as s:
        ids = find_bills(s, typed.strip())
        choices_of_ref = bill_choices(s, ids) if len(ids) > 1 else []
    if len(ids) == 1:
        ref = str(ids[0])
    elif len(ids) > 1:
        # The same number in several sessions (HR 1 of every Congress): none is opened by guess, the list is kept
        # so the one picked stays open and another can be picked.
        where.warning(f"{len(ids)} bills match; pick one:")
        for choice in choices_of_ref:
            where.page_link("views/bill.py", query_params={"id": str(choice["id"])}, label=md(
                bill_reference(choice["jurisdiction"], choice["session"], choice["identifier"],
                               session_name=choice["session_name"])), help=md(choice["title"][:300]))
        if ref not in {str(i) for i in ids}:
            ref = ""
    else:
        where.error("No bill matches that.")
if not ref or not str(ref).isdigit():
    st.info("Open a bill from the triage inbox, search or a watchlist, or type its number above.")
    st.stop()
bill_id = int(ref)

with data.session() as s:
    d = bill_detail(s, bill_id)
    if d is None:
        st.error(f"No bill with id {bill_id}.")
        st.stop()
    topics = topics_for(s, [bill_id], flagged_only=False).get(bill_id, [])
    scopes = scoring_scopes(s) if topics else {}
    position = positions.get_position(s, bill_id=bill_id)
    withdrawn = None if position else positions.withdrawal(s, bill_id=bill_id)
    history = positions.history(s, bill_id=bill_id)
    changes = overview.bill_changes(s, bill_id=bill_id)
    thread = notes.list_notes(s, bill_id=bill_id)
    assignment = triage.open_assignments(s, [bill_id]).get(bill_id)
    state = triage.triage_state(s, bill_id=bill_id)
    choices = data.choices(s)
    lists = watchlists.visible_watchlists(s, actor=user)
    on_lists = set(watchlists.watchlists_of_bill(s, actor=user, bill_id=bill_id))
    texts = version_texts(s, bill_id=bill_id)  # as the versions table: latest last
    awaiting = executive_desk.on_desk(s, tracked_only=False, bill_id=bill_id)

# -- heading and progress -----------------------------------------------------------------------------------
st.caption(md(f"{bill_context(d['jurisdiction'], d['session'], session_name=d['session_name'])} · "
              f"{d['classification']}"))
st.title(md(bill_number(d["jurisdiction"], d["identifier"])))
st.subheader(md(d["title"]))
for label, key in (("Short title", "short_title"), ("Popular title", "popular_title")):
    if d.get(key) and d[key] != d["title"]:
        st.markdown(f"**{label}:** {md(d[key])}")
outcome = d["stage"] if d["stage"] in [s.value for s in STAGE_OUTCOMES] else None
st.html(progress_line([s.value for s in STAGE_PROGRESS], d["stage"], outcome, d["jurisdiction"]))
facts = [f"Introduced {d['introduced_date'] or '—'}", f"latest action {d['latest_action_date'] or '—'}"]
if d.get("policy_area"):
    facts.append(f"policy area: {d['policy_area']}")
st.caption(md(" · ".join(facts)))
if d.get("latest_action_text"):
    st.markdown(f"**Latest action:** {md(d['latest_action_text'])}")
if status := official_status(d["status_text"], d["latest_action_text"]):
    # The legislature's or clerk's own word for where the bill stands (Legistar's "Laid Over in Committee"), the
    # headline of its own page; a federal feed's is its latest action, shown just above.
    st.markdown(f"**Official status:** {md(status)}")
if awaiting:  # presented to the executive: the last day to ask for a signature or a veto
    st.info(md(". ".join(filter(None, (executive_desk.deadline_words(awaiting[0]), awaiting[0]["rule"]))) + "."))

# What a lobbyist asks of a bill at once, above the long sections (on a phone they stood after every action): the
# current text to open (tracker.bill_text; web links only) and the next hearing, as the briefing packet gives them.
current = current_text(d["versions"])
if current is not None:
    st.markdown(f"**Current text:** {md(current.label)} · {md(current.date or 'undated')}")
    with st.container(horizontal=True):  # a row of buttons on a phone too, where columns would stack them
        for link in current.reading_links():
            if link is not None:
                st.link_button(READING_NAMES.get(link.kind, link.kind), link.url)
today = us_today().isoformat()  # as the packet and the overview: the day still running in every legislature
next_hearing = next((h for h in d["hearings"] if (h["date"] or "") >= today and not h["called_off"]), None)
if next_hearing is not None:
    st.markdown(md(" · ".join(filter(None, (f"{next_hearing['date']} {next_hearing['clock'] or ''}".strip(),
                                            next_hearing["body"], next_hearing["location"]))))
                .join(("**Next hearing:** ", "")))
else:
    st.caption("Next hearing: none scheduled in the tracker.")

main, side = st.columns([3, 2], gap="large")
# A phone shows columns one under the other (Streamlit stacks them below 640 px), and the side one came after the
# whole history: on H.R. 3684 the council's position stood some 21,000 px down, under every action and sponsor.
# There the side column (position, triage, briefing packet) goes first; a wide screen keeps it on the right.
side = side.container(key="bill_side")
st.html("<style>@media (max-width: 640px) {[data-testid='stColumn']:has(.st-key-bill_side) {order: -1}}</style>")

with main:
    if summary := d.get("summary"):
        # Almost every summary is short (99 in 100 of the 117th Congress's under 2,000 characters) and shown whole.
        # An omnibus bill's runs to tens of thousands (H.R. 3684: 55,194): its first paragraphs open, and the whole
        # of it is one click away, rather than some 13,000 px of page (or, as before, its first 20,000 characters
        # cut without a word).
        if len(summary) <= SUMMARY_WHOLE:
            with st.expander("Summary", expanded=True):
                st.markdown(md(summary))
        else:
            st.markdown("#### Summary")
            st.markdown(md(opening(summary, SUMMARY_OPENING)))
            with st.expander(f"The whole summary ({len(summary.split()):,} words)"):
                st.markdown(md(summary))
    st.markdown("#### Topics and evidence")
    if not topics:
        st.caption("No topic matched this bill.")
    else:
        st.caption("A topic flags at a score of 0.50 or more. Below that the score says how close it came: never "
                   "more than its keywords alone give, unless the bill fits it best of all topics.")
    for t in topics:
        flag = "flagged" if t["flagged"] else "not flagged"
        items = "".join(f"<li><small>{highlight(e.get('field'))}:</small> {highlight(e.get('snippet'))}</li>"
                        for e in t["evidence"][:6])
        st.html(f"<div><b>{highlight(t['name'])}</b> <small>score {below_line(t['score'], 0.5, '.2f')} · {flag} · "
                f"{html_text(signals(t, scopes.get(t['topic'])))}</small><ul style='margin:0'>{items}</ul></div>")

    st.markdown("#### Actions")
    if d["actions"]:
        # One line for an action two recording systems both list (BILLSTATUS), naming each chamber that did.
        table(pd.DataFrame([{"date": a["date"], "action": a["text"],
                             "by": " / ".join(dict.fromkeys(filter(None, (chamber_name(actor, d["jurisdiction"])
                                                                         for actor in a["actors"]))))}
                            for a in reversed(shown_actions(d["actions"]))], columns=["date", "by", "action"]),
              hide_index=True, width="stretch")
    else:
        st.caption("No actions recorded.")

    st.markdown("#### Sponsors")
    if d["sponsorships"]:
        table(pd.DataFrame([{"name": sp["name"], "party": sp["party"], "state": sp["state"],
                             "kind": sponsorship_label(sp["kind"]), "since": sp["date"] or "",
                             "withdrawn": sp["withdrawn_date"] or ""}
                            for sp in d["sponsorships"]]), hide_index=True, width="stretch")
    else:
        st.caption("No sponsors recorded.")

    if d["committees"]:
        st.markdown("#### Committees")
        # Named as packets name them: "House Armed Services Committee: Readiness Subcommittee", with what each did last.
        table(pd.DataFrame(describe_committees(d["committees"], d["jurisdiction"])), hide_index=True,
              width="stretch")

    st.markdown("#### Roll calls")
    if d["votes"]:
        def where(v: dict) -> str | None:
            return v["body"] or chamber_name(v["chamber"], d["jurisdiction"])

        # Roll calls the chamber numbers (federal ones, from BILLSTATUS) are named as the chamber names them and
        # linked to its record; their tallies are not in the feed, and a table would show them as empty counts.
        numbered = [v for v in reversed(d["votes"]) if v["roll_number"] is not None]
        if numbered:
            st.markdown("\n".join(
                f"- {md_link(roll_call_title(v['chamber'], v['roll_number'], v['date'], d['jurisdiction']), v['url'])}"
                + (f" — {md(v['motion'])}" if v["motion"] else "") + f" · *{tally_label(v['yes'], v['no'])}*"
                for v in numbered))
        others = [v for v in reversed(d["votes"]) if v["roll_number"] is None]
        if others:
            # Dataframe cells are plain text, never markdown or HTML: upstream motion text is shown as received.
            table(pd.DataFrame([{"date": v["date"], "where": where(v), "motion": v["motion"],
                                 "result": v["result"], "yes": v["yes"], "no": v["no"], "other": v["other"],
                                 "absent": v["absent"], "record": safe_url(v["url"])}
                                for v in others]),
                  column_config={"record": st.column_config.LinkColumn("record")}, hide_index=True,
                  width="stretch")
        elsewhere = ", ".join(f"{n} from {feed_name(name)}" for name, n in sorted(d["votes_elsewhere"].items()))
        st.caption(md(f"As {feed_name(d['votes'][0]['source'])} records them"
                      + (f"; also {elsewhere}." if elsewhere else ".")))
        with_members = [v for v in reversed(d["votes"]) if v["members"]]
        if with_members:
            with st.expander("How each member voted"):
                pick = st.selectbox("Roll call", range(len(with_members)), key=f"rollcall_{bill_id}",
                                    format_func=lambda i: without_bidi_controls(
                                        f"{with_members[i]['date'] or 'undated'} · {where(with_members[i]) or ''} · "
                                        f"{(with_members[i]['motion'] or '')[:80]}"))
                table(pd.DataFrame([{"member": m["name"] or m["person_id"], "vote": m["option"]}
                                    for m in with_members[pick]["members"]]), hide_index=True,
                      width="stretch")
    else:
        st.caption("No roll calls recorded.")

    if d["hearings"]:
        st.markdown("#### Hearings")
        table(pd.DataFrame([{"date": h["date"], "time": h["clock"],
                             "moved": f"from {h['moved_from']}" if h["moved_from"] else "", "body": h["body"],
                             "location": h["location"], "what": h["item"] or h["description"],
                             "called off": h["called_off"] or "", "agenda": safe_url(h["agenda_url"] or h["url"])}
                            for h in d["hearings"]]),
              column_config={"agenda": st.column_config.LinkColumn("agenda")}, hide_index=True,
              width="stretch")

    st.markdown("#### Versions")
    # The current text's buttons are at the top of the page; here every version's renditions.
    if d["versions"]:
        rows = []
        for v in d["versions"]:
            by_kind = {link.kind: link.url for link in text_links(v)}
            rows.append({"version": v["label"], "date": v["date"], "PDF": by_kind.get("PDF"),
                         "HTML/TXT": by_kind.get("Text") or by_kind.get("HTML"), "XML": by_kind.get("XML"),
                         "text stored": "yes" if v["has_text"] else "no"})
        table(pd.DataFrame(rows), column_config={
            kind: st.column_config.LinkColumn(kind, display_text=kind) for kind in ("PDF", "HTML/TXT", "XML")},
            hide_index=True, width="stretch")
    else:
        st.caption("No versions published yet.")
    if texts:
        label, day, body = texts[list(texts)[-1]]
        with st.expander(md(f"Text of {label} ({day or 'undated'})")):  # a feed's label: Markdown here
            # Plain text: upstream text is never read as markdown or HTML (nor turned around by bidi controls).
            st.text(without_bidi_controls(body[:STORED_TEXT_SHOWN]))
            if len(body or "") > STORED_TEXT_SHOWN:
                st.caption(f"The first {STORED_TEXT_SHOWN:,} of {len(body or ''):,} characters; the links above "
                           "open the whole text.")
    if len(texts) >= 2:
        with st.expander("Compare two versions (redline)"):
            ids = list(texts)
            label = {i: without_bidi_controls(f"{texts[i][0]} ({texts[i][1] or 'undated'})") for i in ids}
            c = st.columns(2)
            old_id = c[0].selectbox("From", ids, index=len(ids) - 2, format_func=label.get, key="redline_from")
            new_id = c[1].selectbox("To", ids, index=len(ids) - 1, format_func=label.get, key="redline_to")
            # Computed when asked for, not on every run of the page (an expander's body runs even when closed).
            if old_id != new_id and st.toggle("Show the changes", key="redline_show"):
                old, new = texts[old_id][2] or "", texts[new_id][2] or ""
                longest = max(len(old.split()), len(new.split()))
                cut = f" (in the first {REDLINE_WORDS:,} of {longest:,} words)" if longest > REDLINE_WORDS else ""
                st.caption(f"{change_ratio(old, new):.0%} of the words are shared{cut}.")
                st.html(redline(old, new))

    if d["related_bills"]:
        st.markdown("#### Related bills")
        table(pd.DataFrame([{"bill": bill_reference(r["jurisdiction"], r["session"], r["identifier"],
                                                        session_name=r.get("session_name"), compact=True),
                             "relationship": r["relationship"], "title": r["title"]}
                            for r in d["related_bills"]]), hide_index=True, width="stretch")

    if changes:
        shown = f"latest {len(changes)}" if len(changes) == overview.BILL_CHANGES_SHOWN else str(len(changes))
        with st.expander(f"What the feeds changed ({shown})"):
            # Dataframe cells are plain text: upstream names and action text are shown as received.
            table(pd.DataFrame([{"detected": stamp(c["detected_at"]), "what": c["what"], "detail": c["detail"],
                                 "source": feed_name(c["source"]) if c["source"] else ""} for c in changes]),
                  hide_index=True, width="stretch")

    st.markdown("#### Sources")
    links = [{"source": feed_name(src["source"]), "key": src["key"], "link": safe_url(src["url"]),
              "last fetched": stamp(src["last_fetched_at"])} for src in d["sources"]]
    links += [{"source": feed_name(d["source_name"]), "key": "", "link": safe_url(u),
               "last fetched": stamp(d["last_fetched_at"])}
              for u in d["source_urls"] if u not in {x["link"] for x in links}]
    if links:
        table(pd.DataFrame(links), column_config={"link": st.column_config.LinkColumn("link")},
              hide_index=True, width="stretch")
    st.caption(f"Last fetched {stamp(d['last_fetched_at'])}; upstream updated {stamp(d['upstream_updated_at'])}.")

with side:
    if st.query_params.get("from") == "inbox":
        # Opened from the inbox: one click on to the next bill of it, as filtered and sorted there (the filters
        # the inbox page kept), rather than back to the list to find one's place after judging each bill.
        # Working through the inbox bill by bill is a look at it: the reader's session (and marks) go on.
        flt = triage.InboxFilter.from_saved(st.session_state.get("kept_triage", {}), assignee_id=user.id,
                                            new_from=data.inbox_cut_off(user).at)
        with data.session() as s:
            following = triage.next_in_inbox(s, flt, after_id=bill_id)
            upcoming = bill_choices(s, [following]) if following is not None else []
        if upcoming:
            nxt = upcoming[0]
            st.page_link("views/bill.py", icon=":material/arrow_forward:", query_params={
                "id": str(nxt["id"]), "from": "inbox"}, label=md(
                f"Next in the inbox: {bill_number(nxt['jurisdiction'], nxt['identifier'])} — "
                f"{shorten(nxt['title'], 90)}"))
        else:
            st.caption("This is the last bill of the inbox as filtered.")
        st.page_link("views/triage.py", label="Back to the inbox", icon=":material/arrow_back:")
    st.markdown("#### The council's position")
    base_key = f"pos_base_{bill_id}"
    # The version this editor started from: taken when the form is drawn afresh (first visit, or back from another
    # page, which drops the form's widgets), so a save is checked against the version shown, not one seen earlier.
    fresh_form = base_key not in st.session_state or f"pos_stance_{bill_id}" not in st.session_state
    if fresh_form:
        st.session_state[base_key] = position["version"] if position else None
        st.session_state.pop(f"pos_conflict_{bill_id}", None)
    if position:
        st.markdown(f"**{md(position['stance'])}** · {md(position['priority'])} priority · version "
                    f"{position['version']}")
        if position["rationale"]:
            st.markdown(md(position["rationale"]))
        st.caption(md(f"by {position['author'] or 'unknown'} at {stamp(position['updated_at'])}"))
    elif withdrawn:
        st.markdown("**No position**")
        st.caption(md(f"{withdrawn['previous_stance']} withdrawn by {withdrawn['author'] or 'unknown'} at "
                      f"{stamp(withdrawn['updated_at'])} (version {withdrawn['version']})"
                      + (f": {withdrawn['reason']}" if withdrawn["reason"] else "")))
    else:
        st.caption("No position yet.")
    if can(user, Action.set_position):
        stances, prios = choices.stances, [p.value for p in Priority]
        if fresh_form:
            # Set through session state, not as the widgets' defaults: the browser keeps a widget's last value
            # unless the server sets it, so after a withdrawal or "Start again from their version" the form
            # went on showing the stance and priority just dropped.
            # No stance ready-made on a bill without one: "Support" stood in the form under "No position yet.",
            # and saving a priority or a rationale alone recorded the council as supporting the bill.
            st.session_state[f"pos_stance_{bill_id}"] = (position["stance"] if position and position["stance"]
                                                         in stances else None)
            st.session_state[f"pos_priority_{bill_id}"] = position["priority"] if position else Priority.medium.value
            st.session_state[f"pos_rationale_{bill_id}"] = (position["rationale"] or "") if position else ""
        with st.form(f"position_form_{bill_id}"):
            stance = st.selectbox("Position", stances, key=f"pos_stance_{bill_id}", index=None,
                                  placeholder="Choose a position")
            priority = st.selectbox("Priority", prios, key=f"pos_priority_{bill_id}")
            rationale = st.text_area("Rationale", key=f"pos_rationale_{bill_id}")
            save = st.form_submit_button("Save position")
        if save and stance is None:
            st.error("Choose a position to save.")
        elif save:
            try:
                with data.session() as s:
                    saved = positions.set_position(s, actor=user, bill_id=bill_id, stance=stance, priority=priority,
                                                   rationale=rationale, expected_version=st.session_state[base_key])
                st.session_state[base_key] = saved["version"]
                st.session_state.pop(f"pos_conflict_{bill_id}", None)
                st.session_state["pos_saved"] = f"Saved: {saved['stance']} (version {saved['version']})."
                st.rerun()
            except positions.PositionConflict as exc:
                st.session_state[f"pos_conflict_{bill_id}"] = str(exc)
            except (positions.PositionError, PermissionDenied) as exc:
                st.error(md(exc))
        conflict = st.session_state.get(f"pos_conflict_{bill_id}")
        if conflict:  # kept until resolved: the editor's own choices stay in the form meanwhile
            st.error(md(conflict))
            if st.button("Start again from their version", key="pos_reload"):
                for key in (base_key, f"pos_conflict_{bill_id}", f"pos_stance_{bill_id}", f"pos_priority_{bill_id}",
                            f"pos_rationale_{bill_id}"):
                    st.session_state.pop(key, None)
                st.rerun()
        msg = st.session_state.pop("pos_saved", None)
        if msg:
            st.success(md(msg))
    if position and can(user, Action.withdraw_position):
        withdraw_position_control(user, bill_id, position, base_key)
    if history:
        with st.expander(f"History ({counted(len(history), 'version')})"):
            table(pd.DataFrame([{
                "when": stamp(h["changed_at"]), "who": h["author"],
                "from": f"{h['previous_stance']} / {h['previous_priority']}" if h["previous_stance"] else "—",
                "to": "withdrawn" if h["withdrawn"] else f"{h['stance']} / {h['priority']}",
                "version": h["version"], "rationale or reason": h["rationale"]}
                for h in history]), hide_index=True, width="stretch")

    st.markdown("#### Triage")
    st.caption(md(f"{triage.judgement_words(state['status'], state['relevance'])}"
                  f" by {state['by']} at {stamp(state['at'])}"
                  + (f" — why: {state['reason']}" if state["reason"] and state["status"] == "dismissed" else ""))
               if state else "Not triaged yet.")
    if can(user, Action.triage):
        if st.session_state.pop("bill_dismiss_reason_used", False):
            st.session_state["bill_dismiss_reason"] = ""  # set, not dropped: the browser would send it back
        why = st.text_input("Why not relevant (optional)", key="bill_dismiss_reason",
                            max_chars=triage.MAX_REASON_CHARS)
        # The judgement this page showed before the click (this run read the bill's again): one a colleague made
        # since is refused, not overwritten unseen (tracker.triage: ``seen``).
        shown = state["changed_at"] if state else None
        seen = st.session_state.get(f"triage_seen_{bill_id}", shown)
        st.session_state[f"triage_seen_{bill_id}"] = shown
        c = st.columns(3)
        for col, (label, fn) in zip(c, {"Reviewed": triage.mark_reviewed, "Relevant": triage.mark_relevant,
                                        "Not relevant": triage.dismiss}.items(), strict=True):
            if col.button(label, key=f"bill_{fn.__name__}"):
                try:
                    with data.session() as s:
                        if fn is triage.dismiss:
                            fn(s, actor=user, bill_ids=[bill_id], reason=why, seen={bill_id: seen})
                        else:
                            fn(s, actor=user, bill_ids=[bill_id], seen={bill_id: seen})
                    st.session_state["bill_dismiss_reason_used"] = True
                    st.rerun()
                except (triage.TriageError, PermissionDenied) as exc:  # the reason typed stays in its box
                    st.error(md(exc))

    st.markdown("#### Assignee")
    st.markdown(assignment_line(assignment) if assignment else "Nobody yet.")
    if assignment and can(user, Action.triage) and (user.id == assignment["assignee_id"] or can(user, Action.assign)):
        if st.button("Mark done", key="bill_assignment_done", help="The follow-up is done: the assignment closes."):
            try:
                with data.session() as s:
                    triage.complete_assignment(s, actor=user, bill_id=bill_id)
                st.rerun()
            except PermissionDenied as exc:
                st.error(md(exc))
    if can(user, Action.assign) and choices.assignees:
        c = st.columns([3, 1])
        people = list(choices.assignees)
        holder = assignment["assignee_id"] if assignment else None
        # Nobody preselected but the person who has the bill: a default colleague got bills handed to them unasked.
        who = c[0].selectbox("Assign to", people, format_func=choices.assignees.get, key="bill_assignee",
                             index=people.index(holder) if holder in people else None,
                             placeholder="Choose a colleague", label_visibility="collapsed")
        c = st.columns([2, 1, 1], vertical_alignment="bottom")
        task = c[0].text_input("Task", key="bill_task")
        due = c[1].date_input("Due", value=None, key="bill_due")
        if c[2].button("Assign", key="bill_assign", disabled=who is None):
            try:
                with data.session() as s:
                    triage.assign(s, actor=user, bill_ids=[bill_id], assignee_id=who, task=task, due_date=due)
                st.rerun()
            except (triage.TriageError, PermissionDenied) as exc:
                st.error(md(exc))

    st.markdown("#### Notes")
    for n in thread:
        with st.container(border=True):
            st.caption(md(f"{n['author'] or 'unknown'} ({n['role']}) · {stamp(n['created_at'])}"))
            st.markdown(md(n["body"]))
            if notes.may_delete(user, author_id=n["author_id"]) and st.button("Delete", key=f"note_del_{n['id']}"):
                try:
                    with data.session() as s:
                        notes.delete_note(s, actor=user, note_id=n["id"])
                    st.rerun()
                except (notes.NoteError, PermissionDenied) as exc:  # deleted meanwhile, or the role changed
                    st.error(md(exc))
    if can(user, Action.comment):
        with st.form(f"note_form_{bill_id}"):
            # The box stops where add_note would refuse (a refused note keeps its text: dashboard.components.state).
            body = st.text_area("Add a note", key="note_body", max_chars=notes.MAX_NOTE_CHARS)
            if st.form_submit_button("Post note"):
                try:
                    with data.session() as s:
                        notes.add_note(s, actor=user, bill_id=bill_id, body=body)
                    forget("note_body")
                    st.rerun()
                except (notes.NoteError, PermissionDenied) as exc:
                    st.error(md(exc))

    st.markdown("#### Watchlists")
    if lists:
        names = {w["id"]: w["name"] for w in lists}
        st.caption("On: " + (md(", ".join(names[i] for i in on_lists if i in names)) or "none"))
        # Only lists this person may add to: a council member was offered staff's shared list, then refused.
        mine = [w["id"] for w in lists if w["id"] not in on_lists and w["editable"]]
        if not mine and not any(w["editable"] for w in lists):
            st.caption("No watchlist of yours to add it to (create one on the Watchlists page).")
        if mine:
            c = st.columns([3, 1])
            target = c[0].selectbox("Add to", mine, format_func=names.get, key="bill_watch",
                                    label_visibility="collapsed")
            if c[1].button("Follow", key="bill_follow"):
                try:
                    with data.session() as s:
                        watchlists.add_bills(s, actor=user, watchlist_id=target, bill_ids=[bill_id])
                    st.rerun()
                except (watchlists.WatchlistError, PermissionDenied) as exc:
                    st.error(md(exc))
    else:
        st.caption("No watchlists yet (create one on the Watchlists page).")

    if can(user, Action.export):
        st.markdown("#### Briefing")
        export_buttons(user, Selection(bills=(bill_id,)), key=f"bill_export_{bill_id}",
                       title=f"{d['identifier']} briefing", narrow=True)
