"""Watchlists (bills followed without being flagged) and saved filters. Anyone who reads may keep their own;
shared watchlists are edited by their owner, staff and admins."""

from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlmodel import Session

from tracker.models import (
    AlertSubscription,
    Bill,
    LegislativeSession,
    SavedFilter,
    User,
    Watchlist,
    WatchlistItem,
)
from tracker.models.enums import Role
from tracker.names import by_name
from tracker.permissions import Action, PermissionDenied, can, require, require_owner

FILTER_PAGES = ("triage", "search")
FILTER_NAME_MAX = 128  # SavedFilter.name


class WatchlistError(ValueError):
    pass


def may_edit(actor: User, *, owner_id: int | None) -> bool:
    """Whether ``actor`` may add to, remove from or delete a watchlist owned by ``owner_id``: the pages offer
    those controls only then (a council member was offered "Delete" on staff's shared list, then refused)."""
    return can(actor, Action.follow) and (owner_id == actor.id or actor.role in (Role.admin.value, Role.staff.value))


def _may_edit(actor: User, watchlist: Watchlist) -> None:
    if not may_edit(actor, owner_id=watchlist.owner_id):
        raise PermissionDenied(f"{actor.email} may not change {watchlist.name!r}; it belongs to someone else.")


def create_watchlist(session: Session, *, actor: User, name: str, shared: bool = True) -> Watchlist:
    require(actor, Action.follow)
    name = name.strip()
    if not name:
        raise WatchlistError("A watchlist needs a name.")
    if session.execute(select(Watchlist.id).where(Watchlist.owner_id == actor.id, Watchlist.name == name)).first():
        raise WatchlistError(f"You already have a watchlist named {name!r}.")
    watchlist = Watchlist(name=name, owner_id=actor.id, shared=shared)
    session.add(watchlist)
    session.flush()
    return watchlist


def visible_watchlists(session: Session, *, actor: User) -> list[dict[str, Any]]:
    require(actor, Action.read)
    counts = (select(WatchlistItem.watchlist_id, func.count().label("n")).group_by(WatchlistItem.watchlist_id)
              .subquery())
    rows = session.execute(select(Watchlist, User.email, counts.c.n).outerjoin(User, User.id == Watchlist.owner_id)
                           .outerjoin(counts, counts.c.watchlist_id == Watchlist.id)
                           .where(or_(Watchlist.shared, Watchlist.owner_id == actor.id))
                           .order_by(Watchlist.id)).all()
    return [{"id": w.id, "name": w.name, "owner": email, "shared": w.shared, "bills": n or 0,
             "mine": w.owner_id == actor.id, "editable": may_edit(actor, owner_id=w.owner_id)}
            for w, email, n in sorted(rows, key=lambda r: by_name(r[0].name))]


def _get(session: Session, watchlist_id: int, actor: User) -> Watchlist:
    watchlist = session.get(Watchlist, watchlist_id)
    if watchlist is None or (not watchlist.shared and watchlist.owner_id != actor.id):
        raise WatchlistError(f"No watchlist {watchlist_id}.")
    return watchlist


def add_bills(session: Session, *, actor: User, watchlist_id: int, bill_ids: list[int]) -> int:
    require(actor, Action.follow)
    watchlist = _get(session, watchlist_id, actor)
    _may_edit(actor, watchlist)
    present = set(session.execute(select(WatchlistItem.bill_id).where(WatchlistItem.watchlist_id == watchlist_id,
                                                                       WatchlistItem.bill_id.in_(bill_ids))).scalars())
    known = set(session.execute(select(Bill.id).where(Bill.id.in_(bill_ids))).scalars())
    added = 0
    for bill_id in dict.fromkeys(bill_ids):
        if bill_id not in known:
            raise WatchlistError(f"No bill with id {bill_id}.")
        if bill_id not in present:
            session.add(WatchlistItem(watchlist_id=watchlist_id, bill_id=bill_id, added_by_id=actor.id))
            added += 1
    session.flush()
    return added


def remove_bills(session: Session, *, actor: User, watchlist_id: int, bill_ids: list[int]) -> int:
    require(actor, Action.follow)
    watchlist = _get(session, watchlist_id, actor)
    _may_edit(actor, watchlist)
    result = session.execute(delete(WatchlistItem).where(WatchlistItem.watchlist_id == watchlist_id,
                                                         WatchlistItem.bill_id.in_(bill_ids)))
    session.flush()
    return result.rowcount


