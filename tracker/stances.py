"""The position vocabulary (Support, Oppose, Watch...) and, beside each stance, which way it counts on the
legislator scorecard (``Stance.scorecard_vote``, tracker.scorecard): "yes" (a member's yes is with us), "no" (a
no is with us) or None (bills holding it are left out).

Changing a stance's side re-scores every scorecard of every session at once, so it is an admin's decision
(``Action.manage_stances``), checked here for the dashboard's admin page; ``actor=None`` is the command line,
whose user already holds the database (as for ``tracker users``)."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.models import Stance, User
from tracker.permissions import Action, require

# What people type or pick for "not scored", beside the stored sides.
NOT_SCORED = "none"
SIDES = ("yes", "no", NOT_SCORED)
SIDE_LABELS = {"yes": "a yes is with us", "no": "a no is with us", None: "not scored"}


class StanceError(ValueError):
    """Bad input: a stance outside the vocabulary, a side that is not yes, no or none."""


def _describe(stance: Stance) -> dict[str, Any]:
    return {"name": stance.name, "sort_order": stance.sort_order, "active": stance.active,
            "scorecard_vote": stance.scorecard_vote, "counts as": SIDE_LABELS.get(stance.scorecard_vote, "?")}


def list_stances(session: Session) -> list[dict[str, Any]]:
    """Every stance, in the vocabulary's order, with how it counts on the scorecard."""
    return [_describe(s) for s in session.execute(select(Stance).order_by(Stance.sort_order, Stance.name)).scalars()]


def set_scorecard_vote(session: Session, *, actor: User | None, name: str, vote: str | None) -> dict[str, Any]:
    """Set which member vote is "with us" on the bills holding stance ``name``: "yes", "no", or "none"/None to
    leave them out of the scorecard. Returns the stance as ``list_stances`` lists it."""
    if actor is not None:
        require(actor, Action.manage_stances)
    side = NOT_SCORED if vote is None else vote.strip().lower()
    if side not in SIDES:
        raise StanceError(f"{vote!r} is not a scorecard side; one of: {', '.join(SIDES)}.")
    stance = session.get(Stance, name)
    if stance is None:
        known = [s["name"] for s in list_stances(session)]
        raise StanceError(f"Unknown position {name!r}; one of: {', '.join(known)}.")
    stance.scorecard_vote = None if side == NOT_SCORED else side
    session.add(stance)
    session.flush()
    return _describe(stance)
