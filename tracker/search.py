"""Full-text search over bill titles, summaries and version text: SQLite FTS5 or PostgreSQL text search,
set up by migration 0003 and, on PostgreSQL, made to read words as SQLite does by migration 0012 and to index each
version's text in parts by 0033, and a long summary's too by 0034 (a tsvector's limits). Filters, ranking and
paging run in SQL.

People look bills up by number far more often than by words, so a query is first read for a bill number
(``read_query``): typed alone ("HR 1234", "H.R. 1234", "hr1234", "S.22", "H.Res. 5", "AB 5", "ABX1 1",
"Int 0123-2024"), it lists that number's bills, in every jurisdiction and session that has one, and nothing
else (its letters and digits as words, "s" and "22", would only add noise). Among other words, wherever it is
("HR 1234 privacy", "privacy HR 1234", "privacy HR 1234 act"), the number's bills still come first, those that
also have the words before the others (the same number recurs every session: the words tell them apart), then
the other bills that have the words; two numbers ("HR 22 S 22") list both numbers' bills first. A number that
names no bill (within the filters) is only words: the whole query is searched as it would be without this.

Words are all required, in any order, but as ``OR``, exclusions (``-word``, ``NOT word``) and parentheses steer
them (tracker.search_syntax reads those); each word is then written out here quoted, so nothing typed is FTS5's or
``to_tsquery``'s syntax ("*", NEAR, ":" are punctuation or words). An exclusion is of the whole bill, its text
included, on both databases. "Quoted words" are a phrase; a hyphenated word is its parts or the parts written
as one ("cyber-security": "cybersecurity" too); the last word is also a prefix on the Search page (results while
typing), the bills with the whole word ranked first.

A legislator's name is words of the bill too: migration 0025 indexes its sponsor's and cosponsors' names
(``Bill.sponsor_names``, folded by tracker.names: "Sanchez" finds "Sánchez"), the sponsor's weighed as a title's
words and the cosponsors' as its text (``FTS5_WEIGHTS``, ``PG_WEIGHTS``), so "Menendez" lists the bills he
sponsored first and "Menendez privacy" those of his bills that have the word. A word finds names when it is
written as a name, with a capital, or when no bill has it as a word (``_with_names``): "banks" is banking, "Banks"
also the bills Sen. Banks and Rep. Banks (co)sponsored, "menendez" his bills.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    String,
    Text,
    and_,
    case,
    cast,
    column,
    except_,
    exists,
    false,
    func,
    intersect,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    union,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlmodel import Session

from tracker import search_syntax as syntax
from tracker.models import Bill, BillMatch, BillVersion, Jurisdiction, LegislativeSession, Position, Topic
from tracker.queries import bill_summary, find_numbered

# The same expressions as migration 0012's (PostgreSQL uses an expression index only for the same expression).
PG_CONFIG = "tracker_search"
SHORT_WORD_MARK = "0qq"  # what 0012's tracker_search_words appends to short words, taken off the result
PG_BILL_DOC = "bill.search_doc"
# A version's text is indexed in parts (migration 0033: a tsvector keeps no position past 16,383 and 255 of a word,
# and holds at most 1 MB), each part a document of its own; a phrase is whole in one part (they overlap).
TEXT_PARTS = table("billversion_fts_part", column("version_id"), column("doc"))
PG_PART_DOC = TEXT_PARTS.c.doc
# A bill's summary in parts too, when it passes those limits (migration 0034: a long CRS summary): ``search_doc``
# keeps every word but not every position, so only a phrase is looked up there too. A phrase is of one field, as in
# SQLite's columns: 0034 leaves a position empty between titles, summary, sponsor and cosponsors in ``search_doc``.
# One phrase SQLite finds and PostgreSQL does not: words that run from the end of one version's text into the start
# of another's. SQLite's one row a bill joins its versions' texts (in no set order: group_concat), PostgreSQL
# indexes each alone; such words are in no text, nobody means them, and PostgreSQL does not imitate the join.
BILL_PARTS = table("bill_fts_part", column("bill_id"), column("doc"))
# Parts share 200 words (migration 0033's OVERLAP_WORDS), so a phrase of up to 200 words across a cut is whole in
# one part; a longer one (a pasted passage of model language, to find the bills that carry it) may be in none. It
# is looked up as its pieces of this many words (a word is one or two of PostgreSQL's tokens: 200 at most), each
# sharing half its words with the next, and a bill has it when it has every piece. SQLite finds the passage whole;
# PostgreSQL would also find a bill whose text had each piece but not all in a row, which needs a 50-word passage
# repeated with different words around it, in both places at a piece's edge: none in the bench's texts.
PHRASE_PIECE_WORDS = 100

# How much a word counts where it is found. SQLite, bill_fts's columns (migration 0025): title, summary, text, the
# primary sponsor's name, the cosponsors'. PostgreSQL, the search document's weights D (title and summary), C (the
# cosponsors), B (unused), A (the primary sponsor), in that order. A name counts as much as a title's word for the
# bill's sponsor and a tenth of it for a cosponsor, on both: "Menendez" lists the bills he sponsored before those
# he cosponsored, and "Banks" the banking bills before those Rep. Banks cosponsored (PostgreSQL weighed a sponsor
# ten times a title's word and a cosponsor as much, and listed Rep. Banks's own bills first).
FTS5_WEIGHTS = "10.0, 4.0, 1.0, 10.0, 1.0"
_TEXT_COLUMNS = "title summary body"
PG_WEIGHTS = literal_column("'{0.1, 0.01, 0.1, 0.1}'::float4[]")


@dataclass(frozen=True)
class SearchFilter:
    jurisdiction: str | None = None
    stages: tuple[str, ...] = ()
    topic: str | None = None  # only bills flagged for this topic
    position: str | None = None  # the council's stance

    @classmethod
    def from_saved(cls, params: dict[str, Any]) -> "SearchFilter":
        """The filter a saved search's widget values (``q_*``) stand for; the words themselves are ``q``."""
        return cls(jurisdiction=params.get("q_jurisdiction") or None, stages=tuple(params.get("q_stages") or ()),
                   topic=params.get("q_topic") or None, position=params.get("q_position") or None)


