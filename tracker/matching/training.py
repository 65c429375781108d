"""Training the triage classifiers from the database (the NumPy side is in ``tracker.matching.learning``).

``ensure_models`` is cheap when nothing changed (one query over the judgements and a hash), so every flagging
run calls it: a judgement made this morning shapes the scores of the bills that arrive tonight.

A model only takes part when it does better than the rules on the judgements themselves: its cross-validated
F1 must beat the F1 of the keyword flags on the same bills. Until then it is stored but inactive, and
``tracker topics learn`` says so. A topic without a model of its own in use (none trained yet, or one that
lost to the rules) is scored by the organisation-wide model when that one is in use: that is the model
docs/benchmarks.md measures on every topic, and ``scoring_scopes`` says which model scores which topic.

Training reaches the bills scored after it. ``scores_behind_judgements`` tells when the stored scores of the
others lag the judgements (``FullRescore`` records what the last re-score of every bill was computed from), and
``tracker topics learn --if-changed``, the scheduler's nightly learning job, then re-scores them all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from tracker.matching import learning, semantic
from tracker.matching.engine import TopicSpec
from tracker.models import BillMatch, FullRescore, RelevanceModel, TriageState
from tracker.models.base import utcnow
from tracker.models.enums import Relevance

log = logging.getLogger(__name__)


@dataclass
class TrainingReport:
    judgements: int = 0
    models: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None
    retrained: bool = False


def judgements(session: Session) -> list[tuple[int, int]]:
    """(bill id, 1 relevant / 0 not relevant) for every bill staff judged."""
    rows = session.execute(select(TriageState.bill_id, TriageState.relevance)
                           .where(TriageState.relevance.is_not(None))).all()
    values = {Relevance.relevant.value: 1, Relevance.not_relevant.value: 0}
    return sorted((bill_id, values[rel]) for bill_id, rel in rows if rel in values)


def scores_behind_judgements(session: Session) -> str | None:
    """Why the stored scores lag the judgements (a sentence), or None when the last re-score of every bill was
    computed from the judgements there are now. A database never re-scored whole is behind only when learning
    can have moved something: a judgement or a learned score exists (ingest scored the rest as it stored them)."""
    return _behind(session, judgements(session), session.get(FullRescore, 1))


def _behind(session: Session, pairs: Sequence[tuple[int, int]], mark: FullRescore | None) -> str | None:
    if mark is None:
        learned = session.execute(select(BillMatch.id).where(BillMatch.learned_score.is_not(None)).limit(1)).first()
        if not pairs and learned is None:
            return None
        return f"{len(pairs)} judgement{'s' if len(pairs) != 1 else ''}, and the stored bills were never " \
               f"re-scored from {'them' if len(pairs) != 1 else 'it'}"
    if mark.judgements_hash == learning.judgements_hash(pairs):
        return None
    return (f"the judgements changed since every bill was last scored ({mark.judgements} then, {len(pairs)} now, "
            f"at {mark.finished_at:%Y-%m-%d %H:%M} UTC)")


@dataclass
class LearningStatus:
    """What the admin page shows of learning from triage."""

    relevant: int
    not_relevant: int
    behind: str | None  # scores_behind_judgements
    models: list[dict[str, Any]]
    scoring: dict[str, str | None]  # scoring_scopes
    last_full_rescore: dt.datetime | None


def learning_status(session: Session) -> LearningStatus:
    pairs = judgements(session)
    mark = session.get(FullRescore, 1)
    relevant = sum(label for _, label in pairs)
    return LearningStatus(relevant=relevant, not_relevant=len(pairs) - relevant, behind=_behind(session, pairs, mark),
                          models=[_describe(m) for m in session.execute(select(RelevanceModel)
                                                                         .order_by(RelevanceModel.scope)).scalars()],
                          scoring=scoring_scopes(session), last_full_rescore=mark.finished_at if mark else None)


def mark_full_rescore(session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """Record that every bill was just scored from ``pairs`` (read before scoring began: a judgement made
    during the re-score leaves the mark behind, and the next learning job catches it)."""
    from tracker.upsert import upsert

    row = {"id": 1, "judgements_hash": learning.judgements_hash(pairs), "judgements": len(pairs),
           "finished_at": utcnow()}
    # An upsert: a re-score started from the dashboard may finish beside the nightly job's.
    upsert(session, FullRescore, [row], ["id"], ["judgements_hash", "judgements", "finished_at"])


def _signature(specs: Sequence[TopicSpec], use_semantic: bool) -> str:
    parts = [f"{s.slug}:{s.rule_version}:{s.threshold}" for s in specs]
    return f"{learning.WORD_DIM}|{int(use_semantic)}|" + ",".join(parts)


def ensure_models(session: Session, *, force: bool = False) -> TrainingReport:
    """Retrain when the judgements, the topics' rules or the feature set changed since the last training."""
    from tracker.matching.store import topic_specs

    pairs = judgements(session)
    specs = topic_specs(session)
    use_semantic = semantic.enabled()
    digest = learning.judgements_hash(pairs, _signature(specs, use_semantic))
    report = TrainingReport(judgements=len(pairs))
    current = session.execute(select(RelevanceModel).where(RelevanceModel.scope == learning.ORG_SCOPE)).scalar()
    positives = sum(label for _, label in pairs)
    if positives < learning.MIN_ORG or len(pairs) - positives < learning.MIN_ORG:
        report.skipped = (f"{positives} relevant and {len(pairs) - positives} not-relevant judgements; at least "
                          f"{learning.MIN_ORG} of each are needed before anything is learned")
        if current is not None:  # judgements were withdrawn: what was learned from them goes too
            session.execute(delete(RelevanceModel))
        return report
    if current is not None and current.judgements_hash == digest and not force:
        report.models = [_describe(m) for m in session.execute(select(RelevanceModel)).scalars()]
        return report
    _train_all(session, pairs, specs, use_semantic, digest, report)
    report.retrained = True
    return report


