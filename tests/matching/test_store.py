"""Flagging against the database: BillMatch rows written set-based, after ingest, re-scored on rule changes."""

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.matching.conftest import bill_record
from tracker.importer import flag_changed
from tracker.ingest import IngestResult
from tracker.matching import flag_bills, rescore
from tracker.matching.engine import BillDoc, RuleSet, RuleSpec, TopicSpec
from tracker.matching.queries import count_flagged, list_flagged
from tracker.matching.store import Params, _decide, attribute_relevant, combine, decide, keyword_results, make_doc
from tracker.matching.topics import add_rule, load_topics, update_rule, update_topic
from tracker.models import BillMatch, Topic

TOPICS = """
topics:
  - slug: broadband
    name: Broadband and telecom
    description: Broadband internet access and telecommunications.
    threshold: 3
    rules:
      - rule: 'broadband OR "internet access"'
        weight: 2
      - rule: 'wireless OR spectrum'
      - rule: '"boat radio"'
        exclude: true
  - slug: privacy
    name: Privacy and data
    threshold: 3
    rules:
      - rule: '"personal data" OR "data broker*"'
        weight: 2
"""


@pytest.fixture
def topics_file(tmp_path) -> str:
    path = tmp_path / "topics.yaml"
    path.write_text(TOPICS)
    return str(path)


def matches(session: Session) -> dict[tuple[int, str], BillMatch]:
    rows = session.execute(select(BillMatch, Topic.slug).join(Topic, Topic.id == BillMatch.topic_id)
                           .execution_options(populate_existing=True)).all()
    return {(m.bill_id, slug): m for m, slug in rows}


