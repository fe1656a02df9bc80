"""The SQLModel tables: the only place the database schema is declared."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

__all__ = [
    "AuditRow",
    "BadgeRow",
    "DashboardTokenRow",
    "DigestRunRow",
    "FaqEntryRow",
    "FeedbackRow",
    "InboxRow",
    "KudosRow",
    "LearningEnrollmentRow",
    "LightningRow",
    "LightningRsvpRow",
    "MentorPauseRow",
    "MentorProfileRow",
    "NotMyAreaRow",
    "NudgeRow",
    "OutboxRow",
    "PersonRow",
    "PointsRow",
    "QuestionDraftRow",
    "QuestionRow",
    "RateEventRow",
    "RecognitionNoteRow",
    "SlackInstallationRow",
    "SlackObjectRow",
    "SummaryShareRow",
    "TopicChoiceRow",
    "UtcDateTime",
    "WorkspaceRow",
    "metadata",
    "table_of",
]

metadata = SQLModel.metadata


class UtcDateTime(sa.TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always binds UTC and always returns aware UTC.

    SQLite keeps no offset and compares datetimes as text, so every value is normalised to UTC
    on the way in and tagged UTC on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        assert isinstance(when, datetime)
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)


def _dt(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UtcDateTime(), nullable=nullable, index=index))


def _json() -> Any:
    return Field(default_factory=list, sa_column=sa.Column(sa.JSON(), nullable=False))


def _question_fk(*, nullable: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("question.id"), nullable=nullable),
    )


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspace"

    key: str = Field(primary_key=True)
    mentoring_channel: str
    admin_channel: str
    timezone: str = "UTC"
    name: str = ""
    escalation_channel: str | None = None
    last_number: int = 0  # the highest question number handed out in this workspace
    # The highest lightning session number handed out in this workspace (migration 0021).
    last_lightning_number: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )
    # When the app was removed from it (uninstalled, kicked; migration 0023); None while there.
    removed_at: datetime | None = _dt()


class UnusableChannelRow(SQLModel, table=True):
    """Whether a workspace's channel is usable, as the platform last said (archived, deleted,
    not found by the app; or back), whichever replica heard it (migration 0022): every replica
    refuses questions for a lost mentoring channel and takes them again once it is back. The
    row stays once it is usable again (`why` None, migration 0024), so that news older than
    `since` (a retried event, a post made before it) can be told apart and left out."""

    __tablename__ = "unusable_channel"

    workspace: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)
    why: str | None = None  # None: usable
    # When it was so: the platform's time of the event, or when the call that showed it began.
    since: datetime = _dt(nullable=False)


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    key: str = Field(primary_key=True)
    name: str
    timezone: str | None = None
    left_at: datetime | None = _dt()  # left the workspace (offboarding); not leaving mentoring


class WorkspaceAdminRow(SQLModel, table=True):
    """Who is an admin of which workspace, as the platform last said there (a row while they
    are). Per workspace: a Discord or Enterprise Grid user id is the same person in every
    workspace the bot serves, and an admin of one is nobody in another."""

    __tablename__ = "workspace_admin"

    person: str = Field(primary_key=True)
    workspace: str = Field(primary_key=True)


class MentorProfileRow(SQLModel, table=True):
    __tablename__ = "mentor_profile"

    stage: str | None = None
    region: str = Field(
        default="", sa_column=sa.Column(sa.String, nullable=False, server_default="")
    )
    # One profile per person and workspace: a Discord (or Enterprise Grid) user id is the same
    # in every server the bot serves, and mentoring in one says nothing about another.
    user: str = Field(primary_key=True)
    workspace: str = Field(primary_key=True, index=True)
    skills: list[str] = _json()
    timezone: str = "UTC"
    hours: str
    capacity_per_week: int = 3
    paused_until: datetime | None = _dt()
    joined_at: datetime | None = _dt()
    active: bool = True
    # The mentor's own words, "I can help with…" (indexed for matching; may be empty).
    about: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False, server_default=""))


class QuestionRow(SQLModel, table=True):
    __tablename__ = "question"
    __table_args__ = (
        sa.Index("ix_question_workspace_state", "workspace", "state"),
        sa.Index("ix_question_workspace_created_at", "workspace", "created_at"),
        sa.Index("ix_question_workspace_claimed_at", "workspace", "claimed_at"),
        # The asker's questions, and the mentors they met lately (migration 0013).
        sa.Index("ix_question_asker_workspace_claimed_at", "asker", "workspace", "claimed_at"),
        sa.Index("uq_question_workspace_number", "workspace", "number", unique=True),
        # Question numbers are on buttons and cards: SQLite must never hand one out twice.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    asker: str
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = _dt(nullable=False)
    anonymous: bool = False
    topics: list[str] = _json()
    wanted_stage: str | None = None
    state: str
    mentor: str | None = Field(default=None, index=True)
    suggested: list[str] = _json()
    card: str | None = Field(default=None, index=True)
    thread: str | None = Field(default=None, index=True)
    claimed_at: datetime | None = _dt()
    resolved_at: datetime | None = _dt()
    resolved_by: str | None = None
    closed_at: datetime | None = _dt()
    timebox_ends_at: datetime | None = _dt()
    last_activity_at: datetime | None = _dt()
    extensions: int = 0
    claims: int = 0
    number: int
    released_by: list[str] = _json()
    notified: list[str] = _json()
    handover_to: str | None = None
    handover_by: str | None = None
    # Whether any mentor here was in working hours when it was asked (migration 0025; NULL:
    # asked before, judged by the mentors as they are now).
    mentor_at_work: bool | None = None
    # When Resolve was pressed (migration 0026; older resolves read their `resolved_at`).
    resolve_pressed_at: datetime | None = _dt()
    # Bumped by every update of what a handler may change (migration 0019): a decision writes
    # only over the version it read, so two concurrent ones cannot undo each other.
    version: int = Field(
        default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0")
    )


class RateEventRow(SQLModel, table=True):
    """Something a person did that is limited per time window (asks, claims)."""

    __tablename__ = "rate_event"
    __table_args__ = (sa.Index("ix_rate_event_user_kind_at", "user", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    user: str
    kind: str
    at: datetime = _dt(nullable=False)


class TopicChoiceRow(SQLModel, table=True):
    """The topic an asker picked when the bot was unsure (it also teaches the matcher)."""

    __tablename__ = "topic_choice"

    question_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
        )
    )
    workspace: str = Field(index=True)
    topic: str  # a canonical skill, or "" for "something else"
    chosen_at: datetime = _dt(nullable=False)


class FeedbackRow(SQLModel, table=True):
    __tablename__ = "feedback"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "rater", "role", name="uq_feedback_question_rater_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = _question_fk(nullable=False)
    rater: str
    role: str
    score: int
    comment: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = _dt(nullable=False)


class PointsRow(SQLModel, table=True):
    __tablename__ = "points_ledger"
    __table_args__ = (
        sa.Index("ix_points_ledger_workspace_at", "workspace", "at"),
        sa.Index("ix_points_ledger_user_at", "user", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    user: str
    points: int
    reason: str
    at: datetime = _dt(nullable=False)
    question_id: int | None = _question_fk()


class NudgeRow(SQLModel, table=True):
    __tablename__ = "nudge"
    __table_args__ = (
        sa.Index("ix_nudge_state_due_at", "state", "due_at"),
        sa.Index("ix_nudge_question_id", "question_id"),
        sa.Index("ix_nudge_kind_target", "kind", "target"),
        # Pruned nudges' ids must not come back (migration 0014).
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    workspace: str
    question_id: int | None = _question_fk()
    target: str | None = None
    step: int = 0
    due_at: datetime = _dt(nullable=False)
    state: str
    attempts: int = 0
    lease_until: datetime | None = _dt()
    sent_at: datetime | None = _dt()
    last_error: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime | None = Field(
        default=None,
        sa_column=sa.Column(UtcDateTime(), nullable=False, server_default=sa.func.now()),
    )
    # What a nudge that is not about a question is about (a lightning session's id).
    subject_id: int | None = None


class NotMyAreaRow(SQLModel, table=True):
    __tablename__ = "not_my_area"
    __table_args__ = (
        sa.Index("ix_not_my_area_mentor_question", "mentor", "question_id"),
        sa.Index("ix_not_my_area_question_id", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentor: str
    question_id: int = _question_fk(nullable=False)
    topics: list[str] = _json()
    at: datetime = _dt(nullable=False, index=True)


_PENDING = sa.text("state = 'pending'")


def _queue_indexes(table: str) -> tuple[sa.Index, ...]:
    """What leasing reads: due pending rows, and the first pending row of a lane."""
    return (
        sa.Index(
            f"ix_{table}_pending_due",
            "due_at",
            "id",
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.Index(
            f"ix_{table}_pending_lane",
            "lane",
            "id",
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.Index(f"ix_{table}_state_at", "state", "created_at"),
    )


class _QueueRow(SQLModel):
    """The columns every leased queue has (`storage.repositories._leased`)."""

    # Plain field specs (no Column objects): each table builds its own columns from them.
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column_kwargs={"unique": True})
    lane: str
    state: str
    created_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    attempts: int = 0
    last_error: str = Field(default="", sa_type=sa.Text)


class InboxRow(_QueueRow, table=True):
    """Every acknowledged input, keyed by the platform's own identity of it."""

    __tablename__ = "inbox"
    __table_args__ = (*_queue_indexes("inbox"), {"sqlite_autoincrement": True})

    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)


