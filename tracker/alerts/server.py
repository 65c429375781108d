"""A small stdlib HTTP server for what mail clients and feed readers open: feeds and the unsubscribe link.

Routes (tokens are the per-user secrets of tracker.alerts.subscriptions):
  GET  /feeds/TOKEN/filters/ID.atom | .rss   a saved filter as Atom / RSS 2.0
  GET  /feeds/TOKEN/hearings.ics             hearings on the person's tracked bills (iCalendar)
  GET  /unsubscribe/TOKEN                    a page with one button (mail scanners that follow links do not
                                             unsubscribe anyone)
  POST /unsubscribe/TOKEN                    unsubscribes (also RFC 8058 one-click from the mail client)
"""

import html
import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine

from tracker import db
from tracker.alerts import feeds, subscriptions
from tracker.alerts.render import alerts_page_url
from tracker.alerts.settings import AlertSettings, alert_settings

log = logging.getLogger(__name__)
_FILTER = re.compile(r"^/feeds/([A-Za-z0-9_-]{8,64})/filters/(\d+)\.(atom|rss)$")
_ICS = re.compile(r"^/feeds/([A-Za-z0-9_-]{8,64})/hearings\.ics$")
_UNSUB = re.compile(r"^/unsubscribe/([A-Za-z0-9_-]{8,64})$")
CONTENT_TYPES = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8",
                 "ics": "text/calendar; charset=utf-8", "html": "text/html; charset=utf-8"}


def _page(title: str, body: str) -> bytes:
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\"><h1>{html.escape(title)}"
            f"</h1>{body}</body></html>").encode()


def make_handler(engine: Engine, cfg: AlertSettings) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "PolicyTrackerFeeds/1"

        def log_message(self, fmt: str, *args: Any) -> None:  # tokens stay out of logs
            log.info("%s %s", self.command, re.sub(r"/[A-Za-z0-9_-]{16,64}", "/…", self.path.split("?")[0]))

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPES[kind])
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "private, max-age=300")
            self.send_header("Referrer-Policy", "no-referrer")  # the token must not leak to linked sites
            self.end_headers()
            self.wfile.write(body)

        def _not_found(self) -> None:
            self._send(HTTPStatus.NOT_FOUND, _page("Not found", "<p>No such feed or link.</p>"), "html")

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(HTTPStatus.OK, b"ok", "html")
                return
            if m := _FILTER.match(path):
                token, filter_id, fmt = m.group(1), int(m.group(2)), m.group(3)
                with db.session_scope(engine) as s:
                    user = subscriptions.user_for_feed_token(s, token)
                    if user is None:
                        return self._not_found()
                    try:
                        saved, entries = feeds.filter_entries(s, user=user, filter_id=filter_id, cfg=cfg)
                    except feeds.FeedError:
                        return self._not_found()
                    render = feeds.render_atom if fmt == "atom" else feeds.render_rss
                    body = render(saved, entries, self_url=f"{cfg.feeds_url}{path}", cfg=cfg)
                return self._send(HTTPStatus.OK, body, fmt)
            if m := _ICS.match(path):
                with db.session_scope(engine) as s:
                    user = subscriptions.user_for_feed_token(s, m.group(1))
                    if user is None:
                        return self._not_found()
                    body = feeds.render_ics(s, user=user, cfg=cfg)
                return self._send(HTTPStatus.OK, body, "ics")
            if m := _UNSUB.match(path):
                form = (f"<p>Stop all Policy Tracker alert emails to this address?</p><form method=\"post\" "
                        f"action=\"/unsubscribe/{html.escape(m.group(1))}\"><button type=\"submit\">Unsubscribe"
                        f"</button></form>")
                return self._send(HTTPStatus.OK, _page("Unsubscribe", form), "html")
            return self._not_found()

        def do_POST(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(min(length, 65536))  # "List-Unsubscribe=One-Click" or an empty form
            if m := _UNSUB.match(path):
                with db.session_scope(engine) as s:
                    user = subscriptions.unsubscribe_by_token(s, m.group(1))
                    email = user.email if user else None
                if email is None:
                    return self._not_found()
                body = (f"<p>{html.escape(email)} will no longer receive alert emails. Feeds keep working. "
                        f"To receive emails again, change your alerts in the "
                        f"<a href=\"{html.escape(alerts_page_url(cfg.dashboard_url))}\">dashboard</a> or ask an "
                        f"administrator.</p>")
                return self._send(HTTPStatus.OK, _page("Unsubscribed", body), "html")
            return self._not_found()

    return Handler


def make_server(engine: Engine, *, host: str = "127.0.0.1", port: int = 8502,
                cfg: AlertSettings | None = None) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), make_handler(engine, cfg or alert_settings()))


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="alert-feeds", daemon=True)
    thread.start()
    return thread
