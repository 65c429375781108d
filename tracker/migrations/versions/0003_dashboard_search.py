"""dashboard: saved filters, full-text search over bill titles, summaries and version text

SQLite: an FTS5 table ``bill_fts`` (rowid = bill id) kept in step with ``bill`` and ``billversion`` by
triggers, so ingest needs no change. PostgreSQL: a generated ``bill.search_doc`` tsvector and GIN indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401  (autogenerate renders sqlmodel's AutoString)
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL: the bill's searchable text as a stored generated tsvector (ranking reads it instead of re-parsing
# every matching bill), and an expression index on version text. tracker/search.py repeats these expressions
# exactly: PostgreSQL only uses an expression index for the same expression. Version text is cut at 500,000
# characters because a tsvector cannot exceed 1 MB (a longer bill would otherwise fail to store).
PG_BILL_DOC = ("to_tsvector('english', coalesce(title, '') || ' ' || coalesce(short_title, '') || ' ' || "
               "coalesce(popular_title, '') || ' ' || coalesce(summary_text, ''))")
PG_VERSION_DOC = "to_tsvector('english', left(coalesce(text, ''), 500000))"

_SQLITE_REFRESH = """
DELETE FROM bill_fts WHERE rowid = {bid};
INSERT INTO bill_fts(rowid, title, summary, body)
SELECT b.id, coalesce(b.title, '') || ' ' || coalesce(b.short_title, '') || ' ' || coalesce(b.popular_title, ''),
       coalesce(b.summary_text, ''),
       coalesce((SELECT group_concat(v.text, ' ') FROM billversion v WHERE v.bill_id = b.id), '')
FROM bill b WHERE b.id = {bid};
"""


def upgrade() -> None:
    op.create_table(
        "savedfilter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("page", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner_id", "page", "name"),
    )
    with op.batch_alter_table("savedfilter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_savedfilter_owner_id"), ["owner_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE bill ADD COLUMN search_doc tsvector GENERATED ALWAYS AS ({PG_BILL_DOC}) STORED")
        op.execute("CREATE INDEX ix_bill_fts ON bill USING gin (search_doc)")
        op.execute(f"CREATE INDEX ix_billversion_fts ON billversion USING gin ({PG_VERSION_DOC})")
        return
    op.execute("CREATE VIRTUAL TABLE bill_fts USING fts5(title, summary, body, tokenize='porter unicode61')")
    op.execute(_SQLITE_REFRESH.replace("DELETE FROM bill_fts WHERE rowid = {bid};", "")
               .replace("WHERE b.id = {bid}", ""))
    op.execute("CREATE TRIGGER bill_fts_ai AFTER INSERT ON bill BEGIN "
               + _SQLITE_REFRESH.format(bid="new.id") + " END")
    op.execute("CREATE TRIGGER bill_fts_au AFTER UPDATE OF title, short_title, popular_title, summary_text ON bill "
               "BEGIN " + _SQLITE_REFRESH.format(bid="new.id") + " END")
    op.execute("CREATE TRIGGER bill_fts_ad AFTER DELETE ON bill BEGIN DELETE FROM bill_fts WHERE rowid = old.id; END")
    # Only versions with text change the indexed body; most arrive without it, and re-indexing the whole bill
    # for each of them would dominate the cost of an import.
    for event, ref in (("INSERT", "new"), ("DELETE", "old")):
        op.execute(f"CREATE TRIGGER billversion_fts_{event[:3].lower()} AFTER {event} ON billversion "
                   f"WHEN {ref}.text IS NOT NULL BEGIN "
                   + _SQLITE_REFRESH.format(bid=f"{ref}.bill_id") + " END")
    op.execute("CREATE TRIGGER billversion_fts_upd AFTER UPDATE OF text ON billversion BEGIN "
               + _SQLITE_REFRESH.format(bid="new.bill_id") + " END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_billversion_fts")
        op.execute("DROP INDEX IF EXISTS ix_bill_fts")
        op.execute("ALTER TABLE bill DROP COLUMN IF EXISTS search_doc")
    else:
        for name in ("bill_fts_ai", "bill_fts_au", "bill_fts_ad", "billversion_fts_ins", "billversion_fts_del",
                     "billversion_fts_upd"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS bill_fts")
    with op.batch_alter_table("savedfilter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_savedfilter_owner_id"))
    op.drop_table("savedfilter")
