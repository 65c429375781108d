"""The morning triage: the inbox of bills flagged since their last review, and bulk judgements on them.

Judgements record who and when on ``TriageState``; relevance labels are what tracker.matching learns from.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.dates import US_EASTERN, us_today, utc_stamp
from tracker.models import (
    Assignment,
    Bill,
    BillChange,
    BillMatch,
    FirstFlag,
    LegislativeSession,
    Position,
    Topic,
    TriageState,
    User,
)
from tracker.models.base import utcnow
from tracker.models.enums import ChangeKind, Relevance, Stage, TriageStatus
from tracker.permissions import ROLE_ACTIONS, ROLE_ONE, Action, PermissionDenied, can, require, who_may
from tracker.queries import bill_summary
from tracker.references import matter_kind

# Words of the text box looked up as legislators' names (as search reads words), and how many: a name is a word
# or three, and each is a look-up.
_NAME_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_NAME_WORDS = 6
SORTS = {"score": "Strongest match", "date": "Latest action", "identifier": "Bill number"}
# "flagged" is what the overview counts as flagged for the council; "all" adds the bills staff dismissed.
VIEWS = {"inbox": "Flagged since last review", "reviewed": "Reviewed", "dismissed": "Dismissed",
         "flagged": "Flagged, not dismissed", "all": "All flagged, dismissed included"}
# A bill's triage state and staff's relevance label in words (the stored values are TriageStatus, Relevance).
STATUS_WORDS = {TriageStatus.new.value: "not reviewed yet", TriageStatus.reviewed.value: "reviewed",
                TriageStatus.dismissed.value: "dismissed"}
RELEVANCE_WORDS = {Relevance.relevant.value: "relevant", Relevance.not_relevant.value: "not relevant"}


def judgement_words(status: str | None, relevance: str | None) -> str:
    """"dismissed · not relevant": a bill's triage state, then staff's relevance label when there is one."""
    words = STATUS_WORDS.get(status or "", status or "")
    return words + (f" · {RELEVANCE_WORDS.get(relevance, relevance)}" if relevance else "")


MAX_BULK = 500
MAX_REASON_CHARS = 500  # a dismissal's reason: a line or two, shown in the inbox row


class TriageError(ValueError):
    pass


class TriageConflict(TriageError):
    """Someone judged a bill after the judgement the actor was shown: theirs is not overwritten unseen."""


@dataclass(frozen=True)
class InboxFilter:
    view: str = "inbox"  # VIEWS
    topic: str | None = None  # topic slug
    jurisdiction: str | None = None
    stages: tuple[str, ...] = ()
    min_score: float | None = None
    since: dt.date | None = None  # latest action on or after
    until: dt.date | None = None
    text: str | None = None  # words in the title, or the bill's number
    assignee_id: int | None = None
    flagged_after: dt.datetime | None = None  # first flagged at or after (the reader's cut-off: tracker.visits)
    sort: str = "score"  # SORTS
    descending: bool = True
    with_dead: bool = False  # the inbox view: also the bills dead before anyone judged them (``_dead_unjudged``)

    @classmethod
    def from_saved(cls, params: dict[str, Any], *, assignee_id: int | None, new_from: dt.datetime) -> "InboxFilter":
        """The filter a saved triage filter's widget values (``f_*``) stand for; ``assignee_id`` answers
        "only bills assigned to me"; ``f_new`` keeps "only new" bills, first flagged since ``new_from``: the cut-off
        of whoever reads the filter (tracker.visits.new_since_for), not of whoever saved it."""
        since = params.get("f_since")  # ISO in a saved filter; a date where the page's own widgets were kept
        if isinstance(since, str):
            since = dt.date.fromisoformat(since) if since else None
        return cls(view=params.get("f_view") or "inbox", topic=params.get("f_topic") or None,
                   jurisdiction=params.get("f_jurisdiction") or None, stages=tuple(params.get("f_stages") or ()),
                   min_score=params.get("f_min_score"), since=since or None,
                   text=params.get("f_text") or None, sort=params.get("f_sort") or "score",
                   assignee_id=assignee_id if params.get("f_mine") else None,
                   flagged_after=new_from if params.get("f_new") else None, with_dead=bool(params.get("f_dead")))


def _previous_working_day(now: dt.datetime | None) -> tuple[dt.date, dt.date]:
    """Today and the working day before it, on Washington's clock."""
    today = (now or dt.datetime.now(dt.UTC)).astimezone(US_EASTERN).date()
    day = today - dt.timedelta(days=1)
    while day.weekday() >= 5:  # Saturday, Sunday
        day -= dt.timedelta(days=1)
    return today, day


