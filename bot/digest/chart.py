"""The digest chart: a PNG drawn with matplotlib's Agg backend (no display, thread-safe figures)."""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from bot.digest.figures import Digest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CHART_HINT = (
    "The weekly chart needs the charts extra: `pip install 'micromentor[charts]'` "
    "(or build the image with `--build-arg EXTRAS=charts`)."
)


class ChartUnavailable(RuntimeError):
    """matplotlib is not installed (the ``[charts]`` extra); the message says how to get it."""


__all__ = ["CHART_HINT", "GAP_STUB", "ChartUnavailable", "draw_digest_chart", "render_digest_chart"]

_THIS = "#2b8a5e"  # this week; topics: asked
_BEFORE = "#b8c2cc"  # last week
_MENTORS = "#4a6fa5"  # topics: mentors who list it
_GAP = "#d9534f"  # topics: mentors, where that is a skill gap
# A topic nobody mentors still gets a visible bar this long (labelled 0), not an invisible one.
GAP_STUB = 0.12
_TITLE_PAD = 20  # points: room for the legend's one row under each title


def render_digest_chart(digest: Digest) -> bytes:
    """The chart as PNG bytes."""
    out = BytesIO()
    draw_digest_chart(digest).savefig(out, format="png")
    return out.getvalue()


def draw_digest_chart(digest: Digest) -> Figure:
    """Questions this week against last week, and topics asked against mentors who list them."""
    # Imported here: matplotlib is heavy, optional, and only the digest needs it.
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import Patch
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise ChartUnavailable(CHART_HINT) from None

    fig = Figure(figsize=(10, 4.2), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    counts, topics = fig.subplots(1, 2, width_ratios=(1, 1.3))
    labels = ["asked", "claimed", "resolved", "unanswered"]
    t, p = digest.this, digest.previous
    now = [t.asked, t.claimed, t.resolved, t.unanswered]
    before = [p.asked, p.claimed, p.resolved, p.unanswered]
    xs = range(len(labels))
    if digest.previous_known:
        counts.bar(
            [x - 0.2 for x in xs], before, 0.4, label=digest.week.previous().label, color=_BEFORE
        )
        bars = counts.bar([x + 0.2 for x in xs], now, 0.4, label=digest.week.label, color=_THIS)
    else:  # the workspace's first week: no week before it to compare with
        before = []
        bars = counts.bar(list(xs), now, 0.6, label=digest.week.label, color=_THIS)
    counts.bar_label(bars, fontsize=8)
    counts.set_xticks(list(xs), labels)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))  # questions come whole
    counts.set_ylim(bottom=0, top=max(1, *now, *before) * 1.15)
    counts.set_title("Questions", pad=_TITLE_PAD)
    _legend_under_title(counts, counts.get_legend_handles_labels()[0])
    shown = list(digest.coverage[:8])[::-1]
    if shown:
        ys = range(len(shown))
        gaps = set(digest.gaps)
        asked = topics.barh([y + 0.2 for y in ys], [c.asked for c in shown], 0.4, color=_THIS)
        mentors = topics.barh(
            [y - 0.2 for y in ys],
            [max(c.mentors, GAP_STUB) for c in shown],
            0.4,
            color=[_GAP if c in gaps else _MENTORS for c in shown],
        )
        topics.bar_label(asked, fontsize=8)
        topics.bar_label(mentors, labels=[str(c.mentors) for c in shown], fontsize=8)
        topics.set_yticks(list(ys), [c.topic for c in shown])
        topics.xaxis.set_major_locator(MaxNLocator(integer=True))
        topics.set_xlim(
            left=0, right=max(1, *(c.asked for c in shown), *(c.mentors for c in shown)) * 1.15
        )
        # The legend names each colour the bars use (a per-bar colour list would otherwise
        # lend the legend whichever colour the first bar had).
        handles = [Patch(color=_THIS, label="asked")]
        if any(c not in gaps for c in shown):
            handles.append(Patch(color=_MENTORS, label="mentors"))
        if gaps & set(shown):
            handles.append(Patch(color=_GAP, label="mentors: skill gap"))
        _legend_under_title(topics, handles)
    else:
        topics.text(0.5, 0.5, "no topics asked", ha="center", va="center")
        topics.set_axis_off()
    # Only the most asked fit: the title says so when some are left out (the legend says
    # what the bars are; a title long enough to say it too ran off the figure).
    most = (
        f"Top {len(shown)} of {len(digest.coverage)} topics"
        if len(digest.coverage) > 8
        else "Topics"
    )
    topics.set_title(f"{most} asked, and who mentors them", pad=_TITLE_PAD)
    fig.suptitle(f"Micromentor {digest.week.label}")
    return fig


def _legend_under_title(ax: Axes, handles: Sequence[Artist]) -> None:
    """The legend in one row between the title and the plot: inside the plot it sat on bars
    (the longest ones are at the top or the right, where a corner legend goes)."""
    ax.legend(
        handles=handles,
        frameon=False,
        fontsize=8,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=max(1, len(handles)),
        borderaxespad=0.2,
    )
