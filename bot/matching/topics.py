"""Topic extraction: which taxonomy skills a question is about (rapidfuzz, word-boundary aware).

Matching works on whole words, never inside them ("java" is not found in "javascript", "go"
not in "going" or "ago"). Left to right, the longest run of words that names a skill wins,
tried first exactly (also run together and inflected, see `bot.matching.taxonomy`), then with a
typo (rapidfuzz OSA distance; never for ordinary English words, function words or short terms).
A ``#tag`` is one word (``#k8s``, ``#MachineLearning``, ``#machine-learning``).

Phrases the taxonomy marks as naming no topic ("on a tight budget") are skipped whole; cued
terms ("slow") count only beside another topic of their kind (a cue listed for a skill of each
kind names the one of the other topics' kind: "speed up" a build or a month-end close); a weak
term ("interviews") gives way to a more specific skill when that skill's trigger is present
(see `bot.matching.taxonomy`).

A *loose* term (a one-word name with another everyday sense: "arguments", "renewal", "retries")
is settled by the other topics the question names firmly (not loose, not cued):

- one of them is its own skill, a related skill or a skill of its area: the term counts;
- all of them are of the other kind (technical or not): the word is used in its other sense and
  is dropped ("parse *command line* arguments" is not about conflict resolution);
- there are none: the term is *unsure* (``TopicMatch.sure`` is false). `extract_topics` leaves
  it out; the classifier offers it as a guess for the asker to confirm
  (`bot.matching.classifier`), so "parking permit renewal" asks rather than says "account
  management".

A typo is read only in a word no English dictionary knows ("production" is never "projection").
A role ("product manager") right after "to", "with", "for" or "from" is the audience, not a topic,
when the question names another topic ("explain significance to a product manager").

A role after a "to" that ends another term is where the asker is going, not the audience: "from
analyst to data scientist" is a career change into data science. A move verb with "from" + a
field or role (the first or second word after "from" and a determiner: "from a data analyst
role") and "to"/"into" is a career change too ("transition from engineering into product
management"; never a move between tools). Writing a document ("write a status report") is
written communication unless a writing skill is named already.

Four more readings of everyday phrasing: "my report" (or "one of my reports") followed by a
person's verb ("keeps", "cried", "quit") is someone the asker manages, people
management, unless a management skill already says how (coaching, delegation …; "my report is
due friday" is a document); telling someone bad news
("tell my team their project is *cancelled*") is a difficult conversation, and telling someone
about their own work ("tell him *his code* …") is giving feedback; a run time after "takes" or
"from … to" ("startup takes 90s", "went from 50ms to 8s") beside a technical topic is performance
optimization unless a skill with its own speed (build tools, web performance …) is named.

A *backdrop* term (a department, a thing worked on or a document: "from *marketing*", "the prod
*db*", "behind an *api*"; ``[backdrop]`` in ``skills.toml``) beside another topic named firmly is
only where the question is set: it is marked ``TopicMatch.setting`` and left out by
`extract_topics` (the classifier keeps it as a guess, not a topic: a mentor who knows the setting
can still help), as is
a topic named before "the real problem is" when one is named after it ("our python service is
fine, *the real issue is* our kubernetes pods").

A general skill gives way to a related narrower one named in the same question ("negotiation"
to "salary negotiation", "python" to "python packaging").

Ambiguous spellings ("Go", "R", "C", "Excel", "React") count only with evidence: written as a
tag; next to a cue word ("Go code", "in R"); with a related skill in the same question ("R and
Python"); or, for words that are not one letter, capitalised as in the taxonomy mid-sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.matching._text import (
    FUNCTION_WORDS,
    STOP_WORDS,
    Token,
    common_words,
    known_word,
    stem,
)
from bot.matching.senses import PreparedText, prepare_text
from bot.matching.taxonomy import AmbiguousForm, Taxonomy

__all__ = ["TopicMatch", "extract_topics", "find_topics", "unsure_topics"]

# Words that, right after an ambiguous name, show it names a technology ("Go code", "R script").
_NEXT_CUES = frozenset(
    """code coding codebase program programs programming language developer developers dev devs
    app apps project projects script scripts module modules package packages library libraries
    framework service services server backend api sdk compiler runtime version file files
    component components hooks sheet sheets spreadsheet spreadsheets formula formulas macro
    macros workbook doc docs document documents template templates crate crates gem gems
    goroutine goroutines interface interfaces struct structs pointer pointers test tests
    binary binaries toolchain generics syntax plugin plugins engine http handler handlers
    routine routines""".split()
)
# A two-word term with up to two determiners between its words spans at most four words.
_GAPPED_SPAN = 4
# A term ending in one of these names a person ("product manager", "data scientist"); after "to",
# "with", "for" or "from" it is who the asker deals with (the audience), not what the question is
# about: "explain significance *to a product manager*" is about statistics, not product management.
_ROLE_NOUNS = frozenset(
    """manager managers engineer engineers designer designers developer developers researcher
    researchers scientist scientists analyst analysts recruiter recruiters owner owners lead leads
    leader leaders writer writers master accountant accountants marketer marketers lawyer
    lawyers coach coaches director directors""".split()
)
# A group the asker talks to: "explain a p-value *to my marketing team*" is about statistics, not
# marketing. Only after "to": "for a growth team", "with a remote team" say what the work is.
_TEAM_NOUNS = frozenset("team teams department departments".split())
_AUDIENCE_CUES = frozenset("to with for from".split())
_DETERMINERS = frozenset("a an the my our your his her their this that our".split())
# A career move said with a verb: "transition from engineering into product management", "get
# into UX from teaching". The move must start from a field or a role, so "move from REST to
# GraphQL" or "switch from HubSpot to Salesforce" (tools) is no career change.
_MOVE_VERBS = frozenset(
    """move moving moved switch switching switched transition transitioning transitioned pivot
    pivoting pivoted go going get getting break breaking shift shifting jump jumping""".split()
)
_FIELDS = frozenset(
    """engineering teaching sales marketing support finance design academia consulting nursing
    law accounting hr research operations ops journalism retail hospitality military qa
    testing development management analytics education healthcare medicine science coding
    programming software it recruiting banking print agency agencies customer""".split()
)
_ROLE_WORDS = frozenset(
    """teacher teachers nurse nurses analyst analysts dev devs pm pms consultant consultants
    lawyer accountant engineer engineers developer developers designer designers scientist
    researcher marketer recruiter manager writer tester support""".split()
)
# Where a career move may start: a field or a role.
_MOVE_ORIGINS = _FIELDS | _ROLE_WORDS
# Writing a document is written communication ("write a status report execs will read", "write a
# strategy doc"), whatever else the document is about, unless a writing skill is named already
# (a job description is hiring's).
_WRITE_VERBS = frozenset("write writing wrote draft drafting structure structuring".split())
_DOCUMENTS = frozenset(
    """doc docs document documents report reports description descriptions memo memos update
    updates proposal proposals summary summaries brief briefs writeup writeups write-up""".split()
)
_WRITING = frozenset(
    (
        "written communication",
        "technical writing",
        "copywriting",
        "requirements writing",
        "content design",
        "resume writing",
    )
)
_WRITE_SPAN = 5  # the document's noun within this many words after the verb
# Skills that already say the move: a career change, or a narrower one (academia to industry).
_MOVES = frozenset(("career change", "academic to industry", "returning to work"))
_MOVE_SPAN = 9  # words from the verb within which "from <field>" and "to"/"into" must stand
# A person the asker manages, called by the noun "report": "*my report* keeps missing deadlines",
# "one of *my reports* quit". Only with an owner and a person's verb right after, so "my report is
# due friday" or "finish my report" (a document) is not one.
_REPORT_OWNERS = frozenset("my our his her direct".split())
_REPORT_NOUNS = frozenset("report reports".split())
_PERSON_VERBS = frozenset(
    """keeps keep kept who wants wanted asked asks told tells says said cried cries doesn't
    doesnt didn't didnt does never always won't wont isn't isnt just seems seem missed misses
    missing quit resigned thinks thought feels felt refuses refused complained complains
    struggles struggling aren't arent don't dont are came comes went""".split()
)
# A skill of this area already says how the asker manages the person ("my report keeps asking me
# for answers" is coaching); another topic beside "my report" ("seem burnt out") does not.
_MANAGING_AREA = "management"
# Telling someone bad news ("tell *my team* their project is *cancelled*", "inform the candidate
# they were *rejected*"): a telling verb, a person within a few words, then a word of bad news.
_TELL_VERBS = frozenset(
    "tell telling told inform informing informed break breaking announce announcing".split()
)
_TOLD = frozenset(
    """my our the a team them him her someone people everyone staff employees client clients
    customer customers candidate candidates colleague colleagues report reports""".split()
)
_BAD_NEWS = frozenset(
    """cancelled canceled cancelling canceling scrapped axed laid layoffs layoff redundant
    redundancy redundancies rejected fired denied cut cuts demoted shelved dropped closing
    unsuccessful shut shutting sunset sunsetting discontinued killed""".split()
)
_TELL_SPAN = 10  # the bad-news word within this many words after the verb
# Telling someone about their own work is feedback: "tell someone *their work* is sloppy", "tell
# him his code needs tests".
_THEIR = frozenset("their his her your".split())
_OWN_WORK = frozenset(
    """work performance attitude code writing behaviour behavior output presentation designs
    tone""".split()
)
# A run time after a "take"/"from … to" in a technical question is a speed problem: "startup
# *takes 90s*", "the query *went from 50ms to 8s*" (beside a technical topic only: "hiring takes
# 3 months" is not about performance).
_DURATION = re.compile(r"^\d+(?:\.\d+)?(?:ms|s|sec|secs|min|mins|hrs)$")
_DURATION_UNITS = frozenset("ms sec secs second seconds min mins minute minutes hours hrs".split())
_TAKE_WORDS = frozenset("take takes took taking to load loads".split())
# A speed problem of these is theirs, not a performance topic ("the build takes 40 min").
_OWN_SPEED = frozenset(
    ("build tools", "ci/cd", "process improvement", "performance optimization", "web performance")
)
# "X is fine, *the real problem is* Y": what comes before is the setting, Y what is asked.
_REAL_OWNERS = frozenset("the my our".split())
_REAL_NOUNS = frozenset("problem problems issue issues question challenge thing".split())
# Words that, right before a one-letter language, show it names one ("in R", "using C").
_PREV_CUES = frozenset("in using with learn learning write writing written use into of".split())


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One skill found in a text: where, as which words, and how it was recognised."""

    skill: str
    words: str
    position: int
    how: str  # "exact", "fuzzy", "tag", "cued", "ambiguous" (or "ignored", never returned)
    sure: bool = True  # False for a loose term nothing else in the question supports
    # True for a backdrop term beside another topic: where the question is set, not what it asks
    # (the classifier keeps it as a guess: a mentor who knows the setting can still help)
    setting: bool = False


