"""A packet's content, gathered once for every writer: one query per kind of row, never one per bill.

The writers (pdf, docx, xlsx, csv, json) only lay out what is here, so every format says the same thing.
Upstream text is cleaned of characters no file format can hold (see ``safety.clean_text``) but otherwise kept
exactly as received; each writer escapes it for its own format.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Table, and_, func, or_, select
from sqlmodel import Session

from tracker.bill_text import CurrentText, current_text
from tracker.dates import US_EASTERN, by_day_and_time, hearing_clock, jurisdiction_zone, local_day, us_date, us_today
from tracker.exports.branding import Branding
from tracker.exports.safety import clean_text, safe_url
from tracker.matching.engine import MARKED
from tracker.models import (
    Bill,
    BillMatch,
    BillSource,
    BillVersion,
    CommitteeReferral,
    HearingItem,
    Jurisdiction,
    LegislativeSession,
    Note,
    Position,
    Sponsorship,
    Topic,
    User,
    VoteEvent,
)
from tracker.models.enums import SponsorshipKind
from tracker.models.hearings import Hearing as HearingRow  # this module's Hearing is the packet's view
from tracker.queries import VERSION_ORDER
from tracker.references import bill_context, bill_number, bill_reference
from tracker.sources.states import chamber_name, is_search_page, one_chamber_body
from tracker.votes import roll_call_name, source_rank, tally_label

if TYPE_CHECKING:  # voting_record reads this module's date format
    from tracker.exports.voting_record import VotingRecord

CHUNK = 2000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits
EVIDENCE_PER_TOPIC = 3
STAGE_LABELS = {
    "introduced": "Introduced",
    "in_committee": "In committee",
    "passed_origin_chamber": "Passed first chamber",
    "passed_both_chambers": "Passed both chambers",
    "sent_to_executive": "Sent to the executive",
    "enacted": "Enacted",
    "vetoed": "Vetoed",
    "failed": "Failed",
    "withdrawn": "Withdrawn",
}


fmt_date = us_date  # the packets' name for it


def stage_label(stage: str | None, jurisdiction: str | None = None) -> str:
    """"Passed first chamber"; a one-chamber legislature's final passage by its name ("Passed the council")."""
    if stage == "passed_both_chambers" and (body := one_chamber_body(jurisdiction)):
        return f"Passed {body}"
    return STAGE_LABELS.get(stage or "", (stage or "").replace("_", " ").capitalize())


def fact_rows(bill: "PacketBill") -> list[tuple[str, str]]:
    """The label/value table every document format shows at the top of a bill's section."""
    latest = " — ".join(x for x in (fmt_date(bill.latest_action_date), bill.latest_action_text or "") if x)
    position = bill.position or "No position recorded"
    if bill.position and bill.priority:
        position += f" · {bill.priority} priority"
    rows = [
        ("Stage", bill.stage_label + (f" ({bill.status_text})" if bill.status_text else "")),
        ("Latest action", latest),
        ("Introduced", fmt_date(bill.introduced_date)),
        ("Council position", position),
        ("Sponsor", bill.sponsor_label),
        *([("Legislator’s role", bill.role_label)] if bill.legislator_roles else []),
        # A bare dash read as "no committee has it"; some feeds (California pubinfo) give no referrals at all.
        ("Committees", "; ".join(bill.committee_lines) or "None recorded in the tracker"),
        ("Next hearing", bill.next_hearing.label if bill.next_hearing else "None scheduled in the tracker"),
    ]
    if bill.current_text:
        rows.append(("Current text", text_label(bill.current_text, " · ", "undated")))
    if bill.policy_area:
        rows.append(("Policy area", bill.policy_area))
    return rows


def text_label(text: CurrentText, between: str = ", ", undated: str = "") -> str:
    """``Referred in Senate, Jan 6, 2021``: the version's label and date (``undated`` when it has none)."""
    day = fmt_date(dt.date.fromisoformat(text.date)) if text.date else undated
    return clean_text(text.label) + (f"{between}{day}" if day else "")


def text_kind_links(text: CurrentText | None) -> tuple[str | None, str | None]:
    """(PDF, HTML or formatted text) URLs of the current text: what a reader opens (``reading_links``)."""
    if text is None:
        return None, None
    pdf, readable = text.reading_links()
    return (pdf.url if pdf else None), (readable.url if readable else None)


