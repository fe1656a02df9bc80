"""The topic classifier port and its offline default (the taxonomy's words plus situations).

A `TopicClassifier` reads a question's text and returns topic guesses; `OfflineClassifier` needs
nothing outside this package. An adapter may offer a model behind the same port (see
``adapters/llm/topics.py``); it must fall back to the offline reading on any failure.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bot.matching._text import Token, tokenize
from bot.matching.senses import prepare_text
from bot.matching.situations import (
    PEOPLE_HEADS,
    SOFTWARE_HEADS,
    SituationBook,
    TopicGuess,
    asked_sentence,
    default_situations,
    plain_question,
)
from bot.matching.taxonomy import Taxonomy
from bot.matching.topics import TopicMatch, find_topics

__all__ = ["TENTATIVE", "OfflineClassifier", "TopicClassifier"]

# The weight of a topic named only loosely ("renewal", "retries" with nothing to support them):
# under `bot.matching.understanding.SURE`, so such a question asks its asker to pick.
TENTATIVE = 0.6


class TopicClassifier(Protocol):
    """Reads a question and guesses its topics (canonical skills of the taxonomy)."""

    async def classify(self, text: str) -> list[TopicGuess]: ...


class OfflineClassifier:
    """Named topics (weight 1), loosely named ones (`TENTATIVE`: a guess for the asker to
    confirm, see `bot.matching.topics`) and the situations the question describes (their
    weights). A topic named only in passing is loose too, so a situation the question describes
    can lead: as the kind of a thing of the other world ("a cloud company", "the hiring portal":
    `_passing_as_loose`) or inside a phrase naming a person ("my tech lead": `_roles_as_loose`),
    and so is a topic named only in the story a long question tells before what it asks
    (`_backstory_as_loose`). It reads the message as `plain_question` leaves it: no Slack
    markup, nothing it says it is not about ("not a tech question, but …"), no word used in its
    everyday sense and no phrase naming no topic (`bot.matching.senses`)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        situations: SituationBook | None = None,
        threshold: float = 85.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.situations = situations or default_situations()
        self.threshold = threshold

    def guesses(self, text: str) -> list[TopicGuess]:
        # words in their everyday sense, and phrases naming no topic, evoke no situation either
        # (prepared once: the topic finder reads the same blanked text and tokens)
        ignored, width = self.taxonomy.ignored_phrases()
        read = prepare_text(
            plain_question(text), self.taxonomy.senses, ignored=ignored, width=width
        )
        text = read.text
        matches = find_topics(read, self.taxonomy, threshold=self.threshold)
        matches = _passing_as_loose(matches, read.tokens, self.taxonomy)
        matches = _roles_as_loose(matches, self.situations.roles_at(text))
        matches = _backstory_as_loose(matches, asked_sentence(text), self.taxonomy)
        # Only the setting of another named topic ("from marketing", "behind an api"): a guess.
        matches = [replace(m, sure=False) if m.setting else m for m in matches]
        named = list(dict.fromkeys(m.skill for m in matches if m.sure))
        loose = [s for s in dict.fromkeys(m.skill for m in matches if not m.sure) if s not in named]
        found = [TopicGuess(t, 1.0, "named") for t in named]
        found += [TopicGuess(t, TENTATIVE, "tentative") for t in loose]
        return found + [g for g in self.situations.guess(text) if g.skill in self.taxonomy]

    async def classify(self, text: str) -> list[TopicGuess]:
        return self.guesses(text)


def _backstory_as_loose(
    matches: list[TopicMatch], asked: tuple[int, int] | None, taxonomy: Taxonomy
) -> list[TopicMatch]:
    """`matches`, a topic named only in the story a long question tells before what it asks
    (`asked_sentence`) made loose: "i got promoted three months ago … what should i say to him"
    is no question about promotions. A topic the asking sentence names stays named; when it
    names none, a technical topic of the story stays named too: it is the setting of what is
    asked ("my pandas groupby runs out of memory … how can i group across chunks?")."""
    if asked is None:
        return matches
    first, end = asked
    in_question = {m.skill for m in matches if first <= m.position < end}
    setting = not in_question

    def loose(m: TopicMatch) -> bool:
        if not m.sure or m.skill in in_question:
            return False
        return not (setting and taxonomy.technical(m.skill))

    return [replace(m, sure=False) if loose(m) else m for m in matches]


def _passing_as_loose(
    matches: list[TopicMatch], tokens: tuple[Token, ...], taxonomy: Taxonomy
) -> list[TopicMatch]:
    """`matches`, a topic named only as the kind of a thing of the other world made loose (see
    `bot.matching.situations.PEOPLE_HEADS`): "a cloud company" is no question about the cloud.
    `tokens` are the question's (as the topics were found in)."""
    if not matches:
        return matches
    words = [t.text.lower() for t in tokens]
    out = []
    for m in matches:
        after = m.position + len(tokenize(m.words))
        head = words[after] if m.sure and after < len(words) else ""
        heads = PEOPLE_HEADS if taxonomy.technical(m.skill) else SOFTWARE_HEADS
        out.append(replace(m, sure=False) if head in heads else m)
    return out


def _roles_as_loose(matches: list[TopicMatch], roles: list[tuple[int, int]]) -> list[TopicMatch]:
    """`matches`, a topic named only inside a phrase that names a person someone works with (a
    situation book's ``roles``: "my tech lead", "the marketing team") made loose: the question
    is about that person, not the topic. A skill's own name ("leadership") stays named."""
    if not roles:
        return matches
    out = []
    for m in matches:
        end = m.position + len(tokenize(m.words))
        inside = any(i <= m.position and end <= i + n for i, n in roles)
        own_name = m.words.lower() == m.skill
        out.append(replace(m, sure=False) if m.sure and inside and not own_name else m)
    return out
