"""Ingest on hand-built records (written for these tests from our own record schema, not a feed's format), and
change records on a real bill edited as an upstream update would."""

import datetime as dt
import tarfile
from pathlib import Path

import pytest
from lxml import etree
from realdata_paths import require_realdata
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from tracker import db
from tracker.alerts.render import describe
from tracker.importer import import_path
from tracker.ingest import IngestItem, Ingestor, SourceDocumentInfo
from tracker.models import (
    Bill,
    BillAction,
    BillChange,
    BillSource,
    Note,
    Position,
    PositionHistory,
    Sponsorship,
    TriageState,
    User,
)
from tracker.overview import MOVES
from tracker.records import (
    ActionRecord,
    BillRecord,
    JurisdictionRecord,
    SessionRecord,
    SponsorshipRecord,
    VersionRecord,
)


def make_record(number: int = 1, **overrides: object) -> BillRecord:
    base: dict[str, object] = dict(
        jurisdiction=JurisdictionRecord(id="us", name="United States", level="federal"),
        session=SessionRecord(identifier="117", name="117th Congress"),
        identifier=f"HR {number}", bill_type="HR", number=str(number), origin_chamber="lower",
        title=f"Test Act {number}", stage="introduced", introduced_date=dt.date(2021, 3, 1),
        source_name="test", source_key=f"117-hr-{number}", source_urls=[f"https://example.test/hr{number}"],
        actions=[ActionRecord(date=dt.date(2021, 3, 1), text="Introduced in House", actor="lower",
                              classification=["introduction"])],
        sponsorships=[SponsorshipRecord(name="Rep. A", kind="primary", person_id="A000001")],
        versions=[VersionRecord(label="Introduced in House", url=f"https://example.test/hr{number}ih.xml")],
    )
    base.update(overrides)
    return BillRecord.model_validate(base)


def ingest(session: Session, *records: BillRecord):  # type: ignore[no-untyped-def]
    result = Ingestor(session).ingest([IngestItem(r) for r in records])
    session.commit()
    return result


def count(session: Session, model: type) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_new_bills_are_inserted_with_children_and_a_new_bill_change(session: Session) -> None:
    result = ingest(session, make_record(1), make_record(2))
    assert (result.new, result.updated, result.unchanged) == (2, 0, 0)
    assert count(session, Bill) == 2
    assert count(session, BillAction) == 2
    kinds = session.execute(select(BillChange.kind)).scalars().all()
    assert kinds == ["new_bill", "new_bill"]


def test_reingesting_the_same_record_writes_nothing(session: Session) -> None:
    ingest(session, make_record(1))
    before = session.execute(select(Bill.last_changed_at, Bill.last_fetched_at)).one()
    result = ingest(session, make_record(1))
    assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert session.execute(select(Bill.last_changed_at, Bill.last_fetched_at)).one() == before
    assert count(session, BillChange) == 1


def test_a_record_older_than_the_stored_one_is_superseded_not_applied(session: Session) -> None:
    march, may = dt.datetime(2021, 3, 2, tzinfo=dt.UTC), dt.datetime(2021, 5, 2, tzinfo=dt.UTC)
    ingest(session, make_record(1, title="May Act", upstream_updated_at=may))
    result = ingest(session, make_record(1, title="March Act", upstream_updated_at=march))
    assert (result.new, result.updated, result.unchanged, result.superseded) == (0, 0, 0, 1)
    assert session.execute(select(Bill.title)).scalar_one() == "May Act"
    # Equal stamps, or a record without one, are not older: the record is applied.
    assert ingest(session, make_record(1, title="Edited Act", upstream_updated_at=may)).updated == 1
    assert ingest(session, make_record(1, title="Unstamped Act")).updated == 1
    assert session.execute(select(Bill.title)).scalar_one() == "Unstamped Act"


def test_within_a_batch_the_newest_copy_of_a_bill_wins(session: Session) -> None:
    march, may = dt.datetime(2021, 3, 2, tzinfo=dt.UTC), dt.datetime(2021, 5, 2, tzinfo=dt.UTC)
    result = ingest(session, make_record(1, title="May Act", upstream_updated_at=may),
                    make_record(1, title="March Act", upstream_updated_at=march),
                    make_record(2, title="First Act"), make_record(2, title="Second Act"))
    assert (result.new, result.superseded) == (2, 2)
    assert session.execute(select(Bill.title).order_by(Bill.number)).scalars().all() == ["May Act", "Second Act"]


