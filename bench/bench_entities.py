"""Entity agreement (entities.py, ranker.ENTITY_FEATURES): what it costs and what it changes.

    python bench/bench_entities.py [--large DIR] [--rounds 2] [--answers]

Prints, for the paper (and a large document's index with ``--large``): the time to find every
sentence's names once per document (``entities.document_names``), and warm answers as shipped A/B
against the same answers with the entity columns left at zero (``no_entities``: no per-question
agreement computed; with a ranker fitted on them its answers differ, mostly in confidence: common.same_answer
compares text, decision, confidence, citations and passages), question by question in turn (bench_ask's questions). With ``--answers``, the answers to bench/entity_questions.txt (one
actor named where the paper discusses several): lead sentence and confidence.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from bench_ask import QUESTIONS, prepare_index
from common import alternate_ways, machine_line, record, warm_answer_parser, way_figures

ENTITY_QUESTIONS = Path(__file__).with_name("entity_questions.txt")


@contextmanager
def shipped():
    yield


@contextmanager
def no_entities():
    """The entity columns left at zero: no names found for the question."""
    from assistant import entities

    kept = entities.names
    entities.names = lambda text: ()  # type: ignore[assignment]
    try:
        yield
    finally:
        entities.names = kept  # type: ignore[assignment]


def names_build_ms(assistant) -> float:
    from assistant import entities

    lay = assistant._ranker_layout
    t = time.perf_counter()
    entities.document_names(lay.texts, lay.paragraph)
    return (time.perf_counter() - t) * 1000


def measure(name: str, index_dir: Path, encoder, rounds: int) -> dict:
    from assistant.engine import Assistant
    from assistant.index import load_index

    assistant = Assistant(load_index(index_dir), encoder)
    assistant.ask("warm up")
    build = names_build_ms(assistant)
    answers, differ = alternate_ways(assistant, {"shipped": shipped, "no_entities": no_entities}, QUESTIONS, rounds)
    sentences = len(assistant.document.sentences)
    print(f"{name}: {sentences:,} sentences; names of every sentence found once: {build:.1f} ms")
    figures: dict = {"sentences": sentences, "names_build_ms": round(build, 1), "answers_differing": differ,
                     "questions": len(answers["shipped"])}
    figures.update(way_figures(answers))
    print(f"  answers differing: {differ} of {figures['questions']}")
    return figures


def show_answers(index_dir: Path, encoder) -> None:
    from assistant.engine import Assistant
    from assistant.index import load_index

    assistant = Assistant(load_index(index_dir), encoder)
    questions = [q for q in ENTITY_QUESTIONS.read_text(encoding="utf-8").splitlines() if q and not q.startswith("#")]
    for question in questions:
        got = assistant.ask(question)
        lead = "(abstains)" if got.abstained else " ".join(got.answer.split())[:160]
        print(f"{question}\n  [{got.confidence:.2f}] {lead}")


def main() -> None:
    parser = warm_answer_parser(__doc__.splitlines()[0])
    parser.add_argument("--answers", action="store_true", help="only print the answers to entity_questions.txt")
    args = parser.parse_args()

    from assistant.encoder import OnnxEncoder

    encoder = OnnxEncoder()
    paper = prepare_index(args.paper)
    if args.answers:
        show_answers(paper, encoder)
        return
    print(machine_line())
    targets = {"paper": paper, **({"large": args.large} if args.large is not None else {})}
    record("entities", {name: measure(str(path) if name == "large" else name, path, encoder, args.rounds)
                        for name, path in targets.items()})


if __name__ == "__main__":
    main()
