"""Collect the tuning rows into ``<work>/data.json``.

Reads ONLY tuning rows: ``split == "tuning"`` rows of ``tests/data/matching_eval.jsonl`` (every
other row, holdout included, is dropped as it is parsed) and the files
``matching_eval_tuning2..7.jsonl``. ``matching_eval_holdout3.jsonl`` and the
``matching_people_*`` files are never opened.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import DATA_DIR, TUNING_SPLITS, load_rows, parse_args, write_json


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load() -> list[dict[str, Any]]:
    rows = []
    for r in _jsonl(DATA_DIR / "matching_eval.jsonl"):
        if r.get("split") == "tuning":
            rows.append({"split": "tuning", "question": r["question"], "topics": list(r["topics"])})
    for i in range(2, 8):
        for r in _jsonl(DATA_DIR / f"matching_eval_tuning{i}.jsonl"):
            split = r.get("split", f"tuning{i}")
            assert split == f"tuning{i}", split
            rows.append({"split": split, "question": r["question"], "topics": list(r["topics"])})
    assert all(r["split"] in TUNING_SPLITS for r in rows)
    return rows


if __name__ == "__main__":
    work_dir = parse_args(__doc__).work_dir
    write_json(work_dir / "data.json", load())
    print(Counter(r["split"] for r in load_rows(work_dir)))
