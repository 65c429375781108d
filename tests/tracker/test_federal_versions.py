"""A federal bill's text versions are the union of what both Library of Congress feeds know.

GovInfo BILLSTATUS lists each version with its GovInfo XML only; the Congress.gov API lists the same versions with
PDF, HTML and formatted-text renditions too. Whichever feed owns the bill (docs/sources.md: the newer upstream
copy of the two equal-rank feeds), every rendition of every version either feed knows is kept. Real H.R. 21
(117th Congress) from both feeds.
"""

import pytest
from hr21_feeds import hr21_from_api, hr21_from_billstatus
from sqlalchemy import func, select
from sqlmodel import Session

from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill, BillChange, BillVersion
from tracker.records import BillRecord

pytestmark = pytest.mark.realdata

PKG = "https://www.govinfo.gov/content/pkg/BILLS-117hr21{code}/xml/BILLS-117hr21{code}.xml"
CONGRESS_GOV = "https://www.congress.gov/117/bills/hr21/BILLS-117hr21{code}.{ext}"


@pytest.fixture(scope="module")
def api_record() -> BillRecord:
    return hr21_from_api()


@pytest.fixture(scope="module")
def billstatus_record() -> BillRecord:
    return hr21_from_billstatus()


def ingest(session: Session, *records: BillRecord) -> None:
    Ingestor(session).ingest([IngestItem(r) for r in records])
    session.commit()


def stored_versions(session: Session) -> dict[str | None, BillVersion]:
    session.expire_all()
    return {v.code: v for v in session.execute(select(BillVersion)).scalars()}


def link_urls(version: BillVersion) -> set[str]:
    return {link["url"] for link in version.links}


def assert_union(session: Session) -> None:
    versions = stored_versions(session)
    assert set(versions) == {"ih", "eh", "rfs"}
    for code, version in versions.items():
        assert version.url == PKG.format(code=code)
        # BILLSTATUS's XML and every rendition the API lists: PDF, formatted text, generated HTML, XML.
        assert link_urls(version) >= {PKG.format(code=code), CONGRESS_GOV.format(code=code, ext="pdf"),
                                      CONGRESS_GOV.format(code=code, ext="htm"),
                                      CONGRESS_GOV.format(code=code, ext="xml")}
        assert {link["format"] for link in version.links} == {"xml", "html", "pdf"}
    assert (versions["ih"].label, str(versions["ih"].date)) == ("Introduced in House", "2021-01-04")
    assert (versions["rfs"].label, str(versions["rfs"].date)) == ("Referred in Senate", "2021-01-06")


def test_the_api_renditions_survive_when_billstatus_owns_the_bill(
        session: Session, api_record: BillRecord, billstatus_record: BillRecord) -> None:
    # BILLSTATUS's copy is the newer upstream record, so it owns the bill in either order.
    assert billstatus_record.upstream_updated_at > api_record.upstream_updated_at  # type: ignore[operator]
    ingest(session, billstatus_record)
    ingest(session, api_record)
    assert session.execute(select(Bill.source_name)).scalar_one() == "govinfo_billstatus"
    assert_union(session)
    # The API told nothing new: no change is recorded beyond the new bill.
    assert session.execute(select(BillChange.kind)).scalars().all() == ["new_bill"]


def test_in_the_other_order_too(session: Session, api_record: BillRecord, billstatus_record: BillRecord) -> None:
    ingest(session, api_record)
    ingest(session, billstatus_record)  # takes the bill over: newer upstream copy
    assert session.execute(select(Bill.source_name)).scalar_one() == "govinfo_billstatus"
    assert_union(session)


@pytest.mark.parametrize("api_first", [True, False])
def test_both_feeds_in_one_batch(session: Session, api_record: BillRecord, billstatus_record: BillRecord,
                                 api_first: bool) -> None:
    ingest(session, *((api_record, billstatus_record) if api_first else (billstatus_record, api_record)))
    assert_union(session)


def test_reingesting_either_feed_changes_nothing(session: Session, api_record: BillRecord,
                                                 billstatus_record: BillRecord) -> None:
    ingest(session, billstatus_record)
    ingest(session, api_record)
    before = {code: (v.id, v.links, v.label, v.date) for code, v in stored_versions(session).items()}
    for record in (billstatus_record, api_record, billstatus_record):
        result = Ingestor(session).ingest([IngestItem(record)])
        session.commit()
        assert (result.new, result.updated, result.unchanged) == (0, 0, 1)
    assert {code: (v.id, v.links, v.label, v.date) for code, v in stored_versions(session).items()} == before


def test_a_version_only_one_feed_knows_stays_when_the_other_reingests(
        session: Session, api_record: BillRecord, billstatus_record: BillRecord) -> None:
    # The API publishes the engrossed text before GovInfo's BILLSTATUS lists it (written here: the BILLSTATUS
    # record less its "eh" version, otherwise as received).
    lagging = billstatus_record.model_copy(update={
        "versions": [v for v in billstatus_record.versions if v.code != "eh"]})
    ingest(session, lagging)
    ingest(session, api_record)
    assert set(stored_versions(session)) == {"ih", "eh", "rfs"}
    # The owner's feed delivers its record again (a correction): the version only the API knows stays...
    corrected = lagging.model_copy(update={"title": lagging.title + " "})
    ingest(session, corrected)
    versions = stored_versions(session)
    assert set(versions) == {"ih", "eh", "rfs"}
    assert CONGRESS_GOV.format(code="eh", ext="pdf") in link_urls(versions["eh"])
    assert PKG.format(code="ih") in link_urls(versions["ih"])
    # ...and a rendition is dropped only by the feed that gave it: the API's record without "eh" removes it,
    # since no feed knows it any more.
    api_without = api_record.model_copy(update={"versions": [v for v in api_record.versions if v.code != "eh"],
                                                "title": api_record.title + " "})
    ingest(session, api_without)
    assert set(stored_versions(session)) == {"ih", "rfs"}
    assert session.execute(select(func.count()).select_from(BillVersion)).scalar_one() == 2


def test_a_version_the_api_adds_to_a_bill_billstatus_owns_is_news(
        session: Session, api_record: BillRecord, billstatus_record: BillRecord) -> None:
    lagging = billstatus_record.model_copy(update={
        "versions": [v for v in billstatus_record.versions if v.code != "rfs"]})
    ingest(session, lagging)
    ingest(session, api_record)
    changes = session.execute(select(BillChange.kind, BillChange.after)).all()
    assert [(kind, after and after.get("label")) for kind, after in changes] == [
        ("new_bill", None), ("new_version", "Referred in Senate")]


def test_links_stored_before_they_named_their_feed_belong_to_the_owner_of_then(
        session: Session, api_record: BillRecord, billstatus_record: BillRecord) -> None:
    ingest(session, billstatus_record)
    # As stored by the tracker before renditions carried the feeds that listed them.
    for version in stored_versions(session).values():
        version.links = [{"format": link["format"], "url": link["url"]} for link in version.links]
    session.commit()
    ingest(session, api_record)
    assert_union(session)
    ingest(session, billstatus_record.model_copy(update={"title": billstatus_record.title + " "}))
    assert_union(session)
    for version in stored_versions(session).values():
        assert all(link["sources"] for link in version.links)
