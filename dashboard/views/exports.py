"""Briefing packets: pick bills by topic, position, priority, jurisdiction, watchlist, sponsor, committee, stage or
hearing day; download PDF, Word, Excel, CSV or JSON (built by tracker.exports.build_packet, the same as `tracker
export`)."""

import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.widgets import export_buttons
from tracker import watchlists
from tracker.bidi import without_bidi_controls
from tracker.exports import Selection
from tracker.exports.packet import stage_label
from tracker.models.enums import Priority, Stage
from tracker.permissions import Action, can
from tracker.queries import BillFilter

user = page_user()
st.title("Export briefing packets")
if not can(user, Action.export):
    st.error("Your role cannot export packets.")
    st.stop()

with data.session() as s:
    choices = data.choices(s)
    lists = watchlists.visible_watchlists(s, actor=user)
    saved = [f for page in ("triage", "search") for f in watchlists.saved_filters(s, actor=user, page=page)]
    shared_by = watchlists.shared_by(s, actor=user, filters=saved)
    # By id: two people may each share a filter of the same name on the same page.
    filters = {f"#{f.id}": f"{f.name} ({f.page}" + (f", shared by {shared_by[f.id]})" if f.id in shared_by else ")")
               for f in saved}

c = st.columns(2)
topics = c[0].multiselect("Topics", list(choices.topics), format_func=choices.topics.get, key="x_topics")
stances = c[1].multiselect("Positions", choices.stances, key="x_positions")
c = st.columns(3)
priorities = c[0].multiselect("Priorities", [p.value for p in Priority], key="x_priorities")
# Named as the inbox names them: "al" and "ak" alone left a lobbyist guessing which was Alaska.
jurisdictions = c[1].multiselect("Jurisdictions", list(choices.jurisdictions), key="x_jurisdictions",
                                 format_func=lambda k: without_bidi_controls(f"{k} — {choices.jurisdictions[k]}"))
wl = c[2].multiselect("Watchlists", [str(w["id"]) for w in lists],
                      format_func=lambda i: next(w["name"] for w in lists if str(w["id"]) == i), key="x_watchlists")
saved_filter = st.selectbox("Saved filter", ["", *filters], format_func=lambda k: filters.get(k, "None"),
                            key="x_saved_filter") if filters else ""
sponsor = st.text_input("Sponsored or cosponsored by", key="x_sponsor", placeholder="Adam Smith, or S000510",
                        help="One legislator, by words of the name (accents and case ignored) or member id: "
                             "a packet for a meeting with them, which opens with how they voted on the council's "
                             "key bills.")
committee = st.text_input("Referred to committee", key="x_committee",
                          placeholder="House Energy and Commerce, or hsif00",
                          help="One committee or subcommittee, by words of its name with the chamber or its code: "
                               "a packet for a meeting with its staff.")
# A committee's hearing is about the bills still before it: "In committee" leaves out those it has reported.
stages = st.multiselect("Stages", [str(x.value) for x in Stage], format_func=stage_label, key="x_stages",
                        help="Where the bills stand now, e.g. In committee for the bills still before a committee.")
hearing_on = st.date_input("On a hearing agenda on", value=None, key="x_hearing_on", format="YYYY-MM-DD",
                           help="The bills on the agendas of that day's hearings (cancelled ones aside): a packet "
                                "for a hearing day.")
c = st.columns([3, 1])
title = c[0].text_input("Packet title", value="Legislative briefing packet", key="x_title")
# A PDF or Word packet holds at most 1,000 bills: the first ones by priority, then latest action, come first.
limit = c[1].number_input("At most (0: all)", min_value=0, value=0, step=50, key="x_limit",
                          help="The first bills by the council's priority, then most recent action.")
selection = Selection(topics=tuple(topics), positions=tuple(stances), priorities=tuple(priorities),
                      jurisdictions=tuple(jurisdictions), watchlists=tuple(wl),
                      sponsors=(sponsor.strip(),) if sponsor.strip() else (),
                      committees=(committee.strip(),) if committee.strip() else (),
                      hearing_dates=(hearing_on,) if hearing_on else (),
                      filter=BillFilter(stage=tuple(stages)) if stages else None,
                      saved_filter=saved_filter or None, user_id=user.id, limit=int(limit) or None)
if not selection.has_criteria():
    st.info("Choose at least one topic, position, priority, jurisdiction, watchlist, sponsor, committee, stage, "
            "hearing day or saved filter.")
    st.stop()
with_notes = st.checkbox("Include staff notes (internal)", key="x_notes",
                         help="Each bill's notes from its page, under the council's position; the cover says the "
                              "packet holds them. Leave off for a packet you hand out.")
export_buttons(user, selection, key="x_packet", title=title, include_notes=with_notes)
