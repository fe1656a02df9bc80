"""Only a resolved session earns rating points (since the rule changed, a rating is taken for
nothing else), but an expired or cancelled session rated before then still carries its "good
rating" points. They are deleted here, given and taken back alike, so the ledger reads as if the
rule had always held: the leaderboards (month and all time), the digest's helpers of the week,
the daily cap and a person's export all read the same ledger, and none of them needs to know
which entries would have been given under today's rule. (Taking them back with negative entries
dated now would subtract last month's points from this month's leaderboard.)

The ratings themselves stay (they are the askers' words); the readers of averages count only
those of resolved questions. Going back down keeps the ledger as it is: what was deleted was
never earned under the rule.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM points_ledger WHERE reason = 'good rating' AND question_id IN "
        "(SELECT id FROM question WHERE state <> 'resolved')"
    )


def downgrade() -> None:
    pass
