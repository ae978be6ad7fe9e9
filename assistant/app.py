"""The chat UI: ask the paper questions, read the answers' sources, open them in the paper.

``make_app()`` builds the app for the CLI, the Pilot tests and the benchmark. The paper is
opened (and its index built on first run) in a thread worker; ``PaperApp.state`` becomes
``"ready"`` once questions can be asked.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Header, Markdown, OptionList

from assistant import paths
from assistant.encoder import Encoder
from assistant.errors import AssistantError, InputError
from assistant.followup import answered_with, contextualize, effective, leave_out
from assistant.progress import StageClock, describe
from assistant.records import NOTHING_SHOWN, Answer, Document, Shown
from assistant.render import safe
from assistant.screens import HelpScreen, HistoryScreen, LibraryScreen, ReaderScreen
from assistant.suggestions import suggested_questions
from assistant.transcript import (
    Source, Turn, answer_plain, answer_source, conversation_markdown, escape_markdown, sources_of,
)
from assistant.widgets import BuildPanel, Exchange, KeysFooter, QuestionInput, SourceCard, SourcesPane, Welcome

if TYPE_CHECKING:  # the library module is imported only when the library opens
    from assistant.library import Entry


class _Cancelled(Exception):
    """Raised from the build's progress callback to abort it (the build is atomic)."""


def loading_encoder():
    """The ONNX query encoder, made in a background thread from now: loading it (about half a
    second) overlaps with opening the index and with the user typing the first question. A load
    error is raised by ``encode``, so it reaches the user as the first answer's error notification."""
    from assistant import encoder

    from assistant import e5

    loading = encoder.BackgroundEncoder(lambda: encoder.OnnxEncoder())
    loading.preload()
    e5.warm_in_background()  # the second encoder's questions too (e5.py)
    return loading


class LibraryAssistant:
    """The library as the app asks it: every document, or the one chosen (``scope``, an id).

    ``document`` and ``home`` are the embedded paper's (the start screen, its suggestions and
    the history are about it)."""

    def __init__(self, library, entries) -> None:
        from assistant.library import PAPER_ID

        self.library = library
        self.scope: str | None = None
        self.home_id = PAPER_ID
        self.home = library.engine(PAPER_ID)
        self.document = self.home.document
        self.refresh(entries)

    def refresh(self, entries) -> None:
        """The library's documents now (after an add or a remove)."""
        self.entries = tuple(entries)  # all of them, so a damaged one can still be removed
        # only the documents that can be asked: a damaged added index is skipped (ask says so once)
        self.documents = {e.id: engine.document for e, engine in self.library.answering()}
        if self.scope not in self.documents:
            self.scope = None

    def ask(self, question: str, context: str | None = None, doc: str | None = None, shown: Shown | None = None) -> Answer:
        """Ask ``doc`` (an id), else the chosen document, else every document (``shown``'s sentences left out)."""
        return self.library.ask(question, doc=doc or self.scope, context=context, shown=shown)


