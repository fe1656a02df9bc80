"""What the bot measures about itself (questions, timings, platform calls), as a port the
composition root fills with Prometheus metrics; the event handlers that feed it after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.events import Event, QuestionAsked, QuestionClaimed, QuestionResolved, QuestionUnanswered
from bot.messagebus import Context, EventHandler

__all__ = ["Metrics", "NullMetrics", "metric_handlers"]


class Metrics(Protocol):
    """Counters and timings; every method is cheap and never raises."""

    def question(self, *, workspace: str, outcome: str, seconds: float | None = None) -> None:
        """A question was asked / claimed / resolved / left unanswered (`seconds` since asked)."""

    def api_call(self, *, platform: str, method: str, seconds: float, status: int) -> None:
        """One call to a platform's API took `seconds` and answered `status` (429: limited)."""


class NullMetrics:
    """Measures nothing (tests, the console, CLI commands)."""

    def question(self, *, workspace: str, outcome: str, seconds: float | None = None) -> None:
        return None

    def api_call(self, *, platform: str, method: str, seconds: float, status: int) -> None:
        return None


_OUTCOME: dict[type[Event], str] = {
    QuestionAsked: "asked",
    QuestionClaimed: "claimed",
    QuestionResolved: "resolved",
    QuestionUnanswered: "unanswered",
}


def metric_handlers(metrics: Metrics) -> dict[type[Event], Sequence[EventHandler]]:
    """Event handlers that count questions by workspace and time claims and resolutions; they
    count only once the decision is committed."""

    async def observe(event: Event, ctx: Context) -> None:
        number = getattr(event, "question_id", None)
        if number is None:
            return
        question = await ctx.uow.questions.get(number)
        if question is None:
            return
        outcome = _OUTCOME[type(event)]
        since = {"claimed": question.claimed_at, "resolved": question.resolved_at}.get(outcome)
        seconds = (since - question.created_at).total_seconds() if since else None
        workspace = question.workspace.key()
        ctx.after_commit.append(
            lambda: metrics.question(workspace=workspace, outcome=outcome, seconds=seconds)
        )

    return {kind: [observe] for kind in _OUTCOME}
