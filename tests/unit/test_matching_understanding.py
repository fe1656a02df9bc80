"""Questions as people ask them: situations, own words, learned expertise, asking when unsure."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot.commands import AskQuestion, PickTopic, RateSession, SetMentorAbout
from bot.config import AskSection, Config
from bot.matching import (
    LearnedExpertise,
    Lesson,
    MentorCandidate,
    MentorWords,
    OfflineClassifier,
    TopicGuess,
    build_taxonomy,
    default_situations,
    merge_guesses,
    rank_mentors,
)
from bot.refs import UserRef, WorkspaceRef
from tests.unit.core_harness import start_core

# These questions are phrased as people talk, without a stated goal: coaching (tested in
# test_learning_coaching) would hold them for a preview before matching ever ran.
NO_COACHING = Config(ask=AskSection(coaching="off"))

DATA = Path(__file__).resolve().parent.parent / "data"
W1, W2 = WorkspaceRef("test", "T1"), WorkspaceRef("test", "T2")


def ref(name: str) -> UserRef:
    return UserRef("test", name)


def test_situations_name_the_skill_a_described_need_is_about() -> None:
    book = default_situations()
    assert book.guess("I'm exhausted and can't switch off in the evenings")[0].skill in {
        "workplace wellbeing",
        "boundaries",
    }
    assert book.guess("the pods in our cluster keep restarting")[0].skill == "kubernetes"


def test_a_named_topic_leads_and_guesses_beside_it_weigh_less() -> None:
    reading = merge_guesses(
        [TopicGuess("python", 1.0, "named"), TopicGuess("debugging", 0.8, "situation")]
    )
    assert reading.topics == ("python",) and not reading.unsure
    assert reading.weights["debugging"] == 0.56  # 0.7 of its own weight


def test_the_bot_is_unsure_without_a_sure_guess_or_when_the_best_two_are_close() -> None:
    weak = merge_guesses([TopicGuess("budgeting", 0.6, "situation")])
    assert weak.unsure and weak.topics == ()
    close = merge_guesses(
        [TopicGuess("boundaries", 0.8, "situation"), TopicGuess("time management", 0.78, "s")]
    )
    assert close.unsure
    clear = merge_guesses([TopicGuess("boundaries", 0.9, "s"), TopicGuess("git", 0.5, "s")])
    assert not clear.unsure and clear.topics == ("boundaries",)


def test_own_words_bring_a_mentor_whose_skills_do_not_fit() -> None:
    words = MentorWords([(ref("maya"), "I help you answer an offer or a counter-offer")])
    own = words.match("I got a counter-offer and don't know how to answer")
    [r] = rank_mentors({}, [MentorCandidate(ref("maya"), ("sales",), True)], own_words=own)
    assert r.ref == ref("maya") and r.factors["own_words"] > 0


def test_own_words_meet_a_question_through_shared_ideas_without_a_shared_word() -> None:
    words = MentorWords(
        [
            (ref("aisha"), "Overload, calendars with no room to breathe, feeling drained."),
            (ref("viktor"), "Containers, clusters, autoscaling."),
        ]
    )
    own = words.match("I'm swamped and exhausted")  # no word of aisha's, two of her ideas
    assert set(own) == {ref("aisha")} and 0.15 <= own[ref("aisha")] <= 0.6
    # words shared and ideas shared add up (a word match alone would be smaller)
    both = words.match("feeling drained and swamped")
    assert both[ref("aisha")] > own[ref("aisha")]


def test_a_conversation_with_someone_is_not_public_speaking() -> None:
    book = default_situations()
    assert "public speaking" not in {g.skill for g in book.guess("who should I talk to first?")}
    quarrel = book.guess("two people on my team aren't speaking to each other")
    assert quarrel[0].skill == "conflict resolution"
    assert "public speaking" not in {g.skill for g in quarrel}
    assert book.guess("I get nervous speaking in front of the whole company")[0].skill == (
        "public speaking"
    )


def test_helped_similar_points_go_to_the_mentor_who_helped_before() -> None:
    both = [
        MentorCandidate(ref("a"), ("git",), True),
        MentorCandidate(ref("b"), ("git",), True),
    ]
    ranked = rank_mentors(["git"], both, helped={ref("b"): 0.5})
    assert [r.ref for r in ranked] == [ref("b"), ref("a")]
    assert ranked[0].factors["helped_similar"] == 30.0


def test_what_is_learned_stays_in_its_workspace() -> None:
    learned = LearnedExpertise()
    learned.teach(W1, Lesson(1, "our staging deploy keeps timing out", ref("nina"), ("ci/cd",)))
    assert learned.helped(W1, "the staging deploy is timing out again") == {ref("nina"): 1.0}
    assert learned.helped(W2, "the staging deploy is timing out again") == {}
    assert "ci/cd" in learned.topics(W1, "staging deploy timing out")


def test_the_blind_set_is_large_balanced_and_names_no_skill_of_its_mentors() -> None:
    roster = {m["name"]: m for m in json.loads((DATA / "matching_people_roster.json").read_text())}
    rows = [json.loads(line) for line in (DATA / "matching_people_blind.jsonl").open()]
    assert len(roster) >= 15 and len(rows) >= 150
    assert sum(r["kind"] == "people" for r in rows) == sum(r["kind"] == "technical" for r in rows)
    tuning = {
        json.loads(line)["question"] for line in (DATA / "matching_people_tuning.jsonl").open()
    }
    for r in rows:
        assert r["question"] not in tuning
        for name in r["mentors"]:
            for skill in roster[name]["skills"]:
                assert skill not in r["question"].lower(), (r["id"], skill)


def test_the_second_tuning_set_is_large_balanced_new_and_names_no_skill_of_its_mentors() -> None:
    roster = {m["name"]: m for m in json.loads((DATA / "matching_people_roster.json").read_text())}
    rows = [json.loads(line) for line in (DATA / "matching_people_tuning2.jsonl").open()]
    assert len(rows) >= 120
    people = sum(r["kind"] == "people" for r in rows)
    assert abs(people - (len(rows) - people)) <= 2
    earlier = {
        json.loads(line)["question"]
        for name in ("tuning", "blind")
        for line in (DATA / f"matching_people_{name}.jsonl").open()
    }
    for r in rows:
        assert r["question"] not in earlier and r["mentors"]
        for name in r["mentors"]:
            for skill in roster[name]["skills"]:
                assert skill not in r["question"].lower(), (r["id"], skill)


def test_the_third_tuning_set_is_chat_style_balanced_and_names_no_skill_of_its_mentors() -> None:
    roster = {m["name"]: m for m in json.loads((DATA / "matching_people_roster.json").read_text())}
    rows = [json.loads(line) for line in (DATA / "matching_people_tuning3.jsonl").open()]
    assert len(rows) >= 100
    people = sum(r["kind"] == "people" for r in rows)
    assert abs(people - (len(rows) - people)) <= 2
    earlier = {
        json.loads(line)["question"]
        for name in ("tuning", "tuning2", "blind")
        for line in (DATA / f"matching_people_{name}.jsonl").open()
    }
    for r in rows:
        assert r["question"] not in earlier and r["mentors"]
        assert set(r["mentors"]) <= set(roster)
        for name in r["mentors"]:
            for skill in roster[name]["skills"]:
                assert skill not in r["question"].lower(), (r["id"], skill)


def test_offline_classifier_reads_named_topics_and_situations() -> None:
    guesses = OfflineClassifier(build_taxonomy()).guesses("our Django app is slow")
    assert ("django", "named") in {(g.skill, g.how) for g in guesses}


async def test_ten_well_rated_sessions_change_who_is_suggested() -> None:
    core = await start_core(NO_COACHING)
    await core.join("ana", "performance optimization")
    await core.join("bob", "performance optimization")
    question = "The nightly invoice export hangs for minutes before timing out"
    first = core.question(await core.ask("carol", question)).suggested
    mentor = "bob" if first[0] == core.user("ana") else "ana"
    other = core.user(mentor)
    for i in range(10):
        n = await core.ask("dave", f"Invoice export number {i} hangs for minutes, timing out")
        await core.claim(mentor, n)
        await core.resolve("dave", n)
        await core.handle(RateSession(core.actor("dave"), n, 5))
        core.clock.advance(timedelta(minutes=15))  # spread out, as sessions are ([limits])
    core.clock.advance(timedelta(days=7))  # a new week: this week's load is even again
    after = core.question(await core.ask("erin", question)).suggested
    assert after[0] == other


async def test_unsure_asker_gets_topic_buttons_and_a_pick_resuggests_and_teaches() -> None:
    core = await start_core(NO_COACHING)
    await core.join("aisha", "workplace wellbeing")
    said = await core.handle(
        AskQuestion(
            core.actor("bob"), "Everything feels like a lot lately and I do not know what to do"
        )
    )
    [confirmation] = said
    ids = [a.id for a in confirmation.actions]
    *ids, cancel = ids
    assert cancel == "cancel"
    assert ids[-1] == "topic:other" and all(i.startswith("topic:") for i in ids)
    reply = await core.reply(PickTopic(core.actor("bob"), 1, "workplace wellbeing"))
    assert "aisha" in reply
    assert core.question(1).topics[0] == "workplace wellbeing"
    assert core.question(1).suggested == (core.user("aisha"),)
    assert "workplace wellbeing" in core.bus.services.learned.topics(
        core.question(1).workspace, "everything feels like a lot lately"
    )


async def test_only_the_asker_picks_the_topic() -> None:
    core = await start_core(NO_COACHING)
    n = await core.ask("alice", "Everything feels like a lot lately and I do not know what to do")
    reply = await core.reply(PickTopic(core.actor("mallory"), n, "boundaries"))
    assert "Only the person who asked" in reply


async def test_the_first_topic_picked_wins() -> None:
    # The card, its suggestions and the learned lesson follow the first pick: a second press
    # ("something else", or another topic) changes nothing and says what stands.
    core = await start_core(NO_COACHING)
    n = await core.ask("alice", "Everything feels like a lot lately and I do not know what to do")
    await core.reply(PickTopic(core.actor("alice"), n, "debugging"))
    before = core.db.snapshot()
    for again in ("other", "boundaries"):
        reply = await core.reply(PickTopic(core.actor("alice"), n, again))
        assert reply == f"#{n} is already about debugging."
    assert core.db.snapshot() == before
    assert core.question(n).topics[0] == "debugging"


async def test_something_else_first_keeps_the_question_as_written() -> None:
    core = await start_core(NO_COACHING)
    n = await core.ask("alice", "Everything feels like a lot lately and I do not know what to do")
    topics = core.question(n).topics
    await core.reply(PickTopic(core.actor("alice"), n, "other"))
    reply = await core.reply(PickTopic(core.actor("alice"), n, "debugging"))
    assert reply.startswith(f"You said #{n} is about something else already")
    assert core.question(n).topics == topics


async def test_mentor_about_is_stored_and_shown_on_the_profile() -> None:
    core = await start_core(NO_COACHING)
    await core.join("maya", "salary negotiation")
    reply = await core.reply(SetMentorAbout(core.actor("maya"), "Answering offers and counters"))
    assert "Answering offers and counters" in reply


def test_warm_up_loads_the_lazy_parts_before_the_first_question() -> None:
    """`micromentor run` warms the reading before it serves: the first question's decision must
    not load the English dictionary (~0.3 s holding the event loop, and every ack behind it).
    In a fresh process, since the dictionary is cached process-wide once loaded."""
    script = (
        "from simplemma.strategies.dictionaries import dictionary_factory as f\n"
        "from bot.matching import OfflineClassifier, build_taxonomy, warm_up\n"
        "tax = build_taxonomy()\n"
        "warm_up(tax)\n"
        "def refuse(*a, **k):\n"
        "    raise AssertionError('the dictionary was loaded by a question')\n"
        "f._load_dictionary_from_disk = refuse\n"
        "print(OfflineClassifier(tax).guesses('my postgress managment job keeps failing'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
