"""``tracker scorecard``: how each legislator voted on the key votes of bills the council supports or opposes.

    tracker scorecard --jurisdiction ca --session 20252026                 (a table here)
    tracker scorecard --jurisdiction ca --session 20252026 --chamber lower --csv --out assembly.csv
    tracker scorecard --jurisdiction ms --from 2014-01-01 --to 2014-03-31 --out q1.xlsx   (Excel, from the name)
    tracker scorecard --jurisdiction ca --session 20252026 --json

Key votes are chosen as tracker.scorecard says (each chamber's final floor passage, plus or minus staff's marks
on the dashboard's Scorecard page). Exit codes as for every command: 1 the file could not be written, 2 bad input
(unknown jurisdiction or session, a bad date, a format the file name contradicts), 4 no key vote in scope.
"""

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from tracker.scorecard import Scorecard

scorecard_app = typer.Typer(help="Legislator scorecard: votes with and against the council's positions.")


def _day(value: str | None, option: str) -> dt.date | None:
    from tracker.cli_common import fail

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-04.") from None


@scorecard_app.command()  # the app's only command: `tracker scorecard` is the command itself
def scorecard(
    jurisdiction: Annotated[str, typer.Option(help="Jurisdiction code, e.g. ca.")],
    session: Annotated[str | None, typer.Option(help="Session identifier, e.g. 20252026.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Roll calls on or after this day (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Roll calls on or before this day (YYYY-MM-DD).")] = None,
    chamber: Annotated[str | None, typer.Option(help="lower, upper or legislature: one chamber's members.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole scorecard as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV: one row per legislator, a column per key vote.")] = False,
    output: Annotated[str | None, typer.Option("--out", "-o", help="File to write (.csv, .xlsx or .json: the "
                                                                  "format follows the name); default: here.")] = None,
) -> None:
    """Score each legislator on the key votes: with us, against us, absent, and the share of votes cast with us."""
    from rich.markup import escape
    from rich.table import Table
    from sqlmodel import Session

    from tracker.cli import _engine, _stored_scope
    from tracker.cli_common import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_USAGE, fail, out, print_json
    from tracker.exports.cli import _write_atomically
    from tracker.scorecard import ScorecardError
    from tracker.scorecard import scorecard as build

    if as_json and as_csv:
        raise fail("Choose one of --json and --csv.")
    target = Path(output) if output and output != "-" else None
    fmt = "json" if as_json else "csv" if as_csv else None
    suffix = target.suffix.lower().lstrip(".") if target is not None else ""
    if target is not None:
        if suffix not in ("csv", "xlsx", "json"):
            raise fail(f"Cannot tell the format from {target}: name it *.csv, *.xlsx or *.json.")
        if fmt and fmt != suffix:
            raise fail(f"--{fmt} does not match the file name {target}: name it *.{fmt}, or drop --{fmt}.")
        fmt = suffix
        if not target.parent.is_dir():
            raise fail(f"Cannot write {target}: folder {target.parent} does not exist.")
    from tracker.models.enums import Chamber

    if chamber is not None and chamber not in {c.value for c in Chamber}:
        raise fail(f"Unknown chamber {chamber!r}; one of: {', '.join(c.value for c in Chamber)}.")
    first, last = _day(start, "--from"), _day(end, "--to")
    if session is None and first is None and last is None:
        raise fail("Name a --session, or a date range with --from and/or --to.")
    juris = _stored_scope(jurisdiction, session)
    assert juris is not None
    try:
        with Session(_engine()) as s:
            card = build(s, jurisdiction=juris, session_identifier=session, start=first, end=last, chamber=chamber)
    except ScorecardError as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    if not card.key_votes:
        raise fail(f"No key votes for {card.describe()}: no final floor vote (or marked roll call) on a bill with "
                   "a Support- or Oppose-like position.", EXIT_NOT_FOUND)

    if fmt == "json" and target is None:
        print_json(card.as_json())
        return
    if fmt is None:
        table = Table(title=f"Scorecard: {escape(card.describe())}, {len(card.key_votes)} key votes")
        for header in ("Legislator", "Party", "Chamber", "District", "With", "Against", "Absent", "Score"):
            table.add_column(header, justify="right" if header in ("With", "Against", "Absent", "Score") else "left")
        for m in card.legislators:
            table.add_row(escape(m.name), escape(m.party or ""), m.chamber_name or "", escape(m.district or ""),
                          str(m.with_us), str(m.against_us), str(m.absent),
                          "—" if m.score is None else f"{m.score:.1f}%")
        out.print(table)
        bare = [k.label for k in card.key_votes if not k.members]
        if bare:  # a feed that gave the tallies only: the vote counts for nobody until its members are imported
            out.print(f"{len(bare)} key vote(s) without members' votes stored, scoring nobody: {'; '.join(bare)}",
                      markup=False, highlight=False, soft_wrap=True)
        return
    data = _render(card, fmt)
    if target is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        _write_atomically(target, data)
    except OSError as exc:
        raise fail(f"Cannot write {target}: {exc.strerror or exc}. No file was written.", EXIT_PARTIAL) from None
    out.print(f"Wrote {target}: {len(card.legislators)} legislators, {len(card.key_votes)} key votes "
              f"({card.describe()})", markup=False, highlight=False, soft_wrap=True)


def _render(card: "Scorecard", fmt: str) -> bytes:
    import json

    from tracker.exports.scorecard import scorecard_file

    if fmt in ("csv", "xlsx"):
        return scorecard_file(card, fmt, actor=None)  # the command line: whoever runs it holds the database
    return (json.dumps(card.as_json(), indent=2, ensure_ascii=False, default=str) + "\n").encode()
