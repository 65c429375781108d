"""Legistar Web API (https://webapi.legistar.com/v1/{client}) -> ``BillRecord`` and ``HearingRecord``.

City councils and county boards publish matters (ordinances, resolutions, motions...) with per-matter
``/histories``, ``/sponsors`` and ``/attachments``, and ``/events`` (meetings) with ``/eventitems`` (the agenda,
items pointing at matters by ``EventItemMatterId``). Lists are bare JSON arrays capped at 1,000 items.

A matter becomes one bill of a local jurisdiction (``CLIENTS``: the client name -> ``us-ca-los-angeles-county``
etc.), identified by its ``MatterFile`` (``26-0043``), in the session of the year it was introduced (councils
have no numbered sessions; the year keeps the key stable), or without an introduction date the year its file
number carries (``Int 1299-2018``), its last change's only when it carries none. Source key: ``{client}/{MatterId}``.

Stage rules are data (``LEGISTAR_RULES``, on ``MatterHistoryActionName``). A council is one chamber, so its
passage is the legislature's passage: ``passed_both_chambers`` in the shared stage vocabulary, before the
mayor's or executive's signature; a resolution's adoption is final (``enacted``). A committee's approval is a
committee report, and a council's filing of a bill (NYC's "Filed (End of Session)") ends it (``failed``).
"""

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from tracker.file_numbers import file_number, file_year
from tracker.models.enums import STAGE_OUTCOMES, STAGE_PROGRESS, Chamber, SponsorshipKind, Stage
from tracker.records import BillRecord, HearingRecord, ParseError
from tracker.sources import states
from tracker.sources.govinfo_billstatus import _describe
from tracker.sources.json_doc import json_text as _str
from tracker.sources.json_doc import load_body, validated
from tracker.stages import ActionRule, Step, classify, derive_stage

__all__ = ["CLIENTS", "LEGISTAR_RULES", "SOURCE_NAME", "client_jurisdiction", "parse_events", "parse_list",
           "parse_matter"]

SOURCE_NAME = "legistar"
# Bump it with any change that reads the same bytes into a different bill: stored bills an older
# version read are then named, with what reads them again (tracker.sources.reading).
# Covers json_doc. 2: an action's text no longer repeats its name (``_action_text``). 3: the clerk's status
# bounds the stage (``_status_stage``). 4: the committee in control is one of the matter's committees. 5: the
# number is the file's serial ("1299" of "Int 1299-2018"), which search finds. 6: a matter without an introduction
# date is in its file number's year, not its last change's. 7: a template's blank mover or seconder dropped ("On
# motion of , the Ordinance was Passed" is "Passed").
READING_VERSION = 7
# client -> (state, place slug, name). LA County's client is confirmed (FORMATS.md section 6); "lacity" is kept
# for completeness although no City of Los Angeles tenant is confirmed.
CLIENTS: dict[str, tuple[str, str, str]] = {
    "lacounty": ("ca", "los-angeles-county", "Los Angeles County Board of Supervisors"),
    "metro": ("ca", "los-angeles-metro", "Los Angeles County Metropolitan Transportation Authority"),
    "lacity": ("ca", "los-angeles", "City of Los Angeles"),
    "chicago": ("il", "chicago", "City of Chicago"),
    "nyc": ("ny", "new-york-city", "New York City Council"),
    "seattle": ("wa", "seattle", "City of Seattle"),
    "sfgov": ("ca", "san-francisco", "City and County of San Francisco"),
}
# Checked against Chicago's real histories ("Referred", "Recommended to Pass", "Passed") and New York City's action
# names ("Approved by Committee", "Approved by Council", "Signed Into Law by Mayor", "Filed (End of Session)"...,
# as python-legistar-scraper's NYC scraper lists them). A committee's approval is not the council's passage, and a
# council's filing of a bill ends it: NYC files every bill not passed at the end of a session.
_COMMITTEE = r"(?:sub)?comm(?:ittee)?\b"
LEGISTAR_RULES: tuple[ActionRule, ...] = (
    ActionRule("introduction", pattern=r"^(?:introduced|presented|direct introduction)\b"
               r"|^filed\b(?!.*\b(?:by (?:the )?(?:council|committee|subcommittee|clerk)|end of session)\b)"),
    ActionRule("referral-committee", pattern=r"\breferred\b|\bre-referred\b|\bassigned to\b"),
    ActionRule("committee-passage-favorable",
               pattern=r"\brecommend(?:ed)? (?:for )?(?:approval|passage|adoption|to pass)"
               r"|\breported (?:out )?favorably\b|\bdo pass\b"
               rf"|^(?:p-c item )?approved,? by (?:the )?{_COMMITTEE}"),
    ActionRule("committee-passage-unfavorable",
               pattern=rf"\bdo not pass\b|^(?:p-c item )?disapproved,? by (?:the )?{_COMMITTEE}"),
    ActionRule("passage",
               pattern=rf"^(?:passed|adopted|approved|carried)\b(?!,? by (?:the )?(?:mayor\b|{_COMMITTEE}))"),
    ActionRule("failure",
               pattern=r"^(?:failed|failed to pass|defeated|not adopted)\b|^disapproved,? by (?:the )?council\b"
               r"|^filed\b.*\b(?:by (?:the )?(?:council|committee|subcommittee|clerk)|end of session)\b|\bsine die\b"),
    ActionRule("withdrawal", pattern=r"^withdrawn\b"),
    ActionRule("executive-receipt", pattern=r"\bsent to (?:the )?mayor\b"),
    ActionRule("executive-signature",
               pattern=r"\bsigned (?:into law )?by (?:the )?mayor\b|\bapproved by (?:the )?mayor\b"),
    ActionRule("executive-veto", pattern=r"\bvetoed\b"),
)


