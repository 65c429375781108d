"""The grouped train/test split of bench/relevance.py: companion bills never straddle the halves.

The bills below are written by hand in the shape ``split_halves`` takes (key, identifier, titles, identical-bill
identifiers); the real archive's figures are in docs/benchmarks.md.
"""

import hashlib

from bench.relevance import companion_groups, split_halves


def _plain(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 2 == 0


def _keys_in_both_halves(prefix: str) -> tuple[str, str]:
    """Two bill keys the plain hash puts in different halves (found, not assumed)."""
    keys = [f"{prefix}-{i}" for i in range(400)]
    train = next(k for k in keys if _plain(k))
    test = next(k for k in keys if not _plain(k))
    return train, test


def test_identical_bills_and_shared_titles_land_in_one_half() -> None:
    a, b = _keys_in_both_halves("117-hr")
    c, d = _keys_in_both_halves("117-s")
    bills = [
        # A House bill and its Senate companion, linked by relatedBills "Identical bill" (one way is enough).
        (a, "HR 1", ("A bill to secure federal networks.", None), ["S 1"]),
        (b, "S 1", ("A bill to secure federal networks, and for other purposes.", None), []),
        # Two bills sharing a short title (case and punctuation aside) but not an official title.
        (c, "HR 2", ("To amend the Communications Act.", "Broadband For All Act"), []),
        (d, "HR 3", ("To expand rural broadband.", "broadband for all act."), []),
        ("117-hr-9999", "HR 9999", ("Naming a post office.", None), []),
    ]
    halves, groups = split_halves(bills, grouped=True)
    assert groups == 2
    assert halves[0] == halves[1] == _plain(min(a, b))
    assert halves[2] == halves[3] == _plain(min(c, d))
    assert halves[4] == _plain("117-hr-9999")  # a bill with no companion keeps its plain half
    plain, none = split_halves(bills, grouped=False)
    assert none == 0 and plain[0] != plain[1]  # the leak the grouping closes


def test_groups_are_transitive() -> None:
    bills = [
        ("k1", "HR 1", ("Title one.", None), ["S 5"]),
        ("k2", "S 5", ("Title two.", None), []),
        ("k3", "HR 7", ("Title two.", None), []),
        ("k4", "HR 8", ("Title four.", None), []),
    ]
    roots = companion_groups(bills)
    assert roots[0] == roots[1] == roots[2] != roots[3]
