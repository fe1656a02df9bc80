"""Typed configuration: `bot.toml` loaded once, validated with messages that name file, key and fix."""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.emoji import KNOWN_NAMES, canonical_emoji
from bot.hours import HoursError, WeeklyHours, check_timezone

__all__ = [
    "ENVIRONMENT_VARIABLES",
    "Config",
    "ConfigError",
    "EscalationStep",
    "Lesson",
    "LessonCheck",
    "ResourceLink",
    "defaults_note",
    "load_config",
    "unknown_variables",
]


def _emoji_key(name: str) -> str:
    return re.sub(r"[\s_-]", "", name.lower())


_EMOJI_NAMES = {_emoji_key(name): name for name in KNOWN_NAMES}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_DATABASE_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


# URLs as hosting platforms and SQLAlchemy's docs write them, and the async driver each means.
_PLAIN_SCHEMES = {
    "sqlite://": "sqlite+aiosqlite://",
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
}


def _with_async_driver(url: str) -> str:
    """`url` with a scheme that names no driver given the async one (see Config.database_url)."""
    for plain, driver in _PLAIN_SCHEMES.items():
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def _asyncpg_url(url: str) -> str:
    """A libpq-style PostgreSQL URL in the form asyncpg takes (see Config.database_url)."""
    url = _with_async_driver(url)
    if not url.startswith("postgresql+asyncpg://") or "?" not in url:
        return url
    base, _, query = url.partition("?")
    params = []
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "sslmode":
            if value not in _SSL_MODES:
                raise ConfigError(
                    f"DATABASE_URL: sslmode={value!r} is not one of {', '.join(_SSL_MODES)}"
                )
            part = f"ssl={value}"
        params.append(part)
    return base + "?" + "&".join(params)


def _database_url_problem(url: str) -> str | None:
    """Why `url` can't be used (None if it can); never repeats the URL, which may hold a password."""
    if url.startswith(_DATABASE_SCHEMES):
        authority = url.partition("://")[2].partition("/")[0]
        if authority.count("@") > 1:
            # The URL's parser splits at the first `@`: the rest of the password would be
            # shown as the host. Say so without any of it.
            return (
                "the part between `://` and the host holds more than one `@`: percent-encode "
                "`@` in the password as %40 (e.g. `postgresql://user:pa%40ss@host/db`)"
            )
        return _memory_problem(url)
    scheme = url.partition("://")[0] if "://" in url else url[:20]
    return (
        "expected `sqlite+aiosqlite:///file.db` or `postgresql+asyncpg://user@host/db` "
        f"(got {scheme + '://…' if '://' in url else repr(scheme)})"
    )


def _memory_problem(url: str) -> str | None:
    """A SQLite URL that names no file (``sqlite:///``, ``:memory:``, ``mode=memory``): the
    database would live in memory and be gone, with everything stored, when the process ends."""
    prefix = "sqlite+aiosqlite://"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :]
    path, _, query = rest.removeprefix("/").partition("?")
    params = {part.partition("=")[0]: part.partition("=")[2] for part in query.split("&")}
    memory = path.strip() in ("", ":memory:") or path.startswith("file::memory:")
    if not memory and params.get("mode") != "memory":
        return None
    return (
        "names no database file (an in-memory SQLite database keeps nothing once the process "
        "ends): give a file path, e.g. `sqlite:///micromentor.db` or "
        "`sqlite:////var/lib/micromentor/micromentor.db`"
    )


_ADMIN_ID = re.compile(
    r"^(slack:[UW][A-Z0-9]{2,}|discord:\d{5,25}|console:[A-Za-z0-9._-]{1,40}|test:\S+)$"
)
_ADMIN_HINT = (
    "is not a platform user id. Admins are listed by id, never by name (anyone can change "
    "their name): slack:U0123ABCD (Slack: open the person's profile → ⋮ → Copy member ID) or "
    "discord:123456789012345678 (Discord: turn on Developer Mode, right-click the person → "
    "Copy User ID). Workspace admins/owners and members with Manage Server are admins anyway."
)


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
_LOG_LEVELS: tuple[LogLevel, ...] = get_args(LogLevel)


def _iana_timezone(v: str) -> str:
    """`v` as the IANA name it is (a ValueError with a suggestion when it is none)."""
    try:
        return check_timezone(v)
    except HoursError as e:
        raise ValueError(str(e)) from None


