"""What a search query asks for, read from the typed text: words and "quoted phrases", ``OR``, exclusions
(``-word``, ``NOT word``) and parentheses, as people type them into commercial trackers and search engines.

Only the shape is read here (no database): tracker/search.py writes the result as an FTS5 query or a PostgreSQL
tsquery itself, word by word, so nothing typed ever reaches FTS5's MATCH or ``to_tsquery`` as syntax.

- Words are all required, in any order (``AND`` may be written, it changes nothing).
- ``OR`` (capitals: "or" is a word of pasted text) joins the words or groups either side of it, more tightly than
  the words around it: ``facial recognition OR biometric`` is facial and (recognition or biometric), as Google and
  Westlaw read it; parentheses or quotes group otherwise: ``(facial recognition) OR biometric``.
- ``-word``, ``-"a phrase"``, ``-(a OR b)`` and ``NOT`` before any of them exclude the bills that have them. An
  exclusion narrows what the rest finds; an alternative of an ``OR`` that only excludes (``a OR -b``) is dropped.
- Malformed input is words, never an error: a quote or parenthesis left open is punctuation, an ``OR`` or ``NOT``
  with nothing on one side is ignored, a lone ``-`` is punctuation; a query of operators only ("OR", "NOT") is
  searched as those words. Parentheses nest ``MAX_DEPTH`` deep, deeper ones are punctuation.
- A query is bounded: at most ``MAX_WORDS`` words and phrases (a pasted page repeats and goes on: past its first
  words nothing more is found, yet each costs parameters and time).
"""

import re
from dataclasses import dataclass, replace

# Letters and digits, as SQLite's unicode61 tokenizer reads words (the underscore separates words there too).
WORD_CHARS = re.compile(r"[^\W_]+", re.UNICODE)
# A hyphenated word ("cyber-security", "e-mail"): its parts, or the parts written as one word ("cybersecurity").
_HYPHENATED = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
# One token: dashes that exclude, then a closed quote, a parenthesis or a run of other characters; a quote without
# its pair is punctuation. "e-mail" is one run (a dash excludes only at a token's start).
_TOKEN = re.compile(r'(?P<minus>-+)?(?:"(?P<phrase>[^"]*)"|(?P<open>\()|(?P<close>\))|(?P<bare>[^\s()"]+))|"')
OPERATORS = ("OR", "AND", "NOT")
# What the Search page's "How to search" and ``--text``'s help say (one wording, kept with the reading of it).
HELP_LINES = (
    ("privacy data", "every word, in any order"),
    ('"facial recognition"', "the words together, in this order"),
    ("privacy OR biometric", "either word, OR in capitals"),
    ("privacy -health, privacy NOT health", "without health anywhere in the bill, its text included"),
    ("(privacy OR biometric) -(health OR tobacco)", "parentheses group"),
    ("Menendez, Banks", "with a capital, also a legislator's name: the bills they sponsored or cosponsored; "
                        "banks is only the word"),
)
CLI_HELP = ". ".join(f"{example}: {what}" for example, what in HELP_LINES) + "."
WORD, PHRASE, HYPHENATED = "word", "phrase", "hyphenated"
MAX_WORDS = 64  # words and phrases of a query searched
MAX_DEPTH = 8  # parentheses within parentheses


@dataclass(frozen=True)
class Term:
    """A word, a phrase's words or a hyphenated word's parts, as typed (case kept: see ``capitalised``)."""

    kind: str
    words: tuple[str, ...]
    prefix: bool = False  # the last word is also the start of a word (the Search page's results while typing)
    names: bool = False  # also legislators' names (decided by tracker.search, which can look the word up)

    @property
    def capitalised(self) -> bool:
        """Written with a capital, as a name is ("Banks", "McBath", "GARCÍA"); any of a phrase's words."""
        return any(w[:1].isupper() for w in self.words)


@dataclass(frozen=True)
class All:
    """Every one of ``required``, none of ``excluded``."""

    required: tuple["Node", ...] = ()
    excluded: tuple["Node", ...] = ()


@dataclass(frozen=True)
class Any:
    """One of ``alternatives`` at least (two or more)."""

    alternatives: tuple["Node", ...]


