"""From events to emails, at most once per person and change.

1. ``fan_out``: each new event is matched against every active subscription; a person gets one
   ``AlertDelivery`` per event (unique per user and event), with the fastest cadence that matched.
2. ``build_digests``: a person's due deliveries (instant: now; daily/weekly: those whose change happened or
   arrived before the last daily/weekly send time, so a digest missed while the scheduler was down goes out
   when it is back) are put into one new ``AlertDigest``; a delivery joins one digest only.
3. ``send_digests``: each digest is claimed (pending/retrying -> sending) before it is handed to SMTP, so
   two runs never send it twice; a temporary failure is retried with exponential backoff up to
   ``max_attempts``, a permanent one (or too many) ends as ``failed``; the log shows both.
   A digest left in ``sending`` by a crash is marked ``uncertain`` and not resent on its own (it may have
   gone out): ``tracker alerts retry`` resends it on purpose. A digest whose person was deactivated or used
   the unsubscribe link while it waited (for a retry, say) is ``cancelled``, not sent. One left with nothing to tell
   its reader (every item was no news to them, or its bills were deleted) is ``skipped``, and the log says why.
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Engine, and_, func, null, select, update
from sqlmodel import Session

from tracker.alerts import render
from tracker.alerts.events import BASELINE, _cursor, _save_cursor, collect_events, hearing_key
from tracker.alerts.hearings import read_hearings
from tracker.alerts.mailer import SendError, send_message
from tracker.alerts.settings import WEEKDAYS, AlertSettings, SmtpSettings, alert_settings, smtp_settings
from tracker.alerts.subscriptions import CADENCE_ORDER, ensure_defaults, in_force, new_unsubscribe_link
from tracker.alerts.told import as_told
from tracker.dates import us_today
from tracker.models import (
    AlertDelivery,
    AlertDigest,
    AlertEvent,
    AlertProfile,
    AlertSubscription,
    Bill,
    BillMatch,
    LegislativeSession,
    Position,
    Topic,
    User,
    WatchlistItem,
)
from tracker.models.base import utcnow
from tracker.permissions import Action, require
from tracker.references import bill_reference
from tracker.upsert import dialect_insert as _insert

log = logging.getLogger(__name__)
BATCH = 2000
SENDING_LEASE = dt.timedelta(minutes=15)  # a digest still "sending" after this was interrupted
OPEN_STATUSES = ("pending", "retrying")


# -- 1. fan out ---------------------------------------------------------------------------------------------

def _bill_facts(session: Session, bill_ids: list[int]) -> dict[int, dict[str, Any]]:
    facts: dict[int, dict[str, Any]] = {b: {"jurisdiction": None, "stance": None, "topics": set(),
                                            "watchlists": set()} for b in bill_ids}
    for bid, jur in session.execute(select(Bill.id, Bill.jurisdiction_id).where(Bill.id.in_(bill_ids))):
        facts[bid]["jurisdiction"] = jur
    for bid, stance in session.execute(select(Position.bill_id, Position.stance).where(Position.bill_id.in_(bill_ids))):
        facts[bid]["stance"] = stance
    for bid, slug in session.execute(select(BillMatch.bill_id, Topic.slug).join(Topic, Topic.id == BillMatch.topic_id)
                                     .where(BillMatch.bill_id.in_(bill_ids), BillMatch.flagged, Topic.enabled)):
        facts[bid]["topics"].add(slug)
    for bid, wid in session.execute(select(WatchlistItem.bill_id, WatchlistItem.watchlist_id)
                                    .where(WatchlistItem.bill_id.in_(bill_ids))):
        facts[bid]["watchlists"].add(str(wid))
    return facts


def matches(sub: AlertSubscription, event: AlertEvent, facts: dict[str, Any], topic_slugs: dict[int, str]) -> bool:
    """Whether ``event`` concerns what ``sub`` follows (the event kind and timing are checked by the caller)."""
    if sub.kind == "topic":
        if event.kind == "flagged":  # newly flagged for *this* topic, not for another one
            return topic_slugs.get(event.topic_id or -1) == sub.target
        if event.kind == "new_bill":  # a new bill reaches topic followers as "newly flagged", once
            return False
        return sub.target in facts["topics"]
    if sub.kind == "position":
        # A bill the council holds this stance on, or a change to it or away from it: "we no longer support it"
        # is news to whoever follows Support.
        return facts["stance"] == sub.target or (event.kind == "position" and sub.target in (
            event.payload.get("stance"), event.payload.get("previous_stance")))
    if sub.kind == "watchlist":
        return sub.target in facts["watchlists"]
    if sub.kind == "bill":
        return sub.target == str(event.bill_id)
    if sub.kind == "jurisdiction":
        return facts["jurisdiction"] == sub.target
    return False


def fan_out(session: Session, *, now: dt.datetime | None = None) -> int:
    """Deliveries for the events not yet fanned out; returns how many were created."""
    now = now or utcnow()
    ensure_defaults(session)
    cur = _cursor(session, "fanout")
    last = cur.last_id if cur else 0
    subs = in_force(session, list(session.execute(
        select(AlertSubscription).join(User, User.id == AlertSubscription.user_id)
        .outerjoin(AlertProfile, AlertProfile.user_id == User.id)
        .where(AlertSubscription.active, User.active,
               (AlertProfile.email_enabled.is_(True)) | (AlertProfile.user_id.is_(None)))).scalars()))
    topic_slugs = dict(session.execute(select(Topic.id, Topic.slug)).all())
    made = 0
    while True:
        events = list(session.execute(select(AlertEvent).where(AlertEvent.id > last).order_by(AlertEvent.id)
                                      .limit(BATCH)).scalars())
        if not events:
            break
        last = events[-1].id
        if not subs:
            continue
        facts = _bill_facts(session, sorted({e.bill_id for e in events}))
        wanted: dict[tuple[int, int], str] = {}
        for event in events:
            if event.kind == BASELINE:
                continue
            for sub in subs:
                if sub.events and event.kind not in sub.events:
                    continue
                if event.occurred_at < sub.created_at:
                    continue  # from before the subscription
                if event.kind == "position" and event.actor_id == sub.user_id:
                    continue  # nobody needs to be told about their own change
                if not matches(sub, event, facts[event.bill_id], topic_slugs):
                    continue
                key = (sub.user_id, event.id)
                if key not in wanted or CADENCE_ORDER[sub.cadence] < CADENCE_ORDER[wanted[key]]:
                    wanted[key] = sub.cadence
        rows = [{"user_id": u, "event_id": e, "cadence": c, "created_at": now} for (u, e), c in wanted.items()]
        if rows:
            before = session.execute(select(func.count()).select_from(AlertDelivery)).scalar_one()
            session.execute(_insert(session, AlertDelivery.__table__).on_conflict_do_nothing(
                index_elements=["user_id", "event_id"]), rows)
            made += session.execute(select(func.count()).select_from(AlertDelivery)).scalar_one() - before
    _save_cursor(session, "fanout", last_id=last)
    return made + _catch_up_hearings(session, subs=subs, topic_slugs=topic_slugs, now=now)


def _catch_up_hearings(session: Session, *, subs: list[AlertSubscription], topic_slugs: dict[int, str],
                       now: dt.datetime) -> int:
    """Deliveries of the hearings already announced and still ahead (not called off) to whoever follows their bill
    now and was not told: a new subscription, one turned back on, a bill newly on a followed watchlist, flagged or
    given a position. News is sent from when a subscription began, but a hearing next week is what a new
    follower most needs; it comes once (a delivery is unique per person and event), with the next digest of the
    cadence that covers it, as its latest announcement (``tracker.alerts.told``: "scheduled" to whoever never read
    where it was before it moved)."""
    if not subs:
        return 0
    keys = [hearing_key(h) for h in read_hearings(session, since=us_today(now)) if not h.cancelled]
    events = [e for start in range(0, len(keys), BATCH) for e in session.execute(
        select(AlertEvent).where(AlertEvent.key.in_(keys[start:start + BATCH]))).scalars()]
    if not events:
        return 0
    told = {(u, e) for start in range(0, len(events), BATCH) for u, e in session.execute(
        select(AlertDelivery.user_id, AlertDelivery.event_id).where(
            AlertDelivery.event_id.in_([e.id for e in events[start:start + BATCH]])))}
    facts = _bill_facts(session, sorted({e.bill_id for e in events}))
    wanted: dict[tuple[int, int], str] = {}
    for event in events:
        for sub in subs:
            if (sub.user_id, event.id) in told or (sub.events and event.kind not in sub.events):
                continue
            if not matches(sub, event, facts[event.bill_id], topic_slugs):
                continue
            key = (sub.user_id, event.id)
            if key not in wanted or CADENCE_ORDER[sub.cadence] < CADENCE_ORDER[wanted[key]]:
                wanted[key] = sub.cadence
    if not wanted:
        return 0
    session.execute(_insert(session, AlertDelivery.__table__).on_conflict_do_nothing(
        index_elements=["user_id", "event_id"]),
        [{"user_id": u, "event_id": e, "cadence": c, "created_at": now} for (u, e), c in wanted.items()])
    return len(wanted)


# -- 2. digests ---------------------------------------------------------------------------------------------

def _at_hour(day: dt.date, hour: int, zone: dt.tzinfo) -> dt.datetime:
    """``hour``:00 on ``day`` on the clock of ``zone``, in UTC. An hour that a DST change skips (02:00 on a
    spring-forward night) is read with the offset before the change, so it falls an hour later: still once."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=zone).astimezone(dt.UTC)


