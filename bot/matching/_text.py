"""Text primitives shared by matching: tokens with position facts, a light stemmer, stop words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import snowballstemmer

__all__ = [
    "FUNCTION_WORDS",
    "STOP_WORDS",
    "Token",
    "blank_tokens",
    "common_words",
    "content_terms",
    "everyday_words",
    "known_word",
    "root",
    "stem",
    "term_tokens",
    "tokenize",
]

# A tag may keep hyphens ("#machine-learning"); in running text a hyphen separates words, so
# "front-end", "front end" and (via the compact index) "frontend" all meet.
_TOKEN = re.compile(r"#[\w][\w+#&'./:-]*|\.?[\w][\w+#&'./:]*")
_TRAILING = ".:/'"
_SENTENCE_END = frozenset(".!?\n;")
_NUMBER = re.compile(r"^\d+([.:,]\d+)*(am|pm|h|k|m|%)?$")

FUNCTION_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further get gets got had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself him himself his how how's i
    i'd i'll i'm i've if in into is isn't it it's its itself just let's like me might more most
    mustn't my myself need no nor not now of off on once only or other ought our ours ourselves
    out over own same shan't she she'd she'll she's should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they they'd they'll they're
    they've this those through to too under until up us very was wasn't we we'd we'll we're
    we've were weren't what what's when when's where where's which while who who's whom why
    why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves
    """.split()
)

# Function words plus words every workplace question uses; never topics on their own.
STOP_WORDS: frozenset[str] = FUNCTION_WORDS | frozenset(
    """
    also any anyone anything best better really still want wants way ways well one two three thing things lot lots much many even ever every get getting go going know
    make makes making new old use used using good bad right hi hello thanks thank please help
    question questions ask asking advice tips tip someone somebody anybody team work job
    """.split()
)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: normalised form, original spelling and where it stands."""

    text: str
    raw: str
    tag: bool = False
    sentence_start: bool = False
    hyphenated: bool = False

    @property
    def is_number(self) -> bool:
        return bool(_NUMBER.match(self.text))


def _clean(word: str) -> str:
    word = word.rstrip(_TRAILING).lstrip("'/:")
    if word.endswith("'s"):
        word = word[:-2]
    return word


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens; `#tags` are single tokens and marked as tags.

    Reading one question tokenizes it (and its matched phrases) about ten times over: the topic
    finder, the situation book, the passing-mention and asking-sentence rules, the own-words
    index. The tokens (frozen) of the latest texts are kept, so each is split once."""
    return list(_tokens(text))


@lru_cache(maxsize=2048)
def _tokens(text: str) -> tuple[Token, ...]:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    tokens: list[Token] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        raw = m.group()
        tag = raw.startswith("#")
        if tag:
            raw = raw[1:]
        raw = _clean(raw)
        if not raw:
            continue
        gap = text[prev_end : m.start()]
        start = not tokens or any(c in _SENTENCE_END for c in gap)
        prev_end = m.start() + len(m.group().rstrip(_TRAILING))
        hyphen = text[m.end() : m.end() + 1] == "-" or text[m.start() - 1 : m.start()] == "-"
        tokens.append(Token(raw.lower(), raw, tag, start, hyphen))
    return tuple(tokens)


def blank_tokens(text: str, positions: Set[int], blank: str) -> str:
    """`text` with the tokens at `positions` (as `tokenize` counts them) replaced by `blank`, one
    for one: the rest of the text, its punctuation and sentence ends are kept as they were."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    out: list[str] = []
    at = index = 0
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if not _clean(raw[1:] if raw.startswith("#") else raw):
            continue
        if index in positions:
            end = m.start() + len(raw.rstrip(_TRAILING))
            out += [text[at : m.start()], blank]
            at = end
        index += 1
    return "".join([*out, text[at:]])


def term_tokens(term: str) -> tuple[str, ...]:
    """A taxonomy term as the tuple of lower-case words a text must contain."""
    return tuple(
        t.text for t in tokenize(term.replace("#", " #") if term.startswith("#") else term)
    )


# --- a small Porter-style stemmer (step 1 plus -ation/-ization), enough for inflections --------

_VOWELS = frozenset("aeiou")


def _is_consonant(word: str, i: int) -> bool:
    c = word[i]
    if c in _VOWELS:
        return False
    if c == "y":
        return i == 0 or not _is_consonant(word, i - 1)
    return True


def _measure(word: str) -> int:
    """Porter's m: the number of vowel-consonant sequences."""
    m, prev_vowel = 0, False
    for i in range(len(word)):
        cons = _is_consonant(word, i)
        if cons and prev_vowel:
            m += 1
        prev_vowel = not cons
    return m


def _has_vowel(word: str) -> bool:
    return any(not _is_consonant(word, i) for i in range(len(word)))


def _cvc(word: str) -> bool:
    return (
        len(word) >= 3
        and _is_consonant(word, -3 + len(word))
        and not _is_consonant(word, len(word) - 2)
        and _is_consonant(word, len(word) - 1)
        and word[-1] not in "wxy"
    )


