"""`python -m bot` runs the micromentor command line."""

from bot.cli import cli

cli()
