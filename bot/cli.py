"""The command line (`micromentor`, `python -m bot`), built with Typer: parses arguments, loads
the config, runs what was asked. Part of the composition root with `bot.main`.

Exit codes: 0 ok · 1 failure (a file or the database could not be used, a check failed) ·
2 usage or configuration error (unknown option, bad bot.toml or DATABASE_URL, missing
credentials, refused rows, a database newer than this release). Errors go to standard error,
one line each; results to standard output.

Adding a command: a function decorated with ``@cli_app.command("name", cls=_Command)`` (or a
group: ``group = typer.Typer(cls=_Group, help=...)`` then ``cli_app.add_typer(group,
name="people")``; the classes keep Typer's type placeholders out of the help). Inside it,
:func:`config` is the loaded configuration and :func:`run_async` runs a coroutine with the
errors above turned into one line and an exit code.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import importlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from bot.clock import ManualClock, SystemClock
from bot.config import Config, ConfigError, defaults_note, load_config, unknown_variables
from bot.errors import StartupError
from bot.logs import PAYLOAD_LOGGERS, configure_logging, quiet_for_console
from bot.main import (
    build_app,
    console_config,
    listen_address,
    listen_host,
    run,
    run_console,
)
from bot.mentors.roster_csv import EmailLookup
from bot.privacy.signin import DASHBOARD_PORT

__all__ = ["PAYLOAD_LOGGERS", "cli", "cli_app", "config", "main", "progress", "run_async"]

try:  # Typer 0.2x carries its own Click
    from typer._click import Context as _ClickContext
    from typer._click import Parameter as _Parameter
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover - an older Typer on plain Click
    from click import Context as _ClickContext  # type: ignore[assignment]
    from click import Parameter as _Parameter  # type: ignore[assignment]
    from click import exceptions as _click_errors  # type: ignore[no-redef]

log = logging.getLogger("micromentor")

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a Unix tool killed by it ends with (`| head -1`)


# Typer's help prints each parameter's Python type as a placeholder: `--yes <bool>`,
# `FILE <str>`. Ours reads as written: a flag shows none, an option its metavar (FILE, PORT,
# WEEK), an argument its name only. Every command and group is made with these classes.
class _NamedArgument(TyperArgument):
    def display_type_rich(self, ctx: _ClickContext) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        """The usage line as Click writes it: `ID` when required (Typer 0.2x writes `{ID}`),
        `[ID]` when optional, `FILE...` for several."""
        name = self.metavar or (self.name or "").upper()
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name


def _without_type_placeholders(params: list[_Parameter]) -> list[_Parameter]:
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""  # --help and --version come without one
        elif isinstance(param, TyperArgument):
            param.__class__ = _NamedArgument  # display only; parsing is TyperArgument's
    return params


def _flowing(help_text: str | None) -> str | None:
    """A docstring's paragraphs each on one line: Typer keeps a docstring's line breaks, so a
    sentence broken across two source lines showed broken in the command list too."""
    if help_text is None:
        return None
    paragraphs = re.split(r"\n\s*\n", help_text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


class _Command(TyperCommand):
    def __init__(self, *args: Any, help: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, help=_flowing(help), **kwargs)

    def get_params(self, ctx: _ClickContext) -> list[_Parameter]:
        return _without_type_placeholders(super().get_params(ctx))


class _Group(TyperGroup):
    def get_params(self, ctx: _ClickContext) -> list[_Parameter]:
        return _without_type_placeholders(super().get_params(ctx))


cli_app = typer.Typer(
    cls=_Group,
    name="micromentor",
    help=(
        "Self-hosted micromentoring bot for Slack, Discord and a local console.\n\n"
        "Exit codes: 0 ok, 1 failure, 2 usage or configuration error. "
        "--config FILE is accepted before or after any command."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    config_path: str | None = None
    config: Config | None = None


_state = _State()


def _version() -> str:
    try:
        return package_version("micromentor")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"micromentor {_version()}")
        raise typer.Exit(EXIT_OK)


@cli_app.callback()
def _root(
    config_file: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Path of bot.toml (default: $MICROMENTOR_CONFIG or ./bot.toml).",
        ),
    ] = None,
    _version_flag: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    if config_file:
        _state.config_path = config_file


def config(*, warn_defaults: bool = True) -> Config:
    """The configuration (loaded once, checked, logging set up): for commands. Without a
    bot.toml, a warning says the built-in defaults are used (`check` lists it as a note)."""
    if _state.config is None:
        # A misspelt MICROMENTOR_ variable would be ignored silently: said once, by name only.
        for warning in unknown_variables(os.environ):
            print(f"micromentor: warning: {warning}", file=sys.stderr)
        loaded = load_config(_state.config_path)
        _parsable(loaded.database_url())  # DATABASE_URL is checked here, before anything opens it
        configure_logging(loaded)
        note = defaults_note(loaded)
        if note and warn_defaults:
            log.warning("%s", note)
        _state.config = loaded
    return _state.config


def _parsable(url: str) -> None:
    """A URL that passed bot.config's checks may still not parse (``host:notaport``): say so in
    one line, without the URL (it may hold a password), instead of a traceback later."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url).port  # noqa: B018 - parsing is the check
    except (ArgumentError, ValueError):
        raise ConfigError(
            "DATABASE_URL: cannot be parsed (a port that is not a number, or a stray character?); "
            "expected e.g. `postgresql+asyncpg://user:password@host:5432/db`"
        ) from None


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"micromentor: {message}", err=True)
    return typer.Exit(code)