def test_an_older_copy_from_the_other_library_of_congress_feed_does_not_roll_the_bill_back(session: Session) -> None:
    # GovInfo BILLSTATUS and the Congress.gov API rank the same (one record served twice): the Congress.gov
    # copy, stamped before the BILLSTATUS one already stored, only adds its source and fills empty columns.
    march, december = dt.datetime(2022, 3, 25, tzinfo=dt.UTC), dt.datetime(2022, 12, 16, tzinfo=dt.UTC)
    ingest(session, make_record(1, source_name="govinfo_billstatus", short_title="FedRAMP Act",
                                stage="passed_origin_chamber", upstream_updated_at=december))
    result = ingest(session, make_record(1, source_name="congress_api", short_title=None, stage="introduced",
                                         popular_title="FedRAMP", upstream_updated_at=march))
    assert result.updated == 1
    bill = session.execute(select(Bill)).scalar_one()
    assert (bill.source_name, bill.short_title, bill.stage, bill.popular_title) == (
        "govinfo_billstatus", "FedRAMP Act", "passed_origin_chamber", "FedRAMP")
    assert session.execute(select(func.count()).select_from(BillChange).where(BillChange.kind != "new_bill")
                           ).scalar_one() == 0
    assert sorted(session.execute(select(BillSource.source_name)).scalars()) == ["congress_api",
                                                                                 "govinfo_billstatus"]
    # A newer copy from either feed takes the bill over, as before.
    ingest(session, make_record(1, source_name="congress_api", stage="enacted",
                                upstream_updated_at=december + dt.timedelta(days=1)))
    session.expire_all()
    assert session.execute(select(Bill.source_name, Bill.stage)).one() == ("congress_api", "enacted")
    # Within one batch, the newer of two equal-ranked copies wins whatever their order.
    ingest(session, make_record(2, source_name="govinfo_billstatus", title="New Act", upstream_updated_at=december),
           make_record(2, source_name="congress_api", title="Old Act", upstream_updated_at=march))
    assert session.execute(select(Bill.title).where(Bill.number == "2")).scalar_one() == "New Act"


def test_a_changed_bill_records_what_moved(session: Session) -> None:
    ingest(session, make_record(1))
    changed = make_record(
        1, title="Renamed Act", stage="passed_origin_chamber",
        actions=[ActionRecord(date=dt.date(2021, 3, 1), text="Introduced in House"),
                 ActionRecord(date=dt.date(2021, 5, 1), text="Passed House", classification=["passage"])],
        sponsorships=[SponsorshipRecord(name="Rep. A", kind="primary", person_id="A000001"),
                      SponsorshipRecord(name="Rep. B", kind="cosponsor", person_id="B000002")],
        versions=[VersionRecord(label="Introduced in House", url="https://example.test/hr1ih.xml"),
                  VersionRecord(label="Engrossed in House", url="https://example.test/hr1eh.xml")],
    )
    result = ingest(session, changed)
    assert (result.new, result.updated) == (0, 1)
    changes = {c.kind: c for c in session.execute(select(BillChange)).scalars()}
    assert set(changes) == {"new_bill", "title_change", "stage_change", "new_action", "new_version",
                            "sponsor_change"}
    assert (changes["stage_change"].before, changes["stage_change"].after) == ("introduced", "passed_origin_chamber")
    assert changes["new_action"].after["text"] == "Passed House"
    assert changes["sponsor_change"].after["added"] == ["Rep. B"]
    assert count(session, BillAction) == 2
    assert count(session, Sponsorship) == 2


def _c117_file(key: str) -> bytes:
    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        for member in tar:
            if member.name == f"data/117/bills/{key}/fdsys_billstatus.xml":
                return tar.extractfile(member).read()  # type: ignore[union-attr]
    raise AssertionError(f"{key} not in the archive")


def _stored_hr4942(engine: Engine, tmp_path: Path) -> etree._Element:
    """Import the real 117th H.R. 4942; return its tree with a newer updateDate, to edit as GovInfo would."""
    original = _c117_file("hr/hr4942")
    (tmp_path / "hr4942.xml").write_bytes(original)
    assert import_path(engine, tmp_path / "hr4942.xml", flag=False).ok
    root = etree.fromstring(original)
    root.find("bill/updateDate").text = "2023-01-05T10:00:00Z"
    return root


def _import_update(engine: Engine, tmp_path: Path, root: etree._Element) -> None:
    (tmp_path / "update").mkdir()
    (tmp_path / "update" / "hr4942.xml").write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    report = import_path(engine, tmp_path / "update", flag=False)
    assert report.ok and report.result.updated == 1


