"""Rows by composite natural key, in a form both databases answer from their unique indexes."""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, or_, tuple_

MAX_GROUPS = 256  # 256 leading values: 16 ms on SQLite; a depth of 900 still parses


def keys_in(columns: Sequence[Any], keys: Iterable[tuple[Any, ...]]) -> Any:
    """``(a, b, c) IN keys`` written as ``a = ? AND b = ? AND c IN (...)``, one such term per distinct (a, b).

    SQLite answers a row-value IN by scanning the whole index (EXPLAIN QUERY PLAN: "SCAN ... LIST SUBQUERY"), so
    each batch of an import read every bill stored so far: 10 ms a query at 18,000 bills, growing with the table.
    The form here is an index look-up per key on both databases (under 1 ms for the same 500 keys). Put the
    column with the fewest distinct values first. Past ``MAX_GROUPS`` leading values the row-value form is kept:
    SQLite parses ``x OR y OR ...`` as a tree as deep as the terms, and refuses depths over 1,000.
    """
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for key in keys:
        groups.setdefault(tuple(key[:-1]), []).append(key[-1])
    if not groups:
        return columns[-1].in_([])
    if len(groups) > MAX_GROUPS:
        return tuple_(*columns).in_([(*prefix, value) for prefix, values in groups.items() for value in values])
    *leading, last = columns
    return or_(*(and_(*(column == value for column, value in zip(leading, prefix, strict=True)), last.in_(values))
                 for prefix, values in groups.items()))
