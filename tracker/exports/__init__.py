"""Briefing packets: chosen bills as branded PDF, Word, Excel, CSV or JSON files.

``build_packet(session, selection, fmt, branding)`` is the one entry point (CLI ``tracker export`` and the
dashboard's download buttons): selection.py picks the bills in SQL, packet.py gathers their data once, and one
writer module per format lays it out.
"""

from tracker.exports.branding import Branding, branding_from_mapping, load_branding
from tracker.exports.build import FORMATS, build_packet, get_format, packet_filename, prepare_packet
from tracker.exports.errors import BrandingError, EmptyPacketError, ExportError, SelectionError
from tracker.exports.selection import Selection, resolve_bill_refs, resolve_selection

__all__ = [
    "FORMATS",
    "Branding",
    "BrandingError",
    "EmptyPacketError",
    "ExportError",
    "Selection",
    "SelectionError",
    "branding_from_mapping",
    "build_packet",
    "get_format",
    "load_branding",
    "packet_filename",
    "prepare_packet",
    "resolve_bill_refs",
    "resolve_selection",
]