def new_since(*, now: dt.datetime | None = None) -> dt.datetime:
    """When "new since yesterday" starts: midnight at the start of the previous working day on Washington's clock,
    in UTC: yesterday, or Friday on a Monday and over the weekend, so that Monday's count holds what the weekend's
    crawls flagged. A day, not the last 24 hours: a bill flagged yesterday afternoon is still new this morning
    whatever the hour the inbox is opened, and the count keeps one value all day (the dashboard caches it by
    filter). The inbox counts from each reader's last visit instead once one is recorded (tracker.visits): this is
    the rule for a reader with none."""
    _, day = _previous_working_day(now)
    return dt.datetime.combine(day, dt.time(), tzinfo=US_EASTERN).astimezone(dt.UTC)


def new_since_words(*, now: dt.datetime | None = None) -> str:
    """``new_since`` in words: "since yesterday", or "since Friday" on a Monday or a Sunday."""
    today, day = _previous_working_day(now)
    return "since yesterday" if today - day == dt.timedelta(days=1) else f"since {day:%A}"


# A bill at one of these stages needs no decision: the council filed it at the end of the session (New York City's
# "Filed (End of Session)"), a committee killed it, its sponsor withdrew it. A vetoed bill can still be overridden.
DEAD_STAGES = (Stage.failed.value, Stage.withdrawn.value)


def _dead_unjudged() -> Any:
    """A bill dead before anyone judged it: a first crawl of a city brings its backlog, New York's resolutions
    filed years ago among them, which filled the morning's inbox with nothing to decide. One that dies after its
    review is news (its stage change brings it back as changed since reviewed): not this."""
    return and_(Bill.stage.in_(DEAD_STAGES),
                or_(TriageState.bill_id.is_(None), TriageState.status == TriageStatus.new.value))


