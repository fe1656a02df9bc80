"""Topic mechanisms of the fifth topic tuning set (``tests/data/matching_eval_tuning5.jsonl``):
"my report" as a person, telling someone bad news or about their own work, a run time in a
technical question, a career move from a two-word role, sprint/standup words and "joins" as
loose terms, project-delivery context words, and everyday phrases outside software."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy, extract_topics
from bot.matching.taxonomy import default_context, default_loose


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


def test_my_report_with_a_persons_verb_is_someone_the_asker_manages(tax: Taxonomy) -> None:
    assert extract_topics("my report keeps going quiet when i ask him things", tax) == [
        "people management"
    ]
    assert "people management" in extract_topics("one of my reports quit without notice", tax)
    # beside a topic of another area it still counts; a management skill already says how
    topics = extract_topics("two of my reports seem really burnt out", tax)
    assert {"people management", "workplace wellbeing"} <= set(topics)
    topics = extract_topics("my report keeps asking me for answers, how do i coach them", tax)
    assert "coaching" in topics and "people management" not in topics
    # a document, not a person
    assert "people management" not in extract_topics("my report is due on friday", tax)
    assert "people management" not in extract_topics("i have to finish my report today", tax)


def test_telling_someone_bad_news_is_a_difficult_conversation(tax: Taxonomy) -> None:
    assert "difficult conversations" in extract_topics(
        "i need to tell my team their project is being cancelled", tax
    )
    assert "difficult conversations" in extract_topics(
        "how do i inform the candidates they were rejected", tax
    )
    # no one is told anything
    assert "difficult conversations" not in extract_topics("the offsite was cancelled", tax)


def test_telling_someone_about_their_own_work_is_feedback(tax: Taxonomy) -> None:
    assert "giving feedback" in extract_topics(
        "how do i tell someone their work is sloppy without crushing them", tax
    )
    assert "giving feedback" not in extract_topics("tell me about your weekend", tax)


def test_a_run_time_beside_a_technical_topic_is_a_speed_problem(tax: Taxonomy) -> None:
    assert "performance optimization" in extract_topics(
        "spring boot startup takes 90s locally", tax
    )
    assert "performance optimization" in extract_topics(
        "the postgres query went from 50ms to 8s", tax
    )
    # not beside a technical topic, or a speed problem of its own skill
    assert "performance optimization" not in extract_topics("hiring takes 3 months", tax)
    assert "performance optimization" not in extract_topics(
        "our next.js pages take 6 seconds to load on mobile", tax
    )


def test_a_career_move_may_start_from_a_two_word_role(tax: Taxonomy) -> None:
    assert "career change" in extract_topics(
        "how do i get into ml engineering from a data analyst role", tax
    )
    assert "career change" not in extract_topics("how do we move from rest to graphql", tax)


def test_sprint_and_standup_words_are_loose_for_scrum(tax: Taxonomy) -> None:
    assert {"sprint", "sprints", "standup", "standups"} <= set(default_loose()["scrum"])
    # beside a topic of the same kind that is not scrum's, a standup is just a meeting
    topics = extract_topics("two leads keep arguing in standups and the team is picking sides", tax)
    assert "scrum" not in topics and "conflict resolution" in topics
    # a project-delivery word beside it: scrum
    assert "scrum" in extract_topics("our sprints never finish what we planned", tax)
    # scrum's own phrases are still firm
    assert "scrum" in extract_topics("how do i make daily standups shorter", tax)


def test_joins_is_a_loose_word_for_sql(tax: Taxonomy) -> None:
    assert "joins" in default_loose()["sql"]
    assert "sql" not in extract_topics("vpn drops every time someone joins a zoom call", tax)
    assert "sql" in extract_topics("my postgres joins are slow", tax)


def test_project_delivery_context_words_settle_a_loose_term(tax: Taxonomy) -> None:
    assert "deadline" in default_context()["project-delivery"]
    assert extract_topics("our estimates are always off so every deadline slips", tax) == [
        "estimation"
    ]


def test_a_contractors_taxes_are_freelancing(tax: Taxonomy) -> None:
    assert "tax" in tax.related_to("freelancing")
    topics = extract_topics("can i claim my home office on my taxes as a contractor", tax)
    assert {"tax", "freelancing"} <= set(topics)


def test_a_big_budget_names_no_topic(tax: Taxonomy) -> None:
    assert "budgeting" not in extract_topics("can we rebrand without a big budget", tax)


@pytest.mark.parametrize(
    ("question", "skill"),
    [
        ("two near misses on the shop floor this week", "health and safety"),
        ("we want to take apple pay in the app", "payments and fintech"),
        ("the sunday scaries are getting worse", "workplace wellbeing"),
        ("we're replacing our accounting system next year", "erp systems"),
        ("how do we win deals against the incumbent", "product marketing"),
        ("how do i get my slides translated into other languages", "translation"),
        ("the candidate reneged a week before starting", "hiring"),
        ("how do i make our events greener", "sustainability"),
        ("our external apis keep timing out", "api integration"),
        ("should design report into product or engineering", "organizational design"),
        ("who should have admin access to the billing page", "identity and access management"),
        ("how do i check if scraping that site is even legal", "compliance"),
        ("how do i tell staff about the new pension scheme", "internal communications"),
        ("how often should i do check-ins with each person", "one-on-ones"),
        ("i have a hard choice between two offers", "decision making"),
        ("people on my team are scared to admit mistakes", "team culture"),
        ("one of my reports was in tears after the meeting", "workplace wellbeing"),
        ("how do i reach the decision maker at a hospital", "prospecting"),
        ("our biggest client says they won't renew", "customer success"),
        ("client pushing for net 60 payment terms", "deal negotiation"),
        ("a cheaper competitor keeps undercutting us", "pricing strategy"),
        ("which channels should get more of our budget next year", "marketing analytics"),
        ("our pricing page converts at 0.5%", "conversion rate optimization"),
        ("how do we stand out from bigger rivals", "product marketing"),
        ("people keep putting lunches on their company cards", "procurement and spend"),
        ("how do i work out the cost to produce one unit", "cost accounting"),
        ("how do i get my point across in design reviews", "communication"),
        ("who takes the meeting minutes in your team", "note-taking"),
        ("i've applied to 50 roles and heard nothing", "job search"),
        ("how do i answer behavioural questions", "job interviews"),
        ("everyone on my team is smarter than me", "imposter syndrome"),
        ("my toddler is sick every other week and i'm behind at work", "working parents"),
        ("how do i pick up a new framework quickly", "learning new skills"),
        ("the project is 6 weeks late", "project management"),
        ("how do we get people to share new ideas", "innovation"),
        ("i keep doing the work myself instead of handing it off", "delegation"),
    ],
)
def test_everyday_phrases_outside_software(tax: Taxonomy, question: str, skill: str) -> None:
    assert skill in extract_topics(question, tax)
