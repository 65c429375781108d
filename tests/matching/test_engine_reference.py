"""The engine counts matches instead of handling each one (issue 4, point 6): on real bills it must give the
same scores, matched terms, evidence and snippets as the per-occurrence evaluator in reference_engine.py.

Bills: the GovInfo bill texts (markup stripped, as the text field) and the BILLSTATUS samples (titles and CRS
summaries, some also given a text), read in place from the shared real data. Rules: the shipped topics, 300
rules drawn from those texts the way bench/matcher.py draws its 1,000 (phrases, words, prefixes), and a set
written here to reach the corners: repeated and overlapping terms, exact case, prefixes, NOT, NEAR, field
scopes, an exclusion, and words common enough that evidence is cut at MAX_EVIDENCE_OCCURRENCES.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from lxml import etree, html

from tests.matching import reference_engine
from tests.realdata_paths import require_realdata
from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicSpec, snippet
from tracker.matching.store import make_doc
from tracker.matching.topics import read_topics_file
from tracker.records import ParseError
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata


def _bill_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".xml", ".html", ".htm"):
            continue
        data = path.read_bytes()
        if suffix == ".xml":
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        else:
            root = html.fromstring(data)
        text = " ".join(" ".join(root.itertext()).split())
        if text:
            texts.append(text)
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _bill_texts(require_realdata("govinfo_text"))


@pytest.fixture(scope="module")
def docs(texts: list[str]) -> list[BillDoc]:
    out = [BillDoc(i, {"text": [t]}) for i, t in enumerate(texts)]
    for path in sorted(require_realdata("billstatus", "usgpo_samples").rglob("*.xml")):
        try:
            rec = parse_billstatus(path.read_bytes(), path.name)
        except ParseError:
            continue
        text = texts[len(out) % len(texts)] if len(out) % 2 else None  # every other one with a bill text too
        out.append(make_doc(len(out), rec.title, rec.short_title, rec.popular_title, rec.summary_text, text))
    return out


def _topics(rules: list[str], per_topic: int) -> list[TopicSpec]:
    return [TopicSpec(t + 1, f"t{t}", f"t{t}", 3.0, 1, tuple(RuleSpec(r) for r in rules[i:i + per_topic]))
            for t, i in enumerate(range(0, len(rules), per_topic))]


def _drawn_rules(texts: list[str], n: int) -> list[str]:
    rng = random.Random(4)
    tokens = [t.lower() for t in re.findall(r"[A-Za-z]{3,}", " ".join(texts[:30])[:2_000_000])]
    frequent = {w for w, _ in Counter(tokens).most_common(300)}
    vocabulary = sorted({t for t in tokens if len(t) >= 5 and t not in frequent})
    bigrams = sorted({f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)})
    rules: set[str] = set()
    while len(rules) < n:
        kind = rng.random()
        if kind < 0.6:
            rules.add(f'"{rng.choice(bigrams)}"')
        elif kind < 0.8:
            rules.add(rng.choice(vocabulary))
        else:
            rules.add(rng.choice(vocabulary)[:6] + "*")
    return sorted(rules)


CORNERS = [
    TopicSpec(1, "corners", "corners", 1.0, 1, (
        RuleSpec('data OR data OR "data privacy" OR data*', 2.0),
        RuleSpec("=IT OR =AI OR technolog*"),
        RuleSpec("privacy AND NOT commerce"),
        RuleSpec("title:(act OR bill*) OR summary:internet"),
        RuleSpec("privacy NEAR/3 data"),
        RuleSpec("secur* AND (internet OR network*)", 0.5),
        RuleSpec('"united states" OR secretary OR shall'),
        RuleSpec("e-commerce OR broadband OR cyber*"),
        RuleSpec("tax* AND NOT income", exclude=True))),
    TopicSpec(2, "shared", "shared", 1.0, 1, (
        RuleSpec("internet"), RuleSpec('internet OR "internet service*"'),
        RuleSpec("(internet OR online) NEAR/8 (child* OR minor*)"), RuleSpec("=FCC OR communications"),
        RuleSpec("wireless OR spectrum", 1.5), RuleSpec("fiscal year*"), RuleSpec("amend OR amended OR amends"),
        RuleSpec("shall", exclude=True))),
    TopicSpec(3, "common", "common", 1.0, 1, (RuleSpec("section OR sec OR shall OR the"),)),
    # NEAR reads the rarer operand whole and the other only near it: ties at one start ("phones" is both terms),
    # a term listed twice, one word on both sides, exact and hyphenated terms, the widest window, and common
    # words on both sides (MAX_NEAR_SPANS reached), in titles, summaries and texts.
    TopicSpec(4, "near", "near", 2.0, 1, (
        RuleSpec("(phone OR phones OR telephone*) NEAR/4 (service* OR act OR the)"),
        RuleSpec('data NEAR/2 (data OR "data privacy" OR data*)'),
        RuleSpec("(=IT OR e-commerce OR wifi OR =Act) NEAR/10 (shall OR section)"),
        RuleSpec('"united states" NEAR/50 (secretary OR secretary OR fund*)'),
        RuleSpec("(section OR sec) NEAR/1 (act OR acts OR the)"),
        RuleSpec("(fund OR funds) NEAR/3 (federal OR fund)", exclude=True),
        RuleSpec("title:(bill NEAR/3 act) OR (amend* NEAR/2 (act OR code)) AND NOT (tax NEAR/5 income)"))),
]


def _shipped() -> list[TopicSpec]:
    defs = read_topics_file()
    return [TopicSpec(i + 1, d.slug, d.name, d.threshold, 1,
                      tuple(RuleSpec(r.expression, r.weight, r.exclude) for r in d.rules))
            for i, d in enumerate(defs)]


@pytest.mark.parametrize("rules", ["shipped", "drawn", "corners"])
def test_counted_matches_give_the_same_results_as_every_occurrence(rules: str, texts: list[str],
                                                                   docs: list[BillDoc]) -> None:
    specs = {"shipped": _shipped, "drawn": lambda: _topics(_drawn_rules(texts, 300), 30),
             "corners": lambda: CORNERS}[rules]()
    rule_set = RuleSet(specs)
    flagged = 0
    for doc in docs:
        fast = [asdict(r) for r in rule_set.evaluate(doc)]
        assert fast == [asdict(r) for r in reference_engine.evaluate(rule_set, doc)], doc.bill_id
        flagged += bool(fast)
    assert flagged > len(docs) // 3  # the rules do find things: the comparison is not between empty lists


def test_snippet_pattern_places_terms_like_the_look_behind_form(texts: list[str]) -> None:
    # Terms at the start of the text, after punctuation, inside longer words (no match there), any case.
    samples = ["Broadband", "information technology", "a", "x", "sec", "5g", "cyber security"]
    for text in texts[:8] + ["Broadband—the e-commerce Act; (a) x-ray 5G CYBER-security"]:
        for term in samples:
            for hint in (0.0, 0.5, 0.99):
                assert snippet(text, term, hint=hint) == reference_engine.snippet(text, term, hint=hint)
