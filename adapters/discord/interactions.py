"""Taking interactions in: store the command in the inbox, then acknowledge within Discord's 3
seconds; the answers follow later from the outbox, as ephemeral follow-ups on the token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import discord

from adapters.discord.access import (
    ASKER_CANNOT_SEE,
    MENTOR_CANNOT_SEE,
    MENTOR_JOINS_UNSEEN,
    cannot_see,
    hidden_mentoring,
    not_a_member,
)
from adapters.discord.gateway import DiscordGateway
from adapters.discord.guilds import channel_key
from adapters.discord.translate import (
    CommentRequest,
    FormRequest,
    TeachRequest,
    account_name,
    actor_for,
    interaction_key,
    interaction_reply_to,
)
from bot import commands as c
from bot.app import App
from bot.learning import commands as lc
from bot.messages import ChatMessage, Text, filled, text
from bot.textcommands import ParseError

__all__ = [
    "NOT_NOW",
    "SERVER_GONE",
    "InteractionRunner",
    "interaction_actor",
    "no_mentoring",
    "unseen_by",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

Built = c.Command | ParseError | CommentRequest | TeachRequest | FormRequest | None

NOT_NOW = "Sorry, I couldn't take that right now — please try again in a minute."
# A button or form in a DM that names a server which removed the bot: nothing is done for it.
SERVER_GONE = (
    "Micromentor is no longer in the Discord server {name}, so this can't be done any more. "
    "If the server invites it again, this works again."
)
# A question asked in a server whose mentoring channel is missing: not taken (it could not be
# posted; a member told "taken" would wait for mentors who never see it).
NO_MENTORING = (
    "Sorry, questions can't be posted in this server right now: its mentoring channel is gone, "
    "so your question was not saved. A server admin needs to set a new mentoring channel "
    "({how}); please ask again once that is done."
)
# Added to the answer to any command of a server admin (Manage Server or Manage Channels) in a
# server whose mentoring channel is missing: they are the ones who can make a new one.
SET_MENTORING = (
    "Note for admins: this server's mentoring channel is gone, so questions can't be posted "
    "here. To take them again, {how}."
)
# Discord error code: "Interaction has already been acknowledged" (the same one delivered twice).
ALREADY_ACKNOWLEDGED = 40060
# Discord wants the initial response within 3 seconds of the event, else the token is void and
# the member sees "The application did not respond". A store still running after this long (a
# slow or locked database: SQLite waits up to its busy timeout) is acknowledged meanwhile, and
# a store that then fails is told on the token, as the answer would have been. A look-up before
# the response (what a form opens with) spends the same budget: a form can't be deferred.
STORE_BEFORE_ACK_SECONDS = 2.0
# The forms a button opens whose submission asks a question: [Edit] on a coached draft, and the
# home view's [Ask a question].
ASK_FORMS = frozenset({"edit", "ask"})


def interaction_actor(
    interaction: discord.Interaction[Any], *, home_guild: int | None, named: str | None = None
) -> c.Actor:
    """The member who acts. A DM belongs to no server: there the server `named` by the button
    (its custom id carries it) is the workspace, and only failing that the bot's home guild.
    A DM carries no server permissions either: whether they are that server's admin is not
    known there (None), neither granted nor taken away by pressing a button in a DM."""
    user = interaction.user
    guild_id = interaction.guild_id or (int(named) if named and named.isdigit() else None)
    guild_id = guild_id or home_guild or 0
    permissions = interaction.permissions.value if interaction.guild_id else None
    return actor_for(
        user_id=user.id, name=account_name(user), guild_id=guild_id, permissions=permissions
    )


def unseen_by(built: Built) -> str | None:
    """What someone who can't see the mentoring channel is told for `built` (a command, or a
    form a button opens): a claim or a question leads into a session there; None for the rest,
    which doesn't need the channel."""
    if isinstance(built, c.ClaimQuestion | c.AcceptHandOver):
        return MENTOR_CANNOT_SEE
    if isinstance(built, c.AskQuestion | lc.PostDraft):
        return ASKER_CANNOT_SEE
    if isinstance(built, FormRequest) and built.kind in ASK_FORMS:
        return ASKER_CANNOT_SEE
    return None


