"""Matching: what questions are about, mentors ranked for them, similar resolved questions."""

from bot.matching.classifier import TENTATIVE, OfflineClassifier, TopicClassifier
from bot.matching.learned import LearnedExpertise, Lesson
from bot.matching.own_words import MentorWords
from bot.matching.ranking import (
    FACTORS,
    MentorCandidate,
    Pool,
    RankedMentor,
    ScoreWeights,
    rank_mentors,
)
from bot.matching.similar import SimilarIndex, SimilarIndexes, SimilarQuestion
from bot.matching.situations import SituationBook, TopicGuess, default_situations
from bot.matching.taxonomy import Taxonomy, build_taxonomy, default_skills
from bot.matching.topics import TopicMatch, extract_topics, find_topics, unsure_topics
from bot.matching.understanding import (
    Reading,
    merge_guesses,
    question_kind,
    skill_words,
    warm_up,
)

__all__ = [
    "FACTORS",
    "TENTATIVE",
    "LearnedExpertise",
    "Lesson",
    "MentorCandidate",
    "MentorWords",
    "OfflineClassifier",
    "Pool",
    "RankedMentor",
    "Reading",
    "ScoreWeights",
    "SimilarIndex",
    "SimilarIndexes",
    "SimilarQuestion",
    "SituationBook",
    "Taxonomy",
    "TopicClassifier",
    "TopicGuess",
    "TopicMatch",
    "build_taxonomy",
    "default_situations",
    "default_skills",
    "extract_topics",
    "find_topics",
    "merge_guesses",
    "question_kind",
    "rank_mentors",
    "skill_words",
    "unsure_topics",
    "warm_up",
]
