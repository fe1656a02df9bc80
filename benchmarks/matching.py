"""Matching speed: read a question, rank 1k/10k/100k mentors, similar questions among 100k/1M.

Run from the repository root::

    .venv/bin/python benchmarks/matching.py            # full run, about two minutes
    .venv/bin/python benchmarks/matching.py --quick    # smaller sizes, a few seconds

First, reading one question (the offline classifier and `merge_guesses`, as every ask does) over
the labelled questions: p50/p99 and the mean. For every size it prints p50/p99 of one call and,
in the same run, the time of one bare
``rapidfuzz.process.cdist`` over the same strings (single worker, ``fuzz.ratio``): the floor that
brute-force fuzzy matching could not beat. Targets on a 2-core machine: ranking 10,000 mentors
under 20 ms p50; similar questions among 1,000,000 under 50 ms p50.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _matching_data import eval_rows, mentors, questions
from rapidfuzz import fuzz, process

from bot.matching import (
    OfflineClassifier,
    SimilarIndex,
    build_taxonomy,
    extract_topics,
    merge_guesses,
    rank_mentors,
    skill_words,
)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1e3, p99 * 1e3


def _cdist_floor(query: str, choices: list[str], repeat: int) -> float:
    """Median seconds of one bare ``process.cdist`` of `query` against every choice."""
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        process.cdist([query], choices, scorer=fuzz.ratio, workers=1)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def bench_reading() -> None:
    """One question read as an ask reads it, for every labelled question (each once, cold)."""
    tax = build_taxonomy()
    classifier = OfflineClassifier(tax)
    texts = [str(r["question"]) for r in eval_rows()]
    for text in texts[:20]:  # warm the taxonomy's and the classifier's lazy parts
        merge_guesses(classifier.guesses(text), fallback=skill_words(tax, text))
    samples = []
    for text in texts:
        t0 = time.perf_counter()
        merge_guesses(classifier.guesses(text), fallback=skill_words(tax, text))
        samples.append(time.perf_counter() - t0)
    p50, p99 = _percentiles(samples)
    mean = statistics.fmean(samples) * 1e3
    print(f"reading one question ({len(texts):,} labelled questions)")
    print(f"    p50 {p50:.2f} ms   p99 {p99:.2f} ms   mean {mean:.2f} ms")


def bench_ranking(sizes: list[int], repeat: int) -> None:
    tax = build_taxonomy()
    asked = [extract_topics(str(r["question"]), tax) for r in eval_rows()]
    asked = [t for t in asked if t]
    print("ranking mentors for one question (limit=5, related skills on)")
    print(f"{'mentors':>10} {'p50 ms':>9} {'p99 ms':>9} {'cdist floor ms':>15}")
    for n in sizes:
        pool = mentors(tax, n)
        runs = min(repeat, max(20, 2_000_000 // n))
        samples = []
        for i in range(runs):
            topics = asked[i % len(asked)]
            t0 = time.perf_counter()
            rank_mentors(topics, pool, limit=5, related=tax.related, seed=i)
            samples.append(time.perf_counter() - t0)
        p50, p99 = _percentiles(samples)
        choices = [" ".join(m.skills) for m in pool]
        query = " ".join(asked[0])
        floor = _cdist_floor(query, choices, 5)
        print(f"{n:>10,} {p50:>9.2f} {p99:>9.2f} {floor * 1e3:>15.2f}")


def bench_similar(sizes: list[int], repeat: int) -> None:
    tax = build_taxonomy()
    probes = [(str(r["question"]), extract_topics(str(r["question"]), tax)) for r in eval_rows()]
    print("similar resolved questions for one new question (limit=3)")
    print(f"{'stored':>10} {'build s':>8} {'p50 ms':>9} {'p99 ms':>9} {'cdist floor ms':>15}")
    stored = questions(tax, max(sizes))
    index = SimilarIndex()
    built = 0
    t_build = 0.0
    for n in sizes:
        t0 = time.perf_counter()
        for qid in range(built, n):
            text, topics = stored[qid]
            index.add(qid, text, topics)
        t_build += time.perf_counter() - t0
        built = n
        samples = []
        for i in range(repeat):
            text, topics = probes[i % len(probes)]
            t0 = time.perf_counter()
            index.search(text, topics, limit=3)
            samples.append(time.perf_counter() - t0)
        p50, p99 = _percentiles(samples)
        texts = [t for t, _ in stored[:n]]
        query = probes[0][0]
        floor = _cdist_floor(query, texts, 3)
        print(f"{n:>10,} {t_build:>8.1f} {p50:>9.2f} {p99:>9.2f} {floor * 1e3:>15.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    started = time.perf_counter()
    bench_reading()
    if args.quick:
        bench_ranking([1_000, 10_000], repeat=50)
        bench_similar([10_000, 100_000], repeat=50)
    else:
        bench_ranking([1_000, 10_000, 100_000], repeat=300)
        bench_similar([100_000, 1_000_000], repeat=300)
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
