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
from pathlib import Path

import pytest

from bot.matching import OfflineClassifier, build_taxonomy, merge_guesses, skill_words

EVAL = Path(__file__).resolve().parent.parent / "data" / "matching_eval.jsonl"
HOLDOUT3 = EVAL.with_name("matching_eval_holdout3.jsonl")
HOLDOUT4 = EVAL.with_name("matching_eval_holdout4.jsonl")
TUNING2 = EVAL.with_name("matching_eval_tuning2.jsonl")
TUNING3 = EVAL.with_name("matching_eval_tuning3.jsonl")
TUNING4 = EVAL.with_name("matching_eval_tuning4.jsonl")
TUNING5 = EVAL.with_name("matching_eval_tuning5.jsonl")
TUNING6 = EVAL.with_name("matching_eval_tuning6.jsonl")
TUNING7 = EVAL.with_name("matching_eval_tuning7.jsonl")
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
# The second tuning set (split ``tuning2``).
MIN_TUNING2_PRECISION = 0.90
MIN_TUNING2_RECALL = 0.84
# The third tuning set (split ``tuning3``).
MIN_TUNING3_PRECISION = 0.78
MIN_TUNING3_RECALL = 0.77
# The fourth tuning set (split ``tuning4``).
MIN_TUNING4_PRECISION = 0.81
MIN_TUNING4_RECALL = 0.77
# The fifth tuning set (split ``tuning5``).
MIN_TUNING5_PRECISION = 0.75
MIN_TUNING5_RECALL = 0.68
# The sixth tuning set (split ``tuning6``), written to catch false positives.
MIN_TUNING6_PRECISION = 0.65
MIN_TUNING6_RECALL = 0.72
# The seventh tuning set (split ``tuning7``), topics said in everyday words.
MIN_TUNING7_PRECISION = 0.82
MIN_TUNING7_RECALL = 0.96


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


def test_holdout3_is_large_mostly_outside_software_and_uses_canonical_names() -> None:
    rows = _rows(HOLDOUT3)
    tax = build_taxonomy()
    assert len(rows) >= 200 and {r["split"] for r in rows} == {"holdout3"}
    technical = {"software", "data", "infra", "security", "design", "product", "delivery", "legal"}
    assert sum(r["area"] not in technical for r in rows) >= len(rows) / 2
    assert sum(1 for r in rows if not r["topics"]) >= 10
    assert not {r["id"] for r in rows} & {r["id"] for r in _rows()}
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


def test_holdout4_is_large_mostly_outside_software_varied_and_uses_canonical_names() -> None:
    rows = _rows(HOLDOUT4)
    tax = build_taxonomy()
    assert len(rows) >= 200 and {r["split"] for r in rows} == {"holdout4"}
    technical = {"software", "data", "infra", "noisy", "none"}
    assert sum(r["area"] not in technical for r in rows) >= len(rows) / 2
    assert sum(1 for r in rows if not r["topics"]) >= 10
    assert len({t for r in rows for t in r["topics"]}) >= 150  # type: ignore[attr-defined]
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    assert not ids & ({r["id"] for r in _rows()} | {r["id"] for r in _rows(HOLDOUT3)})
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


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


def test_tuning2_is_large_mostly_outside_software_and_uses_canonical_names() -> None:
    rows = _rows(TUNING2)
    tax = build_taxonomy()
    assert len(rows) >= 200 and {r["split"] for r in rows} == {"tuning2"}
    technical = {"software", "data", "infra", "noisy", "none"}
    assert sum(r["area"] not in technical for r in rows) >= len(rows) / 2
    assert sum(1 for r in rows if not r["topics"]) >= 10
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    assert not ids & ({r["id"] for r in _rows()} | {r["id"] for r in _rows(HOLDOUT3)})
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


def test_topic_extraction_on_the_second_tuning_set() -> None:
    precision, recall = _quality(_rows(TUNING2))
    assert precision >= MIN_TUNING2_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_TUNING2_RECALL, f"recall {recall:.3f}"


def test_tuning3_is_large_mostly_outside_software_and_uses_canonical_names() -> None:
    rows = _rows(TUNING3)
    tax = build_taxonomy()
    assert len(rows) >= 150 and {r["split"] for r in rows} == {"tuning3"}
    technical = {"software", "data", "infra", "noisy", "none"}
    assert sum(r["area"] not in technical for r in rows) >= len(rows) / 2
    assert sum(1 for r in rows if not r["topics"]) >= 10
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) and min(ids) == 3001
    others = [*_rows(), *_rows(HOLDOUT3), *_rows(TUNING2)]
    assert not ids & {r["id"] for r in others}
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


def test_topic_extraction_on_the_third_tuning_set() -> None:
    precision, recall = _quality(_rows(TUNING3))
    assert precision >= MIN_TUNING3_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_TUNING3_RECALL, f"recall {recall:.3f}"


# The later tuning splits, in the order they were written: (file, fewest questions, least share
# outside software, fewest with no topic, fewest distinct labelled skills, precision and recall
# floors). Each is checked against every split written before it.
LATER_TUNING = {
    "tuning4": (TUNING4, 200, 0.5, 10, 0, MIN_TUNING4_PRECISION, MIN_TUNING4_RECALL),
    "tuning5": (TUNING5, 200, 0.6, 10, 100, MIN_TUNING5_PRECISION, MIN_TUNING5_RECALL),
    "tuning6": (TUNING6, 150, 0.5, 15, 0, MIN_TUNING6_PRECISION, MIN_TUNING6_RECALL),
    "tuning7": (TUNING7, 150, 0.6, 10, 140, MIN_TUNING7_PRECISION, MIN_TUNING7_RECALL),
}


@pytest.mark.parametrize("split", list(LATER_TUNING))
def test_a_later_tuning_split_is_varied_new_and_uses_canonical_names(split: str) -> None:
    path, size, outside, no_topic, skills, _, _ = LATER_TUNING[split]
    rows = _rows(path)
    tax = build_taxonomy()
    assert len(rows) >= size and {r["split"] for r in rows} == {split}
    technical = {"software", "data", "infra", "noisy", "none"}
    assert sum(r["area"] not in technical for r in rows) >= outside * len(rows)
    assert sum(1 for r in rows if not r["topics"]) >= no_topic
    assert len({t for r in rows for t in r["topics"]}) >= skills  # type: ignore[attr-defined]
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows) and min(ids) == int(split.removeprefix("tuning")) * 1000 + 1
    earlier = [p for name, (p, *_) in LATER_TUNING.items() if name < split]
    others = [*_rows(), *_rows(HOLDOUT3), *_rows(TUNING2), *_rows(TUNING3)]
    others += [r for p in earlier for r in _rows(p)]
    assert not ids & {r["id"] for r in others}
    questions = {str(r["question"]).lower() for r in others}
    own = [str(r["question"]).lower() for r in rows]
    assert len(set(own)) == len(own) and not set(own) & questions
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


@pytest.mark.parametrize("split", list(LATER_TUNING))
def test_topic_extraction_on_a_later_tuning_split(split: str) -> None:
    path, *_, least_precision, least_recall = LATER_TUNING[split]
    precision, recall = _quality(_rows(path))
    assert precision >= least_precision, f"precision {precision:.3f}"
    assert recall >= least_recall, f"recall {recall:.3f}"
