"""``tracker alerts``: subscriptions, sending what is due, the delivery log, feeds and their server."""

import json
import logging
import sys
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import or_, select
from sqlmodel import Session

from tracker import db, users
from tracker.alerts import delivery, feeds, subscriptions
from tracker.alerts.settings import AlertConfigError, alert_settings, smtp_settings
from tracker.cli_common import EXIT_NOT_FOUND, EXIT_PARTIAL
from tracker.cli_common import fail as _fail
from tracker.cli_common import migrated_engine as _engine
from tracker.models import SavedFilter
from tracker.terminal import SafeConsole, whole_column

alerts_app = typer.Typer(help="Email digests, instant alerts and feeds for the bills people follow.",
                         no_args_is_help=True)
out = SafeConsole()
err = SafeConsole(stderr=True)

KINDS = ", ".join(subscriptions.EVENT_KINDS)


def _say(message: str) -> None:
    out.print(message, markup=False, highlight=False, soft_wrap=True)


TopicOpt = Annotated[list[str] | None, typer.Option("--topic", help="Topic slug or name (repeatable).")]
PositionOpt = Annotated[list[str] | None, typer.Option("--position", help="Council stance, e.g. Oppose (repeatable).")]
WatchlistOpt = Annotated[list[str] | None, typer.Option("--watchlist", help="Watchlist name or id (repeatable).")]
BillOpt = Annotated[list[str] | None, typer.Option("--bill", help="Bill id or identifier (repeatable).")]
JurisdictionOpt = Annotated[list[str] | None, typer.Option("--jurisdiction", help="Jurisdiction code (repeatable).")]
SessionOpt = Annotated[str | None, typer.Option("--session", help="Session of the --bill numbers (e.g. 117), to pick "
                                                "one when a number recurs (HR 1 of every Congress).")]


def _targets(topic: list[str] | None, position: list[str] | None, watchlist: list[str] | None,
             bill: list[str] | None, jurisdiction: list[str] | None) -> list[tuple[str, str]]:
    return ([("topic", t) for t in topic or []] + [("position", t) for t in position or []]
            + [("watchlist", t) for t in watchlist or []] + [("bill", t) for t in bill or []]
            + [("jurisdiction", t) for t in jurisdiction or []])


def _check_session(session: str | None, bill: list[str] | None) -> None:
    if session is not None and not bill:
        raise _fail("--session picks the session of a --bill number; give the --bill it is for.")


def _bills_picked(s: Session, targets: list[tuple[str, str]], session: str | None) -> list[tuple[str, str]]:
    """Each --bill as the id of the one bill it names (in ``session`` when given), as `tracker bills show` reads
    a number: none exits 4; several exit 2 listing each with the --session that picks it, and its id."""
    from tracker.queries import bill_choices, find_bills

    picked = []
    for kind, target in targets:
        if kind == "bill":
            ids = find_bills(s, target, session_identifier=session)
            where = f" in session {session!r}" if session else ""
            if not ids:
                raise _fail(f"No bill matches {target!r}{where}.", EXIT_NOT_FOUND)
            if len(ids) > 1:
                choices = "; ".join(f"{c['id']} (--session {c['session']}: {c['jurisdiction']} {c['identifier']}, "
                                    f"{c['title'][:60]})" for c in bill_choices(s, ids)[:20])
                raise _fail(f"{target!r} matches {len(ids)} bills{where}; pick one by --session or by id: {choices}")
            target = str(ids[0])
        picked.append((kind, target))
    return picked


@alerts_app.command("subscribe")
def subscribe_cmd(
    email: Annotated[str, typer.Argument(help="The person's account email.")],
    topic: TopicOpt = None, position: PositionOpt = None, watchlist: WatchlistOpt = None, bill: BillOpt = None,
    jurisdiction: JurisdictionOpt = None, session: SessionOpt = None,
    cadence: Annotated[str, typer.Option(help="instant, daily or weekly.")] = "daily",
    events: Annotated[str | None, typer.Option(help=f"Only these event kinds, comma-separated: {KINDS}.")] = None,
) -> None:
    """Follow topics, positions, watchlists, bills or jurisdictions (again: changes cadence/events)."""
    targets = _targets(topic, position, watchlist, bill, jurisdiction)
    if not targets:
        raise _fail("Say what to follow: --topic, --position, --watchlist, --bill or --jurisdiction.")
    _check_session(session, bill)
    wanted = [e.strip() for e in (events or "").split(",") if e.strip()]
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            targets = _bills_picked(s, targets, session)
            for kind, target in targets:
                sub = subscriptions.subscribe(s, user=user, kind=kind, target=target, cadence=cadence, events=wanted)
                _say(f"{user.email} follows {kind} {sub.target} ({sub.cadence}"
                     + (f"; only {', '.join(sub.events)}" if sub.events else "") + ").")
    except subscriptions.NoSuchBill as exc:
        raise _fail(str(exc), EXIT_NOT_FOUND) from None
    except (users.UserError, subscriptions.SubscriptionError) as exc:
        raise _fail(str(exc)) from None


