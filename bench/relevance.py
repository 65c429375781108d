"""Flagging quality on the whole 117th Congress: keywords, semantic, combined, and learning from triage.

    python bench/relevance.py [--archive PATH] [--no-semantic] [--tune] [--seeds 3]

Labels: a bill is "tech" when its CRS legislative subjects include any of the subjects in ``TECH`` (issue 4);
bills with no CRS subjects are unlabelled and left out. The matcher never sees subjects or policy area: it reads
what ``tracker.matching.store.make_doc`` gives it (titles, short and popular title, CRS summary), exactly as
flagging does after an import. A bill counts as flagged when any default topic (tracker/topics.yaml) flags it.

Split: bills are assigned to a train or test half by a hash of their GovInfo key, except that companion bills
(linked as "Identical bill", or sharing an official or short title: House and Senate versions, reintroductions)
are kept in one half, so the test half never holds a near copy of a training bill (``--split hash`` gives the
plain hash split the first figures were measured on). The default rules and the combination weights were
written and tuned looking at the train half only; every figure below is on the test half unless it says
otherwise. Learning is simulated on the train half and measured on the test half:

  triage   staff judge N of the bills the default flags (confirming or dismissing them), and on top N/5 bills
           they found missing (flagged by nothing but relevant) plus N/5 unflagged bills they looked at
  random   staff judge N bills drawn at random

For each N the organisation-wide classifier is trained exactly as ``tracker topics learn`` does (and takes part
only when its cross-validated F1 beats the rules on the same judgements); results are averaged over seeds.
Embeddings (semantic extra) are cached under var/cache/ so a second run takes a minute, not ten.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tracker.matching import learning, semantic  # noqa: E402
from tracker.matching.ceremonial import ceremonial_form  # noqa: E402
from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicResult, TopicSpec  # noqa: E402
from tracker.matching.store import Params, configured_field_weights, decide, features, make_doc  # noqa: E402
from tracker.matching.topics import read_topics_file  # noqa: E402
from tracker.records import BillRecord  # noqa: E402

TECH = {
    "Internet, web applications, social media", "Internet and video services", "Computers and information technology",
    "Computer security and identity theft", "Telephone and wireless communication",
    "Federal Communications Commission (FCC)", "Telecommunication rates and fees",
    "Advanced technology and technological innovations", "Broadcasting, cable, digital technologies",
    "Technology assessment", "Educational technology and distance education",
    "Technology transfer and commercialization",
}
SIZES = (25, 50, 100, 200, 400, 800)


@dataclass
class Bill:
    key: str
    doc: BillDoc
    label: bool
    train: bool


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def iter_billstatus(archive: Path) -> Iterator[BillRecord]:
    """Every BILLSTATUS file of the archive that parses, read as a stream (never unpacked)."""
    from tracker.records import ParseError
    from tracker.sources.govinfo_billstatus import parse_billstatus

    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            fh = tar.extractfile(member) if member.isfile() and member.name.endswith(".xml") else None
            if fh is None:
                continue
            try:
                yield parse_billstatus(fh.read(), member.name)
            except ParseError:
                continue


def identical_bills(rec: BillRecord) -> list[str]:
    """Identifiers of the bills GovInfo links as "Identical bill" in the same Congress (companion bills)."""
    return [r.identifier for r in rec.related_bills
            if r.relationship == "Identical bill" and r.session_identifier == rec.session.identifier]


def load(archive: Path, split: str = "grouped") -> tuple[list[Bill], int, float, int]:
    """Labelled bills with their half, how many bills were parsed, the seconds it took, and how many groups of
    companion bills were kept together (0 with the plain hash split)."""
    records = []  # (key, identifier, titles, identical bills, doc, label or None) for every parsed bill
    start = time.perf_counter()
    for rec in iter_billstatus(archive):
        # Unlabelled bills (no CRS subjects) are left out of the score but still join companions together.
        label = bool(TECH & set(rec.subjects)) if rec.subjects else None
        records.append((rec.source_key, rec.identifier, (rec.title, rec.short_title), identical_bills(rec),
                        (rec.title, rec.short_title, rec.popular_title, rec.summary_text, rec.classification), label))
    halves, groups = split_halves([(k, i, t, r) for k, i, t, r, _, _ in records], grouped=split == "grouped")
    bills: list[Bill] = []
    for (key, _, _, _, fields, label), train in zip(records, halves, strict=True):
        if label is not None:
            *parts, classification = fields
            bills.append(Bill(key, make_doc(len(bills), *parts, classification=classification), label, train))
    return bills, len(records), time.perf_counter() - start, groups


def _norm_title(title: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (title or "").lower()))


def companion_groups(bills: list[tuple[str, str, tuple[str | None, ...], list[str]]]) -> list[int]:
    """For each (key, identifier, titles, identical-bill identifiers), the index of the first bill of its group:
    bills linked as "Identical bill" or sharing an official or short title, joined transitively (union-find)."""
    parent = list(range(len(bills)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_identifier = {ident: i for i, (_, ident, _, _) in enumerate(bills)}
    by_title: dict[str, int] = {}
    for i, (_, _, titles, identical) in enumerate(bills):
        links = [by_title.setdefault(norm, i) for title in titles if (norm := _norm_title(title))]
        links += [j for ident in identical if (j := by_identifier.get(ident)) is not None]
        for j in links:
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(bills))]


def split_halves(bills: list[tuple[str, str, tuple[str | None, ...], list[str]]], *, grouped: bool
                 ) -> tuple[list[bool], int]:
    """Train (True) or test for each (key, identifier, titles, identical-bill identifiers), and the number of
    multi-bill groups kept together.

    Plain split: a hash of the bill's key. Grouped split: companion bills would otherwise leak the answer from
    one half into the other (the House and Senate versions of one bill carry the same words and the same
    subjects), so each group of ``companion_groups`` goes where the hash of its smallest key sends it; a bill
    with no companion lands exactly where the plain split puts it."""
    def half(key: str) -> bool:
        return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0

    if not grouped:
        return [half(key) for key, *_ in bills], 0
    roots = companion_groups(bills)
    smallest: dict[int, str] = {}
    sizes: dict[int, int] = {}
    for (key, *_), root in zip(bills, roots, strict=True):
        smallest[root] = min(smallest.get(root, key), key)
        sizes[root] = sizes.get(root, 0) + 1
    return [half(smallest[root]) for root in roots], sum(1 for n in sizes.values() if n > 1)


def prf(pred: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = int(np.sum(pred & gold))
    fp = int(np.sum(pred & ~gold))
    fn = int(np.sum(~pred & gold))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def row(name: str, pred: np.ndarray, gold: np.ndarray, note: str = "") -> str:
    p, r, f = prf(pred, gold)
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {int(pred.sum())} | {note} |"


def embed_all(bills: list[Bill], cache_dir: Path) -> np.ndarray:
    texts = [semantic.bill_text(b.doc.fields.get("title", []), (b.doc.fields.get("summary") or [None])[0])
             for b in bills]
    digest = hashlib.sha256("\n\x00".join(semantic.text_hash(t) for t in texts).encode()).hexdigest()[:16]
    cache = cache_dir / f"relevance-embeddings-{digest}.npy"
    if cache.exists():
        return np.load(cache)
    start = time.perf_counter()
    embedder = semantic.get_embedder()
    vectors = np.vstack(list(embedder.encode_chunks(texts)))
    print(f"embedded {len(texts)} bills in {time.perf_counter() - start:.0f} s "
          f"({len(texts) / (time.perf_counter() - start):.0f} bills/s)", file=sys.stderr)
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors.astype(np.float16))
    return vectors


def flagged(specs: list[TopicSpec], keyword: list[dict[int, TopicResult]], sims: np.ndarray | None,
            learned: np.ndarray | None, params: Params) -> np.ndarray:
    out = np.zeros(len(keyword), dtype=bool)
    for i, kw in enumerate(keyword):
        lp = {s.id: float(learned[i]) for s in specs} if learned is not None else {}
        sim_row = None if sims is None else [float(v) for v in sims[i]]
        org = float(learned[i]) if learned is not None else None
        out[i] = any(d.flagged for d in decide(specs, kw, sim_row, lp, params, org))
    return out


def simulate(kind: str, n: int, rng: np.random.Generator, train_idx: np.ndarray, gold: np.ndarray,
             kw_flag: np.ndarray) -> np.ndarray:
    if kind == "random":
        return rng.choice(train_idx, min(n, len(train_idx)), replace=False)
    flagged_idx = train_idx[kw_flag[train_idx]]
    missed = train_idx[~kw_flag[train_idx] & gold[train_idx]]
    unflagged = train_idx[~kw_flag[train_idx]]
    parts = [rng.choice(flagged_idx, min(n, len(flagged_idx)), replace=False),
             rng.choice(missed, min(len(missed), max(1, n // 5)), replace=False),
             rng.choice(unflagged, min(len(unflagged), max(1, n // 5)), replace=False)]
    return np.unique(np.concatenate(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", type=Path,
                        default=realdata() / "billstatus" / "congress117" / "c117_all.tar.gz")
    parser.add_argument("--no-semantic", action="store_true", help="Keywords and learning without embeddings.")
    parser.add_argument("--tune", action="store_true", help="Grid-search the combination weights on train.")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "cache")
    parser.add_argument("--split", choices=("grouped", "hash"), default="grouped",
                        help="grouped (default): companion bills kept in one half; hash: the plain key hash.")
    args = parser.parse_args()
    if not args.archive.exists():
        sys.exit(f"{args.archive}: not found (set TRACKER_REALDATA or --archive)")

    bills, total, parse_s, groups = load(args.archive, args.split)
    gold = np.array([b.label for b in bills])
    is_train = np.array([b.train for b in bills])
    test = ~is_train
    defs = read_topics_file()
    specs = [TopicSpec(i + 1, d.slug, d.name, d.threshold, 1,
                       tuple(RuleSpec(r.expression, r.weight, r.exclude) for r in d.rules if r.enabled), d.description)
             for i, d in enumerate(defs) if d.enabled]
    rule_set = RuleSet(specs, configured_field_weights())
    start = time.perf_counter()
    keyword = [{r.topic_id: r for r in rule_set.evaluate(b.doc)} for b in bills]
    kw_s = time.perf_counter() - start
    params = Params()

    print(f"\n117th Congress: {total} bills parsed in {parse_s:.0f} s; {len(bills)} have CRS subjects "
          f"({int(gold.sum())} tech); train {int(is_train.sum())} / test {int(test.sum())} "
          f"({int(gold[test].sum())} tech); {args.split} split"
          + (f", {groups} groups of companion bills kept in one half" if args.split == "grouped" else "")
          + f". Keyword pass over {len(bills)} bills: {kw_s:.2f} s.\n")

    use_semantic = not args.no_semantic and semantic.installed() and semantic.setting() != "off"
    sims = vectors = None
    if use_semantic:
        vectors = embed_all(bills, args.cache).astype(np.float32)
        topic_matrix = semantic.get_embedder().encode([semantic.topic_text(s.name, s.description) for s in specs])
        sims = vectors @ topic_matrix.T
    elif not args.no_semantic:
        print(f"(semantic relevance skipped: {semantic.why_unavailable()})\n")

    kw_pred = flagged(specs, keyword, None, None, params)
    print("| signal (test half unless noted) | precision | recall | F1 | flagged | note |")
    print("|---|---:|---:|---:|---:|---|")
    print(row("keywords alone (all labelled bills)", kw_pred, gold, "default rules"))
    print(row("keywords alone", kw_pred[test], gold[test], "default rules"))
    # Flagged, but listed after the substantive bills in the inbox (tracker.matching.ceremonial): how many, and how
    # many of those CRS labels tech (what unflagging them instead would cost in recall).
    ceremonial = np.array([ceremonial_form(b.doc.fields.get("title", []), b.doc.classification) is not None
                           for b in bills])
    print(f"| flagged ceremonial resolutions (test half), listed last in the inbox | "
          f"{int((kw_pred & ceremonial)[test].sum())} flagged, {int((kw_pred & ceremonial & gold)[test].sum())} "
          "labelled tech | | | | |")
    if sims is not None:
        best_max = sims.max(axis=1)
        grid = np.arange(0.2, 0.6, 0.0125)
        tau = max(grid, key=lambda t: prf(best_max[is_train] >= t, gold[is_train])[2])
        print(row("semantic alone", best_max[test] >= tau, gold[test],
                  f"max similarity to a topic description >= {tau:.3f} (chosen on train)"))
        comb = flagged(specs, keyword, sims, None, params)
        print(row("combined default (keywords + semantic)", comb[test], gold[test],
                  f"Wk={params.keyword_weight:g} Ws={params.semantic_weight:g} S0={params.semantic_center:g}"))

    if args.tune and sims is not None:
        print("\nGrid on the train half (keywords + semantic):\n\n| Wk | Ws | S0 | train F1 |\n|---:|---:|---:|---:|")
        results = []
        for wk in (1.0, 2.0, 3.0):
            for ws in (0.0, 1.0, 2.0, 4.0):
                for s0 in (0.1, 0.2, 0.3):
                    p = Params(keyword_weight=wk, semantic_weight=ws, semantic_center=s0)
                    idx = np.where(is_train)[0]
                    pred = flagged(specs, [keyword[i] for i in idx], sims[idx], None, p)
                    results.append((prf(pred, gold[idx])[2], wk, ws, s0))
        for f, wk, ws, s0 in sorted(results, reverse=True)[:8]:
            print(f"| {wk:g} | {ws:g} | {s0:g} | {f:.3f} |")

    # -- learning from triage ------------------------------------------------------------------------------
    print("\nLearning curve: the organisation-wide classifier trained on N simulated judgements (train half),")
    print("combined with keywords" + (" and semantic" if sims is not None else "") + ", measured on the test half "
          f"(mean of {args.seeds} seeds; 'in use' = runs where the model beat the rules in cross-validation).\n")
    feats = [features(b.doc, keyword[i], None if sims is None else sims[i], None if vectors is None else vectors[i],
                      specs) for i, b in enumerate(bills)]
    layout = learning.Layout([s.slug for s in specs], semantic.DIM if vectors is not None else 0)
    train_idx = np.where(is_train)[0]
    test_idx = np.where(test)[0]
    base_pred = flagged(specs, [keyword[i] for i in test_idx], None if sims is None else sims[test_idx], None,
                        params)
    base = prf(base_pred, gold[test_idx])
    print("| simulation | judgements | relevant | precision | recall | F1 | change vs no learning | in use |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| none | 0 | 0 | {base[0]:.3f} | {base[1]:.3f} | {base[2]:.3f} | | |")
    for kind in ("triage", "random"):
        sizes = [*SIZES, len(train_idx)] if kind == "random" else [*SIZES, int(kw_pred[train_idx].sum())]
        for n in sizes:
            stats = []
            for seed in range(args.seeds if n < len(train_idx) else 1):
                rng = np.random.default_rng(seed)
                idx = simulate(kind, n, rng, train_idx, gold, kw_pred)
                y = [int(gold[i]) for i in idx]
                if len(set(y)) < 2 or min(sum(y), len(y) - sum(y)) < learning.MIN_ORG:
                    stats.append((*base, len(idx), sum(y), 0))
                    continue
                f_train = [feats[i] for i in idx]
                cv = learning.cross_validate(f_train, y, layout)
                kw_f1 = prf(kw_pred[idx], gold[idx])[2]
                active = cv.get("f1", 0.0) > kw_f1
                if active:
                    model = learning.train(f_train, y, layout)
                    p = model.predict([feats[i] for i in test_idx])
                    pred = flagged(specs, [keyword[i] for i in test_idx],
                                   None if sims is None else sims[test_idx], p, params)
                    stats.append((*prf(pred, gold[test_idx]), len(idx), sum(y), 1))
                else:
                    stats.append((*base, len(idx), sum(y), 0))
            m = np.mean(np.array(stats, dtype=float), axis=0)
            print(f"| {kind} | {m[3]:.0f} | {m[4]:.0f} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | "
                  f"{m[2] - base[2]:+.3f} | {int(round(m[5] * len(stats)))}/{len(stats)} |")

    print("\nPer topic (test half): bills flagged and the share of them labelled tech.\n")
    print("| topic | flagged | labelled tech |\n|---|---:|---:|")
    for spec in specs:
        hits = np.array([any(d.flagged and d.spec.id == spec.id
                             for d in decide(specs, keyword[i], None, {}, params)) for i in test_idx])
        share = gold[test_idx][hits].mean() if hits.any() else 0.0
        print(f"| {spec.slug} | {int(hits.sum())} | {share:.2f} |")


if __name__ == "__main__":
    main()