def _train_all(session: Session, pairs: list[tuple[int, int]], specs: list[TopicSpec], use_semantic: bool,
               digest: str, report: TrainingReport) -> None:
    from tracker.matching.store import (
        BATCH,
        attribute_relevant,
        compile_topics,
        embeddings_for,
        features,
        keyword_results,
        load_docs,
        topic_vectors,
    )

    rule_set = compile_topics(specs)
    topic_matrix = topic_vectors(specs) if use_semantic and specs else None
    labels = dict(pairs)
    keyword: dict[int, dict[int, Any]] = {}
    vectors: dict[int, Any] = {}
    feats: dict[int, learning.BillFeatures] = {}
    judged = list(labels)
    # Batch by batch: a bill's text can run to megabytes, and what training keeps of it is small (keyword
    # results, hashed words of the titles and summary, one embedding).
    for start in range(0, len(judged), BATCH):
        docs = load_docs(session, judged[start:start + BATCH])
        batch_keyword = keyword_results(rule_set, docs)
        batch_vectors = embeddings_for(session, docs, compute=True)[0] if topic_matrix is not None else {}
        for d in docs:
            vec = batch_vectors.get(d.bill_id)
            sims = topic_matrix @ vec if topic_matrix is not None and vec is not None else None
            feats[d.bill_id] = features(d, batch_keyword[d.bill_id], sims, vec, specs)
        keyword.update(batch_keyword)
        vectors.update(batch_vectors)
    layout = learning.Layout([s.slug for s in specs], semantic.DIM if topic_matrix is not None else 0)
    session.execute(delete(RelevanceModel))

    # Organisation-wide: every judgement.
    ids = [bid for bid in labels if bid in feats]
    kw_flag = {bid: any(r.keyword_score >= spec.threshold and not r.vetoed_by
                        for spec in specs if (r := keyword[bid].get(spec.id)) is not None) for bid in ids}
    _fit_scope(session, learning.ORG_SCOPE, None, [feats[b] for b in ids], [labels[b] for b in ids],
               [kw_flag[b] for b in ids], layout, digest, report)

    # Per topic: judgements that concern the topic (see the module docstring of tracker.matching.learning). The
    # topics a relevant bill counts for come from the bill itself, never from the flags an earlier run wrote.
    topics_of = attribute_relevant({bid: kw for bid, kw in keyword.items() if labels[bid] == 1}, vectors,
                                   specs=specs, topic_matrix=topic_matrix)
    for spec in specs:
        t_ids = [bid for bid in ids if labels[bid] == 0 or spec.id in topics_of.get(bid, ())]
        t_labels = [labels[bid] for bid in t_ids]
        t_kw = [bool((r := keyword[bid].get(spec.id)) and r.keyword_score >= spec.threshold and not r.vetoed_by)
                for bid in t_ids]
        pos = sum(t_labels)
        if pos < learning.MIN_TOPIC or len(t_labels) - pos < learning.MIN_TOPIC:
            continue
        _fit_scope(session, spec.slug, spec.id, [feats[b] for b in t_ids], t_labels, t_kw, layout, digest, report)


def _fit_scope(session: Session, scope: str, topic_id: int | None, feats: list[learning.BillFeatures],
               labels: list[int], keyword_flags: list[bool], layout: learning.Layout, digest: str,
               report: TrainingReport) -> None:
    model = learning.train(feats, labels, layout)
    metrics: dict[str, Any] = learning.cross_validate(feats, labels, layout)
    metrics["keyword_f1"] = round(_f1(keyword_flags, labels), 4)
    # Takes part only when it beats the rules on the staff's own judgements.
    metrics["active"] = bool(metrics.get("f1", 0.0) > metrics["keyword_f1"])
    row = RelevanceModel(scope=scope, topic_id=topic_id, features=layout.name, params=model.to_params(),
                         positives=sum(labels), negatives=len(labels) - sum(labels), judgements_hash=digest,
                         metrics=metrics, trained_at=utcnow())
    session.add(row)
    session.flush()
    report.models.append(_describe(row))


def _f1(pred: Sequence[bool], labels: Sequence[int]) -> float:
    tp = sum(1 for p, y in zip(pred, labels, strict=True) if p and y)
    fp = sum(1 for p, y in zip(pred, labels, strict=True) if p and not y)
    fn = sum(1 for p, y in zip(pred, labels, strict=True) if not p and y)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def scoring_scopes(session: Session) -> dict[str, str | None]:
    """Per enabled topic, the model flagging uses for it: the topic's own (its slug), the organisation-wide one
    (``*``), or none (the rules decide). Read through ``load_models`` so it says what scoring will do."""
    from tracker.matching.store import load_models, topic_specs

    specs = topic_specs(session)
    models = load_models(session, specs)
    org = learning.ORG_SCOPE if models.org is not None else None
    return {s.slug: s.slug if s.id in models.by_topic else org for s in specs}


def _describe(m: RelevanceModel) -> dict[str, Any]:
    return {"scope": m.scope, "features": m.features, "positives": m.positives, "negatives": m.negatives,
            "active": m.metrics.get("active", False), "cv_f1": m.metrics.get("f1"),
            "keyword_f1": m.metrics.get("keyword_f1"), "trained_at": m.trained_at}
