"""Read-side figures for the council's overview: counts, recent movement, data freshness. All in SQL."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from tracker.alerts.render import KIND_TITLES, describe
from tracker.dates import by_day_and_time, hearing_clock, hearing_moved_from, us_today
from tracker.deferrals import called_off, deferred_to, held_in_place_of
from tracker.models import (
    Bill,
    BillChange,
    BillMatch,
    CrawlError,
    CrawlRun,
    Jurisdiction,
    LegislativeSession,
    Position,
    Stance,
    Topic,
    TriageState,
    WatchlistItem,
)
from tracker.models.base import utcnow
from tracker.models.enums import ChangeKind, RunStatus, TriageStatus
from tracker.references import bill_reference
from tracker.run_owner import shown_status

MOVES = (ChangeKind.stage_change.value, ChangeKind.new_action.value, ChangeKind.new_version.value)
DEFAULT_STALE_AFTER = dt.timedelta(hours=26)  # a daily feed that missed one run is stale


def _not_dismissed() -> Any:
    """Not dismissed in triage: staff judged the bill noise, so it is not flagged for the council."""
    return BillMatch.bill_id.not_in(select(TriageState.bill_id).where(
        TriageState.status == TriageStatus.dismissed.value))


def counts(session: Session, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The Overview's figures. Stages and jurisdictions count the bills the council follows (``tracked_filter``), as
    the page's lists do: counted over every stored bill they read "In committee 16,275" on a whole Congress, which
    says what the feeds hold, not where our bills stand. ``bills`` (every stored bill) is the admin's figure."""
    since = (now or utcnow()) - dt.timedelta(days=7)
    followed = tracked_filter()
    by_stance = dict(session.execute(select(Position.stance, func.count()).group_by(Position.stance)).all())
    stances = [n for n in session.execute(select(Stance.name).order_by(Stance.sort_order)).scalars()]
    flagged_ids = select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id).where(
        BillMatch.flagged, Topic.enabled, _not_dismissed()).distinct().subquery()
    dismissed_ids = select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id).where(
        BillMatch.flagged, Topic.enabled, ~_not_dismissed()).distinct().subquery()
    return {
        "bills": session.execute(select(func.count()).select_from(Bill)).scalar_one(),
        "followed": session.execute(select(func.count()).select_from(Bill).where(followed)).scalar_one(),
        # Followed bills that moved in the last 7 days, as "Moved in the last 7 days" lists them.
        "moved": session.execute(select(func.count(func.distinct(BillChange.bill_id)))
                                 .join(Bill, Bill.id == BillChange.bill_id)
                                 .where(_movement(since), followed)).scalar_one(),
        # Flagged for the council: the triage inbox's "Flagged, not dismissed"; with "flagged_dismissed", its
        # "All flagged, dismissed included".
        "flagged": session.execute(select(func.count()).select_from(flagged_ids)).scalar_one(),
        "flagged_dismissed": session.execute(select(func.count()).select_from(dismissed_ids)).scalar_one(),
        "positions": sum(by_stance.values()),
        "by_position": [{"position": s, "bills": by_stance.get(s, 0)} for s in stances if by_stance.get(s)],
        "by_stage": [{"stage": s, "bills": n} for s, n in session.execute(
            select(Bill.stage, func.count()).where(followed).group_by(Bill.stage)
            .order_by(func.count().desc(), Bill.stage))],
        "by_topic": [{"topic": name, "bills": n} for name, n in session.execute(
            select(Topic.name, func.count()).join(BillMatch, BillMatch.topic_id == Topic.id)
            .where(BillMatch.flagged, Topic.enabled, _not_dismissed()).group_by(Topic.name)
            .order_by(func.count().desc()))],
        "by_jurisdiction": [{"jurisdiction": f"{j} — {name}", "bills": n} for j, name, n in session.execute(
            select(Bill.jurisdiction_id, Jurisdiction.name, func.count())
            .join(Jurisdiction, Jurisdiction.id == Bill.jurisdiction_id).where(followed)
            .group_by(Bill.jurisdiction_id, Jurisdiction.name).order_by(func.count().desc(), Bill.jurisdiction_id))],
    }


def tracked_filter() -> Any:
    """Bills the council follows: flagged and not dismissed in triage, with a position, or on a watchlist."""
    return or_(Bill.id.in_(select(BillMatch.bill_id).where(BillMatch.flagged, _not_dismissed())),
               Bill.id.in_(select(Position.bill_id)),
               Bill.id.in_(select(WatchlistItem.bill_id)))


