"""The ``/mentor …`` slash commands: a mentor's own profile (join, skills, hours, capacity,
timezone, pause, leave and the rest), the mentor directory and leaderboard, and handing a running session over.
Each builds a mentor command from its options and hands it to the interaction runner; the skill
and timezone options autocomplete from the taxonomy and the known timezones. A mixin of
:class:`adapters.discord.cog.MentoringCog`, which discord.py collects the group from."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.interactions import InteractionRunner
from adapters.discord.translate import (
    CHOICE_LIMIT,
    complete_skills,
    complete_timezone,
    handover_command,
    mentor_command,
)
from bot.commands import MAX_CAPACITY_PER_WEEK
from bot.hours import known_timezones
from bot.matching.perspectives import STAGES
from bot.messagebus import MessageBus

__all__ = ["STAGE_CHOICES", "MentorCommands"]

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]

STAGE_CHOICES = [app_commands.Choice(name=s.capitalize(), value=s) for s in STAGES]


def _choices(values: list[str]) -> Choices:
    """Only values Discord takes whole: a cut one is a value nobody typed or picked."""
    return [app_commands.Choice(name=v, value=v) for v in values if 1 <= len(v) <= CHOICE_LIMIT]


class MentorCommands(commands.Cog):
    """``/mentor …``: your mentor profile and the mentor directory."""

    bus: MessageBus
    runner: InteractionRunner

    mentor = app_commands.Group(
        name="mentor", description="Your mentor profile and the mentor directory", guild_only=True
    )

    async def _mentor(self, interaction: Interaction, sub: str, **options: Any) -> None:
        await self.runner.run(interaction, lambda a: mentor_command(a, sub, options))

    @mentor.command(name="join", description="Become a mentor for some skills")
    @app_commands.describe(
        skills="Comma-separated, e.g. python, pandas, sql",
        about="Optional: what you can help with, in your own words",
        stage="Your career stage",
        region="Where you work, e.g. Europe or US East",
    )
    @app_commands.choices(stage=STAGE_CHOICES)
    async def join(
        self,
        interaction: Interaction,
        skills: str,
        about: str | None = None,
        stage: app_commands.Choice[str] | None = None,
        region: str | None = None,
    ) -> None:
        await self._mentor(
            interaction,
            "join",
            skills=skills,
            about=about,
            stage=stage.value if stage is not None else None,
            region=region,
        )

    @mentor.command(name="about", description="What you can help with, in your own words")
    @app_commands.describe(text="e.g. answering offers, asking for a raise, first-time managers")
    async def about(self, interaction: Interaction, text: str) -> None:
        await self._mentor(interaction, "about", text=text)

    @mentor.command(name="stage", description="Your career stage")
    @app_commands.choices(stage=STAGE_CHOICES)
    async def stage(self, interaction: Interaction, stage: app_commands.Choice[str]) -> None:
        await self._mentor(interaction, "stage", stage=stage.value)

    @mentor.command(
        name="region", description="Where you work, e.g. Europe (type clear to clear it)"
    )
    async def region(self, interaction: Interaction, region: str | None = None) -> None:
        await self._mentor(interaction, "region", region=region)

    @mentor.command(name="learn", description="Your short lessons: progress and the next one")
    @app_commands.describe(stop="Stop the lessons", start="Pick stopped lessons up again")
    async def learn(
        self, interaction: Interaction, stop: bool = False, start: bool = False
    ) -> None:
        await self._mentor(interaction, "learn", stop=stop, start=start)

    @mentor.command(name="feedback", description="Your ratings and comments as a mentor")
    async def feedback(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "feedback")

    @mentor.command(name="skills", description="Replace your skills")
    @app_commands.describe(skills="Comma-separated, e.g. python, pandas, sql")
    async def skills(self, interaction: Interaction, skills: str) -> None:
        await self._mentor(interaction, "skills", skills=skills)

    @mentor.command(name="hours", description="Your working hours, e.g. Mon-Fri 09:00-17:00")
    async def hours(self, interaction: Interaction, hours: str) -> None:
        await self._mentor(interaction, "hours", hours=hours)

    @mentor.command(name="capacity", description="How many sessions a week you take")
    @app_commands.describe(sessions="Sessions a week, e.g. 5")
    async def capacity(
        self, interaction: Interaction, sessions: app_commands.Range[int, 1, MAX_CAPACITY_PER_WEEK]
    ) -> None:
        await self._mentor(interaction, "capacity", sessions=sessions)

    @mentor.command(name="tz", description="Your timezone, e.g. Europe/Berlin")
    async def tz(self, interaction: Interaction, timezone: str) -> None:
        await self._mentor(interaction, "tz", timezone=timezone)

    @mentor.command(name="pause", description="Take a break from new questions")
    @app_commands.describe(duration="How long, e.g. 12h, 7d or 2w (empty: until you resume)")
    async def pause(self, interaction: Interaction, duration: str | None = None) -> None:
        await self._mentor(interaction, "pause", duration=duration)

    @mentor.command(name="resume", description="Take new questions again")
    async def resume(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "resume")

    @mentor.command(name="home", description="Your overview: questions, sessions, buttons")
    async def home(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "home")

    @mentor.command(name="leave", description="Leave the mentor list (your sessions are released)")
    async def leave(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "leave")

    @mentor.command(name="mydata", description="Everything stored about you, sent to you by DM")
    async def mydata(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "mydata")

    @mentor.command(name="me", description="Your mentor profile")
    async def me(self, interaction: Interaction) -> None:
        await self._mentor(interaction, "me")

    @mentor.command(name="leaderboard", description="Who helped most this month or all time")
    @app_commands.describe(period="This month (default) or all time")
    @app_commands.choices(
        period=[
            app_commands.Choice(name="this month", value="month"),
            app_commands.Choice(name="all time", value="all"),
        ]
    )
    async def leaderboard(self, interaction: Interaction, period: str | None = None) -> None:
        await self._mentor(interaction, "leaderboard", period=period)

    @mentor.command(name="list", description="The mentors, optionally for one skill")
    async def list_(self, interaction: Interaction, skill: str | None = None) -> None:
        await self._mentor(interaction, "list", skill=skill)

    @mentor.command(name="why", description="Why a question was suggested to these mentors")
    @app_commands.describe(question="The question number, e.g. 3")
    async def why(self, interaction: Interaction, question: app_commands.Range[int, 1]) -> None:
        await self._mentor(interaction, "why", question=question)

    @mentor.command(name="handover", description="Pass a running session to someone else")
    @app_commands.describe(question="The question number, e.g. 3", to="Who takes it over")
    async def handover(
        self, interaction: Interaction, question: app_commands.Range[int, 1], to: discord.Member
    ) -> None:
        await self.runner.run(
            interaction,
            lambda a: handover_command(a, question, to_id=to.id),
        )

    @join.autocomplete("skills")
    @skills.autocomplete("skills")
    async def _skills_choices(self, interaction: Interaction, current: str) -> Choices:
        return _choices(complete_skills(current, self.bus.services.taxonomy.terms()))

    @list_.autocomplete("skill")
    async def _skill_choices(self, interaction: Interaction, current: str) -> Choices:
        terms = set(self.bus.services.taxonomy.terms().values())
        return _choices(complete_skills(current.replace(",", " "), terms))

    @tz.autocomplete("timezone")
    async def _tz_choices(self, interaction: Interaction, current: str) -> Choices:
        return _choices(complete_timezone(current, known_timezones()))
