"""``tracker key-votes``: the roll calls a scorecard may count, and staff's marks taking one in or leaving one out
(the dashboard's Scorecard page does the same; tracker.scorecard checks roles and versions for both).

    tracker key-votes list --jurisdiction ca --session 20252026 [--chamber lower] [--json]
    tracker key-votes mark ROLL_CALL include|exclude|default --by EMAIL --version N [--reason TEXT]
    tracker key-votes history ROLL_CALL [--json]

``--version`` is the mark version ``list`` showed (0: none yet): a mark someone saved since is not overwritten;
the command says whose it is and exits 1. Exit 2 for bad input or a role that may not mark, 4 for no such roll
call or nothing in scope.
"""

from typing import Annotated

import typer

key_votes_app = typer.Typer(help="Key votes of the scorecard: list the roll calls, mark one in or out.",
                            no_args_is_help=True)


@key_votes_app.command("list")
def list_cmd(
    jurisdiction: Annotated[str, typer.Option(help="Jurisdiction code, e.g. ca.")],
    session: Annotated[str, typer.Option(help="Session identifier, e.g. 20252026.")],
    chamber: Annotated[str | None, typer.Option(help="lower, upper or legislature.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
) -> None:
    """Every roll call on the session's bills with a scored position: whether it counts, and its mark."""
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session

    from tracker.cli import _engine, _stored_scope
    from tracker.cli_common import EXIT_NOT_FOUND, fail, out, print_json
    from tracker.scorecard import DECISION_WORDS, ScorecardError, roll_calls

    juris = _stored_scope(jurisdiction, session)
    assert juris is not None
    try:
        with Session(_engine()) as s:
            calls = roll_calls(s, jurisdiction=juris, session_identifier=session, chamber=chamber)
    except ScorecardError as exc:
        raise fail(str(exc)) from None
    if not calls:
        raise fail(f"No roll call on a bill with a Support- or Oppose-like position in {juris} {session}.",
                   EXIT_NOT_FOUND)
    if as_json:
        print_json(calls)
        return
    table = Table("roll call", "bill", "chamber", "date", "motion", "tally", "key vote", "mark", "version")
    for c in calls:
        mark = c["mark"]
        table.add_row(str(c["vote_event_id"]), Text(c["bill"]), c["chamber_name"] or "", c["date"] or "",
                      Text(c["motion"] or c["body"] or ""), f"{c['yes']}-{c['no']}" if c["yes"] is not None else "",
                      "yes" if c["key"] else "no",
                      Text(f"{DECISION_WORDS[mark['decision']]} by {mark['author'] or 'someone'}") if mark else "",
                      str(c["version"]))
    out.print(table)


@key_votes_app.command("mark")
def mark_cmd(
    roll_call: Annotated[int, typer.Argument(help="The roll call's id, as `list` shows it.")],
    decision: Annotated[str, typer.Argument(help="include (a key vote), exclude (not one) or default (the rule).")],
    by: Annotated[str, typer.Option("--by", help="Email of the staff member or admin making the mark.")],
    version: Annotated[int, typer.Option(help="The mark version `list` showed (0: no mark yet).")],
    reason: Annotated[str | None, typer.Option(help="Why (kept in the roll call's history).")] = None,
) -> None:
    """Take a roll call into the scorecard, leave it out, or let the final-passage rule decide again."""
    from tracker import db, users
    from tracker.cli_common import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_USAGE, fail, migrated_engine, out
    from tracker.permissions import PermissionDenied
    from tracker.scorecard import DECISION_WORDS, KeyVoteConflict, ScorecardError, mark_key_vote

    try:
        with db.session_scope(migrated_engine()) as s:
            actor = users.get_user(s, by)
            mark = mark_key_vote(s, actor=actor, vote_event_id=roll_call, decision=decision, reason=reason,
                                 expected_version=version)
    except KeyVoteConflict as exc:
        raise fail(str(exc), EXIT_PARTIAL) from None
    except ScorecardError as exc:
        raise fail(str(exc), EXIT_NOT_FOUND if str(exc).startswith("No roll call") else EXIT_USAGE) from None
    except (users.UserError, PermissionDenied) as exc:
        raise fail(str(exc)) from None
    out.print(f"Roll call {roll_call}: {DECISION_WORDS[mark['decision']]} (version {mark['version']}), "
              f"marked by {mark['author']}.", markup=False, highlight=False, soft_wrap=True)


@key_votes_app.command("history")
def history_cmd(roll_call: Annotated[int, typer.Argument(help="The roll call's id, as `list` shows it.")],
                as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False) -> None:
    """Every mark made on the roll call, newest first."""
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import Session

    from tracker.cli_common import EXIT_NOT_FOUND, fail, migrated_engine, out, print_json
    from tracker.scorecard import DECISION_WORDS, ScorecardError, key_vote_history

    try:
        with Session(migrated_engine()) as s:
            rows = key_vote_history(s, vote_event_id=roll_call)
    except ScorecardError as exc:
        raise fail(str(exc), EXIT_NOT_FOUND) from None
    if as_json:
        print_json(rows)
        return
    table = Table("version", "when", "who", "counts as", "why")
    for h in rows:
        table.add_row(str(h["version"]), h["marked_at"] or "", Text(h["author"] or ""),
                      DECISION_WORDS.get(h["decision"], h["decision"]), Text(h["reason"] or ""))
    out.print(table if rows else "No marks: the final-passage rule decides.")
