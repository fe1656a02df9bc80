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
against an install), and only a tie leaves the question mixed, taking both (`SituationBook.sides`);
a phrase saying only who is involved (``who``: "the ceo") casts no vote there. A count in a
phrase meets any count ("spend 2 hours": "spent 40 hours", "spending three hours"). In a long
question that tells a story before it asks (`asked_sentence`), a situation none of whose ideas
the asking sentence evokes is `STORY_ONLY` as sure: the story says where the asker is, the
asking sentence what they need (`bot.matching.classifier` makes a topic named only in the story
loose the same way). A situation the question keeps coming back to is surer: each further
phrase evoking its ideas (two at most) adds `RECURRING`.
Ideas no situation uses ("make_product": "agreed to build") are sinks: as the longest phrase at a
word they keep its everyday sense from being read as a technical one. A situation of several
ideas needs as many phrases evoking them: one word two ideas list is one clue (`_clues`). A
situation marked ``explains = true`` that matches leaves out the situations of other skills, no
surer, whose ideas are all among its own (`_explained`).

What is read is the message as `plain_question` leaves it: Slack markup gone, and what it says
it is not about dropped ("not a tech question, but …", "i'm not burned out, just bored", an
aside in brackets, the numbered concerns it does not point at). Filler words between a phrase's
words ("what users *really* need") do not break it, a phrase's articles may be missing from the
text ("give talk at conference"), and "zero" says "no".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

from bot.matching._text import STOP_WORDS, stem, tokenize

__all__ = [
    "PEOPLE_HEADS",
    "SOFTWARE_HEADS",
    "Situation",
    "SituationBook",
    "TopicGuess",
    "asked_sentence",
    "default_situations",
    "plain_question",
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


# Slack markup around the words an asker wrote: emoji (":fire:" is no outage, ":pager:" no alert),
# mentions and links, quote and list marks at a line's start, emphasis and code marks (the code
# itself stays: "`KeyError`" reads as the error it names).
_SHORTCODE = re.compile(r"(?<![\w:]):[a-z0-9_+'-]+:(?::skin-tone-\d:)?(?![\w:])", re.IGNORECASE)
_EMOJI = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f000-\U0001faff]"
)
_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<(?:https?|mailto):[^>|]*(?:\|([^>]*))?>")
_LINE_MARK = re.compile(r"(?m)^[ \t]*(?:&gt;|>+|[\u2022\u25e6\u25aa\u2023*-]|\d+[.)])[ \t]+")
_EMPHASIS = re.compile(r"(?<!\w)[*_~]+(?=\w)|(?<=\w)[*_~]+(?!\w)")
_CODE_MARK = re.compile(r"`+")

# What a question says it is not about. A negation ("not", "don't", "isn't" …; not "not sure",
# "not only", "not just" …) opens a span that runs to the next clause boundary; the span is
# dropped when it disclaims ("not a tech question", "not about the content", "not asking how to
# fix it", "don't need a redesign", "not the frontend") or when what follows contrasts with it
# ("i'm not burned out, just bored", "i don't want to manage, but i want to grow"). An aside in
# brackets that opens with "also", "btw" or "side note" is dropped too: the message's main
# concern is elsewhere.
_NEGATION = re.compile(
    r"\b(?:not|(?:do|does|did|is|are|was|were)n'?t|dont|doesnt|didnt|isnt|arent|wasnt)\b"
    r"(?!\s+(?:sure|only|just|even|yet|that|too|so|quite|always|much|enough)\b)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(
    r"[,.;:!?()\u2026\n]|\s-+\s|\s\u2014\s|\b(?:but|just|rather|instead)\b", re.IGNORECASE
)
_DISCLAIMS = re.compile(
    r"^\S+\s+(?:(?:really|exactly|strictly|actually|even)\s+)*"
    r"(?:about|asking|looking|talking|trying|need|needing|after|the\b)"
    r"|^not\s+(?:(?:really|exactly|a|an|just)\s+)*(?:[\w/-]+\s+){0,2}"
    r"(?:question|issue|problem|bug|thing|topic)s?\b",
    re.IGNORECASE,
)
_CONTRASTS = re.compile(
    r"^\W*(?:but|just|rather|instead|more\s+like|mainly|mostly|it'?s|that'?s"
    r"|(?:\w+\s+){0,3}(?:just|really|actually)\b|(?:i|we)\s+(?:need|want))\b",
    re.IGNORECASE,
)
_ASIDE = re.compile(r"\(\s*(?:also|side\s+note|btw|unrelated|ps|p\.s\.)\b[^()]*\)", re.IGNORECASE)


