"""Feeds behind per-user secret tokens: Atom and RSS 2.0 for a saved filter, iCalendar for hearings.

A feed URL carries the person's feed secret, shown only when it is made (``tracker alerts token EMAIL``,
``--rotate``, "New secret" on the Alerts page): the database keeps only its SHA-256. A saved filter is readable by
its owner, or by anyone once it is shared. Feed readers poll, so the feeds are computed on request from the same
queries as the dashboard (tracker.triage, tracker.search).
"""

import datetime as dt
import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from tracker.alerts.hearings import HearingRow, read_hearings
from tracker.alerts.render import STAGE_WORDS, bill_url
from tracker.alerts.settings import AlertSettings, alert_settings
from tracker.alerts.subscriptions import in_force
from tracker.bill_text import web_url
from tracker.dates import hearing_moved_from, hearing_when, jurisdiction_zone
from tracker.deferrals import Deferred, called_off, deferred_to, is_deferred
from tracker.exports.safety import feed_text
from tracker.models import (
    AlertSubscription,
    Bill,
    BillMatch,
    LegislativeSession,
    Position,
    SavedFilter,
    Topic,
    User,
    Watchlist,
    WatchlistItem,
)
from tracker.models.base import utcnow
from tracker.names import by_name
from tracker.references import bill_reference

FEED_SIZE = 50
SECRET_PLACEHOLDER = "SECRET"  # in a feed URL shown when the secret cannot be (only its hash is stored)
ATOM = "http://www.w3.org/2005/Atom"


class FeedError(LookupError):
    """No such feed for this token (unknown token, filter, or a filter the person may not read)."""


@dataclass(frozen=True)
class FeedEntry:
    bill_id: int
    reference: str
    title: str
    url: str
    updated: dt.datetime
    summary: str


def _filter_bills(session: Session, saved: SavedFilter, user: User) -> list[dict[str, Any]]:
    p = saved.params or {}
    if saved.page == "search":
        from tracker.search import SearchFilter, search

        rows, _ = search(session, p.get("q") or "", SearchFilter.from_saved(p), limit=FEED_SIZE)
        return rows
    from tracker.triage import InboxFilter, inbox
    from tracker.visits import new_since_for

    # "Only new": since the feed reader's own last look at the inbox, whoever saved the filter.
    flt = InboxFilter.from_saved(p, assignee_id=user.id, new_from=new_since_for(session, reader_id=user.id).at)
    rows, _ = inbox(session, flt, limit=FEED_SIZE)
    return rows


