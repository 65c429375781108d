"""Bills on the executive's desk: the last day to act, counted by each constitution's rule, on real bills."""

import datetime as dt

from presented_bills import as_presented, inflation_reduction_act, legiscan_as_of
from realdata_paths import require_realdata
from sqlmodel import Session

from tracker import positions, users
from tracker.executive_desk import DESK_RULES, acts_by, deadline_words, on_desk
from tracker.ingest import IngestItem, Ingestor
from tracker.records import BillRecord
from tracker.sources import legiscan
from tracker.sources.openstates import parse_bill


def alabama(name: str) -> BillRecord:
    path = next(require_realdata("openstates", "scrape_AL2025", "bills").glob(f"{name}__*.json"))
    return parse_bill(path.read_bytes(), str(path))


def test_the_constitutions_count_days_after_presentment_sundays_excepted_where_they_say_so() -> None:
    us, ca, al = DESK_RULES["us"], DESK_RULES["ca"], DESK_RULES["al"]
    # H.R. 3762 (114th) presented Thu 7 Jan 2016: ten days, two Sundays skipped.
    assert acts_by(dt.date(2016, 1, 7), us) == dt.date(2016, 1, 19)
    # CHIPS and Science Act, presented Thu 28 Jul 2022 and signed on its tenth day, Tue 9 Aug.
    assert acts_by(dt.date(2022, 7, 28), us) == dt.date(2022, 8, 9)
    # California: twelve calendar days, Sundays counted.
    assert acts_by(dt.date(2025, 9, 10), ca) == dt.date(2025, 9, 22)
    # Alabama: six days, Sundays excepted.
    assert acts_by(dt.date(2025, 6, 4), al) == dt.date(2025, 6, 11)
    # Arkansas: five days, Sundays excepted. HB 1044 (2012 fiscal session) was "ordered transmitted to the
    # Governor's Office" on Thu 16 Feb 2012: Fri 17 (1), Sat 18 (2), Sun 19 not counted, Mon 20 (3), Tue 21 (4),
    # Wed 22 (5). It became Act 36 on Tue 21 Feb, inside the five days.
    assert acts_by(dt.date(2012, 2, 16), DESK_RULES["ar"]) == dt.date(2012, 2, 22)


def test_a_bill_presented_to_the_president_is_listed_until_he_acts(session: Session) -> None:
    record = inflation_reduction_act()
    Ingestor(session).ingest([IngestItem(as_presented(record))])
    session.commit()
    today = dt.date(2022, 8, 16)
    assert on_desk(session, today=today) == []  # nobody follows it yet
    [row] = on_desk(session, tracked_only=False, today=today)
    assert (row["bill"], row["presented"], row["office"], row["acts_by"], row["due_in"]) == (
        "H.R. 5376 (117th Congress)", dt.date(2022, 8, 15), "President", dt.date(2022, 8, 26), 10)
    assert deadline_words(row) == "The President acts by Fri 26 Aug 2022 (in 10 days)"
    assert row["rule"].startswith("U.S. Const. art. I, § 7: ")

    admin = users.add_user(session, email="admin@example.org", role="admin")
    positions.set_position(session, actor=admin, bill_id=row["id"], stance="Support", priority="High",
                           expected_version=None)
    session.commit()
    [followed] = on_desk(session, today=today)
    assert (followed["position"], followed["priority"]) == ("Support", "High")

    Ingestor(session).ingest([IngestItem(record)])  # signed: enacted, off the desk
    session.commit()
    assert on_desk(session, tracked_only=False, today=today) == []


def test_a_missing_outcome_is_said_after_the_last_day_and_dropped_a_month_later(session: Session) -> None:
    for name in ("HJR2", "HJR3"):  # Alabama joint resolutions, "Delivered to Governor" on 4 and 6 June 2025
        Ingestor(session).ingest([IngestItem(alabama(name))])
    session.commit()
    rows = on_desk(session, tracked_only=False, today=dt.date(2025, 6, 5))
    assert [(r["bill"], r["presented"], r["acts_by"]) for r in rows] == [
        ("AL HJR 2 (2025 Regular)", dt.date(2025, 6, 4), dt.date(2025, 6, 11)),
        ("AL HJR 3 (2025 Regular)", dt.date(2025, 6, 6), dt.date(2025, 6, 13))]
    assert deadline_words(rows[0]) == "The Governor acts by Wed 11 Jun 2025 (in 6 days)"

    late = on_desk(session, tracked_only=False, today=dt.date(2025, 6, 12))
    assert deadline_words(late[0]) == "The Governor's last day was Wed 11 Jun 2025: no outcome recorded yet"
    assert deadline_words(late[1]) == "The Governor acts by Fri 13 Jun 2025 (tomorrow)"
    assert [r["bill"] for r in on_desk(session, tracked_only=False, today=dt.date(2025, 7, 12))] == [
        "AL HJR 3 (2025 Regular)"]
    assert on_desk(session, tracked_only=False, today=dt.date(2025, 7, 14)) == []
    # The bill's own page still says what it awaits.
    [page] = on_desk(session, tracked_only=False, today=dt.date(2025, 7, 14), bill_id=rows[0]["id"])
    assert deadline_words(page) == "The Governor's last day was Wed 11 Jun 2025: no outcome recorded yet"


def test_a_jurisdiction_without_a_rule_gives_the_day_it_was_presented(session: Session) -> None:
    record = alabama("HJR2")
    other = record.model_copy(update={"jurisdiction": record.jurisdiction.model_copy(update={"id": "zz"})})
    Ingestor(session).ingest([IngestItem(other)])
    session.commit()
    [row] = on_desk(session, tracked_only=False, today=dt.date(2025, 6, 5))
    assert (row["acts_by"], row["office"], row["rule"]) == (None, None, None)
    assert deadline_words(row) == "Presented on Wed 4 Jun 2025"


def test_an_arkansas_bill_on_the_governors_desk_counts_his_five_days(session: Session) -> None:
    path = require_realdata("legiscan", "dataset_json", "bill", "HB1044.json")
    Ingestor(session).ingest([IngestItem(legiscan_as_of(path, "2012-02-16"))])  # transmitted, not yet acted on
    session.commit()
    [row] = on_desk(session, tracked_only=False, today=dt.date(2012, 2, 17))
    # Presented Thu 16 Feb 2012; five days, Sunday 19 not counted: Wed 22 Feb (worked out above).
    assert (row["bill"], row["presented"], row["office"], row["acts_by"], row["due_in"]) == (
        "AR HB 1044 (2012 Fiscal)", dt.date(2012, 2, 16), "Governor", dt.date(2012, 2, 22), 5)
    assert deadline_words(row) == "The Governor acts by Wed 22 Feb 2012 (in 5 days)"
    assert row["rule"].startswith("Ark. Const. art. 6, § 15: ")

    Ingestor(session).ingest([IngestItem(legiscan.parse_bill(path.read_bytes(), str(path)))])  # Act 36, Feb 21
    session.commit()
    assert on_desk(session, tracked_only=False, today=dt.date(2012, 2, 21)) == []
