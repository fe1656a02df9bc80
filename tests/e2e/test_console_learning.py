"""Learning that lasts, through the console: a new mentee's and a new mentor's first week of
lessons, coaching a vague question, next steps after a session, the FAQ staying true, career
stage and region, the call link, quality control, and next steps from a language model that
never hears the thread."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from adapters.console import ConsoleSession
from adapters.console.gateway import PLATFORM, ConsoleGateway
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app, console_config
from tests.adapters.llm.fake_openai import FakeOpenAI, Received
from tests.e2e.console_driver import START, ConsoleDriver, Output

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"
LIKE_IT = "/askmentor How can I group a pandas DataFrame by two columns and get the sum?"
ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): it returns a Series indexed by both columns.'
SESSION = ("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")


def lessons(out: Output, who: str) -> list[str]:
    return [s.lines[0] for s in out.to(f"DM {who}") if " · lesson " in s.lines[0]]


@asynccontextmanager
async def console_with(sqlite_url: str, config: Config) -> AsyncIterator[ConsoleDriver]:
    printed: list[str] = []
    clock = ManualClock(START)
    gateway = ConsoleGateway(printed.append)
    app = await build_app(
        console_config(config),
        clock=clock,
        gateways={PLATFORM: gateway},
        database_url=sqlite_url,
        deliver_now=True,
    )
    session = ConsoleSession(app=app, gateway=gateway, clock=clock, write=printed.append)
    await session.setup()
    try:
        yield ConsoleDriver(session, printed, app)
    finally:
        await app.dispose()


# --- training ------------------------------------------------------------------------------


async def test_a_new_mentee_and_a_new_mentor_are_walked_through_their_first_week(
    console: ConsoleDriver,
) -> None:
    out = await console(*SESSION)
    assert lessons(out, "bob") == ["Running a short session · lesson 1 of 5: Your first claim"]
    assert lessons(out, "alice") == ["Asking well · lesson 1 of 5: What a 20-minute session can do"]
    week = Output()
    for _ in range(7):
        week += await console("clock +1d")
    assert [line.split(": ", 1)[1] for line in lessons(week, "alice")] == [
        "Give context",
        "Say what you tried",
        "Say what you expect",
        "After the session",
    ]
    assert len(lessons(week, "bob")) == 4
    last = week.one("DM bob", "lesson 5 of 5").text
    # The last lesson says so after its quick check; nothing to stop any more. The course is
    # complete only once that check is answered.
    assert last.index("Quick check:") < last.index("That was the last lesson")
    assert "course complete" not in last.lower() and "/mentor learn stop" not in last
    # It points at the check's buttons where they are: printed below it.
    footer = last.index("answer its quick check with the buttons below")
    assert footer < last.index("→ click mentor:")
    out = await console("as bob", "/mentor learn")
    assert "the last one's quick check is not answered yet" in out.one("only bob sees").text
    out = await console("click mentor:2 5")
    said = out.one("only bob sees").text
    assert said.startswith(
        "Right! The answer is “Adding the error message would have saved us 5 minutes”."
    )
    assert said.endswith("Course complete. Thank you! 🎓")
    out = await console("/mentor learn")
    assert "Running a short session: complete (5 of 5 lessons" in out.one("only bob sees").text


async def test_a_quick_check_learn_and_stop_in_the_console(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join pandas")
    out = await console("click mentor:2 1")
    assert out.one("only bob sees").text.startswith("Right! The answer is “Release it")
    for _ in range(3):  # where am I? — as often as you like: no lesson comes early
        out = await console("/mentor learn")
        assert (
            "Running a short session: lesson 1 of 5, its quick check answered "
            "(quick checks 1/1 right); lesson 2 comes by DM from " in out.text
        ), out.text
        assert "`/mentor learn stop` ends the lessons" in out.text
        assert lessons(out, "bob") == [] and "lesson 2 of 5" not in out.text
    out = await console("clock +1d")
    assert lessons(out, "bob") == [
        "Running a short session · lesson 2 of 5: 20 minutes, one next step"
    ]
    out = await console("/mentor learn stop")
    assert out.one("only bob sees").text.startswith("Done: no more lessons.")
    out = await console("clock +3d")
    assert lessons(out, "bob") == []


async def test_a_lessons_quick_check_buttons_show_what_to_type(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor join pandas")
    lesson = out.one("DM bob", "lesson 1 of 5")
    assert lesson.lines[-1] == (
        "[Answer tomorrow → click mentor:1 1] "
        "[Release it so others can pick it up → click mentor:2 1] "
        "[Say nothing → click mentor:3 1]"
    )


async def test_a_wrong_click_on_a_lesson_lists_that_lessons_buttons(
    console: ConsoleDriver,
) -> None:
    await console("as alice", ASK, "as bob", "/mentor join pandas")
    out = await console("click mentor:release 1")
    assert out.one("only bob sees").text == (
        "Sorry, there's no `mentor:release` button on 1. What you can press there now: "
        "click mentor:1 1 (Answer tomorrow) · "
        "click mentor:2 1 (Release it so others can pick it up) · "
        "click mentor:3 1 (Say nothing)."
    )


async def test_a_wrong_click_lists_only_buttons_the_clicker_was_shown(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas", "as alice", ASK)
    said = (await console("click relase 1")).one("only alice sees").text
    # Her Cancel; not the card's Claim (she asked it), nor her lesson's quick check (also on 1).
    assert said == (
        "Sorry, there's no `relase` button on 1. What you can press there now: "
        "click cancel 1 (Cancel (asker))."
    )
    assert "mentor:" not in said  # bob's lesson, which alice never saw


# --- coaching ------------------------------------------------------------------------------


async def test_a_vague_question_is_coached_then_posted_as_is(console: ConsoleDriver) -> None:
    out = await console(
        "as bob", "/mentor join pandas", "as alice", "/askmentor Can someone help me with pandas?"
    )
    preview = out.one("only alice sees", "Before I post it")
    assert "Your draft (only you see it): Can someone help me with pandas?" in preview
    assert preview.lines[-1] == "[Post as is → click post 1] [Edit → click edit 1]"
    assert out.to("#mentoring") == []
    out = await console("click post 1")
    assert "Thanks! Your question is #1." in out.one("only alice sees").text
    assert "Can someone help me with pandas?" in out.one("#mentoring")


async def test_edit_hands_the_draft_back_to_improve(console: ConsoleDriver) -> None:
    await console("as alice", "/askmentor --anonymous Can someone help me with pandas?")
    out = await console("click edit 1")
    said = out.one("only alice sees").text
    assert "`/askmentor --anonymous <question>`" in said and said.endswith(
        "Can someone help me with pandas?"
    )
    # Nothing sent as an edit: the asker changed their mind, and Post as is posts it as it was.
    out = await console("click post 1")
    assert out.one("only alice sees").text.startswith("Thanks! Your question is #1 (posted anon")
    assert "Can someone help me with pandas?" in out.one("#mentoring")


async def test_asking_again_after_edit_retires_the_old_draft(console: ConsoleDriver) -> None:
    better = (
        "/askmentor My SQL report query takes 30s on Postgres 15; how do I find which join is "
        "slow? I tried EXPLAIN."
    )
    await console("as bob", "/mentor join sql", "as eve", "/askmentor SQL query is slow")
    await console("click edit 1")
    out = await console(better)
    assert "Thanks! Your question is #1." in out.one("only eve sees").text
    out = await console("click post 1")  # the old draft's button
    assert out.one("only eve sees").text.startswith(
        "That draft was replaced by the question you asked after it, so I haven't posted it."
    )
    assert out.to("#mentoring") == []
    out = await console("click edit 1")
    assert out.one("only eve sees").text.startswith("That draft was replaced by the question")


async def test_a_new_draft_replaces_the_one_waiting(console: ConsoleDriver) -> None:
    await console(
        "as eve", "/askmentor SQL query is slow", "/askmentor Can someone help me with pandas?"
    )
    out = await console("click post 1")
    assert out.one("only eve sees").text.startswith("That draft was replaced by the question")
    out = await console("click post 2")
    assert "Thanks! Your question is #1." in out.one("only eve sees").text
    assert "Can someone help me with pandas?" in out.one("#mentoring")


async def test_edit_after_post_as_is_says_where_the_question_is(console: ConsoleDriver) -> None:
    await console("as alice", "/askmentor Can someone help me with pandas?", "click post 1")
    out = await console("click edit 1")
    assert out.one("only alice sees").text == (
        "That draft was already posted as it was, as #1. To change it, cancel it with "
        "`/askmentor cancel 1` and ask anew, or add the details in its thread once a mentor "
        "claims it."
    )
    assert out.to("#mentoring") == []


# --- next steps ----------------------------------------------------------------------------


async def test_every_resolved_session_ends_with_next_steps(console: ConsoleDriver) -> None:
    await console(*SESSION, "as alice", "click resolve 1")
    out = await console("clock +5m")
    steps = out.one("DM alice", "Next steps")
    assert steps.lines[0] == "Next steps after #1 (thread) · pandas"
    assert "Explore next:" in steps and "10 minutes to pandas <https://pandas.pydata.org" in steps


async def test_the_third_question_on_one_topic_proposes_a_longer_chat(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas")
    for n, question in enumerate(
        (ASK, LIKE_IT, "/askmentor How do I pivot a pandas DataFrame with two index columns?"), 1
    ):
        await console(
            "as alice", question, "as bob", f"react ✋ {n}", "as alice", f"click resolve {n}"
        )
        out = await console("clock +5m")
    assert "This was your third question about pandas lately." in out.one("DM alice", "Next steps")
    assert "bob mentors pandas" in out.one("DM alice", "Next steps")


# --- the FAQ -------------------------------------------------------------------------------


async def test_the_faq_answers_a_repeat_question_and_stays_verified(console: ConsoleDriver) -> None:
    await console(*SESSION, "as alice", "click resolve 1", "as bob")
    out = await console("click faq 1")
    assert (
        out.one("only bob sees").text
        == "In the console, write the FAQ answer as a line: `faq 1 <your short answer>`"
    )
    out = await console(f"faq 1 {ANSWER}")
    assert out.one("only bob sees").text.startswith("Saved as FAQ 1")
    out = await console("as dave", LIKE_IT)  # so like it that it is offered before posting
    assert "FAQ 1 How do I group" in out.one("only dave sees", "I've held your question back")
    out = await console("click post 1")
    said = out.one("only dave sees", "Thanks!").text
    assert "FAQ 1" not in said  # just shown on the held draft: not listed again
    out = await console("/askmentor faq groupby")
    assert "FAQ 1" in out.one("only dave sees", "From the FAQ")
    out = await console("clock +90d")
    asked = out.one("DM bob", "still accurate")
    assert asked.lines[-1] == (
        "[Yes, still accurate → click faqok 1] [Update → click faqupdate 1] "
        "[Retire → click faqretire 1]"
    )
    out = await console("as bob", "click faqok 1")
    assert out.one("only bob sees").text.startswith("Thanks! FAQ 1 stays up")
    out = await console("click faqretire 1", "as erin", "/askmentor faq groupby")
    assert out.one("only erin sees").text.startswith("Nothing in the FAQ matches")


HUGE_CSV = (
    "as bob",
    "/mentor join python, pandas",
    "as dan",
    "/askmentor How do I read a huge CSV in pandas without running out of memory? I tried "
    "chunksize.",
    "as bob",
    "click claim 1",
    "as dan",
    "click resolve 1",
    "as bob",
    "faq 1 Use usecols and dtype to cut memory; read in chunks with chunksize.",
)
BIG_CSV = "How do I read a big CSV in pandas when my laptop runs out of memory? I tried dtype."


async def test_a_question_the_faq_answers_is_held_and_closed_when_it_answers_it(
    console: ConsoleDriver,
) -> None:
    await console(*HUGE_CSV)
    out = await console("as gus", f"/askmentor {BIG_CSV}")
    held = out.one("only gus sees")
    assert "I've held your question back, so no mentor has been pinged yet" in held
    assert "FAQ 1" in held and "Use usecols and dtype to cut memory" in held
    assert f"Your draft (only you see it): {BIG_CSV}" in held
    assert held.lines[-1] == (
        "[That answers it → click answered 1] [Post my question anyway → click post 1]"
    )
    assert out.to("#mentoring") == [] and out.to("DM bob") == []
    out = await console("click answered 1")
    assert out.one("only gus sees").text.startswith("Glad it helped! Your draft is closed")
    assert out.to("#mentoring") == [] and out.to("DM bob") == []
    out = await console("click post 1")
    assert out.one("only gus sees").text.startswith("That draft was closed: you said the FAQ")
    assert out.to("#mentoring") == []
    out = await console("as admin", "/mentoradmin stats")
    assert "FAQ: 1 question answered before it was posted" in out.one("only admin sees").lines


async def test_that_answers_it_on_a_draft_asked_again_since_is_taken_as_said(
    console: ConsoleDriver,
) -> None:
    merge = (
        "How do I merge two pandas DataFrames on a date column with different formats? I tried "
        "to_datetime."
    )
    await console(*HUGE_CSV)
    await console("as gus", f"/askmentor {BIG_CSV}", f"/askmentor {merge}")  # draft 1, then #2
    out = await console("click answered 1")
    assert out.one("only gus sees").text == (
        "Glad the FAQ answered it. (That draft was already replaced by the question you asked "
        "after it.)"
    )
    assert out.to("#mentoring") == [] and out.to("DM bob") == []
    # Nothing else changed: the draft is still the replaced one, the question after it is open.
    out = await console("click post 1")
    assert out.one("only gus sees").text.startswith("That draft was replaced by the question")
    out = await console("/mentor home")
    assert f"• #2 (you asked, open): {merge}" in out.one("only gus sees").lines


async def test_post_my_question_anyway_posts_the_held_question_for_mentors(
    console: ConsoleDriver,
) -> None:
    await console(*HUGE_CSV)
    await console("as gus", f"/askmentor {BIG_CSV}")
    out = await console("click post 1")
    assert "Thanks! Your question is #2." in out.one("only gus sees").text
    assert BIG_CSV in out.one("#mentoring")
    assert "bob" in out.one("only gus sees", "Suggested mentors").text
    assert "Answered before" not in out.one("only gus sees").text  # the draft showed it


async def test_an_anonymous_question_stays_anonymous_through_the_faq_draft(
    console: ConsoleDriver,
) -> None:
    await console(*HUGE_CSV)
    out = await console("as gus", f"/askmentor --anonymous {BIG_CSV}")
    assert "I've held your question back" in out.one("only gus sees")
    out = await console("click post 1")
    assert out.one("only gus sees").text.startswith("Thanks! Your question is #2 (posted anon")
    card = out.one("#mentoring")
    assert BIG_CSV in card and "gus" not in card.text


async def test_a_weak_faq_match_posts_at_once_and_shows_it_after(console: ConsoleDriver) -> None:
    await console(*HUGE_CSV)
    out = await console(
        "as gus",
        "/askmentor Why does my pandas read_csv parse dates wrong? I tried parse_dates=True.",
    )
    said = out.one("only gus sees").text
    assert said.startswith("Thanks! Your question is #2.")
    assert said.index("Answered before:") < said.index("FAQ 1")
    assert "parse dates wrong" in out.one("#mentoring")


# --- experience, place, calls and quality --------------------------------------------------


async def test_askmentor_senior_prefers_a_senior_mentor_and_the_card_says_cross_region(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "/mentor stage senior",
        "/mentor region Europe",
        "as carol",
        "/mentor join pandas",
        "/mentor stage early",
        "/mentor region Europe",
        "as alice",
        "/mentor join python",
        "/mentor region Americas",
    )
    out = await console(f"/askmentor --senior {ASK.removeprefix('/askmentor ')}")
    assert "Suggested mentors: bob, carol." in out.one("only alice sees", "Thanks!")
    assert "Suggested: @bob (cross-region), @carol (cross-region)" in out.one("#mentoring")
    out = await console("as admin", "/mentor why 1")
    assert "career stage +25" in out.text and "career stage −25" in out.text


async def test_every_session_intro_has_the_configured_call_link(sqlite_url: str) -> None:
    from bot.config import SessionSection

    config = Config(
        session=SessionSection(call_link="https://meet.jit.si/micromentor-{workspace}-{number}")
    )
    async with console_with(sqlite_url, config) as console:
        out = await console(*SESSION)
    intro = out.one("thread #1", "meet")
    assert "Talk it through: Start a call <https://meet.jit.si/micromentor-local-1>" in intro


async def test_a_low_rating_reaches_the_admins_and_the_mentor_sees_their_feedback(
    console: ConsoleDriver,
) -> None:
    await console(*SESSION, "as alice", "click resolve 1")
    out = await console("click rate:2 1", "comment 1 It went too fast for me.")
    assert not out.to("#mentor-admins")  # not while it can still be changed
    out = await console("clock +10m", "comment 1 Far too fast.")
    [low, comment] = out.to("#mentor-admins")
    assert low.text.startswith(
        "Low rating: the help on #1 (thread) was rated 2/5 by its asker (alice)"
    )
    assert "Comment: It went too fast for me." in low.text
    assert comment.text.endswith("Far too fast.")
    out = await console("as bob", "/mentor feedback")
    feedback = out.one("only bob sees").text
    assert "1 rating, average 2.0/5" in feedback and "Far too fast." in feedback
    out = await console("as admin", "/mentoradmin digest")
    assert "Low-rated topics: pandas 2.0/5 (1 rating)" in out.one("#mentor-admins").text


# --- next steps from a language model ------------------------------------------------------


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI(
        reply='{"topics": ["pivot tables"], "resources": [{"title": "Practice: one pivot a day", "url": ""}]}'
    )
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
def llm_env(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    def point() -> None:
        monkeypatch.setenv("MICROMENTOR_LLM_URL", fake_openai.url)
        monkeypatch.setenv("MICROMENTOR_LLM_API_KEY", "sk-console-key")
        monkeypatch.setenv("MICROMENTOR_LLM_MODEL", "tiny-1")

    return point


async def test_next_steps_from_a_model_see_the_question_and_shared_summary_never_the_thread(
    sqlite_url: str, fake_openai: FakeOpenAI, llm_env: Callable[[], None]
) -> None:
    llm_env()
    secret = "THREAD-ONLY: our customer Acme's API key is in vault path kv/acme"
    async with console_with(sqlite_url, Config()) as console:
        await console(*SESSION, f"say 1 {secret}", "as alice", "click resolve 1")
        prompts = [
            s for s in console.all.to("thread #1") if "[Share summary → click share 1]" in s.text
        ]
        assert len(prompts) == 2  # both the asker's and the mentor's prompt offer it
        await console("click share 1", "as bob", "click share 1", f"faq 1 {ANSWER}")
        out = await console("clock +5m")
    steps = out.one("DM alice", "Next steps")
    assert "Explore next: pivot tables" in steps and "Practice: one pivot a day" in steps
    # The same model also reads each question's topics (MICROMENTOR_LLM_URL serves both).
    [sent] = after_session(fake_openai)
    assert all("THREAD-ONLY" not in r.text for r in fake_openai.received)
    assert sent.headers["Authorization"] == "Bearer sk-console-key"
    told = sent.body["messages"][1]["content"]
    assert "How do I group a pandas DataFrame" in told
    assert f"Mentor's short summary of the answer: {ANSWER}" in told
    assert "THREAD-ONLY" not in sent.text and "Acme" not in sent.text


def after_session(fake: FakeOpenAI) -> list[Received]:
    """The requests for next steps, not those reading a question's topics."""
    return [r for r in fake.received if "after a short workplace mentoring session" in r.text]


