"""search: PostgreSQL indexes a long bill summary in parts too, so its phrases are found anywhere in it

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07

0033 indexed each version's text in parts, as a tsvector keeps at most 255 positions of a word and none past
16,383. The bill's own document (``bill.search_doc``: titles, summary and names in one tsvector, 0003, 0012, 0025)
has the same limits, and a long CRS summary passes the first: H.R. 1319 of the 117th Congress (the American Rescue
Plan Act) says "the" 440 times in 9,939 words, so "the patient protection" (word ~8,400) or "for tribal colleges"
(after the 255th "for") was found on SQLite, whose FTS5 has no such limit, and not on PostgreSQL.

A bill whose words (titles and summary, the weight-D words of ``search_doc``) pass a limit now also has them in
parts (``bill_fts_part``: the bill, the part's number, its tsvector, a GIN index), cut by 0033's
``tracker_text_parts`` (8,000 words at most, ending before any word's 255th occurrence, 200 words shared by parts
in a row); tracker.search looks a phrase up in them too. Only such bills have parts (4 of the 117th Congress's
17,875: H.R. 1319, 3684, 5376 and 6833, summaries of 37,000 to 66,000 characters; 10 parts, 392 kB with their
index), so the storage is theirs alone; a word alone needs none (``search_doc`` keeps every word, only not every
position). A trigger writes a bill's parts whenever its titles or summary are inserted or changed, wherever they
are written (ingest, an import, a correction); ``search_doc`` is generated before AFTER triggers run, so the
trigger reads from it whether the words passed a limit. A bill deleted takes its parts (ON DELETE CASCADE).

SQLite is unchanged. Downgrade drops the table, the trigger and its function (0033's stay).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The bill's words as search_doc reads them (0012's BILL_TEXT, written for a trigger's NEW row or a table alias).
_WORDS = ("coalesce({r}.title, '') || ' ' || coalesce({r}.short_title, '') || ' ' || coalesce({r}.popular_title, '') "
          "|| ' ' || coalesce({r}.summary_text, '')")
# Whether a document's words lost positions: a word kept at 255 positions (it may have had more; 0033 cuts before
# the 255th) or a word at 16,383, where every later word is stored. Of weight D only: the names (A and C) come
# after the words and cannot take a word's positions away.
_PAST_LIMITS = ("EXISTS (SELECT FROM unnest(ts_filter({doc}, '{{d}}')) AS u "
                "WHERE cardinality(u.positions) >= 255 OR u.positions[cardinality(u.positions)] >= 16383)")

_FUNCTION = f"""
CREATE FUNCTION tracker_write_bill_parts() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM bill_fts_part WHERE bill_id = NEW.id;
  END IF;
  IF {_PAST_LIMITS.format(doc="NEW.search_doc")} THEN
    INSERT INTO bill_fts_part (bill_id, part, doc)
      SELECT NEW.id, p.n, p.doc FROM tracker_text_parts({_WORDS.format(r="NEW")}) WITH ORDINALITY AS p(doc, n);
  END IF;
  RETURN NULL;
END $$;
"""

_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("title", "short_title", "popular_title",
                                                                     "summary_text"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE TABLE bill_fts_part (
        bill_id integer NOT NULL REFERENCES bill (id) ON DELETE CASCADE,
        part integer NOT NULL,
        doc tsvector NOT NULL,
        PRIMARY KEY (bill_id, part))""")
    op.execute(_FUNCTION)
    op.execute("INSERT INTO bill_fts_part (bill_id, part, doc) "
               f"SELECT b.id, p.n, p.doc FROM bill b, tracker_text_parts({_WORDS.format(r='b')}) "
               f"WITH ORDINALITY AS p(doc, n) WHERE {_PAST_LIMITS.format(doc='b.search_doc')}")
    op.execute("CREATE INDEX ix_bill_fts_part ON bill_fts_part USING gin (doc)")
    op.execute("CREATE TRIGGER bill_fts_part_ins AFTER INSERT ON bill FOR EACH ROW "
               "EXECUTE FUNCTION tracker_write_bill_parts()")
    op.execute("CREATE TRIGGER bill_fts_part_upd AFTER UPDATE OF title, short_title, popular_title, summary_text "
               f"ON bill FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION tracker_write_bill_parts()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS bill_fts_part_upd ON bill")
    op.execute("DROP TRIGGER IF EXISTS bill_fts_part_ins ON bill")
    op.execute("DROP TABLE IF EXISTS bill_fts_part")
    op.execute("DROP FUNCTION IF EXISTS tracker_write_bill_parts()")
