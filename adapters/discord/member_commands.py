"""The slash commands every member uses besides ``/mentor``: ``/askmentor`` (a short question
typed in its option, or a form with a paragraph field for none or a long one), ``/kudos`` and the
``/lightning …`` skill-sharing sessions. Each builds a command from its options and hands it to
the interaction runner. A mixin of :class:`adapters.discord.cog.MentoringCog`, which discord.py
collects the commands from."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.components import NewAskModal
from adapters.discord.interactions import InteractionRunner
from adapters.discord.mentor_commands import STAGE_CHOICES
from adapters.discord.translate import (
    account_name,
    ask_command,
    kudos_command,
    lightning_command,
)
from bot.messagebus import MessageBus

__all__ = ["LONG_QUESTION", "MemberCommands"]

Interaction = discord.Interaction[Any]

# Longer than this, a question typed in the one-line option opens the form to be checked there.
LONG_QUESTION = 300


class MemberCommands(commands.Cog):
    """``/askmentor``, ``/kudos`` and ``/lightning …``."""

    bus: MessageBus
    runner: InteractionRunner

    lightning = app_commands.Group(
        name="lightning", description="15-minute skill-sharing sessions", guild_only=True
    )

    # --- asking -----------------------------------------------------------------------------

    @app_commands.command(name="askmentor", description="Ask a volunteer mentor a short question")
    @app_commands.describe(
        question="What you want to know, what you tried and what you expected "
        "(or `faq <words>` to search the FAQ)",
        # Discord lets a server's moderators open a private thread too: said, not hidden.
        anonymous="Hide your name on the card (the mentor who claims it, and moderators, "
        "can see you)",
        stage="Hear from a mentor at this career stage",
    )
    @app_commands.choices(stage=STAGE_CHOICES)
    @app_commands.guild_only()
    async def askmentor(
        self,
        interaction: Interaction,
        question: str | None = None,
        anonymous: bool = False,
        stage: app_commands.Choice[str] | None = None,
    ) -> None:
        wanted = stage.value if stage is not None else None
        typed = (question or "").strip()
        if not typed or len(typed) > LONG_QUESTION:
            unposted = self.runner.cannot_ask_here(interaction, interaction.guild_id)
            if unposted is not None:  # no form to fill in for a question that can't be posted
                await self.runner.answer_now(interaction, unposted)
                return
            # The option is one line: no text, or a long question, gets a paragraph field
            # (the long one already in it, to break into lines), as the Slack form does.
            ask = self.bus.config.ask
            await interaction.response.send_modal(
                NewAskModal(
                    question=typed,
                    anonymous=anonymous,
                    stage=wanted,
                    max_length=ask.max_length,
                    min_length=ask.min_length,
                )
            )
            return
        await self.runner.run(
            interaction, lambda a: ask_command(a, typed, anonymous=anonymous, stage=wanted)
        )

    # --- /kudos and /lightning ---------------------------------------------------------------

    @app_commands.command(name="kudos", description="Thank someone for their help")
    @app_commands.describe(
        member="Who you're thanking",
        why="What they did for you",
        private="Send it to them only (default: in the mentoring channel)",
    )
    @app_commands.guild_only()
    async def kudos(
        self, interaction: Interaction, member: discord.Member, why: str, private: bool = False
    ) -> None:
        await self.runner.run(
            interaction,
            lambda a: kudos_command(
                a,
                to_id=member.id,
                to_name=account_name(member),
                why=why,
                private=private,
                to_bot=member.bot,
            ),
        )

    async def _lightning(self, interaction: Interaction, sub: str, **options: Any) -> None:
        await self.runner.run(interaction, lambda a: lightning_command(a, sub, options))

    @lightning.command(name="propose", description="Offer a 15-minute session you'll give")
    @app_commands.describe(
        topic="The skill, e.g. pandas",
        when="YYYY-MM-DD HH:MM in your /mentor tz timezone (else UTC)",
        title="What you'll show",
    )
    async def lightning_propose(
        self, interaction: Interaction, topic: str, when: str, title: str
    ) -> None:
        await self._lightning(interaction, "propose", topic=topic, when=when, title=title)

    @lightning.command(name="accept", description="Teach a session proposed to you")
    @app_commands.describe(
        session="The session number from the proposal",
        when="YYYY-MM-DD HH:MM in your /mentor tz timezone (else UTC)",
        title="What you'll show",
    )
    async def lightning_accept(
        self,
        interaction: Interaction,
        session: app_commands.Range[int, 1],
        when: str,
        title: str,
    ) -> None:
        await self._lightning(interaction, "accept", session=session, when=when, title=title)

    @lightning.command(name="list", description="Lightning sessions coming up")
    async def lightning_list(self, interaction: Interaction) -> None:
        await self._lightning(interaction, "list")

    @lightning.command(name="join", description="Sign up for a lightning session")
    @app_commands.describe(session="The session number")
    async def lightning_join(
        self, interaction: Interaction, session: app_commands.Range[int, 1]
    ) -> None:
        await self._lightning(interaction, "join", session=session)

    @lightning.command(name="leave", description="Take yourself off a session's list")
    @app_commands.describe(session="The session number")
    async def lightning_leave(
        self, interaction: Interaction, session: app_commands.Range[int, 1]
    ) -> None:
        await self._lightning(interaction, "leave", session=session)

    @lightning.command(name="rate", description="Rate a session you attended")
    @app_commands.describe(session="The session number", score="1 (poor) to 5 (great)")
    async def lightning_rate(
        self,
        interaction: Interaction,
        session: app_commands.Range[int, 1],
        score: app_commands.Range[int, 1, 5],
    ) -> None:
        await self._lightning(interaction, "rate", session=session, score=score)

    @lightning.command(name="move", description="Give your session a new time")
    @app_commands.describe(
        session="The session number",
        when="YYYY-MM-DD HH:MM in your /mentor tz timezone (else UTC)",
    )
    async def lightning_move(
        self, interaction: Interaction, session: app_commands.Range[int, 1], when: str
    ) -> None:
        await self._lightning(interaction, "move", session=session, when=when)

    @lightning.command(name="cancel", description="Call off your session")
    @app_commands.describe(session="The session number")
    async def lightning_cancel(
        self, interaction: Interaction, session: app_commands.Range[int, 1]
    ) -> None:
        await self._lightning(interaction, "cancel", session=session)
