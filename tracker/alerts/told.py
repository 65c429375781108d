"""What a person was told before: the hearings that digests sent to them announced.

A moved hearing's news says where it was ("Hearing moved: from Tue 3 Mar 9:30 AM CST to ...") because its
follower read of the old day or hour. Someone no email told of it (their digest had not gone out when it moved, it
failed, they began following the bill after) never read of it: to them it is the hearing scheduled at its new time.
Someone told of an earlier time than the one it moved from (it moved twice, the middle one never sent to them)
reads of the move from the time they were told; someone told of it at its new time already reads nothing new.

A hearing called off is news only to whoever was told of it: "Hearing cancelled" of a hearing they never heard of
is noise. A deferral they never read of is nothing to them either, unless the meeting held in its place is known
(``tracker.deferrals.deferred_to``): then it is that meeting, "Hearing scheduled" on its day. What a digest told in
place of its event's news is kept on the delivery (``AlertDelivery.told``), so that meeting's own news later is
not a second announcement.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.alerts.events import hearing_payload
from tracker.alerts.hearings import read_hearings
from tracker.alerts.render import iso_day
from tracker.dates import hearing_moved_from
from tracker.deferrals import deferred_to
from tracker.models import AlertDelivery, AlertDigest, AlertEvent

# Digests that went out, or may have ("uncertain": interrupted while sending).
TOLD = ("sent", "uncertain")

Told = dict[tuple[Any, int], tuple[str | None, str | None]]


def _told(session: Session, *, user_id: int, digest_id: int, bill_ids: list[int]) -> Told:
    """(hearing, bill) -> where the latest news sent to this person put it going ahead (a later event id is later
    news). A notice of a hearing called off tells of no time it is held at."""
    told: Told = {}
    for payload, bill_id, instead in session.execute(
            select(AlertEvent.payload, AlertEvent.bill_id, AlertDelivery.told)
            .join(AlertDelivery, AlertDelivery.event_id == AlertEvent.id)
            .join(AlertDigest, AlertDigest.id == AlertDelivery.digest_id)
            .where(AlertDelivery.user_id == user_id, AlertDigest.id != digest_id, AlertDigest.status.in_(TOLD),
                   AlertEvent.kind == "hearing", AlertEvent.bill_id.in_(bill_ids))
            .order_by(AlertEvent.id)):
        news = instead or payload or {}
        if not news.get("cancelled"):
            told[(news.get("hearing_id"), bill_id)] = (news.get("date"), news.get("time"))
    return told


def _moved(payload: dict[str, Any], told: Told, bill_id: int, jurisdiction: str | None) -> dict[str, Any] | None:
    """A moved hearing's news as this person reads it (module docstring); None when it tells them nothing new."""
    payload = dict(payload)  # the event's own payload stays as stored
    was = dict(payload.pop("moved_from"))
    # Told of this meeting itself (in place of the deferral it replaces), or else of where it was before (for a
    # meeting held in place of a deferred one, the deferred meeting).
    seen = told.get((payload.get("hearing_id"), bill_id)) or told.get(
        (was.get("hearing_id", payload.get("hearing_id")), bill_id))
    day, seen_day = iso_day(payload.get("date")), iso_day(seen[0]) if seen else None
    if seen is None or day is None or seen_day is None:
        return payload
    if hearing_moved_from(day, payload.get("time"), seen_day, seen[1], jurisdiction) is None:
        return None  # told of it at this very day and hour already
    return {**payload, "moved_from": {**was, "date": seen[0], "time": seen[1]}}


def as_told(session: Session, *, user_id: int, digest_id: int, items: dict[int, list[dict[str, Any]]]) -> None:
    """Rewrite, in place, the moved and called-off hearings among ``items`` (a digest's items by bill, each
    ``{"kind", "payload", "jurisdiction", ...}``) as ``user_id`` reads them, from the other digests sent to them;
    an item that tells them nothing is left out. An item told as another meeting carries ``"told"`` (what to keep
    on its delivery)."""
    changing = sorted({bill_id for bill_id, bill_items in items.items() for item in bill_items
                       if item["kind"] == "hearing" and {"moved_from", "cancelled"} & set(item["payload"] or {})})
    if not changing:
        return
    told = _told(session, user_id=user_id, digest_id=digest_id, bill_ids=changing)
    deferrals = [((item["payload"] or {}).get("hearing_id"), bill_id) for bill_id in changing
                 for item in items[bill_id] if (item["payload"] or {}).get("deferred")]
    held_instead = deferred_to(session, deferrals) if deferrals else {}
    meetings = {(r.id, r.bill_id): r for r in read_hearings(session, bill_ids=changing)} if held_instead else {}
    for bill_id in changing:
        shown: list[dict[str, Any]] = []
        in_digest = {(item["payload"] or {}).get("hearing_id") for item in items[bill_id]}
        for item in items[bill_id]:
            payload = item["payload"] or {}
            if item["kind"] != "hearing":
                shown.append(item)
            elif payload.get("cancelled"):
                if (payload.get("hearing_id"), bill_id) in told:
                    shown.append(item)  # told of it: its calling off is news
                    continue
                later = held_instead.get((payload.get("hearing_id"), bill_id))
                meeting = meetings.get((later.id, bill_id)) if later else None
                if meeting is None or meeting.cancelled or (meeting.id, bill_id) in told or meeting.id in in_digest:
                    continue  # never told of it, nor of a meeting held instead that they do not know of yet
                news = hearing_payload(meeting)
                shown.append({**item, "payload": news,
                              "told": {"hearing_id": meeting.id, "date": news["date"], "time": news["time"]}})
            elif payload.get("moved_from"):
                if (news := _moved(payload, told, bill_id, item.get("jurisdiction"))) is not None:
                    shown.append({**item, "payload": news})
            else:
                shown.append(item)
        items[bill_id][:] = shown
