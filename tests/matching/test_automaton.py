"""One automaton pass: case, word boundaries, hyphens, plurals, possessives, prefixes, exact terms."""

import pytest

from tracker.matching import folding
from tracker.matching.automaton import Matcher, normalize, normalize_bytes, singular, word_end, word_forms
from tracker.matching.engine import BillDoc, RuleSet
from tracker.matching.folding import char_offset, normalize_with_offsets
from tracker.matching.rules import parse_rule


def hits(rule: str, text: str) -> list[str]:
    """The matched words, as normalized, for one rule on one text."""
    rule_set = RuleSet.single(rule)
    results = rule_set.evaluate(BillDoc(1, {"summary": [text]}))
    return results[0].matched_terms if results else []


@pytest.mark.parametrize("rule, text, expected", [
    ("broadband", "BROADBAND access", ["broadband"]),  # case
    ("broadband", "Broadband's reach", ["broadband"]),  # possessive
    ("vehicle", "autonomous vehicles", ["vehicles"]),  # plural
    ("company", "technology companies", ["companies"]),  # -ies plural
    ("companies", "a company", ["company"]),  # written plural also finds the singular
    ("vehicle", "a vehicle's sensors", ["vehicle"]),
    ("tax", "digital taxes", ["taxes"]),
    ("ai", "maintain the chain", []),  # word boundaries: no match inside words
    ("data", "a database of metadata", []),
    ('"machine learning"', "machine-learning models", ["machine learning"]),  # hyphen
    ('"machine learning"', "Machine Learning", ["machine learning"]),
    ('"machine learning"', "machine, learning", ["machine learning"]),  # one to three separators
    ('"machine learning"', "machine - learning", ["machine learning"]),
    ('"R&D"', "the R & D credit", ["r d"]),
    ('"machine learning"', "machine,  - learning", []),  # not across a longer gap
    ('"machine learning"', "machine\r\nlearning", ["machine learning"]),
    ("e-commerce", "E-Commerce, e commerce and ecommerce", ["e commerce", "ecommerce"]),
    ("cyber*", "cybersecurity and cyberattacks on cyber", ["cyber", "cyberattacks", "cybersecurity"]),
    ('"data broker*"', "data brokerage and data brokers", ["data brokerage", "data brokers"]),
    ("=IT", "IT systems, and it works", ["it"]),  # exact: only the capitals count
    ("=IT", "it works", []),
    ("news", "new rules", []),  # words that only look plural are left alone
    ("5G", "5G networks", ["5g"]),
    ('"section 230"', "Section 230(c)", ["section 230"]),
    ("U.S.", "the U.S. Code", ["u s"]),
    # Long phrases read commas and periods between their words too.
    ('"United States Naval Station, Guantanamo Bay, Cuba"', "at United States Naval Station, Guantanamo Bay, Cuba.",
     ["united states naval station guantanamo bay cuba"]),
    ('"U.S. Department of Health and Human Services"', "the U.S. Department of Health and Human Services",
     ["u s department of health and human services"]),
    ('"science, technology, engineering, arts, and mathematics"',
     "education in science, technology, engineering, arts, and mathematics",
     ["science technology engineering arts and mathematics"]),
    # A closed-up word finds its hyphenated spelling, only with a hyphen; a quoted one finds the closed-up.
    ("WiFi", "public Wi-Fi, not wi fi", ["wi fi"]),
    ("ecommerce", "E-Commerce sales", ["e commerce"]),
    ("cybersecurity", "the Cyber\u2011Security Act", ["cyber security"]),
    ("therapist", "the rapist", []),
    ("startup*", "start-ups and startups", ["start ups", "startups"]),
    ('"ride-sharing"', "ridesharing firms", ["ridesharing"]),
    ('"ride-sharing services"', "ridesharing services", ["ridesharing services"]),
    # Plurals the suffix rules cannot derive, and words that only look like a plural.
    ("child", "children and a child's", ["children", "child"]),
    ("people", "a person", ["person"]),
    ("analysis", "cost analyses", ["analyses"]),
    ("crises", "a crisis", ["crisis"]),
    ("hero", "local heroes", ["heroes"]),
    ("veto", "two vetoes", ["vetoes"]),
    ("new", "the news", []),
    ("bases", "on the basis of", []),
])
def test_matching(rule: str, text: str, expected: list[str]) -> None:
    assert sorted(hits(rule, text)) == sorted(expected)