class BotSection(_Section):
    database_url: str = "sqlite+aiosqlite:///micromentor.db"
    # Platform ids only; workspace admins/owners (Slack) and Manage Server (Discord) count too.
    admins: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    log_level: LogLevel = "INFO"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, v: str) -> str:
        problem = _database_url_problem(_with_async_driver(v))
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _iana_timezone(v)

    @field_validator("admins")
    @classmethod
    def _admin_ids(cls, v: list[str]) -> list[str]:
        wrong = [entry for entry in v if not _ADMIN_ID.match(entry.strip())]
        if len(wrong) == 1:
            raise ValueError(f"{wrong[0]!r} {_ADMIN_HINT}")
        if wrong:  # each one named: fixing the first would only show the next
            named = ", ".join(repr(entry) for entry in wrong)
            raise ValueError(
                f"{named} {_ADMIN_HINT.replace('is not a platform user id', 'are not platform user ids', 1)}"
            )
        return [entry.strip() for entry in v]


class ChannelsSection(_Section):
    mentoring: str = "mentoring"
    admin: str = "mentor-admins"
    escalation: str = ""

    @field_validator("mentoring", "admin", "escalation")
    @classmethod
    def _channel(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip()
        if v.lstrip("#").strip():
            return v
        if not v and info.field_name == "escalation":
            return v  # no escalation channel
        raise ValueError(
            "expected a channel name like `mentoring` (the `#` is optional)"
            + ("; leave it empty for none" if info.field_name == "escalation" else "")
        )


class AskSection(_Section):
    min_length: Annotated[int, Field(ge=1)] = 15
    min_words: Annotated[int, Field(ge=1)] = 4
    max_length: Annotated[int, Field(ge=20, le=3000)] = 2000
    allow_anonymous: bool = True
    similar_shown: Annotated[int, Field(ge=0, le=10)] = 3
    # "suggest": a question that misses what mentors need gets a private preview with tips first.
    coaching: Literal["suggest", "off"] = "suggest"

    @model_validator(mode="after")
    def _lengths(self) -> AskSection:
        # Else every question would be refused: too short or too long, whatever its length.
        if self.min_length > self.max_length:
            raise ValueError(
                f"min_length ({self.min_length}) is greater than max_length "
                f"({self.max_length}): no question could be asked; make min_length at most "
                "max_length"
            )
        return self


class ClaimSection(_Section):
    emoji: Annotated[list[str], Field(min_length=1)] = Field(
        # The first is named on the card (as Unicode). Slack names ✋ `raised_hand` (alias
        # `hand`) and 🙋 `raising_hand`; names and Unicode are the same emoji on every platform.
        default_factory=lambda: ["✋", "raised_hand", "hand", "🙋", "raising_hand"]
    )
    resolve_emoji: Annotated[list[str], Field(min_length=1)] = Field(
        default_factory=lambda: ["white_check_mark", "heavy_check_mark", "✅", "✔️"]
    )

    @field_validator("emoji", "resolve_emoji")
    @classmethod
    def _emoji(cls, v: list[str]) -> list[str]:
        for entry in v:
            name = entry.strip().strip(":")
            if not name:
                raise ValueError(
                    f"{entry!r} is blank: give an emoji (✋) or its Slack name (raised_hand)"
                )
            if canonical_emoji(name) != name:
                continue  # a name the bot knows
            # Slack has thousands of names (and custom emoji): another name is allowed, unless
            # it is a known one misspelt (`raisedhand`, `Raised-Hand`), which nobody could use.
            near = _EMOJI_NAMES.get(_emoji_key(name))
            if near is not None:
                raise ValueError(f"{entry!r} is not an emoji name; did you mean {near!r}?")
        return v


class LimitsSection(_Section):
    """Limits on abuse, per person. 0 switches a limit off."""

    asks: Annotated[int, Field(ge=0, le=1000)] = 5  # questions per `ask_window_minutes`
    ask_window_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    claims: Annotated[int, Field(ge=0, le=1000)] = 6  # claims per `claim_window_minutes`
    claim_window_minutes: Annotated[int, Field(ge=1, le=1440)] = 60
    # An ask this similar (0-100, rapidfuzz) to one of the asker's own questions still waiting
    # or in a session is pointed to that question instead of posted again.
    duplicate_similarity: Annotated[int, Field(ge=0, le=100)] = 90

    def longest_window_minutes(self) -> int:
        return max(self.ask_window_minutes, self.claim_window_minutes)


class SessionSection(_Section):
    timebox_minutes: Annotated[int, Field(ge=1, le=480)] = 20
    extend_minutes: Annotated[int, Field(ge=1, le=240)] = 10
    max_extensions: Annotated[int, Field(ge=0, le=20)] = 3
    wrap_up_grace_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    stale_after_minutes: Annotated[int, Field(ge=1, le=1440)] = 10
    # A video call link for session intros and lightning reminders (empty: none).
    call_link: str = ""

    @field_validator("call_link")
    @classmethod
    def _call_link(cls, v: str) -> str:
        v = v.strip()
        if not v:
            return v
        if not v.startswith(("https://", "http://")):
            raise ValueError(
                "expected an http(s) URL like https://meet.jit.si/micromentor-{workspace}-{number}"
            )
        try:
            v.format(workspace="w", number=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError("the only placeholders are {workspace} and {number}") from None
        return v


class MatchingSection(_Section):
    suggest: Annotated[int, Field(ge=1, le=10)] = 3
    topic_threshold: Annotated[float, Field(ge=50, le=100)] = 85.0
    not_my_area_days: Annotated[int, Field(ge=0)] = 30
    roster_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = 30.0
    sure_weight: Annotated[float, Field(gt=0, le=1)] = 0.8
    unsure_margin: Annotated[float, Field(ge=0, le=1)] = 0.05
    ask_when_unsure: bool = True
    learn_min_rating: Annotated[int, Field(ge=1, le=5)] = 4
    model_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 4.0
    # Variety: someone with this many sessions in the last `variety_days` hears new voices.
    variety_after_sessions: Annotated[int, Field(ge=1)] = 3
    variety_days: Annotated[int, Field(ge=1)] = 90


class EscalationStep(_Section):
    after_minutes: Annotated[int, Field(ge=1)]
    action: Literal["dm_next", "channel_bump", "admins", "give_up"]


def _default_ladder() -> list[EscalationStep]:
    return [
        EscalationStep(after_minutes=10, action="dm_next"),
        EscalationStep(after_minutes=30, action="channel_bump"),
        EscalationStep(after_minutes=120, action="admins"),
        EscalationStep(after_minutes=1440, action="give_up"),
    ]


class NudgesSection(_Section):
    sweep_seconds: Annotated[float, Field(gt=0, le=3600)] = 5.0
    escalation: list[EscalationStep] = Field(default_factory=_default_ladder)
    feedback_after_minutes: Annotated[int, Field(ge=1)] = 30
    follow_up_days: Annotated[int, Field(ge=1)] = 3
    lease_seconds: Annotated[int, Field(ge=5)] = 60
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 5
    retry_base_seconds: Annotated[int, Field(ge=1)] = 30
    batch_size: Annotated[int, Field(ge=1, le=100_000)] = 500
    send_concurrency: Annotated[int, Field(ge=1, le=64)] = 1
    quiet_hours: bool = True
    recent_action_minutes: Annotated[int, Field(ge=0)] = 60

    @field_validator("escalation")
    @classmethod
    def _ordered(cls, v: list[EscalationStep]) -> list[EscalationStep]:
        minutes = [s.after_minutes for s in v]
        if minutes != sorted(minutes) or len(set(minutes)) != len(minutes):
            raise ValueError(
                "each escalation step's after_minutes must be larger than the one before; they "
                f"are {', '.join(str(m) for m in minutes)} in the order given (list the steps "
                "from the earliest)"
            )
        return v


class FlowSection(_Section):
    """The inbox (inputs to process) and the outbox (messages to send)."""

    lease_seconds: Annotated[float, Field(ge=5, le=3600)] = 30.0
    max_attempts: Annotated[int, Field(ge=1, le=50)] = 8
    retry_base_seconds: Annotated[float, Field(gt=0, le=3600)] = 2.0
    retry_max_seconds: Annotated[float, Field(gt=0, le=86_400)] = 300.0
    # A platform that is down or out of reach (a 5xx, a dropped connection, a timeout) is
    # retried this long (at most `retry_max_seconds` apart) before a delivery is given up;
    # other failures give it up after `max_attempts`.
    give_up_after_minutes: Annotated[float, Field(ge=1, le=10_080)] = 240.0
    inbox_attempts: Annotated[int, Field(ge=1, le=20)] = 3
    # Messages sent at once (network-bound: many in flight keep delivery lag low).
    concurrency: Annotated[int, Field(ge=1, le=256)] = 16
    # Inputs decided at once (CPU- and write-bound: two are as fast as sixteen and do not hold
    # deliveries up behind a pile of decisions; measured with benchmarks/flow.py).
    decide_concurrency: Annotated[int, Field(ge=1, le=256)] = 2
    keep_hours: Annotated[float, Field(ge=1)] = 48.0
    shutdown_seconds: Annotated[float, Field(ge=0, le=300)] = 8.0


class DigestSection(_Section):
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = "09:00"
    top_mentors: Annotated[int, Field(ge=1, le=50)] = 5
    gap_max_mentors: Annotated[int, Field(ge=0, le=50)] = 1
    # Topics whose average rating that week is at most this are listed as low-rated.
    low_rating: Annotated[float, Field(ge=1, le=5)] = 3.0

    @field_validator("time")
    @classmethod
    def _time(cls, v: str) -> str:
        try:
            WeeklyHours.parse(f"Mon {v}-24:00")
        except HoursError:
            raise ValueError("expected a time like 09:00") from None
        return v


class PointsSection(_Section):
    # Accepted so that older bot.toml files still load; claiming alone earns nothing.
    claim: Annotated[int, Field(ge=0)] = 0
    resolve: Annotated[int, Field(ge=0)] = 3
    good_rating: Annotated[int, Field(ge=0)] = 2
    kudos: Annotated[int, Field(ge=0)] = 1
    lightning: Annotated[int, Field(ge=0)] = 5
    daily_cap: Annotated[int, Field(ge=1)] = 10
    leaderboard: bool = True


class KudosSection(_Section):
    daily_limit: Annotated[int, Field(ge=1, le=100)] = 5
    max_length: Annotated[int, Field(ge=20, le=2000)] = 500


class LightningSection(_Section):
    min_questions: Annotated[int, Field(ge=2, le=1000)] = 5
    # ... asked by at least this many different people (one person asking again and again is
    # not demand; 1 turns that check off); never more than min_questions, which caps it (see
    # `min_distinct_askers`).
    min_askers: Annotated[int, Field(ge=1, le=1000)] = 3
    window_days: Annotated[int, Field(ge=1, le=365)] = 28
    propose_to: Annotated[int, Field(ge=1, le=10)] = 3
    minutes: Annotated[int, Field(ge=5, le=120)] = 15

    @property
    def min_distinct_askers(self) -> int:
        """The askers demand needs: `min_askers`, at most `min_questions` (a workspace that
        lowered the question count to 2 still gets a proposal from 2 people asking)."""
        return min(self.min_askers, self.min_questions)


class MentorsSection(_Section):
    default_hours: str = "Mon-Fri 09:00-17:00"
    default_timezone: str = "UTC"
    default_capacity_per_week: Annotated[int, Field(ge=1, le=100)] = 3

    @field_validator("default_timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return _iana_timezone(v)

    @field_validator("default_hours")
    @classmethod
    def _hours(cls, v: str) -> str:
        try:
            WeeklyHours.parse(v)
        except HoursError as e:
            raise ValueError(str(e)) from None
        return v


class LessonCheck(_Section):
    """A lesson's quick check: a question, 2–4 short options, the right one (1-based), why."""

    question: Annotated[str, Field(min_length=1, max_length=300)]
    options: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=60)]], Field(min_length=2, max_length=4)
    ]
    answer: Annotated[int, Field(ge=1, le=4)]
    explain: Annotated[str, Field(max_length=500)] = ""

    @field_validator("answer")
    @classmethod
    def _answer(cls, v: int, info: ValidationInfo) -> int:
        options = info.data.get("options") or []
        if options and v > len(options):
            raise ValueError(f"answer {v} is not one of the {len(options)} options")
        return v


