"""`python -m bot` runs the micromentor command line."""

from bot.main import cli

cli()
