"""Who wants to hear about what: subscriptions, role defaults, feed and unsubscribe tokens.

``actor=None`` is the command line acting as the system (whoever runs it holds the database); a signed-in
actor may manage their own subscriptions, and an admin anyone's.
"""

import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlmodel import Session

from tracker.models import (
    AlertProfile,
    AlertSubscription,
    Bill,
    Jurisdiction,
    LegislativeSession,
    Stance,
    Topic,
    UnsubscribeLink,
    User,
    Watchlist,
)
from tracker.models.base import utcnow
from tracker.models.enums import Role
from tracker.permissions import Action, require, require_owner
from tracker.references import bill_reference
from tracker.sessions import token_hash


class SubscriptionKind(StrEnum):
    topic = "topic"  # bills flagged for a topic (and newly flagged ones)
    position = "position"  # bills the council holds this stance on
    watchlist = "watchlist"  # bills on a watchlist
    bill = "bill"  # one bill
    jurisdiction = "jurisdiction"  # every bill of a jurisdiction


class Cadence(StrEnum):
    instant = "instant"
    daily = "daily"
    weekly = "weekly"


CADENCE_ORDER = {Cadence.instant.value: 0, Cadence.daily.value: 1, Cadence.weekly.value: 2}

# What an event is called in subscriptions (``--events``) and in digests.
EVENT_KINDS = ("flagged", "new_bill", "stage_change", "new_action", "action_corrected", "new_version",
               "title_change", "sponsor_change", "hearing", "position")

# Role defaults, given once per person the first time alerts run for them (or `tracker alerts defaults`).
# Staff triage flagged bills: every enabled topic, daily. Council members follow what the council decided,
# weekly, the conditional stances too (opposing a bill unless amended is opposing it until it is). Lobbyists act
# on the bills the council supports or opposes, daily. Admins get nothing: an association's admin is often the
# office manager or the IT person, for whom a daily digest of every flagged bill is noise; admins who also work
# on policy follow what they choose. (Alerts are about bills; the tracker's own health is `tracker status`.) An
# admin without choices of their own who is made staff, council or lobbyist gets that role's defaults then.
ROLE_DEFAULTS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    Role.admin.value: (),
    Role.staff.value: (("topic", None, "daily"),),
    Role.council.value: (("position", "Support", "weekly"), ("position", "Oppose", "weekly"),
                         ("position", "Support if amended", "weekly"), ("position", "Oppose unless amended", "weekly"),
                         ("position", "Needs decision", "weekly")),
    Role.lobbyist.value: (("position", "Support", "daily"), ("position", "Oppose", "daily"),
                          ("position", "Support if amended", "daily"), ("position", "Oppose unless amended", "daily")),
}


# What each role's defaults follow, as the Alerts page tells a person who has just been given them.
ROLE_DEFAULT_WORDS = {
    Role.staff.value: ("As staff", "every topic"),
    Role.council.value: ("As a council member", "the positions the council takes"),
    Role.lobbyist.value: ("As a lobbyist", "the bills the council supports or opposes"),
}


class SubscriptionError(ValueError):
    """Bad input: unknown kind, cadence, topic, stance, watchlist, bill or jurisdiction."""


class NoSuchBill(SubscriptionError):
    """A bill reference matches no stored bill: nothing found (exit 4, as `tracker bills show`)."""


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    email: str
    kind: str
    target: str
    label: str
    cadence: str
    events: tuple[str, ...]
    created_at: str


def _authorize(actor: User | None, user: User) -> None:
    if actor is None:
        return
    require(actor, Action.read)
    require_owner(actor, user.id, "change their own alerts")


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def profile(session: Session, user: User) -> AlertProfile:
    """The person's alert profile, created the first time it is needed (with no feed secret yet:
    ``rotate_feed_token`` makes one)."""
    found = session.get(AlertProfile, user.id)
    if found is None:
        found = AlertProfile(user_id=user.id)
        session.add(found)
        session.flush()
    return found


def rotate_feed_token(session: Session, *, user: User, actor: User | None = None) -> str:
    """A new feed secret, returned this once: only its hash is stored, so it cannot be shown again. Every feed
    URL handed out before stops working."""
    _authorize(actor, user)
    prof = profile(session, user)
    token = _new_token()
    prof.feed_token_hash = token_hash(token)
    session.add(prof)
    session.flush()
    return token