_BRITISH = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
)


# British spellings whose root differs from the American one (beyond -ise/-isation): a word that
# starts with the British root is stemmed as the American word, so "behavioural interview" meets
# "behavioral interview" and "modelling" meets "modeling".
_BRITISH_ROOTS = (
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("favour", "favor"),
    ("honour", "honor"),
    ("humour", "humor"),
    ("labour", "labor"),
    ("neighbour", "neighbor"),
    ("programme", "program"),
    ("licence", "license"),
    ("defence", "defense"),
    ("offence", "offense"),
    ("judgement", "judgment"),
    ("catalogue", "catalog"),
    ("dialogue", "dialog"),
    ("centre", "center"),
    ("modell", "model"),
    ("levell", "level"),
    ("labell", "label"),
    ("travell", "travel"),
    ("cancell", "cancel"),
    ("signall", "signal"),
)
_BRITISH_WORDS = {"analyse": "analyze", "analysed": "analyzed", "analysing": "analyzing"}


def _american(word: str) -> str:
    """The American spelling: whole words and roots ('behaviour'), then endings ('-ise')."""
    if word in _BRITISH_WORDS:
        word = _BRITISH_WORDS[word]
    else:
        for uk, us in _BRITISH_ROOTS:
            if word.startswith(uk):
                word = us + word[len(uk) :]
                break
    if len(word) >= 6:
        for uk, us in _BRITISH:
            if word.endswith(uk):
                return word[: -len(uk)] + us
    return word


@cache
def stem(word: str) -> str:
    """Reduce an inflected word to a stem: 'negotiating', 'negotiation' -> 'negotiat'; British
    spellings meet American ones ('behavioural' -> 'behavior', 'prioritise' -> 'prioritiz').

    Only alphabetic words of four letters or more are touched, and a stem is never shorter than
    three letters, so 'going' stays 'going' and never meets the skill 'go'.
    """
    if len(word) < 4 or not word.isalpha():
        return word
    w = _american(word)
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith(("xes", "ches", "shes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix, repl in (("ization", "ize"), ("ation", "ate")):
        if w.endswith(suffix) and _measure(w[: -len(suffix)]) > 0:
            w = w[: -len(suffix)] + repl
            break
    else:
        if w.endswith("eed"):
            if _measure(w[:-3]) > 0:
                w = w[:-1]
        else:
            for suffix in ("ing", "ed"):
                base = w[: -len(suffix)]
                if w.endswith(suffix) and len(base) >= 3 and _has_vowel(base):
                    w = base
                    if w.endswith(("at", "bl", "iz")):
                        w += "e"
                    elif (
                        len(w) > 3
                        and w[-1] == w[-2]
                        and w[-1] not in "lsz"
                        and _is_consonant(w, len(w) - 1)
                    ):
                        w = w[:-1]
                    elif _measure(w) == 1 and _cvc(w):
                        w += "e"
                    break
    if w.endswith("e") and _measure(w[:-1]) > 1:
        w = w[:-1]
    return w if len(w) >= 3 else word


@cache
def everyday_words() -> frozenset[str]:
    """The most frequent English words (``frequent_words.txt``) and their stems."""
    text = resources.files("bot.matching").joinpath("frequent_words.txt").read_text("utf-8")
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    return frozenset(words | {stem(w) for w in words})


_SNOWBALL = snowballstemmer.stemmer("english")


@cache
def root(word: str) -> str:
    """A word's derivational root (the Snowball English stemmer on the American spelling): a verb
    meets its nouns ('manage', 'managing', 'management' -> 'manag'; 'visualise', 'visualization'
    -> 'visual'). Coarser than `stem`, so used only where two or more words must all meet."""
    if len(word) < 4 or not word.isalpha():
        return word
    w = _american(word)
    r: str = _SNOWBALL.stemWord(w)
    return r if len(r) >= 3 else word


@cache
def known_word(word: str) -> bool:
    """Whether `word` (lower case) is a word of an English dictionary (simplemma's, shipped in its
    wheel), in any inflection. A known word is never read as a typo of another ("production" is
    not "projection"); a misspelling ("managment", "postgress") is unknown."""
    import simplemma  # loaded on first use: its dictionary takes a moment

    return bool(word.isalpha()) and simplemma.is_known(word, lang="en")


@cache
def common_words() -> frozenset[str]:
    """Ordinary English words (and their stems) that must never be read as a skill's typo."""
    text = resources.files("bot.matching").joinpath("common_words.txt").read_text("utf-8")
    words = {w for line in text.splitlines() if not line.startswith("#") for w in line.split()}
    return frozenset(words | {stem(w) for w in words} | STOP_WORDS)


def content_terms(text: str) -> list[str]:
    """The stemmed content words of `text` (no stop words, no numbers), in order, unique."""
    seen: dict[str, None] = {}
    for tok in tokenize(text):
        if tok.text in STOP_WORDS or tok.is_number or len(tok.text) < 2:
            continue
        seen.setdefault(stem(tok.text), None)
    return list(seen)
