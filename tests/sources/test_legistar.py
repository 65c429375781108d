"""Legistar parser on the real Chicago ``MatterHistory`` JSON (legistar/chicago) and on matter, sponsor,
attachment and event records written for this test from the Web API's published fields (FORMATS.md section 6;
no real /matters or /events JSON exists in realdata)."""

import json

import pytest
from realdata_paths import require_realdata

from tracker.models.enums import Stage
from tracker.records import HearingRecord, ParseError
from tracker.shown_actions import shown_actions
from tracker.sources.legistar import client_jurisdiction, parse_events, parse_list, parse_matter

MATTER = {"MatterId": 100, "MatterFile": "O2013-1234", "MatterName": "Card payments",
          "MatterTitle": "Amendment of Municipal Code regarding card payments", "MatterTypeName": "Ordinance",
          "MatterStatusName": "Passed", "MatterIntroDate": "2013-03-13T00:00:00",
          "MatterLastModifiedUtc": "2014-05-24T04:10:20.03"}


@pytest.mark.realdata
def test_real_histories_deduplicated() -> None:
    path = require_realdata("legistar", "chicago", "dupe_event.json")
    histories = parse_list(path.read_bytes(), str(path))
    record = parse_matter(MATTER, {"histories": histories + histories}, client="chicago", locator=str(path))
    assert record.jurisdiction.id == "us-il-chicago" and record.jurisdiction.level == "local"
    assert record.session.identifier == "2013" and record.identifier == "O2013-1234"
    assert len(record.actions) == len(histories)  # repeated records counted once
    assert record.actions[0].text.startswith("Referred")
    assert "referral-committee" in record.actions[0].classification
    assert record.source_key == "chicago/100"
    assert record.source_urls == ["https://webapi.legistar.com/v1/chicago/matters/100"]  # no MatterGuid given


@pytest.mark.realdata
def test_real_histories_read_each_action_once() -> None:
    # Chicago's real history names the action and repeats it at the start of its text ("Recommended to Pass" and
    # "Recommended to Pass  BY VOICE VOTE"): the bill page, the overview and the digests read "Recommended to Pass
    # Recommended to Pass  BY VOICE VOTE". A text that says the action in its own words stays whole.
    path = require_realdata("legistar", "chicago", "dupe_event.json")
    record = parse_matter(MATTER, {"histories": parse_list(path.read_bytes(), str(path))}, client="chicago",
                          locator=str(path))
    # The minutes' record of the passage is Legistar's template with no mover named: "On motion of , the Ordinance
    # was Passed" was the latest action on the bill page, in packets and digests. It says the action's name and
    # nothing more: read as "Passed", the agenda's and the minutes' records of that day are one line.
    assert [a.text for a in record.actions] == ["Referred", "Recommended to Pass BY VOICE VOTE", "Passed", "Passed"]
    assert record.latest_action_text == "Passed"
    assert [a["text"] for a in shown_actions(a.model_dump() for a in record.actions)] == [
        "Referred", "Recommended to Pass BY VOICE VOTE", "Passed"]
    assert [a.classification for a in record.actions][1:3] == [["committee-passage-favorable"], ["passage"]]
    # The template with a mover named keeps the mover, and drops only a blank seconder (a SAMPLE in the same
    # wording, with a name as the Web API's MatterHistoryMoverName carries one).
    named = {**parse_list(path.read_bytes(), str(path))[-1],
             "MatterHistoryActionText": "On motion of Alderman Burke, seconded by , the Ordinance was Passed"}
    assert [a.text for a in parse_matter(MATTER, {"histories": [named]}, client="chicago", locator="m").actions] == [
        "On motion of Alderman Burke, the Ordinance was Passed"]
    # A SAMPLE written from the Web API's published history fields (FORMATS.md section 6), in NYC's wording: a text
    # that does not repeat the action's name is kept beside it.
    other = [{"MatterHistoryId": 1, "MatterHistoryActionDate": "2017-11-30T00:00:00",
              "MatterHistoryActionName": "Referred to Comm by Council",
              "MatterHistoryActionText": "This Introduction was Referred to the Committee on Transportation"}]
    assert [a.text for a in parse_matter(MATTER, {"histories": other}, client="nyc", locator="m").actions] == [
        "Referred to Comm by Council: This Introduction was Referred to the Committee on Transportation"]


