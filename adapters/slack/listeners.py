"""Bolt listeners: each stores its input in the inbox, then acknowledges (a slash command, a
button press or a form slow to store is acknowledged meanwhile: `STORE_BEFORE_ACK_SECONDS`); the
work happens from the inbox (`adapters.slack.inbox`). Bolt answers Slack only once a listener
returned (`process_before_response`), so nothing comes after `ack()` but work started in the
background: forms opened (a trigger lasts 3 seconds), apologies on a response_url."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from adapters.slack import translate as tr
from adapters.slack.channels import ARCHIVED, DELETED, NOT_FOUND
from adapters.slack.slackbot import (
    ARRIVED,
    FORM_FAILED,
    NOT_NOW,
    STORE_BEFORE_ACK_SECONDS,
    WORKING_ON_IT,
    Body,
    NotStored,
    SlackBot,
    _arrival,
)
from bot.emoji import canonical_emoji, emoji_set
from bot.messages import parse_custom_id

if TYPE_CHECKING:
    from datetime import datetime

    from adapters.slack.channels import ChannelWatch

__all__ = [
    "ARRIVED",
    "CHANNEL_EVENTS",
    "FORM_FAILED",
    "NOT_NOW",
    "SLASH_COMMANDS",
    "STORE_BEFORE_ACK_SECONDS",
    "WORKING_ON_IT",
    "SlackBot",
    "register_listeners",
]

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]

# The channel events the app subscribes to (both manifests), about its configured channels.
CHANNEL_EVENTS = (
    "channel_archive",
    "channel_unarchive",
    "channel_deleted",
    "channel_rename",
    "group_archive",
    "group_unarchive",
    "group_deleted",
    "group_rename",
)
# The slash commands the app answers (both manifests declare each of them).
SLASH_COMMANDS = ("/askmentor", "/mentor", "/mentoradmin", "/kudos", "/lightning")
_ACK_TEXT = {"/askmentor": "Got it — one moment…"}  # it may come back as a draft to improve


def _happened_by(body: Body, watch: ChannelWatch) -> datetime:
    """When a channel event had happened by: its envelope's time (a retry keeps it), else now."""
    return tr.event_happened_by(body) or watch.now()


