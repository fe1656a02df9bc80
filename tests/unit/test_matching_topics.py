"""Topic extraction: aliases, typos, tags, inflections, multi-word skills, no false fragments."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy, extract_topics, find_topics


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


def topics(taxonomy: Taxonomy, text: str) -> list[str]:
    return extract_topics(text, taxonomy, threshold=85.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I deploy to k8s?", ["kubernetes"]),
        ("Tips for golang error handling", ["go"]),
        ("Our ReactJS bundle is huge", ["react"]),
        ("How do I use Postgres JSON columns?", ["postgresql"]),
        # the api is what the SLO is set on, a backdrop term (see test_matching_false_positives)
        ("What is a good SLO for an API?", ["site reliability engineering"]),
        ("How should we version our public API?", ["rest api"]),
        # one skill for every form of a phrase ("write docs" and "writing docs" once differed)
        ("Who can help me write docs?", ["technical writing"]),
        ("Any tips on writing docs for the platform team?", ["technical writing"]),
        ("What salary range should I ask for?", ["compensation and benefits"]),
        ("Our salary ranges look low", ["compensation and benefits"]),
        # "performance issues" is about people, unless a technical topic says otherwise
        ("One of my reports has performance issues", ["performance management"]),
        (
            "The postgres database has a performance issue",
            ["postgresql", "performance optimization"],
        ),
    ],
)
def test_aliases_map_to_canonical_skills(
    taxonomy: Taxonomy, text: str, expected: list[str]
) -> None:
    assert topics(taxonomy, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pyhton decorators explained?", ["python"]),
        ("configuring kubernets ingress", ["kubernetes"]),
        ("best way to learn machine lerning", ["learning new skills", "machine learning"]),
        ("tips for sallary negotiation", ["salary negotiation"]),
        ("How can I improve my presentaton skils?", ["presentation skills"]),
    ],
)
def test_typos_are_forgiven(taxonomy: Taxonomy, text: str, expected: list[str]) -> None:
    assert topics(taxonomy, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anyone good with #k8s?", ["kubernetes"]),
        ("#MachineLearning papers to start with", ["machine learning"]),
        ("#machine-learning papers to start with", ["machine learning"]),
        ("help with #go generics", ["go"]),
        ("#react or #vue?", ["react", "vue"]),
    ],
)
def test_tags_are_read_as_skills(taxonomy: Taxonomy, text: str, expected: list[str]) -> None:
    assert topics(taxonomy, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm negotiating my salary next week", ["salary negotiation"]),
        ("Prioritising work when everything is urgent", ["prioritization"]),
        ("writing better unit tests", ["unit testing"]),
        ("delegating tasks to my reports", ["delegation"]),
        ("How do I handle code reviews?", ["code review"]),
    ],
)
def test_inflections_match(taxonomy: Taxonomy, text: str, expected: list[str]) -> None:
    assert topics(taxonomy, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is machine learning overkill here?", ["machine learning"]),
        ("Front-end or front end or frontend?", ["frontend development"]),
        ("How do I set up continuous integration?", ["ci/cd"]),
        ("Preparing for a system design interview", ["system design", "job interviews"]),
        ("How do I give constructive feedback?", ["giving feedback"]),
    ],
)
def test_multi_word_skills_match_as_a_whole(
    taxonomy: Taxonomy, text: str, expected: list[str]
) -> None:
    assert topics(taxonomy, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm going to be out next week",
        "That happened a long time ago",
        "Let's go grab lunch",
        "Should we go with plan C?",
        "We got an A or a B or a C on the survey",
        "r u coming to the party?",
        "I want to excel in my new role",
        "How should I react when my boss ignores me?",
        "The meeting is at 3 PM",
        "Talking to C-level execs is scary",
        "It is what it is",
    ],
)
def test_stop_words_letters_and_everyday_words_do_not_match(taxonomy: Taxonomy, text: str) -> None:
    assert topics(taxonomy, text) == []


def test_java_is_not_found_inside_javascript(taxonomy: Taxonomy) -> None:
    assert topics(taxonomy, "Modern javascript tooling") == ["javascript"]
    assert topics(taxonomy, "Java vs JavaScript") == ["java", "javascript"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I plot this in R?", ["r"]),
        ("Is R or Python better for stats?", ["r", "python", "statistics"]),
        ("Learning C for embedded firmware", ["c", "embedded systems"]),
        ("Our Go services leak goroutines", ["go"]),
        ("My Excel pivot tables keep breaking", ["spreadsheets"]),
        ("Our React app is slow", ["react", "performance optimization"]),
        ("We have a new PM on the team", ["product management"]),
    ],
)
def test_ambiguous_names_match_with_evidence(
    taxonomy: Taxonomy, text: str, expected: list[str]
) -> None:
    assert topics(taxonomy, text) == expected


def test_topics_come_in_order_of_first_mention_once_each(taxonomy: Taxonomy) -> None:
    text = "Docker and Python, then python again with docker"
    assert topics(taxonomy, text) == ["docker", "python"]


def test_find_topics_reports_how_each_topic_was_found(taxonomy: Taxonomy) -> None:
    found = find_topics("pyhton on #k8s in Go", taxonomy)
    assert [(m.skill, m.how) for m in found] == [
        ("python", "fuzzy"),
        ("kubernetes", "tag"),
        ("go", "ambiguous"),
    ]


def test_learned_skills_are_found_in_questions() -> None:
    tax = build_taxonomy()
    tax.normalize(["Quantum Basket Weaving"])
    assert extract_topics("Any quantum basket weaving experts?", tax) == ["quantum basket weaving"]


def test_a_higher_threshold_forgives_fewer_typos(taxonomy: Taxonomy) -> None:
    assert extract_topics("kubernets", taxonomy, threshold=85) == ["kubernetes"]
    assert extract_topics("kubernets", taxonomy, threshold=100) == ["kubernetes"]  # stem
    assert extract_topics("kuberntes", taxonomy, threshold=100) == []
