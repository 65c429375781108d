"""Flagging against the database: read bills in batches, score them, write ``BillMatch`` rows set-based.

``flag_bills(session, bill_ids)`` runs after every ingest batch on the bills that changed (the importer and
the crawl pipeline call it); ``rescore(session)`` re-scores every stored bill, which is what a rule change
triggers; ``embed_pending(session)`` embeds the bills a bulk ingest left without an embedding and re-scores
them (``tracker import`` and ``tracker crawl`` run it at the end, ``tracker topics embed`` by hand).

Flags are a function of the bills, the rules, the judgements and the stored embeddings, never of an earlier
run's output: what a bill staff marked relevant teaches each topic (``attribute_relevant``) is worked out from
the bill itself, not from the ``BillMatch`` rows a previous run wrote, so the same inputs give the same rows
whatever order the judgements, rule edits and re-scores came in.

How the signals combine, per bill and topic (``combine`` and ``decide`` below)::

    z = Wk * (min(keyword_score / threshold, 2) - 1)          keyword evidence: 0 exactly at the threshold
      + Ws * (semantic_score - S0)                            when semantic relevance is on
      + Wl * logit(learned probability)                       when a model learned from triage takes part
    signal = 1 / (1 + exp(-z))

A topic flags when no exclusion rule of it matches (a veto, whatever the other signals say) and

(a) its keyword score reaches the threshold and signal >= 0.5, or
(b) it is the bill's best topic (highest signal; the organisation-wide model standing in for every topic's) and
    that signal >= 0.5: a topic short of its threshold flags only where the bill fits best, so a confident
    model does not flag a bill under all twelve topics at once;

and, when only a learned model lifts the bill over the line (nothing flags without the models), a model is
confident about the bill (``Params.promote_threshold``). With neither the models nor semantic scores this is
exactly "keyword score reaches the threshold".

The stored and shown ``score`` is on the flag's scale: **a topic flags exactly when its score is >= 0.5**.
A flagged topic's score is its signal (for (b), its best-topic signal when that is higher), so flags rank by
the signal. A topic that does not flag keeps the signal held under what stopped it (``_held_score``): 0 when
vetoed; the score it has without the models when only a model would have flagged it and was not confident;
otherwise the lower of the signal and its keyword evidence alone, 1 / (1 + exp(-Wk * (min(norm, 2) - 1))), so
it never reads higher than its keywords unless it was the bill's best topic (then its best-topic signal, below
0.5 too). The organisation-wide model's probability is one number per bill, the same for every topic, so it is
never on its own a reason to store a row for a topic (``score_docs``).

What judgements may do differs by side (``decide``): on a bill the rules and semantic relevance flag, a learned
model may lower a topic below the line (staff dismissed bills like it); a bill they do not flag, a model adds
only when it is confident (``Params.promote_threshold``). The judged bills are a sample far richer in relevant
bills than the unflagged ones, so a model trained on them overrates unflagged bills: letting it add at p = 0.5
cost more precision than it gained recall (bench/relevance.py, docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session

from tracker.config import settings
from tracker.matching import learning, semantic
from tracker.matching.ceremonial import ceremonial_form
from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicResult, TopicSpec
from tracker.models import (
    Bill,
    BillEmbedding,
    BillMatch,
    BillVersion,
    FirstFlag,
    RelevanceModel,
    Topic,
    TopicRule,
    TriageState,
)
from tracker.models.base import utcnow
from tracker.models.enums import Relevance
from tracker.upsert import upsert as _upsert

log = logging.getLogger(__name__)

BATCH = 500
MAX_TEXT_CHARS = 2_000_000  # a bill text longer than this is scored on its first 2 million characters


@dataclass(frozen=True)
class Params:
    """Combination weights; defaults chosen on the training half of the 117th Congress (bench/relevance.py)."""

    keyword_weight: float = 2.0
    # Re-chosen on the train half after the 2026-12-07 rule changes (docs/benchmarks.md): with rules that flag
    # fewer generic bills, semantic relevance at 2 / 0.1 took more right flags away than wrong ones; at 0.5 /
    # 0.025 it withholds only threshold flags of bills far from every topic and adds only near-threshold ones.
    semantic_weight: float = 0.5
    semantic_center: float = 0.025
    learned_weight: float = 1.5
    # A learned model adds a bill the rules and semantic relevance do not flag only from this probability up.
    promote_threshold: float = 0.95
    exemplar_offset: float = 0.25  # similarity to a bill staff marked relevant counts this much less
    keep_semantic: float = 0.35  # store a row for a topic without keyword hits from this similarity up
    inline_embed_limit: int = 64  # embed at most this many bills inside one ingest batch; the rest later

    @classmethod
    def from_settings(cls) -> Params:
        section = settings().section("matching")
        values = {k: type(getattr(cls(), k))(v) for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**values)


@dataclass
class FlagReport:
    bills: int = 0
    flagged_bills: int = 0
    matches: int = 0
    flags: int = 0
    embedded: int = 0
    pending_embeddings: int = 0  # bills left for `tracker topics embed`
    models: list[str] = field(default_factory=list)

    def add(self, other: FlagReport) -> None:
        self.bills += other.bills
        self.flagged_bills += other.flagged_bills
        self.matches += other.matches
        self.flags += other.flags
        self.embedded += other.embedded
        self.pending_embeddings += other.pending_embeddings
        self.models = other.models or self.models


# -- loading topics -----------------------------------------------------------------------------------------

def topic_specs(session: Session, topic_ids: Iterable[int] | None = None) -> list[TopicSpec]:
    """Enabled topics with their enabled rules, as the engine needs them."""
    query = select(Topic).where(Topic.enabled).order_by(Topic.id)
    if topic_ids is not None:
        query = query.where(Topic.id.in_(list(topic_ids)))
    topics = list(session.execute(query).scalars())
    rules: dict[int, list[RuleSpec]] = {t.id: [] for t in topics if t.id is not None}
    if rules:
        for r in session.execute(select(TopicRule).where(TopicRule.topic_id.in_(list(rules)), TopicRule.enabled)
                                 .order_by(TopicRule.id)).scalars():
            rules[r.topic_id].append(RuleSpec(r.expression, r.weight, r.exclude, r.id))
    return [TopicSpec(id=t.id, slug=t.slug, name=t.name, threshold=t.threshold, rule_version=t.rule_version,
                      rules=tuple(rules[t.id]), description=t.description) for t in topics if t.id is not None]


_RULESET_CACHE: dict[Any, RuleSet] = {}


def configured_field_weights() -> dict[str, float] | None:
    """``[matching] field_weights`` of tracker.toml, over the engine's defaults (title 3, summary 1.5, text 1)."""
    return settings().section("matching").get("field_weights") or None


