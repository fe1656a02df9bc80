"""What every command of the command line shares: the Typer app and its display classes, the
configuration (loaded once), the exit codes and `run_async`, which turns known failures into
one line and an exit code."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sys
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from bot.config import Config, ConfigError, defaults_note, load_config
from bot.errors import StartupError
from bot.logs import configure_logging

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_USAGE",
    "CliCommand",
    "CliGroup",
    "cli_app",
    "config",
    "fail",
    "iso_time",
    "progress",
    "quiet_stdout",
    "run_async",
    "stdout_closed",
    "use_config_file",
]

try:  # Typer 0.2x carries its own Click
    from typer._click import Context as _ClickContext
    from typer._click import Parameter as _Parameter
except ImportError:  # pragma: no cover - an older Typer on plain Click
    from click import Context as _ClickContext  # type: ignore[assignment]
    from click import Parameter as _Parameter  # type: ignore[assignment]

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


class CliCommand(TyperCommand):
    def __init__(self, *args: Any, help: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, help=_flowing(help), **kwargs)

    def get_params(self, ctx: _ClickContext) -> list[_Parameter]:
        return _without_type_placeholders(super().get_params(ctx))


class CliGroup(TyperGroup):
    def get_params(self, ctx: _ClickContext) -> list[_Parameter]:
        return _without_type_placeholders(super().get_params(ctx))


cli_app = typer.Typer(
    cls=CliGroup,
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


def use_config_file(path: str | None) -> None:
    """The bot.toml the next :func:`config` loads (None: the default); forgets a loaded one."""
    _state.config_path = path
    _state.config = None


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


def fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"micromentor: {message}", err=True)
    return typer.Exit(code)


def stdout_closed() -> bool:
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


def quiet_stdout() -> None:
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
        raise fail(str(e), e.code) from None
    except BrokenPipeError as e:
        if stdout_closed():  # the reader had all it wanted: end quietly
            quiet_stdout()
            return EXIT_PIPE_CLOSED
        raise fail(f"could not connect: {e.strerror or e}", EXIT_FAILURE) from None
    except OSError as e:
        # A file that can't be read or written (--script, the CSV, --png), a database that
        # doesn't answer: one clear line, not a traceback.
        where = f"{e.filename}: " if e.filename else ""
        if isinstance(e, ConnectionError) and not where:
            where = "could not connect: "
        raise fail(f"{where}{e.strerror or e}", EXIT_FAILURE) from None


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


def iso_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a time like 2026-11-23T10:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
