"""Do the dense pretrained features (understanding.embeddings) help the linear text models
(understanding.linear)? Stratified k-fold cross-validation, TF-IDF alone against TF-IDF plus the
embedding vector at a few weights, on:

  - the NLU examples (data/nlu/*.yml): intent classification, macro-F1 and accuracy; and safety
    against everything else (an intent named `safety` or `safety_*`), read two ways: from the intent
    model's predictions, and from a model trained on safety kinds against "none" (the labels the
    project's safety classifier was trained on), recall and false-positive rate;
  - the safety layer's own examples (safety/data/*.yml, `examples: [{text, kind, speaker}]`), when
    they exist: kind classification, and speaker classification (speaker "unknown" left out).

Every example is predicted once by a model that did not see it (out-of-fold); the tables give the
metrics over those predictions, the mean over repeats with different fold splits (± their standard
deviation when repeated). Then the cost: load time, time per message, memory, pickled size.

    python -m understanding.measure_embeddings [--weights 0.5,1,2] [--folds 5] [--repeats 1] [--jobs 2]

Needs build/embeddings (bot/fetch_embeddings.sh). Trains folds x configurations models (about
25 s each on the NLU data): a few minutes.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from understanding.embeddings import TOKENIZER_FILE, WEIGHTS_FILE, Embeddings, default_directory
from understanding.linear import DEFAULT_EMBEDDING_WEIGHT, LinearTextModel

ROOT = Path(__file__).resolve().parents[1]
NONE = "none"


def is_safety(label: str) -> bool:
    return label == "safety" or label.startswith("safety_")


def nlu_examples(folder: Path) -> Tuple[List[str], List[str]]:
    """(texts, intents) exactly as the Rasa components are trained on them."""
    from rasa.shared.nlu.training_data.loading import load_data

    from understanding.component import examples

    return examples(load_data(str(folder)))


def safety_examples(folder: Path) -> List[dict]:
    import yaml

    out = []
    for path in sorted(folder.glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []:
            if str(item.get("text") or "").strip():
                out.append({"text": str(item["text"]).strip(), "kind": str(item.get("kind")),
                            "speaker": str(item.get("speaker"))})
    return out


# --- cross-validation ---------------------------------------------------------------------------
Config = Tuple[str, Optional[float]]  # (name, embedding weight or None for TF-IDF alone)


def _fold(texts: np.ndarray, labels: np.ndarray, train: np.ndarray, test: np.ndarray,
          weight: Optional[float], directory: Optional[str]) -> Tuple[np.ndarray, np.ndarray, float]:
    embeddings = None if weight is None else Embeddings.shared(directory)
    started = time.perf_counter()
    model = LinearTextModel(embeddings, weight if weight is not None else 1.0).fit(texts[train], labels[train])
    seconds = time.perf_counter() - started
    return test, model.pipeline.predict(list(texts[test])), seconds


def out_of_fold(texts: Sequence[str], labels: Sequence[str], weight: Optional[float], folds: int, seed: int,
                jobs: int, directory: Optional[str]) -> Tuple[np.ndarray, float]:
    """One prediction per example from a model trained without it; and the mean fit time."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    x, y = np.array(texts, dtype=object), np.array(labels, dtype=object)
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y)
    results = Parallel(n_jobs=jobs)(delayed(_fold)(x, y, train, test, weight, directory) for train, test in splits)
    predicted = np.empty(len(y), dtype=object)
    for test, guess, _ in results:
        predicted[test] = guess
    return predicted, statistics.mean(r[2] for r in results)


@dataclass
class Task:
    title: str
    texts: List[str]
    labels: List[str]
    # name -> metric(true, predicted), each a fraction
    metrics: Dict[str, Callable[[np.ndarray, np.ndarray], float]]


def classification_metrics() -> Dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    from sklearn.metrics import accuracy_score, f1_score

    return {"macro-F1": lambda t, p: f1_score(t, p, average="macro", zero_division=0),
            "accuracy": lambda t, p: accuracy_score(t, p)}


def binary_metrics(flag: Callable[[str], bool]) -> Dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    def recall(t, p):
        pos = np.array([flag(x) for x in t])
        return float(np.mean([flag(x) for x in p[pos]])) if pos.any() else float("nan")

    def fpr(t, p):
        neg = ~np.array([flag(x) for x in t])
        return float(np.mean([flag(x) for x in p[neg]])) if neg.any() else float("nan")

    return {"recall": recall, "FPR": fpr}


def run_task(task: Task, configs: Sequence[Config], folds: int, repeats: int, jobs: int,
             directory: Optional[str], extra: Optional[Dict[str, Dict[str, Callable]]] = None) -> None:
    """Prints one table: a row per configuration, a column per metric (and per extra reading of the
    same predictions, e.g. the intent model's predictions read as safety or not)."""
    extra = extra or {}
    columns = list(task.metrics) + [f"{metric} ({reading})" for reading, ms in extra.items() for metric in ms]
    counts = {label: task.labels.count(label) for label in set(task.labels)}
    print(f"\n## {task.title}\n{len(task.texts)} examples, {len(counts)} labels (smallest {min(counts.values())}); "
          f"{folds}-fold stratified CV x {repeats}\n")
    print("| features | " + " | ".join(columns) + " | fit s |")
    print("|---|" + "---|" * (len(columns) + 1))
    truth = np.array(task.labels, dtype=object)
    for name, weight in configs:
        scores: Dict[str, List[float]] = {c: [] for c in columns}
        fit_seconds = []
        for seed in range(repeats):
            predicted, seconds = out_of_fold(task.texts, task.labels, weight, folds, seed, jobs, directory)
            fit_seconds.append(seconds)
            for metric, fn in task.metrics.items():
                scores[metric].append(fn(truth, predicted))
            for reading, ms in extra.items():
                for metric, fn in ms.items():
                    scores[f"{metric} ({reading})"].append(fn(truth, predicted))
        cells = [_cell(scores[c]) for c in columns]
        print(f"| {name} | " + " | ".join(cells) + f" | {statistics.mean(fit_seconds):.1f} |", flush=True)


