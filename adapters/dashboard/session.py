"""Who is signed in to the dashboard: the session cookie (HttpOnly, SameSite=Lax, 8 hours), the
CSRF token every form carries, the workspace an admin is looking at, and the size a form may be."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from starlette.requests import Request

from bot.actors import listed_admin
from bot.app import App
from bot.commands import Actor
from bot.privacy.model import DashboardGrant
from bot.privacy.signin import csrf_token, token_hash
from bot.refs import WorkspaceRef

__all__ = [
    "COOKIE",
    "MAX_FORM",
    "Signed",
    "asked_workspace",
    "check_csrf",
    "form_too_large",
    "signed_in",
]

COOKIE = "mm_session"
# The dashboard's forms are a few hundred bytes; a bigger body is refused unread (the sign-in
# form takes requests from anyone).
MAX_FORM = 16 * 1024


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: the admin, their workspaces, the one shown, and the form token."""

    token: str
    grant: DashboardGrant
    workspace: WorkspaceRef
    # Recorded as an admin of `workspace` by the platform (not only by ``[bot] admins``).
    platform_admin: bool = True
    # What the header shows: each workspace's own name, and the admin's (their id when unknown).
    workspace_names: tuple[tuple[WorkspaceRef, str], ...] = ()
    admin_name: str = ""

    def workspace_name(self, ref: WorkspaceRef | None = None) -> str:
        """The name of workspace `ref` (the one shown when None), or its id when it has none."""
        ref = ref or self.workspace
        return dict(self.workspace_names).get(ref, "") or ref.id

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)

    def seal(self, said: str) -> str:
        """What vouches that `said` (the outcome shown after a form) came from this session's
        own redirect, not from a link someone else wrote."""
        return hmac.new(
            self.token.encode("utf-8"), b"said:" + said.encode("utf-8"), hashlib.sha256
        ).hexdigest()

    def sealed(self, said: str, seal: str) -> bool:
        return _same(seal, self.seal(said))

    def actor(self) -> Actor:
        """The admin as the bus sees them (an admin when the link was issued, and still by the
        bot's record or ``[bot] admins``: see `signed_in`). The platform's role is what the bot
        recorded, repeated, not a new reading: one of ``[bot] admins`` alone carries none
        (None), so acting here never records them as the workspace's own admin."""
        return Actor(
            user=self.grant.admin,
            name=self.admin_name or self.grant.admin_name or self.grant.admin.id,
            workspace=self.workspace,
            platform_admin=True if self.platform_admin else None,
        )


async def signed_in(app: App, request: Request, *, ws: str | None = None) -> Signed | None:
    """The request's session, or None (no cookie, unknown, expired, a workspace not its own, or
    an admin no longer of the workspace shown: neither an admin by the configuration
    (`listed_admin`: ``[bot] admins``, the console's admin) nor recorded as that workspace's
    admin, e.g. forgotten, or seen there without the platform's admin rights since).
    Per workspace: being an admin of another workspace (a Discord or Enterprise Grid id is the
    same person in all) says nothing about this one. `ws`: the workspace asked for, instead of
    the request's ``ws`` ("": the admin's first)."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    async with app.uow_factory(read_only=True) as uow:
        grant = await uow.privacy.use_grant(token_hash(token), "session", app.clock.now())
        admin_of = await uow.people.admin_of(grant.admin) if grant is not None else set()
        named = {w.ref: w.name for w in await uow.workspaces.all()} if grant else {}
        person = await uow.people.get(grant.admin) if grant is not None else None
    if grant is None or not grant.workspaces:
        return None
    wanted = await asked_workspace(request) if ws is None else ws
    workspace = grant.workspaces[0]
    if wanted:
        chosen = WorkspaceRef.from_key(wanted)
        if chosen not in grant.workspaces:
            return None  # per workspace: never another workspace's data
        workspace = chosen
    recorded = workspace in admin_of
    if not listed_admin(grant.admin, app.config) and not recorded:
        return None
    known = person.name if person is not None and person.name != grant.admin.id else ""
    return Signed(
        token=token,
        grant=grant,
        workspace=workspace,
        platform_admin=recorded,
        workspace_names=tuple((w, named.get(w, "")) for w in grant.workspaces),
        admin_name=known or grant.admin_name or grant.admin.id,
    )


async def asked_workspace(request: Request) -> str:
    """The workspace a page (``?ws=``) or a form (its ``ws`` field) asks for; "" for none."""
    wanted = request.query_params.get("ws", "")
    if not wanted and request.method == "POST":
        wanted = str((await request.form()).get("ws", ""))
    return wanted


async def check_csrf(request: Request, signed: Signed) -> bool:
    """Whether a POSTed form carries this session's token."""
    sent = str((await request.form()).get("csrf", ""))
    return _same(sent, signed.csrf)


def _same(sent: str, expected: str) -> bool:
    # As bytes: compare_digest raises on a str with non-ASCII characters, which anyone can send.
    return bool(sent) and hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def form_too_large(request: Request) -> bool:
    """Whether a POST's body is over `MAX_FORM` (or of no declared length: browsers declare it)."""
    declared = request.headers.get("content-length", "")
    if not (declared.isascii() and declared.isdigit() and len(declared) <= 9):
        return True
    return int(declared) > MAX_FORM
