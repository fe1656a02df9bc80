"""The audit trail: every admin action is a row (who, what, which question or person, when);
`/mentoradmin audit` shows the latest ones."""

from __future__ import annotations

from bot.actors import require_admin
from bot.commands import Actor
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Text, UserText, lines, text
from bot.privacy.commands import AuditRosterImport, ShowAudit
from bot.privacy.model import AuditEntry
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "AUDIT_SHOWN",
    "OPERATOR",
    "audit",
    "audit_line",
    "audit_roster_import",
    "show_audit",
]

AUDIT_SHOWN = 20  # entries `/mentoradmin audit` shows
# Who the command line acts as in the audit trail.
OPERATOR = Actor(UserRef("cli", "operator"), "operator (CLI)", WorkspaceRef("cli", "-"))


async def audit(
    ctx: Context, actor: Actor, action: str, *, subject: str = "", detail: str = ""
) -> None:
    """Record an admin action in this same transaction (rolled back with it)."""
    await ctx.uow.audit.add(
        AuditEntry(
            workspace=actor.workspace,
            actor=actor.user,
            actor_name=actor.name,
            action=action,
            subject=subject,
            detail=detail[:500],
            at=ctx.clock.now(),
        )
    )


def audit_line(entry: AuditEntry) -> Text:
    """``2026-11-29 10:04 UTC · ada (slack:U1) · forget · slack:U2 · …``; names are untrusted."""
    who = entry.actor_name or entry.actor.id
    out = text(f"{entry.at:%Y-%m-%d %H:%M} UTC · ", UserText(who), f" ({entry.actor.key()}) · ")
    out = out + text(Bold(entry.action))
    if entry.subject:
        out = out + text(" · ", UserText(entry.subject))
    if entry.detail:
        out = out + text(" · ", UserText(entry.detail))
    return out


async def show_audit(cmd: ShowAudit, ctx: Context) -> None:
    require_admin(cmd.actor, ctx.config, "`/mentoradmin audit`")
    entries = await ctx.uow.audit.recent([cmd.actor.workspace], limit=AUDIT_SHOWN)
    body = [audit_line(e) for e in entries] or [text("No admin actions recorded yet.")]
    ctx.reply(
        ChatMessage(title=text(Bold(f"Audit trail (latest {AUDIT_SHOWN})")), body=lines(body))
    )


async def audit_roster_import(cmd: AuditRosterImport, ctx: Context) -> None:
    operator = Actor(OPERATOR.user, OPERATOR.name, cmd.workspace)
    detail = f"{cmd.mentors} mentor(s) from {cmd.source}" if cmd.source else f"{cmd.mentors}"
    await audit(ctx, operator, "roster import", detail=detail)
