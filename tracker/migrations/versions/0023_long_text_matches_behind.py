"""topic matches of bills with long texts are marked as behind their topic's rules (December 2026 scoring)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

The flagging engine now counts a rule's mentions in a bill text longer than 10,000 characters per 10,000
characters (tracker.matching.engine.TEXT_REFERENCE_CHARS): passing mentions in a long bill no longer add up to a
flag. Nothing else re-scores the matches stored before, so a bill a long text flagged kept its flag, in the inbox
and in packets, and `tracker db upgrade` said nothing. Those bills' matches are marked one rule version behind
their topic, so the upgrade says how many predate the rules and that `tracker topics rescore` brings them up to
date. Bills whose texts are all shorter score as before and are left alone. No schema change.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG_TEXT = 10_000  # tracker.matching.engine.TEXT_REFERENCE_CHARS when this migration was written


def upgrade() -> None:
    op.execute("UPDATE billmatch SET rule_version = rule_version - 1 WHERE bill_id IN "
               f"(SELECT bill_id FROM billversion WHERE length(text) > {LONG_TEXT})")


def downgrade() -> None:
    pass  # a mark, not data: the matches are as right behind as they were; a rescore clears it either way
