"""Diagnostics and a learned keep/drop re-ranker over (question, skill) candidate pairs.

Diagnostics: how well similarity separates the baseline's true from false topics (AUC), where
labelled topics and baseline misses rank by best-of-aliases similarity, per-split baseline P/R.
Re-ranker: candidates are baseline topics, the top-10 skills by best-of-aliases similarity and
any kNN vote; features are the baseline flag, similarities, ranks, kNN votes and context.
Logistic regression and gradient boosting are fitted with 5-fold grouped out-of-fold predictions
on DEV (tuning..tuning4) to choose the threshold, refitted on all of DEV and scored on TEST
(tuning5..tuning7), with a paired bootstrap of TEST ΔF1 vs the baseline. Writes
``<work>/pred_<kind>_<model>.npy`` (TEST rows hold the re-ranker's topics).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from common import parse_args
from scores import Scores, load_scores
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold

MODELS: dict[str, Callable[[], Any]] = {
    "logreg": lambda: LogisticRegression(max_iter=2000, C=1.0),
    "gbm": lambda: HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0
    ),
}


def ranks(M: np.ndarray) -> np.ndarray:
    """0-based rank of each skill per question, highest similarity first."""
    return (-M).argsort(1).argsort(1)


def bootstrap(sc: Scores, P: np.ndarray, name: str, n: int = 2000) -> None:
    """Paired bootstrap over TEST questions of F1(P) - F1(baseline)."""
    ti = np.where(sc.TEST)[0]
    rng = np.random.default_rng(0)

    def counts(M: np.ndarray) -> np.ndarray:
        Y = sc.Y
        return np.c_[(M & Y).sum(1), (M & ~Y).sum(1), (~M & Y).sum(1)][ti]

    def f1(t: np.ndarray) -> float:
        return 2 * t[0] / max(2 * t[0] + t[1] + t[2], 1)

    cp, cb = counts(P), counts(sc.B)
    diffs = []
    for _ in range(n):
        s = rng.integers(0, len(ti), len(ti))
        diffs.append(f1(cp[s].sum(0)) - f1(cb[s].sum(0)))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    delta = f1(cp.sum(0)) - f1(cb.sum(0))
    print(f"   bootstrap TEST ΔF1 vs baseline ({name}): {delta:+.3f} [95% CI {lo:+.3f}, {hi:+.3f}]")


def diagnostics(sc: Scores) -> None:
    Y, B, SM = sc.Y, sc.B, sc.SM
    for nm, m in (("DEV", sc.DEV), ("TEST", sc.TEST)):
        tpm, fpm = (B & Y)[m], (B & ~Y)[m]
        for sn, S in (("max-alias", SM), ("name+aliases", sc.SJ)):
            s = S[m]
            lab = np.r_[np.ones(tpm.sum()), np.zeros(fpm.sum())]
            auc = roc_auc_score(lab, np.r_[s[tpm], s[fpm]])
            print(
                f"{nm}: AUC separating baseline TP({tpm.sum()}) vs FP({fpm.sum()}) "
                f"by {sn} sim: {auc:.3f}"
            )
        rk, y = ranks(SM[m]), Y[m]
        at = " ".join(f"{(rk[y] < k).mean():.2f}" for k in (1, 3, 5, 10))
        print(f"{nm}: labelled topics whose max-alias rank <1/3/5/10: {at}")
        miss = y & ~B[m]
        at = " ".join(f"{(rk[miss] < k).mean():.2f}" for k in (1, 3, 5))
        print(f"{nm}: baseline misses ({miss.sum()}), share ranked <1/3/5 by max-alias: {at}")
    for s in sorted(set(sc.split[sc.TEST])):
        m = sc.split == s
        p, r, _ = sc.prf(B, m)
        print(f"baseline {s}: P {p:.3f} R {r:.3f} (n={m.sum()})")


def rerank(sc: Scores, kind: str, work_dir: Path) -> None:
    Y, B, SM, SJ, Q, DEV, TEST = sc.Y, sc.B, sc.SM, sc.SJ, sc.Q, sc.DEV, sc.TEST
    nq, ns = Y.shape
    K5, K10 = sc.knn(5), sc.knn(10)
    rkM, rkJ = ranks(SM), ranks(SJ)
    cand = B | (rkM < 10) | (K10 > 0)
    qi, si = np.where(cand)
    # second-best similarity to a DEV question (the best is the question itself on DEV)
    near = np.sort(Q @ Q[DEV].T, 1)[:, -2]
    X = np.c_[
        B[qi, si],
        SM[qi, si],
        SJ[qi, si],
        sc.SN[qi, si],
        rkM[qi, si],
        rkJ[qi, si],
        SM.max(1)[qi] - SM[qi, si],
        K5[qi, si],
        K10[qi, si],
        B.sum(1)[qi],
        near[qi],
    ]
    yl = Y[qi, si]
    dm = DEV[qi]
    print(
        f"candidates: {cand.sum()} pairs; candidate recall "
        f"DEV {(cand & Y)[DEV].sum() / Y[DEV].sum():.3f} "
        f"TEST {(cand & Y)[TEST].sum() / Y[TEST].sum():.3f}"
    )

    def topred(prob: np.ndarray, sel: np.ndarray, t: float) -> np.ndarray:
        P = np.zeros((nq, ns), bool)
        P[qi[sel][prob >= t], si[sel][prob >= t]] = True
        return P

    def line(d: tuple[float, ...], t: tuple[float, ...]) -> str:
        return (
            f"DEV P {d[0]:.3f} R {d[1]:.3f} F {d[2]:.3f} | "
            f"TEST P {t[0]:.3f} R {t[1]:.3f} F {t[2]:.3f}"
        )

    for mname, make in MODELS.items():
        oof = np.zeros(dm.sum())
        for tr, te in GroupKFold(5).split(X[dm], yl[dm], qi[dm]):
            clf = make().fit(X[dm][tr], yl[dm][tr])
            oof[te] = clf.predict_proba(X[dm][te])[:, 1]
        thr = max(np.arange(0.1, 0.9, 0.02), key=lambda t: sc.prf(topred(oof, dm, t), DEV)[2])
        pt = make().fit(X[dm], yl[dm]).predict_proba(X[~dm])[:, 1]
        P = topred(pt, ~dm, thr)
        d, t = sc.prf(topred(oof, dm, thr), DEV), sc.prf(P, TEST)
        print(f"re-ranker {mname} (5-fold OOF on DEV, thr {thr:.2f}): {line(d, t)}")
        # keep every baseline topic and only add (recall), or only remove (precision)
        variants: dict[str, Callable[[np.ndarray], np.ndarray]] = {
            "add-only": lambda R: B | R,
            "filter-only": lambda R: B & R,
        }
        for vn, fn in variants.items():
            bt = max(
                np.arange(0.1, 0.95, 0.02),
                key=lambda t, fn=fn: sc.prf(fn(topred(oof, dm, t)), DEV)[2],
            )
            d = sc.prf(fn(topred(oof, dm, bt)), DEV)
            t = sc.prf(fn(topred(pt, ~dm, bt)), TEST)
            print(f"   {vn:11s} thr {bt:.2f}: {line(d, t)}")
        for s in sorted(set(sc.split[TEST])):
            p, r, _ = sc.prf(P, sc.split == s)
            print(f"   {mname} {s}: P {p:.3f} R {r:.3f}")
        bootstrap(sc, P, f"re-ranker {mname}")
        np.save(work_dir / f"pred_{kind}_{mname}.npy", P)


def main() -> None:
    args = parse_args(__doc__, kind=True)
    sc = load_scores(args.work_dir, args.kind)
    print(f"== {args.kind} diagnostics ==")
    diagnostics(sc)
    if args.kind == "minilm":
        # the best hand-thresholded combination from evaluate.py (DEV-chosen)
        top1 = sc.SM >= sc.SM.max(1, keepdims=True)
        P = (sc.B & (sc.SJ >= 0.07)) | (top1 & (sc.SM >= 0.71))
        bootstrap(sc, P, "(d) filter[name+aliases>=0.07]+add[max-alias top1>=0.71]")
    rerank(sc, args.kind, args.work_dir)


if __name__ == "__main__":
    main()
