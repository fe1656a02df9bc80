"""The skills taxonomy: canonical skills with aliases and related skills; learns mentors' own skills.

The shipped taxonomy lives in ``skills.toml`` next to this module (a few hundred workplace
skills); ``[skills]`` in `bot.toml` extends it (``canonical = [aliases]``). Every term is indexed
four ways so that questions and mentor profiles meet it however it is written:

- *exact*: the term's lower-case words ("machine learning", "ci/cd", "c++");
- *compact*: the words run together ("frontend" meets "front end" and "front-end");
- *stemmed*: inflections removed ("negotiating salaries" meets "salary negotiation"'s words);
- *fuzzy*: a typo of one edit (two for long terms) in a term of six letters or more.

Some spellings are also ordinary words or letters ("Go", "R", "Excel"); they are kept apart as
*ambiguous* forms and only count as topics with evidence (see `bot.matching.topics`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching._text import FUNCTION_WORDS, STOP_WORDS, common_words, stem, term_tokens

__all__ = ["AmbiguousForm", "SkillEntry", "Taxonomy", "build_taxonomy", "default_skills"]

_MIN_FUZZY_LEN = 6
# Words a mentor adds around a skill ("advanced SQL", "Python programming").
_FILLER = frozenset(
    "programming development developer dev skills skill language languages basics basic "
    "advanced expert expertise experience intermediate beginner engineering general stuff "
    "things knowledge framework tools and with in of".split()
)


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("_", " ").split()).lstrip("#").strip(",;:!?\"' ")


@dataclass(frozen=True, slots=True)
class AmbiguousForm:
    """A spelling that is also an ordinary word; it needs evidence to count as a topic."""

    form: str
    canon: str
    strict: bool


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One skill as written in a taxonomy file."""

    canon: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    area: str = ""


def allowed_edits(length: int, threshold: float) -> int:
    """Typo budget for a term of `length` characters: 15% of it at threshold 85, at most 3."""
    if length < _MIN_FUZZY_LEN:
        return 0
    return min(3, int(length * (100.0 - threshold) / 100.0 + 0.5))


def _words_close(words: tuple[str, ...], term: list[str], threshold: float) -> bool:
    """Each word is the term's word or a typo of it (same first letter, within budget)."""
    for w, t in zip(words, term, strict=True):
        if w == t or stem(w) == stem(t):
            continue
        if w[0] != t[0] or OSA.distance(w, t) > allowed_edits(len(t), threshold):
            return False
    return True


