"""`micromentor digest`: print a workspace's weekly digest and optionally write its chart."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from bot.config import Config
from bot.digest.chart import ChartUnavailable, render_digest_chart
from bot.digest.figures import IsoWeek, digest_message
from bot.digest.handler import load_digest, workspace_timezone
from bot.domain import Workspace
from bot.matching import build_taxonomy
from bot.ports import UnitOfWorkFactory
from bot.refs import ChannelRef, WorkspaceRef

__all__ = ["print_digest"]

_NOBODY_YET = Workspace(
    ref=WorkspaceRef("none", "none"),
    mentoring_channel=ChannelRef("none", "none"),
    admin_channel=ChannelRef("none", "none"),
    name="no workspace yet",
)


def _chart_path(png: Path, workspace_id: str, several: bool) -> Path:
    return png.with_name(f"{png.stem}-{workspace_id}{png.suffix or '.png'}") if several else png


def _not_found(wanted: str, workspaces: list[Workspace]) -> str:
    """No workspace has that key, id or name: say which there are."""
    if not workspaces:
        return f"no workspace named {wanted!r} (no workspace has been set up yet)"
    there = ", ".join(
        f"{ws.name} ({ws.ref.key()})" if ws.name else ws.ref.key() for ws in workspaces
    )
    return f"no workspace named {wanted!r}; give one of: {there}"


async def print_digest(
    *,
    uow_factory: UnitOfWorkFactory,
    config: Config,
    now: datetime,
    week: str | None,
    png: Path | None,
    workspace: str | None,
) -> int:
    """Print the digest of `week` (default: the last full week) for each workspace; 0 on success."""
    related = build_taxonomy(config.skills).related
    async with uow_factory(read_only=True) as uow:
        every = await uow.workspaces.all()
        workspaces = every
        if workspace:
            workspaces = [ws for ws in every if workspace in (ws.ref.key(), ws.ref.id, ws.name)]
        if not workspaces and workspace:  # a usage error, as a wrong --week
            print(f"micromentor: digest: {_not_found(workspace, every)}", file=sys.stderr)
            return 2
        nobody_yet = not workspaces
        if nobody_yet:  # an honest, empty digest rather than an error (said once --week is good)
            workspaces = [_NOBODY_YET]
        weeks: list[IsoWeek] = []
        for ws in workspaces:  # every week checked before any digest is printed
            current = IsoWeek.containing(now, workspace_timezone(ws, config))
            try:
                wanted = IsoWeek.parse(week) if week else current.previous()
            except ValueError as e:
                print(f"micromentor: digest: {e}", file=sys.stderr)
                return 2
            if wanted > current:  # as `/mentoradmin digest` says it in chat
                print(
                    f"micromentor: digest: {wanted.label} hasn't started yet; the latest week is "
                    f"{current.label}",
                    file=sys.stderr,
                )
                return 2
            weeks.append(wanted)
        if nobody_yet:
            print(
                "micromentor: digest: no workspace has been set up yet; the digest is empty",
                file=sys.stderr,
            )
        elif not week:
            # Chat's `/mentoradmin digest` and the dashboard show this week so far: an admin
            # comparing them is told why these figures differ, and how to see that week here.
            print(
                f"micromentor: digest: {_which_week(weeks, now, workspaces, config)}",
                file=sys.stderr,
            )
        for ws, wanted in zip(workspaces, weeks, strict=True):
            digest = await load_digest(uow, config, ws, wanted, now=now, related=related)
            print(f"== {ws.name or ws.ref.key()} ==")
            print(
                digest_message(digest, another_week="`micromentor digest --week YYYY-Www`").plain()
            )
            if png is not None:
                path = _chart_path(png, ws.ref.id, len(workspaces) > 1)
                try:
                    drawn = render_digest_chart(digest)
                except ChartUnavailable as missing:
                    print(f"micromentor: digest: no chart written: {missing}", file=sys.stderr)
                    return 1
                path.write_bytes(drawn)
                # On stderr: standard output is the digest itself (`> digest.txt`).
                print(f"micromentor: digest: chart written to {path}", file=sys.stderr)
    return 0


def _which_week(
    weeks: list[IsoWeek], now: datetime, workspaces: list[Workspace], config: Config
) -> str:
    """Which week a digest without ``--week`` shows: each workspace's last full week, in its
    own timezone (near Monday's midnight, two workspaces may be a week apart)."""
    labels = sorted({w.label for w in weeks})
    if len(labels) > 1:
        return (
            f"each workspace's last full week in its timezone ({' or '.join(labels)}), as the "
            "weekly post has it; `--week YYYY-Www` for another"
        )
    this_week = IsoWeek.containing(now, workspace_timezone(workspaces[0], config))
    return (
        f"the last full week, {labels[0]}, as the weekly post has it; `--week {this_week.label}` "
        "for this week so far"
    )
