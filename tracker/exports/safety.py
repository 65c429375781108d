"""Making upstream text safe to put in a file: spreadsheet formulas, XML-illegal characters, link schemes.

Bill titles, summaries and sponsor names come from feeds we do not control; any of them may start with ``=``
or carry markup. Each writer escapes for its own format (ReportLab markup in pdf.py); shared rules live here.
"""

import re

from tracker.bidi import without_bidi_controls
from tracker.bill_text import web_url

# A spreadsheet treats a cell starting with one of these as a formula (or DDE command) when it parses text:
# OWASP's list for CSV injection, and the full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) that East Asian
# input methods type for them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# XML 1.0 forbids C0 controls other than tab, newline and carriage return, lone surrogates and U+FFFE/U+FFFF;
# python-docx, XlsxWriter and ReportLab all write XML, and one such character corrupts the whole file.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(value: str) -> bool:
    # Leading spaces or line breaks do not make a formula text: importers that trim cells (Google Sheets,
    # LibreOffice's "trim spaces") read " =1+1" as =1+1.
    return value.startswith(FORMULA_TRIGGERS) or value.lstrip(" \n\u00a0\u3000").startswith(FORMULA_TRIGGERS)


def neutralize_formula(value: str) -> str:
    """For CSV, where no cell has a type: a leading apostrophe makes spreadsheets read the cell as text.

    Excel in most of Europe splits a double-clicked .csv at ";" whatever the file's own separator and quoting,
    so each part after a ";" would be a cell of its own there: a part that reads as a formula gets its
    apostrophe too ("Act;'=1+1").
    """
    return ";".join("'" + part if is_formula_like(part) else part for part in value.split(";"))


def clean_text(value: str | None) -> str:
    """Drop characters no XML file may hold, and bidi controls (tracker.bidi: a right-to-left override would
    turn text around in every format, CSV included); everything else (accents, scripts, right-to-left letters and
    marks, emoji) is kept as is."""
    if not value:
        return ""
    return without_bidi_controls(_XML_ILLEGAL.sub("", value))


# Line and paragraph separators XML may hold but that end a line for str.splitlines (so for Python's calendar and
# feed parsers) and for some readers: NEL (U+0085, one of the C1 controls U+0080-U+009F, which with DEL are
# controls no text needs), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029).
_LINE_SEPARATORS = re.compile("[\x7f-\x9f\u2028\u2029]")


def feed_text(value: str | None) -> str:
    """``clean_text`` for a calendar or a news feed: the separators and controls above become spaces, so a
    hearing's description cannot start lines of its own ("END:VEVENT", a made-up event) in a calendar file."""
    return _LINE_SEPARATORS.sub(" ", clean_text(value))


def safe_url(url: str | None) -> str | None:
    """The URL if it is a web link, checked as on dashboard pages (tracker.bill_text.web_url): ``javascript:``,
    ``file:`` and other schemes, and URLs holding a line break or other control character, are never linked.
    A character is not dropped to make a URL pass: that would link somewhere the feed did not say."""
    return web_url(url)


def shorten(value: str, limit: int) -> str:
    """Cut at a word boundary near ``limit`` characters and mark the cut with an ellipsis."""
    if len(value) <= limit:
        return value
    cut = value[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"