def test_removed_withdrawn_and_added_sponsors_are_all_named(engine: Engine, session: Session, tmp_path: Path) -> None:
    # 117th H.R. 4942 (Blumenauer, 23 cosponsors), then an update of it as GovInfo would publish one: newer
    # updateDate, Rep. Cárdenas gone, Rep. Butterfield withdrawn. Removed ones were listed by bioguide id.
    root = _stored_hr4942(engine, tmp_path)
    cosponsors = root.find("bill/cosponsors")
    by_id = {item.findtext("bioguideId"): item for item in cosponsors}
    cosponsors.remove(by_id["C001097"])
    etree.SubElement(by_id["B001251"], "sponsorshipWithdrawnDate").text = "2022-12-01"
    _import_update(engine, tmp_path, root)

    change = session.execute(select(BillChange).where(BillChange.kind == "sponsor_change")).scalar_one()
    assert change.after["removed"] == ["Rep. Cárdenas, Tony [D-CA-29]"]
    assert change.after["withdrawn"] == ["Rep. Butterfield, G. K. [D-NC-1]"]
    assert change.after["added"] == []
    # Sponsor and cosponsors still on the bill: the withdrawn one stays listed upstream but is not counted.
    assert (change.before["count"], change.after["count"]) == (24, 22)


def test_an_action_reworded_upstream_is_a_correction_not_a_new_action(
    engine: Engine, session: Session, tmp_path: Path,
) -> None:
    # 117th H.R. 4942, then an update as GovInfo would publish one: the 2021-08-09 referral reworded, one
    # action really new, and one new action on a date whose stored action is unchanged.
    root = _stored_hr4942(engine, tmp_path)
    actions = root.find("bill/actions")
    reworded = next(a for a in actions if a.findtext("actionDate") == "2021-08-09")
    assert reworded.findtext("text") == "Referred to the Subcommittee on Health."
    reworded.find("text").text = "Referred to the Subcommittee on Health of the Committee on Ways and Means."
    for date, text in (("2022-01-10", "Subcommittee Hearings Held."),
                       ("2021-08-06", "Sponsor introductory remarks on measure.")):
        action = etree.SubElement(actions, "item")
        etree.SubElement(action, "actionDate").text = date
        etree.SubElement(action, "text").text = text
        etree.SubElement(action, "type").text = "Floor"
    _import_update(engine, tmp_path, root)

    changes = session.execute(select(BillChange).where(BillChange.kind != "new_bill")).scalars().all()
    corrected = [c for c in changes if c.kind == "action_corrected"]
    assert [(c.before, c.after["date"], c.after["text"]) for c in corrected] == [
        ({"date": "2021-08-09", "text": "Referred to the Subcommittee on Health."}, "2021-08-09",
         "Referred to the Subcommittee on Health of the Committee on Ways and Means.")]
    assert sorted((c.after["date"], c.after["text"]) for c in changes if c.kind == "new_action") == [
        ("2021-08-06", "Sponsor introductory remarks on measure."), ("2022-01-10", "Subcommittee Hearings Held.")]
    # Digests and the bill page name both wordings; "moved" lists count new actions, not corrections.
    line, _ = describe({"kind": "action_corrected", "payload": {"before": corrected[0].before,
                                                                  "after": corrected[0].after}}, set())
    assert line == ("2021-08-09 Referred to the Subcommittee on Health of the Committee on Ways and Means. "
                    "(was: Referred to the Subcommittee on Health.)")
    assert "action_corrected" not in MOVES


def test_organisation_data_survives_a_changed_bill(session: Session) -> None:
    ingest(session, make_record(1))
    bill_id = session.execute(select(Bill.id)).scalar_one()
    user = User(email="staff@example.org", role="staff")
    session.add(user)
    session.flush()
    position = Position(bill_id=bill_id, stance="Support", priority="High", rationale="Good for members",
                        author_id=user.id)
    session.add(position)
    session.flush()
    session.add(PositionHistory(position_id=position.id, bill_id=bill_id, version=1, stance="Support",
                                priority="High", author_id=user.id))
    session.add(Note(bill_id=bill_id, author_id=user.id, body="Call the sponsor's office"))
    session.add(TriageState(bill_id=bill_id, status="reviewed", user_id=user.id))
    session.commit()

    ingest(session, make_record(1, title="Renamed Act", stage="in_committee"))

    assert session.execute(select(Bill.id)).scalar_one() == bill_id
    assert session.execute(select(Position.stance, Position.rationale)).one() == ("Support", "Good for members")
    assert session.execute(select(Note.body)).scalar_one() == "Call the sponsor's office"
    assert session.execute(select(TriageState.status)).scalar_one() == "reviewed"
    assert count(session, PositionHistory) == 1