def _check_cadence(cadence: str) -> str:
    if cadence not in Cadence.__members__:
        raise SubscriptionError(f"Unknown cadence {cadence!r}; one of: {', '.join(Cadence.__members__)}")
    return cadence


def _check_events(events: tuple[str, ...] | list[str]) -> list[str]:
    bad = [e for e in events if e not in EVENT_KINDS]
    if bad:
        raise SubscriptionError(f"Unknown event kind {', '.join(bad)}; one of: {', '.join(EVENT_KINDS)}")
    return sorted(set(events))


def resolve_target(session: Session, *, user: User, kind: str, target: str) -> str:
    """The stored form of a target, checked to exist: topic slug, stance, watchlist id, bill id, jurisdiction."""
    target = str(target).strip()
    if kind == SubscriptionKind.topic:
        from tracker.matching.topics import TopicError, resolve_topic

        try:
            return resolve_topic(session, target).slug
        except TopicError as exc:
            raise SubscriptionError(str(exc)) from None
    if kind == SubscriptionKind.position:
        names = session.execute(select(Stance.name).order_by(Stance.sort_order)).scalars().all()
        match = next((n for n in names if n.lower() == target.lower()), None)
        if match is None:
            raise SubscriptionError(f"No position {target!r}; one of: {', '.join(names)}")
        return match
    if kind == SubscriptionKind.watchlist:
        visible = or_(Watchlist.shared, Watchlist.owner_id == user.id)
        query = select(Watchlist).where(visible)
        query = query.where(Watchlist.id == int(target)) if target.isdigit() else query.where(Watchlist.name == target)
        found = session.execute(query.order_by(Watchlist.owner_id != user.id)).scalars().first()
        if found is None:
            raise SubscriptionError(f"No watchlist {target!r} that {user.email} can see.")
        return str(found.id)
    if kind == SubscriptionKind.bill:
        from tracker.queries import find_bills, name_choices

        ids = find_bills(session, target)
        if not ids:
            raise NoSuchBill(f"No bill matches {target!r}.")
        if len(ids) > 1:
            raise SubscriptionError(f"{target!r} matches {len(ids)} bills; use a bill id: "
                                    f"{name_choices(session, ids)}")
        return str(ids[0])
    if kind == SubscriptionKind.jurisdiction:
        if session.get(Jurisdiction, target.lower()) is None:
            known = session.execute(select(Jurisdiction.id).order_by(Jurisdiction.id)).scalars().all()
            raise SubscriptionError(f"No jurisdiction {target!r}; known: {', '.join(known) or 'none yet'}")
        return target.lower()
    raise SubscriptionError(f"Unknown subscription kind {kind!r}; one of: {', '.join(SubscriptionKind.__members__)}")


def subscribe(session: Session, *, user: User, kind: str, target: str, cadence: str = Cadence.daily.value,
              events: tuple[str, ...] | list[str] = (), actor: User | None = None) -> AlertSubscription:
    """Create or update one subscription (the same kind and target again changes its cadence and events)."""
    _authorize(actor, user)
    cadence, wanted = _check_cadence(cadence), _check_events(events)
    stored = resolve_target(session, user=user, kind=kind, target=target)
    prof = profile(session, user)
    prof.defaults_applied = True  # an explicit choice: role defaults are not added on top later
    session.add(prof)
    sub = session.execute(select(AlertSubscription).where(
        AlertSubscription.user_id == user.id, AlertSubscription.kind == kind, AlertSubscription.target == stored)
    ).scalar_one_or_none()
    if sub is None:
        sub = AlertSubscription(user_id=user.id, kind=kind, target=stored, cadence=cadence, events=wanted)
    else:
        if not sub.active:
            sub.created_at = utcnow()  # re-enabled: nothing from while it was off
        sub.cadence, sub.events, sub.active = cadence, wanted, True
    session.add(sub)
    session.flush()
    return sub


