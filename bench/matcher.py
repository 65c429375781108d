"""Throughput of the keyword pass over bill text, and how it scales with text and with the number of phrases.

    python bench/matcher.py [--mb 200] [--repeat 2]

Text: the real bill texts in ``govinfo_text`` (USLM XML and XHTML renditions; markup stripped before timing,
as a text extractor would store them), replicated until the corpus holds at least ``--mb`` MB of UTF-8. Each
document is scored as a bill's ``text`` field, one bill per document, on one core (this process, one thread).

Rule sets:
  default topics        the shipped tracker/topics.yaml (12 topics)
  1,000 phrases         1,000 rules generated from the corpus: 2- and 3-word phrases that occur in it, single
                        words and prefixes (see generated_specs)
  10,000 phrases        the same generator, ten times as many
  stress                the 1,000 most frequent words: about every other word is a hit, so the time per
                        match shows (matches are handled in Python; the automaton pass is not)

Two timings per set: ``scan`` is normalization plus the Aho-Corasick pass that finds every atom; ``score``
is the whole engine (scan, rule evaluation, scores, evidence snippets), what flagging runs per bill.
Target (issue 4): at least 100 MB/s on one core, the cost growing with the text, not with the phrases. A
regular-expression alternation over the same phrases is timed on a slice for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lxml import etree, html  # noqa: E402

from tracker.matching.automaton import normalize  # noqa: E402
from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicSpec  # noqa: E402
from tracker.matching.topics import read_topics_file  # noqa: E402


def realdata() -> Path:
    return Path(os.environ.get("TRACKER_REALDATA") or ROOT.parent / "shared" / "realdata")


def load_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in (".xml", ".html", ".htm"):
            continue
        data = path.read_bytes()
        if path.suffix.lower() in (".html", ".htm"):
            root = html.fromstring(data)
        else:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        text = " ".join(" ".join(root.itertext()).split())
        if text:
            texts.append(text)
    return texts


def default_specs() -> list[TopicSpec]:
    defs = read_topics_file()
    return [TopicSpec(i + 1, d.slug, d.name, d.threshold, 1, tuple(RuleSpec(r.expression, r.weight, r.exclude)
                                                                  for r in d.rules), d.description)
            for i, d in enumerate(defs)]


def _specs(phrases: list[str]) -> list[TopicSpec]:
    per_topic = max(1, len(phrases) // 10)
    return [TopicSpec(t + 1, f"generated-{t}", f"generated {t}", 3.0, 1,
                      tuple(RuleSpec(p) for p in phrases[t * per_topic:(t + 1) * per_topic])) for t in range(10)]


def generated_specs(texts: list[str], n: int, seed: int = 7) -> tuple[list[TopicSpec], list[str]]:
    """``n`` rules drawn from the corpus, spread over 10 topics, shaped like a policy team's: 2- and 3-word
    phrases that occur in the bills (55 % and 30 %), single words (10 %) and prefixes (5 %), drawn from distinct
    phrases and words so a common word is no likelier than a rare one, and leaving out the 300 most frequent
    words (nobody watches for "shall")."""
    rng = random.Random(seed)
    tokens = [t.lower() for t in re.findall(r"[A-Za-z]{3,}", " ".join(texts[:40])[:3_000_000])]
    frequent = {w for w, _ in Counter(tokens).most_common(300)}
    vocabulary = sorted({t for t in tokens if len(t) >= 5 and t not in frequent})
    bigrams = sorted({f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)})
    trigrams = sorted({f"{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)})
    phrases: list[str] = []
    seen: set[str] = set()
    while len(phrases) < n:
        kind = rng.random()
        if kind < 0.55:
            phrase = f'"{rng.choice(bigrams)}"'
        elif kind < 0.85:
            phrase = f'"{rng.choice(trigrams)}"'
        elif kind < 0.95:
            phrase = rng.choice(vocabulary)
        else:
            phrase = rng.choice(vocabulary)[:6] + "*"
        if phrase not in seen:
            seen.add(phrase)
            phrases.append(phrase)
    return _specs(phrases), phrases


def frequent_specs(texts: list[str], n: int) -> list[TopicSpec]:
    """The ``n`` most frequent words as rules: the worst case, where about every other word is a hit."""
    tokens = [t.lower() for t in re.findall(r"[A-Za-z]{3,}", " ".join(texts[:40])[:3_000_000])]
    words = [w for w, _ in Counter(tokens).most_common(n + 3) if w not in {"and", "not"}][:n]
    return _specs(words)


def corpus(texts: list[str], mb: float) -> tuple[list[str], int]:
    docs: list[str] = []
    size = 0
    while size < mb * 1_000_000:
        for t in texts:
            docs.append(t)
            size += len(t.encode())
            if size >= mb * 1_000_000:
                break
    return docs, size


def timed(fn, docs: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(docs)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--folder", type=Path, default=realdata() / "govinfo_text")
    args = parser.parse_args()
    if not args.folder.exists():
        sys.exit(f"{args.folder}: not found (set TRACKER_REALDATA or --folder)")
    texts = load_texts(args.folder)
    docs, size = corpus(texts, args.mb)
    mb = size / 1e6
    print(f"\n{len(texts)} bill texts ({sum(len(t.encode()) for t in texts) / 1e6:.1f} MB) replicated to "
          f"{len(docs)} documents, {mb:.0f} MB; CPU time of one process, best of {args.repeat}.\n")

    sets = [("default topics", default_specs())]
    gen1k, phrases1k = generated_specs(texts, 1000)
    gen10k, _ = generated_specs(texts, 10000)
    sets += [("1,000 phrases", gen1k), ("10,000 phrases", gen10k),
             ("stress: 1,000 most frequent words", frequent_specs(texts, 1000))]

    print("| rules | atoms | automaton keys | atom hits per MB | scan MB/s | score MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, specs in sets:
        rule_set = RuleSet(specs)

        def scan(ds: list[str], rs: RuleSet = rule_set) -> None:
            for d in ds:
                rs.matcher.scan(d)

        def score(ds: list[str], rs: RuleSet = rule_set) -> None:
            for i, d in enumerate(ds):
                rs.evaluate(BillDoc(i, {"text": [d]}))

        t_scan = timed(scan, docs, args.repeat)
        t_score = timed(score, docs, args.repeat)
        sample = docs[: max(1, len(docs) // 20)]
        atom_hits = sum(len(rule_set.matcher.scan(d)) for d in sample) / (sum(len(d.encode()) for d in sample) / 1e6)
        print(f"| {name} | {len(rule_set.atom_index)} | {rule_set.matcher.pattern_count} | {atom_hits:,.0f} | "
              f"{mb / t_scan:.0f} | {mb / t_score:.0f} |")

    print("\nScaling with text (default topics, score):\n\n| MB | seconds | MB/s |\n|---:|---:|---:|")
    rule_set = RuleSet(default_specs())
    for fraction in (0.25, 0.5, 1.0):
        part = docs[: max(1, int(len(docs) * fraction))]
        part_mb = sum(len(d.encode()) for d in part) / 1e6
        t = timed(lambda ds: [rule_set.evaluate(BillDoc(i, {"text": [d]})) for i, d in enumerate(ds)], part, 1)
        print(f"| {part_mb:.0f} | {t:.2f} | {part_mb / t:.0f} |")

    # For comparison: a regular-expression alternation of the same phrases over a 20 MB slice.
    slice_docs, slice_size = corpus(texts, 5)
    print("\nFor comparison, one compiled regular expression (alternation of the phrases, word-bounded) over "
          f"{slice_size / 1e6:.0f} MB:\n\n| phrases | MB/s |\n|---:|---:|")
    for n in (100, 1000):
        words = [re.escape(" ".join(re.findall(r"[A-Za-z]+", p))) for p in phrases1k[:n]]
        pattern = re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
        t = timed(lambda ds, pat=pattern: [pat.findall(d) for d in ds], slice_docs, 1)
        print(f"| {n} | {slice_size / 1e6 / t:.0f} |")
    norm_t = timed(lambda ds: [normalize(d) for d in ds], slice_docs, 1)
    print(f"\n(normalization alone runs at {slice_size / 1e6 / norm_t:.0f} MB/s on the same slice)")


if __name__ == "__main__":
    main()