def filter_entries(session: Session, *, user: User, filter_id: int,
                   cfg: AlertSettings | None = None) -> tuple[SavedFilter, list[FeedEntry]]:
    cfg = cfg or alert_settings()
    saved = session.get(SavedFilter, filter_id)
    if saved is None or not (saved.owner_id == user.id or saved.shared):
        raise FeedError(f"No saved filter {filter_id} for this feed token.")
    rows = _filter_bills(session, saved, user)
    changed = dict(session.execute(select(Bill.id, Bill.last_changed_at)
                                   .where(Bill.id.in_([r["id"] for r in rows]))).all())
    entries = []
    for r in rows:
        stage = STAGE_WORDS.get(r["stage"], r["stage"])
        latest = f"{r.get('latest_action_date') or ''} {r.get('latest_action_text') or ''}".strip()
        reference = bill_reference(r["jurisdiction"], r["session"], r["identifier"], session_name=r.get("session_name"))
        entries.append(FeedEntry(bill_id=r["id"], reference=reference,
                                 title=r["title"], url=bill_url(cfg.dashboard_url, r["id"]),
                                 updated=changed.get(r["id"]) or utcnow(),
                                 summary=f"Stage: {stage}." + (f" Latest action: {latest}" if latest else "")))
    entries.sort(key=lambda e: e.updated, reverse=True)
    return saved, entries


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def render_atom(saved: SavedFilter, entries: list[FeedEntry], *, self_url: str, cfg: AlertSettings) -> bytes:
    """Atom (RFC 4287); ElementTree escapes every upstream string."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: feed_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = feed_text(text)  # ElementTree writes a control character as is: not XML any more
        return el

    sub(feed, "id", f"{cfg.feeds_url}/filters/{saved.id}")
    sub(feed, "title", f"Policy Tracker: {saved.name}")
    sub(feed, "updated", _iso(max((e.updated for e in entries), default=saved.created_at)))
    sub(feed, "link", rel="self", href=self_url)
    sub(feed, "link", rel="alternate", href=f"{cfg.dashboard_url}/{saved.page}")
    author = sub(feed, "author")
    sub(author, "name", "Policy Tracker")
    for e in entries:
        entry = sub(feed, "entry")
        # The id changes when the bill does, so readers show a changed bill again.
        sub(entry, "id", f"{cfg.feeds_url}/bills/{e.bill_id}#{int(e.updated.timestamp())}")
        sub(entry, "title", f"{e.reference}: {e.title}")
        sub(entry, "link", rel="alternate", href=e.url)
        sub(entry, "updated", _iso(e.updated))
        sub(entry, "summary", e.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _html(text: str) -> str:
    """Text as HTML shows it: what an RSS description holds."""
    return html.escape(text, quote=False)


def render_rss(saved: SavedFilter, entries: list[FeedEntry], *, self_url: str, cfg: AlertSettings) -> bytes:
    """RSS 2.0. A description is HTML (entity-encoded: readers decode ElementTree's escaping, then render it), so
    its text is escaped as HTML first; a title is text, as in Atom."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (("title", f"Policy Tracker: {saved.name}"), ("link", f"{cfg.dashboard_url}/{saved.page}"),
                      ("description", _html(f"Bills matching the saved filter {saved.name!r}")),
                      ("lastBuildDate", format_datetime(utcnow()))):
        ET.SubElement(channel, tag).text = feed_text(text)
    for e in entries:
        item = ET.SubElement(channel, "item")
        # One control character in one bill's title made the whole feed unreadable: XML may not hold it.
        ET.SubElement(item, "title").text = feed_text(f"{e.reference}: {e.title}")
        ET.SubElement(item, "link").text = e.url
        # A latest action holding <img onerror=...> was drawn, and run, by the reader.
        ET.SubElement(item, "description").text = _html(feed_text(e.summary))
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = f"bill-{e.bill_id}-{int(e.updated.timestamp())}"
        ET.SubElement(item, "pubDate").text = format_datetime(e.updated.astimezone(dt.UTC))
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


# -- hearings calendar --------------------------------------------------------------------------------------

def tracked_bill_ids(session: Session, user: User) -> list[int]:
    """Bills the person follows: what their subscriptions cover, and the bills on their own watchlists."""
    subs = in_force(session, list(session.execute(select(AlertSubscription).where(
        AlertSubscription.user_id == user.id, AlertSubscription.active)).scalars()))
    parts: list[Any] = [select(WatchlistItem.bill_id).join(Watchlist).where(Watchlist.owner_id == user.id)]
    by_kind: dict[str, list[str]] = {}
    for sub in subs:
        by_kind.setdefault(sub.kind, []).append(sub.target)
    if by_kind.get("bill"):
        parts.append(select(Bill.id).where(Bill.id.in_([int(t) for t in by_kind["bill"]])))
    if by_kind.get("watchlist"):
        parts.append(select(WatchlistItem.bill_id).where(WatchlistItem.watchlist_id.in_(
            [int(t) for t in by_kind["watchlist"]])))
    if by_kind.get("position"):
        parts.append(select(Position.bill_id).where(Position.stance.in_(by_kind["position"])))
    if by_kind.get("topic"):
        parts.append(select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
                     .where(BillMatch.flagged, Topic.slug.in_(by_kind["topic"])))
    if by_kind.get("jurisdiction"):
        parts.append(select(Bill.id).where(Bill.jurisdiction_id.in_(by_kind["jurisdiction"])))
    ids: set[int] = set()
    for query in parts:
        ids.update(session.execute(query).scalars())
    return sorted(ids)


def _ics_escape(text: str) -> str:
    text = feed_text(text)  # RFC 5545 TEXT holds no control characters, nor line separators
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued with CRLF and a space (never inside a character)."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return "\r\n ".join(part.decode() for part in out)