def compile_topics(specs: Sequence[TopicSpec]) -> RuleSet:
    """One automaton for these topics, reused while their rules stay the same."""
    field_weights = configured_field_weights()
    key = (tuple((s.id, s.rule_version, s.threshold, s.rules) for s in specs),
           tuple(sorted((field_weights or {}).items())))
    rule_set = _RULESET_CACHE.get(key)
    if rule_set is None:
        if len(_RULESET_CACHE) > 8:
            _RULESET_CACHE.clear()
        rule_set = _RULESET_CACHE[key] = RuleSet(specs, field_weights)
    return rule_set


# -- loading bills ------------------------------------------------------------------------------------------

def load_docs(session: Session, bill_ids: Sequence[int]) -> list[BillDoc]:
    """Titles, summary and latest text version of each bill (ids that no longer exist are left out)."""
    if not bill_ids:
        return []
    rows = session.execute(select(Bill.id, Bill.title, Bill.short_title, Bill.popular_title, Bill.summary_text,
                                  Bill.classification).where(Bill.id.in_(list(bill_ids)))).all()
    texts = latest_texts(session, [r[0] for r in rows])
    docs = [make_doc(bill_id, title, short_title, popular_title, summary, texts.get(bill_id),
                     classification=classification)
            for bill_id, title, short_title, popular_title, summary, classification in rows]
    order = {bid: i for i, bid in enumerate(bill_ids)}
    docs.sort(key=lambda d: order.get(d.bill_id, 0))
    return docs


def make_doc(bill_id: int, title: str | None, short_title: str | None, popular_title: str | None,
             summary: str | None, text: str | None = None, *, classification: str | None = None) -> BillDoc:
    """What the matcher reads of a bill: its titles, its summary and its latest text, and whether it is a bill or
    a resolution. Never subjects or policy area (they arrive weeks after a bill is introduced)."""
    titles = list(dict.fromkeys(t for t in (title, short_title, popular_title) if t))
    fields = {"title": titles, "summary": [summary] if summary else []}
    if text:
        fields["text"] = [text[:MAX_TEXT_CHARS]]
    return BillDoc(bill_id, fields, classification)


def latest_texts(session: Session, bill_ids: Sequence[int]) -> dict[int, str]:
    """The most recent version's text per bill (latest date, then latest row), for bills that have one."""
    if not bill_ids:
        return {}
    best: dict[int, tuple[int, int]] = {}
    for bill_id, vid, date in session.execute(
        select(BillVersion.bill_id, BillVersion.id, BillVersion.date)
        .where(BillVersion.bill_id.in_(list(bill_ids)), BillVersion.text.is_not(None))
    ):
        key = (date.toordinal() if date else 0, vid)
        if bill_id not in best or key > best[bill_id]:
            best[bill_id] = key
    if not best:
        return {}
    ids = [key[1] for key in best.values()]
    return dict(session.execute(select(BillVersion.bill_id, BillVersion.text).where(BillVersion.id.in_(ids))).all())


