"""Topic mechanisms of the sixth topic tuning set (``tests/data/matching_eval_tuning6.jsonl``,
written to catch false positives): backdrop terms that are only the setting of another topic,
everyday idioms that name no topic, and loose words that need company of their area."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy, extract_topics, find_topics, unsure_topics
from bot.matching.taxonomy import default_backdrop


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


def test_a_backdrop_term_beside_another_topic_is_only_the_setting() -> None:
    tax = Taxonomy()
    tax.add("rest api", ["api"], area="software", backdrop=["api"])
    tax.add("machine learning", ["scikit-learn model"], area="data")
    tax.add("marketing strategy", ["marketing"], area="marketing", backdrop=["marketing"])
    assert extract_topics("deploy a scikit-learn model behind an api", tax) == ["machine learning"]
    # still a named match (the classifier weighs it), marked as the setting
    [api] = [m for m in find_topics("deploy a scikit-learn model behind an api", tax) if m.setting]
    assert api.skill == "rest api" and api.sure
    assert unsure_topics("deploy a scikit-learn model behind an api", tax) == []
    # alone, as a #tag, or beside another backdrop term it is the topic
    assert extract_topics("how do i version our api", tax) == ["rest api"]
    assert "rest api" in extract_topics("#api question: scikit-learn model serving", tax)
    assert set(extract_topics("marketing wants a new api", tax)) == {
        "rest api",
        "marketing strategy",
    }


def test_shipped_backdrop_terms_are_names_of_their_skill(tax: Taxonomy) -> None:
    for skill, terms in default_backdrop().items():
        for term in terms:
            assert tax.lookup(tuple(term.split())) == skill, (skill, term)
            assert tax.backdrop(skill, term)


def test_shipped_backdrop_terms_give_way_to_what_is_asked(tax: Taxonomy) -> None:
    assert extract_topics("how do i deploy a scikit-learn model behind an API", tax) == [
        "machine learning"
    ]
    topics = extract_topics("a supplier asked us for a bribe, what do we do about compliance", tax)
    assert "operations management" not in topics and "compliance" in topics
    topics = extract_topics("our biggest client wants a 30% discount at renewal", tax)
    assert "pricing strategy" not in topics
    # the same word alone is the topic
    assert extract_topics("how should we version a public api", tax) == ["rest api"]


def test_everyday_idioms_name_no_topic(tax: Taxonomy) -> None:
    for text in (
        "booked a budget airline for my holiday",
        "who's bringing brownies to the bake sale",
        "my manager's manager is retiring next month",
        "i was on cloud nine after the weekend",
        "can i have 15 minutes of your time on thursday",
        "the security guard at reception is lovely",
    ):
        assert extract_topics(text, tax) == [], text
    # the skills themselves still count
    assert "budgeting" in extract_topics("how do i build a budget for my department", tax)
    assert "managing managers" in extract_topics("i manage managers now and it is hard", tax)


def test_offsite_and_billing_need_company_of_their_area(tax: Taxonomy) -> None:
    assert extract_topics("thanks everyone for a great offsite", tax) == []
    assert "team culture" in unsure_topics("thanks everyone for a great offsite", tax)
    assert "team culture" in extract_topics("how do i plan an offsite my team will enjoy", tax)
    topics = extract_topics("customer tickets about billing have doubled", tax)
    assert "procurement and spend" not in topics


def test_everyday_words_of_a_topic_need_company_of_its_kind(tax: Taxonomy) -> None:
    # beside only technical topics, or only people topics, the everyday sense is meant
    assert extract_topics("store timezones in a postgres timestamp column", tax) == ["postgresql"]
    assert "remote work" not in extract_topics("our vpn drops for people working from home", tax)
    assert "performance optimization" not in extract_topics(
        "how do we benchmark salaries when we're hiring in three countries", tax
    )
    assert "linux" not in extract_topics("move our nightly etl jobs off cron", tax)
    assert extract_topics("my kid loved the zoo today", tax) == []
    # with company of their area they count
    assert "remote work" in extract_topics(
        "my team is spread over five time zones, how do we run standups", tax
    )
    assert "performance optimization" in extract_topics(
        "how do i benchmark our python service before and after the change", tax
    )


def test_what_comes_before_the_real_problem_is_only_the_setting(tax: Taxonomy) -> None:
    text = "our python service is fine, the real issue is our kubernetes pods get oomkilled"
    assert extract_topics(text, tax) == ["kubernetes"]
    assert [m.skill for m in find_topics(text, tax) if m.setting] == ["python"]
    text = "we use jira but the real problem is nobody wants to estimate"
    assert extract_topics(text, tax) == ["estimation"]
    # nothing named after it: the topic before it stays
    assert extract_topics("our python service is the real problem here", tax) == ["python"]


def test_stories_need_company_of_storytelling(tax: Taxonomy) -> None:
    assert "storytelling" not in extract_topics("nobody wants to estimate the stories", tax)
    assert "storytelling" in extract_topics(
        "how do i use stories to make my presentation stick", tax
    )


def test_a_backdrop_entry_adds_no_name_to_its_skill(tax: Taxonomy) -> None:
    # "growth" has backdrop terms, but its own name stays a word that needs evidence
    assert extract_topics("my boss never mentions my growth in our conversations", tax) == []
    assert tax.backdrop("growth", "free trial")


def test_the_classifier_reads_the_setting_as_a_guess_not_a_topic(tax: Taxonomy) -> None:
    """What the bot stores is the classifier's reading: the setting is no topic of the question,
    only a lighter guess beside the named one (a mentor who knows it can still help)."""
    from bot.matching import OfflineClassifier, merge_guesses

    question = "What is a good SLO for an API?"
    guesses = OfflineClassifier(tax).guesses(question)
    named = [g.skill for g in guesses if g.how == "named"]
    assert named == ["site reliability engineering"]
    assert "rest api" in [g.skill for g in guesses if g.how != "named"]
    reading = merge_guesses(guesses)
    assert reading.topics == ("site reliability engineering",)
    assert 0 < reading.weights["rest api"] < reading.weights["site reliability engineering"]