def test_source_link_is_the_matters_web_page() -> None:
    # The bill page links the first source URL; the Web API's answers raw JSON. The page's
    # address is the one the real Chicago Legislation grid links (legistar/chicago/bills.html).
    record = parse_matter({**MATTER, "MatterId": 3779732, "MatterGuid": "4020F13A-6774-4D71-92E2-6E63DC0654EB"}, {},
                          client="chicago", locator="m")
    assert record.source_urls == [
        "https://chicago.legistar.com/LegislationDetail.aspx?ID=3779732&GUID=4020F13A-6774-4D71-92E2-6E63DC0654EB",
        "https://webapi.legistar.com/v1/chicago/matters/3779732"]


def test_matter_parts_and_stage() -> None:
    histories = [
        {"MatterHistoryId": 1, "MatterHistoryActionDate": "2026-01-05T00:00:00",
         "MatterHistoryActionName": "Introduced", "MatterHistoryActionBodyName": "Board of Supervisors"},
        {"MatterHistoryId": 2, "MatterHistoryActionDate": "2026-01-20T00:00:00",
         "MatterHistoryActionName": "Adopted", "MatterHistoryPassedFlag": 1,
         "MatterHistoryActionBodyName": "Board of Supervisors"},
    ]
    sponsors = [{"MatterSponsorName": "Hilda Solis", "MatterSponsorNameId": 7, "MatterSponsorSequence": 1},
                {"MatterSponsorName": "Lindsey Horvath", "MatterSponsorNameId": 8, "MatterSponsorSequence": 2}]
    attachments = [{"MatterAttachmentName": "Motion", "MatterAttachmentHyperlink": "https://x.test/a.pdf"}]
    record = parse_matter({**MATTER, "MatterFile": "26-0043", "MatterIntroDate": "2026-01-05T00:00:00"},
                          {"histories": histories, "sponsors": sponsors, "attachments": attachments},
                          client="LACounty", locator="m")
    assert record.jurisdiction.id == "us-ca-los-angeles-county"
    assert record.stage == Stage.passed_both_chambers  # a one-chamber board adopted it
    assert [s.kind for s in record.sponsorships] == ["primary", "cosponsor"]
    assert record.versions[0].url == "https://x.test/a.pdf" and record.versions[0].format == "pdf"
    failed = [{**histories[1], "MatterHistoryPassedFlag": 0}]
    lost = {**MATTER, "MatterStatusName": "Failed to Pass"}  # the clerk's status follows the vote
    assert parse_matter(lost, {"histories": failed}, client="chicago", locator="m").stage == Stage.failed


def test_events_become_hearings() -> None:
    events = [{"EventId": 5, "EventBodyName": "Transportation Committee", "EventDate": "2026-12-01T00:00:00",
               "EventTime": "9:30 AM", "EventLocation": "Room 381B", "EventAgendaFile": "https://x.test/ag.pdf",
               "EventAgendaStatusName": "Final"},
              {"EventId": 6, "EventDate": None}]
    items = {5: [{"EventItemAgendaSequence": 1, "EventItemMatterId": 100, "EventItemMatterFile": "O2013-1234",
                  "EventItemTitle": "Card payments"}]}
    good, bad = parse_events(events, items, client="chicago", locator="events")
    assert isinstance(good, HearingRecord) and isinstance(bad, ParseError)
    assert good.source_key == "chicago/5" and good.date.isoformat() == "2026-12-01"
    assert good.items[0].bill_source_key == "chicago/100" and not good.cancelled
    assert "event/6" in bad.locator


