"""Fit the sentence ranker (ranker.json) on many documents; report cross-validation grouped by document.

    python -m assistant.fit_ranker --out assistant/ranker.json [--cache DIR]

Training documents: the 81 COVID-QA papers of ``covidqa_train.json`` (each indexed once with
the real model into ``--cache``, outside the repository; ``--build`` indexes missing ones) and
the embedded paper with the dev gold ``source/gold.jsonl``. Never fitted on: the held-out and
reader gold files, the two COVID-QA report papers and the SQuAD articles. ``--save-examples``
keeps the computed candidate features as JSON lines and ``--examples`` fits on such a file
(with the paper's examples computed afresh). The report inside the JSON gives in-sample and
GroupKFold-by-document figures, beside the hand-set ranking and selection it would replace.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from assistant.gold import report_only
from assistant.ranker import BASE_FEATURES, ENTITY_FEATURES, FEATURES, PASSAGE_FEATURES, Rule, pick
from assistant.results import Output

if TYPE_CHECKING:
    from assistant.encoder import Encoder

# The shared external data beside the project's checkout (../shared/external; see its README).
EXTERNAL = Path(__file__).resolve().parent.parent.parent / "shared" / "external"
COVID_TRAIN = EXTERNAL / "covid_qa" / "covidqa_train.json"
# what --out and --save-examples replace: their own earlier output, nothing else (results.Output)
RANKER_OUTPUT = Output("a ranker model written by fit_ranker", (frozenset({"format", "features", "coef", "rule"}),))
EXAMPLES_OUTPUT = Output("examples saved by fit_ranker", (frozenset({"document", "question", "x", "positive"}),), lines=True)


def split_covid(train_file: Path, cache: Path) -> list[Path]:
    """One SQuAD file per paper of ``train_file`` under ``cache/covid``; written once."""
    from assistant.errors import InputError
    from assistant.results import write_bytes_atomic

    data = json.loads(Path(train_file).read_text(encoding="utf-8"))["data"]
    out_dir = Path(cache) / "covid"
    out_dir.mkdir(parents=True, exist_ok=True)  # the fit's own cache
    paths = []
    for n, article in enumerate(data):
        path = out_dir / f"covid{n:03d}.json"
        if not path.is_file():  # whole or not at all: a full disk or a kill leaves no part of one
            write_bytes_atomic(path, json.dumps({"data": [article]}).encode("utf-8"))
        elif not _one_article(path):
            raise InputError(f"{path} is not one article of the COVID-QA file (cut short?); remove it to split the file again")
        paths.append(path)
    return paths


def _one_article(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and isinstance(data.get("data"), list) and len(data["data"]) == 1


def cached_index(squad_file: Path, cache: Path, encoder: Encoder | None = None) -> Path:
    """The index of one SQuAD file under ``cache/indexes``, built with the real model when missing."""
    from assistant.index import problems, upgrade
    from assistant.squad import index_squad

    workdir = Path(cache) / "indexes"
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / squad_file.stem
    if not target.is_dir() or (not upgrade(target) and problems(target)):
        index_squad(squad_file, workdir, encoder=encoder)
    return target


@dataclass(frozen=True)
class Example:
    """One answerable question on one document: its candidates' features and labels."""

    document: str
    question: str
    ids: np.ndarray  # candidate sentence ids
    x: np.ndarray
    positive: np.ndarray  # bool per candidate
    spans: tuple[tuple[int, int], ...]  # sentence (start, end) per candidate
    words: np.ndarray  # words per candidate
    paragraphs: np.ndarray  # paragraph id per candidate
    companions: tuple  # per candidate: (replaces the selection, spans, words) of what it brings when best
    gold: tuple[tuple[int, int], ...]  # gold answer/evidence spans in the source
    baseline_hit: bool  # the hand-set ranking and selection this ranker replaces
    baseline_words: int
    baseline_top: bool  # the hand-set ranking's best sentence is positive


