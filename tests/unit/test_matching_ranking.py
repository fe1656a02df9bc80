"""Ranking mentors: fit first, then hours, load and capacity, "not my area", ratings, fair ties."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bot.matching import MentorCandidate, RankedMentor, ScoreWeights, rank_mentors
from bot.refs import UserRef

RELATED = {"python": {"django"}, "django": {"python"}}


def mentor(name: str, *skills: str, **kw: object) -> MentorCandidate:
    fields: dict[str, object] = {"in_hours": True, **kw}
    return MentorCandidate(UserRef("test", name), tuple(skills), **fields)  # type: ignore[arg-type]


def names(ranked: list[RankedMentor]) -> list[str]:
    return [r.ref.id for r in ranked]


def test_full_skill_fit_beats_a_related_skill_even_with_some_load() -> None:
    busy_expert = mentor(
        "expert", "python", claims_this_week=2, capacity_per_week=3, open_sessions=2
    )
    idle_related = mentor("related", "django")
    assert names(rank_mentors(["python"], [idle_related, busy_expert], related=RELATED)) == [
        "expert",
        "related",
    ]


def test_related_skills_count_for_less_than_the_skill_itself() -> None:
    [only] = rank_mentors(["python"], [mentor("dj", "django")], related=RELATED)
    assert only.factors["skill_fit"] == 50.0
    assert only.matched_topics == ()
    assert only.related_topics == ("python",)


def test_mentors_without_any_fit_are_left_out() -> None:
    assert rank_mentors(["python"], [mentor("a", "sales strategy")], related=RELATED) == []


def test_covering_more_topics_ranks_higher() -> None:
    both = mentor("both", "python", "docker")
    one = mentor("one", "python")
    ranked = rank_mentors(["python", "docker"], [one, both])
    assert names(ranked) == ["both", "one"]
    assert ranked[0].matched_topics == ("python", "docker")


def test_the_strongest_topic_a_mentor_covers_counts_fully_further_ones_half() -> None:
    # two guesses from one piece of evidence (containers: kubernetes, docker) should not
    # outweigh the strongest guess ("the page jumps around while images load": html and css)
    topics = {"html and css": 0.9, "kubernetes": 0.6, "docker": 0.5}
    css = mentor("css", "html and css")
    platform = mentor("platform", "kubernetes", "docker")
    ranked = rank_mentors(topics, [platform, css])
    assert names(ranked) == ["css", "platform"]
    assert ranked[1].factors["skill_fit"] == round(100 * (0.6 + 0.5 * 0.5) / 2.0, 2)
    # all of it counts again with more_fit = 1
    assert names(rank_mentors(topics, [platform, css], weights=ScoreWeights(more_fit=1.0))) == [
        "platform",
        "css",
    ]


def test_in_working_hours_beats_out_of_hours() -> None:
    out = mentor("out", "python", in_hours=False)
    inside = mentor("in", "python", in_hours=True)
    assert names(rank_mentors(["python"], [out, inside])) == ["in", "out"]


def test_a_mentor_at_capacity_drops_below_one_with_room() -> None:
    full = mentor("full", "python", claims_this_week=3, capacity_per_week=3)
    free = mentor("free", "python", claims_this_week=1, capacity_per_week=3)
    ranked = rank_mentors(["python"], [full, free])
    assert names(ranked) == ["free", "full"]
    assert ranked[1].factors["over_capacity"] < 0


def test_a_mentor_at_capacity_drops_below_a_free_related_mentor() -> None:
    full = mentor("full", "python", claims_this_week=2, capacity_per_week=2)
    related = mentor("related", "django")
    assert names(rank_mentors(["python"], [full, related], related=RELATED)) == ["related", "full"]


def test_open_threads_count_against_a_mentor() -> None:
    busy = mentor("busy", "python", open_sessions=2)
    idle = mentor("idle", "python")
    assert names(rank_mentors(["python"], [busy, idle])) == ["idle", "busy"]


def test_not_my_area_lowers_fit_for_that_topic_and_resuggests_others() -> None:
    declined = mentor("declined", "python", not_my_area=("python",))
    other = mentor("other", "python", in_hours=False)
    ranked = rank_mentors(["python"], [declined, other])
    assert names(ranked) == ["other", "declined"]
    assert ranked[1].factors["not_my_area"] == -80.0


def test_not_my_area_for_another_topic_changes_nothing() -> None:
    m = mentor("m", "python", not_my_area=("sales strategy",))
    [ranked] = rank_mentors(["python"], [m])
    assert ranked.factors["not_my_area"] == 0.0


def test_good_ratings_lift_a_mentor() -> None:
    loved = mentor("loved", "python", average_rating=5.0)
    meh = mentor("meh", "python", average_rating=2.0)
    new = mentor("new", "python")
    assert names(rank_mentors(["python"], [meh, new, loved])) == ["loved", "new", "meh"]


def test_the_score_is_the_sum_of_its_named_factors() -> None:
    m = mentor(
        "m",
        "python",
        "docker",
        claims_this_week=1,
        capacity_per_week=4,
        open_sessions=1,
        average_rating=4.0,
        not_my_area=("docker",),
    )
    [r] = rank_mentors(["python", "docker", "sql"], [m])
    assert set(r.factors) == {
        "skill_fit",
        "own_words",
        "helped_similar",
        "not_my_area",
        "in_hours",
        "load",
        "open_threads",
        "over_capacity",
        "rating",
    }
    assert abs(r.score - sum(r.factors.values())) < 0.05


def test_ties_go_to_the_less_loaded_mentor() -> None:
    a = mentor("a", "python", claims_this_week=0, capacity_per_week=10)
    b = mentor("b", "python", claims_this_week=0, capacity_per_week=1)
    c = replace(a, ref=UserRef("test", "c"), claims_this_week=1, capacity_per_week=100)
    assert names(rank_mentors(["python"], [c, b, a], limit=1)) == ["a"] or names(
        rank_mentors(["python"], [c, b, a], limit=1)
    ) == ["b"]
    assert names(rank_mentors(["python"], [c, b, a]))[-1] == "c"


def test_equal_mentors_take_turns_across_questions() -> None:
    pool = [mentor(f"m{i}", "python") for i in range(10)]
    firsts = Counter(rank_mentors(["python"], pool, limit=1, seed=q)[0].ref.id for q in range(200))
    assert len(firsts) == 10
    assert max(firsts.values()) < 50


def test_claims_spread_load_over_equally_fit_experts() -> None:
    pool = {f"m{i}": mentor(f"m{i}", "python", capacity_per_week=5) for i in range(5)}
    for q in range(15):
        [top] = rank_mentors(["python"], list(pool.values()), limit=1, seed=q)
        pool[top.ref.id] = replace(
            pool[top.ref.id], claims_this_week=pool[top.ref.id].claims_this_week + 1
        )
    assert sorted(m.claims_this_week for m in pool.values()) == [3, 3, 3, 3, 3]


def test_limit_caps_the_result() -> None:
    pool = [mentor(f"m{i}", "python") for i in range(10)]
    assert len(rank_mentors(["python"], pool, limit=3)) == 3
    assert rank_mentors([], pool) == []
