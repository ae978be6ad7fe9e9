"""Evaluation against a gold Q&A set: pure metric functions, the runner, comparison, abstention fitting.

Gold files are JSONL, one ``{id, question, answer, evidence: [quotes], type}`` per line;
``type == "unanswerable"`` marks questions the document does not answer.

Matching rule (when a passage or an answer "contains" an evidence quote)
-----------------------------------------------------------------------
Both sides are normalised the same way: footnote markers are deleted (superscript digits
``⁰-⁹``, and bare 1-2 digit numbers directly after sentence punctuation, as in
``states".14`` or ``invasion. 39``), curly quotes/apostrophes become ``"``/``'`` and
dashes become ``-``, lines holding only a page number are dropped, whitespace is
collapsed and everything is lower-cased. Normalisation keeps a map from every output
character to its offset in the input, so a quote can be located in the source.

* A passage is relevant when the normalised quote is a substring of the normalised
  passage, OR the passage's ``[start, end)`` covers at least 60% of the quote's
  characters (the quote located in the source through the normalisation map; this
  catches quotes longer than a passage and quotes cut by a chunk boundary). Any one
  quote of a question is enough, for every type (multi_hop included).
* An answer hits the evidence when its cited spans (each citation's sentence plus the
  notes it shows) together cover at least 60% of some quote's characters, or its
  normalised text contains a normalised quote.

Metrics: Recall@k = share of questions with a relevant passage in the top k; MRR@10;
gold-answer token recall and SQuAD-style token F1 (lower-cased, footnote markers, Unicode
punctuation and the articles a/an/the removed; dashes separate words); median answer length in words over the
answered questions; citation exactness (``source[start:end] == text``); abstention
precision/recall with "abstained" as the positive class. Retrieval and answer metrics
are over answerable questions only (retrieval and evidence hit over those with evidence).

Abstention fitting (``fit_abstention``): logistic regression over ``abstain.FEATURES``
with y = 1 for answerable questions. The threshold maximises the share of answerable
questions answered subject to abstaining on at least 75% of the unanswerable ones, and
is chosen on the fitting data only. It is reported under 5-fold stratified
cross-validation (fit and threshold on 4 folds, score the 5th, seed 0) and on the held-out
gold file, then the fit on all dev questions is written to ``abstain.json``.

Pooling documents (``--extra FILE``, SQuAD schema, see squad.py): each extra file is
indexed with the real model in a temporary directory and its questions' signals join
the paper's dev signals (answerable = not ``is_impossible``). Every document's questions
sum to the same weight in the fit (which stays class-balanced over the pool), and the
threshold criterion uses per-document rates averaged over the training documents
(abstain on >= 75% of unanswerable on average; maximise the average share of answerable
answered), so 15 paper negatives are not drowned by hundreds of SQuAD ones. In CV every
fold's model sees the other paper folds plus all extra data. ``--unseen FILE`` documents
are never fitted on: their signals are only scored, with the new and the previous model.
Measured with ``--extra squad/Normans.json``: better on the paper (CV and held-out) and
on the unseen SQuAD article, but it answers far fewer COVID-QA questions, because SQuAD 2.0
unanswerables are near-paraphrases of answerable ones and teach the model a negative weight
on answer-term coverage; the committed abstain.json stays the paper-only fit.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from assistant.checksum import sha256_file
from assistant.errors import InputError
from assistant.progress import Progress, quiet

SYSTEMS = ("hybrid", "bm25", "dense")
K = 10
RECALL_AT = (1, 3, 5, 10)
COVERAGE = 0.6
MIN_ABSTAIN_UNANSWERABLE = 0.75
UNANSWERABLE = "unanswerable"
GOLD_FIELDS = ("id", "question", "answer", "evidence", "type")

# -- gold -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    answer: str
    evidence: tuple[str, ...]
    type: str
    context: str | None = None  # id of the earlier question this one follows up

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE


def default_heldout() -> Path:
    from assistant import paths

    return paths.source_dir() / "gold_heldout.jsonl"


def load_gold(path: Path) -> tuple[GoldItem, ...]:
    """Read a gold JSONL file; InputError naming the file and line when it is malformed."""
    from assistant.ingest import read_input_bytes

    path = Path(path)
    try:
        lines = read_input_bytes(path).decode("utf-8").removeprefix("\ufeff").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read gold file {path}: not valid UTF-8 (byte {exc.start})") from None
    items, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = _gold_item(line, f"{path}, line {number}")
        except RecursionError:
            raise InputError(f"{path}, line {number}: the JSON is nested too deeply") from None
        if item.id in seen:
            raise InputError(f"{path}, line {number}: duplicate id {item.id!r}")
        if item.context is not None and item.context not in seen:
            raise InputError(f"{path}, line {number}: context {item.context!r} is not the id of an earlier question")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise InputError(f"{path}: no questions in the gold file")
    return tuple(items)


def _gold_item(line: str, where: str) -> GoldItem:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object with {', '.join(GOLD_FIELDS)}")
    missing = [name for name in GOLD_FIELDS if name not in row]
    if missing:
        raise InputError(f"{where}: missing field {', '.join(missing)}")
    evidence = row["evidence"]
    if not isinstance(evidence, list) or not all(isinstance(q, str) for q in evidence):
        raise InputError(f"{where}: \"evidence\" must be a list of strings")
    if not all(isinstance(row[name], str) for name in ("question", "answer", "type")):
        raise InputError(f"{where}: \"question\", \"answer\" and \"type\" must be strings")
    if not row["question"].strip():
        raise InputError(f"{where}: empty question")
    context = row.get("context")
    if context is not None and not isinstance(context, str):
        raise InputError(f"{where}: \"context\" must be the id of an earlier question")
    return GoldItem(str(row["id"]), row["question"], row["answer"], tuple(evidence), row["type"], context)


# -- normalisation and matching -----------------------------------------------------------

_QUOTES = {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
           "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"'}
_DASHES = dict.fromkeys("‐‑‒–—―−", "-")
_UNIFY = {**_QUOTES, **_DASHES, "\u00ad": ""}
_SUPERSCRIPTS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹")
_BARE_MARKER = re.compile(r"(?<=[.;:!?\"”’)])[^\S\n]?(\d{1,2})(?=\s|$)")
_PAGE_LINE = re.compile(r"^[^\S\n]*\d{1,3}[^\S\n]*$", re.M)


def _deleted(text: str) -> np.ndarray:
    """Mask of characters normalisation deletes: footnote markers and page-number lines."""
    mask = np.fromiter((ch in _SUPERSCRIPTS for ch in text), dtype=bool, count=len(text))
    for match in _BARE_MARKER.finditer(text):
        mask[match.start(1) : match.end(1)] = True
    for match in _PAGE_LINE.finditer(text):
        mask[match.start() : match.end()] = True
    return mask


def normalise_map(text: str) -> tuple[str, tuple[int, ...]]:
    """The normalised text and, for each of its characters, the offset it came from in ``text``."""
    deleted = _deleted(text)
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if deleted[i]:
            continue
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(i)
            continue
        for piece in unicodedata.normalize("NFKC", _UNIFY.get(ch, ch)).lower():
            out.append(piece)
            offsets.append(i)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), tuple(offsets)


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    return normalise_map(text)[0]


@dataclass(frozen=True)
class Evidence:
    """One gold quote: its normalised form and, per occurrence in the source, its characters' offsets."""

    quote: str
    normalised: str
    occurrences: tuple[tuple[int, ...], ...]