@dataclass(frozen=True)
class Evidence:
    """One snippet that made a topic match; ``[[term]]`` marks in the stored snippet become ``terms``."""

    field: str
    snippet: str  # plain text, marks removed
    spans: tuple[tuple[str, bool], ...]  # (text, is_matched_term) pieces, for writers that can emphasise

    @classmethod
    def from_stored(cls, item: dict[str, Any]) -> "Evidence":
        raw = clean_text(str(item.get("snippet") or item.get("text") or ""))
        spans: list[tuple[str, bool]] = []
        pos = 0
        for match in MARKED.finditer(raw):
            if match.start() > pos:
                spans.append((raw[pos : match.start()], False))
            spans.append((match.group(1), True))
            pos = match.end()
        if pos < len(raw):
            spans.append((raw[pos:], False))
        return cls(
            field=clean_text(str(item.get("field") or "")),
            snippet="".join(t for t, _ in spans),
            spans=tuple(spans),
        )


@dataclass(frozen=True)
class TopicMatch:
    slug: str
    name: str
    score: float
    terms: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Sponsor:
    name: str
    party: str | None = None
    state: str | None = None
    district: str | None = None

    @property
    def label(self) -> str:
        """``Rep. Smith, Jane [D-WA-9]`` as upstream writes it, or the name with party and state added."""
        if "[" in self.name or not (self.party or self.state):
            return self.name
        where = "-".join(p for p in (self.party, self.state, self.district) if p)
        return f"{self.name} [{where}]"


# How a sponsorship's kind reads on the bill page and in `tracker bills show`.
SPONSORSHIP_LABELS = {SponsorshipKind.primary: "Primary sponsor", SponsorshipKind.cosponsor: "Cosponsor",
                      SponsorshipKind.sponsor: "Sponsor (primary or co-sponsor not recorded)"}
UNRANKED_ROLE = "sponsor_or_cosponsor"  # a LegislatorRole whose feed does not say which (SponsorshipKind.sponsor)
_ROLES = {SponsorshipKind.primary: "sponsor", SponsorshipKind.cosponsor: "cosponsor"}


def sponsorship_label(kind: str) -> str:
    return SPONSORSHIP_LABELS.get(kind, kind)  # type: ignore[call-overload]


@dataclass(frozen=True)
class LegislatorRole:
    """What a legislator the packet was chosen for (``--sponsor``) is on the bill: why it is in their packet."""

    name: str
    person_id: str | None
    role: str  # "sponsor", "cosponsor", or "sponsor_or_cosponsor" (the feed records no role: SponsorshipKind.sponsor)
    original: bool | None = None  # an original cosponsor (on the bill the day it was introduced)
    date: dt.date | None = None  # when they joined as a cosponsor

    @property
    def label(self) -> str:
        """``Rep. Smith, Adam [D-WA-9]: cosponsor since Feb 5, 2021``."""
        if self.role == UNRANKED_ROLE:
            return f"{self.name}: sponsor or cosponsor (not recorded which)"
        if self.role != SponsorshipKind.cosponsor:
            return f"{self.name}: {self.role}"
        what = "original cosponsor" if self.original else "cosponsor"
        return f"{self.name}: {what}" + (f" since {fmt_date(self.date)}" if self.date else "")


@dataclass(frozen=True)
class PacketNote:
    """A note staff wrote on the bill's page: talking points, whom to call. Internal; in a packet only on request."""

    author: str
    written_at: dt.datetime
    body: str

    @property
    def heading(self) -> str:
        return f"{self.author} · {fmt_date(self.written_at.date())}"


@dataclass(frozen=True)
class CommitteeAction:
    """The latest thing a committee did with the bill, as the feed records it (BILLSTATUS activities)."""

    committee: str
    action: str  # "referred", "marked up", "reported"...
    date: dt.date | None


# BILLSTATUS committee activity names, as a sentence says them; any other is lowercased.
_ACTIVITY_WORDS = {
    "referred to": "referred",
    "re-referred to": "re-referred",
    "markup by": "marked up",
    "reported by": "reported",
    "reported original measure": "reported an original measure",
    "discharged from": "discharged",
    "hearings by": "hearing held",
}


