"""Text of a bill's document by its media type: what flagging, search and redlines read of a version.

One place for every feed that hands over a document rather than its text (LegiScan ``getBillText`` and dataset
``text/*.json``). HTML goes through the same ``html_to_text`` as GovInfo's summaries; plain text is taken as it
is. There is no extractor for PDF or Word files (LegiScan sends most states' texts as PDF): such a version keeps
its links and format, and its text stays empty rather than holding binary noise.
"""

from collections.abc import Callable

from tracker.sources.govinfo_billstatus import html_to_text

# The short format names BillVersion.format holds, by media type (LegiScan's mime list: API manual, mime_id).
FORMATS: dict[str, str] = {
    "text/html": "html", "application/xhtml+xml": "html", "text/plain": "txt", "application/pdf": "pdf",
    "application/msword": "doc", "application/rtf": "rtf", "text/rtf": "rtf",
    "application/wordperfect": "wpd",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}


def _decoded(content: bytes, charset: str | None) -> str:
    try:
        return content.decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return content.decode("utf-8", errors="replace")


def _plain(content: bytes, charset: str | None) -> str | None:
    return "\n".join(line.rstrip() for line in _decoded(content, charset).splitlines()).strip() or None


def _html(content: bytes, charset: str | None) -> str | None:
    return html_to_text(_decoded(content, charset))


EXTRACTORS: dict[str, Callable[[bytes, str | None], str | None]] = {
    "html": _html, "txt": _plain,
}


def _media_type(mime: str) -> tuple[str, str | None]:
    kind, _, params = (mime or "").partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return kind.strip().lower(), charset


def document_format(mime: str) -> str | None:
    """``text/html`` -> ``html``, ``application/pdf`` -> ``pdf``; an unknown type by its subtype; None for none."""
    kind, _ = _media_type(mime)
    return FORMATS.get(kind) or (kind.rsplit("/", 1)[-1] or None if kind else None)


def can_extract(mime: str) -> bool:
    return document_format(mime) in EXTRACTORS


def document_text(content: bytes, mime: str) -> str | None:
    """The document's text, or None when it has none or the tracker has no extractor for its type."""
    fmt = document_format(mime)
    extractor = EXTRACTORS.get(fmt or "")
    return extractor(content, _media_type(mime)[1]) if extractor else None
