"""Prometheus metrics: counters and histograms fed by the bot as it works, and gauges read from
the database at each scrape (questions by state, queue backlog, failed deliveries)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = ["PrometheusMetrics"]

# Seconds: from a minute to a day, the span between a quick claim and a slow resolution.
_TIME_BUCKETS = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, float("inf"))
_API_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, float("inf"))


class PrometheusMetrics:
    """The `bot.metrics.Metrics` port over its own registry (not the global one: tests and
    replicas in one process stay apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.questions = Counter(
            "micromentor_questions",
            "Questions by outcome (asked, claimed, resolved, unanswered) in this process",
            ["workspace", "outcome"],
            registry=self.registry,
        )
        self.time_to_claim = Histogram(
            "micromentor_time_to_claim_seconds",
            "From asking to the claim",
            ["workspace"],
            buckets=_TIME_BUCKETS,
            registry=self.registry,
        )
        self.time_to_resolve = Histogram(
            "micromentor_time_to_resolve_seconds",
            "From asking to the resolution",
            ["workspace"],
            buckets=_TIME_BUCKETS,
            registry=self.registry,
        )
        self.api_latency = Histogram(
            "micromentor_platform_api_seconds",
            "Calls to a platform's API",
            ["platform", "method"],
            buckets=_API_BUCKETS,
            registry=self.registry,
        )
        self.api_rate_limited = Counter(
            "micromentor_platform_api_rate_limited",
            "Platform API answers 429 (rate limited)",
            ["platform", "method"],
            registry=self.registry,
        )

    def question(self, *, workspace: str, outcome: str, seconds: float | None = None) -> None:
        self.questions.labels(workspace, outcome).inc()
        if seconds is None:
            return
        if outcome == "claimed":
            self.time_to_claim.labels(workspace).observe(seconds)
        elif outcome == "resolved":
            self.time_to_resolve.labels(workspace).observe(seconds)

    def api_call(self, *, platform: str, method: str, seconds: float, status: int) -> None:
        self.api_latency.labels(platform, method).observe(seconds)
        if status == 429:
            self.api_rate_limited.labels(platform, method).inc()

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Gauges from `snapshot`, refreshed by the server before each scrape."""
        self.registry.register(snapshot)


class Snapshot(Collector):
    """Database figures read just before a scrape (the server fills `questions` and `queues`)."""

    def __init__(self) -> None:
        self.questions: dict[tuple[str, str], int] = {}
        self.queues: list[tuple[str, dict[str, int], float]] = []
        self.taken_at: datetime = datetime.now(UTC)

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        states = GaugeMetricFamily(
            "micromentor_questions_by_state",
            "Questions in the database by workspace and state",
            labels=["workspace", "state"],
        )
        for (workspace, state), n in sorted(self.questions.items()):
            states.add_metric([workspace, state], n)
        yield states
        items = GaugeMetricFamily(
            "micromentor_queue_items",
            "Inbox, outbox and nudge rows by state (pending: the backlog)",
            labels=["queue", "state"],
        )
        oldest = GaugeMetricFamily(
            "micromentor_queue_oldest_due_seconds",
            "How long the oldest due, pending row of each queue has waited",
            labels=["queue"],
        )
        failed = GaugeMetricFamily(
            "micromentor_deliveries_failed",
            "Outbox deliveries that failed for good",
        )
        failed_total = 0
        for queue, by_state, waited in self.queues:
            for state, n in sorted(by_state.items()):
                items.add_metric([queue, state], n)
            oldest.add_metric([queue], waited)
            if queue == "outbox":
                failed_total = by_state.get("failed", 0)
        failed.add_metric([], failed_total)
        yield items
        yield oldest
        yield failed
