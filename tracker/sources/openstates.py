"""Open States bills (https://v3.openstates.org/bills and the bulk bill JSON) -> ``BillRecord``.

Two shapes of one object, both read here:

- API v3 ``/bills`` results and ``/bills/ocd-bill/{uuid}`` (``id``, ``session``, ``jurisdiction{id,...}``,
  ``from_organization{classification}``, ``updated_at``; ``actions[].organization{classification}``); only the
  parts asked for with ``include`` are present;
- the scraper output behind the bulk downloads (``legislative_session``, ``_id``, ``scraped_at``,
  ``from_organization`` and ``actions[].organization_id`` as pseudo-ids ``~{"classification": "lower"}``).

Open States already classifies actions in the vocabulary ``tracker.stages`` is written in, so its stage rules
are the identity: ``OPENSTATES_CLASSIFICATIONS`` lists the ones the stage engine acts on, and anything else is
kept on the action but does not move the stage. One correction is data too: a success (``passage``...) on an action
whose text says the motion was lost is dropped (``LOST_MOTION``).

Identity: jurisdiction from the OCD id (``ca``), session as Open States names it (``20252026``, ``2025rs``), but
a "{years} Special Session {n}" as pubinfo and LegiScan spell it, ``{years}s{n}`` (``states.session_from_openstates``),
identifier normalized by ``tracker.sources.states`` (``HB100`` -> ``HB 100``). Source key: the API's
``ocd-bill/...`` id; the bulk shape has none that survives a re-scrape (``_id`` is new every run), so there
it is ``{state}/{session}/{identifier}``.

Events (API v3 ``/events`` with ``include`` of agenda, participants, documents, links and sources; written from
the published Event schema, no real response exists in realdata) become ``HearingRecord``s keyed by the
``ocd-event/...`` id. The day and clock are taken as written in ``start_date`` (the legislature's local time;
converting its offset to UTC could move the hearing to another day); a date-only or ``all_day`` event has no
time. The body is the organization participant (the host or chair when there are several), else the event's
name. ``status`` "cancelled" and ``deleted`` events are cancelled. Each agenda item's ``related_entities`` of
type bill link it by their ``ocd-bill/...`` id (the bill's source key here) and normalized identifier; an
item naming several bills becomes one agenda row per bill, so each bill finds the hearing.
"""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tracker.bill_text import web_url
from tracker.models.enums import Chamber, SponsorshipKind, VoteOption, VoteResult
from tracker.records import BillRecord, HearingRecord, ParseError
from tracker.sources import states
from tracker.sources.json_doc import Model, load_body, validated
from tracker.sources.json_doc import json_text as _str
from tracker.stages import Step, derive_stage

__all__ = ["API_BASE", "OPENSTATES_CLASSIFICATIONS", "SOURCE_NAME", "BillsPage", "EventsPage", "looks_like_bill",
           "parse_bill", "parse_bill_object", "parse_bills_page", "parse_event_object", "parse_events_page"]