def test_errors() -> None:
    with pytest.raises(ParseError, match="API error: Invalid filter"):
        parse_list(json.dumps({"Message": "Invalid filter"}).encode(), "u")
    with pytest.raises(ValueError, match="unknown Legistar client"):
        client_jurisdiction("nowhere")
    with pytest.raises(ParseError) as caught:
        parse_matter({"MatterId": 1}, {}, client="chicago", locator="m")
    assert caught.value.reason == "matter 1: missing MatterFile"  # not "unexpected structure: ParseError: m: ..."
    # A field of the wrong type is no text: the matter was stored with the title "{'en': 'Card payments'}".
    with pytest.raises(ParseError) as caught:
        parse_matter({**MATTER, "MatterTitle": {"en": "Card payments"}, "MatterName": None}, {}, client="chicago",
                     locator="m")
    assert caught.value.reason == "matter 100: missing MatterTitle"


def _history(n: int, day: str, name: str, body: str, passed: int | None = None) -> dict[str, object]:
    return {"MatterHistoryId": n, "MatterHistoryActionDate": f"{day}T00:00:00", "MatterHistoryActionName": name,
            "MatterHistoryActionBodyName": body, "MatterHistoryPassedFlag": passed}


# Matters from the real NYC Legislation grid (legistar/nyc/bills.html: file, type, status, title); their histories
# are spelled in NYC's action vocabulary (python-legistar-scraper's NYC scraper lists the names), as no real NYC
# MatterHistory JSON is in realdata.
NYC_FILED = {"MatterId": 1, "MatterFile": "Int 1765-2017", "MatterTypeName": "Introduction",
             "MatterStatusName": "Filed (End of Session)", "MatterIntroDate": "2017-11-30T00:00:00",
             "MatterTitle": "A Local Law in relation to requiring the Department of Transportation to implement "
                            "transit signal priority on at least 10 bus routes per year for the next 4 years"}
NYC_RESOLUTION = {"MatterId": 2, "MatterFile": "Res 0377-2018", "MatterTypeName": "Resolution",
                  "MatterStatusName": "Adopted", "MatterIntroDate": "2018-06-07T00:00:00",
                  "MatterTitle": "Resolution calling upon the Governor and the Metropolitan Transportation Authority "
                                 "to commit to an expeditious transition to an electric bus fleet"}


def test_nyc_committee_approval_is_not_the_councils_passage() -> None:
    council, committee = "City Council", "Committee on Transportation"
    approved = [_history(1, "2017-11-30", "Introduced by Council", council),
                _history(2, "2017-11-30", "Referred to Comm by Council", council),
                _history(3, "2017-12-11", "Approved by Committee", committee, 1)]
    # Each step with the status the clerk gives it then (the grid's is the last one's, "Filed (End of Session)").
    record = parse_matter({**NYC_FILED, "MatterStatusName": "Committee"}, {"histories": approved}, client="nyc",
                          locator="m")
    assert record.actions[-1].classification == ["committee-passage-favorable"]
    assert record.stage == Stage.in_committee  # it read as passed by the council, waiting for the mayor

    filed = approved[:2] + [_history(3, "2017-12-31", "Filed (End of Session)", council)]
    record = parse_matter(NYC_FILED, {"histories": filed}, client="nyc", locator="m")
    assert record.actions[-1].classification == ["failure"]  # it read as an introduction
    assert record.stage == Stage.failed

    law = approved + [_history(4, "2018-01-10", "Approved by Council", council, 1),
                      _history(5, "2018-01-11", "Sent to Mayor by Council", council),
                      _history(6, "2018-01-20", "Signed Into Law by Mayor", "Mayor")]
    record = parse_matter({**NYC_FILED, "MatterStatusName": "Enacted"}, {"histories": law}, client="nyc",
                          locator="m")
    assert [a.classification for a in record.actions[3:]] == [["passage"], ["executive-receipt"],
                                                              ["executive-signature"]]
    assert record.stage == Stage.enacted  # without a MatterEnactmentNumber too


