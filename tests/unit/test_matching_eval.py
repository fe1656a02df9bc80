"""Topic extraction quality on the labelled set ``tests/data/matching_eval.jsonl``.

Thresholds sit just under the figures measured on the whole set when this was written
(precision 0.908, recall 0.845 over 608 questions). The splits: ``tuning`` (448 questions the
taxonomy was refined against: 0.939 / 0.864), ``holdout`` (40, never tuned for: 0.833 / 0.797) and
``holdout2`` (120 realistic questions written and labelled before the last taxonomy revision and
never tuned for: 0.824 / 0.789, up from 0.821 / 0.717). `benchmarks/matching_quality.py` prints
the current figures per split.

``tests/data/matching_eval_holdout3.jsonl`` (split ``holdout3``: 203 questions, 117 outside
software, 11 with no topic) was written before the issue-15 revision of the extractor and never
tuned on. All unseen splits together went from 0.817 / 0.724 to 0.834 / 0.707 with that revision
(loose words alone now ask the asker to pick instead of naming a topic).

``tests/data/matching_eval_tuning2.jsonl`` (split ``tuning2``: 283 chat-style questions, most
outside software, 14 with no topic) was written for the next revision and may be tuned on; it
measured 0.864 / 0.718 before that revision (unseen 0.844 / 0.709) and 0.897 / 0.829 after it
(unseen 0.844 / 0.742).

``tests/data/matching_eval_tuning3.jsonl`` (split ``tuning3``: 212 Slack-style questions, 134
outside software, 11 with no topic) was written for issue 15 item 17 before any of its misses
were looked at; it measured 0.735 / 0.651 before that revision and 0.792 / 0.754 after it
(tuning2 0.898 / 0.834 -> 0.915 / 0.847; unseen 0.843 / 0.746 -> 0.847 / 0.750; the whole of
``matching_eval.jsonl`` 0.920 / 0.851).

``tests/data/matching_eval_tuning4.jsonl`` (split ``tuning4``: 211 chat/Slack-style questions, 137
outside software, 11 with no topic) was written and labelled for the next revision before any of
its misses were looked at; it measured 0.714 / 0.496 before that revision and 0.807 / 0.754 after
it (area-context words, loose terms as names, a move "into" a field, everyday phrases; tuning2
0.915 / 0.847 -> 0.915 / 0.850, tuning3 0.792 / 0.754 -> 0.796 / 0.758).

``tests/data/matching_eval_tuning5.jsonl`` (split ``tuning5``: 235 chat/Slack-style questions, 160
outside software, 11 with no topic, 227 distinct labelled skills) was written and labelled for the
next revision before any change; 54 questions too close to earlier tuning questions were then
rewritten. It measured 0.676 / 0.482 before that revision and 0.769 / 0.693 after it ("my report"
as a person, telling someone bad news or about their work, a run time in a technical question,
sprint/standup and "joins" as loose terms, everyday phrases; tuning2 0.915 / 0.850 -> 0.915 /
0.853, tuning3 0.796 / 0.758 -> 0.807 / 0.782, tuning4 0.807 / 0.754 -> 0.819 / 0.779).

Until then these figures measured `extract_topics` (the named topics alone). Since, they measure
what the bot stores as a question's topics: the offline reading, which also holds the situations
it is sure of when nothing is named and leaves out a topic named only in passing. On the same
code the two differ little (unseen 0.842 / 0.771 named alone, 0.836 / 0.778 as read; tuning2
0.915 / 0.853 and 0.902 / 0.850; tuning3 0.807 / 0.782 and 0.791 / 0.794; tuning5 0.769 / 0.693
and 0.754 / 0.696); the floors below were lowered by those differences (the whole of ``matching_eval.jsonl``: 0.908 as read).

``tests/data/matching_eval_tuning6.jsonl`` (split ``tuning6``: 161 chat-style questions, 83
outside software, 16 with no topic) was written and labelled before any change to catch false
positives: skill words in their everyday sense ("a budget airline", "my manager's manager"), a
topic named only as the setting of another, single-topic questions full of tempting words; 13
questions too close to earlier tuning questions were rewritten. It measured 0.580 / 0.704 before
that revision and 0.711 / 0.711 after it (backdrop terms, everyday idioms in ``[ignore]``, loose
words needing company of their kind, "the real problem is"; tuning 0.947 / 0.870 -> 0.972 /
0.864, tuning2 0.915 / 0.853 -> 0.955 / 0.845, tuning3 0.807 / 0.782 -> 0.863 / 0.778, tuning4
0.819 / 0.779 -> 0.883 / 0.779, tuning5 0.769 / 0.693 -> 0.826 / 0.690).

``tests/data/matching_eval_tuning7.jsonl`` (split ``tuning7``: 160 chat-style questions, 100
outside software, 10 with no topic, 150 distinct skills) says each topic in everyday words
rather than the skill's name; written and labelled before any change (4 questions too close to
earlier tuning questions were rewritten). It measured 0.505 / 0.373 before that revision and
0.825 / 0.973 after it (families of everyday phrasings as aliases; the other tuning splits held
or rose: tuning5 0.805 / 0.693 -> 0.811 / 0.710, tuning6 0.657 / 0.736 -> 0.659 / 0.742).

``tests/data/matching_eval_holdout4.jsonl`` (split ``holdout4``: 200 chat-style questions, 117
outside software, 12 with no topic, 216 distinct skills) was written from the skills' names alone,
in everyday words, without reading their aliases or running the extractor, and is never tuned
on. It measured 0.535 / 0.531 when written (unseen together 0.751 / 0.696, 0.856 / 0.769
without it): like each tuning split before its revision (0.505 to 0.735 precision), it shows
how the keyword reading does on phrasings nobody has added yet. The revision after it (words in
their everyday sense, ``[senses]``) took tuning6 0.659 / 0.742 -> 0.707 / 0.774 and left holdout4
at 0.533 / 0.526.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.matching import OfflineClassifier, build_taxonomy, merge_guesses, skill_words

EVAL = Path(__file__).resolve().parent.parent / "data" / "matching_eval.jsonl"
HOLDOUT3 = EVAL.with_name("matching_eval_holdout3.jsonl")
HOLDOUT4 = EVAL.with_name("matching_eval_holdout4.jsonl")
MIN_PRECISION = 0.90
MIN_RECALL = 0.84
# The untuned splits together, so a change that only helps the tuning questions shows.
MIN_HOLDOUT_PRECISION = 0.83
MIN_HOLDOUT_RECALL = 0.79
# Every unseen split, holdout3 included.
MIN_UNSEEN_PRECISION = 0.83
MIN_UNSEEN_RECALL = 0.74
# Every unseen split, holdout4 included (a floor under the figures measured when it was written).
MIN_ALL_UNSEEN_PRECISION = 0.73
MIN_ALL_UNSEEN_RECALL = 0.67


def _rows(path: Path = EVAL) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_the_labelled_set_is_large_varied_and_uses_canonical_names() -> None:
    rows = _rows()
    tax = build_taxonomy()
    assert len(rows) >= 300
    assert sum(1 for r in rows if not r["topics"]) >= 20
    assert len({r["area"] for r in rows}) >= 10
    assert {r["split"] for r in rows} == {"tuning", "holdout", "holdout2"}
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


def _quality(rows: list[dict[str, object]]) -> tuple[float, float]:
    """Micro precision and recall of the topics the bot stores for each question: the offline
    reading (`merge_guesses` over the classifier's guesses), as `benchmarks/matching_quality.py`
    measures them."""
    tax = build_taxonomy()
    classifier = OfflineClassifier(tax)
    tp = fp = fn = 0
    for r in rows:
        question = str(r["question"])
        reading = merge_guesses(classifier.guesses(question), fallback=skill_words(tax, question))
        got = set(reading.topics)
        want = set(r["topics"])  # type: ignore[call-overload]
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return tp / (tp + fp), tp / (tp + fn)


def test_topic_extraction_precision_and_recall() -> None:
    precision, recall = _quality(_rows())
    assert precision >= MIN_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_RECALL, f"recall {recall:.3f}"


def test_topic_extraction_generalises_to_questions_it_was_not_tuned_on() -> None:
    precision, recall = _quality([r for r in _rows() if r["split"] != "tuning"])
    assert precision >= MIN_HOLDOUT_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_HOLDOUT_RECALL, f"recall {recall:.3f}"


def test_topic_extraction_on_every_unseen_split_together() -> None:
    unseen = [r for r in _rows() if r["split"] != "tuning"] + _rows(HOLDOUT3)
    precision, recall = _quality(unseen)
    assert precision >= MIN_UNSEEN_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_UNSEEN_RECALL, f"recall {recall:.3f}"


def test_topic_extraction_on_every_unseen_split_holdout4_included() -> None:
    unseen = [r for r in _rows() if r["split"] != "tuning"] + _rows(HOLDOUT3) + _rows(HOLDOUT4)
    precision, recall = _quality(unseen)
    assert precision >= MIN_ALL_UNSEEN_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_ALL_UNSEEN_RECALL, f"recall {recall:.3f}"


# The areas a split file counts as software's (the rest are outside software).
TECHNICAL = frozenset({"software", "data", "infra", "noisy", "none"})


@dataclass(frozen=True, slots=True)
class Split:
    """What a split file (``matching_eval_<split>.jsonl``) must hold: at least `questions`
    questions, at least `outside` of them outside software (areas not in `technical`), at least
    `no_topic` with no topic and `skills` distinct labelled skills, and its own ids, the first
    `first_id`, no other split uses; `fresh`: no question repeated, in it or from another split.
    A tuning split also has floors under its precision and recall (the unseen ones are measured
    together, above)."""

    questions: int
    first_id: int
    outside: float = 0.5
    no_topic: int = 10
    skills: int = 0
    fresh: bool = True
    precision: float | None = None
    recall: float | None = None
    technical: frozenset[str] = TECHNICAL


# Every split file but the first, in the order written; a new split is one more line.
SPLITS = {
    "holdout3": Split(
        200,
        609,
        fresh=False,
        technical=frozenset(
            {"software", "data", "infra", "security", "design", "product", "delivery", "legal"}
        ),
    ),
    "holdout4": Split(200, 9001, skills=150),
    "tuning2": Split(200, 2001, fresh=False, precision=0.90, recall=0.84),
    "tuning3": Split(150, 3001, fresh=False, precision=0.78, recall=0.77),
    "tuning4": Split(200, 4001, precision=0.81, recall=0.77),
    "tuning5": Split(200, 5001, outside=0.6, skills=100, precision=0.75, recall=0.68),
    # written to catch false positives
    "tuning6": Split(150, 6001, no_topic=15, precision=0.65, recall=0.72),
    # topics said in everyday words
    "tuning7": Split(150, 7001, outside=0.6, skills=140, precision=0.82, recall=0.96),
}


def _split_rows(split: str) -> list[dict[str, object]]:
    return _rows(EVAL.with_name(f"matching_eval_{split}.jsonl"))


@pytest.mark.parametrize("split", list(SPLITS))
def test_a_split_file_is_varied_new_and_uses_canonical_names(split: str) -> None:
    want = SPLITS[split]
    rows = _split_rows(split)
    tax = build_taxonomy()
    assert len(rows) >= want.questions and {r["split"] for r in rows} == {split}
    assert sum(r["area"] not in want.technical for r in rows) >= want.outside * len(rows)
    assert sum(1 for r in rows if not r["topics"]) >= want.no_topic
    assert len({t for r in rows for t in r["topics"]}) >= want.skills  # type: ignore[attr-defined]
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) and min(ids) == want.first_id  # type: ignore[type-var]
    others = [*_rows(), *(r for name in SPLITS if name != split for r in _split_rows(name))]
    assert not ids & {r["id"] for r in others}
    if want.fresh:
        questions = {str(r["question"]).lower() for r in others}
        own = [str(r["question"]).lower() for r in rows]
        assert len(set(own)) == len(own) and not set(own) & questions
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


@pytest.mark.parametrize("split", [name for name, s in SPLITS.items() if s.precision is not None])
def test_topic_extraction_on_a_tuning_split(split: str) -> None:
    want = SPLITS[split]
    assert want.precision is not None and want.recall is not None
    precision, recall = _quality(_split_rows(split))
    assert precision >= want.precision, f"precision {precision:.3f}"
    assert recall >= want.recall, f"recall {recall:.3f}"
