"""Validated records: what every feed parser produces and what ingest consumes.

Parsers are pure (bytes in, records out); spiders and ``tracker import`` call the same parser, so a format is
understood once. These are plain Pydantic models (SQLModel table models do not validate).
"""

import datetime as dt
import hashlib
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from tracker.models.enums import Chamber, Level, SponsorshipKind, Stage, VoteOption, VoteResult

# Pydantic reads a string of digits as seconds since 1970: a garbled "12345" or "20210101" stamp became a 1970
# instant, which made the file look superseded by any stored copy. No feed writes its stamps that way.
_NUMBER = re.compile(r"\s*[+-]?\d+(?:\.\d*)?\s*")


# PostgreSQL refuses an index entry over about 2,700 bytes, where SQLite has no limit: text that is part of a
# unique key is held to this many bytes of UTF-8, so both databases take or refuse the same record, and the
# refusal names the field instead of being the database's error. Real subjects and text URLs are under 300.
KEY_TEXT_BYTES = 2000


def _fits_a_key(value: str) -> str:
    if len(value.encode()) > KEY_TEXT_BYTES:
        raise ValueError(f"{len(value.encode())} bytes long: at most {KEY_TEXT_BYTES} fit a database key")
    return value


KeyText = Annotated[str, AfterValidator(_fits_a_key)]


