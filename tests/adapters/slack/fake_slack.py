"""A loopback fake of the Slack Web API (aiohttp on port 0) that records every call and answers
like Slack documents it; also serves response_url endpoints, file upload URLs and a Socket Mode
websocket (``apps.connections.open`` → ``/link/?ticket=…``)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.adapters.slack.slack_limits import message_problems, view_problems

__all__ = ["APP_ID", "BOT_USER", "TEAM_ID", "Call", "FakeSlack"]

TEAM_ID = "T0TEAM001"
BOT_USER = "U0BOT0001"
APP_ID = "A0APP0001"
# A rotating bot token lasts 12 hours (Slack's "Using token rotation").
TOKEN_SECONDS = 43_200

DEFAULT_CHANNELS = {
    "general": "C0GENERAL",
    "random": "C0RANDOM1",
    "mentoring": "C0MENTOR1",
    "mentor-admins": "C0ADMINS1",
    "watercooler": "C0WATER01",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    failed: bool = False
    answered: bool = False  # a response_url's POST: the fake has answered it (see `delay`)

    def text(self) -> str:
        """Everything the call would show: fallback text plus blocks, as one JSON string."""
        return json.dumps({k: self.params.get(k) for k in ("text", "blocks", "view")})


_DEBUG_INFO = {"host": "applink-fake-1", "build_number": 1, "approximate_connection_time": 18060}


class FakeSlack:
    """Records calls in `calls`; `fail_next` makes the next call of a method answer an HTTP error,
    `errors[method]` makes every call of it answer ``ok: false``; `upload_status` is what the
    upload URL answers (files land in `uploads`, file id → bytes).

    Socket Mode: `push` sends an envelope over the open websocket; the client's acks are recorded
    as calls of ``ack`` (failed when no such envelope was sent), connections as ``socket.open``
    and ``socket.close``."""

    def __init__(self, *, channels: dict[str, str] | None = None, page_size: int = 2) -> None:
        self.channels = dict(channels or DEFAULT_CHANNELS)
        self.page_size = page_size
        self.users: dict[str, dict[str, Any]] = {}
        # Ids that name nobody here: users.info answers ``user_not_found`` for them (other ids
        # not added with `add_user` get a made-up profile, as older tests expect).
        self.unknown_users: set[str] = set()
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.errors: dict[str, str] = {}
        # Refusals for one channel or user (e.g. a closed DM): channel id or user id → error.
        self.refuse: dict[str, str] = {}
        # Channels the bot is not a member of: chat.postMessage there answers `not_in_channel`
        # until conversations.join succeeds, which it does not for the `private` ones
        # (`method_not_supported_for_channel_type`, as Slack answers for a private channel).
        self.not_member: set[str] = set()
        # Archived channels: listed with ``is_archived`` (left out with exclude_archived).
        self.archived: set[str] = set()
        self.private: set[str] = set()
        # Who is in a channel (conversations.members): every user added and the bot, except the
        # ones listed here for a channel (channel id → user ids not in it). `members_page`: at
        # most this many a page (Slack may answer fewer than the `limit` asked for).
        self.not_in: dict[str, set[str]] = {}
        self.members_page: int | None = None
        # Group DMs conversations.open created (it returns the existing one for the same people).
        self.group_dms: set[str] = set()
        # Blocks Slack refuses: chat.postMessage/update/postEphemeral with non-empty blocks answer
        # this error (e.g. ``invalid_blocks``, ``msg_blocks_too_long``); text alone is accepted.
        self.refuse_blocks: str | None = None
        # Methods whose next call is applied but answered with this status (an outcome unknown
        # to the client: the message exists, the client sees a failure).
        self.fail_after_apply: dict[str, int] = {}
        # Seconds to wait before answering a method (a slow Slack); "response_url" too.
        self.delay: dict[str, float] = {}
        self._failures: dict[str, list[list[Any]]] = {}  # [status, headers, calls to let by]
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self.pending_files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.upload_status = 200
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.changed = asyncio.Event()
        self.tickets: set[str] = set()
        self.sockets: list[web.WebSocketResponse] = []
        self.envelopes: dict[str, dict[str, Any]] = {}
        self._tickets = itertools.count(1)
        self._envelope_ids = itertools.count(1)
        # OAuth: one-time codes → the grant oauth.v2.access answers; bot token → its workspace.
        self.oauth_client: tuple[str, str] | None = None
        self.grants: dict[str, dict[str, Any]] = {}
        self.workspaces: dict[str, dict[str, Any]] = {}
        # Token rotation: each refresh token Slack handed out and not yet spent → the bot token
        # it was issued with (a refresh spends it and hands out the next pair).
        self.refresh_tokens: dict[str, str] = {}
        self._refreshes = itertools.count(1)
        # Bot tokens Slack no longer accepts (uninstalled, revoked, workspace deleted): every
        # call made with one answers ``ok: false`` with this error (HTTP 200, as Slack does).
        self.dead_tokens: dict[str, str] = {}
        # trigger_ids Slack handed out (`issue_trigger`): views.open accepts each once, within
        # `trigger_seconds` of the interaction (unknown trigger ids are accepted, for old tests).
        self.trigger_seconds = 3.0
        self.triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self.views: dict[str, dict[str, Any]] = {}  # open modals by view id (views.open/update)
        self._view_ids = itertools.count(1)
        # The token's scopes, sent as Slack does on every Web API answer (`X-OAuth-Scopes`);
        # None sends no header.
        self.scopes: set[str] | None = None
        # Payloads outside Slack's documented limits (`slack_limits`): refused as Slack does,
        # and asserted empty when the fake stops.
        self.violations: list[str] = []

    # --- set-up -----------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        tz: str = "Europe/Berlin",
        email: str = "",
        team_id: str = TEAM_ID,
        bot: bool = False,
        guest: bool = False,
    ) -> None:
        """A user as users.info shows them: `team_id` their home workspace (another one's for
        someone in a Slack Connect channel), `bot` an app's bot user, `guest` a single-channel
        guest (``is_restricted`` and ``is_ultra_restricted``)."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team_id,
            "is_bot": bot,
            "is_restricted": guest,
            "is_ultra_restricted": guest,
            "name": name,
            "real_name": name.title(),
            "tz": tz,
            "is_admin": admin,
            "is_owner": False,
            "profile": {"display_name": name, "real_name": name.title(), "email": email},
        }

    def add_workspace(
        self,
        team_id: str,
        name: str,
        *,
        token: str,
        installer: str,
        code: str,
        channels: dict[str, str] | None = None,
        bot_user: str = BOT_USER,
        rotating: bool = False,
    ) -> None:
        """A workspace that installs the app: `code` is what Slack hands the redirect, the grant
        gives `token`; calls made with that token see the workspace's own channels. `rotating`:
        the app has token rotation on, so the grant also holds a refresh token and the token's
        12 hours (``expires_in``), as Slack's "Using token rotation" shows."""
        self.workspaces[token] = {
            "team_id": team_id,
            "team": name,
            "bot_user_id": bot_user,
            "channels": dict(channels or self.channels),
        }
        self.grants[code] = {
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,users:read",
            "bot_user_id": bot_user,
            "app_id": APP_ID,
            "team": {"id": team_id, "name": name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": installer},
        }
        if rotating:
            refresh = f"xoxe-1-{team_id.lower()}-0"
            self.refresh_tokens[refresh] = token
            self.grants[code] |= {"refresh_token": refresh, "expires_in": TOKEN_SECONDS}

    def issue_trigger(self, trigger_id: str) -> str:
        """A trigger_id as Slack puts it in an interaction payload (its 3 seconds start now)."""
        self.triggers[trigger_id] = time.monotonic()
        return trigger_id

    def token_of(self, call: Call) -> str:
        return str(call.params.get("_token", ""))

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        headers: dict[str, str] | None = None,
        channel: str | None = None,
        after: int = 0,
    ) -> None:
        """The next call of `method` (to `channel` only, when given) answers an HTTP error; with
        `after`, the call after that many answered ones (a second page: ``after=1``)."""
        key = f"{method}@{channel}" if channel else method
        self._failures.setdefault(key, []).append([status, headers or {"Retry-After": "1"}, after])

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.url}/respond/{key}"

    async def start(self) -> None:
        app = web.Application(client_max_size=50 * 1024**2, middlewares=[self._scopes_header])
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        app.router.add_get("/link/", self._link)
        app.on_shutdown.append(self._close_sockets)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    @web.middleware
    async def _scopes_header(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        if self.scopes is not None and request.path.startswith("/api/"):
            response.headers["X-OAuth-Scopes"] = ",".join(sorted(self.scopes))
        return response

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        # A payload real Slack would have refused fails the test that sent it, even when the
        # app coped (e.g. by sending text alone): the app should not have sent it.
        breaches, self.violations = self.violations, []
        assert not breaches, f"payloads Slack's limits refuse: {breaches}"

    # --- queries for tests --------------------------------------------------------------------

    def to(self, method: str, *, failed: bool = False, **where: Any) -> list[Call]:
        """Calls of `method` with these parameters (answered ones; the failed ones if `failed`)."""
        return [
            c
            for c in self.calls
            if c.method == method
            and c.failed == failed
            and all(c.params.get(k) == v for k, v in where.items())
        ]

    async def wait_for(
        self, predicate: Callable[[], Any], *, within: float = 10.0, what: str = "condition"
    ) -> Any:
        """Poll `predicate` on every recorded call (no fixed sleeps); return its first truthy value."""
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                names = [c.method for c in self.calls]
                raise AssertionError(f"timed out waiting for {what}; calls so far: {names}")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=min(remaining, 0.2))
            except TimeoutError:
                pass

    # --- Socket Mode ----------------------------------------------------------------------------

    async def socket(self, *, within: float = 10.0) -> web.WebSocketResponse:
        """The newest open Socket Mode connection (waiting for one)."""
        ws: web.WebSocketResponse = await self.wait_for(
            lambda: next((w for w in reversed(self.sockets) if not w.closed), None),
            within=within,
            what="a Socket Mode connection",
        )
        return ws

    async def push(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope (``slash_commands``, ``events_api`` or ``interactive``) as Slack does;
        returns its envelope id."""
        envelope_id = envelope_id or f"env-{next(self._envelope_ids):04d}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind == "slash_commands"
            or payload.get("type") in ("view_submission", "block_suggestion"),
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        ws = await self.socket()
        self.envelopes[envelope_id] = envelope
        await ws.send_json(envelope)
        return envelope_id

    async def ack_of(self, envelope_id: str, *, within: float = 10.0) -> Call:
        """The client's acknowledgement of an envelope (waiting for it)."""
        call: Call = await self.wait_for(
            lambda: next(iter(self.to("ack", envelope_id=envelope_id)), None),
            within=within,
            what=f"ack of {envelope_id}",
        )
        return call

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before it closes a connection."""
        ws = await self.socket()
        await ws.send_json({"type": "disconnect", "reason": reason, "debug_info": _DEBUG_INFO})

    async def _link(self, request: web.Request) -> web.StreamResponse:
        """The websocket URL handed out by apps.connections.open: hello, then envelopes out and
        acks in; pings are answered (autoping)."""
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            return web.Response(status=401, text="invalid ticket")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self._record("socket.open", {"ticket": ticket})
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": sum(1 for w in self.sockets if not w.closed),
                "debug_info": _DEBUG_INFO,
                "connection_info": {"app_id": APP_ID},
            }
        )
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    ack = json.loads(msg.data)
                except ValueError:
                    ack = {"raw": msg.data}
                self._record("ack", ack)
                if ack.get("envelope_id") not in self.envelopes:
                    self.calls[-1].failed = True
        finally:
            self._record("socket.close", {"ticket": ticket, "code": ws.close_code})
        return ws

    async def _close_sockets(self, _: web.Application) -> None:
        for ws in list(self.sockets):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

    # --- handlers -----------------------------------------------------------------------------

    def _record(self, method: str, params: dict[str, Any]) -> None:
        self.calls.append(Call(method, params))
        self.changed.set()

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        self._record("response_url", {"key": request.match_info["key"], **body})
        breach = message_problems(body)
        if breach:
            self.violations.append(f"response_url: {'; '.join(breach)}")
            self.calls[-1].failed = True
            return web.Response(status=400, text="invalid_blocks")
        if self.refuse_blocks and _blocks(body.get("blocks")):
            self.calls[-1].failed = True  # as Slack answers a response_url: 400 and the error
            return web.Response(status=400, text=self.refuse_blocks)
        call = self.calls[-1]
        await asyncio.sleep(self.delay.get("response_url", 0.0))
        call.answered = True
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload_url of files.getUploadURLExternal: the raw bytes in the POST body."""
        file_id = request.match_info["file_id"]
        data = await request.read()
        self._record("upload", {"file_id": file_id, "length": len(data)})
        if self.upload_status != 200:
            self.calls[-1].failed = True
            return web.Response(status=self.upload_status, text="upload refused")
        if file_id not in self.pending_files:
            self.calls[-1].failed = True
            return web.Response(status=404, text="no such upload")
        self.uploads[file_id] = data
        return web.Response(text=f"OK - {len(data)}")

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "GET":
            pass
        elif request.content_type == "application/json":
            params.update(await request.json())
        else:
            params.update(dict(await request.post()))
        for key in ("blocks", "view", "files"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            params["_client"] = (user, password)
        elif auth:
            params["_token"] = auth.removeprefix("Bearer ")
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self._record(method, params)
        target = str(params.get("channel") or params.get("users") or "")
        failures = self._failures.get(f"{method}@{target}") or self._failures.get(method)
        if failures and failures[0][2] > 0:
            failures[0][2] -= 1  # answered as usual this time
        elif failures:
            status, headers, _ = failures.pop(0)
            self.calls[-1].failed = True
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=status, headers=headers
            )
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        dead = self.dead_tokens.get(str(params.get("_token", "")))
        if dead is not None:
            self.calls[-1].failed = True
            return web.json_response({"ok": False, "error": dead})
        if target in self.refuse:
            self.calls[-1].failed = True
            return web.json_response({"ok": False, "error": self.refuse[target]})
        if method == "chat.postMessage" and target in self.not_member:
            self.calls[-1].failed = True
            return web.json_response({"ok": False, "error": "not_in_channel"})
        chat = ("chat.postMessage", "chat.update", "chat.postEphemeral")
        breach = (
            message_problems(params)
            if method in chat
            else view_problems(params.get("view") or {})
            if method.startswith("views.")
            else []
        )
        if breach:  # what real Slack would refuse: answered so, and remembered (`stop`)
            self.violations.append(f"{method}: {'; '.join(breach)}")
            self.calls[-1].failed = True
            error = "invalid_blocks" if method in chat else "invalid_arguments"
            return web.json_response({"ok": False, "error": error})
        if method in chat and self.refuse_blocks and _blocks(params.get("blocks")):
            self.calls[-1].failed = True
            return web.json_response({"ok": False, "error": self.refuse_blocks})
        if method in self.delay:
            await asyncio.sleep(self.delay[method])
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        result = handler(params) if handler else {}
        # `fail_after_apply` keys: a method, or "method@channel" for calls to one channel only.
        status = self.fail_after_apply.pop(f"{method}@{target}", None)
        if status is None:
            status = self.fail_after_apply.pop(method, None)
        if status is not None:
            self.calls[-1].failed = True
            return web.json_response({"ok": False, "error": "internal_error"}, status=status)
        if result.get("ok") is False:
            return web.json_response(result)
        return web.json_response({"ok": True, **result})

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        """Exchanges a one-time code for the workspace's bot token, or (token rotation,
        ``grant_type=refresh_token``) a refresh token for the next bot token and refresh token,
        as Slack documents: each refresh token works once."""
        client = p.get("_client") or (p.get("client_id"), p.get("client_secret"))
        if self.oauth_client is not None and tuple(client) != self.oauth_client:
            return {"ok": False, "error": "invalid_client_id"}
        if p.get("grant_type") == "refresh_token":
            old = self.refresh_tokens.pop(str(p.get("refresh_token", "")), None)
            if old is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            n = next(self._refreshes)
            token = f"{old.partition('~')[0]}~{n}"
            ws = self.workspaces[old]
            self.workspaces[token] = ws
            refresh = f"xoxe-1-{ws['team_id'].lower()}-{n}"
            self.refresh_tokens[refresh] = token
            return {
                "access_token": token,
                "token_type": "bot",
                "refresh_token": refresh,
                "expires_in": TOKEN_SECONDS,
                "scope": "chat:write,commands,users:read",
                "bot_user_id": ws["bot_user_id"],
                "app_id": APP_ID,
                "team": {"id": ws["team_id"], "name": ws["team"]},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        grant = self.grants.pop(str(p.get("code", "")), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        return grant

    def _auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspaces.get(str(p.get("_token", "")))
        if ws is not None:
            return {
                "url": f"https://{ws['team_id'].lower()}.slack.com/",
                "team": ws["team"],
                "user": "micromentor",
                "team_id": ws["team_id"],
                "user_id": ws["bot_user_id"],
                "bot_id": "B" + ws["team_id"][1:],
            }
        return {
            "url": "https://fake-team.slack.com/",
            "team": "Fake Team",
            "user": "micromentor",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": "B0BOT0001",
        }

    def _apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        """Only an app-level token may open a connection; answers a one-off websocket URL."""
        if not str(p.get("_token", "")).startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        ticket = f"ticket-{next(self._tickets):04d}"
        self.tickets.add(ticket)
        ws_url = self.url.replace("http://", "ws://", 1)
        return {"url": f"{ws_url}/link/?ticket={ticket}&app_id={APP_ID}"}

    def _conversations_join(self, p: dict[str, Any]) -> dict[str, Any]:
        if p.get("channel") in self.private:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        self.not_member.discard(str(p.get("channel")))
        return {"channel": {"id": p.get("channel"), "is_channel": True, "is_member": True}}

    def _conversations_list(self, p: dict[str, Any]) -> dict[str, Any]:
        ws = self.workspaces.get(str(p.get("_token", "")))
        channels = ws["channels"] if ws is not None else self.channels
        items = [
            {"id": cid, "name": name, "is_channel": True, "is_archived": cid in self.archived}
            for name, cid in channels.items()
            if not (cid in self.archived and p.get("exclude_archived") in (True, "true", "1"))
        ]
        start = int(p.get("cursor") or 0)
        page = items[start : start + self.page_size]
        nxt = start + self.page_size
        return {
            "channels": page,
            "response_metadata": {"next_cursor": str(nxt) if nxt < len(items) else ""},
        }

    def _conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        """A channel's member ids, with cursor pagination as Slack documents it (`limit`, at most
        1,000; `response_metadata.next_cursor`, empty at the end)."""
        channel = str(p.get("channel", ""))
        ws = self.workspaces.get(str(p.get("_token", "")))
        if channel not in (ws["channels"] if ws is not None else self.channels).values():
            return {"ok": False, "error": "channel_not_found"}
        outside = self.not_in.get(channel, set())
        members = [u for u in [*self.users, BOT_USER] if u not in outside]
        limit = min(int(p.get("limit") or 100), 1000, self.members_page or 1000)
        start = int(p.get("cursor") or 0)
        end = start + limit
        return {
            "members": members[start:end],
            "response_metadata": {"next_cursor": str(end) if end < len(members) else ""},
        }

    def _users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        uid = p["user"]
        if uid in self.unknown_users:
            return {"ok": False, "error": "user_not_found"}
        user = self.users.get(uid) or {"id": uid, "name": uid.lower(), "profile": {}, "tz": "UTC"}
        return {"user": user}

    def _users_lookupByEmail(self, p: dict[str, Any]) -> dict[str, Any]:
        """Someone of the calling token's workspace with that address (``users_not_found``)."""
        team = self.workspaces.get(str(p.get("_token", "")), {}).get("team_id", TEAM_ID)
        for user in self.users.values():
            if user["profile"].get("email") == p.get("email") and user["team_id"] == team:
                return {"user": user}
        return {"ok": False, "error": "users_not_found"}

    def _chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = p["channel"]
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        ts = self._next_ts()
        msg = {"type": "message", "ts": ts, "text": p.get("text", ""), "blocks": p.get("blocks")}
        metadata = p.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata:
            msg["metadata"] = metadata
        if p.get("thread_ts"):
            msg["thread_ts"] = p["thread_ts"]
            root = self.messages.get((channel, p["thread_ts"]))
            if root is not None:
                root["thread_ts"] = p["thread_ts"]
        self.messages[(channel, ts)] = msg
        return {"channel": channel, "ts": ts, "message": msg}

    def _chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages.get((p["channel"], p["ts"]))
        if msg is not None:
            msg.update(text=p.get("text", ""), blocks=p.get("blocks"))
        return {"channel": p["channel"], "ts": p["ts"], "text": p.get("text", "")}

    def _chat_postEphemeral(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        """The IM or group DM of `users` (created unless it exists). ``prevent_creation``
        ("used to see if there is an existing dm or mpdm", Slack's docs): an existing group DM,
        else no channel (what Slack answers then is not documented: ``ok`` with ``no_op``)."""
        users = sorted(str(p.get("users", "")).split(","))
        if len(users) == 1 and users[0].startswith("U"):  # an IM with the bot
            return {"channel": {"id": "D" + users[0][1:]}}
        group = "G" + "".join(u[-3:] for u in users).upper()
        if group not in self.group_dms:
            if str(p.get("prevent_creation", "")).lower() in ("1", "true"):
                return {"no_op": True, "already_open": False}
            self.group_dms.add(group)
        return {"channel": {"id": group}}

    @staticmethod
    def _shown(msg: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
        """Message metadata is returned only with include_all_metadata, as Slack documents."""
        if str(p.get("include_all_metadata", "")).lower() in ("1", "true"):
            return msg
        return {k: v for k, v in msg.items() if k != "metadata"}

    def _conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        root = self.messages.get((p["channel"], p["ts"]))
        if root is None:
            return {"ok": False, "error": "thread_not_found"}
        thread = [
            m
            for (channel, ts), m in sorted(self.messages.items())
            if channel == p["channel"] and (ts == p["ts"] or m.get("thread_ts") == p["ts"])
        ]
        return self._page(thread, p, default_limit=1000)

    def _conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages of a channel, newest first."""
        found = [
            m
            for (channel, ts), m in sorted(self.messages.items(), reverse=True)
            if channel == p["channel"] and m.get("thread_ts") in (None, ts)
        ]
        return self._page(found, p, default_limit=100)

    def _page(
        self, messages: list[dict[str, Any]], p: dict[str, Any], *, default_limit: int
    ) -> dict[str, Any]:
        """One page, as Slack's cursor pagination documents it: `limit` (at most 999),
        `cursor` from the previous page's `response_metadata.next_cursor` (opaque; empty at
        the end) and `has_more`."""
        limit = min(int(p.get("limit") or default_limit), 999)
        cursor = str(p.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().removeprefix("next:")) if cursor else 0
        end = start + limit
        more = end < len(messages)
        return {
            "messages": [self._shown(m, p) for m in messages[start:end]],
            "has_more": more,
            "response_metadata": {
                "next_cursor": base64.b64encode(f"next:{end}".encode()).decode() if more else ""
            },
        }

    def _views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        """A trigger_id works once, for 3 seconds (``expired_trigger_id``, ``trigger_exchanged``)."""
        trigger = str(p.get("trigger_id", ""))
        issued = self.triggers.get(trigger)
        if issued is not None and time.monotonic() - issued > self.trigger_seconds:
            return {"ok": False, "error": "expired_trigger_id"}
        if trigger in self._used_triggers:
            return {"ok": False, "error": "trigger_exchanged"}
        self._used_triggers.add(trigger)
        view_id = f"V0VIEW{next(self._view_ids):03d}"
        shown = {**p["view"], "id": view_id, "hash": f"{time.time():.6f}.{len(self.views)}"}
        self.views[view_id] = shown
        return {"view": shown}

    def _views_update(self, p: dict[str, Any]) -> dict[str, Any]:
        """Replaces an open modal; a stale `hash` answers ``hash_conflict``, as Slack does."""
        current = self.views.get(str(p.get("view_id", "")))
        if current is None:
            return {"ok": False, "error": "not_found"}
        if p.get("hash") and p["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        shown = {**p["view"], "id": current["id"], "hash": f"{time.time():.6f}.u"}
        self.views[current["id"]] = shown
        return {"view": shown}

    def _views_publish(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"view": {"id": "V0HOME001"}}

    def _files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F0FILE{next(self._file_ids):03d}"
        self.pending_files[file_id] = {"filename": p["filename"], "length": int(p["length"])}
        return {"upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        """Shares the uploaded files in `channel_id` (a reply when `thread_ts` is given)."""
        files = p.get("files") or []
        done = []
        for f in files:
            pending = self.pending_files.get(f.get("id", ""))
            data = self.uploads.get(f.get("id", ""))
            if pending is None or data is None or len(data) != pending["length"]:
                return {"ok": False, "error": "file_not_found"}
            done.append({"id": f["id"], "name": pending["filename"], "title": f.get("title", "")})
        if not done:
            return {"ok": False, "error": "invalid_arguments"}
        return {"files": done}


def _blocks(raw: object) -> list[Any]:
    """A call's ``blocks`` (a JSON string in a form-encoded call, a list in a JSON one)."""
    if isinstance(raw, str):
        raw = json.loads(raw or "[]")
    return list(raw) if isinstance(raw, list) else []
