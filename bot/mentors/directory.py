"""The mentor directory: who mentors what, the leaderboard, and why a question went to whom."""

from __future__ import annotations

from bot.actors import is_admin, load_question, names_for
from bot.commands import ExplainMatch, ListMentors, ShowLeaderboard
from bot.domain import MentorProfile, Question
from bot.messagebus import Context, Refusal
from bot.messages import Bold, Text, UserText, lines, text
from bot.questions.ranking import perspective_of, rank_for
from bot.recognition.points import PERIODS, leaderboard_text
from bot.refs import UserRef

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
    shown = text()
    if skill:
        canon = _listed_skill(ctx, skill, profiles)
        profiles = [p for p in profiles if canon in p.skills]
        shown = text(UserText(canon))
        if canon != " ".join(skill.lower().split()):
            # Read as another skill (a typo, `k8s`): say which, as `/lightning propose` asks.
            shown = shown + text(" (you typed ", UserText(skill), ")")
    if not profiles:
        ctx.reply(text("No mentors for ", shown, " yet.") if skill else text("No mentors yet."))
        return
    names = await names_for(ctx, [p.ref for p in profiles])
    out = [text(Bold("Mentors for "), shown) if skill else text(Bold("Mentors"))]
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


def _listed_skill(ctx: Context, skill: str, profiles: list[MentorProfile]) -> str:
    """The skill `/mentor list <skill>` means: the taxonomy's name for it (typos in longer
    words, `k8s`), a skill a mentor lists as typed, else a known skill one edit away (`pyton`
    → python, `gti` → git), else the words as typed."""
    taxonomy = ctx.services.taxonomy
    canon = taxonomy.canonical(skill)
    if canon is not None:
        return canon
    typed = " ".join(skill.lower().split())
    if any(typed in p.skills for p in profiles):
        return typed
    return taxonomy.close_to(skill) or typed


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
        exclude={q.asker, *q.released_by},
        limit=max(ctx.config.matching.suggest, 5),
        seed=q.text,  # as when it was asked: equal scores fall the same way
        asker=perspective_of(q.asker, anonymous=q.anonymous),
        stage=q.wanted_stage,
    )
    # The card's order first (it was decided when the card was posted), then the rest.
    on_card = {ref: i for i, ref in enumerate(q.suggested)}
    ranked = sorted(ranked, key=lambda r: on_card.get(r.ref, len(on_card)))
    names = await names_for(ctx, [r.ref for r in ranked])
    out = [
        text(
            Bold(f"Why these mentors for #{q.number}"),
            " — topics: ",
            UserText(", ".join(q.topics) or "none"),
        )
    ]
    hidden = q.anonymous and admin and cmd.actor.user not in q.suggested  # said below
    if not ranked and not hidden:
        out.append(await _none_ranked(ctx, q, admin=admin, actor=cmd.actor.user))
    elif ranked and not hidden:  # nothing is shown of an anonymous question's ranking
        out.append(
            text(
                "Scores are as of now (recomputed for this answer); the numbers are the card's "
                "order, decided when it was posted, so the two may differ."
            )
        )
    if hidden:
        # Whoever fits but is missing from the ranking (or from the card) would be the asker.
        out.append(
            text(
                f"#{q.number} was asked anonymously: which mentors fit it, and why, is not "
                "shown, since whoever is missing from the list would be the asker."
            )
        )
        ranked = []
    elif not admin or q.anonymous:
        # Other mentors' rating and load are theirs; and who is missing from a full list could
        # point at an anonymous asker. A suggested mentor sees why they themselves fit.
        ranked = [r for r in ranked if r.ref == cmd.actor.user]
        if not ranked:
            out.append(text("You were suggested when it was asked; the picture has changed since."))
    for r in ranked:
        place = on_card.get(r.ref)
        head = f"{place + 1}. " if place is not None else "• "
        why = text(f" — score {_signed(r.score, plus=False)}")
        matched = [t for t in r.matched_topics if t in q.topics]
        related = [t for t in r.related_topics if t in q.topics]
        if matched:
            why = why + text("; skills: ", UserText(", ".join(matched)))
        if related:
            # Only the question's own topics: the ranking also weighs the areas around them.
            why = why + text("; related skills cover: ", UserText(", ".join(related)))
        factors = ", ".join(_factor(k, v) for k, v in r.factors.items() if round(v))
        out.append(
            text(
                head,
                UserText(names.get(r.ref, r.ref.id)),
                why,
                f"; {factors}" if factors else "",
                "" if place is not None else " (not on the card)",
            )
        )
    ctx.reply(lines(out))


