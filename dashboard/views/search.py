"""Search by bill number or by words in titles, summaries and bill text, with filters and saved searches.

A bill number ("HR 1234", "H.R. 1234", "AB 5", "Int 0123-2024"...) lists that number's bills first, each labelled
with its jurisdiction and session, then the word matches (tracker.search explains how a query is read)."""

import streamlit as st

from dashboard.components import data, state
from dashboard.components.auth import page_user
from dashboard.components.render import highlight, md, shorten
from dashboard.components.widgets import pair_columns_on_phone, save_filter_form, saved_filter_picker
from tracker import search, search_syntax, triage, watchlists
from tracker.bidi import without_bidi_controls
from tracker.exports.packet import stage_label
from tracker.models.enums import STAGE_OUTCOMES, STAGE_PROGRESS
from tracker.references import bill_reference

PAGE_SIZE = 25
KEYS = ("q", "q_jurisdiction", "q_stages", "q_topic", "q_position")
STAGES = [s.value for s in (*STAGE_PROGRESS, *STAGE_OUTCOMES)]

user = page_user()
st.title("Search")
state.restore("search")  # words, filters and page as they were before a result was opened

with data.session() as s:
    choices = data.choices(s)
    saved = watchlists.saved_filters(s, actor=user, page="search")
    shared_by = watchlists.shared_by(s, actor=user, filters=saved)
chosen = saved_filter_picker(user, saved, shared_by, label="Saved searches", key="q_saved")
if chosen is not None:
    for key in KEYS:
        if key in chosen.params:
            st.session_state[key] = chosen.params[key]
    st.rerun()

query = st.text_input("Bill number, or words in the title, summary or text", key="q",
                      placeholder="HR 3684, AB 5, Int 0123-2024, or facial recognition OR biometric -health")
with st.expander("How to search"):
    st.markdown("\n".join(f"- `{example}`: {what}" for example, what in search_syntax.HELP_LINES)
                + "\n- `HR 3684`, `AB 5`: a bill number, that bill in every jurisdiction and session first"
                + "\n\nWhile you type, the last word also finds longer words it starts (`robot`: robotics).")
pair_columns_on_phone(filters="q_filters", pager="q_head")  # the bill whose number was typed on the first screen
c = st.container(key="q_filters").columns(4)
jurisdiction = c[0].selectbox("Jurisdiction", ["", *choices.jurisdictions],
                              format_func=lambda k: without_bidi_controls(f"{k} — {choices.jurisdictions[k]}")
                              if k else "Any", key="q_jurisdiction")
stages = c[1].multiselect("Stage", STAGES, format_func=stage_label, key="q_stages")
topic = c[2].selectbox("Flagged for topic", ["", *choices.topics],
                       format_func=lambda k: choices.topics.get(k, "Any"), key="q_topic")
position = c[3].selectbox("Position", ["", *choices.stances], format_func=lambda k: k or "Any", key="q_position")

flt = search.SearchFilter(jurisdiction=jurisdiction or None, stages=tuple(stages), topic=topic or None,
                          position=position or None)
if st.session_state.get("q_signature") != repr((query, flt)):
    st.session_state["q_signature"] = repr((query, flt))
    st.session_state["q_page"] = 1
state.remember("search", (*KEYS, "q_page"))

if not query.strip() and flt == search.SearchFilter():
    st.caption("Type a bill number (HR 3684, H.R. 3684, S 22, AB 5, ABX1 1, Int 0123-2024, Int 123) to find it in "
               "every jurisdiction and session, or some words; every word must appear (the last may be the start of a "
               "word; \"quoted words\" must appear together, in that order; OR, -word and NOT: see How to search). "
               "Or choose a filter alone: a position lists the bills the council took it on, and -word narrows it.")
    st.stop()

page_no = int(st.session_state.get("q_page", 1))
with data.session() as s:
    read = search.read_query(s, query, where=search.filter_conditions(flt))
    rows, total = search.search(s, query, flt, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    also_names = search.names_not_searched(s, read.words)
    stands = triage.standing(s, [row["id"] for row in rows])  # the council's position and triage, per result
pages = max(1, -(-total // PAGE_SIZE))
head = st.container(key="q_head").columns([3, 1, 2])
head[0].markdown(f"**{total:,}** {'bill matches' if total == 1 else 'bills match'} · page {page_no} of {pages}")
head[1].number_input("Page", min_value=1, max_value=max(pages, page_no), step=1, key="q_page",
                     label_visibility="collapsed")
with head[2].popover("Save this search"):
    save_filter_form(user, page="search", params={k: st.session_state.get(k) for k in KEYS}, key="q_save",
                     noun="search")

if read.number is not None:
    numbered = len(read.number_ids)
    rest = f"; then the bills with the words “{read.words}”" if search.highlight_terms(read.words) else ""
    several = ", " in read.number  # "HR 22, S 22": two numbers typed
    st.info(md(f"Bill {'numbers' if several else 'number'} {read.number}: {numbered} "
               f"{'bill' if numbered == 1 else 'bills'} with {'these numbers' if several else 'this number'}, "
               f"in every jurisdiction and session that has one{rest}."))
elif query.strip() and not total:
    st.caption("No bill matches these words.")
if also_names:  # a lower-case word is searched as a word only (tracker.search._with_names)
    written = ", ".join(f"“{w[:1].upper()}{w[1:]}”" for w in also_names)
    st.caption(md(f"{', '.join(f'“{w}”' for w in also_names)} searched as "
                  f"{'a word' if len(also_names) == 1 else 'words'}; written with a capital ({written}), also "
                  "the bills of legislators of that name."))
terms = search.highlight_terms(read.words)
for row in rows:
    with st.container(border=True):
        label = bill_reference(row["jurisdiction"], row["session"], row["identifier"],
                               session_name=row["session_name"], jurisdiction_name=row["jurisdiction_name"])
        st.page_link("views/bill.py", label=md(label), query_params={"id": str(row["id"])},
                     icon=":material/tag:" if row["matched"] == "number" else None)
        st.html(f"<div>{highlight(shorten(row['title'], 500), terms)}</div>")
        by_number = "bill number · " if row["matched"] == "number" else ""
        stand = stands.get(row["id"], {})
        st.caption(md(f"{by_number}{stage_label(row['stage'], row['jurisdiction'])} · latest action "
                      f"{row['latest_action_date'] or '—'}"
                      + (f" · position: {stand['position']}" if stand.get("position") else "")
                      + (f" · {stand['judgement']}" if stand.get("judgement") else "")))
