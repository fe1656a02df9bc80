"""The digest and the dashboard's trends begin with the workspace's first week, on SQLite and
PostgreSQL: a week before anyone used it is not a week of zeros to compare with."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Actor, AskQuestion
from bot.digest.figures import IsoWeek
from bot.digest.handler import load_digest
from bot.refs import UserRef
from tests.integration.test_storage_privacy import T0, WS, _admins_app


async def test_the_first_weeks_digest_has_no_last_week_and_the_next_one_has(db_url: str) -> None:
    async with _admins_app(db_url) as app:
        async with app.uow_factory(read_only=True) as uow:
            assert await uow.digests.first_activity(WS) is None
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        async with app.uow_factory(read_only=True) as uow:
            first = await uow.digests.first_activity(WS)
            ws = await uow.workspaces.get(WS)
            assert ws is not None
            this_week = IsoWeek.containing(T0, "UTC")
            now = T0 + timedelta(days=8)
            digest = await load_digest(uow, app.config, ws, this_week, now=now)
            following = await load_digest(
                uow, app.config, ws, IsoWeek.containing(now, "UTC"), now=now
            )
    assert first is not None and abs(first - T0) < timedelta(minutes=1)
    assert not digest.previous_known and following.previous_known
