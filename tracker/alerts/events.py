"""Triggers: turn what happened into alert events, once each.

Sources, each read from where the previous run stopped (``AlertCursor``):
- ``BillChange`` rows written by ingest: new bill, stage change, new action, new version (with the topic
  language the new text adds or removes, found by tracker.matching), title and sponsor changes;
- ``BillMatch``: a bill newly flagged for a topic;
- ``PositionHistory``: a colleague changed the council's position;
- the ``hearing`` table, when there is one: a hearing scheduled.

Every event has a unique ``key`` naming its origin, so collecting the same rows again (a retry, two
schedulers, a restart mid-run) inserts nothing new.
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, select
from sqlmodel import Session

from tracker.alerts.hearings import HearingRow, latest_fetch, read_hearings
from tracker.dates import hearing_moved_from, us_today
from tracker.deferrals import is_deferred
from tracker.executive_desk import on_desk
from tracker.matching.engine import BillDoc, RuleSet, TopicSpec, snippet
from tracker.matching.store import compile_topics, topic_specs
from tracker.models import (
    AlertCursor,
    AlertEvent,
    BillChange,
    BillMatch,
    BillVersion,
    PositionHistory,
    Topic,
    User,
)
from tracker.models.base import utcnow
from tracker.models.enums import Stage
from tracker.upsert import dialect_insert as _insert

BATCH = 2000
FIRST_RUN_LOOKBACK = dt.timedelta(days=7)  # a new installation reports the last week, not all of history
# A flag is stamped (``matched_at``) when it is scored and visible when its batch commits, which may come after
# a later-stamped batch of another writer committed and an alert run moved the cursor past it. Each run looks
# this far behind its cursor again, for flags not reported yet.
FLAG_COMMIT_LAG = dt.timedelta(hours=1)
MAX_LANGUAGE_TERMS = 8
BASELINE = "baseline"  # an event kind never sent: what was already true when alerts first ran


def _cursor(session: Session, name: str) -> AlertCursor | None:
    return session.get(AlertCursor, name)


def _save_cursor(session: Session, name: str, *, last_id: int = 0, last_at: dt.datetime | None = None) -> None:
    cur = session.get(AlertCursor, name) or AlertCursor(name=name)
    cur.last_id, cur.last_at = last_id, last_at
    session.add(cur)
    session.flush()


def _store(session: Session, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    before = session.execute(select(func.count()).select_from(AlertEvent)).scalar_one()
    now = utcnow()
    for row in rows:
        row.setdefault("created_at", now)
        row.setdefault("topic_id", None)
        row.setdefault("actor_id", None)
    session.execute(_insert(session, AlertEvent.__table__).on_conflict_do_nothing(index_elements=["key"]), rows)
    return session.execute(select(func.count()).select_from(AlertEvent)).scalar_one() - before


# -- new text: what topic language it adds or removes -------------------------------------------------------

def _version_texts(session: Session, bill_id: int, url: str) -> tuple[BillVersion | None, BillVersion | None]:
    """The version at ``url`` and the one before it (by date, then row) that has text."""
    versions = list(session.execute(select(BillVersion).where(BillVersion.bill_id == bill_id)).scalars())
    versions.sort(key=lambda v: (v.date.toordinal() if v.date else 0, v.id or 0))
    new = next((v for v in versions if v.url == url), None)
    if new is None:
        return None, None
    earlier = [v for v in versions[:versions.index(new)] if v.text]
    return new, (earlier[-1] if earlier else None)


def _terms(rule_set: RuleSet, text: str | None) -> dict[int, list[str]]:
    if not text:
        return {}
    return {r.topic_id: r.matched_terms for r in rule_set.evaluate(BillDoc(0, {"text": [text]}))}


def language_change(session: Session, *, bill_id: int, url: str, specs: Sequence[TopicSpec],
                    rule_set: RuleSet) -> dict[str, Any]:
    """Per topic, the matching terms the new version adds and removes, each with a snippet of the text.

    ``{"text_available": bool, "compared_with": label | None, "topics": {slug: {"name", "added": [{term,
    snippet}], "removed": [...], "kept": [terms]}}}``; topics whose language did not change are left out.
    """
    new, old = _version_texts(session, bill_id, url)
    result: dict[str, Any] = {"text_available": bool(new and new.text), "compared_with": old.label if old else None,
                              "topics": {}}
    if new is None or not new.text:
        return result
    new_terms, old_terms = _terms(rule_set, new.text), _terms(rule_set, old.text if old else None)
    for spec in specs:
        now_terms, before_terms = new_terms.get(spec.id, []), old_terms.get(spec.id, [])
        added = [t for t in now_terms if t not in before_terms][:MAX_LANGUAGE_TERMS]
        removed = [t for t in before_terms if t not in now_terms][:MAX_LANGUAGE_TERMS]
        if not added and not removed:
            continue
        result["topics"][spec.slug] = {
            "name": spec.name,
            "added": [{"term": t, "snippet": snippet(new.text, t)} for t in added],
            "removed": [{"term": t, "snippet": snippet(old.text or "", t)} for t in removed] if old else [],
            "kept": [t for t in now_terms if t in before_terms][:MAX_LANGUAGE_TERMS],
        }
    return result


# -- collectors ---------------------------------------------------------------------------------------------

def _start_id(session: Session, name: str, model: Any, time_column: Any, now: dt.datetime) -> int:
    cur = _cursor(session, name)
    if cur is not None:
        return cur.last_id
    # First run: begin just before the first row of the last week.
    first = session.execute(select(func.min(model.id)).where(time_column >= now - FIRST_RUN_LOOKBACK)).scalar_one()
    if first is None:
        return session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()
    return first - 1


def collect_changes(session: Session, *, now: dt.datetime) -> int:
    last = _start_id(session, "billchange", BillChange, BillChange.detected_at, now)
    made, specs, rule_set = 0, None, None
    while True:
        changes = list(session.execute(select(BillChange).where(BillChange.id > last).order_by(BillChange.id)
                                       .limit(BATCH)).scalars())
        if not changes:
            break
        rows = []
        for change in changes:
            payload: dict[str, Any] = {"before": change.before, "after": change.after}
            if change.kind == "new_version" and isinstance(change.after, dict) and change.after.get("url"):
                if rule_set is None:
                    specs = topic_specs(session)
                    rule_set = compile_topics(specs)
                payload["language"] = language_change(session, bill_id=change.bill_id, url=change.after["url"],
                                                      specs=specs or [], rule_set=rule_set)
            if change.kind == "stage_change" and change.after == Stage.sent_to_executive.value:
                payload["acts_by"] = _acts_by(session, change.bill_id)
            rows.append({"key": f"change:{change.id}", "bill_id": change.bill_id, "kind": change.kind,
                         "payload": payload, "occurred_at": change.detected_at})
        made += _store(session, rows)
        last = changes[-1].id
    _save_cursor(session, "billchange", last_id=last)
    return made


def _acts_by(session: Session, bill_id: int) -> dict[str, str] | None:
    """Who must act on a bill just presented and by when, as the digest tells it ("the President acts by ..."):
    the constitution's last day (tracker.executive_desk), None where the tracker has no rule for it."""
    rows = on_desk(session, tracked_only=False, bill_id=bill_id)
    if not rows or rows[0]["acts_by"] is None:
        return None
    return {"office": rows[0]["office"], "date": rows[0]["acts_by"].isoformat()}


