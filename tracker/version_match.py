"""Which of a bill's stored versions a lower-ranked feed's document is: how LegiScan's texts reach a bill whose
versions another feed owns (Open States in Alabama, pubinfo in California).

LegiScan lists each text with the state's own link (``state_link``), its date and its type; the owning feed lists
its versions with the state's URLs, dates and labels. A document is the version that has the same state URL
(``https`` and ``http`` alike, host case aside); else the one version with the same date whose label starts with
the document's type ("Amended" for pubinfo's "Amended Senate"). Anything less than one version for one document
is no match: two documents naming one URL (Arkansas serves every draft at the bill's one PDF address), two
versions of that date and type, or an undated version, are left unmatched rather than guessed. Only versions of
the same bill are ever compared: the caller hands over one bill at a time.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from tracker.bill_text import web_url


@dataclass(frozen=True)
class Candidate:
    """A version as matching reads it: the URLs it can be reached at, its date and label."""

    urls: frozenset[str]
    date: dt.date | str | None
    label: str


def same_url(url: str) -> str | None:
    """The URL as compared: scheme-less (``http`` and ``https`` serve one document), host lower-cased."""
    checked = web_url(url)
    if checked is None:
        return None
    parts = urlsplit(checked)
    return urlunsplit(("", parts.netloc.lower(), parts.path, parts.query, ""))


def candidate(urls: Iterable[str | None], date: dt.date | str | None, label: str | None) -> Candidate:
    return Candidate(frozenset(u for u in (same_url(url) for url in urls if url) if u),
                     date.isoformat() if isinstance(date, dt.date) else date, (label or "").strip())


def _same_type(document: Candidate, version: Candidate) -> bool:
    kind, label = document.label.casefold(), version.label.casefold()
    return bool(kind) and (label == kind or label.startswith(kind + " "))


def match(documents: Sequence[Candidate], versions: Sequence[Candidate]) -> dict[int, int]:
    """document index -> version index, one document per version at most."""
    found: dict[int, int] = {}
    by_url: dict[int, list[int]] = {}
    for d, document in enumerate(documents):
        hits = [v for v, version in enumerate(versions) if document.urls & version.urls]
        if len(hits) == 1:
            by_url.setdefault(hits[0], []).append(d)
    for v, claimants in by_url.items():
        if len(claimants) == 1:
            found[claimants[0]] = v
    taken = set(found.values())
    for d, document in enumerate(documents):
        if d in found or not document.date:
            continue
        hits = [v for v, version in enumerate(versions)
                if v not in taken and version.date == document.date and _same_type(document, version)]
        rivals = [o for o, other in enumerate(documents) if o not in found and other.date == document.date
                  and other.label.casefold() == document.label.casefold()]
        if len(hits) == 1 and len(rivals) == 1:
            found[d] = hits[0]
            taken.add(hits[0])
    return found
