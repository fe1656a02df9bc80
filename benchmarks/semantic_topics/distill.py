"""Distil all-MiniLM-L6-v2 into a model2vec static model (PCA to 256 dims) at ``<work>/static``."""

from __future__ import annotations

import time

from common import minilm_dir, parse_args
from model2vec.distill import distill


def main() -> None:
    work_dir = parse_args(__doc__).work_dir
    t = time.perf_counter()
    model = distill(model_name=str(minilm_dir(work_dir)), pca_dims=256)
    model.save_pretrained(str(work_dir / "static"))
    print("distil s", round(time.perf_counter() - t, 1))


if __name__ == "__main__":
    main()
