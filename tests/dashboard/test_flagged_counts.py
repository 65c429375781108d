"""The overview's "Flagged for the council" and the triage inbox's views count the same flagged bills, and say what
they count: the overview showed 658 where the inbox's "All flagged" showed 663, the five bills staff had
dismissed, with nothing saying so. On the real GovInfo BILLSTATUS samples, flagged by the shipped topics."""

import pytest
from apptest_helpers import no_exception, signed_in, texts
from dash_fixtures import Seeded
from realdata_paths import require_realdata
from sqlalchemy import Engine
from sqlmodel import Session

from tracker import overview, triage
from tracker.importer import import_path
from tracker.matching.topics import load_topics

pytestmark = pytest.mark.realdata


def test_the_overview_and_the_inbox_agree_on_what_is_flagged(engine: Engine, session: Session,
                                                              seeded: Seeded) -> None:
    load_topics(session, rescore=False)
    session.commit()
    assert import_path(engine, require_realdata("billstatus", "usgpo_samples"), batch_size=20).errors == []
    flagged, _ = triage.inbox(session, triage.InboxFilter(), limit=5)
    staff = seeded.users["staff"]
    triage.dismiss(session, actor=staff, bill_ids=[flagged[0]["id"], flagged[1]["id"]], reason="Naming bill")
    triage.mark_reviewed(session, actor=staff, bill_ids=[flagged[2]["id"]])
    session.commit()

    figures = overview.counts(session)
    not_dismissed = triage.count_inbox(session, triage.InboxFilter(view="flagged"))
    everything = triage.count_inbox(session, triage.InboxFilter(view="all"))
    assert figures["flagged_dismissed"] == 2 == triage.count_inbox(session, triage.InboxFilter(view="dismissed"))
    assert figures["flagged"] == not_dismissed == everything - 2
    # The new and the reviewed are the flagged bills not dismissed.
    assert not_dismissed == (triage.count_inbox(session, triage.InboxFilter(view="inbox"))
                             + triage.count_inbox(session, triage.InboxFilter(view="reviewed")))

    page = signed_in(seeded.users["council"], "views/overview.py")
    no_exception(page)
    metric = next(m for m in page.metric if m.label == "Flagged for the council")
    assert metric.value == f"{not_dismissed:,}" and "Flagged, not dismissed" in metric.proto.help
    assert f"Not counting 2 dismissed in triage ({everything:,} flagged in all)." in texts(page)

    inbox = signed_in(staff, "views/triage.py")
    assert inbox.selectbox(key="f_view").options == [
        "Flagged since last review", "Reviewed", "Dismissed", "Flagged, not dismissed",
        "All flagged, dismissed included"]
    inbox.selectbox(key="f_view").select("flagged").run()
    no_exception(inbox)
    assert f"**{not_dismissed:,}** bills" in texts(inbox)
    inbox.selectbox(key="f_view").select("all").run()
    assert f"**{everything:,}** bills" in texts(inbox)
