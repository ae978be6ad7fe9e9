"""Widgets of the chat UI: the question box, the build panel, the start screen, one exchange
of the conversation, and the sources pane with its cards.

Paper text and questions only ever reach the screen as ``rich.text.Text`` (or escaped
Markdown): never as markup. What they show comes from ``transcript``.
"""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Markdown, OptionList, ProgressBar, Static

from assistant.confidence import closest_phrase, phrase
from assistant.progress import StageClock, describe
from assistant.records import Answer, Document
from assistant.render import safe
from assistant.transcript import Source, answer_markdown, card_text, card_title, sources_of


class KeysFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change.

    The stock footer recomposes (rebuilds every key widget) on each ``bindings_updated_signal``;
    one answer publishes it several times (the input disabled and enabled, focus moving,
    ``refresh_bindings``) while the keys shown mostly stay the same.
    """

    _shown: tuple | None = None

    def _keys(self) -> tuple:
        return tuple((key, binding.action, binding.description, binding.show, self.app.get_key_display(binding),
                      enabled, tooltip) for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items())

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()


class QuestionInput(Input):
    """The question box, with a history: up and down recall earlier questions."""

    BINDINGS = [
        Binding("up", "history(-1)", "History", show=False, tooltip="Recall the previous question"),
        Binding("down", "history(1)", "Next question", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position = 0
        self._draft = ""

    def remember(self, question: str) -> None:
        if not self.history or self.history[-1] != question:
            self.history.append(question)
        self._position = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._position == len(self.history):
            self._draft = self.value
        self._position = min(len(self.history), max(0, self._position + step))
        self.value = self._draft if self._position == len(self.history) else self.history[self._position]
        self.cursor_position = len(self.value)


class BuildPanel(Vertical):
    """Shown until the paper is ready: what is happening, and a progress bar while indexing.

    The label names the build's phase, how far it is and the time left (kept current by a
    one-second timer between reports); a cancelled or failed build hides the bar.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = StageClock()

    def compose(self) -> ComposeResult:
        yield Static(Text("Opening the paper…"), id="build-label")
        yield ProgressBar(id="build-bar", show_eta=False)

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1.0, self._describe, pause=True)

    def show(self, message: str) -> None:
        self.query_one("#build-label", Static).update(Text(message))

    def progress(self, stage: str, done: int, total: int) -> None:
        step = self.clock.report(stage, done, total)
        self.query_one(ProgressBar).update(total=total if step.counted else None, progress=done)
        self._describe()
        self._ticker.resume()

    def stop(self, message: str) -> None:
        """The build ended without an index: say so and take the bar away."""
        self._ticker.pause()
        self.add_class("-stopped")
        self.show(message)

    def restart(self, message: str) -> None:
        self.remove_class("-stopped")
        self.clock = StageClock()
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.show(message)

    def _describe(self) -> None:
        step = self.clock.step()
        if step is not None:
            self.show(f"Building the paper's index: {describe(step)}.\n"
                      "Escape cancels. You can type a question now: it is asked when the index is ready.")