def last_send_time(cadence: str, now: dt.datetime, cfg: AlertSettings) -> dt.datetime:
    """The most recent scheduled send time for ``cadence`` at or before ``now`` (instant: now), in UTC.

    Days and weekdays are those of ``cfg.timezone``, and the hour is its wall-clock hour, so a 7:00 digest in
    New York stays at 7:00 across daylight saving time. (Compared in UTC: Python compares two times of one
    ZoneInfo by their wall clocks, which is wrong in the hour a DST change repeats.)"""
    if cadence == "instant":
        return now
    now = now.astimezone(dt.UTC)
    day = now.astimezone(cfg.timezone).date()
    daily = _at_hour(day, cfg.daily_hour, cfg.timezone)
    if daily > now:
        day -= dt.timedelta(days=1)
        daily = _at_hour(day, cfg.daily_hour, cfg.timezone)
    if cadence == "daily":
        return daily
    back = (day.weekday() - WEEKDAYS.index(cfg.weekly_day)) % 7
    return _at_hour(day - dt.timedelta(days=back), cfg.daily_hour, cfg.timezone)


def build_digests(session: Session, *, now: dt.datetime | None = None, everything: bool = False,
                  cfg: AlertSettings | None = None) -> list[int]:
    """One new digest per person with due deliveries (``everything``: all pending, whatever the cadence)."""
    now, cfg = now or utcnow(), cfg or alert_settings()
    cutoffs = {c: last_send_time(c, now, cfg) for c in CADENCE_ORDER}
    pending = session.execute(
        select(AlertDelivery.id, AlertDelivery.user_id, AlertDelivery.cadence, AlertDelivery.created_at,
               AlertEvent.occurred_at, AlertEvent.bill_id)
        .join(AlertEvent, AlertEvent.id == AlertDelivery.event_id)
        .join(User, User.id == AlertDelivery.user_id)
        .join(AlertProfile, AlertProfile.user_id == User.id)
        .where(AlertDelivery.digest_id.is_(None), User.active, AlertProfile.email_enabled)).all()
    due: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for delivery_id, user_id, cadence, created_at, occurred_at, bill_id in pending:
        # What happened before the last send time belongs to that digest, even when no alert job ran between
        # (the scheduler was down): it is overdue now, not a day (or a week) later.
        if everything or cadence == "instant" or min(created_at, occurred_at) <= cutoffs.get(cadence, now):
            due[user_id].append((delivery_id, bill_id))
    made = []
    for user_id, items in sorted(due.items()):
        digest = AlertDigest(user_id=user_id, status="pending", next_attempt_at=now, created_at=now)
        session.add(digest)
        session.flush()
        ids = [i for i, _ in items]
        taken = 0
        for start in range(0, len(ids), 500):
            taken += session.execute(update(AlertDelivery).where(AlertDelivery.id.in_(ids[start:start + 500]),
                                                                 AlertDelivery.digest_id.is_(None))
                                     .values(digest_id=digest.id).execution_options(synchronize_session=False)
                                     ).rowcount
        if not taken:  # another run took them first
            session.delete(digest)
            continue
        _count(digest, _digest_groups(session, digest.id, cfg).values())
        session.add(digest)
        made.append(digest.id)
    session.flush()
    return made


