"""Dashboard sign-in without shared passwords: a one-time link (random, 10 minutes, single use)
DM'd to an admin starts a session (8 hours). Only the SHA-256 of a token is stored, so the
database alone opens nothing; a link is taken by one conditional UPDATE, so it works once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from bot.actors import ensure_person, require_admin
from bot.commands import Actor
from bot.config import Config
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Link, text
from bot.ports import UnitOfWork
from bot.privacy.commands import OpenDashboard
from bot.privacy.model import AuditEntry, DashboardGrant
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "DASHBOARD_PORT",
    "csrf_token",
    "dashboard_base_url",
    "issue_link",
    "open_dashboard",
    "sign_in",
    "signin_url",
    "token_hash",
]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(session_token: str) -> str:
    """The token every form of a session carries (derived from the secret session token)."""
    return hmac.new(session_token.encode("utf-8"), b"csrf", hashlib.sha256).hexdigest()


# Where `micromentor dashboard` serves unless told otherwise (`--port`).
DASHBOARD_PORT = 3001


def dashboard_base_url(config: Config, *, port: int | None = None) -> str:
    """Where admins open the dashboard: [dashboard] public_url, else ``PUBLIC_URL``
    (`Config.dashboard_url`), else this machine on `port` (the HTTP port `run` serves it on;
    without one — the console serves none — `micromentor dashboard`'s default port)."""
    return config.dashboard_url() or f"http://localhost:{port or DASHBOARD_PORT}"


def signin_url(base: str, token: str) -> str:
    return f"{base}/admin/signin?token={token}"


async def issue_link(
    uow: UnitOfWork,
    *,
    admin: UserRef,
    name: str,
    workspaces: tuple[WorkspaceRef, ...],
    now: datetime,
    config: Config,
    issued_by: Actor | None = None,
) -> str:
    """Store a new one-time link for `admin`; returns its token (stored hashed only). With
    `issued_by`, the audit trail of each of its workspaces says who issued it (for someone
    else: for whom), stamped as the link is, so the sign-in that follows comes after it."""
    token = secrets.token_urlsafe(32)
    grant = DashboardGrant(
        admin=admin,
        admin_name=name,
        workspaces=workspaces,
        expires_at=now + timedelta(minutes=config.dashboard.link_minutes),
    )
    await uow.privacy.add_grant(token_hash(token), "link", grant, now)
    if issued_by is None:
        return token
    for ws in workspaces:
        await uow.audit.add(
            AuditEntry(
                workspace=ws,
                actor=issued_by.user,
                actor_name=issued_by.name,
                action="dashboard link",
                subject="" if issued_by.user == admin else admin.key(),
                at=now,
            )
        )
    return token


async def sign_in(
    uow: UnitOfWork, link_token: str, *, now: datetime, config: Config
) -> tuple[str, DashboardGrant] | None:
    """Take a link (once) and start a session; None for a used, expired or unknown link.
    The caller commits."""
    grant = await uow.privacy.use_grant(token_hash(link_token), "link", now)
    if grant is None:
        return None
    session = secrets.token_urlsafe(32)
    grant = replace(grant, expires_at=now + timedelta(hours=config.dashboard.session_hours))
    await uow.privacy.add_grant(token_hash(session), "session", grant, now)
    for ws in grant.workspaces:
        await uow.audit.add(
            AuditEntry(
                workspace=ws,
                actor=grant.admin,
                actor_name=grant.admin_name,
                action="dashboard sign-in",
                at=now,
            )
        )
    return session, grant


def _served_by(command: str | None) -> str:
    """Where the link opens, for a process that serves no dashboard: `command` names the
    database when it is not the one `micromentor dashboard` opens by default."""
    if command is None:
        return " It opens while `micromentor dashboard` runs on this machine, on the same database."
    return f" It opens while `{command}` runs on this machine: the console keeps its own database."


async def open_dashboard(cmd: OpenDashboard, ctx: Context) -> None:
    require_admin(cmd.actor, ctx.config, "the dashboard")
    await ensure_person(ctx, cmd.actor)  # the dashboard's sessions last while this says admin
    # The dashboard checks the link on real time: a simulated clock (the console) doesn't count.
    now = (ctx.services.credential_clock or ctx.clock).now()
    token = await issue_link(
        ctx.uow,
        admin=cmd.actor.user,
        name=cmd.actor.name,
        workspaces=(cmd.actor.workspace,),
        now=now,
        config=ctx.config,
        issued_by=cmd.actor,
    )
    url = signin_url(dashboard_base_url(ctx.config, port=ctx.services.web_port), token)
    minutes = ctx.config.dashboard.link_minutes
    # This process serves no dashboard (the console): say what does, or the link leads nowhere.
    served_elsewhere = ctx.services.web_port is None and not ctx.config.dashboard_url()
    ctx.outbox.dm(
        cmd.actor.user,
        ChatMessage(
            title=text(Bold("Micromentor dashboard")),
            body=text(
                Link(url, "Sign in to the dashboard"),
                f" — this link works once, for {minutes} minutes. Don't forward it.",
                *((_served_by(ctx.services.dashboard_command),) if served_elsewhere else ()),
            ),
        ),
        secret=True,  # the stored copy loses the link once it went out
    )
    ctx.reply("I sent you a sign-in link for the dashboard by DM.")
