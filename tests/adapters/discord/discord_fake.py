"""A loopback fake of Discord: the REST API (v10) and the gateway websocket, recording requests."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord_payloads as p
from aiohttp import WSMsgType, web
from discord_fake_faults import Faults
from discord_fake_rest import FakeRestApi, json_response, ratelimit_headers, read_body

__all__ = ["FakeDiscord", "Recorded"]

API = "/api/v10"
CALLBACK = re.compile(r"/interactions/\d+/[^/]+/callback")
# Gateway intents Discord calls privileged: Server Members, Presences, Message Content.
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)


@dataclass
class Recorded:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    status: int = 200

    def content(self) -> str:
        """The message text of a JSON body ("" for anything else)."""
        return str(self.body.get("content") or "") if isinstance(self.body, dict) else ""

    def json(self) -> dict[str, Any]:
        assert isinstance(self.body, dict), self.body
        return self.body


@dataclass
class FakeDiscord(FakeRestApi, Faults):
    """One guild with a #mentoring and a #mentor-admins channel, a bot and three members."""

    ids: p.Snowflakes = field(default_factory=p.Snowflakes)
    requests: list[Recorded] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    identify: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        new = self.ids
        self.application_id = new()
        self.bot_user = p.user(self.application_id, "micromentor", bot=True)
        self.guild_id = new()
        self.mentoring_id = new()
        self.admin_id = new()
        self.users = {name: p.user(new(), name) for name in ("alice", "bob", "carol", "admin")}
        self.nicks: dict[str, str] = {}  # a server nickname (Discord's per-server name)
        # Roles a server admin made (`restrict_channel`), each member's, and each channel's
        # permission overwrites, as Discord documents them.
        self.roles: list[dict[str, Any]] = []
        self.member_roles: dict[str, list[str]] = {}
        self.overwrites: dict[str, list[dict[str, Any]]] = {}
        self.channel_names = {self.mentoring_id: "mentoring", self.admin_id: "mentor-admins"}
        self.threads: dict[str, dict[str, Any]] = {}
        self.deleted_channels: set[str] = set()
        self.thread_members: dict[str, list[str]] = {}
        self.dm_channels: dict[str, str] = {}  # dm channel id -> user id
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        Faults.__init__(self)
        self.closed_dms: set[str] = set()
        self.strangers: set[str] = set()
        self.privileged_intents = 0  # those switched on in the Developer Portal
        # A close code Discord answers IDENTIFY with (4004 a bad token, 4011 sharding needed …).
        self.close_at_identify: int | None = None
        # The bot's own role, with the permissions README's invite link grants (`grant_bot`).
        self.bot_role_id = new()
        self.bot_permissions = p.INVITE_PERMISSIONS
        # Seconds between READY and the guild's GUILD_CREATE (Discord backfills unavailable
        # guilds "lazily"): longer than the bot's guild_ready_timeout, it comes after on_ready.
        self.guild_create_delay = 0.0
        # False: the bot is in no server when it connects (READY lists none) until `invited`.
        self.member_at_ready = True
        self._later: set[asyncio.Task[None]] = set()
        self.nonces: dict[str, tuple[str, float]] = {}
        self.acknowledged: set[str] = set()
        self.originals: dict[str, str] = {}
        self.dismissed: set[str] = set()
        self.modal_messages: dict[str, dict[str, Any] | None] = {}
        self.tokens_expired = False
        # Seconds Discord takes to process an interaction's response (the callback) before it
        # takes effect and is answered: its follow-ups are refused until then.
        self.callback_delay = 0.0
        # Payloads outside Discord's documented limits (`discord_limits`): refused as Discord
        # does (400, 50035), and asserted empty when the fake stops.
        self.violations: list[str] = []
        self.dispatched: list[tuple[str, dict[str, Any]]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- server ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        self.release_holds()
        for task in list(self._later):
            task.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()
        # A payload real Discord would have refused fails the test that sent it.
        breaches, self.violations = self.violations, []
        assert not breaches, f"payloads Discord's limits refuse: {breaches}"

    @property
    def api_url(self) -> str:
        return self.base_url + API

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway"

    # --- waiting on what the bot did ---------------------------------------------------------

    async def _record(self, entry: Recorded) -> None:
        async with self._changed:
            self.requests.append(entry)
            self._changed.notify_all()

    async def wait_for(
        self, predicate: Callable[[Recorded], bool], *, count: int = 1, within: float = 10.0
    ) -> list[Recorded]:
        """The first `count` recorded requests matching `predicate`, waiting for them to arrive."""

        def found() -> list[Recorded]:
            return [r for r in self.requests if predicate(r)]

        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: len(found()) >= count)
        return found()[:count]

    async def wait_request(
        self, method: str, pattern: str, *, count: int = 1, **kw: Any
    ) -> list[Recorded]:
        rx = re.compile(pattern)
        return await self.wait_for(
            lambda r: r.method == method and rx.fullmatch(r.path) is not None, count=count, **kw
        )

    async def wait_until(self, check: Callable[[], bool], *, within: float = 10.0) -> None:
        """Until `check()` holds for the fake's state (re-checked after every request)."""
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(check)

    def close_dms(self, name: str) -> None:
        """This member does not accept DMs from the bot: sends to them get 403, code 50007."""
        self.closed_dms.add(self.users[name]["id"])

    def leave_every_server(self, name: str) -> None:
        """This member shares no server with the bot any more: DMs get 403, code 50278."""
        self.strangers.add(self.users[name]["id"])

    async def archive_thread(self, thread_id: str, *, locked: bool = False) -> None:
        """The thread archives (after inactivity), or a moderator locks it; Discord tells the bot."""
        meta = self.threads[thread_id]["thread_metadata"]
        meta.update(archived=True, locked=locked)
        await self.dispatch("THREAD_UPDATE", self.threads[thread_id])

    def _channel_payload(self, channel_id: str) -> dict[str, Any]:
        position = list(self.channel_names).index(channel_id)
        name = self.channel_names[channel_id]
        return p.channel(
            channel_id,
            name,
            guild_id=self.guild_id,
            position=position,
            overwrites=self.overwrites.get(channel_id),
        )

    async def restrict_channel(
        self, channel_id: str, *, seen_by: tuple[str, ...], what: int = p.VIEW_CHANNEL
    ) -> None:
        """A server admin takes `what` (View Channel by default) away from @everyone in a
        channel and gives it back to a new role, which `seen_by` and the bot's role get:
        Discord sends GUILD_ROLE_CREATE and CHANNEL_UPDATE."""
        role = p.role(self.ids(), "Mentoring", permissions=0, managed=False)
        self.roles.append(role)
        for name in seen_by:
            self.member_roles.setdefault(name, []).append(role["id"])
        await self.dispatch("GUILD_ROLE_CREATE", {"guild_id": self.guild_id, "role": role})
        await self.set_overwrites(
            channel_id,
            [
                p.overwrite(self.guild_id, deny=what),
                p.overwrite(role["id"], allow=what),
                p.overwrite(self.bot_role_id, allow=what),
            ],
        )

    async def set_overwrites(self, channel_id: str, overwrites: list[dict[str, Any]]) -> None:
        """A channel's permission overwrites change: Discord sends CHANNEL_UPDATE."""
        self.overwrites[channel_id] = overwrites
        await self.dispatch("CHANNEL_UPDATE", self._channel_payload(channel_id))

    async def delete_channel(self, channel_id: str, *, tell: bool = True) -> None:
        """A server admin deletes a channel: its messages and threads go with it, and Discord
        sends CHANNEL_DELETE (a channel object) — unless `tell` is false (the bot was not
        connected to hear it)."""
        payload = self._channel_payload(channel_id)
        del self.channel_names[channel_id]
        self.deleted_channels.add(channel_id)
        for thread_id, thread in list(self.threads.items()):
            if thread["parent_id"] == channel_id:
                del self.threads[thread_id]
                self.deleted_channels.add(thread_id)
        for message_id, message in list(self.messages.items()):
            if message["channel_id"] in self.deleted_channels:
                del self.messages[message_id]
        if tell:
            await self.dispatch("CHANNEL_DELETE", payload)

    async def create_channel(self, name: str) -> str:
        """A server admin creates a text channel: CHANNEL_CREATE; returns its id."""
        channel_id = self.ids()
        self.channel_names[channel_id] = name
        await self.dispatch("CHANNEL_CREATE", self._channel_payload(channel_id))
        return channel_id

    def dismiss_thinking(self, token: str) -> None:
        """The member dismisses the ephemeral "thinking…" message of interaction `token`: the
        edit that would have replaced it (or a follow-up, which Discord takes for that edit) is
        answered 404 Unknown Message (10008)."""
        self.dismissed.add(token)

    def expire_interaction_tokens(self) -> None:
        """From now on follow-ups answer 401, as for tokens older than 15 minutes."""
        self.tokens_expired = True

    # --- gateway -------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif frame["op"] == 2:
                self.identify = frame["d"]
                if self.close_at_identify is not None:
                    await ws.close(code=self.close_at_identify, message=b"Closed.")
                    break
                if frame["d"]["intents"] & PRIVILEGED_INTENTS & ~self.privileged_intents:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                await self._ready()
        return ws

    async def _ready(self) -> None:
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": self.bot_user,
                "guilds": [{"id": self.guild_id, "unavailable": True}]
                if self.member_at_ready
                else [],
                "session_id": "fake-session",
                "resume_gateway_url": self.gateway_url,
                "shard": [0, 1],
                "application": {"id": self.application_id, "flags": 0},
                "private_channels": [],
                "relationships": [],
                "user_settings": {},
            },
        )
        if not self.member_at_ready:
            return
        if not self.guild_create_delay:
            await self.dispatch("GUILD_CREATE", self.guild_payload())
            return

        async def later() -> None:
            await asyncio.sleep(self.guild_create_delay)
            await self.dispatch("GUILD_CREATE", self.guild_payload())

        task = asyncio.create_task(later())
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    def reinvite_while_stopped(self) -> None:
        """While the bot is not connected, the server removes it and invites it again: the
        bot's role is made anew (a new id; what was granted to the old one is gone), and
        READY lists the server as ever (the bot was not connected to hear either)."""
        self.bot_role_id = self.ids()
        self.bot_permissions = p.INVITE_PERMISSIONS
        self.member_at_ready = True

    async def invited(self) -> None:
        """Someone invites the running bot to the server: its GUILD_CREATE (a join: without
        `unavailable`, which marks a guild becoming available, GUILD_CREATE's other cases)."""
        self.member_at_ready = True
        payload = self.guild_payload()
        del payload["unavailable"]
        await self.dispatch("GUILD_CREATE", payload)

    async def guild_outage(self) -> None:
        """The guild becomes unavailable (a Discord outage): GUILD_DELETE, unavailable true."""
        await self.dispatch("GUILD_DELETE", {"id": self.guild_id, "unavailable": True})

    async def guild_returns(self) -> None:
        """ "when a Guild becomes available again": its GUILD_CREATE."""
        await self.dispatch("GUILD_CREATE", self.guild_payload())

    def guild_payload(self) -> dict[str, Any]:
        channels = [self._channel_payload(cid) for cid in self.channel_names]
        me = p.member(self.bot_user, roles=[self.bot_role_id])
        members = [me] + [
            p.member(u, roles=self.member_roles.get(n)) for n, u in self.users.items()
        ]
        return p.guild_create(
            self.guild_id,
            "Acme",
            owner_id=self.users["admin"]["id"],
            channels=channels,
            members=members,
            roles=[self._bot_role(), *self.roles],
        )

    def _bot_role(self) -> dict[str, Any]:
        return p.role(self.bot_role_id, "Micromentor", permissions=self.bot_permissions)

    async def grant_bot(self, permissions: int) -> None:
        """A server admin gives the bot's role more permissions; Discord tells the bot."""
        self.bot_permissions |= permissions
        await self.dispatch(
            "GUILD_ROLE_UPDATE", {"guild_id": self.guild_id, "role": self._bot_role()}
        )

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        assert self._ws is not None, "the bot has not connected to the gateway"
        self._seq += 1
        self.dispatched.append((event, data))
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    async def replay(self, event: str) -> None:
        """Send the last `event` again, as Discord does when it replays events after a RESUME."""
        data = next(d for e, d in reversed(self.dispatched) if e == event)
        await self.dispatch(event, data)

    # --- driving the bot as users would ----------------------------------------------------------

    def member(self, name: str) -> dict[str, Any]:
        perms = p.ADMIN_PERMISSIONS if name == "admin" else p.MEMBER_PERMISSIONS
        return p.member(
            self.users[name],
            permissions=perms,
            nick=self.nicks.get(name),
            roles=self.member_roles.get(name),
        )

    def _common(self, name: str, channel_id: str | None = None) -> dict[str, Any]:
        return {
            "interaction_id": self.ids(),
            "application_id": self.application_id,
            "guild_id": self.guild_id,
            "channel_id": channel_id or self.mentoring_id,
            "who": self.member(name),
        }

    async def slash(
        self,
        name: str,
        command: str,
        options: list[dict[str, Any]],
        *,
        autocomplete: bool = False,
        mentioning: tuple[str, ...] = (),
        channel_id: str | None = None,
    ) -> str:
        """Run a slash command (or its autocomplete) as user `name`, in #mentoring or the server's
        channel `channel_id`; returns the interaction token. `mentioning` names the users that
        USER options refer to (sent as ``data.resolved``)."""
        resolved = None
        if mentioning:
            users = {self.users[n]["id"]: self.users[n] for n in mentioning}
            members = {}
            for uid, u in users.items():
                m = p.member(u)
                m.pop("user")
                members[uid] = m
            resolved = {"users": users, "members": members}
        payload = p.slash_interaction(
            command,
            options,
            command_id=self.ids(),
            resolved=resolved,
            **self._common(name, channel_id),
        )
        if autocomplete:
            payload["type"] = 4
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["token"])

    async def click(self, name: str, custom_id: str, message_id: str) -> str:
        """Press a button as `name`; on a message in the bot's DM it is a DM interaction (a user,
        no guild), as Discord sends it."""
        msg = self.messages[message_id]
        common = self._common(name, msg["channel_id"])
        if msg["channel_id"] in self.dm_channels:
            common.update(guild_id=None, who=self.users[name])
        payload = p.component_interaction(custom_id, message=msg, **common)
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["token"])

    async def submit_modal(
        self,
        name: str,
        modal: dict[str, Any],
        value: str | dict[str, str],
        *,
        channel_id: str | None = None,
    ) -> str:
        """Fill the text inputs of a modal the bot opened (a type 9 callback's data) and submit:
        every one with `value`, or each with ``value[custom_id]``; from the bot's DM channel
        `channel_id` it is a DM interaction, as for :meth:`click`. A modal a button opened is
        submitted with the button's message, as Discord does; one a slash command opened has
        none."""

        def filled(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for c in components:
                if c["type"] == 1:
                    out.append({"type": 1, "components": filled(c["components"])})
                elif c["type"] == 18:
                    out.append({"type": 18, "component": filled([c["component"]])[0]})
                elif c["type"] == 4:
                    typed = value if isinstance(value, str) else value[c["custom_id"]]
                    out.append({"type": 4, "custom_id": c["custom_id"], "value": typed})
            return out

        common = self._common(name, channel_id)
        if channel_id in self.dm_channels:
            common.update(guild_id=None, who=self.users[name])
        message = self.modal_messages.get(modal["custom_id"])
        payload = p.modal_submit(
            modal["custom_id"], filled(modal["components"]), message=message, **common
        )
        await self.dispatch("INTERACTION_CREATE", payload)
        return str(payload["token"])

    async def react(self, name: str, channel_id: str, message_id: str, emoji: str = "✋") -> None:
        user = self.users[name]
        await self.dispatch(
            "MESSAGE_REACTION_ADD",
            p.reaction_add(
                user_id=user["id"],
                guild_id=self.guild_id,
                channel_id=channel_id,
                message_id=message_id,
                emoji=emoji,
                who=p.member(user, nick=self.nicks.get(name)),
            ),
        )

    async def unreact(self, name: str, channel_id: str, message_id: str, emoji: str = "✋") -> None:
        """MESSAGE_REACTION_REMOVE: Discord sends no member with it."""
        data = p.reaction_add(
            user_id=self.users[name]["id"],
            guild_id=self.guild_id,
            channel_id=channel_id,
            message_id=message_id,
            emoji=emoji,
            who={},
        )
        data.pop("member")
        await self.dispatch("MESSAGE_REACTION_REMOVE", data)

    async def say(self, name: str, channel_id: str, *, kind: int = 0) -> None:
        """A member writes in a channel or thread (no content: the bot has no message intent);
        a `kind` other than 0 is a system message Discord makes for what they did (6: a pin,
        7: someone added to the thread, 4: the thread renamed)."""
        user = self.users[name]
        msg = p.message(
            self.ids(), channel_id=channel_id, author=user, body={}, guild_id=self.guild_id
        )
        msg["type"] = kind
        msg["member"] = {k: v for k, v in p.member(user).items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", msg)

    async def webhook_says(self, channel_id: str) -> None:
        """A webhook posts (an integration): its author is the webhook, not a user or a bot."""
        webhook_id = self.ids()
        author = {"id": webhook_id, "username": "Deploys", "avatar": None, "discriminator": "0000"}
        msg = p.message(
            self.ids(), channel_id=channel_id, author=author, body={}, guild_id=self.guild_id
        )
        msg["webhook_id"] = webhook_id
        await self.dispatch("MESSAGE_CREATE", msg)

    # --- what the bot sent -------------------------------------------------------------------------

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in self.messages.values() if m["channel_id"] == channel_id]

    def interaction_callbacks(self, token: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(f"/{token}/callback")]

    async def followups(
        self, token: str, *, count: int = 1, within: float = 10.0
    ) -> list[Recorded]:
        """The answers on interaction `token`, in order: the edit of its "thinking…" response
        (Edit Original Interaction Response) and follow-ups (Create Followup Message)."""
        return await self.wait_for(lambda r: self.answered_on(token, r), count=count, within=within)

    def answered_on(self, token: str, r: Recorded) -> bool:
        """Whether `r` answers on interaction `token` (an edit of its original or a follow-up)."""
        if r.method == "POST":
            return re.fullmatch(rf"/webhooks/\d+/{re.escape(token)}", r.path) is not None
        original = rf"/webhooks/\d+/{re.escape(token)}/messages/@original"
        return r.method == "PATCH" and re.fullmatch(original, r.path) is not None

    def is_ephemeral(self, r: Recorded) -> bool:
        """Whether answer `r` shows to its member only: a follow-up by its flags, the edit of a
        "thinking…" by the deferral's (an edit sets none)."""
        at = re.fullmatch(r"/webhooks/\d+/([^/]+)/messages/@original", r.path)
        if r.method == "PATCH" and at is not None:
            original = self.messages.get(self.originals.get(at.group(1), ""))
            return original is not None and bool(original["flags"] & 64)
        return isinstance(r.body, dict) and bool(int(r.body.get("flags") or 0) & 64)

    def edited_original(self, token: str) -> list[Recorded]:
        """The edits of interaction `token`'s original response (its "thinking…")."""
        return [r for r in self.requests if r.method == "PATCH" and self.answered_on(token, r)]

    # --- REST --------------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body = await read_body(request)
        entry = Recorded(request.method, path, dict(request.query), body)
        fault = self.fault(request.method, path)
        if fault is not None:
            if fault.effect:
                await self._do(request.method, path, body)
            entry.status = fault.status
            await self._record(entry)
            return fault.respond()
        status, data = await self._do(request.method, path, body)
        entry.status = status
        await self._record(entry)
        held = self.hold(request.method, path)
        if held is not None:
            await held.wait()
        if status == 204:
            return web.Response(status=204)
        return json_response(data, status=status, headers=ratelimit_headers(remaining=4))

    async def _do(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        """What the request asks for, with the gateway event Discord sends about it."""
        if self.callback_delay and method == "POST" and CALLBACK.fullmatch(path):
            await asyncio.sleep(self.callback_delay)  # Discord at work: nothing taken yet
        status, data = self._answer(method, path, body)
        if path.startswith("/channels/") and path.endswith("/threads") and status == 201:
            await self.dispatch("THREAD_CREATE", {**data, "newly_created": True})
        return status, data
