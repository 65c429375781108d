"""Selections resolve to ordered bill ids in SQL, and every name they use is checked."""

import pytest
from export_fixtures import Seeded
from sqlalchemy import select
from sqlmodel import Session

from tracker.exports import Selection, SelectionError, build_packet, resolve_bill_refs, resolve_selection
from tracker.models import Bill, LegislativeSession, User
from tracker.permissions import PermissionDenied
from tracker.queries import BillFilter


def ids(session: Session, **kw: object) -> list[int]:
    return resolve_selection(session, Selection(**kw)).bill_ids  # type: ignore[arg-type]


def test_topic_and_position_combine_and_the_council_priority_orders(session: Session, seeded: Seeded) -> None:
    got = resolve_selection(session, Selection(topics=("ai",), positions=("support",)))
    i = seeded.ids
    assert got.bill_ids == [i["hostile"], i["ca"], i["robotics"]]  # High, Medium, Low
    assert got.description == "Topic: Artificial intelligence · Position: Support"
    assert got.criteria["topics"] == ["ai"] and got.criteria["positions"] == ["Support"]


def test_a_topic_counts_only_flagged_matches(session: Session, seeded: Seeded) -> None:
    assert seeded.ids["plain"] not in ids(session, topics=("Artificial Intelligence",))  # by name too
    assert set(ids(session, topics=("ai", "privacy"))) == {
        seeded.ids[k] for k in ("hostile", "robotics", "ca", "privacy")
    }


def test_jurisdiction_priority_watchlist_and_filter(session: Session, seeded: Seeded) -> None:
    i = seeded.ids
    assert ids(session, jurisdictions=("CA",)) == [i["ca"]]
    assert set(ids(session, priorities=("high",))) == {i["hostile"], i["privacy"]}
    assert set(ids(session, watchlists=("q3 meetings",))) == {i["privacy"], i["plain"]}
    assert ids(session, watchlists=(str(seeded.watchlist.id),), positions=("Oppose unless amended",)) == [i["privacy"]]
    assert ids(session, filter=BillFilter(stage=("introduced",))) == [i["robotics"]]
    assert ids(session, filter=BillFilter(text="ROBOTICS")) == [i["robotics"]]
    assert set(ids(session, filter=BillFilter(session="117"), positions=("support",))) == {
        i["hostile"],
        i["robotics"],
    }


def test_explicit_bills_keep_their_order_unless_another_is_asked(session: Session, seeded: Seeded) -> None:
    i = seeded.ids
    wanted = (i["plain"], i["hostile"], i["privacy"])
    assert ids(session, bills=wanted) == list(wanted)
    assert ids(session, bills=wanted, order="recent") == [i["plain"], i["privacy"], i["hostile"]]
    assert ids(session, bills=wanted, order="identifier") == [i["hostile"], i["privacy"], i["plain"]]
    assert ids(session, bills=wanted, order="priority", limit=2) == [i["privacy"], i["hostile"]]


def test_all_bills_must_be_asked_for(session: Session, seeded: Seeded) -> None:
    with pytest.raises(SelectionError, match="Say which bills"):
        resolve_selection(session, Selection())
    assert len(ids(session, all_bills=True)) == 5


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"topics": ("a1",)}, "No topic 'a1'; known topics: ai, privacy"),
        ({"positions": ("suport",)}, "No position 'suport'; positions: "),
        ({"priorities": ("urgent",)}, "priorities: High, Medium, Low"),
        ({"jurisdictions": ("tx",)}, "No jurisdiction 'tx'; stored: ca, us"),
        ({"watchlists": ("Q4",)}, "No watchlist 'Q4'; watchlists: Q3 meetings"),
        ({"bills": (999_999,)}, "No bill with id 999999"),
        ({"all_bills": True, "order": "random"}, "Unknown order 'random'"),
    ],
)
def test_unknown_names_are_refused_with_what_exists(
    session: Session, seeded: Seeded, kw: dict[str, object], message: str
) -> None:
    with pytest.raises(SelectionError) as exc:
        resolve_selection(session, Selection(**kw))  # type: ignore[arg-type]
    assert message in str(exc.value)


def test_bill_references_as_people_type_them(session: Session, seeded: Seeded) -> None:
    i = seeded.ids
    assert resolve_bill_refs(session, ["hr2", "AB 5", str(i["plain"])]) == [i["privacy"], i["ca"], i["plain"]]
    with pytest.raises(SelectionError, match="No bill matches 'HR 404'"):
        resolve_bill_refs(session, ["HR 404"])


def test_another_persons_private_watchlist_is_neither_exported_nor_named(session: Session, seeded: Seeded) -> None:
    owner = session.get(User, seeded.watchlist.owner_id)
    other = User(email="lobby@chamber.example", role="lobbyist")
    session.add(other)
    seeded.watchlist.shared = False
    session.commit()
    for user_id in (None, other.id):  # the command line without --owner; another person
        with pytest.raises(SelectionError) as refused:
            ids(session, watchlists=("Q3 meetings",), user_id=user_id)
        assert "No watchlist 'Q3 meetings'" in str(refused.value) and "Q3" not in str(refused.value).split(";")[1]
    assert set(ids(session, watchlists=("Q3 meetings",), user_id=owner.id)) == {  # type: ignore[union-attr]
        seeded.ids["privacy"], seeded.ids["plain"]}


def test_the_export_service_checks_the_role_and_reads_private_lists_as_the_exporter(
        session: Session, seeded: Seeded) -> None:
    owner = session.get(User, seeded.watchlist.owner_id)
    council = User(email="council@chamber.example", role="council")
    session.add(council)
    seeded.watchlist.shared = False
    session.commit()
    with pytest.raises(PermissionDenied, match="council"):
        build_packet(session, Selection(bills=(seeded.ids["plain"],)), "csv", actor=council)
    # The dashboard's own list, whatever user id the selection carried.
    csv = build_packet(session, Selection(watchlists=("Q3 meetings",), user_id=council.id), "csv", actor=owner)
    assert csv.count(b"\n") == 3  # a header and the list's two bills


@pytest.mark.realdata
def test_a_number_in_two_sessions_is_refused_naming_each_bills_session(engine: object) -> None:
    """Real pubinfo rows: AB 1 of the 1999-2000 regular session and of its First Extraordinary Session."""
    from realdata_paths import require_realdata

    from tracker.alerts.subscriptions import SubscriptionError, resolve_target
    from tracker.importer import import_path

    import_path(engine, require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999"),
                flag=False)  # type: ignore[arg-type]
    with Session(engine) as s:  # type: ignore[arg-type]
        ids = dict(s.execute(select(LegislativeSession.identifier, Bill.id).join(
            LegislativeSession, LegislativeSession.id == Bill.session_id).where(Bill.identifier == "AB 1")).all())
        named = [f"{ids['19992000s1']} (ca 19992000s1 AB 1)", f"{ids['19992000']} (ca 19992000 AB 1)"]
        with pytest.raises(SelectionError) as refused:
            resolve_bill_refs(s, ["AB 1"])
        assert all(n in str(refused.value) for n in named), str(refused.value)
        with pytest.raises(SubscriptionError) as refused_alert:
            resolve_target(s, user=User(email="x@example.org", role="staff"), kind="bill", target="ab1")
        assert all(n in str(refused_alert.value) for n in named), str(refused_alert.value)
