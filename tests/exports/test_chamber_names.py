"""Chambers as a reader names them: the bill page's "by" column showed Open States' vocabulary ("lower",
"upper"), and a state committee's label had no chamber ("Health & Social Services": the Alaska Senate's or the
House's?)."""

from tracker.exports.packet import committee_label
from tracker.sources.states import chamber_name


def test_each_legislature_names_its_own_chambers() -> None:
    assert [chamber_name(c, "al") for c in ("lower", "upper", "executive", "joint")] == [
        "House", "Senate", "Governor", "Joint"]
    assert chamber_name("lower", "ca") == "Assembly" and chamber_name("lower", "va") == "House of Delegates"
    assert chamber_name("legislature", "ne") == "Legislature"
    assert chamber_name("executive", "us") == "President" and chamber_name("lower", "us") == "House"
    # A city council's actor, or a body a feed names itself, is shown as the feed wrote it.
    assert chamber_name("City Council", "us-ca-los-angeles-county") == "City Council"
    assert chamber_name("lower", "us-ca-los-angeles-county") == "lower"
    assert chamber_name(None, "al") is None


def test_a_state_committee_is_labelled_with_its_chamber() -> None:
    # Alaska HB 1 (real LegiScan file): committee "Health & Social Services", chamber "S".
    assert committee_label("Health & Social Services", "upper", "ak") == "Senate Health & Social Services"
    assert committee_label("Appropriations", "lower", "ca") == "Assembly Appropriations"
    assert committee_label("Senate Judiciary", "upper", "al") == "Senate Judiciary"  # named once
    assert committee_label("Energy and Commerce Committee", "lower", "us") == "House Energy and Commerce Committee"