def _digest_groups(session: Session, digest_id: int, cfg: AlertSettings, *,
                   left_out: Counter[str] | None = None) -> dict[int, render.BillGroup]:
    """The digest's items by bill, as the email lists them: a hearing's news that a later item of the same
    digest replaces is left out (``render.latest_of_each_hearing``), so counting these counts what the email
    shows; a moved hearing says where it was, and a called-off one is news, only to whoever was told of it
    (``tracker.alerts.told``). ``left_out`` counts the items left out, by why (``LEFT_OUT``)."""
    rows = session.execute(
        select(AlertEvent, AlertDelivery.id, Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier,
               Bill.title, Bill.short_title, LegislativeSession.name)
        .join(AlertDelivery, AlertDelivery.event_id == AlertEvent.id)
        .join(Bill, Bill.id == AlertEvent.bill_id)
        .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
        .where(AlertDelivery.digest_id == digest_id)
        .order_by(Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier, AlertEvent.occurred_at,
                  AlertEvent.id)).all()
    groups: dict[int, render.BillGroup] = {}
    for event, delivery_id, jur, sess, ident, title, short_title, sess_name in rows:
        group = groups.get(event.bill_id)
        if group is None:
            group = groups[event.bill_id] = render.BillGroup(
                bill_id=event.bill_id, reference=bill_reference(jur, sess, ident, session_name=sess_name),
                title=short_title or title,
                url=render.bill_url(cfg.dashboard_url, event.bill_id))
        # The jurisdiction: whose clock a hearing's time is on.
        group.items.append({"kind": event.kind, "occurred_at": event.occurred_at, "payload": event.payload,
                            "jurisdiction": jur, "delivery_id": delivery_id})
    tally: Counter[str] = left_out if left_out is not None else Counter()
    for group in groups.values():
        kept = render.latest_of_each_hearing(group.items)  # rows come oldest first
        tally["replaced"] += len(group.items) - len(kept)
        group.items = kept
    digest = session.get(AlertDigest, digest_id)
    if digest is not None:  # a moved or called-off hearing reads so only to whoever was told of it
        before = [item for group in groups.values() for item in group.items]
        as_told(session, user_id=digest.user_id, digest_id=digest_id,
                items={bill_id: group.items for bill_id, group in groups.items()})
        shown = {item["delivery_id"] for group in groups.values() for item in group.items}
        for item in before:  # ``as_told`` leaves out only hearing news: a calling off, or a move
            if item["delivery_id"] not in shown:
                tally["called_off" if (item["payload"] or {}).get("cancelled") else "moved"] += 1
        groups = {bill_id: group for bill_id, group in groups.items() if group.items}  # nothing left to tell
    for group in groups.values():
        group.items.sort(key=lambda i: (render.KIND_ORDER.get(i["kind"], 9), i["occurred_at"]))
    return groups