# A bill number spans at most four words ("H. R. 1234", "Int. No. 1299") and, without its spaces and dots, is
# letters then a digit ("HR1234", "HRes5", "ABX11", "Int0123-2024", "Int1299", "O2018-9628") or a year-number file
# number (LA Metro's "2018-0123"). A bare number ("1299") is one only typed alone, for a city's file of that number
# (tracker.queries.find_numbered), and is searched as a word too: among words ("budget 2022") it is a word, or a
# year.
NUMBER_WORDS = 4
NUMBERS_READ = 60  # words of a query read for numbers (and the last NUMBER_WORDS)
_AROUND_NUMBER = "\"'“”‘’()[]{},;:!?"
_NUMBER_LIKE = re.compile(r"[A-Za-z]{1,12}-?\d[A-Za-z\d-]*|\d{4}-\d+")
_BARE_NUMBER = re.compile(r"#?(\d{1,8})")


@dataclass(frozen=True)
class ReadQuery:
    """What a typed query asks for."""

    number: str | None  # the bill number(s) as typed, when they name bills (within the filters): "HR 22, S 22"
    number_ids: tuple[int, ...]  # the bills they name, every jurisdiction and session in scope
    words: str  # what is searched as words: the rest of the query, or all of it when no number names a bill


def read_query(session: Session, query: str, *, where: Sequence[Any] = ()) -> ReadQuery:
    """Read ``query`` for bill numbers anywhere in it ("privacy HR 1234 act": ``where``, conditions on Bill and
    LegislativeSession, scopes them), in one query for every candidate span of words.

    From the left, each word starts the longest span that names a bill, if any ("H. R. 22" over "R. 22"); those
    spans are the numbers, every other word is a word. People put a number wherever it comes to mind, and two
    numbers side by side ("HR 22 S 22") to compare companion bills."""
    tokens = (query or "").split()
    candidates: dict[tuple[int, int], str] = {}  # (start, size): the span, when it reads like a number
    # Numbers are typed, not pasted: past the first words only the end is read, or a pasted page of numbered
    # paragraphs put thousands of look-ups in one query (12,000 numbers: 85 s on SQLite).
    starts = sorted({*range(min(len(tokens), NUMBERS_READ)), *range(max(0, len(tokens) - NUMBER_WORDS), len(tokens))})
    for start in starts:
        for size in range(min(NUMBER_WORDS, len(tokens) - start), 0, -1):
            # Quoted, in parentheses or in a list: '"HR 22"', "(H.R. 22)", "HR 22, S 22".
            ref = " ".join(tokens[start:start + size]).strip(_AROUND_NUMBER)
            if _NUMBER_LIKE.fullmatch(re.sub(r"[\s.]", "", ref)):
                candidates[(start, size)] = ref
    bare = None
    if len(tokens) == 1 and (alone := _BARE_NUMBER.fullmatch(tokens[0].strip(_AROUND_NUMBER))):
        bare = candidates[(0, 1)] = alone.group(1)
    if not candidates:
        return ReadQuery(number=None, number_ids=(), words=query or "")
    found = find_numbered(session, list(dict.fromkeys(candidates.values())), where=where)
    numbers: list[str] = []
    ids: dict[int, None] = {}
    rest: list[str] = []
    start = 0
    while start < len(tokens):
        size = next((n for n in range(NUMBER_WORDS, 0, -1)
                     if (ref := candidates.get((start, n))) is not None and found[ref]), 0)
        if size:
            ref = candidates[(start, size)]
            numbers.append(ref)
            ids.update(dict.fromkeys(found[ref]))
            start += size
        else:
            rest.append(tokens[start])
            start += 1
    if not numbers:
        return ReadQuery(number=None, number_ids=(), words=query or "")
    if bare is not None:  # "1299": the files of that number first, then the bills that have it as a word
        return ReadQuery(number=bare, number_ids=tuple(ids), words=query)
    return ReadQuery(number=", ".join(numbers), number_ids=tuple(ids), words=" ".join(rest))


