"""Downloader middleware: a crawl asks only the host its source's base URL names.

Spiders follow URLs the feed itself gives: GovInfo's sitemaps list absolute file URLs, Congress.gov's pages name
the next page, and any server may answer with a redirect. A compromised or spoofed feed could otherwise point the
crawl at any host: a service inside the network the crawl runs in (a database console on 127.0.0.1, the cloud
metadata API at 169.254.169.254), or its own server, receiving the X-Api-Key header (Congress.gov, Open States)
that Scrapy carries across hosts and redirects. Every request passes here before robots.txt is asked, including
each redirect's new request, so a request to another host is dropped before anything is sent, and the run's
error list names it.

Allowed: the base URL's host and port, and the same host upgraded from http to https.
"""

from typing import Any, Self
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request


class OffHostRequest(IgnoreRequest):
    """A request to a host other than the source's: never sent."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:  # a port that is not a number
        port = None
    return scheme, (parts.hostname or "").lower(), port


def same_source(url: str, base: str) -> bool:
    """Whether ``url`` is on the host (and port) of ``base``; http to https on the same host is allowed."""
    scheme, host, port = _origin(url)
    base_scheme, base_host, base_port = _origin(base)
    if not host or host != base_host or scheme not in ("http", "https"):
        return False
    return port == base_port or (base_scheme == "http" and scheme == "https" and port == 443)


class SourceHostMiddleware:
    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider = self.crawler.spider
        base_url = getattr(spider, "base_url", None)
        if base_url is None:
            return None
        base = base_url()
        if not same_source(request.url, base):
            host = urlsplit(request.url).netloc or request.url[:80]
            raise OffHostRequest(f"not fetched: {host} is another host than the source's {urlsplit(base).netloc} "
                                 "(a listing, next-page link or redirect pointed there)")
        return None