# Why an item of a digest is not in its email, as the log says it.
LEFT_OUT = {
    "called_off": "about a hearing called off that they had never been told of",
    "moved": "about a hearing moved to a time they had already been told of",
    "replaced": "replaced by later news of the same hearing",
}


def nothing_to_send(left_out: Counter[str]) -> str:
    """What the log says of a digest that went to nobody because nothing in it was news to its reader: the
    digest and the person are right there in the log, so "nothing left to send" read as an email lost or a bill
    deleted. No item at all: its deliveries went with their bills (deleted since)."""
    total = sum(left_out.values())
    if not total:
        return "nothing left to send: the bills it was about were deleted since it was made"
    why = "; ".join(f"{n} {LEFT_OUT[key]}" for key, n in sorted(left_out.items(), key=lambda kv: -kv[1]) if n)
    return (f"nothing new for this reader: {total} update{'s were' if total != 1 else ' was'} not news to them "
            f"({why})")


def _count(digest: AlertDigest, groups: Iterable[render.BillGroup]) -> None:
    """The log's counts (``delivery_log``): the updates and bills the email shows, not the deliveries it holds."""
    groups = list(groups)
    digest.item_count, digest.bill_count = sum(len(g.items) for g in groups), len(groups)


def _keep_told(session: Session, digest_id: int, groups: Iterable[render.BillGroup]) -> None:
    """What this digest tells in place of its events' own news (``tracker.alerts.told``), on its deliveries:
    the news of the next digests reads from it. Each attempt to send writes it afresh."""
    instead = {item["delivery_id"]: item["told"] for g in groups for item in g.items if item.get("told")}
    session.execute(update(AlertDelivery).where(AlertDelivery.digest_id == digest_id).values(told=null())
                    .execution_options(synchronize_session=False))
    for delivery_id, told in instead.items():
        session.execute(update(AlertDelivery).where(AlertDelivery.id == delivery_id).values(told=told)
                        .execution_options(synchronize_session=False))


