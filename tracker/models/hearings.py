"""Hearings: committee hearings, council meetings and other scheduled events, with their agenda items.

Crawled data, written only by ``tracker.ingest`` (``Ingestor.ingest_hearings``). An agenda item points at a
bill when the feed says which one (Legistar's ``EventItemMatterId``, a bill identifier); other items (roll
call, public comment) are kept for the agenda but link to nothing.
"""

import datetime as dt

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.base import text_field, utcnow


class Hearing(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("source_name", "source_key", name="uq_hearing_source_key"),
        Index("ix_hearing_jurisdiction_date", "jurisdiction_id", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: str = Field(foreign_key="jurisdiction.id", max_length=64)
    source_name: str = Field(max_length=64)
    source_key: str = Field(max_length=255)  # the feed's own id: "chicago/5" (Legistar EventId)
    date: dt.date
    time: str | None = Field(default=None, max_length=64)
    body: str | None = text_field()  # committee or council holding it
    location: str | None = text_field()
    description: str | None = text_field()
    status: str | None = Field(default=None, max_length=64)
    cancelled: bool = False
    url: str | None = text_field()
    agenda_url: str | None = text_field()
    upstream_updated_at: dt.datetime | None = None
    last_fetched_at: dt.datetime = Field(default_factory=utcnow)  # moves only when a crawl saw it change
    # Where it was before the feed last moved it to another day or hour (ingest keeps them): "Hearing moved".
    previous_date: dt.date | None = None
    previous_time: str | None = Field(default=None, max_length=64)


class HearingItem(SQLModel, table=True):
    __table_args__ = (Index("ix_hearingitem_bill", "bill_id"),)

    id: int | None = Field(default=None, primary_key=True)
    hearing_id: int = Field(foreign_key="hearing.id", index=True, ondelete="CASCADE")
    bill_id: int | None = Field(default=None, foreign_key="bill.id", ondelete="SET NULL")
    sequence: int | None = None
    title: str | None = text_field()
    action_text: str | None = text_field()
    bill_identifier: str | None = Field(default=None, max_length=64)  # as the feed wrote it
