"""search: PostgreSQL indexes a version's text in parts, so words and phrases are found anywhere in a long text

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07

PostgreSQL indexed a version's text as one tsvector (0003, 0012: ``ix_billversion_fts``), and a tsvector has three
limits that SQLite's FTS5 has not: it holds at most 1 MB (so only a text's first 500,000 characters were indexed),
a word's position is at most 16,383 (every later word is stored at 16,383, so no phrase is found past it), and a
lexeme keeps at most 255 positions (a phrase with "the" failed past its 255th "the": word ~8,600 of H.R. 1 of the
116th Congress). Long texts (appropriations, the NDAA, omnibus bills) are those a technology council reads.

The text is now indexed in parts (``billversion_fts_part``: the version, the part's number, its tsvector, and a GIN
index), each under the limits: a part ends where its words reach ``PART_WORDS`` or before any lexeme's 255th
position, and the next one starts ``OVERLAP_WORDS`` words before that end, so a phrase crossing a cut is whole in
the next part. A trigger writes a version's parts when its text is inserted or changed, wherever it is written
(ingest, a text import, a correction), as PostgreSQL kept ``ix_billversion_fts`` itself and SQLite's triggers keep
``bill_fts``; a version deleted takes its parts (ON DELETE CASCADE). The old expression index is dropped: nothing
reads it any more. SQLite is unchanged (FTS5 has none of these limits).

Filling reads every stored text once (docs/benchmarks.md); the downgrade drops the parts and builds 0012's index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A part's words at most: well under 16,383 positions (tracker_search_words leaves letters and digits between
# single spaces, a word one token, at most two) and a small tsvector. Common words reach 255 first (one word in 14 of
# H.R. 1's text is "the": about 3,500 words a part), and a part ends before any word's 255th occurrence.
PART_WORDS = 8000
# Words shared by two parts in a row: a phrase of up to this many words that crosses a cut is whole in the next
# part. Far past what people quote; a longer pasted sentence across a cut is missed.
OVERLAP_WORDS = 200
_SHORT_WORD_MARK = "0qq"  # 0012's

# SET search_path FROM CURRENT: the functions find tracker_search_words, the tracker_search configuration and the
# table in the schema they were made in, whatever the search_path of the session writing a text.
_FUNCTIONS = f"""
CREATE FUNCTION tracker_text_parts(doc text) RETURNS SETOF tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT AS $$
DECLARE
  spaced text := btrim(tracker_search_words(doc));
  words text[] := CASE WHEN spaced = '' THEN '{{}}' ELSE string_to_array(spaced, ' ') END;
  total int := cardinality(words);
  start int := 1;
  size int;
  cut int;
  part tsvector;
BEGIN
  WHILE start <= total LOOP
    -- A text's common words come at a steady rate: the part before's size, and a quarter more, is tried first
    -- (each try reads its words again: trying PART_WORDS every time made the parts cost three times one reading).
    size := least({PART_WORDS}, coalesce(size + size / 4, {PART_WORDS}));
    LOOP
      part := regexp_replace(to_tsvector('tracker_search', array_to_string(words[start:start + size - 1], ' '))::text,
                             '{_SHORT_WORD_MARK}''', '''', 'g')::tsvector;
      -- A lexeme keeps its first 255 positions only: the part ends before the first 255th occurrence of a word.
      SELECT min(u.positions[255]) INTO cut FROM unnest(part) AS u WHERE cardinality(u.positions) >= 255;
      EXIT WHEN cut IS NULL OR size <= 2 * {OVERLAP_WORDS};
      size := greatest(cut - 1, 2 * {OVERLAP_WORDS});
    END LOOP;
    RETURN NEXT part;
    EXIT WHEN start + size > total;
    start := start + size - {OVERLAP_WORDS};
  END LOOP;
END $$;

CREATE FUNCTION tracker_write_text_parts() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM billversion_fts_part WHERE version_id = NEW.id;
  INSERT INTO billversion_fts_part (version_id, part, doc)
    SELECT NEW.id, p.n, p.doc FROM tracker_text_parts(NEW.text) WITH ORDINALITY AS p(doc, n)
    WHERE NEW.text IS NOT NULL;
  RETURN NULL;
END $$;
"""

OLD_VERSION_DOC = (f"(regexp_replace((to_tsvector('tracker_search', tracker_search_words(left(coalesce(text, ''), "
                   f"500000))))::text, '{_SHORT_WORD_MARK}''', '''', 'g')::tsvector)")  # 0012's


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE TABLE billversion_fts_part (
        version_id integer NOT NULL REFERENCES billversion (id) ON DELETE CASCADE,
        part integer NOT NULL,
        doc tsvector NOT NULL,
        PRIMARY KEY (version_id, part))""")
    op.execute(_FUNCTIONS)
    op.execute("INSERT INTO billversion_fts_part (version_id, part, doc) "
               "SELECT v.id, p.n, p.doc FROM billversion v, tracker_text_parts(v.text) WITH ORDINALITY AS p(doc, n) "
               "WHERE v.text IS NOT NULL")
    op.execute("CREATE INDEX ix_billversion_fts_part ON billversion_fts_part USING gin (doc)")
    op.execute("CREATE TRIGGER billversion_fts_part_ins AFTER INSERT ON billversion FOR EACH ROW "
               "WHEN (NEW.text IS NOT NULL) EXECUTE FUNCTION tracker_write_text_parts()")
    op.execute("CREATE TRIGGER billversion_fts_part_upd AFTER UPDATE OF text ON billversion FOR EACH ROW "
               "WHEN (OLD.text IS DISTINCT FROM NEW.text) EXECUTE FUNCTION tracker_write_text_parts()")
    op.execute("DROP INDEX IF EXISTS ix_billversion_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS billversion_fts_part_upd ON billversion")
    op.execute("DROP TRIGGER IF EXISTS billversion_fts_part_ins ON billversion")
    op.execute("DROP TABLE IF EXISTS billversion_fts_part")
    op.execute("DROP FUNCTION IF EXISTS tracker_write_text_parts()")
    op.execute("DROP FUNCTION IF EXISTS tracker_text_parts(text)")
    op.execute(f"CREATE INDEX ix_billversion_fts ON billversion USING gin ({OLD_VERSION_DOC})")
