"""Next steps after a session: the offline suggester (related skills, curated resources, FAQ
entries), the optional language-model suggester (its time limit, its failures, what it may see),
"Share summary", and the longer-chat proposal on the third question about one topic."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.commands import AskQuestion
from bot.config import Config, FaqSection, FollowUpSection, LearningSection, ResourceLink
from bot.learning.commands import PostDraft, SaveFaq, ShareSummary
from bot.learning.model import NextSteps, Resource, SuggestionRequest
from bot.learning.suggestions import (
    LlmSuggester,
    OfflineSuggester,
    curated_resources,
    parse_reply,
    prompt_for,
)
from bot.matching import SimilarIndexes, build_taxonomy
from bot.mentors.roster_cache import MentorRoster
from bot.messagebus import Services
from bot.privacy.commands import LeaveProgramme
from tests.unit.core_harness import Core, start_core

ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): it returns a Series indexed by both columns.'
GOOD_REPLY = (
    '```json\n{"topics": ["pivot tables", "window functions"], "resources": '
    '[{"title": "Practice: rebuild one report with groupby", "url": ""}, '
    '{"title": "A guide", "url": "https://example.com/guide"}, '
    '{"title": "Shady", "url": "javascript:alert(1)"}]}\n```'
)


class FakeModel:
    """A `complete` that records what it was sent and answers as told."""

    def __init__(self, reply: str = GOOD_REPLY, *, delay: float = 0.0, fail: bool = False) -> None:
        self.reply, self.delay, self.fail = reply, delay, fail
        self.sent: list[list[dict[str, str]]] = []

    async def __call__(self, messages: list[dict[str, str]]) -> str:
        self.sent.append(messages)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise ConnectionError("endpoint down")
        return self.reply


async def core_with(model: FakeModel | None, config: Config | None = None) -> Core:
    config = config or Config()
    services = Services(
        taxonomy=build_taxonomy(config.skills),
        similar=SimilarIndexes(),
        roster=MentorRoster(ttl_seconds=config.matching.roster_cache_seconds),
        suggester=LlmSuggester(model) if model is not None else None,
    )
    # the next steps without the lessons
    quiet = config.model_copy(update={"learning": LearningSection(enabled=False)})
    return await start_core(quiet, services=services, learning=True)


def next_steps(core: Core, name: str = "alice") -> list[str]:
    return [m for m in core.chat.dms(core.user(name)) if m.startswith("Next steps after")]


async def after_a_session(core: Core, *, minutes: int = 5) -> str:
    await core.resolved()
    core.clock.advance(timedelta(minutes=minutes))
    await core.tick()
    [said] = next_steps(core)
    return said


# --- the offline suggester -----------------------------------------------------------------


async def test_offline_suggestions_are_related_skills_and_curated_resources() -> None:
    taxonomy = build_taxonomy()
    suggester = OfflineSuggester(taxonomy, curated_resources(Config(), taxonomy))
    steps = await suggester.suggest(SuggestionRequest("How do I group?", ("pandas",)))
    assert steps.source == "offline"
    assert 2 <= len(steps.topics) <= 3 and "pandas" not in steps.topics
    assert set(steps.topics) <= taxonomy.related_to("pandas")
    assert steps.resources[0] == Resource(
        "10 minutes to pandas", "https://pandas.pydata.org/docs/user_guide/10min.html"
    )
    assert len(steps.resources) <= 3


async def test_offline_resources_are_the_questions_own_topics_not_a_related_skills() -> None:
    """A groupby question gets pandas' resources, not the practice idea of a related skill
    (data visualization's "redo one chart…") as if it were advice on what was asked; only a
    topic with no resources of its own borrows the likeliest related skill's."""
    taxonomy = build_taxonomy()
    resources = curated_resources(Config(), taxonomy)
    suggester = OfflineSuggester(taxonomy, resources)
    steps = await suggester.suggest(SuggestionRequest("How do I group?", ("pandas",)))
    assert steps.resources == resources["pandas"][:3]
    both = await suggester.suggest(SuggestionRequest("Read a CSV?", ("python", "pandas")))
    assert [r.title for r in both.resources] == [
        resources["python"][0].title,
        resources["pandas"][0].title,
        resources["python"][1].title,
    ]
    bare = {k: v for k, v in resources.items() if k != "pandas"}
    borrowed = await OfflineSuggester(taxonomy, bare).suggest(
        SuggestionRequest("How do I group?", ("pandas",))
    )
    assert borrowed.resources
    assert {r for r in borrowed.resources} <= {r for k in borrowed.topics[:1] for r in bare[k]}


async def test_admins_resources_come_before_the_shipped_ones() -> None:
    taxonomy = build_taxonomy()
    config = Config(resources={"Pandas": [ResourceLink(title="Our wiki", url="https://wiki/pd")]})
    resources = curated_resources(config, taxonomy)
    assert resources["pandas"][0] == Resource("Our wiki", "https://wiki/pd")
    assert len(resources["pandas"]) == 4


async def test_a_resource_the_admin_also_listed_is_suggested_once() -> None:
    # The admin's own title for the shipped "10 minutes to pandas" (same page, other name).
    taxonomy = build_taxonomy()
    url = "https://pandas.pydata.org/docs/user_guide/10min.html"
    config = Config(resources={"pandas": [ResourceLink(title="Pandas in 10 minutes", url=url)]})
    suggester = OfflineSuggester(taxonomy, curated_resources(config, taxonomy))
    steps = await suggester.suggest(SuggestionRequest("How do I group?", ("pandas",)))
    assert [r.url for r in steps.resources].count(url) == 1
    assert steps.resources[0] == Resource("Pandas in 10 minutes", url)


def test_a_model_reply_suggests_each_resource_and_topic_once() -> None:
    steps = parse_reply(
        '{"topics": ["SQL joins", "sql joins", "indexes"], "resources": ['
        '{"title": "Use the index, Luke", "url": "https://use-the-index-luke.com/"},'
        '{"title": "Use The Index, Luke!", "url": "https://use-the-index-luke.com"},'
        '{"title": "Practice: rewrite one slow query", "url": ""}]}'
    )
    assert steps.topics == ("SQL joins", "indexes")
    assert [r.title for r in steps.resources] == [
        "Use the index, Luke",
        "Practice: rewrite one slow query",
    ]


async def test_with_no_topic_there_is_nothing_to_relate() -> None:
    taxonomy = build_taxonomy()
    suggester = OfflineSuggester(taxonomy, curated_resources(Config(), taxonomy))
    assert await suggester.suggest(SuggestionRequest("Hmm?", ())) == NextSteps()


async def test_next_steps_reach_the_asker_a_few_minutes_after_resolve() -> None:
    core = await core_with(None)
    await core.resolved()
    core.clock.advance(timedelta(minutes=4))
    await core.tick()
    assert next_steps(core) == []
    core.clock.advance(timedelta(minutes=1))
    await core.tick()
    [said] = next_steps(core)
    assert said.startswith("Next steps after #1 · pandas")
    assert "Explore next: " in said and "10 minutes to pandas (https://pandas.pydata.org" in said


async def test_next_steps_include_faq_entries_of_other_sessions() -> None:
    core = await core_with(None)
    first = await core.resolved()
    await core.handle(SaveFaq(core.actor("bob"), first, ANSWER))
    core.clock.advance(timedelta(minutes=5))
    await core.tick()
    assert "Answered before" not in next_steps(core)[0]  # its own entry is not "before"
    await core.reply(
        AskQuestion(
            core.actor("dave"), "How can I group a pandas DataFrame by two columns and get the sum?"
        )
    )  # held, FAQ 1 offered: dave posts it anyway
    await core.handle(PostDraft(core.actor("dave"), 1))
    await core.claim("bob", 2)
    await core.resolve("dave", 2)
    core.clock.advance(timedelta(minutes=5))
    await core.tick()
    [said] = next_steps(core, "dave")
    assert "Answered before:" in said and "FAQ 1" in said


async def test_switched_off_there_are_no_next_steps() -> None:
    core = await core_with(None, Config(followup=FollowUpSection(enabled=False)))
    await core.resolved()
    core.clock.advance(timedelta(hours=1))
    await core.tick()
    assert next_steps(core) == []


# --- the guard against quick fixes ---------------------------------------------------------


async def test_the_third_question_on_a_topic_proposes_a_longer_chat_with_its_mentor() -> None:
    core = await core_with(None)
    for i in range(3):
        await core.resolved()
        core.clock.advance(timedelta(minutes=5))
        await core.tick()
        said = next_steps(core)[i]
        assert ("longer mentoring chat" in said) is (i == 2), said
    assert "This was your third question about pandas lately." in said
    assert "bob mentors pandas: ask them for a 30–45 minute session" in said


async def test_the_longer_chat_names_a_mentor_of_the_topic_when_the_session_mentor_is_not() -> None:
    core = await core_with(None)
    await core.join("carol", "pandas")
    for _ in range(2):
        await core.resolved()
    await core.join("dave", "python")  # dave mentors, but not pandas
    await core.reply(
        AskQuestion(
            core.actor("alice"), "How do I pivot a pandas DataFrame with two index columns?"
        )
    )
    await core.claim("dave", 3)
    await core.resolve("alice", 3)
    core.clock.advance(timedelta(minutes=5))
    await core.tick()
    said = next_steps(core)[-1]
    assert "carol mentors pandas" in said or "bob mentors pandas" in said


async def test_only_the_third_question_is_called_the_third_even_when_next_steps_wait() -> None:
    # Three sessions before any next steps go out (say, quiet hours held them back): only the
    # third question's message proposes the longer chat; the first was no one's "third".
    core = await core_with(None, Config(followup=FollowUpSection(after_minutes=60)))
    for _ in range(3):
        await core.resolved()
        core.clock.advance(timedelta(minutes=10))
    core.clock.advance(timedelta(minutes=60))
    await core.tick()
    said = next_steps(core)
    assert len(said) == 3
    assert ["longer mentoring chat" in s for s in said] == [False, False, True]


async def test_questions_asked_at_the_same_moment_are_counted_in_the_order_asked() -> None:
    # The console's clock stands still between lines: three questions asked at one instant are
    # still the first, second and third (counted as of each question, by its number).
    core = await core_with(None, Config(followup=FollowUpSection(after_minutes=60)))
    for _ in range(3):
        await core.resolved()
    core.clock.advance(timedelta(minutes=60))
    await core.tick()
    said = next_steps(core)
    assert len(said) == 3
    assert ["longer mentoring chat" in s for s in said] == [False, False, True]


async def test_the_longer_chat_never_names_a_mentor_who_has_left_mentoring() -> None:
    core = await core_with(None)
    await core.join("carol", "pandas")
    for _ in range(3):
        await core.resolved()  # alice's three pandas sessions, all with bob
    await core.reply(LeaveProgramme(core.actor("bob")))
    core.clock.advance(timedelta(minutes=5))
    await core.tick()
    said = next_steps(core)[-1]
    assert "longer mentoring chat" in said
    assert "bob" not in said
    assert "carol mentors pandas" in said


# --- the language model ----------------------------------------------------------------------


def test_the_prompt_holds_the_question_topics_and_only_a_shared_summary() -> None:
    request = SuggestionRequest("How do I group?", ("pandas",), summary="Use groupby.")
    [system, user] = prompt_for(request)
    assert system["role"] == "system" and "JSON" in system["content"]
    assert (
        user["content"]
        == "Question: How do I group?\nTopics: pandas\nMentor's short summary of the answer: Use groupby."
    )
    [_, bare] = prompt_for(SuggestionRequest("How do I group?", ("pandas",)))
    assert "summary" not in bare["content"]


def test_a_model_reply_is_parsed_and_unsafe_links_dropped() -> None:
    steps = parse_reply(GOOD_REPLY)
    assert steps.source == "llm" and steps.topics == ("pivot tables", "window functions")
    assert steps.resources[1] == Resource("A guide", "https://example.com/guide")
    assert steps.resources[2] == Resource("Shady", "")


@pytest.mark.parametrize(
    "wrapped",
    [
        "Here are the next steps:\n```json\n{reply}\n```\nHope that helps {{:)}}",
        "{{note: draft}} {reply} and one more thing {{x}}",
    ],
)
def test_a_model_reply_wrapped_in_prose_and_braces_is_still_read(wrapped: str) -> None:
    steps = parse_reply(wrapped.format(reply=GOOD_REPLY))
    assert steps.topics == ("pivot tables", "window functions")


@pytest.mark.parametrize("reply", ["no json here", "[1, 2]", '{"topics": [], "resources": []}'])
def test_a_reply_with_nothing_usable_is_an_error(reply: str) -> None:
    with pytest.raises(ValueError):
        parse_reply(reply)


async def test_the_model_suggests_the_next_steps_when_one_is_configured() -> None:
    model = FakeModel()
    core = await core_with(model)
    said = await after_a_session(core)
    assert "Explore next: pivot tables, window functions" in said
    assert "A guide — https://example.com/guide" in said  # a model's link is text, not a link
    [messages] = model.sent
    assert "How do I group a pandas DataFrame" in messages[1]["content"]


async def test_a_slow_model_is_given_up_on_and_the_offline_suggestions_go_out() -> None:
    model = FakeModel(delay=5.0)
    core = await core_with(model, Config(followup=FollowUpSection(llm_timeout_seconds=0.05)))
    said = await after_a_session(core)
    assert "10 minutes to pandas" in said and "pivot tables" not in said


async def test_a_failing_model_falls_back_to_the_offline_suggestions(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = await core_with(FakeModel(fail=True))
    said = await after_a_session(core)
    assert "10 minutes to pandas" in said
    assert "the LLM suggester failed (ConnectionError)" in caplog.text
    assert "endpoint down" not in caplog.text


async def test_a_model_reply_without_suggestions_falls_back_too() -> None:
    core = await core_with(FakeModel("I'm sorry, I can't help with that."))
    assert "10 minutes to pandas" in await after_a_session(core)


async def test_share_summary_buttons_show_only_when_a_model_is_configured() -> None:
    for model, shown in ((None, False), (FakeModel(), True)):
        core = await core_with(model)
        await core.resolved()
        actions = [
            a.id
            for m in core.chat.messages("post_in_thread", thread=core.chat.thread_of(1))
            for a in m.actions
        ]
        assert ("share" in actions) is shown
        assert "faq" in actions


async def test_the_summary_goes_to_the_model_only_when_both_pressed_share() -> None:
    model = FakeModel()
    # No FAQ offered at ask time: the same question is asked again after its entry is saved.
    config = Config(followup=FollowUpSection(after_minutes=30), faq=FaqSection(shown=0))
    core = await core_with(model, config)
    n = await core.resolved()
    await core.handle(SaveFaq(core.actor("bob"), n, ANSWER))
    said = await core.reply(ShareSummary(core.actor("alice"), n))
    assert said == (
        f"Noted. Once the mentor of #{n} agrees too, the mentor's short answer will shape the "
        "next-step suggestions."
    )
    core.clock.advance(timedelta(minutes=30))
    await core.tick()
    assert "summary" not in model.sent[-1][1]["content"]

    n = await core.resolved()
    await core.handle(SaveFaq(core.actor("bob"), n, ANSWER))
    await core.handle(ShareSummary(core.actor("alice"), n))
    said = await core.reply(ShareSummary(core.actor("bob"), n))
    # the mentor is told of the answer as their own to write (the FAQ entry)
    assert said == f"Thanks! On #{n}, your short answer will shape the next-step suggestions."
    core.clock.advance(timedelta(minutes=30))
    await core.tick()
    assert f"Mentor's short summary of the answer: {ANSWER}" in model.sent[-1][1]["content"]


async def test_sharing_without_a_model_or_before_the_answer_is_written_says_so() -> None:
    """The button shows only with a model; pressed anyway (a console `click share`), nothing
    is agreed to. With a model, a press before the mentor wrote their short answer says the
    answer is still to come, rather than speak of one that isn't there."""
    core = await core_with(None)
    n = await core.resolved()
    said = await core.reply(ShareSummary(core.actor("alice"), n))
    assert said.startswith("There's nothing to share here:")
    core = await core_with(FakeModel())
    n = await core.resolved()
    said = await core.reply(ShareSummary(core.actor("bob"), n))
    assert said == (
        f"Noted. Once the asker of #{n} agrees too, your short answer (once you write it: Save "
        "as FAQ) will shape the next-step suggestions."
    )
    said = await core.reply(ShareSummary(core.actor("alice"), n))
    assert said == (
        f"Thanks! On #{n}, the mentor's short answer (once they write one) will shape the "
        "next-step suggestions."
    )


async def test_only_the_two_people_of_a_resolved_session_can_share() -> None:
    core = await core_with(FakeModel())
    n = await core.claimed()
    assert (await core.reply(ShareSummary(core.actor("alice"), n))).endswith(
        "isn't resolved yet; share its summary afterwards."
    )
    await core.resolve("alice", n)
    said = await core.reply(ShareSummary(core.actor("mallory"), n))
    assert said == f"Only the asker and the mentor of #{n} can share its summary."
    await core.handle(ShareSummary(core.actor("alice"), n))
    again = await core.reply(ShareSummary(core.actor("alice"), n))
    assert again.startswith("You've agreed to share the summary")