def client_jurisdiction(client: str, *, state: str | None = None, place: str | None = None,
                        name: str | None = None) -> dict[str, Any]:
    """The local jurisdiction of a Legistar client; an unknown client needs state, place and name."""
    known = CLIENTS.get(client.lower())
    if known is None and not (state and place):
        raise ValueError(f"unknown Legistar client {client!r}: give its state and place")
    st, slug, label = known or (state or "", place or "", name or client)
    return states.local_jurisdiction(st, slug, name or label)


def parse_list(data: bytes, locator: str) -> list[dict[str, Any]]:
    """A list endpoint's bare JSON array (errors come back as ``{"Message": ...}``)."""
    doc = load_body(data, locator)
    if isinstance(doc, dict):
        if "Message" in doc and len(doc) <= 2:
            raise ParseError(locator, f"API error: {doc['Message']}")
        return [doc]
    if not isinstance(doc, list):
        raise ParseError(locator, f"expected a JSON array, got {type(doc).__name__}")
    return [item for item in doc if isinstance(item, dict)]


def _day(value: Any) -> str | None:
    text = _str(value)
    return text[:10] if text and not text.startswith("0001") else None


# Legistar's action text is a template ("On motion of [mover], seconded by [seconder], the [type] was [action]")
# whose names a clerk often leaves blank: Chicago's real minutes read "On motion of , the Ordinance was Passed".
_BLANK_CLAUSE = re.compile(r"\b(?:on motion of|seconded by)\s*,\s*", re.IGNORECASE)
# What is left may only restate the action ("the Ordinance was Passed" of "Passed"): the name says it.
_RESTATED = r"the [\w /-]{1,40}? (?:was|were) "


def _action_text(name: str | None, text: str | None) -> str:
    """One history record's action as people read it. The text often repeats the action's name (Chicago's real
    "Recommended to Pass" / "Recommended to Pass  BY VOICE VOTE"): a text that holds the name is read alone, one
    that does not ("This Introduction was Referred to the Committee on ...") follows the name. A template's blank
    mover or seconder is dropped, and a text that then only restates the action is the action's name: "On motion
    of , the Ordinance was Passed" reads "Passed", as the agenda's record of that day does."""
    name, text = " ".join((name or "").split()), " ".join((text or "").split())
    if (cleaned := _BLANK_CLAUSE.sub("", text)) != text:
        if name and re.fullmatch(_RESTATED + re.escape(name) + r"\.?", cleaned, re.IGNORECASE):
            return name
        text = cleaned[:1].upper() + cleaned[1:]
    if not text:
        return name
    if not name or re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE):
        return text
    return f"{name}: {text}"