def _latest_activity(activities: Sequence[Any] | None, jurisdiction: str) -> tuple[str, dt.date | None] | None:
    """The activity with the latest date (the first listed among equals): what the committee did last."""
    best: tuple[str, dt.date | None] | None = None
    for item in activities or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        name = clean_text(str(item["name"])).strip()
        # A timestamp's day where the committee sits: "2021-09-17T14:03:23Z" is September 17 in Washington.
        zone = jurisdiction_zone(jurisdiction) or US_EASTERN
        day_text = local_day(str(item["date"]), zone) if item.get("date") else None
        try:
            day = dt.date.fromisoformat(day_text) if day_text else None
        except ValueError:
            day = None
        if best is None or (day is not None and (best[1] is None or day > best[1])):
            best = (_ACTIVITY_WORDS.get(name.lower(), name.lower()), day)
    return best


def describe_committees(committees: Sequence[dict[str, Any]], jurisdiction: str) -> list[dict[str, Any]]:
    """A bill's committees as packets name them, each with what it last did: for the bill page, whose rows
    (``name``, ``code``, ``chamber``, ``parent_code``, ``activities``, ``referred_date``) come from the bill's
    detail. Committees before subcommittees, each subcommittee after its committee's label."""
    parents: dict[str, str] = {}
    out = []
    for c in sorted(committees, key=lambda c: c.get("parent_code") is not None):
        parent = parents.get((c.get("parent_code") or "").lower()) if c.get("parent_code") else None
        label = committee_label(c["name"], c.get("chamber"), jurisdiction, parent=parent)
        if c.get("code") and not c.get("parent_code"):
            parents[c["code"].lower()] = label
        latest = _latest_activity(c.get("activities"), jurisdiction)
        out.append({"committee": label,
                    "last action": " ".join(p for p in (latest[0], fmt_date(latest[1])) if p) if latest else "",
                    "referred": c.get("referred_date")})
    return out


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Hearing:
    """A scheduled hearing or committee meeting on the bill."""

    date: dt.date
    time: str | None = None
    body: str | None = None  # committee or chamber holding it
    location: str | None = None
    description: str | None = None
    url: str | None = None
    jurisdiction_id: str | None = None  # whose clock ``time`` is on

    @property
    def clock(self) -> str | None:
        """The time as the dashboard shows it, on the legislature's clock with its zone ("3:00 PM CST"): a packet
        read in Washington about a hearing in Montgomery must not leave the hour to guess."""
        return hearing_clock(self.date, self.time, self.jurisdiction_id)

    @property
    def label(self) -> str:
        when = fmt_date(self.date) + (f", {self.clock}" if self.clock else "")
        return " · ".join(p for p in (when, self.body, self.location) if p)


@dataclass(frozen=True)
class RollCall:
    """A roll call the chamber numbers (federal: BILLSTATUS), as packets name it: ``House roll call 21, Feb 3,
    2021 — <action text>``, with the chamber's record of it and its tally or ``tally not loaded``."""

    name: str  # "House roll call 21"
    date: dt.date | None
    motion: str | None  # the action's text, as received
    url: str | None  # a web link only (safety.safe_url)
    tally: str  # "220–210", or "tally not loaded" when the feed gave no counts

    @property
    def title(self) -> str:
        """``House roll call 21, Feb 3, 2021``."""
        return ", ".join(p for p in (self.name, fmt_date(self.date)) if p)

    @property
    def label(self) -> str:
        return f"{self.title} — {self.motion}" if self.motion else self.title


