"""The "pick one" choices of an unsure reading: only plausible areas, never a row filled with
skills that share no word with the question (picking one would ping the wrong mentors)."""

from __future__ import annotations

from bot.commands import AskQuestion
from bot.config import AskSection, Config
from bot.matching import OfflineClassifier, TopicGuess, build_taxonomy, merge_guesses, skill_words
from bot.questions.topic_choice import UNSURE_PROMPT
from tests.unit.core_harness import start_core

NO_COACHING = Config(ask=AskSection(coaching="off"))
PARKING = "Where do I do the parking permit renewal for the office garage?"
LUNCH = "Who should I talk to about the lunch menu in the canteen?"


async def test_an_off_topic_question_is_offered_no_unrelated_mentors_skills() -> None:
    core = await start_core(NO_COACHING)
    await core.join("bob", "python", "pandas", "git")
    await core.join("carol", "public speaking", "leadership", "figma")
    [parking] = await core.handle(AskQuestion(core.actor("ann"), PARKING))
    # "renewal" loosely names account management: a plausible guess, and the only one
    assert [a.id for a in parking.actions] == ["topic:account management", "topic:other", "cancel"]
    [lunch] = await core.handle(AskQuestion(core.actor("ann"), LUNCH))
    # nothing plausible: no areas to pick from, the question is posted as written
    assert UNSURE_PROMPT not in lunch.plain()
    assert [a.id for a in lunch.actions] == ["cancel"]


def test_skills_sharing_no_rare_word_are_not_offered() -> None:
    tax = build_taxonomy()
    offered = skill_words(tax, LUNCH, limit=len(tax))
    # "talk" alone is shared by too many skills to point at any of them
    assert "public speaking" not in offered and "presentation skills" not in offered
    assert skill_words(tax, "moving to berlin for a job, what do i need to sort out")[0] == (
        "relocation"
    )
    assert "web performance" in skill_words(tax, "how do I make my code faster")
    assert "python" not in skill_words(tax, "how do I make my code faster")


def test_a_guess_from_one_passing_clue_is_weighed_but_not_offered() -> None:
    reading = merge_guesses([TopicGuess("frontend development", 0.5, "situation")])
    assert reading.unsure and reading.choices == ()
    assert reading.weights["frontend development"] == 0.5
    tentative = merge_guesses([TopicGuess("account management", 0.6, "tentative")])
    assert tentative.choices == ("account management",)
    learned = merge_guesses([], learned={"budgeting": 0.4})
    assert learned.choices == ("budgeting",)  # learned here: always worth offering


def test_a_lunch_menu_is_food_not_a_screen_nor_working_through_lunch() -> None:
    guesses = OfflineClassifier(build_taxonomy()).guesses
    assert guesses(LUNCH) == []
    assert "boundaries" in {g.skill for g in guesses("I never get a lunch break, meetings all day")}
