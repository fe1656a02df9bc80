"""The mentor directory: who mentors what, the leaderboard, and why a question went to whom."""

from __future__ import annotations

from bot.actors import is_admin, load_question, names_for
from bot.commands import ExplainMatch, ListMentors, ShowLeaderboard
from bot.messagebus import Context, Refusal
from bot.messages import Bold, UserText, lines, text
from bot.questions.ranking import rank_for
from bot.recognition.points import PERIODS, leaderboard_text

__all__ = ["explain_match", "list_mentors", "show_leaderboard"]


async def show_leaderboard(cmd: ShowLeaderboard, ctx: Context) -> None:
    if not ctx.config.points.leaderboard:
        raise Refusal(
            "The leaderboard is switched off here. Thank someone with "
            "`/kudos @name <what they did>` instead."
        )
    if cmd.period not in PERIODS:
        raise Refusal("Show the leaderboard for `month` (the default) or `all` time.")
    ctx.reply(await leaderboard_text(ctx, cmd.actor.workspace, period=cmd.period))


async def list_mentors(cmd: ListMentors, ctx: Context) -> None:
    profiles = await ctx.uow.mentors.in_workspace(cmd.actor.workspace)
    now = ctx.clock.now()
    skill = cmd.skill.strip()
    if skill:
        canon = ctx.services.taxonomy.canonical(skill) or skill.lower()
        profiles = [p for p in profiles if canon in p.skills]
    if not profiles:
        ctx.reply(
            text("No mentors for ", UserText(skill), " yet.") if skill else text("No mentors yet.")
        )
        return
    names = await names_for(ctx, [p.ref for p in profiles])
    out = [text(Bold(f"Mentors{' for ' + skill if skill else ''}"))]
    for p in sorted(profiles, key=lambda p: names.get(p.ref, "").lower())[:50]:
        flag = (
            " (paused)"
            if p.is_paused(now)
            else (" (in hours now)" if p.hours.contains(now, p.timezone) else "")
        )
        out.append(
            text(
                "• ",
                UserText(names.get(p.ref, p.ref.id)),
                ": ",
                UserText(", ".join(p.skills)),
                flag,
            )
        )
    ctx.reply(lines(out))


async def explain_match(cmd: ExplainMatch, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    admin = is_admin(cmd.actor, ctx.config)
    if not (admin or cmd.actor.user in q.suggested):
        raise Refusal(
            f"Only admins and the mentors suggested for #{q.number} can see why they were suggested."
        )
    ranked = await rank_for(
        ctx,
        workspace=q.workspace,
        topics=q.topics,
        text=q.text,
        question_id=q.id,
        exclude={q.asker},
        limit=max(ctx.config.matching.suggest, 5),
        asker=q.asker,
        stage=q.wanted_stage,
    )
    names = await names_for(ctx, [r.ref for r in ranked])
    out = [
        text(
            Bold(f"Why these mentors for #{q.number}"),
            " — topics: ",
            UserText(", ".join(q.topics) or "none"),
        )
    ]
    if not ranked:
        out.append(text("No mentor has a skill that fits these topics."))
    if not admin:
        # Other mentors' rating and load are theirs; and who is missing from a full list could
        # point at an anonymous asker. A suggested mentor sees why they themselves fit.
        ranked = [r for r in ranked if r.ref == cmd.actor.user]
        if not ranked:
            out.append(text("You were suggested when it was asked; the picture has changed since."))
    for i, r in enumerate(ranked, 1):
        factors = ", ".join(f"{k} {v:.2f}" for k, v in r.factors.items())
        out.append(
            text(
                f"{i}. ",
                UserText(names.get(r.ref, r.ref.id)),
                f" — score {r.score:.1f}; matched: ",
                UserText(", ".join(r.matched_topics)),
                text("; via related skills: ", UserText(", ".join(r.related_topics)))
                if r.related_topics
                else text(),
                f"; {factors}",
            )
        )
    ctx.reply(lines(out))
