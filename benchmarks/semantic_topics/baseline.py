"""Baseline topic reading per tuning question, its speed, and a dump of the skill taxonomy.

Runs with the repository's own venv and ``PYTHONPATH`` = repository root. Writes
``<work>/baseline_pred.json`` (sorted topics per question, the bot's offline classifier merged
with ``skill_words`` as a fallback) and ``<work>/skills.json`` (name, area, aliases, patterns).
"""

from __future__ import annotations

import time

from common import load_rows, parse_args, write_json

from bot.matching import OfflineClassifier, build_taxonomy, merge_guesses, skill_words
from bot.matching.taxonomy import default_patterns, default_skills


def main() -> None:
    work_dir = parse_args(__doc__).work_dir
    questions = [r["question"] for r in load_rows(work_dir)]
    tax = build_taxonomy()
    clf = OfflineClassifier(tax)

    def read(q: str) -> list[str]:
        reading = merge_guesses(clf.guesses(q), fallback=skill_words(tax, q))
        return sorted(set(reading.topics))

    t = time.perf_counter()
    preds = [read(q) for q in questions]
    ms_per_q = (time.perf_counter() - t) / len(questions) * 1000
    write_json(work_dir / "baseline_pred.json", preds)

    pats = default_patterns()
    skills = [
        {
            "name": e.canon,
            "area": e.area,
            "aliases": list(e.aliases),
            "patterns": list(pats.get(e.canon, [])),
        }
        for e in default_skills()
    ]
    write_json(work_dir / "skills.json", skills)
    print(
        len(skills),
        "skills;",
        sum(len(s["aliases"]) for s in skills),
        "aliases;",
        sum(len(s["patterns"]) for s in skills),
        "patterns",
    )
    print("baseline ms/q", round(ms_per_q, 2))


if __name__ == "__main__":
    main()
