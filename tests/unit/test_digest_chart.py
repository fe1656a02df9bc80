"""The digest chart, read from matplotlib's figure: legend colours are the bars' colours, a
topic nobody mentors still shows a bar, and counts are ticked in whole numbers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from bot.digest.chart import GAP_STUB, draw_digest_chart, render_digest_chart
from bot.digest.figures import Digest, IsoWeek, TopicCoverage, WeekTally
from bot.refs import WorkspaceRef

COVERAGE = (
    TopicCoverage("kubernetes", 3, 0),
    TopicCoverage("python", 2, 2),
    TopicCoverage("rust", 1, 1),
)


@pytest.fixture
def digest() -> Digest:
    return Digest(
        workspace=WorkspaceRef("test", "T1"),
        week=IsoWeek(2026, 48),
        tz="UTC",
        this=WeekTally(asked=3, claimed=2, resolved=1, unanswered=1),
        previous=WeekTally(asked=1, claimed=1, resolved=1),
        coverage=COVERAGE,
        gaps=(COVERAGE[0], COVERAGE[2]),
    )


def _bars(ax: object) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]  # type: ignore[attr-defined]


def test_every_legend_colour_is_a_colour_of_the_bars_it_names(digest: Digest) -> None:
    fig = draw_digest_chart(digest)
    for ax in fig.axes:
        bar_colours = {to_hex(b.get_facecolor()) for b in _bars(ax)}
        legend = ax.get_legend()
        entries = {
            t.get_text(): to_hex(h.get_facecolor())
            for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
        }
        assert set(entries.values()) <= bar_colours, (entries, bar_colours)
    topics = fig.axes[1]
    legend = topics.get_legend()
    entries = {
        t.get_text(): to_hex(h.get_facecolor())
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    # Gap bars are red and the legend says so; the other mentor bars have their own colour.
    gap_colour = entries["mentors: skill gap"]
    mentor_bars = sorted(_bars(topics), key=lambda b: b.get_y())[::2]  # the lower of each pair
    by_topic = dict(zip(["rust", "python", "kubernetes"], mentor_bars, strict=True))
    assert to_hex(by_topic["kubernetes"].get_facecolor()) == gap_colour
    assert to_hex(by_topic["python"].get_facecolor()) == entries["mentors"]


def test_a_topic_without_mentors_still_has_a_visible_bar_labelled_zero(digest: Digest) -> None:
    topics = draw_digest_chart(digest).axes[1]
    widths = [b.get_width() for b in _bars(topics)]
    assert min(widths) >= GAP_STUB > 0
    labels = [t.get_text() for t in topics.texts]
    assert "0" in labels


def test_count_axes_have_whole_number_ticks(digest: Digest) -> None:
    fig = draw_digest_chart(digest)
    fig.canvas.draw()
    counts, topics = fig.axes
    for ticks in (counts.get_yticks(), topics.get_xticks()):
        assert len(ticks) >= 2
        assert all(float(t).is_integer() for t in ticks), ticks


def test_the_chart_is_a_png(digest: Digest, tmp_path: Path) -> None:
    png = render_digest_chart(digest)
    assert png.startswith(b"\x89PNG")
    (tmp_path / "digest.png").write_bytes(png)


def test_when_every_topic_is_a_skill_gap_the_legend_names_no_unused_colour(
    digest: Digest,
) -> None:
    all_gaps = (TopicCoverage("kubernetes", 3, 0), TopicCoverage("rust", 1, 1))
    topics = draw_digest_chart(
        Digest(
            workspace=digest.workspace,
            week=digest.week,
            tz="UTC",
            this=digest.this,
            previous=digest.previous,
            coverage=all_gaps,
            gaps=all_gaps,
        )
    ).axes[1]
    bar_colours = {to_hex(b.get_facecolor()) for b in _bars(topics)}
    legend = topics.get_legend()
    entries = {
        t.get_text(): to_hex(h.get_facecolor())
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    assert set(entries) == {"asked", "mentors: skill gap"}
    assert set(entries.values()) <= bar_colours, (entries, bar_colours)


def test_the_topics_title_says_only_the_most_asked_are_shown(digest: Digest) -> None:
    many = tuple(TopicCoverage(f"topic{i}", 10 - i, 1) for i in range(10))
    fig = draw_digest_chart(replace(digest, coverage=many, gaps=()))
    titles = [ax.get_title() for ax in fig.axes]
    assert any(t.startswith("Top 8 of 10 topics") for t in titles), titles
    few = draw_digest_chart(digest)
    assert not any(t.startswith("Top 8") for t in (ax.get_title() for ax in few.axes))


def test_a_workspaces_first_week_is_charted_without_a_week_before_it(digest: Digest) -> None:
    first = replace(digest, previous=WeekTally(), previous_known=False)
    counts = draw_digest_chart(first).axes[0]
    assert [t.get_text() for t in counts.get_legend().get_texts()] == ["2026-W48"]
    assert len(_bars(counts)) == 4  # asked, claimed, resolved, unanswered: this week's only


def test_with_many_topics_the_title_fits_and_the_legend_covers_no_bar(digest: Digest) -> None:
    """Seen in a real digest: 18 topics clipped the title at the figure's edge and the legend,
    in the corner of the axes, sat on the last topic's bars."""
    names = ["python packaging", "career growth", "kubernetes", "concurrency"]
    many = tuple(TopicCoverage(f"{names[i % 4]} {i}", 19 - i, i % 2) for i in range(18))
    fig = draw_digest_chart(replace(digest, coverage=many, gaps=many[1::2]))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    edge = fig.bbox
    for ax in fig.axes:
        title = ax.title.get_window_extent(renderer)
        assert edge.x0 <= title.x0 and title.x1 <= edge.x1, (ax.get_title(), title, edge)
        legend = ax.get_legend().get_window_extent(renderer)
        assert edge.x0 <= legend.x0 and legend.x1 <= edge.x1 and legend.y0 >= edge.y0
        covered = [b for b in _bars(ax) if b.get_window_extent(renderer).overlaps(legend)]
        assert covered == [], ax.get_title()
