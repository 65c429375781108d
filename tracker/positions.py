"""The council's position on a bill: optimistic versions so no save silently overwrites another, and an
append-only history of every version (who, when, from what to what).

A position can be withdrawn (taken by mistake, or the council decides to stay out of the bill): its Position row
is deleted, so every count, filter, packet and alert reads "no position" without knowing about withdrawals, and
the history gains a ``withdrawn`` row (who, when, why) while keeping every earlier version. Versions are numbered
per bill across withdrawals: a position set again afterwards continues the numbering."""

import datetime as dt
from typing import Any, NoReturn

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from tracker.dates import utc_stamp
from tracker.models import Bill, Position, PositionHistory, Stance, TriageState, User
from tracker.models.base import utcnow
from tracker.models.enums import Priority, TriageStatus
from tracker.permissions import Action, require


class PositionError(ValueError):
    """Bad input: unknown bill, stance outside the vocabulary, unknown priority."""


class PositionConflict(RuntimeError):
    """Someone saved this bill's position after the version the editor started from."""

    def __init__(self, *, bill_id: int, expected_version: int | None, current: dict[str, Any]) -> None:
        self.bill_id = bill_id
        self.expected_version = expected_version
        self.current = current  # get_position's shape, or withdrawal()'s when the position was withdrawn
        who = current.get("author") or "someone"
        when = utc_stamp(current.get("updated_at"))  # as the bill page shows times, not an ISO stamp
        if current.get("withdrawn"):
            super().__init__(
                f"Not saved: {who} withdrew this position at {when} (version {current['version']}, was "
                f"{current['previous_stance']}"
                + (f", reason: “{current['reason']}”" if current.get("reason") else "")
                + "). The bill has no position now; review their change, then save again."
            )
            return
        super().__init__(
            f"Not saved: {who} changed this position at {when} (version {current['version']}: "
            f"{current['stance']}, {current['priority']} priority"
            + (f", rationale: “{current['rationale']}”" if current.get("rationale") else "")
            + "). Review their change, then save again."
        )


def stances(session: Session) -> list[str]:
    return list(session.execute(select(Stance.name).where(Stance.active).order_by(Stance.sort_order)).scalars())


def _describe(session: Session, position: Position) -> dict[str, Any]:
    author = session.get(User, position.author_id) if position.author_id else None
    return {"bill_id": position.bill_id, "stance": position.stance, "priority": position.priority,
            "rationale": position.rationale, "version": position.version,
            "author": (author.name or author.email) if author else None,
            "updated_at": position.updated_at.isoformat(timespec="seconds") if position.updated_at else None}


def get_position(session: Session, *, bill_id: int) -> dict[str, Any] | None:
    """The bill's current position; None when it has none (never set, or withdrawn: see ``withdrawal``)."""
    position = session.execute(select(Position).where(Position.bill_id == bill_id)).scalar_one_or_none()
    return _describe(session, position) if position else None


def withdrawal(session: Session, *, bill_id: int) -> dict[str, Any] | None:
    """The withdrawal that left the bill without a position, when that is the latest thing in its history:
    who, when, why and what was withdrawn. None when the bill has a position or never had one."""
    latest = session.execute(select(PositionHistory).where(PositionHistory.bill_id == bill_id)
                             .order_by(PositionHistory.version.desc(), PositionHistory.id.desc()).limit(1)
                             ).scalar_one_or_none()
    if latest is None or not latest.withdrawn:
        return None
    author = session.get(User, latest.author_id) if latest.author_id else None
    return {"bill_id": bill_id, "withdrawn": True, "stance": None, "version": latest.version,
            "previous_stance": latest.previous_stance, "previous_priority": latest.previous_priority,
            "reason": latest.rationale, "author": (author.name or author.email) if author else None,
            "updated_at": _iso(latest.changed_at)}