async def test_a_failing_model_still_ends_the_session_with_offline_next_steps(
    sqlite_url: str, fake_openai: FakeOpenAI, llm_env: Callable[[], None]
) -> None:
    llm_env()
    fake_openai.status = 500
    async with console_with(sqlite_url, Config()) as console:
        await console(*SESSION, "as alice", "click resolve 1")
        out = await console("clock +5m")
    assert "10 minutes to pandas" in out.one("DM alice", "Next steps")
    assert len(after_session(fake_openai)) == 1


# --- the roster CSV ------------------------------------------------------------------------


def test_the_roster_csv_carries_career_stage_and_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}")
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    (tmp_path / "s.txt").write_text("as alice\n")  # registers the console workspace
    assert main(["console", "--script", str(tmp_path / "s.txt")]) == 0
    header = "workspace,user,name,skills,timezone,hours,capacity_per_week,about,stage,region\n"
    (tmp_path / "bad.csv").write_text(header + "console:local,console:bob,Bob,python,,,,,wizard,\n")
    assert main(["mentors", "import", "bad.csv"]) == 2
    # Problems go to stderr.
    assert "bad.csv:2: `wizard` is not a career stage." in capsys.readouterr().err
    (tmp_path / "good.csv").write_text(
        header + "console:local,console:bob,Bob,python,,,,,Senior,EMEA\n"
    )
    assert main(["mentors", "import", "good.csv"]) == 0
    capsys.readouterr()
    assert main(["mentors", "export"]) == 0
    exported = capsys.readouterr().out.splitlines()
    assert exported[0] == header.strip() + ",paused"  # the export adds whether they are paused
    assert exported[1].endswith(",senior,EMEA,no")