def _has_evidence(
    form: AmbiguousForm, tokens: list[Token], i: int, found: set[str], related: set[str]
) -> bool:
    tok = tokens[i]
    if tok.tag:
        return True
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if prev is not None and prev.is_number:
        return False  # "3 PM", "2 C"
    if nxt is not None and not nxt.sentence_start and nxt.text in _NEXT_CUES:
        return True
    if form.form != form.form.lower() and tok.raw != form.form:
        return False
    if related & found:
        return True
    if form.strict:
        if len(form.form) > 1 or tok.hyphenated:
            return False  # "C-level", "R-squared"
        return prev is not None and prev.text in _PREV_CUES and not tok.sentence_start
    return not tok.sentence_start


def _fuzzy_allowed(words: tuple[str, ...]) -> bool:
    """Whether `words` may be a typo of a term: not framed by function words, and holding a word
    that no English dictionary knows (a real word is that word, not a misspelling of another:
    "production" is not "projection", "pattern" is not "patent")."""
    if words[0] in FUNCTION_WORDS or words[-1] in FUNCTION_WORDS:
        return False
    common = common_words()
    return any(
        w.isalpha() and w not in common and stem(w) not in common and not known_word(w)
        for w in words
    )


def find_topics(
    text: str | PreparedText, taxonomy: Taxonomy, *, threshold: float = 85.0
) -> list[TopicMatch]:
    """Every skill mention in `text`, in order (a skill may appear more than once); words used
    in their everyday sense ("a python at the zoo": `bot.matching.senses`) name none. A
    `PreparedText` (prepared with this taxonomy's senses, as the classifier prepares a question)
    is read as it is: its everyday words are blanked and its tokens split already."""
    read = text if isinstance(text, PreparedText) else prepare_text(text, taxonomy.senses)
    tokens = list(read.tokens)
    n = len(tokens)
    matches: list[TopicMatch] = []
    consumed = [False] * n
    i = 0
    while i < n:
        hit = _match_at(tokens, i, taxonomy, threshold)
        if hit is None:
            i += 1
            continue
        if hit.how != "ignored":
            matches.append(hit)
        width = len(hit.words.split()) if not tokens[i].tag else 1
        for j in range(i, min(i + width, n)):
            consumed[j] = True
        i += width
    matches = _without_audience(_settle(matches, taxonomy, tokens), tokens)
    found = {m.skill for m in matches if m.sure}
    for i, tok in enumerate(tokens):
        if consumed[i]:
            continue
        for form in taxonomy.ambiguous_forms(tok.text):
            if _has_evidence(form, tokens, i, found, taxonomy.related_to(form.canon)):
                matches.append(TopicMatch(form.canon, tok.raw, i, "ambiguous"))
                break
    if "career change" in taxonomy and not {m.skill for m in matches} & _MOVES:
        at = _career_move(tokens)
        if at is not None:
            matches.append(TopicMatch("career change", tokens[at].raw, at, "exact"))
    named = {m.skill for m in matches if m.sure}
    if "people management" in taxonomy and not any(
        taxonomy.areas.get(s) == _MANAGING_AREA for s in named
    ):
        at = _report_person(tokens)
        if at is not None:
            matches.append(TopicMatch("people management", tokens[at].raw, at, "exact"))
    if "difficult conversations" in taxonomy and "difficult conversations" not in named:
        at = _telling_bad_news(tokens)
        if at is not None:
            matches.append(TopicMatch("difficult conversations", tokens[at].raw, at, "exact"))
    if "giving feedback" in taxonomy and "giving feedback" not in named:
        at = _telling_about_their_work(tokens)
        if at is not None:
            matches.append(TopicMatch("giving feedback", tokens[at].raw, at, "exact"))
    technical = any(taxonomy.technical(s) for s in named)
    if "performance optimization" in taxonomy and technical and not named & _OWN_SPEED:
        at = _run_time(tokens)
        if at is not None:
            matches.append(TopicMatch("performance optimization", tokens[at].raw, at, "exact"))
    if "written communication" in taxonomy and not {m.skill for m in matches} & _WRITING:
        at = _writing_a_document(tokens)
        if at is not None:
            matches.append(TopicMatch("written communication", tokens[at].raw, at, "exact"))
    matches.sort(key=lambda m: m.position)
    return _before_the_real_issue(matches, tokens)


