"""Command line: ``assistant`` (chat), ``ask``, ``add``, ``list``, ``remove``, ``index``, ``eval``. Commands stay thin."""

from __future__ import annotations

import errno
import os
import sys
import threading
import time
from pathlib import Path

import click

from assistant.errors import AssistantError

DEBUG_ENV = "ASSISTANT_DEBUG"


def _index_dir(ctx: click.Context, param, value: Path | None) -> Path | None:
    """A subcommand's --index-dir, or the one given before the subcommand."""
    if value is None and ctx.parent is not None:
        return ctx.parent.params.get("index_dir")
    return value


INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    callback=_index_dir,
    help="Index to use (default: the embedded paper's index, built on first use).",
)


INDEX_DIR_TO_WRITE = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    callback=_index_dir,
    help="Folder to write the index into; required with a PATH. With no PATH, the embedded paper's "
         "index is rebuilt in its own folder in the data home.",
)
EVAL_LEGEND = ("hybrid: the full system (dense + BM25, fused); Recall@k: a relevant passage in the top k; "
               "MRR@10: mean of 1/rank of the first relevant passage; evidence hit: the answer's citations "
               "cover >= 60% of a gold evidence quote.")


def fail(message: str) -> None:
    """One line on stderr (controls removed, line breaks folded) and exit status 1."""
    _one_line(message, 1)


def _one_line(message: str, status: int) -> None:
    from assistant.render import safe

    click.echo(f"error: {' '.join(safe(message).split())}", err=True)
    sys.exit(status)


def _fault_message(exc: BaseException) -> str:
    """The one line shown for a fault that reached the top."""
    if isinstance(exc, AssistantError):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"the input is not valid UTF-8 (byte {exc.start}); re-save it as UTF-8"
    if isinstance(exc, MemoryError):
        return "out of memory; try a smaller document or free some memory"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read"
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return f"unexpected {exc.__class__.__name__}: {exc}; run with --debug for the traceback"


class _Guarded(click.Group):
    """Turn every fault into one line on stderr and exit status 1; --debug shows the traceback. A usage
    error (an unknown option, --k 0) is one line too, naming the help to read, with click's exit status 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            done = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
            _one_line(exc.format_message() + where, exc.exit_code)
        except click.ClickException as exc:
            _one_line(exc.format_message(), exc.exit_code)
        except click.Abort:
            _one_line("interrupted", 130)
        sys.exit(done if type(done) is int else 0)  # click gives the code of an explicit exit (--help, --version)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if ctx.params.get("debug") or os.environ.get(DEBUG_ENV, "") not in ("", "0"):
                raise
            fail(_fault_message(exc))


def _stdout_writable() -> bool:
    """Flush stdout; when that fails, point it at /dev/null so that exiting does not fail again."""
    if sys.stdout is None:
        return True
    try:
        sys.stdout.flush()
        return True
    except OSError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (a test runner's buffer): nothing is flushed at exit
        return False


def _output_failed(exc: OSError) -> None:
    _stdout_writable()
    if exc.errno == errno.EPIPE:
        sys.exit(1)  # the reader went away: nothing to tell it
    fail(f"cannot write the output ({exc.strerror or exc})")


def _out(text_or_renderable) -> None:
    """Write a line (or a Rich renderable) to stdout; a full disk or a closed pipe is one error line."""
    try:
        if isinstance(text_or_renderable, str):
            click.echo(text_or_renderable)
        else:
            from rich.console import Console

            Console().print(text_or_renderable)
    except OSError as exc:
        _output_failed(exc)


@click.group(cls=_Guarded, invoke_without_command=True)
@INDEX_DIR
@click.option("--debug", is_flag=True, help=f"Show the traceback of an error (or set {DEBUG_ENV}=1).")
@click.version_option(package_name="paper-assistant")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None, debug: bool) -> None:
    """Ask a research paper questions; answers are its own sentences, with citations.

    With no command, opens the chat UI on the embedded paper.

    Input files (documents, --questions, --gold, --compare) must be regular files (symlinks
    are followed) of at most ASSISTANT_MAX_INPUT_MB megabytes (default 50).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(chat, index_dir=index_dir)