Node = Term | All | Any


def has_exclusion(node: Node) -> bool:
    if isinstance(node, Term):
        return False
    if isinstance(node, Any):
        return any(has_exclusion(n) for n in node.alternatives)
    return bool(node.excluded) or any(has_exclusion(n) for n in node.required)


def terms(node: Node, *, excluded: bool = True) -> list[Term]:
    """The terms of ``node`` in order (without the excluded ones when ``excluded`` is off)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Any):
        return [t for n in node.alternatives for t in terms(n, excluded=excluded)]
    return [t for n in (*node.required, *(node.excluded if excluded else ())) for t in terms(n, excluded=excluded)]


def transform(node: Node, change) -> Node:  # type: ignore[no-untyped-def]
    """``node`` with each term replaced by ``change(term)``."""
    if isinstance(node, Term):
        return change(node)
    if isinstance(node, Any):
        return Any(tuple(transform(n, change) for n in node.alternatives))
    return All(tuple(transform(n, change) for n in node.required), tuple(transform(n, change) for n in node.excluded))


def without_prefix(node: Node) -> Node:
    return transform(node, lambda t: replace(t, prefix=False))


def words_of(text: str) -> list[str]:
    return WORD_CHARS.findall(text or "")


def _bare(text: str) -> list[Term]:
    """A run of characters between spaces: a hyphenated word, or each of its words ("privacy/security": both)."""
    if _HYPHENATED.fullmatch(_EDGES.sub("", text)):
        return [Term(HYPHENATED, tuple(words_of(text)))]
    return [Term(WORD, (w,)) for w in words_of(text)]


def _phrase(text: str) -> list[Term]:
    words = tuple(words_of(text))
    return [Term(PHRASE, words)] if len(words) > 1 else [Term(WORD, words)] if words else []


# Tokens: ("term", minus, [Term...]) | ("op", "OR" | "AND" | "NOT") | ("open", minus) | ("close",)
def _tokens(text: str, *, prefix: bool) -> list[tuple]:
    tokens: list[tuple] = []
    for m in _TOKEN.finditer(text):
        minus = bool(m.group("minus"))
        if m.group("phrase") is not None:
            if found := _phrase(m.group("phrase")):  # '""', '"-"': no word, nothing
                tokens.append(("term", minus, found))
        elif m.group("open"):
            tokens.append(("open", minus))
        elif m.group("close"):
            tokens.append(("close",))
        elif (bare := m.group("bare")) is not None:
            if bare in OPERATORS and not minus:
                tokens.append(("op", bare))
            elif found := _bare(bare):
                tokens.append(("term", minus, found))
        else:  # a quote without its pair
            tokens.append(("quote",))
    last = tokens[-1] if tokens else None
    if prefix and last is not None and last[0] == "term" and last[2][-1].kind != PHRASE:
        # The query ends with this word: it is being typed (not a phrase: its quote is closed).
        tokens[-1] = (*last[:2], [*last[2][:-1], replace(last[2][-1], prefix=True)])
    return _matched_parentheses([t for t in tokens if t[0] != "quote"])


def _matched_parentheses(tokens: list[tuple]) -> list[tuple]:
    """Parentheses that close, at most MAX_DEPTH deep; the others are punctuation (dropped; a minus before an
    opening one that is dropped is dropped with it)."""
    keep = [True] * len(tokens)
    stack: list[int] = []
    for i, token in enumerate(tokens):
        if token[0] == "open":
            stack.append(i)
        elif token[0] == "close":
            if stack:
                stack.pop()
            else:
                keep[i] = False
    for i in stack:
        keep[i] = False
    depth = 0
    for i, token in enumerate(tokens):  # too deep: both of a pair dropped (their depth is the same)
        if not keep[i] or token[0] not in ("open", "close"):
            continue
        if token[0] == "open":
            depth += 1
            keep[i] = depth <= MAX_DEPTH
        else:
            keep[i] = depth <= MAX_DEPTH
            depth -= 1
    return [t for t, k in zip(tokens, keep, strict=True) if k]


class _Reader:
    def __init__(self, tokens: list[tuple]) -> None:
        self.tokens = tokens
        self.at = 0
        self.seen: set[Term] = set()  # the different terms read so far (MAX_WORDS)

    def peek(self) -> tuple | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def sequence(self) -> All:
        """Operands up to the end or a closing parenthesis, all required (or excluded)."""
        required: list[Node] = []
        excluded: list[Node] = []
        while (token := self.peek()) is not None and token[0] != "close":
            if token == ("op", "OR") or token == ("op", "AND"):  # nothing on its left: ignored
                self.at += 1
                continue
            item = self.alternatives()
            if item is None:
                continue
            negated, node = item
            (excluded if negated else required).append(node)
        return All(tuple(required), tuple(excluded))

    def alternatives(self) -> tuple[bool, Node] | None:
        """An operand and those joined to it by OR."""
        first = self.operand()
        items = [first] if first is not None else []
        while self.peek() == ("op", "OR"):
            self.at += 1
            while self.peek() == ("op", "OR"):
                self.at += 1
            nxt = self.operand()
            if nxt is not None:
                items.append(nxt)
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        # An alternative that only excludes has no bills of its own to offer ("a OR -b"): dropped.
        kept = tuple(node for negated, node in items if not negated)
        if not kept:
            return None
        return False, kept[0] if len(kept) == 1 else Any(kept)

    def operand(self) -> tuple[bool, Node] | None:
        """A term or a group, and whether it is excluded; None for nothing (an operator without its operand)."""
        negated = False
        while self.peek() == ("op", "NOT"):
            negated = True
            self.at += 1
        token = self.peek()
        if token is None or token[0] == "close" or token[0] == "op":
            return None  # "privacy NOT", "NOT OR": ignored
        self.at += 1
        if token[0] == "open":
            group = self.sequence()
            if self.peek() == ("close",):
                self.at += 1
            node = _simplified(group)
            return (negated or token[1], node) if node is not None else None
        _, minus, found = token
        # A word typed again is no new word (a pasted paragraph repeats its words): MAX_WORDS different ones.
        found = [t for t in found if t in self.seen or (len(self.seen) < MAX_WORDS and not self.seen.add(t))]
        if not found:
            return None
        if negated or minus:  # an exclusion is of whole words: the Search page and --text exclude the same bills
            return True, _group([replace(t, prefix=False) for t in found])
        return False, _group(found)


def _group(found: list[Term]) -> Node:
    return found[0] if len(found) == 1 else All(tuple(found))


def _simplified(node: All) -> Node | None:
    """A group of one operand is that operand; a group of exclusions only is nothing to choose from (None)."""
    if not node.required:
        return None
    if len(node.required) == 1 and not node.excluded:
        return node.required[0]
    return node


def _flattened(node: All) -> All:
    """Groups among the required words are the words of the whole ("privacy (data -health)": privacy, data, not
    health), each word once (a pasted paragraph repeats its words)."""
    required: list[Node] = []
    excluded: list[Node] = list(node.excluded)
    for item in node.required:
        if isinstance(item, All):
            inner = _flattened(item)
            required += inner.required
            excluded += inner.excluded
        else:
            required.append(item)
    return All(tuple(dict.fromkeys(required)), tuple(dict.fromkeys(excluded)))


def parse(query: str, *, prefix: bool = False) -> All:
    """What ``query`` asks for: the words required and the exclusions (see the module's docstring); the last word
    a prefix when ``prefix`` is on and the query ends with it. Empty (``All()``) for no word at all."""
    text = query or ""
    found = _flattened(_Reader(_tokens(text, prefix=prefix)).sequence())  # parentheses matched: it reads all
    if is_empty(found):  # operators only ("OR", "NOT", "AND OR"): the words typed, as words
        found = All(tuple(dict.fromkeys(Term(WORD, (w,)) for w in words_of(text)))[:MAX_WORDS])
    return found


def is_empty(node: All) -> bool:
    return not node.required and not node.excluded


__all__ = ["CLI_HELP", "HELP_LINES", "HYPHENATED", "MAX_DEPTH", "MAX_WORDS", "PHRASE", "WORD", "All", "Any", "Node",
           "Term", "has_exclusion", "is_empty", "parse", "terms", "transform", "without_prefix", "words_of"]
