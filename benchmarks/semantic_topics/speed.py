"""MiniLM cost: import and model-load time, peak RSS, and per-question latency (batch size 1,
on 1 and 2 torch threads) including scoring against every name/alias vector."""

from __future__ import annotations

import resource
import time

import numpy as np
from common import load_rows, minilm_dir, parse_args


def main() -> None:
    work_dir = parse_args(__doc__).work_dir
    t = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer

    imp = time.perf_counter() - t
    t = time.perf_counter()
    model = SentenceTransformer(str(minilm_dir(work_dir)), device="cpu")
    load = time.perf_counter() - t
    qs = [r["question"] for r in load_rows(work_dir)][:200]
    A = np.load(work_dir / "emb_minilm.npz")["A"]
    model.encode(["warm"])
    out = {
        "import_s": round(imp, 2),
        "model_load_s": round(load, 2),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    for th in (1, 2):
        torch.set_num_threads(th)
        t = time.perf_counter()
        for q in qs:
            v = model.encode([q], batch_size=1, normalize_embeddings=True)
            v @ A.T
        out[f"ms_per_q_{th}thr"] = round((time.perf_counter() - t) / len(qs) * 1000, 2)
    print(out)


if __name__ == "__main__":
    main()
