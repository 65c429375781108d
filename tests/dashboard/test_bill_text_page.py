"""The bill page's current text: the latest version with a web link, its label and date, a button to its PDF and
to its HTML or formatted text, every version's renditions, and the stored text where a feed gives it."""

import datetime as dt
import tarfile

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from realdata_paths import require_realdata
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tests.tracker.test_ingest import ingest, make_record
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill
from tracker.records import VersionRecord
from tracker.sources.congress_api import parse_bill
from tracker.sources.govinfo_billstatus import parse_billstatus

PARTS = ("actions", "cosponsors", "committees", "subjects", "summaries", "text", "titles", "relatedbills")
HR21 = "https://www.congress.gov/117/bills/hr21/BILLS-117hr21{code}.{ext}"


def link_buttons(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {button.proto.label: button.proto.url for button in at.get("link_button")}


@pytest.mark.realdata
def test_the_current_text_of_a_bill_from_both_federal_feeds(session: Session, seeded: Seeded) -> None:
    api = require_realdata("congressgov_api")
    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        member = next(m for m in tar if m.name.endswith("/hr/hr21/fdsys_billstatus.xml"))
        billstatus = parse_billstatus(tar.extractfile(member).read(), member.name)  # type: ignore[union-attr]
    Ingestor(session).ingest([IngestItem(billstatus)])
    Ingestor(session).ingest([IngestItem(parse_bill(
        (api / "bill_117_hr_21.json").read_bytes(),
        {name: [(api / f"bill_117_hr_21_{name}.json").read_bytes()] for name in PARTS},
        "https://api.congress.gov/v3/bill/117/hr/21"))])
    session.commit()
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 21")).scalar_one()
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    assert md("Referred in Senate · 2021-01-06") in texts(at)
    assert link_buttons(at) == {"PDF": HR21.format(code="rfs", ext="pdf"), "HTML": HR21.format(code="rfs", ext="htm")}
    table = next(df.value for df in at.dataframe if "version" in df.value.columns)
    assert list(table["version"]) == ["Introduced in House", "Engrossed in House", "Referred in Senate"]
    assert list(table["PDF"]) == [HR21.format(code=c, ext="pdf") for c in ("ih", "eh", "rfs")]
    assert list(table["HTML/TXT"]) == [HR21.format(code=c, ext="htm") for c in ("ih", "eh", "rfs")]
    assert table["XML"].iloc[0] == HR21.format(code="ih", ext="xml")


def test_stored_text_is_shown_and_only_web_links_are_offered(session: Session, seeded: Seeded) -> None:
    # Hand-built (our record schema: a federal feed stores no text): the latest version's only links are not
    # web links, so the engrossed text, which has a PDF, is the current one; its stored text is shown as text.
    versions = [
        VersionRecord(label="Introduced in House", url="https://example.test/hr8803ih.xml", date=dt.date(2021, 3, 1),
                      text="first words"),
        VersionRecord(label="Engrossed in House", url="https://example.test/hr8803eh.xml", date=dt.date(2021, 5, 2),
                      links=[{"format": "pdf", "url": "https://example.test/hr8803eh.pdf"}],
                      text="SECTION 1. **Not markdown** <b>nor HTML</b>"),
        VersionRecord(label="Enrolled Bill", url="javascript:alert(1)",
                      links=[{"format": "pdf", "url": "javascript:alert(2)"},
                             {"format": "html", "url": "data:text/html,<script>alert(3)</script>"}]),
    ]
    ingest(session, make_record(8803, versions=versions))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8803")).scalar_one()
    at = signed_in(seeded.users["staff"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    assert md("Engrossed in House · 2021-05-02") in texts(at)
    assert link_buttons(at) == {"PDF": "https://example.test/hr8803eh.pdf"}
    assert "javascript:" not in texts(at) and "data:text" not in texts(at)
    shown = [t.value for t in at.get("text")]
    assert "SECTION 1. **Not markdown** <b>nor HTML</b>" in shown  # as plain text, not rendered
    assert any(e.label.startswith("Text of Engrossed in House") for e in at.expander)


def test_a_version_label_cannot_put_markdown_in_the_text_expander(session: Session, seeded: Seeded) -> None:
    # Expander labels are Markdown (links and images included): a feed's version label reached it raw, so an
    # image from any server loaded in the browser of everyone who opened the bill.
    label = "Amended ![x](https://evil.example/t.png) [click](https://evil.example/)"
    ingest(session, make_record(8804, versions=[VersionRecord(label=label, url="https://example.test/8804.xml",
                                                              date=dt.date(2021, 3, 1), text="words")]))
    bill = session.execute(select(Bill.id).where(Bill.identifier == "HR 8804")).scalar_one()
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    labels = [e.label for e in at.expander]
    assert f"Text of {md(label)} \\(2021\\-03\\-01\\)" in labels, labels
    assert not any("](" in shown for shown in labels), labels


def test_the_redline_compares_a_bounded_number_of_words() -> None:
    # difflib's matcher (autojunk off) costs about the square of the words compared, worse the fewer distinct
    # words there are: the bill page compared whole texts on every run, so a feed's two versions of 100,000
    # repetitive words held the page (and a server thread) for minutes for everyone who opened the bill.
    from dashboard.components.render import REDLINE_WORDS, change_ratio, redline

    head = " ".join(f"w{i}" for i in range(REDLINE_WORDS))
    old, new = f"{head} OLDTAIL", f"{head} NEWTAIL"
    assert "TAIL" not in redline(old, new) and change_ratio(old, new) == 1.0
    assert "NEWTAIL" in redline("w0 OLDTAIL", "w0 NEWTAIL")