def test_extracted_version_text_survives_a_metadata_refresh(session: Session) -> None:
    with_text = make_record(1, versions=[VersionRecord(label="Introduced", url="https://example.test/hr1ih.xml",
                                                       text="SECTION 1. Short title.")])
    ingest(session, with_text)
    ingest(session, make_record(1, title="Renamed Act", versions=[
        VersionRecord(label="Introduced in House", url="https://example.test/hr1ih.xml")]))
    from tracker.models import BillVersion

    version = session.execute(select(BillVersion)).scalar_one()
    assert version.label == "Introduced in House"
    assert version.text == "SECTION 1. Short title."
    assert version.text_hash


def test_source_documents_are_recorded_and_not_rewritten_when_unchanged(session: Session) -> None:
    from tracker.models import SourceDocument

    doc = SourceDocumentInfo(locator="https://example.test/hr1.xml", content_hash="abc", last_modified="x")
    Ingestor(session).ingest([IngestItem(make_record(1), doc)])
    session.commit()
    first = session.execute(select(SourceDocument)).scalar_one()
    assert first.bill_id is not None
    fetched_at = first.fetched_at
    Ingestor(session).ingest([IngestItem(make_record(1), doc)])
    session.commit()
    session.expire_all()
    assert session.execute(select(SourceDocument.fetched_at)).scalar_one() == fetched_at


def _other_writer_can_start(engine: Engine) -> bool:
    """Whether a second writer could take the writers' slot right now (without waiting for it)."""
    from sqlalchemy import text

    from tracker.ingest import WRITER_LOCK_KEYS

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(conn.execute(text(f"SELECT pg_try_advisory_xact_lock({WRITER_LOCK_KEYS})")).scalar_one())
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
        raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        raw.rollback()
        return True
    except Exception as exc:  # noqa: BLE001  (sqlite3.OperationalError: database is locked)
        assert "locked" in str(exc)
        return False
    finally:
        raw.close()


def test_one_writer_at_a_time_from_the_read_of_what_is_stored(engine: Engine) -> None:
    """A second writer (a crawl beside an import) waits until the first commits, so it never acts on a stale
    view of which bills exist."""
    with Session(engine) as first:
        assert _other_writer_can_start(engine)
        Ingestor(first).ingest([IngestItem(make_record(1))])
        assert not _other_writer_can_start(engine)
        first.commit()
    assert _other_writer_can_start(engine)