def _stdout_closed() -> bool:
    """Whether the reader of standard output has gone (`micromentor digest | head -1`), as
    opposed to a broken connection elsewhere (a database's socket)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (tests capture it)
        return False
    try:
        import select

        poller = select.poll()
    except (ImportError, AttributeError):  # pragma: no cover - no poll() (Windows)
        return True
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _quiet_stdout() -> None:
    """Point standard output at the null device, as Python's docs advise on SIGPIPE, so that
    what is still buffered is dropped at exit instead of failing a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - stdout is not a file
        pass


def run_async(work: Coroutine[Any, Any, int]) -> int:
    """Run `work`; its result is the exit code. Known failures become one line on stderr."""
    try:
        return asyncio.run(work)
    except KeyboardInterrupt:
        return 130
    except StartupError as e:
        raise _fail(str(e), e.code) from None
    except BrokenPipeError as e:
        if _stdout_closed():  # the reader had all it wanted: end quietly
            _quiet_stdout()
            return EXIT_PIPE_CLOSED
        raise _fail(f"could not connect: {e.strerror or e}", EXIT_FAILURE) from None
    except OSError as e:
        # A file that can't be read or written (--script, the CSV, --png), a database that
        # doesn't answer: one clear line, not a traceback.
        where = f"{e.filename}: " if e.filename else ""
        if isinstance(e, ConnectionError) and not where:
            where = "could not connect: "
        raise _fail(f"{where}{e.strerror or e}", EXIT_FAILURE) from None


