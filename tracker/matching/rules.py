"""The topic rule language: parsed into a small tree whose leaves (terms and phrases) the automaton finds.

Syntax (operators in capitals; ``and``/``or``/``not``/``near`` in any other case are refused and must be quoted to
be searched for)::

    broadband                  the word, any case, with its plural and possessive (broadbands, broadband's)
    "machine learning"         consecutive words; hyphens and punctuation between them do not matter
    cyber*                     any word starting with "cyber" (at least 3 letters before the *)
    "data broker*"             a phrase whose last word is a prefix
    e-commerce                 a hyphenated word also matches "e commerce" and "ecommerce"
    =IT  ="AI Act"             exact: case-sensitive, no plural folding
    A AND B   A B              both (juxtaposition means AND)
    A OR B                     either
    A AND NOT B                A, and B nowhere in the bill (inside title:(...), nowhere in that field);
                               NOT needs a positive partner: "NOT B" alone is refused
    A NEAR/5 B                 within 5 words of each other, either order, in the same field (NEAR = NEAR/5)
    title:(A OR B)             only in that field: title, summary or text (any other "name:" is refused)
    ( ... )                    grouping

There is no search-engine ``-word``: a word written with a leading dash is refused (write ``AND NOT word``),
because the dash is punctuation to the matcher and ``privacy -health`` would mean ``privacy AND health``.
A rule that does not parse raises :class:`RuleSyntaxError` carrying the 0-based position of the problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.matching.folding import fold_words

FIELDS = ("title", "summary", "text")
DEFAULT_NEAR = 5
MAX_NEAR = 50
MIN_PREFIX = 3
# Groups, NOTs and field scopes inside each other: the parser and the evaluator recurse once per level, and
# Python's stack ends near 1,000 frames (200 nested parentheses raised RecursionError instead of a refusal).
MAX_NESTING = 50

# Characters that separate words. Everything else that is alphanumeric in Unicode is part of a word.
_WORD_CHAR = re.compile(r"[^\W_]", re.UNICODE)


class RuleSyntaxError(ValueError):
    """A rule that cannot be used. ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int, rule: str):
        self.message = message
        self.position = max(0, min(position, len(rule)))
        self.rule = rule
        super().__init__(f"{message} at position {self.position}")

    def pointer(self) -> str:
        """The rule with a caret under the problem, for a terminal."""
        return f"{self.rule}\n{' ' * self.position}^ {self.message}"


# -- the tree -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Atom:
    """A leaf the automaton searches for: one or more words, the last possibly a prefix."""

    words: tuple[str, ...]  # as normalized for matching (lowercase unless exact)
    prefix: bool = False  # the last word is a prefix (written with a trailing *)
    exact: bool = False  # case-sensitive, no plural forms
    source: str = ""  # as written in the rule, for messages

    def __str__(self) -> str:
        return self.source or " ".join(self.words)


@dataclass(frozen=True)
class Term:
    atoms: tuple[Atom, ...]  # alternatives: "e-commerce" is ("e commerce", "ecommerce")
    start: int = 0

    def __str__(self) -> str:
        return str(self.atoms[0])


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node
    start: int = 0


@dataclass(frozen=True)
class Near:
    left: Node  # a Term or an Or of Terms
    right: Node
    distance: int


@dataclass(frozen=True)
class InField:
    field: str
    child: Node


Node = Term | And | Or | Not | Near | InField


@dataclass
class Rule:
    """A parsed rule: the tree and every atom it needs, deduplicated in order of appearance."""

    expression: str
    root: Node
    atoms: list[Atom] = field(default_factory=list)


# -- lexing -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT NEAR FIELD END
    value: str
    pos: int
    exact: bool = False
    distance: int = 0


