"""California's extraordinary sessions named as California names them in databases an earlier version filled

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08

Versions before December 2026 named a California extraordinary session "1999-2000 Special Session 1" (pubinfo,
and Open States, which gives only the session's code); they now say "1999-2000 First Extraordinary Session", as
the Legislature does. Ingest keeps the name the first feed gave a session (it replaces only a bare code), so a
database filled before kept the old name on bill pages, packets and session filters for good. This renames the
sessions still carrying exactly that old spelling of ours; a name a feed gave in its own words (LegiScan's
"1999-2000 1st Special Session") is the feed's and stays. Running it again finds nothing to rename.
No schema change.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The spellings as tracker.sources.states.session_name_from_years wrote them before and writes them now, frozen
# here: a later change of that function must not change what this migration did.
_IDENTIFIER = re.compile(r"(\d{4})(\d{4})s(\d+)")
_ORDINAL_WORDS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


def _ordinal(number: int) -> str:
    if number <= len(_ORDINAL_WORDS):
        return _ORDINAL_WORDS[number - 1]
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def upgrade() -> None:
    conn = op.get_bind()
    sessions = sa.table("legislativesession", sa.column("id", sa.Integer), sa.column("jurisdiction_id", sa.String),
                        sa.column("identifier", sa.String), sa.column("name", sa.String))
    renames = []
    for sid, identifier, name in conn.execute(sa.select(sessions.c.id, sessions.c.identifier, sessions.c.name)
                                              .where(sessions.c.jurisdiction_id == "ca")):
        found = _IDENTIFIER.fullmatch(identifier or "")
        if found is None or int(found.group(3)) < 1:
            continue
        start, end, special = found.group(1), found.group(2), int(found.group(3))
        if name == f"{start}-{end} Special Session {special}":
            renames.append({"sid": sid, "new_name": f"{start}-{end} {_ordinal(special)} Extraordinary Session"})
    if renames:
        conn.execute(sessions.update().where(sessions.c.id == sa.bindparam("sid"))
                     .values(name=sa.bindparam("new_name")), renames)


def downgrade() -> None:
    pass  # the version before writes the new name too (pubinfo): going back leaves the sessions as they are
