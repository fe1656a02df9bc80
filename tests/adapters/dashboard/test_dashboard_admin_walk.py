"""What an admin's walk through the dashboard found: weeks before the workspace's first, an
unknown address, erasing oneself, and a mentor not told what the Mentors page did to them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.commands import Actor, AskQuestion, RegisterWorkspace
from bot.privacy.commands import ForgetPerson, ManageMentor
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.adapters.dashboard.test_dashboard_http import (
    ADMIN,
    WS,
    Served,
    _client,
    _csrf,
    _signed_in,
)

# -- weeks from the workspace's first on -------------------------------------------------------


async def test_the_first_week_offers_no_previous_week_and_one_before_it_says_why(
    served: Served,
) -> None:
    # The workspace was first used in 2026-W48 (its question); a week later it is W49.
    assert isinstance(served.app.clock, ManualClock)
    served.app.clock.advance(timedelta(days=7))
    async with _signed_in(served) as client:
        this = await client.get("/admin/week")
        first = await client.get("/admin/week", params={"week": "2026-W48"})
        pages = [
            await client.get(path, params={"week": week})
            for path in ("/admin/week", "/admin/week.csv", "/admin/week.png")
            for week in ("2026-W47", "2026-W01")
        ]
    assert "week=2026-W48" in this.text  # the first week is one step back
    assert first.status_code == 200 and "Previous week" not in first.text
    assert "week=2026-W47" not in first.text
    assert "<tr><td>Questions asked</td><td>1</td><td>—</td>" in first.text
    for page in pages:
        assert page.status_code == 400, page.text[:300]
        assert "before this workspace&#39;s first week, 2026-W48" in page.text
        assert "<td>0</td>" not in page.text  # no zeros for weeks before it
        assert 'href="/admin/week?ws=' in page.text  # the way back: the header


async def test_a_week_before_the_first_reads_as_the_week_before_column_says(
    served: Served,
) -> None:
    """First used in W49: its page says "—" for W48, and W48's own page says it was before
    the first week rather than showing zeros."""
    fresh = WorkspaceRef("test", "T3")
    assert isinstance(served.app.clock, ManualClock)
    served.app.clock.advance(timedelta(days=7))
    await served.app.bus.handle(
        RegisterWorkspace(fresh, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
    )
    asker = Actor(UserRef("test", "ann"), "Ann", fresh)
    await served.app.bus.handle(AskQuestion(asker, "How do I join two pandas DataFrames?"))
    async with _signed_in(served, Actor(ADMIN.user, ADMIN.name, fresh)) as client:
        this = await client.get("/admin/week", params={"ws": fresh.key()})
        before = await client.get("/admin/week", params={"ws": fresh.key(), "week": "2026-W48"})
    assert "<tr><td>Questions asked</td><td>1</td><td>—</td>" in this.text
    assert "Previous week" not in this.text
    assert before.status_code == 400
    assert "before this workspace&#39;s first week, 2026-W49" in before.text


# -- an unknown address --------------------------------------------------------------------------


async def test_an_unknown_dashboard_address_is_a_page_of_the_dashboard_with_the_way_back(
    served: Served,
) -> None:
    async with _client(served) as anonymous:
        unsigned = await anonymous.get("/admin/nonexistent")
        wrong_method = await anonymous.get("/admin/signout")
    async with _signed_in(served) as client:
        signed = await client.get("/admin/nonexistent/deeper?x=<b>")
    for page in (unsigned, signed):
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Page not found</h1>" in page.text and "Back to the dashboard" in page.text
        assert "Micromentor admin" in page.text and "nonexistent" not in page.text
        assert page.headers["x-frame-options"] == "DENY"
    assert 'href="/admin"' in unsigned.text
    assert 'href="/admin/queue?ws=test%3AT1"' in signed.text  # the header, and the way back
    assert wrong_method.status_code == 405  # a known address, another method: as before


# -- erasing oneself ---------------------------------------------------------------------------


async def test_an_admin_cannot_erase_themselves_on_the_people_page(served: Served) -> None:
    async with _signed_in(served) as client:
        people = await client.get("/admin/people")
        mine = people.text[people.text.index(f'<td class="text"><code>{ADMIN.user.key()}</code>') :]
        mine = mine[: mine.index("</tr>")]
        form = {"csrf": await _csrf(client), "person": ADMIN.user.key(), "confirm": "yes"}
        sent = await client.post("/admin/people/delete", data=form, follow_redirects=True)
    assert 'aria-label="Erase' not in mine and "another admin, or the operator" in mine
    assert 'aria-label="Erase Bob Builder"' in people.text  # others' rows keep theirs
    assert "You can&#39;t erase yourself as an admin" in sent.text
    assert 'class="said refused"' in sent.text
    async with served.app.uow_factory(read_only=True) as uow:
        assert await uow.people.get(ADMIN.user) is not None


async def test_another_admin_whose_only_records_are_admin_actions_can_be_forgotten(
    served: Served,
) -> None:
    """(Once the console's self-forget.) Their actions in the audit trail, which every admin
    reads, are rewritten to nobody: something erased, not "nothing left to erase"."""
    ben = Actor(UserRef("test", "A2"), "Ben", WS, platform_admin=True)
    await served.app.bus.handle(ManageMentor(ben, UserRef("test", "bob"), "pause"))
    [said] = await served.app.bus.handle(ForgetPerson(ADMIN, ben.user, "Ben", confirmed=True))
    assert said.body.plain().startswith("Done: Ben is forgotten"), said.body.plain()
    async with served.app.uow_factory(read_only=True) as uow:
        [paused] = await uow.audit.recent([WS], limit=10, action="mentor pause")
    assert paused.actor.id.startswith("forgotten-") and paused.actor_name == ""


# -- the mentor is told ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "told"),
    [
        ("pause", "An admin paused you as a mentor until you resume"),
        ("capacity", "An admin set your capacity to 7 sessions a week"),
        ("remove", "An admin took you off the mentor list"),
    ],
)
async def test_the_mentors_page_tells_the_mentor_what_an_admin_did(
    served: Served, action: str, told: str
) -> None:
    bob = UserRef("test", "bob")
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": bob.key(), "action": action}
        await client.post("/admin/mentors", data={**form, "capacity": "7", "confirm": "yes"})
    dms = [str(c.args["message"].body.plain()) for c in served.chat.calls if c.method == "send_dm"]
    assert any(re.match(re.escape(told), d) for d in dms if told.split()[2] in d), dms
