"""Numbers of a match as people read them: a value short of a line never printed as reaching it, and a
learned score never credited to a model that does not score the topic.

A topic flags at a score of 0.5 and its keywords count at the threshold; both are crossed by comparing the
exact stored values. Rounded for display, a score of 0.4999 read "0.50 · not flagged" under "flags at 0.50 or
more", and keywords of 2.9999 read "3 of 3" (repetition saturates, so a term repeated through a long bill text
comes ever closer to twice its weight without reaching it).
"""

from __future__ import annotations

from typing import Any

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


def signals(match: dict[str, Any], scope: str | None) -> str:
    """What a topic's score is made of (the bill page): keyword points against the threshold, similarity, and
    the learned model with whose it is (``scope``, ``tracker.matching.training.scoring_scopes``: the topic's
    slug for its own model, ``*`` for the organisation-wide one, which gives every topic of a bill the same
    probability, None when no model scores the topic now: the score was stored while one did, and models
    removed since, when judgements were withdrawn, leave it until the bill is scored again)."""
    parts = []
    if match.get("threshold"):
        kw = below_line(match.get("keyword_score") or 0, match["threshold"], ".3g")
        # "keywords 27 of 3" read as a fraction: the points and the line are two numbers, each said what it is.
        parts.append(f"keyword score {kw} (keywords alone flag at {match['threshold']:.3g})")
    if match.get("semantic_score") is not None:
        parts.append(f"similarity to the topic's description {match['semantic_score']:.2f}")
    if match.get("learned_score") is not None:
        if scope is None:
            whose = "from a model no longer in use, until the bill is scored again tonight"
        elif scope == match["topic"]:
            whose = "this topic's model"
        else:
            whose = "organisation-wide model, same for every topic"
        parts.append(f"relevance learned from triage {match['learned_score']:.2f} ({whose})")
    return " · ".join(parts)
