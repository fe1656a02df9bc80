"""Every delivery names the workspace it is said for (a gateway serving several, Slack's OAuth
mode, sends it with that workspace's token): the input's by default, its own where a decision
speaks for several workspaces at once; rows stored before this still decode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.commands import AskQuestion, ClaimQuestion, RegisterMentor, RegisterWorkspace, SendDigest
from bot.flow.outbox import Delivery, Op, sending_for
from bot.messages import ChatMessage, text
from bot.privacy.commands import ForgetPerson
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.unit.core_harness import (
    ALWAYS,
    PLATFORM,
    QUESTION,
    SECOND_WORKSPACE,
    WORKSPACE,
    Core,
    start_core,
)
from tests.unit.fake_chat import FakeChat, R


class SentFor(FakeChat):
    """Records, with each call, the workspace the delivery being sent is for."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sent_for: list[tuple[str, Any, WorkspaceRef | None]] = []

    async def _record(self, method: str, result: R, **args: Any) -> R:
        to = args.get("user") or args.get("channel") or args.get("thread") or args.get("card")
        self.sent_for.append((method, to, sending_for()))
        return await super()._record(method, result, **args)


def test_a_delivery_keeps_its_workspace_and_an_old_row_without_one_still_decodes() -> None:
    user = UserRef("slack", "U1")
    d = Delivery(
        Op.DM, "u:slack:U1", message=ChatMessage(body=text("hi")), user=user, workspace=WORKSPACE
    )
    raw = d.to_json()
    assert Delivery.from_json(raw, lane=d.lane) == d
    old = {k: v for k, v in raw.items() if k != "workspace"}
    assert Delivery.from_json(old, lane=d.lane).workspace is None


async def _core() -> tuple[Core, SentFor]:
    """`start_core_in_two_workspaces`, its chat recording what each call is sent for."""
    chat = SentFor(platform=PLATFORM)
    core = await start_core(chat=chat)
    second = SECOND_WORKSPACE
    await core.handle(
        RegisterWorkspace(
            second, ChannelRef(second.platform, "a2x"), ChannelRef(second.platform, "a2")
        )
    )
    return core, chat


async def _join(core: Core, name: str, workspace: WorkspaceRef) -> None:
    said = await core.reply(
        RegisterMentor(core.actor(name, workspace=workspace), ("python", "pandas"), hours=ALWAYS)
    )
    assert "mentor" in said.lower(), said


async def test_a_command_speaks_for_its_actors_workspace() -> None:
    core, chat = await _core()
    await _join(core, "bob", SECOND_WORKSPACE)
    await core.reply(RegisterMentor(core.actor("carol"), ("sql",), hours=ALWAYS))  # in T1 too
    chat.sent_for.clear()
    await core.handle(AskQuestion(core.actor("carol", workspace=SECOND_WORKSPACE), QUESTION))
    assert chat.sent_for, "nothing was sent"
    assert {ws for _, _, ws in chat.sent_for} == {SECOND_WORKSPACE}
    assert ("send_dm", core.user("carol"), SECOND_WORKSPACE) in chat.sent_for
    stored = [r.delivery for r in core.db.rows("outbox")]
    assert all(d.workspace is not None for d in stored)


async def test_a_forget_everywhere_speaks_for_each_questions_workspace() -> None:
    core, chat = await _core()
    asked = {}
    for ws in (WORKSPACE, SECOND_WORKSPACE):
        await _join(core, "bob", ws)
        said = await core.reply(AskQuestion(core.actor("alice", workspace=ws), QUESTION))
        n = int(said.removeprefix("Thanks! Your question is #").split(maxsplit=1)[0].rstrip("."))
        said = await core.reply(ClaimQuestion(core.actor("bob", workspace=ws), n))
        assert said.startswith(f"You claimed #{n}"), said
        asked[ws] = n
    chat.sent_for.clear()
    await core.handle(
        ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True, everywhere=True)
    )
    to_alice = [ws for m, to, ws in chat.sent_for if m == "send_dm" and to == core.user("alice")]
    # Each asker hears their question is back in the queue, from its own workspace.
    assert sorted(to_alice, key=WorkspaceRef.key) == [WORKSPACE, SECOND_WORKSPACE]
    cards = {to: ws for m, to, ws in chat.sent_for if m == "update_card"}
    assert set(cards.values()) == {WORKSPACE, SECOND_WORKSPACE}


async def test_the_scheduled_digest_posts_each_workspaces_for_that_workspace() -> None:
    core, chat = await _core()
    for ws in (WORKSPACE, SECOND_WORKSPACE):
        await _join(core, "bob", ws)
        await core.handle(AskQuestion(core.actor("alice", workspace=ws), QUESTION))
    core.clock.advance(timedelta(days=8))
    chat.sent_for.clear()
    await core.handle(SendDigest(now=core.clock.now()))
    posts = {str(to): ws for m, to, ws in chat.sent_for if m == "post_card"}
    assert posts == {"test:mentor-admins": WORKSPACE, "test:a2": SECOND_WORKSPACE}, posts