def _inbox_query(session: Session, columns: Sequence[Any], flt: InboxFilter, *, keep_id: int | None = None) -> Any:
    """``keep_id``: a bill listed whatever its triage state or assignment (judged since it was shown: its place in
    the list is where the next one is counted from)."""
    # A ceremonial resolution (tracker.matching.ceremonial) is one whose every flag is marked so: its form, to say
    # why it is listed after the substantive bills; None when a topic flags it for what its text says.
    all_ceremonial = func.min(case((BillMatch.ceremonial.is_(None), 0), else_=1)) == 1
    matched = (select(BillMatch.bill_id, func.max(BillMatch.score).label("best"),
                      case((all_ceremonial, func.max(BillMatch.ceremonial))).label("ceremonial"))
               .join(Topic, Topic.id == BillMatch.topic_id).where(BillMatch.flagged, Topic.enabled))
    if flt.topic:
        matched = matched.where(Topic.slug == flt.topic)
    best = matched.group_by(BillMatch.bill_id).subquery("best")
    query = select(*columns, best.c.best, best.c.ceremonial).select_from(Bill)
    if flt.assignee_id and not flt.topic:
        # Someone's assignments are their to-do list: a bill assigned from search or its own page is often not
        # flagged, and its assignee must still find it here.
        query = query.outerjoin(best, best.c.bill_id == Bill.id)
    else:
        query = query.join(best, best.c.bill_id == Bill.id)
    query = (query.join(LegislativeSession, LegislativeSession.id == Bill.session_id)
             .outerjoin(TriageState, TriageState.bill_id == Bill.id)
             .outerjoin(FirstFlag, FirstFlag.bill_id == Bill.id))
    if flt.view not in VIEWS:
        raise TriageError(f"Unknown inbox view {flt.view!r}; one of: {', '.join(VIEWS)}")
    listed = None
    if flt.assignee_id:
        pass  # someone's assignments stay until done or reassigned, whatever the triage state of their bills
    elif flt.view == "inbox":
        # New, or reviewed before the bill last changed; a dismissal holds until someone reverses it.
        listed = or_(TriageState.bill_id.is_(None), TriageState.status == TriageStatus.new.value,
                     and_(TriageState.status == TriageStatus.reviewed.value,
                          Bill.last_changed_at > TriageState.changed_at))
        if leaves_out_dead(flt):
            listed = and_(listed, ~_dead_unjudged())
    elif flt.view in (TriageStatus.reviewed.value, TriageStatus.dismissed.value):
        listed = TriageState.status == flt.view
    elif flt.view == "flagged":
        listed = or_(TriageState.bill_id.is_(None), TriageState.status != TriageStatus.dismissed.value)
    if listed is not None:
        query = query.where(listed if keep_id is None else or_(listed, Bill.id == keep_id))
    if flt.jurisdiction:
        query = query.where(Bill.jurisdiction_id == flt.jurisdiction)
    if flt.stages:
        query = query.where(Bill.stage.in_(list(flt.stages)))
    if flt.min_score is not None:
        query = query.where(best.c.best >= flt.min_score)
    if flt.since:
        query = query.where(Bill.latest_action_date >= flt.since)
    if flt.until:
        query = query.where(Bill.latest_action_date <= flt.until)
    if flt.text and flt.text.strip():
        from tracker.search import named_bill_ids, read_query

        # People type a bill's number here as often as words of its title ("H.R. 2", "hr2", "AB 5"), and at times
        # both ("robotics HR 3"): read as search reads them, the number's bills or the titles with the other words.
        # Words are matched literally: "100%" or "_" in a title search must not act as LIKE wildcards.
        read = read_query(session, flt.text)
        found = [Bill.id.in_(read.number_ids)] if read.number_ids else []
        if read.words.strip():
            title = func.lower(Bill.title)
            found.append(title.contains(" ".join(read.words.split()).lower(), autoescape=True))
            # A legislator's name ("Menendez", "Sanchez" for "Sánchez"), alone or with words of the title
            # ("Menendez privacy"): each word in the title or a sponsor's or cosponsor's name, one of them a name.
            words = list(dict.fromkeys(w.lower() for w in _NAME_WORD.findall(read.words)))[:_NAME_WORDS]
            named = [Bill.id.in_(named_bill_ids(session, w)) for w in words]
            if named:
                found.append(and_(or_(*named), *[or_(title.contains(w, autoescape=True), n)
                                                 for w, n in zip(words, named, strict=True)]))
        query = query.where(or_(*found))
    if flt.flagged_after is not None:
        query = query.where(FirstFlag.first_flagged_at >= flt.flagged_after)
    if flt.assignee_id:
        mine = Bill.id.in_(select(Assignment.bill_id).where(Assignment.assignee_id == flt.assignee_id,
                                                             ~Assignment.done))
        query = query.where(mine if keep_id is None else or_(mine, Bill.id == keep_id))
    return query, best


def count_inbox(session: Session, flt: InboxFilter = InboxFilter()) -> int:
    count_query, _ = _inbox_query(session, [Bill.id], flt)
    return session.execute(select(func.count()).select_from(count_query.subquery())).scalar_one()


def leaves_out_dead(flt: InboxFilter) -> bool:
    """The inbox view leaves out the bills dead before anyone judged them, unless asked for them (``with_dead``,
    or a stage filter that names a dead stage: "Failed" chosen is asked for)."""
    return (flt.view == "inbox" and not flt.with_dead and not flt.assignee_id
            and not set(flt.stages) & set(DEAD_STAGES))


def count_dead_left_out(session: Session, flt: InboxFilter = InboxFilter()) -> int:
    """How many bills the inbox ``flt`` selects leaves out as dead before anyone judged them (0 when it leaves
    none out): the page says so, and how to see them."""
    if not leaves_out_dead(flt):
        return 0
    return count_inbox(session, replace(flt, with_dead=True)) - count_inbox(session, flt)


def count_new(session: Session, flt: InboxFilter = InboxFilter(), *, since: dt.datetime) -> int:
    """How many of the bills ``flt`` lists a topic first flagged at or after ``since`` (the reader's cut-off,
    tracker.visits): the inbox's "N new since your last visit", counted in the view and with the filters shown."""
    return count_inbox(session, replace(flt, flagged_after=since))


