"""Could a relevance model shipped with the package lift the default flagging to F1 0.80? (issue 4, point 5)

    python bench/relevance_model.py [--archive PATH] [--no-semantic] [--days 30]

A candidate for a shipped model is trained on the TRAIN half of the grouped split of ``bench/relevance.py``
(companion bills kept in one half) with every train-half label, its flagging threshold chosen on the train half
by out-of-fold predictions (5 folds, companion groups never split across folds), and measured once on the test
half. Nothing here is tuned on the test half; the candidates and the regularisation are fixed below.

Fields a candidate reads, all known at or near introduction (never CRS subjects or policy area):
- words: unigrams and bigrams of the official, short and popular titles and the CRS summary, hashed as
  ``tracker.matching.learning.word_features`` does;
- committees: the codes of the committees (and subcommittees) a bill was referred to within ``--days`` days of
  its introduction (House and Senate refer a bill the day it is introduced; later referrals are left out);
- keyword: each default topic's rule score / threshold (``tracker/topics.yaml``);
- embedding (semantic extra): the all-MiniLM-L6-v2 vector of titles and summary and its similarity to each
  topic description, from the cache ``bench/relevance.py`` writes.

The classifier is the project's own class-balanced L2 logistic regression (``tracker.matching.learning``, NumPy
only), the one that learns from triage.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from relevance import (  # noqa: E402
    TECH,
    companion_groups,
    embed_all,
    identical_bills,
    iter_billstatus,
    prf,
    realdata,
    split_halves,
)

from tracker.matching import learning, semantic  # noqa: E402
from tracker.matching.engine import RuleSet, RuleSpec, TopicSpec  # noqa: E402
from tracker.matching.store import configured_field_weights, make_doc  # noqa: E402
from tracker.matching.topics import read_topics_file  # noqa: E402

FOLDS = 5
THRESHOLDS = np.round(np.arange(0.20, 0.91, 0.01), 2)


def load(archive: Path, days: int) -> tuple[list[dict], np.ndarray]:
    """Labelled bills (fields the model may read, label) and their half on the grouped split."""
    records = []
    for rec in iter_billstatus(archive):
        intro = rec.introduced_date
        committees = sorted({c.code.lower() for c in rec.committees if c.code and (
            intro is None or c.referred_date is None or (c.referred_date - intro).days <= days)})
        records.append({"key": rec.source_key, "identifier": rec.identifier, "identical": identical_bills(rec),
                        "fields": (rec.title, rec.short_title, rec.popular_title, rec.summary_text),
                        "committees": committees,
                        "label": bool(TECH & set(rec.subjects)) if rec.subjects else None})
    keys = [(r["key"], r["identifier"], r["fields"][:2], r["identical"]) for r in records]
    halves, _ = split_halves(keys, grouped=True)
    bills, train = [], []
    for r, half, root in zip(records, halves, companion_groups(keys), strict=True):
        if r["label"] is not None:
            r["group"] = zlib.crc32(keys[root][0].encode())  # folds inside the train half follow the groups too
            bills.append(r)
            train.append(half)
    return bills, np.array(train)


def committee_features(codes: list[str]) -> dict[int, float]:
    return {zlib.crc32(f"committee:{c}".encode()) & (learning.WORD_DIM - 1): 1.0 for c in codes}


def feature_sets(bills: list[dict], vectors: np.ndarray | None) -> tuple[dict[str, list[learning.BillFeatures]],
                                                                          list[str]]:
    defs = read_topics_file()
    specs = [TopicSpec(i + 1, d.slug, d.name, d.threshold, 1,
                       tuple(RuleSpec(r.expression, r.weight, r.exclude) for r in d.rules if r.enabled),
                       d.description) for i, d in enumerate(defs) if d.enabled]
    rule_set = RuleSet(specs, configured_field_weights())
    sims = None
    if vectors is not None:
        topic_matrix = semantic.get_embedder().encode([semantic.topic_text(s.name, s.description) for s in specs])
        sims = vectors @ topic_matrix.T
    out: dict[str, list[learning.BillFeatures]] = {k: [] for k in ("words", "words+committees",
                                                                   "words+committees+keyword")}
    if vectors is not None:
        out["words+committees+keyword+embedding"] = []
    for i, b in enumerate(bills):
        d = make_doc(i, *b["fields"])
        words = learning.word_features(" ".join(d.fields["title"] + d.fields["summary"]))
        with_committees = dict(words)
        for k, v in committee_features(b["committees"]).items():
            with_committees[k] = with_committees.get(k, 0.0) + v
        kw = {specs[r.topic_id - 1].slug: r.keyword_score / specs[r.topic_id - 1].threshold
              for r in rule_set.evaluate(d) if not r.vetoed_by}
        out["words"].append(learning.BillFeatures(words))
        out["words+committees"].append(learning.BillFeatures(with_committees))
        out["words+committees+keyword"].append(learning.BillFeatures(with_committees, kw))
        if vectors is not None and sims is not None:
            out["words+committees+keyword+embedding"].append(learning.BillFeatures(
                with_committees, kw, {s.slug: float(sims[i, j]) for j, s in enumerate(specs)}, vectors[i]))
    return out, [s.slug for s in specs]


def evaluate(feats: list[learning.BillFeatures], layout: learning.Layout, gold: np.ndarray, train: np.ndarray,
             groups: np.ndarray) -> tuple[float, tuple[float, float, float], tuple[float, float, float]]:
    """Threshold chosen on out-of-fold train predictions; (threshold, train out-of-fold P/R/F1, test P/R/F1)."""
    tr = np.where(train)[0]
    te = np.where(~train)[0]
    fold = groups[tr] % FOLDS
    oof = np.zeros(len(tr))
    for k in range(FOLDS):
        fit_idx, held = tr[fold != k], np.where(fold == k)[0]
        model = learning.train([feats[i] for i in fit_idx], [int(gold[i]) for i in fit_idx], layout)
        oof[held] = model.predict([feats[tr[j]] for j in held])
    threshold = max(THRESHOLDS, key=lambda t: prf(oof >= t, gold[tr])[2])
    model = learning.train([feats[i] for i in tr], [int(gold[i]) for i in tr], layout)
    p = model.predict([feats[i] for i in te])
    return float(threshold), prf(oof >= threshold, gold[tr]), prf(p >= threshold, gold[te])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path,
                        default=realdata() / "billstatus" / "congress117" / "c117_all.tar.gz")
    parser.add_argument("--no-semantic", action="store_true")
    parser.add_argument("--days", type=int, default=30, help="Committee referrals up to this many days in.")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    args = parser.parse_args()
    if not args.archive.exists():
        sys.exit(f"{args.archive}: not found (set TRACKER_REALDATA or --archive)")
    cpu = time.process_time()
    bills, train = load(args.archive, args.days)
    gold = np.array([b["label"] for b in bills])
    groups = np.array([b["group"] for b in bills])
    vectors = None
    if not args.no_semantic and semantic.installed() and semantic.setting() != "off":
        from relevance import Bill

        docs = [Bill(b["key"], make_doc(i, *b["fields"]), b["label"], t) for i, (b, t) in enumerate(
            zip(bills, train, strict=True))]
        vectors = embed_all(docs, args.cache).astype(np.float32)
    sets, topics = feature_sets(bills, vectors)
    print(f"\nGrouped split: train {int(train.sum())} bills ({int(gold[train].sum())} tech), test "
          f"{int((~train).sum())} ({int(gold[~train].sum())} tech); committee referrals within {args.days} days.\n")
    print("| candidate shipped model | threshold (train) | train out-of-fold F1 | test precision | test recall "
          "| test F1 |\n|---|---:|---:|---:|---:|---:|")
    for name, feats in sets.items():
        layout = learning.Layout(topics if "keyword" in name else [],
                                 semantic.DIM if "embedding" in name else 0)
        threshold, oof, (p, r, f) = evaluate(feats, layout, gold, train, groups)
        print(f"| {name} | {threshold:.2f} | {oof[2]:.3f} | {p:.3f} | {r:.3f} | {f:.3f} |", flush=True)
    print(f"\nCPU time {time.process_time() - cpu:.0f} s.")


if __name__ == "__main__":
    main()
