"""The core wired on in-memory fakes, with short-hands for who does what (unit tests only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.clock import ManualClock
from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    Command,
    RecordThreadActivity,
    RegisterMentor,
    RegisterWorkspace,
    ResolveQuestion,
    SendDigest,
)
from bot.config import Config
from bot.domain import MentorProfile, Question
from bot.lightning.card_gateway import LightningCardGateway
from bot.matching import SimilarIndexes, build_taxonomy
from bot.mentors.roster_cache import MentorRoster
from bot.messagebus import MessageBus, Services
from bot.messages import ChatMessage
from bot.recognition.kudos_gateway import KudosCardGateway
from bot.recognition.points import REAL_HELP
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from bot.runtime import Runtime, build_runtime
from tests.unit.fake_chat import FakeChat
from tests.unit.fakes import FakeDatabase

__all__ = [
    "ADMIN_CHANNEL",
    "MENTORING",
    "QUESTION",
    "SECOND_WORKSPACE",
    "START",
    "WORKSPACE",
    "Core",
    "start_core",
    "start_core_in_two_workspaces",
]

PLATFORM = "test"
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside default working hours
WORKSPACE = WorkspaceRef(PLATFORM, "T1")
SECOND_WORKSPACE = WorkspaceRef(PLATFORM, "T2")  # the same people's other server or workspace
MENTORING = ChannelRef(PLATFORM, "mentoring")
ADMIN_CHANNEL = ChannelRef(PLATFORM, "mentor-admins")
QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
ALWAYS = "Mon-Sun 00:00-24:00"


@dataclass
class Core:
    """A message bus on fakes; `handle` returns the issuer's replies as plain text."""

    bus: MessageBus
    runtime: Runtime
    db: FakeDatabase
    chat: FakeChat
    clock: ManualClock
    config: Config

    @staticmethod
    def user(name: str) -> UserRef:
        return UserRef(PLATFORM, name)

    def actor(
        self, name: str, *, platform_admin: bool = False, workspace: WorkspaceRef = WORKSPACE
    ) -> Actor:
        return Actor(self.user(name), name, workspace, platform_admin=platform_admin)

    def profile(self, name: str, workspace: WorkspaceRef = WORKSPACE) -> MentorProfile:
        """`name`'s committed mentor profile in `workspace` (the row itself: tests may edit it)."""
        found: MentorProfile = self.db.tables["mentors"][self.user(name), workspace]
        return found

    async def handle(self, command: Command) -> list[ChatMessage]:
        return await self.bus.handle(command)

    async def tick(self) -> None:
        """What the scheduler's tick does: work through whatever is due now (nudges, retries)."""
        await self.runtime.drain()

    async def reply(self, command: Command) -> str:
        """Everything the issuer was told, as one plain text."""
        return "\n".join(m.plain() for m in await self.bus.handle(command))

    async def join(self, name: str, *skills: str, hours: str = ALWAYS) -> None:
        said = await self.reply(RegisterMentor(self.actor(name), skills, hours=hours))
        assert "mentor" in said.lower(), said

    async def ask(
        self, name: str = "alice", text: str = QUESTION, *, anonymous: bool = False
    ) -> int:
        said = await self.reply(AskQuestion(self.actor(name), text, anonymous))
        assert said.startswith("Thanks! Your question is #"), said
        return int(said.removeprefix("Thanks! Your question is #").split(maxsplit=1)[0].rstrip("."))

    async def claim(self, name: str, question_id: int) -> str:
        return await self.reply(ClaimQuestion(self.actor(name), question_id))

    async def resolve(self, name: str, question_id: int) -> str:
        return await self.reply(ResolveQuestion(self.actor(name), question_id))

    async def claimed(self, *, asker: str = "alice", mentor: str = "bob") -> int:
        """A question `asker` asked and `mentor` (a pandas mentor) claimed."""
        if (self.user(mentor), WORKSPACE) not in self.db.tables["mentors"]:
            await self.join(mentor, "python", "pandas")
        n = await self.ask(asker)
        said = await self.claim(mentor, n)
        assert said.startswith(f"You claimed #{n}"), said
        return n

    async def resolved(self, *, asker: str = "alice", mentor: str = "bob") -> int:
        n = await self.claimed(asker=asker, mentor=mentor)
        said = await self.resolve(asker, n)
        assert said == f"#{n} is marked resolved.", said
        return n

    async def talked(self, question_id: int, *, mentor: str = "bob") -> None:
        """The mentor writes in the session's thread `REAL_HELP` after now (the claim): a
        session that shows real help, which earns its mentor points once resolved."""
        self.clock.advance(REAL_HELP)
        await self.handle(RecordThreadActivity(self.actor(mentor), question_id=question_id))

    async def helped(self, *, asker: str = "alice", mentor: str = "bob") -> int:
        """A session that shows real help: claimed, talked in for a few minutes, resolved by
        its asker (`resolved` is a claim resolved at once, which earns no points)."""
        n = await self.claimed(asker=asker, mentor=mentor)
        await self.talked(n, mentor=mentor)
        said = await self.resolve(asker, n)
        assert said == f"#{n} is marked resolved.", said
        return n

    async def digest(self, week: str | None = None) -> str:
        """`/mentoradmin digest [week]` by the admin: the digest as posted in the admin channel."""
        said = await self.reply(
            SendDigest(now=self.clock.now(), actor=self.actor("admin"), week=week)
        )
        assert said.startswith("Posted the digest of "), said
        return self.chat.messages("post_card")[-1].plain()

    def question(self, question_id: int) -> Question:
        return self.db.question(question_id)


