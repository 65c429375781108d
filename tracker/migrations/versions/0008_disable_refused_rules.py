"""topic rules the stricter rule language refuses are disabled

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The rule language now refuses what it used to read with another meaning: operators in lowercase ("near/3"),
unknown fields ("titel:") and a search-engine "-word". A rule stored before that would stop every scoring run
(the engine compiles all enabled rules at once), so each such rule is disabled, its note says why, and its
topic's rule version is bumped. Staff fix it with `tracker topics edit-rule ID --rule '...' --enable`;
`tracker topics rescore` brings the stored matches up to date. No schema change.
"""
from collections.abc import Sequence

from alembic import op

from tracker.migrations.refused_rules import disable_refused_rules

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    disable_refused_rules(op.get_bind(), by="migration 0008")


def downgrade() -> None:
    pass  # the rules stay disabled: re-enabling them would stop scoring again
