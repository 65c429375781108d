"""A local stand-in for www.govinfo.gov and api.congress.gov on 127.0.0.1, for tests and benchmarks.

It serves real documents (BILLSTATUS XML, Congress.gov JSON from ``TRACKER_REALDATA``) at the paths the real
services use. The listings around them are generated here from the published formats (FORMATS.md sections 1
and 2), because no real sample of them exists: the GovInfo sitemap index and per-collection sitemaps (with
``lastmod`` to the millisecond), the JSON folder listing (``formattedLastModifiedTime`` to the minute, answered
only with ``Accept: application/json`` as the bulk-data README says) and the Congress.gov bill list (the real
envelope, filtered by ``fromDateTime``, paginated with ``next`` URLs on the real host as the live API writes).

Like the real servers it sends ``Last-Modified``/``ETag`` and answers ``If-Modified-Since``/``If-None-Match``
with 304. Faults are programmable per path: an HTTP status (with headers such as ``Retry-After``), a delay (for
timeouts), a body cut short by a dropped connection, or a complete response whose body is truncated.
"""

import datetime as dt
import email.utils
import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

GOVINFO = "https://www.govinfo.gov/"
CONGRESS_API = "https://api.congress.gov/v3/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/xml"
    last_modified: dt.datetime | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Fault:
    """``kind``: status (send ``status`` with ``headers``), delay (sleep ``seconds`` first), cut (send the headers
    and half the body, then drop the connection), short (a complete response with half the body)."""

    kind: str
    status: int = 500
    seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1  # None: every request


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    query: str
    headers: dict[str, str]
    status: int = 0  # 0 until answered (a delayed answer may never be read)


Reply = tuple[int, dict[str, str], bytes]


class FeedServer:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.routes: dict[str, Callable[[dict[str, list[str]], dict[str, str]], Reply]] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.hits: list[Hit] = []
        self.latency = 0.0  # seconds added to every answer, to stand for a real network's round trip
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
                server._handle(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that timed out and hung up is expected here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> "FeedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- content --------------------------------------------------------------------------------------------

    def put(self, path: str, body: bytes, *, content_type: str = "application/xml",
            last_modified: dt.datetime | None = None) -> None:
        with self.lock:
            self.resources["/" + path.lstrip("/")] = Resource(body, content_type, last_modified)

    def route(self, path: str, handler: Callable[[dict[str, list[str]], dict[str, str]], Reply]) -> None:
        self.routes["/" + path.lstrip("/")] = handler

    def fault(self, path: str, *faults: Fault) -> None:
        with self.lock:
            self.faults.setdefault("/" + path.lstrip("/"), deque()).extend(faults)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests(self, prefix: str = "", status: int | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.path.startswith("/" + prefix.lstrip("/"))
                    and (status is None or h.status == status)]

    def reset_log(self) -> None:
        with self.lock:
            self.hits.clear()

    # -- serving --------------------------------------------------------------------------------------------

    def _next_fault(self, path: str) -> Fault | None:
        with self.lock:
            queue = self.faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.popleft()
            return fault

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path, headers = parts.path, {k.lower(): v for k, v in handler.headers.items()}
        hit = Hit(time.monotonic(), path, parts.query, headers)
        with self.lock:
            self.hits.append(hit)
        fault = self._next_fault(path)
        if self.latency:
            time.sleep(self.latency)
        if fault and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault and fault.kind == "status":
            body = json.dumps({"error": f"injected {fault.status}"}).encode()
            return self._send(handler, hit, fault.status, {"Content-Type": "application/json", **fault.headers},
                              body)
        status, reply_headers, body = self._reply(path, parse_qs(parts.query), headers)
        if fault and fault.kind in ("cut", "short") and status == 200:
            half = body[: len(body) // 2]
            if fault.kind == "short":
                return self._send(handler, hit, status, reply_headers, half)
            hit.status = status
            handler.send_response(status)
            for key, value in reply_headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))  # promise the whole body...
            handler.end_headers()
            handler.wfile.write(half)  # ...deliver half, and hang up
            handler.wfile.flush()
            handler.close_connection = True
            return None
        return self._send(handler, hit, status, reply_headers, body)

    def _reply(self, path: str, query: dict[str, list[str]], headers: dict[str, str]) -> Reply:
        if path in self.routes:
            return self.routes[path](query, headers)
        with self.lock:
            resource = self.resources.get(path)
        if resource is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        reply = {"Content-Type": resource.content_type, "ETag": resource.etag}
        if resource.last_modified is not None:
            reply["Last-Modified"] = email.utils.format_datetime(resource.last_modified.replace(microsecond=0),
                                                                 usegmt=True)
        if headers.get("if-none-match") == resource.etag:
            return 304, reply, b""
        since = headers.get("if-modified-since")
        if since and resource.last_modified is not None and "if-none-match" not in headers:
            try:
                if resource.last_modified.replace(microsecond=0) <= email.utils.parsedate_to_datetime(since):
                    return 304, reply, b""
            except (TypeError, ValueError):
                pass
        return 200, reply, resource.body

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, hit: Hit, status: int, reply_headers: dict[str, str],
              body: bytes) -> None:
        hit.status = status
        handler.send_response(status)
        for key, value in reply_headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            handler.wfile.write(body)