def _order(flt: InboxFilter, best: Any) -> list[Any]:
    """The inbox's order for ``flt.sort``, ties broken by the newest bill first, so every page and "next" agree."""
    if flt.sort == "identifier":
        # "HR 9" before "HR 10" (the identifier as text put "HR 10" before "HR 2"): jurisdiction and type, then the
        # number's length, then the number as text, as packets are ordered (tracker.exports.selection).
        keys = [Bill.jurisdiction_id, Bill.bill_type, func.length(Bill.number), Bill.number]
    elif flt.sort == "score":
        # Ceremonial resolutions after the substantive bills, whatever their score: "Public Radio Music Day" and
        # "National Cybersecurity Education Month" reach a topic's top score on their titles' words alone, and
        # listed first they buried the bills staff triage for. Weakest first is the same order reversed.
        keys = [case((best.c.ceremonial.is_(None), 1), else_=0), best.c.best]
    else:
        keys = [Bill.latest_action_date]
    order = [key.desc().nulls_last() if flt.descending else key.asc().nulls_last() for key in keys]
    return [*order, Bill.id.desc()]


def next_in_inbox(session: Session, flt: InboxFilter, *, after_id: int) -> int | None:
    """The bill listed after ``after_id`` in the inbox ``flt`` selects, in its order: what a staffer opens next
    after judging a bill. The bill keeps its place once judged (it has left the inbox by then); None when it is
    the last one, or not in this list at all."""
    if flt.sort not in SORTS:
        raise TriageError(f"Unknown sort {flt.sort!r}; one of: {', '.join(SORTS)}")
    query, best = _inbox_query(session, [Bill.id], flt, keep_id=after_id)
    ranked = query.add_columns(func.row_number().over(order_by=_order(flt, best)).label("rank")).subquery()
    here = select(ranked.c.rank).where(ranked.c.id == after_id).scalar_subquery()
    return session.execute(select(ranked.c.id).where(ranked.c.rank == here + 1)).scalar_one_or_none()


