"""Console, kudos and forgetting: a public kudos post is redrawn without its words when its
giver or receiver is forgotten; a forgotten person is ranked nowhere; the asker of an anonymous
question can't thank its mentor in public (which would say whose it was)."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

PIVOT = "How do I pivot a pandas DataFrame with two index columns?"


async def test_forgetting_the_giver_redraws_their_kudos_post_without_name_or_words(
    console: ConsoleDriver,
) -> None:
    out = await console(
        "as bob",
        "/mentor join python, pandas",
        "as alice",
        "/kudos bob for the great groupby tricks",
    )
    assert out.one("#mentoring").text == "🙌 Kudos to @bob from alice: for the great groupby tricks"
    out = await console("as admin", "/mentoradmin forget alice confirm")
    [post] = out.to("#mentoring")
    assert post.text == (
        "(card updated) 🙌 Kudos to @bob from someone forgotten (its words were removed on "
        "request)."
    ), out
    assert "groupby" not in post.text and "alice" not in post.text


async def test_forgetting_the_receiver_redraws_the_kudos_they_got(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as alice",
        "/kudos bob for the great groupby tricks",
        "/kudos --private carol for the quiet help",
    )
    out = await console("as admin", "/mentoradmin forget bob confirm")
    [post] = out.to("#mentoring")
    assert post.text == (
        "(card updated) 🙌 Kudos to someone forgotten from alice (its words were removed on "
        "request)."
    ), out
    assert "forgotten-" not in post.text


async def test_a_forgotten_mentor_is_not_among_the_digests_most_helpful(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "as dan",
        "/mentor join pandas",
        "as cat",
        f"/askmentor {PIVOT}",
        "as bob",
        "click claim 1",
        "as cat",
        "click resolve 1",
        "/kudos dan for the SQL tip",
    )
    await console("as admin", "/mentoradmin forget bob confirm")
    out = await console("/mentoradmin digest")
    digest = out.one("#mentor-admins").text
    assert "someone forgotten" not in digest and "forgotten-" not in digest, digest
    assert "Most thanked: 1. dan (1 point)" in digest, digest
    out = await console("as cat", "/mentor leaderboard all")
    assert "someone forgotten" not in out.one("only cat sees").text, out


async def test_the_anonymous_asker_thanks_their_mentor_privately_only(
    console: ConsoleDriver,
) -> None:
    """Everyone knows who mentored a question: the asker's public kudos to that mentor would
    say whose the anonymous question was. Refused for 30 days after the claim, nothing posted;
    privately it goes."""
    await console(
        "as carol",
        "/mentor join pandas",
        "as cat",
        f"/askmentor --anonymous {PIVOT}",
        "as carol",
        "click claim 1",
        "as cat",
        "click resolve 1",
        "clock +1d",
    )
    out = await console("as cat", "/kudos carol for helping me with my pivot question")
    assert out.one("only cat sees").text == (
        "carol mentored a question you asked anonymously in the last 30 days, so thanking them "
        "in public could tell others it was yours. Nothing was posted: thank them privately "
        "with `/kudos --private`, which only they see."
    )
    assert not out.to("#mentoring")
    out = await console("/kudos --private carol for helping me with my pivot question")
    assert out.one("DM carol").text == "🙌 Kudos from cat: for helping me with my pivot question"
    out = await console("clock +31d", "/kudos carol for the great lightning notes")
    assert out.one("#mentoring").text == (
        "🙌 Kudos to @carol from cat: for the great lightning notes"
    )
