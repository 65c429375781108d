"""Who may do what. Every service checks here, so a hidden button is a convenience, never the guard."""

from enum import StrEnum

from tracker.models import User
from tracker.models.enums import Role


class PermissionDenied(PermissionError):
    """The signed-in user's role does not allow the action (or the account is deactivated)."""


class Action(StrEnum):
    read = "read"
    comment = "comment"  # write notes on bills
    triage = "triage"  # mark reviewed / dismiss / relevance
    assign = "assign"
    set_position = "set position"
    withdraw_position = "withdraw position"  # whoever may set a position may withdraw it (_STAFF)
    mark_key_vote = "mark key votes"  # the scorecard's key votes follow positions: the same roles (_STAFF)
    export = "export"
    follow = "follow"  # own watchlists and saved filters
    manage_users = "manage users"
    manage_topics = "manage topics and rules"
    manage_sources = "manage sources and schedules"
    manage_stances = "manage the position vocabulary"  # how each stance counts re-scores every scorecard: admins


_STAFF = {Action.read, Action.comment, Action.triage, Action.assign, Action.set_position, Action.withdraw_position,
          Action.mark_key_vote, Action.export, Action.follow}
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # An administrator runs the system and can stand in for staff.
    Role.admin.value: frozenset(_STAFF | {Action.manage_users, Action.manage_topics, Action.manage_sources,
                                          Action.manage_stances}),
    Role.staff.value: frozenset(_STAFF),
    Role.council.value: frozenset({Action.read, Action.comment, Action.follow}),
    Role.lobbyist.value: frozenset({Action.read, Action.export, Action.follow}),
}

# Roles as the people holding them are called, for messages such as "this page is for administrators".
ROLE_NAMES: dict[str, str] = {Role.admin.value: "administrators", Role.staff.value: "policy staff",
                              Role.council.value: "council members", Role.lobbyist.value: "lobbyists"}
# One person holding the role: "you are signed in as a council member".
ROLE_ONE: dict[str, str] = {Role.admin.value: "an administrator", Role.staff.value: "policy staff",
                            Role.council.value: "a council member", Role.lobbyist.value: "a lobbyist"}
# Each action as a refusal names it: "Setting a position is for administrators and policy staff".
ACTION_NAMES: dict[Action, str] = {
    Action.read: "Reading the tracker", Action.comment: "Writing notes on bills",
    Action.triage: "Triage (reviewing and dismissing bills)", Action.assign: "Assigning bills",
    Action.set_position: "Setting a position", Action.withdraw_position: "Withdrawing a position",
    Action.mark_key_vote: "Marking key votes", Action.export: "Exporting", Action.follow: "Following bills",
    Action.manage_users: "Managing users", Action.manage_topics: "Managing topics and rules",
    Action.manage_sources: "Managing sources and schedules",
    Action.manage_stances: "Managing the position vocabulary",
}


def who_may(action: Action) -> str:
    """The roles allowed ``action``, in words and in the role table's order: "administrators and policy staff"."""
    names = [ROLE_NAMES.get(role, role) for role, acts in ROLE_ACTIONS.items() if action in acts]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def can(actor: User | None, action: Action) -> bool:
    return bool(actor is not None and actor.active and action in ROLE_ACTIONS.get(actor.role, frozenset()))


def refusal(role: str, action: Action) -> str:
    """Why ``role`` may not do ``action``, in words a council member or a lobbyist reads (the dashboard and the CLI
    show it): "Setting a position is for administrators and policy staff; you are signed in as a council member."
    The role's code ("council") meant nothing to the people it named."""
    return (f"{ACTION_NAMES.get(action, action.value.capitalize())} is for {who_may(action)}; you are signed in as "
            f"{ROLE_ONE.get(role, role)}.")


def require(actor: User | None, action: Action) -> User:
    """The actor, if allowed; otherwise PermissionDenied saying who may, and as whom the actor is signed in."""
    if actor is None:
        raise PermissionDenied(f"Sign in to {action.value}.")
    if not actor.active:
        raise PermissionDenied(f"{actor.email}'s account is deactivated.")
    if action not in ROLE_ACTIONS.get(actor.role, frozenset()):
        raise PermissionDenied(refusal(actor.role, action))
    return actor


def owns(actor: User, owner_id: int | None) -> bool:
    """Whether the actor may change a thing that belongs to ``owner_id``: its owner, or an admin."""
    return owner_id == actor.id or actor.role == Role.admin.value


def require_owner(actor: User, owner_id: int | None, what: str) -> None:
    """Only the owner of a thing, or an admin, may change it: "{email} may only {what}"."""
    if not owns(actor, owner_id):
        raise PermissionDenied(f"{actor.email} may only {what}.")
