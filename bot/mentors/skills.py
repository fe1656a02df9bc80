"""A mentor's skills as typed (`/mentor join`, `/mentor skills`, a roster sheet): cleaned, named
as the taxonomy names them, and a note of what was made of them (renamed; everyday words that
are not read into questions)."""

from __future__ import annotations

from collections.abc import Iterable

from bot.hygiene import clean_line, has_visible_text
from bot.matching import Taxonomy
from bot.matching._text import common_words
from bot.messagebus import Context, Refusal
from bot.messages import Text, UserText, text

__all__ = ["read_skills", "renamed_skills"]


def read_skills(ctx: Context, raw: tuple[str, ...]) -> tuple[tuple[str, ...], Text]:
    """The skills as the taxonomy names them, and a note naming those it renamed (``k8s`` is
    listed as ``kubernetes``) and the everyday words it keeps out of matching (``year``); empty
    when there is nothing to say: a mentor sees what was made of their words."""
    # Skills are shown on profiles and cards and learned as topics: hidden and reordering
    # characters go first, and a skill with nothing visible left is no skill.
    cleaned = tuple(c for c in (clean_line(s, limit=len(s)) for s in raw) if has_visible_text(c))
    if not cleaned:
        raise Refusal(
            "Tell me at least one skill, separated by commas: `/mentor join python, sql, public speaking`."
        )
    too_long = [s for s in cleaned if len(s) > 60]
    if too_long:
        raise Refusal("A skill is at most 60 characters; separate skills with commas.")
    # A mention (`@everyone`, `<@&123>`, Slack's `<!here>`) or a link is no skill: it would
    # only sit on profiles and in `/mentor list` looking like one.
    odd = [s for s in cleaned if s.startswith("@") or "<" in s or ">" in s or "://" in s]
    if odd:
        raise Refusal(
            text(
                UserText(odd[0]),
                " doesn't look like a skill (a mention or a link?). Skills are words like "
                "`python, sql, public speaking`.",
            )
        )
    taxonomy = ctx.services.taxonomy
    _ask_about_typos(taxonomy, cleaned)
    skills: tuple[str, ...] = taxonomy.normalize(cleaned)
    note = _renamed_note(renamed_skills(taxonomy, cleaned))
    everyday = _everyday_note([s for s in skills if s in taxonomy.quiet])
    return skills, text(note, " ", everyday) if note and everyday else note or everyday


def _ask_about_typos(taxonomy: Taxonomy, typed: tuple[str, ...]) -> None:
    """A short unknown skill one edit away from a known one (``gti`` → git) is asked about
    before anything is saved, as `/lightning propose` asks: stored as typed it would match no
    question, and stored as the guess it would be a skill the mentor never named. In quotes
    (``"gti"``), or with other signs than letters, a skill is kept as typed."""
    typos = [
        (s, near)
        for s in typed
        # Letters only: `r&d`, `c#` are one edit from an alias (`l&d`) but no typo of it; and
        # an English word (`test`) is none either, as `Taxonomy.canonical` reads typos.
        if s.isalpha()
        and s.casefold() not in common_words()
        and taxonomy.canonical(s) is None
        and (near := taxonomy.close_to(s)) is not None
    ]
    if not typos:
        return
    if len(typos) == 1:
        ((typo, near),) = typos
        raise Refusal(
            text(
                "“",
                UserText(typo),
                f"” isn't a skill I know — did you mean {near}? Nothing was saved: send the list "
                f"again with {near}, or put the skill in quotes (",
                UserText(f'"{typo}"'),
                ") to keep it as you typed it.",
            )
        )
    asked = _and([text("“", UserText(s), f"” ({near}?)") for s, near in typos])
    raise Refusal(
        text(
            asked,
            " aren't skills I know. Nothing was saved: send the list again with ",
            _and([text(near) for _, near in typos]),
            ", or put each in quotes (",
            UserText(f'"{typos[0][0]}"'),
            ") to keep it as you typed it.",
        )
    )


def renamed_skills(taxonomy: Taxonomy, typed: Iterable[str]) -> list[tuple[str, str]]:
    """The typed skills the taxonomy lists under another name (``k8s`` → ``kubernetes``), as
    (typed, listed) pairs; a change of case, ``_`` or ``#`` only is no renaming."""
    # One at a time (as `normalize` maps a list), to know what each typed skill became.
    named = [(s, taxonomy.normalize((s,))) for s in typed]
    return [(s, one[0]) for s, one in named if one and _plain(s) != _plain(one[0])]


def _plain(skill: str) -> str:
    """A skill without what only spells it differently: case, ``_`` for a space, a ``#``."""
    # Not the taxonomy's own key (`bot.matching.taxonomy._norm`): that one keeps a ``#`` at the
    # end or behind a quote, so "python#" or "'#python" (listed as python) would read as renamed.
    return " ".join(skill.casefold().replace("_", " ").split()).strip("#,;:!?\"' ")


def _renamed_note(renamed: list[tuple[str, str]]) -> Text:
    """``I've listed “career” as “career growth” and “k8s” as “kubernetes”.``"""
    if not renamed:
        return Text()
    parts = [text("“", UserText(s), "” as “", UserText(c), "”") for s, c in renamed]
    return text("I've listed ", _and(parts), ".")


def _everyday_note(quiet: list[str]) -> Text:
    """``“year” and “coffee” are everyday words: questions won't be matched to them unless
    whoever runs Micromentor adds them to its skill list. …`` (the skills kept on the profile
    but not read into questions: everyday words the taxonomy does not list, which `[skills]` in
    bot.toml, the operator's, can add; there is no such list per workspace)."""
    if not quiet:
        return Text()
    one = len(quiet) == 1
    return text(
        _and([text("“", UserText(s), "”") for s in quiet]),
        " is an everyday word" if one else " are everyday words",
        ": questions won't be matched to ",
        "it" if one else "them",
        " unless whoever runs Micromentor adds ",
        "it" if one else "them",
        " to its skill list. ",
        "It stays" if one else "They stay",
        " on your profile for people to read (marked “not matched”); `/mentor skills` "
        "with your list without ",
        "it" if one else "them",
        " takes ",
        "it" if one else "them",
        " off.",
    )


def _and(parts: list[Text]) -> Text:
    """``a``, ``a and b``, ``a, b and c``."""
    joined = parts[0]
    for i, part in enumerate(parts[1:], start=2):
        joined = joined + (" and " if i == len(parts) else ", ") + part
    return joined
