"""The command line (`micromentor`, `python -m bot`): parses arguments, loads the config, runs
what was asked. Part of the composition root with `bot.main`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ManualClock, SystemClock
from bot.config import Config, ConfigError, load_config
from bot.errors import StartupError
from bot.main import build_app, console_config, run, run_console
from bot.mentors.roster_csv import EmailLookup

__all__ = ["cli", "main"]

log = logging.getLogger("micromentor")


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
    exp = men_sub.add_parser("export", help="write the roster as CSV to standard output")
    exp.add_argument("--workspace", help="only this workspace, e.g. slack:T0123 (default: all)")
    dash = sub.add_parser("dashboard", help="serve the admin web dashboard")
    dash.add_argument("--port", type=int, default=3001, help="HTTP port (default 3001)")
    dash.add_argument("--link", metavar="ADMIN_ID", help="print a one-time sign-in link and exit")
    ppl = sub.add_parser("people", help="one person's data: export or erase")
    ppl_sub = ppl.add_subparsers(dest="action", required=True)
    ppl_sub.add_parser("export", help="write everything stored about ID as JSON").add_argument("id")
    pdel = ppl_sub.add_parser("delete", help="erase ID's name, texts and comments")
    pdel.add_argument("id")
    pdel.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return p


def _iso_time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a time like 2026-11-23T10:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# These print request and response bodies at DEBUG (question text, an anonymous asker's id):
# they stay at WARNING whatever MICROMENTOR_LOG_LEVEL says.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "discord.http", "discord.client", "discord.webhook")


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
        *PAYLOAD_LOGGERS,
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def _db_upgrade(config: Config) -> int:
    from storage.engine import safe_url
    from storage.migrate import upgrade

    await upgrade(config.database_url())
    print(f"database is up to date: {safe_url(config.database_url())}")
    return 0


async def _digest(
    config: Config, *, week: str | None, png: str | None, workspace: str | None
) -> int:
    from bot.digest.report import print_digest

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        return await print_digest(
            uow_factory=app.uow_factory,
            config=config,
            now=app.clock.now(),
            week=week,
            png=Path(png) if png else None,
            workspace=workspace,
        )
    finally:
        await app.dispose()


async def _mentors(
    config: Config, *, action: str, file: str | None, workspace: str | None = None
) -> int:
    from bot.mentors.roster_csv import export_roster, import_roster

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        if action == "import":
            assert file is not None
            return await import_roster(
                app.bus,
                app.uow_factory,
                Path(file),
                out=print,
                by_email=_slack_email_lookup(),
                progress=sys.stderr.isatty(),
            )
        return await export_roster(
            app.uow_factory, out=sys.stdout, workspace=workspace, now=app.clock.now()
        )
    finally:
        await app.dispose()


async def _dashboard(config: Config, *, port: int, link: str | None) -> int:
    from adapters.dashboard.cli import print_signin_link, serve_dashboard

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        if link:
            return await print_signin_link(app, link, port=port)
        print(f"dashboard: http://localhost:{port}/admin (sign in with a link)", file=sys.stderr)
        return await serve_dashboard(app, port=port)
    finally:
        await app.dispose()


async def _people(config: Config, *, action: str, person: str, yes: bool) -> int:
    from bot.privacy.people_cli import delete_person, export_person

    app = await build_app(config, clock=SystemClock(), load_similar=False)
    try:
        if action == "export":
            return await export_person(app, person)

        def confirm(question: str) -> bool:
            return yes or input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

        return await delete_person(app, person, confirm=confirm)
    finally:
        await app.dispose()


def _slack_email_lookup() -> EmailLookup | None:
    """users.lookupByEmail for roster rows with an e-mail, when a Slack bot token is set."""
    token = os.environ.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    from slack_sdk.web.async_client import AsyncWebClient

    from adapters.slack.users import email_lookup

    base = os.environ.get("SLACK_API_URL") or "https://slack.com/api/"
    return email_lookup(AsyncWebClient(token=token, base_url=base))


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
            deliver_now=True,
        )
        session = ConsoleSession(app=app, gateway=gateway, clock=clock, write=print)
        try:
            await session.setup()
            for line in demo_script().splitlines():
                if line.strip() and not line.startswith("#"):
                    print(f"\n> {line}")
                await session.feed(line)
        finally:
            await app.dispose()
    return 0


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
                _mentors(
                    config,
                    action=args.action,
                    file=getattr(args, "file", None),
                    workspace=getattr(args, "workspace", None),
                )
            )
        if args.command == "dashboard":
            return asyncio.run(_dashboard(config, port=args.port, link=args.link))
        if args.command == "people":
            return asyncio.run(
                _people(config, action=args.action, person=args.id, yes=getattr(args, "yes", False))
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


def cli() -> None:
    """Entry point of the `micromentor` console script."""
    sys.exit(main())
