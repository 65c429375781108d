"""CSV: one row per bill, UTF-8 with a byte-order mark so Excel shows accents, RFC 4180 quoting and CRLF.

Text cells a spreadsheet would read as a formula (leading ``=``, ``+``, ``-``, ``@``, tab, CR) get a leading
apostrophe: CSV has no cell types, so that is the only way to keep them text when the file is opened. So does
each part after a ";", which Excel takes for the separator in most of Europe.
"""

import csv
import io
from typing import Any

from tracker.exports.columns import COLUMNS
from tracker.exports.packet import Packet
from tracker.exports.safety import neutralize_formula


def _cell(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "date":
        return value.isoformat()
    if kind == "int":
        return str(int(value))
    return neutralize_formula(str(value))


def write_csv(packet: Packet) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect="excel", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.header for c in COLUMNS])
    for bill in packet.bills:
        writer.writerow([_cell(c.kind, c.get(bill)) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
