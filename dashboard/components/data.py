"""Database access for pages: one engine per process, short sessions, and caches keyed on a data version.

The data version is a handful of MAX() lookups on indexed keys of the tables pages read; any save through a
service or any crawl changes it, so a cached result is reused only while nothing it depends on moved."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from tracker import db, positions, triage, visits
from tracker.models import (
    Assignment,
    Bill,
    BillChange,
    BillMatch,
    CrawlRun,
    Note,
    PositionHistory,
    Topic,
    TriageState,
    User,
    WatchlistItem,
)
from tracker.names import by_name


def engine() -> Engine:
    return db.get_engine()


@contextmanager
def session() -> Iterator[Session]:
    """Commits on success: pages call services inside one of these per action."""
    with db.session_scope(engine()) as s:
        yield s


def data_version(s: Session) -> tuple[Any, ...]:
    """Cached functions take this (and the database URL) as parameters. Their names must not start with an
    underscore: Streamlit leaves such parameters out of the cache key."""
    row = s.execute(select(
        select(func.max(Bill.id)).scalar_subquery(),
        select(func.max(BillChange.id)).scalar_subquery(),
        select(func.max(BillMatch.id)).scalar_subquery(),
        select(func.max(CrawlRun.id)).scalar_subquery(),
        select(func.max(CrawlRun.finished_at)).scalar_subquery(),
        select(func.max(PositionHistory.id)).scalar_subquery(),
        select(func.max(TriageState.changed_at)).scalar_subquery(),
        select(func.count()).select_from(TriageState).scalar_subquery(),
        select(func.max(Note.id)).scalar_subquery(),
        select(func.max(Assignment.id)).scalar_subquery(),
        # Following or unfollowing a bill changes which bills are "tracked" (the overview's movement list).
        select(func.max(WatchlistItem.added_at)).scalar_subquery(),
        select(func.count()).select_from(WatchlistItem).scalar_subquery(),
        select(func.max(Topic.updated_at)).scalar_subquery(),
        select(func.max(User.id)).scalar_subquery(),
    )).one()
    return tuple(str(v) for v in row)


def inbox_cut_off(user: User) -> visits.NewSince:
    """Record ``user``'s look at the inbox and return the cut-off of their "new" bills (tracker.visits). SQLite has
    one writer: while an import's batch holds it past the busy timeout, the look goes unrecorded (the next one is)
    and the cut-off is read without it, rather than the inbox failing for a bookkeeping write."""
    try:
        with session() as s:
            return visits.record_visit(s, reader=user)
    except OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
    with session() as s:
        return visits.new_since_for(s, reader_id=user.id)


def url() -> str:
    return engine().url.render_as_string(hide_password=False)


@dataclass(frozen=True)
class Choices:
    topics: dict[str, str]  # slug -> name
    jurisdictions: dict[str, str]  # id -> name
    stances: list[str]
    assignees: dict[int, str]  # id -> name: tracker.triage.assignable_users


@st.cache_data(ttl=600, show_spinner=False, max_entries=8)
def _choices(db_url: str, version: tuple[Any, ...]) -> Choices:
    from tracker.models import Jurisdiction

    with Session(engine()) as s:
        return Choices(
            topics=dict(sorted(s.execute(select(Topic.slug, Topic.name).where(Topic.enabled)).all(),
                               key=lambda topic: by_name(topic[1]))),
            jurisdictions={j: n for j, n in s.execute(select(Jurisdiction.id, Jurisdiction.name)
                                                      .order_by(Jurisdiction.id))},
            stances=positions.stances(s),  # what set_position accepts
            assignees={},  # filled per run by choices(): see there
        )


def choices(s: Session) -> Choices:
    # Assignees are read on every run, not cached: deactivating or demoting an account changes no key the data
    # version watches, and a cached list kept offering that person for ten minutes. The user table is small.
    return replace(_choices(url(), data_version(s)), assignees=triage.assignable_users(s))
