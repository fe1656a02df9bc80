"""The commands that run the bot: `run`, `console`, `demo` and `check`."""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import typer

from bot.cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    CliCommand,
    cli_app,
    config,
    fail,
    iso_time,
    run_async,
)
from bot.clock import ManualClock
from bot.config import Config, defaults_note
from bot.errors import StartupError
from bot.logs import quiet_for_console
from bot.main import build_app, console_config, listen_address, run, run_console

__all__ = ["check_command", "console_command", "demo_command", "run_command"]


@cli_app.command("run", cls=CliCommand)
def run_command() -> int:
    """Start every platform with credentials, the workers, the scheduler and the HTTP port
    (PORT: /healthz, /readyz, /metrics). With no platform variable set at all: the console."""
    return run_async(run(config()))


@cli_app.command("console", cls=CliCommand)
def console_command(
    script: Annotated[
        str | None,
        typer.Option("--script", metavar="FILE", help="Read lines from FILE ('-': stdin)."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="TIME",
            help="Start the console clock at this ISO time (frozen until `clock`).",
        ),
    ] = None,
) -> int:
    """The local console: play several users in a terminal (its own console.db)."""
    start = iso_time(now)
    cfg = config()
    quiet_for_console(cfg)
    if script in (None, "-"):
        source = sys.stdin if script == "-" else None
        return run_async(run_console(cfg, script=source, now=start))
    try:
        fh = open(script, encoding="utf-8")
    except OSError as e:
        raise fail(f"{e.filename}: {e.strerror}", EXIT_FAILURE) from None
    with fh:
        return run_async(run_console(cfg, script=fh, now=start))


@cli_app.command("demo", cls=CliCommand)
def demo_command() -> int:
    """A scripted tour of every flow in the console, on a throw-away database."""
    cfg = config()
    quiet_for_console(cfg)
    return run_async(_demo(cfg))


@cli_app.command("check", cls=CliCommand)
def check_command() -> int:
    """Check the configuration, the platform tokens and scopes, the channels, the database and
    the optional language model: one line per problem; exit 1 when there is any. Changes
    nothing."""
    return run_async(_check(config(warn_defaults=False)))


async def _check(cfg: Config) -> int:
    """Each part checks itself (storage, every configured platform's adapter, the model)."""
    from adapters.llm.check import check_llm, llm_state
    from bot.platforms import NOTE, configured, credential_problems
    from storage.migrate import check_database

    problems = [f"credentials: {p}" for p in credential_problems()]
    if not problems and not configured():
        # `run` would quietly start the console: under Docker or systemd, a forgotten .env.
        problems.append(
            "no platform credentials set: `micromentor run` would open the local console, not "
            "Slack or Discord (set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, "
            "or DISCORD_TOKEN)"
        )
    try:
        listen_address(dict(os.environ))
    except StartupError as e:
        problems.append(str(e))
    problems += await check_database(cfg.database_url())
    for platform in configured():
        if any(p.startswith(f"credentials: {platform.name}:") for p in problems):
            continue  # said already; its token as set would only be refused
        checker = _starter(platform.check)
        try:
            problems += await checker(cfg)
        except StartupError as e:  # a setting the adapter cannot even read
            problems.append(str(e))
    model_problems = await check_llm()
    problems += model_problems
    note = defaults_note(cfg)
    if note:  # not a problem: a first try runs without a bot.toml
        typer.echo(f"micromentor check: note: {note}")
    for warning in [p for p in problems if p.startswith(NOTE)]:  # said, not failing
        typer.echo(f"micromentor check: {warning}", err=True)
    problems = [p for p in problems if not p.startswith(NOTE)]
    for p in problems:
        typer.echo(f"micromentor check: {p}", err=True)
    if not model_problems:  # optional, so its state is said either way
        typer.echo(f"micromentor check: {llm_state()}")
    if not problems:
        typer.echo(
            "micromentor check: configuration, credentials, channels and database are usable"
        )
    return EXIT_FAILURE if problems else EXIT_OK


def _starter(path: str) -> Callable[[Config], Awaitable[list[str]]]:
    module, _, name = path.partition(":")
    found: Callable[[Config], Awaitable[list[str]]] = getattr(importlib.import_module(module), name)
    return found


async def _demo(cfg: Config) -> int:
    """Play the console tour (`adapters/console/demo.txt`) on a throw-away database."""
    from adapters.console import ConsoleSession
    from adapters.console.demo import demo_script
    from adapters.console.gateway import PLATFORM, ConsoleGateway

    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(datetime.fromisoformat("2026-11-23T10:00:00+00:00"))
        gateway = ConsoleGateway(print)
        app = await build_app(
            console_config(cfg),
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
