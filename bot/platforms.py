"""The platform table: which chat platforms exist, when their credentials are complete, and
where their adapter starts. Adding a platform is one row here (plus its adapter package)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["NOTE", "PLATFORMS", "Platform", "configured", "credential_problems"]

# A line of a platform's check that starts with this is a warning: said, but not a problem.
NOTE = "note: "


@dataclass(frozen=True, slots=True)
class Platform:
    """`needs`: variables that must all be set; `one_of`: at least one of them too.
    `start`: ``module:function`` of the adapter's ``async def start(app)``; `check`: of its
    ``async def check(config) -> list[str]`` (`micromentor check`: one line per problem; a line
    starting with `NOTE` is a warning, said without failing the check)."""

    name: str
    needs: tuple[str, ...]
    start: str
    check: str
    one_of: tuple[str, ...] = ()

    def is_configured(self, env: Mapping[str, str]) -> bool:
        have = {k for k in (*self.needs, *self.one_of) if env.get(k, "").strip()}
        return set(self.needs) <= have and (not self.one_of or bool(have & set(self.one_of)))

    def problem(self, env: Mapping[str, str]) -> str | None:
        """What is missing when some but not all of its credentials are set."""
        have = {k for k in (*self.needs, *self.one_of) if env.get(k, "").strip()}
        if not have or self.is_configured(env):
            return None
        missing = [k for k in self.needs if k not in have]
        if self.one_of and not have & set(self.one_of):
            missing.append(" or ".join(self.one_of))
        return f"{self.name}: {', '.join(sorted(have))} set but {', '.join(missing)} missing"


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "slack",
        needs=("SLACK_BOT_TOKEN",),
        one_of=("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"),
        start="adapters.slack:start_slack",
        check="adapters.slack.check:check_slack",
    ),
    # Multi-workspace Slack: Bolt's OAuth install flow (SLACK_SIGNING_SECRET is needed too).
    Platform(
        "slack-oauth",
        needs=("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"),  # = _OAUTH
        start="adapters.slack:start_slack_oauth",
        check="adapters.slack.check:check_slack_oauth",
    ),
    Platform(
        "discord",
        needs=("DISCORD_TOKEN",),
        start="adapters.discord:start_discord",
        check="adapters.discord.check:check_discord",
    ),
)


_OAUTH = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")


# Which platform each secret belongs to (the prefix of its problem line).
_SECRETS = {
    "SLACK_BOT_TOKEN": "slack",
    "SLACK_SIGNING_SECRET": "slack",
    "SLACK_APP_TOKEN": "slack",
    "SLACK_CLIENT_ID": "slack-oauth",
    "SLACK_CLIENT_SECRET": "slack-oauth",
    "SLACK_STATE_SECRET": "slack-oauth",
    "DISCORD_TOKEN": "discord",
}


def _malformed(env: Mapping[str, str]) -> list[str]:
    """Values that can never work, said before any platform refuses them with a bare
    ``invalid_auth``: quotes or spaces kept from a .env file, the wrong kind of token. A line
    names the variable, never its value."""
    problems: list[str] = []
    for name, platform in _SECRETS.items():
        value = env.get(name, "")
        bare = value.strip()
        if bare and (value != bare or bare[0] in "\"'" or bare[-1] in "\"'"):
            problems.append(
                f"{platform}: {name} has spaces or quotes around it (copied from a .env file?); "
                "set the value alone"
            )
    bot = env.get("SLACK_BOT_TOKEN", "").strip().strip("\"'")
    if bot.startswith("xoxp-"):
        problems.append(
            "slack: SLACK_BOT_TOKEN is a user token (xoxp-…); set it to the Bot User OAuth Token "
            "(xoxb-…) from the app's OAuth & Permissions page"
        )
    elif bot.startswith("xapp-"):
        problems.append(
            "slack: SLACK_BOT_TOKEN is an app-level token (xapp-…); that one goes in "
            "SLACK_APP_TOKEN, and SLACK_BOT_TOKEN is the Bot User OAuth Token (xoxb-…)"
        )
    elif bot and not bot.startswith("xox"):  # xoxb-…, or xoxe.xoxb-… with token rotation
        problems.append(
            "slack: SLACK_BOT_TOKEN is not a Slack token (a bot token starts with xoxb-); copy "
            "the Bot User OAuth Token from the app's OAuth & Permissions page"
        )
    app = env.get("SLACK_APP_TOKEN", "").strip().strip("\"'")
    if app.startswith(("xoxb-", "xoxp-")):
        problems.append(
            "slack: SLACK_APP_TOKEN is not an app-level token (xapp-…); generate one with the "
            "connections:write scope under Basic Information → App-Level Tokens"
        )
    signing = env.get("SLACK_SIGNING_SECRET", "").strip().strip("\"'")
    if signing.startswith(("xox", "xapp-")):
        kind = (
            "an app-level token (xapp-…)"
            if signing.startswith("xapp-")
            else "a bot token (xoxb-…)"
            if signing.startswith("xoxb-")
            else "a Slack token (xox…)"
        )
        goes = "SLACK_APP_TOKEN" if signing.startswith("xapp-") else "SLACK_BOT_TOKEN"
        problems.append(
            f"slack: SLACK_SIGNING_SECRET looks like {kind}, not a signing secret; that one "
            f"goes in {goes}, and the Signing Secret is on the app's Basic Information page "
            "(App Credentials)"
        )
    discord = env.get("DISCORD_TOKEN", "").strip().strip("\"'")
    if discord.lower().startswith("bot "):
        problems.append(
            'discord: DISCORD_TOKEN starts with "Bot "; set the token alone (the bot adds '
            '"Bot " itself)'
        )
    elif discord.lower().startswith("xox"):
        # Said before Discord refuses it with a bare 401 (and before anything starts).
        problems.append(
            "discord: DISCORD_TOKEN looks like a Slack token (xox…); set it to the bot token "
            "from the Discord Developer Portal (your application → Bot → Reset Token), and put "
            "Slack tokens in SLACK_BOT_TOKEN"
        )
    return problems


def configured(env: Mapping[str, str] = os.environ) -> list[Platform]:
    """The platforms whose credentials are all present."""
    return [p for p in PLATFORMS if p.is_configured(env)]


def credential_problems(env: Mapping[str, str] = os.environ) -> list[str]:
    """Platforms with some credentials set and others missing (a typo, a forgotten export)."""
    names = {p.name for p in configured(env)}
    oauth = "slack-oauth" in names
    some_oauth = any(env.get(k, "").strip() for k in _OAUTH)
    single = any(env.get(k, "").strip() for k in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"))
    problems = [
        found
        for p in PLATFORMS
        # With OAuth variables, SLACK_SIGNING_SECRET belongs to that mode, not to a missing
        # SLACK_BOT_TOKEN.
        if not (p.name == "slack" and some_oauth and not single)
        if (found := p.problem(env))
    ]
    problems += _malformed(env)
    if oauth and "slack" in names:
        problems.append(
            "slack: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID, "
            "SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (OAuth, many workspaces), not both"
        )
    elif oauth and not env.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append(
            "slack-oauth: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET set but "
            "SLACK_SIGNING_SECRET missing"
        )
    return problems