@cli.command()
@INDEX_DIR
def chat(index_dir: Path | None) -> None:
    """Open the chat UI.  Example: assistant chat --index-dir my-index"""
    if not all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout)):
        fail("the chat UI needs a terminal; without one, use: assistant ask QUESTION (or --questions FILE)")
    from assistant.app import make_app

    make_app(index_dir=index_dir).run()


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (one line per question in batch mode).")
@click.option("--k", default=10, show_default=True, type=click.IntRange(1, 100),
              help="Passages to retrieve: listed under the answer with --passages, always in --json.")
@click.option("--passages", "show_passages", is_flag=True,
              help="Plain output: also list the top --k passages with their scores.")
@click.option("--questions", type=click.Path(path_type=Path, allow_dash=True),
              help="Batch: JSONL of {id, question}; - for stdin.")
@click.option("--doc", default=None, metavar="ID",
              help="Ask only this document of the library (ids: assistant list); default: every document.")
@INDEX_DIR
def ask(question: str | None, as_json: bool, k: int, show_passages: bool, questions: Path | None,
        doc: str | None, index_dir: Path | None) -> None:
    """Answer one question.  Example: assistant ask "What are Russia's goals in Syria?" --json

    Searches every document of the library (assistant list), or one with --doc ID.
    """
    if questions is None and question is None:
        fail("give a QUESTION, or --questions FILE for a batch")
    if questions is not None and question is not None:
        fail("give either a QUESTION or --questions FILE, not both")
    if doc is not None and index_dir is not None:
        fail("give either --doc ID (a library document) or --index-dir DIR, not both")
    if question is not None:
        from assistant.engine import clean_question

        clean_question(question)  # refuse an empty question before opening (or building) an index
        answerer, titles = _open_answerer(index_dir, doc)
        _print_answer(answerer.ask(question, k=k), as_json, k if show_passages else 0, titles)
        return
    from assistant.batch import read_batch

    assert questions is not None  # one of the two was given
    records, warnings = read_batch(_read_questions(questions))
    if not records:
        fail(f"--questions {questions}: no questions in it (one JSON object per line, with a \"question\")")
    records = [_refused(record) for record in records]  # an empty or wordless question, before any index is opened
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    answerer = _open_answerer(index_dir, doc)[0] if any(not r.error for r in records) else None
    if not _ask_batch(answerer, records, k, as_json):
        sys.exit(1)


def _open_answerer(index_dir: Path | None, doc: str | None):
    """What answers ``ask``: the library (all of it, or ``doc``), or the index at ``index_dir``;
    with the titles to name documents by in plain output (None when there is one document)."""
    from assistant import library
    from assistant.paper import is_default
    from assistant.render import safe

    if index_dir is not None:
        doc_id = library.PAPER_ID if is_default(index_dir) else library.slug(Path(index_dir).resolve().name)
        return library.Single(_open_assistant(index_dir), doc_id), None
    books = library.Library.open()
    with _progress() as progress:
        books.load(doc, progress=progress, notice=lambda m: click.echo(safe(m), err=True))
    if doc is not None:
        return library.Single(books.engine(doc), doc), None
    documents = books.documents()
    return books, ({e.id: e.label for e in documents} if len(documents) > 1 else None)


def _read_questions(source: Path) -> bytes:
    from assistant.errors import InputError
    from assistant.ingest import max_input_bytes, read_input_bytes

    if str(source) != "-":
        return read_input_bytes(source)
    if sys.stdin is None:
        raise InputError("--questions -: standard input is closed")
    limit = max_input_bytes()
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except (OSError, ValueError) as exc:  # a closed or unreadable descriptor
        raise InputError(f"--questions -: cannot read standard input ({getattr(exc, 'strerror', None) or exc})") from None
    if len(data) > limit:
        raise InputError(f"--questions -: more than the {limit / 1e6:g} MB input limit; set ASSISTANT_MAX_INPUT_MB to raise it")
    return data


def _open_assistant(index_dir: Path | None):
    from assistant.engine import Assistant
    from assistant.paper import open_index
    from assistant.render import safe

    with _progress() as progress:
        index = open_index(index_dir, progress=progress, notice=lambda m: click.echo(safe(m), err=True))
    return Assistant.open(index)


