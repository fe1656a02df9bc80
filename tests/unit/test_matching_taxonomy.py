"""The skills taxonomy: shipped data, admin extensions, mentors' free-text skills."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy, default_skills, extract_topics
from bot.matching._text import STOP_WORDS, stem, term_tokens


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


def test_shipped_taxonomy_has_a_few_hundred_skills_across_areas() -> None:
    entries = default_skills()
    assert len(entries) >= 300
    areas = {e.area for e in entries}
    for area in (
        "software",
        "data",
        "design",
        "product",
        "sales",
        "finance",
        "people",
        "management",
        "communication",
        "careers",
    ):
        assert area in areas


def test_related_skills_name_canonical_skills() -> None:
    names = {e.canon for e in default_skills()}
    for e in default_skills():
        assert set(e.related) <= names, e.canon


def test_no_term_is_a_stop_word(taxonomy: Taxonomy) -> None:
    for term in taxonomy.terms():
        assert term not in STOP_WORDS


def test_no_alias_names_two_skills() -> None:
    owner: dict[tuple[str, ...], str] = {}
    for e in default_skills():
        for term in (e.canon, *e.aliases):
            words = term_tokens(term)
            assert owner.setdefault(words, e.canon) == e.canon, term


# Words whose forms meet only by the stemmer, with different meanings: "embedded" systems and
# "embeddings" of text, "bootstrap" (the CSS kit) and "bootstrapping" a company, "rtos" and
# "rto" (return to office), SOPS (a secrets tool) and an SOP, TLS "certificates" and a course
# "certificate", legal "contracts" and "contracting" (freelancing).
_DIFFERENT_MEANINGS = {
    frozenset({"embedded systems", "generative ai"}),
    frozenset({"html and css", "startup founding"}),
    frozenset({"embedded systems", "remote work"}),
    frozenset({"secrets management", "process improvement"}),
    frozenset({"cryptography", "learning new skills"}),
    frozenset({"freelancing", "contracts"}),
}


def test_every_form_of_an_alias_names_one_skill() -> None:
    """Terms are also matched by word form ("salary range" meets "salary ranges"): two skills
    sharing a form would send the singular one way and the plural the other."""
    owner: dict[tuple[str, ...], str] = {}
    for e in default_skills():
        for term in (e.canon, *e.aliases):
            forms = tuple(stem(w) for w in term_tokens(term))
            first = owner.setdefault(forms, e.canon)
            assert first == e.canon or frozenset({first, e.canon}) in _DIFFERENT_MEANINGS, (
                f"{term!r} ({e.canon}) has the word forms of an alias of {first}"
            )


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Python", "python"),
        ("k8s", "kubernetes"),
        ("Kubernets", "kubernetes"),
        ("Advanced SQL", "sql"),
        ("Python programming", "python"),
        ("C#", "c#"),
        ("C", "c"),
        ("golang", "go"),
        ("Go", "go"),
        ("Excel", "spreadsheets"),
        ("public-speaking", "public speaking"),
        ("front end", "frontend development"),
        ("1:1s", "one-on-ones"),
    ],
)
def test_free_text_skills_map_onto_the_taxonomy(
    taxonomy: Taxonomy, typed: str, canonical: str
) -> None:
    assert taxonomy.canonical(typed) == canonical


def test_unknown_skills_are_kept_and_learned() -> None:
    tax = build_taxonomy()
    assert tax.normalize(["Python", "Quantum Basket Weaving", "python"]) == (
        "python",
        "quantum basket weaving",
    )
    assert "quantum basket weaving" in tax
    assert "quantum basket weaving" in tax.learned
    assert tax.canonical("quantum basket weaving") == "quantum basket weaving"


def test_admin_skills_from_config_add_new_skills_and_aliases() -> None:
    tax = build_taxonomy(
        {"Billing Portal": ["bport", "the portal"], "kubernetes": ["kube cluster"]}
    )
    assert tax.canonical("bport") == "billing portal"
    assert tax.canonical("kube cluster") == "kubernetes"


def test_admin_can_extend_a_skill_under_one_of_its_aliases() -> None:
    tax = build_taxonomy({"k8s": ["our platform"]})
    assert tax.canonical("our platform") == "kubernetes"


def test_related_skills_are_symmetric(taxonomy: Taxonomy) -> None:
    assert "django" in taxonomy.related_to("python")
    assert "python" in taxonomy.related_to("django")


def test_taxonomy_can_be_built_without_the_defaults() -> None:
    tax = build_taxonomy({"widgets": ["gadgets"]}, defaults=False)
    assert tax.skills() == ["widgets"]


def test_a_learned_everyday_word_is_not_looked_for_in_questions() -> None:
    taxonomy = build_taxonomy({})
    assert taxonomy.normalize(["year", "Team", "fooblang"]) == ("year", "team", "fooblang")
    # The mentor keeps the skills; the everyday words are not read into everyone's questions.
    assert extract_topics("How do I plan my year with the team in fooblang?", taxonomy) == [
        "fooblang"
    ]
    assert taxonomy.canonical("year") == "year"


def test_an_admin_listing_the_word_under_skills_makes_it_a_topic() -> None:
    taxonomy = build_taxonomy({"year": ["annual planning"]})
    assert taxonomy.normalize(["year"]) == ("year",)
    assert extract_topics("How do I plan my year?", taxonomy) == ["year"]
