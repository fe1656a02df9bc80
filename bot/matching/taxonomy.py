"""The skills taxonomy: canonical skills with aliases and related skills; learns mentors' own skills.

The shipped taxonomy lives in ``skills.toml`` next to this module (a few hundred workplace
skills); ``[skills]`` in `bot.toml` extends it (``canonical = [aliases]``). Every term is indexed
four ways so that questions and mentor profiles meet it however it is written:

- *exact*: the term's lower-case words ("machine learning", "ci/cd", "c++");
- *compact*: the words run together ("frontend" meets "front end" and "front-end");
- *stemmed*: inflections removed ("negotiating salaries" meets "salary negotiation"'s words);
- *fuzzy*: a typo of one edit (two for long terms) in a term of six letters or more.

Some spellings are also ordinary words or letters ("Go", "R", "Excel"); they are kept apart as
*ambiguous* forms and only count as topics with evidence (see `bot.matching.topics`). Three more
kinds of term keep precision up while the vocabulary grows:

- *cued* terms ("slow", "speed up") name a skill only next to another topic of the same kind
  (technical or not): "our Django app is slow" but not "hiring is slow"; a cue may be listed for
  one skill of each kind ("speed up" the build: performance optimization; "speed up" month-end
  close: process improvement);
- *weak* terms ("interview") give way to a more specific skill when a trigger skill is present
  (``yields``): "interviews" with "hiring" is about interviewing candidates, not job interviews;
- *ignored* phrases (``[ignore]``) are read as no topic at all, so their words cannot be:
  "on a shoestring budget", "present to leadership" (leadership is the audience there);
- *loose* terms (``loose``) are one-word names with another everyday sense at work
  ("arguments" of a function, a parking permit's "renewal", a function's "retries"): they count
  only with support, and are otherwise a guess the asker is asked to confirm (see
  `bot.matching.topics`);
- *backdrop* terms (``[backdrop]``) name what a question is often only set against: a department
  ("from marketing"), a thing worked on ("the prod database", "an internal api", "their emails")
  or a document ("the contract"). Alone they are the topic; beside another topic named firmly
  they are its backdrop and dropped ("deploy a model behind an api" is about deploying the model);
- *gapped*: a two-word term also meets its words with up to two possessives or pronouns between
  them ("negotiate *my* salary", "give *them* feedback", "review *our* code");
- *roots*: a term of two or more words also meets its words' derivational roots (Snowball), and a
  two-word term ending in an action noun meets verb + object, also across a possessive or pronoun
  ("manage *my* stakeholders" is stakeholder management, "plan capacity" capacity planning);
- *everyday senses* (``[senses]``): a word with an everyday sense beside the words that show it
  ("python" beside "snake" or "zoo") names nothing (see `bot.matching.senses`);
- *patterns* (``[patterns]``) are phrases with slots ("{level} to {level}") expanded into every
  alias their slot words make ("junior to senior", "mid-level to staff" …).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching._text import (
    FUNCTION_WORDS,
    STOP_WORDS,
    common_words,
    everyday_words,
    root,
    stem,
    term_tokens,
)
from bot.matching.senses import EverydaySenses

__all__ = [
    "AmbiguousForm",
    "SkillEntry",
    "Taxonomy",
    "build_taxonomy",
    "default_ignored",
    "default_skills",
]

# Terms of at least this many letters are matched with a typo too, everyday words among them: a
# typo is read only in a word no dictionary knows (`bot.matching.topics`), so "intervew" is an
# interview while "interval" is never one.
_MIN_FUZZY_LEN = 6
# Words that may stand between the two words of a two-word term ("negotiate my salary"):
# possessives and object pronouns, never articles ("booking a meeting room" is no sales call).
_GAP_WORDS = frozenset("my our your his her their its me him them us you".split())
_MAX_GAP = 2
# Endings of an action noun ("management", "negotiation", "analysis", "planning"): a two-word term
# ending in one ("stakeholder management") is also met as verb + object ("manage stakeholders",
# "managing my stakeholders").
_ACTION_NOUN = re.compile(r"(tion|sion|ment|ing|ysis|ance|ence)$")
# Areas whose skills are technical; a cued term needs company of its own kind.
TECHNICAL_AREAS = frozenset({"software", "infrastructure", "data", "more-software"})
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
    cued: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    yields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    loose: tuple[str, ...] = ()


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
        # Learned skills that are everyday words ("year"): a mentor keeps them, but they are
        # not looked for in questions (every other question would be "about" them).
        self.quiet: set[str] = set()
        self.max_words = 1
        self._exact: dict[str, str] = {}
        self._stemmed: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        self._ambiguous: dict[str, list[AmbiguousForm]] = {}
        self._fuzzy: dict[tuple[int, str], list[str]] = {}
        self._cued: dict[str, str] = {}
        # the same cue may name one skill of each kind: "speed up" a build (performance) or a
        # month-end close (process improvement)
        self._cued_kinds: dict[str, dict[bool, str]] = {}
        self._ignored: set[str] = set()
        self._ignored_width = 0
        # words with an everyday sense and the words that show it (``[senses]``)
        self.senses = EverydaySenses()
        self._weak: dict[str, set[str]] = {}
        self._yields: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self._loose: set[tuple[str, str]] = set()
        self._backdrop: set[tuple[str, str]] = set()
        # area -> stems of everyday words that place a question in that area ("invoice" for
        # finance, "reps" for sales): a loose term of the area counts beside one of them
        self._context: dict[str, set[str]] = {}
        self._pairs: dict[str, dict[str, str]] = {}
        self._roots: dict[str, str] = {}
        self._verb_object: dict[str, dict[str, tuple[str, str]]] = {}
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
        cued: Iterable[str] = (),
        weak: Iterable[str] = (),
        yields: Iterable[tuple[str, Iterable[str]]] = (),
        loose: Iterable[str] = (),
        backdrop: Iterable[str] = (),
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
        for term in cued:
            words = term_tokens(_norm(term))
            self.max_words = max(self.max_words, len(words))
            for key in (" ".join(words), " ".join(stem(w) for w in words)):
                self._cued.setdefault(key, canon)
                self._cued_kinds.setdefault(key, {}).setdefault(self.technical(canon), canon)
        for term in weak:
            self._weak.setdefault(canon, set()).add(" ".join(stem(w) for w in term_tokens(term)))
        for target, triggers in yields:
            self._yields.setdefault(canon, []).append((_norm(target), frozenset(triggers)))
        for term in loose:
            self._loose.add((canon, " ".join(term_tokens(_norm(term)))))
        for term in backdrop:
            self._backdrop.add((canon, " ".join(term_tokens(_norm(term)))))
        self.relate(canon, related)
        return canon

    def ignore(self, phrases: Iterable[str]) -> None:
        """Phrases that name no topic; their words are not read as skills either."""
        for phrase in phrases:
            words = term_tokens(_norm(phrase))
            if words:
                self.max_words = max(self.max_words, len(words))
                self._ignored_width = max(self._ignored_width, len(words))
                self._ignored.add(" ".join(words))

    def ignored_phrases(self) -> tuple[Set[str], int]:
        """The phrases that name no topic (lower-case words joined by spaces), and the most words
        one has."""
        return self._ignored, self._ignored_width

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
            if len(key) >= _MIN_FUZZY_LEN:
                self._fuzzy.setdefault((len(words), key[0]), []).append(key)
        stemmed = " ".join(stem(w) for w in words)
        if len(words) == 2 and not FUNCTION_WORDS.intersection(words):
            self._pairs.setdefault(stem(words[0]), {}).setdefault(stem(words[1]), canon)
        if len(words) > 1 and all(w.isalpha() for w in words):
            roots = [root(w) for w in words]
            self._roots.setdefault(" ".join(roots), canon)
            if len(words) == 2 and _ACTION_NOUN.search(words[1]) and roots[0] != roots[1]:
                # verb + object: "manage stakeholders" for "stakeholder management"
                self._verb_object.setdefault(roots[1], {}).setdefault(roots[0], (canon, words[1]))
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
        if hit is None and len(words) > 1 and not FUNCTION_WORDS.intersection(words):
            roots = [root(w) for w in words]
            hit = self._roots.get(" ".join(roots))
            if hit is None and len(words) == 2:
                hit = self._verb_object_hit(words[0], roots[0], roots[1])
        return hit

    def _verb_object_hit(self, verb: str, verb_root: str, object_root: str) -> str | None:
        """The two-word term "<object> <action noun>" that `verb` + an object of root
        `object_root` says as verb + object; the verb must not be the noun itself
        ("management stakeholders" is no such phrase; "planning capacity" is)."""
        found = self._verb_object.get(verb_root, {}).get(object_root)
        if found is None:
            return None
        noun = found[1]
        if verb in (noun, noun + "s") and not noun.endswith("ing"):
            return None
        return found[0]

    def lookup_gapped(self, words: tuple[str, ...]) -> tuple[str, int] | None:
        """A two-word term met by ``words[0]`` and a later word with only determiners or
        pronouns between: its skill and how many words it spans."""
        if not words:
            return None
        pairs = self._pairs.get(stem(words[0]))
        if not pairs and (not words[0].isalpha() or root(words[0]) not in self._verb_object):
            return None
        for gap in range(1, min(_MAX_GAP, len(words) - 2) + 1):
            article = gap == 1 and words[gap] == "the"
            if words[gap] not in _GAP_WORDS and not article:
                return None
            hit = pairs.get(stem(words[gap + 1])) if pairs and not article else None
            if hit is None and words[gap + 1].isalpha():
                hit = self._verb_object_hit(words[0], root(words[0]), root(words[gap + 1]))
            if hit is not None:
                return hit, gap + 2
        return None

    def ignored(self, words: tuple[str, ...]) -> bool:
        """Whether these words are a phrase that names no topic."""
        return " ".join(words) in self._ignored

    def lookup_cued(self, words: tuple[str, ...]) -> str | None:
        """The skill these words name if another topic of the same kind is also present."""
        hit = self._cued.get(" ".join(words))
        if hit is None and not FUNCTION_WORDS.intersection(words):
            hit = self._cued.get(" ".join(stem(w) for w in words))
        return hit

    def cued_of_kind(self, words: str, technical: bool) -> str | None:
        """The skill of the given kind (technical or not) that the cue `words` names, if any: a cue
        listed for one skill of each kind names the one whose kind the question's topics are."""
        tokens = term_tokens(words.lower())
        for key in (" ".join(tokens), " ".join(stem(w) for w in tokens)):
            hit = self._cued_kinds.get(key, {}).get(technical)
            if hit is not None:
                return hit
        return None

    def technical(self, skill: str) -> bool:
        """Whether `skill` is a technical one (software, infrastructure, data)."""
        return self.areas.get(skill, "") in TECHNICAL_AREAS

    def yielded(self, skill: str, words: str, found: set[str]) -> str:
        """The skill a weak mention of `skill` stands for, given the other topics `found`."""
        weak = self._weak.get(skill)
        if not weak or " ".join(stem(w) for w in term_tokens(words)) not in weak:
            return skill
        for target, triggers in self._yields.get(skill, ()):
            if triggers & found:
                return target
        return skill

    def loose(self, skill: str, words: str) -> bool:
        """Whether `words` name `skill` only loosely (another everyday sense is common). Loose
        terms are listed in each form that is loose ("argument", "arguments"), so "estimate" can be
        loose while "estimation" is not."""
        return (skill, " ".join(term_tokens(words.lower()))) in self._loose

    def add_backdrop(self, skill: str, terms: Iterable[str]) -> None:
        """Mark names of `skill` as backdrop terms (``[backdrop]``); adds no alias."""
        for term in terms:
            self._backdrop.add((_norm(skill), " ".join(term_tokens(_norm(term)))))

    def backdrop(self, skill: str, words: str) -> bool:
        """Whether `words` name `skill` as a backdrop term (``[backdrop]``): the topic when
        nothing else is named, the setting of another topic otherwise."""
        return (skill, " ".join(term_tokens(words.lower()))) in self._backdrop

    def add_context(self, area: str, words: Iterable[str]) -> None:
        """Everyday words that place a question in `area` (``[context]`` in ``skills.toml``)."""
        found = self._context.setdefault(area, set())
        for word in words:
            found.update(stem(w) for w in term_tokens(_norm(word)))

    def in_context(self, skill: str, words: Iterable[str]) -> bool:
        """Whether one of `words` (lower case) is a context word of `skill`'s area: "renewal"
        beside "customer" is account management, as "renewal" beside a skill of sales would be."""
        context = self._context.get(self.areas.get(skill, ""))
        return context is not None and any(stem(w) in context for w in words)

    def kin(self, skill: str, other: str) -> bool:
        """Whether `other` supports a loose mention of `skill`: the same skill, a related one, or
        one of the same area."""
        return (
            skill == other
            or other in self.related_to(skill)
            or (bool(self.areas.get(skill)) and self.areas.get(skill) == self.areas.get(other))
        )

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

    def close_to(self, word: str) -> str | None:
        """The skill a short unknown word is one edit away from ("gti" → git): a likely typo,
        worth asking about where the word would be shown to everyone (`canonical` reads typos
        only in longer words). None for a known term or nothing that close."""
        key = _norm(word)
        if len(key) < 3 or " " in key or key in self._exact:
            return None
        found = process.extractOne(key, list(self._exact), scorer=OSA.distance, score_cutoff=1)
        return self._exact[found[0]] if found else None

    def normalize(self, skills: Iterable[str], *, threshold: float = 85.0) -> tuple[str, ...]:
        """Map free-text skills onto the taxonomy; unknown ones are kept and learned. A learned
        one-word skill that is an everyday English word is kept quiet: on the mentor's profile,
        but not found in questions until an admin lists it under ``[skills]``."""
        out: list[str] = []
        for s in skills:
            key = _norm(s)
            if not key:
                continue
            canon = self.canonical(key, threshold=threshold)
            if canon is None:
                if _everyday(key):
                    canon = key
                    self.aliases.setdefault(canon, set())
                    self.quiet.add(canon)
                else:
                    canon = self.add(key)
                self.learned.add(canon)
            if canon not in out:
                out.append(canon)
        return tuple(out)


