"""GovInfo bill text: a version's XML or HTML rendition -> the plain text flagging, search and the bill page read.

Pure: bytes in, text out, no network, no database. These renditions are understood:

- USLM XML (``BILLS-117hr1ih.xml``, ``<bill xmlns="http://schemas.gpo.gov/xml/uslm">``; GPO's converted USLM
  also under House and Senate drafting names such as ``H1000_IH.XML``), whose ``<citableAs>116hr1000ih``
  names the bill and the version;
- the bill DTD XML GovInfo publishes in its BILLS packages (``<bill bill-stage="Introduced-in-House">``, with
  ``legis-body``, ``section``, ``enum``, ``header``, ``text``): the same walk reads it, its element names are in
  the lists below;
- the HTML rendition (``BILLS-119hr9025ih.html``, HTML 4 that is not well-formed XML): read with libxml2's HTML
  parser, network off (HTML has no entity declarations to expand); a ``<pre>`` keeps its own lines;
- the formatted text, which GovInfo also serves under an ``.html`` name as bare text (``BILLS-119hr9010rh.html``).

No bill-DTD file is in the real samples (GPO publishes none outside its bulk data): that kind is tested on a small
document written after the DTD.

The text keeps the bill's structure readable: each division, title, section, subsection, paragraph... starts
its own line, a section's number and heading share one, and a section is set off by a blank line. Markup,
metadata (``<meta>``, Dublin Core) and styles are dropped. A text is stored up to ``MAX_TEXT_CHARS`` (what
flagging reads), cut at a line end with a note saying so: an omnibus runs to 10 MB of HTML.

Which bill and version a document is comes from the document itself (USLM's ``citableAs``, else the Dublin Core
title "117 HR 1 IH: ..." both XML kinds carry), else from the locator's file name (``BILLS-117hr1ih``). A
document that names no version (a "Pre-Introduced" draft) still parses; only the importer, which must attach it
to a version, refuses it.
"""

import re
from dataclasses import dataclass

from lxml import etree

from tracker.records import ParseError, VersionTextRecord
from tracker.xmlsafe import parse_xml, xml_head

SOURCE_NAME = "govinfo_billstatus"  # the texts fill versions of the bills BILLSTATUS (or the API) keys "117-hr-1"
MAX_TEXT_CHARS = 2_000_000  # tracker.matching.store scores this much of a text; the rest would only weigh on rows
TRUNCATION_NOTE = "[Text cut here: the tracker stores the first {n:,} characters. Read the whole text at its link.]"

_BILL_TYPES = ("hconres", "hjres", "hres", "sconres", "sjres", "sres", "hr", "s")  # longest first for the regex
# "116hr1865eas", "BILLS-117hr1ih", "BILLS-113hres378cdh": congress, type, number, version code.
_CITATION = re.compile(rf"(?<![a-z0-9])(\d{{2,3}})({'|'.join(_BILL_TYPES)})(\d+)([a-z][a-z0-9]*)?(?![a-z0-9])",
                       re.IGNORECASE)

# Elements that begin a line: the levels of a bill (USLM and bill DTD names) and the blocks of its front matter.
_LEVELS = {"division", "subdivision", "title", "subtitle", "part", "subpart", "chapter", "subchapter", "section",
           "subsection", "paragraph", "subparagraph", "clause", "subclause", "item", "subitem", "subsubitem",
           "level", "article"}
_BIG_LEVELS = {"division", "subdivision", "title", "subtitle", "part", "subpart", "chapter", "subchapter",
               "section"}
_BLOCKS = _LEVELS | {
    # USLM
    "p", "longTitle", "officialTitle", "docTitle", "enactingFormula", "resolvingClause", "congress", "session",
    "currentChamber", "action", "actionDescription", "continuation", "proviso", "quotedContent",
    "referenceItem", "tocItem", "tr", "row", "attestation", "endorsement", "signatures", "signature", "preamble",
    "recital", "amendmentInstruction", "amendmentContent", "table", "caption", "note", "listItem", "subheading",
    "actionInstruction", "enrolledDateline", "relatedDocument", "groupItem",
    # bill DTD (names with hyphens)
    "form", "legis-num", "current-chamber", "official-title", "legis-type", "legis-body", "resolution-body",
    "enacting-clause", "resolving-clause", "distribution-code", "toc-entry", "quoted-block",
    "attestation-group", "whereas", "engrossed-amendment-body", "amendment-instruction", "amendment-block",
    "action-desc", "list-item", "term-definition",
    # HTML
    "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "br", "hr",
}
# Metadata, and the print shop's marks (slug line "•HR 1000 IH", distribution code "I").
_SKIPPED = {"meta", "amendMeta", "metadata", "dublinCore", "head", "style", "script", "slugLine", "distributionCode",
            "distribution-code", "endMarker",
            # What a reported bill's committee amendment strikes: the text reads as amended, as the added words say.
            "deletedText", "deleted-phrase"}
