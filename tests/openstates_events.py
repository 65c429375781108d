"""Open States API v3 events for the tests, written from the published Open States API v3 Event schema (OpenAPI
2021.11.12: Event, EventAgendaItem, EventRelatedEntity, EventParticipant, EventDocument): no public sample of an
``/events`` response exists in realdata. ``JUDICIARY`` is one full committee hearing of Alabama's House, its
agenda naming HB 100 (by ``HB100_OCD``) and an unknown HB 9999; ``event`` varies it.
"""

import copy
from typing import Any

AL = {"id": "ocd-jurisdiction/country:us/state:al/government", "name": "Alabama", "classification": "state"}
HB100_OCD = "ocd-bill/7e1c6bd2-0000-4000-8000-000000000100"

JUDICIARY = {
    "id": "ocd-event/5a1f7e0c-0000-4000-8000-000000000001",
    "name": "House Judiciary",
    "jurisdiction": AL,
    "description": "Public hearing on bills referred to the committee.",
    "classification": "committee-meeting",
    "start_date": "2026-03-04T09:30:00-06:00",
    "end_date": "2026-03-04T11:00:00-06:00",
    "all_day": False,
    "status": "confirmed",
    "upstream_id": "1234",
    "deleted": False,
    "location": {"name": "State House, Room 200", "url": ""},
    "links": [{"url": "javascript:alert(1)", "note": "bad"},
              {"url": "https://alison.legislature.state.al.us/meetings/1234", "note": "Meeting page"}],
    "sources": [{"url": "https://alison.legislature.state.al.us/todays-schedule", "note": ""}],
    "media": [],
    "documents": [{"note": "Minutes", "date": "2026-03-05", "classification": "minutes",
                   "links": [{"url": "https://alison.legislature.state.al.us/minutes.pdf"}]},
                  {"note": "Committee Agenda", "date": "2026-03-01", "classification": "agenda",
                   "links": [{"url": "file:///etc/passwd"},
                             {"url": "https://alison.legislature.state.al.us/agenda-1234.pdf"}]}],
    "participants": [
        {"note": "chair", "name": "Rep. Simpson", "entity_type": "person", "person": {"id": "ocd-person/1"}},
        {"note": "participant", "name": "House Ways and Means", "entity_type": "organization",
         "organization": {"id": "ocd-organization/2", "name": "House Ways and Means", "classification": "committee"}},
        {"note": "host", "name": "", "entity_type": "organization",
         "organization": {"id": "ocd-organization/3", "name": "House Judiciary Committee",
                          "classification": "committee"}},
    ],
    "agenda": [
        {"description": "HB 100 and HB 9999, heard together", "classification": ["bill"], "order": 2, "subjects": [],
         "notes": ["Public hearing", "Vote expected"], "extras": {}, "media": [],
         "related_entities": [
             {"note": "consideration", "name": "HB100", "entity_type": "bill",
              "bill": {"id": HB100_OCD, "session": "2025rs", "identifier": "HB 100", "title": "Elections"}},
             {"note": "consideration", "name": "HB 9999", "entity_type": "bill", "bill": None},
             {"note": "consideration", "name": "HB100", "entity_type": "bill",  # named twice: one row
              "bill": {"id": HB100_OCD, "session": "2025rs", "identifier": "HB 100", "title": "Elections"}},
             {"note": "sponsor", "name": "Rep. Simpson", "entity_type": "person", "person": {"id": "ocd-person/1"}},
         ]},
        {"description": "Call to order", "classification": [], "order": 1, "subjects": [], "notes": [],
         "extras": {}, "media": [], "related_entities": []},
    ],
}


def event(**changes: Any) -> dict[str, Any]:
    """A copy of JUDICIARY with ``changes``."""
    return {**copy.deepcopy(JUDICIARY), **changes}
