"""Fit the query adapter (adapter.json): a low-rank linear map on the question's dense embedding.

    python -m assistant.fit_adapter --out assistant/adapter.json [--cache DIR] [--covid-only]

Each training question's embedding ``q`` becomes ``normalize(q + q Δ)``; Δ is fitted so that the
sentences answering it win a softmax (at ``temperature``) over all sentences of its own document,
whose other sentences, the nearest first, are the negatives; ``l2`` pulls Δ toward zero (the map
toward the identity). L-BFGS from Δ = 0 (deterministic), then Δ is cut to its ``rank`` leading
singular directions, ``U Vᵀ``. Sentence vectors are those stored in the indexes, never re-embedded.

Training questions: by default only the answerable questions of the embedded paper's fit-only file,
gold_abstain_fit.jsonl (41, never reported on). The adapter memorises the questions it is fitted on
(their answering sentence comes first by dense score: R@1 1.0 in sample on the paper; R@5 0.90 in
sample against 0.70 held out on COVID-QA), so it is fitted on nothing the other fits read: the dev
files (fit_ranker, fit_joining, fit_confidence, and `assistant eval` reports them) and the 81 COVID-QA
training papers (the same fits) are reported instead, out of sample (``--check``, and every COVID-QA
paper). ``--train-covid`` adds the COVID-QA papers to the training (``paper_weight`` then weighs each
paper question against them); ``--paper`` with no file and ``--train-covid`` fits on COVID-QA alone.
Never fitted on: the validation, held-out, reader and blind files. The report gives dense
R@1/R@5/MRR of the answering sentence before and after: cross-validated on the training questions
(COVID-QA papers held out whole, the paper's questions by fold), and on what it was not fitted on.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.adapter import Adapter, adapt, adapter_to_json
from assistant.results import Output

ADAPTER_OUTPUT = Output("a query adapter written by fit_adapter", (frozenset({"format", "rank", "u", "v"}),))
PAPER_FILES = ("gold_abstain_fit.jsonl",)  # under source/
CHECK_FILES = ("gold.jsonl", "gold_reader_dev.jsonl")


@dataclass(frozen=True)
class Group:
    """One document's training questions: their embeddings and which sentences answer each."""

    document: str
    sentences: np.ndarray  # (n, d) the document's stored sentence vectors
    questions: np.ndarray  # (m, d) question embeddings
    positive: np.ndarray  # (m, n) bool: the sentence answers the question
    weight: float = 1.0  # of each question in the loss

    def subset(self, rows: np.ndarray) -> "Group":
        return replace(self, questions=self.questions[rows], positive=self.positive[rows])


@dataclass(frozen=True)
class FitSettings:
    # chosen on the dev files, out of sample (dense R@1/R@5/MRR; flat over temperature 0.03-0.1, l2 0.01-1,
    # rank 16-64), never on validation figures; paper_weight matters only with --train-covid
    temperature: float = 0.05
    l2: float = 0.1  # times the squared Frobenius norm of Δ
    rank: int = 16
    paper_weight: float = 10.0
    folds: int = 5
    max_iterations: int = 200


def objective(delta: np.ndarray, groups: Sequence[Group], temperature: float, l2: float) -> tuple[float, np.ndarray]:
    """Weighted mean over questions of -log(softmax mass on the answering sentences), plus
    ``l2 * |Δ|²``; and its gradient in Δ (d, d)."""
    total, grad = 0.0, 2 * l2 * delta
    weights = sum(g.weight * len(g.questions) for g in groups)
    for g in groups:
        moved = g.questions + g.questions @ delta
        norm = np.linalg.norm(moved, axis=1, keepdims=True)
        unit = moved / norm
        logits = unit @ g.sentences.T / temperature
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        on_positive = np.where(g.positive, p, 0.0)
        mass = on_positive.sum(axis=1, keepdims=True)
        total -= g.weight * float(np.log(mass).sum())
        d_logits = g.weight * (p - on_positive / mass) / weights
        d_unit = d_logits @ g.sentences / temperature
        d_moved = (d_unit - (d_unit * unit).sum(axis=1, keepdims=True) * unit) / norm
        grad = grad + g.questions.T @ d_moved
    return total / weights + l2 * float((delta ** 2).sum()), grad


def fit_delta(groups: Sequence[Group], settings: FitSettings) -> np.ndarray:
    from scipy.optimize import minimize

    d = groups[0].questions.shape[1]
    found = minimize(lambda flat: _flat(objective(flat.reshape(d, d), groups, settings.temperature, settings.l2)),
                     np.zeros(d * d), jac=True, method="L-BFGS-B", options={"maxiter": settings.max_iterations})
    return found.x.reshape(d, d)


def _flat(value: tuple[float, np.ndarray]) -> tuple[float, np.ndarray]:
    return value[0], value[1].ravel()