class Lesson(_Section):
    """One bite-sized lesson: a title, a few lines, and one quick check."""

    title: Annotated[str, Field(min_length=1, max_length=80)]
    body: Annotated[str, Field(min_length=1, max_length=1500)]
    check: LessonCheck


class LearningSection(_Section):
    """Short courses in chat: one for askers (mentees), one for mentors."""

    enabled: bool = True
    # Days between lessons after the first (which comes with the first ask or join).
    every_days: Annotated[int, Field(ge=1, le=30)] = 1
    # Replace a shipped course (bot/learning/courses/*.toml) with your own 4–6 lessons.
    mentee: list[Lesson] = Field(default_factory=list)
    mentor: list[Lesson] = Field(default_factory=list)

    @field_validator("mentee", "mentor")
    @classmethod
    def _length(cls, v: list[Lesson]) -> list[Lesson]:
        if v and not 2 <= len(v) <= 8:
            raise ValueError("a course has 2 to 8 lessons (4–6 is a good size)")
        return v


class FollowUpSection(_Section):
    """Next steps after a session, and the guard against quick fixes."""

    enabled: bool = True
    # Minutes after resolve (time for the mentor's short answer and "Share summary").
    after_minutes: Annotated[int, Field(ge=0, le=1440)] = 5
    # The same asker's third question on one topic within this many days proposes a longer chat.
    repeat_days: Annotated[int, Field(ge=1)] = 90
    repeat_count: Annotated[int, Field(ge=2, le=20)] = 3
    # The optional LLM suggester (MICROMENTOR_LLM_*) answers within this time, else the offline one.
    llm_timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 8.0