# `/mentor why` in words: the ranking's factors (`bot.matching.ranking.FACTORS`).
_FACTOR_WORDS = {
    "skill_fit": "skill fit",
    "own_words": "their own words",
    "helped_similar": "helped with similar questions",
    "not_my_area": 'said "not my area" lately',
    "in_hours": "in working hours",
    "load": "busy this week",
    "open_threads": "open sessions",
    "over_capacity": "at capacity",
    "rating": "ratings",
    "stage": "career stage",
    "variety": "someone new to the asker",
}


async def _none_ranked(ctx: Context, q: Question, *, admin: bool, actor: UserRef) -> Text:
    """Why nobody is ranked for `q`: no mentor lists a skill that fits it, or those who do are
    left out — they said "not my area" to it, released it, are paused, or asked it. An admin
    hears who and why; a suggested mentor only about themselves; of an anonymous question nobody
    hears who (whoever is left out for asking it would be its asker)."""
    now = ctx.clock.now()
    reads = await ctx.reads()
    roster = await ctx.services.roster.snapshot(reads, q.workspace)
    fitting = roster.for_topics(dict.fromkeys(q.topics, 1.0), ctx.services.taxonomy.related)
    # Decided with the asker among them: that an anonymous question's asker is the only mentor
    # who fits it must not turn this into "no mentor has a skill" (the mentor list shows who).
    if not fitting:
        return text("No mentor has a skill that fits these topics.")
    declined = await reads.not_my_area.said_by(q.pk)

    def reason(p: MentorProfile, *, you: bool = False) -> str:
        if p.ref == q.asker:
            return "asked it"
        if p.ref in declined:
            return "said “not my area” to it"
        if p.ref in q.released_by:
            return "released it"
        if p.is_paused(now):
            return "are paused" if you else "is paused"
        return "can't take it now"

    if q.anonymous or not admin:
        said = text("No mentor whose skills fit these topics can be suggested for it now")
        mine = next((p for p in fitting if p.ref == actor), None)
        if not admin and mine is not None:
            return said + text("; you ", reason(mine, you=True), ".")
        return said + text(".")
    names = await names_for(ctx, [p.ref for p in fitting])
    why = [
        text(UserText(names.get(p.ref, p.ref.id)), " ", reason(p))
        for p in sorted(fitting, key=lambda p: names.get(p.ref, "").lower())
    ]
    whose = "Mentors whose skills fit" if len(why) > 1 else "The mentor whose skills fit"
    return text(f"{whose} these topics can't be suggested for it now: ", *_joined(why), ".")


def _joined(parts: list[Text]) -> list[Text | str]:
    """``a``, ``a and b``, ``a, b and c``."""
    out: list[Text | str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(" and " if i == len(parts) - 1 else ", ")
        out.append(part)
    return out


def _factor(name: str, value: float) -> str:
    """``skill fit +100``, ``busy this week −5``."""
    return f"{_FACTOR_WORDS.get(name, name.replace('_', ' '))} {_signed(value)}"


def _signed(value: float, *, plus: bool = True) -> str:
    """``+100``, ``−5`` (the minus sign, as in every number of `/mentor why`), ``0``; a score
    goes without its plus (``score 12``, ``score −4``)."""
    shown = f"{abs(value):.0f}"
    if shown == "0":
        return shown
    if value < 0:
        return f"−{shown}"
    return f"+{shown}" if plus else shown