@contextlib.contextmanager
def progress(description: str) -> Iterator[None]:
    """A spinner with `description` on a terminal's stderr while long work runs (nothing when
    stderr is a file or a pipe, so logs and scripts stay clean)."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(description):
        yield


def _iso_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time like 2026-11-23T10:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# --- run, console, demo, check ---------------------------------------------------------------


@cli_app.command("run", cls=_Command)
def run_command() -> int:
    """Start every platform with credentials, the workers, the scheduler and the HTTP port
    (PORT: /healthz, /readyz, /metrics, the /admin dashboard). With no platform variable set at
    all: the console."""
    return run_async(run(config()))


@cli_app.command("console", cls=_Command)
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
    start = _iso_time(now)
    cfg = config()
    quiet_for_console(cfg)
    if script in (None, "-"):
        source = sys.stdin if script == "-" else None
        return run_async(run_console(cfg, script=source, now=start))
    try:
        fh = open(script, encoding="utf-8")
    except OSError as e:
        raise _fail(f"{e.filename}: {e.strerror}", EXIT_FAILURE) from None
    with fh:
        return run_async(run_console(cfg, script=fh, now=start))


@cli_app.command("demo", cls=_Command)
def demo_command() -> int:
    """A scripted tour of every flow in the console, on a throw-away database."""
    cfg = config()
    quiet_for_console(cfg)
    return run_async(_demo(cfg))


@cli_app.command("check", cls=_Command)
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
    database_problems = await check_database(cfg.database_url())
    problems += database_problems
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
    if not database_problems:  # which database was checked (its password masked)
        from storage.engine import safe_url

        typer.echo(f"micromentor check: database: {safe_url(cfg.database_url())}")
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


# --- db ----------------------------------------------------------------------------------------

db_app = typer.Typer(cls=_Group, help="Database maintenance.", no_args_is_help=True)
cli_app.add_typer(db_app, name="db")


@db_app.command("upgrade", cls=_Command)
def db_upgrade_command() -> int:
    """Apply the migrations up to the newest schema (`run` does this at start too)."""
    return run_async(_db_upgrade(config()))


async def _db_upgrade(cfg: Config) -> int:
    from storage.engine import safe_url
    from storage.migrate import upgrade

    with progress("Migrating the database…"):
        before, after = await upgrade(cfg.database_url(), announce=False)  # said below
    where = safe_url(cfg.database_url())
    if before == after:
        print(f"database is up to date: {where}")
    else:
        print(f"database upgraded {before or 'empty'} → {after}: {where}")
    return 0


@db_app.command("downgrade", cls=_Command)
def db_downgrade_command(
    revision: Annotated[
        str, typer.Argument(metavar="REVISION", help="The revision to go back to, e.g. 0023.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> int:
    """Undo the migrations newer than REVISION (to run an older release): lists what each one
    undoes and asks first; what they added (columns, tables, rows) is dropped. Back up first."""
    return run_async(_db_downgrade(config(), revision=revision, yes=yes))


async def _db_downgrade(cfg: Config, *, revision: str, yes: bool) -> int:
    from storage.engine import safe_url
    from storage.migrate import downgrade, downgrade_plan, revision_named

    url = cfg.database_url()
    revision = revision_named(revision)  # `db downgrade 24` means 0024
    at, undo = await downgrade_plan(url, revision)
    if not yes:
        if not sys.stdin.isatty():
            raise _fail(
                "db downgrade: no terminal to confirm on; add --yes to downgrade without asking",
                EXIT_USAGE,
            )
        print(f"Going back from {at} to {revision} undoes these migrations, newest first:")
        for migration in undo:
            print(f"  {migration.revision}  {migration.about}")
        question = "What they added (columns, tables, rows) is dropped. Downgrade? [y/N] "
        answer = await asyncio.to_thread(input, question)
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return EXIT_FAILURE
    with progress("Downgrading the database…"):
        after = await downgrade(url, at=at, undo=undo)
    print(f"database downgraded {at} → {after}: {safe_url(url)}")
    return EXIT_OK


# --- digest ------------------------------------------------------------------------------------


@cli_app.command("digest", cls=_Command)
def digest_command(
    week: Annotated[
        str | None,
        typer.Option(metavar="WEEK", help="ISO week like 2026-W48 (default: the last full week)."),
    ] = None,
    png: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Also write the chart to this PNG file (\\[charts])."),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(metavar="WORKSPACE", help="Workspace key or name (default: all)."),
    ] = None,
) -> int:
    """Print a weekly digest (read-only: never migrates the database)."""
    cfg = config()
    # The arguments first: a wrong week or chart folder is said before any work is done.
    if week is not None:
        from bot.digest.figures import IsoWeek

        try:
            IsoWeek.parse(week)
        except ValueError as e:
            raise _fail(f"digest: {e}", EXIT_USAGE) from None
    if png is not None:
        folder = Path(png).parent
        if not folder.is_dir():
            why = "Not a directory" if folder.exists() else "No such file or directory"
            raise _fail(f"{png}: {why}", EXIT_FAILURE)
    return run_async(_digest(cfg, week=week, png=png, workspace=workspace))


def _console_elsewhere(cfg: Config, args: str, *, used: bool = False) -> str | None:
    """Where the console's workspace is, for a command that found none in its database: the
    console keeps its own (console.db beside bot.toml) unless DATABASE_URL is set. None when
    the console uses this very database; with `used`, also when it was never run."""
    from sqlalchemy.engine import make_url

    from bot.main import console_database_setting, console_database_url

    url = console_database_url(cfg)
    setting = console_database_setting(cfg, url)
    if setting is None or (used and not os.path.isfile(make_url(url).database or "")):
        return None
    return f"the console keeps its own database: run `{setting} micromentor {args}`"


async def _digest(cfg: Config, *, week: str | None, png: str | None, workspace: str | None) -> int:
    from bot.digest.report import print_digest

    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        if not workspace:
            async with app.uow_factory(read_only=True) as uow:
                nothing = not await uow.workspaces.all()
            hint = _console_elsewhere(cfg, "digest", used=True) if nothing else None
            if hint:  # said before the empty digest's own line
                print(f"micromentor: digest: {hint}", file=sys.stderr)
        return await print_digest(
            uow_factory=app.uow_factory,
            config=cfg,
            now=app.clock.now(),
            week=week,
            png=Path(png) if png else None,
            workspace=workspace,
        )
    finally:
        await app.dispose()


# --- mentors -----------------------------------------------------------------------------------

mentors_app = typer.Typer(
    cls=_Group, help="The mentor roster in and out (CSV).", no_args_is_help=True
)
cli_app.add_typer(mentors_app, name="mentors")


@mentors_app.command("import", cls=_Command)
def mentors_import_command(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The CSV file to import.")],
) -> int:
    """Import mentors from a CSV file: all rows or none (problems on stderr, exit 2)."""
    return run_async(_mentors_import(config(), Path(file)))


@mentors_app.command("export", cls=_Command)
def mentors_export_command(
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE", help="Only this workspace, e.g. slack:T0123 (default: all)."
        ),
    ] = None,
) -> int:
    """Write the roster as CSV to standard output (read-only: never migrates)."""
    return run_async(_mentors_export(config(), workspace=workspace))


async def _mentors_import(cfg: Config, file: Path) -> int:
    from bot.mentors.roster_csv import import_roster

    app = await build_app(cfg, clock=SystemClock(), load_similar=False)
    try:
        return await import_roster(
            app.bus,
            app.uow_factory,
            file,
            out=print,
            err=lambda s: print(s, file=sys.stderr),
            by_email=_slack_email_lookup(app.engine),
            progress=sys.stderr.isatty(),
        )
    finally:
        await app.dispose()


async def _mentors_export(cfg: Config, *, workspace: str | None) -> int:
    from bot.mentors.roster_csv import export_roster

    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        return await export_roster(
            app.uow_factory, out=sys.stdout, workspace=workspace, now=app.clock.now()
        )
    finally:
        await app.dispose()


# --- dashboard and people ---------------------------------------------------------------------


@cli_app.command("dashboard", cls=_Command)
def dashboard_command(
    port: Annotated[
        int,
        typer.Option(
            metavar="PORT", min=0, max=65535, help="HTTP port of the dashboard (0: any free port)."
        ),
    ] = DASHBOARD_PORT,
    link: Annotated[
        str | None,
        typer.Option(
            metavar="ADMIN_ID",
            help="Print a one-time sign-in link for this admin (e.g. slack:U0123) and exit.",
        ),
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="Address to listen on (default: $HOST, else 0.0.0.0: every interface).",
        ),
    ] = None,
) -> int:
    """Serve the admin web dashboard at /admin, on its own port (`micromentor run` serves it
    already on its HTTP port, PORT); sign in with a link from /mentoradmin dashboard or
    --link."""
    return run_async(_dashboard(config(), port=port, link=link, host=host))


_SIGN_IN = (
    "sign in with a one-time link from `micromentor dashboard --link <platform:id>` "
    "(e.g. slack:U0123) or `/mentoradmin dashboard` in chat"
)


def _listening(host: str, port: int) -> str:
    """The dashboard's start-up line: the address it really listens on, and how to sign in."""
    shown = f"[{host}]" if ":" in host else host
    every = host in ("0.0.0.0", "::")
    where = "every network interface" if every else f"{host} only"
    return f"dashboard: http://{shown}:{port}/admin (listening on {where}); {_SIGN_IN}"