_CELLS = {"td", "th", "entry", "enum", "num"}  # a space after: "1. Short title", not "1.Short title"
# An appropriations bill's headings ("Privacy and Civil Liberties Oversight Board", then "salaries and expenses")
# are levels of their own (USLM <appropriations level=...>, the bill DTD's appropriations-major...).
_APPROPRIATIONS = {"appropriations", "appropriations-major", "appropriations-intermediate", "appropriations-small"}
_BLOCKS |= _APPROPRIATIONS
# A heading that ends its line under a section's number ("SEC. 2. FINDINGS."), then the text below it.
_HEADINGS = {"heading", "header"}
_HEADED = _BIG_LEVELS | _APPROPRIATIONS
_HTML_ROOT = re.compile(r"<html[\s>]")
_CLOSING = re.compile(r"\s*[.,;:]+\s*")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2002\u2003\u2009]+")


@dataclass(frozen=True)
class BillText:
    """One GovInfo text document: which bill version it is (as far as it says) and its plain text."""

    congress: int | None
    bill_type: str | None  # "hr", "sjres" ...
    number: str | None
    version_code: str | None  # "ih", "eas", "enr" ...
    text: str
    format: str  # "xml", "html" or "txt": what BillVersion.format records
    truncated: bool = False

    @property
    def source_key(self) -> str | None:
        """The bill's key in GovInfo BILLSTATUS and the Congress.gov API: ``117-hr-1``."""
        if self.congress is None or not self.bill_type or not self.number:
            return None
        return f"{self.congress}-{self.bill_type}-{self.number}"


def looks_like_bill_text(head: bytes) -> bool:
    """A GovInfo bill text document (for ``tracker import``): USLM (not BILLSTATUS), the bill DTD, or the HTML."""
    text = xml_head(head)
    if "<billStatus" in text:
        return False
    if "schemas.gpo.gov/xml/uslm" in text:
        return True
    return bool(re.search(r"<(bill|resolution|amendment-doc)\b[^>]*\b(bill-stage|bill-type|resolution-stage|"
                          r"resolution-type|amend-stage)=", text))


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag.rsplit("}", 1)[-1]


