"""Real GovInfo bill texts scored by the shipped topics (tracker/topics.yaml): a long bill's passing mentions of
topic words do not flag it; a short text about a topic still does (bench/text_flags.py measures all the samples)."""

import pytest
from govinfo_texts import federal_bill, text_sample

from tracker.matching.engine import RuleSet, RuleSpec, TopicSpec
from tracker.matching.store import make_doc
from tracker.matching.topics import read_topics_file
from tracker.sources.govinfo_text import parse_bill_text

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def shipped() -> tuple[RuleSet, list[str]]:
    """The shipped topics' enabled rules, compiled, with each topic's slug by its id."""
    topics = [t for t in read_topics_file() if t.enabled]
    rule_set = RuleSet([TopicSpec(i, t.slug, t.name, t.threshold, 1,
                                  tuple(RuleSpec(r.expression, r.weight, r.exclude) for r in t.rules if r.enabled))
                        for i, t in enumerate(topics)])
    return rule_set, [t.slug for t in topics]


def _flags(rule_set: RuleSet, slugs: list[str], name: str) -> set[str]:
    record = federal_bill(name)
    doc = make_doc(1, record.title, None, None, None, parse_bill_text(text_sample(name).read_bytes(), name).text)
    return {slugs[r.topic_id] for r in rule_set.evaluate(doc) if r.vetoed_by is None and r.keyword_score >= 3}


def test_passing_mentions_in_a_long_text_flag_nothing_while_a_short_text_about_a_topic_flags(
        shipped: tuple[RuleSet, list[str]]) -> None:
    rule_set, slugs = shipped
    # H.R. 2740, Labor-HHS appropriations (220,000 characters): flagged for broadband, cybersecurity, online safety,
    # semiconductors and tech workforce on "telecommunications systems", "Web sites", IT "hardware", H-1B fees.
    assert _flags(rule_set, slugs, "H2740_RH.XML") == set()
    # H.R. 264, financial services appropriations (207,000): broadband, cybersecurity and privacy on budget lines.
    assert _flags(rule_set, slugs, "H264_PCS.XML") == set()
    # S.Con.Res. 10 (6,000 characters): Huawei and ZTE as threats, through Chinese IT firms and China's cyber law.
    assert "cybersecurity" in _flags(rule_set, slugs, "SC10_IS.XML")


def test_software_and_computers_in_a_short_text_about_something_else_flag_no_chips(
        shipped: tuple[RuleSet, list[str]]) -> None:
    rule_set, slugs = shipped
    # H.J.Res. 100 (116th), disapproving an arms sale (2,100 characters): "weapon systems software", "software
    # development/integration" and "Computer and Intelligence" in its list of defense articles scored 3.0 for
    # semiconductors and data centers when "software" in a text weighed as in a summary (migration 0030).
    assert "chips-datacenters" not in _flags(rule_set, slugs, "HJ100_IH.XML")
    # The words still count beside another rule: a text that also names semiconductors flags.
    record = federal_bill("HJ100_IH.XML")
    text = parse_bill_text(text_sample("HJ100_IH.XML").read_bytes(), "HJ100_IH.XML").text
    doc = make_doc(1, record.title, None, None, None, text + " The software runs on domestic semiconductors.")
    assert "chips-datacenters" in {slugs[r.topic_id] for r in rule_set.evaluate(doc) if r.keyword_score >= 3}
