"""The two courses as content: the shipped lessons (`bot/learning/courses/*.toml`), or an
admin's own from ``[learning] mentee`` / ``mentor`` in bot.toml, and how a lesson reads in chat.

A lesson's text may name the session's figures as ``{timebox_minutes}`` and ``{extend_minutes}``
(`[session]` in bot.toml): they are filled in when the course is read, so a lesson says the
time box this workspace has. Any other text in braces stays as written."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.config import Config, Lesson
from bot.learning.model import Track
from bot.messages import Action, Bold, ChatMessage, Text, lines, text

__all__ = [
    "COMPLETE",
    "Course",
    "check_action",
    "course",
    "lesson_message",
    "parse_check_action",
    "quoted",
]

# The last lesson's footer: the course is complete once its quick check is answered (`COMPLETE`
# is then said), not while its buttons still wait. They come after the footer on every
# platform (console, Slack's actions block, Discord's components under the embed): below it.
_LAST = (
    "That was the last lesson: answer its quick check with the buttons below to complete the "
    "course."
)
COMPLETE = "Course complete. Thank you! 🎓"
# Where each course's own person looks for it: an asker under `/askmentor`, a mentor under theirs.
_LEARN = {Track.MENTEE: "/askmentor learn", Track.MENTOR: "/mentor learn"}
_QUOTES = "\"'“”‘’"
_TITLES = {Track.MENTEE: "Asking well", Track.MENTOR: "Running a short session"}


# The placeholders a lesson may use; `course` fills them in from `[session]`.
_PLACEHOLDER = re.compile(r"\{(timebox_minutes|extend_minutes)\}")


@dataclass(frozen=True, slots=True)
class Course:
    track: Track
    title: str
    lessons: tuple[Lesson, ...]

    def __len__(self) -> int:
        return len(self.lessons)

    def lesson(self, number: int) -> Lesson | None:
        """Lesson `number` (1-based), or None past the end."""
        return self.lessons[number - 1] if 1 <= number <= len(self.lessons) else None


@cache
def _shipped(track: Track) -> Course:
    raw = resources.files("bot.learning").joinpath(f"courses/{track.value}.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    lessons = tuple(Lesson.model_validate(lesson) for lesson in data["lessons"])
    return Course(track, str(data.get("title") or _TITLES[track]), lessons)


def course(track: Track, config: Config) -> Course:
    """The course of `track`: the admin's lessons from bot.toml when given, else the shipped;
    its placeholders filled in from `config` (`_filled`). The shipped course is filled once per
    time box (`_shipped_filled`); an admin's own lessons are few and filled on each read."""
    timebox, extend = config.session.timebox_minutes, config.session.extend_minutes
    own = config.learning.mentee if track is Track.MENTEE else config.learning.mentor
    if not own:
        return _shipped_filled(track, timebox, extend)
    return _fill_in(Course(track, _TITLES[track], tuple(own)), timebox, extend)


@cache
def _shipped_filled(track: Track, timebox: int, extend: int) -> Course:
    return _fill_in(_shipped(track), timebox, extend)


def _fill_in(c: Course, timebox: int, extend: int) -> Course:
    figures = {"timebox_minutes": str(timebox), "extend_minutes": str(extend)}
    return Course(c.track, _filled(c.title, figures), tuple(_lesson(x, figures) for x in c.lessons))


def _filled(said: str, figures: dict[str, str]) -> str:
    """`said` with each known placeholder replaced by its figure; other braces kept as they are
    (a lesson may quote code with braces in it)."""
    return _PLACEHOLDER.sub(lambda m: figures[m.group(1)], said)


def _lesson(lesson: Lesson, figures: dict[str, str]) -> Lesson:
    check = lesson.check
    return lesson.model_copy(
        update={
            "title": _filled(lesson.title, figures),
            "body": _filled(lesson.body, figures),
            "check": check.model_copy(
                update={
                    "question": _filled(check.question, figures),
                    "options": [_filled(option, figures) for option in check.options],
                    "explain": _filled(check.explain, figures),
                }
            ),
        }
    )


def check_action(track: Track, option: int) -> str:
    """A quick check's button: ``mentee:2`` (on lesson 3 its id is ``mm:mentee:2:3``)."""
    return f"{track.value}:{option}"


def parse_check_action(action: str) -> tuple[Track, int] | None:
    """``mentee:2`` → (mentee, option 2); None for any other action."""
    kind, _, option = action.partition(":")
    if kind not in (Track.MENTEE.value, Track.MENTOR.value) or not option.isdigit():
        return None
    return Track(kind), int(option)


def quoted(option: str) -> str:
    """A quick check's option in curly quotes, once: an option that is itself a quotation (a
    thing someone says) keeps its words, not its own quote marks."""
    inner = option
    if len(option) >= 2 and option[0] in _QUOTES and option[-1] in _QUOTES:
        inner = option[1:-1]
    return f"“{inner}”"


def lesson_message(c: Course, number: int, *, intro: str = "") -> ChatMessage:
    """Lesson `number` with its quick check as buttons; the last one ends saying it was the
    last (after its quick check, and with no `/mentor learn stop` to offer): the course is
    complete once that check is answered."""
    lesson = c.lesson(number)
    assert lesson is not None, f"{c.track.value} lesson {number} does not exist"
    body: list[Text] = []
    if intro:
        body.append(text(intro))
    body.append(text(lesson.body.strip()))
    body.append(text(Bold("Quick check: "), lesson.check.question))
    actions = tuple(
        Action(check_action(c.track, i), number, option)
        for i, option in enumerate(lesson.check.options, start=1)
    )
    return ChatMessage(
        title=text(Bold(f"{c.title} · lesson {number} of {len(c)}: {lesson.title}")),
        body=lines(body),
        actions=actions,
        footer=text(
            _LAST
            if number >= len(c)
            else f"`{_LEARN[c.track]}` shows your progress · `{_LEARN[c.track]} stop` ends the course"
        ),
    )
