"""Reading a question: which topics it is about, how sure we are, and whether to ask the asker.

Three kinds of evidence, merged per skill by the strongest:

- *named*: the taxonomy's words for a skill appear (`bot.matching.topics`), weight 1; a skill
  named only by a loose word with nothing to support it ("parking permit renewal") is a
  *tentative* guess instead (`bot.matching.classifier.TENTATIVE`, under `sure`), so the asker
  picks rather than getting a wrong topic;
- *situations*: the question describes a need (`bot.matching.situations`), weight 0-1, × 0.7
  when the question also names a topic (a named topic always leads);
- *learned*: questions like it in this workspace were about a topic (an asker's pick, or a
  well-rated session's topics; `bot.matching.learned`), weight 0.9 × their likeness.

The *sure* topics (named ones; else guesses weighing at least `sure`) are shown and stored; every
guess weighs in the ranking with its weight. The bot is *unsure* when nothing is named and no
guess is sure, or the two best guesses are within `close` of each other: then the asker is
offered the best three (``choices``) to pick from. Only plausible areas are offered: a guess of
the classifier weaker than `CHOICE_FLOOR` (one passing clue of a situation: "the lunch *menu*")
is weighed but not offered. When the guesses make fewer than three choices, the rest come from
the skills whose names and aliases share a word with the question (BM25), each scoring at least
`MIN_SHARED` and half the best one's score ("parking permit *renewal*" meets account management;
"talk" alone, shared by many skills, meets none of them). With nothing plausible the asker gets
no areas to pick from: an unrelated area would only route the question to the wrong mentors.

`question_kind` tells a technical question from one about people, careers, money or wellbeing,
for advice that fits it (`bot.learning.coaching`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot.matching._text import known_word
from bot.matching.bm25 import Bm25Index
from bot.matching.classifier import OfflineClassifier
from bot.matching.situations import TopicGuess, default_situations, plain_question
from bot.matching.taxonomy import Taxonomy

__all__ = ["Reading", "merge_guesses", "question_kind", "skill_words"]

SURE = 0.8
CLOSE = 0.05
LEARNED_WEIGHT = 0.9
_ALONGSIDE_NAMED = 0.7
# The weakest classifier guess offered as a choice: a loosely named topic (`TENTATIVE`, 0.6) is,
# a situation evoked by a single passing word (0.5) is not.
CHOICE_FLOOR = 0.55
# The least BM25 score of a skill sharing words with a question for it to be offered: one rare
# word of its names ("renewal", "relocation", "faster") scores 4.1 to 4.7 and more, a word many
# skills share ("talk", "code", "time") 3.2 to 3.7.
MIN_SHARED = 4.0
_SHARED_OF_BEST = 0.5


@dataclass(frozen=True, slots=True)
class Reading:
    """What a question is about, as far as the bot can tell."""

    topics: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    unsure: bool = False

    @property
    def guessed(self) -> tuple[str, ...]:
        """Every topic with a weight, strongest first."""
        return tuple(sorted(self.weights, key=lambda t: (-self.weights[t], t)))


def merge_guesses(
    guesses: Iterable[TopicGuess],
    *,
    learned: Mapping[str, float] | None = None,
    fallback: Iterable[str] | Callable[[], Iterable[str]] = (),
    sure: float = SURE,
    close: float = CLOSE,
) -> Reading:
    """The reading of a question from its classifier's guesses and what was learned; the
    `fallback` choices (or the function that finds them, called only when they are needed) pad
    the areas offered to an unsure asker."""
    named: dict[str, float] = {}
    other: dict[str, float] = {}
    plausible: set[str] = set()  # guesses strong enough to offer as a choice
    for g in guesses:
        into = named if g.how == "named" else other
        if g.weight > into.get(g.skill, 0.0):
            into[g.skill] = min(g.weight, 1.0)
        if g.weight >= CHOICE_FLOOR:
            plausible.add(g.skill)
    for topic, likeness in (learned or {}).items():
        plausible.add(topic)  # questions like it here were about it: always worth offering
        weight = round(LEARNED_WEIGHT * likeness, 4)
        if weight > other.get(topic, 0.0):
            other[topic] = weight
    if named:
        weights = dict(named)
        for topic, weight in other.items():
            weights.setdefault(topic, round(weight * _ALONGSIDE_NAMED, 4))
        return Reading(tuple(named), weights, tuple(named)[:3], unsure=False)
    ordered = sorted(other, key=lambda t: (-other[t], t))
    topics = tuple(t for t in ordered if other[t] >= sure)
    unsure = not topics or (len(ordered) > 1 and other[ordered[0]] - other[ordered[1]] < close)
    choices = tuple(t for t in ordered if t in plausible)[:3]
    if len(choices) < 3:
        more = fallback() if callable(fallback) else fallback
        choices += tuple(t for t in more if t not in choices)[: 3 - len(choices)]
    return Reading(topics, other, choices, unsure)


_SKILL_WORDS: weakref.WeakKeyDictionary[Taxonomy, tuple[int, Bm25Index[str]]] = (
    weakref.WeakKeyDictionary()
)


def skill_words(taxonomy: Taxonomy, text: str, *, limit: int = 3) -> list[str]:
    """Skills whose names and aliases share the most (rare) words with `text`, best first: only
    those scoring at least `MIN_SHARED` and half the best score (none when nothing fits)."""
    cached = _SKILL_WORDS.get(taxonomy)
    if cached is None or cached[0] != len(taxonomy):
        index: Bm25Index[str] = Bm25Index()
        for skill, aliases in taxonomy.aliases.items():
            index.add(skill, " ".join((skill, *sorted(aliases))))
        cached = (len(taxonomy), index)
        _SKILL_WORDS[taxonomy] = cached
    scores = cached[1].scores(text)
    floor = max(MIN_SHARED, _SHARED_OF_BEST * max(scores.values(), default=0.0))
    fitting = [s for s, score in scores.items() if score >= floor]
    return sorted(fitting, key=lambda s: (-scores[s], s))[:limit]


def question_kind(taxonomy: Taxonomy, text: str, topics: Iterable[str] = ()) -> str:
    """``"technical"`` for a question about software, infrastructure or data, ``"people"`` for
    one about people, careers, money or wellbeing, ``""`` when it cannot tell (both, or
    neither): by its `topics` when it has any, else by the situations it describes."""
    kinds = {taxonomy.technical(t) for t in topics if t in taxonomy}
    if not kinds:
        _, technical, people = default_situations().sides(plain_question(text))
        kinds = (
            {True} if technical and not people else {False} if people and not technical else kinds
        )
    if len(kinds) != 1:
        return ""
    return "technical" if kinds.pop() else "people"


def warm_up(taxonomy: Taxonomy) -> None:
    """Build the reading's lazy parts now (about 0.7 s: indexes, the English dictionary that tells
    typos from words), at start-up, rather than in the first question's decision, where they
    would hold the event loop and every ack behind it."""
    sample = "How do I ask for a raise when my pandas job keeps failing?"
    OfflineClassifier(taxonomy).guesses(sample)
    skill_words(taxonomy, sample)
    known_word("dictionary")
