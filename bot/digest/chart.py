"""The digest chart: a PNG drawn with matplotlib's Agg backend (no display, thread-safe figures)."""

from __future__ import annotations

from io import BytesIO

from bot.digest.figures import Digest

__all__ = ["CHART_HINT", "ChartUnavailable", "render_digest_chart"]

CHART_HINT = (
    "The weekly chart needs the charts extra: `pip install 'micromentor[charts]'` "
    "(or build the image with `--build-arg EXTRAS=charts`)."
)


class ChartUnavailable(RuntimeError):
    """matplotlib is not installed (the ``[charts]`` extra); the message says how to get it."""


_THIS = "#2b8a5e"
_BEFORE = "#b8c2cc"
_GAP = "#d9534f"


def render_digest_chart(digest: Digest) -> bytes:
    """Questions this week against last week, and topics asked against mentors who list them."""
    # Imported here: matplotlib is heavy, optional, and only the digest needs it.
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
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
    counts.bar(
        [x - 0.2 for x in xs], before, 0.4, label=digest.week.previous().label, color=_BEFORE
    )
    bars = counts.bar([x + 0.2 for x in xs], now, 0.4, label=digest.week.label, color=_THIS)
    counts.bar_label(bars, fontsize=8)
    counts.set_xticks(list(xs), labels)
    counts.set_title("Questions")
    counts.legend(frameon=False, fontsize=8)
    shown = list(digest.coverage[:8])[::-1]
    if shown:
        ys = range(len(shown))
        topics.barh(
            [y + 0.2 for y in ys], [c.asked for c in shown], 0.4, label="asked", color=_THIS
        )
        topics.barh(
            [y - 0.2 for y in ys],
            [c.mentors for c in shown],
            0.4,
            label="mentors",
            color=[_GAP if c in digest.gaps else _BEFORE for c in shown],
        )
        topics.set_yticks(list(ys), [c.topic for c in shown])
        topics.legend(frameon=False, fontsize=8, loc="lower right")
    else:
        topics.text(0.5, 0.5, "no topics asked", ha="center", va="center")
        topics.set_axis_off()
    topics.set_title("Topics: asked vs mentors (red: skill gap)")
    fig.suptitle(f"Micromentor {digest.week.label}")
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