def all_bill_ids(session: Session) -> list[int]:
    return list(session.execute(select(Bill.id).order_by(Bill.id)).scalars())


# -- semantic -----------------------------------------------------------------------------------------------

@dataclass
class _Semantic:
    topic_matrix: np.ndarray  # one unit row per topic (description)
    exemplars: dict[int, np.ndarray]  # topic id -> rows of embeddings of bills staff marked relevant
    exemplar_ids: dict[int, np.ndarray] = field(default_factory=dict)  # topic id -> their bill ids, row by row


_TOPIC_VECTOR_CACHE: dict[str, np.ndarray] = {}


def topic_vectors(specs: Sequence[TopicSpec]) -> np.ndarray:
    texts = [semantic.topic_text(s.name, s.description) for s in specs]
    missing = [t for t in texts if semantic.text_hash(t) not in _TOPIC_VECTOR_CACHE]
    if missing:
        for text, vec in zip(missing, semantic.get_embedder().encode(missing), strict=True):
            _TOPIC_VECTOR_CACHE[semantic.text_hash(text)] = vec
    if not texts:
        return np.zeros((0, semantic.DIM), dtype=np.float32)
    return np.vstack([_TOPIC_VECTOR_CACHE[semantic.text_hash(t)] for t in texts])


def embeddings_for(session: Session, docs: Sequence[BillDoc], *, compute: bool | int) -> tuple[
        dict[int, np.ndarray], int, int]:
    """Stored embeddings of these bills, computing missing or outdated ones (all when ``compute`` is True, at
    most that many when it is a number). Returns vectors by bill id, how many were computed, how many wait."""
    wanted = {d.bill_id: semantic.bill_text(d.fields.get("title", []), (d.fields.get("summary") or [None])[0],
                                            (d.fields.get("text") or [None])[0]) for d in docs}
    hashes = {bid: semantic.text_hash(text) for bid, text in wanted.items()}
    stored = {bid: semantic.stored_vector(model, vec) for bid, model, h, vec in session.execute(
        select(BillEmbedding.bill_id, BillEmbedding.model, BillEmbedding.text_hash, BillEmbedding.vector)
        .where(BillEmbedding.bill_id.in_(list(wanted)))) if h == hashes[bid]}
    out: dict[int, np.ndarray] = {}
    todo = []
    for bid in wanted:
        if (vector := stored.get(bid)) is not None:
            out[bid] = vector
        else:
            todo.append(bid)
    limit = len(todo) if compute is True else int(compute)
    if limit <= 0 or not todo:
        return out, 0, len(todo)
    if compute is not True and len(todo) > limit:
        # A bulk import: embedding inline would slow it to the model's pace; embed_pending catches up.
        return out, 0, len(todo)
    embedder = semantic.get_embedder()
    now = utcnow()
    done = 0
    for start in range(0, len(todo), semantic.CHUNK):
        chunk = todo[start:start + semantic.CHUNK]
        vectors = embedder.encode([wanted[b] for b in chunk])
        rows = []
        for bid, vec in zip(chunk, vectors, strict=True):
            out[bid] = vec
            rows.append({"bill_id": bid, "model": embedder.name, "text_hash": hashes[bid], "dim": len(vec),
                         "vector": semantic.to_bytes(vec), "created_at": now})
        _upsert(session, BillEmbedding, rows, ["bill_id"], ["model", "text_hash", "dim", "vector", "created_at"])
        done += len(chunk)
    return out, done, 0


def keyword_results(rule_set: RuleSet, docs: Sequence[BillDoc]) -> dict[int, dict[int, TopicResult]]:
    """Per bill, its keyword result for every topic with a hit."""
    return {d.bill_id: {r.topic_id: r for r in rule_set.evaluate(d)} for d in docs}


def attribute_relevant(keyword: dict[int, dict[int, TopicResult]], vectors: dict[int, np.ndarray], *,
                       specs: Sequence[TopicSpec], topic_matrix: np.ndarray | None) -> dict[int, list[int]]:
    """The topics each of these bills (ones staff marked relevant; ``keyword_results`` of them) speaks for.

    Relevance is judged per bill, not per topic, so the topic is inferred from the bill itself: the topics its
    keyword rules flag; else the one its keywords come closest to flagging (score / threshold); else the one
    whose description its embedding is most like; else none. A vetoed topic is never one of them. Computed
    from the rules and stored embeddings, never from earlier ``BillMatch`` rows: those are the output this
    feeds, and reading them made a relevant bill prop up its own flag and flags depend on the order of edits.
    """
    return {bill_id: _attributed_topics(results, vectors.get(bill_id), specs, topic_matrix)
            for bill_id, results in keyword.items()}


