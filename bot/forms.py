"""What a submitted form can be told before it is stored: the mistakes a person fixes in the
form itself (a question too short, an unknown timezone), keyed by the form's field, so a
platform that can keep the form open shows each under its field with the person's text kept."""

from __future__ import annotations

from bot.commands import AskQuestion, Command, RegisterMentor
from bot.config import Config
from bot.hours import HoursError, WeeklyHours, check_timezone
from bot.learning.commands import SaveFaq
from bot.learning.faq import answer_problem
from bot.questions.asking import question_problem

__all__ = ["form_problems"]

_SKILL_MAX = 60


def form_problems(command: Command, config: Config) -> dict[str, str]:
    """``{field: what to change}`` for an ask, join or FAQ form; empty when it can go in."""
    if isinstance(command, AskQuestion):
        problem = question_problem(command.text, config.ask, in_form=True)
        return {"question": problem} if problem else {}
    if isinstance(command, RegisterMentor):
        return _join_problems(command)
    if isinstance(command, SaveFaq):
        problem = answer_problem(command.answer)
        return {"answer": problem} if problem else {}
    return {}


def _join_problems(cmd: RegisterMentor) -> dict[str, str]:
    problems: dict[str, str] = {}
    skills = [s.strip() for s in cmd.skills if s.strip()]
    if not skills:
        problems["skills"] = "Tell me at least one skill, separated by commas: python, sql, docker."
    elif any(len(s) > _SKILL_MAX for s in skills):
        problems["skills"] = (
            f"A skill is at most {_SKILL_MAX} characters; separate skills with commas."
        )
    for field, value, check in (
        ("hours", cmd.hours, WeeklyHours.parse),
        ("timezone", cmd.timezone, check_timezone),
    ):
        if value:
            try:
                check(value)
            except HoursError as e:
                problems[field] = str(e)
    return problems