def test_a_rule_of_punctuation_only_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing to search for"):
        parse_rule("§")


def test_unicode_punctuation_separates_words() -> None:
    assert hits('"data broker"', "data\u2014broker") == ["data broker"]  # em dash
    assert hits("privacy", "\u201cprivacy\u201d") == ["privacy"]  # curly quotes
    assert hits("privacy", "privacy\u00a0rules") == ["privacy"]  # no-break space
    assert hits("Peña", "Senator Peña said") == ["pena"]  # accented letters are letters, accents folded


def test_normalize_keeps_offsets_one_to_one() -> None:
    text = "Broadband—and AI’s “reach”"
    assert len(normalize(text)) == len(text) + 2  # one byte per character
    assert normalize(text, lower=False).split() == ["Broadband", "and", "AI", "s", "reach"]
    assert normalize(text).split() == ["broadband", "and", "ai", "s", "reach"]


def test_plural_forms() -> None:
    assert singular("vehicles") == "vehicle"
    assert singular("companies") == "company"
    assert singular("taxes") == "tax"
    assert singular("analytics") == "analytics"
    assert singular("access") == "access"
    assert word_forms("drone") == {"drone", "drones"}
    assert word_forms("policy") == {"policy", "policies"}
    assert word_forms("ai") == {"ai"}


def test_one_pass_finds_every_atom_with_offsets() -> None:
    rule = parse_rule('broadband OR "rural areas" OR cyber*')
    matcher = Matcher(rule.atoms)
    text = "Cyberattacks on broadband in rural areas."
    found = matcher.scan(text)
    norm = normalize_bytes(text)
    assert sorted(norm[s:e] for _, s, e in found) == [b"broadband", b"cyber", b"rural areas"]  # a prefix's end
    assert sorted(norm[s:word_end(norm, e)] for _, s, e in found) == [b"broadband", b"cyberattacks", b"rural areas"]
    assert Matcher([]).scan(text) == []


def test_letters_outside_ascii_are_letters() -> None:
    assert normalize("Kūhiō Peña Honoré über Straße").split() == ["kuhio", "pena", "honore", "uber", "strasse"]
    assert hits("über", "Save Our Ser\u00advice\u00admembers Act") == []  # not "bers" after a soft hyphen
    assert hits("über", "Über den Wolken") == ["uber"]
    assert hits("Honoré", "honors and awards") == []
    assert hits("Honoré", "Honoré Daumier") == ["honore"]
    assert hits("Kuhio", "Prince Kūhiō Day") == ["kuhio"]  # the spelling without macrons finds it too
    assert hits("数据", "个人 数据 保护") == ["数据"]  # a letter with no ASCII form is kept, not a separator
    assert hits("λόγος", "ΛΌΓΟΣ") == ["λογοσ"]  # case-folded (final sigma too) and accents folded


