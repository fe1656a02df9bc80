"""Step 1 (repository venv): the keyword reader's output and the taxonomy, as JSON.

Run from the repository root with the repository's own venv::

    PYTHONPATH=. .venv/bin/python benchmarks/learned_topics/dump.py [--work-dir DIR]

Writes ``<work>/tuning.json`` (tuning splits only) and, apart, ``<work>/unseen.json`` (the
holdout splits), one row per labelled question: id, split, question, labelled topics, the
keyword reader's stored topics (``merge_guesses`` of `OfflineClassifier` with the
``skill_words`` fallback, as ``benchmarks/matching_quality.py`` measures it) and its weighted
guesses; plus ``<work>/skills.json`` (each skill's name, area and aliases) and the keyword
reader's ms/question. Reading the holdout questions here does not tune anything: the keyword
reader is fixed, and ``study.py`` opens ``unseen.json`` only in its final report step.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_matching_data.py

from _matching_data import eval_rows

from bot.matching import OfflineClassifier, build_taxonomy, merge_guesses, skill_words
from bot.matching.taxonomy import default_skills

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work")
    work = parser.parse_args().work_dir
    work.mkdir(parents=True, exist_ok=True)
    tax = build_taxonomy()
    clf = OfflineClassifier(tax)
    clf.guesses("warm up the lazy indexes")
    skill_words(tax, "warm up the lazy indexes")

    tuning: list[dict[str, object]] = []
    unseen: list[dict[str, object]] = []
    elapsed = 0.0
    for row in eval_rows():
        question = str(row["question"])
        t = time.perf_counter()
        guesses = clf.guesses(question)
        reading = merge_guesses(guesses, fallback=skill_words(tax, question))
        elapsed += time.perf_counter() - t
        out = {
            "id": row["id"],
            "split": row["split"],
            "question": question,
            "topics": sorted(row["topics"]),  # type: ignore[call-overload]
            "keyword": sorted(set(reading.topics)),
            "weights": dict(reading.weights),
            "how": {g.skill: g.how for g in guesses},
        }
        (tuning if str(row["split"]).startswith("tuning") else unseen).append(out)
    skills = [
        {"name": e.canon, "area": e.area, "aliases": list(e.aliases)} for e in default_skills()
    ]
    for name, rows in (("tuning", tuning), ("unseen", unseen), ("skills", skills)):
        (work / f"{name}.json").write_text(json.dumps(rows), encoding="utf-8")
    n = len(tuning) + len(unseen)
    (work / "keyword_speed.json").write_text(json.dumps({"ms_per_question": elapsed / n * 1000}))
    print(f"{len(tuning)} tuning, {len(unseen)} unseen questions, {len(skills)} skills")
    print(f"keyword reader: {elapsed / n * 1000:.2f} ms/question")


if __name__ == "__main__":
    main()