def words_query(session: Session, words: str, *, prefix: bool = True) -> syntax.All:
    """What ``words`` (a query without its bill numbers: ``ReadQuery.words``) asks for (tracker.search_syntax),
    each word's ``names`` decided (``_with_names``); the last word a prefix when ``prefix`` is on."""
    return _with_names(session, syntax.parse(words, prefix=prefix))


def _with_names(session: Session, found: syntax.All) -> syntax.All:
    """Which words also find legislators' names: those written with a capital ("Banks", "Menendez"), and those
    that no bill has as a word ("menendez": it can only be a name). A word in lower case is a word: "banks" is
    banking (245 bills of the 117th Congress), not also every bill Sen. Banks or Rep. Banks (co)sponsored (580).

    Looked up in one statement, on the whole index (not the filters: the same word means the same everywhere)."""
    lower = [t for t in dict.fromkeys(replace(t, prefix=False) for t in syntax.terms(found)) if not t.capitalised]
    absent: set[syntax.Term] = set()
    if lower:
        has = select(*[_has_as_word(session, t) for t in lower])
        if session.get_bind().dialect.name == "postgresql":
            # PostgreSQL plans "EXISTS (... @@ word)" as a sequential scan that expects to meet the word soon: for a
            # word no bill has (the case that matters) it read every bill and computed every version text's
            # document, 0.4 to 0.8 s at 17,817 bills (30 ms through the indexes). Its planner takes no hint: the
            # setting is changed for this statement only, in a savepoint rolled back (nothing was written).
            with session.begin_nested() as savepoint:
                session.execute(text("SET LOCAL enable_seqscan = off"))
                row = session.execute(has).one()
                savepoint.rollback()
        else:
            row = session.execute(has).one()
        absent = {t for t, present in zip(lower, row, strict=True) if not present}
    return syntax.transform(  # type: ignore[return-value]
        found, lambda t: replace(t, names=t.capitalised or replace(t, prefix=False) in absent))


def _has_as_word(session: Session, term: syntax.Term) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        found = [exists(select(Bill.id).where(literal_column(PG_BILL_DOC).op("@@")(_pg_node(term)))),
                 exists(select(TEXT_PARTS.c.version_id).where(PG_PART_DOC.op("@@")(_pg_node(term, weights=False))))]
        if term.kind == syntax.PHRASE:
            found.append(exists(select(BILL_PARTS.c.bill_id).where(BILL_PARTS.c.doc.op("@@")(
                _pg_node(term, weights=False)))))
        return or_(*found)
    return exists(select(literal_column("rowid")).select_from(text("bill_fts"))
                  .where(literal_column("bill_fts").op("MATCH")(literal(_fts5_node(term)))))


def _fts5_word(word: str, prefix: bool, names: bool = True) -> str:
    # Words hold letters and digits only (tracker.search_syntax): quoted, nothing typed is an FTS5 operator.
    # A word that is not also a name is looked for in the bill's own columns only. The last word is asked whole
    # as well as a prefix: the same bills, but those with the whole word rank first ("AI" typed in full: the bills
    # that say "AI" before those that say "air" or "aim"). A prefix is of the bill's words only, not of
    # legislators' names: "data bro" is data brokers, not Rep. Brown's data bills.
    whole = f'"{word}"' if names else f'{{{_TEXT_COLUMNS}}} : "{word}"'
    return f'({whole} OR {{{_TEXT_COLUMNS}}} : "{word}"*)' if prefix else whole


