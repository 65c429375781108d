"""Recorded votes (roll calls) in GovInfo BILLSTATUS files of every schema generation that has them.

3.0.0 files put each ``<recordedVote>`` on the action that records it (often twice: the chamber's own action and
the Library of Congress's copy of it); legacy and pre-2022 files list them once, bill-level, with only the vote's
name (``fullActionName``). Either way a roll call is stored once per bill, its motion the chamber's own action
text, and no tally: BILLSTATUS gives none, and the Clerk's and Senate's roll-call files are not read. Expected values
were read off the XML files named above each test.
"""

import dataclasses
import tarfile

import pytest
from realdata_paths import require_realdata

from tracker.records import BillRecord
from tracker.sources.govinfo_billstatus import parse_billstatus

pytestmark = pytest.mark.realdata


def parse_file(*parts: str) -> BillRecord:
    path = require_realdata("billstatus", *parts)
    return parse_billstatus(path.read_bytes(), str(path))


@dataclasses.dataclass(frozen=True)
class Seen:
    chamber: str
    roll: int
    date: str
    motion: str | None
    url: str | None


def seen(record: BillRecord) -> list[Seen]:
    return [Seen(v.chamber, v.roll_number, str(v.date), v.motion, v.url) for v in record.votes]  # type: ignore[arg-type]


def test_a_3_0_0_roll_call_on_two_actions_is_one_vote_with_the_house_floor_wording() -> None:
    """misc/112/hr1954 (3.0.0): roll 379 is on the House floor action and on the Library of Congress's copy."""
    record = parse_file("misc", "112", "bills", "hr", "hr1954", "fdsys_billstatus.xml")
    assert seen(record) == [Seen(
        "lower", 379, "2011-05-31",
        "On motion to suspend the rules and pass the bill Failed by the Yeas and Nays: (2/3 required): 97 - 318, "
        "7 Present (Roll no. 379).", "https://clerk.house.gov/evs/2011/roll379.xml")]
    (vote,) = record.votes
    assert vote.source_key == "112-hr-1954/roll/house-112-1-379"
    assert (vote.yes_count, vote.no_count, vote.other_count, vote.absent_count, vote.result) == (None,) * 5
    assert vote.people is None and vote.body is None


def test_the_same_bill_gives_the_same_house_roll_calls_in_the_pre_2022_and_the_new_schema() -> None:
    """formatChange/current/117hr1 lists rolls 61 and 62 bill-level with no action; future/117hr1 puts them on the
    actions. The bill-level ones take the text of the House floor action naming "(Roll no. N)" that day."""
    current = parse_file("usgpo_samples", "formatChange", "current", "BILLSTATUS-117hr1.xml")
    future = parse_file("usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr1.xml")
    expected = [
        # 22:20:54 in Washington on March 3 (03:20:54Z on the 4th): the day the House voted.
        Seen("lower", 61, "2021-03-03", "On motion to recommit Failed by the Yeas and Nays: 210 - 219 (Roll no. 61).",
             "https://clerk.house.gov/evs/2021/roll061.xml"),
        Seen("lower", 62, "2021-03-03", "On passage Passed by the Yeas and Nays: 220 - 210 (Roll no. 62).",
             "https://clerk.house.gov/evs/2021/roll062.xml"),
    ]
    assert seen(current) == expected and seen(future) == expected
    assert [v.source_key for v in current.votes] == [v.source_key for v in future.votes]


def test_legacy_bill_level_votes_take_their_senate_and_house_action_texts() -> None:
    """legacy/114sjres8: four bill-level votes, the Senate's "Record Vote Number: N", the House's "(Roll no. N)"."""
    record = parse_file("usgpo_samples", "legacy", "BILLSTATUS-114sjres8.xml")
    senate = "http://www.senate.gov/legislative/LIS/roll_call_lists/roll_call_vote_cfm.cfm?&congress=114&session=1&vote="
    assert seen(record) == [
        Seen("upper", 66, "2015-03-03", "Motion to proceed to consideration of measure agreed to in Senate by Yea-Nay "
             "Vote. 53 - 45. Record Vote Number: 66. (consideration: CR S1229)", senate + "00066"),
        Seen("upper", 67, "2015-03-04", "Passed Senate without amendment by Yea-Nay Vote. 53 - 46. Record Vote "
             "Number: 67. (text: CR S1274)", senate + "00067"),
        Seen("lower", 128, "2015-03-19", "On passage Passed by the Yeas and Nays: 232 - 186 (Roll no. 128). "
             "(text: CR H1782)", "http://clerk.house.gov/evs/2015/roll128.xml"),
        Seen("upper", 172, "2015-05-05", "Motion to table the veto message to accompany S. J. Res. 8 agreed to in "
             "Senate by Yea-Nay Vote. 96 - 3. Record Vote Number: 172. (consideration: CR S2644)", senate + "00172"),
    ]


def test_a_3_0_0_senate_vote_only_on_the_library_of_congress_action_keeps_that_wording() -> None:
    """future/117sconres5: roll 54 is on the "Passed/agreed to in Senate" action only; the 37 votes on amendments
    (under <amendments>) are the amendments', not the resolution's."""
    record = parse_file("usgpo_samples", "formatChange", "future", "BILLSTATUS-117sconres5.xml")
    (vote,) = seen(record)
    assert (vote.chamber, vote.roll, vote.date) == ("upper", 54, "2021-02-05")
    assert vote.motion is not None and vote.motion.startswith(
        "Passed/agreed to in Senate: Resolution agreed to in Senate with an amendment by Yea-Nay Vote")


def test_every_sample_roll_call_is_read_with_its_action_text() -> None:
    """Every sample file that has recorded votes: each distinct roll call once, each with an action's text (none
    left with only the bill-level ``fullActionName``), all dated and linked."""
    folders = [require_realdata("billstatus", name) for name in ("usgpo_samples", "misc", "congress119")]
    found = 0
    for path in sorted(p for folder in folders for p in folder.rglob("*.xml")):
        record = parse_billstatus(path.read_bytes(), str(path))
        keys = [v.source_key for v in record.votes]
        assert len(keys) == len(set(keys)), path
        for vote in record.votes:
            found += 1
            assert vote.date and vote.roll_number and vote.url, (path, vote)
            assert vote.motion and str(vote.roll_number) in vote.motion, (path, vote)
    # 53 + 14 + 2 files: 74 bill-level and 26 action-level <recordedVote> elements, 92 distinct roll calls (per
    # file, by chamber, Congress, session and roll number).
    assert found == 92


def test_members_of_the_117th_archive_read_in_place() -> None:
    """data/117/bills/hr/hr21 passed by voice vote (no roll call); hr/hr5376 (Build Back Better, later the Inflation
    Reduction Act) has five, in the order they were held."""
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    wanted = {"data/117/bills/hr/hr21/fdsys_billstatus.xml", "data/117/bills/hr/hr5376/fdsys_billstatus.xml"}
    records = {}
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name in wanted:
                records[member.name.split("/")[4]] = parse_billstatus(tar.extractfile(member).read(), member.name)  # type: ignore[union-attr]
                if len(records) == len(wanted):
                    break
    assert records["hr21"].votes == []
    assert [(v.chamber, v.roll_number, str(v.date)) for v in records["hr5376"].votes] == [
        ("lower", 384, "2021-11-19"), ("lower", 385, "2021-11-19"), ("lower", 386, "2021-11-19"),
        ("upper", 325, "2022-08-07"), ("lower", 420, "2022-08-12")]