@dataclass(frozen=True)
class FitSettings:
    folds: int = 5  # GroupKFold over documents
    l2_c: float = 1.0  # sklearn LogisticRegression C (inverse L2 strength)
    max_median_words: float = 40.0  # rule: answers' median length may not exceed this (issue 10 asks <= 40)
    ratios: tuple[float, ...] = (1.01, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)  # grid for near and far
    max_sentences: int = 3  # never more sentences than this (besides lists and discourse neighbours)
    min_overlap: float = 0.5  # a sentence is positive when it overlaps this share of the shorter of it and a gold span


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def is_positive(sentence: tuple[int, int], gold: Sequence[tuple[int, int]], min_overlap: float) -> bool:
    return any(overlap(sentence, g) >= min_overlap * min(sentence[1] - sentence[0], g[1] - g[0]) > 0 for g in gold)


def covers(selected: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]], share: float = 0.6) -> bool:
    """The evaluation's rule: the selected spans cover ``share`` of some gold span's characters."""
    for g in gold:
        inside = sum(overlap(s, g) for s in selected)
        if g[1] > g[0] and inside >= share * (g[1] - g[0]):
            return True
    return False


def locate_answer(source: str, answer: str, expected: int) -> tuple[int, int] | None:
    """The occurrence of ``answer`` in ``source`` nearest ``expected`` (COVID-QA offsets may be 1-2 off)."""
    answer = answer.strip()
    if not answer:
        return None
    best, start = None, source.find(answer)
    while start >= 0:
        if best is None or abs(start - expected) < abs(best - expected):
            best = start
        start = source.find(answer, start + 1)
    return None if best is None else (best, best + len(answer))


