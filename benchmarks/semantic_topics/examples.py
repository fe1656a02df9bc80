"""Print TEST questions (tuning5..tuning7) where the MiniLM gradient-boosting re-ranker changed
the baseline's topics, marked better (+), worse (-) or even (=) against the labels."""

from __future__ import annotations

import numpy as np
from common import TEST_SPLITS, load_rows, parse_args, read_json


def main() -> None:
    work_dir = parse_args(__doc__).work_dir
    rows = load_rows(work_dir)
    names = [s["name"] for s in read_json(work_dir / "skills.json")]
    base = read_json(work_dir / "baseline_pred.json")
    P = np.load(work_dir / "pred_minilm_gbm.npy")
    good = bad = 0
    for i, r in enumerate(rows):
        if r["split"] not in TEST_SPLITS:
            continue
        got = {names[j] for j in np.where(P[i])[0]}
        b, want = set(base[i]), set(r["topics"])
        if got == b:
            continue
        d = len(got & want) - len(b & want) - (len(got - want) - len(b - want))
        good += d > 0
        bad += d < 0
        mark = "+" if d > 0 else "-" if d < 0 else "="
        print(
            f"[{r['split']}] {mark} {r['question'][:110]!r}\n"
            f"    want {sorted(want)} base {sorted(b)} rerank {sorted(got)}"
        )
    print("changed questions better/worse:", good, bad)


if __name__ == "__main__":
    main()
