"""search: PostgreSQL reads words as SQLite's FTS5 does, so the same words find the same bills on both

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

0003 indexed PostgreSQL with the ``english`` configuration, and the two databases disagreed on the same real
bills (tests/tracker/test_cli.py): PostgreSQL's parser keeps "U.S." as one token 'u.s' and "e-mail" as a
compound, which the query's words ("u", "s"; "e", "mail") never matched; it drops stop words, so "the", "who" or
"will" (or "U.S.", whose "s" is one) became an empty query that found nothing; and it neither folds "García" to
"garcia" nor stems as SQLite does ("technology" and "technological" are one word there, not here).

SQLite's ``porter unicode61`` tokenizer is the reference (FTS5 cannot be taught anything else), and PostgreSQL is
brought to it, for the bill document, the version text and the query alike:

- ``tracker_search_words(text)``: lower case, a Latin letter's accent removed as unicode61 removes it, every
  run of other characters than letters and digits a space: the words are exactly unicode61's, and PostgreSQL's
  parser has nothing left to join or drop. Then what makes the snowball ``porter`` stemmer (the original Porter
  algorithm, as SQLite's) agree with SQLite's version of it: that one also turns "-logi" into "-log" and "-bli"
  into "-ble" (rules Porter added later), and leaves words under three letters as they are (snowball makes
  "as", "us", "ay" "a", "u", "ai": "us" would be "U.S."'s "u"). Those words carry a marker through the stemmer,
  taken off the finished tsvector.
- ``tracker_search``: a text search configuration without stop words (copied from ``simple``), its word tokens
  stemmed by ``tracker_porter`` (snowball ``porter``, no stop word list).

Checked on the 29,692 distinct words of the 117th Congress's titles and summaries: each word is one with the
same other words on both databases but for "ies" (SQLite: "ie", PostgreSQL: "i"). tracker/search.py builds the
query the same way. The database must be UTF-8 (``normalize``) with a character type that knows letters beyond
ASCII (any UTF-8 locale, not "C"). Reading text so costs about twice what ``english`` did (8 s instead of 4 s
for 17 MB of summaries); rebuilding the generated column rewrites the bill table once.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Appended to the short words SQLite leaves unstemmed, so that the stemmer leaves them too (digits then letters: no
# word ends so), and taken off the finished tsvector or tsquery, where nothing changes words any more.
SHORT_WORD_MARK = "0qq"

# A letter with one accent loses it, as in SQLite's unicode61 (remove_diacritics=1): "García" is "garcia", and
# "ǖ" (two accents) stays. Only where such letters or accents are: the normalizations are most of the cost.
_FOLD = ("CASE WHEN doc ~ '[\\u00c0-\\u024f\\u0300-\\u036f\\u1e00-\\u1eff]' THEN normalize(regexp_replace("
         "normalize(lower(doc), NFD), '([A-Za-z])[\\u0300-\\u036f](?![\\u0300-\\u036f])', '\\1', 'g'), NFC) "
         "ELSE lower(doc) END")
# Only built-in functions in the body: a function body finds functions through the search_path of the moment, and
# pg_restore (search_path '') recomputes the generated column.
_FUNCTIONS = f"""
CREATE FUNCTION tracker_search_words(doc text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace({_FOLD}, '[^[:alnum:]]+', ' ', 'g'),
    '\\m(\\w*([aeiou][^aeiou]|[^aeiou]y[^aeiouy])\\w*)log(y|ies|i)\\M', '\\1log', 'g'),
    '\\m(\\w*([aeiou][^aeiou]|[^aeiou]y[^aeiouy])\\w*)bl(y|ies|i)\\M', '\\1ble', 'g'),
    '\\m([0-9a-rt-z]s|[aeiou]y)\\M', '\\1{SHORT_WORD_MARK}', 'g')
$$;
CREATE TEXT SEARCH DICTIONARY tracker_porter (TEMPLATE = snowball, Language = porter);
CREATE TEXT SEARCH CONFIGURATION tracker_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION tracker_search ALTER MAPPING FOR asciiword, word, numword, asciihword, hword,
  numhword, hword_asciipart, hword_part, hword_numpart WITH tracker_porter;
"""


def unmarked(expression: str, type_: str) -> str:
    """A tsvector or tsquery (an SQL expression) without the short words' marker."""
    return f"(regexp_replace(({expression})::text, '{SHORT_WORD_MARK}''', '''', 'g')::{type_})"


def search_doc(text: str) -> str:
    """The tsvector of ``text`` (an SQL expression), words read as SQLite reads them."""
    return unmarked(f"to_tsvector('tracker_search', tracker_search_words({text}))", "tsvector")


# The same documents as 0003's, read the new way. tracker/search.py repeats the version text's expression
# exactly: PostgreSQL uses an expression index only for the same expression.
BILL_TEXT = ("coalesce(title, '') || ' ' || coalesce(short_title, '') || ' ' || coalesce(popular_title, '') || ' ' "
             "|| coalesce(summary_text, '')")
PG_BILL_DOC = search_doc(BILL_TEXT)
PG_VERSION_DOC = search_doc("left(coalesce(text, ''), 500000)")
OLD_BILL_DOC = f"to_tsvector('english', {BILL_TEXT})"  # 0003's
OLD_VERSION_DOC = "to_tsvector('english', left(coalesce(text, ''), 500000))"


def _index(bill_doc: str, version_doc: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_billversion_fts")
    op.execute("DROP INDEX IF EXISTS ix_bill_fts")
    op.execute("ALTER TABLE bill DROP COLUMN IF EXISTS search_doc")
    op.execute(f"ALTER TABLE bill ADD COLUMN search_doc tsvector GENERATED ALWAYS AS ({bill_doc}) STORED")
    op.execute("CREATE INDEX ix_bill_fts ON bill USING gin (search_doc)")
    op.execute(f"CREATE INDEX ix_billversion_fts ON billversion USING gin ({version_doc})")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's FTS5 index is the reference: nothing changes there
    op.execute(_FUNCTIONS)
    _index(PG_BILL_DOC, PG_VERSION_DOC)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _index(OLD_BILL_DOC, OLD_VERSION_DOC)
    op.execute("DROP TEXT SEARCH CONFIGURATION tracker_search")
    op.execute("DROP TEXT SEARCH DICTIONARY tracker_porter")
    op.execute("DROP FUNCTION tracker_search_words(text)")
