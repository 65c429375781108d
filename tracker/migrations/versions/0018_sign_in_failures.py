"""signinfailure: wrong passwords per email, so that guessing one is paused

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Nothing limited how fast passwords could be tried against an account through the sign-in form (each try costs
the server one argon2 check, nothing more). Wrong passwords are now counted per email, keyed by the email's
SHA-256 whether or not an account has it, and too many in a row pause that email's sign-ins for a while.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'signinfailure',
        sa.Column('email_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('email_key'),
    )


def downgrade() -> None:
    op.drop_table('signinfailure')