# The days a digest of each cadence covers, back from the day it was made: a week, a day, the day itself.
CADENCE_DAYS = {"weekly": 7, "daily": 1, "instant": 0}


def covered_days(session: Session, digest: AlertDigest, cfg: AlertSettings) -> tuple[dt.date, dt.date]:
    """(since, until): the days a digest covers, on the clock of ``[alerts] timezone``, as its first line says them.
    Its slowest cadence decides ("Mon 30 Nov to Mon 7 Dec" for a weekly one made on Monday; an instant one names
    its day): the week a reader expects, whichever digest went out between (an instant one, say)."""
    cadences = set(session.execute(select(AlertDelivery.cadence).where(AlertDelivery.digest_id == digest.id)
                                   .distinct()).scalars())
    days = max((CADENCE_DAYS.get(c, 0) for c in cadences), default=0)
    until = digest.created_at.astimezone(cfg.timezone).date()
    return until - dt.timedelta(days=days), until


def load_digest(session: Session, digest: AlertDigest, cfg: AlertSettings, *,
                today: dt.date | None = None, left_out: Counter[str] | None = None,
                retry: bool = False) -> render.Digest:
    """The email of ``digest`` as it goes out now. ``retry``: an automatic retry after the server failed the
    last attempt (its unsubscribe link is reused: ``new_unsubscribe_link``)."""
    user = session.get(User, digest.user_id)
    assert user is not None
    groups = _digest_groups(session, digest.id, cfg, left_out=left_out)
    _keep_told(session, digest.id, groups.values())
    # The position as the digest goes out (a withdrawn one is gone): why the bill matters to the reader.
    for bill_id, stance, priority in session.execute(select(Position.bill_id, Position.stance, Position.priority)
                                                     .where(Position.bill_id.in_(list(groups)))):
        groups[bill_id].stance, groups[bill_id].priority = stance, priority
    for start in range(0, len(groups), BATCH):
        for bill_id in session.execute(select(WatchlistItem.bill_id).where(
                WatchlistItem.bill_id.in_(list(groups)[start:start + BATCH])).distinct()).scalars():
            groups[bill_id].watched = True
    topics = set(session.execute(select(AlertSubscription.target).where(
        AlertSubscription.user_id == user.id, AlertSubscription.kind == "topic", AlertSubscription.active)).scalars())
    # A link of its own for each email: only the secret's hash is stored, so it cannot be read back for the next
    # one. A retry gives the row of the attempt that failed a new secret, rather than one more row per attempt.
    unsubscribe = (render.unsubscribe_url(cfg.feeds_url, new_unsubscribe_link(session, user_id=user.id,
                                                                              digest_id=digest.id, retry=retry))
                   if groups else "")
    since, until = covered_days(session, digest, cfg)
    return render.Digest(recipient=user.email, recipient_name=user.name,
                         groups=render.lead_order(list(groups.values())), topics=topics,
                         unsubscribe_url=unsubscribe,
                         manage_url=render.alerts_page_url(cfg.dashboard_url), today=today,
                         max_bills=cfg.digest_max_bills, more_url=render.overview_url(cfg.dashboard_url),
                         since=since, until=until)


# -- 3. send ------------------------------------------------------------------------------------------------

def backoff(attempts: int, cfg: AlertSettings) -> dt.timedelta:
    return dt.timedelta(seconds=min(cfg.backoff_max_seconds, cfg.backoff_seconds * 2 ** max(0, attempts - 1)))


@dataclass
class SendReport:
    events: int = 0
    deliveries: int = 0
    digests: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0  # built, then not sent: the person was deactivated or unsubscribed meanwhile
    skipped: int = 0  # built, then not sent: nothing in it was news to its reader (or its bills were deleted)
    errors: list[str] = field(default_factory=list)


