"""What a person was told before: the hearings that digests sent to them announced.

A moved hearing's news says where it was ("Hearing moved: from Tue 3 Mar 9:30 AM CST to ...") because its
follower read of the old day or hour. Someone no email told of it (their digest had not gone out when it moved, it
failed, they began following the bill after) never read of it: to them it is the hearing scheduled at its new time.
Someone told of an earlier time than the one it moved from (it moved twice, the middle one never sent to them)
reads of the move from the time they were told.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from tracker.alerts.render import iso_day
from tracker.dates import hearing_moved_from
from tracker.models import AlertDelivery, AlertDigest, AlertEvent

# Digests that went out, or may have ("uncertain": interrupted while sending).
TOLD = ("sent", "uncertain")


def as_told(session: Session, *, user_id: int, digest_id: int, items: dict[int, list[dict[str, Any]]]) -> None:
    """Rewrite, in place, the moved hearings among ``items`` (a digest's items by bill, each ``{"kind", "payload",
    "jurisdiction", ...}``) as ``user_id`` reads them, from the other digests sent to them."""
    moved = [(bill_id, n, item) for bill_id, bill_items in items.items() for n, item in enumerate(bill_items)
             if item["kind"] == "hearing" and (item["payload"] or {}).get("moved_from")]
    if not moved:
        return
    # (hearing, bill) -> where the latest news sent to this person put it (a later event id is later news).
    told: dict[tuple[Any, int], tuple[str | None, str | None]] = {}
    for payload, bill_id in session.execute(
            select(AlertEvent.payload, AlertEvent.bill_id)
            .join(AlertDelivery, AlertDelivery.event_id == AlertEvent.id)
            .join(AlertDigest, AlertDigest.id == AlertDelivery.digest_id)
            .where(AlertDelivery.user_id == user_id, AlertDigest.id != digest_id, AlertDigest.status.in_(TOLD),
                   AlertEvent.kind == "hearing", AlertEvent.bill_id.in_(sorted({b for b, _, _ in moved})))
            .order_by(AlertEvent.id)):
        payload = payload or {}
        told[(payload.get("hearing_id"), bill_id)] = (payload.get("date"), payload.get("time"))
    for bill_id, n, item in moved:
        payload = dict(item["payload"])  # the event's own payload stays as stored
        was = dict(payload.pop("moved_from"))
        # A meeting held in place of a deferred one: what this person was told of is the deferred meeting.
        seen = told.get((was.get("hearing_id", payload.get("hearing_id")), bill_id))
        day, seen_day = iso_day(payload.get("date")), iso_day(seen[0]) if seen else None
        if seen is not None and day is not None and seen_day is not None and hearing_moved_from(
                day, payload.get("time"), seen_day, seen[1], item.get("jurisdiction")) is not None:
            payload["moved_from"] = {**was, "date": seen[0], "time": seen[1]}
        items[bill_id][n] = {**item, "payload": payload}
