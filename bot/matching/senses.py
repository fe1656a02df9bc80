"""Everyday senses: a skill word used in its everyday sense is no topic, nor a clue to a need.

Many words of the taxonomy and of the situation book have an everyday sense that has nothing to
do with work: a *python* at the zoo, a coffee machine *leaking*, the *lift* (elevator) out of
order, a *pipeline* of people queueing for it, drinks *after work*. ``[senses]`` in
``skills.toml`` lists such words (or phrases) with the words that, anywhere else in the same
question, show the everyday sense ("python" beside "snake" or "zoo"). Those words are blanked out
of the question before it is read (`blank_everyday`): they name no topic
(`bot.matching.topics`) and evoke no idea of a situation (`bot.matching.situations`). The
taxonomy's ``[ignore]`` phrases ("on a tight budget", "a budget airline") are blanked the same
way for the situation book, which would otherwise read "budget" as money to plan.

A blanked word becomes the token ``_``, one token for one, so positions in the question stay as
they were and the words on either side never meet as one phrase.

A question is blanked (and tokenized) once per reading: `prepare_text` returns the blanked text
with its tokens (`PreparedText`), which the classifier reads and hands to the topic finder
(`bot.matching.topics.find_topics`), so the finder does not blank and split the same text again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

from bot.matching._text import Token, blank_tokens, stem, term_tokens, tokenize

__all__ = ["EverydaySenses", "PreparedText", "blank_everyday", "prepare_text"]

BLANK = "_"


class EverydaySenses:
    """Words with an everyday sense, each with the words that show that sense."""

    def __init__(self) -> None:
        # stemmed phrase -> stems of the words that show its everyday sense
        self._senses: dict[tuple[str, ...], set[str]] = {}
        self._width = 0

    def __bool__(self) -> bool:
        return bool(self._senses)

    def add(self, phrase: str, shown_by: Iterable[str]) -> None:
        """`phrase` is used in its everyday sense when one of `shown_by` is in the question."""
        words = tuple(stem(w) for w in term_tokens(phrase.lower()))
        if not words:
            return
        self._width = max(self._width, len(words))
        found = self._senses.setdefault(words, set())
        for word in shown_by:
            found.update(stem(w) for w in term_tokens(word.lower()))

    def positions(self, words: Sequence[str]) -> set[int]:
        """The positions of `words` (lower case) that are used in their everyday sense."""
        if not self._senses:
            return set()
        stems = [stem(w) for w in words]
        out: set[int] = set()
        for i in range(len(stems)):
            for width in range(1, min(self._width, len(stems) - i) + 1):
                shown_by = self._senses.get(tuple(stems[i : i + width]))
                if shown_by is None:
                    continue
                others = stems[:i] + stems[i + width :]
                if any(s in shown_by for s in others):
                    out.update(range(i, i + width))
        return out


def ignored_positions(words: Sequence[str], ignored: Set[str], width: int) -> set[int]:
    """The positions of `words` (lower case) inside a phrase of `ignored` (joined by spaces)."""
    out: set[int] = set()
    if not ignored:
        return out
    for i in range(len(words)):
        for w in range(min(width, len(words) - i), 0, -1):
            if " ".join(words[i : i + w]) in ignored:
                out.update(range(i, i + w))
                break
    return out


def blank_everyday(
    text: str, senses: EverydaySenses, *, ignored: Set[str] = frozenset(), width: int = 0
) -> str:
    """`text` with the words used in their everyday sense (and, given, the words of `ignored`
    phrases of at most `width` words) blanked out, one ``_`` token for each."""
    if not senses and not ignored:
        return text
    words = [t.text for t in tokenize(text)]
    at = senses.positions(words) | ignored_positions(words, ignored, width)
    return blank_tokens(text, at, BLANK) if at else text


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A question's text as the reading sees it, prepared once and shared: the words used in
    their everyday sense (and, given, ignored phrases) blanked (`blank_everyday`), and the
    tokens of what is left."""

    text: str
    tokens: tuple[Token, ...]


def prepare_text(
    text: str, senses: EverydaySenses, *, ignored: Set[str] = frozenset(), width: int = 0
) -> PreparedText:
    """`text` blanked as `blank_everyday` blanks it, with its tokens. Blanking again with the
    same `senses` would change nothing (a blanked word is ``_``, which shows no sense and has
    none), so a reader given this text reads it as it is."""
    blanked = blank_everyday(text, senses, ignored=ignored, width=width)
    return PreparedText(blanked, tuple(tokenize(blanked)))
