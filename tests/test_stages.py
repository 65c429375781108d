"""The stage engine: classification rules as data, and stage derivation from classified actions.

The first half uses hand-written action lists (no upstream file behind them); the second checks real bills whose
outcome is a matter of public record, read from the shared real-data folder.
"""

import tarfile

import pytest
from realdata_paths import require_realdata

from tracker.models.enums import Chamber, Stage
from tracker.records import ActionRecord, BillRecord
from tracker.sources.govinfo_billstatus import BILLSTATUS_RULES, parse_billstatus
from tracker.stages import ActionRule, Step, classify, classify_actions, derive_stage

LOWER, UPPER, EXECUTIVE = Chamber.lower, Chamber.upper, Chamber.executive


def steps(*pairs: tuple[Chamber | None, str]) -> list[Step]:
    """Hand-written actions: (actor, "comma-separated classifications")."""
    return [Step(actor, [c for c in classes.split(",") if c]) for actor, classes in pairs]


# --- classification (hand-written rules and texts) -------------------------------------------------------------

RULES = (
    ActionRule("introduction", codes=frozenset({"1000"}), pattern=r"^introduced\b"),
    ActionRule("passage", codes=frozenset({"8000"}), pattern=r"^passed house\b"),
    ActionRule("reading", pattern=r"\bread twice\b"),
    ActionRule("referral-committee", pattern=r"\breferred to\b"),
    ActionRule("executive-signature", codes=frozenset({"E30000"}), pattern=r"^signed\b", code_needs_pattern=True),
    ActionRule("executive-veto", codes=frozenset({"E30000"}), pattern=r"^vetoed\b", code_needs_pattern=True),
)


def test_uncoded_action_is_classified_by_text_in_rule_order() -> None:
    assert classify(None, "Read twice and referred to the Committee on Finance.", RULES) == [
        "reading",
        "referral-committee",
    ]
    assert classify(None, "Introduced in House", RULES) == ["introduction"]
    assert classify(None, "Placed on the Union Calendar, Calendar No. 49.", RULES) == []


def test_a_code_outranks_the_text() -> None:
    # An unknown code is not rescued by its text: "passed House" here is the rule's passage, not the bill's.
    assert classify("H1L220", "Passed House the rule H. Res. 508.", RULES) == []
    assert classify("8000", "Passed/agreed to in House: On passage Passed by the Yeas and Nays", RULES) == ["passage"]


def test_a_pattern_narrows_a_code_with_several_meanings() -> None:
    assert classify("E30000", "Signed by President.", RULES) == ["executive-signature"]
    assert classify("E30000", "Vetoed by President. (text of veto message: CR H210-211)", RULES) == ["executive-veto"]


def test_classify_actions_lines_up_with_its_input_and_repeats_are_stable() -> None:
    actions = [("1000", "Introduced in House"), (None, "Read twice."), (None, "Read twice.")]
    assert classify_actions(actions, RULES) == [["introduction"], ["reading"], ["reading"]]
    first = classify(None, "Read twice.", RULES)
    first.append("mutated by a caller")
    assert classify(None, "Read twice.", RULES) == ["reading"]  # the text cache hands out copies