@alerts_app.command("unsubscribe")
def unsubscribe_cmd(
    email: Annotated[str, typer.Argument()],
    topic: TopicOpt = None, position: PositionOpt = None, watchlist: WatchlistOpt = None, bill: BillOpt = None,
    jurisdiction: JurisdictionOpt = None, session: SessionOpt = None,
    everything: Annotated[bool, typer.Option("--all", help="Remove every subscription of this person.")] = False,
) -> None:
    """Stop following some things (or --all)."""
    targets = _targets(topic, position, watchlist, bill, jurisdiction)
    if not targets and not everything:
        raise _fail("Say what to stop following, or --all.")
    _check_session(session, bill)
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            targets = _bills_picked(s, targets, session)
            if everything:
                removed = subscriptions.unsubscribe(s, user=user)
            else:
                removed = sum(subscriptions.unsubscribe(s, user=user, kind=k, target=t) for k, t in targets)
            _say(f"Removed {removed} subscription(s) of {user.email}.")
    except subscriptions.NoSuchBill as exc:
        raise _fail(str(exc), EXIT_NOT_FOUND) from None
    except (users.UserError, subscriptions.SubscriptionError) as exc:
        raise _fail(str(exc)) from None


@alerts_app.command("defaults")
def defaults_cmd(email: Annotated[str, typer.Argument()],
                 force: Annotated[bool, typer.Option(help="Add missing defaults even if given before.")]
                 = False) -> None:
    """Give a person their role's default subscriptions (also done automatically, once, by `send`)."""
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            made = subscriptions.apply_role_defaults(s, user=user, force=force)
            if not subscriptions.ROLE_DEFAULTS.get(user.role):
                _say(f"The {user.role} role has no default subscriptions: {user.email} follows what they choose "
                     "(`tracker alerts subscribe`).")
            else:
                _say(f"{len(made)} default subscription(s) added for {user.email} ({user.role}).")
    except users.UserError as exc:
        raise _fail(str(exc)) from None


@alerts_app.command("list")
def list_cmd(email: Annotated[str | None, typer.Argument(help="Only this person.")] = None,
             as_json: Annotated[bool, typer.Option("--json", help="As JSON, for scripts.")] = False) -> None:
    """Subscriptions, deliveries waiting for a digest, and the latest digests."""
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email) if email else None
            subs = subscriptions.list_subscriptions(s, user=user)
            pending = delivery.pending_counts(s)
            log = delivery.delivery_log(s, user_id=user.id if user else None, limit=10)
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    waiting = {k: n for k, n in pending.items() if user is None or k == user.email}
    if as_json:
        sys.stdout.write(json.dumps({"subscriptions": [asdict(v) for v in subs], "waiting": waiting,
                                     "digests": log}, indent=2, default=str) + "\n")
        return
    if subs:
        table = Table("id", whole_column("email", [v.email for v in subs]), "follows", "cadence", "events", "since",
                      title="Subscriptions")
        for v in subs:
            # Cells are Text, never Rich markup: labels name watchlists anyone may create ("[/]" crashed the table).
            table.add_row(str(v.id), Text(v.email), Text(v.label), v.cadence, ", ".join(v.events) or "all",
                          v.created_at)
        out.print(table)
    else:  # an empty frame said nothing to a new admin: say so, and how to follow something
        _say((f"{user.email} has no" if user else "No") + " subscriptions yet. Each person adds their own on "
             "the dashboard's Alerts page; from here, for anyone: `tracker alerts subscribe EMAIL "
             "--topic SLUG` (or --bill, --watchlist, --position, --jurisdiction).")
    if waiting:
        _say("Waiting for the next digest: " + ", ".join(f"{k} ({n})" for k, n in sorted(waiting.items())))
    _print_log(log, title="Latest digests", empty="No digests sent yet.")


def _print_log(rows: list[dict], *, title: str, empty: str) -> None:  # type: ignore[type-arg]
    if not rows:
        _say(empty)
        return
    table = Table("digest", whole_column("email", [r["email"] for r in rows]), "status", "items", "attempts", "created",
                  "sent / next try", "details", title=title)
    for r in rows:
        when = r["sent_at"] or r["next_attempt_at"]
        table.add_row(str(r["id"]), Text(r["email"]), r["status"], f"{r['items']} on {r['bills']} bill(s)",
                      str(r["attempts"]), r["created_at"].isoformat(timespec="minutes"),
                      when.isoformat(timespec="minutes") if when else "", Text((r["last_error"] or "")[:200]))
    out.print(table)


@alerts_app.command("log")
def log_cmd(status: Annotated[str | None, typer.Option(
                help=f"Only digests in this status: {', '.join(delivery.DIGEST_STATUSES)}.")] = None,
            limit: Annotated[int, typer.Option(min=1)] = 50) -> None:
    """The delivery log: every digest with its status, attempts and last error (or why it was skipped)."""
    if status is not None and status not in delivery.DIGEST_STATUSES:  # a typo is not an empty log
        raise _fail(f"Unknown status {status!r}; one of: {', '.join(delivery.DIGEST_STATUSES)}")
    with db.session_scope(_engine()) as s:
        rows = delivery.delivery_log(s, status=status, limit=limit)
    _print_log(rows, title="Digests", empty=f"No {status} digests." if status else "No digests sent yet.")