def parse_matter(matter: dict[str, Any], parts: Mapping[str, list[dict[str, Any]]], *, client: str,
                 locator: str, jurisdiction: dict[str, Any] | None = None) -> BillRecord:
    """A ``/matters`` item plus its ``histories``, ``sponsors`` and ``attachments`` lists."""
    return validated(BillRecord, lambda: _payload(matter, parts, client, locator, jurisdiction), locator)


def _payload(matter: dict[str, Any], parts: Mapping[str, list[dict[str, Any]]], client: str, locator: str,
             jurisdiction: dict[str, Any] | None) -> dict[str, Any]:
    matter_id = _str(matter.get("MatterId"))
    if not matter_id:
        raise ParseError(locator, "missing MatterId")
    file = _str(matter.get("MatterFile")) or _str(matter.get("MatterName"))
    if not file:
        raise ParseError(locator, f"matter {matter_id}: missing MatterFile")
    title = _str(matter.get("MatterTitle")) or _str(matter.get("MatterName"))
    if not title:
        raise ParseError(locator, f"matter {matter_id}: missing MatterTitle")
    introduced = _day(matter.get("MatterIntroDate")) or _day(matter.get("MatterAgendaDate"))
    # Without an introduction date, the year the file number carries (New York City's "Int 1299-2018"), before the
    # year of the last change: a 2015 resolution filed at the end of its session in 2017 is not a 2019 matter.
    year = (introduced or file_year(file) or _day(matter.get("MatterLastModifiedUtc")) or "")[:4]
    if not year.isdigit():
        raise ParseError(locator, f"matter {matter_id}: no MatterIntroDate to place it in a year")
    matter_type = _str(matter.get("MatterTypeName")) or "Matter"

    actions = []
    histories = sorted(parts.get("histories", []),
                       key=lambda h: (_day(h.get("MatterHistoryActionDate")) or "", h.get("MatterHistoryId") or 0))
    seen: set[Any] = set()
    for item in histories:
        if item.get("MatterHistoryId") in seen:  # pages can repeat records (python-legistar-scraper dedupes)
            continue
        seen.add(item.get("MatterHistoryId"))
        name = _str(item.get("MatterHistoryActionName"))
        text = _action_text(name, _str(item.get("MatterHistoryActionText")))
        if not text:
            continue
        classes = classify(None, name or text, LEGISTAR_RULES)
        if "passage" in classes and item.get("MatterHistoryPassedFlag") == 0:
            classes = [c for c in classes if c != "passage"] + ["failure"]
        body = _str(item.get("MatterHistoryActionBodyName"))
        actions.append({"date": _day(item.get("MatterHistoryActionDate")), "text": text,
                        "actor": Chamber.executive if "executive" in " ".join(classes) else Chamber.legislature,
                        "action_code": _str(item.get("MatterHistoryActionId")),
                        "classification": classes,
                        "committees": [body] if body and re.search(r"committee", body, re.IGNORECASE) else []})
    # A resolution is the council's alone: its adoption is final (``enacted``, as for a simple resolution), not a
    # passage waiting for the mayor.
    kind = "resolution" if re.search(r"\bresolution\b", matter_type, re.IGNORECASE) else "bill"
    stage = derive_stage((Step(a["actor"], a["classification"]) for a in actions), Chamber.legislature, kind)
    if stage == Stage.passed_origin_chamber:
        stage = Stage.passed_both_chambers  # one chamber is the whole legislature
    stage = _bounded_by_status(stage, _str(matter.get("MatterStatusName")), kind, matter_type)
    if _day(matter.get("MatterEnactmentDate")) or _str(matter.get("MatterEnactmentNumber")):
        stage = Stage.enacted

    sponsors = []
    for item in sorted(parts.get("sponsors", []), key=lambda s: s.get("MatterSponsorSequence") or 0):
        name = _str(item.get("MatterSponsorName"))
        if name:
            sponsors.append({"name": name, "person_id": _str(item.get("MatterSponsorNameId")),
                             "kind": SponsorshipKind.primary if (item.get("MatterSponsorSequence") or 0) <= 1
                             and not sponsors else SponsorshipKind.cosponsor})
    versions = []
    for item in parts.get("attachments", []):
        url = _str(item.get("MatterAttachmentHyperlink"))
        if url:
            name = _str(item.get("MatterAttachmentName")) or _str(item.get("MatterAttachmentFileName")) or "Attachment"
            versions.append({"label": name, "url": url, "format": (url.rsplit(".", 1)[-1].lower()[:16]
                                                                   if "." in url.rsplit("/", 1)[-1] else None),
                             "code": _str(item.get("MatterAttachmentMatterVersion"))})
    latest = actions[-1] if actions else None
    # The serial, without the year or zeros ("1299" of "Int 1299-2018", "9628" of "O2018-9628"): what staff type
    # ("Int 1299", "1299") and search looks up (tracker.queries.find_numbered).
    filed = file_number(file)
    number = filed.serial if filed is not None else file
    return {
        "jurisdiction": jurisdiction or client_jurisdiction(client),
        "session": {"identifier": year, "name": year},
        "identifier": file[:64],
        "bill_type": matter_type[:32],
        "number": number[:32],
        "classification": matter_type.lower()[:32],  # LA Metro's "Federal Legislation / State Legislation (Position)"
        "origin_chamber": Chamber.legislature,
        "title": title,
        "short_title": _str(matter.get("MatterName")) if _str(matter.get("MatterName")) != title else None,
        "status_text": _str(matter.get("MatterStatusName")),
        "stage": stage,
        "introduced_date": introduced,
        "latest_action_date": latest["date"] if latest else None,
        "latest_action_text": latest["text"] if latest else None,
        "upstream_updated_at": _str(matter.get("MatterLastModifiedUtc")),
        "source_name": SOURCE_NAME,
        "source_key": f"{client.lower()}/{matter_id}",
        "source_urls": [*_web_page(client, matter_id, matter),
                        f"https://webapi.legistar.com/v1/{client.lower()}/matters/{matter_id}"],
        "actions": actions,
        "sponsorships": sponsors,
        "committees": [{"name": n} for n in dict.fromkeys([*(c for a in actions for c in a["committees"]),
                                                           *_in_control(matter)])],
        "versions": versions,
    }


