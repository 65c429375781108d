"""Ceremonial and commemorative resolutions, told by their titles: a table of patterns, kept as data.

Legislatures adopt hundreds of resolutions a session that designate a day, week or month, honour, commend,
congratulate or mourn someone, or mark an anniversary. Their titles name what they celebrate ("Public Radio Music
Day", "National Cybersecurity Education Month", "Robotics team ..., commended"), and a title's word weighs three
times a summary's: they topped the triage inbox above the bills that change the law.

Such a resolution keeps its flags (CRS files "National Cybersecurity Awareness Month" under computer security, and
unflagging these cost recall on the labelled 117th Congress, bench/relevance.py): each flagged topic of it is marked
with the form's name (``BillMatch.ceremonial``), and the inbox lists it after the substantive bills
(tracker.triage). A topic its text is substantively about, one the topic's rules flag on the bill's text alone
(not the title, which names the occasion, nor the summary, which repeats it), is not marked.

Only resolutions (``Bill.classification``) are read: a bill's title that starts "Honoring" ("Honoring our PACT
Act") or designates something ("... as the 'John Doe Post Office'") is law-making all the same. Patterns are read
case-insensitively on each title of the bill, after a leading "A resolution" or "Concurrent resolution"; federal
titles start with the verb ("Supporting the designation of ...", "Honoring the life of ..."), Alabama's end with
it ("Jackson High School Boys Basketball Team, commended", "Scouting America Day, recognized"), Mississippi's
start with it in the imperative ("Commend ...", "Mourn the loss of ...").
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CeremonialForm:
    name: str  # what the inbox row says
    pattern: str  # read with re.IGNORECASE on a title without its leading "A resolution"


# The occasion words a designation names: "... as 'National Entrepreneurship Week'", "... as Alabama Links Day".
_OCCASION = r"\b(?:day|days|week|month|year)\b"
_HONOURS = (r"honou?r|commend|congratulat|commemorat|celebrat|mourn|memoriali[sz]|salut|pay(?:ing|s)? tribute"
            r"|remember|recogniz\w*\s+and\s+honou?r")
CEREMONIAL_FORMS: tuple[CeremonialForm, ...] = (
    CeremonialForm(
        "designates or observes a day, week or month",
        # "designating June 2022 as ...Month", "Declaring April 22, 2025, as Alabama Links Day", "Supporting the
        # designation of 'Telehealth Awareness Week'", "supporting the goals and ideals of National ... Week",
        # "supporting the observation of National ... Month", "recognizing National Native American Heritage Month",
        # Alabama's "Scouting America Day, recognized".
        rf"\b(?:designat|declar|proclaim)\w*\b.{{0,200}}?\bas\b.{{0,150}}?{_OCCASION}"
        rf"|\bdesignation of\b.{{0,200}}?{_OCCASION}"
        rf"|\bgoals and ideals of\b|\b(?:goals|ideals|observ\w*|recognition) of\b.{{0,150}}?{_OCCASION}"
        rf"|^recogni[sz]\w*\s+[^,;]{{0,80}}?{_OCCASION}"
        rf"|{_OCCASION}.{{0,40}}[,.]\s*(?:recognized|designated|proclaimed|observed|celebrated)\.?$",
    ),
    CeremonialForm(
        "honours, commends, congratulates or mourns",
        # Federal and Mississippi titles lead with the verb ("Honoring the life and legacy of ...", "Commend ...",
        # "Mourn the loss of ..."); Alabama's end with it ("..., death mourned", "..., commended").
        rf"^(?:{_HONOURS})\w*\b"
        r"|^express\w*\s+(?:(?:deep|profound|heartfelt|sincere)\s+)?(?:condolences|sympathy|sorrow|gratitude)\b"
        r"|[,.]\s*(?:(?:death|retirement|life)\s+)?(?:commend(?:ed|ing)|honou?r(?:ed|ing)|congratulat(?:ed|ing)"
        r"|commemorat(?:ed|ing)|celebrat(?:ed|ing)|mourned|memoriali[sz]ed|remembered|saluted|recogni[sz](?:ed|ing))\.?$"
        r"|\bcommemorative resolution\b|\b\d+(?:st|nd|rd|th) birthday\b",
    ),
    CeremonialForm(
        "recognizes an anniversary, a life or contributions",
        # "Recognizing the 25th anniversary of Radio Free Asia", "Recognizing the contributions made by the
        # 305-meter radio telescope"; not "Recognizing the importance of broadband in rural areas" (a position).
        r"^recogniz\w*\s+(?:the\s+)?(?:[\w'-]+\s+){0,2}?"
        r"(?:anniversar(?:y|ies)|centennial|bicentennial|birthday|life|lives|legacy|contributions?|achievements?"
        r"|accomplishments?|service|career|retirement|heroism|bravery|sacrifices?)\b",
    ),
)

_LEADING = re.compile(r"^\W*(?:an?\s+|the\s+)?(?:(?:house|senate|assembly)\s+)?(?:(?:concurrent|joint|simple)\s+)?"
                      r"resolution\b(?:\s+no\.?\s*\d+)?[\s,:.-]*(?:(?:to|that)\s+)?", re.IGNORECASE)
_COMPILED = tuple((form, re.compile(form.pattern, re.IGNORECASE)) for form in CEREMONIAL_FORMS)


def is_resolution(classification: str | None) -> bool:
    """Resolutions of every kind ("resolution", "joint resolution", "concurrent resolution"), as the feeds
    classify them (tracker.sources)."""
    return bool(classification) and "resolution" in classification.lower()


def ceremonial_form(titles: list[str], classification: str | None) -> str | None:
    """The name of the ceremonial form a resolution's titles have (``CEREMONIAL_FORMS``, first that matches),
    or None: for a bill, whatever its title says, and for a resolution that takes a position or asks for
    something."""
    if not is_resolution(classification):
        return None
    for title in titles:
        words = _LEADING.sub("", " ".join(title.split()))
        for form, pattern in _COMPILED:
            if pattern.search(words):
                return form.name
    return None
