"""The evaluation runner: ask every gold question with every system and score the answers.

Each question is asked with the full system and with two baselines (``SYSTEMS``); matching
is matching.py, the metrics metrics.py, the abstention CV rows abstain_fit.py, the tables
eval_tables.py, results files and ``--compare`` results.py and comparison.py.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, Callable, Sequence

from assistant import calibration
from assistant.abstain_fit import cv_abstention
from assistant.checksum import file_sha256
from assistant.engine import MODES
from assistant.gold import GoldItem
from assistant.matching import Evidence, SourceMap, contains_evidence, first_relevant_rank
from assistant.metrics import K, Scored, summarise, token_f1, token_recall
from assistant.progress import Progress, quiet
from assistant.records import NOTHING_SHOWN, Shown

SYSTEMS = MODES  # every answer mode is scored: the full system (hybrid) and its two baselines


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
    contexts = follow_up_contexts(gold, lambda question, context: _answer_text(assistant.ask(question, k=k, context=context)))
    assistant.ask("What is this document about?", k=k)  # warm the encoder before timing
    total, done = len(gold) * len(systems), 0
    outcomes: dict[str, list] = {name: [] for name in systems}
    for name in systems:
        chain = _Shown(contexts)
        for item in gold:
            answer = assistant.ask(item.question, k=k, mode=name, context=contexts[item.id], shown=chain.before(item))
            chain.after(item, answer)
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
    for name in systems:  # how well the confidence of the answers shown tells right from wrong
        scored = [s for _, s in outcomes[name]]
        shown = calibration.answered([a.confidence for a, _ in outcomes[name]], [s.abstained for s in scored],
                                     [s.answerable for s in scored], [s.evidence_hit for s in scored])
        results["systems"][name]["calibration"] = calibration.summary(*shown)
        results["systems"][name]["overall"].update(confidence_ece=calibration.expected_calibration_error(*shown),
                                                   confidence_auroc=calibration.auroc(*shown),
                                                   confidence_brier=calibration.brier(*shown))
    if "hybrid" in systems:
        cv = cv_abstention(assistant, gold, progress)
        spread = cv.pop("cv_spread", None)
        results["systems"]["hybrid"]["overall"].update(cv)
        if spread is not None:  # each seed-averaged cv_ rate's min and max over the fold seeds
            results["systems"]["hybrid"]["cv_spread"] = spread
    return results


def follow_up_contexts(gold: Sequence[GoldItem], answer: Callable[[str, str | None], str | None] | None = None
                       ) -> dict[str, str | None]:
    """Each question's retrieval context, as the chat UI builds it: a question whose ``context``
    names an earlier one is asked as its follow-up (``followup.contextualize`` of the text that
    earlier question was answered with, so a chain carries its topic); any other gets None.
    ``answer(question, context)`` gives the text the system answers with (None when it abstains):
    after a "who" question the next follow-up also carries the names its answer gives
    (``followup.answered_with``); it is asked only of such questions, and without it they carry none."""
    from assistant.followup import answered_with, asks_who, contextualize

    followed = {item.context for item in gold if item.context}
    asked: dict[str, str] = {}
    contexts: dict[str, str | None] = {}
    for item in gold:
        context = contextualize(item.question, asked.get(item.context)) if item.context else None
        contexts[item.id] = context
        given = answer(item.question, context) if answer is not None and item.id in followed and asks_who(item.question) else None
        asked[item.id] = answered_with(item.question, context, given)
    return contexts


class _Shown:
    """The sentences each answer showed on its topic, as the chat UI keeps them: a follow-up that only
    asks for more ("Tell me more.") is asked without what its chain already showed."""

    def __init__(self, contexts: dict[str, str | None]) -> None:
        self.contexts = contexts
        self.by_id: dict[str, Shown] = {}

    def _chain(self, item: GoldItem) -> Shown:
        from assistant.followup import leave_out

        shown = self.by_id.get(item.context, NOTHING_SHOWN) if item.context else None
        return leave_out(item.question, self.contexts[item.id], shown) or NOTHING_SHOWN

    def before(self, item: GoldItem) -> tuple[int, ...]:
        return self._chain(item).sentence_ids

    def after(self, item: GoldItem, answer) -> None:
        self.by_id[item.id] = self._chain(item).plus(answer)


def _answer_text(answer) -> str | None:
    return None if answer.abstained else answer.answer


def _meta(assistant, gold, gold_path: str, k: int, systems) -> dict:
    from assistant import abstain

    model = abstain.load_model()
    return {
        "gold": str(gold_path), "index": str(assistant.index.directory), "document": assistant.document.title,
        "questions": len(gold), "k": k, "systems": list(systems),
        "abstention_model": {"fitted": abstain.model_path().is_file(), "threshold": model.threshold,
                             "fitted_on_this_gold": model.fitted_on(file_sha256(gold_path))},
        "settings": settings_record(assistant),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def settings_record(assistant) -> dict:
    """The tuned numbers this run answered with, flat (``fusion.rrf_k``), so ``--compare`` can list
    what changed: the fusion, idf and answer-shape settings and the chunker settings the index was built with."""
    from assistant.answer import SHAPE
    from assistant.ranker import IDF

    groups = {"fusion": asdict(assistant.fusion), "idf": asdict(IDF), "shape": asdict(SHAPE),
              "chunking": assistant.index.manifest.get("chunker", {})}
    return {f"{group}.{name}": list(value) if isinstance(value, tuple) else value
            for group, values in groups.items() for name, value in values.items()}


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
