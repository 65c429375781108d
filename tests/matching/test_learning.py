"""Learning from triage: staff judgements train classifiers that change later scores, when they help."""

from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.matching.conftest import (
    BROADBAND_TOPIC,
    TWO_TOPICS,
    bill_record,
    data_brokers,
    internet_noise,
    spectrum_bills,
)
from tracker.matching import flag_bills, learning, rescore
from tracker.matching.learning import BillFeatures, Classifier, Layout, cross_validate, train, word_features
from tracker.matching.topics import load_topics, update_topic
from tracker.matching.training import ensure_models
from tracker.models import BillMatch, RelevanceModel, Topic, TriageState


def test_word_features_are_stable_hashed_unit_vectors() -> None:
    f = word_features("Broadband grants for rural broadband")
    assert all(0 <= k < learning.WORD_DIM for k in f)
    assert sum(v * v for v in f.values()) == pytest.approx(1.0)
    assert f == word_features("broadband GRANTS for rural broadband")  # case-insensitive, deterministic
    assert word_features("") == {}


def test_logistic_regression_learns_and_round_trips() -> None:
    layout = Layout(["a", "b"])
    good = [BillFeatures(word_features(f"spectrum auction wireless {i}"), {"a": 1.2}) for i in range(20)]
    bad = [BillFeatures(word_features(f"post office naming {i}"), {"a": 0.0}) for i in range(20)]
    model = train(good + bad, [1] * 20 + [0] * 20, layout)
    p = model.predict([BillFeatures(word_features("wireless spectrum licenses"), {"a": 1.0}),
                       BillFeatures(word_features("naming a post office"), {})])
    assert p[0] > 0.8 and p[1] < 0.2
    again = Classifier.from_params(model.to_params())
    assert np.allclose(again.predict(good[:3]), model.predict(good[:3]), atol=1e-5)
    metrics = cross_validate(good + bad, [1] * 20 + [0] * 20, layout)
    assert metrics["folds"] == 5 and metrics["f1"] == 1.0
    with pytest.raises(ValueError, match="both kinds"):
        train(good, [1] * 20, layout)


def test_embedding_layout_reads_vectors_and_similarities() -> None:
    layout = Layout(["a"], embedding_dim=3)
    assert layout.dense_dim == 1 + 3 + 1 and layout.name == "words+keyword+embedding"
    dense = layout.dense(BillFeatures({}, {"a": 9.0}, {"a": 0.4}, np.array([1.0, 0.0, 0.5])))
    assert dense.tolist() == [3.0, 1.0, 0.0, 0.5, 0.4]  # keyword score capped at 3


TOPICS = BROADBAND_TOPIC


def judge(session: Session, bill_ids: list[int], relevance: str) -> None:
    for bill_id in bill_ids:
        session.merge(TriageState(bill_id=bill_id, status="reviewed", relevance=relevance))
    session.commit()


def test_dismissals_and_finds_change_later_scores(session: Session, store_bills: Callable, tmp_path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=path)
    session.commit()
    # Staff read the flags: "internet" in a veterans' benefits context is noise, spectrum and broadband matter;
    # they also mark spectrum bills relevant that no rule caught.
    noise = store_bills(*internet_noise(range(1, 13)))
    signal = store_bills(*[bill_record(100 + i, f"Rural Broadband Act {i}",
                                       f"Broadband deployment and spectrum auctions for rural carriers {i}.")
                           for i in range(12)])
    found = store_bills(*spectrum_bills(range(200, 212)))
    flag_bills(session, noise + signal + found)
    session.commit()
    assert all(session.get(BillMatch, m).flagged for m in session.execute(
        select(BillMatch.id).where(BillMatch.bill_id.in_(noise))).scalars())

    judge(session, noise[:10], "not_relevant")
    judge(session, signal[:10] + found[:10], "relevant")
    report = ensure_models(session)
    session.commit()
    assert report.retrained and report.judgements == 30
    scopes = {m["scope"]: m for m in report.models}
    assert scopes["*"]["positives"] == 20 and scopes["*"]["negatives"] == 10 and scopes["*"]["active"]
    assert ensure_models(session).retrained is False  # nothing changed: nothing retrained

    # Later bills: the two not yet judged of each kind, scored again.
    later = noise[10:] + signal[10:] + found[10:]
    flag_bills(session, later)
    session.commit()
    rows = {m.bill_id: m for m in session.execute(
        select(BillMatch).where(BillMatch.bill_id.in_(later)).execution_options(populate_existing=True)).scalars()}
    assert all(not rows[b].flagged and rows[b].learned_score < 0.5 for b in noise[10:])
    assert all(rows[b].flagged and rows[b].learned_score > 0.5 for b in signal[10:])
    assert all(rows[b].flagged and rows[b].keyword_score == 0 for b in found[10:])  # no keyword, learned

    # Withdrawing the judgements withdraws what was learned.
    for state in session.execute(select(TriageState)).scalars():
        state.relevance = None
    session.commit()
    assert ensure_models(session).skipped
    session.commit()
    assert session.execute(select(RelevanceModel)).first() is None