@dataclass(frozen=True)
class PacketBill:
    id: int
    jurisdiction: str
    jurisdiction_name: str
    session: str
    session_name: str
    identifier: str
    title: str
    short_title: str | None
    stage: str
    status_text: str | None
    introduced_date: dt.date | None
    latest_action_date: dt.date | None
    latest_action_text: str | None
    policy_area: str | None
    summary: str | None
    position: str | None
    priority: str | None
    rationale: str | None
    position_updated_at: dt.datetime | None
    sponsors: tuple[Sponsor, ...]
    cosponsor_count: int
    committees: tuple[str, ...]
    legislator_roles: tuple[LegislatorRole, ...]
    committee_actions: tuple[CommitteeAction, ...]
    next_hearing: Hearing | None
    topics: tuple[TopicMatch, ...]
    links: tuple[Link, ...]
    notes: tuple[PacketNote, ...] | None = None  # None: not asked for (a packet without staff notes)
    current_text: CurrentText | None = None  # the latest version with a web link (tracker.bill_text)
    roll_calls: tuple[RollCall, ...] = ()  # numbered roll calls, in the order they were held
    # Listed sponsors whose feed records no primary/co-sponsor role (SponsorshipKind.sponsor), in the feed's order.
    unranked_sponsors: tuple[Sponsor, ...] = ()

    @property
    def reference(self) -> str:
        """"H.R. 3684 (117th Congress)", "Alabama HB 235 (2025 Regular Session)": unambiguous across jurisdictions
        and sessions, and readable (tracker.references)."""
        return bill_reference(self.jurisdiction, self.session, self.identifier, session_name=self.session_name,
                              jurisdiction_name=self.jurisdiction_name)

    @property
    def number(self) -> str:
        """The bill number as its legislature prints it ("H.R. 3684"), for headings beside ``context``."""
        return bill_number(self.jurisdiction, self.identifier)

    def context(self, *, compact: bool = False) -> str:
        """"United States · 117th Congress"-like: where and when, under a heading that gives the number."""
        return bill_context(self.jurisdiction, self.session, session_name=self.session_name,
                            jurisdiction_name=self.jurisdiction_name, compact=compact)

    @property
    def display_title(self) -> str:
        """The name people use (short title when there is one), else the official title."""
        return self.short_title or self.title

    @property
    def stage_label(self) -> str:
        return stage_label(self.stage, self.jurisdiction)

    @property
    def sponsor_names(self) -> str:
        """The primary sponsors, then any the feed lists without a role, marked so: the "Sponsor" cell."""
        names = "; ".join(s.label for s in self.sponsors)
        if self.unranked_sponsors:
            unranked = "; ".join(s.label for s in self.unranked_sponsors) + " (primary sponsor not recorded)"
            names = f"{names}; {unranked}" if names else unranked
        return names

    @property
    def sponsor_label(self) -> str:
        names = self.sponsor_names
        if self.cosponsor_count:
            more = f"{self.cosponsor_count} cosponsor{'s' if self.cosponsor_count != 1 else ''}"
            return f"{names} (+ {more})" if names else more
        return names

    @property
    def committee_lines(self) -> tuple[str, ...]:
        """``House Armed Services Committee (reported Sep 17, 2021)``: each committee with what it last did."""
        done = {a.committee: a for a in self.committee_actions}
        return tuple(
            name + (f" ({done[name].action}" + (f" {fmt_date(done[name].date)}" if done[name].date else "") + ")"
                    if name in done else "")
            for name in self.committees
        )

    @property
    def role_label(self) -> str:
        return "; ".join(r.label for r in self.legislator_roles)

    @property
    def topic_label(self) -> str:
        return "; ".join(t.name for t in self.topics)

    @property
    def primary_link(self) -> str | None:
        return self.links[0].url if self.links else None


@dataclass(frozen=True)
class Packet:
    title: str
    organisation: str
    generated_at: dt.datetime
    selection: str  # human description of what was chosen
    criteria: dict[str, Any]
    bills: tuple[PacketBill, ...]
    branding: Branding = field(compare=False)
    # A packet for a meeting with a legislator (``--sponsor``): how they voted on the council's key bills.
    voting_records: tuple["VotingRecord", ...] = ()


# -- hearings -----------------------------------------------------------------------------------------------

HearingLookup = Callable[[Session, Sequence[int], dt.date], dict[int, Hearing]]


def hearings_from_table(table: Table) -> HearingLookup:
    """Next hearing per bill from a table with ``bill_id`` and ``date`` columns (optionally ``time``,
    ``committee``/``body``, ``location``, ``description``/``title``, ``url``, ``cancelled``): the shape a
    hearings table is expected to have. The earliest one on or after today wins."""
    cols = table.c

    def pick(*names: str) -> Any:
        return next((cols[n] for n in names if n in cols), None)

    optional = {
        "time": pick("time", "start_time"),
        "body": pick("committee", "body", "committee_name"),
        "location": pick("location", "room"),
        "description": pick("description", "title", "subject"),
        "url": pick("url", "link"),
        "jurisdiction_id": pick("jurisdiction_id"),
    }
    cancelled = pick("cancelled", "canceled")

    def lookup(session: Session, bill_ids: Sequence[int], today: dt.date) -> dict[int, Hearing]:
        chosen = [c.label(k) for k, c in optional.items() if c is not None]
        query = select(cols.bill_id, cols.date, *chosen).where(
            cols.bill_id.in_(list(bill_ids)), cols.date >= today
        )
        if cancelled is not None:
            query = query.where(cancelled.is_not(True))
        out: dict[int, Hearing] = {}
        rows = session.execute(query.order_by(cols.bill_id, cols.date)).mappings().all()
        # Within a day by time of day, as the overview and the bill page order them (times are text SQL cannot
        # order); a time not given or not readable last.
        for row in sorted(rows, key=lambda r: (r["bill_id"], *by_day_and_time(_day(r["date"]), r.get("time")))):
            if row["bill_id"] in out:
                continue
            date = _day(row["date"])
            extra = {
                k: clean_text(str(row[k])) if row.get(k) is not None else None
                for k in optional
                if optional[k] is not None
            }
            if extra.get("url"):
                extra["url"] = safe_url(extra["url"])
            out[row["bill_id"]] = Hearing(date=date, **extra)
        return out

    return lookup


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def default_hearing_lookup(session: Session) -> HearingLookup | None:
    """Each bill's hearings from the hearing tables (tracker.models.hearings): a hearing lists its bills as agenda
    items, one row per bill and hearing."""
    table, items = HearingRow.__table__, HearingItem.__table__
    by_bill = select(items.c.bill_id, table.c.date, table.c.time, table.c.body, table.c.location,
                     table.c.description, table.c.url, table.c.cancelled, table.c.jurisdiction_id).join(
        table, table.c.id == items.c.hearing_id).where(items.c.bill_id.is_not(None)).subquery("hearing_by_bill")
    return hearings_from_table(by_bill)  # type: ignore[arg-type]


