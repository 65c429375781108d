"""Operations: crawl and import runs, their errors, and what each run changed."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, text_field, utcnow


class CrawlRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64, index=True)
    kind: str = Field(default="crawl", max_length=16)  # crawl | import
    started_at: dt.datetime = Field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    status: str = Field(default="running", max_length=16)  # RunStatus
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    args: dict[str, Any] = json_field(default_factory=dict)  # scope: congress, types, path...
    message: str | None = text_field()
    # ``host/pid/start`` of the process that runs it: a run whose process is gone is marked interrupted
    # (tracker.run_owner, migration 0010)
    owner: str | None = Field(default=None, max_length=255)


class CrawlError(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="crawlrun.id", index=True, ondelete="CASCADE")
    locator: str  # the URL or file (archive member) that failed
    reason: str = text_field(nullable=False)
    at: dt.datetime = Field(default_factory=utcnow)


class BillChange(SQLModel, table=True):
    __table_args__ = (Index("ix_billchange_detected", "detected_at"), Index("ix_billchange_bill", "bill_id"))

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", ondelete="CASCADE")
    run_id: int | None = Field(default=None, foreign_key="crawlrun.id", ondelete="SET NULL")
    kind: str = Field(max_length=32, index=True)  # ChangeKind
    before: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    detected_at: dt.datetime = Field(default_factory=utcnow)
