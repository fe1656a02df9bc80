"""The console adapter: a local read-eval-print loop where one person plays several users."""

from adapters.console.repl import ConsoleSession, run_console

__all__ = ["ConsoleSession", "run_console"]
