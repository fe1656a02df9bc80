"""The fake's REST answers (Discord API v10 routes the bot uses) and Discord-like HTTP details."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from typing import Any

import discord_payloads as p
from aiohttp import web
from discord_limits import message_problems, modal_problems

__all__ = [
    "NONCE_MINUTES",
    "FakeRestApi",
    "cloudflare_too_many_requests",
    "global_too_many_requests",
    "json_response",
    "ratelimit_headers",
    "read_body",
    "too_many_requests",
]

NONCE_MINUTES = 5  # Discord: a nonce is unique "in the past few minutes"
LOADING = 1 << 7  # message flag: "an Interaction Response and the bot is 'thinking'"
UNKNOWN_MESSAGE = (404, {"message": "Unknown Message", "code": 10008})


class FakeRestApi:
    """REST state and answers; :class:`discord_fake.FakeDiscord` adds the server and gateway."""

    ids: p.Snowflakes
    application_id: str
    bot_user: dict[str, Any]
    bot_permissions: int  # the bot's role's, on top of @everyone's
    member_at_ready: bool  # whether the bot is in the server
    guild_id: str
    users: dict[str, dict[str, Any]]
    member_roles: dict[str, list[str]]  # user name -> the ids of their roles
    messages: dict[str, dict[str, Any]]
    threads: dict[str, dict[str, Any]]
    thread_members: dict[str, list[str]]
    dm_channels: dict[str, str]
    closed_dms: set[str]  # user ids that do not accept DMs from the bot
    strangers: set[str]  # user ids that share no server with the bot any more
    nonces: dict[str, tuple[str, float]]  # nonce -> (message id, when it was created)
    acknowledged: set[str]  # interaction ids with a callback
    dispatched: list[tuple[str, dict[str, Any]]]  # gateway events sent, in order
    modal_messages: dict[str, dict[str, Any] | None]  # modal custom id -> message it came from
    tokens_expired: bool
    violations: list[str]  # payloads refused for breaking Discord's limits
    deleted_channels: set[str]  # a server's channels (and their threads) deleted
    # Interaction token -> the id of its original response's message: the "thinking…" of a
    # deferred type 5 (or a type 4's message), or the message a component's type 6/7 updates.
    originals: dict[str, str]
    dismissed: set[str]  # tokens whose ephemeral "thinking…" the member dismissed

    def _over_limits(self, what: str, problems: list[str]) -> tuple[int, Any] | None:
        """Discord's answer to a payload breaking its limits (400, Invalid Form Body), kept for
        the test to fail on; None when there is nothing to say."""
        if not problems:
            return None
        self.violations.append(f"{what}: {'; '.join(problems)}")
        return 400, {"message": "Invalid Form Body", "code": 50035}

    @property
    def gateway_url(self) -> str:
        raise NotImplementedError

    def _answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/users/@me", lambda: (200, self.bot_user)),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("PUT", r"/applications/(\d+)/commands", lambda app: self._commands(body, None)),
            (
                "PUT",
                r"/applications/(\d+)/guilds/(\d+)/commands",
                lambda app, g: self._commands(body, g),
            ),
            ("POST", r"/channels/(\d+)/messages", lambda c: self._create_message(c, body)),
            (
                "PATCH",
                r"/channels/(\d+)/messages/(\d+)",
                lambda c, m: self._edit_message(c, m, body),
            ),
            (
                "PUT",
                r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me",
                lambda *a: (204, None),
            ),
            (
                "POST",
                r"/channels/(\d+)/messages/(\d+)/threads",
                lambda c, m: self._thread(c, m, body),
            ),
            ("POST", r"/channels/(\d+)/threads", lambda c: self._thread(c, None, body)),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("PATCH", r"/channels/(\d+)", lambda c: self._edit_thread(c, body)),
            ("DELETE", r"/channels/(\d+)", self._delete_thread),
            ("PUT", r"/channels/(\d+)/thread-members/(\d+)", self._add_thread_member),
            ("POST", r"/users/@me/channels", lambda: self._dm(body)),
            ("GET", r"/users/@me/guilds", self._my_guilds),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._guild_member),
            (
                "POST",
                r"/interactions/(\d+)/([^/]+)/callback",
                lambda i, t: self._callback(i, body, token=t),
            ),
            ("POST", r"/webhooks/(\d+)/([^/]+)", lambda a, t: self._followup(t, body)),
            (
                "GET",
                r"/webhooks/(\d+)/([^/]+)/messages/@original",
                lambda a, t: self._original(t),
            ),
            (
                "PATCH",
                r"/webhooks/(\d+)/([^/]+)/messages/@original",
                lambda a, t: self._edit_original(t, body),
            ),
        ]
        at = re.match(r"/channels/(\d+)", path)
        if at is not None and at.group(1) in self.deleted_channels:
            return 404, {"message": "Unknown Channel", "code": 10003}
        for want_method, pattern, handler in routes:
            m = re.fullmatch(pattern, path)
            if m and method == want_method:
                return handler(*m.groups())
        return 404, {"message": "404: Not Found", "code": 0}

    def _application(self) -> tuple[int, Any]:
        return 200, {
            "id": self.application_id,
            "name": "Micromentor",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.users["admin"],
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
        }

    def _my_guilds(self) -> tuple[int, Any]:
        """Partial guilds with the bot's permissions there (its roles', without overwrites)."""
        if not self.member_at_ready:
            return 200, []
        granted = int(p.MEMBER_PERMISSIONS) | self.bot_permissions
        return 200, [
            {
                "id": self.guild_id,
                "name": "Acme",
                "icon": None,
                "owner": False,
                "permissions": str(granted),
                "features": [],
            }
        ]

    def _gateway_bot(self) -> tuple[int, Any]:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}

    def _commands(self, body: Any, guild_id: str | None) -> tuple[int, Any]:
        out = []
        for cmd in body:
            out.append(
                {
                    "id": self.ids(),
                    "application_id": self.application_id,
                    "version": self.ids(),
                    "type": 1,
                    "default_member_permissions": None,
                    **cmd,
                    **({"guild_id": guild_id} if guild_id else {}),
                }
            )
        return 200, out

    def _create_message(self, channel_id: str, body: Any, *, flags: int = 0) -> tuple[int, Any]:
        problems = message_problems(body)
        if len(str(body.get("nonce") or "")) > 25:
            problems.append("nonce over 25 characters")
        if len((body.get("allowed_mentions") or {}).get("users") or []) > 100:
            problems.append("more than 100 allowed mention users")
        refused = self._over_limits("message", problems)
        if refused is not None:
            return refused
        if self.dm_channels.get(channel_id) in self.closed_dms:
            return 403, {"message": "Cannot send messages to this user", "code": 50007}
        if self.dm_channels.get(channel_id) in self.strangers:
            return 403, {
                "message": "Cannot send messages to this user due to having no mutual guilds",
                "code": 50278,
            }
        thread = self.threads.get(channel_id)
        if thread is not None:
            meta = thread["thread_metadata"]
            if meta["locked"]:  # only members with Manage Threads may write in a locked thread
                return 400, {"message": "Thread is locked", "code": 160005}
            meta["archived"] = False  # "Sending a message will automatically unarchive the thread"
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            # "If another message was created by the same author with the same nonce, that
            # message will be returned and no new message will be created" (for a few minutes).
            seen = self.nonces.get(str(nonce))
            if seen is not None and time.monotonic() - seen[1] < NONCE_MINUTES * 60:
                return 200, self.messages[seen[0]]
        guild_id = None if channel_id in self.dm_channels else self.guild_id
        msg = p.message(
            self.ids(),
            channel_id=channel_id,
            author=self.bot_user,
            body=body,
            guild_id=guild_id,
            flags=flags,
        )
        msg["allowed_mentions"] = body.get("allowed_mentions")
        self.messages[msg["id"]] = msg
        if nonce is not None and body.get("enforce_nonce"):
            self.nonces[str(nonce)] = (msg["id"], time.monotonic())
        return 200, msg

    def _edit_message(self, channel_id: str, message_id: str, body: Any) -> tuple[int, Any]:
        msg = self.messages.get(message_id)
        if msg is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        edited = {k: msg.get(k) for k in ("content", "embeds", "components", "attachments")}
        edited |= {k: v for k, v in body.items() if k in edited}
        refused = self._over_limits("edit", message_problems(edited))
        if refused is not None:
            return refused
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                msg[key] = body[key] if body[key] is not None else ([] if key != "content" else "")
        msg["edited_timestamp"] = p.NOW
        msg.setdefault("edits", 0)
        msg["edits"] += 1
        return 200, msg

    def _get_channel(self, channel_id: str) -> tuple[int, Any]:
        if channel_id in self.threads:
            return 200, self.threads[channel_id]
        return 404, {"message": "Unknown Channel", "code": 10003}

    def _bot_moderates(self) -> bool:
        """Discord's thread moderator: a member with Manage Threads (or Administrator)."""
        allowed = self.bot_permissions | int(p.MEMBER_PERMISSIONS)
        return bool(allowed & (p.MANAGE_THREADS | p.ADMINISTRATOR))

    def _edit_thread(self, channel_id: str, body: Any) -> tuple[int, Any]:
        thread = self.threads.get(channel_id)
        if thread is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        # Modify Channel on a thread: "When setting archived to false, when locked is also
        # false, only the SEND_MESSAGES permission is required. Otherwise, requires the
        # MANAGE_THREADS permission."
        unarchiving = body == {"archived": False}
        if not unarchiving and not self._bot_moderates():
            return 403, {"message": "Missing Permissions", "code": 50013}
        meta = thread["thread_metadata"]
        for key in ("archived", "locked", "invitable"):
            if key in body:
                meta[key] = bool(body[key])
        return 200, thread

    def _delete_thread(self, channel_id: str) -> tuple[int, Any]:
        """Delete Channel: "MANAGE_THREADS if the channel is a thread"."""
        thread = self.threads.get(channel_id)
        if thread is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        if not self._bot_moderates():
            return 403, {"message": "Missing Permissions", "code": 50013}
        del self.threads[channel_id]
        self.thread_members.pop(channel_id, None)
        return 200, thread

    def _thread(self, channel_id: str, message_id: str | None, body: Any) -> tuple[int, Any]:
        if message_id is not None and message_id in self.threads:
            # Discord allows one thread per message; its id is the message's id.
            return 400, {
                "message": "A thread has already been created for this message",
                "code": 160004,
            }
        private = message_id is None and body.get("type") == 12
        thread_id = message_id or self.ids()
        thread = p.thread_channel(
            thread_id,
            body["name"],
            guild_id=self.guild_id,
            parent_id=channel_id,
            owner_id=self.application_id,
            private=private,
            # "whether non-moderators can add other non-moderators to a thread; only
            # available when creating a private thread" (true unless it says otherwise)
            invitable=bool(body.get("invitable", True)) if private else True,
        )
        self.threads[thread_id] = thread
        self.thread_members[thread_id] = []
        return 201, thread

    def _add_thread_member(self, thread_id: str, user_id: str) -> tuple[int, Any]:
        thread = self.threads.get(thread_id)
        if thread is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        invitable = thread["thread_metadata"].get("invitable", True)
        if thread["type"] == 12 and not invitable and not self._bot_moderates():
            # Of a private thread that is not invitable only moderators may add anyone.
            return 403, {"message": "Missing Permissions", "code": 50013}
        self.thread_members.setdefault(thread_id, []).append(user_id)
        return 204, None

    def _dm(self, body: Any) -> tuple[int, Any]:
        user_id = str(body["recipient_id"])
        dm_id = next((d for d, u in self.dm_channels.items() if u == user_id), None) or self.ids()
        self.dm_channels[dm_id] = user_id
        recipient = next(u for u in self.users.values() if u["id"] == user_id)
        return 200, {"id": dm_id, "type": 1, "last_message_id": None, "recipients": [recipient]}

    def _guild_member(self, guild_id: str, user_id: str) -> tuple[int, Any]:
        """Get Guild Member: 404 Unknown Member for someone not (any more) in the server."""
        name = next((n for n, u in self.users.items() if u["id"] == user_id), None)
        if guild_id != self.guild_id or name is None or user_id in self.strangers:
            return 404, {"message": "Unknown Member", "code": 10007}
        return 200, p.member(self.users[name], roles=self.member_roles.get(name))

    def _interaction(self, interaction_id: str) -> dict[str, Any]:
        """The interaction the fake sent with this id ({} for one it did not send)."""
        sent = (d for e, d in reversed(self.dispatched) if e == "INTERACTION_CREATE")
        return next((d for d in sent if d.get("id") == interaction_id), {})

    def _callback(self, interaction_id: str, body: Any, *, token: str) -> tuple[int, Any]:
        if interaction_id in self.acknowledged:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        interaction = self._interaction(interaction_id)
        if body["type"] in (6, 7) and interaction and "message" not in interaction:
            # DEFERRED_UPDATE_MESSAGE and UPDATE_MESSAGE are "only valid for component-based
            # interactions": a slash command, or a form it opened, has no message to update.
            # (Discord documents the rule, not its error: this answer is the fake's own.)
            return 400, {"message": "Interaction has no message to update", "code": 50035}
        data = body.get("data") or {}
        if body["type"] == 9:
            refused = self._over_limits("modal", modal_problems(data))
        elif body["type"] in (4, 7) and data:
            problems = message_problems(data)
            if body["type"] == 7:  # an update may change only some parts of the message
                problems = [x for x in problems if x != "empty message"]
            refused = self._over_limits("interaction response", problems)
        else:
            refused = None
        if refused is not None:
            return refused
        if body["type"] == 9:  # a form: its submission comes with the message, if there is one
            self.modal_messages[body["data"]["custom_id"]] = interaction.get("message")
        self.acknowledged.add(interaction_id)
        flags = (body.get("data") or {}).get("flags", 0)
        if body["type"] in (4, 5):  # a message of its own: "thinking…" (LOADING) until edited
            loading = LOADING if body["type"] == 5 else 0
            original = p.message(
                self.ids(), channel_id="0", author=self.bot_user, body=data, flags=flags | loading
            )
            self.messages[original["id"]] = original
            self.originals[token] = original["id"]
        elif body["type"] in (6, 7) and "message" in interaction:
            self.originals[token] = interaction["message"]["id"]
        return 200, {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": body["type"]},
        }

    def _token_refused(self, token: str) -> tuple[int, Any] | None:
        """Why the token's webhook takes nothing now, if it does not."""
        if self.tokens_expired:  # an interaction token lives 15 minutes
            return 401, {"message": "Invalid Webhook Token", "code": 50027}
        sent = (d for e, d in reversed(self.dispatched) if e == "INTERACTION_CREATE")
        interaction = next((d for d in sent if d.get("token") == token), None)
        if interaction is not None and interaction["id"] not in self.acknowledged:
            # Follow-ups are "sent after responding to an interaction"; before, the token's
            # webhook is unknown (tokens the fake did not issue are taken, for tests that
            # store answers on made-up ones).
            return 404, {"message": "Unknown Webhook", "code": 10015}
        return None

    def _thinking(self, token: str) -> dict[str, Any] | None:
        """The token's deferred "thinking…" response while it is not answered yet."""
        msg = self.messages.get(self.originals.get(token, ""))
        return msg if msg is not None and msg["flags"] & LOADING else None

    def _followup(self, token: str, body: Any) -> tuple[int, Any]:
        refused = self._token_refused(token)
        if refused is not None:
            return refused
        if token in self.dismissed:
            return UNKNOWN_MESSAGE  # the "thinking…" it would replace is gone
        if self._thinking(token) is not None:
            # "When using this endpoint directly after responding to an interaction with
            # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, this endpoint will function as Edit
            # Original Interaction Response for backwards compatibility" (deprecated).
            return self._edit_original(token, body)
        status, msg = self._create_message("0", body, flags=(body.get("flags") or 0))
        return status, msg

    def _original(self, token: str) -> tuple[int, Any]:
        """Get Original Interaction Response."""
        refused = self._token_refused(token)
        if refused is not None:
            return refused
        msg = self.messages.get(self.originals.get(token, ""))
        if msg is None or token in self.dismissed:
            return UNKNOWN_MESSAGE
        return 200, msg

    def _edit_original(self, token: str, body: Any) -> tuple[int, Any]:
        """Edit Original Interaction Response: the "thinking…" becomes the answer (no longer
        LOADING; its ephemerality is the deferral's), or the response's message is edited."""
        status, msg = self._original(token)
        if status != 200:
            return status, msg
        status, edited = self._edit_message(msg["channel_id"], msg["id"], body)
        if status == 200:
            edited["flags"] &= ~LOADING
        return status, edited