def _fts5_node(node: syntax.Node) -> str:
    if isinstance(node, syntax.Any):
        return "(" + " OR ".join(_fts5_node(n) for n in node.alternatives) + ")"
    if isinstance(node, syntax.All):
        required = " AND ".join(_fts5_node(n) for n in node.required)
        if not node.excluded:
            return f"({required})"
        # FTS5's NOT is of the row, and bill_fts has one row a bill (its text all in one): the bill has none.
        return f"(({required}) NOT ({' OR '.join(_fts5_node(n) for n in node.excluded)}))"
    if node.kind == syntax.PHRASE:
        return f'"{" ".join(node.words)}"' if node.names else f'{{{_TEXT_COLUMNS}}} : "{" ".join(node.words)}"'
    if node.kind == syntax.HYPHENATED:
        last = len(node.words) - 1
        parts = " AND ".join(_fts5_word(w, node.prefix and i == last, node.names) for i, w in enumerate(node.words))
        return f'(({parts}) OR {_fts5_word("".join(node.words), node.prefix, node.names)})'
    return _fts5_word(node.words[0], node.prefix, node.names)


def fts5_query(found: syntax.All) -> str:
    """``found`` (``words_query``) as an FTS5 query, which needs a required word (``_excluded_ids`` serves a
    query of exclusions only): the words and phrases written out one by one, quoted, so nothing the user typed
    is read as FTS5's syntax."""
    return _fts5_node(found)