def _attributed_topics(keyword: dict[int, TopicResult], vector: np.ndarray | None, specs: Sequence[TopicSpec],
                       topic_matrix: np.ndarray | None) -> list[int]:
    allowed = [(col, s) for col, s in enumerate(specs) if not (s.id in keyword and keyword[s.id].vetoed_by)]
    norms = {s.id: keyword_norm(keyword[s.id].keyword_score, s.threshold) for _, s in allowed if s.id in keyword}
    flagged = [tid for tid, norm in norms.items() if norm >= 1.0]
    if flagged:
        return flagged
    partial = {tid: norm for tid, norm in norms.items() if norm > 0}
    if partial:
        return [max(partial, key=lambda tid: partial[tid])]  # a tie goes to the first topic: deterministic
    if vector is None or topic_matrix is None or not allowed:
        return []
    sims = topic_matrix @ vector
    return [max(allowed, key=lambda item: float(sims[item[0]]))[1].id]


def relevant_bill_ids(session: Session) -> list[int]:
    return list(session.execute(select(TriageState.bill_id).where(TriageState.relevance == Relevance.relevant.value)
                                .order_by(TriageState.bill_id)).scalars())


def _exemplars(session: Session, *, specs: Sequence[TopicSpec], rule_set: RuleSet,
               topic_matrix: np.ndarray) -> _Semantic:
    """Stored embeddings of bills staff marked relevant, by the topics ``attribute_relevant`` gives them."""
    ids = relevant_bill_ids(session)
    out: dict[int, list[tuple[int, np.ndarray]]] = {}
    for start in range(0, len(ids), BATCH):  # bounded IN lists and bill texts in memory
        docs = load_docs(session, ids[start:start + BATCH])
        vectors, _, _ = embeddings_for(session, docs, compute=False)  # a bill not embedded yet teaches nothing
        topics = attribute_relevant(keyword_results(rule_set, docs), vectors, specs=specs, topic_matrix=topic_matrix)
        for bill_id, topic_ids in topics.items():
            for topic_id in topic_ids if bill_id in vectors else ():
                out.setdefault(topic_id, []).append((bill_id, vectors[bill_id]))
    return _Semantic(topic_matrix, {tid: np.vstack([v for _, v in rows]) for tid, rows in out.items()},
                     {tid: np.array([b for b, _ in rows]) for tid, rows in out.items()})


# -- embedding what a bulk ingest left out ------------------------------------------------------------------

def pending_embeddings_query() -> Any:
    """Bills whose embedding is missing, from another model, not ``semantic.DIM`` values long (damaged), or
    older than the bill's last change. A change need not touch the embedded text (a new action does not):
    ``embeddings_for`` compares text hashes and embeds again only the bills whose text moved."""
    return (select(Bill.id).outerjoin(BillEmbedding, BillEmbedding.bill_id == Bill.id)
            .where(or_(BillEmbedding.bill_id.is_(None), BillEmbedding.model != semantic.MODEL_NAME,
                       func.length(BillEmbedding.vector) != semantic.DIM * 2,
                       BillEmbedding.created_at < Bill.last_changed_at)))


def pending_embedding_ids(session: Session) -> list[int]:
    return list(session.execute(pending_embeddings_query().order_by(Bill.id)).scalars())


def embed_pending(session: Session, *, progress: Callable[[int, int], None] | None = None,
                  batch: int = BATCH) -> FlagReport:
    """Embed the bills ``pending_embedding_ids`` finds and re-score them, committing batch by batch.

    Ingest embeds inline only small batches (``inline_embed_limit``): a bulk import or crawl would otherwise go
    at the model's pace. Without this catch-up its bills would have no semantic score, and a learned model that
    reads embeddings would say nothing about them. Raises ``SemanticUnavailable`` when semantic relevance is off.
    """
    if not semantic.enabled():
        raise semantic.SemanticUnavailable(f"semantic relevance is unavailable: {semantic.why_unavailable()}")
    ids = pending_embedding_ids(session)
    report = FlagReport()
    if progress:
        progress(0, len(ids))
    if not ids:
        return report
    from tracker.matching.training import ensure_models

    ensure_models(session)
    ctx = ScoringContext.build(session, embed=True)
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        checked = utcnow()  # before reading the bills: a change committed meanwhile stays pending
        report.add(flag_bills(session, chunk, ctx=ctx))
        # Embeddings whose text had not moved are current as of now: without this they would stay pending.
        session.execute(update(BillEmbedding).where(BillEmbedding.bill_id.in_(chunk),
                                                    BillEmbedding.created_at < checked).values(created_at=checked))
        session.commit()
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return report


# -- models learned from triage -----------------------------------------------------------------------------