def test_a_rule_that_narrows_codes_needs_a_pattern() -> None:
    with pytest.raises(ValueError, match="code_needs_pattern"):
        ActionRule("executive-veto", codes=frozenset({"E30000"}), code_needs_pattern=True)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        # Wording of Senate-sourced actions (no code) as found in BILLSTATUS files; override wording per the
        # Senate's style, since no override occurs in the sample data.
        (None, "Passed Senate without amendment by Unanimous Consent.", ["passage"]),
        (None, "Passed Senate over veto by Yea-Nay Vote. 69 - 30.", ["veto-override-passage"]),
        (None, "Failed of passage in Senate over veto by Yea-Nay Vote. 52 - 47.", ["veto-override-failure"]),
        (None, "Failed of passage in Senate by Yea-Nay Vote. 46 - 48. Record Vote Number: 211.", ["failure"]),
        (None, "Motion to proceed to consideration of measure agreed to in Senate by Voice Vote.", []),
        (None, "Motion to table the veto message to accompany S. J. Res. 8 agreed to in Senate.", []),
        (
            None,
            "Received in the Senate, considered, and agreed to without amendment by Unanimous Consent.",
            ["receipt", "passage"],
        ),
        (None, "Committee on Finance. Ordered to be reported without amendment favorably.", ["committee-passage"]),
        ("H1L220", "Rule H. Res. 508 passed House.", []),
        (
            "H36510",
            "On motion to table the measure Agreed to by the Yeas and Nays: 216 - 210 (Roll no. 122).",
            ["failure"],
        ),
        (
            "19500",
            "Resolving differences -- House actions: On motion that the House agree to the Senate amendment "
            "Agreed to by the Yeas and Nays: 228 - 206 (Roll no. 369).",
            ["concurrence"],
        ),
        (
            "19500",
            "Resolving differences -- House actions: On motion that the House agree with an amendment to the "
            "Senate amendment Agreed to by the Yeas and Nays: 220 - 211.",
            [],
        ),
        (
            "20500",
            "Resolving differences -- Senate actions: Senate concurred in the House amendment to S. 1 with "
            "an amendment (SA 5) by Unanimous Consent.",
            [],
        ),
        ("36000", "Signed by President.", ["executive-signature"]),
        ("36000", "Became Public Law No: 117-58.", ["became-law"]),
        ("E30000", "Vetoed by President. (text of veto message: CR H210-211)", ["executive-veto"]),
        # 9000 covers failed passage and failed suspension motions alike; only the first disposes of a bill
        # (texts from 117th HR 1204, HR 6538 and S 3436; the failed House passage vote follows the House's wording,
        # since none occurs in the sample data).
        (
            "9000",
            "Failed of passage/not agreed to in House: On motion to suspend the rules and pass the bill Failed by the "
            "Yeas and Nays: (2/3 required): 259 - 170 (Roll no. 308).",
            [],
        ),
        (
            "9000",
            "Failed of passage/not agreed to in House: On motion to suspend the rules and pass the bill, as amended "
            "Failed by the Yeas and Nays: (2/3 required): 259 - 162 (Roll no. 289).",
            [],
        ),
        (
            "9000",
            "Failed of passage/not agreed to in House: On passage Failed by the Yeas and Nays: 198 - 213.",
            ["failure"],
        ),
        (
            "18000",
            "Failed of passage/not agreed to in Senate: Under the order of 12/18/21, not having achieved 60 votes in "
            "the affirmative, failed of passage in Senate by Yea-Nay Vote. 55 - 44. Record Vote Number: 8.",
            ["failure"],
        ),
        ("H37300", "On motion to suspend the rules and pass the bill Failed by the Yeas and Nays: 259 - 170", []),
        # Cloture ends debate; its failure is not a vote on the bill (117th HR 3755).
        (
            None,
            "Cloture on the motion to proceed to the measure not invoked in Senate by Yea-Nay Vote. 49 - 51. "
            "Record Vote Number: 170. (CR S2439)",
            [],
        ),
    ],
)
def test_billstatus_rules(code: str | None, text: str, expected: list[str]) -> None:
    assert classify(code, text, BILLSTATUS_RULES) == expected


# --- stage derivation (hand-written action lists) --------------------------------------------------------------


def test_no_actions_is_introduced() -> None:
    assert derive_stage([], LOWER, "bill") == Stage.introduced


def test_referral_is_in_committee() -> None:
    actions = steps((LOWER, "introduction"), (LOWER, "referral-committee"), (LOWER, "committee-passage"))
    assert derive_stage(actions, LOWER, "bill") == Stage.in_committee


def test_passage_counts_per_chamber_so_duplicate_records_do_not_add_a_chamber() -> None:
    # BILLSTATUS lists the House vote twice (Library of Congress and House floor): still one chamber.
    house_twice = steps((LOWER, "introduction"), (LOWER, "passage"), (LOWER, "passage"))
    assert derive_stage(house_twice, LOWER, "bill") == Stage.passed_origin_chamber
    both = [*house_twice, *steps((UPPER, "passage"), (UPPER, "passage"))]
    assert derive_stage(both, LOWER, "bill") == Stage.passed_both_chambers


def test_an_unattributed_passage_counts_as_the_origin_chamber() -> None:
    assert derive_stage(steps((None, "passage")), UPPER, "bill") == Stage.passed_origin_chamber
    assert derive_stage(steps((None, "passage"), (None, "passage")), UPPER, "bill") == Stage.passed_origin_chamber


