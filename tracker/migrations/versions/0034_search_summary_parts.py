"""search: PostgreSQL indexes a long bill summary in parts too, so its phrases are found anywhere in it

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07

0033 indexed each version's text in parts, as a tsvector keeps at most 255 positions of a word and none past
16,383. The bill's own document (``bill.search_doc``: titles, summary and names in one tsvector, 0003, 0012, 0025)
has the same limits, and a long CRS summary passes the first: H.R. 1319 of the 117th Congress (the American Rescue
Plan Act) says "the" 440 times in 9,939 words, so "the patient protection" (word ~8,400) or "for tribal colleges"
(after the 255th "for") was found on SQLite, whose FTS5 has no such limit, and not on PostgreSQL.

A bill whose summary passes a limit (the weight-D words of ``search_doc`` reach one) now also has it in parts
(``bill_fts_part``: the bill, the part's number, its tsvector, a GIN index), cut by 0033's ``tracker_text_parts``
(8,000 words at most, ending before any word's 255th occurrence, 200 words shared by parts in a row);
tracker.search looks a phrase up in them too. Only such bills have parts (4 of the 117th Congress's 17,875: H.R.
1319, 3684, 5376 and 6833, summaries of 37,000 to 66,000 characters; 10 parts, 392 kB with their index), so the
storage is theirs alone; a word alone needs none (``search_doc`` keeps every word, only not every position). A
trigger writes a bill's parts whenever its summary is inserted or changed, wherever it is written (ingest, an
import, a correction); ``search_doc`` is generated before AFTER triggers run, so the trigger reads from it whether
a limit was reached. A bill deleted takes its parts (ON DELETE CASCADE).

A phrase is also of one field now, as on SQLite, where titles, summary, sponsor and cosponsors are columns of
their own and a phrase is found within one: ``search_doc`` held the fields' words one after the other, so H.R. 21's
last title words and first summary words ("FedRAMP Authorization Act" / "Federal Risk and ...") were a phrase on
PostgreSQL only (14 of 50 bills of the 117th sampled had such a phrase; "purposes this bill" found dozens). The
document leaves a position empty between two fields (``BILL_DOC``): the column is generated again and its index
built again, once, as 0025 did.

SQLite is unchanged. Downgrade drops the table, the trigger and its function (0033's stay) and generates 0025's
document again.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The words of each of SQLite's columns (migration 0025's bill_fts: title, summary, sponsor, cosponsors) as 0012
# reads them, weighed as 0025 weighs them.
_SHORT_WORD_MARK = "0qq"


def _doc(text: str) -> str:
    return (f"(regexp_replace((to_tsvector('tracker_search', tracker_search_words({text})))::text, "
            f"'{_SHORT_WORD_MARK}''', '''', 'g')::tsvector)")


_TITLES = "coalesce(title, '') || ' ' || coalesce(short_title, '') || ' ' || coalesce(popular_title, '')"
_SUMMARY = "coalesce(summary_text, '')"
_SPONSOR = "setweight(" + _doc("coalesce(sponsor_names, '')") + ", 'A')"
_COSPONSORS = "setweight(" + _doc("coalesce(cosponsor_names, '')") + ", 'C')"
# 0025's document: the fields' words one after the other, so a phrase ran from one field into the next.
OLD_BILL_DOC = _doc(_TITLES + " || ' ' || " + _SUMMARY) + f" || {_SPONSOR} || {_COSPONSORS}"
# A position left empty between two fields, as a phrase is within one column on SQLite: a lexeme no text has (words
# are letters and digits) goes between them, and is taken out once the positions after it are counted.
_GAP = "'''#''\\:1'::tsvector"  # the colon escaped from op.execute's bind parameters
BILL_DOC = f"ts_delete({f' || {_GAP} || '.join((_doc(_TITLES), _doc(_SUMMARY), _SPONSOR, _COSPONSORS))}, '#')"

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
      SELECT NEW.id, p.n, p.doc FROM tracker_text_parts(NEW.summary_text) WITH ORDINALITY AS p(doc, n);
  END IF;
  RETURN NULL;
END $$;
"""

def _search_doc(doc: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_bill_fts")
    op.execute("ALTER TABLE bill DROP COLUMN IF EXISTS search_doc")
    op.execute(f"ALTER TABLE bill ADD COLUMN search_doc tsvector GENERATED ALWAYS AS ({doc}) STORED")
    op.execute("CREATE INDEX ix_bill_fts ON bill USING gin (search_doc)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE TABLE bill_fts_part (
        bill_id integer NOT NULL REFERENCES bill (id) ON DELETE CASCADE,
        part integer NOT NULL,
        doc tsvector NOT NULL,
        PRIMARY KEY (bill_id, part))""")
    op.execute(_FUNCTION)
    _search_doc(BILL_DOC)
    op.execute("INSERT INTO bill_fts_part (bill_id, part, doc) "
               "SELECT b.id, p.n, p.doc FROM bill b, tracker_text_parts(b.summary_text) "
               f"WITH ORDINALITY AS p(doc, n) WHERE {_PAST_LIMITS.format(doc='b.search_doc')}")
    op.execute("CREATE INDEX ix_bill_fts_part ON bill_fts_part USING gin (doc)")
    op.execute("CREATE TRIGGER bill_fts_part_ins AFTER INSERT ON bill FOR EACH ROW "
               "EXECUTE FUNCTION tracker_write_bill_parts()")
    op.execute("CREATE TRIGGER bill_fts_part_upd AFTER UPDATE OF summary_text ON bill FOR EACH ROW "
               "WHEN (OLD.summary_text IS DISTINCT FROM NEW.summary_text) EXECUTE FUNCTION tracker_write_bill_parts()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS bill_fts_part_upd ON bill")
    op.execute("DROP TRIGGER IF EXISTS bill_fts_part_ins ON bill")
    op.execute("DROP TABLE IF EXISTS bill_fts_part")
    op.execute("DROP FUNCTION IF EXISTS tracker_write_bill_parts()")
    _search_doc(OLD_BILL_DOC)