@dataclass
class _Models:
    by_topic: dict[int, learning.Classifier]
    org: learning.Classifier | None

    def for_topic(self, topic_id: int) -> learning.Classifier | None:
        return self.by_topic.get(topic_id, self.org)

    @property
    def any(self) -> bool:
        return bool(self.by_topic) or self.org is not None


def load_models(session: Session, specs: Sequence[TopicSpec]) -> _Models:
    by_slug = {s.slug: s.id for s in specs}
    by_topic: dict[int, learning.Classifier] = {}
    org = None
    for m in session.execute(select(RelevanceModel)).scalars():
        if not m.metrics.get("active", True):
            continue
        try:
            clf = learning.Classifier.from_params(m.params)
        except (ValueError, KeyError) as exc:
            log.warning("ignoring learned model %s: %s", m.scope, exc)
            continue
        if m.scope == learning.ORG_SCOPE:
            org = clf
        elif m.scope in by_slug:
            by_topic[by_slug[m.scope]] = clf
    return _Models(by_topic, org)


# -- scoring ------------------------------------------------------------------------------------------------

@dataclass
class ScoringContext:
    specs: list[TopicSpec]  # every enabled topic: each is scored, whichever rows are written
    rule_set: RuleSet
    params: Params
    semantic: _Semantic | None
    models: _Models
    embed: bool | int
    write_ids: list[int]  # the topics whose BillMatch rows are written

    @classmethod
    def build(cls, session: Session, *, topic_ids: Iterable[int] | None = None, embed: bool | int | None = None,
              use_semantic: bool | None = None) -> ScoringContext:
        """Scoring for every enabled topic, writing the rows of ``topic_ids`` (default: all of them).

        A topic's flag depends on the other topics: the learned models read every topic's keyword score and
        similarity, and only a bill's best topic may flag without a keyword hit. So re-scoring one topic after
        a rule edit still scores them all (one automaton pass) and gives exactly the flags a full re-score gives.
        """
        params = Params.from_settings()
        specs = topic_specs(session)
        rule_set = compile_topics(specs)
        sem = None
        if (semantic.enabled() if use_semantic is None else use_semantic) and specs:
            matrix = topic_vectors(specs)
            sem = _exemplars(session, specs=specs, rule_set=rule_set, topic_matrix=matrix)
        models = load_models(session, specs)
        if embed is None:
            embed = params.inline_embed_limit
        wanted = None if topic_ids is None or _topics_depend_on_each_other(sem, models) else set(topic_ids)
        write_ids = [s.id for s in specs if wanted is None or s.id in wanted]
        return cls(specs, rule_set, params, sem, models, embed, write_ids)


def _topics_depend_on_each_other(sem: _Semantic | None, models: _Models) -> bool:
    """Whether one topic's edit (rules, threshold, description, switching it off) can move another topic's
    rows: through the best-topic rule (a topic short of its threshold flags only as the bill's best topic, and
    with semantic scores it can reach the line there, so which topic is best depends on all of them), the bills
    staff marked relevant (a threshold decides which topic such a bill teaches, ``attribute_relevant``) or a
    learned model (retrained on every edit, it reads every topic's scores). Then every topic's rows are
    rewritten, so they come out as a full re-score writes them. On keywords alone the best-topic rule adds
    nothing (a topic reaches 0.5 only at its threshold) and a topic's rows depend on its own rules only."""
    return sem is not None or models.any


def keyword_norm(keyword_score: float, threshold: float) -> float:
    """Keyword evidence relative to the threshold: 1 flags."""
    return keyword_score / threshold if threshold > 0 else (1.0 if keyword_score > 0 else 0.0)


def logit(p: float) -> float:
    p = min(1 - 1e-6, max(1e-6, p))
    return math.log(p / (1 - p))


def combine(*, keyword_norm: float, semantic_score: float | None, learned: float | None,
            params: Params) -> float:
    """The combined score in [0, 1]; 0.5 is the flagging boundary (see the module docstring)."""
    z = params.keyword_weight * (min(keyword_norm, 2.0) - 1.0)
    if semantic_score is not None:
        z += params.semantic_weight * (semantic_score - params.semantic_center)
    if learned is not None:
        z += params.learned_weight * logit(learned)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class TopicDecision:
    spec: TopicSpec
    result: TopicResult | None
    keyword_score: float
    keyword_norm: float
    semantic: float | None
    learned: float | None
    score: float  # on the flag's scale: >= 0.5 exactly when flagged (module docstring)
    vetoed: bool
    flagged: bool