def _flag_baseline(session: Session, *, now: dt.datetime) -> None:
    """The first run records what is flagged already as ``baseline`` events, which nobody is sent: a rule edit
    re-scores every bill (new ``matched_at``), and a bill flagged for months is not "newly flagged" then."""
    for start in range(0, 10**9, BATCH):
        rows = session.execute(select(BillMatch.bill_id, BillMatch.topic_id, BillMatch.matched_at)
                               .where(BillMatch.flagged).order_by(BillMatch.id).offset(start).limit(BATCH)).all()
        _store(session, [{"key": f"flag:{b}:{t}", "bill_id": b, "kind": BASELINE, "topic_id": t, "payload": {},
                          "occurred_at": at} for b, t, at in rows])
        if len(rows) < BATCH:
            break
    _save_cursor(session, "billmatch", last_at=now)


def record_quiet_flags(session: Session, bill_ids: Sequence[int]) -> int:
    """Record the flags of corrected bills (``tracker import --reparse`` after a parser fix) as ``baseline``
    events, in the caller's transaction with the flags: a correction is stored quietly (README), so a bill that
    the corrected reading flags is not sent as "newly flagged". Flags reported before keep their events."""
    made = 0
    ids = list(dict.fromkeys(bill_ids))
    for start in range(0, len(ids), BATCH):
        rows = session.execute(select(BillMatch.bill_id, BillMatch.topic_id, BillMatch.matched_at)
                               .where(BillMatch.bill_id.in_(ids[start:start + BATCH]), BillMatch.flagged)).all()
        made += _store(session, [{"key": f"flag:{b}:{t}", "bill_id": b, "kind": BASELINE, "topic_id": t,
                                  "payload": {}, "occurred_at": at} for b, t, at in rows])
    return made


