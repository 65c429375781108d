"""Closed vocabularies shared by every jurisdiction and feed."""

from enum import StrEnum


class Level(StrEnum):
    federal = "federal"
    state = "state"
    local = "local"


class Chamber(StrEnum):
    """Open States' chamber vocabulary; a council or unicameral body is ``legislature``."""

    lower = "lower"
    upper = "upper"
    legislature = "legislature"
    executive = "executive"
    joint = "joint"


class Stage(StrEnum):
    """Normalized stage, in the order a bill normally travels (terminal outcomes last)."""

    introduced = "introduced"
    in_committee = "in_committee"
    passed_origin_chamber = "passed_origin_chamber"
    passed_both_chambers = "passed_both_chambers"
    sent_to_executive = "sent_to_executive"
    enacted = "enacted"
    vetoed = "vetoed"
    failed = "failed"
    withdrawn = "withdrawn"


# Forward progress: a bill's stage is the furthest of these its actions reached.
STAGE_PROGRESS: tuple[Stage, ...] = (
    Stage.introduced,
    Stage.in_committee,
    Stage.passed_origin_chamber,
    Stage.passed_both_chambers,
    Stage.sent_to_executive,
    Stage.enacted,
)
# Outcomes that end a bill's progress unless a later action moves it on (a veto overridden becomes law).
STAGE_OUTCOMES: tuple[Stage, ...] = (Stage.vetoed, Stage.failed, Stage.withdrawn)


class SponsorshipKind(StrEnum):
    primary = "primary"
    cosponsor = "cosponsor"
    # Listed as a sponsor by a feed that records no primary/co-sponsor role (LegiScan's sponsor_type_id 0,
    # "Sponsor (Generic / Unspecified)"): calling them primary would claim what the feed does not say.
    sponsor = "sponsor"


class Role(StrEnum):
    admin = "admin"
    staff = "staff"
    council = "council"
    lobbyist = "lobbyist"


class Priority(StrEnum):
    high = "High"
    medium = "Medium"
    low = "Low"


class TriageStatus(StrEnum):
    new = "new"
    reviewed = "reviewed"
    dismissed = "dismissed"


class Relevance(StrEnum):
    """Staff judgement on a bill, the label that flagging learns from."""

    relevant = "relevant"
    not_relevant = "not_relevant"


class ChangeKind(StrEnum):
    new_bill = "new_bill"
    new_action = "new_action"
    # Upstream reworded an action it had published (same date): not a move, but staff should see the new words.
    action_corrected = "action_corrected"
    stage_change = "stage_change"
    new_version = "new_version"
    title_change = "title_change"
    sponsor_change = "sponsor_change"


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    partial = "partial"  # finished, some items failed
    failed = "failed"
    # Stopped before the end (Ctrl-C, SIGTERM, a lost database connection): what it committed is kept, but it is
    # not a success (the dashboard's freshness counts succeeded and partial runs only). CrawlRun.status is a
    # plain VARCHAR(16): no constraint or migration lists the values.
    interrupted = "interrupted"


DEFAULT_STANCES: tuple[str, ...] = (
    "Support",
    "Oppose",
    "Watch",
    "Neutral",
    "Support if amended",
    "Oppose unless amended",
    "Needs decision",
)


class VoteResult(StrEnum):
    passed = "passed"
    failed = "failed"


class VoteOption(StrEnum):
    """Open States' vote options; every feed's wording (LegiScan "Yea"/"NV", pubinfo "AYE"/"ABS") maps onto them."""

    yes = "yes"
    no = "no"
    abstain = "abstain"
    absent = "absent"
    excused = "excused"
    not_voting = "not voting"
    other = "other"
