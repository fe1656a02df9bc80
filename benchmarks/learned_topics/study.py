"""Step 2 (throwaway venv with scikit-learn): a supervised topic reader, alone and combined.

Run from the repository root after ``dump.py``::

    /tmp/expvenv/bin/python benchmarks/learned_topics/study.py cv [--work-dir DIR]
    /tmp/expvenv/bin/python benchmarks/learned_topics/study.py report [--work-dir DIR]

``cv`` reads ``<work>/tuning.json`` and ``skills.json`` only: leave-one-tuning-split-out
cross-validation (7 folds, ``tuning`` .. ``tuning7``) of every configuration, the out-of-fold
scores cached in ``<work>/oof_*.npy``, and for each variant the configuration and thresholds with
the best micro F1, written to ``<work>/chosen.json``. ``report`` trains each chosen variant once
on all tuning questions, then (and only then) opens ``<work>/unseen.json`` and prints the holdout
figures, per split and together, with speed and model size. Nothing is chosen in ``report``.

The text model: TF-IDF of word 1-2-grams and char_wb 3-5-grams, one linear SVM per topic
(`LinearSVC`, one-vs-rest), a topic read when its score reaches a threshold (at most three, the
best first; optionally the best one alone when none reaches it). Optionally the taxonomy's
names and aliases are added as extra one-topic training documents with a sample weight.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

HERE = Path(__file__).resolve().parent
TUNING_SPLITS = ("tuning", "tuning2", "tuning3", "tuning4", "tuning5", "tuning6", "tuning7")
UNSEEN_SPLITS = ("holdout", "holdout2", "holdout3", "holdout4")
NO_MODEL = -9.0  # the score of a topic with no positive training example
MAX_TOPICS = 3
TOP_CANDIDATES = 5  # the stacker's candidates: keyword topics plus the model's best five


@dataclass(frozen=True)
class Config:
    """One text-model configuration."""

    c: float  # LinearSVC regularisation
    alias_weight: float  # sample weight of the taxonomy's alias documents (0: not used)

    @property
    def key(self) -> str:
        return f"c{self.c}_a{self.alias_weight}"


CONFIGS = [Config(c, a) for c, a in itertools.product((0.5, 2.0), (0.0, 0.3, 1.0))]


# --- data ------------------------------------------------------------------------------------


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_tuning(work: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read(work / "tuning.json")
    assert all(r["split"] in TUNING_SPLITS for r in rows), "non-tuning rows in tuning.json"
    return rows


def label_matrix(rows: list[dict[str, Any]], index: dict[str, int]) -> np.ndarray:
    y = np.zeros((len(rows), len(index)), dtype=bool)
    for i, r in enumerate(rows):
        for t in r["topics"]:
            y[i, index[t]] = True
    return y


def alias_docs(skills: list[dict[str, Any]], index: dict[str, int]) -> tuple[list[str], np.ndarray]:
    """The taxonomy's names and aliases, each a one-topic document."""
    texts: list[str] = []
    labels: list[int] = []
    for s in skills:
        for name in dict.fromkeys([s["name"], *s["aliases"]]):
            texts.append(name)
            labels.append(index[s["name"]])
    y = np.zeros((len(texts), len(index)), dtype=bool)
    y[np.arange(len(texts)), labels] = True
    return texts, y


# --- the text model --------------------------------------------------------------------------