def _print_answer(answer, as_json: bool, passages: int = 0, titles: dict[str, str] | None = None) -> None:
    from assistant.render import answer_json, answer_renderable, json_text

    _out(json_text(answer_json(answer)) if as_json else answer_renderable(answer, passages=passages, titles=titles))


def _refused(record):
    """``record``, with the error ``clean_question`` gives its question (empty, wordless, too long), if any."""
    from dataclasses import replace

    from assistant.engine import clean_question
    from assistant.errors import InputError

    if record.error:
        return record
    try:
        clean_question(record.question)
    except InputError as exc:
        return replace(record, error=str(exc))
    return record


def _ask_batch(assistant, records, k: int, as_json: bool) -> bool:
    """Answer every usable line; a bad line gets an error record. True when no line was bad. A line
    naming an earlier line's id as its "context" is asked as the chat UI asks a follow-up of it."""
    import json
    from dataclasses import replace

    from assistant.errors import InputError
    from assistant.followup import answered_with, contextualize, leave_out
    from assistant.records import NOTHING_SHOWN, Shown
    from assistant.render import answer_json, json_text, safe

    clean = True
    asked: dict[str, tuple[str, Shown]] = {}  # line id -> (the text a follow-up leans on, the sentences shown)
    for item in records:
        if not item.error and item.context is not None and json.dumps(item.context) not in asked:
            item = replace(item, error=f'"context" {json.dumps(item.context)} is not the id of an earlier answered line')
        if item.error:
            clean = False
            click.echo(safe(f"error: --questions line {item.line}: {item.error}"), err=True)
            if as_json:
                _out(json_text({"id": item.id, "line": item.line, **({"question": item.question} if item.question else {}),
                                "error": item.error}))
            continue
        previous, shown = asked.get(json.dumps(item.context), (None, None)) if item.context is not None else (None, None)
        context = contextualize(item.question, previous)
        more = leave_out(item.question, context, shown)
        try:
            answer = assistant.ask(item.question, k=k, context=context, shown=more)
        except InputError as exc:  # a line refused: said on stderr with its number, as a malformed line is
            clean = False
            click.echo(safe(f"error: --questions line {item.line}: {exc}"), err=True)
            record = {"id": item.id, "line": item.line, "question": item.question, "error": str(exc)}
        else:
            record = {"id": item.id, **answer_json(answer), **({"context": context} if item.context is not None else {})}
            given = None if answer.abstained else answer.answer
            asked[json.dumps(item.id)] = (answered_with(item.question, context, given),
                                          (more or NOTHING_SHOWN).plus(answer))
        if as_json:
            _out(json_text(record))
        else:
            text = record.get("answer", "") or ("(abstained)" if "error" not in record else record["error"])
            _out(safe(f"{item.id}\t{' '.join(text.split())}"))
    return clean


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@INDEX_DIR_TO_WRITE
def index_command(paths: tuple[Path, ...], index_dir: Path | None) -> None:
    """Build an index.  Example: assistant index paper.pdf --index-dir paper-index

    With no PATH, (re)builds the embedded paper's index. With several PATHs, each is
    indexed into its own sub-directory of --index-dir.
    """
    from assistant import paths as locations
    from assistant.index import build_index, document_folders
    from assistant.paper import default_metadata
    from assistant.render import safe

    targets: list[tuple[Path, Path, dict | None]]
    if not paths:
        targets = [(locations.default_source(), index_dir or locations.default_index_dir(), default_metadata())]
    elif index_dir is None:
        fail("give --index-dir DIR for the index of another document")
    elif len(paths) == 1:
        targets = [(paths[0], index_dir, None)]
    else:
        targets = [(path, target, None) for path, target in document_folders(paths, index_dir)]
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


@cli.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "doc_format", type=click.Choice(["txt", "md", "pdf"]), default=None,
              help="Read the files as this type, whatever their names end with.")