class FaqSection(_Section):
    # The author is asked "still accurate?" this many days after the entry was last verified;
    # an entry left unverified for hide_after_days more is hidden.
    verify_days: Annotated[int, Field(ge=1)] = 90
    hide_after_days: Annotated[int, Field(ge=0)] = 14
    # How many FAQ entries to show at ask time ("Answered before").
    shown: Annotated[int, Field(ge=0, le=10)] = 2


class ResourceLink(_Section):
    """A curated resource for a skill: a title and, for reading, a link (none for a practice idea)."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    url: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if v and not v.startswith(("https://", "http://")):
            raise ValueError("expected an http(s) URL, or nothing for a practice idea")
        return v


class SlackSection(_Section):
    thread_mode: Literal["thread", "group_dm"] = "thread"
    # A user group (handle like `mentors`, or its id S0123) whose members are the mentors:
    # members who are not mentors yet are registered, and those removed from it stop being
    # suggested. Empty: mentors join with `/mentor join`.
    mentor_group: str = ""


class PrivacySection(_Section):
    """How long personal data is kept (see the README's data inventory)."""

    # Question texts and rating comments become "[removed after N days]".
    keep_text_days: Annotated[int, Field(ge=1, le=3650)] = 90
    # Processed inputs, delivered messages and finished reminders are deleted.
    keep_log_days: Annotated[int, Field(ge=1, le=365)] = 7


class DashboardSection(_Section):
    """The admin web dashboard (`/admin`)."""

    # Where admins reach it, for the sign-in links (e.g. https://mentor.example.com). Empty:
    # http://localhost on the HTTP port.
    public_url: str = ""
    link_minutes: Annotated[int, Field(ge=1, le=60)] = 10
    session_hours: Annotated[float, Field(gt=0, le=24)] = 8.0

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, v: str) -> str:
        return _absolute_url(v)