# -- GovInfo --------------------------------------------------------------------------------------------------

def _iso_ms(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _listing_stamp(stamp: dt.datetime) -> str:
    return stamp.astimezone(dt.UTC).strftime("%d-%b-%Y %H:%M")


class GovinfoMirror:
    """BILLSTATUS files plus listings generated from them, as www.govinfo.gov publishes them."""

    def __init__(self, server: FeedServer):
        self.server = server
        self.bills: dict[tuple[int, str, str], dt.datetime] = {}
        self.hidden_from_index = False
        server.put("robots.txt", b"User-agent: *\nDisallow: /app/dynamic/\n", content_type="text/plain")
        server.route("sitemap/bulkdata/BILLSTATUS/sitemapindex.xml", self._sitemap_index)

    def set_bill(self, congress: int, bill_type: str, number: str, body: bytes, lastmod: dt.datetime) -> None:
        self.bills[(congress, bill_type, number)] = lastmod
        self.server.put(self.bill_path(congress, bill_type, number), body, last_modified=lastmod)
        group = f"{congress}{bill_type}"
        self.server.route(f"sitemap/bulkdata/BILLSTATUS/{group}/sitemap.xml",
                          lambda q, h, c=congress, t=bill_type: self._urlset(c, t))
        self.server.route(f"bulkdata/json/BILLSTATUS/{congress}/{bill_type}",
                          lambda q, h, c=congress, t=bill_type: self._json_listing(c, t, h))

    @staticmethod
    def bill_path(congress: int, bill_type: str, number: str) -> str:
        return f"bulkdata/BILLSTATUS/{congress}/{bill_type}/BILLSTATUS-{congress}{bill_type}{number}.xml"

    def _groups(self) -> dict[tuple[int, str], list[tuple[str, dt.datetime]]]:
        groups: dict[tuple[int, str], list[tuple[str, dt.datetime]]] = {}
        for (congress, bill_type, number), lastmod in sorted(self.bills.items()):
            groups.setdefault((congress, bill_type), []).append((number, lastmod))
        return groups

    def _sitemap_index(self, query: Any, headers: Any) -> Reply:
        entries = "" if self.hidden_from_index else "".join(
            f"<sitemap><loc>{GOVINFO}sitemap/bulkdata/BILLSTATUS/{c}{t}/sitemap.xml</loc>"
            f"<lastmod>{_iso_ms(max(s for _, s in files))}</lastmod></sitemap>"
            for (c, t), files in self._groups().items())
        body = f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{entries}</sitemapindex>'
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def _urlset(self, congress: int, bill_type: str) -> Reply:
        files = self._groups().get((congress, bill_type), [])
        entries = "".join(f"<url><loc>{GOVINFO}{self.bill_path(congress, bill_type, n)}</loc>"
                          f"<lastmod>{_iso_ms(stamp)}</lastmod></url>" for n, stamp in files)
        body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{entries}</urlset>'
        return 200, {"Content-Type": "application/xml"}, body.encode()

    def _json_listing(self, congress: int, bill_type: str, headers: dict[str, str]) -> Reply:
        if "application/json" not in headers.get("accept", ""):
            return 406, {"Content-Type": "text/plain"}, b"Not Acceptable"
        files = [{"name": f"BILLSTATUS-{congress}{bill_type}{n}.xml", "justFileName":
                  f"BILLSTATUS-{congress}{bill_type}{n}.xml", "displayLabel": f"BILLSTATUS-{congress}{bill_type}{n}",
                  "folder": False, "link": GOVINFO + self.bill_path(congress, bill_type, n),
                  "formattedLastModifiedTime": _listing_stamp(stamp), "size": 1000, "formattedSize": "1 KB",
                  "mimeType": "application/xml", "fileExtension": "xml"}
                 for n, stamp in self._groups().get((congress, bill_type), [])]
        if files:  # the real listing also holds the per-type zip
            files.append({"name": f"BILLSTATUS-{congress}-{bill_type}.zip", "folder": False, "fileExtension": "zip",
                          "link": f"{GOVINFO}bulkdata/BILLSTATUS/{congress}/{bill_type}/"
                                  f"BILLSTATUS-{congress}-{bill_type}.zip"})
        return 200, {"Content-Type": "application/json"}, json.dumps({"files": files}).encode()


# -- Congress.gov API -----------------------------------------------------------------------------------------

class CongressApiMirror:
    """Real bill detail and sub-resource responses, behind a bill list generated in the API's real envelope."""

    def __init__(self, server: FeedServer, key: str = "test-key"):
        self.server = server
        self.key = key
        self.bills: dict[tuple[int, str, str], dict[str, Any]] = {}  # list item per bill
        self.page_size = 250

    def add_bill(self, detail: bytes, subresources: dict[str, bytes]) -> None:
        bill = json.loads(detail)["bill"]
        congress, bill_type, number = int(bill["congress"]), bill["type"].lower(), str(bill["number"])
        path = f"bill/{congress}/{bill_type}/{number}"
        item = {key: bill[key] for key in ("congress", "latestAction", "number", "originChamber", "title", "type",
                                            "updateDate") if key in bill}
        item["url"] = f"{CONGRESS_API}{path}?format=json"
        self.bills[(congress, bill_type, number)] = item
        self._route(path, detail)
        for name, body in subresources.items():
            self._route(f"{path}/{name}", body)
        self.server.route(f"v3/bill/{congress}", lambda q, h, c=congress: self._list(c, None, q, h))
        self.server.route(f"v3/bill/{congress}/{bill_type}", lambda q, h, c=congress, t=bill_type:
                          self._list(c, t, q, h))

    def _route(self, path: str, body: bytes) -> None:
        self.server.route(f"v3/{path}", lambda q, h: self._guarded(q, h) or (200, {"Content-Type":
                                                                                    "application/json"}, body))

    def _guarded(self, query: dict[str, list[str]], headers: dict[str, str]) -> Reply | None:
        if headers.get("x-api-key") != self.key and query.get("api_key", [""])[0] != self.key:
            return 403, {"Content-Type": "application/json"}, json.dumps(
                {"error": {"code": "API_KEY_MISSING", "message": "No api_key was supplied."}}).encode()
        if query.get("format", [""])[0] != "json":  # XML has been the default since April 2026
            return 200, {"Content-Type": "application/xml"}, b"<api-root/>"
        return None

    def _list(self, congress: int, bill_type: str | None, query: dict[str, list[str]], headers: dict[str, str]
              ) -> Reply:
        refused = self._guarded(query, headers)
        if refused:
            return refused
        since = query.get("fromDateTime", [""])[0]
        items = [item for (c, t, _), item in sorted(self.bills.items())
                 if c == congress and (bill_type is None or t == bill_type)
                 and (not since or item["updateDate"] >= since[: len(item["updateDate"])])]
        items.sort(key=lambda item: item["updateDate"])
        offset = int(query.get("offset", ["0"])[0])
        limit = min(250, int(query.get("limit", ["20"])[0]), self.page_size)
        page = items[offset: offset + limit]
        path = f"bill/{congress}" + (f"/{bill_type}" if bill_type else "")
        pagination: dict[str, Any] = {"count": len(items)}
        if offset + limit < len(items):
            pagination["next"] = f"{CONGRESS_API}{path}?offset={offset + limit}&limit={limit}&format=json"
        body = {"bills": page, "pagination": pagination, "request": {"contentType": "application/json",
                                                                     "format": "json"}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


def serve(routes: Iterable[tuple[str, bytes]] = ()) -> FeedServer:
    server = FeedServer().start()
    for path, body in routes:
        server.put(path, body)
    return server
