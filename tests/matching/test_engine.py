"""Scores with per-field weights, thresholds, exclusions, NEAR and evidence snippets."""

from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicSpec, snippet
from tracker.matching.store import Params, combine, decide


def topic(rules: list[RuleSpec], threshold: float = 3.0, topic_id: int = 1, slug: str = "t") -> TopicSpec:
    return TopicSpec(topic_id, slug, slug.title(), threshold, 1, tuple(rules), "a topic")


def test_field_weights_rank_title_above_summary_above_text() -> None:
    rule_set = RuleSet([topic([RuleSpec("broadband")])])
    scores = {}
    for field in ("title", "summary", "text"):
        (result,) = rule_set.evaluate(BillDoc(1, {field: ["Rural broadband grants"]}))
        scores[field] = result.keyword_score
    assert scores == {"title": 3.0, "summary": 1.5, "text": 1.0}
    custom = RuleSet([topic([RuleSpec("broadband")])], {"summary": 2.5})
    assert custom.evaluate(BillDoc(1, {"summary": ["broadband"]}))[0].keyword_score == 2.5


def test_repetition_saturates_and_rules_add_up() -> None:
    rule_set = RuleSet([topic([RuleSpec("broadband", weight=2), RuleSpec("wireless")])])
    once = rule_set.evaluate(BillDoc(1, {"text": ["broadband"]}))[0].keyword_score
    many = rule_set.evaluate(BillDoc(1, {"text": ["broadband " * 40]}))[0].keyword_score
    assert once == 2.0 and 3.9 < many < 4.0  # never twice the single hit
    both = rule_set.evaluate(BillDoc(1, {"summary": ["broadband and wireless"]}))[0]
    assert both.keyword_score == 2 * 1.5 + 1.5 and both.rules_matched == 2


def test_a_long_text_counts_mentions_per_three_pages_and_titles_and_summaries_as_before() -> None:
    rule_set = RuleSet([topic([RuleSpec("broadband", weight=2)])])

    def score(field: str, text: str) -> float:
        return rule_set.evaluate(BillDoc(1, {field: [text]}))[0].keyword_score

    filler = "The Secretary shall report to Congress. " * 250  # 10,000 characters: about three pages
    assert score("text", "broadband " + filler[:9_000]) == 2.0  # a short text: as before
    long = "broadband " + (filler * 20)[10:]  # 200,000 characters, one mention
    assert score("text", long) == 2 * 0.05  # a passing mention: its share of the weight
    assert score("text", ("broadband " + filler[10:]) * 20) == 2.0  # once every three pages: the full weight
    assert score("text", ("broadband broadband " + filler[20:]) * 20) == 3.0  # twice as dense: repetition counts
    assert score("title", long) == 6.0 and score("summary", long) == 3.0  # titles and summaries as before
    # A rule that holds only across fields takes the weaker field: here a long text's share of one mention.
    both = RuleSet([topic([RuleSpec("privacy AND broadband")])])
    (result,) = both.evaluate(BillDoc(1, {"title": ["Privacy Act"], "text": [long]}))
    assert result.keyword_score == 0.05


def test_and_across_fields_takes_the_weaker_field() -> None:
    rule_set = RuleSet([topic([RuleSpec("privacy AND children")])])
    (result,) = rule_set.evaluate(BillDoc(1, {"title": ["Privacy Act"], "summary": ["protects children"]}))
    assert result.keyword_score == 1.5
    (inside,) = rule_set.evaluate(BillDoc(1, {"title": ["Children's Privacy Act"]}))
    assert inside.keyword_score == 3.0


def test_field_restriction_and_not() -> None:
    rule_set = RuleSet([topic([RuleSpec('title:drone*'), RuleSpec("privacy AND NOT health")])])
    assert rule_set.evaluate(BillDoc(1, {"summary": ["drones"]})) == []
    assert rule_set.evaluate(BillDoc(1, {"title": ["Drone Act"]}))[0].keyword_score == 3.0
    assert rule_set.evaluate(BillDoc(1, {"summary": ["health privacy"]})) == []
    assert rule_set.evaluate(BillDoc(1, {"summary": ["online privacy"]}))[0].keyword_score == 1.5


def test_not_looks_at_the_whole_bill_unless_inside_a_named_field() -> None:
    def score(rule: str, **fields: list[str]) -> float | None:
        results = RuleSet([topic([RuleSpec(rule)])]).evaluate(BillDoc(1, dict(fields)))
        return results[0].keyword_score if results else None

    health_title = {"title": ["Health Privacy Act"], "summary": ["This bill protects the privacy of patients."]}
    assert score("privacy AND NOT health", **health_title) is None  # the title says health
    assert score("privacy AND NOT title:health", **health_title) is None
    assert score("summary:privacy AND NOT title:health", **health_title) is None
    assert score("privacy AND NOT summary:health", **health_title) == 3.0  # the summary does not say it
    health_summary = {"title": ["Privacy Act of 2021"], "summary": ["Covers the privacy of health records."]}
    assert score("privacy AND NOT summary:health", **health_summary) is None
    # Inside a named field, NOT looks at that field: the title's "privacy" holds, the summary's does not.
    assert score("title:(privacy AND NOT health)", **health_summary) == 3.0
    assert score("summary:(privacy AND NOT health)", **health_summary) is None