def unsubscribe(session: Session, *, user: User, kind: str | None = None, target: str | None = None,
                actor: User | None = None) -> int:
    """Remove the user's subscriptions of ``kind``/``target`` (both None: all of them); returns how many."""
    _authorize(actor, user)
    query = select(AlertSubscription).where(AlertSubscription.user_id == user.id)
    if kind is not None:
        query = query.where(AlertSubscription.kind == kind)
        if target is not None:
            query = query.where(AlertSubscription.target == resolve_target(session, user=user, kind=kind,
                                                                           target=target))
    rows = list(session.execute(query).scalars())
    for sub in rows:
        session.delete(sub)
    prof = profile(session, user)
    prof.defaults_applied = True
    session.add(prof)
    session.flush()
    return len(rows)


def apply_role_defaults(session: Session, *, user: User, force: bool = False) -> list[AlertSubscription]:
    """Give the person their role's default subscriptions, once (``force``: again, adding what is missing)."""
    prof = profile(session, user)
    if prof.defaults_applied and not force:
        return []
    made = []
    for kind, target, cadence in ROLE_DEFAULTS.get(user.role, ()):
        if kind == SubscriptionKind.topic and target is None:
            targets = list(session.execute(select(Topic.slug).where(Topic.enabled).order_by(Topic.slug)).scalars())
        elif kind == SubscriptionKind.position:
            targets = [target] if session.get(Stance, target) is not None else []
        else:
            targets = [target] if target else []
        for value in targets:
            exists = session.execute(select(AlertSubscription.id).where(
                AlertSubscription.user_id == user.id, AlertSubscription.kind == kind,
                AlertSubscription.target == value)).first()
            if not exists:
                sub = AlertSubscription(user_id=user.id, kind=kind, target=value, cadence=cadence)
                session.add(sub)
                made.append(sub)
    if made or force:  # nothing to give yet (no topics loaded): try again on a later run
        prof.defaults_applied = True
    session.add(prof)
    session.flush()
    return made


def followed(session: Session, *, user: User, actor: User | None = None) -> tuple[list["SubscriptionView"], int]:
    """What ``user`` follows, and how many of those their role's defaults gave just now. A person who has not had
    them yet gets them here: the first alert run gives them anyway (``ensure_defaults``), and until it did, a new
    council member's Alerts page said "You follow nothing yet" of the five weekly positions on their way. Given
    once: what the person removes later stays removed."""
    _authorize(actor, user)
    given = apply_role_defaults(session, user=user) if user.active else []
    return list_subscriptions(session, user=user), len(given)


def ensure_defaults(session: Session) -> int:
    """Role defaults for every active person who has not had them yet; returns how many subscriptions."""
    have = select(AlertProfile.user_id).where(AlertProfile.defaults_applied)
    users = list(session.execute(select(User).where(User.active, User.id.not_in(have))).scalars())
    return sum(len(apply_role_defaults(session, user=u)) for u in users)


def in_force(session: Session, subs: list[AlertSubscription]) -> list[AlertSubscription]:
    """The subscriptions that count: a watchlist's only while its subscriber may see the list (shared, or their
    own), as ``resolve_target`` checked when it was made. A subscription names its list by id, and SQLite gives a
    new list the id of a deleted one (a table's highest row id is used again): the deleted shared list's
    followers then followed a colleague's private list. Deleting a list ends its subscriptions
    (tracker.watchlists.delete_watchlist); this is the guard wherever subscriptions are read."""
    wanted = {int(sub.target) for sub in subs if sub.kind == SubscriptionKind.watchlist and sub.target.isdigit()}
    lists = {i: (owner, shared) for i, owner, shared in session.execute(
        select(Watchlist.id, Watchlist.owner_id, Watchlist.shared).where(Watchlist.id.in_(wanted)))} if wanted else {}

    def counts(sub: AlertSubscription) -> bool:
        if sub.kind != SubscriptionKind.watchlist:
            return True
        found = lists.get(int(sub.target)) if sub.target.isdigit() else None
        return found is not None and (found[1] or found[0] == sub.user_id)

    return [sub for sub in subs if counts(sub)]


def _label(session: Session, sub: AlertSubscription) -> str:
    if sub.kind == SubscriptionKind.topic:
        topic = session.execute(select(Topic).where(Topic.slug == sub.target)).scalar_one_or_none()
        return f"topic {topic.name if topic else sub.target}"
    if sub.kind == SubscriptionKind.position:
        return f"bills the council marked {sub.target}"
    if sub.kind == SubscriptionKind.watchlist:
        wl = session.get(Watchlist, int(sub.target)) if in_force(session, [sub]) else None
        return f"watchlist {wl.name}" if wl else f"watchlist #{sub.target} (deleted or not shared)"
    if sub.kind == SubscriptionKind.bill:
        bill = session.get(Bill, int(sub.target))
        if bill is None:
            return f"bill #{sub.target}"
        sess = session.get(LegislativeSession, bill.session_id)
        return "bill " + bill_reference(bill.jurisdiction_id, sess.identifier if sess else "", bill.identifier,
                                        session_name=sess.name if sess else None)
    return f"jurisdiction {sub.target}"