SOURCE_NAME = "openstates"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
# Covers json_doc.
READING_VERSION = 2  # 2: committee referrals read from referral actions
API_BASE = "https://v3.openstates.org/"
# Open States action classifications the stage engine reads (openstates-core's action vocabulary).
OPENSTATES_CLASSIFICATIONS: frozenset[str] = frozenset({
    "introduction", "referral-committee", "committee-passage", "committee-passage-favorable",
    "committee-passage-unfavorable", "passage", "failure", "withdrawal", "concurrence", "executive-receipt",
    "executive-signature", "executive-veto", "became-law", "veto-override-passage", "veto-override-failure",
})
# The one correction to Open States' classifications, kept as data: some state scrapers classify the motion, not
# its outcome, so a floor vote that was lost still comes as "passage" (Alabama 2025 SB 82: "Motion to Read a Third
# Time and Pass as Amended - Lost Roll Call 1243", shown as passed by both chambers). An action whose text says
# the motion was lost or failed, and nowhere that something passed, loses these classifications. It is not made
# a "failure": the Alabama scraper lists a day's actions newest first, so a vote lost, reconsidered and then passed
# (SB 156 on March 18) would read as passed, then failed.
SUCCESS_CLASSIFICATIONS: frozenset[str] = frozenset({
    "passage", "committee-passage", "committee-passage-favorable", "concurrence", "veto-override-passage",
})
LOST_MOTION = re.compile(r"\b(?:lost|failed|defeated|not adopted|rejected)\b", re.IGNORECASE)
PASSED_OUTCOME = re.compile(r"\b(?:passed|adopted|carried|prevailed)\b", re.IGNORECASE)
# A plain "resolution" whose bill type says joint or concurrent (Alabama's scraper classifies HJR and SJR so) is
# read as what its type says: the stage engine sends a joint resolution through both chambers and the executive,
# where one chamber's adoption is the final stage of a simple resolution. By the type's ending, for every state.
RESOLUTION_TYPES: dict[str, str] = {"JR": "joint resolution", "CR": "concurrent resolution"}
# An addition, kept as data too: the Alabama scraper leaves the adoption of a resolution unclassified
# ("Waggoner motion to Adopt - Adopted Voice Vote", "Concur In and Adopt - Adopted"), so its 35 Senate resolutions
# of 2025 stayed "introduced" once adopted. On a resolution such an action is the chamber's passage; on a bill
# the same words adopt an amendment, which passes nothing, so the rule reads resolutions only.
RESOLUTION_ADOPTED = re.compile(r"\b(?:motion to adopt|concur in and adopt)\b.*\badopted\b", re.IGNORECASE)
# States whose Open States scraper lists each day's actions newest first (Alabama 2025: "Delivered to Governor",
# "Signature Requested", "Enrolled", "Ready to Enroll" on one day; "Motion to Read a Third Time and Pass -
# Adopted" before "Third Reading in House of Origin"). Their days are read backwards, so the bill page tells the
# day in order and the latest action is the day's last one.
NEWEST_FIRST_STATES: frozenset[str] = frozenset({"al"})
_CHAMBERS = {c.value: c for c in Chamber}
# The committee a referral action sends the bill to. Open States links it as a related organization where the
# scraper knows it; the Alabama 2025 files leave ``related_entities`` empty and say it only in words: "Read for the
# first time and referred to the House Committee on Ways and Means Education" (1,493 of 1,795 referrals),
# "Received in the Senate and referred to the Senate committee on RULES", "Re-referred to Committee in House of
# Origin (Judiciary)". Without them no Open States bill had a committee, so no committee's packet held one.
REFERRAL_COMMITTEE = (
    re.compile(r"\breferred to (?:the )?(?:(?:house|senate|assembly) )?committee on (?P<name>[^.;()]+)",
               re.IGNORECASE),
    re.compile(r"\breferred to committee\b[^(]*\((?P<name>[^)]+)\)", re.IGNORECASE),
)
_PSEUDO = re.compile(r'"classification"\s*:\s*"([a-z]+)"')
# Vote events (``include=votes``): the options of openstates-core's VoteEvent; "paired" has no own column.
_OPTIONS = {o.value: o for o in VoteOption} | {"paired": VoteOption.other}
_RESULTS = {"pass": VoteResult.passed, "fail": VoteResult.failed}
_ABSENT = (VoteOption.absent, VoteOption.excused)
# Participant notes naming the body that holds an event (openstates-core scrapers write "host" and "chair").
_HOST_NOTE = re.compile(r"\b(?:host|chair|hosting)\b", re.IGNORECASE)
_AGENDA = re.compile(r"\bagenda\b", re.IGNORECASE)
_CANCELLED = frozenset({"cancelled", "canceled"})


def looks_like_bill(head: bytes) -> bool:
    """Sniff for ``tracker import``: an Open States bill object (either shape)."""
    text = head[:4096]
    return text.lstrip().startswith(b"{") and b'"identifier"' in text and (
        b'"legislative_session"' in text or b'"openstates_url"' in text or b'"ocd-bill/' in text)


def parse_bill(data: bytes, locator: str) -> BillRecord:
    """One bill document (bulk file or API detail response)."""
    doc = load_body(data, locator)
    if not isinstance(doc, dict):
        raise ParseError(locator, f"expected a JSON object, got {type(doc).__name__}")
    return parse_bill_object(doc, locator)


@dataclass
class BillsPage:
    bills: list[BillRecord | ParseError]
    page: int
    max_page: int
    total_items: int | None


@dataclass
class EventsPage:
    hearings: list[HearingRecord | ParseError]
    page: int
    max_page: int
    total_items: int | None