class SourceMap:
    """A document's normalised text with its offset map, for locating quotes."""

    def __init__(self, source: str) -> None:
        self.text, self.offsets = normalise_map(source)

    def locate(self, quote: str) -> Evidence:
        needle = normalise(quote)
        found, start = [], self.text.find(needle) if needle else -1
        while start >= 0:
            found.append(self.offsets[start : start + len(needle)])
            start = self.text.find(needle, start + 1)
        return Evidence(quote, needle, tuple(found))


def coverage(offsets: Sequence[int], spans: Iterable[tuple[int, int]]) -> float:
    """Share of ``offsets`` that fall inside any of the ``[start, end)`` spans."""
    if not offsets:
        return 0.0
    spans = list(spans)
    inside = sum(any(start <= o < end for start, end in spans) for o in offsets)
    return inside / len(offsets)


def contains_evidence(text: str, spans: Sequence[tuple[int, int]], evidence: Evidence) -> bool:
    """The matching rule: normalised substring, or the spans cover >= 60% of an occurrence."""
    if evidence.normalised and evidence.normalised in normalise(text):
        return True
    return any(coverage(occurrence, spans) >= COVERAGE for occurrence in evidence.occurrences)


def first_relevant_rank(passages: Sequence[tuple[str, int, int]], evidence: Sequence[Evidence]) -> int | None:
    """1-based rank of the first passage ``(text, start, end)`` holding any quote; None if none does."""
    for rank, (text, start, end) in enumerate(passages, start=1):
        if any(contains_evidence(text, [(start, end)], e) for e in evidence):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    if not ranks:
        return None
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def mrr(ranks: Sequence[int | None], k: int = K) -> float | None:
    if not ranks:
        return None
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks)


# -- answer text metrics ------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b")


