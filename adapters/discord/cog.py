"""The slash commands, buttons and modals: each builds a command and hands it to the bus."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.components import (
    COG_NAME,
    FAQ_FORM,
    NEW_ASK_FORM,
    ActionButton,
    AskModal,
    CommentModal,
    FaqModal,
    LightningModal,
    NewAskModal,
    ask_form_choices,
    ask_form_submission,
    comment_form_submission,
    form_submission,
    lightning_form_submission,
)
from adapters.discord.interactions import NOT_NOW, InteractionRunner
from adapters.discord.translate import (
    CommentRequest,
    FormRequest,
    TeachRequest,
    admin_command,
    ask_command,
    button_command,
    complete_skills,
    complete_timezone,
    handover_command,
    kudos_command,
    lightning_command,
    lightning_form_command,
    mentor_command,
    user_ref,
    workspace_ref,
)
from bot import commands as c
from bot.hours import known_timezones
from bot.learning import commands as lc
from bot.learning.forms import draft_form, faq_form
from bot.matching.perspectives import STAGES
from bot.messagebus import MessageBus
from bot.messages import custom_id_workspace

__all__ = ["MentoringCog"]

Interaction = discord.Interaction[Any]
Choices = list[app_commands.Choice[str]]


def _choices(values: list[str]) -> Choices:
    return [app_commands.Choice(name=v[:100], value=v[:100]) for v in values]


# A button or form whose custom id this version does not know: one on a message posted by an
# earlier version (Discord keeps sending clicks on every button still shown, however old).
OLDER_VERSION = (
    "This button is from an older version of Micromentor and does nothing any more. "
    "Use the newest message, or the slash commands (`/askmentor`, `/mentor home`)."
)


def _ours(custom_id: str) -> bool:
    """A component custom id that discord.py hands to :class:`ActionButton`."""
    return ActionButton.__discord_ui_compiled_template__.fullmatch(custom_id) is not None


# Longer than this, a question typed in the one-line option opens the form to be checked there.
LONG_QUESTION = 300
_STAGE_CHOICES = [app_commands.Choice(name=s.capitalize(), value=s) for s in STAGES]


class MentoringCog(commands.Cog, name=COG_NAME):
    """``/askmentor``, ``/mentor …``, ``/mentoradmin …``, ``/kudos``, ``/lightning …`` and every
    Micromentor button."""

    mentor = app_commands.Group(
        name="mentor", description="Your mentor profile and the mentor directory", guild_only=True
    )
    lightning = app_commands.Group(
        name="lightning", description="15-minute skill-sharing sessions", guild_only=True
    )
    mentoradmin = app_commands.Group(
        name="mentoradmin",
        description="Micromentor admin commands",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bus: MessageBus, runner: InteractionRunner) -> None:
        self.bus = bus
        self.runner = runner

    # --- asking -----------------------------------------------------------------------------

    @app_commands.command(name="askmentor", description="Ask a volunteer mentor a short question")
    @app_commands.describe(
        question="What you want to know, what you tried and what you expected "
        "(or `faq <words>` to search the FAQ)",
        anonymous="Hide your name on the card (only the mentor who claims it sees you)",
        stage="Hear from a mentor at this career stage",
    )
    @app_commands.choices(stage=_STAGE_CHOICES)
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
            # The option is one line: no text, or a long question, gets a paragraph field
            # (the long one already in it, to break into lines), as the Slack form does.
            limit = self.bus.config.ask.max_length
            await interaction.response.send_modal(
                NewAskModal(question=typed, anonymous=anonymous, stage=wanted, max_length=limit)
            )
            return
        await self.runner.run(
            interaction, lambda a: ask_command(a, typed, anonymous=anonymous, stage=wanted)
        )

    # --- /mentor ----------------------------------------------------------------------------

    async def _mentor(self, interaction: Interaction, sub: str, **options: Any) -> None:
        await self.runner.run(interaction, lambda a: mentor_command(a, sub, options))

    @mentor.command(name="join", description="Become a mentor for some skills")
    @app_commands.describe(
        skills="Comma-separated, e.g. python, pandas, sql",
        about="Optional: what you can help with, in your own words",
        stage="Your career stage",
        region="Where you work, e.g. Europe or US East",
    )
    @app_commands.choices(stage=_STAGE_CHOICES)
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
    @app_commands.choices(stage=_STAGE_CHOICES)
    async def stage(self, interaction: Interaction, stage: app_commands.Choice[str]) -> None:
        await self._mentor(interaction, "stage", stage=stage.value)

    @mentor.command(name="region", description="Where you work, e.g. Europe (empty clears it)")
    async def region(self, interaction: Interaction, region: str | None = None) -> None:
        await self._mentor(interaction, "region", region=region)

    @mentor.command(name="learn", description="Your short lessons: progress and the next one")
    @app_commands.describe(stop="Stop the lessons")
    async def learn(self, interaction: Interaction, stop: bool = False) -> None:
        await self._mentor(interaction, "learn", stop=stop)

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
                to_name=member.display_name,
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

    # --- /mentoradmin -----------------------------------------------------------------------

    @mentoradmin.command(name="digest", description="Post the weekly digest now")
    @app_commands.describe(week="An ISO week like 2026-W48 (empty: this week so far)")
    async def digest(self, interaction: Interaction, week: str | None = None) -> None:
        now = self.bus.clock.now()
        await self.runner.run(
            interaction, lambda a: admin_command(a, "digest", {"week": week}, now=now)
        )

    @mentoradmin.command(name="stats", description="Programme figures")
    async def stats(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "stats", {}, now=now))

    @mentoradmin.command(name="audit", description="The latest admin actions")
    async def audit(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "audit", {}, now=now))

    @mentoradmin.command(name="dashboard", description="A sign-in link to the web dashboard")
    async def dashboard(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "dashboard", {}, now=now))

    # Export and forget take a user, not a member: someone who has left the server is the usual
    # case, and Discord resolves only their user then (a `discord.Member` would refuse them).
    @mentoradmin.command(name="export", description="Everything stored about someone, as JSON")
    async def export(self, interaction: Interaction, member: discord.User) -> None:
        now = self.bus.clock.now()
        options = {"member_id": member.id, "member_name": member.display_name}
        await self.runner.run(interaction, lambda a: admin_command(a, "export", options, now=now))

    @mentoradmin.command(name="forget", description="Erase someone's name, texts and comments")
    @app_commands.describe(confirm="Erase for good (without it, only what would go is shown)")
    async def forget(
        self, interaction: Interaction, member: discord.User, confirm: bool = False
    ) -> None:
        now = self.bus.clock.now()
        options = {"member_id": member.id, "member_name": member.display_name, "confirm": confirm}
        await self.runner.run(interaction, lambda a: admin_command(a, "forget", options, now=now))

    async def cog_app_command_error(
        self, interaction: Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A command that failed before it was stored still gets an answer (else Discord shows
        "The application did not respond"): a member option naming someone who is not in the
        server, or anything unexpected (logged by the command tree as well)."""
        if interaction.response.is_done():
            return
        if isinstance(error, app_commands.TransformerError) and (
            error.type is discord.AppCommandOptionType.user
        ):
            said = f"{error.value} is not a member of this server."
        else:
            said = NOT_NOW
        await self.runner.answer_now(interaction, said)

    # --- buttons and the comment modal --------------------------------------------------------

    async def on_action_button(self, interaction: Interaction, custom_id: str) -> None:
        since = self.runner.arrived()
        named = custom_id_workspace(custom_id)
        built = button_command(self.runner.actor(interaction, named=named), custom_id)
        if isinstance(built, CommentRequest):
            await interaction.response.send_modal(CommentModal(built.question_id, named))
            return
        if isinstance(built, TeachRequest):
            await interaction.response.send_modal(LightningModal(built.lightning_id, named))
            return
        if isinstance(built, FormRequest):
            try:
                await self._open_form(interaction, built, named, since=since)
            except TimeoutError:  # what the form opens with could not be read in time
                await self.runner.answer_now(interaction, NOT_NOW)
            return
        if built is None:  # the template's shape, but an action this version does not have
            await self.runner.answer_now(interaction, OLDER_VERSION)
            return
        await self.runner.run(interaction, lambda _: built, thinking=False, named=named)

    async def _open_form(
        self, interaction: Interaction, form: FormRequest, named: str | None, *, since: float
    ) -> None:
        """Save as FAQ, [Update] an FAQ entry (its answer filled in), or [Edit] a coached draft
        (the ask form with its text): read what is stored, then open the form at once. A form
        can't be deferred: a read that would miss Discord's 3 seconds raises TimeoutError."""
        uow_factory = self.runner.app.uow_factory
        if form.kind == "ask":  # the home view's [Ask a question]: an empty ask form
            limit = self.bus.config.ask.max_length
            await interaction.response.send_modal(AskModal(0, question="", max_length=limit))
            return
        if form.kind == "faq":
            await interaction.response.send_modal(FaqModal(form.n, workspace=named))
            return
        if form.kind == "faqupdate":
            # Only an entry of the clicker's server: where the click is, or the one its button
            # names (a DM's); a DM button naming none opens its own entry for its author only.
            here = interaction.guild_id or (int(named) if named and named.isdigit() else None)
            entry = await self.runner.in_time(
                faq_form(
                    uow_factory,
                    form.n,
                    workspace=workspace_ref(here) if here else None,
                    user=user_ref(interaction.user.id),
                ),
                since=since,
            )
            if isinstance(entry, str):
                await self.runner.answer_now(interaction, entry)
                return
            # The entry knows its server; a DM button from before DM buttons named theirs
            # does not, and the home server's guess would save over another question.
            await interaction.response.send_modal(
                FaqModal(entry.question_id, answer=entry.answer, workspace=entry.workspace.id)
            )
            return
        draft = await self.runner.in_time(
            draft_form(uow_factory, user_ref(interaction.user.id), form.n), since=since
        )
        if draft is None:
            await self.runner.answer_now(interaction, "That draft was posted or edited already.")
            return
        limit = self.bus.config.ask.max_length
        await interaction.response.send_modal(
            AskModal(
                form.n,
                question=draft.text,
                max_length=limit,
                anonymous=draft.anonymous,
                stage=draft.stage,
            )
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        since = self.runner.arrived()
        if interaction.type is discord.InteractionType.component:
            data: Any = interaction.data or {}
            custom_id = str(data.get("custom_id", ""))
            if not _ours(custom_id):  # discord.py has no handler for it: answer it here
                await self.runner.answer_now(interaction, OLDER_VERSION)
            return
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        submitted = comment_form_submission(interaction.data)
        if submitted is not None:
            await self._comment(interaction, *submitted)
            return
        teaching = lightning_form_submission(interaction.data)
        if teaching is not None:
            lightning_id, title, when, named = teaching
            await self.runner.run(
                interaction,
                lambda a: lightning_form_command(a, lightning_id, title=title, when=when),
                thinking=False,
                named=named,
            )
            return
        faq = form_submission(interaction.data, FAQ_FORM)
        if faq is not None:
            question_id, answer, named = faq
            await self.runner.run(
                interaction,
                lambda a: lc.SaveFaq(a, question_id, answer),
                thinking=False,
                named=named,
            )
            return
        edited = ask_form_submission(interaction.data)
        if edited is not None:
            await self._edited(interaction, *edited, since=since)
            return
        asked = form_submission(interaction.data, NEW_ASK_FORM)
        if asked is not None:
            options, text, named = asked
            anonymous, stage = ask_form_choices(options)
            await self.runner.run(
                interaction,
                lambda a: ask_command(a, text, anonymous=anonymous, stage=stage),
                thinking=False,
                named=named,
            )
            return
        await self.runner.answer_now(interaction, OLDER_VERSION)

    async def _edited(
        self,
        interaction: Interaction,
        draft_id: int,
        options: int | None,
        question: str,
        named: str | None,
        *,
        since: float,
    ) -> None:
        """The ask form reopened from [Edit]: ask again with the draft's privacy and stage, which
        its custom id carries (read from the draft only for a form opened before it did)."""
        if options is None:
            try:
                draft = await self.runner.in_time(
                    draft_form(
                        self.runner.app.uow_factory, user_ref(interaction.user.id), draft_id
                    ),
                    since=since,
                )
            except TimeoutError:
                await self.runner.answer_now(interaction, NOT_NOW)
                return
            anonymous = draft.anonymous if draft is not None else False
            stage = draft.stage if draft is not None else None
        else:
            anonymous, stage = ask_form_choices(options)
        await self.runner.run(
            interaction,
            lambda a: c.AskQuestion(a, question, anonymous, stage=stage, draft_id=draft_id or None),
            thinking=False,
            named=named,
            since=since,
        )

    async def _comment(
        self, interaction: Interaction, question_id: int, comment: str, named: str | None
    ) -> None:
        await self.runner.run(
            interaction,
            lambda a: c.CommentOnSession(a, question_id, comment),
            thinking=False,
            named=named,
        )