def _before_the_real_issue(matches: list[TopicMatch], tokens: list[Token]) -> list[TopicMatch]:
    """Mark topics named before "the real problem is" (or issue, question …) as the setting when
    the question names a topic after it: "our python service is fine, *the real issue is* our
    kubernetes pods" asks about Kubernetes."""
    for i in range(len(tokens) - 2):
        if (
            tokens[i].text in _REAL_OWNERS
            and tokens[i + 1].text == "real"
            and tokens[i + 2].text in _REAL_NOUNS
        ):
            after = {m.skill for m in matches if m.position > i + 2 and m.sure and not m.setting}
            if not after:
                return matches
            return [
                replace(m, setting=True) if m.position < i and m.skill not in after else m
                for m in matches
            ]
    return matches


def _report_person(tokens: list[Token]) -> int | None:
    """Where the asker names someone they manage as "my report" ("*my report* keeps missing
    deadlines", "one of *my reports* quit"): an owner, "report(s)", then a person's verb. None
    when there is none."""
    for i, tok in enumerate(tokens[1:-1], start=1):
        if (
            tok.text in _REPORT_NOUNS
            and tokens[i - 1].text in _REPORT_OWNERS
            and tokens[i + 1].text in _PERSON_VERBS
        ):
            return i - 1
    return None