def squad_normalise(text: str) -> str:
    """SQuAD answer normalisation: lower-case, punctuation and a/an/the removed (dashes split words,
    footnote markers are dropped first, and Unicode punctuation counts as punctuation)."""
    deleted = _deleted(text)
    text = "".join(ch for i, ch in enumerate(text) if not deleted[i]).lower()
    text = "".join(" " if unicodedata.category(ch) == "Pd" else "" if unicodedata.category(ch).startswith("P") else ch
                   for ch in text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _common(prediction: str, gold: str) -> tuple[int, int, int]:
    pred, ref = squad_normalise(prediction).split(), squad_normalise(gold).split()
    return sum((Counter(pred) & Counter(ref)).values()), len(pred), len(ref)


def token_f1(prediction: str, gold: str) -> float:
    same, n_pred, n_gold = _common(prediction, gold)
    if n_pred == 0 or n_gold == 0:
        return float(n_pred == n_gold)
    if same == 0:
        return 0.0
    precision, recall = same / n_pred, same / n_gold
    return 2 * precision * recall / (precision + recall)


def token_recall(prediction: str, gold: str) -> float:
    same, _, n_gold = _common(prediction, gold)
    return same / n_gold if n_gold else 1.0


def contains_answer(prediction: str, gold: str) -> bool:
    """Whether the normalised gold answer occurs in the normalised prediction, on word boundaries."""
    needle = squad_normalise(gold)
    return bool(needle) and f" {needle} " in f" {squad_normalise(prediction)} "


# -- abstention and aggregation -----------------------------------------------------------


def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict:
    """Rates with "abstained" as the positive class, correct when the question is unanswerable."""
    pairs = list(zip(abstained, answerable))
    unanswerable = [a for a, ok in pairs if not ok]
    answered_ok = [not a for a, ok in pairs if ok]
    abstentions = [not ok for a, ok in pairs if a]
    return {
        "abstain_on_unanswerable": _mean(unanswerable),
        "answered_on_answerable": _mean(answered_ok),
        "abstain_precision": _mean(abstentions),
        "abstain_recall": _mean(unanswerable),
    }


def _mean(values: Sequence) -> float | None:
    return float(np.mean(values)) if len(values) else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if len(values) else None


@dataclass(frozen=True)
class Scored:
    """One question's outcome for one system."""

    id: str
    type: str
    answerable: bool
    has_evidence: bool
    first_rank: int | None
    evidence_hit: bool | None
    f1: float | None
    recall: float | None
    abstained: bool
    words: int
    citations_exact: int
    citations_total: int
    latency_ms: float

    @property
    def abstain_correct(self) -> bool:
        return self.abstained != self.answerable

    def hits(self) -> dict:
        return {"first_relevant_rank": self.first_rank, "evidence_hit": self.evidence_hit,
                "f1": self.f1, "recall": self.recall, "abstain_correct": self.abstain_correct}


def aggregate(scored: Sequence[Scored]) -> dict:
    """Every metric over a group of questions (None where a metric has nothing to count)."""
    answerable = [s for s in scored if s.answerable]
    with_evidence = [s for s in answerable if s.has_evidence]
    ranks = [s.first_rank for s in with_evidence]
    cited = sum(s.citations_total for s in scored)
    metrics: dict[str, float | None] = {"questions": len(scored), "answerable": len(answerable), "unanswerable": len(scored) - len(answerable)}
    metrics.update({f"recall@{k}": recall_at(ranks, k) for k in RECALL_AT})
    metrics["mrr@10"] = mrr(ranks, K)
    metrics["evidence_hit"] = _mean([s.evidence_hit for s in with_evidence])
    metrics["token_recall"] = _mean([s.recall for s in answerable])
    metrics["token_f1"] = _mean([s.f1 for s in answerable])
    answered = [s.words for s in answerable if not s.abstained]
    metrics["median_words"] = float(np.median(answered)) if answered else None
    metrics["citation_exact"] = sum(s.citations_exact for s in scored) / cited if cited else None
    metrics.update(abstention_scores([s.abstained for s in scored], [s.answerable for s in scored]))
    metrics["latency_p50_ms"] = _percentile([s.latency_ms for s in scored], 50)
    metrics["latency_p95_ms"] = _percentile([s.latency_ms for s in scored], 95)
    return metrics


def summarise(scored: Sequence[Scored]) -> dict:
    types = list(dict.fromkeys(s.type for s in scored))
    return {"overall": aggregate(scored), "by_type": {t: aggregate([s for s in scored if s.type == t]) for t in types}}


# -- the runner ---------------------------------------------------------------------------


def score_answer(item: GoldItem, evidence: Sequence[Evidence], answer, document) -> Scored:
    """Score one Answer against its gold item (``document`` gives note spans and the source)."""
    passages = [(p.text, p.start, p.end) for p in answer.passages]
    spans = _cited_spans(answer, document)
    hit = None
    if item.answerable and evidence:
        hit = any(contains_evidence(answer.answer, spans, e) for e in evidence)
    exact = sum(document.source[c.start : c.end] == c.text for c in answer.citations)
    return Scored(
        id=item.id, type=item.type, answerable=item.answerable, has_evidence=bool(evidence),
        first_rank=first_relevant_rank(passages, evidence) if item.answerable and evidence else None,
        evidence_hit=hit,
        f1=round(token_f1(answer.answer, item.answer), 4) if item.answerable else None,
        recall=round(token_recall(answer.answer, item.answer), 4) if item.answerable else None,
        abstained=answer.abstained, words=len(answer.answer.split()),
        citations_exact=exact, citations_total=len(answer.citations),
        latency_ms=float(answer.timings_ms.get("total", 0.0)),
    )


def _cited_spans(answer, document) -> list[tuple[int, int]]:
    spans = [(c.start, c.end) for c in answer.citations]
    for citation in answer.citations:
        for cited in citation.notes:
            note = document.note(cited.number)
            if note is not None:
                spans.append((note.start, note.end))
    return spans


def run(assistant, gold: Sequence[GoldItem], *, gold_path: str = "", systems: Sequence[str] = SYSTEMS,
        k: int = K, progress: Progress = quiet) -> dict:
    """Ask every gold question with every system; return the results (metrics + records)."""
    document = assistant.document
    source_map = SourceMap(document.source)
    evidence = {item.id: tuple(source_map.locate(q) for q in item.evidence) for item in gold}
    contexts = follow_up_contexts(gold)
    assistant.ask("What is this document about?", k=k)  # warm the encoder before timing
    total, done = len(gold) * len(systems), 0
    outcomes: dict[str, list] = {name: [] for name in systems}
    for name in systems:
        for item in gold:
            answer = assistant.ask(item.question, k=k, mode=name, context=contexts[item.id])
            outcomes[name].append((answer, score_answer(item, evidence[item.id], answer, document)))
            done += 1
            progress(f"asking ({name})", done, total)
    results: dict[str, Any] = {
        "meta": _meta(assistant, gold, gold_path, k, systems),
        "warnings": _unlocated(gold, evidence),
        "systems": {name: summarise([s for _, s in outcomes[name]]) for name in systems},
        "records": [_record(item, contexts[item.id], {name: outcomes[name][i] for name in systems})
                    for i, item in enumerate(gold)],
    }
    if "hybrid" in systems:
        results["systems"]["hybrid"]["overall"].update(cv_abstention(assistant, gold, progress))
    return results


def follow_up_contexts(gold: Sequence[GoldItem]) -> dict[str, str | None]:
    """Each question's retrieval context, as the chat UI builds it: a question whose ``context``
    names an earlier one is asked as its follow-up (``followup.contextualize`` of the text that
    earlier question was answered with, so a chain carries its topic); any other gets None."""
    from assistant.followup import contextualize, effective

    asked: dict[str, str] = {}
    contexts: dict[str, str | None] = {}
    for item in gold:
        context = contextualize(item.question, asked.get(item.context)) if item.context else None
        contexts[item.id] = context
        asked[item.id] = effective(item.question, context)
    return contexts


def cv_abstention(assistant, gold: Sequence[GoldItem], progress: Progress = quiet) -> dict:
    """The abstention decision refitted under 5-fold CV on this gold set (``cv_`` rates, None when
    either class has fewer than 2 questions): what the shipped model's in-sample rates would be on
    questions it was not fitted on."""
    y = _labels(gold)
    n_folds = fold_count(y)
    if n_folds < 2:
        return {"cv_abstain_on_unanswerable": None, "cv_answered_on_answerable": None}
    report = cross_validate(signal_matrix(assistant, gold, progress, "signals (cross-validation)"), y, n_folds)
    return {"cv_abstain_on_unanswerable": report["abstain_on_unanswerable"],
            "cv_answered_on_answerable": report["answered_on_answerable"]}


def fold_count(y: np.ndarray) -> int:
    """Cross-validation folds for labels ``y``: 5, or fewer when a class has fewer questions."""
    return min(5, int(y.sum()), int(len(y) - y.sum()))


def file_sha256(path) -> str | None:
    path = Path(path)
    return sha256_file(path) if path.is_file() else None


def _meta(assistant, gold, gold_path: str, k: int, systems) -> dict:
    from assistant import abstain

    model = abstain.load_model()
    fitted_on = model.fitted_sha256
    return {
        "gold": str(gold_path), "index": str(assistant.index.directory), "document": assistant.document.title,
        "questions": len(gold), "k": k, "systems": list(systems),
        "abstention_model": {"fitted": abstain.model_path().is_file(), "threshold": model.threshold,
                             "fitted_on_this_gold": fitted_on is not None and fitted_on == file_sha256(gold_path)},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _unlocated(gold: Sequence[GoldItem], evidence: dict) -> list[str]:
    return [f"{item.id}: evidence quote not found in the document: {e.quote[:60]!r}"
            for item in gold for e in evidence[item.id] if not e.occurrences]


def _record(item: GoldItem, context: str | None, per_system: dict) -> dict:
    return {
        "id": item.id, "type": item.type, "question": item.question, "context": context, "gold_answer": item.answer,
        "systems": {name: _system_record(answer, scored) for name, (answer, scored) in per_system.items()},
    }


def _system_record(answer, scored: Scored) -> dict:
    return {
        "answer": answer.answer, "abstained": answer.abstained, "confidence": answer.confidence,
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "start": c.start, "end": c.end, "text": c.text,
                       "notes": [n.number for n in c.notes]} for c in answer.citations],
        "passages": [{"rank": p.rank, "chunk_id": p.chunk_id, "start": p.start, "end": p.end, "score": p.score}
                     for p in answer.passages],
        "hits": scored.hits(),
        "latency_ms": scored.latency_ms,
    }