class Welcome(Vertical):
    """The start screen: which paper is loaded, and questions to start with once they are checked."""

    CHECKING = "Type a question below. Finding questions the paper answers well… F1: keys · F2: past conversations."
    PICK = "Type a question below, or pick one (Tab, then Enter). F1: keys · F2: past conversations."
    NONE = "Type a question below. F1: keys · F2: past conversations."

    def __init__(self, document: Document, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = document

    def compose(self) -> ComposeResult:
        doc = self.document
        yield Static(Text(safe(doc.metadata.get("title") or doc.title), style="bold"), id="paper-title")
        authors = doc.metadata.get("authors")
        if authors:
            names = authors if isinstance(authors, str) else ", ".join(str(a) for a in authors)
            yield Static(Text(safe(names)), id="paper-authors")
        counts = f"{len(doc.sections)} sections · {len(doc.paragraphs)} paragraphs · {len(doc.notes)} notes"
        yield Static(Text(counts, style="dim"), id="paper-counts")
        yield Static(Text(self.CHECKING), id="suggest-label")
        options = OptionList(id="suggestions")
        options.display = False  # until checked: nothing to Tab into
        yield options

    def suggest(self, questions: list[str]) -> None:
        """Show the questions to start with (checked against the index)."""
        options = self.query_one("#suggestions", OptionList)
        options.clear_options()
        options.add_options([Text(q) for q in questions])
        options.display = bool(questions)
        if questions:
            options.highlighted = 0
        self.query_one("#suggest-label", Static).update(Text(self.PICK if questions else self.NONE))


class Exchange(Vertical):
    """One question and its answer in the conversation."""

    class Selected(Message):
        def __init__(self, turn: int) -> None:
            super().__init__()
            self.turn = turn

    def __init__(self, turn: int, question: str, context: str | None, waiting: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.turn = turn
        self.question = question
        self.context = context
        self.waiting = waiting  # queued until the paper's index is ready

    def compose(self) -> ComposeResult:
        yield Static(Text("› ") + Text(self.question), classes="question")
        if self.context:
            yield Static(Text(f"follow-up: also searching for “{self.context}”", style="dim italic"), classes="context")
        pending = "Queued: asked in turn, once the paper is open." if self.waiting else "Searching the paper…"
        yield Static(Text(pending, style="dim italic"), classes="pending")

    def start_answering(self) -> None:
        self.waiting = False
        self.add_class("pending-answer")
        for pending in self.query(".pending").results(Static):  # none yet when not composed: compose shows it
            pending.update(Text("Searching the paper…", style="dim italic"))

    async def show_answer(self, answer: Answer, source: str, origin: str = "") -> None:
        """Show ``answer``; ``source`` is the document's text its citations point into, ``origin``
        that document's title when the answer is from a library of several."""
        await self.query(".pending").remove()
        if answer.read_as:  # a typing slip read as the document's word (spelling.py)
            await self.mount(Static(Text(f"read as “{answer.read_as}”", style="dim italic"), classes="context"))
        classes = "answer abstained" if answer.abstained else "answer"
        count = len(sources_of(answer, source))
        meta = (f"closest answer: {closest_phrase(answer.confidence)}" if answer.abstained
                else f"confidence: {phrase(answer.confidence)} · {count} citation{'s' * (count != 1)}")
        if origin and not answer.abstained:
            meta += f" · from {safe(origin)}"
        await self.mount(Markdown(answer_markdown(answer, source), open_links=False, classes=classes),
                         Static(Text(meta, style="dim"), classes="meta"))

    def on_click(self) -> None:
        self.post_message(self.Selected(self.turn))


class SourceCard(Vertical, can_focus=True):
    """A cited passage under a one-line title; Enter or a click opens it in the reader."""

    BINDINGS = [Binding("enter", "open", "Open in paper")]

    class Opened(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    def __init__(self, document: Document, source: Source, document_title: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.source = source
        self.document_title = document_title  # named on the card when the library has several documents

    def compose(self) -> ComposeResult:
        yield Static(card_title(self.source, self.document_title), classes="card-title")
        yield Static(card_text(self.document, self.source), classes="card-text")

    def action_open(self) -> None:
        self.post_message(self.Opened(self.source))

    def on_click(self) -> None:
        self.action_open()


class SourcesPane(VerticalScroll):
    """The sources of the selected answer; number keys open source n."""

    BINDINGS = [Binding(str(n), f"open({n})", f"Open source {n}", show=False) for n in range(1, 10)]

    async def show(self, cards: Sequence[tuple[Document, Source, str]]) -> None:
        """Show a card per (document, source, document title or "")."""
        await self.remove_children()
        if cards:
            await self.mount_all(SourceCard(document, s, title, classes="card") for document, s, title in cards)
        else:
            await self.mount(Static(Text("Sources of the answer appear here.", style="dim"), classes="empty"))
        self.scroll_home(animate=False)

    def action_open(self, n: int) -> None:
        cards = list(self.query(SourceCard))
        if 0 < n <= len(cards):
            cards[n - 1].action_open()
