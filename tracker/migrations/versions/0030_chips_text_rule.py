"""shipped chips rule: "software" and "computer" in a bill text no longer flag a bill alone (December 2026)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07

H.J.Res. 100 (116th Congress), the disapproval of an arms sale, was flagged for semiconductors and data centers
from its 2,100-character text: "weapon systems software", "software development/integration" and "Computer and
Intelligence" in a list of defense articles reached the threshold through the shipped rule
``summary:(computing OR computer* OR software OR hardware) OR text:(...)`` at weight 2. That rule becomes two:
the summary part keeps weight 2 (a summary that names software says what the bill is about), the text part weighs
1.5, under the threshold alone, as 0022 did for titles (docs/benchmarks.md, "Flags from long bill texts").

A database made by an earlier version holds the old rule: it is replaced only where it is still exactly as shipped
(``tracker.migrations.shipped_rules``), and `tracker db upgrade` then says which matches predate the rules
(`tracker topics rescore`). No schema change; the downgrade leaves the rules as they are, as 0022's does: staff
may have edited them since, the old rule was the noise, and putting it back would mark every stored chips match
as predating its rules after a downgrade and upgrade that changed nothing.
"""
# ruff: noqa: E501  (the rules are data, each written as tracker/topics.yaml has it)
from collections.abc import Sequence

from alembic import op

from tracker.migrations.shipped_rules import Add, NewRule, Replace, apply_shipped_rules

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGES: list[Replace | Add] = [
    Replace('chips-datacenters', ('summary:(computing OR computer* OR software OR hardware) OR text:(computing OR computer* OR software OR hardware)', 2.0), (
        NewRule('summary:(computing OR computer* OR software OR hardware)', 2.0),
        NewRule('text:(computing OR computer* OR software OR hardware)', 1.5,
                'In a bill text these are mostly a part of something else (weapon systems software and computers in a list of defense articles flagged H.J.Res. 100, an arms sale, from its 2,100-character text): there they add to the other rules and flag no bill alone; a summary that says them still flags.'),)),
]


def upgrade() -> None:
    apply_shipped_rules(op.get_bind(), CHANGES)


def downgrade() -> None:
    pass  # the rules stay as they are (see above)
