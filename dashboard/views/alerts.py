"""My alerts: what I follow and how often, email on/off, my feed URLs, and the delivery log (admins see
everyone's failed sends and can queue them again)."""

import pandas as pd
import streamlit as st

from dashboard.components import data
from dashboard.components.auth import page_user
from dashboard.components.render import counted, md
from dashboard.components.state import forget
from dashboard.components.widgets import table
from tracker.alerts import delivery, feeds, subscriptions
from tracker.alerts.render import KIND_TITLES
from tracker.alerts.settings import WEEKDAY_NAMES, WEEKDAYS, alert_settings
from tracker.permissions import Action, PermissionDenied, can
from tracker.watchlists import visible_watchlists

KIND_LABELS = {"topic": "Topic", "position": "Council position", "watchlist": "Watchlist", "bill": "One bill",
               "jurisdiction": "Jurisdiction"}

user = page_user()
st.title("Alerts")

with data.session() as s:
    prof = subscriptions.profile(s, user)
    email_on = prof.email_enabled
    # A person's role defaults are given when they first look, not at the next alert run: what they will receive.
    mine, given = subscriptions.followed(s, user=user, actor=user)
    choices = data.choices(s)
    lists = visible_watchlists(s, actor=user)
    has_secret = prof.feed_token_hash is not None
    # A new secret is shown on the run after it was made, and never again: only its hash is stored.
    fresh = st.session_state.pop("alerts_new_feed_secret", None)
    urls = feeds.feed_urls(s, user=user, token=fresh or feeds.SECRET_PLACEHOLDER)
    my_log = delivery.delivery_log(s, user_id=user.id, limit=20, actor=user)

if email_on:
    st.caption(f"Digests go to {md(user.email)}.")
    if st.button("Stop all alert emails", key="alerts_stop"):
        with data.session() as s:
            subscriptions.stop_email(s, user=user, actor=user)
        st.rerun()
else:
    st.warning("Alert emails are off for your address (unsubscribed). Feeds keep working.")
    if st.button("Turn alert emails back on", key="alerts_resume"):
        with data.session() as s:
            subscriptions.resume_email(s, user=user, actor=user)
        st.rerun()

st.subheader("What you follow")
if given and user.role in subscriptions.ROLE_DEFAULT_WORDS:
    cfg = alert_settings()
    who, what = subscriptions.ROLE_DEFAULT_WORDS[user.role]
    cadence = {v.cadence for v in mine}
    when = (f"each {WEEKDAY_NAMES[WEEKDAYS.index(cfg.weekly_day)]} at {cfg.daily_hour:02d}:00" if cadence == {"weekly"}
            else f"each day at {cfg.daily_hour:02d}:00")
    st.info(f"{who} you follow {what}, {'weekly' if cadence == {'weekly'} else 'daily'}: {when} "
            f"({md(cfg.timezone_name)}) a digest of what changed on those bills. Change or remove them below.")
if mine:
    table(pd.DataFrame([{"follows": v.label, "cadence": v.cadence, "events": ", ".join(v.events) or "all",
                         "since": v.created_at} for v in mine]), hide_index=True, width="stretch")
    by_label = {v.label: v for v in mine}
    gone = st.multiselect("Stop following", list(by_label), key="alerts_remove_pick")
    if st.button("Remove", key="alerts_remove", disabled=not gone):
        with data.session() as s:
            for label in gone:
                v = by_label[label]
                subscriptions.unsubscribe(s, user=user, kind=v.kind, target=v.target, actor=user)
        st.rerun()
else:
    st.info("You follow nothing yet: add a topic, a council position, a watchlist, a bill or a jurisdiction.")

with st.form("alerts_add"):
    cols = st.columns([2, 3, 2])
    kind = cols[0].selectbox("Follow", list(KIND_LABELS), format_func=KIND_LABELS.get, key="alerts_kind")
    options = {"topic": choices.topics, "position": {s: s for s in choices.stances},
               "watchlist": {str(w["id"]): w["name"] for w in lists}, "jurisdiction": choices.jurisdictions}
    target = cols[1].text_input("Which (topic slug or name, position, watchlist name, bill id or number, jurisdiction)",
                                key="alerts_target",
                                # Tooltips are Markdown: watchlist names (anyone's) and feeds' jurisdiction
                                # names are escaped like every other text shown.
                                help=md("; ".join(f"{KIND_LABELS[k]}: {', '.join(list(v.values())[:8])}"
                                                  for k, v in options.items() if v)))
    cadence = cols[2].selectbox("How often", ["instant", "daily", "weekly"], index=1, key="alerts_cadence")
    events = st.multiselect("Only these changes (empty: all)", list(subscriptions.EVENT_KINDS),
                            format_func=lambda k: KIND_TITLES.get(k, k), key="alerts_events")
    if st.form_submit_button("Add"):
        try:
            with data.session() as s:
                subscriptions.subscribe(s, user=user, kind=kind, target=target, cadence=cadence, events=events,
                                        actor=user)
            forget("alerts_target", "alerts_events")
            st.rerun()
        except (subscriptions.SubscriptionError, PermissionDenied) as exc:
            st.error(md(exc))

st.subheader("Feeds")
st.caption("These addresses contain your secret: anyone with one can read that feed. Make a new secret to "
           "turn every old address off.")
if fresh:
    st.success("Copy these addresses now: they are shown only this once (only a hash of the secret is kept).")
elif has_secret:
    st.caption(f"Your secret was shown when it was made and is not kept, so {feeds.SECRET_PLACEHOLDER} stands for it "
               "here. Lost it? Make a new one.")
else:
    st.caption("No feed secret yet: make one to get your addresses.")
table(pd.DataFrame([{"feed": k, "address": v} for k, v in urls.items()]), hide_index=True, width="stretch")
if st.button("New secret" if has_secret else "Make my feed addresses", key="alerts_rotate"):
    with data.session() as s:
        st.session_state["alerts_new_feed_secret"] = subscriptions.rotate_feed_token(s, user=user, actor=user)
    st.rerun()


def _log_frame(rows: list[dict]) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame([{"digest": r["id"], "to": r["email"], "status": r["status"],
                          "updates": f"{r['items']} on {counted(r['bills'], 'bill')}", "attempts": r["attempts"],
                          "created": r["created_at"], "sent / next try": r["sent_at"] or r["next_attempt_at"],
                          "details": r["last_error"] or ""} for r in rows])


st.subheader("Your recent digests")
if my_log:
    table(_log_frame(my_log), hide_index=True, width="stretch")
else:
    st.caption("No digest yet.")

if can(user, Action.manage_users):
    st.subheader("Sending problems (everyone)")
    with data.session() as s:
        trouble = [r for status in ("retrying", "failed", "uncertain")
                   for r in delivery.delivery_log(s, status=status, limit=100, actor=user)]
    if not trouble:
        st.success("No failed or retrying sends.")
    else:
        table(_log_frame(trouble), hide_index=True, width="stretch")
        pick = st.selectbox("Digest", [r["id"] for r in trouble if r["status"] in ("failed", "uncertain")] or [None],
                            key="alerts_retry_pick")
        if st.button("Send again", key="alerts_retry", disabled=pick is None):
            with data.session() as s:
                delivery.retry_digest(s, digest_id=pick, actor=user)
            st.success("Queued: it goes out with the next alert run.")