def _envelope(data: bytes, locator: str) -> tuple[list[Any], tuple[int, int, int | None]]:
    """An API v3 list page: ``{"results": [...], "pagination": {page, max_page, total_items, ...}}``."""
    doc = load_body(data, locator)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        detail = doc.get("detail") if isinstance(doc, dict) else None
        raise ParseError(locator, f"API error: {detail}" if detail else "missing 'results' list in the response")
    pagination = doc.get("pagination") if isinstance(doc.get("pagination"), dict) else {}
    try:
        page, max_page = int(pagination.get("page") or 1), int(pagination.get("max_page") or 1)
    except (TypeError, ValueError):
        raise ParseError(locator, f"pagination is not numbers: {pagination!r:.200}") from None
    return doc["results"], (page, max_page, pagination.get("total_items"))


def _each_result(results: list[Any], locator: str, parse: Callable[[dict[str, Any], str], Model],
                 label: Callable[[Any, int], str]) -> list[Model | ParseError]:
    """Parse every result; a bad one is a ``ParseError`` in its place and the rest of the page still counts."""
    out: list[Model | ParseError] = []
    for position, item in enumerate(results):
        where = f"{locator}#{label(item, position)}"
        try:
            if not isinstance(item, dict):
                raise ParseError(where, "result is not an object")
            out.append(parse(item, where))
        except ParseError as exc:
            out.append(exc)
    return out


def parse_bills_page(data: bytes, locator: str) -> BillsPage:
    """One ``/bills`` page. A bad bill is a ``ParseError`` in ``bills`` and the rest of the page still counts."""
    results, pages = _envelope(data, locator)
    return BillsPage(_each_result(results, locator, parse_bill_object, _bill_label), *pages)


def parse_events_page(data: bytes, locator: str) -> EventsPage:
    """One ``/events`` page. A bad event is a ``ParseError`` (located by its id) in ``hearings``; the rest of the
    page still counts."""
    results, pages = _envelope(data, locator)
    return EventsPage(_each_result(results, locator, parse_event_object, _event_label), *pages)


def _bill_label(item: Any, position: int) -> str:
    """Where a bad bill was: its position on the page, and the bill itself (pages shift as bills change)."""
    if not isinstance(item, dict):
        return f"results[{position}]"
    name = _str(item.get("id")) or " ".join(p for p in (_str(item.get("session")), _str(item.get("identifier")))
                                            if p) or None
    return f"results[{position}] ({name})" if name else f"results[{position}]"


def _event_label(item: Any, position: int) -> str:
    event_id = _str(item.get("id")) if isinstance(item, dict) else None
    return f"event/{event_id}" if event_id else f"results[{position}]"


def _chamber(org: Any) -> Chamber | None:
    if isinstance(org, dict):
        return _CHAMBERS.get(org.get("classification") or "")
    if isinstance(org, str):
        found = _PSEUDO.search(org)
        return _CHAMBERS.get(found.group(1)) if found else None
    return None


def _day(value: Any) -> str | None:
    # The day as written, offset or not. Unlike GovInfo's instants, Open States dates are days that scrapers
    # write as local midnight in a zone of their own choosing: the Alabama 2025 bulk data has 13,112 action dates
    # at 05:00 or 04:00 UTC (midnight Eastern, following daylight saving time), and converting them to
    # Alabama's own zone (Central) would put every one a day early. Which zone a scraper meant is not in the
    # data, so no conversion is safe; the written date is right for all of them.
    text = _str(value)
    return text[:10] if text else None


def _classification(value: Any, text: str, *, resolution: bool = False) -> list[str]:
    """An action's classifications as Open States gives them, less a success the text says did not happen, plus
    the passage of a resolution whose adoption it left unclassified (``RESOLUTION_ADOPTED``)."""
    found = [c for c in value if isinstance(c, str)] if isinstance(value, list) else []
    if LOST_MOTION.search(text) and not PASSED_OUTCOME.search(text):
        return [c for c in found if c not in SUCCESS_CLASSIFICATIONS]
    if resolution and RESOLUTION_ADOPTED.search(text) and not SUCCESS_CLASSIFICATIONS.intersection(found):
        found.append("passage")
    return found


