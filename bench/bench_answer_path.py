"""Warm answers as shipped, A/B against what the answering path did before two savings: computing the
ranker's passage features for every question ("features": the shipped ranker reads none of them) and
rebuilding the note and front-matter masks over every sentence per question ("mask": now arrays kept
per document).

    python bench/bench_answer_path.py [--large DIR] [--rounds 2]
    python bench/bench_large_doc.py --mb 1 --keep DIR   # makes DIR once (minutes on 2 cores)

bench_ask's questions are answered warm, question by question in turn each way, so load on the shared
machine falls on every way alike. Prints medians and p95 in ms, each reference's ratio to shipped and
whether every way gave the same answers.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import partial, partialmethod
from pathlib import Path

from bench_ask import QUESTIONS, prepare_index
from common import alternate_ways, machine_line, record, warm_answer_parser, way_figures


@contextmanager
def shipped():
    yield


@contextmanager
def mask_per_question():
    """The masks rebuilt over every sentence for each question (the reference)."""
    from assistant import answer, overview
    from assistant.engine import Assistant

    kept = Assistant._mask
    Assistant._mask = lambda self, q, text=None: (  # type: ignore[method-assign]
        answer.candidate_mask(self.document, q) & overview.allowed(self._layout, q if text is None else text))
    try:
        yield
    finally:
        Assistant._mask = kept  # type: ignore[method-assign]


@contextmanager
def every_feature(on: bool):
    """Answer with every ranker column computed (the reference) or as shipped."""
    from assistant.engine import Assistant

    shipped = Assistant._candidates
    if on:
        Assistant._candidates = partialmethod(shipped, every_feature=True)  # type: ignore[method-assign]
    try:
        yield
    finally:
        Assistant._candidates = shipped  # type: ignore[method-assign]


def measure(name: str, index_dir: Path, encoder, rounds: int) -> dict:
    from assistant.engine import Assistant
    from assistant.index import load_index

    index = load_index(index_dir)
    assistant = Assistant(index, encoder)
    ways = {"shipped": shipped, "features": partial(every_feature, True), "mask": mask_per_question}
    answers, differ = alternate_ways(assistant, ways, QUESTIONS, rounds)
    print(f"{name}: {len(index.document.sentences):,} sentences")
    figures: dict = {"sentences": len(index.document.sentences), "answers_differing": differ,
                     "questions": len(answers["shipped"])}
    figures.update(way_figures(answers))
    for reference in ("features", "mask"):
        ratio = figures["shipped"]["median_ms"] / figures[reference]["median_ms"]
        figures[f"shipped_over_{reference}_median"] = round(ratio, 3)
        print(f"  shipped / {reference} (median): {ratio:.2f}")
    print(f"  answers differing: {differ} of {figures['questions']}")
    return figures


def main() -> None:
    args = warm_answer_parser(__doc__.splitlines()[0]).parse_args()

    from assistant.encoder import OnnxEncoder

    print(machine_line())
    encoder = OnnxEncoder()
    figures = {"paper": measure("paper", prepare_index(args.paper), encoder, args.rounds)}
    if args.large is not None:
        figures["large"] = measure(str(args.large), args.large, encoder, args.rounds)
    record("answer_path", figures)


if __name__ == "__main__":
    main()
