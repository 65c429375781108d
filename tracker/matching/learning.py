"""Learning from triage: staff judgements (relevant / not relevant) train classifiers that move later scores.

Labels come from ``TriageState.relevance``. The organisation-wide model (scope ``*``) learns from every
judgement; a topic gets a model of its own once it has enough judgements that concern it: a bill marked not
relevant counts against every topic, a bill marked relevant counts for the topics its keyword rules flag (or,
if none, the topic its keywords come closest to flagging, else the one its embedding is most like:
``tracker.matching.store.attribute_relevant``, worked out from the bill, never from earlier flags). Until a
topic has a model of its own in use (trained, and beating the rules on its judgements) the organisation-wide
one speaks for it, when that one is in use.

Features, all computed from what any bill has (never from subjects or policy area):
- words: unigrams and bigrams of the titles and summary, hashed (CRC-32, stable across processes) into
  ``WORD_DIM`` buckets, sublinear counts, unit length;
- keyword scores per topic (score / threshold, capped at 3);
- when semantic relevance is on: the bill's embedding and its similarity to each topic.

The classifier is an L2-regularised, class-balanced logistic regression fitted with L-BFGS in NumPy (a few
seconds for thousands of judgements), stored in ``relevancemodel`` with a cross-validated accuracy so staff can
see whether it is worth anything yet.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

WORD_DIM = 1 << 14
KEYWORD_CAP = 3.0
ORG_SCOPE = "*"
MIN_ORG = 5  # judgements of each kind before the organisation-wide model is trained
MIN_TOPIC = 10  # ... before a topic gets a model of its own
DEFAULT_C = 10.0  # inverse regularisation strength, as in scikit-learn's LogisticRegression

_TOKEN = re.compile(r"[^\W_]+")


# -- features -----------------------------------------------------------------------------------------------

@dataclass
class BillFeatures:
    """What a classifier reads about one bill."""

    words: dict[int, float]  # sparse hashed word features, unit length
    keyword: dict[str, float] = field(default_factory=dict)  # topic slug -> keyword score / threshold
    semantic: dict[str, float] = field(default_factory=dict)  # topic slug -> cosine similarity
    embedding: np.ndarray | None = None


def word_features(text: str) -> dict[int, float]:
    tokens = _TOKEN.findall(text.lower())
    counts: dict[int, int] = {}
    for gram in tokens:
        h = zlib.crc32(gram.encode()) & (WORD_DIM - 1)
        counts[h] = counts.get(h, 0) + 1
    for a, b in zip(tokens, tokens[1:], strict=False):
        h = zlib.crc32(f"{a} {b}".encode()) & (WORD_DIM - 1)
        counts[h] = counts.get(h, 0) + 1
    if not counts:
        return {}
    weights = {k: 1.0 + math.log(v) for k, v in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {k: w / norm for k, w in weights.items()}


@dataclass
class Layout:
    """The dense part of the feature vector: keyword scores, then (optionally) embedding and similarities."""

    topics: list[str]
    embedding_dim: int = 0  # 0: the model does not read embeddings

    @property
    def dense_dim(self) -> int:
        return len(self.topics) + (self.embedding_dim + len(self.topics) if self.embedding_dim else 0)

    @property
    def name(self) -> str:
        return "words+keyword" + ("+embedding" if self.embedding_dim else "")

    def dense(self, f: BillFeatures) -> np.ndarray:
        out = np.zeros(self.dense_dim, dtype=np.float64)
        n = len(self.topics)
        for i, slug in enumerate(self.topics):
            out[i] = min(KEYWORD_CAP, max(0.0, f.keyword.get(slug, 0.0)))
        if self.embedding_dim:
            if f.embedding is not None and len(f.embedding) == self.embedding_dim:
                out[n:n + self.embedding_dim] = f.embedding
            for i, slug in enumerate(self.topics):
                out[n + self.embedding_dim + i] = f.semantic.get(slug, 0.0)
        return out


class _Matrix:
    """Sparse hashed words plus a dense block: the two products logistic regression needs, in NumPy."""

    def __init__(self, feats: Sequence[BillFeatures], layout: Layout):
        rows, cols, vals = [], [], []
        for r, f in enumerate(feats):
            for c, v in f.words.items():
                rows.append(r)
                cols.append(c)
                vals.append(v)
        self.n = len(feats)
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.vals = np.asarray(vals, dtype=np.float64)
        self.dense = np.vstack([layout.dense(f) for f in feats]) if feats else np.zeros((0, layout.dense_dim))
        self.dim = WORD_DIM + layout.dense_dim

    def dot(self, w: np.ndarray) -> np.ndarray:
        out = np.bincount(self.rows, weights=self.vals * w[self.cols], minlength=self.n)
        if self.dense.shape[1]:
            out = out + self.dense @ w[WORD_DIM:]
        return out

    def tdot(self, r: np.ndarray) -> np.ndarray:
        out = np.empty(self.dim)
        out[:WORD_DIM] = np.bincount(self.cols, weights=self.vals * r[self.rows], minlength=WORD_DIM)
        out[WORD_DIM:] = self.dense.T @ r
        return out


# -- the classifier -----------------------------------------------------------------------------------------

def _fit(x: _Matrix, y: np.ndarray, *, c: float = DEFAULT_C, max_iter: int = 300) -> tuple[np.ndarray, float]:
    """Class-balanced L2 logistic regression (loss = sum of weighted log-losses + |w|^2 / 2C) by L-BFGS."""
    pos = max(1, int(y.sum()))
    neg = max(1, len(y) - pos)
    sample_w = np.where(y == 1, len(y) / (2.0 * pos), len(y) / (2.0 * neg))
    dim = x.dim + 1  # last entry is the bias, not regularised

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:-1], theta[-1]
        z = x.dot(w) + b
        # log(1 + exp(-s z)) computed stably
        s = np.where(y == 1, 1.0, -1.0)
        m = -s * z
        loss_i = np.logaddexp(0.0, m)
        p = 1.0 / (1.0 + np.exp(-z))
        r = sample_w * (p - y)
        loss = float(np.sum(sample_w * loss_i) + 0.5 / c * np.dot(w, w))
        grad = np.empty(dim)
        grad[:-1] = x.tdot(r) + w / c
        grad[-1] = r.sum()
        return loss, grad

    theta = np.zeros(dim)
    f, g = loss_grad(theta)
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(max_iter):
        # two-loop recursion
        q = g.copy()
        alphas = []
        for s_k, y_k, rho in reversed(history):
            a = rho * np.dot(s_k, q)
            alphas.append(a)
            q -= a * y_k
        if history:
            s_k, y_k, _ = history[-1]
            q *= np.dot(s_k, y_k) / max(1e-12, np.dot(y_k, y_k))
        for (s_k, y_k, rho), a in zip(history, reversed(alphas), strict=True):
            b = rho * np.dot(y_k, q)
            q += s_k * (a - b)
        direction = -q
        slope = np.dot(g, direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            direction, slope, history = -g, -np.dot(g, g), []
        step = 1.0 if history else min(1.0, 1.0 / max(1e-12, float(np.linalg.norm(g))))
        while True:
            new_theta = theta + step * direction
            new_f, new_g = loss_grad(new_theta)
            if new_f <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_vec, y_vec = new_theta - theta, new_g - g
        sy = float(np.dot(s_vec, y_vec))
        theta, improvement, f, g = new_theta, f - new_f, new_f, new_g
        if sy > 1e-12:
            history.append((s_vec, y_vec, 1.0 / sy))
            if len(history) > 10:
                history.pop(0)
        if np.max(np.abs(g)) < 1e-5 or improvement < 1e-9 * max(1.0, abs(f)):
            break
    return theta[:-1], float(theta[-1])


@dataclass
class Classifier:
    layout: Layout
    weights: np.ndarray
    bias: float

    def predict(self, feats: Sequence[BillFeatures]) -> np.ndarray:
        if not feats:
            return np.zeros(0)
        z = _Matrix(feats, self.layout).dot(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def to_params(self) -> dict[str, Any]:
        return {
            "topics": self.layout.topics,
            "embedding_dim": self.layout.embedding_dim,
            "word_dim": WORD_DIM,
            "weights": base64.b64encode(self.weights.astype("<f4").tobytes()).decode(),
            "bias": self.bias,
        }

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Classifier:
        if params.get("word_dim") != WORD_DIM:
            raise ValueError("model was trained with another word hashing size; retrain it")
        layout = Layout(list(params["topics"]), int(params.get("embedding_dim") or 0))
        weights = np.frombuffer(base64.b64decode(params["weights"]), dtype="<f4").astype(np.float64)
        if len(weights) != WORD_DIM + layout.dense_dim:
            raise ValueError("model weights do not match its feature layout; retrain it")
        return cls(layout, weights, float(params["bias"]))


def train(feats: Sequence[BillFeatures], labels: Sequence[int], layout: Layout, *,
          c: float = DEFAULT_C) -> Classifier:
    y = np.asarray(labels, dtype=np.float64)
    if len(set(labels)) < 2:
        raise ValueError("need judgements of both kinds to learn anything")
    weights, bias = _fit(_Matrix(feats, layout), y, c=c)
    return Classifier(layout, weights, bias)


def cross_validate(feats: Sequence[BillFeatures], labels: Sequence[int], layout: Layout, *,
                   folds: int = 5, c: float = DEFAULT_C) -> dict[str, float]:
    """Accuracy, precision and recall of the classifier on judgements it did not learn from."""
    n = len(labels)
    y = np.asarray(labels)
    folds = min(folds, int(min(y.sum(), n - y.sum())))
    if folds < 2:
        return {}
    order = np.argsort([_stable_hash(i) for i in range(n)])
    pred = np.zeros(n)
    for k in range(folds):
        test = order[k::folds]
        train_idx = np.setdiff1d(order, test)
        if len(set(y[train_idx].tolist())) < 2:
            continue
        model = train([feats[i] for i in train_idx], [int(y[i]) for i in train_idx], layout, c=c)
        pred[test] = model.predict([feats[i] for i in test])
    guess = pred >= 0.5
    tp = int(np.sum(guess & (y == 1)))
    fp = int(np.sum(guess & (y == 0)))
    fn = int(np.sum(~guess & (y == 1)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"folds": folds, "accuracy": round(float(np.mean(guess == (y == 1))), 4),
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _stable_hash(i: int) -> int:
    return zlib.crc32(str(i).encode())


def judgements_hash(pairs: Sequence[tuple[int, int]], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for bill_id, label in sorted(pairs):
        digest.update(f"{bill_id}:{label};".encode())
    return digest.hexdigest()