def _pg_join(parts: list[Any], op: str) -> Any:
    # Joined as a balanced tree: a chain of 150 "&&" nested that deep, and compiling it overflowed Python's stack
    # (a pasted paragraph crashed the search page).
    while len(parts) > 1:
        parts = [parts[i].op(op)(parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def _pg_node(node: syntax.Node, *, weights: bool = True) -> Any:
    """The words ``node`` requires as a PostgreSQL tsquery, its exclusions left out (``_pg_ids`` applies them to
    the whole bill): the same words and phrases as FTS5's, each read as the documents are (migration 0012:
    SQLite's words and stems). ``weights=False`` drops the weight D a word that is not a name asks for: a version's
    text is all weight D, so it finds the same, and its GIN index then answers without reading a text again
    (a weight, like a phrase, makes PostgreSQL recheck each candidate: here, compute that text's document).

    Each word is a query of its own: PostgreSQL's query parser reads "data-broker" as a compound that also needs
    the token "data-broker" itself, and drops stop words, so "the" alone became an empty query that found
    nothing; and nothing typed reaches it as syntax."""
    if isinstance(node, syntax.Any):
        return _pg_join([_pg_node(n, weights=weights) for n in node.alternatives], "||")
    if isinstance(node, syntax.All):
        return _pg_join([_pg_node(n, weights=weights) for n in node.required], "&&")
    names = node.names or not weights
    if node.kind == syntax.PHRASE:
        pieces = _phrase_pieces(node)
        if len(pieces) > 1:  # in one document: the rank, and whether any bill has it (_with_names)
            return _pg_join([_pg_phrase(p.words, names) for p in pieces], "&&")
        return _pg_phrase(node.words, names)
    if node.kind == syntax.HYPHENATED:
        last = len(node.words) - 1
        parts = _pg_join([_pg_term(w, prefix=node.prefix and i == last, names=names, weights=weights)
                          for i, w in enumerate(node.words)], "&&")
        return parts.op("||")(_pg_term("".join(node.words), prefix=node.prefix, names=names, weights=weights))
    return _pg_term(node.words[0], prefix=node.prefix, names=names, weights=weights)


def _pg_phrase(words: tuple[str, ...], names: bool) -> Any:
    """The words one after the other (<->), read as the documents are, as one expression of one parameter: built
    word by word (a tsquery of each, joined by ``tsquery_phrase``), a pasted passage of 300 words overflowed
    Python's stack, and at 100 compiling it took seconds. ``tracker_search_words`` changes each word alone (its
    patterns are whole words), and ``phraseto_tsquery`` reads them as ``to_tsvector`` does; a word that is not also
    a name is of weight D only, as in ``_pg_term``."""
    tsq = func.phraseto_tsquery(literal_column(f"'{PG_CONFIG}'::regconfig"), func.tracker_search_words(" ".join(words)))
    found = func.regexp_replace(cast(tsq, Text), f"{SHORT_WORD_MARK}'", "'", "g")
    if not names:
        found = func.regexp_replace(found, "'( |$)", "':D\\1", "g")
    return cast(found, TSQUERY)


def _phrase_pieces(node: syntax.Term) -> list[syntax.Term]:
    """A phrase of more than ``PHRASE_PIECE_WORDS`` words as pieces of that many, each sharing half its words with
    the next (the last ends with the phrase); a shorter phrase as itself. See ``PHRASE_PIECE_WORDS``."""
    words = node.words
    if len(words) <= PHRASE_PIECE_WORDS:
        return [node]
    step = PHRASE_PIECE_WORDS // 2
    starts = [*range(0, len(words) - PHRASE_PIECE_WORDS, step), len(words) - PHRASE_PIECE_WORDS]
    return [replace(node, words=words[i:i + PHRASE_PIECE_WORDS]) for i in starts]


def _pg_term(term: str, *, prefix: bool, names: bool = True, weights: bool = True) -> Any:
    # SQLite does not stem a word under three letters: "as"* is every word that starts with "as" (stemmed, it
    # would start with "a"). The term holds letters and digits only: quoting it is enough. A word that is not
    # also a name is of weight D only, the bill's words (its title, summary and text; names are A and C).
    config = "simple" if prefix and len(term) < 3 else PG_CONFIG
    word = func.quote_literal(func.tracker_search_words(term), type_=String)
    # A prefix is of the words only (weight D), not of the names: the whole word finds those (as _fts5_word).
    tsq = func.to_tsquery(literal_column(f"'{config}'::regconfig"),
                          word.concat(":*D" if weights else ":*") if prefix else word if names else word.concat(":D"))
    found = cast(func.regexp_replace(cast(tsq, Text), f"{SHORT_WORD_MARK}'", "'", "g"), TSQUERY)
    return _pg_term(term, prefix=False, names=names).op("||")(found) if prefix else found


def _pg_found(node: syntax.Node) -> Any:
    """The ids of the bills whose own document or a part of a version's text has ``node`` (a word or a phrase):
    a union of index searches ("document matches OR id in (versions that match)" read every bill's document
    instead, a sequential scan, 0.15 s at 17,817 bills for a word that two bills have). A phrase is also looked
    for in the parts of long summaries (``BILL_PARTS``), which hold the summary only: a phrase of a title or of
    names is in ``search_doc``, where they keep their positions (the titles come first, and no summary is long
    enough to push the names past position 16,383: the longest, H.R. 1319's, ends at 9,939)."""
    found = [select(Bill.id.label("bill_id")).where(literal_column(PG_BILL_DOC).op("@@")(_pg_node(node))),
             select(BillVersion.bill_id).join(TEXT_PARTS, TEXT_PARTS.c.version_id == BillVersion.id)
             .where(PG_PART_DOC.op("@@")(_pg_node(node, weights=False)))]
    if isinstance(node, syntax.Term) and node.kind == syntax.PHRASE:
        found.append(select(BILL_PARTS.c.bill_id).where(BILL_PARTS.c.doc.op("@@")(_pg_node(node, weights=False))))
    return union(*found)


def _pg_ids(node: syntax.Node) -> Any:
    """The ids of the bills ``node`` finds, read of the whole bill as SQLite's index holds it (one row a bill:
    titles, summary, names and every version's text): each required word or phrase anywhere in the bill, none
    of the excluded ones anywhere. PostgreSQL indexes a bill and each version as documents of their own, and one
    tsquery of them all found "broadband humphrey" only where one document had both words, where SQLite found a
    bill with "broadband" in its title and "Humphrey" in its text; and a tsquery's "!" is of one document, so a
    bill whose title has "privacy" and whose text "tobacco" was found by "privacy -tobacco" through its title.

    So each word or phrase is looked up alone, in both indexes, and the sets are intersected (every word),
    joined (OR) and subtracted (exclusions) by bill: index searches only, no text read in turn. A word is looked
    for in the texts without its weight (``_pg_node``), so the text index answers it alone; a phrase's word
    positions are not in the index, and the text parts that have its words are read again to check them (their
    stored tsvectors: the whole texts' documents were computed again, 2.3 s for "disaster relief", which 15 long
    texts have word by word; docs/benchmarks.md)."""
    if isinstance(node, syntax.Any):
        return union(*[_pg_ids(n) for n in node.alternatives])
    if isinstance(node, syntax.All):
        parts = [_pg_ids(n) for n in node.required]
        found = parts[0] if len(parts) == 1 else intersect(*parts)
        return except_(found, _pg_ids(_either(node.excluded))) if node.excluded else found
    if node.kind == syntax.HYPHENATED:  # as FTS5's: each part anywhere in the bill, or the parts written as one
        last = len(node.words) - 1
        parts = [_pg_found(replace(node, kind=syntax.WORD, words=(w,), prefix=node.prefix and i == last))
                 for i, w in enumerate(node.words)]
        return union(intersect(*parts), _pg_found(replace(node, kind=syntax.WORD, words=("".join(node.words),))))
    if node.kind == syntax.PHRASE and len(pieces := _phrase_pieces(node)) > 1:
        return intersect(*[_pg_found(p) for p in pieces])
    return _pg_found(node)


def _either(nodes: tuple[syntax.Node, ...]) -> syntax.Node:
    return nodes[0] if len(nodes) == 1 else syntax.Any(nodes)


def _excluded_ids(session: Session, found: syntax.All) -> Any:
    """A select of the ids of the bills ``found``'s exclusions exclude (a query of exclusions only)."""
    either = _either(found.excluded)
    if session.get_bind().dialect.name == "postgresql":
        return _pg_ids(either)
    return (select(literal_column("rowid")).select_from(text("bill_fts"))
            .where(literal_column("bill_fts").op("MATCH")(literal(_fts5_node(either)))))


def _matching_ids(session: Session, found: syntax.All) -> Any:
    """A select of (bill id, rank) for ``found`` (``words_query``: at least one required word), lower rank
    first."""
    if session.get_bind().dialect.name == "postgresql":
        tsq = _pg_node(found)
        # Divided by the log of the document's length (normalization 1), as bm25 weighs length: unweighed, the
        # longest summaries came first (the infrastructure act led "broadband", the rescue plan "AI"). With the
        # last word as a prefix, the bills with the whole word too rank higher, as in fts5_query.
        rank = func.ts_rank(PG_WEIGHTS, literal_column(PG_BILL_DOC), tsq, 1)
        if any(t.prefix for t in syntax.terms(found)):
            rank = rank + 10 * func.ts_rank(PG_WEIGHTS, literal_column(PG_BILL_DOC),
                                            _pg_node(syntax.without_prefix(found)), 1)
        # Ranked on the bill's own document (titles, summary, names): a bill found through its text only ranks
        # by what of the query its titles and summary hold, 0 for none, as before after the title matches.
        hits = _pg_ids(found).subquery()
        # ts_rank is larger for better matches; negate so "lower is better" like FTS5's bm25.
        return select(hits.c.bill_id, (-rank).label("rank")).join(Bill, Bill.id == hits.c.bill_id)
    return select(literal_column("rowid").label("bill_id"), literal_column(f"bm25(bill_fts, {FTS5_WEIGHTS})")
                  .label("rank")).select_from(text("bill_fts")).where(text("bill_fts MATCH :q")
                                                                       ).params(q=fts5_query(found))


def named_bill_ids(session: Session, word: str) -> Any:
    """A select of the ids of the bills a legislator named ``word`` (whole, accents and case ignored) sponsored or
    cosponsored: their names only, not their words (the triage box, which reads titles for the rest)."""
    if session.get_bind().dialect.name == "postgresql":
        term = cast(_pg_term(word, prefix=False), Text)  # 'sanchez': the names' weights only, 'sanchez':AC
        tsq = cast(func.regexp_replace(term, "'( |$)", "':AC\\1", "g"), TSQUERY)
        return select(Bill.id).where(literal_column(PG_BILL_DOC).op("@@")(tsq))
    return (select(literal_column("rowid")).select_from(text("bill_fts"))
            .where(literal_column("bill_fts").op("MATCH")("{sponsor cosponsors} : " + _fts5_word(word, False))))


def names_not_searched(session: Session, words: str) -> list[str]:
    """The words of ``words`` (``ReadQuery.words``) searched as words only that are also legislators' names: the
    Search page says to write them with a capital ("sanchez" is a word of one bill, "Sanchez" finds hers)."""
    found = words_query(session, words, prefix=False)
    lower = [t.words[0] for t in dict.fromkeys(syntax.terms(found, excluded=False))
             if t.kind == syntax.WORD and not t.names]
    if not lower:
        return []
    named = session.execute(select(*[exists(named_bill_ids(session, w)) for w in lower])).one()
    return [w for w, has in zip(lower, named, strict=True) if has]


def matching_bill_ids(session: Session, query: str, *, where: Sequence[Any] = ()) -> Any:
    """A select of the ids of the bills ``query`` finds (``read_query``: a bill number in scope of ``where``, and
    every other word, whole, as a word, its stem), as a filter does (``tracker bills list --text``, a packet's
    text); none when it holds neither a number nor a word."""
    read = read_query(session, query, where=where)
    words = words_query(session, read.words, prefix=False)
    found: list[Any] = [Bill.id.in_(read.number_ids)] if read.number_ids else []
    if words.required:
        hits = _matching_ids(session, words).subquery()
        found.append(Bill.id.in_(select(hits.c.bill_id)))
    elif words.excluded and not read.number_ids:  # exclusions only: they narrow the other filters' bills
        found.append(Bill.id.not_in(_excluded_ids(session, words)))
    return select(Bill.id).where(or_(*found) if found else false())


def text_order(session: Session, query: str, *, where: Sequence[Any] = ()) -> tuple[Any | None, list[Any]]:
    """How a list of the bills ``matching_bill_ids`` finds is ordered as ``search`` orders them: a select of
    (bill_id, rank) to outer-join to Bill (None when the query has no words), and the ordering (callers add their
    own tie-breaks after it): the number's bills first, those with the words before the others, the latest
    introduced first; then the best word match first."""
    read = read_query(session, query, where=where)
    ranked = None
    if (words := words_query(session, read.words, prefix=False)).required:
        ranked = _matching_ids(session, words).cte("ranked")
        if session.get_bind().dialect.name == "sqlite":
            ranked = ranked.prefix_with("MATERIALIZED")  # as in _word_search: the match once, not once per bill
    order: list[Any] = []
    if read.number_ids:
        by_number = Bill.id.in_(read.number_ids)
        order.append(case((by_number, 0), else_=1))
        if ranked is not None:
            order.append(case((and_(by_number, ranked.c.rank.is_(None)), 1), else_=0))
        order.append(case((by_number, Bill.introduced_date)).desc().nulls_last())
    if ranked is not None:
        order.append(ranked.c.rank.asc().nulls_last())
    return ranked, order


def search_bill_ids(session: Session, query: str, flt: SearchFilter = SearchFilter()) -> Any:
    """A select of the ids of every bill ``search`` finds, on every page (a saved search's packet)."""
    where = _filters(flt)
    read = read_query(session, query, where=where)
    words = words_query(session, read.words)
    if read.number_ids or words.required:
        found: list[Any] = [Bill.id.in_(read.number_ids)] if read.number_ids else []
        if words.required:
            hits = _matching_ids(session, words).subquery("hits")
            found.append(Bill.id.in_(select(hits.c.bill_id)))
        return select(Bill.id).where(or_(*found), *where)
    # the search page lists the filters' bills (without the excluded ones), or nothing without words or filters
    if words.excluded and where:
        where.append(Bill.id.not_in(_excluded_ids(session, words)))
    return select(Bill.id).where(*where) if where else select(Bill.id).where(false())


def filter_conditions(flt: SearchFilter) -> list[Any]:
    """The filter's conditions on Bill (for ``read_query``'s ``where``: a number is read within the filters)."""
    return _filters(flt)


def _filters(flt: SearchFilter) -> list[Any]:
    where: list[Any] = []
    if flt.jurisdiction:
        where.append(Bill.jurisdiction_id == flt.jurisdiction)
    if flt.stages:
        where.append(Bill.stage.in_(list(flt.stages)))
    if flt.topic:
        where.append(Bill.id.in_(select(BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
                                 .where(BillMatch.flagged, Topic.slug == flt.topic)))
    if flt.position:
        where.append(Bill.id.in_(select(Position.bill_id).where(Position.stance == flt.position)))
    return where


def search(session: Session, query: str, flt: SearchFilter = SearchFilter(), *, limit: int = 50,
           offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Bills the query finds (see the module's docstring: the bills of a typed number first, then the word
    matches, best first) and the total count. Each row says how it matched (``matched``: "number" or "words")
    and its jurisdiction's and session's names. Without words or a number, the bills the filters choose (latest
    action first): "which bills do we support" has no words; without words or filters, nothing."""
    where = _filters(flt)
    read = read_query(session, query, where=where)
    words = words_query(session, read.words)
    if not read.number_ids:
        return _word_search(session, words, where, limit=limit, offset=offset)
    numbered = _numbered(session, read, words)
    shown = numbered[offset:offset + limit]
    if not words.required:  # the number alone: its letters and digits as words would only add noise
        return shown, len(numbered)
    rows, total = _word_search(session, words, [*where, Bill.id.not_in(read.number_ids)],
                               limit=limit - len(shown), offset=max(0, offset - len(numbered)))
    return shown + rows, len(numbered) + total


_LABELS = (LegislativeSession.identifier, LegislativeSession.name, Jurisdiction.name)


def _row(bill: Bill, session_identifier: str, session_name: str, jurisdiction_name: str, matched: str
         ) -> dict[str, Any]:
    return {**bill_summary(bill, session_identifier), "session_name": session_name,
            "jurisdiction_name": jurisdiction_name, "matched": matched}


def _with_labels(query: Any) -> Any:
    return (query.join(LegislativeSession, LegislativeSession.id == Bill.session_id)
            .join(Jurisdiction, Jurisdiction.id == Bill.jurisdiction_id))


def _numbered(session: Session, read: ReadQuery, words: syntax.All) -> list[dict[str, Any]]:
    """The bills of the typed number (few: one a session): those that also have the other words first, then
    the latest first (the same number recurs every session). A number typed is listed whatever the words
    exclude: it names the bill asked for."""
    with_words: Any = true()
    if words.required:
        hits = _matching_ids(session, words).subquery()
        with_words = Bill.id.in_(select(hits.c.bill_id))
    # Without introduction dates (New York City's matters), the later session first: "Int 1173" is 2018's, then
    # 2016's, whatever order a crawl stored them in.
    rows = session.execute(_with_labels(select(Bill, *_LABELS)).where(Bill.id.in_(read.number_ids)).order_by(
        case((with_words, 0), else_=1), Bill.introduced_date.desc().nulls_last(),
        LegislativeSession.identifier.desc(), Bill.id.desc())).all()
    return [_row(*row, matched="number") for row in rows]


def _word_search(session: Session, words: syntax.All, where: list[Any], *, limit: int, offset: int
                 ) -> tuple[list[dict[str, Any]], int]:
    if not words.required:  # the filters' bills, without those the words exclude; nothing without filters
        if words.excluded and where:
            where = [*where, Bill.id.not_in(_excluded_ids(session, words))]
        return _filtered(session, where, limit=limit, offset=offset) if where else ([], 0)
    hits = _matching_ids(session, words).cte("hits")
    if session.get_bind().dialect.name == "sqlite":
        # Otherwise a selective filter lets SQLite drive from Bill and rerun the FTS match once per candidate
        # bill (seconds at 100,000 bills instead of milliseconds). PostgreSQL plans the inlined form well.
        hits = hits.prefix_with("MATERIALIZED")
    base = _with_labels(select(Bill, *_LABELS, hits.c.rank).join(hits, hits.c.bill_id == Bill.id)).where(*where)
    rows = session.execute(base.order_by(hits.c.rank, Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
                           .limit(limit).offset(offset)).all()
    total = session.execute(_count(session, words, hits, where)).scalar_one()
    return [_row(*row[:4], matched="words") for row in rows], total


def _filtered(session: Session, where: list[Any], *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    base = _with_labels(select(Bill, *_LABELS)).where(*where)
    rows = session.execute(base.order_by(Bill.latest_action_date.desc().nulls_last(), Bill.id.desc())
                           .limit(limit).offset(offset)).all()
    total = session.execute(select(func.count()).select_from(Bill).where(*where)).scalar_one()
    return [_row(*row, matched="filters") for row in rows], total


def _count(session: Session, words: syntax.All, hits: Any, where: list[Any]) -> Any:
    """How many bills match; on PostgreSQL without ranking (ts_rank rereads every matching document)."""
    if session.get_bind().dialect.name != "postgresql":
        return select(func.count()).select_from(Bill).join(hits, hits.c.bill_id == Bill.id).where(*where)
    found = _pg_ids(words).subquery()
    if not where:  # nothing to read the bills for
        return select(func.count()).select_from(found)
    return select(func.count()).select_from(Bill).where(Bill.id.in_(select(found.c.bill_id)), *where)


def highlight_terms(query: str) -> list[str]:
    """The words to mark in shown results: those the query looks for, not those it excludes nor its operators
    (a bill number's letters and digits are no words: pass ``ReadQuery.words`` for a query that holds one)."""
    words = [w for t in syntax.terms(syntax.parse(query), excluded=False) for w in t.words]
    return [w for w in dict.fromkeys(words) if len(w) > 1]


__all__ = ["ReadQuery", "SearchFilter", "filter_conditions", "fts5_query", "highlight_terms", "matching_bill_ids",
           "named_bill_ids", "names_not_searched", "read_query", "search", "search_bill_ids", "text_order",
           "words_query"]
