"""Column helpers shared by the table models."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field


def utcnow() -> datetime:
    """Aware UTC: SQLModel's UTCDateTime columns refuse naive values and return UTC on every dialect."""
    return datetime.now(UTC)


def json_field(default_factory: Any = list, nullable: bool = False, **kw: Any) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable), **kw)


def text_field(nullable: bool = True, **kw: Any) -> Any:
    return Field(default=None if nullable else "", sa_column=Column(Text, nullable=nullable), **kw)
