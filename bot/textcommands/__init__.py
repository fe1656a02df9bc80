"""Parsing the text of `/askmentor`, `/mentor …`, `/mentoradmin …`, `/kudos` and `/lightning …`
into commands (shared by the console, Slack and Discord, whose slash commands arrive as text).

- `common`: `ParseError`, `UserLookup`, the dash-word pattern flags are read with, and the "did
  you mean" of an unknown subcommand;
- `asking`: `/askmentor` and its flags (`--anonymous`, `--senior`, …);
- `mentor`: `/mentor …`, with skills lists and pause durations;
- `admin`: `/mentoradmin …`;
- `community`: `/kudos` and `/lightning …`, with the wall times they take.
"""

from bot.textcommands.admin import ADMIN_USAGE, parse_admin
from bot.textcommands.asking import (
    ASK_HELP,
    ASK_USAGE,
    parse_ask,
    parse_ask_command,
    parse_flags,
)
from bot.textcommands.common import ParseError
from bot.textcommands.community import (
    KUDOS_USAGE,
    LIGHTNING_USAGE,
    parse_kudos,
    parse_lightning,
    parse_when,
    when_problem,
)
from bot.textcommands.mentor import (
    MENTOR_ABOUT_USAGE,
    MENTOR_REGION_USAGE,
    MENTOR_USAGE,
    parse_duration,
    parse_mentor,
    split_skills,
)

__all__ = [
    "ADMIN_USAGE",
    "ASK_HELP",
    "ASK_USAGE",
    "KUDOS_USAGE",
    "LIGHTNING_USAGE",
    "MENTOR_ABOUT_USAGE",
    "MENTOR_REGION_USAGE",
    "MENTOR_USAGE",
    "ParseError",
    "parse_admin",
    "parse_ask",
    "parse_ask_command",
    "parse_duration",
    "parse_flags",
    "parse_kudos",
    "parse_lightning",
    "parse_mentor",
    "parse_when",
    "split_skills",
    "when_problem",
]
