"""Semantic relevance with the packaged all-MiniLM-L6-v2 (the `semantic` extra); skipped without it."""

import datetime as dt
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from realdata_paths import require_realdata
from sqlalchemy import delete, select, update
from sqlmodel import Session
from typer.testing import CliRunner

from tests.matching.conftest import BROADBAND_TOPIC, bill_record, internet_noise, spectrum_bills
from tracker import crawling
from tracker.cli import app
from tracker.matching import flag_bills, rescore, semantic
from tracker.matching.store import embed_pending, pending_embedding_ids
from tracker.matching.topics import load_topics, update_topic
from tracker.matching.training import ensure_models
from tracker.models import Bill, BillEmbedding, BillMatch, RelevanceModel, Topic, TopicRule, TriageState
from tracker.scheduler import embeds_after_crawls


def test_unavailable_is_reported_and_on_without_the_model_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")
    assert not semantic.enabled() and "switched off" in (semantic.why_unavailable() or "")
    monkeypatch.setattr(semantic, "installed", lambda: False)
    monkeypatch.setenv("TRACKER_SEMANTIC", "auto")
    assert not semantic.enabled() and "not installed" in (semantic.why_unavailable() or "")
    monkeypatch.setenv("TRACKER_SEMANTIC", "on")
    with pytest.raises(semantic.SemanticUnavailable, match="pip install"):
        semantic.enabled()


def test_a_misspelt_mode_is_refused_not_read_as_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    # "of" for "off" loaded the model and embedded every bill, as "auto" does.
    monkeypatch.setattr(semantic, "installed", lambda: True)
    for value in ("of", "disabled"):
        monkeypatch.setenv("TRACKER_SEMANTIC", value)
        with pytest.raises(semantic.SemanticUnavailable, match=f"expected one of auto, on, off, got '{value}'"):
            semantic.enabled()
    monkeypatch.setenv("TRACKER_SEMANTIC", " OFF ")
    assert not semantic.enabled()
    result = CliRunner().invoke(app, ["topics", "embed"], env={"TRACKER_SEMANTIC": "of"})
    assert result.exit_code == 2 and "got 'of'" in result.output and "Traceback" not in result.output


def test_vectors_round_trip_as_float16() -> None:
    v = semantic.unit(np.arange(1, 385, dtype=np.float32))
    back = semantic.from_bytes(semantic.to_bytes(v))
    assert back.shape == (384,) and np.allclose(back, v, atol=1e-3)
    text = semantic.bill_text(["Broadband Act", "Broadband Act", None], "Grants.", "Sec. 1. " * 1000)
    assert text.startswith("Broadband Act\nGrants.\nSec. 1.") and len(text) == semantic.MAX_CHARS


@pytest.fixture
def with_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_SEMANTIC", "on")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.semantic
def test_the_packaged_model_embeds_offline(with_model: None) -> None:
    vectors = semantic.get_embedder().encode([
        "Expands high-speed internet access in rural areas.",
        "Grants for rural broadband deployment.",
        "Designates a post office building.",
    ])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@pytest.mark.semantic
