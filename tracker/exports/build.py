"""``build_packet``: a selection in, the bytes of a finished file out. The CLI and the dashboard's download
buttons both come through here, so a packet is the same whichever door it leaves by."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlmodel import Session

from tracker.exports.branding import Branding, load_branding
from tracker.exports.errors import EmptyPacketError, ExportError
from tracker.exports.packet import HearingLookup, Packet, gather_packet
from tracker.exports.selection import Selection, resolve_selection
from tracker.models import User
from tracker.permissions import Action, require

DEFAULT_TITLE = "Legislative briefing packet"
MAX_DOCUMENT_BILLS = 1000  # a PDF or Word packet longer than this is a mistake, not a briefing


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    write: Callable[[Packet], bytes]
    document: bool  # laid-out pages (PDF, Word) rather than rows


def _pdf(packet: Packet) -> bytes:
    from tracker.exports.pdf import write_pdf

    return write_pdf(packet)


def _docx(packet: Packet) -> bytes:
    from tracker.exports.docx import write_docx

    return write_docx(packet)


def _xlsx(packet: Packet) -> bytes:
    from tracker.exports.xlsx import write_xlsx

    return write_xlsx(packet)


def _csv(packet: Packet) -> bytes:
    from tracker.exports.csvfile import write_csv

    return write_csv(packet)


def _json(packet: Packet) -> bytes:
    from tracker.exports.jsonfile import write_json

    return write_json(packet)


FORMATS: dict[str, Format] = {
    "pdf": Format("pdf", ".pdf", "application/pdf", _pdf, True),
    "docx": Format(
        "docx",
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _docx,
        True,
    ),
    "xlsx": Format(
        "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx, False
    ),
    "csv": Format("csv", ".csv", "text/csv; charset=utf-8", _csv, False),
    "json": Format("json", ".json", "application/json", _json, False),
}


def packet_filename(fmt: str, *, title: str | None = None, today: dt.date | None = None) -> str:
    """A file name for a download or a default output: ``briefing-packet-2025-03-04.pdf``, or the title's
    words (``q3-ai-bills-2025-03-04.pdf``) when one is given."""
    words = "".join(ch.lower() if ch.isalnum() else "-" for ch in (title or "")).strip("-")
    stem = "-".join(w for w in words.split("-") if w)[:60].strip("-") or "briefing-packet"
    return f"{stem}-{(today or dt.date.today()).isoformat()}{get_format(fmt).extension}"


def get_format(name: str) -> Format:
    fmt = FORMATS.get(name.lower().lstrip("."))
    if fmt is None:
        raise ExportError(f"Unknown format {name!r}; one of: {', '.join(FORMATS)}")
    return fmt


def prepare_packet(
    session: Session,
    selection: Selection,
    fmt: str,
    branding: Branding | None = None,
    *,
    title: str | None = None,
    generated_at: dt.datetime | None = None,
    hearing_lookup: HearingLookup | None = None,
    actor: User | None = None,
    include_notes: bool = False,
) -> Packet:
    """Resolve the selection and gather the data; raises EmptyPacketError rather than return no bills.

    ``actor``: the signed-in person exporting (the dashboard), who must be allowed to export, and whose private
    watchlists and saved filters the selection may name; None for the operator's command line, where
    ``selection.user_id`` (``--owner``) says whose private ones count. ``include_notes``: each bill's staff notes
    too (internal: off unless asked for)."""
    if actor is not None:
        require(actor, Action.export)
        selection = replace(selection, user_id=actor.id)
    spec = get_format(fmt)
    branding = branding or load_branding()
    resolved = resolve_selection(session, selection)
    if not resolved.bill_ids:
        what = resolved.description or "the selection"
        raise EmptyPacketError(f"No bills match {what}: nothing to export, so no file was written.")
    if spec.document and len(resolved.bill_ids) > MAX_DOCUMENT_BILLS:
        raise ExportError(
            f"{len(resolved.bill_ids)} bills match {resolved.description}; a {spec.name.upper()} "
            f"packet holds at most {MAX_DOCUMENT_BILLS}. Narrow the selection or set a limit (`--limit`, or "
            "\"At most\" on the Exports page); xlsx, csv and json take any number."
        )
    return gather_packet(
        session,
        resolved.bill_ids,
        title=(title or DEFAULT_TITLE).strip() or DEFAULT_TITLE,
        selection=resolved.description,
        criteria=resolved.criteria,
        branding=branding,
        generated_at=generated_at,
        hearing_lookup=hearing_lookup,
        include_notes=include_notes,
    )


def build_packet(
    session: Session,
    selection: Selection,
    fmt: str,
    branding: Branding | None = None,
    *,
    title: str | None = None,
    generated_at: dt.datetime | None = None,
    actor: User | None = None,
    include_notes: bool = False,
) -> bytes:
    """The finished file's bytes (``fmt``: pdf, docx, xlsx, csv, json); branding defaults to the config's.
    ``actor`` as for ``prepare_packet``."""
    packet = prepare_packet(session, selection, fmt, branding, title=title, generated_at=generated_at, actor=actor,
                            include_notes=include_notes)
    return get_format(fmt).write(packet)