def test_presentment_and_signature() -> None:
    road = steps((LOWER, "passage"), (UPPER, "passage"), (LOWER, "executive-receipt"))
    assert derive_stage(road, LOWER, "bill") == Stage.sent_to_executive
    assert derive_stage([*road, *steps((EXECUTIVE, "executive-signature"))], LOWER, "bill") == Stage.enacted
    assert derive_stage([*road, *steps((EXECUTIVE, "became-law"))], LOWER, "bill") == Stage.enacted


def test_a_veto_stands_unless_both_chambers_override() -> None:
    vetoed = steps((LOWER, "passage"), (UPPER, "passage"), (LOWER, "executive-receipt"), (EXECUTIVE, "executive-veto"))
    assert derive_stage(vetoed, LOWER, "bill") == Stage.vetoed
    one_override = [*vetoed, *steps((LOWER, "veto-override-passage"))]
    assert derive_stage(one_override, LOWER, "bill") == Stage.vetoed
    sustained = [*one_override, *steps((UPPER, "veto-override-failure"))]
    assert derive_stage(sustained, LOWER, "bill") == Stage.vetoed
    overridden = [*one_override, *steps((UPPER, "veto-override-passage"))]
    assert derive_stage(overridden, LOWER, "bill") == Stage.enacted


def test_a_failure_is_final_only_if_nothing_later_moved_the_bill_on() -> None:
    failed_suspension = steps((LOWER, "referral-committee"), (LOWER, "failure"))
    assert derive_stage(failed_suspension, LOWER, "bill") == Stage.failed
    # A later committee action is not progress: the stage it reaches was already reached.
    assert derive_stage([*failed_suspension, *steps((LOWER, "committee-passage"))], LOWER, "bill") == Stage.failed
    passed_under_a_rule = [*failed_suspension, *steps((LOWER, "passage"))]
    assert derive_stage(passed_under_a_rule, LOWER, "bill") == Stage.passed_origin_chamber
    killed_in_senate = [*passed_under_a_rule, *steps((UPPER, "failure"))]
    assert derive_stage(killed_in_senate, LOWER, "bill") == Stage.failed


def test_withdrawal() -> None:
    assert derive_stage(steps((LOWER, "referral-committee"), (LOWER, "withdrawal")), LOWER, "bill") == Stage.withdrawn


def test_simple_resolution_adopted_is_enacted() -> None:
    assert derive_stage(steps((UPPER, "introduction"), (UPPER, "passage")), UPPER, "resolution") == Stage.enacted


def test_concurrent_resolution_needs_both_chambers() -> None:
    assert derive_stage(steps((LOWER, "passage")), LOWER, "concurrent resolution") == Stage.passed_origin_chamber
    both = steps((LOWER, "passage"), (UPPER, "passage"))
    assert derive_stage(both, LOWER, "concurrent resolution") == Stage.enacted


def test_joint_resolutions_follow_bills_and_a_constitutional_amendment_stops_at_both_chambers() -> None:
    # A constitutional amendment goes to the states, never to the President: nothing after both chambers.
    both = steps((LOWER, "introduction"), (LOWER, "passage"), (UPPER, "passage"))
    assert derive_stage(both, LOWER, "joint resolution") == Stage.passed_both_chambers


def test_concurrence_after_the_other_chambers_amendment() -> None:
    ping_pong = steps((LOWER, "passage"), (UPPER, "passage"), (LOWER, "concurrence"))
    assert derive_stage(ping_pong, LOWER, "bill") == Stage.passed_both_chambers


def test_action_records_work_as_steps() -> None:
    records = [
        ActionRecord(date=None, text="Passed House", actor="lower", classification=["passage"]),
        ActionRecord(date=None, text="Passed Senate", actor="upper", classification=["passage"]),
    ]
    assert derive_stage(records, "lower", "bill") == Stage.passed_both_chambers


# --- real bills ------------------------------------------------------------------------------------------------

