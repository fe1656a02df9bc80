"""The command line (`micromentor`, `python -m bot`), built with Typer: parses arguments, loads
the config, runs what was asked. Part of the composition root with `bot.main`.

Exit codes: 0 ok · 1 failure (a file or the database could not be used, a check failed) ·
2 usage or configuration error (unknown option, bad bot.toml or DATABASE_URL, missing
credentials, refused rows, a database newer than this release). Errors go to standard error,
one line each; results to standard output.

Adding a command: a function decorated with ``@cli_app.command("name", cls=CliCommand)`` (or
a group: ``group = typer.Typer(cls=CliGroup, help=...)`` then ``cli_app.add_typer(group,
name="people")``; the classes keep Typer's type placeholders out of the help), in
`bot_commands` (running the bot) or `data_commands` (its data). Inside it, :func:`config` is
the loaded configuration and :func:`run_async` runs a coroutine with the errors above turned
into one line and an exit code. The modules register their commands when imported, in the
order `--help` lists them.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from bot.cli import bot_commands, data_commands  # noqa: F401 - register the commands, in order
from bot.cli.base import (
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_USAGE,
    cli_app,
    config,
    progress,
    quiet_stdout,
    run_async,
    stdout_closed,
    use_config_file,
)
from bot.config import ConfigError
from bot.logs import PAYLOAD_LOGGERS

__all__ = [
    "EXIT_PIPE_CLOSED",
    "PAYLOAD_LOGGERS",
    "cli",
    "cli_app",
    "config",
    "main",
    "progress",
    "run_async",
]


try:  # Typer 0.2x carries its own Click
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover - an older Typer on plain Click
    from click import exceptions as _click_errors  # type: ignore[no-redef]


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]); returns the exit code."""
    args, config_path = _take_config(list(sys.argv[1:] if argv is None else argv))
    use_config_file(config_path)
    command = typer.main.get_command(cli_app)
    try:
        result = command.main(args=args, prog_name="micromentor", standalone_mode=False)
    except ConfigError as e:
        # One line per problem, each naming its file or variable and key: no generic header.
        for problem in str(e).splitlines() or ["configuration error"]:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    except typer.Exit as e:
        return e.exit_code
    except _click_errors.ClickException as e:
        e.show(file=sys.stderr)
        return e.exit_code
    except typer.Abort:
        print("micromentor: aborted", file=sys.stderr)
        return 130
    except SystemExit as e:
        # Help and usage written to a closed standard output (`--help | head -1`) end with
        # exit 1 in Rich (which points stdout at the null device, during the BrokenPipeError)
        # or Click (after it): like every other command, they end quietly with 141.
        if e.code == 1 and (isinstance(e.__context__, BrokenPipeError) or stdout_closed()):
            quiet_stdout()
            return EXIT_PIPE_CLOSED
        raise
    return result if isinstance(result, int) else EXIT_OK


def cli() -> None:
    """Entry point of the `micromentor` console script."""
    code = main()
    try:
        sys.stdout.flush()  # what is still buffered, while a closed pipe can still be told
    except BrokenPipeError:
        quiet_stdout()
        code = EXIT_PIPE_CLOSED
    sys.exit(code)
