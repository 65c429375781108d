"""topic rules nested deeper than the rule language now allows are disabled

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The parser refuses groups, NOTs and field scopes nested past ``tracker.matching.rules.MAX_NESTING`` (50 levels)
with the position of the level that goes too deep: past about 190 levels it used to fail with a RecursionError,
and below that a stored rule still parsed. Such a stored rule would now stop every scoring run, so, as in 0008,
it is disabled with a note saying why. No schema change.
"""
from collections.abc import Sequence

from alembic import op

from tracker.migrations.refused_rules import disable_refused_rules

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    disable_refused_rules(op.get_bind(), by="migration 0013")


def downgrade() -> None:
    pass  # the rules stay disabled: re-enabling them would stop scoring again
