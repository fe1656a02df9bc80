"""A scheduled lightning session changed by its speaker or an admin: `/lightning move` (a new
time: card, reminders and the end follow it; sign-ups are told in their own zone) and
`/lightning cancel` (card, reminders dropped, sign-ups told); anyone else is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from bot.config import Config
from bot.domain import NudgeKind, NudgeState, Person
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    JoinLightning,
    ListLightning,
    MoveLightning,
    ProposeLightning,
    RateLightning,
)
from bot.lightning.model import LightningState
from tests.unit.core_harness import Core, start_core
from tests.unit.test_lightning_flow import (
    AT,
    CALL,
    TITLE,
    at,
    card_versions,
    dms,
    field,
    proposed,
    reminders,
)

LATER = datetime(2026, 11, 27, 11, 0)  # Friday 11:00, two days after AT


@pytest.fixture
async def core() -> Core:
    core = await start_core(Config.model_validate({"session": {"call_link": CALL}}))
    await core.join("bob", "python", "pandas")
    return core


async def scheduled_with_one_sign_up(core: Core) -> int:
    n = await proposed(core)
    said = await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    assert said.startswith("Thank you!"), said
    assert said.endswith(f"`/lightning move {n} <YYYY-MM-DD HH:MM>` or `/lightning cancel {n}`.")
    await core.reply(JoinLightning(core.actor("asker1"), n))
    return n


def told(core: Core, name: str, words: str) -> list[str]:
    return [m.plain() for m in dms(core, name) if words in m.plain()]


async def test_moving_tells_sign_ups_and_the_card_the_reminders_and_the_end_follow(
    core: Core,
) -> None:
    n = await scheduled_with_one_sign_up(core)
    said = await core.reply(MoveLightning(core.actor("bob"), n, LATER))
    assert said.startswith(f"Moved lightning session #{n} “{TITLE}” to Fri 2026-11-27 11:00 UTC.")
    assert "I've told the 1 person who signed up." in said
    [moved] = told(core, "asker1", "has moved to")
    assert "Fri 2026-11-27 11:00 UTC" in moved and "still signed up" in moved
    assert field(card_versions(core)[-1], "When") == "Fri 2026-11-27 11:00 UTC · 15 min"
    # Nothing at the old times: no reminder, and the session is not "held" at the old end.
    await at(core, AT + timedelta(minutes=20))
    assert reminders(core, "asker1") == []
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.SCHEDULED and s.starts_at == LATER.replace(
        tzinfo=s.starts_at.tzinfo
    )
    await at(core, LATER - timedelta(days=1))
    [day] = reminders(core, "asker1")
    assert "is tomorrow" in day
    await at(core, LATER - timedelta(minutes=15))
    assert len(reminders(core, "asker1")) == 2
    await at(core, LATER + timedelta(minutes=15))
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.HELD
    assert "Thanks for rating" in await core.reply(RateLightning(core.actor("asker1"), n, 5))


async def test_a_move_is_read_in_the_movers_zone_and_told_in_each_readers(core: Core) -> None:
    n = await scheduled_with_one_sign_up(core)
    core.profile("bob").timezone = "Europe/Berlin"
    core.db.tables["people"][core.user("asker1")] = Person(
        core.user("asker1"), "asker1", timezone="America/New_York"
    )
    said = await core.reply(MoveLightning(core.actor("bob"), n, LATER))
    assert "Fri 2026-11-27 10:00 UTC (11:00 Europe/Berlin)" in said
    [moved] = told(core, "asker1", "has moved to")
    assert "Fri 2026-11-27 10:00 UTC (05:00 America/New_York)" in moved


async def test_cancelling_tells_sign_ups_marks_the_card_and_drops_the_reminders(
    core: Core,
) -> None:
    n = await scheduled_with_one_sign_up(core)
    said = await core.reply(CancelLightning(core.actor("bob"), n))
    assert (
        said == f"Cancelled lightning session #{n} “{TITLE}”. I've told the 1 person who signed up."
    )
    [gone] = told(core, "asker1", "is cancelled")
    assert "its speaker called it off" in gone
    assert "cancelled" in card_versions(core)[-1].plain()
    assert card_versions(core)[-1].actions == ()
    pending = [
        x
        for x in core.db.rows("nudges")
        if x.kind is NudgeKind.LIGHTNING and x.state is NudgeState.PENDING
    ]
    assert pending == []
    await at(core, AT + timedelta(minutes=20))
    assert reminders(core, "asker1") == [] and reminders(core, "bob") == []
    assert "No lightning sessions are coming up" in await core.reply(
        ListLightning(core.actor("asker1"))
    )
    again = await core.reply(CancelLightning(core.actor("bob"), n))
    assert again == f"Lightning session #{n} is cancelled already."


async def test_only_the_speaker_or_an_admin_changes_a_session(core: Core) -> None:
    n = await scheduled_with_one_sign_up(core)
    for command in (
        MoveLightning(core.actor("asker1"), n, LATER),
        CancelLightning(core.actor("asker1"), n),
    ):
        said = await core.reply(command)
        assert said.startswith(f"Sorry, only the speaker of lightning session #{n} (or an admin)")
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.SCHEDULED and told(core, "asker1", "moved") == []
    # An admin may, and the speaker hears of it.
    said = await core.reply(MoveLightning(core.actor("admin"), n, LATER))
    assert said.startswith(f"Moved lightning session #{n}")
    [speaker] = told(core, "bob", "has moved to")
    assert "; an admin moved it." in speaker and "still signed up" not in speaker
    assert ") (" not in speaker  # not after the time's own "(15:00 Europe/Berlin)"
    said = await core.reply(CancelLightning(core.actor("admin"), n))
    assert said.startswith(f"Cancelled lightning session #{n}")
    assert told(core, "bob", "An admin cancelled your lightning session")
    assert "an admin called it off" in told(core, "asker1", "is cancelled")[0]


async def test_a_session_that_has_started_or_is_not_taken_cannot_be_changed(core: Core) -> None:
    n = await proposed(core)
    said = await core.reply(CancelLightning(core.actor("admin"), n))
    assert said == f"Nobody has taken lightning session #{n} yet: nothing to cancel."
    await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    await at(core, AT + timedelta(minutes=1))
    said = await core.reply(MoveLightning(core.actor("bob"), n, LATER))
    assert said == f"Lightning session #{n} has started; it ends on its own."
    await at(core, AT + timedelta(minutes=15))
    said = await core.reply(CancelLightning(core.actor("bob"), n))
    assert said == f"Lightning session #{n} is over already: its time has passed."


async def test_a_new_time_too_soon_or_the_same_changes_nothing(core: Core) -> None:
    n = await scheduled_with_one_sign_up(core)
    soon = core.clock.now().replace(tzinfo=None) + timedelta(minutes=5)
    said = await core.reply(MoveLightning(core.actor("bob"), n, soon))
    assert said.startswith("Pick a time at least 20 minutes from now")
    same = await core.reply(MoveLightning(core.actor("bob"), n, AT))
    assert same == f"Lightning session #{n} is on Wed 2026-11-25 15:00 UTC already."
    assert told(core, "asker1", "moved") == []
    [s] = core.db.rows("lightning")
    assert s.starts_at is not None and s.starts_at.replace(tzinfo=None) == AT


async def test_another_workspaces_session_is_not_found(core: Core) -> None:
    said = await core.reply(CancelLightning(core.actor("bob"), 99))
    assert said.startswith("There is no lightning session #99.")


async def test_a_cancelled_session_cant_be_moved_and_says_so(core: Core) -> None:
    n = await scheduled_with_one_sign_up(core)
    await core.reply(CancelLightning(core.actor("bob"), n))
    said = await core.reply(MoveLightning(core.actor("bob"), n, LATER))
    assert said == f"Lightning session #{n} was cancelled, so it can't be moved."


async def test_a_proposal_nobody_took_cant_be_joined_or_rated(core: Core) -> None:
    """A demand proposal never takes place until someone gives it: joining or rating it says
    that, not "hasn't taken place yet; rate it afterwards"."""
    n = await proposed(core)
    joined = await core.reply(JoinLightning(core.actor("asker1"), n))
    assert joined.startswith(f"Nobody has taken lightning session #{n} yet")
    rated = await core.reply(RateLightning(core.actor("asker1"), n, 5))
    assert rated == f"Nobody gave lightning session #{n}, so there's nothing to rate."


async def test_the_same_talk_proposed_twice_is_one_session(core: Core) -> None:
    from bot.lightning.commands import ProposeLightning

    first = await core.reply(ProposeLightning(core.actor("bob"), "pandas", LATER, TITLE))
    assert first.startswith("Thank you!"), first
    again = await core.reply(ProposeLightning(core.actor("bob"), "pandas", LATER, TITLE))
    [s] = core.db.rows("lightning")
    assert again.startswith(f"You proposed this already: lightning session #{s.number}")
    assert "Nothing new was posted" in again
    other = await core.reply(
        ProposeLightning(core.actor("bob"), "pandas", LATER + timedelta(days=1), TITLE)
    )
    assert other.startswith("Thank you!"), other
    another_talk = await core.reply(
        ProposeLightning(
            core.actor("bob"), "pandas", LATER + timedelta(hours=1), "Merging frames, step by step"
        )
    )
    assert another_talk.startswith("Thank you!"), another_talk
    assert len(core.db.rows("lightning")) == 3


async def test_a_topic_one_letter_off_a_known_one_is_asked_about_before_anyone_sees_it(
    core: Core,
) -> None:
    """ "gti" is shown on a card to everyone: "did you mean git?" first; quoted, it is taken as
    typed; a longer typo is read as its skill, as everywhere."""
    from bot.lightning.commands import ProposeLightning

    typo = await core.reply(ProposeLightning(core.actor("bob"), "gti", LATER, TITLE))
    assert "did you mean git?" in typo and "Nothing was posted" in typo
    assert core.db.rows("lightning") == []
    as_typed = await core.reply(ProposeLightning(core.actor("bob"), '"gti"', LATER, TITLE))
    assert as_typed.startswith("Thank you!"), as_typed
    an_hour_on = LATER + timedelta(hours=1)  # bob gives one talk at a time
    longer = await core.reply(ProposeLightning(core.actor("bob"), "kubernets", an_hour_on, TITLE))
    assert longer.startswith("Thank you!"), longer
    assert sorted(s.topic for s in core.db.rows("lightning")) == ["gti", "kubernetes"]


async def test_a_speaker_is_not_booked_for_two_talks_at_once(core: Core) -> None:
    """Proposing, accepting or moving a talk into the time of another of the same speaker's is
    refused with the one it clashes with; right after it ends is fine, and another speaker's
    talk at the same time is theirs to give."""
    n = await scheduled_with_one_sign_up(core)  # bob, Wed 15:00-15:15
    overlapping = ProposeLightning(core.actor("bob"), "git", AT + timedelta(minutes=5), "Rebase")
    said = await core.reply(overlapping)
    assert said.startswith(f"You're speaking then already: lightning session #{n}, ")
    assert f"`/lightning move {n} <YYYY-MM-DD HH:MM>`" in said
    after = ProposeLightning(core.actor("bob"), "git", AT + timedelta(minutes=15), "Rebase")
    assert (await core.reply(after)).startswith("Thank you!")
    other = ProposeLightning(core.actor("carol"), "git", AT, "Bisect")
    assert (await core.reply(other)).startswith("Thank you!")
    later = ProposeLightning(core.actor("bob"), "sql", LATER, "Joins")
    assert (await core.reply(later)).startswith("Thank you!")
    [joins] = [s for s in core.db.rows("lightning") if s.title == "Joins"]
    said = await core.reply(MoveLightning(core.actor("bob"), joins.number, AT))
    assert said.startswith(f"You're speaking then already: lightning session #{n}, ")
    said = await core.reply(MoveLightning(core.actor("admin"), joins.number, AT))
    assert said.startswith(f"Its speaker is speaking then already: lightning session #{n}, ")
    [still] = [s for s in core.db.rows("lightning") if s.title == "Joins"]
    assert still.starts_at == joins.starts_at


async def test_a_moved_talk_is_as_long_as_it_was_announced(core: Core) -> None:
    """A session keeps the length it was announced with (`[lightning] minutes` may have changed
    since): moving a 5-minute talk to start 5 minutes before another of the speaker's is no
    clash, though a new talk (15 minutes now) would be one."""
    await scheduled_with_one_sign_up(core)  # bob, Wed 15:00-15:15
    later = ProposeLightning(core.actor("bob"), "sql", LATER, "Joins")
    assert (await core.reply(later)).startswith("Thank you!")
    [(key, joins)] = [(k, v) for k, v in core.db.tables["lightning"].items() if v.title == "Joins"]
    core.db.tables["lightning"][key] = replace(joins, minutes=5)  # announced when talks were 5
    just_before = AT - timedelta(minutes=5)
    said = await core.reply(MoveLightning(core.actor("bob"), joins.number, just_before))
    assert said.startswith(f"Moved lightning session #{joins.number} "), said
    clash = ProposeLightning(core.actor("bob"), "git", just_before, "Rebase")
    assert (await core.reply(clash)).startswith("You're speaking then already: lightning session")