def list_subscriptions(session: Session, *, user: User | None = None) -> list[SubscriptionView]:
    query = (select(AlertSubscription, User.email).join(User, User.id == AlertSubscription.user_id)
             .where(AlertSubscription.active).order_by(User.email, AlertSubscription.kind, AlertSubscription.target))
    if user is not None:
        query = query.where(AlertSubscription.user_id == user.id)
    return [SubscriptionView(id=sub.id, email=email, kind=sub.kind, target=sub.target, label=_label(session, sub),
                             cadence=sub.cadence, events=tuple(sub.events or ()),
                             created_at=sub.created_at.isoformat(timespec="minutes"))
            for sub, email in session.execute(query).all()]


# -- tokens in URLs -----------------------------------------------------------------------------------------

def user_for_feed_token(session: Session, token: str) -> User | None:
    if not token or len(token) > 128:
        return None
    row = session.execute(select(User).join(AlertProfile, AlertProfile.user_id == User.id)
                          .where(AlertProfile.feed_token_hash == token_hash(token))).scalar_one_or_none()
    return row if row is not None and row.active else None


def new_unsubscribe_link(session: Session, *, user_id: int, digest_id: int | None = None,
                         retry: bool = False) -> str:
    """The secret for the unsubscribe link of one email to this person, returned this once: only its hash is
    stored, so each email gets a link of its own, and the links of earlier emails keep working.

    ``retry``: the digest's earlier attempt failed at the server (tracker.alerts.delivery), so the link made for it
    is in no email anyone received: its row takes the new secret rather than a row being added per attempt."""
    token = _new_token()
    link = session.execute(select(UnsubscribeLink).where(UnsubscribeLink.user_id == user_id,
                                                         UnsubscribeLink.digest_id == digest_id)
                           .order_by(UnsubscribeLink.id.desc()).limit(1)).scalar_one_or_none() \
        if retry and digest_id is not None else None
    if link is None:
        link = UnsubscribeLink(user_id=user_id, digest_id=digest_id)
    link.token_hash, link.created_at = token_hash(token), utcnow()
    session.add(link)
    session.flush()
    return token


def unsubscribe_by_token(session: Session, token: str) -> User | None:
    """The unsubscribe link: stop all alert email to that person (feeds keep working). None: unknown token."""
    if not token or len(token) > 128:
        return None
    digest = token_hash(token)
    # The secret itself is never compared: its hash is looked up, and an index search on a hash tells a timing
    # attacker nothing about the secret. The stored hash is still compared in constant time, so a database whose
    # collation folds case (or trims) cannot let a near miss through.
    link = session.execute(select(UnsubscribeLink).where(UnsubscribeLink.token_hash == digest)).scalar_one_or_none()
    if link is None or not hmac.compare_digest(link.token_hash.encode(), digest.encode()):
        return None
    user = session.get(User, link.user_id)
    if user is None:
        return None
    prof = profile(session, user)
    if prof.email_enabled:
        prof.email_enabled = False
        prof.unsubscribed_at = utcnow()
        session.add(prof)
        session.flush()
    return user


def resume_email(session: Session, *, user: User, actor: User | None = None) -> AlertProfile:
    """Turn alert email back on after an unsubscribe (the person's own decision, or an admin's on request)."""
    _authorize(actor, user)
    prof = profile(session, user)
    prof.email_enabled, prof.unsubscribed_at = True, None
    session.add(prof)
    session.flush()
    return prof


def stop_email(session: Session, *, user: User, actor: User | None = None) -> AlertProfile:
    """What the unsubscribe link does, from the dashboard or the command line."""
    _authorize(actor, user)
    prof = profile(session, user)
    if prof.email_enabled:
        prof.email_enabled, prof.unsubscribed_at = False, utcnow()
        session.add(prof)
        session.flush()
    return prof