class PaperApp(App[None]):
    """Ask the paper; answers are its own sentences, with the sources beside them."""

    CSS_PATH = "app.tcss"
    TITLE = "Paper assistant"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Keys and how answers are made"),
        Binding("alt+1", "open_source(1)", "Source", key_display="Alt+1…9",
                tooltip="Open source n of the selected answer in the paper (also 1-9 in the sources pane)"),
        *(Binding(f"alt+{n}", f"open_source({n})", f"Source {n}", show=False) for n in range(2, 10)),
        Binding("ctrl+o", "open_source(1)", "Source", show=False, tooltip="Open the first source of the answer in the paper"),
        Binding("ctrl+up", "select_answer(-1)", "Earlier answer", show=False,
                tooltip="Show the sources of the earlier answer (then Alt+1…9 opens them)"),
        Binding("ctrl+down", "select_answer(1)", "Later answer", show=False, tooltip="Show the sources of the later answer"),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Copy the last answer with its citations"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the conversation as Markdown"),
        Binding("ctrl+l", "clear", "Clear", tooltip="Clear the conversation"),
        Binding("f2", "history", "History", show=False, tooltip="Search and reopen past conversations (their questions are asked again)"),
        Binding("f3", "library", "Library", tooltip="Your documents: choose one or all to ask, add or remove one"),
        Binding("escape", "cancel_build", "Cancel build", tooltip="Stop building the index"),
        Binding("ctrl+r", "build", "Build index", tooltip="Build the paper's index"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, tooltip="Scroll the conversation up"),
        Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, tooltip="Scroll the conversation down"),
    ]

    state: reactive[str] = reactive("starting", bindings=True)

    @dataclass
    class Progress(Message):
        """The opening worker's build progress."""

        stage: str
        done: int
        total: int

    @dataclass
    class Notice(Message):
        """Something the opening worker wants said while the index opens."""

        text: str

    @dataclass
    class Loaded(Message):
        """The index (or the library) is open: ``assistant`` answers."""

        assistant: object

    @dataclass
    class Suggested(Message):
        """The start screen's questions, checked against the index (only ones it answers well)."""

        questions: list[str]

    @dataclass
    class LoadFailed(Message):
        """The index could not be opened (``cancelled``: the user stopped its build)."""

        error: str
        cancelled: bool = False

    @dataclass
    class Added(Message):
        """A document was added to the library."""

        entry: Entry

    @dataclass
    class AddFailed(Message):
        """A document could not be added to the library."""

        error: str

    @dataclass
    class Answered(Message):
        """The answer to ``question`` (asked with ``context``)."""

        question: str
        context: str | None
        answer: Answer
        shown: Shown | None = None  # what it was asked to leave out ("Tell me more.")

    @dataclass
    class AnswerFailed(Message):
        """``question`` could not be answered; ``error`` says why."""

        question: str
        context: str | None
        error: str

    def __init__(self, index_dir: Path | None = None, assistant=None, encoder: Encoder | None = None) -> None:
        super().__init__()
        self.index_dir = index_dir
        self.assistant = assistant
        self.encoder = encoder
        self.turns: list[Turn] = []
        self.selected: int | None = None
        self.busy = False
        self._previous: str | None = None
        self._shown: Shown | None = None  # the sentences shown on the current topic, for "Tell me more."
        self._cancel = threading.Event()
        self._mounted = False
        self._early: list[Message] = []
        self._queued: list[Exchange] = []  # asked while the index was being built, or reopened
        self._history: tuple[Path, datetime] | None = None  # this conversation's history file
        self._asking = threading.Lock()  # one question at a time: the user's, or a suggestion being checked
        self._user_waits = threading.Event()  # the user's question goes before the next suggestion check
        self._add_clock = StageClock()  # a document being added to the library

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with VerticalScroll(id="conversation", can_focus=False):
                yield BuildPanel(id="build")
            yield SourcesPane(id="sources")
        yield QuestionInput(placeholder=WAITING_PLACEHOLDER, id="question")
        yield KeysFooter()

    def on_load(self) -> None:
        if self.assistant is None:  # start opening the paper while the screen is being built
            self._start_opening()

    async def on_mount(self) -> None:
        self.query_one("#conversation").border_title = "Conversation"
        self.query_one("#sources").border_title = "Sources"
        await self.query_one(SourcesPane).show([])
        self._mounted = True
        for report in self._early:  # what the worker reported before the widgets existed
            await self._apply(report)
        self._early.clear()
        if self.assistant is not None and self.state != "ready":
            await self._show_paper(self.assistant)

    # -- opening the paper ----------------------------------------------------------------

    def action_build(self) -> None:
        if self.assistant is None and self.state in ("cancelled", "failed"):
            self.query_one(BuildPanel).restart("Opening the paper…")
            self._start_opening()

    def action_cancel_build(self) -> None:
        self._cancel.set()
        self.query_one(BuildPanel).show("Cancelling the index build…")

    def _start_opening(self) -> None:
        self._cancel.clear()
        self.state = "starting"
        self._open_paper()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_paper(self) -> None:
        """Open (building first if needed) the index and the query encoder, off the event loop."""
        from assistant.encoder import onnx_path
        from assistant.engine import Assistant
        from assistant.paper import open_index

        try:
            encoder = self.encoder
            if encoder is None and onnx_path().is_file():  # else the build exports the model first
                encoder = loading_encoder()
            notice = lambda m: self.post_message(self.Notice(m))
            if self.index_dir is None:  # the library: the embedded paper (built on first run) and the added documents
                self.post_message(self.Loaded(self._open_library(notice)))
                return
            index = open_index(self.index_dir, progress=self._progress, notice=notice)
            self.post_message(self.Loaded(Assistant.open(index, encoder=encoder or loading_encoder())))
        except _Cancelled:
            self.post_message(self.LoadFailed("index build cancelled; nothing was written", cancelled=True))
        except AssistantError as exc:
            self.post_message(self.LoadFailed(str(exc)))
        except Exception as exc:  # never a traceback: the UI says what went wrong
            self.post_message(self.LoadFailed(f"could not open the paper: {type(exc).__name__}: {exc}"))

    def _open_library(self, notice) -> LibraryAssistant:
        from assistant.library import Library

        books = Library.open(encoder=self.encoder)
        books.load(None, progress=self._progress, notice=notice)
        return LibraryAssistant(books, books.documents())

    def _progress(self, stage: str, done: int, total: int) -> None:
        """Build progress callback, called in the worker thread: never touches widgets."""
        from textual.worker import get_current_worker

        if stage != "done" and (self._cancel.is_set() or get_current_worker().is_cancelled):
            raise _Cancelled()
        self.post_message(self.Progress(stage, done, total))

    @on(Progress)
    @on(Notice)
    @on(Loaded)
    @on(LoadFailed)
    async def _report(self, message: Message) -> None:
        if self._mounted:
            await self._apply(message)
        else:
            self._early.append(message)

    async def _apply(self, message: Message) -> None:
        """Show what the opening worker reported."""
        panel = self.query_one(BuildPanel) if self.query(BuildPanel) else None
        if isinstance(message, self.Loaded):
            await self._show_paper(message.assistant)
        elif isinstance(message, self.Progress) and panel:
            self.state = "building"
            panel.progress(message.stage, message.done, message.total)
        elif isinstance(message, self.Notice) and panel:
            panel.show(safe(message.text).capitalize() + "…")
        elif isinstance(message, self.LoadFailed) and panel:
            self.state = "cancelled" if message.cancelled else "failed"
            hint = "Press Ctrl+R to build it, or Ctrl+Q to quit." if message.cancelled else "Press Ctrl+R to try again."
            if self._queued:
                hint += f" Your {len(self._queued)} queued question{'s' * (len(self._queued) != 1)} will be asked then."
            panel.stop(f"{safe(message.error).capitalize()}. {hint}")
            self.notify(safe(message.error), severity="warning" if message.cancelled else "error", markup=False)

    async def _show_paper(self, assistant) -> None:
        """The start screen at once; its suggested questions follow once checked (``_check_suggestions``)."""
        self.assistant = assistant
        document = assistant.document
        self.sub_title = safe(document.metadata.get("title") or document.title)
        await self.query(BuildPanel).remove()
        await self.query_one("#conversation").mount(Welcome(document, id="welcome"), before=0)
        self._check_suggestions(assistant)
        question = self.query_one(QuestionInput)
        question.placeholder = READY_PLACEHOLDER
        question.disabled = False
        question.focus()
        self.state = "ready"
        self._ask_queued()

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _check_suggestions(self, assistant) -> None:
        """Ask each candidate question (between the user's questions) and keep those answered well."""

        home = getattr(assistant, "home", assistant)  # in a library: the paper's own engine

        def ask(question: str) -> Answer:
            while self._user_waits.is_set():  # a lock is not fair: let the user's question in first
                time.sleep(0.005)
            with self._asking:
                return home.ask(question)

        self.post_message(self.Suggested(suggested_questions(assistant.document, ask=ask)))

    def on_paper_app_suggested(self, message: Suggested) -> None:
        for welcome in self.query(Welcome):
            welcome.suggest(message.questions)

    # -- asking ---------------------------------------------------------------------------

    @on(QuestionInput.Submitted, "#question")
    def _submitted(self, event: QuestionInput.Submitted) -> None:
        event.stop()
        self.ask(event.value)

    @on(OptionList.OptionSelected, "#suggestions")
    def _suggestion(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.ask(str(event.option.prompt), home=True)

    def ask(self, text: str, home: bool = False) -> None:
        """Ask a question (from the input or a suggestion); the answer comes from a worker.

        ``home``: ask the document the start screen shows (a suggestion is about it), not the
        library's chosen documents."""
        from assistant.engine import clean_question

        if self.assistant is None and self.state in ("cancelled", "failed"):
            self.notify("The paper is not open: press Ctrl+R to build its index.", severity="warning")
            return
        if self.busy:
            self.notify("Still answering the previous question.", severity="warning")
            return
        try:
            question = clean_question(text)
        except InputError as exc:
            self.notify(str(exc), title="Cannot ask that", severity="error", markup=False)
            return
        context = contextualize(question, self._previous)
        shown = leave_out(question, context, self._shown)
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        if self.assistant is None:  # the index is being built: ask it when it is ready
            self._enqueue(question, context)
            return
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(Exchange(len(self.turns), question, context, classes="exchange pending-answer"))
        conversation.call_after_refresh(conversation.scroll_end, animate=False)
        self._set_busy(True)
        self._answer(question, context, home, shown)

    def _enqueue(self, question: str, context: str | None) -> None:
        """Show a question that is asked in turn, once the paper is open and earlier ones are answered."""
        self._previous = effective(question, context)
        exchange = Exchange(len(self.turns), question, context, waiting=True, classes="exchange")
        self._queued.append(exchange)
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.mount(exchange)
        conversation.call_after_refresh(conversation.scroll_end, animate=False)

    def _ask_queued(self) -> None:
        """Ask the next question typed while the index was being built, if any."""
        if not self._queued or self.busy or self.assistant is None:
            return
        exchange = self._queued.pop(0)
        exchange.turn = len(self.turns)
        exchange.start_answering()
        self._set_busy(True)
        # asked after the one before it was answered, so a reopened "Tell me more." leaves out what that showed
        self._answer(exchange.question, exchange.context, shown=leave_out(exchange.question, exchange.context, self._shown))

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def _answer(self, question: str, context: str | None, home: bool = False, shown: Shown | None = None) -> None:
        library = isinstance(self.assistant, LibraryAssistant)
        # a library takes the record (it names the document); one engine only the sentence ids
        leave_out = {} if shown is None else {"shown": shown if library else shown.sentence_ids}
        try:
            self._user_waits.set()
            with self._asking:
                self._user_waits.clear()
                if home and library:
                    answer = self.assistant.ask(question, context=context, doc=self.assistant.home_id, **leave_out)
                else:
                    answer = self.assistant.ask(question, context=context, **leave_out)
        except AssistantError as exc:
            self.post_message(self.AnswerFailed(question, context, str(exc)))
        except Exception as exc:  # never a traceback: the UI says what went wrong
            self.post_message(self.AnswerFailed(question, context, f"could not answer: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(self.Answered(question, context, answer, shown))

    async def on_paper_app_answer_failed(self, message: AnswerFailed) -> None:
        await self.query_one(".pending-answer", Exchange).remove()
        self._set_busy(False)
        self.query_one(QuestionInput).value = message.question
        self.notify(safe(message.error), title="No answer", severity="error", markup=False)
        self._ask_queued()

    async def on_paper_app_answered(self, message: Answered) -> None:
        exchange = self.query_one(".pending-answer", Exchange)
        self.turns.append(Turn(message.question, message.context, message.answer))
        self._save_history()
        answer = message.answer
        self._previous = answered_with(message.question, message.context, None if answer.abstained else answer.answer)
        self._shown = (message.shown or NOTHING_SHOWN).plus(answer)
        exchange.remove_class("pending-answer")
        origin = answer_source(message.answer)
        await exchange.show_answer(message.answer, self._document(origin).source, self._title(origin))
        await self.select_turn(len(self.turns) - 1)
        self._set_busy(False)
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.call_after_refresh(conversation.scroll_end, animate=False)
        self._ask_queued()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for box in self.query(QuestionInput):  # query, not query_one: the app may be closing
            box.disabled = busy
            if not busy:
                box.focus()
        for pane in self.query(SourcesPane):
            pane.loading = busy
        self.refresh_bindings()

    # -- sources and the reader -----------------------------------------------------------

    async def select_turn(self, turn: int) -> None:
        self.selected = turn
        for exchange in self.query(Exchange):
            exchange.set_class(exchange.turn == turn, "-selected")
        pane = self.query_one(SourcesPane)
        pane.border_title = f"Sources of answer {turn + 1} of {len(self.turns)}"
        await pane.show([(self._document(s.document), s, self._title(s.document)) for s in self._sources(turn)])

    def _sources(self, turn: int) -> list[Source]:
        answer = self.turns[turn].answer
        return sources_of(answer, self._document(answer_source(answer)).source)

    def _document(self, doc_id: str) -> Document:
        """A library document by id; outside a library (or for "") the one document."""
        return getattr(self.assistant, "documents", {}).get(doc_id) or self.assistant.document

    def _title(self, doc_id: str, authors: bool = True) -> str:
        """The document's title (and authors), to name it beside its citations when the library has
        several; else ""."""
        entries = getattr(self.assistant, "entries", ())
        named = next((e for e in entries if e.id == doc_id), None) if len(entries) > 1 else None
        return "" if named is None else named.label if authors else named.title

    async def on_exchange_selected(self, message: Exchange.Selected) -> None:
        if message.turn < len(self.turns) and message.turn != self.selected:
            await self.select_turn(message.turn)

    def on_source_card_opened(self, message: SourceCard.Opened) -> None:
        self.open_reader(message.source)

    @on(Markdown.LinkClicked)
    def _link(self, event: Markdown.LinkClicked) -> None:
        exchange = next((a for a in event.markdown.ancestors if isinstance(a, Exchange)), None)
        scheme, _, number = event.href.partition(":")
        if exchange is not None and scheme == "source" and number.isdigit() and exchange.turn < len(self.turns):
            event.stop()
            self.selected = exchange.turn
            self.action_open_source(int(number))

    async def action_select_answer(self, step: int) -> None:
        """Select an earlier or later answer: the sources pane shows its sources."""
        if not self.turns:
            self.notify("Ask a question first.", severity="warning")
            return
        current = len(self.turns) - 1 if self.selected is None else self.selected
        turn = min(len(self.turns) - 1, max(0, current + step))
        await self.select_turn(turn)
        exchange = next(e for e in self.query(Exchange) if e.turn == turn)
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.release_anchor()
        conversation.scroll_to_widget(exchange, animate=False, top=True)

    def action_open_source(self, n: int = 1) -> None:
        if self.selected is None:
            self.notify("Ask a question first: its sources open here.", severity="warning")
            return
        source = next((s for s in self._sources(self.selected) if s.n == n), None)
        if source is None:
            self.notify(f"This answer has no source [{n}].", severity="warning", markup=False)
            return
        self.open_reader(source)

    def open_reader(self, source: Source) -> None:
        self.push_screen(ReaderScreen(self._document(source.document), source, self._title(source.document)))

    # -- conversation actions -------------------------------------------------------------

    def action_copy_answer(self) -> None:
        if not self.turns:
            self.notify("There is no answer to copy yet.", severity="warning")
            return
        turn = self.turns[-1]
        count = len(self._sources(len(self.turns) - 1))
        text = self._document(answer_source(turn.answer)).source
        self._copy(answer_plain(turn, text), f"the last answer with {count} source{'s' * (count != 1)}")

    @work(thread=True, exclusive=True, group="copy", exit_on_error=False)
    def _copy(self, text: str, what: str) -> None:
        """Copy with the system clipboard tool; without one, save to a file and say where."""
        from assistant import clipboard

        tool = clipboard.copy(text)
        if tool is not None:
            self.call_from_thread(self.notify, f"Copied {what} (with {tool}).", markup=False)
            return
        self.call_from_thread(self.copy_to_clipboard, text)  # OSC 52: works in some terminals, unverifiable
        try:
            path = _write_new(paths.conversations_dir(), "answer", "txt", text)
        except OSError as exc:
            self.call_from_thread(self.notify, f"could not copy or save the answer: {exc}", severity="error", markup=False)
            return
        self.copied_path = path
        self.call_from_thread(
            self.notify, f"No clipboard tool found (wl-copy, xclip, xsel or pbcopy), so {what} was saved to {path}. "
            "It was also sent to the terminal's clipboard, which some terminals ignore.",
            title="Saved, not copied", severity="warning", timeout=12, markup=False)

    def action_save(self) -> None:
        if not self.turns:
            self.notify("There is nothing to save yet.", severity="warning")
            return
        now = datetime.now()
        text = conversation_markdown(self.assistant.document, self.turns, now, self._document)
        try:
            path = _write_new(paths.conversations_dir(), "conversation", "md", text, now)
        except OSError as exc:
            self.notify(f"could not save the conversation: {exc}", severity="error", markup=False)
            return
        self.saved_path = path
        self.notify(f"Saved the conversation to {path}", title="Saved", timeout=12, markup=False)

    async def action_clear(self) -> None:
        if self.busy:
            self.notify("Wait for the answer before clearing.", severity="warning")
            return
        await self._reset()
        self.notify("Cleared the conversation.")

    async def _reset(self) -> None:
        """An empty conversation: the next answer starts a new entry in the history."""
        await self.query(Exchange).remove()
        self.turns.clear()
        self._queued.clear()
        self.selected = None
        self._previous = None
        self._shown = None
        self._history = None
        pane = self.query_one(SourcesPane)
        pane.border_title = "Sources"
        await pane.show([])
        self.refresh_bindings()

    # -- the library ------------------------------------------------------------------------

    def action_library(self) -> None:
        if not isinstance(self.assistant, LibraryAssistant):
            self.notify("The library is not open: this chat is on one index (--index-dir).", severity="warning")
            return
        if not isinstance(self.screen, LibraryScreen):
            self.push_screen(LibraryScreen(self.assistant.entries, self.assistant.scope))

    def _scope_changed(self, status: str = "") -> None:
        """Say in the title bar, and on the library screen if open, which documents are asked."""
        books = self.assistant
        title = self._title(books.scope, authors=False) if books.scope else ""
        self.sub_title = safe(title or (f"all {len(books.entries)} documents" if len(books.entries) > 1
                                        else books.document.metadata.get("title") or books.document.title))
        if isinstance(self.screen, LibraryScreen):
            self.screen.show(books.entries, books.scope, status)

    @on(LibraryScreen.Chosen)
    def _choose(self, message: LibraryScreen.Chosen) -> None:
        self.assistant.scope = message.doc_id
        self._scope_changed()

    @on(LibraryScreen.Add)
    def _add(self, message: LibraryScreen.Add) -> None:
        if isinstance(self.screen, LibraryScreen):
            self.screen.status(f"Adding {message.path}…")
        self._add_document(message.path)

    @work(thread=True, exclusive=True, group="library", exit_on_error=False)
    def _add_document(self, path: str) -> None:
        """Index a document into the library (only it is embedded), then open it for questions."""
        books = self.assistant
        try:
            entry = books.library.add(Path(path).expanduser(), progress=self._add_progress)
            with self._asking:
                books.refresh(books.library.documents())
        except AssistantError as exc:
            self.post_message(self.AddFailed(str(exc)))
        except Exception as exc:  # never a traceback: the library screen says what went wrong
            self.post_message(self.AddFailed(f"could not add {path}: {type(exc).__name__}: {exc}"))
        else:
            self.post_message(self.Added(entry))

    def _add_progress(self, stage: str, done: int, total: int) -> None:
        self.call_from_thread(self._show_add_progress, stage, done, total)

    def _show_add_progress(self, stage: str, done: int, total: int) -> None:
        self._add_clock.report(stage, done, total)
        step = self._add_clock.step()
        if step is not None and isinstance(self.screen, LibraryScreen):
            self.screen.status(f"Adding: {describe(step)}.")

    def on_paper_app_add_failed(self, message: AddFailed) -> None:
        self._add_clock = StageClock()
        self.notify(safe(message.error), title="Not added", severity="error", markup=False)
        if isinstance(self.screen, LibraryScreen):
            self.screen.status(safe(message.error))

    def on_paper_app_added(self, message: Added) -> None:
        self._add_clock = StageClock()
        self.notify(f"Added {safe(message.entry.title)} ({message.entry.id}).", markup=False)
        self._scope_changed(f"Added {message.entry.title} as {message.entry.id}.")

    @on(LibraryScreen.Remove)
    def _remove(self, message: LibraryScreen.Remove) -> None:
        books = self.assistant
        try:
            with self._asking:
                entry = books.library.remove(message.doc_id)
                books.refresh(books.library.documents())
        except AssistantError as exc:
            self.notify(safe(str(exc)), title="Not removed", severity="error", markup=False)
            return
        self.notify(f"Removed {safe(entry.title)} from the library (your file {safe(entry.file)} is untouched).", markup=False)
        self._scope_changed(f"Removed {entry.title}.")

    # -- history of conversations -----------------------------------------------------------

    def _save_history(self) -> None:
        """Keep this conversation's questions in the history (one file per conversation)."""
        from assistant import history

        document = self.assistant.document
        folder = history.history_dir(paths.conversations_dir())
        try:
            if self._history is None:
                started = datetime.now()
                folder.mkdir(parents=True, exist_ok=True)
                self._history = (history.new_path(folder, started), started)
            path, started = self._history
            history.save(path, started, document.metadata.get("title") or document.title, self._source_sha256(),
                         [turn.question for turn in self.turns])
        except OSError as exc:
            self.notify(f"could not keep this conversation in the history: {exc}", severity="warning", markup=False)

    def _source_sha256(self) -> str:
        from assistant.checksum import sha256_text

        return sha256_text(self.assistant.document.source)

    def action_history(self) -> None:
        from assistant import history

        if self.busy or self._queued:
            self.notify("Wait for the answer before opening the history.", severity="warning")
            return
        pasts = history.load_all(history.history_dir(paths.conversations_dir()), self._source_sha256())
        if not pasts:
            self.notify("No past conversations about this paper yet.", severity="warning")
            return
        self.push_screen(HistoryScreen(pasts), callback=self._reopen)

    async def _reopen(self, past) -> None:
        """Ask a past conversation's questions again, in order, as one conversation."""
        if past is None:
            return
        await self._reset()
        self._history = (past.path, past.started)
        for question in past.questions:
            self._enqueue(question, contextualize(question, self._previous))
        self._ask_queued()

    def on_resize(self, event: events.Resize) -> None:
        """After the terminal is resized, keep the newest answer in view."""
        if self.query("#conversation Exchange"):  # anchored: stays at the end while answers re-wrap
            self.query_one("#conversation", VerticalScroll).anchor()

    def action_scroll_conversation(self, direction: int) -> None:
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.scroll_page_down() if direction > 0 else conversation.scroll_page_up()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_markdown()))

    def help_markdown(self) -> str:
        rows = []
        bindings = [*self.BINDINGS, *QuestionInput.BINDINGS, *SourceCard.BINDINGS, *ReaderScreen.BINDINGS]
        for binding in Binding.make_bindings(bindings):
            if binding.key.startswith("alt+") and binding.key != "alt+1":
                continue  # Alt+1…9 is one row
            key, text = self.get_key_display(binding), binding.tooltip or binding.description
            rows.append(f"- **{escape_markdown(key)}**: {escape_markdown(text)}")
        rows.append("- **1 … 9**: in the sources pane, open source n in the paper")
        rows.append("- **Tab / Shift+Tab**: move between the question box, the suggestions and the source cards")
        rows.append(f"- **{escape_markdown(self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, '')))}**: "
                    "the command palette, with the same actions")
        return HELP.format(keys="\n".join(rows))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_build":
            return self.state == "building"
        if action == "build":
            return self.state in ("cancelled", "failed")
        if action == "history":
            return self.assistant is not None and self.screen is self.screen_stack[0]
        if action == "library":  # only when the chat is on the library, not on one --index-dir
            return isinstance(self.assistant, LibraryAssistant) and self.screen is self.screen_stack[0]
        if action in ("open_source", "copy_answer", "save", "clear", "select_answer"):
            if self.assistant is None or self.screen is not self.screen_stack[0]:
                return False
            return True if self.turns else None
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and how answers are made", self.action_help)
        yield SystemCommand("Copy answer", "Copy the last answer with its citations", self.action_copy_answer)
        yield SystemCommand("Save conversation", "Save the conversation as Markdown, with quotes", self.action_save)
        yield SystemCommand("Clear conversation", "Start over", self.action_clear)
        yield SystemCommand("Open source", "Open the first source of the selected answer in the paper",
                            lambda: self.action_open_source(1))
        yield SystemCommand("History", "Search and reopen past conversations", self.action_history)
        yield SystemCommand("Library", "Choose the documents to ask, add or remove one", self.action_library)
        yield SystemCommand("Earlier answer", "Show the sources of the earlier answer", lambda: self.action_select_answer(-1))
        yield SystemCommand("Later answer", "Show the sources of the later answer", lambda: self.action_select_answer(1))
        if self.state in ("cancelled", "failed"):
            yield SystemCommand("Build index", "Build the paper's index", self.action_build)


READY_PLACEHOLDER = "Ask a question about the paper, then Enter"
WAITING_PLACEHOLDER = "Type a question: it is asked as soon as the paper's index is ready"

HELP = """\
# Paper assistant

Ask a question about the paper in plain English. The answer is made of the paper's own
sentences; each is followed by a marker such as **\\[1\\]** that points to the passage it comes
from, shown in the sources pane with the sentence highlighted and the notes the paper cites.

A short question that leans on the previous one ("And what about Russia?", "Why?",
"What are their goals?") is read as a follow-up: the previous question helps the search.

When the paper does not seem to answer, the assistant says so and offers the closest passages.

## Keys

{keys}
"""


def _write_new(folder: Path, stem: str, suffix: str, text: str, now: datetime | None = None) -> Path:
    """Write ``text`` to a new file ``folder/stem-<time>.suffix``; never replace an existing file, and
    never leave a part of one (a full disk, a kill): the text goes to a hidden temporary file first,
    which is then linked under the new name (a link never replaces a file) and removed."""
    now = now or datetime.now()
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{stem}-", suffix=".partial", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        for attempt in range(100):
            path = folder / f"{stem}-{now:%Y%m%d-%H%M%S}{f'-{attempt}' if attempt else ''}.{suffix}"
            try:
                os.link(temporary, path)
            except FileExistsError:
                continue
            except OSError as exc:  # a file system without hard links: create the name, then write it
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                try:
                    _write_exclusive(path, text)
                except FileExistsError:
                    continue
            return path
        raise FileExistsError(f"{folder}: too many files named {stem}-{now:%Y%m%d-%H%M%S}*")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _write_exclusive(path: Path, text: str) -> None:
    """Create ``path`` (never an existing file) with ``text``; removed again if the write fails."""
    with open(path, "x", encoding="utf-8") as out:
        try:
            out.write(text)
            out.flush()
        except BaseException:
            path.unlink()
            raise


def make_app(index_dir: Path | None = None, assistant=None, encoder: Encoder | None = None) -> PaperApp:
    """The chat app: on ``index_dir`` (default: the embedded paper), or on a prebuilt ``assistant``."""
    return PaperApp(index_dir=index_dir, assistant=assistant, encoder=encoder)