def no_mentoring(wanted: str) -> str:
    """What a member asking in a server without its mentoring channel is told; `wanted` is what
    ``[channels] mentoring`` names."""
    return NO_MENTORING.format(how=_how_to_set(wanted))


def _how_to_set(wanted: str) -> str:
    """How a server gets the mentoring channel `wanted` (``[channels] mentoring``) again."""
    bare = channel_key(wanted)
    if bare.isdigit():  # a new channel has a new id: only the bot's operator can point to it
        return "the person who runs Micromentor sets it in its configuration"
    return (
        f"create a text channel named #{bare}, or ask whoever runs Micromentor to set another one"
    )


class InteractionRunner:
    """Turns one interaction into one stored command; it never runs the command itself."""

    def __init__(self, app: App, gateway: DiscordGateway) -> None:
        self.app = app
        self.gateway = gateway
        self.home_guild: int | None = None
        # Each set-up server's mentoring channel (server id -> channel id), where sessions open.
        self.mentoring: dict[int, int] = {}
        # How long after an interaction arrived its first response may wait for the database.
        self.answer_within = STORE_BEFORE_ACK_SECONDS
        self._taking_in: set[asyncio.Task[Any]] = set()

    @contextlib.contextmanager
    def taking_in(self) -> Iterator[None]:
        """Marks the current task as storing (and acknowledging) an input, for :meth:`settle`."""
        task = asyncio.current_task()
        assert task is not None  # called from a listener, always in a task
        self._taking_in.add(task)
        try:
            yield
        finally:
            self._taking_in.discard(task)

    async def settle(self, *, within: float) -> None:
        """Shutting down: let the inputs being taken in now finish before the client closes."""
        pending = self._taking_in - {asyncio.current_task()}
        if pending:
            await asyncio.wait(pending, timeout=within)

    def gone(self, interaction: discord.Interaction[Any], named: str | None) -> Text | None:
        """What to answer a button or form pressed in a DM that names (`named`, its custom id's
        server) a server which removed the bot; None for any other."""
        if interaction.guild_id is not None or not named or not named.isdigit():
            return None
        name = self.gateway.gone(int(named))
        if name is None:
            return None
        return filled(SERVER_GONE, name=name)

    async def refused(
        self,
        interaction: discord.Interaction[Any],
        named: str | None,
        *,
        since: float,
        unseen: str | None = None,
    ) -> Text | None:
        """What to answer a button or form pressed in a DM for server `named` (its custom id's)
        that can't act there: the server removed the bot, or the presser is not its member, or
        can't see its mentoring channel when what they press needs it (`unseen`: what they are
        told then, MENTOR_CANNOT_SEE for a claim, ASKER_CANNOT_SEE for a question); None for
        any other, and when that can't be read in time."""
        return self.gone(interaction, named) or await self._outsider(
            interaction, named, since=since, unseen=unseen
        )

    async def _outsider(
        self,
        interaction: discord.Interaction[Any],
        named: str | None,
        *,
        since: float,
        unseen: str | None,
    ) -> Text | None:
        """Asks Discord for the DM's presser as a member of server `named` (Get Guild Member:
        their roles, 404 when they are none; no privileged intent needed, unlike the cache)."""
        if interaction.guild_id is not None or not named or not named.isdigit():
            return None
        guild = interaction.client.get_guild(int(named))
        if guild is None:
            return None
        try:
            member = await self.in_time(guild.fetch_member(interaction.user.id), since=since)
        except discord.NotFound:
            return not_a_member(guild)
        except (discord.HTTPException, discord.RateLimited, TimeoutError) as e:
            log.info("could not tell whether a DM's presser is a server member: %s", e)
            return None
        if unseen is None:
            return None
        hidden = hidden_mentoring(guild, member, self.mentoring.get(guild.id))
        return cannot_see(unseen, hidden) if hidden is not None else None

    def cannot_ask(self, guild_id: int | str | None) -> str | None:
        """What to answer a question asked for server `guild_id` when it has no mentoring channel
        (deleted, or not found when it was set up); None when questions are taken there."""
        if guild_id is None or not str(guild_id).isdigit():
            return None
        wanted = self.gateway.mentoring_missing(int(guild_id))
        return no_mentoring(wanted) if wanted is not None else None

    def cannot_see_sessions(self, interaction: discord.Interaction[Any]) -> Text | None:
        """What to answer a member asking who may not see the server's mentoring channel; None
        when they may, or when it is not known."""
        hidden = self._hidden_from(interaction)
        return cannot_see(ASKER_CANNOT_SEE, hidden) if hidden is not None else None

    def _hidden_from(self, interaction: discord.Interaction[Any]) -> discord.TextChannel | None:
        """The server's mentoring channel when the member who acts may not see it (its roles
        and overwrites are cached with the guilds intent, the member's roles come with the
        interaction); None when they may, or when it is not known (a DM carries no roles)."""
        guild, member = interaction.guild, interaction.user
        if guild is None or not isinstance(member, discord.Member):
            return None
        return hidden_mentoring(guild, member, self.mentoring.get(guild.id))

    def _note(self, interaction: discord.Interaction[Any], command: c.Command) -> Text | None:
        """What the adapter knows and the core doesn't, added to a command's answer: a server
        admin is told their server's mentoring channel is missing; a member joining as a
        mentor, that they can't see it (they join all the same: their choice, but no card
        would reach them). Stored with the command (`ReplyTo.note`), so its answer carries it
        whichever replica sends it, and after a restart."""
        note: str | Text | None = self._set_mentoring(interaction)
        if note is None and isinstance(command, c.RegisterMentor):
            hidden = self._hidden_from(interaction)
            note = cannot_see(MENTOR_JOINS_UNSEEN, hidden) if hidden is not None else None
        return text(note) if note is not None else None

    def _set_mentoring(self, interaction: discord.Interaction[Any]) -> str | None:
        """SET_MENTORING for a server admin in a server without its mentoring channel."""
        if interaction.guild_id is None:
            return None
        wanted = self.gateway.mentoring_missing(interaction.guild_id)
        allowed = interaction.permissions  # theirs where the command ran, as Discord sends it
        if wanted is None or not (
            allowed.administrator or allowed.manage_guild or allowed.manage_channels
        ):
            return None
        return SET_MENTORING.format(how=_how_to_set(wanted))

    def cannot_ask_here(
        self, interaction: discord.Interaction[Any], guild_id: int | str | None
    ) -> str | Text | None:
        """Why a question asked for server `guild_id` is not taken (no mentoring channel, or
        the asker can't see it), else None."""
        return self.cannot_ask(guild_id) or self.cannot_see_sessions(interaction)

    def actor(self, interaction: discord.Interaction[Any], *, named: str | None = None) -> c.Actor:
        return interaction_actor(interaction, home_guild=self.home_guild, named=named)

    @staticmethod
    def arrived() -> float:
        """Now, on the clock :meth:`in_time` and :meth:`run` count an interaction's budget by."""
        return asyncio.get_running_loop().time()

    def _left(self, since: float) -> float:
        return max(since + self.answer_within - self.arrived(), 0.0)

    async def in_time(self, reading: Awaitable[T], *, since: float) -> T:
        """`reading` (a look-up before the first response), given what is left of the budget of
        the interaction that arrived at `since`; TimeoutError when it takes longer (answer
        :data:`NOT_NOW` then, while Discord still takes an answer)."""
        try:
            return await asyncio.wait_for(reading, timeout=self._left(since))
        except TimeoutError:
            log.warning("a look-up for a Discord interaction is slow; asked to try again")
            raise

    async def run(
        self,
        interaction: discord.Interaction[Any],
        build: Callable[[c.Actor], Built],
        *,
        thinking: bool = True,
        named: str | None = None,
        since: float | None = None,
    ) -> None:
        """Inbox first, then the acknowledgement (slash commands show "thinking…", buttons and
        forms opened from a message just acknowledge). A typo is answered at once; it changes
        nothing, so it needs no inbox.
        `named` is the workspace a button or form names, for clicks in DMs (one of a server
        that removed the bot, or whose presser is not its member, or a claim or question by
        someone who can't see its mentoring channel, is answered so, and not stored); `since`
        when the interaction arrived (:meth:`arrived`), when something was read for it before."""
        since = self.arrived() if since is None else since
        actor = self.actor(interaction, named=named)
        built = build(actor)
        refused = await self.refused(interaction, named, since=since, unseen=unseen_by(built))
        if refused is not None:  # its question, session or form is that server's: not taken
            await self.answer_now(interaction, refused)
            return
        acknowledging = self.gateway.acknowledgements.responding(interaction.token)
        with self.taking_in(), acknowledging:  # its answer, decided meanwhile, waits for this
            if isinstance(built, c.AskQuestion | lc.PostDraft):
                unposted = self.cannot_ask_here(interaction, actor.workspace.id)
                if unposted is not None:  # its card could go nowhere: not stored, and said so
                    await self.answer_now(interaction, unposted)
                    return
            await self._take(interaction, built, thinking=thinking, since=since)

    async def _take(
        self, interaction: discord.Interaction[Any], built: Built, *, thinking: bool, since: float
    ) -> None:
        if isinstance(built, CommentRequest | TeachRequest | FormRequest):
            raise TypeError("a button that opens a form can't be deferred")
        if isinstance(built, ParseError):
            await self.answer_now(interaction, built.message)
            return
        if built is not None:
            reply_to = interaction_reply_to(
                user_id=interaction.user.id,
                channel_id=interaction.channel_id,
                token=interaction.token,
                application_id=interaction.application_id,
                note=self._note(interaction, built),
            )
            storing = asyncio.ensure_future(
                self.app.inbox.receive_command(
                    built, key=interaction_key(interaction.id), reply_to=reply_to
                )
            )
            done, _ = await asyncio.wait([storing], timeout=self._left(since))
            if not done:
                log.warning("storing a Discord interaction is slow; acknowledged meanwhile")
                await self._acknowledge(interaction, thinking=thinking)
            try:
                fresh = await storing
            except Exception:
                log.error(
                    "could not store a Discord interaction; asked to try again", exc_info=True
                )
                await self.answer_now(interaction, NOT_NOW)
                return
            if not fresh:
                log.debug("a Discord interaction seen before was dropped")
        await self._acknowledge(interaction, thinking=thinking)

    async def _acknowledge(self, interaction: discord.Interaction[Any], *, thinking: bool) -> None:
        if interaction.response.is_done():
            return
        # Without "thinking" discord.py defers a button or form with type 6 (deferred update
        # message), which Discord documents for component-based interactions only; a form
        # opened from a slash command (`/askmentor` with no text) has no message to update, so
        # it takes type 5, an ephemeral "thinking…" that its answer replaces.
        thinking = thinking or interaction.message is None
        try:
            await interaction.response.defer(ephemeral=True, thinking=thinking)
            # Its first answer edits the "thinking…" response; a type 6 takes follow-ups only.
            self.gateway.acknowledgements.responded(interaction.token, thinking=thinking)
        except discord.HTTPException as e:
            # Stored already, so nothing is lost: its answer falls back to a DM if need be.
            if e.code == ALREADY_ACKNOWLEDGED:
                log.debug("a Discord interaction was acknowledged already")
                return
            log.warning("could not acknowledge a Discord interaction: %s %s", e.status, e.code)
            if e.status < 500:  # refused (too late, unknown): its token takes no follow-up
                self.gateway.acknowledgements.refused(interaction.token)

    async def answer_now(self, interaction: discord.Interaction[Any], said: str | Text) -> None:
        """An ephemeral answer as the interaction's response (nothing was stored); when it was
        acknowledged already, the "thinking…" response edited into it (Discord deprecates a
        follow-up for that), else a follow-up on its token."""
        kwargs = self.gateway.send_kwargs(ChatMessage(body=text(said)))
        try:
            if interaction.response.is_done():
                if self.gateway.acknowledgements.take_original(interaction.token):
                    try:
                        await interaction.edit_original_response(**kwargs)
                    except discord.HTTPException:
                        # Still "thinking…": a later answer on the token edits it instead.
                        self.gateway.acknowledgements.give_back_original(interaction.token)
                        raise
                    return
                await interaction.followup.send(ephemeral=True, **kwargs)
                return
            await interaction.response.send_message(ephemeral=True, **kwargs)
        except discord.HTTPException as e:
            log.warning("could not answer a Discord interaction: %s %s", e.status, e.code)
