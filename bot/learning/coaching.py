"""Question coaching rules (pure): does a question give a mentor what they need to start?

Mentors need three things, and the rules look for each in the text:

* **a goal** — what the asker wants to end up with. A question mark or a question word ("how
  do I", "which", "should we") counts, and so do "I want to", "I'm trying to", "I'm not sure
  whether". A bare plea does not: "can someone help?", "any tips?", "I have a question about
  X" asks for a mentor, not for anything in particular.
* **context** — what it is about, specifically. Each content word counts (not filler like
  "help", "issue", "something"), and concrete details count double: numbers, quoted text or
  error messages, code and file names, product names, skills from the taxonomy. A question
  with too little of this ("How do I get promoted?", "SQL query is slow") is thin.
* **an attempt**, for a problem — "doesn't work", "fails", "error" without what was tried or
  what happened ("I tried …", "returns #N/A", "shows a sequential scan") leaves the mentor
  guessing. How-to and advice questions need no attempt.

A question that misses any of them, or leans on words that name nothing ("it", "this",
"something") without details, gets one or two concrete suggestions before it is posted. The
suggestions fit the kind of question (`coach`'s ``kind``, from
`bot.matching.question_kind`): a technical one is asked for the tool, the version and the exact
error message; one about people, a career or wellbeing for the asker's role and situation and
what they have considered or tried, never for an error message. The
rules are measured on a labelled set: ``python benchmarks/coaching_quality.py``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Coaching", "coach"]

# --- the words the rules read -------------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'’./_-]*[A-Za-z0-9+#]|[A-Za-z]|\d[\d.,:%/]*[a-zA-Z%]*")
_QUOTED = re.compile(r"[\"“'‘`][^\"”'’`]{3,}[\"”'’`]")
_CODEISH = re.compile(r"[a-z][a-z0-9]*[._/][a-z0-9_]|[a-z][A-Z]|\(\)|[=<>{}\[\]]|--\w|#\w")

# Words that carry no subject of their own: function words, pleas, fillers and vague nouns.
_FILLER = frozenset(
    """
    a about above after again all also am an and any anyone anybody anything are as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each else even ever every everyone everything
    few for from further get gets getting got had has have having he her here hers him his how i
    i'd i'll i'm i've if in into is isn't it it's its just let's like me might more most my
    myself need needs needed no nor not now of off on once only or other our ours out over own
    please same she should so some somebody someone something such than that that's the their
    them then there there's these they this those through to too under until up us very was we
    we're we've were what what's when where which while who why will with would you your yours
    really still want wants wanted way well one thing things stuff lot lots much many
    help helps helping tip tips advice idea ideas question questions issue issues problem
    problems hi hello hey thanks thank asap urgent urgently quick quickly anyone here
    free look looking check know knows sure ask asking someone's weird better best good
    great bad new next currently again anymore certain sort kind bit
    """.split()
)

# Pleas: asking for a person or for "help" in general, not for anything in particular.
_PLEA = re.compile(
    r"^\s*("
    r"(can|could|would|will) (someone|somebody|anyone|anybody|you|i)\b.{0,25}\b"
    r"(help|check|look|take a look|review|explain|talk|ask)\b"
    r"(?!\s+(me\s+)?((understand|figure out|work out|decide|see|learn)\s+)?"
    r"(how|why|what|which|whether|with\s+\w+ing))"
    r"|(any|some)( \w+){0,3} (tips|ideas|advice|help|thoughts|suggestions)\b"
    r"|(is )?(there )?(anyone|anybody|someone|somebody)( here)? (who|that|free|around|good|know|knows|use|uses|familiar)\b"
    r"|does anyone\b(?!( here)? (know|knows|understand|remember)( exactly)? (how|why|what|which|whether|where|when)\b)"
    r"|(i )?(have|got) a (quick )?(question|problem|issue)\b"
    r"|(i |we )?(need|want|would like|'d like)( some)? (help|advice|tips|guidance)\b"
    r"|(question|help|tips?|advice) (about|on|with|for|needed|wanted|please)\b"
    r"|help( me)?( please)?[?!.]*$"
    r")",
    re.IGNORECASE,
)
_ASK_START = re.compile(
    r"^\s*(how|what|what's|which|why|when|where|who|whom|whose|should|shall|is|are|was|were|"
    r"do|does|did|can|could|would|will|may|am|has|have|any)\b",
    re.IGNORECASE,
)
_INTENT = re.compile(
    r"\b(i|we)('d| would| want| wanted| need| am trying| 'm trying|'m trying| are trying|'re trying)"
    r"|\b(trying|looking) to\b|\bhow (to|do|can|should|would)\b"
    r"|\b(not sure|unsure|wondering|don't know|do not know|can't decide|cannot decide)\b"
    r"\s+(how|whether|if|which|what|where|when|why)\b(?! to do\b)",
    re.IGNORECASE,
)
_PROBLEM = re.compile(
    r"\b(doesn't|does not|don't|do not|isn't|is not|won't|can't|cannot) (work|load|start|run|compile|build)"
    r"|\bnot working\b|\bnothing works\b|\b(broken|broke|fails?|failing|failed|crash(es|ing|ed)?|"
    r"errors?|bugs?|wrong|slow|stuck|rejected|weird)\b",
    re.IGNORECASE,
)
_ATTEMPT = re.compile(
    r"\b(i|we)( have|'ve| already| also)? (tried|try|added|used|use|set|changed|raised|restarted|"
    r"increased|checked|read|followed|installed|upgraded|moved|switched|segmented|drafted|"
    r"practised|practiced|ran|wrote|looked|googled|searched|stopped|removed|resolved|"
    r"configured|enabled|disabled)\b"
    r"|\b(already|so far|instead of|returns?|shows?|says|gives?|got|getting|get) \S"
    r"|\btried\b|\battempted\b|\bexpected\b|\bbut (it|they|that|this)\b",
    re.IGNORECASE,
)
# Advice and judgement questions ("should I …", "how do I deal with …", "is my … valid?") can only
# be answered for the asker's situation: they need more context than a factual how-to.
_ADVICE = re.compile(
    r"(^|[,;]\s*)should (i|we)\b|\b(what should (i|we)|is it worth|worth it)\b"
    r"|\bhow (do|can|should|would) (i|we) (get|become|learn|improve|deal|handle|price|choose|"
    r"decide|grow|start|manage)\b"
    r"|\bhow to (deal|handle|get|become|learn|improve|price|choose|decide|grow|start|manage)\b"
    r"|^\s*(is|are) (my|our|this|these|it)\b",
    re.IGNORECASE,
)
# A how-to question may name a problem ("How do I profile a slow query?") without reporting one.
_HOW_TO = re.compile(
    r"^\s*(how (do|can|should|would) (i|we)|how to|what's the best way to)\b", re.I
)
# Words that point at something the text never names.
_VAGUE_REF = re.compile(
    r"\b(something|stuff|everything|nothing|anything|these things|the topic|this one)\b"
    r"|\b(use|fix|with|about|explain|do) (it|this|that)\b[.?!]*",
    re.IGNORECASE,
)

# Thresholds, measured on the dev split of tests/data/coaching_eval.jsonl.
_THIN = 4.0  # specificity below this is too little context
_ADVICE_DETAIL = 8.0  # ...and below this for an advice or judgement question
_PROBLEM_DETAIL = 10.0  # a problem report with less detail than this needs what was tried
_VAGUE_DETAIL = 9.0  # vague references are fine once the text has this much detail


@dataclass(frozen=True, slots=True)
class Coaching:
    """What a question lacks, and what to suggest (at most two, most useful first)."""

    goal: bool
    specificity: float
    attempt: bool
    problem: bool
    vague: bool
    suggestions: tuple[str, ...]

    @property
    def needed(self) -> bool:
        return bool(self.suggestions)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.?!])\s+|\n+", text) if s.strip()]


def _has_goal(text: str) -> bool:
    """A sentence that asks for something in particular: a question or an intent, not a plea."""
    for sentence in _sentences(text):
        if _PLEA.search(sentence):
            continue
        if sentence.endswith("?") or _ASK_START.match(sentence) or _INTENT.search(sentence):
            return True
    return False


def _specificity(text: str, topics: Sequence[str]) -> tuple[float, int]:
    """Content words count 1, concrete details 2 (numbers, quotes, code, names, skills); and
    how many concrete details there are."""
    score = 0.0
    concretes = 0
    seen: set[str] = set()
    words = _WORD.findall(text)
    for i, raw in enumerate(words):
        word = raw.lower().strip("'’.")
        if not word or word in seen or word in _FILLER:
            continue
        seen.add(word)
        concrete = (
            any(ch.isdigit() for ch in raw)
            or bool(_CODEISH.search(raw))
            or (i > 0 and raw[0].isupper() and raw.lower() != "i" and not raw.isupper())
            or (len(raw) >= 2 and raw.isupper())
        )
        score += 2.0 if concrete else 1.0
        concretes += concrete
    quoted = len(_QUOTED.findall(text))
    score += 2.0 * quoted + 1.0 * len(set(topics))
    return score, concretes + quoted + len(set(topics))


# What to add, by the kind of question ("technical", "people", or "" when it cannot be told).
_CONTEXT = {
    "technical": "what you're working on, the tool or setup and any constraint (version, "
    "deadline, team size).",
    "people": "your role and situation, who else is involved and any constraint (timing, "
    "what has been said or decided so far).",
    "": "what you're working on, the tool or situation and any constraint (version, deadline, "
    "team size).",
}
_ATTEMPT_TIP = {
    "technical": "Say what you tried and what happened — paste the exact error message — and "
    "what you expected instead.",
    "people": "Say what your role is and what you've considered or tried so far, and how it went.",
    "": "Say what you tried and what happened (the exact error message, if there is one) and "
    "what you expected instead.",
}


def coach(text: str, topics: Sequence[str] = (), *, kind: str = "") -> Coaching:
    """Check one question (already validated for length) against the rules above; `kind` says
    whether it is ``"technical"`` or about ``"people"`` (``""``: cannot tell), for advice that
    fits it."""
    kind = kind if kind in _CONTEXT else ""
    goal = _has_goal(text)
    specificity, concrete = _specificity(text, topics)
    problem = bool(_PROBLEM.search(text))
    attempt = bool(_ATTEMPT.search(text))
    vague = bool(_VAGUE_REF.search(text)) and not concrete and specificity < _VAGUE_DETAIL
    thin = specificity < (_ADVICE_DETAIL if _ADVICE.search(text) else _THIN)
    untried = problem and not attempt and not _HOW_TO.match(text) and specificity < _PROBLEM_DETAIL
    subject = f" ({', '.join(topics[:2])})" if topics else ""
    suggestions: list[str] = []
    if not goal:
        suggestions.append(
            "Say what you want to end up with: finish with the question you'd like answered, "
            "e.g. “How do I …?” or “Which would you pick: … or …?”"
        )
    if thin or vague:
        suggestions.append(f"Add a sentence of context{subject}: {_CONTEXT[kind]}")
    if untried:
        suggestions.append(_ATTEMPT_TIP[kind])
    return Coaching(
        goal=goal,
        specificity=specificity,
        attempt=attempt,
        problem=problem,
        vague=vague,
        suggestions=tuple(suggestions[:2]),
    )