# -- gathering ----------------------------------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _opt(value: str | None) -> str | None:
    """Cleaned text, or None when there is nothing to show; kept as written (a leading tab stays a tab)."""
    text = clean_text(value)
    return text if text.strip() else None


def official_status(status: str | None, latest_action: str | None) -> str | None:
    """The feed's own word for where the bill stands (Legistar's "Laid Over in Committee", LegiScan's
    "Engrossed"), or None when it says nothing the latest action does not (the federal feeds give the latest
    action as the status)."""
    return None if _opt(status) == _opt(latest_action) else _opt(status)


def _links(bill: Bill, sources: list[BillSource], text: CurrentText | None) -> tuple[Link, ...]:
    """The bill's pages, the current text's PDF and HTML (or formatted text), then the records the data came
    from; web links only."""
    links: list[Link] = []
    seen: set[str] = set()

    def add(label: str, url: str | None) -> None:
        url = safe_url(url)
        if url and url not in seen:
            seen.add(url)
            links.append(Link(clean_text(label), url))

    if text is not None:
        for link in text.reading_links():
            if link is not None:
                add(f"Text ({_KIND_NAMES.get(link.kind, link.kind)}): {text_label(text)}", link.url)
    urls = [*(bill.source_urls or []), *(src.url for src in sources if src.url)]
    pages = [u for u in urls if not _is_data_file(u) and not is_search_page(u)]
    for url in pages:
        add(f"Bill page ({_host(url)})", url)
    links.sort(key=lambda link: not link.label.startswith("Bill page"))  # people's pages before files
    # A search form is not the bill's page: after the bill's own text, so the packet's main link is a page of it.
    for url in urls:
        if is_search_page(url):
            add(f"Bill search ({_host(url)}), not a page of this bill", url)
    for url in urls:
        add(f"Source record ({_host(url)})", url)
    return tuple(links)


# The formatted text (GovInfo's and Congress.gov's ``.htm``) is an HTML page to whoever opens it.
_KIND_NAMES = {"Text": "HTML", "Link": "link"}


def _host(url: str) -> str:
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


# Hosts that answer a program, not a reader: JSON, or a refusal without the key or token the crawl sends
# (Congress.gov's "API_KEY_MISSING"). A feed's record there is the packet's "Source record", never its "Bill page".
DATA_API_HOSTS = frozenset({"api.congress.gov", "api.govinfo.gov", "webapi.legistar.com", "v3.openstates.org",
                            "api.legiscan.com"})


def _is_data_file(url: str) -> bool:
    parts = urlsplit(url)
    return (parts.path.lower().endswith((".xml", ".json", ".zip", ".txt"))
            or (parts.hostname or "").lower() in DATA_API_HOSTS)


_CHAMBERS = ("upper", "lower", "joint")  # a committee's chamber; not the executive


def committee_label(name: str, chamber: str | None, jurisdiction: str, *, parent: str | None = None) -> str:
    """``House Energy and Commerce Committee``: the committee's name with its chamber, as packets and the
    ``--committee`` selection name it (feeds name both chambers' committees alike: "Armed Services Committee").
    A subcommittee comes after its committee's label (``parent``): the 117th House had three "Health
    Subcommittees"."""
    label = clean_text(name)
    if parent:
        return f"{parent}: {label}"
    raw_chamber = clean_text(chamber or "")
    named = chamber_name(raw_chamber.lower(), jurisdiction) if raw_chamber.lower() in _CHAMBERS else None
    chamber_label = named if named and named != raw_chamber.lower() else (
        raw_chamber if raw_chamber[:1].isupper() else ""
    )
    if chamber_label and chamber_label.lower() not in label.lower():
        label = f"{chamber_label} {label}"
    return label


