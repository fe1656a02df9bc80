"""Label matrices, embedding similarities, kNN votes and micro P/R/F1 (numpy; scratch venv).

Rows are tuning questions only (checked by ``common.load_rows``); columns are skills.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import DEV_SPLITS, load_rows, read_json


@dataclass
class Scores:
    names: list[str]  # skill names (columns)
    split: np.ndarray  # split per question
    Y: np.ndarray  # labelled topics (bool, questions x skills)
    B: np.ndarray  # baseline topics
    DEV: np.ndarray  # question mask, tuning..tuning4
    TEST: np.ndarray  # question mask, tuning5..tuning7
    Q: np.ndarray  # unit question embeddings
    SN: np.ndarray  # cosine to the skill name
    SJ: np.ndarray  # cosine to "name: alias, alias, ..."
    SM: np.ndarray  # max cosine over the name and each alias

    def prf(self, P: np.ndarray, mask: np.ndarray) -> tuple[float, float, float]:
        """Micro precision, recall, F1 of predicted matrix P over the questions in mask."""
        Y = self.Y
        tp = (P & Y)[mask].sum()
        fp = (P & ~Y)[mask].sum()
        fn = (~P & Y)[mask].sum()
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        return p, r, 2 * p * r / max(p + r, 1e-9)

    def knn(self, k: int) -> np.ndarray:
        """Similarity-weighted vote of the k nearest DEV questions' topics (DEV: leave one out)."""
        sims = self.Q @ self.Q[self.DEV].T
        dev_pos = np.where(self.DEV)[0]
        sims[dev_pos, np.arange(len(dev_pos))] = -9
        nn = np.argsort(-sims, axis=1)[:, :k]
        w = np.maximum(np.take_along_axis(sims, nn, 1), 0)
        votes = np.einsum("qk,qks->qs", w, self.Y[self.DEV].astype(float)[nn])
        return votes / np.maximum(w.sum(1, keepdims=True), 1e-9)


def load_scores(work_dir: Path, kind: str) -> Scores:
    rows = load_rows(work_dir)
    skills = read_json(work_dir / "skills.json")
    base = read_json(work_dir / "baseline_pred.json")
    E = np.load(work_dir / f"emb_{kind}.npz")
    idx = {s["name"]: i for i, s in enumerate(skills)}
    nq, ns = len(rows), len(skills)
    Y = np.zeros((nq, ns), bool)
    B = np.zeros((nq, ns), bool)
    for i, r in enumerate(rows):
        for t in r["topics"]:
            Y[i, idx[t]] = True
        for t in base[i]:
            B[i, idx[t]] = True
    split = np.array([r["split"] for r in rows])
    dev = np.isin(split, DEV_SPLITS)
    Q = E["Q"]
    SM = np.full((nq, ns), -1.0)
    np.maximum.at(SM.T, E["owner"], (Q @ E["A"].T).T)
    return Scores(
        names=[s["name"] for s in skills],
        split=split,
        Y=Y,
        B=B,
        DEV=dev,
        TEST=~dev,
        Q=Q,
        SN=Q @ E["N"].T,
        SJ=Q @ E["J"].T,
        SM=SM,
    )
