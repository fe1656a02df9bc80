"""Topic extraction of everyday workplace phrasing: cued and weak terms, ignored phrases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.matching import Taxonomy, build_taxonomy, extract_topics, find_topics


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I make a pivot table by region?", ["spreadsheets"]),
        ("what should I cover in a weekly 1:1?", ["one-on-ones"]),
        ("Setting OKRs for a platform group", ["okrs"]),
        ("How do I read our P&L?", ["accounting"]),
        ("too many stakeholders on this", ["stakeholder management"]),
        ("signs of burnout", ["workplace wellbeing"]),
        ("how do I get promoted to senior", ["promotion"]),
        ("is my salary fair", ["salary negotiation"]),
        ("onboarding plan for a new hire", ["onboarding"]),
        ("my first performance review as a manager", ["performance reviews", "people management"]),
        ("giving feedback to a peer", ["giving feedback"]),
        ("public speaking nerves", ["public speaking"]),
        ("code review etiquette", ["code review"]),
        ("unit tests for legacy code", ["unit testing", "clean code"]),
        ("our CI/CD takes an hour", ["ci/cd"]),
        ("docker compose networking between services", ["docker", "networking"]),
        ("how to split terraform modules", ["infrastructure as code"]),
        ("k8s ingress per tenant", ["kubernetes"]),
        ("SQL joins double my counts", ["sql"]),
        ("building dashboards in Looker", ["data visualization"]),
        ("how long should an A/B test run", ["a/b testing"]),
        ("What does GDPR say about backups?", ["data privacy"]),
        ("Put him on a PIP or not?", ["performance management"]),
        ("excel sumifs across sheets", ["spreadsheets"]),
    ],
)
def test_common_workplace_phrasings_are_recognised(
    taxonomy: Taxonomy, text: str, expected: list[str]
) -> None:
    assert extract_topics(text, taxonomy) == expected


def test_a_cued_word_counts_only_beside_a_topic_of_its_kind(taxonomy: Taxonomy) -> None:
    assert extract_topics("Our Django app is slow", taxonomy) == [
        "django",
        "performance optimization",
    ]
    assert [(m.skill, m.how) for m in find_topics("Django is slow", taxonomy)][1] == (
        "performance optimization",
        "cued",
    )
    assert extract_topics("Our hiring process is slow", taxonomy) == ["hiring"]
    assert extract_topics("everything feels slow lately", taxonomy) == []


def test_a_weak_term_yields_to_the_skill_its_company_points_to(taxonomy: Taxonomy) -> None:
    assert extract_topics("How do I prepare for interviews?", taxonomy) == ["job interviews"]
    assert extract_topics("We're hiring, how many interviews per candidate?", taxonomy) == [
        "hiring",
        "interviewing candidates",
        "recruiting",
    ]
    assert extract_topics("user research: how many interviews are enough?", taxonomy) == [
        "user research"
    ]


def test_ignored_phrases_hide_their_words(taxonomy: Taxonomy) -> None:
    assert extract_topics("How do I run user research on a tight budget?", taxonomy) == [
        "user research"
    ]
    assert extract_topics("I want to excel at my craft", taxonomy) == []
    assert extract_topics("How do I share the roadmap with leadership?", taxonomy) == [
        "roadmapping"
    ]
    assert extract_topics("How do I grow my leadership skills?", taxonomy) == ["leadership"]


def test_numbers_never_become_topics_unless_a_skill_is_spelled_that_way(
    taxonomy: Taxonomy,
) -> None:
    assert extract_topics("1:1 at 3 pm with 2 people", taxonomy) == ["one-on-ones"]
    assert extract_topics("we have 3 teams and 12 people", taxonomy) == []


def test_an_admin_can_still_extend_a_taxonomy_without_the_shipped_data() -> None:
    tax = build_taxonomy({"internal portal": ["the portal"]}, defaults=False)
    assert extract_topics("The portal is slow", tax) == ["internal portal"]


@pytest.mark.parametrize(
    ("name", "at_least", "earlier"),
    [
        ("tuning4", 100, ("tuning", "tuning2", "tuning3", "blind")),
        ("tuning5", 80, ("tuning", "tuning2", "tuning3", "tuning4", "blind")),
        ("tuning6", 100, ("tuning", "tuning2", "tuning3", "tuning4", "tuning5", "blind")),
        (
            "tuning7",
            100,
            ("tuning", "tuning2", "tuning3", "tuning4", "tuning5", "tuning6", "blind"),
        ),
        (
            "tuning8",
            100,
            ("tuning", "tuning2", "tuning3", "tuning4", "tuning5", "tuning6", "tuning7", "blind"),
        ),
    ],
)
def test_later_people_tuning_sets_are_chat_style_balanced_new_and_name_no_skill(
    name: str, at_least: int, earlier: tuple[str, ...]
) -> None:
    data = Path(__file__).resolve().parents[1] / "data"
    roster = {m["name"]: m for m in json.loads((data / "matching_people_roster.json").read_text())}
    rows = [json.loads(line) for line in (data / f"matching_people_{name}.jsonl").open()]
    assert len(rows) >= at_least and [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    people = sum(r["kind"] == "people" for r in rows)
    assert abs(people - (len(rows) - people)) <= 2
    seen = {
        json.loads(line)["question"].lower()
        for other in earlier
        for line in (data / f"matching_people_{other}.jsonl").open()
    }
    for r in rows:
        assert r["question"].lower() not in seen and r["mentors"]
        assert set(r["mentors"]) <= set(roster)
        for mentor in r["mentors"]:
            for skill in roster[mentor]["skills"]:
                assert skill not in r["question"].lower(), (r["id"], skill)