def test_flag_bills_writes_scores_terms_evidence_and_version(session: Session, store_bills: Callable,
                                                              topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    ids = store_bills(
        bill_record(1, "Rural Broadband Deployment Act", "Grants for broadband and wireless internet access."),
        bill_record(2, "Data Broker Accountability Act", "Regulates data brokers that sell personal data."),
        bill_record(3, "Post Office Naming Act", "Names a post office."),
        bill_record(4, "Coast Guard Act", "Requires boat radio equipment and wireless alerts."),
    )
    report = flag_bills(session, ids)
    session.commit()
    assert (report.bills, report.flagged_bills) == (4, 2)
    found = matches(session)
    broadband = found[(ids[0], "broadband")]
    # title hit of a weight-2 rule (2 x 3) plus the weight-1 "wireless" rule in the summary (1 x 1.5)
    assert broadband.flagged and broadband.keyword_score == pytest.approx(7.5)
    assert broadband.score > 0.5 and broadband.semantic_score is None and broadband.learned_score is None
    assert set(broadband.matched_terms) == {"broadband", "internet access", "wireless"}
    assert broadband.evidence[0]["snippet"] == "Rural [[Broadband]] Deployment Act"
    assert broadband.rule_version == 1
    assert found[(ids[1], "privacy")].flagged
    assert (ids[2], "broadband") not in found and (ids[2], "privacy") not in found  # no evidence, no row
    vetoed = found[(ids[3], "broadband")]
    assert not vetoed.flagged and vetoed.evidence[0]["snippet"] == 'excluded by rule "boat radio"'

    listed = list_flagged(session)
    # Strongest first, a tie (both saturate at 0.8808) to the latest action: bill 2's, a day after bill 1's.
    # This accepted either order, so a list in any order passed.
    assert found[(ids[1], "privacy")].score == broadband.score
    assert [b["id"] for b in listed] == [ids[1], ids[0]]
    assert listed[0]["topics"][0]["evidence"]
    assert count_flagged(session, topic="privacy") == 1
    assert [b["id"] for b in list_flagged(session, topic="privacy")] == [ids[1]]


def test_flagged_for_a_topic_is_ordered_by_that_topics_strength(session: Session, store_bills: Callable,
                                                                topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    # A higher bill number is a later action date, so a date fallback would list them 3, 2, 1.
    ids = store_bills(
        bill_record(1, "Rural Broadband and Wireless Act", "Grants."),  # broadband 6 + 3: capped score
        bill_record(2, "Broadband Grants Act", "Grants."),  # broadband 6: the same capped score
        bill_record(3, "Data Broker Act", "Data brokers and broadband providers."),  # privacy 6, broadband 3
    )
    flag_bills(session, ids)
    session.commit()
    found = matches(session)
    assert found[(ids[0], "broadband")].score == found[(ids[1], "broadband")].score  # the logistic saturates
    assert found[(ids[2], "privacy")].score > found[(ids[2], "broadband")].score

    listed = list_flagged(session, topic="broadband")
    # Bill 3's best score (privacy) must not lift it in the broadband list; the tie breaks on the keyword score.
    assert [b["id"] for b in listed] == ids
    assert [b["id"] for b in list_flagged(session, topic="broadband", limit=1, offset=2)] == [ids[2]]
    assert [b["id"] for b in list_flagged(session)][0] == ids[2]  # across topics: best score, then the date


def test_rule_change_rescored_everything_and_stale_matches_go(session: Session, store_bills: Callable,
                                                              topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    ids = store_bills(bill_record(1, "Spectrum Auction Act", "Auctions of spectrum for wireless use."),
                      bill_record(2, "Satellite Act", "Satellite communications licensing."))
    flag_bills(session, ids)
    session.commit()
    assert matches(session)[(ids[0], "broadband")].flagged  # a weight-1 rule in the title reaches 3
    assert (ids[1], "broadband") not in matches(session)
    rule = add_rule(session, topic="broadband", expression="satellite*", weight=2)
    found = matches(session)
    assert found[(ids[1], "broadband")].flagged and found[(ids[1], "broadband")].rule_version == 2
    update_rule(session, rule_id=rule.id, expression='"satellite radio"')
    found = matches(session)
    assert (ids[1], "broadband") not in found  # the rule no longer matches: its row is gone
    assert {m.rule_version for (b, slug), m in found.items() if slug == "broadband"} == {3}
    update_topic(session, topic="broadband", enabled=False)
    assert not [k for k in matches(session) if k[1] == "broadband"]


def test_threshold_is_per_topic(session: Session, store_bills: Callable, topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    (bill,) = store_bills(bill_record(1, "An Act", "Supports wireless networks."))
    flag_bills(session, [bill])
    session.commit()
    assert not matches(session)[(bill, "broadband")].flagged  # 1.5 points, threshold 3
    update_topic(session, topic="broadband", threshold=1.5)
    assert matches(session)[(bill, "broadband")].flagged


def test_ingest_hook_flags_changed_bills_and_survives_failures(session: Session, store_bills: Callable,
                                                               topics_file: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    ids = store_bills(bill_record(1, "Broadband for All Act", "Broadband grants."))
    errors: list[tuple[str, str]] = []
    flag_changed(session, IngestResult(new=1, changed_bill_ids=ids), errors)
    assert matches(session)[(ids[0], "broadband")].flagged and not errors

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("tracker.matching.flag_bills", broken)
    result = flag_changed(session, IngestResult(updated=1, changed_bill_ids=ids), errors)
    assert result.changed_bill_ids == ids  # the stored batch is kept
    assert errors and errors[0][0] == "flagging" and "tracker topics rescore" in errors[0][1]


def test_bill_text_is_scored_as_the_weakest_field(session: Session, store_bills: Callable,
                                                  topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    (bill,) = store_bills(bill_record(1, "An Act", None, version_text="Sec. 2. Broadband mapping. " * 3))
    flag_bills(session, [bill])
    session.commit()
    m = matches(session)[(bill, "broadband")]
    assert m.keyword_score == pytest.approx(2 * 1.0 * (2 - 1 / 3), rel=1e-3) and m.flagged
    assert m.evidence[0]["field"] == "text"


def test_rescore_drops_matches_of_deleted_topics(session: Session, store_bills: Callable,
                                                 topics_file: str) -> None:
    load_topics(session, path=topics_file)
    session.commit()
    ids = store_bills(bill_record(1, "Broadband Act", "Broadband."), bill_record(2, "Data Broker Act", "Data brokers."))
    report = rescore(session)
    assert report.bills == 2 and report.flagged_bills == 2
    privacy = session.execute(select(Topic).where(Topic.slug == "privacy")).scalar_one()
    privacy.enabled = False
    session.commit()
    rescore(session)
    assert {slug for _, slug in matches(session)} == {"broadband"}
    assert ids


def test_a_relevant_bill_teaches_the_topics_its_own_text_points_to() -> None:
    """What a bill staff marked relevant teaches comes from the bill (rules, then embedding), never from flags."""
    specs = [TopicSpec(id=1, slug="broadband", name="Broadband", threshold=3, rule_version=1,
                       rules=(RuleSpec("broadband", 2.0, False, 1), RuleSpec('"boat radio"', 1.0, True, 2))),
             TopicSpec(id=2, slug="privacy", name="Privacy", threshold=3, rule_version=1,
                       rules=(RuleSpec('"personal data"', 2.0, False, 3),))]
    rule_set = RuleSet(specs)
    def doc(bill_id: int, title: str, summary: str | None = None, text: str | None = None) -> BillDoc:
        return make_doc(bill_id, title, None, None, summary, text)

    docs = [doc(1, "Broadband Act", "Personal data of broadband subscribers."),  # both rules flag
            doc(2, "Subscriber Act", "Carriers keep personal data safe."),  # privacy 3/3: flags
            doc(3, "Carrier Act", None, "broadband; personal data; personal data"),  # 2/3, 4/3
            doc(4, "Rural Act", None, "broadband"),  # 2/3, partial only
            doc(5, "Boat Radio Broadband Act"),  # broadband vetoed
            doc(6, "Post Office Act"),  # no keyword: the embedding decides
            doc(7, "Post Office Act")]  # no keyword and no embedding: nothing
    topic_matrix = np.array([[1.0, 0.0], [0.0, 1.0]])
    vectors = {5: np.array([0.9, 0.1]), 6: np.array([0.2, 0.8])}
    keyword = keyword_results(rule_set, docs)
    got = attribute_relevant(keyword, vectors, specs=specs, topic_matrix=topic_matrix)
    assert got == {1: [1, 2], 2: [2], 3: [2], 4: [1], 5: [2], 6: [2], 7: []}
    assert attribute_relevant({6: keyword[6]}, vectors, specs=specs, topic_matrix=None) == {6: []}


def test_a_score_reads_like_the_flag_whatever_decided_it() -> None:
    """>= 0.5 exactly when the topic flags, on every path of ``decide``: a flagged topic keeps its signal; an
    unflagged one is held under what stopped it (tracker.matching.store's docstring)."""
    specs = [TopicSpec(id=1, slug="broadband", name="Broadband", threshold=3, rule_version=1,
                       rules=(RuleSpec("broadband", 2.0, False, 1), RuleSpec('"boat radio"', 1.0, True, 2))),
             TopicSpec(id=2, slug="privacy", name="Privacy", threshold=3, rule_version=1,
                       rules=(RuleSpec('"personal data"', 2.0, False, 3),))]
    docs = [make_doc(1, "Broadband Act", None, None, "Personal data of broadband subscribers."),  # both reach 3
            make_doc(2, "Subscriber Act", None, None, None, "broadband"),  # broadband 2 of 3
            make_doc(3, "Rural Act", None, None, None, "broadband; personal data"),  # 2 of 3 for each
            make_doc(4, "Boat Radio Broadband Act", None, None, None),  # broadband vetoed
            make_doc(5, "Post Office Act", None, None, None)]  # no keyword
    keyword = keyword_results(RuleSet(specs), docs)
    params = Params()
    paths: set[str] = set()
    for doc, sims, org in itertools.product(docs, (None, [0.1, 0.1], [0.45, 0.2], [0.9, 0.95]),
                                            (None, 0.02, 0.6, 0.94, 0.97)):
        learned = {} if org is None else {1: org, 2: org}
        kw = keyword[doc.bill_id]
        decisions = decide(specs, kw, sims, learned, params, org)
        plain = decide(specs, kw, sims, {}, params)
        withheld = not any(d.flagged for d in decisions) and any(d.flagged for d in _decide(
            specs, kw, sims, learned, params, org))
        best = max(combine(keyword_norm=d.keyword_norm, semantic_score=d.semantic, learned=org, params=params)
                   for d in decisions if not d.vetoed)
        for d in decisions:
            assert d.flagged == (d.score >= 0.5), (doc.bill_id, sims, org, d)
            signal = combine(keyword_norm=d.keyword_norm, semantic_score=d.semantic, learned=d.learned,
                             params=params)
            alone = combine(keyword_norm=d.keyword_norm, semantic_score=None, learned=None, params=params)
            if d.flagged:
                paths.add("keywords" if d.keyword_norm >= 1 else "best topic")
                assert d.score >= signal  # the signal, or the best-topic one when higher
            elif d.vetoed:
                paths.add("veto")
                assert d.score == 0.0
            elif withheld:
                paths.add("withheld")  # only a model not confident enough would flag: scored without it
                assert d.score == next(x.score for x in plain if x.spec.id == d.spec.id)
            else:
                paths.add("held")
                assert d.score <= max(min(signal, alone), best)
    assert paths == {"keywords", "best topic", "veto", "withheld", "held"}  # every path was tried
