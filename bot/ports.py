"""Ports: what the core needs from the outside — chat, storage (unit of work) and a clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, TypeVar

from bot.digest.tally import WeekTally
from bot.domain import (
    Feedback,
    MentorProfile,
    Nudge,
    NudgeKind,
    Person,
    PointsEntry,
    Question,
    QuestionState,
    Workspace,
)
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, OutboxItem, ReplyTo
from bot.learning.model import (
    Draft,
    DraftState,
    Enrollment,
    FaqEntry,
    NextSteps,
    SuggestionRequest,
    Track,
)
from bot.lightning.model import HeldSession, Lightning, LightningState, Rsvp
from bot.matching.learned import Lesson
from bot.messages import ChatMessage
from bot.privacy.model import AuditEntry, DashboardGrant, PastCards, PersonData
from bot.recognition.model import EarnedBadge, HelpedSession, Kudos, PausePeriod
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "AuditRepository",
    "BadgeRepository",
    "ChatGateway",
    "Clock",
    "DeliveryRefused",
    "DigestRunRepository",
    "DraftRepository",
    "FaqRepository",
    "FeedbackRepository",
    "FollowUpRepository",
    "InboxRepository",
    "KudosRepository",
    "LearningRepository",
    "LeasedQueue",
    "LightningRepository",
    "MentorRepository",
    "NotMyAreaRepository",
    "NudgeRepository",
    "OutboxRepository",
    "PersonRepository",
    "PointsRepository",
    "PrivacyRepository",
    "QuestionRepository",
    "RateEventRepository",
    "RetryAfter",
    "StaleWrite",
    "StreakRepository",
    "Suggester",
    "TopicChoiceRepository",
    "Unavailable",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WorkspaceRepository",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class DeliveryRefused(Exception):
    """This one recipient or place can't be reached (closed DMs, a user who left, an archived
    channel): the delivery is skipped, not retried, and nobody else is held up."""


class Unavailable(Exception):
    """The platform is down or out of reach (an HTTP 5xx, a dropped or refused connection, no
    answer in time): nothing is wrong with the delivery. The outbox retries it with back-off for
    `[flow] give_up_after_minutes`, not just `max_attempts` times, so an outage of a few hours
    delays what the bot says instead of losing it."""


class StaleWrite(Exception):
    """A row this decision read was changed by another decision since (a question's version
    moved on while its state stayed): nothing of this decision is kept, and the bus decides it
    again from what is stored now (`MessageBus.decide`)."""


class RetryAfter(Exception):
    """The platform asked us to wait (a rate limit, or `reason`): try this delivery again after
    `seconds`."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"retry after {seconds:g} s")
        self.seconds = seconds
        self.reason = reason


class ChatGateway(Protocol):
    """Everything the bot says, platform-neutral. Adapters implement it; only the deliverer
    calls it, after commit.

    `key` is the delivery's idempotency key; `retry` says an earlier attempt may already have
    sent it (its lease ran out mid-send), so a platform that can look first should.
    Failures: :class:`DeliveryRefused` for a recipient that can't be reached,
    :class:`RetryAfter` for a rate limit, anything else is retried with back-off.
    """

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        """Post a question card (or any channel message) and return where it is."""
        ...

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        """Replace a card's content in place."""
        ...

    async def open_thread(
        self,
        *,
        card: MessageRef | None,
        channel: ChannelRef,
        members: Sequence[UserRef],
        private: bool,
        name: str,
        retry: bool = False,
    ) -> ThreadRef:
        """Open the session's conversation: a thread under the card, a private thread or a group DM."""
        ...

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef: ...

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef: ...

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        """Show a message to one user only: ephemeral where the platform has it, else a DM
        (which `key` keeps to one, as for `send_dm`)."""
        ...

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        """Answer one input, visible to its issuer only (response_url, interaction follow-up;
        a DM where there is neither, which `key` keeps to one)."""
        ...


