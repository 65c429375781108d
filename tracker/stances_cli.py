"""``tracker stances``: the position vocabulary and which way each stance counts on the legislator scorecard.

    tracker stances list [--json]
    tracker stances set-scorecard "Support if amended" yes     (yes, no, or none to leave its bills out)
"""

from typing import Annotated

import typer

stances_app = typer.Typer(help="The position vocabulary and how each stance counts on the scorecard.",
                          no_args_is_help=True)


@stances_app.command("list")
def list_cmd(as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """Every stance, in order, and which member vote is with us on its bills."""
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session

    from tracker.cli_common import migrated_engine, out, print_json
    from tracker.stances import list_stances

    with Session(migrated_engine()) as s:
        rows = list_stances(s)
    if as_json:
        print_json(rows)
        return
    table = Table("stance", "active", "on the scorecard")
    for row in rows:
        table.add_row(Text(row["name"]), "yes" if row["active"] else "no", row["counts as"])
    out.print(table)


@stances_app.command("set-scorecard")
def set_scorecard_cmd(
    name: Annotated[str, typer.Argument(help="The stance, as listed (quote names with spaces).")],
    side: Annotated[str, typer.Argument(help="yes (a member's yes is with us), no, or none (not scored).")],
) -> None:
    """Set which member vote is with us on the bills holding a stance; every scorecard follows at once."""
    from tracker import db
    from tracker.cli_common import fail, migrated_engine, out
    from tracker.stances import StanceError, set_scorecard_vote

    try:
        with db.session_scope(migrated_engine()) as s:
            row = set_scorecard_vote(s, actor=None, name=name, vote=side)
    except StanceError as exc:
        raise fail(str(exc)) from None
    out.print(f"{row['name']}: {row['counts as']}", markup=False, highlight=False, soft_wrap=True)