@alerts_app.command("send")
def send_cmd(now: Annotated[bool, typer.Option("--now", help="Send everything pending, whatever its cadence.")]
             = False) -> None:
    """Collect new changes and send the digests that are due (what the scheduled job does)."""
    try:
        smtp, cfg = smtp_settings(), alert_settings()
    except AlertConfigError as exc:
        raise _fail(str(exc)) from None
    report = delivery.run_alerts(_engine(), everything=now, smtp=smtp, cfg=cfg)
    _say(f"{report.events} new event(s), {report.deliveries} new deliveries, {report.digests} digest(s); "
         f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"
         + (f", {report.cancelled} cancelled (deactivated or unsubscribed since)" if report.cancelled else "")
         + (f", {report.skipped} skipped (nothing new for the reader)" if report.skipped else "") + ".")
    for line in report.errors:
        err.print(line, markup=False, highlight=False, soft_wrap=True)
    if report.errors:
        raise typer.Exit(EXIT_PARTIAL)


@alerts_app.command("retry")
def retry_cmd(digest_id: Annotated[int, typer.Argument(help="Digest id from `tracker alerts log`.")]) -> None:
    """Queue a failed, uncertain or cancelled digest again (it goes out with the next `send`)."""
    try:
        with db.session_scope(_engine()) as s:
            delivery.retry_digest(s, digest_id=digest_id)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    _say(f"Digest {digest_id} queued again.")


@alerts_app.command("resume")
def resume_cmd(email: Annotated[str, typer.Argument()]) -> None:
    """Turn alert email back on for someone who used the unsubscribe link (at their request)."""
    try:
        with db.session_scope(_engine()) as s:
            subscriptions.resume_email(s, user=users.get_user(s, email))
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    _say(f"Alert email is on again for {email}.")


@alerts_app.command("token")
def token_cmd(email: Annotated[str, typer.Argument()],
              rotate: Annotated[bool, typer.Option(help="Replace the secret: old feed URLs stop working.")]
              = False) -> None:
    """Print a person's feed URLs (they contain their secret, shown only when it is made: the database keeps
    its hash)."""
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            made = rotate or subscriptions.profile(s, user).feed_token_hash is None
            token = subscriptions.rotate_feed_token(s, user=user) if made else feeds.SECRET_PLACEHOLDER
            urls = feeds.feed_urls(s, user=user, token=token)
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    for label, url in urls.items():
        _say(f"{label}: {url}")
    if not made:
        _say(f"{email} has a feed secret already; only its hash is stored, so it cannot be shown again. "
             f"--rotate makes a new one (the URLs handed out before stop working).")


@alerts_app.command("feed")
def feed_cmd(
    email: Annotated[str, typer.Argument()],
    saved_filter: Annotated[str | None, typer.Option("--filter", help="Saved filter name or id.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="atom or rss.")] = "atom",
    hearings: Annotated[bool, typer.Option("--hearings", help="The hearing calendar (ICS) instead.")] = False,
) -> None:
    """Print a feed to stdout, as the feed server would serve it to this person."""
    if not hearings and not saved_filter:
        raise _fail("Give --filter NAME|ID or --hearings.")
    if fmt not in ("atom", "rss"):
        raise _fail("--format is atom or rss.")
    cfg = alert_settings()
    try:
        with db.session_scope(_engine()) as s:
            user = users.get_user(s, email)
            if hearings:
                body = feeds.render_ics(s, user=user, cfg=cfg)
            else:
                assert saved_filter is not None
                query = select(SavedFilter.id).where(or_(SavedFilter.owner_id == user.id, SavedFilter.shared))
                query = query.where(SavedFilter.id == int(saved_filter)) if saved_filter.isdigit() else \
                    query.where(SavedFilter.name == saved_filter)
                filter_id = s.execute(query.order_by(SavedFilter.owner_id != user.id)).scalars().first()
                if filter_id is None:
                    raise _fail(f"No saved filter {saved_filter!r} that {user.email} can read.")
                token = feeds.SECRET_PLACEHOLDER  # only its hash is stored
                saved, entries = feeds.filter_entries(s, user=user, filter_id=filter_id, cfg=cfg)
                render = feeds.render_atom if fmt == "atom" else feeds.render_rss
                body = render(saved, entries, self_url=f"{cfg.feeds_url}/feeds/{token}/filters/{filter_id}.{fmt}",
                              cfg=cfg)
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


@alerts_app.command("serve")
def serve_cmd(host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8502) -> None:
    """Serve the feeds and the unsubscribe link (TRACKER_FEEDS_URL should point here)."""
    from tracker.alerts.server import make_server

    logging.getLogger("tracker.alerts").setLevel(logging.INFO)
    engine = _engine()
    try:
        server = make_server(engine, host=host, port=port)
    except OSError as exc:  # the port is taken, the address is not this machine's...
        raise _fail(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    _say(f"Feeds and unsubscribe links on http://{host}:{port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
