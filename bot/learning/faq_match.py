"""Finding FAQ entries for a question (`bot.learning.faq` keeps them true): at ask time (one that
matches closely holds the question back as a draft; weaker ones are shown with the posted
question, "Answered before") and for `/askmentor faq <words>`. A score mixes the share of a
question's words and topics an entry holds with fuzzy similarity to the entry's question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.learning.model import FaqEntry, neutral_faq_question
from bot.messagebus import Context
from bot.messages import Bold, Text, UserText, shortened, text
from bot.refs import WorkspaceRef

__all__ = [
    "SEARCH_SCORE",
    "FaqMatch",
    "answered_before",
    "faq_lines",
    "forget_visible",
    "match_faq",
    "rank_faq",
    "search_terms",
    "visible_faq",
    "words_removed",
]

_WORDS = re.compile(r"[a-z0-9][a-z0-9+#]*")
_IGNORE = frozenset(
    """a an and are as at be by can do does for from how i in is it me my of on or our should
    the to we what when where which who why with you your faq please help""".split()
)
_AT_ASK = 55.0  # an entry must score this much to be shown when someone asks
# ...and this much to hold the question back, offering the entry before any mentor is pinged.
# Measured on the console's pandas examples: rewordings of an entry's question score 76-92, a
# different question on the same topic 45-71 (a pivot against a groupby entry: 70.6).
_HOLD = 75.0
SEARCH_SCORE = 30.0  # ...and this much for `/askmentor faq <words>`


def search_terms(s: str) -> set[str]:
    """Lower-case words without filler; a trailing plural "s" dropped, so "columns" meets "column"."""
    out: set[str] = set()
    for w in _WORDS.findall(s.lower()):
        if w in _IGNORE or len(w) < 2:
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def rank_faq(
    entries: Sequence[FaqEntry],
    query: str,
    topics: Sequence[str] = (),
    *,
    limit: int,
    min_score: float,
) -> list[FaqEntry]:
    """The entries most like `query`, best first (`_scored`)."""
    return [e for _, e in _scored(entries, query, topics, limit=limit, min_score=min_score)]


def _scored(
    entries: Sequence[FaqEntry],
    query: str,
    topics: Sequence[str],
    *,
    limit: int,
    min_score: float,
) -> list[tuple[float, FaqEntry]]:
    """The entries most like `query` with their scores (0–100: half the share of its words and
    topics an entry holds, topics counting double; half fuzzy similarity with the entry's
    question), best first."""
    wanted = search_terms(query)
    wanted_topics = set(topics)
    if not (wanted or wanted_topics) or limit <= 0:
        return []
    total = len(wanted) + 2 * len(wanted_topics)
    scored: list[tuple[float, int, FaqEntry]] = []
    for e in entries:
        held = search_terms(f"{e.question} {e.answer} {' '.join(e.topics)}")
        hits = len(wanted & held) + 2 * len(wanted_topics & set(e.topics))
        if not hits:
            continue
        cover = 100.0 * hits / total
        similar = fuzz.token_set_ratio(" ".join(sorted(wanted)), " ".join(sorted(_asked(e))))
        score = 0.5 * cover + 0.5 * similar
        if score >= min_score:
            scored.append((score, e.number, e))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [(score, e) for score, _, e in scored[:limit]]


def _asked(e: FaqEntry) -> set[str]:
    """What an entry is about, to compare a question with: its question, or its answer once the
    asker's words were taken out (its question then says no more than its topics)."""
    neutral = words_removed(e.question) or e.question == neutral_faq_question(e.topics)
    return search_terms(e.answer if neutral else e.question)


def _cutoff(ctx: Context) -> datetime:
    cfg = ctx.config.faq
    return ctx.clock.now() - timedelta(days=cfg.verify_days + cfg.hide_after_days)


async def visible_faq(ctx: Context, workspace: WorkspaceRef) -> list[FaqEntry]:
    """The workspace's shown entries (kept a few seconds, like other figures)."""

    async def load() -> list[FaqEntry]:
        reads = await ctx.reads()
        return await reads.faq.visible(workspace, verified_since=_cutoff(ctx))

    found: list[FaqEntry] = await ctx.services.figures.get(
        ("faq", workspace), load, now=ctx.clock.now()
    )
    return found


def forget_visible(ctx: Context, workspace: WorkspaceRef) -> None:
    figures = ctx.services.figures
    ctx.after_commit.append(lambda: figures.forget(lambda k: k == ("faq", workspace)))


@dataclass(frozen=True, slots=True)
class FaqMatch:
    """The FAQ ranked once for one question: what is shown with it and what holds it."""

    shown: tuple[FaqEntry, ...] = ()  # "Answered before" when it is posted (`_AT_ASK`)
    # So like the question that they likely answer it (`_HOLD`): it is held as a draft and
    # they are offered first (`bot.learning.drafts`). The best of `shown`, as ranked alone.
    holding: tuple[FaqEntry, ...] = ()

    @property
    def on_draft(self) -> tuple[FaqEntry, ...]:
        """What a held draft shows: the entries that hold it, else those that would be shown."""
        return self.holding or self.shown


async def match_faq(
    ctx: Context, workspace: WorkspaceRef, question: str, topics: Sequence[str]
) -> FaqMatch:
    """The FAQ entries that may answer `question` (shown before similar questions), and those
    that likely do; none with ``[faq] shown = 0``. One ranking serves both: the entries scoring
    `_HOLD` come first among those scoring `_AT_ASK`, so the first `shown` of the one are the
    first `shown` of the other."""
    shown = ctx.config.faq.shown
    if not shown:
        return FaqMatch()
    entries = await visible_faq(ctx, workspace)
    scored = _scored(entries, question, topics, limit=shown, min_score=_AT_ASK)
    return FaqMatch(
        shown=tuple(e for _, e in scored),
        holding=tuple(e for score, e in scored if score >= _HOLD),
    )


async def answered_before(
    ctx: Context, workspace: WorkspaceRef, question: str, topics: Sequence[str]
) -> list[FaqEntry]:
    """FAQ entries that may answer `question` (`match_faq`'s shown ones)."""
    return list((await match_faq(ctx, workspace, question, topics)).shown)


def words_removed(question: str) -> bool:
    """The asker was forgotten: their words were replaced by the privacy marker."""
    return not question.strip() or question.startswith("[removed")


def faq_lines(entries: Sequence[FaqEntry], *, answer_chars: int = 300) -> list[Text]:
    """One line per entry: its number, the question, the short answer."""
    return [
        text(
            "• ",
            Bold(f"FAQ {e.number}"),
            *(() if words_removed(e.question) else (" ", UserText(shortened(e.question, 100)))),
            " — ",
            UserText(shortened(e.answer, answer_chars)),
        )
        for e in entries
    ]