def _deferrals_carried_on(session: Session, by_hearing: dict[int, list[HearingRow]]) -> tuple[
        dict[int, int], dict[int, Deferred]]:
    """For each deferred meeting whose place another meeting in the calendar took (``tracker.deferrals``): that
    meeting (``instead``), and for each meeting the one whose event it carries on (``carried``, by hearing id).
    A meeting held in place of several deferred ones carries on the first; the others stay events of their own."""
    deferred = [(h, r.bill_id) for h, rows in by_hearing.items() for r in rows if is_deferred(r.cancelled, r.status)]
    found = deferred_to(session, deferred) if deferred else {}
    instead: dict[int, Deferred] = {}
    for (h, _), later in sorted(found.items(), key=lambda kv: (kv[0][0], kv[1].id)):
        if later.id in by_hearing and h not in instead:
            instead[h] = later
    carried: dict[int, int] = {}
    for h, later in sorted(instead.items()):
        carried.setdefault(later.id, h)
    return carried, instead


def render_ics(session: Session, *, user: User, cfg: AlertSettings | None = None,
               today: dt.date | None = None) -> bytes:
    """Hearings on the person's tracked bills, from 30 days back on; a time at the instant it is on its
    legislature's clock (floating only where that clock is unknown).

    One event per meeting, with a UID that stays: a meeting deferred and held later as another meeting (New York
    City's Legistar) is the same event moved there, with a higher SEQUENCE (RFC 5546: a change of DTSTART or
    STATUS raises it) and "Deferred from ..."; deferred with no new meeting known, it stays TENTATIVE ("Deferred"),
    where CANCELLED told calendars to drop a hearing only put off. The feed keeps no history, so SEQUENCE counts
    the changes the stored state shows (moved, called off, each deferral carried on), which only grow."""
    cfg = cfg or alert_settings()
    today = today or utcnow().date()
    bill_ids = tracked_bill_ids(session, user)
    hearings: list[HearingRow] = read_hearings(session, bill_ids=bill_ids, since=today - dt.timedelta(days=30)) \
        if bill_ids else []
    refs = {bid: (bill_reference(jur, sess, ident, session_name=name), title)
            for bid, jur, sess, ident, title, name in session.execute(
        select(Bill.id, Bill.jurisdiction_id, LegislativeSession.identifier, Bill.identifier, Bill.title,
               LegislativeSession.name)
        .join(LegislativeSession, LegislativeSession.id == Bill.session_id)
        .where(Bill.id.in_({h.bill_id for h in hearings})))} if hearings else {}
    host = cfg.feeds_url.split("://", 1)[-1].split("/", 1)[0].split(":")[0] or "policy-tracker"
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Policy Tracker//Hearings//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_escape('Hearings on tracked bills')}"]
    by_hearing: dict[int, list[HearingRow]] = {}
    for h in hearings:  # one event per hearing, naming every tracked bill on its agenda
        by_hearing.setdefault(h.id, []).append(h)
    carried, instead = _deferrals_carried_on(session, by_hearing)
    sequence: dict[int, int] = {}

    def revisions(hid: int) -> int:
        """How many times the stored state says this meeting's event changed (its chain of deferrals included)."""
        if hid not in sequence:
            sequence[hid] = 0  # a guard: a chain of deferrals never loops, but one would end here
            h = by_hearing[hid][0]
            own = int(h.previous_date is not None and h.previous_hearing_id is None) + int(h.cancelled)
            sequence[hid] = own + (revisions(carried[hid]) + 1 if hid in carried else 0)
        return sequence[hid]

    def first(hid: int) -> int:
        """The meeting whose event this one carries on (its UID), following deferrals back."""
        seen = {hid}
        while hid in carried and carried[hid] not in seen:
            hid = carried[hid]
            seen.add(hid)
        return hid

    def reference(bill_id: int) -> str:
        return refs.get(bill_id, (f"bill {bill_id}", ""))[0]

    for rows in sorted(by_hearing.values(), key=lambda rs: (rs[0].date, rs[0].id)):
        h = rows[0]
        later = instead.get(h.id)
        if later is not None and carried.get(later.id) == h.id:
            continue  # deferred: its event is the meeting held in its place
        start = h.start_time()
        lines += ["BEGIN:VEVENT", f"UID:hearing-{first(h.id)}@{host}", f"DTSTAMP:{stamp}",
                  f"SEQUENCE:{revisions(h.id)}"]
        if start is None:
            lines += [f"DTSTART;VALUE=DATE:{h.date:%Y%m%d}",
                      f"DTEND;VALUE=DATE:{h.date + dt.timedelta(days=1):%Y%m%d}"]
        elif (zone := jurisdiction_zone(h.jurisdiction_id)) is not None:
            # The instant, in UTC: floating, a 10:00 hearing in Sacramento showed at 10:00 on a Washington clock.
            begin = dt.datetime.combine(h.date, start, zone).astimezone(dt.UTC)
            lines += [f"DTSTART:{begin:%Y%m%dT%H%M%SZ}", f"DTEND:{begin + dt.timedelta(hours=1):%Y%m%dT%H%M%SZ}"]
        else:
            begin = dt.datetime.combine(h.date, start)
            lines += [f"DTSTART:{begin:%Y%m%dT%H%M%S}", f"DTEND:{begin + dt.timedelta(hours=1):%Y%m%dT%H%M%S}"]
        bills = [reference(r.bill_id) for r in rows]
        # The body first: each bill's reference ends in its session in parentheses.
        summary = "Hearing" + (f" ({h.body})" if h.body else "") + f": {', '.join(bills)}"
        notes: list[str] = []
        deferred = is_deferred(h.cancelled, h.status)
        if deferred:
            summary = f"Deferred: {summary}"
            notes.append(called_off(h.cancelled, h.status, h.jurisdiction_id, later) if later
                         else "Deferred, no new date yet")
        if (was := carried.get(h.id)) is not None:
            old = by_hearing[was][0]
            summary += f" (deferred from {old.date:%a} {old.date.day} {old.date:%b})"
            notes.append(f"Deferred from {hearing_when(old.date, old.time, old.jurisdiction_id)}")
            # Tracked bills of the deferred meeting not on this agenda: put off with no new meeting known.
            left = [reference(r.bill_id) for r in by_hearing[was] if r.bill_id not in {x.bill_id for x in rows}]
            if left:
                notes.append(f"Deferred with no new date: {', '.join(left)}")
        elif moved := hearing_moved_from(h.date, h.time, h.previous_date, h.previous_time, h.jurisdiction_id):
            notes.append(f"Moved from {moved}")
        about = [f"{reference(r.bill_id)}: {r.agenda_title or refs.get(r.bill_id, ('', ''))[1]}\n"
                 f"{bill_url(cfg.dashboard_url, r.bill_id)}" for r in rows]
        description = "\n\n".join(x for x in ("\n".join(notes), h.description, *about) if x)
        lines += [f"SUMMARY:{_ics_escape(summary)}", f"DESCRIPTION:{_ics_escape(description)}"]
        if h.location:
            lines.append(f"LOCATION:{_ics_escape(h.location)}")
        # A URL is written as is (not a TEXT value): one holding a line break or a control character would end
        # the line and let the feed add properties or events of its own. Such a URL is left out.
        if (url := web_url(h.url)) and " " not in url:
            lines.append(f"URL:{url}")
        # RFC 5545 3.8.1.11: a deferred meeting is not called off for good (TENTATIVE keeps it on calendars).
        status = "TENTATIVE" if deferred else "CANCELLED" if h.cancelled else "CONFIRMED"
        lines += [f"STATUS:{status}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def feed_urls(session: Session, *, user: User, token: str, cfg: AlertSettings | None = None) -> dict[str, str]:
    """Every feed URL of a person: one Atom and one RSS per saved filter they can read, and the calendar."""
    cfg = cfg or alert_settings()
    base = f"{cfg.feeds_url}/feeds/{token}"
    urls = {"hearings (ICS)": f"{base}/hearings.ics"}
    for f in sorted(session.execute(select(SavedFilter).where(or_(SavedFilter.owner_id == user.id,
                                                                  SavedFilter.shared))).scalars(),
                    key=lambda f: (f.page, by_name(f.name), f.id)):
        urls[f"{f.page}: {f.name} (Atom)"] = f"{base}/filters/{f.id}.atom"
        urls[f"{f.page}: {f.name} (RSS)"] = f"{base}/filters/{f.id}.rss"
    return urls