@pytest.mark.realdata
def test_an_adopted_resolution_is_final() -> None:
    # Chicago's real history ("Referred", "Recommended to Pass", "Passed") on a resolution, and NYC's adoption.
    path = require_realdata("legistar", "chicago", "no_dupe_event.json")
    histories = parse_list(path.read_bytes(), str(path))
    chicago = {**MATTER, "MatterFile": "R2018-1177", "MatterTypeName": "Resolution", "MatterStatusName": "Adopted",
               "MatterTitle": "Tribute to late Warner Saunders"}
    assert parse_matter(chicago, {"histories": histories}, client="chicago", locator="m").stage == Stage.enacted
    assert parse_matter(MATTER, {"histories": histories}, client="chicago", locator="m").stage \
        == Stage.passed_both_chambers  # an ordinance waits for the mayor
    adopted = [_history(1, "2018-06-07", "Introduced by Council", "City Council"),
               _history(2, "2018-08-08", "Approved, by Council", "City Council", 1)]
    record = parse_matter(NYC_RESOLUTION, {"histories": adopted}, client="nyc", locator="m")
    assert record.stage == Stage.enacted


def _calendar_grid(path) -> list[dict[str, str]]:  # noqa: ANN001
    """The meetings of a real Legistar Calendar.aspx grid (its scheduler's JSON: start and attributes)."""
    import re

    html = path.read_text(encoding="utf-8", errors="replace")
    meetings = []
    for m in re.finditer(r'\\"start\\":\\"([^\\]+)\\",\\"end\\":\\"[^\\]+\\",\\"attributes\\":\{(.*?)\}', html):
        meetings.append({"start": m.group(1), **dict(re.findall(r'\\"(\w+)\\":\\"([^\\]*)\\"', m.group(2)))})
    return meetings


@pytest.mark.realdata
def test_a_deferred_meeting_is_not_upcoming() -> None:
    # New York City's real calendar (legistar/nyc/events.html) holds two committee meetings of 2019-01-10 whose
    # agenda status is "Deferred": postponed, each held on a later day as a new meeting (Housing and Buildings on
    # the 14th, Consumer Affairs on the 17th). They were stored as hearings going ahead, so the overview listed
    # both days. The grid's fields are the Web API's event fields (MeetingAgendaStatus: EventAgendaStatusName).
    meetings = _calendar_grid(require_realdata("legistar", "nyc", "events.html"))
    assert len(meetings) == 40
    events = [{"EventId": int(m["MeetingID"]), "EventBodyName": m["BodyName"],
               "EventDate": m["start"][:10].replace("/", "-") + "T00:00:00", "EventLocation": m["MeetingLocation"],
               "EventAgendaStatusName": m["MeetingAgendaStatus"]} for m in meetings]
    hearings = parse_events(events, {}, client="nyc", locator="events")
    off = {(h.body, h.date.isoformat()) for h in hearings if isinstance(h, HearingRecord) and h.cancelled}
    assert off == {("Committee on Consumer Affairs and Business Licensing", "2019-01-10"),
                   ("Committee on Housing and Buildings", "2019-01-10")}
    assert {h.status for h in hearings if isinstance(h, HearingRecord) and h.cancelled} == {"Deferred"}


def _grid(client: str):  # noqa: ANN202
    from legistar_grids import grid_matters

    return grid_matters(require_realdata("legistar", client, "bills.html"))


