"""Command line: ``assistant`` (chat), ``ask``, ``index``, ``eval``. Commands stay thin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from assistant.errors import AssistantError

INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Index to use (default: the embedded paper's index, built on first use).",
)


def fail(message: str) -> None:
    from assistant.render import safe

    click.echo(f"error: {safe(message)}", err=True)
    sys.exit(1)


class _Guarded(click.Group):
    """Turn domain errors into one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as exc:
            fail(str(exc))
        except UnicodeDecodeError as exc:
            fail(f"the input is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8")
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Guarded, invoke_without_command=True)
@INDEX_DIR
@click.version_option(package_name="paper-assistant")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None) -> None:
    """Ask a research paper questions; answers are its own sentences, with citations.

    With no command, opens the chat UI on the embedded paper.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(chat, index_dir=index_dir)


@cli.command()
@INDEX_DIR
def chat(index_dir: Path | None) -> None:
    """Open the chat UI.  Example: assistant chat --index-dir my-index"""
    from assistant.app import make_app

    make_app(index_dir=index_dir).run()


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (one line per question in batch mode).")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 100), help="Passages to return.")
@click.option("--questions", type=click.File("r", encoding="utf-8"), help="Batch: JSONL of {id, question}; - for stdin.")
@INDEX_DIR
def ask(question: str | None, as_json: bool, k: int, questions, index_dir: Path | None) -> None:
    """Answer one question.  Example: assistant ask "What are Russia's goals in Syria?" --json"""
    if questions is None and question is None:
        fail("give a QUESTION, or --questions FILE for a batch")
    if questions is not None and question is not None:
        fail("give either a QUESTION or --questions FILE, not both")
    if question is not None:
        from assistant.engine import clean_question

        clean_question(question)  # refuse an empty question before opening (or building) an index
    assistant = _open_assistant(index_dir)
    if questions is not None:
        _ask_batch(assistant, questions, k, as_json)
        return
    _print_answer(assistant.ask(question, k=k), as_json)


def _open_assistant(index_dir: Path | None):
    from assistant.engine import Assistant
    from assistant.paper import open_index
    from assistant.render import safe

    with _progress() as progress:
        index = open_index(index_dir, progress=progress, notice=lambda m: click.echo(safe(m), err=True))
    return Assistant.open(index)


def _print_answer(answer, as_json: bool) -> None:
    from assistant.render import answer_json, answer_renderable

    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        from rich.console import Console

        Console().print(answer_renderable(answer))


def _ask_batch(assistant, lines, k: int, as_json: bool) -> None:
    from assistant.errors import InputError
    from assistant.render import answer_json, safe

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, question = item.get("id", number), item["question"]
            if not isinstance(question, str):
                raise TypeError(question)
        except (ValueError, KeyError, TypeError, AttributeError):
            fail(f"--questions line {number}: expected a JSON object with a \"question\"")
        try:
            record = {"id": qid, **answer_json(assistant.ask(question, k=k))}
        except InputError as exc:
            record = {"id": qid, "question": question, "error": str(exc)}
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            text = record.get("answer", "") or ("(abstained)" if "error" not in record else record["error"])
            click.echo(safe(f"{qid}\t{' '.join(text.split())}"))


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@INDEX_DIR
def index_command(paths: tuple[Path, ...], index_dir: Path | None) -> None:
    """Build an index.  Example: assistant index paper.pdf --index-dir paper-index

    With no PATH, (re)builds the embedded paper's index. With several PATHs, each is
    indexed into its own sub-directory of --index-dir.
    """
    from assistant import paths as locations
    from assistant.index import build_index
    from assistant.paper import default_metadata
    from assistant.render import safe

    if not paths:
        targets = [(locations.default_source(), index_dir or locations.default_index_dir(), default_metadata())]
    elif index_dir is None:
        fail("give --index-dir DIR for the index of another document")
    elif len(paths) == 1:
        targets = [(paths[0], index_dir, None)]
    else:
        targets = [(path, index_dir / path.stem, None) for path in paths]
    for source, target, metadata in targets:
        with _progress() as progress:
            manifest = build_index(source, target, metadata=metadata, progress=progress)
        counts = manifest["counts"]
        click.echo(safe(
            f"indexed {source.name} into {target}: {counts['sections']} sections, {counts['sentences']} sentences, "
            f"{counts['chunks']} chunks, {counts['notes']} notes in {manifest['build_seconds']} s"
        ), err=True)
        for chunk_id in manifest["truncated_chunks"]:
            click.echo(f"warning: chunk {chunk_id} is longer than the model window and is cut when embedded", err=True)


@cli.command("eval")
@click.option("--gold", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Gold JSONL {id, question, answer, evidence, type} (default: source/gold.jsonl).")
@INDEX_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and per-question records as JSON.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Also write the JSON results to FILE.")
@click.option("--compare", "compare_with", type=click.Path(path_type=Path, dir_okay=False),
              help="A previous --out file: list the questions that got better or worse.")
@click.option("--fit-abstention", is_flag=True, help="Fit the abstention model (CV + held-out report), write abstain.json.")
@click.option("--extra", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: also fit on this SQuAD-schema JSON document (repeatable).")
@click.option("--unseen", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: report on this SQuAD-schema JSON document, never fitted on (repeatable).")
def eval_command(gold, index_dir, as_json, out, compare_with, fit_abstention, extra, unseen) -> None:
    """Score the assistant on a gold Q&A set.  Example: assistant eval --out results.json

    Runs every question through the full system and the BM25-only and dense-only
    baselines, and prints retrieval, answer, citation, abstention and latency metrics.
    Pooled abstention fit: assistant eval --fit-abstention --extra squad/Normans.json --unseen other.json
    """
    from assistant import evaluate
    from assistant import paths as locations

    if (extra or unseen) and not fit_abstention:
        fail("--extra and --unseen only go with --fit-abstention")
    gold = gold or locations.default_gold()
    items = evaluate.load_gold(gold)
    old = evaluate.load_results(compare_with) if compare_with else None
    heldout = evaluate.load_gold(evaluate.default_heldout()) if fit_abstention else ()
    assistant = _open_assistant(index_dir)
    with _progress() as progress:
        if fit_abstention:
            results = evaluate.fit_abstention(assistant, items, heldout, gold_path=str(gold), extra=extra,
                                              unseen=unseen, progress=progress)
        else:
            results = evaluate.run(assistant, items, gold_path=str(gold), progress=progress)
    comparison = evaluate.compare(old, results) if old is not None and not fit_abstention else None
    if comparison is not None:
        results["comparison"] = comparison.as_dict()
    if out:
        evaluate.write_json_atomic(out, results)
    for warning in results.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False))
    else:
        from rich.console import Console

        render = evaluate.fit_renderable(results) if fit_abstention else evaluate.results_renderable(results, comparison)
        Console().print(render)


class _progress:
    """A Rich progress bar on stderr, fed by ``(stage, done, total)`` callbacks."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._task = None
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(stage, total=total)
        self._bar.update(self._task, description=stage, completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self._task is not None:
            self._bar.stop()


def main() -> None:
    for stream in (sys.stdout, sys.stderr):  # an ascii-only terminal gets '?', not a UnicodeEncodeError
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli(prog_name="assistant")
