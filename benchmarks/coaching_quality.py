"""Coaching quality: precision and recall of the question-coaching rules on a labelled set.

Run from the repository root::

    .venv/bin/python benchmarks/coaching_quality.py [--misses]

``tests/data/coaching_eval.jsonl`` holds 166 questions, each labelled ``coach`` (a mentor could
not start without asking back: no goal, no context, or a problem without what was tried) or
``good``. The labels were written and committed before the rules. The ``dev`` split (117) is
what the rules' word lists and thresholds were tuned on; ``holdout`` (49) was never looked at
while tuning and gives the honest figures.

The positive class is "needs coaching": *precision* is the share of coached questions that
needed it (a good question held back annoys its asker), *recall* the share of questions needing
it that were coached. Targets: precision ≥ 0.85, recall ≥ 0.80. ``--misses`` lists the wrong
answers of the dev split only, so the holdout stays unseen.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.learning.coaching import coach
from bot.matching import build_taxonomy, extract_topics

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "coaching_eval.jsonl"


def rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def quality(split: str | None, *, show_misses: bool = False) -> tuple[float, float, int]:
    """(precision, recall, questions) on one split (all when None)."""
    taxonomy = build_taxonomy()
    tp = fp = fn = n = 0
    for row in rows():
        if split is not None and row["split"] != split:
            continue
        n += 1
        question = str(row["question"])
        verdict = coach(question, extract_topics(question, taxonomy))
        wanted = row["label"] == "coach"
        tp += verdict.needed and wanted
        fp += verdict.needed and not wanted
        fn += wanted and not verdict.needed
        if show_misses and verdict.needed != wanted:
            print(
                f"  {'FP' if verdict.needed else 'FN'} goal={verdict.goal} "
                f"spec={verdict.specificity:.0f} problem={verdict.problem} "
                f"attempt={verdict.attempt} vague={verdict.vague}: {question}"
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the dev split's mistakes")
    args = parser.parse_args()
    if args.misses:
        print("dev split mistakes:")
        quality("dev", show_misses=True)
    print(f"{'split':<9} {'questions':>9} {'precision':>9} {'recall':>7}")
    for split in ("dev", "holdout", None):
        p, r, n = quality(split)
        print(f"{split or 'all':<9} {n:>9} {p:>9.2f} {r:>7.2f}")


if __name__ == "__main__":
    main()
