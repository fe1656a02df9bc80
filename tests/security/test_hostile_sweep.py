"""A hostile-input sweep: 10,000 generated questions, names and skills (control characters,
bidi overrides, zero-width text, both platforms' mention syntax, markdown breakers, huge and
empty text) through the core's parsing, checks and cards and through every renderer: no crash,
no ping the bot did not mean, no card with invisible text. A smaller sample goes through the
whole core (the message bus on fakes), rendering everything it decided to say."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from adapters.console.render import render_message as console_render
from adapters.discord.render import render_message as discord_render
from adapters.slack.render import blocks_for, fallback_text
from bot.commands import Actor, AskQuestion, ClaimQuestion, RegisterMentor
from bot.config import Config
from bot.domain import MentorProfile, Question, Transition
from bot.mentors.profile import profile_card
from bot.messagebus import Refusal
from bot.messages import ChatMessage, text
from bot.questions.asking import validate_question
from bot.questions.cards import question_card, session_intro
from bot.refs import UserRef, WorkspaceRef
from bot.textcommands import ParseError, parse_flags
from tests.security.hostile import BIDI, discord_pings, hostile_text, slack_pings, visible
from tests.unit.core_harness import WORKSPACE, start_core

SWEEP = 10_000
_BIDI = re.compile(f"[{BIDI}]")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONFIG = Config.model_validate({"ask": {"coaching": "off"}})
# Discord ids are snowflakes; Slack's start with U.
PEOPLE = {
    "slack": (UserRef("slack", "U0ASKER01"), UserRef("slack", "U0MENTOR1")),
    "discord": (
        UserRef("discord", "1180000000000000101"),
        UserRef("discord", "1180000000000000102"),
    ),
}


def no_guild(_: int) -> int | None:
    return None


def check_rendered(message: ChatMessage, *, platform: str) -> list[str]:
    """What is wrong with `message` as `platform` renders it (empty when nothing is)."""
    meant = {u.id for u in message.mentions() if u.platform == platform}
    problems: list[str] = []
    if platform == "slack":
        blocks = blocks_for(message)
        shown = [fallback_text(message)] + [repr(b) for b in blocks]
        for s in shown:
            problems += [f"slack ping {p!r}" for p in slack_pings(s, meant=meant)]
    else:
        rendered = discord_render(message, guild_of=no_guild)
        payload: dict[str, Any] = {
            "content": rendered.content,
            "embeds": [rendered.embed.to_dict()] if rendered.embed else [],
            "allowed_mentions": rendered.allowed_mentions.to_dict(),
        }
        problems += [f"discord ping {p!r}" for p in discord_pings(payload, meant=meant)]
        shown = [repr(payload)]
    shown.append("\n".join(console_render(message)))
    problems += [f"bidi control in {platform} output" for s in shown if _BIDI.search(s)]
    return problems


def cards_for(raw: str, name: str, skill: str, i: int, platform: str) -> list[ChatMessage]:
    """What the bot would show for one hostile question, asker name and skill: the card (open,
    claimed), the session intro and the mentor's profile; [] if the question is refused."""
    parsed = parse_flags(raw)
    if isinstance(parsed, ParseError):
        return [ChatMessage(body=text(parsed.message))]
    anonymous, _, body = parsed
    try:
        cleaned = validate_question(body, SimpleNamespace(config=CONFIG))  # type: ignore[arg-type]
    except Refusal:
        return []
    asker, mentor = PEOPLE[platform]
    q = Question(
        workspace=WorkspaceRef(platform, "T1"),
        asker=asker,
        text=cleaned,
        created_at=NOW,
        anonymous=anonymous,
        topics=(skill,) if skill else (),
        suggested=(mentor,),
        id=i,
        local_number=i,
    )
    names = {asker: name, mentor: skill or "mentor"}
    claimed = q.moved(
        Transition.CLAIM, mentor=mentor, claimed_at=NOW, timebox_ends_at=NOW + timedelta(minutes=20)
    )
    return [
        question_card(q, names=names, config=CONFIG),
        session_intro(claimed, names=names, config=CONFIG),
    ]


def test_ten_thousand_hostile_inputs_render_without_a_crash_a_ping_or_an_invisible_card() -> None:
    rng = random.Random(20261123)
    problems: list[str] = []
    cards = 0
    for i in range(1, SWEEP + 1):
        raw, name, skill = hostile_text(rng), hostile_text(rng)[:80], hostile_text(rng)[:60]
        platform = "slack" if i % 2 else "discord"
        for message in cards_for(raw, name, skill, i, platform):
            if message.kind == "card":
                cards += 1
                body = "\n".join(console_render(message)[1:2])
                if not visible(body):
                    problems.append(f"#{i}: invisible card {raw!r}")
            problems += [f"#{i} {p}: {raw!r}" for p in check_rendered(message, platform=platform)]
        if i % 4:
            continue  # a profile for every fourth: the skills and names are the same kind
        _, mentor = PEOPLE[platform]
        profile = profile_card(
            MentorProfile(
                ref=mentor, workspace=WorkspaceRef(platform, "T1"), skills=(skill,), about=raw[:500]
            ),
            name,
            NOW,
        )
        problems += [f"#{i} profile {p}" for p in check_rendered(profile, platform=platform)]
        if len(problems) > 20:
            break
    assert problems == []
    # Most inputs made it to a card; of the rest, many plant `--anonymous` amid the text, which
    # is refused (nothing posted under the asker's name) rather than posted.
    assert cards > SWEEP * 2 // 5


CORE_SAMPLE = 120


async def test_hostile_names_skills_and_questions_through_the_core_stay_inert_and_visible() -> None:
    config = Config.model_validate(
        {
            "ask": {"coaching": "off"},
            "limits": {"asks": 0, "claims": 0, "duplicate_similarity": 0},
        }
    )
    core = await start_core(config)
    rng = random.Random(1123)
    for i in range(CORE_SAMPLE // 4):
        mentor = Actor(core.user(f"m{i}"), hostile_text(rng)[:80], WORKSPACE)
        skills = (hostile_text(rng)[:60], hostile_text(rng)[:60], "python")
        await core.bus.handle(RegisterMentor(mentor, skills, hours="Mon-Sun 00:00-24:00"))
    asked = 0
    for i in range(CORE_SAMPLE):
        asker = Actor(core.user(f"a{i}"), hostile_text(rng)[:80], WORKSPACE)
        body = hostile_text(rng)
        parsed = parse_flags(body)
        if isinstance(parsed, ParseError):
            continue
        await core.bus.handle(AskQuestion(asker, parsed[2] + " python", parsed[0]))
        asked += 1
        await core.bus.handle(ClaimQuestion(core.actor(f"m{i % (CORE_SAMPLE // 4)}"), asked))
    assert len(core.chat.of("post_card")) > CORE_SAMPLE // 2
    problems: list[str] = []
    for call in core.chat.calls:
        message = call.message
        if message is None:
            continue
        for platform in ("slack", "discord"):
            problems += [f"{call.method}: {p}" for p in check_rendered(message, platform=platform)]
        if message.kind == "card" and not visible("\n".join(console_render(message)[1:2])):
            problems.append(f"invisible card {message.body.plain()!r}")
    people = core.db.tables["people"]
    problems += [f"invisible name {p.name!r}" for p in people.values() if not visible(p.name)]
    problems += [f"bidi in name {p.name!r}" for p in people.values() if _BIDI.search(p.name)]
    for profile in core.db.tables["mentors"].values():
        problems += [f"skill {s!r}" for s in profile.skills if not visible(s) or _BIDI.search(s)]
    assert problems == []
