"""Choosing pubinfo archives from the directory index (full load or incrementals, holes in the chain) and the
row keys the merge uses. Index times follow the cadence FORMATS.md section 5 quotes; the row-key cases use
real rows of the ``mini`` sample."""

import datetime as dt

import pytest
from realdata_paths import require_realdata

from tracker.sources.ca_pubinfo import read_table, row_bill, row_key
from tracker.sources.ca_pubinfo_updates import FullLoad, find_gap, is_incremental, plan_updates


def t(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


# Sunday 2026-11-22 weekly rebuild, then a week of nightly extracts (Mon 23 .. Sat 28).
WEEK = {
    "pubinfo_2023.zip": t("2025-01-05 23:10"),  # an old session, frozen: never a reason to reload
    "pubinfo_2025.zip": t("2026-11-22 23:10"),
    "pubinfo_daily_Sun.zip": t("2026-11-22 21:40"),
    "pubinfo_Mon.zip": t("2026-11-23 21:21"), "pubinfo_daily_Mon.zip": t("2026-11-23 21:38"),
    "pubinfo_Tue.zip": t("2026-11-24 21:21"), "pubinfo_daily_Tue.zip": t("2026-11-24 21:38"),
    "pubinfo_Wed.zip": t("2026-11-25 21:21"), "pubinfo_daily_Wed.zip": t("2026-11-25 21:38"),
}


def test_first_run_loads_the_newest_full_archive() -> None:
    plan = plan_updates(WEEK, None)
    assert (plan.full, plan.incrementals, plan.gap) == ("pubinfo_daily_Wed.zip", [], None)


def test_incrementals_after_the_last_full_load_in_time_order() -> None:
    plan = plan_updates(WEEK, FullLoad("pubinfo_2025.zip", t("2026-11-22 23:10")))
    assert (plan.full, plan.gap) == (None, None)
    assert plan.incrementals == ["pubinfo_Mon.zip", "pubinfo_Tue.zip", "pubinfo_Wed.zip"]
    after_monday = plan_updates(WEEK, FullLoad("pubinfo_daily_Mon.zip", t("2026-11-23 21:38")))
    assert (after_monday.full, after_monday.incrementals) == (None, ["pubinfo_Tue.zip", "pubinfo_Wed.zip"])


def test_a_rebuilt_weekly_archive_means_a_full_reload() -> None:
    index = {**WEEK, "pubinfo_2025.zip": t("2026-11-29 23:10"), "pubinfo_daily_Sun.zip": t("2026-11-29 21:40")}
    plan = plan_updates(index, FullLoad("pubinfo_daily_Mon.zip", t("2026-11-23 21:38")))
    assert plan.full == "pubinfo_2025.zip" and "rebuilt" in plan.reason
    assert plan.incrementals == []  # this week's Mon..Wed are older than the new weekly


def test_a_missing_day_means_a_full_reload_and_saturday_to_monday_is_no_gap() -> None:
    index = {k: v for k, v in WEEK.items() if k != "pubinfo_Tue.zip"}
    index["pubinfo_Tue.zip"] = t("2026-11-17 21:21")  # last week's: this Tuesday's extract never came
    plan = plan_updates(index, FullLoad("pubinfo_daily_Mon.zip", t("2026-11-23 21:38")))
    assert plan.full == "pubinfo_daily_Wed.zip" and "2026-11-24 (Tue)" in plan.reason
    assert find_gap(t("2026-11-21 21:38"), [(t("2026-11-23 21:21"), "pubinfo_Mon.zip")]) is None


def test_a_hole_with_no_newer_full_archive_is_reported() -> None:
    index = {"pubinfo_daily_Mon.zip": t("2026-11-23 21:38"), "pubinfo_Wed.zip": t("2026-11-25 21:21")}
    plan = plan_updates(index, FullLoad("pubinfo_daily_Mon.zip", t("2026-11-23 21:38")))
    assert plan.full is None and plan.incrementals == ["pubinfo_Wed.zip"]
    assert plan.gap is not None and "no newer full archive" in plan.gap


def test_incremental_names() -> None:
    assert is_incremental("pubinfo_Tue.zip") and is_incremental("PUBINFO_SAT.ZIP")
    assert not any(map(is_incremental, ("pubinfo_Sun.zip", "pubinfo_daily_Tue.zip", "pubinfo_2025.zip")))


@pytest.mark.realdata
def test_row_keys_and_bills_of_real_rows() -> None:
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "mini")
    tables = {n: read_table(n, (folder / f"{n}.dat").read_bytes(), n)
              for n in ("BILL_TBL", "BILL_HISTORY_TBL", "BILL_VERSION_TBL", "BILL_VERSION_AUTHORS_TBL")}
    for name, rows in tables.items():
        keys = [row_key(name, r) for r in rows]
        assert None not in keys and len(set(keys)) == len(keys), name  # every row keyed, no two alike
    author = tables["BILL_VERSION_AUTHORS_TBL"][0]
    assert row_key("BILL_VERSION_AUTHORS_TBL", author) == "20250SB27599INT|Legislator|SENATE|Smallwood-Cuevas"
    # The bill of an author row, spelled from its version id, is the version row's bill_id.
    versions = {r["bill_version_id"]: r["bill_id"] for r in tables["BILL_VERSION_TBL"]}
    assert all(row_bill("BILL_VERSION_AUTHORS_TBL", r) == versions[r["bill_version_id"]]
               for r in tables["BILL_VERSION_AUTHORS_TBL"])
    assert row_key("BILL_HISTORY_TBL", tables["BILL_HISTORY_TBL"][0]) == "118204734"