def add_command(files: tuple[Path, ...], doc_format: str | None) -> None:
    """Add documents to the library (each gets its own index).  Example: assistant add notes.md paper.pdf

    Only the new document is embedded; the file itself is never changed or moved.
    """
    from assistant.library import Library
    from assistant.render import safe

    books = Library.open()
    for path in files:
        started = time.perf_counter()
        with _progress() as progress:
            entry = books.add(path, progress=progress, doc_format=doc_format)
        _out(safe(f"added {entry.id}: {entry.title} ({path.name}, {time.perf_counter() - started:.1f} s)"))


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as a JSON array.")
def list_command(as_json: bool) -> None:
    """List the library's documents.  Example: assistant list --json"""
    from assistant.library import Library
    from assistant.render import json_text, library_table

    documents = Library.open().documents()
    _out(json_text([e.as_json() for e in documents]) if as_json else library_table(documents))


@cli.command("remove")
@click.argument("doc_id", metavar="ID")
def remove_command(doc_id: str) -> None:
    """Remove a document from the library.  Example: assistant remove notes

    Deletes only the tool's own index of it, never the document's file.
    """
    from assistant.library import Library
    from assistant.render import safe

    entry = Library.open().remove(doc_id)
    _out(safe(f"removed {entry.id}: {entry.title} (the file {entry.file} is untouched)"))


@cli.command("eval")
@click.option("--gold", type=click.Path(path_type=Path), default=None,
              help="Gold JSONL {id, question, answer, evidence, type} (default: source/gold.jsonl).")
@INDEX_DIR
@click.option("--json", "as_json", is_flag=True, help="Print the metrics and per-question records as JSON.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Also write the JSON results to FILE (a new file, or over an earlier --out file; never over any other file).")
@click.option("--compare", "compare_with", type=click.Path(path_type=Path),
              help="A previous --out file: list the questions that got better or worse.")
@click.option("--fit-abstention", is_flag=True,
              help="Fit the abstention model (CV + held-out report) and write it, with the report, to --out "
                   "(never into the package: its \"model\" object is what assistant/abstain.json holds).")
