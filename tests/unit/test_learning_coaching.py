"""Question coaching: the rules (and their quality on the labelled set), and the flow — a vague
question becomes a private draft with suggestions and [Post as is] [Edit]; a good one posts at
once; ``[ask] coaching = "off"`` posts everything."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.commands import AskQuestion, CancelQuestion, ShowHome
from bot.config import AskSection, Config
from bot.domain import QuestionState
from bot.learning.coaching import coach
from bot.learning.commands import EditDraft, PostDraft
from bot.learning.model import DraftState
from bot.matching import build_taxonomy, extract_topics
from tests.unit.core_harness import QUESTION, Core, start_core

EVAL = Path(__file__).resolve().parent.parent / "data" / "coaching_eval.jsonl"
VAGUE = "Can someone help me with pandas?"
# Targets of the issue; measured 0.96 / 0.96 on the held-out split, 1.00 / 0.97 on dev.
MIN_PRECISION = 0.85
MIN_RECALL = 0.80


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line]


def _quality(rows: list[dict[str, object]]) -> tuple[float, float]:
    tax = build_taxonomy()
    tp = fp = fn = 0
    for r in rows:
        text = str(r["question"])
        needed = coach(text, extract_topics(text, tax)).needed
        wanted = r["label"] == "coach"
        tp, fp, fn = (
            tp + (needed and wanted),
            fp + (needed and not wanted),
            fn + (wanted and not needed),
        )
    return tp / (tp + fp), tp / (tp + fn)


def test_the_labelled_set_has_over_a_hundred_questions_and_a_held_out_part() -> None:
    rows = _rows()
    assert len(rows) >= 100
    assert {r["split"] for r in rows} == {"dev", "holdout"}
    assert sum(r["split"] == "holdout" for r in rows) >= 40
    assert {r["label"] for r in rows} == {"good", "coach"}


@pytest.mark.parametrize("split", ["dev", "holdout"])
def test_coaching_precision_and_recall_meet_the_targets(split: str) -> None:
    precision, recall = _quality([r for r in _rows() if r["split"] == split])
    assert precision >= MIN_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_RECALL, f"recall {recall:.3f}"


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Can someone help me with Excel?", "goal"),
        ("I have a question about Kubernetes.", "goal"),
        ("How do I get promoted?", "context"),
        ("Should we use Postgres or Mongo?", "context"),
        ("Docker is not working on my machine", "context"),
        ("Can somebody explain how to use it? I tried but it doesn't work.", "context"),
    ],
)
def test_vague_questions_get_a_suggestion_for_what_is_missing(question: str, missing: str) -> None:
    verdict = coach(question)
    assert verdict.needed
    wording = {"goal": "Say what you want to end up with", "context": "Add a sentence of context"}
    assert any(s.startswith(wording[missing]) for s in verdict.suggestions)
    assert len(verdict.suggestions) <= 2


def test_a_problem_report_without_what_was_tried_asks_for_it() -> None:
    verdict = coach(
        "Our deploy to the staging cluster fails every night with a weird timeout on the "
        "database migration step, why would that be?"
    )
    assert verdict.problem and not verdict.attempt
    assert any(s.startswith("Say what you tried") for s in verdict.suggestions)


@pytest.mark.parametrize(
    "question",
    [
        QUESTION,
        "How do I reverse a list in Python?",
        "How do I profile a slow SQL query?",
        "My SQL query joining orders and customers (2M rows) takes 40 seconds in Postgres. "
        "EXPLAIN shows a sequential scan even though I added an index. What am I missing?",
    ],
)
def test_questions_with_goal_and_context_pass(question: str) -> None:
    assert not coach(question).needed


@pytest.mark.parametrize(
    "question",
    [
        "Does anyone know how to mock datetime.now in pytest?",
        "Could you help me understand how Kubernetes liveness probes differ from readiness probes?",
        "Can someone help me figure out why git rebase -i drops my merge commits?",
    ],
)
def test_a_polite_opening_before_a_real_question_is_not_a_plea(question: str) -> None:
    # "Does anyone know how …", "help me understand how …": the question follows the courtesy.
    assert not coach(question).needed


@pytest.mark.parametrize(
    "question",
    ["Does anyone here use Kafka at work?", "Does anyone know Terraform?", "Can someone help me?"],
)
def test_a_bare_plea_still_gets_coached(question: str) -> None:
    assert any(s.startswith("Say what you want") for s in coach(question).suggestions)


@pytest.fixture
async def core() -> Core:
    c = await start_core()
    await c.join("bob", "python", "pandas")
    return c


async def test_a_vague_question_becomes_a_private_draft_with_post_and_edit(core: Core) -> None:
    [preview] = await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    said = preview.plain()
    assert said.startswith("Before I post it:")
    assert "Your draft (only you see it): Can someone help me with pandas?" in said
    assert [a.custom_id for a in preview.actions] == ["mm:post:1", "mm:edit:1"]
    assert core.db.tables["questions"] == {}
    assert core.chat.of("post_card") == []


async def test_a_second_askers_first_draft_shows_no_draft_number(core: Core) -> None:
    # Drafts are numbered across everyone: "Draft 2" on erin's first would tell her that
    # someone else has one. Only the buttons carry the number.
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    [preview] = await core.handle(AskQuestion(core.actor("erin"), VAGUE))
    said = preview.plain()
    assert f"Your draft (only you see it): {VAGUE}" in said
    assert [a.custom_id for a in preview.actions] == ["mm:post:2", "mm:edit:2"]
    told = [
        said,
        await core.reply(EditDraft(core.actor("erin"), 2)),
        await core.reply(PostDraft(core.actor("erin"), 1)),  # alice's, not hers
        await core.reply(PostDraft(core.actor("erin"), 2)),
        await core.reply(PostDraft(core.actor("erin"), 2)),
        await core.reply(EditDraft(core.actor("erin"), 2)),
    ]
    assert told[1].startswith("Here is your draft to edit.")
    assert (
        told[2]
        == "That draft isn't one of yours, or it's gone. To ask your question, use `/askmentor <question>`."
    )
    assert told[4] == "This draft was posted already."
    assert told[5].startswith("That draft was already posted as it was, as #1.")
    for t in told:
        assert "2" not in t and not re.search(r"draft\W*\d", t, re.IGNORECASE), t


async def test_post_as_is_posts_the_draft_unchanged(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True, stage="senior"))
    said = await core.reply(PostDraft(core.actor("alice"), 1))
    assert said.startswith("Thanks! Your question is #1")
    q = core.question(1)
    assert (q.text, q.anonymous, q.wanted_stage) == (VAGUE, True, "senior")
    assert core.db.tables["drafts"][1].state is DraftState.POSTED


async def test_a_draft_posts_once_however_often_post_is_pressed(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    await core.handle(PostDraft(core.actor("alice"), 1))
    said = await core.reply(PostDraft(core.actor("alice"), 1))
    assert said == "This draft was posted already."
    assert len(core.db.tables["questions"]) == 1


async def test_someone_elses_draft_cannot_be_posted(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    said = await core.reply(PostDraft(core.actor("mallory"), 1))
    assert said.startswith("That draft isn't one of yours, or it's gone.")
    assert "`/askmentor <question>`" in said  # and what to do instead
    assert core.db.tables["questions"] == {}


async def test_edit_in_the_console_hands_the_text_back_to_send_again(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True))
    said = await core.reply(EditDraft(core.actor("alice"), 1))
    assert "`/askmentor --anonymous <question>`" in said and said.endswith(VAGUE)
    # Nothing was sent yet (as when [Edit] opens a form): the draft waits for either.
    assert core.db.tables["drafts"][1].state is DraftState.PENDING


async def test_a_question_retyped_after_an_anonymous_draft_without_the_flag_stays_anonymous(
    core: Core,
) -> None:
    [preview] = await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True))
    assert "(only you see it; it will be posted anonymously)" in preview.plain()
    await core.reply(EditDraft(core.actor("alice"), 1))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))  # forgot --anonymous
    assert "posted anonymously" in said and "It replaces your anonymous draft" in said
    assert core.question(1).anonymous
    assert core.db.tables["drafts"][1].state is DraftState.REPLACED
    # a form carries the draft's own choice: unticked there, the asker chose their name
    await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True))
    other = "How do I merge two pandas DataFrames on two keys? I tried merge, rows doubled."
    said = await core.reply(AskQuestion(core.actor("alice"), other, draft_id=2))
    assert not core.question(2).anonymous and "anonymous" not in said
    # with no anonymous draft waiting, a question is asked as typed
    third = "How do I read a 5 GB CSV with pandas in chunks? I tried chunksize, it was slow."
    said = await core.reply(AskQuestion(core.actor("alice"), third))
    assert said.startswith("Thanks! Your question is #3.") and not core.question(3).anonymous


async def test_an_anonymous_draft_left_for_days_does_not_make_a_new_question_anonymous(
    core: Core,
) -> None:
    # As long as the home view lists a held draft, it is still meant; after that, not.
    await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True))
    core.clock.advance(timedelta(days=8))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    assert not core.question(1).anonymous and "anonymous" not in said


async def test_the_home_view_lists_a_held_draft_until_it_is_posted(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE, anonymous=True))
    core.clock.advance(timedelta(days=6))
    home = await core.reply(ShowHome(core.actor("alice")))
    assert "(your draft, not posted yet, anonymous): Can someone help me with pandas?" in home
    assert "None. Ask with" not in home
    await core.reply(PostDraft(core.actor("alice"), 1))
    home = await core.reply(ShowHome(core.actor("alice")))
    assert "your draft" not in home and "#1 (you asked anonymously, open)" in home


async def test_post_as_is_after_edit_in_the_console_posts_the_draft_once(core: Core) -> None:
    # [Edit] pressed, then the asker changed their mind: [Post as is] posts it as it was.
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    await core.reply(EditDraft(core.actor("alice"), 1))
    assert (await core.reply(PostDraft(core.actor("alice"), 1))).startswith("Thanks! Your")
    assert core.question(1).text == VAGUE
    assert await core.reply(PostDraft(core.actor("alice"), 1)) == "This draft was posted already."
    assert len(core.db.tables["questions"]) == 1


async def test_an_edited_question_from_the_form_replaces_its_draft(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    assert said.startswith("Thanks! Your question is #1")
    assert core.db.tables["drafts"][1].state is DraftState.EDITED
    assert (await core.reply(PostDraft(core.actor("alice"), 1))).startswith(
        "This draft was replaced"
    )


async def test_an_edit_submitted_after_post_as_is_posts_nothing_and_says_where_it_is(
    core: Core,
) -> None:
    # [Edit] opened the form, then [Post as is] was pressed, then the form was submitted.
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    assert (await core.reply(PostDraft(core.actor("alice"), 1))).startswith("Thanks! Your")
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    assert said.startswith("That draft was already posted as it was, as #1, so I haven't posted")
    assert "`/askmentor cancel 1`" in said and "thread once a mentor claims it" in said
    assert len(core.db.tables["questions"]) == 1
    assert core.question(1).text == VAGUE
    assert core.db.tables["drafts"][1].state is DraftState.POSTED
    await core.claim("bob", 1)  # once claimed, the thread is the place for details
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    assert said.endswith("or add the details in its thread.")
    assert len(core.db.tables["questions"]) == 1


async def test_an_edit_of_a_draft_posted_and_cancelled_since_posts_nothing(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    await core.handle(PostDraft(core.actor("alice"), 1))
    await core.handle(CancelQuestion(core.actor("alice"), 1))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    assert said.startswith("That draft was already posted as it was, as #1 (now cancelled)")
    assert "`/askmentor <question>`" in said
    assert len(core.db.tables["questions"]) == 1


async def test_a_late_post_as_is_after_the_edit_was_submitted_posts_once(core: Core) -> None:
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    assert said.startswith("Thanks! Your question is #1")
    assert (await core.reply(PostDraft(core.actor("alice"), 1))).startswith(
        "This draft was replaced"
    )
    assert len(core.db.tables["questions"]) == 1
    assert core.question(1).text == QUESTION


async def test_a_second_edit_form_of_the_same_draft_posts_nothing(core: Core) -> None:
    # [Edit] pressed twice opens two forms; only the first submission replaces the draft.
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))
    await core.handle(AskQuestion(core.actor("alice"), QUESTION, draft_id=1))
    other = "How do I pivot a pandas DataFrame by month? I tried pivot_table but got NaN rows."
    said = await core.reply(AskQuestion(core.actor("alice"), other, draft_id=1))
    assert said.startswith("That draft was already replaced by an edit, so I haven't posted")
    assert len(core.db.tables["questions"]) == 1


async def test_a_good_question_posts_at_once(core: Core) -> None:
    assert await core.ask("alice") == 1
    assert core.question(1).state is QuestionState.OPEN
    assert core.db.tables["drafts"] == {}


async def test_coaching_off_posts_vague_questions_at_once() -> None:
    core = await start_core(Config(ask=AskSection(coaching="off")))
    said = await core.reply(AskQuestion(core.actor("alice"), VAGUE))
    assert said.startswith("Thanks! Your question is #1")


async def test_an_ask_retires_waiting_drafts_at_its_write_after_ranking(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retiring the asker's waiting drafts is a write: it comes after the reads (ranking among
    them), so SQLite's write lock is not held through them."""
    import bot.questions.asking as asking
    from tests.unit import fakes

    done: list[str] = []
    ranking, retiring = asking.rank_for, fakes.FakeDraftRepository.close_pending

    async def rank(*args: object, **kwargs: object) -> object:
        done.append("rank")
        return await ranking(*args, **kwargs)  # type: ignore[arg-type]

    async def retire(self: fakes.FakeDraftRepository, *args: object) -> list[int]:
        done.append("retire")
        return await retiring(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(asking, "rank_for", rank)
    monkeypatch.setattr(fakes.FakeDraftRepository, "close_pending", retire)
    await core.handle(AskQuestion(core.actor("alice"), VAGUE))  # held: a draft waits
    assert done == ["retire"]  # held before any ranking: retired where the draft is written
    done.clear()
    await core.ask("alice", QUESTION)
    assert done == ["rank", "retire"]
    assert core.db.tables["drafts"][1].state is DraftState.REPLACED