def register_listeners(bolt: AsyncApp, bot: SlackBot) -> None:
    """Wire every listener; each is a few lines: store, then acknowledge. Called after any
    other listener is registered: the last one acknowledges every event left (Bolt runs the
    first listener that matches)."""

    @bolt.middleware
    async def on_app_rate_limited(body: Body, next: Callable[[], Awaitable[Any]]) -> Any:
        # Slack's `app_rate_limited` (no inner event, so no event listener matches it): the
        # workspace sent over 30,000 events in an hour and Slack is dropping some. Answered 200
        # (Slack disables the subscriptions of an app that fails over 5% of deliveries) and said.
        if body.get("type") != "app_rate_limited":
            return await next()
        log.warning(
            "Slack: events from workspace %s are rate limited since %s (over 30,000 an hour); "
            "some events (reactions, thread messages) are not delivered",
            body.get("team_id"),
            body.get("minute_rate_limited"),
        )
        return BoltResponse(status=200, body="")

    async def on_command(ack: Ack, body: Body, context: Body) -> None:
        since = _arrival(context)
        unposted = await bot.unposted_question(body)
        if unposted is not None:  # its card could go nowhere: not stored, and said so
            await ack(text=unposted, response_type="ephemeral")
            return
        modal = tr.modal_for(body["command"], body.get("text", ""))
        if modal is not None:
            await ack()
            bot.open_soon(modal, body=body, channel=body.get("channel_id"))
            return
        storing = asyncio.ensure_future(bot.receive("command", body))
        if not await bot.stored_in_time(storing, since=since):
            await ack(text=WORKING_ON_IT, response_type="ephemeral")
            bot.finish_storing(storing, body, what="command")
            return
        try:
            storing.result()
        except NotStored:
            await ack(text=NOT_NOW)
            return
        said = _ACK_TEXT.get(str(body["command"]).lower())
        await (ack(text=said) if said else ack())

    for name in SLASH_COMMANDS:
        bolt.command(name)(on_command)

    @bolt.event("reaction_added")
    async def on_reaction(ack: Ack, body: Body, event: Body) -> None:
        claim = bot.config.claim
        emoji = canonical_emoji(event.get("reaction", ""))
        item = event.get("item") or {}
        wanted = emoji_set(claim.emoji) | emoji_set(claim.resolve_emoji)
        if emoji in wanted and item.get("channel"):
            await bot.receive("event", body)  # NotStored: no ack, Slack retries
        await ack()

    @bolt.event("message")
    async def on_message(ack: Ack, body: Body, event: Body) -> None:
        if tr.thread_of_message(event) is not None:
            await bot.receive("event", body)
        await ack()

    @bolt.event("app_home_opened")
    async def on_home(ack: Ack, body: Body, event: Body) -> None:
        if event.get("tab", "home") == "home":
            await bot.receive("event", body)
        await ack()

    @bolt.event("user_change")
    async def on_user_change(ack: Ack, body: Body) -> None:
        # Offboarding (deactivated) or back (reactivated); stored only when it changes something.
        # Any edit (a new name, admin rights taken away) is what the directory knows from now on.
        user = (body.get("event") or {}).get("user")
        if isinstance(user, dict):
            try:
                bot.directory.refresh(user)
            except Exception:  # a cache refresh never stands in the way of offboarding
                log.warning("the Slack user directory could not take a user_change", exc_info=True)
        change = tr.user_change(body)
        if change is not None and await bot.news(change):
            await bot.receive("event", body)
        await ack()

    async def on_channel(ack: Ack, body: Body, event: Body, context: Body) -> None:
        # A channel archived, unarchived, deleted or renamed (public ones: channel_*; private
        # ones the app is in: group_*). For a configured channel, whether questions are taken
        # (and what the operator is told) changes at once, and is stored for every replica.
        kind = str(event.get("type") or "")
        channel = event.get("channel")
        if bot.watch is not None and kind.endswith("_rename"):
            if isinstance(channel, dict) and channel.get("id"):
                bot.watch.renamed(
                    bot.team(body), str(channel["id"]), str(channel.get("name") or "")
                )
        elif bot.watch is not None and isinstance(channel, str) and channel:
            change = _channel_change(
                bot.watch, kind, team=bot.team(body), channel=channel, body=body
            )
            if change is not None:
                await bot.before_ack(change, context=context, what="storing a channel's change")
        await ack()

    for name in CHANNEL_EVENTS:
        bolt.event(name)(on_channel)

    @bolt.event("group_left")
    async def on_removed_from_private(ack: Ack, body: Body, event: Body, context: Body) -> None:
        # The app was removed from a private channel: for a configured one, learned now rather
        # than at the first card Slack refuses (channel_not_found).
        channel = event.get("channel")
        if bot.watch is not None and isinstance(channel, str) and channel:
            at = _happened_by(body, bot.watch)
            lost = bot.watch.lost(bot.team(body), channel, NOT_FOUND, at=at)
            await bot.before_ack(lost, context=context, what="storing a channel's change")
        await ack()

    @bolt.event("member_joined_channel")
    async def on_joined(ack: Ack, body: Body, event: Body, context: Body) -> None:
        # The app invited (back) into a channel: a configured one it could not reach is usable
        # again at once, on every replica (no restart needed). Anyone else joining: nothing.
        me = context.get("bot_user_id")
        channel = event.get("channel")
        if bot.watch is not None and me and event.get("user") == me:
            if isinstance(channel, str) and channel:
                at = _happened_by(body, bot.watch)
                back = bot.watch.back(bot.team(body), channel, at=at)
                await bot.before_ack(back, context=context, what="storing a channel's change")
        await ack()

    @bolt.action(re.compile(r"^mm:"))
    async def on_button(ack: Ack, body: Body, action: Body, context: Body) -> None:
        since = _arrival(context)
        form = tr.form_for_button(action.get("action_id", ""))
        if form is not None:  # a form opens first; its submission is the input
            await ack()
            channel = (body.get("channel") or {}).get("id")
            bot.open_soon(form, body=body, channel=channel)
            return
        if (parse_custom_id(action.get("action_id", "")) or ("",))[0] == "post":
            unposted = await bot.cannot_ask(body)
            if unposted is not None:  # a coached draft's [Post]: it could go nowhere
                await ack()
                bot.tell_soon(body, unposted)
                return
        # Slack wants block_actions acknowledged within 3 seconds too (else the person sees an
        # error by the button): a slow store is acknowledged meanwhile, with nothing to say.
        storing = asyncio.ensure_future(bot.receive("action", body))
        if not await bot.stored_in_time(storing, since=since):
            await ack()
            bot.finish_storing(storing, body, what="button press")
            return
        try:
            storing.result()
        except NotStored:
            log.warning("a button press could not be stored; the person is asked to retry")
            await ack()
            bot.tell_soon(body, NOT_NOW)
            return
        await ack()

    @bolt.message_shortcut(tr.ASK_ABOUT_SHORTCUT)
    async def on_ask_about(ack: Ack, body: Body, context: Body) -> None:
        # "Ask a mentor about this" on a message: the ask form, the message quoted in it.
        since = _arrival(context)
        await ack()
        bot.ask_about_soon(body, since=since)

    @bolt.view(re.compile(r"^mm_"))
    async def on_view(ack: Ack, body: Body, view: Body, context: Body) -> None:
        since = _arrival(context)
        # Mistakes the person can fix in the form keep it open, their text kept, the message
        # under the field (Slack: `response_action: "errors"` in the ack).
        problems = bot.form_problems(body, view)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        if view.get("callback_id") == "mm_ask":
            unposted = await bot.cannot_ask(body)
            if unposted is not None:  # kept open, the question in it, with why under it
                await ack(response_action="errors", errors=_form_error(view, unposted))
                return
        # A submission too must be acknowledged within 3 seconds (else Slack shows an error in
        # the form): a slow store closes the form meanwhile, and its outcome is said later.
        storing = asyncio.ensure_future(bot.receive("view", body))
        if not await bot.stored_in_time(storing, since=since):
            await ack()
            bot.finish_storing(storing, body, what="form")
            return
        try:
            storing.result()
        except NotStored:
            await ack(response_action="errors", errors=_form_error(view))
            return
        await ack()

    _acknowledge_other_events(bolt)