def refuse_numeric_stamp(value: Any) -> Any:
    """A before-validator for upstream change stamps: date and time text, never a bare number."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("expected an ISO date and time, not a number")
    return value


# Upstream clocks and ours may differ by hours, not days. A stamp further ahead is garbled, and kept it would
# outrank every real update after it: each later copy of the bill would count as superseded, for years.
STAMP_AHEAD = dt.timedelta(days=2)


def upstream_stamp(value: dt.datetime | None) -> dt.datetime | None:
    """An upstream change stamp as stored: aware UTC (a feed's naive stamp is taken as UTC; see
    ``tracker.models.base.utcnow``), and not in the future."""
    if value is None:
        return None
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if value > dt.datetime.now(dt.UTC) + STAMP_AHEAD:
        raise ValueError(f"{value.isoformat()} is in the future: a real update after it could never replace it")
    return value


class Record(BaseModel):
    """Text stored in a column of limited width has that width as its ``max_length`` here: PostgreSQL refuses a
    longer value where SQLite stores it, so a record is taken or refused alike by both, naming the field."""

    # Enum fields hold their plain string values, so rows go to any DB driver without adapters.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class JurisdictionRecord(Record):
    id: str = Field(min_length=2, max_length=64)
    name: str
    level: Level
    classification: str | None = None
    url: str | None = None


class SessionRecord(Record):
    identifier: str = Field(min_length=1, max_length=64)
    name: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class ActionRecord(Record):
    date: dt.date | None
    text: str = Field(min_length=1)
    time: str | None = None
    actor: Chamber | str | None = None
    action_code: str | None = None
    action_type: str | None = None
    classification: list[str] = Field(default_factory=list)
    committees: list[str] = Field(default_factory=list)


class SponsorshipRecord(Record):
    name: str = Field(min_length=1)
    kind: SponsorshipKind
    person_id: KeyText | None = None  # indexed
    party: str | None = None
    state: str | None = None
    district: str | None = None
    is_original: bool | None = None
    sponsored_date: dt.date | None = None
    withdrawn_date: dt.date | None = None


class CommitteeRecord(Record):
    name: str = Field(min_length=1)
    code: str | None = None
    chamber: Chamber | str | None = None
    parent_code: str | None = None
    activities: list[dict[str, Any]] = Field(default_factory=list)
    referred_date: dt.date | None = None


class VersionRecord(Record):
    label: str = Field(min_length=1)
    url: KeyText = Field(min_length=1)
    code: str | None = None
    date: dt.date | None = None
    format: str | None = None
    links: list[dict[str, str]] = Field(default_factory=list)
    text: str | None = None


class RelatedBillRecord(Record):
    jurisdiction_id: str
    session_identifier: str
    identifier: str
    relationship: str
    title: str | None = None
    identified_by: str | None = None


class PersonVoteRecord(Record):
    option: VoteOption
    name: str | None = None
    person_id: str | None = Field(default=None, max_length=64)
    party: str | None = Field(default=None, max_length=32)  # where the feed says (LegiScan's people files)
    district: str | None = Field(default=None, max_length=64)


MAX_VOTE_COUNT = 100_000


class VoteRecord(Record):
    """One roll call on the bill. ``people`` None means the document does not list members' votes (LegiScan's
    bill ``votes[]``): ingest then keeps those stored from a fuller document (its roll-call file). Only LegiScan
    has one (``tracker.ingest_votes.PARTIAL_ROLL_CALL_SOURCES``); another source's roll call is stored as
    delivered, a value or members it lacks removed."""

    source_key: str = Field(min_length=1, max_length=255)  # the feed's id of the roll call, unique in the source
    date: dt.date | None = None
    chamber: Chamber | None = None
    body: str | None = None
    motion: str | None = None
    result: VoteResult | None = None
    # No chamber has more members; a larger count (10**20 from a feed) failed as the database's integer overflow.
    yes_count: int | None = Field(default=None, ge=0, le=MAX_VOTE_COUNT)
    no_count: int | None = Field(default=None, ge=0, le=MAX_VOTE_COUNT)
    other_count: int | None = Field(default=None, ge=0, le=MAX_VOTE_COUNT)
    absent_count: int | None = Field(default=None, ge=0, le=MAX_VOTE_COUNT)
    url: str | None = None
    # The chamber's own number for the roll call ("House roll call 21"), where the feed gives it (BILLSTATUS).
    roll_number: int | None = Field(default=None, ge=1, le=MAX_VOTE_COUNT)
    people: list[PersonVoteRecord] | None = None


class CalendarEntryRecord(Record):
    """A hearing the bill's own record schedules (LegiScan ``calendar[]``, pubinfo ``COMMITTEE_HEARING_TBL``):
    stored as a hearing with this bill as its one agenda item. ``source_key`` is unique within the source."""

    source_key: str = Field(min_length=1, max_length=255)
    date: dt.date
    time: str | None = Field(default=None, max_length=64)
    body: str | None = None
    location: str | None = None
    description: str | None = None
    kind: str | None = None  # the feed's own type: "Hearing", "Executive Session"...


class BillRecord(Record):
    """One bill as one source sees it, complete: ingest replaces the bill's crawled children with these."""

    jurisdiction: JurisdictionRecord
    session: SessionRecord
    identifier: str = Field(min_length=1, max_length=64)
    bill_type: str = Field(min_length=1, max_length=32)
    number: str = Field(min_length=1, max_length=32)
    classification: str = Field(default="bill", min_length=1, max_length=32)
    origin_chamber: Chamber | None = None
    title: str = Field(min_length=1)
    short_title: str | None = None
    popular_title: str | None = None
    summary_text: str | None = None
    summary_html: str | None = None
    status_text: str | None = None
    stage: Stage
    introduced_date: dt.date | None = None
    latest_action_date: dt.date | None = None
    latest_action_text: str | None = None
    policy_area: str | None = None
    upstream_updated_at: dt.datetime | None = None
    source_name: str = Field(min_length=1, max_length=64)
    source_key: str = Field(min_length=1, max_length=255)  # the feed's own id for this bill, unique in the source
    source_urls: list[str] = Field(default_factory=list)
    actions: list[ActionRecord] = Field(default_factory=list)
    sponsorships: list[SponsorshipRecord] = Field(default_factory=list)
    committees: list[CommitteeRecord] = Field(default_factory=list)
    subjects: list[KeyText] = Field(default_factory=list)
    versions: list[VersionRecord] = Field(default_factory=list)
    related_bills: list[RelatedBillRecord] = Field(default_factory=list)
    votes: list[VoteRecord] = Field(default_factory=list)
    calendar: list[CalendarEntryRecord] = Field(default_factory=list)

    _stamp_text = field_validator("upstream_updated_at", mode="before")(refuse_numeric_stamp)
    _stamp_utc = field_validator("upstream_updated_at")(upstream_stamp)

    def content_hash(self) -> str:
        """Hash of everything ingest stores, so an unchanged bill is skipped without touching its rows."""
        # Field order is fixed by the model, so the serialized form is canonical without sorting keys. Votes and
        # calendar came later: left out when empty, a record without them hashes as it did before they existed,
        # so adding them did not make every stored bill look changed.
        # Roll numbers came later still: a bill whose roll calls have none hashes as it did before.
        exclude: dict[str, Any] = {name: True for name in ("votes", "calendar") if not getattr(self, name)}
        if self.votes and all(v.roll_number is None for v in self.votes):
            exclude["votes"] = {"__all__": {"roll_number"}}
        return hashlib.sha256(self.model_dump_json(exclude=exclude or None).encode()).hexdigest()

    def change_digest(self) -> str:
        """``content_hash`` less what moves when the bill does not: the upstream stamp (Open States' ``updated_at``
        and Legistar's ``MatterLastModifiedUtc`` move when any field is edited, stored here or not) and version
        texts (LegiScan's are fetched once per document, so a record read again lacks them). The state spiders
        remember it for each bill document and skip a bill whose digest is the one they stored: written again,
        it counted as updated and its new ``last_changed_at`` put a bill staff had reviewed back in the triage
        inbox, with nothing new on it."""
        plain = self.model_copy(update={"upstream_updated_at": None, "versions": [
            v.model_copy(update={"text": None}) if v.text is not None else v for v in self.versions]})
        return plain.content_hash()