def _everyday(key: str) -> bool:
    words = term_tokens(key)
    frequent = everyday_words()
    return len(words) == 1 and (words[0] in frequent or stem(words[0]) in frequent)


def _parse(data: dict[str, Any]) -> list[SkillEntry]:
    entries: list[SkillEntry] = []
    for area, table in data.items():
        if area in ("ignore", "patterns", "loose", "context", "backdrop", "senses"):
            continue
        for canon, spec in table.items():
            entries.append(
                SkillEntry(
                    canon,
                    tuple(spec.get("aliases", ())),
                    tuple(spec.get("related", ())),
                    tuple(spec.get("ambiguous", ())),
                    area,
                    tuple(spec.get("cued", ())),
                    tuple(spec.get("weak", ())),
                    tuple((t, tuple(trig)) for t, trig in spec.get("yields", {}).items()),
                    tuple(spec.get("loose", ())),
                )
            )
    return entries


@cache
def _shipped() -> dict[str, Any]:
    text = resources.files("bot.matching").joinpath("skills.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def default_skills() -> tuple[SkillEntry, ...]:
    """The shipped taxonomy (``bot/matching/skills.toml``), parsed once."""
    return tuple(_parse(_shipped()))


@cache
def default_loose() -> dict[str, tuple[str, ...]]:
    """The shipped loose terms (``[loose]`` in ``skills.toml``): skill -> its loose names."""
    return {k: tuple(v) for k, v in _shipped().get("loose", {}).items()}


def expand_patterns(patterns: Mapping[str, Any]) -> dict[str, list[str]]:
    """``[patterns]``: each skill's phrases with ``{slot}``s, expanded with the slots' words."""
    slots: dict[str, list[str]] = dict(patterns.get("slots", {}))
    out: dict[str, list[str]] = {}
    for skill, phrases in patterns.get("skills", {}).items():
        for phrase in phrases:
            expanded = [""]
            for part in re.split(r"(\{\w+\})", phrase):
                words = slots[part[1:-1]] if part.startswith("{") else [part]
                expanded = [e + w for e in expanded for w in words]
            out.setdefault(skill, []).extend(expanded)
    return out


@cache
def default_backdrop() -> dict[str, tuple[str, ...]]:
    """The shipped backdrop terms (``[backdrop]`` in ``skills.toml``): skill -> its terms."""
    return {k: tuple(v) for k, v in _shipped().get("backdrop", {}).items()}


@cache
def default_context() -> dict[str, tuple[str, ...]]:
    """The shipped area-context words (``[context]`` in ``skills.toml``): area -> words."""
    return {k: tuple(v) for k, v in _shipped().get("context", {}).items()}


@cache
def default_patterns() -> dict[str, list[str]]:
    """The shipped pattern phrases (``[patterns]`` in ``skills.toml``), expanded."""
    return expand_patterns(_shipped().get("patterns", {}))


@cache
def default_senses() -> dict[str, tuple[str, ...]]:
    """The shipped everyday senses (``[senses]`` in ``skills.toml``): word -> words showing it."""
    return {k: tuple(v) for k, v in _shipped().get("senses", {}).items()}


@cache
def default_ignored() -> tuple[str, ...]:
    """The shipped phrases that name no topic (``[ignore]`` in ``skills.toml``)."""
    return tuple(_shipped().get("ignore", {}).get("phrases", ()))


def build_taxonomy(
    configured: Mapping[str, Iterable[str]] | None = None, *, defaults: bool = True
) -> Taxonomy:
    """The shipped taxonomy extended with ``[skills]`` from `bot.toml` (canonical = [aliases])."""
    tax = Taxonomy()
    if defaults:
        entries = default_skills()
        for e in entries:
            tax.add(
                e.canon,
                e.aliases,
                ambiguous=e.ambiguous,
                area=e.area,
                cued=e.cued,
                weak=e.weak,
                yields=e.yields,
                loose=e.loose,
            )
        for e in entries:
            tax.relate(e.canon, e.related)
        for canon, phrases in default_patterns().items():
            if canon not in tax:
                raise ValueError(f"[patterns] names an unknown skill: {canon!r}")
            tax.add(canon, phrases)
        for canon, terms in default_loose().items():
            if canon not in tax:
                raise ValueError(f"[loose] names an unknown skill: {canon!r}")
            tax.add(canon, terms, loose=terms)
        for canon, terms in default_backdrop().items():
            if canon not in tax:
                raise ValueError(f"[backdrop] names an unknown skill: {canon!r}")
            tax.add_backdrop(canon, terms)
        for area, words in default_context().items():
            tax.add_context(area, words)
        tax.ignore(default_ignored())
        for phrase, shown_by in default_senses().items():
            tax.senses.add(phrase, shown_by)
    for canon, aliases in (configured or {}).items():
        tax.add(canon, aliases)
    return tax