def test_writers_in_two_schemas_of_one_database_do_not_wait_for_each_other(engine: Engine) -> None:
    """Trackers in two schemas of one PostgreSQL database (the test suite's workers, for one) each have their own
    writer slot: the slot was the whole database's, so one schema's import held up every other's writes, and a
    test that checked the slot free after its own commit failed while another worker imported."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's schemas")
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tracker.ingest import lock_writers

    elsewhere = db.make_engine(make_url(engine.url.render_as_string(hide_password=False))
                               .update_query_dict({"options": "-csearch_path=public"})
                               .render_as_string(hide_password=False))
    try:
        with Session(engine) as first, Session(elsewhere) as second:
            Ingestor(first).ingest([IngestItem(make_record(1))])  # this schema's writer, until it commits
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            lock_writers(second)  # another schema's writer starts at once (it waited, then timed out)
            second.rollback()
            first.commit()
    finally:
        elsewhere.dispose()


def test_two_imports_of_the_same_files_at_once_store_each_bill_once(engine: Engine) -> None:
    import threading

    folder = require_realdata("billstatus", "usgpo_samples")
    reports: list = []
    threads = [threading.Thread(target=lambda: reports.append(import_path(engine, folder, batch_size=4, workers=0,
                                                                          flag=False)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.errors for r in reports] == [[], []]
    with Session(engine) as s:
        bills = count(s, Bill)
        assert s.execute(select(func.count()).where(BillChange.kind == "new_bill")).scalar_one() == bills
    assert sum(r.result.new for r in reports) == bills


def test_text_as_wide_as_its_column_is_stored_on_every_database_and_wider_is_refused(session: Session) -> None:
    """PostgreSQL refuses text wider than a VARCHAR(n) column where SQLite stores it: the records hold each such
    field to its column's width, so both databases take the same records and a wider one is refused by name."""
    import pytest
    from pydantic import ValidationError

    from tracker.models import Hearing, HearingItem, PersonVote, VoteEvent
    from tracker.records import HearingRecord, PersonVoteRecord

    widest = BillRecord.model_validate({
        **make_record(7).model_dump(), "jurisdiction": {"id": "j" * 64, "name": "A city", "level": "local"},
        "session": {"identifier": "s" * 64, "name": "A session"}, "identifier": "I" * 64, "bill_type": "T" * 32,
        "number": "9" * 32, "classification": "c" * 32, "source_name": "n" * 64, "source_key": "k" * 255,
        "votes": [{"source_key": "v" * 255, "people": [{"option": "yes", "person_id": "p" * 64}]}]})
    hearing = HearingRecord.model_validate({
        "jurisdiction": {"id": "j" * 64, "name": "A city", "level": "local"}, "source_name": "n" * 64,
        "source_key": "h" * 255, "date": dt.date(2026, 1, 5), "time": "t" * 64, "status": "s" * 64,
        "items": [{"bill_identifier": "I" * 64, "session_identifier": "s" * 64}]})
    assert ingest(session, widest).new == 1
    assert Ingestor(session).ingest_hearings([hearing]) == 1
    session.commit()
    assert session.execute(select(Bill.classification)).scalar_one() == "c" * 32
    assert session.execute(select(PersonVote.person_id)).scalar_one() == "p" * 64
    assert count(session, VoteEvent) == 1 and count(session, Hearing) == 1
    assert session.execute(select(HearingItem.bill_id)).scalar_one() is not None  # linked by the identifier

    for field, value in (("classification", "c" * 33), ("source_name", "n" * 65)):
        with pytest.raises(ValidationError, match=field):
            make_record(8, **{field: value})
    for field, value in (("source_name", "n" * 65), ("source_key", "h" * 256), ("time", "t" * 65),
                         ("status", "s" * 65)):
        with pytest.raises(ValidationError, match=field):
            HearingRecord.model_validate({**hearing.model_dump(), field: value})
    with pytest.raises(ValidationError, match="person_id"):
        PersonVoteRecord(option="yes", person_id="p" * 65)
    with pytest.raises(ValidationError, match="bill_identifier"):
        HearingRecord.model_validate({**hearing.model_dump(), "items": [{"bill_identifier": "I" * 65}]})


def test_a_copy_restamped_upstream_with_nothing_new_leaves_a_reviewed_bill_out_of_the_inbox(session: Session
                                                                                          ) -> None:
    """GovInfo restamped S. 1260 and S. Con. Res. 7 on 2022-09-07 with nothing else changed (GPO's two snapshots
    in usgpo_samples/formatChange); H.R. 4350's later copy has new actions. A reviewed bill comes back to the
    triage inbox for what changed on it, not for a new stamp."""
    from tracker import triage
    from tracker.sources.govinfo_billstatus import parse_billstatus

    folder = require_realdata("billstatus", "usgpo_samples", "formatChange")
    names = ("BILLSTATUS-117s1260.xml", "BILLSTATUS-117sconres7.xml", "BILLSTATUS-117hr4350.xml")
    read = {gen: [parse_billstatus((folder / gen / n).read_bytes(), n) for n in names] for gen in ("current", "future")}
    ingest(session, *read["current"])
    staff = User(email="staff@example.org", name="Staff", role="staff", password_hash="x")
    session.add(staff)
    session.commit()
    ids = dict(session.execute(select(Bill.identifier, Bill.id)).all())
    triage.mark_reviewed(session, actor=staff, bill_ids=list(ids.values()))
    session.commit()
    before = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())

    result = ingest(session, *read["future"])
    assert result.updated == 3  # every new stamp is stored: an older copy can no longer roll a bill back
    stamps = dict(session.execute(select(Bill.identifier, BillSource.upstream_updated_at)
                                  .join(BillSource, BillSource.bill_id == Bill.id)).all())
    assert stamps == {r.identifier: r.upstream_updated_at for r in read["future"]}
    after = dict(session.execute(select(Bill.identifier, Bill.last_changed_at)).all())
    assert after["S 1260"] == before["S 1260"] and after["SCONRES 7"] == before["SCONRES 7"]
    assert after["HR 4350"] > before["HR 4350"]  # the inbox rule: changed after the review
