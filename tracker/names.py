"""Names people gave (watchlists, saved filters, topics) and legislators' names, read the same way everywhere.

ORDER BY a text column sorts by the database's collation: SQLite's compares code points ("Zebra" before "apple",
"Äpfel" after both), PostgreSQL's follows the locale the database was created with, so the same watchlists were
listed in two orders. These lists are short, and sorted here instead.

A legislator is looked up with case and accents ignored ("Limon" for "Limón"): by a packet's ``--sponsor``
(tracker.exports.selection) and by search, which indexes ``search_names`` (migration 0023).
"""

import re
import unicodedata
from collections.abc import Iterable


def folded(text: str) -> str:
    """Case and accents ignored: "Limon" and "LIMÓN" are both "limon"."""
    if text.isascii():  # nothing to decompose (most legislators' names): a character loop less per name
        return text.casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def by_name(name: str | None) -> tuple[str, str]:
    """A sort key: case and accents ignored ("AI", "apple", "Äpfel", "broadband", "Zebra"), then the name itself."""
    text = name or ""
    return folded(text), text


# Congress.gov's "Rep. Sánchez, Linda T. [D-CA-38]": the title and the party-state label are on every member's
# name, and indexed they made "rep", "d" or "ca" find every bill.
# An abbreviation only with its dot: "Del Toro" and "Sen Ramirez"-like names of other feeds keep their first word.
_TITLE = re.compile(r"^\s*(?:(?:Rep|Sen|Del)\.|(?:Resident\s+Commissioner|Delegate|Senator|Representative"
                    r"|Assemblymember|Assembly\s+Member|Councilmember|Council\s+Member)\b)\s*", re.IGNORECASE)
_LABEL = re.compile(r"\s*\[[^\]]*\]\s*$")


def search_names(names: Iterable[str]) -> str | None:
    """The words search finds legislators by (``Bill.sponsor_names``, ``Bill.cosponsor_names``): each name without
    its title and party-state label, folded ("sanchez, linda t."); None for no name."""
    words = [folded(_LABEL.sub("", _TITLE.sub("", name))) for name in names if name]
    return "; ".join(w for w in words if w.strip()) or None