def _cell(values: List[float]) -> str:
    mean = 100 * statistics.mean(values)
    return f"{mean:.1f}" if len(values) == 1 else f"{mean:.1f} ± {100 * statistics.stdev(values):.1f}"


# --- cost ---------------------------------------------------------------------------------------
def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cost(directory: Optional[str], texts: List[str], labels: List[str], weight: float) -> None:
    print("\n## Cost\n")
    before = rss_mb()
    started = time.perf_counter()
    embeddings = Embeddings(directory)  # a fresh copy, not the shared one: its real load time
    print(f"- loading the embeddings: {time.perf_counter() - started:.2f} s, "
          f"resident memory +{rss_mb() - before:.0f} MB (table {embeddings.table.nbytes / 2**20:.0f} MB float16 "
          "plus the tokenizer's vocabulary and merges)")
    sample = texts[:500]
    started = time.perf_counter()
    for text in sample:
        embeddings.vectors([text])
    print(f"- one message's vector, first time: {1000 * (time.perf_counter() - started) / len(sample):.3f} ms")
    embeddings.tokenizer._word.cache_clear()
    started = time.perf_counter()
    embeddings.vectors(texts)
    print(f"- all {len(texts)} texts in one call: {time.perf_counter() - started:.2f} s")
    for name, emb in (("TF-IDF", None), (f"TF-IDF + embeddings x{weight:g}", embeddings)):
        model = LinearTextModel(emb, weight).fit(texts, labels)
        started = time.perf_counter()
        for text in sample:
            model.rank(text)
        per = 1000 * (time.perf_counter() - started) / len(sample)
        print(f"- {name}: rank() {per:.2f} ms per message; pickled model {len(pickle.dumps(model)) / 2**20:.1f} MB")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", default="0.5,1,2", help="embedding weights to try, comma-separated")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="fold splits (seeds 0..n-1), averaged")
    parser.add_argument("--jobs", type=int, default=2, help="folds trained at once")
    parser.add_argument("--embeddings", default=None, help="folder of the two files (default build/embeddings)")
    parser.add_argument("--nlu", type=Path, default=ROOT / "data" / "nlu")
    parser.add_argument("--safety-data", type=Path, default=ROOT / "safety" / "data")
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--cost-weight", type=float, default=DEFAULT_EMBEDDING_WEIGHT,
                        help="the embedding weight of the model timed in the cost section")
    args = parser.parse_args(argv)
    folder = Path(args.embeddings) if args.embeddings else default_directory()
    if not ((folder / WEIGHTS_FILE).is_file() and (folder / TOKENIZER_FILE).is_file()):
        print(f"no embeddings in {folder}: run bot/fetch_embeddings.sh", file=sys.stderr)
        return 1
    weights = [float(w) for w in args.weights.split(",") if w.strip()]
    configs: List[Config] = [("TF-IDF", None)] + [(f"TF-IDF + emb x{w:g}", w) for w in weights]
    run = dict(folds=args.folds, repeats=args.repeats, jobs=args.jobs, directory=args.embeddings)

    texts, intents = nlu_examples(args.nlu)
    if not args.skip_cost:  # first, while this process holds nothing else of size
        cost(args.embeddings, texts, intents, args.cost_weight)
    if not args.skip_nlu:
        safety_flag = binary_metrics(is_safety)
        run_task(Task(f"Intents ({args.nlu.relative_to(ROOT) if args.nlu.is_relative_to(ROOT) else args.nlu})",
                      texts, intents, classification_metrics()), configs, extra={"safety, intent model": safety_flag},
                 **run)
        kinds = [label if is_safety(label) else NONE for label in intents]
        run_task(Task("Safety against everything else, on the NLU examples (a model of safety intents vs 'none')",
                      texts, kinds, binary_metrics(lambda label: label != NONE)), configs, **run)

    examples = safety_examples(args.safety_data) if args.safety_data.is_dir() else []
    if examples:
        run_task(Task("Safety data: kind", [e["text"] for e in examples], [e["kind"] for e in examples],
                      classification_metrics()), configs, extra={"harm vs none": binary_metrics(lambda k: k != NONE)},
                 **run)
        spoken = [e for e in examples if e["speaker"] != "unknown"]
        run_task(Task("Safety data: speaker (speaker 'unknown' left out)", [e["text"] for e in spoken],
                      [e["speaker"] for e in spoken], classification_metrics()), configs, **run)
    else:
        print(f"\n(no safety examples in {args.safety_data}: kind and speaker not measured)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