def decide(specs: Sequence[TopicSpec], keyword: dict[int, TopicResult], sims: Sequence[float] | None,
           learned: dict[int, float], params: Params, org: float | None = None) -> list[TopicDecision]:
    """Per topic: whether it flags and its score (>= 0.5 exactly when it does). ``sims`` are similarities in
    spec order, ``learned`` the probability each topic's model (or the organisation's) gives, ``org`` the
    organisation-wide model's. Pure, so the benchmark measures exactly what flagging does."""
    out = _decide(specs, keyword, sims, learned, params, org)
    if (learned or org is not None) and any(d.flagged for d in out):
        plain = _decide(specs, keyword, sims, {}, params, None)
        if not any(d.flagged for d in plain) and max([*learned.values(), org or 0.0]) < params.promote_threshold:
            # Flagged only because of a model that is not confident: withheld (module docstring). Each topic
            # then scores what it scores without the models, below the line like its flag.
            for d, without in zip(out, plain, strict=True):
                d.flagged, d.score = False, without.score
    return out


def _decide(specs: Sequence[TopicSpec], keyword: dict[int, TopicResult], sims: Sequence[float] | None,
            learned: dict[int, float], params: Params, org: float | None) -> list[TopicDecision]:
    out = []
    for col, spec in enumerate(specs):
        res = keyword.get(spec.id)
        kw_score = res.keyword_score if res else 0.0
        kw_norm = keyword_norm(kw_score, spec.threshold)
        sem = sims[col] if sims is not None else None
        p = learned.get(spec.id)
        score = combine(keyword_norm=kw_norm, semantic_score=sem, learned=p, params=params)
        vetoed = bool(res and res.vetoed_by)
        out.append(TopicDecision(spec, res, kw_score, kw_norm, sem, p, score, vetoed,
                                 not vetoed and score >= 0.5 and kw_norm >= 1.0))
    # Without a keyword hit only the bill's best topic may flag: a confident model or a close semantic match
    # puts the bill where it fits best, not under every topic at once. The organisation-wide model speaks
    # here, since a bill staff found relevant without any topic's words belongs to no topic's model yet.
    best, best_score = None, 0.0
    for d in out:
        if d.vetoed:
            continue
        score = d.score if org is None else combine(keyword_norm=d.keyword_norm, semantic_score=d.semantic,
                                                    learned=org, params=params)
        if best is None or score > best_score:
            best, best_score = d, score
    if best is not None and best_score >= 0.5 and not best.flagged:
        best.flagged = True
        best.score = max(best.score, best_score)
    for d in out:
        if not d.flagged:
            d.score = _held_score(d, params, best_score if d is best else None)
    return out


def _held_score(d: TopicDecision, params: Params, best_signal: float | None) -> float:
    """The score of a topic that does not flag: its signal held under what stopped it, so below 0.5 like its
    flag. A veto stops it outright; otherwise it failed rule (a), keywords at the threshold and a signal of
    0.5, and, if it was the bill's best topic, rule (b) with ``best_signal`` (module docstring)."""
    if d.vetoed:
        return 0.0
    keywords_alone = combine(keyword_norm=d.keyword_norm, semantic_score=None, learned=None, params=params)
    held = min(d.score, keywords_alone)
    return held if best_signal is None else max(held, best_signal)


def _stored_score(d: TopicDecision) -> float:
    """Four decimals, never rounding an unflagged topic's 0.49996 up to the flag's 0.5."""
    return round(d.score, 4) if d.flagged else math.floor(d.score * 10_000) / 10_000