def parse_bill_object(bill: dict[str, Any], locator: str) -> BillRecord:
    return validated(BillRecord, lambda: _payload(bill, locator), locator)


def _state(obj: dict[str, Any], locator: str) -> str:
    """The state of a bill or event, from its ``jurisdiction`` OCD id."""
    jurisdiction = obj.get("jurisdiction") or {}
    state = states.state_from_ocd(jurisdiction.get("id") if isinstance(jurisdiction, dict) else None)
    if state is None:
        raise ParseError(locator, "missing jurisdiction: no ocd-jurisdiction id with a state")
    return state


def _payload(bill: dict[str, Any], locator: str) -> dict[str, Any]:
    state = _state(bill, locator)
    feed_session = _str(bill.get("session")) or _str(bill.get("legislative_session"))
    if not feed_session:
        raise ParseError(locator, "missing session / legislative_session")
    session = states.session_from_openstates(feed_session)
    raw_identifier = _str(bill.get("identifier"))
    normalized = states.normalize_identifier(raw_identifier or "")
    if normalized is None:
        raise ParseError(locator, f"invalid identifier {raw_identifier!r}")
    identifier, bill_type, number = normalized
    title = _str(bill.get("title"))
    if not title:
        raise ParseError(locator, "missing title")
    kinds = bill.get("classification") or ["bill"]
    classification = _str(kinds[0] if isinstance(kinds, list) and kinds else kinds) or "bill"
    if classification == "resolution":
        classification = next((kind for ending, kind in RESOLUTION_TYPES.items() if bill_type.endswith(ending)),
                              classification)
    origin = _chamber(bill.get("from_organization"))

    actions = []
    referrals: list[tuple[str, int, str, Chamber | None, str | None]] = []
    for order, item in enumerate(bill.get("actions") or []):
        text = _str(item.get("description"))
        if not text:
            continue
        actor = _chamber(item.get("organization")) or _chamber(item.get("organization_id"))
        actions.append((_day(item.get("date")), order, {
            "date": _day(item.get("date")), "text": text, "actor": actor,
            "classification": _classification(item.get("classification"), text,
                                              resolution="resolution" in classification),
        }))
        if "referral-committee" in (item.get("classification") or []):
            referrals += [(_day(item.get("date")) or "", order, name, actor, _day(item.get("date")))
                          for name in _referred_to(item, text)]
    # The bulk files list actions out of order; the API orders by ``order``. Chronological, and within a day in
    # the order the state's scraper wrote them, read backwards where it writes a day newest first.
    backwards = -1 if state in NEWEST_FIRST_STATES else 1
    actions.sort(key=lambda a: (a[0] or "", backwards * a[1]))
    action_rows = [a[2] for a in actions]
    referrals.sort(key=lambda r: (r[0], backwards * r[1]))
    committees: dict[tuple[str, Chamber | None], dict[str, Any]] = {}
    for _, _, name, actor, day in referrals:
        committee = committees.setdefault((name.lower(), actor), {
            "name": name, "chamber": actor, "referred_date": day, "activities": []})
        word = "Re-referred to" if committee["activities"] else "Referred to"
        committee["activities"].append({"name": word, "date": day} if day else {"name": word})
    stage = derive_stage((Step(a["actor"], [c for c in a["classification"] if c in OPENSTATES_CLASSIFICATIONS])
                          for a in action_rows), origin, classification)

    sponsors = []
    for item in bill.get("sponsorships") or []:
        name = _str(item.get("name"))
        if not name:
            continue
        person = item.get("person") if isinstance(item.get("person"), dict) else {}
        person_id = _str(person.get("id")) or _str(item.get("person_id"))
        if person_id and person_id.startswith("~"):
            person_id = None  # a scrape-time pseudo-id, not an identity
        sponsors.append({"name": name, "person_id": person_id, "party": _str(person.get("party")),
                         "kind": SponsorshipKind.primary if item.get("primary") else SponsorshipKind.cosponsor})

    versions = []
    for item in bill.get("versions") or []:
        links = [link for link in item.get("links") or [] if isinstance(link, dict) and _str(link.get("url"))]
        if not links:
            continue
        media = _str(links[0].get("media_type")) or ""
        versions.append({"label": _str(item.get("note")) or "Version", "url": links[0]["url"],
                         "date": _day(item.get("date")), "format": media.rsplit("/", 1)[-1] or None,
                         "links": [{"url": link["url"], "format": _str(link.get("media_type")) or ""}
                                   for link in links]})

    # Alabama's scraper files the bill's whole subject line as an abstract noted "full subject" ("Telecommunications
    # & Utilities", "Military; Taxation & Revenue"): a subject, not a summary. Read as the summary, flagging (which
    # never reads subjects) scored every Alabama water and sewer bill for broadband; its parts join the subjects.
    abstracts, subject_lines = [], []
    for item in bill.get("abstracts") or []:
        text = _str(item.get("abstract")) if isinstance(item, dict) else None
        if text:
            is_subject = "subject" in (_str(item.get("note")) or "").lower()
            (subject_lines if is_subject else abstracts).append(text)
    summary = next((a for a in abstracts if a != title), None)
    subjects = [s for s in (_str(x) for x in bill.get("subject") or []) if s]
    subjects += [part.strip() for line in subject_lines for part in line.split(";") if part.strip()]
    related = []
    for item in bill.get("related_bills") or []:
        other = states.normalize_identifier(_str(item.get("identifier")) or "")
        if other:
            related.append({"jurisdiction_id": state, "identifier": other[0],
                            "session_identifier": states.session_from_openstates(
                                _str(item.get("legislative_session")) or session),
                            "relationship": _str(item.get("relation_type")) or "related"})
    latest = action_rows[-1] if action_rows else None
    ocd_id = _str(bill.get("id"))
    urls = [u for u in [_str(bill.get("openstates_url"))] + [_str(s.get("url")) for s in bill.get("sources") or []
                                                           if isinstance(s, dict)] if u]
    years = re.fullmatch(r"(\d{4})(\d{4})?(?:s(\d+))?", session)
    return {
        "jurisdiction": states.state_jurisdiction(state),
        "session": {"identifier": session,
                    "name": states.session_name(state, session) or (
                        states.session_name_from_years(int(years.group(1)),
                                                       int(years.group(2)) if years.group(2) else None,
                                                       int(years.group(3) or 0), state=state)
                        if years else session)},
        "identifier": identifier,
        "bill_type": bill_type,
        "number": number,
        "classification": classification,
        "origin_chamber": origin,
        "title": title,
        "summary_text": summary,
        "status_text": _str(bill.get("latest_action_description")) or (latest["text"] if latest else None),
        "stage": stage,
        "introduced_date": _day(bill.get("first_action_date")) or (action_rows[0]["date"] if action_rows else None),
        "latest_action_date": _day(bill.get("latest_action_date")) or (latest["date"] if latest else None),
        "latest_action_text": _str(bill.get("latest_action_description")) or (latest["text"] if latest else None),
        "upstream_updated_at": _str(bill.get("updated_at")),
        "source_name": SOURCE_NAME,
        "source_key": ocd_id if ocd_id and ocd_id.startswith("ocd-bill/") else f"{state}/{feed_session}/{identifier}",
        "source_urls": list(dict.fromkeys(urls)),
        "actions": action_rows,
        "sponsorships": sponsors,
        "subjects": list(dict.fromkeys(subjects)),
        "versions": versions,
        "related_bills": related,
        "committees": list(committees.values()),
        "votes": [v for v in (_vote(item) for item in bill.get("votes") or [] if isinstance(item, dict)) if v],
    }


