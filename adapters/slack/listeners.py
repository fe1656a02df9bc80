"""Bolt listeners: each acks at once, then translates the payload and hands the command to the bus."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack import translate as tr
from adapters.slack.directory import SlackDirectory
from adapters.slack.gateway import SlackGateway
from adapters.slack.render import ask_modal, comment_modal, home_view, join_modal
from bot import commands as c
from bot.config import Config
from bot.messagebus import MessageBus
from bot.messages import ChatMessage, text
from bot.ports import Clock, UnitOfWorkFactory
from bot.textcommands import ParseError

__all__ = ["SlackBot", "register_listeners"]

Ack = Callable[..., Awaitable[Any]]
Body = dict[str, Any]


@dataclass
class SlackBot:
    """What the listeners need: the bus, the Slack gateway and directory, and dedup storage."""

    bus: MessageBus
    gateway: SlackGateway
    directory: SlackDirectory
    uow_factory: UnitOfWorkFactory
    clock: Clock
    config: Config

    async def first_delivery(self, body: Body) -> bool:
        """False for a retry of an event already handled here or by another replica."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        async with self.uow_factory() as uow:
            fresh = await uow.processed_events.first_time(f"slack:{event_id}", self.clock.now())
            await uow.commit()
        return fresh

    async def run(
        self,
        command: c.Command | ParseError,
        *,
        actor: c.Actor,
        channel: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """Hand a command to the bus and show its replies to the issuer alone."""
        if isinstance(command, ParseError):
            replies = [ChatMessage(body=text(command.message))]
        else:
            replies = await self.bus.handle(command)
        await self.gateway.respond(
            replies, user=actor.user, channel=channel, response_url=response_url
        )

    async def open_modal(self, modal: tr.OpenModal, *, body: Body, channel: str | None) -> None:
        user_id = _user_id(body)
        meta: dict[str, Any] = {"channel": channel, "response_url": body.get("response_url")}
        if modal.kind == "ask":
            view = ask_modal(meta, allow_anonymous=self.config.ask.allow_anonymous)
        elif modal.kind == "join":
            who = await self.directory.user(user_id)
            view = join_modal(
                meta,
                hours=self.config.mentors.default_hours,
                timezone=who.timezone or self.config.mentors.default_timezone,
            )
        else:
            assert modal.question_id is not None
            view = comment_modal(
                {**meta, "question_id": modal.question_id}, question_id=modal.question_id
            )
        await self.gateway.client.views_open(trigger_id=body["trigger_id"], view=view)


def _user_id(body: Body) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("user_id") or user)


def register_listeners(bolt: AsyncApp, bot: SlackBot) -> None:
    """Wire every listener; each is a few lines that end in the bus."""

    async def on_command(ack: Ack, body: Body) -> None:
        await ack()
        actor = await bot.directory.actor(body["user_id"], fallback_name=body.get("user_name", ""))
        result = tr.slash_command(
            body["command"], body.get("text", ""), actor=actor, now=bot.clock.now()
        )
        if isinstance(result, tr.OpenModal):
            await bot.open_modal(result, body=body, channel=body.get("channel_id"))
            return
        await bot.run(
            result,
            actor=actor,
            channel=body.get("channel_id"),
            response_url=body.get("response_url"),
        )

    for name in ("/askmentor", "/mentor", "/mentoradmin"):
        bolt.command(name)(on_command)

    @bolt.event("reaction_added")
    async def on_reaction(ack: Ack, body: Body, event: Body) -> None:
        await ack()
        emoji = tr.emoji_name(event.get("reaction", ""))
        claim = bot.config.claim
        item = event.get("item") or {}
        if emoji not in (*claim.emoji, *claim.resolve_emoji) or not item.get("channel"):
            return
        if not await bot.first_delivery(body):
            return
        thread = None
        if emoji in claim.resolve_emoji:
            thread = await bot.gateway.thread_of(item["channel"], item["ts"])
        actor = await bot.directory.actor(event["user"])
        command = tr.reaction(event, actor=actor, thread=thread)
        if command is not None:
            await bot.run(command, actor=actor, channel=item["channel"])

    @bolt.event("message")
    async def on_message(ack: Ack, body: Body, event: Body) -> None:
        await ack()
        thread = tr.thread_of_message(event)
        if thread is None or not await bot.first_delivery(body):
            return
        actor = await bot.directory.actor(event["user"])
        await bot.run(
            c.RecordThreadActivity(actor, thread=thread), actor=actor, channel=event["channel"]
        )
        if (event.get("text") or "").strip() in ("✅", ":white_check_mark:"):
            card = tr.message_ref(event["channel"], event.get("thread_ts") or event["ts"])
            reaction = c.HandleReaction(actor, card, "white_check_mark", thread)
            await bot.run(reaction, actor=actor, channel=event["channel"])

    @bolt.event("app_home_opened")
    async def on_home(ack: Ack, body: Body, event: Body) -> None:
        await ack()
        if event.get("tab", "home") != "home" or not await bot.first_delivery(body):
            return
        actor = await bot.directory.actor(event["user"])
        replies = await bot.bus.handle(c.ShowHome(actor))
        home = next((r for r in replies if r.kind == "home"), replies[0] if replies else None)
        if home is not None:
            view = home_view(home, permalink=bot.gateway.permalink)
            await bot.gateway.client.views_publish(user_id=event["user"], view=view)

    @bolt.action(re.compile(r"^mm:"))
    async def on_button(ack: Ack, body: Body, action: Body) -> None:
        await ack()
        actor = await bot.directory.actor(_user_id(body))
        channel = (body.get("channel") or {}).get("id")
        result = tr.block_action(action.get("action_id", ""), actor=actor)
        if isinstance(result, tr.OpenModal):
            await bot.open_modal(result, body=body, channel=channel)
        elif result is not None:
            await bot.run(
                result, actor=actor, channel=channel, response_url=body.get("response_url")
            )

    @bolt.view(re.compile(r"^mm_"))
    async def on_view(ack: Ack, body: Body, view: Body) -> None:
        await ack()
        actor = await bot.directory.actor(_user_id(body))
        command = tr.view_submission(view, actor=actor)
        meta = tr.metadata_of(view)
        if command is not None:
            await bot.run(
                command,
                actor=actor,
                channel=meta.get("channel"),
                response_url=meta.get("response_url"),
            )