def _telling_bad_news(tokens: list[Token]) -> int | None:
    """Where the asker has to tell someone bad news ("*tell my team* their project is
    *cancelled*"): a telling verb, a person within three words, a bad-news word a few words on.
    None when there is none."""
    for i, tok in enumerate(tokens):
        if tok.text not in _TELL_VERBS:
            continue
        if not any(t.text in _TOLD for t in tokens[i + 1 : i + 4]):
            continue
        if any(t.text in _BAD_NEWS for t in tokens[i + 1 : i + 1 + _TELL_SPAN]):
            return i
    return None


def _telling_about_their_work(tokens: list[Token]) -> int | None:
    """Where the asker tells someone about their own work ("*tell someone their work* is
    sloppy"): a telling verb, a person, then "their"/"his"/"her" + a word of work. None when
    there is none."""
    for i, tok in enumerate(tokens):
        if tok.text not in _TELL_VERBS:
            continue
        after = [t.text for t in tokens[i + 1 : i + 5]]
        for k in range(1, len(after) - 1):
            if after[k] in _THEIR and after[k + 1] in _OWN_WORK and after[0] not in _THEIR:
                return i
    return None


def _run_time(tokens: list[Token]) -> int | None:
    """Where a run time follows a "take" or "from … to" ("startup *takes 90s*", "went from 50ms
    *to 8s*", "takes 40 minutes"). None when there is none."""
    for i, tok in enumerate(tokens[:-1]):
        if tok.text not in _TAKE_WORDS:
            continue
        nxt = tokens[i + 1]
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if _DURATION.match(nxt.text) or (
            nxt.is_number and after is not None and after.text in _DURATION_UNITS
        ):
            return i
    return None