def squad_gold(squad_file: Path, source: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """Answerable questions of a one-article SQuAD file with their answer spans in ``source``."""
    data = json.loads(Path(squad_file).read_text(encoding="utf-8"))["data"]
    out = []
    cursor = 0
    for article in data:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            at = source.find(context.strip(), cursor)
            if at < 0:
                continue
            shift = at - (len(context) - len(context.lstrip()))
            cursor = at
            for qa in paragraph["qas"]:
                if qa.get("is_impossible"):
                    continue
                located = [locate_answer(source, a["text"], shift + int(a["answer_start"])) for a in qa.get("answers", [])]
                spans = tuple(s for s in located if s is not None)
                if spans:
                    out.append((qa["question"], spans))
    return out


def project_gold(gold_file: Path, source: str) -> list[tuple[str, tuple[tuple[int, int], ...], str | None]]:
    """Answerable questions of a project gold file with their evidence spans in ``source`` and their
    retrieval context (a follow-up's, built as the evaluation builds it; None for the others)."""
    from assistant.evaluate import follow_up_contexts
    from assistant.gold import load_gold
    from assistant.matching import SourceMap

    source_map = SourceMap(source)
    gold = load_gold(gold_file)
    contexts = follow_up_contexts(gold)
    out = []
    for item in gold:
        if not item.answerable:
            continue
        spans = tuple((occ[0], occ[-1] + 1) for quote in item.evidence for occ in source_map.locate(quote).occurrences if occ)
        if spans:
            out.append((item.question, spans, contexts[item.id]))
    return out


def examples(assistant, name: str, questions, settings: FitSettings = FitSettings()) -> list[Example]:
    """Candidate features and labels of every question (question, gold spans[, retrieval context]) on
    one indexed document."""
    from assistant import answer as extract
    from assistant.engine import clean_question

    doc = assistant.document
    out = []
    for question, gold, *context in questions:
        question = clean_question(question)
        query = assistant.query(f"{context[0]} {question}" if context and context[0] else question)
        found = assistant.candidates(question, query)
        spans = tuple((doc.sentences[i].start, doc.sentences[i].end) for i in found.ids)
        positive = np.array([is_positive(s, gold, settings.min_overlap) for s in spans], dtype=bool)
        fused = found.fused
        mask = extract.candidate_mask(doc, question)
        chosen = extract.select_sentences(doc, fused.sentence_fused, mask).sentence_ids
        chosen_spans = [(doc.sentences[i].start, doc.sentences[i].end) for i in chosen]
        out.append(Example(
            name, question, found.ids, found.x, positive, spans, assistant._ranker_layout.words[found.ids],
            assistant._ranker_layout.paragraph[found.ids], tuple(_companions(doc, assistant._ranker_layout, int(i)) for i in found.ids),
            tuple(gold),
            covers(chosen_spans, gold), int(sum(assistant._ranker_layout.words[i] for i in chosen)),
            is_positive(_span(doc, int(np.argmax(np.where(mask, fused.sentence_fused, -np.inf)))), gold, settings.min_overlap),
        ))
    return out


# -- fitting ------------------------------------------------------------------------------


def fit_logistic(batch: Sequence[Example], settings: FitSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Standardised L2 logistic regression (scikit-learn); each question weighs the same in total.

    Returns (mean, scale, coef, intercept) so that p = sigmoid(((x - mean) / scale) @ coef + intercept).
    """
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([e.x for e in batch])
    y = np.concatenate([e.positive for e in batch]).astype(int)
    weight = np.concatenate([np.full(len(e.ids), 1.0 / len(e.ids)) for e in batch])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    model = LogisticRegression(C=settings.l2_c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=weight * len(batch) / weight.sum())
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def outcome(example: Example, probabilities: np.ndarray, rule: Rule) -> tuple[bool, bool, int]:
    """(top candidate positive, answer covers the gold, answer words) for one question, with the
    best sentence's list or discourse neighbours added as the engine adds them."""
    if len(example.ids) == 0:
        return False, False, 0
    picked = pick(example.ids, example.paragraphs, probabilities, rule)
    listing, spans, words = example.companions[picked[0]]
    chosen = {example.spans[picked[0]]: int(example.words[picked[0]])}
    chosen.update(zip(spans, words))
    for i in picked[1:] if not listing else ():
        if len(chosen) >= rule.max_sentences:
            break
        chosen.setdefault(example.spans[i], int(example.words[i]))
    return bool(example.positive[picked[0]]), covers(list(chosen), example.gold), sum(chosen.values())


def choose_rule(batch: Sequence[Example], probabilities: Sequence[np.ndarray], settings: FitSettings) -> Rule:
    """Among near/far ratio pairs, the one whose answers hold the gold most often while their median
    length stays within ``max_median_words`` (fewer words break ties)."""
    scored = {}
    for near in settings.ratios:
        for far in settings.ratios:
            if far < near:
                continue
            rule = Rule(near, far, settings.max_sentences)
            rows = [outcome(e, p, rule) for e, p in zip(batch, probabilities)]
            scored[rule] = (float(np.mean([r[1] for r in rows])), float(np.median([r[2] for r in rows])))
    allowed = [r for r, (_, words) in scored.items() if words <= settings.max_median_words] or list(scored)
    return max(allowed, key=lambda r: (scored[r][0], -scored[r][1]))


def metrics(batch: Sequence[Example], probabilities: Sequence[np.ndarray], rules: Sequence[Rule]) -> dict:
    rows = [outcome(e, p, r) for e, p, r in zip(batch, probabilities, rules)]
    return {
        "questions": len(batch),
        "top1_positive": round(float(np.mean([r[0] for r in rows])), 4),
        "selection_hit": round(float(np.mean([r[1] for r in rows])), 4),
        "median_words": float(np.median([r[2] for r in rows])),
        "handset_top1_positive": round(float(np.mean([e.baseline_top for e in batch])), 4),
        "handset_hit": round(float(np.mean([e.baseline_hit for e in batch])), 4),
        "handset_median_words": float(np.median([e.baseline_words for e in batch])),
        "candidate_recall": round(float(np.mean([bool(e.positive.any()) for e in batch])), 4),
    }


def cross_validate(batch: Sequence[Example], settings: FitSettings) -> dict:
    """GroupKFold by document: fit on the other documents (model and rule), score each held-out document."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([e.document for e in batch])
    folds = min(settings.folds, len(set(groups.tolist())))
    if folds < 2:
        return {"folds": 0, "note": "one document: nothing to cross-validate by document"}
    predicted: list = [None] * len(batch)
    rules: list = [None] * len(batch)
    chosen = []
    for train, test in GroupKFold(n_splits=folds).split(np.zeros(len(batch)), groups=groups):
        fitted = fit_logistic([batch[i] for i in train], settings)
        rule = choose_rule([batch[i] for i in train], [_predict(batch[i].x, fitted) for i in train], settings)
        chosen.append(asdict(rule))
        for i in test:
            predicted[i], rules[i] = _predict(batch[i].x, fitted), rule
    paper = [i for i in range(len(batch)) if groups[i] == "paper"]
    report = {"folds": folds, "grouped_by": "document", "rules": chosen, "all": metrics(batch, predicted, rules)}
    if paper:
        report["paper"] = metrics([batch[i] for i in paper], [predicted[i] for i in paper], [rules[i] for i in paper])
    return report


def _predict(x: np.ndarray, fitted) -> np.ndarray:
    from assistant.abstain import sigmoid

    mean, scale, coef, intercept = fitted
    return sigmoid(((x - mean) / scale) @ coef + intercept)


def fit(batch: Sequence[Example], settings: FitSettings = FitSettings(), names: tuple[str, ...] = BASE_FEATURES) -> dict:
    """The model JSON: coefficients over the features ``names`` (a ranker.FEATURE_SETS set) fitted on
    every example, the rule chosen on them, CV report."""
    batch = select(batch, names)
    fitted = fit_logistic(batch, settings)
    probabilities = [_predict(e.x, fitted) for e in batch]
    rule = choose_rule(batch, probabilities, settings)
    mean, scale, coef, intercept = fitted
    documents = sorted({e.document for e in batch})
    return {
        "format": 1,
        "model": "logistic regression (scikit-learn), standardised features",
        "features": list(names),
        "mean": _rounded(mean), "scale": _rounded(scale), "coef": _rounded(coef), "intercept": round(intercept, 6),
        "rule": asdict(rule),
        "fitted_on": {"documents": len(documents), "questions": len(batch),
                      "names": documents},
        "in_sample": metrics(batch, probabilities, [rule] * len(batch)),
        "cv": cross_validate(batch, settings),
        "cv_without": {name: _summary(cross_validate(without(batch, prefixes, names), settings))
                       for name, prefixes in ABLATIONS.items() if any(n.startswith(prefixes) for n in names)},
        "settings": asdict(settings),
    }


# Feature groups whose worth the report shows (the same CV with their columns held at 0): name -> name prefixes.
ABLATIONS: dict[str, tuple[str, ...]] = {"maxsim": ("maxsim",), "passage": PASSAGE_FEATURES,
                                         "entity": ENTITY_FEATURES}


def feature_set(passage: bool, entity: bool) -> tuple[str, ...]:
    """The ranker.FEATURE_SETS member with or without PASSAGE_FEATURES and ENTITY_FEATURES."""
    return (*BASE_FEATURES, *(PASSAGE_FEATURES if passage else ()), *(ENTITY_FEATURES if entity else ()))


def select(batch: Sequence[Example], names: tuple[str, ...]) -> list[Example]:
    """``batch`` with only the columns of the features ``names`` (examples hold every column of FEATURES)."""
    from dataclasses import replace

    if tuple(names) == FEATURES:
        return list(batch)
    columns = [FEATURES.index(name) for name in names]
    return [replace(e, x=e.x[:, columns]) for e in batch]


def without(batch: Sequence[Example], prefix: str | tuple[str, ...], names: tuple[str, ...] = FEATURES) -> list[Example]:
    """``batch`` (columns ``names``) with the features named ``prefix...`` (any of them) held at 0 (a
    constant column the fit ignores)."""
    from dataclasses import replace

    columns = [i for i, name in enumerate(names) if name.startswith(prefix)]
    out = []
    for e in batch:
        x = e.x.copy()
        x[:, columns] = 0.0
        out.append(replace(e, x=x))
    return out


def _summary(report: dict) -> dict:
    keys = ("top1_positive", "selection_hit", "median_words")
    return {part: {k: report[part][k] for k in keys} for part in ("all", "paper") if part in report}


def _companions(doc, lay, sid: int) -> tuple[bool, tuple[tuple[int, int], ...], tuple[int, ...]]:
    from assistant.answer import companions_of

    listing, ids = companions_of(doc, sid)
    return listing, tuple(_span(doc, i) for i in ids), tuple(int(lay.words[i]) for i in ids)


def _span(doc, sid: int) -> tuple[int, int]:
    return doc.sentences[sid].start, doc.sentences[sid].end


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def load_examples(path: Path) -> list[Example]:
    """Examples saved as JSON lines by ``save_examples`` (features computed once, e.g. by an earlier index format)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        out.append(Example(
            row["document"], row["question"], np.asarray(row["ids"], np.int64),
            np.asarray(row["x"], np.float64).reshape(len(row["ids"]), -1), np.asarray(row["positive"], bool),
            tuple(tuple(s) for s in row["spans"]), np.asarray(row["words"], np.float64),
            np.asarray(row["paragraphs"], np.int64),
            tuple((bool(c[0]), tuple(tuple(s) for s in c[1]), tuple(c[2])) for c in row["companions"]),
            tuple(tuple(g) for g in row["gold"]), bool(row["baseline_hit"]), int(row["baseline_words"]),
            bool(row["baseline_top"]),
        ))
    return out


def save_examples(batch: Sequence[Example], path: Path) -> None:
    """One JSON line per example, written atomically (a new file or over examples saved before)."""
    from assistant.results import write_text_atomic

    write_text_atomic(path, "".join(json.dumps({
        "document": e.document, "question": e.question, "ids": e.ids.tolist(), "x": np.round(e.x, 6).tolist(),
        "positive": e.positive.tolist(), "spans": e.spans, "words": e.words.tolist(),
        "paragraphs": e.paragraphs.tolist(), "companions": e.companions, "gold": e.gold,
        "baseline_hit": bool(e.baseline_hit), "baseline_words": int(e.baseline_words),
        "baseline_top": bool(e.baseline_top)}) + "\n" for e in batch), EXAMPLES_OUTPUT, "--save-examples")


def collect(cache: Path, *, gold_file: Path, covid_file: Path = COVID_TRAIN, covid_limit: int | None = None,
            build: bool = False, progress=print, with_gold: Sequence[Path] = ()) -> list[Example]:
    """Examples from the embedded paper (dev gold, plus the ``with_gold`` files) and from the cached
    COVID-QA paper indexes."""
    from assistant.encoder import OnnxEncoder
    from assistant.engine import Assistant
    from assistant.errors import AssistantError
    from assistant.index import load_index
    from assistant.paper import open_index

    encoder = OnnxEncoder()
    paper = Assistant(open_index(None), encoder)
    batch = [e for path in (gold_file, *with_gold) for e in examples(paper, "paper", project_gold(path, paper.document.source))]
    progress(f"paper: {len(batch)} questions")
    files = split_covid(covid_file, cache)[:covid_limit]
    for squad_file in files:
        index_dir = Path(cache) / "indexes" / squad_file.stem
        if build:
            cached_index(squad_file, cache)
        if not index_dir.is_dir():
            continue
        try:
            assistant = Assistant(load_index(index_dir), encoder)
        except AssistantError as exc:  # not built, or built by an older format: skipped, said why
            progress(f"{squad_file.stem}: skipped ({exc})")
            continue
        found = examples(assistant, squad_file.stem, squad_gold(squad_file, assistant.document.source))
        batch += found
        progress(f"{squad_file.stem}: {len(found)} questions")
    return batch


def add_training_options(parser, model_file: str, cache: str, gold: str = "source/gold.jsonl") -> None:
    """The options of a command fitted on the dev gold and the COVID-QA papers (also fit_confidence,
    fit_joining). ``--cache`` defaults to ``<data>/fit-cache/<cache>``, in the tool's own data folder;
    ``gold`` names the default of ``--gold`` in its help."""
    parser.add_argument("--out", type=Path, required=True, help=f"Where to write the model JSON (e.g. assistant/{model_file}).")
    parser.add_argument("--cache", type=Path, default=None,
                        help=f"Folder for the COVID-QA papers' indexes (default <data>/fit-cache/{cache}).")
    parser.add_argument("--gold", type=Path, default=None, help=f"Project gold file to fit on (default {gold}).")
    parser.add_argument("--covid", type=Path, default=COVID_TRAIN, help="COVID-QA training file (SQuAD schema).")
    parser.add_argument("--limit", type=int, default=None, help="Use at most the first N COVID-QA papers.")
    parser.add_argument("--build", action="store_true", help="Index COVID-QA papers missing from the cache (slow).")


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    from assistant import paths
    from assistant.errors import AssistantError
    from assistant.results import check_output_path, write_json_atomic

    parser = argparse.ArgumentParser(prog="python -m assistant.fit_ranker", description=__doc__.splitlines()[0])
    add_training_options(parser, "ranker.json", "ranker")
    parser.add_argument("--examples", type=Path, default=None,
                        help="Fit on the examples saved in this JSONL file instead of the cached COVID-QA indexes.")
    parser.add_argument("--save-examples", type=Path, default=None, help="Also save the examples collected here.")
    parser.add_argument("--passage-features", action="store_true",
                        help="Also fit on ranker.PASSAGE_FEATURES (the fused sentence score, passage MaxSim rank, "
                             "rare/common and window term coverage); the shipped model does not use them.")
    parser.add_argument("--no-entity-features", action="store_true",
                        help="Leave out ranker.ENTITY_FEATURES (whether the sentence names what the question names).")
    parser.add_argument("--with-gold", type=Path, action="append", default=[],
                        help="Another gold file on the embedded paper to fit on (e.g. source/gold_reader_dev.jsonl).")
    args = parser.parse_args(argv)
    args.cache = args.cache or paths.home() / "fit-cache" / "ranker"
    gold = args.gold or paths.default_gold()
    for path in (gold, *args.with_gold):
        if report_only(path):
            print(f"error: {path.name} is a held-out set; it is reported on, never fitted on", file=sys.stderr)
            return 2
    try:
        check_output_path(args.out, RANKER_OUTPUT)  # refused before the fit, not after it
        if args.save_examples:
            check_output_path(args.save_examples, EXAMPLES_OUTPUT, "--save-examples")
        batch = collect(args.cache, gold_file=gold, covid_file=args.covid,
                        covid_limit=0 if args.examples else args.limit, build=args.build,
                        progress=lambda m: print(m, file=sys.stderr), with_gold=args.with_gold)
        if args.examples:
            batch += load_examples(args.examples)
        if args.save_examples:
            save_examples(batch, args.save_examples)
        model = fit(batch, names=feature_set(args.passage_features, not args.no_entity_features))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        write_json_atomic(args.out, model, RANKER_OUTPUT)  # a new file or over a model it wrote, never through a link
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps({"in_sample": model["in_sample"], "cv": model["cv"]}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