def test_semantic_scores_are_stored_and_embeddings_reused(with_model: None, session: Session,
                                                         store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    ids = store_bills(
        bill_record(1, "Closing the Digital Divide Act", "Expands high-speed internet service to rural homes."),
        bill_record(2, "Post Office Naming Act", "Designates a post office building."),
    )
    report = flag_bills(session, ids, embed=True)
    session.commit()
    assert report.embedded == 2 and report.pending_embeddings == 0
    stored = session.execute(select(BillEmbedding)).scalars().all()
    assert {e.bill_id for e in stored} == set(ids) and all(e.dim == 384 and len(e.vector) == 768 for e in stored)

    def match(bill_id: int, slug: str) -> BillMatch | None:
        return session.execute(select(BillMatch).join(Topic, Topic.id == BillMatch.topic_id)
                               .where(BillMatch.bill_id == bill_id, Topic.slug == slug)
                               .execution_options(populate_existing=True)).scalar()

    broadband = match(ids[0], "broadband")
    assert broadband is not None and broadband.flagged and broadband.semantic_score > 0.3
    assert match(ids[1], "broadband") is None  # nothing in common with any topic: no row

    again = flag_bills(session, ids, embed=True)
    assert again.embedded == 0  # same text, same vector

    # A bulk batch above the inline limit is flagged on keywords now and embedded by `rescore --embed`.
    more = store_bills(*[bill_record(10 + i, f"Spectrum Act {i}", "Wireless spectrum auctions.") for i in range(3)])
    deferred = flag_bills(session, more, embed=2)
    session.commit()
    assert deferred.embedded == 0 and deferred.pending_embeddings == 3
    assert match(more[0], "broadband").semantic_score is None and match(more[0], "broadband").flagged
    caught_up = rescore(session, embed=True)
    assert caught_up.embedded == 3 and match(more[0], "broadband").semantic_score is not None


@pytest.mark.semantic
def test_bills_staff_marked_relevant_pull_their_neighbours_up(with_model: None, session: Session,
                                                              store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    chosen, neighbour = store_bills(
        bill_record(1, "Broadband Maps Act", "Requires accurate broadband coverage maps from the FCC."),
        bill_record(2, "Accurate Coverage Maps Act", "Requires the Commission to publish accurate maps of "
                                                     "high-speed coverage by provider."),
    )
    flag_bills(session, [chosen, neighbour], embed=True)
    session.commit()
    topic_id = session.execute(select(Topic.id).where(Topic.slug == "broadband")).scalar_one()
    before = session.execute(select(BillMatch.semantic_score).where(
        BillMatch.bill_id == neighbour, BillMatch.topic_id == topic_id)).scalar()
    session.add(TriageState(bill_id=chosen, status="reviewed", relevance="relevant"))
    session.commit()
    flag_bills(session, [neighbour], embed=True)
    session.commit()
    after = session.execute(select(BillMatch.semantic_score).where(
        BillMatch.bill_id == neighbour, BillMatch.topic_id == topic_id)).scalar()
    assert after > (before or 0.0) + 0.1


# Two topics with descriptions for semantic relevance (written for these tests, not upstream data).
DESCRIBED_TOPICS = """
topics:
  - slug: broadband
    name: Broadband
    description: High-speed internet access, broadband deployment and wireless networks.
    threshold: 3
    rules:
      - rule: 'broadband OR wireless'
        weight: 2
  - slug: privacy
    name: Privacy
    description: Consumer privacy, the personal data companies collect and sell, data brokers.
    threshold: 3
    rules:
      - rule: '"personal data" OR "data broker*"'
        weight: 2
"""


def _load_described_topics(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(DESCRIBED_TOPICS)
    load_topics(session, path=path, rescore=False)
    session.commit()


def _judge(session: Session, bill_ids: list[int], relevance: str) -> None:
    for bill_id in bill_ids:
        session.merge(TriageState(bill_id=bill_id, status="reviewed", relevance=relevance))
    session.commit()


def _semantic_score(session: Session, bill_id: int, slug: str) -> float | None:
    return session.execute(select(BillMatch.semantic_score).join(Topic, Topic.id == BillMatch.topic_id)
                           .where(BillMatch.bill_id == bill_id, Topic.slug == slug)
                           .execution_options(populate_existing=True)).scalar()


@pytest.mark.semantic
def test_an_unflagged_bill_marked_relevant_teaches_its_closest_topic(with_model: None, session: Session,
                                                                     store_bills: Callable, tmp_path: Path) -> None:
    """No rule flags the spectrum bill; marked relevant, it still pulls up bills like it (it used to count only
    when already flagged, so marking an unflagged bill relevant did nothing semantic)."""
    _load_described_topics(session, tmp_path)
    chosen, neighbour = store_bills(
        bill_record(1, "Spectrum Auction Act", "Auctions spectrum licenses to rural carriers for cell service."),
        bill_record(2, "Rural Cell Service Spectrum Act", "Licenses spectrum to small rural carriers to extend "
                                                          "cell service."))
    flag_bills(session, [chosen, neighbour], embed=True)
    session.commit()
    assert not session.execute(select(BillMatch.id).where(BillMatch.bill_id == chosen, BillMatch.flagged)).first()
    before = _semantic_score(session, neighbour, "broadband") or 0.0

    _judge(session, [chosen], "relevant")
    flag_bills(session, [neighbour])
    session.commit()
    assert (_semantic_score(session, neighbour, "broadband") or 0.0) > before + 0.1


def _snapshot(session: Session) -> dict[tuple[str, str], tuple]:
    """Every BillMatch row by bill title and topic slug (ids and the time of scoring left out)."""
    rows = session.execute(
        select(Bill.title, Topic.slug, BillMatch.score, BillMatch.keyword_score, BillMatch.semantic_score,
               BillMatch.learned_score, BillMatch.flagged, BillMatch.matched_terms, BillMatch.evidence,
               BillMatch.rule_version)
        .join(Bill, Bill.id == BillMatch.bill_id).join(Topic, Topic.id == BillMatch.topic_id)
        .execution_options(populate_existing=True)).all()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def _start_over(session: Session) -> None:
    """The bills stay; everything derived from them, the judgements and the topics go: a second database
    holding the same bills."""
    for model in (BillMatch, BillEmbedding, TriageState, RelevanceModel, TopicRule, Topic):
        session.execute(delete(model))
    session.commit()


@pytest.mark.semantic
def test_flags_do_not_depend_on_the_order_of_judgements_rescores_and_threshold_edits(
        with_model: None, session: Session, store_bills: Callable, tmp_path: Path) -> None:
    """The acceptance review's scenario: mark relevant -> rescore -> raise a threshold, against raise the
    threshold -> mark relevant -> rescore, on the same bills, must end with the same rows. The relevant bill
    flags broadband at threshold 3; at 10 it flags nothing and comes closest to privacy, so that is the topic it
    teaches. Read from earlier flags, it went on teaching broadband in one order and nothing in the other."""
    ids = store_bills(
        bill_record(1, "Rural Subscriber Protection Act", "Wireless carriers must protect subscriber records in "
                                                          "rural areas.",
                    version_text="Sec. 2. A carrier shall not sell the personal data of a subscriber."),
        bill_record(2, "Subscriber Records Act", "Carriers must keep the records of their rural subscribers safe "
                                                 "and may not sell them."),
        bill_record(3, "Rural Broadband Grants Act", "Grants for broadband deployment in rural areas."),
        bill_record(4, "Data Broker Registry Act", "Data brokers register and disclose the personal data they "
                                                   "sell."),
        bill_record(5, "Post Office Naming Act", "Designates a post office building."),
    )
    relevant = ids[0]

    def start() -> None:
        _load_described_topics(session, tmp_path)
        flag_bills(session, ids, embed=True)
        session.commit()

    def mark_relevant() -> None:
        _judge(session, [relevant], "relevant")

    def raise_threshold() -> None:
        update_topic(session, topic="broadband", threshold=10)  # re-scores as `tracker topics set` does
        session.commit()

    start()
    mark_relevant()
    rescore(session)
    raise_threshold()
    first = _snapshot(session)

    _start_over(session)
    start()
    raise_threshold()
    mark_relevant()
    rescore(session)
    second = _snapshot(session)

    assert first == second
    # The neighbour of the relevant bill is pulled towards privacy, the topic that bill now teaches.
    neighbour = first[("Subscriber Records Act", "privacy")]
    assert neighbour[2] is not None and neighbour[2] > 0.4
    # ... but the bill's own judgement does not raise its own flag (its likeness to itself is left out).
    assert not first[("Rural Subscriber Protection Act", "privacy")][4]


@pytest.mark.semantic
def test_pending_embeddings_are_missing_ones_and_those_of_bills_changed_since(
        with_model: None, session: Session, store_bills: Callable) -> None:
    load_topics(session, rescore=False)
    session.commit()
    first, second = store_bills(
        bill_record(1, "Closing the Digital Divide Act", "Expands high-speed internet service to rural homes."),
        bill_record(2, "Post Office Naming Act", "Designates a post office building."))
    assert pending_embedding_ids(session) == [first, second]  # never embedded
    report = embed_pending(session)
    assert report.embedded == 2 and pending_embedding_ids(session) == []

    # The text changed after it was embedded: found, embedded again. A change that leaves the embedded text
    # as it was (a later action) is found too, checked, and not embedded again.
    old_hash = session.execute(select(BillEmbedding.text_hash).where(BillEmbedding.bill_id == first)).scalar()
    store_bills(bill_record(1, "Closing the Digital Divide Act", "Expands high-speed internet service to rural "
                                                                 "homes and schools.",
                            version_text="Sec. 1. Grants for fiber to rural schools."))
    store_bills(bill_record(2, "Post Office Naming Act", "Designates a post office building.",
                            subjects=["Postal service"]))
    assert pending_embedding_ids(session) == [first, second]
    again = embed_pending(session)
    assert again.bills == 2 and again.embedded == 1 and pending_embedding_ids(session) == []
    new_hash = session.execute(select(BillEmbedding.text_hash).where(BillEmbedding.bill_id == first)
                               .execution_options(populate_existing=True)).scalar()
    assert new_hash != old_hash


@pytest.mark.semantic
def test_a_damaged_or_other_models_embedding_is_embedded_again_not_read(
        with_model: None, session: Session, store_bills: Callable) -> None:
    """A stored vector of another length made every score of its batch fail with a NumPy traceback (and, for a
    bill marked relevant, every flagging run); one from another model stayed pending forever, read as it was."""
    load_topics(session, rescore=False)
    session.commit()
    ids = store_bills(*[bill_record(i, f"Rural Broadband Act {i}", "Grants for high-speed internet.")
                        for i in range(1, 4)])
    embed_pending(session)
    good = session.execute(select(BillEmbedding.vector).where(BillEmbedding.bill_id == ids[0])).scalar()
    for bill_id, values in ((ids[0], {"vector": good[:200], "dim": 100}), (ids[1], {"vector": good[:201]}),
                            (ids[2], {"model": "another-model"})):
        session.execute(update(BillEmbedding).where(BillEmbedding.bill_id == bill_id).values(**values))
    session.add(TriageState(bill_id=ids[0], status="reviewed", relevance="relevant"))
    session.commit()

    report = flag_bills(session, ids, embed=False)  # read as missing: waiting, not failing
    assert report.pending_embeddings == 3 and pending_embedding_ids(session) == ids
    assert embed_pending(session).embedded == 3 and pending_embedding_ids(session) == []
    stored = session.execute(select(BillEmbedding.model, BillEmbedding.dim, BillEmbedding.vector)
                             .execution_options(populate_existing=True)).all()
    assert {(m, d, len(v)) for m, d, v in stored} == {(semantic.MODEL_NAME, 384, 768)}


def _billstatus_folder(folder: Path, count: int) -> Path:
    """The first ``count`` BILLSTATUS files of the 117th Congress archive, as files in a folder."""
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    folder.mkdir()
    with tarfile.open(archive, "r|*") as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".xml"):
                fh = tar.extractfile(member)
                assert fh is not None
                (folder / f"{len(list(folder.iterdir())):03}.xml").write_bytes(fh.read())
                if len(list(folder.iterdir())) == count:
                    break
    return folder


def _imported_rows(session: Session, bill_ids: set[int]) -> list[tuple]:
    return [r for r in session.execute(select(BillMatch.bill_id, BillMatch.semantic_score, BillMatch.learned_score)
                                       .execution_options(populate_existing=True)).all() if r[0] in bill_ids]


@pytest.mark.semantic
def test_import_embeds_what_its_batches_could_not(with_model: None, database_url: str, session: Session,
                                                  store_bills: Callable, tmp_path: Path) -> None:
    """Batches of 500 are too big to embed inline (64): `tracker import` embeds them at the end, so semantic
    relevance and a model learned from triage (it reads embeddings) score the imported bills too."""
    # A second topic whose weak rule finds words of nearly every title: rows to read for the imported bills.
    (tmp_path / "t.yaml").write_text(BROADBAND_TOPIC + """  - slug: acts
    name: Acts of Congress
    threshold: 3
    rules:
      - rule: 'act OR the OR to'
        weight: 0.1
""")
    load_topics(session, path=tmp_path / "t.yaml", rescore=False)
    session.commit()
    # Judgements a model beats the rules on (see tests/matching/test_learning.py).
    noise, found = store_bills(*internet_noise(range(9001, 9011))), store_bills(*spectrum_bills(range(9101, 9111)))
    _judge(session, noise, "not_relevant")
    _judge(session, found, "relevant")
    judged = set(noise + found)

    deferred = _billstatus_folder(tmp_path / "first", 70)
    result = CliRunner().invoke(app, ["import", str(deferred), "--no-embed", "-q"])
    assert result.exit_code == 0, result.output
    assert "70 bills wait for embeddings: run `tracker topics embed`" in result.stdout
    first = set(session.execute(select(Bill.id)).scalars()) - judged
    assert any(m["active"] for m in ensure_models(session).models)  # trained during the import's flagging
    rows = _imported_rows(session, first)
    assert len({b for b, _, _ in rows}) > 60
    assert all(sem is None and learned is None for _, sem, learned in rows)  # keywords alone

    more = tmp_path / "second"
    more.mkdir()
    for path in sorted(_billstatus_folder(tmp_path / "all", 140).iterdir())[70:]:
        path.rename(more / path.name)
    result = CliRunner().invoke(app, ["import", str(more), "-q"])
    assert result.exit_code == 0, result.output
    assert "embedding 140 bills" in result.stdout  # the 70 left by --no-embed, then these 70
    assert pending_embedding_ids(session) == []
    imported = set(session.execute(select(Bill.id)).scalars()) - judged
    embedded = set(session.execute(select(BillEmbedding.bill_id)).scalars())
    assert len(imported) == 140 and imported <= embedded
    rows = _imported_rows(session, imported)
    assert len({b for b, _, _ in rows}) > 120
    assert all(sem is not None and learned is not None for _, sem, learned in rows)

    result = CliRunner().invoke(app, ["topics", "embed"])
    assert result.exit_code == 0 and "every bill has an up-to-date embedding" in result.stdout
    # A bill corrected by `import --reparse` is checked again; its text had not moved, so its embedding stays.
    session.execute(update(BillEmbedding).where(BillEmbedding.bill_id == min(imported))
                    .values(created_at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC)))
    session.commit()
    result = CliRunner().invoke(app, ["topics", "embed"])
    assert "embedded 0 bills (1 whose text had not changed kept theirs) and re-scored 1" in " ".join(
        result.stdout.split())


@pytest.mark.semantic
def test_the_scheduler_embeds_after_a_crawl_in_a_process_of_its_own(with_model: None, database_url: str,
                                                                    session: Session, store_bills: Callable) -> None:
    """What a scheduled job runs after its crawl (`tracker topics embed --if-enabled`, tracker.scheduler)."""
    load_topics(session, rescore=False)
    session.commit()
    (bill_id,) = store_bills(bill_record(1, "Closing the Digital Divide Act", "Expands high-speed internet service."))
    assert embeds_after_crawls()
    assert crawling.run_embed_catch_up(timeout=300) == 0
    assert pending_embedding_ids(session) == []
    assert _semantic_score(session, bill_id, "broadband") is not None


def test_model_threads_the_environment_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker import config

    (tmp_path / "tracker.toml").write_text("[matching]\nthreads = 3\n")
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "tracker.toml"))
    monkeypatch.delenv("TRACKER_MODEL_THREADS", raising=False)
    config.settings.cache_clear()
    try:
        assert semantic.model_threads() == 3
        monkeypatch.setenv("TRACKER_MODEL_THREADS", "2")
        assert semantic.model_threads() == 2
        monkeypatch.setenv("TRACKER_MODEL_THREADS", "two")
        with pytest.raises(semantic.SemanticUnavailable, match="expected a number of threads .* got 'two'"):
            semantic.model_threads()
    finally:
        config.settings.cache_clear()


@pytest.mark.semantic
def test_no_embed_embeds_nothing_even_in_batches_small_enough_to_embed_inline(
        with_model: None, database_url: str, session: Session, tmp_path: Path) -> None:
    load_topics(session, rescore=False)
    session.commit()
    folder = _billstatus_folder(tmp_path / "few", 1)  # a batch of one: embedded as it is flagged, by default
    result = CliRunner().invoke(app, ["import", str(folder), "--no-embed", "-q"])
    assert result.exit_code == 0, result.output
    assert session.execute(select(BillEmbedding.bill_id)).first() is None
    assert "1 bill waits for embeddings: run `tracker topics embed`" in result.stdout
