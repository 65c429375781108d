"""scorecard: key-vote marks carry a version, so two staff marking one roll call cannot overwrite each other

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07

Two staff who opened the Scorecard page on the same roll call and both saved a mark each had theirs recorded, the
later silently deciding whether the vote counts. ``keyvotemark.version`` numbers a roll call's marks (1, 2, ...),
and a save names the version it started from (tracker.scorecard.mark_key_vote), as positions do; the unique index
on (source_name, source_key, version) makes the second of two concurrent saves on one version fail rather than
both pass the check. It replaces the plain index on (source_name, source_key), which it leads with.

Existing marks are numbered in the order they were made (marked_at, then id). Downgrade drops the numbering and
puts the plain index back; the marks themselves stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place (no batch rebuild: SQLite would reflect the bill table's expression index, as 0019 says).
    op.add_column("keyvotemark", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.execute(sa.text("""
        UPDATE keyvotemark SET version = (
            SELECT count(*) FROM keyvotemark AS earlier
            WHERE earlier.source_name = keyvotemark.source_name AND earlier.source_key = keyvotemark.source_key
              AND (earlier.marked_at < keyvotemark.marked_at
                   OR (earlier.marked_at = keyvotemark.marked_at AND earlier.id <= keyvotemark.id)))"""))
    op.drop_index("ix_keyvotemark_roll_call", table_name="keyvotemark")
    op.create_index("uq_keyvotemark_version", "keyvotemark", ["source_name", "source_key", "version"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_keyvotemark_version", table_name="keyvotemark")
    op.create_index("ix_keyvotemark_roll_call", "keyvotemark", ["source_name", "source_key"], unique=False)
    op.drop_column("keyvotemark", "version")  # SQLite 3.35+ drops a column in place
