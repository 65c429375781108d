"""The council's position on a bill: optimistic versions so no save silently overwrites another, and an
append-only history of every version (who, when, from what to what)."""

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

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
        self.current = current
        who = current.get("author") or "someone"
        when = current.get("updated_at") or ""
        super().__init__(
            f"Not saved: {who} changed this position at {when} (version {current['version']}: "
            f"{current['stance']}, {current['priority']} priority"
            + (f", rationale: {current['rationale']!r}" if current.get("rationale") else "")
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
    position = session.execute(select(Position).where(Position.bill_id == bill_id)).scalar_one_or_none()
    return _describe(session, position) if position else None


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
            raise PositionError(f"Bill {bill_id} has no position to update (it may have been removed).")
        position = Position(bill_id=bill_id, stance=stance, priority=priority, rationale=rationale,
                            author_id=actor.id, version=1, updated_at=now)
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
        session.refresh(current)
        if done != 1:
            raise PositionConflict(bill_id=bill_id, expected_version=expected_version,
                                   current=_describe(session, current))
        position = current
    session.add(PositionHistory(position_id=position.id, bill_id=bill_id, version=position.version, stance=stance,
                                priority=priority, rationale=rationale, previous_stance=previous_stance,
                                previous_priority=previous_priority, author_id=actor.id, changed_at=now))
    _mark_reviewed(session, bill_id=bill_id, actor=actor, now=now)
    session.flush()
    return _describe(session, position)


def _mark_reviewed(session: Session, *, bill_id: int, actor: User, now: dt.datetime) -> None:
    """Taking a position is a review: the bill leaves the triage inbox until the feeds change it again. A
    dismissal stays (someone said the bill is not the council's business), and so does any relevance label."""
    state = session.get(TriageState, bill_id) or TriageState(bill_id=bill_id)
    if state.status == TriageStatus.dismissed.value:
        return
    state.status, state.user_id, state.changed_at = TriageStatus.reviewed.value, actor.id, now
    session.add(state)


def history(session: Session, *, bill_id: int) -> list[dict[str, Any]]:
    """Every saved version, newest first."""
    rows = session.execute(select(PositionHistory, User.email, User.name)
                           .outerjoin(User, User.id == PositionHistory.author_id)
                           .where(PositionHistory.bill_id == bill_id)
                           .order_by(PositionHistory.version.desc(), PositionHistory.id.desc())).all()
    return [{"version": h.version, "stance": h.stance, "priority": h.priority, "rationale": h.rationale,
             "previous_stance": h.previous_stance, "previous_priority": h.previous_priority,
             "author": name or email, "changed_at": _iso(h.changed_at)} for h, email, name in rows]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
