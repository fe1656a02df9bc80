"""Retention (`[privacy]`): question texts and rating comments are removed after
`keep_text_days`; processed inputs, delivered messages and finished reminders are deleted after
`keep_log_days` (inputs and messages, which hold texts too, after `keep_text_days` at the
latest). A daily run, stored in the inbox under the day's key, so that of any number of
replicas ticking at once exactly one runs it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.messagebus import Context
from bot.privacy.commands import ApplyRetention
from bot.privacy.model import RetentionResult

__all__ = ["apply_retention", "removed_text", "retention_key"]

log = logging.getLogger(__name__)


def removed_text(days: int) -> str:
    return f"[removed after {days} day{'' if days == 1 else 's'}]"


def retention_key(now: datetime) -> str:
    """The inbox key of a day's run: the same at every replica, so it is stored once."""
    return f"retention:{now:%Y-%m-%d}"


async def retention(ctx: Context, now: datetime) -> RetentionResult:
    cfg = ctx.config.privacy
    texts, comments = await ctx.uow.privacy.redact_texts(
        now - timedelta(days=cfg.keep_text_days), removed=removed_text(cfg.keep_text_days)
    )
    before = now - timedelta(days=cfg.keep_log_days)
    # Inputs and sent messages hold what people wrote: never kept longer than the texts are.
    said = now - timedelta(days=min(cfg.keep_log_days, cfg.keep_text_days))
    pruned = await ctx.uow.inbox.prune(said) + await ctx.uow.outbox.prune(said)
    pruned += await ctx.uow.privacy.prune_logs(before)
    return RetentionResult(texts_removed=texts, comments_removed=comments, log_rows_pruned=pruned)


async def apply_retention(cmd: ApplyRetention, ctx: Context) -> None:
    # The in-memory similar-question indexes keep the words of removed texts until the next
    # start; they only rank, and what is shown is read from the database.
    done = await retention(ctx, cmd.now)
    log.info(
        "retention: %d texts and %d comments removed, %d log rows pruned",
        done.texts_removed,
        done.comments_removed,
        done.log_rows_pruned,
    )
