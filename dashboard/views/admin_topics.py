"""Admin: topics and their rules, with a preview of how many stored bills a rule would hit before saving it."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import highlight, md
from dashboard.components.widgets import table
from tracker.matching import topics as topic_service
from tracker.matching import training
from tracker.matching.jobs import learn_schedule
from tracker.matching.learning import MIN_ORG, ORG_SCOPE
from tracker.permissions import Action, PermissionDenied, require

user = page_user()
st.title("Topics and rules")
try:
    require(user, Action.manage_topics)
except PermissionDenied as exc:
    st.error(md(exc))
    st.stop()

with data.session() as s:
    listing = topic_service.list_topics(s)
if not listing:
    st.info("No topics yet: `tracker topics load` reads the defaults from tracker/topics.yaml.")
    st.stop()

table(pd.DataFrame([{"topic": t["name"], "slug": t["slug"], "enabled": t["enabled"],
                     "threshold": t["threshold"], "rules": len(t["rules"]), "flagged bills": t["flagged_bills"],
                     "rule version": t["rule_version"]} for t in listing]), hide_index=True, width="stretch")

by_slug = {t["slug"]: t for t in listing}
slug = st.selectbox("Topic", list(by_slug), format_func=lambda k: by_slug[k]["name"], key="tp_topic")
topic = by_slug[slug]
if topic["description"]:
    st.caption(md(topic["description"]))
table(pd.DataFrame([{"id": r["id"], "rule": r["expression"], "weight": r["weight"],
                     "excludes": r["exclude"], "enabled": r["enabled"], "note": r["note"]}
                    for r in topic["rules"]]), hide_index=True, width="stretch")

st.subheader("Try or add a rule")
expression = st.text_input("Rule", key="tp_expr", placeholder='"facial recognition" OR biometric*')
c = st.columns([1, 1, 1, 2])
weight = c[0].number_input("Weight", value=1.0, step=0.5, key="tp_weight")
exclude = c[1].checkbox("Exclusion rule", key="tp_exclude")
if c[2].button("Preview hits", key="tp_preview", disabled=not expression.strip()):
    try:
        with data.session() as s:
            st.session_state["tp_result"] = topic_service.try_rule(s, expression=expression)
    except (topic_service.TopicError, ValueError) as exc:
        st.error(md(exc))
result = st.session_state.get("tp_result")
if result and result["expression"] == expression:
    st.markdown(f"**{result['hits']:,}** of {result['bills']:,} stored bills would match "
                f"(title {result['by_field']['title']:,}, summary {result['by_field']['summary']:,}, "
                f"text {result['by_field']['text']:,}).")
    for sample in result["samples"]:
        ev = "".join(f"<li>{highlight(e.get('snippet'))}</li>" for e in sample["evidence"][:2])
        st.html(f"<div><b>{highlight(sample['bill'])}</b> {highlight(sample['title'][:300])}<ul>{ev}</ul></div>")
if c[3].button("Add rule to topic (rescores it)", key="tp_add", disabled=not expression.strip()):
    try:
        with data.session() as s:
            topic_service.add_rule(s, topic=slug, expression=expression, weight=weight, exclude=exclude, actor=user)
        st.session_state.pop("tp_result", None)
        st.success("Rule added and the topic rescored.")
        st.rerun()
    except (topic_service.TopicError, PermissionDenied, PermissionError, ValueError) as exc:
        st.error(md(exc))

st.subheader("Learning from triage")
with data.session() as s:
    learning = training.learning_status(s)
st.markdown(f"**{learning.relevant:,}** bills marked relevant and **{learning.not_relevant:,}** dismissed as not "
            f"relevant (at least {MIN_ORG} of each before anything is learned).")
if learning.models:
    table(pd.DataFrame([{"model": "organisation-wide" if m["scope"] == ORG_SCOPE else m["scope"],
                         "relevant": m["positives"], "not relevant": m["negatives"], "cv F1": m["cv_f1"],
                         "keyword F1": m["keyword_f1"], "in use": m["active"],
                         "scores": ", ".join(t for t, scope in learning.scoring.items()
                                             if scope == m["scope"]) or "-"}
                        for m in learning.models]), hide_index=True, width="stretch")
if learning.behind:
    st.info(md(f"Stored flags lag the judgements: {learning.behind}. The nightly learning job re-scores them "
               f"({learn_schedule()} UTC, crontab); or now:"))
    if st.button("Learn and re-score every bill now", key="tp_learn"):
        try:
            with data.session() as s:
                n = topic_service.learn_now(s, actor=user)
            st.success(f"Re-scored {n:,} bills.")
            st.rerun()
        except (topic_service.TopicError, PermissionDenied, PermissionError) as exc:
            st.error(md(exc))
else:
    last = learning.last_full_rescore
    when = f" (last full re-score {last:%Y-%m-%d %H:%M} UTC)" if last else ""
    st.caption(f"Every stored bill was scored from the current judgements{when}.")
