"""The composition root and command line: builds everything from the config (the one module of
`bot/` allowed to import storage, adapters and schedules)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.clock import ManualClock, OffsetClock, SystemClock
from bot.config import Config, ConfigError, load_config
from bot.handlers import COMMAND_HANDLERS, EVENT_HANDLERS
from bot.matching import SimilarIndex, build_taxonomy
from bot.mentor_roster import MentorRoster, RosterSnapshot
from bot.messagebus import MessageBus, Services
from bot.ports import ChatGateway, Clock, UnitOfWorkFactory
from bot.routing import RoutingGateway

__all__ = ["App", "build_app", "cli", "main"]

log = logging.getLogger("micromentor")


@dataclass
class App:
    """Everything a running bot needs, built once."""

    config: Config
    bus: MessageBus
    uow_factory: UnitOfWorkFactory
    chat: RoutingGateway
    clock: Clock
    dispose: Callable[[], Awaitable[None]]


async def build_app(
    config: Config,
    *,
    clock: Clock,
    gateways: dict[str, ChatGateway] | None = None,
    database_url: str | None = None,
    load_similar: bool = True,
) -> App:
    """Migrate the database, open it, load shared state and wire the bus.

    `load_similar=False` leaves the similar-question index empty: the caller fills it with
    :func:`load_similar_index` in the background (`run`), or never needs it (CLI reports).
    """
    from schedules.chart import render_digest_chart
    from storage.engine import create_engine
    from storage.migrate import upgrade
    from storage.uow import make_uow_factory

    url = database_url or config.database_url()
    await upgrade(url)
    engine = create_engine(url)
    uow_factory = make_uow_factory(engine)
    taxonomy = build_taxonomy(config.skills)
    similar = SimilarIndex()
    roster = MentorRoster(ttl_seconds=config.matching.roster_cache_seconds)
    async with uow_factory() as uow:
        for ws in await uow.workspaces.all():
            profiles = await uow.mentors.in_workspace(ws.ref)
            for profile in profiles:
                taxonomy.normalize(profile.skills)
            ratings = await uow.feedback.mentor_ratings(ws.ref)
            roster.prime(ws.ref, RosterSnapshot.of(profiles, ratings))
    if load_similar:
        await load_similar_index(uow_factory, similar)
    chat = RoutingGateway(gateways or {})
    bus = MessageBus(
        uow_factory=uow_factory,
        chat=chat,
        clock=clock,
        config=config,
        services=Services(
            taxonomy=taxonomy,
            similar=similar,
            roster=roster,
            chart=render_digest_chart,
        ),
        handlers=COMMAND_HANDLERS,
        event_handlers=EVENT_HANDLERS,
    )
    return App(
        config=config,
        bus=bus,
        uow_factory=uow_factory,
        chat=chat,
        clock=clock,
        dispose=engine.dispose,
    )


async def load_similar_index(
    uow_factory: UnitOfWorkFactory, index: SimilarIndex, *, chunk: int = 500
) -> None:
    """Index every resolved question, yielding between chunks: at a million questions this takes
    a while, and in the background it must not stall acks (questions resolved meanwhile are added
    by their handlers as usual)."""
    async with uow_factory() as uow:
        workspaces = await uow.workspaces.all()
    for ws in workspaces:
        async with uow_factory() as uow:
            rows = await uow.questions.resolved_texts(ws.ref)
        for i in range(0, len(rows), chunk):
            index.add_many(rows[i : i + chunk])
            await asyncio.sleep(0)
    log.info("similar-question index ready: %d resolved questions", len(index))


# --- console -------------------------------------------------------------------------------------


async def run_console(
    config: Config,
    *,
    script: TextIO | None,
    now: datetime | None = None,
    write: Callable[[str], None] = print,
) -> int:
    """The console: interactive on a terminal, or reading `script` line by line."""
    from adapters.console import ConsoleSession
    from adapters.console import run_console as loop
    from adapters.console.gateway import PLATFORM, ConsoleGateway

    clock: ManualClock = ManualClock(now) if now else OffsetClock()
    gateway = ConsoleGateway(write)
    app = await build_app(console_config(config), clock=clock, gateways={PLATFORM: gateway})
    session = ConsoleSession(bus=app.bus, gateway=gateway, clock=clock, write=write)
    scheduler = None
    try:
        if script is None:
            # Interactive: nudges also fire as real time passes, not only on `clock`.
            from schedules import start_scheduler

            scheduler = start_scheduler(app)
            await loop(session, None, interactive=sys.stdin.isatty())
        else:
            await loop(session, script)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await _dispose(app)
    return 0


ALWAYS = "Mon-Sun 00:00-24:00"


def console_config(config: Config) -> Config:
    """The console plays people with no platform profile: its mentors are available around
    the clock until they set `/mentor hours`, so a script does the same at any time of day."""
    mentors = config.mentors.model_copy(update={"default_hours": ALWAYS})
    return config.model_copy(update={"mentors": mentors})


async def _dispose(app: App) -> None:
    await app.dispose()


# --- command line --------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="micromentor", description="Self-hosted micromentoring bot.")
    p.add_argument("--config", help="path of bot.toml (default: $MICROMENTOR_CONFIG or ./bot.toml)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run", help="start every platform with credentials (else the console) and the scheduler"
    )
    con = sub.add_parser("console", help="the local console")
    con.add_argument("--script", help="read lines from FILE ('-' for standard input)")
    con.add_argument(
        "--now",
        type=_iso_time,
        help="start the console clock at this ISO time (frozen until `clock`)",
    )
    sub.add_parser("demo", help="a scripted tour of every flow in the console")
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    dig = sub.add_parser("digest", help="print a weekly digest")
    dig.add_argument("--week", help="ISO week like 2026-W48 (default: last full week)")
    dig.add_argument("--png", help="also write the chart to this PNG file")
    dig.add_argument("--workspace", help="workspace key (default: all)")
    men = sub.add_parser("mentors", help="mentor roster in and out")
    men_sub = men.add_subparsers(dest="action", required=True)
    imp = men_sub.add_parser("import", help="import mentors from a CSV file")
    imp.add_argument("file")
    men_sub.add_parser("export", help="write the roster as CSV to standard output")
    return p


def _iso_time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time like 2026-11-23T10:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _configure_logging(config: Config) -> None:
    wanted = os.environ.get("MICROMENTOR_LOG_LEVEL", "").strip().upper()
    known = ("DEBUG", "INFO", "WARNING", "ERROR")
    logging.basicConfig(
        level=wanted if wanted in known else config.bot.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if wanted and wanted not in known:
        log.warning(
            "MICROMENTOR_LOG_LEVEL=%r is not one of %s; using %s",
            wanted,
            ", ".join(known),
            config.bot.log_level,
        )
    for noisy in (
        "alembic",
        "aiosqlite",
        "sqlalchemy.engine",
        "apscheduler.executors.default",
        "discord.gateway",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def platforms_configured() -> list[str]:
    """Which platforms have credentials in the environment."""
    found = []
    if os.environ.get("SLACK_BOT_TOKEN") and (
        os.environ.get("SLACK_SIGNING_SECRET") or os.environ.get("SLACK_APP_TOKEN")
    ):
        found.append("slack")
    if os.environ.get("DISCORD_TOKEN"):
        found.append("discord")
    return found


async def run(config: Config) -> int:
    """`micromentor run`: the platforms with credentials plus the scheduler; else the console.

    Runs until SIGINT/SIGTERM or until a platform stops with an error; shuts down cleanly
    (ticks in flight finish, connections close).
    """
    platforms = platforms_configured()
    if not platforms:
        log.info("no platform credentials set: starting the console")
        return await run_console(config, script=None)
    from schedules import start_scheduler

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    _settle_long_lived_objects()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    tasks: list[asyncio.Task[None]] = []
    scheduler = None
    indexing = asyncio.create_task(_index_in_background(app), name="similar-index")
    try:
        if "slack" in platforms:
            from adapters.slack import start_slack

            tasks.append(asyncio.create_task(start_slack(app), name="slack"))
        if "discord" in platforms:
            from adapters.discord import start_discord

            tasks.append(asyncio.create_task(start_discord(app), name="discord"))
        scheduler = start_scheduler(app)
        stopping = asyncio.create_task(stop.wait(), name="stop")
        done, _ = await asyncio.wait([*tasks, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        for t in done:
            failed = None if t is stopping or t.cancelled() else t.exception()
            if failed is not None:
                raise failed
        log.info("shutting down")
    finally:
        if scheduler is not None:
            await scheduler.stop()
        for t in [*tasks, indexing]:
            t.cancel()
        await asyncio.gather(*tasks, indexing, return_exceptions=True)
        await _dispose(app)
    return 0


def _settle_long_lived_objects() -> None:
    """Keep what start-up built out of the cyclic GC, and collect less often, so that full
    collections do not stall acks under load (benchmarks/slack_ack.py: p99 ack latency at 10
    requests in flight went from 149 ms to 54 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


async def _index_in_background(app: App) -> None:
    """Fill the similar-question index while the bot already serves (slow at a million)."""
    try:
        await load_similar_index(app.uow_factory, app.bus.services.similar)
    except Exception:  # the index helps askers; its absence must not stop the bot
        log.exception("could not load the similar-question index; it fills as questions resolve")
        return
    gc.freeze()


async def _db_upgrade(config: Config) -> int:
    from storage.engine import safe_url
    from storage.migrate import upgrade

    await upgrade(config.database_url())
    print(f"database is up to date: {safe_url(config.database_url())}")
    return 0


async def _digest(
    config: Config, *, week: str | None, png: str | None, workspace: str | None
) -> int:
    from schedules.digest_cli import print_digest

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        return await print_digest(
            app, week=week, png=Path(png) if png else None, workspace=workspace
        )
    finally:
        await _dispose(app)


async def _mentors(config: Config, *, action: str, file: str | None) -> int:
    from bot.roster import export_roster, import_roster

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        if action == "import":
            assert file is not None
            return await import_roster(app.bus, app.uow_factory, Path(file), out=print)
        return await export_roster(app.uow_factory, out=sys.stdout)
    finally:
        await _dispose(app)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        config.database_url()  # DATABASE_URL is checked here, before anything opens it
    except ConfigError as e:
        print(f"micromentor: configuration error\n{e}", file=sys.stderr)
        return 2
    _configure_logging(config)
    try:
        if args.command == "run":
            return asyncio.run(run(config))
        if args.command == "console":
            now = args.now
            if args.script in (None, "-"):
                source = sys.stdin if args.script == "-" else None
                return asyncio.run(run_console(config, script=source, now=now))
            with open(args.script, encoding="utf-8") as fh:
                return asyncio.run(run_console(config, script=fh, now=now))
        if args.command == "demo":
            return asyncio.run(_demo(config))
        if args.command == "db":
            return asyncio.run(_db_upgrade(config))
        if args.command == "digest":
            return asyncio.run(
                _digest(config, week=args.week, png=args.png, workspace=args.workspace)
            )
        if args.command == "mentors":
            return asyncio.run(
                _mentors(config, action=args.action, file=getattr(args, "file", None))
            )
    except KeyboardInterrupt:
        return 130
    except OSError as e:
        # A file that can't be read or written (--script, the CSV, --png), a database that
        # doesn't answer: one clear line, not a traceback.
        where = f"{e.filename}: " if e.filename else ""
        if isinstance(e, ConnectionError) and not where:
            where = "could not connect: "
        print(f"micromentor: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except StartupError as e:
        print(f"micromentor: {e}", file=sys.stderr)
        return 2
    return 2


class StartupError(Exception):
    """A problem that stops start-up with a clear message (e.g. a missing channel)."""


async def _demo(config: Config) -> int:
    """Play the console tour (`adapters/console/demo.txt`) on a throw-away database."""
    from adapters.console import ConsoleSession
    from adapters.console.demo import demo_script
    from adapters.console.gateway import PLATFORM, ConsoleGateway

    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(datetime.fromisoformat("2026-11-23T10:00:00+00:00"))
        gateway = ConsoleGateway(print)
        app = await build_app(
            console_config(config),
            clock=clock,
            gateways={PLATFORM: gateway},
            database_url=f"sqlite+aiosqlite:///{tmp}/demo.db",
        )
        session = ConsoleSession(bus=app.bus, gateway=gateway, clock=clock, write=print)
        try:
            await session.setup()
            for line in demo_script().splitlines():
                if line.strip() and not line.startswith("#"):
                    print(f"\n> {line}")
                await session.feed(line)
        finally:
            await _dispose(app)
    return 0


def cli() -> None:
    """Entry point of the `micromentor` console script."""
    sys.exit(main())