def test_exclusion_vetoes_the_topic() -> None:
    rule_set = RuleSet([topic([RuleSpec("safety"), RuleSpec('"boating safety"', exclude=True)])])
    (ok,) = rule_set.evaluate(BillDoc(1, {"title": ["Online Safety Act"]}))
    assert ok.vetoed_by is None and ok.keyword_score == 3.0
    (vetoed,) = rule_set.evaluate(BillDoc(1, {"title": ["Boating Safety Act"]}))
    assert vetoed.vetoed_by == '"boating safety"' and vetoed.keyword_score == 0.0


def test_near_counts_words_either_order_within_one_field() -> None:
    rule_set = RuleSet([topic([RuleSpec("(data OR information) NEAR/3 broker*")])])

    def matched(**fields: list[str]) -> bool:
        return bool(rule_set.evaluate(BillDoc(1, dict(fields))))

    assert matched(summary=["data brokers"])
    assert matched(summary=["brokers that sell data"])  # 3 words apart, other order
    assert not matched(summary=["data about one two three brokers"])  # 4 apart
    assert not matched(title=["Data Act"], summary=["brokers"])  # not across fields
    (result,) = rule_set.evaluate(BillDoc(1, {"summary": ["Rules for data brokers and data brokers."]}))
    assert result.keyword_score == 1.5 * 1.5  # two matches, counted once each
    assert result.evidence[0]["snippet"] == "Rules for [[data brokers]] and data brokers."
    assert sorted(result.matched_terms) == ["brokers", "data"]


def test_evidence_marks_the_term_with_words_either_side() -> None:
    text = ("The Secretary shall award grants to States for the deployment of broadband service in unserved "
            "rural areas, and shall report to Congress each year on the grants made.")
    rule_set = RuleSet([topic([RuleSpec("broadband"), RuleSpec('"rural area*"')])])
    (result,) = rule_set.evaluate(BillDoc(1, {"title": ["Rural Broadband Act"], "summary": [text]}))
    first = result.evidence[0]
    assert first == {"field": "title", "term": "broadband", "rule": "broadband",
                     "snippet": "Rural [[Broadband]] Act"}
    summary = [e for e in result.evidence if e["field"] == "summary"]
    assert summary[0]["snippet"].startswith("… ") and "[[rural areas]]" in summary[0]["snippet"]
    assert set(result.matched_terms) == {"broadband", "rural areas"}


def test_evidence_never_shows_the_same_words_twice() -> None:
    rule_set = RuleSet([topic([RuleSpec('"data privacy"', weight=2), RuleSpec("data NEAR/4 (privacy OR tracking)",
                                                                            weight=1.5)])])
    (result,) = rule_set.evaluate(BillDoc(1, {"title": ["Consumer Data Privacy and Security Act"],
                                              "summary": ["The bill limits location tracking of users' data."]}))
    assert [(e["term"], e["snippet"]) for e in result.evidence] == [
        ("data privacy", "Consumer [[Data Privacy]] and Security Act"),  # not [[Data]], [[Data Privacy]], [[Privacy]]
        # A NEAR pair: both terms marked in one snippet, not the words between them.
        ("tracking … data", "The bill limits location [[tracking]] of users' [[data]]."),
    ]
    assert set(result.matched_terms) == {"data privacy", "data", "privacy", "tracking"}


def test_snippet_edges() -> None:
    assert snippet("broadband", "broadband") == "[[broadband]]"
    assert snippet("(Broadband)", "broadband") == "([[Broadband]])"
    assert snippet("nothing here", "broadband") == "[[broadband]]"
    long = " ".join(f"w{i}" for i in range(40)) + " broadband " + " ".join(f"x{i}" for i in range(40))
    text = snippet(long, "broadband", hint=0.5)
    assert text.startswith("… w32") and text.endswith("x7 …") and "[[broadband]]" in text


def test_combine_is_the_keyword_threshold_without_other_signals() -> None:
    params = Params()
    assert combine(keyword_norm=1.0, semantic_score=None, learned=None, params=params) == 0.5
    assert combine(keyword_norm=0.99, semantic_score=None, learned=None, params=params) < 0.5
    # a strong learned "not relevant" outweighs a bare keyword hit; a strong "relevant" a missing one
    assert combine(keyword_norm=1.2, semantic_score=None, learned=0.05, params=params) < 0.5
    assert combine(keyword_norm=0.0, semantic_score=None, learned=0.97, params=params) > 0.5