async def test_an_faq_entry_nobody_confirms_is_hidden_once_the_clock_passes_its_deadline(
    console: ConsoleDriver,
) -> None:
    """The shown entries are kept a few seconds; a clock moved on by days reads them again, so
    the console's walk-through hides an unconfirmed entry as README says (14 days after asking)."""
    await console(*SESSION, "as alice", "click resolve 1", "as bob", f"faq 1 {ANSWER}")
    out = await console("as dave", "/askmentor faq groupby")
    assert "FAQ 1" in out.one("only dave sees", "From the FAQ")
    out = await console("clock +90d")
    assert "within 14 days" in out.one("DM bob", "still accurate").text
    out = await console("clock +15d", "as dave", "/askmentor faq groupby")
    assert out.one("only dave sees").text.startswith("Nothing in the FAQ matches")


async def test_a_retired_faq_entry_comes_back_with_a_new_answer_written_plainly(
    console: ConsoleDriver,
) -> None:
    await console(*SESSION, "as alice", "click resolve 1", "as bob", f"faq 1 {ANSWER}")
    out = await console("click faqretire 1", "click faqok 1")
    said = out.one("only bob sees", "nothing to confirm").text
    assert said == (
        "FAQ 1 is retired, so there's nothing to confirm. To bring it back, press Update and "
        "write its answer again."
    )
    out = await console("faq 1 Use df.groupby(['a', 'b'])['c'].sum(), then reset_index().")
    assert out.one("only bob sees").text.startswith("FAQ 1 is updated and back in use")
    out = await console("as dave", "/askmentor faq groupby")
    assert "reset_index" in out.one("only dave sees", "From the FAQ").text