# -- results files and comparison ---------------------------------------------------------


def check_output_path(path: Path) -> None:
    """Refuse an output path that is anything but a new path or a regular file (never follow a link)."""
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "a directory" if stat.S_ISDIR(info.st_mode) else "a special file"
        raise InputError(f"{path} is {kind}; --out writes only a new file or over a regular file")


def write_json_atomic(path: Path, data) -> None:
    """Write JSON to ``path`` through a temporary file in the same directory and a rename.

    Only a new path or a regular file is written (its permission bits kept); InputError otherwise.
    """
    from assistant.render import json_text

    path = Path(path)
    check_output_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json_text(data, indent=1) + "\n")
        os.chmod(tmp, _mode_for(path))
        check_output_path(path)  # still a new path or a regular file just before the rename
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The permission bits of the file being replaced, or those a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def load_results(path: Path) -> dict:
    """A previous ``--out`` file; InputError when it is not one (or cannot be compared)."""
    from assistant.ingest import read_input_bytes

    try:
        data = json.loads(read_input_bytes(Path(path)).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(f"cannot read results file {path}: {exc.__class__.__name__}: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list) or "systems" not in data:
        raise InputError(f"{path}: not an `assistant eval --out` results file (no \"records\"/\"systems\")")
    try:
        compare(data, data)  # walks every field a comparison reads
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InputError(f"{path}: a damaged `assistant eval --out` results file ({exc.__class__.__name__}: {exc})") from None
    return data


@dataclass(frozen=True)
class Change:
    id: str
    type: str
    verdict: str  # "better", "worse" or "mixed"
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    system: str
    changes: tuple[Change, ...]
    unchanged: int
    only_old: tuple[str, ...]
    only_new: tuple[str, ...]
    deltas: dict  # metric -> (old, new)

    def count(self, verdict: str) -> int:
        return sum(c.verdict == verdict for c in self.changes)

    def summary(self) -> str:
        line = (f"{self.system}: {self.count('better')} better, {self.count('worse')} worse, "
                f"{self.count('mixed')} mixed, {self.unchanged} unchanged")
        if self.only_old or self.only_new:
            line += f" ({len(self.only_new)} only in new, {len(self.only_old)} only in old)"
        return line

    def as_dict(self) -> dict:
        return {"system": self.system, "summary": self.summary(), "unchanged": self.unchanged,
                "only_old": list(self.only_old), "only_new": list(self.only_new),
                "changes": [{"id": c.id, "type": c.type, "verdict": c.verdict, "notes": list(c.notes)}
                            for c in self.changes],
                "deltas": {m: {"old": o, "new": n} for m, (o, n) in self.deltas.items()}}


COMPARED_METRICS = ("recall@1", "recall@5", "mrr@10", "evidence_hit", "token_f1",
                    "abstain_on_unanswerable", "answered_on_answerable",
                    "cv_abstain_on_unanswerable", "cv_answered_on_answerable")


def compare(old: dict, new: dict, system: str = "hybrid") -> Comparison:
    """Questions that got better or worse in ``system`` between two results files."""
    old_rows = {r["id"]: r for r in old["records"] if system in r.get("systems", {})}
    new_rows = {r["id"]: r for r in new["records"] if system in r.get("systems", {})}
    changes, unchanged = [], 0
    for qid, row in new_rows.items():
        if qid not in old_rows:
            continue
        better, worse = _hit_changes(old_rows[qid]["systems"][system]["hits"], row["systems"][system]["hits"])
        if not better and not worse:
            unchanged += 1
            continue
        verdict = "mixed" if better and worse else "better" if better else "worse"
        changes.append(Change(qid, row.get("type", ""), verdict, tuple(better + worse)))
    deltas = {m: (_metric(old, system, m), _metric(new, system, m)) for m in COMPARED_METRICS}
    return Comparison(system, tuple(changes), unchanged, tuple(q for q in old_rows if q not in new_rows),
                      tuple(q for q in new_rows if q not in old_rows), deltas)


def _metric(results: dict, system: str, name: str):
    return results.get("systems", {}).get(system, {}).get("overall", {}).get(name)


def _hit_changes(old: dict, new: dict) -> tuple[list[str], list[str]]:
    better, worse = [], []
    for key, gained, lost in (("evidence_hit", "evidence hit gained", "evidence hit lost"),
                              ("abstain_correct", "abstention decision now right", "abstention decision now wrong")):
        if old.get(key) is False and new.get(key) is True:
            better.append(gained)
        elif old.get(key) is True and new.get(key) is False:
            worse.append(lost)
    before, after = old.get("first_relevant_rank"), new.get("first_relevant_rank")
    if before != after and (before is not None or after is not None):
        note = f"first relevant rank {_rank(before)} -> {_rank(after)}"
        (better if _rank_value(after) < _rank_value(before) else worse).append(note)
    f1_before, f1_after = old.get("f1"), new.get("f1")
    if f1_before is not None and f1_after is not None and abs(f1_after - f1_before) >= 0.2:
        (better if f1_after > f1_before else worse).append(f"F1 {f1_before:.2f} -> {f1_after:.2f}")
    return better, worse


def _rank(rank: int | None) -> str:
    return "none" if rank is None else str(rank)


def _rank_value(rank: int | None) -> float:
    return float("inf") if rank is None else rank


# -- abstention fitting -------------------------------------------------------------------


def stratified_folds(y: np.ndarray, n_folds: int, seed: int = 0) -> list[np.ndarray]:
    """Test-index arrays of ``n_folds`` folds, each class spread evenly, shuffled with ``seed``."""
    rng = np.random.default_rng(seed)
    folds: list[list[int]] = [[] for _ in range(n_folds)]
    offset = 0
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        for i, index in enumerate(members):
            folds[(i + offset) % n_folds].append(int(index))
        offset += len(members)
    return [np.array(sorted(f), dtype=np.int64) for f in folds]


def choose_threshold(p: np.ndarray, y: np.ndarray, min_abstain: float = MIN_ABSTAIN_UNANSWERABLE,
                     groups: np.ndarray | None = None) -> float:
    """Abstain when p < threshold: most answerable answered while abstaining on >= ``min_abstain`` unanswerable.

    With ``groups`` (a document number per question) both rates are averaged over the documents.
    """
    groups = np.zeros(len(y), dtype=np.int64) if groups is None else np.asarray(groups)
    values = np.unique(p)
    candidates = np.concatenate([[0.0], (values[:-1] + values[1:]) / 2, [1.0]])
    best, best_key = 1.0, (-1.0, -1.0)
    for t in candidates:
        abstain_rate, answered_rate = macro_rates(p < t, y, groups)
        abstain_rate = 1.0 if abstain_rate is None else abstain_rate
        if abstain_rate + 1e-12 < min_abstain:
            continue
        key = (answered_rate or 0.0, abstain_rate)
        if key > best_key:
            best, best_key = float(t), key
    return best


def macro_rates(abstained: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[float | None, float | None]:
    """(abstain-on-unanswerable, answered-on-answerable), each averaged over the groups that have such questions."""
    abstain_rates, answered_rates = [], []
    for group in np.unique(groups):
        inside = groups == group
        if np.any(inside & (y == 0)):
            abstain_rates.append(float(np.mean(abstained[inside & (y == 0)])))
        if np.any(inside & (y == 1)):
            answered_rates.append(float(np.mean(~abstained[inside & (y == 1)])))
    return _mean(abstain_rates), _mean(answered_rates)


@dataclass(frozen=True)
class SignalSet:
    """One document's questions as abstention signals: ``x`` rows in FEATURES order, ``y`` 1 = answerable."""

    name: str
    x: np.ndarray
    y: np.ndarray


def document_weights(groups: np.ndarray) -> np.ndarray:
    """Per-question weights under which every document's questions sum to 1."""
    groups = np.asarray(groups)
    return 1.0 / np.bincount(groups)[groups]


def fit_pooled(sets: Sequence[SignalSet]) -> tuple[np.ndarray, float, float]:
    """(weights, bias, threshold) fitted on several documents' signals, each document weighing the same."""
    from assistant import abstain

    x = np.concatenate([s.x for s in sets])
    y = np.concatenate([s.y for s in sets])
    groups = np.concatenate([np.full(len(s.y), i, dtype=np.int64) for i, s in enumerate(sets)])
    weights, bias = abstain.fit(x, y, sample_weight=document_weights(groups))
    return weights, bias, choose_threshold(_probabilities(x, weights, bias), y, groups=groups)


def _probabilities(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    from assistant.abstain import sigmoid

    return sigmoid(x @ weights + bias)


def cross_validate(x: np.ndarray, y: np.ndarray, n_folds: int = 5, seed: int = 0,
                   extra: Sequence[SignalSet] = ()) -> dict:
    """Out-of-fold abstention metrics: fit and threshold on the other folds (plus all ``extra``), score each fold."""
    abstained = np.zeros(len(y), dtype=bool)
    thresholds = []
    for test in stratified_folds(y, n_folds, seed):
        train = np.setdiff1d(np.arange(len(y)), test)
        weights, bias, threshold = fit_pooled([SignalSet("dev", x[train], y[train]), *extra])
        abstained[test] = _probabilities(x[test], weights, bias) < threshold
        thresholds.append(round(threshold, 4))
    return {"folds": n_folds, "seed": seed, "thresholds": thresholds, "extra": [s.name for s in extra],
            **abstention_scores(list(abstained), list(y == 1))}


def signal_matrix(assistant, gold: Sequence, progress: Progress = quiet, stage: str = "signals") -> np.ndarray:
    """One row of abstention signals per item (anything with a ``.question``)."""
    rows = []
    for i, item in enumerate(gold, start=1):
        rows.append(assistant.signals_for(item.question).values)
        progress(stage, i, len(gold))
    return np.asarray(rows, dtype=np.float64)


def fit_abstention(assistant, gold: Sequence[GoldItem], heldout: Sequence[GoldItem], *, gold_path: str = "",
                   extra: Sequence[Path] = (), unseen: Sequence[Path] = (), progress: Progress = quiet,
                   seed: int = 0, encoder=None) -> dict:
    """Fit the abstention model on ``gold`` (plus ``extra`` SQuAD files), report CV, held-out and
    ``unseen``-document scores, write abstain.json. ``encoder`` builds the extra indexes (default: the real model)."""
    from assistant import abstain

    _check_files([*extra, *unseen])
    x, y = signal_matrix(assistant, gold, progress, "signals (dev)"), _labels(gold)
    x_held, y_held = signal_matrix(assistant, heldout, progress, "signals (held-out)"), _labels(heldout)
    n_folds = fold_count(y)
    if n_folds < 2:
        raise InputError("fitting abstention needs at least 2 answerable and 2 unanswerable questions")
    sets = external_signals(assistant, [*extra, *unseen], progress=progress, encoder=encoder)
    extra_sets, unseen_sets = sets[: len(extra)], sets[len(extra) :]
    before = abstain.load_model()
    weights, bias, threshold = fit_pooled([SignalSet("dev", x, y), *extra_sets])

    def scores(rows: np.ndarray, labels: np.ndarray) -> dict:
        return abstention_scores(list(_probabilities(rows, weights, bias) < threshold), list(labels == 1))

    report = {
        "weights": {name: round(float(w), 6) for name, w in zip(abstain.FEATURES, weights)},
        "bias": round(float(bias), 6),
        "threshold": round(threshold, 6),
        "fitted_sha256": file_sha256(gold_path) if gold_path else None,
        "fitted_on": "; ".join([f"{gold_path or 'gold'} ({_counts(y)})",
                                *(f"{s.name} ({_counts(s.y)})" for s in extra_sets)])
                     + f", {datetime.now(timezone.utc).date().isoformat()}",
        "weighting": "each document's questions sum to the same weight; classes balanced over the pool",
        "criterion": f"max answered-on-answerable s.t. abstain-on-unanswerable >= {MIN_ABSTAIN_UNANSWERABLE}"
                     + (", both averaged over the training documents" if extra_sets else ""),
        "cv": cross_validate(x, y, n_folds, seed, extra_sets),
        "dev_in_sample": scores(x, y),
        "extra_in_sample": {s.name: _document_scores(s, scores) for s in extra_sets},
        "heldout": {"questions": len(y_held), **scores(x_held, y_held)},
        "external": {s.name: _document_scores(s, scores) for s in unseen_sets},
        "previous_model": _model_scores(before, x, y, x_held, y_held, extra_sets, unseen_sets),
    }
    write_json_atomic(abstain.model_path(), report)
    abstain.load_model.cache_clear()
    return report


def external_signals(assistant, files: Sequence[Path], *, progress: Progress = quiet,
                     encoder=None) -> list[SignalSet]:
    """Index each SQuAD file in a temporary directory (built with ``encoder``, default the real
    model) and compute its questions' signals with ``assistant``'s query encoder, in ``files`` order."""
    from assistant import squad
    from assistant.engine import Assistant
    from assistant.index import load_index

    if not files:
        return []
    if encoder is None:
        from assistant.encoder import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder()
    sets = []
    with tempfile.TemporaryDirectory(prefix="assistant-fit-") as tmp:
        for number, path in enumerate(files):
            workdir = Path(tmp) / str(number)
            workdir.mkdir()
            indexed = squad.index_squad(path, workdir, progress=_staged(progress, f"indexing {Path(path).name}"),
                                        encoder=encoder)
            other = Assistant.open(load_index(indexed.index_dir), encoder=assistant.encoder)
            x = signal_matrix(other, indexed.questions, progress, f"signals ({indexed.path.stem})")
            sets.append(SignalSet(indexed.path.stem, x, np.array([float(q.answerable) for q in indexed.questions])))
    return sets


def _check_files(files: Sequence[Path]) -> None:
    """Fail early: every file must be a readable SQuAD file, and document names must differ."""
    from assistant import squad

    names = [Path(f).stem for f in files]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{repeated[0]}: the same document is given twice (--extra/--unseen)")
    for path in files:
        squad.read_squad(path)


def _staged(progress: Progress, prefix: str) -> Progress:
    return lambda stage, done, total: progress(f"{prefix}: {stage}", done, total)


def _counts(y: np.ndarray) -> str:
    return f"{len(y)} questions, {int(len(y) - y.sum())} unanswerable"


def _document_scores(signal_set: SignalSet, scores: Callable[[np.ndarray, np.ndarray], dict]) -> dict:
    y = signal_set.y
    return {"questions": len(y), "answerable": int(y.sum()), "unanswerable": int(len(y) - y.sum()),
            **scores(signal_set.x, y)}


def _labels(gold: Sequence[GoldItem]) -> np.ndarray:
    return np.array([1.0 if item.answerable else 0.0 for item in gold])


def _model_scores(model, x, y, x_held, y_held, extra: Sequence[SignalSet] = (),
                  unseen: Sequence[SignalSet] = ()) -> dict:
    def scores(rows, labels):
        abstained = _probabilities(rows, np.asarray(model.weights), model.bias) < model.threshold
        return abstention_scores(list(abstained), list(labels == 1))

    return {"dev": scores(x, y), "heldout": scores(x_held, y_held) if len(y_held) else {},
            "extra": {s.name: _document_scores(s, scores) for s in extra},
            "external": {s.name: _document_scores(s, scores) for s in unseen}}


# -- rendering ----------------------------------------------------------------------------

_ROWS = (
    ("Retrieval", (("Recall@1", "recall@1"), ("Recall@3", "recall@3"), ("Recall@5", "recall@5"),
                   ("Recall@10", "recall@10"), ("MRR@10", "mrr@10"))),
    ("Answers", (("evidence hit", "evidence_hit"), ("gold-token recall", "token_recall"),
                 ("token F1", "token_f1"), ("median words", "median_words"))),
    ("Citations", (("exact source slices", "citation_exact"),)),
    ("Abstention", (("abstained on unanswerable", "abstain_on_unanswerable"),
                    ("answered on answerable", "answered_on_answerable"),
                    ("abstain precision", "abstain_precision"), ("abstain recall", "abstain_recall"),
                    ("abstained on unanswerable, 5-fold CV", "cv_abstain_on_unanswerable"),
                    ("answered on answerable, 5-fold CV", "cv_answered_on_answerable"))),
    ("Latency", (("p50 ms", "latency_p50_ms"), ("p95 ms", "latency_p95_ms"))),
)
_TYPE_COLUMNS = (("R@1", "recall@1"), ("R@5", "recall@5"), ("MRR", "mrr@10"), ("hit", "evidence_hit"),
                 ("rec", "token_recall"), ("F1", "token_f1"))


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if key.endswith("_ms") or key == "median_words":
        return f"{value:.0f}" if key == "median_words" else f"{value:.1f}"
    return f"{value:.3f}"


def headline_table(results: dict):
    from rich.table import Table

    systems = list(results["systems"])
    overall = {name: results["systems"][name]["overall"] for name in systems}
    first = overall[systems[0]]
    table = Table(title=f"{first['questions']} questions ({first['answerable']} answerable, "
                        f"{first['unanswerable']} unanswerable) · {Path(results['meta']['gold']).name}")
    table.add_column("metric")
    for name in systems:
        table.add_column(name, justify="right")
    for group, rows in _ROWS:
        table.add_section()
        for label, key in rows:
            table.add_row(f"{group}: {label}", *(fmt(overall[name].get(key), key) for name in systems))
    table.caption = abstention_scope(results)
    return table


def abstention_scope(results: dict) -> str:
    """Says whether the abstention rows are in-sample (the model was fitted on this gold file)."""
    if results["meta"].get("abstention_model", {}).get("fitted_on_this_gold"):
        return ("abstention model fitted on this gold file: its rows above are in-sample; "
                "the CV rows refit it on 4/5 of the questions and score the other fifth")
    return ("abstention model not fitted on this gold file: its rows above are out-of-sample; "
            "the CV rows are a model refitted on this file's own questions, 4/5 at a time")


def type_table(results: dict, system: str = "hybrid"):
    from rich.table import Table

    table = Table(title=f"{system}, by question type (hit = evidence hit, rec = gold-token recall, "
                        "ok = right answer/abstain decision)")
    table.add_column("type", no_wrap=True)
    table.add_column("n", justify="right")
    for label, _ in _TYPE_COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("ok", justify="right")
    for name, m in results["systems"][system]["by_type"].items():
        decision = m["answered_on_answerable"] if m["answerable"] else m["abstain_on_unanswerable"]
        table.add_row(name, str(m["questions"]), *(fmt(m[key], key) for _, key in _TYPE_COLUMNS), fmt(decision))
    return table


def comparison_renderable(comparison: Comparison):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"changes since the previous run ({comparison.system})")
    for column in ("id", "type", "verdict", "what changed"):
        table.add_column(column)
    styles = {"better": "green", "worse": "red", "mixed": "yellow"}
    for change in sorted(comparison.changes, key=lambda c: (c.verdict, c.id)):
        table.add_row(change.id, change.type, Text(change.verdict, style=styles[change.verdict]),
                      "; ".join(change.notes))
    deltas = "  ".join(f"{m} {fmt(o)} -> {fmt(n)}" for m, (o, n) in comparison.deltas.items())
    return Group(table, Text(comparison.summary(), style="bold"), Text(deltas, style="dim"))


def results_renderable(results: dict, comparison: Comparison | None = None):
    from rich.console import Group

    parts = [headline_table(results)]
    if "hybrid" in results["systems"]:
        parts.append(type_table(results))
    if comparison is not None:
        parts.append(comparison_renderable(comparison))
    return Group(*parts)


def fit_renderable(report: dict):
    from rich.console import Group, RenderableType
    from rich.table import Table
    from rich.text import Text

    table = Table(title="abstention model (CV = 5-fold out-of-fold; fit = in-sample; old = model before the fit)")
    table.add_column("metric")
    for column in ("CV dev", "held-out", "fit dev", "old dev", "old held-out"):
        table.add_column(column, justify="right")
    previous = report["previous_model"]
    for key in ("abstain_on_unanswerable", "answered_on_answerable", "abstain_precision", "abstain_recall"):
        table.add_row(key.replace("_", " "), fmt(report["cv"][key]), fmt(report["heldout"][key]),
                      fmt(report["dev_in_sample"][key]), fmt(previous["dev"].get(key)),
                      fmt(previous["heldout"].get(key)))
    weights = ", ".join(f"{k}={v:+.3f}" for k, v in report["weights"].items())
    parts: list[RenderableType] = [table]
    if report.get("extra_in_sample") or report.get("external"):
        parts.append(_documents_table(report))
    parts += [Text(f"threshold {report['threshold']:.3f}; bias {report['bias']:+.3f}; {weights}"),
              Text(f"fitted on: {report['fitted_on']}", style="dim"),
              Text(f"criterion: {report['criterion']}; written to abstain.json", style="dim")]
    return Group(*parts)


def _documents_table(report: dict):
    from rich.table import Table

    table = Table(title="other documents (q = questions: answerable/unanswerable; abst. = unanswerable "
                        "abstained on; ans'd = answerable answered; old = model before the fit)")
    table.add_column("document", overflow="fold")
    for column in ("used", "q", "abst.", "ans'd", "old abst.", "old ans'd"):
        table.add_column(column, justify="left" if column == "used" else "right", no_wrap=True)
    previous = report["previous_model"]
    rows = [("fitted", report.get("extra_in_sample", {}), previous.get("extra", {})),
            ("unseen", report.get("external", {}), previous.get("external", {}))]
    for used, documents, old in rows:
        for name, row in documents.items():
            before = old.get(name, {})
            table.add_row(name, used, f"{row['answerable']}/{row['unanswerable']}",
                          fmt(row["abstain_on_unanswerable"]), fmt(row["answered_on_answerable"]),
                          fmt(before.get("abstain_on_unanswerable")), fmt(before.get("answered_on_answerable")))
    return table