class ParseError(ValueError):
    """A document that cannot become a record. ``locator`` names the file or URL, ``reason`` says why."""

    def __init__(self, locator: str, reason: str):
        super().__init__(f"{locator}: {reason}")
        self.locator = locator
        self.reason = reason


class RollCallRecord(VoteRecord):
    """A roll call that travels on its own (LegiScan ``getRollCall``, a dataset's ``vote/*.json``): attached to
    the bill the same source knows by ``bill_source_key``."""

    source_name: str = Field(min_length=1, max_length=64)
    bill_source_key: str = Field(min_length=1)


class VersionTextRecord(Record):
    """A bill version's document that travels on its own (LegiScan ``getBillText``, a dataset's ``text/*.json``):
    attached to the version ``code`` of the bill the same source knows by ``bill_source_key``. ``text`` is what
    ``tracker.sources.documents`` extracted; None when the tracker has no extractor for ``media_type`` (PDF)."""

    source_name: str = Field(min_length=1, max_length=64)
    bill_source_key: str = Field(min_length=1)
    code: str = Field(min_length=1)
    media_type: str = ""
    format: str | None = None
    text: str | None = None


class AgendaItemRecord(Record):
    """One agenda item of a hearing; ``bill_source_key`` (the same feed's id of the bill) or ``bill_identifier``
    (same jurisdiction, the hearing's session) links it to a bill when the item is one."""

    sequence: int | None = None
    title: str | None = None
    action_text: str | None = None
    bill_source_key: str | None = None
    bill_identifier: str | None = Field(default=None, max_length=64)
    session_identifier: str | None = None


class HearingRecord(Record):
    """A committee hearing, council meeting or other scheduled event, as one source sees it."""

    jurisdiction: JurisdictionRecord
    source_name: str = Field(min_length=1, max_length=64)
    source_key: str = Field(min_length=1, max_length=255)
    date: dt.date
    time: str | None = Field(default=None, max_length=64)
    body: str | None = None
    location: str | None = None
    description: str | None = None
    status: str | None = Field(default=None, max_length=64)
    cancelled: bool = False
    url: str | None = None
    agenda_url: str | None = None
    upstream_updated_at: dt.datetime | None = None
    items: list[AgendaItemRecord] = Field(default_factory=list)

    _stamp_text = field_validator("upstream_updated_at", mode="before")(refuse_numeric_stamp)
    _stamp_utc = field_validator("upstream_updated_at")(upstream_stamp)
