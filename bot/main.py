"""The composition root: builds the app from the config and runs it (with `bot.cli`, the only
modules of `bot/` allowed to import storage, adapters and the scheduler; nothing imports them)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import logging
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from bot.app import App
from bot.clock import ManualClock, OffsetClock, SystemClock
from bot.config import Config
from bot.errors import StartupError
from bot.events import Event
from bot.handlers import EVENT_HANDLERS
from bot.learning.suggestions import LlmSuggester
from bot.lightning.card_gateway import LightningCardGateway
from bot.matching import (
    LearnedExpertise,
    SimilarIndexes,
    Taxonomy,
    TopicClassifier,
    build_taxonomy,
    warm_up,
)
from bot.mentors.roster_cache import MentorRoster, RosterSnapshot
from bot.messagebus import EventHandler, Services
from bot.metrics import Metrics, NullMetrics, metric_handlers
from bot.platforms import Platform, configured, credential_problems
from bot.ports import ChatGateway, Clock, Suggester, UnitOfWorkFactory
from bot.recognition.kudos_gateway import KudosCardGateway
from bot.refs import WorkspaceRef
from bot.routing import RoutingGateway
from bot.runtime import build_runtime

__all__ = [
    "WEB_ROUTES",
    "build_app",
    "console_config",
    "console_database_setting",
    "console_database_url",
    "llm_suggester",
    "load_similar_index",
    "run",
    "run_console",
]

log = logging.getLogger("micromentor")

# How long a shutdown waits for inputs being received to be stored before closing the inbox.
INPUT_GRACE_SECONDS = 2.0


async def build_app(
    config: Config,
    *,
    clock: Clock,
    gateways: dict[str, ChatGateway] | None = None,
    database_url: str | None = None,
    load_similar: bool = True,
    deliver_now: bool = False,
    migrate: bool = True,
    metrics: Metrics | None = None,
) -> App:
    """Migrate the database, open it, load shared state and wire the bus and its workers.

    `load_similar=False` leaves the similar-question index empty: the caller fills it with
    :func:`load_similar_index` in the background (`run`), or never needs it (CLI reports).
    `deliver_now` processes inputs and delivers messages within the call that caused them
    (the console and tests); otherwise workers do, started by :meth:`App.runtime.run`.
    `migrate=False` (read-only commands) refuses a schema that is behind instead of upgrading.
    `metrics` (``run``) counts questions and times claims and resolutions.
    """
    from bot.digest.chart import render_digest_chart
    from storage.engine import create_engine
    from storage.migrate import schema_behind, upgrade
    from storage.ops import ping
    from storage.uow import make_uow_factory

    url = database_url or config.database_url()
    if migrate:
        await upgrade(url)
    elif problem := await schema_behind(url):
        raise StartupError(problem)
    engine = create_engine(url)
    uow_factory = make_uow_factory(engine)
    taxonomy = build_taxonomy(config.skills)
    similar: SimilarIndexes[WorkspaceRef] = SimilarIndexes()
    roster = MentorRoster(ttl_seconds=config.matching.roster_cache_seconds)
    learned = LearnedExpertise()
    async with uow_factory(read_only=True) as uow:
        for ws in await uow.workspaces.all():
            learned.teach_many(
                ws.ref,
                await uow.topic_choices.lessons(
                    ws.ref, min_rating=config.matching.learn_min_rating
                ),
            )
            profiles = await uow.mentors.in_workspace(ws.ref)
            for profile in profiles:
                taxonomy.normalize(profile.skills)
            ratings = await uow.feedback.mentor_ratings(ws.ref)
            roster.prime(ws.ref, RosterSnapshot.of(profiles, ratings))
    if load_similar:
        await load_similar_index(uow_factory, similar)
    chat = RoutingGateway(gateways or {})
    event_handlers: dict[type[Event], Sequence[EventHandler]] = dict(EVENT_HANDLERS)
    if metrics is not None:
        for kind, observers in metric_handlers(metrics).items():
            event_handlers[kind] = [*event_handlers.get(kind, ()), *observers]
    runtime = build_runtime(
        uow_factory=uow_factory,
        # Lightning cards are edited in place as people sign up (the deliverer edits only
        # question cards): see bot.lightning.cards. A public kudos is redrawn in place when its
        # giver or receiver is forgotten: see bot.recognition.kudos_gateway.
        chat=KudosCardGateway(
            LightningCardGateway(chat, uow_factory=uow_factory), uow_factory=uow_factory
        ),
        clock=clock,
        config=config,
        services=Services(
            taxonomy=taxonomy,
            similar=similar,
            roster=roster,
            chart=render_digest_chart,
            learned=learned,
            classifier=topic_classifier(config, taxonomy),
            suggester=llm_suggester(config),
        ),
        deliver_now=deliver_now,
        event_handlers=event_handlers,
    )
    return App(
        config=config,
        runtime=runtime,
        uow_factory=uow_factory,
        chat=chat,
        clock=clock,
        dispose=engine.dispose,
        metrics=metrics or NullMetrics(),
        ping=lambda: ping(engine),
        engine=engine,
    )


def topic_classifier(config: Config, taxonomy: Taxonomy) -> TopicClassifier | None:
    """The model that reads questions when ``MICROMENTOR_LLM_URL`` is set; None: offline."""
    from adapters.llm.openai_compat import LlmSettings
    from adapters.llm.topics import ModelClassifier

    settings = LlmSettings.from_env()
    if settings is None:
        return None
    return ModelClassifier(
        settings,
        taxonomy,
        timeout=config.matching.model_timeout_seconds,
        threshold=config.matching.topic_threshold,
    )


def llm_suggester(config: Config) -> Suggester | None:
    """The language-model suggester when ``MICROMENTOR_LLM_URL`` is set (else None: offline)."""
    from adapters.llm.openai_compat import LlmSettings, complete

    settings = LlmSettings.from_env()
    if settings is None:
        return None
    timeout = config.followup.llm_timeout_seconds
    log.info("next-step suggestions from a language model (MICROMENTOR_LLM_URL is set)")

    async def ask(messages: list[dict[str, str]]) -> str:
        return await complete(settings, messages, timeout=timeout)

    return LlmSuggester(ask)


async def load_similar_index(
    uow_factory: UnitOfWorkFactory,
    indexes: SimilarIndexes[WorkspaceRef],
    *,
    chunk: int = 100,
    page: int = 2000,
) -> None:
    """Index every resolved question, read a page at a time and indexed a chunk at a time with
    a turn of the event loop in between: at a million questions this takes a while, and in the
    background it must not stall acks (a chunk is ~8 ms; a page's rows ~4 ms to convert).
    Questions resolved meanwhile are added by their handlers as usual."""
    async with uow_factory(read_only=True) as uow:
        workspaces = await uow.workspaces.all()
    for ws in workspaces:
        after = 0
        while True:
            async with uow_factory(read_only=True) as uow:
                rows = await uow.questions.resolved_texts(ws.ref, after=after, limit=page)
            for i in range(0, len(rows), chunk):
                indexes.of(ws.ref).add_many(rows[i : i + chunk])
                await asyncio.sleep(0)
            if len(rows) < page:
                break
            after = rows[-1][0]
    log.info("similar-question index ready: %d resolved questions", len(indexes))


# --- console -------------------------------------------------------------------------------------

ALWAYS = "Mon-Sun 00:00-24:00"


def console_config(config: Config) -> Config:
    """The console plays people with no platform profile: its mentors are available around
    the clock until they set `/mentor hours`, so a script does the same at any time of day. (The
    console user `admin` is the console's admin in every process: `bot.actors.listed_admin`.)"""
    mentors = config.mentors.model_copy(update={"default_hours": ALWAYS})
    return config.model_copy(update={"mentors": mentors})


def _input_is_nothing() -> bool:
    """Standard input is /dev/null (or another device that is no terminal), as a service manager
    gives it: there is nobody to type to the console. A pipe or a file is a script."""
    import os
    import stat
    import sys

    try:
        fd = sys.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return False  # not a file (an embedding program's stand-in): can't tell, so read it
    return stat.S_ISCHR(mode) and not os.isatty(fd)


def console_database_url(config: Config) -> str:
    """`DATABASE_URL` when set; else ``console.db`` beside the config, never the production
    database (a try-out must not leave a console workspace there)."""
    import os

    if os.environ.get("DATABASE_URL"):
        return config.database_url()
    folder = config.path.parent if config.path is not None else None
    file = (folder / "console.db") if folder is not None else "console.db"
    return f"sqlite+aiosqlite:///{file}"


def console_database_setting(config: Config, url: str) -> str | None:
    """``DATABASE_URL=sqlite:///…/console.db``: what points another command at the console's
    database `url`. None when the other commands open that database by default (DATABASE_URL
    set for both), or for a server's URL (it may hold a password: not for a chat message)."""
    import shlex
    from pathlib import Path

    from sqlalchemy.engine import make_url

    if url == config.database_url():
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return "DATABASE_URL=" + shlex.quote(f"sqlite:///{Path(parsed.database).resolve()}")


async def _not_a_served_database(url: str, console: str) -> None:
    """The console plays made-up people in a workspace of its own: on a database that serves
    Slack or Discord workspaces (`DATABASE_URL` left set to production's) they would join the
    real ones' figures and its workspace get a weekly digest. Refused before anything is
    written, the schema too (an upgrade there would be production's, at a try-out's moment)."""
    import os

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from storage.engine import create_engine

    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and not await asyncio.to_thread(os.path.isfile, parsed.database or ""):
        return  # a new file (console.db's first run): nothing served there
    engine = create_engine(url)

    def keys(sync: sa.Connection) -> list[str]:
        if not sa.inspect(sync).has_table("workspace"):
            return []
        return [str(k) for (k,) in sync.execute(sa.text("SELECT key FROM workspace"))]

    try:
        async with engine.connect() as conn:
            found = await conn.run_sync(keys)
    except Exception:  # a database that can't be read: `build_app` says why, in its words
        return
    finally:
        await engine.dispose()
    served = sorted({key.partition(":")[0] for key in found} - {console})
    if served:
        raise StartupError(
            "the console won't run on this database: it serves "
            f"{' and '.join(p.title() for p in served)} workspaces (DATABASE_URL is set to it), "
            "and the console's made-up people and questions would join theirs. Unset "
            "DATABASE_URL to play on console.db beside bot.toml, or set it to a database of "
            "its own."
        )


async def run_console(
    config: Config,
    *,
    script: TextIO | None,
    now: datetime | None = None,
    write: Callable[[str], None] = print,
    database_url: str | None = None,
) -> int:
    """The console: interactive on a terminal, or reading `script` line by line."""
    from adapters.console import ConsoleSession
    from adapters.console import run_console as loop
    from adapters.console.gateway import PLATFORM, ConsoleGateway

    clock: ManualClock = ManualClock(now) if now else OffsetClock()
    gateway = ConsoleGateway(write)
    url = database_url or console_database_url(config)
    await _not_a_served_database(url, PLATFORM)
    app = await build_app(
        console_config(config),
        clock=clock,
        gateways={PLATFORM: gateway},
        database_url=url,
        deliver_now=True,
    )
    # Sign-in links are checked by `micromentor dashboard` on real time, not the console's.
    app.bus.services.credential_clock = SystemClock()
    # The console serves no dashboard: its links name the command that does, on its database.
    setting = console_database_setting(config, url)
    app.bus.services.dashboard_command = f"{setting} micromentor dashboard" if setting else None
    session = ConsoleSession(app=app, gateway=gateway, clock=clock, write=write)
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
        await app.dispose()
    return 0


# --- run -----------------------------------------------------------------------------------------


def _starter(path: str) -> Callable[[App], Any]:
    """The function at ``module:function`` (a platform's start, a page's routes)."""
    module, _, name = path.partition(":")
    found: Callable[[App], Any] = getattr(importlib.import_module(module), name)
    return found


# Extra pages on the HTTP port: ``module:function`` of ``def routes(app: App) -> list[route]``
# (Starlette routes, e.g. ``[Mount("/admin", ...)]``), added before the platforms start.
WEB_ROUTES: list[str] = ["adapters.dashboard:dashboard_routes"]


def listen_host(env: Mapping[str, str]) -> str:
    """The address to listen on: ``HOST``, else every interface (``0.0.0.0``, as a container
    needs); `run` and `micromentor dashboard` alike."""
    return (env.get("HOST") or "").strip() or "0.0.0.0"


def listen_address(env: dict[str, str]) -> tuple[str, int]:
    raw = (env.get("PORT") or "3000").strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise StartupError(f"PORT={raw!r} is not a port number (0-65535)")
    return listen_host(env), int(raw)


async def run(config: Config, *, web_routes: Sequence[str] = ()) -> int:
    """`micromentor run`: the platforms with credentials, the workers, the scheduler and the
    HTTP port (``PORT``: /healthz, /readyz, /metrics and the platforms' and `web_routes`'
    pages); with no platform variable set at all, the console.

    Runs until SIGINT/SIGTERM or until a platform stops with an error. Shutting down, it stops
    taking input first, then lets work in flight finish for ``[flow] shutdown_seconds`` and
    hands the rest back (its leases released) for the next start; exit status 0.
    """
    from storage.process_lock import hold_database

    problems = credential_problems()
    if problems:
        raise StartupError(
            "platform credentials to fix: "
            + "; ".join(problems)
            + ". Fix them (README: Run it in Slack / Discord), or unset them all to try the "
            "console."
        )
    platforms = configured()
    if platforms:  # the database is held by `_run` once the tokens are known good
        return await _run(config, platforms, web_routes=web_routes)
    # One `run` per SQLite file, held until this process ends (the OS releases it on a crash);
    # a console refused below for want of input holds nothing.
    held = None if _input_is_nothing() else hold_database(console_database_url(config))
    try:
        return await _run(config, platforms, web_routes=web_routes)
    finally:
        if held is not None:
            held.close()


async def verify_credentials(platforms: Sequence[Platform]) -> None:
    """Ask each platform whether it takes its token (Slack's auth.test, Discord's login): a
    StartupError when one refuses it (exit 2) or can't be reached (exit 1). The adapters ask
    again when they start; this only moves the refusal before anything else."""
    for platform in platforms:
        verify = _VERIFY.get(platform.name)
        if verify is not None:
            await verify()


async def _verify_slack() -> None:
    import aiohttp
    from slack_sdk.errors import SlackApiError

    from adapters.slack.runtime import SlackSettings, auth_refused, unreachable, web_client

    settings = SlackSettings.from_env()
    async with aiohttp.ClientSession() as session:
        try:
            await web_client(settings, session=session).auth_test()
        except SlackApiError as e:
            raise auth_refused(e) from None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise StartupError(unreachable(settings.api_url, e), code=1) from None


async def _verify_discord() -> None:
    from discord.http import Route

    from adapters.discord.startup import DiscordSettings

    settings = DiscordSettings.from_env()
    old_base = Route.BASE
    Route.BASE = settings.api_base_url
    try:
        await _discord_login(settings.token, settings.api_base_url)
    finally:
        Route.BASE = old_base


async def _discord_login(token: str, api_base_url: str) -> None:
    import aiohttp
    import discord

    # A REST login only (GET /users/@me): no gateway connection, so no intents are used.
    client = discord.Client(intents=discord.Intents(guilds=True))
    try:
        await client.login(token)
    except discord.LoginFailure:
        raise StartupError(
            "Discord: DISCORD_TOKEN was refused (401 Unauthorized); copy the bot token "
            "again from the Developer Portal (Bot → Reset Token)"
        ) from None
    except discord.HTTPException as e:
        raise StartupError(
            f"Discord: could not log in ({e.status} {e.text or type(e).__name__})", code=1
        ) from None
    except (aiohttp.ClientError, TimeoutError) as e:
        raise StartupError(
            f"Discord: cannot reach {api_base_url} ({type(e).__name__})", code=1
        ) from None
    finally:
        await client.close()


# The platforms whose token can be asked about before start-up (multi-workspace Slack has
# none: each installation's token is checked as its workspace is served).
_VERIFY: dict[str, Callable[[], Any]] = {"slack": _verify_slack, "discord": _verify_discord}


async def _run(config: Config, platforms: list[Platform], *, web_routes: Sequence[str]) -> int:
    import os

    if not platforms:
        if _input_is_nothing():
            # A service (Docker, systemd) with its .env forgotten: a console would read nothing,
            # end at once (exit 0, so it looks fine) and leave a console workspace in the
            # service's database. Refuse, as for any configuration error (exit 2).
            raise StartupError(
                "no platform credentials set (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or "
                "SLACK_APP_TOKEN; or DISCORD_TOKEN), and no terminal or script for the console "
                "to read. Set the platform's variables (README: Run it in Slack / Discord), or "
                "run `micromentor run` in a terminal to try the console."
            )
        where = "the one DATABASE_URL names" if os.environ.get("DATABASE_URL") else "console.db"
        log.info(
            "no Slack or Discord credentials set: starting the local console (database: %s)",
            where,
        )
        from bot.logs import quiet_for_console

        quiet_for_console(config)
        return await run_console(config, script=None)
    from adapters.web import bind, ops_app, serve_web
    from adapters.web.metrics import PrometheusMetrics, Snapshot
    from schedules import start_scheduler
    from storage.migrate import check_sqlite_folder, database_answers
    from storage.ops import backlog, question_counts
    from storage.process_lock import hold_database

    host, port = listen_address(dict(os.environ))
    # A SQLite path that can't be used is said first; the file's lock (one `run` per SQLite
    # file) is taken once the tokens are known good (below).
    check_sqlite_folder(config.database_url())
    sock = bind(host, port)  # a busy port stops start-up before anything else is opened
    metrics = PrometheusMetrics()
    held = None
    try:
        # A database that can't be reached, then a token the platform refuses: said before
        # the schema is migrated and before any worker or scheduled job runs, so a run that
        # ends as a configuration error has changed nothing (and left no file beside it).
        await database_answers(config.database_url())
        await verify_credentials(platforms)
        # Held until this process ends (the OS releases it on a crash).
        held = hold_database(config.database_url())
        app = await build_app(config, clock=SystemClock(), load_similar=False, metrics=metrics)
    except BaseException:
        sock.close()
        if held is not None:
            held.close()
        raise
    snapshot = Snapshot()
    metrics.add_snapshot(snapshot)

    async def refresh() -> None:
        snapshot.questions = await question_counts(app.engine)
        snapshot.queues = [
            (b.queue, b.states, b.oldest_due_seconds)
            for b in await backlog(app.engine, now=app.clock.now())
        ]

    for platform in platforms:
        app.web.expect(platform.name)
    for path in [*WEB_ROUTES, *web_routes]:
        app.web.add_routes(*_starter(path)(app))
    assert app.ping is not None
    asgi = ops_app(app.web, ping=app.ping, registry=metrics.registry, refresh=refresh)
    warm_up(app.bus.services.taxonomy)  # before serving: the first ask's decision stays short
    _settle_long_lived_objects()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    inputs: list[asyncio.Task[None]] = []
    workers = app.runtime.start()
    indexing = asyncio.create_task(_index_in_background(app), name="similar-index")
    scheduler = None
    try:
        inputs.append(asyncio.create_task(serve_web(asgi, sock), name="http"))
        bound = sock.getsockname()
        app.bus.services.web_port = bound[1]  # sign-in links lead to this port's dashboard
        log.info(
            "HTTP port %s:%d: /healthz, /readyz, /metrics%s",
            bound[0],
            bound[1],
            "".join(
                f", {getattr(r, 'path', '')}" for r in app.web.routes if getattr(r, "path", "")
            ),
        )
        for platform in platforms:
            inputs.append(asyncio.create_task(_starter(platform.start)(app), name=platform.name))
        scheduler = start_scheduler(app)
        stopping = asyncio.create_task(stop.wait(), name="stop")
        done, _ = await asyncio.wait(
            [*inputs, stopping, workers], return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        for t in done:
            failed = None if t is stopping or t.cancelled() else t.exception()
            if failed is not None:
                raise failed
        log.info("shutting down")
    finally:
        # Steps 1 to 3 share `[flow] shutdown_seconds` (default 8: with closing, under 10 s).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + config.flow.shutdown_seconds
        # 1. No new input: each platform stops listening (the HTTP server lets requests in
        # flight finish storing their input; Discord keeps its client until step 3 is done).
        for t in inputs:
            t.cancel()
        await asyncio.wait([*inputs], timeout=INPUT_GRACE_SECONDS) if inputs else None
        # 2. Anything still arriving is refused (and not acknowledged); no new ticks.
        app.inbox.close()
        if scheduler is not None:
            await scheduler.stop(grace=max(deadline - loop.time(), 0.0) / 2)
        # 3. Finish what is in flight, or hand its lease back, while clients are still open.
        await app.runtime.shutdown(grace=max(deadline - loop.time(), 0.0))
        # 4. Close the clients and websockets.
        indexing.cancel()
        await asyncio.gather(*inputs, indexing, return_exceptions=True)
        await app.chat.aclose()
        await app.dispose()
        sock.close()
        if held is not None:
            held.close()
    log.info("stopped")
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
