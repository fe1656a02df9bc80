"""Situations: the skills a question is about when it describes a need instead of naming a skill.

``situations.toml`` (beside this module) holds *ideas* — groups of words and phrases that say one
thing ("tired": exhausted, drained, burnt out …) — and *situations*: a skill plus the ideas that,
together in one question, describe it, with a weight (how sure that makes us). Words meet in any
inflection (the stemmer of `bot.matching._text`, and the regular -s/-ed/-ing forms of a phrase's
last word, which that stemmer may keep apart: "raise", "raises"); phrases must appear as written.
A compound error name ("KeyError", "NullPointerException") reads as "error" / "exception". A stop
word ("even") meets an idea only as written, never through the stemmer ("evening"). A question
that reads as technical (an idea listed under ``[technical] ideas``) and not about people, money
or careers takes only technical situations, and the other way round; when phrases of both kinds
appear, the kind more of them speak for decides ("installed the package": one "package" of pay
against an install), and only a tie leaves the question mixed, taking both (`SituationBook.sides`).
Ideas no situation uses ("make_product": "agreed to build") are sinks: as the longest phrase at a
word they keep its everyday sense from being read as a technical one. A situation of several
ideas needs as many phrases evoking them: one word two ideas list is one clue (`_clues`). A
situation marked ``explains = true`` that matches leaves out the situations of other skills, no
surer, whose ideas are all among its own (`_explained`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.matching._text import STOP_WORDS, stem, tokenize

__all__ = [
    "PEOPLE_HEADS",
    "SOFTWARE_HEADS",
    "Situation",
    "SituationBook",
    "TopicGuess",
    "default_situations",
]

# Words that, right after a phrase, make it the kind of a thing of the other world rather than
# what the question is about: technical words describing people or a place ("a cloud company",
# "the security folks", "the backend role"), words of people or money describing software ("the
# hiring portal", "the budget export", "our interview scheduling service"). Such a phrase is a
# passing mention: it evokes none of its ideas (`SituationBook.ideas_in`), and a topic it names
# is only a loose one (`bot.matching.classifier`).
PEOPLE_HEADS = frozenset(
    "company companies firm firms startup startups vendor vendors agency folks guys people "
    "person role roles position positions".split()
)
SOFTWARE_HEADS = frozenset(
    "portal portals service services app apps system systems console bot export exports job "
    "jobs api endpoint database db scheduling page website site".split()
)


@dataclass(frozen=True, slots=True)
class TopicGuess:
    """A skill a question may be about, how sure we are (0-1) and what made us think so."""

    skill: str
    weight: float
    how: str  # "named" (the taxonomy's words), "tentative" (named loosely), "situation",
    # "learned", "model"


@dataclass(frozen=True, slots=True)
class Situation:
    skill: str
    ideas: tuple[str, ...]
    weight: float
    technical: bool
    explains: bool = False  # when matched, leaves out other skills' situations on fewer ideas


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(stem(t.text) for t in tokenize(phrase))


def _forms(phrase: str) -> dict[tuple[str, ...], dict[tuple[str, ...], int]]:
    """The stems of `phrase` and of its last word's regular forms ("raise": "raises", "raised",
    "raising"), so a word whose forms the stemmer does not bring together still meets them; for
    each, the words as written that spell it (`_LISTED` for the phrase itself, `_FORM` for a
    regular form)."""
    stems = _stems(phrase)
    words = tuple(t.text.lower() for t in tokenize(phrase))
    out: dict[tuple[str, ...], dict[tuple[str, ...], int]] = {}
    if not stems:
        return out
    out[stems] = {words: _LISTED}
    if not words[-1].isalpha() or len(words[-1]) < 3:
        return out
    last = words[-1]
    base = last[:-1] if last.endswith("e") else last
    for form in (last + "s", last + "es", base + "ed", base + "ing"):
        spelt = out.setdefault((*stems[:-1], stem(form)), {})
        spelt.setdefault((*words[:-1], form), _FORM)
    return out


# How closely a phrase's words as written meet an idea's word: as listed, as one of its regular
# forms, or only through the stemmer. When ideas share the stems of a phrase, the closest wins.
_LISTED, _FORM, _STEM = 2, 1, 0


# A word ending in one of these ("KeyError", "NullPointerException") reads as the word itself.
_COMPOUND_ENDINGS = ("error", "exception")


class SituationBook:
    """Compiled ideas and situations; `guess` reads a question."""

    def __init__(
        self,
        ideas: Mapping[str, Iterable[str]],
        situations: Iterable[
            tuple[str, Iterable[str], float] | tuple[str, Iterable[str], float, bool]
        ],
        *,
        technical: Iterable[str] = (),
        people: Iterable[str] = (),
        technical_skills: Iterable[str] = (),
        roles: Iterable[str] = (),
    ) -> None:
        # a situation: (skill, ideas, weight) or (skill, ideas, weight, explains)
        # first stem -> (stems, idea, {words as written: how closely}), longest phrases first
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, dict[tuple[str, ...], int]]]]
        self._phrases = {}
        for idea, words in ideas.items():
            for w in words:
                for stems, spelt in _forms(w).items():
                    entries = self._phrases.setdefault(stems[0], [])
                    entry = next((e for e in entries if e[0] == stems and e[1] == idea), None)
                    if entry is None:
                        entries.append((stems, idea, dict(spelt)))
                        continue
                    for written, how in spelt.items():
                        entry[2][written] = max(how, entry[2].get(written, _STEM))
        for entries in self._phrases.values():
            entries.sort(key=lambda e: -len(e[0]))
        tech_skills = set(technical_skills)
        self.situations = tuple(
            Situation(s[0], tuple(s[1]), s[2], s[0] in tech_skills, any(s[3:])) for s in situations
        )
        unknown = {i for s in self.situations for i in s.ideas} - set(ideas)
        if unknown:
            raise ValueError(f"situations use unknown ideas: {sorted(unknown)}")
        self._technical = frozenset(technical)
        self._people = frozenset(people)
        self._roles = frozenset(roles)

    def ideas_in(self, text: str) -> set[str]:
        """The ideas whose words or phrases appear in `text`.

        Left to right, the longest phrase at a word wins and its words are not read again: in
        "checking email" (always on) neither "checking" (tests) nor "email" (writing) is an idea
        of its own. Ideas sharing that longest phrase all count, unless one lists the words as
        written and another meets them only through the stemmer or a regular form: "pages" is a
        screen and "paged" an alert, though both stem to "page". A stop word meets an idea only
        as written: "even" is no form of "evening". A phrase in passing ("the hiring portal", "a
        cloud company": see `PEOPLE_HEADS`) evokes nothing."""
        return {idea for found in self._read(text) for idea in found}

    def _read(self, text: str) -> list[set[str]]:
        """The ideas of each phrase of `text` that evokes any, in order (see `ideas_in`)."""
        return [found for _, _, found in self._spans(text)]

    def roles_at(self, text: str) -> list[tuple[int, int]]:
        """The (first token, token count) of each phrase of `text` that names a person someone
        works with (``roles``: "my tech lead", "the marketing team") and evokes nothing else."""
        return [(i, n) for i, n, found in self._spans(text) if found <= self._roles]

    def _spans(self, text: str) -> list[tuple[int, int, set[str]]]:
        """Each phrase of `text` that evokes any idea: first token, token count, its ideas."""
        tokens = tokenize(text)
        written = [t.text.lower() for t in tokens]
        words = [_word(t.text) for t in tokens]
        out: list[tuple[int, int, set[str]]] = []
        i = 0
        while i < len(words):
            longest = 0
            here: dict[str, int] = {}
            for stems, idea, spelt in self._phrases.get(words[i], ()):  # longest phrases first
                if longest and len(stems) < longest:
                    break
                if tuple(words[i : i + len(stems)]) == stems:
                    as_written = tuple(written[i : i + len(stems)])
                    how = spelt.get(as_written, _STEM)
                    if how == _STEM and any(w in STOP_WORDS for w in as_written):
                        continue
                    longest = len(stems)
                    here[idea] = max(how, here.get(idea, _STEM))
            if here and self._passing(here, written[i + longest : i + longest + 1]):
                here = {}
            if here:
                closest = max(here.values())
                out.append((i, longest, {idea for idea, how in here.items() if how == closest}))
            i += max(longest, 1)
        return out

    def _passing(self, ideas: Iterable[str], after: list[str]) -> bool:
        """Whether a phrase of `ideas` followed by the word `after` is a passing mention: all
        technical before a word of people (`PEOPLE_HEADS`), or all of people before one of
        software (`SOFTWARE_HEADS`)."""
        if not after:
            return False
        found = set(ideas)
        if after[0] in PEOPLE_HEADS and found <= self._technical:
            return True
        return after[0] in SOFTWARE_HEADS and found <= self._people

    def sides(self, text: str) -> tuple[set[str], bool, bool]:
        """The ideas of `text` and whether it reads as technical, as about people (or both).

        When phrases of both kinds appear, the kind more of them speak for wins ("installed the
        package", "the app … an image": two technical phrases outweigh one "package" of pay);
        a tie leaves the question mixed."""
        return self._sides(self._read(text))

    def _sides(self, read: list[set[str]]) -> tuple[set[str], bool, bool]:
        technical = sum(bool(found & self._technical) for found in read)
        people = sum(bool(found & self._people) for found in read)
        ideas = {idea for found in read for idea in found}
        if technical and people and technical != people:
            return ideas, technical > people, people > technical
        return ideas, bool(technical), bool(people)

    def guess(self, text: str) -> list[TopicGuess]:
        """Skills the situations of `text` point to, strongest first (one entry per skill)."""
        read = self._read(text)
        ideas, technical, people = self._sides(read)
        if not ideas:
            return []
        matched = [
            s
            for s in self.situations
            if not (s.technical and people and not technical)
            and not (not s.technical and technical and not people)
            and all(i in ideas for i in s.ideas)
            and _clues(s, read) >= len(s.ideas)
        ]
        best: dict[str, float] = {}
        for s in matched:
            if s.weight > best.get(s.skill, 0.0) and not _explained(s, matched):
                best[s.skill] = s.weight
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [TopicGuess(skill, weight, "situation") for skill, weight in ranked]


def _clues(s: Situation, read: list[set[str]]) -> int:
    """How many phrases of the question evoke an idea of `s`: one phrase is one clue, so a word
    two ideas list ("checks": a pipeline's, a test suite's) cannot alone meet a situation that
    needs both."""
    if len(s.ideas) < 2:
        return 1
    return sum(not found.isdisjoint(s.ideas) for found in read)


def _explained(s: Situation, matched: Iterable[Situation]) -> bool:
    """Whether a matched situation marked ``explains`` of another skill, at least as sure, needs
    all of `s`'s ideas and more: that more specific reading explains those clues ("rejected after
    the last round" + "losing motivation" is the job hunt, not the team's morale)."""
    mine = set(s.ideas)
    return any(
        t.explains and t.skill != s.skill and t.weight >= s.weight and mine < set(t.ideas)
        for t in matched
    )


def _word(text: str) -> str:
    low = text.lower()
    for ending in _COMPOUND_ENDINGS:
        if low.endswith(ending) and len(low) > len(ending) + 2 and low.isalpha():
            return stem(ending)
    return stem(text)


@cache
def default_situations() -> SituationBook:
    """The shipped book (``bot/matching/situations.toml``), compiled once."""
    from bot.matching.taxonomy import TECHNICAL_AREAS, default_skills

    text = resources.files("bot.matching").joinpath("situations.toml").read_text("utf-8")
    data = tomllib.loads(text)
    technical_skills = {e.canon for e in default_skills() if e.area in TECHNICAL_AREAS}
    return SituationBook(
        data["ideas"],
        [
            (s["skill"], s["when"], float(s["weight"]), bool(s.get("explains", False)))
            for s in data["situation"]
        ],
        technical=data["technical"]["ideas"],
        people=data["technical"]["people"],
        technical_skills=technical_skills,
        roles=data["technical"].get("roles", ()),
    )
