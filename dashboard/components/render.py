"""Safe rendering of upstream text. Titles, summaries and action text come from feeds we do not control:
they are escaped before Streamlit sees them, so markup shows as text and never runs, and lose their bidi
controls (tracker.bidi), so a right-to-left override cannot turn a title or a table row around.

- ``md(text)``: for st.markdown / st.subheader / st.caption (backslash-escapes Markdown and HTML syntax);
- ``html_text(text)``: HTML-escaped, for st.html fragments we build ourselves;
- ``highlight(snippet)``: an evidence snippet with its ``[[term]]`` marks turned into <mark>, after escaping;
- ``shown(frame)``: a table's text cells without bidi controls, for st.dataframe;
- ``md_link(text, url)``: a Markdown link to a feed's web URL, the text escaped.
"""

import difflib
import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd

from tracker.bidi import without_bidi_controls
from tracker.bill_text import web_url
from tracker.dates import utc_stamp
from tracker.matching.engine import MARKED

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones Markdown,
# Streamlit's extensions (:emoji:, $math$, ~~strike~~, :color[...]) or raw HTML could act on.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'])")


# Streamlit's Markdown links a bare web address, www. name or email address in text (GFM autolink literals), and
# it finds them in the text left after escapes are read, so a backslash does not stop them: a feed could put a
# link to any site into a title. An invisible word joiner (U+2060: no space, no line break) splits each trigger.
_AUTOLINK_TRIGGER = re.compile(r"(?=://)|(?<=\bwww)(?=\.)|(?<=[\w.+-])(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Text that Markdown renders literally (newlines kept as line breaks), without bidi controls, and with no
    web or email address turned into a link."""
    value = without_bidi_controls("" if text is None else str(text))
    value = _AUTOLINK_TRIGGER.sub(WORD_JOINER, value)
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return value.replace("\r\n", "\n").replace("\n", "  \n")


# Characters that would end a Markdown link's destination early or open a raw-HTML autolink: percent-encoded.
_LINK_BREAKERS = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "[": "%5B", "]": "%5D"}


def md_link(text: object, url: str | None) -> str:
    """``[text](url)`` with the text escaped (``md``) when ``url`` is a web link (tracker.bill_text.web_url), else
    the text alone: a feed's ``javascript:`` link is shown as nothing more than its label."""
    label, target = md(text), web_url(url)
    if target is None:
        return label
    return f"[{label}]({''.join(_LINK_BREAKERS.get(c, c) for c in target)})"


def shorten(text: str | None, limit: int) -> str:
    """At most ``limit`` characters, cut between words and ending in " …" when something was left out."""
    value = text or ""
    if len(value) <= limit:
        return value
    return value[:limit].rsplit(" ", 1)[0].rstrip() + " …"


def opening(text: str, limit: int) -> str:
    """The first paragraphs of ``text`` (blank-line separated) that fit in ``limit`` characters, at least the first
    (shortened at a word when it alone is longer): how a long summary opens before "the whole summary"."""
    shown: list[str] = []
    for paragraph in text.split("\n\n"):
        if shown and sum(len(p) + 2 for p in shown) + len(paragraph) > limit:
            break
        shown.append(shorten(paragraph, limit))
    return "\n\n".join(shown)


def stamp(value: object) -> str:
    """A stored time as staff read it: "2026-12-07 03:35 UTC" (tracker.dates.utc_stamp)."""
    return utc_stamp(value)


def assignment_line(assignment: dict | None) -> str:
    """Markdown for an open assignment (tracker.triage.open_assignments): who, by when, the task, who gave it."""
    if not assignment:
        return ""
    parts = [assignment["assignee"]]
    if assignment.get("due_date"):  # a missed day first, where the eye lands
        parts.append(("overdue: " if assignment.get("overdue") else "") + f"due {assignment['due_date']}")
    if assignment.get("task"):
        parts.append(assignment["task"])
    by = f" (by {assignment['assigned_by']} on {assignment['assigned_at']})" if assignment.get("assigned_by") else ""
    return md(" · ".join(parts) + by)


def html_text(text: object) -> str:
    return html.escape(without_bidi_controls("" if text is None else str(text)), quote=True)


def highlight(snippet: str | None, terms: Iterable[str] = ()) -> str:
    """HTML for an evidence snippet: escaped first, then the matched terms marked.

    Marks come from the matcher's ``[[...]]`` brackets and, for search results, from ``terms``."""
    escaped = html_text(snippet)
    escaped = MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", escaped)
    words = [re.escape(html_text(t)) for t in terms if t and len(t) > 1]
    if words:
        pattern = re.compile(r"(?<![\w&])(" + "|".join(words) + r")(?![\w;])", re.IGNORECASE)
        parts = re.split(r"(<mark>.*?</mark>)", escaped)
        escaped = "".join(p if p.startswith("<mark>") else pattern.sub(r"<mark>\1</mark>", p) for p in parts)
    return escaped


# difflib's matcher (autojunk off, so common words still anchor the diff) costs about the square of the words it
# compares, worse the fewer distinct words there are: a feed's two versions of 100,000 repetitive words held the
# bill page for minutes. Past this many words of each text, the rest is left out (the page says so).
REDLINE_WORDS = 15_000


def redline(old: str, new: str, *, context_words: int = 12, max_chunks: int = 400) -> str:
    """HTML showing what changed between two texts, word by word: deletions struck, insertions underlined.

    Both texts are escaped word by word; long unchanged stretches are shortened to their edges. Only the first
    ``REDLINE_WORDS`` words of each are compared."""
    a, b = old.split()[:REDLINE_WORDS], new.split()[:REDLINE_WORDS]
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[str] = []
    for n, (op, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if n >= max_chunks:
            out.append("<p><em>… more changes not shown.</em></p>")
            break
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context_words:
                words = words[:context_words] + ["…"] + words[-context_words:]
            out.append(html_text(" ".join(words)))
        if op in ("delete", "replace"):
            out.append(f'<del style="background:#fde2e2">{html_text(" ".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins style="background:#ddf4dd">{html_text(" ".join(b[j1:j2]))}</ins>')
    return '<div style="white-space:normal;line-height:1.6">' + " ".join(out) + "</div>"


def change_ratio(old: str, new: str) -> float:
    """The share of words the two texts have in common, over their first ``REDLINE_WORDS`` words."""
    return difflib.SequenceMatcher(a=old.split()[:REDLINE_WORDS], b=new.split()[:REDLINE_WORDS],
                                   autojunk=False).ratio()


def progress_line(stages: Sequence[str], current: str, outcome: str | None = None,
                  jurisdiction: str | None = None) -> str:
    """HTML: the normalized stages as steps, done ones filled, the current one bold; labels are ours, named as
    the packets name them ("Passed first chamber", not passed_origin_chamber)."""
    from tracker.exports.packet import stage_label  # the packet writers: loaded by the bill page only
    from tracker.sources.states import one_chamber_body

    if one_chamber_body(jurisdiction) and current != "passed_origin_chamber":
        # A council or board has no first chamber: its passage is "Passed the council", and a "Passed first
        # chamber" step read as one still ahead of a matter in committee.
        stages = [s for s in stages if s != "passed_origin_chamber"]
    idx = stages.index(current) if current in stages else -1
    cells = []
    for i, stage in enumerate(stages):
        label = html_text(stage_label(stage, jurisdiction))
        if i < idx:
            style = "background:#2e7d32;color:white"
        elif i == idx:
            style = "background:#1565c0;color:white;font-weight:bold"
        else:
            style = "background:#eceff1;color:#546e7a"
        cells.append(f'<span style="{style};padding:4px 10px;border-radius:12px;margin-right:4px;'
                     f'display:inline-block;margin-bottom:4px">{label}</span>')
    if outcome:
        cells.append(f'<span style="background:#b71c1c;color:white;padding:4px 10px;border-radius:12px">'
                     f'{html_text(stage_label(outcome, jurisdiction))}</span>')
    return "<div>" + "→".join(cells) + "</div>"


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for st.dataframe, its text cells without bidi controls (numbers, dates and links as they were)."""
    return frame.map(lambda v: without_bidi_controls(v) if isinstance(v, str) else v)


def counted(n: int, noun: str) -> str:
    """'1 bill', '3 bills', '1,204 bills': a count with its noun (every noun shown with a count takes -s)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