class Taxonomy:
    """Canonical skill names, each with aliases (and related skills that count for less)."""

    def __init__(
        self,
        aliases: Mapping[str, Iterable[str]] | None = None,
        related: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.aliases: dict[str, set[str]] = {}
        self.related: dict[str, set[str]] = {}
        self.areas: dict[str, str] = {}
        self.learned: set[str] = set()
        self.max_words = 1
        self._exact: dict[str, str] = {}
        self._stemmed: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        self._ambiguous: dict[str, list[AmbiguousForm]] = {}
        self._fuzzy: dict[tuple[int, str], list[str]] = {}
        for canon, names in (aliases or {}).items():
            self.add(canon, names)
        for canon, others in (related or {}).items():
            self.relate(canon, others)

    def __len__(self) -> int:
        return len(self.aliases)

    def __contains__(self, skill: object) -> bool:
        return isinstance(skill, str) and skill in self.aliases

    def skills(self) -> list[str]:
        """Every canonical skill, sorted."""
        return sorted(self.aliases)

    def add(
        self,
        canon: str,
        aliases: Iterable[str] = (),
        *,
        related: Iterable[str] = (),
        ambiguous: Iterable[str] = (),
        area: str = "",
    ) -> str:
        """Add a skill (or more aliases to a known one); returns its canonical name."""
        canon = _norm(canon)
        if canon not in self.aliases and canon in self._exact:
            canon = self._exact[canon]  # an admin extending a skill under one of its aliases
        names = self.aliases.setdefault(canon, set())
        if area:
            self.areas.setdefault(canon, area)
        forms = list(ambiguous)
        for form in forms:
            self._index_ambiguous(form, canon)
        unsafe = {f.lstrip("!").lower() for f in forms}
        for term in (canon, *aliases):
            key = _norm(term)
            if key and key != canon:
                names.add(key)
            if key and key not in unsafe:
                self._index(key, canon)
        self.relate(canon, related)
        return canon

    def relate(self, canon: str, others: Iterable[str]) -> None:
        """Mark skills as related, both ways."""
        canon = _norm(canon)
        for other in others:
            other = _norm(other)
            if other and other != canon:
                self.related.setdefault(canon, set()).add(other)
                self.related.setdefault(other, set()).add(canon)

    def related_to(self, skill: str) -> set[str]:
        return self.related.get(skill, set())

    def terms(self) -> Mapping[str, str]:
        """Every known term (canonical name or alias, as lower-case words) to its skill."""
        return self._exact

    def _index(self, term: str, canon: str) -> None:
        words = term_tokens(term)
        if not words or (len(words) == 1 and words[0] in STOP_WORDS):
            return
        key = " ".join(words)
        self.max_words = max(self.max_words, len(words))
        if key not in self._exact:
            self._exact[key] = canon
            if len(key) >= _MIN_FUZZY_LEN and key not in common_words():
                self._fuzzy.setdefault((len(words), key[0]), []).append(key)
        stemmed = " ".join(stem(w) for w in words)
        if len(words) > 1 or stemmed == key or stemmed not in common_words():
            # a one-word term whose stem is an everyday word ("meetings" -> "meeting") must be
            # written as is
            self._stemmed.setdefault(stemmed, canon)
        compact = "".join(words)
        if len(compact) >= 4:
            self._compact.setdefault(compact, canon)

    def _index_ambiguous(self, form: str, canon: str) -> None:
        strict = form.startswith("!") or len(form.lstrip("!")) == 1
        form = form.lstrip("!")
        self._ambiguous.setdefault(form.lower(), []).append(AmbiguousForm(form, canon, strict))

    # --- lookups used by topic extraction -------------------------------------------------

    def lookup(self, words: tuple[str, ...]) -> str | None:
        """The skill these exact lower-case words name (exactly, run together, or inflected)."""
        key = " ".join(words)
        hit = self._exact.get(key)
        if hit is None and len(words) <= 3 and not FUNCTION_WORDS.intersection(words):
            hit = self._compact.get("".join(words))
        if hit is None:
            hit = self._stemmed.get(" ".join(stem(w) for w in words))
        return hit

    def lookup_fuzzy(self, words: tuple[str, ...], *, threshold: float) -> str | None:
        """The skill these words name allowing for a typo; None when nothing is close enough."""
        key = " ".join(words)
        budget = allowed_edits(len(key), threshold)
        choices = self._fuzzy.get((len(words), key[0])) if budget else None
        if not choices:
            return None
        for term, _, _ in process.extract(
            key, choices, scorer=OSA.distance, score_cutoff=budget, limit=3
        ):
            if len(words) == 1 or _words_close(words, term.split(), threshold):
                return self._exact[term]
        return None

    def ambiguous_forms(self, word: str) -> list[AmbiguousForm]:
        return self._ambiguous.get(word, [])

    # --- mentors' free-text skills ----------------------------------------------------------

    def canonical(self, skill: str, *, threshold: float = 85.0) -> str | None:
        """The canonical name for a skill as typed, allowing for typos; None if unknown."""
        key = _norm(skill)
        if not key:
            return None
        if key in self.aliases:
            return key
        words = term_tokens(key)
        if not words:
            return None
        hit = self.lookup(words)
        if hit is None and len(words) == 1 and self._ambiguous.get(words[0]):
            hit = self._ambiguous[words[0]][0].canon
        if hit is None:
            core = tuple(w for w in words if w not in _FILLER)
            if core and core != words:
                hit = self.lookup(core) or (
                    self._ambiguous[core[0]][0].canon
                    if len(core) == 1 and self._ambiguous.get(core[0])
                    else None
                )
        if hit is None and " ".join(words) not in common_words():
            hit = self.lookup_fuzzy(words, threshold=threshold)
        return hit

    def normalize(self, skills: Iterable[str], *, threshold: float = 85.0) -> tuple[str, ...]:
        """Map free-text skills onto the taxonomy; unknown ones are kept and learned."""
        out: list[str] = []
        for s in skills:
            key = _norm(s)
            if not key:
                continue
            canon = self.canonical(key, threshold=threshold)
            if canon is None:
                canon = self.add(key)
                self.learned.add(canon)
            if canon not in out:
                out.append(canon)
        return tuple(out)


def _parse(text: str) -> list[SkillEntry]:
    data: dict[str, Any] = tomllib.loads(text)
    entries: list[SkillEntry] = []
    for area, table in data.items():
        for canon, spec in table.items():
            entries.append(
                SkillEntry(
                    canon,
                    tuple(spec.get("aliases", ())),
                    tuple(spec.get("related", ())),
                    tuple(spec.get("ambiguous", ())),
                    area,
                )
            )
    return entries


@cache
def default_skills() -> tuple[SkillEntry, ...]:
    """The shipped taxonomy (``bot/matching/skills.toml``), parsed once."""
    text = resources.files("bot.matching").joinpath("skills.toml").read_text("utf-8")
    return tuple(_parse(text))


def build_taxonomy(
    configured: Mapping[str, Iterable[str]] | None = None, *, defaults: bool = True
) -> Taxonomy:
    """The shipped taxonomy extended with ``[skills]`` from `bot.toml` (canonical = [aliases])."""
    tax = Taxonomy()
    if defaults:
        entries = default_skills()
        for e in entries:
            tax.add(e.canon, e.aliases, ambiguous=e.ambiguous, area=e.area)
        for e in entries:
            tax.relate(e.canon, e.related)
    for canon, aliases in (configured or {}).items():
        tax.add(canon, aliases)
    return tax
