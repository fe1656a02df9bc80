"""Console, lightning: a newcomer's walk. A session nobody signed up for is not "held"; one
person asking five times proposes nothing; accepting one's own session again with another time
points to `/lightning move`."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

QUESTIONS = (
    "How do I group a pandas DataFrame by two columns and sum one of them?",
    "How do I pivot a pandas DataFrame so that months become columns?",
    "Why does pandas merge give me duplicate rows after joining two tables?",
    "How do I read only some columns of a big CSV file with pandas quickly?",
    "How can I fill missing values in a pandas column with the previous value?",
)


async def test_a_talk_nobody_signed_up_for_is_not_reported_as_held(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join python, kubernetes",
        "/lightning propose kubernetes 2026-11-25 15:00 pods for beginners",
    )
    out = await console("clock +3d")
    card = out.to("#mentoring")[-1].text
    assert "took place" not in card and "Thank you" not in card and "Held" not in card, card
    assert "Signed up: nobody" in card, card
    [told] = [dm.text for dm in out.to("DM bob") if "signed up" in dm.text.lower()]
    assert told.lower().count("nobody signed up") == 1 and "0 people" not in told, told
    out = await console("as admin", "/mentoradmin digest")
    digest = "\n".join(said.text for said in out.to("#mentor-admins"))
    assert "pods for beginners" not in digest, digest
    assert "Lightning sessions held: none this week (1 had nobody signed up)" in digest, digest


async def test_one_person_asking_five_times_proposes_no_session(console: ConsoleDriver) -> None:
    lines = ["as bob", "/mentor join python, pandas", "as amy"]
    lines += [f"/askmentor {question}" for question in QUESTIONS]
    out = await console(*lines)
    assert not [dm for dm in out.to("DM bob") if "⚡" in dm.text]


async def test_accepting_again_with_another_time_points_to_move(console: ConsoleDriver) -> None:
    lines = ["as bob", "/mentor join python, pandas"]
    for name, question in zip(("ann", "ben", "cat", "dan", "eve"), QUESTIONS, strict=True):
        lines += [f"as {name}", f"/askmentor {question}"]
    await console(*lines, "as bob", "/lightning accept 1 2026-11-25 15:00 groupby basics")
    out = await console("/lightning accept 1 2026-11-25 16:00 again")
    said = out.one("only bob sees").text
    assert "scheduled for Wed 2026-11-25 15:00 UTC" in said, said
    assert "`/lightning move 1 <YYYY-MM-DD HH:MM>`" in said, said