def _absolute_url(v: str) -> str:
    """`v` stripped, when empty or an absolute http(s) URL; else ValueError."""
    v = v.strip()
    scheme, sep, rest = v.partition("://")
    if v and not (sep and scheme.lower() in ("http", "https") and rest.strip("/")):
        raise ValueError("expected an absolute http(s) URL like https://mentor.example.com")
    return v


class DiscordSection(_Section):
    thread_mode: Literal["public", "private"] = "public"
    guild_ids: list[int] = Field(default_factory=list)
    shard_count: Annotated[int, Field(ge=0)] = 0
    # Hear of members who leave the server (offboarding: claims released, never suggested
    # again). Needs the privileged Server Members intent switched on in the Developer Portal.
    member_events: bool = False


class Config(_Section):
    """The whole configuration."""

    bot: BotSection = Field(default_factory=BotSection)
    channels: ChannelsSection = Field(default_factory=ChannelsSection)
    ask: AskSection = Field(default_factory=AskSection)
    claim: ClaimSection = Field(default_factory=ClaimSection)
    session: SessionSection = Field(default_factory=SessionSection)
    limits: LimitsSection = Field(default_factory=LimitsSection)
    matching: MatchingSection = Field(default_factory=MatchingSection)
    nudges: NudgesSection = Field(default_factory=NudgesSection)
    flow: FlowSection = Field(default_factory=FlowSection)
    digest: DigestSection = Field(default_factory=DigestSection)
    points: PointsSection = Field(default_factory=PointsSection)
    kudos: KudosSection = Field(default_factory=KudosSection)
    lightning: LightningSection = Field(default_factory=LightningSection)
    mentors: MentorsSection = Field(default_factory=MentorsSection)
    skills: dict[str, list[str]] = Field(default_factory=dict)
    learning: LearningSection = Field(default_factory=LearningSection)
    followup: FollowUpSection = Field(default_factory=FollowUpSection)
    faq: FaqSection = Field(default_factory=FaqSection)
    resources: dict[str, list[ResourceLink]] = Field(default_factory=dict)
    slack: SlackSection = Field(default_factory=SlackSection)
    discord: DiscordSection = Field(default_factory=DiscordSection)
    privacy: PrivacySection = Field(default_factory=PrivacySection)
    dashboard: DashboardSection = Field(default_factory=DashboardSection)
    path: Path | None = Field(default=None, exclude=True)

    def database_url(self) -> str:
        """`DATABASE_URL` wins; a relative SQLite path is taken next to the config file.

        ``postgres://`` and ``postgresql://`` (as hosting platforms give them) mean asyncpg,
        ``sqlite:///`` (as SQLAlchemy's docs write it) means aiosqlite; libpq's ``sslmode=`` becomes asyncpg's ``ssl=`` with the same value.
        Raises ConfigError when `DATABASE_URL` names a database this bot can't use."""
        env = os.environ.get("DATABASE_URL")
        if env is not None and not env.strip():
            # Set but empty (`DATABASE_URL=` in an env file): not taken as unset, which would
            # quietly open [bot] database_url instead of the database the operator meant.
            raise ConfigError(
                "DATABASE_URL: is set but empty; give a database URL (e.g. "
                "`sqlite:///micromentor.db`), or unset it to use [bot] database_url"
            )
        url = _asyncpg_url(env or self.bot.database_url)
        problem = _database_url_problem(url)
        if problem:
            raise ConfigError(f"DATABASE_URL: {problem}")
        prefix = "sqlite+aiosqlite:///"
        if url.startswith(prefix) and self.path is not None:
            rest = url[len(prefix) :]
            if rest and not rest.startswith("/") and not rest.startswith(":memory:"):
                url = prefix + str((self.path.parent / rest).resolve())
        return url

    def dashboard_url(self) -> str:
        """Where admins reach the dashboard, for its sign-in links (no trailing slash):
        `[dashboard] public_url`, else the ``PUBLIC_URL`` environment variable (the public
        address the Slack steps set, served by the same `run`); empty when neither is set or
        ``PUBLIC_URL`` is not an absolute http(s) URL."""
        if self.dashboard.public_url:
            return self.dashboard.public_url.rstrip("/")
        env = os.environ.get("PUBLIC_URL", "").strip()
        try:
            return _absolute_url(env).rstrip("/")
        except ValueError:
            return ""

    def log_level(self) -> LogLevel:
        """`MICROMENTOR_LOG_LEVEL` (any case) wins over `[bot] log_level`. Raises ConfigError
        when it is not a level, as a wrong `log_level` in bot.toml does."""
        wanted = os.environ.get("MICROMENTOR_LOG_LEVEL", "").strip()
        if not wanted:
            return self.bot.log_level
        for level in _LOG_LEVELS:
            if wanted.upper() == level:
                return level
        raise ConfigError(
            f"MICROMENTOR_LOG_LEVEL: {wanted!r} is not one of {', '.join(_LOG_LEVELS)}"
        )