def _last_version(session: Session, bill_id: int) -> int:
    """The bill's highest version so far, withdrawals included (0 when it never had a position)."""
    return session.execute(select(func.coalesce(func.max(PositionHistory.version), 0))
                           .where(PositionHistory.bill_id == bill_id)).scalar_one()


def set_position(session: Session, *, actor: User, bill_id: int, stance: str, priority: str = Priority.medium.value,
                 rationale: str | None = None, expected_version: int | None) -> dict[str, Any]:
    """Save a position. ``expected_version`` is the version the editor saw (None: there was no position yet);
    if the stored one moved on since, PositionConflict carries the other person's change and nothing is written.
    """
    require(actor, Action.set_position)
    if session.get(Bill, bill_id) is None:
        raise PositionError(f"No bill with id {bill_id}.")
    known = stances(session)
    if stance not in known:
        raise PositionError(f"Unknown position {stance!r}; one of: {', '.join(known)}")
    if priority not in {p.value for p in Priority}:
        raise PositionError(f"Unknown priority {priority!r}; one of: {', '.join(p.value for p in Priority)}")
    rationale = (rationale or "").strip() or None
    now = utcnow()
    current = session.execute(select(Position).where(Position.bill_id == bill_id)).scalar_one_or_none()
    if current is None:
        if expected_version is not None:
            _refuse_stale(session, bill_id=bill_id, expected_version=expected_version)
        # After a withdrawal the numbering goes on: version 4 withdrawn, the next position is version 5.
        position = Position(bill_id=bill_id, stance=stance, priority=priority, rationale=rationale,
                            author_id=actor.id, version=_last_version(session, bill_id) + 1, updated_at=now)
        session.add(position)
        try:
            session.flush()
        except IntegrityError:  # another session created the first version between our read and write
            session.rollback()
            other = session.execute(select(Position).where(Position.bill_id == bill_id)).scalar_one()
            raise PositionConflict(bill_id=bill_id, expected_version=None, current=_describe(session, other)) from None
        previous_stance = previous_priority = None
    else:
        if expected_version != current.version:
            raise PositionConflict(bill_id=bill_id, expected_version=expected_version,
                                   current=_describe(session, current))
        previous_stance, previous_priority = current.stance, current.priority
        # Compare-and-set in SQL: a concurrent writer that passed the check above still cannot win twice.
        done = session.execute(
            update(Position).where(Position.id == current.id, Position.version == expected_version)
            .values(stance=stance, priority=priority, rationale=rationale, author_id=actor.id,
                    version=expected_version + 1, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:  # another session saved or withdrew it since our read
            _refuse_moved(session, bill_id=bill_id, expected_version=expected_version)
        session.refresh(current)
        position = current
    session.add(PositionHistory(position_id=position.id, bill_id=bill_id, version=position.version, stance=stance,
                                priority=priority, rationale=rationale, previous_stance=previous_stance,
                                previous_priority=previous_priority, author_id=actor.id, changed_at=now))
    _mark_reviewed(session, bill_id=bill_id, actor=actor, now=now)
    session.flush()
    return _describe(session, position)


def withdraw_position(session: Session, *, actor: User, bill_id: int, expected_version: int,
                      reason: str | None = None) -> dict[str, Any]:
    """Withdraw the bill's position: from now on it has none anywhere (counts, search, packets, alerts). Its
    history keeps every version and gains a withdrawal row with who, when and ``reason``. ``expected_version``
    is the version the person saw, as for ``set_position``: if someone saved or withdrew it since, a
    PositionConflict carries their change and nothing is written. Returns ``withdrawal()``'s description."""
    require(actor, Action.withdraw_position)
    if session.get(Bill, bill_id) is None:
        raise PositionError(f"No bill with id {bill_id}.")
    current = session.execute(select(Position).where(Position.bill_id == bill_id)).scalar_one_or_none()
    if current is None:
        _refuse_stale(session, bill_id=bill_id, expected_version=expected_version, action="withdraw")
    if current.version != expected_version:
        raise PositionConflict(bill_id=bill_id, expected_version=expected_version,
                               current=_describe(session, current))
    reason = (reason or "").strip() or None
    now = utcnow()
    was_stance, was_priority, position_id = current.stance, current.priority, current.id
    # Compare-and-delete: a concurrent save or withdrawal that passed the check above still cannot both win.
    done = session.execute(delete(Position).where(Position.id == position_id, Position.version == expected_version)
                           .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        _refuse_moved(session, bill_id=bill_id, expected_version=expected_version)
    session.expunge(current)
    # The history outlives the row. The foreign key's SET NULL clears its links already; this does it on a SQLite
    # connection opened without foreign keys too, where a stale id could later point at another bill's position.
    session.execute(update(PositionHistory).where(PositionHistory.position_id == position_id)
                    .values(position_id=None).execution_options(synchronize_session=False))
    session.add(PositionHistory(position_id=None, bill_id=bill_id, version=expected_version + 1, withdrawn=True,
                                stance=None, priority=None, rationale=reason, previous_stance=was_stance,
                                previous_priority=was_priority, author_id=actor.id, changed_at=now))
    session.flush()
    gone = withdrawal(session, bill_id=bill_id)
    assert gone is not None
    return gone


def _refuse_stale(session: Session, *, bill_id: int, expected_version: int, action: str = "update") -> NoReturn:
    """The editor started from a version, and the bill has no position now: a withdrawal since is a conflict
    showing who withdrew it; a bill that never had one is bad input."""
    gone = withdrawal(session, bill_id=bill_id)
    if gone is not None:
        raise PositionConflict(bill_id=bill_id, expected_version=expected_version, current=gone)
    raise PositionError(f"Bill {bill_id} has no position to {action}.")


def _refuse_moved(session: Session, *, bill_id: int, expected_version: int) -> NoReturn:
    """A compare-and-set or compare-and-delete changed no row: someone saved or withdrew the position since our
    read. Nothing was written; the conflict carries what is there now, read afresh (not the identity map's copy)."""
    now_there = session.execute(select(Position).where(Position.bill_id == bill_id)
                                .execution_options(populate_existing=True)).scalar_one_or_none()
    current = _describe(session, now_there) if now_there else withdrawal(session, bill_id=bill_id)
    if current is None:  # gone without a withdrawal: the bill itself was deleted meanwhile
        raise PositionError(f"Bill {bill_id} has no position any more.")
    raise PositionConflict(bill_id=bill_id, expected_version=expected_version, current=current)


def _mark_reviewed(session: Session, *, bill_id: int, actor: User, now: dt.datetime) -> None:
    """Taking a position is a review: the bill leaves the triage inbox until the feeds change it again. A
    dismissal stays (someone said the bill is not the council's business), and so does any relevance label."""
    state = session.get(TriageState, bill_id) or TriageState(bill_id=bill_id)
    if state.status == TriageStatus.dismissed.value:
        return
    state.status, state.user_id, state.changed_at = TriageStatus.reviewed.value, actor.id, now
    session.add(state)


def history(session: Session, *, bill_id: int) -> list[dict[str, Any]]:
    """Every saved version and every withdrawal, newest first. A withdrawal has ``withdrawn`` true, no stance or
    priority, and its reason as ``rationale``."""
    rows = session.execute(select(PositionHistory, User.email, User.name)
                           .outerjoin(User, User.id == PositionHistory.author_id)
                           .where(PositionHistory.bill_id == bill_id)
                           .order_by(PositionHistory.version.desc(), PositionHistory.id.desc())).all()
    return [{"version": h.version, "withdrawn": h.withdrawn, "stance": h.stance, "priority": h.priority,
             "rationale": h.rationale, "previous_stance": h.previous_stance,
             "previous_priority": h.previous_priority, "author": name or email, "changed_at": _iso(h.changed_at)}
            for h, email, name in rows]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