def collect_flags(session: Session, *, now: dt.datetime) -> int:
    """Bills flagged for a topic since the last run (keyed by bill and topic: re-scoring is not news)."""
    cur = _cursor(session, "billmatch")
    if cur is None:
        _flag_baseline(session, now=now)
        return 0
    since = cur.last_at or now
    rows, newest = [], since
    key = literal("flag:") + cast(BillMatch.bill_id, String) + literal(":") + cast(BillMatch.topic_id, String)
    for match, slug, name in session.execute(
            select(BillMatch, Topic.slug, Topic.name).join(Topic, Topic.id == BillMatch.topic_id)
            .where(BillMatch.flagged, Topic.enabled, BillMatch.matched_at > since - FLAG_COMMIT_LAG,
                   ~exists().where(AlertEvent.key == key))  # a re-score restamps flags reported long ago
            .order_by(BillMatch.matched_at)):
        newest = max(newest, match.matched_at)
        rows.append({"key": f"flag:{match.bill_id}:{match.topic_id}", "bill_id": match.bill_id, "kind": "flagged",
                     "topic_id": match.topic_id, "occurred_at": match.matched_at,
                     "payload": {"topic": slug, "topic_name": name, "score": match.score,
                                 "terms": list(match.matched_terms or [])[:MAX_LANGUAGE_TERMS],
                                 "evidence": list(match.evidence or [])[:3]}})
    made = _store(session, rows)
    _save_cursor(session, "billmatch", last_at=newest)
    return made


def collect_positions(session: Session, *, now: dt.datetime) -> int:
    last = _start_id(session, "positionhistory", PositionHistory, PositionHistory.changed_at, now)
    rows = []
    for h, email, name in session.execute(
            select(PositionHistory, User.email, User.name).outerjoin(User, User.id == PositionHistory.author_id)
            .where(PositionHistory.id > last).order_by(PositionHistory.id)):
        last = h.id
        if h.previous_stance == h.stance and h.previous_priority == h.priority:
            continue  # a rationale edit alone is not news
        rows.append({"key": f"position:{h.id}", "bill_id": h.bill_id, "kind": "position", "actor_id": h.author_id,
                     "occurred_at": h.changed_at,
                     "payload": {"author": name or email, "stance": h.stance, "previous_stance": h.previous_stance,
                                 "priority": h.priority, "previous_priority": h.previous_priority,
                                 "rationale": h.rationale, "version": h.version,
                                 **({"withdrawn": True} if h.withdrawn else {})}})
    made = _store(session, rows)
    _save_cursor(session, "positionhistory", last_id=last)
    return made