def sponsor_clause(people: Sequence[dict[str, Any]]) -> Any:
    """The sponsorships of these people (``Legislator.criterion``): by feed id; a feed that gives no id by the
    name as stored, and a spelling of another feed in its own session only. Needs Bill and LegislativeSession
    joined."""
    ids = [p["person_id"] for p in people if p.get("person_id")]
    names = [p["name"] for p in people if not p.get("person_id")]
    clauses = [Sponsorship.person_id.in_(ids), and_(Sponsorship.person_id.is_(None), Sponsorship.name.in_(names))]
    for p in people:
        for other in p.get("also_named") or ():
            clauses.append(and_(Sponsorship.person_id.is_(None), Sponsorship.name == other["name"],
                                Bill.jurisdiction_id == other["jurisdiction"],
                                LegislativeSession.identifier == other["session"]))
    return or_(*clauses)


def gather_bills(
    session: Session,
    bill_ids: Sequence[int],
    *,
    today: dt.date | None = None,
    hearing_lookup: HearingLookup | None = None,
    legislators: Sequence[dict[str, Any]] = (),
    include_notes: bool = False,
) -> list[PacketBill]:
    """Everything a packet shows about these bills, in the order given. ``legislators`` (``{"name",
    "person_id"}``, as the selection's ``sponsors`` criterion names them): each one's role on each bill."""
    today = today or us_today()
    lookup = hearing_lookup if hearing_lookup is not None else default_hearing_lookup(session)
    bills: dict[int, tuple[Bill, str, str, str]] = {}
    positions: dict[int, Position] = {}
    sponsors: dict[int, list[Sponsor]] = defaultdict(list)
    unranked: dict[int, list[Sponsor]] = defaultdict(list)
    cosponsors: dict[int, int] = {}
    committees: dict[int, list[str]] = defaultdict(list)
    topics: dict[int, list[TopicMatch]] = defaultdict(list)
    sources: dict[int, list[BillSource]] = defaultdict(list)
    texts: dict[int, CurrentText | None] = {}
    hearings: dict[int, Hearing] = {}
    roles: dict[int, list[LegislatorRole]] = defaultdict(list)
    committee_actions: dict[int, list[CommitteeAction]] = defaultdict(list)
    parent_labels: dict[tuple[int, str], str] = {}
    notes: dict[int, list[PacketNote]] = defaultdict(list)
    roll_calls: dict[int, list[RollCall]] = defaultdict(list)

    for chunk in _chunks(bill_ids):
        for bill, sess_id, sess_name, jur_name in session.execute(
            select(Bill, LegislativeSession.identifier, LegislativeSession.name, Jurisdiction.name)
            .join(LegislativeSession, Bill.session_id == LegislativeSession.id)
            .join(Jurisdiction, Bill.jurisdiction_id == Jurisdiction.id)
            .where(Bill.id.in_(chunk))
        ):
            bills[bill.id] = (bill, sess_id, sess_name, jur_name)
        for pos in session.execute(select(Position).where(Position.bill_id.in_(chunk))).scalars():
            positions[pos.bill_id] = pos
        for sp in session.execute(
            select(Sponsorship)
            .where(Sponsorship.bill_id.in_(chunk),
                   Sponsorship.kind.in_([SponsorshipKind.primary, SponsorshipKind.sponsor]))
            .order_by(Sponsorship.bill_id, Sponsorship.order)
        ).scalars():
            # A state legislator's own state says nothing on that state's bill ("Smallwood-Cuevas [CA]").
            home = (bills[sp.bill_id][0].jurisdiction_id if sp.bill_id in bills else "").upper()
            state = _opt(sp.state) if home == "US" or (sp.state or "").upper() != home else None
            listed = sponsors if sp.kind == SponsorshipKind.primary else unranked
            listed[sp.bill_id].append(Sponsor(clean_text(sp.name), _opt(sp.party), state, _opt(sp.district)))
        for bill_id, n in session.execute(
            select(Sponsorship.bill_id, func.count())
            .where(
                Sponsorship.bill_id.in_(chunk),
                Sponsorship.kind == SponsorshipKind.cosponsor,
                Sponsorship.withdrawn_date.is_(None),
            )
            .group_by(Sponsorship.bill_id)
        ):
            cosponsors[bill_id] = n
        for ref in session.execute(
            select(CommitteeReferral)
            .where(CommitteeReferral.bill_id.in_(chunk))
            .order_by(
                CommitteeReferral.bill_id, CommitteeReferral.parent_code.is_not(None), CommitteeReferral.id
            )
        ).scalars():
            jurisdiction = bills[ref.bill_id][0].jurisdiction_id if ref.bill_id in bills else ""
            # Committees come before subcommittees, so a subcommittee finds its committee's name here.
            parent = parent_labels.get((ref.bill_id, (ref.parent_code or "").lower())) if ref.parent_code else None
            name = committee_label(ref.name, ref.chamber, jurisdiction, parent=parent)
            if ref.code and not ref.parent_code:
                parent_labels[(ref.bill_id, ref.code.lower())] = name
            if name not in committees[ref.bill_id]:
                committees[ref.bill_id].append(name)
                latest = _latest_activity(ref.activities, jurisdiction)
                if latest is not None:
                    committee_actions[ref.bill_id].append(CommitteeAction(name, latest[0], latest[1]))
        for match, topic in session.execute(
            select(BillMatch, Topic)
            .join(Topic, BillMatch.topic_id == Topic.id)
            .where(BillMatch.bill_id.in_(chunk), BillMatch.flagged.is_(True))
            .order_by(BillMatch.bill_id, BillMatch.score.desc(), Topic.name)
        ):
            evidence = tuple(
                Evidence.from_stored(e)
                for e in (match.evidence or [])[:EVIDENCE_PER_TOPIC]
                if isinstance(e, dict)
            )
            topics[match.bill_id].append(
                TopicMatch(
                    slug=topic.slug,
                    name=clean_text(topic.name),
                    score=round(float(match.score), 3),
                    terms=tuple(clean_text(str(t)) for t in (match.matched_terms or [])),
                    evidence=evidence,
                )
            )
        for src in session.execute(
            select(BillSource).where(BillSource.bill_id.in_(chunk)).order_by(BillSource.id)
        ).scalars():
            sources[src.bill_id].append(src)
        versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for ver in session.execute(  # not the text itself: megabytes a version, and no packet prints it
            select(BillVersion.bill_id, BillVersion.label, BillVersion.code, BillVersion.date, BillVersion.url,
                   BillVersion.format, BillVersion.links, BillVersion.text.is_not(None).label("has_text"))
            .where(BillVersion.bill_id.in_(chunk)).order_by(BillVersion.bill_id, *VERSION_ORDER)
        ).mappings():
            versions[ver["bill_id"]].append(dict(ver))
        texts.update((bill_id, current_text(found)) for bill_id, found in versions.items())
        roll_calls.update(_roll_calls(session, chunk, {b: bills[b][0].jurisdiction_id for b in chunk if b in bills}))
        if lookup is not None:
            hearings.update(lookup(session, chunk, today))
        if include_notes:
            for note, author_name, email in session.execute(
                select(Note, User.name, User.email).outerjoin(User, User.id == Note.author_id)
                .where(Note.bill_id.in_(chunk)).order_by(Note.bill_id, Note.created_at, Note.id)
            ):
                notes[note.bill_id].append(PacketNote(author=clean_text(author_name or email or "unknown"),
                                                      written_at=note.created_at, body=clean_text(note.body)))
        if legislators:
            for sp in session.execute(
                select(Sponsorship).join(Bill, Bill.id == Sponsorship.bill_id)
                .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
                .where(Sponsorship.bill_id.in_(chunk), Sponsorship.withdrawn_date.is_(None),
                       sponsor_clause(legislators))
                .order_by(Sponsorship.bill_id, Sponsorship.kind != SponsorshipKind.primary, Sponsorship.order)
            ).scalars():
                roles[sp.bill_id].append(LegislatorRole(
                    name=clean_text(sp.name), person_id=sp.person_id,
                    role=_ROLES.get(sp.kind, UNRANKED_ROLE),
                    original=sp.is_original if sp.kind == SponsorshipKind.cosponsor else None,
                    date=sp.sponsored_date if sp.kind == SponsorshipKind.cosponsor else None))

    out: list[PacketBill] = []
    for bill_id in bill_ids:
        if bill_id not in bills:
            continue  # deleted between selection and gathering
        bill, sess_id, sess_name, jur_name = bills[bill_id]
        pos = positions.get(bill_id)
        out.append(
            PacketBill(
                id=bill_id,
                jurisdiction=bill.jurisdiction_id,
                jurisdiction_name=clean_text(jur_name),
                session=sess_id,
                session_name=clean_text(sess_name),
                identifier=clean_text(bill.identifier),
                title=clean_text(bill.title),
                short_title=_opt(bill.short_title) or _opt(bill.popular_title),
                stage=bill.stage,
                status_text=official_status(bill.status_text, bill.latest_action_text),
                introduced_date=bill.introduced_date,
                latest_action_date=bill.latest_action_date,
                latest_action_text=_opt(bill.latest_action_text),
                policy_area=_opt(bill.policy_area),
                summary=_opt(bill.summary_text),
                position=pos.stance if pos else None,
                priority=pos.priority if pos else None,
                rationale=_opt(pos.rationale) if pos else None,
                position_updated_at=pos.updated_at if pos else None,
                sponsors=tuple(sponsors.get(bill_id, ())),
                unranked_sponsors=tuple(unranked.get(bill_id, ())),
                cosponsor_count=cosponsors.get(bill_id, 0),
                committees=tuple(committees.get(bill_id, ())),
                legislator_roles=tuple(roles.get(bill_id, ())),
                committee_actions=tuple(committee_actions.get(bill_id, ())),
                next_hearing=hearings.get(bill_id),
                topics=tuple(topics.get(bill_id, ())),
                links=_links(bill, sources.get(bill_id, []), texts.get(bill_id)),
                notes=tuple(notes.get(bill_id, ())) if include_notes else None,
                current_text=texts.get(bill_id),
                roll_calls=tuple(roll_calls.get(bill_id, ())),
            )
        )
    return out