class OutboxRow(_QueueRow, table=True):
    """What a committed decision says, until it is delivered."""

    __tablename__ = "outbox"
    __table_args__ = (*_queue_indexes("outbox"), {"sqlite_autoincrement": True})

    spec: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime, nullable=True)
    result: str | None = None


class DigestRunRow(SQLModel, table=True):
    __tablename__ = "digest_run"
    __table_args__ = (
        sa.UniqueConstraint("workspace", "period", name="uq_digest_run_workspace_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    period: str
    started_at: datetime = _dt(nullable=False)


class LightningRow(SQLModel, table=True):
    __tablename__ = "lightning"
    __table_args__ = (
        # Demand proposals: one per workspace, topic and period (NULL for people's own).
        sa.UniqueConstraint(
            "workspace", "topic", "demand_period", name="uq_lightning_workspace_topic_period"
        ),
        sa.Index("ix_lightning_workspace_topic_created_at", "workspace", "topic", "created_at"),
        sa.Index("ix_lightning_workspace_state_starts_at", "workspace", "state", "starts_at"),
        # Numbered per workspace like questions (migration 0021): `/lightning join 1` names
        # this workspace's #1, whatever other workspaces hold.
        sa.Index("uq_lightning_workspace_number", "workspace", "number", unique=True),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    number: int
    topic: str
    state: str
    minutes: int = 15
    title: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    speaker: str | None = Field(default=None, index=True)
    proposed_by: str | None = None
    starts_at: datetime | None = _dt()
    question_ids: list[int] = _json()
    invited: list[str] = _json()
    declined: list[str] = _json()
    demand_period: int | None = None
    card: str | None = None
    created_at: datetime = _dt(nullable=False)
    held_at: datetime | None = _dt()
    rewarded_at: datetime | None = _dt()


class LightningRsvpRow(SQLModel, table=True):
    __tablename__ = "lightning_rsvp"
    __table_args__ = (
        sa.UniqueConstraint("lightning_id", "user", name="uq_lightning_rsvp_lightning_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lightning_id: int = Field(
        sa_column=sa.Column(sa.Integer, sa.ForeignKey("lightning.id"), nullable=False)
    )
    user: str
    at: datetime = _dt(nullable=False)
    score: int | None = None
    rated_at: datetime | None = _dt()


class KudosRow(SQLModel, table=True):
    __tablename__ = "kudos"
    __table_args__ = (
        sa.Index("ix_kudos_giver_at", "giver", "at"),
        sa.Index("ix_kudos_workspace_at", "workspace", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    giver: str
    receiver: str
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    private: bool = False
    at: datetime = _dt(nullable=False)
    # The public post's ref once it went out (it is redrawn when its giver or receiver is
    # forgotten); None for a private one, one not out yet, or one posted before 0027.
    card: str | None = None


class BadgeRow(SQLModel, table=True):
    __tablename__ = "badge"
    __table_args__ = (
        sa.UniqueConstraint("user", "badge", name="uq_badge_user_badge"),
        sa.Index("ix_badge_workspace_earned_at", "workspace", "earned_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    user: str
    badge: str
    earned_at: datetime = _dt(nullable=False)
    announced_at: datetime | None = _dt()


class MentorPauseRow(SQLModel, table=True):
    """A mentor's pause in one workspace; `workspace` NULL: recorded before pauses were per
    workspace (revision 0012), it applies in every workspace."""

    __tablename__ = "mentor_pause"

    id: int | None = Field(default=None, primary_key=True)
    user: str = Field(index=True)
    start: datetime = _dt(nullable=False)
    end: datetime = _dt(nullable=False)
    workspace: str | None = None


class RecognitionNoteRow(SQLModel, table=True):
    """When someone was last sent a recognition note of a kind (e.g. "keep your streak")."""

    __tablename__ = "recognition_note"
    __table_args__ = (sa.Index("ix_recognition_note_user_kind_at", "user", "kind", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    user: str
    kind: str
    at: datetime = _dt(nullable=False)


class LearningEnrollmentRow(SQLModel, table=True):
    """Someone's progress through one course (`bot.learning.training`)."""

    __tablename__ = "learning_enrollment"
    __table_args__ = (
        sa.UniqueConstraint("user", "track", name="uq_learning_enrollment_user_track"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user: str
    workspace: str
    track: str
    next_lesson: int = 1
    started_at: datetime = _dt(nullable=False)
    last_sent_at: datetime | None = _dt()
    completed_at: datetime | None = _dt()
    stopped_at: datetime | None = _dt()
    checks_right: int = 0
    checks_answered: list[int] = _json()


class QuestionDraftRow(SQLModel, table=True):
    """A question held back for coaching until its asker posts or edits it."""

    __tablename__ = "question_draft"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    asker: str = Field(index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    anonymous: bool = False
    stage: str | None = None
    state: str
    created_at: datetime = _dt(nullable=False)


class FaqEntryRow(SQLModel, table=True):
    """A mentor's short answer saved from a resolved session."""

    __tablename__ = "faq_entry"
    __table_args__ = (
        sa.UniqueConstraint("question_id", name="uq_faq_entry_question"),
        sa.Index("ix_faq_entry_workspace_state_verified", "workspace", "state", "verified_at"),
        sa.Index("ix_faq_entry_workspace_author", "workspace", "author"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    question_id: int = _question_fk(nullable=False)
    author: str
    question: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    answer: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    topics: list[str] = _json()
    state: str
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime | None = _dt()
    verified_at: datetime = _dt(nullable=False)


class SummaryShareRow(SQLModel, table=True):
    """Someone pressed "Share summary" on a resolved session."""

    __tablename__ = "summary_share"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "user", name="uq_summary_share_question_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = _question_fk(nullable=False)
    user: str
    at: datetime = _dt(nullable=False)


class AuditRow(SQLModel, table=True):
    """One admin action (`bot.privacy.audit`)."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_workspace_at", "workspace", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace: str
    actor: str
    actor_name: str = ""
    action: str
    subject: str = ""
    detail: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    at: datetime = _dt(nullable=False)


class DashboardTokenRow(SQLModel, table=True):
    """A dashboard sign-in link or session, by the SHA-256 of its random token (the token
    itself is only ever in the link or the cookie)."""

    __tablename__ = "dashboard_token"

    token_hash: str = Field(primary_key=True)
    kind: str  # "link" (single use, minutes) or "session" (hours)
    admin: str
    admin_name: str = ""
    workspaces: list[str] = _json()
    created_at: datetime = _dt(nullable=False)
    expires_at: datetime = _dt(nullable=False, index=True)
    used_at: datetime | None = _dt()


class SlackInstallationRow(SQLModel, table=True):
    """A workspace that installed the Slack app through OAuth (multi-workspace mode): its bot
    token, forgotten (and the row made inactive) on uninstall. Used by adapters/slack only."""

    __tablename__ = "slack_installation"

    team_id: str = Field(primary_key=True)
    enterprise_id: str | None = None
    app_id: str | None = None
    team_name: str = ""
    bot_token: str | None = Field(default=None, repr=False)
    # Token rotation (migration 0016): the token that trades the bot token for the next one,
    # and when the bot token expires (both None when the app does not rotate its tokens); until
    # when a replica has the trade in hand (a claim: no other spends the refresh token too).
    bot_refresh_token: str | None = Field(default=None, repr=False)
    bot_token_expires_at: datetime | None = _dt()
    bot_token_trading_until: datetime | None = _dt()
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: str = ""
    installer_user_id: str | None = None
    installed_at: datetime = _dt(nullable=False)
    active: bool = True


class SlackObjectRow(SQLModel, table=True):
    """Which workspace a Slack channel or user id belongs to (multi-workspace mode): a
    delivery goes out with that workspace's token."""

    __tablename__ = "slack_object"

    slack_id: str = Field(primary_key=True)
    team_id: str = Field(index=True)


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a SQLModel class (repositories query tables, not ORM objects)."""
    table: sa.Table = model.__table__  # type: ignore[attr-defined]
    return table