# Every environment variable the bot reads (README: Configuration), for the warning about a
# misspelt one. MICROMENTOR_TEST_* and MICROMENTOR_BENCH_* are the test suite's and the
# benchmarks', never warned about.
ENVIRONMENT_VARIABLES = (
    "MICROMENTOR_CONFIG",
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_STATE_SECRET",
    "PORT",
    "HOST",
    "PUBLIC_URL",
    "DISCORD_TOKEN",
    "DISCORD_API_BASE_URL",
    "DISCORD_GATEWAY_URL",
    "MICROMENTOR_LOG_LEVEL",
    "MICROMENTOR_LOG_FORMAT",
    "MICROMENTOR_LLM_URL",
    "MICROMENTOR_LLM_API_KEY",
    "MICROMENTOR_LLM_MODEL",
)
_NOT_THE_BOTS = ("MICROMENTOR_TEST_", "MICROMENTOR_BENCH_")


def unknown_variables(env: Mapping[str, str]) -> list[str]:
    """One warning per variable in `env` that starts with ``MICROMENTOR_`` but is none the bot
    reads (a misspelling is ignored silently otherwise), with the nearest known name; never
    its value, which may be a secret."""
    # MICROMENTOR_DATABASE_URL means DATABASE_URL: the name without the prefix counts too.
    # Compared without the prefix, which every MICROMENTOR_ name shares.
    bare = {known.removeprefix("MICROMENTOR_"): known for known in ENVIRONMENT_VARIABLES}
    warnings = []
    for name in sorted(env):
        if not name.startswith("MICROMENTOR_") or name in ENVIRONMENT_VARIABLES:
            continue
        if name.startswith(_NOT_THE_BOTS):
            continue
        close = [
            bare[match]
            for match in difflib.get_close_matches(
                name.removeprefix("MICROMENTOR_"), bare, n=1, cutoff=0.7
            )
        ]
        hint = f"; did you mean {close[0]}?" if close else " (README: Configuration lists them)"
        warnings.append(f"{name} is set but micromentor does not read it{hint}")
    return warnings


