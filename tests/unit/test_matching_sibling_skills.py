"""A library, tool or language named beside a sibling one is a skill of its own, not another
name for it: a mentor listing both keeps both (``pandas, numpy``), related to each other."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, build_taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


@pytest.mark.parametrize(
    ("skill", "sibling"),
    [
        ("numpy", "pandas"),
        ("erlang", "elixir"),
        ("laravel", "php"),
        ("symfony", "php"),
        ("hibernate", "spring"),
        ("pydantic", "fastapi"),
        ("deno", "node.js"),
        ("solr", "elasticsearch"),
        ("hadoop", "spark"),
        ("rabbitmq", "kafka"),
        ("flink", "kafka"),
    ],
)
def test_a_sibling_is_its_own_skill_and_related(
    taxonomy: Taxonomy, skill: str, sibling: str
) -> None:
    assert taxonomy.normalize((sibling, skill)) == (sibling, skill)
    assert sibling in taxonomy.related_to(skill)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [("seaborn", "data visualization"), ("nosql", "databases"), ("asana", "project management")],
)
def test_a_tool_of_another_kind_is_listed_under_its_discipline(
    taxonomy: Taxonomy, typed: str, listed: str
) -> None:
    assert taxonomy.normalize((typed,)) == (listed,)


@pytest.mark.parametrize(
    ("listed_before", "typed"),
    [("pandas", "seaborn"), ("mongodb", "nosql"), ("jira", "asana")],
)
def test_a_mentor_who_listed_a_moved_tool_before_still_fits_it_through_a_related_skill(
    taxonomy: Taxonomy, listed_before: str, typed: str
) -> None:
    """Profiles keep the skill a tool was filed under when they joined (what they typed is not
    stored): a question naming the tool must still reach them, if lower."""
    [now_listed] = taxonomy.normalize((typed,))
    assert now_listed in taxonomy.related_to(listed_before)
