"""Hostile input for the sweep: seeded generators of questions, names and skills, and the checks
every rendered message must pass (no ping the bot did not mean, nothing hidden or reordered)."""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Any

__all__ = [
    "BIDI",
    "discord_pings",
    "hostile_text",
    "slack_pings",
    "visible",
]

# Mention syntax of both platforms, markdown breakers, controls and invisible characters.
PINGS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!subteam^S0123ABCD>",
    "<!subteam^S0123ABCD|@team>",
    "<@U0ROOT001>",
    "<@U0ROOT001|admin>",
    "<@W0ROOT001>",
    "<#C0MENTOR1>",
    "<#C0MENTOR1|general>",
    "@channel",
    "@everyone",
    "@here",
    "@Everyone",
    "<@&1180000000000000999>",
    "<@1180000000000000001>",
    "<@!1180000000000000001>",
    "&lt;!channel&gt;",
    "<!date^1392734382^{date}|x>",
]
MARKDOWN = [
    "*bold*",
    "_it_",
    "~strike~",
    "`code`",
    "```\nblock\n```",
    "> quote",
    ">>> all",
    "**b**",
    "__u__",
    "||spoiler||",
    "# heading",
    "-# small",
    "[link](https://evil.example)",
    "<https://evil.example|click>",
    "<mailto:a@b.c|x>",
    "&amp;",
    "&",
    "<",
    ">",
    "\\",
    "|",
    "![img](https://evil.example/x.png)",
    "-",
    "--anonymous",
    "—",
    "=1+1",
    "@SUM(A1)",
]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
INVISIBLE = [
    *BIDI,
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\u034f",
    "\u3164",
    "\u2800",
    "\U000e0041",
    "\u180e",
    "\u0301",
    "\u20dd",
    "\ufe0f",
]
CONTROLS = [
    "\x00",
    "\x07",
    "\x08",
    "\x1b[31m",
    "\r",
    "\n",
    "\t",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
]
WORDS = [
    "how",
    "do",
    "I",
    "fix",
    "my",
    "python",
    "pandas",
    "salary",
    "review",
    "deploy",
    "the",
    "kubernetes",
    "SQL",
    "🐍",
    "e\u0301",
    "naïve",
    "日本語",
    "عربى",
    "שלום",
    "year",
    "team",
]


def hostile_text(rng: random.Random) -> str:
    """One generated string: usually a mix of words and hostile pieces; sometimes empty, only
    invisible characters, or huge."""
    shape = rng.random()
    if shape < 0.04:
        return ""
    if shape < 0.10:
        return "".join(rng.choice([*INVISIBLE, " ", "\n"]) for _ in range(rng.randint(1, 40)))
    if shape < 0.13:
        unit = " ".join(rng.choice(PINGS + MARKDOWN + WORDS) for _ in range(20))
        return (unit + " ") * rng.randint(20, 200)  # up to ~40k characters
    parts = []
    for _ in range(rng.randint(1, 25)):
        pick = rng.random()
        if pick < 0.35:
            parts.append(rng.choice(WORDS))
        elif pick < 0.60:
            parts.append(rng.choice(PINGS))
        elif pick < 0.75:
            parts.append(rng.choice(MARKDOWN))
        elif pick < 0.90:
            parts.append(rng.choice(INVISIBLE))
        else:
            parts.append(rng.choice(CONTROLS))
    glue = rng.choice([" ", "", " ", "\u200b", "\n"])
    return glue.join(parts)


def visible(s: str) -> bool:
    """Whether `s` shows anything: a letter, digit, symbol or punctuation mark."""
    return any(not ch.isspace() and unicodedata.category(ch)[0] in "LNSP" for ch in s)


_SLACK_SPECIAL = re.compile(r"<[!#@][^>]*>")


# The date token among the hostile inputs; the bot's own date tokens (times shown in each
# reader's zone, ``<!date^…^{time}|…>``) notify nobody and are allowed.
_HOSTILE_DATE = "<!date^1392734382^"


def slack_pings(rendered: str, *, meant: set[str]) -> list[str]:
    """Special mentions in Slack mrkdwn other than ``<@id>`` of a user the bot meant to ping,
    and any special syntax that came from the input (a typed date token included)."""
    return [
        m
        for m in _SLACK_SPECIAL.findall(rendered)
        if m not in {f"<@{u}>" for u in meant}
        and not (m.startswith("<!date^") and not m.startswith(_HOSTILE_DATE))
    ]


_DISCORD_MENTION = re.compile(r"@(everyone|here)\b|<@[!&]?\d+>|<#\d+>")


def discord_pings(payload: dict[str, Any], *, meant: set[str]) -> list[str]:
    """What would ping in a Discord message body: allowed_mentions must never allow everyone or
    roles, users only those meant; no unescaped mention of anyone else in the text."""
    problems = []
    allowed = payload.get("allowed_mentions") or {}
    if allowed.get("parse"):
        problems.append(f"parse {allowed['parse']}")
    if allowed.get("roles"):
        problems.append(f"roles {allowed['roles']}")
    users = {str(u) for u in allowed.get("users") or []}
    if users - meant:
        problems.append(f"users {users - meant}")
    # Only the content can notify anyone (mentions inside embeds never do).
    for m in _DISCORD_MENTION.finditer(payload.get("content") or ""):
        if m[0] not in {f"<@{u}>" for u in meant}:
            problems.append(m[0])
    return problems