async def start_core(
    config: Config | None = None,
    *,
    chat: FakeChat | None = None,
    learning: bool = False,
    services: Services | None = None,
) -> Core:
    """A fresh core on fakes with one registered workspace; the clock stands at :data:`START`.

    The lessons (``[learning]``) and the next-steps message (``[followup]``) add DMs and nudges
    to every ask, join and resolve; they are off unless a test asks for them with `learning`
    (the end-to-end tests run everything). `services` replaces the default shared services
    (e.g. with a language-model suggester)."""
    config = config or Config()
    if not learning:
        config = config.model_copy(
            update={
                "learning": config.learning.model_copy(update={"enabled": False}),
                "followup": config.followup.model_copy(update={"enabled": False}),
            }
        )
    if "test:admin" not in config.bot.admins:
        bot = config.bot.model_copy(update={"admins": [*config.bot.admins, "test:admin"]})
        config = config.model_copy(update={"bot": bot})
    db = FakeDatabase()
    chat = chat or FakeChat(platform=PLATFORM)
    clock = ManualClock(START)
    runtime = build_runtime(
        uow_factory=db.uow_factory(),
        chat=KudosCardGateway(
            LightningCardGateway(chat, uow_factory=db.uow_factory()), uow_factory=db.uow_factory()
        ),
        clock=clock,
        config=config,
        services=services
        or Services(
            taxonomy=build_taxonomy(config.skills),
            similar=SimilarIndexes(),
            roster=MentorRoster(ttl_seconds=config.matching.roster_cache_seconds),
        ),
        deliver_now=True,
    )
    bus = runtime.bus
    await bus.handle(RegisterWorkspace(WORKSPACE, MENTORING, ADMIN_CHANNEL, name="test"))
    return Core(bus=bus, runtime=runtime, db=db, chat=chat, clock=clock, config=config)


async def start_core_in_two_workspaces() -> Core:
    """:func:`start_core` with :data:`SECOND_WORKSPACE` registered too (one person may be in both,
    as a Discord user is in every server they joined)."""
    core = await start_core()
    second = SECOND_WORKSPACE
    await core.handle(
        RegisterWorkspace(
            second, ChannelRef(second.platform, "m2"), ChannelRef(second.platform, "a2")
        )
    )
    return core