# A message listing its concerns ("1) … 2) …") that says which one it is mostly about ("two
# things, mostly the second") is about that one: the others are dropped.
_POINTER = re.compile(
    r"\b(?:mostly|mainly|mainly about|especially|main one is|the main one is)\s+(?:the\s+)?"
    r"(first|second|third|last)\b",
    re.IGNORECASE,
)
_ITEM = re.compile(r"(?:^|(?<=\s))\(?[1-9][).]\s")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "last": -1}


def _main_concern(text: str) -> str:
    """`text`, when it numbers its concerns and points at one, as its opening and that one."""
    pointer = _POINTER.search(text)
    items = list(_ITEM.finditer(text))
    if pointer is None or len(items) < 2:
        return text
    pick = _ORDINALS[pointer.group(1).lower()]
    if pick >= len(items):
        return text
    bounds = [m.start() for m in items] + [len(text)]
    spans = list(pairwise(bounds))
    start, end = spans[pick]
    return text[: bounds[0]] + " " + text[start:end]


def plain_question(text: str) -> str:
    """`text` as the words of what it asks: Slack markup gone (emoji, quote and list marks,
    emphasis and code marks), and what it says it is not about dropped (a disclaimed or
    contrasted negation, an aside in brackets, the concerns it numbers but does not point at). A dropped span leaves a blank, so the words
    on either side never meet as one phrase."""
    text = _MENTION.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1) or " ", text)
    text = _EMOJI.sub(" ", _SHORTCODE.sub(" ", text))
    text = _EMPHASIS.sub("", _LINE_MARK.sub("", _CODE_MARK.sub(" ", text)))
    text = _main_concern(_ASIDE.sub(" ", text))
    kept: list[str] = []
    at = 0
    for m in _NEGATION.finditer(text):
        if m.start() < at:
            continue
        boundary = _CLAUSE_END.search(text, m.end())
        end = boundary.start() if boundary else len(text)
        if _DISCLAIMS.search(text[m.start() : end]) or _CONTRASTS.match(text[end:]):
            kept += [text[at : m.start()], " , "]
            at = end
    return "".join([*kept, text[at:]])


# Word pairs that open or carry what a question asks ("how do i …", "should i …", "any tips"):
# in a long question, the sentence holding the last of them is the question, the rest its story.
_ASKING = frozenset(
    tuple(pair.split("+"))
    for pair in """
    how+do how+can how+should how+would how+to how+much how+many how+often how+long
    what+should what+do what+would what+are what+is what+can what+to
    where+do where+should where+can where+to should+i should+we is+it is+there is+that
    do+i do+we can+i can+we any+tips any+advice any+ideas what+am am+i why+do why+does why+is
    why+are help+me tips+on tips+for advice+on
    """.split()
)
# A story shorter than this many words is no backstory: the question is one thought.
_STORY_WORDS = 15
# A situation whose clues all lie in a long question's story, none in what it asks, is this
# much less sure: the story says where the asker is, the asking sentence what they need.
STORY_ONLY = 0.8
# Each further phrase (two at most) evoking a situation's ideas makes it this much surer: the
# thread a long question keeps coming back to ("almost there", "next cycle", "the next level").
RECURRING = 0.05


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


# A count written in digits or as a word ("3 hours", "two weeks") meets any other count: a phrase
# listed as "spend 2 hours" reads "spent 40 hours" and "spending three hours" too.
_COUNT = "#"
_COUNT_WORDS = frozenset("two three four five six seven eight nine ten eleven twelve".split())


# Words that say what a listed word says: "zero energy" is "no energy".
_SAME = {"zero": "no"}


