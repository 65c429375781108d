"""Parse untrusted XML from public feeds without letting a document reach the network or the disk, or blow up.

Feeds are fetched over the internet and mirrored by third parties, so every document is hostile until parsed:
entity declarations (billion laughs, external entities/XXE) are refused outright rather than merely left
unexpanded, DTDs are never loaded, and libxml2's size and depth limits stay on (``huge_tree=False``).
"""

import codecs
import re
import threading

from lxml import etree

from tracker.records import ParseError

__all__ = ["parse_xml", "xml_head"]

ENTITY_REFUSAL = "DOCTYPE with entity declarations refused"

# Only the prolog may carry a DOCTYPE, so the scan is anchored there and never walks the document body. Atomic
# groups and a possessive star keep it linear: a plain lazy ``<!--.*?-->`` would, on failure, backtrack through
# the whole document looking for a later "-->".
_PROLOG_DOCTYPE = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s|(?><!--.*?-->)|(?><\?.*?\?>))*+<!DOCTYPE", re.DOTALL)

_STARTS_LIKE_XML = re.compile(rb"(?:\xef\xbb\xbf)?\s*<")

# lxml parsers keep per-parse state and must not be shared between threads; one per thread costs nothing.
_local = threading.local()


def _parser(keep_whitespace: bool = False) -> etree.XMLParser:
    name = "text_parser" if keep_whitespace else "parser"
    parser = getattr(_local, name, None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_blank_text=not keep_whitespace,
        )
        setattr(_local, name, parser)
    return parser


def parse_xml(data: bytes, locator: str, *, keep_whitespace: bool = False) -> etree._Element:
    """Parse ``data`` into its root element or raise ``ParseError(locator, reason)``.

    Checking the root element's name is the caller's job: this only guarantees a well-formed, entity-free tree.
    ``keep_whitespace``: keep the blank text between elements, which is a word space in running prose (a bill's
    "<ref>...Code</ref> <amendingAction>is amended</amendingAction>"); records parsers drop it.
    """
    if not data or data.isspace():
        raise ParseError(locator, "empty document")
    # Refuse before parsing so a bomb costs nothing: libxml2 would otherwise stop it with a less telling message
    # ("Maximum entity amplification factor exceeded"). A UTF-16 or UTF-32 document is read as text first: its
    # "<!DOCTYPE" is not those bytes. (An ASCII-compatible encoding writes them as ASCII does.)
    scanned = _as_utf8(data)
    match = _PROLOG_DOCTYPE.match(scanned)
    if match and scanned.find(b"<!ENTITY", match.end()) != -1:
        raise ParseError(locator, ENTITY_REFUSAL)
    try:
        root = etree.fromstring(data, _parser(keep_whitespace))
    except etree.XMLSyntaxError as exc:
        kind = "malformed XML" if _STARTS_LIKE_XML.match(data) else "not XML"
        # One line, as every reason is: libxml2 ends some messages with a newline, and quotes the document on
        # the next lines for others ("CData section not finished\n <p>TITLE I...").
        raise ParseError(locator, f"{kind}: {' '.join(str(exc).split())}") from None
    if root is None:  # lxml returns None for a document that has no element at all
        raise ParseError(locator, "not XML: no root element")
    # A guard behind the scan (an encoding it does not know, such as EBCDIC): the parsed internal subset.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
        raise ParseError(locator, ENTITY_REFUSAL)
    return root


# Byte order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one): codec, bytes per character.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", 4),
    (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (codecs.BOM_UTF8, "utf-8", 1),
    (codecs.BOM_UTF16_LE, "utf-16-le", 2),
    (codecs.BOM_UTF16_BE, "utf-16-be", 2),
)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']""")


def _wide_encoding(data: bytes) -> tuple[str, int, int] | None:
    """The codec, byte order mark length and bytes per character of a UTF-16 or UTF-32 document (XML 1.0
    appendix F: a byte order mark, else "<" and NUL bytes), else None."""
    for bom, codec, width in _BOMS:
        if data.startswith(bom):
            return (codec, len(bom), width) if width > 1 else None
    if data[:4] in (b"<\x00\x00\x00", b"\x00\x00\x00<"):
        return ("utf-32-le" if data[0] == 0x3C else "utf-32-be"), 0, 4
    if data[:2] in (b"<\x00", b"\x00<"):
        return ("utf-16-le" if data[0] == 0x3C else "utf-16-be"), 0, 2
    return None


def _as_utf8(data: bytes) -> bytes:
    """The document as UTF-8 bytes for the byte scan: a UTF-16 or UTF-32 one transcoded, any other as it is."""
    wide = _wide_encoding(data)
    if wide is None:
        return data
    codec, skip, _ = wide
    return data[skip:].decode(codec, "ignore").encode("utf-8")


def xml_head(data: bytes, chars: int = 4096) -> str:
    """About the first ``chars`` characters of an XML document as text, for sniffing what it is.

    The encoding is found as XML 1.0 (appendix F) has a parser find it: a byte order mark (UTF-8, UTF-16 and
    UTF-32, either byte order), else UTF-16 or UTF-32 recognised by its "<" and NUL bytes, else the declaration's
    ``encoding`` when it names an ASCII-compatible codec Python knows, else UTF-8. Bytes that do not decode are
    dropped: this says what a document looks like, the parser still decides whether it is well formed.
    """
    if (wide := _wide_encoding(data)) is not None:
        codec, skip, width = wide
        return data[skip:skip + width * chars].decode(codec, "ignore")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):len(codecs.BOM_UTF8) + chars].decode("utf-8", "ignore")
    head = data[:chars]
    declared = _DECLARED_ENCODING.match(head)
    codec = "utf-8"
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            if "<?xml".encode(name) == b"<?xml":  # a declaration read as ASCII cannot name UTF-16
                codec = name
        except (LookupError, UnicodeError):
            pass
    return head.decode(codec, "ignore")