MOVED_SHOWN = 100


def _stage_word(stage: str | None, jurisdiction: str | None = None) -> str:
    # The packets' and the overview chart's names for stages; imported here, as tracker.exports loads the
    # packet writers, which the command line's reading commands do not need.
    from tracker.exports.packet import stage_label

    return stage_label(stage, jurisdiction)


def _positions(session: Session, bill_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The council's current position (stance, priority) on each of ``bill_ids`` that has one."""
    if not bill_ids:
        return {}
    return {b: (stance, priority) for b, stance, priority in session.execute(
        select(Position.bill_id, Position.stance, Position.priority).where(Position.bill_id.in_(bill_ids)))}


def _what_moved(changes: list[tuple[str, Any, Any]], jurisdiction: str) -> str:
    """"Stage: In committee → Passed first chamber; 2 new actions; new text" from one bill's changes in the window
    (kind, before, after), oldest first: the stage from where it stood before the first change to where it is."""
    parts = []
    stages = [(before, after) for kind, before, after in changes if kind == ChangeKind.stage_change.value]
    if stages:
        parts.append(f"Stage: {_stage_word(stages[0][0], jurisdiction)} → {_stage_word(stages[-1][1], jurisdiction)}")
    actions = sum(kind == ChangeKind.new_action.value for kind, _, _ in changes)
    if actions:
        parts.append(f"{actions} new action{'s' if actions != 1 else ''}")
    texts = sum(kind == ChangeKind.new_version.value for kind, _, _ in changes)
    if texts:
        parts.append("new text" if texts == 1 else f"{texts} new texts")
    return "; ".join(parts)


# How long after its date an action or a text may reach us and still be news: Congress numbers a public law days
# to weeks after the signing, and the "Became Public Law" action is dated the signing.
LATE_NEWS = dt.timedelta(days=30)


def _movement(since: dt.datetime) -> Any:
    """Changes detected since ``since`` that are the bill moving, not its history filled in: an action or a text
    dated within LATE_NEWS before the window (or undated), a stage change of a bill whose latest action is (an
    import over older copies of the 117th Congress listed H.R. 4350, the House's defence bill for 2022, as moving
    this week for its last action, of March 2022, which an older file lacked). Needs Bill joined."""
    reach = (since - LATE_NEWS).date()
    dated = BillChange.after["date"].as_string()
    return and_(BillChange.detected_at >= since, BillChange.kind.in_(MOVES), or_(
        and_(BillChange.kind != ChangeKind.stage_change.value, or_(dated.is_(None), dated >= reach.isoformat())),
        and_(BillChange.kind == ChangeKind.stage_change.value,
             or_(Bill.latest_action_date.is_(None), Bill.latest_action_date >= reach))))


def moved(session: Session, *, days: int = 7, tracked_only: bool = True, limit: int = MOVED_SHOWN,
          now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Bills whose stage changed or that gained an action or version in the last ``days`` (``_movement``), each
    with the council's position and what moved. A stage change on a bill the council took a side on comes first
    (what a council member looks for), then the rest, latest first."""
    since = (now or utcnow()) - dt.timedelta(days=days)
    staged = func.max(case((BillChange.kind == ChangeKind.stage_change.value, 1), else_=0))
    latest = (select(BillChange.bill_id, func.max(BillChange.detected_at).label("at"), func.count().label("n"),
                     staged.label("staged"))
              .join(Bill, Bill.id == BillChange.bill_id).where(_movement(since))
              .group_by(BillChange.bill_id).subquery())
    judged = Bill.id.in_(select(Position.bill_id))
    query = (select(Bill.id, Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier, Bill.title,
                    Bill.stage, Bill.latest_action_date, Bill.latest_action_text, latest.c.at, latest.c.n,
                    LegislativeSession.name)
             .join(latest, latest.c.bill_id == Bill.id)
             .join(LegislativeSession, LegislativeSession.id == Bill.session_id))
    if tracked_only:
        query = query.where(tracked_filter())
    leads = case((and_(latest.c.staged == 1, judged), 0), else_=1)
    rows = session.execute(query.order_by(leads, latest.c.at.desc(), Bill.id.desc()).limit(limit)).all()
    ids = [r[0] for r in rows]
    stands = _positions(session, ids)
    changes: dict[int, list[tuple[str, Any, Any]]] = {b: [] for b in ids}
    if ids:
        for bill_id, kind, before, after in session.execute(
                select(BillChange.bill_id, BillChange.kind, BillChange.before, BillChange.after)
                .join(Bill, Bill.id == BillChange.bill_id).where(BillChange.bill_id.in_(ids), _movement(since))
                .order_by(BillChange.detected_at, BillChange.id)):
            changes[bill_id].append((kind, before, after))
    return [{"id": r[0], "bill": bill_reference(r[1], r[2], r[3], session_name=r[10], compact=True),
             "title": r[4], "stage": r[5],
             "latest_action_date": r[6], "latest_action": r[7], "detected_at": r[8], "changes": r[9],
             "position": stands.get(r[0], (None, None))[0], "priority": stands.get(r[0], (None, None))[1],
             "stage_label": _stage_word(r[5], r[1]), "what": _what_moved(changes[r[0]], r[1])} for r in rows]


BILL_CHANGES_SHOWN = 200  # a bill's page lists its latest changes; a long-lived bill gathers hundreds


def bill_changes(session: Session, *, bill_id: int, limit: int = BILL_CHANGES_SHOWN) -> list[dict[str, Any]]:
    """What the feeds changed on one bill, latest first, each described as the digests describe it."""
    rows = session.execute(select(BillChange, CrawlRun.source).outerjoin(CrawlRun, CrawlRun.id == BillChange.run_id)
                           .where(BillChange.bill_id == bill_id)
                           .order_by(BillChange.detected_at.desc(), BillChange.id.desc()).limit(limit)).all()
    return [{"detected_at": change.detected_at, "what": KIND_TITLES.get(change.kind, change.kind),
             "detail": describe({"kind": change.kind, "payload": {"before": change.before, "after": change.after}},
                                set())[0], "source": source} for change, source in rows]


# A run's outcome (RunStatus, as run_owner.shown_status gives it) in a sentence: "its last run partly failed".
RUN_OUTCOMES = {RunStatus.succeeded.value: "succeeded", RunStatus.partial.value: "partly failed",
                RunStatus.failed.value: "failed", RunStatus.interrupted.value: "was interrupted",
                RunStatus.running.value: "is still running"}


def run_outcome(status: str | None) -> str:
    return RUN_OUTCOMES.get(status or "", status or "unknown")


@dataclass(frozen=True)
class Freshness:
    source: str
    last_success: dt.datetime | None
    last_run_status: str | None
    last_run_at: dt.datetime | None
    last_run_errors: int
    stale: bool


def freshness(session: Session, *, stale_after: dt.timedelta = DEFAULT_STALE_AFTER,
              now: dt.datetime | None = None) -> list[Freshness]:
    """Per source: the last successful crawl or import, the last run's outcome and errors; stale when no
    success within ``stale_after``. A run whose process died unfinished shows as interrupted.

    A source only ever imported (files loaded by hand: `make run`'s archive, a LegiScan dataset) has no schedule
    to fall behind: it is stale only while no import of it has succeeded. Judged by age, the 117th Congress
    imported by `make run` warned "Data from import is stale" on the council's overview for ever after a day."""
    now = now or utcnow()
    ok = (RunStatus.succeeded.value, RunStatus.partial.value)
    sources = list(session.execute(select(CrawlRun.source).distinct().order_by(CrawlRun.source)).scalars())
    out = []
    for source in sources:
        last_success = session.execute(select(func.max(CrawlRun.finished_at)).where(
            CrawlRun.source == source, CrawlRun.status.in_(ok))).scalar_one()
        last = session.execute(select(CrawlRun).where(CrawlRun.source == source)
                               .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(1)).scalar_one()
        crawled = session.execute(select(CrawlRun.id).where(CrawlRun.source == source, CrawlRun.kind == "crawl")
                                  .limit(1)).first() is not None
        out.append(Freshness(source=source, last_success=last_success, last_run_status=shown_status(last)[0],
                             last_run_at=last.finished_at or last.started_at, last_run_errors=last.failed,
                             stale=last_success is None or (crawled and now - _aware(last_success) > stale_after)))
    return out


def recent_runs(session: Session, *, limit: int = 30) -> list[dict[str, Any]]:
    runs = list(session.execute(select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                                .limit(limit)).scalars())
    return [{"id": r.id, "source": r.source, "kind": r.kind, "status": status, "started": r.started_at,
             "finished": r.finished_at, "fetched": r.fetched, "new": r.new, "updated": r.updated,
             "unchanged": r.unchanged, "failed": r.failed, "message": message}
            for r, (status, message) in ((r, shown_status(r)) for r in runs)]


def run_errors(session: Session, *, run_id: int, limit: int = 200) -> list[dict[str, Any]]:
    return [{"locator": e.locator, "reason": e.reason, "at": e.at} for e in session.execute(
        select(CrawlError).where(CrawlError.run_id == run_id).order_by(CrawlError.id).limit(limit)).scalars()]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


HEARINGS_SHOWN = 50


def upcoming_hearings(session: Session, *, days: int = 30, limit: int = HEARINGS_SHOWN, tracked_only: bool = True,
                      today: dt.date | None = None) -> list[dict[str, Any]]:
    """Hearings in the next ``days`` with a followed bill on the agenda (sources that publish agendas only), the
    first ``limit`` by day and time. Cancelled ones (and deferred ones) stay, marked ``cancelled``: a council
    member who saw one announced and planned to attend must see it called off, not find it gone without a word."""
    from tracker.models.hearings import Hearing, HearingItem

    today = today or us_today(utcnow())
    # One row per hearing and bill: a bill twice on one agenda (consent calendar, then discussion) is one hearing.
    query = (select(Hearing.date, Hearing.time, Hearing.body, Hearing.location, Hearing.url, Bill.id,
                    Bill.jurisdiction_id, Bill.identifier, Bill.title, LegislativeSession.identifier,
                    Hearing.id.label("hearing_id"), Hearing.jurisdiction_id.label("clock_of"), Hearing.previous_date,
                    Hearing.previous_time, Hearing.cancelled, LegislativeSession.name.label("session_name"),
                    Hearing.status)
             .join(HearingItem, HearingItem.hearing_id == Hearing.id).join(Bill, Bill.id == HearingItem.bill_id)
             .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
             .where(Hearing.date >= today, Hearing.date <= today + dt.timedelta(days=days))
             .distinct())
    if tracked_only:
        query = query.where(tracked_filter())
    # Times are text ("9:30 AM", "14:00") that SQL cannot order, so SQL cuts at the day of the last row shown and
    # the sort by time comes before the cut: cut by day and bill, a morning hearing gave way to afternoon ones.
    shown = query.subquery()
    last_day = session.execute(select(shown.c.date).order_by(shown.c.date).offset(limit - 1).limit(1)).scalar()
    if last_day is not None:
        query = query.where(Hearing.date <= last_day)
    rows = sorted(session.execute(query.order_by(Hearing.date, Bill.id, Hearing.id)).all(),
                  key=lambda r: by_day_and_time(r[0], r[1]))[:limit]  # stable: then bill
    stands = _positions(session, sorted({r[5] for r in rows}))
    # A meeting held in place of a deferred one (a new event id): where that one was, as for a move under one id.
    deferred = held_in_place_of(session, [(r[10], r[5]) for r in rows if not r[14] and r[12] is None])
    was = {key: (d.date, d.time) for key, d in deferred.items()}
    # A deferred meeting: where it was put off to, for a bill the meeting held in its place has on its agenda.
    put_off_to = deferred_to(session, [(r[10], r[5]) for r in rows if r[14]])
    # "time" as the feed wrote it; "clock" read on the legislature's clock with its zone ("9:30 AM CST"); "moved_from"
    # where a rescheduled hearing was ("Tue 3 Mar 10:00 AM EST"), as the alerts tell it.
    # "status": "Cancelled", "Deferred", "Deferred to Thu 17 Jan 10:00 AM EST" (tracker.deferrals.called_off), or
    # "Moved from Tue 3 Mar 10:00 AM EST", or None: what the list shows beside the time.
    return [{"date": r[0], "time": r[1], "clock": hearing_clock(r[0], r[1], r[11]), "body": r[2], "location": r[3],
             "moved_from": (moved := hearing_moved_from(r[0], r[1], *was.get((r[10], r[5]), (r[12], r[13])),
                                                        r[11])),
             "cancelled": bool(r[14]),
             "status": called_off(r[14], r[16], r[11], put_off_to.get((r[10], r[5])))
             or (f"Moved from {moved}" if moved else None),
             "url": r[4], "id": r[5],
             "bill": bill_reference(r[6], r[9], r[7], session_name=r[15], compact=True), "title": r[8],  # as moved
             "position": stands.get(r[5], (None, None))[0], "priority": stands.get(r[5], (None, None))[1]}
            for r in rows]
