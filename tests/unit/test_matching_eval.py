"""Topic extraction quality on the labelled set ``tests/data/matching_eval.jsonl``.

Thresholds sit just under the figures measured on the whole set when this was written
(precision 0.916, recall 0.828 over 488 questions; the 40-question ``holdout`` split, never tuned
for, measured 0.862 / 0.725). `benchmarks/matching_quality.py` prints the current figures.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.matching import build_taxonomy, extract_topics

EVAL = Path(__file__).resolve().parent.parent / "data" / "matching_eval.jsonl"
MIN_PRECISION = 0.90
MIN_RECALL = 0.81


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line]


def test_the_labelled_set_is_large_varied_and_uses_canonical_names() -> None:
    rows = _rows()
    tax = build_taxonomy()
    assert len(rows) >= 300
    assert sum(1 for r in rows if not r["topics"]) >= 20
    assert len({r["area"] for r in rows}) >= 10
    assert {r["split"] for r in rows} == {"tuning", "holdout"}
    for r in rows:
        for topic in r["topics"]:  # type: ignore[attr-defined]
            assert topic in tax, (r["id"], topic)


def test_topic_extraction_precision_and_recall() -> None:
    tax = build_taxonomy()
    tp = fp = fn = 0
    for r in _rows():
        got = set(extract_topics(str(r["question"]), tax))
        want = set(r["topics"])  # type: ignore[call-overload]
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= MIN_PRECISION, f"precision {precision:.3f}"
    assert recall >= MIN_RECALL, f"recall {recall:.3f}"