def _referred_to(action: dict[str, Any], text: str) -> list[str]:
    """The committees a referral action names: its related organizations, else the one its words name."""
    named = [name for entity in action.get("related_entities") or [] if isinstance(entity, dict)
             and entity.get("entity_type") == "organization" and (name := _str(entity.get("name")))]
    if named:
        return named
    for pattern in REFERRAL_COMMITTEE:
        if found := pattern.search(text):
            name = " ".join(found.group("name").split()).strip(" ,:")
            # "committee on RULES": a scraper's capitals, not the committee's name.
            return [name.title() if name.isupper() else name] if name else []
    return []


def _vote(item: dict[str, Any]) -> dict[str, Any] | None:
    """One VoteEvent: ``motion_text``, ``start_date``, ``result`` pass/fail, ``organization``, ``counts[]``
    ``{option, value}`` and ``votes[]`` ``{option, voter_name, voter{id}}``."""
    members = []
    for v in item.get("votes") or []:
        if not isinstance(v, dict):
            continue
        voter = v.get("voter") if isinstance(v.get("voter"), dict) else {}
        person_id = _str(voter.get("id")) or _str(v.get("voter_id"))
        members.append({"name": _str(v.get("voter_name")) or _str(voter.get("name")),
                        "person_id": None if person_id and person_id.startswith("~") else person_id,
                        "option": _OPTIONS.get((_str(v.get("option")) or "").lower(), VoteOption.other)})
    counts: dict[VoteOption, int] = {}
    for c in item.get("counts") or []:
        if isinstance(c, dict) and isinstance(c.get("value"), int):
            option = _OPTIONS.get((_str(c.get("option")) or "").lower(), VoteOption.other)
            counts[option] = counts.get(option, 0) + c["value"]
    if not counts:  # a scrape without tallies: count the members listed
        for m in members:
            counts[m["option"]] = counts.get(m["option"], 0) + 1
    org = item.get("organization")
    body = _str(org.get("name")) if isinstance(org, dict) else None
    motion, day = _str(item.get("motion_text")), _day(item.get("start_date"))
    # The API's ``ocd-vote/...`` id; the bulk shape's ids are new every scrape, so there: what the vote is.
    key = _str(item.get("id"))
    if not key or not key.startswith("ocd-vote/"):
        key = "vote/" + hashlib.sha256(json.dumps(
            [day, motion, _chamber(org) or body, _str(item.get("identifier"))]).encode()).hexdigest()[:32]
    known = (VoteOption.yes, VoteOption.no, *_ABSENT)
    return {
        "source_key": key, "date": day, "chamber": _chamber(org) or _chamber(item.get("organization_id")),
        "body": body, "motion": motion, "result": _RESULTS.get((_str(item.get("result")) or "").lower()),
        "yes_count": counts.get(VoteOption.yes), "no_count": counts.get(VoteOption.no),
        "other_count": sum(v for k, v in counts.items() if k not in known) if counts else None,
        "absent_count": sum(counts.get(k, 0) for k in _ABSENT) if counts else None,
        "url": next((_str(s.get("url")) for s in item.get("sources") or [] if isinstance(s, dict)), None),
        "people": members or None,
    }