def _writing_a_document(tokens: list[Token]) -> int | None:
    """Where the asker writes a document: a writing verb with a document noun a few words on
    ("write a *status report*", "draft the quarterly *update*"). None when there is none."""
    for i, tok in enumerate(tokens):
        after = tokens[i + 1 : i + 1 + _WRITE_SPAN]
        if tok.text in _WRITE_VERBS and any(
            t.text in _DOCUMENTS and (k == 0 or after[k - 1].text != "job")
            for k, t in enumerate(after)
        ):
            return i
    return None


def _career_move(tokens: list[Token]) -> int | None:
    """Where a move between fields or roles starts ("transition *from engineering into* product",
    "get into UX *from teaching*"): a move verb, then within a few words "to" or "into" and "from"
    + (a determiner +) a field or role word, or a move "into" after a field or role the asker
    named (`_move_into`). None when there is no such move."""
    for i, tok in enumerate(tokens):
        if tok.text not in _MOVE_VERBS:
            continue
        window = tokens[i + 1 : i + 1 + _MOVE_SPAN]
        texts = [t.text for t in window]
        if "from" not in texts or not {"to", "into"} & set(texts):
            continue
        j = texts.index("from") + 1
        if j < len(texts) and texts[j] in _DETERMINERS:
            j += 1
        if any(t in _MOVE_ORIGINS for t in texts[j : j + 2]):
            return i  # "from teaching", "from a data analyst role"
    return _move_into(tokens)


def _move_into(tokens: list[Token]) -> int | None:
    """Where a move "into" something starts after the asker named the field or role they are in:
    "*teacher* for 8 years, want to *get into* UX". None when there is no such move."""
    for i, tok in enumerate(tokens[1:-2], start=1):
        if tok.text not in _MOVE_VERBS or tokens[i + 1].text != "into":
            continue
        where = tokens[i + 2].text  # a field, not "the details" or "it"
        if where not in _DETERMINERS and where not in FUNCTION_WORDS:
            if any(t.text in _MOVE_ORIGINS for t in tokens[:i]):
                return i
    return None


def _settle(matches: list[TopicMatch], taxonomy: Taxonomy, tokens: list[Token]) -> list[TopicMatch]:
    """Drop cued terms without company of their kind; resolve weak terms against the rest."""
    firm = [m for m in matches if m.how != "cued"]
    kinds = {taxonomy.technical(m.skill) for m in firm}
    kept: list[TopicMatch] = []
    for m in matches:
        if m.how != "cued" or taxonomy.technical(m.skill) in kinds:
            kept.append(m)
            continue
        # the cue of the other kind, if the question's topics are of that kind
        kind = not taxonomy.technical(m.skill)
        other = taxonomy.cued_of_kind(m.words, kind) if kind in kinds else None
        if other is not None:
            kept.append(TopicMatch(other, m.words, m.position, m.how))
    found = {m.skill for m in kept}
    out: list[TopicMatch] = []
    for m in kept:
        skill = taxonomy.yielded(m.skill, m.words, found - {m.skill})
        out.append(m if skill == m.skill else TopicMatch(skill, m.words, m.position, m.how))
    return _narrowest(_without_backdrop(_settle_loose(out, taxonomy, tokens), taxonomy), taxonomy)


