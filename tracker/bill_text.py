"""A bill's current text: the latest version that has a link a reader can open, with each rendition's link.

The bill page, ``tracker bills show`` and the briefing packets all show it the same way: the version's label and
date, then one link per kind of rendition (PDF first, what a lobbyist prints; then HTML, formatted text, XML).
Links come from feeds we do not control: only http and https URLs are offered (no ``javascript:``, ``data:``,
``file:``, nor ``mailto:``, which no bill text is).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# In the order a reader wants them.
KINDS = ("PDF", "HTML", "Text", "XML")
_MAX_URL = 2000


def web_url(url: Any) -> str | None:
    """The URL if it is an http(s) link (whitespace around it dropped), else None.

    The one check for every feed URL that becomes a link: dashboard pages (dashboard.components.widgets),
    exported files (tracker.exports.safety) and the hearings calendar. Nothing that is not printable: control
    characters (C0, DEL, C1 such as NEL, a line break to some readers) and invisible format characters (a
    right-to-left override makes ``\u202efdp.exe`` read as ``exe.pdf``)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > _MAX_URL or not url.isprintable():
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def rendition_kind(fmt: str | None, url: str) -> str | None:
    """PDF, HTML, Text or XML, from the feed's format name, else the file's extension; None when unknown.

    An ``.htm`` file is the formatted text (GovInfo's and Congress.gov's "Formatted Text", a ``<pre>`` page); an
    ``.html`` file is the generated HTML page."""
    path = urlsplit(url).path.lower()
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    name = (fmt or "").lower()
    if "pdf" in name or extension == "pdf":
        return "PDF"
    if extension in ("htm", "txt") or name in ("txt", "text", "text/plain"):
        return "Text"
    if "html" in name or extension in ("html", "xhtml"):  # leginfo's billTextClient.xhtml page, whatever its format
        return "HTML"
    if "xml" in name or extension == "xml":
        return "XML"
    return None


@dataclass(frozen=True)
class TextLink:
    kind: str  # one of KINDS, or "Link" when the feed says nothing of the format
    url: str


@dataclass(frozen=True)
class CurrentText:
    label: str
    date: str | None  # ISO day, or None: "Enrolled Bill" is published undated
    code: str | None
    links: tuple[TextLink, ...]  # one per kind, in KINDS order
    has_text: bool  # the version's text is stored (the bill page can show it)

    def as_json(self) -> dict[str, Any]:
        return {"label": self.label, "date": self.date, "code": self.code, "has_text": self.has_text,
                "links": [{"kind": link.kind, "url": link.url} for link in self.links]}

    def link(self, kind: str) -> str | None:
        return next((link.url for link in self.links if link.kind == kind), None)

    def reading_links(self) -> tuple[TextLink | None, TextLink | None]:
        """What a reader opens: (the PDF, the formatted text or else the HTML page); the XML (or a link of no
        known kind) takes the second place only when there is neither."""
        return reading_links(self.links)


def reading_links(links: Iterable[TextLink]) -> tuple[TextLink | None, TextLink | None]:
    """``CurrentText.reading_links`` of any version's links (``text_links``)."""
    first: dict[str, TextLink] = {}
    for link in links:
        first.setdefault(link.kind, link)
    pdf, readable = first.get("PDF"), first.get("Text") or first.get("HTML")
    if pdf is None and readable is None:
        readable = first.get("XML") or first.get("Link")
    return pdf, readable


def text_links(version: Mapping[str, Any]) -> tuple[TextLink, ...]:
    """The version's web links, one per kind (the first listed of each), PDF first."""
    candidates = [*(version.get("links") or []), {"format": version.get("format"), "url": version.get("url")}]
    best: dict[str, str] = {}
    for link in candidates:
        if not isinstance(link, Mapping) or not (url := web_url(link.get("url"))):
            continue
        kind = rendition_kind(link.get("format"), url) or "Link"
        best.setdefault(kind, url)
    return tuple(TextLink(kind, best[kind]) for kind in (*KINDS, "Link") if kind in best)


def current_text(versions: Iterable[Mapping[str, Any]]) -> CurrentText | None:
    """The latest version (``versions`` oldest first, as ``tracker.queries.VERSION_ORDER`` orders them) that has a
    link to open; None when no version has one."""
    for version in reversed(list(versions)):
        links = text_links(version)
        if links:
            date = version.get("date")
            return CurrentText(label=str(version.get("label") or "Text"),
                               date=date.isoformat() if hasattr(date, "isoformat") else date,
                               code=version.get("code"), links=links, has_text=bool(version.get("has_text")))
    return None
