"""README's invite link grants every permission the bot may need: all that a configured channel
needs (checked at set-up) and all that an action Discord refused names for the operator. A need
added without the invite link growing with it fails here, before a server refuses it."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest
from discord_harness import discord_config

from adapters.discord.check import INVITE_PERMISSIONS
from adapters.discord.errors import _PERMISSIONS
from adapters.discord.guilds import channel_needs
from bot.config import Config

README = Path(__file__).resolve().parents[3] / "README.md"
KEYS = ("mentoring", "admin", "escalation")
# Every setting that changes what a channel needs: thread mode, and anonymous questions.
CONFIGS = {
    f"{mode}, anonymous {anonymous}": discord_config(
        thread_mode=mode, sections={"ask": {"allow_anonymous": anonymous}}
    )
    for mode in ("public", "private")
    for anonymous in (True, False)
}


def _attribute(name: str) -> str:
    """discord.py's attribute for Discord's name: "Send Messages in Threads" →
    `send_messages_in_threads`; the name must be a permission discord.py knows."""
    attr = name.lower().replace(" ", "_")
    assert attr in discord.Permissions.VALID_FLAGS, f"{name!r} is no Discord permission"
    return attr


def _said(sentence: str) -> list[str]:
    """The names in "A, B and C"."""
    return [n for part in sentence.split(", ") for n in part.split(" and ")]


def _granted(attr: str) -> bool:
    return bool(getattr(INVITE_PERMISSIONS, attr))


@pytest.mark.parametrize("action", sorted(_PERMISSIONS))
def test_what_a_refused_action_tells_the_operator_to_grant_is_in_the_invite(action: str) -> None:
    names = _said(_PERMISSIONS[action])
    assert names
    assert [n for n in names if not _granted(_attribute(n))] == []


@pytest.mark.parametrize("config", CONFIGS.values(), ids=list(CONFIGS))
@pytest.mark.parametrize("key", KEYS)
def test_what_a_channel_needs_is_in_the_invite_and_named_as_discord_does(
    config: Config, key: str
) -> None:
    needs = channel_needs(config, key)
    assert needs
    assert [attr for attr in needs if not _granted(attr)] == []
    assert {attr: _attribute(name) for attr, name in needs.items()} == {a: a for a in needs}


def test_the_invite_asks_for_nothing_the_bot_never_needs() -> None:
    # README says the invite's permissions are "exactly these"; Manage Threads stays optional.
    needed = {attr for c in CONFIGS.values() for k in KEYS for attr in channel_needs(c, k)}
    needed |= {_attribute(n) for sentence in _PERMISSIONS.values() for n in _said(sentence)}
    assert INVITE_PERMISSIONS == discord.Permissions(**dict.fromkeys(needed, True))
    assert not INVITE_PERMISSIONS.manage_threads


def test_readmes_invite_link_has_the_invite_permissions() -> None:
    readme = README.read_text(encoding="utf-8")
    [link] = re.findall(r"oauth2/authorize\?client_id=APPLICATION_ID&\S*permissions=(\d+)", readme)
    assert int(link) == INVITE_PERMISSIONS.value
    assert f"Permissions `{INVITE_PERMISSIONS.value}` are exactly these" in readme
