"""search: a legislator's name finds their bills, the primary sponsor's first

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

"Menendez" found none of the 157 bills he sponsored in the 117th Congress: names were only in the sponsorship
rows, which no search read. The bill now carries them (``sponsor_names``, ``cosponsor_names``: each name without
its title and party-state label, case and accents folded by ``tracker.names.search_names``, withdrawn cosponsors
left out; ingest writes them with the sponsorships), and the search index holds them with the bill's words, so
"Menendez privacy" is his bills about privacy, on both databases:

- SQLite: ``bill_fts`` gets two columns, ``sponsor`` and ``cosponsors`` (bm25 weighs them as a title and as the
  bill text: the sponsor's bills first). FTS5 cannot add a column: the table is made again and filled, and the
  triggers written again with the new document (tracker/search_index.py repeats it for ingest batches).
- PostgreSQL: ``bill.search_doc`` adds the names, the sponsor's at weight A and the cosponsors' at C (the text
  stays D), so ranking can weigh them and a query can ask for names only (``word:AC``).

Filling: about 17,800 bills of the 117th Congress in seconds on each database (docs/benchmarks.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.names import search_names

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_COLUMNS = "title, summary, body"
_NEW_COLUMNS = "title, summary, body, sponsor, cosponsors"
_OLD_DOC = """coalesce(b.title, '') || ' ' || coalesce(b.short_title, '') || ' ' || coalesce(b.popular_title, ''),
       coalesce(b.summary_text, ''),
       coalesce((SELECT group_concat(v.text, ' ') FROM billversion v WHERE v.bill_id = b.id), '')"""
_NEW_DOC = _OLD_DOC + ",\n       coalesce(b.sponsor_names, ''), coalesce(b.cosponsor_names, '')"
_TRIGGERS = ("bill_fts_ai", "bill_fts_au", "bill_fts_ad", "billversion_fts_ins", "billversion_fts_del",
             "billversion_fts_upd")
_BILL_COLUMNS = "title, short_title, popular_title, summary_text"


def _refresh(columns: str, doc: str) -> str:
    return f"""
DELETE FROM bill_fts WHERE rowid = {{bid}};
INSERT INTO bill_fts(rowid, {columns})
SELECT b.id, {doc}
FROM bill b WHERE b.id = {{bid}};
"""


def _sqlite_index(columns: str, doc: str, watched: str) -> None:
    """bill_fts made again with ``columns``, filled with ``doc``, and 0003's triggers written for them."""
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS bill_fts")
    op.execute(f"CREATE VIRTUAL TABLE bill_fts USING fts5({columns}, tokenize='porter unicode61')")
    op.execute(f"INSERT INTO bill_fts(rowid, {columns}) SELECT b.id, {doc} FROM bill b")
    refresh = _refresh(columns, doc)
    op.execute("CREATE TRIGGER bill_fts_ai AFTER INSERT ON bill BEGIN " + refresh.format(bid="new.id") + " END")
    op.execute(f"CREATE TRIGGER bill_fts_au AFTER UPDATE OF {watched} ON bill "
               "BEGIN " + refresh.format(bid="new.id") + " END")
    op.execute("CREATE TRIGGER bill_fts_ad AFTER DELETE ON bill BEGIN DELETE FROM bill_fts WHERE rowid = old.id; END")
    for event, ref in (("INSERT", "new"), ("DELETE", "old")):
        op.execute(f"CREATE TRIGGER billversion_fts_{event[:3].lower()} AFTER {event} ON billversion "
                   f"WHEN {ref}.text IS NOT NULL BEGIN " + refresh.format(bid=f"{ref}.bill_id") + " END")
    op.execute("CREATE TRIGGER billversion_fts_upd AFTER UPDATE OF text ON billversion BEGIN "
               + refresh.format(bid="new.bill_id") + " END")


# 0012's document (tracker_search_words, tracker_search), and the names added at their own weights.
_SHORT_WORD_MARK = "0qq"


def _doc(text: str) -> str:
    return (f"(regexp_replace((to_tsvector('tracker_search', tracker_search_words({text})))::text, "
            f"'{_SHORT_WORD_MARK}''', '''', 'g')::tsvector)")


_BILL_TEXT = ("coalesce(title, '') || ' ' || coalesce(short_title, '') || ' ' || coalesce(popular_title, '') || ' ' "
              "|| coalesce(summary_text, '')")
PG_OLD_DOC = _doc(_BILL_TEXT)
_SPONSOR_DOC = _doc("coalesce(sponsor_names, '')")
_COSPONSOR_DOC = _doc("coalesce(cosponsor_names, '')")
PG_NEW_DOC = f"{PG_OLD_DOC} || setweight({_SPONSOR_DOC}, 'A') || setweight({_COSPONSOR_DOC}, 'C')"


def _pg_index(doc: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_bill_fts")
    op.execute("ALTER TABLE bill DROP COLUMN IF EXISTS search_doc")
    op.execute(f"ALTER TABLE bill ADD COLUMN search_doc tsvector GENERATED ALWAYS AS ({doc}) STORED")
    op.execute("CREATE INDEX ix_bill_fts ON bill USING gin (search_doc)")


def _fill_names() -> None:
    """Each stored bill's names, from its sponsorships (in Python: the folding is tracker.names')."""
    bind = op.get_bind()
    rows = bind.execute(sa.text('SELECT bill_id, name, kind, withdrawn_date FROM sponsorship '
                                'ORDER BY bill_id, "order", id')).all()
    by_bill: dict[int, tuple[list[str], list[str]]] = {}
    for bill_id, name, kind, withdrawn in rows:
        sponsors, cosponsors = by_bill.setdefault(bill_id, ([], []))
        if kind == "primary":
            sponsors.append(name)
        elif withdrawn is None:
            cosponsors.append(name)
    values = [{"id": bill_id, "s": search_names(s), "c": search_names(c)} for bill_id, (s, c) in by_bill.items()]
    if values:
        bind.execute(sa.text("UPDATE bill SET sponsor_names = :s, cosponsor_names = :c WHERE id = :id"), values)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:  # the old document is not computed again for each bill filled
        op.execute("DROP INDEX IF EXISTS ix_bill_fts")
        op.execute("ALTER TABLE bill DROP COLUMN IF EXISTS search_doc")
    op.add_column("bill", sa.Column("sponsor_names", sa.Text(), nullable=True))
    op.add_column("bill", sa.Column("cosponsor_names", sa.Text(), nullable=True))
    _fill_names()
    if postgres:
        _pg_index(PG_NEW_DOC)
    else:
        _sqlite_index(_NEW_COLUMNS, _NEW_DOC, f"{_BILL_COLUMNS}, sponsor_names, cosponsor_names")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_index(PG_OLD_DOC)
    else:
        _sqlite_index(_OLD_COLUMNS, _OLD_DOC, _BILL_COLUMNS)
    op.drop_column("bill", "cosponsor_names")  # SQLite 3.35+ drops a column in place
    op.drop_column("bill", "sponsor_names")