# The clerk's status of a matter (``MatterStatusName``, the first thing Legistar's own matter page says) -> the
# stage it implies, checked against the real Chicago and New York City grids (legistar/*/bills.html). A status
# that says nothing of the matter's progress ("Introduced", "Deferred and Published", LA Metro's "Agenda Ready")
# implies none.
_STATUS_STAGES: tuple[tuple[re.Pattern[str], Stage], ...] = (
    (re.compile(r"^enacted\b|^signed\b", re.I), Stage.enacted),
    (re.compile(r"^vetoed\b", re.I), Stage.vetoed),
    (re.compile(r"^withdrawn\b", re.I), Stage.withdrawn),
    (re.compile(r"^(?:failed|defeated|not adopted)\b|^filed\b|\bplaced on file\b|\bend of session\b", re.I),
     Stage.failed),
    (re.compile(r"^(?:passed|adopted|approved)\b(?!,? by (?:the )?(?:sub)?comm)", re.I), Stage.passed_both_chambers),
    (re.compile(r"\bcommittee\b", re.I), Stage.in_committee),
)
# Matters with nothing to pass: a report or communication "Placed on File" was received, not defeated.
_NOTHING_TO_PASS = re.compile(r"\breport\b|\bcommunication\b|\bpresentation\b", re.I)


def _status_stage(status: str | None, kind: str, matter_type: str) -> Stage | None:
    for pattern, stage in _STATUS_STAGES:
        if status and pattern.search(status):
            if stage == Stage.passed_both_chambers and kind == "resolution":
                return Stage.enacted  # a resolution's adoption is final
            if stage in STAGE_OUTCOMES and _NOTHING_TO_PASS.search(matter_type):
                return None
            return stage
    return None


def _bounded_by_status(stage: Stage, status: str | None, kind: str, matter_type: str) -> Stage:
    """The stage the histories reached, unless the clerk's status says the matter went further or ended: a
    history the rules do not read (Chicago's "Placed on File"), or none listed yet, left dead and passed
    matters at "Introduced", which the packets printed as "Introduced (Filed (End of Session))". A status that
    lags behind its histories (still "Introduced" after a passage) does not take the matter back."""
    said = _status_stage(status, kind, matter_type)
    if said is None or said == stage:
        return stage
    if said in STAGE_OUTCOMES:
        return stage if stage == Stage.enacted else said
    if stage in STAGE_OUTCOMES or STAGE_PROGRESS.index(said) > STAGE_PROGRESS.index(stage):
        return said
    return stage