@pytest.mark.realdata
def test_the_citys_status_bounds_the_stage() -> None:
    # The real Legislation grids of Chicago and New York City (legistar/{chicago,nyc}/bills.html): the clerk's
    # status of each matter, the headline of Legistar's own matter page, with the stage the tracker showed. A
    # history the rules do not read (Chicago's "Placed on File", or none yet) left dead and passed matters at
    # "Introduced": the packet read "Introduced (Filed (End of Session))" and "Introduced (Passed)".
    shown: dict[tuple[str, str, str], int] = {}
    for client in ("chicago", "nyc"):
        for matter, parts in _grid(client):
            # The grid shows no stamp; NYC's shows no date either (its pages were saved in January 2019).
            record = parse_matter({"MatterLastModifiedUtc": "2019-01-15T00:00:00", **matter}, parts, client=client,
                                  locator="grid")
            key = (matter["MatterTypeName"], matter["MatterStatusName"], str(record.stage))
            shown[key] = shown.get(key, 0) + 1
    assert shown == {
        ("Ordinance", "Passed", "passed_both_chambers"): 62,  # waits for the mayor ("Passed the council")
        ("Order", "Passed", "passed_both_chambers"): 1,
        ("Resolution", "Adopted", "enacted"): 8 + 3,  # a resolution's adoption is final
        ("Ordinance", "Introduced", "introduced"): 18,
        ("Resolution", "Introduced", "introduced"): 2,
        ("Resolution", "Deferred and Published", "introduced"): 3,  # still pending: no bound
        # A report or communication placed on file was received: no failure, nothing to pass.
        ("Report", "Placed on File", "introduced"): 4,
        ("Communication", "Placed on File", "introduced"): 2,
        ("Introduction", "Committee", "in_committee"): 25,
        ("Resolution", "Committee", "in_committee"): 23,
        ("Introduction", "Laid Over in Committee", "in_committee"): 13,
        ("Resolution", "Laid Over in Committee", "in_committee"): 1,
        ("Introduction", "Filed (End of Session)", "failed"): 19,
        ("Resolution", "Filed (End of Session)", "failed"): 8,
        ("Introduction", "Enacted", "enacted"): 8,
    }


@pytest.mark.realdata
def test_a_history_further_on_than_the_status_keeps_its_stage() -> None:
    # Chicago's real history ends "Passed"; a status that lags behind ("Introduced") does not undo the passage.
    # Its first two records ("Referred", "Recommended to Pass") with the status "Placed on File": the council
    # filed the ordinance, which ends it.
    path = require_realdata("legistar", "chicago", "dupe_event.json")
    histories = parse_list(path.read_bytes(), str(path))
    lagging = {**MATTER, "MatterStatusName": "Introduced"}
    assert parse_matter(lagging, {"histories": histories}, client="chicago", locator="m").stage \
        == Stage.passed_both_chambers
    filed = {**MATTER, "MatterStatusName": "Placed on File"}
    assert parse_matter(lagging, {"histories": histories[:2]}, client="chicago", locator="m").stage \
        == Stage.in_committee
    assert parse_matter(filed, {"histories": histories[:2]}, client="chicago", locator="m").stage == Stage.failed


@pytest.mark.realdata
def test_the_committee_in_control_is_a_committee_of_the_matter() -> None:
    # New York City's real grid names the committee that holds each matter (the Web API's MatterBodyName,
    # "In control" on Legistar's matter page). Without a history naming it, the bill page, `bills show` and the
    # packet said "Committees: None recorded in the tracker" for Int 1299-2018, laid over in the Committee on
    # For-Hire Vehicles, and `export --committee` could not pick it.
    committees = {}
    for matter, parts in _grid("nyc"):
        record = parse_matter({"MatterLastModifiedUtc": "2019-01-15T00:00:00", **matter}, parts, client="nyc",
                              locator="grid")
        committees[record.identifier] = [c.name for c in record.committees]
    assert len(committees) == 100 and all(len(names) == 1 for names in committees.values())
    assert committees["Int 1299-2018"] == ["Committee on For-Hire Vehicles"]
    assert committees["Res 0640-2018"] == ["Committee on Education"]
    # A body that is no committee (the council itself) is no referral; one a history names already is not doubled.
    path = require_realdata("legistar", "chicago", "dupe_event.json")
    histories = parse_list(path.read_bytes(), str(path))
    council = parse_matter({**MATTER, "MatterBodyName": "City Council"}, {}, client="chicago", locator="m")
    assert council.committees == []
    held = parse_matter({**MATTER, "MatterBodyName": "Committee on Zoning, Landmarks and Building Standards"},
                        {"histories": histories}, client="chicago", locator="m")
    assert [c.name for c in held.committees] == ["Committee on Zoning, Landmarks and Building Standards"]