# -- events ---------------------------------------------------------------------------------------------------

def parse_event_object(event: dict[str, Any], locator: str) -> HearingRecord:
    """One API v3 Event (``include`` of agenda, participants, documents, links, sources) -> a hearing."""
    return validated(HearingRecord, lambda: _event_payload(event, locator), locator)


def _event_payload(event: dict[str, Any], locator: str) -> dict[str, Any]:
    event_id = _str(event.get("id"))
    if not event_id:
        raise ParseError(locator, "event without id")
    state = _state(event, locator)
    day, clock = _when(event.get("start_date"), bool(event.get("all_day")), locator)
    name = _str(event.get("name"))
    body = _host(event.get("participants")) or name
    deleted = bool(event.get("deleted"))
    status = "deleted" if deleted else (_str(event.get("status")) or "")[:64] or None  # the column's width
    location = event.get("location")
    return {
        "jurisdiction": states.state_jurisdiction(state),
        "source_name": SOURCE_NAME,
        "source_key": event_id,
        "date": day,
        "time": clock,
        "body": body,
        "location": _str(location.get("name")) if isinstance(location, dict) else None,
        # The name says what the meeting is when the body came from the participants ("Budget hearing").
        "description": _str(event.get("description")) or (name if name != body else None),
        "status": status,
        # A deleted event is withdrawn upstream: kept as a record, never shown as "upcoming".
        "cancelled": deleted or (status or "").lower() in _CANCELLED,
        "url": _event_url(event, event_id),
        "agenda_url": _agenda_url(event),
        "items": _agenda(event.get("agenda")),
    }


def _when(value: Any, all_day: bool, locator: str) -> tuple[dt.date, str | None]:
    """``start_date`` -> (day, ``HH:MM`` or None), both as written: the offset only says which zone it is."""
    text = _str(value)
    if not text:
        raise ParseError(locator, "event without start_date")
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text), None
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(locator, f"invalid start_date {text!r:.60}") from None
    # Midnight is what a scraper writes for "time not announced" (pubinfo's convention here too).
    clock = None if all_day or (moment.hour, moment.minute) == (0, 0) else moment.strftime("%H:%M")
    return moment.date(), clock