_OPERATORS = {"AND", "OR", "NOT"}
_NEAR_RE = re.compile(r"NEAR(?:/(\d+))?$")
# Operators in any other case ("and", "Or", "near/3"): searching for them as words is never what was meant.
_LOWER_OPERATOR_RE = re.compile(r"(?:and|or|not|near(?:/\S*)?)$", re.IGNORECASE)
# A scope written like a field ("title:", "titel:", "abstract:"): letters, then a colon. "10:30" stays a term.
_FIELD_PREFIX_RE = re.compile(r"([^\W\d_]+):")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"


def _lex(rule: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(rule)
    while i < n:
        ch = rule[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "(":
            toks.append(_Tok("LPAREN", ch, i))
            i += 1
            continue
        if ch == ")":
            toks.append(_Tok("RPAREN", ch, i))
            i += 1
            continue
        start = i
        if m := _FIELD_PREFIX_RE.match(rule, i):  # the scope; what follows is read as anywhere else
            toks.append(_field_tok(m.group(1), start, rule))
            i = m.end()
            continue
        exact = False
        if ch == "=":
            exact = True
            i += 1
            if i >= n or rule[i].isspace() or rule[i] in "()":
                raise RuleSyntaxError("'=' must be followed by a word or a quoted phrase", start, rule)
            ch = rule[i]
        if ch in "\"“”":
            end = _closing_quote(rule, i)
            if end < 0:
                raise RuleSyntaxError("unclosed quote", i, rule)
            toks.append(_Tok("PHRASE", rule[i + 1:end], start, exact=exact))
            i = end + 1
            continue
        j = i
        while j < n and not rule[j].isspace() and rule[j] not in "()\"“”":
            j += 1
        toks.append(_word_tok(rule[i:j], start, exact, rule))
        i = j
    toks.append(_Tok("END", "", n))
    return toks


def _word_tok(word: str, start: int, exact: bool, rule: str) -> _Tok:
    """An unquoted word: an operator or a term."""
    if exact:
        return _Tok("WORD", word, start, exact=True)
    if word in _OPERATORS:
        return _Tok(word, word, start)
    if m := _NEAR_RE.match(word):
        distance = int(m.group(1)) if m.group(1) else DEFAULT_NEAR
        if not 1 <= distance <= MAX_NEAR:
            raise RuleSyntaxError(f"NEAR distance must be between 1 and {MAX_NEAR} words", start, rule)
        return _Tok("NEAR", word, start, distance=distance)
    if word.startswith("NEAR/"):
        raise RuleSyntaxError("NEAR/ must be followed by a number of words, e.g. NEAR/5", start, rule)
    return _term_tok(word, start, rule)


def _field_tok(name: str, start: int, rule: str) -> _Tok:
    # Refused rather than searched for: "titel:privacy" would otherwise quietly look for the words "titel
    # privacy" and find nothing, which reads as "no bill mentions privacy in its title".
    if name.lower() not in FIELDS:
        raise RuleSyntaxError(f"unknown field {name!r}: fields are {', '.join(FIELDS)} "
                              f"(quote \"{name}:\" to search for the text)", start, rule)
    return _Tok("FIELD", name.lower(), start)


def _term_tok(word: str, start: int, rule: str) -> _Tok:
    """A plain word to search for, unless it is written like an operator the language spells differently."""
    if _LOWER_OPERATOR_RE.match(word):
        raise RuleSyntaxError(f"operators are written in capitals ({word.upper()}); "
                              f"quote \"{word}\" to search for the word", start, rule)
    # Search-engine habit: "-health" would otherwise search for "health" (the dash is punctuation), the
    # opposite of what was meant. The language's way to exclude is NOT, so say so.
    if word[0] in _DASHES and _WORD_CHAR.match(word[1:2] or " "):
        raise RuleSyntaxError(f"a leading '-' does not exclude a word: write AND NOT {word[1:]} "
                              f"(or drop the '-' to search for it)", start, rule)
    return _Tok("WORD", word, start)


def _closing_quote(rule: str, open_at: int) -> int:
    for k in range(open_at + 1, len(rule)):
        if rule[k] in "\"“”":
            return k
    return -1


# -- words --------------------------------------------------------------------------------------------------

def split_words(text: str, *, lower: bool = False) -> list[str]:
    """Words as the matcher reads them (tracker.matching.folding): letters and digits, accents folded, soft
    hyphens and zero-width characters ignored; everything else separates. The rule and the text go through the
    same folding, so a word of a rule is a word the text can contain."""
    return fold_words(text, lower=lower)


_INNER_HYPHEN = re.compile(r"(?<=[^\W_])[-\u2010\u2011](?=[^\W_])")


def _make_term(tok: _Tok, rule: str) -> Term:
    raw = tok.value
    prefix = raw.endswith("*")
    body = raw[:-1] if prefix else raw
    if "*" in body:
        raise RuleSyntaxError("a wildcard * is allowed only at the end of a word", tok.pos + raw.index("*")
                              + (1 if tok.kind == "PHRASE" or tok.exact else 0), rule)
    # "data broker*": the star belongs to the last word; a phrase's inner words are plain.
    words = split_words(body, lower=not tok.exact)
    if not words:
        what = "an empty phrase" if tok.kind == "PHRASE" else f"{raw!r} has no letters or digits"
        raise RuleSyntaxError(f"{what}: nothing to search for", tok.pos, rule)
    # A lone prefix needs a few letters or it would match half the dictionary; in a phrase the words before
    # it already anchor the match ("start-up*", "smart cit*").
    if prefix and (not _WORD_CHAR.match(body[-1:] or " ") or (len(words) == 1 and len(words[0]) < MIN_PREFIX)):
        raise RuleSyntaxError(f"a wildcard needs at least {MIN_PREFIX} letters before the *", tok.pos, rule)
    source = ("=" if tok.exact else "") + (f'"{raw}"' if tok.kind == "PHRASE" else raw)
    norm = words
    atoms = [Atom(tuple(norm), prefix=prefix, exact=tok.exact, source=source)]
    # A hyphenated word also matches its parts run together: e-commerce -> "e commerce" and "ecommerce", and
    # "ride-sharing services" -> "ridesharing services". Hyphens between letters or digits only: "U.S." must
    # not also become the word "us".
    joined = split_words(_INNER_HYPHEN.sub("", body), lower=not tok.exact)
    if joined != words:
        atoms.append(Atom(tuple(joined), prefix=prefix, exact=tok.exact, source=source))
    return Term(tuple(atoms), tok.pos)


# -- parsing ------------------------------------------------------------------------------------------------

class _Parser:
    def __init__(self, rule: str):
        self.rule = rule
        self.toks = _lex(rule)
        self.i = 0
        self.depth = 0

    def enter(self, tok: _Tok) -> None:
        """One level deeper (a group, NOT, a field scope): refused past MAX_NESTING, at the level's opening."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"groups, NOTs and fields are nested more than {MAX_NESTING} deep", tok)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> RuleSyntaxError:
        return RuleSyntaxError(message, (tok or self.peek()).pos, self.rule)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("the rule is empty")
        node = self.or_expr()
        tok = self.peek()
        if tok.kind == "RPAREN":
            raise self.error("unmatched ')'", tok)
        if tok.kind != "END":
            raise self.error(f"unexpected {tok.value!r}", tok)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                self.take()
                children.append(self.unary())
            elif kind in ("WORD", "PHRASE", "LPAREN", "NOT", "FIELD"):  # juxtaposition is AND
                children.append(self.unary())
            else:
                break
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            self.take()
            if self.peek().kind in ("END", "RPAREN", "AND", "OR", "NEAR"):
                raise self.error("NOT must be followed by a term, a phrase or a group")
            self.enter(tok)
            child = self.unary()
            self.depth -= 1
            return Not(child, tok.pos)
        return self.near()

    def near(self) -> Node:
        left_tok = self.peek()
        left = self.primary()
        if self.peek().kind != "NEAR":
            return left
        op = self.take()
        _check_near_operand(left, left_tok, self.rule)
        right_tok = self.peek()
        if right_tok.kind in ("END", "RPAREN", "AND", "OR", "NEAR"):
            raise self.error("NEAR needs a term, a phrase or a group of them on its right")
        if right_tok.kind == "NOT":
            raise self.error("NEAR needs a term, a phrase or a group of them on its right, not NOT: to exclude a "
                             "word, write (A NEAR/n B) AND NOT C")
        right = self.primary()
        _check_near_operand(right, right_tok, self.rule)
        if self.peek().kind == "NEAR":
            raise self.error("NEAR cannot be chained; write (A NEAR/n B) AND (B NEAR/n C)")
        return Near(left, right, op.distance)

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind in ("WORD", "PHRASE"):
            self.take()
            return _make_term(tok, self.rule)
        if tok.kind == "LPAREN":
            self.take()
            if self.peek().kind == "RPAREN":
                raise self.error("empty parentheses")
            self.enter(tok)
            node = self.or_expr()
            if self.peek().kind != "RPAREN":
                raise self.error(f"missing ')' to close the '(' at position {tok.pos}")
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "FIELD":
            self.take()
            if self.peek().kind in ("END", "RPAREN", "AND", "OR", "NEAR"):
                raise self.error(f"{tok.value}: needs a term, a phrase or a group after it")
            self.enter(tok)
            child = self.unary() if self.peek().kind == "NOT" else self.primary()
            self.depth -= 1
            return InField(tok.value, child)
        if tok.kind == "END":
            raise self.error("the rule ends where a term, a phrase or '(' was expected")
        if tok.kind == "RPAREN":
            raise self.error("unexpected ')'")
        raise self.error(f"{tok.value} needs a term, a phrase or a group on its left")


def _check_near_operand(node: Node, tok: _Tok, rule: str) -> None:
    ok = isinstance(node, Term) or (isinstance(node, Or) and all(isinstance(c, Term) for c in node.children))
    if not ok:
        raise RuleSyntaxError("NEAR joins terms, phrases or OR-groups of them", tok.pos, rule)


def _positive(node: Node) -> bool:
    """Whether the node can only match through something present (not merely through an absence)."""
    if isinstance(node, (Term, Near)):
        return True
    if isinstance(node, InField):
        return _positive(node.child)
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(c) for c in node.children)
    return all(_positive(c) for c in node.children)  # Or


def _first_pos(node: Node) -> int:
    if isinstance(node, Term):
        return node.start
    if isinstance(node, (And, Or)):
        return _first_pos(node.children[0])
    if isinstance(node, Not):
        return node.start
    if isinstance(node, Near):
        return _first_pos(node.left)
    return _first_pos(node.child)


def _check_negations(node: Node, rule: str) -> None:
    if isinstance(node, Or):
        for child in node.children:
            if not _positive(child):
                raise RuleSyntaxError("each side of OR needs a positive term (NOT alone would match "
                                      "almost every bill)", _first_pos(child), rule)
    for child in _children(node):
        _check_negations(child, rule)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, (And, Or)):
        return node.children
    if isinstance(node, (Not, InField)):
        return (node.child,)
    if isinstance(node, Near):
        return (node.left, node.right)
    return ()


def iter_atoms(node: Node) -> list[Atom]:
    out: dict[Atom, None] = {}
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, Term):
            out.update(dict.fromkeys(cur.atoms))
        stack.extend(reversed(_children(cur)))
    return list(out)


def parse_rule(expression: str) -> Rule:
    """Parse one rule; raises :class:`RuleSyntaxError` with the position of the first problem."""
    if expression is None or not expression.strip():
        raise RuleSyntaxError("the rule is empty", 0, expression or "")
    root = _Parser(expression).parse()
    _check_negations(root, expression)
    if not _positive(root):
        raise RuleSyntaxError("a rule needs at least one term that must be present (NOT alone would match "
                              "almost every bill)", 0, expression)
    return Rule(expression=expression, root=root, atoms=iter_atoms(root))
