"""Who is signed in to the dashboard: the session cookie (HttpOnly, SameSite=Lax, 8 hours), the
CSRF token every form carries, and the workspace an admin is looking at."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import Request

from bot.app import App
from bot.commands import Actor
from bot.privacy.model import DashboardGrant
from bot.privacy.signin import csrf_token, token_hash
from bot.refs import WorkspaceRef

__all__ = ["COOKIE", "Signed", "check_csrf", "signed_in"]

COOKIE = "mm_session"


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: the admin, their workspaces, the one shown, and the form token."""

    token: str
    grant: DashboardGrant
    workspace: WorkspaceRef

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)

    def actor(self) -> Actor:
        """The admin as the bus sees them (checked an admin when the link was issued)."""
        return Actor(
            user=self.grant.admin,
            name=self.grant.admin_name or self.grant.admin.id,
            workspace=self.workspace,
            platform_admin=True,
        )


async def signed_in(app: App, request: Request) -> Signed | None:
    """The request's session, or None (no cookie, unknown, expired, or a workspace not its own)."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    async with app.uow_factory(read_only=True) as uow:
        grant = await uow.privacy.use_grant(token_hash(token), "session", app.clock.now())
    if grant is None or not grant.workspaces:
        return None
    wanted = request.query_params.get("ws", "")
    if not wanted and request.method == "POST":
        wanted = str((await request.form()).get("ws", ""))
    workspace = grant.workspaces[0]
    if wanted:
        chosen = WorkspaceRef.from_key(wanted)
        if chosen not in grant.workspaces:
            return None  # per workspace: never another workspace's data
        workspace = chosen
    return Signed(token=token, grant=grant, workspace=workspace)


async def check_csrf(request: Request, signed: Signed) -> bool:
    """Whether a POSTed form carries this session's token."""
    sent = str((await request.form()).get("csrf", ""))
    return bool(sent) and hmac.compare_digest(sent, signed.csrf)
