"""A council member's digest says where the council stands on each bill and leads with the bills that changed
stage: the weekly read of "what moved on what we support and oppose"."""

from sqlalchemy import select

from tests.alerts.conftest import Mailbox, World, bill_record
from tests.alerts.test_digests import _send, _to
from tracker import positions
from tracker.alerts import subscriptions
from tracker.models import Bill
from tracker.users import add_user


def test_the_digest_names_the_council_position_and_leads_with_stage_changes(world: World, smtp: Mailbox) -> None:
    # Cora followed Support, Oppose and Needs decision (her role's defaults). The digest listed bills by number
    # without the council's position, so a bill we oppose passing the House sat below a new action on a bill we
    # support, and nothing in it said which side we were on.
    s = world.session
    cora = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.apply_role_defaults(s, user=cora)
    world.store(bill_record(701, "Broadband Mapping Act"), bill_record(702, "Artificial Intelligence Liability Act"))
    ids = dict(s.execute(select(Bill.identifier, Bill.id)).all())
    positions.set_position(s, actor=world.staff, bill_id=ids["HR 701"], stance="Support", priority="Medium",
                           expected_version=None)
    positions.set_position(s, actor=world.staff, bill_id=ids["HR 702"], stance="Oppose", priority="High",
                           rationale="Strict liability for <b>model developers</b>.", expected_version=None)
    s.commit()
    assert _send(world).failed == 0  # the position changes: Cora's first digest
    world.store(bill_record(701, "Broadband Mapping Act", actions=[("2026-03-05", "Hearing held.")]),
                bill_record(702, "Artificial Intelligence Liability Act", stage="passed_origin_chamber",
                            actions=[("2026-03-06", "Passed House.")]))
    assert _send(world).failed == 0
    mail = _to(smtp, "cora@chamber.example")[-1]
    text = mail.get_body(("plain",)).get_content()
    lines = text.splitlines()
    first = lines.index("H.R. 702 (119th Congress): Artificial Intelligence Liability Act")
    assert first < lines.index("H.R. 701 (119th Congress): Broadband Mapping Act")  # the stage change leads
    assert lines[first + 1] == "  Council position: Oppose (High priority)"
    assert lines[first + 3] == "  - Stage change: introduced → passed its first chamber"
    assert "  Council position: Support (Medium priority)" in lines
    html = mail.get_body(("html",)).get_content()
    assert "Council position: <strong>Oppose</strong> (High priority)" in html
    assert html.index("H.R. 702") < html.index("H.R. 701")


def test_a_bill_sent_to_the_president_says_by_when_he_acts(world: World, smtp: Mailbox) -> None:
    # The stage change told Cora the bill we support went to the President, not that she had until 26 August to
    # ask for his signature (ten days, Sundays excepted, from its presentment on 15 August 2022).
    from presented_bills import as_presented, before_presentment, inflation_reduction_act

    s = world.session
    cora = add_user(s, email="cora@chamber.example", role="council", name="Cora Council")
    subscriptions.unsubscribe(s, user=world.admin)
    subscriptions.apply_role_defaults(s, user=cora)
    record = inflation_reduction_act()
    world.store(before_presentment(record))
    bill_id = s.execute(select(Bill.id).where(Bill.identifier == "HR 5376")).scalar_one()
    positions.set_position(s, actor=world.staff, bill_id=bill_id, stance="Support", priority="High",
                           expected_version=None)
    s.commit()
    assert _send(world).failed == 0
    world.store(as_presented(record))
    assert _send(world).failed == 0
    text = _to(smtp, "cora@chamber.example")[-1].get_body(("plain",)).get_content()
    assert ("  - Stage change: passed both chambers → sent to the executive; the President acts by "
            "Fri 26 Aug 2022") in text.splitlines(), text
