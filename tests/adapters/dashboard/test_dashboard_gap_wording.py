"""The dashboard's skill-gap card says who covers a gap in the chat digest's words."""

from __future__ import annotations

import pytest

from adapters.dashboard.week import _covered_by
from bot.digest.figures import TopicCoverage, _listing


@pytest.mark.parametrize("mentors", [0, 1, 2])
@pytest.mark.parametrize("related", [0, 1, 2])
def test_the_gap_card_says_what_the_digest_says(mentors: int, related: int) -> None:
    c = TopicCoverage("salary negotiation", 1, mentors, related)
    assert _covered_by(c) == _listing(c)


def test_a_gap_nobody_lists_does_not_say_more_with_a_related_skill() -> None:
    # "no mentors; 1 more with a related skill" read as if there were one mentor already.
    c = TopicCoverage("salary negotiation", 1, 0, 1)
    assert _covered_by(c) == "no mentor lists it; 1 has a related skill"