async def _dashboard(cfg: Config, *, port: int, link: str | None, host: str | None = None) -> int:
    from adapters.dashboard.cli import print_signin_link, serve_dashboard
    from adapters.web import bind

    if link:
        from bot.privacy.people_cli import person_ref

        if isinstance(admin := person_ref(link), str):  # before the database: the real mistake
            raise _fail(f"dashboard --link: {admin}", EXIT_USAGE)
        if port == 0 and not cfg.dashboard.public_url:
            # Nothing listens here: the link is to a dashboard served elsewhere, on its port.
            raise _fail(
                "dashboard --link: --port 0 names no port to link to; give the port the "
                "dashboard listens on (or set [dashboard] public_url)",
                EXIT_USAGE,
            )
        # Never migrates (as `digest`): a database that is missing or behind is refused.
        app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
        try:
            console = admin.platform == "console"
            elsewhere = _console_elsewhere(cfg, f"dashboard --link {link}") if console else None
            return await print_signin_link(app, admin.key(), port=port, elsewhere=elsewhere)
        finally:
            await app.dispose()
    # A busy port stops start-up before the database is opened.
    address = (host or "").strip() or listen_host(os.environ)
    sock = bind(address, port, setting="set --port")
    try:
        app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    except BaseException:
        sock.close()
        raise
    try:
        bound = sock.getsockname()[1]  # --port 0: the port the system chose
        print(_listening(address, bound), file=sys.stderr)
        return await serve_dashboard(app, sock)
    finally:
        await app.dispose()


