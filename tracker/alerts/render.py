"""The digest email: one per person, changes grouped by bill, a plain-text and an HTML part.

Everything that came from upstream (titles, action text, bill text snippets, people's rationales) is
escaped in the HTML part; matched terms in snippets (marked ``[[term]]`` by tracker.matching) are
highlighted after escaping. Bidi controls (tracker.bidi) are taken out of both parts and the headers.
"""

import datetime as dt
import html
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from tracker.bidi import without_bidi_controls
from tracker.dates import hearing_clock, hearing_when, weekday_date
from tracker.matching.engine import MARKED, quote_marks
from tracker.models.base import utcnow
from tracker.sources.states import one_chamber_body

STAGE_WORDS = {"introduced": "introduced", "in_committee": "in committee",
               "passed_origin_chamber": "passed its first chamber", "passed_both_chambers": "passed both chambers",
               "sent_to_executive": "sent to the executive", "enacted": "enacted", "vetoed": "vetoed",
               "failed": "failed", "withdrawn": "withdrawn"}
KIND_TITLES = {"flagged": "Newly flagged", "new_bill": "New bill", "stage_change": "Stage change",
               "new_action": "New action", "action_corrected": "Action corrected", "new_version": "New text",
               "title_change": "Title change", "sponsor_change": "Sponsors", "hearing": "Hearing scheduled",
               "position": "Position changed"}


def item_title(item: dict[str, Any], today: dt.date | None = None) -> str:
    """What an item of a digest is: its kind's title, "Hearing cancelled" for a hearing called off ("Hearing
    deferred" for one put off to be held later: New York City defers meetings, and "cancelled" read as the matter
    dropped), "Past hearing" for one whose day is over by ``today`` (the day the digest goes out): a weekly digest
    announced as "scheduled" hearings held days before it was sent; "Hearing moved" for one rescheduled."""
    payload = item.get("payload") or {}
    if item["kind"] == "hearing" and payload.get("cancelled"):
        return "Hearing deferred" if payload.get("deferred") else "Hearing cancelled"
    if item["kind"] == "hearing" and today is not None and str(payload.get("date") or "9999") < today.isoformat():
        return "Past hearing"
    if item["kind"] == "hearing" and payload.get("moved_from"):
        return "Hearing moved"  # not a second hearing: the one announced before, on another day or hour
    if item["kind"] == "position" and payload.get("withdrawn"):
        return "Position withdrawn"
    return KIND_TITLES.get(item["kind"], item["kind"])


# Within a bill: why it is in the digest first (newly flagged), then the council's own change (the headline: the
# bill leads the digest for it), a stage change, a hearing, then the rest in time order.
KIND_ORDER = {"flagged": 0, "new_bill": 1, "position": 2, "stage_change": 3, "hearing": 4}


@dataclass
class BillGroup:
    bill_id: int
    reference: str  # "H.R. 1234 (119th Congress)" (tracker.references)
    title: str
    url: str
    items: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "occurred_at", "payload"}
    stance: str | None = None  # the council's position on the bill as the digest goes out, if it has one
    priority: str | None = None
    watched: bool = False  # on a watchlist: listed first, with the bills the council took a side on, in a long digest

    @property
    def moved_stage(self) -> bool:
        return any(item["kind"] == "stage_change" for item in self.items)

    @property
    def council_changed(self) -> bool:
        """The council took, changed or withdrew its position on the bill: news of our own side."""
        return any(item["kind"] == "position" for item in self.items)

    @property
    def position_line(self) -> str | None:
        if not self.stance:
            return None
        return f"Council position: {self.stance}" + (f" ({self.priority} priority)" if self.priority else "")


def lead_order(groups: list[BillGroup]) -> list[BillGroup]:
    """Bills whose council position changed first (the council flipping a bill from Support if amended to Oppose
    is the week's headline, and was listed after every stage change), then bills that changed stage, those the
    council took a side on before the others, then the rest, each part in the order given (by jurisdiction,
    session and number): what a council member reads the digest for."""
    return sorted(groups, key=lambda g: (not g.council_changed, not g.moved_stage, g.stance is None))


