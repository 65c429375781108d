"""Local stand-ins for the state and city feeds, on the shared ``FeedServer`` (feedserver.py).

Bill content is real (Open States bulk bill JSON of Alabama 2025, LegiScan dataset bills, Chicago Legistar
histories); the envelopes around it are written here from the published formats (FORMATS.md sections 3, 4 and
6), because no real sample of them exists: the Open States API v3 ``/bills`` page (``results`` +
``pagination``, ``id``/``jurisdiction``/``updated_at`` added to each bill, ``updated_since`` filtering) and
``/events`` page (events written by the tests from the published Event schema; ``after``, ``deleted`` and
``include`` honoured as the API documents them), the LegiScan ``getMasterListRaw``/``getBill``/``getBillText``
envelopes, and Legistar ``/matters``/``/events`` lists.
"""

import json
import uuid
from typing import Any

from feedserver import FeedServer, Reply

JSON = {"Content-Type": "application/json"}


def _json(body: Any, status: int = 200) -> Reply:
    return status, dict(JSON), json.dumps(body).encode()


# The Event fields only sent when ``include`` asks for them (API v3 EventInclude).
EVENT_INCLUDES = ("links", "sources", "media", "documents", "participants", "agenda")


class OpenStatesMirror:
    """``/openstates/bills``: the API's page envelope around real bulk bill objects; ``/openstates/events``: the
    same envelope around the events a test adds."""

    def __init__(self, server: FeedServer, key: str):
        self.key = key
        self.bills: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        server.route("openstates/bills", self._bills)
        server.route("openstates/events", self._events)

    def add(self, bulk_bill: dict[str, Any], updated_at: str, ocd_id: str | None = None) -> None:
        bill = {k: v for k, v in bulk_bill.items() if k not in ("_id", "scraped_at", "legislative_session")}
        state = "al"
        bill.update(id=ocd_id or f"ocd-bill/{uuid.uuid5(uuid.NAMESPACE_URL, bulk_bill['identifier'])}",
                    session=bulk_bill["legislative_session"], updated_at=updated_at,
                    jurisdiction={"id": f"ocd-jurisdiction/country:us/state:{state}/government",
                                  "name": "Alabama", "classification": "state"})
        self.bills.append(bill)

    def _bills(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if headers.get("x-api-key") != self.key:
            return _json({"detail": "Must provide API Key as ?apikey or X-API-KEY header"}, 403)
        since = query.get("updated_since", [""])[0]
        items = sorted((b for b in self.bills if not since or b["updated_at"] >= since),
                       key=lambda b: b["updated_at"])
        return self._paged(items, query)

    def _events(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if headers.get("x-api-key") != self.key:
            return _json({"detail": "Must provide API Key as ?apikey or X-API-KEY header"}, 403)
        state, after = query.get("jurisdiction", [""])[0], query.get("after", [""])[0]
        if not state:
            return _json({"detail": "must provide 'jurisdiction' parameter"}, 400)
        deleted = query.get("deleted", ["false"])[0] == "true"  # "Return events marked as deleted?"
        wanted = set(query.get("include", []))
        items = sorted(({k: v for k, v in e.items() if k not in EVENT_INCLUDES or k in wanted} for e in self.events
                        if f"/state:{state}/" in e["jurisdiction"]["id"] and bool(e.get("deleted")) == deleted
                        and (not after or e["start_date"] > after)), key=lambda e: e["start_date"])
        return self._paged(items, query)

    @staticmethod
    def _paged(items: list[dict[str, Any]], query: dict[str, list[str]]) -> Reply:
        per_page, page = int(query.get("per_page", ["10"])[0]), int(query.get("page", ["1"])[0])
        if per_page > 20:
            return _json({"detail": "invalid per_page, must be in [1, 20]"}, 400)
        max_page = max(1, -(-len(items) // per_page))
        if not 1 <= page <= max_page:
            return _json({"detail": f"invalid page {page}"}, 404)
        return _json({"results": items[(page - 1) * per_page: page * per_page],
                      "pagination": {"per_page": per_page, "page": page, "max_page": max_page,
                                     "total_items": len(items)}})


class LegiScanMirror:
    """``/legiscan/?key=..&op=..``: getMasterListRaw from the bills held, getBill, getBillText."""

    def __init__(self, server: FeedServer, key: str):
        self.key = key
        self.bills: dict[str, dict[str, Any]] = {}
        self.texts: dict[str, dict[str, Any]] = {}
        server.route("legiscan/", self._api)

    def add(self, bill_payload: dict[str, Any]) -> None:
        bill = bill_payload["bill"]
        self.bills[str(bill["bill_id"])] = bill_payload

    def _api(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if query.get("key", [""])[0] != self.key:
            return _json({"status": "ERROR", "alert": {"message": "Invalid API key"}})
        op = query.get("op", [""])[0].lower()
        if op == "getmasterlistraw":
            rows = {str(n): {"bill_id": int(bid), "number": p["bill"]["bill_number"],
                             "change_hash": p["bill"]["change_hash"]} for n, (bid, p) in enumerate(self.bills.items())}
            return _json({"status": "OK", "masterlist": {"session": {"session_id": 1, "session_name": "S"}, **rows}})
        ident = query.get("id", [""])[0]
        if op == "getbill" and ident in self.bills:
            return _json(self.bills[ident])
        if op == "getbilltext" and ident in self.texts:
            return _json(self.texts[ident])
        return _json({"status": "ERROR", "alert": {"message": f"Unknown {op} id {ident}"}})


class LegistarMirror:
    """``/legistar/{client}/matters``, ``.../matters/{id}/{histories,sponsors,attachments}``, ``/events`` and
    ``/events/{id}/eventitems``: bare JSON arrays, ``$filter`` on the LastModified stamps honoured."""

    def __init__(self, server: FeedServer, client: str):
        self.server, self.client = server, client
        self.matters: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        server.route(f"legistar/{client}/matters", lambda q, h: self._list(self.matters, "Matter", q))
        server.route(f"legistar/{client}/events", lambda q, h: self._list(self.events, "Event", q))

    def add_matter(self, matter: dict[str, Any], parts: dict[str, list[dict[str, Any]]]) -> None:
        self.matters.append(matter)
        for name in ("histories", "sponsors", "attachments"):
            self.server.put(f"legistar/{self.client}/matters/{matter['MatterId']}/{name}",
                            json.dumps(parts.get(name, [])).encode(), content_type="application/json")

    def add_event(self, event: dict[str, Any], items: list[dict[str, Any]]) -> None:
        self.events.append(event)
        self.server.put(f"legistar/{self.client}/events/{event['EventId']}/eventitems", json.dumps(items).encode(),
                        content_type="application/json")

    @staticmethod
    def _list(rows: list[dict[str, Any]], prefix: str, query: dict[str, list[str]]) -> Reply:
        flt = query.get("$filter", [""])[0]
        found = rows
        if flt:  # "<Field> gt|ge datetime'<stamp>'", the only shape the spider sends
            parts = flt.split(" ", 2)
            if len(parts) != 3 or not parts[0].startswith(prefix) or parts[1] not in ("gt", "ge") \
                    or not parts[2].startswith("datetime'"):
                return _json({"Message": "Invalid filter"}, 400)
            field_name, op, stamp = parts[0], parts[1], parts[2][len("datetime'"):].rstrip("'")
            found = [r for r in rows if (r.get(field_name) or "") > stamp
                     or (op == "ge" and (r.get(field_name) or "") >= stamp)]
        skip, top = int(query.get("$skip", ["0"])[0]), int(query.get("$top", ["1000"])[0])
        return _json(found[skip: skip + top])