def score_docs(ctx: ScoringContext, session: Session, docs: Sequence[BillDoc]) -> tuple[list[dict[str, Any]],
                                                                                         FlagReport]:
    """BillMatch rows for these bills (only topics with some evidence), and what happened."""
    report = FlagReport(bills=len(docs))
    if not docs or not ctx.write_ids:
        return [], report
    written = set(ctx.write_ids)
    keyword = keyword_results(ctx.rule_set, docs)

    sims: dict[int, np.ndarray] = {}
    desc_sims: dict[int, np.ndarray] = {}
    vectors: dict[int, np.ndarray] = {}
    if ctx.semantic is not None:
        vectors, report.embedded, report.pending_embeddings = embeddings_for(session, docs, compute=ctx.embed)
        if vectors:
            ids = list(vectors)
            mat = np.vstack([vectors[i] for i in ids])
            desc = mat @ ctx.semantic.topic_matrix.T
            combined = desc.copy()
            for col, spec in enumerate(ctx.specs):
                ex = ctx.semantic.exemplars.get(spec.id)
                if ex is not None and len(ex):
                    near = mat @ ex.T
                    # Never a bill's likeness to itself: its own judgement must not raise its own flag.
                    near[np.array(ids)[:, None] == ctx.semantic.exemplar_ids[spec.id][None, :]] = -np.inf
                    combined[:, col] = np.maximum(combined[:, col],
                                                  near.max(axis=1) - ctx.params.exemplar_offset)
            # The classifiers read similarity to the descriptions only: exemplars are their own training labels.
            desc_sims = {bid: desc[i] for i, bid in enumerate(ids)}
            sims = {bid: combined[i] for i, bid in enumerate(ids)}

    learned: dict[tuple[int, int], float] = {}  # (bill id, topic id) -> probability
    org: dict[int, float] = {}  # bill id -> the organisation-wide model's probability
    if ctx.models.any:
        feats = [features(d, keyword[d.bill_id], desc_sims.get(d.bill_id), vectors.get(d.bill_id), ctx.specs)
                 for d in docs]
        classifiers = {id(c): c for c in [ctx.models.org, *ctx.models.by_topic.values()] if c is not None}
        preds = {key: clf.predict(feats) for key, clf in classifiers.items()}
        if ctx.models.org is not None:
            clf = ctx.models.org
            org = {d.bill_id: float(p) for d, p in zip(docs, preds[id(clf)], strict=True)
                   if not clf.layout.embedding_dim or d.bill_id in vectors}
        for spec in ctx.specs:
            clf = ctx.models.for_topic(spec.id)
            if clf is None:
                continue
            for d, p in zip(docs, preds[id(clf)], strict=True):
                if clf.layout.embedding_dim and d.bill_id not in vectors:
                    continue  # a model that reads embeddings says nothing about a bill not embedded yet
                learned[(d.bill_id, spec.id)] = float(p)
        report.models = sorted({"topic" if t in ctx.models.by_topic else "org" for t in written
                                if ctx.models.for_topic(t) is not None})

    now = utcnow()
    rows: list[dict[str, Any]] = []
    for d in docs:
        form, substantive = ceremonial_topics(ctx.rule_set, d)
        sim_row = sims.get(d.bill_id)
        decisions = decide(ctx.specs, keyword[d.bill_id], None if sim_row is None else [float(v) for v in sim_row],
                           {t: p for (b, t), p in learned.items() if b == d.bill_id}, ctx.params,
                           org.get(d.bill_id))
        bill_flagged = False
        for dec in decisions:
            if dec.spec.id not in written:
                continue  # scored for the decisions of the other topics; its own rows are left as they are
            sem, p, res = dec.semantic, dec.learned, dec.result
            if not _worth_a_row(dec, ctx.params, own_model=dec.spec.id in ctx.models.by_topic):
                continue
            evidence = list(res.evidence) if res else []
            if dec.vetoed and res:
                evidence.insert(0, {"field": None, "term": None, "rule": res.vetoed_by,
                                    "snippet": f"excluded by rule {res.vetoed_by}"})
            rows.append({
                "bill_id": d.bill_id, "topic_id": dec.spec.id, "score": _stored_score(dec),
                "keyword_score": round(dec.keyword_score, 4),
                "semantic_score": None if sem is None else round(sem, 4),
                "learned_score": None if p is None else round(p, 4),
                "flagged": dec.flagged, "matched_terms": list(res.matched_terms) if res else [],
                "evidence": evidence, "rule_version": dec.spec.rule_version, "matched_at": now,
                "ceremonial": None if dec.spec.id in substantive else form,
            })
            bill_flagged |= dec.flagged
            report.flags += int(dec.flagged)
        report.flagged_bills += int(bill_flagged)
    report.matches = len(rows)
    return rows, report


def ceremonial_topics(rule_set: RuleSet, doc: BillDoc) -> tuple[str | None, set[int]]:
    """A ceremonial resolution's form (tracker.matching.ceremonial; None for any other bill) and the topics its
    text is substantively about: those its rules flag on the bill's text alone, whose matches are not marked
    ceremonial. The title names the occasion and the summary repeats it, so neither tells a resolution about a
    policy from one that celebrates a day."""
    form = ceremonial_form(doc.fields.get("title", []), doc.classification)
    if form is None or not doc.fields.get("text"):
        return form, set()
    thresholds = {t.spec.id: t.spec.threshold for t in rule_set.topics}
    return form, {r.topic_id for r in rule_set.evaluate(BillDoc(doc.bill_id, {"text": doc.fields["text"]}))
                  if not r.vetoed_by and keyword_norm(r.keyword_score, thresholds[r.topic_id]) >= 1.0}


def _worth_a_row(dec: TopicDecision, params: Params, *, own_model: bool) -> bool:
    """Whether a topic's ``BillMatch`` row is stored: when it flags, or when something speaks for this topic in
    particular: a keyword hit (or the exclusion that vetoed it), a similarity from ``keep_semantic`` up, or the
    topic's own model at p >= 0.5. The organisation-wide model's probability is one number per bill, the same
    for every topic: on its own it made every bill it liked carry a row under all twelve topics."""
    if dec.flagged or dec.result is not None:
        return True
    if dec.semantic is not None and dec.semantic >= params.keep_semantic:
        return True
    return own_model and dec.learned is not None and dec.learned >= 0.5