@dataclass
class Digest:
    recipient: str
    recipient_name: str | None
    groups: list[BillGroup]
    topics: set[str]  # the person's topic subscriptions: which language changes to show
    unsubscribe_url: str
    manage_url: str
    today: dt.date | None = None  # the day it goes out, on the US's last clock (tracker.dates.us_today)
    max_bills: int | None = None  # more bills than this: the digest lists this many and counts the rest
    more_url: str = ""  # the dashboard's Overview: the rest of a long digest, the week at a glance in any
    since: dt.date | None = None  # the days it covers, on the clock of [alerts] timezone (``covered_days``)
    until: dt.date | None = None

    @property
    def item_count(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def summarised(self) -> bool:
        return self.max_bills is not None and len(self.groups) > self.max_bills

    @property
    def shown(self) -> list[BillGroup]:
        """The bills listed: all of them, or in a long digest (after a whole-Congress import: thousands) the first
        ``max_bills`` of those the council took a side on or put on a watchlist, then of the rest, in lead order."""
        if not self.summarised:
            return self.groups
        followed = [g for g in self.groups if g.stance or g.watched or g.council_changed]
        return (followed + [g for g in self.groups if not (g.stance or g.watched or g.council_changed)]
                )[:self.max_bills]

    def kind_counts(self) -> list[tuple[str, int]]:
        """Updates per kind over every bill, listed or not ("New action", 3412), in the digest's kind order."""
        counts: dict[str, int] = {}
        order: dict[str, tuple[int, str]] = {}
        for g in self.groups:
            for item in g.items:
                title = item_title(item, self.today)
                counts[title] = counts.get(title, 0) + 1
                order.setdefault(title, (KIND_ORDER.get(item["kind"], 9), title))
        return sorted(counts.items(), key=lambda kv: order[kv[0]])

    @property
    def left_out(self) -> tuple[int, int]:
        """(bills, updates) not listed."""
        shown = {id(g) for g in self.shown}
        rest = [g for g in self.groups if id(g) not in shown]
        return len(rest), sum(len(g.items) for g in rest)

    @property
    def period(self) -> str:
        """"Mon 30 Nov to Mon 7 Dec", or one day, "Tue 8 Dec" (an instant digest's); "" when not known. Not "From
        ...": a line of mail starting "From " reaches the reader as ">From " (mbox quoting on the way)."""
        if self.until is None:
            return ""
        if self.since is None or self.since >= self.until:
            return _day_words(self.until)
        years = self.since.year != self.until.year
        return f"{_day_words(self.since, years)} to {_day_words(self.until, years)}"

    @property
    def lead(self) -> str:
        """The first line: the days covered, then how many updates, "Mon 30 Nov to Mon 7 Dec: 5 updates on the
        bills you follow." (a weekly digest said neither which week nor since when)."""
        n = self.item_count
        counted = f"{n} update{'s' if n != 1 else ''} on the bills you follow."
        return f"{self.period}: {counted}" if self.period else counted

    @property
    def subject(self) -> str:
        n, b = self.item_count, len(self.groups)
        if b == 1:
            return f"Policy Tracker: {n} update{'s' if n != 1 else ''} on {self.groups[0].reference}"
        return f"Policy Tracker: {n} updates on {b} bills"


def _day_words(day: dt.date, year: bool = False) -> str:
    """"Mon 7 Dec" ("Mon 7 Dec 2026" with ``year``): a day as the dashboard words it (tracker.visits)."""
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def hearing_day(day: dt.date, clock: str | None, today: dt.date | None = None) -> str:
    """A hearing's day and time as a reader plans by them, "Thu 10 Dec, 10:00 AM EST" (the year too when it is not
    ``today``'s): the digest wrote "2026-12-10 · 10:00 AM EST", a date to work out the weekday of."""
    words = _day_words(day, year=today is not None and day.year != today.year)
    return words + (f", {clock}" if clock else "")


def _stage(value: Any, jurisdiction: str | None = None) -> str:
    if value == "passed_both_chambers" and (body := one_chamber_body(jurisdiction)):
        return f"passed {body}"  # a council has one chamber
    return STAGE_WORDS.get(str(value), str(value).replace("_", " ")) if value else "?"


def _language_lines(payload: dict[str, Any], topics: set[str]) -> list[tuple[str, str]]:
    """(kind, snippet) pairs: kind is 'adds' or 'removes', with the topic name, for the topics shown."""
    lang = payload.get("language") or {}
    out: list[tuple[str, str]] = []
    for slug, change in (lang.get("topics") or {}).items():
        if topics and slug not in topics:
            continue
        for verb, key in (("adds", "added"), ("removes", "removed")):
            for item in change.get(key, []):
                out.append((f"{verb} {change.get('name') or slug} language “{item['term']}”", item["snippet"]))
    return out


SPONSOR_NAMES_SHOWN = 5  # a bill can gain dozens of cosponsors in one day: the rest are counted


def _sponsor_line(before: dict[str, Any], after: dict[str, Any]) -> str:
    """"2 added: Rep. A, Rep. B; 1 withdrawn: Sen. C (44 → 45 sponsors and cosponsors)"."""
    parts = []
    for key in ("added", "withdrawn", "removed"):
        names = [str(n) for n in after.get(key) or []]
        if names:
            shown = ", ".join(names[:SPONSOR_NAMES_SHOWN])
            more = len(names) - SPONSOR_NAMES_SHOWN
            parts.append(f"{len(names)} {key}: {shown}" + (f" and {more} more" if more > 0 else ""))
    line = "; ".join(parts) or "changed"
    if before.get("count") is not None and after.get("count") is not None:
        line += f" ({before['count']} → {after['count']} sponsors and cosponsors)"
    return line


def describe(item: dict[str, Any], topics: set[str],
             today: dt.date | None = None) -> tuple[str, list[tuple[str, str]]]:
    """One line for the change, and evidence lines (label, snippet with [[marks]]). ``today``: the day the digest
    goes out (a hearing in another year says its year)."""
    kind, p = item["kind"], item["payload"] or {}
    before, after = p.get("before"), p.get("after")
    if kind == "flagged":
        terms = ", ".join(p.get("terms") or [])
        line = f"{p.get('topic_name') or p.get('topic')}" + (f" (matched: {terms})" if terms else "")
        return line, [(e.get("field", ""), e.get("snippet", "")) for e in (p.get("evidence") or [])[:2]]
    if kind == "new_bill":
        return f"{_stage((after or {}).get('stage'), item.get('jurisdiction'))}", []
    if kind == "stage_change":
        line = f"{_stage(before, item.get('jurisdiction'))} → {_stage(after, item.get('jurisdiction'))}"
        due = p.get("acts_by") or {}
        if day := iso_day(due.get("date")):  # presented: the last day to ask for a signature or a veto
            line += f"; the {due.get('office')} acts by {weekday_date(day)}"
        return line, []
    if kind == "new_action":
        a = after or {}
        return f"{a.get('date') or ''} {a.get('text') or ''}".strip(), []
    if kind == "action_corrected":
        a, b = after or {}, before or {}
        return f"{a.get('date') or ''} {a.get('text') or ''} (was: {b.get('text') or ''})".strip(), []
    if kind == "new_version":
        a = after or {}
        line = f"{a.get('label') or 'version'}" + (f" ({a['date']})" if a.get("date") else "")
        lang = p.get("language") or {}
        lines = _language_lines(p, topics)
        if lang and not lang.get("text_available"):
            line += " (text not fetched yet)"
        elif lang and not lines:
            line += " — no change in the language of your topics"
            if lang.get("compared_with"):
                line += f" since {lang['compared_with']}"
        elif lang.get("compared_with"):
            line += f", compared with {lang['compared_with']}"
        return line, lines
    if kind == "title_change":
        return f"now {after}", []
    if kind == "sponsor_change":
        return _sponsor_line(before or {}, after or {}), []
    if kind == "hearing":
        day = iso_day(p.get("date"))
        clock = hearing_clock(day, p.get("time"), item.get("jurisdiction")) if day else p.get("time")
        parts = [hearing_day(day, clock, today) if day else p.get("date"), None if day else clock, p.get("body"),
                 p.get("location")]
        was = p.get("moved_from") or {}
        before = iso_day(was.get("date"))
        if day and before and not p.get("cancelled"):  # "from Tue 3 Mar 10:00 AM EST to Wed 4 Mar 2:00 PM EST"
            parts = [f"from {hearing_when(before, was.get('time'), item.get('jurisdiction'))} to "
                     f"{hearing_when(day, p.get('time'), item.get('jurisdiction'))}", p.get("body"), p.get("location")]
        line = " · ".join(str(x) for x in parts if x)
        return line + (f" — {p['description']}" if p.get("description") else ""), []
    if kind == "position" and p.get("withdrawn"):
        # The bill has no position any more: say what was dropped, and why when a reason was given.
        who = p.get("author") or "A colleague"
        line = f"{who} withdrew the position: {p.get('previous_stance')} ({p.get('previous_priority')} priority)"
        return line + "; the council now takes no position", ([("reason", p["rationale"])] if p.get("rationale")
                                                              else [])
    if kind == "position":
        was = f"{p.get('previous_stance')} → " if p.get("previous_stance") else ""
        who = p.get("author") or "A colleague"
        line = f"{who} set the position: {was}{p.get('stance')} ({p.get('priority')} priority)"
        return line, ([("rationale", p["rationale"])] if p.get("rationale") else [])
    return kind.replace("_", " "), []


def iso_day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def latest_of_each_hearing(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A bill's items without the hearing news a later item of the same digest replaces (``items`` oldest first):
    "Hearing scheduled" for Tuesday and then "Hearing moved" to Wednesday, both unsent, told of two hearings. A
    meeting held in place of a deferred one (its ``moved_from`` names that meeting) replaces the deferred one's
    news too: "Hearing cancelled" beside "Hearing moved" told of a meeting called off and another one."""
    last: dict[Any, int] = {}
    for n, item in enumerate(items):
        if item["kind"] == "hearing":
            payload = item["payload"] or {}
            last[payload.get("hearing_id")] = n
            if (deferred := (payload.get("moved_from") or {}).get("hearing_id")) is not None:
                last[deferred] = n
    return [item for n, item in enumerate(items) if item["kind"] != "hearing"
            or (hid := (item["payload"] or {}).get("hearing_id")) is None or last[hid] == n]


def _text_snippet(s: str) -> str:
    return quote_marks(s)


def _html_snippet(s: str) -> str:
    return MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", html.escape(s))


def _summary_lines(d: Digest) -> tuple[str, str, str]:
    """A long digest's lead, its counts by kind and its closing line (plain text; the HTML part escapes them)."""
    bills, updates = d.left_out
    lead = (f"{d.item_count:,} updates on {len(d.groups):,} bills you follow: more than {d.max_bills} bills, so this "
            f"email lists {len(d.shown)} (those with a council position or on a watchlist first) and counts the rest.")
    lead = f"{d.period}: {lead}" if d.period else lead
    counts = "By kind: " + " · ".join(f"{title} {n:,}" for title, n in d.kind_counts())
    rest = (f"{bills:,} more bills with {updates:,} updates are not listed here; find them on the dashboard "
            "(Overview, Search):")
    return lead, counts, rest


OVERVIEW_WORDS = "The week at a glance and the hearings coming up"  # a short digest's link to the Overview


def render_text(d: Digest) -> str:
    out = [d.lead, ""]
    summary = _summary_lines(d) if d.summarised else None  # counts every update: once per email part
    if summary:
        out = [summary[0], summary[1], ""]
    # Each line below is ours: the text in it that came from a feed or a colleague (titles, actions, hearing
    # descriptions and places, positions, quoted bill text) is made one line (_one_line), or a description
    # holding "\n--\nChange what you receive: https://..." would read as this email's own footer, its link first.
    # str.split also ends lines at \x85, U+2028 and U+2029, which mail readers may show as line breaks.
    one = _one_line
    for g in d.shown:
        out.append(f"{one(g.reference)}: {one(g.title)}")
        if g.position_line:
            out.append(f"  {one(g.position_line)}")
        out.append(f"  {g.url}")
        for item in g.items:
            line, evidence = describe(item, d.topics, d.today)
            out.append(f"  - {one(item_title(item, d.today))}: {one(line)}")
            out += [f"      {one(label)}: {one(_text_snippet(snip))}" for label, snip in evidence]
        out.append("")
    if summary:
        out += [f"{summary[2]} {d.more_url}", ""]
    elif d.more_url:  # a short digest too: the week's moves on every followed bill and what is coming up
        out += [f"{OVERVIEW_WORDS}, on the dashboard's Overview: {d.more_url}", ""]
    out += ["--", f"Change what you receive: {d.manage_url}", f"Unsubscribe from these emails: {d.unsubscribe_url}"]
    return without_bidi_controls("\n".join(out) + "\n")


def render_html(d: Digest) -> str:
    e = html.escape
    parts = ["<!doctype html><html><body style=\"font-family: sans-serif; max-width: 48em\">",
             f"<p>{e(d.lead)}</p>"]
    summary = _summary_lines(d) if d.summarised else None
    if summary:
        parts[1] = f"<p>{e(summary[0])}</p><p>{e(summary[1])}</p>"
    for g in d.shown:
        parts.append(f"<h3 style=\"margin-bottom: 0.2em\"><a href=\"{e(g.url)}\">{e(g.reference)}</a></h3>"
                     f"<div style=\"color: #444\">{e(g.title)}</div>")
        if g.stance:
            parts.append(f"<div>Council position: <strong>{e(g.stance)}</strong>"
                         + (f" ({e(g.priority)} priority)" if g.priority else "") + "</div>")
        parts.append("<ul>")
        for item in g.items:
            line, evidence = describe(item, d.topics, d.today)
            parts.append(f"<li><strong>{e(item_title(item, d.today))}:</strong> {e(line)}")
            if evidence:
                parts.append("<ul>" + "".join(f"<li><em>{e(label)}</em>: {_html_snippet(snip)}</li>"
                                              for label, snip in evidence) + "</ul>")
            parts.append("</li>")
        parts.append("</ul>")
    if summary:
        parts.append(f"<p>{e(summary[2])} <a href=\"{e(d.more_url)}\">{e(d.more_url)}</a></p>")
    elif d.more_url:
        parts.append(f"<p>{e(OVERVIEW_WORDS)}: <a href=\"{e(d.more_url)}\">the dashboard's Overview</a></p>")
    parts.append(f"<hr><p style=\"font-size: small; color: #666\"><a href=\"{e(d.manage_url)}\">Change what you "
                 f"receive</a> · <a href=\"{e(d.unsubscribe_url)}\">Unsubscribe</a></p></body></html>")
    return without_bidi_controls("".join(parts))


def _one_line(value: str) -> str:
    return " ".join(without_bidi_controls(value).split())


# The email package folds a header line longer than 78 characters, and one with no space to fold at (a long URL)
# it writes as RFC 2047 encoded words, which List-Unsubscribe may not hold (RFC 2369: a URL in angle brackets):
# with a feeds address of 33 characters or more, mail clients found no unsubscribe link. The header is set as it
# is (``set_raw``) and this policy leaves such a header unfolded: one line, within RFC 5322's 998 characters.
_MESSAGE_POLICY = default_policy.clone(refold_source="none")


def _ascii_url(url: str) -> str:
    """``url`` in ASCII, as a header set as it is must be: the host in IDNA (xn--), the rest percent-encoded. A
    feeds address with an accented host name otherwise stopped every digest at sending."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe="/%"), quote(parts.query, safe="=&%"), ""))


def build_message(d: Digest, *, sender: str, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage(policy=_MESSAGE_POLICY)
    # Headers hold one line: the subject names a bill as its feed spells it, To the person's name. A line break
    # in either raised ValueError mid-run (every later digest waited) and must never start a header of its own.
    msg["Subject"] = _one_line(d.subject)
    msg["From"] = sender
    msg["To"] = formataddr((_one_line(d.recipient_name or ""), d.recipient))
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = message_id or make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "localhost")
    # RFC 2369 / RFC 8058: mail clients show their own unsubscribe button, one click (a POST) unsubscribes.
    msg.set_raw("List-Unsubscribe", f"<{_ascii_url(d.unsubscribe_url)}>")
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(render_text(d))
    msg.add_alternative(render_html(d), subtype="html")
    return msg


def bill_url(dashboard_url: str, bill_id: int) -> str:
    return f"{dashboard_url}/bill?id={bill_id}"


def overview_url(dashboard_url: str) -> str:
    """The dashboard's Overview: what moved in the last week, for the bills a long digest does not list."""
    return f"{dashboard_url}/overview"


def alerts_page_url(dashboard_url: str) -> str:
    """The dashboard's Alerts page, where a person changes what they receive (the root opens another page)."""
    return f"{dashboard_url}/alerts"


def unsubscribe_url(feeds_url: str, token: str) -> str:
    return f"{feeds_url}/unsubscribe/{quote(token)}"
