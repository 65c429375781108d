"""City clerks' file numbers: their type letters, serial number and year, as the Legistar parser stores them and as
search reads what staff type.

Each clerk writes them its own way: New York City "Int 1299-2018" and "Res 0640-2018" (the type, a space, the number
padded to four digits, the year), Chicago "O2018-9628" and "SO2018-3629" (the type, the year, the number), LA Metro
"2018-0609" (no type). People say "Int 1299", "Intro 1299", "Res 640" or just "1299": the number without its year
or its zeros, which the whole file number, compared as typed, never finds.
"""

import re
from dataclasses import dataclass

# The type letters, then the serial and the year joined by a hyphen ("Int 1299-2018", "O2018-9628", "2018-0609"),
# or the serial alone (Seattle's "CB 119000", San Francisco's "180001").
_FILED = re.compile(r"([A-Za-z]*)(\s*)[.\s]*(\d+)(?:-(\d+))?")
# What people type without the year: type letters (or none), "No." perhaps, and the number.
_TYPED = re.compile(r"([A-Za-z]*)[.\s]*(?:(?<![A-Za-z])No\.?\s*)?(\d+)", re.IGNORECASE)
# Spoken forms of a clerk's abbreviation: New York City's "Intro 1299" is its "Int 1299".
_SAID = {"INTRO": "INT", "RESO": "RES"}


@dataclass(frozen=True)
class FileNumber:
    letters: str  # the type, upper case: "INT", "SO", "" for LA Metro's
    serial: str  # the number without its zeros: "1299", "640"
    year: str | None  # as written: "2018" (None when the file number has none)


def _yearlike(digits: str) -> bool:
    return len(digits) == 4 and 1900 <= int(digits) <= 2099


def file_number(identifier: str) -> FileNumber | None:
    """The parts of a stored file number; None for one of another shape. Which side of the hyphen is the year:
    after a type and a space, the second (New York City's "Int 1299-2018", "Res 2017-2020" too); otherwise the
    first when it reads as one (Chicago's "O2018-9628", LA Metro's "2018-0609", a two-digit year as in "26-0043"),
    else the second."""
    found = _FILED.fullmatch(identifier.strip())
    if found is None:
        return None
    letters, space, first, second = found.groups()
    if second is None:
        serial, year = first, None
    elif letters and space and _yearlike(second):
        serial, year = first, second
    elif _yearlike(first) or len(first) == 2:
        serial, year = second, first
    elif _yearlike(second):
        serial, year = first, second
    else:
        return None
    return FileNumber(letters.upper(), str(int(serial)), year)


def file_year(identifier: str) -> str | None:
    """The year a file number carries, written in full ("2018" of "Int 1299-2018" and of "O2018-9628"); None for
    none, or a year of two digits ("26-0043": a century to guess)."""
    found = file_number(identifier)
    return found.year if found is not None and found.year is not None and _yearlike(found.year) else None


def typed_file_number(ref: str) -> tuple[str, str] | None:
    """(type letters, number without zeros) of a file number typed without its year ("Int 1299", "Int. No. 1299",
    "Intro 1299", "Res 0640", "O9628", "1299"); None for anything else."""
    found = _TYPED.fullmatch(" ".join(ref.split()))
    if found is None:
        return None
    letters, serial = found.group(1).upper(), found.group(2)
    if letters == "NO":  # "No. 1299": the number alone
        letters = ""
    return _SAID.get(letters, letters), str(int(serial))


__all__ = ["FileNumber", "file_number", "file_year", "typed_file_number"]