def features(doc: BillDoc, keyword: dict[int, TopicResult], sims: np.ndarray | None, vector: np.ndarray | None,
              specs: Sequence[TopicSpec]) -> learning.BillFeatures:
    text = " ".join(doc.fields.get("title", []) + doc.fields.get("summary", []))
    kw = {}
    for spec in specs:
        res = keyword.get(spec.id)
        if res and not res.vetoed_by and spec.threshold > 0:
            kw[spec.slug] = res.keyword_score / spec.threshold
    sem = {spec.slug: float(sims[i]) for i, spec in enumerate(specs)} if sims is not None else {}
    return learning.BillFeatures(learning.word_features(text), kw, sem, vector)


# -- writing ------------------------------------------------------------------------------------------------

_MATCH_COLUMNS = ("score", "keyword_score", "semantic_score", "learned_score", "flagged", "matched_terms",
                  "evidence", "rule_version", "matched_at", "ceremonial")


def write_matches(session: Session, rows: list[dict[str, Any]], bill_ids: Sequence[int],
                  topic_ids: Sequence[int]) -> None:
    """Replace the matches of these bills for these topics with ``rows``: one upsert, one delete. A bill flagged
    for the first time gets its ``FirstFlag``; one flagged before keeps it, whatever re-scores since rewrote."""
    _upsert(session, BillMatch, rows, ["bill_id", "topic_id"], _MATCH_COLUMNS)
    first = {r["bill_id"]: r["matched_at"] for r in rows if r["flagged"]}
    _upsert(session, FirstFlag, [{"bill_id": b, "first_flagged_at": at} for b, at in first.items()], ["bill_id"],
            None)
    keep = {(r["bill_id"], r["topic_id"]) for r in rows}
    stale = [match_id for match_id, b, t in session.execute(
        select(BillMatch.id, BillMatch.bill_id, BillMatch.topic_id)
        .where(BillMatch.bill_id.in_(list(bill_ids)), BillMatch.topic_id.in_(list(topic_ids)))).all()
        if (b, t) not in keep]
    if stale:  # by the ids just read: no second look-up by (bill, topic)
        session.execute(delete(BillMatch).where(BillMatch.id.in_(stale)))


# -- entry points -------------------------------------------------------------------------------------------

def flag_bills(session: Session, bill_ids: Iterable[int], *, embed: bool | int | None = None,
               ctx: ScoringContext | None = None) -> FlagReport:
    """Score these bills against every enabled topic and store the matches, in the caller's transaction.

    ``embed``: compute missing embeddings for all of them (True), none (False), or only when there are at most
    that many (a number; default ``[matching] inline_embed_limit``), so a bulk import is not held up by the
    model: ``embed_pending`` catches up (``tracker import`` and ``tracker crawl`` run it at the end).
    """
    ids = list(dict.fromkeys(bill_ids))
    report = FlagReport()
    if not ids:
        return report
    if ctx is None:
        from tracker.matching.training import ensure_models

        ensure_models(session)
        ctx = ScoringContext.build(session, embed=embed)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        docs = load_docs(session, chunk)
        rows, part = score_docs(ctx, session, docs)
        write_matches(session, rows, chunk, ctx.write_ids)
        report.add(part)
    return report


def rescore(session: Session, *, topic_ids: Iterable[int] | None = None, embed: bool | None = False,
            progress: Callable[[int, int], None] | None = None, commit: bool = True) -> FlagReport:
    """Re-score every stored bill, committing batch by batch. ``topic_ids`` limits which topics' rows are
    rewritten, not what is scored: the rows come out as a full re-score would write them (and every topic's
    are rewritten when the topics depend on each other, ``_topics_depend_on_each_other``). Rows of topics that
    are switched off go: of every such topic after a full re-score, of those in ``topic_ids`` otherwise."""
    from tracker.matching.training import ensure_models, judgements, mark_full_rescore

    topic_ids = None if topic_ids is None else list(topic_ids)
    scored_from = judgements(session) if topic_ids is None else []  # read before scoring: mark_full_rescore
    ensure_models(session)
    ctx = ScoringContext.build(session, topic_ids=topic_ids, embed=bool(embed))
    enabled = [s.id for s in ctx.specs]
    if topic_ids is not None and (off := [t for t in topic_ids if t not in enabled]):
        session.execute(delete(BillMatch).where(BillMatch.topic_id.in_(off)))  # a disabled topic flags nothing
        if commit:
            session.commit()
    # No rows to write: a topic switched off on keywords alone, where no other topic's rows depend on it.
    ids = all_bill_ids(session) if ctx.write_ids else []
    report = FlagReport()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        report.add(flag_bills(session, chunk, ctx=ctx))
        if commit:
            session.commit()
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    if topic_ids is None:
        # Matches of topics that were disabled or deleted since: nothing scores them any more.
        session.execute(delete(BillMatch).where(BillMatch.topic_id.not_in(enabled)))
        mark_full_rescore(session, scored_from)
        if commit:
            session.commit()
    return report
