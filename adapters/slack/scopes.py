"""The bot scopes the app needs (from the shipped manifest) and the line for a token granted
fewer: shared by `micromentor check` (adapters/slack/check.py) and `run`'s start-up
(adapters/slack/runtime.py), so both say the same thing. Pure: no network."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config import Config

__all__ = ["MANIFEST", "manifest_scopes", "missing_scopes"]

MANIFEST = Path(__file__).with_name("manifest.yml")


def manifest_scopes(manifest: Path = MANIFEST) -> set[str]:
    """The bot scopes listed under ``oauth_config: scopes: bot:`` (read without a YAML parser:
    the shipped manifest is ours and simple)."""
    scopes: set[str] = set()
    inside = False
    for line in manifest.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped == "bot:":
            inside = True
            continue
        if inside:
            if stripped.startswith("- "):
                scopes.add(stripped[2:].strip())
            elif stripped and not stripped.startswith("#"):
                break
    return scopes


def missing_scopes(headers: Mapping[str, Any], config: Config) -> str | None:
    """The problem line when the token lacks scopes the manifest asks for, from the
    ``x-oauth-scopes`` header of a Web API answer (`auth.test`); None when it has them all or
    the header is absent (nothing to judge by)."""
    granted = {s.strip() for s in str(headers.get("x-oauth-scopes", "")).split(",")}
    granted.discard("")
    if not granted:
        return None
    needed = manifest_scopes()
    if not config.slack.mentor_group:
        needed.discard("usergroups:read")  # only `[slack] mentor_group` reads groups
    missing = sorted(needed - granted)
    if not missing:
        return None
    return (
        "Slack: the bot token lacks scope(s) "
        + ", ".join(missing)
        + " from adapters/slack/manifest.yml; add them and reinstall the app"
    )