def _roll_calls(session: Session, chunk: list[int], jurisdictions: dict[int, str]) -> dict[int, list[RollCall]]:
    """Each bill's numbered roll calls (the chamber's roll number known: BILLSTATUS), oldest first, of one source
    per bill as on the bill page (tracker.votes.source_rank). State roll calls have no number and are left to the
    legislator's voting record."""
    by_source: dict[int, dict[str, list[VoteEvent]]] = defaultdict(lambda: defaultdict(list))
    for e in session.execute(select(VoteEvent).where(VoteEvent.bill_id.in_(chunk), VoteEvent.roll_number.is_not(None))
                             .order_by(VoteEvent.bill_id, VoteEvent.date, VoteEvent.id)).scalars():
        by_source[e.bill_id][e.source_name].append(e)
    out: dict[int, list[RollCall]] = {}
    for bill_id, sources in by_source.items():
        events = sources[max(sources, key=source_rank)]
        out[bill_id] = [RollCall(
            name=clean_text(roll_call_name(e.chamber, e.roll_number or 0, jurisdictions.get(bill_id, ""))),
            date=e.date, motion=_opt(e.motion), url=safe_url(e.url), tally=tally_label(e.yes_count, e.no_count))
            for e in events]
    return out


def gather_packet(
    session: Session,
    bill_ids: Sequence[int],
    *,
    title: str,
    selection: str,
    criteria: dict[str, Any],
    branding: Branding,
    generated_at: dt.datetime | None = None,
    hearing_lookup: HearingLookup | None = None,
    include_notes: bool = False,
) -> Packet:
    from tracker.exports.voting_record import gather_voting_records

    generated_at = generated_at or dt.datetime.now(dt.UTC).astimezone()
    records = gather_voting_records(session, bill_ids, criteria.get("sponsors") or ())
    bills = gather_bills(session, bill_ids, today=us_today(generated_at), hearing_lookup=hearing_lookup,
                         legislators=criteria.get("sponsors") or (), include_notes=include_notes)
    if include_notes:  # the cover says so: this packet is not one to hand out
        selection = " · ".join(p for p in (selection, "With staff notes (internal)") if p)
        criteria = {**criteria, "notes": True}
    return Packet(
        title=clean_text(title),
        organisation=clean_text(branding.organisation),
        generated_at=generated_at,
        # The description quotes names people typed (watchlists, saved filters, search words): a pasted
        # vertical tab, Word's line break, would otherwise make python-docx refuse the whole packet.
        selection=clean_text(selection),
        criteria=criteria,
        bills=tuple(bills),
        branding=branding,
        voting_records=records,
    )
