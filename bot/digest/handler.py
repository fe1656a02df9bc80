"""The weekly digest: on the clock once per workspace and week, and on demand for admins."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Set
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.actors import require_admin, require_workspace
from bot.commands import SendDigest
from bot.config import Config
from bot.digest.chart import ChartUnavailable
from bot.digest.figures import Digest, IsoWeek, build_digest, digest_message, scheduled_week
from bot.domain import Workspace
from bot.feedback.quality import low_rated_topics
from bot.messagebus import Context, Refusal, Services
from bot.messages import ChatMessage, Jump, Text, text
from bot.ports import UnitOfWork
from bot.privacy.audit import audit
from bot.recognition.digest import community_week
from bot.recognition.points import month_start
from bot.refs import ChannelRef

__all__ = ["load_digest", "render_digest", "send_digest"]

log = logging.getLogger(__name__)


def workspace_timezone(ws: Workspace, config: Config) -> str:
    return ws.timezone or config.bot.timezone


async def load_digest(
    uow: UnitOfWork,
    config: Config,
    ws: Workspace,
    week: IsoWeek,
    *,
    now: datetime,
    related: Mapping[str, Set[str]] | None = None,
) -> Digest:
    """Gather the figures of `week` and the week before for one workspace (SQL does the sums);
    `related`: the skill taxonomy's related skills, for the mentors who cover a topic."""
    tz = workspace_timezone(ws, config)
    top = config.digest.top_mentors
    start, end = week.bounds(tz)
    this = await uow.digests.tally(ws.ref, start, end, top_mentors=top)
    p_start, p_end = week.previous().bounds(tz)
    previous = await uow.digests.tally(ws.ref, p_start, p_end, top_mentors=top)
    first = await uow.digests.first_activity(ws.ref)
    mentors = await uow.mentors.in_workspace(ws.ref)
    people = await uow.people.get_many([ref for ref, _ in this.top_mentors])
    low = await low_rated_topics(uow, ws.ref, start, end, at_most=config.digest.low_rating)
    digest = build_digest(
        workspace=ws.ref,
        week=week,
        tz=tz,
        this=this,
        previous=previous,
        mentors=mentors,
        gap_max_mentors=config.digest.gap_max_mentors,
        related=related,
        partial=start <= now < end,
        names={ref: p.name for ref, p in people.items()},
        low_rated=low,
    )
    # The month the week ends in: its most helpful people so far, for admins to thank.
    last_day = end - timedelta(seconds=1)
    community = await community_week(
        uow,
        ws.ref,
        start,
        end,
        month_start=month_start(last_day, tz),
        month=f"{last_day.astimezone(ZoneInfo(tz)):%B %Y}",
        top=top,
    )
    # Before the workspace's first use there was nothing to count: no comparison with it.
    known = first is not None and first < p_end
    return replace(digest, community=community, previous_known=known)


async def render_digest(services: Services, digest: Digest) -> ChatMessage:
    """The digest message, with its chart when a chart renderer is wired in (off the loop)."""
    chart = services.chart
    png = None
    note = None
    if chart is not None:
        try:
            png = await asyncio.to_thread(chart, digest)
        except ChartUnavailable as missing:
            note = str(missing)
        except Exception:  # a missing chart must not cost the digest
            log.exception("digest chart failed; sending the digest without it")
    return digest_message(digest, chart=png, note=note)


async def send_digest(cmd: SendDigest, ctx: Context) -> None:
    if cmd.actor is not None:
        await _on_demand(cmd, ctx)
    else:
        await _on_the_clock(cmd, ctx)


async def _on_demand(cmd: SendDigest, ctx: Context) -> None:
    """``/mentoradmin digest [week]``: this week so far by default; reply and post, every time."""
    assert cmd.actor is not None
    require_admin(cmd.actor, ctx.config, "`/mentoradmin digest`")
    ws = await require_workspace(ctx, cmd.actor)
    current = IsoWeek.containing(cmd.now, workspace_timezone(ws, ctx.config))
    try:
        week = IsoWeek.parse(cmd.week) if cmd.week else current
    except ValueError as e:
        raise Refusal(f"{e}. Give the week like `2026-W48`, or nothing for this week.") from None
    if week > current:
        raise Refusal(f"{week.label} hasn't started yet; the latest week is {current.label}.")
    digest = await load_digest(
        ctx.uow, ctx.config, ws, week, now=cmd.now, related=ctx.services.taxonomy.related
    )
    message = await render_digest(ctx.services, digest)
    await audit(ctx, cmd.actor, "digest", detail=week.label)
    ctx.outbox.post(ws.admin_channel, message, workspace=ws.ref)
    # The admin reads it there: one copy, and a word on where it went.
    so_far = " (this week so far)" if week == current else ""
    ctx.reply(
        text(
            f"Posted the digest of {week.label}{so_far} in ", _channel_named(ws.admin_channel), "."
        )
    )


def _channel_named(channel: ChannelRef) -> Text:
    """The channel the digest was posted to, this workspace's own (each workspace has its own,
    found when it was registered): ``#mentor-admins`` where the ref is a name (the console);
    where it is a platform id, "the admin channel" as a link to it (Slack links a channel)."""
    name = channel.id.strip().lstrip("#")
    is_id = name.isdigit() or (name.isupper() and name.isalnum())
    if is_id or not name:
        return text(Jump(channel, "the admin channel"))
    return text(f"#{name}")


def _nothing_happened(digest: Digest) -> bool:
    """No question asked, no points earned (a carried-over question resolved earns them) and
    nothing from the community: a week whose digest would thank nobody for anything."""
    t, c = digest.this, digest.community
    community = c is not None and bool(c.kudos or c.badges or c.lightning)
    questions = t.asked or t.claimed or t.resolved or t.ratings or t.unanswered
    return not (questions or t.top_mentors or community)


async def _on_the_clock(cmd: SendDigest, ctx: Context) -> None:
    """The scheduled digest of the last full week, once per workspace and week across replicas:
    the digest_run row is claimed in the transaction that stores the post, so a replica that
    loses the race on the unique key stores nothing, and a crash before commit leaves it to the
    next tick."""
    cfg = ctx.config.digest
    for ws in await ctx.uow.workspaces.all():
        if cmd.workspace is not None and ws.ref != cmd.workspace:
            continue
        if ws.removed_at is not None:  # the app was removed there: nobody to post it to
            continue
        tz = workspace_timezone(ws, ctx.config)
        week = (
            IsoWeek.parse(cmd.week)
            if cmd.week
            else scheduled_week(cmd.now, tz=tz, weekday=cfg.weekday, at=cfg.time)
        )
        if week is None or not await ctx.uow.digests.start(ws.ref, week.label, cmd.now):
            continue
        digest = await load_digest(
            ctx.uow, ctx.config, ws, week, now=cmd.now, related=ctx.services.taxonomy.related
        )
        if _nothing_happened(digest):
            # A fresh install's first week (or a quiet one): no post of zeros; the week is
            # still marked done, and `/mentoradmin digest` shows it on demand.
            log.info("weekly digest %s skipped for %s: nothing happened", week.label, ws.ref)
            continue
        # One decision for every workspace: each post names its own.
        ctx.outbox.post(
            ws.admin_channel, await render_digest(ctx.services, digest), workspace=ws.ref
        )
        log.info("weekly digest %s decided for %s", week.label, ws.ref)