people_app = typer.Typer(
    cls=_Group, help="One person's data: export or erase.", no_args_is_help=True
)
cli_app.add_typer(people_app, name="people")


@people_app.command("export", cls=_Command)
def people_export_command(
    person: Annotated[str, typer.Argument(metavar="ID", help="Platform id, e.g. slack:U0123.")],
) -> int:
    """Write everything stored about one person as JSON to standard output."""
    return run_async(_people(config(), action="export", person=person, yes=True))


@people_app.command("delete", cls=_Command)
def people_delete_command(
    person: Annotated[str, typer.Argument(metavar="ID", help="Platform id, e.g. slack:U0123.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> int:
    """Erase one person's name, question texts and comments (aggregates stay, attributed to
    nobody)."""
    return run_async(_people(config(), action="delete", person=person, yes=yes))


async def _people(cfg: Config, *, action: str, person: str, yes: bool) -> int:
    from bot.privacy.people_cli import delete_person, export_person, person_ref
    from storage.migrate import require_database

    problem = person_ref(person)
    if isinstance(problem, str):  # said before the database is opened (or migrated)
        raise _fail(problem, EXIT_USAGE)
    if action == "delete" and not yes and not sys.stdin.isatty():
        raise _fail(
            "people delete: no terminal to confirm on; add --yes to erase without asking",
            EXIT_USAGE,
        )
    require_database(cfg.database_url())  # a person is looked up, never a database created
    # Never migrates: a schema that is behind is refused (`micromentor db upgrade` first).
    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        if action == "export":
            return await export_person(app, person)

        def confirm(question: str) -> bool:
            return yes or input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

        return await delete_person(app, person, confirm=confirm)
    finally:
        await app.dispose()


def _slack_email_lookup(engine: Any) -> EmailLookup:
    """users.lookupByEmail for roster rows with an e-mail, with the token of the row's workspace
    (its installation's in the OAuth mode, else `SLACK_BOT_TOKEN`)."""
    from adapters.slack.users import workspace_email_lookup
    from storage.slack_installations import SlackInstallations

    installations = SlackInstallations(engine) if engine is not None else None

    async def token_of(team_id: str) -> str | None:
        if installations is None:
            return None
        inst = await installations.find(team_id)
        return inst.bot_token if inst is not None and inst.active else None

    return workspace_email_lookup(
        token_of,
        base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
        token=os.environ.get("SLACK_BOT_TOKEN") or None,
    )


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


# --- entry -------------------------------------------------------------------------------------


def _take_config(argv: list[str]) -> tuple[list[str], str | None]:
    """Pull ``--config FILE`` / ``--config=FILE`` out from anywhere on the line, so it may come
    before or after the command (Click only accepts a group's options before it)."""
    rest: list[str] = []
    found: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        if arg == "--config" and i + 1 < len(argv):
            found = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--config="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest, found


# Options people reach for that are environment variables instead (`run` takes none).
_SET_BY_ENVIRONMENT = {
    "--port": "the port is set with the PORT environment variable (e.g. `PORT=3000 micromentor run`)",
    "--host": "the address is set with the HOST environment variable (e.g. `HOST=127.0.0.1`)",
    "--database-url": "the database is set with the DATABASE_URL environment variable",
}


def _newest_revisions(count: int = 5) -> str:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    listed = ", ".join(revisions[:count])
    older = f", … {revisions[-1]}" if len(revisions) > count else ""
    return (
        f"Give the revision to go back to: this release's newest are {listed}{older} (e.g. "
        f"`micromentor db downgrade {revisions[1]}` undoes the newest migration)"
    )


def _with_hint(error: Exception) -> None:
    """A usage error with what to do instead, where the bare one leaves it a guess."""
    ctx = getattr(error, "ctx", None)
    command = ctx.command_path if ctx is not None else ""
    if isinstance(error, _click_errors.NoSuchOption):
        name = error.option_name.partition("=")[0]
        hint = _SET_BY_ENVIRONMENT.get(name) if command == "micromentor run" else None
        if hint:
            error.message = f"{error.message}: {hint}"
        elif not error.possibilities:
            # --config is taken before or after any command, so a command's own error doesn't
            # know it: a misspelling (`run --confg`) gets the suggestion the top level gives.
            error.possibilities = difflib.get_close_matches(name, ["--config"], n=1)
    elif (
        isinstance(error, _click_errors.MissingParameter)
        and command == "micromentor db downgrade"
        and not error.message
    ):
        with contextlib.suppress(Exception):  # the bare error rather than none
            error.message = _newest_revisions()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]); returns the exit code."""
    args, config_path = _take_config(list(sys.argv[1:] if argv is None else argv))
    _state.config_path = config_path
    _state.config = None
    command = typer.main.get_command(cli_app)
    try:
        result = command.main(args=args, prog_name="micromentor", standalone_mode=False)
    except ConfigError as e:
        # One line per problem, each naming its file or variable and key: no generic header.
        for problem in str(e).splitlines() or ["configuration error"]:
            print(f"micromentor: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except typer.Exit as e:
        return e.exit_code
    except _click_errors.ClickException as e:
        _with_hint(e)
        e.show(file=sys.stderr)
        return e.exit_code
    except typer.Abort:
        print("micromentor: aborted", file=sys.stderr)
        return 130
    except SystemExit as e:
        # Help and usage written to a closed standard output (`--help | head -1`) end with
        # exit 1 in Rich (which points stdout at the null device, during the BrokenPipeError)
        # or Click (after it): like every other command, they end quietly with 141.
        if e.code == 1 and (isinstance(e.__context__, BrokenPipeError) or _stdout_closed()):
            _quiet_stdout()
            return EXIT_PIPE_CLOSED
        raise
    return result if isinstance(result, int) else EXIT_OK


def cli() -> None:
    """Entry point of the `micromentor` console script."""
    code = main()
    try:
        sys.stdout.flush()  # what is still buffered, while a closed pipe can still be told
    except BrokenPipeError:
        _quiet_stdout()
        code = EXIT_PIPE_CLOSED
    sys.exit(code)