ARCHIVE_BILLS = {
    # 117th Congress, from c117_all.tar.gz: upstream path -> the stage the public record gives it
    "hr/hr3684": Stage.enacted,  # Infrastructure Investment and Jobs Act, P.L. 117-58
    "hr/hr8404": Stage.enacted,  # Respect for Marriage Act, P.L. 117-228
    "s/s1605": Stage.enacted,  # NDAA FY2022, a Senate shell bill: Senate, then House, then law
    "hr/hr5746": Stage.passed_both_chambers,  # Freedom to Vote vehicle: Senate amended it, no final agreement
    # A failed motion to suspend the rules (9000 "On motion to suspend the rules and pass the bill Failed") lacked
    # two thirds; it does not dispose of the bill, which can come back under a rule.
    "hr/hr2842": Stage.in_committee,  # ordered reported, then failed under suspension, never taken up again
    "hr/hr1204": Stage.in_committee,  # failed under suspension, then reported and put on the Union Calendar
    "hr/hr6538": Stage.passed_origin_chamber,  # failed under suspension, passed later the same Congress
    "s/s3436": Stage.failed,  # "not having achieved 60 votes in the affirmative, failed of passage" (18000)
    "sjres/sjres60": Stage.failed,  # failed of passage in the Senate, 49 - 49 (18000)
    "hconres/hconres119": Stage.failed,  # passed the House, then failed in the Senate (18000)
    "sjres/sjres46": Stage.failed,  # failed of passage in the Senate (18000)
    "hres/hres331": Stage.failed,  # tabled by the House (H36510): disposed of
    "hres/hres24": Stage.enacted,  # simple resolution agreed to (the 2021 impeachment article)
    "hconres/hconres10": Stage.enacted,  # concurrent resolution agreed to by both chambers the same day
    "hconres/hconres11": Stage.passed_origin_chamber,  # concurrent resolution agreed to by the House only
    "sconres/sconres14": Stage.enacted,  # FY2022 budget resolution, agreed to by both chambers
}


@pytest.fixture(scope="module")
def archive_records() -> dict[str, BillRecord]:
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    wanted = {f"data/117/bills/{key}/fdsys_billstatus.xml": key for key in ARCHIVE_BILLS}
    found = {}
    with tarfile.open(archive, "r|gz") as tar:  # streaming: one pass, nothing extracted to disk
        for member in tar:
            key = wanted.get(member.name)
            if key is not None:
                found[key] = parse_billstatus(tar.extractfile(member).read(), member.name)  # type: ignore[union-attr]
    return found


@pytest.mark.realdata
@pytest.mark.parametrize("key", sorted(ARCHIVE_BILLS))
def test_stage_of_real_117th_bills(archive_records: dict[str, BillRecord], key: str) -> None:
    record = archive_records[key]
    assert record.stage == ARCHIVE_BILLS[key], record.identifier


SAMPLE_BILLS = {
    # No bill was vetoed in the 117th Congress, so the vetoes come from GPO's 114th-Congress samples.
    ("usgpo_samples", "legacy", "BILLSTATUS-114sjres8.xml"): Stage.vetoed,  # NLRB rule disapproval, veto sustained
    ("usgpo_samples", "legacy", "BILLSTATUS-114hr3762.xml"): Stage.vetoed,  # 2015 reconciliation bill
    ("usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml"): Stage.enacted,  # Inflation Reduction Act
    ("usgpo_samples", "legacy", "BILLSTATUS-114hjres45.xml"): Stage.in_committee,  # constitutional amendment
    ("usgpo_samples", "legacy", "BILLSTATUS-114hres348.xml"): Stage.enacted,  # simple resolution agreed to
    ("usgpo_samples", "legacy", "BILLSTATUS-114hconres70.xml"): Stage.enacted,  # agreed to by both chambers
    # 2011 debt-limit bill: referred, then a suspension vote that failed 97 - 318 and nothing after; the failed
    # suspension leaves it where it was.
    ("misc", "112", "bills", "hr", "hr1954", "fdsys_billstatus.xml"): Stage.in_committee,
}


@pytest.mark.realdata
@pytest.mark.parametrize("parts", sorted(SAMPLE_BILLS), ids=lambda parts: "/".join(parts[-2:]))
def test_stage_of_real_sample_bills(parts: tuple[str, ...]) -> None:
    path = require_realdata("billstatus", *parts)
    assert parse_billstatus(path.read_bytes(), str(path)).stage == SAMPLE_BILLS[parts]
