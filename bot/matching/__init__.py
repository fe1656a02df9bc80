"""Matching: topics from questions, mentors ranked for them, similar resolved questions."""

from bot.matching.ranking import MentorCandidate, RankedMentor, ScoreWeights, rank_mentors
from bot.matching.similar import SimilarIndex, SimilarIndexes, SimilarQuestion
from bot.matching.taxonomy import Taxonomy, build_taxonomy, default_skills
from bot.matching.topics import TopicMatch, extract_topics, find_topics

__all__ = [
    "MentorCandidate",
    "RankedMentor",
    "ScoreWeights",
    "SimilarIndex",
    "SimilarIndexes",
    "SimilarQuestion",
    "Taxonomy",
    "TopicMatch",
    "build_taxonomy",
    "default_skills",
    "extract_topics",
    "find_topics",
    "rank_mentors",
]