def collect_hearings(session: Session, *, now: dt.datetime) -> int:
    """Upcoming hearings with a followed bill on the agenda, fetched since the last run. The key holds the
    day and the time of day, so a hearing moved to another day or hour is news again; a re-fetch of the same one
    (or a new room) is not. A hearing already announced and then called off (cancelled, deferred) is news too; one
    called off before it was announced is not. A moved one says where it was (``moved_from``)."""
    cur = _cursor(session, "hearing")
    since = cur.last_at if cur is not None and cur.last_at else now - FIRST_RUN_LOOKBACK
    hearings = read_hearings(session, since=us_today(now), fetched_after=since)
    day_keys = {h: f"hearing:{h.id}:{h.bill_id}:{h.date.isoformat()}" for h in hearings}  # keys before times
    keys = {h: hearing_key(h) for h in hearings}
    called_off = [k for h in hearings if h.cancelled for k in (keys[h], day_keys[h])]
    told = set(session.execute(select(AlertEvent.key).where(AlertEvent.key.in_(called_off))).scalars()) \
        if called_off else set()
    announced = {keys[h] for h in hearings if h.cancelled and {keys[h], day_keys[h]} & told}
    # A deferred meeting held again as a new one (``read_hearings``): its bills hear "moved", not "cancelled" too.
    taken_over = {(h.previous_hearing_id, h.bill_id) for h in hearings if h.previous_hearing_id is not None}
    rows = [{"key": keys[h] + (":cancelled" if h.cancelled else ""), "bill_id": h.bill_id, "kind": "hearing",
             "occurred_at": now,
             "payload": {**hearing_payload(h), **_moved(h)}}
            for h in hearings if (not h.cancelled or keys[h] in announced) and (h.id, h.bill_id) not in taken_over]
    made = _store(session, rows)
    _save_cursor(session, "hearing", last_at=latest_fetch(session) or since)
    return made


def hearing_payload(h: HearingRow) -> dict[str, Any]:
    """What a hearing's news tells of it (without ``moved_from``): also what ``tracker.alerts.told`` tells of the
    meeting held in place of a deferred one."""
    return {"hearing_id": h.id, "date": h.date.isoformat(), "time": h.time, "body": h.body, "location": h.location,
            "description": h.description, "agenda": h.agenda_title, "url": h.url,
            **({"cancelled": True} if h.cancelled else {}),
            **({"deferred": True} if is_deferred(h.cancelled, h.status) else {})}


def hearing_key(h: HearingRow) -> str:
    """The event key of a hearing (going ahead) on one bill as it stands: its day and time of day."""
    return f"hearing:{h.id}:{h.bill_id}:{h.date.isoformat()}" + _at(h)


def _moved(h: HearingRow) -> dict[str, Any]:
    """``moved_from`` (day and time) for a hearing the feed moved to another day or hour: its follower was told
    of the old day, and a second "Hearing scheduled" read as another hearing. For a meeting held in place of a
    deferred one, ``hearing_id`` names that meeting: its news in the same digest is what this one replaces."""
    if hearing_moved_from(h.date, h.time, h.previous_date, h.previous_time, h.jurisdiction_id) is None:
        return {}
    assert h.previous_date is not None
    return {"moved_from": {"date": h.previous_date.isoformat(), "time": h.previous_time,
                           **({"hearing_id": h.previous_hearing_id} if h.previous_hearing_id is not None else {})}}


def _at(h: HearingRow) -> str:
    """The time of day in a hearing's event key: "T14:00" read from "2:00 PM" or "14:00" alike (a feed that
    rewrites its clock is no news), the text itself (short) when unreadable, nothing without one."""
    clock = h.start_time()
    return f"T{clock:%H:%M}" if clock else (f"T{h.time[:16]}" if h.time else "")


def collect_events(session: Session, *, now: dt.datetime | None = None) -> int:
    """Every source, in the caller's transaction; returns how many new events."""
    now = now or utcnow()
    return (collect_changes(session, now=now) + collect_flags(session, now=now)
            + collect_positions(session, now=now) + collect_hearings(session, now=now))