def inbox(session: Session, flt: InboxFilter = InboxFilter(), *, limit: int = 50, offset: int = 0,
          count: bool = True) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the inbox (filtered, sorted and paginated in SQL) and the total count (None when
    ``count=False``: the dashboard caches counts, which a new sort or page does not change)."""
    from tracker.exports.packet import official_status  # the bill page's and packet's rule, one wording
    from tracker.matching.queries import topics_for

    if flt.sort not in SORTS:
        raise TriageError(f"Unknown sort {flt.sort!r}; one of: {', '.join(SORTS)}")
    query, best = _inbox_query(session, [Bill, LegislativeSession.identifier, TriageState.status,
                                         TriageState.relevance, TriageState.changed_at, TriageState.user_id,
                                         TriageState.reason, FirstFlag.first_flagged_at], flt)
    rows = session.execute(query.order_by(*_order(flt, best)).limit(limit).offset(offset)).all()
    total = count_inbox(session, flt) if count else None
    ids = [bill.id for bill, *_ in rows]
    topics = topics_for(session, ids)
    positions = {p.bill_id: p for p in session.execute(select(Position).where(Position.bill_id.in_(ids))).scalars()}
    assignments = open_assignments(session, ids)
    since_review = _changes_since_review(session, {
        bill.id: judged_at for bill, _, status, _, judged_at, *_ in rows
        if status == TriageStatus.reviewed.value and judged_at is not None and bill.last_changed_at > judged_at})
    judges = {row[5] for row in rows if row[5] is not None}
    names = {i: name or email for i, email, name in session.execute(
        select(User.id, User.email, User.name).where(User.id.in_(judges)))} if judges else {}
    out = []
    for (bill, session_identifier, status, relevance, judged_at, judged_by, reason, first_flagged_at, score,
         ceremonial) in rows:
        item = bill_summary(bill, session_identifier)
        # What kind of matter, where the clerk says it stands: a city's contract, report or motion is flagged on
        # the same words as its ordinances, and its file number ("2018-0609") does not say which it is.
        item.update(kind=matter_kind(bill.jurisdiction_id, bill.bill_type),
                    official_status=official_status(bill.status_text, bill.latest_action_text))
        pos = positions.get(bill.id)
        # A reviewed bill is back in the inbox because the feeds changed it since: say so, or it reads as done.
        changed = (status == TriageStatus.reviewed.value and judged_at is not None
                   and bill.last_changed_at > judged_at)
        item.update(score=score, status=status or TriageStatus.new.value, relevance=relevance,
                    changed_since_review=changed, changes_since_review=since_review.get(bill.id, []),
                    judged_by=names.get(judged_by), reason=reason, ceremonial=ceremonial,
                    first_flagged_at=first_flagged_at,
                    judged_at=judged_at.date().isoformat() if judged_at else None,
                    judged_stamp=judged_at,  # what ``seen`` compares: the judgement as this list showed it
                    topics=topics.get(bill.id, []), position=pos.stance if pos else None,
                    position_version=pos.version if pos else None, assignment=assignments.get(bill.id),
                    assignee=(assignments.get(bill.id) or {}).get("assignee"))
        out.append(item)
    return out, total


# What a change record says in an inbox row, in this order; a count for the kinds that come several at a time.
_SINCE_REVIEW = {ChangeKind.new_action.value: ("new action", "new actions"),
                 ChangeKind.stage_change.value: ("stage change", None),
                 ChangeKind.new_version.value: ("new text", "new texts"),
                 ChangeKind.title_change.value: ("title change", None),
                 ChangeKind.sponsor_change.value: ("sponsor change", "sponsor changes"),
                 ChangeKind.action_corrected.value: ("action reworded", "actions reworded")}


def _changes_since_review(session: Session, reviewed_at: dict[int, dt.datetime]) -> dict[int, list[str]]:
    """For bills back in the inbox, what the feeds changed since each was reviewed ("2 new actions", "stage
    change"). Empty when only details changed that no change record names (a related bill added upstream, a
    reworded summary, a committee's activity): the row then says so, rather than leaving staff to hunt."""
    if not reviewed_at:
        return {}
    counts: dict[int, dict[str, int]] = {}
    for bill_id, kind, at in session.execute(
            select(BillChange.bill_id, BillChange.kind, BillChange.detected_at)
            .where(BillChange.bill_id.in_(list(reviewed_at)), BillChange.kind.in_(list(_SINCE_REVIEW)),
                   BillChange.detected_at > min(reviewed_at.values()))):
        if at > reviewed_at[bill_id]:
            counts.setdefault(bill_id, {}).setdefault(kind, 0)
            counts[bill_id][kind] += 1
    out: dict[int, list[str]] = {}
    for bill_id, kinds in counts.items():
        out[bill_id] = [one if n == 1 or many is None else f"{n} {many}"
                        for kind, (one, many) in _SINCE_REVIEW.items() if (n := kinds.get(kind))]
    return out


def standing(session: Session, bill_ids: Sequence[int]) -> dict[int, dict[str, str | None]]:
    """Where the council stands on each of these bills, for lists other than the inbox (search): its position
    (the stance, or None) and its triage judgement in words ("dismissed · not relevant"; "not reviewed yet" for a
    flagged bill nobody judged; None for a bill no topic flags and nobody judged)."""
    ids = list(dict.fromkeys(bill_ids))
    if not ids:
        return {}
    stances = dict(session.execute(select(Position.bill_id, Position.stance).where(Position.bill_id.in_(ids))).all())
    judged = {b: (st, rel) for b, st, rel in session.execute(
        select(TriageState.bill_id, TriageState.status, TriageState.relevance).where(TriageState.bill_id.in_(ids)))}
    flagged = set(session.execute(select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
                                  .where(BillMatch.bill_id.in_(ids), BillMatch.flagged, Topic.enabled)).scalars())
    out: dict[int, dict[str, str | None]] = {}
    for bill_id in ids:
        status, relevance = judged.get(bill_id, (None, None))
        words = (judgement_words(status, relevance) if status is not None
                 else STATUS_WORDS[TriageStatus.new.value] if bill_id in flagged else None)
        out[bill_id] = {"position": stances.get(bill_id), "judgement": words}
    return out


def current_assignees(session: Session, bill_ids: Sequence[int]) -> dict[int, str]:
    return {bill_id: a["assignee"] for bill_id, a in open_assignments(session, bill_ids).items()}


def open_assignments(session: Session, bill_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Each bill's open assignment: who has it, the task and due date they were given (``overdue`` once that day
    has gone by), who gave it and when."""
    if not bill_ids:
        return {}
    assigner = aliased(User)
    rows = session.execute(select(Assignment, User.email, User.name, assigner.email, assigner.name)
                           .join(User, User.id == Assignment.assignee_id)
                           .outerjoin(assigner, assigner.id == Assignment.assigned_by_id)
                           .where(Assignment.bill_id.in_(list(bill_ids)), ~Assignment.done)
                           .order_by(Assignment.created_at, Assignment.id)).all()
    today = us_today()  # a day still running anywhere in the US is not over yet
    return {a.bill_id: {"assignee_id": a.assignee_id, "assignee": name or email, "task": a.task,  # latest wins
                        "due_date": a.due_date.isoformat() if a.due_date else None,
                        "overdue": a.due_date is not None and a.due_date < today,
                        "assigned_by": (by_name or by_email) if by_email else None,
                        "assigned_at": a.created_at.date().isoformat() if a.created_at else None}
            for a, email, name, by_email, by_name in rows}


def assignable_users(session: Session) -> dict[int, str]:
    """Who ``assign`` accepts, by id, with the name to show (the email when there is none), ordered by email:
    active users whose role may triage. Read from ROLE_ACTIONS so the list offered and the check cannot drift."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.triage in actions]
    return {i: name or email for i, email, name in session.execute(
        select(User.id, User.email, User.name).where(User.active, User.role.in_(roles)).order_by(User.email))}


def _ids(bill_ids: Iterable[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in bill_ids))
    if not ids:
        raise TriageError("No bills selected.")
    if len(ids) > MAX_BULK:
        raise TriageError(f"At most {MAX_BULK} bills at once ({len(ids)} selected).")
    return ids


def _judge(session: Session, *, actor: User, bill_ids: Iterable[int], status: str,
           relevance: str | None, keep_relevance: bool = False, reason: str | None = None,
           seen: dict[int, dt.datetime | None] | None = None) -> int:
    require(actor, Action.triage)
    ids = _ids(bill_ids)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise TriageError(f"A reason is limited to {MAX_REASON_CHARS} characters ({len(reason)} given).")
    found = set(session.execute(select(Bill.id).where(Bill.id.in_(ids))).scalars())
    missing = [i for i in ids if i not in found]
    if missing:
        raise TriageError(f"No bill with id {', '.join(map(str, missing))}.")
    now = utcnow()
    states = {s.bill_id: s for s in session.execute(select(TriageState).where(TriageState.bill_id.in_(ids))).scalars()}
    if seen:
        _refuse_unseen(session, states, {b: at for b, at in seen.items() if b in found})
    for bill_id in ids:
        state = states.get(bill_id) or TriageState(bill_id=bill_id)
        state.status = status
        if not keep_relevance:
            state.relevance = relevance
        state.reason = reason  # a dismissal's reason goes when the bill is judged otherwise
        state.user_id = actor.id
        state.changed_at = now
        session.add(state)
    session.flush()
    return len(ids)


def _refuse_unseen(session: Session, states: dict[int, TriageState], seen: dict[int, dt.datetime | None]) -> None:
    """TriageConflict when a bill's judgement is not the one the actor was shown (``seen``: its ``changed_at``,
    None for a bill nobody had judged), naming who judged it since, how and when."""
    changed = [b for b, at in seen.items() if (states[b].changed_at if b in states else None) != at]
    if not changed:
        return
    state = states.get(changed[0])
    if len(changed) > 1 or state is None:
        raise TriageConflict(f"Not saved: {_counted_bills(len(changed))} judged by someone else after you looked "
                             f"(bill {', '.join(map(str, changed))}). Look at them again, then judge them.")
    who = session.execute(select(User.name, User.email).where(User.id == state.user_id)).first()
    raise TriageConflict(f"Not saved: {(who[0] or who[1]) if who else 'someone'} judged this bill "
                         f"{judgement_words(state.status, state.relevance)} at {utc_stamp(state.changed_at)}, after "
                         "you looked. Their judgement is shown now; judge the bill again if you still disagree.")


def _counted_bills(n: int) -> str:
    return f"{n} bill was" if n == 1 else f"{n} bills were"


# ``seen``, in each: the judgement each bill had when the actor was shown it (``TriageState.changed_at``, None
# for none); a bill judged since is refused (TriageConflict). Without it, the last judgement wins.

def mark_reviewed(session: Session, *, actor: User, bill_ids: Iterable[int],
                  seen: dict[int, dt.datetime | None] | None = None) -> int:
    """Seen; no judgement on relevance (a label given earlier stays)."""
    return _judge(session, actor=actor, bill_ids=bill_ids, status=TriageStatus.reviewed.value, relevance=None,
                  keep_relevance=True, seen=seen)


def dismiss(session: Session, *, actor: User, bill_ids: Iterable[int], reason: str | None = None,
            seen: dict[int, dt.datetime | None] | None = None) -> int:
    """Not relevant: out of the inbox, and a negative example for learning. ``reason`` (optional, at most
    MAX_REASON_CHARS) says why, for colleagues and whoever tunes the topics' rules."""
    return _judge(session, actor=actor, bill_ids=bill_ids, status=TriageStatus.dismissed.value,
                  relevance=Relevance.not_relevant.value, reason=reason, seen=seen)


def mark_relevant(session: Session, *, actor: User, bill_ids: Iterable[int],
                  seen: dict[int, dt.datetime | None] | None = None) -> int:
    """Relevant: reviewed, and a positive example for learning."""
    return _judge(session, actor=actor, bill_ids=bill_ids, status=TriageStatus.reviewed.value,
                  relevance=Relevance.relevant.value, seen=seen)


def reopen(session: Session, *, actor: User, bill_ids: Iterable[int],
           seen: dict[int, dt.datetime | None] | None = None) -> int:
    """Back into the inbox, clearing the relevance label."""
    return _judge(session, actor=actor, bill_ids=bill_ids, status=TriageStatus.new.value, relevance=None, seen=seen)


def assign(session: Session, *, actor: User, bill_ids: Iterable[int], assignee_id: int, task: str | None = None,
           due_date: dt.date | None = None) -> int:
    """Give bills to someone; their earlier open assignment on the same bill is closed."""
    require(actor, Action.assign)
    ids = _ids(bill_ids)
    if due_date is not None and due_date < us_today():  # a slip in the date box (last year), not a real deadline
        raise TriageError(f"A due date of {due_date.isoformat()} is already past; choose today or a later day.")
    assignee = session.get(User, assignee_id)
    if assignee is None or not assignee.active:
        raise TriageError(f"No active user with id {assignee_id}.")
    if not can(assignee, Action.triage):  # follow-up is staff work: a reader could not act on the bill
        raise TriageError(f"{assignee.email} is {ROLE_ONE.get(assignee.role, assignee.role)}: only "
                          f"{who_may(Action.triage)} take assignments.")
    now = utcnow()
    for old in session.execute(select(Assignment).where(Assignment.bill_id.in_(ids), ~Assignment.done)).scalars():
        old.done, old.done_at = True, now
        session.add(old)
    for bill_id in ids:
        session.add(Assignment(bill_id=bill_id, assignee_id=assignee.id, assigned_by_id=actor.id,
                               task=(task or "").strip() or None, due_date=due_date, created_at=now))
    session.flush()
    return len(ids)


def complete_assignment(session: Session, *, actor: User, bill_id: int) -> bool:
    """Close the bill's open assignment: the follow-up is done. Its assignee, or anyone who may assign, closes
    it; False when none was open. Without this an assignment closed only when the bill was given to someone
    else, and "Only bills assigned to me" only ever grew."""
    require(actor, Action.triage)
    open_ = list(session.execute(select(Assignment).where(Assignment.bill_id == bill_id, ~Assignment.done)).scalars())
    if not open_:
        return False
    if actor.id not in {a.assignee_id for a in open_} and not can(actor, Action.assign):
        raise PermissionDenied("Only the assignee or someone who assigns follow-up can mark it done.")
    now = utcnow()
    for assignment in open_:
        assignment.done, assignment.done_at = True, now
        session.add(assignment)
    session.flush()
    return True


def triage_state(session: Session, *, bill_id: int) -> dict[str, Any] | None:
    row = session.execute(select(TriageState, User.email, User.name).outerjoin(User, User.id == TriageState.user_id)
                          .where(TriageState.bill_id == bill_id)).first()
    if row is None:
        return None
    state, email, name = row
    # Named as the inbox, positions and notes name people (the email when there is no name).
    return {"status": state.status, "relevance": state.relevance, "reason": state.reason, "by": name or email,
            "at": state.changed_at.isoformat(timespec="seconds"),
            "changed_at": state.changed_at}  # to hand back as ``seen``: the judgement shown, to the microsecond