class ConfigError(Exception):
    """The configuration could not be loaded; the message says where and how to fix it."""


def defaults_note(config: Config) -> str | None:
    """One line when `config` is the built-in defaults because ``./bot.toml`` was not there
    (not an error: a first try works without one), naming the path looked for; else None."""
    if config.path is None or config.path.exists():
        return None
    return (
        f"no configuration file at {config.path}: using the built-in defaults "
        "(copy the shipped bot.toml there, or give --config FILE or MICROMENTOR_CONFIG)"
    )


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load `path`, `MICROMENTOR_CONFIG`, or ``./bot.toml``; defaults when no file exists."""
    raw = path or os.environ.get("MICROMENTOR_CONFIG") or "bot.toml"
    file = Path(raw)
    if not file.exists():
        if path or os.environ.get("MICROMENTOR_CONFIG"):
            raise ConfigError(f"{file}: the configuration file does not exist")
        return Config(path=file.resolve())
    try:
        # utf-8-sig: Windows editors may start the file with a byte order mark.
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text; save it as UTF-8") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a folder, not a file; give the path of bot.toml") from None
    except OSError as e:
        raise ConfigError(f"{file}: cannot be read ({e.strerror or e})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{file}: not valid TOML: {e}") from None
    try:
        return Config.model_validate({**data, "path": file.resolve()})
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = [str(p) for p in err["loc"]]
            key = ".".join(loc)
            what = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            if err["type"] == "extra_forbidden":
                problems.append(f"{file}: {_unknown(loc, got)}")
                continue
            # A database URL may hold a password: its message shows the scheme only. A value
            # the message names already, or a table, is not repeated (raw dicts read badly).
            secret = key == "bot.database_url"
            shown = (
                f" (got {got!r})" if got is not None and not secret and not _said(got, what) else ""
            )
            problems.append(f"{file}: [{key}] {what}{shown}")
        raise ConfigError("\n".join(problems)) from None


_SPELLING = "check the spelling; see the comments in the shipped bot.toml"


def _unknown(loc: list[str], got: object) -> str:
    """An unknown section (a table at the top) or key, with the nearest known name."""
    if len(loc) == 1 and isinstance(got, dict):
        known = [name for name in Config.model_fields if name != "path"]
        close = difflib.get_close_matches(loc[0], known, n=1, cutoff=0.6)
        hint = f"; did you mean [{close[0]}]?" if close else f" ({_SPELLING})"
        return f"unknown section [{loc[0]}]{hint}"
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        field = model.model_fields.get(part) if model is not None else None
        kind = field.annotation if field is not None else None
        model = kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None
    known = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(loc[-1], known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else f" ({_SPELLING})"
    return f"[{'.'.join(loc)}] unknown key{hint}"


def _said(got: object, message: str) -> bool:
    """Whether `message` names `got` already, or `got` is a table or list of tables."""
    if isinstance(got, dict) or (
        isinstance(got, list) and any(isinstance(item, dict | list) for item in got)
    ):
        return True
    if isinstance(got, list):
        return bool(got) and all(str(item) in message for item in got)
    return str(got).strip() in message if isinstance(got, str) and got.strip() else False