def _in_control(matter: dict[str, Any]) -> list[str]:
    """The committee that holds the matter (``MatterBodyName``, "In control" on Legistar's matter page), which
    no history may name yet: New York City's grid gives one for each of its 100 matters. The council itself is
    no committee."""
    body = _str(matter.get("MatterBodyName"))
    return [body] if body and re.search(r"committee", body, re.IGNORECASE) else []


def _web_page(client: str, matter_id: str, matter: dict[str, Any]) -> list[str]:
    """The matter's page on the client's Legistar site (``https://chicago.legistar.com/LegislationDetail.aspx``,
    the links of the real Legislation grids of Chicago, LA Metro and NYC), which people can read: the Web API's
    URL answers raw JSON, yet it was the bill page's source link (the first source URL) and the packets' "Bill
    page"."""
    guid = _str(matter.get("MatterGuid"))
    if not guid or not re.fullmatch(r"[A-Za-z0-9-]+", guid) or not re.fullmatch(r"[a-z0-9-]+", client.lower()):
        return []
    return [f"https://{client.lower()}.legistar.com/LegislationDetail.aspx?ID={matter_id}&GUID={guid}"]


# An agenda status that says the meeting will not be held that day: New York City's "Deferred" meetings are
# postponed and held later as new meetings. A comment counts only when it says "cancel": one may well mention an
# item deferred from an earlier meeting.
_CALLED_OFF_STATUS = re.compile(r"cancel|defer|postpon", re.IGNORECASE)


def _called_off(status: str | None, comment: str | None) -> bool:
    return bool(_CALLED_OFF_STATUS.search(status or "") or re.search(r"cancel", comment or "", re.IGNORECASE))


def parse_events(events: list[dict[str, Any]], items: Mapping[int, list[dict[str, Any]]], *, client: str,
                 locator: str, jurisdiction: dict[str, Any] | None = None) -> list[HearingRecord | ParseError]:
    """``/events`` items (with each event's ``/eventitems`` in ``items`` by EventId) -> hearings."""
    out: list[HearingRecord | ParseError] = []
    for event in events:
        event_id = event.get("EventId")
        where = f"{locator}#event/{event_id}"
        try:
            date = _day(event.get("EventDate"))
            if event_id is None or not date:
                raise ParseError(where, "event without EventId or EventDate")
            agenda = []
            for item in sorted(items.get(int(event_id), []), key=lambda i: i.get("EventItemAgendaSequence") or 0):
                matter_id = _str(item.get("EventItemMatterId"))
                agenda.append({
                    "sequence": item.get("EventItemAgendaSequence"),
                    "title": _str(item.get("EventItemTitle")) or _str(item.get("EventItemMatterName")),
                    "action_text": _str(item.get("EventItemActionName")),
                    "bill_source_key": f"{client.lower()}/{matter_id}" if matter_id else None,
                    "bill_identifier": _str(item.get("EventItemMatterFile")),
                })
            status = _str(event.get("EventAgendaStatusName"))
            comment = _str(event.get("EventComment"))
            out.append(HearingRecord.model_validate({
                "jurisdiction": jurisdiction or client_jurisdiction(client),
                "source_name": SOURCE_NAME,
                "source_key": f"{client.lower()}/{event_id}",
                "date": date,
                "time": _str(event.get("EventTime")),
                "body": _str(event.get("EventBodyName")),
                "location": _str(event.get("EventLocation")),
                "description": comment,
                "status": status,
                "cancelled": _called_off(status, comment),
                "url": _str(event.get("EventInSiteURL")),
                "agenda_url": _str(event.get("EventAgendaFile")),
                "upstream_updated_at": _str(event.get("EventLastModifiedUtc")),
                "items": agenda,
            }))
        except ValidationError as exc:
            out.append(ParseError(where, _describe(exc)))
        except ParseError as exc:
            out.append(exc)
    return out
