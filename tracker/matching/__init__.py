"""Topic flagging: keyword rules with evidence, semantic relevance and learning from triage.

- ``rules``: the rule language (phrases, prefixes, AND/OR/NOT, NEAR/n, fields), errors with positions;
- ``automaton``: every atom of every rule found in one Aho-Corasick pass over normalized text;
- ``engine``: per-field weighted scores, exclusions, evidence snippets;
- ``semantic``: the optional sentence-embedding signal (the ``semantic`` extra);
- ``learning`` / ``training``: classifiers learned from staff judgements;
- ``store``: reading bills and writing ``BillMatch`` rows set-based; ``flag_bills`` and ``rescore``;
- ``topics``: loading the default YAML and editing topics and rules; ``queries``: flagged-bill listings.
"""

from tracker.matching.store import FlagReport, flag_bills, rescore

__all__ = ["FlagReport", "flag_bills", "rescore"]
