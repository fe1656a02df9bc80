"""Sending the digest: on the clock once per workspace and week, on demand for admins only
(reply to the admin and post to the admin channel), in the workspace's timezone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.commands import RegisterWorkspace, SendDigest
from bot.config import Config
from bot.messages import Jump
from bot.refs import ChannelRef, WorkspaceRef
from tests.unit.core_harness import ADMIN_CHANNEL, MENTORING, WORKSPACE, Core, start_core

NEXT_MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the digest slot after 2026-W48


def digests_posted(core: Core) -> list[str]:
    """What reached the admin channel (calls the fake chat failed on are left out)."""
    return [
        c.message.plain()
        for c in core.chat.calls
        if c.method == "post_card"
        and c.args["channel"] == ADMIN_CHANNEL
        and c.message is not None
        and not isinstance(c.result, Exception)
    ]


async def busy_week(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    await core.helped(asker="alice", mentor="bob")
    await core.ask("secret-sam", anonymous=True)


async def test_the_scheduled_digest_is_posted_to_the_admin_channel_once_per_week() -> None:
    core = await start_core()
    await busy_week(core)
    for _ in range(3):
        assert await core.handle(SendDigest(NEXT_MONDAY_9)) == []
    [digest] = digests_posted(core)
    assert "weekly digest — 2026-W48" in digest
    assert "2 asked" in digest and "1 resolved" in digest


async def test_the_scheduled_digest_waits_for_the_slot_in_the_workspace_timezone() -> None:
    core = await start_core()
    await core.handle(
        RegisterWorkspace(WORKSPACE, MENTORING, ADMIN_CHANNEL, timezone="America/Los_Angeles")
    )
    await core.ask("alice")
    await core.handle(SendDigest(NEXT_MONDAY_9))  # 01:00 in Los Angeles
    assert digests_posted(core) == []
    await core.handle(SendDigest(datetime(2026, 11, 30, 17, 0, tzinfo=UTC)))  # 09:00 there
    assert len(digests_posted(core)) == 1


async def test_an_admin_gets_the_digest_on_demand_in_the_admin_channel_and_told_where() -> None:
    core = await start_core()
    await busy_week(core)
    replies = await core.handle(
        SendDigest(core.clock.now(), workspace=WORKSPACE, actor=core.actor("admin"))
    )
    [reply] = [m.plain() for m in replies]
    assert reply == "Posted the digest of 2026-W48 (this week so far) in #mentor-admins."
    [posted] = digests_posted(core)
    assert "2026-W48" in posted and "so far" in posted


async def test_on_demand_digest_of_a_given_week_and_again_later_is_always_answered() -> None:
    core = await start_core()
    actor = core.actor("admin")
    for _ in range(2):
        [reply] = await core.handle(
            SendDigest(NEXT_MONDAY_9, workspace=WORKSPACE, actor=actor, week="2026-W47")
        )
        assert reply.plain() == "Posted the digest of 2026-W47 in #mentor-admins."
    assert len(digests_posted(core)) == 2


async def test_someone_who_is_not_an_admin_is_refused_the_digest() -> None:
    core = await start_core()
    [reply] = await core.handle(
        SendDigest(core.clock.now(), workspace=WORKSPACE, actor=core.actor("mallory"))
    )
    assert "is for admins" in reply.plain()
    assert digests_posted(core) == []


async def test_a_future_week_is_refused_politely() -> None:
    core = await start_core()
    [reply] = await core.handle(
        SendDigest(
            core.clock.now(), workspace=WORKSPACE, actor=core.actor("admin"), week="2027-W10"
        )
    )
    assert "hasn't started yet" in reply.plain()


async def test_anonymous_and_named_askers_never_appear_in_the_digest() -> None:
    core = await start_core()
    await busy_week(core)
    await core.handle(SendDigest(NEXT_MONDAY_9))
    [digest] = digests_posted(core)
    assert "secret-sam" not in digest and "alice" not in digest
    assert "bob" in digest  # mentors are thanked by name


async def test_the_chart_is_attached_when_a_renderer_is_wired_in() -> None:
    core = await start_core()
    core.bus.services = replace(core.bus.services, chart=lambda digest: b"PNG")
    await core.ask("alice")
    await core.handle(SendDigest(NEXT_MONDAY_9))
    [message] = core.chat.messages("post_card", channel=ADMIN_CHANNEL)
    assert message.attachment is not None and message.attachment.data == b"PNG"


async def test_a_failing_chart_does_not_cost_the_digest() -> None:
    def broken(digest: object) -> bytes:
        raise RuntimeError("no fonts")

    core = await start_core()
    core.bus.services = replace(core.bus.services, chart=broken)
    await core.ask("alice")
    await core.handle(SendDigest(NEXT_MONDAY_9))
    [message] = core.chat.messages("post_card", channel=ADMIN_CHANNEL)
    assert message.attachment is None


async def test_a_failed_post_is_retried_later_and_the_digest_is_decided_once() -> None:
    core = await start_core()
    await core.ask("alice")
    core.chat.fail_on.add("post_card")
    await core.handle(SendDigest(NEXT_MONDAY_9))
    core.chat.fail_on.clear()
    await core.handle(SendDigest(NEXT_MONDAY_9))  # the next cron tick: already decided
    assert digests_posted(core) == []
    core.clock.advance(timedelta(minutes=1))
    await core.tick()  # the delivery's retry
    assert len(digests_posted(core)) == 1


async def test_a_week_with_nothing_in_it_posts_no_digest() -> None:
    """A fresh install must not greet its admins with a digest of zeros."""
    core = await start_core()
    await core.handle(SendDigest(NEXT_MONDAY_9))
    assert digests_posted(core) == []


async def test_without_matplotlib_the_digest_says_how_to_get_the_chart() -> None:
    from bot.digest.chart import CHART_HINT, ChartUnavailable

    def missing(digest: object) -> bytes:
        raise ChartUnavailable(CHART_HINT)

    core = await start_core()
    core.bus.services = replace(core.bus.services, chart=missing)
    await core.ask("alice")
    await core.handle(SendDigest(NEXT_MONDAY_9))
    [digest] = digests_posted(core)
    assert "pip install 'micromentor[charts]'" in digest


async def test_a_week_with_no_new_question_still_thanks_who_resolved_an_old_one() -> None:
    """Points earned for last week's question are this week's news: the digest is posted."""
    core = await start_core()
    n = await core.claimed(asker="alice", mentor="bob")  # asked and claimed in 2026-W48
    await core.talked(n)
    core.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # Tuesday of 2026-W49
    await core.resolve("alice", n)
    await core.handle(SendDigest(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)))  # 2026-W49's slot
    posted = [d for d in digests_posted(core) if "2026-W49" in d]
    assert len(posted) == 1, digests_posted(core)
    assert "0 asked" in posted[0] and "1. bob (3 points)" in posted[0]


async def test_the_on_demand_reply_names_the_channel_this_workspace_posted_it_to() -> None:
    """Each workspace has its own admin channel (found when it was registered): the reply names
    that one, not the channel the configuration names."""
    core = await start_core()
    other = WorkspaceRef(WORKSPACE.platform, "T2")
    ops = ChannelRef(WORKSPACE.platform, "ops-admins")
    await core.handle(RegisterWorkspace(other, MENTORING, ops))
    admin = replace(core.actor("admin"), workspace=other)
    [reply] = await core.handle(SendDigest(core.clock.now(), workspace=other, actor=admin))
    assert reply.plain() == "Posted the digest of 2026-W48 (this week so far) in #ops-admins."
    assert [c.args["channel"] for c in core.chat.calls if c.method == "post_card"] == [ops]


async def test_an_admin_channel_known_by_id_is_linked_not_named_from_the_configuration() -> None:
    core = await start_core()
    by_id = ChannelRef(WORKSPACE.platform, "C0OPS0001")
    await core.handle(RegisterWorkspace(WORKSPACE, MENTORING, by_id))
    [reply] = await core.handle(SendDigest(core.clock.now(), actor=core.actor("admin")))
    assert reply.plain() == "Posted the digest of 2026-W48 (this week so far) in the admin channel."
    assert Jump(by_id, "the admin channel") in reply.body.spans


async def test_a_digest_missed_at_a_late_sunday_slot_is_sent_after_midnight_once() -> None:
    """All replicas down at Sunday 23:00 and back at 01:00: the digest of the week before is
    caught up (the new week's slot is six days off), once; not days later."""
    config = Config()
    config = config.model_copy(
        update={"digest": config.digest.model_copy(update={"weekday": "sun", "time": "23:00"})}
    )
    core = await start_core(config)
    await busy_week(core)  # in 2026-W48, reported at the slot of W49: Sunday 6 Dec 23:00
    back = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    await core.handle(SendDigest(back))
    await core.handle(SendDigest(back + timedelta(hours=1)))
    [digest] = digests_posted(core)
    assert "weekly digest — 2026-W48" in digest


async def test_a_digest_missed_by_more_than_the_grace_is_not_caught_up_later() -> None:
    config = Config()
    config = config.model_copy(
        update={"digest": config.digest.model_copy(update={"weekday": "sun", "time": "23:00"})}
    )
    core = await start_core(config)
    await busy_week(core)
    await core.handle(SendDigest(datetime(2026, 12, 9, 12, 0, tzinfo=UTC)))  # Wednesday
    assert digests_posted(core) == []
