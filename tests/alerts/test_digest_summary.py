"""A digest about more bills than anyone reads (the first one after a whole-Congress import) summarises: counts by
kind, the bills with a council position or on a watchlist first, a link to the dashboard for the rest. The bills
are the first 300 of the real 117th Congress BILLSTATUS archive, imported as `tracker import` imports them."""

import html
import tarfile
from pathlib import Path

import pytest
from realdata_paths import require_realdata
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.alerts.conftest import Mailbox
from tracker import positions, watchlists
from tracker.alerts import subscriptions
from tracker.alerts.delivery import run_alerts
from tracker.alerts.events import collect_events
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.importer import import_path
from tracker.models import Bill, Jurisdiction
from tracker.references import bill_reference
from tracker.users import add_user

pytestmark = pytest.mark.realdata
BILLS = 300
CAP = 5


def _first_bills(folder: Path, n: int) -> Path:
    with tarfile.open(require_realdata("billstatus", "congress117", "c117_all.tar.gz"), "r|gz") as tar:
        for member in tar:
            if member.name.endswith("/fdsys_billstatus.xml"):
                (folder / f"{member.name.split('/')[-2]}.xml").write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                n -= 1
                if not n:
                    return folder
    raise AssertionError("the archive holds fewer bills")


def test_a_digest_of_hundreds_of_bills_lists_the_followed_ones_and_counts_the_rest(
        engine: Engine, session: Session, smtp: Mailbox, tmp_path: Path) -> None:
    # Sam follows every federal bill; the first import of a Congress made one daily digest of thousands of lines.
    ada = add_user(session, email="ada@chamber.example", role="admin")
    subscriptions.unsubscribe(session, user=ada)
    sam = add_user(session, email="sam@chamber.example", role="staff", name="Sam Staff")
    session.add(Jurisdiction(id="us", name="United States", level="federal"))  # as the import writes it
    subscriptions.subscribe(session, user=sam, kind="jurisdiction", target="us", cadence="daily")
    collect_events(session)  # alerts were running before the import
    session.commit()
    assert import_path(engine, _first_bills(tmp_path, BILLS)).ok
    session.commit()
    bills = session.execute(select(Bill.id, Bill.identifier, Bill.title).order_by(Bill.identifier)).all()
    assert len(bills) == BILLS
    opposed, watched = bills[-1], bills[-2]  # last in the digest's order by number
    positions.set_position(session, actor=ada, bill_id=opposed.id, stance="Oppose", priority="High",
                           expected_version=None)
    mine = watchlists.create_watchlist(session, actor=ada, name="Meetings")
    watchlists.add_bills(session, actor=ada, watchlist_id=mine.id, bill_ids=[watched.id])
    session.commit()

    cfg = alert_settings(doc={"alerts": {"digest_max_bills": CAP}})
    report = run_alerts(engine, smtp=smtp_settings(), cfg=cfg, everything=True)
    assert report.sent == 1
    [message] = smtp.messages
    text = message.get_body(("plain",)).get_content()
    page = message.get_body(("html",)).get_content()
    updates = BILLS + 1  # a new bill each, and the council's position on one
    assert message["Subject"] == f"Policy Tracker: {updates} updates on {BILLS} bills"
    assert f"{updates} updates on {BILLS} bills you follow: more than {CAP} bills, so this email lists {CAP}" in text
    assert f"By kind: New bill {BILLS} · Position changed 1\n" in text.replace("\r\n", "\n")
    listed = [line for line in text.splitlines() if "(117th Congress): " in line]
    assert len(listed) == CAP and len(text.splitlines()) < 60  # not a line per bill
    assert listed[0].startswith(f"{bill_reference('us', '117', opposed.identifier)}: ") and listed[1].startswith(
        f"{bill_reference('us', '117', watched.identifier)}: ")  # the council's position, then the watchlist first
    assert "Council position: Oppose (High priority)" in text
    rest = f"{BILLS - CAP} more bills with {BILLS - CAP} updates are not listed here; find them on the dashboard " \
           "(Overview, Search): https://tracker.chamber.example/overview"
    assert rest in text
    # The HTML part says the same, upstream titles escaped.
    assert f"By kind: New bill {BILLS} · Position changed 1" in page and html.escape(rest.rsplit(" ", 1)[0]) in page
    assert '<a href="https://tracker.chamber.example/overview">' in page
    assert page.count("<h3") == CAP
    for _, _, title in (opposed, watched):
        assert html.escape(title) in page
