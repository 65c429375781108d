"""California pubinfo rows as the tracker last saw them, so a nightly incremental archive can be merged in.

An incremental ``pubinfo_{Day}.zip`` holds only the rows that changed (a bill's new history line, not its whole
history), so rebuilding a bill needs the rows of earlier archives: ``PubinfoRow`` keeps every row of the bill
tables, keyed by table + row key (``tracker.sources.ca_pubinfo.ROW_KEYS``), with the CAML of each version.
``PubinfoLoad`` logs each archive merged in, which tells the crawler when the last full load was.
Written only by ``tracker.pubinfo_staging``.
"""

import datetime as dt
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, utcnow


class PubinfoRow(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("table_name", "row_key", name="uq_pubinforow_key"),)

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=40)  # BILL_TBL, BILL_HISTORY_TBL...
    row_key: str = Field(max_length=255)
    bill_id: str = Field(max_length=32, index=True)  # pubinfo's bill_id ("202520260SB275"), for every table
    trans_update: str | None = Field(default=None, max_length=19)  # "YYYY-MM-DD HH:MM:SS" as the row carries it
    fields: dict[str, Any] = json_field(default_factory=dict)  # the row, column -> value (None = SQL NULL)
    lob: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))  # zlib'd CAML
    archive: str = Field(max_length=64)  # the archive that last wrote the row
    staged_at: dt.datetime = Field(default_factory=utcnow)


class PubinfoLoad(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # File name (crawls) or path as given to `tracker import` (its last 255 characters): what the upgrade names
    # to import again when an older parser read the bills (tracker.readings).
    archive: str = Field(max_length=255)
    kind: str = Field(max_length=16)  # full | incremental
    # The archive's modification time as the directory index prints it (the server's local time, to the
    # minute): what the next crawl compares with the index. None for an import from files.
    listed_at: str | None = Field(default=None, max_length=16)
    last_modified: str | None = Field(default=None, max_length=64)  # HTTP Last-Modified, to match the crawl's
    etag: str | None = Field(default=None, max_length=255)           # record of the archive once all is stored
    rows: int = 0  # rows added or replaced
    bills: int = 0  # bills with a row in the archive
    loaded_at: dt.datetime = Field(default_factory=utcnow)
