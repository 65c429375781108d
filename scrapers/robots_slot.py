"""Downloader middleware: robots.txt is fetched in a download slot of its own.

With ROBOTSTXT_OBEY, Scrapy holds a spider's first request to a host until that host's robots.txt has answered,
and sends robots.txt through the host's download slot. The slot then counts robots.txt as its last request, so
the first real request (for GovInfo, the sitemap index) waits out the whole AutoThrottle start delay (0.5 s,
jittered +-50 %) although nothing else is in flight: on a re-crawl where nothing changed that wait is most of the
crawl. Politeness is about how many requests a host sees at once and how fast they follow each other; robots.txt
and the request it was holding back are strictly one after the other (the second leaves only once the first has
answered), which no delay needs to space out. Every request after that one is paced by the host's slot exactly as
before (start delay, then AutoThrottle from measured latency, DOWNLOAD_DELAY as the floor).

The slot is chosen in ``Downloader._enqueue_request``, after every middleware's ``process_request``, from the
``download_slot`` meta key; scrapy-zyte-api uses the same hook for its own slots.
"""

from urllib.parse import urlsplit

from scrapy.http import Request

ROBOTS_SLOT_PREFIX = "robots.txt "


class RobotsTxtSlotMiddleware:
    def process_request(self, request: Request) -> None:
        # RobotsTxtMiddleware marks its own request so that it is not checked against itself.
        if not request.meta.get("dont_obey_robotstxt") or "download_slot" in request.meta:
            return None
        parts = urlsplit(request.url)
        if parts.path == "/robots.txt":
            request.meta["download_slot"] = ROBOTS_SLOT_PREFIX + (parts.hostname or "")
        return None