class TextModel:
    """TF-IDF word 1-2 + char_wb 3-5 grams, one LinearSVC per topic."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.vectorizer = FeatureUnion(
            [
                ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
                    ),
                ),
            ]
        )
        self.coef: np.ndarray = np.zeros(0)
        self.intercept: np.ndarray = np.zeros(0)
        self.coef_t: np.ndarray = np.zeros(0)

    def fit(self, texts: list[str], y: np.ndarray, weights: np.ndarray | None = None) -> TextModel:
        x = self.vectorizer.fit_transform(texts)
        n_labels = y.shape[1]
        self.coef = np.zeros((n_labels, x.shape[1]), dtype=np.float32)
        self.intercept = np.full(n_labels, NO_MODEL, dtype=np.float32)
        for j in range(n_labels):
            col = y[:, j]
            if not col.any():
                continue
            svm = LinearSVC(C=self.config.c, max_iter=5000, random_state=0)
            svm.fit(x, col, sample_weight=weights)
            self.coef[j] = svm.coef_[0]
            self.intercept[j] = svm.intercept_[0]
        self.coef_t = np.ascontiguousarray(self.coef.T)  # features x topics, for fast scoring
        return self

    def scores(self, texts: list[str]) -> np.ndarray:
        # float32 like the weights: a float64 matrix would upcast (copy) all weights every call
        x = self.vectorizer.transform(texts).astype(np.float32)
        return np.asarray(x @ self.coef_t) + self.intercept


def training_set(
    rows: list[dict[str, Any]],
    index: dict[str, int],
    skills: list[dict[str, Any]],
    config: Config,
) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    texts = [r["question"] for r in rows]
    y = label_matrix(rows, index)
    if config.alias_weight <= 0:
        return texts, y, None
    a_texts, a_y = alias_docs(skills, index)
    weights = np.concatenate([np.ones(len(texts)), np.full(len(a_texts), config.alias_weight)])
    return texts + a_texts, np.vstack([y, a_y]), weights


def oof_scores(
    rows: list[dict[str, Any]], index: dict[str, int], skills: list[dict[str, Any]], config: Config
) -> np.ndarray:
    """Leave-one-tuning-split-out scores of every tuning question."""
    out = np.zeros((len(rows), len(index)), dtype=np.float32)
    splits = np.array([r["split"] for r in rows])
    for split in TUNING_SPLITS:
        test = splits == split
        train = [r for r, t in zip(rows, test, strict=True) if not t]
        model = TextModel(config).fit(*training_set(train, index, skills, config))
        out[test] = model.scores([r["question"] for r, t in zip(rows, test, strict=True) if t])
    return out


# --- decision rules --------------------------------------------------------------------------


def model_topics(s: np.ndarray, names: list[str], t: float, t_one: float) -> list[set[str]]:
    """Topics scoring at least `t` (at most three), or the best alone if it reaches `t_one`."""
    out = []
    for row in s:
        order = np.argsort(-row)[:MAX_TOPICS]
        got = {names[j] for j in order if row[j] >= t}
        if not got and row[order[0]] >= t_one:
            got = {names[order[0]]}
        out.append(got)
    return out


def combined_topics(
    s: np.ndarray,
    keyword: list[set[str]],
    index: dict[str, int],
    names: list[str],
    rule: dict[str, float],
) -> list[set[str]]:
    """Keyword topics scoring under ``drop`` removed, then model topics scoring ``add`` added."""
    out = []
    for row, kw in zip(s, keyword, strict=True):
        # a topic the model has no example of (score `NO_MODEL`) is not the model's to judge
        kept = {t for t in kw if row[index[t]] >= rule["drop"] or row[index[t]] <= NO_MODEL}
        order = np.argsort(-row)[:MAX_TOPICS]
        extra = {names[j] for j in order if row[j] >= rule["add"]}
        out.append(kept | extra)
    return out


def micro(pred: list[set[str]], gold: list[set[str]]) -> tuple[float, float, float]:
    tp = sum(len(p & g) for p, g in zip(pred, gold, strict=True))
    fp = sum(len(p - g) for p, g in zip(pred, gold, strict=True))
    fn = sum(len(g - p) for p, g in zip(pred, gold, strict=True))
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return prec, rec, 2 * prec * rec / max(prec + rec, 1e-9)


T_GRID = [round(x, 2) for x in np.arange(-1.0, 0.81, 0.1)]


def best_model_rule(s: np.ndarray, names: list[str], gold: list[set[str]]) -> dict[str, Any]:
    best: dict[str, Any] = {"f1": -1.0}
    for t in T_GRID:
        for t_one in [x for x in T_GRID if x <= t] + [99.0]:
            p, r, f = micro(model_topics(s, names, t, t_one), gold)
            if f > best["f1"]:
                best = {"t": t, "t_one": t_one, "p": p, "r": r, "f1": f}
    return best


def best_combined_rule(
    s: np.ndarray,
    keyword: list[set[str]],
    index: dict[str, int],
    names: list[str],
    gold: list[set[str]],
    *,
    drops: list[float],
    adds: list[float],
) -> dict[str, Any]:
    best: dict[str, Any] = {"f1": -1.0}
    for drop in drops:
        for add in adds:
            rule = {"drop": drop, "add": add}
            p, r, f = micro(combined_topics(s, keyword, index, names, rule), gold)
            if f > best["f1"]:
                best = {**rule, "p": p, "r": r, "f1": f}
    return best


# --- the stacker: keep/add each candidate topic, from keyword and model evidence ---------------


HOWS = ("named", "tentative", "situation")


def candidates(
    s: np.ndarray,
    rows: list[dict[str, Any]],
    index: dict[str, int],
    names: list[str],
    npos: np.ndarray,
) -> tuple[list[tuple[int, str]], np.ndarray]:
    """(question, topic) pairs (keyword topics and guesses plus the model's best five) with
    their features."""
    pairs: list[tuple[int, str]] = []
    feats: list[list[float]] = []
    for i, (row, r) in enumerate(zip(s, rows, strict=True)):
        order = np.argsort(-row)
        rank = {names[j]: k for k, j in enumerate(order[:50])}
        cands = dict.fromkeys(
            [*r["keyword"], *r["weights"], *(names[j] for j in order[:TOP_CANDIDATES])]
        )
        top = float(row[order[0]])
        for t in cands:
            j = index[t]
            how = r["how"].get(t, "")
            feats.append(
                [
                    float(row[j]),
                    float(row[j]) - top,
                    float(rank.get(t, 50)),
                    float(t in r["keyword"]),
                    float(r["weights"].get(t, 0.0)),
                    *(float(how == h) for h in HOWS),
                    float(np.log1p(npos[j])),
                    float(len(r["keyword"])),
                ]
            )
            pairs.append((i, t))
    return pairs, np.array(feats, dtype=np.float32)


def stack_topics(
    pairs: list[tuple[int, str]], prob: np.ndarray, n: int, threshold: float
) -> list[set[str]]:
    out: list[set[str]] = [set() for _ in range(n)]
    for (i, t), p in zip(pairs, prob, strict=True):
        if p >= threshold:
            out[i].add(t)
    return out


def new_stacker() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=15, random_state=0
    )


def split_npos(rows: list[dict[str, Any]], index: dict[str, int]) -> dict[str, np.ndarray]:
    """Per held-out split, each topic's positives in the other tuning splits (what the text model
    of that fold was trained on)."""
    y = label_matrix(rows, index)
    splits = np.array([r["split"] for r in rows])
    return {sp: y[splits != sp].sum(axis=0) for sp in TUNING_SPLITS}


def stack_oof(
    s: np.ndarray, rows: list[dict[str, Any]], index: dict[str, int], names: list[str]
) -> tuple[list[tuple[int, str]], np.ndarray, np.ndarray]:
    """Out-of-fold (leave one tuning split out) stacker probabilities over the candidates."""
    npos = split_npos(rows, index)
    pairs: list[tuple[int, str]] = []
    feats = []
    for i, r in enumerate(rows):
        p, f = candidates(s[i : i + 1], [r], index, names, npos[r["split"]])
        pairs += [(i, t) for _, t in p]
        feats.append(f)
    x = np.vstack(feats)
    gold = [set(r["topics"]) for r in rows]
    y = np.array([t in gold[i] for i, t in pairs])
    pair_split = np.array([rows[i]["split"] for i, _ in pairs])
    prob = np.zeros(len(pairs))
    for sp in TUNING_SPLITS:
        test = pair_split == sp
        prob[test] = new_stacker().fit(x[~test], y[~test]).predict_proba(x[test])[:, 1]
    return pairs, x, prob


# --- commands --------------------------------------------------------------------------------


def setup(
    work: Path,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int], list[str]]:
    rows = load_tuning(work)
    skills = read(work / "skills.json")
    names = [s["name"] for s in skills]
    return rows, skills, {n: j for j, n in enumerate(names)}, names


def cv(work: Path) -> None:
    rows, skills, index, names = setup(work)
    gold = [set(r["topics"]) for r in rows]
    keyword = [set(r["keyword"]) for r in rows]
    splits = [r["split"] for r in rows]
    p, r, f = micro(keyword, gold)
    print(f"keyword reader on tuning (in-sample: tuned on these): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    chosen: dict[str, Any] = {}
    results = []
    for config in CONFIGS:
        path = work / f"oof_{config.key}.npy"
        if path.exists():
            s = np.load(path)
        else:
            t = time.perf_counter()
            s = oof_scores(rows, index, skills, config)
            np.save(path, s)
            print(f"  {config.key}: 7 folds in {time.perf_counter() - t:.0f} s", flush=True)
        alone = best_model_rule(s, names, gold)
        union = best_combined_rule(
            s, keyword, index, names, gold, drops=[-99.0], adds=[x for x in T_GRID if x >= -0.3]
        )
        filt = best_combined_rule(
            s, keyword, index, names, gold, drops=[-99.0, *T_GRID[:10]], adds=[99.0]
        )
        both = best_combined_rule(
            s,
            keyword,
            index,
            names,
            gold,
            drops=[-99.0, *T_GRID[:10]],
            adds=[99.0, *(x for x in T_GRID if x >= -0.3)],
        )
        results.append((config, alone, union, filt, both))
        print(
            f"{config.key:10s} alone P {alone['p']:.3f} R {alone['r']:.3f} F1 {alone['f1']:.3f}"
            f" (t {alone['t']}, t_one {alone['t_one']}) | union F1 {union['f1']:.3f}"
            f" (add {union['add']}) | filter F1 {filt['f1']:.3f} (drop {filt['drop']})"
            f" | filter+union P {both['p']:.3f} R {both['r']:.3f} F1 {both['f1']:.3f}"
            f" (drop {both['drop']}, add {both['add']})",
            flush=True,
        )

    def pick(k: int, *, aliases: bool | None = None) -> tuple[Config, dict[str, Any]]:
        pool = [x for x in results if aliases is None or (x[0].alias_weight > 0) == aliases]
        best = max(pool, key=lambda x: x[k]["f1"])
        return best[0], best[k]

    def per_split(pred: list[set[str]]) -> dict[str, list[float]]:
        out = {}
        for sp in TUNING_SPLITS:
            idx = [i for i, x in enumerate(splits) if x == sp]
            out[sp] = list(micro([pred[i] for i in idx], [gold[i] for i in idx]))
        return out

    chosen["keyword"] = {"cv": list(micro(keyword, gold)), "per_split": per_split(keyword)}
    for name, k, aliases in (
        ("model", 1, False),
        ("model+aliases", 1, True),
        ("keyword+model", 4, None),
    ):
        config, rule = pick(k, aliases=aliases)
        s = np.load(work / f"oof_{config.key}.npy")
        pred = (
            model_topics(s, names, rule["t"], rule["t_one"])
            if k == 1
            else combined_topics(s, keyword, index, names, rule)
        )
        chosen[name] = {"config": asdict(config), "rule": rule, "per_split": per_split(pred)}
    # the stacker, on the out-of-fold scores of the configuration the combination chose
    config = Config(**chosen["keyword+model"]["config"])
    s = np.load(work / f"oof_{config.key}.npy")
    pairs, _, prob = stack_oof(s, rows, index, names)
    best: dict[str, Any] = {"f1": -1.0}
    for th in np.arange(0.2, 0.81, 0.05):
        pred = stack_topics(pairs, prob, len(rows), float(th))
        p, r, f = micro(pred, gold)
        if f > best["f1"]:
            best = {"threshold": round(float(th), 2), "p": p, "r": r, "f1": f}
    pred = stack_topics(pairs, prob, len(rows), best["threshold"])
    chosen["stacker"] = {"config": asdict(config), "rule": best, "per_split": per_split(pred)}
    print(
        f"stacker ({config.key}): P {best['p']:.3f} R {best['r']:.3f} F1 {best['f1']:.3f} (th {best['threshold']})"
    )
    (work / "chosen.json").write_text(json.dumps(chosen, indent=1))
    for name, v in chosen.items():
        cvp = v["rule"] if "rule" in v else dict(zip(("p", "r", "f1"), v["cv"], strict=True))
        print(
            f"CHOSEN {name:14s} CV P {cvp['p']:.3f} R {cvp['r']:.3f} F1 {cvp['f1']:.3f}  {v.get('config', '')}"
        )
        print(
            "   per split P/R/F1: "
            + ", ".join(f"{sp} {p:.3f}/{r:.3f}/{f:.3f}" for sp, (p, r, f) in v["per_split"].items())
        )


def report(work: Path) -> None:
    rows, skills, index, names = setup(work)
    chosen = read(work / "chosen.json")
    models: dict[str, TextModel] = {}
    for v in chosen.values():
        if "config" in v:
            config = Config(**v["config"])
            if config.key not in models:
                t = time.perf_counter()
                models[config.key] = TextModel(config).fit(
                    *training_set(rows, index, skills, config)
                )
                print(f"trained {config.key} on all tuning in {time.perf_counter() - t:.0f} s")
    # the stacker on all tuning: out-of-fold model scores as its training features
    st_config = Config(**chosen["stacker"]["config"])
    s_oof = np.load(work / f"oof_{st_config.key}.npy")
    pairs, x, _ = stack_oof(s_oof, rows, index, names)
    gold_t = [set(r["topics"]) for r in rows]
    stacker = new_stacker().fit(x, np.array([t in gold_t[i] for i, t in pairs]))
    npos_all = label_matrix(rows, index).sum(axis=0)

    # --- from here on the unseen questions are read; nothing below is chosen ---
    unseen: list[dict[str, Any]] = read(work / "unseen.json")
    assert all(r["split"] in UNSEEN_SPLITS for r in unseen)
    gold = [set(r["topics"]) for r in unseen]
    keyword = [set(r["keyword"]) for r in unseen]
    texts = [r["question"] for r in unseen]
    preds: dict[str, list[set[str]]] = {"keyword": keyword}
    for name, v in chosen.items():
        if name == "keyword":
            continue
        model = models[Config(**v["config"]).key]
        s = model.scores(texts)
        rule = v["rule"]
        if name.startswith("model"):
            preds[name] = model_topics(s, names, rule["t"], rule["t_one"])
        elif name == "keyword+model":
            preds[name] = combined_topics(s, keyword, index, names, rule)
        else:
            u_pairs, u_x = candidates(s, unseen, index, names, npos_all)
            prob = stacker.predict_proba(u_x)[:, 1]
            preds[name] = stack_topics(u_pairs, prob, len(unseen), rule["threshold"])
    print(f"\n{'variant':14s} " + " ".join(f"{sp:>16s}" for sp in (*UNSEEN_SPLITS, "unseen")))
    for name, pred in preds.items():
        cells = []
        for sp in (*UNSEEN_SPLITS, "unseen"):
            idx = [i for i, r in enumerate(unseen) if sp in ("unseen", r["split"])]
            p, r, f = micro([pred[i] for i in idx], [gold[i] for i in idx])
            cells.append(f"{p:.3f}/{r:.3f}/{f:.3f}")
        print(f"{name:14s} " + " ".join(f"{c:>16s}" for c in cells))
    bootstrap(preds, gold)
    (work / "unseen_pred.json").write_text(
        json.dumps({k: [sorted(x) for x in v] for k, v in preds.items()})
    )

    # speed and size of the text model (one question at a time) and the stacker
    for key, model in models.items():
        t, cpu = time.perf_counter(), time.process_time()
        for q in texts:
            model.scores([q])
        ms = (time.perf_counter() - t) / len(texts) * 1000
        cpu_ms = (time.process_time() - cpu) / len(texts) * 1000
        blob = pickle.dumps((model.vectorizer, model.coef, model.intercept))
        pruned = model.coef.copy()
        pruned[np.abs(pruned) < 0.01] = 0
        csr = sparse.csr_matrix(pruned)
        sparse_bytes = csr.data.nbytes + csr.indices.nbytes + csr.indptr.nbytes
        vec_bytes = len(pickle.dumps(model.vectorizer))
        print(
            f"{key}: {ms:.2f} ms/question wall, {cpu_ms:.2f} CPU, {model.coef.shape[1]} features, pickled {len(blob) / 1e6:.1f} MB"
            f" (vectorizer {vec_bytes / 1e6:.1f} MB; weights with |w| >= 0.01 as sparse float32"
            f" {sparse_bytes / 1e6:.1f} MB)"
        )
    t, cpu = time.perf_counter(), time.process_time()
    for i in range(len(unseen)):
        u_pairs, u_x = candidates(
            models[st_config.key].scores([texts[i]]), unseen[i : i + 1], index, names, npos_all
        )
        stacker.predict_proba(u_x)
    ms = (time.perf_counter() - t) / len(texts) * 1000
    cpu_ms = (time.process_time() - cpu) / len(texts) * 1000
    print(
        f"stacker path (text model + candidates + gradient boosting): {ms:.2f} ms/question wall, {cpu_ms:.2f} CPU,"
        f" stacker pickled {len(pickle.dumps(stacker)) / 1e6:.2f} MB"
    )


def bootstrap(preds: dict[str, list[set[str]]], gold: list[set[str]], n: int = 2000) -> None:
    """Paired bootstrap over unseen questions: each variant's F1 minus the keyword reader's."""
    rng = np.random.default_rng(0)
    counts = {
        k: np.array([(len(p & g), len(p - g), len(g - p)) for p, g in zip(v, gold, strict=True)])
        for k, v in preds.items()
    }

    def f1(c: np.ndarray) -> np.ndarray:
        tp, fp, fn = c[..., 0], c[..., 1], c[..., 2]
        return 2 * tp / np.maximum(2 * tp + fp + fn, 1)

    idx = rng.integers(0, len(gold), size=(n, len(gold)))
    base = f1(counts["keyword"][idx].sum(axis=1))
    for k, c in counts.items():
        if k == "keyword":
            continue
        d = f1(c[idx].sum(axis=1)) - base
        lo, hi = np.percentile(d, [2.5, 97.5])
        print(f"{k:14s} F1 - keyword F1 on unseen: {d.mean():+.3f} (95% CI {lo:+.3f} .. {hi:+.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=("cv", "report"))
    parser.add_argument("--work-dir", type=Path, default=HERE / ".work")
    args = parser.parse_args()
    {"cv": cv, "report": report}[args.command](args.work_dir)


if __name__ == "__main__":
    sys.exit(main())