def test_a_model_that_does_not_beat_the_rules_stays_out(session: Session, store_bills: Callable,
                                                        tmp_path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(TOPICS)
    load_topics(session, path=path)
    session.commit()
    # The rules are right on every judged bill: a classifier cannot do better, so it is kept but not used.
    good = store_bills(*[bill_record(i, f"Broadband Act {i}", "Broadband.") for i in range(1, 7)])
    other = store_bills(*[bill_record(100 + i, f"Park Act {i}", "A park.") for i in range(6)])
    flag_bills(session, good + other)
    judge(session, good, "relevant")
    judge(session, other, "not_relevant")
    report = ensure_models(session)
    session.commit()
    (org,) = [m for m in report.models if m["scope"] == "*"]
    assert org["keyword_f1"] == 1.0 and not org["active"]
    flag_bills(session, good)
    session.commit()
    assert session.execute(select(BillMatch.learned_score).where(BillMatch.bill_id == good[0])).scalar() is None
    assert session.execute(select(Topic)).scalar()


def _rows(session: Session, topic_id: int) -> dict[int, tuple[bool, float]]:
    return {b: (f, s) for b, f, s in session.execute(
        select(BillMatch.bill_id, BillMatch.flagged, BillMatch.score).where(BillMatch.topic_id == topic_id))}


def test_rescoring_one_topic_flags_as_a_full_rescore_does(session: Session, store_bills: Callable,
                                                          tmp_path) -> None:
    """A rule edit re-scores one topic; with a learned model in use that must still give the flags a full
    re-score gives: the model reads every topic's keyword score, and the best-topic step compares them all."""
    path = tmp_path / "t.yaml"
    path.write_text(TWO_TOPICS)
    load_topics(session, path=path)
    session.commit()
    # Bills written for this test (not upstream data): internet noise staff dismiss, broadband and privacy
    # bills they keep, bills touching both topics, and spectrum bills no rule catches that they find.
    noise = store_bills(*internet_noise(range(1, 11)))
    broadband = store_bills(*[bill_record(100 + i, f"Rural Broadband Act {i}",
                                          f"Broadband deployment and spectrum auctions for rural carriers {i}.")
                              for i in range(8)])
    privacy = store_bills(*data_brokers(range(200, 208)))
    both = store_bills(*[bill_record(300 + i, f"Connected Home Act {i}",
                                     f"Internet-connected devices that collect personal data {i}.")
                         for i in range(6)])
    found = store_bills(*spectrum_bills(range(400, 408), extra="; personal data of subscribers"))
    rescore(session)
    judge(session, noise[:8] + both[:2], "not_relevant")
    judge(session, broadband[:6] + privacy[:6] + both[2:4] + found[:6], "relevant")
    report = ensure_models(session)
    session.commit()
    assert any(m["scope"] == "*" and m["active"] for m in report.models)

    rescore(session)
    topics = {t.slug: t.id for t in session.execute(select(Topic)).scalars()}
    full = {slug: _rows(session, tid) for slug, tid in topics.items()}

    for slug, tid in topics.items():
        rescore(session, topic_ids=[tid])
        assert _rows(session, tid) == full[slug], slug
    # What `tracker topics set broadband --threshold 3` does: the same value re-scores to the same flags.
    update_topic(session, topic="broadband", threshold=3)
    session.commit()
    assert _rows(session, topics["broadband"]) == full["broadband"]