def low_rank(delta: np.ndarray, rank: int) -> Adapter:
    """Δ's best rank-``rank`` approximation as ``U Vᵀ`` (singular values split evenly)."""
    left, values, right = np.linalg.svd(delta)
    root = np.sqrt(values[:rank])
    return Adapter((left[:, :rank] * root).astype(np.float32), (right[:rank].T * root).astype(np.float32))


def fit(groups: Sequence[Group], settings: FitSettings = FitSettings()) -> Adapter:
    return low_rank(fit_delta(groups, settings), settings.rank)


def ranks(group: Group, adapter: Adapter | None = None) -> np.ndarray:
    """Per question, the dense rank (1 = first) of its best-scored answering sentence."""
    questions = group.questions if adapter is None else adapt(group.questions, adapter.u, adapter.v)
    scores = questions @ group.sentences.T
    best = np.where(group.positive, scores, -np.inf).max(axis=1, keepdims=True)
    return 1 + (scores > best).sum(axis=1)


def recall(found: np.ndarray) -> dict:
    found = np.asarray(found)
    return {"questions": int(len(found)), "r1": round(float((found == 1).mean()), 3),
            "r5": round(float((found <= 5).mean()), 3), "mrr": round(float((1.0 / found).mean()), 3)}


def split(groups: Sequence[Group], fold: int, folds: int) -> tuple[list[Group], list[Group]]:
    """(train, test) for one fold: COVID-QA papers are held out whole (every ``folds``-th); the
    paper's groups are held out by question (every ``folds``-th question)."""
    train: list[Group] = []
    test: list[Group] = []
    others = [g for g in groups if not on_paper(g)]
    for n, g in enumerate(others):
        (test if n % folds == fold else train).append(g)
    for g in groups:
        if on_paper(g):
            held = np.arange(len(g.questions)) % folds == fold
            train.append(g.subset(~held))
            test.append(g.subset(held))
    return train, test


def cross_validate(groups: Sequence[Group], settings: FitSettings, progress=print) -> dict:
    """Dense recall of the answering sentence before and after, on held-out questions, by part
    ("covid": held-out papers; each paper file by its name)."""
    before: dict[str, list] = {}
    after: dict[str, list] = {}
    for fold in range(settings.folds):
        train, test = split(groups, fold, settings.folds)
        adapter = fit(train, settings)
        for g in test:
            part = g.document if on_paper(g) else "covid"
            before.setdefault(part, []).append(ranks(g))
            after.setdefault(part, []).append(ranks(g, adapter))
        progress(f"fold {fold + 1}/{settings.folds} done")
    return {part: {"before": recall(np.concatenate(before[part])), "after": recall(np.concatenate(after[part]))}
            for part in before}


def group(document: str, sentences: np.ndarray, spans, encoder, questions, weight: float = 1.0) -> Group | None:
    """The group of ``questions`` (question, gold spans[, retrieval context]) on one indexed document;
    questions whose gold overlaps no sentence are left out (None when none is left)."""
    from assistant.engine import clean_question
    from assistant.fit_ranker import is_positive

    texts, rows = [], []
    for question, gold, *context in questions:
        question = clean_question(question)
        row = [is_positive(s, gold, 0.5) for s in spans]
        if any(row):
            texts.append(f"{context[0]} {question}" if context and context[0] else question)
            rows.append(row)
    if not texts:
        return None
    return Group(document, np.asarray(sentences, dtype=np.float64), np.asarray(encoder.encode(texts), dtype=np.float64),
                 np.array(rows, dtype=bool), weight)


def collect(cache: Path, *, paper_files: Sequence[Path], covid_file: Path, covid_limit: int | None = None,
            paper_weight: float = 10.0, check_files: Sequence[Path] = (), progress=print) -> tuple[list[Group], list[Group]]:
    """(training, checks): the groups of the embedded paper's fit files and the cached COVID-QA paper
    indexes; and those of the ``check_files`` (reported, never fitted on)."""
    from assistant.encoder import OnnxEncoder
    from assistant.errors import AssistantError
    from assistant.fit_ranker import project_gold, split_covid, squad_gold
    from assistant.index import load_index
    from assistant.paper import open_index

    encoder = OnnxEncoder()
    parts: tuple[list[Group], list[Group]] = ([], [])
    if paper_files or check_files:
        paper = open_index(None)
        vectors, spans = _sentences(paper)
        for files, out in ((paper_files, parts[0]), (check_files, parts[1])):
            for path in files:
                found = group(f"paper:{Path(path).name}", vectors, spans, encoder,
                              project_gold(path, paper.document.source), paper_weight)
                if found is not None:
                    out.append(found)
                    progress(f"paper {Path(path).name}: {len(found.questions)} questions")
    for squad_file in split_covid(covid_file, cache)[:covid_limit]:
        try:
            index = load_index(Path(cache) / "indexes" / squad_file.stem)
        except AssistantError as exc:  # not built, or built by an older format: skipped, said why
            progress(f"{squad_file.stem}: skipped ({exc})")
            continue
        vectors, spans = _sentences(index)
        found = group(squad_file.stem, vectors, spans, encoder, squad_gold(squad_file, index.document.source))
        if found is not None:
            parts[0].append(found)
    progress(f"COVID-QA: {sum(len(g.questions) for g in parts[0] if not on_paper(g))} questions")
    return parts