def _count(word: str) -> str:
    """`word` (lower case), or `_COUNT` for a count, or the listed word it means (`_SAME`)."""
    return _COUNT if word.isdigit() or word in _COUNT_WORDS else _SAME.get(word, word)


def _stems(phrase: str) -> tuple[str, ...]:
    return tuple(_word(t.text) for t in tokenize(phrase))


def _forms(phrase: str) -> dict[tuple[str, ...], dict[tuple[str, ...], int]]:
    """The stems of `phrase` and of its last word's regular forms ("raise": "raises", "raised",
    "raising"), so a word whose forms the stemmer does not bring together still meets them; for
    each, the words as written that spell it (`_LISTED` for the phrase itself, `_FORM` for a
    regular form)."""
    stems = _stems(phrase)
    words = tuple(_count(t.text.lower()) for t in tokenize(phrase))
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
        who: Iterable[str] = (),
    ) -> None:
        # a situation: (skill, ideas, weight) or (skill, ideas, weight, explains)
        # first stem -> (stems, idea, {words as written: how closely}), longest phrases first
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, dict[tuple[str, ...], int]]]]
        self._phrases = {}
        for idea, listed in ideas.items():
            words = [*listed, *filter(None, map(_without_articles, listed))]
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
        self._last: tuple[str, list[tuple[int, int, frozenset[str]]]] | None = None
        self._who = frozenset(who)

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

    def _read(self, text: str) -> list[frozenset[str]]:
        """The ideas of each phrase of `text` that evokes any, in order (see `ideas_in`)."""
        return [found for _, _, found in self._spans(text)]

    def roles_at(self, text: str) -> list[tuple[int, int]]:
        """The (first token, token count) of each phrase of `text` that names a person someone
        works with (``roles``: "my tech lead", "the marketing team") and evokes nothing else."""
        return [(i, n) for i, n, found in self._spans(text) if found <= self._roles]

    def _spans(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        """Each phrase of `text` that evokes any idea: first token, token count, its ideas.
        The latest text's are kept: a question is read for its roles, then for its situations."""
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        spans = self._find_spans(text)
        self._last = (text, spans)
        return spans

    def _find_spans(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        tokens = tokenize(text)
        written = [_count(t.text.lower()) for t in tokens]
        words = [_word(t.text) for t in tokens]
        out: list[tuple[int, int, frozenset[str]]] = []
        i = 0
        while i < len(words):
            longest = 0
            here: dict[str, int] = {}
            end = i + 1
            for stems, idea, spelt in self._phrases.get(words[i], ()):  # longest phrases first
                if longest and len(stems) < longest:
                    break
                at = _phrase_at(words, i, stems)
                if at is not None:
                    as_written = tuple(written[k] for k in at)
                    how = spelt.get(as_written, _STEM)
                    if how == _STEM and not _stop_words_as_written(as_written, spelt):
                        continue
                    if not longest:
                        end = at[-1] + 1
                    longest = len(stems)
                    here[idea] = max(how, here.get(idea, _STEM))
            if here and self._passing(here, written[end : end + 1]):
                here = {}
            if here:
                closest = max(here.values())
                out.append(
                    (i, end - i, frozenset(idea for idea, h in here.items() if h == closest))
                )
            i = end if longest else i + 1
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

    def _sides(self, read: list[frozenset[str]]) -> tuple[set[str], bool, bool]:
        technical = sum(bool(found & self._technical) for found in read)
        people = sum(bool(found & self._people) for found in read)
        ideas = {idea for found in read for idea in found}
        if technical and people:
            # who is involved ("the ceo", "my manager") is no vote on what it is about
            people = sum(bool((found & self._people) - self._who) for found in read)
            if technical != people:
                return ideas, technical > people, people > technical
        return ideas, bool(technical), bool(people)

    def guess(self, text: str) -> list[TopicGuess]:
        """Skills the situations of `text` point to, strongest first (one entry per skill)."""
        spans = self._spans(text)
        read = [found for _, _, found in spans]
        ideas, technical, people = self._sides(read)
        if not ideas:
            return []
        asked = asked_sentence(text)
        # the ideas the asking sentence of a long question evokes (None: all of it asks)
        asking = (
            None
            if asked is None
            else {i for at, _, found in spans if asked[0] <= at < asked[1] for i in found}
        )
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
            weight = s.weight
            extra = _clues(s, read) - len(s.ideas) if len(s.ideas) > 1 else _mentions(s, read) - 1
            weight = round(min(weight + RECURRING * min(extra, 2), 1.0), 4)
            if asking is not None and asking.isdisjoint(s.ideas):
                weight = round(weight * STORY_ONLY, 4)
            if weight > best.get(s.skill, 0.0) and not _explained(s, matched):
                best[s.skill] = weight
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [TopicGuess(skill, weight, "situation") for skill, weight in ranked]


def asked_sentence(text: str) -> tuple[int, int] | None:
    """The (first token, end token) of the sentence a long question asks in (the last one holding
    an asking pair of `_ASKING`), when the other sentences tell a story of at least `_STORY_WORDS`
    words before or around it; else None (a short or one-sentence question is all question)."""
    tokens = tokenize(text)
    starts = [i for i, t in enumerate(tokens) if t.sentence_start]
    if len(starts) < 2:
        return None
    spans = list(zip(starts, [*starts[1:], len(tokens)], strict=True))
    for first, end in reversed(spans):
        words = [t.text for t in tokens[first:end]]
        if any(pair in _ASKING for pair in pairwise(words)):
            if len(tokens) - (end - first) >= _STORY_WORDS:
                return first, end
            return None
    return None


def _clues(s: Situation, read: list[frozenset[str]]) -> int:
    """How many phrases of the question evoke an idea of `s`: one phrase is one clue, so a word
    two ideas list ("checks": a pipeline's, a test suite's) cannot alone meet a situation that
    needs both."""
    if len(s.ideas) < 2:
        return 1
    return sum(not found.isdisjoint(s.ideas) for found in read)


# Words an asker puts inside a phrase without changing it ("what users *really* need", "we
# *just* shipped"): a phrase meets the text with any of these between its words (never an
# article: "on a call" is no "on call"). And the articles a
# phrase lists may be missing from the text, as non-native English often drops them ("give talk
# at conference"): each phrase is also listed without its articles (`_without_articles`).
_FILLERS = frozenset(stem(w) for w in "really actually truly just even also".split())
_ARTICLES = frozenset({"a", "an", "the"})


def _phrase_at(words: list[str], i: int, stems: tuple[str, ...]) -> list[int] | None:
    """The token positions at which `stems` appear from `words[i]` on, fillers between them
    skipped (`_FILLERS`), or None."""
    at = []
    j = i
    for k, s in enumerate(stems):
        while k and j < len(words) and words[j] != s and words[j] in _FILLERS:
            j += 1
        if j >= len(words) or words[j] != s:
            return None
        at.append(j)
        j += 1
    return at


def _without_articles(phrase: str) -> str | None:
    """`phrase` without its articles, when it has any between other words."""
    words = phrase.split()
    kept = [w for w in words if w.lower() not in _ARTICLES]
    return " ".join(kept) if 1 < len(kept) < len(words) else None


def _stop_words_as_written(written: tuple[str, ...], spelt: Iterable[tuple[str, ...]]) -> bool:
    """Whether every stop word of `written` stands as one spelling of the phrase has it: only
    the other words meet through the stemmer ("times out" meets "timing out"; "even" never meets
    "evening")."""
    stops = [k for k, w in enumerate(written) if w in STOP_WORDS]
    return not stops or any(all(w[k] == written[k] for k in stops) for w in spelt)


def _mentions(s: Situation, read: list[frozenset[str]]) -> int:
    """How many phrases of the question evoke an idea of `s`."""
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
    low = _count(text.lower())
    if low == _COUNT:
        return _COUNT
    for ending in _COMPOUND_ENDINGS:
        if low.endswith(ending) and len(low) > len(ending) + 2 and low.isalpha():
            return stem(ending)
    return stem(low if low in _SAME.values() else text)


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
        who=data["technical"].get("who", ()),
    )
