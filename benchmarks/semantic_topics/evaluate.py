"""Hand-thresholded embedding methods vs the baseline on the tuning splits.

Every threshold / rank rule is chosen by F1 on DEV (tuning..tuning4); TEST (tuning5..tuning7)
is reported only. Methods: embedding alone (name, name+aliases, best of name/each alias, kNN
over DEV questions), and combinations with the baseline: (a) add embedding topics when the
baseline is empty, (b) add high-similarity topics, (c) drop low-similarity baseline topics,
(d) filter then add. Writes ``<work>/results_<kind>.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from common import parse_args, write_json
from scores import load_scores

THR = np.round(np.arange(0.05, 0.96, 0.01), 2)
# (k, margin): keep the top-k skills within `margin` of the best; (None, 0) is a plain threshold.
RULES = [(None, 0)] + [
    (k, m) for k in (1, 2, 3) for m in (0.03, 0.07, 0.15, 1.0) if not (k == 1 and m != 1.0)
]
Row = tuple[str, tuple[float, ...], tuple[float, ...], str]


def rank_mask(M: np.ndarray, k: int, margin: float) -> np.ndarray:
    order = np.argsort(-M, axis=1)
    rk = np.empty_like(order)
    np.put_along_axis(rk, order, np.arange(M.shape[1])[None, :].repeat(M.shape[0], 0), 1)
    return (rk < k) & (M >= M.max(1, keepdims=True) - margin)


def main() -> None:
    args = parse_args(__doc__, kind=True)
    sc = load_scores(args.work_dir, args.kind)
    B, DEV, TEST = sc.B, sc.DEV, sc.TEST
    S = {"name": sc.SN, "name+aliases": sc.SJ, "max-alias": sc.SM}
    for k in (1, 3, 5, 10):
        S[f"knn{k}"] = sc.knn(k)

    rank_cache: dict[tuple[str, int, float], np.ndarray] = {}

    def rule(M: np.ndarray, key: str, t: float, k: int | None, margin: float) -> np.ndarray:
        if k is None:
            return M >= t
        if (key, k, margin) not in rank_cache:
            rank_cache[(key, k, margin)] = rank_mask(M, k, margin)
        return rank_cache[(key, k, margin)] & (M >= t)

    results: list[Row] = []

    def report(name: str, P: np.ndarray, extra: str = "") -> None:
        d, t = sc.prf(P, DEV), sc.prf(P, TEST)
        results.append((name, d, t, extra))
        print(
            f"{name:55s} DEV P {d[0]:.3f} R {d[1]:.3f} F {d[2]:.3f} | "
            f"TEST P {t[0]:.3f} R {t[1]:.3f} F {t[2]:.3f} {extra}",
            flush=True,
        )

    def best(cands: Iterable[tuple[str, np.ndarray]]) -> tuple[str, np.ndarray]:
        return max(cands, key=lambda c: sc.prf(c[1], DEV)[2])

    def grid(key: str, combine: Callable[[np.ndarray], np.ndarray]) -> tuple[str, np.ndarray]:
        M = S[key]
        return best(
            (f"t={t} k={k} m={m}", combine(rule(M, key, t, k, m))) for t in THR for k, m in RULES
        )

    print(f"== {args.kind} ==")
    report("baseline", B)
    for key in S:
        d, P = grid(key, lambda E: E)
        report(f"emb alone [{key}]", P, d)
    empty = ~B.any(1, keepdims=True)
    for key in ("max-alias", "name+aliases", "knn3", "knn5", "knn10"):
        M = S[key]
        d, P = grid(key, lambda E: B | (empty & E))
        report(f"(a) base ∪ emb-if-base-empty [{key}]", P, d)
        d, P = grid(key, lambda E: B | E)
        report(f"(b) base ∪ emb-high [{key}]", P, d)
        d, P = best((f"t_lo={t}", B & (M >= t)) for t in THR)
        report(f"(c) base minus low-sim [{key}]", P, d)
    for fk in ("max-alias", "name+aliases"):
        for ak in ("max-alias", "knn5", "knn10"):
            F, M = S[fk], S[ak]
            cands = []
            for tl in np.round(np.arange(0.05, 0.5, 0.02), 2):
                Bf = B & (F >= tl)
                for t in THR[::2]:
                    for k, m in [(1, 1.0), (None, 0), (2, 0.07)]:
                        desc = f"filter {fk}>={tl}; add {ak} t={t} k={k} m={m}"
                        cands.append((desc, Bf | rule(M, ak, t, k, m)))
            d, P = best(cands)
            report(f"(d) filter[{fk}] + add[{ak}]", P, d)
    write_json(args.work_dir / f"results_{args.kind}.json", results, indent=1, default=float)


if __name__ == "__main__":
    main()