def _channel_change(
    watch: ChannelWatch, kind: str, *, team: str, channel: str, body: Body
) -> Awaitable[None] | None:
    """What a channel event (`kind`) changes for `channel`, to await; None for no change."""
    at = _happened_by(body, watch)
    if kind.endswith("_unarchive"):
        return watch.back(team, channel, at=at)
    if kind.endswith("_archive"):
        return watch.lost(team, channel, ARCHIVED, at=at)
    if kind.endswith("_deleted"):
        return watch.lost(team, channel, DELETED, at=at)
    return None


def _acknowledge_other_events(bolt: AsyncApp) -> None:
    """Any event no listener above takes (one subscribed to by an older manifest, one Slack
    added) is acknowledged: unhandled, Bolt answers 404, Slack sends it again, and an app
    failing over 5% of its deliveries has its event subscriptions turned off."""

    @bolt.event(re.compile(".*"))
    async def on_other_event(ack: Ack, event: Body) -> None:
        await ack()
        log.debug("a Slack %s event is not for the app; acknowledged", event.get("type"))


def _form_error(view: Body, said: str = NOT_NOW) -> dict[str, str]:
    """Slack shows a form's errors under its inputs: put the apology under the first one."""
    blocks = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    first = next((b for b in blocks if b), "question")
    return {first: said}
