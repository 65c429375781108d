"""Lists of names people gave (watchlists, saved filters, topics) in one order on every database.

ORDER BY a text column sorts by the database's collation: SQLite's compares code points ("Zebra" before "apple",
"Äpfel" after both), PostgreSQL's follows the locale the database was created with, so the same watchlists were
listed in two orders. These lists are short, and sorted here instead.
"""

import unicodedata


def by_name(name: str | None) -> tuple[str, str]:
    """A sort key: case and accents ignored ("AI", "apple", "Äpfel", "broadband", "Zebra"), then the name itself."""
    text = name or ""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return folded, text
