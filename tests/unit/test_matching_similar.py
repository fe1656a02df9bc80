"""Similar resolved questions: the right one is found, the prefilter narrows, removal works."""

from __future__ import annotations

from bot.matching import SimilarIndex


def filled() -> SimilarIndex:
    index = SimilarIndex()
    index.add(1, "How do I configure ingress for two domains on kubernetes?", ["kubernetes"])
    index.add(2, "How do I negotiate my salary for a new job offer?", ["salary negotiation"])
    index.add(
        3,
        "What is the best way to run one-on-ones with my direct reports?",
        ["one-on-ones", "people management"],
    )
    index.add(4, "How do I write unit tests for Django views?", ["unit testing", "django"])
    return index


def test_finds_the_question_that_was_asked_before() -> None:
    hits = filled().search(
        "Kubernetes ingress with two domains - how to configure?", ["kubernetes"]
    )
    assert hits[0].question_id == 1
    assert hits[0].score >= 70


def test_similar_wording_without_topics_is_still_found() -> None:
    hits = filled().search("tips to negotiate salary on a job offer", [])
    assert [h.question_id for h in hits][:1] == [2]


def test_unrelated_questions_are_not_suggested() -> None:
    assert filled().search("Where is the coffee machine?", []) == []
    assert filled().search("How do I plan a marketing campaign?", ["marketing strategy"]) == []


def test_one_shared_common_word_in_a_small_workspace_is_not_a_match() -> None:
    # Two questions stored: every word is "rare", and "tried" is in both. The new question's
    # other words, which no stored question has, count against the match too.
    index = SimilarIndex()
    index.add(1, "How do I speed up a pandas merge on 10M rows? I tried an index.", ["pandas"])
    index.add(
        2,
        "How do I tell my team lead I am burning out from meetings? I tried focus time.",
        ["workplace wellbeing"],
    )
    flask = "How do I write unit tests for a Flask app? I tried pytest fixtures but the DB leaks."
    assert index.search(flask, ["unit testing", "flask"]) == []
    again = index.search(
        "How can I speed up merging big pandas frames? I tried an index", ["pandas"]
    )
    assert [h.question_id for h in again] == [1]


def test_the_prefilter_only_scores_questions_sharing_a_term() -> None:
    index = filled()
    for i in range(100, 5100):
        index.add(i, f"Quarterly budget review number {i} for finance", ["budgeting"])
    hits = index.search("How do I configure kubernetes ingress?", ["kubernetes"])
    assert [h.question_id for h in hits] == [1]
    assert index.last_candidates == 1


def test_candidates_are_capped_before_rapidfuzz_runs() -> None:
    index = SimilarIndex()
    for i in range(2000):
        index.add(i, f"python question {i} about decorators", ["python"])
    index.search("python decorators", ["python"], candidates=50)
    assert index.last_candidates == 50


def test_removed_questions_are_no_longer_found() -> None:
    index = filled()
    assert index.remove(1)
    assert not index.remove(1)
    assert 1 not in index
    assert index.search("kubernetes ingress two domains", ["kubernetes"]) == []
    assert len(index) == 3


def test_adding_an_id_again_replaces_the_question() -> None:
    index = filled()
    index.add(2, "How do I set up a Kafka consumer group?", ["kafka"])
    assert index.search("negotiate my salary for a job offer", ["salary negotiation"]) == []
    assert index.search("kafka consumer group setup", ["kafka"])[0].question_id == 2


def test_many_removals_compact_the_index() -> None:
    index = SimilarIndex()
    for i in range(3000):
        index.add(i, f"terraform module layout for team{i}", ["infrastructure as code"])
    for i in range(2500):
        index.remove(i)
    hits = index.search("terraform module layout for team2999", ["infrastructure as code"])
    assert len(index) == 500
    assert hits[0].question_id == 2999


def test_exclude_skips_the_question_itself() -> None:
    hits = filled().search(
        "How do I write unit tests for Django views?", ["unit testing"], exclude=4
    )
    assert 4 not in [h.question_id for h in hits]
