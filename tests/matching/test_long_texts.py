"""Real GovInfo bill texts scored by the shipped topics (tracker/topics.yaml): a long bill's passing mentions of
topic words do not flag it; a short text about a topic still does (bench/text_flags.py measures all the samples)."""

import pytest
from govinfo_texts import federal_bill, text_sample

from tracker.matching.engine import RuleSet, RuleSpec, TopicSpec
from tracker.matching.store import make_doc
from tracker.matching.topics import read_topics_file
from tracker.sources.govinfo_text import parse_bill_text

pytestmark = pytest.mark.realdata


def _flags(rule_set: RuleSet, slugs: list[str], name: str) -> set[str]:
    record = federal_bill(name)
    doc = make_doc(1, record.title, None, None, None, parse_bill_text(text_sample(name).read_bytes(), name).text)
    return {slugs[r.topic_id] for r in rule_set.evaluate(doc) if r.vetoed_by is None and r.keyword_score >= 3}


def test_passing_mentions_in_a_long_text_flag_nothing_while_a_short_text_about_a_topic_flags() -> None:
    topics = [t for t in read_topics_file() if t.enabled]
    rule_set = RuleSet([TopicSpec(i, t.slug, t.name, t.threshold, 1,
                                  tuple(RuleSpec(r.expression, r.weight, r.exclude) for r in t.rules if r.enabled))
                        for i, t in enumerate(topics)])
    slugs = [t.slug for t in topics]
    # H.R. 2740, Labor-HHS appropriations (220,000 characters): flagged for broadband, cybersecurity, online safety,
    # semiconductors and tech workforce on "telecommunications systems", "Web sites", IT "hardware", H-1B fees.
    assert _flags(rule_set, slugs, "H2740_RH.XML") == set()
    # H.R. 264, financial services appropriations (207,000): broadband, cybersecurity and privacy on budget lines.
    assert _flags(rule_set, slugs, "H264_PCS.XML") == set()
    # S.Con.Res. 10 (6,000 characters): Huawei and ZTE as threats, through Chinese IT firms and China's cyber law.
    assert "cybersecurity" in _flags(rule_set, slugs, "SC10_IS.XML")