def _host(participants: Any) -> str | None:
    """The organization holding the event: the one noted host/chair, else the first organization listed."""
    orgs = [p for p in participants or [] if isinstance(p, dict) and p.get("entity_type") == "organization"]
    named = [(_str(p.get("name")) or _org_name(p), _str(p.get("note")) or "") for p in orgs]
    named = [(n, note) for n, note in named if n]
    host = next((n for n, note in named if _HOST_NOTE.search(note)), None)
    return host or (named[0][0] if named else None)


def _org_name(participant: dict[str, Any]) -> str | None:
    org = participant.get("organization")
    return _str(org.get("name")) if isinstance(org, dict) else None


def _web(url: Any) -> str | None:
    """Only http(s) links are kept: a feed's ``javascript:`` or ``file:`` URL is never stored to be clicked."""
    return web_url(_str(url))


def _links(items: Any) -> list[tuple[str, str]]:
    """(note, url) of every http(s) link in ``links``/``sources``-shaped lists ``[{url, note}]``."""
    out = []
    for item in items or []:
        url = _web(item.get("url")) if isinstance(item, dict) else None
        if url:
            out.append((_str(item.get("note")) or "", url))
    return out


def _event_url(event: dict[str, Any], event_id: str) -> str:
    """The event's own page (``links``), else the page it was scraped from (``sources``), else the API's."""
    pages = [url for note, url in _links(event.get("links")) + _links(event.get("sources")) if not _AGENDA.search(note)]
    return pages[0] if pages else f"{API_BASE}events/{event_id}"


def _agenda_url(event: dict[str, Any]) -> str | None:
    """A document (or link) whose note or classification says it is the agenda."""
    for doc in event.get("documents") or []:
        if isinstance(doc, dict) and _AGENDA.search(f"{doc.get('note') or ''} {doc.get('classification') or ''}"):
            found = next((url for _, url in _links(doc.get("links"))), None) or _web(doc.get("url"))
            if found:
                return found
    return next((url for note, url in _links(event.get("links")) if _AGENDA.search(note)), None)


def _agenda(items: Any) -> list[dict[str, Any]]:
    """One agenda row per item, or per bill when an item names several (each bill then finds its hearing)."""
    rows = []
    agenda = [i for i in items or [] if isinstance(i, dict)]
    for position, item in enumerate(sorted(agenda, key=_order), start=1):
        base = {"sequence": _sequence(item.get("order"), position), "title": _str(item.get("description")),
                "action_text": "; ".join(n for n in (_str(x) for x in item.get("notes") or []) if n) or None}
        bills = _agenda_bills(item.get("related_entities"))
        rows += [{**base, **bill} for bill in bills] or [base]
    return rows


def _order(item: dict[str, Any]) -> int:
    order = _str(item.get("order"))
    return int(order) if order and order.isdigit() else 1 << 30  # unnumbered items keep their place, last


def _sequence(order: Any, position: int) -> int:
    text = _str(order)
    return int(text) if text and text.isdigit() else position


def _agenda_bills(entities: Any) -> list[dict[str, Any]]:
    """The bills an agenda item names: ``{bill_source_key, bill_identifier, session_identifier}`` each."""
    found: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for entity in entities or []:
        if not isinstance(entity, dict) or entity.get("entity_type") != "bill":
            continue
        bill = entity.get("bill") if isinstance(entity.get("bill"), dict) else {}
        ocd_id = _str(bill.get("id"))
        normalized = states.normalize_identifier(_str(bill.get("identifier")) or _str(entity.get("name")) or "")
        link = {"bill_source_key": ocd_id if ocd_id and ocd_id.startswith("ocd-bill/") else None,
                # No bill has a longer identifier (BillRecord's limit): a longer one cannot link, so it is dropped.
                "bill_identifier": normalized[0] if normalized and len(normalized[0]) <= 64 else None,
                "session_identifier": states.session_from_openstates(_str(bill.get("session")) or "") or None}
        if link["bill_source_key"] or link["bill_identifier"]:
            found.setdefault((link["bill_source_key"], link["bill_identifier"]), link)
    return list(found.values())
