"""The rule language: what parses, and what is refused with the position of the problem."""

import pytest

from tracker.matching.rules import And, InField, Near, Not, Or, RuleSyntaxError, Term, parse_rule


@pytest.mark.parametrize("rule, atoms", [
    ("broadband", ["broadband"]),
    ('"machine learning"', ["machine learning"]),
    ("cyber*", ["cyber"]),
    ('"data broker*"', ["data broker"]),
    ("e-commerce", ["e commerce", "ecommerce"]),
    ("=IT", ["IT"]),
    ('title:(drone OR "unmanned aircraft")', ["drone", "unmanned aircraft"]),
    ("(data OR information) NEAR/3 broker*", ["data", "information", "broker"]),
    ("privacy AND NOT health", ["privacy", "health"]),
    ("start-up*", ["start up", "startup"]),
    ('"ride-sharing services"', ["ride sharing services", "ridesharing services"]),  # quoted: the same
    ('"U.S.-China trade"', ["u s china trade"]),  # a hyphen after a period joins nothing
    ("Kūhiō", ["kuhio"]),  # read the way the text is read: accents folded
    ("Cy\u00adber\u00adcrime", ["cybercrime"]),  # soft hyphens join
    ("数据", ["数据"]),
])
def test_valid_rules_and_their_atoms(rule: str, atoms: list[str]) -> None:
    parsed = parse_rule(rule)
    assert [" ".join(a.words) for a in parsed.atoms] == atoms


def test_tree_shape_precedence() -> None:
    root = parse_rule('a OR b c NEAR/2 d AND NOT e').root
    assert isinstance(root, Or)
    assert isinstance(root.children[0], Term)
    right = root.children[1]
    assert isinstance(right, And)
    assert isinstance(right.children[0], Term)  # b (juxtaposition is AND)
    assert isinstance(right.children[1], Near) and right.children[1].distance == 2
    assert isinstance(right.children[2], Not)


def test_near_defaults_to_five_words() -> None:
    root = parse_rule("a NEAR b").root
    assert isinstance(root, Near) and root.distance == 5


def test_prefix_inside_phrase_and_exact_flags() -> None:
    (atom,) = parse_rule('="AI Act"').atoms
    assert atom.exact and atom.words == ("AI", "Act") and not atom.prefix
    (atom,) = parse_rule('"smart cit*"').atoms
    assert atom.prefix and atom.words == ("smart", "cit")


@pytest.mark.parametrize("rule, position, fragment", [
    ("", 0, "empty"),
    ("broadband AND (rural", 20, "missing ')'"),
    ("broadband)", 9, "unmatched ')'"),
    ('"unclosed phrase', 0, "unclosed quote"),
    ("ai*", 0, "at least 3 letters"),
    ("cy*ber", 2, "only at the end"),
    ("NOT privacy", 0, "at least one term"),
    ("privacy OR NOT health", 11, "each side of OR"),
    ("privacy and health", 8, "capitals"),
    ("a NEAR/0 b", 2, "between 1 and"),
    ("a NEAR/x b", 2, "followed by a number"),
    ("a NEAR/3 (b AND c)", 9, "NEAR joins"),
    ("a NEAR/3 b NEAR/3 c", 11, "cannot be chained"),
    ("privacy NEAR/3 NOT data", 15, "not NOT: to exclude a word, write (A NEAR/n B) AND NOT C"),
    ("broadband AND", 13, "ends where a term"),
    ("title:", 6, "needs a term"),
    ("()", 1, "empty parentheses"),
    ("= broadband", 0, "'=' must be followed"),
    ('""', 0, "nothing to search for"),
    # Written like an operator or a scope but not one: refused, never searched for with another meaning.
    ("privacy near/3 data", 8, "capitals (NEAR/3)"),
    ("privacy Near data", 8, "capitals (NEAR)"),
    ("privacy Or data", 8, "capitals (OR)"),
    ("titel:privacy", 0, "unknown field 'titel': fields are title, summary, text"),
    ("foo:(a)", 0, "unknown field 'foo'"),
    ("privacy AND abstract:a", 12, "unknown field 'abstract'"),
    ("title:and", 6, "capitals (AND)"),
    ("privacy -health", 8, "write AND NOT health"),
    ("privacy \u2013health", 8, "write AND NOT health"),
    ("title:-health", 6, "write AND NOT health"),
    ("privacy OR \u00ad\u200b", 11, "nothing to search for"),  # invisible characters only: could never match
    ('privacy OR "\u0301"', 11, "nothing to search for"),  # a combining accent alone
])
def test_refused_rules_name_the_position(rule: str, position: int, fragment: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(rule)
    assert info.value.position == position
    assert fragment in info.value.message
    pointer = info.value.pointer().splitlines()
    assert pointer[0] == rule and pointer[1].index("^") == position


def test_a_field_scope_reads_its_operand_like_any_other() -> None:
    # Written together with its scope, an exact term stays exact and an operator stays an operator.
    for rule in ("title:=IT", "title:(=IT)", "title: =IT"):
        (atom,) = parse_rule(rule).atoms
        assert atom.exact and atom.words == ("IT",), rule
    (atom,) = parse_rule('title:="AI Act"').atoms
    assert atom.exact and atom.words == ("AI", "Act")
    root = parse_rule("broadband title:NOT privacy").root
    assert isinstance(root, And) and isinstance(root.children[1], InField)
    assert isinstance(root.children[1].child, Not)


@pytest.mark.parametrize("rule, atoms", [
    ("Title:privacy", ["privacy"]),  # field names in any case
    ('"near field"', ["near field"]),  # quoted, an operator word is searched for
    ('"titel:privacy"', ["titel privacy"]),
    ("10:30", ["10 30"]),  # a colon after digits is not a field
    ("e-commerce", ["e commerce", "ecommerce"]),  # a dash inside a word is not an exclusion
])
def test_words_that_look_like_operators_or_fields_but_are_fine(rule: str, atoms: list[str]) -> None:
    assert [" ".join(a.words) for a in parse_rule(rule).atoms] == atoms


@pytest.mark.parametrize("rule, position", [
    ("(" * 51 + "abc" + ")" * 51, 50),  # the 51st '('
    ("(" * 100_000, 50),  # far past Python's stack: RecursionError before
    ("a AND " + "NOT " * 60 + "b", 6 + 4 * 50),
    ("title:" * 60 + "privacy", 6 * 50),
])
def test_nesting_past_the_limit_is_refused_at_the_level_that_goes_too_deep(rule: str, position: int) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(rule)
    assert info.value.position == position
    assert "nested more than 50 deep" in info.value.message


def test_nesting_up_to_the_limit_parses() -> None:
    assert [a.words for a in parse_rule("(" * 50 + "abc" + ")" * 50).atoms] == [("abc",)]
