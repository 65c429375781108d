"""Does a change to the matching engine change any result? The full output of every bill, saved and compared.

    python bench/matcher_same.py --save var/matcher_outputs.json.gz [--bills 3000]     # before the change
    python bench/matcher_same.py --compare var/matcher_outputs.json.gz                 # after it

A speed-up of the engine must leave every bill's topics, scores, matched terms, evidence snippets and vetoes as
they were. Bills (real data, read in place):
  texts      the GovInfo bill texts of ``govinfo_text`` (markup stripped, as bench/matcher.py scores them) as
             each bill's text field
  c117       the first ``--bills`` bills of the 117th Congress archive as flagging reads them (titles, CRS
             summary: ``make_doc``), every third one also given one of the texts above, so rules that hold
             across fields and NEAR spans in a long text meet titles and summaries
Rule sets: the shipped topics (tracker/topics.yaml), the 1,000 generated phrases of bench/matcher.py, and its
stress set (the 1,000 most frequent words) on the first 12 texts, where evidence is cut at every rule.

Exit status 1 when any output differs; the first differences are printed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from dataclasses import asdict
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matcher import default_specs, frequent_specs, generated_specs, load_texts, realdata  # noqa: E402
from bench.relevance import iter_billstatus  # noqa: E402
from tracker.matching.engine import BillDoc, RuleSet  # noqa: E402
from tracker.matching.store import make_doc  # noqa: E402


def bill_sets(n_bills: int) -> dict[str, list[BillDoc]]:
    texts = load_texts(realdata() / "govinfo_text")
    archive = realdata() / "billstatus" / "congress117" / "c117_all.tar.gz"
    c117 = []
    for i, rec in enumerate(islice(iter_billstatus(archive), n_bills)):
        text = texts[i % len(texts)] if i % 3 == 0 else None
        c117.append(make_doc(i, rec.title, rec.short_title, rec.popular_title, rec.summary_text, text))
    return {"texts": [BillDoc(i, {"text": [t]}) for i, t in enumerate(texts)], "c117": c117}


def outputs(n_bills: int) -> tuple[dict[str, list[list[dict]]], dict[str, float]]:
    """Per rule set and bill set, every bill's results in full; and the seconds each scoring took."""
    sets = bill_sets(n_bills)
    texts = [d.fields["text"][0] for d in sets["texts"]]
    runs = [("default", default_specs(), ("texts", "c117")),
            ("1,000 phrases", generated_specs(texts, 1000)[0], ("texts", "c117")),
            ("stress", frequent_specs(texts, 1000), ("texts[:12]",))]
    out: dict[str, list[list[dict]]] = {}
    seconds: dict[str, float] = {}
    for name, specs, which in runs:
        rule_set = RuleSet(specs)
        for bills_name in which:
            bills = sets["texts"][:12] if bills_name == "texts[:12]" else sets[bills_name]
            start = time.process_time()
            results = [rule_set.evaluate(doc) for doc in bills]
            seconds[f"{name} / {bills_name}"] = time.process_time() - start
            out[f"{name} / {bills_name}"] = [[asdict(r) for r in rs] for rs in results]
    return out, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="write the outputs here")
    group.add_argument("--compare", type=Path, help="compare the outputs with those saved here")
    parser.add_argument("--bills", type=int, default=3000, help="bills of the 117th Congress (default 3000)")
    args = parser.parse_args()
    if args.compare:
        saved = json.loads(gzip.decompress(args.compare.read_bytes()))
        n_bills = saved["bills"]
    else:
        n_bills = args.bills
    now, seconds = outputs(n_bills)
    print("| rules / bills | bills | topic results | CPU seconds |\n|---|---:|---:|---:|")
    for key, results in now.items():
        print(f"| {key} | {len(results)} | {sum(len(r) for r in results)} | {seconds[key]:.2f} |")
    if args.save:
        args.save.parent.mkdir(parents=True, exist_ok=True)
        args.save.write_bytes(gzip.compress(json.dumps({"bills": n_bills, "outputs": now}).encode()))
        print(f"\nsaved to {args.save}")
        return
    # JSON turns tuples into lists: compare both sides as JSON reads them back.
    now = json.loads(json.dumps(now))
    differing = 0
    for key, results in now.items():
        before = saved["outputs"].get(key)
        if before is None or len(before) != len(results):
            print(f"{key}: {len(results)} bills now, {len(before or [])} saved")
            differing += 1
            continue
        for i, (a, b) in enumerate(zip(before, results, strict=True)):
            if a != b:
                differing += 1
                if differing <= 5:
                    print(f"\n{key}, bill {i} differs:\n  saved: {json.dumps(a)[:1500]}\n"
                          f"  now:   {json.dumps(b)[:1500]}")
    total = sum(len(r) for r in now.values())
    print(f"\n{differing} of {total} bill outputs differ from {args.compare}")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
