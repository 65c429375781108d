"""Numbers of a match as people read them: a value short of a line never printed as reaching it.

A topic flags at a score of 0.5 and its keywords count at the threshold; both are crossed by comparing the
exact stored values. Rounded for display, a score of 0.4999 read "0.50 · not flagged" under "flags at 0.50 or
more", and keywords of 2.9999 read "3 of 3" (repetition saturates, so a term repeated through a long bill text
comes ever closer to twice its weight without reaching it).
"""

from __future__ import annotations

MAX_EXTRA_DIGITS = 6


def below_line(value: float, line: float, spec: str) -> str:
    """``value`` formatted with ``spec`` (".2f", ".3g"), with more digits when rounding would make a value below
    ``line`` read as ``line`` or more."""
    text = format(value, spec)
    if value >= line or float(text) < line:
        return text
    precision, kind = int(spec.lstrip(".")[:-1]), spec[-1]
    for extra in range(1, MAX_EXTRA_DIGITS + 1):
        text = format(value, f".{precision + extra}{kind}")
        if float(text) < line:
            return text
    return f"under {format(line, spec)}"