def _without_backdrop(matches: list[TopicMatch], taxonomy: Taxonomy) -> list[TopicMatch]:
    """Mark backdrop terms ("from *marketing*", "the prod *db*") as the question's setting beside
    another topic named firmly (not a backdrop, loose or cued term): that topic is what the
    question asks about. A backdrop term alone, or as a #tag, stays a topic."""
    backdrop = [m.how != "tag" and taxonomy.backdrop(m.skill, m.words) for m in matches]
    firm = {
        m.skill
        for m, b in zip(matches, backdrop, strict=True)
        if not b and m.sure and m.how != "cued"
    }
    return [
        replace(m, setting=True) if b and m.sure and firm - {m.skill} and m.skill not in firm else m
        for m, b in zip(matches, backdrop, strict=True)
    ]


def _audience(m: TopicMatch, tokens: list[Token], spanned: set[int]) -> bool:
    """Whether `m` names a person the asker deals with: a role ("product manager") right after
    "to", "with", "for" or "from" and at most one determiner ("to a product manager"), or a team
    right after "to" ("to my marketing team"). A "to" that ends another term (`spanned`: the
    positions of every match's words) is not such a cue: in "from analyst *to* data scientist"
    (a career change) the role is where the asker is going, what the question is about."""
    last = m.words.split()[-1].lower()
    if m.how == "tag" or last not in _ROLE_NOUNS | _TEAM_NOUNS:
        return False
    i = m.position - 1
    if i >= 0 and tokens[i].text in _DETERMINERS:
        i -= 1
    cues = _AUDIENCE_CUES if last in _ROLE_NOUNS else {"to"}
    return i >= 0 and tokens[i].text in cues and i not in spanned


def _without_audience(matches: list[TopicMatch], tokens: list[Token]) -> list[TopicMatch]:
    """Drop roles named as the audience when the question names another topic firmly."""
    spanned = {
        m.position + k for m in matches if m.how != "tag" for k in range(len(m.words.split()))
    }
    audience = [_audience(m, tokens, spanned) for m in matches]
    if not any(audience) or all(audience):
        return matches
    others = {m.skill for m, a in zip(matches, audience, strict=True) if not a and m.sure}
    if not others:
        return matches
    return [m for m, a in zip(matches, audience, strict=True) if not a or m.skill in others]


def _narrowest(matches: list[TopicMatch], taxonomy: Taxonomy) -> list[TopicMatch]:
    """Drop a general skill when a related, narrower one is named firmly: "negotiate a
    counteroffer" is salary negotiation, not negotiation as well ("salary negotiation" holds every
    word of "negotiation"; likewise python and python packaging)."""
    named = {m.skill for m in matches if m.sure}

    def narrower(skill: str) -> bool:
        words = set(skill.split())
        return any(
            other in taxonomy.related_to(skill) and words < set(other.split()) for other in named
        )

    return [m for m in matches if not narrower(m.skill)]


def _settle_loose(
    matches: list[TopicMatch], taxonomy: Taxonomy, tokens: list[Token]
) -> list[TopicMatch]:
    """Keep a loose term the other firm topics support; drop it beside only topics of the other
    kind; with nothing else named, keep it when a context word of its area stands in the
    question ("renewal" beside "customer"), else mark it unsure."""
    loose = [m.how != "tag" and taxonomy.loose(m.skill, m.words) for m in matches]
    firm = [m for m, lo in zip(matches, loose, strict=True) if not lo and m.how != "cued"]
    out: list[TopicMatch] = []
    for m, lo in zip(matches, loose, strict=True):
        if not lo:
            out.append(m)
        elif any(taxonomy.kin(m.skill, f.skill) for f in firm):
            out.append(m)
        elif firm and all(taxonomy.technical(f.skill) != taxonomy.technical(m.skill) for f in firm):
            continue
        elif not firm and taxonomy.in_context(m.skill, _words_outside(tokens, m)):
            out.append(m)
        else:
            out.append(TopicMatch(m.skill, m.words, m.position, m.how, sure=False))
    return out


