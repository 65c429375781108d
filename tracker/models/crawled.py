"""Crawled data: written only by ``tracker.ingest``; never holds the organisation's own data."""

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, text_field, utcnow


class Jurisdiction(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)  # us, ca, us-ca-los-angeles
    name: str
    level: str = Field(index=True)  # Level
    classification: str | None = None  # Open States' "government", "legislature", "council"...
    url: str | None = None


class LegislativeSession(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("jurisdiction_id", "identifier"),)

    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: str = Field(foreign_key="jurisdiction.id", max_length=64)
    identifier: str = Field(max_length=64)  # "117", "20252026"
    name: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class Bill(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "session_id", "identifier", name="uq_bill_natural_key"),
        Index("ix_bill_latest_action_date", "latest_action_date"),
        Index("ix_bill_stage", "stage"),
    )

    id: int | None = Field(default=None, primary_key=True)
    jurisdiction_id: str = Field(foreign_key="jurisdiction.id", max_length=64, index=True)
    session_id: int = Field(foreign_key="legislativesession.id", index=True)
    identifier: str = Field(max_length=64)  # normalized: "HR 1234", "SB 5", "SCONRES 7"
    bill_type: str = Field(max_length=32)
    number: str = Field(max_length=32)
    classification: str = Field(default="bill", max_length=32)  # bill, resolution, joint resolution...
    origin_chamber: str | None = Field(default=None, max_length=16)  # Chamber
    title: str = text_field(nullable=False)
    short_title: str | None = text_field()
    popular_title: str | None = text_field()
    summary_text: str | None = text_field()
    summary_html: str | None = text_field()  # the source markup, kept as received
    status_text: str | None = text_field()  # upstream's own status wording
    stage: str = Field(default="introduced", max_length=32)  # Stage
    introduced_date: dt.date | None = None
    latest_action_date: dt.date | None = None
    latest_action_text: str | None = text_field()
    policy_area: str | None = None
    upstream_updated_at: dt.datetime | None = None
    source_name: str = Field(max_length=64)
    source_urls: list[str] = json_field()
    # What search finds legislators by (tracker.names.search_names: "menendez, robert"): the primary sponsor's
    # and the cosponsors' (withdrawn ones left out) names, written with the sponsorships they come from (ingest).
    # Columns of the bill so that the search index has them with its words, on both databases (migration 0025).
    sponsor_names: str | None = text_field()
    cosponsor_names: str | None = text_field()
    # The owning record's view hash (tracker.prepare.view_hash: less its upstream stamp and its feed's name, key
    # and URLs): a copy with the same keeps last_changed_at. Each source's whole-record hash is
    # BillSource.content_hash.
    content_hash: str = Field(max_length=64)
    first_seen_at: dt.datetime = Field(default_factory=utcnow)
    last_fetched_at: dt.datetime = Field(default_factory=utcnow)
    last_changed_at: dt.datetime = Field(default_factory=utcnow)


class BillSource(SQLModel, table=True):
    """One row per (bill, source): the same bill seen through several feeds keeps each feed's identity."""

    __table_args__ = (UniqueConstraint("source_name", "source_key", name="uq_billsource_key"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    source_name: str = Field(max_length=64)
    source_key: str = Field(max_length=255)  # upstream id: "117-hr-1", "ocd-bill/...", LegiScan bill_id
    url: str | None = None
    content_hash: str = Field(max_length=64)
    upstream_updated_at: dt.datetime | None = None
    last_fetched_at: dt.datetime = Field(default_factory=utcnow)


class BillAction(SQLModel, table=True):
    __table_args__ = (Index("ix_billaction_bill_order", "bill_id", "order"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", ondelete="CASCADE")
    order: int
    date: dt.date | None = None
    time: str | None = None
    text: str = text_field(nullable=False)
    actor: str | None = None  # Chamber, or a body's name
    action_code: str | None = None
    action_type: str | None = None  # upstream's own type ("IntroReferral")
    classification: list[str] = json_field()  # normalized kinds, see tracker.stages
    committees: list[str] = json_field()


class Sponsorship(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    order: int
    name: str
    person_id: str | None = Field(default=None, index=True)  # bioguide id, Open States person id...
    party: str | None = None
    state: str | None = None
    district: str | None = None
    kind: str = "cosponsor"  # SponsorshipKind
    is_original: bool | None = None
    sponsored_date: dt.date | None = None
    withdrawn_date: dt.date | None = None


class CommitteeReferral(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    code: str | None = None  # upstream system code ("hsif00")
    name: str
    chamber: str | None = None
    parent_code: str | None = None  # set for subcommittees
    activities: list[dict[str, Any]] = json_field()  # [{"name": "Referred To", "date": "2025-02-13"}]
    referred_date: dt.date | None = None


class BillSubject(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("bill_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    name: str = Field(index=True)


class BillVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("bill_id", "url", name="uq_billversion_url"),)

    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    label: str
    code: str | None = None  # "ih", "enr"... where the feed has one
    date: dt.date | None = None
    url: str
    format: str | None = None  # xml, html, pdf, txt
    links: list[dict[str, str]] = json_field()  # every rendition: [{"format": "pdf", "url": ...}]
    # A lower-ranked feed's own id of this version's document ({"legiscan": doc_id}): how its separately
    # delivered text finds a version another feed owns (tracker.version_match). None on rows from before 0021.
    documents: dict[str, str] | None = json_field(default_factory=dict, nullable=True)
    text: str | None = text_field()
    text_hash: str | None = Field(default=None, max_length=64)


class RelatedBill(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bill_id: int = Field(foreign_key="bill.id", index=True, ondelete="CASCADE")
    jurisdiction_id: str
    session_identifier: str
    identifier: str  # normalized like Bill.identifier
    title: str | None = text_field()
    relationship: str  # "Related bill", "Identical bill", "companion"...
    identified_by: str | None = None


class SourceDocument(SQLModel, table=True):
    """What was last fetched or imported per upstream document: lets a crawl or import skip unchanged files."""

    # Unique by the locator's hash (migration 0011): PostgreSQL's btree refuses an index entry over about 2.7 KB,
    # and a locator may be longer.
    __table_args__ = (UniqueConstraint("source_name", "locator_key", name="uq_sourcedocument_locator_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(max_length=64)
    # URL, or an imported file's absolute path (``archive!member``): as long as a path can be (migration 0009)
    locator: str = text_field(nullable=False)
    locator_key: str = Field(max_length=64)  # key_for(locator)
    content_hash: str = Field(max_length=64, index=True)
    etag: str | None = None
    last_modified: str | None = None  # HTTP Last-Modified or a sitemap/lastmod stamp, as received
    bill_id: int | None = Field(default=None, foreign_key="bill.id", ondelete="SET NULL")
    fetched_at: dt.datetime = Field(default_factory=utcnow)
    # The READING_VERSION of the parser that last read these bytes (tracker.sources.reading, migration 0020);
    # None for what no parser read (a listing, an archive's stamp). Older than the parser's version now: the
    # bill is read again by the next import of its file, or `tracker crawl --refresh`.
    read_by: int | None = None

    @staticmethod
    def key_for(locator: str) -> str:
        """``locator_key``: the SHA-256 of the locator, hex (a path's undecodable bytes kept as they were)."""
        return hashlib.sha256(locator.encode("utf-8", "surrogateescape")).hexdigest()
