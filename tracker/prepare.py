"""A validated record turned into the rows ingest writes: pure, no database, cheap to pickle.

Splitting this from the writer lets a large import prepare bills in worker processes while the main process
only writes. Child rows are tuples in the column order of ``CHILD_COLUMNS`` (without ``bill_id``), dates as ISO
text and JSON already serialized, which both SQLite and PostgreSQL accept through the driver as they are.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from tracker.models.enums import SponsorshipKind
from tracker.names import search_names
from tracker.records import BillRecord

# Bill columns a source owns; first_seen_at and id never change once a bill exists.
BILL_FIELDS = (
    "bill_type", "number", "classification", "origin_chamber", "title", "short_title", "popular_title",
    "summary_text", "summary_html", "status_text", "stage", "introduced_date", "latest_action_date",
    "latest_action_text", "policy_area", "upstream_updated_at", "source_name", "source_urls",
)

# Replaced wholesale when a bill changes; (table, columns after bill_id). Versions are upserted instead.
CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    "billaction": ("order", "date", "time", "text", "actor", "action_code", "action_type", "classification",
                   "committees"),
    "sponsorship": ("order", "name", "person_id", "party", "state", "district", "kind", "is_original",
                    "sponsored_date", "withdrawn_date"),
    "committeereferral": ("code", "name", "chamber", "parent_code", "activities", "referred_date"),
    "billsubject": ("name",),
    "relatedbill": ("jurisdiction_id", "session_identifier", "identifier", "title", "relationship",
                    "identified_by"),
}


@dataclass
class PreparedBill:
    source_name: str
    source_key: str
    content_hash: str
    view_hash: str  # view_hash(record): the same for copies that differ only in what a reader does not follow
    jurisdiction: dict[str, Any]
    session: dict[str, Any]
    identifier: str
    bill: dict[str, Any]  # BILL_FIELDS
    children: dict[str, list[tuple[Any, ...]]]  # CHILD_COLUMNS tables
    versions: list[dict[str, Any]]
    # Bill.sponsor_names and cosponsor_names (``legislator_names``): folded in the parser processes, not by the
    # writer, whose process is the import's bottleneck.
    names: dict[str, str | None]
    # Roll calls (VoteEvent columns plus ``people``: PersonVote dicts, or None when the feed lists none) and
    # calendar entries; both keyed by the source's own ids, so every source's are kept, not only the owner's.
    votes: list[dict[str, Any]] = field(default_factory=list)
    calendar: list[dict[str, Any]] = field(default_factory=list)

    # What change detection compares with a stored bill: derived where it is needed (bills stored before),
    # not carried from the parser processes, where it was a fifth of what every prepared bill pickled to.
    @property
    def sponsor_keys(self) -> dict[tuple[str, str], str | None]:
        """(person id or name, kind) -> withdrawn date."""
        return {(s[2] or s[1], s[6]): s[9] for s in self.children["sponsorship"]}

    @property
    def sponsor_names(self) -> dict[str, str]:
        return {s[2] or s[1]: s[1] for s in self.children["sponsorship"]}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


_JSON = json.JSONEncoder(separators=(",", ":")).encode  # one encoder: json.dumps with options builds one per call


def _json(value: Any) -> str:
    return "[]" if value == [] else _JSON(value)  # most actions name no committee


# Search weighs a bill's sponsors above its cosponsors: primary sponsors, and those a feed lists without saying
# which they are (SponsorshipKind.sponsor: LegiScan's "Generic / Unspecified").
_SPONSORS = frozenset({SponsorshipKind.primary.value, SponsorshipKind.sponsor.value})


def legislator_names(sponsors: list[tuple[Any, ...]]) -> dict[str, str | None]:
    """The bill's legislators as search finds them: its sponsor(s), and its cosponsors but those who
    withdrew (sponsorship rows: name at 1, kind at 6, withdrawn date at 9). Outside BILL_FIELDS, so that no hash
    a stored bill is compared by changes with them."""
    return {"sponsor_names": search_names(s[1] for s in sponsors if s[6] in _SPONSORS),
            "cosponsor_names": search_names(s[1] for s in sponsors if s[6] not in _SPONSORS and s[9] is None)}


def view_hash(record: BillRecord) -> str:
    """The record's hash less its upstream stamp and which feed delivered it (name, key, URLs, a version's list of
    renditions): GovInfo restamps whole Congresses, and the Congress.gov API serves the same record as BILLSTATUS
    with other URLs and more renditions. A copy with the stored bill's view hash changes nothing a reader sees.

    Numbered roll calls (BILLSTATUS recorded votes) are left out too: each is read from the action that records
    it, so a new one comes with its action, and the schema generations list them differently (GPO's pre-2022 copy
    of S. 1260 lists a cloture vote bill-level that its 3.0.0 copy puts on no action): a restamped copy in the new
    schema brought reviewed bills back to the triage inbox with nothing new on them."""
    return record.model_copy(update={
        "upstream_updated_at": None, "source_name": "", "source_key": "", "source_urls": [],
        "versions": [v.model_copy(update={"links": []}) for v in record.versions],
        "votes": [v for v in record.votes if v.roll_number is None]}).content_hash()


def prepare(record: BillRecord) -> PreparedBill:
    data = record.model_dump()  # one serializer call per bill, not one per child
    actions = [(n, _iso(a["date"]), a["time"], a["text"], a["actor"], a["action_code"], a["action_type"],
                _json(a["classification"]), _json(a["committees"])) for n, a in enumerate(data["actions"])]
    sponsors = [(n, s["name"], s["person_id"], s["party"], s["state"], s["district"], s["kind"], s["is_original"],
                 _iso(s["sponsored_date"]), _iso(s["withdrawn_date"])) for n, s in enumerate(data["sponsorships"])]
    committees = [(c["code"], c["name"], c["chamber"], c["parent_code"], _json(c["activities"]),
                   _iso(c["referred_date"])) for c in data["committees"]]
    subjects = [(name,) for name in dict.fromkeys(data["subjects"])]
    related = [(r["jurisdiction_id"], r["session_identifier"], r["identifier"], r["title"], r["relationship"],
                r["identified_by"]) for r in data["related_bills"]]
    versions = list({v["url"]: v for v in data["versions"]}.values())
    return PreparedBill(
        source_name=record.source_name,
        source_key=record.source_key,
        content_hash=record.content_hash(),
        view_hash=view_hash(record),
        jurisdiction=data["jurisdiction"],
        session=data["session"],
        identifier=record.identifier,
        bill={name: data[name] for name in BILL_FIELDS},
        children={"billaction": actions, "sponsorship": sponsors, "committeereferral": committees,
                  "billsubject": subjects, "relatedbill": related},
        versions=versions,
        names=legislator_names(sponsors),
        votes=list({v["source_key"]: v for v in data["votes"]}.values()),
        calendar=list({c["source_key"]: c for c in data["calendar"]}.values()),
    )