async def read_body(request: web.Request) -> Any:
    if request.content_type == "application/json":
        return await request.json()
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        payload: dict[str, Any] = {"files": []}
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload.update(json.loads(await part.text()))  # type: ignore[union-attr]
            else:
                payload["files"].append(part.filename)  # type: ignore[union-attr]
        return payload
    raw = await request.read()
    return json.loads(raw) if raw else None


def ratelimit_headers(*, remaining: int, reset_after: float = 1.0) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": "fakebucket",
        "Via": "1.1 google",
    }


def too_many_requests(retry_after: float) -> web.Response:
    headers = ratelimit_headers(remaining=0, reset_after=retry_after)
    headers["Retry-After"] = str(max(1, round(retry_after)))
    headers["X-RateLimit-Scope"] = "user"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    return json_response(body, status=429, headers=headers)


def global_too_many_requests(retry_after: float) -> web.Response:
    """Discord's global rate limit: no bucket headers, ``X-RateLimit-Global`` and the global
    scope, Retry-After in whole seconds (rounded up) and the exact wait in the body."""
    headers = {
        "Retry-After": str(math.ceil(retry_after)),
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
        "Via": "1.1 google",
    }
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": True}
    return json_response(body, status=429, headers=headers)


def cloudflare_too_many_requests(retry_after: int | None) -> web.Response:
    """A 429 from Cloudflare in front of the API (an IP banned for too many invalid requests):
    an HTML page, none of Discord's headers, a Retry-After only sometimes."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    page = "<html><body><h1>Error 1015</h1><p>You are being rate limited.</p></body></html>"
    return web.Response(text=page, status=429, content_type="text/html", headers=headers)


def json_response(data: Any, *, status: int, headers: dict[str, str]) -> web.Response:
    # Exactly "application/json" (no charset), as Discord sends it; discord.py compares verbatim.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**headers, "Content-Type": "application/json"},
    )