@click.option("--with-gold", "with_gold", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: also fit on this gold file of the same document (repeatable).")
@click.option("--fit-only", "fit_only", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: also fit on this gold file of the same document, at a quarter of a gold file's "
                   "weight, never reported on (repeatable; source/gold_abstain_fit.jsonl).")
@click.option("--extra", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: also fit on this SQuAD-schema JSON document (repeatable).")
@click.option("--unseen", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="With --fit-abstention: report on this SQuAD-schema JSON document, never fitted on (repeatable).")
def eval_command(gold, index_dir, as_json, out, compare_with, fit_abstention, with_gold, fit_only, extra, unseen) -> None:
    """Score the assistant on a gold Q&A set.  Example: assistant eval --out results.json

    Runs every question through the full system (hybrid) and the BM25-only and dense-only
    baselines, and prints retrieval, answer, citation, abstention and latency metrics.
    Pooled abstention fit, with SQuAD-schema JSON files of your own:
    assistant eval --fit-abstention --out fit.json --extra one.json --unseen another.json
    """
    from assistant import abstain_fit, eval_tables, evaluate
    from assistant import comparison as comparing
    from assistant import gold as gold_files
    from assistant import results as results_files
    from assistant import paths as locations
    from assistant.render import json_text

    if (extra or unseen) and not fit_abstention:
        fail("--extra and --unseen only go with --fit-abstention")
    if (with_gold or fit_only) and not fit_abstention:
        fail("--with-gold and --fit-only only go with --fit-abstention")
    if fit_abstention:
        abstain_fit.check_files([*extra, *unseen])
        if not out:
            fail("--fit-abstention writes the fitted model and its report to --out FILE; give one")
        for path in (gold or locations.default_gold(), *with_gold, *fit_only):
            if gold_files.report_only(path):
                fail(f"{Path(path).name} is a report-only set; it is reported on, never fitted on")
    if out:
        results_files.check_output_path(out, results_files.EVAL_RESULTS)  # refuse a link or a device before the run, not after it
    gold = gold or locations.default_gold()
    items = gold_files.load_gold(gold)
    old = results_files.load_results(compare_with) if compare_with else None
    heldout = gold_files.load_gold(gold_files.default_heldout()) if fit_abstention else ()
    more_gold = [(str(path), gold_files.load_gold(path)) for path in with_gold]
    only_gold = [(str(path), gold_files.load_gold(path)) for path in fit_only]
    assistant = _open_assistant(index_dir)
    with _progress() as progress:
        if fit_abstention:
            results = abstain_fit.fit_abstention(assistant, items, heldout, gold_path=str(gold), more_gold=more_gold,
                                                 fit_only=only_gold, extra=extra,
                                                 unseen=unseen, progress=progress)
        else:
            results = evaluate.run(assistant, items, gold_path=str(gold), progress=progress)
    comparison, problem = None, None
    if old is not None and not fit_abstention:
        try:
            comparison = comparing.compare(old, results)
            results["comparison"] = comparison.as_dict()
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            problem = f"{compare_with}: cannot compare with this results file ({exc.__class__.__name__}: {exc})"
    if out:
        results_files.write_json_atomic(out, results, results_files.EVAL_RESULTS)  # before anything else can fail: the run is kept
    if problem:
        fail(problem + (f"; this run's results are in {out}" if out else ""))
    for warning in results.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
    if fit_abstention:
        click.echo(f"wrote the abstention model and its report to {out} (to ship it, copy its \"model\" object "
                   "to assistant/abstain.json)", err=True)
    if as_json:
        _out(json_text(results))
    else:
        _out(eval_tables.fit_renderable(results) if fit_abstention else eval_tables.results_renderable(results, comparison))
        if not fit_abstention:
            _out(EVAL_LEGEND)


class _progress:
    """Progress of a long job on stderr, fed by ``(stage, done, total)`` callbacks.

    On a terminal: a Rich bar with the stage, N of M and the time left. Otherwise (a pipe, a
    log file): a plain line at each new stage and every ``every`` seconds, even while a stage
    reports nothing (loading the model), so a caller can tell the job is alive. Nothing is
    printed in a job's first ``quiet`` seconds: a quick job or a bad input stays silent.
    """

    every = 5.0
    quiet = 1.0

    def __init__(self, every: float | None = None, quiet: float | None = None, console=None) -> None:
        self.every = self.every if every is None else every
        self.quiet = self.quiet if quiet is None else quiet
        self._console = console

    def __enter__(self):
        from rich.console import Console

        from assistant.progress import StageClock

        self._console = self._console or Console(stderr=True)
        self._clock = StageClock()
        self._bar = self._task = self._ticker = None
        self._stage, self._printed, self._began = None, 0.0, time.monotonic()
        self._stop, self._lock = threading.Event(), threading.Lock()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        step = self._clock.report(stage, done, total)
        if self._console.is_terminal:
            self._show_bar(step)
        elif stage != self._stage and time.monotonic() - self._began >= self.quiet:
            self._stage = stage
            self._line()
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, name="progress-ticker", daemon=True)
            self._ticker.start()

    def _show_bar(self, step) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        from assistant.progress import describe

        if self._bar is None:
            self._bar = Progress(BarColumn(), TextColumn("{task.description}", markup=False), console=self._console,
                                 transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=None)
        self._bar.update(self._task, description=describe(step), completed=step.done,
                         total=step.total if step.counted else None)

    def _line(self) -> None:
        from assistant.progress import describe

        with self._lock:
            self._printed = time.monotonic()
            self._console.print(describe(self._clock.step()), markup=False, highlight=False, soft_wrap=True)

    def _tick(self) -> None:
        """Keep the time left (or spent) current between callbacks."""
        while not self._stop.wait(min(1.0, self.every)):
            if self._console.is_terminal:
                self._show_bar(self._clock.step())
            elif time.monotonic() - max(self._printed, self._began + self.quiet - self.every) >= self.every:
                self._stage = self._clock.step().stage
                self._line()

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self._bar is not None:
            self._bar.stop()


def main() -> None:
    for stream in (sys.stdout, sys.stderr):  # an ascii-only terminal gets '?', not a UnicodeEncodeError
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        cli(prog_name="assistant")
    finally:  # output still buffered is written now: a full disk is one error line, not a traceback at exit
        try:
            sys.stdout and sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)