def test_a_model_vetoes_a_flag_freely_but_adds_an_unflagged_bill_only_when_confident() -> None:
    # Judged bills are richer in relevant ones than the unflagged population (tracker.matching.store).
    a = topic([RuleSpec("broadband")], topic_id=1, slug="a")
    rule_set = RuleSet([a])
    missed = {r.topic_id: r for r in rule_set.evaluate(BillDoc(1, {"summary": ["spectrum auctions"]}))}
    hit = {r.topic_id: r for r in rule_set.evaluate(BillDoc(2, {"title": ["Broadband"]}))}
    params = Params()
    assert not decide([a], missed, None, {}, params)[0].flagged
    assert not decide([a], missed, None, {1: 0.9}, params, 0.9)[0].flagged  # likely is not enough to add it
    assert decide([a], missed, None, {1: 0.97}, params, 0.97)[0].flagged  # confident: added
    assert decide([a], hit, None, {}, params)[0].flagged
    assert decide([a], hit, None, {1: 0.6}, params, 0.6)[0].flagged  # a flag the rules raise needs no confidence
    assert not decide([a], hit, None, {1: 0.02}, params, 0.02)[0].flagged  # staff dismissed bills like it


def test_decide_flags_only_the_best_topic_without_keywords() -> None:
    a, b = topic([RuleSpec("broadband")], topic_id=1, slug="a"), topic([RuleSpec("privacy")], topic_id=2, slug="b")
    rule_set = RuleSet([a, b])
    keyword = {r.topic_id: r for r in rule_set.evaluate(BillDoc(1, {"summary": ["nothing relevant"]}))}
    decisions = decide([a, b], keyword, [0.2, 0.3], {1: 0.99, 2: 0.99}, Params())
    assert [d.flagged for d in decisions] == [False, True]  # the closer topic only
    keyword = {r.topic_id: r for r in rule_set.evaluate(BillDoc(1, {"title": ["Broadband and privacy"]}))}
    decisions = decide([a, b], keyword, None, {}, Params())
    assert [d.flagged for d in decisions] == [True, True]


def _single(rule: str, **fields: str):  # noqa: ANN202 - a TopicResult or None
    results = RuleSet.single(rule).evaluate(BillDoc(1, {name: [text] for name, text in fields.items()}))
    return results[0] if results else None


def test_terms_and_evidence_do_not_depend_on_the_order_of_the_terms_in_the_rule() -> None:
    # 251 occurrences: past MAX_EVIDENCE_OCCURRENCES, so evidence keeps the first ones in text order.
    text = "Consumer privacy rules. " + "The data shall be kept. " * 250
    results = [_single(rule, text=text) for rule in
               ("data OR privacy", "privacy OR data", "(data OR privacy) AND kept", "kept AND (privacy OR data)")]
    for result in results:
        assert result is not None
        assert {"data", "privacy"} <= set(result.matched_terms)
        assert any(e["snippet"].startswith("Consumer [[privacy]] rules. The data") for e in result.evidence)
    for one, other in (results[0:2], results[2:4]):
        assert one.matched_terms == other.matched_terms
        assert [e["snippet"] for e in one.evidence] == [e["snippet"] for e in other.evidence]


def test_a_term_past_the_evidence_cut_is_still_found() -> None:
    result = _single("data OR privacy", text="The data shall be kept. " * 250 + "Consumer privacy rules.")
    assert result is not None and "privacy" in result.matched_terms


def test_evidence_for_an_exact_term_marks_the_occurrence_that_matched() -> None:
    cases = [("=IT", "The agency said it will modernize IT systems", "will modernize [[IT]] systems"),
             ("=AI", "Mr. Ai spoke about AI tools", "about [[AI]] tools"),
             ("=STEM", "Stem cells and STEM education", "and [[STEM]] education")]
    for rule, summary, marked in cases:
        result = _single(rule, summary=summary)
        assert result is not None and marked in result.evidence[0]["snippet"], (rule, result)


def test_evidence_shows_the_original_text_of_folded_words() -> None:
    result = _single('"Kūhiō"', title="A bill to designate Prince Kūhiō Day as a holiday")
    assert result is not None
    assert result.evidence[0]["snippet"] == "A bill to designate Prince [[Kūhiō]] Day as a holiday"
    result = _single("cyber*", title="International Cy\u00adber\u00adcrime Prevention Act")
    assert result is not None and result.matched_terms == ["cybercrime"]
    assert result.evidence[0]["snippet"] == "International [[Cy\u00adber\u00adcrime]] Prevention Act"
    assert _single("cybersecurity", summary="cyber\u200bsecurity") is not None
