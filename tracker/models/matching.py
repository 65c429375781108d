"""Derived data of topic flagging: bill embeddings, the classifiers learned from triage, and what the last full
re-score was computed from.

Neither is crawled nor the organisation's own record: both can be rebuilt from bills, topics and triage
judgements (``tracker topics embed``, ``tracker topics rescore --embed``, ``tracker topics learn``).
"""

import datetime as dt
from typing import Any

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from tracker.models.base import json_field, utcnow


class BillEmbedding(SQLModel, table=True):
    """A bill's sentence embedding (float16), redone when the embedded text or the model changes."""

    bill_id: int = Field(foreign_key="bill.id", primary_key=True, ondelete="CASCADE")
    model: str = Field(max_length=128)
    text_hash: str = Field(max_length=64)  # sha256 of the text that was embedded
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class RelevanceModel(SQLModel, table=True):
    """A classifier learned from staff judgements: one per topic, and one for the whole organisation."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(unique=True, max_length=64)  # a topic slug, or "*" for the organisation-wide model
    topic_id: int | None = Field(default=None, foreign_key="topic.id", ondelete="CASCADE")
    features: str = Field(max_length=64)  # what the model reads, e.g. "embedding+keyword"
    params: dict[str, Any] = json_field(default_factory=dict)  # weights, bias, feature scaling
    positives: int = 0
    negatives: int = 0
    judgements_hash: str = Field(max_length=64)  # of the judgements it learned from: retrain when they change
    metrics: dict[str, Any] = json_field(default_factory=dict)  # cross-validated accuracy on the judgements
    trained_at: dt.datetime = Field(default_factory=utcnow)


class FullRescore(SQLModel, table=True):
    """The last re-score of every stored bill (one row): the judgements it was scored from.

    Staff judgements change scores through the learned models and the semantic exemplars, but a judgement only
    reaches the bills scored after it. The scheduled learning job compares this fingerprint with the current
    judgements and re-scores every bill when they differ, so yesterday's judgements shape this morning's flags.
    """

    id: int = Field(default=1, primary_key=True)
    judgements_hash: str = Field(max_length=64)  # of the (bill, label) pairs: tracker.matching.learning
    judgements: int = 0
    finished_at: dt.datetime = Field(default_factory=utcnow)
