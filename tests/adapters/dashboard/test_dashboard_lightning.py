"""The week page's "Lightning sessions coming up" card over HTTP: what is scheduled in the admin's
workspace (when, in its timezone; who speaks; how many signed up), the proposals waiting for a
speaker, and nothing held, cancelled, over or of another workspace; people's words as text."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timedelta

import httpx

from bot.commands import Actor, RegisterWorkspace
from bot.lightning.commands import CancelLightning, JoinLightning, ProposeLightning
from bot.lightning.model import Lightning, LightningState
from bot.privacy.commands import ForgetPerson
from bot.recognition.model import FORGOTTEN_NAME
from bot.refs import ChannelRef, UserRef
from tests.adapters.dashboard.test_dashboard_http import ADMIN, OTHER, T0, WS, Served, _signed_in

BOB = Actor(UserRef("test", "bob"), "Bob Builder", WS)
ALICE = Actor(UserRef("test", "alice"), "Alice", WS)
ANN = Actor(UserRef("test", "ann"), "Ann", WS)
ZED = Actor(UserRef("test", "zed"), "Zed", OTHER)
DEC_3 = T0 + timedelta(days=8)  # Thu 2026-12-03 14:00 UTC: 15:00 in Berlin
JAN_5 = datetime(2027, 1, 5, 9, 30, tzinfo=T0.tzinfo)  # Tue, next year: 10:30 in Berlin


async def _propose(served: Served, actor: Actor, title: str, at: datetime = DEC_3) -> int:
    """A session `actor` offers in chat; its number in their workspace."""
    await served.app.bus.handle(ProposeLightning(actor, "pandas", at, title))
    async with served.app.uow_factory(read_only=True) as uow:
        [coming] = [
            s for s in await uow.lightning.upcoming(actor.workspace, T0) if s.title == title
        ]
    return coming.number


async def _change(served: Served, number: int, **fields: object) -> None:
    """Set fields of a scheduled session the way the bot's own steps would (held, past, …)."""
    async with served.app.uow_factory() as uow:
        s = await uow.lightning.get_by_number(WS, number)
        assert s is not None
        assert await uow.lightning.save(replace(s, **fields), expected_state=s.state)
        await uow.commit()


async def _card(client: httpx.AsyncClient) -> str:
    """The card's HTML, as the week page serves it."""
    page = await client.get("/admin/week")
    assert page.status_code == 200
    start = page.text.index("<h2>Lightning sessions coming up")
    return page.text[start : page.text.index("</section>", start)]


def _text(card: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


async def _in_berlin(served: Served) -> None:
    await served.app.bus.handle(
        RegisterWorkspace(
            WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"), "Europe/Berlin"
        )
    )


async def test_a_coming_session_is_listed_with_its_speaker_time_and_sign_ups(
    served: Served,
) -> None:
    await _in_berlin(served)
    groupby = await _propose(served, BOB, "groupby in 15 minutes")
    later = await _propose(served, BOB, "Window functions", JAN_5)
    for person in (ALICE, ANN):
        await served.app.bus.handle(JoinLightning(person, groupby))
    async with _signed_in(served) as client:
        card = _text(await _card(client))
    assert "times in Europe/Berlin" in card
    assert (
        f"#{groupby} “groupby in 15 minutes” Thu Dec 3 · 15:00 · 15 min · by Bob Builder "
        "2 signed up"
    ) in card
    # Next year's date says its year; nobody signed up yet is said, not "0".
    assert f"#{later} “Window functions” Tue Jan 5, 2027 · 10:30" in card
    assert "nobody signed up yet" in card
    assert card.index("groupby") < card.index("Window functions")  # soonest first


async def test_held_cancelled_past_and_another_workspaces_sessions_are_not_listed(
    served: Served,
) -> None:
    # A speaker gives one talk at a time: each an hour after the one before.
    hour = timedelta(hours=1)
    await _propose(served, BOB, "Still to come")
    held = await _propose(served, BOB, "Given already", DEC_3 + hour)
    await _change(served, held, state=LightningState.HELD, held_at=T0)
    cancelled = await _propose(served, BOB, "Called off", DEC_3 + 2 * hour)
    await served.app.bus.handle(CancelLightning(BOB, cancelled))
    over = await _propose(served, BOB, "Over yesterday", DEC_3 + 3 * hour)
    await _change(served, over, starts_at=T0 - timedelta(days=1))  # its "held" step not run yet
    await _propose(served, ZED, "Another workspace's talk")
    async with _signed_in(served) as client:
        card = _text(await _card(client))
    assert "Still to come" in card
    for gone in ("Given already", "Called off", "Over yesterday", "Another workspace", "Zed"):
        assert gone not in card


async def test_a_title_with_a_script_tag_is_shown_as_text(served: Served) -> None:
    await _propose(served, BOB, "<script>alert(1)</script> & <b>bold</b> " + "x" * 50)
    async with _signed_in(served) as client:
        card = await _card(client)
    assert "<script>" not in card and "<b>bold" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in card


async def test_a_forgotten_sign_up_counts_for_nobody_and_a_forgotten_speaker_shows_no_id(
    served: Served,
) -> None:
    number = await _propose(served, BOB, "groupby in 15 minutes")
    for person in (ALICE, ANN):
        await served.app.bus.handle(JoinLightning(person, number))
    await served.app.bus.handle(ForgetPerson(ADMIN, ALICE.user, confirmed=True))
    # A speaker's ref whose person is gone: a tombstone (their sessions are normally called off).
    tombstone = UserRef("test", "forgotten-7f3a")
    await _change(served, number, speaker=tombstone)
    async with _signed_in(served) as client:
        card = _text(await _card(client))
    assert f"by {FORGOTTEN_NAME} 1 signed up" in card
    assert tombstone.id not in card


async def test_proposals_of_the_window_waiting_for_a_speaker_are_listed(served: Served) -> None:
    carol = UserRef("test", "carol")
    async with served.app.uow_factory() as uow:
        for ws, topic, days_ago in ((WS, "docker", 2), (WS, "kubernetes", 40), (OTHER, "rust", 1)):
            await uow.lightning.add(
                Lightning(
                    workspace=ws,
                    topic=topic,
                    created_at=T0 - timedelta(days=days_ago),
                    question_ids=(1, 2, 3, 4, 5),
                    invited=(BOB.user, carol),
                    declined=(carol,),
                )
            )
        await uow.commit()
    async with _signed_in(served) as client:
        card = _text(await _card(client))
    assert "No session is scheduled yet." in card
    assert (
        "Waiting for a speaker #1 docker 5 questions led to it, proposed Mon Nov 23; "
        "2 mentors asked, 1 said not now"
    ) in card
    assert "kubernetes" not in card  # older than [lightning] window_days: overtaken
    assert "rust" not in card


async def test_with_nothing_planned_the_card_says_how_to_offer_a_session(served: Served) -> None:
    await _propose(served, ZED, "Only in the other workspace")
    async with _signed_in(served) as client:
        card = _text(await _card(client))
    assert "None planned. Anyone can offer one in chat with " in card
    assert "/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>" in card
