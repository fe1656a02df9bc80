"""Embed the tuning questions and the skills; cache vectors to ``<work>/emb_<kind>.npz``.

``kind`` is ``minilm`` (sentence-transformers all-MiniLM-L6-v2) or ``static`` (the model2vec
distillation made by ``distill.py``). Vectors are unit-normalised. Saved arrays: ``Q`` questions,
``N`` skill names, ``J`` "name: alias, alias, ...", ``A`` the name and each alias separately with
``owner`` (skill index per row of ``A``). Also times bs=1 encoding over 300 questions and records
load time and peak RSS in ``<work>/speed_<kind>.json``.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import load_rows, minilm_dir, parse_args, read_json, write_json

Encoder = Callable[[list[str], int], np.ndarray]


def load_encoder(kind: str, work_dir: Path) -> Encoder:
    if kind == "minilm":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(minilm_dir(work_dir)), device="cpu")

        def enc(xs: list[str], bs: int = 64) -> np.ndarray:
            return model.encode(xs, batch_size=bs, normalize_embeddings=True, convert_to_numpy=True)

        return enc

    from model2vec import StaticModel

    static = StaticModel.from_pretrained(str(work_dir / "static"))

    def enc_static(xs: list[str], bs: int = 64) -> np.ndarray:
        v = static.encode(xs, batch_size=bs)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    return enc_static


def main() -> None:
    args = parse_args(__doc__, kind=True)
    work_dir, kind = args.work_dir, args.kind
    rows = load_rows(work_dir)
    skills = read_json(work_dir / "skills.json")

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    enc = load_encoder(kind, work_dir)
    load_s = time.perf_counter() - t0
    enc(["warm up"], 64)
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    qs = [r["question"] for r in rows]
    t = time.perf_counter()
    for q in qs[:300]:
        enc([q], 1)
    per_q_ms = (time.perf_counter() - t) / 300 * 1000

    alias_txt, alias_owner = [], []
    for i, s in enumerate(skills):
        for a in [s["name"], *s["aliases"]]:
            alias_txt.append(a)
            alias_owner.append(i)
    np.savez(
        work_dir / f"emb_{kind}.npz",
        Q=enc(qs, 64),
        N=enc([s["name"] for s in skills], 64),
        J=enc([s["name"] + ": " + ", ".join(s["aliases"]) for s in skills], 64),
        A=enc(alias_txt, 64),
        owner=np.array(alias_owner),
    )
    rss2 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info = {
        "load_s": load_s,
        "per_q_ms_bs1": per_q_ms,
        "maxrss_mb_after_load": rss1 / 1024,
        "maxrss_mb_start": rss0 / 1024,
        "maxrss_mb_end": rss2 / 1024,
        "total_s": time.perf_counter() - t0,
    }
    write_json(work_dir / f"speed_{kind}.json", info, indent=1)
    print(info)


if __name__ == "__main__":
    main()
