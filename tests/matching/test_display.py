"""Scores and keyword points as printed: a value short of its line never reads as reaching it."""

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from tests.matching.conftest import bill_record
from tracker.cli import app
from tracker.matching import flag_bills
from tracker.matching.display import below_line, signals
from tracker.matching.topics import load_topics

# Weight 1.5 in the text (field weight 1): repetition saturates towards 2 x 1.5 = 3, the threshold, never
# reaching it. Written for this test, not upstream data.
SATURATING_TOPIC = """
topics:
  - slug: privacy
    name: Privacy
    threshold: 3
    rules:
      - rule: '"personal data"'
        weight: 1.5
"""


def test_below_line_adds_digits_only_where_rounding_would_cross_the_line() -> None:
    assert below_line(0.4997, 0.5, ".2f") == "0.4997"
    assert below_line(0.47, 0.5, ".2f") == "0.47" and below_line(0.5, 0.5, ".2f") == "0.50"
    assert below_line(2.9985, 3, ".3g") == "2.998" and below_line(12.4286, 3, ".3g") == "12.4"
    assert below_line(0.4999999999, 0.5, ".2f") == "under 0.50"


def test_a_topic_just_short_of_the_line_is_not_printed_at_it(database_url: str, session: Session,
                                                             store_bills: Callable, tmp_path: Path) -> None:
    topics = tmp_path / "topics.yaml"
    topics.write_text(SATURATING_TOPIC)
    load_topics(session, path=topics, rescore=False)
    session.commit()
    ids = store_bills(bill_record(1, "Omnibus Act", "An omnibus bill.",
                                  version_text="Sec. 1. Rules on personal data. " * 1000))
    flag_bills(session, ids)
    session.commit()
    result = CliRunner().invoke(app, ["bills", "show", "1"])
    # 1,000 mentions in 32,000 characters of text count as 312.5 per 10,000 (engine.repetition):
    # 1.5 x (2 - 1/312.5) = 2.9952 of 3, a score printed "0.50" at two digits while not flagged.
    assert result.exit_code == 0 and "Not flagged: Privacy (0.499)" in result.stdout, result.stdout


def test_signals_credit_a_learned_score_to_the_model_that_scores_the_topic_now() -> None:
    match = {"topic": "broadband", "threshold": 3.0, "keyword_score": 2.9999, "semantic_score": 0.5666,
             "learned_score": 0.9288}
    # It read "keywords 2.9999 of 3 · similarity 0.57 · learned 0.93", which nobody took for a score and its line.
    assert signals(match, "broadband") == ("keyword score 2.9999 (keywords alone flag at 3) · similarity to the "
                                           "topic's description 0.57 · relevance learned from triage 0.93 (this "
                                           "topic's model)")
    assert signals(match, "*").endswith("(organisation-wide model, same for every topic)")
    # Judgements withdrawn: the models are gone, the stored score stays until the bill is scored again. It
    # read "organisation-wide model" though none was in use.
    assert signals(match, None).endswith("(from a model no longer in use, until the bill is scored again tonight)")
