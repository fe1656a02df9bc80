"""Matching: topics from questions, mentors ranked for them, similar resolved questions."""

from bot.matching.ranking import MentorCandidate, RankedMentor, rank_mentors
from bot.matching.similar import SimilarIndex, SimilarQuestion
from bot.matching.taxonomy import Taxonomy, build_taxonomy
from bot.matching.topics import extract_topics

__all__ = [
    "MentorCandidate",
    "RankedMentor",
    "SimilarIndex",
    "SimilarQuestion",
    "Taxonomy",
    "build_taxonomy",
    "extract_topics",
    "rank_mentors",
]