def _not_wanted(session: Session, user_id: int) -> str | None:
    """Why a digest built earlier must not go out now, or None: the person may have been deactivated, or used
    the unsubscribe link, while it waited for its send time or for a retry."""
    row = session.execute(select(User.active, AlertProfile.email_enabled)  # read now, not from the session's cache
                          .outerjoin(AlertProfile, AlertProfile.user_id == User.id).where(User.id == user_id)).first()
    if row is None or not row.active:
        return "not sent: the account was deactivated"
    if row.email_enabled is False:
        return "not sent: the person unsubscribed from alert email"
    return None


def _mark_interrupted(session: Session, now: dt.datetime) -> None:
    session.execute(update(AlertDigest).where(AlertDigest.status == "sending",
                                              AlertDigest.claimed_at < now - SENDING_LEASE)
                    .values(status="uncertain", last_error="interrupted while sending; it may or may not have "
                                                           "gone out (tracker alerts retry ID resends it)")
                    .execution_options(synchronize_session=False))


def send_digests(session: Session, *, now: dt.datetime | None = None, smtp: SmtpSettings | None = None,
                 cfg: AlertSettings | None = None, report: SendReport | None = None) -> SendReport:
    """Send every digest that is due; commits after each one so a crash loses at most the one in flight."""
    now, smtp, cfg = now or utcnow(), smtp or smtp_settings(), cfg or alert_settings()
    report = report or SendReport()
    _mark_interrupted(session, now)
    session.commit()
    due = session.execute(select(AlertDigest.id, AlertDigest.status).where(AlertDigest.status.in_(OPEN_STATUSES),
                                                                           AlertDigest.next_attempt_at <= now)
                          .order_by(AlertDigest.id)).all()
    for digest_id, was in due:
        # Claimed from the status read: "retrying" means the server failed the last attempt, so its email did not
        # go out (short of a connection lost after the server took it: then the resent copy's link is the one
        # that works). "pending" after attempts is a person's `retry`, of a digest that may have gone out.
        claimed = session.execute(update(AlertDigest).where(AlertDigest.id == digest_id, AlertDigest.status == was)
                                  .values(status="sending", claimed_at=now)
                                  .execution_options(synchronize_session=False)).rowcount
        session.commit()
        if claimed != 1:
            continue  # another run has it
        digest = session.get(AlertDigest, digest_id)
        assert digest is not None
        session.refresh(digest)
        why_not = _not_wanted(session, digest.user_id)
        if why_not:  # deactivated or unsubscribed after the digest was built (a retry waited meanwhile)
            digest.status, digest.last_error, digest.next_attempt_at = "cancelled", why_not, None
            session.add(digest)
            session.commit()
            report.cancelled += 1
            continue
        left_out: Counter[str] = Counter()
        content = load_digest(session, digest, cfg, today=us_today(now), left_out=left_out,
                              retry=was == "retrying")
        _count(digest, content.groups)  # as sent: bills deleted since the digest was built are not in it
        session.commit()  # the email's unsubscribe link is stored before the email can go out: a crash while
        # sending must not leave someone a link that opens nothing
        if not content.groups:  # nothing in it is news to its reader, or its bills were deleted meanwhile
            digest.status, digest.next_attempt_at = "skipped", None
            digest.last_error = nothing_to_send(left_out)
            session.add(digest)
            session.commit()
            report.skipped += 1
            log.info("digest %s to %s not sent: %s", digest.id, content.recipient, digest.last_error)
            continue
        domain = parseaddr(smtp.sender)[1].rpartition("@")[2] or "localhost"
        digest.message_id = digest.message_id or f"<digest-{digest.id}.{digest.user_id}@{domain}>"
        digest.subject = content.subject
        digest.attempts += 1
        try:
            send_message(smtp, render.build_message(content, sender=smtp.sender, message_id=digest.message_id))
        except SendError as exc:
            digest.last_error = str(exc)
            if exc.temporary and digest.attempts < cfg.max_attempts:
                digest.status = "retrying"
                digest.next_attempt_at = now + backoff(digest.attempts, cfg)
                report.retrying += 1
            else:
                digest.status = "failed"
                digest.next_attempt_at = None
                report.failed += 1
            report.errors.append(f"digest {digest.id} to {content.recipient}: {exc}")
            log.warning("digest %s to %s: %s (%s)", digest.id, content.recipient, exc, digest.status)
        else:
            # The error of an earlier try is over: beside "sent" it read as a failure (attempts tells the story).
            digest.status, digest.sent_at, digest.next_attempt_at, digest.last_error = "sent", utcnow(), None, None
            report.sent += 1
        session.add(digest)
        session.commit()
    return report