def delete_watchlist(session: Session, *, actor: User, watchlist_id: int) -> None:
    require(actor, Action.follow)
    watchlist = _get(session, watchlist_id, actor)
    _may_edit(actor, watchlist)
    session.execute(delete(WatchlistItem).where(WatchlistItem.watchlist_id == watchlist_id))
    # Its followers' subscriptions go with it: they name the list by id, and SQLite gives the next list made (a
    # colleague's private one, say) the id of a deleted list that had the highest (tracker.alerts.subscriptions).
    session.execute(delete(AlertSubscription).where(AlertSubscription.kind == "watchlist",
                                                    AlertSubscription.target == str(watchlist_id)))
    session.delete(watchlist)
    session.flush()


WATCHLIST_SHOWN = 500  # the dashboard's table; a packet of the watchlist lists every bill


def watchlist_bills(session: Session, *, actor: User, watchlist_id: int, limit: int = 100,
                    offset: int = 0) -> list[dict[str, Any]]:
    require(actor, Action.read)
    _get(session, watchlist_id, actor)
    rows = session.execute(select(Bill.id, Bill.jurisdiction_id, Bill.identifier, Bill.title, Bill.stage,
                                  Bill.latest_action_date, LegislativeSession.identifier.label("session"),
                                  LegislativeSession.name.label("session_name"))
                           .join(WatchlistItem, WatchlistItem.bill_id == Bill.id)
                           .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
                           .where(WatchlistItem.watchlist_id == watchlist_id)
                           .order_by(Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
                           .limit(limit).offset(offset)).all()
    return [{"id": r.id, "jurisdiction": r.jurisdiction_id, "session": r.session, "session_name": r.session_name,
             "identifier": r.identifier, "title": r.title, "stage": r.stage,
             "latest_action_date": r.latest_action_date} for r in rows]


def watchlists_of_bill(session: Session, *, actor: User, bill_id: int) -> list[int]:
    return list(session.execute(select(WatchlistItem.watchlist_id).join(Watchlist)
                                .where(WatchlistItem.bill_id == bill_id,
                                       or_(Watchlist.shared, Watchlist.owner_id == actor.id))).scalars())


# -- saved filters ------------------------------------------------------------------------------------------

class FilterExists(WatchlistError):
    """The actor already has a saved filter of that name on that page: replacing it must be asked for."""

    def __init__(self, name: str):
        super().__init__(f"You already have a saved filter named {name!r} on this page: replace it, or save under "
                         "another name.")
        self.name = name


def save_filter(session: Session, *, actor: User, page: str, name: str, params: dict[str, Any],
                shared: bool = False, replace: bool = False) -> SavedFilter:
    """Create the actor's filter of that name on that page; one of that name already there is replaced only with
    ``replace`` (else ``FilterExists``): a slip of the name silently lost the filter saved before."""
    require(actor, Action.follow)
    if page not in FILTER_PAGES:
        raise WatchlistError(f"Unknown page {page!r}; one of: {', '.join(FILTER_PAGES)}")
    name = name.strip()
    if not name:
        raise WatchlistError("A saved filter needs a name.")
    if len(name) > FILTER_NAME_MAX:  # PostgreSQL refuses a longer one (SQLite would store it)
        raise WatchlistError(f"A saved filter's name is at most {FILTER_NAME_MAX} characters; "
                             f"this one has {len(name)}.")
    existing = session.execute(select(SavedFilter).where(SavedFilter.owner_id == actor.id, SavedFilter.page == page,
                                                         SavedFilter.name == name)).scalar_one_or_none()
    if existing is not None and not replace:
        raise FilterExists(name)
    saved = existing or SavedFilter(owner_id=actor.id, page=page, name=name)
    saved.params, saved.shared = dict(params), shared
    session.add(saved)
    session.flush()
    return saved


def saved_filters(session: Session, *, actor: User, page: str) -> list[SavedFilter]:
    require(actor, Action.read)
    return sorted(session.execute(select(SavedFilter).where(SavedFilter.page == page, or_(
        SavedFilter.owner_id == actor.id, SavedFilter.shared)).order_by(SavedFilter.id)).scalars(),
                  key=lambda f: by_name(f.name))


def shared_by(session: Session, *, actor: User, filters: list[SavedFilter]) -> dict[int, str]:
    """By filter id, who shared each of these that is not the actor's own (name, else email): two people may
    each share a filter of the same name, and a list must tell them apart."""
    others = {f.owner_id for f in filters if f.owner_id != actor.id}
    names = {i: name or email for i, name, email in session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(others)))} if others else {}
    return {f.id: names.get(f.owner_id, "?") for f in filters if f.owner_id != actor.id and f.id is not None}


def delete_filter(session: Session, *, actor: User, filter_id: int) -> None:
    require(actor, Action.follow)
    saved = session.get(SavedFilter, filter_id)
    if saved is None:
        raise WatchlistError(f"No saved filter {filter_id}.")
    require_owner(actor, saved.owner_id, "delete their own saved filters")
    session.delete(saved)
    session.flush()