@pytest.mark.parametrize("joiner", ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_soft_hyphens_and_zero_width_characters_join(joiner: str) -> None:
    assert hits("cybersecurity", f"cyber{joiner}security") == ["cybersecurity"]
    assert hits("cyber*", f"International Cy{joiner}ber{joiner}crime Prevention Act") == ["cybercrime"]


def test_offsets_lead_back_to_the_original_when_characters_are_not_one_byte() -> None:
    text = "Cy\u00adber\u00adcrime in Straße 数据 x"
    norm, offsets = normalize_with_offsets(text)
    assert norm.decode().split() == ["cybercrime", "in", "strasse", "数据", "x"]
    for word, original in [(b"cybercrime", "Cy\u00adber\u00adcrime"), (b"strasse", "Straße"),
                           ("数据".encode(), "数据"), (b"x", "x")]:
        start = norm.index(word)
        assert text[char_offset(offsets, start):char_offset(offsets, start + len(word))] == original
    assert normalize_with_offsets("plain — ascii-like text é")[1] is None  # one byte per character: no table
    assert len(normalize_bytes(text)) == len(normalize_bytes(text, lower=False))  # exact terms line up


def _per_character(text: str, lower: bool) -> tuple[bytes, folding.Offsets | None]:
    """Normalization one character at a time, straight from the rules (``folding._char_reps``)."""
    out, offsets = bytearray(b" "), folding.Offsets([], [])
    for i, ch in enumerate(text):
        if ch.isascii():
            out += ch.encode().translate(folding._FOLD if lower else folding._CASED)
            continue
        rep = folding._char_reps(ch)[0 if lower else 1]
        out += rep.text.encode().translate(folding._FOLD_KEEP if lower else folding._CASED_KEEP)
        if rep.width != 1:
            offsets.norm.append(len(out))
            offsets.chars.append(i + 1)
    return bytes(out + b" "), offsets if offsets.norm else None


@pytest.mark.parametrize("block", range(0x80, 0x3100, 0x100))
def test_the_table_reads_every_character_as_the_per_character_rules_do(block: int) -> None:
    # Characters below U+3000 go through a table indexed by code unit, the others are looked up one by one;
    # each must read as the rules say, alone, doubled, between letters, and in a text beyond the BMP (UTF-32).
    for code in range(block, block + 0x100):
        for text in (f"A{chr(code)}b-{chr(code)}{chr(code)} c", f"\U0001d400{chr(code)}x\u00ad\U0001f600y"):
            for lower in (True, False):
                assert normalize_with_offsets(text, lower=lower) == _per_character(text, lower), hex(code)


def test_offsets_lead_back_through_marked_characters_and_beyond_the_bmp() -> None:
    text = "Cy\u00adber\u00adcrime \u201cin\u201d Stra\u00dfe \u2014 \U0001f600 \U0001d400I x"
    norm, offsets = normalize_with_offsets(text)
    assert norm.decode().split() == ["cybercrime", "in", "strasse", "ai", "x"]
    for word, original in [(b"cybercrime", "Cy\u00adber\u00adcrime"), (b"strasse", "Stra\u00dfe"),
                           (b"ai", "\U0001d400I"), (b"x", "x")]:
        start = norm.index(word)
        assert text[char_offset(offsets, start):char_offset(offsets, start + len(word))] == original


def test_plural_folding_keeps_words_ending_in_ie_and_che() -> None:
    for written, found in [("cookies", "a tracking cookie banner"), ("cookie", "cookies"), ("caches", "a cache"),
                           ("cache", "web caches"), ("movies", "a movie"), ("policies", "a policy"),
                           ("policy", "policies"), ("technologies", "technology"), ("searches", "a search")]:
        assert hits(written, found), (written, found)
    assert word_forms("cookies") >= {"cookie", "cookies"} and word_forms("caches") >= {"cache", "caches"}


@pytest.mark.parametrize("text", ["a child.", "child:", "the child"])
def test_a_plural_rule_reads_its_shorter_singular_at_the_end_of_a_text(text: str) -> None:
    """The hyphenated readings of "children" were cut at offsets of the plural, past the end of "child": a
    text ending "child." then raised IndexError, stopping the scoring of the bill."""
    assert hits("children", text) == ["child"]


def test_each_part_of_a_hyphenated_reading_has_two_letters() -> None:
    assert hits("children", "chil-d and chil-dren") == ["chil dren"]


def test_a_very_long_word_compiles_in_keys_that_grow_with_its_length() -> None:
    """One hyphenated reading per cut made keys grow with the square of a word's length (a 100,000-letter
    token exhausted memory); past MAX_SPLIT_WORD letters a word is read only as written."""
    word = "abcdefgh" * 1250
    matcher = Matcher(parse_rule(word).atoms)
    assert matcher.pattern_count <= 3
    assert hits(word, f"the {word}.") == [word]
    assert hits("cybersecurity", "Cyber-Security") == ["cyber security"]  # ordinary words still split