def not_fitted_on(checks: Sequence[Group], adapter: Adapter) -> dict:
    """Dense recall before and after on the paper's check files one by one, and on the COVID-QA papers together."""
    parts: dict[str, list[Group]] = {}
    for g in checks:
        parts.setdefault(g.document if on_paper(g) else "covid", []).append(g)
    return {f"{part} (not fitted on)": {"before": recall(np.concatenate([ranks(g) for g in found])),
                                         "after": recall(np.concatenate([ranks(g, adapter) for g in found]))}
            for part, found in parts.items()}


def on_paper(g: Group) -> bool:
    return g.document.startswith("paper:")


def _sentences(index) -> tuple[np.ndarray, list[tuple[int, int]]]:
    dense = index.dense["sentences"]
    return dense.reconstruct_n(0, dense.ntotal), [(s.start, s.end) for s in index.document.sentences]


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json
    import sys

    from assistant import paths
    from assistant.errors import AssistantError
    from assistant.fit_ranker import COVID_TRAIN
    from assistant.gold import VALIDATION, report_only
    from assistant.results import check_output_path, write_text_atomic

    defaults = FitSettings()
    parser = argparse.ArgumentParser(prog="python -m assistant.fit_adapter", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Where to write the adapter JSON (e.g. assistant/adapter.json).")
    parser.add_argument("--cache", type=Path, default=None, help="Folder holding the COVID-QA papers' indexes, as "
                        "fit_ranker builds them (default <data>/fit-cache/ranker).")
    parser.add_argument("--covid", type=Path, default=COVID_TRAIN, help="COVID-QA training file (SQuAD schema).")
    parser.add_argument("--limit", type=int, default=None, help="Use at most the first N COVID-QA papers.")
    parser.add_argument("--paper", type=Path, nargs="*", default=[paths.source_dir() / p for p in PAPER_FILES],
                        help="Gold files on the embedded paper to fit on (default: the fit-only file).")
    parser.add_argument("--check", type=Path, nargs="*", default=[paths.source_dir() / p for p in CHECK_FILES],
                        help="Gold files on the embedded paper to report on, never fitted on (default: the dev files).")
    parser.add_argument("--train-covid", action="store_true", help="Also fit on the COVID-QA papers (the ranker, "
                        "joining and confidence fits then read memorised questions: see above).")
    for name in ("temperature", "l2", "paper_weight"):
        parser.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(defaults, name))
    parser.add_argument("--rank", type=int, default=defaults.rank)
    parser.add_argument("--no-cv", action="store_true", help="Skip the cross-validation report.")
    args = parser.parse_args(argv)
    try:
        refused = [str(p) for p in args.paper if report_only(p) or Path(p).name in VALIDATION]
        refused += [str(p) for p in args.check if report_only(p) or Path(p).name in VALIDATION]
        if refused:
            raise AssistantError(f"{refused[0]} is held out or validation: never fitted on")
        if not 1 <= args.rank <= 384 or args.temperature <= 0 or args.l2 < 0 or args.paper_weight <= 0:
            raise AssistantError("--rank must be 1-384, --temperature and --paper-weight above 0, --l2 at least 0")
        check_output_path(args.out, ADAPTER_OUTPUT, "--out")
        settings = FitSettings(args.temperature, args.l2, args.rank, args.paper_weight)
        cache = args.cache or paths.home() / "fit-cache" / "ranker"
        training, checks = collect(cache, paper_files=args.paper, covid_file=args.covid, covid_limit=args.limit,
                                   paper_weight=settings.paper_weight, check_files=args.check,
                                   progress=lambda m: print(m, file=sys.stderr))
        if not args.train_covid:  # the COVID-QA papers become checks: transfer to other documents
            checks += [g for g in training if not on_paper(g)]
            training = [g for g in training if on_paper(g)]
        if not training:
            raise AssistantError(f"no training questions found (COVID-QA indexes under {cache}/indexes?)")
        report = {} if args.no_cv else {f"{part} (cv)": v for part, v in cross_validate(training, settings).items()}
        adapter = fit(training, settings)
        report.update(not_fitted_on(checks, adapter))
        model = adapter_to_json(adapter, settings=asdict(settings), documents=len({g.document for g in training}),
                                questions=int(sum(len(g.questions) for g in training)), report=report)
        write_text_atomic(args.out, json.dumps(model) + "\n", ADAPTER_OUTPUT, "--out")  # compact: 2 x 384 x rank numbers
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: rank {settings.rank}, {model['questions']} questions on {model['documents']} documents")
    for part, figures in report.items():
        print(f"  {part}: dense {figures['before']} -> {figures['after']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
