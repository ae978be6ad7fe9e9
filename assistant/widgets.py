"""Widgets and screens of the chat UI, and the pure helpers that feed them (answers as
Markdown, source cards, the clipboard and saved-conversation texts).

Paper text and questions only ever reach the screen as ``rich.text.Text`` (or escaped
Markdown): never as markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Markdown, OptionList, ProgressBar, Static, TextArea

from assistant import overview
from assistant.history import Past, search
from assistant.progress import StageClock, describe
from assistant.records import Answer, Citation, CitedNote, Document
from assistant.render import safe
from assistant.structure import display_text

HIGHLIGHT = "bold black on #e5c07b"
SKIP_SECTIONS = frozenset(
    "front matter|about the authors|about the author|disclaimer|notes|endnotes|references|bibliography|"
    "acknowledgements|acknowledgments|contents|table of contents|appendix".split("|")
)
NOT_TOPICS = overview.RESTRICTED | overview.CITATIONS  # parts a suggestion never asks about (a byline, the notes)
CONCLUSION = re.compile(r"^(concluding remarks|conclusions?)\b", re.IGNORECASE)
CONTEXT_CHARS = 320


# -- pure helpers -------------------------------------------------------------------------


def escape_markdown(text: str) -> str:
    """Escape ``text`` (one line) so Markdown shows it literally: ``[Iran's]`` stays as is."""
    text = re.sub(r"([\\`*_\[\]<>|~&])", r"\\\1", text)
    text = re.sub(r"^(\s*)([#>+=-])", r"\1\\\2", text)
    return re.sub(r"^(\s*\d+)([.)])", r"\1\\\2", text)


def _topic(title: str, source: str) -> str:
    """A section title as the object of a sentence: "the theoretical framework", "Iran's ...".

    A capitalised word is lowercased when the paper writes it in lowercase at least as often
    as capitalised mid-sentence (so it is title case, not a name); a title that then starts
    in lowercase gets "the".
    """
    words = []
    for word in title.split():
        lower = word.lower()
        if word != lower and _count(lower, source) >= max(1, _count(word, source, mid_sentence=True)):
            word = lower
        words.append(word)
    if words and words[0].islower() and words[0] not in ("the", "a", "an"):
        words.insert(0, "the")
    return " ".join(words)


def _count(word: str, source: str, mid_sentence: bool = False) -> int:
    before = r"(?<=[a-z,;] )" if mid_sentence else r"(?<![\w-])"
    return len(re.findall(rf"{before}{re.escape(word)}(?![\w-])", source))


def suggested_questions(document: Document, limit: int = 4, ask: Callable[[str], Answer] | None = None) -> list[str]:
    """Questions to start with: what the paper is about, a few body sections spread out, its conclusion.

    With ``ask`` (the assistant's), candidates are asked in turn and shown only when they are
    answered well (``overview.answers_well``: answered, confident, not from the front matter,
    quoting the section it names); other sections stand in for those that fail. If asking
    fails, the candidates are shown unchecked.
    """
    candidates = _by_priority(_suggestion_candidates(document, limit))
    chosen = candidates[:limit]
    if ask is not None:
        layout = overview.layout(document)
        checked: list[tuple[int, str, int | None]] = []
        try:
            for candidate in candidates:
                if len(checked) == limit:
                    break
                if overview.answers_well(ask(candidate[1]), document, layout, candidate[2]):
                    checked.append(candidate)
            chosen = checked
        except Exception:  # e.g. the query encoder failed to load: that error reaches the user with the first answer
            pass
    return [question for _, question, _ in sorted(chosen)]


def _suggestion_candidates(document: Document, limit: int) -> list[tuple[int, str, int | None]]:
    """(reading order, question, section it names) in the order to try them."""
    zones = overview.paragraph_zones(document)
    substantive = [
        s for s in document.sections
        if s.title.strip().lower() not in SKIP_SECTIONS
        and any(p.section == s.id and p.kind in ("body", "list_item") and zones[p.id] not in NOT_TOPICS for p in document.paragraphs)
    ]
    conclusion = next((s for s in substantive if CONCLUSION.match(s.title)), None)
    opening = any(s.kind in ("abstract", "introduction") for s in document.sections)
    topics = [s for s in substantive if s is not conclusion and s.title.strip().lower() != "introduction"]
    wanted = max(1, limit - (conclusion is not None) - opening)
    spread = topics
    if len(topics) > wanted:
        step = (len(topics) - 1) / max(1, wanted - 1) if wanted > 1 else 0
        spread = [topics[round(i * step)] for i in range(wanted)]
    ordered = spread + [s for s in topics if s not in spread]  # the rest stand in for failures
    out: list[tuple[int, str, int | None]] = [(-1, "What is this paper about?", None)] if opening else []
    out += [(s.id, f"What does the paper say about {_topic(s.title, document.source)}?", s.id) for s in ordered]
    if conclusion is not None:
        out.append((len(document.sections), "What does the paper conclude?", None))
    return out


def _by_priority(candidates: list[tuple[int, str, int | None]]) -> list[tuple[int, str, int | None]]:
    """The questions about the whole paper first, then the section topics in the order given."""
    return [c for c in candidates if c[2] is None] + [c for c in candidates if c[2] is not None]


@dataclass(frozen=True)
class Source:
    """One entry of the sources pane: a citation of the answer, or a closest passage."""

    n: int
    section: str
    locator: str  # "paragraph 7" or "closest passage"
    start: int
    end: int
    notes: tuple[CitedNote, ...] = ()
    cited: bool = True  # highlight [start, end) within its paragraph


def sources_of(answer: Answer, source: str, closest: int = 3) -> list[Source]:
    """What the sources pane shows for an answer: its citations, where sentences that follow one
    another in one paragraph (nothing but whitespace between them in ``source``, the document's
    text) are one source, numbered in order; or, for an abstention, the closest passages."""
    if answer.abstained:
        return [Source(p.rank, p.section, "closest passage", p.start, p.end, (), False) for p in answer.passages[:closest]]
    runs: list[list[Citation]] = []
    for citation in answer.citations:
        last = runs[-1][-1] if runs else None
        if (last is not None and (last.section, last.paragraph) == (citation.section, citation.paragraph)
                and last.end <= citation.start and not source[last.end : citation.start].strip()):
            runs[-1].append(citation)
        else:
            runs.append([citation])
    return [_joined(n, run) for n, run in enumerate(runs, start=1)]


def _joined(n: int, run: list[Citation]) -> Source:
    notes = tuple({note.number: note for c in run for note in c.notes}.values())
    return Source(n, run[0].section, f"paragraph {run[0].paragraph}", run[0].start, run[-1].end, notes)


def answer_markdown(answer: Answer, source: str, closest: int = 3) -> str:
    """The answer as Markdown: the paper's sentences, each followed by its clickable marker."""
    if answer.abstained:
        lines = ["**The paper does not seem to answer this.** The closest passages are:", ""]
        for passage in answer.passages[:closest]:
            quote = escape_markdown(_trim_right(safe(display_text(passage.text)), 90))
            section = escape_markdown(safe(passage.section))
            lines.append(f"- [\\[{passage.rank}\\] {section}](source:{passage.rank}): “{quote}”")
        return "\n".join(lines)
    parts = [f"{escape_markdown(safe(display_text(source[s.start : s.end])))} [\\[{s.n}\\]](source:{s.n})"
             for s in sources_of(answer, source)]
    return " ".join(parts) or escape_markdown(safe(answer.answer))


def _paragraph_bounds(document: Document, start: int, end: int) -> tuple[int, int]:
    for paragraph in document.paragraphs:
        if paragraph.start <= start < paragraph.end:
            return paragraph.start, max(paragraph.end, end)
    return start, end


def _trim_left(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    return "… " + cut.split(" ", 1)[-1]


def _trim_right(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def passage_text(document: Document, source: Source) -> Text:
    """The paragraph around a citation, the cited span highlighted; a passage is shown plain."""
    if not source.cited:
        return Text(_trim_right(safe(display_text(document.source[source.start : source.end])), 2 * CONTEXT_CHARS))
    p_start, p_end = _paragraph_bounds(document, source.start, source.end)
    text = Text()
    before = _trim_left(safe(display_text(document.source[p_start : source.start])), CONTEXT_CHARS)
    after = _trim_right(safe(display_text(document.source[source.end : p_end])), CONTEXT_CHARS)
    if before:
        text.append(before + " ")
    text.append(safe(display_text(document.source[source.start : source.end])), style=HIGHLIGHT)
    if after:
        text.append(" " + after)
    return text


def card_title(source: Source) -> Text:
    """A source card's first line: number, section and locator (one line, cut with an ellipsis)."""
    text = Text()
    text.append(f"[{source.n}] ", style="bold")
    text.append(safe(source.section), style="bold")
    text.append(f" · {source.locator}", style="dim")
    return text


def card_text(document: Document, source: Source) -> Text:
    """A source card's body: the passage in its paragraph, then the notes the paper cites for it."""
    text = passage_text(document, source)
    if source.notes:
        text.append("\nThe paper cites:", style="italic")
        for note in source.notes:
            text.append(f"\n  [{note.number}] ", style="bold")
            text.append(safe(display_text(note.text)), style="dim")
    return text


@dataclass(frozen=True)
class Turn:
    """One question of the conversation, the retrieval context it was read with, and its answer."""

    question: str
    context: str | None
    answer: Answer


def _locator(section: str, locator: str, start: int, end: int) -> str:
    return f"{safe(section)}, {locator}, characters {start}–{end}"


def answer_plain(turn: Turn, text: str) -> str:
    """A turn as plain text for the clipboard: question, answer, then each quote with its locator.

    ``text`` is the document's source text."""
    answer = turn.answer
    lines = [f"Q: {turn.question}"]
    sources = sources_of(answer, text)
    if answer.abstained:
        lines.append("A: The paper does not seem to answer this. Closest passages:")
    else:
        lines.append("A: " + " ".join(f"{display_text(text[s.start : s.end])} [{s.n}]" for s in sources))
    lines.append("")
    for source in sources:
        lines.append(f"[{source.n}] {_locator(source.section, source.locator, source.start, source.end)}")
        for note in source.notes:
            lines.append(f"    the paper cites [{note.number}] {display_text(note.text)}")
    return safe("\n".join(lines))


def conversation_markdown(document: Document, turns: Iterable[Turn], saved: datetime) -> str:
    """The conversation as Markdown: each answer, then its quotes (exact paper text) with locators."""
    title = document.metadata.get("title") or document.title
    authors = document.metadata.get("authors") or []
    byline = ", ".join(authors) if isinstance(authors, list) else str(authors)
    out = [f"# Questions on: {escape_markdown(safe(title))}", ""]
    if byline:
        out += [escape_markdown(safe(byline)), ""]
    out += [f"Saved {saved:%Y-%m-%d %H:%M} by paper-assistant. Quotes are the paper's text (whitespace "
            "collapsed); locators are character offsets into it.", ""]
    for number, turn in enumerate(turns, start=1):
        out += [f"## {number}. {escape_markdown(turn.question)}", ""]
        if turn.context:
            out += [f"*Read as a follow-up; also searched for:* {escape_markdown(turn.context)}", ""]
        out += _answer_markdown_lines(document, turn.answer)
    return safe("\n".join(out))


def _answer_markdown_lines(document: Document, answer: Answer) -> list[str]:
    if answer.abstained:
        out = ["*The paper does not seem to answer this.* Closest passages:", ""]
    else:
        out = [" ".join(f"{escape_markdown(display_text(document.source[s.start : s.end]))} \\[{s.n}\\]"
                        for s in sources_of(answer, document.source)), ""]
    for source in sources_of(answer, document.source):
        quote = display_text(document.source[source.start : source.end])
        out += [f"> {escape_markdown(quote)}", ">",
                f"> — \\[{source.n}\\] {escape_markdown(_locator(source.section, source.locator, source.start, source.end))}"]
        for note in source.notes:
            out += [">", f"> The paper cites \\[{note.number}\\] {escape_markdown(display_text(note.text))}"]
        out.append("")
    out.append(f"Confidence {answer.confidence:.2f}.")
    out.append("")
    return out


# -- widgets ------------------------------------------------------------------------------


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
    """The start screen: which paper is loaded, and questions to start with."""

    def __init__(self, document: Document, suggestions: list[str] | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.suggestions = suggestions  # checked against the index; None: computed from the structure

    def compose(self) -> ComposeResult:
        doc = self.document
        yield Static(Text(safe(doc.metadata.get("title") or doc.title), style="bold"), id="paper-title")
        authors = doc.metadata.get("authors")
        if authors:
            names = authors if isinstance(authors, str) else ", ".join(str(a) for a in authors)
            yield Static(Text(safe(names)), id="paper-authors")
        counts = f"{len(doc.sections)} sections · {len(doc.paragraphs)} paragraphs · {len(doc.notes)} notes"
        yield Static(Text(counts, style="dim"), id="paper-counts")
        yield Static(Text("Type a question below, or pick one (Tab, then Enter). F1: keys · F2: past conversations."),
                     id="suggest-label")
        suggestions = self.suggestions if self.suggestions is not None else suggested_questions(doc)
        yield OptionList(*(Text(q) for q in suggestions), id="suggestions")


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

    async def show_answer(self, answer: Answer, source: str) -> None:
        """Show ``answer``; ``source`` is the document's text its citations point into."""
        await self.query(".pending").remove()
        classes = "answer abstained" if answer.abstained else "answer"
        count = len(sources_of(answer, source))
        meta = f"confidence {answer.confidence:.2f}" + ("" if answer.abstained else f" · {count} citation{'s' * (count != 1)}")
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

    def __init__(self, document: Document, source: Source, **kwargs) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.source = source

    def compose(self) -> ComposeResult:
        yield Static(card_title(self.source), classes="card-title")
        yield Static(card_text(self.document, self.source), classes="card-text")

    def action_open(self) -> None:
        self.post_message(self.Opened(self.source))

    def on_click(self) -> None:
        self.action_open()


class SourcesPane(VerticalScroll):
    """The sources of the selected answer; number keys open source n."""

    BINDINGS = [Binding(str(n), f"open({n})", f"Open source {n}", show=False) for n in range(1, 10)]

    async def show(self, document: Document | None, sources: list[Source]) -> None:
        await self.remove_children()
        if document is not None and sources:
            await self.mount_all(SourceCard(document, s, classes="card") for s in sources)
        else:
            await self.mount(Static(Text("Sources of the answer appear here.", style="dim"), classes="empty"))
        self.scroll_home(animate=False)

    def action_open(self, n: int) -> None:
        cards = list(self.query(SourceCard))
        if 0 < n <= len(cards):
            cards[n - 1].action_open()


# -- screens ------------------------------------------------------------------------------


class ReaderScreen(Screen[None]):
    """The whole paper, scrolled to a passage with the passage selected; Escape goes back."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, document: Document, source: Source) -> None:
        super().__init__()
        self.document = document
        self.source = source

    def compose(self) -> ComposeResult:
        s = self.source
        label = Text(f"[{s.n}] ", style="bold") + Text(safe(s.section))
        label.append(f" · {s.locator} · chars {s.start}-{s.end}", style="dim")
        yield Static(label, id="reader-title")
        yield TextArea(safe(self.document.source), read_only=True, soft_wrap=True, show_line_numbers=False,
                       highlight_cursor_line=False, id="reader")
        yield Footer()

    def on_mount(self) -> None:
        reader = self.query_one("#reader", TextArea)
        reader.cursor_blink = False
        locate = reader.document.get_location_from_index  # type: ignore[attr-defined]  # a Document, typed as its base
        source = self.document.source
        start, end = len(safe(source[: self.source.start])), len(safe(source[: self.source.end]))
        from textual.widgets.text_area import Selection

        reader.selection = Selection(locate(end), locate(start))  # cursor at the start of the passage
        reader.focus()
        self.call_after_refresh(reader.scroll_cursor_visible, center=True)

    @property
    def selected_text(self) -> str:
        return self.query_one("#reader", TextArea).selected_text


class HelpScreen(ModalScreen[None]):
    """Keys and how the assistant works; Escape or F1 closes it."""

    BINDINGS = [Binding("escape,f1", "app.pop_screen", "Close")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            with VerticalScroll(id="help-text"):
                yield Markdown(self.markdown, open_links=False)
            yield Static(Text("Escape or F1 closes this help · Up/Down, PageUp/PageDown scroll it"), id="help-close")

    def on_mount(self) -> None:
        self.query_one("#help-text").focus()

    @on(Markdown.LinkClicked)
    def _ignore_links(self, event: Markdown.LinkClicked) -> None:
        event.stop()


class HistoryScreen(ModalScreen["Past | None"]):
    """Past conversations about this paper: type to search their questions, Enter reopens one."""

    BINDINGS = [Binding("escape,f2", "close", "Close")]

    def __init__(self, pasts: list[Past]) -> None:
        super().__init__()
        self.pasts = pasts
        self.shown = pasts

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static(Text("Past conversations · type to search · Enter reopens · Escape closes"), id="history-label")
            yield Input(placeholder="Search their questions", id="history-search")
            yield OptionList(*(Text(p.label) for p in self.pasts), id="history-list")

    @on(Input.Changed, "#history-search")
    def _filter(self, event: Input.Changed) -> None:
        self.shown = search(self.pasts, event.value)
        options = self.query_one("#history-list", OptionList)
        options.clear_options()
        options.add_options([Text(p.label) for p in self.shown])
        if self.shown:
            options.highlighted = 0

    @on(Input.Submitted, "#history-search")
    def _open_first(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one("#history-list", OptionList)
        if self.shown:
            self.dismiss(self.shown[options.highlighted or 0])

    @on(OptionList.OptionSelected, "#history-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