def retry_digest(session: Session, *, digest_id: int, now: dt.datetime | None = None,
                 actor: User | None = None) -> AlertDigest:
    """Put a failed or uncertain digest back in the queue (a person's decision: it may send a duplicate).
    From the dashboard it needs an admin (``actor``); ``None`` is the command line."""
    if actor is not None:
        require(actor, Action.manage_users)
    digest = session.get(AlertDigest, digest_id)
    if digest is None:
        raise ValueError(f"No digest {digest_id}.")
    if digest.status not in ("failed", "uncertain", "retrying", "cancelled"):
        raise ValueError(f"Digest {digest_id} is {digest.status}; only failed, uncertain, retrying or cancelled ones "
                         "are retried.")
    digest.status, digest.next_attempt_at = "pending", now or utcnow()
    session.add(digest)
    session.flush()
    return digest


def run_alerts(engine: Engine, *, now: dt.datetime | None = None, everything: bool = False,
               smtp: SmtpSettings | None = None, cfg: AlertSettings | None = None) -> SendReport:
    """The whole pass, as the scheduler and `tracker alerts send` run it: collect, fan out, digest, send."""
    now, smtp = now or utcnow(), smtp or smtp_settings()
    report = SendReport()
    with Session(engine, expire_on_commit=False) as session:
        report.events = collect_events(session, now=now)
        report.deliveries = fan_out(session, now=now)
        session.commit()
        if not smtp.configured:  # deliveries wait, rather than burning retries on a server that is not set
            waiting = sum(pending_counts(session).values())
            if waiting:
                report.errors.append(f"SMTP is not configured (SMTP_HOST or [smtp] host): {waiting} delivery(ies) "
                                     "wait for a run that can send them")
            return report
        report.digests = len(build_digests(session, now=now, everything=everything, cfg=cfg))
        session.commit()
        send_digests(session, now=now, smtp=smtp, cfg=cfg, report=report)
    return report


# -- the log, for the CLI and the dashboard -----------------------------------------------------------------

DIGEST_STATUSES = ("pending", "retrying", "sent", "failed", "uncertain", "cancelled", "skipped")  # AlertDigest.status


def delivery_log(session: Session, *, user_id: int | None = None, status: str | None = None,
                 limit: int = 50, actor: User | None = None) -> list[dict[str, Any]]:
    """Digests, latest first: one person's (``user_id``) or everyone's. From the dashboard (``actor``) a person
    reads their own; anyone else's, addresses and server errors included, needs an admin. ``None`` is the command
    line."""
    if actor is not None and (user_id is None or user_id != actor.id):
        require(actor, Action.manage_users)
    query = (select(AlertDigest, User.email).join(User, User.id == AlertDigest.user_id)
             .order_by(AlertDigest.id.desc()).limit(limit))
    if user_id is not None:
        query = query.where(AlertDigest.user_id == user_id)
    if status:
        query = query.where(AlertDigest.status == status)
    return [{"id": d.id, "email": email, "status": d.status, "items": d.item_count, "bills": d.bill_count,
             "attempts": d.attempts, "subject": d.subject, "created_at": d.created_at,
             "next_attempt_at": d.next_attempt_at, "sent_at": d.sent_at, "last_error": d.last_error}
            for d, email in session.execute(query).all()]


def pending_counts(session: Session) -> dict[str, int]:
    """Deliveries waiting for a digest, per person (email); a deactivated or unsubscribed person's wait for
    nothing (``build_digests`` skips them), so they are not counted."""
    rows = session.execute(select(User.email, func.count()).join(AlertDelivery, AlertDelivery.user_id == User.id)
                           .outerjoin(AlertProfile, AlertProfile.user_id == User.id)
                           .where(and_(AlertDelivery.digest_id.is_(None), User.active,
                                       AlertProfile.email_enabled.is_not(False)))
                           .group_by(User.email)).all()
    return dict(rows)