def _words_outside(tokens: list[Token], m: TopicMatch) -> list[str]:
    """The question's words other than those of match `m`."""
    width = len(m.words.split())
    return [t.text for k, t in enumerate(tokens) if not m.position <= k < m.position + width]


def _match_at(
    tokens: list[Token], i: int, taxonomy: Taxonomy, threshold: float
) -> TopicMatch | None:
    tok = tokens[i]
    if tok.tag:
        return _match_tag(tok, i, taxonomy, threshold)
    longest = min(taxonomy.max_words, len(tokens) - i)
    spans: list[tuple[str, ...]] = []
    ahead = tokens[i : i + _GAPPED_SPAN]
    gapped = None
    if not any(t.tag or t.sentence_start for t in ahead[1:]):
        gapped = taxonomy.lookup_gapped(tuple(t.text for t in ahead))
    for width in range(longest, 0, -1):
        if gapped is not None and width < gapped[1]:
            words = tuple(t.text for t in tokens[i : i + gapped[1]])
            if not taxonomy.ignored(words):
                return TopicMatch(gapped[0], " ".join(words), i, "exact")
            gapped = None
        window = tokens[i : i + width]
        if any(t.tag for t in window[1:]):
            continue
        words = tuple(t.text for t in window)
        if width == 1 and words[0] in STOP_WORDS:
            continue
        if taxonomy.ignored(words):
            return TopicMatch("", " ".join(words), i, "ignored")
        if width == 1 and tok.is_number:  # "1:1" is a skill's name, "3" is not
            skill = taxonomy.terms().get(words[0])
            if skill is not None:
                return TopicMatch(skill, words[0], i, "exact")
            continue
        spans.append(words)
        skill = taxonomy.lookup(words)
        if skill is not None:
            return TopicMatch(skill, " ".join(words), i, "exact")
    for words in spans:
        skill = taxonomy.lookup_cued(words)
        if skill is not None:
            return TopicMatch(skill, " ".join(words), i, "cued")
    for words in spans:
        if _fuzzy_allowed(words):
            skill = taxonomy.lookup_fuzzy(words, threshold=threshold)
            if skill is not None:
                return TopicMatch(skill, " ".join(words), i, "fuzzy")
    return None


def _match_tag(tok: Token, i: int, taxonomy: Taxonomy, threshold: float) -> TopicMatch | None:
    spelled = tok.text.replace("-", " ").replace("_", " ")
    for words in (tuple(spelled.split()), (spelled.replace(" ", ""),)):
        skill = taxonomy.lookup(words)
        if skill is None and len(words) == 1 and taxonomy.ambiguous_forms(words[0]):
            skill = taxonomy.ambiguous_forms(words[0])[0].canon
        if skill is None and _fuzzy_allowed(words):
            skill = taxonomy.lookup_fuzzy(words, threshold=threshold)
        if skill is not None:
            return TopicMatch(skill, "#" + tok.raw, i, "tag")
    return None


def extract_topics(text: str, taxonomy: Taxonomy, *, threshold: float = 85.0) -> list[str]:
    """Canonical skills mentioned in `text`, in order of first mention, each once."""
    seen: dict[str, None] = {}
    matches = find_topics(text, taxonomy, threshold=threshold)
    named = {m.skill for m in matches if m.sure and not m.setting}
    for m in matches:
        if m.skill in named:
            seen.setdefault(m.skill, None)
    return list(seen)


def unsure_topics(text: str, taxonomy: Taxonomy, *, threshold: float = 85.0) -> list[str]:
    """Skills `text` names only loosely, with nothing to support them (see the module's notes):
    guesses to confirm with the asker, never topics on their own."""
    matches = find_topics(text, taxonomy, threshold=threshold)
    sure = {m.skill for m in matches if m.sure}
    seen: dict[str, None] = {}
    for m in matches:
        if not m.sure and m.skill not in sure:
            seen.setdefault(m.skill, None)
    return list(seen)