class _Writer:
    """Collects text in lines: ``block`` ends the current line, ``gap`` leaves a blank one."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.size = 0

    def add(self, text: str | None) -> None:
        if text:
            self.current.append(text)

    def block(self, gap: bool = False) -> None:
        line = _SPACES.sub(" ", "".join(self.current).replace("\n", " ")).strip()
        self.current = []
        if line:
            self.lines.append(line)
            self.size += len(line) + 1
        if gap and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def full(self) -> bool:
        return self.size > MAX_TEXT_CHARS


def _walk(element: etree._Element, out: _Writer) -> None:
    name = _local(element.tag)
    if not name or name in _SKIPPED:  # comments and processing instructions say nothing of the bill; their tails do
        out.add(element.tail)
        return
    if out.full():
        return
    if (name == "after-quoted-block" or element.get("role") == "after-quoted-block") and out.lines \
            and not out.current and out.lines[-1]:
        out.lines[-1] += "".join(element.itertext()).strip()  # the "." closing a quoted block ends its line
        out.add(element.tail)
        return
    if name == "pre":  # the formatted text: its lines are the document's own
        out.block()
        for line in "".join(element.itertext()).splitlines():
            out.add(line)
            out.block(gap=not line.strip())
        out.add(element.tail)
        return
    block = name in _BLOCKS
    if block:
        out.block(gap=name in _BIG_LEVELS)
    out.add(element.text)
    for child in element:
        _walk(child, out)
    if name in _HEADINGS and element.getparent() is not None and _local(element.getparent().tag) in _HEADED:
        out.block()  # the section's text below its heading
    elif name in _CELLS or name == "header":  # the bill DTD's header carries no ".—" of its own
        out.add(" ")
    if block:
        out.block(gap=name in _BIG_LEVELS)
        if element.tail and _CLOSING.fullmatch(element.tail) and out.lines and out.lines[-1]:
            out.lines[-1] += element.tail.strip()  # the "." after a quoted block closes it, not a line of its own
            return
    out.add(element.tail)


def _text_of(root: etree._Element) -> tuple[str, bool]:
    out = _Writer()
    _walk(root, out)
    out.block()
    lines = out.lines
    while lines and lines[-1] == "":
        lines.pop()
    return _bounded("\n".join(lines))


def _bounded(text: str) -> tuple[str, bool]:
    text = text.strip()
    if len(text) <= MAX_TEXT_CHARS:
        return text, False
    cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
    return text[:cut if cut > 0 else MAX_TEXT_CHARS].rstrip() + "\n\n" + TRUNCATION_NOTE.format(
        n=MAX_TEXT_CHARS), True


def _identity(citations: list[str], locator: str) -> tuple[int | None, str | None, str | None, str | None]:
    name = locator.replace("\\", "/").rsplit("/", 1)[-1].split("!")[-1]
    for candidate in (*citations, name):
        found = _CITATION.search(candidate.replace(" ", ""))
        if found:
            congress, bill_type, number, code = found.groups()
            return int(congress), bill_type.lower(), str(int(number)), code.lower() if code else None
    return None, None, None, None


def _kind(data: bytes) -> str:
    """html, xml or txt: GovInfo serves some ``.html`` renditions as the formatted plain text itself."""
    head = xml_head(data, 2048).lstrip().lower()
    # An XHTML page may open with an XML declaration and a DOCTYPE; USLM's "xmlns:html=" and <html:table> are not
    # pages. Read as HTML, its named entities (&ldquo;, &nbsp;) are characters, not undeclared XML entities.
    if head.startswith("<!doctype html") or _HTML_ROOT.search(head):
        return "html"
    return "xml" if head.startswith("<") else "txt"


def _plain_text(data: bytes) -> str:
    out = _Writer()
    for line in data.decode("utf-8", errors="replace").splitlines():
        out.add(line)
        out.block(gap=not line.strip())
    return "\n".join(out.lines)


def parse_bill_text(data: bytes, locator: str) -> BillText:
    """The text of a GovInfo bill text document, or ``ParseError(locator, reason)``."""
    kind = _kind(data)
    if kind == "txt":
        if b"\x00" in data[:4096]:
            raise ParseError(locator, "not a bill text: binary data")
        text, truncated = _bounded(_plain_text(data))
        citations: list[str] = []
    elif kind == "html":
        try:
            root = etree.fromstring(data, etree.HTMLParser(no_network=True, remove_comments=True,
                                                           remove_pis=True, default_doctype=False))
        except (etree.ParserError, ValueError) as exc:
            raise ParseError(locator, f"unreadable HTML: {exc}") from None
        if root is None:
            raise ParseError(locator, "empty HTML document")
        body = root.find("body")
        text, truncated = _text_of(body if body is not None else root)
        citations = []  # its <title> ("H. R. 9025 (Introduced-in-House)") names no Congress: the file name does
    else:
        root = parse_xml(data, locator, keep_whitespace=True)
        name = _local(root.tag)
        if name == "billStatus":
            raise ParseError(locator, "a BILLSTATUS file, not a bill text")
        text, truncated = _text_of(root)
        # USLM's citableAs ("116hr1000ih"), else the Dublin Core title both DTDs carry ("117 HR 1 IH: For the...")
        citations = [c for c in root.xpath("//*[local-name()='citableAs']/text()"
                                           " | //*[local-name()='dublinCore' or local-name()='meta']"
                                           "/*[local-name()='title']/text()") if isinstance(c, str)]
    if not text.strip():
        raise ParseError(locator, "no bill text in the document")
    congress, bill_type, number, code = _identity(citations, locator)
    return BillText(congress, bill_type, number, code, text, kind, truncated)


def parse_text_record(data: bytes, locator: str) -> VersionTextRecord:
    """``parse_bill_text`` as the importer's record: the text of version ``code`` of bill ``117-hr-1``."""
    parsed = parse_bill_text(data, locator)
    if parsed.source_key is None or parsed.version_code is None:
        raise ParseError(locator, "cannot tell which bill version this text is: no citableAs in the document and "
                                  "no BILLS-<congress><type><number><version> in its name")
    return VersionTextRecord(source_name=SOURCE_NAME, bill_source_key=parsed.source_key, code=parsed.version_code,
                             media_type="application/xml" if parsed.format == "xml" else "text/html",
                             format=parsed.format, text=parsed.text)
