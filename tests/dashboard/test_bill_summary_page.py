"""The bill page's summary: whole, however long, and a long one opening with its first paragraphs rather than
filling the page. CRS summaries of omnibus bills run long: 117th H.R. 3684's is 55,194 characters in 437
paragraphs, of which the page showed the first 20,000 without a word, in an expander open by default that took
some 13,000 px of a wide screen."""

from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded, record
from sqlalchemy import select
from sqlmodel import Session

from dashboard.components.render import md
from tracker.ingest import IngestItem, Ingestor
from tracker.models import Bill

PARAGRAPH = "This title provides funding for broadband deployment grants to states and tribes. " * 5


def _bill(session: Session, number: int, summary: str) -> int:
    Ingestor(session).ingest([IngestItem(record(number, summary_text=summary))])
    session.commit()
    return session.execute(select(Bill.id).where(Bill.identifier == f"HR {number}")).scalar_one()


def _summary_expanders(at):  # type: ignore[no-untyped-def]
    return {e.proto.label: e.proto.expanded for e in at.expander if "summary" in e.proto.label.lower()}


def test_a_long_summary_opens_with_its_first_paragraphs_and_the_whole_of_it_is_a_click_away(
        session: Session, seeded: Seeded) -> None:
    summary = "\n\n".join([f"Division {n}. {PARAGRAPH}" for n in range(1, 80)] + ["The last paragraph, LAST-WORDS."])
    assert len(summary) > 30_000
    bill = _bill(session, 301, summary)
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    shown = texts(at)
    assert md("The last paragraph, LAST-WORDS.") in shown  # the whole summary, not its first 20,000 characters
    assert md("Division 1. This title") in shown
    words = len(summary.split())
    assert _summary_expanders(at) == {f"The whole summary ({words:,} words)": False}  # closed: a click away
    opening = next(m.value for m in at.markdown if m.value.startswith(md("Division 1.")))
    assert md("Division 3.") in opening and "LAST" not in opening and len(opening) < 3_000


def test_a_short_summary_is_shown_whole_as_before(session: Session, seeded: Seeded) -> None:
    bill = _bill(session, 302, "Requires a study of broadband maps.")
    at = signed_in(seeded.users["council"], "views/bill.py", query={"id": str(bill)})
    no_exception(at)
    assert _summary_expanders(at) == {"Summary": True}
    assert md("Requires a study of broadband maps.") in texts(at)
