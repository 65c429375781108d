"""Real matters and meetings of the Legistar web grids in ``TRACKER_REALDATA/legistar`` (Chicago, LA Metro and New
York City's Legislation.aspx and Calendar.aspx pages), read into the Web API's field names (FORMATS.md section 6).

No real ``/matters`` or ``/events`` JSON exists in realdata; the grids are the same records as the city's site
shows them: file number, type, status, dates, sponsor, committee, title, and the matter's ID and GUID in its link.
Fields a grid does not show are left out, never invented.
"""

import html
import re
from pathlib import Path
from typing import Any

_ROW = re.compile(r'<tr class="rg(?:Alt)?Row"[^>]*>(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
_HEADER = re.compile(r'<th[^>]*class="rgHeader[^"]*"[^>]*>(.*?)</th>', re.S)
_DETAIL = re.compile(r"LegislationDetail\.aspx\?ID=(\d+)&amp;GUID=([0-9A-F-]+)")


def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).replace("\xa0", " ").strip()


def _iso(day: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", day)
    return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}T00:00:00" if m else None


def grid_matters(path: Path) -> list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]:
    """Each row of a Legislation.aspx grid as a ``/matters`` item with its ``sponsors`` (the grid's prime sponsor)."""
    page = path.read_text(encoding="utf-8", errors="replace")
    names = [_text(h) for h in _HEADER.findall(page)]
    out = []
    for row in _ROW.findall(page):
        cells = dict(zip(names, (_text(c) for c in _CELL.findall(row)), strict=False))
        link = _DETAIL.search(row)
        if not link:
            continue
        matter: dict[str, Any] = {
            "MatterId": int(link.group(1)), "MatterGuid": link.group(2),
            "MatterFile": cells.get("Record #") or cells.get("File #"),
            "MatterTypeName": cells.get("Type"), "MatterStatusName": cells.get("Status"),
            "MatterTitle": cells.get("Title"),
            "MatterIntroDate": _iso(cells.get("Intro Date") or cells.get("File Created") or ""),
            "MatterPassedDate": _iso(cells.get("Final Action") or ""),
            "MatterEnactmentNumber": cells.get("Law Number") or None,
            "MatterBodyName": cells.get("Committee") or None,
        }
        sponsors = []
        if cells.get("Prime Sponsor"):
            sponsors.append({"MatterSponsorMatterId": matter["MatterId"], "MatterSponsorName": cells["Prime Sponsor"],
                             "MatterSponsorSequence": 0})
        out.append(({k: v for k, v in matter.items() if v is not None}, {"sponsors": sponsors}))
    return out


def grid_events(path: Path) -> list[dict[str, Any]]:
    """The meetings of a Calendar.aspx grid (its scheduler's JSON) as ``/events`` items."""
    page = path.read_text(encoding="utf-8", errors="replace")
    events = []
    for m in re.finditer(r'\\"start\\":\\"([^\\]+)\\",\\"end\\":\\"[^\\]+\\",\\"attributes\\":\{(.*?)\}', page):
        attrs = dict(re.findall(r'\\"(\w+)\\":\\"([^\\]*)\\"', m.group(2)))
        day, clock = m.group(1).split(" ")
        hour, minute = (int(x) for x in clock.split(":"))
        events.append({"EventId": int(attrs["MeetingID"]), "EventGuid": attrs.get("MeetingGUID"),
                       "EventBodyName": attrs.get("BodyName"), "EventDate": day.replace("/", "-") + "T00:00:00",
                       "EventTime": f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}",
                       "EventLocation": attrs.get("MeetingLocation"), "EventComment": attrs.get("MeetingComment"),
                       "EventAgendaStatusName": attrs.get("MeetingAgendaStatus")})
    return events


# The grids show no stamp and New York City's no date either: their pages were saved in January 2019.
GRID_STAMP = "2019-01-15T12:00:00"


def ingest_grids(engine: Any, clients: tuple[str, ...] = ("chicago", "nyc", "metro")) -> int:
    """Every matter of these clients' real grids (``TRACKER_REALDATA/legistar/{client}/bills.html``, skipped when
    absent) read by the Legistar parser and stored, as a crawl of the Web API would store them; how many."""
    from realdata_paths import require_realdata
    from sqlmodel import Session

    from tracker.ingest import IngestItem, Ingestor
    from tracker.sources.legistar import parse_matter

    records = [parse_matter({"MatterLastModifiedUtc": GRID_STAMP, **matter}, parts, client=client,
                            locator=f"{client} grid")
               for client in clients
               for matter, parts in grid_matters(require_realdata("legistar", client, "bills.html"))]
    with Session(engine) as s:
        Ingestor(s).ingest([IngestItem(record=r) for r in records])
        s.commit()
    return len(records)
