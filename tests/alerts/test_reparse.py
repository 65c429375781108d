"""`tracker import --reparse` stores corrections quietly (README): no change records, and no alerts, a bill
the corrected reading flags included. Real BILLSTATUS file, real import, a real SMTP server."""

from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlmodel import Session

from tests.alerts.conftest import Mailbox
from tests.realdata_paths import require_realdata
from tracker.alerts import subscriptions
from tracker.alerts.delivery import run_alerts
from tracker.alerts.events import collect_events
from tracker.alerts.settings import alert_settings, smtp_settings
from tracker.importer import import_path
from tracker.matching.topics import load_topics
from tracker.models import Bill, BillMatch, BillSource, Topic
from tracker.users import add_user

RURAL_CALLS = ("billstatus", "usgpo_samples", "legacy", "BILLSTATUS-114hr2566.xml")  # flagged for broadband


def _send(engine: Engine):  # type: ignore[no-untyped-def]
    return run_alerts(engine, everything=True, smtp=smtp_settings(), cfg=alert_settings())


def test_a_bill_flagged_by_a_corrected_reading_is_not_news(engine: Engine, session: Session, smtp: Mailbox,
                                                              tmp_path: Path) -> None:
    source = require_realdata(*RURAL_CALLS)
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    load_topics(session)
    ada = add_user(session, email="ada@chamber.example", role="admin")
    subscriptions.unsubscribe(session, user=ada)  # no role defaults: only Sam's subscription counts here
    sam = add_user(session, email="sam@chamber.example", role="staff")
    subscriptions.subscribe(session, user=sam, kind="topic", target="broadband", cadence="instant")
    collect_events(session)  # alerts were running before the import
    session.commit()

    assert import_path(engine, copy).errors == []
    # What an older parser might have stored, before any alert run saw the bill: no title, so no flag.
    bill_id = session.execute(update(Bill).values(title="(not read)", short_title=None, popular_title=None,
                                                  summary_text=None).returning(Bill.id)).scalar_one()
    session.execute(delete(BillMatch).where(BillMatch.bill_id == bill_id))
    session.execute(update(BillSource).values(content_hash="read by an older parser"))
    session.commit()
    assert _send(engine).sent == 0  # a new bill, flagged for nothing: nothing for Sam

    report = import_path(engine, copy, reparse=True)
    assert report.result.corrected == 1
    session.expire_all()
    flagged = session.execute(select(Topic.slug).join(BillMatch, BillMatch.topic_id == Topic.id)
                              .where(BillMatch.bill_id == bill_id, BillMatch.flagged)).scalars().all()
    assert "broadband" in flagged  # the corrected reading flags it...
    assert _send(engine).sent == 0 and smtp.messages == []  # ...quietly
