"""A long paragraph is set in pieces (ReportLab's time grows with the square of a paragraph's length), and the
reader must not see where: a piece ends at one of the text's own line breaks when there is one, and pieces are
set without the gap that separates paragraphs. Real text: the Legislative Counsel's digest of California's AB 1
(1999-2000 First Extraordinary Session), 6,782 characters in one block of 16 lines, from pubinfo."""

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tracker.exports.branding import Branding
from tracker.exports.packet import gather_packet
from tracker.exports.pdf import PARAGRAPH_CHARS, Layout, _pieces
from tracker.importer import import_path
from tracker.models import Bill, LegislativeSession

pytestmark = pytest.mark.realdata


def _digest(engine: Engine) -> tuple[int, str]:
    import_path(engine, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999"),
                flag=False)
    with Session(engine) as s:
        bill_id, summary = s.execute(select(Bill.id, Bill.summary_text).join(
            LegislativeSession, LegislativeSession.id == Bill.session_id).where(
            Bill.identifier == "AB 1", LegislativeSession.identifier == "19992000s1")).one()
    return bill_id, summary


def test_a_long_digest_is_cut_at_its_own_line_breaks_and_set_without_paragraph_gaps(engine: Engine) -> None:
    bill_id, summary = _digest(engine)
    assert len(summary) > 2 * PARAGRAPH_CHARS and "\n\n" not in summary
    pieces = _pieces(summary)
    assert len(pieces) >= 3 and all(len(p) <= PARAGRAPH_CHARS for p in pieces)
    assert "\n".join(pieces) == summary  # each cut where the digest starts a line anyway: no sentence broken

    with Session(engine) as s:
        packet = gather_packet(s, [bill_id], title="t", selection="", criteria={}, branding=Branding())
    layout = Layout(packet)
    flowables = layout._paragraphs(summary, layout.s["body"])
    assert len(flowables) == len(pieces)
    assert [f.style.spaceAfter for f in flowables] == [0] * (len(pieces) - 1) + [layout.s["body"].spaceAfter]


def test_a_block_without_line_breaks_is_cut_after_a_sentence_where_it_can() -> None:
    sentence = "The Secretary shall publish guidance on automated decision systems within 180 days. "
    block = (sentence * 80).strip()
    pieces = _pieces(block)
    assert all(p.endswith(".") for p in pieces) and " ".join(pieces) == block