class QuestionRepository(Protocol):
    async def add(self, question: Question) -> Question:
        """Store a new question; returns it with its id and its number in the workspace."""
        ...

    async def get(self, question_id: int) -> Question | None:
        """By internal id (what events, nudges and deliveries carry)."""
        ...

    async def get_many(self, question_ids: Sequence[int]) -> dict[int, Question]:
        """By internal id, in one look-up; ids that do not exist are left out."""
        ...

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Question | None:
        """By the number people see in that workspace."""
        ...

    async def get_by_card(self, card: MessageRef) -> Question | None: ...

    async def get_by_thread(self, thread: ThreadRef) -> Question | None: ...

    async def update(self, question: Question, *, expected_state: QuestionState) -> bool:
        """Write every field of `question` only if the stored state is still `expected_state`
        and its version the one `question` was read at (then `question` carries the new one).

        A single conditional UPDATE: of any number of concurrent callers expecting the same state,
        exactly one gets True. False when the state has moved on; `StaleWrite` when the state is
        the same but another decision changed the question since it was read (the bus decides
        again, so no change is written over another).
        """
        ...

    async def touch(self, question_id: int, at: datetime) -> None:
        """Record activity in the session's thread (the time only)."""
        ...

    async def set_card(self, question_id: int, card: MessageRef) -> None:
        """Record where the card was posted (the deliverer, after posting it)."""
        ...

    async def set_thread(self, question_id: int, thread: ThreadRef) -> None:
        """Record the session's conversation (the deliverer, after opening it)."""
        ...

    async def open_for(self, user: UserRef) -> list[Question]:
        """Questions the user asked or claimed that are not final, newest first."""
        ...

    async def with_state(
        self,
        workspace: WorkspaceRef,
        states: Sequence[QuestionState],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Question]:
        """Questions in these states, oldest first (a page of `limit` after `offset`, or all)."""
        ...

    async def count_with_state(
        self, workspace: WorkspaceRef, states: Sequence[QuestionState]
    ) -> int: ...

    async def created_between(
        self, workspace: WorkspaceRef, start: datetime | None, end: datetime | None
    ) -> list[Question]:
        """Questions created in ``[start, end)`` (open ends where None), oldest first."""
        ...

    async def resolved(
        self, workspace: WorkspaceRef, *, limit: int | None = None
    ) -> list[Question]:
        """Resolved questions, newest first."""
        ...

    async def resolved_texts(
        self, workspace: WorkspaceRef, *, after: int = 0, limit: int | None = None
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        """(id, text, topics) of the resolved questions, by id: what the similar-question index
        needs (a page of `limit` after the id `after`, or all)."""
        ...

    async def recent_claim_waits(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> list[float]:
        """Minutes from asking to claim of the latest `limit` questions asked since `since` and
        claimed: the same cohort as the digest's and stats' median time to claim."""
        ...

    async def mentor_load(
        self, workspace: WorkspaceRef, since: datetime
    ) -> dict[UserRef, tuple[int, int]]:
        """Per mentor: (sessions open now, claims since `since`)."""
        ...


class PersonRepository(Protocol):
    async def get(self, ref: UserRef) -> Person | None: ...

    async def get_many(self, refs: Sequence[UserRef]) -> dict[UserRef, Person]: ...

    async def upsert(self, person: Person) -> None: ...

    async def admin_of(self, ref: UserRef) -> set[WorkspaceRef]:
        """The workspaces whose admin `ref` was when the platform last said (a Discord or
        Enterprise Grid user id is the same person in every workspace; admin of one is nobody
        in another). ``[bot] admins`` are not recorded here: they count everywhere by config."""
        ...

    async def set_admin(self, ref: UserRef, workspace: WorkspaceRef, admin: bool) -> None:
        """Record whether `ref` is an admin of `workspace` (the other workspaces stay)."""
        ...

    async def seen_in(
        self, workspace: WorkspaceRef, query: str, *, limit: int, offset: int = 0
    ) -> tuple[list[tuple[UserRef, str, bool, datetime | None]], int]:
        """A page of the people seen in a workspace (asked by name, mentored or signed up to
        mentor, gave or got kudos, spoke at or signed up for a lightning session, its admins;
        never someone only by an anonymous question) whose name or id contains `query`, by name: (ref, name, is a mentor, left at) after
        `offset`, at most `limit`; and how many match in all."""
        ...

    async def is_seen_in(self, workspace: WorkspaceRef, user: UserRef) -> bool:
        """Whether `user` is one of the people `seen_in` lists for the workspace."""
        ...


class MentorRepository(Protocol):
    """Mentor profiles, one per person and workspace (a Discord or Enterprise Grid user is the
    same person in every server or workspace, and may mentor in several)."""

    async def get(self, ref: UserRef, workspace: WorkspaceRef) -> MentorProfile | None:
        """`ref`'s profile in `workspace` (active or not)."""
        ...

    async def get_many(
        self, refs: Sequence[UserRef], workspace: WorkspaceRef
    ) -> dict[UserRef, MentorProfile]:
        """Profiles in `workspace` of those of `refs` who have one there, in one look-up."""
        ...

    async def save(self, profile: MentorProfile) -> None:
        """Insert or update the profile of its person in its workspace."""
        ...

    async def in_workspace(self, workspace: WorkspaceRef) -> list[MentorProfile]:
        """All active mentor profiles of the workspace (paused included)."""
        ...

    async def of_person(self, ref: UserRef) -> list[MentorProfile]:
        """Every profile of `ref`, in any workspace, active or not (by workspace)."""
        ...


class FeedbackRepository(Protocol):
    async def add(self, feedback: Feedback) -> bool:
        """Store a rating once per question, rater and role; False if one exists already."""
        ...

    async def get(self, question_id: int, rater: UserRef, role: str) -> Feedback | None: ...

    async def change_score(
        self, question_id: int, rater: UserRef, role: str, score: int, *, given_since: datetime
    ) -> bool:
        """Change a rating given at or after `given_since`; False if there is none that recent."""
        ...

    async def set_comment(
        self, question_id: int, rater: UserRef, role: str, comment: str
    ) -> bool: ...

    async def for_questions(self, question_ids: Sequence[int]) -> list[Feedback]: ...

    async def for_mentor(
        self, mentor: UserRef, *, workspace: WorkspaceRef | None
    ) -> list[Feedback]:
        """Asker ratings of the sessions this mentor resolved in `workspace` (None: in every
        workspace) — only a resolved session is rated; a rating stored earlier of an expired or
        cancelled one does not count."""
        ...

    async def mentor_ratings(self, workspace: WorkspaceRef) -> dict[UserRef, float]:
        """Per mentor, the average asker rating of their resolved sessions in the workspace."""
        ...


class PointsRepository(Protocol):
    async def add(self, entry: PointsEntry) -> None: ...

    async def total_since(self, user: UserRef, since: datetime, workspace: WorkspaceRef) -> int:
        """The points `user` was given in `workspace` since `since` (the daily cap's count:
        help in one workspace does not use up another's)."""
        ...

    async def given_for(self, user: UserRef, question_id: int, reason: str) -> bool:
        """Whether `user` had points for `reason` on this question already."""
        ...

    async def held_for(self, user: UserRef, question_id: int, reason: str) -> int:
        """The points `user` holds for `reason` on this question: given less taken back."""
        ...

    async def leaderboard(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        limit: int,
        until: datetime | None = None,
    ) -> list[tuple[UserRef, int]]:
        """Points per person earned in ``[since, until)`` (open ends where None), most first;
        nobody whose points there come to nothing (or less)."""
        ...


T = TypeVar("T")


class LeasedQueue(Protocol[T]):
    """Leased work, one machinery for the inbox, the outbox and nudges: each due row goes to one
    worker at a time (PostgreSQL ``FOR UPDATE SKIP LOCKED``, SQLite a conditional UPDATE); a
    worker that dies loses nothing, since its lease runs out and another takes the row."""

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[T]:
        """Lease due rows (and rows whose lease ran out); each row goes to one caller."""
        ...

    async def hold(self, item_id: int, *, lease_until: datetime, until: datetime) -> bool:
        """Renew a lease that is still ours (`lease_until` as leased); False if it was lost."""
        ...

    # What ends an attempt takes the lease as leased (`lease_until`, None: whoever holds it):
    # a worker whose lease ran out, and whose row another worker took meanwhile, changes nothing.

    async def retry(
        self, item_id: int, *, due_at: datetime, error: str, lease_until: datetime | None = None
    ) -> bool:
        """Give the lease back; try again at `due_at`. False: the lease was no longer ours."""
        ...

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        """Give up on this row for good. False: the lease was no longer ours (nothing changed)."""
        ...

    async def release(
        self, item_ids: Sequence[int], *, lease_until: datetime | None = None
    ) -> None:
        """Hand leases back untouched (shutdown): not counted as attempts."""
        ...

    async def postpone(
        self,
        item_id: int,
        *,
        due_at: datetime,
        lease_until: datetime | None = None,
        error: str | None = None,
    ) -> None:
        """Give the lease back and look again at `due_at`; not counted as an attempt (`error`:
        why, kept as the row's last error)."""
        ...


class NudgeRepository(LeasedQueue[Nudge], Protocol):
    """Leased as any queue, except that the nudges of a workspace the app was removed from
    (`Workspace.removed_at`) are not leased until it is back."""

    async def add(self, nudge: Nudge) -> Nudge: ...

    async def add_many(self, nudges: Sequence[Nudge]) -> None:
        """Store several at once (one statement)."""
        ...

    async def cancel(self, question_id: int, kinds: Sequence[NudgeKind] | None = None) -> int:
        """Cancel pending nudges of a question (all kinds when None); returns how many."""
        ...

    async def cancel_subject(self, kind: NudgeKind, subject_id: int) -> int:
        """Cancel the pending nudges of `kind` about something other than a question (a
        lightning session's reminders, an FAQ entry's check, by its number); returns how many."""
        ...

    async def cancel_ids(self, ids: Sequence[int]) -> int:
        """Cancel these nudges, those of them still pending, in one statement (nothing else: not
        the other nudges of their question or kind); returns how many."""
        ...

    async def mark_sent(self, nudge_id: int, at: datetime) -> None: ...

    async def pending_for(self, question_id: int) -> list[Nudge]: ...

    async def pending_of_kind(self, kind: NudgeKind, target: UserRef) -> list[Nudge]: ...

    async def pending_about(self, kind: NudgeKind, subject_id: int) -> list[Nudge]:
        """The pending nudges of `kind` about a subject (see `cancel_subject`), soonest first."""
        ...

    async def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """When the soonest pending nudge due after `after`, up to `until`, is due; None when
        none is (the console's clock stops there on its way: `clock +8h`)."""
        ...


class InboxRepository(LeasedQueue[InboxItem], Protocol):
    async def add(self, item: InboxItem, *, renew_before: datetime | None = None) -> bool:
        """Store an input; False when its key is known already (a retry, a replayed event, the
        same event at another replica). With `renew_before`, a processed row with that key
        taken before then is taken again as this new input."""
        ...

    async def add_many(self, items: Sequence[InboxItem]) -> set[str]:
        """Store several inputs in one statement; returns the keys that were new."""
        ...

    async def start(self, item_id: int, *, lease_until: datetime, at: datetime) -> bool:
        """Mark the input processed, in the transaction that processes it, if our lease still
        holds; False if another worker has it (then roll back)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget processed inputs older than `before` (their keys no longer de-duplicate)."""
        ...

    async def pending(self) -> int:
        """How many inputs wait to be processed (for health and tests)."""
        ...


class OutboxRepository(LeasedQueue[OutboxItem], Protocol):
    async def add_many(self, rows: Sequence[OutboxItem]) -> None:
        """Store deliveries in this order (a lane's rows go out in it); their ids are not
        read back (leasing returns them). A row whose key is stored already is skipped (a
        delivery decided again under the same key is stored once)."""
        ...

    async def sent(self, item_id: int, *, at: datetime, result: str | None) -> None:
        """Delivered; `result` is the ref the platform gave back (a key), if any."""
        ...

    async def sent_many(self, sent: Sequence[tuple[int, datetime, str | None]]) -> None:
        """Several deliveries at once: (id, when, result) each, in one statement."""
        ...

    async def scrub(self, rows: Sequence[tuple[int, Delivery]]) -> None:
        """Store these deliveries in place of what the rows held (a secret, once it went
        out)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget delivered and failed rows older than `before`."""
        ...

    async def pending(self) -> int:
        """How many deliveries are waiting (for health and tests)."""
        ...


class NotMyAreaRepository(Protocol):
    async def add(
        self, *, mentor: UserRef, question_id: int, topics: Sequence[str], at: datetime
    ) -> None: ...

    async def since(self, workspace: WorkspaceRef, since: datetime) -> dict[UserRef, list[str]]:
        """Per mentor, the topics they said "not my area" to since `since`."""
        ...

    async def said_for(self, mentor: UserRef, question_id: int) -> bool: ...

    async def said_by(self, question_id: int) -> set[UserRef]:
        """Every mentor who said "not my area" to this question (never suggested it again)."""
        ...


class RateEventRepository(Protocol):
    """Actions limited per person and time window (``[limits]``): asks, claims."""

    async def record(
        self, workspace: WorkspaceRef, user: UserRef, kind: str, at: datetime
    ) -> None: ...

    async def count_since(
        self, workspace: WorkspaceRef, user: UserRef, kind: str, since: datetime
    ) -> int:
        """How many `kind` actions this person took in `workspace` at or after `since` (limits
        are per workspace: what they do in another one is not counted here)."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget actions older than `before`; how many."""
        ...


class TopicChoiceRepository(Protocol):
    """What matching learns from: topics askers picked, and sessions rated well."""

    async def choose_topic(
        self, *, workspace: WorkspaceRef, question_id: int, topic: str, at: datetime
    ) -> None:
        """Record (or replace) the topic picked for a question; "" for "something else"."""
        ...

    async def chosen_topic(self, question_id: int) -> str | None: ...

    async def lessons(self, workspace: WorkspaceRef, *, min_rating: int) -> list[Lesson]:
        """Every lesson of a workspace: resolved questions whose asker rated the help at least
        `min_rating` (with their mentor and topics), and questions with a picked topic."""
        ...


class WorkspaceRepository(Protocol):
    async def get(self, ref: WorkspaceRef) -> Workspace | None: ...

    async def save(self, workspace: Workspace) -> None: ...

    async def all(self) -> list[Workspace]: ...

    async def mark_removed(self, ref: WorkspaceRef, at: datetime) -> bool:
        """The app was removed from the workspace at `at` (kept as it is when it was already);
        whether this changed it. A later `save` (a registration) clears it."""
        ...

    async def restore(self, ref: WorkspaceRef) -> bool:
        """The app is back in the workspace; whether it was marked removed."""
        ...

    async def unusable_channels(self, ref: WorkspaceRef) -> dict[ChannelRef, str]:
        """The workspace's channels the platform called unusable (archived, deleted …) and not
        usable again since, with why: what every replica knows, whichever one heard it."""
        ...

    async def mark_unusable(
        self, ref: WorkspaceRef, channel: ChannelRef, why: str, at: datetime
    ) -> bool:
        """Record that `channel` was unusable at `at` (`why`), unless what is recorded of it is
        as new or newer (news arrive out of order); whether it was recorded."""
        ...

    async def mark_usable(self, ref: WorkspaceRef, channel: ChannelRef, at: datetime) -> bool:
        """Record that `channel` was usable at `at`, unless what is recorded of it is newer (at
        the same time, usable wins); whether it was recorded."""
        ...


class DigestRunRepository(Protocol):
    async def start(self, workspace: WorkspaceRef, period: str, at: datetime) -> bool:
        """Claim the digest of a period; True for exactly one caller per workspace and period."""
        ...

    async def tally(
        self, workspace: WorkspaceRef, start: datetime, end: datetime, *, top_mentors: int
    ) -> WeekTally:
        """Figures of the questions created in ``[start, end)`` and the points earned then."""
        ...

    async def first_activity(self, workspace: WorkspaceRef) -> datetime | None:
        """When the workspace was first used (its first question, mentor, kudos or admin
        action), or None: figures of weeks before it are no figures at all, not zeros."""
        ...


class LightningRepository(Protocol):
    async def add(self, session: Lightning) -> Lightning | None:
        """Store a new session with its id and the next number of its workspace (never one
        taken there, even by a session added at the same time); None when a demand proposal
        for the same workspace, topic and period exists already (two questions asked at once
        propose once)."""
        ...

    async def get(self, lightning_id: int) -> Lightning | None: ...

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Lightning | None:
        """The session `number` of `workspace` (what people see and type)."""
        ...

    async def save(self, session: Lightning, *, expected_state: LightningState) -> bool:
        """Write every field of a stored session (the card ref aside: the deliverer's) only if
        its stored state is still `expected_state`: of concurrent callers one gets True."""
        ...

    async def mark_rewarded(self, lightning_id: int, at: datetime) -> bool:
        """Record that the speaker's points were given; True for exactly one caller."""
        ...

    async def set_card(self, lightning_id: int, card: MessageRef) -> None: ...

    async def proposed_since(self, workspace: WorkspaceRef, topic: str, since: datetime) -> bool:
        """Whether a session on `topic` was proposed (by anyone) at or after `since`."""
        ...

    async def topic_demand(
        self, workspace: WorkspaceRef, topic: str, since: datetime, *, at_least: int = 0
    ) -> list[Question]:
        """The questions on `topic` asked since `since`, cancelled ones aside, oldest first;
        none when there are fewer than `at_least` (counted without loading them: most asks
        are on topics without demand, and a topic's window can hold thousands)."""
        ...

    async def upcoming(self, workspace: WorkspaceRef, now: datetime) -> list[Lightning]:
        """Scheduled sessions that have not ended yet, soonest first."""
        ...

    async def waiting_for_speaker(
        self, workspace: WorkspaceRef, since: datetime
    ) -> list[Lightning]:
        """Proposals from demand that nobody has taken yet, made at or after `since`, oldest
        first."""
        ...

    async def given_by(self, speaker: UserRef) -> int:
        """How many sessions this speaker gave that attendees rated (the speaker's points given)."""
        ...

    async def add_rsvp(self, rsvp: Rsvp) -> bool:
        """Sign someone up once; False if they were already."""
        ...

    async def remove_rsvp(self, lightning_id: int, user: UserRef) -> bool:
        """Take someone off a session's sign-ups; False if they were not signed up."""
        ...

    async def rsvps(self, lightning_id: int) -> list[Rsvp]: ...

    async def rsvps_for(self, lightning_ids: Sequence[int]) -> dict[int, list[Rsvp]]:
        """The sign-ups of several sessions in one read, each session's in the order of
        `rsvps` (a session nobody signed up for maps to an empty list)."""
        ...

    async def rate(self, lightning_id: int, user: UserRef, score: int, at: datetime) -> bool:
        """Record a signed-up person's rating once; False if not signed up or rated already."""
        ...

    async def held_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[HeldSession]:
        """Sessions that took place in ``[start, end)``, with sign-ups and ratings: `attendees`
        counts the sign-ups of people still known (a forgotten person's, kept under a
        tombstone, is nobody's), the ratings are every rating given (figures)."""
        ...


class KudosRepository(Protocol):
    async def add(self, kudos: Kudos) -> int:
        """Store a kudos; its id."""
        ...

    async def get(self, kudos_id: int) -> Kudos | None: ...

    async def set_card(self, kudos_id: int, card: MessageRef) -> None:
        """Record where its public post went (it is redrawn there when someone is forgotten)."""
        ...

    async def given_since(
        self, giver: UserRef, since: datetime, workspace: WorkspaceRef
    ) -> list[Kudos]:
        """Kudos `giver` gave since `since`, oldest first."""
        ...

    async def count_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> int: ...


class BadgeRepository(Protocol):
    async def add(self, badge: EarnedBadge) -> bool:
        """Store a badge once per person; False if they had it already."""
        ...

    async def of(self, user: UserRef) -> list[EarnedBadge]:
        """The badges someone earned, oldest first."""
        ...

    async def announce(self, user: UserRef, at: datetime) -> list[EarnedBadge]:
        """Mark the badges not yet announced as announced at `at`; returns them."""
        ...

    async def last_announced(self, user: UserRef) -> datetime | None: ...

    async def earned_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[EarnedBadge]: ...


class StreakRepository(Protocol):
    async def sessions_of(self, mentor: UserRef, *, since: datetime | None) -> list[HelpedSession]:
        """Sessions of this mentor resolved at or after `since`, oldest first, each with who
        resolved it and the asker's rating (whether it counts as help is the core's call)."""
        ...

    async def add_pause(self, pause: PausePeriod) -> None: ...

    async def end_pauses(self, user: UserRef, at: datetime, *, workspace: WorkspaceRef) -> None:
        """A mentor resumed (or paused afresh) in `workspace` at `at`: their pauses still
        running there end then, and so do those of no workspace (recorded before pauses were
        per workspace, they applied everywhere); pauses in other workspaces go on."""
        ...

    async def pauses(self, user: UserRef, *, since: datetime) -> list[PausePeriod]:
        """Pauses in any workspace that had not ended by `since`, each with its workspace."""
        ...

    async def last_note(self, user: UserRef, kind: str) -> datetime | None: ...

    async def add_note(self, user: UserRef, kind: str, at: datetime) -> None: ...


class LearningRepository(Protocol):
    """Course progress (`bot.learning.training`)."""

    async def get(self, user: UserRef, track: Track) -> Enrollment | None: ...

    async def save(self, enrollment: Enrollment) -> None:
        """Insert or update (one row per user and track)."""
        ...

    async def for_user(self, user: UserRef) -> list[Enrollment]: ...


class DraftRepository(Protocol):
    """Questions held back for coaching (`bot.learning.drafts`)."""

    async def add(self, draft: Draft) -> Draft:
        """Store a new draft; returns it with its id."""
        ...

    async def get(self, draft_id: int) -> Draft | None: ...

    async def pending(self, workspace: WorkspaceRef, asker: UserRef) -> list[Draft]:
        """`asker`'s drafts still waiting in `workspace`, oldest first."""
        ...

    async def close(self, draft_id: int, state: DraftState) -> bool:
        """Move a pending draft to `state`: one conditional UPDATE, so of two clicks on
        [Post as is] exactly one posts; False when it was no longer pending."""
        ...

    async def close_pending(
        self, workspace: WorkspaceRef, asker: UserRef, state: DraftState
    ) -> list[int]:
        """Move every pending draft of `asker` in `workspace` to `state`; returns their ids."""
        ...

    async def count_answered(
        self, workspace: WorkspaceRef, since: datetime, until: datetime
    ) -> int:
        """How many drafts held in `[since, until)` their asker closed with [That answers it]:
        questions the FAQ answered before they were posted."""
        ...


class FaqRepository(Protocol):
    """FAQ entries (`bot.learning.faq`)."""

    async def add(self, entry: FaqEntry) -> FaqEntry: ...

    async def get(self, entry_id: int) -> FaqEntry | None: ...

    async def for_question(self, question_id: int) -> FaqEntry | None: ...

    async def update(self, entry: FaqEntry) -> None: ...

    async def visible(self, workspace: WorkspaceRef, *, verified_since: datetime) -> list[FaqEntry]:
        """Active entries verified at or after `verified_since`, newest first."""
        ...

    async def count_by_author(self, workspace: WorkspaceRef, author: UserRef) -> int:
        """How many active FAQ entries `author` wrote in the workspace (e.g. for a badge)."""
        ...


class FollowUpRepository(Protocol):
    """What follow-ups and ranking need to know about people's past sessions."""

    async def share(self, question_id: int, user: UserRef, at: datetime) -> bool:
        """Record that `user` pressed "Share summary"; False if they had already."""
        ...

    async def shared_by(self, question_id: int) -> list[UserRef]: ...

    async def asked_topics(
        self,
        workspace: WorkspaceRef,
        asker: UserRef,
        since: datetime,
        *,
        up_to: tuple[datetime, int] | None = None,
    ) -> list[tuple[str, ...]]:
        """The topics of each question `asker` asked since `since` (cancelled ones left out),
        and with `up_to=(at, number)` asked up to that question: before `at`, or at `at` with a
        number up to `number` (questions asked at the same instant, in the order they got
        their numbers)."""
        ...

    async def mentors_met(
        self, workspace: WorkspaceRef, asker: UserRef, since: datetime, *, anonymous: bool = False
    ) -> dict[UserRef, int]:
        """Per mentor, how many sessions `asker` had with them since `since` (`anonymous`: on
        the questions `asker` asked anonymously only)."""
        ...

    async def topic_ratings(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[tuple[str, float, int]]:
        """(topic, average asker rating, ratings) of the questions created in ``[start, end)``
        and resolved (only a resolved session is rated)."""
        ...


class Suggester(Protocol):
    """Suggests next steps after a session (`bot.learning.suggestions`). The offline one uses
    the skills taxonomy and curated resources; an optional one asks a language model."""

    # True when it sends text out of the bot (a language model endpoint): then the mentor's
    # summary goes along only with both people's consent, and the buttons to give it are shown.
    shares_text: bool

    async def suggest(self, request: SuggestionRequest) -> NextSteps:
        """Next steps for one session; raises on any failure (the caller falls back)."""
        ...


class AuditRepository(Protocol):
    """The audit trail of admin actions."""

    async def add(self, entry: AuditEntry) -> None: ...

    async def recent(
        self,
        workspaces: Sequence[WorkspaceRef],
        *,
        limit: int,
        action: str = "",
        actor: UserRef | None = None,
    ) -> list[AuditEntry]:
        """The latest entries of these workspaces (of one action, by one admin, when given),
        newest first."""
        ...


class PrivacyRepository(Protocol):
    """People's data rights, retention and dashboard sign-ins (`bot.privacy`)."""

    async def person_data(
        self, user: UserRef, *, workspace: WorkspaceRef | None = None, anonymous: bool = True
    ) -> PersonData:
        """Everything stored about `user`: profile, questions, ratings given and received,
        points, kudos, badges, courses. With `workspace` (an admin's export), the person row
        and only the rows of that workspace (ratings and not-my-area marks by their question,
        lightning sign-ups by their session; pauses of that workspace, not those recorded
        before pauses had one);
        None: everywhere (the operator's, and the person's own). Without `anonymous` (an
        admin's export: someone else reads it), nothing of a question they asked anonymously:
        not the question, their draft of it, their rating of its session or its points."""
        ...

    async def workspaces_of(self, user: UserRef) -> set[WorkspaceRef]:
        """Every workspace where `user` has records a forget would change: questions asked,
        mentored, resolved or handed to them, mentor profiles, points, kudos given or
        received, badges, courses, drafts, FAQ entries, lightning sessions given, proposed or
        signed up for, ratings, not-my-area marks and summary consents (by their question),
        admin actions they took."""
        ...

    async def forget(self, user: UserRef, *, tombstone: UserRef, removed: str) -> int:
        """Erase `user`'s name, question texts and comments (replaced by `removed`) and hand
        what stays for the figures to `tombstone`; how many rows changed."""
        ...

    async def unquote_faq(self, user: UserRef) -> int:
        """Every FAQ entry's question copied from a question `user` asked, anonymous ones too,
        reads as its topics (`neutral_faq_question`: the entry stays findable); how many
        changed. Erasure takes a person's words out, even where the change is seen; called before
        `forget`, while their questions still name them."""
        ...

    async def asked_by(self, user: UserRef) -> list[tuple[WorkspaceRef, int]]:
        """(workspace, question id) of every question `user` asked: what the in-memory indexes
        may hold of theirs."""
        ...

    async def past_cards_of(self, user: UserRef, *, limit: int) -> PastCards:
        """The posted cards that name `user` on what is over: resolved questions they mentored
        (the card says "helped by" them) and closed questions they asked, not anonymously
        ("Asked by" them), held or cancelled lightning sessions they gave (the card names the
        speaker), public kudos they gave or received whose post's ref is known; of each kind
        the newest `limit` by id, newest first. Redrawn when they are forgotten."""
        ...

    async def mark_left(self, user: UserRef, at: datetime) -> None:
        """Record that someone left the workspace (the platform's offboarding signal), unless
        it is recorded already. Leaving mentoring is not leaving: that is the mentor profile."""
        ...

    async def mark_back(self, user: UserRef) -> None:
        """Someone who left is here again (seen acting in a workspace): forget `left_at`."""
        ...

    async def left_at(self, user: UserRef) -> datetime | None: ...

    async def redact_texts(self, before: datetime, *, removed: str) -> tuple[int, int]:
        """Replace question texts (and drafts) created before `before`, and rating comments,
        by `removed`; (texts, comments) changed."""
        ...

    async def prune_logs(self, before: datetime) -> int:
        """Forget processed inputs, delivered or failed outbox rows and finished nudges older
        than `before`; how many."""
        ...

    async def add_grant(
        self, token_hash: str, kind: str, grant: DashboardGrant, at: datetime
    ) -> None:
        """Store a sign-in link (`kind` "link") or a session ("session") by its token's hash."""
        ...

    async def use_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        """A link: taken once (a conditional UPDATE; a second use gets None). A session: read.
        None when unknown or expired."""
        ...

    async def peek_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        """What `use_grant` would take, read without taking it (a link stays unused); None
        when unknown, expired, or a link used already."""
        ...

    async def end_grant(self, token_hash: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: all or nothing. ``async with uow:`` rolls back unless committed."""

    questions: QuestionRepository
    people: PersonRepository
    mentors: MentorRepository
    feedback: FeedbackRepository
    points: PointsRepository
    nudges: NudgeRepository
    not_my_area: NotMyAreaRepository
    topic_choices: TopicChoiceRepository
    inbox: InboxRepository
    outbox: OutboxRepository
    workspaces: WorkspaceRepository
    digests: DigestRunRepository
    rate_events: RateEventRepository
    lightning: LightningRepository
    kudos: KudosRepository
    badges: BadgeRepository
    streaks: StreakRepository
    learning: LearningRepository
    drafts: DraftRepository
    faq: FaqRepository
    followups: FollowUpRepository
    audit: AuditRepository
    privacy: PrivacyRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    def in_transaction(self) -> bool:
        """Whether a statement has begun its transaction (on SQLite: it holds the write lock)."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False, urgent: bool = False) -> UnitOfWork:
        """A fresh unit of work; `read_only` ones never take SQLite's write lock, `urgent` ones
        get it before others (an input stored before its acknowledgement)."""
        ...
