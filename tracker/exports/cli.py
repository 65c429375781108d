"""``tracker export``: write a briefing packet for a selection of bills.

    tracker export --format pdf --topic ai --position support -o packet.pdf
    tracker export --watchlist "Q3 meetings" -o q3.docx            (format from the file name)
    tracker export --bill "HR 3684" --bill 42 --format json -o -    (to standard output)
    tracker export --committee "House Energy and Commerce" --position support -o ec.pdf   (a committee meeting)
    tracker export --hearing-on 2026-03-04 -o hearings.pdf          (the bills on that day's hearing agendas)
    tracker export --saved-filter "Morning AI" --owner ana@example.org -o ai.pdf   (a dashboard saved filter)

Exit codes as for every command (tracker.cli_common): 1 the file could not be written, 2 bad input (unknown
topic, bad branding, a --format the file name contradicts...), 3 database not migrated, 4 no bill matches the
selection or a --bill (no file is written).
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from tracker.cli_common import TEXT_FILTER_HELP
from tracker.exports.build import DEFAULT_TITLE, FORMATS, get_format, packet_filename, prepare_packet
from tracker.exports.errors import EmptyPacketError, ExportError, NoSuchBill, SelectionError
from tracker.exports.selection import ORDERS, Selection, resolve_bill_refs

export_app = typer.Typer(
    help="Write a briefing packet (PDF, Word, Excel, CSV or JSON) for chosen bills.", no_args_is_help=False
)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves a half-written or empty packet."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp makes the file private (0600); give it the mode any new file would get, or the old one's.
        if path.exists():
            mode = path.stat().st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


@export_app.command()  # the app's only command: `tracker export` is the command itself, not a group
def export(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"One of {', '.join(FORMATS)} (default: from the output file's extension, else pdf).",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write; '-' for standard output (default: briefing-packet-DATE.EXT here).",
        ),
    ] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Topic slug or name (repeatable: any of).")] = None,
    position: Annotated[list[str] | None, typer.Option(help="Council position, e.g. support (repeatable).")] = None,
    priority: Annotated[list[str] | None, typer.Option(help="High, Medium or Low (repeatable).")] = None,
    jurisdiction: Annotated[list[str] | None, typer.Option(help="Jurisdiction code, e.g. us (repeatable).")] = None,
    watchlist: Annotated[list[str] | None, typer.Option(help="Watchlist name or id (repeatable): shared, or "
                                                          "--owner's.")] = None,
    sponsor: Annotated[
        list[str] | None,
        typer.Option(help="Legislator who sponsors or cosponsors the bill: member id (S000510) or words of the "
                          "name ('Adam Smith'); withdrawn cosponsors do not count (repeatable: any of)."),
    ] = None,
    committee: Annotated[
        list[str] | None,
        typer.Option(help="Committee the bill was referred to: code (hsif00) or words of the name with the chamber "
                          "('House Energy and Commerce'); a subcommittee picks its bills (repeatable: any of)."),
    ] = None,
    hearing_on: Annotated[
        list[str] | None,
        typer.Option(help="A day (YYYY-MM-DD): bills on the agenda of a hearing held that day, cancelled ones aside "
                          "(repeatable: any of)."),
    ] = None,
    bill: Annotated[
        list[str] | None,
        typer.Option(help="Bill id or identifier such as 'HR 3684' (repeatable); kept in the order given."),
    ] = None,
    saved_filter: Annotated[
        str | None,
        typer.Option(help="A filter saved on the dashboard's triage or search page (shared, or --owner's)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Email of the user whose private saved filters and watchlists the "
                                 "selection may also name.")
    ] = None,
    session: Annotated[str | None, typer.Option(help="Session identifier, e.g. 117.")] = None,
    stage: Annotated[list[str] | None, typer.Option(help="Normalized stage, e.g. in_committee (repeatable).")] = None,
    text: Annotated[str | None, typer.Option(help=TEXT_FILTER_HELP)] = None,
    all_bills: Annotated[bool, typer.Option("--all", help="Every stored bill (with no other criteria).")] = False,
    order: Annotated[
        str | None,
        typer.Option(help=f"Bill order: {', '.join(ORDERS)} (default: priority; the given order for --bill)."),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many bills.")] = None,
    title: Annotated[str | None, typer.Option(help=f"Packet title (default: '{DEFAULT_TITLE}').")] = None,
    notes: Annotated[
        bool, typer.Option("--notes", help="Add each bill's staff notes (internal: the cover says so).")
    ] = False,
) -> None:
    """Write a briefing packet (PDF, Word, Excel, CSV or JSON) for chosen bills; criteria combine (all must hold)."""
    from sqlmodel import Session

    from tracker.cli import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_USAGE, _engine, err, out
    from tracker.exports.branding import load_branding
    from tracker.models.enums import Stage
    from tracker.queries import BillFilter

    to_stdout = output == "-"
    target = None if to_stdout or output is None else Path(output)
    name = fmt or (
        target.suffix.lstrip(".") if target is not None and target.suffix.lstrip(".").lower() in FORMATS else "pdf"
    )
    try:
        spec = get_format(name)
    except ExportError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    bad_stages = [s for s in stage or [] if s not in Stage.__members__]
    if bad_stages:
        message = f"Unknown stage {', '.join(bad_stages)}; one of: {', '.join(Stage.__members__)}"
        err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    suffix = target.suffix.lstrip(".").lower() if target is not None else ""
    if fmt and suffix in FORMATS and suffix != spec.name:
        # A PDF saved as "q3.docx" opens in nothing: Word refuses it and the PDF viewer is never offered.
        message = (
            f"--format {spec.name} does not match the file name {target}: "
            f"name it *{spec.extension}, or drop --format."
        )
        err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    if target is None and not to_stdout:
        target = Path(packet_filename(spec.name, title=title))
    if target is not None and target.is_dir():
        example = target / packet_filename(spec.name, title=title)
        message = f"Cannot write {target}: it is a folder; name a file in it, e.g. {example}."
        err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    if target is not None and not target.parent.is_dir():
        message = f"Cannot write {target}: folder {target.parent} does not exist."
        err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)

    hearing_dates: list[dt.date] = []
    for day in hearing_on or []:
        try:
            hearing_dates.append(dt.date.fromisoformat(day.strip()))
        except ValueError:
            message = f"--hearing-on {day!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04."
            err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_USAGE) from None
    flt = BillFilter(session=session, stage=tuple(stage or ()), text=text) if (session or stage or text) else None
    try:
        branding = load_branding()
        with Session(_engine()) as s:
            user_id = None
            if owner:
                from sqlalchemy import func, select

                from tracker.models import User

                user_id = s.execute(
                    select(User.id).where(func.lower(User.email) == owner.strip().lower())
                ).scalar_one_or_none()
                if user_id is None:
                    raise SelectionError(f"No user with email {owner!r}.")
            bill_ids: tuple[int, ...] = ()
            if bill:
                juris = jurisdiction[0] if jurisdiction and len(jurisdiction) == 1 else None
                bill_ids = tuple(resolve_bill_refs(s, bill, jurisdiction=juris, session_identifier=session))
            selection = Selection(
                bills=bill_ids,
                topics=tuple(topic or ()),
                positions=tuple(position or ()),
                priorities=tuple(priority or ()),
                jurisdictions=tuple(jurisdiction or ()),
                watchlists=tuple(watchlist or ()),
                sponsors=tuple(sponsor or ()),
                committees=tuple(committee or ()),
                hearing_dates=tuple(hearing_dates),
                filter=flt,
                saved_filter=saved_filter,
                user_id=user_id,
                all_bills=all_bills,
                order=order,
                limit=limit,
            )
            packet = prepare_packet(s, selection, spec.name, branding, title=title, include_notes=notes)
        data = spec.write(packet)
    except EmptyPacketError as exc:
        err.print(f"[yellow]{escape(str(exc))}[/yellow]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except NoSuchBill as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except (SelectionError, ExportError) as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None

    n = len(packet.bills)
    summary = f"{n} bill{'s' if n != 1 else ''}, {_size(len(data))}" + (
        f" ({packet.selection})" if packet.selection else ""
    )
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        err.print(f"Wrote {spec.name.upper()} packet to standard output: {summary}", markup=False, highlight=False,
                  soft_wrap=True)
        return
    assert target is not None
    try:
        _write_atomically(target, data)
    except OSError as exc:  # no permission, a full disk, a read-only folder: the packet is built but not saved
        message = f"Cannot write {target}: {exc.strerror or exc}. No file was written."
        err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_PARTIAL) from None
    # The summary names watchlists and saved filters people wrote: "[draft]" is text here, not Rich markup.
    out.print(f"Wrote {target}: {summary}", markup=False, highlight=False, soft_wrap=True)
